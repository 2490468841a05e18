"""Everything the dashboard (``app.py``) calls: loading presets, event handlers and view builders.

View builders take plain dicts shaped like ``Explanation.to_dict()`` (see ``msa_demo/explain/result.py``)
and return what a Gradio component shows: plotly figures, ``(word, category)`` lists, PIL overlays,
markdown. They are also used by :mod:`msa_demo.report`, and are unit-tested without a browser.
"""

from __future__ import annotations

import base64
import hashlib
import html
import io
import json
import logging
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator

import numpy as np
from PIL import Image

from msa_demo.config import MODALITIES, SENTIMENTS
from msa_demo.errors import MsaError

log = logging.getLogger("msa_demo.ui")

GREEN, LIGHT_GREEN, LIGHT_RED, RED = "#1a9850", "#a6d96a", "#fdae61", "#d73027"
# HighlightedText categories: green pushes toward the explained class, red pushes away from it.
WORD_LEGEND = {
    "▲▲ strongly for": GREEN,
    "▲ for": LIGHT_GREEN,
    "▼ against": LIGHT_RED,
    "▼▼ strongly against": RED,
}
IMAGE_METHODS = {"both": ("integrated_gradients", "occlusion"), "integrated_gradients": ("integrated_gradients",),
                 "occlusion": ("occlusion",)}
AUDIO_METHODS = {"occlusion": ("occlusion",), "both": ("occlusion", "integrated_gradients")}
TARGET_PREDICTED = "predicted class"
NO_INPUT = "Give at least one input: type some text, add a picture, or upload/record an audio clip."
ALL_OFF = "Every input you gave is switched off. Tick at least one 'use' box to get a prediction."


def _gr():
    import gradio as gr

    return gr


def user_error(message: str) -> Exception:
    """A gr.Error carrying a message written for a person (no traceback in the UI or the API)."""
    return _gr().Error(message)


# ====================================================================== input components


def _lenient(component):
    """Make an input component's pre-processing never fail with a traceback: a file it cannot decode is
    handed on by path, so msa_demo's own reader gives the one clear message every path gives. (Patched on
    the instance: a subclass would make Gradio write a .pyi stub next to this module.)"""
    original = component.preprocess
    kind = type(component).__name__.lower()

    def preprocess(payload):
        try:
            return original(payload)
        except _gr().Error:
            raise
        except Exception:  # noqa: BLE001
            path = getattr(payload, "path", None)
            if path:
                return path
            raise user_error(f"This {kind} could not be read. Try another file.") from None

    component.preprocess = preprocess
    return component


def image_input(**kwargs):
    return _lenient(_gr().Image(**kwargs))


def audio_input(**kwargs):
    return _lenient(_gr().Audio(**kwargs))


# ====================================================================== loading presets


@dataclass
class Dashboard:
    """The loaded presets (each loaded and warmed once) and the app's event handlers."""

    models: dict[str, Any] = field(default_factory=dict)
    failures: dict[str, str] = field(default_factory=dict)
    notices: list[str] = field(default_factory=list)
    default: str | None = None
    report_dir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="msa_reports_")))

    # ------------------------------------------------------------------ start-up

    @classmethod
    def load(cls, primary: str, also: Iterable[str] = (), fallback: str | None = "lite",
             device: str | None = None, warm: bool = True) -> "Dashboard":
        """Load ``primary``; on failure fall back to ``fallback`` with a notice. ``also`` adds more to pick from."""
        from msa_demo.model import MultimodalSentimentModel

        dash = cls()
        wanted = [str(primary)] + [str(a) for a in also if str(a) != str(primary)]
        for name in wanted:
            dash._try_load(MultimodalSentimentModel, name, device, warm)
        if str(primary) not in dash.models and fallback and fallback not in dash.models:
            dash._try_load(MultimodalSentimentModel, fallback, device, warm)
        if str(primary) in dash.models:
            dash.default = str(primary)
        elif dash.models:
            dash.default = next(iter(dash.models))
            dash.notices.append(
                f"The '{primary}' preset could not be loaded ({dash.failures.get(str(primary), 'unknown reason')}); "
                f"using '{dash.default}' instead."
            )
        return dash

    def _try_load(self, cls, name: str, device, warm: bool) -> None:
        try:
            model = cls.from_preset(name, device=device)
            if warm:
                warm_up(model)
            key = model.preset.name if name in ("hub", "lite") else name
            self.models[key] = model
            # a modality served by a stand-in (or switched off) is said once, here and on the terminal
            self.notices.extend(n if not self.models.keys() - {key} else f"{key}: {n}" for n in model.notices)
        except MsaError as exc:
            self.failures[name] = _one_line(str(exc))
        except Exception as exc:  # noqa: BLE001 - a broken preset must not stop the others loading
            log.exception("preset %s failed to load", name)
            self.failures[name] = _one_line(f"{type(exc).__name__}: {exc}")

    @property
    def preset_names(self) -> list[str]:
        return list(self.models)

    def model(self, preset: str | None):
        if not self.models:
            raise user_error("No model could be loaded, so nothing can be predicted. " + self.failure_text())
        if preset in (None, ""):
            preset = self.default
        if preset not in self.models:
            raise user_error(f"The preset '{preset}' is not loaded. Pick one of: {', '.join(self.models)}.")
        return self.models[preset]

    def failure_text(self) -> str:
        return " ".join(f"{n}: {r}" for n, r in self.failures.items())

    def header_markdown(self) -> str:
        lines = []
        if self.models:
            m = self.models[self.default]
            desc = m.describe()
            lines.append(f"**Preset:** {_md(desc['preset'])} · **Device:** {_md(desc['device'])} "
                         f"({_md(desc['dtype'])})")
        for n in self.notices:
            lines.append(f"**Notice:** {_md(n)}")
        if self.failures:
            lines.append("**Presets that did not load:** " + "; ".join(
                f"{_md(n)} — {_md(r)}" for n, r in self.failures.items()))
        if not self.models:
            lines.append("**No preset could be loaded; the app cannot predict.**")
        return "\n\n".join(lines)

    def device_of(self, preset: str | None) -> str:
        try:
            return self.model(preset).describe()["device"]
        except Exception:  # noqa: BLE001
            return ""

    # ------------------------------------------------------------------ handlers

    def _read(self, preset, text, image, audio, use_text, use_image, use_audio):
        model = self.model(preset)
        try:
            inputs = model.read_inputs(text or None, image, audio)
        except MsaError as exc:
            raise user_error(str(exc)) from None
        present = inputs.present()
        if not present:
            raise user_error(NO_INPUT)
        use = [m for m, on in zip(MODALITIES, (use_text, use_image, use_audio)) if on]
        if not set(present) & set(use):
            raise user_error(ALL_OFF)
        return model, inputs, use

    def _predict(self, model, inputs, use):
        try:
            return model.predict(inputs=inputs, use=use)
        except MsaError as exc:
            raise user_error(str(exc)) from None
        except Exception as exc:  # noqa: BLE001 - keep serving; say what failed in one line
            log.exception("prediction failed")
            raise user_error(f"The prediction failed ({type(exc).__name__}: {_one_line(str(exc))}).") from None

    def predict(self, preset, text, image, audio, use_text=True, use_image=True, use_audio=True):
        """Fused probabilities, each modality's own prediction, and notices."""
        model, inputs, use = self._read(preset, text, image, audio, use_text, use_image, use_audio)
        pred = self._predict(model, inputs, use)
        return prediction_views(pred.to_dict(), self.notices)

    def on_toggle(self, preset, text, image, audio, use_text, use_image, use_audio):
        """A 'use' box changed: re-predict from cached encoder outputs; with no input, quietly show nothing."""
        model = self.model(preset)
        try:
            present = model.read_inputs(text or None, image, audio).present()
        except MsaError:
            present = []
        if not present:
            return empty_prediction_views()
        return self.predict(preset, text, image, audio, use_text, use_image, use_audio)

    def explain(self, preset, text, image, audio, use_text=True, use_image=True, use_audio=True,
                target=TARGET_PREDICTED, text_baseline="pad", image_method="both", image_baseline="blur",
                ig_steps=64, grid=7, segment_seconds=0.5, audio_baseline="silence", seed=0, sanity=False,
                audio_method="occlusion", regions="grid", superpixels=50, progress=None) -> Iterator[tuple]:
        """Stream: the prediction first, then each explanation part as it finishes, then the report files."""
        model, inputs, use = self._read(preset, text, image, audio, use_text, use_image, use_audio)
        pred = self._predict(model, inputs, use)
        pred_views = prediction_views(pred.to_dict(), self.notices)
        yield pred_views + empty_explanation_views()
        from msa_demo.explain import ExplainOptions, explain_iter

        options = make_options(ExplainOptions, text_baseline=text_baseline, image_method=image_method,
                               image_baseline=image_baseline, ig_steps=ig_steps, grid=grid,
                               segment_seconds=segment_seconds, audio_baseline=audio_baseline, seed=seed,
                               sanity=sanity, audio_method=audio_method, regions=regions,
                               superpixels=superpixels)
        tgt = None if target in (None, "", TARGET_PREDICTED) else str(target)
        if tgt is not None and tgt not in SENTIMENTS:
            raise user_error(f"The target class must be one of {', '.join(SENTIMENTS)} (got '{tgt}').")
        exp: dict = {}  # Explanation.to_dict(), kept up to date part by part (each map converted once)
        shown = (_gr().skip(),) * len(pred_views)  # the prediction is on screen already
        try:
            for kind, part in explain_iter(model, inputs, target=tgt, use=use, options=options,
                                           progress=_progress_adapter(progress)):
                changed: set[str] = set()
                if kind == "explanation":
                    exp, changed = part.to_dict(), {"modalities"}
                elif kind == "map":
                    exp["maps"].append(part.to_dict())
                    changed = {part.modality}
                elif kind == "notices":
                    exp["notices"].extend(part["notices"])
                elif kind == "cost":
                    exp["cost"] = part.to_dict()
                if kind != "done":  # the final views follow, with the report files
                    yield shown + explanation_views(exp, changed=changed)
        except MsaError as exc:
            raise user_error(str(exc)) from None
        except Exception as exc:  # noqa: BLE001
            log.exception("explanation failed")
            raise user_error(f"The explanation failed ({type(exc).__name__}: {_one_line(str(exc))}). "
                             "The prediction above still holds.") from None
        html_path, json_path = self.write_report(exp)
        yield shown + explanation_views(exp, final=True, changed=()) + (exp, str(html_path), str(json_path))

    def write_report(self, exp: dict) -> tuple[Path, Path]:
        from msa_demo.report import write_html

        digest = hashlib.sha256(json.dumps(exp, sort_keys=True, default=str).encode()).hexdigest()[:10]
        folder = self.report_dir / digest
        folder.mkdir(parents=True, exist_ok=True)
        html_path = write_html(exp, folder / "msa_report.html")
        json_path = folder / "msa_report.json"
        json_path.write_text(json.dumps(exp, indent=2, ensure_ascii=False, default=str), encoding="utf-8")
        return Path(html_path), json_path

    def report(self, exp: dict | None):
        """The self-contained HTML report of the last explanation (API: ``report``)."""
        if not exp:
            raise user_error("There is no explanation yet: click 'Explain' first, then download the report.")
        html_path, _ = self.write_report(exp)
        return str(html_path)


def warm_up(model) -> None:
    """One prediction per modality so the first user request does not pay for lazy initialisation."""
    t = np.arange(8000, dtype=np.float32) / 16000.0
    wave = (0.1 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)
    img = Image.new("RGB", (64, 64), (128, 128, 128))
    model.predict(text="Hello there.", image=img, audio=(16000, wave))
    model._cache.clear()


def make_options(cls, *, text_baseline, image_method, image_baseline, ig_steps, grid, segment_seconds,
                 audio_baseline, seed, sanity, audio_method="occlusion", regions="grid", superpixels=50):
    """ExplainOptions from the advanced controls; ExplainOptions checks every range, with a clear message."""
    try:
        steps, grid_n, seg, seed_n, n_sp = (int(ig_steps), int(grid), float(segment_seconds), int(seed),
                                            int(superpixels))
    except (TypeError, ValueError, OverflowError):
        raise user_error("IG steps, grid size, superpixels, segment length and seed must be numbers.") from None
    if image_method not in IMAGE_METHODS:
        raise user_error(f"Unknown image method '{image_method}'; use {', '.join(IMAGE_METHODS)}.")
    if audio_method not in AUDIO_METHODS:
        raise user_error(f"Unknown audio method '{audio_method}'; use {', '.join(AUDIO_METHODS)}.")
    try:
        return cls(text_baseline=text_baseline, ig_max_steps=steps, image_methods=IMAGE_METHODS[image_method],
                   image_baseline=image_baseline, grid=grid_n, segment_seconds=seg, audio_baseline=audio_baseline,
                   sanity=bool(sanity), seed=seed_n, audio_methods=AUDIO_METHODS[audio_method], regions=regions,
                   superpixels=n_sp)
    except MsaError as exc:
        raise user_error(str(exc)) from None
    except (TypeError, ValueError) as exc:  # a value of the wrong kind from the API: one line, no traceback
        raise user_error(f"These explanation settings cannot be used: {_one_line(str(exc))}") from None


def _progress_adapter(progress):
    if progress is None:
        return None

    def report(fraction=None, desc=None, *args, **kwargs):
        try:
            if isinstance(fraction, (int, float)):
                progress(float(fraction), desc=desc or kwargs.get("message"))
            elif isinstance(fraction, str):
                progress(None, desc=fraction)
        except Exception:  # noqa: BLE001 - progress display must never break the work
            pass

    return report


def gpu_duration(ig_steps=64, sanity=False, image_method="both", n_modalities=3) -> int:
    """Seconds of GPU to ask ZeroGPU for, from the requested work."""
    methods = len(IMAGE_METHODS.get(image_method, ("x", "y")))
    base = 15 + 0.25 * int(ig_steps) * n_modalities + 10 * methods
    return int(min(300, base * (2 if sanity else 1)))


def zero_gpu(fn, duration=None):
    """Wrap ``fn`` with ``spaces.GPU`` on Hugging Face ZeroGPU; unchanged where ``spaces`` is not installed."""
    try:
        import spaces  # type: ignore
    except Exception:  # noqa: BLE001
        return fn
    return spaces.GPU(duration=duration)(fn) if duration is not None else spaces.GPU(fn)


# ====================================================================== prediction views


def _probs(p: dict | None) -> dict | None:
    if not p:
        return None
    return {str(k): float(v) for k, v in p.items()}


def prediction_views(pred: dict, extra_notices: Iterable[str] = ()) -> tuple:
    """(fused Label value, text Label, image Label, audio Label, notices markdown)."""
    per = pred.get("modalities") or {}
    own = tuple(_probs((per.get(m) or {}).get("probs")) for m in MODALITIES)
    return (_probs(pred.get("probs")),) + own + (notices_markdown(pred, extra_notices),)


def empty_prediction_views() -> tuple:
    return (None, None, None, None, "")


def notices_markdown(pred: dict, extra: Iterable[str] = ()) -> str:
    used = pred.get("used") or []
    lines = [f"**{_md(str(pred.get('label', '')).upper())}** from {', '.join(used) or 'nothing'}"
             + (f" · switched off: {', '.join(pred.get('switched_off') or [])}" if pred.get("switched_off") else "")]
    for m in MODALITIES:
        mp = (pred.get("modalities") or {}).get(m)
        if mp:
            lines.append(f"{m} alone: **{_md(mp.get('label', ''))}** ({_md(mp.get('model_id', ''))})")
    for n in list(extra) + list(pred.get("notices") or []):
        lines.append(f"*Note:* {_md(n)}")
    return "\n\n".join(lines)


# ====================================================================== explanation views


def empty_explanation_views() -> tuple:
    """(contributions plot, words, original image, overlays, audio plot, audio clip, trust md, state, html, json)."""
    return (None, None, None, None, None, None, "", None, None, None)


def explanation_views(exp: dict, final: bool = False, changed: Iterable[str] | None = None) -> tuple:
    """The explanation panels. ``changed`` names the panels to rebuild ("modalities", "text", "image", "audio");
    the others are left as the browser shows them (``gr.skip()``), so a streamed update sends only what is new.
    None rebuilds every panel. The trust panel is always rebuilt."""
    def want(panel: str) -> bool:
        return changed is None or panel in changed

    skip = _gr().skip()
    out = (
        contributions_figure(exp) if want("modalities") else skip,
        text_highlights(exp) if want("text") else skip,
        original_image(exp) if want("image") else skip,
        image_overlays(exp) if want("image") else skip,
        audio_figure(exp) if want("audio") else skip,
        audio_clip(exp) if want("audio") else skip,
        trust_markdown(exp, final=final),
    )
    return out if final else out + (None, None, None)


def maps_for(exp: dict, modality: str) -> list[dict]:
    return [m for m in exp.get("maps") or [] if m.get("modality") == modality]


def _rel(scores: list[float]) -> list[float]:
    top = max((abs(float(s)) for s in scores), default=0.0)
    return [float(s) / top if top > 0 else 0.0 for s in scores]


def score_colour(rel: float, alpha: float | None = None) -> str:
    """Diverging colour: green for positive attribution, red for negative, strength from |rel|."""
    rel = max(-1.0, min(1.0, float(rel)))
    r, g, b = (26, 152, 80) if rel >= 0 else (215, 48, 39)
    a = abs(rel) * 0.85 + 0.1 if alpha is None else alpha
    return f"rgba({r},{g},{b},{a:.2f})"


def contributions_figure(exp: dict):
    """Bars of each modality's Shapley value toward the target, beside the 'without X' what-ifs."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    mc = exp.get("modalities")
    if not mc or not mc.get("shapley"):
        return None
    target = exp.get("target") or (exp.get("prediction") or {}).get("label", "")
    names = list(mc["shapley"])
    values = [float(mc["shapley"][n]) for n in names]
    fig = make_subplots(rows=1, cols=2, column_widths=[0.5, 0.5], subplot_titles=(
        f"Shapley value toward '{target}'", f"P({target}) with everything vs without one modality"))
    fig.add_trace(go.Bar(x=names, y=values, name="Shapley value", marker_color=[score_colour(v, 0.9) for v in values],
                         text=[f"{v:+.3f}" for v in values], textposition="auto"), row=1, col=1)
    pairs = mc.get("interactions") or {}
    if pairs:  # one line under the plots: bars stay readable however many pairs there are
        fig.add_annotation(text="pairwise interactions: " + ", ".join(
            f"{html.escape(str(k))} {float(v):+.3f}" for k, v in pairs.items()), xref="paper", yref="paper",
            x=0.0, y=-0.2, showarrow=False, font={"size": 11}, xanchor="left", yanchor="top")
    without = mc.get("without") or {}
    fused = (exp.get("prediction") or {}).get("probs") or {}
    xs, ys = ["all"], [float(fused.get(target, mc.get("value_all") or 0.0))]
    for n in names:
        if n in without:
            xs.append(f"without {n}")
            ys.append(float((without[n] or {}).get(target, 0.0)))
    fig.add_trace(go.Bar(x=xs, y=ys, name=f"P({target})", marker_color=["#4575b4"] + ["#999999"] * (len(xs) - 1),
                         text=[f"{y:.2f}" for y in ys], textposition="auto"), row=1, col=2)
    fig.update_yaxes(range=[0, 1], row=1, col=2)
    title = "Modality contributions"
    if mc.get("conflict"):
        title += f" — ⚠ modalities disagree<br><sup>{html.escape(str(mc.get('conflict_detail', '')))}</sup>"
    fig.update_layout(title={"text": title, "font": {"size": 14}}, showlegend=False, height=360,
                      margin={"l": 40, "r": 10, "t": 90, "b": 70})
    return fig


def text_highlights(exp: dict) -> list[tuple[str, str | None]] | None:
    """The whole text, split at the attributed words, each word tagged with a WORD_LEGEND category."""
    maps = maps_for(exp, "text")
    text = (exp.get("inputs") or {}).get("text")
    if not maps:
        return None
    m = maps[0]
    rel = _rel(m.get("scores") or [])
    spans = m.get("spans") or []
    out: list[tuple[str, str | None]] = []
    if text and spans and len(spans) == len(rel):
        pos = 0
        for (start, end), r in sorted(zip([tuple(s) for s in spans], rel)):
            start, end = int(start), int(end)
            if start < pos or end > len(text):
                continue
            if start > pos:
                out.append((text[pos:start], None))
            out.append((text[start:end], word_category(r)))
            pos = end
        if pos < len(text):
            out.append((text[pos:], None))
        return out
    for word, r in zip(m.get("labels") or [], rel):
        out.append((str(word) + " ", word_category(r)))
    return out


def word_category(rel: float) -> str | None:
    if rel >= 0.5:
        return "▲▲ strongly for"
    if rel >= 0.15:
        return "▲ for"
    if rel <= -0.5:
        return "▼▼ strongly against"
    if rel <= -0.15:
        return "▼ against"
    return None


def _b64_image(b64: str | None) -> Image.Image | None:
    if not b64:
        return None
    return Image.open(io.BytesIO(base64.b64decode(b64))).convert("RGB")


def original_image(exp: dict) -> Image.Image | None:
    return _b64_image((exp.get("inputs") or {}).get("image_png_b64"))


def overlay(img: Image.Image, heatmap: list[list[float]], alpha: float = 0.6) -> Image.Image:
    """The picture, dimmed, with the attribution heat-map on top: green toward the target, red away."""
    hm = np.asarray(heatmap, dtype=np.float32)
    top = float(np.abs(hm).max()) if hm.size else 0.0
    hm = hm / top if top > 0 else hm
    hm_img = Image.fromarray(hm, mode="F").resize(img.size, Image.BILINEAR)
    h = np.clip(np.asarray(hm_img, dtype=np.float32), -1, 1)[..., None]
    base = np.asarray(img.convert("L").convert("RGB"), dtype=np.float32) * 0.75 + 40
    green = np.array([26, 152, 80], dtype=np.float32)
    red = np.array([215, 48, 39], dtype=np.float32)
    colour = np.where(h >= 0, green, red)
    a = np.abs(h) * alpha
    out = base * (1 - a) + colour * a
    return Image.fromarray(np.clip(out, 0, 255).astype(np.uint8))


def image_overlays(exp: dict) -> list[tuple[Image.Image, str]] | None:
    maps = [m for m in maps_for(exp, "image") if m.get("heatmap")]
    img = original_image(exp)
    if not maps or img is None:
        return None
    return [(overlay(img, m["heatmap"]), map_caption(m)) for m in maps]


def map_caption(m: dict) -> str:
    params = m.get("params") or {}
    bits = [m.get("method", "").replace("_", " ")]
    if "baseline" in params:
        bits.append(f"baseline: {params['baseline']}")
    for k in ("steps", "n_steps", "grid", "superpixels", "window", "segment_seconds"):
        if k in params:
            bits.append(f"{k.replace('_', ' ')}: {params[k]}")
    return " · ".join(str(b) for b in bits if b)


def _decode_wav(b64: str | None) -> tuple[np.ndarray, int] | None:
    if not b64:
        return None
    import soundfile as sf

    data, rate = sf.read(io.BytesIO(base64.b64decode(b64)), dtype="float32", always_2d=False)
    if data.ndim > 1:
        data = data.mean(axis=1)
    return data, int(rate)


def audio_clip(exp: dict):
    dec = _decode_wav((exp.get("inputs") or {}).get("audio_wav_b64"))
    if dec is None:
        return None
    wave, rate = dec
    return rate, (np.clip(wave, -1, 1) * 32767).astype(np.int16)


def audio_figure(exp: dict):
    """Waveform with coloured attribution bands, and a bar per segment labelled with its words or times."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    maps = maps_for(exp, "audio")
    dec = _decode_wav((exp.get("inputs") or {}).get("audio_wav_b64"))
    if not maps or dec is None:
        return None
    m = maps[0]
    wave, rate = dec
    step = max(1, len(wave) // 4000)
    t = np.arange(0, len(wave), step) / float(rate)
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.6, 0.4], vertical_spacing=0.06)
    fig.add_trace(go.Scatter(x=t, y=wave[::step], mode="lines", name="waveform", line={"color": "#555", "width": 1}),
                  row=1, col=1)
    scores = [float(s) for s in m.get("scores") or []]
    rel = _rel(scores)
    spans = m.get("spans") or []
    labels = [html.escape(str(lbl)) for lbl in (m.get("labels") or [])]
    centres, widths, bands = [], [], []
    for (start, end), r in zip(spans, rel):  # one coloured band per segment over the waveform (row 1: x, y)
        bands.append({"type": "rect", "xref": "x", "yref": "y domain", "x0": float(start), "x1": float(end),
                      "y0": 0, "y1": 1, "fillcolor": score_colour(r, 0.05 + 0.45 * abs(r)), "line": {"width": 0},
                      "layer": "below"})
        centres.append((float(start) + float(end)) / 2)
        widths.append(max(1e-3, float(end) - float(start)) * 0.95)
    fig.update_layout(shapes=bands)
    fig.add_trace(go.Bar(x=centres, y=scores[: len(centres)], width=widths, name="segment attribution",
                         marker_color=[score_colour(r, 0.9) for r in rel[: len(centres)]],
                         text=labels[: len(centres)], textposition="outside", hovertext=labels[: len(centres)]),
                  row=2, col=1)
    fig.update_xaxes(title_text="seconds", row=2, col=1)
    fig.update_yaxes(title_text="amplitude", row=1, col=1)
    fig.update_yaxes(title_text="attribution", row=2, col=1)
    fig.update_layout(title={"text": f"Audio: {html.escape(map_caption(m))} — green toward "
                                     f"'{html.escape(str(exp.get('target', '')))}', red away",
                             "font": {"size": 14}}, showlegend=False, height=380,
                      margin={"l": 50, "r": 10, "t": 50, "b": 40})
    return fig


def _fmt(v, spec: str = ".3f") -> str:
    if v is None:
        return "—"
    try:
        return format(float(v), spec)
    except (TypeError, ValueError):
        return _md(str(v))


AOPC_TOO_SMALL = 0.01  # below this, deleting parts barely moves the score: the deletion test cannot judge the map


def trust_verdicts(exp: dict) -> list[tuple[str, str]]:
    """Plain-language verdicts on each map: (mark, sentence); mark is ✓ (passes), ✗ (fails) or ? (can't tell)."""
    out = []
    for m in exp.get("maps") or []:
        f = m.get("faithfulness") or {}
        name = f"{m.get('modality')} {str(m.get('method', '')).replace('_', ' ')}"
        if f.get("aopc") is not None and f.get("aopc_random") is not None:
            aopc, rand = float(f["aopc"]), float(f["aopc_random"])
            gap = aopc - rand
            if max(abs(aopc), abs(rand)) < AOPC_TOO_SMALL:
                out.append(("?", f"{name}: deleting parts barely moves the score (AOPC {aopc:.3f}, random "
                                 f"{rand:.3f}), so the deletion test cannot tell whether this map is right."))
            elif gap > AOPC_TOO_SMALL:
                out.append(("✓", f"{name}: deleting the top-ranked parts first drops the score faster than "
                                 f"deleting at random (AOPC gap {gap:+.3f})."))
            else:
                out.append(("✗", f"{name}: deleting the top-ranked parts first does not drop the score clearly "
                                 f"faster than deleting at random (AOPC gap {gap:+.3f}); read this map with care."))
        if f.get("sanity_spearman") is not None:
            rho = float(f["sanity_spearman"])
            ok = rho < 0.5  # a map that keeps its ranking on a randomised model does not read the learned weights
            out.append(("✓" if ok else "✗", f"{name} sanity check: attributions on a randomised model "
                                            f"{'differ' if ok else 'barely differ'} (Spearman ρ = {rho:.2f})."))
    return out


def trust_markdown(exp: dict, final: bool = False) -> str:
    """IG completeness delta, deletion AOPC vs random, sanity check, and what it cost."""
    maps = exp.get("maps") or []
    if not maps and not exp.get("modalities"):
        return ""
    rows = ["| modality | method | IG δ (share of score change) | AOPC | AOPC random | sanity ρ | passes | seconds |",
            "|---|---|---|---|---|---|---|---|"]
    for m in maps:
        f = m.get("faithfulness") or {}
        c = m.get("cost") or {}
        rows.append(f"| {_md(m.get('modality', ''))} | {_md(str(m.get('method', '')).replace('_', ' '))} | "
                    f"{_fmt(m.get('delta'), '.2e') if m.get('delta') is not None else '—'} | {_fmt(f.get('aopc'))} | "
                    f"{_fmt(f.get('aopc_random'))} | {_fmt(f.get('sanity_spearman'), '.2f')} | "
                    f"{c.get('forward_passes', '—')} | {_fmt(c.get('seconds'), '.2f')} |")
    cost = exp.get("cost") or {}
    parts = [f"### Can you trust it?{'' if final else ' (still computing…)'}", "\n".join(rows)]
    verdicts = trust_verdicts(exp)
    if verdicts:
        parts.append("\n\n".join(f"{mark} {_md(text)}" for mark, text in verdicts))
    parts.append(f"**Total:** {cost.get('forward_passes', 0)} forward passes, {_fmt(cost.get('seconds'), '.1f')} s. "
                 "IG δ is how far the attributions miss summing to the score change (smaller is better).")
    for n in exp.get("notices") or []:
        parts.append(f"*Note:* {_md(n)}")
    return "\n\n".join(parts)


# ====================================================================== examples


def load_examples(path: str | Path) -> list[dict]:
    """examples.json entries whose files exist, with paths made absolute; [] if the file is absent or bad."""
    path = Path(path)
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    out = []
    for e in entries if isinstance(entries, list) else []:
        if not isinstance(e, dict):
            continue
        row = {"name": str(e.get("name", "")), "text": e.get("text") or "", "note": str(e.get("note", ""))}
        for key in ("image", "audio"):
            val = e.get(key)
            full = (path.parent / val) if val else None
            row[key] = str(full) if full is not None and full.is_file() else None
        out.append(row)
    return out


# ====================================================================== helpers


def _one_line(s: str) -> str:
    s = " ".join(str(s).split())
    return s if len(s) <= 300 else s[:297] + "…"


def _md(s: Any) -> str:
    """Escape a string for Markdown/HTML display (user-supplied names, model ids, notices)."""
    s = html.escape(str(s), quote=True)
    for ch in "\\`*_[]|":
        s = s.replace(ch, "\\" + ch)
    return s
