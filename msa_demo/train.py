"""Training: ``python -m msa_demo train`` -- fusion heads (and the lite text head) on frozen encoder features.

Pipeline: a manifest (CSV or JSONL; columns ``text``, ``image``, ``audio``, and ``label`` or ``score``) ->
features from a preset's frozen encoders (``model.encode``; cached on disk as safetensors, keyed by model id +
revision + content hash) -> a small head trained with class weights and a seed -> held-out metrics ->
an output directory loadable with ``FusionNet.from_pretrained`` (config.json + model.safetensors +
preset.json + metrics.json; no pickles) and usable as a preset's ``fusion`` through :func:`load_fusion`.

Heads (``--head``):

* ``head``: one modality only: ``SentimentHead`` on its pooled features. For text this directory is also a
  lite ``minilm-head`` head (keys ``head.*``, plus ``encoder.*`` for top layers fine-tuned with
  ``--finetune-layers N``; lower-layer hidden states are cached, so fine-tuning is cheap).
* ``average``: a head per modality; the present modalities' probabilities are averaged.
* ``weighted``: as average, with learned modality weights (softmax over the present modalities).
* ``concat``: per-modality projections concatenated + an MLP; an absent modality is replaced by a learned
  "missing" vector and a mask flag, never by zeros.
* ``attention``: modality tokens (projected features + a modality embedding) and a [CLS] token; attention
  runs over the present tokens only (key padding mask); [CLS] is classified.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import random
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import torch
from torch import nn

from msa_demo.config import MODALITIES, SENTIMENTS, Preset, load_preset, save_preset
from msa_demo.errors import InputError, MsaError

try:
    from huggingface_hub import PyTorchModelHubMixin
except ImportError:  # pragma: no cover - huggingface_hub comes with transformers
    PyTorchModelHubMixin = object  # type: ignore[misc,assignment]

from msa_demo.modalities.text import SentimentHead

HEADS = ("head", "average", "weighted", "concat", "attention")

# ------------------------------------------------------------------ labels

LABEL_SETS: dict[str, list[str]] = {
    "3": ["negative", "neutral", "positive"],
    "2": ["negative", "positive"],
    "emotion7": ["negative", "neutral", "positive"],
}
# Ekman's six emotions + neutral onto sentiment (surprise can go either way: neutral)
EMOTION7 = {
    "anger": "negative", "angry": "negative", "disgust": "negative", "fear": "negative",
    "sadness": "negative", "sad": "negative", "joy": "positive", "happy": "positive", "happiness": "positive",
    "surprise": "neutral", "neutral": "neutral",
}
_ALIASES = {"neg": "negative", "neu": "neutral", "pos": "positive", "-1": "negative", "0": "neutral",
            "1": "positive"}


def map_label(raw: Any, label_set: str) -> str:
    text = str(raw).strip().lower()
    if label_set == "emotion7":
        if text in EMOTION7:
            return EMOTION7[text]
        raise InputError(f"Unknown emotion label '{raw}' (use anger, disgust, fear, sadness, joy, surprise, neutral).")
    labels = LABEL_SETS[label_set]
    text = _ALIASES.get(text, text)
    if label_set == "2" and text == "1":
        text = "positive"
    if text not in labels:
        raise InputError(f"Label '{raw}' is not one of {', '.join(labels)}.")
    return text


def bin_score(score: float, bins: Sequence[float]) -> str:
    """One threshold t: score < t negative, else positive. Two (lo, hi): <= lo negative, >= hi positive, else neutral."""
    if len(bins) == 1:
        return "negative" if score < bins[0] else "positive"
    lo, hi = bins
    if score <= lo:
        return "negative"
    if score >= hi:
        return "positive"
    return "neutral"


def parse_bins(text: str | None) -> list[float] | None:
    if not text:
        return None
    vals = [float(v) for v in text.split(",") if v.strip()]
    if len(vals) not in (1, 2) or (len(vals) == 2 and vals[0] > vals[1]):
        raise InputError("--bins takes one threshold (2-way) or two increasing thresholds 'lo,hi' (3-way).")
    return vals


# ------------------------------------------------------------------ manifest


def read_manifest(path: str | Path) -> list[dict[str, Any]]:
    """Rows of a CSV (header line) or JSONL manifest; image/audio paths are resolved against its folder."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"The manifest '{path}' does not exist.")
    if path.suffix.lower() in (".jsonl", ".json"):
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    else:
        with path.open(newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
    for r in rows:
        for m in ("image", "audio"):
            v = r.get(m)
            if v in ("", None):
                r.pop(m, None)
            elif not Path(v).is_absolute():
                r[m] = str(path.parent / v)
        if r.get("text") in ("", None):
            r.pop("text", None)
    return rows


def row_labels(rows: list[dict], label_set: str, bins: list[float] | None) -> tuple[list[str], list[int]]:
    labels = LABEL_SETS["2" if bins and len(bins) == 1 else label_set]
    if bins and len(bins) == 2:
        labels = LABEL_SETS["3"]
    y = []
    for i, r in enumerate(rows):
        if bins is not None:
            if r.get("score") in ("", None):
                raise InputError(f"Row {i + 1} has no score (needed with --bins).")
            y.append(labels.index(bin_score(float(r["score"]), bins)))
        else:
            if r.get("label") in ("", None):
                raise InputError(f"Row {i + 1} has no label (or give --bins to bin a numeric score column).")
            y.append(labels.index(map_label(r["label"], label_set)))
    return labels, y


def stratified_split(y: Sequence[int], frac: float, seed: int) -> tuple[list[int], list[int]]:
    """(train indices, held-out indices): ``frac`` of every class held out, seeded."""
    rng = random.Random(seed)
    train, test = [], []
    for c in sorted(set(y)):
        idx = [i for i, v in enumerate(y) if v == c]
        rng.shuffle(idx)
        k = int(round(len(idx) * frac))
        test += idx[:k]
        train += idx[k:]
    return sorted(train), sorted(test)


# ------------------------------------------------------------------ feature cache


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def content_key(modality: str, value: str) -> str:
    if modality == "text":
        return _sha(value.encode("utf-8"))
    return _sha(Path(value).read_bytes())


class FeatureCache:
    """Per-encoder safetensors store: ``<dir>/<encoder key>/{index.json, data.safetensors}``.

    The encoder key hashes model id, revision, family, options and what is stored (pooled features, or
    token hidden states below the fine-tuned layers); rows are keyed by a content hash of the text/file.
    Token states are stored flat ([total tokens, D], float16) with offsets.
    """

    def __init__(self, root: str | Path, spec_key: dict[str, Any]) -> None:
        blob = json.dumps(spec_key, sort_keys=True, default=str).encode()
        self.dir = Path(root) / _sha(blob)[:24]
        self.dir.mkdir(parents=True, exist_ok=True)
        (self.dir / "key.json").write_text(json.dumps(spec_key, indent=1, sort_keys=True, default=str))
        self.index: dict[str, int] = {}
        self.tensors: dict[str, torch.Tensor] = {}
        idx, data = self.dir / "index.json", self.dir / "data.safetensors"
        if idx.is_file() and data.is_file():
            from safetensors.torch import load_file

            self.index = json.loads(idx.read_text())
            self.tensors = load_file(str(data))

    def missing(self, keys: Sequence[str]) -> list[str]:
        seen, out = set(), []
        for k in keys:
            if k not in self.index and k not in seen:
                seen.add(k)
                out.append(k)
        return out

    def add(self, keys: list[str], tensors: dict[str, torch.Tensor]) -> None:
        """Append rows (``tensors`` as the same layout as stored: flat tokens need 'lengths')."""
        if not keys:
            return
        base = len(self.index)
        for i, k in enumerate(keys):
            self.index[k] = base + i
        for name, t in tensors.items():
            t = t.detach().cpu().contiguous()
            self.tensors[name] = torch.cat([self.tensors[name], t]) if name in self.tensors else t
        from safetensors.torch import save_file

        save_file(self.tensors, str(self.dir / "data.safetensors"))
        (self.dir / "index.json").write_text(json.dumps(self.index))

    def rows(self, keys: Sequence[str]) -> list[int]:
        return [self.index[k] for k in keys]


# ------------------------------------------------------------------ encoders


def _bert_like(encoder: nn.Module) -> bool:
    return hasattr(encoder, "encoder") and hasattr(encoder.encoder, "layer")


class RawTextEncoder:
    """A pretrained text encoder (minilm-head family: the encoder alone, no head) with token-state caching."""

    def __init__(self, spec, device, max_length: int = 128) -> None:
        from transformers import AutoModel, AutoTokenizer

        from msa_demo.modalities import from_pretrained

        self.spec = spec
        self.device = device
        self.tokenizer = from_pretrained(AutoTokenizer, spec)
        self.model = from_pretrained(AutoModel, spec, use_safetensors=True).to(device).eval().requires_grad_(False)
        self.max_length = max_length
        self.num_layers = int(self.model.config.num_hidden_layers)

    @torch.no_grad()
    def hidden(self, texts: list[str], layer: int, batch_size: int = 64, pooled: bool = False,
               progress: bool = True) -> dict[str, torch.Tensor]:
        """Hidden states after ``layer`` encoder layers: pooled [N, D] float32, or flat tokens float16 + lengths."""


        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        layers = None
        if _bert_like(self.model) and layer < self.num_layers:  # run only the layers below ``layer``
            layers = self.model.encoder.layer
            self.model.encoder.layer = layers[:layer]
        try:
            return self._hidden(texts, order, layer, batch_size, pooled, progress)
        finally:
            if layers is not None:
                self.model.encoder.layer = layers

    def _hidden(self, texts, order, layer, batch_size, pooled, progress):
        from tqdm.auto import tqdm

        from msa_demo.modalities import mean_pool

        chunks: list[Any] = [None] * len(texts)
        for s in tqdm(range(0, len(order), batch_size), desc="encoding text", disable=not progress, leave=False):
            ids = order[s:s + batch_size]
            enc = self.tokenizer([texts[i] for i in ids], padding=True, truncation=True,
                                 max_length=self.max_length, return_tensors="pt").to(self.device)
            out = self.model(**enc, output_hidden_states=True)
            h = out.hidden_states[layer]
            if pooled:
                p = mean_pool(h, enc["attention_mask"]).float().cpu()
                for j, i in enumerate(ids):
                    chunks[i] = p[j]
            else:
                lens = enc["attention_mask"].sum(1).tolist()
                for j, i in enumerate(ids):
                    chunks[i] = h[j, : lens[j]].to(torch.float16).cpu()
        if pooled:
            return {"features": torch.stack(chunks) if chunks else torch.zeros(0, 0)}
        lengths = torch.tensor([c.shape[0] for c in chunks], dtype=torch.int64)
        return {"tokens": torch.cat(chunks), "lengths": lengths}


def _subset_preset(preset: Preset, modalities: Sequence[str]) -> Preset:
    return replace(preset, modalities={m: s for m, s in preset.modalities.items() if m in modalities},
                   fusion="weighted")


def extract_features(rows: list[dict], preset: Preset, modalities: Sequence[str], cache_dir: str | Path,
                     device: str = "cpu", finetune_layers: int = 0, max_length: int = 128,
                     progress: bool = True) -> tuple[dict[str, Any], dict[str, int]]:
    """Features per modality for every row (None where a row lacks it), through the on-disk cache.

    Returns (data, stats): data[m] is {"features": [N, D] float32, "present": [N] bool} or, for text with
    fine-tuning, {"tokens", "offsets", "lengths", "present"}; stats[m] = how many items were encoded now.
    """
    from msa_demo.model import pick_device

    dev = pick_device(device)
    data: dict[str, Any] = {}
    stats: dict[str, int] = {}
    model = None
    for m in modalities:
        spec = preset.modalities.get(m)
        if spec is None:
            raise InputError(f"The preset '{preset.name}' has no {m} model.")
        present = [m in r for r in rows]
        values = [r[m] for r in rows if m in r]
        keys = [content_key(m, v) for v in values]
        raw_text = m == "text" and (spec.family == "minilm-head" or finetune_layers > 0)
        base_key = {"modality": m, "family": spec.family, "model_id": spec.model_id, "revision": spec.revision,
                    "options": spec.options if not raw_text else {}}
        if raw_text:
            enc = RawTextEncoder(spec, dev, max_length)
            if finetune_layers and not _bert_like(enc.model):
                raise InputError("--finetune-layers needs a BERT-like text encoder (encoder.layer blocks).")
            if finetune_layers >= enc.num_layers:
                raise InputError(f"The text encoder has {enc.num_layers} layers; fine-tune fewer.")
            layer = enc.num_layers - finetune_layers
            what = "pooled" if finetune_layers == 0 else f"tokens@{layer}"
            cache = FeatureCache(cache_dir, {**base_key, "store": what, "max_length": max_length})
            todo = cache.missing(keys)
            if todo:
                by_key = dict(zip(keys, values))
                cache.add(todo, enc.hidden([by_key[k] for k in todo], layer, pooled=finetune_layers == 0,
                                           progress=progress))
            stats[m] = len(todo)
            rows_ix = cache.rows(keys)
            if finetune_layers == 0:
                data[m] = {"features": cache.tensors["features"][rows_ix].float()}
            else:
                lengths = cache.tensors["lengths"]
                offsets = torch.cumsum(lengths, 0) - lengths
                data[m] = {"tokens": cache.tensors["tokens"], "offsets": offsets[rows_ix],
                           "lengths": lengths[rows_ix], "encoder": enc}
        else:
            cache = FeatureCache(cache_dir, {**base_key, "store": "pooled"})
            todo = cache.missing(keys)
            if todo:
                if model is None:
                    from msa_demo.model import MultimodalSentimentModel

                    model = MultimodalSentimentModel(_subset_preset(preset, modalities), device=str(dev))
                from tqdm.auto import tqdm

                by_key = dict(zip(keys, values))
                feats, probs = [], []
                for k in tqdm(todo, desc=f"encoding {m}", disable=not progress, leave=False):
                    clean = model.read_inputs(**{m: by_key[k]})
                    _, encd = model.encode(m, getattr(clean, m))
                    feats.append(encd.features.float())
                    probs.append(encd.probs.float().reshape(-1))
                cache.add(todo, {"features": torch.stack(feats), "probs": torch.stack(probs)})
            stats[m] = len(todo)
            data[m] = {"features": cache.tensors["features"][cache.rows(keys)].float()}
        # spread the present rows' data back over all rows
        pos = torch.full((len(rows),), -1, dtype=torch.long)
        pos[torch.tensor(present, dtype=torch.bool)] = torch.arange(len(values))
        data[m]["row"] = pos  # row -> index into this modality's arrays, -1 when absent
        data[m]["present"] = pos >= 0
    return data, stats


# ------------------------------------------------------------------ the trained model


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
        mask = mask.bool()
        if self.kind == "head":
            return torch.log_softmax(self.head(features[self.modalities[0]]), -1)
        features = {m: (features[m] - getattr(self, f"mean_{m}")) / getattr(self, f"std_{m}")
                    for m in self.modalities}
        if self.kind in ("average", "weighted"):
            probs = torch.stack([torch.softmax(self.heads[m](features[m]), -1) for m in self.modalities], 1)
            if self.kind == "weighted":
                w = self.weight_logits.expand(mask.shape).masked_fill(~mask, float("-inf"))
                w = torch.softmax(w, -1).nan_to_num(0.0)
            else:
                w = mask.float() / mask.float().sum(1, keepdim=True).clamp_min(1)
            out = (w.unsqueeze(-1) * probs).sum(1)
            none = ~mask.any(1)
            out = torch.where(none.unsqueeze(-1), torch.full_like(out, 1.0 / out.shape[-1]), out)
            return torch.log(out.clamp_min(1e-8))
        tokens = torch.stack([self.proj[m](features[m]) for m in self.modalities], 1)  # [B, M, H]
        if self.kind == "concat":
            tokens = torch.where(mask.unsqueeze(-1), tokens, self.missing.unsqueeze(0).expand_as(tokens))
            x = torch.cat([tokens.flatten(1), mask.float()], 1)
            return torch.log_softmax(self.mlp(x), -1)
        tokens = tokens + self.mod_emb.unsqueeze(0)
        x = torch.cat([self.cls.expand(tokens.shape[0], -1, -1), tokens], 1)
        pad = torch.cat([torch.zeros_like(mask[:, :1]), ~mask], 1)  # True = ignore; [CLS] is always attended
        h = self.block(x, src_key_padding_mask=pad)
        return torch.log_softmax(self.out(h[:, 0]), -1)

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


def to_sentiment(probs: torch.Tensor, labels: Sequence[str]) -> torch.Tensor:
    """[B, len(labels)] -> [B, 3] in SENTIMENTS order (a 2-way head gives neutral 0)."""
    out = torch.zeros(probs.shape[0], len(SENTIMENTS), dtype=probs.dtype, device=probs.device)
    for j, lab in enumerate(labels):
        out[:, SENTIMENTS.index(lab)] += probs[:, j]
    return out


class TrainedFusion:
    """A saved FusionNet as a preset fusion: ``fusion(probs, features) -> [B, 3]`` over present modalities."""

    def __init__(self, net: FusionNet, path: str = "") -> None:
        self.net = net.eval()
        self.kind = f"trained-{net.kind}"
        self.path = path

    def __call__(self, probs: dict[str, torch.Tensor], features: dict[str, torch.Tensor] | None = None) -> torch.Tensor:
        features = features or {}
        present = [m for m in self.net.modalities if m in features and features[m].numel()]
        any_t = next(iter(features.values()), None) if features else next(iter(probs.values()), None)
        batch = any_t.reshape(any_t.shape[0], -1).shape[0] if any_t is not None else 1
        dev = next(self.net.parameters()).device
        if not present:
            from msa_demo.fusion import prior

            return prior(batch, dev)
        feats, cols = {}, []
        for m in self.net.modalities:
            if m in present:
                feats[m] = features[m].reshape(batch, -1).float().to(dev)
                cols.append(torch.ones(batch, dtype=torch.bool, device=dev))
            else:  # a placeholder the net never reads into its decision (masked / replaced by a learned vector)
                feats[m] = torch.zeros(batch, self.net.dims.get(m, self.net.input_dim if self.net.kind == "head" else 0),
                                       device=dev)
                cols.append(torch.zeros(batch, dtype=torch.bool, device=dev))
        with torch.no_grad():
            logp = self.net(feats, torch.stack(cols, 1))
        return to_sentiment(logp.exp(), self.net.labels)

    def describe(self) -> dict:
        return {**self.net.describe(), "kind": self.kind, "path": self.path}


def load_fusion(path: str | Path, device: Any = "cpu") -> TrainedFusion:
    """A fusion callable from a directory written by ``msa_demo train`` (no pickles: safetensors + JSON)."""
    from msa_demo.modalities import resolve_path

    p = resolve_path(str(path))
    if p is None or not (p / "config.json").is_file():
        raise MsaError(f"No trained fusion at '{path}' (expected config.json + model.safetensors).")
    net = FusionNet.from_pretrained(str(p))
    return TrainedFusion(net.to(device).eval(), str(p))


# ------------------------------------------------------------------ metrics


def compute_metrics(y_true: Sequence[int], y_pred: Sequence[int], labels: Sequence[str]) -> dict[str, Any]:
    """Accuracy, macro precision / recall / F1 (0 where undefined) and the confusion matrix (rows = truth)."""
    c = len(labels)
    cm = np.zeros((c, c), dtype=np.int64)
    for t, p in zip(y_true, y_pred):
        cm[int(t), int(p)] += 1
    n = int(cm.sum())
    tp = np.diag(cm).astype(float)
    pred_n, true_n = cm.sum(0).astype(float), cm.sum(1).astype(float)
    prec = np.divide(tp, pred_n, out=np.zeros(c), where=pred_n > 0)
    rec = np.divide(tp, true_n, out=np.zeros(c), where=true_n > 0)
    f1 = np.divide(2 * prec * rec, prec + rec, out=np.zeros(c), where=(prec + rec) > 0)
    return {
        "n": n,
        "accuracy": float(tp.sum() / n) if n else 0.0,
        "macro_precision": float(prec.mean()),
        "macro_recall": float(rec.mean()),
        "macro_f1": float(f1.mean()),
        "per_class": {lab: {"precision": float(prec[i]), "recall": float(rec[i]), "f1": float(f1[i]),
                            "support": int(true_n[i])} for i, lab in enumerate(labels)},
        "labels": list(labels),
        "confusion_matrix": cm.tolist(),
    }


def binary_metrics(y_true: Sequence[int], probs: torch.Tensor, labels: Sequence[str]) -> dict[str, Any] | None:
    """Negative vs positive on the items whose truth is not neutral (argmax over those two classes)."""
    if "negative" not in labels or "positive" not in labels:
        return None
    neg, pos = labels.index("negative"), labels.index("positive")
    keep = [i for i, t in enumerate(y_true) if t in (neg, pos)]
    if not keep:
        return None
    t = [0 if y_true[i] == neg else 1 for i in keep]
    p = [0 if probs[i, neg] >= probs[i, pos] else 1 for i in keep]
    return compute_metrics(t, p, ["negative", "positive"])


def format_metrics(name: str, m: dict[str, Any]) -> str:
    lines = [f"{name}: n={m['n']}  accuracy {m['accuracy']:.3f}  macro P {m['macro_precision']:.3f}  "
             f"R {m['macro_recall']:.3f}  F1 {m['macro_f1']:.3f}"]
    labs = m["labels"]
    lines.append("  confusion (rows = truth, cols = predicted): " + " ".join(f"{lab[:3]:>6}" for lab in labs))
    for lab, row in zip(labs, m["confusion_matrix"]):
        lines.append(f"  {lab:>10} " + " ".join(f"{v:>6}" for v in row))
    return "\n".join(lines)


# ------------------------------------------------------------------ training


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def class_weights(y: Sequence[int], num: int) -> torch.Tensor:
    """Inverse class frequency, mean 1 over the classes seen."""
    counts = torch.bincount(torch.as_tensor(list(y), dtype=torch.long), minlength=num).float()
    w = torch.where(counts > 0, counts.sum() / (num * counts.clamp_min(1)), torch.zeros_like(counts))
    return w


class Batcher:
    """Builds model inputs for a list of row indices from extracted feature data."""

    def __init__(self, data: dict[str, Any], modalities: list[str], dims: dict[str, int]) -> None:
        self.data, self.modalities, self.dims = data, modalities, dims
        self.lengths = None  # per row token count, when a modality feeds token states
        for m in modalities:
            if "tokens" in data[m]:
                pos = data[m]["row"]
                self.lengths = torch.where(pos >= 0, data[m]["lengths"][pos.clamp_min(0)], torch.zeros_like(pos))

    def __call__(self, idx: Sequence[int], net: FusionNet, device) -> tuple[dict[str, torch.Tensor], torch.Tensor]:
        idx_t = torch.as_tensor(list(idx), dtype=torch.long)
        feats, cols = {}, []
        for m in self.modalities:
            d = self.data[m]
            pos = d["row"][idx_t]
            present = pos >= 0
            cols.append(present)
            if "tokens" in d:  # text with fine-tuned top layers: run them on cached lower-layer states
                sel = pos.clamp_min(0)
                lens, offs = d["lengths"][sel], d["offsets"][sel]
                t_max = int(lens.max()) if len(lens) else 1
                hid = torch.zeros(len(idx_t), t_max, d["tokens"].shape[1])
                msk = torch.zeros(len(idx_t), t_max, dtype=torch.long)
                for j in range(len(idx_t)):
                    n, o = int(lens[j]), int(offs[j])
                    hid[j, :n] = d["tokens"][o:o + n].float()
                    msk[j, :n] = 1
                feats[m] = net.encoder(hid.to(device), msk.to(device))
            else:
                f = d["features"][pos.clamp_min(0)] if len(d["features"]) else torch.zeros(len(idx_t), self.dims[m])
                feats[m] = f.to(device)
        return feats, torch.stack(cols, 1).to(device)


def _predict(net: FusionNet, batcher: Batcher, idx: Sequence[int], device, batch_size: int = 256) -> torch.Tensor:
    net.eval()
    out = []
    with torch.no_grad():
        for s in range(0, len(idx), batch_size):
            f, mk = batcher(idx[s:s + batch_size], net, device)
            out.append(net(f, mk).exp().cpu())
    return torch.cat(out) if out else torch.zeros(0, len(net.labels))


class _Threads:
    """Temporarily set torch's CPU threads (small heads run fastest on one thread; no oversubscription)."""

    def __init__(self, n: int) -> None:
        self.n, self.old = n, torch.get_num_threads()

    def __enter__(self):
        if self.n > 0:
            torch.set_num_threads(self.n)

    def __exit__(self, *exc):
        torch.set_num_threads(self.old)


def train_head(net: FusionNet, batcher: Batcher, y: Sequence[int], train_idx: list[int], val_idx: list[int],
               epochs: int, lr: float, encoder_lr: float, batch_size: int, weight_decay: float,
               modality_dropout: float, device, seed: int, progress: bool = True) -> dict[str, Any]:
    from tqdm.auto import tqdm

    y_t = torch.as_tensor(list(y), dtype=torch.long)
    if net.kind != "head":  # standardise each modality's features with the training rows' statistics
        stats = {}
        for m in net.modalities:
            d = batcher.data[m]
            rows = [int(d["row"][i]) for i in train_idx if int(d["row"][i]) >= 0]
            if rows and "features" in d:
                f = d["features"][rows].float()
                stats[m] = (f.mean(0), f.std(0) if len(rows) > 1 else torch.ones(f.shape[1]))
        net.set_normalization({m: (a.to(device), b.to(device)) for m, (a, b) in stats.items()})
    weights = class_weights([y[i] for i in train_idx], len(net.labels)).to(device)
    enc_params = list(net.encoder.parameters()) if hasattr(net, "encoder") else []
    enc_ids = {id(p) for p in enc_params}
    groups = [{"params": [p for p in net.parameters() if id(p) not in enc_ids], "lr": lr}]
    if enc_params:
        groups.append({"params": enc_params, "lr": encoder_lr})
    opt = torch.optim.AdamW(groups, weight_decay=weight_decay)
    steps = epochs * max(1, (len(train_idx) + batch_size - 1) // batch_size)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=[g["lr"] for g in groups], total_steps=steps,
                                                pct_start=0.1)
    loss_fn = nn.NLLLoss(weight=weights)
    gen = torch.Generator().manual_seed(seed)
    best, best_state, history = -1.0, None, []
    bar = tqdm(total=steps, desc=f"training {net.kind}", disable=not progress)
    for epoch in range(epochs):
        net.train()
        perm = [train_idx[i] for i in torch.randperm(len(train_idx), generator=gen).tolist()]
        batches = [perm[s:s + batch_size] for s in range(0, len(perm), batch_size)]
        if batcher.lengths is not None:  # token inputs: batch similar lengths together (less padding)
            batches = []
            for c in range(0, len(perm), batch_size * 50):
                chunk = sorted(perm[c:c + batch_size * 50], key=lambda i: int(batcher.lengths[i]))
                batches += [chunk[s:s + batch_size] for s in range(0, len(chunk), batch_size)]
            batches = [batches[i] for i in torch.randperm(len(batches), generator=gen).tolist()]
        total = 0.0
        for b in batches:
            feats, mask = batcher(b, net, device)
            if modality_dropout > 0 and mask.shape[1] > 1:
                drop = (torch.rand(mask.shape, generator=gen) < modality_dropout).to(device) & mask
                keep_one = (mask & ~drop).any(1, keepdim=True)
                mask = torch.where(keep_one, mask & ~drop, mask)
            loss = loss_fn(net(feats, mask), y_t[b].to(device))
            opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(net.parameters(), 1.0)
            opt.step()
            sched.step()
            total += float(loss.detach()) * len(b)
            bar.update(1)
        rec: dict[str, Any] = {"epoch": epoch + 1, "train_loss": total / max(1, len(perm))}
        if val_idx:
            p = _predict(net, batcher, val_idx, device)
            vm = compute_metrics([y[i] for i in val_idx], p.argmax(1).tolist(), net.labels)
            rec["val_macro_f1"], rec["val_accuracy"] = vm["macro_f1"], vm["accuracy"]
            if vm["macro_f1"] > best:
                best = vm["macro_f1"]
                best_state = {k: v.detach().clone() for k, v in net.state_dict().items()}
        bar.set_postfix(loss=f"{rec['train_loss']:.3f}", val_f1=f"{rec.get('val_macro_f1', float('nan')):.3f}")
        history.append(rec)
    bar.close()
    if best_state is not None:
        net.load_state_dict(best_state)
    net.eval()
    return {"history": history, "class_weights": weights.tolist()}


def train_on_features(features: dict[str, torch.Tensor], y: Sequence[int], labels: Sequence[str], kind: str,
                      present: dict[str, torch.Tensor] | None = None, train_idx: Sequence[int] | None = None,
                      val_idx: Sequence[int] = (), epochs: int = 20, lr: float = 1e-3, hidden: int = 64,
                      batch_size: int = 64, modality_dropout: float = 0.0, seed: int = 0,
                      progress: bool = False) -> FusionNet:
    """Train a head straight on feature tensors ({m: [N, D]}; ``present[m]``: [N] bool, default all True)."""
    seed_everything(seed)
    n = len(y)
    mods = list(features)
    data = {}
    for m, f in features.items():
        pres = present[m] if present and m in present else torch.ones(n, dtype=torch.bool)
        row = torch.full((n,), -1, dtype=torch.long)
        row[pres] = torch.arange(int(pres.sum()))
        data[m] = {"features": f[pres].float(), "row": row, "present": pres}
    dims = {m: int(f.shape[1]) for m, f in features.items()}
    net = FusionNet(kind=kind, modalities=mods, dims=dims, labels=list(labels), hidden=hidden,
                    input_dim=dims[mods[0]] if kind == "head" else 0)
    with _Threads(1):
        _train_small(net, data, mods, dims, y, train_idx, val_idx, epochs, lr, batch_size, modality_dropout, seed,
                     progress)
    return net


def _train_small(net, data, mods, dims, y, train_idx, val_idx, epochs, lr, batch_size, modality_dropout, seed,
                 progress):
    n = len(y)
    train_head(net, Batcher(data, mods, dims), list(y), list(train_idx if train_idx is not None else range(n)),
               list(val_idx), epochs, lr, lr, batch_size, 0.01, modality_dropout, torch.device("cpu"), seed,
               progress=progress)


def predict_features(net: FusionNet, features: dict[str, torch.Tensor]) -> torch.Tensor:
    """Probabilities [N, len(labels)] for feature tensors of every modality the net knows (all present)."""
    n = next(iter(features.values())).shape[0]
    mask = torch.ones(n, len(net.modalities), dtype=torch.bool)
    with torch.no_grad():
        return net.eval()({m: features[m].float() for m in net.modalities}, mask).exp()


def run_training(args: argparse.Namespace) -> dict[str, Any]:
    """The whole `train` command; returns the summary it writes to metrics.json."""
    t0 = time.time()
    seed_everything(args.seed)
    if args.threads:
        torch.set_num_threads(args.threads)
    rows = read_manifest(args.manifest)
    if not rows:
        raise InputError("The manifest has no rows.")
    bins = parse_bins(args.bins)
    labels, y = row_labels(rows, args.labels, bins)
    preset = load_preset(args.preset)
    wanted = [m.strip() for m in args.modalities.split(",")] if args.modalities else list(MODALITIES)
    mods = [m for m in wanted if any(m in r for r in rows)]
    if not mods:
        raise InputError("No row has text, image or audio.")
    kind = args.head
    if kind == "head" and len(mods) != 1:
        raise InputError(f"--head head trains on one modality; this manifest has {', '.join(mods)} "
                         "(choose one with --modalities).")
    if args.finetune_layers and mods != ["text"]:
        raise InputError("--finetune-layers is supported for a text-only head (--modalities text --head head).")
    if args.finetune_layers and kind != "head":
        raise InputError("--finetune-layers needs --head head.")

    # held-out split: a 'split' column (train/test) wins, else stratified and seeded
    if any(r.get("split") for r in rows):
        test_idx = [i for i, r in enumerate(rows) if str(r.get("split", "")).lower() in ("test", "heldout", "held-out")]
        train_all = [i for i in range(len(rows)) if i not in set(test_idx)]
    else:
        train_all, test_idx = stratified_split(y, args.test_size, args.seed)
    tr_y = [y[i] for i in train_all]
    sub_train, sub_val = stratified_split(tr_y, args.val_size, args.seed + 1) if args.val_size > 0 else (
        list(range(len(train_all))), [])
    train_idx = [train_all[i] for i in sub_train]
    val_idx = [train_all[i] for i in sub_val]

    progress = not args.quiet
    t_enc = time.time()
    data, stats = extract_features(rows, preset, mods, args.cache_dir, device=args.device,
                                   finetune_layers=args.finetune_layers, max_length=args.max_length,
                                   progress=progress)
    t_enc = time.time() - t_enc
    for m in mods:
        if not args.quiet:
            print(f"{m}: {int(data[m]['present'].sum())} items, {stats[m]} encoded now "
                  f"({int(data[m]['present'].sum()) - stats[m]} from the cache)")
    dims = {}
    enc_cfg, first_layer = None, -1
    for m in mods:
        d = data[m]
        if "tokens" in d:
            enc: RawTextEncoder = d["encoder"]
            dims[m] = int(d["tokens"].shape[1])
            enc_cfg = json.loads(enc.model.config.to_json_string())
            first_layer = enc.num_layers - args.finetune_layers
        else:
            dims[m] = int(d["features"].shape[1])

    from msa_demo.model import pick_device

    device = pick_device(args.device)
    seed_everything(args.seed)
    net = FusionNet(kind=kind, modalities=mods, dims=dims, labels=labels, hidden=args.hidden, dropout=args.dropout,
                    input_dim=dims[mods[0]] if kind == "head" else 0, encoder_config=enc_cfg,
                    first_layer=first_layer)
    if enc_cfg is not None:  # start the fine-tuned layers from the pretrained ones
        enc = data["text"]["encoder"]
        pre = {f"encoder.{k}": v for k, v in enc.model.state_dict().items()}
        own = net.state_dict()
        net.load_state_dict({**own, **{k: pre[k] for k in own if k.startswith("encoder.")}})
    net.to(device)
    batcher = Batcher(data, mods, dims)
    t_fit = time.time()
    with _Threads(args.threads if args.threads else (0 if enc_cfg is not None else 1)):
        fit = train_head(net, batcher, y, train_idx, val_idx, args.epochs, args.lr, args.encoder_lr, args.batch_size,
                         args.weight_decay, args.modality_dropout if kind != "head" else 0.0, device, args.seed,
                         progress=progress)
    t_fit = time.time() - t_fit

    # held-out evaluation
    probs = _predict(net, batcher, test_idx, device)
    y_test = [y[i] for i in test_idx]
    pred = probs.argmax(1).tolist() if len(test_idx) else []
    summary: dict[str, Any] = {
        "manifest": str(args.manifest), "preset": preset.name, "head": kind, "modalities": mods, "labels": labels,
        "bins": bins, "seed": args.seed, "n_train": len(train_idx), "n_val": len(val_idx), "n_test": len(test_idx),
        "class_counts": {lab: int(sum(1 for v in y if v == i)) for i, lab in enumerate(labels)},
        "finetune_layers": args.finetune_layers, "encoded_now": stats,
        "seconds": {"encode": round(t_enc, 1), "train": round(t_fit, 1)},
        **fit,
    }
    if test_idx:
        summary["test"] = compute_metrics(y_test, pred, labels)
        summary["test_binary"] = binary_metrics(y_test, probs, labels)
        groups = sorted({str(rows[i]["group"]) for i in test_idx if rows[i].get("group")})
        if groups:
            summary["test_by_group"] = {}
            for g in groups:
                ii = [j for j, i in enumerate(test_idx) if str(rows[i].get("group")) == g]
                yt = [y_test[j] for j in ii]
                summary["test_by_group"][g] = {
                    "metrics": compute_metrics(yt, [pred[j] for j in ii], labels),
                    "binary": binary_metrics(yt, probs[ii], labels),
                }
    if args.output:
        out = Path(args.output)
        out.mkdir(parents=True, exist_ok=True)
        net.cpu().save_pretrained(str(out))
        save_preset(preset, out / "preset.json")
        summary["seconds"]["total"] = round(time.time() - t0, 1)
        (out / "metrics.json").write_text(json.dumps(summary, indent=1))
    summary["seconds"]["total"] = round(time.time() - t0, 1)
    if not args.quiet:
        if "test" in summary:
            print(format_metrics("held-out", summary["test"]))
            if summary.get("test_binary"):
                print(format_metrics("held-out binary (non-neutral truth)", summary["test_binary"]))
            for g, gm in summary.get("test_by_group", {}).items():
                b = gm["binary"]
                print(f"  {g}: accuracy {gm['metrics']['accuracy']:.3f} macro-F1 {gm['metrics']['macro_f1']:.3f}"
                      + (f"  binary accuracy {b['accuracy']:.3f} (n={b['n']})" if b else ""))
        if args.output:
            print(f"saved to {args.output} ({summary['seconds']['total']} s)")
    summary["net"] = net
    return summary


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("manifest", help="CSV or JSONL with text / image / audio columns and label or score")
    p.add_argument("--output", "-o", help="directory to write the trained head to")
    p.add_argument("--preset", default="hub", help="preset whose frozen encoders give the features")
    p.add_argument("--modalities", help="comma-separated subset of text,image,audio (default: all present)")
    p.add_argument("--head", choices=HEADS, default="concat", help="fusion head (default concat)")
    p.add_argument("--labels", choices=sorted(LABEL_SETS), default="3",
                   help="label column: 2 (negative/positive), 3 (negative/neutral/positive), emotion7 "
                        "(anger,disgust,fear,sadness -> negative; joy -> positive; surprise,neutral -> neutral)")
    p.add_argument("--bins", help="bin a numeric 'score' column instead: 't' (2-way: < t negative) or "
                                  "'lo,hi' (3-way: <= lo negative, >= hi positive, else neutral)")
    p.add_argument("--finetune-layers", type=int, default=0, help="fine-tune the top N text encoder layers")
    p.add_argument("--epochs", type=int, default=20)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--encoder-lr", type=float, default=5e-5)
    p.add_argument("--weight-decay", type=float, default=0.01)
    p.add_argument("--hidden", type=int, default=128, help="hidden width (0: a linear head for --head head)")
    p.add_argument("--dropout", type=float, default=0.1)
    p.add_argument("--modality-dropout", type=float, default=0.1,
                   help="training-time chance of hiding a present modality (teaches the missing case)")
    p.add_argument("--test-size", type=float, default=0.15, help="stratified held-out share (default 0.15)")
    p.add_argument("--val-size", type=float, default=0.1, help="share of training rows used to pick the epoch")
    p.add_argument("--max-length", type=int, default=128, help="text tokens read per item")
    p.add_argument("--cache-dir", default=str(Path.home() / ".cache" / "msa_demo" / "features"))
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--device", default="cpu")
    p.add_argument("--threads", type=int, default=0, help="torch CPU threads (0: torch's default)")
    p.add_argument("--quiet", action="store_true")


def cmd_train(args: argparse.Namespace) -> int:
    run_training(args)
    return 0


def add_command(subparsers) -> None:
    p = subparsers.add_parser("train", help="train a fusion head (or the lite text head) on frozen encoder features")
    add_arguments(p)
    p.set_defaults(func=cmd_train)


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m msa_demo train")
    add_arguments(p)
    return p.parse_args(list(argv))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(cmd_train(parse_args(sys.argv[1:])))
