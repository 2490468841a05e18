"""The `predict` and `explain` commands of ``python -m msa_demo``: flags generated from the registry and the option
specs, the explanation printed in words, saved as JSON and an HTML report."""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import re
import sys
from pathlib import Path
from typing import Any

from msa_demo.i18n import t
from msa_demo.errors import InputError, ModelLoadError, MsaError, NothingRead
from msa_demo.prediction import Prediction


def add_input_flags(p: argparse.ArgumentParser, names: tuple[str, ...] | None = None) -> None:
    """One flag per registered modality (``--text``, ``--image``, ``--audio`` ...), as its kind declares it;
    ``names``: a flag for each of these kinds, without its help, and no kind loaded (the early check's parser)."""
    from msa_demo.registry import kinds

    if names is not None:
        for name in names:
            p.add_argument(f"--{name}")
        return
    for kind in kinds():
        piped = "" if kind.manifest_file else f"; '{STDIN}' reads it from standard input (UTF-8)"
        p.add_argument(kind.flag, metavar=kind.cli_metavar, help=f"{kind.cli_help}{piped}" if kind.cli_help else None)


def add_span_flags(p: argparse.ArgumentParser, early: bool = False) -> None:
    """``--start`` / ``--end``: the seconds of a single clip to read, as ``config.CLIP_SPAN`` declares them (a
    number each: "abc" is argparse's one line); ``early``: without their help (the early check's parser)."""
    from msa_demo.config import CLIP_SPAN

    for spec in CLIP_SPAN:
        p.add_argument(spec.flag, type=spec.kind, default=None, metavar="SECONDS", help=None if early else spec.help)


# a single clip's span that cannot be read: one line each, before anything is read or loaded
SPAN_FLAG_NOT_A_NUMBER = "{flag} '{value}' is not a number of seconds."
SPAN_FLAG_NEGATIVE = "{flag} ({value} s) is negative: a clip's span starts at 0 s or later."
SPAN_FLAG_BACKWARDS = "--end ({end} s) is not after --start ({start} s)."
SPAN_FLAG_NO_CLIP = "--start and --end cut a clip: give {flags} with them."
SPAN_FLAG_FROM = ("--start and --end cut a clip given with {flags}; a saved explanation (--from) is replayed as it "
                  "was read.")


def span_seconds(start: float | None, end: float | None) -> tuple[float, float | None] | None:
    """(start, end) in seconds from ``--start`` / ``--end`` (start: 0 when not given, end: None, the file's end),
    None when neither is given; or the one line of values no clip can be cut by: not a number, below its declared
    bound (``config.CLIP_SPAN``), an end not after its start. Imports no kind (the early check says it too)."""
    if start is None and end is None:
        return None
    from msa_demo.config import CLIP_SPAN

    for spec, value in zip(CLIP_SPAN, (start, end)):
        if value is None:
            continue
        if not math.isfinite(value):
            raise InputError(SPAN_FLAG_NOT_A_NUMBER.format(flag=spec.flag, value=value))
        if value < spec.bounds[0]:
            raise InputError(SPAN_FLAG_NEGATIVE.format(flag=spec.flag, value=f"{value:g}"))
    start = start or 0.0
    if end is not None and end <= start:
        raise InputError(SPAN_FLAG_BACKWARDS.format(end=f"{end:g}", start=f"{start:g}"))
    return start, end


def clip_span(start: float | None, end: float | None, raw: dict[str, Any]) -> tuple[float, float | None] | None:
    """(start, end) in seconds of the single clip(s) ``raw`` gives, from ``--start`` / ``--end`` (start: 0 when not
    given, end: None, the file's end), None when neither is given; or the one line of a span that cannot be read:
    not a number, negative, an end not after its start (:func:`span_seconds`), no clip or sound to cut (those past
    the file's end are said by the cut, :func:`cut_clips`)."""
    span = span_seconds(start, end)
    if span is None:
        return None
    from msa_demo.dataset.span import timed

    if not timed(raw):
        raise InputError(SPAN_FLAG_NO_CLIP.format(flags=timed_flags()))
    return span


def timed_flags() -> str:
    """The flags of the kinds whose input runs in time and can be cut ("--audio or --video")."""
    from msa_demo.registry import kinds

    return " or ".join(k.flag for k in kinds() if k.segment is not None)


@contextlib.contextmanager
def cut_clips(raw: dict[str, Any], span: tuple[float, float | None] | None):
    """(``raw`` with each clip and sound file cut to ``span``, the notices that say which span of which file was
    read), as explain-batch cuts a row's (``dataset.span.cut_to_span``, the kinds' own ``segment``); the cuts are
    removed on exit. No span: ``raw`` as it is."""
    if span is None:
        yield raw, []
        return
    from msa_demo.dataset.span import cut_to_span

    with cut_to_span(raw, span, by_flags=True) as (cut, said):
        yield cut, said


# an input flag's value that means "read it from standard input", as cat, grep and tar read it: a text kind's only
# (``--text -``; a long text given on the command line itself stopped in the shell: "Argument list too long")
STDIN = "-"


def from_stdin(raw: dict[str, Any], stdin=None) -> dict[str, Any]:
    """``raw`` with the value :data:`STDIN` of a kind read as text (``--text -``) replaced by standard input
    (``stdin``, else ``sys.stdin``), read whole as UTF-8; a file kind's ``-`` stays a file name. ``-`` had been
    judged as the text "-" (neutral 78 %)."""
    from msa_demo.registry import kinds

    piped = [k for k in kinds() if not k.manifest_file and raw.get(k.name) == STDIN]
    if not piped:
        return raw
    if len(piped) > 1:
        asked = " and ".join(f"{k.flag} {STDIN}" for k in piped)
        raise InputError(f"Only one input can be read from standard input: {asked} both ask for it.")
    flag, stream = f"{piped[0].flag} {STDIN}", stdin or sys.stdin
    data = stream.buffer.read() if hasattr(stream, "buffer") else stream.read()
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InputError(f"{flag}: standard input is not UTF-8 text (byte {exc.start + 1} is not); convert it "
                             "first (iconv -t UTF-8).") from None
    if not data.strip():
        raise InputError(f"{flag}: nothing came on standard input.")
    return {**raw, piped[0].name: data}


def add_model_flags(p: argparse.ArgumentParser) -> None:
    """``--preset`` and ``--device``, defined once for the commands that load a model (``predict``, ``explain``):
    ``--preset`` left out is None, read as $MSA_PRESET or hub by :func:`preset_name` (``explain --from`` reads the
    saved one instead)."""
    from msa_demo.config import PRESETS

    p.add_argument("--preset", default=None,
                   help=f"built-in preset name ({', '.join(PRESETS)}), a preset JSON/YAML file or a folder train wrote "
                        "(default: $MSA_PRESET or hub)")
    p.add_argument("--device", default="auto", help="auto, cpu, cuda, cuda:1 or mps")

# the exit status of predict and explain, said in their --help and the README: a script can tell "no verdict:
# nothing could be read" (a picture without a face alone, a clip in which no one speaks) from its own mistake
NOTHING_READ_STATUS = 3
# this machine, not the command: a model that could not be loaded (the Hub cannot be reached and nothing is cached,
# damaged model files) or memory that ran out; the same command may work later or elsewhere, so a script's retry
# can tell it from 2 (it had been 2, as a mistyped flag)
NOT_LOADED_STATUS = 4
EXIT_STATUS = ("exit status: 0 with the verdict on stdout; 2 for a bad flag or input (one line on stderr, nothing "
               f"on stdout); {NOTHING_READ_STATUS} when nothing could be read, so there is no verdict (a picture "
               "without a face alone, a clip in which no one speaks alone: one line on stderr, nothing on stdout); "
               f"{NOT_LOADED_STATUS} when a model could not be loaded or memory ran out (the Hugging Face Hub cannot "
               "be reached and nothing is cached, damaged model files, out of memory: one line on stderr, nothing on "
               "stdout; the same command may work later or on another machine)")
# memory that ran out (a MemoryError, torch's OutOfMemoryError): one line, not a traceback
OUT_OF_MEMORY = ("Out of memory: the models or the input did not fit in this machine's memory (or the GPU's); "
                 "close other programs, or try a smaller input or --preset lite.")


def exit_status(exc: BaseException) -> int:
    """The exit status of a command stopped by ``exc``: :data:`NOTHING_READ_STATUS` for no verdict because nothing
    could be read, :data:`NOT_LOADED_STATUS` for a model that could not be loaded or memory that ran out, else 2
    (all had been 2)."""
    if isinstance(exc, NothingRead):
        return NOTHING_READ_STATUS
    return NOT_LOADED_STATUS if isinstance(exc, ModelLoadError) or out_of_memory(exc) else 2


def out_of_memory(exc: BaseException) -> bool:
    """Whether ``exc`` says memory ran out: a MemoryError, torch's OutOfMemoryError (a GPU's), or torch's CPU
    allocator's RuntimeError ("DefaultCPUAllocator: can't allocate memory"), told without importing torch."""
    return isinstance(exc, MemoryError) or (isinstance(exc, RuntimeError) and (
        type(exc).__name__ == "OutOfMemoryError" or "can't allocate memory" in str(exc)))


# how explain --json's explanation differs from /explain_json's (the README says it too): the same shape, the command
# line's defaults; the flags that give the endpoint's
JSON_DEFAULTS = ("the command line's defaults: no what-if, no tone, no time budget; /explain_json turns what-if and "
                 "tone on and, on a CPU, gives the maps a 5 s budget ($MSA_BUDGET): add --what-if --tone --budget 5 "
                 "for its answer")

# how the command line says "read it as a face all the same", at the end of its no-face refusal
FACE_ANYWAY = "Add --text, --audio or --video, or give --face-anyway to read it as a face all the same."
ADD_INPUTS = "add --text, --audio or --video"  # its words for "or give something else" (a photo's crop advice)


def add_face_flag(p: argparse.ArgumentParser) -> None:
    """``--face-anyway``, defined once for the commands that read a picture (``predict``, ``explain``,
    ``explain-batch``)."""
    p.add_argument("--face-anyway", action="store_true",
                   help="read a picture without a face as a face (otherwise the face model abstains: 'no face')")


def add_lang_flag(p: argparse.ArgumentParser, stays: str = "--json stays English") -> None:
    """``--lang``: en or zh-CN (any English or Chinese tag: en-GB, zh, zh_CN); another is refused by argparse, in one
    line (it had printed English without a word). ``stays``: what is written in English whatever it says."""
    p.add_argument("--lang", default=None, metavar="LANG", type=_language_tag,
                   help=f"language of the words printed: en or zh-CN (default: env MSA_LANG, LC_ALL, LC_MESSAGES or "
                        f"LANG; {stays})")


def _language_tag(value: str) -> str:
    first = value.strip().lower().replace("_", "-")
    if first.split("-")[0] not in ("en", "zh"):
        raise argparse.ArgumentTypeError(f"'{value}' is not a language the words are printed in; use en or zh-CN")
    return value


def output_language(given: str | None) -> str:
    """"zh" or "en": ``--lang``, else the environment's locale (MSA_LANG, LC_ALL, LC_MESSAGES, LANG: the first
    set)."""
    from msa_demo.i18n import lang_of

    if given:
        return lang_of(given)
    return lang_of(next((os.environ[k] for k in ("MSA_LANG", "LC_ALL", "LC_MESSAGES", "LANG") if os.environ.get(k)),
                        None))


def preset_name(given: str | None) -> str:
    """The preset asked for: ``--preset``, else $MSA_PRESET, else hub."""
    return given or os.environ.get("MSA_PRESET", "hub")


def add_command(sub) -> None:
    p = sub.add_parser("explain", help="explain a prediction: modalities, words, image regions, audio segments",
                       epilog=EXIT_STATUS)
    add_explain_flags(p)
    p.set_defaults(func=cmd_explain)


def add_explain_flags(p: argparse.ArgumentParser, names: tuple[str, ...] | None = None) -> None:
    """``explain``'s flags. ``names``: the early check's (:func:`msa_demo.__main__.refuse_early`): these inputs'
    flags, without their help, and none of the flags the explanation settings and the answer declare (the kinds
    declare theirs, and loading them imports torch)."""
    add_input_flags(p, names)
    add_span_flags(p, early=names is not None)
    p.add_argument("--use", default=None, help="modalities to use, comma-separated (default: all given)")
    add_model_flags(p)
    add_face_flag(p)
    p.add_argument("--target", default=None,
                   help="class to explain: negative, neutral or positive (default: predicted)")
    p.add_argument("--json", action="store_true", help="print the explanation as JSON, shaped as /explain_json "
                   f"answers it (without heat maps and inputs, unless asked) but made with {JSON_DEFAULTS}")
    if names is None:
        from msa_demo.explain.result import ANSWER_SPECS

        for spec in ANSWER_SPECS:  # what --json prints: declared once, with /explain_json's heatmaps
            p.add_argument(spec.flag, action=argparse.BooleanOptionalAction, default=None,
                           help=f"with --json: {spec.help} (default: "
                                f"{'no' if spec.default is False else 'as --heatmaps'}; --out saves both)")
    add_lang_flag(p)
    p.add_argument("--html", metavar="OUT.html", help="write a self-contained HTML report")
    p.add_argument("--out", metavar="RESULT.json", help="save the explanation JSON (reproducible with --from)")
    p.add_argument("--from", dest="from_file", metavar="RESULT.json",
                   help="re-run from the inputs, options and preset stored in a saved explanation")
    if names is None:
        add_option_flags(p)


def _names(csv: str) -> tuple[str, ...]:
    return tuple(s.strip() for s in csv.split(",") if s.strip())


def is_given(value: Any) -> bool:
    """Whether a flag's value gives an input: not absent, and text not only spaces (read as missing)."""
    return bool(value.strip()) if isinstance(value, str) else bool(value)


def given_inputs(raw: dict[str, Any], more: str = "", files: tuple[str, ...] | None = None) -> None:
    """Refuse, before any model loads (10 s on lite), flags that give nothing (``--text "  "``; ``more``: what else
    would do, said after the flags) or name a file that is not there: the same one line the reader would say after
    the load. ``files``: the kinds whose value is a file, by name (default: the registry's ``manifest_file`` kinds;
    the early check gives ``config.FILE_KINDS``, and ``raw``'s keys name the flags: no kind is loaded)."""
    from msa_demo.inputs import empty_text, is_file, is_uri, no_file
    from msa_demo.registry import flags, kinds

    if not any(is_given(v) for v in raw.values()):
        listed = flags() if files is None else flags(names=tuple(raw))
        raise InputError(empty_text(raw.get("text")) or f"Give at least one input: {listed}{more}.")
    for name in [k.name for k in kinds() if k.manifest_file] if files is None else files:
        value = raw.get(name)
        if isinstance(value, str) and is_given(value) and not is_uri(value) and not is_file(value):
            raise InputError(no_file(value, name))


def check_early(command: str, args: argparse.Namespace) -> None:
    """What ``predict`` and ``explain`` can refuse once their flags are parsed, before torch and the kinds are
    imported (:func:`msa_demo.__main__.refuse_early`), in the lines the commands say after: no input at all, an
    input file that is not there, a clip's span no clip holds (``--start -1``, ``--end`` not after ``--start``), a
    saved explanation ``--from`` cannot read, a file ``--out`` or ``--html`` cannot write, a preset that is no
    built-in name, file or folder ``train`` wrote."""
    from msa_demo.config import BUILTIN_KINDS, FILE_KINDS, load_preset

    raw = {m: getattr(args, m, None) for m in BUILTIN_KINDS}
    saved = command == "explain" and args.from_file
    if saved:
        load_saved(args.from_file)
    else:
        given_inputs(raw, " (or --from a saved explanation)" if command == "explain" else "", files=FILE_KINDS)
        span_seconds(args.start, args.end)  # --start -1, --end before --start (a clip to cut: after the imports)
    if command == "explain":
        output_file(args.out, "--out")
        output_file(args.html, "--html")
    if not saved or args.preset:
        load_preset(preset_name(args.preset))


# the inputs whose readers need only the preset's limits, not its models: read before the models load (10 to 20 s on
# lite), so that an empty or damaged file is refused at once, in the line the reader says after the load too; what
# they read is handed to the model as it is (``read_inputs`` takes an input read already), not decoded again. (A
# clip's frames are decoded before; its faces are found with the preset's face finder once the models are there.)
READ_BEFORE_LOADING = ("text", "image", "audio", "video")


def read_before_loading(raw: dict[str, Any], preset) -> dict[str, Any]:
    """``raw`` with the values of :data:`READ_BEFORE_LOADING` read by their own readers, at the limits of ``preset``
    (a name, a file, a folder ``train`` wrote, or a :class:`~msa_demo.config.Preset`); audio at 16 kHz, brought to
    the model's rate after it loads. A value that cannot be read is its reader's one line, before any model loads."""
    from types import SimpleNamespace

    from msa_demo.config import Preset, load_preset
    from msa_demo.registry import get, names

    wanted = [m for m in READ_BEFORE_LOADING if m in names() and raw.get(m) is not None]
    if not wanted:
        return raw
    try:
        spec = preset if isinstance(preset, Preset) else load_preset(preset)
    except MsaError:  # a preset that cannot be read: loading it says so, in its own line
        return raw
    no_models = SimpleNamespace(preset=spec, modalities={})  # what a reader asks of a model: its preset's limits
    read = {m: get(m).read(raw[m], no_models) for m in wanted}
    # a value that reads as nothing (a text of spaces) is left as given: the model's reading says it was not read
    return {**raw, **{m: v for m, v in read.items() if v is not None}}


def add_option_flags(p: argparse.ArgumentParser) -> None:
    """One flag per explanation setting, generated from its declaration (``option_specs``).

    Every flag defaults to None (= not given), so ``--from`` keeps the saved value of any flag left out;
    ``ExplainOptions`` checks the values (one validator, one-line messages).
    """
    from msa_demo.explain.options import option_specs

    group = p.add_argument_group("explanation settings")
    for spec in option_specs():
        default = ",".join(spec.default) if spec.kind is tuple else spec.default
        help_text = f"{spec.help} (default: {default})"
        if spec.kind is bool:
            group.add_argument(spec.flag, action=argparse.BooleanOptionalAction, default=None, help=help_text)
        elif spec.kind is tuple:
            group.add_argument(spec.flag, type=_names, default=None, metavar="A,B",
                               help=f"{help_text}; comma-separated, from {', '.join(spec.choices)}")
        elif spec.kind is str and spec.choices:
            group.add_argument(spec.flag, choices=spec.choices, default=None, help=help_text)
        else:
            span = f"; {spec.span}" if spec.span else ""
            group.add_argument(spec.flag, type=spec.kind, default=None, metavar="N" if spec.kind is int else "X",
                               help=f"{spec.help}{span} (default: {default})")


EMBEDDED = re.compile(r'<script type="application/json" id="explanation-json">(.*?)</script>', re.S)


def load_saved(path: str) -> dict[str, Any]:
    """A saved explanation: its JSON (``--out``, the dashboard's download), or a report.html, which embeds it
    (``--from report.html`` had been "not an explanation JSON file")."""
    p = Path(path)
    if not p.is_file():
        raise InputError(f"No saved explanation was found at '{p}'.")
    try:
        text = p.read_text(encoding="utf-8")
        found = EMBEDDED.search(text) if text.lstrip()[:1] == "<" else None
        data = json.loads(found.group(1) if found else text)
    except (ValueError, UnicodeDecodeError):
        raise InputError(f"'{p.name}' is not an explanation JSON file, nor a report that holds one.") from None
    if not isinstance(data, dict) or "inputs" not in data:
        raise InputError(f"'{p.name}' holds no stored inputs; save it with --out or the dashboard's report.")
    shapeless = [k for k in ("inputs", "options", "prediction", "models") if not isinstance(data.get(k) or {}, dict)]
    if shapeless:  # a hand-edited file ("options": "x" was a TypeError's traceback)
        raise InputError(f"'{p.name}' is damaged: its {', '.join(repr(k) for k in shapeless)} "
                         f"{'is not an object' if len(shapeless) == 1 else 'are not objects'}; save it again with "
                         "--out or the dashboard's report.")
    return data


def _preset_from_saved(saved: dict[str, Any]):
    """The saved preset: a built-in name, else rebuilt from the stored model ids, revisions and label maps."""
    from msa_demo.config import PRESETS, ModalitySpec, Preset

    name = saved.get("preset") or ""
    if name in PRESETS:
        return PRESETS[name]
    models = saved.get("models") or {}
    try:
        mods = {m: ModalitySpec(family=d["family"], model_id=d["model_id"], revision=d.get("revision", "main"),
                                label_map=d["label_map"], weight=d.get("weight", 1.0), options=d.get("options") or {})
                for m, d in models.items()}
    except (KeyError, TypeError):
        raise InputError(f"The saved preset '{name}' is not built in and cannot be rebuilt from the file; "
                         "pass --preset.") from None
    fusion = Prediction.from_dict(saved.get("prediction")).fusion.get("kind", "weighted")
    if fusion != "weighted":
        raise InputError("The saved explanation used a trained fusion head; pass --preset to name it.")
    return Preset(name=name or "saved", description="rebuilt from a saved explanation", modalities=mods)


def options_from_args(args, saved_options: dict[str, Any] | None):
    """The saved options (``--from``), overridden by every flag given."""
    from msa_demo.explain.options import ExplainOptions, option_specs

    specs = option_specs()
    known = {spec.name for spec in specs}
    opts = {k: v for k, v in (saved_options or {}).items() if k in known}  # lists become tuples in the check
    opts.update({spec.name: getattr(args, spec.name) for spec in specs if getattr(args, spec.name) is not None})
    return ExplainOptions(**opts)


def output_file(path: str | None, flag: str) -> None:
    """Refuse a file ``flag`` is to write that cannot be written (a folder, a folder that does not exist), before
    any work: an explanation can take a minute to be lost at its end."""
    if not path:
        return
    p = Path(path)
    if p.is_dir():
        raise InputError(f"{flag} '{path}' is a folder; give the name of a file to write.")
    if p.parent.exists() and not p.parent.is_dir():
        raise InputError(f"{flag} '{path}': '{p.parent}' is a file, not a folder.")
    if not p.parent.is_dir():
        raise InputError(f"{flag} '{path}': the folder '{p.parent}' does not exist.")


def output_folder(path: str, flag: str) -> list[Path]:
    """Make the folder ``flag`` names (and those above it not there yet) before any work, so that one that cannot
    be made (a file of that name, a place nothing can be written) is one line before the work, not a traceback
    after it (train's --output had lost its encoding and training so). Returns the folders made, deepest first,
    for :func:`unmade` to take back when the work stops before writing anything."""
    p = Path(path)
    if p.exists() and not p.is_dir():
        raise InputError(f"{flag} '{path}' is a file; give a folder to write to.")
    made = [q for q in (p, *p.parents) if not q.exists()]
    try:
        p.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"{flag} '{path}' could not be made ({exc.strerror or type(exc).__name__}).") from None
    if not os.access(p, os.W_OK):
        unmade(made)
        raise InputError(f"{flag} '{path}' cannot be written to.")
    return made


def unmade(folders: list[Path]) -> None:
    """Remove the folders :func:`output_folder` made, deepest first, as long as they are empty."""
    for q in folders:
        try:
            q.rmdir()
        except OSError:
            return


def written(path: str, flag: str, write) -> None:
    """``write()`` the file ``flag`` names; a file that cannot be written is one line."""
    try:
        write()
    except OSError as exc:
        raise InputError(f"{flag} '{path}' could not be written ({exc.strerror or type(exc).__name__}).") from None


def write_new(path: str | Path, text: str) -> None:
    """``text`` into a new file ``path``, whole or not at all: a file there already is left as it is
    (``FileExistsError``), and one that cannot be written to its end (a full disk, a size limit) is taken away, not
    left cut short."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # made here: ours to take away
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
    except BaseException:
        Path(path).unlink(missing_ok=True)
        raise


def cmd_explain(args: argparse.Namespace) -> int:
    with contextlib.ExitStack() as cuts:  # a clip cut to --start / --end: read from its cut, then removed
        return _explain(args, cuts)


def _explain(args: argparse.Namespace, cuts: contextlib.ExitStack) -> int:
    from msa_demo.explain import explain, recorded_inputs
    from msa_demo.explain.result import answered, every_notice
    from msa_demo.registry import names, use_names
    from msa_demo.model import MultimodalSentimentModel

    from msa_demo.report import write_html

    saved = load_saved(args.from_file) if args.from_file else None
    if saved is not None:
        raw = recorded_inputs(saved["inputs"])
        if any(getattr(args, m, None) for m in names()):
            raise InputError(f"Give either --from or inputs ({'/'.join(f'--{m}' for m in names())}), not both.")
        if args.start is not None or args.end is not None:
            raise InputError(SPAN_FLAG_FROM.format(flags=timed_flags()))
        span = None
        preset = args.preset or _preset_from_saved(saved)
        target = args.target if args.target is not None else saved.get("target")
        use = use_names(args.use) if args.use else Prediction.from_dict(saved.get("prediction")).used
    else:
        raw = from_stdin({m: getattr(args, m, None) for m in names()})
        given_inputs(raw, " (or --from a saved explanation)")
        span = clip_span(args.start, args.end, raw)  # checked before anything is read or loaded
        preset = preset_name(args.preset)
        target = args.target
        use = use_names(args.use) if args.use else None
    # a saved explanation's options are those its time budget chose: replayed as they are, not planned again (a
    # replay in a fresh process planned from scratch, cut IG from 52 steps to 16 and told another trust verdict)
    options = options_from_args(args, {**saved.get("options", {}), "budget": 0} if saved else None)
    output_file(args.out, "--out")
    output_file(args.html, "--html")
    from msa_demo.explain.options import check_target

    target = check_target(target)  # --target happy: refused before the models load, as the files below
    raw, cut = cuts.enter_context(cut_clips(raw, span))  # which span was read: said
    raw = read_before_loading(raw, preset)
    if isinstance(preset, str):
        model = MultimodalSentimentModel.from_preset(preset, device=args.device)
    else:
        model = MultimodalSentimentModel(preset, device=args.device)
    inputs = model.read_inputs(**raw)
    use = [u.strip() for u in use if u.strip()] if use else None
    # a picture without a face: left out by the prediction itself, unless --face-anyway; a replay's modalities are
    # those its record used (a picture it read is read again)
    exp = explain(model, inputs, target=target, use=use, options=options,
                  abstained=None if saved is not None else [], face_anyway=args.face_anyway or saved is not None)
    # how loading went (a Hub model that could not load and its stand-in, a trained head that gave way to late
    # fusion): first, as predict says it, once (said by neither the prediction's nor the explanation's notes)
    exp.notices[:0] = [n for n in dict.fromkeys([*model.notices, *cut]) if n not in exp.notices
                       and n not in exp.prediction.notices]
    record = exp.to_dict()
    record["notices"] = every_notice(record)  # the prediction's too (a text cut), as /explain_json says them
    if args.out:
        text = json.dumps(record, indent=2, ensure_ascii=False)
        written(args.out, "--out", lambda: Path(args.out).write_text(text, encoding="utf-8"))
    lang = output_language(getattr(args, "lang", None))
    if args.html:
        written(args.html, "--html", lambda: write_html(exp, args.html, lang))
    if args.json:  # what /explain_json answers (its heatmaps switch), unless asked for more
        from msa_demo.views.story import with_trust

        print(json.dumps(with_trust(answered(record, bool(args.heatmaps), args.inputs)), indent=2,
                         ensure_ascii=False))  # each map's trust verdict, as /explain_json gives it
    else:
        print(format_explanation(exp, lang))
    if args.out and not args.json:
        print(t("saved: {out}  (reproduce: python -m msa_demo explain --from {out})", lang, out=args.out))
    if args.html and not args.json:
        print(t("report: {path}", lang, path=args.html))
    return 0


def _top(m, k: int = 5, quoted: bool = False) -> list[tuple[str, float]]:
    """The ``k`` strongest labels (``quoted``: in quotes) with their scores, those that moved it at all; a label the map holds more than once
    (a word said twice in a long review: 'liked' ... 'liked') named with its place too: "'liked' (#812)"."""
    from msa_demo.views.figures import NEGLIGIBLE

    labels = [str(lbl) for lbl in m.labels]
    twice = {lbl for lbl in labels if labels.count(lbl) > 1}
    ranked = [i for i in sorted(range(len(labels)), key=lambda i: -abs(m.scores[i]))[:k]
              if abs(m.scores[i]) >= NEGLIGIBLE]  # a part that moved nothing is not ranked ("r1c1 +0.0000")
    return [((f"'{labels[i]}'" if quoted else labels[i]) + (f" (#{i + 1})" if labels[i] in twice else ""),
             m.scores[i]) for i in ranked]


NO_PART_LISTED = "no part moved P('{target}') by 0.01 %, so none is listed"


def format_explanation(exp, lang: str = "en") -> str:
    """The explanation in words for a terminal, in ``lang`` ("en", "zh")."""
    from msa_demo import i18n
    from msa_demo.views import conflict_text, negligible, notice_text, trust_rows
    from msa_demo.views.story import TRUST_SCOPE, explained_share, heard_in, points, sliver_said, terminal_verdict
    from msa_demo.explain.whatif import bare
    from msa_demo.views.whatif import cost_line, sentence, tone_story

    pred = exp.prediction
    record = exp.to_dict()
    verdicts = trust_rows(record, lang)  # one verdict per map, in order: the dashboard's trust table
    said, name = (lambda c: i18n.label(c, lang)), (lambda m: i18n.modality(m, lang))
    verdict, summary = terminal_verdict(pred.to_dict(), exp.to_dict(), exp.reading, lang)  # as the dashboard says
    lines = [t("Sentiment: {label}  (preset {preset}; explained class: {target}; used: {used})", lang,
               label=verdict, preset=exp.preset, target=said(exp.target),
               used=i18n.listed(map(name, pred.used), lang))]
    lines += [f"  {summary}"] if summary else []
    lines += [f"  {said(s):<9} {p:6.1%}" for s, p in pred.probs.items()]
    heard = (record.get("reading") or {}).get("audio") or {}
    if "transcript" in heard:  # what lite's voice verdict rests on: the words recognised (the labels alone were
        # "'matter' +0.51" for a clip heard as "The mercy matter I…")
        lines.append("  " + (t("Heard ({how}): “{transcript}”", lang, how=heard_in(heard, lang),
                               transcript=heard["transcript"].strip()) if heard.get("words") else
                             t("Heard: no words were recognised.", lang)))
    mc = exp.modalities
    if mc is not None:
        lines.append(t("Modality contributions to P({target}) (Shapley; {none} with nothing -> {all} with all):", lang,
                       target=said(exp.target), none=f"{mc.value_none:.3f}", all=f"{mc.value_all:.3f}"))
        for m, v in mc.shapley.items():
            w = mc.without.get(m, {}).get(exp.target)
            lines.append(f"  {name(m):<6} {v:+.4f}" + ("   " + t("without {m}: P({target}) = {p}", lang, m=name(m),
                                                                   target=said(exp.target), p=f"{w:.3f}")
                                                          if w is not None else ""))
        for k, v in mc.interactions.items():
            pair = "×".join(name(m) for m in k.split("×"))
            lines.append("  " + t("interaction {pair}: {value}", lang, pair=pair, value=f"{v:+.4f}"))
        if mc.conflict:
            lines.append(f"  ! {conflict_text(mc.conflict_detail, lang)}")
    for m, verdict, mrec in zip(exp.maps, verdicts, record.get("maps") or []):
        f = m.faithfulness
        head = t("{modality} — {method} ({baseline} baseline)", lang, modality=name(m.modality),
                 method=t(m.method.replace("_", " "), lang),
                 baseline=i18n.said(str(m.params.get("baseline", "")), lang))
        regions = m.modality == "image" or all(re.fullmatch(r"r\d+c\d+", str(lbl)) for lbl in m.labels or ["?"])
        if negligible({"scores": m.scores}):  # as the page leaves such a map uncoloured: no "r5c3 -0.0000" ranks
            lines.append(head + i18n.sep(lang, ": ") + t(NO_PART_LISTED, lang, target=said(exp.target)))
        elif regions:  # a picture's, or a clip's key frame's, regions
            top = ", ".join(f"{lbl} {s:+.4f}" for lbl, s in _top(m, 3))
            lines.append(head + i18n.sep(lang, ": ") + t("top regions {top}", lang, top=top))
        else:
            top = ", ".join(f"{lbl} {s:+.4f}" for lbl, s in _top(m, 5, quoted=True))
            lines.append(head + i18n.sep(lang, ": ") + t(
                "top words {top}" if m.modality == "text" else "top moments {top}" if m.modality == "video" else
                "top segments {top}", lang, top=top))
        trust = []
        share = explained_share(record, mrec)
        if m.delta is not None and share is not None:  # not "of the output change" as if that were the whole effect
            trust.append(t("IG delta {delta} of a {points}-point output change ({steps} steps)", lang,
                           delta=f"{m.delta:.1%}", points=points(share["diff"]), steps=m.params.get("n_steps")))
        elif m.delta is not None:
            trust.append(t("IG delta {delta} of the output change ({steps} steps)", lang, delta=f"{m.delta:.1%}",
                           steps=m.params.get("n_steps")))
        if f is not None:
            trust.append(t("AOPC {aopc} vs random {rand}", lang, aopc=f"{f.aopc:.4f}", rand=f"{f.aopc_random:.4f}"))
            if f.sanity_spearman is not None:
                trust.append(t("sanity ρ {rho}", lang, rho=f"{f.sanity_spearman:+.2f}"))
            if f.sensitivity is not None:
                trust.append(t("sensitivity {sens} under noise", lang, sens=f"{f.sensitivity:.3f}"))
        trust.append(t("{passes} forward passes, {seconds} s", lang, passes=m.cost.forward_passes,
                       seconds=f"{m.cost.seconds:.2f}"))
        lines.append("    " + i18n.sep(lang).join(trust))
        if verdict["verdict"]:
            lines.append("    " + t("verdict: {mark} {verdict}", lang, mark=verdict["mark"], verdict=verdict["verdict"]))
        if share is not None:
            lines.append("    " + sliver_said(record, mrec, lang))
    if any(v["verdict"] for v in verdicts):  # the verdicts rate the maps, not the answer (as the page says)
        lines.append("  " + t(TRUST_SCOPE, lang))
    if exp.what_if:
        lines.append(t("What would change its mind (checked by the model):", lang))
        for c, d in zip(exp.what_if, record.get("what_if") or []):
            lines.append(f"  {sentence(d, record, lang)}")
            if c.edited and c.flipped:
                lines.append("    " + t("edited: {text}", lang, text="".join(
                    f"[-{p}-]" if k == "removed" else f"{{+{p}+}}" if k == "added" else p for p, k in c.edited)))
            elif c.flipped and c.modality != "text":
                lines.append("    " + t("removed: {units}", lang, units=i18n.listed(map(bare, c.units), lang)))
            cost = cost_line(c.to_dict(), lang)
            if cost:
                lines.append("    " + cost)
    if exp.tone_note:
        lines.append(i18n.said(exp.tone_note, lang))
    elif exp.tone:
        lines.append(tone_story(record, lang)[1])
        for e in exp.tone:
            lines.append("  " + t("{change} reads {label} P({verdict}) {points} points", lang,
                                  change=f"{i18n.said(e.change, lang):<26}", label=f"{said(e.label):<8}",
                                  verdict=said(pred.label), points=f"{100 * e.moves:+6.1f}")
                         + (t(" (flips it)", lang) if e.flips else ""))
    lines.append(t("Total: {passes} forward passes, {seconds} s", lang, passes=exp.cost.forward_passes,
                   seconds=f"{exp.cost.seconds:.2f}"))
    for n in dict.fromkeys([*pred.notices, *exp.notices]):  # once each (a saved JSON's notices hold both)
        lines.append(t("note: {note}", lang, note=notice_text(n, lang)))
    return "\n".join(lines)


def main(argv=None) -> int:  # pragma: no cover - convenience entry
    parser = argparse.ArgumentParser(prog="python -m msa_demo.cli")
    add_command(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["explain", *(argv if argv is not None else sys.argv[1:])])
    try:
        return args.func(args)
    except MsaError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exit_status(exc)


__all__ = ["EXIT_STATUS", "NOTHING_READ_STATUS", "NOT_LOADED_STATUS", "OUT_OF_MEMORY", "STDIN", "exit_status", "out_of_memory", "add_command", "add_face_flag", "add_span_flags", "clip_span", "span_seconds", "cut_clips", "from_stdin", "add_explain_flags", "add_input_flags", "add_lang_flag", "check_early", "given_inputs", "load_saved", "add_model_flags", "add_option_flags", "cmd_explain", "format_explanation",
           "options_from_args", "output_file", "output_folder", "output_language", "preset_name", "read_before_loading", "unmade", "write_new", "written"]
