"""The Gradio side of the dashboard that is not the Dashboard itself: lenient input components, user-facing
errors, the explanation's panel values by name, the stamp of what an explanation was made for, and ZeroGPU
glue."""

from __future__ import annotations

import logging
from collections import OrderedDict
from typing import Iterable

import numpy as np
from PIL import Image

from msa_demo import i18n
from msa_demo.errors import NO_FACE_ONLY
from msa_demo.inputs import AUDIO_SUFFIXES, VIDEO_SUFFIXES
from msa_demo.ui.fields import panel_placement, panel_values
from msa_demo.ui.i18n import tr
from msa_demo.prediction import too_close
from msa_demo.views import contributions_figure, trust_markdown

log = logging.getLogger("msa_demo.ui")

NO_INPUT = "Give at least one input: type some text, add a picture, or upload/record an audio or video clip."
# the Compare tab has no inputs of its own: it compares on the Explain tab's
# said after Gradio's "File(s) exceed the maximum allowed size of 100.0 Mb" (the page's toasts, ``app.py``)
TOO_BIG = ("Only the first seconds a preset reads are used: trim the clip to them, or export it smaller (720p is "
           "plenty), and upload it again.")
# a file a box's page code refuses ("Invalid file type: a.mp4. Only audio/aac,...,audio/* allowed."): what to do
WRONG_BOX = {
    "audio": "'{name}' is not a sound file the Audio box takes. A video's voice is heard from the Video box (its sound "
             "track); or give the sound as WAV, MP3, M4A, OGG or FLAC.",
    "image": "'{name}' is not a picture the Image box takes: give a PNG, JPEG, WebP, GIF, BMP or TIFF; a clip goes in "
             "the Video box.",
    "video": "'{name}' is not a video the Video box takes: give a video file (MP4, WebM, MOV, MKV, AVI ...); a sound "
             "file goes in the Audio box, a picture in the Image box.",
}
# a sound file dropped on the Image box: what it is and where it goes (the box's line named only what it takes)
SOUND_ON_IMAGE = ("'{name}' is a sound file, not a picture: it goes in the Audio box. The Image box takes a PNG, JPEG, "
                  "WebP, GIF, BMP or TIFF.")
SOUND_SUFFIXES = tuple(s for s in AUDIO_SUFFIXES if s not in VIDEO_SUFFIXES)  # a sound file's names (.wav, .mp3 ...)
COMPARE_NO_INPUT = ("Compare explains the inputs on the Explain tab, and none is given there: type some text, add a "
                    "picture, or upload/record an audio or video clip on the Explain tab.")
ALL_OFF = "Every input you gave is switched off. Tick at least one 'use' box to get a prediction."
# how the page says "read it as a face all the same", at the end of a faceless picture's refusal (``errors.NoFace``)
TICK_ANYWAY = "Add text or audio, or tick 'read a picture without a face as a face' in Advanced."
NO_FACE = f"{NO_FACE_ONLY} {TICK_ANYWAY}"



def gradio():
    import gradio as gr

    return gr


def user_error(message: str) -> Exception:
    """A gr.Error carrying a message written for a person: no traceback in the UI, the API or the server log,
    where a user's mistake is one line. It stays on the page until it is closed or the next run starts (it faded
    after 10 s, and a person who looked away had no word of why nothing happened)."""
    log.info("refused: %s", one_line(message))
    return gradio().Error(message, duration=None, print_exception=False)



# ====================================================================== input components


LENIENT = "msa-lenient"  # the class that marks a lenient input component (it survives Gradio's rebuilds)


def _lenient(component_class, lenient, *args, **kwargs):
    """An instance of ``component_class`` marked ``LENIENT``, whose pre-processing is ``lenient(self, payload,
    original)`` (the class's own ``preprocess`` passed as ``original``); an unmarked instance keeps the class's own.

    The leniency is on the class, for the instances marked ``LENIENT`` among their ``elem_classes``: Gradio
    rebuilds a component from its constructor arguments when an event updates its properties (a session's copy:
    ``block.__class__(**kwargs)``), and a patch on the instance was lost with it, so a text file uploaded as a
    picture after "Text only" ended in Gradio's ComponentProcessingError traceback and no message. (A subclass
    would make Gradio write a .pyi stub next to this module.)"""
    original = component_class.preprocess
    if not getattr(original, "lenient", False):
        def preprocess(self, payload):
            if LENIENT not in (self.elem_classes or []):
                return original(self, payload)
            return lenient(self, payload, original)

        preprocess.lenient = True
        component_class.preprocess = preprocess
    classes = kwargs.pop("elem_classes", None) or []
    return component_class(*args, elem_classes=[*([classes] if isinstance(classes, str) else classes), LENIENT],
                           **kwargs)


def _file_by_path(self, payload, original):
    """A file input's pre-processing that never fails with a traceback: a file it cannot decode is handed on by
    path, so msa_demo's own reader gives the one clear message every path gives."""
    try:
        return original(self, payload)
    except gradio().Error:
        raise
    except Exception:  # noqa: BLE001
        path = getattr(payload, "path", None)
        if path:
            return path
        raise user_error(f"This {type(self).__name__.lower()} could not be read. Try another file.") from None


def _as_sent(self, payload, original):
    """A setting's pre-processing without Gradio's range or choice check: the value reaches the handler, whose
    validator names the setting in the page's language ("the image grid must be 2 to 64 cells a side"); Gradio's
    own said "Value 999 is greater than maximum value 64." (or "Value -5 is less than minimum value 1.") to an API
    caller and put its traceback in the server log. A number's is rounded as Gradio rounds it."""
    if payload is None or not isinstance(self, (gradio().Slider, gradio().Number)):
        return payload
    try:
        return gradio().Number.round_to_precision(payload, self.precision)
    except (TypeError, ValueError):
        return payload  # not a number: said by the validator


def setting_input(component_class, *args, **kwargs):
    """A ``component_class`` (a slider, a radio group, a dropdown, a group of ticks) for an Advanced setting, whose
    value out of range or out of its choices is said by the handler (:func:`_as_sent`)."""
    return _lenient(component_class, _as_sent, *args, **kwargs)


def number_input(**kwargs):
    """A gr.Number whose bounds guide the page's spinner, its out-of-range value said by the handler
    (:func:`_as_sent`)."""
    return setting_input(gradio().Number, **kwargs)


def image_input(**kwargs):
    return _lenient(gradio().Image, _file_by_path, **kwargs)


def audio_input(**kwargs):
    return _lenient(gradio().Audio, _file_by_path, **kwargs)


def explained_stamp(request, settings: Iterable = (), as_seen: bool = True) -> dict:
    """What an explanation was made for: every input and switch (a ``fields.Request``, by their names on the
    screen), then the settings (their values in ``options.CONTROLS`` order), as plain comparable values.
    ``as_seen``: as a person sees them (a clip's browser copy is the clip, :func:`same_clip`), else as read (each
    file by its own content: what was read of one is not what the other reads)."""
    stamp = {**request.stamp(), "settings": [str(v) for v in settings]}
    return {n: _comparable(v, as_seen) for n, v in stamp.items()}


def _comparable(value, as_seen: bool = True):
    """A stamp's value: a file by its content (the page hands the same picture back under a new upload path; seen,
    a clip's browser copy stands for the clip it was made from), anything else as a plain value."""
    import os

    if isinstance(value, str) and len(value) < 4096 and os.path.isfile(value):
        digest = _digest(value)
        return _COPIED_FROM.get(digest, digest) if as_seen else digest
    return value if isinstance(value, (str, bool, list, type(None))) else str(value)


def _digest(path) -> str:
    import hashlib

    digest = hashlib.sha1()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return "file:" + digest.hexdigest()


# a clip's browser copy (its content) -> the clip it was made from: the page swaps an uploaded clip for the copy a
# second or more later, and an explanation the click made meanwhile, of the clip itself, was then "out of date"
_COPIED_FROM: OrderedDict[str, str] = OrderedDict()
COPIES_KEPT = 256


def same_clip(copy, original) -> None:
    """Say that the file ``copy`` shows the clip ``original`` (a browser copy): on screen, one is the other."""
    _COPIED_FROM[_digest(copy)] = _digest(original)
    while len(_COPIED_FROM) > COPIES_KEPT:
        _COPIED_FROM.popitem(last=False)


def stale_parts(old: dict, new: dict) -> list[str]:
    """The names of what differs between two stamps, in the words of the screen."""
    return [n for n in old if old.get(n) != new.get(n)]


def warm_up(model) -> None:
    """One prediction per modality so the first user request does not pay for lazy initialisation."""
    t = np.arange(8000, dtype=np.float32) / 16000.0
    wave = (0.1 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)
    img = Image.new("RGB", (64, 64), (128, 128, 128))
    model.predict(text="Hello there.", image=img, audio=(16000, wave))
    model.forget()


def progress_adapter(progress, lang: str = "en"):
    """The explanation's progress calls as Gradio's progress bar takes them, each step's words in ``lang``."""
    if progress is None:
        return None

    def report(fraction=None, desc=None, *args, **kwargs):
        try:
            if isinstance(fraction, (int, float)):
                words = desc or kwargs.get("message")
                progress(float(fraction), desc=i18n.said(words, lang) if words else words)
            elif isinstance(fraction, str):
                progress(None, desc=i18n.said(fraction, lang))
        except Exception:  # noqa: BLE001 - progress display must never break the work
            pass

    return report


def rows_progress(progress, every: float = 0.25, lang: str = "en"):
    """An ``explain_iter(on_rows=...)`` callback that shows each panel's progress on the page's progress bar:
    "Maps, model rows done/planned: text 32/96 · image 10/49 · audio 3" (a total where the time budget planned one),
    the bar filled by the rows done of those planned; at most one update each ``every`` seconds (the panels call
    it from their own threads). A panel past its plan (a long text's windows: "text 17/9" was shown) is told by
    its rows done alone, and the bar is not filled: its end is not known."""
    if progress is None:
        return None
    import threading
    import time

    rows: dict[str, tuple[int, int | None]] = {}
    lock, last = threading.Lock(), [0.0]

    def on_rows(modality: str, done: int, total: int | None) -> None:
        with lock:
            rows[modality] = (int(done), int(total) if total and int(done) <= int(total) else None)
            now = time.monotonic()
            if now - last[0] < every:
                return
            last[0] = now
            parts = [f"{i18n.modality(m, lang)} {d}/{n}" if n else f"{i18n.modality(m, lang)} {d}"
                     for m, (d, n) in rows.items()]
            totals = [t for _d, t in rows.values()]
            fraction = (min(1.0, sum(d for d, _t in rows.values()) / sum(totals))
                        if all(totals) and sum(totals) else None)
        try:
            progress(fraction, desc=i18n.t("Maps, model rows done/planned: {rows}", lang, rows=" · ".join(parts)))
        except Exception:  # noqa: BLE001 - progress display must never break the work
            pass

    return on_rows


def queued(demo, concurrency_id: str) -> list[float]:
    """The seconds each event waiting (not yet started) in ``demo``'s queue for ``concurrency_id`` has waited, in
    the queue's order (the oldest first); empty when it cannot be told (Gradio keeps this in its queue's
    internals: each event's ``enqueue_time``, ``time.monotonic()``)."""
    import time

    try:
        now = time.monotonic()
        return [max(0.0, now - float(e.enqueue_time))
                for e in demo._queue.event_queue_per_concurrency_id[concurrency_id].queue]
    except (AttributeError, KeyError, TypeError, ValueError):
        return []


def page_gone():
    """A function that tells whether the page that asked for this event has gone (its tab closed, its browser
    offline), to be called from any thread: Gradio marks a disconnected session's events not ``alive`` but only
    stops a streamed function at its next step, and an explanation that sends no part for minutes ran on to the
    server's cap (96 s) for no one. Call it in the event's own thread (Gradio's context tells the event); None
    where it cannot be told (no event, another Gradio)."""
    try:
        from gradio.context import LocalContext

        blocks, event_id = LocalContext.blocks.get(None), LocalContext.event_id.get(None)
        queue = blocks._queue
    except Exception:  # noqa: BLE001 - a courtesy of Gradio's internals, never a failure
        return None
    if not event_id:
        return None

    def gone() -> bool:
        try:
            for events in list(queue.active_jobs):
                for event in events or ():
                    if event._id == event_id:
                        return not event.alive
        except Exception:  # noqa: BLE001
            pass
        return False

    return gone


def zero_gpu(fn, duration=None):
    """Wrap ``fn`` with ``spaces.GPU`` on Hugging Face ZeroGPU; unchanged where ``spaces`` is not installed."""
    try:
        import spaces  # type: ignore
    except Exception:  # noqa: BLE001
        return fn
    return spaces.GPU(duration=duration)(fn) if duration is not None else spaces.GPU(fn)


# ====================================================================== explanation views


def shown(value, visible: bool):
    """A panel's value, and whether it is on the page: an empty box for an input not given is not."""
    return gradio().update(value=value, visible=visible)


def plain(parts: dict) -> dict:
    """The parts' values without the page's placing (what a ``gradio_client`` caller reads): a component update
    (``gr.update``, a component returned as one) gives its value, anything else is its own value."""
    gr = gradio()

    def value(v):
        if isinstance(v, gr.components.Component):
            return v.constructor_args.get("value")
        if isinstance(v, dict) and v.get("__type__") == "update":
            return v.get("value")
        return v

    return {n: value(v) for n, v in parts.items()}


def held_verdicts(*verdicts) -> list:
    """Each "alone" verdict box shown exactly when it holds a verdict (after a prediction: a modality another
    input brought, a clip's sound track or the words said in it, has one though the page placed its boxes by what
    was given)."""
    return [gradio().update(visible=bool(v)) for v in verdicts]


def verdicts_shown(views: dict) -> dict:
    """``prediction_views`` with the fused verdict and each modality's "alone" verdict shown only when there is
    one (or its "no face"); the notices as they are."""
    return {n: shown(v, v is not None) if n == "fused" or n.startswith("own.") else v for n, v in views.items()}


def explanation_views(exp: dict, final: bool = False, changed: Iterable[str] | None = None,
                      placed: bool = False, lang: str = "en") -> dict:
    """The explanation's panels by name: the modality contributions, the trust table and every modality's panel
    (``fields.panel_values``). ``changed`` names the panels to rebuild ("modalities", or a modality's name);
    the others are left as the browser shows them (``gr.skip()``), so a streamed update sends only what is new.
    None rebuilds every panel. The trust panel is always rebuilt. ``placed``: each panel shown exactly when its
    modality was used or it has something to show (a whole explanation replacing whatever was on the page)."""
    skip = gradio().skip()
    panels = panel_values(exp, changed, skip, lang)
    if placed:
        used = (exp.get("prediction") or {}).get("used") or ()
        where = panel_placement(used, used)
        panels = {n: ({"visible": where[n] or v.get("value") is not None, **v} if _is_update(v) else
                      shown(v, where[n] or v is not None)) for n, v in panels.items()}
    contrib = contributions_figure(exp, lang) if changed is None or "modalities" in changed else skip
    return {"contrib": shown(contrib, True) if placed else contrib, **panels,
            "trust": trust_markdown(exp, final=final, lang=lang)}


def _is_update(value) -> bool:
    return isinstance(value, dict) and value.get("__type__") == "update"


# ====================================================================== helpers


def one_line(s: str) -> str:
    s = " ".join(str(s).split())
    return s if len(s) <= 300 else s[:297] + "…"


def verdict_heading(title: str):
    """The function that heads a verdict Label (the fused one, a modality's "alone" one) by its value: a near-tie
    is shown without a headline class ("<title>: too close to call"), as the summary says it."""

    def heading(value):
        return gradio().Label(**heading_of(title, value))

    return heading


def heading_of(title: str, value) -> dict:
    """The heading of a verdict Label titled ``title`` that shows ``value`` (its probabilities, or a word): its
    label and whether its top class is headlined (not for a near-tie)."""
    from msa_demo.ui.i18n import ZH, tr_made

    value = value.model_dump() if hasattr(value, "model_dump") else (value or {})
    if not isinstance(value, dict):  # a word, not probabilities ("no face": the face model abstained)
        value = {}
    if "confidences" in value:  # {"label", "confidences": [{"label", "confidence"}]}, else {class: probability}
        value = {c.get("label"): c.get("confidence") for c in value.get("confidences") or []}
    conf = sorted((float(v or 0) for v in value.values() if isinstance(v, (int, float))), reverse=True)
    if too_close(conf):
        return {"show_heading": False, "label": tr_made(f"{title}: too close to call", f"{ZH.get(title, title)}：难分高下")}
    return {"show_heading": True, "label": tr(title)}


def verdict_titles() -> dict[str, str]:
    """The verdict Labels by part name, with their titles: the fused one, each modality's own, Compare's two."""
    from msa_demo.ui.fields import alone_titles

    return {"fused": "Fused sentiment", **{f"own.{m}": title for m, title in alone_titles().items()},
            "compare.fused_a": "A: fused", "compare.fused_b": "B: fused"}


def headed(parts: dict) -> dict:
    """A handler's parts with each verdict Label that gets a value headed by that value in the same update: its
    bars and its heading never come from two states (headed by a change listener, a box showed a later state's
    64 % / 34 % under the earlier one's "too close to call" for 1-2 s after a modality switch)."""
    titles = verdict_titles()
    out = dict(parts)
    for name, value in parts.items():
        title = titles.get(name)
        if title is None:
            continue
        if _is_update(value):
            if "value" in value:  # an update that leaves the value as it is leaves its heading too
                out[name] = {**value, **heading_of(title, value["value"])}
        elif isinstance(value, gradio().components.Component):
            continue  # a component returned as an update: headed where it is made
        else:
            out[name] = gradio().update(value=value, **heading_of(title, value))
    return out


fused_label = verdict_heading("Fused sentiment")  # no coin-flip headline
