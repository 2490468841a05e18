"""Two models side by side: maps that agree by construction, and a model whose cause is planted elsewhere."""

from __future__ import annotations

import pytest
import torch
from planted_models import VOCAB, PlantedText, PlantedTextNet, planted_inputs, planted_model

from msa_demo import report, views
from msa_demo.explain import ExplainOptions, explain
from msa_demo.explain.compare import compare, map_agreement, spearman


def _map(scores, labels=None, spans=None, method="occlusion", modality="text"):
    labels = labels or [f"w{i}" for i in range(len(scores))]
    return {"modality": modality, "method": method, "labels": labels, "scores": scores,
            "spans": spans if spans is not None else [[i, i + 1] for i in range(len(scores))]}


def test_maps_that_agree_or_oppose_by_construction():
    same = map_agreement(_map([3, -2, 1, 0.5, 0.1]), _map([3, -2, 1, 0.5, 0.1]), k=2)
    assert same["spearman"] == pytest.approx(1.0) and same["top_k"] == 1.0 and same["only_a"] == same["only_b"] == []
    opposite = map_agreement(_map([4, 3, 2, 1]), _map([1, 2, 3, 4]), k=1)
    assert opposite["spearman"] == pytest.approx(-1.0) and opposite["top_k"] == 0.0
    assert (opposite["only_a"], opposite["only_b"]) == (["w0"], ["w3"])
    # the same words cut by two tokenisers: matched by their place in the text, not their labels
    a = _map([1.0, 0.2], labels=["great", "day"], spans=[[0, 5], [6, 9]])
    b = _map([0.9, 0.1, 0.05], labels=["Great", "d", "ay"], spans=[[0, 5], [6, 7], [7, 9]])
    assert map_agreement(a, b)["features"] == 1 and spearman([1.0], [2.0]) is None


LIG = "layer_integrated_gradients"


def test_two_explanations_side_by_side_in_words_and_in_the_report():
    a = {"preset": "A", "target": "positive", "prediction": {"label": "positive", "probs": {"positive": 0.8},
         "modalities": {"text": {"label": "positive"}}}, "maps": [_map([1, 0.5, -0.2], method=LIG)]}
    b = {**a, "preset": "B", "prediction": {"label": "negative", "probs": {"negative": 0.7},
                                             "modalities": {"text": {"label": "negative"}}},
         "maps": [_map([-0.2, 0.5, 1], method=LIG)]}
    cmp = compare(a, b, k=1)
    assert cmp["agree"] is False and cmp["modalities"]["text"]["a"] == "positive"
    assert cmp["modalities"]["text"]["maps"][0]["only_a"] == ["w0"]
    text = views.compare_markdown(cmp, ("A's summary.", "B's summary."))
    assert "A (A) says positive, B (B) says negative: they disagree" in text and "-1.00 (opposite)" in text
    # an API client reads the markdown as it is: an apostrophe as typed, markup escaped
    assert "**A:** A's summary." in text and "&#x27;" not in text
    assert "&lt;b&gt;" in views.compare_markdown(cmp, ("<b>A</b>", "B"))
    from msa_demo.views.compare import compare_rows

    # the method in words, as the trust table says it ("layer_integrated_gradients" stood in both languages)
    assert compare_rows(cmp)[0][3] == "layer integrated gradients" and compare_rows(cmp, "zh")[0][3] == "层积分梯度"
    html = report.compare_html(a, b, cmp)
    assert html.count("<section>") == 2 and "they disagree" in html and "<script" not in html


def test_a_side_too_close_to_call_is_said_so_in_the_comparison():
    """A's fused negative 49.9 % vs positive 49.2 %: its summary said "Too close to call", the comparison "A (lite)
    says negative, B (lite-video4fps) says positive: they disagree". A near-tie takes no side, there as everywhere."""
    tie = {"negative": 0.499, "neutral": 0.009, "positive": 0.492}
    a = {"preset": "lite", "target": "negative", "prediction": {"label": "negative", "probs": tie, "modalities": {}}}
    b = {**a, "preset": "lite-video4fps", "prediction": {"label": "positive", "probs": {
        "negative": 0.2, "neutral": 0.1, "positive": 0.7}, "modalities": {}}}
    cmp = compare(a, b)
    said = views.compare_headline(cmp)
    assert said.startswith("A (lite) finds it too close to call, B (lite-video4fps) says positive: they disagree")
    assert "says negative" not in said and views.compare_headline(cmp, "zh").startswith("A（lite）难分高下")
    # both at a near-tie agree on that; a near-tie beside a decision for its own top class does not
    assert compare(a, {**a, "preset": "B"})["agree"] is True
    decided = {**a, "preset": "B", "prediction": {**a["prediction"], "probs": {"negative": 0.7, "positive": 0.3}}}
    assert compare(a, decided)["agree"] is False and "they disagree" in views.compare_headline(compare(a, decided))
    page = report.compare_html(a, b, cmp)  # its section is headed as its summary says it
    assert "<h2>A: lite — too close to call</h2>" in page and "<h2>B: lite-video4fps — positive</h2>" in page


class ElsewhereText(PlantedText):
    """The planted text model with its cause on "food" instead of "great"."""

    def load(self) -> None:
        super().load()
        self.net = PlantedTextNet(VOCAB.index("food")).eval().requires_grad_(False)


def test_planted_models_agree_and_a_model_planted_elsewhere_does_not():
    inputs = planted_inputs()
    options = ExplainOptions(image_methods=("occlusion",), audio_methods=("occlusion",), deletion_steps=2,
                             what_if=False)
    a = explain(planted_model(), inputs, target="positive", options=options).to_dict()
    twin = explain(planted_model(), inputs, target="positive", options=options).to_dict()
    same = compare(a, twin)
    assert all(x["spearman"] == pytest.approx(1.0) and x["top_k"] == 1.0
               for per in same["modalities"].values() for x in per["maps"])
    other = planted_model()
    other.modalities["text"] = ElsewhereText(other.modalities["text"].spec, torch.device("cpu"), torch.float32)
    b = explain(other, inputs, target="positive", options=options).to_dict()
    words = compare(a, b, k=1)["modalities"]["text"]["maps"]
    assert words and all(x["only_a"] == ["great"] and x["only_b"] == ["food"] for x in words)
    assert all(per["maps"][0]["spearman"] == pytest.approx(1.0)
               for m, per in compare(a, b)["modalities"].items() if m != "text")  # the rest is the same model


def test_a_top_feature_is_shared_only_when_both_maps_push_it_the_same_way():
    """"top features shared 4 of 5" had stood beside a rank agreement of -0.23: the same words ranked high, A's
    pushing toward the class and B's against it. Shared now means the same words pushing the same way."""
    words = [3.0, 2.0, 1.5, 1.0, 0.5, 0.1]
    flipped = map_agreement(_map(words), _map([-w for w in words]), k=5)
    assert flipped["top_k"] == 0.0 and flipped["spearman"] == pytest.approx(-1.0)
    mixed = map_agreement(_map(words), _map([3.0, -2.0, 1.5, -1.0, 0.5, 0.1]), k=5)
    assert mixed["top_k"] == pytest.approx(3 / 5)  # w0, w2, w4 the same way; w1, w3 opposite


def test_a_model_s_own_verdict_too_close_to_call_is_said_so_in_the_table():
    """"B alone: positive" had stood beside B's own "the words alone are too close to call" (0.338 / 0.332 /
    0.330); an only-A word kept its comma ("Wow,, laptop,")."""
    from msa_demo.views.compare import compare_rows

    even = {"negative": 0.332, "neutral": 0.330, "positive": 0.338}
    a = {"preset": "A", "target": "positive", "prediction": {"label": "positive", "probs": {"positive": 0.9},
         "modalities": {"text": {"label": "positive", "probs": {"negative": 0.05, "neutral": 0.05,
                                                                "positive": 0.9}}}},
         "maps": [_map([1, 0.5, -0.2], labels=["Wow,", "laptop,", "ok"], method=LIG)]}
    b = {**a, "preset": "B", "prediction": {"label": "positive", "probs": even,
                                             "modalities": {"text": {"label": "positive", "probs": even}}},
         "maps": [_map([-0.2, 0.5, 1], labels=["Wow,", "laptop,", "ok"], method=LIG)]}
    row = compare_rows(compare(a, b, k=1))[0]
    assert row[1:3] == ("positive", "too close to call") and row[6] == "Wow"
    assert compare_rows(compare(a, b, k=1), "zh")[0][2] == "难分高下"


def test_a_modality_b_s_model_does_not_read_says_why_not_a_bare_dash(tiny_model, tiny_preset_path, tmp_path,
                                                                      rgb_image, tone):
    """B, a model that reads no audio (a trained head that reads only text and image; here a preset without an
    audio model), showed "—" in Compare's audio row and nothing more, where the command line said why. The cell
    says it was not used and a line under the table says why, as B's model said it, on the page and in the
    report, in English and Chinese."""
    from dataclasses import replace

    from msa_demo import i18n
    from msa_demo.config import load_preset, save_preset
    from msa_demo.model import MultimodalSentimentModel
    from msa_demo.views.compare import compare_rows

    tiny = load_preset(tiny_preset_path)
    no_audio = replace(tiny, name="no-audio", modalities={m: s for m, s in tiny.modalities.items() if m != "audio"})
    b_model = MultimodalSentimentModel.from_preset(str(save_preset(no_audio, tmp_path / "no_audio.json")), device="cpu")
    cheap = ExplainOptions(text_methods=("occlusion",), image_methods=("occlusion",), audio_methods=("occlusion",),
                           grid=2, deletion_steps=2, what_if=False)
    given = dict(text="a calm afternoon", image=rgb_image, audio=(16000, tone))
    a = explain(tiny_model, tiny_model.read_inputs(**given), options=cheap).to_dict()
    b = explain(b_model, b_model.read_inputs(**given), target=a["target"], options=cheap).to_dict()
    why = "This preset has no audio model, so the audio was not used."
    assert why in b["prediction"]["notices"]
    cmp = compare(a, b)
    audio = next(r for r in compare_rows(cmp) if r[0] == "audio")
    assert audio[1] == i18n.label(a["prediction"]["modalities"]["audio"]["label"]) and audio[2] == "not used (see below)"
    assert f"**B:** {why}" in views.compare_markdown(cmp)
    assert f"<p><b>B:</b> {why}</p>" in views.compare_table_html(cmp)
    zh = views.compare_markdown(cmp, lang="zh")
    assert "未使用（原因见下）" in zh and f"**B:** {i18n.said(why, 'zh')}" in zh and "此预设没有音频模型" in zh
    assert not [r for r in compare_rows(cmp) if r[0] != "audio" and "not used" in " ".join(r)]  # A and B read the rest
