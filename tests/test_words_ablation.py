"""Where Integrated Gradients' word colours are known to be unreliable (a text read in windows; a completeness gap
a time budget left large), the words map is word ablation, said in one line; and the text what-if tries the single
words whose removal alone moves the verdict most, not only the map's ranking. On planted models whose answer is
known by construction:

- context: only "great" carries sentiment, and only in context: s = K g (3 c - 2), g the "great" component summed,
  c the share of the attended tokens that are words (PAD and [CLS]/[SEP]: 0); logits (-s, 1, s). The text reads
  positive (c = 9/11: s = 2.3); without "great" (pad or deleted) s = 0: neutral, a one-word flip. Along IG's path
  from PAD every token grows at once (g = c·11/9 = α), and d s / d g = K (3 α c - 2) is negative for most of it:
  IG draws "great" AWAY from positive (-0.07 in the fused probability) where removing it drops it by 0.28;
- the same read in two overlapping windows of 10 tokens (the logits' mean), as lite reads a long text;
- steep: P(positive) jumps where the "great" component crosses 0.5: two IG steps miss it (gap ~100 %).
"""

from __future__ import annotations

import pytest
import torch

from msa_demo.explain import ExplainOptions, attribute_words, explain
from msa_demo.inputs import Inputs, TextInput
from msa_demo.modalities.text import _TextBase, window_index
from planted_models import LABELS, AdditiveFusion, build_model, planted_spec

VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "movie", "was", "great", "and", "food", "service",
         "today"]
TEXT = "the movie was great and the food service today"
K = 5.0


class Net(torch.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        emb = torch.zeros(len(VOCAB), 2)
        emb[5:, 1] = 1.0  # every word counts in the context share
        emb[VOCAB.index("great"), 0] = 1.0  # only "great" carries sentiment
        self.emb = torch.nn.Embedding.from_pretrained(emb)

    def get_input_embeddings(self) -> torch.nn.Module:
        return self.emb


class ContextText(_TextBase):
    def load(self) -> None:
        from transformers import DistilBertTokenizerFast

        self.tokenizer = DistilBertTokenizerFast(vocab={t: i for i, t in enumerate(VOCAB)}, model_max_length=64)
        self.net = Net().eval()
        self.id2label = dict(LABELS)
        self.max_length = 64

    def encoder_model(self):
        return self.net

    @staticmethod
    def score(e: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        e = e * mask.unsqueeze(-1).to(e.dtype)
        g, c = e[..., 0].sum(1), e[..., 1].sum(1) / mask.sum(1)
        return K * g * (3 * c - 2)

    def _run(self, inputs, want_features):
        e = self.net.emb(inputs["input_ids"])
        s = self.score(e, inputs["attention_mask"])
        return torch.stack([-s, torch.ones_like(s), s], -1), (e.mean(1) if want_features else None)


class WindowedText(ContextText):
    window = 10  # 11 tokens: read in two windows, the logits' mean

    def _run(self, inputs, want_features):
        e = self.net.emb(inputs["input_ids"])
        mask = inputs["attention_mask"]
        idx = window_index(e.shape[1], self.window, 1)
        s = torch.stack([self.score(e[:, i], mask[:, i]) for i in idx], 1)
        logits = torch.stack([-s, torch.ones_like(s), s], -1).mean(1)
        return logits, (e.mean(1) if want_features else None)


class SteepText(ContextText):
    def _run(self, inputs, want_features):
        e = self.net.emb(inputs["input_ids"])
        s = 30.0 * ((e * inputs["attention_mask"].unsqueeze(-1))[..., 0].sum(1) - 0.5)
        return torch.stack([-s, torch.zeros_like(s), s], -1), (e.mean(1) if want_features else None)


def _model(cls):
    return build_model({"text": cls(planted_spec("planted-text"), torch.device("cpu"), torch.float32)},
                       AdditiveFusion())


def _without_great(model) -> float:
    """f(x) - f(x with "great" replaced by PAD), the fused P(positive), read directly from the model."""
    full = model.predict(text=TEXT).probs["positive"]
    ids = model.modalities["text"].prepare(TEXT).inputs
    x = ids["input_ids"].clone()
    x[x == VOCAB.index("great")] = 0
    logits, _ = model.modalities["text"]._run({"input_ids": x, "attention_mask": ids["attention_mask"]}, False)
    p = torch.softmax(logits.float(), -1)[0]
    return full - float(1 / 3 + 0.5 * (p[2] - 1 / 3))


def test_ig_draws_the_planted_word_the_wrong_way_round_on_a_short_text():
    """The premise, kept as it is on a text of one window: converged IG says "great" pushes away from positive."""
    model = _model(ContextText)
    m = attribute_words(model, Inputs(text=TextInput(TEXT)), "positive", ExplainOptions(deletion_steps=2))
    assert m.method == "layer_integrated_gradients" and m.delta < 0.05 and "why" not in m.params
    assert m.scores[m.labels.index("great")] < -0.05 < 0.2 < _without_great(model)


def test_a_text_read_in_windows_is_mapped_by_word_ablation_exact_about_single_removals():
    from msa_demo.views.figures import words_caveats

    model = _model(WindowedText)
    inputs = Inputs(text=TextInput(TEXT))
    assert model.modalities["text"].prepare(TEXT).info["windows"] == 2
    exp = explain(model, inputs, options=ExplainOptions(deletion_steps=2))
    assert exp.prediction.label == "positive"
    m = exp.maps[0]
    assert (m.method, m.params["why"], m.params["in_place_of"]) == ("feature_ablation", "windows",
                                                                   "layer_integrated_gradients")
    great = m.labels.index("great")
    assert max(range(len(m.scores)), key=lambda i: m.scores[i]) == great
    assert m.scores[great] == pytest.approx(_without_great(model), abs=1e-5) and m.scores[great] > 0.2
    lines = words_caveats(exp.to_dict())
    assert any("read in windows" in line and "removing each word in turn" in line for line in lines)
    assert any("分窗口" in line for line in words_caveats(exp.to_dict(), "zh"))


PHRASED = "the movie was great, and the food. service today"  # three phrases, read in windows


class WindowedSum(ContextText):
    """Read in two windows of 10 tokens; each window's score is K times its "great" component (the logits' mean):
    only the phrase holding "great" carries sentiment."""

    window = 10

    def _run(self, inputs, want_features):
        e = self.net.emb(inputs["input_ids"]) * inputs["attention_mask"].unsqueeze(-1)
        n = e.shape[1]  # (a text cut short by the what-if fits one window)
        idx = window_index(n, self.window, 1) if n > self.window else torch.arange(n).unsqueeze(0)
        s = torch.stack([K * e[:, i][..., 0].sum(1) for i in idx], 1)
        logits = torch.stack([-s, torch.ones_like(s), s], -1).mean(1)
        return logits, (e.mean(1) if want_features else None)


def _without(model, text: str, phrase: str) -> float:
    """f(x) - f(x with the tokens of ``phrase`` replaced by PAD), the fused P(positive), read from the model."""
    mod = model.modalities["text"]
    prepared = mod.prepare(text)
    a = text.index(phrase)
    b = a + len(phrase)
    x = prepared.inputs["input_ids"].clone()
    for k, ((s, e), special) in enumerate(zip(prepared.info["offsets"], prepared.info["special_mask"])):
        if not special and e > s and s < b and e > a:
            x[0, k] = 0
    mask = prepared.inputs["attention_mask"]
    p = [torch.softmax(mod._run({"input_ids": ids, "attention_mask": mask}, False)[0].float(), -1)[0]
         for ids in (prepared.inputs["input_ids"], x)]
    return float(0.5 * (p[0][2] - p[1][2]))


def test_under_a_time_budget_a_text_read_in_windows_is_mapped_by_phrase_ablation():
    """Under a time budget a long text had kept IG at few steps: every post over ~200 characters was rated ✗ (its
    scores 278-443 % off the change they should add up to, colours either way). It is now mapped by phrases, each
    removed alone: the phrase holding "great" comes first, its score exactly what removing it alone does."""
    from msa_demo.views.figures import words_caveats

    model = _model(WindowedSum)
    inputs = Inputs(text=TextInput(PHRASED))
    assert model.modalities["text"].prepare(PHRASED).info["windows"] > 1
    exp = explain(model, inputs, options=ExplainOptions(deletion_steps=2, budget=60))
    m = exp.maps[0]
    assert (m.method, m.params["why"], m.params["in_place_of"]) == ("feature_ablation", "phrases",
                                                                   "layer_integrated_gradients")
    assert m.labels == ["the movie was great,", "and the food.", "service today"]
    assert [PHRASED[a:b] for a, b in m.spans] == m.labels
    first = max(range(len(m.scores)), key=lambda i: m.scores[i])
    assert first == 0 and m.scores[0] == pytest.approx(_without(model, PHRASED, "the movie was great,"), abs=1e-5)
    assert m.scores[0] > 0.2 and all(abs(s) < 1e-6 for s in m.scores[1:])
    lines = words_caveats(exp.to_dict())
    assert any("removing each phrase in turn (phrase ablation)" in line and "time budget 0" in line
               for line in lines), lines
    assert not any("removing each word in turn" in line for line in lines)
    assert any("短语消融" in line for line in words_caveats(exp.to_dict(), "zh"))
    # the what-if removes whole phrases and swaps no word: it had said "none of the words that push toward positive
    # is in the what-if's lexicon" of a text holding "great", having looked its phrases up in the word table
    asked = explain(model, inputs, options=ExplainOptions(deletion_steps=2, budget=60, what_if=True))
    assert [c.edit for c in asked.what_if] == ["remove"] and asked.what_if[0].units == ["the movie was great,"]
    assert not any("lexicon" in c.sentence for c in asked.what_if)
    # and said where the trust table is, as the other changes of method are (in both languages)
    from msa_demo import views

    assert "**Method changed: the words map is phrase ablation, not layer integrated gradients:" in \
        views.trust_markdown(exp.to_dict(), True)
    assert "方法已更换：词语归因图用的是短语消融" in views.trust_markdown(exp.to_dict(), True, lang="zh")


def test_a_phrase_is_scored_as_a_whole_where_its_words_alone_say_nothing():
    """On the context model (only "great" in context counts, s = K g (3c - 2)) read in windows, a phrase's score is
    the model's own answer to removing the whole phrase, not the sum of its words' removals."""
    model = _model(WindowedText)
    text = "the movie was great, and the food. service today"
    m = attribute_words(model, Inputs(text=TextInput(text)), "positive", ExplainOptions(deletion_steps=2, budget=60))
    assert m.params["why"] == "phrases"
    for label, score in zip(m.labels, m.scores):
        assert score == pytest.approx(_without(model, text, label), abs=1e-5)


def test_phrases_are_cut_at_chinese_and_latin_punctuation_and_merged_to_the_cap():
    from msa_demo.explain.words import phrase_spans
    from msa_demo.language import word_spans

    text = "绝对不会失望的！一星，星期天邻居很吵。\nGood food; bad service. ok"
    spans = word_spans(text, group=False)
    got = [text[a:b] for a, b in phrase_spans(text, spans, 24)]
    assert got == ["绝对不会失望的！", "一星，", "星期天邻居很吵。", "Good food;", "bad service.",
                   "ok"]
    merged = [text[a:b] for a, b in phrase_spans(text, spans, 4)]
    # the neighbours shortest together are merged (ties: the first): "一星，" into the phrase before it, "ok"
    # into the one before it
    assert merged == ["绝对不会失望的！一星，", "星期天邻居很吵。", "Good food;", "bad service. ok"]
    # a text with no punctuation is halved into phrases of a few words, not read as one
    long = " ".join(["the movie was great and the food"] * 4)
    assert len(phrase_spans(long, word_spans(long, group=False), 24)) >= 4


def test_the_phrases_a_budget_affords_follow_the_price_of_a_row():
    """A row of a long review costs about 0.25 s on the 2-core CPU: the 5 s default budget affords the phrases whose
    rows (one each, the input, the deletion curve's own) fit it, and the plan prices the map that runs."""
    from msa_demo.explain import budget as budget_module
    from msa_demo.explain.budget import PHRASES, fit, phrase_rows, phrases_afforded
    from msa_demo.explain.forward import FusedForward

    model = _model(WindowedSum)
    text = ", ".join(["the movie was great"] + ["and the food"] * 30)
    inputs = Inputs(text=TextInput(text))
    ff = FusedForward(model, inputs, "text", ["text"])
    budget_module._PRICES.setdefault(ff.mod, {})[(tuple(ff.x.shape), "input")] = 0.25
    o = ExplainOptions(deletion_steps=2, budget=5)
    n = phrases_afforded(ff, o, 200)
    assert 4 <= n < PHRASES and phrase_rows(n, 2) * 0.25 <= 5 < phrase_rows(n + 1, 2) * 0.25
    assert phrases_afforded(ff, ExplainOptions(deletion_steps=2, budget=1000), 200) == PHRASES
    m = attribute_words(model, inputs, "positive", o)
    assert m.params["why"] == "phrases" and len(m.labels) == n
    assert m.labels[max(range(n), key=lambda i: m.scores[i])].startswith("the movie was great")
    plan = fit(model, inputs, ["text"], o, seconds=5)
    assert plan.rows["text"] == m.cost.forward_passes == phrase_rows(n, 2)


def test_a_budget_cut_ig_whose_gap_stays_large_gives_way_to_word_ablation():
    from msa_demo.views.figures import words_caveats

    model = _model(SteepText)
    inputs = Inputs(text=TextInput(TEXT))
    exp = explain(model, inputs, options=ExplainOptions(ig_min_steps=2, ig_max_steps=2, deletion_steps=2))
    m = exp.maps[0]
    assert (m.method, m.params["why"], m.params["ig_steps"]) == ("feature_ablation", "gap", 2)
    assert m.params["ig_delta"] > 0.25 and m.delta is None
    great = m.labels.index("great")
    assert m.scores[great] > 0.3 and all(abs(s) < 1e-6 for i, s in enumerate(m.scores) if i != great)
    line = [x for x in words_caveats(exp.to_dict()) if "removing each word in turn" in x]
    assert line and f"by {m.params['ig_delta']:.0%}" in line[0] and "time budget" in line[0]


def test_the_what_if_finds_a_one_word_flip_the_map_ranks_last():
    model = _model(ContextText)
    exp = explain(model, Inputs(text=TextInput(TEXT)), options=ExplainOptions(what_if=True, deletion_steps=2))
    assert exp.maps[0].method == "layer_integrated_gradients"  # ranks "great" away from positive
    removal = exp.what_if[0]
    assert (removal.edit, removal.flipped, removal.minimal, removal.units) == ("remove", True, True, ["great"])
    assert removal.label == "neutral" and removal.sentence.startswith("Without 'great' it reads neutral")
    # the 3 single words besides the map's first, read again: their leave-one-out rows (one per word) are the map's
    # own single-word check's, not run again
    assert removal.cost.forward_passes == 3
    assert exp.maps[0].faithfulness.removals["checked"] == 9


def test_a_words_map_read_in_windows_without_a_budget_is_planned_as_the_word_ablation_it_is():
    """The planner priced the words map as Integrated Gradients (8+16+32+64 steps: 125 rows here) where a text read
    in windows with no time budget is mapped by word ablation: one row per word and the input, and its deletion
    curve's rows (16). The plan's rows are now the rows the map ran."""
    from msa_demo.explain.budget import deletion_rows, fit

    model, inputs = _model(WindowedText), Inputs(text=TextInput(TEXT))
    options = ExplainOptions(deletion_steps=2)
    m = attribute_words(model, inputs, "positive", options)
    assert m.method == "feature_ablation" and m.params["why"] == "windows"
    plan = fit(model, inputs, ["text"], options, seconds=100)
    assert plan.rows["text"] == m.cost.forward_passes == 9 + 1 + deletion_rows(9, 2, occlusion=True)


def test_a_words_map_whose_ig_gap_gave_way_is_planned_with_its_word_ablation():
    """Under a time budget an IG words map whose gap stays above 25 % gives way to word ablation after it: the plan
    counted the IG map alone (17 of the 26 rows the map ran). Once the model has been seen to fall back at these
    steps, the next plan counts the ablation after it: one row per word and its deletion curve's rows the IG
    map's did not run (here the ordered curve's one middle row, which the two maps happen to share)."""
    from msa_demo.explain import budget as budget_module
    from msa_demo.explain.budget import fit
    from msa_demo.explain.forward import FusedForward
    from msa_demo.explain.methods import singles_rows

    model, inputs = _model(SteepText), Inputs(text=TextInput(TEXT))
    options = ExplainOptions(ig_min_steps=4, ig_max_steps=4, deletion_steps=2, budget=1000)
    ff = FusedForward(model, inputs, "text", ["text"])
    budget_module._PRICES.setdefault(ff.mod, {})[(tuple(ff.x.shape), "input")] = 0.01  # 10 ms a row: arithmetic
    first = fit(model, inputs, ["text"], options).panels["text"] / 0.01
    m = explain(model, inputs, options=options).maps[0]
    assert (m.method, m.params["why"], m.params["ig_steps"]) == ("feature_ablation", "gap", 4)
    ran = m.cost.forward_passes  # the IG map's rows and the ablation's
    planned = fit(model, inputs, ["text"], options).panels["text"] / 0.01
    # IG alone, as before, with its single-word check (the map that stays runs it; this one gave way before it)
    assert first == 17 + singles_rows(9)
    assert ran <= planned <= ran + 1


def test_a_model_that_ran_faster_than_planned_is_not_given_more_phrases_than_its_row_price_affords():
    """lite's long review took 2.6 s for 7 phrases (windows read before are read again at no cost): the next plan,
    counting that overrun (under 1), afforded 24 phrases, which took 18.7 s of a 5 s budget. An overrun under 1 no
    longer buys phrases; one over 1 still takes them away."""
    from msa_demo.explain import budget as budget_module
    from msa_demo.explain.budget import phrases_afforded
    from msa_demo.explain.forward import FusedForward

    model = _model(WindowedSum)
    text = ", ".join(["the movie was great"] + ["and the food"] * 30)
    ff = FusedForward(model, Inputs(text=TextInput(text)), "text", ["text"])
    budget_module._PRICES.setdefault(ff.mod, {})[(tuple(ff.x.shape), "input")] = 0.25
    o = ExplainOptions(deletion_steps=2, budget=5)
    planned = phrases_afforded(ff, o, 200)
    budget_module._OVERRUN[model] = 0.25
    assert phrases_afforded(ff, o, 200) == planned
    budget_module._OVERRUN[model] = 2.0
    assert phrases_afforded(ff, o, 200) < planned
