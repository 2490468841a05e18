"""What the trust table and the words panel tell a reader, on models whose answer is known by construction
(tests/planted_models.py): the table rates the highlighting, not the answer; the words' colours name the class they
are about; a map that starts from a blank the model already reads as the class, or whose scores do not add up, says
so beside the words; a what-if that disagrees with the map's top word says so."""

from __future__ import annotations

import copy
import html

import pytest

from msa_demo.inputs import Inputs, TextInput


@pytest.fixture(scope="module")
def planted_exp(planted):
    """The planted text alone ("great" is the only cause), explained toward its verdict, positive."""
    from msa_demo.explain import ExplainOptions, explain

    inputs = Inputs(text=TextInput("the movie was great and the food service today"))
    return explain(planted, inputs, options=ExplainOptions(seed=0, what_if=False)).to_dict()


@pytest.mark.parametrize("lang, title, scope", [
    ("en", "Can you trust the highlighting?", "not the answer: a model can be confidently wrong; sarcasm"),
    ("zh", "这些高亮标注可信吗？", "而不是答案对不对：模型也可能很有把握地答错，比如反讽")])
def test_the_trust_table_rates_the_highlighting_not_the_answer(planted_exp, lang, title, scope):
    """"Can you trust it? ✓ trustworthy" stood beside a sarcastic post read 97 % positive: a student read it as "the
    answer is right". The heading and the verdict words name the highlighting, and one plain line says a model can
    be confidently wrong, on the page, in the report and on the command line."""
    from msa_demo import report, views
    from msa_demo.cli import format_explanation
    from msa_demo.explain.result import Explanation

    exp = planted_exp
    assert exp["prediction"]["label"] == "positive" and views.trust_rows(exp)[0]["mark"] == "✓"
    page = views.trust_markdown(exp, final=True, lang=lang)
    html = report.to_html(exp, lang)
    cli = format_explanation(Explanation.from_dict(exp), lang)
    for said in (page, html, cli):
        assert scope in said and "trustworthy" not in said and "Can you trust it?" not in said
        assert "可信：" not in said and "这个解释可信吗" not in said
    assert page.startswith(f"### {title}") and f"<h2>{title}</h2>" in html
    held = "the highlighting holds up: its top parts matter most" if lang == "en" else "高亮经得起检验"
    assert held in page and held in html and f"verdict: ✓ {held}" in cli if lang == "en" else held in cli
    assert page.count(scope) == html.count(scope) == cli.count(scope) == 1  # once, not beside every map


def planted_pushes(pushes: dict[str, float]):
    """The planted text model ("great" reads +2 along the sentiment direction, any other token 0) with the tokens
    of ``pushes`` given those pushes instead; the text's score is the sum of its tokens'."""
    import torch

    from planted_models import VOCAB, AdditiveFusion, PlantedText, build_model, planted_spec

    class Pushed(PlantedText):
        def load(self) -> None:
            super().load()
            for token, push in pushes.items():
                self.net.emb.weight.data[VOCAB.index(token), 0] = push

    cpu = torch.device("cpu")
    return build_model({"text": Pushed(planted_spec("planted-text"), cpu, torch.float32)}, AdditiveFusion())


def pad_leaning(push: float):
    """The planted text model with its blank token, PAD, given a push of its own: a blanked-out word then reads
    ``push`` where "great" reads 2 and any other 0."""
    return planted_pushes({"[PAD]": push})


def explained(model, text: str, **options) -> dict:
    from msa_demo.explain import ExplainOptions, explain

    return explain(model, Inputs(text=TextInput(text)), options=ExplainOptions(**{"seed": 0, "what_if": False, **options})
                   ).to_dict()


@pytest.mark.parametrize("lang, said", [
    ("en", "Where this map starts: with every word blanked out the model already reads 'positive' 66 % (with the "
           "words, 60 %)"),
    ("zh", "这张图的起点：把每个词都遮掉时，模型就已判为“正面” 66 %（有这些词时为 60 %）")])
def test_a_map_that_starts_where_the_model_already_reads_the_class_says_so_beside_its_words(lang, said):
    """"😭😭😭" read 96 % negative and its one token was drawn "▼▼ strongly against": a map's colours are the move
    from its blank, and where the blank already reads the class at least as strongly as the text, the words push
    away from it on the whole. Planted: a blanked word reads +1, "great" +2, any other 0; "the movie was great"
    reads positive (60 %), its blank more so (66 %): three words are red under a positive verdict, and the words
    panel and the report say where the map starts."""
    from msa_demo import report, views
    from msa_demo.kinds import text

    exp = explained(pad_leaning(1.0), "the movie was great")
    assert exp["prediction"]["label"] == exp["target"] == "positive"
    marks = dict((w.strip(), c) for w, c in views.text_highlights(exp) if c)
    assert marks["great"].startswith("▲") and all(marks[w].startswith("▼") for w in ("the", "movie", "was"))
    assert said in text.colours_said(exp, lang) and said in text.render(exp, lang)["words"]["label"]
    assert html.escape(said) in report.to_html(exp, lang)  # above the report's words, as on the page
    # where the blank reads the class less strongly than the text (pad pushes nowhere), no such line
    plain = explained(pad_leaning(0.0), "the movie was great")
    assert views.words_caveats(plain, lang) == [] and "这张图的起点" not in text.colours_said(plain, lang)
    assert text.colours_said(plain) == text.COLOURS_SAID.format(target="positive")


def test_a_map_whose_scores_do_not_add_up_says_its_colours_are_rough():
    """"😭😭😭" was drawn "▼▼ strongly against" by an 8-step IG map (a 5 s budget) whose scores missed the change
    they should add up to by 391 %; the trust table said "✗ read with care: its ranking is weak" (one word has no
    ranking). Planted: a blank that reads -8 against "great"'s +2, integrated in 2 steps, overshoots by 84 %. Such
    colours are no longer drawn: the words map is word ablation (``explain.words``), and one line says why; an
    explanation saved with such an IG map (before) still says its colours are rough and the trust table why."""
    from msa_demo import views
    from msa_demo.kinds import text

    exp = explained(pad_leaning(-8.0), "great", ig_max_steps=2, ig_min_steps=2)
    (m,) = exp["maps"]
    assert m["method"] == "feature_ablation" and m["params"]["ig_steps"] == 2
    assert m["params"]["ig_delta"] > views.story.IG_GAP_TOO_LARGE and m["delta"] is None
    assert "Integrated Gradients' scores missed the change they should add up to by 84%" in text.colours_said(exp)
    assert "These colours are rough" not in text.colours_said(exp)
    assert views.trust_rows(exp)[0]["verdict"] != ("read the highlighting with care: its scores do not add up (too "
                                                   "few steps)")
    saved = {**exp, "maps": [{**m, "method": "layer_integrated_gradients", "delta": m["params"]["ig_delta"],
                              "params": {k: v for k, v in m["params"].items() if k not in ("why", "in_place_of")}
                              | {"n_steps": 2}}]}
    assert "These colours are rough: the map's scores miss the change they should add up to by 84%" in \
        text.colours_said(saved)
    assert "这些颜色只是粗略的" in text.colours_said(saved, "zh")
    (row,) = views.trust_rows(saved)
    assert (row["mark"], row["verdict"]) == ("✗", "read the highlighting with care: its scores do not add up (too "
                                                  "few steps)")
    fine = explained(pad_leaning(-8.0), "great")  # enough steps: its scores add up, nothing to say
    assert views.words_caveats(fine) == [] and views.trust_rows(fine)[0]["mark"] != "✗"


@pytest.mark.parametrize("lang, said", [
    ("en", "The map and this check disagree: taking out 'great' alone changes the verdict, though the map ranks "
           "'great' number 2, not first."),
    ("zh", "归因图与这项检验不一致：只去掉“great”就改变了结论，而图中把“great”排在第 2 位，而不是第一。")])
def test_a_what_if_that_disagrees_with_the_map_s_top_word_says_so(lang, said):
    """"It's fine, I guess.": a 4-step map ranked "It's", "I", "guess" ▲▲ over "fine" ▲, beside "without 'fine' it
    reads neutral (92 %)", and nothing said which to believe. Planted: "great" reads +2, "the" -0.5; "the movie was
    great" reads positive and without "great" negative (the check, the model's own reading). Its map ranks "great"
    first: nothing to say. The same check beside a map that ranks "movie" first (as a rough map may): one line says
    they disagree and which to go by, on the page's what-if panel and in the report."""
    from msa_demo import report, views

    exp = explained(planted_pushes({"the": -0.5}), "the movie was great", what_if=True)
    (cut,) = [c for c in exp["what_if"] if c["edit"] == "remove"]
    assert cut["flipped"] and cut["minimal"] and cut["units"] == ["great"] and exp["prediction"]["label"] == "positive"
    assert views.whatif.map_disagrees(exp, lang) is None and said not in views.whatif_markdown(exp, lang)
    assert views.trust_rows(exp, lang)[0]["mark"] == "✓"
    rough = copy.deepcopy(exp)
    (m,) = rough["maps"]
    m["scores"][m["labels"].index("movie")] = 2 * max(m["scores"])  # "movie" ranked over "great"
    assert said in views.whatif.map_disagrees(rough, lang)
    assert views.trust_rows(rough, lang)[0]["mark"] == "✗"  # the page had shown ✓ right under the line
    assert said in views.whatif_markdown(rough, lang) and html.escape(said) in report.to_html(rough, lang)
    assert views.whatif_markdown(rough, lang).count(said) == 1


@pytest.mark.parametrize("lang, toward, away", [("en", "▲▲ strongly toward '{c}'", "▼▼ strongly away from '{c}'"),
                                                ("zh", "▲▲ 强烈推向“{c}”", "▼▼ 强烈推离“{c}”")])
def test_the_words_legend_names_the_class_its_colours_are_about(planted_exp, lang, toward, away):
    """Green meant "toward negative" on the opening example and "toward positive" on the next, said in a small grey
    caption a projector's back row could not read. The legend's own chips, beside the words, name the class: on the
    page (its categories and colours) and in the report (its legend, each word's title and what a screen reader
    hears), whichever class is explained."""
    from msa_demo import i18n, report, views
    from msa_demo.kinds import text

    for target in ("positive", "negative"):
        exp = {**planted_exp, "target": target}
        c = i18n.label(target, lang)
        words = text.render(exp, lang)["words"]
        assert list(words["color_map"]) == [toward.format(c=c), toward.format(c=c).replace("▲▲", "▲").replace(
            "strongly ", "").replace("强烈", ""), away.format(c=c).replace("▼▼", "▼").replace("strongly ", "").replace(
            "强烈", ""), away.format(c=c)]
        assert list(words["color_map"].values()) == list(views.WORD_LEGEND.values())  # the colours as they were
        assert {cat for _w, cat in words["value"] if cat} <= set(words["color_map"])
        page = report.to_html(exp, lang)
        legend = page[page.index('<p class="legend">'):page.index("</p>", page.index('<p class="legend">'))]
        assert html.escape(toward.format(c=c)) in legend and html.escape(away.format(c=c)) in legend
        assert f'title="{html.escape(toward.format(c=c))}"' in page  # "great", as the legend names it


def _glossed_exp() -> dict:
    """An explanation whose maps use four methods (their scores and heat maps as small as they can be)."""
    import numpy as np

    maps = [{"modality": "text", "method": "layer_integrated_gradients", "labels": ["good", "day"],
             "scores": [0.4, 0.1], "params": {"baseline": "pad"}, "faithfulness": {"aopc": 0.3, "aopc_random": 0.1}},
            {"modality": "image", "method": "integrated_gradients", "labels": ["r1c1"], "scores": [0.2],
             "spans": [[0, 0, 8, 8]], "heatmap": np.zeros((8, 8)).tolist(), "params": {"baseline": "blur"}},
            {"modality": "image", "method": "occlusion", "labels": ["r1c1"], "scores": [0.3], "spans": [[0, 0, 8, 8]],
             "heatmap": np.zeros((8, 8)).tolist(), "params": {"baseline": "blur"}},
            {"modality": "audio", "method": "word_ablation", "labels": ["great"], "scores": [0.2],
             "spans": [[0.0, 0.5]], "params": {"baseline": "pad token"}}]
    return {"target": "positive", "preset": "lite", "maps": maps,
            "prediction": {"label": "positive", "probs": {"positive": 0.8, "neutral": 0.1, "negative": 0.1},
                           "used": ["text", "image", "audio"]}}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_each_method_is_said_in_plain_words_where_its_name_shows(lang):
    """A reader who is no specialist met "layer integrated gradients", "occlusion" and "word ablation" on the page
    (the heat maps' captions, the audio chart, the trust table) and in the report with no word of what they do. Each
    is said in plain words from one table, the same on the page and in the report, in Chinese too."""
    from msa_demo import i18n, report, views

    exp = _glossed_exp()
    glosses = {name: i18n.t(views.METHOD_GLOSS[name], lang) for name in
               ("layer integrated gradients", "integrated gradients", "occlusion", "word ablation")}
    # beside the trust table, which names every map: on the page and in the report, each method once
    page, html_page = views.trust_markdown(exp, final=True, lang=lang), report.to_html(exp, lang)
    for name, gloss in glosses.items():
        said = i18n.t(name, lang) + i18n.sep(lang, ": ") + gloss
        assert page.count(said) == 1 and html.unescape(html_page).count(said) == 1, (name, page)
    # where the picture's maps are first named, under them, each with what it does
    legend = views.heatmap_legend(exp, lang)
    for name in ("integrated gradients", "occlusion"):
        assert html.escape(views.method_said(name, lang, glossed=True)) in legend, legend
    assert views.method_said("occlusion", lang, glossed=True) != views.method_said("occlusion", lang)
    # and under the audio chart's title
    import re

    title = views.audio_figure({**exp, "inputs": {"audio_wav_b64": _tone_wav()}}, lang).layout.title.text
    lines = [line for line in re.sub(r"<[^>]+>", "", title.replace("<br>", "\n")).split("\n")]
    assert glosses["word ablation"] in ("" if lang == "zh" else " ").join(lines), title
    if lang == "zh":  # all of it in Chinese
        assert not any(english in page for english in views.METHOD_GLOSS.values())


def _tone_wav() -> str:
    import base64
    import io

    import numpy as np
    import soundfile as sf

    buf = io.BytesIO()
    sf.write(buf, (0.1 * np.sin(np.arange(8000) / 5)).astype(np.float32), 16000, format="WAV")
    return base64.b64encode(buf.getvalue()).decode("ascii")
