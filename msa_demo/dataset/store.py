"""A results directory: ``rows.jsonl`` (the log, one line appended and flushed per finished row),
``results.parquet`` (the table, rewritten from the log), ``explanations/<id>.json`` (each row's full explanation,
readable by ``explain --from``), ``report.html`` and ``source.json`` (the manifest the folder was made from: a folder
holds one manifest's rows, so another manifest is refused rather than mixed into its table and report).

The log is the source of truth while a run goes on: a crash or Ctrl-C loses at most the row in flight (a torn last
line is ignored), and the next run skips every row already logged with the same input hashes.

``--out`` may also be a URI (``s3://bucket/run``, ``gs://...``, any fsspec filesystem; :class:`RemoteResults`):
an object store cannot append, so each finished row is its own object ``rows/<id>.json``, written whole in one
put, beside ``explanations/<id>.json``; results.parquet and report.html are written whole at the end.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any, Iterable

from msa_demo.dataset.columns import hash_columns, safe_name, schema
from msa_demo.errors import InputError

LOG, TABLE, EXPLANATIONS, REPORT = "rows.jsonl", "results.parquet", "explanations", "report.html"
NOT_MADE = "The results folder '{folder}' could not be made or written ({why}); choose another one."
MODEL = "model.json"  # the model the rows were last explained with: preset, fusion, loading notices (``local``)
SOURCE = "source.json"  # {"manifest": the resolved path or the URI of the manifest the folder was made from,
# "rows": how many rows it holds (after --split, before --limit), "limit": the last run's --limit (None: none)}
OTHER_MANIFEST = ("The results folder '{folder}' holds the rows of another manifest ({manifest}); give a new results "
                  "folder for '{name}', or run that manifest to go on with it.")


def _plain(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


class ResultsDir:
    """Read and append the rows of one results directory."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if self.path.exists() and not self.path.is_dir():
            raise InputError(f"'{self.path}' is a file; --out needs a directory.")
        try:  # before any model loads: a folder that cannot be made (/proc/x, no permission) is one line
            self.path.mkdir(parents=True, exist_ok=True)
            (self.path / EXPLANATIONS).mkdir(exist_ok=True)
            if not os.access(self.path, os.W_OK | os.X_OK) or not os.access(self.path / EXPLANATIONS, os.W_OK):
                raise PermissionError(13, "Permission denied")
        except OSError as exc:
            raise InputError(NOT_MADE.format(folder=self.path, why=exc.strerror or type(exc).__name__)) from None

    @property
    def log(self) -> Path:
        return self.path / LOG

    def rows(self) -> list[dict[str, Any]]:
        """Every logged row, the last entry of each id winning, in manifest order. A results.parquet
        without a log (copied on its own) is read instead."""
        by_id: dict[str, dict[str, Any]] = {}
        if self.log.is_file():
            with self.log.open(encoding="utf-8") as fh:
                for line in fh:
                    try:
                        rec = json.loads(line)
                    except ValueError:  # a line torn by a crash: that row runs again
                        continue
                    if isinstance(rec, dict) and "id" in rec:
                        by_id[str(rec["id"])] = rec
        elif (self.path / TABLE).is_file():
            import pyarrow.parquet as pq

            for rec in pq.read_table(self.path / TABLE).to_pylist():
                by_id[str(rec["id"])] = rec
        return sorted(by_id.values(), key=lambda r: (r.get("index") is None, r.get("index") or 0))

    def done(self, retry_failed: bool = False, rows: list[dict[str, Any]] | None = None) -> dict[str, tuple]:
        """{id: input hashes (``columns.hash_columns()``, in order)} of the rows that need not run again (``rows``:
        :meth:`rows`, when the caller has read them already)."""
        hashes = hash_columns()
        return {r["id"]: tuple(r.get(h) for h in hashes) for r in (self.rows() if rows is None else rows)
                if not (retry_failed and r.get("error"))}

    def append(self, rec: dict[str, Any]) -> None:
        """Log one finished row: one line, flushed to disk before the next row starts."""
        line = json.dumps(_plain(rec), ensure_ascii=False, allow_nan=False)
        with self.log.open("a+b") as fh:
            if fh.tell() > 0:  # a line torn by a crash is closed first, so the new line stands alone
                fh.seek(-1, os.SEEK_END)
                if fh.read(1) != b"\n":
                    fh.write(b"\n")
            fh.write(line.encode("utf-8") + b"\n")
            fh.flush()
            os.fsync(fh.fileno())

    def write_explanation(self, name: str, text: str) -> str:
        """Write ``explanations/<name>.json`` whole (a temporary file renamed); returns its path relative to DIR."""
        rel = f"{EXPLANATIONS}/{name}.json"
        _atomic_write(self.path / rel, text.encode("utf-8"))
        return rel

    def has_table(self) -> bool:
        return (self.path / TABLE).is_file()

    def read(self, rel: str) -> bytes | None:
        """The bytes of the file ``rel``, or None when there is none."""
        try:
            return (self.path / rel).read_bytes()
        except FileNotFoundError:
            return None

    def source(self) -> str | None:
        """The manifest the folder was made from (``claim``); None for a new folder, or one written before it was
        kept."""
        data = self.read(SOURCE)
        try:
            made = json.loads(data) if data else None
        except ValueError:
            return None
        return str(made["manifest"]) if isinstance(made, dict) and made.get("manifest") else None

    def claim(self, manifest: str, name: str, stored: list[dict[str, Any]]) -> None:
        """Record that the folder holds the rows of ``manifest`` (a resolved path or a URI); a folder that holds
        rows (``stored``: :meth:`rows`) of another manifest is refused in one line (they would be mixed into this
        one's table and report: the metrics of a set nobody gave). The same manifest goes on: its rows done are
        skipped; a folder with no row yet is this manifest's. ``name``: the manifest as the message names it."""
        made = self.source()
        if made is not None and made != manifest and stored:
            raise InputError(OTHER_MANIFEST.format(folder=self.path, manifest=made, name=name))
        if made != manifest:
            self.put(SOURCE, json.dumps({"manifest": manifest}, ensure_ascii=False).encode("utf-8"))

    def note_extent(self, rows: int, limit: int | None, unused: dict[str, int] | None = None) -> None:
        """Record in ``source.json`` how many rows the manifest holds (after ``--split``, before ``--limit``) and the
        run's limit, so that the report and the Dataset tab say when the folder holds only the first rows of it
        (:func:`extent`): a 59-row set cut to 50 had been reported as a set of 50; and ``unused``, the inputs its
        rows name that the run did not use ({modality: rows}, ``--use``, or the Dataset tab's upload without its
        files): the report had not said that a set's pictures were left out."""
        try:
            made = json.loads(self.read(SOURCE) or b"{}")
        except ValueError:
            made = {}
        made = made if isinstance(made, dict) else {}
        made.update(rows=int(rows), limit=None if limit is None else int(limit),
                    unused={str(m): int(n) for m, n in (unused or {}).items() if n})
        self.put(SOURCE, json.dumps(made, ensure_ascii=False).encode("utf-8"))

    def put(self, rel: str, data: bytes) -> str:
        """Write the file ``rel`` (``report.html``) whole; returns where it is."""
        _atomic_write(self.path / rel, data)
        return str(self.path / rel)

    @property
    def name(self) -> str:
        """The folder's name (a report's title)."""
        return self.path.name

    def write_table(self, rows: Iterable[dict[str, Any]] | None = None) -> Path:
        """``results.parquet`` from the logged rows (or ``rows``), written whole."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        sch = schema()
        data = [{c: r.get(c) for c in sch.names} for r in (self.rows() if rows is None else rows)]
        table = pa.Table.from_pylist(data, schema=sch)
        tmp = self.path / (TABLE + ".tmp")
        pq.write_table(table, tmp)
        os.replace(tmp, self.path / TABLE)
        return self.path / TABLE


class RemoteResults(ResultsDir):
    """A results directory at a URI, through fsspec: one object per finished row (``rows/<id>.json``)."""

    def __init__(self, uri: str) -> None:
        from msa_demo.dataset.media import filesystem

        self.uri = uri.rstrip("/")
        self.path = self.uri  # what the summary prints
        self.fs, self.root = filesystem(self.uri)

    def _put(self, rel: str, data: bytes) -> None:
        self.fs.pipe_file(f"{self.root}/{rel}", data)  # one whole object: a reader sees all of it or nothing

    def rows(self) -> list[dict[str, Any]]:
        by_id: dict[str, dict[str, Any]] = {}
        try:
            names = self.fs.ls(f"{self.root}/rows", detail=False)
        except FileNotFoundError:
            names = []
        if names:
            for name, data in self.fs.cat([n for n in names if str(n).endswith(".json")]).items():
                try:
                    rec = json.loads(data)
                except ValueError:
                    continue
                if isinstance(rec, dict) and "id" in rec:
                    by_id[str(rec["id"])] = rec
        elif self.has_table():
            import io

            import pyarrow.parquet as pq

            for rec in pq.read_table(io.BytesIO(self.fs.cat_file(f"{self.root}/{TABLE}"))).to_pylist():
                by_id[str(rec["id"])] = rec
        return sorted(by_id.values(), key=lambda r: (r.get("index") is None, r.get("index") or 0))

    def append(self, rec: dict[str, Any]) -> None:
        line = json.dumps(_plain(rec), ensure_ascii=False, allow_nan=False)
        self._put(f"rows/{safe_name(str(rec['id']))}.json", line.encode("utf-8"))

    def write_explanation(self, name: str, text: str) -> str:
        rel = f"{EXPLANATIONS}/{name}.json"
        self._put(rel, text.encode("utf-8"))
        return rel

    def has_table(self) -> bool:
        return self.fs.exists(f"{self.root}/{TABLE}")

    def read(self, rel: str) -> bytes | None:
        try:
            return self.fs.cat_file(f"{self.root}/{rel}")
        except FileNotFoundError:
            return None

    def write_table(self, rows: Iterable[dict[str, Any]] | None = None) -> str:
        import io

        import pyarrow as pa
        import pyarrow.parquet as pq

        sch = schema()
        data = [{c: r.get(c) for c in sch.names} for r in (self.rows() if rows is None else rows)]
        buf = io.BytesIO()
        pq.write_table(pa.Table.from_pylist(data, schema=sch), buf)
        self._put(TABLE, buf.getvalue())
        return f"{self.uri}/{TABLE}"

    def put(self, rel: str, data: bytes) -> str:
        self._put(rel, data)
        return f"{self.uri}/{rel}"

    @property
    def name(self) -> str:
        return self.uri.rsplit("/", 1)[-1]


def open_results(out: str | Path) -> ResultsDir:
    """The results directory at ``out``: a local folder (a ``file://`` URI is one) or a URI through fsspec."""
    from msa_demo.dataset.media import is_uri

    if _file_uri(out):
        return ResultsDir(_file_path(str(out)))
    return RemoteResults(str(out)) if is_uri(out) else ResultsDir(out)


def manifest_key(manifest: str | Path) -> str:
    """What names a manifest in its results folder (:meth:`ResultsDir.claim`): its resolved path, or its URI."""
    from msa_demo.dataset.media import is_uri

    if _file_uri(manifest):
        return str(_file_path(str(manifest)).resolve())
    return str(manifest) if is_uri(manifest) else str(Path(manifest).resolve())


def _file_uri(value: Any) -> bool:
    return isinstance(value, str) and value.lower().startswith("file://")


def _file_path(uri: str) -> Path:
    from urllib.parse import unquote, urlparse

    return Path(unquote(urlparse(uri).path))


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def extent(results: "ResultsDir | str | Path") -> dict[str, Any]:
    """{"rows": how many rows the folder's manifest holds (after --split, before --limit), "limit": the last run's
    limit, "unused": the inputs its rows name that the run did not use, {modality: rows}} as :meth:`ResultsDir.note_extent` recorded them; {} for a folder written before they were kept (or
    unreadable). ``results``: an open results directory, or a folder's path or URI (read without making it)."""
    from msa_demo.dataset.media import is_uri

    try:
        if isinstance(results, ResultsDir):
            data = results.read(SOURCE)
        elif is_uri(results) and not _file_uri(results):
            data = RemoteResults(str(results)).read(SOURCE)
        else:
            p = (_file_path(str(results)) if _file_uri(results) else Path(results)) / SOURCE
            data = p.read_bytes() if p.is_file() else None
        made = json.loads(data) if data else {}
    except (OSError, ValueError, InputError):
        return {}
    if not isinstance(made, dict) or not isinstance(made.get("rows"), int):
        return {}
    limit, unused = made.get("limit"), made.get("unused")
    return {"rows": made["rows"], "limit": limit if isinstance(limit, int) else None,
            "unused": {str(m): n for m, n in unused.items() if isinstance(n, int)} if isinstance(unused, dict) else {}}


def read_results(path: str | Path) -> list[dict[str, Any]]:
    """The rows of a results directory (or of its results.parquet; or at a URI), in manifest order."""
    from msa_demo.dataset.media import is_uri

    if is_uri(path) and not _file_uri(path):
        rows = RemoteResults(str(path)).rows()
        if not rows:
            raise InputError(f"'{path}' holds no dataset results (no rows/ and no {TABLE}).")
        return rows
    p = _file_path(path) if _file_uri(path) else Path(path)
    if p.is_file() and p.suffix == ".parquet":
        import pyarrow.parquet as pq

        return pq.read_table(p).to_pylist()
    if not p.is_dir() or not ((p / LOG).is_file() or (p / TABLE).is_file()):
        raise InputError(f"'{p}' holds no dataset results (no {TABLE}).")
    return ResultsDir(p).rows()


__all__ = ["EXPLANATIONS", "LOG", "extent", "OTHER_MANIFEST", "REPORT", "SOURCE", "TABLE", "RemoteResults", "ResultsDir", "manifest_key", "open_results", "read_results",
           "schema"]
