"""msa_demo: explain why a multimodal model calls a post, a face and a voice positive, neutral or negative."""

import os

# OpenMP threads that wait at a barrier asleep, not spinning (read once, when torch loads: set before it). With
# spinning (libgomp's default) any other busy thread on the cores (another request's prediction, a second panel,
# another process) makes every small operation wait for a time slice: one e5 row of 64 tokens took 0.5-1.6 s
# instead of 0.05 s on this 2-core machine while other work ran; asleep, 0.045-0.05 s. OMP_WAIT_POLICY=ACTIVE
# keeps spinning.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from msa_demo.config import SENTIMENTS  # noqa: E402
from msa_demo.errors import InputError, ModelLoadError, MsaError  # noqa: E402

__all__ = ["SENTIMENTS", "InputError", "ModelLoadError", "MsaError"]
__version__ = "0.1.0"
