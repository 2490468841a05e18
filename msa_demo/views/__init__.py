"""View builders shared by the dashboard (:mod:`msa_demo.ui`) and the report (:mod:`msa_demo.report`).

Each takes a plain dict shaped like ``Explanation.to_dict()`` (see ``msa_demo/explain/result.py``) and returns
what a screen shows: plotly figures, ``(word, category)`` lists, PIL overlays, SVG, markdown, trust verdicts.
Nothing here imports Gradio, so the report (``explain --html``) does not load the dashboard.

    base     the one colour scale and legend, escaping, model names people know
    figures  contributions and audio figures, word highlights, heat-map overlays
    story    the summary sentence, what could not be read, notes, trust verdicts, examples
    charts   static charts for the light report: bars in HTML, the waveform in SVG
    whatif   what would change its mind: the what-if panel, its edited text and picture
    compare  two models side by side: the agreement of their maps in words
"""

from msa_demo.views.base import (LEGEND_TEXT, REPORT_IMAGE_SIDE, WORD_CLASSES, WORD_LEGEND, WORD_LEGEND_NAMED, b64_image,
                                 category_named, code, contrast,
                                 decode_wav, esc, fmt, maps_for, md, model_name, png_uri, readable_on, reader_family,
                                 rel_scores, score_colour, shown_id)
from msa_demo.views.figures import (audio_clip, audio_figure, contributions_figure, face_line, face_read, heatmap_legend,
                                    image_overlays, picture_with_face,
                                    map_caption, map_figure, negligible, negligible_words, original_image, overlay, relative,
                                    shown_heatmap,
                                    text_highlights, word_category, words_caveats)
from msa_demo.views.story import (EXPERT, FIGURES_NOTE, NO_FACE, OUTSIDE_LANGUAGES, abstained, abstained_why,
                                  empty_prediction_views,
                                  conflict_text, contributions_story, each_enough, headline, label_value, language_records, load_examples, near_tie, not_about, notice_text, notices_markdown,
                                  outside_languages, percent_said, for_specialists, SPECIALISTS, speaks, story_clause,
                                  prediction_views, reading_warnings, removal_raises, summary_sentence, transcript_markdown, heard_in,
                                  timed_words, top_two, trust_markdown, trust_rows, trust_verdicts, unwarned, words_only_voice,
                                  TRUST_SCOPE, TRUST_TITLE, METHOD_GLOSS, glossary, method_said)
from msa_demo.views.charts import BARS_CSS, bars_html, waveform_svg
from msa_demo.views.compare import compare_headline, compare_markdown, compare_table_html, texts_headline, texts_html
from msa_demo.views.whatif import edited_html, edited_markdown, whatif_html, whatif_markdown, whatif_picture

__all__ = [n for n in dir() if not n.startswith("_") and n not in ("base", "compare", "figures", "story", "charts", "whatif")]
