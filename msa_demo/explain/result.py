"""The explanation result: plain dataclasses, JSON-serialisable (``to_dict`` / ``to_json`` / ``from_dict``).

The dashboard and the HTML report read ``Explanation.to_dict()``; keep this schema stable.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field, fields, is_dataclass
from typing import Any

from msa_demo.config import SENTIMENTS
from msa_demo.errors import InputError

TEXT_BASELINES = ("pad", "mask", "unk")
IMAGE_METHODS = ("integrated_gradients", "occlusion")
IMAGE_BASELINES = ("black", "blur", "mean")
IMAGE_REGIONS = ("grid", "superpixels")
AUDIO_METHODS = ("occlusion", "integrated_gradients")
AUDIO_BASELINES = ("silence", "noise")


def _clean(value: Any) -> Any:
    """JSON-safe plain data: dataclasses -> dicts, tuples -> lists, NaN/inf -> None, numpy/torch scalars -> float.
    (One walk that builds new containers: no ``asdict`` deep copy first.)"""
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _clean(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if isinstance(value, bool) or value is None or isinstance(value, (str, int)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
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
class Explanation(_Serial):
    prediction: dict
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

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Explanation":
        d = dict(data)
        d["maps"] = [m if isinstance(m, AttributionMap) else AttributionMap.from_dict(m) for m in d.get("maps") or []]
        if isinstance(d.get("modalities"), dict):
            d["modalities"] = ModalityContributions.from_dict(d["modalities"])
        d["cost"] = Cost.from_dict(d.get("cost") or {})
        for key, default in (("models", {}), ("options", {}), ("inputs", {}), ("notices", []), ("prediction", {})):
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


@dataclass
class ExplainOptions(_Serial):
    """Every setting of an explanation (stored in the result so it can be reproduced)."""

    text_baseline: str = "pad"  # pad | mask | unk (special tokens are always kept)
    ig_max_steps: int = 64  # adaptive IG: 8, 16, 32, ... steps until |delta| < 5 % of |f(x) - f(b)|
    image_methods: tuple = ("integrated_gradients", "occlusion")
    image_baseline: str = "blur"  # black | blur | mean
    grid: int = 7  # regions per side on the model input (regions="grid")
    regions: str = "grid"  # grid | superpixels (SLIC on the picture, drawn on the model input)
    superpixels: int = 50  # target number of SLIC segments (regions="superpixels"); SLIC may return fewer
    segment_seconds: float = 0.5
    audio_baseline: str = "silence"  # silence | noise (low, seeded)
    sanity: bool = False  # model-randomisation check (Adebayo et al. 2018), costs one more map per method
    seed: int = 0
    deletion_steps: int = 10
    audio_methods: tuple = ("occlusion",)  # add "integrated_gradients" for IG on the waveform
    ig_min_steps: int = 8
    ig_tolerance: float = 0.05
    batch_size: int = 0  # rows per model call (internal_batch_size / perturbations_per_eval); 0: auto (GPU 64, CPU 16)

    def __post_init__(self) -> None:
        self.image_methods = tuple([self.image_methods] if isinstance(self.image_methods, str) else self.image_methods)
        self.audio_methods = tuple([self.audio_methods] if isinstance(self.audio_methods, str) else self.audio_methods)
        checks = [
            (self.text_baseline in TEXT_BASELINES, f"text baseline must be one of {', '.join(TEXT_BASELINES)}"),
            (self.image_baseline in IMAGE_BASELINES, f"image baseline must be one of {', '.join(IMAGE_BASELINES)}"),
            (self.audio_baseline in AUDIO_BASELINES, f"audio baseline must be one of {', '.join(AUDIO_BASELINES)}"),
            (bool(self.image_methods) and all(m in IMAGE_METHODS for m in self.image_methods),
             f"image methods must be chosen from {', '.join(IMAGE_METHODS)}"),
            (all(m in AUDIO_METHODS for m in self.audio_methods),
             f"audio methods must be chosen from {', '.join(AUDIO_METHODS)}"),
            (isinstance(self.ig_max_steps, int) and 2 <= self.ig_max_steps <= 1024, "IG steps must be 2 to 1024"),
            (isinstance(self.ig_min_steps, int) and 2 <= self.ig_min_steps, "IG start steps must be at least 2"),
            (isinstance(self.grid, int) and 2 <= self.grid <= 64, "the image grid must be 2 to 64 cells a side"),
            (self.regions in IMAGE_REGIONS, f"image regions must be one of {', '.join(IMAGE_REGIONS)}"),
            (isinstance(self.superpixels, int) and not isinstance(self.superpixels, bool)
             and 4 <= self.superpixels <= 400, "the number of superpixels must be 4 to 400"),
            (0.02 <= float(self.segment_seconds) <= 30, "the audio segment length must be 0.02 to 30 seconds"),
            (isinstance(self.deletion_steps, int) and 2 <= self.deletion_steps <= 100, "deletion steps must be 2 to 100"),
            (isinstance(self.batch_size, int) and self.batch_size >= 0, "the batch size must be 0 (auto) or more"),
            (0 < float(self.ig_tolerance) < 1, "the IG tolerance must be between 0 and 1"),
        ]
        for ok, message in checks:
            if not ok:
                raise InputError(f"Explanation option: {message}.")


def check_target(target: str | None) -> str | None:
    if target is None or target == "":
        return None
    t = str(target).strip().lower()
    if t not in SENTIMENTS:
        raise InputError(f"The target class must be one of {', '.join(SENTIMENTS)} (got '{target}').")
    return t


__all__ = ["Cost", "Faithfulness", "AttributionMap", "ModalityContributions", "Explanation", "ExplainOptions",
           "check_target"]
