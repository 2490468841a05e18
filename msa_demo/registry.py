"""The modality registry: every stage (reading inputs, loading models, explaining, the CLI, the report, the
training manifests) iterates the modality kinds registered here, in order.

A :class:`ModalityKind` declares, in one place, all a stage needs to know about one kind of input:

- ``read(value, model)``: decode and validate a raw value (string, path, bytes, array ...) into the clean input
  record the modality's models take (with ``.key`` and ``.notices``); None when the value counts as missing;
  every bad value raises :class:`~msa_demo.errors.InputError` with one clear line;
- ``families()``: the model families that can serve it (``{family name: Modality subclass}``);
- ``explain(model, inputs, target, options, used)``: its attribution maps (each a :class:`Layout` run through
  ``explain.methods.attribute``: what is perturbed, the baseline, how the map is described); ``panel`` names
  them for progress and failure messages; ``explain_notices(model, options, used)``: what it cannot run;
- ``record(value)`` / ``replay(record)``: the input, losslessly, in an explanation's JSON (``inputs``) and back
  to a raw value for ``explain --from``;
- ``report(exp)``: its section of the HTML report (an ``Explanation.to_dict()`` in, HTML out);
- ``cli_help`` / ``cli_metavar``: its ``--<name>`` flag of ``python -m msa_demo predict | explain``;
- ``manifest_file``: whether its training/dataset manifest column (named after it) holds a file path (the JSON
  endpoints then take it as an uploaded file or a URL);
- the dashboard (``msa_demo.ui.fields``): ``label`` and ``widget(label=, elem_id=)``, its input widget (default: a
  textbox whose text ``read`` parses); ``alone``, the label of its own verdict (default "<Name> alone");
  ``noun``, how the summary sentence names what it gave ("the words"; default "the <name>");
  ``view()``, its explanation panel, made and laid out in the page's current Gradio context: ``{part name:
  component}`` (a tuple: parts named "0", "1" ...); ``render(exp)``, those parts' values from an
  ``Explanation.to_dict()`` (``{}``: nothing explained; ``{"reading": ...}``: only the prediction so far), by
  the same names (default for both: one bar chart of its map's features). Each part starts hidden
  (``visible=False``: an error elsewhere never marks an empty box; the page keeps it built, unseen, as
  ``visible="hidden"``, so that a streamed update never lands while it is being built: ``ui.fields.HIDDEN``);
  the page places each part (shows it)
  when the modality is used, or already when it is given for the parts named in ``given_parts`` (the picture,
  also when no face was found in it). Every kind's panel goes through this one path, built-ins included;
  handlers address a part as ``<modality>.<part>`` (``image.picture``); ``story(exp)``, a clause the summary
  sentence adds about it (the video's: when the face mattered most, and what was said then).
- ``segment(path, start, end, folder)``: a kind whose input runs in time (a clip, a sound) cuts a file of it to the
  span ``start``-``end`` seconds (``end`` None: to its end), written into ``folder``: (the cut file's path, the
  notice that says which span of how long a file was read); a span outside the file is one
  :class:`~msa_demo.errors.InputError` line. Dataset mode cuts a row's files to its ``start`` / ``end`` columns
  with it (MOSEI's layout: a segment of a full video), ``train`` too; predict's and explain's ``--start`` /
  ``--end`` a single clip's, with ``by_flags=True`` (the notice and the line said of those flags, the file named);
  None: the kind has no time to cut;
- ``carries``: the kinds an input of it may bring along (its read value's ``.carries``: a clip's sound track, the
  words said in it), read where the row or the page does not give them itself; ``train`` reads them so too;
- ``options``: its own explanation settings, a small dataclass of ``explain.options.option`` fields (its methods,
  baseline ...), composed with every other kind's into ``ExplainOptions`` under its name: its flags, JSON keys and
  checks follow (``<name>_<field>``, e.g. ``--physiology-methods``); its ``explain`` reads them as
  ``options.of(<name>)``.

The built-in kinds are ``config.BUILTIN_KINDS``, each declared in ``msa_demo.kinds.<name>`` (loaded here
on first use, by name, as a plug-in is: the registry never imports a modality's code). Another kind is one
:func:`register` call (and :func:`unregister` to take it away again).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from importlib import import_module
from typing import Any, Callable, Iterable, Mapping

from msa_demo.config import BUILTIN_KINDS
from msa_demo.errors import InputError

BUILTIN_PACKAGE = "msa_demo.kinds"
# names taken by predict's / Inputs' own arguments and methods, the command line's other flags and the dashboard's
# handlers' other keywords
RESERVED = frozenset({"use", "inputs", "values", "get", "present", "notices", "preset", "device", "dtype", "json",
                      "target", "html", "out", "from", "face_anyway", "progress", "stamp"})


def _no_record(value: Any) -> dict[str, Any]:
    return {}


def _no_replay(record: Mapping[str, Any]) -> Any:
    return None


def _no_notices(model: Any, options: Any, used: list[str]) -> list[str]:
    return []


@dataclass(frozen=True)
class ModalityKind:
    """One kind of input, declared once (see the module docstring for each field)."""

    name: str
    read: Callable[[Any, Any], Any]
    families: Callable[[], Mapping[str, type]]
    explain: Callable[..., list]
    panel: str = ""
    record: Callable[[Any], dict[str, Any]] = _no_record
    replay: Callable[[Mapping[str, Any]], Any] = _no_replay
    report: Callable[[dict], str] | None = None
    cli_help: str = ""
    cli_metavar: str | None = None
    manifest_file: bool = False
    explain_notices: Callable[[Any, Any, list[str]], list[str]] = _no_notices
    label: str = ""
    widget: Callable[..., Any] | None = None
    alone: str = ""
    noun: str = ""
    view: Callable[[], Any] | None = None
    render: Callable[[dict], Any] | None = None
    given_parts: tuple[str, ...] = ()
    story: Callable[[dict], str | None] | None = None
    options: type | None = None
    carries: tuple[str, ...] = ()
    segment: Callable[[str, float, float | None, Any], tuple[str, str]] | None = None

    @property
    def flag(self) -> str:
        return f"--{self.name}"

    @property
    def title(self) -> str:
        """Its name as a heading: "Physiology"."""
        return self.name.replace("_", " ").capitalize()


_KINDS: dict[str, ModalityKind] = {}
_LOADED: list[bool] = []  # loading began (a kind's module may ask for the registry while it loads: it gets those so far)
_DONE: list[bool] = []  # every built-in kind is in
_LOADING = threading.RLock()  # another thread waits for all of them: it got the first two kinds while one loaded


def _builtins() -> dict[str, ModalityKind]:
    if _DONE:
        return _KINDS
    with _LOADING:
        if not _LOADED:
            _LOADED.append(True)
            for name in BUILTIN_KINDS:
                kind = import_module(f"{BUILTIN_PACKAGE}.{name}").KIND
                _KINDS.setdefault(kind.name, kind)
            _DONE.append(True)
    return _KINDS


def register(kind: ModalityKind, replace: bool = False) -> ModalityKind:
    """Add ``kind`` after the kinds already registered; its name must be new unless ``replace``."""
    kinds = _builtins()
    if not kind.name.isidentifier() or kind.name in RESERVED:
        raise InputError(f"A modality name must be a Python identifier (it names a keyword and a flag) other "
                         f"than {', '.join(sorted(RESERVED))}; '{kind.name}' is not.")
    if kind.name in kinds and not replace:
        raise InputError(f"The modality '{kind.name}' is registered already.")
    kinds[kind.name] = kind
    return kind


def unregister(name: str) -> None:
    """Take the kind ``name`` away (a test's own modality, afterwards)."""
    _builtins().pop(name, None)


def kinds() -> list[ModalityKind]:
    """Every registered kind, built-ins first, in registration order."""
    return list(_builtins().values())


def names() -> tuple[str, ...]:
    return tuple(_builtins())


def use_names(use: str | Iterable[str]) -> list[str]:
    """The modalities a ``use`` names ("text, Image" or ["Text"]): each stripped and spelled as registered, in any
    case ('Text' had been refused); one no kind has is kept as given, for the one line that refuses it."""
    items = use.split(",") if isinstance(use, str) else list(use)
    spelled = {n.lower(): n for n in names()}
    return [spelled.get(u.strip().lower(), u.strip()) for u in items if str(u).strip()]


def check_use(use: Iterable[str] | None) -> list[str] | None:
    """``use`` as registered names, or one line refusing a name no kind has (or a ``use`` that names none): checked
    once, before a model loads, so that a batch does not fail every row with the same line (``--use txt``)."""
    if use is None:
        return None
    spelled = use_names(use)
    if not spelled:
        raise InputError(f"--use names no modality; use {choices()}.")
    for name in spelled:
        get(name)  # its one line: "Unknown modality 'txt'; use text, image, audio and/or video."
    return spelled


def get(name: str) -> ModalityKind:
    kinds_ = _builtins()
    if name not in kinds_:
        raise InputError(f"Unknown modality '{name}'; use {choices()}.")
    return kinds_[name]


def choices(conjunction: str = "and/or") -> str:
    """The registered names as a sentence: "text, image and/or audio"."""
    items = list(names())
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


def flags(conjunction: str = "or", names: Iterable[str] | None = None) -> str:
    """The input flags as a sentence: "--text, --image or --audio" (``names``: of these kinds, by name, without
    loading any)."""
    items = [k.flag for k in kinds()] if names is None else [f"--{n}" for n in names]
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


def by_position(args: tuple, values: dict[str, Any]) -> dict[str, Any]:
    """Positional raw values given in registry order (``read_inputs("hi", image)``) merged with keyword ones;
    an unknown keyword is one clear message."""
    order = names()
    if len(args) > len(order):
        raise InputError(f"Too many inputs: {len(args)} given, but only {', '.join(order)} are known.")
    out = dict(zip(order, args))
    for k, v in values.items():
        if k not in order:
            raise InputError(f"Unknown input '{k}'; use {choices()}.")
        if k in out:
            raise InputError(f"The {k} input was given twice.")
        out[k] = v
    return out


__all__ = ["ModalityKind", "register", "unregister", "kinds", "names", "get", "check_use", "choices", "flags", "by_position"]
