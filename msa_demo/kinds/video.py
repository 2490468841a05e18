"""The video modality: the face over time. A clip in (``msa_demo.modalities.video``: PyAV decoding, frames
sampled at the video spec's ``fps`` over at most its ``max_seconds``, each read by the preset's image family);
moments and the key frame's regions are explained (``explain.moments``); the report shows a filmstrip of key
frames and a lane of each time segment's push. A clip's sound track is carried to the audio modality when no
audio clip is given; a clip in which no frame shows a face abstains (its notice says so)."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any, Mapping

from msa_demo import views
from msa_demo.errors import InputError
from msa_demo.explain.methods import METHODS
from msa_demo.explain.options import option
from msa_demo.registry import ModalityKind, get, names
from msa_demo.views import esc as _e

FILMSTRIP = 6  # key frames in the report's filmstrip
STRIP_SIDE = 120  # their long side, pixels


@dataclass
class VideoOptions:
    """The clip's explanation settings (publicly ``video_methods``). Its moments are removed frame by frame as the
    image's regions are (``image_baseline``; the key frame's regions: ``regions``, ``grid``, ``superpixels``);
    how the clip is read (frames a second, seconds, the moments' length) is the preset's video entry's
    (``video_options``): it changes what the model reads, not only how it is explained."""

    methods: tuple = option(
        ("occlusion",), "which video moments maps run, one each, over time segments of the face track (integrated"
        " gradients back-propagates through every frame: costly); the key frame's regions always follow",
        label="video methods", choices=METHODS, min_count=1)


def _options(model) -> dict[str, Any]:
    from msa_demo.modalities.video import video_options

    return video_options(model.preset.modalities.get("video"))


def read(value: Any, model):
    """The clip's sampled frames; its faces found by the preset's frame family (no face in any frame: the video
    abstains); its sound track carried, read as the audio modality reads a clip."""
    from msa_demo.modalities.video import load_video

    opts = _options(model)
    clip = load_video(value, fps=float(opts["fps"]), max_seconds=float(opts["max_seconds"]),
                      max_side=int(opts["max_side"]), sound="audio" in names())
    if clip is None:
        return None
    mod = model.modalities.get("video")
    if mod is not None:
        clip.faces = mod.track(clip.frames)
        if clip.faces is not None:
            found, total = sum(b is not None for b in clip.faces), len(clip.faces)
            if not found:
                clip.notices.append(f"Video: no face was found in any of the {total} frames read, so the face "
                                    "track abstains.")
            elif found < total:
                clip.notices.append(f"Video: a face was found in {found} of {total} frames; only those were read.")
    if clip.sound is not None:
        try:
            audio = get("audio").read(clip.sound, model)
        except InputError as exc:
            clip.notices.append(f"Video: its sound track was not used ({exc})")
        else:
            if audio is not None:
                audio.notices.insert(0, "Audio: the video's sound track (no audio clip was given).")
                clip.carries["audio"] = audio
    return clip


def families() -> Mapping[str, type]:
    from msa_demo.modalities import video

    return video.FAMILIES


def explain(model, inputs, target: str, options, used) -> list:
    from msa_demo.explain.moments import attribute_moments

    return attribute_moments(model, inputs, target, options, use=used, methods=options.of("video").methods)


def widget(**kwargs):
    """The dashboard's clip input: an upload."""
    import gradio as gr

    return gr.Video(sources=["upload"], height=260, **kwargs)


def record(value) -> dict[str, Any]:
    """The clip as given (its file's bytes: decoding them again gives the same frames)."""
    if value is None or not getattr(value, "data", b""):
        return {"video_b64": None}
    return {"video_b64": base64.b64encode(value.data).decode("ascii")}


def replay(record: Mapping[str, Any]) -> bytes | None:
    return base64.b64decode(record["video_b64"]) if record.get("video_b64") else None


# ---------------------------------------------------------------- the report and the panel


def _frames(exp: dict) -> tuple[list, list[float]] | None:
    """The explained clip's frames again (decoded from the explanation's record, as its model read them)."""
    from msa_demo.modalities.video import load_video, video_options

    data = replay(exp.get("inputs") or {})
    if not data:
        return None
    opts = video_options(type("Spec", (), {"options": ((exp.get("models") or {}).get("video") or {}).get("options")}))
    try:
        clip = load_video(data, fps=float(opts["fps"]), max_seconds=float(opts["max_seconds"]),
                          max_side=int(opts["max_side"]), sound=False)
    except InputError:
        return None
    return clip.frames, clip.times


def moments(exp: dict) -> list[dict]:
    return [m for m in views.maps_for(exp, "video") if m.get("method") != "key_frame_occlusion"]


def key_frame(exp: dict) -> dict | None:
    return next((m for m in views.maps_for(exp, "video") if m.get("method") == "key_frame_occlusion"), None)


def lane_svg(m: dict, seconds: float, *, width: int = 760, height: int = 46) -> str:
    """One lane: each time segment as a band coloured by its push (relative to the strongest), on a time axis."""
    rel = views.rel_scores([float(s) for s in m.get("scores") or []])
    seconds = max(seconds, max((float(b) for _a, b in m.get("spans") or []), default=0.0), 1e-3)
    px = width / seconds
    bands = "".join(
        f'<rect x="{float(a) * px:.1f}" y="4" width="{max(0.5, (float(b) - float(a)) * px - 1):.1f}" '
        f'height="{height - 8}" fill="{views.score_colour(r, 0.1 + 0.8 * abs(r))}"><title>{_e(lbl)}: '
        f'{float(s):+.4f}</title></rect>'
        for (a, b), r, lbl, s in zip(m.get("spans") or [], rel, m.get("labels") or [], m.get("scores") or []))
    step = max(1.0, round(seconds / 8))
    ticks = "".join(f'<text x="{t * px:.1f}" y="{height + 12}" text-anchor="{"start" if t == 0 else "middle"}">'
                    f'{t:g} s</text>' for t in [i * step for i in range(int(seconds / step) + 1)])
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height + 16}" role="img" '
            f'aria-label="{_e(views.map_caption(m))}" style="font:11px system-ui,sans-serif">'
            f'<rect x="0" y="4" width="{width}" height="{height - 8}" fill="#f4f4f4"/>{bands}{ticks}</svg>')


def _strip_picks(times: list[float], exp: dict, count: int = FILMSTRIP) -> list[int]:
    """Frames for the filmstrip: the key frame, then evenly spread frames, in time order."""
    picks = {int(k)} if (k := (key_frame(exp) or {}).get("params", {}).get("frame")) is not None else set()
    n = len(times)
    for i in range(count):
        if len(picks) >= min(count, n):
            break
        picks.add(min(n - 1, round(i * (n - 1) / max(1, count - 1))))
    return sorted(p for p in picks if 0 <= p < n)


def report(exp: dict) -> str:
    """A filmstrip of a few downscaled frames, a lane per moments map, the key frame with its heat map."""
    from msa_demo.views import png_uri

    if not (exp.get("inputs") or {}).get("video_b64"):
        return ""
    out = ["<h2>Video</h2>"]
    pred = exp.get("prediction") or {}
    reading = (exp.get("reading") or {}).get("video") or {}
    if "video" not in (pred.get("used") or []):
        why = "no face in any frame: the face track abstained" if reading.get("face_found") is False else \
            "switched off"
        out.append(f"<p>Given but not used ({_e(why)}).</p>")
    got = _frames(exp)
    if got is None:
        return "".join(out)
    frames, times = got
    figs = [f'<figure><img alt="frame at {times[i]:.1f} s" src="{png_uri(frames[i], STRIP_SIDE)}">'
            f"<figcaption>{times[i]:.1f} s</figcaption></figure>" for i in _strip_picks(times, exp)]
    out.append(f'<div class="imgs">{"".join(figs)}</div>')
    seconds = (times[-1] + 1.0 / max(1e-6, float((moments(exp) or [{}])[0].get("params", {}).get("fps") or 1)))
    for m in moments(exp):
        out.append(f"<p>{_e(views.map_caption(m))}; green pushes toward '{_e(exp.get('target'))}', red away.</p>")
        out.append(lane_svg(m, seconds))
    kf = key_frame(exp)
    if kf and kf.get("heatmap") and 0 <= int(kf["params"]["frame"]) < len(frames):
        k = int(kf["params"]["frame"])
        ov = views.overlay(frames[k], kf["heatmap"])
        out.append(f'<p>The most decisive frame ({float(kf["params"]["time"]):.1f} s): where in it, '
                   f'{_e(views.map_caption(kf))}.</p><div class="imgs"><figure><img alt="key frame heat map" '
                   f'src="{png_uri(ov, 240)}"></figure></div>')
    return "".join(out)


def view() -> tuple:
    import gradio as gr

    return (gr.Plot(label="video moments", show_label=False, elem_id="video-plot", visible=False),
            gr.Image(label="the most decisive frame", type="pil", height=240, elem_id="video-key-frame",
                     visible=False))


def pictures(exp: dict) -> tuple:
    """The moments as bars (one row per method) and the key frame with its heat map (None where there is none)."""
    only = {**exp, "maps": moments(exp)} if exp else exp
    figure = views.map_figure(only, "video") if exp and moments(exp) else None
    kf = key_frame(exp) if exp else None
    image = None
    if kf and kf.get("heatmap"):
        got = _frames(exp)
        k = int(kf["params"]["frame"])
        if got is not None and 0 <= k < len(got[0]):
            image = views.overlay(got[0][k], kf["heatmap"])
    return figure, image


def render(exp: dict) -> tuple:
    """The video panel's two components (:func:`pictures`), each shown only with something to show: no empty
    boxes when no clip was given."""
    import gradio as gr

    figure, image = pictures(exp)
    return gr.Plot(value=figure, visible=figure is not None), gr.Image(value=image, visible=image is not None)


KIND = ModalityKind(
    name="video", read=read, families=families, explain=explain, panel="video moments", record=record,
    replay=replay, report=report, cli_help="a clip (MP4, WebM, MOV, MKV, AVI): the face over time",
    cli_metavar="PATH", manifest_file=True, label="Video (a face over time; its sound feeds the audio)",
    widget=widget, view=view, render=render, options=VideoOptions,
)
