"""Command line: ``python -m msa_demo predict | explain | explain-batch | train | check-preset | make-tiny``."""

from __future__ import annotations

import argparse
import json
import shlex
import sys
from typing import Any, Sequence

from msa_demo.errors import InputError, MsaError


def input_values(args: argparse.Namespace) -> dict[str, Any]:
    """{modality: the raw value its flag gave (None if not given)}."""
    from msa_demo.registry import names

    return {m: getattr(args, m, None) for m in names()}


def _add_inputs(p: argparse.ArgumentParser, names: tuple[str, ...] | None = None) -> None:
    """``predict``'s flags (``names``: the early check's, :func:`refuse_early`: these inputs' flags, no help)."""
    from msa_demo.cli import add_face_flag, add_input_flags, add_lang_flag, add_model_flags, add_span_flags

    add_input_flags(p, names)
    add_span_flags(p, early=names is not None)
    p.add_argument("--use", default=None, help="modalities to use, comma-separated (default: all)")
    add_model_flags(p)
    add_face_flag(p)
    p.add_argument("--json", action="store_true", help="print JSON instead of text")
    add_lang_flag(p)


def _bar(p: float, width: int = 20) -> str:
    n = round(p * width)
    return "█" * n + "·" * (width - n)


def format_prediction(pred: Any, lang: str = "en") -> str:
    """The prediction in words for a terminal, in ``lang`` ("en", "zh")."""
    from msa_demo import i18n
    from msa_demo.i18n import t

    from msa_demo.views.story import terminal_verdict, top_two

    said, name = (lambda c: i18n.label(c, lang)), (lambda m: i18n.modality(m, lang))
    verdict, sentence = terminal_verdict(pred.to_dict(), lang=lang)  # a near-tie is not headlined as a class
    lines = [t("Sentiment: {label}  (preset {preset}; used: {used})", lang, label=verdict,
               preset=pred.preset, used=i18n.listed(map(name, pred.used), lang) or t("nothing", lang))]
    lines += [f"  {sentence}"] if sentence else []
    for s, p in pred.probs.items():
        lines.append(f"  {said(s):<9} {_bar(p)} {p:6.1%}")
    for m, mp in pred.modalities.items():
        # a near-tie is not a class, as its box and the summary say it ("text alone: positive" had stood beside "the
        # words alone are too close to call", at 33.8 / 33.2 / 33.0 %)
        alone = f"{said(mp.label):<8}"
        if mp.too_close:
            (a, pa), (b, pb) = top_two({"probs": mp.probs})
            alone = t("too close to call ({a} {pa} vs {b} {pb})", lang, a=said(a), pa=f"{100 * pa:.1f} %", b=said(b),
                      pb=f"{100 * pb:.1f} %") + " "
        lines.append(t("{modality} alone: {label} ", lang, modality=f"{name(m):>6}" if lang != "zh" else name(m), label=alone)
                     + "  ".join(f"{s[:3] if lang != 'zh' else said(s)} {p:5.1%}" for s, p in mp.probs.items()))
    if pred.switched_off:
        lines.append(t("switched off: {off}", lang, off=i18n.listed(map(name, pred.switched_off), lang)))
    for n in pred.notices:
        lines.append(t("note: {note}", lang, note=i18n.said(n, lang)))
    return "\n".join(lines)


def cmd_predict(args: argparse.Namespace) -> int:
    from msa_demo.cli import clip_span, cut_clips, from_stdin, given_inputs

    raw = from_stdin(input_values(args))  # --text -
    given_inputs(raw)  # before the model loads: --text "  " gives nothing, a file that is not there is said
    with cut_clips(raw, clip_span(args.start, args.end, raw)) as (raw, cut):  # --start / --end: its span alone
        return _predict(args, raw, cut)


def _predict(args: argparse.Namespace, raw: dict[str, Any], cut: list[str]) -> int:
    from msa_demo.cli import preset_name, read_before_loading
    from msa_demo.model import MultimodalSentimentModel
    from msa_demo.registry import use_names

    raw = read_before_loading(raw, preset_name(args.preset))  # and an empty or damaged picture or clip

    model = MultimodalSentimentModel.from_preset(preset_name(args.preset), device=args.device)
    if args.json:  # said at once, beside the JSON (which holds them too)
        for line in model.notices:  # a modality served by a stand-in, or switched off
            print(f"note: {line}", file=sys.stderr)
    use = use_names(args.use) if args.use else None
    # a picture without a face: left out by the prediction itself, unless --face-anyway
    pred = model.predict(inputs=model.read_inputs(**raw), use=use, face_anyway=args.face_anyway)
    # how loading went, first and once, as /predict_json and explain put it: --json had left it out (stderr only)
    # and which span of which file was read (--start / --end), as explain says it
    pred.notices[:] = list(dict.fromkeys([*model.notices, *cut, *pred.notices]))
    if args.json:
        print(json.dumps(pred.to_dict(), indent=2, ensure_ascii=False))
    else:
        from msa_demo.cli import output_language

        print(format_prediction(pred, output_language(args.lang)))
    return 0


def cmd_make_tiny(args: argparse.Namespace) -> int:
    from msa_demo.cli import output_folder
    from msa_demo.tiny import build_tiny_preset

    output_folder(args.directory, "make-tiny")  # a file of that name, a folder that cannot be made: one line
    path = build_tiny_preset(args.directory, seed=args.seed)
    print(f"Tiny random preset written to {path}\n"  # a path with a space, quoted to be pasted
          f"Try: python -m msa_demo predict --preset {shlex.quote(str(path))} --text 'I love it'")
    return 0


def cmd_check_preset(args: argparse.Namespace) -> int:
    from msa_demo.config import load_preset
    from msa_demo.hub import check_preset, format_check

    preset = load_preset(args.preset)
    if args.write:  # the preset as a file to edit: a second preset for Compare, or one's own (a new user built one
        # from msa_demo.config in Python to try a heavier face weight on Compare's B)
        from pathlib import Path

        from msa_demo.cli import output_file, write_new, written

        out = Path(args.write)
        output_file(args.write, "--write")  # a folder, or one that does not exist: its one line
        if out.exists():
            raise InputError(f"{out} exists already: give a new file name (nothing was written).")
        if out.suffix.lower() != ".json":
            raise InputError(f"Write the preset to a .json file, not '{out.name}'.")
        text = json.dumps({**preset.to_dict(), "name": out.stem}, indent=2) + "\n"
        try:  # whole or not at all: a file cut short (a full disk) had been left, to be loaded as a broken preset
            written(args.write, "--write", lambda: write_new(out, text))
        except InputError as exc:
            raise InputError(f"{exc} Nothing was written.") from None
        print(f"Preset '{preset.name}' written to {out} as '{out.stem}': edit it (each modality's 'weight' in the "
              f"late fusion, its model), then give it as --preset {shlex.quote(str(out))} or as Compare's B.")
        return 0
    check = check_preset(preset, online=False if args.offline else None)
    loads = None
    if args.load:  # each model loaded here, one at a time: will this preset run on this machine?
        from msa_demo.model import loads_here

        loads = loads_here(preset, device=args.device)
    if args.json:
        print(json.dumps({**check.to_dict(), **({"loads_here": loads} if loads is not None else {})}, indent=2))
    else:
        print(format_check(check))
        if loads is not None:
            print("Loaded here, one at a time (no stand-in):")
            for name, why in loads.items():
                print(f"  {name}: " + ("loads" if why is None else f"does not load: {why}"))
    return 0 if check.ok and not any((loads or {}).values()) else 1


class _Parser(argparse.ArgumentParser):
    """A flag's mistake is its one line and where the help is (the whole usage, 24 lines for ``explain``, came
    before the line that said what was wrong). Its help is plain text: the docstrings' reStructuredText quotes
    (``predict``) are left out (``--help`` had shown them)."""

    def format_help(self) -> str:
        return super().format_help().replace("``", "")

    def error(self, message: str):
        helps = ("python -m msa_demo --help shows the commands" if self.prog == "python -m msa_demo"
                 else f"{self.prog} --help shows every flag")  # a command's prog: "python -m msa_demo explain"
        self.exit(2, f"{self.prog}: error: {message}\n({helps})\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m msa_demo", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    from msa_demo.cli import EXIT_STATUS

    p = sub.add_parser("predict", help="predict sentiment from text, image and/or audio", epilog=EXIT_STATUS)
    _add_inputs(p)
    p.set_defaults(func=cmd_predict)
    p = sub.add_parser("check-preset", help="what a preset would download (ids, revisions, files, licences); "
                       "verified against the Hub when it can be reached")
    p.add_argument("preset", help="hub, hub-face, lite, or a preset JSON/YAML file")
    p.add_argument("--json", action="store_true", help="print JSON instead of text")
    p.add_argument("--offline", action="store_true", help="print the plan without asking the Hub")
    p.add_argument("--write", metavar="FILE.json", help="write the preset as a JSON file to edit (a second preset for "
                   "Compare, or your own), and check nothing")
    p.add_argument("--load", action="store_true", help="also load each model here, one at a time, with no stand-in: "
                   "will this preset run on this machine? (exit 1 when one does not load)")
    p.add_argument("--device", default=None, help="where --load loads (default: the GPU when there is one)")
    p.set_defaults(func=cmd_check_preset)
    p = sub.add_parser("make-tiny", help="build a tiny random preset (offline trials and tests)")
    p.add_argument("directory")
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(func=cmd_make_tiny)
    for extra in _extra_commands():
        extra(sub)
    return parser


def _extra_commands():
    """Sub-commands that live beside their logic (explain, train, bench) register themselves here."""
    out = []
    for module in ("msa_demo.cli", "msa_demo.dataset.cli", "msa_demo.training.cli"):
        try:
            mod = __import__(module, fromlist=["add_command"])
        except ModuleNotFoundError as exc:
            if exc.name and exc.name.startswith("msa_demo"):
                continue
            raise
        out.append(mod.add_command)
    return out


def refuse_early(argv: list[str]) -> int | None:
    """The exit status of a ``predict`` or ``explain`` refused before the imports that the whole parser costs
    (torch, transformers, captum, gradio: every refusal had come 12 to 27 s after it was typed, on a busy machine),
    its one line said; None when nothing here is wrong (the whole parser and the command check it all again, in the
    same lines). ``predict``'s flags are all checked, by a parser built from the same declarations (its inputs'
    flags named by ``config.BUILTIN_KINDS``, so no kind is loaded); ``explain``'s as far as they are declared
    without the kinds: its explanation settings' flags are theirs (``--ig-steps 0``, ``--regons``: the whole
    parser's). Then :func:`msa_demo.cli.check_early`: no input, a file not there, the preset's name or file."""
    command = next((a for a in argv if not a.startswith("-")), None)
    if command not in ("predict", "explain") or "--" in argv or any(
            a == "-h" or (len(a) > 2 and "--help".startswith(a.split("=")[0])) for a in argv):
        return None
    from msa_demo.cli import add_explain_flags, check_early
    from msa_demo.config import BUILTIN_KINDS

    parser = _Parser(prog="python -m msa_demo")
    sub = parser.add_subparsers(dest="command", required=True)
    if command == "predict":  # the same flags as the whole parser's: the same one line for each mistake
        _add_inputs(sub.add_parser("predict"), BUILTIN_KINDS)
        args = parser.parse_args(argv)
    else:  # only its flags as typed (no --tex for --text): the settings' flags are not known here
        p = sub.add_parser("explain", allow_abbrev=False)
        add_explain_flags(p, BUILTIN_KINDS)
        args, unknown = parser.parse_known_args(argv)
        if any(o.startswith(a.split("=")[0]) for a in unknown if a.startswith("--") for o in p._option_string_actions):
            return None  # a flag shortened (--tex), which the whole parser reads: it says what is wrong, if anything
    try:
        check_early(command, args)
    except MsaError as exc:
        return _refused(exc, args)
    return None


def _refused(exc: MsaError, args: argparse.Namespace) -> int:
    """Say ``exc``'s one line on stderr, in the language the words are printed in (--lang, else the locale); its
    exit status."""
    from msa_demo.cli import ADD_INPUTS, FACE_ANYWAY, exit_status, output_language
    from msa_demo.errors import NoFace
    from msa_demo.i18n import said, t

    lang = output_language(getattr(args, "lang", None))
    message = exc.said(FACE_ANYWAY, ADD_INPUTS) if isinstance(exc, NoFace) else str(exc)  # in its flags' words
    print(t("error: {message}", lang, message=said(message, lang)), file=sys.stderr)
    return exit_status(exc)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:  # the commands' modules load here (torch, ~1.5 s): Ctrl-C then had been a traceback
        # a mistake said before those imports, unless they are made already (a caller's, a test's process)
        status = refuse_early(argv) if sys.modules.get("torch") is None else None
        if status is not None:
            return status
        parser = build_parser()
        args = parser.parse_args(argv)
    except KeyboardInterrupt:
        return _interrupted(argv)
    try:
        status = args.func(args)
        sys.stdout.flush()  # a reader that has gone (| head -1) is told here, not at exit
        return status
    except BrokenPipeError:
        return _reader_gone()
    except MsaError as exc:  # in the language the words are printed in (--lang, else the locale)
        return _refused(exc, args)
    except (MemoryError, RuntimeError) as exc:  # memory that ran out: one line and its own status (a traceback, 1)
        from msa_demo.cli import OUT_OF_MEMORY, exit_status, out_of_memory, output_language
        from msa_demo.i18n import t

        if not out_of_memory(exc):
            raise
        lang = output_language(getattr(args, "lang", None))
        print(t("error: {message}", lang, message=t(OUT_OF_MEMORY, lang)), file=sys.stderr)
        return exit_status(exc)
    except KeyboardInterrupt:
        return 130


def _reader_gone() -> int:
    """The reader of standard output went away (``check-preset ... | head -1``): quiet, as a command killed by
    SIGPIPE is (it had been a BrokenPipeError traceback); what is left to print goes nowhere."""
    import os

    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError):  # an output with no file behind it (a test's capture)
        pass
    return 141  # 128 + SIGPIPE, as the shell reports such a command


def _interrupted(argv: list[str]) -> int:
    """Ctrl-C before a command starts: 130, as every command; ``train`` says so, as it does once running."""
    command = next((a for a in argv if not a.startswith("-")), None)
    if command == "train":
        from msa_demo.cli import output_language
        from msa_demo.i18n import t

        given = next((a.split("=", 1)[1] for a in argv if a.startswith("--lang=")), None) or next(
            (b for a, b in zip(argv, argv[1:]) if a == "--lang"), None)
        print(t("stopped; nothing saved", output_language(given)), file=sys.stderr)
    return 130


if __name__ == "__main__":
    sys.exit(main())
