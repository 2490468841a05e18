"""MultimodalSentimentModel: one object that predicts sentiment from any subset of text, image and audio."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import replace
from pathlib import Path
from types import MappingProxyType
from typing import Any, Iterable, Mapping

import torch

from msa_demo.config import Preset, load_preset
from msa_demo.errors import InputError, ModelLoadError, MsaError, NoFace, NothingRead
from msa_demo.fusion import WeightedLateFusion
from msa_demo.inputs import Inputs, empty_text, text_not_read
from msa_demo import language
from msa_demo.labels import SENTIMENTS, labels_to_sentiment
from msa_demo.labels import probs_dict as _probs_dict
from msa_demo import registry
from msa_demo.prediction import ModalityPrediction, Prediction, too_small
from msa_demo.modalities import (OFFLINE_HINT, Encoded, Modality, Prepared, is_pinned, load_modality, unused_revision,
                                 resolve_path)



def loads_here(preset: Preset, device: str | None = None, dtype: str | None = None) -> dict[str, str | None]:
    """Each modality of ``preset`` (and its trained fusion head) loaded on this machine, one at a time and let go,
    no stand-in: None where it loads, else why not, its one line (``check-preset --load``: "will this preset run
    here?", which an offline check of the file cannot tell: a model cut short, a revision the cache lacks)."""
    dev = pick_device(device)
    dt = pick_dtype(dev, dtype)
    out: dict[str, str | None] = {}
    for name, spec in preset.modalities.items():
        try:
            load_modality(name, spec, dev, dt)
            out[name] = None
        except MsaError as exc:
            out[name] = str(exc)
    if preset.fusion != "weighted":
        from msa_demo.fusion import load_fusion

        try:
            load_fusion(preset.fusion, device=dev)
            out["fusion"] = None
        except MsaError as exc:
            out["fusion"] = str(exc)
    return out


def pick_device(override: str | None = None) -> torch.device:
    """cuda -> mps -> cpu, unless ``override`` names one."""
    if override and override != "auto":
        try:
            dev = torch.device(override)
        except RuntimeError:
            raise InputError(f"Unknown device '{override}'; use auto, cpu, cuda or mps.") from None
        if dev.type == "cuda" and not torch.cuda.is_available():
            raise InputError("A CUDA GPU was asked for, but none is available here.")
        return dev
    if torch.cuda.is_available():
        return torch.device("cuda")
    if getattr(torch.backends, "mps", None) and torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def pick_dtype(device: torch.device, override: str | None = None) -> torch.dtype:
    """bf16 on a GPU that supports it, fp16 on mps, fp32 on cpu (or as asked)."""
    if override and override != "auto":
        table = {"float32": torch.float32, "fp32": torch.float32, "bfloat16": torch.bfloat16, "bf16": torch.bfloat16,
                 "float16": torch.float16, "fp16": torch.float16}
        if override not in table:
            raise InputError(f"Unknown dtype '{override}'; use auto, float32, bfloat16 or float16.")
        return table[override]
    if device.type == "cuda" and torch.cuda.is_bf16_supported():
        return torch.bfloat16
    if device.type == "mps":
        return torch.float16
    return torch.float32


def device_name(device: torch.device) -> str:
    if device.type == "cuda":
        return f"GPU: {torch.cuda.get_device_name(device)}"
    return {"mps": "Apple GPU (mps)", "cpu": "CPU"}.get(device.type, str(device))


def compact(vector: torch.Tensor) -> list[float]:
    """A feature vector as a short list of floats: float32, six significant digits (a JSON line stays short)."""
    return [float(f"{v:.6g}") for v in vector.detach().float().cpu().tolist()]


def top_label(probs: dict[str, float]) -> str:
    return max(probs, key=probs.get)


def loading_notices(preset: Preset, outcomes: list[tuple[str, bool, str]]) -> list[str]:
    """One line per cause: modalities whose own models failed for the same reason (the Hub cannot be reached)
    and met the same end (a stand-in serves; switched off) are said together.
    ``outcomes``: (modality, whether the fallback's model stands in, why its own model failed)."""
    groups: dict[tuple[bool, str], list[tuple[str, str]]] = {}
    for name, served, cause in outcomes:
        own = preset.modalities[name]
        lead = f"Cannot load '{own.model_id}' (revision {own.revision})"
        reason = cause[len(lead):].lstrip(": ") if cause.startswith(lead) else cause  # without the model's id
        groups.setdefault((served, reason), []).append((name, cause))
    lines = []
    for (served, reason), members in groups.items():
        names = [n for n, _ in members]
        ids = ", ".join(dict.fromkeys(f"'{preset.modalities[n].model_id}'" for n in names))  # image and video
        # share one model: named once
        who = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        why = members[0][1] if len(members) == 1 else reason[:1].upper() + reason[1:]
        lead = f"{who[:1].upper() + who[1:]}: {ids} could not be loaded"
        if served:
            models = "model stands" if len(names) == 1 else "models stand"
            lines.append(f"{lead}, so the {preset.fallback} {who} {models} in. ({why})")
        else:
            them, are = ("it", "is") if len(names) == 1 else ("them", "are")
            lines.append(f"{lead} and nothing stands in for {them}, so {who} {are} switched off. ({why})")
    return lines


# every input given and switched on abstains (a clip with no face and no sound): no verdict, and why
NOTHING_READ = ("Nothing could be read, so there is no verdict: {why}, and no other input is given and "
                "switched on. {advice}")


# a clip's sound track, when an audio clip is given too (the one given is the voice)
SOUND_NOT_USED = "Video: its sound track was not used; the audio clip given was read as the voice instead."
# the same clip, with the audio switched off: neither the clip given nor the sound track was heard
SOUND_OFF = "Video: its sound track was not used either: the audio input is switched off."
# every input given is switched off (``use``), or has no model in this preset: no verdict either
ALL_SWITCHED_OFF = "Every input given is switched off ({off}), so there is no verdict: switch at least one on."
# what a clip brings (its sound track, the words said in it) with that input switched off: not read, so its own notes
# ("Audio: the video's sound track (no audio clip was given).", as if heard) give way to one that says so
CARRIED_OFF = {"audio": "Audio: the video's sound track was not used: the audio input is switched off.",
               "text": "Text: the words said in the video were not used: the text input is switched off."}
# the audio switched on, the video off, and a clip without sound: "every input given is switched off (video)" blamed
# the switch the user had turned on
NO_SOUND_TO_READ = ("The video has no sound, so the audio switched on has nothing to read, and what was given is "
                    "switched off ({off}): there is no verdict. Switch the video on, or give an audio clip.")
NO_MODEL_READS = "No model of this preset reads the inputs given ({given}), so there is no verdict."
# a head trained by `msa_demo train` on some modalities: the others' models still load (their verdicts alone), but
# its verdict never reads them (a picture given to a text-only head was listed as used and changed nothing)
HEAD_DOES_NOT_READ = "This preset's trained fusion head reads only {reads}, so the {m} was not used."
HEAD_READS_NONE = ("This preset's trained fusion head reads only {reads}, and none was given ({given}), so there is no "
                   "verdict: give {reads}.")
# a head whose feature sizes are not the loaded models' (trained while a stand-in served): set aside, as for a stand-in
HEAD_MISFIT = ("The trained fusion head reads features of other sizes than the models loaded give ({sizes}), so the "
               "modalities' sentiments are averaged (late fusion) instead.")
# a picture in which the face model finds no face, beside something else to read: left out (the face model abstains,
# "no face") rather than a scene read as a face (:meth:`MultimodalSentimentModel.face_check`); in a photo, where the
# face may be too small to find, with the advice to crop it (alone: ``errors.NoFace``)
NO_FACE_LEFT_OUT = "Image: no face was found, so the face model abstains and the picture is not used."
NO_FACE_IN_PHOTO_LEFT_OUT = ("Image: no face was found, so the face model abstains and the picture is not used; a "
                             "face under {px} px across in a {size} picture is too small to find: crop the picture to "
                             "the face.")
# a head trained on two classes: its fused neutral is always 0 %
NEVER_SAYS = "This preset's trained fusion head knows only {labels}: its verdict is never {missing}."


def nothing_read(inputs: Inputs, use: Iterable[str]) -> str | None:
    """``NOTHING_READ`` filled in when every input given and switched on abstains (a clip with no face and no
    sound, a voice clip in which no one speaks), else None."""
    given = [m for m in inputs.present() if m in set(use)]
    gone = [m for m in given if getattr(inputs.get(m), "abstains", False)]
    if gone and len(gone) == len(given):
        return NOTHING_READ.format(why="; ".join(inputs.get(m).abstains_why for m in gone),
                                   advice=inputs.get(gone[-1]).abstains_advice)  # the clip's, where one is given
    return None


def carried_off(inputs: Inputs, off: Iterable[str], notices: list[str]) -> list[str]:
    """``notices`` with the notes of each input a clip brought but the user switched off replaced by one line that
    says it was not used (``CARRIED_OFF``): a page that said the sound track was the audio, with the audio off,
    pointed at the wrong cause."""
    for m in off:
        value = inputs.get(m)
        if m in CARRIED_OFF and getattr(value, "carried_by", None):
            own = set(getattr(value, "notices", None) or [])
            at = next((i for i, n in enumerate(notices) if n in own), len(notices))
            notices = [n for n in notices if n not in own]
            notices.insert(at, CARRIED_OFF[m])
    return notices


def no_sound_to_read(inputs: Inputs, use: Iterable[str], off: Iterable[str]) -> str | None:
    """``NO_SOUND_TO_READ`` when the audio is switched on, none is given and the video given (switched off) has no
    sound to bring, else None."""
    video = inputs.get("video")
    if "audio" in set(use) and inputs.get("audio") is None and video is not None and \
            getattr(video, "sound", False) is None:
        return NO_SOUND_TO_READ.format(off=", ".join(off))
    return None


_LIBC: list = []  # glibc, once loaded (None where there is none)
_TRIMMED = [0.0]  # when the heap was last trimmed
TRIM_EVERY = 1.0  # seconds: the least time between two trims asked for without ``force``


M_ARENA_MAX = -8  # glibc's mallopt parameter number
ARENAS = 2  # the C heaps the server's threads share (glibc's default: 8 per core)


def _libc():
    """glibc, loaded once; None where there is none (another C library, another system)."""
    if not _LIBC:
        import ctypes
        import ctypes.util

        try:
            lib = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
            _LIBC.append(lib if hasattr(lib, "malloc_trim") and hasattr(lib, "mallopt") else None)
        except OSError:
            _LIBC.append(None)
    return _LIBC[0]


def limit_heaps(arenas: int = ARENAS) -> bool:
    """Let the threads made from now on share ``arenas`` C heaps (glibc's ``M_ARENA_MAX``; its default is 8 per
    core), unless ``MALLOC_ARENA_MAX`` is set. A server's request threads (Gradio's, a panel's, Whisper's) each got
    a heap of their own, up to 16 on 2 cores, and what each kept after its batches were freed (pieces of pages
    still in use beside freed ones, which ``release_memory`` cannot hand back) added up: after big inputs
    explained at once (a 4000x3000 photo, a 5-minute clip, a 3-minute video, a 5,000-word text), the server stayed
    0.1-0.2 GB above where it started, and its peak was higher. Call it before the server's threads start. True
    when set."""
    import os

    if os.environ.get("MALLOC_ARENA_MAX") or _libc() is None:
        return False
    return bool(_libc().mallopt(M_ARENA_MAX, int(arenas)))


def release_memory(force: bool = False) -> None:
    """Hand the C heap's free pages back to the system (glibc's ``malloc_trim``; a few ms): a prediction's or an
    explanation's batches, freed, stay in the heap of the thread that made them (a panel's, a request's) and are
    counted in the process's resident memory until then (lite: about 330 MB after the curated examples). At most
    once a ``TRIM_EVERY`` unless ``force``; a no-op without glibc."""
    now = time.monotonic()
    if not force and now - _TRIMMED[0] < TRIM_EVERY:
        return
    _TRIMMED[0] = now
    if _libc() is not None:
        _libc().malloc_trim(0)


def _tensor_bytes(value: Any) -> int:
    """Bytes of the tensors and arrays in ``value`` (a dict, list or tuple of them, nested)."""
    if isinstance(value, torch.Tensor):
        return value.numel() * value.element_size()
    if hasattr(value, "nbytes") and hasattr(value, "dtype"):  # a numpy array
        return int(value.nbytes)
    if isinstance(value, dict):
        return sum(_tensor_bytes(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return sum(_tensor_bytes(v) for v in value[:64]) if value and not isinstance(value[0], (str, int, float)) \
            else 0
    return 0


def _head(fusion, what: str):
    """A trained fusion head's ``what``: the modalities it was trained on (``msa_demo train --modalities``), its
    labels; None for late fusion."""
    return getattr(getattr(fusion, "net", None), what, None)


class MultimodalSentimentModel:
    """Modalities + fusion. ``predict`` accepts any subset; encoder outputs are cached per input."""

    cache_size = 64
    cache_bytes = 256 * 2**20  # and at most this many bytes of tensors (a 30 s clip's waveform is 1.9 MB)
    _cached_bytes = 0
    # what loading left behind; class-level defaults for a model assembled by hand (tests build planted ones)
    requested: Preset | None = None
    notices: list[str] | tuple[str, ...] = ()
    unavailable: Mapping[str, str] = MappingProxyType({})
    head_gave_way: str | None = None  # why the trained head was set aside at the first verdict, if it was

    def __init__(self, preset: Preset, device: str | None = None, dtype: str | None = None) -> None:
        self.requested = preset  # the preset as asked for; ``preset`` is what actually serves each modality
        self.device = pick_device(device)
        self.dtype = pick_dtype(self.device, dtype)
        self.notices: list[str] = []  # plain lines about how loading went (stand-ins, switched-off modalities)
        self.unavailable: dict[str, str] = {}  # modality -> why it has no model
        self.modalities, self.preset = self._load_modalities(preset)
        self.fusion = self._load_fusion()
        self._cache: OrderedDict[tuple[str, str], tuple[Prepared, Encoded]] = OrderedDict()
        self._cache_lock = threading.Lock()  # panels made at once, and concurrent requests, share the cache
        self._sizes: dict[tuple[str, str], int] = {}  # bytes of tensors of each cached entry
        self._cached_bytes = 0
        self.encoder_runs = 0  # how many times an encoder actually ran (the cache's effect is visible)

    @classmethod
    def from_preset(cls, name_or_path: str | Path = "hub", device: str | None = None, dtype: str | None = None):
        return cls(load_preset(name_or_path), device=device, dtype=dtype)

    def _load_modalities(self, preset: Preset) -> tuple[dict[str, Modality], Preset]:
        """Each modality's model; where one cannot load and the preset names a ``fallback``, that preset's
        model for the modality stands in (or the modality is switched off), with a notice. When no modality
        of the preset loads at all, the first failure is raised: replacing a whole preset is the caller's."""
        loaded: dict[str, Modality] = {}
        failed: dict[str, ModelLoadError] = {}
        for name, spec in preset.modalities.items():
            try:
                loaded[name] = load_modality(name, spec, self.device, self.dtype)
            except ModelLoadError as exc:
                if not preset.fallback:
                    raise
                failed[name] = exc
        if failed and not loaded:
            raise next(iter(failed.values()))
        specs = {m: s for m, s in preset.modalities.items() if m in loaded}
        stand_ins = self._stand_in_specs(preset.fallback) if failed else {}
        outcomes: list[tuple[str, bool, str]] = []  # (modality, a stand-in serves, why its own model failed)
        for name, exc in failed.items():
            cause = str(exc).replace(OFFLINE_HINT, "")  # the other modalities are not offline
            own = preset.modalities[name]
            spec = stand_ins.get(name)
            if spec is not None:
                try:
                    loaded[name] = load_modality(name, spec, self.device, self.dtype)
                    specs[name] = replace(spec, weight=own.weight)  # the preset's fusion weight is kept
                    outcomes.append((name, True, cause))
                    continue
                except MsaError as exc2:
                    cause = f"{cause} The {preset.fallback} stand-in failed too: {exc2}"
            self.unavailable[name] = cause
            outcomes.append((name, False, cause))
        self.notices += loading_notices(preset, outcomes)
        self.notices += [line for m in loaded if (line := unused_revision(preset.modalities[m], m))
                         and specs[m] is preset.modalities[m]]
        order = [m for m in preset.modalities if m in loaded]
        effective = replace(preset, modalities={m: specs[m] for m in order})
        return {m: loaded[m] for m in order}, effective

    @staticmethod
    def _stand_in_specs(fallback: str) -> dict:
        try:
            return dict(load_preset(fallback).modalities)
        except MsaError:
            return {}

    @property
    def stand_ins(self) -> list[str]:
        """Modalities served by the fallback preset's model instead of this preset's own."""
        if self.requested is None:
            return []
        return [m for m, s in self.preset.modalities.items() if s is not self.requested.modalities.get(m)]

    def _load_fusion(self):
        """Late fusion over sentiment probabilities, or the preset's trained head. A trained head reads the
        features of the models it was trained on, so where a stand-in serves one of its modalities (other
        features, often another size) the head is set aside for late fusion, which any model can feed."""
        late = WeightedLateFusion({m: s.weight for m, s in self.preset.modalities.items()})
        if self.preset.fusion == "weighted":
            return late
        fusion = self._load_trained_fusion()
        replaced = set(self.stand_ins)
        reads = set(_head(fusion, "modalities") or replaced)
        if replaced & reads:
            self.notices.append(
                f"The trained fusion head reads the features of this preset's own {', '.join(sorted(replaced & reads))}"
                " model, not those of its stand-in, so the modalities' sentiments are averaged (late fusion) instead.")
            return late
        return fusion

    @property
    def head_reads(self) -> list[str]:
        """The modalities the fused verdict reads: a trained head's own (``msa_demo train --modalities``), else every
        modality the preset has a model for."""
        return list(_head(self.fusion, "modalities") or self.modalities)

    @property
    def never_says(self) -> list[str]:
        """The sentiments a trained head's classes never reach (a two-class head: ["neutral"]); [] for late fusion."""
        labels = _head(self.fusion, "labels")
        if not labels:
            return []
        reach = labels_to_sentiment(torch.eye(len(labels)), list(labels)).sum(0)
        return [s for s, r in zip(SENTIMENTS, reach.tolist()) if r <= 0]

    def _load_trained_fusion(self):
        from msa_demo.fusion import load_fusion  # a trained head saved by `msa_demo train`

        return load_fusion(self.preset.fusion, device=self.device)

    # ------------------------------------------------------------ inputs and encoders

    def read_inputs(self, *args: Any, **values: Any) -> Inputs:
        """Decode raw values (strings, paths, bytes, arrays, Gradio values) into clean inputs, each by its
        registered modality (``read_inputs(text=..., image=..., audio=...)``, or positionally in that order)."""
        raw = registry.by_position(args, values)
        got = {}
        for k in registry.kinds():
            if raw.get(k.name) is not None:
                try:
                    got[k.name] = k.read(raw[k.name], self)
                except InputError as exc:
                    exc.modality = exc.modality or k.name  # whose input it was (the page says how to go on without)
                    raise
        got = {n: v for n, v in got.items() if v is not None}  # an empty text box gives nothing
        if not got and empty_text(raw.get("text")):  # a text given alone that holds no words: said what it holds
            error = InputError(empty_text(raw.get("text")))
            error.modality = "text"
            raise error
        carried = {}  # what an input carries (a clip's sound track, the words said in it) unless given itself
        for name, x in got.items():
            for n, v in (getattr(x, "carries", None) or {}).items():
                said = getattr(x, "notices", None)
                if n == "audio" and n in got and not callable(v) and said is not None and SOUND_NOT_USED not in said:
                    x.notices.append(SOUND_NOT_USED)  # a clip's voice passed over: said, not silently
                if n not in got and n not in carried:
                    v = v() if callable(v) else v  # made only when wanted (the words: speech recognition)
                    if v is not None:
                        try:
                            v.carried_by = name  # recorded as brought, not given (``explain.inputs_record``)
                        except AttributeError:
                            pass
                        carried[n] = v
        inputs = Inputs(**{**carried, **got})
        unread = text_not_read(raw.get("text")) if "text" not in got else None
        if unread:  # a text of spaces beside a clip: the clip is read, and the text said not to be
            inputs.unread.append(unread)
        return inputs

    def encode(self, modality: str, value: Any, keep: bool = True) -> tuple[Prepared, Encoded]:
        """Prepare and run one modality's model on a clean input, cached by the input's content (``keep=False``:
        found there but not put there: a what-if's edited text or a tone's altered clip is read once, and a search's
        64 of them pushed the readings of the inputs themselves, this page's and other visitors', out)."""
        hit = self.encoded_already(modality, value)
        if hit is not None:
            return hit
        key = (modality, value.key)
        mod = self.modalities[modality]
        prepared = mod.prepare(value)
        t0 = time.perf_counter()
        encoded = mod.encode(prepared)
        took = time.perf_counter() - t0
        if not keep:
            with self._cache_lock:
                self.encoder_runs += 1
            return prepared, encoded
        x = prepared.inputs.get(mod.attr_key)
        if isinstance(x, torch.Tensor):  # what one row of this size costs: the time budget's first price
            seconds = self.__dict__.setdefault("encode_seconds", OrderedDict())
            seconds[(modality, tuple(x.shape))] = took
            while len(seconds) > self.cache_size:
                seconds.popitem(last=False)
        size = _tensor_bytes(prepared.inputs) + _tensor_bytes(prepared.info) + _tensor_bytes(vars(encoded))
        with self._cache_lock:
            self.encoder_runs += 1
            sizes = self.__dict__.setdefault("_sizes", {})  # a model assembled by hand (tests) starts one here
            if key in self._cache:
                self._cached_bytes -= sizes.pop(key, 0)
            self._cache[key] = (prepared, encoded)
            sizes[key] = size
            self._cached_bytes += size
            while len(self._cache) > 1 and (len(self._cache) > self.cache_size
                                            or self._cached_bytes > self.cache_bytes):
                old, _ = self._cache.popitem(last=False)
                self._cached_bytes -= sizes.pop(old, 0)
        return prepared, encoded

    def encoded_already(self, modality: str, value: Any) -> tuple[Prepared, Encoded] | None:
        """What :meth:`encode` keeps for this input (kept the longest from now on), or None: nothing is run (an
        input switched off is not read for the explanation's record)."""
        key = (modality, value.key)
        with self._cache_lock:
            hit = self._cache.get(key)
            if hit is not None:
                self._cache.move_to_end(key)
            return hit

    def forget(self) -> None:
        """Drop the kept encodings: the next prediction runs every encoder again (a warm-up that should leave
        nothing behind, a benchmark of first explanations)."""
        with self._cache_lock:
            self._cache.clear()
            self.__dict__.get("_sizes", {}).clear()
            self._cached_bytes = 0
        for mod in self.modalities.values():
            getattr(mod, "forget", lambda: None)()  # what a model keeps itself (the lite text's windows)

    # ------------------------------------------------------------ prediction

    def finds_no_face(self, modality: str, value: Any) -> bool:
        """Whether ``value`` is a picture in which this preset's face model finds no face (read now, the reading kept
        for the prediction): the face model abstains on it ("no face") rather than read a scene as a face."""
        if modality != "image" or modality not in self.modalities or value is None:
            return False
        prepared, _ = self.encode(modality, value)
        return prepared.info.get("face_found") is False

    def face_check(self, inputs: Inputs, use: Iterable[str] | None = None,
                   face_anyway: bool = False) -> tuple[list[str], str | None]:
        """(the inputs given that ``use`` switches on (None: every one) whose face model finds no face, the notice
        that says they are left out, or None): the one rule of every way in (:meth:`predict` and ``explain`` apply
        it; the dashboard, the command line, the JSON endpoints and dataset mode get it from there): such a picture
        is not read unless a person asks to read it as a face all the same (``face_anyway``). A picture that was all
        there was to read is :class:`errors.NoFace` (no verdict; in a photo, the advice to crop it to the face)."""
        present = inputs.present()
        wanted = [m for m in (present if use is None else use) if m in present]
        faceless = [] if face_anyway else [m for m in wanted if self.finds_no_face(m, inputs.get(m))]
        if not faceless:
            return [], None
        small = too_small(self.encode("image", inputs.image)[0].info)  # kept from ``finds_no_face``
        if len(faceless) == len(wanted):
            raise NoFace(small, inputs.image.notices)
        return faceless, NO_FACE_IN_PHOTO_LEFT_OUT.format(**small) if small else NO_FACE_LEFT_OUT

    def predict(self, *args: Any, use: Iterable[str] | None = None, inputs: Inputs | None = None,
                abstained: Iterable[str] = (), face_anyway: bool = False, **values: Any) -> Prediction:
        """Fused sentiment over the present modalities that ``use`` switches on (default: all). Raw values by
        modality name (``predict(text=..., audio=...)``), or ``inputs`` read already. A picture in which the face
        model finds no face is left out, said in a notice and listed in ``abstained`` (:meth:`face_check`; alone,
        :class:`errors.NoFace`), unless ``face_anyway`` asks to read it as a face all the same. ``abstained``: those
        a caller left out of ``use`` because their model abstains, recorded as such, not as switched off."""
        inputs = inputs if inputs is not None else self.read_inputs(*args, **values)
        known = registry.names()
        wanted = set(known if use is None else use)
        unknown = wanted - set(known)
        if unknown:
            raise InputError(f"Unknown modalit{'y' if len(unknown) == 1 else 'ies'} "
                             f"{', '.join(repr(u) for u in sorted(unknown))}; use {registry.choices()}.")
        if not inputs.present():  # a verdict from nothing given would be the fusion's prior
            raise InputError(f"Give at least one input: {registry.choices('or')}.")
        notices = list(inputs.notices())
        if self.head_gave_way:  # the trained head set aside, its features not these encoders' (``_head_misfit``):
            notices.append(self.head_gave_way)  # said on every verdict
        used, off, gone, reads = [], [], [], self.head_reads
        abstained = set(abstained)
        faceless, said = self.face_check(inputs, [m for m in inputs.present() if m in wanted], face_anyway)
        wanted -= set(faceless)
        for m in inputs.present():
            if m in self.unavailable:
                notices.append(f"The {m} model could not be loaded, so the {m} was not used.")
            elif m not in self.modalities:
                notices.append(f"This preset has no {m} model, so the {m} was not used.")
            elif m not in reads:
                notices.append(HEAD_DOES_NOT_READ.format(reads=", ".join(reads), m=m))
            elif m in faceless:  # its face model found no face: it abstains ("no face")
                gone.append(m)
            elif m not in wanted:
                (gone if m in abstained else off).append(m)
            elif getattr(inputs.get(m), "abstains", False):  # its model has nothing to read (its notice says why)
                gone.append(m)
                notices.extend(n for n in inputs.get(m).notices if n not in notices)  # lite audio's: found on asking
            else:
                used.append(m)
        if said:
            notices.append(said)
        notices = carried_off(inputs, off, notices)
        if "audio" in off and SOUND_NOT_USED in notices:  # it said the audio clip was heard instead: it was not
            notices[notices.index(SOUND_NOT_USED)] = SOUND_OFF
        if not used and inputs.present():  # a verdict from nothing read would be the fusion's prior: none, said why
            why = nothing_read(inputs, wanted)
            if why:
                raise NothingRead(why)
            if off:
                raise InputError(no_sound_to_read(inputs, wanted, off) or ALL_SWITCHED_OFF.format(off=", ".join(off)))
            if any(m in self.modalities for m in inputs.present()):  # a model reads it, but not the trained head
                raise InputError(HEAD_READS_NONE.format(reads=" or ".join(reads),
                                                        given=", ".join(inputs.present())))
            raise InputError(NO_MODEL_READS.format(given=", ".join(inputs.present())))
        encoded: dict[str, Encoded] = {}
        per: dict[str, ModalityPrediction] = {}
        for m in used:
            prepared, enc = self.encode(m, getattr(inputs, m))
            notices.extend(n for n in prepared.notices if n not in notices)
            encoded[m] = enc
            spec = self.preset.modalities[m]
            probs = _probs_dict(enc.probs)
            read = language.check(m, prepared.info, spec)  # the words' language against the declared ones
            per[m] = ModalityPrediction(m, probs, top_label(probs), enc.label_probs, spec.model_id, spec.revision,
                                        **read)
            # a head that learned "neutral" from some languages only (its config's ``neutral_languages``) says so
            learned = (getattr(self.modalities[m], "head_config", None) or {}).get("neutral_languages")
            for line in (language.notice(m, read), language.neutral_notice(m, read, learned)):
                if line and line not in notices:
                    notices.append(line)
        misfit = self._head_misfit(encoded)
        if misfit:  # a head trained on other encoders' features gives way, as it does to a stand-in (it had crashed:
            # "The size of tensor a (32) must match the size of tensor b (384)")
            self.fusion = WeightedLateFusion({m: s.weight for m, s in self.preset.modalities.items()})
            self.head_gave_way = misfit
            self.notices.append(misfit)
            return self.predict(use=use, inputs=inputs, abstained=abstained,  # the encodings are kept
                                face_anyway=face_anyway)
        fused_t, vector = self.fuse_read(encoded)
        fused = _probs_dict(fused_t)
        missing = self.never_says
        if missing:
            notices.append(NEVER_SAYS.format(labels=", ".join(self.fusion.net.labels), missing=" or ".join(missing)))
        if self.device.type == "cpu":
            release_memory()
        return Prediction(fused, top_label(fused), per, used, off, notices, self.preset.name, self.fusion.describe(),
                          fused_features=compact(vector), abstained=gone)

    def _head_misfit(self, encoded: dict[str, Encoded]) -> str | None:
        """The one line that says why the trained head cannot read these features (None: it can): its feature
        sizes (config.json's ``dims``) are not those of the encoders loaded (a head trained while a stand-in served,
        a preset.json edited by hand)."""
        net = getattr(self.fusion, "net", None)
        if net is None:
            return None
        wrong = []
        for m, e in encoded.items():
            want = net.input_dim if net.kind == "head" else net.dims.get(m)
            have = int(e.features.numel()) if e.features is not None else None
            if m in net.modalities and want is not None and have is not None and have != want:
                wrong.append(f"{m} {want}, its model gives {have}")
        if not wrong:
            return None
        return HEAD_MISFIT.format(sizes="; ".join(wrong))

    def fuse(self, encoded: dict[str, Encoded]) -> torch.Tensor:
        probs = {m: e.probs.unsqueeze(0) for m, e in encoded.items()}
        feats = {m: e.features.unsqueeze(0) for m, e in encoded.items()}
        with torch.no_grad():
            return self.fusion(probs, feats)[0].float().cpu()

    def fuse_read(self, encoded: dict[str, Encoded]) -> tuple[torch.Tensor, torch.Tensor]:
        """(fused probabilities [3], fused features [D]: what the fusion reads its verdict from, one pass;
        ``fusion.fuse_and_read``)."""
        from msa_demo.fusion import fuse_and_read

        probs = {m: e.probs.unsqueeze(0) for m, e in encoded.items()}
        feats = {m: e.features.unsqueeze(0) for m, e in encoded.items()}
        with torch.no_grad():
            fused, vector = fuse_and_read(self.fusion, probs, feats)
        return fused[0].float().cpu(), vector.reshape(fused.shape[0], -1)[0].float().cpu()

    def describe(self) -> dict[str, Any]:
        return {
            "preset": self.preset.name,
            "device": device_name(self.device),
            "dtype": str(self.dtype).replace("torch.", ""),
            "models": {m: mod.describe() for m, mod in self.modalities.items()},
            "unpinned": [m for m, s in self.preset.modalities.items()
                         if resolve_path(s.model_id) is None and not is_pinned(s.revision)],
            "stand_ins": self.stand_ins,
            "switched_off": sorted(self.unavailable),
            "notices": list(self.notices),
        }
