"""What a new user scripting against the command line found (fix-cli, second round): predict --json and the
explanation JSON telling every notice, text from stdin or a file, its own exit code for "nothing to judge", a
smaller explain --json, the JSON endpoints' reason for refusing a file of the app's own. In process, on the tiny
preset and a tiny copy of it standing in for a Hub model that cannot load (the Hub unreachable)."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from msa_demo.config import HUB, load_preset, save_preset

CHEAP = ["--ig-max-steps", "8", "--no-what-if", "--deletion-steps", "4"]
STAND_IN = "Audio: 'superb/wav2vec2-base-superb-er' could not be loaded, so the "


@pytest.fixture
def offline(monkeypatch, tmp_path):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "empty-hf-cache"))


def _hubish(tiny_preset_path, tmp_path) -> str:
    """The tiny preset whose audio entry is the Hub's (not cached here: it cannot load), a tiny copy standing in."""
    tiny = load_preset(str(tiny_preset_path))
    stand_in = save_preset(replace(tiny, name="stand-in"), tmp_path / "stand_in.json")
    mods = {**tiny.modalities, "audio": HUB.modalities["audio"]}
    return str(save_preset(replace(tiny, name="hubish", modalities=mods, fallback=str(stand_in)),
                           tmp_path / "hubish.json"))


def test_predict_json_holds_how_the_model_loaded(tiny_preset_path, tmp_path, offline, capsys):
    """'predict --json' under a stand-in: its JSON said "notices": [] (the line went to stderr only), where
    /predict_json and explain --json hold it. Now the JSON holds it once, and the words on stdout say it once."""
    from msa_demo.__main__ import main

    preset = _hubish(tiny_preset_path, tmp_path)
    assert main(["predict", "--preset", preset, "--text", "good", "--json"]) == 0
    notices = json.loads(capsys.readouterr().out)["notices"]
    assert sum(n.startswith(STAND_IN) for n in notices) == 1 and notices[0].startswith(STAND_IN)
    assert main(["predict", "--preset", preset, "--text", "good"]) == 0
    said = capsys.readouterr()
    assert said.out.count("note: " + STAND_IN) == 1 and STAND_IN not in said.err


def test_the_explanation_json_s_notices_say_everything_the_page_shows(tiny_model, tiny_preset_path, tmp_path,
                                                                      capsys):
    """/explain_json and explain --json: "Text: only the first 5,000 of 219,999 characters were used." sat in
    prediction.notices only, the top-level notices holding the time budget's lines; a client reading notices missed
    that its text was cut. Top-level notices now hold every line, once each; the words say it once too."""
    from msa_demo import ui
    from msa_demo.__main__ import main
    from msa_demo.api import CodeApi
    from msa_demo.cli import format_explanation
    from msa_demo.explain.result import Explanation
    from msa_demo.report import write_html

    long = "I love it. " * 600  # 6,600 characters: the tiny preset reads 5,000
    cut = "Text: only the first 5,000 of 6,599 characters were used."
    api = CodeApi(ui.Dashboard(models={"tiny": tiny_model}, default="tiny"))
    served = json.loads(api.explain(text=long, ig_steps=8, what_if=False, deletion_steps=4))
    assert cut in served["prediction"]["notices"] and served["notices"].count(cut) == 1
    out = tmp_path / "result.json"
    assert main(["explain", "--preset", str(tiny_preset_path), "--text", long, "--json", "--out", str(out),
                 *CHEAP]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["notices"].count(cut) == 1 and json.loads(out.read_text(encoding="utf-8"))["notices"] == \
        printed["notices"]
    saved = Explanation.from_json(out.read_text(encoding="utf-8"))  # its words and report: once, not twice
    assert format_explanation(saved).count(cut) == 1
    write_html(saved, tmp_path / "report.html")
    assert (tmp_path / "report.html").read_text(encoding="utf-8").count(f'<p class="notice">{cut}</p>') == 1


def test_text_minus_is_read_from_standard_input(tiny_preset_path, tmp_path, capsys, monkeypatch):
    """'echo "I love it" | predict --text - --json' judged the text "-" (neutral 78 %), and a 220 kB review given as
    --text "$(cat big.txt)" stopped in the shell (Argument list too long): '-' reads standard input, whole, as
    UTF-8, for predict and explain; a stdin that is empty or not UTF-8 is one line."""
    import io
    import sys

    from msa_demo.__main__ import main

    def piped(data: bytes):
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="latin-1"))

    review = "I love it, " * 20_000  # 220,000 characters
    piped(review.encode("utf-8"))
    assert main(["predict", "--preset", str(tiny_preset_path), "--text", "-", "--json"]) == 0
    pred = json.loads(capsys.readouterr().out)
    assert "Text: only the first 5,000 of 219,999 characters were used." in pred["notices"]
    piped("Das Essen war großartig 😀\n".encode("utf-8"))  # UTF-8 whatever the locale says (latin-1 here)
    assert main(["explain", "--preset", str(tiny_preset_path), "--text", "-", "--json", *CHEAP]) == 0
    words = json.loads(capsys.readouterr().out)["maps"][0]["labels"]
    assert any("großartig" in w for w in words) and "-" not in words
    piped(b"")
    assert main(["predict", "--preset", str(tiny_preset_path), "--text", "-"]) == 2
    assert capsys.readouterr().err.strip() == "error: --text -: nothing came on standard input."
    piped("café".encode("latin-1"))
    assert main(["predict", "--preset", str(tiny_preset_path), "--text", "-"]) == 2
    assert "standard input is not UTF-8 text (byte 4 is not)" in capsys.readouterr().err


def test_nothing_to_judge_has_its_own_exit_status(tiny_preset_path, tmp_path, capsys, monkeypatch):
    """'Nothing could be read, so there is no verdict' (a wordless tone alone) and a picture without a face alone
    exited 2, as a bad command does: they exit 3 now, stdout empty as on any error; a bad input stays 2."""
    import numpy as np
    import soundfile as sf

    from msa_demo.__main__ import main
    from msa_demo.cli import NOTHING_READ_STATUS
    from msa_demo.inputs import AudioInput
    from msa_demo.model import MultimodalSentimentModel

    tiny = ["--preset", str(tiny_preset_path)]
    tone = tmp_path / "tone.wav"
    sf.write(tone, (0.3 * np.sin(np.arange(16000) * 2 * np.pi * 440 / 16000)).astype(np.float32), 16000)
    # what lite's speech recognition says of a wordless tone (tests/test_lite_speech_result.py); the tiny model
    # reads the sound itself
    monkeypatch.setattr(AudioInput, "abstains_why", property(lambda self: "no one speaks in the audio clip"))
    said = ("Nothing could be read, so there is no verdict: no one speaks in the audio clip, and no other input is "
            "given and switched on. Add text or a picture, or give a clip in which someone speaks.")
    for command in (["predict"], ["explain", *CHEAP]):
        assert main([*command, *tiny, "--audio", str(tone), "--json"]) == NOTHING_READ_STATUS == 3
        out = capsys.readouterr()
        assert out.out == "" and out.err.strip() == f"error: {said}"
    monkeypatch.undo()
    picture = tmp_path / "scene.png"
    from PIL import Image

    Image.new("RGB", (64, 48), (90, 140, 200)).save(picture)
    # the face finder finds no face in it (lite's does so for examples/neutral_scene.png: tests/test_cli.py)
    monkeypatch.setattr(MultimodalSentimentModel, "finds_no_face", lambda self, m, value: m == "image")
    assert main(["predict", *tiny, "--image", str(picture), "--json"]) == 3
    out = capsys.readouterr()
    assert out.out == "" and "No face was found in the picture" in out.err and "--face-anyway" in out.err
    assert main(["predict", *tiny, "--image", str(tmp_path / "none.png")]) == 2  # a mistake: still 2
    assert capsys.readouterr().out == ""


def test_explain_json_leaves_heat_maps_and_inputs_out_as_explain_json_does(tiny_preset_path, tmp_path, capsys):
    """'explain --json' was 2.6 MB for a face and a 4 s clip (per-pixel heat maps, base64 inputs), /explain_json
    8 kB (its heatmaps switch off by default). The command line has the same switch, declared once, and --inputs;
    --out saves both, so --from still replays it; a --json answer without inputs is refused by --from in one line."""
    import numpy as np
    import soundfile as sf
    from PIL import Image

    from msa_demo.__main__ import main

    picture, clip = tmp_path / "face.png", tmp_path / "voice.wav"
    Image.fromarray(np.random.default_rng(0).integers(0, 255, (96, 96, 3), dtype=np.uint8)).save(picture)
    sf.write(clip, (0.2 * np.sin(np.arange(4 * 16000) / 3)).astype(np.float32), 16000)
    given = ["explain", "--preset", str(tiny_preset_path), "--text", "I love it", "--image", str(picture),
             "--audio", str(clip), "--json", *CHEAP, "--grid", "3"]

    def answer(*more):
        assert main([*given, *more]) == 0
        text = capsys.readouterr().out
        record = json.loads(text)
        return record, len(text), any("heatmap" in m for m in record["maps"]), "inputs" in record

    saved = tmp_path / "result.json"
    small, size, heat, inputs = answer("--out", str(saved))
    assert not heat and not inputs and any(m["modality"] == "image" for m in small["maps"])
    whole = json.loads(saved.read_text(encoding="utf-8"))  # --out: the file --from replays, whole
    assert "inputs" in whole and any(m.get("heatmap") for m in whole["maps"]) and len(saved.read_bytes()) > 5 * size
    assert answer("--heatmaps")[2:] == (True, True)  # as /explain_json's heatmaps=true
    assert answer("--inputs")[2:] == (False, True)
    assert answer("--heatmaps", "--no-inputs")[2:] == (True, False)
    assert main(["explain", "--from", str(saved), "--json", *CHEAP]) == 0
    assert json.loads(capsys.readouterr().out)["prediction"]["used"] == ["text", "image", "audio"]
    printed = tmp_path / "printed.json"
    printed.write_text(json.dumps(small), encoding="utf-8")
    assert main(["explain", "--from", str(printed)]) == 2
    assert "holds no stored inputs; save it with --out" in capsys.readouterr().err


def test_a_preset_offered_beside_the_one_served_that_cannot_load_is_said_calmly():
    """'python app.py --preset lite' offline printed "preset 'hub', offered beside 'lite', not loaded (the picker
    leaves it out): Cannot load ...", which read as an error to someone who asked for lite: it says what is served
    and why hub is not offered, in one short line; another cause is still said."""
    from types import SimpleNamespace

    import app

    offline = ("Cannot load 'lxyuan/distilbert-base-multilingual-cased-sentiments-student' (revision cf99): the "
               "Hugging Face Hub cannot be reached and no cached copy exists.")
    broken = "The preset file 'mine.json' is not valid JSON (line 3)."
    failures = {"hub": offline, "mine": broken}
    dash = SimpleNamespace(default="lite", failures=failures, reason=failures.get)
    assert app.left_out(dash, "hub") == ("serving 'lite'; 'hub' is left out of the preset picker: the Hugging Face "
                                         "Hub cannot be reached.")
    assert app.left_out(dash, "mine") == ("serving 'lite'; 'mine' is left out of the preset picker, as it could not "
                                          f"be loaded: {broken}")


def test_one_row_explained_without_its_input_is_said_in_the_singular(tiny_model, tmp_path, capsys, monkeypatch):
    """The dataset report said "1 rows were explained without an input they name", explain-batch "1 row(s) were
    ...": one row is said as one, in both, and in Chinese."""
    from msa_demo.__main__ import main
    from PIL import Image

    from msa_demo.dataset.report import inputs_not_read

    monkeypatch.setattr("msa_demo.model.MultimodalSentimentModel.from_preset",
                        classmethod(lambda cls, *a, **k: tiny_model))
    manifest, out = tmp_path / "m.csv", tmp_path / "out"
    Image.new("RGB", (64, 48), (200, 100, 50)).save(tmp_path / "found.png")
    manifest.write_text("id,text,image,label\nok,I love it,found.png,positive\nr1,so so,gone.png,neutral\n",
                        encoding="utf-8")
    assert main(["explain-batch", str(manifest), "--out", str(out), "--no-progress", *CHEAP, "--lang", "en"]) == 0
    printed = capsys.readouterr().out
    assert "  1 row was explained without an input it names (a file missing, unreadable or a link that could not be " \
           "read): r1; its notices say why\n" in printed
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "1 row was explained without an input it names" in page and "1 rows were" not in page
    one = {"rows_not_read": 1, "ids_not_read": ["r1"], "not_read": {"image": 1}}
    assert inputs_not_read(one, "zh").startswith("1 行在缺少其所列输入的情况下解释") and "该行的提示" in inputs_not_read(one, "zh")
    two = {"rows_not_read": 2, "ids_not_read": ["r1", "r2"], "not_read": {"image": 2}}
    assert inputs_not_read(two).startswith("2 rows were explained without an input they name")
