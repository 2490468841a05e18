"""Planted faults for the Ray engine's tests, installed in every Ray worker process by ``worker_process_setup_hook``
(``runtime_env={"worker_process_setup_hook": "ray_planted.plant"}``, with tests/ on the workers' PYTHONPATH).

A row whose text holds ``KILL-ONCE`` kills its own process by pid (SIGKILL, as the out-of-memory killer would) the
first time it is explained, and is explained normally after; ``EXIT-ALWAYS`` ends the process (``os._exit``) every
time. Each death leaves a file in ``$MSA_PLANTED_DIR`` (named by the row and the process id)."""

from __future__ import annotations

import os
import signal
from pathlib import Path


def plant() -> None:
    from msa_demo.dataset import rows

    real = rows.explain_row

    def explain_row(model, row, *args, **kwargs):
        folder = Path(os.environ["MSA_PLANTED_DIR"])
        text = row.text or ""
        if "KILL-ONCE" in text and not any(folder.glob(f"{row.id}.*")):
            (folder / f"{row.id}.{os.getpid()}").touch()
            os.kill(os.getpid(), signal.SIGKILL)
        if "EXIT-ALWAYS" in text:
            (folder / f"{row.id}.{os.getpid()}").touch()
            os._exit(3)
        return real(model, row, *args, **kwargs)

    rows.explain_row = explain_row
