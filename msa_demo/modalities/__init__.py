"""One module per modality, all with the same small interface (:class:`Modality`).

A modality turns its clean input into model tensors (``prepare``), runs its model (``forward``: the one
model call, batched, differentiable where the model is), and maps the model's labels onto sentiment.
Explainers perturb ``prepared.inputs[attr_key]`` and call ``forward`` again; nothing else.

Adding a modality = its model families (a :class:`Modality` subclass each) named by its kind in
``msa_demo.registry``, plus a preset entry.
"""

from __future__ import annotations

import importlib.resources
import re
import threading
import weakref
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import torch

from msa_demo.config import SENTIMENTS, ModalitySpec
from msa_demo.errors import InputError, ModelLoadError
from msa_demo.labels import sentiment_matrix, to_sentiment


@dataclass
class Prepared:
    """A modality's input as model tensors (batch of one) plus what the views need to show it."""

    inputs: dict[str, torch.Tensor]
    info: dict[str, Any] = field(default_factory=dict)
    # what the model made of it (read in windows, no face found): never the input's own notices (a picture's pages,
    # a clip's trimming), which belong to the file given; the encoder's cache is keyed by the pixels or samples
    # alone, so another file with the same content was told this one's
    notices: list[str] = field(default_factory=list)


@dataclass
class Encoded:
    """What one modality says about one input: cached so toggles never re-run the encoder."""

    probs: torch.Tensor  # [3] sentiment probabilities (float32, cpu)
    label_probs: dict[str, float]  # the model's own labels
    features: torch.Tensor  # [D] pooled representation for a trained fusion head (float32, cpu)


class Modality:
    """Base class. Subclasses set ``name``, ``attr_key`` and implement ``load``, ``prepare``, ``_run``."""

    name: str = ""
    attr_key: str = ""  # which entry of prepared.inputs explainers perturb
    differentiable: bool = True  # whether gradients flow from forward's output to inputs[attr_key]
    # a transformers family's kind of model, read from the folder's config.json before loading (a model of another
    # kind had been transformers' own cut-off error): the model_types its Auto class takes, as the name of that
    # class's mapping in ``transformers.models.auto.modeling_auto`` or a tuple; ``needs``: the same in words
    model_types: str | tuple[str, ...] = ()
    needs: str = ""
    labels_in_config = True  # the label_map's keys are the config's id2label (not CLIP's prompts)

    def __init__(self, spec: ModalitySpec, device: torch.device, dtype: torch.dtype) -> None:
        self.spec = spec
        self.device = device
        self.dtype = dtype
        self.id2label: dict[int, str] = {}
        wrong = wrong_kind(type(self), spec, self.name)
        if wrong:
            raise InputError(wrong)
        self.load()
        self.matrix = sentiment_matrix(self.id2label, spec.label_map)

    # -- to implement
    def load(self) -> None:
        raise NotImplementedError

    def prepare(self, value: Any) -> Prepared:
        raise NotImplementedError

    def _run(self, inputs: dict[str, torch.Tensor], want_features: bool) -> tuple[torch.Tensor, torch.Tensor | None]:
        """(label logits [B, L], pooled features [B, D] or None)."""
        raise NotImplementedError

    def forget(self) -> None:
        """Drop what the model keeps of the inputs it has read (e.g. the lite text's windows); nothing here."""

    # -- shared
    @property
    def labels(self) -> list[str]:
        return [self.id2label[i] for i in range(len(self.id2label))]

    def forward(self, **inputs: torch.Tensor) -> torch.Tensor:
        """Sentiment probabilities [B, 3] (float32) from model inputs; the model call explainers repeat."""
        logits, _ = self._run(inputs, want_features=False)
        return to_sentiment(torch.softmax(logits.float(), dim=-1), self.matrix)

    @torch.no_grad()
    def encode(self, prepared: Prepared) -> Encoded:
        logits, feats = self._run(prepared.inputs, want_features=True)
        label_p = torch.softmax(logits.float(), dim=-1)[0]
        probs = to_sentiment(label_p, self.matrix)
        return Encoded(
            probs=probs.detach().cpu(),
            label_probs={self.id2label[i]: float(label_p[i]) for i in range(label_p.numel())},
            features=feats[0].detach().float().cpu() if feats is not None else torch.zeros(0),
        )

    def describe(self) -> dict[str, Any]:
        return {
            "modality": self.name,
            "family": self.spec.family,
            "model_id": self.spec.model_id,
            "revision": self.spec.revision,
            "labels": self.labels,
        }


# ------------------------------------------------------------------ loading helpers


def resolve_path(model_id: str) -> Path | None:
    """A local path for ``pkg:<package>/<sub/path>`` or an existing directory/file; None for a Hub id."""
    if model_id.startswith("pkg:"):
        package, _, sub = model_id[4:].partition("/")
        try:
            root = Path(str(importlib.resources.files(package)))
        except ModuleNotFoundError:
            raise ModelLoadError(
                f"The package '{package}' that holds this model is not installed. "
                "Run: pip install -r requirements.txt"
            ) from None
        path = root / sub
        if not path.exists():
            raise ModelLoadError(f"The model files '{sub}' are missing from the package '{package}'.")
        return path
    path = Path(model_id).expanduser()
    if path.exists():
        return path
    return None


_HEX40 = re.compile(r"^[0-9a-f]{40}$")
OFFLINE_HINT = " Run with --preset lite to work offline."


def weights_policy(spec: ModalitySpec) -> dict[str, Any]:
    """The ``from_pretrained`` options that load this entry's weights: safetensors only, unless the entry
    opts into ``weights="bin"``; a ``.bin`` is then read only by transformers' weights-only loader."""
    if spec.weights == "bin":
        return {"use_safetensors": None, "weights_only": True}
    return {"use_safetensors": True}


def from_pretrained(loader: Callable[..., Any], spec: ModalitySpec, **kwargs: Any) -> Any:
    """``loader.from_pretrained`` for a local path or a pinned Hub revision, with one clear error on failure.

    A call that loads model weights passes ``use_safetensors=True``; the entry's weights policy
    (:func:`weights_policy`) then decides what may be read. Remote code is never run.
    """
    import os

    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    local = resolve_path(spec.model_id)
    if local is None and looks_like_path(spec.model_id):  # a typo in a folder's name, not a Hub id to ask for
        raise InputError(no_folder(spec.model_id))
    source = str(local) if local is not None else spec.model_id
    if "use_safetensors" in kwargs:
        kwargs.update(weights_policy(spec))
        if spec.weights == "bin":  # transformers would otherwise ask a Hub bot to convert the repository
            os.environ.setdefault("DISABLE_SAFETENSORS_CONVERSION", "1")
    opts: dict[str, Any] = {**kwargs, "trust_remote_code": False}
    if local is not None:
        try:
            return loader.from_pretrained(source, **opts)
        except Exception as exc:  # noqa: BLE001 - every loading failure becomes one readable line
            only = pickled_only(local) if opts.get("use_safetensors") else ""
            if only:  # transformers said "Error no file named model.safetensors found in directory ..."
                raise ModelLoadError(f"Cannot load the model at '{local}': it holds {only} and no safetensors file; "
                                     f"{BIN_HINT}") from None
            raise ModelLoadError(f"Cannot load the model at '{local}': {_first_line(exc)}") from None
    opts["revision"] = spec.revision
    try:  # a cached copy first: no network needed
        return loader.from_pretrained(source, local_files_only=True, **opts)
    except Exception:  # noqa: BLE001
        pass
    if not hub_reachable():
        only = _cached_without_safetensors(spec) if opts.get("use_safetensors") else None
        if only:  # the cached copy is there, but its weights are a format this project does not read
            raise ModelLoadError(
                f"Cannot load '{spec.model_id}' (revision {spec.revision}): its cached copy has no safetensors "
                f"weights (only {only}), and only safetensors are loaded; the Hugging Face Hub cannot be reached "
                f"to fetch them.{OFFLINE_HINT}"
            )
        held = cached_revisions(spec.model_id)
        if held:  # the cache holds the model, at other revisions: the revision is the mistake, not the network
            raise ModelLoadError(
                f"Cannot load '{spec.model_id}' (revision {spec.revision}): the Hugging Face Hub cannot be reached "
                f"and revision {spec.revision} is not in the cache, which holds {', '.join(held)}: pin one of "
                "those as its revision.")
        raise ModelLoadError(
            f"Cannot load '{spec.model_id}' (revision {spec.revision}): the Hugging Face Hub cannot be reached "
            f"and no cached copy exists.{near_folder(spec.model_id) or OFFLINE_HINT}"
        )
    try:
        return loader.from_pretrained(source, **opts)
    except Exception as exc:  # noqa: BLE001
        raise ModelLoadError(
            f"Cannot load '{spec.model_id}' (revision {spec.revision}) from the Hugging Face Hub: {_first_line(exc)}"
        ) from None


_SAFETENSORS = ("model.safetensors", "model.safetensors.index.json")
_PICKLED = ("pytorch_model.bin", "pytorch_model.bin.index.json")
BIN_HINT = ('give this entry "weights": "bin" in the preset to read it (weights only, never as an arbitrary '
            "pickle; see the README's Presets).")
NO_REVISION = ("main", "local", "")  # what an entry gives when it means no revision (make-tiny writes "local")
# a model_id no Hub id can be: it starts as a path does (/, ./, ../, ~, C:\), or holds a backslash or more than one
# slash ('org/name' is a Hub id, 'models/mine' could be one too: only the folder's absence tells, and it does not)
_PATH_LIKE = re.compile(r"^(~|\.{1,2}([/\\]|$)|[/\\]|[A-Za-z]:[/\\])")


def looks_like_path(model_id: str) -> bool:
    """Whether ``model_id`` can only be a path on this machine, never a Hub id ('org/name')."""
    return not model_id.startswith("pkg:") and (
        bool(_PATH_LIKE.match(model_id)) or "\\" in model_id or model_id.count("/") > 1)


def no_folder(model_id: str) -> str:
    """What a path-like ``model_id`` that is not there is told (it had been looked up on the Hub, which said
    "the Hub cannot be reached")."""
    return (f"No folder {Path(model_id).expanduser()}: the model_id '{model_id}' is a path on this machine, not a Hub "
            "id, and nothing is there; check its spelling.")


def near_folder(model_id: str) -> str:
    """A hint when a Hub-shaped ``model_id`` ('models/mine') starts with a folder that is here: it may be a
    misspelt path (only the folder's absence tells them apart); "" otherwise."""
    parent = Path(model_id).parent
    if looks_like_path(model_id) or model_id.startswith("pkg:") or str(parent) == "." or not parent.is_dir():
        return ""
    return (f" There is a folder '{parent}' here, and no '{Path(model_id).name}' in it: if the model is a folder on "
            "this machine, check its name.")


def unused_revision(spec: ModalitySpec, modality: str) -> str:
    """A line when the entry names a revision for a folder on this machine, which has none (it had been ignored
    without a word); "" otherwise (a package's file: its revision is the package's version)."""
    if spec.revision in NO_REVISION or spec.model_id.startswith("pkg:") or resolve_path(spec.model_id) is None:
        return ""
    return (f"{modality[:1].upper() + modality[1:]}: '{spec.model_id}' is a folder on this machine, which has no "
            f"revisions: its revision '{spec.revision}' is not used.")


def _pickled_only(holds: Callable[[str], bool]) -> str:
    """The pickled weights file (``"pytorch_model.bin"``) where ``holds(name)`` finds one and no safetensors file,
    else ``""``: a local folder's files or a cached snapshot's."""
    if any(holds(n) for n in _SAFETENSORS):
        return ""
    return next((n for n in _PICKLED if holds(n)), "")


def pickled_only(folder: Path) -> str:
    """``"pytorch_model.bin"`` when the local ``folder`` holds pickled weights and no safetensors file, else ``""``."""
    return _pickled_only(lambda name: (folder / name).is_file()) if folder.is_dir() else ""


def cached_revisions(model_id: str) -> list[str]:
    """The revisions the local Hugging Face cache holds ``model_id`` at, read from its folder alone (never the
    network): each ref with its commit ("main (0123...)"), then commits no ref names; [] when none."""
    try:
        from huggingface_hub import constants

        root = Path(constants.HF_HUB_CACHE) / ("models--" + model_id.replace("/", "--"))
        refs = {str(f.relative_to(root / "refs")): f.read_text().strip()
                for f in sorted((root / "refs").rglob("*")) if f.is_file()}
        snaps = sorted(d.name for d in (root / "snapshots").iterdir() if d.is_dir()) \
            if (root / "snapshots").is_dir() else []
    except (OSError, ValueError, ImportError):
        return []
    named = [f"{r} ({sha})" for r, sha in refs.items() if sha in snaps]
    return named + [s for s in snaps if s not in refs.values()]


def model_config(spec: ModalitySpec) -> dict | None:
    """The ``config.json`` of the entry's model where it can be read here without the network: a local folder's,
    or a cached Hub snapshot's at its revision; None otherwise."""
    import json

    path: Any = None
    try:
        local = resolve_path(spec.model_id)
    except ModelLoadError:
        return None
    if local is not None:
        path = local / "config.json" if local.is_dir() else None
    elif not looks_like_path(spec.model_id):
        try:
            from huggingface_hub import try_to_load_from_cache

            found = try_to_load_from_cache(spec.model_id, "config.json", revision=spec.revision)
            path = Path(found) if isinstance(found, str) else None
        except Exception:  # noqa: BLE001 - an id the cache cannot hold, an unreadable cache: nothing known
            return None
    try:
        data = json.loads(path.read_text(encoding="utf-8")) if path is not None and path.is_file() else None
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _takes(model_types: str | tuple[str, ...]) -> tuple[str, ...]:
    if isinstance(model_types, tuple):
        return model_types
    from transformers.models.auto import modeling_auto

    return tuple(getattr(modeling_auto, model_types, {}))


def wrong_kind(cls: type, spec: ModalitySpec, modality: str, config: dict | None = None) -> str:
    """One line when the entry's model, read from its config.json here, is of a kind the family ``cls`` cannot
    load (a text classifier named as the image model, wav2vec2 as the text one); "" when it fits or is unknown."""
    if not cls.model_types:
        return ""
    config = model_config(spec) if config is None else config
    kind = (config or {}).get("model_type")
    if not kind or kind in _takes(cls.model_types):
        return ""
    arch = ", ".join(config.get("architectures") or []) or "no architectures named"
    return (f"The {modality} model '{spec.model_id}' is a {kind} model ({arch}), which the {spec.family} family "
            f"cannot read: it needs {cls.needs}.")


def label_keys_unmatched(cls: type, spec: ModalitySpec, config: dict | None) -> list[str]:
    """The label_map keys that match no label in the model's config (its ``id2label``), where that is known."""
    labels = (config or {}).get("id2label")
    if not cls.model_types or not cls.labels_in_config or not isinstance(labels, dict) or not labels:
        return []
    have = {str(v).strip().lower() for v in labels.values()}  # matched as labels.sentiment_matrix matches them
    return [k for k in spec.label_map if str(k).strip().lower() not in have]


def _cached_without_safetensors(spec: ModalitySpec) -> str:
    """The pickled weights file a cached Hub snapshot of ``spec`` holds when it holds no safetensors file
    (``"pytorch_model.bin"``), else ``""``: the cache alone is read, never the network."""
    try:
        from huggingface_hub import try_to_load_from_cache

        return _pickled_only(lambda name: isinstance(try_to_load_from_cache(spec.model_id, name,
                                                                             revision=spec.revision), str))
    except Exception:  # noqa: BLE001 - an unreadable cache: the usual line says what is known
        return ""


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return (text.splitlines()[0] if text else type(exc).__name__)[:300]


_HUB_STATE: dict[str, bool] = {}


def hub_reachable(timeout: float = 3.0) -> bool:
    """False when offline mode is set or the Hub's host does not answer within ``timeout`` seconds."""
    import os
    import socket
    from urllib.parse import urlparse

    if os.environ.get("HF_HUB_OFFLINE", "0").lower() in ("1", "true", "yes"):
        return False
    if "ok" not in _HUB_STATE:
        host = urlparse(os.environ.get("HF_ENDPOINT", "https://huggingface.co")).hostname or "huggingface.co"
        try:
            socket.create_connection((host, 443), timeout=timeout).close()
            _HUB_STATE["ok"] = True
        except OSError:
            _HUB_STATE["ok"] = False
    return _HUB_STATE["ok"]


def is_pinned(revision: str) -> bool:
    return bool(_HEX40.match(revision or ""))


def mean_pool(hidden: torch.Tensor, mask: torch.Tensor | None) -> torch.Tensor:
    if mask is None:
        return hidden.mean(1)
    m = mask.unsqueeze(-1).to(hidden.dtype)
    return (hidden * m).sum(1) / m.sum(1).clamp_min(1e-6)


def model_families() -> dict[str, type[Modality]]:
    """Every registered modality's model families (``registry.ModalityKind.families``)."""
    from msa_demo.registry import kinds

    fams: dict[str, type[Modality]] = {}
    for kind in kinds():
        fams.update(kind.families())
    return fams


def load_modality(name: str, spec: ModalitySpec, device: torch.device, dtype: torch.dtype) -> Modality:
    fams = model_families()
    if spec.family not in fams:
        raise ModelLoadError(f"Unknown model family '{spec.family}'. Known: {', '.join(sorted(fams))}.")
    cls = fams[spec.family]
    if cls.name != name:
        raise ModelLoadError(f"The family '{spec.family}' serves the {cls.name} modality, not {name}.")
    return cls(spec, device, dtype)


class ReadingCache:
    """What a model read, by key (a window of tokens, a frame's pixels), per model copy: weakly held, so a
    randomised copy (the sanity check's) is another owner and never reads the learned model's readings; at most
    ``limit`` readings an owner, the least recently used dropped first; thread-safe (panels run in threads)."""

    def __init__(self) -> None:
        self._by: "weakref.WeakKeyDictionary[Any, OrderedDict]" = weakref.WeakKeyDictionary()
        self._lock = threading.Lock()

    def found(self, owner: Any, keys: list) -> dict:
        """{key: reading} of the ``keys`` read before, each marked as just used."""
        with self._lock:
            cache = self._by.setdefault(owner, OrderedDict())
            got = {k: cache[k] for k in keys if k in cache}
            for k in got:
                cache.move_to_end(k)
        return got

    def keep(self, owner: Any, readings: dict, limit: int) -> None:
        with self._lock:
            cache = self._by.setdefault(owner, OrderedDict())
            cache.update(readings)
            while len(cache) > limit:
                cache.popitem(last=False)

    def forget(self, owner: Any) -> None:
        with self._lock:
            self._by.pop(owner, None)


__all__ = ["Modality", "Prepared", "ReadingCache", "Encoded", "load_modality", "from_pretrained", "resolve_path", "weights_policy",
           "OFFLINE_HINT", "SENTIMENTS", "BIN_HINT", "NO_REVISION", "cached_revisions", "label_keys_unmatched",
           "looks_like_path", "model_config", "model_families", "no_folder", "pickled_only", "unused_revision", "wrong_kind"]
