"""``DIR/results.csv``: the results as a spreadsheet opens them, for a person who does not use Python ("which posts
did it call negative?"): results.parquet needs pandas (Excel cannot open it), keeps 80 characters of each text, and
the report's tables stop at 50 rows.

One row per input, in manifest order: id, group (when the manifest has one), text (whole up to
``rows.TEXT_KEPT`` characters, else cut with a mark that says so; the first 80 characters in a folder written before
it was kept), label, predicted, too close to call, the three fused probabilities, the top words with their scores,
the notices and the error. UTF-8 with a byte-order mark (Excel reads the file as UTF-8 by it: Chinese and emoji
intact), commas, CRLF line ends, every field that needs it quoted. A cell that a spreadsheet would read as a formula
(one that begins with =, +, -, @, but a plain number such as a score "-1.8") starts with an apostrophe, so a post
such as "=HYPERLINK(...)" stays text.
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any, Iterable

from msa_demo.config import SENTIMENTS

CSV_FILE = "results.csv"
FORMULA = ("=", "+", "-", "@", "\t", "\r")  # how a cell a spreadsheet runs as a formula begins


NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")  # a plain number ("-1.8"): read as one, never run


def _cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA) and not NUMBER.fullmatch(value):
        return "'" + value
    return value


def _words(rec: dict) -> str:
    """The row's top words with their scores ("friendly +0.030; 😊 +0.021"); a clip's heard words when no text was."""
    items = rec.get("top_words") or []
    if not items and any(m.get("method") == "word_ablation" and m.get("modality") == "audio"
                         for m in rec.get("maps") or []):
        items = rec.get("top_segments") or []
    return "; ".join(f"{i.get('label')} {float(i.get('score') or 0.0):+.3f}" for i in items)


def _prob(rec: dict, s: str) -> Any:
    p = rec.get(f"prob_{s}")
    return "" if p is None else round(float(p), 4)


def given_differs(rec: dict) -> str | None:
    """The label as the manifest gave it ("2.4", "pos", "happy"), when it differs from the class it was read as
    (a MOSI score 2.4 read as positive had been shown as "positive" alone); None when it is that class's name."""
    given, label = rec.get("label_given"), rec.get("label")
    if given is None or label is None or str(given).strip().lower() == str(label).lower():
        return None
    return str(given).strip() or None


def columns(rows: list[dict]) -> list[str]:
    """The file's columns; ``group`` and ``heard`` only when a row has one, ``label_given`` (the label as the
    manifest gave it: a score, a code) only when a row's differs from the class it was read as."""
    head = ["id"]
    if any(r.get("group") for r in rows):
        head.append("group")
    head.append("text")
    if any(r.get("heard") for r in rows):
        head.append("heard")
    given = ["label_given"] if any(given_differs(r) for r in rows) else []  # the manifest's own, where it differs
    return [*head, "label", *given, "predicted", "too_close", *(f"prob_{s}" for s in SENTIMENTS), "top_words", "notices",
            "error"]


def csv_row(rec: dict) -> dict[str, Any]:
    """One results row as the file holds it (every column of :func:`columns`)."""
    close = rec.get("too_close")
    return {"id": rec.get("id"), "group": rec.get("group") or "",
            "text": rec.get("text") or rec.get("text_start") or "", "heard": rec.get("heard") or "",
            "label": rec.get("label") or "", "label_given": given_differs(rec) or "",  # only where it differs
            "predicted": rec.get("predicted") or "",
            "too_close": "" if close is None else ("yes" if close else "no"),
            **{f"prob_{s}": _prob(rec, s) for s in SENTIMENTS}, "top_words": _words(rec),
            "notices": " | ".join(dict.fromkeys(str(n) for n in rec.get("notices") or [])),
            "error": rec.get("error") or ""}


def csv_bytes(rows: Iterable[dict]) -> bytes:
    """The rows as results.csv's bytes (UTF-8 with a byte-order mark)."""
    rows = list(rows)
    head = columns(rows)
    buf = io.StringIO(newline="")
    writer = csv.DictWriter(buf, fieldnames=head, extrasaction="ignore", lineterminator="\r\n")
    writer.writeheader()
    for rec in rows:
        writer.writerow({k: _cell(v) for k, v in csv_row(rec).items()})
    return buf.getvalue().encode("utf-8-sig")


def write_csv(store, rows: list[dict] | None = None) -> str:
    """Write ``results.csv`` into the results directory ``store`` (``store.ResultsDir``) from its rows (or ``rows``);
    where it went."""
    return store.put(CSV_FILE, csv_bytes(store.rows() if rows is None else rows))


__all__ = ["CSV_FILE", "columns", "csv_bytes", "csv_row", "given_differs", "write_csv"]
