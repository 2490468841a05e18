"""Training data: the manifest, its labels (a label column or a binned score) and the held-out split.

A manifest is a CSV (header line), JSONL or Parquet file, or a saved ``datasets`` folder, with one row per item: a
column per modality (``text``; ``image``, ``audio`` and ``video`` as paths, relative to the manifest's folder), and
``label`` or a numeric ``score``. Optional:
``split`` (train / test: a fixed held-out set) and ``group`` (metrics per group on the held-out rows).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from msa_demo.errors import InputError
from msa_demo.labels import (EMOTION7, LABEL_SETS, label_numbering, label_score, map_label,  # noqa: F401 - importable
                             named_label)

def bin_score(score: float, bins: Sequence[float]) -> str:
    """One threshold t: score < t negative, else positive.

    Two (lo, hi): <= lo negative, >= hi positive, else neutral.
    """
    if len(bins) == 1:
        return "negative" if score < bins[0] else "positive"
    lo, hi = bins
    if score <= lo:
        return "negative"
    if score >= hi:
        return "positive"
    return "neutral"


def parse_bins(text: str | None) -> list[float] | None:
    """``--bins``: 't' or 'lo,hi' -> [t] or [lo, hi] (None when not given)."""
    if not text:
        return None
    said = "--bins takes one threshold (2-way) or two increasing thresholds 'lo,hi' (3-way)"
    try:
        vals = [float(v) for v in text.split(",") if v.strip()]
    except ValueError:  # --bins abc: float()'s traceback
        raise InputError(f"{said}, as numbers (got '{text}').") from None
    if len(vals) not in (1, 2) or (len(vals) == 2 and vals[0] > vals[1]) or any(v != v for v in vals):
        raise InputError(f"{said}.")
    return vals


def read_manifest(path: str | Path, columns: dict[str, str] | None = None,
                  encoding: str | None = None) -> list[dict[str, Any]]:
    """Rows of a CSV, JSONL, Parquet or saved Hugging Face ``datasets`` manifest (the one reader, shared with
    ``explain-batch``: :mod:`msa_demo.dataset.manifest`); image/audio paths are resolved against its folder;
    ``columns`` maps the set's own column names (``--columns``), ``encoding`` names a text one's (``--encoding``)."""
    from msa_demo.dataset.manifest import read_manifest as read

    return read(path, columns=columns, encoding=encoding)


def fetched(rows: list[dict], kinds: Sequence[str], folder: str | Path) -> tuple[list[dict], dict[str, dict[int, str]]]:
    """The rows with each file of ``kinds`` given as a URI (``file://``, ``s3://``, ``http(s)://`` ...: read through
    fsspec, as ``explain-batch`` reads it) saved as a file in ``folder`` and named by its path there, each URI read
    once; and {kind: {row: the one line why}} for a URI that could not be read (the row goes on without it)."""
    from msa_demo.dataset.media import is_uri, read_uri, uri_name

    local: dict[str, str | InputError] = {}
    out: list[dict] = []
    failed: dict[str, dict[int, str]] = {}
    for i, row in enumerate(rows):
        row = dict(row)
        for m in kinds:
            uri = row.get(m)
            if not is_uri(uri):
                continue
            if uri not in local:
                try:
                    data = read_uri(uri)
                except InputError as exc:
                    local[uri] = exc
                else:
                    target = Path(folder) / str(len(local)) / uri_name(uri)
                    target.parent.mkdir(parents=True)
                    target.write_bytes(data)
                    local[uri] = str(target)
            if isinstance(local[uri], InputError):
                failed.setdefault(m, {})[i] = str(local[uri])
                del row[m]
            else:
                row[m] = local[uri]
        out.append(row)
    return out, failed


def row_named(row: dict) -> str:
    return f" ('{row['id']}')" if str(row.get("id") or "").strip() else ""


def row_labels(rows: list[dict], label_set: str, bins: list[float] | None) -> tuple[list[str], list[int]]:
    """(the head's label names, each row's label index), from the label column or the binned score; a row
    without a usable label is one :class:`InputError` naming it (:func:`labelled_rows` leaves it out instead)."""
    labels, y, left_out = labelled_rows(rows, label_set, bins)
    if left_out:
        raise InputError(next(iter(left_out.values())))
    return labels, y


def labelled_rows(rows: list[dict], label_set: str, bins: list[float] | None,
                  label_names: dict[str, str] | None = None) -> tuple[list[str], list[int], dict[int, str]]:
    """(the head's label names, the label index of each row that has one, {row index: why} of the rows left out:
    no label, or one that is no sentiment, or no score with ``bins``); ``label_names``: the label column's numbers
    as names (``--label-names``)."""
    labels = LABEL_SETS["2" if bins and len(bins) == 1 else label_set]
    if bins and len(bins) == 2:
        labels = LABEL_SETS["3"]
    y, left_out = [], {}
    numbering = label_numbering(r.get("label") for r in rows if r.get("label") not in ("", None) and not label_names)
    for i, r in enumerate(rows):
        if bins is not None:
            score = label_score(r.get("score"))
            if score is not None:
                y.append(labels.index(bin_score(score, bins)))
            else:
                left_out[i] = (f"Row {i + 1}{row_named(r)} has no score (needed with --bins)." if r.get("score") in (
                    "", None) else f"Row {i + 1}{row_named(r)}: the score '{r['score']}' is not a number.")
        elif r.get("label") in ("", None):
            left_out[i] = f"Row {i + 1}{row_named(r)} has no label (or give --bins to bin a numeric score column)."
        else:
            try:
                named = named_label(r["label"], label_names or {})  # FER2013's codes as the names given them
                y.append(labels.index(map_label(named, label_set, numbering)))
            except InputError as exc:  # which row: a manifest of thousands is fixed by its line
                left_out[i] = f"Row {i + 1}{row_named(r)}: {exc}"
    return labels, y, left_out


def stratified_split(y: Sequence[int], frac: float, seed: int) -> tuple[list[int], list[int]]:
    """(train indices, held-out indices): ``frac`` of every class held out, seeded."""
    rng = random.Random(seed)
    train, test = [], []
    for c in sorted(set(y)):
        idx = [i for i, v in enumerate(y) if v == c]
        rng.shuffle(idx)
        k = int(round(len(idx) * frac))
        test += idx[:k]
        train += idx[k:]
    return sorted(train), sorted(test)



@dataclass
class Split:
    """Row indices of the three parts: fit on ``train``, pick the epoch on ``val``, report on ``test``."""

    train: list[int]
    val: list[int]
    test: list[int]


TEST_PARTS = ("test", "heldout", "held-out")
VAL_PARTS = ("valid", "validation", "val", "dev")  # CMU-MOSI's and CH-SIMS's "mode" column says "valid"


def split_rows(rows: Sequence[dict], y: Sequence[int], test_size: float, val_size: float, seed: int) -> Split:
    """Held-out rows: a ``split`` column (train / valid / test) wins, else ``test_size`` of every class, seeded.

    Rows the split column calls valid (validation, val, dev) pick the best epoch; without them ``val_size`` of the
    remaining training rows (stratified, seed + 1) do, and 0 keeps them all for training.
    """
    part = [str(r.get("split") or "").strip().lower() for r in rows]
    if any(part):
        test_idx = [i for i, p in enumerate(part) if p in TEST_PARTS]
        val_idx = [i for i, p in enumerate(part) if p in VAL_PARTS]
        if val_idx:
            return Split([i for i, p in enumerate(part) if p not in TEST_PARTS + VAL_PARTS], val_idx, test_idx)
        held = set(test_idx)
        train_all = [i for i in range(len(rows)) if i not in held]
    else:
        train_all, test_idx = stratified_split(y, test_size, seed)
    tr_y = [y[i] for i in train_all]
    sub_train, sub_val = stratified_split(tr_y, val_size, seed + 1) if val_size > 0 else (
        list(range(len(train_all))), [])
    return Split([train_all[i] for i in sub_train], [train_all[i] for i in sub_val], test_idx)


__all__ = ["EMOTION7", "LABEL_SETS", "Split", "bin_score", "fetched", "labelled_rows", "map_label", "parse_bins",
           "read_manifest", "row_labels", "row_named", "split_rows", "stratified_split"]
