"""Helpers for the tests that serve the app: a free loopback port, a Gradio app served on it, and Debian's
chromium (never a downloaded browser) with the flags every browser test uses."""

from __future__ import annotations

import shutil
import socket
from typing import Iterator

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# the marks of every test that drives Chromium (slow; skipped where Debian's chromium is not installed)
BROWSER_MARKS = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium is not installed (apt-get install chromium)"),
]
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(demo, **launch) -> Iterator[str]:
    """Queue and launch ``demo`` on a free loopback port (``launch``: more ``demo.launch`` arguments), yield its
    URL, close it afterwards (for a fixture: ``yield from serve(demo)``)."""
    demo.queue(default_concurrency_limit=1)
    port = free_port()
    demo.launch(prevent_thread_lock=True, server_name="127.0.0.1", server_port=port, quiet=True, **launch)
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        demo.close()


def chromium() -> Iterator:
    """A headless Debian chromium driven by playwright (for a fixture)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()
