"""Read a manifest: one row per item, a column per registered modality named after it (``text``; ``image``,
``audio``, ``video`` and any kind with ``manifest_file`` as file paths), optional ``id``, ``label``, ``score``,
``split``, ``group``. The one reader of ``train`` and ``explain-batch``.

Four formats, told apart by the path:

    *.csv (or any other file)   a header line, then one row per line (fields split by commas, or by the
                                semicolons or tabs of a spreadsheet's export, or by pipes or @ signs when they
                                split the first rows alike); UTF-8, or UTF-16 / UTF-32 with a byte-order mark
                                (a spreadsheet's "Unicode text"); or fastText's "__label__2 text" lines
    *.jsonl / *.json            one JSON object per line (a .json file may also hold one array of objects)
    *.parquet / *.pq            a Parquet table (read with pyarrow)
    a folder                    a Hugging Face ``datasets`` folder written by ``Dataset.save_to_disk`` (its Arrow
                                files, read with pyarrow: the ``datasets`` package is not needed); a
                                ``DatasetDict`` folder gives every split, each row with its ``split``

File paths are relative to the folder the manifest (file or dataset folder) sits in. An ``image`` / ``audio``
column of ``datasets``' ``Image()`` / ``Audio()`` features (or any Parquet struct of ``bytes`` and ``path``) works
too: embedded bytes are written once to a cache folder (named by their hash) and read from there; a feature with
only a path is a path. An ``image`` cell of N×N whitespace-separated values 0-255 (FER2013's ``pixels``: 48×48
greyscale; N×N×3 for RGB) is the picture it describes, a PNG handled as such bytes. A ``ClassLabel`` label is read
as its name. Image arrays (``Array3D``) and decoded audio arrays are not read: store paths or encoded bytes.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any, Iterable

from msa_demo.errors import InputError
from msa_demo.registry import kinds, names

PARQUET = (".parquet", ".pq")
# the first bytes of the file types the readers take, for embedded bytes saved without a file name
MAGIC = ((b"\x89PNG", ".png"), (b"\xff\xd8\xff", ".jpg"), (b"GIF8", ".gif"), (b"BM", ".bmp"), (b"RIFF", ".wav"),
         (b"fLaC", ".flac"), (b"OggS", ".ogg"), (b"ID3", ".mp3"), (b"\xff\xfb", ".mp3"), (b"\x1aE\xdf\xa3", ".mkv"))


def _suffix(data: bytes) -> str:
    """A file suffix from the first bytes (MP4/MOV's ``ftyp`` box and AVI's RIFF form are told apart too)."""
    if data[4:8] == b"ftyp":
        return ".mp4"
    if data[:4] == b"RIFF" and data[8:12] == b"AVI ":
        return ".avi"
    return next((ext for magic, ext in MAGIC if data.startswith(magic)), ".bin")


def media_cache() -> Path:
    """Where embedded image / audio bytes are written (``$MSA_MEDIA_CACHE`` or a folder in the temp dir)."""
    return Path(os.environ.get("MSA_MEDIA_CACHE") or Path(tempfile.gettempdir()) / "msa_demo_media")


# columns a manifest may hold besides the modalities' (``--columns`` maps a set's own names onto these)
# (start, end: the seconds of a full clip a row is about, MOSEI's segments; explain-batch cuts the row's clip and sound
# to them, ``dataset.span``)
OWN_COLUMNS = ("id", "label", "score", "split", "group", "start", "end")
# a set's usual names for its text, suggested when a manifest has none of the modalities' columns
TEXT_NAMES = ("sentence", "review", "content", "tweet", "utterance", "comment", "body", "caption", "document",
              "post", "message", "review_text", "reviewtext", "文本", "文字", "内容", "评论", "句子", "微博")


COLUMNS_HELP = ("read the manifest's own column names as ours, such as text=sentence,label=sentiment (names: the "
                "modalities, id, label, score, split, group: a column of your own, such as a topic, that the "
                "report and the Dataset tab slice the set by, as train scores each group; start, end: the seconds of "
                "the row's clip and sound that explain-batch reads, MOSEI's segments); a value with {column} "
                "fields is built from each row, "
                "such as video=Raw/{video_id}/{clip_id}.mp4; a number names a column by its place, from 1 (a CSV "
                "with no header line: text=6,label=1); a dotted name a field of a record column (JSONL objects, "
                "Parquet structs: text=review.body)")

# a set's usual names for its labels, suggested when a manifest has no label column (the Kaggle IMDB set's
# 'sentiment', Yelp's 'stars', Amazon's 'overall', MELD's 'Sentiment' before its 'Emotion')
LABEL_NAMES = ("sentiment", "airline_sentiment", "polarity", "sentiment_label", "stars", "star_rating", "rating",
               "overall", "emotion", "annotation", "class", "target", "labels", "label_text", "标签", "情感", "情绪",
               "极性")


def label_column(columns: Iterable[str]) -> str | None:
    """A column that looks like the labels of a manifest with no ``label`` column (None when it has one)."""
    columns = [str(c) for c in columns]
    if "label" in columns:
        return None
    by_name = {c.strip().lower(): c for c in columns}
    return next((by_name[n] for n in LABEL_NAMES if n in by_name), None)


def text_column(columns: Iterable[str]) -> str | None:
    """A column that looks like the text (``TEXT_NAMES``: 'sentence', 'review' ...) of a manifest with no ``text``
    column (None when it has one, or none looks like it)."""
    columns = [str(c) for c in columns]
    if "text" in columns:
        return None
    by_name = {c.strip().lower(): c for c in columns}
    return next((by_name[n] for n in TEXT_NAMES if n in by_name), None)


# a text column under a name of its own, beside picture or clip columns: its rows had been read without it, the
# rows with nothing else left out ('63 row(s) left out ... has no input') and an image+audio head trained
TEXT_ELSEWHERE = ("The manifest '{name}' has no 'text' column, and its column '{column}' looks like the text: {n} "
                  "row(s) have nothing else to read. Map it: --columns text={column}.")
TEXT_NOT_READ = ("No text was read: the manifest has no 'text' column, and its column '{column}' looks like one; map "
                 "it (--columns text={column}) to read it.")


def text_hint(columns: Iterable[str]) -> str:
    """One line naming the column that looks like the text of a manifest with no text column, "" when none does."""
    found = text_column(columns)
    return TEXT_NOT_READ.format(column=found) if found else ""


def _refuse_text_elsewhere(rows: list[dict], columns: list, name: str) -> None:
    """A manifest with modality columns, but its text in a column of its own name ('sentence'), whose rows with
    nothing but that text would be left out: one line that says how to map it (:data:`TEXT_ELSEWHERE`)."""
    found = text_column(columns)
    if found is None:
        return
    alone = sum(1 for r in rows if _cell(r.get(found) if r.get(found) is not None else "").strip()
                and not any(r.get(m) is not None and _cell(r.get(m)).strip() for m in names()))
    if alone:
        raise InputError(TEXT_ELSEWHERE.format(name=name, column=found, n=alone))


def label_hint(columns: Iterable[str]) -> str:
    """One line naming the column that looks like the labels when no label was read, "" when none does."""
    found = label_column(columns)
    return (f"No label was read: the manifest has no 'label' column, and its column '{found}' looks like one; map it "
            f"(label={found}) to score the set.") if found else ""


def parse_columns(spec: str | None) -> dict[str, str]:
    """``--columns text=sentence,label=sentiment`` as {"text": "sentence", "label": "sentiment"} ({} for none);
    each name on the left a modality or one of ``OWN_COLUMNS``. A value with ``{column}`` fields is built from
    each row's columns: ``video=Raw/{video_id}/{clip_id}.mp4`` (CMU-MOSI's and CH-SIMS's clip folders)."""
    out: dict[str, str] = {}
    for part in (spec or "").split(","):
        if not part.strip():
            continue
        ours, _, theirs = (p.strip() for p in part.partition("="))
        allowed = [*names(), *OWN_COLUMNS]
        if not ours or not theirs:
            raise InputError(f"--columns takes NAME=COLUMN pairs, comma-separated (such as text=sentence); "
                             f"'{part.strip()}' is not one.")
        if ours not in allowed:
            raise InputError(f"--columns maps onto {', '.join(allowed)}; '{ours}' is none of them.")
        if ours in out:
            raise InputError(f"--columns names '{ours}' twice.")
        try:
            _fields(theirs)
        except ValueError:
            raise InputError(f"--columns: '{part.strip()}' is no template (write each column in braces: "
                             "video=Raw/{video_id}/{clip_id}.mp4).") from None
        out[ours] = theirs
    return out


FIELD = re.compile(r"\{([^{}]*)\}")  # a template's {column}: any name between braces ("{Sr No.}" too)


def _fields(value: str) -> list[str]:
    """The columns a ``--columns`` template names ("Raw/{video_id}/{clip_id}.mp4" -> video_id, clip_id); [] for a
    plain column name. ValueError for braces that are no template ("{}", "{a", "a}")."""
    fields = FIELD.findall(value)
    if any(not f.strip() for f in fields) or "{" in FIELD.sub("", value) or "}" in FIELD.sub("", value):
        raise ValueError(value)
    return fields


def _mapped(mapping: dict[str, str]) -> list[str]:
    """The manifest's columns a mapping reads: each plain name, and every column a template names."""
    return [c for theirs in mapping.values() for c in (_fields(theirs) or [theirs])]


def _renamed(rows: list[dict], columns: list, mapping: dict[str, str], name: str) -> tuple[list[dict], list]:
    """The rows with each mapped column under its new name (the mapping's target replaces a column of that
    name), each template filled from the row's columns (left out where one of them is empty); a mapped column
    the manifest does not hold is one line."""
    mapping = _numbered(mapping, columns, name)
    columns = columns + [c for c in dict.fromkeys(_mapped(mapping)) if c not in columns and _dotted(rows, columns, c)]
    missing = [theirs for theirs in _mapped(mapping) if theirs not in columns]
    if missing:
        raise InputError(f"The manifest '{name}' has no column '{missing[0]}' (it has: {_have(columns)}).")
    plain = {ours: theirs for ours, theirs in mapping.items() if not _fields(theirs)}
    built = {ours: theirs for ours, theirs in mapping.items() if ours not in plain}
    back = {theirs: ours for ours, theirs in plain.items()}
    out = []
    for r in rows:
        row = {back.get(k, k): v for k, v in r.items() if (k in back or k not in plain) and k not in built}
        for ours, template in built.items():
            values = {f: r.get(f) for f in _fields(template)}
            if all(v not in (None, "") for v in values.values()):
                row[ours] = FIELD.sub(lambda found: _cell(values[found.group(1)]), template)
        out.append(row)
    kept = [back.get(c, c) for c in columns if (c in back or c not in plain) and c not in built]
    return out, kept + [ours for ours in built if ours not in kept]


def _dotted(rows: list[dict], columns: list, dotted: str) -> bool:
    """Whether ``dotted`` names a field of a record column ("review.body": a JSONL object's, a Parquet struct's), each
    row then holding it under that name (None where its record lacks it). A field no record holds is one line that
    lists the fields they hold."""
    heads = [dotted[:i] for i, ch in enumerate(dotted) if ch == "." and dotted[:i] in columns]
    if not heads:
        return False
    head = heads[-1]
    cells = [r.get(head) for r in rows]
    for depth, field in enumerate(dotted[len(head) + 1:].split(".")):
        records = [c for c in cells if isinstance(c, dict)]
        where = ".".join([head, *dotted[len(head) + 1:].split(".")[:depth]])
        if not records:
            raise InputError(f"The column '{where}' holds no records, so it has no field '{field}'.")
        if not any(field in c for c in records):
            fields = ", ".join(dict.fromkeys(str(k) for c in records for k in c))
            raise InputError(f"The column '{where}' has no field '{field}' (its records' fields: {fields}).")
        cells = [c.get(field) if isinstance(c, dict) else None for c in cells]
    for r, v in zip(rows, cells):
        r[dotted] = v
    return True


def _refuse_records(rows: list[dict], mapping: dict[str, str]) -> None:
    """One line when the text column (or a file column) holds records or lists: a nested JSONL's
    ``text=review`` explained the Python repr of each {"title": ..., "body": ...}. A file column's media feature
    ({"bytes": ..., "path": ...}) is no such record; another kind's value is its own (a signal's list of numbers)."""
    for kind in (k for k in kinds() if k.manifest_file or k.name == "text"):
        ours = kind.name
        if kind.manifest_file:
            odd = [r[ours] for r in rows if isinstance(r.get(ours), list) or isinstance(r.get(ours), dict)
                   and not {"bytes", "path", "array"} & set(r[ours])]
        else:
            odd = [r[ours] for r in rows if isinstance(r.get(ours), (dict, list))]
        if not odd:
            continue
        theirs = mapping.get(ours, ours)
        what = "file paths" if kind.manifest_file else "text"
        records = [c for c in odd if isinstance(c, dict)]
        if not records:
            raise InputError(f"The column '{theirs}' holds lists, not {what}: map a column that holds one "
                             f"{'path' if kind.manifest_file else 'text'} per row.")
        fields = list(dict.fromkeys(str(k) for c in records for k in c))
        texts = [f for f in fields if any(isinstance(c.get(f), str) for c in records)]
        such = max(texts, key=lambda f: (f.lower() in TEXT_NAMES or f.lower() == ours,
                                         sum(len(c.get(f) or "") for c in records if isinstance(c.get(f), str))),
                   default=fields[0])
        raise InputError(f"The column '{theirs}' holds records ({', '.join(fields)}), not {what}: map one of its "
                         f"fields, such as {ours}={theirs}.{such}.")


def _numbered(mapping: dict[str, str], columns: list, name: str) -> dict[str, str]:
    """The mapping with each column named by its number (text=6, {1} in a template) as that column's name, where
    the manifest has no column of that name; a number beyond its columns is one line."""

    def column(theirs: str) -> str:
        if not NUMBER.fullmatch(theirs) or theirs in columns:
            return theirs
        if not 1 <= int(theirs) <= len(columns):
            raise InputError(f"The manifest '{name}' has {len(columns)} columns, so no column {theirs} (--columns "
                             "counts them from 1).")
        return str(columns[int(theirs) - 1])

    return {ours: FIELD.sub(lambda f: "{" + column(f.group(1)) + "}", theirs) if _fields(theirs) else column(theirs)
            for ours, theirs in mapping.items()}


def _own_names(rows: list[dict], columns: list) -> tuple[list[dict], list]:
    """Our own column names written otherwise ("Text", " Label ", "IMAGE": a spreadsheet's headers) read as ours,
    where the manifest has no column of that exact name."""
    ours = {*names(), *OWN_COLUMNS}
    have = set(columns)
    renamed = {c: str(c).strip().lower() for c in columns
               if str(c) not in ours and str(c).strip().lower() in ours and str(c).strip().lower() not in have}
    if len(set(renamed.values())) < len(renamed) or not renamed:  # "Text" and "TEXT" both: neither is guessed
        return rows, columns
    return [{renamed.get(k, k): v for k, v in r.items()} for r in rows], [renamed.get(c, c) for c in columns]


def _have(columns: list, most: int = 12, width: int = 40) -> str:
    """A manifest's column names for a message: at most ``most``, each cut to ``width`` characters."""
    cut = [c if len(c) <= width else c[:width - 1] + "…" for c in map(str, columns[:most])]
    return ", ".join(cut + (["…"] if len(columns) > most else [])) or "no columns"


def _a_row(columns: list) -> bool:
    """Whether column names look like a row of data: a number among them, or a sentence (over 40 characters)."""
    from msa_demo.labels import label_score

    return any(label_score(c) is not None or len(str(c)) > 40 for c in columns)


def _by_number_hint(row: list) -> str:
    """A --columns mapping by number for a file whose first line is a row: the longest field as the text, the first
    small whole number (a class: Sentiment140's 0 / 4, Yelp's 1 / 2) as the label ("text=6,label=1")."""
    from msa_demo.labels import label_score

    text = max(range(len(row)), key=lambda i: len(str(row[i])))
    label = next((i for i, v in enumerate(row) if i != text and label_score(v) is not None
                  and float(label_score(v)).is_integer() and abs(label_score(v)) <= 10), None)
    return f"text={text + 1}" + (f",label={label + 1}" if label is not None else "")


def _cell(value: Any) -> str:
    """A cell as a template writes it: a whole float as its digits (a Parquet 1.0 read from a number column)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_manifest(path: str | Path, blobs: bool = False, columns: dict[str, str] | None = None,
                  encoding: str | None = None, media_folder: Path | None = None) -> list[dict[str, Any]]:
    """Rows of a CSV, JSONL, Parquet or saved ``datasets`` manifest as plain dicts; image/audio paths resolved
    against the manifest's folder (a URI such as ``s3://...`` or ``http://...`` kept as it is), empty cells
    dropped. Embedded bytes (a Parquet binary cell, a ``datasets`` Image()/Audio() feature) become
    :class:`~msa_demo.dataset.media.Blob` values with ``blobs`` (explain-batch: they travel with the row),
    else files in the media cache (train). A manifest that cannot be read, or that has none of the columns
    text, image, audio, is one :class:`InputError`.

    ``path`` may be a URI (``s3://bucket/m.parquet``, ``https://host/m.jsonl``: a file, read through fsspec);
    its relative media paths are then URIs beside it. ``columns`` ({"text": "sentence"}, :func:`parse_columns`)
    reads a set's own column names as the modalities' (and id, label, score). ``encoding``: a CSV's or JSONL's
    when not UTF-8 (``--encoding cp1252``; a byte-order mark still wins), never guessed. ``media_folder``: the
    folder a local manifest's relative media paths are read from, when not its own (the Dataset tab's upload,
    which sits in a temporary folder: its paths are the data folder's)."""
    from msa_demo.dataset.media import is_uri

    check_encoding(encoding)
    if is_uri(path) and not str(path).lower().startswith("file://"):
        return _read_remote(str(path), blobs, columns, encoding)
    if is_uri(path):
        from urllib.parse import unquote, urlparse

        path = unquote(urlparse(str(path)).path)
    return _read_local(Path(path), blobs, mapping=columns, encoding=encoding, media_folder=media_folder)


def _read_remote(uri: str, blobs: bool, columns: dict[str, str] | None = None,
                 encoding: str | None = None) -> list[dict[str, Any]]:
    """A manifest file at a URI: fetched whole into a temporary folder, read there, relative media as URIs."""
    from msa_demo.dataset.media import read_uri, uri_name

    data = read_uri(uri)
    with tempfile.TemporaryDirectory(prefix="msa_manifest_") as tmp:
        local = Path(tmp) / uri_name(uri)
        local.write_bytes(data)
        return _read_local(local, blobs, base=uri.split("?", 1)[0].rsplit("/", 1)[0], mapping=columns,
                           encoding=encoding)


def _read_local(path: Path, blobs: bool, base: str | None = None, mapping: dict[str, str] | None = None,
                encoding: str | None = None, media_folder: Path | None = None) -> list[dict[str, Any]]:
    if path.is_dir():
        rows, columns = read_saved_dataset(path)
    elif not path.is_file():
        raise InputError(f"The manifest '{path}' does not exist.")
    elif path.suffix.lower() in PARQUET:
        rows, columns = read_parquet(path)
    elif path.suffix.lower() in (".jsonl", ".json"):
        rows, columns = _read_jsonl(path, encoding)
    else:
        _refuse_workbook(path)
        rows, columns = _read_csv(path, _mapped(mapping or {}), encoding)
    columns = list(columns)
    if mapping:
        rows, columns = _renamed(rows, columns, mapping, path.name)
    rows, columns = _own_names(rows, columns)
    _refuse_records(rows, mapping or {})
    if rows and not set(columns) & set(names()):
        text = next((c for c in columns if str(c).strip().lower() in TEXT_NAMES), None)
        label = label_column(columns)
        hint = f" Map a column of yours: --columns text={text}{f',label={label}' if label else ''}." if text else (
            " Map a column of yours: --columns text=COLUMN (or image=, audio=, video=).")
        if _a_row(columns):  # a CSV without its header line (Sentiment140): the first row read as the names
            hint = (" Its first line looks like a row, not a header: a CSV's first line names its columns (such as "
                    f"text,label), or name its columns by number: --columns {_by_number_hint(columns)}.")
        raise InputError(f"The manifest '{path.name}' has none of the columns {', '.join(names())} (it has: "
                         f"{_have(columns)}).{hint}")
    _refuse_misspelled(columns, path.name)
    _refuse_text_elsewhere(rows, columns, path.name)
    return [_clean(r, media_folder or path.parent, blobs, base) for r in rows]


def _refuse_misspelled(columns: list, name: str) -> None:
    """A column whose name is one letter or two from one read (``imgae``, ``lable``) that the manifest does not have
    is one line: it was passed over without a word (five rows explained from their text alone, the pictures in
    'imgae' never read)."""
    import difflib

    read = [*names(), "label"]  # (a short name such as 'vid' is some set's own: a video id, not 'id' misspelled)
    for column in columns:
        own = str(column)
        if own in read or own.strip().lower() in [*read, *OWN_COLUMNS] or len(own.strip()) < 4:
            continue
        close = difflib.get_close_matches(own.strip().lower(), [c for c in read if c not in columns], n=1,
                                          cutoff=MISSPELLED)
        if close:
            raise InputError(f"The manifest '{name}' has a column '{own}' and no '{close[0]}': rename it '{close[0]}', "
                             f"or map it: --columns {close[0]}={own}.")


MISSPELLED = 0.8  # difflib's ratio from which a column is taken for a known one misspelled ('imgae': 0.8)


def missing_files(rows: list[dict[str, Any]]) -> dict[str, tuple[list[int], int]]:
    """Per file column (``ModalityKind.manifest_file``) whose paths are not all there: the rows (0-based) whose
    path names no file, and how many rows name a path. URIs and bytes are read later, by the row's reader."""
    from msa_demo.dataset.media import is_uri
    from msa_demo.inputs import is_file

    out = {}
    for m in (k.name for k in kinds() if k.manifest_file):
        paths = [(i, r[m]) for i, r in enumerate(rows) if isinstance(r.get(m), str) and not is_uri(r[m])]
        gone = [i for i, v in paths if not is_file(v)]
        if gone:
            out[m] = (gone, len(paths))
    return out


def none_found(rows: list[dict[str, Any]], missing: dict[str, tuple[list[int], int]] | None = None,
               media_folder: Path | None = None) -> str | None:
    """One line when a file column names no file that exists, in any row (a wrong folder, a --columns template
    built wrong): said before a model loads, not as thousands of failed rows. None otherwise. ``missing``: the
    rows' :func:`missing_files`, when the caller has them already. ``media_folder``: where the paths were read
    from when not the manifest's folder (the Dataset tab's upload: the data folder), named so that a person knows
    where to put the files."""
    from msa_demo.inputs import shown_path

    for m, (gone, named) in (missing_files(rows) if missing is None else missing).items():
        if len(gone) == named:
            first = shown_path(Path(rows[gone[0]][m]))
            said = (f"The one {m} file the manifest names does not exist ('{first}')" if named == 1 else
                    f"None of the {named} {m} files the manifest names exists (the first: '{first}')")
            return said + (READ_FROM_MANIFEST if media_folder is None else
                           READ_FROM_DATA_FOLDER.format(folder=shown_path(Path(media_folder))))
    return None


READ_FROM_MANIFEST = "; paths are read from the manifest's folder."
# an uploaded manifest sits in a temporary folder of Gradio's: its paths are the data folder's, and "the manifest's
# folder" sent a person to look beside a file they never saw
READ_FROM_DATA_FOLDER = "; an uploaded manifest's paths are read from the data folder ('{folder}')."


# a spreadsheet program's own files, by suffix; their bytes are a zip (xlsx, ods, numbers) or an OLE file (xls)
WORKBOOKS = {".xlsx": "an Excel workbook", ".xlsm": "an Excel workbook", ".xlsb": "an Excel workbook",
             ".xls": "an Excel workbook", ".ods": "an OpenDocument spreadsheet", ".numbers": "a Numbers spreadsheet"}
# how each saves a CSV that this reader takes
SAVE_AS_CSV = {"an Excel workbook": 'save it as "CSV UTF-8" (File → Save As)',
               "an OpenDocument spreadsheet": 'save it as "Text CSV" with the UTF-8 character set (File → Save As)',
               "a Numbers spreadsheet": "export it as CSV with the UTF-8 text encoding (File → Export To → CSV)"}
ZIP, OLE = b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _refuse_workbook(path: Path) -> None:
    """One line for a spreadsheet program's own file given as the manifest: how to save it as a CSV."""
    book = _workbook(path)
    if book:
        raise InputError(f"'{path.name}' is {book}, not a CSV: {SAVE_AS_CSV[book]} and give that file.")


def _workbook(path: Path) -> str | None:
    """What spreadsheet program's own file ``path`` is ("an Excel workbook"), by its suffix, or by its first bytes
    when its name says nothing (an OLE file is an old .xls; a zip holding xl/ an .xlsx); None for any other file.
    Read as text, a workbook was refused as 'not UTF-8 text ... --encoding cp1252', which leads nowhere."""
    if path.suffix.lower() in WORKBOOKS:
        return WORKBOOKS[path.suffix.lower()]
    try:
        with path.open("rb") as fh:
            head = fh.read(len(OLE))
    except OSError:
        return None
    if head.startswith(OLE):
        return "an Excel workbook"
    if head.startswith(ZIP):
        import zipfile

        try:
            with zipfile.ZipFile(path) as z:
                listed = z.namelist()
                mimetype = z.read("mimetype") if "mimetype" in listed else b""
        except (OSError, zipfile.BadZipFile, KeyError):
            return None
        if any(n.startswith("xl/") for n in listed):
            return "an Excel workbook"
        if b"opendocument.spreadsheet" in mimetype:
            return "an OpenDocument spreadsheet"
    return None


# the separators a manifest's fields may be split by, the first winning a tie: a comma, the semicolon a spreadsheet
# writes where the comma is the decimal mark, a tab, a pipe, and the @ of the Financial PhraseBank's files
SEPARATORS = (",", ";", "\t", "|", "@")
SNIFFED_LINES = 6  # the header and the next rows that must split alike for a separator to be taken from them


def _delimiter(text: str, own: Iterable[str] = ()) -> str:
    """The field separator of a CSV's ``text``: the one that splits its first line into the most of our column
    names (and the set's ``own`` names that ``--columns`` maps); when it holds none of them ("Rezension;Sterne"),
    the one that splits the first line and the next rows into the same number (2 or more) of fields; else a comma.
    (csv.Sniffer was measured on the same files: it could not tell a one-column file's or a hand-made file's
    separator, nor FER2013's, whose rows are longer than the sample it is given.)"""
    header = text.split("\n", 1)[0]
    known = {*names(), *OWN_COLUMNS, *(c.lower() for c in own if not NUMBER.fullmatch(c))}

    def hits(sep: str) -> int:
        return sum(f.strip().strip('"').strip().lower() in known for f in header.split(sep))

    best = max(SEPARATORS, key=hits)  # a tie keeps the earlier
    if hits(best):
        return best
    return next((sep for sep in SEPARATORS if _splits_alike(text, sep)), ",")


def _splits_alike(text: str, sep: str) -> bool:
    """Whether ``sep`` splits the first :data:`SNIFFED_LINES` rows of ``text`` into the same number (2 or more) of
    fields each."""
    import itertools

    try:
        counts = {len(f) for f in itertools.islice(csv.reader(io.StringIO(text, newline=""), delimiter=sep),
                                                    SNIFFED_LINES) if f}
    except csv.Error:
        return False
    return len(counts) == 1 and counts.pop() >= 2


# the longest field a CSV manifest's reader takes: Python's csv stops at 131,072 characters and refused the whole
# manifest for one long review, which JSONL read and cut (``inputs``: the text's first 5,000 characters are used);
# bounded (2**30 fits a C long everywhere), far above any cell a manifest that fits in memory holds
CSV_FIELD_LIMIT = 1 << 30


def _read_csv(path: Path, own: Iterable[str] = (), encoding: str | None = None) -> tuple[list[dict], list[str]]:
    text = _text(path, encoding)
    csv.field_size_limit(max(csv.field_size_limit(), CSV_FIELD_LIMIT))  # process-wide; only ever raised
    if text.startswith(FASTTEXT_LABEL):
        return _read_fasttext(text)
    sep = _delimiter(text, own)
    records = _records(text, sep, path.name)
    if records and _open_quote(text, sep):  # read on to the end as one field: said, with its line and data row
        line, headed = records[-1][0], not _by_number(own, records[0][1])
        raise InputError(unclosed_quote(path.name, line, len(records) - 1 if headed else len(records)))
    if sep == "\t" and any(SWALLOWED.search(f) for _, fields in records for f in fields):
        records = _records(text, sep, path.name, csv.QUOTE_NONE)
    if not records:
        return [], []
    (_, header), body = records[0], records[1:]
    if _by_number(own, header):  # no header line (Sentiment140, Yelp polarity): its first line is a row too
        header, body = [str(n) for n in range(1, max(len(fields) for _, fields in records) + 1)], records
    _refuse_extra_fields(header, body, sep, path.name)
    return [_row(header, fields) for _, fields in body], header


FASTTEXT_LABEL = "__label__"  # fastText's labelled lines: "__label__2 Great CD: ..." (Amazon polarity on Kaggle)


def _read_fasttext(text: str) -> tuple[list[dict], list[str]]:
    """The rows of a fastText training file: each line's first ``__label__X`` as its label, the rest as its text
    (a line's further labels are dropped). Read as a CSV, it was a header of one column and rows cut at commas."""
    rows = []
    for line in text.splitlines():
        words = line.split()
        labels = [w[len(FASTTEXT_LABEL):] for w in words if w.startswith(FASTTEXT_LABEL)]
        body = " ".join(w for w in words if not w.startswith(FASTTEXT_LABEL))
        if labels or body:
            rows.append({"label": labels[0] if labels else None, "text": body or None})
    return rows, ["label", "text"]


# a cell that holds a line break and then a tab: in a tab-separated file, the lines after a line that opens with an
# unmatched " (GLUE's TSVs are not quoted: '" sweet home alabama \'\' is n't ...') read into that one cell
SWALLOWED = re.compile(r"[\r\n][^\r\n]*\t")


NUMBER = re.compile(r"[0-9]+")  # a --columns value that names a column by its place, counted from 1


def _by_number(own: Iterable[str], header: list[str]) -> bool:
    """Whether a CSV has no header line and ``--columns`` names its columns by number (text=6,label=1): its first
    line looks like a row (:func:`_a_row`), a mapped name is a number that is none of that line's fields, and no
    other mapped name is one of them."""
    numbers = [c for c in own if NUMBER.fullmatch(c)]
    return (_a_row(header) and any(c not in header for c in numbers)
            and not any(c in header for c in own if c not in numbers))


def _records(text: str, sep: str, name: str, quoting: int = csv.QUOTE_MINIMAL) -> list[tuple[int, list[str]]]:
    """(the line it starts on, its fields) of each row of a CSV's text, blank lines left out; ``quoting``
    csv.QUOTE_NONE reads every " as a character (a TSV that quotes nothing, as pandas reads GLUE's)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep, quoting=quoting)
    out, line = [], 1
    try:
        for fields in reader:
            if fields:
                out.append((line, fields))
            line = reader.line_num + 1
    except csv.Error as exc:
        raise InputError(f"The manifest '{name}' could not be read as CSV ({exc}).") from None
    return out


def unclosed_quote(name: str, line: int, row: int) -> str:
    """The line for a quote never closed, on ``line`` of the file: the data row it opens (``row``, from 1; 0: the
    header line). A file's line and a data row had been numbered alike ("Row 2" was line 2, data row 1)."""
    where = f"data row {row}" if row else "its header line"
    return (f"The manifest '{name}' has a quote (\") on line {line} of the file ({where}) that is never closed, so "
            "everything after it was read as one value; close it or take it out.")


def _open_quote(text: str, sep: str) -> bool:
    """Whether a CSV's text ends inside a quoted field (csv's lenient reader reads to the end as that field)."""
    try:
        for _ in csv.reader(io.StringIO(text, newline=""), delimiter=sep, strict=True):
            pass
    except csv.Error as exc:
        return "unexpected end of data" in str(exc)
    return False


def _row(header: list[str], fields: list[str]) -> dict[str, str | None]:
    """A row as {column: value}: a column its line stops short of is None (as csv.DictReader reads it), fields
    beyond the header's dropped (:func:`_refuse_extra_fields` let only empty ones through)."""
    return {column: fields[i] if i < len(fields) else None for i, column in enumerate(header)}


SEPARATOR_NAMES = {",": "a comma", ";": "a semicolon", "\t": "a tab"}


def _refuse_extra_fields(header: list[str], body: list[tuple[int, list[str]]], sep: str, name: str) -> None:
    """One line when rows hold more fields than the header names: a hand-made ``text,label`` file's "Great movie,
    loved every minute,positive" was read as the text "Great movie" labelled " loved every minute", silently. Empty
    fields beyond the header (a spreadsheet's trailing separators) are no error."""
    over = [(line, row, len(fields)) for row, (line, fields) in enumerate(body, 1) if len(fields) > len(header)
            and any(f.strip() for f in fields[len(header):])]
    if not over:
        return
    (line, row, count) = over[0]
    what = SEPARATOR_NAMES.get(sep, f"a '{sep}'")
    # the file's line and the data row, each named as such ("Row 2" had been line 2, data row 1)
    raise InputError(f"Line {line} of the file '{name}' (data row {row}) has {count} fields where its header names "
                     f"{len(header)} (data rows with more fields than the header: {len(over)}): {what} inside a text "
                     "that is not in double quotes? Put such texts in double quotes, as a spreadsheet's CSV does.")


# byte-order marks: a spreadsheet's "Unicode text" is UTF-16 with one (UTF-32's is tried before UTF-16's it starts with)
BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


ENCODING_HELP = ("the manifest's text encoding when it is not UTF-8, such as cp1252 (a spreadsheet's CSV on Western "
                 "Windows) or gbk (on Chinese Windows); never guessed")


def check_encoding(encoding: str | None) -> None:
    """One line for an encoding Python does not know (``--encoding``)."""
    if encoding is not None:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise InputError(f"Unknown encoding '{encoding}' (--encoding takes a name such as cp1252, gbk or "
                             "latin-1).") from None


def _text(path: Path, encoding: str | None = None) -> str:
    """A text manifest's characters: UTF-8 (or ``encoding``), or UTF-16 / UTF-32 by their byte-order mark. Any
    other encoding is refused with the line that shows it, not guessed (a guess reads short texts wrongly:
    cp1252 French as Central European, GBK Chinese as Korean)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"The manifest '{path.name}' could not be read ({exc.strerror or exc}).") from None
    named = next((enc for bom, enc in BOMS if data.startswith(bom)), None)
    try:
        return data.decode(named or encoding or "utf-8")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        if b"\x00" in data[:4096] and not named:  # a picture, a clip, an archive: no encoding reads it
            raise InputError(f"'{path.name}' is not a manifest: it holds binary data (a picture, a clip or an archive?), "
                             "not text; give a CSV (a header line), JSONL or Parquet file.") from None
        if encoding and not named:
            raise InputError(f"The manifest '{path.name}' is not {encoding} text (line {line} of the file is not)."
                             ) from None
        other = "" if path.suffix.lower() in TEXT_SUFFIXES else (  # a .csv is told only how to read it
            "; give CSV (a header line), JSONL, Parquet or a saved datasets folder")
        raise InputError(f"The manifest '{path.name}' is not UTF-8 text (line {line} of the file is not; a spreadsheet "
                         "writes UTF-8 when saving as 'CSV UTF-8', or name its encoding: --encoding cp1252)"
                         f"{other}.") from None


TEXT_SUFFIXES = (".csv", ".tsv", ".txt", ".jsonl", ".json", ".tab")


def _read_jsonl(path: Path, encoding: str | None = None) -> tuple[list[dict], list[str]]:
    rows, columns = [], {}
    lines = _text(path, encoding).splitlines()
    if path.suffix.lower() == ".json" and lines and lines[0].lstrip().startswith("["):  # one JSON array of rows
        try:
            whole = json.loads("\n".join(lines))
        except ValueError as exc:
            raise InputError(f"'{path.name}' is not JSON ({exc}).") from None
        if not isinstance(whole, list) or not all(isinstance(r, dict) for r in whole):
            raise InputError(f"'{path.name}' holds a JSON array that is not a list of objects (one per row).")
        return whole, list(dict.fromkeys(k for r in whole for k in r))
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except ValueError as exc:  # its own place as a character of the line (json's "line 1" is the line's own)
            why = f"{exc.msg} at character {exc.colno}" if isinstance(exc, json.JSONDecodeError) else str(exc)
            raise InputError(f"Line {n} of the file '{path.name}' (data row {len(rows) + 1}) is not JSON ({why}); "
                             "JSONL holds one object per line.") from None
        if not isinstance(row, dict):
            raise InputError(f"Line {n} of the file '{path.name}' (data row {len(rows) + 1}) is not a JSON object; "
                             "JSONL holds one object per line.")
        rows.append(row)
        columns.update(dict.fromkeys(row))
    return rows, list(columns)


def read_parquet(path: Path) -> tuple[list[dict], list[str]]:
    """(rows, column names) of a Parquet file."""
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
    except Exception as exc:  # noqa: BLE001 - pyarrow's errors vary (ArrowInvalid, OSError, ...)
        raise InputError(f"The manifest '{path.name}' could not be read as Parquet ({_short(exc)}).") from None
    return _rows_of(table, _class_names(table.schema.metadata)), table.column_names


def read_saved_dataset(folder: Path) -> tuple[list[dict], list[str]]:
    """(rows, column names) of a ``Dataset.save_to_disk`` folder, or of every split of a ``DatasetDict`` one
    (each row with its ``split`` unless it has one)."""
    splits_file = folder / "dataset_dict.json"
    if splits_file.is_file():
        try:
            splits = json.loads(splits_file.read_text(encoding="utf-8"))["splits"]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise InputError(f"'{folder.name}/dataset_dict.json' could not be read ({_short(exc)}).") from None
        rows, columns = [], {}
        for split in splits:
            part, cols = read_saved_dataset(folder / str(split))
            for r in part:
                r.setdefault("split", str(split))
            rows += part
            columns.update(dict.fromkeys(cols + ["split"]))
        return rows, list(columns)
    state_file = folder / "state.json"
    if not state_file.is_file():
        raise InputError(f"The folder '{folder.name}' is not a saved Hugging Face dataset (no state.json or "
                         "dataset_dict.json); give a CSV, JSONL or Parquet file, or a Dataset.save_to_disk folder.")
    import pyarrow as pa

    try:
        state = json.loads(state_file.read_text(encoding="utf-8"))
        files = [folder / f["filename"] for f in state["_data_files"]]
        tables = []
        for f in files:
            with pa.memory_map(str(f)) as source:
                tables.append(pa.ipc.open_stream(source).read_all())
        table = pa.concat_tables(tables) if tables else pa.table({})
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001 - a missing shard, a torn file, a state.json of another shape
        raise InputError(f"The saved dataset '{folder.name}' could not be read ({_short(exc)}).") from None
    info = None
    if (folder / "dataset_info.json").is_file():
        try:
            info = json.loads((folder / "dataset_info.json").read_text(encoding="utf-8"))
        except ValueError:
            info = None
    return _rows_of(table, _class_names(table.schema.metadata, info)), table.column_names


def _class_names(metadata: dict | None, info: dict | None = None) -> dict[str, list[str]]:
    """{column: names} of the ``ClassLabel`` columns that ``datasets`` described (in the Arrow schema's
    ``huggingface`` metadata, or in dataset_info.json)."""
    if info is None and metadata and b"huggingface" in metadata:
        try:
            info = json.loads(metadata[b"huggingface"]).get("info")
        except ValueError:
            info = None
    feats = (info or {}).get("features") or {}
    return {k: list(v["names"]) for k, v in feats.items() if isinstance(v, dict) and v.get("_type") == "ClassLabel"
            and isinstance(v.get("names"), list)}


def _rows_of(table, class_names: dict[str, list[str]]) -> list[dict]:
    rows = table.to_pylist()
    for col, labels in class_names.items():
        for r in rows:
            v = r.get(col)
            if isinstance(v, int) and 0 <= v < len(labels):
                r[col] = labels[v]
            elif v == -1:  # datasets' ClassLabel for "no label" (GLUE's test splits): not a class
                r[col] = None
    return rows


# a Windows path that starts from a drive or a share (C:\Users\maria\..., \\server\share\...): on another system it
# names no file here, and joined to the manifest's folder it had been said as a path that was there
WINDOWS_ABSOLUTE = re.compile(r"^(?:[A-Za-z]:[\\/]|\\\\)")


def foreign_windows_path(value: Any) -> bool:
    """Whether ``value`` is a Windows path from a drive or a share, read where Windows paths are not (Linux, macOS)."""
    return os.name != "nt" and isinstance(value, str) and bool(WINDOWS_ABSOLUTE.match(value))


def _clean(row: dict[str, Any], folder: Path, blobs: bool = False, base: str | None = None) -> dict[str, Any]:
    """Empty cells dropped; the column of a file input (image, audio ...: ``ModalityKind.manifest_file``) as a
    path (relative to ``folder``), a URI, a Blob (``blobs``) or a cached file; text as text; another kind's
    value as it is."""
    from msa_demo.dataset.media import Blob, is_uri
    from msa_demo.inputs import is_dir, is_file

    r = dict(row)
    for m in (k.name for k in kinds() if k.manifest_file):
        v = r.get(m)
        if isinstance(v, (bytes, bytearray)):  # a Parquet binary column
            v = {"bytes": v, "path": None}
        if m == "image" and isinstance(v, str) and PIXELS.fullmatch(v):  # FER2013's "70 80 82 ...": a picture
            png = _pixels_png(v)
            v = {"bytes": png, "path": None} if png else v
        if isinstance(v, dict):  # a datasets Image()/Audio() feature, or a Parquet struct of bytes and path
            v = _media_file(v, folder, m, blobs)
        if foreign_windows_path(v):  # C:\Users\...: another computer's, kept as written (and said so: not read)
            r[m] = v
            continue
        windows = isinstance(v, str) and "\\" in v and not is_uri(v)
        if windows and not (base is None and (is_file(folder / v) or is_dir(folder / v))):
            v = v.replace("\\", "/")  # a manifest made on Windows: images\a.png
        if isinstance(v, Blob):
            r[m] = v
        elif v in ("", None):
            r.pop(m, None)
        elif not isinstance(v, str):
            raise InputError(f"The '{m}' column holds {type(v).__name__} values; it takes file paths, URIs "
                             "or bytes (or datasets Image/Audio features with their bytes or path).")
        elif is_uri(v):
            r[m] = v
        elif base is not None and not Path(v).is_absolute():  # beside a manifest read from a URI
            r[m] = f"{base}/{v[2:] if v.startswith('./') else v}"
        elif not Path(v).is_absolute():
            r[m] = str(folder / v)
        else:
            r[m] = v
    for m in (k.name for k in kinds() if not k.manifest_file):
        if r.get(m) in ("", None):
            r.pop(m, None)
    if "text" in r and not isinstance(r["text"], str):
        r["text"] = str(r["text"])
    label = r.get("label")
    if (isinstance(label, float) and label != label) or (
            isinstance(label, str) and label.strip().lower() in NO_LABEL):  # a missing label as a table writes it
        r["label"] = None
    return r


# a label cell that says there is none, as pandas, R and spreadsheets write a missing value ("nan" was read as a
# label that is no sentiment name)
NO_LABEL = {"nan", "none", "null", "n/a", "na", "<na>", "#n/a"}


PIXELS = re.compile(r"\s*\d{1,3}(?:\s+\d{1,3}){63,}\s*")  # 64 or more whole numbers, whitespace-separated
SMALLEST_SIDE = 8  # pixels: a picture's side below which a cell of numbers is read as no picture


def _pixels_png(cell: str) -> bytes | None:
    """A cell of N×N whitespace-separated values 0-255 (FER2013's 'pixels': 48×48 greyscale), or of N×N×3 (RGB,
    pixel by pixel), as the PNG it describes; None for any other cell. Read as a path, such a cell named no file
    (its name too long for any file system)."""
    import numpy as np
    from PIL import Image

    values = np.array(cell.split(), dtype=np.int64)
    if values.max(initial=0) > 255:
        return None
    for channels in (1, 3):
        side = int(round((len(values) / channels) ** 0.5))
        if side >= SMALLEST_SIDE and side * side * channels == len(values):
            shape = (side, side) if channels == 1 else (side, side, 3)
            out = io.BytesIO()
            Image.fromarray(values.astype(np.uint8).reshape(shape)).save(out, format="PNG")
            return out.getvalue()
    return None


def _media_file(value: dict, folder: Path, column: str, blobs: bool = False):
    """A feature's embedded bytes as a Blob (``blobs``) or written once to the media cache (its name: the bytes'
    hash), else its path."""
    data, name = value.get("bytes"), value.get("path")
    if data:
        data = bytes(data)
        suffix = Path(str(name)).suffix.lower() if name else ""
        if not suffix:
            suffix = _suffix(data)
        if blobs:
            from msa_demo.dataset.media import Blob

            named = Path(str(name)).name if name and Path(str(name)).suffix else ""
            return Blob(named or f"{hashlib.sha256(data).hexdigest()[:24]}{suffix}", data)
        target = media_cache() / f"{hashlib.sha256(data).hexdigest()[:24]}{suffix}"
        if not target.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
            tmp.write_bytes(data)
            os.replace(tmp, target)
        return str(target)
    if name:
        return str(name)
    if "array" in value:
        raise InputError(f"The '{column}' column holds decoded arrays; save the dataset with file paths or "
                         "encoded bytes (datasets Image/Audio features).")
    return None


def _short(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:200] or type(exc).__name__


__all__ = ["COLUMNS_HELP", "ENCODING_HELP", "LABEL_NAMES", "OWN_COLUMNS", "TEXT_NAMES", "check_encoding",
           "label_column", "label_hint", "text_column", "text_hint", "media_cache", "missing_files", "none_found", "parse_columns", "read_manifest",
           "read_parquet", "read_saved_dataset"]
