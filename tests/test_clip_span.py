"""A span of a single clip (issue fix-clip): a researcher with one utterance at 12.3-15.8 s of a long interview had to
cut it herself before ``predict`` / ``explain --video`` (or ``--audio``): the whole file was read (its first 30 s).
Now ``--start`` / ``--end`` cut it with the cutter dataset mode uses for a row's span, the result and report say
which span of which file was read, and a span that cannot be read is one line (exit 2). And ``train`` read a
manifest row's whole file, where explain-batch reads its span: a head learned from what no prediction reads; now
it reads the span too.

The clips are those of ``test_dataset_segment``: red pictures and a 440 Hz tone for their first 3 s, blue and
1760 Hz after."""

from __future__ import annotations

import base64
import json

import numpy as np
import pytest
import soundfile as sf
import torch

from msa_demo.__main__ import main
from test_dataset_segment import RATE, clip, colours, halves, pitch, read_length

CHEAP = ["--ig-max-steps", "8", "--no-what-if", "--deletion-steps", "2", "--segment-seconds", "1.0"]


def _predicted(tiny_preset_path, capsys, *argv) -> dict:
    assert main(["predict", "--preset", str(tiny_preset_path), "--json", *argv]) == 0
    return json.loads(capsys.readouterr().out)


def test_predict_reads_only_the_span_of_a_sound_and_says_which(tiny_preset_path, tmp_path, capsys):
    sf.write(tmp_path / "interview.wav", halves(), RATE)
    sf.write(tmp_path / "by_hand.wav", halves()[int(3.5 * RATE):int(5.5 * RATE)], RATE)  # the span, cut by hand
    spanned = _predicted(tiny_preset_path, capsys, "--audio", str(tmp_path / "interview.wav"), "--start", "3.5",
                         "--end", "5.5")
    by_hand = _predicted(tiny_preset_path, capsys, "--audio", str(tmp_path / "by_hand.wav"))
    whole = _predicted(tiny_preset_path, capsys, "--audio", str(tmp_path / "interview.wav"))
    assert spanned["probs"] == pytest.approx(by_hand["probs"], abs=1e-5)
    assert spanned["probs"] != pytest.approx(whole["probs"], abs=1e-5)
    assert spanned["notices"] == ["Audio: 3.5-5.5 s of 'interview.wav' (6.0 s long) were read (--start and --end); "
                                  "its times count from 3.5 s."]
    # in words too, and an end left out is the file's end
    assert main(["predict", "--preset", str(tiny_preset_path), "--audio", str(tmp_path / "interview.wav"),
                 "--start", "3.5"]) == 0
    assert "note: Audio: 3.5-6.0 s of 'interview.wav' (6.0 s long) were read" in capsys.readouterr().out


def test_explain_reads_only_the_span_of_a_clip_in_its_result_and_report(tiny_video_preset, tmp_path, capsys):
    from msa_demo.modalities.video import load_video

    clip(tmp_path / "interview.mp4")
    said = (f"Video: 3.5-5.5 s of 'interview.mp4' ({read_length(tmp_path / 'interview.mp4')} s long) were read "
            "(--start and --end); its times count from 3.5 s.")
    html = tmp_path / "report.html"
    assert main(["explain", "--preset", str(tiny_video_preset), "--video", str(tmp_path / "interview.mp4"),
                 "--start", "3.5", "--end", "5.5", "--json", "--inputs", "--html", str(html), *CHEAP]) == 0
    record = json.loads(capsys.readouterr().out)
    assert said in record["notices"]
    read = tmp_path / "read.mp4"  # what was explained: the blue half alone, its sound the 1760 Hz tone
    read.write_bytes(base64.b64decode(record["inputs"]["video_b64"]))
    video = load_video(str(read), fps=2.0, max_seconds=30.0)
    assert colours(video) == {"blue"} and video.seconds == pytest.approx(2.0, abs=0.15)
    assert pitch(video.sound[1], video.sound[0]) == pytest.approx(1760, abs=20)
    report = html.read_text(encoding="utf-8")
    assert "3.5-5.5 s of" in report and "interview.mp4" in report and "(--start and --end)" in report


@pytest.mark.parametrize("argv, line", [
    (["--start", "5", "--end", "4"], "--end (4 s) is not after --start (5 s)."),
    (["--start", "2", "--end", "2"], "--end (2 s) is not after --start (2 s)."),
    (["--start", "-1"], "--start (-1 s) is negative: a clip's span starts at 0 s or later."),
    (["--end", "-2"], "--end (-2 s) is negative: a clip's span starts at 0 s or later."),
    (["--start", "nan"], "--start 'nan' is not a number of seconds."),
    (["--start", "7"], "--start 7 s is past the end of 'talk.wav' (6.0 s long)."),
    (["--start", "1", "--end", "9"], "--end 9 s is past the end of 'talk.wav' (6.0 s long)."),
])
@pytest.mark.parametrize("command", ["predict", "explain"])
def test_a_span_that_cannot_be_read_is_one_line(tiny_preset_path, tmp_path, capsys, command, argv, line):
    sf.write(tmp_path / "talk.wav", halves(), RATE)
    assert main([command, "--preset", str(tiny_preset_path), "--audio", str(tmp_path / "talk.wav"), *argv]) == 2
    out, err = capsys.readouterr()
    assert err == f"error: {line}\n" and out == ""


def test_a_span_without_a_clip_is_one_line_in_the_words_asked_for(tiny_preset_path, tmp_path, capsys):
    for command in ("predict", "explain"):
        assert main([command, "--preset", str(tiny_preset_path), "--text", "fine", "--end", "3"]) == 2
        assert capsys.readouterr() == ("", "error: --start and --end cut a clip: give --audio or --video with "
                                           "them.\n")
    sf.write(tmp_path / "talk.wav", halves(), RATE)
    assert main(["predict", "--preset", str(tiny_preset_path), "--audio", str(tmp_path / "talk.wav"), "--start", "3",
                 "--end", "2", "--lang", "zh"]) == 2
    assert capsys.readouterr().err == "错误：--end（2 秒）不在 --start（3 秒）之后。\n"
    saved = tmp_path / "saved.json"  # a saved explanation is replayed as it was read: no span to cut
    assert main(["explain", "--preset", str(tiny_preset_path), "--text", "fine", "--out", str(saved), *CHEAP]) == 0
    capsys.readouterr()
    assert main(["explain", "--from", str(saved), "--start", "1"]) == 2
    assert capsys.readouterr().err.startswith("error: --start and --end cut a clip given with --audio or --video; ")


def test_the_early_check_takes_the_span_flags(tmp_path):
    """predict's early parser (no torch) knows --start / --end: it had refused them as unrecognised arguments."""
    from msa_demo.__main__ import refuse_early
    from msa_demo.config import CLIP_SPAN_FLAGS
    from msa_demo.dataset.span import CLIP_SPAN

    assert CLIP_SPAN_FLAGS == tuple(spec.name for spec in CLIP_SPAN)
    sf.write(tmp_path / "talk.wav", halves(), RATE)
    for command in ("predict", "explain"):
        assert refuse_early([command, "--preset", "lite", "--audio", str(tmp_path / "talk.wav"), "--start", "1",
                             "--end", "2"]) is None


@pytest.mark.slow
def test_train_reads_a_rows_span_of_its_clip_as_explain_batch_does(tiny_video_preset, tmp_path, capsys):
    """A manifest row with start / end: train read the whole clip (the red half's pictures and tone beside the blue
    half's) where explain-batch and a prediction read the span alone; now its features are those of the span."""
    from msa_demo.config import load_preset
    from msa_demo.dataset.span import cut_to_span
    from msa_demo.model import MultimodalSentimentModel
    from msa_demo import training as T
    from msa_demo.training.features import extract_features

    full = str(clip(tmp_path / "interview.mp4"))
    rows = [{"video": full, "start": "3.5", "end": "5.5"}, {"video": full}, {"video": full, "start": 0, "end": 3},
            {"video": full, "start": "7", "end": "9"}]
    data, _ = extract_features(rows, load_preset(str(tiny_video_preset)), ["audio", "video"], tmp_path / "cache",
                               progress=False)
    model = MultimodalSentimentModel.from_preset(str(tiny_video_preset), device="cpu")
    for m in ("audio", "video"):
        got = [data[m]["features"][data[m]["row"][i]] for i in range(3)]
        assert data[m]["row"][3] == -1  # a span the clip does not hold: the row's one line, read without it
        assert data[m]["unreadable"] == {3: "The row's span 7-9 s starts past the end of 'interview.mp4' "
                                            f"({read_length(tmp_path / 'interview.mp4')} s long)."}
        with cut_to_span({"video": full}, ("3.5", "5.5")) as (values, _said):  # what explain-batch reads
            inputs = model.read_inputs(video=values["video"])
            _, encoded = model.encode(m, getattr(inputs, m))
        assert torch.allclose(got[0], encoded.features.float().cpu(), atol=1e-5)
        assert not torch.allclose(got[0], got[1], atol=1e-3) and not torch.allclose(got[0], got[2], atol=1e-3)

    # the whole command: a manifest's spans are read, and trained on
    manifest = tmp_path / "m.csv"
    manifest.write_text("video,start,end,label\n" + "".join(
        f"interview.mp4,{a},{b},{lab}\n" for a, b, lab in [(0, 3, "negative"), (3, 6, "positive")] * 3),
        encoding="utf-8")
    summary = T.run_training(T.parse_args([str(manifest), "--preset", str(tiny_video_preset), "--epochs", "1",
                                           "--labels", "2", "--test-size", "0", "--cache-dir",
                                           str(tmp_path / "cache")]))
    assert summary["modalities"] == ["audio", "video"]
    # its two spans are two items (the first read above already, as "0" and "3" or 0 and 3), not the whole file
    assert "video: 6 items, 1 encoded now (5 from the cache)" in capsys.readouterr().out
