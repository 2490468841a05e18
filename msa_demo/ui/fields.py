"""The dashboard's per-modality parts, made from the modality registry (:mod:`msa_demo.registry`), and the one
way handlers exchange values with the page: by name.

Inputs: a modality's input is its name (``text``), its switch ``use_<name>`` (``use_text``). The endpoints list
them as :func:`input_names` says: the preset, the built-ins' inputs, their switches, the settings, then each
further modality's input and switch, so the built-ins' parameters keep their positions whatever is registered.

Outputs: every handler returns ``{part name: value}``; :class:`Page` hands Gradio ``{component: value}``. A part is
``fused``, ``notices``, ``contrib``, ``trust`` ... (the page's own), ``own.<modality>`` (a modality's own verdict)
or ``<modality>.<part>`` (a part of the modality's explanation panel, as its kind's ``view`` names it: every
kind's panel, built-ins included, is made, filled and placed the same way). The endpoints return them by position
in :func:`output_order`: the built-ins' outputs where they have always been (``EXPLAIN_OUTPUTS``), then each
further modality's verdict, then its panel's parts.
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping

from msa_demo.config import MODALITIES
from msa_demo.errors import InputError
from msa_demo import registry
from msa_demo.ui.i18n import tr
from msa_demo.views import map_figure, speaks


def switch(name: str) -> str:
    """The keyword of a modality's "use" switch."""
    return f"use_{name}"


def builtins() -> list[str]:
    return [n for n in registry.names() if n in MODALITIES]


def further() -> list[str]:
    """The registered modalities beyond the built-ins, in registration order."""
    return [n for n in registry.names() if n not in MODALITIES]


def input_names(middle: Iterable[str] = ()) -> list[str]:
    """Every handler keyword in the endpoints' order: preset, the built-ins' inputs and switches, ``middle`` (the
    settings), each further modality's input and switch."""
    inner, middle = builtins(), list(middle)
    taken = sorted(set(middle) & {x for n in registry.names() for x in (n, switch(n))})
    if taken:
        raise InputError(f"A modality's name clashes with the dashboard setting(s) {', '.join(taken)}; rename it.")
    return ["preset", *inner, *map(switch, inner), *middle, *(x for n in further() for x in (n, switch(n)))]


def optional_further(fn):
    """``fn`` (a handler that takes its values by name) as the API should see it: each further modality's input a
    keyword defaulting to None, so a client that leaves it out (positional calls with the built-ins' values) is not
    refused, whatever the widget starts with (a file widget starts with None, which Gradio would call required).
    ``fn`` itself when only the built-ins are registered."""
    import functools
    import inspect

    if not further():
        return fn
    sig = inspect.signature(fn)
    kept = [p for p in sig.parameters.values() if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    extra = [inspect.Parameter(n, inspect.Parameter.KEYWORD_ONLY, default=None) for n in further()]
    var = inspect.Parameter("named", inspect.Parameter.VAR_KEYWORD)

    if inspect.isgeneratorfunction(fn):  # a streaming handler stays one (Gradio tells them apart by this)
        @functools.wraps(fn)
        def call(*args, **named):
            yield from fn(*args, **named)
    else:
        @functools.wraps(fn)
        def call(*args, **named):
            return fn(*args, **named)

    call.__signature__ = sig.replace(parameters=[*kept, *extra, var])
    return call


@dataclass(frozen=True)
class Request:
    """What the inputs column says: the preset, each modality's raw value (None: not given) and its switch."""

    preset: str | None = None
    values: Mapping[str, Any] = field(default_factory=dict)
    use: Mapping[str, bool] = field(default_factory=dict)

    @property
    def given(self) -> dict[str, Any]:
        return {n: v for n, v in self.values.items() if v is not None}

    @property
    def switched_on(self) -> list[str]:
        return [n for n in registry.names() if self.use.get(n, True)]

    def stamp(self) -> dict[str, Any]:
        """What the inputs column says, by its names on the screen: the preset, each modality's input, then each
        "use" switch ("the image switch")."""
        names = registry.names()
        return {"preset": self.preset, **{n: self.values.get(n) for n in names},
                **{f"the {n} switch": self.use.get(n, True) for n in names}}


def bind(args: tuple, named: Mapping[str, Any], tail: Iterable[str] = ()) -> tuple[Request, dict[str, Any]]:
    """(Request, the other keywords) from a handler's arguments: by name (what the page sends), or, for callers in
    Python, positionally in the built-ins' order (preset, text, image, audio, use_text, use_image, use_audio, then
    ``tail``). An empty text counts as not given; a switch not given is on."""
    inner = builtins()
    order = ["preset", *inner, *map(switch, inner), *tail]
    if len(args) > len(order):
        raise TypeError(f"at most {len(order)} positional values ({', '.join(order)}); got {len(args)}")
    given = dict(zip(order, args))
    twice = sorted(set(given) & set(named))
    if twice:
        raise TypeError(f"given twice: {', '.join(twice)}")
    given.update(named)
    names = registry.names()
    values = {n: None if isinstance(given.get(n), str) and given[n] == "" else given.get(n) for n in names}
    use = {n: bool(given[switch(n)]) if given.get(switch(n)) is not None else True for n in names}
    rest = {k: v for k, v in given.items() if k not in {"preset", *names, *map(switch, names)}}
    return Request(given.get("preset"), values, use), rest


# ---------------------------------------------------------------------- widgets (inside a gr.Blocks context)


def default_widget(**kwargs):
    """A modality that declares no widget: a text box, whose text its ``read`` parses."""
    import gradio as gr

    return gr.Textbox(**kwargs)


def input_widgets() -> tuple[dict[str, Any], dict[str, Any]]:
    """Each registered modality's input widget and "use" switch, in registry order: ({name: widget},
    {use_name: checkbox}); elem_ids ``<name>-input`` and ``use-<name>``."""
    import gradio as gr

    values, switches = {}, {}
    for kind in registry.kinds():
        label = kind.label or (f"{kind.title} ({kind.cli_help})" if kind.cli_help else kind.title)
        values[kind.name] = (kind.widget or default_widget)(label=tr(label), elem_id=f"{kind.name}-input")
        switches[switch(kind.name)] = gr.Checkbox(True, label=tr(f"use {kind.name}"), elem_id=f"use-{kind.name}")
    return values, switches


def alone_titles() -> dict[str, str]:
    """Each registered modality's own verdict's title ("Text alone"), in registry order."""
    return {k.name: k.alone or f"{k.title} alone" for k in registry.kinds()}


def alone_labels() -> dict[str, Any]:
    """Each registered modality's own verdict, in registry order: {name: gr.Label} (elem_id ``own-<name>``)."""
    import gradio as gr

    return {m: gr.Label(label=tr(title), elem_id=f"own-{m}", visible=False)
            for m, title in alone_titles().items()}  # shown once there is a verdict


def default_view(kind) -> dict:
    import gradio as gr

    return {"plot": gr.Plot(label=kind.panel or kind.title, show_label=False, elem_id=f"{kind.name}-plot",
                            visible=False)}


def _named(parts) -> dict[str, Any]:
    """A kind's ``view`` / ``render`` result by part name (a tuple's parts are named "0", "1" ...)."""
    return dict(parts) if isinstance(parts, Mapping) else {str(i): v for i, v in enumerate(parts)}


def panels() -> dict[str, Any]:
    """Every registered modality's explanation panel, made in the current Gradio context in registry order:
    {``<modality>.<part>``: component}."""
    out: dict[str, Any] = {}
    for kind in registry.kinds():
        made = kind.view() if kind.view else default_view(kind)
        out.update({f"{kind.name}.{p}": c for p, c in _named(made).items()})
    return out


def rendered(kind, exp: dict, lang: str = "en") -> dict[str, Any]:
    """A kind's panel values from an explanation: {``<modality>.<part>``: value} (in ``lang`` where its ``render``
    takes one), its pictures and sounds as files (:func:`as_files`)."""
    if kind.render:
        made = kind.render(exp, lang=lang) if speaks(kind.render) else kind.render(exp)
        return {f"{kind.name}.{p}": as_files(v) for p, v in _named(made).items()}
    return {f"{kind.name}.plot": map_figure(exp, kind.name) if exp.get("maps") else None}


# Pictures and sounds go to the page as files written once, whole, under a name made from their content. Given a
# picture or a sound as such, Gradio (6.31: save_pil_to_cache, save_audio_to_cache) writes it into its cache again
# at each update that carries it, over the same file: a browser still fetching it from the last update reads a file
# cut short or grown under it (on a busy CPU: "Too much data for declared Content-Length" in the server's log and a
# picture that never loads). A file path it copies once, by a rename (save_file_to_cache).
KEPT_FILES = 1000  # the newest this many stay; Gradio has copied the older ones into its cache long since
_kept: OrderedDict[str, Path] = OrderedDict()
_kept_lock = threading.Lock()
_kept_dir: list[Path] = []


def kept_file(data: bytes, suffix: str) -> str:
    """``data`` as a file named by its content, written once (under another name, then renamed into place)."""
    name = hashlib.sha256(data).hexdigest()[:32] + suffix
    with _kept_lock:
        if not _kept_dir:
            _kept_dir.append(Path(tempfile.mkdtemp(prefix="msa_panels_")))
        path = _kept_dir[0] / name
        if name not in _kept or not path.is_file():
            write_whole(path, data)
        _kept[name] = path
        _kept.move_to_end(name)
        while len(_kept) > KEPT_FILES:
            _kept.popitem(last=False)[1].unlink(missing_ok=True)
    return str(path)


def write_whole(path: Path, data: bytes) -> None:
    """``data`` into ``path`` as a whole: written under another name beside it, then renamed into place (a reader
    sees the old file or the new one, never one cut short); a file there already with these bytes is left as it
    is."""
    if path.is_file() and path.stat().st_size == len(data) and path.read_bytes() == data:
        return
    fd, staging = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(staging, path)
    except BaseException:
        Path(staging).unlink(missing_ok=True)
        raise


def as_files(value: Any) -> Any:
    """A panel value with each picture (a PIL image, as in a gallery's (picture, caption) pairs) written as a WebP
    file, as Gradio would write it, and a sound (``(rate, mono samples)``) as a float WAV file (``inputs.float_wav``):
    their paths instead. Everything else as it is; an update's value likewise."""
    from PIL import Image

    if isinstance(value, Image.Image):
        buf = io.BytesIO()
        value.save(buf, format="WEBP")
        return kept_file(buf.getvalue(), ".webp")
    if isinstance(value, dict) and value.get("__type__") == "update" and "value" in value:
        return {**value, "value": as_files(value["value"])}
    if isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], int) and hasattr(value[1], "dtype"):
        import numpy as np

        from msa_demo.inputs import float_wav

        rate, samples = value
        scale = np.iinfo(samples.dtype).max if np.issubdtype(samples.dtype, np.integer) else 1.0
        return kept_file(float_wav(np.asarray(samples, np.float32) / scale, rate), ".wav")
    if isinstance(value, (list, tuple)) and any(isinstance(v, (Image.Image, tuple)) for v in value):
        made = [as_files(v) for v in value]
        return type(value)(made) if any(a is not b for a, b in zip(made, value)) else value
    return value


_PART_NAMES: dict = {}  # (kind name, its render) -> its parts' names: an empty panel is not drawn to learn them


def part_names(kind) -> list[str]:
    """A kind's panel part names (``<modality>.<part>``), as :func:`rendered` gives them."""
    key = (kind.name, kind.render)
    if key not in _PART_NAMES:
        _PART_NAMES[key] = list(rendered(kind, {}))
    return _PART_NAMES[key]


def named_inputs(preset, values: Mapping[str, Any], switches: Mapping[str, Any],
                 middle: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """{keyword: component} in :func:`input_names` order, for an event's ``inputs_kwargs``."""
    middle = dict(middle or {})
    widgets = {"preset": preset, **values, **switches, **middle}
    return {n: widgets[n] for n in input_names(middle)}


# ---------------------------------------------------------------------- the page's parts, by name

# the endpoints' outputs by position, for the built-ins as /predict and /explain have always returned them
PREDICT_OUTPUTS = ("fused", "own.text", "own.image", "own.audio", "notices")
EXPLAIN_OUTPUTS = (*PREDICT_OUTPUTS, "contrib", "text.words", "image.picture", "image.heat_maps", "audio.plot",
                   "audio.clip", "trust", "image.legend", "audio.heard", "fresh", "stamp", "verdicts_for", "state",
                   "report", "json", "what_if")  # (``verdicts_for``, ``stamp`` and ``state``: the page's, no value)


def output_order(names: Iterable[str], first: Iterable[str] = EXPLAIN_OUTPUTS) -> list[str]:
    """``names`` (parts on the page) in the endpoints' order: those of ``first`` in its order, then each further
    modality's own verdict, then the rest as the page lists them."""
    names = list(names)
    head = [n for n in first if n in names]
    verdicts = [n for n in names if n.startswith("own.") and n not in head]
    return head + verdicts + [n for n in names if n not in head and n not in verdicts]


def panel_values(exp: dict | None, changed: Iterable[str] | None = None, skip: Any = None,
                 lang: str = "en") -> dict[str, Any]:
    """Every modality's panel values from an explanation (``Explanation.to_dict()``; None or ``{}``: empty
    panels); a modality not in ``changed`` gives ``skip`` for each of its parts (None: every panel is rebuilt)."""
    out: dict[str, Any] = {}
    for kind in registry.kinds():
        if changed is not None and kind.name not in changed:
            out.update(dict.fromkeys(part_names(kind), skip))
        else:
            out.update(rendered(kind, exp or {}, lang))
    return out


# A part the page hides stays on it, unseen: Gradio (6.31) leaves a ``visible=False`` component out of the page and
# builds it when it is first shown, and an update that arrives while it is being built can be lost. A streamed
# explanation shows its panels, then fills them a moment later: the audio map or the clip's timeline never drew, the
# explanation done (2 browser runs in 4 here, on a quiet machine). Hidden as ``"hidden"``, a part is built with the
# page and only its display changes.
HIDDEN = "hidden"


def kept_mounted(value):
    """A handler's value for a part as the page takes it: an update that hides the part (``visible=False``) hides
    it as ``visible="hidden"`` (:data:`HIDDEN`); anything else as it is."""
    if isinstance(value, dict) and value.get("visible") is False:
        return {**value, "visible": HIDDEN}
    return value


def panel_placement(given: Iterable[str], used: Iterable[str]) -> dict[str, bool]:
    """Which panel parts are shown: a modality's parts when it is ``used``, those its kind names in
    ``given_parts`` already when it is ``given``."""
    given, used = set(given), set(used)
    return {name: kind.name in used or (kind.name in given and name.split(".", 1)[1] in kind.given_parts)
            for kind in registry.kinds() for name in part_names(kind)}


@dataclass
class Page:
    """The page's output components by part name (in page order); handlers return values by the same names."""

    parts: dict[str, Any] = field(default_factory=dict)

    def outputs(self, names: Iterable[str]) -> list:
        return [self.parts[n] for n in names]

    def order(self, pick=lambda name: True, first: Iterable[str] = EXPLAIN_OUTPUTS) -> list[str]:
        """The names ``pick`` keeps, in the endpoints' order (:func:`output_order`)."""
        return output_order([n for n in self.parts if pick(n)], first)

    def keep_mounted(self) -> None:
        """Every part made hidden (``visible=False``) is made ``visible="hidden"`` instead: on the page, but not
        seen (see :func:`kept_mounted`). Call once the parts are made, before the page is served."""
        for part in self.parts.values():
            if getattr(part, "visible", None) is False:
                part.visible = HIDDEN

    def keyed(self, fn):
        """``fn`` (a handler returning or yielding {part name: value}) as Gradio takes it: {component: value}.
        Its signature is kept (the endpoints' parameters are read from it); a generator stays one."""
        import functools
        import inspect

        def to_components(out, page: bool = True):
            if not out:  # nothing to change (Gradio reads an empty dict as one value)
                import gradio as gr

                return gr.skip()
            from msa_demo.ui.widgets import headed  # (widgets imports this module)

            # the page's verdict boxes headed with their values; a client reads the values alone
            return {self.parts[n]: kept_mounted(v) for n, v in (headed(out) if page else out).items()}

        if inspect.isgeneratorfunction(fn):
            @functools.wraps(fn)
            def call(*args, **named):
                page = not from_code(*args, *named.values())
                for out in fn(*args, **named):
                    yield to_components(out, page)
        else:
            @functools.wraps(fn)
            def call(*args, **named):
                return to_components(fn(*args, **named), not from_code(*args, *named.values()))
        return call


def from_code(*values) -> bool:
    """Whether a handler called with ``values`` answers ``gradio_client`` (or Gradio's MCP server), not the page:
    its ``gr.Request`` among them says so."""
    for value in values:
        if type(value).__name__ == "Request" and hasattr(value, "headers"):
            return (getattr(value, "headers", None) or {}).get("x-gradio-user") in ("api", "mcp")
    return False


__all__ = ["EXPLAIN_OUTPUTS", "HIDDEN", "kept_mounted", "PREDICT_OUTPUTS", "Page", "Request", "alone_labels", "alone_titles", "bind", "builtins", "further",
           "input_names", "input_widgets", "named_inputs", "optional_further", "output_order",
           "panel_placement", "panel_values", "panels", "rendered", "switch"]
