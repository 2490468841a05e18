"""``DIR/report.html``: the whole set at a glance, for people who ship the model. Self-contained and light:
static SVG bars and HTML tables, no script, every string escaped.

Accuracy, macro P/R/F1 and the confusion matrix (rows with a label); mean |Shapley| per modality overall, per
predicted class and per label, and how many rows were too close to call and how they score; slices (by the
modalities used, language, conflict or agreement, label, verdict: decided or too close to call) with their
accuracy, macro F1 and reliance; how often modalities conflict and which one the fused decision sides with; each
registered modality's parts (words, image regions, audio segments, video moments, ...) carrying most attribution
across the set (times in a clip by the third of the clip they fall in, never added up across clips); a map of the rows (their fused features by PCA, ``rowmap``: a point links to the row's saved
explanation); the maps that fail their faithfulness check; the rows that could not be explained. Its modality
columns come from the registry (``columns``) and from the rows themselves.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections import defaultdict
from pathlib import Path
from typing import Any, Iterable

from msa_demo.config import NEAR_TIE, SENTIMENTS
from msa_demo.dataset.columns import (LABEL_NOT_USED, TOP_AT, modalities, prob_column, shapley_column, top_lists,
                                      top_titles)
from msa_demo.dataset.rowmap import row_map
from msa_demo.dataset.store import MODEL, REPORT, ResultsDir, extent as folder_extent, open_results
from msa_demo import i18n
from msa_demo.i18n import sep, t
from msa_demo.labels import (DEFAULT_NUMBERING, NAMED, NUMBERINGS, SCORE_SETS, SCORES, compute_metrics,
                              label_number, label_numbering)
from msa_demo.language import language_name
from msa_demo.views.base import esc as _e
from msa_demo.views.rowmap import map_svg
from msa_demo.views.charts import BARS_CSS, bars_html
from msa_demo.views.story import near_tie, tie_between, tie_gap, top_two

CSS = ("body{font:14px system-ui,sans-serif;max-width:980px;margin:24px auto;padding:0 12px;color:#222}"
       "table{border-collapse:collapse;margin:8px 0 16px}td,th{border:1px solid #ccc;padding:3px 8px;"
       "text-align:left}th{background:#f3f3f3}td.n{text-align:right}.muted{color:#666}h2{margin-top:28px}"
       + BARS_CSS)
TOP_N = 15
PUNCTUATION = ".,;:!?\"'()[]{}«»“”‘’…"
LIST_N = 50  # rows listed at most per table (failures, unfaithful maps)
MAP_N = 2000  # points drawn at most on the map of the rows (about 200 bytes each)


def _table(head: list[str], rows: list[list[Any]], numeric: set[int] = frozenset()) -> str:
    th = "".join(f"<th>{_e(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td{' class=n' if i in numeric else ''}>{_e(v)}</td>"
                                    for i, v in enumerate(r)) + "</tr>" for r in rows)
    return f"<table><tr>{th}</tr>{body}</table>"


def _pct(a: int, b: int) -> str:
    return f"{a / b:.1%}" if b else "—"


def modalities_in(rows: list[dict]) -> list[str]:
    """The registered modalities, then any other whose Shapley column the rows carry (a results folder written
    while another kind was registered), in order."""
    names = list(modalities())
    for r in rows:
        names += [k[len("shapley_"):] for k in r if k.startswith("shapley_") and k[len("shapley_"):] not in names]
    return names


def mean_abs_shapley(rows: list[dict]) -> dict[str, float]:
    """Mean |Shapley value| of each modality over the rows that used it."""
    out = {}
    for m in modalities_in(rows):
        vals = [abs(r[shapley_column(m)]) for r in rows if r.get(shapley_column(m)) is not None]
        if vals:
            out[m] = sum(vals) / len(vals)
    return out


def rows_using(rows: list[dict]) -> dict[str, int]:
    """How many of ``rows`` used each modality (those :func:`mean_abs_shapley` averages over): a slice of 26 rows,
    2 of them with a picture, read "relies most on image 0.602" without it."""
    counts = {m: sum(1 for r in rows if r.get(shapley_column(m)) is not None) for m in modalities_in(rows)}
    return {m: n for m, n in counts.items() if n}


def alone(rec: dict, modality: str) -> str | None:
    """What one modality's model says on its own (the class it gives most probability), None if not used."""
    probs = {s: rec.get(prob_column(modality, s)) for s in SENTIMENTS}
    if any(p is None for p in probs.values()):
        return None
    return max(probs, key=lambda s: probs[s])


def conflict_winners(rows: list[dict]) -> dict[str, int]:
    """In the conflicting rows, how often each modality's own label is the fused label (it 'wins')."""
    wins: dict[str, int] = defaultdict(int)
    for r in rows:
        if r.get("conflict"):
            for m in r.get("used") or []:
                if (own := alone(r, m)) is not None and own == r.get("predicted"):
                    wins[m] += 1
    return dict(wins)


def top_across(rows: list[dict], column: str, n: int = TOP_N) -> list[tuple[str, int, float, float]]:
    """(label, rows it is in the top of, total relative weight, mean relative score), the largest total first.

    Scores are taken relative to the row's largest |score| (1 = the row's top part), so rows whose maps differ in
    scale weigh alike. Words are counted case-insensitively, without the punctuation around them."""
    count: dict[str, int] = defaultdict(int)
    total: dict[str, float] = defaultdict(float)
    signed: dict[str, float] = defaultdict(float)
    for r in rows:
        items = r.get(column) or []
        top = max((abs(float(i.get("score") or 0.0)) for i in items), default=0.0)
        for item in items:
            key = str(item["label"])
            if column == "top_words":
                key = key.strip(PUNCTUATION).lower() or key
            s = float(item.get("score") or 0.0) / top if top > 0 else 0.0
            count[key] += 1
            total[key] += abs(s)
            signed[key] += s
    ranked = sorted(total, key=lambda k: -total[k])[:n]
    return [(k, count[k], total[k], signed[k] / count[k]) for k in ranked]


def too_close(rec: dict) -> bool:
    """Is the row's fused verdict too close to call (its ``too_close``; in a folder written before it was kept, the
    dashboard's rule on its fused probabilities, ``views.near_tie``)? The dashboard said "Too close to call: positive
    37.4 % vs neutral 34.4 %" where the results said a plain positive."""
    if isinstance(rec.get("too_close"), bool):
        return rec["too_close"]
    probs = {s: rec.get(f"prob_{s}") for s in SENTIMENTS}
    return None not in probs.values() and near_tie({"probs": probs})


def fused_probs(rec: dict) -> dict[str, float]:
    """The row's fused probabilities by class (its ``prob_<class>`` columns; none where not known)."""
    return {s: float(p) for s in SENTIMENTS if (p := rec.get(f"prob_{s}")) is not None}


def runner_up(rec: dict) -> tuple[str, float] | None:
    """(the class a too-close row's verdict is close to, how many points apart they are, as its headline shows
    them: :func:`views.story.tie_gap`), or None for a row that is not too close to call (or whose probabilities are
    not known): "too close to call" had not said between what."""
    probs = fused_probs(rec)
    if rec.get("error") or not too_close(rec) or len(probs) < 2:
        return None
    gap = tie_gap({"probs": probs})
    return None if gap is None else (top_two({"probs": probs})[1][0], gap)


def between(rec: dict, lang: str = "en") -> str:
    """A too-close row's two classes and how close ("positive 33.8 % vs negative 33.2 %, 0.6 points apart"; ""
    for a row that is not too close to call)."""
    return tie_between({"probs": fused_probs(rec)}, lang) if runner_up(rec) else ""


# a clip's thirds, where its strongest moment falls (``columns.TOP_AT``): {name: (from, to)} as a share of the clip
THIRDS = {"start": (0.0, 1 / 3), "middle": (1 / 3, 2 / 3), "end": (2 / 3, 1.0)}
# a part named by its time in a clip ("2.0–3.0 s", "0.50–1.00 s"): in a folder written before ``top_at`` was kept
CLIP_TIME = re.compile(r"^\d+(?:\.\d+)?–\d+(?:\.\d+)? s$")


def third(at: float) -> str:
    """The third of a clip (:data:`THIRDS`) that a share of its length falls in."""
    return next(name for name, (a, b) in THIRDS.items() if at < b or b == 1.0)


def timed_lists(rows: list[dict]) -> dict[str, str]:
    """{top list column: its modality} for the lists of parts that are times in a clip (video moments, the sound's
    segments): any row says where its strongest part fell (``top_at``), or, in a folder written before, every part
    listed is named by a time. Second 2-3 of one clip has nothing to do with second 2-3 of another: these are not
    added up across rows (:func:`where_in_clip`)."""
    out = {}
    for m, col in top_lists().items():
        labels = [str(i.get("label")) for r in rows for i in r.get(col) or []]
        if any(x.get("modality") == m for r in rows for x in r.get(TOP_AT) or []) or (
                labels and all(CLIP_TIME.match(lbl) for lbl in labels)):
            out[col] = m
    return out


def where_in_clip(rows: list[dict], modality: str) -> dict[str, int]:
    """{third: rows whose strongest part of ``modality``'s map falls in it} (:data:`THIRDS`), over the rows that
    say (``top_at``); {} when none does."""
    ats = [float(x["at"]) for r in rows for x in r.get(TOP_AT) or []
           if x.get("modality") == modality and x.get("at") is not None]
    return {name: sum(third(a) == name for a in ats) for name in THIRDS} if ats else {}


def summary(rows: list[dict], extent: dict | None = None) -> dict[str, Any]:
    """The report's figures as plain data (also for tests and other front ends). ``extent``: how many rows the
    manifest holds and the run's limit (``store.extent``): "manifest_rows", and "left_out" (the rows of the manifest
    not in the folder) with why ("left_out_by": "limit", or "stop" when a run ended before them)."""
    ok = [r for r in rows if not r.get("error")]
    labelled = [r for r in ok if r.get("label") in SENTIMENTS and r.get("predicted") in SENTIMENTS]
    metrics = None
    if labelled:
        idx = {s: i for i, s in enumerate(SENTIMENTS)}
        metrics = compute_metrics([idx[r["label"]] for r in labelled], [idx[r["predicted"]] for r in labelled],
                                  list(SENTIMENTS))
    by_pred = {s: mean_abs_shapley([r for r in ok if r.get("predicted") == s]) for s in SENTIMENTS}
    by_label = {s: mean_abs_shapley([r for r in ok if r.get("label") == s]) for s in SENTIMENTS}
    slices = {what: _slices(ok, key) for what, key in SLICES.items()}
    _one_class(slices["label"], labelled)
    timed = timed_lists(ok)
    close = [r for r in ok if too_close(r)]
    close_labelled = [r for r in close if r in labelled]
    return {
        # rows whose fused verdict was too close to call: still scored on their predicted class (the metrics are),
        # counted and scored apart here so a reader can leave them out
        "too_close": len(close), "ids_too_close": [str(r["id"]) for r in close],
        "too_close_labelled": len(close_labelled),
        "too_close_accuracy": (sum(r["label"] == r["predicted"] for r in close_labelled) / len(close_labelled)
                               if close_labelled else None),
        "slices": slices, "rows": len(rows), "explained": len(ok), "failed": len(rows) - len(ok), "metrics": metrics,
        "reliance": mean_abs_shapley(ok), "reliance_rows": rows_using(ok), "reliance_by_predicted": {k: v for k, v in by_pred.items() if v},
        "reliance_by_label": {k: v for k, v in by_label.items() if v},
        "conflicts": sum(1 for r in ok if r.get("conflict")), "conflict_winners": conflict_winners(ok),
        "top": {col: top_across(ok, col) for col in top_lists().values() if col not in timed},
        # lists of times in a clip: where in the clip the strongest part fell, {top list column: {third: rows}}
        "where_in_clip": {col: where_in_clip(ok, m) for col, m in timed.items()},
        "unfaithful": [(r["id"], m) for r in ok for m in r.get("maps") or [] if m.get("verdict") == "✗"],
        "errors": [(r["id"], r["error"]) for r in rows if r.get("error")],
        # rows explained without an input they name (missing, unreadable, outside the data folder): {modality: rows}
        "not_read": {m: n for m in modalities() if (n := sum(m in (r.get("not_read") or []) for r in ok))},
        "rows_not_read": sum(bool(r.get("not_read")) for r in ok),
        "ids_not_read": [str(r["id"]) for r in ok if r.get("not_read")],
        # labelled rows that failed: left out of the scores, said beside them ("25 labelled rows" of 30 given)
        "labelled_failed": sum(1 for r in rows if r.get("error") and r.get("label") in SENTIMENTS),
        **_left_out(len(rows), extent or {}),
    }


def _left_out(rows: int, extent: dict) -> dict[str, Any]:
    """{"manifest_rows", "left_out", "left_out_by"}: the manifest's rows (None when the folder does not say), how
    many of them the folder lacks, and why: "limit" (a run's --limit, or the Dataset tab's rows, below the
    manifest's) or "stop" (a run that ended before them; the same run again goes on); None when none is left out."""
    total = extent.get("rows")
    if not isinstance(total, int):
        return {"manifest_rows": None, "left_out": 0, "left_out_by": None}
    left = max(0, total - rows)
    limit = extent.get("limit")
    why = None if not left else "limit" if isinstance(limit, int) and limit < total else "stop"
    return {"manifest_rows": total, "left_out": left, "left_out_by": why}


def rows_counted(figures: dict, lang: str = "en") -> str:
    """The folder's rows as a count that says when the manifest has more: "the first 50 of 59 rows" (a limit),
    "30 of 59 rows" (a run that stopped), else "50 rows"."""
    n, total = figures["rows"], figures.get("manifest_rows")
    if figures.get("left_out_by") == "limit":
        return t("the first {n} of {total} rows", lang, n=n, total=total)
    if figures.get("left_out_by") == "stop":
        return t("{n} of {total} rows", lang, n=n, total=total)
    return t("{n} rows", lang, n=n)


LEFT_OUT_BY_LIMIT = ("{n} row(s) of the manifest were left out by a limit on the rows run (--limit, or the Dataset "
                     "tab's rows): every figure here is on the first {rows} only")
LEFT_OUT_BY_STOP = ("{n} row(s) of the manifest are not explained yet: a run stopped before them (the same run again "
                    "goes on from there)")


def rows_left_out(figures: dict, lang: str = "en") -> str:
    """One line saying how many of the manifest's rows the folder lacks and why ("" when it lacks none)."""
    why = figures.get("left_out_by")
    if not why:
        return ""
    return t(LEFT_OUT_BY_LIMIT if why == "limit" else LEFT_OUT_BY_STOP, lang, n=figures["left_out"],
             rows=figures["rows"])


def _conflict_slice(rec: dict) -> str:
    if len(rec.get("used") or []) < 2:
        return "one modality"
    return "conflict" if rec.get("conflict") else "agreement"


# what the explained rows are sliced by: {name: the row's slice}
SLICES = {
    "modalities used": lambda r: "+".join(r.get("used") or []) or "none",
    "language": lambda r: r.get("language") or "unknown",
    "conflict": _conflict_slice,
    "label": lambda r: r.get("label") or "unlabelled",
    "verdict": lambda r: "too close to call" if too_close(r) else "decided",
}


def macro_f1(labelled: list[dict]) -> float | None:
    """Macro F1 of labelled rows over the classes their labels or predictions hold (scikit-learn's macro
    average), so a slice of one label is not scored on classes it cannot have; None without rows."""
    if not labelled:
        return None
    f1 = []
    for s in SENTIMENTS:
        tp = sum(r["label"] == s and r.get("predicted") == s for r in labelled)
        truth = sum(r["label"] == s for r in labelled)
        said = sum(r.get("predicted") == s for r in labelled)
        if truth or said:
            prec, rec = (tp / said if said else 0.0), (tp / truth if truth else 0.0)
            f1.append(2 * prec * rec / (prec + rec) if prec + rec else 0.0)
    return sum(f1) / len(f1)


def _slices(rows: list[dict], key) -> dict[str, dict[str, Any]]:
    """{slice: {"rows", "labelled", "accuracy" and "macro_f1" (None without labels), "reliance"}} for the rows
    grouped by ``key(row)``."""
    groups: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        groups[key(r)].append(r)
    out = {}
    for name in sorted(groups):
        g = groups[name]
        lab = [r for r in g if r.get("label") in SENTIMENTS and r.get("predicted") in SENTIMENTS]
        out[name] = {"rows": len(g), "labelled": len(lab), "reliance": mean_abs_shapley(g), "reliance_rows": rows_using(g),
                     "accuracy": sum(r["label"] == r.get("predicted") for r in lab) / len(lab) if lab else None,
                     "macro_f1": macro_f1(lab)}
    return out


def _one_class(groups: dict[str, dict[str, Any]], labelled: list[dict]) -> None:
    """The label slices as a one-class slice is read: each holds one true class, so its macro F1 scored the other
    classes 0 (neutral: accuracy 0.818, macro F1 0.300) and is left out (None); its accuracy is that class's
    "recall", and "precision" is the class's over the whole set (the labelled rows predicted as it; None when none
    is)."""
    for name, g in groups.items():
        if name not in SENTIMENTS:
            continue
        said = [r for r in labelled if r.get("predicted") == name]
        g.update(macro_f1=None, recall=g["accuracy"],
                 precision=sum(r["label"] == name for r in said) / len(said) if said else None)


ONE_CLASS = ("By label, each slice holds one true class: its accuracy is that class's recall, its precision is over "
             "every row predicted as that class, and macro F1 is left out (the slice's other classes would score 0).")


def map_name(m: dict, lang: str = "en") -> str:
    """A saved map named by its modality and method ("image occlusion"), in ``lang``."""
    return f"{i18n.modality(m.get('modality'), lang)} {t(str(m.get('method', '')).replace('_', ' '), lang)}"


def slice_name(what: str, name: str, lang: str = "en") -> str:
    """A slice's name in ``lang``: the modalities used ("text+image"), a language's code ("zh": 中文), a class, or a
    plain word ("agreement", "unlabelled")."""
    if lang != "zh":
        return name
    if what == "modalities used":
        return "+".join(i18n.modality(m, lang) for m in name.split("+")) if name != "none" else t("none", lang)
    if what == "language" and name != "unknown":
        return i18n.language(language_name(name), lang)
    return i18n.label(name, lang) if name in SENTIMENTS else i18n.said(name, lang)


def _slices_html(slices: dict[str, dict[str, dict[str, Any]]], names: list[str], lang: str = "en") -> str:
    parts = []
    for what, groups in slices.items():
        if len(groups) < 2:
            continue
        by_label = what == "label"  # one true class a slice: its recall and precision, no macro F1 (``_one_class``)
        rows = [[slice_name(what, name, lang), g["rows"], g["labelled"], _fmt(g["accuracy"]),
                 _fmt(g.get("precision") if by_label else g["macro_f1"])]
                + [f"{g['reliance'][m]:.3f}" if m in g["reliance"] else "—" for m in names]
                for name, g in groups.items()]
        named = i18n.said(what, lang)
        scores = ("accuracy (its recall)", "precision over the set") if by_label else ("accuracy", "macro F1")
        parts.append(f"<h3>{_e(t('By {what}', lang, what=named))}</h3>"
                     + (f"<p class=muted>{_e(t(ONE_CLASS, lang))}</p>" if by_label else "") + _table(
            [named, *(t(h, lang) for h in ("rows", "labelled", *scores)),
             *[t("mean |Shapley| {modality}", lang, modality=i18n.modality(m, lang)) for m in names]], rows,
            set(range(1, 5 + len(names)))))
    if not parts:
        return ""
    return (f"<h2>{t('Slices', lang)}</h2><p class=muted>"
            + t("The explained rows grouped by what they hold; accuracy and macro F1 (over the classes a slice's "
                "labels or predictions hold) on its labelled rows, and how much each modality moved the prediction "
                "there.", lang) + "</p>" + "".join(parts))


def _reliance_table(groups: dict[str, dict[str, float]], what: str, names: list[str], lang: str = "en") -> str:
    if not groups:
        return ""
    rows = [[i18n.label(g, lang)] + [f"{v[m]:.3f}" if m in v else "—" for m in names] for g, v in groups.items()]
    named = t(what, lang)
    return (f"<h3>{_e(t('Mean |Shapley| per {what}', lang, what=named))}</h3>"
            + _table([named, *(i18n.modality(m, lang) for m in names)], rows, set(range(1, 1 + len(names)))))


def _map_html(rows: list[dict], lang: str = "en") -> str:
    """The map of the rows (``rowmap``) as an inline SVG, each point linked to its saved explanation; or the one
    line saying why there is none."""
    m = row_map(rows)
    head = f"<h2>{t('Map of the rows', lang)}</h2>"
    if not m.available:
        return head + f"<p class=muted>{_e(m.caption(lang))}</p>"
    saved = {str(r.get("id")): r.get("explanation") for r in rows if r.get("explanation")}
    every = -(-len(m.points) // MAP_N)  # a large set: every k-th row drawn, so the page stays light
    drawn = dataclasses.replace(m, points=m.points[::every])
    note = (t(" {drawn} of its {total} points are drawn (one row in {every}); map.json holds them all.", lang,
              drawn=len(drawn.points), total=len(m.points), every=every) if every > 1 else "")
    return (head + f"<p>{_e(m.caption(lang))} "
            + _e(t("Colour: the row's label; ×: a labelled row the model got wrong. Rows near each other were read "
                   "alike; hover a point for its row, click it for its saved explanation.", lang)) + f"{_e(note)}</p>"
            + map_svg(drawn, href=saved.get, lang=lang))


def model_html(model: dict | None, lang: str = "en") -> str:
    """The model the rows were explained with (``store.MODEL``): its preset as the app's header names it and the
    fusion that served, then how loading went, a line each; "" for a folder written before it was kept."""
    if not isinstance(model, dict) or not model.get("preset"):
        return ""
    fusion = str(model.get("fusion") or "")
    fusion = t("late fusion", lang) if fusion == "weighted" else fusion
    line = t("Explained with the preset <b>{preset}</b> (fusion: {fusion}).", lang, preset=_e(model["preset"]),
             fusion=_e(fusion or "—"))
    notes = "".join(f"<li>{_e(i18n.said(str(n), lang))}</li>" for n in dict.fromkeys(model.get("notices") or []))
    return f"<p>{line}</p>" + (f"<ul class=muted>{notes}</ul>" if notes else "")


def to_html(rows: list[dict], title: str | None = None, lang: str = "en", model: dict | None = None,
            extent: dict | None = None) -> str:
    """The page, in ``lang`` ("en" or "zh"; the rows' own words, ids and model names as they are); ``model``: the
    model they were explained with (``model_html``); ``extent``: the manifest's rows and the run's limit
    (``store.extent``: the page says "the first 50 of 59 rows")."""
    s = summary(rows, extent)
    title = title or t("Dataset explanations", lang)
    parts = [f"<!doctype html><html lang='{'zh-CN' if lang == 'zh' else 'en'}'><head><meta charset='utf-8'>"
             f"<title>{_e(title)}</title><style>{CSS}</style></head><body><h1>{_e(title)}</h1>",
             model_html(model, lang),
             "<p>" + t("{rows}: {explained} explained, {failed} could not be explained.", lang,
                       rows=_e(_capital(rows_counted(s, lang))), explained=s["explained"], failed=s["failed"])
             + _sentence(rows_left_out(s, lang), lang) + "</p>"]
    not_read = inputs_not_read(s, lang)
    if not_read:
        parts.append(f"<p>{_e(not_read)}.</p>")
    m = s["metrics"]
    parts.append(f"<h2>{t('Accuracy against the labels', lang)}</h2>")
    numbered = labels_read(rows, lang)
    if numbered:
        parts.append(f"<p>{_e(numbered)}</p>")
    unread = labels_not_read(unread_labels(rows), lang)  # as the command line says it ('negatve': "label: —" alone)
    if unread:
        parts.append(f"<p>{_e(unread)}</p>")
    if m:
        parts.append("<p>" + t("{n} labelled rows: accuracy <b>{accuracy}</b>, macro precision {precision}, recall "
                               "{recall}, F1 {f1}.", lang, n=m["n"], accuracy=f"{m['accuracy']:.3f}",
                               precision=f"{m['macro_precision']:.3f}", recall=f"{m['macro_recall']:.3f}",
                               f1=f"{m['macro_f1']:.3f}") + _sentence(labelled_left_out(s, lang), lang) + "</p>")
        cm_rows = [[t("truth: {label}", lang, label=i18n.label(lab, lang))] + list(r)
                   for lab, r in zip(m["labels"], m["confusion_matrix"])]
        parts.append(_table(["", *[t("predicted: {label}", lang, label=i18n.label(lab, lang)) for lab in m["labels"]]],
                            cm_rows, {1, 2, 3}))
    elif s["labelled_failed"]:  # labels given, but none of their rows explained: not "no row carries a label"
        parts.append(f"<p class=muted>{_e(labelled_left_out(s, lang))}.</p>")
    else:
        parts.append(f"<p class=muted>{t('No row carries a label, so there is nothing to score.', lang)}</p>")
    close = too_close_line(s, lang)  # scored on their predicted class above: said, with their own accuracy
    if close:
        parts.append(f"<p>{_e(close)}{i18n.stop(lang)}</p>")
        ties = [[r["id"], said] for r in rows if (said := between(r, lang))]  # between what, and how close
        if ties:
            parts.append(_table([t("row", lang), t("too close to call between", lang)], ties[:LIST_N]))
    parts.append(f"<h2>{t('Which modality the model relies on', lang)}</h2>")
    rel = s["reliance"]
    if rel:
        order = sorted(rel, key=lambda k: -rel[k])
        parts.append("<p>" + t("Across the set the prediction moves most with <b>{first}</b>{rest}: the mean size of "
                               "each modality's Shapley value, the share of the predicted class's probability it "
                               "accounts for (0 to 1).", lang, first=_e(i18n.modality(order[0], lang)),
                               rest="".join(t(", then {modality}", lang, modality=_e(i18n.modality(k, lang)))
                                            for k in order[1:])) + "</p>")
        parts.append(bars_html([i18n.modality(k, lang) for k in order], [rel[k] for k in order],  # as the line says
                              title=t("mean |Shapley value| (share of P(class))", lang), signed=False, spec=".3f"))
        parts.append(_reliance_table(s["reliance_by_predicted"], "predicted class", list(rel), lang))
        parts.append(_reliance_table(s["reliance_by_label"], "label", list(rel), lang))
    else:
        parts.append(f"<p class=muted>{t('No modality contributions were computed.', lang)}</p>")
    parts.append(_slices_html(s["slices"], list(rel), lang))
    parts.append(_map_html(rows, lang))
    parts.append(f"<h2>{t('Conflicts', lang)}</h2>")
    n_ok = s["explained"]
    parts.append("<p>" + t("The modalities disagree in {n} of {total} rows ({share}).", lang, n=s["conflicts"],
                           total=n_ok, share=_pct(s["conflicts"], n_ok)) + "</p>")
    if s["conflict_winners"]:
        parts.append(f"<p>{t('In those rows the fused decision sides with:', lang)}</p>" + _table(
            [t(h, lang) for h in ("modality", "rows", "share")],
            [[i18n.modality(k, lang), v, _pct(v, s["conflicts"])]
             for k, v in sorted(s["conflict_winners"].items(), key=lambda x: -x[1])], {1, 2}))
    names = top_titles()
    parts.append(f"<h2>{t('What carries the attribution across the set', lang)}</h2><p class=muted>"
                 + t("Each row's top parts, scored relative to the row's strongest part (+1: pushes toward the "
                     "explained class as hard as anything in the row; -1: as hard against it).", lang) + "</p>")
    for col, where in s["where_in_clip"].items():
        parts.append(f"<h3>{_e(i18n.said(names.get(col, col), lang))}</h3>" + _where_html(where, lang))
    for col, items in s["top"].items():
        if items:
            parts.append(f"<h3>{_e(i18n.said(names.get(col, col), lang))}</h3>" + _table(
                ["", *(t(h, lang) for h in ("rows it is in the top of", "total weight", "mean score"))],
                [[k, c, f"{w:.2f}", f"{mean:+.2f}"] for k, c, w, mean in items], {1, 2, 3}))
    parts.append(f"<h2>{t('Maps that fail their faithfulness check', lang)}</h2>")
    if s["unfaithful"]:
        parts.append("<p>" + (t("1 map: deleting its top-ranked parts first does not drop the score clearly faster "
                                "than deleting at random.", lang) if len(s["unfaithful"]) == 1 else
                              t("{n} maps: deleting their top-ranked parts first does not drop the score clearly "
                                "faster than deleting at random.", lang, n=len(s["unfaithful"]))) + "</p>")
        parts.append(_table([t(h, lang) for h in ("row", "map", "AOPC", "AOPC random")],
                            [[rid, map_name(mp, lang), _fmt(mp.get("aopc")), _fmt(mp.get("aopc_random"))]
                             for rid, mp in s["unfaithful"][:LIST_N]], {2, 3}))
    else:
        parts.append(f"<p class=muted>{t('None.', lang)}</p>")
    parts.append(f"<h2>{t('Rows that could not be explained', lang)}</h2>")
    if s["errors"]:
        parts.append(_table([t("row", lang), t("why", lang)],
                            [[rid, i18n.said(str(why), lang)] for rid, why in s["errors"][:LIST_N]]))
    else:
        parts.append(f"<p class=muted>{t('None.', lang)}</p>")
    if len(s["unfaithful"]) > LIST_N or len(s["errors"]) > LIST_N or s["too_close"] > LIST_N:
        parts.append("<p class=muted>" + t("Tables list the first {n}; results.parquet holds all.", lang, n=LIST_N)
                     + "</p>")
    parts.append("</body></html>")
    return "\n".join(p for p in parts if p)


WHERE_IN_CLIP = ("Times in one clip are not times in another (second 2–3 of one clip has nothing to do with second "
                 "2–3 of the next), so they are not added up across rows: each row's strongest one is placed in its "
                 "own clip, by the third of the clip's length it falls in.")
WHERE_NOT_KEPT = ("Times in one clip are not times in another, so they are not added up across rows; no row here says "
                  "where in its clip its strongest one falls (a folder written before that was kept, or maps in "
                  "which nothing moved the verdict).")
THIRD_NAMES = {"start": "start (first third)", "middle": "middle", "end": "end (last third)"}


def _where_html(where: dict[str, int], lang: str = "en") -> str:
    """Where in the clip each row's strongest moment (or sound segment) falls, by third (``summary``'s
    ``where_in_clip``), or the line saying why there is no table."""
    if not where:
        return f"<p class=muted>{_e(t(WHERE_NOT_KEPT, lang))}</p>"
    total = sum(where.values())
    return (f"<p class=muted>{_e(t(WHERE_IN_CLIP, lang))}</p>"
            + _table([t(h, lang) for h in ("part of the clip", "rows whose strongest one falls there", "share")],
                     [[t(THIRD_NAMES[k], lang), n, _pct(n, total)] for k, n in where.items()], {1, 2}))


TOO_CLOSE = ("{n} of {rows} explained rows were too close to call (the top two classes less than {gap} points apart, "
             "as the dashboard says it): {ids}")
TOO_CLOSE_SCORED = ("the scores above count each row's predicted class, theirs too; their accuracy, over the {n} "
                    "labelled, is {accuracy} (the slices by verdict score the rows apart)")  # "on the 1 labelled ones"
TOO_CLOSE_UNLABELLED = "the scores above count each row's predicted class; none of these rows has a label"


def too_close_line(figures: dict, lang: str = "en") -> str:
    """One line: how many explained rows were too close to call and which, and, when rows are scored, that the
    scores count their predicted class and how they score alone ("" when none was): a near-tie had been a plain
    verdict, counted correct or wrong with no word."""
    n = figures.get("too_close") or 0
    if not n:
        return ""
    line = t(TOO_CLOSE, lang, n=n, rows=figures["explained"], gap=f"{NEAR_TIE * 100:g}",
             ids=ids_named(figures.get("ids_too_close") or [], lang))
    if not (figures.get("metrics") or {}).get("n"):
        return line
    k = figures.get("too_close_labelled") or 0
    scored = (t(TOO_CLOSE_SCORED, lang, n=k, accuracy=f"{figures['too_close_accuracy']:.3f}") if k
              else t(TOO_CLOSE_UNLABELLED, lang))
    return f"{line}{sep(lang, '; ')}{scored}"


def _sentence(line: str, lang: str = "en") -> str:
    """``line`` as a sentence after another (escaped, a space before, a full stop after); "" for no line."""
    return f"{'' if lang == 'zh' else ' '}{_e(line)}{i18n.stop(lang)}" if line else ""


def _capital(line: str) -> str:
    """``line`` with its first letter a capital (a sentence that opens with "the first 50 of 59 rows")."""
    return line[:1].upper() + line[1:]


def _fmt(v: Any) -> str:
    return "—" if v is None else f"{float(v):.3f}"


def inputs_not_read(figures: dict, lang: str = "en") -> str:
    """One line saying how many explained rows went without an input they name, by modality (``summary``'s
    ``not_read``), and which rows (the first few): a count alone left a person to search the table for them; ""
    when none did."""
    if not figures.get("rows_not_read"):
        return ""
    line = INPUT_NOT_READ_ONE if figures["rows_not_read"] == 1 else INPUTS_NOT_READ  # "1 rows were" had been said
    return t(line, lang, n=figures["rows_not_read"], ids=ids_named(figures.get("ids_not_read") or [], lang),
             modalities=i18n.listed((t("{modality} {n}", lang, modality=i18n.modality(m, lang), n=n)
                                     for m, n in figures["not_read"].items()), lang))


INPUTS_NOT_READ = ("{n} rows were explained without an input they name (a file missing, unreadable, outside the data "
                   "folder or a link not fetched): {modalities} · {ids}; each row's notices say why")
INPUT_NOT_READ_ONE = ("1 row was explained without an input it names (a file missing, unreadable, outside the data folder "
                      "or a link not fetched): {modalities} · {ids}; its notices say why")
IDS_SHOWN = 5  # rows named in a line about some of the rows, then "and N more"


def ids_named(ids: list[str] | tuple[str, ...], lang: str = "en") -> str:
    """The first :data:`IDS_SHOWN` of ``ids``, then "and N more": rows named in one line whatever their number."""
    more = t(" and {n} more", lang, n=len(ids) - IDS_SHOWN) if len(ids) > IDS_SHOWN else ""
    return ", ".join(map(str, ids[:IDS_SHOWN])) + more


REPEATED_SUFFIX = re.compile(r"#(\d+)#*$")  # 'r21#2' (and 'r21#2#' when 'r21#2' was the set's own): ``rows.read_rows``


def renamed_ids(ids: Iterable[str]) -> list[str]:
    """The ids that read_rows gave a later row whose id repeats an earlier one ('r21' twice: 'r21#2'), in order:
    an id ending in #N (N from 2) whose stem is an id of the set too."""
    ids = [str(i) for i in ids]
    known = set(ids)
    return [i for i in ids if (m := REPEATED_SUFFIX.search(i)) and int(m.group(1)) >= 2 and i[:m.start()] in known]


def ids_repeated(ids: Iterable[str], lang: str = "en") -> str:
    """One line naming the rows renamed for an id the manifest repeats ("" when none is): 'r21#2' had appeared in
    the table with no word why."""
    renamed = renamed_ids(ids)
    return t(IDS_REPEATED, lang, n=len(renamed), ids=ids_named(renamed, lang)) if renamed else ""


IDS_REPEATED = "{n} row(s) repeat an earlier row's id and are named with #2, #3 ...: {ids}"


def labelled_left_out(figures: dict, lang: str = "en") -> str:
    """One line saying how many labelled rows failed and so are not in the scores ("" when none did): the scores'
    "25 labelled rows" of a set that gave 30 had not said where the other 5 went."""
    n = figures.get("labelled_failed") or 0
    return t(LABELLED_LEFT_OUT, lang, n=n) if n else ""


LABELLED_LEFT_OUT = "{n} labelled row(s) could not be explained and are left out of the scores"


def unread_labels(rows: list[dict]) -> list[str]:
    """The ids of the results rows whose label is no sentiment (their notice says so)."""
    return [str(r.get("id")) for r in rows if any(str(n).startswith(LABEL_NOT_USED) for n in r.get("notices") or [])]


def labels_not_read(ids: list[str] | tuple[str, ...], lang: str = "en") -> str:
    """One line naming the rows whose label is no sentiment (explained as unlabelled), "" when there are none."""
    if not ids:
        return ""
    return t("labels not read (no sentiment name: use negative, neutral, positive, -1 / 0 / 1 or an emotion), "
             "explained without them: {n} · {ids}", lang, n=len(ids), ids=ids_named(ids, lang))


def labels_read(rows: list[dict], lang: str = "en") -> str:
    """One line saying how numbered labels were read when the label column's numbers are not -1 / 0 / 1 (0 / 1
    of a binary set, 0 to 4, star ratings, sentiment scores: ``labels.label_numbering``, as the whole label
    column's numbers decided when it was read: ``label_read_as``), "" otherwise."""
    numbering = next((r["label_read_as"] for r in rows if r.get("label_read_as")), None) or label_numbering(
        r.get("label_given") for r in rows if r.get("label_given") is not None)  # a results folder written before
    if numbering in SCORES:
        band = f"{SCORES[numbering]:g}"
        return t("scores read as sentiments: below −{band} → {negative}, −{band} to {band} → {neutral}, above "
                 "{band} → {positive} (the three classes of {sets}), by the scores the label column holds (to "
                 "mean another reading, write negative, neutral or positive)", lang, band=band,
                 sets=SCORE_SETS[numbering], **{s: i18n.label(s, lang) for s in SENTIMENTS})
    read: dict[int, str] = {}
    for r in rows:
        number = label_number(r.get("label_given")) if r.get("label_given") is not None else None
        if number is not None and r.get("label"):
            read[int(number)] = r["label"]
    usual = NUMBERINGS[DEFAULT_NUMBERING]
    if numbering != NAMED and all(usual.get(str(n)) == name for n, name in read.items()):
        return ""
    pairs = ", ".join(f"{n} → {i18n.label(name, lang)}" for n, name in sorted(read.items()))
    if numbering == NAMED:
        return t("numbered labels read as {pairs}, by the names --label-names gives them", lang, pairs=pairs)
    return t("numbered labels read as {pairs}, by the numbers the label column holds (to mean another reading, "
             "write negative, neutral or positive)", lang, pairs=pairs)


def report_title(name: str, lang: str = "en") -> str:
    return t("Dataset explanations: {name}", lang, name=name)


def report_page(results: ResultsDir | str | Path, title: str | None = None, lang: str = "en") -> str:
    """The report of a results directory (a folder, a URI or an open :class:`~msa_demo.dataset.store.ResultsDir`)
    in ``lang``: its rows, the model they were explained with, the share of the manifest they are."""
    store = results if isinstance(results, ResultsDir) else open_results(results)
    try:
        model = json.loads(store.read(MODEL) or b"null")
    except ValueError:  # a file torn or edited by hand: the page without it
        model = None
    return to_html(store.rows(), title or report_title(store.name, lang), lang, model, folder_extent(store))


def write_report(results: ResultsDir | str | Path, title: str | None = None, lang: str = "en") -> str:
    """Write ``report.html`` from the rows of a results directory (:func:`report_page`), in ``lang``; where it
    went."""
    store = results if isinstance(results, ResultsDir) else open_results(results)
    return store.put(REPORT, report_page(store, title, lang).encode("utf-8"))


__all__ = ["ONE_CLASS", "SLICES", "THIRDS", "alone", "between", "fused_probs", "runner_up", "too_close", "too_close_line", "timed_lists", "where_in_clip", "conflict_winners", "ids_named", "ids_repeated", "inputs_not_read", "labelled_left_out", "labels_not_read", "labels_read", "macro_f1",
           "map_name", "mean_abs_shapley", "model_html", "modalities_in", "renamed_ids", "report_page", "report_title", "rows_counted", "rows_left_out", "slice_name", "summary", "to_html",
           "top_across", "unread_labels", "write_report"]
