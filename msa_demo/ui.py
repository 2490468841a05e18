"""Everything the dashboard (``app.py``) calls: loading presets, event handlers, and the Gradio-shaped tuples
of views they return. The views themselves (figures, highlights, overlays, trust verdicts) live in
:mod:`msa_demo.views`, shared with the report; all of it is unit-tested without a browser.
"""

from __future__ import annotations

import hashlib
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
from msa_demo.views import (audio_clip, audio_figure, contributions_figure, empty_prediction_views, image_overlays,
                             md, original_image, prediction_views, text_highlights, trust_markdown)

log = logging.getLogger("msa_demo.ui")

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
            self.models[model.preset.name if name in ("hub", "lite") else name] = model
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
            lines.append(f"**Preset:** {md(desc['preset'])} · **Device:** {md(desc['device'])} "
                         f"({md(desc['dtype'])})")
        for n in self.notices:
            lines.append(f"**Notice:** {md(n)}")
        if self.failures:
            lines.append("**Presets that did not load:** " + "; ".join(
                f"{md(n)} — {md(r)}" for n, r in self.failures.items()))
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


# ====================================================================== helpers


def _one_line(s: str) -> str:
    s = " ".join(str(s).split())
    return s if len(s) <= 300 else s[:297] + "…"

