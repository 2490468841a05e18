"""The text modality: a string in; words are explained (``explain.words``); the report colours them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from msa_demo import views
from msa_demo.explain.methods import METHODS, describe
from msa_demo.explain.options import option
from msa_demo.inputs import TextInput, load_text
from msa_demo.i18n import label, t
from msa_demo.language import right_to_left
from msa_demo.registry import ModalityKind
from msa_demo.views import esc as _e


@dataclass
class TextOptions:
    """The text's settings (publicly ``text_methods``, ``text_baseline``)."""

    methods: tuple = option(
        ("integrated_gradients",), "which text attributions run ("
        + describe(words={"integrated_gradients": "Layer IG on the token embeddings", "occlusion": "word ablation",
                          "shapley_value_sampling": "sampled word Shapley values"}) + ")",
        label="text methods", choices=METHODS, min_count=1)
    baseline: str = option(
        "pad", "what replaces a word: the PAD, MASK or UNK token (special tokens are always kept)",
        label="text baseline", choices=("pad", "mask", "unk"))


def read(value: Any, model) -> TextInput | None:
    return load_text(value, model.preset.max_text_chars)


def families() -> Mapping[str, type]:
    from msa_demo.modalities import text

    return text.FAMILIES


def explain(model, inputs, target: str, options, used) -> list:
    from msa_demo.explain.words import attribute_words

    return [attribute_words(model, inputs, target, options, use=used, method=m) for m in options.of("text").methods]


def widget(**kwargs):
    """The dashboard's text box."""
    import gradio as gr

    return gr.Textbox(lines=3, **kwargs)


def view() -> dict:
    """The words, coloured by how they pushed toward the explained class."""
    import gradio as gr

    from msa_demo.ui.i18n import tr_made

    said = f"Words: {views.LEGEND_TEXT}"  # its Chinese with the engine's words (``i18n.ZH``)
    return {"words": gr.HighlightedText(label=tr_made(said, t(said, "zh")), color_map=views.WORD_LEGEND,
                                        show_legend=True, elem_id="words", visible=False)}


def render(exp: dict, lang: str = "en") -> dict:
    """The words and their categories, named in ``lang`` with the legend's colours for those names: the page keeps
    the last colours it was given, so English after Chinese gave its words no colour of the legend (six chips, the
    words pale lavender) unless the English colours came back with them."""
    spans = views.text_highlights(exp, lang)
    if spans is None:
        return {"words": spans}
    import gradio as gr

    target = exp.get("target")  # the legend names the class its colours are about ("▼ away from 'negative'")
    return {"words": gr.update(value=[(w, views.category_named(c, target, lang) if c else c) for w, c in spans],
                               label=colours_said(exp, lang),
                               color_map={views.category_named(k, target, lang): c
                                          for k, c in views.WORD_LEGEND.items()},
                               show_legend=not views.negligible_words(exp),  # no word marked: no marks to explain
                               rtl=right_to_left("".join(w for w, _c in spans)))}  # Arabic: its first word on
    # the right (each update says it: the panel keeps the last direction it was given)


def record(value: TextInput | None) -> dict[str, Any]:
    return {"text": value.text if value is not None else None}


def replay(record: Mapping[str, Any]) -> Any:
    return record.get("text")


def report(exp: dict, lang: str = "en") -> str:
    """The words, coloured by how they pushed toward the explained class."""
    spans = views.text_highlights(exp, lang)
    if not spans:
        return ""
    classes = views.WORD_CLASSES  # each category's colour and a text colour that reads on it: the report's CSS
    parts = []
    target = exp.get("target")  # the legend and each word's title name the class ("▼ away from 'negative'")
    for text, cat in spans:
        if cat:
            parts.append(f'<span class="{classes[cat]}" title="{_e(views.category_named(cat, target, lang))}">'
                         f'{_e(text)}</span>')
        else:
            parts.append(_e(text))
    legend = "".join(f'<span class="{c}">{_e(views.category_named(k, target, lang))}</span>'
                     for k, c in classes.items())
    legend = "" if views.negligible_words(exp) else f'<p class="legend">{legend}</p>'  # no word marked
    m = views.maps_for(exp, "text")[0]
    return (f"<h2>{t('Words', lang)}</h2><p>{_e(colours_said(exp, lang))}</p>"
            f'{legend}<p class="words" dir="auto">{"".join(parts)}</p>'
            + views.for_specialists(f'<p><small>{_e(views.map_caption(m, lang))}</small></p>', lang))


COLOURS_SAID = ("Blue words pushed the model toward '{target}', orange words away from it: the colours are about this "
                "verdict, not about whether a word is kind or harsh.")


def colours_said(exp: dict, lang: str = "en") -> str:
    """What the words' colours mean, naming the class they are about: a reader of a negative verdict's report
    took its red "Thank you" for the model calling thanks negative, and its green "awful" for praise (the legend
    said "strongly for" without saying what for). Where no word mattered (``views.negligible``), that instead: no
    word is coloured."""
    said = views.negligible_words(exp, lang) or t(COLOURS_SAID, lang, target=label(exp.get("target"), lang))
    return ("" if lang == "zh" else " ").join([said, *views.words_caveats(exp, lang)])  # where the map starts; colours that do not add up


KIND = ModalityKind(
    name="text", noun="the words",
    read=read, families=families, explain=explain, panel="words", record=record, replay=replay,
    report=report, cli_help="the words to judge (any language the text model reads)",
    label="Text (a post, a caption, a message)", widget=widget, view=view, render=render,
    options=TextOptions,
)
