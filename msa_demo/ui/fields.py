"""The dashboard's per-modality parts, made from the modality registry (:mod:`msa_demo.registry`):
each registered kind's input widget and "use" switch, its own verdict ("X alone"), and, for a kind beyond the
built-ins, its explanation panel; and the one way handlers receive those values: by name.

Names: a modality's input is its name (``text``), its switch ``use_<name>`` (``use_text``). The endpoints list
them as :func:`input_names` says: the preset, the built-ins' inputs, their switches, the settings, then each
further modality's input and switch, so the built-ins' parameters keep their positions whatever is registered.
Outputs follow the same rule: what a further modality adds comes after the built-ins' outputs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from msa_demo.config import MODALITIES
from msa_demo.errors import InputError
from msa_demo import registry
from msa_demo.views import map_figure


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

    def stamp_values(self) -> tuple[list, dict]:
        """(the built-ins' values as ``explained_stamp`` lists them, {screen name: value} for the others)."""
        inner = builtins()
        legacy = [self.preset, *(self.values.get(n) for n in inner), *(self.use.get(n, True) for n in inner)]
        more = {}
        for n in further():
            more[n], more[f"the {n} switch"] = self.values.get(n), self.use.get(n, True)
        return legacy, more


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
        values[kind.name] = (kind.widget or default_widget)(label=label, elem_id=f"{kind.name}-input")
        switches[switch(kind.name)] = gr.Checkbox(True, label=f"use {kind.name}", elem_id=f"use-{kind.name}")
    return values, switches


def alone_labels() -> dict[str, Any]:
    """Each registered modality's own verdict, in registry order: {name: gr.Label} (elem_id ``own-<name>``)."""
    import gradio as gr

    return {k.name: gr.Label(label=k.alone or f"{k.title} alone", elem_id=f"own-{k.name}", visible=False)
            for k in registry.kinds()}  # shown once there is a verdict


def default_view(kind) -> tuple:
    import gradio as gr

    return (gr.Plot(label=kind.panel or kind.title, show_label=False, elem_id=f"{kind.name}-plot"),)


def panels() -> dict[str, tuple]:
    """The explanation panel of each modality beyond the built-ins: {name: its components}."""
    return {n: tuple(kind.view()) if kind.view else default_view(kind)
            for n in further() for kind in [registry.get(n)]}


def ordered(widgets: Mapping[str, Any]) -> tuple[list, list]:
    """(the built-ins' widgets, the others'), each in registry order, from {modality name: widget}."""
    return [widgets[n] for n in builtins()], [widgets[n] for n in further()]


def named_inputs(preset, values: Mapping[str, Any], switches: Mapping[str, Any],
                 middle: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """{keyword: component} in :func:`input_names` order, for an event's ``inputs_kwargs``."""
    middle = dict(middle or {})
    widgets = {"preset": preset, **values, **switches, **middle}
    return {n: widgets[n] for n in input_names(middle)}


# ---------------------------------------------------------------------- panel values


def panel_views(exp: dict | None, changed: Iterable[str] | None = None, skip: Any = None) -> tuple:
    """The values of :func:`panels`' components from an explanation (``Explanation.to_dict()``); a panel whose
    modality is not in ``changed`` is ``skip`` (None: every panel is rebuilt). A kind's own ``render`` gives its
    empty panel for an empty explanation (``{}``)."""
    out: list = []
    for n in further():
        kind = registry.get(n)
        if changed is not None and n not in changed:
            out += [skip] * (len(tuple(kind.render({}))) if kind.render else 1)
        else:
            out += list(kind.render(exp or {})) if kind.render else [map_figure(exp or {}, n)]
    return tuple(out)


__all__ = ["Request", "alone_labels", "bind", "builtins", "further", "input_names", "input_widgets", "named_inputs",
           "optional_further", "ordered", "panel_views", "panels", "switch"]
