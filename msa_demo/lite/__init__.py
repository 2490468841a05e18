"""Lightweight, fully offline modality helpers (no Hugging Face Hub needed), and the cache they build into."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Callable


def cache_root() -> Path:
    """``$MSA_CACHE`` or ``~/.cache/msa_demo``."""
    return Path(os.environ.get("MSA_CACHE") or Path.home() / ".cache" / "msa_demo")


def build_dir(dest: Path, build: Callable[[Path], object], done: str) -> Path:
    """``dest`` written by ``build(tmp)`` into a temporary folder beside it, then renamed into place at once; when
    another process finished first (its ``dest/done`` exists), its copy is kept."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}-", dir=dest.parent))
    try:
        build(tmp)
        try:
            tmp.rename(dest)
        except OSError:
            if not (dest / done).is_file():
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return dest


__all__ = ["cache_root", "build_dir"]
