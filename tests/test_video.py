"""The video modality (issue 23): the face over time.

- a planted cause on the time axis: only the frames of one window move a planted frame model, so every method
  puts (nearly) all the attribution mass on that window's segments;
- a clip made from the project's own faces that turns from a frown to a smile: the lite face model's moments
  change sign at the turn;
- bad files each give their one line; a rotated clip is read upright; a clip without a face abstains;
- a clip's sound track feeds the audio modality when no audio is given (a given clip wins);
- the command line explains a clip end to end (exit 0), a bad file exits 2 with one line; ``--from`` replays it;
  the report carries a filmstrip and a lane per moments map.
Clips are written in the test with PyAV from the examples' pictures or from arrays.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from msa_demo.config import SENTIMENTS, ModalitySpec, Preset, load_preset
from msa_demo.errors import InputError
from msa_demo.explain import explain
from msa_demo.explain.methods import METHODS
from msa_demo.explain.moments import attribute_moments
from msa_demo.explain.options import ExplainOptions
from msa_demo.fusion import WeightedLateFusion
from msa_demo.inputs import Inputs
from msa_demo.modalities.image import _ImageBase
from msa_demo.modalities.video import FrameTrack, VideoInput, load_video, write_clip
from msa_demo.model import MultimodalSentimentModel

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
IDENTITY = {s: s for s in SENTIMENTS}


def faces() -> tuple[Image.Image, Image.Image]:
    return (Image.open(EXAMPLES / "frown_face.png").convert("RGB"),
            Image.open(EXAMPLES / "happy_face.png").convert("RGB"))


# ---------------------------------------------------------------- a planted cause on the time axis

S = 32  # the planted frame model's input side


class PlantedFrame(_ImageBase):
    """A frame pushes toward positive by how much brighter its centre is than the frame as a whole; a flat
    frame (and its blur) says nothing."""

    size = S

    def load(self) -> None:
        self.id2label = dict(enumerate(SENTIMENTS))

    def _run(self, inputs, want_features):
        x = inputs["pixel_values"].float()
        s = 8.0 * (x[:, :, 12:20, 12:20].mean((1, 2, 3)) - x.mean((1, 2, 3)))
        return torch.stack([-s, torch.zeros_like(s), s], dim=-1), None


class PlantedTrack(FrameTrack):
    def load(self) -> None:
        self.frame = PlantedFrame(replace(self.spec, family="planted"), self.device, self.dtype)
        self.id2label = dict(self.frame.id2label)
        self.options = {"segment_seconds": 0.5}
        self.finds_faces = False

    def pixels(self, img, box):
        arr = np.asarray(img.convert("L").resize((S, S), Image.BILINEAR), dtype=np.float32) / 255.0
        return torch.from_numpy(arr)[None, None]


WINDOW = (2.0, 3.0)  # seconds: the only frames with the cause


def planted_clip(seconds: float = 5.0, fps: float = 4.0) -> VideoInput:
    rng = np.random.default_rng(0)
    frames, times = [], []
    for i in range(int(seconds * fps)):
        t = i / fps
        arr = 0.5 + 0.01 * rng.standard_normal((S, S))  # grey, a little noise
        if WINDOW[0] <= t < WINDOW[1]:
            arr[12:20, 12:20] += 0.3  # the cause: a bright centre
        frames.append(Image.fromarray((np.clip(arr, 0, 1) * 255).astype(np.uint8)).convert("RGB"))
        times.append(t)
    return VideoInput(frames, times, fps, seconds, seconds)


class BlurReadAsNegative(PlantedFrame):
    """The planted frame model, which also reads a featureless frame (a blur of a grey one) as negative, as the
    lite face model reads a blurred face."""

    def _run(self, inputs, want_features):
        logits, _ = super()._run(inputs, want_features)
        x = inputs["pixel_values"].float()
        flat = (x.flatten(1).std(1) < 0.004).float()
        return logits + torch.stack([4.0 * flat, torch.zeros_like(flat), torch.zeros_like(flat)], dim=-1), None


class BlurNegativeTrack(PlantedTrack):
    def load(self) -> None:
        super().load()
        self.frame = BlurReadAsNegative(replace(self.spec, family="planted"), self.device, self.dtype)


def planted_model(track_class=None):
    spec = ModalitySpec(family="planted-video", model_id="planted", label_map=IDENTITY)
    track = (track_class or PlantedTrack)(spec, torch.device("cpu"), torch.float32)
    model = object.__new__(MultimodalSentimentModel)
    model.preset = Preset(name="planted", description="a planted cause in time", modalities={"video": spec})
    model.device, model.dtype = torch.device("cpu"), torch.float32
    model.modalities = {"video": track}
    model.fusion = WeightedLateFusion({"video": 1.0})
    model._cache = OrderedDict()
    model._cache_lock = threading.Lock()
    model.encoder_runs = 0
    return model


@pytest.fixture(scope="module")
def planted():
    return planted_model()


@pytest.mark.parametrize("method", list(METHODS))
def test_a_planted_moment_takes_the_attribution_mass(planted, method):
    inputs = Inputs(video=planted_clip())
    assert planted.predict(inputs=inputs).probs["positive"] > 1 / 3  # the window pushes toward positive
    maps = attribute_moments(planted, inputs, "positive", ExplainOptions(image_baseline="blur"), methods=[method],
                             key_frame=False)
    (m,) = maps
    assert m.labels == [f"{a / 2:.1f}–{(a + 1) / 2:.1f} s" for a in range(10)]  # 0.5 s segments
    mass = np.abs(np.asarray(m.scores))
    inside = [i for i, (a, b) in enumerate(m.spans) if WINDOW[0] <= a and b <= WINDOW[1]]
    assert inside == [4, 5]
    assert mass[inside].sum() >= 0.9 * mass.sum(), (method, m.scores)
    assert all(m.scores[i] > 0 for i in inside)
    assert m.faithfulness.aopc > m.faithfulness.aopc_random


@pytest.mark.parametrize("method", ["occlusion", "integrated_gradients"])
def test_a_removed_moment_is_no_vote_not_a_blurred_face(method):
    """A frame model that reads a blur as negative (as the face model reads a blurred face): removing a moment by
    blurring its frames had made every moment push toward positive, the window's and the grey ones' alike (the
    blur, not the moment, was read). A removed moment's frames now count as an even vote: the grey moments
    push (almost) nothing, the window's toward positive, and the clip with every moment removed reads even."""
    model = planted_model(BlurNegativeTrack)
    inputs = Inputs(video=planted_clip())
    (m,) = attribute_moments(model, inputs, "positive", ExplainOptions(image_baseline="blur"), methods=[method],
                             key_frame=False)
    scores = np.asarray(m.scores)
    inside = [i for i, (a, b) in enumerate(m.spans) if WINDOW[0] <= a and b <= WINDOW[1]]
    outside = [i for i in range(len(scores)) if i not in inside]
    assert all(scores[i] > 0 for i in inside)
    assert np.abs(scores[outside]).sum() <= 0.1 * np.abs(scores[inside]).sum(), m.scores
    assert m.params["baseline"] == "even vote"
    from msa_demo.explain.forward import FusedForward
    from msa_demo.explain.moments import Presence

    track_ff = FusedForward(model, inputs, "video", ["video"])
    ff = FusedForward(model, inputs, "video", ["video"],
                      module=Presence(track_ff.mod, track_ff.x, track_ff.prepared.inputs["face_mask"]))
    with torch.no_grad():
        everything, nothing = ff(torch.stack([ff.x[0], torch.zeros_like(ff.x[0])]))
    assert torch.allclose(everything, torch.tensor([model.predict(inputs=inputs).probs[s] for s in SENTIMENTS]),
                          atol=1e-5)
    assert torch.allclose(nothing, torch.full((3,), 1 / 3), atol=1e-6)  # every moment removed: an even reading


def test_an_even_vote_is_even_over_the_sentiments_not_the_labels():
    """Seven emotions, four of them negative, one neutral, two positive: each at 1/7 would read 4/7 negative. A
    label the preset ignores gets none; a model that cannot say neutral votes evenly for the two it can say."""
    from msa_demo.explain.moments import even_vote
    from msa_demo.labels import sentiment_matrix, to_sentiment

    emotions = dict(enumerate(["angry", "disgust", "fear", "sad", "neutral", "happy", "surprise", "other"]))
    label_map = {"angry": "negative", "disgust": "negative", "fear": "negative", "sad": "negative",
                 "neutral": "neutral", "happy": "positive", "surprise": "positive", "other": "ignore"}
    matrix = sentiment_matrix(emotions, label_map)
    vote = even_vote(matrix)
    assert torch.allclose(to_sentiment(vote[None], matrix)[0], torch.full((3,), 1 / 3))
    assert float(vote[7]) == 0.0 and torch.isclose(vote.sum(), torch.tensor(1.0))
    two = sentiment_matrix({0: "NEG", 1: "POS"}, {"neg": "negative", "pos": "positive"})
    assert torch.allclose(to_sentiment(even_vote(two)[None], two)[0], torch.tensor([0.5, 0.0, 0.5]))


def test_the_key_frame_is_in_the_window_and_its_centre_matters(planted):
    inputs = Inputs(video=planted_clip())
    (kf,) = [m for m in attribute_moments(planted, inputs, "positive", ExplainOptions(grid=4)) if
             m.method == "key_frame_occlusion"]
    assert WINDOW[0] <= kf.params["time"] < WINDOW[1]
    centre = [kf.labels.index(lbl) for lbl in ("r2c2", "r2c3", "r3c2", "r3c3")]
    mass = np.abs(np.asarray(kf.scores))
    assert mass[centre].sum() >= 0.9 * mass.sum()
    assert kf.heatmap is not None and max(len(kf.heatmap), len(kf.heatmap[0])) <= 128


# ---------------------------------------------------------------- the lite face model over time


@pytest.fixture(scope="module")
def turning_clip(tmp_path_factory):
    """2 s of the frown, then 2 s of the smile (10 fps; read at the lite preset's 2 fps)."""
    frown, smile = faces()
    return write_clip(tmp_path_factory.mktemp("clips") / "turn.mp4", [frown] * 20 + [smile] * 20, fps=10)


def test_the_face_turning_from_frown_to_smile_changes_the_sign_of_the_moments(lite, turning_clip):
    inputs = lite.read_inputs(video=str(turning_clip))
    assert inputs.video.times == [0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5]
    assert all(b is not None for b in inputs.video.faces) and inputs.audio is None  # no sound track
    pred = lite.predict(inputs=inputs)
    assert pred.used == ["video"] and pred.notices == ["Video: the clip has no sound, so no voice was heard in it."]
    exp = explain(lite, inputs, target="positive")
    moments = exp.map("video", "occlusion")
    assert moments.labels == ["0.0–1.0 s", "1.0–2.0 s", "2.0–3.0 s", "3.0–4.0 s"]
    assert moments.scores[0] < 0 and moments.scores[1] < 0  # the frown pushes away from positive
    assert moments.scores[2] > 0 and moments.scores[3] > 0  # the smile toward it
    kf = exp.map("video", "key_frame_occlusion")
    assert kf.params["time"] >= 2.0  # the most decisive frame is a smiling one
    assert exp.reading["video"]["face_found"] is True


def test_a_clip_without_a_face_abstains_and_the_rest_is_still_read(lite, tmp_path):
    scene = Image.open(EXAMPLES / "neutral_scene.png").convert("RGB").crop((0, 0, 256, 170))
    clip = write_clip(tmp_path / "scene.mp4", [scene] * 10, fps=5)
    pred = lite.predict(text="What a lovely day.", video=str(clip))
    assert pred.used == ["text"] and pred.switched_off == []
    assert "Video: no face was found in any of the 4 frames read, so the face track abstains." in pred.notices
    # alone (or with the text switched off), nothing is read: no verdict (not the fusion's prior), one line why
    for call in (lambda: lite.predict(video=str(clip)),
                 lambda: lite.predict(text="What a lovely day.", video=str(clip), use=["video"])):
        with pytest.raises(InputError) as err:
            call()
        assert str(err.value) == ("Nothing could be read, so there is no verdict: no face was found in any of the 4 "
                                  "frames of the video, and no other input is given and switched on. Add text or "
                                  "audio, or give a clip that shows a face.")
    from msa_demo import i18n

    assert i18n.said(str(err.value), "zh").startswith("没有可读取的内容，因此没有判断：视频的 4 帧中都没有找到人脸")


def test_a_rotated_clip_is_read_upright(tmp_path):
    _frown, smile = faces()
    for angle in (90, -90):
        clip = write_clip(tmp_path / f"rot{angle}.mp4", [smile.rotate(-angle, expand=True)] * 5, fps=5,
                          rotation=angle)
        from msa_demo.lite.face import find_face

        assert find_face(load_video(clip).frames[0]) is not None, angle  # upright: the face is found


def shot(face: Image.Image, width: int, height: int) -> Image.Image:
    """A frame of ``width`` x ``height`` pixels with ``face`` (an example's picture) pasted in its middle, 0.6 of its
    shorter side: a face a 640-px frame shrinks under the face finder's smallest."""
    canvas = Image.new("RGB", (width, height), (120, 130, 140))
    side = int(min(width, height) * 0.6)
    canvas.paste(face.resize((side, side)), ((width - side) // 2, (height - side) // 2))
    return canvas


def test_a_high_resolution_clips_faces_are_found_as_in_a_still_picture(tmp_path):
    """A 1080p clip's frames are read at 640 px, where its face was under the face finder's smallest: it is looked
    for in a larger copy of each frame, as large as a still picture is read (the preset's max_image_side), and its
    box brought back to the frame's pixels. (The frames were searched at 640 px: no face in any frame of a 4K clip
    whose first frame, given as a picture, read NEGATIVE 86.8 %.)"""
    from types import SimpleNamespace

    from msa_demo.inputs import load_image
    from msa_demo.kinds import video as video_kind
    from msa_demo.lite.face import find_face

    frown, smile = faces()
    lite_preset = load_preset("lite")
    pictures = [shot(frown, 1920, 1080)] * 2 + [shot(smile, 1920, 1080)] * 2
    path = write_clip(tmp_path / "hd.mp4", pictures, fps=2)
    still = load_image(pictures[0], lite_preset.max_image_side).image  # the still-picture path finds the face
    found = find_face(still)
    assert found is not None
    tracker = FrameTrack(lite_preset.modalities["video"], torch.device("cpu"), torch.float32)
    clip = video_kind.read(str(path), SimpleNamespace(preset=lite_preset, modalities={"video": tracker}))
    assert [f.size for f in clip.frames] == [(640, 360)] * 4  # the frames are read as small as before
    # (the 640-px frame itself is searched enlarged too, as a still picture is: ``lite.face.search_scale``)
    assert all(b is not None for b in clip.faces)
    assert not any("no face" in n or "a face was found in" in n for n in clip.notices)
    scale = 640 / still.width  # the box on the frame: the still picture's, scaled to the frame
    for box in clip.faces:
        assert box == pytest.approx([v * scale for v in found], abs=4)
    assert clip.search is None  # the larger copies are dropped once the faces are found
    # a clip read at its own size (640 px or less) has no copy: its frames are searched as they are
    small = load_video(write_clip(tmp_path / "small.mp4", [shot(smile, 640, 480)] * 2, fps=2), search_side=1024)
    assert small.search is None


def test_a_portrait_clips_frowning_half_is_not_lost(lite, tmp_path):
    """A phone's portrait clip (1080 x 1920) that frowns, then smiles: a face in every frame, and the frown reads
    negative (at 640 px only the smiling half's faces were found, and the clip read POSITIVE 99 %)."""
    frown, smile = faces()
    path = write_clip(tmp_path / "portrait.mp4", [shot(frown, 1080, 1920)] * 4 + [shot(smile, 1080, 1920)] * 4,
                      fps=2)
    inputs = lite.read_inputs(video=str(path))
    assert all(b is not None for b in inputs.video.faces) and len(inputs.video.faces) == 8
    exp = explain(lite, inputs, target="positive")
    moments = exp.map("video", "occlusion")
    assert moments.labels == ["0.0–1.0 s", "1.0–2.0 s", "2.0–3.0 s", "3.0–4.0 s"]
    assert moments.scores[0] < 0 and moments.scores[1] < 0 and moments.scores[2] > 0 and moments.scores[3] > 0


# ---------------------------------------------------------------- honest limits


def test_bad_files_each_give_one_line(tmp_path):
    fake = tmp_path / "picture.mp4"
    fake.write_bytes((EXAMPLES / "happy_face.png").read_bytes())
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    junk = tmp_path / "junk.mkv"
    junk.write_bytes(b"this is not a video at all" * 40)
    sound_only = tmp_path / "voice.mp4"
    import av

    with av.open(str(sound_only), "w") as out:
        stream = out.add_stream("aac", rate=16000)
        stream.layout = "mono"
        frame = av.AudioFrame.from_ndarray(np.zeros((1, 16000), np.float32), format="flt", layout="mono")
        frame.sample_rate = 16000
        for packet in [*stream.encode(frame), *stream.encode()]:
            out.mux(packet)
    (tmp_path / "notes.txt").write_text("hello", encoding="utf-8")
    cases = {
        fake: "'picture.mp4' is a still picture, not a video: give it as an image.",
        empty: "'empty.mp4' is empty (0 bytes): there is no video in it.",
        junk: "'junk.mkv' could not be read as a video. It may be damaged or not a video; use MP4, WebM, MOV, MKV, "
              "AVI or an animated GIF.",
        sound_only: "'voice.mp4' has no video stream (it holds only sound: give it as audio).",
        EXAMPLES / "positive_speech.wav": "'positive_speech.wav' is an audio clip, not a video: give it as audio.",
        tmp_path / "notes.txt": "'notes.txt' is not a supported video file; use MP4, WebM, MOV, MKV, AVI or an "
                                "animated GIF.",
        tmp_path / "missing.mp4": f"No video file was found at '…/{tmp_path.parent.name}/{tmp_path.name}/"
                                  "missing.mp4'.",
    }
    for path, message in cases.items():
        with pytest.raises(InputError) as err:
            load_video(str(path))
        assert str(err.value) == message and "\n" not in message


def test_an_animated_gif_is_a_clip_without_sound_and_a_still_one_is_a_picture(tmp_path):
    """A reaction GIF is read as a clip: its frames at their own times (the GIF's delays), no sound; the page gets
    an H.264 copy of it (browsers do not play a GIF in a video box). A GIF of one frame is refused as a picture."""
    from msa_demo.modalities.video import browser_copy

    shades = [0, 60, 120, 180, 240]
    frames = [Image.fromarray(np.full((48, 64, 3), v, np.uint8)) for v in shades]
    moving = tmp_path / "reaction.gif"
    frames[0].save(moving, save_all=True, append_images=frames[1:], duration=[500, 500, 1000, 500, 500], loop=0)
    clip = load_video(str(moving), fps=2)
    # the frame held 1 s is shown at 1.0 and at 1.5 s: read at both (it was read once, and 1.5 s had no frame)
    assert clip.times == [0.0, 0.5, 1.0, 1.5, 2.0, 2.5] and clip.sound is None and clip.seconds == pytest.approx(3.0)
    assert [round(float(np.asarray(f).mean())) for f in clip.frames] == pytest.approx(
        [0, 60, 120, 120, 180, 240], abs=3)
    assert load_video(moving.read_bytes(), fps=2).times == clip.times  # bytes (a dataset row) read the same
    copy = browser_copy(moving)
    assert copy is not None and copy.suffix == ".mp4"
    assert load_video(str(copy), fps=2).times == clip.times
    still = tmp_path / "face.gif"
    frames[0].save(still)
    with pytest.raises(InputError) as err:
        load_video(str(still))
    assert str(err.value) == "'face.gif' is a still picture (a GIF of one frame), not a video: give it as an image."
    short = tmp_path / "blink.gif"  # two frames of 0.2 s: one moment at 2 frames a second, but a clip, not a still
    frames[0].save(short, save_all=True, append_images=frames[1:2], duration=[200, 200], loop=0)
    assert load_video(str(short), fps=2).times == [0.0]


def gif(path: Path, pictures: list[Image.Image], ms: list[int]) -> Path:
    pictures[0].save(path, save_all=True, append_images=pictures[1:], duration=ms, loop=0)
    return path


def test_a_gifs_held_frames_are_read_at_every_moment_they_are_shown(tmp_path):
    """A GIF holds a picture as long as its delay says (a frown 1.5 s, then a smile 1.5 s; PIL merges equal
    frames into one held frame): each is read at every sampling time it is on screen, up to the GIF's end, so every
    second of it has frames (its last second had none and got no moment: the smile at 2-3 s was never shown)."""
    shades = [Image.fromarray(np.full((48, 64, 3), v, np.uint8)) for v in (40, 200)]
    clip = load_video(str(gif(tmp_path / "turn.gif", shades, [1500, 1500])), fps=2)
    assert clip.times == [0.0, 0.5, 1.0, 1.5, 2.0, 2.5] and clip.seconds == pytest.approx(3.0)
    assert [round(float(np.asarray(f).mean())) for f in clip.frames] == pytest.approx([40] * 3 + [200] * 3, abs=3)
    from msa_demo.explain.moments import segment_ids

    _ids, spans, labels = segment_ids(clip.times, 1.0, None, clip.seconds)
    assert labels == ["0.0–1.0 s", "1.0–2.0 s", "2.0–3.0 s"]
    # a clip of a steady rate is read as before: the first frame at or after each sampling time, no frame twice
    steady = load_video(write_clip(tmp_path / "steady.mp4", [shades[0]] * 25 + [shades[1]] * 25, fps=25), fps=2)
    assert steady.times == [0.0, 0.52, 1.0, 1.52] and len({id(f) for f in steady.frames}) == 4
    # a clip of 1 frame a second, read at 2: each frame at its own time and again half a second on
    slow = load_video(write_clip(tmp_path / "slow.mp4", [shades[0], shades[1], shades[0]], fps=1), fps=2)
    assert slow.times == [0.0, 0.5, 1.0, 1.5, 2.0, 2.5] and slow.seconds == pytest.approx(3.0)


def test_a_gifs_last_second_has_its_moment(lite, tmp_path):
    """The tester's GIF: 3 s, a frown, then a smile from 1.5 s. Its moments cover all 3 s, and the last one (the
    smile alone) pushes toward positive (there were two moments, 0-1 s and 1-2 s)."""
    frown, smile = faces()
    path = gif(tmp_path / "anim.gif", [shot(frown, 640, 480)] * 6 + [shot(smile, 640, 480)] * 6, [250] * 12)
    exp = explain(lite, lite.read_inputs(video=str(path)), target="positive")
    moments = exp.map("video", "occlusion")
    assert moments.labels == ["0.0–1.0 s", "1.0–2.0 s", "2.0–3.0 s"]
    assert moments.scores[0] < 0 and moments.scores[2] > 0


def test_a_long_clip_is_cut_and_says_so(tmp_path):
    frames = [np.full((32, 32, 3), v, np.uint8) for v in range(0, 240, 10)] * 2  # 48 frames at 4 fps: 12 s
    clip = load_video(write_clip(tmp_path / "long.avi", frames, fps=4), fps=2, max_seconds=10)
    assert clip.times[-1] < 10 and len(clip.frames) == 20
    assert clip.notices == ["Video: only the first 10 s of 12.0 s were used."]


def test_a_clip_a_little_longer_than_the_limit_says_its_length_apart_from_the_limit(tmp_path):
    """A 30.04 s clip read "only the first 30 s of 30.0 s were used": a contradiction. Its length is said to as
    many decimals as tell it from the limit; a container a few ms longer than its last frame cut nothing, and says
    nothing."""
    frames = [np.full((16, 16, 3), v % 250, np.uint8) for v in range(751)]  # 751 frames at 25 fps: 30.04 s
    clip = load_video(write_clip(tmp_path / "long.avi", frames, fps=25), fps=2, max_seconds=30)
    assert clip.notices == ["Video: only the first 30 s of 30.04 s were used."]
    webm = write_clip(tmp_path / "whole.webm", frames[:50], fps=10, codec="libvpx")  # its container: 5.01 s
    assert load_video(str(webm), fps=2, max_seconds=5).notices == []


def test_a_long_clips_record_keeps_only_what_was_read_and_reads_the_same_again(tmp_path):
    """An explanation records a clip to replay it: a long clip only up to a little after the span read (its
    packets copied, nothing encoded again), which reads as the same frames, times, sound and notice ("of 24.1 s",
    not of the cut's length); a short clip is recorded as given."""
    from msa_demo.kinds.video import record, replay
    from msa_demo.modalities.video import TRIM_MARGIN, recorded

    t = np.arange(24 * 16000) / 16000.0
    voice = (0.3 * np.sin(2 * np.pi * 220 * t) * (1 + np.sin(2 * np.pi * 0.5 * t))).astype(np.float32)
    frames = [np.full((48, 64, 3), (v * 7) % 256, np.uint8) for v in range(24 * 4)]
    path = write_clip(tmp_path / "long.mp4", frames, fps=4, sound=(16000, voice))
    clip = load_video(str(path), fps=2, max_seconds=10)
    assert clip.sound[1].size == 10 * 16000  # the sound of the whole span (the muxer puts it behind the frames)
    kept = replay(record(clip))
    assert len(kept) < 0.6 * len(clip.data) and recorded(clip) is recorded(clip)  # cut once, kept on the clip
    again = load_video(kept, fps=2, max_seconds=10)
    assert again.times == clip.times and [f.tobytes() for f in again.frames] == [f.tobytes() for f in clip.frames]
    assert np.array_equal(again.sound[1], clip.sound[1])
    assert again.notices == clip.notices == ["Video: only the first 10 s of 24.1 s were used."]  # its sound: 24.064 s
    whole = load_video(kept, fps=2, max_seconds=30)  # the cut holds a little more than was read, not the rest
    assert 10 + TRIM_MARGIN - 0.3 <= whole.times[-1] + 0.5 <= 10 + TRIM_MARGIN + 0.5
    short = load_video(str(path), fps=2, max_seconds=30)
    assert replay(record(short)) == short.data  # all of it was read: recorded as given


@pytest.mark.slow  # a long clip decoded (8 s of the fast lane's minute)
def test_a_long_clips_voice_is_heard_as_far_as_an_audio_clip_would_be(tiny_video_preset, tmp_path):
    """A 35 s talking clip whose review turns negative after 15 s read POSITIVE: its sound had been cut with its
    pictures, to the first 10 s. The sound is read up to ``sound_seconds`` (the audio's own limit), on the
    pictures' time line, said; the record replays it (cut past the sound heard, not past the pictures)."""
    from msa_demo.kinds.video import record, replay

    t = np.arange(24 * 16000) / 16000.0
    voice = (0.3 * np.sin(2 * np.pi * 220 * t) * (1 + np.sin(2 * np.pi * 0.5 * t))).astype(np.float32)
    frames = [np.full((48, 64, 3), (v * 7) % 256, np.uint8) for v in range(24 * 4)]
    path = write_clip(tmp_path / "talk.mp4", frames, fps=4, sound=(16000, voice))
    clip = load_video(str(path), fps=2, max_seconds=10, sound_seconds=30)
    assert clip.times[-1] < 10 and 23.9 * 16000 <= clip.sound[1].size <= 24.1 * 16000  # all 24 s of its voice
    assert clip.notices == [f"Video: only the first 10 s of 24.1 s of its pictures were read; its sound, the first "
                            f"{clip.sound[1].size / 16000:.1f} s."]
    again = load_video(replay(record(clip)), *clip.read_with)
    assert np.array_equal(again.sound[1], clip.sound[1]) and again.times == clip.times
    short = load_video(str(path), fps=2, max_seconds=10, sound_seconds=15)  # the audio's limit is the limit
    assert short.sound[1].size == 15 * 16000 and "its sound, the first 15.0 s" in short.notices[0]

    model = MultimodalSentimentModel.from_preset(str(tiny_video_preset), device="cpu")  # pictures: 4 s at most
    inputs = model.read_inputs(video=str(path))
    assert inputs.video.seconds <= 4.0 and 23.9 < inputs.audio.seconds <= 24.1
    assert inputs.audio.notices[0] == "Audio: the video's sound track (no audio clip was given)."


@pytest.mark.slow  # a long clip decoded (8 s of the fast lane's minute)
def test_a_long_clips_sound_cut_at_the_audio_limit_is_said_as_an_audio_clips_cut_is(tiny_video_preset, tmp_path):
    """A 50 s clip read "Video: only the first 30 s of 50.0 s were used." and nothing more: its sound track was cut
    at 30 s too (the audio's own limit; a voice at 32-44 s was never heard), where an audio file says "Audio: only
    the first 30 s of 418.9 s were used.". The sound track's cut is said in those words; a clip whose sound is all
    heard says nothing of the kind."""
    from msa_demo.config import load_preset, save_preset

    t = np.arange(40 * 16000) / 16000.0
    voice = (0.3 * np.sin(2 * np.pi * 220 * t) * (1 + np.sin(2 * np.pi * 0.5 * t))).astype(np.float32)
    frames = [np.full((48, 64, 3), (v * 7) % 256, np.uint8) for v in range(40)]
    path = write_clip(tmp_path / "long.mp4", frames, fps=1, sound=(16000, voice))
    short = replace(load_preset(tiny_video_preset), max_audio_seconds=20.0)  # the audio's limit under the clip
    model = MultimodalSentimentModel.from_preset(str(save_preset(short, tmp_path / "short.json")), device="cpu")
    inputs = model.read_inputs(video=str(path))
    assert inputs.audio.seconds == pytest.approx(20.0, abs=0.05)
    length = f"{inputs.video.original_seconds:.1f}"  # the clip's (its sound coded as AAC: 40.1 s)
    assert float(length) == pytest.approx(40.0, abs=0.15)
    cut = f"Audio: only the first 20 s of {length} s were used."
    assert inputs.audio.notices == ["Audio: the video's sound track (no audio clip was given).", cut]
    assert cut in model.predict(inputs=inputs).notices
    longer = replace(short, max_audio_seconds=60.0)  # an audio limit over the clip's length: all of it is heard
    whole = MultimodalSentimentModel.from_preset(str(save_preset(longer, tmp_path / "long.json")),
                                                 device="cpu").read_inputs(video=str(path))
    assert whole.audio.seconds == pytest.approx(40.0, abs=0.1)
    assert not any(n.startswith("Audio: only the first") for n in whole.audio.notices)


def test_a_clip_browsers_do_not_play_gets_a_copy_they_do_that_reads_the_same(tmp_path):
    """``browser_copy``: an MPEG-4 Part 2 clip (what many cameras and ``write_clip`` make; Chromium does not play
    it) becomes H.264 + AAC in MP4, its frames at the same times and nearly the same, its sound kept, and reading
    it says it was converted; a long one is cut a second past the span read and still says the clip's length; an
    H.264 MP4, a file of another kind and a damaged one get no copy."""
    import av

    from msa_demo.modalities.video import TRIM_MARGIN, browser_copy

    frown, smile = faces()
    t = np.arange(4 * 16000) / 16000.0
    tone = (0.3 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)
    old = write_clip(tmp_path / "camera.avi", [frown] * 20 + [smile] * 20, fps=10, sound=(16000, tone))
    copy = browser_copy(old)
    assert copy is not None and copy.name == "camera.browser.mp4"
    with av.open(str(copy)) as c:
        assert [st.codec_context.name for st in c.streams] == ["h264", "aac"]
        assert c.streams.video[0].codec_context.pix_fmt == "yuv420p"
    a, b = load_video(str(old)), load_video(str(copy))
    assert np.allclose(a.times, b.times, atol=1e-3) and len(a.frames) == len(b.frames)
    assert max(np.abs(np.asarray(x, float) - np.asarray(y, float)).mean() for x, y in zip(a.frames, b.frames)) < 6
    assert b.sound is not None and abs(b.sound[1].size - a.sound[1].size) <= 0.05 * 16000
    assert b.notices == ["Video: this AVI file was converted to MP4 (H.264) so browsers can play it; that copy was "
                         "read."]  # (it read "converted from MPEG-4 part 2 in AVI (which browsers do not play) to H.264")
    from msa_demo.i18n import said
    from msa_demo.modalities.video import converted_notice

    assert said(b.notices[0], "zh") == "视频：这个 AVI 文件已转换为 MP4（H.264），以便浏览器播放；读取的是转换后的副本。"
    assert converted_notice("MPEG-4 part 2 in MP4") == ("Video: this MP4 file (MPEG-4 part 2) was converted to MP4 "
                                                        "(H.264) so browsers can play it; that copy was read.")
    assert browser_copy(copy) is None  # H.264 in MP4 plays as it is
    wide = smile.crop((0, 48, 256, 208))  # 256 x 160, stored turned on its side with a display rotation
    turned = write_clip(tmp_path / "turned.mov", [np.asarray(wide.rotate(-90, expand=True))] * 6, fps=3, rotation=90)
    upright = load_video(str(browser_copy(turned))).frames[0]
    assert upright.size == load_video(str(turned)).frames[0].size == wide.size  # as it is shown
    assert np.abs(np.asarray(upright, float) - np.asarray(wide, float)).mean() < 8
    long = write_clip(tmp_path / "long.mp4", [frown] * 30, fps=2)  # 15 s, MPEG-4 Part 2 in an MP4
    cut = browser_copy(long, max_seconds=5)
    read = load_video(str(cut), max_seconds=5)
    assert read.notices[-1] == "Video: only the first 5 s of 15.0 s were used."
    assert load_video(str(cut), max_seconds=60).times[-1] <= 5 + TRIM_MARGIN
    junk = tmp_path / "junk.mp4"
    junk.write_bytes(b"not a video at all")
    picture = tmp_path / "face.png"
    frown.save(picture)
    assert browser_copy(junk) is None and browser_copy(picture) is None
    assert not list(tmp_path.glob("*.part"))  # written under another name, then moved into place


# ---------------------------------------------------------------- the sound track, the tiny preset, CLI, report


@pytest.fixture(scope="module")
def voiced_clip(tmp_path_factory):
    frown, smile = faces()
    t = np.arange(3 * 16000) / 16000.0
    tone = (0.3 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)
    return write_clip(tmp_path_factory.mktemp("voiced") / "voiced.mp4", [frown] * 15 + [smile] * 15, fps=10,
                      sound=(16000, tone))


@pytest.mark.slow
def test_the_sound_track_feeds_the_audio_unless_audio_is_given(tiny_video_preset, voiced_clip, tone):
    model = MultimodalSentimentModel.from_preset(str(tiny_video_preset), device="cpu")
    inputs = model.read_inputs(video=str(voiced_clip))
    assert inputs.present() == ["audio", "video"]
    assert 2.9 < inputs.audio.seconds <= 3.0 and inputs.video.faces is None  # CLIP reads frames whole
    assert inputs.audio.notices[0] == "Audio: the video's sound track (no audio clip was given)."
    pred = model.predict(inputs=inputs)
    assert pred.used == ["audio", "video"]
    given = model.read_inputs(video=str(voiced_clip), audio=(16000, tone))
    assert given.audio.seconds == 1.0 and not given.audio.notices  # the clip given as audio wins, said (a user who
    # dropped a talking clip beside the worked example's voice heard the example's words, not the clip's)
    assert given.video.notices[-1] == "Video: its sound track was not used; the audio clip given was read as the " \
        "voice instead."
    assert "Video: its sound track" not in " ".join(inputs.video.notices)
    # the audio switched off: neither was heard, and the note says so (it said the audio clip was read instead)
    off = model.predict(inputs=given, use=["video"])
    assert off.used == ["video"] and "Video: its sound track was not used either: the audio input is switched " \
        "off." in off.notices and not any("read as the voice instead" in n for n in off.notices)
    assert any("read as the voice instead" in n for n in model.predict(inputs=given).notices)
    exp = explain(model, inputs, target="positive", options=ExplainOptions(grid=2))
    assert set(exp.modalities.shapley) == {"audio", "video"}
    # replayed (explain --from, a shared link), the clip brings its sound again: the sound track is recorded (the
    # report plays it) but not given as an audio clip of its own (which a shared link put in the Audio box)
    from msa_demo.explain import recorded_inputs

    assert exp.inputs["audio_carried_by"] == "video" and exp.inputs["audio_wav_b64"]
    raw = recorded_inputs(exp.inputs)
    assert raw["audio"] is None and raw["video"]
    again = model.read_inputs(**raw)
    assert again.audio.notices[0] == "Audio: the video's sound track (no audio clip was given)."
    assert np.array_equal(again.audio.waveform, inputs.audio.waveform)
    assert not [n for n in exp.notices if n.startswith("Time budget")]
    # a time budget plans the voice's maps; the video's it does not, and says so (it was passed over without a word)
    timed = explain(model, inputs, target="positive", options=ExplainOptions(grid=2, budget=60))
    assert [n for n in timed.notices if "not fitted" in n] == [
        "Time budget 60 s: the video maps are not fitted to it; they run at their own settings."]
    assert [m.method for m in exp.maps if m.modality == "video"] == ["occlusion", "key_frame_occlusion"]


@pytest.mark.slow
def test_a_switch_turned_off_or_on_is_not_blamed_for_what_the_clip_lacks(tiny_video_preset, voiced_clip, tmp_path):
    """The audio switched off: the page still said "Audio: the video's sound track (no audio clip was given)." The
    audio switched on alone for a clip without sound: "Every input given is switched off (video)" blamed the switch
    turned on; the clip has no sound, and that is said (the command line, the page)."""
    import gradio as gr

    from msa_demo import ui
    from msa_demo.i18n import said
    from msa_demo.kinds.video import SOUND_TRACK

    model = MultimodalSentimentModel.from_preset(str(tiny_video_preset), device="cpu")
    inputs = model.read_inputs(video=str(voiced_clip))
    off = model.predict(inputs=inputs, use=["video"])
    assert SOUND_TRACK not in off.notices and off.used == ["video"]
    assert "Audio: the video's sound track was not used: the audio input is switched off." in off.notices
    assert SOUND_TRACK in model.predict(inputs=inputs).notices
    mute = write_clip(tmp_path / "mute.mp4", [faces()[1]] * 10, fps=10)
    with pytest.raises(InputError) as err:
        model.predict(video=str(mute), use=["audio"])
    assert str(err.value) == ("The video has no sound, so the audio switched on has nothing to read, and what was "
                              "given is switched off (video): there is no verdict. Switch the video on, or give an "
                              "audio clip.")
    assert said(str(err.value), "zh").startswith("视频没有声音")
    dash = ui.Dashboard.load(str(tiny_video_preset), fallback=None, device="cpu")
    assert dash.refuse(video=str(mute), use_video=False) is None  # the audio is on: reading the clip tells
    with pytest.raises(gr.Error, match="The video has no sound"):
        dash.predict(video=str(mute), use_video=False)
    assert "The video has no sound" in dash.on_toggle(video=str(mute), use_video=False)["notices"]
    heard = dash.predict(video=str(voiced_clip), use_video=False)  # its sound track alone, as the audio
    assert "Audio: the video's sound track (no audio clip was given)." in str(heard["notices"])


@pytest.mark.slow
def test_the_words_said_in_a_clip_are_the_text_unless_a_text_is_given(tiny_video_preset, tmp_path, monkeypatch):
    """A Hub preset's voice model hears the tone, not the words: the words said in the clip (Whisper base) are
    the text when none is given, said so; a given text is read instead (and nothing is recognised); words
    Whisper itself is unsure of (a tone it puts words to) are not read, said; lite's voice reads the words
    already, so its text stays empty."""
    import soundfile as sf

    from msa_demo.lite import speech

    frown, _ = faces()
    voice, rate = sf.read(EXAMPLES / "angry_speech.wav", dtype="float32")
    clip = write_clip(tmp_path / "said.mp4", [frown] * 30, fps=10, sound=(rate, voice[: 3 * rate]))
    model = MultimodalSentimentModel.from_preset(str(tiny_video_preset), device="cpu")
    inputs = model.read_inputs(video=str(clip))
    assert inputs.present() == ["text", "audio", "video"]
    assert "furious" in inputs.text.text.lower()
    assert inputs.text.notices[0].startswith("Text: the words said in the video")
    assert model.predict(inputs=inputs).used == ["text", "audio", "video"]
    # the words said are drawn on the clip's timeline, at the times they were said
    from msa_demo.kinds.video import lanes

    exp = explain(model, inputs, target="negative", options=ExplainOptions(grid=2)).to_dict()
    said = dict(lanes(exp))["words"]
    assert [w for _a, _b, _r, w, _s in said] == [w["text"] for w in inputs.text.said]
    assert any("furious" in w.lower() for _a, _b, _r, w, _s in said)
    assert all(0 <= a < b <= 3.0 for a, b, *_ in said) and [a for a, *_ in said] == sorted(a for a, *_ in said)
    assert model.read_inputs(video=str(clip), text=" ").text.text == inputs.text.text  # the page's empty box
    heard = []
    real = speech.transcribe
    monkeypatch.setattr(speech, "transcribe", lambda *a, **k: heard.append(1) or real(*a, **k))
    given = model.read_inputs(video=str(clip), text="What a lovely day")
    assert given.text.text == "What a lovely day" and not given.text.notices and heard == []
    # the same words played backwards: speech to the voice activity detector, and Whisper base puts words to them
    # it is unsure of (here a phrase looped; on some CPUs unlikely tokens: Whisper's two marks of a failed decode)
    back = write_clip(tmp_path / "back.mp4", [frown] * 30, fps=10, sound=(rate, voice[: 3 * rate][::-1].copy()))
    backwards = model.read_inputs(video=str(back))
    put = real(backwards.audio.waveform, backwards.audio.sample_rate)
    assert put.text and put.unsure and (put.logprob < speech.UNSURE or put.compression > speech.REPETITIVE)
    said_it = real(inputs.audio.waveform, inputs.audio.sample_rate)  # speech: neither mark
    assert not said_it.unsure and said_it.logprob > speech.UNSURE and said_it.compression < speech.REPETITIVE
    assert backwards.present() == ["audio", "video"]
    assert any("was unsure of the words" in n for n in backwards.video.notices)
    # a 440 Hz tone: no one speaks (Whisper, asked, would put "BEEEE..." or an unlikely word to it): no words, and
    # nothing to doubt
    t = np.arange(2 * 16000) / 16000.0
    hum = write_clip(tmp_path / "hum.mp4", [frown] * 20, fps=10,
                     sound=(16000, (0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)))
    tone = model.read_inputs(video=str(hum))
    assert real(tone.audio.waveform, tone.audio.sample_rate).no_speech
    assert tone.present() == ["audio", "video"] and not any("unsure" in n for n in tone.video.notices)
    lite = MultimodalSentimentModel.from_preset("lite", device="cpu")
    assert lite.read_inputs(video=str(clip)).present() == ["audio", "video"]
    # lite audio, which reads the words, does not read a decode that went round in a loop ("Hr m'n gith, hr m'n
    # gith..."), keeps words that are only unlikely (a thick accent, a synthetic voice: test_lite_speech_result's
    # Mandarin), and says when no one speaks
    from msa_demo.modalities.audio import LOOPED_WORDS, NO_SPEECH

    prepared, _ = lite.encode("audio", backwards.audio)
    if put.looped:
        assert prepared.info["transcript"] == "" and prepared.info["words"] == [] and LOOPED_WORDS in prepared.notices
    else:
        assert prepared.info["transcript"] == put.text and LOOPED_WORDS not in prepared.notices
    prepared, _ = lite.encode("audio", tone.audio)
    assert prepared.info["transcript"] == "" and NO_SPEECH in prepared.notices and LOOPED_WORDS not in prepared.notices
    # speech recognition that cannot load (its packages missing): the clip is read without the words, one line why
    from msa_demo.errors import ModelLoadError

    def missing(*_a, **_k):
        raise ModelLoadError("the Whisper base packages are not installed")

    monkeypatch.setattr(speech, "transcribe", missing)
    without = model.read_inputs(video=str(clip))
    assert without.present() == ["audio", "video"]
    assert "Video: the words said in it were not read (the Whisper base packages are not installed)" in \
        without.video.notices


@pytest.mark.slow
def test_cli_explains_a_clip_replays_it_and_writes_the_report(tiny_video_preset, voiced_clip, tmp_path, capsys,
                                                               monkeypatch):
    from msa_demo.__main__ import main
    from msa_demo.modalities import video as video_mod

    decoded, load = [], video_mod.load_video
    monkeypatch.setattr(video_mod, "load_video", lambda value, *a, **k: decoded.append(value) or load(value, *a, **k))
    saved, html = tmp_path / "exp.json", tmp_path / "exp.html"
    assert main(["explain", "--preset", str(tiny_video_preset), "--video", str(voiced_clip), "--device", "cpu",
                 "--grid", "2", "--out", str(saved), "--html", str(html), "--target", "positive"]) == 0
    out = capsys.readouterr().out
    assert "video — occlusion" in out and "'0.0–1.0 s'" in out
    assert decoded.count(str(voiced_clip)) == 1  # decoded before the model loaded (a damaged clip refused at once),
    # not again after (the record's cut is read again: ``recorded`` checks that it replays)
    page = html.read_text(encoding="utf-8")
    assert "<h2>Video</h2>" in page and page.count('alt="Frame of the clip at ') >= 3 and 'aria-label="occlusion' in page
    assert len(page) < 1_000_000
    first = json.loads(saved.read_text(encoding="utf-8"))
    again = tmp_path / "again.json"
    assert main(["explain", "--preset", str(tiny_video_preset), "--from", str(saved), "--out", str(again),
                 "--json"]) == 0
    capsys.readouterr()
    second = json.loads(again.read_text(encoding="utf-8"))
    assert second["inputs"]["video_b64"] == first["inputs"]["video_b64"]
    assert second["modalities"]["shapley"] == pytest.approx(first["modalities"]["shapley"], abs=1e-6)
    bad = tmp_path / "bad.mp4"
    bad.write_bytes(b"")
    assert main(["predict", "--preset", str(tiny_video_preset), "--video", str(bad)]) == 2
    err = capsys.readouterr().err.strip()
    assert err == "error: 'bad.mp4' is empty (0 bytes): there is no video in it."


def test_the_filmstrip_spans_the_whole_clip_with_its_key_frame(monkeypatch):
    """The strip's frames were filled from the start and stopped when full: a 12 s clip's strip ended at 9 s, a
    35 s one's at 23.5 s. The key frame, then frames spread over the whole clip, its last one too."""
    from msa_demo.kinds import video as video_kind

    times = [i * 0.5 for i in range(24)]
    monkeypatch.setattr(video_kind, "key_frame", lambda exp: {"params": {"frame": 7}})
    picks = video_kind._strip_picks(times, {})
    assert len(picks) == video_kind.FILMSTRIP and 7 in picks and picks[0] == 0 and picks[-1] == 23
    monkeypatch.setattr(video_kind, "key_frame", lambda exp: None)
    assert video_kind._strip_picks(times, {})[-1] == 23 and video_kind._strip_picks(times[:3], {}) == [0, 1, 2]
    monkeypatch.setattr(video_kind, "key_frame", lambda exp: {"params": {"frame": 0}})  # one of the spread frames
    picks = video_kind._strip_picks(times[:10], {})  # a 5 s clip at 2 fps showed 5 frames of its 6
    assert len(picks) == video_kind.FILMSTRIP and len(set(picks)) == len(picks) and picks[0] == 0 and picks[-1] == 9


@pytest.mark.lite
def test_lite_cli_explains_a_clip(turning_clip, capsys):
    from msa_demo.__main__ import main

    assert main(["explain", "--preset", "lite", "--video", str(turning_clip), "--device", "cpu"]) == 0
    out = capsys.readouterr().out
    assert "used: video" in out and "video — occlusion (even vote baseline)" in out


# ---------------------------------------------------------------- the dashboard and the JSON endpoints


@pytest.mark.slow
@pytest.mark.server
def test_dashboard_and_json_endpoints_take_a_clip(tiny_video_preset, voiced_clip, tmp_path):
    import app
    from gradio_client import Client, handle_file

    from msa_demo import ui

    dash = ui.Dashboard.load(str(tiny_video_preset), fallback=None, device="cpu", warm=False)
    out = dash.predict(video=str(voiced_clip))
    notes, alone = out["notices"], out["own.video"]
    assert isinstance(alone, dict) and "from audio, video" in notes and "sound track" in notes
    steps = list(dash.explain_panels(video=str(voiced_clip), target="positive", grid=2, image_method="occlusion"))
    state = steps[-1]["state"]
    assert [m["method"] for m in state["maps"] if m["modality"] == "video"] == ["occlusion", "key_frame_occlusion"]
    from msa_demo.kinds import video as video_kind

    shown = [(s["video.timeline"]["visible"], s["video.frames"]["visible"]) for s in steps
             if isinstance(s.get("video.timeline"), dict) and "visible" in s["video.timeline"]]
    assert shown[0] == (False, False) and shown[-1] == (True, True)  # no empty boxes before the maps arrive
    # the video panel: the clip on one time axis (the face's moments, the voice of its own sound track), and
    # the filmstrip with the key frame's heat map
    lanes = dict(video_kind.lanes(state))
    assert [label for *_t, label, _s in lanes["face"]] == ["0.0–1.0 s", "1.0–2.0 s", "2.0–3.0 s"]
    assert "voice" in lanes and all(0 <= a < b <= 3.01 for a, b, *_ in lanes["voice"])
    figure = video_kind.timeline(state)
    assert [t.name for t in figure.data] == [lane for lane in ("face", "voice", "words") if lane in lanes]
    # the page's last timeline is the whole one: redrawn as the voice's map lands after the clip's (a first run had
    # kept the one drawn before it, without the voice lane, where a shared link or a second run showed it)
    drawn = [s["video.timeline"]["value"] for s in steps if isinstance(s.get("video.timeline"), dict)
             and s["video.timeline"].get("value") is not None]
    assert [t["name"] if isinstance(t, dict) else t.name for t in (drawn[-1].data if hasattr(drawn[-1], "data")
            else drawn[-1]["data"])] == [t.name for t in figure.data]
    frames = video_kind.filmstrip(state)
    keyed = [image for image, caption in frames if caption.endswith(" ★")]  # short: a thumbnail's caption
    assert len(keyed) == 1 and keyed[0].size == (256, 256) and all(" s" in c for _i, c in frames)
    assert {n: u["visible"] for n, u in video_kind.render({}).items()} == {"timeline": False, "frames": False}
    page = Path(steps[-1]["report"]).read_text(encoding="utf-8")  # the report: the same lanes, as SVG
    assert "The clip on one time axis" in page and "<b>Face</b>" in page and "<b>Voice</b>" in page
    demo = app.build_demo(dash, tmp_path / "no_examples.json")
    demo.launch(prevent_thread_lock=True, server_name="127.0.0.1", quiet=True)
    try:
        client = Client(demo.local_url, verbose=False)
        pred = json.loads(client.predict(video=handle_file(str(voiced_clip)), api_name="/predict_json"))
        assert pred["used"] == ["audio", "video"]
        exp = json.loads(client.predict(video=handle_file(str(voiced_clip)), use="video", target="positive",
                                        image_method="occlusion", api_name="/explain_json"))
        assert [m["method"] for m in exp["maps"]] == ["occlusion", "key_frame_occlusion"]
        assert exp["maps"][0]["labels"] == ["0.0–1.0 s", "1.0–2.0 s", "2.0–3.0 s"]
        assert exp["prediction"]["switched_off"] == ["audio"]
        bad = tmp_path / "bad.mp4"
        bad.write_bytes(b"not a clip")
        with pytest.raises(Exception, match="could not be read as a video"):
            client.predict(video=handle_file(str(bad)), api_name="/predict_json")
    finally:
        demo.close()


def test_the_curated_clip_is_small_and_carries_a_voice():
    path = EXAMPLES / "face_turns.mp4"
    assert path.stat().st_size < 300_000
    clip = load_video(path)
    assert clip.times[0] == 0.0 and 4.4 < clip.seconds <= 4.6 and clip.sound is not None
    assert "face_turns.mp4" in (EXAMPLES / "SOURCES.md").read_text(encoding="utf-8")


@pytest.mark.slow
def test_the_sanity_check_randomises_the_frame_model(tiny_video_preset, voiced_clip):
    model = MultimodalSentimentModel.from_preset(str(tiny_video_preset), device="cpu")
    inputs = model.read_inputs(video=str(voiced_clip))
    exp = explain(model, inputs, target="positive", use=["video"], options=ExplainOptions(grid=2, sanity=True))
    for m in exp.maps:
        assert m.params["randomised_layers"] and m.faithfulness.sanity_spearman is not None, m.method


def test_the_clip_is_told_on_one_time_axis():
    """Known by construction: the face's strongest push is its 2–3 s moment (away from the target), while
    'so furious' is said; the voice's own sound track gives the other lanes."""
    from msa_demo import views
    from msa_demo.kinds import video as video_kind

    exp = {"target": "positive", "preset": "planted",
           "prediction": {"label": "negative", "probs": {"negative": 0.7, "neutral": 0.2, "positive": 0.1},
                          "used": ["audio", "video"], "notices": [video_kind.SOUND_TRACK],
                          "modalities": {"video": {"label": "negative"}, "audio": {"label": "negative"}}},
           "maps": [{"modality": "video", "method": "occlusion", "labels": ["0.0–1.0 s", "1.0–2.0 s", "2.0–3.0 s"],
                     "spans": [[0, 1], [1, 2], [2, 3]], "scores": [0.05, -0.1, -0.6], "params": {"fps": 2}},
                    {"modality": "audio", "method": "occlusion", "labels": ["so", "furious"],
                     "spans": [[2.0, 2.4], [2.4, 2.9]], "scores": [-0.1, -0.5]}],
           "reading": {"audio": {"transcript": "so furious", "words": [
               {"text": "so", "start": 2.0, "end": 2.4}, {"text": "furious", "start": 2.4, "end": 2.9}]}}}
    lanes = dict(video_kind.lanes(exp))
    assert list(lanes) == ["face", "voice", "words"]
    assert [round(r, 2) for _a, _b, r, *_ in lanes["face"]] == [0.08, -0.17, -1.0]  # relative to the strongest
    assert [(w, round(r, 1)) for _a, _b, r, w, _s in lanes["words"]] == [("so", -0.2), ("furious", -1.0)]
    told = video_kind.story(exp)
    assert told == "the face pushed hardest away from positive at 2–3 s, when 'so furious' was said"
    assert told in views.summary_sentence(exp["prediction"], exp)
    figure = video_kind.timeline(exp)
    assert [t.name for t in figure.data] == ["face", "voice", "words"]
    assert sorted(a.text for a in figure.layout.annotations if a.y == "words") == ["furious", "so"]
    html = video_kind.report({**exp, "inputs": {}})  # no clip bytes: the section is left out
    assert html == ""
    other = {**exp, "prediction": {**exp["prediction"], "notices": []}}  # an audio clip of its own
    assert list(dict(video_kind.lanes(other))) == ["face"]  # is not the clip's voice
    # a face that holds one expression: its moments push alike, and the story names the span, not its first second
    # (a 12 s clip frowning for 6 s read "hardest ... at 1–2 s" of six equal moments)
    held = {**exp, "maps": [{**exp["maps"][0], "labels": [f"{i}–{i + 1} s" for i in range(5)],
                             "spans": [[i, i + 1] for i in range(5)], "scores": [0.01, -0.37, -0.37, -0.36, -0.2]},
                            exp["maps"][1]]}
    assert video_kind.story(held) == "the face pushed hardest away from positive at 1–4 s"
    # moments that do not fall on whole seconds are told to a tenth (a 3.56 s clip's last moment read "3–4 s", a
    # half-second one "2–2 s")
    short = {**exp, "maps": [{**exp["maps"][0], "labels": ["0.0–1.5 s", "1.5–2.0 s", "2.0–3.56 s"],
                              "spans": [[0, 1.5], [1.5, 2.0], [2.0, 3.56]], "scores": [0.01, -0.6, -0.2]}]}
    assert video_kind.story(short) == "the face pushed hardest away from positive at 1.5–2 s"
    short["maps"][0]["scores"] = [0.01, -0.2, -0.6]
    assert video_kind.story(short) == ("the face pushed hardest away from positive at 2–3.6 s, when 'so furious' "
                                       "was said")


def test_the_story_names_a_moment_only_where_it_stands_out():
    """A 30 s clip that frowns from 13 s on, every frown moment scoring 0.0066–0.0107: the summary read "the face
    pushed hardest toward negative at 26–27 s, when 'not recommend these' was said", a moment that beat 13–14 s by
    0.0007. Where no moment stands out (the contributions chart's rule), the span is told, without words."""
    from msa_demo.kinds import video as video_kind

    frowns = [0.0100, 0.0066, 0.0081, 0.0090, 0.0072, 0.0088, 0.0095, 0.0079, 0.0093, 0.0070, 0.0085, 0.0091,
              0.0083, 0.0107, 0.0098, 0.0087, 0.0076]  # 13–30 s; 26–27 s the strongest
    scores = [-0.0004] * 13 + frowns
    words = [{"text": w, "start": 26.0 + 0.2 * i, "end": 26.2 + 0.2 * i}
             for i, w in enumerate(["not", "recommend", "these"])]
    exp = {"target": "negative", "preset": "lite",
           "prediction": {"label": "negative", "probs": {"negative": 0.7, "neutral": 0.1, "positive": 0.2},
                          "used": ["audio", "video"], "notices": [video_kind.SOUND_TRACK],
                          "modalities": {"video": {"label": "negative"}, "audio": {"label": "negative"}}},
           "maps": [{"modality": "video", "method": "occlusion", "labels": [f"{i}–{i + 1} s" for i in range(30)],
                     "spans": [[i, i + 1] for i in range(30)], "scores": scores, "params": {"fps": 1}}],
           "reading": {"audio": {"transcript": "not recommend these", "words": words}}}
    assert video_kind.story(exp) == "the face pushed toward negative over 13–30 s, no moment more than another"
    assert video_kind.story(exp, lang="zh") == "人脸在 13–30 秒一直朝向“负面”推动，没有哪个时刻更突出"
    # a moment that stands out is still named, with its words
    exp["maps"][0]["scores"] = scores[:26] + [0.08] + scores[27:]
    assert video_kind.story(exp) == ("the face pushed hardest toward negative at 26–27 s, when 'not recommend "
                                     "these' was said")
    # none standing out, and no two moments beside each other pushing the same way: nothing to tell
    exp["maps"][0]["scores"] = [0.001 * (-1) ** i for i in range(30)]
    assert video_kind.story(exp) is None


def test_moments_as_hard_apart_from_each_other_are_each_named():
    """A frown at 1-2 s and again, as hard, at 7-9 s: the story named the first alone, with its words, as if it
    were the moment. Each span as hard (within 5 %) is named, in time order, without words; past three, a count."""
    from msa_demo.kinds import video as video_kind

    scores = [0.001, -0.30, 0.002, 0.0, 0.001, 0.0, 0.001, -0.295, -0.299, 0.0]
    exp = {"target": "positive", "preset": "lite",
           "prediction": {"label": "negative", "probs": {"negative": 0.7, "neutral": 0.1, "positive": 0.2},
                          "used": ["video"], "notices": [], "modalities": {"video": {"label": "negative"}}},
           "maps": [{"modality": "video", "method": "occlusion", "labels": [f"{i}–{i + 1} s" for i in range(10)],
                     "spans": [[i, i + 1] for i in range(10)], "scores": scores, "params": {"fps": 1}}]}
    assert video_kind.story(exp) == "the face pushed hardest away from positive at 1–2 s and 7–9 s, as hard each time"
    assert video_kind.story(exp, lang="zh") == "人脸在 1–2 秒和7–9 秒背离“正面”的推力最强，每次一样强"
    exp["maps"][0]["scores"] = [-0.3 if i % 2 else 0.0 for i in range(10)]  # five, apart
    assert video_kind.story(exp) == ("the face pushed hardest away from positive at 1–2 s, 3–4 s, 5–6 s and 2 more "
                                     "moments, as hard each time")
    exp["maps"][0]["scores"] = scores[:7] + [-0.2, -0.1, 0.0]  # the later frown weaker: the first alone
    assert video_kind.story(exp) == "the face pushed hardest away from positive at 1–2 s"


@pytest.mark.slow
def test_the_hub_face_video_entry_reads_each_frames_face(tiny_preset_path, tmp_path):
    """hub-face's video entry (``config.frames_of(HUB_FACE, faces=True)``) on a tiny ViT expression model of the
    same shape: each frame cropped to the face the lite finder sees; a clip without a face abstains."""
    from msa_demo.config import HUB_FACE_PRESET, frames_of
    from msa_demo.tiny import face_expression_spec

    entry = HUB_FACE_PRESET.modalities["video"]
    assert entry.model_id == HUB_FACE_PRESET.modalities["image"].model_id and entry.options["faces"] is True
    spec = frames_of(face_expression_spec(tmp_path), faces=True)
    base = load_preset(tiny_preset_path)
    model = MultimodalSentimentModel(replace(base, name="tiny-face-video",
                                             modalities={"video": spec}), device="cpu")
    frown, smile = faces()
    clip = write_clip(tmp_path / "faces.mp4", [frown] * 10 + [smile] * 10, fps=10)
    inputs = model.read_inputs(video=str(clip))
    assert inputs.video.faces and all(box is not None for box in inputs.video.faces)  # every frame's face
    assert model.predict(inputs=inputs).used == ["video"]
    exp = explain(model, inputs, options=ExplainOptions(deletion_steps=2, what_if=False, grid=2))
    assert [m.method for m in exp.maps] == ["occlusion", "key_frame_occlusion"]  # moments, the key face's regions
    grey = write_clip(tmp_path / "grey.mp4", [Image.new("RGB", (160, 120), (128, 128, 128))] * 10, fps=10)
    blank = model.read_inputs(video=str(grey))
    assert all(box is None for box in blank.video.faces) and "no face was found" in " ".join(blank.video.notices)


def test_a_webm_recording_as_the_webcam_gives_is_read(tmp_path):
    """The dashboard's webcam records WebM (VP8 video, Opus or Vorbis sound): decoded like any clip."""
    frown, smile = faces()
    t = np.arange(2 * 48000) / 48000.0
    clip = write_clip(tmp_path / "webcam.webm", [frown] * 10 + [smile] * 10, fps=10, codec="libvpx",
                      sound=(48000, (0.2 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)))
    video = load_video(str(clip), fps=2.0, max_seconds=10.0, max_side=640)
    assert len(video.frames) == 4 and video.sound is not None and video.times == pytest.approx([0, 0.5, 1, 1.5])


def test_the_report_s_words_lane_writes_no_word_into_another():
    """A report's words lane read "Iamreallydisappointed.": each word was written at its band's middle, however
    narrow. A word is written only where it ends before the next begins; every word keeps its tooltip."""
    import re

    from msa_demo.kinds.video import WORD_PX, lane_svg

    said = "I am really disappointed . This was the worst trip".split()
    items = [(i * 0.3, i * 0.3 + 0.28, 0.5, w, 0.0) for i, w in enumerate(said)]
    svg = lane_svg(items, 12.0, "words", words=True)
    written = [(float(x), w) for x, w in re.findall(r'<text x="([\d.]+)" y="27" text-anchor="middle">([^<]*)</text>',
                                                    svg)]
    assert 2 <= len(written) < len(said) and re.findall(r"<title>([^<]*)</title>", svg) == said
    extents = [(x - WORD_PX * len(w) / 2, x + WORD_PX * len(w) / 2) for x, w in written]
    assert all(end < start for (_s, end), (start, _e) in zip(extents, extents[1:]))
    wide = lane_svg(items, 3.0, "words", words=True)  # room for every word
    assert len(re.findall(r'y="27" text-anchor="middle">', wide)) == len(said)


def test_every_moments_map_reads_each_frame_once(lite, turning_clip):
    """A moment is removed by making its frames' votes even, so no row of any method reads a frame again: the
    clip's frames are read once for the whole map (5 distinct of its 8), occlusion's or integrated gradients' (before, each
    occlusion row re-read its changed second's frames, and integrated gradients every frame of every step). The
    same map comes when the frame readings are not kept (every row reads every frame)."""
    from msa_demo.modalities import video as video_mod

    track = lite.modalities["video"]
    inputs = lite.read_inputs(video=str(turning_clip))
    frames = int(lite.encode("video", inputs.video)[0].inputs["frames"].shape[1])
    read = []
    real = track.frame._run

    def counted(batch, want_features):
        read.append(int(next(iter(batch.values())).shape[0]))
        return real(batch, want_features)

    options = ExplainOptions(what_if=False, deletion_steps=2, sanity=False)
    maps = {}
    try:
        track.frame._run = counted
        for method in ("occlusion", "integrated_gradients"):
            video_mod.FRAMES.forget(track)
            read.clear()
            (maps[method],) = attribute_moments(lite, inputs, "positive", options, methods=[method], key_frame=False)
            assert 0 < sum(read) <= frames, (method, read)  # a frame with a frame's pixels: read once
        track.reuse_frames = False
        (slow,) = attribute_moments(lite, inputs, "positive", options, methods=["occlusion"], key_frame=False)
    finally:
        track.reuse_frames = True
        del track.frame._run
    assert np.allclose(maps["occlusion"].scores, slow.scores, atol=1e-6) and maps["occlusion"].labels == slow.labels
    # integrated gradients is exact on the clip's mean, linear in the presence: occlusion's one-moment rows agree
    assert np.allclose(maps["integrated_gradients"].scores, slow.scores, atol=0.02), (maps, slow.scores)


def test_a_clip_read_again_finds_its_faces_kept_and_the_same(lite, turning_clip, monkeypatch):
    """The page reads a clip as it is uploaded and again at the click: the face search was most of each reading
    (a 30 s clip: 9 of 10 s). A frame's box is kept by its pixels; a clip read again searches no frame, and finds
    the same boxes; another clip's frames are searched."""
    from msa_demo.lite import face
    from msa_demo.modalities import video as video_mod

    track = lite.modalities["video"]
    video_mod.BOXES.forget(track)
    searched = []
    real = face.find_faces  # (what the tracker asks: every face of a frame, and the one read)
    monkeypatch.setattr(face, "find_faces", lambda img, larger=None: searched.append(img.size) or real(img, larger))
    first = lite.read_inputs(video=str(turning_clip)).video.faces
    distinct = len(searched)  # of the 8 frames read at 2 fps over 4 s (a still stretch's frame: searched once)
    assert len(first) == 8 and 2 <= distinct <= 8
    again = lite.read_inputs(video=str(turning_clip)).video.faces
    assert again == first and len(searched) == distinct and all(b is not None for b in again)
    frown, _smile = faces()
    other = write_clip(turning_clip.parent / "frown.mp4", [frown.transpose(Image.FLIP_LEFT_RIGHT)] * 20, fps=10)
    mirrored = lite.read_inputs(video=str(other)).video.faces
    assert distinct < len(searched) <= distinct + 4 and len(mirrored) == 4 and mirrored[0] is not None  # new pixels


def test_a_push_over_the_whole_clip_names_no_moment():
    """A 6.5 s clip smiling throughout: "the face pushed hardest toward positive at 0–6 s", the whole clip but its
    last half second (weaker for being half as long), was told as if it were one moment."""
    from msa_demo.kinds import video as video_kind

    spans = [[i, i + 1] for i in range(6)] + [[6, 6.47]]
    exp = {"target": "positive", "prediction": {"label": "positive", "used": ["video"], "notices": []},
           "maps": [{"modality": "video", "method": "occlusion", "labels": [f"{a}–{b} s" for a, b in spans],
                     "spans": spans, "scores": [0.051, 0.0508, 0.0511, 0.051, 0.0511, 0.051, 0.0256]}]}
    assert video_kind.story(exp) == "the face pushed toward positive all through the clip"
    assert video_kind.story(exp, lang="zh") == "人脸在整段视频中一直朝向“正面”推动"
    exp["maps"][0]["scores"] = [0.01, 0.051, 0.0508, 0.0511, 0.051, 0.0511, 0.01]  # 1–6 s of 6.5: a moment still
    assert video_kind.story(exp) == "the face pushed hardest toward positive at 1–6 s"
