"""The explanation result: plain dataclasses, JSON-serialisable (``to_dict`` / ``to_json`` / ``from_dict``).

The dashboard and the HTML report read ``Explanation.to_dict()``; keep this schema stable.
"""

from __future__ import annotations

import functools
import json
import math
import numbers
from dataclasses import dataclass, field, fields, is_dataclass
from typing import Any

from msa_demo.config import SENTIMENTS
from msa_demo.errors import InputError
from msa_demo.explain.method_table import FALLBACK, METHODS
from msa_demo.prediction import Prediction

TEXT_BASELINES = ("pad", "mask", "unk")
TEXT_METHODS = tuple(METHODS)  # every method of the table, for every modality
IMAGE_METHODS = tuple(METHODS)
IMAGE_BASELINES = ("black", "blur", "mean")
IMAGE_REGIONS = ("grid", "superpixels")
AUDIO_METHODS = (FALLBACK,) + tuple(m for m in METHODS if m != FALLBACK)  # occlusion first: the default
AUDIO_BASELINES = ("silence", "noise")
AUDIO_LEVELS = ("auto", "latent", "waveform")


def _clean(value: Any) -> Any:
    """JSON-safe plain data: dataclasses -> dicts, tuples -> lists, NaN/inf -> None, numpy/torch scalars -> float.
    (One walk that builds new containers: no ``asdict`` deep copy first. Floats are tested first: a heat map
    is most of the values.)"""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, bool) or value is None or isinstance(value, (str, int)):
        return value
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _clean(getattr(value, f.name)) for f in fields(value)}
    try:
        f = float(value)
    except (TypeError, ValueError):
        return str(value)
    return f if math.isfinite(f) else None


class _Serial:
    def to_dict(self) -> dict[str, Any]:
        return _clean(self)

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    @classmethod
    def from_dict(cls, data: dict[str, Any]):
        names = {f.name for f in fields(cls)}  # type: ignore[arg-type]
        return cls(**{k: v for k, v in data.items() if k in names})

    @classmethod
    def from_json(cls, text: str):
        return cls.from_dict(json.loads(text))


@dataclass
class Cost(_Serial):
    forward_passes: int = 0  # model evaluations (one per input row; batching does not hide them)
    seconds: float = 0.0


@dataclass
class Faithfulness(_Serial):
    aopc: float
    aopc_random: float
    deletion_curve: list[float]
    random_curve: list[float]
    sanity_spearman: float | None = None
    # robustness: Captum's sensitivity_max (Yeh et al. 2019), the largest relative change of the map's scores
    # (Frobenius norm) under small noise at the point the map reads (pixels, waveform or latents, token embeddings)
    sensitivity: float | None = None


@dataclass
class AttributionMap(_Serial):
    modality: str
    method: str
    params: dict
    labels: list[str]
    scores: list[float]
    spans: list  # text: [char_start, char_end]; audio: [start_s, end_s]; image: [l, t, r, b] original pixels
    heatmap: list[list[float]] | None = None  # image only, <= 256 px on the long side
    delta: float | None = None  # IG convergence delta as a fraction of |f(x) - f(baseline)|
    faithfulness: Faithfulness | None = None
    cost: Cost = field(default_factory=Cost)
    # why the figures above cannot vouch for the map: "outside this model's languages" when the model read words
    # in a language its preset does not declare (the map shows how it reacted, not what the words mean)
    caveat: str | None = None

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "AttributionMap":
        d = dict(data)
        if isinstance(d.get("faithfulness"), dict):
            d["faithfulness"] = Faithfulness.from_dict(d["faithfulness"])
        d["cost"] = Cost.from_dict(d.get("cost") or {})
        return super().from_dict(d)


@dataclass
class ModalityContributions(_Serial):
    shapley: dict[str, float]
    interactions: dict[str, float]  # keys "text×image"
    value_all: float
    value_none: float
    without: dict[str, dict[str, float]]  # fused probabilities without X
    conflict: bool
    conflict_detail: str


@dataclass
class Counterfactual(_Serial):
    """A what-if, verified by the model: the units of one modality whose edit flips the fused verdict (or, with
    ``flipped`` False, the search that found none within its forwards).

    ``edit``: "remove" (the units replaced by the map's baseline), "antonym" or "neutral" (text: words replaced
    from the shipped lexicon, ``explain.lexicon``). ``units`` / ``indices`` / ``spans``: the units edited, as the
    map names them (its labels, feature indices and spans). ``replacements``: the words put in (text edits).
    ``edited``: the edited text as [piece, kind] pairs (kind "" kept, "removed", "added"), for text-like units.
    ``label`` / ``probs``: the fused verdict after the edit (for a search that found nothing: after its largest
    edit). ``minimal``: no unit of the set can be put back without losing the flip (the pruning finished)."""

    modality: str
    edit: str
    flipped: bool
    original: str
    label: str
    probs: dict[str, float]
    sentence: str
    units: list[str] = field(default_factory=list)
    indices: list[int] = field(default_factory=list)
    spans: list = field(default_factory=list)
    replacements: list[str] = field(default_factory=list)
    edited: list = field(default_factory=list)
    minimal: bool = False
    method: str = ""  # the map whose ranking the search started from
    max_forwards: int = 0
    stopped: str = ""  # what ended a search before it could try every set: "forwards" or "time" ("" if nothing)
    cost: Cost = field(default_factory=Cost)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Counterfactual":
        d = dict(data)
        d["cost"] = Cost.from_dict(d.get("cost") or {})
        return super().from_dict(d)


@dataclass
class ToneEffect(_Serial):
    """How one change of the clip's sound (pitch, speaking rate, loudness, noise; ``explain.tone``) moved the fused
    verdict: the fused probabilities after it, and ``moves`` = P(verdict) after - before."""

    kind: str
    change: str
    amount: float
    label: str
    probs: dict[str, float]
    moves: float
    flips: bool


@dataclass
class Explanation(_Serial):
    prediction: Prediction
    target: str
    maps: list[AttributionMap]
    modalities: ModalityContributions | None
    models: dict
    preset: str
    options: dict
    inputs: dict
    cost: Cost = field(default_factory=Cost)
    notices: list[str] = field(default_factory=list)
    # what each model read: {"audio": {"transcript", "words", "language", ...}, "image": {"face_found"}, ...}
    reading: dict = field(default_factory=dict)
    # what would change its mind: one Counterfactual per modality (and per text edit), when options.what_if
    what_if: list[Counterfactual] = field(default_factory=list)
    # how it sounds (options.tone): each change of the clip's sound and how far it moved the verdict, or a note
    # saying why there is none (an audio model that reads only the words)
    tone: list[ToneEffect] = field(default_factory=list)
    tone_note: str = ""

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Explanation":
        d = dict(data)
        d["what_if"] = [c if isinstance(c, Counterfactual) else Counterfactual.from_dict(c)
                        for c in d.get("what_if") or []]
        d["tone"] = [e if isinstance(e, ToneEffect) else ToneEffect.from_dict(e) for e in d.get("tone") or []]
        d["maps"] = [m if isinstance(m, AttributionMap) else AttributionMap.from_dict(m) for m in d.get("maps") or []]
        if isinstance(d.get("modalities"), dict):
            d["modalities"] = ModalityContributions.from_dict(d["modalities"])
        d["cost"] = Cost.from_dict(d.get("cost") or {})
        if not isinstance(d.get("prediction"), Prediction):
            d["prediction"] = Prediction.from_dict(d.get("prediction"))
        for key, default in (("models", {}), ("options", {}), ("inputs", {}), ("notices", [])):
            d.setdefault(key, default)
        d.setdefault("preset", "")
        d.setdefault("target", "")
        d.setdefault("modalities", None)
        return super().from_dict(d)

    def map(self, modality: str, method: str | None = None) -> AttributionMap | None:
        for m in self.maps:
            if m.modality == modality and (method is None or m.method == method):
                return m
        return None


@dataclass(frozen=True)
class OptionSpec:
    """One explanation setting as declared on :class:`ExplainOptions` (read by the validator, the CLI, the UI).

    kind: the type of the default: ``bool``, ``int``, ``float``, ``str``, or ``tuple`` (several of ``choices``).
    label: the setting's name in messages and on widgets ("IG steps").
    bounds: (low, high) for numbers, inclusive (exclusive when ``exclusive``); None on a side = unbounded.
    """

    name: str
    default: Any
    kind: type
    help: str = ""
    label: str = ""
    choices: tuple = ()
    bounds: tuple | None = None
    exclusive: bool = False
    unit: str = ""
    min_count: int = 0  # tuple options: how many choices at least

    @property
    def flag(self) -> str:
        """The command-line flag: ``--`` + the name with dashes."""
        return "--" + self.name.replace("_", "-")

    @property
    def title(self) -> str:
        """A widget's label: "the image grid" -> "Image grid"."""
        text = self.label or self.name.replace("_", " ")
        text = text[4:] if text.startswith("the ") else text
        return text[:1].upper() + text[1:]

    def check(self, value: Any) -> Any:
        """The value, normalised (a string or list for a tuple option -> tuple); InputError with one line if bad."""
        if self.kind is tuple:
            value = tuple([value] if isinstance(value, str) else value)
            if len(value) < self.min_count or not all(v in self.choices for v in value):
                self._fail(f"must be chosen from {', '.join(self.choices)}")
            return value
        if self.kind is bool:
            if not isinstance(value, bool):
                self._fail("must be true or false")
            return value
        if self.kind is str:
            if not isinstance(value, str) or (self.choices and value not in self.choices):
                self._fail(f"must be one of {', '.join(self.choices)}" if self.choices else "must be text")
            return value
        if self.kind not in (int, float):  # a field declared without a checkable kind
            return value
        number = isinstance(value, numbers.Integral if self.kind is int else numbers.Real)
        if not number or isinstance(value, bool):
            what = "a whole number" if self.kind is int else "a number"
            self._fail(f"must be {self.span} ({what})" if self.span else f"must be {what}")
        lo, hi = self.bounds or (None, None)
        if self.exclusive:
            ok = (lo is None or value > lo) and (hi is None or value < hi)
        else:
            ok = (lo is None or value >= lo) and (hi is None or value <= hi)
        if not ok:
            self._fail(f"must be {self.span}")
        if self.kind is int:
            return int(value)  # numpy integers too
        return value if isinstance(value, (int, float)) else float(value)

    @property
    def span(self) -> str:
        """The allowed range in words ("2 to 64 cells a side", "between 0 and 1", "at least 2"); "" if none."""
        lo, hi = self.bounds or (None, None)
        if lo is not None and hi is not None:
            text = f"between {lo} and {hi}" if self.exclusive else f"{lo} to {hi}"
        elif lo is not None:
            text = f"more than {lo}" if self.exclusive else f"at least {lo}"
        elif hi is not None:
            text = f"less than {hi}" if self.exclusive else f"at most {hi}"
        else:
            return ""
        return text + self.unit

    def _fail(self, what: str) -> None:
        raise InputError(f"Explanation option: {self.label or self.name} {what}.")


def option(default: Any, help: str, *, label: str = "", choices: tuple = (), bounds: tuple | None = None,
           exclusive: bool = False, unit: str = "", min_count: int = 0) -> Any:
    """A field of :class:`ExplainOptions` with its metadata (see :class:`OptionSpec`): declared once, read by all."""
    return field(default=default, metadata={"help": help, "label": label, "choices": tuple(choices), "bounds": bounds,
                                            "exclusive": exclusive, "unit": unit, "min_count": min_count})


@dataclass
class ExplainOptions(_Serial):
    """Every setting of an explanation (stored in the result so it can be reproduced).

    Each field is declared once, with its range or choices and its help (:func:`option`); the validation here,
    the ``explain`` command's flags and the dashboard's controls all read :func:`option_specs`.
    """

    text_baseline: str = option(
        "pad", "what replaces a word: the PAD, MASK or UNK token (special tokens are always kept)",
        label="text baseline", choices=TEXT_BASELINES)
    ig_max_steps: int = option(
        64, "adaptive IG's most steps (8, 16, 32, ... until |delta| < tolerance x |f(x) - f(baseline)|)",
        label="IG steps", bounds=(2, 1024))
    image_methods: tuple = option(
        ("integrated_gradients", "occlusion"), "which image attributions run",
        label="image methods", choices=IMAGE_METHODS, min_count=1)
    image_baseline: str = option(
        "blur", "what replaces an image region",
        label="image baseline", choices=IMAGE_BASELINES)
    grid: int = option(
        7, "regions per side on the model input (regions=grid)",
        label="the image grid", bounds=(2, 64), unit=" cells a side")
    regions: str = option(
        "grid", "image regions: a square grid, or SLIC superpixels on the picture drawn on the model input",
        label="image regions", choices=IMAGE_REGIONS)
    superpixels: int = option(
        50, "target number of SLIC superpixels (regions=superpixels); SLIC may return fewer",
        label="the number of superpixels", bounds=(4, 400))
    segment_seconds: float = option(
        0.5, "length of an audio segment, in seconds",
        label="the audio segment length", bounds=(0.02, 30), unit=" seconds")
    audio_baseline: str = option(
        "silence", "what replaces an audio segment: silence, or low noise (seeded)",
        label="audio baseline", choices=AUDIO_BASELINES)
    sanity: bool = option(
        False, "model-randomisation check (Adebayo et al. 2018); costs one more map per method",
        label="sanity check")
    seed: int = option(
        0, "seed of every random choice (noise baseline, random deletion order)",
        label="the seed", bounds=(0, 2**32 - 1))
    deletion_steps: int = option(
        10, "points on the deletion / AOPC curve",
        label="deletion steps", bounds=(2, 100))
    audio_methods: tuple = option(
        ("occlusion",), "which audio attributions run (integrated_gradients: IG on the waveform)",
        label="audio methods", choices=AUDIO_METHODS)
    ig_min_steps: int = option(
        8, "adaptive IG's first step count (it starts higher where the same model last needed more steps on an"
           " input of that size)",
        label="IG start steps", bounds=(2, None))
    ig_tolerance: float = option(
        0.05, "adaptive IG stops when |delta| < tolerance x |f(x) - f(baseline)|",
        label="the IG tolerance", bounds=(0, 1), exclusive=True)
    batch_size: int = option(
        0, "rows per model call (internal_batch_size / perturbations_per_eval); 0: auto (GPU 64, CPU 16)",
        label="the batch size", bounds=(0, None))
    audio_level: str = option(
        "auto", "audio occlusion replaces latent frames or waveform samples (auto: latent where the model's feature"
        " encoder normalises each frame alone, so that it matches the waveform's map)",
        label="the audio level", choices=AUDIO_LEVELS)
    text_methods: tuple = option(
        ("integrated_gradients",), "which text attributions run (integrated_gradients: Layer IG on the token"
        " embeddings; occlusion: word ablation; shapley_value_sampling: sampled word Shapley values)",
        label="text methods", choices=TEXT_METHODS, min_count=1)
    budget: float = option(
        0.0, "seconds the maps may take (0: no limit): IG steps, the image grid, audio segments and deletion-curve"
        " points are chosen to fit, and each map says what it gave up",
        label="the time budget", bounds=(0, 3600), unit=" seconds")
    what_if: bool = option(
        False, "what would change its mind: the fewest words, regions or segments whose removal (text: also their"
        " replacement by an antonym or a neutral word) flips the fused verdict, searched from each map's ranking"
        " and checked by the model",
        label="what-if")
    what_if_forwards: int = option(
        64, "model rows each what-if search may spend (per modality and per text edit)",
        label="what-if forwards", bounds=(1, 10000))
    tone: bool = option(
        False, "how it sounds: the clip said higher or lower, faster or slower, quieter or louder, or in noise"
        " (torchaudio), and how far each moves the fused verdict; not for an audio model that reads only words",
        label="how it sounds")
    robustness: bool = option(
        False, "how much each map changes under small input noise (Captum's sensitivity_max over a few noisy"
        " copies); costs that many more maps per method",
        label="robustness check")

    def __post_init__(self) -> None:
        for spec in option_specs(type(self)):
            setattr(self, spec.name, spec.check(getattr(self, spec.name)))


@functools.lru_cache(maxsize=None)
def option_specs(cls: type = ExplainOptions) -> tuple[OptionSpec, ...]:
    """The settings of ``cls`` (default :class:`ExplainOptions`) with their metadata, in declaration order.

    A field declared without :func:`option` is still listed (kind from its default, no range or choices).
    """
    out = []
    for f in fields(cls):
        meta = dict(f.metadata)
        out.append(OptionSpec(name=f.name, default=f.default, kind=type(f.default), help=meta.get("help", ""),
                              label=meta.get("label", ""), choices=meta.get("choices", ()),
                              bounds=meta.get("bounds"), exclusive=meta.get("exclusive", False),
                              unit=meta.get("unit", ""), min_count=meta.get("min_count", 0)))
    return tuple(out)


def check_target(target: str | None) -> str | None:
    if target is None or target == "":
        return None
    t = str(target).strip().lower()
    if t not in SENTIMENTS:
        raise InputError(f"The target class must be one of {', '.join(SENTIMENTS)} (got '{target}').")
    return t


__all__ = ["Cost", "Faithfulness", "AttributionMap", "ModalityContributions", "Counterfactual", "ToneEffect",
           "Explanation",
           "ExplainOptions",
           "OptionSpec", "check_target", "option", "option_specs"]
