"""A manifest row's ``start`` and ``end`` (seconds: the segment of a full video that its text and label are about,
CMU-MOSEI's layout) had been ignored without a word: a 90 s clip with start=45, end=55 was read from its first 30 s
(its positive part) and called POSITIVE, though the segment is negative. Now the row's clip and sound are cut to the
span before they are read, the notices say which span, a span the file does not hold is the row's one line, and a
span with nothing to cut is said. And a run whose stderr is no terminal (its output sent to a file) said nothing
until its end: now a plain progress line now and then.

Each clip here is built with PyAV so that its halves differ by construction: red pictures and a 440 Hz tone for its
first 3 s, blue pictures and a 1760 Hz tone after."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from PIL import Image

from msa_demo.dataset import explain_batch, read_results
from msa_demo.dataset.rows import explain_row, read_rows
from msa_demo.dataset.span import cut_to_span
from msa_demo.explain import ExplainOptions

RATE = 16000
RED, BLUE = (200, 30, 30), (30, 30, 200)
FAST = ExplainOptions(ig_max_steps=8, image_methods=("occlusion",), grid=2, deletion_steps=2, segment_seconds=1.0,
                      what_if=False)


def halves(seconds: float = 6.0, turn: float = 3.0) -> np.ndarray:
    """A tone of 440 Hz until ``turn``, 1760 Hz after."""
    t = np.arange(int(seconds * RATE)) / RATE
    return (0.5 * np.where(t < turn, np.sin(2 * np.pi * 440 * t), np.sin(2 * np.pi * 1760 * t))).astype(np.float32)


def clip(path: Path, seconds: float = 6.0, turn: float = 3.0) -> Path:
    """A clip whose pictures are red and its tone 440 Hz until ``turn``, blue and 1760 Hz after (10 frames/s)."""
    from msa_demo.modalities.video import write_clip

    frames = [Image.new("RGB", (64, 48), RED if i / 10 < turn else BLUE) for i in range(int(seconds * 10))]
    return write_clip(path, frames, fps=10, sound=(RATE, halves(seconds, turn)), codec="libx264")


def pitch(samples: np.ndarray, rate: int) -> float:
    """The strongest frequency of a sound, in Hz."""
    spectrum = np.abs(np.fft.rfft(samples))
    return float(np.argmax(spectrum) * rate / len(samples))


def colours(video) -> set[str]:
    """Which of red and blue each frame of a read clip shows."""
    return {"red" if f.getpixel((32, 24))[0] > f.getpixel((32, 24))[2] else "blue" for f in video.frames}


def test_a_rows_clip_is_cut_to_its_start_and_end_before_it_is_read(tmp_path):
    from msa_demo.modalities.video import load_video

    clip(tmp_path / "full.mp4")
    manifest = tmp_path / "m.csv"
    manifest.write_text("id,video,start,end\nseg,full.mp4,3.5,5.5\nwhole,full.mp4,,\n", encoding="utf-8")
    seg, whole = read_rows(manifest)[0]
    assert seg.span == ("3.5", "5.5") and whole.span is None
    with cut_to_span(seg.values, seg.span) as (values, said):
        read = load_video(values["video"], fps=2.0, max_seconds=30.0)
    assert colours(read) == {"blue"} and read.seconds == pytest.approx(2.0, abs=0.15)
    assert pitch(read.sound[1], read.sound[0]) == pytest.approx(1760, abs=20)  # its sound over the same span
    assert said == [f"Video: 3.5-5.5 s of {read_length(tmp_path / 'full.mp4')} s were read (the row's start and end); "
                    "its times count from 3.5 s."]
    with cut_to_span(whole.values, whole.span) as (values, said):  # no span: the clip as it is
        assert values == whole.values and said == []
    # a span is another input: the row's hash changes with it (a run again with another span runs the row again)
    assert seg.hashes()["video_sha256"] != whole.hashes()["video_sha256"]


def read_length(path: Path) -> str:
    import av

    with av.open(str(path)) as c:
        return f"{c.duration / av.time_base:.1f}"


def test_a_rows_sound_file_is_cut_and_its_span_columns_map_as_other_columns_do(tmp_path):
    from msa_demo.dataset.manifest import parse_columns
    from msa_demo.inputs import load_audio

    sf.write(tmp_path / "talk.wav", halves(), RATE)
    manifest = tmp_path / "m.csv"
    manifest.write_text("clip,seg_from,seg_to\ntalk.wav,3,6\n", encoding="utf-8")
    (row,), _hint = read_rows(manifest, columns=parse_columns("audio=clip,start=seg_from,end=seg_to"))
    with cut_to_span(row.values, row.span) as (values, said):
        read = load_audio(values["audio"], RATE)
    assert read.seconds == pytest.approx(3.0, abs=0.01) and pitch(read.waveform, RATE) == pytest.approx(1760, abs=5)
    assert said == ["Audio: 3.0-6.0 s of 6.0 s were read (the row's start and end); its times count from 3.0 s."]
    with cut_to_span(row.values, ("0", "3")) as (values, _said):  # the other half: the other tone
        assert pitch(load_audio(values["audio"], RATE).waveform, RATE) == pytest.approx(440, abs=5)


@pytest.mark.parametrize("start, end, line", [
    ("45", "40", "The row's end (40 s) is not after its start (45 s)."),
    ("3", "3", "The row's end (3 s) is not after its start (3 s)."),
    ("-1", "2", "The row's start (-1 s) is negative: a span starts at 0 s or later."),
    ("1.5s", "2", "The row's start '1.5s' is not a number of seconds."),
    ("7", "9", "The row's span 7-9 s starts past the end of 'talk.wav' (6.0 s long)."),
    ("2", "9", "The row's span 2-9 s ends past the end of 'talk.wav' (6.0 s long)."),
])
def test_a_bad_span_is_the_rows_one_line(tiny_model, tmp_path, start, end, line):
    sf.write(tmp_path / "talk.wav", halves(), RATE)
    manifest = tmp_path / "m.csv"
    manifest.write_text(f"id,text,audio,start,end\nr,I love it,talk.wav,{start},{end}\n", encoding="utf-8")
    (row,), _hint = read_rows(manifest)
    rec, data = explain_row(tiny_model, row, FAST)
    assert data is None and rec["error"] == line  # the row fails with that line: not read from another span


def test_a_span_past_a_clips_end_is_the_rows_one_line(tmp_path):
    from msa_demo.errors import SpanError

    clip(tmp_path / "full.mp4")
    with pytest.raises(SpanError, match=r"^The row's span 8-10 s starts past the end of 'full.mp4' \(6\.\d s long\)\.$"):
        with cut_to_span({"video": str(tmp_path / "full.mp4")}, ("8", "10")):
            pass
    with cut_to_span({"video": str(tmp_path / "full.mp4")}, ("5", "6.3")) as (_values, said):  # a set's rounding
        assert said[0].startswith("Video: 5.0-6.")


def test_a_damaged_clip_with_a_span_is_left_out_of_its_row_as_without_one(tiny_model, tmp_path):
    (tmp_path / "broken.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42 this is not a clip")
    manifest = tmp_path / "m.csv"
    manifest.write_text("id,text,video,start,end\nr,I love it,broken.mp4,1,2\nalone,,broken.mp4,1,2\n",
                        encoding="utf-8")
    row, alone = read_rows(manifest)[0]
    rec, data = explain_row(tiny_model, row, FAST)
    assert data is not None and rec["used"] == ["text"] and rec["not_read"] == ["video"]
    assert any(n.startswith("Video: could not be read ('broken.mp4' could not be read as a video.") for n in rec["notices"])
    rec, data = explain_row(tiny_model, alone, FAST)  # nothing else: the reader's line is the row's
    assert data is None and rec["error"].startswith("'broken.mp4' could not be read as a video.")


def test_a_span_with_no_clip_or_sound_to_cut_is_said_once(tiny_model, tmp_path, capsys, monkeypatch):
    from msa_demo.__main__ import main

    monkeypatch.setattr("msa_demo.model.MultimodalSentimentModel.from_preset",
                        classmethod(lambda cls, *a, **k: tiny_model))
    manifest, out = tmp_path / "m.csv", tmp_path / "out"
    manifest.write_text("id,text,start,end\na,I love it,45,55\nb,I hate it,,\n", encoding="utf-8")
    assert main(["explain-batch", str(manifest), "--out", str(out), "--no-progress", "--ig-max-steps", "8",
                 "--no-what-if", "--deletion-steps", "4", "--lang", "en"]) == 0
    printed = capsys.readouterr().out
    assert printed.count("give a start and end") == 1 and "  1 row(s) give a start and end but no clip or sound to cut, so their " \
        "span was not used: a\n" in printed
    a, b = read_results(out)
    assert "Start/end: the row has no clip or sound to cut, so its span 45-55 s was not used." in a["notices"]
    assert not any("Start/end" in n for n in b["notices"])


def test_a_run_without_a_terminal_says_how_far_it_is_now_and_then(tiny_model, tmp_path, capsys, monkeypatch):
    from msa_demo.dataset import local

    manifest = tmp_path / "m.csv"
    manifest.write_text("id,text\na,I love it\nb,I hate it\n", encoding="utf-8")
    explain_batch(manifest, tmp_path / "out", model=tiny_model, options=FAST, report=False)  # stderr: pytest's
    lines = capsys.readouterr().err.splitlines()
    assert [ln.split(",")[0] for ln in lines if " rows, " in ln] == ["2/2 rows"]  # the last row always
    monkeypatch.setattr(local, "PROGRESS_EVERY", 0.0)  # (a line after every row: as a slow run's rows give)
    explain_batch(manifest, tmp_path / "out2", model=tiny_model, options=FAST, report=False)
    said = [ln for ln in capsys.readouterr().err.splitlines() if " rows, " in ln]
    assert [ln.split(" s")[0].rsplit(", ", 1)[0] for ln in said] == [
        "1/2 rows, 0 failed", "2/2 rows, 0 failed"]
    explain_batch(manifest, tmp_path / "out3", model=tiny_model, options=FAST, report=False, progress=False)
    assert " rows, " not in capsys.readouterr().err  # --no-progress: none


@pytest.mark.slow  # explains a clip on the tiny video preset (about 5 s)
def test_a_rows_segment_is_what_is_explained_and_recorded(tiny_video_preset, tmp_path):
    """The whole row: its explanation reads (and records, for a replay) the span asked, and says so."""
    from msa_demo.model import MultimodalSentimentModel
    from msa_demo.modalities.video import load_video

    model = MultimodalSentimentModel.from_preset(str(tiny_video_preset), device="cpu")
    clip(tmp_path / "full.mp4", seconds=8.0, turn=4.0)
    manifest = tmp_path / "m.csv"
    manifest.write_text("id,video,start,end\nlate,full.mp4,5,7\nearly,full.mp4,0.5,2.5\n", encoding="utf-8")
    s = explain_batch(manifest, tmp_path / "out", model=model, options=FAST, progress=False, report=False)
    assert (s.explained, s.failed) == (2, 0)
    late, early = read_results(tmp_path / "out")
    for rec, colour, tone, span in ((late, "blue", 1760, "5.0-7.0"), (early, "red", 440, "0.5-2.5")):
        assert any(n.startswith(f"Video: {span} s of 8.") for n in rec["notices"])
        saved = json.loads((tmp_path / "out" / rec["explanation"]).read_text(encoding="utf-8"))
        again = load_video(base64.b64decode(saved["inputs"]["video_b64"]), fps=2.0, max_seconds=30.0)
        assert colours(again) == {colour} and again.seconds == pytest.approx(2.0, abs=0.15)
        assert pitch(again.sound[1], again.sound[0]) == pytest.approx(tone, abs=20)
    assert late["prob_positive"] != early["prob_positive"]  # two spans of one clip: two inputs
