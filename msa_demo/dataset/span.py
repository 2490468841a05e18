"""A manifest row's span: its ``start`` and ``end`` columns (seconds; ``--columns start=...,end=...`` maps a set's
own), the segment of a full video or recording that the row's text and label are about (CMU-MOSEI's layout). Just
before the row is read, each of its files whose kind runs in time (``ModalityKind.segment``: the clip, the sound)
is cut to that span, into a private temporary folder, and the cut is what the row's readers see: the model's own
limit (30 s) then applies within the span, and the row's notices say which span of how long a file was read.

A span the row's values cannot give (not a number, negative, an end not after its start) or its file does not hold
(past its end) is the row's one-line error; a span on a row with nothing to cut (its text alone) is said in its
notices and, once, by the run (``BatchSummary.span_unused``), not dropped without a word.

A single clip given to ``predict`` or ``explain`` is cut the same way by their ``--start`` / ``--end`` flags
(:data:`CLIP_SPAN`, declared once, in ``config``; ``by_flags``: the notice names the file and the flags), and ``train``
cuts a manifest row's files to its span as explain-batch does, so that a head learns from what a prediction reads.
"""

from __future__ import annotations

import contextlib
import math
import shutil
import tempfile
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

from msa_demo import registry
# a single clip's span (--start / --end; the JSON endpoints' start / end): declared on the ground floor, which the
# command line's early check reads before torch
from msa_demo.config import CLIP_END, CLIP_SPAN, CLIP_START  # noqa: F401
from msa_demo.errors import InputError, SpanError

SPAN_NOT_A_NUMBER = "The row's {which} '{value}' is not a number of seconds."
SPAN_NEGATIVE = "The row's start ({start} s) is negative: a span starts at 0 s or later."
SPAN_BACKWARDS = "The row's end ({end} s) is not after its start ({start} s)."
# a row with a span and no clip or sound (used) to cut: its notice
SPAN_NOT_USED = "Start/end: the row has no clip or sound to cut, so its span {span} was not used."


def given(start: Any, end: Any) -> tuple[Any, Any] | None:
    """The row's (start, end) cells as given, None when neither is."""
    blank = [v is None or (isinstance(v, float) and math.isnan(v)) or str(v).strip() == "" for v in (start, end)]
    return None if all(blank) else (None if blank[0] else start, None if blank[1] else end)


def seconds(span: tuple[Any, Any]) -> tuple[float, float | None]:
    """(start, end) in seconds from the cells as given (start: 0 when not given; end: None, the file's end), or
    the row's one line (:data:`SPAN_NOT_A_NUMBER`, :data:`SPAN_NEGATIVE`, :data:`SPAN_BACKWARDS`)."""
    out: list[float | None] = []
    for which, value in zip(("start", "end"), span):
        if value is None:
            out.append(None)
            continue
        try:
            number = float(str(value).strip())
        except ValueError:
            number = math.nan
        if not math.isfinite(number):
            raise SpanError(SPAN_NOT_A_NUMBER.format(which=which, value=str(value).strip()[:40]))
        out.append(number)
    start, end = out
    start = 0.0 if start is None else start
    if start < 0:
        raise SpanError(SPAN_NEGATIVE.format(start=f"{start:g}"))
    if end is not None and end <= start:
        raise SpanError(SPAN_BACKWARDS.format(end=f"{end:g}", start=f"{start:g}"))
    return start, end


def shown(span: tuple[Any, Any]) -> str:
    """The span as the manifest gives it, for a notice: "45-55 s", "45 s to the end"."""
    start, end = (str(v).strip() if v is not None else None for v in span)
    return f"{start or 0}-{end} s" if end is not None else f"{start} s to the end"


def timed(values: dict[str, Any], use: Sequence[str] | None = None) -> list[str]:
    """The modalities among ``values`` (given, and used) whose kind cuts a span (``ModalityKind.segment``)."""
    return [k.name for k in registry.kinds() if k.segment is not None and values.get(k.name) not in (None, "")
            and (use is None or k.name in use)]


@contextlib.contextmanager
def cut_to_span(values: dict[str, Any], span: tuple[Any, Any] | None, use: Sequence[str] | None = None,
                unreadable: Callable[[str, InputError], str] | None = None, by_flags: bool = False
                ) -> Iterator[tuple[dict[str, Any], list[str]]]:
    """(the row's values with each local file of a timed kind cut to ``span``, the notices that say so); the cuts
    live in a private temporary folder, removed on exit. No span: the values as they are. A span with nothing to
    cut: the values as they are and :data:`SPAN_NOT_USED`. A file that cannot be read at all is left out of the
    values, ``unreadable(modality, its error)`` its notice (none: its error is the row's), unless nothing is left:
    then its error is the row's. ``by_flags``: a single clip's --start / --end (:data:`CLIP_SPAN`), said so."""
    if span is None:
        yield values, []
        return
    start, end = seconds(span)
    which = timed(values, use)
    if not which:
        yield values, [SPAN_NOT_USED.format(span=shown(span))]
        return
    folder = Path(tempfile.mkdtemp(prefix="msa_span_"))
    try:
        out, said = dict(values), []
        for m in which:
            place = folder / m
            place.mkdir()
            try:
                cut = registry.get(m).segment
                out[m], notice = (cut(str(values[m]), start, end, place, by_flags=True) if by_flags
                                  else cut(str(values[m]), start, end, place))
            except SpanError:
                raise
            except InputError as exc:  # a file that cannot be read at all: left out, said, as its reader's refusal is
                del out[m]
                if unreadable is None or not any(v not in (None, "") for v in out.values()):
                    raise
                notice = unreadable(m, exc)
            said.append(notice)
        yield out, said
    finally:
        shutil.rmtree(folder, ignore_errors=True)


__all__ = ["CLIP_END", "CLIP_SPAN", "CLIP_START", "SPAN_BACKWARDS", "SPAN_NEGATIVE", "SPAN_NOT_A_NUMBER", "SPAN_NOT_USED", "cut_to_span", "given", "seconds",
           "shown", "timed"]
