"""The dashboard's Dataset tab: open a results folder of ``explain-batch`` (or run a small manifest into one), see
its rows in a sortable, searchable table (a verdict and a Shapley column per registered modality) with filters
(too close to call, conflict, "<modality> alone wrong", unfaithful map, failed rows),
and click a row to open its saved explanation in the Explain tab's panels; a map of the rows (their fused features
by PCA, ``dataset.rowmap``) whose points open their row the same way.

    tab = DatasetTab(dash)                       # handlers, tested without a browser
    table, summary, *_ = tab.open("out/", "conflict")   # ..., the set by slice, the map and its caption
    panels = tab.open_row("out/", "row-00003")   # the Explain tab's outputs, then the tab to show
    panels = tab.open_point("out/", "row-00003@1712")  # a map point's click (its row id, then a click stamp)

Folders and manifests are read and written only under one root folder (``$MSA_DATASET_ROOT``, else the folder the
app started in), so a public dashboard does not open the server's other files: a manifest's row that names a file
elsewhere (an uploaded one too) is explained without it, said. Nor does it fetch a row's links (``https://``,
``s3://`` ...: an upload would make the server fetch any address it can reach) unless ``$MSA_DATASET_LINKS`` is 1 (a
private dashboard); explain-batch on the command line reads them.

A visitor's runs (an upload, the curated examples) are that visitor's only: they are written under
``msa_results/visitors/<key>/``, where ``<key>`` is a hash of a random token the visitor's browser keeps
(:func:`new_visitor`, a ``gr.BrowserState``), listed to that visitor only, and a path typed into another visitor's
folder is refused whether it exists or not; they are deleted after ``$MSA_UPLOADS_KEEP_HOURS`` (default 24). The
folders the operator put in the data folder (explain-batch runs on the server, shipped results) are everyone's.
"""

import hashlib
import json
import os
import re
import secrets
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from msa_demo import registry
from msa_demo.dataset.columns import shapley_column
from msa_demo.dataset.export import given_differs
from msa_demo.dataset.report import (MIN_LABELLED, ONE_CLASS, PUNCTUATION, TOO_FEW_NOTE, alone, binary_line,
                                     ids_repeated, inputs_not_read, labelled_left_out, labels_mapped,
                                     labels_not_read, labels_read, map_name, rows_counted, rows_left_out, runner_up,
                                     scored, slice_label, slice_name, too_close, too_close_line, too_few,
                                     unread_labels)
from msa_demo.errors import MsaError
from msa_demo.i18n import label as class_name, listed, modality as modality_name, said, sep, t
from msa_demo.ui.fields import write_whole
from msa_demo.ui.i18n import current_language, tr, tr_made
from msa_demo.ui.options import (RESULTS_DIR, VISITORS, data_folder, env_flag, folder_named, in_folder, keep_hours,
                                 relative_paths, shown_folder)
from msa_demo.ui.widgets import gradio, number_input, user_error
from msa_demo.views import code, md

# The manifest reader's messages name the command line's flags ("name its encoding: --encoding cp1252"); on this tab
# they are fields: (its label in English, in Chinese), and whether a flag's value holds "=" (a column map)
FIELDS = {"--columns": ("'your columns' box", "“你的列”一栏", True),
          "--encoding": ("'text encoding' box", "“文本编码”一栏", False),
          "--label-names": ("'numbered labels' names' box", "“编号标签的名称”一栏", False),
          "--split": ("'only the split' box", "“只看划分”一栏", False)}


def in_fields(message: str, lang: str = "en") -> str:
    """A manifest reader's message (in ``lang``) as this tab says it: each command-line flag named as the field that
    does the same ("--encoding cp1252" -> "cp1252 in the 'text encoding' box"; a bare "--columns takes ..." ->
    "the 'your columns' box takes ...")."""
    import re

    text = said(message, lang)
    for flag, (en, zh, pairs) in FIELDS.items():
        box = zh if lang == "zh" else f"the {en}"
        value = r"[^\s,;()。）]*=[^\s;()。）]*" if pairs else r"[A-Za-z0-9_.-]+"
        text = re.sub(rf"{re.escape(flag)} ({value}?)(?=[.,;)。）]?(\s|$|[)）。]))",
                      lambda m: (f"在{box}填 {m.group(1)}" if lang == "zh" else f"{m.group(1)} in {box}"), text)
        text = re.sub(rf"{re.escape(flag)}\b", box, text)
    return text[:1].upper() + text[1:]

ALL = "all rows"
# a manifest uploaded alone whose pictures (clips ...) are not in the data folder: explained without them, or refused
LEFT_OUT_ZIP = ("The rows were explained without their {kinds} files. To explain those too, upload a .zip of the "
                "folder that holds the manifest with them (as its paths name them from that folder).")
NOTHING_ELSE = ("The rows have nothing else to explain them from: upload a .zip of the folder that holds the manifest "
                "with its files (as its paths name them from that folder).")
NOT_EXPLAINED = "⚠ Not explained: {why}"


def _alone_wrong(modality: str) -> Callable[[dict], bool]:
    return lambda r: bool(r.get("label")) and alone(r, modality) not in (None, r.get("label"))


def filters() -> dict[str, Callable[[dict], bool]]:
    """The table's filters: {name: keep(row)}; an "<m> alone wrong" filter per registered modality."""
    return {
        ALL: lambda r: True,
        "wrong (prediction ≠ label)": lambda r: bool(r.get("label")) and not r.get("error")
        and r.get("predicted") != r.get("label"),
        "too close to call": lambda r: not r.get("error") and too_close(r),
        "conflict": lambda r: bool(r.get("conflict")),
        **{f"{m} alone wrong": _alone_wrong(m) for m in registry.names()},
        "unfaithful map": lambda r: bool(r.get("unfaithful")),
        "failed rows": lambda r: bool(r.get("error")),
    }


def filter_choices() -> list[tuple[Any, str]]:
    """The filters as the page's radio offers them: (the name in the page's language, the name)."""
    made = {f"{m} alone wrong": f"{modality_name(m, 'zh')}单独判断错误" for m in registry.names()}
    made["too close to call"] = t("too close to call", "zh")  # the summary's words (msa_demo.i18n), not the page's
    return [(tr_made(name, made[name]) if name in made else tr(name), name) for name in filters()]


def columns(lang: str = "en") -> list[str]:
    """The table's columns: each registered modality's own verdict ("<m> alone") and Shapley value among them;
    named in ``lang``."""
    names = registry.names()
    return [*(t(c, lang) for c in ("id", "label", "predicted", "P(predicted)", "too close to call")),
            *[t("{modality} alone", lang, modality=modality_name(m, lang)) for m in names],
            *[t("Shapley {modality}", lang, modality=modality_name(m, lang)) for m in names],
            *(t(c, lang) for c in ("conflict", "unfaithful maps", TOP_WORDS, "error or input not read"))]


TOP_WORDS = "top words (🔊: heard)"  # the column: the text's words, else those of speech recognition, marked
HEARD_MARK = "🔊 "


def top_words(rec: dict) -> tuple[list[dict], bool]:
    """(the row's top words, whether they were heard rather than typed): the text's map's; else, where the audio's
    map scored the words speech recognition heard (lite's voice model), that map's. A clip's row had shown no
    words though its words were spoken and mapped. Words are heard too where the text the row was explained with is
    the words said in its clip (no text given: ``heard`` without ``text_start``)."""
    typed = rec.get("top_words") or []
    if typed:
        return typed, bool(rec.get("heard")) and not rec.get("text_start")
    audio = next((m for m in rec.get("maps") or [] if m.get("modality") == "audio"), None)
    if audio is not None and audio.get("method") == "word_ablation":
        return rec.get("top_segments") or [], True
    return [], False


def manifest_columns(lang: str = "en") -> str:
    """The manifest's modality columns as the tab names them: "`text`, `image`, `audio`, `video` (image, audio,
    video: paths relative to the data folder, or to the manifest in a .zip or on the server)", in ``lang`` (the column names stay as a manifest spells them)."""
    kinds = registry.kinds()
    files = [k.name for k in kinds if k.manifest_file]
    if not files:
        return ", ".join(f"`{k.name}`" for k in kinds)
    if lang == "zh":
        return "、".join(f"`{k.name}`" for k in kinds) + (f"（{'、'.join(files)}：路径相对于数据文件夹；.zip 或服务器上的"
                                                         "清单则相对于清单所在文件夹）")
    return ", ".join(f"`{k.name}`" for k in kinds) + (f" ({', '.join(files)}: paths relative to the data folder, or "
                                                      "to the manifest in a .zip or on the server)")


def widths() -> list[int]:
    """The columns' widths in px, one per column."""
    n = len(registry.names())
    return [170, 95, 100, 125, 150, *[95] * n, *[85] * n, 85, 130, 200, 320]


MAX_ROWS = 50  # a run from the dashboard is for small sets; explain-batch runs the big ones
RECENT_KEPT = 12
TOKEN = re.compile(r"[A-Za-z0-9_-]{32,128}")  # a visitor's token as :func:`new_visitor` makes it
MANIFEST_SUFFIXES = (".csv", ".tsv", ".jsonl", ".parquet")
MAX_UNZIPPED, MAX_MEMBERS = 200 << 20, 2000  # an uploaded .zip: bytes and files it may unpack to
EXAMPLES_MANIFEST = Path(__file__).resolve().parents[2] / "examples" / "manifest.csv"


def new_visitor() -> str:
    """A visitor's token: random and unguessable (256 bits), kept by their browser; whoever holds it sees the runs
    made with it, so it is never shown, only its hash names their folder (:func:`visitor_key`)."""
    return secrets.token_urlsafe(32)


def visitor_key(token: str | None) -> str | None:
    """The name of a visitor's own folder: the SHA-256 of their token (32 hex digits), so that the folder's name,
    which the page shows, does not give the token away; None for no token, or one this app did not make (a short
    one would be a folder others could guess)."""
    token = str(token or "")
    return hashlib.sha256(token.encode()).hexdigest()[:32] if TOKEN.fullmatch(token) else None


def _stem(path: Path) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "-" for c in path.stem)[:40] or "upload"


def table_row(rec: dict, lang: str = "en") -> list[Any]:
    """One results row as the table shows it (numbers rounded, lists as short text; names in ``lang``, the id and
    the words as they are)."""
    pred = rec.get("predicted")
    conf = rec.get(f"prob_{pred}") if pred else None
    maps = rec.get("maps") or []
    failed = t("failed", lang) if rec.get("error") else None  # where the eye looks: the error is far right
    words, heard = top_words(rec)
    given = given_differs(rec)  # "positive (2.4)": the manifest's own value beside the class it was read as
    label = class_name(rec.get("label"), lang) if rec.get("label") else None
    if label and given:
        label += f"（{given}）" if lang == "zh" else f" ({given})"
    return [rec.get("id"), label, failed or class_name(pred, lang),
            round(conf, 3) if conf is not None else None,
            close_cell(rec, lang),
            *[class_name(alone(rec, m), lang) for m in registry.names()],
            *[round(v, 3) if (v := rec.get(shapley_column(m))) is not None else None for m in registry.names()],
            t("yes", lang) if rec.get("conflict") else "",
            listed((map_name(m, lang) for m in maps if m.get("verdict") == "✗"), lang),
            (HEARD_MARK if heard and words else "") + ", ".join(str(w.get("label")).strip(PUNCTUATION)
                                                                 or str(w.get("label")) for w in words[:3]),
            said(rec.get("error") or "", lang) or (t("without {modalities}", lang, modalities=listed(
                (modality_name(m, lang) for m in rec["not_read"]), lang)) if rec.get("not_read") else "")]


def close_cell(rec: dict, lang: str = "en") -> str:
    """The "too close to call" cell: against which class and how close ("vs negative, 0.6 points"; "yes" where the
    row's probabilities are not known; "" for a row called or failed): "yes" alone had not said between what."""
    if rec.get("error") or not too_close(rec):
        return ""
    near = runner_up(rec)
    return t("vs {label}, {gap} points", lang, label=class_name(near[0], lang), gap=f"{near[1]:.1f}") if near \
        else t("yes", lang)


WHOLE_ROWS_TAB = ("of them, the {n} read whole (every input they name read; the others were explained without one): "
                  "accuracy **{accuracy}** · macro F1 {f1}")


def summary_markdown(rows: list[dict], folder: Path, figures: dict | None = None, lang: str = "en") -> str:
    """A few lines over the whole folder: rows, failures, accuracy, modality reliance, conflicts, unfaithful maps.
    ``figures``: the rows' ``dataset.report.summary`` when it is computed already (else computed here, with how
    many rows the folder's manifest holds: "the first 50 of 59 rows")."""
    from msa_demo.dataset.report import summary
    from msa_demo.dataset.store import extent

    s = figures or summary(rows, extent(folder))
    lines = [t("**{name}**: {rows} · {explained} explained · {failed} failed", lang, name=md(folder.name),
               rows=md(rows_counted(s, lang)), explained=s["explained"], failed=s["failed"])]
    if s.get("left_out"):  # a limit (the rows box) or a stop left rows of the manifest out: said before any figure
        lines.append(md(rows_left_out(s, lang)))
    m = s.get("metrics") or {}
    if m.get("n"):
        lines.append(t("accuracy **{accuracy}** on {n} labelled rows · macro F1 {f1}", lang,
                       accuracy=f"{m['accuracy']:.0%}", n=m["n"], f1=f"{m['macro_f1']:.2f}")
                     + (" · " + md(labelled_left_out(s, lang)) if s.get("labelled_failed") else ""))
        if (w := s.get("metrics_whole")) is not None:  # its own line, in the same form: "accuracy 60% … accuracy
            # 0.750" in one line had read as two accuracies of one thing
            lines.append(t(WHOLE_ROWS_TAB, lang, n=w["n"], accuracy=f"{w['accuracy']:.0%}", f1=f"{w['macro_f1']:.2f}"))
        if binary_line(s, lang):  # a binary set: over its labels' two classes too, as its benchmarks score it
            lines.append(binary_line(s, lang, tab=True))
    elif s.get("labelled_failed"):  # labels given, none of their rows explained
        lines.append(md(labelled_left_out(s, lang)))
    close = too_close_line(s, lang)
    if close:
        lines.append(md(close))
    if s["reliance"]:
        lines.append(t("reliance (mean |Shapley|): {reliance}", lang, reliance=" · ".join(
            f"{modality_name(k, lang)} **{v:.3f}**{of_rows(s, k, s['explained'], lang)}"
            for k, v in sorted(s["reliance"].items(), key=lambda kv: -kv[1]))))
    lines.append(t("conflicts: {conflicts} · unfaithful maps: {unfaithful}", lang, conflicts=s["conflicts"],
                   unfaithful=len(s["unfaithful"])))
    not_read = inputs_not_read(s, lang)
    if not_read:
        lines.append(md(not_read))
    repeated = ids_repeated((r.get("id") for r in rows), lang)
    if repeated:
        lines.append(md(repeated))
    unread = unread_labels(rows)
    if unread:
        lines.append(md(in_fields(labels_not_read(unread, lang), lang)))
    numbered = labels_read(rows, lang)
    if numbered:
        lines.append(md(numbered))
    mapped = labels_mapped(rows, lang)
    if mapped:
        lines.append(md(mapped))
    return "\n\n".join(lines)


def breakdown_markdown(rows: list[dict], figures: dict | None = None, lang: str = "en") -> str:
    """The set by slice, under the summary (folded): the confusion matrix of the labelled rows, then
    :func:`slices_markdown`."""
    from msa_demo.dataset.report import summary

    s = figures or summary(rows)
    m = s.get("metrics") or {}
    parts = [confusion_markdown(m, lang)] if m.get("n") else [t("*No row carries a label: nothing to score.*", lang)]
    parts.append(slices_markdown(s["slices"], lang)
                 or t("*Every explained row falls in one slice of each kind.*", lang))
    return "\n\n".join(parts)


def confusion_markdown(metrics: dict, lang: str = "en") -> str:
    """The confusion matrix of the labelled rows (``labels.compute_metrics``) as a markdown table: truth in rows."""
    labels = metrics["labels"]
    head = f"| {t('truth ↓ · predicted →', lang)} | " + " | ".join(md(class_name(lab, lang)) for lab in labels) + " |"
    rule = "|---|" + "---:|" * len(labels)
    body = [f"| {md(class_name(lab, lang))} | " + " | ".join(str(v) for v in row) + " |"
            for lab, row in zip(labels, metrics["confusion_matrix"])]
    return "\n".join([head, rule, *body])


def slices_markdown(slices: dict[str, dict[str, dict]], lang: str = "en") -> str:
    """The report's slices as one markdown table: each slice's rows, accuracy and macro F1 on its labelled rows,
    and the modality it relies on most (only groupings with two slices or more); how many rows are labelled, a score
    over fewer than ``MIN_LABELLED`` marked "too few to tell", a language the model was not trained on marked."""
    lines = []
    few = False
    for what, groups in slices.items():
        if len(groups) < 2:
            continue
        for name, g in groups.items():
            rel = g.get("reliance") or {}
            top = max(rel, key=rel.get) if rel else None
            # those as relied on as the top one, as shown, are named with it ("text = image = audio 0.222"; one
            # of three equal ones was named as the one relied on most)
            tied = [m for m in rel if top and f"{rel[m]:.3f}" == f"{rel[top]:.3f}"]
            most = " = ".join(md(modality_name(m, lang)) for m in tied)
            named = f"{md(said(what, lang))}{sep(lang, ': ')}{md(slice_label(what, name, g, lang))}"
            relied = f"{most} {rel[top]:.3f}{of_rows(g, top, g['rows'], lang)}" if top else "—"
            few = few or too_few(g)
            lines.append(f"| {named} | {g['rows']} | {g.get('labelled', '—')} | {scored(g, 'accuracy', '.0%', lang)} | "
                         f"{scored(g, 'macro_f1', '.2f', lang)} | {relied} |")
    if not lines:
        return ""
    head = ("by slice", "rows", "labelled", "accuracy", "macro F1", "relies most on (mean abs. Shapley)")
    table = ("| " + " | ".join(t(h, lang) for h in head) + " |\n|---|---:|---:|---:|---:|---|\n" + "\n".join(lines)
             + ("\n\n" + md(t(TOO_FEW_NOTE, lang, n=MIN_LABELLED)) if few else ""))
    one_class = {name: g for name, g in (slices.get("label") or {}).items() if "precision" in g}
    if len(slices.get("label") or {}) < 2 or not one_class:
        return table
    # a label slice holds one true class: its macro F1 scored the others 0 (left out: "—"); its precision instead
    precision = " · ".join(f"{md(slice_name('label', name, lang))} {scored(g, 'precision', '.0%', lang)}"
                           for name, g in one_class.items())
    return table + "\n\n" + md(t(ONE_CLASS, lang)) + " " + t("Precision over the set: {precision}.", lang,
                                                             precision=precision)


def of_rows(summary: dict, modality: str, rows: int, lang: str = "en") -> str:
    """" (6 of 30 rows)" after a modality's reliance when fewer than ``rows`` used it: its mean is over those alone
    ("image 0.416" beside "text 0.506" read as if the set relied on pictures, 6 rows of 30 having one)."""
    n = (summary.get("reliance_rows") or {}).get(modality)
    if n is None or n >= rows:
        return ""
    return " " + t("({n} of {rows} rows)", lang, n=n, rows=rows)


@dataclass
class DatasetTab:
    """The Dataset tab's handlers. ``dash``: the Dashboard (its models, its report folder and its data folder, the
    tab's ``root`` unless another is given)."""

    dash: Any
    root: Path | None = None
    recent: list[str] = field(default_factory=list)
    max_rows: int = MAX_ROWS
    examples: Path | None = EXAMPLES_MANIFEST  # the curated examples as a manifest ("Run the examples")
    links: bool = field(default_factory=lambda: env_flag("MSA_DATASET_LINKS"))  # whether a row's https:// or s3://
    # links are fetched
    stopping: set = field(default_factory=set)  # the visitors (sessions) who clicked Stop during their run

    def __post_init__(self) -> None:  # one data folder for the tab and Compare's B
        self.root = Path(self.root if self.root is not None else getattr(self.dash, "folder", None) or data_folder()
                         ).resolve()
        self.recent = [name for name in self.recent if not self.private(self.root / name)]
        if not self.recent:
            self.recent = self.found()
        self.sweep()

    @property
    def visitors(self) -> Path:
        """Where visitors' own runs go: ``msa_results/visitors/`` in the data folder, one folder per visitor."""
        return self.root / RESULTS_DIR / VISITORS

    def private(self, path: Path) -> bool:
        """Whether ``path`` lies in the visitors' folders (one visitor's only, never listed to the others)."""
        return Path(path).resolve().is_relative_to(self.visitors.resolve())

    def own(self, visitor: str | None) -> Path | None:
        """The visitor's own folder (``msa_results/visitors/<key>``), None without a token this app made."""
        key = visitor_key(visitor)
        return self.visitors / key if key else None

    def found(self) -> list[str]:
        """The operator's results folders under the root (two levels down at most), newest first; not the
        visitors' own runs."""
        hits = [p.parent for pattern in ("*/results.parquet", "*/*/results.parquet") for p in self.root.glob(pattern)
                if not self.private(p.parent)]
        hits.sort(key=lambda p: p.stat().st_mtime, reverse=True)
        return [self.shown(p) for p in hits[:RECENT_KEPT]]

    def mine(self, visitor: str | None) -> list[str]:
        """The visitor's own runs (their uploads, their runs of the examples), newest first."""
        own = self.own(visitor)
        if own is None or not own.is_dir():
            return []
        hits = [p for p in own.iterdir() if (p / "results.parquet").is_file() or (p / "rows.jsonl").is_file()]
        hits.sort(key=lambda p: p.stat().st_mtime, reverse=True)
        return [self.shown(p) for p in hits[:RECENT_KEPT]]

    def choices(self, visitor: str | None = None) -> list[str]:
        """The folder list the page offers the visitor ``visitor`` (their token): their own runs, newest first,
        then the operator's folders opened here, then those found under the root (a run after the app started, a
        folder since removed: the list the page was built with went stale on a reload). Another visitor's runs
        are never in it."""
        kept = [name for name in self.recent if (self.root / name / "results.parquet").is_file()
                or (self.root / name / "rows.jsonl").is_file()]
        return list(dict.fromkeys([*self.mine(visitor), *kept, *self.found()]))[:RECENT_KEPT]

    def sweep(self) -> None:
        """Delete visitors' runs older than :func:`keep_hours` (with the .zip uploads unpacked for them and the
        copies of their reports the page served), so that their rows are not kept for good."""
        hours = keep_hours()
        if not hours:
            return
        before = time.time() - hours * 3600
        report_dir = Path(getattr(self.dash, "report_dir", None) or self.visitors)
        old = [*self.visitors.glob("*/*"), *(report_dir / "uploads").glob("*"),
               *(report_dir / "dataset").glob(f"{RESULTS_DIR}_{VISITORS}_*")]
        for path in old:
            try:
                if path.stat().st_mtime < before:
                    shutil.rmtree(path) if path.is_dir() else path.unlink()
            except OSError:  # another page's sweep, or a run writing it now
                pass
        for folder in self.visitors.glob("*"):
            try:
                folder.rmdir()  # only when empty
            except OSError:
                pass

    def folder_said(self) -> str:
        """The data folder as a refusal names it: as :func:`shown_folder` does, but the app's own folder by its
        name in quotes ("the dashboard's data folder (.)" told a visitor nothing)."""
        shown = shown_folder(self.root)
        return shown if shown != "." else f"'{self.root.name}'"

    def shown(self, path: Path) -> str:
        """A path as the path box shows it: relative to the root."""
        return str(path.relative_to(self.root)) if path != self.root else "."

    def resolve(self, text: str | None, what: str = "results folder", visitor: str | None = None) -> Path:
        """A path typed in the tab (relative to the root, or absolute inside it) -> an absolute path; one in the
        visitors' folders only when it is ``visitor``'s own (another's is refused in the same words whether it
        exists or not: its name tells nothing)."""
        text = str(text or "").strip()
        if not text:
            raise user_error(f"Type or pick a {what} first.")
        p = in_folder(text, self.root)
        if p is None:
            raise user_error(f"Only paths inside the dashboard's data folder ({self.folder_said()}) can be "
                             f"used here ('{text}' is outside it; set MSA_DATASET_ROOT when starting the app to "
                             "choose that folder).")
        own = self.own(visitor)
        if self.private(p) and (own is None or not p.is_relative_to(own.resolve()) or p == own.resolve()):
            raise user_error(f"'{text}' is not one of your runs: a visitor's runs are opened from their own "
                             "page's list only.")
        return p

    def inside(self, path: Path, *also: Path) -> bool:
        """The data-folder rule: whether ``path`` (symlinks resolved) is inside the root, or inside one of ``also``
        (the folder an uploaded .zip was unpacked into, the shipped examples')."""
        path = Path(path).resolve()
        return any(path.is_relative_to(Path(folder).resolve()) for folder in (self.root, *also))

    def readable(self, target: Path | str, *also: Path) -> bool:
        """Whether a manifest row's file may be read: a local path inside the data folder (or ``also``); a link only
        when :attr:`links` allows it."""
        return self.links if isinstance(target, str) else self.inside(target, *also)

    def rows(self, folder: Path) -> list[dict]:
        from msa_demo.dataset import read_results

        try:
            return read_results(folder)
        except MsaError as exc:
            raise user_error(self.relative(str(exc))) from None

    def relative(self, message: str, *inner: Path) -> str:
        """An engine's line with the data folder's paths relative to it (``options.relative_paths``): the page
        does not show where the server keeps its files; ``inner``: an unpacked upload's folder."""
        return relative_paths(message, self.root, *inner)

    # ------------------------------------------------------------------ handlers

    def table(self, folder: str | None, show: str = ALL, lang: str | None = None, visitor: str | None = None):
        """The rows of ``folder`` that pass the filter ``show``, as a pandas DataFrame (:func:`columns`), in
        ``lang`` (None: the page's language); ``visitor``: the page's token (its own runs open)."""
        import pandas as pd

        lang = lang or current_language()
        if not folder:
            return pd.DataFrame([], columns=columns(lang))
        keep = filters().get(show, filters()[ALL])
        return pd.DataFrame([table_row(r, lang) for r in self.rows(self.resolve(folder, visitor=visitor)) if keep(r)],
                            columns=columns(lang))

    def open(self, folder: str | None, show: str = ALL, lang: str | None = None, visitor: str | None = None) -> tuple:
        """(table, summary, the path box, the folder shown, report button, the set by slice, the map of the rows
        (a gr.Plot), the map's caption, the results.csv button) for a results folder, in ``lang`` (None: the page's language);
        ``visitor``: the page's token (its own runs open, and are listed in the path box for it alone)."""
        gr = gradio()
        lang = lang or current_language()
        path = self.resolve(folder, visitor=visitor)
        rows = self.rows(path)
        from msa_demo.dataset.store import extent

        held = extent(path)  # the manifest's rows and the run's limit: "the first 50 of 59 rows"
        name = self.shown(path)
        if not self.private(path):  # the list every page starts from: a visitor's own runs are not in it
            self.recent = [name] + [r for r in self.recent if r != name][: RECENT_KEPT - 1]
        report = path / "report.html"
        button = gr.DownloadButton(interactive=False, value=None)
        if report.is_file():  # a copy where the app serves its files from, in the page's language
            copy = Path(self.dash.report_dir) / "dataset" / name.replace(os.sep, "_") / lang / "report.html"
            copy.parent.mkdir(parents=True, exist_ok=True)
            if lang == "en":  # as explain-batch wrote it
                write_whole(copy, Path(report).read_bytes())
            else:  # as it would be written in ``lang`` (the model it was explained with too: it was left out)
                from msa_demo.dataset.report import report_page

                write_whole(copy, report_page(path, lang=lang).encode("utf-8"))
            button = gr.DownloadButton(interactive=True, value=str(copy))
        keep = filters().get(show, filters()[ALL])
        import pandas as pd

        table = pd.DataFrame([table_row(r, lang) for r in rows if keep(r)], columns=columns(lang))
        from msa_demo.dataset.report import summary

        figures = summary(rows, held)
        plot, caption = self.map_of(rows, lang)
        listed = [name, *(c for c in self.choices(visitor) if c != name)][:RECENT_KEPT]
        return (table, summary_markdown(rows, path, figures, lang), gr.Dropdown(choices=listed, value=name), name,
                button, breakdown_markdown(rows, figures, lang), plot, caption, self.csv_button(name, rows))

    def csv_button(self, name: str, rows: list[dict]):
        """The folder's results.csv to download (``dataset.export``: one row per input with its whole text, for a
        spreadsheet), made from its rows where the app serves its files from: a folder written before explain-batch
        wrote one gets it too. Disabled for a folder without rows."""
        from msa_demo.dataset.export import CSV_FILE, csv_bytes

        gr = gradio()
        if not rows:
            return gr.DownloadButton(interactive=False, value=None)
        copy = Path(self.dash.report_dir) / "dataset" / name.replace(os.sep, "_") / CSV_FILE
        copy.parent.mkdir(parents=True, exist_ok=True)
        write_whole(copy, csv_bytes(rows))
        return gr.DownloadButton(interactive=True, value=str(copy))

    def map_of(self, rows: list[dict], lang: str = "en") -> tuple:
        """(the rows' map: a gr.Plot holding the plotly figure, hidden without one; its caption, or the one line
        saying why there is none), in ``lang``."""
        from msa_demo.dataset.rowmap import row_map
        from msa_demo.views.rowmap import map_figure

        gr = gradio()
        m = row_map(rows)
        if not m.available:
            return gr.Plot(value=None, visible=False), f"*{md(m.caption(lang))}*"
        caption = md(m.caption(lang)) + " " + t("Colour: the row's label; ×: a labelled row the model got wrong. Click "
                                                "a point to open its row in the **Explain** tab.", lang)
        return gr.Plot(value=map_figure(m, lang=lang), visible=True), caption

    def open_point(self, folder: str | None, picked: str | None, with_inputs: bool = False,
                   visitor: str | None = None) -> dict:
        """A click on a map point: ``picked`` is its row id, then '@' and a stamp that makes each click new (an id
        alone is read too); the row opens as a table click opens it (:meth:`open_row`)."""
        text = str(picked or "").strip()
        row_id = text.rpartition("@")[0] if text.rpartition("@")[2].isdigit() else text
        if not row_id:
            raise user_error("Click a point of the map to open its row.")
        return self.open_row(folder, row_id, with_inputs=with_inputs, visitor=visitor)

    def run(self, manifest: str | None, folder: str | None, limit: float | None, preset: str | None,
            show: str = ALL, progress=None, columns: str | None = None, encoding: str | None = None,
            split: str | None = None, label_names: str | None = None, stop: Callable[[], bool] | None = None,
            visitor: str | None = None) -> tuple:
        """Explain the first ``limit`` rows of ``manifest`` (at most ``max_rows``) into ``folder`` with the
        dashboard's model (rows already there are kept), then open it. ``progress``: a gr.Progress; ``columns``:
        the set's own column names, as ``--columns`` takes them ("text=sentence"); ``encoding``: a text
        manifest's when not UTF-8 ("cp1252", "gbk"; none or "" for UTF-8); ``split``: only that split's rows (the
        manifest's split column, or a saved DatasetDict's; none or "" for every row); ``label_names``: the label
        column's numbers as names, as ``--label-names`` takes them ("angry,disgust,fear,..."); ``stop()``: True
        ends the run after its current row (the tab's Stop: :meth:`stopper`); ``visitor``: the page's token (a
        folder of its own runs may be named)."""
        src = self.resolve(manifest, "manifest", visitor)
        if not src.exists():  # said before the results folder is asked for: that was said first, then this
            raise user_error(f"The manifest '{self.shown(src)}' does not exist in the data folder "
                             f"({self.folder_said()}).")
        return self._run(src, self.resolve(folder, visitor=visitor), limit, preset, show, progress, columns,
                         encoding, split, label_names, stop=stop, visitor=visitor)

    def started(self, who: str | None) -> None:
        """The visitor ``who`` (their page's session) clicked a run: a Stop from before is forgotten (said as the
        click lands, not as the run begins: a Stop clicked while the run waits its turn holds)."""
        self.stopping.discard(who)

    def stopper(self, who: str | None) -> Callable[[], bool]:
        """A run's stop for the visitor ``who``: True once they click Stop (:meth:`stop`)."""
        return lambda: who in self.stopping

    def stop(self, who: str | None) -> None:
        """The tab's Stop: the visitor ``who``'s run ends after its current row (the rows done are kept)."""
        self.stopping.add(who)

    def fresh_folder(self, stem: str, visitor: str | None = None) -> Path:
        """A new results folder of the visitor ``visitor`` (their token; None: one made for this run alone, whose
        folder no page lists): ``msa_results/visitors/<key>/<stem>-<date and time>``. Runs older than
        :func:`keep_hours` go first."""
        self.sweep()
        own = self.own(visitor) or self.own(new_visitor())
        base = own / f"{stem}-{time.strftime('%Y%m%d-%H%M%S')}"
        out, n = base, 1
        while out.exists():
            n += 1
            out = base.with_name(f"{base.name}-{n}")
        return out

    def run_examples(self, preset: str | None, show: str = ALL, progress=None,
                     stop: Callable[[], bool] | None = None, visitor: str | None = None) -> tuple:
        """Explain the curated examples (the shipped manifest) into a fresh results folder of the visitor's own,
        then open it."""
        if not self.examples or not Path(self.examples).is_file():
            raise user_error("This dashboard ships no example manifest (examples/manifest.csv is missing).")
        visitor = visitor if visitor_key(visitor) else new_visitor()  # none (a caller in code): this run's alone
        return self._run(Path(self.examples), self.fresh_folder("examples", visitor), self.max_rows, preset, show,
                         progress, also=(Path(self.examples).parent,), stop=stop, visitor=visitor)

    def run_upload(self, upload: str | None, limit: float | None, preset: str | None, show: str = ALL,
                   progress=None, columns: str | None = None, encoding: str | None = None,
                   split: str | None = None, label_names: str | None = None,
                   stop: Callable[[], bool] | None = None, visitor: str | None = None) -> tuple:
        """Explain an uploaded manifest (CSV, JSONL, Parquet, or a .zip of a folder with its media) into a fresh
        results folder of the visitor's own (``visitor``: their token; another visitor's page does not list it
        nor open it), then open it."""
        if not upload:
            raise user_error("Upload a manifest first: a CSV, JSONL or Parquet file, or a .zip of a folder that "
                             "holds one with its pictures and clips.")
        src, also, media = Path(upload), (), self.root  # a file alone: its relative paths are the data folder's
        if src.suffix.lower() == ".zip":
            src, folder = self.unpack(src)
            also, media = (folder,), None  # its own pictures and clips are read; a path out of it is not
        elif src.suffix.lower() not in MANIFEST_SUFFIXES:
            raise user_error(f"'{src.name}' is not a manifest: upload a CSV, JSONL or Parquet file, or a .zip.")
        visitor = visitor if visitor_key(visitor) else new_visitor()  # none (a caller in code): this run's alone
        return self._run(src, self.fresh_folder(_stem(src), visitor), limit, preset, show, progress, columns,
                         encoding, split, label_names, also, media, stop, visitor)

    def unpack(self, archive: Path) -> tuple[Path, Path]:
        """(the manifest inside an uploaded .zip (its one CSV / JSONL / Parquet file), the folder it was unpacked
        into with its media: the dashboard's own); a member outside the archive's folder, too much, or two
        manifests, is refused."""
        import hashlib
        import zipfile

        digest = hashlib.sha256(archive.read_bytes()).hexdigest()[:16]
        into = Path(self.dash.report_dir) / "uploads" / digest
        try:
            with zipfile.ZipFile(archive) as z:
                members = z.infolist()
                if sum(m.file_size for m in members) > MAX_UNZIPPED or len(members) > MAX_MEMBERS:
                    raise user_error(f"'{archive.name}' unpacks to more than {MAX_UNZIPPED >> 20} MB or "
                                     f"{MAX_MEMBERS} files; run explain-batch on the command line instead.")
                for m in members:
                    target = (into / m.filename).resolve()
                    if not target.is_relative_to(into.resolve()):
                        raise user_error(f"'{archive.name}' holds a file outside its own folder ({m.filename}).")
                z.extractall(into)
        except zipfile.BadZipFile:
            raise user_error(f"'{archive.name}' is not a readable .zip file.") from None
        found = sorted((p for p in into.rglob("*") if p.suffix.lower() in MANIFEST_SUFFIXES
                        and not any(part.startswith((".", "__MACOSX")) for part in p.relative_to(into).parts)),
                       key=lambda p: (len(p.relative_to(into).parts), str(p)))
        if not found:
            raise user_error(f"'{archive.name}' holds no manifest (a .csv, .jsonl or .parquet file).")
        if len(found) > 1:  # the first by name had been run without a word: which one is the person's to say
            from msa_demo.dataset.report import ids_named

            raise user_error(f"'{archive.name}' holds {len(found)} manifests "
                             f"({ids_named([p.relative_to(into).as_posix() for p in found])}); zip the folder of one "
                             "of them, with its pictures and clips.")
        return found[0], into

    def _run(self, src: Path, out: Path, limit: float | None, preset: str | None, show: str, progress,
             columns: str | None = None, encoding: str | None = None, split: str | None = None,
             label_names: str | None = None, also: tuple[Path, ...] = (), media: Path | None = None,
             stop: Callable[[], bool] | None = None, visitor: str | None = None) -> tuple:
        """The runs' one body; a row's file outside the data folder (and ``also``), or its link, is not read
        (:meth:`readable`); ``media``: where relative paths are read from, when not the manifest's folder (an
        uploaded file's: the data folder; Gradio keeps the upload in a temporary folder)."""
        from msa_demo.dataset import explain_batch
        from msa_demo.dataset.manifest import parse_columns
        from msa_demo.labels import parse_label_names

        try:
            mapping = parse_columns(columns)
            names = parse_label_names(label_names)
        except MsaError as exc:
            raise user_error(in_fields(self.relative(str(exc)), current_language())) from None
        n = int(self.max_rows if limit is None else limit)  # 0 is a number: refused, not read as "all"
        if not 1 <= n <= self.max_rows:
            raise user_error(f"Run 1 to {self.max_rows} rows here; explain-batch on the command line runs more.")
        lang = current_language()
        use, note = (None, "") if media is None else self.absent_files(src, n, mapping, encoding, split, names, media,
                                                                       also, lang)
        model = self.dash.model(preset)

        def on_row(done: int, total: int) -> None:
            if progress is not None:
                progress((done, total), desc=t("explaining rows", lang), unit=t("rows", lang))

        if progress is not None:
            progress(0, desc=t("reading the manifest", lang))
        try:
            ran = explain_batch(src, out, model=model, limit=n, progress=False, on_row=on_row, columns=mapping,
                                encoding=(encoding or "").strip() or None, split=(split or "").strip() or None,
                                label_names=names, readable=lambda target: self.readable(target, *also),
                                media_folder=media, stop=stop, use=use)
        except MsaError as exc:
            raise user_error(in_fields(self.relative(str(exc), *also), lang)) from None
        if ran.left:  # stopped: the rows done are kept, and said where
            gradio().Info(t("Stopped after {done} of {total} rows; the rows done are in {folder}.", lang,
                            done=ran.explained + ran.failed, total=ran.total - ran.skipped, folder=self.shown(out)),
                          duration=None, title=t("Note", lang))
        if ran.label_hint:  # the set's 'sentiment' not mapped: said where the column map is typed, until closed
            gradio().Info(said(ran.label_hint, lang), duration=None, title=t("Note", lang))
        if ran.other_inputs:  # another manifest's results were in the folder: replaced, said
            from msa_demo.dataset.local import OTHER_INPUTS

            gradio().Info(t(OTHER_INPUTS, lang, n=ran.other_inputs), duration=None, title=t("Note", lang))
        if ran.relabelled:  # the rows done before took the labels the manifest gives now: said, as on the command line
            from msa_demo.dataset.local import RELABELLED

            gradio().Info(t(RELABELLED, lang, n=ran.relabelled), duration=None, title=t("Note", lang))
        opened = self.open(self.shown(out), show, lang, visitor=visitor)
        if note:  # the files left out, said above the run's summary, where it stays
            opened = (opened[0], f"**{md(note)}**\n\n{opened[1]}", *opened[2:])
        return opened

    def absent_files(self, src: Path, limit: int, mapping: dict, encoding: str | None, split: str | None,
                     names: dict, media: Path, also: tuple[Path, ...], lang: str) -> tuple[list[str] | None, str]:
        """(the modalities to explain, the line that says which were left out) for a manifest uploaded alone
        whose file column names no file in the data folder (its pictures left on the visitor's computer): its
        rows are explained from their other inputs, and the line says how to bring the files (a .zip of the
        folder); refused in one line when the rows have no other input. (None, "") when every file column names
        files there, or the manifest cannot be read (the run says why)."""
        from msa_demo.dataset.manifest import missing_files, none_found
        from msa_demo.dataset.rows import left_out, read_rows

        try:
            rows = read_rows(src, limit, mapping, (split or "").strip() or None, (encoding or "").strip() or None,
                             names, media)[0]
        except MsaError:
            return None, ""
        values = [r.values for r in left_out(rows, lambda target: self.readable(target, *also))]
        absent = none_found(values, media_folder=media)
        if not absent:
            return None, ""
        gone = [m for m, (rows_gone, named) in missing_files(values).items() if len(rows_gone) == named]
        use = [m for m in registry.names() if m not in gone]
        said_absent = in_fields(self.relative(absent), lang)
        if not any(v.get(m) not in (None, "") for v in values for m in use):
            raise user_error(said_absent + " " + t(NOTHING_ELSE, lang))
        return use, said_absent + " " + t(LEFT_OUT_ZIP, lang, kinds=listed(modality_name(m, lang) for m in gone))

    def open_row(self, folder: str | None, row_id: Any, with_inputs: bool = False, lang: str | None = None,
                 visitor: str | None = None) -> dict:
        """The Explain tab's outputs by name (as ``Dashboard.explain_panels`` leaves them at its end) for one
        row's saved explanation, and the Explain tab selected (``tabs``); ``with_inputs``: also the row's inputs
        for their boxes (``input.<modality>``; files written beside the dashboard's reports), so Explain can run
        it again."""
        from msa_demo.explain.result import Explanation

        gr = gradio()
        path = self.resolve(folder, visitor=visitor)
        rec = next((r for r in self.rows(path) if str(r.get("id")) == str(row_id)), None)
        if rec is None:
            raise user_error(f"There is no row '{row_id}' in {self.shown(path)}.")
        if rec.get("error"):
            raise user_error(f"Row '{row_id}' could not be explained: {rec['error']}")
        file = (path / str(rec.get("explanation") or "")).resolve()
        if not rec.get("explanation") or not file.is_relative_to(path) or not file.is_file():
            raise user_error(f"Row '{row_id}' has no saved explanation in {self.shown(path)}; run explain-batch "
                             "on the folder again to write it.")
        try:
            exp = Explanation.from_dict(json.loads(file.read_text(encoding="utf-8"))).to_dict()
        except (ValueError, TypeError, KeyError, AttributeError):
            raise user_error(f"The saved explanation of row '{row_id}' could not be read ({file.name}).") from None
        lang = lang or current_language()
        note = (t("**Row '{row}' of {folder}**, as explain-batch saved it (preset {preset})", lang, row=md(row_id),
                  folder=md(self.shown(path)), preset=md(exp.get("preset")))
                + (t(" · label: **{label}**", lang, label=md(class_name(rec["label"], lang)))
                   if rec.get("label") else "")
                + (t(" · **Explain** runs it again here", lang) if with_inputs else ""))
        out = {**self.dash.saved_panels(exp, note, lang=lang), "tabs": gr.Tabs(selected="explain")}
        if not with_inputs:
            return out
        folder = Path(self.dash.report_dir) / "rows" / hashlib.sha256(file.read_bytes()).hexdigest()[:16]
        folder.mkdir(parents=True, exist_ok=True)
        return {**out, **self.dash.saved_inputs(exp, folder)}


# the map's clicks: plotly's own click event on the map (gr.Plot sends none to the server) writes the point's row
# id into the hidden box, whose change event opens the row; hooked on every figure the map draws
MAP_CLICK = """
const hook = () => document.querySelectorAll('#dataset-map .js-plotly-plot').forEach(plot => {
  if (plot.dataset.mapClick === '1' || typeof plot.on !== 'function') return;
  plot.dataset.mapClick = '1';
  plot.on('plotly_click', ev => {
    const point = ev && ev.points && ev.points[0];
    const box = document.querySelector('#dataset-map-pick textarea, #dataset-map-pick input');
    if (!point || point.customdata === undefined || !box) return;
    box.value = String(point.customdata) + '@' + Date.now();
    box.dispatchEvent(new Event('input', {bubbles: true}));
  });
});
new MutationObserver(hook).observe(document.body, {childList: true, subtree: true});
"""


# the slices' fold, named by what the rows are sliced by (dataset.report.SLICES: each is named)
SLICES_TITLE = ("The set by slice: the confusion matrix; accuracy, macro F1 and reliance by modalities used, language, "
                "group, conflict, label and verdict")


def calm(handler: Callable, n_outputs: int, status: int | None = None) -> Callable:
    """``handler`` as the tab wires it: a user's mistake is one warning toast, kept until closed, and every output
    stays as it was (no red "Error" over the folder box or the table, which would hide them until dismissed) but
    ``status``, the index of the tab's status area, which says it too (the toast had faded within seconds, and the
    page, unchanged, said nothing of why an upload was not explained)."""
    import functools

    @functools.wraps(handler)
    def call(*args, **kwargs):
        gr = gradio()
        try:
            return handler(*args, **kwargs)
        except gr.Error as exc:
            lang = current_language()  # said in the page's language
            gr.Warning(said(exc.message, lang), title=t("Warning", lang), duration=None)
            if status is not None:
                return tuple(f"**{md(t(NOT_EXPLAINED, lang, why=said(exc.message, lang)))}**" if i == status
                             else gr.skip() for i in range(n_outputs))
            return gr.skip() if n_outputs == 1 else (gr.skip(),) * n_outputs

    return call


def build_dataset_tab(dash, preset, page, tabs, with_inputs: bool = True,
                      root: str | Path | None = None, language=None, demo=None, visitor=None) -> DatasetTab:
    """Lay out the Dataset tab in the current Gradio context and wire it: a row click fills the Explain tab's
    outputs (``page``: a ``fields.Page`` of the Explain tab's parts, ``tabs`` among them), selects the Explain tab
    and, ``with_inputs``, puts the row's inputs in their boxes (the page's ``input.<modality>`` parts);
    ``language``: the page's language switch, whose every change (a pick, or the page opening in the browser's
    language) tells the folder shown, or the empty table's columns, again in that language; ``demo``: the page's
    Blocks, whose every opening gives the visitor their token (kept in their browser: a reload keeps their runs
    listed) and lists the results folders there are now for them (:meth:`DatasetTab.choices`); ``visitor``: a
    ``gr.BrowserState`` that keeps the token, laid out where the page mounts it as it opens (not in a tab not yet
    shown: one is made here when none is given)."""
    import gradio as gr

    tab = DatasetTab(dash, **({"root": root} if root is not None else {}))
    # the visitor's token (:func:`new_visitor`), kept in their browser's storage; sent with each of the tab's events
    visitor = visitor if visitor is not None else gr.BrowserState(None)
    gr.Markdown(tr("### Explain a whole test set\nRun the curated examples, upload a manifest, or open a results "
                   "folder written by `python -m msa_demo explain-batch`. Click a row to open its explanation in the "
                   "**Explain** tab; the folder's `report.html` holds the set's figures for stakeholders."))
    with gr.Row():
        examples_btn = gr.Button(tr("Run the curated examples"), variant="primary", scale=1, elem_id="dataset-examples",
                                 interactive=bool(tab.examples and Path(tab.examples).is_file()))
        # as it is: a path a person copies (md's escapes showed in a code span); relative to the app, not the server's;
        # the app's own folder by its name ("`.`" told a visitor nothing)
        root = root_zh = code(shown_folder(tab.root))
        if shown_folder(tab.root) == ".":
            root, root_zh = folder_named(tab.root), folder_named(tab.root, "zh")
        gr.Markdown(tr_made(f"**Data folder:** {root} — results folders and manifests are read and written only "
                            f"inside it (a run from here goes to `{RESULTS_DIR}/`; `MSA_DATASET_ROOT` sets it).",
                            f"**数据文件夹：** {root_zh}——结果文件夹和清单只在其中读写（从这里运行的结果写入 "
                            f"`{RESULTS_DIR}/`；由 `MSA_DATASET_ROOT` 设置）。"), elem_id="dataset-root")
    with gr.Row():
        folder = gr.Dropdown(tab.recent, value=None, allow_custom_value=True, scale=4, elem_id="dataset-folder",
                             label=tr("Results folder (pick a recent one or type a path inside the data folder)"))
        open_btn = gr.Button(tr("Open"), scale=1, elem_id="dataset-open")
    with gr.Accordion(tr_made(f"Run your own manifest (at most {tab.max_rows} rows)",
                              f"运行你自己的清单（最多 {tab.max_rows} 行）"), open=False, elem_id="dataset-run"):
        gr.Markdown(tr_made(f"Columns: {manifest_columns()}, optional `id`, `label` (negative / neutral / positive, "
                            "or numbers: 0 / 1, stars 1 to 5, scores -3 to 3, read by the numbers the column holds). "
                            "Named otherwise? Map them in the field beside the upload. Upload the file, or a .zip of a "
                            "folder holding it with its pictures and clips.",
                            f"列：{manifest_columns('zh')}，可选 `id`、`label`（negative / neutral / positive，或数字："
                            "0 / 1、1 到 5 星、-3 到 3 的分数，依据该列所含的数字读取）。列名不同？在上传框旁的输入框中"
                            "映射。上传该文件，或一个包含它及其图片和片段的文件夹的 .zip。"), elem_id="dataset-columns")
        with gr.Row():
            upload = gr.File(label=tr("Upload: CSV, JSONL, Parquet or .zip"), file_types=[*MANIFEST_SUFFIXES, ".zip"],
                             type="filepath", scale=4, elem_id="dataset-upload")
            # every row of a set up to the limit: a default of 20 under "at most 50 rows" had explained 20 of 32
            limit = number_input(value=tab.max_rows, label=tr("rows"), precision=0, minimum=1,
                                 maximum=tab.max_rows, scale=1, elem_id="dataset-limit")
            column_map = gr.Textbox(label=tr("your columns, if named otherwise (such as text=sentence,label=stars)"),
                                    placeholder="text=sentence", scale=2, elem_id="dataset-column-map")
            encoding = gr.Dropdown([("UTF-8", ""), ("cp1252 (Windows, Western)", "cp1252"),
                                    ("GBK (Windows, Chinese)", "gbk")], value="", allow_custom_value=True, scale=1,
                                   label=tr("text encoding"), elem_id="dataset-encoding")
            split = gr.Textbox(label=tr("only the split"), placeholder="test", scale=1, elem_id="dataset-split")
            label_names = gr.Textbox(label=tr("numbered labels' names, in order from 0"),
                                     placeholder="angry,disgust,fear,happy,sad,surprise,neutral", scale=2,
                                     elem_id="dataset-label-names")
        upload_btn = gr.Button(tr("Explain the upload"), variant="primary", elem_id="dataset-upload-btn")
        with gr.Row():
            manifest = gr.Textbox(label=tr("…or a manifest on the server (inside the data folder), explained into "
                                           "the results folder above"), scale=4, elem_id="dataset-manifest")
            run_btn = gr.Button(tr("Explain these rows"), scale=1, elem_id="dataset-run-btn")
    with gr.Row():
        summary = gr.Markdown(elem_id="dataset-summary")
        stop_btn = gr.Button(tr("Stop after this row"), variant="stop", visible=False, scale=0, size="sm",
                             min_width=180, elem_id="dataset-stop")  # on the page while a run goes
        report = gr.DownloadButton(tr("Download report.html"), interactive=False, elem_id="dataset-report", scale=0,
                                   size="sm", min_width=180)
        results_csv = gr.DownloadButton(tr_made("Download results.csv", "下载 results.csv"), interactive=False,
                                        elem_id="dataset-csv", scale=0, size="sm", min_width=180)
    with gr.Accordion(tr(SLICES_TITLE), open=False, elem_id="dataset-slices-box"):
        slices = gr.Markdown(elem_id="dataset-slices")
    with gr.Column(elem_id="dataset-map-box"):  # the map of the rows: its title is the figure's own
        map_plot = gr.Plot(show_label=False, visible=False, elem_id="dataset-map")
        map_note = gr.Markdown(elem_id="dataset-map-note")
        # a point's click lands here (MAP_CLICK, in the page): its row id, then a stamp that makes each click new
        picked = gr.Textbox(visible="hidden", elem_id="dataset-map-pick", label="map point")
        gr.HTML("", padding=False, js_on_load=MAP_CLICK)
    show = gr.Radio(filter_choices(), value=ALL, label=tr("Show"), elem_id="dataset-filter")
    table = gr.Dataframe(value=tab.table(None), headers=columns(), interactive=False, show_search="search",
                         max_height=560, wrap=True, column_widths=widths(), pinned_columns=1, elem_id="dataset-table",
                         label=tr("Rows: click one to open its explanation · click a header to sort"))
    current = gr.State(None)
    opened = [table, summary, folder, current, report, slices, map_plot, map_note, results_csv]
    row_outputs = page.outputs(page.order(lambda n: not n.startswith("compare.") and (with_inputs or not n.startswith(
        "input."))))

    def run(manifest, folder, limit, preset, show, columns, encoding, split, label_names, visitor,
            request: gr.Request, progress=gr.Progress()):
        return calm(tab.run, len(opened))(manifest, folder, limit, preset, show, progress=progress, columns=columns,
                                          encoding=encoding, split=split, label_names=label_names,
                                          stop=tab.stopper(request.session_hash), visitor=visitor)

    def run_examples(preset, show, visitor, request: gr.Request, progress=gr.Progress()):
        return calm(tab.run_examples, len(opened))(preset, show, progress=progress,
                                                   stop=tab.stopper(request.session_hash), visitor=visitor)

    def run_upload(upload, limit, preset, show, columns, encoding, split, label_names, visitor, request: gr.Request,
                   progress=gr.Progress()):
        said_in = opened.index(summary)  # its refusal stays in the summary too
        return calm(tab.run_upload, len(opened), said_in)(upload, limit, preset, show, progress=progress,
                                                          columns=columns, encoding=encoding, split=split,
                                                          label_names=label_names,
                                                          stop=tab.stopper(request.session_hash), visitor=visitor)

    def open_folder(folder, show, visitor):
        return calm(tab.open, len(opened))(folder, show, visitor=visitor)

    def filtered(folder, show, visitor):
        return calm(tab.table, 1)(folder, show, visitor=visitor)

    def arrived(token):
        """The page opened: the visitor's token (theirs from before, or a new one) and the folders to offer them."""
        token = token if visitor_key(token) else new_visitor()
        return token, gr.Dropdown(choices=tab.choices(token))

    def started(request: gr.Request):
        tab.started(request.session_hash)
        return gr.Button(visible=True)

    def stop(request: gr.Request):
        tab.stop(request.session_hash)
        return gr.Button(visible=False)

    def open_selected(folder, visitor, evt: gr.SelectData):
        row = evt.row_value or []
        return calm(page.keyed(tab.open_row), len(row_outputs))(folder, row[0] if row else None,
                                                                with_inputs=with_inputs, visitor=visitor)

    def open_picked(folder, picked, visitor):
        return calm(page.keyed(tab.open_point), len(row_outputs))(folder, picked, with_inputs=with_inputs,
                                                                  visitor=visitor)

    def retell(lang, folder, show, visitor):
        if folder:
            return tab.open(folder, show, lang=lang, visitor=visitor)
        return (tab.table(None, lang=lang), *(gr.skip(),) * (len(opened) - 1))

    if language is not None:
        language.change(calm(retell, len(opened)), [language, current, show, visitor], opened, api_name=False,
                        show_progress="hidden")
    if demo is not None:
        demo.load(calm(arrived, 2), visitor, [visitor, folder], api_name=False, show_progress="hidden")
    open_btn.click(open_folder, [folder, show, visitor], opened, api_name=False)
    folder.select(open_folder, [folder, show, visitor], opened, api_name=False)
    for button, handler, inputs in (
            (run_btn, run, [manifest, folder, limit, preset, show, column_map, encoding, split, label_names,
                            visitor]),
            (examples_btn, run_examples, [preset, show, visitor]),
            (upload_btn, run_upload, [upload, limit, preset, show, column_map, encoding, split, label_names,
                                      visitor])):
        button.click(started, None, stop_btn, api_name=False, queue=False).then(
            handler, inputs, opened, api_name=False).then(
            lambda: gr.Button(visible=False), None, stop_btn, api_name=False, queue=False)  # after a refusal too
    stop_btn.click(stop, None, stop_btn, api_name=False, queue=False)
    show.change(filtered, [current, show, visitor], table, api_name=False, show_progress="hidden")
    table.select(open_selected, [current, visitor], row_outputs, api_name=False)
    picked.change(open_picked, [current, picked, visitor], row_outputs, api_name=False)
    return tab


__all__ = ["ALL", "DatasetTab", "new_visitor", "visitor_key", "alone", "breakdown_markdown", "build_dataset_tab", "calm", "columns", "filter_choices",
           "confusion_markdown", "filters", "slices_markdown", "summary_markdown", "table_row", "widths"]
