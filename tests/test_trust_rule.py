"""What earns the trust table's ✓, on records and on planted models whose answer is known by construction
(tests/planted_models.py):

- the deletion test: a map whose parts, half of them removed top-ranked first or at random, barely move P(target)
  has nothing to rank (—); a gap within what the random orders differ by among themselves is not a ✓; a curve of
  3 points is too coarse to judge (?);
- the single-word check: where no word removed alone moves P(target) clearly, it confirms nothing (—, not ✓);
- an IG map whose baseline already reads the target most of the way explains a sliver, and says so.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from msa_demo import views
from msa_demo.explain import ExplainOptions, explain
from msa_demo.explain.faithfulness import deletion
from msa_demo.inputs import Inputs, TextInput
from planted_models import VOCAB, AdditiveFusion, PlantedText, build_model, planted_spec

# the page's worked example (lite, /explain_json): "Thank you so much, you are very kind and I really appreciate it."
# beside a frowning face and an angry voice; its text map as the reviewer's answer held it (every word points away
# from 'negative'; removing each top word alone moves P(negative) by under 0.0005), with the spread it now carries
CURVE = [0.637, 0.637, 0.638, 0.638, 0.638, 0.638, 0.638, 0.64, 0.643, 0.73, 0.946]
RCURVE = [0.637, 0.637, 0.637, 0.637, 0.638, 0.638, 0.64, 0.644, 0.681, 0.866, 0.946]
WORDS = "Thank you so much, you are very kind and I really appreciate it.".split()
CONFLICT_TEXT = {
    "modality": "text", "method": "layer_integrated_gradients", "params": {"target": "negative"},
    "labels": WORDS, "scores": [-0.066, -0.01, -0.01, -0.062, -0.01, -0.01, -0.007, -0.01, -0.01, -0.01, -0.024,
                                -0.027, -0.024],
    "delta": 0.0205,
    "faithfulness": {"aopc": -0.0376, "aopc_random": -0.0540, "deletion_curve": CURVE, "random_curve": RCURVE,
                     "aopc_random_spread": 0.0129,
                     "removals": {"p": 0.637, "checked": 13, "parts": [
                         {"unit": "Thank", "index": 0, "score": -0.066, "removal": -0.00018},
                         {"unit": "much,", "index": 3, "score": -0.062, "removal": -0.00049},
                         {"unit": "appreciate", "index": 11, "score": -0.027, "removal": 0.00011},
                         {"unit": "it.", "index": 12, "score": -0.024, "removal": -0.00042}]}},
}
# its image occlusion map, whose curve drops at once
OCCLUSION = {"modality": "image", "method": "occlusion", "params": {"target": "negative"},
             "labels": [f"r{r}c{c}" for r in range(1, 8) for c in range(1, 8)], "scores": [0.1] * 49,
             "faithfulness": {"aopc": 0.2156, "aopc_random": 0.1104,
                              "deletion_curve": [0.637, 0.432, 0.41, 0.39, 0.388, 0.373, 0.396, 0.356, 0.376, 0.458,
                                                 0.42],
                              "random_curve": [0.637, 0.607, 0.579, 0.542, 0.501, 0.523, 0.541, 0.531, 0.464, 0.447,
                                               0.42]}}


def test_deletion_keeps_how_much_its_random_orders_differ():
    """Feature 0 alone decides: each random order's AOPC depends on when it removes it, and the spread is the
    standard deviation of those AOPCs, computed here by hand from the same seeded orders."""
    n, steps = 8, 8

    def evaluate(removed: torch.Tensor) -> torch.Tensor:
        return 0.9 - 0.6 * removed[:, 0].float()

    f = deletion([1.0] + [0.0] * (n - 1), evaluate, steps=steps, seed=0, random_orders=4)
    rng = np.random.default_rng(0)
    each = []
    for _ in range(4):
        order = rng.permutation(n)
        when = int(np.where(order == 0)[0][0]) + 1  # the point at which feature 0 is gone
        curve = [0.9 if k < when else 0.3 for k in range(n + 1)]
        each.append(np.mean([curve[0] - v for v in curve]))
    assert f.aopc_random == pytest.approx(np.mean(each))
    assert f.aopc_random_spread == pytest.approx(np.std(each, ddof=1)) and f.aopc_random_spread > 0.05


def test_a_flat_deletion_curve_has_nothing_to_rank():
    """The worked example's text map had "✓ … AOPC gap +0.016" and a single-word check passing as "too little to
    matter": removing half its words, top-ranked first or at random, moves P(negative) by 0.1 point."""
    exp = {"target": "negative", "maps": [CONFLICT_TEXT]}
    verdicts = views.trust_verdicts(exp)
    assert ("—", "text layer integrated gradients: removing half of its parts, the top-ranked first or at random, "
                 "moves 'negative' by under 2 points; there is nothing for a ranking to get right.") in verdicts
    assert ("—", "text layer integrated gradients single-word check: removing any of its strongest words (4) alone "
                 "moves 'negative' by 0.05 points at most, too little for this check to confirm its colours."
            ) in verdicts
    assert all(mark != "✓" for mark, _ in verdicts)
    (row,) = views.trust_rows(exp)
    assert (row["mark"], row["verdict"]) == ("—", "nothing to rank: removing its parts barely moves the answer")
    (trust,) = views.story.map_trust(exp)
    assert trust["mark"] == "—" and trust["verdict"] == row["verdict"]
    assert views.trust_rows(exp, "zh")[0]["verdict"] == "没有可排名的：去掉它的部分几乎不改变结果"
    said = views.trust_markdown(exp, final=True)
    assert "The deletion test's rule: it holds up only with an AOPC gap over 0.01 and over the spread" in said


def test_a_gap_within_what_random_orders_differ_by_is_no_tick():
    """The image occlusion map's gap (+0.105) earns ✓ where its random orders differ by ±0.022, not where they
    differ by ±0.120: one random order can beat another by that much."""
    def mark(spread):
        m = {**OCCLUSION, "faithfulness": {**OCCLUSION["faithfulness"], "aopc_random_spread": spread}}
        return views.trust_verdicts({"target": "negative", "maps": [m]})[0]

    assert mark(0.022) == ("✓", "image occlusion: deleting the top-ranked parts first drops the score faster than "
                                "deleting at random (AOPC gap +0.105, more than the ±0.022 by which random orders "
                                "differ).")
    assert mark(0.120) == ("✗", "image occlusion: deleting the top-ranked parts first does not drop the score clearly "
                                "faster than deleting at random (AOPC gap +0.105, within the ±0.120 by which random "
                                "orders differ); read this map with care.")


def test_a_three_point_curve_is_too_coarse_to_judge(planted):
    """Only "great" moves the score, and the map ranks it first: a ✓ at ten deletion steps, but a 3-point curve (a
    time budget's 2 steps) is one comparison, not a ranking test."""
    text = Inputs(text=TextInput("the movie was great and the food service today"))
    fine = explain(planted, text, options=ExplainOptions(deletion_steps=10)).to_dict()
    coarse = explain(planted, text, options=ExplainOptions(deletion_steps=2)).to_dict()
    assert views.trust_rows(fine)[0]["mark"] == "✓"
    (row,) = views.trust_rows(coarse)
    assert len(coarse["maps"][0]["faithfulness"]["deletion_curve"]) == 3
    assert (row["mark"], row["verdict"]) == ("?", "cannot tell: its deletion curve is too coarse to judge")
    assert ("?", "text layer integrated gradients: its deletion curve has only 3 points (a time budget or few parts), "
                 "too coarse to judge its ranking.") in views.trust_verdicts(coarse)


def test_words_that_say_the_same_many_times_give_nothing_to_rank(planted):
    """Eight times "great": any one of them keeps the text positive, so removing half of them (the map's top-ranked
    first, or at random) moves P(positive) by under a point, and only the last one removed moves it much. The AOPC
    gap had been a ✓ all the same."""
    exp = explain(planted, Inputs(text=TextInput("great " * 8 + "the movie was")),
                  options=ExplainOptions(deletion_steps=10)).to_dict()
    (m,) = exp["maps"]
    f = m["faithfulness"]
    assert f["aopc"] - f["aopc_random"] > 0.01  # what had earned the ✓
    assert abs(f["deletion_curve"][5] - f["deletion_curve"][0]) < 0.01 and f["deletion_curve"][-1] < 0.4
    (row,) = views.trust_rows(exp)
    assert row["mark"] == "—"
    assert ("—", "text layer integrated gradients: removing half of its parts, the top-ranked first or at random, "
                 "moves 'positive' by under 2 points; there is nothing for a ranking to get right."
            ) in views.trust_verdicts(exp)


class LeaningText(PlantedText):
    """The planted text with a lean toward negative: the text with every word padded (IG's baseline) reads
    negative 95 %, and "great" here pushes further toward negative (-6 along the sentiment direction)."""

    def load(self) -> None:
        super().load()
        self.net.emb.weight.data[VOCAB.index("great"), 0] = -6.0

    def _run(self, inputs, want_features):
        logits, features = super()._run(inputs, want_features)
        return logits + torch.tensor([3.0, 0.0, -3.0]), features


@pytest.fixture(scope="module")
def leaning():
    return build_model({"text": LeaningText(planted_spec("planted-text"), torch.device("cpu"), torch.float32)},
                       AdditiveFusion())


def test_an_ig_map_whose_baseline_already_reads_the_target_says_it_explains_a_sliver(leaning):
    """By construction: fused = 1/3 + 0.5 (p_text - 1/3). The padded text reads negative 95 % (fused 64 %), the
    text 99.99 % (fused 67 %): IG's scores add up to 2.5 points, while the text's Shapley value is 33 points. The
    completeness figure (a few % of the output change) had read as if it covered the whole effect."""
    from msa_demo.cli import format_explanation
    from msa_demo.explain.result import Explanation

    got = explain(leaning, Inputs(text=TextInput("the movie was great and the food")),
                  options=ExplainOptions(deletion_steps=10))
    exp = got.to_dict()
    (m,) = exp["maps"]
    assert m["params"]["output_difference"] == pytest.approx(0.0245, abs=0.001)
    assert exp["modalities"]["shapley"]["text"] == pytest.approx(0.3333, abs=0.001)
    said = ("text layer integrated gradients: its starting point, the words blanked out (pad baseline), already "
            "reads 'negative' (64 %): the map explains only the 2.5 points between it and the words, of the 33 points "
            "'negative' owes to the words (its Shapley value); what removing its parts one at a time does says more.")
    assert ("—", said) in views.trust_verdicts(exp)
    assert f"**{said}**" in views.trust_markdown(exp, final=True)  # under the table, not only in its details
    assert "它的起点，即把文字全部抹去" in views.trust_markdown(exp, final=True, lang="zh")
    cli = format_explanation(Explanation.from_dict(exp))
    assert "IG delta" in cli and "of a 2.5-point output change" in cli and said in cli
    # a map whose baseline is far from the target says nothing of the kind
    plain = explain(leaning, Inputs(text=TextInput("the movie was great and the food")),
                    target="positive", options=ExplainOptions(deletion_steps=10)).to_dict()
    assert views.story.slivers(plain) == []
