"""The contributions in words (msa_demo.views.story.contributions_story) follow the numbers, on contribution records
built by hand: two inputs that agree, two that disagree, two that both pull away from the class, and an input that
barely matters, in English and in Chinese.

A planted text with a half-face picture (lite) had its header say "Opposite signals: text says negative (99%), image
says positive (99%)" above "The words and the picture overlap: together they move 'negative' 16 points less than
their two effects would add up to, because they say the same thing", and said of the picture, whose Shapley value was
-0.413, "that input adds nothing to it"."""

from __future__ import annotations

from msa_demo import report, views


def record(probs: dict, own: dict, shapley: dict, interaction: float, without: dict, target: str) -> dict:
    """An explanation's prediction and contributions, two inputs (text and image)."""
    label = max(probs, key=probs.get)
    p = {"probs": probs, "label": label, "used": ["text", "image"], "switched_off": [],
         "modalities": {m: {"label": max(q, key=q.get), "probs": q, "model_id": "x"} for m, q in own.items()}}
    return {"target": target, "prediction": p, "modalities": {
        "shapley": shapley, "interactions": {"text×image": interaction}, "value_all": probs[target],
        "value_none": 1 / 3, "without": without}}


def disagreeing() -> dict:
    """The words say negative (99 %), the picture positive (99 %); together 49 % negative. The words alone move
    'negative' from 33 % to 99 % (+66), the picture alone to 0 % (-33): +32 added up, +16 together."""
    neg = {"negative": 0.99, "neutral": 0.005, "positive": 0.005}
    pos = {"negative": 0.004, "neutral": 0.006, "positive": 0.99}
    return record({"negative": 0.494, "neutral": 0.012, "positive": 0.494}, {"text": neg, "image": pos},
                  {"text": 0.574, "image": -0.413}, -0.161, {"text": pos, "image": neg}, "negative")


def test_inputs_that_disagree_are_said_to_pull_opposite_ways_and_the_one_pulling_away_not_to_add_nothing():
    exp = disagreeing()
    said = views.contributions_story(exp)
    assert said == [
        "Without the picture the model is surer of 'negative' (99 % against 49 % with everything): that input pulls "
        "away from it.",
        "The words and the picture pull opposite ways (the words toward 'negative', the picture away from it): "
        "together they leave 'negative' 16 points lower than their two effects would add up to."]
    assert views.contributions_story(exp, "zh") == [
        "去掉图片后，模型更确定是“负面”（99 %，全部输入时为 49 %）：这个输入把结论推离“负面”。",
        "文字和图片方向相反（文字推向“负面”，图片推离它）：两者一起时，“负面”比各自效果相加低 16 个百分点。"]
    # the report says what the page says
    page = report.to_html(exp)
    assert "pull opposite ways" in page and "say the same thing" not in page and "adds nothing" not in page
    zh = report.to_html(exp, "zh")
    assert "方向相反" in zh and "同一件事" not in zh and "毫无增益" not in zh
    # the words named first where they pull toward the class, whichever the pair's order
    exp["modalities"]["interactions"] = {"image×text": -0.161}
    assert views.contributions_story(exp)[1].startswith("The words and the picture pull opposite ways (the words "
                                                        "toward 'negative', the picture away")
    exp["modalities"]["interactions"] = {"text×image": 0.12}  # together further than added up
    assert views.contributions_story(exp)[1].endswith("together they leave 'negative' 12 points higher than their "
                                                      "two effects would add up to.")


def test_inputs_that_agree_overlap_because_they_say_the_same_thing():
    """The sarcastic post and the smiling photo (lite): 97 % positive with both, 98 % without the words, 95 %
    without the picture; the words' bar is +0.303, so they are not said to add nothing."""
    both = {"negative": 0.005, "neutral": 0.028, "positive": 0.967}
    exp = record(both, {"text": both, "image": both}, {"text": 0.303, "image": 0.331}, -0.634,
                 {"text": {"negative": 0.0003, "neutral": 0.018, "positive": 0.982},
                  "image": {"negative": 0.009, "neutral": 0.038, "positive": 0.953}}, "positive")
    said = views.contributions_story(exp)
    assert said[1:] == [
        "Without the words the model is even surer of 'positive' (98 % against 97 % with everything): that input "
        "raises it on average (its bar), but beside all the other inputs it lowers it.",
        "The words and the picture overlap: together they move 'positive' 63 points less than their two effects "
        "would add up to, because they say the same thing."]
    zh = views.contributions_story(exp, "zh")
    assert zh[1] == ("去掉文字后，模型更确定是“正面”（98 %，全部输入时为 97 %）：这个输入平均而言提高了“正面”的可能性（见它的条），"
                     "但在其他所有输入旁边，它反而降低了这个可能性。")
    assert zh[2].endswith("因为它们说的是同一件事。")


def test_inputs_that_both_pull_away_from_the_class_overlap_in_what_they_take_off_it():
    """Explained for 'neutral' (the verdict positive): both inputs lower it, by less together than added up."""
    pos = {"negative": 0.05, "neutral": 0.15, "positive": 0.80}
    exp = record(pos, {"text": pos, "image": pos}, {"text": -0.10, "image": -0.12}, 0.08,
                 {"text": {"negative": 0.1, "neutral": 0.25, "positive": 0.65},
                  "image": {"negative": 0.1, "neutral": 0.27, "positive": 0.63}}, "neutral")
    said = views.contributions_story(exp)
    assert said == [
        "Without the words the model is surer of 'neutral' (25 % against 15 % with everything): that input pulls away "
        "from it.",
        "Without the picture the model is surer of 'neutral' (27 % against 15 % with everything): that input pulls "
        "away from it.",
        "The words and the picture both pull away from 'neutral' and overlap: together they take 8 points less off it "
        "than their two effects would add up to, because they say the same thing."]
    assert views.contributions_story(exp, "zh")[2] == (
        "文字和图片都把结论推离“中性”，而且相互重叠：两者一起让它降低的幅度比各自效果相加少 8 个百分点，因为它们说的是同一件事。")
    exp["modalities"]["interactions"] = {"text×image": -0.07}
    assert views.contributions_story(exp)[2].startswith("The words and the picture both pull away from 'neutral' and "
                                                        "reinforce each other: together they take 7 points more off")


def test_an_input_that_barely_matters_adds_nothing_and_takes_no_side():
    """The picture's Shapley value is +0.01: taking it away raises 'negative' a point, and it adds nothing; the pair
    adds up. Where the pair's interaction is large all the same, only that is said, no side taken for it."""
    neg = {"negative": 0.73, "neutral": 0.17, "positive": 0.10}
    exp = record(neg, {"text": neg, "image": {"negative": 0.3, "neutral": 0.4, "positive": 0.3}},
                 {"text": 0.39, "image": 0.01}, 0.004,
                 {"text": {"negative": 0.34, "neutral": 0.33, "positive": 0.33},
                  "image": {"negative": 0.75, "neutral": 0.15, "positive": 0.10}}, "negative")
    assert views.contributions_story(exp) == [
        "Without the picture the model is even surer of 'negative' (75 % against 73 % with everything): beside the "
        "other inputs, that input adds nothing to it.",
        "The words and the picture add up: each moves 'negative' about as much with the other as without it."]
    exp["modalities"]["interactions"] = {"text×image": -0.09}
    said = views.contributions_story(exp)[1]
    assert said == ("The words and the picture interact: together they leave 'negative' 9 points lower than their two "
                    "effects would add up to.")
    assert views.contributions_story(exp, "zh")[1] == "文字和图片相互影响：两者一起时，“负面”比各自效果相加低 9 个百分点。"
