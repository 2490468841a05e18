"""What a prediction says, typed: the fused sentiment and each used modality's own (``Prediction``).

``MultimodalSentimentModel.predict`` returns one; ``Explanation.prediction`` holds one. ``to_dict`` gives the JSON
form (the same keys as always); ``from_dict`` reads it back, old files included. Read fields as attributes
(``pred.label``, ``pred.modalities["text"].probs``); ``pred["label"]`` reads the JSON form of a field (kept for
code written against the plain dictionary an explanation once held).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, fields
from typing import Any, Iterable, Mapping

from msa_demo.config import NEAR_TIE


# a picture given at least this long is a photo, where a face may be too small to find: the advice is to crop it to the
# face (it had been to read it as a face all the same, which reads the whole scene as one face)
PHOTO_SIDE = 1000


def too_small(record: dict[str, Any] | None) -> dict[str, str] | None:
    """``{"px", "size"}`` for a picture's reading (``reading_record``'s "image") in which no face was found and
    that was given as a photo (at least ``PHOTO_SIDE`` px long): the smallest face found in it, in the pixels given,
    and its size, for the advice to crop it to the face; None otherwise. The 256-px example portrait pasted at 800
    px on a 4032 x 3024 canvas was "no face", and the advice was to read the whole scene as a face."""
    record = record or {}
    size = record.get("size_given")
    if record.get("face_found") is not False or not size or not record.get("smallest_face") or \
            max(size) < PHOTO_SIDE:
        return None
    return {"px": str(int(record["smallest_face"])), "size": f"{int(size[0])}×{int(size[1])}"}


def percent(p: float) -> int:
    """``p`` in the whole percent a verdict box shows it (Gradio's Label rounds half up). Every Label's value and
    the near-tie test read it, so that a verdict is called on the numbers a person sees."""
    return math.floor(float(p) * 100 + 0.5)


def percents(probs: Mapping[str, float]) -> dict[str, int]:
    """Each class's whole percent as the verdict boxes show them, summing to 100 (largest remainders: each class
    its percent rounded down, then the points still missing to the largest remainders, the likelier class first
    where they are equal). Each class rounded on its own had shown 75 / 14 / 12 % for 74.5 / 13.5 / 12 %: 101 %.
    A class's percent here is within one point of :func:`percent`'s."""
    values = {str(k): max(0.0, float(v)) for k, v in probs.items()}
    floors = {k: math.floor(100 * v) for k, v in values.items()}
    missing = round(100 * sum(values.values())) - sum(floors.values())
    order = sorted(values, key=lambda k: (-(100 * values[k] - floors[k]), -values[k]))
    for k in order[:max(0, missing)]:
        floors[k] += 1
    return floors


def too_close(probs: Mapping[str, float] | Iterable[float]) -> bool:
    """Are the top two of ``probs`` (by class, or the probabilities alone) closer than ``NEAR_TIE``, in the whole
    percents shown (:func:`percents`): "too close to call", not a decision, nor a side taken? The one test every
    view, the JSON and the conflict check make. On the shown percents, as the verdict box can only read its
    own: on the exact values, positive 50.2 % / negative 44.8 % was called by the summary and the JSON while its
    box, reading 50 / 45, was headed "too close to call"."""
    values = dict(probs) if isinstance(probs, Mapping) else dict(enumerate(probs))
    top = sorted(percents(values).values(), reverse=True)
    return len(top) > 1 and top[0] - top[1] < percent(NEAR_TIE)


@dataclass
class ModalityPrediction:
    """What one modality alone says."""

    modality: str
    probs: dict[str, float]
    label: str
    label_probs: dict[str, float]  # the model's own labels
    model_id: str
    revision: str
    # the words' language (text, a transcript), the languages the preset declares its model was trained on, and
    # whether they include it (None: not declared, or not told; all None for a model that reads no words)
    language: str | None = None
    languages: list[str] | None = None
    language_covered: bool | None = None
    # the languages a substantial part of the words is in besides ``language`` ([] for words in one language; None:
    # a model that reads no words, or a record saved before it was kept); outside ``languages``: not reliable either
    other_languages: list[str] | None = None

    @property
    def too_close(self) -> bool:
        """This modality's own top two classes are closer than ``NEAR_TIE``: "too close to call", as its verdict box
        and the summary say it, not a decision for ``label``."""
        return too_close(self.probs)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: the fields, and ``too_close`` (read, not kept: made again from ``probs``)."""
        return {**asdict(self), "too_close": self.too_close}

    @classmethod
    def from_dict(cls, data: dict[str, Any], modality: str = "") -> "ModalityPrediction":
        return cls(modality=data.get("modality") or modality, probs=dict(data.get("probs") or {}),
                   label=data.get("label") or "", label_probs=dict(data.get("label_probs") or {}),
                   model_id=data.get("model_id") or "", revision=data.get("revision") or "",
                   language=data.get("language"), languages=data.get("languages"),
                   language_covered=data.get("language_covered"), other_languages=data.get("other_languages"))


@dataclass
class Prediction:
    probs: dict[str, float]  # fused over the used modalities
    label: str
    modalities: dict[str, ModalityPrediction]  # each used modality's own prediction
    used: list[str]
    switched_off: list[str] = field(default_factory=list)  # present but not used
    notices: list[str] = field(default_factory=list)
    preset: str = ""
    fusion: dict[str, Any] = field(default_factory=dict)
    # what the fusion read its verdict from (``fusion.read``: fixed width for a model, whatever is present); empty in
    # files written before it was kept
    fused_features: list[float] = field(default_factory=list)
    # given and switched on, but not read because their model abstains (a picture without a face, a clip with no
    # words heard): said apart from ``switched_off``, the caller's own choice (both had read "switched_off")
    abstained: list[str] = field(default_factory=list)

    @property
    def too_close(self) -> bool:
        """The top two classes are closer than ``NEAR_TIE``: "too close to call", as every view says, not a decision
        for ``label``."""
        return too_close(self.probs)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: the fields, and ``too_close`` (read, not kept: made again from ``probs``), for the fused
        verdict and each modality's own (the JSON had said "positive" for the words alone at 33.8 / 33.2 / 33.0 %,
        beside the page's "Text alone: too close to call")."""
        return {**asdict(self), "modalities": {m: mp.to_dict() for m, mp in self.modalities.items()},
                "too_close": self.too_close}

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> "Prediction":
        """A prediction from its JSON form; a key an older file lacks takes its empty value."""
        d = data or {}
        per = d.get("modalities") or {}
        return cls(probs=dict(d.get("probs") or {}), label=d.get("label") or "",
                   modalities={m: p if isinstance(p, ModalityPrediction) else ModalityPrediction.from_dict(p, m)
                               for m, p in per.items()},
                   used=list(d.get("used") or []), switched_off=list(d.get("switched_off") or []),
                   notices=list(d.get("notices") or []), preset=d.get("preset") or "",
                   fusion=dict(d.get("fusion") or {}),
                   fused_features=[float(v) for v in d.get("fused_features") or []],
                   abstained=list(d.get("abstained") or []))

    def __getitem__(self, key: str) -> Any:
        if key not in {f.name for f in fields(self)}:
            raise KeyError(key)
        return self.to_dict()[key]

    def get(self, key: str, default: Any = None) -> Any:
        try:
            return self[key]
        except KeyError:
            return default


__all__ = ["ModalityPrediction", "Prediction"]
