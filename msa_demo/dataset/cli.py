"""``python -m msa_demo explain-batch MANIFEST --preset NAME --out DIR``: explain a whole set of inputs."""

from __future__ import annotations

import argparse
import os
import sys

ENGINES = ("local", "ray")
FAILURES_SHOWN = 5  # rows that could not be explained, named with why after the run's line (all in report.html)
# each row explained too close to call, as ``explain`` heads its own near-tie: the two classes and how close (the first
# FAILURES_SHOWN; report.html lists them all)
TOO_CLOSE_ROW = "  {id}: too close to call: {between}"
TOO_CLOSE_MORE = "  and {n} more too close to call (report.html lists them)"
# the exit status, said in --help and the README, so that a script can tell a run with failed rows from a clean one
EXIT_STATUS = ("exit status: 0 when every row is explained; 1 when the run finished but a row could not be "
               "explained (in this run, or in an earlier one and not run again: --retry-failed does); 2 when nothing "
               "ran (a bad flag or manifest, a results folder that cannot be written); 4 when nothing ran because the "
               "model could not be loaded or memory ran out; 130 when stopped by Ctrl-C (the rows done are kept)")
ROWS_FAILED = 1  # the run finished, and the results folder holds rows of this manifest that failed
# rows explained without an input, named (a count alone left a person to search the table for them)
NOT_READ = ("  {n} rows were explained without an input they name (a file missing, unreadable or a link that could "
            "not be read): {ids}; each row's notices say why")
NOT_READ_ONE = ("  1 row was explained without an input it names (a file missing, unreadable or a link that could not "
                "be read): {ids}; its notices say why")

# rows whose start and end (the seconds of their clip to read) had no clip or sound to cut (text alone, or --use)
SPAN_UNUSED = ("  {n} row(s) give a start and end but no clip or sound to cut, so their span was not used: {ids}")

# rows a Ray worker was explaining when it died (killed, out of memory, a crash), run again on its restarted process
RUN_AGAIN = "  a worker stopped; {n} row(s) were run again: {ids}"


def add_command(sub) -> None:
    from msa_demo.cli import add_face_flag, add_lang_flag, add_model_flags, add_option_flags
    from msa_demo.dataset.manifest import COLUMNS_HELP, ENCODING_HELP
    from msa_demo.labels import LABEL_NAMES_HELP, LABEL_SCALE

    p = sub.add_parser("explain-batch", help="explain every row of a manifest (CSV, JSONL, Parquet or a saved "
                       "datasets folder) into a results "
                       "directory: results.parquet, explanations/<id>.json, map.json, report.html; resumable",
                       epilog=EXIT_STATUS)
    from msa_demo import registry

    files = [k.name for k in registry.kinds() if k.manifest_file]
    p.add_argument("manifest", help="CSV (header line), JSONL, Parquet (a path or a URI), or a Hugging Face "
                   f"datasets folder (Dataset.save_to_disk): a column per modality ({', '.join(registry.names())}; "
                   f"{', '.join(files)} as paths relative to its folder, URIs such as s3://, gs://, hf://, "
                   "http(s)://, file:// read through fsspec, Parquet binary cells or datasets Image/Audio features), "
                   "optional id and label")
    p.add_argument("--out", "--output", "-o", required=True, metavar="DIR",
                   help="results directory, a folder or a URI (s3://, gs://, ... through fsspec; one object per row); "
                        "rows already there are skipped")
    add_model_flags(p)  # --preset, --device: as predict and explain take them
    add_lang_flag(p, "the lines printed and report.html; results.parquet and the explanations' JSON stay English")
    p.add_argument("--engine", choices=ENGINES, default="local",
                   help="local: here, one model; ray: Ray actors, one model each, on a local Ray or the cluster at "
                        "$RAY_ADDRESS (pip install -r requirements-cluster.txt) (default: local)")
    p.add_argument("--workers", type=int, default=1, metavar="N",
                   help="Ray actors (--engine ray; default: 1; 0: from the cluster's resources, one per 4 CPUs of "
                        "each node, or per --gpus-per-worker GPUs)")
    p.add_argument("--gpus-per-worker", type=float, default=0.0, metavar="G",
                   help="GPUs Ray assigns each actor (--engine ray; default: 0, CPU)")
    p.add_argument("--columns", default=None, metavar="NAME=COLUMN,...", help=COLUMNS_HELP)
    p.add_argument("--encoding", default=None, metavar="NAME", help=ENCODING_HELP)
    p.add_argument("--label-names", default=None, metavar="NAMES", help=LABEL_NAMES_HELP)
    p.add_argument(LABEL_SCALE.flag, default=LABEL_SCALE.default, choices=LABEL_SCALE.choices, help=LABEL_SCALE.help)
    p.add_argument("--limit", type=int, default=None, metavar="K", help="only the first K rows of the manifest")
    p.add_argument("--split", default=None, metavar="NAME",
                   help="only the rows of this split (the manifest's split column, such as test; a saved DatasetDict "
                        "folder's split names)")
    p.add_argument("--target", default=None, help="class to explain (default: each row's predicted class)")
    p.add_argument("--use", default=None, help="modalities to use, comma-separated (default: all given)")
    p.add_argument("--top", type=int, default=5, metavar="K",
                   help="top parts kept per row and modality (words, regions, segments, moments, ...)")
    p.add_argument("--retry-failed", action="store_true", help="run the rows that failed before again")
    add_face_flag(p)
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    add_option_flags(p)
    p.set_defaults(func=cmd_explain_batch)


def cmd_explain_batch(args: argparse.Namespace) -> int:
    from msa_demo.dataset.local import OTHER_INPUTS, RELABELLED, explain_batch
    from msa_demo.dataset.report import ids_named, ids_repeated, labels_not_read, rows_counted
    from msa_demo.errors import InputError
    from msa_demo.cli import options_from_args, output_language
    from msa_demo.i18n import said, stop, t
    from msa_demo.views.story import tie_between

    if args.limit is not None and args.limit < 1:
        raise InputError("--limit must be at least 1.")
    if args.workers < 0 or args.gpus_per_worker < 0:
        raise InputError("--workers must be at least 0 (0: from the cluster's resources) and --gpus-per-worker at "
                         "least 0.")
    if args.engine == "local" and (args.workers != 1 or args.gpus_per_worker):
        raise InputError("--workers and --gpus-per-worker go with --engine ray.")
    if args.top < 1:
        raise InputError("--top must be at least 1.")
    from msa_demo.dataset.manifest import parse_columns
    from msa_demo.labels import parse_label_names
    from msa_demo.registry import check_use, use_names

    columns = parse_columns(args.columns)
    label_names = parse_label_names(args.label_names)
    options = options_from_args(args, None)
    lang = output_language(args.lang)  # the lines printed and report.html
    use = check_use(use_names(args.use)) if args.use else None  # before the manifest is read or the model loads
    try:
        s = explain_batch(args.manifest, args.out, preset=args.preset or os.environ.get("MSA_PRESET", "hub"),
                          device=args.device, options=options, target=args.target, use=use, limit=args.limit,
                          top_k=args.top, retry_failed=args.retry_failed,
                          progress=False if args.no_progress else None, engine=args.engine, workers=args.workers,
                          gpus_per_worker=args.gpus_per_worker, lang=lang, columns=columns, split=args.split,
                          encoding=args.encoding, label_names=label_names, face_anyway=args.face_anyway,
                          label_scale=args.label_scale)
    except KeyboardInterrupt:  # every finished row is logged: said, so that a person knows a re-run goes on
        print(t("stopped: {n} row(s) are done in {out}; run the same command again to go on from there", lang,
                n=_rows_done(args.out), out=args.out), file=sys.stderr)
        return 130
    rate = t(", {rate} rows/s", lang, rate=f"{s.rows_per_second:.2f}") if s.explained + s.failed else ""
    rows = rows_counted({"rows": s.total, "manifest_rows": s.available,  # --limit left rows out: said, with how
                         "left_out_by": "limit" if s.available > s.total else None}, lang)  # many the manifest holds
    print(t("{rows}: {explained} explained, {failed} failed, {skipped} already done ({seconds} s{rate})", lang,
            rows=rows[:1].upper() + rows[1:], explained=s.explained, failed=s.failed, skipped=s.skipped, seconds=f"{s.seconds:.1f}",
            rate=rate))
    if s.available > s.total:
        print(t("  {n} row(s) of the manifest were left out by --limit {limit} (without it, every row is run)", lang,
                n=s.available - s.total, limit=args.limit))
    for line in s.loading:  # how loading the model went, as predict says it: once, not per row
        print(t("note: {note}", lang, note=said(line, lang)))
    for rid, why in s.failures[:FAILURES_SHOWN]:
        print(t("  {id}: {why}", lang, id=rid, why=said(why, lang)))
    if s.again:  # Ray ran a row again on a restarted worker: said once (Ray's own warning is many lines)
        print(t(RUN_AGAIN, lang, n=len(s.again), ids=ids_named(s.again, lang)))
    if s.failed_before:
        print(t("  {n} of the rows already done had failed; --retry-failed runs them again", lang, n=s.failed_before))
    if s.other_settings:
        print(t("  {n} row(s) done before with other settings (preset, options, target, --use, --top or --face-anyway) "
                "were explained again", lang, n=s.other_settings))
    if s.other_inputs:
        print("  " + t(OTHER_INPUTS, lang, n=s.other_inputs))
    if s.relabelled:  # labels read again from the manifest (another label column): said, not done in silence
        print("  " + t(RELABELLED, lang, n=s.relabelled))
    if s.not_read:
        print(t(NOT_READ_ONE if s.not_read == 1 else NOT_READ, lang, n=s.not_read, ids=ids_named(s.not_read_ids, lang)))
    if s.span_unused:  # a start / end with no clip or sound to cut: said once, not dropped without a word
        print(t(SPAN_UNUSED, lang, n=len(s.span_unused), ids=ids_named(s.span_unused, lang)))
    if len(s.failures) > FAILURES_SHOWN:
        print(t("  and {n} more (report.html lists every row that could not be explained)", lang,
                n=len(s.failures) - FAILURES_SHOWN))
    for rid, probs in s.too_close[:FAILURES_SHOWN]:
        print(t(TOO_CLOSE_ROW, lang, id=rid, between=tie_between({"probs": probs}, lang)))
    if len(s.too_close) > FAILURES_SHOWN:
        print(t(TOO_CLOSE_MORE, lang, n=len(s.too_close) - FAILURES_SHOWN))
    if ids_repeated(s.ids):
        print("  " + ids_repeated(s.ids, lang))
    if s.unlabelled:
        print(labels_not_read(s.unlabelled, lang))
    if s.label_hint:
        print(said(s.label_hint, lang))
    if s.numbered:
        print(s.numbered)
    if s.mapped:  # words read as a class (an emotion as its sentiment): each named once
        print(s.mapped)
    if s.binary:  # a binary set scored as its benchmarks are, beside report.html's 3-class figures
        print(s.binary[:1].upper() + s.binary[1:] + stop(lang))
    join = (lambda a, b: f"{a}/{b}") if "://" in s.out else os.path.join
    print(t("results: {results}\nreport:  {report}\nmap:     {map} (the rows' fused features by PCA)", lang,
            results=join(s.out, "results.parquet"), report=join(s.out, "report.html"), map=join(s.out, "map.json")))
    return exit_status(s)


def exit_status(s) -> int:
    """0 when every row of the manifest is explained, :data:`ROWS_FAILED` when one failed, now or in an earlier run
    (a script's ``explain-batch ... || retry`` must not read a table with failed rows as complete)."""
    return ROWS_FAILED if s.failed or s.failed_before else 0


def _rows_done(out: str) -> int:
    """How many rows the results folder ``out`` holds (0 when it cannot be read)."""
    from msa_demo.dataset.store import open_results

    try:
        return len(open_results(out).rows())
    except Exception:  # noqa: BLE001 - only a count for a line said on the way out
        return 0


__all__ = ["EXIT_STATUS", "ROWS_FAILED", "TOO_CLOSE_MORE", "TOO_CLOSE_ROW", "add_command", "cmd_explain_batch", "exit_status"]
