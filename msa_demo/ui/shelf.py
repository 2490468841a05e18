"""Shared explanations: "Copy link" puts an explanation on the shelf, and the link (``?x=<id>``) opens it again,
read-only, in any browser that reaches the server — on Spaces and off.

The id is the explanation's content hash (128 bits, hex): the same explanation gets the same link, and an id
cannot be guessed from the links one has. One folder holds them (``$MSA_SHARE_DIR``, else
``~/.cache/msa_demo/shared``), each an explanation JSON of at most ``MAX_BYTES``; the oldest go first past
``MAX_ITEMS`` or ``KEEP_DAYS``.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from msa_demo.errors import InputError

MAX_BYTES = 8 << 20  # one explanation (its inputs ride along as PNG / WAV base64)
MAX_ITEMS = 500
KEEP_DAYS = 30
ID = re.compile(r"^[0-9a-f]{32}$")
GONE = ("This shared explanation is not here: the link is incomplete, or it has expired (links are kept "
        f"{KEEP_DAYS} days). Ask for a new link, or explain the inputs again.")


def default_folder() -> Path:
    return Path(os.environ.get("MSA_SHARE_DIR") or Path.home() / ".cache" / "msa_demo" / "shared")


@dataclass
class Shelf:
    """The folder of shared explanations, with its limits."""

    folder: Path = field(default_factory=default_folder)
    max_bytes: int = MAX_BYTES
    max_items: int = MAX_ITEMS
    keep_days: float = KEEP_DAYS

    def put(self, exp: dict) -> str:
        """Keep ``exp`` (an ``Explanation.to_dict()``) and return its id; InputError when it is too large."""
        # kept in its own order (the modalities', the classes': a link opened with its keys sorted showed the bars
        # as audio, image, text and the interactions reversed), named by its content whatever the order
        data = json.dumps(exp, ensure_ascii=False, default=str).encode("utf-8")
        if len(data) > self.max_bytes:
            raise InputError(f"This explanation is too large to share by link ({len(data) >> 20} MB; at most "
                             f"{self.max_bytes >> 20} MB): download the report instead.")
        key = hashlib.sha256(json.dumps(exp, ensure_ascii=False, sort_keys=True, default=str).encode("utf-8")
                             ).hexdigest()[:32]
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{key}.json"
        if path.is_file():
            path.touch()  # shared again: kept as long as if it were new
        else:
            part = path.with_suffix(f".{os.getpid()}.part")
            part.write_bytes(data)
            part.replace(path)  # atomic: a reader sees the whole file or none
        self.prune()
        return key

    def get(self, key: str | None) -> dict:
        """The explanation kept under ``key``; InputError (``GONE``) for an id that is malformed, unknown or
        expired."""
        key = str(key or "").strip().lower()
        path = self.folder / f"{key}.json"
        if not ID.match(key) or not path.is_file() or self._expired(path):
            raise InputError(GONE)
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            raise InputError(GONE) from None

    def _expired(self, path: Path) -> bool:
        return time.time() - path.stat().st_mtime > self.keep_days * 86400

    def prune(self) -> None:
        """Drop what has expired, then the oldest past ``max_items``."""
        def age(path: Path) -> float:
            try:
                return path.stat().st_mtime
            except OSError:  # gone meanwhile (another worker pruned it)
                return 0.0

        kept = sorted(self.folder.glob("*.json"), key=age, reverse=True)
        for i, path in enumerate(kept):
            if i >= self.max_items or time.time() - age(path) > self.keep_days * 86400:
                path.unlink(missing_ok=True)


__all__ = ["GONE", "Shelf", "default_folder"]
