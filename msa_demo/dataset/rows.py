"""One manifest row in, one flat results row out: the row's id and input hashes, and the record of its explanation.

A results row is plain data (str / float / bool / lists of small dicts) with the columns of
:func:`msa_demo.dataset.columns.schema`, so the
same dict goes to the JSONL log, to ``results.parquet`` and to the report.
"""

from __future__ import annotations

import dataclasses
import json
from itertools import combinations
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

from msa_demo import registry
from msa_demo.config import SENTIMENTS
from msa_demo.dataset.columns import (LABEL_NOT_USED, TOP_AT, hash_column, interaction_column, modalities, prob_column, safe_name,
                                      sha16, shapley_column, top_lists, value_digest)
from msa_demo.dataset.manifest import foreign_windows_path, label_hint, missing_files, read_manifest, text_hint
from msa_demo.dataset.media import local_files, shipped
from msa_demo.dataset.rowmap import text_start
from msa_demo.dataset.span import cut_to_span, given as span_given
from msa_demo.errors import InputError, MsaError
from msa_demo.labels import NAMED, SCALED, label_numbering, label_scale, label_score, map_label, named_label

log = logging.getLogger(__name__)


@dataclass
class ManifestRow:
    """One input of the set: its id, its raw values by modality name (text as text; a file path, a URI or a
    :class:`~msa_demo.dataset.media.Blob` of bytes for a file kind: ``ModalityKind.manifest_file``; another
    kind's value as the manifest holds it) and its label if any. ``row.text``, ``row.video``, ...: the value of
    that registered modality (None when not given)."""

    index: int  # 0-based position in the manifest
    id: str
    values: dict[str, Any]
    label: str | None
    label_notice: str | None = None
    label_given: str | None = None  # the label as the manifest gives it ("0", "pos", "happy")
    # how the label column's numbers were read, when this one is a number read ("0 / 1", "scores -3 to 3": the whole
    # column's, ``labels.label_numbering``; a split's or the first rows' numbers alone may say otherwise)
    label_read_as: str | None = None
    left_out: dict[str, str] = field(default_factory=dict)  # {modality: why its file is not read} (:func:`left_out`)
    group: str | None = None  # the manifest's ``group`` column (``--columns group=notes``): the report's slices by it
    # the manifest's ``start`` / ``end`` cells as given (seconds; None: no span): its clip and sound are cut to that
    # span before they are read (``dataset.span``: MOSEI's segments of a full video)
    span: tuple[Any, Any] | None = None
    _hashes: dict | None = field(default=None, repr=False, compare=False)

    def __getattr__(self, name: str) -> Any:
        # only reached for a name that is not a field: a registered modality's value
        if name.startswith("_") or name == "values" or name not in registry.names():
            raise AttributeError(name)
        return self.values.get(name)

    def hashes(self) -> dict[str, str | None]:
        """``<modality>_sha256`` of each registered modality: sha256 (first 16 hex digits) of its text, of its
        file's bytes (a URI: of its text, see :func:`~msa_demo.dataset.media.digest`) or of its value's JSON; None
        when absent or unreadable. Read once per row (the files are not read again for the results row)."""
        if self._hashes is None:
            self._hashes = {hash_column(m): value_digest(m, self.values.get(m)) for m in modalities()}
            if self.span is not None:  # a clip read over another span is another input: its row runs again
                from msa_demo.dataset.span import timed

                for m in timed(self.values):
                    if self._hashes[hash_column(m)] is not None:
                        self._hashes[hash_column(m)] = sha16(
                            f"{self._hashes[hash_column(m)]}@{self.span[0]}-{self.span[1]}".encode("utf-8"))
        return dict(self._hashes)

    def files(self) -> dict[str, Any]:
        """The values of the file kinds (paths, URIs, Blobs)."""
        return {k.name: self.values[k.name] for k in registry.kinds() if k.manifest_file and k.name in self.values}

    def shipped(self) -> "ManifestRow":
        """This row as it leaves the driver for another node: local files read into Blobs (hashes kept)."""
        return dataclasses.replace(self, values={**self.values, **{m: shipped(v) for m, v in self.files().items()}},
                                   _hashes=self.hashes())




def manifest_rows(path: str | Path, limit: int | None = None,
                  columns: dict[str, str] | None = None) -> list[ManifestRow]:
    """The manifest's rows (``train``'s reader: CSV, JSONL, Parquet or a saved datasets folder; paths relative to
    it), each with a unique id; ``columns`` maps the set's own column names (``read_manifest``).

    The id is the ``id`` column when present, else ``row-00001`` by position. An unknown label keeps the row
    (explained without a label, with a notice)."""
    return read_rows(path, limit, columns)[0]


def unique_ids(ids: list[str]) -> list[str]:
    """``ids`` with a later row whose id repeats an earlier one's renamed 'id#2', 'id#3' ... (a set's own ids
    repeat: Sentiment140's tweet ids), '#' added while that name is taken too; "" (no id) left as it is. One rule
    for explain-batch (``read_rows``) and train, said by ``report.ids_repeated``."""
    seen: dict[str, int] = {}
    out = []
    for rid in ids:
        if rid and rid in seen:
            seen[rid] += 1
            rid = f"{rid}#{seen[rid]}"
            while rid in seen:
                rid += "#"
        if rid:
            seen[rid] = 1
        out.append(rid)
    return out


def read_rows(path: str | Path, limit: int | None = None, columns: dict[str, str] | None = None,
              split: str | None = None, encoding: str | None = None,
              label_names: dict[str, str] | None = None, media_folder: Path | None = None,
              scale: str | None = None) -> tuple[list[ManifestRow], str]:
    """:func:`manifest_rows`, and the line that names a column looking like the labels when no row has a label
    (``manifest.label_hint``: the set's 'sentiment' not mapped), "" otherwise. ``split``: only the rows whose
    split column says it (CMU-MOSI's test rows), before ``limit``; their ids stay the manifest's. ``encoding``: a
    text manifest's when not UTF-8 (``read_manifest``); ``label_names``: the label column's numbers as names
    (``labels.parse_label_names``: FER2013's emotion codes); ``media_folder``: where relative media paths are
    read from, when not the manifest's folder (``read_manifest``); ``scale``: the scale of the label column's scores
    (``--label-scale``: mosi, sims; None or auto: told from the scores, ``labels.label_numbering``)."""
    said_scale = label_scale(scale)  # a scale it does not know: one line, before the manifest is read
    raw = read_manifest(path, blobs=True, columns=columns, encoding=encoding, media_folder=media_folder)
    if not raw:
        raise InputError(f"The manifest '{Path(path).name}' holds no rows.")
    numbering = said_scale or label_numbering(r.get("label") for r in raw
                                              if r.get("label") not in (None, "") and not label_names)
    rows: list[ManifestRow] = []
    rids = unique_ids([str(r.get("id") or "").strip() or f"row-{i + 1:05d}" for i, r in enumerate(raw)])
    for i, (r, rid) in enumerate(zip(raw, rids)):
        label, notice = None, None
        if r.get("label") not in (None, ""):
            try:
                named = named_label(r["label"], label_names or {})  # FER2013's codes as the names given them
                label = map_label(named, "3", numbering)
            except InputError as exc:
                notice = f"{LABEL_NOT_USED}: {exc}"
        values = {m: r[m] for m in modalities() if r.get(m) is not None}
        if "text" in values:
            values["text"] = str(values["text"])
        given = None if r.get("label") in (None, "") else str(r["label"]).strip()
        numbered = label is not None and label_score(given) is not None
        read_as = ((NAMED if label_names else f"{SCALED} {scale.strip().lower()}" if said_scale else numbering)
                   if numbered else None)
        group = None if r.get("group") in (None, "") else " ".join(str(r["group"]).split()) or None
        rows.append(ManifestRow(i, rid, values, label, notice, given, read_as, group=group,
                                span=span_given(r.get("start"), r.get("end"))))
    names = {safe_name(r.id) for r in rows}
    if len(names) < len(rows):
        raise InputError("Two row ids map to the same file name (ids differ only in punctuation); rename one.")
    found = dict.fromkeys(k for r in raw for k in r)
    hint = "" if any(r.label_given for r in rows) else label_hint(found)
    hint = " ".join(h for h in (hint, text_hint(found)) if h)  # the set's 'caption' not mapped: said, as the labels
    if split is not None:
        rows = _in_split(rows, raw, split, Path(str(path)).name)
    return (rows[:limit] if limit else rows), hint


def _in_split(rows: list[ManifestRow], raw: list[dict], split: str, name: str) -> list[ManifestRow]:
    """The rows whose ``split`` is ``split`` (any case); a split no row has, or no split column, is one line."""
    parts = [str(r.get("split") or "").strip() for r in raw]
    if not any(parts):
        raise InputError(f"The manifest '{name}' has no split column for --split (map one: --columns split=mode).")
    kept = [row for row, part in zip(rows, parts) if part.lower() == split.strip().lower()]
    if not kept:
        raise InputError(f"No row of the manifest '{name}' is in the split '{split}' (its splits: "
                         f"{', '.join(dict.fromkeys(p for p in parts if p))}).")
    return kept


def empty_record(row: ManifestRow) -> dict[str, Any]:
    """A results row with every column present (None / empty where nothing is known yet)."""
    names = modalities()
    rec: dict[str, Any] = {"index": row.index, "id": row.id, **row.hashes(), "label": row.label,
                           "label_given": row.label_given, "label_read_as": row.label_read_as, "predicted": None,
                           "too_close": None, "target": None, "used": [], "not_read": []}
    for s in SENTIMENTS:
        rec[f"prob_{s}"] = None
    for m in names:
        for s in SENTIMENTS:
            rec[prob_column(m, s)] = None
    for m in names:
        rec[shapley_column(m)] = None
    for a, b in combinations(names, 2):
        rec[interaction_column(a, b)] = None
    rec.update(conflict=None, conflict_detail=None, language=None, outside_languages=[],
               text_start=text_start(row.values.get("text")), text=text_kept(row.values.get("text")), heard=None,
               group=row.group)
    rec.update({column: [] for column in top_lists().values()})
    rec[TOP_AT] = []
    rec.update(fused_features=None, maps=[], unfaithful=False, forward_passes=None, seconds=None,
               notices=[row.label_notice] if row.label_notice else [], error=None, explanation=None)
    return rec


TEXT_KEPT = 2000  # characters of a row's text its results row keeps (results.csv's "which posts" column)
TEXT_CUT = " […cut: the first {kept:,} of {n:,} characters]"


def text_kept(text: Any, n: int = TEXT_KEPT) -> str | None:
    """A row's text as its results row keeps it: whole up to ``n`` characters, else its first ``n`` and a clear
    mark of the cut (:data:`TEXT_CUT`); None without text. ``text_start`` (80 characters) had been all that was kept:
    "which posts did it call negative?" could not be answered from the results."""
    if not isinstance(text, str) or not text.strip():
        return None
    return text if len(text) <= n else text[:n] + TEXT_CUT.format(kept=n, n=len(text))


def _top(m: dict, k: int) -> list[dict[str, Any]]:
    pairs = sorted(zip(m.get("labels") or [], m.get("scores") or []), key=lambda p: -abs(float(p[1] or 0.0)))
    return [{"label": str(lbl), "score": float(s or 0.0)} for lbl, s in pairs[:k]]


def heard_text(exp: dict[str, Any]) -> str | None:
    """What speech recognition heard in the row (its audio, or its video's sound track), whole: the voice model's
    transcript (lite), else the words said in the clip that were read as the text (a Hub preset: the text the clip
    brought, ``text_carried_by``); None when nothing was transcribed. The dashboard showed it, the results did not
    (``text_start`` is empty for a clip's row)."""
    reading = (exp.get("reading") or {}).get("audio") or {}
    if isinstance(reading.get("transcript"), str):
        return reading["transcript"]
    inputs = exp.get("inputs") or {}
    if inputs.get("text_carried_by") and isinstance(inputs.get("text"), str):
        return inputs["text"]
    return None


def top_at(m: dict[str, Any]) -> float | None:
    """Where the strongest part of a map over a clip's time segments (its ``segment_seconds``: video moments, the
    sound's segments; recognised words are not) falls: its middle as a share of the clip's length (the last
    segment's end), 0 its start, 1 its end; None for any other map, or one whose parts all scored 0."""
    spans, scores = m.get("spans") or [], m.get("scores") or []
    if "segment_seconds" not in (m.get("params") or {}) or not spans or len(spans) != len(scores):
        return None
    length = max(float(b) for _a, b in spans)
    if length <= 0:
        return None
    strongest = max(range(len(scores)), key=lambda i: abs(float(scores[i] or 0.0)))
    if not float(scores[strongest] or 0.0):  # no part moved the verdict: none is the strongest
        return None
    a, b = spans[strongest]
    return min(1.0, max(0.0, (float(a) + float(b)) / 2 / length))


def record_of(row: ManifestRow, exp: dict[str, Any], top_k: int = 5) -> dict[str, Any]:
    """The results row of one explanation (``Explanation.to_dict()``)."""
    from msa_demo.views.story import failed_checks, near_tie, outside_languages, trust_rows

    rec = empty_record(row)
    pred = exp.get("prediction") or {}
    # the dashboard's near-tie rule: its "Too close to call: positive 37.4 % vs neutral 34.4 %" had been a plain
    # "positive" here, counted as any other verdict and impossible to leave out
    rec.update(predicted=pred.get("label"), too_close=near_tie(pred) if pred.get("probs") else None,
               heard=text_start(heard_text(exp)), target=exp.get("target"), used=list(pred.get("used") or []),
               fused_features=list(pred.get("fused_features") or []) or None)
    for s, p in (pred.get("probs") or {}).items():
        rec[f"prob_{s}"] = p
    for m, mp in (pred.get("modalities") or {}).items():
        for s, p in (mp.get("probs") or {}).items():
            rec[prob_column(m, s)] = p
    mc = exp.get("modalities") or {}
    for m, v in (mc.get("shapley") or {}).items():
        rec[shapley_column(m)] = v
    for key, v in (mc.get("interactions") or {}).items():
        a, _, b = key.partition("×")
        rec[interaction_column(a, b)] = v
    if mc:
        rec.update(conflict=bool(mc.get("conflict")), conflict_detail=mc.get("conflict_detail") or None)
    reading = exp.get("reading") or {}
    # the language of the first modality (in registry order) whose reading names one: the text's, else the speech's
    rec["language"] = next((r["language"] for m in modalities() if isinstance(r := reading.get(m), dict)
                            and r.get("language")), None)
    # the modalities whose words (all or a substantial part) are in a language their model was not trained on: the
    # report marks their slices, as each row's notice says "its verdict on this text is not reliable"
    rec["outside_languages"] = outside_languages(reading, pred)
    first: dict[str, dict] = {}
    for m in exp.get("maps") or []:
        first.setdefault(m.get("modality"), m)
    for modality, column in top_lists().items():
        if modality in first:
            rec[column] = _top(first[modality], top_k)
            if (at := top_at(first[modality])) is not None:
                rec[TOP_AT].append({"modality": modality, "at": at})
    for m, verdict, why in zip(exp.get("maps") or [], trust_rows(exp), failed_checks(exp)):
        f = m.get("faithfulness") or {}
        # why: the dashboard's sentence for each check the map fails (its ✗), so the report says the same reason
        rec["maps"].append({"modality": m.get("modality"), "method": m.get("method"), "verdict": verdict["mark"],
                            "aopc": f.get("aopc"), "aopc_random": f.get("aopc_random"), "delta": m.get("delta"),
                            "sanity_spearman": f.get("sanity_spearman"), "why": why})
    rec["unfaithful"] = any(m["verdict"] == "✗" for m in rec["maps"])
    cost = exp.get("cost") or {}
    rec.update(forward_passes=cost.get("forward_passes"), seconds=cost.get("seconds"))
    rec["notices"] = rec["notices"] + [n for n in list(pred.get("notices") or []) + list(exp.get("notices") or [])
                                       if n not in rec["notices"]]
    return rec


__all__ = ["ManifestRow", "empty_record", "explain_row", "explanation_text", "heard_text", "top_at", "manifest_rows", "one_line", "read_rows",
           "unique_ids",
           "model_record", "record_of", "safe_name"]


def model_record(model) -> dict[str, Any]:
    """What a results folder keeps of the model its rows were explained with (``MODEL``): its preset as the app's
    header names it, the fusion that served (a trained head gives way to late fusion where a stand-in serves one of
    its modalities), and how loading went (``model.notices``), each line once."""
    return {"preset": model.preset.name, "fusion": str(model.fusion.describe().get("kind") or ""),
            "notices": list(dict.fromkeys(getattr(model, "notices", None) or []))}

def explanation_text(data: dict[str, Any]) -> str:
    """A row's explanation as the JSON file holds it: compact (no indentation: the image heat maps' 256 x 256
    cells are most of the file, and one line each nearly doubled it), every value kept, so ``explain --from``
    and the dashboard read it as before."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def one_line(exc: BaseException) -> str:
    """A row's error as one line: the message of our errors as it is; anything else named by its type."""
    if isinstance(exc, MsaError):
        text = str(exc)
    else:
        text = f"The explanation failed ({type(exc).__name__}: {exc})."
    return " ".join(text.split())[:500]


MISSING_FILE = "{kind}: no file at '{path}', so the row was explained without it."
WINDOWS_PATH = ("{kind}: '{path}' is a Windows path of another computer, so the row was explained without it; write "
                "the path relative to the manifest's folder (images/a.png), which works everywhere.")
CASE_DIFFERS = ("{kind}: no file at '{path}'; '{there}' is there: the case differs. The row was explained without it; "
                "write the name as the file has it.")
UNREADABLE = "{kind}: could not be read ({why}), so the row was explained without it."
OUTSIDE = ("{kind}: '{path}' is outside the dashboard's data folder, so it was not read; put it inside that folder "
           "to use it.")
# the advice a manifest row's file gets where an upload gets "Choose the clip again." (``inputs.UPLOAD_AGAIN``)
ROW_AGAIN = " Replace the file, or the manifest's path to it."
# a value that reads as nothing (a text of spaces, or of markup or control characters alone): the row was listed as
# "explained without an input it names" with no notice saying why
EMPTY = "{kind}: empty (only spaces, markup or invisible characters), so the row was explained without it."
LINK = ("{kind}: the link '{link}' was not fetched (the dashboard reads only files in its data folder); explain-batch "
        "on the command line reads links.")  # (as OUTSIDE, a row's error too when it is its only input)


def where(value: str) -> Path | str:
    """What reading a row's file value opens: a local path (a ``file://`` URI read as fsspec reads it, which is how
    the row's file will be read: ``file://localhost/x`` is relative to the working folder, ``%20`` kept), or the
    link as written (``https://``, ``s3://`` ...; a ``file://`` that fsspec cannot read stays a link: reading it
    fails the same way)."""
    from msa_demo.dataset.media import filesystem, is_uri

    if not is_uri(value):
        return Path(value)
    if value.lower().startswith("file://"):
        try:
            return Path(filesystem(value)[1])
        except InputError:
            return value
    return value


def left_out(rows: list[ManifestRow], readable: Callable[[Path | str], bool]) -> list[ManifestRow]:
    """The rows without the files that ``readable`` refuses (the Dataset tab: a file outside its data folder, a link
    it does not fetch), never read, not even hashed: each row is explained from its other inputs and says which file
    was left out, as of a missing one. ``readable`` is given what reading the value opens (:func:`where`): a local
    path, or a link as written."""
    out = []
    for row in rows:
        refused = {}
        for m, v in row.files().items():
            if not isinstance(v, str) or foreign_windows_path(v) or readable(target := where(v)):
                continue
            refused[m] = (OUTSIDE.format(kind=m.capitalize(), path=target.name) if isinstance(target, Path)
                          else LINK.format(kind=m.capitalize(), link=target[:120]))
        out.append(dataclasses.replace(row, values={m: v for m, v in row.values.items() if m not in refused},
                                       left_out=refused, _hashes=None) if refused else row)
    return out


def read_what_can_be(model, values: dict[str, Any]) -> tuple[Any, list[str]]:
    """(the row's inputs, a notice for each that could not be read): a damaged picture (a text saved as .png)
    failed the whole row while its text was fine, where a missing one is left out. Each input is read on its own
    once one fails; an input that cannot be read is left out and said. None is left out when none can be read:
    the row's error says why then."""
    try:
        return model.read_inputs(**values), []
    except InputError as whole:
        kept, said = {}, []
        for m, v in values.items():
            try:
                model.read_inputs(**{m: v})
                kept[m] = v
            except InputError as exc:
                said.append(UNREADABLE.format(kind=m.capitalize(), why=in_a_row(str(exc)).rstrip(".")))
        if not said or all(v in (None, "") for v in kept.values()):
            raise InputError(in_a_row(str(whole))) from None
        return model.read_inputs(**kept), said


def unreadable(modality: str, exc: Exception) -> str:
    """The notice of a row's file that could not be read (:data:`UNREADABLE`)."""
    return UNREADABLE.format(kind=modality.capitalize(), why=in_a_row(str(exc)).rstrip("."))


def in_a_row(message: str) -> str:
    """A reader's message as a manifest row's: an upload's advice (``inputs.UPLOAD_AGAIN``) as what to change in
    the set (:data:`ROW_AGAIN`)."""
    from msa_demo.inputs import UPLOAD_AGAIN

    upload = re.escape(UPLOAD_AGAIN).replace(re.escape("{what}"), r"\w+")
    return re.sub(upload + "$", ROW_AGAIN, message)


def without_missing_files(values: dict[str, Any], use: Sequence[str] | None = None) -> tuple[dict[str, Any], list[str]]:
    """(the row's values without the local files that are not there, a notice for each): a MELD row whose clip is
    missing is explained from its words, as ``train`` reads it; a modality ``use`` leaves out is dropped without a
    word. A row left with no input keeps its paths: reading them says what is missing."""
    gone = list(missing_files([values]))  # the one check of a local path that names no file (``train``'s too)
    unused = [m for m in gone if use is not None and m not in use]
    said = [m for m in gone if m not in unused]
    kept = {m: v for m, v in values.items() if m not in gone}
    if said and not any(kept.get(m) not in (None, "") for m in registry.names() if use is None or m in use):
        return {m: v for m, v in values.items() if m not in unused}, []
    return kept, [missing_file(m, values[m]) for m in said]


def missing_file(modality: str, value: str) -> str:
    """The notice of a row's file that is not there: a Windows path of another computer as the manifest wrote it
    (shortened: 'C:\\…\\election\\images\\post_104.png'), joined to the manifest's folder it had been said as a path
    that was there; a file whose name differs only in case beside it named ('post_089.png' for 'Post_089.PNG')."""
    from msa_demo.inputs import shown_path

    kind = modality.capitalize()
    if foreign_windows_path(value):
        parts = [p for p in re.split(r"[\\/]", value) if p]
        head = value[:2] + "\\" if value[1:2] == ":" else "\\\\"
        shown = value if len(parts) <= 4 else head + "…\\" + "\\".join(parts[-3:])
        return WINDOWS_PATH.format(kind=kind, path=shown)
    path = Path(value)
    try:
        same = sorted(p.name for p in path.parent.iterdir() if p.name.lower() == path.name.lower() and p.is_file())
    except OSError:
        same = []
    if same:
        return CASE_DIFFERS.format(kind=kind, path=shown_path(path), there=same[0])
    return MISSING_FILE.format(kind=kind, path=shown_path(path))


def explain_row(model, row: ManifestRow, options, target: str | None = None, use: Sequence[str] | None = None,
                top_k: int = 5, face_anyway: bool = False) -> tuple[dict[str, Any], Any]:
    """(results row, the explanation as a dict or None): a bad input gives a row with its ``error`` and no
    explanation. A picture whose face model finds no face is not used, as on the dashboard (the prediction's own
    ``model.face_check``): the face model abstains (``face_anyway``: read it as a face all the same)."""
    from msa_demo.errors import NoFace
    from msa_demo.explain import explain

    try:
        values, gone = without_missing_files(row.values, use)
        refused = [why for m, why in row.left_out.items() if use is None or m in use]
        gone = refused + gone
        with local_files(**{m: v for m, v in row.files().items() if m in values}) as files, \
                cut_to_span({**values, **files}, row.span, use, unreadable) as (values, cut):  # Blobs and URIs as files, for this
            inputs, unread = read_what_can_be(model, values)  # row; its clip and sound cut to its span
            gone = cut + gone + unread
            if not inputs.present():
                if refused:  # its one file was not read: that is why
                    raise MsaError(" ".join(refused))
                raise MsaError(f"The row has no input: give at least one of {registry.choices('or')}.")
            try:
                exp = explain(model, inputs, target=target, use=use, options=options, abstained=[],
                              face_anyway=face_anyway)
            except NoFace as exc:  # a faceless picture alone: its row's one line (the run's switch is its own)
                raise MsaError(exc.said("")) from None
            exp.notices.extend(gone)
            # the inputs it names (a file, a link) that were left out: missing, unreadable, refused
            not_read = [m for m in registry.names() if (use is None or m in use) and m not in inputs.present()
                        and (row.values.get(m) not in (None, "") or m in row.left_out)]
            # one that no notice names read as nothing (a text of spaces): said, as a missing file is
            exp.notices.extend(EMPTY.format(kind=m.capitalize()) for m in not_read
                               if not any(str(n).startswith(f"{m.capitalize()}:") for n in exp.notices))
    except Exception as exc:  # noqa: BLE001 - one bad row never stops the run
        if not isinstance(exc, MsaError):
            log.warning("row %s failed", row.id, exc_info=True)
        rec = empty_record(row)
        rec["error"] = one_line(exc)
        return rec, None
    data = exp.to_dict()  # once: the row and the saved JSON both read it
    return {**record_of(row, data, top_k), "not_read": not_read}, data
