"""The explanation's options: the shared settings, and each registered modality's own, composed by namespace.

Every setting is declared once, as a dataclass field made with :func:`option` (its default, range or choices, label
and help); the validation, the ``explain`` command's flags (``msa_demo.cli``), the dashboard's Advanced controls
(``ui.options``) and the JSON API all read :func:`option_specs`. :class:`CoreOptions` holds what every map shares
(IG steps, the seed, the deletion curve, the budget, what-if, tone ...); each modality kind declares its own small
dataclass (``ModalityKind.options``: the text's methods and baseline, the image's grid ...), as a component
declares its ``config_spec`` in LIT. :class:`ExplainOptions` is the core plus one part per registered kind:
``options.of("image")`` is the image's part, ``options.grid`` the same setting by its public name.

A kind's setting is publicly ``<kind>_<field>`` (the text's ``methods`` is ``text_methods``, a registered
``physiology`` kind's ``methods`` is ``physiology_methods``), or the field's own name where it is declared
``bare`` (the image's ``grid``, the audio's ``segment_seconds``). The public name is the command-line flag
(``--text-methods``), the key of ``ExplainOptions.to_dict()`` (a saved explanation's ``options``) and the keyword of
``ExplainOptions(...)``; it never says where the setting is declared.
"""

from __future__ import annotations

import json
from dataclasses import MISSING, dataclass, field, fields, replace
from typing import Any, Callable, Iterable, Mapping

from msa_demo.config import SENTIMENTS
from msa_demo.errors import InputError
# a setting's declaration, on the ground floor (the command line's early check reads a clip's span, declared with one,
# before torch is imported)
from msa_demo.optionspec import OptionSpec


def option(default: Any, help: str, *, label: str = "", choices: Iterable | Callable[[], Iterable] = (),
           bounds: tuple | None = None, exclusive: bool = False, unit: str = "", min_count: int = 0,
           bare: bool = False) -> Any:
    """A setting with its metadata (see :class:`OptionSpec`): declared once, read by all.

    ``choices``: the allowed values; a mapping (the methods table) or a function giving them is read each time the
    specs are (a method added to the table is a choice at once). ``bare``: a modality's setting known by its own
    name (``grid``), not ``<kind>_<name>``."""
    if not (isinstance(choices, Mapping) or callable(choices)):
        choices = tuple(choices)
    return field(default=default, metadata={"help": help, "label": label, "choices": choices, "bounds": bounds,
                                            "exclusive": exclusive, "unit": unit, "min_count": min_count,
                                            "bare": bare})


def _choices(raw: Any) -> tuple:
    return tuple(raw() if callable(raw) else raw or ())


def _spec(f, name: str, owner: str = "") -> OptionSpec:
    meta = dict(f.metadata)
    default = f.default if f.default is not MISSING else f.default_factory()  # type: ignore[misc]
    return OptionSpec(name=name, default=default, kind=type(default), help=meta.get("help", ""),
                      label=meta.get("label", ""), choices=_choices(meta.get("choices")), bounds=meta.get("bounds"),
                      exclusive=meta.get("exclusive", False), unit=meta.get("unit", ""),
                      min_count=meta.get("min_count", 0), owner=owner, attr=f.name)


def public_name(owner: str, f) -> str:
    """A setting's public name: a shared one's field name; a kind's ``<kind>_<field>``, or ``<field>`` if bare."""
    return f.name if not owner or f.metadata.get("bare") else f"{owner}_{f.name}"


@dataclass
class CoreOptions:
    """The settings every modality's maps share (each declared once, with :func:`option`)."""

    ig_max_steps: int = option(
        64, "adaptive IG's most steps (8, 16, 32, ... until |delta| < tolerance x |f(x) - f(baseline)|)",
        label="IG steps", bounds=(2, 1024))
    sanity: bool = option(
        False, "model-randomisation check (Adebayo et al. 2018); costs one more map per method",
        label="sanity check")
    seed: int = option(
        0, "seed of every random choice (noise baseline, random deletion order)",
        label="the seed", bounds=(0, 2**32 - 1))
    deletion_steps: int = option(
        10, "points on the deletion / AOPC curve",
        label="deletion steps", bounds=(2, 100))
    ig_min_steps: int = option(
        8, "adaptive IG's first step count (it starts higher where the same model last needed more steps on an"
           " input of that size)",
        label="IG start steps", bounds=(2, None))
    ig_tolerance: float = option(
        0.05, "adaptive IG stops when |delta| < tolerance x |f(x) - f(baseline)|",
        label="the IG tolerance", bounds=(0, 1), exclusive=True)
    batch_size: int = option(
        0, "rows per model call (internal_batch_size / perturbations_per_eval); 0: auto (GPU 64, CPU 16)",
        label="the batch size", bounds=(0, None))
    budget: float = option(
        0.0, "seconds the maps may take (0: no limit): IG steps, the image grid, audio segments and deletion-curve"
        " points are chosen to fit, and each map says what it gave up",
        label="the time budget", bounds=(0, 3600), unit=" seconds")
    what_if: bool = option(
        False, "what would change its mind: the fewest words, regions or segments whose removal (text: also their"
        " replacement by an antonym or a neutral word) flips the fused verdict, searched from each map's ranking"
        " and checked by the model",
        label="what-if")
    what_if_forwards: int = option(
        64, "model rows each what-if search may spend (per modality and per text edit)",
        label="what-if forwards", bounds=(1, 10000))
    tone: bool = option(
        False, "how it sounds: the clip said higher or lower, faster or slower, quieter or louder, or in noise"
        " (torchaudio), and how far each moves the fused verdict; not for an audio model that reads only words",
        label="how it sounds")
    robustness: bool = option(
        False, "how much each map changes under small input noise (Captum's sensitivity_max over a few noisy"
        " copies); costs that many more maps per method",
        label="robustness check")


def _option_kinds() -> list:
    """The registered kinds that declare options, in registry order."""
    from msa_demo.registry import kinds

    return [k for k in kinds() if getattr(k, "options", None) is not None]


def _own_specs(cls: type, owner: str = "") -> list[OptionSpec]:
    return [_spec(f, public_name(owner, f), owner) for f in fields(cls)]


def option_specs(cls: type | None = None) -> tuple[OptionSpec, ...]:
    """Every setting with its metadata, in order: by default (``cls`` None or :class:`ExplainOptions`) the shared
    ones, then each registered kind's by its public name; for another dataclass, its own fields by their names.

    A field declared without :func:`option` is still listed (kind from its default, no range or choices). Read
    afresh each call: a kind registered (or a method added to the table) since counts at once."""
    if cls is not None and cls is not ExplainOptions:
        return tuple(_own_specs(cls))
    out = _own_specs(CoreOptions)
    for kind in _option_kinds():
        out += _own_specs(kind.options, kind.name)
    return tuple(out)


_CORE = tuple(f.name for f in fields(CoreOptions))


@dataclass(init=False)
class ExplainOptions(CoreOptions):
    """Every setting of an explanation (stored in the result so it can be reproduced): the shared ones
    (:class:`CoreOptions`) and ``parts``, each registered kind's own options by its name.

    Built like a flat dataclass, by public names (``ExplainOptions(grid=5, text_methods=("occlusion",))``), or
    with ``parts`` ({kind: its options object, or a dict of its fields}); every value is checked (one-line
    :class:`InputError`). ``options.grid`` reads (and sets) a kind's setting by its public name,
    ``options.of("image").grid`` by its namespace; ``dataclasses.replace(options, grid=3)`` works as for a flat
    dataclass; ``to_dict()`` is flat, by public names (what saved explanations hold)."""

    parts: dict = field(default_factory=dict)

    def __init__(self, parts: Mapping[str, Any] | None = None, **values: Any) -> None:
        given = dict(parts or {})
        kinds = _option_kinds()
        by_name = {}
        for kind in kinds:
            for f in fields(kind.options):
                by_name[public_name(kind.name, f)] = (kind.name, f.name)
        unknown = [k for k in values if k not in _CORE and k not in by_name]
        if unknown:
            raise TypeError(f"ExplainOptions got an unexpected keyword argument '{unknown[0]}'")
        specs = {s.name: s for s in option_specs()}
        for name in _CORE:
            value = values[name] if name in values else specs[name].default
            object.__setattr__(self, name, specs[name].check(value))
        own: dict[str, Any] = {}
        for kind in kinds:
            base = given.get(kind.name)
            if isinstance(base, Mapping):
                base = kind.options(**{k: v for k, v in base.items() if k in {f.name for f in fields(kind.options)}})
            elif base is None:
                base = kind.options()
            changes = {}
            for f in fields(kind.options):
                public = public_name(kind.name, f)
                value = values[public] if public in values else getattr(base, f.name)
                changes[f.name] = specs[public].check(value)
            own[kind.name] = replace(base, **changes)
        object.__setattr__(self, "parts", own)

    def of(self, kind: str) -> Any:
        """The options of the modality ``kind`` (its declared dataclass; its defaults for a kind registered after
        these options were made); None for a kind that declares none."""
        parts = self.__dict__.setdefault("parts", {})
        if kind not in parts:
            from msa_demo.registry import names, get

            if kind not in names() or get(kind).options is None:
                return None
            parts[kind] = get(kind).options()
        return parts[kind]

    def _where(self, name: str) -> tuple[str, str] | None:
        for owner, part in (self.__dict__.get("parts") or {}).items():
            for f in fields(part):
                if public_name(owner, f) == name:
                    return owner, f.name
        return None

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or name == "parts":
            raise AttributeError(name)
        where = self._where(name)
        if where is None:
            raise AttributeError(f"'ExplainOptions' object has no attribute '{name}'")
        return getattr(self.__dict__["parts"][where[0]], where[1])

    def __setattr__(self, name: str, value: Any) -> None:
        spec = next((s for s in option_specs() if s.name == name), None)
        if spec is None:
            object.__setattr__(self, name, value)
        elif spec.owner:
            setattr(self.of(spec.owner), spec.attr, spec.check(value))
        else:
            object.__setattr__(self, name, spec.check(value))

    def to_dict(self) -> dict[str, Any]:
        """The settings by public name, as plain JSON data (tuples as lists)."""
        out: dict[str, Any] = {name: getattr(self, name) for name in _CORE}
        for owner, part in self.parts.items():
            for f in fields(part):
                out[public_name(owner, f)] = getattr(part, f.name)
        return {k: list(v) if isinstance(v, tuple) else v for k, v in out.items()}

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "ExplainOptions":
        """Options from public names (a saved explanation's ``options``, written before or after the settings were
        split by modality); names no registered setting has are left out."""
        known = {s.name for s in option_specs()}
        return cls(**{k: v for k, v in (data or {}).items() if k in known})

    @classmethod
    def from_json(cls, text: str) -> "ExplainOptions":
        return cls.from_dict(json.loads(text))


def check_target(target: str | None) -> str | None:
    if target is None or target == "":
        return None
    t = str(target).strip().lower()
    if t not in SENTIMENTS:
        raise InputError(f"The target class must be one of {', '.join(SENTIMENTS)} (got '{target}').")
    return t


__all__ = ["CoreOptions", "ExplainOptions", "OptionSpec", "check_target", "option", "option_specs", "public_name"]
