"""The video modality: the face over time. A clip in (``msa_demo.modalities.video``: PyAV decoding, frames
sampled at the video spec's ``fps`` over at most its ``max_seconds``, each read by the preset's image family);
moments and the key frame's regions are explained (``explain.moments``); the report shows a filmstrip of key
frames and a lane of each time segment's push. A clip's sound track is carried to the audio modality when no
audio clip is given, and, where the video entry asks (``words``: the Hub presets, whose voice model hears the tone
only), the words said in it to the text modality when no text is given; a clip in which no frame shows a face
abstains (its notice says so)."""

from __future__ import annotations

import base64
import functools
from dataclasses import dataclass
from typing import Any, Mapping

from msa_demo import views
from msa_demo.errors import InputError
from msa_demo.inputs import seconds_past
from msa_demo.explain.methods import METHODS
from msa_demo.explain.options import option
from msa_demo.i18n import joined, label, sep, t
from msa_demo.registry import ModalityKind, get, names
from msa_demo.views import esc as _e
from msa_demo.views.base import none_stands_out
from msa_demo.views.figures import (LINE_PX, TIME_LINE_TOOLS_LEFT_OUT, TOOLS_HIGH, extra_lines, subtitle,
                                    title_lines, under_the_tools)
from msa_demo.views.charts import svg_open

FILMSTRIP = 6  # key frames in the report's filmstrip
SOUND_TRACK = "Audio: the video's sound track (no audio clip was given)."
NO_SOUND = "Video: the clip has no sound, so no voice was heard in it."
UNSURE_WORDS = ("Video: speech recognition was unsure of the words it heard (music or noise?), so they were not "
                "read as the text.")
WORDS_HEARD = "Text: the words said in the video, as Whisper base speech recognition heard them (no text was given)."
# a clip in whose frames more than one face was found: that the face model read one in each, and which (a clip of a
# smiling face at the left and a frowning one at the right read the frown alone, silently)
SEVERAL_FACES = ("Video: more than one face was found in {k} of {n} frames (up to {most} in one); the face model "
                 "reads one face, so in each frame the largest was read (of faces about as large, the leftmost), not "
                 "the others.")
STRIP_SIDE = 120  # their long side, pixels
FRAMES_HIGH = 190  # the filmstrip's box: one row of thumbnails under its label (300 px left 170 px empty; "auto" more)
FRAMES_LABEL = "Frames: the face's push, relative to the strongest (★ the key frame); pick one to see it large"


@dataclass
class VideoOptions:
    """The clip's explanation settings (publicly ``video_methods``). A removed moment's frames count as an even vote
    in the clip's mean (``explain.moments``); the key frame's regions are removed as the image's regions are
    (``image_baseline``, ``regions``, ``grid``, ``superpixels``);
    how the clip is read (frames a second, seconds, the moments' length) is the preset's video entry's
    (``video_options``): it changes what the model reads, not only how it is explained."""

    methods: tuple = option(
        ("occlusion",), "which video moments maps run, one each, over time segments of the face track (each frame"
        " is read once, whichever runs); the key frame's regions always follow",
        label="video methods", choices=METHODS, min_count=1)


def _options(model) -> dict[str, Any]:
    from msa_demo.modalities.video import video_options

    return video_options(model.preset.modalities.get("video"))


def read(value: Any, model):
    """The clip's sampled frames; its faces found by the preset's frame family (no face in any frame: the video
    abstains); its sound track carried, read as the audio modality reads a clip."""
    from msa_demo.modalities.video import VideoInput, finds_faces, load_video

    if isinstance(value, VideoInput):  # decoded already, before the models loaded (``cli.read_before_loading``)
        clip = value
    else:
        opts = _options(model)
        clip = load_video(value, fps=float(opts["fps"]), max_seconds=float(opts["max_seconds"]),
                          max_side=int(opts["max_side"]), sound="audio" in names(),
                          sound_seconds=float(model.preset.max_audio_seconds),  # the voice as far as an audio clip's
                          # its faces looked for at a still picture's size (lite's face finder, hub-face's crops)
                          search_side=int(model.preset.max_image_side) if finds_faces(opts) else 0)
    if clip is None or not model.modalities:  # read before the models load: its frames and sound only, so that a
        return clip  # damaged clip is refused at once; its faces are found and its sound carried once they are there
    mod = model.modalities.get("video")
    if mod is not None:
        clip.faces, clip.face_counts = mod.track_faces(clip.frames, clip.search) or (None, None)
        clip.search = None  # (a 30 s 4K clip's: 35 MB)
        several = sum(n > 1 for n in clip.face_counts or [])
        if several:
            clip.notices.append(SEVERAL_FACES.format(k=several, n=len(clip.frames), most=max(clip.face_counts)))
        if clip.faces is not None:
            found, total = sum(b is not None for b in clip.faces), len(clip.faces)
            if not found:
                clip.notices.append(f"Video: no face was found in any of the {total} frames read, so the face "
                                    "track abstains.")
            elif found < total:
                clip.notices.append(f"Video: a face was found in {found} of {total} frames; only those were read.")
    if clip.sound is None and "audio" in model.modalities:
        clip.notices.append(NO_SOUND)  # a clip without a voice: said (MOSI-like rows read "used text, video" alone)
    if clip.sound is not None:
        try:
            audio = get("audio").read(clip.sound, model)
        except InputError as exc:
            clip.notices.append(f"Video: its sound track was not used ({exc})")
        else:
            if audio is not None:
                audio.notices.insert(0, SOUND_TRACK)
                limit = model.preset.max_audio_seconds
                if clip.original_seconds > audio.seconds + 0.05 and \
                        audio.seconds >= limit - 0.05:  # its sound cut at the audio's limit
                    audio.original_seconds = max(audio.original_seconds, clip.original_seconds)
                    # said as an audio clip's cut is (a 50 s clip's sound, cut at 30 s, read "Video: only the first
                    # 30 s of 50.0 s were used." alone: its voice after 30 s was not heard, and nothing said so)
                    told = seconds_past(audio.original_seconds, limit)
                    cut = f"Audio: only the first {limit:g} s of {told} s were used."
                    if told and cut not in audio.notices:
                        audio.notices.append(cut)
                clip.carries["audio"] = audio
        clip.carries["text"] = lambda: _words_heard(clip, model)  # heard only where no text is given
    return clip


def segment(path: str, start: float, end: float | None, folder, by_flags: bool = False) -> tuple[str, str]:
    """The clip's span ``start``-``end`` s as a clip of its own (``modalities.video.cut_clip``): a manifest row's,
    or (``by_flags``) a single clip's --start / --end."""
    from msa_demo.modalities.video import cut_clip

    return cut_clip(path, start, end, folder, by_flags)


def _words_heard(clip, model):
    """The words said in the clip, read as the text is read (None: the video entry does not ask for them, its
    ``words`` option; the preset has no text model, or its voice model reads the words already, as lite's does;
    nothing was said)."""
    audio = model.preset.modalities.get("audio")
    if not _options(model).get("words") or "text" not in model.modalities or (
            getattr(audio, "family", None) == "speech-transcript"):
        return None
    from msa_demo.errors import ModelLoadError
    from msa_demo.lite.speech import transcribe

    try:
        heard = transcribe(clip.sound[1], clip.sound[0])
    except ModelLoadError as exc:
        clip.notices.append(f"Video: the words said in it were not read ({exc})")
        return None
    if not heard.text.strip():
        return None
    if heard.unsure:
        clip.notices.append(UNSURE_WORDS)
        return None
    text = get("text").read(heard.text, model)
    if text is not None:
        text.notices.insert(0, WORDS_HEARD)
        text.said = tuple(w.to_dict() for w in heard.words)
    return text


def families() -> Mapping[str, type]:
    from msa_demo.modalities import video

    return video.FAMILIES


def explain(model, inputs, target: str, options, used) -> list:
    from msa_demo.explain.moments import attribute_moments

    return attribute_moments(model, inputs, target, options, use=used, methods=options.of("video").methods)


# Gradio 6.31's video box takes video files only: its page code checks an upload against "video/x-m4v,video/*"
# (``gr.Video`` has no parameter for the file types it takes), and an animated GIF (image/gif) is refused with
# Gradio's own "Invalid file type: anim.gif. Only video/x-m4v,video/* allowed.", which the page replaces by this
# (``app.GIF_REFUSED``): where a GIF can go
GIF_NOT_IN_BOX = ("'{name}' is a GIF, and the Video box takes video files only. Convert it to MP4 and drop that "
                  "here, or give the GIF to the command line (--video), the /explain_json endpoint or a dataset "
                  "folder, which read it whole as a clip; in the Image box only its first frame is read.")


def widget(**kwargs):
    """The dashboard's clip input: an upload or a webcam recording (WebM, decoded like any clip). It does not take
    a GIF (``GIF_NOT_IN_BOX``)."""
    import gradio as gr

    return gr.Video(sources=["upload", "webcam"], height=260, **kwargs)


def record(value) -> dict[str, Any]:
    """The clip's file (decoding it again gives the same frames): a long clip's only up to a little after the span
    read (``modalities.video.recorded``)."""
    from msa_demo.modalities.video import recorded

    if value is None or not getattr(value, "data", b""):
        return {"video_b64": None}
    return {"video_b64": base64.b64encode(recorded(value)).decode("ascii")}


def replay(record: Mapping[str, Any]) -> bytes | None:
    return base64.b64decode(record["video_b64"]) if record.get("video_b64") else None


# ---------------------------------------------------------------- the report and the panel


def _frames(exp: dict) -> tuple[list, list[float]] | None:
    """The explained clip's frames again (decoded from the explanation's record, as its model read them), once
    per clip and reading however many views and the report draw them (copies of the list; the frames are only
    read)."""
    b64 = (exp.get("inputs") or {}).get("video_b64")
    if not b64:
        return None
    opts = _options_of(exp)
    got = _decoded(b64, float(opts["fps"]), float(opts["max_seconds"]), int(opts["max_side"]))
    return None if got is None else (list(got[0]), list(got[1]))


def _options_of(exp: dict) -> dict[str, Any]:
    """The video spec's options the explained model read the clip with."""
    from msa_demo.modalities.video import video_options

    return video_options(type("Spec", (), {"options": ((exp.get("models") or {}).get("video") or {}).get("options")}))


@functools.lru_cache(maxsize=2)
def _decoded(b64: str, fps: float, max_seconds: float, max_side: int) -> tuple[tuple, tuple] | None:
    from msa_demo.modalities.video import load_video

    try:
        clip = load_video(base64.b64decode(b64), fps=fps, max_seconds=max_seconds, max_side=max_side, sound=False)
    except InputError:
        return None
    return tuple(clip.frames), tuple(clip.times)


def moments(exp: dict) -> list[dict]:
    return [m for m in views.maps_for(exp, "video") if m.get("method") != "key_frame_occlusion"]


def key_frame(exp: dict) -> dict | None:
    return next((m for m in views.maps_for(exp, "video") if m.get("method") == "key_frame_occlusion"), None)


WORD_PX = 6.5  # the width of a character of the report's lanes' 11 px font (at most)


def lane_svg(items: list[tuple], seconds: float, title: str, *, width: int = 760, height: int = 46,
             words: bool = False) -> str:
    """One lane of :func:`lanes`: each time segment as a band coloured by its push (relative to the strongest) on
    a time axis; ``words``: the words :func:`labelled_words` picks are written on their bands, the strongest first."""
    seconds = max(seconds, max((float(b) for _a, b, *_ in items), default=0.0), 1e-3)
    px = width / seconds
    bands = []
    for a, b, r, lbl, s in items:
        bands.append(f'<rect x="{a * px:.1f}" y="4" width="{max(0.5, (b - a) * px - 1):.1f}" height="{height - 8}" '
                     f'fill="{views.score_colour(r, 0.1 + 0.8 * abs(r))}"><title>{_e(lbl)}'
                     + ("" if words else f": {s:+.4f}") + "</title></rect>")
    for i, (x, anchor) in sorted((labelled_words(items, seconds, width, WORD_PX) if words else {}).items()):
        bands.append(f'<text x="{x * px:.1f}" y="{height / 2 + 4:.0f}" text-anchor="{anchor}">{_e(items[i][3])}</text>')
    bands = "".join(bands)
    step = max(1.0, round(seconds / 8))
    ticks = "".join(f'<text x="{t * px:.1f}" y="{height + 12}" text-anchor="{"start" if t == 0 else "middle"}">'
                    f'{t:g} s</text>' for t in [i * step for i in range(int(seconds / step) + 1)])
    return (svg_open(width, height + 16, title, 11) +
            f'<rect x="0" y="4" width="{width}" height="{height - 8}" fill="#f4f4f4"/>{bands}{ticks}</svg>')


def _strip_picks(times: list[float], exp: dict, count: int = FILMSTRIP) -> list[int]:
    """Frames for the filmstrip: the key frame, then evenly spread frames, in time order."""
    picks = {int(k)} if (k := (key_frame(exp) or {}).get("params", {}).get("frame")) is not None else set()
    n = len(times)
    spread = max(1, min(count, n) - len(picks))  # the others spread over the whole clip, its last frame too (they
    # were filled from the start and stopped when full: a 12 s clip's strip ended at 9 s, a 35 s one's at 23.5 s)
    for i in range(spread):
        picks.add(min(n - 1, round(i * (n - 1) / max(1, spread - 1))) if spread > 1 else n - 1)
    picks = {p for p in picks if 0 <= p < n}
    while len(picks) < min(count, n):  # the key frame was one of the spread ones (a 5 s clip showed 5 of 6): the
        # middle of the widest gap
        ordered = sorted(picks)
        a, b = max(zip(ordered, ordered[1:]), key=lambda ab: ab[1] - ab[0])
        picks.add((a + b) // 2)
    return sorted(picks)


FRAME_ALT = "Frame of the clip at {time} s"
KEY_FRAME_ALT = ("The most decisive frame ({time} s), {caption}: heat map over it, blue where it pushed toward "
                 "'{target}', orange where it pushed away; the deeper the colour, the stronger")


def report(exp: dict, lang: str = "en") -> str:
    """A filmstrip of a few downscaled frames, a lane per moments map, the key frame with its heat map."""
    from msa_demo.views import png_uri

    if not (exp.get("inputs") or {}).get("video_b64"):
        return ""
    out = [f"<h2>{t('Video', lang)}</h2>"]
    pred = exp.get("prediction") or {}
    reading = (exp.get("reading") or {}).get("video") or {}
    if "video" not in (pred.get("used") or []):
        why = t("no face in any frame: the face track abstained" if reading.get("face_found") is False else
                "switched off", lang)
        out.append(f"<p>{_e(t('Given but not used ({why}).', lang, why=why))}</p>")
    got = _frames(exp)
    if got is None:
        return "".join(out)
    frames, times = got
    figs = [f'<figure><img alt="{_e(t(FRAME_ALT, lang, time=format(times[i], ".1f")))}" '
            f'src="{png_uri(frames[i], STRIP_SIDE)}">'
            f"<figcaption>{times[i]:.1f} s</figcaption></figure>" for i in _strip_picks(times, exp)]
    out.append(f'<div class="imgs">{"".join(figs)}</div>')
    seconds = (times[-1] + 1.0 / max(1e-6, float((moments(exp) or [{}])[0].get("params", {}).get("fps") or 1)))
    firsts = {"face": moments(exp), "voice": views.maps_for(exp, "audio")}  # a caption for each map there is
    captions = {lane: views.map_caption(maps[0], lang) for lane, maps in firsts.items() if maps}
    captions["words"] = t("the words heard, each coloured by its stretch of voice", lang)
    got_lanes = lanes(exp)
    if got_lanes:
        out.append("<p>" + _e(t("The clip on one time axis: blue pushes toward '{target}', orange away.", lang,
                                target=label(exp.get("target"), lang))) + "</p>")
    for lane, items in got_lanes:  # one shared time axis: the face, the voice, the words
        out.append(f"<p><b>{_e(lane_name(lane, exp, lang, capital=True))}</b>{sep(lang, ': ')}{_e(captions[lane])}</p>")
        out.append(lane_svg(items, seconds, captions[lane], words=lane == "words"))
    kf = key_frame(exp)
    if kf and kf.get("heatmap") and 0 <= int(kf["params"]["frame"]) < len(frames):
        k = int(kf["params"]["frame"])
        ov = views.overlay(frames[k], views.shown_heatmap(kf))
        line = t("The most decisive frame ({time} s): where in it, {caption}.", lang,
                 time=f'{float(kf["params"]["time"]):.1f}', caption=views.map_caption(kf, lang))
        alt = t(KEY_FRAME_ALT, lang, time=f'{float(kf["params"]["time"]):.1f}', caption=views.map_caption(kf, lang),
                target=label(exp.get("target"), lang))
        out.append(f'<p>{_e(line)}</p><div class="imgs"><figure><img alt="{_e(alt)}" '
                   f'src="{png_uri(ov, 240)}"></figure></div>')
    return "".join(out)


# the voice lane's name where the voice is read only through its words (``views.words_only_voice``): its bands are
# the words lane's, coloured alike, and "voice" alone had read as a second witness of how it sounds
VOICE_WORDS = "voice (words only)"


def lane_name(lane: str, exp: dict, lang: str = "en", capital: bool = False) -> str:
    """A lane as the timeline names it, in ``lang`` ("face", "voice", "words"; the voice read only through its words
    is "voice (words only)"); ``capital``: as a heading ("Voice (words only)")."""
    if lane == "voice" and views.words_only_voice(exp):
        lane = VOICE_WORDS
    if capital:
        return t(lane[:1].upper() + lane[1:], lang)
    return lane if lang == "en" else t(lane[:1].upper() + lane[1:], lang)


def lanes(exp: dict) -> list[tuple[str, list[tuple[float, float, float, str, float]]]]:
    """The clip on one time axis: (lane, [(start s, end s, relative push -1..1, label, raw score)]) for the face
    (the first moments map), the voice (the first audio map, when the audio is the clip's own sound track) and
    the words heard (the transcript's timed words, or those of the words said that are the text on a Hub preset,
    each coloured by the voice segment it falls in)."""
    out = []
    own_sound = SOUND_TRACK in ((exp.get("prediction") or {}).get("notices") or [])  # not another clip's
    for lane, maps in (("face", moments(exp)), ("voice", views.maps_for(exp, "audio") if own_sound else [])):
        if maps:
            m = maps[0]
            scores = [float(x) for x in m.get("scores") or []]
            rel = views.relative(m)
            out.append((lane, [(float(a), float(b), r, str(lbl), sc) for (a, b), r, lbl, sc in
                               zip(m.get("spans") or [], rel, m.get("labels") or [], scores)]))
    reading = exp.get("reading") or {}
    # lite's voice model reads the words (its transcript); on a Hub preset they are the text, heard in the clip
    words = ((reading.get("audio") or {}).get("words") or [] if own_sound else []) or \
        (reading.get("text") or {}).get("said") or []
    voice = dict(out).get("voice") or []
    if words:
        def push(t: float) -> float:
            return next((r for a, b, r, _l, _s in voice if a <= t < b), 0.0)

        out.append(("words", [(float(w.get("start", 0)), float(w.get("end", 0)),
                               push((float(w.get("start", 0)) + float(w.get("end", 0))) / 2), str(w.get("text", "")),
                               0.0) for w in words]))
    return out


PLOT_PX = 300  # the width the page's timeline lanes are assumed to get: a phone's (a desktop gives them 800)
PAGE_WORD_PX = 7.5  # a label's width per character at the page's 13 px (the report's 11 px: ``WORD_PX``)


def labelled_words(items: list, seconds: float, plot_px: float = PLOT_PX, char_px: float = PAGE_WORD_PX
                   ) -> dict[int, tuple[float, str]]:
    """Which words of the words lane carry their label, and where: {index: (x in seconds, anchor "middle" or
    "start")}. The strongest first (by their push), each one whose label, centred on its word (kept between the
    clip's start and end), would not run into a label already chosen, on a lane ``plot_px`` wide
    for ``seconds``; where centred it would, it is moved aside while it still covers its word's middle. A label
    that fitted its band only had been written: "on", "and", "Still," were, and the
    decisive "terrible," and "disaster." (longer than their half-second) were left to their hover text; the
    report wrote the first words that fitted, left to right ("I, It, and, The"), "love" and "perfectly" not."""
    per_second = plot_px / max(seconds, 1e-6)
    taken: list[tuple[float, float]] = []
    chosen: dict[int, tuple[float, str]] = {}
    for i in sorted(range(len(items)), key=lambda i: (-abs(items[i][2]), items[i][0])):
        a, b, _r, lbl, _s = items[i]
        if not lbl.strip():
            continue
        span = (len(lbl) * char_px + 6) / per_second
        mid = (a + b) / 2
        # centred on its word, else moved aside as far as it still covers the word's middle (a label that ran
        # 0.05 s into the one before it was left out)
        for lo in (mid - span / 2, mid - 0.1 * span, mid - 0.9 * span):
            lo = min(max(lo, 0.0), max(seconds - span, 0.0))  # not over the lane's name, not past the clip
            if all(lo + span <= t_lo or lo >= t_hi for t_lo, t_hi in taken):
                taken.append((lo, lo + span))
                chosen[i] = (mid, "middle") if abs(lo - (mid - span / 2)) < 1e-9 else (lo, "start")
                break
    return chosen


def timeline(exp: dict, lang: str = "en"):
    """The face, the voice and the words on one shared time axis (plotly: a lane each, bands coloured by their
    push toward the target), the key frame marked; None without a moments map (its words in ``lang``)."""
    import plotly.graph_objects as go

    got = lanes(exp)
    if not dict(got).get("face"):
        return None
    fig = go.Figure()
    named = {lane: lane_name(lane, exp, lang) for lane, _ in got}
    names_ = list(named.values())
    seconds = max((b for _lane, items in got for _a, b, *_ in items), default=1.0)
    for lane, items in got:
        written = labelled_words(items, seconds) if lane == "words" else {}
        fig.add_trace(go.Bar(
            y=[named[lane]] * len(items), x=[max(1e-3, b - a) for a, b, *_ in items], base=[a for a, *_ in items],
            orientation="h", marker={"color": [views.score_colour(r, 0.15 + 0.8 * abs(r)) for _a, _b, r, *_ in items],
                                     "line": {"color": "#fff", "width": 1}},
            name=named[lane],
            hovertext=[f"{named[lane]} {a:.1f}–{b:.1f} s · {lbl}" + (f": {sc:+.3g}" if lane != "words" else "")
                       for a, b, _r, lbl, sc in items], hoverinfo="text"))
        for i, (x, anchor) in sorted(written.items()):  # over its band, whole: a bar's own text is cut at the
            # band's edge ("erribl")
            fig.add_annotation(x=x, y=named[lane], text=views.esc(items[i][3]), showarrow=False,
                               xanchor={"middle": "center", "start": "left", "end": "right"}[anchor],
                               font={"size": 13, "color": "#111", "shadow": "1px 1px 2px #fff, -1px -1px 2px #fff"})
    kf = key_frame(exp)
    if kf and kf.get("params", {}).get("time") is not None:
        at = float(kf["params"]["time"])
        fig.add_vline(x=at, line={"color": "#333", "dash": "dot", "width": 1})
        fig.add_annotation(x=at, y=1.0, yref="paper", yanchor="bottom", showarrow=False, font={"size": 11},
                           text=t("key frame {time} s", lang, time=f"{at:.1f}"))  # above the lanes, not on the face
    title = title_lines(t("The clip on one time axis", lang), lang) + subtitle(t(
        "blue pushes toward '{target}', orange away; each lane relative to its strongest", lang,
        target=label(exp.get("target", ""), lang)), lang)
    more = LINE_PX * extra_lines(title)
    height = 174 + 46 * len(names_) + more
    fig.update_layout(
        title={"text": title, "font": {"size": 14}, **under_the_tools(height)},
        barmode="overlay", showlegend=False, height=height, bargap=0.25,
        margin={"l": 60, "r": 20, "t": 60 + TOOLS_HIGH + more, "b": 40}, modebar={"remove": TIME_LINE_TOOLS_LEFT_OUT},
        xaxis={"title": {"text": t("seconds", lang)}, "rangemode": "tozero"},
        yaxis={"categoryorder": "array", "categoryarray": list(reversed(names_))})
    return fig


def filmstrip(exp: dict, lang: str = "en") -> list[tuple]:
    """The filmstrip: a few frames in time order, each captioned with its moment's push; the key frame with its
    heat map. Picking one in the gallery shows it large."""
    got = _frames(exp)
    if got is None:
        return []
    frames, times = got
    face = dict(lanes(exp)).get("face") or []
    kf = key_frame(exp)
    k = int(kf["params"]["frame"]) if kf and kf.get("heatmap") else None
    out = []
    for i in _strip_picks(times, exp):
        at = times[i]
        push = next(((r, lbl) for a, b, r, lbl, _s in face if a <= at < b), None)
        # short enough for a thumbnail (it was cut at "0.0 s · face -0.…"): what the number is, the gallery's label says
        caption = f"{at:.1f} s" + (f" · {push[0]:+.2f}" if push else "")
        image = frames[i]
        if i == k:
            image, caption = views.overlay(frames[i], views.shown_heatmap(kf)), caption + " ★"
        out.append((image, caption))
    return out


TIED = 0.05  # moments whose push is within 5 % of the strongest are as strong (one span in the story)
# a span this share of the clip or more is the whole clip (a last half-second moment, weaker for being shorter, had
# left "the face pushed hardest toward positive at 0–6 s" of a 6.5 s clip): no moment is named
WHOLE = 0.9
TIED_TOLD = 3  # as-strong spans apart from each other named in the story, then "and N more"


def story(exp: dict, lang: str = "en") -> str | None:
    """One clause for the summary: when the face mattered most, and what was being said then (in ``lang``). A
    moment, and its words, only where it stands out (``views.none_stands_out``, the contributions chart's rule):
    among frowns that all scored 0.0066–0.0107, "hardest at 26–27 s, when 'not recommend these' was said" named
    one that beat the 13–14 s one by 0.0007. Then the span that pushes the same way, without words; nothing where
    that is one moment."""
    got = dict(lanes(exp))
    face = got.get("face") or []
    if not face or not exp.get("target"):
        return None
    face = sorted(face, key=lambda item: item[0])
    top = max(range(len(face)), key=lambda i: abs(face[i][4]))
    raw = face[top][4]
    if raw == 0:
        return None
    way, target = t("toward" if raw > 0 else "away from", lang), label(exp["target"], lang)
    if none_stands_out(item[4] for item in face):
        lo, hi = _span(face, top, lambda x: x * raw > 0)
        return t("the face pushed {way} {target} over {a}–{b} s, no moment more than another", lang, way=way,
                 target=target, a=seconds(face[lo][0]), b=seconds(face[hi][1])) if hi > lo else None
    # the moments beside it that push as hard (within TIED of it, the same way) make one span: a face that holds one
    # expression for 6 s pushed from 0 to 6 s, not hardest in the one second that came first
    as_hard = lambda x: x * raw > 0 and abs(x) >= (1 - TIED) * abs(raw)  # noqa: E731
    lo, hi = _span(face, top, as_hard)
    a, b = face[lo][0], face[hi][1]
    if b - a >= WHOLE * (face[-1][1] - face[0][0]) and len(face) > 1:  # no moment: "hardest at 0–6 s" of 6.5 s
        return t("the face pushed {way} {target} all through the clip", lang, way=way, target=target)
    # as hard elsewhere, apart from it: each such span is named, in time order, and no words (which moment's?); a
    # frown at 1-2 s and again at 7-8 s had been told as the first alone, "when 'I am fine' was said"
    spans, i = [], 0
    while i < len(face):
        if as_hard(face[i][4]):
            j = _span(face, i, as_hard)[1]
            spans.append((face[i][0], face[j][1]))
            i = j + 1
        else:
            i += 1
    if len(spans) > 1:
        told = joined([t("{a}–{b} s", lang, a=seconds(x), b=seconds(y)) for x, y in spans[:TIED_TOLD]]
                      + ([t("{n} more moments", lang, n=len(spans) - TIED_TOLD)] if len(spans) > TIED_TOLD else []),
                      lang)
        return t("the face pushed hardest {way} {target} at {spans}, as hard each time", lang, way=way,
                 target=target, spans=told)
    said = [lbl for s, e, _r, lbl, _x in got.get("words") or [] if s < b and e > a]
    when = t(", when '{said}' was said", lang, said=" ".join(said[:4])) if said and lo == hi else ""
    return t("the face pushed hardest {way} {target} at {a}–{b} s{when}", lang, way=way, target=target,
             a=seconds(a), b=seconds(b), when=when)


def _span(face: list, top: int, keeps) -> tuple[int, int]:
    """The first and last of the moments around ``top`` whose raw score ``keeps`` holds for, unbroken: the span a
    push is told over, not one moment of it."""
    lo = hi = top
    while lo > 0 and keeps(face[lo - 1][4]):
        lo -= 1
    while hi < len(face) - 1 and keeps(face[hi + 1][4]):
        hi += 1
    return lo, hi


def seconds(x: float) -> str:
    """A moment's edge in seconds as the summary says it: whole seconds as such ("2"), others to a tenth ("3.6"; a
    3.56 s clip's last moment read "0–4 s", a half-second one "2–2 s")."""
    return f"{x:.0f}" if abs(x - round(x)) < 0.05 else f"{x:.1f}"


def view() -> dict:
    import gradio as gr

    from msa_demo.ui.i18n import tr

    return {"timeline": gr.Plot(label=tr("the clip on one time axis"), show_label=False, elem_id="video-plot",
                                visible=False),
            "frames": gr.Gallery(label=tr(FRAMES_LABEL), elem_id="video-frames", columns=6, height=FRAMES_HIGH,
                                 object_fit="contain", interactive=False, visible=False)}


def render(exp: dict, lang: str = "en") -> dict:
    """The timeline and the filmstrip, each shown only with something to show: no empty boxes when no clip was
    given (their words in ``lang``)."""
    import gradio as gr

    figure, frames = timeline(exp, lang), filmstrip(exp, lang) if moments(exp) else []
    return {"timeline": gr.update(value=figure, visible=figure is not None),
            "frames": gr.update(value=frames or None, visible=bool(frames))}


KIND = ModalityKind(
    name="video", noun="the video",
    read=read, families=families, explain=explain, panel="video moments", record=record,
    replay=replay, report=report, cli_help="a clip (MP4, WebM, MOV, MKV, AVI, an animated GIF): the face over time",
    cli_metavar="PATH", manifest_file=True, label="Video (a face over time; its sound feeds the audio)",
    widget=widget, view=view, render=render, story=story, options=VideoOptions, carries=("audio", "text"),
    segment=segment,
)
