"""Video: the face over time. A clip (MP4, WebM, MOV, MKV, AVI, an animated GIF) is decoded with PyAV (FFmpeg),
frames are sampled at a fixed rate (``fps``, over at most ``max_seconds``), each sampled frame is read by one of
the image families (``msa_demo.modalities.image``: lite, the mini-XCEPTION face model with its face finder), and
the frames' label probabilities are averaged over the frames in which a face was found: the clip's verdict.

The model input explainers perturb is the frame track ``frames`` [B, T, C, H, W] (each frame as the image
family's model reads it: the face crop); ``face_mask`` [B, T] says which frames are read. Removing a moment =
making its frames' votes in the mean even (``explain.moments``: the presence of each frame is what is explained).

A clip's sound track (16 kHz mono) is decoded too (:attr:`VideoInput.sound`): the video kind hands it to the
audio modality when no audio clip is given, and the words said in it to the text modality when no text is given
and the video entry's ``words`` asks (``model.read_inputs``: what an input ``carries``).
"""

from __future__ import annotations

import hashlib
import io
import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import torch
from PIL import Image

from msa_demo.errors import InputError, ModelLoadError, SpanError
from msa_demo.inputs import (TRACKS_NOTICE, VIDEO_SUFFIXES, decode_tracks, ends_early, given_as, is_file,
                             loudest_track, no_file, opening, seconds_past, sound_frames)
from msa_demo.modalities import Modality, Prepared, ReadingCache

SOUND_RATE = 16000
# the family's own options (the rest of a spec's options go to the frame family)
# faces: crop each frame to the face the lite face finder sees (None: only for the lite face model's family)
# words: the words said in a clip's sound track are the text when no text is given, where the voice model does not
# read them itself (``kinds.video``: speech recognition by the lite preset's Whisper base)
DEFAULTS = {"frames": "mini-xception-face", "fps": 2.0, "max_seconds": 30.0, "max_side": 640, "segment_seconds": 1.0,
            "faces": None, "words": False}


def video_options(spec: Any) -> dict[str, Any]:
    """A video spec's options with the defaults filled in (``spec`` None: the defaults)."""
    given = dict(getattr(spec, "options", None) or {})
    return {**DEFAULTS, **{k: v for k, v in given.items() if k in DEFAULTS}}


def finds_faces(opts: dict[str, Any]) -> bool:
    """Whether a clip read with these options (:func:`video_options`) has its faces looked for: its ``faces``
    option, else where its frame family is lite's face model."""
    return bool(opts["frames"] == "mini-xception-face" if opts["faces"] is None else opts["faces"])


@dataclass
class VideoInput:
    """The sampled frames of a clip (RGB, upright, at most ``max_side`` pixels long) and their times."""

    frames: list[Image.Image]
    times: list[float]  # seconds from the clip's start, one per frame
    fps: float  # the sampling rate
    seconds: float  # the span read (at most max_seconds)
    original_seconds: float  # the clip's own length (0 when the container does not say)
    data: bytes = b""  # the file as given (what an explanation records, to replay it)
    notices: list[str] = field(default_factory=list)
    sound: tuple[int, np.ndarray] | None = None  # (16000, mono float32) over the same span, when there is one
    faces: list[tuple[int, int, int, int] | None] | None = None  # each frame's face box (None: not looked for)
    face_counts: list[int] | None = None  # how many faces were found in each frame (None: not looked for)
    # each frame larger than ``max_side`` in the file: a grey copy of it up to ``search_side`` pixels long, where the
    # face finder looks (a still picture's size: a face a 640-px frame shrinks under the finder's smallest is found);
    # None where the frame is read at its own size or no copy was asked for. Dropped once the faces are found.
    search: list[Image.Image | None] | None = field(default=None, repr=False, compare=False)
    # other modalities' inputs it brings (its sound track; the words said in it: a function, called only if wanted)
    carries: dict[str, Any] = field(default_factory=dict)
    read_with: tuple = ()  # (fps, max_seconds, max_side, sound, sound_seconds): how ``load_video`` read it (to
    # read it again)
    record_data: bytes | None = field(default=None, repr=False, compare=False)  # what ``recorded`` made of it, once

    @property
    def key(self) -> str:
        h = hashlib.sha256()
        for img, t in zip(self.frames, self.times):
            h.update(f"{t:.6f}:{img.size}".encode())
            h.update(img.tobytes())
        return "video:" + h.hexdigest()

    @property
    def abstains(self) -> bool:
        """True when faces were looked for and none was found in any frame: the face track has nothing to read."""
        return self.faces is not None and not any(b is not None for b in self.faces)

    @property
    def abstains_why(self) -> str:
        """Why it abstains, as a part of a sentence (no colon or comma: the page's translations read it whole)."""
        why = f"no face was found in any of the {len(self.frames)} frames of the video"
        if self.original_seconds > self.seconds + 0.05:  # said where a refusal hides the notices
            why += f" (only its first {self.seconds:g} s of {self.original_seconds:.1f} s were read)"
        return why

    @property
    def abstains_advice(self) -> str:
        return "Add text or audio, or give a clip that shows a face."


# ---------------------------------------------------------------- decoding


def _source(value: Any) -> tuple[Any, bytes, str]:
    """(what PyAV opens, the file's bytes, the name a message uses)."""
    if isinstance(value, dict) and "path" in value:  # gradio FileData-like
        value = value["path"]
    if isinstance(value, (bytes, bytearray)):
        data = bytes(value)
        return io.BytesIO(data), data, "the uploaded video"
    if isinstance(value, (str, os.PathLike)):
        path = Path(value)
        if not is_file(path):
            raise InputError(no_file(value, "video"))
        if path.suffix.lower() not in VIDEO_SUFFIXES:
            raise InputError(given_as(path, "video") or f"'{path.name}' is not a supported video file; use MP4, "
                             "WebM, MOV, MKV, AVI or an animated GIF.")
        data = path.read_bytes()
        return io.BytesIO(data), data, f"'{path.name}'"
    raise InputError(f"A video must be a file or its bytes, not {type(value).__name__}.")


def picture_stream(container: Any) -> Any:
    """The clip's moving picture among a file's video streams (None: it has none). A cover or thumbnail stored as a
    stream of its own comes first in some files: a stream flagged as an attached picture is passed over, and of the
    rest the one of most frames a second is taken (the first of equals)."""
    import av

    streams = list(container.streams.video)
    moving = [v for v in streams if not v.disposition & av.stream.Disposition.attached_pic] or streams
    return max(moving, key=lambda v: float(v.average_rate or 0)) if moving else None


def loudest_stream(path: Path, until: float) -> int | None:
    """The index of the loudest of a file's sound streams over its first ``until`` seconds (as ``load_video``
    picks the track it reads), when it has more than one; None otherwise."""
    import av

    with av.open(str(path), mode="r") as src:
        streams = list(src.streams.audio)
        if len(streams) < 2:
            return None
        indexes = [a.index for a in streams]  # read while the file is open
        tracks, _cut = decode_tracks(src, streams, SOUND_RATE, until)
    return indexes[loudest_track(tracks)[1]]


def _upright(frame: Any, max_side: int) -> Image.Image:
    """The frame as an upright RGB picture, at most ``max_side`` pixels long: scaled down by FFmpeg (bilinear)
    before it becomes a picture (a 1080p frame: a tenth of the time of a full-size picture scaled by PIL), then the
    container's rotation (display matrix) applied."""
    w, h = frame.width, frame.height
    scale = min(1.0, max_side / max(w, h))
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    img = (frame.reformat(width=size[0], height=size[1], format="rgb24") if scale < 1 else frame).to_image()
    angle = int(round(float(getattr(frame, "rotation", 0) or 0))) % 360
    return img.rotate(angle, expand=True) if angle else img  # the display matrix's angle: counter-clockwise, as PIL's


def _search_copy(frame: Any, max_side: int, search_side: int) -> Image.Image | None:
    """A grey copy of the frame up to ``search_side`` pixels long (scaled by FFmpeg, then turned upright as
    ``_upright`` turns the frame), where a face is looked for; None where the frame is read whole at ``max_side``
    (no larger copy to search) or no copy is asked for."""
    w, h = frame.width, frame.height
    if search_side <= max_side or max(w, h) <= max_side:
        return None
    scale = min(1.0, search_side / max(w, h))
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    img = frame.reformat(width=size[0], height=size[1], format="gray").to_image()
    angle = int(round(float(getattr(frame, "rotation", 0) or 0))) % 360
    return img.rotate(angle, expand=True) if angle else img


def load_video(value: Any, fps: float = 2.0, max_seconds: float = 10.0, max_side: int = 640,
               sound: bool = True, sound_seconds: float | None = None, search_side: int = 0) -> VideoInput | None:
    """The frames of a clip sampled ``fps`` times a second over its first ``max_seconds`` (the first frame shown
    at or after each sampling time: variable frame rates are read by their timestamps), and its sound track on
    the pictures' time line: up to ``sound_seconds`` (the audio's own limit: a voice is heard as far as an audio
    clip would be, past the pictures read), else over the pictures' span only. ``search_side`` (over
    ``max_side``): each frame the file holds larger than ``max_side`` is kept too as a grey copy up to that size,
    where its face is looked for (:attr:`VideoInput.search`)."""
    if value is None:
        return None
    import av

    src, data, name = _source(value)
    if not data:
        raise InputError(f"{opening(name)} is empty (0 bytes): there is no video in it.")
    try:
        container = av.open(src, mode="r")
    except Exception:  # noqa: BLE001 - PyAV raises FFmpegError subclasses and OSErrors for bad files
        raise InputError(f"{opening(name)} could not be read as a video. It may be damaged or not a video; "
                         "use MP4, WebM, MOV, MKV, AVI or an animated GIF.") from None
    with container:
        gif = container.format.name == "gif"  # its frames have delays of their own
        if container.format.name.endswith("_pipe") or container.format.name == "image2":
            raise InputError(f"{opening(name)} is a still picture, not a video: give it as an image.")
        vstream = picture_stream(container)
        if vstream is None:
            what = " (it holds only sound: give it as audio)" if container.streams.audio else ""
            raise InputError(f"{opening(name)} has no video stream{what}.")
        astreams = list(container.streams.audio) if sound else []
        order = [a.index for a in astreams]  # the file's track order (read while it is open)
        own = float(container.duration) / av.time_base if container.duration else 0.0  # what the file says
        has_sound = bool(container.streams.audio)
        converted, cut_from = _marks(container.metadata)
        length = max(own, cut_from)
        frames, times, search = [], [], []
        # each sound track's chunks, channels kept (mixed by loudest_track), and where its first one starts
        tracks: dict[int, list[np.ndarray]] = {a.index: [] for a in astreams}
        begins: dict[int, float] = {}
        resamplers = {a.index: av.AudioResampler(format="flt", rate=SOUND_RATE) for a in astreams}
        step, nxt, beyond, last, decoded = 1.0 / float(fps), 0.0, False, 0.0, 0
        held: list | None = None  # the last picture decoded: [its frame, its picture and search copy once made]

        def hold(picture: list | None, at: float, until: float) -> float:
            """``picture`` again at each sampling time from ``at`` to before ``until`` (the times it was still
            shown: a picture held over several of them is read at each, as a clip of a steady rate is); the next
            sampling time."""
            while picture is not None and at < until - 1e-6:
                if picture[1] is None:
                    picture[1:] = [_upright(picture[0], max_side), _search_copy(picture[0], max_side, search_side)]
                frames.append(picture[1])
                search.append(picture[2])
                times.append(round(at, 6))
                at = (round(at * fps) + 1) * step
            return at

        ends = 0.0  # where the last picture's own duration ends (a frame held 2 s of a variable frame rate)
        heard = not astreams  # the sound read past the span too
        hear_until = max_seconds if sound_seconds is None else max(max_seconds, float(sound_seconds))
        start = float(vstream.start_time * vstream.time_base) if vstream.start_time is not None else 0.0
        damaged = False
        try:
            for packet in container.demux(vstream, *astreams):
                if beyond and packet.stream is vstream:  # its frames past the span: not decoded
                    continue
                for frame in packet.decode():
                    t = frame.time
                    if t is None:
                        continue
                    t = float(t) - start
                    if packet.stream is vstream:
                        if t >= max_seconds:
                            beyond = True
                            continue
                        last, decoded = max(last, t), decoded + 1
                        ends = max(ends, t + _lasts(frame))
                        if t + 1e-6 >= nxt:
                            # the sampling times before the last one it reaches, at which the picture before was
                            # still shown (a GIF's frame held 1.5 s): that picture again, at each of them
                            nxt = hold(held, nxt, int(t * fps + 1e-6) * step)
                            held = [frame, _upright(frame, max_side), _search_copy(frame, max_side, search_side)]
                            frames.append(held[1])
                            search.append(held[2])
                            times.append(round(t, 6))
                            nxt = (int(t * fps + 1e-6) + 1) * step
                        else:
                            held = [frame, None, None]
                    elif t < hear_until:
                        begins.setdefault(packet.stream.index, t)
                        tracks[packet.stream.index] += sound_frames(resamplers[packet.stream.index], frame)
                    else:
                        heard = True
                if beyond and heard:  # both past the span (a file may put its sound a second behind its frames)
                    break
        except InputError:
            raise
        except Exception:  # noqa: BLE001 - a damaged stream: one line
            if not frames:
                raise InputError(f"{opening(name)} has no decodable video stream (its frames could not be "
                                 "decoded).") from None
            damaged = True
    if not frames:
        raise InputError(f"{opening(name)} holds no video frames (zero length).")
    if gif and decoded == 1 and not beyond:  # (a short one, its frames 0.2 s apart, is one moment: a clip still)
        raise InputError(f"{opening(name)} is a still picture (a GIF of one frame), not a video: give it as an "
                         "image.")
    frame_step = 1.0 / float(vstream.average_rate) if vstream.average_rate else step
    if gif and length > last:  # the last frame lasts until the GIF's end
        frame_step = length - last
    span = min(max_seconds, last + frame_step)
    # the last picture, at the sampling times until it ends (a GIF's last 1.5 s; its own duration where the file
    # says it, not the mean frame rate's step: a GIF's H.264 copy, its frames 0.5 to 1 s apart, steps 0.52 s)
    hold(held, nxt, min(span, ends) if ends > last else span)
    notices = [f"Video: the clip is damaged after {last:.1f} s; the frames before were read."] if damaged else []
    for index, begin in begins.items():  # each track placed on the pictures' time line: a sound that starts later
        # (a camera's, 2 s in) opens with silence; one that starts before the first picture loses what came before
        lead = int(round(begin * SOUND_RATE))
        chunks = tracks[index] + sound_frames(resamplers[index], None)
        joined = np.concatenate(chunks) if chunks else np.zeros((0, 1), np.float32)
        tracks[index] = [np.concatenate([np.zeros((lead, joined.shape[1]), np.float32), joined]) if lead > 0
                         else joined[-lead:]]
    heard_in = [i for i in order if i in begins]  # the tracks with sound in the span, in the file's order
    samples, best = loudest_track([tracks[i] for i in heard_in]) if heard_in else (np.zeros(0, np.float32), 0)
    if heard_in and heard_in[best] != order[0]:
        notices.append(TRACKS_NOTICE.format(what="Video", n=len(order), k=order.index(heard_in[best]) + 1))
    runs = samples.size / SOUND_RATE  # a sound's last 0.5 s past the pictures is a codec's padding: cut with them
    heard_span = span if sound_seconds is None or runs <= span + 0.5 else min(float(sound_seconds), runs)
    if sound_seconds is None and runs > span + 0.5 and span < max_seconds:
        notices.append(f"Video: its sound runs {runs:.1f} s, past its pictures' "
                       f"{span:.{1 if span >= 1 else 2}f} s; the sound after them was not read (give the file as audio "
                       "to hear all of it).")
    # read to its end (not stopped at the limit; its sound read too: the file's length may be its sound's)
    if not (damaged or beyond or (astreams and heard) or (has_sound and not astreams)):
        notices += _ended_early(own, max(last + frame_step, ends), runs)
    if converted:
        notices.append(converted_notice(converted))
    if beyond or length - max_seconds >= frame_step:  # (a container's length a few ms past its last frame's: no cut)
        told = seconds_past(length, max_seconds)
        total = f" of {told} s" if told else ""
        if heard_span > span + 0.5:  # its voice heard further than its pictures were read
            notices.append(f"Video: only the first {max_seconds:g} s{total} of its pictures were read; its sound, "
                           f"the first {heard_span:.1f} s.")
        else:
            notices.append(f"Video: only the first {max_seconds:g} s{total} were used.")
    samples = samples[: int(round(heard_span * SOUND_RATE))]
    clip = (SOUND_RATE, np.clip(samples, -1.0, 1.0)) if samples.size else None
    return VideoInput(frames, times, float(fps), float(span), float(length or span), data, notices, clip,
                      read_with=(float(fps), float(max_seconds), int(max_side), bool(sound), sound_seconds),
                      search=search if any(c is not None for c in search) else None)


def _lasts(frame: Any) -> float:
    """How long a decoded picture is shown, in seconds (0 where the file does not say)."""
    return float(frame.duration * frame.time_base) if frame.duration and frame.time_base else 0.0


# a clip cut short (an upload broken off, a copy stopped): its container still says its whole length, and what it
# holds was read as a shorter clip with no word (as a sound file's ``ENDS_EARLY``)
ENDS_EARLY = ("Video: the file ends early (cut off or damaged): it says {total} s, but its pictures end at {s} s; "
              "what it holds was read.")


def _ended_early(said: float, pictures: float, sound: float) -> list[str]:
    """``ENDS_EARLY`` filled in when the file says clearly more than its pictures and its sound hold (a sound a
    little longer than its pictures, or a GIF's last frame, is no cut), else nothing."""
    return [ENDS_EARLY.format(total=f"{said:.1f}", s=f"{pictures:.1f}")] if said and ends_early(
        max(pictures, sound), said) else []


# A record keeps a long clip's head only (``recorded``); its file says how long the clip was, so that reading it
# again says "the first 10 s of 40.0 s", as the first reading did.
TRIM_MARK = "msa_demo: the first {kept:.3f} s of a {seconds:.3f} s clip"
TRIM_MARGIN = 1.0  # seconds kept past the span read (frames a kept frame is decoded from may lie a little later)


def _marks(metadata: Any) -> tuple[str, float]:
    """What the file's comment says this app did to it: (what a ``browser_copy`` was converted from, "" for none;
    the length of the clip a cut copy or record was cut from, 0 for none)."""
    import re

    said = " ".join(str(v) for k, v in (metadata or {}).items() if k.lower() == "comment")
    converted = re.search(r"msa_demo: converted for the browser from (.+?)(?:; |$)", said)
    cut = re.search(r"the first [\d.]+ s of a ([\d.]+) s clip", said)
    return (converted.group(1) if converted else ""), (float(cut.group(1)) if cut else 0.0)


# A clip browsers do not play (AVI, MPEG-4 Part 2, HEVC, MJPEG, ProRes ...) is given to the page as a copy they
# do (``browser_copy``): H.264 and AAC in MP4. Gradio's own test of what plays (``video_is_playable``), with the
# sound codecs Chromium and Firefox play.
PLAYS = {(".mp4", "h264"), (".m4v", "h264"), (".mp4", "av1"), (".webm", "vp8"), (".webm", "vp9"), (".webm", "av1"),
         (".ogg", "theora")}
PLAYS_SOUND = {"aac", "mp3", "opus", "vorbis", "flac"}
CONVERTED_MARK = "msa_demo: converted for the browser from {what}"
CONVERTED_NOTICE = "Video: this {kind} file was converted to MP4 (H.264) so browsers can play it; that copy was read."
CODEC_CONVERTED_NOTICE = ("Video: this {kind} file ({codec}) was converted to MP4 (H.264) so browsers can play it; "
                          "that copy was read.")
PLAYED_BOXES = {"MP4", "M4V", "WEBM", "OGG"}  # containers browsers play: only their codec made a copy needed


def converted_notice(what: str) -> str:
    """``CONVERTED_NOTICE`` for a copy converted from ``what`` ("H.264 in MOV"): the file's kind a person knows it
    by, its codec only where that is the reason ("this MP4 file (MPEG-4 part 2)"); "converted from H.264 in MOV
    (which browsers do not play) to H.264" read oddly to a non-expert."""
    codec, _, box = what.rpartition(" in ")
    if codec and box.upper() in PLAYED_BOXES:
        return CODEC_CONVERTED_NOTICE.format(kind=box, codec=codec)
    return CONVERTED_NOTICE.format(kind=box or what)


class _Reencoder:
    """What ``browser_copy`` and ``cut_clip`` write into ``out`` (an MP4 open for writing): H.264 pictures at their
    own times in milliseconds (a GIF's delays, not a rate; each upright, at most ``side`` px, all at the first
    one's even size; of two at one millisecond the first), and ``sound``'s frames as AAC on the same time line (a
    sound that starts later opens with silence, as read). ``size`` stays None until a picture is written."""

    def __init__(self, out: Any, video: Any, sound: Any, side: int) -> None:
        import fractions

        import av

        self.av, self.ms = av, fractions.Fraction(1, 1000)
        self.out, self.side, self.size, self.last, self.heard = out, side, None, -1, False
        self.vs = out.add_stream("libx264", rate=video.average_rate or 25)
        self.vs.pix_fmt, self.vs.options, self.vs.time_base = "yuv420p", {"crf": "18", "preset": "veryfast"}, self.ms
        self.vs.codec_context.time_base = self.ms  # frames at their own times, not at the rate
        self.aus = self.resampler = None
        if sound is not None:
            self.aus = out.add_stream("aac", rate=sound.rate or 48000)
            self.aus.layout = "mono" if sound.channels == 1 else "stereo"
            self.resampler = av.AudioResampler(format="fltp", layout=self.aus.layout.name, rate=self.aus.rate)

    def picture(self, frame: Any, t: float) -> None:
        img = _upright(frame, self.side)
        if self.size is None:
            self.size = (max(2, img.width // 2 * 2), max(2, img.height // 2 * 2))
            self.vs.width, self.vs.height = self.size
        if img.size != self.size:
            img = img.resize(self.size, Image.BILINEAR)
        pts = int(round(t * 1000))
        if pts <= self.last:  # two frames at one millisecond: the first is kept
            return
        still = self.av.VideoFrame.from_image(img)
        still.pts, still.time_base, self.last = pts, self.ms, pts
        for q in self.vs.encode(still):
            self.out.mux(q)

    def sound(self, frame: Any, t: float) -> None:
        pieces = self.resampler.resample(frame)
        if not self.heard and t > 0.01:  # a sound that starts later opens with silence (as read)
            pieces = [_silence(self.aus, int(round(t * self.aus.rate))), *pieces]
        self.heard = True
        for piece in pieces:
            piece.pts = None
            for q in self.aus.encode(piece):
                self.out.mux(q)

    def finish(self) -> None:
        """The encoders' last packets written."""
        for q in self.vs.encode():
            self.out.mux(q)
        if self.aus is not None:
            for q in self.aus.encode():
                self.out.mux(q)


def browser_copy(path: str | Path, max_seconds: float = 30.0, max_side: int = 640) -> Path | None:
    """A copy of the clip at ``path`` that browsers play, beside it (``<name>.browser.mp4``: H.264 and AAC in MP4,
    the frames upright, at most ``max_side`` pixels, at their own times, up to 1 s past the ``max_seconds`` read;
    its comment says what it was converted from and, when cut, the clip's length), for a clip whose container,
    picture codec or sound codec browsers do not play; None when it plays as it is or cannot be read (reading it
    then says why)."""
    import threading

    import av

    path = Path(path)
    if path.suffix.lower() not in VIDEO_SUFFIXES:
        return None
    part = None
    try:
        with av.open(str(path), mode="r") as src:
            video = picture_stream(src)
            if video is None:
                return None
            loudest = loudest_stream(path, max_seconds + TRIM_MARGIN)
            sound = next((a for a in src.streams.audio if loudest in (None, a.index)), None)
            vcodec = video.codec_context.name
            plain = vcodec != "h264" or video.codec_context.pix_fmt in ("yuv420p", "yuvj420p")  # not 4:4:4, 10 bit
            if (path.suffix.lower(), vcodec) in PLAYS and plain and (
                    sound is None or sound.codec_context.name in PLAYS_SOUND):
                return None
            name = (video.codec_context.codec.long_name or vcodec).split(" / ")[0]
            what = (f"{name}{'' if plain else f' ({video.codec_context.pix_fmt})'} in "
                    f"{path.suffix.lstrip('.').upper() or src.format.name}")
            length = float(src.duration) / av.time_base if src.duration else 0.0
            until = max_seconds + TRIM_MARGIN
            start = float(video.start_time * video.time_base) if video.start_time is not None else 0.0
            out_path = path.with_name(path.stem + ".browser.mp4")
            part = path.with_name(f"{path.stem}.{os.getpid()}.{threading.get_ident()}.part")  # two uploads at once
            with av.open(str(part), mode="w", format="mp4") as out:
                mark = CONVERTED_MARK.format(what=what)
                if length > until:
                    mark += "; " + TRIM_MARK.format(kept=until, seconds=length)[len("msa_demo: "):]
                out.metadata["comment"] = mark
                put = _Reencoder(out, video, sound, max_side)
                past = set()
                for packet in src.demux(*[st for st in (video, sound) if st is not None]):
                    if packet.stream.index in past:  # past the span: not decoded
                        continue
                    for frame in packet.decode():
                        if frame.time is None:
                            continue
                        t = float(frame.time) - start
                        if t > until:
                            past.add(packet.stream.index)
                            continue
                        if packet.stream is video:
                            put.picture(frame, t)
                        elif t >= 0:  # the sound on the pictures' time line: what came before them is dropped
                            put.sound(frame, t)
                    if len(past) == (2 if sound is not None else 1):
                        break
                put.finish()
        if put.size is None:
            part.unlink(missing_ok=True)
            return None
        os.replace(part, out_path)
    except Exception:  # noqa: BLE001 - a file that cannot be converted is given as it is; reading it says why
        if part is not None:
            part.unlink(missing_ok=True)
        return None
    return out_path


SEGMENT_SIDE = 1920  # a cut span's frames at most this long: more than any preset reads (a still picture's 1024)
SEGMENT_MARK = "msa_demo: {start:.3f}-{end:.3f} s of a {seconds:.3f} s clip"


def cut_clip(path: str | Path, start: float, end: float | None, folder: str | Path,
             by_flags: bool = False) -> tuple[str, str]:
    """The span ``start``-``end`` seconds (None: to its end) of the clip at ``path`` as a clip of its own in
    ``folder`` (H.264 and AAC in MP4, its frames upright and at their own times from 0, at most
    :data:`SEGMENT_SIDE` pixels; its loudest sound track on the same time line), found by a seek to the key frame
    before ``start`` (the frames before it decoded, not kept); and the notice that says which span was read
    (``inputs.SEGMENT_READ``). A span the clip does not hold is one line; so is a file that is no clip
    (``by_flags``: the notice and that line said of --start / --end, not of a row)."""

    import av

    from msa_demo.inputs import segment_notice, span_within

    path = Path(path)
    name = f"'{path.name}'"
    if not is_file(path):
        raise InputError(no_file(path, "video"))
    try:
        src = av.open(str(path), mode="r")
    except Exception:  # noqa: BLE001 - PyAV raises FFmpegError subclasses and OSErrors for bad files
        raise InputError(f"{opening(name)} could not be read as a video. It may be damaged or not a video; "
                         "use MP4, WebM, MOV, MKV, AVI or an animated GIF.") from None
    out_path = Path(folder) / (path.stem + ".mp4")
    if out_path.resolve() == path.resolve():  # (never written over the clip it is read from)
        out_path = out_path.with_suffix(".segment.mp4")
    with src:
        video = picture_stream(src)
        if video is None:
            raise InputError(f"{opening(name)} has no video stream.")
        length = float(src.duration) / av.time_base if src.duration else 0.0
        stop = span_within(name, start, end, length, by_flags)
        until = (stop - start) if stop else float("inf")
        loudest = loudest_stream(path, (stop or 0.0) + TRIM_MARGIN) if stop else None
        sound = next((a for a in src.streams.audio if loudest in (None, a.index)), None)
        first = float(video.start_time * video.time_base) if video.start_time is not None else 0.0
        if start > 0:
            src.seek(int((first + start) * av.time_base), backward=True, any_frame=False)
        with av.open(str(out_path), mode="w", format="mp4") as out:
            out.metadata["comment"] = SEGMENT_MARK.format(start=start, end=stop or 0.0, seconds=length)
            put = _Reencoder(out, video, sound, SEGMENT_SIDE)
            past, before = set(), None
            try:
                for packet in src.demux(*[st for st in (video, sound) if st is not None]):
                    if packet.stream.index in past:
                        continue
                    for frame in packet.decode():
                        if frame.time is None:
                            continue
                        t = float(frame.time) - first - start
                        if t >= until:
                            past.add(packet.stream.index)
                            continue
                        if packet.stream is video:
                            if t < -1e-6:  # before the span: the picture still shown at its start, if no frame is
                                before = frame
                                continue
                            if before is not None and put.size is None and t > 1e-3:
                                put.picture(before, 0.0)
                            put.picture(frame, max(t, 0.0))
                        elif t >= -1e-6:  # the sound on the span's time line
                            put.sound(frame, max(t, 0.0))
                    if len(past) == (2 if sound is not None else 1):
                        break
                if put.size is None and before is not None:  # a picture shown from before the span to its end
                    put.picture(before, 0.0)
            except InputError:
                raise
            except Exception:  # noqa: BLE001 - a damaged stream: one line (its reader says it as ever)
                raise InputError(SEGMENT_UNDECODED.format(name=opening(name), start=f"{start:g}",
                                                          end=f"{stop:g}" if stop else "end")) from None
            if put.size is None:
                raise SpanError(SEGMENT_EMPTY.format(name=opening(name), start=f"{start:g}"))
            put.finish()
    total = length or (start + put.last / 1000.0)
    return str(out_path), segment_notice("Video", start, stop or total, total, name if by_flags else None)


SEGMENT_EMPTY = "{name} has no frame from {start} s on: the row's span starts past its pictures."
SEGMENT_UNDECODED = "{name} could not be decoded over {start}-{end} s (it may be damaged there)."


def _silence(stream: Any, samples: int) -> Any:
    """``samples`` of silence in ``stream``'s sound format (planar float, its layout and rate)."""
    import av

    channels = len(stream.layout.channels)
    frame = av.AudioFrame.from_ndarray(np.zeros((channels, samples), np.float32), format="fltp",
                                       layout=stream.layout.name)
    frame.sample_rate = stream.rate
    return frame


def recorded(clip: VideoInput) -> bytes:
    """The bytes an explanation records to replay ``clip``: for a clip longer than the span read, its file cut
    a little after that span (packets copied, nothing encoded again: ``_head``), when reading the cut file gives
    the very frames, times, sound and notices again; else the file as given. Once per clip (kept on it)."""
    if clip.record_data is not None:
        return clip.record_data
    out = clip.data
    if clip.data and clip.read_with and clip.original_seconds > clip.seconds + TRIM_MARGIN:
        try:
            heard = clip.sound[1].size / clip.sound[0] if clip.sound is not None else 0.0
            cut = _head(clip.data, max(clip.seconds, heard) + TRIM_MARGIN, clip.original_seconds)
            again = load_video(cut, *clip.read_with)
        except Exception:  # noqa: BLE001 - a file PyAV cannot cut is recorded whole
            cut, again = b"", None
        if again is not None and len(cut) < len(clip.data) and _same(clip, again):
            out = cut
    clip.record_data = out
    return out


def _head(data: bytes, until: float, seconds: float) -> bytes:
    """The clip's first video stream and first sound stream up to ``until`` seconds, in a file of the same
    container format, its packets copied; marked with the length of the clip it was cut from (``TRIM_MARK``)."""
    import av

    with av.open(io.BytesIO(data), mode="r") as src:
        video = src.streams.video[0]
        streams = [video, *src.streams.audio[:1]]
        start = float(video.start_time * video.time_base) if video.start_time is not None else 0.0
        buf = io.BytesIO()
        with av.open(buf, mode="w", format=src.format.name.split(",")[0]) as out:
            out.metadata["comment"] = TRIM_MARK.format(kept=until, seconds=seconds)
            into = {s.index: out.add_stream_from_template(s) for s in streams}
            past: set[int] = set()
            for packet in src.demux(*streams):
                if packet.dts is None:  # a demuxer's flush packet
                    continue
                if packet.pts is not None and float(packet.pts * packet.time_base) - start > until:
                    past.add(packet.stream.index)
                    if len(past) == len(into):
                        break
                    continue
                packet.stream = into[packet.stream.index]
                out.mux(packet)
        return buf.getvalue()


def _same(a: VideoInput, b: VideoInput) -> bool:
    """Two readings give the same frames at the same times, the same sound and say the same."""
    if a.times != b.times or a.notices != b.notices or abs(a.seconds - b.seconds) > 1e-9:
        return False
    if any(x.size != y.size or x.tobytes() != y.tobytes() for x, y in zip(a.frames, b.frames)):
        return False
    if (a.sound is None) != (b.sound is None):
        return False
    return a.sound is None or (a.sound[0] == b.sound[0] and np.array_equal(a.sound[1], b.sound[1]))


def write_clip(path: str | Path, frames: list, fps: float = 10.0, sound: tuple[int, np.ndarray] | None = None,
               rotation: int = 0, codec: str = "mpeg4") -> Path:
    """Write ``frames`` (RGB arrays or pictures, one size, even sides) as a clip at ``fps``, with a mono sound
    track (``(rate, float samples)``) and a display rotation if given: the examples' and the tests' clips."""
    import av

    path = Path(path)
    arrays = [np.asarray(f.convert("RGB") if isinstance(f, Image.Image) else f, dtype=np.uint8) for f in frames]
    h, w = arrays[0].shape[:2]
    with av.open(str(path), mode="w") as out:
        vs = out.add_stream(codec, rate=int(round(fps)))
        vs.width, vs.height, vs.pix_fmt = w, h, "yuv420p"
        if codec == "mpeg4":
            vs.bit_rate = 2_000_000
        if rotation:
            vs.set_display_rotation(rotation)
        aus = None
        if sound is not None:
            aus = out.add_stream("aac" if path.suffix.lower() in (".mp4", ".m4v", ".mov") else "libopus"
                                 if path.suffix.lower() == ".webm" else "pcm_s16le", rate=int(sound[0]))
            aus.layout = "mono"
        for arr in arrays:
            for packet in vs.encode(av.VideoFrame.from_ndarray(arr, format="rgb24")):
                out.mux(packet)
        for packet in vs.encode():
            out.mux(packet)
        if aus is not None:
            rate, samples = int(sound[0]), np.asarray(sound[1], dtype=np.float32).reshape(1, -1)
            frame = av.AudioFrame.from_ndarray(samples, format="flt", layout="mono")
            frame.sample_rate = rate
            for packet in aus.encode(frame):
                out.mux(packet)
            for packet in aus.encode():
                out.mux(packet)
    return path


# ---------------------------------------------------------------- the model family


class FrameTrack(Modality):
    """Each sampled frame read by an image family (``options.frames``; the same weights and label map), the
    label probabilities averaged over the frames with a face. Frames where the frame family finds no face are not
    read (``face_mask`` 0); a family without a face finder reads every frame whole."""

    name = "video"
    attr_key = "frames"

    def load(self) -> None:
        from msa_demo.modalities.image import FAMILIES

        opts = video_options(self.spec)
        family = opts["frames"]
        if family not in FAMILIES:
            raise ModelLoadError(f"The video's frame family '{family}' is not an image family; use one of "
                                 f"{', '.join(sorted(FAMILIES))}.")
        rest = {k: v for k, v in self.spec.options.items() if k not in DEFAULTS}
        self.frame = FAMILIES[family](replace(self.spec, family=family, options=rest), self.device, self.dtype)
        self.differentiable = self.frame.differentiable
        self.id2label = dict(self.frame.id2label)
        self.options = opts
        self.finds_faces = finds_faces(opts)
        for k, v in vars(self.frame).items():  # the frame model's networks, seen as this model's (sanity check)
            if isinstance(v, torch.nn.Module):
                setattr(self, k, v)

    def track(self, frames: list[Image.Image], search: list[Image.Image | None] | None = None
              ) -> list[tuple[int, int, int, int] | None] | None:
        """Each frame's face box (None where none is found); None when this family reads frames whole
        (:meth:`track_faces`'s boxes)."""
        got = self.track_faces(frames, search)
        return None if got is None else got[0]

    def track_faces(self, frames: list[Image.Image], search: list[Image.Image | None] | None = None
                    ) -> tuple[list[tuple[int, int, int, int] | None], list[int]] | None:
        """(each frame's box of the face read, None where none is found; each frame's number of faces found), or
        None when this family reads frames whole. In a frame of several faces the one a still picture's would be
        read is (``lite.face.find_faces``: the largest, of faces about as large the leftmost): a clip of a smiling
        face at the left and a frowning one at the right read the frown, silently. A frame's face is looked for in
        its larger copy where it has one (``search``: :attr:`VideoInput.search`, a still picture's size; a 4K clip's
        face shrunk to 57 px in a 640-px frame was missed, found in the picture), the box brought back to the
        frame's pixels. A frame's faces are kept by its pixels (``BOXES``): the page reads a clip as it is uploaded
        and again at the click, and the search was most of either (a 30 s clip's 60 frames: 9 of its 10 s on a busy
        2-core machine)."""
        if not self.finds_faces:
            return None
        from msa_demo.lite.face import find_faces

        looked = [(c if c is not None else img) for img, c in
                  zip(frames, search if search is not None else [None] * len(frames))]
        keys = [hashlib.sha1(c.tobytes(), usedforsecurity=False).hexdigest() + f"{c.size}{img.size}"
                for img, c in zip(frames, looked)]
        found = BOXES.found(self, keys)
        for k, img, c in zip(keys, frames, looked):
            if k not in found:  # (a still stretch of the clip: its frame searched once)
                faces = find_faces(img, c if c is not img else None)
                found[k] = (faces.box, faces.count)
        BOXES.keep(self, found, limit=BOXES_KEPT)
        return [found[k][0] for k in keys], [found[k][1] for k in keys]

    def pixels(self, img: Image.Image, box) -> torch.Tensor:
        """One frame as the frame family's model input [1, C, H, W]: the face crop (or the whole frame)."""
        if self.options["frames"] == "mini-xception-face":
            from msa_demo.lite.face import face_tensor

            return face_tensor(img, box).to(self.device, self.dtype)
        return self.frame._processed(img.crop(box) if box is not None else img)

    def prepare(self, value: VideoInput) -> Prepared:
        if not isinstance(value, VideoInput):
            raise InputError("The video must be a clip.")
        counts = value.face_counts
        if value.faces is not None:
            faces = value.faces
        else:
            faces, counts = self.track_faces(value.frames, value.search) or (None, None)
        boxes = faces if faces is not None else [None] * len(value.frames)
        x = torch.cat([self.pixels(img, box) for img, box in zip(value.frames, boxes)]).unsqueeze(0)
        read = [faces is None or b is not None for b in boxes]
        full = [tuple(int(v) for v in (b if b is not None else (0, 0, *img.size)))
                for img, b in zip(value.frames, boxes)]
        return Prepared(
            inputs={"frames": x, "face_mask": torch.tensor([read], dtype=torch.float32, device=self.device)},
            info={"times": list(value.times), "boxes": full, "read": read, "fps": value.fps,
                  "seconds": value.seconds, "frame_sizes": [list(img.size) for img in value.frames],
                  "face_found": any(read), "faces": int(sum(read)), "frame_count": len(read),
                  "segment_seconds": float(self.options["segment_seconds"]),
                  # frames in which more than one face was found (the largest read in each), and the most in one
                  "frames_with_several_faces": sum(n > 1 for n in counts) if counts else None,
                  "most_faces_in_a_frame": max(counts) if counts else None},
            notices=[],
        )

    reuse_frames = True  # False: every frame of every row is read (the reference a test compares with)
    frame_cache = 4096  # frames' readings kept (a face model's 7 logits; a CLIP's and their features)

    def forget(self) -> None:
        """Drop the frames' readings and face boxes kept for this model (``model.forget``: a benchmark of first
        readings; a clip read again otherwise reads none of its frames nor searches them for faces again)."""
        FRAMES.forget(self)
        BOXES.forget(self)

    def _frames_read(self, flat: torch.Tensor, want_features: bool):
        """The frame model's (logits [N, L], features [N, D] or None) of frames ``flat`` [N, ...]. Without
        gradients, each distinct frame is read once and a frame read before (the same pixels) comes from a cache:
        a clip read again (another target, the moments' presence rows, the key frame's other frames) reads none
        of its frames again (30 s of frames: 77 rows had taken 15.6 s, each re-reading all 60 frames)."""
        if torch.is_grad_enabled() or not self.reuse_frames:
            return self.frame._run({self.frame.attr_key: flat}, want_features)
        data = flat.detach().contiguous().cpu()
        keys = [(hashlib.blake2b(r.numpy().tobytes(), digest_size=16).digest(), str(r.dtype), tuple(r.shape),
                 bool(want_features)) for r in data]
        got = FRAMES.found(self, keys)
        todo = list(dict.fromkeys(k for k in keys if k not in got))
        if todo:
            first = {k: i for i, k in reversed(list(enumerate(keys)))}
            rows = torch.tensor([first[k] for k in todo], device=flat.device)
            logits, feats = self.frame._run({self.frame.attr_key: flat[rows]}, want_features)
            new = {k: (logits[i], None if feats is None else feats[i]) for i, k in enumerate(todo)}
            got.update(new)
            FRAMES.keep(self, new, self.frame_cache)
        logits = torch.stack([got[k][0] for k in keys])
        feats = torch.stack([got[k][1] for k in keys]) if want_features and got[keys[0]][1] is not None else None
        return logits, feats

    @torch.no_grad()
    def frame_probs(self, x: torch.Tensor) -> torch.Tensor:
        """Each frame's label probabilities [B, T, L] from frames [B, T, ...] (a frame read before: from the cache)."""
        b, t = x.shape[:2]
        logits, _ = self._frames_read(x.reshape(b * t, *x.shape[2:]), False)
        return torch.softmax(logits.float(), dim=-1).reshape(b, t, -1)

    def _run(self, inputs, want_features):
        x = inputs["frames"]
        b, t = x.shape[:2]
        logits, feats = self._frames_read(x.reshape(b * t, *x.shape[2:]), want_features)
        probs = torch.softmax(logits.float(), dim=-1).reshape(b, t, -1)
        mask = inputs["face_mask"].to(probs.device, torch.float32).reshape(-1, t).expand(b, t)
        count = mask.sum(1, keepdim=True)
        pooled = (probs * mask[..., None]).sum(1) / count.clamp_min(1e-6)
        pooled = torch.where(count > 0, pooled, torch.full_like(pooled, 1.0 / pooled.shape[-1]))
        out = None
        if want_features and feats is not None:
            f = feats.float().reshape(b, t, -1)
            out = (f * mask[..., None]).sum(1) / count.clamp_min(1e-6)
        return pooled.clamp_min(1e-12).log(), out


# Frames' readings per model copy (``FrameTrack._frames_read``)
FRAMES = ReadingCache()
# Frames' face boxes per model copy (``FrameTrack.track``): ten 30 s clips' frames at 2 fps
BOXES = ReadingCache()
BOXES_KEPT = 600

FAMILIES = {"video-frames": FrameTrack}

__all__ = ["FAMILIES", "FrameTrack", "VIDEO_SUFFIXES", "VideoInput", "finds_faces", "load_video", "video_options", "write_clip"]
