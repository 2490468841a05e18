"""``explain-batch``: the rows not yet done, explained here (one model load, row after row) or by Ray actors, each
logged by this process as it finishes.

    from msa_demo.dataset import explain_batch
    summary = explain_batch("manifest.csv", "out/", model=model)   # or preset="lite"
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

from msa_demo.dataset.manifest import none_found
from msa_demo.dataset.export import write_csv
from msa_demo.dataset.rows import (ManifestRow, explain_row, explanation_text, left_out, model_record, one_line,
                                   read_rows, safe_name, text_kept)
from msa_demo.dataset.columns import LABEL_NOT_USED, SETTINGS_COLUMN, hash_columns
from msa_demo.dataset.report import binary_said, fused_probs, labels_mapped, labels_read, too_close, write_report
from msa_demo.dataset.rowmap import write_map
from msa_demo.dataset.span import timed
from msa_demo.dataset.store import MODEL, manifest_key, open_results
from msa_demo.errors import InputError


@dataclass
class BatchSummary:
    """What one run did: rows in the manifest (after --limit), skipped as already done, explained, failed."""

    total: int
    skipped: int
    explained: int
    failed: int
    seconds: float
    out: str
    # (id, label as given) of the rows whose label was given but is no sentiment (explained without it)
    unlabelled: tuple[tuple[str, str], ...] = ()
    numbered: str = ""  # how numbered labels were read when not as -1 / 0 / 1 (``report.labels_read``)
    failures: tuple[tuple[str, str], ...] = ()  # (id, why) of each row this run could not explain
    label_hint: str = ""  # no row has a label, and a column looks like the labels (``manifest.label_hint``)
    failed_before: int = 0  # rows skipped as done that had failed (``retry_failed`` runs them again)
    other_settings: int = 0  # rows done before with other settings (preset, options ...), explained again
    other_inputs: int = 0  # rows whose id the folder held with other inputs (another manifest's, files changed):
    # explained again, their earlier results replaced (``OTHER_INPUTS`` says so)
    not_read: int = 0  # rows this run explained without an input they name (missing, unreadable, refused)
    not_read_ids: tuple[str, ...] = ()  # their ids, so that the line names them (the first few)
    ids: tuple[str, ...] = ()  # every row's id (a repeated one renamed 'r21#2': ``report.ids_repeated`` says so)
    preset: str = ""  # the model's preset as the app's header names it ('lite', 'hub+my_head'); "" when no row ran
    loading: tuple[str, ...] = ()  # how loading the model went (stand-ins, a head that gave way): said once
    available: int = 0  # rows the manifest holds (after --split, before --limit): more than ``total`` when a limit
    # left rows out (said: "the first 50 of 59 rows")
    again: tuple[str, ...] = ()  # rows run twice or more because a Ray worker died while they ran (said in one line)
    # (id, fused probabilities) of each row this run explained whose verdict is too close to call: said with the two
    # classes and how close, as ``explain`` says its own ("too close to call" alone had not said between what)
    too_close: tuple[tuple[str, dict[str, float]], ...] = ()
    # the rows that give a start and end (``dataset.span``) but no clip or sound to cut (used): said once by the run
    span_unused: tuple[str, ...] = ()
    relabelled: int = 0  # rows done before whose label the manifest now gives otherwise: updated (``RELABELLED``)
    binary: str = ""  # a binary set's scores over its labels' two classes (``report.binary_line``), else ""
    mapped: str = ""  # the labels given as words read as another class's name, each named (``report.labels_mapped``)

    @property
    def left(self) -> int:
        """Rows to run that a stop left unrun (0 when the run went to its end)."""
        return self.total - self.skipped - self.explained - self.failed

    @property
    def rows_per_second(self) -> float:
        ran = self.explained + self.failed
        return ran / self.seconds if self.seconds > 0 else 0.0


def explain_batch(manifest: str | Path, out: str | Path, *, model=None, preset: str | None = None,
                  device: str = "auto", options=None, target: str | None = None, use: Sequence[str] | None = None,
                  limit: int | None = None, top_k: int = 5, retry_failed: bool = False,
                  progress: bool | None = None, report: bool = True, engine: str = "local", workers: int = 1,
                  gpus_per_worker: float = 0.0, on_row: Callable[[int, int], None] | None = None,
                  lang: str = "en", columns: dict[str, str] | None = None, split: str | None = None,
                  encoding: str | None = None, label_names: dict[str, str] | None = None,
                  face_anyway: bool = False, readable: Callable[[Path | str], bool] | None = None,
                  media_folder: Path | None = None, stop: Callable[[], bool] | None = None,
                  label_scale: str | None = None) -> BatchSummary:
    """Explain every row of ``manifest`` not already in ``out``; write results.parquet, map.json (the rows' map:
    ``rowmap``) and report.html.

    engine: ``local`` (this process, ``model`` or one load of ``preset``) or ``ray`` (``workers`` Ray actors,
    one model each; see :mod:`msa_demo.dataset.distributed`). Either way this process logs each finished row.
    progress: a tqdm bar with rows/s and ETA (None: only on a terminal). on_row(rows finished, rows to run):
    called after each row is logged (the dashboard's progress bar). lang: report.html's language ("en", "zh").
    columns: the set's own column names (``manifest.parse_columns``); split: only that split's rows; encoding:
    a text manifest's when not UTF-8; label_names: the label column's numbers as names
    (``labels.parse_label_names``); face_anyway: a picture in which the face model finds no face is read as a
    face all the same (else it is left out of its row, said, as the dashboard leaves it out). readable(what a
    row's file opens: a local Path, or a link as written; ``rows.where``): False leaves that file out of its row,
    unread, said (the Dataset tab's data-folder rule, ``DatasetTab.readable``). media_folder: where relative media
    paths are read from, when not the manifest's folder (the Dataset tab's upload: the data folder). stop(): True
    ends the run after the row just logged (the Dataset tab's Stop); the rows done are kept, map.json and
    report.html written for them, and a run again goes on from there. label_scale: the scale of the label column's
    scores (``labels.LABEL_SCALE``: mosi, sims; None or auto: told from the scores).
    """
    from tqdm import tqdm

    from msa_demo.explain.options import ExplainOptions, check_target

    from msa_demo.registry import check_use, names as modality_names

    t0 = time.perf_counter()
    use, target = check_use(use), check_target(target)  # a bad one refused before anything is read or loaded
    rows, label_hint = read_rows(manifest, None, columns, split, encoding, label_names, media_folder, label_scale)
    available = len(rows)  # before the limit: a run that leaves rows out says so
    rows = rows[:limit] if limit else rows
    if readable is not None:
        rows = left_out(rows, readable)
    used = [{m: v for m, v in r.values.items() if use is None or m in use} for r in rows]  # (--use: not looked for)
    missing = none_found(used, media_folder=media_folder)  # before the results folder is made (a done row whose file is
    # gone runs again: its hash is no longer the one done)
    if missing:
        raise InputError(missing)
    options = options if options is not None else ExplainOptions()
    store = open_results(out)
    stored = store.rows()  # read once: what is done, and what of it had failed
    store.claim(manifest_key(manifest), Path(str(manifest)).name, stored)  # a folder holds one manifest's rows
    unused = {m: sum(r.values.get(m) not in (None, "") for r in rows) for m in modality_names()
              if use is not None and m not in use}  # named by the rows, not used: said by the report
    store.note_extent(available, limit, unused)  # the report and the tab say "the first 50 of 59 rows"
    done = store.done(retry_failed, stored)
    hashes = hash_columns()
    settings = settings_digest(model, preset, options, target, use, top_k, face_anyway)
    made_with = {str(r["id"]): r.get(SETTINGS_COLUMN) for r in stored}  # None: a folder from before it was kept
    inputs_now = {r.id: tuple(r.hashes()[h] for h in hashes) for r in rows}  # each row's files hashed once
    same_inputs = {r.id for r in rows if done.get(r.id) == inputs_now[r.id]}
    other_settings = {i for i in same_inputs if made_with.get(i) not in (None, settings)}
    todo = [r for r in rows if r.id not in same_inputs or r.id in other_settings]
    kept_up, relabelled = keep_up(store, stored, [r for r in rows if r.id in same_inputs and r.id not in other_settings])
    before = {str(r["id"]): tuple(r.get(h) for h in hashes) for r in stored}
    other_inputs = sum(1 for r in rows if r.id in before and before[r.id] != inputs_now[r.id])
    failed_ids = {str(r["id"]) for r in stored if r.get("error")}
    running = {r.id for r in todo}
    failed_before = sum(1 for r in rows if r.id in failed_ids and r.id not in running)  # skipped, failed last time
    explained = failed = 0
    failures: list[tuple[str, str]] = []
    not_read: list[str] = []  # the ids of the rows explained without an input they name
    close: list[tuple[str, dict[str, float]]] = []  # the rows explained too close to call, with their probabilities
    loaded: dict[str, Any] = {}  # the model's preset and loading notices (``model_record``), once it is loaded
    again: list[str] = []  # the rows a Ray worker's death made run again (``distributed.Ledger``)
    if todo:
        if engine == "ray":
            from msa_demo.dataset.distributed import ray_results

            results = ray_results(todo, preset or "hub", device, options, target, use, top_k, workers,
                                  gpus_per_worker, face_anyway=face_anyway, loaded=loaded, again=again)
        elif engine == "local":
            if model is None:  # loaded once, here: how it went is said before the rows
                from msa_demo.model import MultimodalSentimentModel

                model = MultimodalSentimentModel.from_preset(preset or "hub", device=device)
            loaded.update(model_record(model))
            results = local_results(todo, model, options, target, use, top_k, face_anyway)
        else:
            raise InputError(f"Unknown engine '{engine}'; use local or ray.")
        bar = tqdm(total=len(todo), unit="row", desc="explain-batch", disable=(None if progress is None
                                                                                else not progress))
        # no terminal to draw the bar on (the output sent to a file, a job's log): a plain line now and then instead,
        # where nothing had been said until the end (a 22-row run of clips: 9 minutes)
        lines = Ticker(len(todo), t0, lang) if progress is None and not _terminal(sys.stderr) else None
        try:
            for rec, data in results:
                rec[SETTINGS_COLUMN] = settings
                if data is not None:
                    text = data if isinstance(data, str) else explanation_text(data)
                    rec["explanation"] = store.write_explanation(safe_name(rec["id"]), text)
                    explained += 1
                    if rec.get("not_read"):
                        not_read.append(str(rec["id"]))
                    if too_close(rec):
                        close.append((str(rec["id"]), fused_probs(rec)))
                else:
                    failed += 1
                    failures.append((str(rec["id"]), str(rec.get("error") or "")))
                store.append(rec)
                bar.update(1)
                if lines is not None:
                    lines.row(explained + failed, failed)
                if on_row is not None:
                    on_row(explained + failed, len(todo))
                if stop is not None and stop():
                    break
        finally:
            bar.close()
            store.write_table()  # also after Ctrl-C: the table holds every finished row
            if loaded:  # report.html names it (a run with all its rows done before keeps the earlier run's)
                store.put(MODEL, json.dumps(loaded, ensure_ascii=False).encode("utf-8"))
    elif not store.has_table() or kept_up:
        store.write_table()
    write_csv(store)  # the results as a spreadsheet opens them (results.parquet needs Python)
    write_map(store)
    if report:
        write_report(store, lang=lang)
    numbered = labels_read([{"label": r.label, "label_given": r.label_given, "label_read_as": r.label_read_as}
                            for r in rows], lang)
    return BatchSummary(len(rows), len(rows) - len(todo), explained, failed, time.perf_counter() - t0,
                        str(store.path), tuple((r.id, r.label_given or "") for r in rows if r.label_notice), numbered,
                        tuple(failures), label_hint, failed_before, len(other_settings), other_inputs, len(not_read),
                        tuple(not_read), tuple(r.id for r in rows), str(loaded.get("preset") or ""),
                        tuple(loaded.get("notices") or ()), available, tuple(again), tuple(close),
                        tuple(r.id for r in rows if r.span is not None and not timed(r.values, use)), relabelled,
                        binary_said(store.rows(), lang), labels_mapped(
                            [{"label": r.label, "label_given": r.label_given} for r in rows], lang))


PROGRESS_EVERY = 10.0  # seconds between two plain progress lines (the last row's always said)
PROGRESS_LINE = "{done}/{total} rows, {failed} failed, {seconds} s"


def _terminal(stream) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # a stream without isatty, or closed
        return False


class Ticker:
    """The run's progress as plain lines on stderr (:data:`PROGRESS_LINE`), flushed: after a row when
    :data:`PROGRESS_EVERY` seconds have passed since the last line (a row that takes longer: each), and after the
    last row. For a run whose stderr is no terminal, where tqdm draws no bar."""

    def __init__(self, total: int, since: float, lang: str = "en") -> None:
        self.total, self.since, self.lang, self.said = total, since, lang, since

    def row(self, done: int, failed: int) -> None:
        from msa_demo.i18n import t

        now = time.perf_counter()
        if now - self.said < PROGRESS_EVERY and done < self.total:
            return
        self.said = now
        print(t(PROGRESS_LINE, self.lang, done=done, total=self.total, failed=failed,
                seconds=f"{now - self.since:.0f}"), file=sys.stderr, flush=True)



def keep_up(store, stored: list[dict[str, Any]], skipped: Sequence[ManifestRow]) -> tuple[int, int]:
    """The rows done before, skipped now, with what the manifest says of them beside their inputs brought up to date
    in the log: their ``group`` (``--columns group=notes`` added on a run again had done nothing), their label as the
    manifest gives it now (``label``, ``label_given``, ``label_read_as`` and the notice of a label not read: a run
    again with ``label=Sentiment`` in place of ``label=Emotion`` had skipped every row and scored the old labels) and,
    in a folder written before it was kept, their ``text`` (results.csv's). Only the explanations are costly; what
    the manifest alone decides is read again on every run. (rows brought up to date, those of them whose label
    changed)."""
    by_id = {str(r["id"]): r for r in stored}
    n = relabelled = 0
    for row in skipped:
        rec = by_id.get(row.id)
        if rec is None:
            continue
        now = {k: v for k, v in manifest_says(row).items() if rec.get(k) != v}
        notices = [row.label_notice] if row.label_notice else []
        notices += [x for x in rec.get("notices") or [] if not str(x).startswith(LABEL_NOT_USED)]
        if notices != list(rec.get("notices") or []):
            now["notices"] = notices
        if "text" not in rec:
            now["text"] = text_kept(row.values.get("text"))
        if now:
            store.append({**rec, **now})
            n += 1
            relabelled += any(k in now for k in ("label", "label_given"))
    return n, relabelled


def manifest_says(row: ManifestRow) -> dict[str, Any]:
    """What a results row holds that the manifest alone decides (no explanation needed): read again on every run."""
    return {"group": row.group, "label": row.label, "label_given": row.label_given,
            "label_read_as": row.label_read_as}


# a run again whose manifest gives rows already done other labels (another label column, labels fixed in the sheet)
RELABELLED = ("{n} row(s) already done have other labels in the manifest now: their labels were updated and the "
              "scores are against them (their explanations were kept)")


OTHER_INPUTS = ("{n} row(s) of the results folder had the same id with other inputs (another manifest's rows, or "
                "files that changed): explained again, their earlier results replaced")


def settings_digest(model, preset: str | None, options, target: str | None, use: Sequence[str] | None, top_k: int,
                    face_anyway: bool) -> str:
    """sha256 (first 16 hex digits) of what a row is explained with: the preset (the model's, or the name or folder
    given), every explanation option, the target, the modalities used, the top words kept, the face switch."""
    import hashlib
    import json

    if model is not None:
        which = model.preset.name
    else:
        which = preset or "hub"
        which = str(Path(which).resolve()) if Path(which).exists() else which
    what = {"preset": which, "options": options.to_dict(), "target": target, "use": sorted(use) if use else None,
            "top": top_k, "face_anyway": bool(face_anyway)}
    return hashlib.sha256(json.dumps(what, sort_keys=True, default=str).encode("utf-8")).hexdigest()[:16]


def local_results(todo: Sequence[ManifestRow], model, options, target, use, top_k: int,
                  face_anyway: bool = False) -> Iterator[tuple[dict[str, Any], dict[str, Any] | None]]:
    """(results row, explanation dict or None) per row, in order, in this process, with ``model`` (loaded once, by
    :func:`explain_batch`)."""
    for row in todo:
        yield explain_row(model, row, options, target, use, top_k, face_anyway)


__all__ = ["OTHER_INPUTS", "RELABELLED", "BatchSummary", "explain_batch", "explain_row", "local_results", "model_record", "one_line",
           "settings_digest"]
