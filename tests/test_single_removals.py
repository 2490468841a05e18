"""The single-word check of a words map: its strongest words, each removed alone on the map's own baseline, beside
their colours (msa_demo.explain.faithfulness, methods.check_removals), and what the trust table, the JSON answers
and the what-if make of it. On planted models whose answer is known by construction:

- context (tests/test_words_ablation.py): "great" carries sentiment only in context; converged IG draws it AWAY
  from positive (-0.07) where removing it alone lowers P(positive) by 0.28 (and flips the verdict to neutral);
- linear (tests/planted_models.py): only "great" moves the score, and IG's scores are exactly its removal.

The AOPC gap (the deletion test) passes both: the check the trust table had no answer to.
"""

from __future__ import annotations

import json

import pytest
import torch

from msa_demo import views
from msa_demo.explain import ExplainOptions, explain
from msa_demo.inputs import Inputs, TextInput
from planted_models import planted_model
from test_words_ablation import TEXT, ContextText, _model, _without_great

AWAY = ("text layer integrated gradients single-word check: removing 'great' alone lowers 'positive' by 28 points, "
        "but the map colours it away from 'positive'.")


@pytest.fixture(scope="module")
def context():
    return _model(ContextText)


@pytest.fixture(scope="module")
def wrong_way(context):
    """The context model's words map (no what-if): IG, converged, 'great' drawn away from positive."""
    return explain(context, Inputs(text=TextInput(TEXT)), options=ExplainOptions(deletion_steps=4))


def test_a_map_that_draws_the_deciding_word_the_wrong_way_fails_the_trust_table(context, wrong_way):
    m = wrong_way.maps[0]
    great = m.labels.index("great")
    assert m.method == "layer_integrated_gradients" and m.delta < 0.05 and m.scores[great] < -0.05
    record = m.faithfulness.removals
    assert record["checked"] == len(m.labels) == 9  # every word of a short text removed alone
    (part,) = [p for p in record["parts"] if p["unit"] == "great"]
    assert part["removal"] == pytest.approx(_without_great(context), abs=1e-5) and part["removal"] > 0.2
    assert part["score"] == m.scores[great]
    # the deletion test alone passes it: that was the ✓
    exp = wrong_way.to_dict()
    verdicts = views.trust_verdicts(exp)
    assert ("✓", next(text for mark, text in verdicts if "AOPC gap" in text)) in verdicts
    (row,) = views.trust_rows(exp)
    assert (row["mark"], row["verdict"]) == ("✗", "read the highlighting with care: removing a word alone disagrees "
                                                  "with its colour")
    assert ("✗", AWAY) in verdicts
    assert AWAY in views.trust_markdown(exp, final=True)
    zh = views.trust_markdown(exp, final=True, lang="zh")
    assert "单词检验：只去掉“great”会让“正面”下降 28 个百分点，但图中把它标为推离“正面”" in zh
    assert "请谨慎看待高亮：单独去掉一个词的效果与它的颜色不一致" in zh


def test_the_single_word_check_reaches_the_json_answers(wrong_way):
    """/explain_json, MCP's explain and ``explain --json`` all answer ``views.story.with_trust`` of the record: the
    removals in the map's faithfulness, the verdict and its reason in its trust."""
    answer = json.loads(json.dumps(views.story.with_trust(wrong_way.to_dict()), ensure_ascii=False))
    (m,) = answer["maps"]
    assert [p["unit"] for p in m["faithfulness"]["removals"]["parts"]][0] == "great"
    assert m["trust"]["mark"] == "✗" and {"mark": "✗", "reason": AWAY} in m["trust"]["checks"]


def test_a_map_that_agrees_with_single_removals_keeps_its_tick(planted):
    exp = explain(planted, Inputs(text=TextInput(TEXT)), options=ExplainOptions(deletion_steps=4)).to_dict()
    (m,) = [m for m in exp["maps"] if m["modality"] == "text"]
    parts = m["faithfulness"]["removals"]["parts"]
    assert parts[0]["unit"] == "great" and parts[0]["removal"] > 0.2
    assert parts[0]["removal"] == pytest.approx(parts[0]["score"], abs=1e-4)
    from msa_demo.explain.faithfulness import disagreements

    assert disagreements(m["faithfulness"]["removals"], m["scores"]) == []
    (row,) = [r for r in views.trust_rows(exp) if r["map"].startswith("text")]
    assert row["mark"] == "✓"
    assert ("✓", "text layer integrated gradients single-word check: each of its strongest words (4), removed alone, "
                 "moves 'positive' the way the map colours it, or too little to matter.") in views.trust_verdicts(exp)


def test_a_map_of_single_removals_is_not_checked_against_itself(context):
    m = explain(context, Inputs(text=TextInput(TEXT)),
                options=ExplainOptions(deletion_steps=2, text_methods=("occlusion",))).maps[0]
    assert m.method == "feature_ablation" and m.faithfulness.removals is None


@pytest.mark.parametrize("p, score, removal, how", [
    (0.95, 0.155, -0.035, "toward"),  # 0.950 -> 0.985 on removal: 3.5 points, but 1.25 in log-odds
    (0.60, 0.155, -0.035, ""),  # 3.5 points in the middle: not a clear margin
    (0.60, -0.20, 0.06, "away"),
    (0.60, 0.20, 0.30, ""),  # agrees
    (0.60, 0.05, 0.08, ""),  # next to no weight (under a tenth of the strongest), 8 points: below 10
    (0.60, -0.05, 0.12, "faint"),
])
def test_what_counts_as_a_disagreement(p, score, removal, how):
    """A clear margin: 5 points, or near certainty 2 points that are 1 in log-odds; a score under a tenth of the
    map's strongest is next to no weight, and fails only where removing the word moves P(target) 10 points."""
    from msa_demo.explain.faithfulness import disagreements

    record = {"p": p, "checked": 2, "parts": [{"unit": "w", "index": 0, "score": score, "removal": removal}]}
    odd = disagreements(record, [score, 1.0])
    assert [d["how"] for d in odd] == ([how] if how else [])


def test_the_what_if_says_only_what_it_checked_and_the_trust_table_weighs_it(context):
    """"The map ranks 'don't' highest, but taking out 'hate' alone changes the verdict" implied taking out 'don't'
    would not; it says how the map draws the word it took out, and the trust table, under it, is ✗."""
    exp = explain(context, Inputs(text=TextInput(TEXT)),
                  options=ExplainOptions(deletion_steps=2, what_if=True)).to_dict()
    removal = exp["what_if"][0]
    assert removal["units"] == ["great"] and removal["flipped"]
    said = views.whatif.map_disagrees(exp)
    assert said == ("The map and this check disagree: taking out 'great' alone changes the verdict, though the map "
                    "colours 'great' away from 'positive'. The check is the model reading the edited text: go by it, "
                    "not the colours, here.")
    assert "highest" not in said and said in views.whatif_markdown(exp)
    assert "只去掉“great”就改变了结论，而图中把“great”标为推离“正面”" in views.whatif.map_disagrees(exp, "zh")
    assert ("✗", "text layer integrated gradients what-if check: taking out 'great' alone changes the verdict, though "
                 "the map colours 'great' away from 'positive'.") in views.trust_verdicts(exp)


def test_the_word_swaps_follow_what_removing_a_word_does_not_the_map_s_sign(context):
    """"I don't hate it.": none of the words that push toward positive is in the lexicon, it said, although 'hate'
    is; the map had drawn it away from positive. Where single removals are known, a word's push is what removing it
    does: 'great' is swapped, and the verdict flips."""
    exp = explain(context, Inputs(text=TextInput(TEXT)), options=ExplainOptions(deletion_steps=2, what_if=True))
    assert exp.maps[0].scores[exp.maps[0].labels.index("great")] < 0
    antonym = next(c for c in exp.what_if if c.edit == "antonym")
    assert antonym.units == ["great"] and antonym.flipped and antonym.label == "neutral"
    assert "none of the words" not in antonym.sentence


@pytest.mark.parametrize("lang, said", [
    ("en", "Method changed: the words map is word ablation, not layer integrated gradients, whose scores missed the "
           "change they should add up to by {miss} at 2 steps"),
    ("zh", "方法已更换：词语归因图用的是词消融，而不是层积分梯度：层积分梯度在 2 步时分数与应加总的变化相差 {miss}")])
def test_a_words_map_that_gave_way_to_word_ablation_says_so_where_the_trust_table_is(lang, said):
    """Under a time budget on a busy machine IG got 8 steps, its gap 63 %, and the words map silently became word
    ablation (a quiet machine: IG at 16-24 steps, other colours): said in one line under the trust table, on the page
    and in the report, not only in a grey line beside the words."""
    from msa_demo import report
    from test_words_ablation import SteepText

    exp = explain(_model(SteepText), Inputs(text=TextInput(TEXT)),
                  options=ExplainOptions(ig_min_steps=2, ig_max_steps=2, deletion_steps=2)).to_dict()
    (m,) = exp["maps"]
    assert (m["method"], m["params"]["why"]) == ("feature_ablation", "gap")
    said = said.format(miss=f"{m['params']['ig_delta']:.0%}")
    page = views.trust_markdown(exp, final=True, lang=lang)
    assert said in page and page.index(said) < page.index("<details>")
    assert said in report.to_html(exp, lang)


def test_a_text_read_in_windows_says_its_method_changed_where_the_trust_table_is():
    from test_words_ablation import WindowedText

    exp = explain(_model(WindowedText), Inputs(text=TextInput(TEXT)), options=ExplainOptions(deletion_steps=2))
    assert "**Method changed: the words map is word ablation, not layer integrated gradients: the text is read in " \
           "windows, where the colours of layer integrated gradients disagree" in views.trust_markdown(exp.to_dict(), True)


class NegatedText(ContextText):
    """s = K g (1 - 2 n): g the words' planted sentiment summed ('awful' -1.5, 'wonderful' +1.5), n the count of
    "not". "the food was not awful" reads positive; without 'awful' (or with 'awful' -> 'wonderful') it does not:
    a word that says negative pushes toward positive in its context."""

    VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "food", "was", "not", "awful", "wonderful",
             "average"]

    def load(self) -> None:
        from transformers import DistilBertTokenizerFast

        vocab = self.VOCAB
        self.tokenizer = DistilBertTokenizerFast(vocab={w: i for i, w in enumerate(vocab)}, model_max_length=64)
        emb = torch.zeros(len(vocab), 2)
        emb[vocab.index("awful"), 0], emb[vocab.index("wonderful"), 0] = -1.5, 1.5
        emb[vocab.index("not"), 1] = 1.0
        self.net = type(self).Net(emb).eval()
        from planted_models import LABELS

        self.id2label = dict(LABELS)
        self.max_length = 64

    class Net(torch.nn.Module):
        def __init__(self, emb):
            super().__init__()
            self.emb = torch.nn.Embedding.from_pretrained(emb)

        def get_input_embeddings(self):
            return self.emb

    def _run(self, inputs, want_features):
        e = self.net.emb(inputs["input_ids"]) * inputs["attention_mask"].unsqueeze(-1)
        s = 2.0 * e[..., 0].sum(1) * (1 - 2 * e[..., 1].sum(1))
        return torch.stack([-s, torch.ones_like(s), s], -1), (e.mean(1) if want_features else None)


def test_a_word_that_says_negative_but_pushes_toward_positive_is_swapped():
    """"I don't hate it." read positive, and removing 'hate' alone flips it; its swaps said none of the words
    pushing toward positive was in the lexicon ('hate' says negative). Planted: "the food was not awful"."""
    exp = explain(_model(NegatedText), Inputs(text=TextInput("the food was not awful")),
                  options=ExplainOptions(deletion_steps=2, what_if=True))
    assert exp.prediction.label == "positive"
    m = exp.maps[0]
    assert [p["removal"] > 0.1 for p in m.faithfulness.removals["parts"] if p["unit"] == "awful"] == [True]
    antonym = next(c for c in exp.what_if if c.edit == "antonym")
    assert (antonym.units, antonym.replacements, antonym.flipped) == (["awful"], ["wonderful"], True)
    assert antonym.label == "negative"
