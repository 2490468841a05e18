"""The prediction inside an explanation is typed (``Prediction``), and its JSON form is the one it always was."""

from __future__ import annotations

import json

import pytest

from msa_demo.explain import explain
from msa_demo.explain.result import Explanation
from msa_demo.prediction import ModalityPrediction, Prediction


def test_explanation_holds_a_typed_prediction_with_the_same_json(tiny_model, rgb_image):
    inputs = tiny_model.read_inputs(text="a calm afternoon", image=rgb_image)
    exp = explain(tiny_model, inputs, options={"text_methods": ("occlusion",), "image_methods": ("occlusion",),
                                               "grid": 2, "deletion_steps": 2})
    pred = exp.prediction
    assert isinstance(pred, Prediction) and isinstance(pred.modalities["text"], ModalityPrediction)
    assert pred.used == ["text", "image"] and pred.label == max(pred.probs, key=pred.probs.get)
    assert exp.to_dict()["prediction"] == tiny_model.predict(inputs=inputs).to_dict()  # the JSON form is unchanged
    again = Explanation.from_json(exp.to_json())
    assert isinstance(again.prediction, Prediction) and again.prediction == pred
    assert again.prediction.modalities["image"].probs == pytest.approx(pred.modalities["image"].probs)


def test_an_old_file_with_a_partial_prediction_still_reads():
    old = {"prediction": {"probs": {"negative": 0.1, "neutral": 0.2, "positive": 0.7}, "label": "positive",
                          "used": ["text"], "modalities": {"text": {"probs": {"positive": 0.7}, "label": "positive"}}},
           "target": "positive", "maps": [], "modalities": None, "models": {}, "preset": "hub", "options": {},
           "inputs": {"text": "good"}}
    exp = Explanation.from_dict(json.loads(json.dumps(old)))
    p = exp.prediction
    assert p.label == "positive" and p.used == ["text"] and p.switched_off == [] and p.notices == []
    assert p.modalities["text"].modality == "text" and p.modalities["text"].model_id == ""
    assert p["label"] == "positive" and p.get("fusion") == {} and p.get("nope", 1) == 1  # the JSON form by key
    assert Explanation.from_dict({"target": "neutral"}).prediction == Prediction.from_dict({})


@pytest.mark.parametrize("probs, close", [({"negative": .459, "neutral": .439, "positive": .102}, True),
                                          ({"negative": .52, "neutral": .45, "positive": .03}, False),
                                          ({"positive": 1.0}, False)])
def test_the_json_says_too_close_to_call_where_every_view_does(probs, close):
    """The command line said "Too close to call: negative 45.9 % vs neutral 43.9 %" where the JSON (and so the API,
    MCP and explain-batch) gave "label": "negative" and nothing else."""
    from msa_demo.views import headline

    pred = Prediction(probs=probs, label=max(probs, key=probs.get), modalities={}, used=["text"])
    assert pred.to_dict()["too_close"] is close
    assert headline(pred.to_dict()).startswith("Too close to call") is close
    assert Prediction.from_dict(json.loads(json.dumps(pred.to_dict()))) == pred  # read back as it was


def test_a_modality_whose_own_verdict_is_a_near_tie_says_so_in_the_json_and_on_the_command_line():
    """The page said "Text alone: too close to call" and the summary "the words alone are too close to call", where
    the JSON gave ``modalities.text.label`` "positive" with no ``too_close`` and the command line printed "text
    alone: positive neg 33.2% neu 33.0% pos 33.8%"."""
    from msa_demo.__main__ import format_prediction
    from msa_demo.views import summary_sentence

    tie = {"negative": .332, "neutral": .330, "positive": .338}
    clear = {"negative": .1, "neutral": .1, "positive": .8}
    pred = Prediction(probs={"negative": .2, "neutral": .1, "positive": .7}, label="positive", used=["text", "image"],
                      modalities={"text": ModalityPrediction("text", tie, "positive", tie, "m", "r"),
                                  "image": ModalityPrediction("image", clear, "positive", clear, "m", "r")}, preset="p")
    d = json.loads(json.dumps(pred.to_dict()))
    assert d["modalities"]["text"]["too_close"] is True and d["modalities"]["image"]["too_close"] is False
    assert list(d) == [*(f.name for f in pred.__dataclass_fields__.values()), "too_close"]  # the same keys, in order
    assert Prediction.from_dict(d) == pred  # read back as it was
    assert "the words alone are too close to call" in summary_sentence(d)
    lines = format_prediction(pred).splitlines()
    text = next(ln for ln in lines if ln.strip().startswith("text alone"))
    assert "text alone: too close to call (positive 33.8 % vs negative 33.2 %)" in text, text
    assert "alone: positive" not in text
    assert next(ln for ln in lines if "image alone" in ln).strip().startswith("image alone: positive ")
    zh = format_prediction(pred, lang="zh")
    assert "难分高下（正面 33.8 %，负面 33.2 %）" in zh, zh
