"""What phones, screen recorders and editors put in a file, read as it is meant: every sound track of a file is
decoded with its channels kept (a stereo voice wired in opposite phase does not cancel out), the loudest track is
read (a recorder's first track may be silent) and said; a clip's sound is placed on its pictures' time line (a
sound that starts 2 s in is not pulled to 0 s); a sound that runs past the pictures is said; a cover picture stored
as the first video stream is passed over; a long file is decoded only as far as it is read; and a refusal of a
clip cut to its first seconds says that it was cut. The files are written here with PyAV from the examples'
speech; each case failed before its fix (the sound was silent, cancelled, misplaced or cut without a word).
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from msa_demo.errors import InputError
from msa_demo.inputs import load_audio, load_image
from msa_demo.modalities.video import browser_copy, load_video

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
RATE = 16000


@pytest.fixture(scope="module")
def speech() -> np.ndarray:
    """The positive example's speech, mono float32 at 16 kHz."""
    wave, rate = sf.read(EXAMPLES / "positive_speech.wav", dtype="float32")
    assert rate == RATE
    return wave if wave.ndim == 1 else wave.mean(axis=1)


def _rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(x, dtype=np.float64)))) if x.size else 0.0


def write(path: Path, tracks: list[np.ndarray], frames: int = 0, fps: int = 10, sound_from: float = 0.0,
          cover: bool = False) -> Path:
    """A file with ``frames`` pictures (grey, moving) and one sound track per array ([T] mono or [T, 2] stereo,
    16 kHz), the sound's first packet at ``sound_from`` seconds; ``cover``: a one-picture MJPEG stream first."""
    import av

    with av.open(str(path), mode="w") as out:
        if cover:
            cs = out.add_stream("mjpeg", rate=1)
            cs.width, cs.height, cs.pix_fmt = 32, 32, "yuvj420p"
        vs = None
        if frames:
            vs = out.add_stream("mpeg4", rate=fps)
            vs.width, vs.height, vs.pix_fmt = 64, 48, "yuv420p"
        audio = []
        for track in tracks:
            a = out.add_stream("aac", rate=RATE)
            a.layout = "stereo" if track.ndim == 2 else "mono"
            audio.append(a)
        if cover:
            still = av.VideoFrame.from_ndarray(np.full((32, 32, 3), 200, np.uint8), format="rgb24")
            for p in cs.encode(still):
                out.mux(p)
            for p in cs.encode():
                out.mux(p)
        for i in range(frames):
            img = np.full((48, 64, 3), (40 + 10 * i) % 255, np.uint8)
            for p in vs.encode(av.VideoFrame.from_ndarray(img, format="rgb24")):
                out.mux(p)
        if vs is not None:
            for p in vs.encode():
                out.mux(p)
        for a, track in zip(audio, tracks):
            planar = np.ascontiguousarray(track.T if track.ndim == 2 else track[None, :], dtype=np.float32)
            frame = av.AudioFrame.from_ndarray(planar, format="fltp", layout=a.layout.name)
            frame.sample_rate = RATE
            frame.pts = int(round(sound_from * RATE))
            frame.time_base = Fraction(1, RATE)
            for p in a.encode(frame):
                out.mux(p)
            for p in a.encode():
                out.mux(p)
    return path


def test_a_stereo_voice_in_opposite_phase_is_heard_in_a_compressed_file(tmp_path, speech):
    """FFmpeg's own down-mix summed the channels to nothing: 'the clip is silent or nearly so'."""
    antiphase = np.stack([speech, -speech], axis=1) * 0.5
    clip = load_audio(write(tmp_path / "phase.m4a", [antiphase]))
    assert _rms(clip.waveform) > 0.5 * _rms(speech * 0.5) and not any("silent" in n for n in clip.notices)
    video = load_video(write(tmp_path / "phase.mp4", [antiphase], frames=30))
    assert _rms(video.sound[1]) > 0.5 * _rms(speech * 0.5)


def test_the_loudest_of_several_sound_tracks_is_read_and_said(tmp_path, speech):
    """A screen recorder's file whose first track is silent: 'no one speaks in the clip'."""
    silent = np.zeros_like(speech)
    path = write(tmp_path / "two.mkv", [silent, speech * 0.5], frames=30)
    clip = load_audio(path)
    assert _rms(clip.waveform) > 0.05 and clip.notices == [
        "Audio: the file has 2 sound tracks; track 2, the loudest, was read."]
    video = load_video(path)
    assert _rms(video.sound[1]) > 0.05
    assert "Video: the file has 2 sound tracks; track 2, the loudest, was read." in video.notices
    from msa_demo.i18n import said

    assert said(clip.notices[0], "zh") == "音频：该文件有 2 条音轨；读取了最响的第 2 条。"
    copy = browser_copy(path)  # the copy the page plays (and reads) keeps that track
    assert copy is not None and _rms(load_video(copy).sound[1]) > 0.05


def test_a_sound_that_starts_later_stays_where_it_is_on_the_time_line(tmp_path, speech):
    """A camera's sound 2 s in was read from 0 s: every word's time, and the voice lane, 2 s early."""
    path = write(tmp_path / "late.mkv", [speech * 0.5], frames=60, sound_from=2.0)
    for clip in (load_video(path), load_video(browser_copy(path))):
        samples = clip.sound[1]
        first = int(np.argmax(np.abs(samples) > 0.02)) / RATE
        assert 1.9 <= first <= 2.3 and _rms(samples[: int(1.8 * RATE)]) < 1e-3


def test_a_sound_that_runs_past_the_pictures_is_said(tmp_path, speech):
    """One second of pictures and 4.5 s of speech: the sound was cut to 1 s without a word."""
    clip = load_video(write(tmp_path / "short.mp4", [speech * 0.5], frames=10))
    assert clip.seconds == pytest.approx(1.0, abs=0.05)
    (past,) = [n for n in clip.notices if n.startswith("Video: its sound runs 4.5 s, past its pictures' 1.0 s;")]
    from msa_demo.i18n import said

    assert said(past, "zh").startswith("视频：它的声音长 4.5 秒，超过了画面的 1.0 秒；")


def test_a_cover_picture_stream_is_passed_over(tmp_path, speech):
    """A file whose first video stream is its cover: the clip read as one still frame."""
    clip = load_video(write(tmp_path / "cover.mkv", [speech * 0.5], frames=30, cover=True))
    assert len(clip.frames) >= 5 and clip.seconds == pytest.approx(3.0, abs=0.15)


def test_a_phone_s_3gp_is_a_video(tmp_path, speech):
    """'v.3gp' is an audio clip, not a video: give it as audio."""
    import shutil

    path = write(tmp_path / "v.mp4", [speech * 0.5], frames=20)
    phone = tmp_path / "v.3gp"
    shutil.copy(path, phone)
    assert len(load_video(phone).frames) >= 3


def test_a_long_file_is_decoded_only_as_far_as_it_is_read(tmp_path, speech):
    """A long recording is decoded only as far as it is read (20 minutes of M4A: 4.3 → 1.2 s, peak memory 1.12 →
    0.69 GB, measured once): the first 30 s read, and its whole length still told."""
    long = np.tile(speech, int(np.ceil(120 * RATE / speech.size)))[: 120 * RATE] * 0.5
    clip = load_audio(write(tmp_path / "meeting.m4a", [long]), max_seconds=30.0)
    assert clip.seconds == pytest.approx(30.0) and clip.original_seconds == pytest.approx(120.0, abs=0.2)
    assert "Audio: only the first 30 s of 120.0 s were used." in clip.notices
    wav = tmp_path / "meeting.wav"
    sf.write(wav, long, RATE)
    clip = load_audio(wav, max_seconds=30.0)
    assert clip.seconds == pytest.approx(30.0) and clip.original_seconds == pytest.approx(120.0)


def test_a_cut_clip_s_refusal_says_it_was_cut():
    """Speech that starts at 35 s of a 40 s clip: 'no one speaks in the audio clip', the cut not said."""
    from msa_demo.inputs import AudioInput

    clip = AudioInput(np.zeros(30 * RATE, np.float32), RATE, original_seconds=40.0,
                      heard=lambda: ("no one speaks in the audio clip", ""))
    assert clip.abstains_why == "no one speaks in the audio clip (only its first 30 s of 40.0 s were heard)"
    from msa_demo.i18n import said

    assert said(clip.abstains_why, "zh") == "音频片段里没有人说话（40.0 秒中只听了前 30 秒）"


def test_a_heic_picture_says_what_it_is(tmp_path):
    """An iPhone's HEIC without a decoder: 'could not be read as a picture. It may be damaged'."""
    try:  # pillow-heif is not a requirement; where it is installed, the file is read
        import pillow_heif  # noqa: F401
    except ImportError:
        pass
    else:
        pytest.skip("pillow-heif is installed here: a HEIC picture is read")
    fake = tmp_path / "IMG_0001.HEIC"
    fake.write_bytes(b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64)
    with pytest.raises(InputError, match=r"^'IMG_0001.HEIC' is a HEIC picture \(an iPhone's\), which this "
                                         r"installation cannot decode; export it as JPEG or PNG"):
        load_image(fake)


def test_a_tiff_of_several_pages_is_not_called_animated(tmp_path):
    """A scanned form's 2-page TIFF was 'an animated picture of 2 frames'."""
    from PIL import Image

    from msa_demo.i18n import said

    pages = [Image.new("RGB", (40, 30), c) for c in ("white", "grey")]
    pages[0].save(tmp_path / "scan.tiff", save_all=True, append_images=pages[1:])
    (notice,) = load_image(tmp_path / "scan.tiff").notices
    assert notice == "Image: a picture of 2 pages; only its first page was read."
    assert said(notice, "zh") == "图片：一张 2 页的图片；只读取了第一页。"


def test_a_float_file_mixed_beyond_full_scale_is_scaled_not_clipped(tmp_path, speech):
    """A float WAV whose peaks reach 2.7 was clipped at 1, distorting the voice, without a word."""
    from msa_demo.i18n import said

    hot = speech / np.abs(speech).max() * 2.7
    sf.write(tmp_path / "hot.wav", hot, RATE, subtype="FLOAT")
    clip = load_audio(tmp_path / "hot.wav")
    assert np.allclose(clip.waveform, hot / 2.7, atol=1e-6)
    assert clip.notices == ["Audio: its samples went beyond full scale (peak 2.7); the clip was scaled down to fit."]
    assert said(clip.notices[0], "zh") == "音频：它的采样超出了满刻度（峰值 2.7）；整段已按比例缩小。"


def test_a_cut_clip_s_sound_track_knows_the_clip_was_cut(tiny_video_preset, tmp_path, speech):
    """The sound track a clip carries to the audio modality is heard past the pictures read (4 s here), as far as
    an audio clip would be (the preset's ``max_audio_seconds``, 5 s here) and cut there: its refusal then says so,
    as a clip given as audio does; an uncut clip's shorter sound is not called cut."""
    from dataclasses import replace

    from msa_demo.model import MultimodalSentimentModel

    model = MultimodalSentimentModel.from_preset(str(tiny_video_preset), device="cpu")
    model.preset = replace(model.preset, max_audio_seconds=5.0)
    long = np.tile(speech, 2)[: 6 * RATE] * 0.5
    inputs = model.read_inputs(video=write(tmp_path / "long.mkv", [long], frames=60))
    audio = inputs.audio
    assert audio.seconds == pytest.approx(5.0, abs=0.1) and audio.original_seconds == pytest.approx(6.0, abs=0.1)
    assert inputs.video.seconds == pytest.approx(4.0, abs=0.1)
    short = model.read_inputs(video=write(tmp_path / "short.mkv", [speech[: 2 * RATE] * 0.5], frames=30)).audio
    assert short.original_seconds == pytest.approx(short.seconds)


def test_an_m4a_named_mp3_goes_to_ffmpeg_without_libsndfile_s_noise_on_the_server_s_stderr(tmp_path, speech, capfd):
    """A phone's M4A (or a browser's WebM) saved with another audio file's name went to libsndfile first, whose MP3
    decoder wrote "Note: Illegal Audio-MPEG-Header …" lines to the server's stderr before PyAV read it; the first
    bytes now send it to PyAV, and it is read as the same sound."""
    real = load_audio(write(tmp_path / "voice.m4a", [speech]))
    named = tmp_path / "voice.mp3"
    named.write_bytes((tmp_path / "voice.m4a").read_bytes())
    capfd.readouterr()
    clip = load_audio(named)
    assert capfd.readouterr().err == ""
    assert clip.waveform.shape == real.waveform.shape and np.allclose(clip.waveform, real.waveform)


def _vfr(path: Path, times: list[float], held: float = 0.0) -> Path:
    """A clip whose pictures come at ``times`` (a variable frame rate), its last one shown ``held`` seconds."""
    import av

    ms = Fraction(1, 1000)
    with av.open(str(path), mode="w") as out:
        vs = out.add_stream("mpeg4", rate=25)
        vs.width, vs.height, vs.pix_fmt = 64, 48, "yuv420p"
        vs.time_base = vs.codec_context.time_base = ms
        packets = []
        for i, t in enumerate(times):
            frame = av.VideoFrame.from_ndarray(np.full((48, 64, 3), 20 * i % 255, np.uint8), format="rgb24")
            frame.pts, frame.time_base = int(round(t * 1000)), ms
            packets += vs.encode(frame)
        packets += vs.encode()
        if held:
            packets[-1].duration = int(round(held * 1000))
        for p in packets:
            out.mux(p)
    return path


def test_a_clip_cut_short_is_read_and_said_to_end_early(tmp_path, speech):
    """A WebM whose container says 5 s, cut at 40 % of its bytes: read as a 2 s clip with a normal verdict and no
    word. What it holds is read, and said, as a sound file's end is; whole clips say nothing."""
    from msa_demo.i18n import said
    from msa_demo.modalities.video import write_clip

    frames = [np.full((48, 64, 3), 5 * i, np.uint8) for i in range(50)]
    whole = write_clip(tmp_path / "whole.webm", frames, fps=10, codec="libvpx", sound=(RATE, speech[: 5 * RATE]))
    (cut := tmp_path / "cut.webm").write_bytes(whole.read_bytes()[: int(whole.stat().st_size * 0.4)])
    clip = load_video(str(cut), fps=2)
    (early,) = [n for n in clip.notices if n.startswith("Video: the file ends early")]
    assert early.startswith("Video: the file ends early (cut off or damaged): it says 5.0 s, but its pictures end at ")
    assert clip.seconds < 3 and said(early, "zh").startswith("视频：文件提前结束")
    assert load_video(str(whole), fps=2).notices == []
    # normal clips: a variable frame rate, a last picture held 2 s, a sound a little longer than its pictures, a GIF
    # whose last frame lasts 1.5 s
    assert load_video(str(_vfr(tmp_path / "gap.mp4", [0, .1, .2, .3, .5, .9, 1.0, 3.0, 3.04])), fps=2).notices == []
    assert load_video(str(_vfr(tmp_path / "held.mp4", [i / 10 for i in range(11)], held=2.0)), fps=2).notices == []
    longer = load_video(write(tmp_path / "longer.mp4", [speech[: int(1.4 * RATE)] * 0.5], frames=10), fps=2)
    assert longer.seconds == pytest.approx(1.0, abs=0.05) and longer.notices == []
    from PIL import Image

    pictures = [Image.fromarray(np.full((48, 64, 3), v, np.uint8)) for v in (0, 120, 240)]
    gif = tmp_path / "held.gif"
    pictures[0].save(gif, save_all=True, append_images=pictures[1:], duration=[200, 200, 1500], loop=0)
    assert load_video(str(gif), fps=2).notices == []
