"""Everything the dashboard (``app.py``) calls: the Dashboard (presets and event handlers) and its widgets.

The views themselves (figures, highlights, overlays, summary, trust verdicts) live in :mod:`msa_demo.views`,
shared with the report; all of it is unit-tested without a browser.

    dashboard  Dashboard: loading presets, predict / toggle / check / explain / compare / freshness / report handlers
    fields     each registered modality's input, switch, own verdict and panel; the page's parts by name (Page)
    i18n       the page's own words in English and Chinese (gr.I18n), marked by tr()
    options    the Advanced controls, generated from ExplainOptions' option specs, read back into Settings by name
    widgets    lenient inputs, user errors, the explained stamp, panel values by name, the queue's length, ZeroGPU
    dataset_tab  the Dataset tab: a results folder of explain-batch as a filterable table; a row opens its explanation
"""

from msa_demo.ui.dashboard import Dashboard
from msa_demo.ui.dataset_tab import DatasetTab, build_dataset_tab
from msa_demo.ui.i18n import (GRADIO_WORDS_SAID, KEPT_PAGE_LOCALE, SET_PAGE_LOCALE, choose_language, example_names, examples_markdown, i18n,
                             in_page_language, language_switch, page_language, tr, tr_made)
from msa_demo.ui.fields import (EXPLAIN_OUTPUTS, PREDICT_OUTPUTS, Page, Request, alone_labels, alone_titles, bind, input_names,
                                input_widgets, named_inputs, optional_further, output_order, panel_values, panels)
from msa_demo.ui.options import (AUDIO_METHODS, CONTROLS, IMAGE_METHODS, TARGET_PREDICTED, Control, Settings,
                                 advanced_widgets, explain_lanes, gpu_duration, read_settings, requested_options,
                                 settings_values)
from msa_demo.ui.widgets import (ALL_OFF, NO_FACE, NO_INPUT, TOO_BIG, audio_input, explained_stamp,
                                 explanation_views, fused_label, held_verdicts, verdict_heading, image_input, plain, queued, stale_parts, user_error,
                                 warm_up, zero_gpu)

__all__ = [n for n in dir() if not n.startswith("_")
           and n not in ("dashboard", "dataset_tab", "fields", "options", "widgets")]
