"""A row's media as something every node can read: its bytes (a :class:`Blob`) or a URI read through fsspec.

    Blob(name, data)   bytes that travel with the row: a Parquet binary cell, a ``datasets`` Image()/Audio() feature's
                       embedded bytes, or a local file the driver read before the row left it (``shipped``)
    "s3://b/k.png"     a URI (``s3://``, ``gs://``, ``hf://``, ``http(s)://``, ``file://``, ...) that the process
                       explaining the row reads through fsspec; the plugin a scheme needs (s3fs, gcsfs, aiohttp ...)
                       must be installed there, else the row fails with one line naming it
    "/data/a.png"      a local path: only the local engine reads it; the Ray engine turns it into a Blob first

Just before a row is explained, its Blobs and URIs become files in a private temporary folder, named as the
original (so every reader and its messages work as for a path); the folder goes when the row is done.
"""

from __future__ import annotations

import contextlib
import hashlib
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, Iterator

from msa_demo.errors import InputError
from msa_demo.inputs import is_uri

# the package fsspec needs for a scheme (its own ImportError names it too, but not always as a pip name)
PLUGINS = {"s3": "s3fs", "s3a": "s3fs", "gs": "gcsfs", "gcs": "gcsfs", "http": "aiohttp", "https": "aiohttp",
           "hf": "huggingface_hub", "az": "adlfs", "abfs": "adlfs", "abfss": "adlfs", "sftp": "paramiko",
           "ssh": "paramiko"}


@dataclass(frozen=True, repr=False)
class Blob:
    """A file's bytes and its name (the name keeps its suffix and the messages that name the file)."""

    name: str
    data: bytes

    def __repr__(self) -> str:
        return f"Blob({self.name!r}, {len(self.data)} bytes)"


def filesystem(uri: str):
    """(fsspec filesystem, path inside it) for a URI; a scheme whose plugin is missing is one line naming it."""
    try:
        import fsspec
    except ModuleNotFoundError:
        raise InputError(f"Reading '{uri}' needs fsspec: pip install -r requirements-cluster.txt") from None
    scheme = uri.split("://", 1)[0].lower()
    try:
        return fsspec.core.url_to_fs(uri)
    except ImportError as exc:
        package = PLUGINS.get(scheme) or getattr(exc, "name", None) or "the fsspec plugin for it"
        raise InputError(f"Reading {scheme}:// URIs needs the package {package} (pip install {package}).") from None
    except ValueError as exc:  # fsspec: "Protocol not known"
        raise InputError(f"'{uri}' has a scheme fsspec does not know ({' '.join(str(exc).split())[:120]}).") \
            from None


def read_uri(uri: str) -> bytes:
    """The bytes at a URI; a missing object or an unreachable host is one line."""
    fs, path = filesystem(uri)
    try:
        with fs.open(path, "rb") as fh:
            return fh.read()
    except FileNotFoundError as exc:  # fsspec's http says so of a host that did not answer too: its cause tells
        cause = exc.__cause__ or exc.__context__
        if cause is None or isinstance(cause, FileNotFoundError) or getattr(cause, "status", None) in (404, 410):
            raise InputError(f"Nothing was found at '{uri}'.") from None
        raise InputError(f"'{uri}' could not be read ({type(cause).__name__}: "
                         f"{' '.join(str(cause).split())[:200]}).") from None
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001 - each backend has its own errors (aiohttp, botocore, ...)
        raise InputError(f"'{uri}' could not be read ({type(exc).__name__}: "
                         f"{' '.join(str(exc).split())[:200]}).") from None


def uri_name(uri: str) -> str:
    """The file name at the end of a URI (query and fragment dropped), or 'file'."""
    tail = PurePosixPath(uri.split("://", 1)[-1].split("?", 1)[0].split("#", 1)[0]).name
    return tail or "file"


def digest(value: Any) -> str | None:
    """sha256 (first 16 hex digits) of a row's media: a Blob's bytes, a local file's bytes, or a URI's text
    (the driver does not download a URI to decide whether a row is done); None when absent or unreadable."""
    if value is None:
        return None
    if isinstance(value, Blob):
        data = value.data
    elif is_uri(value):
        data = ("uri:" + value).encode("utf-8")
    else:
        try:
            data = Path(value).read_bytes()
        except OSError:
            return None
    return hashlib.sha256(data).hexdigest()[:16]


def shipped(value: Any) -> Any:
    """What a row carries to another node: a local file read into a Blob; a Blob, a URI or None as it is. A
    local path that is not a file stays a path (the worker says it was not found, as the local engine would)."""
    if value is None or isinstance(value, Blob) or is_uri(value):
        return value
    path = Path(value)
    try:
        return Blob(path.name, path.read_bytes())
    except OSError:
        return value


@contextlib.contextmanager
def local_files(**values: Any) -> Iterator[dict[str, Any]]:
    """The values with every Blob and URI written to a file in a private temporary folder (removed on exit)."""
    folder = None
    out: dict[str, Any] = {}
    try:
        for key, value in values.items():
            if isinstance(value, Blob) or is_uri(value):
                if folder is None:
                    folder = Path(tempfile.mkdtemp(prefix="msa_row_"))
                blob = value if isinstance(value, Blob) else Blob(uri_name(value), read_uri(value))
                target = folder / key / (Path(blob.name).name or "file")
                target.parent.mkdir()
                target.write_bytes(blob.data)
                out[key] = str(target)
            else:
                out[key] = value
        yield out
    finally:
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)


__all__ = ["Blob", "digest", "filesystem", "is_uri", "local_files", "read_uri", "shipped", "uri_name"]
