"""What would change its mind when an edit leaves the verdict too close to call (msa_demo.explain.whatif), on a
planted text model whose answer is known by construction.

The text model: s = the sum of the words' planted weights, logits (-s, 1, s) for (negative, neutral, positive),
fused additively (1/3 + 0.5 (p - 1/3)). "the report is terrible" has s = 3 x 0.35 - 3 = -1.95: negative (52 %).
Without 'terrible' s = 1.05: positive 41 %, neutral 39 %, negative 20 % (as the verdict boxes show them); 'negative' is out of the running, though
positive and neutral are too close to call. Without any other word s only falls: 'terrible' alone decides it.
(On the page a planted text with one negative word read "no flip found ... without the top 14 words", then its
replay "Only taking out most of the words (17 of the 21 words) changes the verdict ... no small part of the words
decides it", while deleting 'terrible' alone took 'negative' from 49 % to 0.5 %.)
"""

from __future__ import annotations

import pytest
import torch

from msa_demo.explain import ExplainOptions, explain
from msa_demo.explain.result import Cost, Counterfactual
from msa_demo.explain.whatif import sentence_for
from msa_demo.inputs import Inputs, TextInput
from msa_demo.prediction import percents
from msa_demo.views.whatif import line, sentence, whatif_markdown
from planted_models import WeightedText, weighted_text_model

WEIGHTS = {"the": 0.35, "report": 0.35, "is": 0.35, "terrible": -3.0}
TEXT = "the report is terrible"
QUICK = dict(text_methods=("occlusion",), deletion_steps=2)


class OneWordText(WeightedText):
    """s = the sum of the words' planted weights (an unknown word: 0); logits (-s, 1, s)."""

    weights = WEIGHTS


@pytest.fixture(scope="module")
def one_word():
    return weighted_text_model(OneWordText)


def test_a_word_whose_removal_leaves_two_other_classes_too_close_to_call_is_found_and_said_so(one_word):
    exp = explain(one_word, Inputs(text=TextInput(TEXT)), options=ExplainOptions(what_if=True, **QUICK))
    assert exp.prediction.label == "negative"
    before = exp.prediction.probs["negative"]
    after = one_word.predict(text="the report is").probs  # the model's own verdict on the text without the word
    assert round(100 * before) == 52 and percents(after) == {"positive": 41, "neutral": 39, "negative": 20}  # shown
    removal = exp.what_if[0]
    assert (removal.edit, removal.flipped, removal.minimal, removal.units) == ("remove", True, True, ["terrible"])
    assert removal.probs == pytest.approx(after, abs=1e-6) and removal.before == pytest.approx(before)
    assert removal.sentence == ("Taking out 'terrible' takes 'negative' from 52 % to 20 %: it is then too close to "
                                "call between positive (41 %) and neutral (39 %).")
    record = exp.to_dict()
    shown = whatif_markdown(record)
    assert "no small part" not in shown and "no flip" not in shown.split("Text: taking out 'terrible'")[0]
    assert line(record["what_if"][0], record) == ("Text: taking out 'terrible' takes 'negative' from 52 % to 20 %: "
                                                  "it is then too close to call between positive (41 %) and neutral "
                                                  "(39 %).")
    assert sentence(record["what_if"][0], record, "zh") == ("去掉“terrible”后，“负面”从 52 % 降到 20 %：此时结论在正面"
                                                            "（41 %）和中性（39 %）之间难分高下。")
    # 'terrible' swapped for its antonym, a word this model does not know (weight 0): the same near-tie
    antonym = next(c for c in exp.what_if if c.edit == "antonym")
    assert antonym.flipped and antonym.units == ["terrible"] and antonym.sentence == (
        "With 'terrible' → 'great' (antonyms) 'negative' falls from 52 % to 20 %: it is then too close to call "
        "between positive (41 %) and neutral (39 %).")
    assert "（反义词）后，“负面”从 52 % 降到 20 %" in sentence(antonym.to_dict(), record, "zh")


def test_how_far_the_verdict_fell_is_said_to_a_tenth_under_one_percent():
    """The lite replay said "takes 'negative' from 49 % to 1 %" of a fall to 0.5 %."""
    from msa_demo.explain.whatif import fell_to

    assert [fell_to(p) for p in (0.494, 0.2, 0.0102, 0.0052, 0.0004)] == ["49 %", "20 %", "1 %", "0.5 %", "< 0.1 %"]
    close = {"negative": 0.0052, "neutral": 0.494, "positive": 0.5008}
    c = Counterfactual("text", "remove", True, "negative", "positive", close, "", units=["terrible"], before=0.494)
    assert sentence_for(c, total=21) == ("Taking out 'terrible' takes 'negative' from 49 % to 0.5 %: it is then too "
                                         "close to call between positive (50 %) and neutral (49 %).")


def test_a_lead_too_close_to_call_against_the_verdict_still_does_not_take_it_away():
    """The verdict still in the near-tie is not taken away (the JSON had said "flipped" beside "negative (39 %),
    too close to call against positive (36 %)"); a near-tie between two other classes is."""
    from msa_demo.explain import whatif

    rows = whatif._Rows(lambda sets: torch.zeros(0, 3), verdict=2, max_rows=64, deadline=None)
    flips = rows.flips(torch.tensor([[0.39, 0.25, 0.36],  # positive in the near-tie: kept
                                     [0.494, 0.503, 0.003],  # positive 0.3 %, neutral and negative tied: taken away
                                     [0.60, 0.10, 0.30],  # negative clearly first
                                     [0.30, 0.36, 0.34]]))  # neutral first, positive 2 points behind: kept
    assert flips.tolist() == [False, True, True, False]


def test_a_search_that_ends_in_a_near_tie_says_it_as_one_in_both_languages():
    """"结论是正面（50 %），与负面（50 %）难分高下" took a side, then took it back; "it reads positive (51 %), too close to
    call against neutral (49 %)" likewise. A near-tie is said as the verdict box says it: between its two classes."""
    tried = Counterfactual("text", "remove", False, "negative", "positive",
                           {"positive": 0.501, "negative": 0.496, "neutral": 0.003}, "",
                           units=["骗子公司", "失望", "上当受骗", "废铁"], stopped="time", cost=Cost(4, 1.65))
    assert sentence_for(tried, total=20) == (
        "Text: no flip found before the what-if's time ran out (4 forwards); without the top 4 words ('骗子公司', "
        "'失望', '上当受骗' and '废铁') it is too close to call between positive (50 %) and negative (50 %).")
    assert sentence(tried.to_dict(), None, "zh") == (
        "文字：反事实搜索的时间用完前没有找到翻转（4 次前向）；去掉排名前 4 的词（“骗子公司”、“失望”、“上当受骗”和“废铁”），"
        "结论在正面（50 %）和负面（50 %）之间难分高下。")
    most = Counterfactual("text", "remove", True, "negative", "positive",
                          {"positive": 0.51, "neutral": 0.485, "negative": 0.005}, "", units=["w"] * 17,
                          before=0.494)
    assert sentence_for(most, total=21) == (
        "Only taking out most of the words (17 of the 21 words) changes the verdict (it is then too close to call "
        "between positive (51 %) and neutral (49 %)): no small part of the words decides it.")
    labels = {"maps": [{"modality": "text", "method": "", "labels": [f"w{i}" for i in range(21)]}]}
    assert sentence(most.to_dict(), labels, "zh") == (
        "只有去掉文字的大部分（21 个词中的 17 个）才会改变判断（此时结论在正面（51 %）和中性（49 %）之间难分高下）："
        "文字中没有哪一小部分能决定它。")
