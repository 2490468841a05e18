"""The dashboard's Dataset tab: open a results folder of ``explain-batch`` (or run a small manifest into one), see
its rows in a sortable, searchable table with filters (conflict, text alone wrong, unfaithful map, failed rows),
and click a row to open its saved explanation in the Explain tab's panels.

    tab = DatasetTab(dash)                       # handlers, tested without a browser
    table, summary, *_ = tab.open("out/", "conflict")
    panels = tab.open_row("out/", "row-00003")   # the Explain tab's outputs, then the tab to show

Folders and manifests are read and written only under one root folder (``$MSA_DATASET_ROOT``, else the folder the
app started in), so a public dashboard does not open the server's other files.
"""

import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from msa_demo.config import MODALITIES
from msa_demo.dataset.report import PUNCTUATION, alone
from msa_demo.errors import MsaError
from msa_demo.ui.widgets import explanation_views, gradio, user_error
from msa_demo.views import (heatmap_legend, md, notices_markdown, prediction_views, transcript_markdown,
                            whatif_markdown)

ALL = "all rows"
FILTERS: dict[str, Callable[[dict], bool]] = {
    ALL: lambda r: True,
    "wrong (prediction ≠ label)": lambda r: bool(r.get("label")) and not r.get("error")
    and r.get("predicted") != r.get("label"),
    "conflict": lambda r: bool(r.get("conflict")),
    "text alone wrong": lambda r: bool(r.get("label")) and alone(r, "text") not in (None, r.get("label")),
    "unfaithful map": lambda r: bool(r.get("unfaithful")),
    "failed rows": lambda r: bool(r.get("error")),
}
COLUMNS = ["id", "label", "predicted", "P(predicted)", "text alone", "image alone", "audio alone", "Shapley text",
           "Shapley image", "Shapley audio", "conflict", "unfaithful maps", "top words", "error"]
WIDTHS = [170, 95, 100, 105, 95, 95, 95, 85, 85, 85, 85, 130, 200, 320]  # px, one per column
MAX_ROWS = 50  # a run from the dashboard is for small sets; explain-batch runs the big ones
RECENT_KEPT = 12


def table_row(rec: dict) -> list[Any]:
    """One results row as the table shows it (numbers rounded, lists as short text)."""
    pred = rec.get("predicted")
    conf = rec.get(f"prob_{pred}") if pred else None
    maps = rec.get("maps") or []
    return [rec.get("id"), rec.get("label") or "", pred or "", round(conf, 3) if conf is not None else None,
            *[alone(rec, m) or "" for m in MODALITIES],
            *[round(v, 3) if (v := rec.get(f"shapley_{m}")) is not None else None for m in MODALITIES],
            "yes" if rec.get("conflict") else "",
            ", ".join(f"{m.get('modality')} {str(m.get('method', '')).replace('_', ' ')}" for m in maps
                      if m.get("verdict") == "✗"),
            ", ".join(str(w.get("label")).strip(PUNCTUATION) or str(w.get("label"))
                      for w in (rec.get("top_words") or [])[:3]),
            rec.get("error") or ""]


def summary_markdown(rows: list[dict], folder: Path) -> str:
    """A few lines over the whole folder: rows, failures, accuracy, modality reliance, conflicts, unfaithful."""
    from msa_demo.dataset.report import summary

    s = summary(rows)
    lines = [f"**{md(folder.name)}**: {s['rows']} rows · {s['explained']} explained · {s['failed']} failed"]
    m = s.get("metrics") or {}
    if m.get("n"):
        lines.append(f"accuracy **{m['accuracy']:.0%}** on {m['n']} labelled rows · macro F1 {m['macro_f1']:.2f}")
    if s["reliance"]:
        lines.append("reliance (mean |Shapley|): " + " · ".join(
            f"{k} **{v:.3f}**" for k, v in sorted(s["reliance"].items(), key=lambda kv: -kv[1])))
    lines.append(f"conflicts: {s['conflicts']} · unfaithful maps: {len(s['unfaithful'])}")
    return "\n\n".join(lines)


@dataclass
class DatasetTab:
    """The Dataset tab's handlers. ``dash``: the Dashboard (its models and its report folder)."""

    dash: Any
    root: Path = field(default_factory=lambda: Path(os.environ.get("MSA_DATASET_ROOT") or os.getcwd()))
    recent: list[str] = field(default_factory=list)
    max_rows: int = MAX_ROWS

    def __post_init__(self) -> None:
        self.root = Path(self.root).resolve()
        if not self.recent:
            self.recent = self.found()

    def found(self) -> list[str]:
        """Results folders under the root (two levels down at most), newest first."""
        hits = [p.parent for pattern in ("*/results.parquet", "*/*/results.parquet") for p in self.root.glob(pattern)]
        hits.sort(key=lambda p: p.stat().st_mtime, reverse=True)
        return [self.shown(p) for p in hits[:RECENT_KEPT]]

    def shown(self, path: Path) -> str:
        """A path as the path box shows it: relative to the root."""
        return str(path.relative_to(self.root)) if path != self.root else "."

    def resolve(self, text: str | None, what: str = "results folder") -> Path:
        """A path typed in the tab (relative to the root, or absolute inside it) -> an absolute path."""
        text = str(text or "").strip()
        if not text:
            raise user_error(f"Type or pick a {what} first.")
        p = Path(text).expanduser()
        p = (p if p.is_absolute() else self.root / p).resolve()
        if not p.is_relative_to(self.root):
            raise user_error(f"Only paths inside the dashboard's data folder can be used here ('{text}' is outside "
                             "it; set MSA_DATASET_ROOT when starting the app to choose that folder).")
        return p

    def rows(self, folder: Path) -> list[dict]:
        from msa_demo.dataset import read_results

        try:
            return read_results(folder)
        except MsaError as exc:
            raise user_error(str(exc)) from None

    # ------------------------------------------------------------------ handlers

    def table(self, folder: str | None, show: str = ALL):
        """The rows of ``folder`` that pass the filter ``show``, as a pandas DataFrame (COLUMNS)."""
        import pandas as pd

        if not folder:
            return pd.DataFrame([], columns=COLUMNS)
        keep = FILTERS.get(show, FILTERS[ALL])
        return pd.DataFrame([table_row(r) for r in self.rows(self.resolve(folder)) if keep(r)], columns=COLUMNS)

    def open(self, folder: str | None, show: str = ALL) -> tuple:
        """(table, summary, the path box, the folder shown, report button) for a results folder."""
        gr = gradio()
        path = self.resolve(folder)
        rows = self.rows(path)
        name = self.shown(path)
        self.recent = [name] + [r for r in self.recent if r != name][: RECENT_KEPT - 1]
        report = path / "report.html"
        button = gr.DownloadButton(interactive=False, value=None)
        if report.is_file():  # a copy where the app serves its files from
            copy = Path(self.dash.report_dir) / "dataset" / name.replace(os.sep, "_") / "report.html"
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(report, copy)
            button = gr.DownloadButton(interactive=True, value=str(copy))
        keep = FILTERS.get(show, FILTERS[ALL])
        import pandas as pd

        table = pd.DataFrame([table_row(r) for r in rows if keep(r)], columns=COLUMNS)
        return (table, summary_markdown(rows, path), gr.Dropdown(choices=self.recent, value=name), name, button)

    def run(self, manifest: str | None, folder: str | None, limit: float | None, preset: str | None,
            show: str = ALL, progress=None) -> tuple:
        """Explain the first ``limit`` rows of ``manifest`` (at most ``max_rows``) into ``folder`` with the
        dashboard's model (rows already there are kept), then open it. ``progress``: a gr.Progress."""
        from msa_demo.dataset import explain_batch

        src = self.resolve(manifest, "manifest")
        out = self.resolve(folder)
        n = int(limit or self.max_rows)
        if not 1 <= n <= self.max_rows:
            raise user_error(f"Run 1 to {self.max_rows} rows here; explain-batch on the command line runs more.")
        model = self.dash.model(preset)

        def on_row(done: int, total: int) -> None:
            if progress is not None:
                progress((done, total), desc="explaining rows", unit="rows")

        if progress is not None:
            progress(0, desc="reading the manifest")
        try:
            explain_batch(src, out, model=model, limit=n, progress=False, on_row=on_row)
        except MsaError as exc:
            raise user_error(str(exc)) from None
        return self.open(self.shown(out), show)

    def open_row(self, folder: str | None, row_id: Any, with_inputs: bool = False) -> tuple:
        """The Explain tab's outputs (as ``Dashboard.explain_panels`` gives them at its end) for one row's saved
        explanation, then the Explain tab selected; ``with_inputs``: then the row's text, picture and clip for
        the input boxes (files written beside the dashboard's reports), so Explain can run it again."""
        from msa_demo.explain.result import Explanation

        gr = gradio()
        path = self.resolve(folder)
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
        pred, reading, models = exp.get("prediction") or {}, exp.get("reading") or {}, exp.get("models") or {}
        views = prediction_views(pred, (), reading, models)
        note = (f"**Row '{md(row_id)}' of {md(self.shown(path))}**, as explain-batch saved it (preset "
                f"{md(exp.get('preset'))})" + (f" · label: **{md(rec['label'])}**" if rec.get("label") else "")
                + (" · **Explain** runs it again here" if with_inputs else ""))
        notices = note + "\n\n" + notices_markdown(pred, (), reading, models, exp)
        html_path, json_path = self.dash.write_report(exp)
        out = (*views[:4], notices, *explanation_views(exp, final=True), heatmap_legend(exp),
               transcript_markdown(reading), "", None, exp,
               gr.DownloadButton(value=str(html_path), interactive=True),
               gr.DownloadButton(value=str(json_path), interactive=True), whatif_markdown(exp),
               gr.Tabs(selected="explain"))
        return out + (self.row_inputs(exp, html_path.parent) if with_inputs else ())

    @staticmethod
    def row_inputs(exp: dict, folder: Path) -> tuple[str | None, str | None, str | None]:
        """(text, picture file, clip file) of a saved explanation, the files written into ``folder``."""
        from msa_demo.explain import recorded_inputs

        raw = recorded_inputs(exp.get("inputs") or {})
        files = []
        for key, name in (("image", "input.png"), ("audio", "input.wav")):
            if raw.get(key):
                (folder / name).write_bytes(raw[key])
                files.append(str(folder / name))
            else:
                files.append(None)
        return (raw.get("text") or "", *files)


def build_dataset_tab(dash, preset, explain_outputs: list, tabs, inputs: list | None = None,
                      root: str | Path | None = None) -> DatasetTab:
    """Lay out the Dataset tab in the current Gradio context and wire it: a row click fills ``explain_outputs``
    (the Explain tab's outputs, in ``Dashboard.explain_panels`` order), selects the Explain tab in ``tabs`` and
    puts the row's inputs in ``inputs`` (the text, image and audio boxes) when given."""
    import gradio as gr

    tab = DatasetTab(dash, **({"root": root} if root is not None else {}))
    gr.Markdown("### Explain a whole test set\nOpen a results folder written by `python -m msa_demo explain-batch`, "
                "or run a small manifest here. Click a row to open its explanation in the **Explain** tab; the "
                "folder's `report.html` holds the set's figures for stakeholders.")
    with gr.Row():
        folder = gr.Dropdown(tab.recent, value=None, allow_custom_value=True, scale=4, elem_id="dataset-folder",
                             label="Results folder (pick a recent one or type a path)")
        open_btn = gr.Button("Open", scale=1, elem_id="dataset-open")
    with gr.Accordion(f"Run a manifest into that folder (at most {tab.max_rows} rows)", open=False,
                      elem_id="dataset-run"):
        with gr.Row():
            manifest = gr.Textbox(label="Manifest: CSV, JSONL, Parquet or a saved datasets folder", scale=4,
                                  elem_id="dataset-manifest")
            limit = gr.Number(min(20, tab.max_rows), label="rows", precision=0, minimum=1, maximum=tab.max_rows,
                              scale=1, elem_id="dataset-limit")
        run_btn = gr.Button("Explain these rows", variant="primary", elem_id="dataset-run-btn")
    with gr.Row():
        summary = gr.Markdown(elem_id="dataset-summary")
        report = gr.DownloadButton("Download report.html", interactive=False, elem_id="dataset-report", scale=0,
                                   size="sm", min_width=180)
    show = gr.Radio(list(FILTERS), value=ALL, label="Show", elem_id="dataset-filter")
    table = gr.Dataframe(value=tab.table(None), headers=COLUMNS, interactive=False, show_search="search",
                         max_height=560, wrap=True, column_widths=WIDTHS, pinned_columns=1, elem_id="dataset-table",
                         label="Rows: click one to open its explanation · click a header to sort")
    current = gr.State(None)

    def run(manifest, folder, limit, preset, show, progress=gr.Progress()):
        return tab.run(manifest, folder, limit, preset, show, progress=progress)

    def open_selected(folder, evt: gr.SelectData):
        row = evt.row_value or []
        return tab.open_row(folder, row[0] if row else None, with_inputs=bool(inputs))

    opened = [table, summary, folder, current, report]
    open_btn.click(tab.open, [folder, show], opened, api_name=False)
    folder.select(tab.open, [folder, show], opened, api_name=False)
    run_btn.click(run, [manifest, folder, limit, preset, show], opened, api_name=False)
    show.change(tab.table, [current, show], table, api_name=False, show_progress="hidden")
    table.select(open_selected, current, list(explain_outputs) + [tabs] + list(inputs or []), api_name=False)
    return tab


__all__ = ["ALL", "COLUMNS", "FILTERS", "DatasetTab", "alone", "build_dataset_tab", "summary_markdown", "table_row"]
