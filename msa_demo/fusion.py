"""Fusion: combine the present modalities' outputs into one sentiment distribution.

A fusion is a callable ``fusion(probs, features) -> [B, 3]`` where ``probs`` and ``features`` map each
*present* modality to a [B, 3] / [B, D] tensor. Absent modalities are simply not keys: nothing is ever
zero-filled. With no modality present the answer is the uniform prior.

Each fusion also says what it reads its verdict from: ``fusion.read(probs, features) -> ([B, 3], [B, D])``, the
fused probabilities and the *fused features* (a fixed width for a model, whichever modalities are present; the
dataset map projects them). :func:`fuse_and_read` gives both for any fusion callable.

Two kinds:

* :class:`WeightedLateFusion`: a weighted average of the modalities' own probabilities (weights from the preset).
* :class:`TrainedFusion`: a :class:`FusionNet` head trained on frozen encoder features by ``msa_demo train``
  and saved as config.json + model.safetensors (no pickles); :func:`load_fusion` reads one.

Heads (``FusionNet.kind``, the ``--head`` of ``msa_demo train``):

* ``head``: one modality only: ``SentimentHead`` on its pooled features. For text this directory is also a
  lite ``minilm-head`` head (keys ``head.*``, plus ``encoder.*`` for top layers fine-tuned with
  ``--finetune-layers N``).
* ``average``: a head per modality; the present modalities' probabilities are averaged.
* ``weighted``: as average, with learned modality weights (softmax over the present modalities).
* ``concat``: per-modality projections concatenated + an MLP; an absent modality is replaced by a learned
  "missing" vector and a mask flag, never by zeros.
* ``attention``: modality tokens (projected features + a modality embedding) and a [CLS] token; attention
  runs over the present tokens only (key padding mask); [CLS] is classified.

Training lives in :mod:`msa_demo.training`; this module never imports it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch
from torch import nn

from msa_demo.config import SENTIMENTS
from msa_demo.errors import InputError, MsaError
from msa_demo.labels import labels_to_sentiment
from msa_demo.modalities import resolve_path
from msa_demo.modalities.text import SentimentHead

try:
    from huggingface_hub import PyTorchModelHubMixin
except ImportError:  # pragma: no cover - huggingface_hub comes with transformers
    PyTorchModelHubMixin = object  # type: ignore[misc,assignment]

HEADS = ("head", "average", "weighted", "concat", "attention")


def prior(batch: int = 1, device=None) -> torch.Tensor:
    """The answer with nothing present: uniform over the sentiments, [batch, 3]."""
    return torch.full((batch, len(SENTIMENTS)), 1.0 / len(SENTIMENTS), device=device)


class WeightedLateFusion:
    """Weighted average of the present modalities' sentiment probabilities (weights from the preset)."""

    kind = "weighted"

    def __init__(self, weights: dict[str, float]) -> None:
        self.weights = dict(weights)

    def __call__(self, probs: dict[str, torch.Tensor], features: dict[str, torch.Tensor] | None = None) -> torch.Tensor:
        used = [m for m in probs if self.weights.get(m, 0.0) > 0]
        if not used:
            any_t = next(iter(probs.values()), None)
            batch = any_t.reshape(-1, len(SENTIMENTS)).shape[0] if any_t is not None else 1
            return prior(batch, any_t.device if any_t is not None else None)
        total = sum(self.weights[m] for m in used)
        out = sum(self.weights[m] * probs[m].reshape(-1, len(SENTIMENTS)).float() for m in used) / total
        return out

    def read(self, probs: dict[str, torch.Tensor], features: dict[str, torch.Tensor] | None = None
             ) -> tuple[torch.Tensor, torch.Tensor]:
        """(fused [B, 3], fused features [B, 3 x modalities of the weights]): each modality's weighted share of
        the fused probabilities, in the weights' order, which sum to them; a modality not used adds nothing (its
        share is 0)."""
        fused = self(probs, features)
        used = [m for m in probs if self.weights.get(m, 0.0) > 0]
        total = sum(self.weights[m] for m in used)
        blocks = [self.weights[m] / total * probs[m].reshape(-1, len(SENTIMENTS)).float().to(fused.device)
                  if m in used else torch.zeros_like(fused) for m in self.weights]
        return fused, torch.cat(blocks, 1) if blocks else fused

    def describe(self) -> dict:
        return {"kind": self.kind, "weights": self.weights}


# ------------------------------------------------------------------ trained heads


class _EncoderTop(nn.Module):
    """The top ``n`` layers of a BERT-like encoder, named as in its state dict (encoder.layer.<k>)."""

    def __init__(self, encoder_config: dict, first_layer: int) -> None:
        super().__init__()
        from transformers import AutoConfig, AutoModel

        cfg = dict(encoder_config)
        cfg = AutoConfig.for_model(cfg.pop("model_type"), **cfg)
        full = AutoModel.from_config(cfg)
        self.encoder = nn.Module()
        self.encoder.layer = nn.ModuleDict(
            {str(k): full.encoder.layer[k] for k in range(first_layer, cfg.num_hidden_layers)}
        )

    def forward(self, hidden: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        ext = (1.0 - mask[:, None, None, :].to(hidden.dtype)) * torch.finfo(hidden.dtype).min
        for layer in self.encoder.layer.values():
            out = layer(hidden, attention_mask=ext)
            hidden = out[0] if isinstance(out, tuple) else out
        m = mask.unsqueeze(-1).to(hidden.dtype)
        return (hidden * m).sum(1) / m.sum(1).clamp_min(1e-6)


class FusionNet(nn.Module, PyTorchModelHubMixin):
    """All trained heads. ``save_pretrained`` / ``from_pretrained`` / ``push_to_hub`` come from the Hub mixin.

    forward(features: {m: [B, D_m]}, mask: [B, M] bool) -> log-probabilities [B, len(labels)].
    """

    def __init__(self, kind: str = "concat", modalities: list[str] | None = None,
                 dims: dict[str, int] | None = None, labels: list[str] | None = None, hidden: int = 128,
                 dropout: float = 0.1, input_dim: int = 0, encoder_config: dict | None = None,
                 first_layer: int = -1, **_: Any) -> None:
        super().__init__()
        if kind not in HEADS:
            raise InputError(f"Unknown head '{kind}'; use one of {', '.join(HEADS)}.")
        self.kind = kind
        self.modalities = list(modalities or [])
        self.dims = dict(dims or {})
        self.labels = list(labels or SENTIMENTS)
        self.hidden = hidden
        c = len(self.labels)
        if kind != "head":  # per-modality feature standardisation, set from the training rows
            for m in self.modalities:
                self.register_buffer(f"mean_{m}", torch.zeros(self.dims[m]))
                self.register_buffer(f"std_{m}", torch.ones(self.dims[m]))
        if kind == "head":
            if len(self.modalities) != 1:
                raise InputError("The 'head' kind takes exactly one modality.")
            self.input_dim = input_dim or self.dims[self.modalities[0]]
            self.head = SentimentHead(self.input_dim, c, hidden, dropout)
            if encoder_config is not None and first_layer >= 0:
                self.encoder = _EncoderTop(encoder_config, first_layer)
        elif kind in ("average", "weighted"):
            self.heads = nn.ModuleDict({m: SentimentHead(self.dims[m], c, hidden, dropout) for m in self.modalities})
            if kind == "weighted":
                self.weight_logits = nn.Parameter(torch.zeros(len(self.modalities)))
        else:
            self.proj = nn.ModuleDict({
                m: nn.Sequential(nn.Linear(self.dims[m], hidden), nn.GELU(), nn.Dropout(dropout))
                for m in self.modalities
            })
            if kind == "concat":
                self.missing = nn.Parameter(torch.zeros(len(self.modalities), hidden))
                n = len(self.modalities) * hidden + len(self.modalities)
                self.mlp = nn.Sequential(nn.Linear(n, hidden), nn.GELU(), nn.Dropout(dropout), nn.Linear(hidden, c))
            else:
                self.mod_emb = nn.Parameter(torch.randn(len(self.modalities), hidden) * 0.02)
                self.cls = nn.Parameter(torch.randn(1, 1, hidden) * 0.02)
                self.block = nn.TransformerEncoderLayer(hidden, nhead=4, dim_feedforward=2 * hidden,
                                                        dropout=dropout, batch_first=True, norm_first=True)
                self.out = nn.Sequential(nn.LayerNorm(hidden), nn.Linear(hidden, c))

    def forward(self, features: dict[str, torch.Tensor], mask: torch.Tensor) -> torch.Tensor:
        return self.read(features, mask)[0]

    def read(self, features: dict[str, torch.Tensor], mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(log-probabilities [B, len(labels)], the vector its classifier reads [B, D]): ``head``: the pooled
        features; ``average`` / ``weighted``: each modality's weighted probabilities (0 where masked);
        ``concat``: the MLP's input (a missing modality's learned vector and the mask included); ``attention``:
        the [CLS] token's output."""
        mask = mask.bool()
        if self.kind == "head":
            x = features[self.modalities[0]]
            return torch.log_softmax(self.head(x), -1), x
        features = {m: (features[m] - getattr(self, f"mean_{m}")) / getattr(self, f"std_{m}")
                    for m in self.modalities}
        if self.kind in ("average", "weighted"):
            probs = torch.stack([torch.softmax(self.heads[m](features[m]), -1) for m in self.modalities], 1)
            if self.kind == "weighted":
                w = self.weight_logits.expand(mask.shape).masked_fill(~mask, float("-inf"))
                w = torch.softmax(w, -1).nan_to_num(0.0)
            else:
                w = mask.float() / mask.float().sum(1, keepdim=True).clamp_min(1)
            shares = w.unsqueeze(-1) * probs
            out = shares.sum(1)
            none = ~mask.any(1)
            out = torch.where(none.unsqueeze(-1), torch.full_like(out, 1.0 / out.shape[-1]), out)
            return torch.log(out.clamp_min(1e-8)), shares.flatten(1)
        tokens = torch.stack([self.proj[m](features[m]) for m in self.modalities], 1)  # [B, M, H]
        if self.kind == "concat":
            tokens = torch.where(mask.unsqueeze(-1), tokens, self.missing.unsqueeze(0).expand_as(tokens))
            x = torch.cat([tokens.flatten(1), mask.float()], 1)
            return torch.log_softmax(self.mlp(x), -1), x
        tokens = tokens + self.mod_emb.unsqueeze(0)
        x = torch.cat([self.cls.expand(tokens.shape[0], -1, -1), tokens], 1)
        pad = torch.cat([torch.zeros_like(mask[:, :1]), ~mask], 1)  # True = ignore; [CLS] is always attended
        h = self.block(x, src_key_padding_mask=pad)
        return torch.log_softmax(self.out(h[:, 0]), -1), h[:, 0]

    def set_normalization(self, stats: dict[str, tuple[torch.Tensor, torch.Tensor]]) -> None:
        for m, (mean, std) in stats.items():
            if hasattr(self, f"mean_{m}"):
                getattr(self, f"mean_{m}").copy_(mean)
                getattr(self, f"std_{m}").copy_(std.clamp_min(1e-4))

    def describe(self) -> dict[str, Any]:
        d: dict[str, Any] = {"kind": self.kind, "modalities": self.modalities, "labels": self.labels}
        if self.kind == "weighted":
            d["weights"] = dict(zip(self.modalities, torch.softmax(self.weight_logits.detach(), 0).tolist()))
        return d


class TrainedFusion:
    """A saved FusionNet as a preset fusion: ``fusion(probs, features) -> [B, 3]`` over present modalities."""

    def __init__(self, net: FusionNet, path: str = "") -> None:
        self.net = net.eval()
        self.kind = f"trained-{net.kind}"
        self.path = path

    def __call__(self, probs: dict[str, torch.Tensor], features: dict[str, torch.Tensor] | None = None) -> torch.Tensor:
        return self.read(probs, features)[0]

    def read(self, probs: dict[str, torch.Tensor], features: dict[str, torch.Tensor] | None = None
             ) -> tuple[torch.Tensor, torch.Tensor]:
        """(fused [B, 3], the vector the head's classifier reads: :meth:`FusionNet.read`); with no modality
        present, (the head's prior, the sentiments' prior): uniform over the head's own classes, as sentiments (a
        two-class head: 0.5 / 0 / 0.5; the Shapley values' "with nothing" read 0.333, a three-class prior, for a
        head whose verdict is never neutral)."""
        features = features or {}
        present = [m for m in self.net.modalities if m in features and features[m].numel()]
        any_t = next(iter(features.values()), None) if features else next(iter(probs.values()), None)
        batch = any_t.reshape(any_t.shape[0], -1).shape[0] if any_t is not None else 1
        dev = next(self.net.parameters()).device
        if not present:
            n = len(self.net.labels)
            return labels_to_sentiment(torch.full((batch, n), 1.0 / n, device=dev), self.net.labels), prior(batch, dev)
        feats, cols = {}, []
        for m in self.net.modalities:
            if m in present:
                feats[m] = features[m].reshape(batch, -1).float().to(dev)
                cols.append(torch.ones(batch, dtype=torch.bool, device=dev))
            else:  # a placeholder the net never reads into its decision (masked / replaced by a learned vector)
                width = self.net.dims.get(m, self.net.input_dim if self.net.kind == "head" else 0)
                feats[m] = torch.zeros(batch, width, device=dev)
                cols.append(torch.zeros(batch, dtype=torch.bool, device=dev))
        # gradients flow when the caller asks for them (an IG map through the head); a prediction runs without
        logp, vector = self.net.read(feats, torch.stack(cols, 1))
        return labels_to_sentiment(logp.exp(), self.net.labels), vector

    def describe(self) -> dict:
        return {**self.net.describe(), "kind": self.kind, "path": self.path}


def fuse_and_read(fusion, probs: dict[str, torch.Tensor], features: dict[str, torch.Tensor] | None = None
                  ) -> tuple[torch.Tensor, torch.Tensor]:
    """(fused [B, 3], fused features [B, D]) from any fusion callable: its ``read`` when it has one, else its
    fused probabilities stand for the features (all such a fusion tells of what it reads)."""
    if callable(getattr(fusion, "read", None)):
        return fusion.read(probs, features)
    fused = fusion(probs, features)
    return fused, fused


def load_fusion(path: str | Path, device: Any = "cpu") -> TrainedFusion:
    """A fusion callable from a directory written by ``msa_demo train`` (no pickles: safetensors + JSON)."""
    p = resolve_path(str(path))
    if p is None or not (p / "config.json").is_file():
        raise MsaError(f"No trained fusion at '{path}' (expected config.json + model.safetensors).")
    import contextlib
    import io

    with contextlib.redirect_stdout(io.StringIO()):  # huggingface_hub prints "Loading weights from local
        net = FusionNet.from_pretrained(str(p))        # directory", which broke `predict --json`'s output
    return TrainedFusion(net.to(device).eval(), str(p))


__all__ = ["HEADS", "FusionNet", "TrainedFusion", "WeightedLateFusion", "fuse_and_read", "load_fusion", "prior"]
