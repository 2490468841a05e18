"""What a backend developer found integrating through /explain_json, MCP, ``explain --json`` and the Python package
(issue fix-api): no trust verdict per map in the JSON, a faceless picture read as a face from Python, a what-if
said "flipped" on a tie, abstentions said as "switched off", a tool description that forgot the video. In process,
on the tiny preset."""

from __future__ import annotations

import json

import pytest

CHEAP = ["--ig-max-steps", "8", "--no-what-if", "--deletion-steps", "4"]


@pytest.fixture
def api(tiny_preset_path, tiny_model):
    from msa_demo import ui
    from msa_demo.api import CodeApi

    return CodeApi(ui.Dashboard(models={str(tiny_preset_path): tiny_model}, default=str(tiny_preset_path)))


def test_a_map_whose_ig_scores_miss_by_82_percent_fails_in_the_json():
    """A 4-step IG text map (delta 0.82, AOPC above random) passed the deletion test, and the JSON said nothing of
    its completeness gap; its ``trust`` now says ✗ with both checks' reasons, as the page's trust table does."""
    from msa_demo.views.story import SHORT_GAP, trust_rows, with_trust

    words = {"modality": "text", "method": "layer_integrated_gradients", "labels": ["What", "a", "lovely", "day!"],
             "scores": [-0.02, 0.0, 0.05, 0.01], "delta": 0.8243,
             "faithfulness": {"aopc": 0.211, "aopc_random": 0.143, "sanity_spearman": None, "sensitivity": None}}
    record = {"prediction": {"label": "positive", "probs": {}}, "maps": [words], "reading": {}}
    (trust,) = [m["trust"] for m in with_trust(record)["maps"]]
    assert trust["mark"] == "✗" == trust_rows(record)[0]["mark"] and trust["verdict"] == SHORT_GAP
    assert [c["mark"] for c in trust["checks"]] == ["✓", "✗"]
    assert "completeness" in trust["checks"][1]["reason"] and "82%" in trust["checks"][1]["reason"]
    assert "trust" not in words  # the record itself is left as it was


def test_every_json_entry_point_gives_each_map_its_verdict(api, tiny_preset_path, capsys):
    """/explain_json (and so MCP's explain) and ``explain --json`` give each map the mark and line the page shows."""
    from msa_demo.__main__ import main
    from msa_demo.views.story import trust_rows

    served = json.loads(api.explain(text="What a lovely day!", ig_steps=8, deletion_steps=4, what_if=False))
    assert main(["explain", "--preset", str(tiny_preset_path), "--text", "What a lovely day!", "--json", *CHEAP]) == 0
    printed = json.loads(capsys.readouterr().out)
    for exp in (served, printed):
        assert exp["maps"]
        rows = trust_rows(exp)
        for m, row in zip(exp["maps"], rows):
            assert m["trust"]["mark"] in "✓✗?⚠—" and m["trust"]["mark"] == row["mark"]
            assert m["trust"]["verdict"] == row["verdict"] and m["trust"]["checks"], m["trust"]


def test_a_what_if_that_ends_too_close_to_call_is_no_flip():
    """Without 'lovely' and 'day' the fused verdict read negative 39 % against positive 36 %, "too close to call"
    in its own sentence, and the JSON said "flipped": true with no too_close. A lead too close to call flips
    nothing: the search goes on to a clear one, and every what-if entry says ``too_close`` as the verdicts do."""
    import torch

    from msa_demo.explain import whatif
    from msa_demo.explain.result import Counterfactual
    from msa_demo.views.whatif import sentence

    # removing 1 unit leaves a tie-ish negative lead (39 / 25 / 36), removing 2 a clear one (60 / 10 / 30)
    table = {1: [0.39, 0.25, 0.36], 2: [0.60, 0.10, 0.30], 3: [0.70, 0.10, 0.20]}
    rows = whatif._Rows(lambda sets: torch.tensor([table[len(s)] for s in sets]), verdict=2, max_rows=64, deadline=None)
    units, probs, flipped, _minimal = whatif.grow_and_prune([0, 1, 2], rows)
    assert flipped and len(units) == 2 and float(probs[0]) == pytest.approx(0.60)
    rows = whatif._Rows(lambda sets: torch.tensor([[0.39, 0.25, 0.36]] * len(sets)), verdict=2, max_rows=64, deadline=None)
    units, probs, flipped, _minimal = whatif.grow_and_prune([0, 1], rows)
    assert not flipped  # the closest it came was too close to call
    close = Counterfactual("text", "remove", flipped, "positive", "negative",
                           {"negative": 0.39, "neutral": 0.25, "positive": 0.36}, "", units=["lovely", "day!"])
    entry = close.to_dict()
    assert entry["too_close"] is True and entry["flipped"] is False
    assert whatif.sentence_for(close, total=4) == ("Text: no flip; without the top 2 words ('lovely' and 'day') it "
                                                   "is too close to call between negative (39 %) and positive "
                                                   "(36 %).")  # not "still reads": no side taken
    assert sentence(entry, None, "zh").startswith("文字：没有翻转；去掉排名前 2 的词（“lovely”和“day”），结论在负面")
    clear = Counterfactual("text", "antonym", True, "positive", "negative", {"negative": 0.66, "neutral": 0.01,
                           "positive": 0.33}, "")
    assert clear.to_dict()["too_close"] is False and Counterfactual.from_dict(clear.to_dict()).flipped


def test_the_tools_descriptions_name_every_input_they_take(api):
    """MCP's predict said "Give any one, two or all three inputs" and named a post, a picture and a voice clip,
    beside its video argument. Gradio 6 describes a tool from its function's docstring (its first paragraphs)."""
    from gradio.utils import get_function_description

    from msa_demo import registry
    from msa_demo.api import with_further_modalities

    assert "video" in registry.names()
    for fn in (api.predict, api.explain):
        description, params, _returns = get_function_description(with_further_modalities(fn))
        assert "three" not in description and set(registry.names()) <= set(params), description
    description = get_function_description(with_further_modalities(api.predict))[0]
    assert description.startswith("Say whether a post, a picture of a face or scene, a voice clip and/or a video "
                                  "are negative, neutral or positive. Give any one input or several together"), \
        description


def test_an_input_whose_model_abstains_is_not_said_switched_off(tiny_model, rgb_image):
    """``switched_off: ["image"]`` meant both "the caller turned it off" and "the face model abstained"; the
    prediction keeps switched_off for the caller's choice and says abstentions in ``abstained``, which its JSON
    form keeps, and the views read either way (older files had them in switched_off)."""
    from msa_demo.prediction import Prediction
    from msa_demo.views.story import abstained

    inputs = tiny_model.read_inputs(text="a fine day", image=rgb_image)
    left_out = tiny_model.predict(inputs=inputs, use=["text"], abstained=["image"])
    assert left_out.switched_off == [] and left_out.abstained == ["image"] and left_out.used == ["text"]
    assert Prediction.from_dict(left_out.to_dict()).abstained == ["image"]
    assert abstained(left_out.to_dict(), {"image": {"face_found": False}}) == ["image"]
    assert abstained(left_out.to_dict(), None) == ["image"]  # /predict_json's answer has no reading
    by_hand = tiny_model.predict(inputs=inputs, use=["text"])
    assert by_hand.switched_off == ["image"] and by_hand.abstained == []


def test_a_faceless_picture_is_abstained_in_every_json_entry_point(lite, lite_dashboard, tmp_path, capsys):
    """/predict_json, /explain_json (MCP's tools) and predict/explain --json said a faceless picture beside a text
    "switched_off": ["image"], as if the caller had turned it off."""
    from PIL import Image

    from msa_demo.__main__ import main
    from msa_demo.api import CodeApi

    red = tmp_path / "red.png"
    Image.new("RGB", (256, 256), (220, 20, 20)).save(red)
    api = CodeApi(lite_dashboard(warm=False))
    uri = "data:image/png;base64," + __import__("base64").b64encode(red.read_bytes()).decode()
    answers = [json.loads(api.predict(text="What a lovely day!", image=uri))]
    answers.append(json.loads(api.explain(text="What a lovely day!", image=uri, ig_steps=8, deletion_steps=4,
                                          what_if=False))["prediction"])
    for command in (["predict"], ["explain", *CHEAP]):
        assert main([*command, "--preset", "lite", "--text", "What a lovely day!", "--image", str(red), "--json"]) == 0
        out = json.loads(capsys.readouterr().out)
        answers.append(out.get("prediction", out))
    for pred in answers:
        assert pred["switched_off"] == [] and pred["abstained"] == ["image"] and pred["used"] == ["text"], pred
