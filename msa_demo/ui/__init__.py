"""Everything the dashboard (``app.py``) calls: the Dashboard (presets and event handlers) and its widgets.

The views themselves (figures, highlights, overlays, summary, trust verdicts) live in :mod:`msa_demo.views`,
shared with the report; all of it is unit-tested without a browser.

    dashboard  Dashboard: loading presets, predict / toggle / check / explain / freshness / report handlers
    widgets    lenient inputs, user errors, Advanced controls -> ExplainOptions, panel tuples, ZeroGPU glue
"""

from msa_demo.ui.dashboard import Dashboard
from msa_demo.ui.widgets import (ALL_OFF, AUDIO_METHODS, IMAGE_METHODS, NO_FACE, NO_INPUT, TARGET_PREDICTED,
                                 audio_input, empty_explanation_views, explained_stamp, explanation_views,
                                 fused_label, gpu_duration, image_input, make_options, stale_parts, user_error,
                                 warm_up, zero_gpu)

__all__ = [n for n in dir() if not n.startswith("_") and n not in ("dashboard", "widgets")]
