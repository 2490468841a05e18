"""``DIR/report.html``: the whole set at a glance, for people who ship the model. Self-contained and light:
static SVG bars and HTML tables, no script, every string escaped.

First what to know before the figures ("Read this first": rows in a language outside the model's languages, rows
whose text holds no words and the likely cause, pictures the face model left out, sarcasm as a blind spot). Accuracy, macro P/R/F1 and the confusion matrix (rows with a label); mean |Shapley| per modality overall, per
predicted class and per label, and how many rows were too close to call and how they score; slices (by the
modalities used, language, the manifest's group, conflict or agreement, label, verdict: decided or too close to call)
with their labelled rows, accuracy and macro F1 (marked over too few labelled rows, or for a language outside the
model's) and reliance; how often modalities conflict and which one the fused decision sides with; each
registered modality's parts (words, image regions, audio segments, video moments, ...) carrying most attribution
across the set (times in a clip by the third of the clip they fall in, never added up across clips); a map of the rows (their fused features by PCA, ``rowmap``: a point links to the row's saved
explanation); the maps that fail their faithfulness check, with the dashboard's reason; the rows that could not be explained. Its modality
columns come from the registry (``columns``) and from the rows themselves.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections import defaultdict
from pathlib import Path
from typing import Any, Iterable

from msa_demo.config import NEAR_TIE, SENTIMENTS, load_preset, voice_reads_words
from msa_demo.dataset.columns import (LABEL_NOT_USED, TOP_AT, modalities, prob_column, shapley_column, top_lists,
                                      top_titles)
from msa_demo.dataset.rowmap import row_map
from msa_demo.dataset.store import MODEL, REPORT, ResultsDir, extent as folder_extent, open_results
from msa_demo import i18n
from msa_demo.i18n import sep, t
from msa_demo.labels import (DEFAULT_NUMBERING, LABEL_SCALES, NAMED, NUMBERINGS, SCALED, SCORE_SETS, SCORES, UNSIGNED,
                             compute_metrics, label_number, label_numbering, label_score)
from msa_demo.language import OUTSIDE_LANGUAGES, language_name
from msa_demo.views.base import esc as _e
from msa_demo.views.rowmap import map_svg
from msa_demo.views.charts import BARS_CSS, bars_html
from msa_demo.views.story import failed_checks, near_tie, tie_between, tie_gap, top_two

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
    whole = [r for r in labelled if not r.get("not_read")]  # the labelled rows read with every input they name
    whole_metrics = None
    if whole and len(whole) < len(labelled):  # (said beside the headline only where it differs from it)
        whole_metrics = compute_metrics([idx[r["label"]] for r in whole], [idx[r["predicted"]] for r in whole],
                                        list(SENTIMENTS))
    binary = binary_metrics(labelled)
    by_pred = {s: mean_abs_shapley([r for r in ok if r.get("predicted") == s]) for s in SENTIMENTS}
    by_label = {s: mean_abs_shapley([r for r in ok if r.get("label") == s]) for s in SENTIMENTS}
    slices = {what: _slices(ok, key) for what, key in SLICES.items()}
    _one_class(slices["label"], labelled)
    timed = timed_lists(ok)
    close = [r for r in ok if too_close(r)]
    close_labelled = [r for r in close if r in labelled]
    outside = [r for r in ok if outside_language(r)]
    no_words = [r for r in ok if noticed(r, NO_WORDS_NOTICE)]
    return {
        # rows in a language outside the model's languages, by the row's language: {code: rows}
        "rows_outside": len(outside), "ids_outside": [str(r["id"]) for r in outside],
        "outside_by_language": _count(r.get("language") or "unknown" for r in outside),
        # rows whose text held no words (only punctuation, symbols, emoji), and those of them made of "?": lost
        "ids_no_words": [str(r["id"]) for r in no_words],
        "ids_lost_characters": [str(r["id"]) for r in no_words if lost_characters(r)],
        # rows whose picture the face model found no face in (left out of the row): a model that reads faces only
        "no_face": sum(noticed(r, NO_FACE_NOTICE) for r in ok),
        "text_rows": sum("text" in (r.get("used") or []) for r in ok),
        # rows whose fused verdict was too close to call: still scored on their predicted class (the metrics are),
        # counted and scored apart here so a reader can leave them out
        "too_close": len(close), "ids_too_close": [str(r["id"]) for r in close],
        "too_close_labelled": len(close_labelled),
        "too_close_accuracy": (sum(r["label"] == r["predicted"] for r in close_labelled) / len(close_labelled)
                               if close_labelled else None),
        "slices": slices, "rows": len(rows), "explained": len(ok), "failed": len(rows) - len(ok), "metrics": metrics,
        # the scores over the labelled rows read whole (every input they name read), when some were not: a row
        # scored from its text alone (its video corrupt) had been pooled into the headline unseparated
        "metrics_whole": whole_metrics,
        # labels of two classes (SST-2's, Sentiment140's) and a verdict of the third: the scores over the labels' two
        # classes too, as binary benchmarks read them (the 3-class macro F1 0.636 beside their F1 0.950)
        "metrics_binary": binary,
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
        # inputs the rows name that the run did not use (--use, or an upload without its files): {modality: rows}
        "not_used": {str(m): n for m, n in ((extent or {}).get("unused") or {}).items() if isinstance(n, int) and n},
    }


def _count(names: Iterable[str]) -> dict[str, int]:
    """{name: how many times}, the most frequent first (then by name)."""
    counts: dict[str, int] = defaultdict(int)
    for n in names:
        counts[n] += 1
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


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
    # the manifest's group column (``--columns group=notes``): shown when the rows fall in two groups or more
    "group": lambda r: r.get("group") or "no group",
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
                     "macro_f1": macro_f1(lab), "too_few": 0 < len(lab) < MIN_LABELLED,
                     "outside": sum(outside_language(r) for r in g)}
    return out


MIN_LABELLED = 10  # a score over fewer labelled rows is shown with "too few to tell" ("es: 4 labelled, 1.000")
TOO_FEW = "too few to tell"
TOO_FEW_NOTE = ("A score over fewer than {n} labelled rows is marked “too few to tell”: one row more or less moves it "
                "by 10 points or more.")


def outside_language(rec: dict) -> bool:
    """Were the row's words (all or a substantial part) in a language its model was not trained on (its
    ``outside_languages``; in a folder written before it was kept, a notice that says so)? Its verdict is not
    reliable, as its notice says."""
    if isinstance(rec.get("outside_languages"), (list, tuple)):
        return bool(rec["outside_languages"])
    return any(OUTSIDE_LANGUAGES in str(n) for n in rec.get("notices") or [])


# a row's notices (``inputs.NO_WORDS``, ``explain.NO_FACE_LEFT_OUT`` and its photo's variant), by how they begin
NO_WORDS_NOTICE = "Text: it holds no words"
NO_FACE_NOTICE = "Image: no face was found"
LOST_MARKS = "?\ufffd"  # what a character becomes in a file saved in an encoding that cannot hold it


def noticed(rec: dict, start: str) -> bool:
    return any(str(n).startswith(start) for n in rec.get("notices") or [])


def lost_characters(rec: dict) -> bool:
    """Is the row's text mostly question marks (or U+FFFD), three or more: characters lost when the file was saved
    in a legacy encoding ("今天投票的人真多" saved as Latin-1 reads "????????")?"""
    text = str(rec.get("text") or rec.get("text_start") or "")
    marks = sum(c in LOST_MARKS for c in text)
    return marks >= 3 and 2 * marks >= len("".join(text.split()))


def _one_class(groups: dict[str, dict[str, Any]], labelled: list[dict]) -> None:
    """The label slices as a one-class slice is read: each holds one true class, so its macro F1 scored the other
    classes 0 (neutral: accuracy 0.818, macro F1 0.300) and is left out (None); its accuracy is that class's
    "recall", and "precision" is the class's over the whole set (the labelled rows predicted as it; None when none
    is)."""
    for name, g in groups.items():
        if name not in SENTIMENTS:
            continue
        said = [r for r in labelled if r.get("predicted") == name]
        g.update(macro_f1=None, recall=g["accuracy"], precision_of=len(said),
                 precision=sum(r["label"] == name for r in said) / len(said) if said else None)


ONE_CLASS = ("By label, each slice holds one true class: its accuracy is that class's recall, its precision is over "
             "every row predicted as that class, and macro F1 is left out (the slice's other classes would score 0).")


def map_name(m: dict, lang: str = "en") -> str:
    """A saved map named by its modality and method ("image occlusion"), in ``lang``."""
    return f"{i18n.modality(m.get('modality'), lang)} {t(str(m.get('method', '')).replace('_', ' '), lang)}"


def slice_name(what: str, name: str, lang: str = "en") -> str:
    """A slice's name in ``lang``: the modalities used ("text+image"), a language's code ("zh": 中文), a class, or a
    plain word ("agreement", "unlabelled")."""
    if what == "group":  # the set's own words, but for the slice of rows without one
        return t(name, lang) if name == "no group" else name
    if lang != "zh":
        return name
    if what == "modalities used":
        return "+".join(i18n.modality(m, lang) for m in name.split("+")) if name != "none" else t("none", lang)
    if what == "language" and name != "unknown":
        return i18n.language(language_name(name), lang)
    return i18n.label(name, lang) if name in SENTIMENTS else i18n.said(name, lang)


OUTSIDE_SLICE = "{name} (outside this model's languages)"
PARTLY_OUTSIDE_SLICE = "{name} ({n} of its rows outside this model's languages)"


def slice_label(what: str, name: str, g: dict[str, Any], lang: str = "en") -> str:
    """A slice's name as its table shows it: a language slice whose rows' words the model was not trained on says
    so ("es (outside this model's languages)"; "es: 7 rows, accuracy 1.000" had read as a language it handles)."""
    shown = slice_name(what, name, lang)
    n = g.get("outside") or 0
    if what != "language" or not n:
        return shown
    return t(OUTSIDE_SLICE, lang, name=shown) if n >= g["rows"] else t(PARTLY_OUTSIDE_SLICE, lang, name=shown, n=n)


def too_few(g: dict[str, Any], score: str = "accuracy") -> bool:
    """Is a slice's ``score`` over fewer than :data:`MIN_LABELLED` rows (its labelled rows; a label slice's precision:
    the labelled rows predicted as its class)?"""
    n = g.get("precision_of") if score == "precision" else g.get("labelled")
    return isinstance(n, int) and 0 < n < MIN_LABELLED


def scored(g: dict[str, Any], score: str, spec: str = ".3f", lang: str = "en") -> str:
    """A slice's score as its table shows it: "—" without one, "1.000 (too few to tell)" over fewer than
    :data:`MIN_LABELLED` rows (:func:`too_few`)."""
    v = g.get(score)
    if v is None:
        return "—"
    return f"{v:{spec}}" + (f" ({t(TOO_FEW, lang)})" if too_few(g, score) else "")


def _slices_html(slices: dict[str, dict[str, dict[str, Any]]], names: list[str], lang: str = "en") -> str:
    parts = []
    few = False
    for what, groups in slices.items():
        if len(groups) < 2:
            continue
        by_label = what == "label"  # one true class a slice: its recall and precision, no macro F1 (``_one_class``)
        few = few or any(too_few(g) for g in groups.values())
        rows = [[slice_label(what, name, g, lang), g["rows"], g["labelled"], scored(g, "accuracy", lang=lang),
                 scored(g, "precision" if by_label else "macro_f1", lang=lang)]
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
                "there.", lang) + (" " + _e(t(TOO_FEW_NOTE, lang, n=MIN_LABELLED)) if few else "") + "</p>"
            + "".join(parts))


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


def voice_record(store: ResultsDir, rows: list[dict], model: dict | None = None) -> dict | None:
    """The record of the audio model the rows were explained with: the saved model record (``models["audio"]``) of
    the first row's explanation that used audio, else the audio entry of the preset ``model`` (``store.MODEL``)
    names; None when neither says."""
    for r in rows:
        if "audio" in (r.get("used") or []) and r.get("explanation") and not r.get("error"):
            try:
                saved = json.loads(store.read(str(r["explanation"])) or b"null")
            except (OSError, ValueError):
                break
            record = ((saved or {}).get("models") or {}).get("audio") if isinstance(saved, dict) else None
            if isinstance(record, dict):
                return record
            break
    try:
        spec = load_preset(str((model or {}).get("preset"))).modalities.get("audio")
    except Exception:  # a preset file no longer there, a name of another version: not said
        return None
    return {"family": spec.family} if spec is not None else None


def words_twice(rows: list[dict]) -> tuple[int, int]:
    """(explained rows whose text and voice were both read, those of them whose two verdicts are alike: each class
    within a point): where the voice is read only through its words, the words read twice."""
    both = [r for r in rows if not r.get("error") and {"text", "audio"} <= set(r.get("used") or [])]
    alike = sum(all(abs(float(r.get(prob_column("text", c)) or 0) - float(r.get(prob_column("audio", c)) or 0)) < 0.01
                    for c in SENTIMENTS) for r in both)
    return len(both), alike


def to_html(rows: list[dict], title: str | None = None, lang: str = "en", model: dict | None = None,
            extent: dict | None = None, voice: dict | None = None) -> str:
    """The page, in ``lang`` ("en" or "zh"; the rows' own words, ids and model names as they are); ``model``: the
    model they were explained with (``model_html``); ``extent``: the manifest's rows and the run's limit
    (``store.extent``: the page says "the first 50 of 59 rows"); ``voice``: its audio model's record
    (``voice_record``: a voice read only through its words is said under "Read this first")."""
    s = summary(rows, extent)
    if voice and voice_reads_words(voice) and any("audio" in (r.get("used") or []) for r in rows
                                                  if not r.get("error")):
        s["voice_words"], s["voice_words_alike"] = words_twice(rows)
        s["voice_words_only"] = True
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
    warned = caveats(s, lang)
    if warned:
        parts.append(f"<h2>{t('Read this first', lang)}</h2><ul>"
                     + "".join(f"<li>{_e(line)}</li>" for line in warned) + "</ul>")
    m = s["metrics"]
    parts.append(f"<h2>{t('Accuracy against the labels', lang)}</h2>")
    numbered = labels_read(rows, lang)
    if numbered:
        parts.append(f"<p>{_e(numbered)}</p>")
    mapped = labels_mapped(rows, lang)  # words read as another class's name (MELD's emotions): named, not silent
    if mapped:
        parts.append(f"<p>{_e(mapped)}</p>")
    unread = labels_not_read(unread_labels(rows), lang)  # as the command line says it ('negatve': "label: —" alone)
    if unread:
        parts.append(f"<p>{_e(unread)}</p>")
    if m:
        parts.append("<p>" + t("{n} labelled rows: accuracy <b>{accuracy}</b>, macro precision {precision}, recall "
                               "{recall}, F1 {f1}.", lang, n=m["n"], accuracy=f"{m['accuracy']:.3f}",
                               precision=f"{m['macro_precision']:.3f}", recall=f"{m['macro_recall']:.3f}",
                               f1=f"{m['macro_f1']:.3f}") + _sentence(labelled_left_out(s, lang), lang)
                     + _sentence(whole_line(s, lang), lang) + "</p>")
        if binary_line(s, lang):  # a binary set: its scores as the field reads them, beside the 3-class ones
            parts.append(f"<p>{_e(_capital(binary_line(s, lang)))}{i18n.stop(lang)}</p>")
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
        parts.append("<p>" + t(UNFAITHFUL_ONE if len(s["unfaithful"]) == 1 else UNFAITHFUL, lang,
                               n=len(s["unfaithful"])) + "</p>")
        parts.append(_table([t(h, lang) for h in ("row", "map", "why", "AOPC", "AOPC random", "IG δ")],
                            [[rid, map_name(mp, lang), " ".join(_why(w, mp, lang) for w in why_failed(mp)) or "—",
                              _fmt(mp.get("aopc")), _fmt(mp.get("aopc_random")), _fmt(mp.get("delta"))]
                             for rid, mp in s["unfaithful"][:LIST_N]], {3, 4, 5}))
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


UNFAITHFUL = ("{n} maps fail a check of the dashboard's trust table (its ✗, “read with care”); why each fails, as "
              "the dashboard says it:")
UNFAITHFUL_ONE = ("1 map fails a check of the dashboard's trust table (its ✗, “read with care”); why it fails, as the "
                  "dashboard says it:")


def _without_name(line: str, name: str) -> str:
    """A map's verdict without the map's name it opens with (its table's column names it)."""
    if not line.startswith(name):
        return line
    rest = line[len(name):].lstrip(" :：")
    return rest[:1].upper() + rest[1:]


def _why(line: str, mp: dict, lang: str = "en") -> str:
    """One of a map's failed checks (:func:`why_failed`, in English) in ``lang``, without the map's name."""
    line = i18n.said(line, lang)
    for name in dict.fromkeys((map_name(mp, lang), map_name(mp))):
        line = _without_name(line, name)
    return line


def why_failed(mp: dict) -> list[str]:
    """Why a saved map failed (its ``why``: the dashboard's sentence for each check it fails, in English); in a folder
    written before it was kept, the same checks (``views.story.failed_checks``) on the figures the row kept. The
    report had given every failing map the deletion test's reason, with figures that said it passed that test."""
    if isinstance(mp.get("why"), (list, tuple)):
        return [str(w) for w in mp["why"]]
    figures = {"modality": mp.get("modality"), "method": mp.get("method"), "delta": mp.get("delta"),
               "faithfulness": {k: mp.get(k) for k in ("aopc", "aopc_random", "sanity_spearman")}}
    return failed_checks({"maps": [figures]})[0]


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


OUTSIDE_ROWS = ("{n} rows are in a language outside this model's languages ({languages}): their verdicts are not "
                "reliable (each row's notices say so), and the slices by language mark them.")
OUTSIDE_ROW = ("1 row is in a language outside this model's languages ({languages}): its verdict is not reliable (its "
               "notices say so), and the slices by language mark it.")
NO_WORDS_ROWS = ("{n} row(s) hold no words in their text (only question marks, punctuation, symbols or emoji): {ids}; "
                 "their verdicts say how the model takes those marks, not what anyone meant.")
LOST_ROWS = ("{n} of them are question marks where characters were: most likely lost when the file was saved in a "
             "legacy encoding (Latin-1, Windows-1252) that cannot hold them (Chinese, emoji, accents); save it as "
             "UTF-8 and run it again.")
NO_FACE_ROWS = ("The image model reads faces only: in {n} row(s) it found no face in the picture (a poster, a chart, a "
                "scene), so the picture was left out and the row explained from its other inputs.")
NOT_USED = ("The run used none of the rows' {modalities}: it explained them from their other inputs (--use on the "
            "command line; on the Dataset tab, a manifest uploaded without its files), and no figure here reads them.")
SARCASM = ("Sarcasm and irony are a known blind spot: the text model reads words at face value, so a sarcastic post "
           "(“Thanks so much for the two-hour line”) is often read as the sentiment it pretends; check such posts by "
           "hand.")


VOICE_WORDS = ("The voice is read only through its words (speech recognition, then the text model), not its tone: "
               "its verdict, its Shapley value and its lane are a reading of what was said.")
VOICE_WORDS_ROWS = ("The voice is read only through its words (speech recognition, then the text model), not its tone: "
                    "in the {n} row(s) with text and voice the words were read twice, as written and as heard ({alike} "
                    "of them alike within a point), so the words count twice in the fused verdict, and the voice's "
                    "verdict and Shapley value repeat the text's where the text is what was said.")


def caveats(figures: dict, lang: str = "en") -> list[str]:
    """What to know before reading the figures, a line each: rows in a language outside the model's languages (by
    language), inputs the rows name that the run did not use, rows whose text holds no words (and the likely cause when they are question marks: characters lost to
    a legacy encoding), pictures the face model left out, and sarcasm as a blind spot of any text model. A row's own
    notices said these; the set's report had not."""
    lines = []
    if figures.get("voice_words_only"):  # first: it changes how every figure with the voice in it reads
        lines.append(t(VOICE_WORDS_ROWS, lang, n=figures["voice_words"], alike=figures["voice_words_alike"])
                     if figures.get("voice_words") else t(VOICE_WORDS, lang))
    n = figures.get("rows_outside") or 0
    if n:
        languages = i18n.listed((f"{i18n.language(language_name(code), lang) if code != 'unknown' else t('unknown', lang)}"
                                 f" {k}" for code, k in (figures.get("outside_by_language") or {}).items()), lang)
        lines.append(t(OUTSIDE_ROW, lang, languages=languages) if n == 1 else
                     t(OUTSIDE_ROWS, lang, n=n, languages=languages))
    empty = figures.get("ids_no_words") or []
    if empty:
        lost = len(figures.get("ids_lost_characters") or [])
        lines.append(t(NO_WORDS_ROWS, lang, n=len(empty), ids=ids_named(empty, lang))
                     + (("" if lang == "zh" else " ") + t(LOST_ROWS, lang, n=lost) if lost else ""))
    if figures.get("not_used"):
        lines.append(t(NOT_USED, lang, modalities=i18n.listed(
            (t("{modality} ({n} rows)", lang, modality=i18n.modality(m, lang), n=n)
             for m, n in figures["not_used"].items()), lang)))
    if figures.get("no_face"):
        lines.append(t(NO_FACE_ROWS, lang, n=figures["no_face"]))
    if figures.get("text_rows"):
        lines.append(t(SARCASM, lang))
    return lines


def _sentence(line: str, lang: str = "en") -> str:
    """``line`` as a sentence after another (escaped, a space before, a full stop after); "" for no line."""
    return f"{'' if lang == 'zh' else ' '}{_e(line)}{i18n.stop(lang)}" if line else ""


def _capital(line: str) -> str:
    """``line`` with its first letter a capital (a sentence that opens with "the first 50 of 59 rows")."""
    return line[:1].upper() + line[1:]


def _fmt(v: Any) -> str:
    return "—" if v is None else f"{float(v):.3f}"


WHOLE_ROWS = ("on the {n} labelled rows read whole (every input they name read): accuracy {accuracy}, macro F1 {f1}; "
              "the others were explained without an input they name")


def whole_line(figures: dict, lang: str = "en") -> str:
    """The scores over the labelled rows read whole, when some labelled rows went without an input they name
    (``summary``'s ``metrics_whole``); "" otherwise."""
    w = figures.get("metrics_whole")
    if not w:
        return ""
    return t(WHOLE_ROWS, lang, n=w["n"], accuracy=f"{w['accuracy']:.3f}", f1=f"{w['macro_f1']:.3f}")


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


def unread_labels(rows: list[dict]) -> list[tuple[str, str]]:
    """(id, the label as given) of the results rows whose label is no sentiment (their notice says so)."""
    return [(str(r.get("id")), str(r.get("label_given") or "")) for r in rows
            if any(str(n).startswith(LABEL_NOT_USED) for n in r.get("notices") or [])]


LABELS_NOT_READ = ("labels not read, explained without them: {n} · {values} · rows {ids}. Write negative, neutral or "
                   "positive (or an emotion) in their place{numbers}.")
NAME_NUMBERS = "; name numbers with --label-names, such as 0=neutral"
VALUES_SHOWN = 8  # the labels not read named by value, the most frequent first; then "and N more"


def labels_not_read(unread: list[tuple[str, str]] | tuple[tuple[str, str], ...], lang: str = "en") -> str:
    """One line naming the labels that are no sentiment by value, with how many rows give each ("'meh/neutral' (3
    rows)": what to fix in the sheet; row ids alone had not said), then the rows (explained as unlabelled); ""
    when there are none."""
    if not unread:
        return ""
    counts: dict[str, int] = {}
    for _rid, given in unread:
        counts[given] = counts.get(given, 0) + 1
    ranked = sorted(counts.items(), key=lambda kv: -kv[1])
    values = i18n.listed((t("'{label}' ({n} rows)" if k > 1 else "'{label}' (1 row)", lang, label=v, n=k)
                          for v, k in ranked[:VALUES_SHOWN]), lang)
    if len(ranked) > VALUES_SHOWN:
        values += t(" and {n} more", lang, n=len(ranked) - VALUES_SHOWN)
    numbers = "" if not any(label_score(v) is not None for v in counts) else t(
        SAY_SCALE if label_numbering(counts) == UNSIGNED else NAME_NUMBERS, lang)
    return t(LABELS_NOT_READ, lang, n=len(unread), values=values, numbers=numbers,
             ids=ids_named([rid for rid, _ in unread], lang))


def binary_metrics(labelled: list[dict]) -> dict[str, Any] | None:
    """The scores of labelled rows over their labels' two classes, when the labels hold two and some row was
    predicted the third (``compute_metrics`` over those two: a row predicted neutral is wrong, and neutral is no
    class averaged, as binary benchmarks score SST-2 or Sentiment140), with ``classes``, ``other`` (the third) and
    ``outside`` (the rows predicted it); None otherwise (the 3-class figures are then the same)."""
    classes = [c for c in SENTIMENTS if any(r["label"] == c for r in labelled)]
    outside = [r for r in labelled if r["predicted"] not in classes]
    if len(classes) != 2 or not outside:
        return None
    idx = {c: i for i, c in enumerate(SENTIMENTS)}
    m = compute_metrics([idx[r["label"]] for r in labelled], [idx[r["predicted"]] for r in labelled], list(SENTIMENTS),
                        over=classes)
    return {**m, "classes": classes, "other": next(c for c in SENTIMENTS if c not in classes), "outside": len(outside)}


BINARY_READING = ("over the labels' 2 classes ({classes}), as binary benchmarks score: accuracy {accuracy}, macro "
                  "precision {precision}, recall {recall}, F1 {f1} (a '{other}' verdict counts as wrong: {n} row(s)); "
                  "the 3-class macro averages (F1 {f1_3}) include '{other}', which no label holds")
BINARY_READING_TAB = ("over the labels' 2 classes ({classes}), as binary benchmarks score: accuracy **{accuracy}** · "
                      "macro F1 {f1} (a '{other}' verdict counts as wrong: {n} row(s)); the macro F1 above includes "
                      "'{other}', which no label holds")


def binary_line(figures: dict, lang: str = "en", tab: bool = False) -> str:
    """The scores over a binary set's two classes (``summary``'s ``metrics_binary``), named as such, with the note
    that the 3-class macro averages include the third; "" when there are none. ``tab``: the Dataset tab's form
    (accuracy in %, in bold)."""
    b, m = figures.get("metrics_binary"), figures.get("metrics") or {}
    if not b:
        return ""
    named = {"classes": i18n.listed((i18n.label(c, lang) for c in b["classes"]), lang),
             "other": i18n.label(b["other"], lang), "n": b["outside"]}
    if tab:
        return t(BINARY_READING_TAB, lang, accuracy=f"{b['accuracy']:.0%}", f1=f"{b['macro_f1']:.2f}", **named)
    return t(BINARY_READING, lang, accuracy=f"{b['accuracy']:.3f}", precision=f"{b['macro_precision']:.3f}",
             recall=f"{b['macro_recall']:.3f}", f1=f"{b['macro_f1']:.3f}", f1_3=f"{m.get('macro_f1', 0):.3f}", **named)


def binary_said(rows: list[dict], lang: str = "en") -> str:
    """:func:`binary_line` of a folder's rows (the run's line), computed from them; "" when it has none."""
    labelled = [r for r in rows if not r.get("error") and r.get("label") in SENTIMENTS
                and r.get("predicted") in SENTIMENTS]
    b = binary_metrics(labelled)
    if not b:
        return ""
    idx = {c: i for i, c in enumerate(SENTIMENTS)}
    m = compute_metrics([idx[r["label"]] for r in labelled], [idx[r["predicted"]] for r in labelled], list(SENTIMENTS))
    return binary_line({"metrics": m, "metrics_binary": b}, lang)


MAPPED_SHOWN = 12  # the labels read as classes named, the most frequent first; then "and N more"
LABELS_MAPPED = ("labels read as classes: {pairs} (an emotion as its sentiment, a word as the class it names; to mean "
                 "another reading, write negative, neutral or positive)")


def labels_mapped(rows: list[dict], lang: str = "en") -> str:
    """One line naming each label given as a word that is not its class's name and the class it was read as, with
    how many rows give it ("joy → positive (5 rows), surprise → neutral (3)": MELD's emotions, 'very positive',
    'POS'), the most frequent first, "" when there are none; numbers are :func:`labels_read`'s."""
    counts: dict[tuple[str, str], int] = {}
    for r in rows:
        given, label = r.get("label_given"), r.get("label")
        if given is None or label not in SENTIMENTS or label_score(given) is not None:
            continue
        given = str(given).strip()
        if given.lower() != label:  # (its own name in another case, 'Positive', is no reading)
            counts[given, label] = counts.get((given, label), 0) + 1
    if not counts:
        return ""
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    pairs = i18n.listed((t("{given} → {label} ({n} rows)" if k > 1 else "{given} → {label} (1 row)", lang,
                           given=g, label=i18n.label(c, lang), n=k) if i == 0 else
                         t("{given} → {label} ({n})", lang, given=g, label=i18n.label(c, lang), n=k)
                         for i, ((g, c), k) in enumerate(ranked[:MAPPED_SHOWN])), lang)
    if len(ranked) > MAPPED_SHOWN:
        pairs += t(" and {n} more", lang, n=len(ranked) - MAPPED_SHOWN)
    return t(LABELS_MAPPED, lang, pairs=pairs)


def labels_read(rows: list[dict], lang: str = "en") -> str:
    """One line saying how numbered labels were read when the label column's numbers are not -1 / 0 / 1 (0 / 1
    of a binary set, 0 to 4, star ratings, sentiment scores: ``labels.label_numbering``, as the whole label
    column's numbers decided when it was read: ``label_read_as``), "" otherwise."""
    numbering = next((r["label_read_as"] for r in rows if r.get("label_read_as")), None) or label_numbering(
        r.get("label_given") for r in rows if r.get("label_given") is not None)  # a results folder written before
    if numbering == UNSIGNED:  # none read: why, and how to say the scale (a line, not a count of rows alone)
        return t(UNSIGNED_LINE, lang)
    said_scale = numbering[len(SCALED) + 1:] if numbering.startswith(SCALED + " ") else None
    if said_scale in LABEL_SCALES:
        numbering = LABEL_SCALES[said_scale]
    if numbering in SCORES:
        band = f"{SCORES[numbering]:g}"
        how = {s: i18n.label(s, lang) for s in SENTIMENTS}
        if said_scale:
            return t(SCORES_SAID, lang, band=band, sets=SCORE_SETS[numbering], scale=said_scale, **how)
        other = next(k for k, v in LABEL_SCALES.items() if v != numbering)
        return t(SCORES_GUESSED, lang, band=band, sets=SCORE_SETS[numbering], other=other, **how)
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


SCORES_GUESSED = ("scores read as sentiments: below −{band} → {negative}, −{band} to {band} → {neutral}, above "
                  "{band} → {positive} (the three classes of {sets}), by the scores the label column holds; if they "
                  "are on another scale, say it: --label-scale {other}")
SCORES_SAID = ("scores read as sentiments: below −{band} → {negative}, −{band} to {band} → {neutral}, above {band} → "
               "{positive} (the three classes of {sets}), as --label-scale {scale} says")
UNSIGNED_LINE = ("the label column's numbers are scores with none below 0, so their scale is not guessed and none was "
                 "read: say it with --label-scale sims (-1 to 1, as CH-SIMS) or --label-scale mosi (-3 to 3, as "
                 "CMU-MOSI / MOSEI)")
SAY_SCALE = "; or say the scale of their scores with --label-scale"


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
    rows = store.rows()
    return to_html(rows, title or report_title(store.name, lang), lang, model, folder_extent(store),
                   voice_record(store, rows, model))


def write_report(results: ResultsDir | str | Path, title: str | None = None, lang: str = "en") -> str:
    """Write ``report.html`` from the rows of a results directory (:func:`report_page`), in ``lang``; where it
    went."""
    store = results if isinstance(results, ResultsDir) else open_results(results)
    return store.put(REPORT, report_page(store, title, lang).encode("utf-8"))


__all__ = ["MIN_LABELLED", "TOO_FEW", "WHOLE_ROWS", "caveats", "lost_characters", "outside_language", "scored", "slice_label",
           "too_few", "why_failed", "ONE_CLASS", "SLICES", "THIRDS", "alone", "between", "binary_line", "binary_metrics", "binary_said", "fused_probs", "runner_up", "too_close", "too_close_line", "timed_lists", "where_in_clip", "conflict_winners", "ids_named", "ids_repeated", "inputs_not_read", "labelled_left_out", "labels_mapped", "labels_not_read", "labels_read",
           "macro_f1",
           "map_name", "mean_abs_shapley", "model_html", "modalities_in", "renamed_ids", "report_page", "report_title", "rows_counted", "rows_left_out", "slice_name", "summary", "to_html",
           "top_across", "unread_labels", "voice_record", "words_twice", "write_report"]
