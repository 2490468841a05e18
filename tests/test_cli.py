"""The command line, run as a user runs it (a subprocess), on the tiny preset."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
import soundfile as sf
from PIL import Image

pytestmark = pytest.mark.spawns  # each test runs the command line


def run(*args, env=None):
    return subprocess.run([sys.executable, "-m", "msa_demo", *args], capture_output=True, text=True, timeout=300, env=env)


def test_predict_text_image_audio_json(tiny_preset_path, tmp_path):
    img = tmp_path / "face.png"
    Image.new("RGB", (40, 30), (200, 100, 50)).save(img)
    wav = tmp_path / "voice.wav"
    sf.write(wav, (0.2 * np.sin(np.arange(16000) / 3)).astype(np.float32), 16000)
    res = run("predict", "--preset", str(tiny_preset_path), "--text", "I love it", "--image", str(img),
              "--audio", str(wav), "--json")
    assert res.returncode == 0, res.stderr
    out = json.loads(res.stdout)
    assert out["used"] == ["text", "image", "audio"]
    assert abs(sum(out["probs"].values()) - 1) < 1e-5


def test_predict_readable_and_use_flag(tiny_preset_path):
    res = run("predict", "--preset", str(tiny_preset_path), "--text", "I love it", "--use", "text")
    assert res.returncode == 0, res.stderr
    assert res.stdout.startswith("Sentiment: ") and "text alone" in res.stdout


def test_bad_inputs_give_one_line_and_exit_2(tiny_preset_path, tmp_path):
    res = run("predict", "--preset", str(tiny_preset_path), "--audio", str(tmp_path / "none.wav"))
    assert res.returncode == 2
    shown = f"…/{tmp_path.parent.name}/{tmp_path.name}"  # an absolute path: its last three parts
    assert res.stderr.strip() == f"error: No audio file was found at '{shown}/none.wav'."
    res = run("predict", "--preset", str(tiny_preset_path))
    assert res.returncode == 2 and "at least one input" in res.stderr
    res = run("predict", "--preset", str(tiny_preset_path), "--text", "   ")  # spaces are no text: said so
    assert res.returncode == 2 and res.stderr.strip() == (
        "error: The text holds only spaces, so there are no words to read: type some words, or give another input.")
    assert "Traceback" not in res.stderr


@pytest.mark.lite
def test_a_picture_without_a_face_is_left_out_from_code_as_on_the_dashboard(lite, lite_dashboard, capsys,
                                                                            monkeypatch):
    """The command line and the JSON endpoints (so the MCP tools) read a street scene as a face ("NEGATIVE 88 %")
    where the dashboard's face model abstains: every way in now leaves such a picture out and says so, a faceless
    picture alone is one line, and --face-anyway (face_anyway) reads it as a face all the same."""
    import base64
    from pathlib import Path

    from msa_demo.__main__ import main
    from msa_demo.api import CodeApi
    from msa_demo.explain import NO_FACE_LEFT_OUT
    from msa_demo.model import MultimodalSentimentModel

    examples = Path(__file__).resolve().parents[1] / "examples"
    scene, face = str(examples / "neutral_scene.png"), str(examples / "happy_face.png")
    text = "The meeting is at ten in the room on the second floor."
    inputs = lite.read_inputs(text=text, image=scene)
    assert lite.face_check(inputs) == (["image"], NO_FACE_LEFT_OUT)
    assert lite.face_check(inputs, face_anyway=True) == ([], None)
    assert lite.face_check(lite.read_inputs(text=text, image=face)) == ([], None)
    monkeypatch.setattr(MultimodalSentimentModel, "from_preset", classmethod(lambda cls, *a, **k: lite))
    assert main(["predict", "--text", text, "--image", scene, "--json"]) == 0
    pred = json.loads(capsys.readouterr().out)
    assert pred["used"] == ["text"] and NO_FACE_LEFT_OUT in pred["notices"]
    assert main(["predict", "--image", scene]) == 3  # nothing to judge: its own exit status
    said = capsys.readouterr().err  # and how to have it read all the same, in the command line's words
    assert "No face was found in the picture, so the face model abstains" in said and "give --face-anyway" in said
    assert main(["predict", "--image", scene, "--face-anyway", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["used"] == ["image"]
    uri = "data:image/png;base64," + base64.b64encode(Path(scene).read_bytes()).decode()
    api = CodeApi(lite_dashboard())
    answer = json.loads(api.predict(text=text, image=uri))
    assert answer["used"] == ["text"] and NO_FACE_LEFT_OUT in answer["notices"]
    with pytest.raises(Exception, match="No face was found in the picture.*give face_anyway=true"):
        api.predict(image=uri)


def test_a_picture_refused_for_no_face_says_how_it_was_read(lite, lite_dashboard, tmp_path, capsys, monkeypatch):
    """An animated GIF whose face is in its second frame was refused with "No face was found" alone: the person
    who sees a face in it was not told that only the first frame was read. The refusal says how it was read, on
    the command line and on the page, in Chinese too."""
    from pathlib import Path

    from PIL import Image

    from msa_demo.__main__ import main
    from msa_demo.model import MultimodalSentimentModel

    examples = Path(__file__).resolve().parents[1] / "examples"
    frames = [Image.open(examples / name).convert("RGB").resize((256, 256)) for name in ("neutral_scene.png",
                                                                                         "happy_face.png")]
    frames[0].save(gif := tmp_path / "reaction.gif", save_all=True, append_images=frames[1:], duration=300)
    how = "How it was read: Image: an animated picture of 2 frames; only its first frame was read."
    monkeypatch.setattr(MultimodalSentimentModel, "from_preset", classmethod(lambda cls, *a, **k: lite))
    assert main(["predict", "--image", str(gif)]) == 3  # nothing to judge: its own exit status
    err = capsys.readouterr().err
    assert "No face was found in the picture" in err and how in err
    assert main(["predict", "--image", str(gif), "--lang", "zh-CN"]) == 3
    assert "读取方式：图片：一张 2 帧的动图；只读取了第一帧。" in capsys.readouterr().err
    import gradio as gr

    with pytest.raises(gr.Error) as refused:
        lite_dashboard(warm=False).refuse(None, "", str(gif), None, explain=True)
    assert "No face was found in the picture" in str(refused.value) and how in str(refused.value)


def test_a_picture_switched_off_by_hand_is_not_said_to_have_no_face(lite):
    """A picture without a face, read once (its reading kept), then switched off by hand: the page said "NEGATIVE
    (83 %) (the picture: no face)", the no-face notice, and did not list it as switched off. Only the face check's
    own leaving out is an abstention; the dashboard's key for a kept explanation tells the two apart."""
    from pathlib import Path

    from msa_demo.explain import ExplainOptions, explain
    from msa_demo.ui.dashboard import abstained_of, explained_key
    from msa_demo.ui.fields import Request
    from msa_demo.views.story import abstained

    scene = str(Path(__file__).resolve().parents[1] / "examples" / "neutral_scene.png")
    inputs = lite.read_inputs(text="The meeting is at ten.", image=scene)
    faceless, said = lite.face_check(inputs)  # the face check reads the picture: its reading is kept
    assert faceless == ["image"] and said
    fast = ExplainOptions(ig_max_steps=8, deletion_steps=2)
    by_hand = explain(lite, inputs, use=["text"], options=fast, abstained=[]).to_dict()
    assert "face_found" not in by_hand["reading"].get("image", {})
    assert abstained(by_hand["prediction"], by_hand["reading"]) == [] and by_hand["prediction"]["switched_off"] == [
        "image"]
    left_out = explain(lite, inputs, use=["text"], options=fast, abstained=["image"]).to_dict()
    assert abstained(left_out["prediction"], left_out["reading"]) == ["image"]
    on, off = (Request(use={"text": True, "image": i, "audio": True}) for i in (True, False))
    assert abstained_of(on, inputs, ["text"]) == ["image"] and abstained_of(off, inputs, ["text"]) == []
    assert explained_key(lite, inputs, ["text"], fast, None, ["image"]) != explained_key(lite, inputs, ["text"], fast,
                                                                                         None, [])


def test_the_command_line_says_too_close_to_call_and_the_summary_as_the_dashboard_does():
    """The dashboard said "Too close to call: positive 50.8 % vs negative 47.3 %" where the command line printed
    "Sentiment: POSITIVE"; and it never printed the summary sentence. Both now come from the views' story."""
    from msa_demo.__main__ import format_prediction
    from msa_demo.prediction import Prediction

    def pred(probs, own):
        return Prediction.from_dict({"probs": probs, "label": max(probs, key=probs.get), "used": list(own),
                                     "preset": "p", "modalities": {m: {"probs": {o: 1.0}, "label": o}
                                                                   for m, o in own.items()}})

    tie = format_prediction(pred({"negative": 0.473, "neutral": 0.019, "positive": 0.508}, {"video": "positive"}))
    assert tie.splitlines()[0] == "Sentiment: Too close to call: positive 50.8 % vs negative 47.3 %  (preset p; " \
                                  "used: video)"
    clear = format_prediction(pred({"negative": 0.62, "neutral": 0.08, "positive": 0.30},
                                   {"text": "positive", "image": "negative"})).splitlines()
    assert clear[:2] == ["Sentiment: NEGATIVE  (preset p; used: text, image)",
                         "  NEGATIVE (62 %), as the picture says; the words alone point positive."]
    alone = format_prediction(pred({"negative": 0.1, "neutral": 0.1, "positive": 0.8}, {"text": "positive"}))
    assert alone.splitlines()[1].startswith("  negative  ")  # nothing more to say than the first line: no sentence
    zh = format_prediction(pred({"negative": 0.473, "neutral": 0.019, "positive": 0.508}, {"video": "positive"}),
                           lang="zh")
    assert "难分高下" in zh.splitlines()[0] and "POSITIVE" not in zh


def test_a_file_that_is_not_there_and_an_unknown_language_are_refused_before_any_model_loads(tmp_path, capsys,
                                                                                               monkeypatch):
    """'predict --image nope.png' said "No image file was found" after 11 s of loading models; '--lang xx' printed
    English without a word."""
    from msa_demo.__main__ import main
    from msa_demo.model import MultimodalSentimentModel

    def never(*args, **kwargs):
        raise AssertionError("a model was loaded")

    monkeypatch.setattr(MultimodalSentimentModel, "from_preset", classmethod(never))
    for command in ("predict", "explain"):
        assert main([command, "--text", "hi", "--image", str(tmp_path / "nope.png")]) == 2
        assert capsys.readouterr().err == (f"error: No image file was found at '…/{tmp_path.parent.name}/"
                                           f"{tmp_path.name}/nope.png'.\n")
        assert main([command, "--audio", str(tmp_path)]) == 2
        assert capsys.readouterr().err == f"error: '{tmp_path.name}' is a folder, not an audio file; give the file " \
                                          "itself.\n"
        assert main([command]) == 2  # nothing given: explain also names --from
        assert capsys.readouterr().err == "error: Give at least one input: --text, --image, --audio or --video" + (
            " (or --from a saved explanation)" if command == "explain" else "") + ".\n"
        assert main([command, "--text", "  "]) == 2  # text that is only spaces: said so
        assert capsys.readouterr().err == ("error: The text holds only spaces, so there are no words to read: type "
                                           "some words, or give another input.\n")
        with pytest.raises(SystemExit) as stop:
            main([command, "--text", "hi", "--lang", "xx"])
        assert stop.value.code == 2 and "'xx' is not a language the words are printed in; use en or zh-CN" in \
            capsys.readouterr().err


def test_a_flag_s_mistake_is_its_line_and_where_the_help_is(capsys):
    """'--budget abc' printed the whole usage (24 lines for explain) before the line that said what was wrong."""
    from msa_demo.__main__ import main

    with pytest.raises(SystemExit) as stop:
        main(["explain", "--budget", "abc"])
    assert stop.value.code == 2 and capsys.readouterr().err == (
        "python -m msa_demo explain: error: argument --budget: invalid float value: 'abc'\n"
        "(python -m msa_demo explain --help shows every flag)\n")
    with pytest.raises(SystemExit):
        main(["frobnicate"])
    err = capsys.readouterr().err
    assert err.endswith("(python -m msa_demo --help shows the commands)\n") and "usage:" not in err


def test_use_names_a_modality_in_any_case(tiny_preset_path, capsys):
    """'use=Text' was refused ("Unknown modality 'Text'"): the switches read a name in any case, with spaces; a name
    no kind has is still refused in one line."""
    from msa_demo.__main__ import main
    from msa_demo.registry import use_names

    assert use_names(" Text, IMAGE ,,audio") == ["text", "image", "audio"] and use_names(["Video"]) == ["video"]
    assert use_names("Txt") == ["Txt"]
    assert main(["predict", "--preset", str(tiny_preset_path), "--text", "fine", "--use", "TEXT", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["used"] == ["text"]
    assert main(["predict", "--preset", str(tiny_preset_path), "--text", "fine", "--use", "Txt"]) == 2
    assert "Unknown modality 'Txt'" in capsys.readouterr().err


def test_a_word_said_twice_is_named_with_its_place_among_the_top_words():
    """A 5,000-word review's top words read 'and', 'liked', 'liked', 'and', 'good': which 'liked'? A label the map
    holds more than once is named with its place."""
    from types import SimpleNamespace

    from msa_demo.cli import _top

    m = SimpleNamespace(labels=["I", "liked", "it", "and", "liked", "more"], scores=[0.1, 0.5, 0.0, -0.2, 0.4, 0.05])
    assert _top(m, 3, quoted=True) == [("'liked' (#2)", 0.5), ("'liked' (#5)", 0.4), ("'and'", -0.2)]
    assert _top(SimpleNamespace(labels=["r1c1", "r1c2"], scores=[0.1, -0.3]), 1) == [("r1c2", -0.3)]


def test_a_report_page_is_a_saved_explanation_for_from(tiny_preset_path, tmp_path, capsys):
    """``explain --from report.html`` reads the explanation the report embeds (it had said "not an explanation JSON
    file"), and gives the same numbers as the JSON saved beside it; a page without one is one line."""
    from msa_demo.__main__ import main

    page, saved = tmp_path / "r.html", tmp_path / "r.json"
    assert main(["explain", "--preset", str(tiny_preset_path), "--text", "I love it", "--html", str(page),
                 "--out", str(saved), "--seed", "3"]) == 0
    capsys.readouterr()
    assert main(["explain", "--from", str(page), "--preset", str(tiny_preset_path), "--json",
                 "--inputs"]) == 0  # (--json leaves the inputs out unless asked)
    from_page = json.loads(capsys.readouterr().out)
    assert main(["explain", "--from", str(saved), "--preset", str(tiny_preset_path), "--json", "--inputs"]) == 0
    from_json = json.loads(capsys.readouterr().out)
    assert from_page["inputs"] == from_json["inputs"] and from_page["options"]["seed"] == 3
    assert from_page["modalities"]["shapley"] == pytest.approx(from_json["modalities"]["shapley"], abs=1e-6)
    (tmp_path / "other.html").write_text("<!DOCTYPE html><p>hello</p>", encoding="utf-8")
    assert main(["explain", "--from", str(tmp_path / "other.html")]) == 2
    assert "is not an explanation JSON file, nor a report that holds one" in capsys.readouterr().err
    for key, value in (("options", "x"), ("inputs", [1, 2]), ("prediction", 3)):  # hand-edited: one line each
        edited = tmp_path / "edited.json"
        edited.write_text(json.dumps({**from_json, key: value}), encoding="utf-8")
        assert main(["explain", "--from", str(edited), "--preset", str(tiny_preset_path)]) == 2
        err = capsys.readouterr().err
        assert f"'edited.json' is damaged: its '{key}' is not an object" in err and "Traceback" not in err


def test_the_command_line_s_verdicts_are_the_trust_table_s(tiny_preset_path):
    """A 4-step IG words map 230 % short of completeness (a 5 s budget on a long review) read "✓ trustworthy" on
    the command line, whose verdicts were made without the maps' IG gap; the dashboard's trust table said ✗. Both
    now read the same figures: the same mark per map."""
    from msa_demo.cli import format_explanation
    from msa_demo.explain import ExplainOptions, explain
    from msa_demo.explain.result import Explanation
    from msa_demo.model import MultimodalSentimentModel
    from msa_demo.views import trust_rows

    model = MultimodalSentimentModel.from_preset(str(tiny_preset_path), device="cpu")
    exp = explain(model, model.read_inputs(text="great happy good fun"),
                  options=ExplainOptions(ig_max_steps=8, deletion_steps=2, what_if=False)).to_dict()
    ig = next(m for m in exp["maps"] if "integrated_gradients" in m["method"])
    ig["delta"] = 2.304
    ig["faithfulness"].update(aopc=0.0506, aopc_random=0.0376)  # as the review's map read
    marks = [r["mark"] for r in trust_rows(exp)]
    printed = [line.split("verdict: ")[1][0] for line in format_explanation(Explanation.from_dict(exp)).splitlines()
               if "verdict: " in line]
    assert printed == [m for m in marks if m != "—"] and marks[exp["maps"].index(ig)] == "✗"


def test_a_one_word_text_s_verdict_on_the_command_line_is_cannot_tell(tiny_preset_path):
    """'Great!' on its own printed "✗ read with care: its ranking is weak" on the command line (its AOPC equals
    random's: one part, no ranking), while the dashboard's trust table said "?": the command line's verdicts were
    made without the map's parts. Both now read the whole map."""
    from msa_demo.cli import format_explanation
    from msa_demo.explain import ExplainOptions, explain
    from msa_demo.explain.result import Explanation
    from msa_demo.model import MultimodalSentimentModel
    from msa_demo.views import trust_rows

    model = MultimodalSentimentModel.from_preset(str(tiny_preset_path), device="cpu")
    exp = explain(model, model.read_inputs(text="great"), options=ExplainOptions(ig_max_steps=8, deletion_steps=2,
                                                                                 what_if=False)).to_dict()
    words = next(m for m in exp["maps"] if m["modality"] == "text")
    assert words["labels"] == ["great"]
    words["faithfulness"].update(aopc=0.3406, aopc_random=0.3406)  # as 'Great!' read on lite: one part, no ranking
    printed = [line.split("verdict: ")[1] for line in format_explanation(Explanation.from_dict(exp)).splitlines()
               if "verdict: " in line]
    words = [r for r in trust_rows(exp) if r["map"].startswith("text")]
    assert words and all(r["mark"] == "?" for r in words)
    assert printed and all(line.startswith("? cannot tell") for line in printed)


def test_a_map_where_no_part_mattered_is_not_ranked_on_the_command_line(tiny_preset_path):
    """A grey picture read as a face printed "top regions r5c3 -0.0000, r4c2 +0.0000, r4c6 -0.0000": three regions
    ranked by noise, where the page colours none and says no part mattered. The command line says the same."""
    from msa_demo.cli import format_explanation
    from msa_demo.explain import ExplainOptions, explain
    from msa_demo.explain.result import Explanation
    from msa_demo.model import MultimodalSentimentModel

    model = MultimodalSentimentModel.from_preset(str(tiny_preset_path), device="cpu")
    picture = np.full((32, 32, 3), 128, np.uint8)
    exp = explain(model, model.read_inputs(text="great happy", image=picture),
                  options=ExplainOptions(ig_max_steps=8, deletion_steps=2, what_if=False)).to_dict()
    ig, occlusion = [m for m in exp["maps"] if m["modality"] == "image"]
    ig["scores"] = [(-1) ** i * 3e-6 * (i % 5) for i in range(len(ig["scores"]))]  # as the grey one read on lite
    occlusion["scores"] = [0.0] * len(occlusion["scores"])
    occlusion["scores"][7] = -0.02  # one region that mattered
    lines = format_explanation(Explanation.from_dict(exp)).splitlines()
    first, second = [x for x in lines if x.startswith("image — ")]
    target = exp["target"]
    assert first.endswith(f"no part moved P('{target}') by 0.01 %, so none is listed") and "0.0000" not in first
    assert second.endswith(f"top regions {occlusion['labels'][7]} -0.0200")  # ranked as before, without the zeros
    zh = format_explanation(Explanation.from_dict(exp), "zh")
    assert "因此一个也没有列出" in zh
