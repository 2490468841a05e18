"""Side by side: the same input explained by two models (:func:`compare`), or two texts explained by one model
(:func:`compare_texts`), toward the same class.

Two models: the same input explained by both toward the same class, and how far they agree.

Works on two ``Explanation.to_dict()`` results (from two presets, or a head you trained against the one shipped):
their verdicts, each modality's own verdict, and for each pair of maps of one modality made by the same method,
the features both maps score (matched by their place in the input, i.e. their spans, else by their labels):

- ``spearman``: the rank correlation of the two maps' scores over those features (1: the same order);
- ``top_k``: how many of the ``k`` strongest features (by |score|) the two maps share pushing the same way (the
  same sign), as a fraction of ``k`` (a word both rank high, one toward the class and one against it, is not
  shared: "4 of 5" had stood beside a rank agreement of -0.23);
- ``only_a`` / ``only_b``: the strongest features of one map that the other's top ``k`` leaves out (where they
  disagree), strongest first.
"""

from __future__ import annotations

import difflib
from typing import Any

import numpy as np

from msa_demo.explain.faithfulness import spearman as rank_correlation
from msa_demo.prediction import percents, too_close

TOP_K = 5


def _features(m: dict) -> dict[Any, tuple[str, float]]:
    """A map's features by their place in the input (span), else by label: {key: (label, score)}."""
    labels = [str(lbl) for lbl in m.get("labels") or []]
    scores = [float(s) for s in m.get("scores") or []]
    spans = m.get("spans") or []
    keys = [tuple(map(float, sp)) for sp in spans] if len(spans) == len(scores) else labels
    return {k: (lbl, s) for k, lbl, s in zip(keys, labels, scores)}


def spearman(a: list[float], b: list[float]) -> float | None:
    """Rank correlation of two score lists (``faithfulness.spearman``); None where it is undefined: fewer than 2
    features or a constant list (shown as "—", not as 0)."""
    if len(a) < 2 or np.ptp(a) == 0 or np.ptp(b) == 0:
        return None
    return rank_correlation(a, b)


def map_agreement(a: dict, b: dict, k: int = TOP_K) -> dict:
    """How far two maps of one modality agree (see the module docstring)."""
    fa, fb = _features(a), _features(b)
    shared = [key for key in fa if key in fb]
    k = max(1, min(k, len(shared))) if shared else 0

    def top(f: dict) -> list:
        return sorted(shared, key=lambda key: -abs(f[key][1]))[:k]

    ta, tb = top(fa), top(fb)
    return {"method": a.get("method"), "features": len(shared), "k": k,
            "spearman": spearman([fa[key][1] for key in shared], [fb[key][1] for key in shared]),
            "top_k": (sum(1 for key in set(ta) & set(tb) if (fa[key][1] > 0) == (fb[key][1] > 0)) / k) if k else None,
            "only_a": [fa[key][0] for key in ta if key not in tb], "only_b": [fb[key][0] for key in tb if key not in ta]}


def verdict(side: dict) -> str | None:
    """A side's fused verdict as its summary says it: its class, or None where it is too close to call (a near-tie
    takes no side: "A says negative ... they disagree" had stood beside A's own "Too close to call")."""
    return None if side.get("too_close") else side.get("label")


def not_used_why(exp: dict, m: str) -> str | None:
    """Why explanation ``exp``'s model did not use modality ``m``: its prediction's notice that says so ("This preset's
    trained fusion head reads only text, image, so the audio was not used.", "This preset has no audio model, ...");
    None where none says it."""
    notices = (exp.get("prediction") or {}).get("notices") or []
    return next((str(n) for n in notices if str(n).endswith(f"so the {m} was not used.")), None)


def side(exp: dict) -> dict:
    """An explanation's verdict as a comparison shows it: preset, label, target, probabilities, ``too_close``."""
    pred = exp.get("prediction") or {}
    return {"preset": exp.get("preset"), "label": pred.get("label"), "target": exp.get("target"),
            "probs": pred.get("probs"), "too_close": too_close(pred.get("probs") or {})}


def compare(a: dict, b: dict, k: int = TOP_K) -> dict:
    """Two explanations of the same input side by side: ``{"a", "b"}`` (preset, verdict, target, probabilities,
    ``too_close``), ``agree`` (the same fused verdict, :func:`verdict`), and per modality either explained: each
    model's own verdict and the agreement of their maps, method by method (:func:`map_agreement`)."""
    modalities: dict[str, dict] = {}
    names = [m for m in dict.fromkeys([x.get("modality") for x in (a.get("maps") or []) + (b.get("maps") or [])])]
    for m in names:
        alone = {s: ((e.get("prediction") or {}).get("modalities") or {}).get(m) or {} for s, e in (("a", a), ("b", b))}
        # each model's own verdict, or None where its own probabilities are too close to call (with ``<side>_too_close``:
        # "B alone: positive" had stood beside B's own "the words alone are too close to call", at 0.338 / 0.332 / 0.330)
        own = {s: None if too_close(x.get("probs") or {}) else x.get("label") for s, x in alone.items()}
        own.update({f"{s}_too_close": bool(x.get("probs")) and too_close(x.get("probs") or {}) for s, x in alone.items()})
        # why a side has no verdict of its own for it, as its model said it (a trained head that reads only text and
        # image: "—" in Compare's audio row had said nothing, where the command line said why)
        own.update({f"{s}_why": not_used_why(e, m) for s, e in (("a", a), ("b", b)) if not alone[s].get("probs")})
        maps_a = {x.get("method"): x for x in a.get("maps") or [] if x.get("modality") == m}
        maps_b = {x.get("method"): x for x in b.get("maps") or [] if x.get("modality") == m}
        modalities[m] = {**own, "maps": [map_agreement(maps_a[meth], maps_b[meth], k)
                                         for meth in maps_a if meth in maps_b]}
    return {"a": side(a), "b": side(b), "agree": verdict(side(a)) == verdict(side(b)), "modalities": modalities}


def text_words(exp: dict) -> list[tuple[str, float]]:
    """The words of an explanation's text, in reading order, each with its score in the map its words panel shows
    (the first text map); [] without one."""
    maps = [m for m in exp.get("maps") or [] if m.get("modality") == "text"]
    if not maps:
        return []
    m, text = maps[0], str((exp.get("inputs") or {}).get("text") or "")
    labels, scores, spans = m.get("labels") or [], [float(s) for s in m.get("scores") or []], m.get("spans") or []
    if text and len(spans) == len(scores):  # the words as written, in the order they are read
        return [(text[int(a):int(b)], s) for (a, b), s in sorted(zip([tuple(sp) for sp in spans], scores))]
    return [(str(w), s) for w, s in zip(labels, scores)]


def _key(word: str) -> str:  # a word as the alignment matches it: as written ("Amazing," is not "amazing")
    return str(word).strip()


def compare_texts(a: dict, b: dict) -> dict:
    """Two texts explained by one model toward the same class (the other inputs alike): ``{"a", "b"}`` (as
    :func:`side`), ``agree`` (the same fused verdict), ``target``, ``shown`` (each class's percent as the verdict
    boxes show it, A's and B's, and ``change``: B's less A's, in points), ``method`` (the words map's), ``words``
    (A's and B's words aligned, :mod:`difflib`: one row a word both share, ``same``; one a run of words that differ,
    ``changed`` / ``removed`` (A's only) / ``added`` (B's only); each ``{"op", "a": [(word, score)], "b": [...]}``)
    and ``edits``: those that differ, in order."""
    sa, sb = side(a), side(b)
    pa, pb = percents(sa["probs"] or {}), percents(sb["probs"] or {})
    wa, wb = text_words(a), text_words(b)
    rows = []
    matcher = difflib.SequenceMatcher(None, [_key(w) for w, _s in wa], [_key(w) for w, _s in wb], autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            rows += [{"op": "same", "a": [wa[i]], "b": [wb[j]]} for i, j in zip(range(i1, i2), range(j1, j2))]
        else:
            rows.append({"op": {"replace": "changed", "delete": "removed", "insert": "added"}[op],
                         "a": wa[i1:i2], "b": wb[j1:j2]})
    maps = [m for m in a.get("maps") or [] if m.get("modality") == "text"]
    return {"a": sa, "b": sb, "agree": verdict(sa) == verdict(sb), "target": a.get("target"),
            "shown": {c: {"a": pa.get(c, 0), "b": pb.get(c, 0), "change": pb.get(c, 0) - pa.get(c, 0)}
                      for c in dict.fromkeys([*pa, *pb])},
            "method": maps[0].get("method") if maps else None, "words": rows,
            "edits": [r for r in rows if r["op"] != "same"]}


__all__ = ["TOP_K", "compare", "compare_texts", "map_agreement", "not_used_why", "side", "spearman", "text_words",
           "verdict"]
