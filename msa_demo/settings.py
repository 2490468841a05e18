"""The server's own settings, its ``MSA_*`` environment variables, each read and checked here: a value it cannot
use is one line (an :class:`InputError`) and :func:`server_refusal` says the first such at start-up. Standard
library and ``msa_demo.errors`` only (and the speech reader's own check, which needs numpy), so that ``python app.py`` says a mistyped setting before it imports gradio
and torch (15 s and 5 s on a busy 2-core machine). The dashboard's defaults that depend on the hardware (a time
budget, the explanation lanes: none or one on a GPU) stay with the dashboard (``ui.options``)."""

from __future__ import annotations

import os

from msa_demo.errors import InputError


def env_seconds(name: str, most: float) -> float | None:
    """The seconds the environment variable ``name`` sets (0 to ``most``; None: not set); one line for another
    value."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 <= value <= most:
        raise InputError(f"{name} must be a number of seconds from 0 (no limit) to {most:g}, not '{raw}'.")
    return value


def env_flag(name: str, default: bool = False) -> bool:
    """Whether the environment variable ``name`` is on (1, true, yes, on; 0, false, no, off: off; unset:
    ``default``); one line for another value (an operator's "enabled" was read as off)."""
    raw = os.environ.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise InputError(f"{name} must be 1 (on) or 0 (off), not '{os.environ[name].strip()}'.")


def keep_hours() -> float:
    """How long a visitor's Dataset runs are kept: ``MSA_UPLOADS_KEEP_HOURS`` (default 24; 0 keeps them until the
    app's folder is wiped), then deleted: their rows are the visitor's texts and pictures. One line for another
    value (a typo silently kept them 24 hours)."""
    raw = os.environ.get("MSA_UPLOADS_KEEP_HOURS", "").strip()
    try:
        value = float(raw) if raw else 24.0
    except ValueError:
        value = -1.0
    if not 0 <= value <= 8760:
        raise InputError("MSA_UPLOADS_KEEP_HOURS must be a number of hours from 0 (kept until the folder is wiped) "
                         f"to 8760, not '{raw}'.")
    return value


def gc_freeze() -> bool:
    """Whether start-up's objects are frozen out of the garbage collector's sight (``MSA_GC_FREEZE``, default on;
    "maybe" was read as on, "false" too)."""
    return env_flag("MSA_GC_FREEZE", default=True)


MAX_SECONDS_ON_A_SPACE = 120.0


def max_seconds() -> float:
    """The most seconds one explanation may take on this server (0: no limit): ``MSA_MAX_SECONDS`` when set, else
    120 on a Hugging Face Space (``SPACE_ID`` set: a public page, where one visitor's 1024 IG steps and 10,000
    what-if forwards, inside the Advanced ranges and with no time budget, held both cores and up to 10 GB for
    minutes, cancelled or not) and none elsewhere."""
    value = env_seconds("MSA_MAX_SECONDS", 86400)
    if value is not None:
        return value
    return MAX_SECONDS_ON_A_SPACE if os.environ.get("SPACE_ID") else 0.0


def lanes_setting() -> int | None:
    """``MSA_EXPLAIN_LANES``: how many explanations the dashboard makes at once (1 to 64; None: not set, the
    dashboard's default)."""
    raw = os.environ.get("MSA_EXPLAIN_LANES", "").strip()
    if not raw:
        return None
    if not raw.isdigit() or not 1 <= int(raw) <= 64:
        raise InputError(f"MSA_EXPLAIN_LANES must be a whole number from 1 to 64, not '{raw}'.")
    return int(raw)


def server_refusal() -> str | None:
    """Why this server's settings (its MSA_* environment variables) cannot be used, in one line; None when they
    can. Read once at start-up, before any model loads: a typo there failed every visitor's explanation with the
    operator's message (MSA_MAX_SECONDS), stopped the app with a traceback (MSA_BUDGET, MSA_EXPLAIN_LANES) or was
    silently read as the default (MSA_UPLOADS_KEEP_HOURS, MSA_DATASET_LINKS, MSA_SHOW_PATHS, MSA_GC_FREEZE), or
    refused only at the first clip transcribed (MSA_ASR_THREADS)."""
    from msa_demo.errors import MsaError
    from msa_demo.lite.speech import cpu_threads

    checks = (max_seconds, lambda: env_seconds("MSA_BUDGET", 3600), lanes_setting, keep_hours,
              lambda: env_flag("MSA_DATASET_LINKS"), lambda: env_flag("MSA_SHOW_PATHS"), gc_freeze, cpu_threads)
    for check in checks:
        try:
            check()
        except MsaError as exc:
            return str(exc)
    return None


__all__ = ["MAX_SECONDS_ON_A_SPACE", "env_flag", "env_seconds", "gc_freeze", "keep_hours", "lanes_setting",
           "max_seconds", "server_refusal"]
