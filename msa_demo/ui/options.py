"""The Advanced controls: each one an :class:`ExplainOptions` field read from :func:`option_specs` (its default,
range or choices, label and help), or one of the few settings only the dashboard has.

``CONTROLS`` is the one list: the order of the widgets on the page, of the handlers' keyword arguments, and of the
``/explain`` endpoint's parameters after the inputs. :func:`advanced_widgets` builds the widgets,
:func:`read_settings` turns their values (by name) into :class:`Settings`, the one object handlers pass on.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Iterable

from msa_demo.ui.i18n import ZH, tr, tr_made
from msa_demo.ui.widgets import number_input, setting_input
from msa_demo.config import SENTIMENTS
from msa_demo.errors import InputError
from msa_demo.explain.options import ExplainOptions, OptionSpec, option_specs
from msa_demo.i18n import label as class_name, t
from msa_demo.settings import (MAX_SECONDS_ON_A_SPACE, env_flag, env_seconds, gc_freeze, keep_hours, lanes_setting,
                               max_seconds, server_refusal)

TARGET_PREDICTED = "predicted class"


def _methods(name: str) -> tuple[str, ...]:
    """The method choices of the option ``name`` (the METHODS table, in the order its modality declares)."""
    return next(s.choices for s in option_specs() if s.name == name)


# one radio button per method of the METHODS table, and dashboard-only ones for a combination of methods
TEXT_METHODS = {m: (m,) for m in _methods("text_methods")}
IMAGE_METHODS = {"both": ("integrated_gradients", "occlusion"), **{m: (m,) for m in _methods("image_methods")}}
AUDIO_METHODS = {**{m: (m,) for m in _methods("audio_methods")}, "both": ("occlusion", "integrated_gradients")}


def choices_text(choices: dict) -> str:
    """A control's method choices in words, from the table: "integrated_gradients, occlusion, ..., or both (the
    first two)"."""
    single = [k for k, v in choices.items() if tuple(v) == (k,)]
    combined = [f"{k} ({' and '.join(v)})" for k, v in choices.items() if tuple(v) != (k,)]
    items = single + combined
    return ", ".join(items[:-1]) + f", or {items[-1]}" if len(items) > 1 else "".join(items)
SLIDER_POSITIONS = 2000  # a range with more whole numbers than this is a number box, not a slider


def dashboard_budget() -> float:
    """The dashboard's time budget for the maps: ``MSA_BUDGET`` seconds when set (0: none), else none on a GPU
    (full quality) and 5 s on a CPU (a free Space), so that a long text or clip stays interactive and says what it
    gave up."""
    import torch

    value = env_seconds("MSA_BUDGET", 3600)
    if value is not None:
        return value
    return 0.0 if torch.cuda.is_available() else 5.0


WITHIN_LIMIT = ("This server explains within {limit} s (MSA_MAX_SECONDS), so the maps had a time budget of "
                "{budget} s.")


def within_limit(options: ExplainOptions, limit: float | None = None) -> tuple[ExplainOptions, str | None]:
    """(options, a notice or None): under the server's limit (``limit``, default :func:`max_seconds`), no time
    budget (0) or one over half the limit becomes half of it (the maps are planned to leave the rest to the
    what-ifs and the page's own work), said in one line; without a limit, as they are."""
    from dataclasses import replace

    limit = max_seconds() if limit is None else limit
    if limit <= 0 or 0 < options.budget <= limit / 2:
        return options, None
    budget = round(limit / 2, 1)
    return replace(options, budget=budget), WITHIN_LIMIT.format(limit=f"{limit:g}", budget=f"{budget:g}")


def data_folder():
    """The one folder a visitor's paths may name (``MSA_DATASET_ROOT``, else the folder the app started in): the
    Dataset tab's manifests and results, and a preset file or trained head typed as Compare's B."""
    import os
    from pathlib import Path

    return Path(os.environ.get("MSA_DATASET_ROOT") or os.getcwd()).resolve()


def shown_folder(folder) -> str:
    """A server folder as the page names it to visitors: relative to the app's own folder ("." for that folder,
    "data/sets" in it), else "…/" and its last part; never the absolute path (on a self-hosted server it tells
    where the app lives, a user's name with it), unless ``MSA_SHOW_PATHS`` is 1 (a private dashboard)."""
    import os
    from pathlib import Path

    folder = Path(folder).resolve()
    if env_flag("MSA_SHOW_PATHS"):
        return str(folder)
    app = Path(__file__).resolve().parents[2]  # the folder app.py is in
    if folder.is_relative_to(app):
        return folder.relative_to(app).as_posix() or "."
    return f"…/{folder.name}" if folder.name else "/"


def folder_named(folder, lang: str = "en") -> str:
    """The data folder as a sentence names it to visitors: as :func:`shown_folder` does, except the app's own
    folder, which that names "." ("inside the data folder (.)" told a visitor nothing): "the folder the app was
    started in, 'msa-demo'" (the data folder is where it was started, by default), else "the app's folder, '…'"
    (its name only, never where it is)."""
    from pathlib import Path

    shown = shown_folder(folder)
    if shown != ".":
        return shown
    folder = Path(folder).resolve()
    if folder == Path.cwd().resolve():
        return t("the folder the app was started in, '{name}'", lang, name=folder.name)
    return t("the app's folder, '{name}'", lang, name=folder.name)


def relative_paths(message: str, folder, *inner) -> str:
    """``message`` with the absolute paths inside ``folder`` as paths relative to it ("runs/shared") and the folder
    itself as :func:`shown_folder` names it; paths inside each of ``inner`` (an upload's unpacked folder) relative
    to that one. For the lines the engine writes (explain-batch's, the results reader's), which name the paths it
    was given: absolute on the dashboard."""
    from pathlib import Path

    for extra in inner:
        message = message.replace(str(Path(extra).resolve()) + "/", "")
    folder = Path(folder).resolve()
    if str(folder) == "/":
        return message
    return message.replace(str(folder) + "/", "").replace(str(folder), shown_folder(folder))


def in_folder(text: str, folder):
    """A path a visitor typed (relative to ``folder``, or absolute), resolved (symlinks too), when it lies inside
    ``folder``; None when it does not (the data-folder rule of the Dataset tab and Compare's B)."""
    from pathlib import Path

    folder = Path(folder).resolve()
    path = Path(text).expanduser()
    path = (path if path.is_absolute() else folder / path).resolve()
    return path if path.is_relative_to(folder) else None


PRESET_SUFFIXES = (".json", ".yaml", ".yml")
RESULTS_DIR = "msa_results"  # the Dataset tab's runs started from the page: a fresh folder each, in the data folder
VISITORS = "visitors"  # msa_results/visitors/<key>/: one visitor's own runs (their uploads' rows: private)
PRIVATE = (RESULTS_DIR, VISITORS)  # the visitors' own runs, as parts of a path in the data folder: no preset there


def preset_path(text: str, folder):
    """A preset path a visitor typed (Compare's B), resolved, when it can be one: inside ``folder``
    (:func:`in_folder`), no part of it hidden (a name starting with '.', as typed or once resolved: .git/config,
    .env), not among the visitors' own runs, and a .json / .yaml / .yml file or a folder a ``train`` run wrote
    (``config.trained_folder``); None otherwise, whether it exists or not, so that the refusal tells a visitor
    nothing of the server's files (app.py was opened and said not to parse as JSON, a missing file was not)."""
    from pathlib import Path

    from msa_demo.config import trained_folder

    if any(part.startswith(".") and part not in (".", "..") for part in Path(str(text).strip()).parts):
        return None
    path = in_folder(str(text).strip(), folder)
    if path is None:
        return None
    parts = path.relative_to(Path(folder).resolve()).parts
    if any(part.startswith(".") for part in parts) or parts[:2] == PRIVATE:
        return None
    if path.suffix.lower() in PRESET_SUFFIXES and path.is_file():
        return path
    return path if trained_folder(path) else None


def explain_lanes() -> int:
    """How many explanations the dashboard makes at once: ``MSA_EXPLAIN_LANES`` when set, else one on a GPU and two
    on a CPU. Two at once kept both cores busy where one left a core idle while it drew, wrote and sent its panels
    (16 users, the lite preset, this 2-core machine: explain p95 21.3 and 19.9 s with one lane, 16.9 and 18.5 s
    with two, alternated runs of ``benchmarks/load.py``); panels made at once share the cores
    (``explain.forward``)."""
    import torch

    lanes = lanes_setting()
    if lanes is not None:
        return lanes
    return 1 if torch.cuda.is_available() else 2


@dataclass(frozen=True)
class Control:
    """One Advanced widget. ``option``: the ExplainOptions field it sets ("" for a dashboard-only setting, which
    then declares its own ``default``, ``label`` and ``choices``). ``choices``: the dashboard's names for the
    field's values ({"both": ("integrated_gradients", "occlusion"), ...}), when they differ from the field's own.
    ``step``: a float slider's step. The widget's elem_id is the name with dashes ("face-anyway")."""

    name: str
    option: str = ""
    choices: dict | tuple = ()
    default: Any = None
    label: str = ""
    info: str = ""
    step: float | None = None

    @property
    def spec(self) -> OptionSpec | None:
        return next((s for s in option_specs(ExplainOptions) if s.name == self.option), None)

    @property
    def initial(self) -> Any:
        """The widget's starting value: the field's default, in the dashboard's words (or the control's own
        ``default``, where the dashboard starts elsewhere than the API: the time budget, read from the environment
        when the page is built)."""
        if not self.option or self.default is not None:
            return self.default() if callable(self.default) else self.default
        default = self.spec.default
        if isinstance(self.choices, dict):
            return next(k for k, v in self.choices.items() if tuple(v) == tuple(default))
        return list(default) if isinstance(default, tuple) else default

    def value(self, raw: Any) -> Any:
        """The field's value from the widget's (a dashboard choice -> the methods it stands for)."""
        if isinstance(self.choices, dict):
            if raw not in self.choices:
                what = (self.label or self.spec.label).lower()
                raise InputError(f"Unknown {what} '{raw}'; use {', '.join(self.choices)}.")
            return self.choices[raw]
        return raw


CONTROLS: tuple[Control, ...] = (
    Control("target", choices=(TARGET_PREDICTED, *SENTIMENTS), default=TARGET_PREDICTED, label="Explain which class",
            info="the class the maps explain: the predicted one, or another"),
    Control("text_method", "text_methods", choices=TEXT_METHODS, label="Text method"),
    Control("text_baseline", "text_baseline"),
    Control("image_method", "image_methods", choices=IMAGE_METHODS, label="Image method"),
    Control("image_baseline", "image_baseline"),
    Control("regions", "regions"),
    Control("grid", "grid"),
    Control("superpixels", "superpixels"),
    Control("audio_method", "audio_methods", choices=AUDIO_METHODS, label="Audio method"),
    Control("audio_baseline", "audio_baseline"),
    Control("segment_seconds", "segment_seconds", step=0.02,
            info="length of an audio segment, in seconds; word segments where words are recognised"),
    Control("ig_steps", "ig_max_steps"),
    Control("seed", "seed"),
    Control("sanity", "sanity"),
    Control("face_anyway", default=False, label="Read a picture without a face as a face",
            info="otherwise the face model abstains"),
    # after the first ones, so that a caller giving /explain's settings by position keeps its order
    Control("audio_level", "audio_level"),
    Control("deletion_steps", "deletion_steps"),
    Control("ig_min_steps", "ig_min_steps"),
    Control("budget", "budget", default=dashboard_budget, step=0.5,  # read when the page is built
            info="seconds the maps may take (0: no limit; on a CPU the dashboard starts at 5): IG steps, the grid, "
                 "segments and curve points are chosen to fit, and each map says what it gave up"),
    # the dashboard asks what would change the model's mind by default (the command line and the API: --what-if)
    Control("what_if", "what_if", default=True),
    Control("what_if_forwards", "what_if_forwards"),
    Control("robustness", "robustness"),
    Control("tone", "tone", default=True),  # on in the dashboard: a few audio reads (nothing on lite: a note)
)
NAMES = tuple(c.name for c in CONTROLS)


@dataclass(frozen=True)
class Settings:
    """What the Advanced panel asks for: the explanation's options, the class to explain (None: the predicted
    one) and whether a picture without a face is read as one."""

    options: ExplainOptions
    target: str | None = None
    face_anyway: bool = False


def worded(text: str, choices: Iterable = ()) -> str:
    """A setting's help as the panel shows it: its choices' values in the words their buttons show
    ("integrated_gradients: ..." → "integrated gradients: ..."), another setting's value as "regions: grid" (the
    command line's help keeps the values as they are typed)."""
    for choice in sorted(map(str, choices), key=len, reverse=True):
        text = re.sub(rf"\b{re.escape(choice)}\b", choice.replace("_", " "), text)
    return re.sub(r"\b([a-z_]+)=([a-z_]+)\b", lambda m: f"{m[1].replace('_', ' ')}: {m[2].replace('_', ' ')}", text)


def widget_for(control: Control):
    """The Gradio widget for one control, with the validator's range and choices and the field's help."""
    import gradio as gr

    spec = control.spec
    label = control.label or (spec.title if spec else control.name)
    info = control.info or (spec.help if spec else "") or None
    if info:
        choices = tuple(control.choices or (spec.choices if spec else ()))
        shown = worded(info, choices)
        info = tr(info) if shown == info else tr_made(shown, worded(ZH.get(info, shown), choices))
    common = dict(value=control.initial, label=tr(label), info=info, elem_id=control.name.replace("_", "-"))
    if spec is None:  # a dashboard-only setting
        if isinstance(control.default, bool):
            return gr.Checkbox(**common)
        shown = {TARGET_PREDICTED: "预测的类别"}  # the rest are class names, said as the verdicts say them
        return setting_input(gr.Dropdown, [(tr_made(str(c), shown.get(c) or class_name(c, "zh")), c)
                                           for c in control.choices], **common)
    if control.choices or spec.choices:  # shown in words ("integrated gradients"), sent as the value
        words = {c: str(c).replace("_", " ") for c in (control.choices or spec.choices)}
        choices = [(tr_made(word, t(word, "zh")), c) for c, word in words.items()]
        return setting_input(gr.CheckboxGroup if spec.kind is tuple and not control.choices else gr.Radio, choices,
                             **common)
    if spec.kind is bool:
        return gr.Checkbox(**common)
    lo, hi = spec.bounds or (None, None)
    step = 1 if spec.kind is int else (control.step or 0.01)
    if spec.exclusive:  # a slider's ends are inclusive: keep one step inside an open range
        lo, hi = (None if lo is None else lo + step), (None if hi is None else hi - step)
    if lo is not None and hi is not None and (hi - lo) / step <= SLIDER_POSITIONS:
        return setting_input(gr.Slider, lo, hi, step=step, **common)
    return number_input(minimum=lo, maximum=hi, precision=0 if spec.kind is int else None, step=step, **common)


def advanced_widgets() -> dict[str, Any]:
    """Every Advanced widget, made in ``CONTROLS`` order inside the current Blocks context: {name: component}."""
    return {c.name: widget_for(c) for c in CONTROLS}


def read_settings(**values: Any) -> Settings:
    """Settings from the widgets' values by name (a name not given takes its default); InputError with one line
    for an unknown name or a value out of range (ExplainOptions checks every field)."""
    unknown = sorted(set(values) - set(NAMES))
    if unknown:
        raise InputError(f"Unknown explanation setting(s): {', '.join(unknown)}. Use: {', '.join(NAMES)}.")
    by_name = {c.name: c for c in CONTROLS}
    fields = {}
    for name, raw in values.items():
        control = by_name[name]
        if control.option:
            fields[control.option] = numeric(control.spec, control.value(raw))
    target = values.get("target")
    target = None if target in (None, "", TARGET_PREDICTED) else str(target)
    if target is not None and target not in SENTIMENTS:
        raise InputError(f"The target class must be one of {', '.join(SENTIMENTS)} (got '{target}').")
    try:
        options = ExplainOptions(**fields)
    except InputError:  # an option's own line says which and what it takes ("Explanation option: ...")
        raise
    except (TypeError, ValueError) as exc:
        raise InputError(f"These explanation settings cannot be used: {exc}") from None
    return Settings(options=options, target=target, face_anyway=bool(values.get("face_anyway", False)))


def numeric(spec: OptionSpec, value: Any) -> Any:
    """A number from a widget or an API client as the field's kind (a slider gives 7.0 for 7, a client "7");
    anything else is left for the validator to refuse in words."""
    if spec.kind not in (int, float) or isinstance(value, bool):
        return value
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        return value
    if spec.kind is int:
        return int(number) if number.is_integer() else value
    return number


def settings_values(**values: Any) -> list[Any]:
    """Every control's value in ``CONTROLS`` order, defaults filled in (what an explanation is stamped with): as
    the options they make where they can be read (a slider's 7.0 and a client's 7 are the same setting), else as
    given."""
    try:
        settings = read_settings(**values)
    except InputError:
        return [values.get(c.name, c.initial) for c in CONTROLS]
    return [json.dumps([settings.options.to_dict(), settings.target, settings.face_anyway], sort_keys=True,
                       default=str)]


def requested_options(**values: Any) -> ExplainOptions:
    """The options the controls ask for (other keywords ignored), or the defaults where they cannot be read: what
    ZeroGPU sizes its request from, before the check refuses a bad setting in words."""
    try:
        return read_settings(**{k: v for k, v in values.items() if k in NAMES}).options
    except InputError:
        return ExplainOptions()


def gpu_duration(options: ExplainOptions | None = None, n_modalities: int | None = None) -> int:
    """Seconds of GPU to ask ZeroGPU for, from the requested work (``n_modalities``: default, every registered)."""
    from msa_demo.registry import names

    options = options or ExplainOptions()
    n_modalities = len(names()) if n_modalities is None else n_modalities
    base = 15 + 0.25 * options.ig_max_steps * n_modalities + 10 * len(options.of("image").methods)
    base += (10 if options.what_if else 0) + (5 if options.tone else 0)  # the searches; eight audio reads
    # the sanity check: one more map per method; robustness: four more (``explain.methods.ROBUSTNESS_SAMPLES``)
    return int(min(300, base * (2 if options.sanity else 1) * (5 if options.robustness else 1)))
