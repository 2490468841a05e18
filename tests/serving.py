"""Helpers for the tests that serve the app: a free loopback port, a Gradio app served on it, Debian's
chromium (never a downloaded browser) with the flags every browser test uses, and a page's Gradio queue watched
until every event it started has finished."""

from __future__ import annotations

import shutil
import socket
import time
from pathlib import Path
from typing import Iterator

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# the marks of every test that drives Chromium (slow; skipped where Debian's chromium is not installed)
BROWSER_MARKS = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium is not installed (apt-get install chromium)"),
]
# the words of the toasts on screen now (a toast timing out while a locator read it failed that read)
SHOWN_TOASTS = "() => [...document.querySelectorAll('.toast-body')].filter(b => b.offsetParent !== null).map(b => b.innerText)"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


SERVED: dict[str, object] = {}  # the demos served here, by URL (what ``QueueWatch`` asks about the page's events)


def serve(demo, **launch) -> Iterator[str]:
    """Queue and launch ``demo`` on a free loopback port (``launch``: more ``demo.launch`` arguments), yield its
    URL, close it afterwards (for a fixture: ``yield from serve(demo)``)."""
    from msa_demo.ui import i18n

    demo.queue(default_concurrency_limit=1)
    launch.setdefault("i18n", i18n())  # as app.main serves it: English and Chinese
    for attempt in range(3):
        port = free_port()
        try:
            demo.launch(prevent_thread_lock=True, server_name="127.0.0.1", server_port=port, quiet=True, **launch)
            break
        except ValueError as e:  # Gradio's one 3-s look at the new server timed out (a busy machine): once more
            if "localhost is not accessible" not in str(e) or attempt == 2:
                raise
            demo.close()
    url = f"http://127.0.0.1:{port}/"
    SERVED[url] = demo
    try:
        yield url
    finally:
        SERVED.pop(url, None)
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


class QueueWatch:
    """The Gradio queue requests of one page still in flight: the ``/queue/join`` of each event a click or a
    change starts, and the event stream, which the server closes once the page's session has no event left to
    run. Start watching before the page does anything (``QueueWatch(page)`` right after ``new_page``)."""

    def __init__(self, page) -> None:
        self.page = page
        self.open: set = set()
        self.joined = 0  # events the page has started
        page.on("request", self._started)
        page.on("requestfinished", self._ended)
        page.on("requestfailed", self._ended)

    def _started(self, request) -> None:
        if "/gradio_api/queue/" in request.url:
            self.open.add(request)
            self.joined += "/queue/join" in request.url

    def _ended(self, request) -> None:
        self.open.discard(request)

    def wait_idle(self, timeout: float = 60_000) -> None:
        """Wait until every event the page started has run and its last message has arrived (then whatever
        those events show is on the page: nothing more is on its way). Polled: a request may end as failed (the
        page closing its event stream), which no "requestfinished" event reports. The event stream itself may
        stay open after its last event (the browser reopening it as it was closed: once in about six runs, for
        a minute): for a demo served here (``serve``), its queue then says whether any event of the page is still
        to run or to be sent."""
        deadline = time.monotonic() + timeout / 1000
        while self.open:
            if self._sent_everything():
                self.page.wait_for_timeout(500)  # the last message, on its way, is shown; a chained event starts
                if self._sent_everything():
                    return
            if time.monotonic() > deadline:
                raise AssertionError(f"still open after {timeout / 1000:g} s: "
                                     f"{[(r.method, r.url) for r in self.open]}")
            self.page.wait_for_timeout(50)  # the page's events are handled meanwhile

    def _sent_everything(self) -> bool:
        """Only event streams are open, and the server they come from has no event of their page left to run,
        and no message of them left to send (False where it cannot tell: a demo not served by ``serve``)."""
        from urllib.parse import parse_qs, urlsplit

        if not self.open or any("/queue/data" not in r.url for r in self.open):
            return False
        for r in list(self.open):
            parts = urlsplit(r.url)
            demo = SERVED.get(f"{parts.scheme}://{parts.netloc}/")
            session = (parse_qs(parts.query).get("session_hash") or [None])[0]
            queue = getattr(demo, "_queue", None)
            if queue is None or session is None:
                return False
            messages = queue.pending_messages_per_session.get(session)
            if queue.pending_event_ids_session.get(session) or (messages is not None and not messages.empty()):
                return False
        return True


def stacks() -> str:
    """Where each of this process's threads is now (its innermost project, Gradio or torch frames), for a failure's
    message: a browser test that waits in vain for a panel shows whether the server was computing or waiting."""
    import sys
    import threading
    import traceback

    names = {t.ident: t.name for t in threading.enumerate()}
    out = []
    for ident, frame in sys._current_frames().items():
        lines = [f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in traceback.extract_stack(frame)
                 if "msa_demo" in f.filename or "faster_whisper" in f.filename or "/app.py" in f.filename
                 or "concurrent" in f.filename or "threading.py" in f.filename and f.name == "wait"]
        if any("msa_demo" in s or "app.py" in s or "whisper" in s for s in lines):
            out.append(f"[{names.get(ident, ident)}] " + " > ".join(lines[-8:]))
    return "\n".join(out) or "(no thread in the project's code)"
