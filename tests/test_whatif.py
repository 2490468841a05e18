"""What would change its mind (msa_demo.explain.whatif), on planted models whose flipping set is known by
construction, and the robustness figure (Captum's sensitivity_max) on a map stable by construction vs one that is
not.

- text: the sentiment is the sum of the words' planted weights s; the logits are (-s, 1, s), so the verdict is
  neutral while |s| < 1. "the food was awful and the service furious today" has s = -1.5 - 1.4 - 7 x 0.05 = -3.25:
  negative; without 'awful' s = -1.75 (still negative), without both s = -0.35: neutral. The one set of fewest
  words that flips it is {awful, furious}. 'awful' -> 'wonderful' (+1.5) alone gives s = -0.25: neutral; the
  neutral words ('average', 'calm': 0) must replace both;
- image: only the brightness of the top-left cell matters (tests/planted_models.py); with a black baseline,
  removing that cell alone flips positive to negative;
- robustness: a linear picture model (its occlusion map moves in proportion to the noise: stable) against one
  whose output oscillates fast with the brightness (a small noise reshuffles the map: unstable).
"""

from __future__ import annotations

import re

import json

import numpy as np
import pytest
import torch
from PIL import Image

from msa_demo.explain import ExplainOptions, explain
from msa_demo.explain.whatif import is_word
from msa_demo.inputs import ImageInput, Inputs, TextInput
import planted_models
from planted_models import (LABELS, S, AdditiveFusion, PlantedImage, build_model, planted_inputs, planted_spec)

WEIGHTS = {"awful": -1.5, "furious": -1.4, "wonderful": 1.5, "delighted": 1.5, "great": 3.0, "average": 0.0,
           "calm": 0.0, "the": -0.05, "food": -0.05, "was": -0.05, "and": -0.05, "service": -0.05, "today": -0.05}
ANGRY = "the food was awful and the service furious today"
QUICK = dict(text_methods=("occlusion",), deletion_steps=2)  # the what-if's ranking needs no IG here (linear)


class WeightedText(planted_models.WeightedText):
    weights = WEIGHTS


class SureText(WeightedText):
    bias = 5.0  # positive whatever is removed: no flip exists


def _text_model(cls=WeightedText):
    return planted_models.weighted_text_model(cls)


@pytest.fixture(scope="module")
def angry():
    return _text_model()


def test_removal_finds_exactly_the_words_that_flip_it(angry):
    exp = explain(angry, Inputs(text=TextInput(ANGRY)), options=ExplainOptions(what_if=True, **QUICK))
    assert exp.prediction.label == "negative"
    removal, antonym, neutral = exp.what_if
    assert (removal.modality, removal.edit, removal.flipped, removal.minimal) == ("text", "remove", True, True)
    assert sorted(removal.units) == ["awful", "furious"] and removal.label == "neutral"
    assert removal.spans == [[13, 18], [35, 42]]
    # the model's own verdict on the edit: s = -0.35 -> softmax(0.35, 1, -0.35), fused 1/3 + 0.5 (p - 1/3)
    p = torch.softmax(torch.tensor([0.35, 1.0, -0.35]), 0)
    assert removal.probs["neutral"] == pytest.approx(1 / 3 + 0.5 * (float(p[1]) - 1 / 3), abs=1e-5)
    assert removal.sentence == f"Without 'awful' and 'furious' it reads neutral ({100 * removal.probs['neutral']:.0f} %)."
    assert "".join(p for p, k in removal.edited if k != "removed") == "the food was  and the service  today"
    assert [p for p, k in removal.edited if k == "removed"] == ["awful", "furious"]
    # grow: top-1, top-2 in one batch of 4 rows; prune: both put back in turn (2 rows), neither can be
    assert removal.cost.forward_passes == 4 + 2 and removal.max_forwards == 64
    assert (antonym.edit, antonym.flipped, antonym.units, antonym.replacements) == \
        ("antonym", True, ["awful"], ["wonderful"])
    assert antonym.label == "neutral" and "'awful' → 'wonderful'" in antonym.sentence
    assert ["wonderful", "added"] in antonym.edited
    assert (neutral.edit, neutral.flipped, sorted(neutral.units)) == ("neutral", True, ["awful", "furious"])
    assert sorted(neutral.replacements) == ["average", "calm"]
    assert exp.cost.forward_passes >= sum(m.cost.forward_passes for m in exp.maps) + removal.cost.forward_passes


class MeanText(WeightedText):
    """s = 6 x the mean of the tokens' planted weights: a word replaced by a pad token still counts in the mean, a
    word deleted does not (the map's blank and the text without the word read differently)."""

    def _run(self, inputs, want_features):
        e = self.net.emb(inputs["input_ids"])
        mask = inputs["attention_mask"].unsqueeze(-1).to(e.dtype)
        s = 6.0 * (e * mask)[..., 0].sum(1) / mask[..., 0].sum(1)
        return torch.stack([-s, torch.ones_like(s), s], dim=-1), (e.mean(1) if want_features else None)


def test_a_removal_s_figure_is_the_model_s_verdict_on_the_text_without_those_words():
    """"去掉 X" said 64 % where the text typed without X read 53 % (and 62 % vs 72 %, 70 % vs 74 %): the search
    replaced the words by pad tokens, and the panel shows and words it as the words deleted. The words are now
    deleted and the text read again: each what-if's figure is ``model.predict`` on the edited text as shown."""
    mean = _text_model(MeanText)
    exp = explain(mean, Inputs(text=TextInput(ANGRY)), options=ExplainOptions(what_if=True, **QUICK))
    assert exp.prediction.label == "negative"
    removal = exp.what_if[0]
    assert removal.edit == "remove" and removal.flipped and "awful" in removal.units
    for c in exp.what_if:
        typed = "".join(p for p, k in c.edited if k != "removed")  # what a person types from what the panel shows
        assert c.probs == pytest.approx(mean.predict(text=typed).probs, abs=1e-6), (c.edit, typed)


def test_chinese_what_ifs_on_lite_are_the_model_s_verdicts_on_the_texts_shown(lite):
    """The new user's Chinese reviews on the offline preset: each what-if's figure is ``predict`` on its edited text
    as the panel shows it (the removal said 64 % where the text typed without the words read 53 %); no punctuation
    mark is removed ("'！'", "'，'" were among the words taken out); and the negative review's "太差" is found in
    the table (it said none of its words pushing negative was) and swapped in its core only: "太好"."""
    for text in ("这家餐厅真的太棒了，服务也非常好，我很满意！",
                 "质量太差了，用了两天就坏了，客服也不理人，真是浪费钱，再也不会买这个牌子了。"):
        exp = explain(lite, lite.read_inputs(text=text), options=ExplainOptions(what_if=True, budget=0, **QUICK))
        for c in exp.what_if:
            assert all(map(is_word, c.units)), c.units  # no punctuation alone
            if c.edited:
                typed = "".join(p for p, k in c.edited if k != "removed")
                assert c.probs == pytest.approx(lite.predict(text=typed).probs, abs=1e-5), (c.edit, typed)
    antonym = next(c for c in exp.what_if if c.edit == "antonym")
    assert antonym.units[:1] == ["太差"] and antonym.replacements[:1] == ["太好"]
    assert ["差", "removed"] in antonym.edited and ["好", "added"] in antonym.edited


def test_no_flip_is_said_with_the_forwards_spent(angry):
    sure = _text_model(SureText)
    # the words are deleted and the text read again: every word deleted leaves no text to read (that is the chart's
    # "no text"), so a text of words alone is tried without its last word
    exp = explain(sure, Inputs(text=TextInput("the food was great")), options=ExplainOptions(what_if=True, **QUICK))
    assert exp.what_if[0].cost.forward_passes == 3 and not exp.what_if[0].flipped
    assert exp.what_if[0].sentence.startswith("Text: no flip; without the top 3 words (")
    exp = explain(sure, Inputs(text=TextInput("the food was great.")), options=ExplainOptions(what_if=True, **QUICK))
    removal = exp.what_if[0]
    assert exp.prediction.label == "positive" and not removal.flipped and removal.label == "positive"
    assert removal.cost.forward_passes == 4  # every prefix of the 4 words, in one batch: none flips
    assert removal.sentence.startswith("Text: no flip; without all 4 words it still reads positive")  # all tried
    assert "." not in removal.units  # a punctuation mark alone is no word to remove
    # every word blanked is not the text left out (the chart's "no text" read 100 % beside this line's 69 %)
    blanked = " Taking out every word is not leaving the text out (the chart's 'no text'): its model still reads what is left."
    assert removal.sentence.endswith(blanked)
    from msa_demo import views

    assert blanked.strip() in views.whatif_markdown(exp.to_dict())
    assert "去掉每一个词并不等于不用文字" in views.whatif_markdown(exp.to_dict(), "zh")
    # a flip exists, but not within the forwards allowed: the search says so and spends no more
    exp = explain(angry, Inputs(text=TextInput(ANGRY)), options=ExplainOptions(what_if=True, what_if_forwards=1, **QUICK))
    removal = exp.what_if[0]
    assert not removal.flipped and removal.cost.forward_passes == 1 and removal.units in (["awful"], ["furious"])
    assert removal.sentence.startswith(  # the word tried is named
        f"Text: no flip within 1 forward; without the top word ('{removal.units[0]}') it still reads negative")
    assert removal.stopped == "forwards"
    # nor within the time: with a time budget, the what-ifs stop at half of it (here at once)
    exp = explain(angry, Inputs(text=TextInput(ANGRY)), options=ExplainOptions(what_if=True, budget=1e-6, **QUICK))
    assert all(not c.flipped and c.stopped == "time" and c.cost.forward_passes == 0 for c in exp.what_if)
    assert exp.what_if[0].sentence == ("Text: not tried; the what-ifs' time (half the time budget) had run out. A "
                                       "larger time budget leaves time for it.")  # (it said "no flip found ... (nothing could be tried)")
    from msa_demo.views.whatif import sentence

    assert sentence(exp.what_if[0].to_dict(), exp.to_dict(), "zh").startswith("文字：没有尝试")
    # the word swaps not tried: each says which, and the panel says a modality's untried searches in one line (the
    # long review's panel had "Text: not tried; ..." twice, for its antonyms and its neutral words)
    from msa_demo.views.whatif import ordered, whatif_markdown

    assert [c.sentence.split(";")[0] for c in exp.what_if[1:]] == ["Text: antonyms not tried",
                                                                    "Text: neutral words not tried"]
    record = exp.to_dict()
    assert [c["sentence"] for c in ordered(record)] == [exp.what_if[0].sentence]  # the removal was not tried either
    record["what_if"] = record["what_if"][1:]
    (line,) = ordered(record)
    assert line["sentence"] == ("Text: antonyms and neutral words not tried; the what-ifs' time (half the time "
                                "budget) had run out. A larger time budget leaves time for them.")
    assert whatif_markdown(record).count("not tried") == 1
    assert sentence(line, record, "zh").startswith("文字：没有尝试反义词和中性词")


def test_each_panel_s_what_if_has_a_share_of_the_what_if_time(planted, monkeypatch):
    """The what-ifs' time (half the budget) was counted in wall time from the first panel's map: a panel whose map
    was done later found it gone ("Text: not tried", "Image: not tried" on an ordinary explanation with the default
    budget). It is now their own seconds, each panel an equal part of what is left: a panel done after half the
    budget is still tried."""
    import time

    import msa_demo.explain as explaining
    from msa_demo.explain.whatif import deadline_for

    budget = ExplainOptions(budget=4.0)
    assert deadline_for(budget, 10.0, 0.0, 2) == pytest.approx(11.0)  # 2 s for the what-ifs: 1 s each for two panels
    assert deadline_for(budget, 10.0, 1.5, 1) == pytest.approx(10.5)  # the last one: what the first left
    assert deadline_for(budget, 10.0, 3.0, 1) == 10.0 and deadline_for(ExplainOptions(budget=0), 10.0) is None
    real = explaining.panels

    def slow_image(*args):  # the image panel's map is done well after half the budget
        return [(name, (lambda run: lambda target: (time.sleep(0.6), run(target))[1])(run) if name == "image regions"
                 else run) for name, run in real(*args)]

    two = build_model({m: planted.modalities[m] for m in ("text", "image")}, AdditiveFusion())
    inputs = Inputs(text=planted_inputs().text, image=planted_inputs().image)
    options = ExplainOptions(what_if=True, budget=0.8, image_baseline="black", image_methods=("occlusion",), **QUICK)
    explain(two, inputs, options=options)  # warm: the first maps of a process are slow for both panels
    monkeypatch.setattr(explaining, "panels", slow_image)
    exp = explain(two, inputs, options=options)
    tried = {c.modality: c.stopped != "time" or c.cost.forward_passes > 0 for c in exp.what_if if c.edit == "remove"}
    assert tried == {"text": True, "image": True}, [c.sentence for c in exp.what_if]


def test_the_picture_region_that_flips_it(planted):
    image_only = build_model({"image": planted.modalities["image"]}, AdditiveFusion())
    inputs = Inputs(image=planted_inputs().image)
    exp = explain(image_only, inputs, options=ExplainOptions(what_if=True, image_baseline="black",
                                                             image_methods=("occlusion",)))
    (c,) = exp.what_if
    assert exp.prediction.label == "positive"
    assert (c.modality, c.flipped, c.minimal, c.units, c.spans, c.label) == \
        ("image", True, True, ["r1c1"], [[0, 0, 8, 8]], "negative")
    assert c.sentence.startswith(  # not "r1c1" alone; where the grid lies: here over the whole picture
        "Without picture region r1c1 (row 1, column 1) of the 7×7 grid over the picture it reads negative")
    from msa_demo.views.whatif import sentence

    over_face = {**c.to_dict(), "units": ["r5c3", "r6c4"]}  # a face model's grid: over the face, not the picture
    exp_face = {"maps": [{**exp.maps[0].to_dict(), "params": {**exp.maps[0].params, "grid_over": "face"}}]}
    assert sentence(over_face, exp_face, "zh").startswith(
        "去掉脸部 7×7 网格中的图片区域 r5c3（第 5 行第 3 列）和r6c4（第 6 行第 4 列），结论变为负面")
    assert c.cost.forward_passes == 4  # the first grow batch; a set of one needs no pruning
    # the report shows the picture with that region greyed out, and nothing else changed
    from msa_demo import views
    from msa_demo.report import to_html

    data = exp.to_dict()
    pic = np.asarray(views.whatif_picture(data, data["what_if"][0]))
    assert pic[4, 4].max() < 200 and (pic[30, 30] == 40).all()  # the bright cell greyed; the rest as it was
    assert 'alt="The picture without those regions (greyed)"' in to_html(data)
    assert views.whatif_markdown(data).splitlines()[1].startswith(  # headed by its modality, as a line that did not
        "- Image: without picture region r1c1 (row 1, column 1) of the 7×7 grid over the picture it reads negative")  # flip is ("Text: no flip")
    # and the page draws it too: the regions it names ("r6c5 of the 7×7 grid over the face") had been a grid no
    # one on the page could see
    import base64
    import io

    from PIL import Image

    found = re.search(r"!\[The picture without those regions \(greyed\)\]\(data:image/png;base64,([^)]+)\)",
                      views.whatif_markdown(data))
    assert found, views.whatif_markdown(data)
    shown = Image.open(io.BytesIO(base64.b64decode(found.group(1))))
    assert max(shown.size) <= 200 and np.asarray(shown.convert("RGB"))[2, 2].max() < 200
    assert "![去掉这些区域（灰色）后的图片](data:image/png;base64," in views.whatif_markdown(data, "zh")


def test_what_if_travels_in_the_json_and_the_report(angry, tmp_path):
    from msa_demo import views
    from msa_demo.explain.result import Explanation
    from msa_demo.report import to_html

    exp = explain(angry, Inputs(text=TextInput(ANGRY)), options=ExplainOptions(what_if=True, **QUICK))
    data = json.loads(exp.to_json())
    assert [c["edit"] for c in data["what_if"]] == ["remove", "antonym", "neutral"]
    assert data["options"]["what_if"] is True and data["options"]["what_if_forwards"] == 64
    again = Explanation.from_dict(data)
    assert again.what_if == exp.what_if
    panel = views.whatif_markdown(data)
    assert "What would change its mind?" in panel and "<del>awful</del> → <ins>wonderful</ins>" in panel  # not run together
    page = to_html(data)
    assert "<del>awful</del> → <ins>wonderful</ins>" in page and "Text: without &#x27;awful&#x27;" in page
    off = explain(angry, Inputs(text=TextInput(ANGRY)))
    assert off.what_if == [] and views.whatif_markdown(off.to_dict()) == ""


def test_cli_what_if_flag(angry, monkeypatch, capsys):
    from msa_demo.__main__ import main
    from msa_demo.model import MultimodalSentimentModel

    monkeypatch.setattr(MultimodalSentimentModel, "from_preset", classmethod(lambda cls, *a, **k: angry))
    assert main(["explain", "--preset", "planted", "--text", ANGRY, "--what-if"]) == 0
    out = capsys.readouterr().out
    assert "What would change its mind (checked by the model):" in out
    assert "Without 'awful' and 'furious' it reads neutral" in out and "[-awful-]" in out and "{+wonderful+}" in out
    assert main(["explain", "--preset", "planted", "--text", ANGRY, "--what-if", "--what-if-forwards", "2",
                 "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["what_if"][0]["max_forwards"] == 2 and data["what_if"][0]["cost"]["forward_passes"] <= 2
    assert main(["explain", "--preset", "planted", "--text", ANGRY]) == 0
    assert "What would change its mind" not in capsys.readouterr().out  # off unless asked
    assert main(["explain", "--preset", "planted", "--text", ANGRY, "--what-if-forwards", "0"]) == 2
    assert capsys.readouterr().err.strip() == "error: Explanation option: what-if forwards must be 1 to 10000."


# ---------------------------------------------------------------- robustness


class WavyImage(PlantedImage):
    """The top-left cell's brightness, read through a fast oscillation: a tiny change of a pixel moves it a lot."""

    def _run(self, inputs, want_features):
        grey = inputs["pixel_values"].mean(1)
        cells = grey.reshape(grey.shape[0], 7, 4, 7, 4).mean((2, 4)).flatten(1)  # [B, 49]
        s = 0.1 * torch.sin(20000.0 * cells).sum(1)
        logits = torch.stack([-s, torch.zeros_like(s), s], dim=-1)
        return logits, (grey.flatten(1)[:, :4] if want_features else None)


def _noisy_picture() -> Inputs:
    img = np.random.default_rng(3).integers(60, 200, (2 * S, 2 * S, 3), dtype=np.uint8)
    return Inputs(image=ImageInput(Image.fromarray(img), [], (2 * S, 2 * S)))


@pytest.mark.parametrize("cls, stable", [(PlantedImage, True), (WavyImage, False)])
def test_robustness_tells_a_stable_map_from_a_fragile_one(cls, stable):
    from msa_demo import views

    model = build_model({"image": cls(planted_spec("planted-image"), torch.device("cpu"), torch.float32)},
                        AdditiveFusion())
    opts = ExplainOptions(robustness=True, image_methods=("occlusion",), image_baseline="mean")
    (m,) = explain(model, _noisy_picture(), options=opts).maps
    sens = m.faithfulness.sensitivity
    assert sens is not None and "4 draws" in m.params["robustness_noise"]
    print(f"sensitivity {cls.__name__}: {sens:.4f}")
    assert (sens < 0.1) if stable else (sens > 0.5), sens
    again = explain(model, _noisy_picture(), options=opts).maps[0].faithfulness.sensitivity
    assert again == pytest.approx(sens, rel=1e-5)  # seeded noise
    (mark, text), = [v for v in views.trust_verdicts({"maps": [m.to_dict()]}) if "robustness" in v[1]]
    assert mark == ("✓" if stable else "✗")
    assert text.startswith("image occlusion robustness: small input noise " + ("barely changes" if stable
                                                                                 else "changes the map a lot"))
    (row,) = views.trust_rows({"maps": [m.to_dict()]})
    # —: nothing to rank where the noisy picture's cells, half of them removed, barely move the score
    assert row["sensitivity"] == f"{sens:.3f}" and row["mark"] in ("✓", "✗", "?", "—")
    assert m.cost.forward_passes > 50 * 4  # four more occlusion maps


def test_robustness_of_a_word_map_adds_noise_to_the_embeddings(angry):
    exp = explain(angry, Inputs(text=TextInput(ANGRY)), options=ExplainOptions(robustness=True))
    (m,) = exp.maps
    assert m.method == "layer_integrated_gradients" and "token embeddings" in m.params["robustness_noise"]
    # the score reads one component linearly: IG on noisy embeddings moves by the noise's share only
    assert 0 < m.faithfulness.sensitivity < 0.1
    plain = explain(angry, Inputs(text=TextInput(ANGRY))).maps[0]
    assert plain.scores == pytest.approx(m.scores, abs=1e-6)  # the noise never reached the map itself
    assert plain.faithfulness.sensitivity is None


def test_robustness_of_scores_that_barely_matter_cannot_tell():
    from msa_demo import views

    flat = {"modality": "image", "method": "occlusion", "faithfulness": {"aopc": 0.0, "aopc_random": 0.0,
                                                                         "sensitivity": 3.0}}
    (mark, text), = [v for v in views.trust_verdicts({"maps": [flat]}) if "robustness" in v[1]]
    assert mark == "?" and "cannot tell whether the map is stable" in text


def test_a_quoted_word_leaves_its_punctuation_out_and_a_quick_search_is_not_said_to_take_no_time():
    """"Without 'magnifique,', 'vraiment' ..." quoted the comma; "(6 forwards, 0.00 s)" read as if nothing ran."""
    from msa_demo import views
    from msa_demo.explain.whatif import quoted, units_phrase

    assert units_phrase("text", ["magnifique,", "«vraiment»", "awful!", "..."]) == \
        "'magnifique', 'vraiment', 'awful' and '...'"
    assert quoted("好极了！") == "'好极了'"
    c = {"modality": "text", "flipped": True, "minimal": True, "edit": "remove", "units": ["awful,"], "label": "positive",
         "probs": {"positive": 0.6}, "cost": {"forward_passes": 6, "seconds": 0.001}}
    assert views.whatif.cost_line(c) == "6 model runs, < 0.01 s"
    assert views.whatif.line(c, {"maps": []}, "zh").startswith("文字：去掉“awful”，")


def test_an_edited_text_of_two_paragraphs_stays_inside_its_list_item():
    """"Superb acting.<br /><br />However ..." (read as two paragraphs): the edited text's second paragraph fell out
    of the what-if list as a paragraph of its own."""
    from markdown_it import MarkdownIt

    from msa_demo.views.whatif import edited_markdown

    pieces = [("Superb acting.\n\n", "kept"), ("However", "removed"), (" the ending was slow.", "kept")]
    item = f"- Text: without 'However' it reads positive.  \n  {edited_markdown(pieces)}\n- Image: no flip."
    page = MarkdownIt().render(item)
    assert page.count("<li>") == 2 and "<p>" not in page, page  # one list, two items, nothing between them
    assert "Superb acting.<br" in page and "<del>However</del> the ending" in page.split("</li>")[0]


def test_a_word_taken_out_many_times_is_named_once_and_punctuation_is_no_word():
    """A 6,000-character text's removed words read "'得值', '好景不长', '得值', '好景不长' ..."; "'。'" was listed as
    a word taken out, and "disappointed。" was struck with its "。"."""
    from msa_demo.explain.result import Counterfactual
    from msa_demo.explain.whatif import _text_pieces, is_word, sentence_for
    from msa_demo.views.whatif import sentence

    c = Counterfactual("text", "remove", True, "positive", "negative", {"negative": 0.6}, "",
                       units=["得值", "好景不长", "得值，", "好景不长", "得值"])
    assert sentence_for(c) == "Without '得值' ×3 and '好景不长' ×2 it reads negative (60 %)."
    assert sentence(c.to_dict(), None, "zh") == "去掉“得值” ×3和“好景不长” ×2，结论变为负面（60 %）。"
    assert not is_word("。") and not is_word("...") and is_word("disappointed。") and is_word("好")
    text = "I was disappointed。 Never again"
    assert _text_pieces(text, [[6, 19]], {0: None}) == [["I was ", ""], ["disappointed", "removed"],
                                                        ["。 Never again", ""]]


def test_chinese_words_taken_out_side_by_side_are_one_struck_run_not_tildes():
    """A Chinese edit showed "这家~~~~餐厅~~~~真的~~~~太棒了" on the panel: without spaces between words, Markdown's
    "~~a~~~~b~~" is not read as two strikes. The panel now writes <del>/<ins> as the report does (Gradio's Markdown
    keeps them; the page's CSS draws them on pink and green), each run of adjacent removed words as one."""
    from markdown_it import MarkdownIt

    from msa_demo.views.whatif import edited_html, edited_markdown

    pieces = [("这家", ""), ("餐厅", "removed"), ("真的", "removed"), ("太棒了", "removed"), ("，", ""),
              ("好", "removed"), ("差", "added"), ("吃。", "")]
    page = MarkdownIt().render(f"- 文字：去掉……  \n  {edited_markdown(pieces)}")
    assert "~" not in page, page
    assert "这家<del>餐厅真的太棒了</del>，<del>好</del> → <ins>差</ins>吃。" in page
    assert edited_html(pieces) == "这家<del>餐厅真的太棒了</del>，<del>好</del> → <ins>差</ins>吃。"
    import app

    assert "#what-if-panel del {background: #f4c7c3" in app.CSS  # drawn as the report's: a struck word is seen


def test_a_search_that_did_not_flip_names_what_it_tried_and_a_near_tie_is_said_as_one():
    """"Text: no flip; with antonyms for the top word it still reads positive (96 %)" did not say which word it
    swapped for which; "still reads neutral (36 %)" at 36 / 33 / 31 % took a side the verdict on top does not take;
    and "none of the words that carry the verdict is in the lexicon" was said of a text full of lexicon words that
    push the other way. Each is said as it is now, in English and in Chinese."""
    from msa_demo.explain.result import Counterfactual
    from msa_demo.explain.whatif import sentence_for
    from msa_demo.views.whatif import sentence

    swapped = Counterfactual("text", "antonym", False, "positive", "positive", {"positive": 0.96, "neutral": 0.03,
                             "negative": 0.01}, "", units=["fantastic,", "loved"], replacements=["awful", "hated"])
    assert sentence_for(swapped) == ("Text: no flip; with antonyms for the top 2 words ('fantastic' → 'awful' and "
                                     "'loved' → 'hated') it still reads positive (96 %).")
    assert sentence(swapped.to_dict(), None, "zh") == ("文字：没有翻转；把反义词换入排名前 2 的词（“fantastic”→“awful”和"
                                                       "“loved”→“hated”），结论仍是正面（96 %）。")
    close = Counterfactual("text", "remove", False, "neutral", "neutral", {"neutral": 0.36, "negative": 0.33,
                           "positive": 0.31}, "", units=["12345"])
    assert sentence_for(close, total=2) == ("Text: no flip; without the top word ('12345') it is too close to call "
                                            "between neutral (36 %) and negative (33 %).")
    assert "结论在中性（36 %）和负面（33 %）之间难分高下" in sentence(close.to_dict(), None, "zh")
    assert sentence_for(close, total=1).startswith("Text: no flip; without its only word it")  # all of it: not named
    assert sentence(close.to_dict(), {"maps": [{"modality": "text", "method": "", "labels": ["12345"]}]},
                    "zh").startswith("文字：没有翻转；去掉它唯一的词，结论在中性")
    none = Counterfactual("text", "antonym", False, "negative", "negative", {"negative": 0.7, "neutral": 0.2,
                          "positive": 0.1}, "")
    assert sentence_for(none) == ("Text: none of the words that push toward negative is in the what-if's lexicon, so "
                                  "none was replaced.")
    assert sentence(none.to_dict(), None, "zh") == "文字：推向负面的词都不在反事实词表中，因此没有替换任何词。"


def test_removed_spoken_words_are_listed_without_their_punctuation():
    """The command line printed "removed: awful,, worst, furious," for the spoken words a what-if took out."""
    from msa_demo.explain.result import Counterfactual
    from msa_demo.views.whatif import _detail

    words = ["awful,", "worst,", "furious.", "so", "very", "bad!", "now"]  # more than a sentence names
    c = Counterfactual("audio", "remove", True, "negative", "positive", {"positive": 0.8}, "", units=words)
    assert _detail(c.to_dict()) == ("units", ["awful", "worst", "furious", "so", "very", "bad", "now"])


def test_a_word_is_swapped_only_where_it_says_what_the_verdict_says():
    """A long review's weak map ranked 'excellent' and 'better' toward negative, and the antonym what-if swapped
    them for 'awful' and 'worse' beside 'Worst' → 'Best': it read more negative (88 %, from 52 %), not less. Only
    the listed words that say what the verdict says are swapped; every listed word says one side."""
    from msa_demo.explain.lexicon import CHINESE, ENGLISH, says
    from msa_demo.explain.result import AttributionMap
    from msa_demo.explain.whatif import swappable

    labels = ["Worst", "excellent.", "useless", "better", "bad,", "box", "很好"]
    amap = AttributionMap(modality="text", method="occlusion", params={}, labels=labels,
                          scores=[0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3], spans=[[i, i + 1] for i in range(7)])
    assert [labels[i] for i in swappable(amap, "negative", "negative", "antonym")] == ["Worst", "useless", "bad,"]
    assert [labels[i] for i in swappable(amap, "positive", "negative", "neutral")] == []  # none pushes toward it
    amap.scores = [-s for s in amap.scores]  # a map of 'negative' read for a positive verdict: lowest first
    assert [labels[i] for i in swappable(amap, "positive", "negative", "antonym")] == ["excellent.", "better", "很好"]
    assert says("Excellent!") == "positive" and says("糟糕") == "negative" and says("box") is None
    for table in (ENGLISH, CHINESE):  # a word and its listed antonym say opposite things
        for word, (antonym, _neutral) in table.items():
            if antonym in table:
                assert says(word) != says(antonym), (word, antonym)


def test_a_listed_chinese_word_is_found_inside_jieba_s_words_with_their_degree_adverbs_and_particles():
    """jieba cuts "质量太差了，…" into "太差", "了", …, and "这家餐厅真的太棒了，服务也非常好" into "太棒了", "非常",
    "好": the table lists "差", "棒" and "好", and an exact match found none ("none of the words that push toward
    negative is in the what-if's lexicon"). The listed word is now found inside such a word, and only it is replaced;
    a negation is not a degree adverb ("不好" is not "好")."""
    from msa_demo.explain.lexicon import replacement, says, swap
    from msa_demo.language import word_spans

    text = "质量太差了，用了两天就坏了，客服也不理人，真是浪费钱，再也不会买这个牌子了。"
    words = [text[a:b] for a, b in word_spans(text)]
    assert "太差" in words  # jieba's own cut (a change of jieba changes this, not the lexicon)
    assert {w: replacement(w, "antonym") for w in words if says(w)} == {"太差": "太好"}
    assert says("太差") == "negative" and swap("太差", "antonym") == (1, 2, "好")
    text = "这家餐厅真的太棒了，服务也非常好，我很满意！真是太好了。"
    words = [text[a:b] for a, b in word_spans(text)]
    found = {w: (replacement(w, "antonym"), replacement(w, "neutral")) for w in words if says(w) == "positive"}
    assert found["太棒了"] == ("太烂了", "太一般了") and found["太好了"] == ("太差了", "太一般了")
    assert found["满意"] == ("失望", "惊讶")  # neutral after 很 / 非常: not "真的非常了解"
    assert swap("太棒了！", "antonym") == (1, 2, "烂") and replacement("非常好吃！", "antonym") == "非常难吃！"
    assert says("不好") is None and says("好好") is None and says("了") is None


def test_a_search_under_a_deadline_runs_no_batch_the_time_left_cannot_hold(monkeypatch):
    """A long review's rows took a second each, and a batch of 16 begun just before the deadline ran the what-if
    to 5.5 s of its 2.5 s. A batch now holds no more rows than the time left holds at the last batch's pace (on a
    clock the rows advance by 0.05 s each, with 0.3 s given: 4 rows, then the 2 that fit, not 8)."""
    from msa_demo.explain import whatif

    class Clock:
        now = 100.0

        def perf_counter(self):
            return self.now

    clock = Clock()
    monkeypatch.setattr(whatif, "time", clock)
    batches = []

    def evaluate(sets):
        batches.append(len(sets))
        clock.now += 0.05 * len(sets)
        return torch.tensor([[0.1, 0.2, 0.7]] * len(sets))  # positive whatever is removed: no flip

    rows = whatif._Rows(evaluate, verdict=2, max_rows=64, deadline=clock.now + 0.3)
    units, _probs, flipped, _minimal = whatif.grow_and_prune(list(range(40)), rows)
    assert batches == [4, 2] and not flipped and len(units) == 6
    assert rows.stopped == "time" and clock.now <= 100.3 + 1e-9


def test_the_edited_texts_a_search_reads_are_not_kept_beside_the_inputs_readings():
    """A search reads up to 64 edited texts; each was kept in the model's cache of readings (64 entries), pushing
    out the readings of the inputs themselves (this page's and other visitors'). The inputs' own stay."""
    model = _text_model()
    other = TextInput("the service was calm")
    model.predict(text=other)  # another visitor's text, read before
    exp = explain(model, Inputs(text=TextInput(ANGRY)), options=ExplainOptions(what_if=True, **QUICK))
    assert sum(c.cost.forward_passes for c in exp.what_if) > 4  # edited texts were read
    kept = [key for key in model._cache if key[0] == "text"]
    assert kept == [("text", other.key), ("text", TextInput(ANGRY).key)]
    assert model.encoded_already("text", other) is not None


def test_a_long_text_s_edit_is_shown_with_the_words_beside_it_not_the_whole_text():
    """A 300-word review was repeated whole under each what-if to show one struck word; a long text is shown
    around its edits ("…" where words are left out), a short one whole; the page and the report alike."""
    from msa_demo.views.whatif import CONTEXT_WORDS, edited_html, edited_markdown

    before = " ".join(f"a{i}" for i in range(150)) + " "
    after = " " + " ".join(f"b{i}" for i in range(150)) + "."
    pieces = [[before, ""], ["awful", "removed"], [after, ""]]
    for shown in (edited_markdown(pieces), edited_html(pieces)):
        words = shown.split()
        assert "<del>awful</del>" in shown and shown.startswith("… ") and shown.endswith(" …")
        assert f"a{150 - CONTEXT_WORDS}" in words and f"a{149 - CONTEXT_WORDS}" not in words  # the words beside it
        assert f"b{CONTEXT_WORDS - 1}" in words and f"b{CONTEXT_WORDS}" not in words
    short = [["the food was ", ""], ["awful", "removed"], [" today", ""]]
    assert edited_html(short) == "the food was <del>awful</del> today"
    two = [[before, ""], ["awful", "removed"], [" " + " ".join(f"m{i}" for i in range(60)) + " ", ""],
           ["bad", "removed"], [after, ""]]  # between two edits: both ends kept, the middle left out
    shown = edited_html(two).split()
    assert "m0" in shown and "m59" in shown and "m30" not in shown and shown.count("…") == 3
    zh = [["这家餐厅的环境很好" * 20, ""], ["太差了", "removed"], ["服务员也很热情" * 20, ""]]
    told = edited_html(zh)
    assert "<del>太差了</del>" in told and len(told) < 120 and told.startswith("…") and told.endswith("…")


def test_word_swaps_are_offered_for_the_word_table_s_languages_only(angry):
    """A text in another language than the word table's (English, Chinese): the removal is searched as in any
    language, the antonym and neutral-word searches are not (a Spanish review's English-looking 'terrible' was
    swapped for 'great'), and one line says why, in English and Chinese, in the JSON, the panel and the report."""
    from msa_demo import report
    from msa_demo.language import detect_language
    from msa_demo.views.whatif import sentence, whatif_markdown

    spanish = "el servicio es muy awful y la comida furious"  # the planted words: s = -2.9, negative
    assert detect_language(spanish) == "es"
    exp = explain(angry, Inputs(text=TextInput(spanish)), options=ExplainOptions(what_if=True, **QUICK))
    assert exp.prediction.label == "negative"
    removal, swaps = exp.what_if  # (without the check: removal, antonym, neutral; 'awful' → 'wonderful' flipped it)
    assert removal.edit == "remove" and removal.flipped and sorted(removal.units) == ["awful", "furious"]
    said = "Text: word swaps (antonyms, neutral words) are offered for English and Chinese texts only, so none was tried."
    assert (swaps.stopped, swaps.flipped, swaps.units, swaps.cost.forward_passes) == ("language", False, [], 0)
    assert swaps.sentence == said
    record = json.loads(json.dumps(exp.to_dict()))
    zh = "文字：替换词语（反义词、中性词）只适用于英语和中文文本，因此没有尝试。"
    assert sentence(record["what_if"][1], record, "zh") == zh
    assert whatif_markdown(record).count(said) == 1 and whatif_markdown(record, "zh").count(zh) == 1
    assert report.to_html(record).split('<script type="application/json"')[0].count(said) == 1  # the page's
    # an English text keeps its swaps
    assert [c.edit for c in explain(angry, Inputs(text=TextInput(ANGRY)),
                                    options=ExplainOptions(what_if=True, **QUICK)).what_if] == [
        "remove", "antonym", "neutral"]
    from msa_demo.explain.lexicon import LANGUAGES

    assert LANGUAGES == ("en", "zh")  # what the line names


def test_a_visitor_s_web_address_is_shown_on_the_page_as_text_not_as_a_link():
    """The page's Markdown made "http://…", "www.…" and "name@host" in a visitor's text clickable links under the
    app's address (a shared link's what-if showed an attacker's links). Escaped, they read the same and link
    nowhere (Markdown's backslash escapes: the renderer shows the character alone)."""
    from msa_demo.views import md
    from msa_demo.views.whatif import edited_markdown

    shown = edited_markdown([["pay at http://127.0.0.1:9/x or WWW.evil.example, mail me@evil.example ", ""],
                             ["now", "removed"]])
    assert "http\\://127.0.0.1:9/x" in shown and "WWW\\.evil.example" in shown and "me\\@evil.example" in shown
    assert "://" not in shown.replace("\\://", "") and "www." not in shown.lower().replace("www\\.", "")
    assert md("Text: 4 words") == "Text: 4 words"  # nothing else changes


def test_a_voice_judged_by_its_words_with_every_word_blanked_is_not_said_as_a_reading():
    """Lite audio (a words-only model) said "Audio: no flip; without all 3 spoken words it still reads negative
    (92 %)": a reader could not tell what was left to read. It is a row of blanks (padding tokens): alone, the 92 %
    is the model's reading of them; beside a video, the video read with them."""
    from msa_demo.views.whatif import line, whatif_markdown

    amap = {"modality": "audio", "method": "word_ablation", "labels": ["It", "is", "awful."],
            "params": {"baseline": "pad token", "segments": "recognised words"}, "scores": [0.0, 0.0, 0.04]}
    c = {"modality": "audio", "edit": "remove", "flipped": False, "original": "negative", "label": "negative",
         "probs": {"negative": 0.92, "neutral": 0.01, "positive": 0.07}, "units": ["awful.", "It", "is"],
         "method": "word_ablation", "cost": {"forward_passes": 3, "seconds": 0.1}, "stopped": "",
         "sentence": "Audio: no flip; without all 3 spoken words it still reads negative (92 %). Taking out every "
                     "spoken word is not leaving the audio out (the chart's 'no audio'): its model still reads "
                     "what is left."}
    exp = {"target": "negative", "prediction": {"used": ["audio"]}, "maps": [amap], "what_if": [c]}
    said = line(c, exp)
    assert said == ("Audio: no flip can be found by taking words out. Its model judges only the words said, and with "
                    "all 3 of them blanked out the voice gives it nothing to read: the 92 % 'negative' it then gives "
                    "is its reading of a row of blanks (padding tokens), not of anything said.")
    assert "still reads" not in whatif_markdown(exp)
    exp["prediction"]["used"] = ["audio", "video"]
    assert line(c, exp).endswith("the 92 % 'negative' left is the video read together with a row of blanks (padding "
                                 "tokens) in place of the words.")
    assert "填充标记" in line(c, exp, "zh") and "视频" in line(c, exp, "zh")
    c["units"] = ["awful.", "It"]  # not every word: the search's own sentence
    assert line(c, exp) == c["sentence"]


def test_the_json_a_program_gets_says_the_blanked_voice_as_the_page_does():
    """/explain_json, MCP and ``explain --json`` (one source: ``views.story.with_trust``) still gave the search's own
    "without all 3 spoken words it still reads negative (92 %)" where the page said it is a reading of padding
    tokens; any other what-if keeps its sentence."""
    from msa_demo.views.story import with_trust
    from msa_demo.views.whatif import line

    amap = {"modality": "audio", "method": "word_ablation", "labels": ["It", "is", "awful."],
            "params": {"baseline": "pad token", "segments": "recognised words"}, "scores": [0.0, 0.0, 0.04]}
    blanked = {"modality": "audio", "edit": "remove", "flipped": False, "original": "negative", "label": "negative",
               "probs": {"negative": 0.92, "neutral": 0.01, "positive": 0.07}, "units": ["awful.", "It", "is"],
               "method": "word_ablation", "cost": {"forward_passes": 3, "seconds": 0.1}, "stopped": "",
               "sentence": "Audio: no flip; without all 3 spoken words it still reads negative (92 %)."}
    text = {"modality": "text", "edit": "remove", "flipped": True, "original": "negative", "label": "neutral",
            "probs": {"negative": 0.3, "neutral": 0.6, "positive": 0.1}, "units": ["awful"], "method": "ig",
            "cost": {"forward_passes": 2, "seconds": 0.1}, "stopped": "", "sentence": "Without 'awful' it reads "
            "neutral (60 %)."}
    exp = {"target": "negative", "prediction": {"used": ["audio", "text"]}, "maps": [amap], "what_if": [blanked, text]}
    said = with_trust(exp)["what_if"]
    assert said[0]["sentence"] == line(blanked, exp) and "padding tokens" in said[0]["sentence"]
    assert "still reads" not in said[0]["sentence"] and "the words read together" in said[0]["sentence"]
    assert said[1] == text
    assert exp["what_if"][0]["sentence"].startswith("Audio: no flip; without all 3")  # the record itself is kept


def test_a_flip_that_takes_most_of_the_face_out_is_said_as_that_not_listed():
    """The opening example's picture said "Without picture regions r6c3 (row 6, column 3), ... and 39 more of the
    7×7 grid over the face it reads positive (43 %)", with the 45 regions listed under it: taking out 45 of 49
    regions is taking the face away, which explains nothing. A flip that needs most of a map's units is said as
    that, in English (the record, so the JSON and the command line) and in Chinese, with no list under it; a flip
    that needs few is listed as before."""
    from msa_demo.explain.result import Counterfactual
    from msa_demo.explain.whatif import sentence_for
    from msa_demo.views.whatif import line, sentence, whatif_html, whatif_markdown

    labels = [f"r{r}c{c}" for r in range(1, 8) for c in range(1, 8)]
    params = {"regions": "grid", "grid": 7, "grid_over": "face"}
    probs = {"positive": 0.43, "neutral": 0.30, "negative": 0.27}
    most = Counterfactual("image", "remove", True, "negative", "positive", probs, "", units=labels[:45],
                          method="occlusion")
    said = sentence_for(most, params, total=49)
    assert said == ("Only taking out most of the face (45 of the 49 regions) changes the verdict (it then reads "
                    "positive (43 %)): no small part of the picture decides it.")
    most.sentence = said
    c = most.to_dict()
    exp = {"target": "negative", "prediction": {"used": ["image"]}, "what_if": [c],
           "maps": [{"modality": "image", "method": "occlusion", "labels": labels, "params": params}]}
    assert line(c, exp) == "Image: only taking out most of the face (45 of the 49 regions) changes the verdict (it " \
                           "then reads positive (43 %)): no small part of the picture decides it."
    assert sentence(c, exp, "zh") == ("只有去掉脸部的大部分（49 个区域中的 45 个）才会改变判断（此时判为正面（43 %））："
                                      "图片中没有哪一小部分能决定它。")
    for shown in (whatif_markdown(exp), whatif_html(exp), whatif_markdown(exp, "zh")):
        assert "r6c3" not in shown and "removed:" not in shown and "39 more" not in shown, shown
    every = Counterfactual("text", "remove", True, "negative", "neutral", {"neutral": 0.6, "negative": 0.4}, "",
                           units=["awful", "bad", "sad", "cold"])
    assert sentence_for(every, {}, total=4).startswith("Only taking out all of the words (the 4 words) changes")
    few = Counterfactual("image", "remove", True, "negative", "positive", probs, "", units=labels[:3])
    assert sentence_for(few, params, total=49).startswith("Without picture regions r1c1 (row 1, column 1), ")
    half = Counterfactual("image", "remove", True, "negative", "positive", probs, "", units=labels[:24])
    assert sentence_for(half, params, total=49).startswith("Without picture regions")  # not more than half


def test_the_picture_of_removed_regions_over_a_found_face_shows_the_face(lite):
    """On lite, the smiling example's what-if removes three cells of the 7×7 grid over her face (the smile) and reads
    neutral; its picture was the whole 256-px picture at thumbnail size, where the cells, 8 px each, were specks by
    her chin. It shows the face and its margin now, where the heat maps are drawn (``params["heatmap_box"]``), large
    enough to see the cells removed."""
    import base64
    import io
    from pathlib import Path

    from msa_demo import views

    picture = Image.open(Path(__file__).resolve().parents[1] / "examples" / "happy_face.png").convert("RGB")
    exp = explain(lite, lite.read_inputs(image=picture),
                  options=ExplainOptions(what_if=True, image_methods=("occlusion",), deletion_steps=2))
    data = exp.to_dict()
    [c] = [c for c in data["what_if"] if c["modality"] == "image" and c["flipped"]]
    area = data["maps"][0]["params"]["heatmap_box"]
    assert data["maps"][0]["params"]["grid_over"] == "face" and area[2] - area[0] < picture.width / 2
    found = re.search(r"!\[The picture without those regions \(greyed\)\]\(data:image/png;base64,([^)]+)\)",
                      views.whatif_markdown(data))
    assert found
    shown = Image.open(io.BytesIO(base64.b64decode(found.group(1)))).convert("RGB")
    assert max(shown.size) <= 200  # the page's thumbnail

    def like(a: Image.Image, b: Image.Image) -> float:  # mean difference of two pictures at 64 × 64, grey
        return float(np.abs(np.asarray(a.convert("L").resize((64, 64)), dtype=np.float32)
                            - np.asarray(b.convert("L").resize((64, 64)), dtype=np.float32)).mean())

    assert like(shown, picture.crop(tuple(area))) < 8 < like(shown, picture)  # the face and its margin, not the whole
    red = np.abs(np.asarray(shown, dtype=np.int32) - np.array([215, 48, 39])).sum(-1) < 90  # the cells' outlines
    columns = np.flatnonzero(red.any(0))
    assert columns[-1] - columns[0] > 0.2 * shown.width, (columns, shown.size)  # the three cells: a fifth across
    # the report draws the same picture
    pic = views.whatif_picture(data, c)
    assert like(pic, picture.crop(tuple(area))) < 8 and min(pic.size) >= 200
