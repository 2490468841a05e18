"""Features for training: each modality's frozen encoder, run once per item and cached on disk.

The cache is safetensors only (no pickles), one store per encoder, keyed by model id + revision + family +
options + what is stored; rows are keyed by a content hash of the text or file. For a text head with fine-tuned
top layers, the hidden states *below* those layers are cached (float16, flat with lengths), so fine-tuning only
runs the top layers.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Sequence

import torch
from torch import nn

from msa_demo.config import Preset
from msa_demo.dataset.span import cut_to_span
from msa_demo.errors import InputError
from msa_demo.model import MultimodalSentimentModel, pick_device
from msa_demo.modalities import from_pretrained, mean_pool
from msa_demo.modalities.text import encoder_source

def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def content_key(modality: str, value: str, source: str | None = None, source_spec: Any = None,
                span: tuple[float, float | None] | None = None) -> str:
    """A row's cache key: the hash of its text, or of its file's bytes; ``source``: the kind whose file brings the
    modality along (a video's sound track as the audio), read with ``source_spec``'s options; ``span``: the seconds
    of the file the row reads (its start / end, :func:`row_span`), another item than the whole file."""
    if source and source != modality:
        how = json.dumps([modality, source, getattr(source_spec, "family", None),
                          getattr(source_spec, "options", None)], sort_keys=True, default=str)
        return _sha(how.encode("utf-8") + _spanned(span) + Path(value).read_bytes())
    if modality == "text":
        return _sha(value.encode("utf-8"))
    return _sha(_spanned(span) + Path(value).read_bytes())


def _spanned(span: tuple[float, float | None] | None) -> bytes:
    return b"" if span is None else f"span {span[0]!r}-{span[1]!r}\n".encode("utf-8")


def row_span(row: dict, source: str) -> tuple[Any, Any] | None:
    """The row's ``start`` / ``end`` cells (``dataset.span.given``) where its ``source`` file runs in time (a clip, a
    sound: its kind cuts a span, ``ModalityKind.segment``), None otherwise: ``train`` reads that span of the file,
    as explain-batch does (it had read the whole file, and a head learned from what no prediction reads)."""
    from msa_demo.dataset.span import given
    from msa_demo.registry import get

    if get(source).segment is None:
        return None
    return given(row.get("start"), row.get("end"))


def _key_span(span: tuple[Any, Any] | None) -> tuple[float, float | None] | None:
    """A row's span in seconds for its cache key (one that cannot be read: as given, its read says why)."""
    from msa_demo.dataset.span import seconds

    if span is None:
        return None
    try:
        return seconds(span)
    except InputError:
        return span


def reads_raw_text(modality: str, spec: Any, finetune_layers: int = 0) -> bool:
    """Whether ``train`` reads this modality's texts through the bare text encoder: only when its top layers are
    fine-tuned (the head holds them). Otherwise the preset's own model reads them, as a prediction does (the lite
    text model's fine-tuned ``encoder.*`` layers, its windows over a long text): the bare encoder's features had
    trained a head that the app then fed other features (held-out metrics 0.893 printed, 0.929 when predicted)."""
    return modality == "text" and finetune_layers > 0


def carriers(modality: str, preset: Preset, finetune_layers: int = 0) -> list[str]:
    """The kinds whose input may bring ``modality`` along where a row lacks it (``ModalityKind.carries``: a video
    file's sound track as the audio, as the dashboard reads one); none for texts the bare encoder reads."""
    from msa_demo.registry import kinds

    if reads_raw_text(modality, preset.modalities.get(modality), finetune_layers):
        return []
    return [k.name for k in kinds() if modality in k.carries and k.name != modality]


def source_of(row: dict, modality: str, by: Sequence[str]) -> str | None:
    """Where a row's ``modality`` comes from: its own column, else the first of ``by`` (carriers) it has."""
    if modality in row:
        return modality
    return next((c for c in by if c in row), None)


# how the pooled features are read, in their cache's key: a cache written before they were read as a prediction
# reads them knows nothing of the items the model abstains on (its features of a picture without a face would
# train the head on what a prediction never gives it), so it is not read
READ = "as a prediction reads them"


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
        # items on which the model abstains (a picture without a face, a clip in which no one speaks): why; a
        # prediction leaves them out, so training does too, and a later run knows without reading them again
        self.abstained: dict[str, str] = {}
        gone = self.dir / "abstained.json"
        if gone.is_file():
            self.abstained = json.loads(gone.read_text())
        idx, data = self.dir / "index.json", self.dir / "data.safetensors"
        if idx.is_file() and data.is_file():
            from safetensors.torch import load_file

            self.index = json.loads(idx.read_text())
            self.tensors = load_file(str(data))

    def missing(self, keys: Sequence[str]) -> list[str]:
        seen, out = set(), []
        for k in keys:
            if k not in self.index and k not in self.abstained and k not in seen:
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

    def abstain(self, whys: dict[str, str]) -> None:
        """Record the items on which the model abstains (key -> why)."""
        if whys:
            self.abstained.update(whys)
            (self.dir / "abstained.json").write_text(json.dumps(self.abstained))

    def rows(self, keys: Sequence[str]) -> list[int]:
        return [self.index[k] for k in keys]


def _bert_like(encoder: nn.Module) -> bool:
    return hasattr(encoder, "encoder") and hasattr(encoder.encoder, "layer")


class RawTextEncoder:
    """A pretrained text encoder (minilm-head family: the encoder alone, no head) with token-state caching."""

    def __init__(self, spec, device, max_length: int = 128) -> None:
        from transformers import AutoModel, AutoTokenizer

        spec = encoder_source(spec)
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


def _raw_text_features(spec, base_key: dict[str, Any], keys: list[str], values: list[str], cache_dir, device,
                       finetune_layers: int, max_length: int, progress: bool) -> tuple[dict[str, Any], int]:
    """Text through the bare encoder: pooled features, or token states below the top ``finetune_layers``."""
    enc = RawTextEncoder(spec, device, max_length)
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
        cache.add(todo, enc.hidden([by_key[k] for k in todo], layer, pooled=finetune_layers == 0, progress=progress))
    rows_ix = cache.rows(keys)
    if finetune_layers == 0:
        return {"features": cache.tensors["features"][rows_ix].float()}, len(todo)
    lengths = cache.tensors["lengths"]
    offsets = torch.cumsum(lengths, 0) - lengths
    return {"tokens": cache.tensors["tokens"], "offsets": offsets[rows_ix], "lengths": lengths[rows_ix],
            "encoder": enc}, len(todo)


def _brought(x: Any, modality: str, source: str) -> Any:
    """What the model reads for ``modality`` from ``x``, the input read from the row's ``source`` file: ``x`` itself,
    or what that input brings along (None: nothing, such as a clip without sound)."""
    if source == modality or x is None:
        return x
    brought = (getattr(x, "carries", None) or {}).get(modality)
    return brought() if callable(brought) else brought


@dataclass
class _Items:
    """One modality's inputs across the rows: the rows that have one, the kind whose file each comes from (its own,
    or a carrier's), its value and its cache key; what another modality's pass encoded for it from the same file."""

    modality: str
    rows: list[int]
    sources: list[str]
    values: list[Any]
    keys: list[str]
    base_key: dict[str, Any]  # what the features depend on (model, revision, family, options)
    cache: FeatureCache | None = None  # pooled features (the preset's model); None: the bare text encoder's
    early: dict[str, tuple[torch.Tensor, torch.Tensor]] = field(default_factory=dict)  # key -> (features, probs)
    early_abstained: dict[str, str] = field(default_factory=dict)  # key -> why the model abstains on it
    spans: list[Any] = field(default_factory=list)  # each value's row's start / end cells (None: the whole file)

    def __post_init__(self) -> None:
        self.spans = self.spans or [None] * len(self.values)
        self._by = {(src, str(v), span): k for src, v, span, k in zip(self.sources, self.values, self.spans,
                                                                      self.keys)}

    def key_of(self, source: str, value: Any, span: Any = None) -> str | None:
        """The key of this modality's item read from ``source``'s file ``value`` over ``span`` (None: no row takes
        it so)."""
        return self._by.get((source, str(value), span))


def _model_features(model_for, items: _Items, others: Sequence[_Items], progress: bool) -> tuple[dict[str, Any], int]:
    """Pooled features from the preset's own modality model (``model.encode``), loaded only if something is new;
    each value read by its source kind (the modality itself, or a kind that brings it along). A file read here
    serves the other modalities that take the same file and still need it (``others``: a clip's frames and its
    sound track), so that it is decoded once. A file its reader refuses (damaged, empty, a folder) is left out:
    ``"unreadable"`` maps its key to the one line why; one that brings nothing (a clip without sound) too:
    ``"absent"``; one on which the model abstains as a prediction does (a picture without a face): ``"abstained"``
    (key -> why, remembered in the cache); ``"features"`` holds the other keys' rows, in order (None when none is left)."""
    from msa_demo.registry import get

    modality, cache = items.modality, items.cache
    todo = [k for k in cache.missing(items.keys) if k not in items.early and k not in items.early_abstained]
    unreadable: dict[str, str] = {}
    absent: set[str] = set()
    abstained = {k: why for k, why in items.early_abstained.items() if k not in cache.abstained}
    done = list(k for k in items.early if k not in cache.index)
    feats = [items.early[k][0] for k in done]
    probs = [items.early[k][1] for k in done]
    if todo:
        from tqdm.auto import tqdm

        model = model_for()
        by_key = {k: (v, src, span) for k, v, src, span in zip(items.keys, items.values, items.sources, items.spans)}
        for k in tqdm(todo, desc=f"encoding {modality}", disable=not progress, leave=False):
            value, source, span = by_key[k]
            with contextlib.ExitStack() as cut:  # the row's span of its clip or sound, cut as explain-batch cuts it
                try:
                    read_from = cut.enter_context(cut_to_span({source: value}, span))[0][source]
                    x = get(source).read(read_from, model)
                except InputError as exc:
                    unreadable[k] = str(exc)
                    continue
                _encode_read(model, k, x, modality, source, value, span, others, done, feats, probs, absent,
                             abstained)
    if done:
        cache.add(done, {"features": torch.stack(feats), "probs": torch.stack(probs)})
    cache.abstain(abstained)
    gone = {k: cache.abstained[k] for k in items.keys if k in cache.abstained}
    kept = [k for k in items.keys if k not in unreadable and k not in absent and k not in gone]
    if not kept and unreadable:
        raise InputError(f"No {modality} of the manifest could be read ({next(iter(unreadable.values()))}).")
    features = cache.tensors["features"][cache.rows(kept)].float() if kept else None
    return {"features": features, "unreadable": unreadable, "absent": absent, "abstained": gone}, len(done)


def _encode_read(model, k: str, x: Any, modality: str, source: str, value: Any, span: Any, others: Sequence[_Items],
                 done: list, feats: list, probs: list, absent: set, abstained: dict) -> None:
    """Encode ``x``, read from ``source``'s file ``value`` (over ``span``) as item ``k`` of ``modality`` (into
    ``done``/``feats``/``probs``, or ``absent`` / ``abstained``), and for the ``others`` that take the same file."""
    clean = _brought(x, modality, source)
    if clean is None:
        absent.add(k)
    else:
        why = _abstains(model, modality, clean)
        if why:
            abstained[k] = why
        else:
            _, encd = model.encode(modality, clean)
            done.append(k)
            feats.append(encd.features.float())
            probs.append(encd.probs.float().reshape(-1))
    for other in others:  # the same file read for another modality that takes it and still needs it
        k2 = other.key_of(source, value, span)
        if (k2 is None or k2 in other.early or k2 in other.early_abstained or k2 in other.cache.index
                or k2 in other.cache.abstained):
            continue
        brought = _brought(x, other.modality, source)
        if brought is not None:
            why = _abstains(model, other.modality, brought)
            if why:
                other.early_abstained[k2] = why
            else:
                _, e2 = model.encode(other.modality, brought)
                other.early[k2] = (e2.features.float(), e2.probs.float().reshape(-1))


# why a picture in which the face model finds no face is left out of its row (a prediction leaves it out so)
NO_FACE = "no face was found, so the face model abstains"


def _abstains(model: MultimodalSentimentModel, modality: str, x: Any) -> str:
    """Why the model abstains on ``x`` as a prediction does ("" when it reads it): an input that says it abstains (a
    clip in which no one speaks, a video without a face in any frame), or a picture in which the face model finds
    no face (``model.finds_no_face``, the prediction's rule: left out unless a person asks to read it as a face)."""
    if getattr(x, "abstains", False):
        return str(getattr(x, "abstains_why", "") or "its model abstains")
    return NO_FACE if model.finds_no_face(modality, x) else ""


def extract_features(rows: list[dict], preset: Preset, modalities: Sequence[str], cache_dir: str | Path,
                     device: str = "cpu", finetune_layers: int = 0, max_length: int = 128,
                     progress: bool = True) -> tuple[dict[str, Any], dict[str, int]]:
    """Features per modality for every row (None where a row lacks it), through the on-disk cache.

    Returns (data, stats): data[m] is {"features": [N_m, D] float32} or, for text with fine-tuning,
    {"tokens", "offsets", "lengths", "encoder"}, plus "row" ([N] row -> index into m's arrays, -1 when absent)
    and "present" ([N] bool), "unreadable" ({row: why}: a file its reader refused, that row read without it),
    "abstained" ({row: why}: the model abstains on it, as a prediction leaves it out: a picture without a face) and
    "brought" ({kind: rows}: a row without the modality reads what another kind's file brings along, as the
    dashboard does: a video's sound track as its audio; see :func:`carriers`); stats[m] = how many items were
    encoded now (the rest came from the cache). A modality only brought along, by no file, has no entry.
    """
    dev = pick_device(device)
    data: dict[str, Any] = {}
    stats: dict[str, int] = {}
    loaded: list[MultimodalSentimentModel] = []
    by = {m: carriers(m, preset, finetune_layers) for m in modalities}
    reading = [*modalities, *(c for m in modalities for c in by[m] if any(c in r for r in rows))]

    def model_for() -> MultimodalSentimentModel:  # one model for all modalities, built on first need
        if not loaded:  # with the kinds that bring one along (their options say how a file is read)
            model = MultimodalSentimentModel(_subset_preset(preset, reading), device=str(dev))
            # A model that could not be loaded (a Hub model not cached) is refused, not stood in for: the app's
            # fallback would read the rows with the lite model, and a head trained on its features but saved with a
            # preset naming the Hub model does not fit that model once it is back (it had crashed the app), while
            # its cached features would pass for the Hub model's. A researcher wants the encoders asked for, or
            # a clear stop: one line, before any training and with nothing saved.
            if model.stand_ins or model.unavailable:
                served = " or ".join(sorted({*model.stand_ins, *model.unavailable}))
                said = " ".join(model.notices) or f"The {served} model could not be loaded."
                raise InputError(f"{said} Training does not read a stand-in: a head trained on its features would not "
                                 f"fit the '{preset.name}' preset's own {served} model, so nothing was trained: make "
                                 f"it available, or train with another --preset"
                                 + (f" (--preset {preset.fallback})." if preset.fallback else "."))
            loaded.append(model)
        return loaded[0]

    items: dict[str, _Items] = {}
    for m in modalities:
        spec = preset.modalities.get(m)
        if spec is None:
            raise InputError(f"The preset '{preset.name}' has no {m} model.")
        given = [i for i, r in enumerate(rows) if source_of(r, m, by[m])]
        sources = [source_of(rows[i], m, by[m]) for i in given]
        values = [rows[i][src] for i, src in zip(given, sources)]
        spans = [row_span(rows[i], src) for i, src in zip(given, sources)]  # a clip's or sound's start / end
        keys = [content_key(m, v, src, preset.modalities.get(src), _key_span(span))
                for v, src, span in zip(values, sources, spans)]
        raw_text = reads_raw_text(m, spec, finetune_layers)
        base_key = {"modality": m, "family": spec.family, "model_id": spec.model_id, "revision": spec.revision,
                    "options": spec.options if not raw_text else {}}
        cache = None if raw_text else FeatureCache(cache_dir, {**base_key, "store": "pooled", "read": READ})
        items[m] = _Items(m, given, sources, values, keys, base_key, cache, spans=spans)
    pooled = [it for it in items.values() if it.cache is not None]
    for m, it in items.items():
        if it.cache is None:
            data[m], stats[m] = _raw_text_features(preset.modalities[m], it.base_key, it.keys, it.values, cache_dir,
                                                   dev, finetune_layers, max_length, progress)
        else:
            data[m], stats[m] = _model_features(model_for, it, [o for o in pooled if o is not it], progress)
        # spread the present rows' data back over all rows (a row whose file could not be read: absent)
        unreadable = data[m].pop("unreadable", {})
        abstained = data[m].pop("abstained", {})
        left = unreadable.keys() | data[m].pop("absent", set()) | abstained.keys()
        have = [i for i, k in zip(it.rows, it.keys) if k not in left]
        if not have:  # only brought along, and nothing was (clips without sound): the head has no such input
            if abstained:  # or the model abstains on every one (no picture shows a face): said, not silent
                raise InputError(f"The {m} model abstains on every {m} of the manifest "
                                 f"({next(iter(abstained.values()))}), so the head would have no {m} to learn from; "
                                 f"leave it out with --modalities.")
            del data[m]
            continue
        pos = torch.full((len(rows),), -1, dtype=torch.long)
        pos[torch.tensor(have, dtype=torch.long)] = torch.arange(len(have))
        data[m]["row"] = pos  # row -> index into this modality's arrays, -1 when absent
        data[m]["present"] = pos >= 0
        data[m]["unreadable"] = {i: unreadable[k] for i, k in zip(it.rows, it.keys) if k in unreadable}  # row -> why
        data[m]["abstained"] = {i: abstained[k] for i, k in zip(it.rows, it.keys) if k in abstained}  # row -> why
        data[m]["brought"] = {c: sum(1 for i, src in zip(it.rows, it.sources) if src == c and pos[i] >= 0)
                              for c in by[m] if c in it.sources}  # kind -> rows whose input came from its file
    return data, stats


__all__ = ["FeatureCache", "RawTextEncoder", "carriers", "content_key", "extract_features", "reads_raw_text",
           "row_span", "source_of"]
