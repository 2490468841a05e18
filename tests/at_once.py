"""Run a function in several threads started together, the interpreter switching between them as often as it can:
what a first use by two requests at once meets (a cache filled while another thread reads it)."""

from __future__ import annotations

import sys
import threading
from typing import Any, Callable


def at_once(fn: Callable[[], Any], threads: int = 4, rounds: int = 1,
            before: Callable[[], None] | None = None) -> tuple[list[Any], list[BaseException]]:
    """``fn`` in ``threads`` threads released together, ``rounds`` times (``before()`` first each time, in this
    thread): (what each call returned, what each call raised)."""
    results: list[Any] = []
    errors: list[BaseException] = []
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        for _ in range(rounds):
            if before is not None:
                before()
            start = threading.Barrier(threads)

            def run() -> None:
                start.wait()
                try:
                    results.append(fn())
                except BaseException as e:  # noqa: BLE001 - handed back
                    errors.append(e)

            started = [threading.Thread(target=run) for _ in range(threads)]
            for th in started:
                th.start()
            for th in started:
                th.join()
    finally:
        sys.setswitchinterval(interval)
    return results, errors
