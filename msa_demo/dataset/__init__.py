"""Dataset mode: explain every row of a manifest, keep the results in a table, and summarise the set.

    from msa_demo.dataset import explain_batch, read_results
    summary = explain_batch("manifest.csv", "out/", preset="lite")   # out/results.parquet, out/report.html
    rows = read_results("out/")

    columns  the results row's columns, from the registered modality kinds (the ground floor: imports none below)
    rows     manifest rows (ids, values by modality name, input hashes) and the flat results row of one explanation
    media    a row's media as bytes (Blob) or URIs read through fsspec; made files just before a row runs
    store    the results directory (a folder, or a URI: one object per row), results.parquet, explanations
    local    the local engine: one model load, row after row, resumable
    distributed  the Ray engine: actors on a local Ray or a cluster, faults retried
    report   report.html: accuracy, modality reliance, slices, conflicts, top parts, unfaithful maps
    cli      ``python -m msa_demo explain-batch``
"""

from msa_demo.dataset.local import BatchSummary, explain_batch
from msa_demo.dataset.report import summary, to_html, write_report
from msa_demo.dataset.rows import ManifestRow, explain_row, manifest_rows, record_of
from msa_demo.dataset.store import ResultsDir, read_results

__all__ = ["BatchSummary", "ManifestRow", "ResultsDir", "explain_batch", "explain_row", "manifest_rows",
           "read_results", "record_of", "summary", "to_html", "write_report"]
