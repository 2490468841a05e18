"""The explanation result: plain dataclasses, JSON-serialisable (``to_dict`` / ``to_json`` / ``from_dict``).

The dashboard and the HTML report read ``Explanation.to_dict()``; keep this schema stable.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field, fields, is_dataclass
from typing import Any

from msa_demo.explain.options import ExplainOptions, OptionSpec  # an explanation's options serialise flat
from msa_demo.prediction import Prediction, too_close


def _clean(value: Any) -> Any:
    """JSON-safe plain data: dataclasses -> dicts, tuples -> lists, NaN/inf -> None, numpy/torch scalars -> float.
    (One walk that builds new containers: no ``asdict`` deep copy first. Floats are tested first: a heat map
    is most of the values.)"""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, bool) or value is None or isinstance(value, (str, int)):
        return value
    if isinstance(value, (list, tuple)):
        if value and type(value[0]) is float and all(type(v) is float and math.isfinite(v) for v in value):
            return list(value)  # a heat map's row: nothing to clean
        return [_clean(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, ExplainOptions):  # flat, by public names (its parts are by modality)
        return value.to_dict()
    if isinstance(value, Prediction):  # its JSON form: with too_close, read from its probabilities
        return _clean(value.to_dict())
    if isinstance(value, Counterfactual):  # with too_close, read from its probabilities
        return value.to_dict()
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


# a face found in a larger picture: its maps cover the face and this much of its size on each side (the area the
# page draws them over). Drawn over the whole frame at 256 px, a 48-px face of a 1024-px read had 12 px of map
FACE_MARGIN = 0.3


def map_area(size: tuple[int, int], box) -> tuple[int, int, int, int]:
    """The part of a ``size`` (width, height) picture an image map covers: the whole picture where ``box`` (what the
    model read) is the whole of it, else that face and its margin (``FACE_MARGIN``) inside the picture."""
    w, h = size
    left, top, right, bottom = (int(v) for v in box)
    if (left, top, right, bottom) == (0, 0, w, h):
        return 0, 0, w, h
    mx, my = round((right - left) * FACE_MARGIN), round((bottom - top) * FACE_MARGIN)
    return max(0, left - mx), max(0, top - my), min(w, right + mx), min(h, bottom + my)


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
    # the single-removal check (``faithfulness.removals_checked``): the map's strongest parts, each removed alone on
    # its own baseline, beside its score: {"p": P(target), "checked": parts removed, "parts": [{"unit", "index",
    # "score", "removal"}]}; None for a map whose scores are single removals (occlusion) or made without it
    removals: dict | None = None
    # how much the AOPCs of the seeded random orders vary among themselves (their standard deviation): an AOPC gap
    # within this is what one random order can beat another by, not a ranking that found something (the trust
    # table's ✓ needs more: ``views.story.SPREAD_TIMES``)
    aopc_random_spread: float | None = None


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
    edit). ``minimal``: no unit of the set can be put back without losing the flip (the pruning finished).
    ``flipped``: the edit takes the verdict away (another class leads it by a verdict's margin: a near-tie between
    two other classes does too). ``before``: P(``original``) before the edit, the fused verdict's own (None in a
    record made without it)."""

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
    # what ended a search before it could try every set: "forwards" or "time" ("" if nothing); "language": the word
    # swaps of a text in a language the word table holds no words of, not searched (one record stands for both edits)
    stopped: str = ""
    cost: Cost = field(default_factory=Cost)
    before: float | None = None

    @property
    def too_close(self) -> bool:
        """The verdict after the edit is too close to call (:func:`prediction.too_close`), as its sentence says."""
        return too_close(self.probs)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form, with ``too_close`` (read, not kept), as a prediction's verdicts carry it."""
        return {**{f.name: _clean(getattr(self, f.name)) for f in fields(self)}, "too_close": self.too_close}

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
    # when it was made (ISO 8601, UTC, to the second: "2026-12-07T01:27:33Z") and by which msa_demo; "" in an
    # explanation saved before they were recorded (it loads as before)
    created: str = ""
    msa_demo_version: str = ""
    # cut short (past the server's limit or its share of it, or stopped on the page): the one line that says so,
    # what was left out and why (also among the notices); "" for a whole explanation
    cut_short: str = ""

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


def every_notice(record: dict[str, Any], first=()) -> list[str]:
    """Every notice an explanation's page would show, once each, in its order: ``first`` (how the models loaded),
    the prediction's (a text cut at 5,000 characters, read in windows, a clip trimmed) and the explanation's own
    (a time budget's). The JSON's top-level ``notices`` is this list: it held the explanation's own only, and a
    client that read it missed that its text had been cut."""
    prediction = record.get("prediction") or {}
    return list(dict.fromkeys([*first, *(prediction.get("notices") or []), *(record.get("notices") or [])]))


# what an explanation's JSON answer holds beyond its scores, declared once for /explain_json and MCP's explain (an
# argument each) and explain --json (a flag each): not settings of the explanation (they change what is sent, not
# what is made, and are not saved in its options). The command line's answer was 2.6 MB for a face and a 4 s clip
# where /explain_json's was 8 kB: the same defaults now.
HEATMAPS = OptionSpec(name="heatmaps", default=False, kind=bool, label="heat maps",
                      help="include each image map's pixel heat-map and the decoded inputs (both large); otherwise "
                           "the region scores only")
INPUTS = OptionSpec(name="inputs", default=None, kind=bool, label="inputs",
                    help="include the decoded inputs (as large as the files; what explain --from replays), whatever "
                         "--heatmaps says")
ANSWER_SPECS = (HEATMAPS, INPUTS)


def answered(record: dict[str, Any], heatmaps: bool = False, inputs: bool | None = None) -> dict[str, Any]:
    """``record`` (``Explanation.to_dict()``) as an answer holds it: each map's pixel heat-map only with
    ``heatmaps``, the decoded inputs (re-run material, as large as the files) only with ``inputs`` (None: as
    ``heatmaps``). A saved explanation (``--out``, the dashboard's download) keeps both."""
    out = dict(record)
    if not heatmaps:
        out["maps"] = [{k: v for k, v in m.items() if k != "heatmap"} for m in out.get("maps") or []]
    if not (heatmaps if inputs is None else inputs):
        out.pop("inputs", None)
    return out


__all__ = ["ANSWER_SPECS", "FACE_MARGIN", "HEATMAPS", "INPUTS", "answered", "every_notice", "map_area", "Cost", "Faithfulness", "AttributionMap", "ModalityContributions", "Counterfactual", "ToneEffect",
           "Explanation"]
