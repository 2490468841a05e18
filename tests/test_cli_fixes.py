"""What new users found on the command line (issue fix-cli): loading notices said by explain and explain-batch,
input mistakes refused before any model loads, a text column under another name hinted at, a model named once
in a notice, --preset's help naming a folder train wrote. In process, on the tiny preset and a tiny copy of it
standing in for a Hub model that cannot load (the Hub unreachable: an empty cache, HF_HUB_OFFLINE)."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from msa_demo.config import HUB, load_preset, save_preset


@pytest.fixture
def offline(monkeypatch, tmp_path):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "empty-hf-cache"))


def test_a_model_two_modalities_share_is_named_once_in_its_notice():
    """'openai/clip-vit-base-patch32', 'openai/clip-vit-base-patch32': image and video read one checkpoint."""
    from msa_demo.model import loading_notices

    (line,) = loading_notices(HUB, [("image", True, "The Hub cannot be reached."),
                                    ("video", True, "The Hub cannot be reached.")])
    assert line.count("openai/clip-vit-base-patch32") == 1
    assert line.startswith("Image and video: 'openai/clip-vit-base-patch32' could not be loaded")


def test_the_app_s_help_says_a_folder_train_wrote_is_a_preset(capsys):
    """'python app.py --help' named only the built-ins and preset files, though a folder written by train works."""
    import app

    with pytest.raises(SystemExit):
        app.main(["--help"])
    helped = " ".join(capsys.readouterr().out.split())
    assert "a folder `python -m msa_demo train` wrote" in helped


def test_a_damaged_file_and_an_unknown_target_are_refused_before_any_model_loads(tmp_path, capsys, monkeypatch):
    """An empty PNG was refused after 22.5 s of loading lite, a damaged one after 9 s, '--target happy' after 10 s:
    the same lines now come before any model loads."""
    from msa_demo.__main__ import main
    from msa_demo.model import MultimodalSentimentModel

    def never(*args, **kwargs):
        raise AssertionError("a model was loaded")

    monkeypatch.setattr(MultimodalSentimentModel, "from_preset", classmethod(never))
    empty, damaged = tmp_path / "empty.png", tmp_path / "damaged.png"
    empty.write_bytes(b"")
    damaged.write_bytes(b"\x89PNG\r\n\x1a\n" + b"not a picture" * 50)
    clip = tmp_path / "empty.wav"
    clip.write_bytes(b"")
    film = tmp_path / "damaged.mp4"
    film.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"not a film" * 50)
    for command in ("predict", "explain"):
        assert main([command, "--preset", "lite", "--image", str(empty)]) == 2
        assert capsys.readouterr().err == ("error: 'empty.png' cannot be used: the file is empty (0 bytes). Choose "
                                           "the picture again.\n")
        assert main([command, "--preset", "lite", "--text", "fine", "--image", str(damaged)]) == 2
        assert capsys.readouterr().err == ("error: 'damaged.png' could not be read as a picture. It may be damaged or "
                                           "not an image; use PNG, JPEG, WebP, GIF, BMP or TIFF.\n")
        assert main([command, "--preset", "lite", "--audio", str(clip)]) == 2
        assert "empty (0 bytes)" in capsys.readouterr().err
        assert main([command, "--preset", "lite", "--text", "fine", "--video", str(film)]) == 2  # a clip too
        assert capsys.readouterr().err == ("error: 'damaged.mp4' could not be read as a video. It may be damaged or "
                                           "not a video; use MP4, WebM, MOV, MKV, AVI or an animated GIF.\n")
    assert main(["explain", "--preset", "lite", "--text", "fine", "--target", "happy"]) == 2
    assert capsys.readouterr().err == ("error: The target class must be one of negative, neutral, positive (got "
                                       "'happy').\n")


def test_inputs_read_before_the_model_loads_are_not_read_again(tiny_preset_path, tmp_path, capsys, monkeypatch):
    """The picture and the clip read for that check are the ones explained: each file is decoded once."""
    import numpy as np
    import soundfile as sf
    from PIL import Image

    from msa_demo import inputs
    from msa_demo.__main__ import main

    img, wav = tmp_path / "face.png", tmp_path / "voice.wav"
    Image.new("RGB", (40, 30), (200, 100, 50)).save(img)
    sf.write(wav, (0.2 * np.sin(np.arange(16000) / 3)).astype(np.float32), 16000)
    opened = {"image": 0, "audio": 0}
    open_image, decode_audio = inputs._open_image, inputs._decode_audio

    def counted(kind, read):
        def reading(*args, **kwargs):
            opened[kind] += 1
            return read(*args, **kwargs)
        return reading

    monkeypatch.setattr(inputs, "_open_image", counted("image", open_image))
    monkeypatch.setattr(inputs, "_decode_audio", counted("audio", decode_audio))
    assert main(["explain", "--preset", str(tiny_preset_path), "--text", "I love it", "--image", str(img),
                 "--audio", str(wav), "--json", "--grid", "2", "--ig-max-steps", "8", "--no-what-if"]) == 0
    exp = json.loads(capsys.readouterr().out)
    assert exp["prediction"]["used"] == ["text", "image", "audio"]
    assert opened == {"image": 1, "audio": 1}


CHEAP = ["--ig-max-steps", "8", "--no-what-if", "--deletion-steps", "4"]


def _hubish(tiny_preset_path, tmp_path, **fields) -> str:
    """The tiny preset whose audio entry is the Hub's (not cached here: it cannot load), a tiny copy standing in."""
    tiny = load_preset(str(tiny_preset_path))
    stand_in = save_preset(replace(tiny, name="stand-in"), tmp_path / "stand_in.json")
    mods = {**tiny.modalities, "audio": HUB.modalities["audio"]}
    return str(save_preset(replace(tiny, name="hubish", modalities=mods, fallback=str(stand_in), **fields),
                           tmp_path / "hubish.json"))


STAND_IN = "Audio: 'superb/wav2vec2-base-superb-er' could not be loaded, so the "


def test_a_text_of_spaces_beside_a_clip_is_said_not_read(tiny_preset_path, capsys):
    """'--text "   " --audio clip.wav' read the clip alone and said nothing of the text: one note now says it was not
    read, in the lines printed and in the JSON's notices (a text of spaces alone is still refused, as before)."""
    from pathlib import Path

    from msa_demo.__main__ import main

    clip = str(Path(__file__).resolve().parent.parent / "examples" / "positive_speech.wav")
    line = "Text: the text given holds only spaces, so it was not read."
    assert main(["predict", "--preset", str(tiny_preset_path), "--text", "   ", "--audio", clip]) == 0
    assert f"note: {line}" in capsys.readouterr().out.splitlines()
    assert main(["predict", "--preset", str(tiny_preset_path), "--text", "\n \t\n", "--audio", clip, "--json"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["notices"] == [line] and record["used"] == ["audio"]
    assert main(["explain", "--preset", str(tiny_preset_path), "--text", " ", "--audio", clip, "--json",
                 "--ig-max-steps", "8", "--deletion-steps", "2"]) == 0
    assert line in json.loads(capsys.readouterr().out)["notices"]
    assert main(["predict", "--preset", str(tiny_preset_path), "--text", "   "]) == 2
    assert "The text holds only spaces" in capsys.readouterr().err


def test_explain_says_a_hub_model_that_could_not_load_once(tiny_preset_path, tmp_path, offline, capsys):
    """'explain --preset hub' with one Hub model uncached printed nothing of it, and its --json notices were []."""
    from msa_demo.__main__ import main

    preset = _hubish(tiny_preset_path, tmp_path)
    assert main(["explain", "--preset", preset, "--text", "good", "--json", *CHEAP]) == 0
    notices = json.loads(capsys.readouterr().out)["notices"]
    assert sum(n.startswith(STAND_IN) for n in notices) == 1
    assert main(["explain", "--preset", preset, "--text", "good", *CHEAP]) == 0
    out = capsys.readouterr().out
    assert out.count("note: " + STAND_IN) == 1 and out.count(STAND_IN) == 1


def test_explain_batch_says_how_the_model_loaded_and_report_names_its_preset(tiny_preset_path, tmp_path, offline,
                                                                              capsys):
    """'explain-batch --preset head_hub': the head gave way to late fusion and a stand-in served, said nowhere; the
    rows read 'hubish+head' though the fusion was late. The terminal says it once, report.html names the preset,
    the fusion that served and how loading went."""
    from msa_demo.__main__ import main
    from msa_demo.fusion import FusionNet

    head = tmp_path / "head"
    FusionNet(kind="concat", modalities=["text", "audio"], dims={"text": 32, "audio": 32}, hidden=8) \
        .save_pretrained(str(head))
    preset = _hubish(tiny_preset_path, tmp_path, fusion=str(head))
    manifest = tmp_path / "m.csv"
    manifest.write_text("id,text,label\nr1,I love it,positive\nr2,I hate it,negative\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["explain-batch", str(manifest), "--out", str(out), "--preset", preset, "--no-progress",
                 *CHEAP]) == 0
    printed = capsys.readouterr().out
    assert printed.count("note: " + STAND_IN) == 1
    assert printed.count("The trained fusion head reads the features of this preset's own audio model") == 1
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "Explained with the preset <b>hubish</b> (fusion: late fusion)." in page
    assert page.count("could not be loaded, so the") == 1 and page.count("late fusion) instead") == 1
    # a run with every row done keeps the model's record: the report still names it
    assert main(["explain-batch", str(manifest), "--out", str(out), "--preset", preset, "--no-progress",
                 *CHEAP]) == 0
    capsys.readouterr()
    assert "Explained with the preset <b>hubish</b>" in (out / "report.html").read_text(encoding="utf-8")


def test_a_text_column_under_its_own_name_is_hinted_at_not_passed_over(tmp_path):
    """'train data/wrongcol.csv': its 'sentence' column was dropped beside image and audio columns, 63 rows left
    out as having no input, and an image+audio head trained. Rows with nothing but that text now stop the run in
    one line that says how to map it; where every row has another input, the run says the text was not read."""
    from PIL import Image

    from msa_demo.dataset.manifest import read_manifest
    from msa_demo.dataset.rows import read_rows
    from msa_demo.errors import InputError

    Image.new("RGB", (16, 16), (200, 100, 50)).save(tmp_path / "a.png")
    some = tmp_path / "wrongcol.csv"
    some.write_text("sentence,image,label\nI love it,a.png,positive\nI hate it,,negative\n", encoding="utf-8")
    with pytest.raises(InputError) as refused:
        read_manifest(some)
    assert str(refused.value) == ("The manifest 'wrongcol.csv' has no 'text' column, and its column 'sentence' looks "
                                  "like the text: 1 row(s) have nothing else to read. Map it: --columns "
                                  "text=sentence.")
    assert [r["text"] for r in read_manifest(some, columns={"text": "sentence"})] == ["I love it", "I hate it"]
    every = tmp_path / "captions.csv"
    every.write_text("caption,image,label\nA smile,a.png,positive\n", encoding="utf-8")
    rows, hint = read_rows(every)
    assert len(rows) == 1 and "text" not in rows[0].values
    assert hint == ("No text was read: the manifest has no 'text' column, and its column 'caption' looks like one; map "
                    "it (--columns text=caption) to read it.")
