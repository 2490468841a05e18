"""How a words map will be made, as far as it is known before it is made (``explain.words`` makes it, ``explain.budget``
prices it): Integrated Gradients, or word ablation where IG's colours are known to be unreliable, or phrase ablation
(a text read in windows under a time budget), and the phrases such a map removes one at a time (:func:`phrase_spans`).
Kept apart from ``words`` so that the budget reads it without importing the maps it prices."""

from __future__ import annotations

import weakref
from typing import Any

from msa_demo.explain.methods import METHODS
from msa_demo.explain.options import ExplainOptions
from msa_demo.explain.result import AttributionMap

ABLATE_ABOVE = 0.25  # IG's completeness gap over which its words map gives way to word ablation (the trust line's ✗)
ABLATION = "occlusion"  # the table's row the words map falls back to (word ablation)


def ig_unreliable(method: str, windows: int, amap: AttributionMap | None = None, budget: float = 0.0) -> str:
    """Why ``method``'s words map is not to be drawn ("windows", "phrases", "gap") or "" (``amap``: the map made, if
    any). Under a time budget a text read in windows is mapped by phrases ("phrases"): one row per word of a
    286-word review took 62-81 s on the 2-core CPU, many times the budget that keeps the page interactive."""
    if not METHODS[method].adaptive:
        return ""
    if windows > 1:
        return "phrases" if budget else "windows"
    if amap is not None and amap.delta is not None and amap.delta > ABLATE_ABOVE:
        return "gap"
    return ""


# per text model, per input shape: the most IG steps at which its words map's gap stayed above ``ABLATE_ABOVE`` (it
# gave way to word ablation), so that a time budget's next plan prices that ablation too (``budget``), not IG alone
_GAPPED: "weakref.WeakKeyDictionary[Any, dict]" = weakref.WeakKeyDictionary()


def gapped_steps(mod) -> dict:
    try:
        return _GAPPED.setdefault(mod, {})
    except TypeError:  # a model that cannot be weakly referenced: nothing is remembered of it
        return {}


def falls_back(mod, shape, method: str, windows: int, options: ExplainOptions) -> str:
    """Why ``method``'s words map of a text of ``shape`` (its token ids') read by ``mod`` in ``windows`` will be
    word ablation, as far as it is known before the map is made: "windows" (no time budget), "phrases" (phrase
    ablation: a time budget), "gap" (its IG gap
    stayed large at these IG steps, or more, the last time), or ""; what a time budget's plan prices."""
    why = ig_unreliable(method, windows, budget=float(options.budget or 0))
    if why or windows > 1 or not METHODS[method].adaptive:
        return why
    steps = gapped_steps(mod).get(tuple(shape))
    return "gap" if steps is not None and options.ig_max_steps <= steps else ""


# where a phrase ends: sentence and clause punctuation, Chinese and Latin (a line break too: ``phrase_spans``)
PHRASE_END = set("。！？；，、.!?;:：,…")
LONG_PHRASE = 8  # words: a phrase longer than this is halved while the budget affords more phrases


def phrase_spans(text: str, spans: list, most: int) -> list[tuple[int, int]]:
    """The words (``spans``, character spans in order) grouped into at most ``most`` phrases, as character spans
    (from a phrase's first word to its last): a phrase ends at a word that ends with (or is) a mark of
    :data:`PHRASE_END` or before a line break; then the adjacent pair of phrases shortest together is merged while
    there are more than ``most``, and the longest phrase (over ``LONG_PHRASE`` words) is halved while there are
    fewer (a text with no punctuation is not one phrase). Every word lies in exactly one phrase."""
    spans = [tuple(int(v) for v in s[:2]) for s in spans]
    if not spans:
        return []
    groups: list[list[int]] = [[]]
    for i, (a, b) in enumerate(spans):
        if groups[-1] and "\n" in text[spans[i - 1][1]:a]:
            groups.append([])
        groups[-1].append(i)
        word = text[a:b].rstrip()
        after = text[b:spans[i + 1][0]] if i + 1 < len(spans) else ""
        if (word and word[-1] in PHRASE_END) or any(c in PHRASE_END for c in after):
            groups.append([])
    groups = [g for g in groups if g]
    most = max(1, int(most))

    def size(g):  # characters, from the first word to the last
        return spans[g[-1]][1] - spans[g[0]][0]

    while len(groups) > most:
        k = min(range(len(groups) - 1), key=lambda k: size(groups[k]) + size(groups[k + 1]))
        groups[k:k + 2] = [groups[k] + groups[k + 1]]
    while len(groups) < most:
        k = max(range(len(groups)), key=lambda k: len(groups[k]))
        if len(groups[k]) <= LONG_PHRASE:
            break
        half = len(groups[k]) // 2
        groups[k:k + 1] = [groups[k][:half], groups[k][half:]]
    return [(spans[g[0]][0], spans[g[-1]][1]) for g in groups]


__all__ = ["ABLATE_ABOVE", "ABLATION", "LONG_PHRASE", "PHRASE_END", "falls_back", "gapped_steps", "ig_unreliable",
           "phrase_spans"]
