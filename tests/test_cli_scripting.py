"""What a backend developer scripting the command line found (issue fix-cli, round two): --help showed
reStructuredText quotes; a model that could not load exited 2, as a mistake in the command does; refusals came only
after torch and co. had been imported; explain --json's defaults differ from /explain_json's."""

from __future__ import annotations

import argparse

import pytest


def test_help_is_plain_text_without_restructuredtext_quotes(capsys):
    """`python -m msa_demo --help` began "Command line: ``python -m msa_demo predict | explain ...``"."""
    from msa_demo.__main__ import build_parser

    parser = build_parser()
    helps = [parser.format_help()]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps += [sub.format_help() for sub in action.choices.values()]
    assert "Command line: python -m msa_demo predict | explain" in " ".join(helps[0].split())
    assert not [h.splitlines()[0] for h in helps if "``" in h]
    with pytest.raises(SystemExit):
        parser.parse_args(["--help"])
    assert "``" not in capsys.readouterr().out


@pytest.fixture
def unloadable(tiny_preset_path, tmp_path):
    """The tiny preset with its text model pointed at an empty folder: it cannot be loaded (as a Hub model that
    cannot be reached and is not cached: a ModelLoadError), and nothing stands in."""
    from msa_demo.config import load_preset, save_preset

    data = load_preset(str(tiny_preset_path)).to_dict()
    (tmp_path / "empty").mkdir()
    data["modalities"]["text"]["model_id"] = str(tmp_path / "empty")
    from msa_demo.config import Preset

    return str(save_preset(Preset.from_dict(data), tmp_path / "unloadable.json"))


def test_a_model_that_cannot_be_loaded_exits_4_not_2_as_a_mistake_does(unloadable, tmp_path, capsys):
    """`predict --text hi --json` with the Hub unreachable exited 2 ("Cannot load 'lxyuan/…'"), as a mistyped flag
    does: a retry wrapper could not tell them apart. A model that cannot be loaded is 4, said in --help; a mistake
    in the same command is still 2."""
    from msa_demo.__main__ import build_parser, main
    from msa_demo.cli import NOT_LOADED_STATUS

    assert NOT_LOADED_STATUS == 4
    for command in (["predict", "--text", "hi", "--json"], ["explain", "--text", "hi", "--json"]):
        assert main([command[0], "--preset", unloadable, *command[1:]]) == 4
        told = capsys.readouterr()
        assert told.out == "" and told.err.startswith("error: Cannot load the model at") and "Traceback" not in told.err
    manifest = tmp_path / "rows.csv"
    manifest.write_text("id,text\na,I love it\n", encoding="utf-8")
    assert main(["explain-batch", str(manifest), "--out", str(tmp_path / "out"), "--preset", unloadable,
                 "--no-progress"]) == 4
    assert "Cannot load the model at" in capsys.readouterr().err
    assert main(["predict", "--preset", unloadable, "--text", "  "]) == 2  # a mistake: 2, as before
    capsys.readouterr()
    for command in ("predict", "explain", "explain-batch"):
        with pytest.raises(SystemExit):
            build_parser().parse_args([command, "--help"])
        helped = " ".join(capsys.readouterr().out.split())
        assert "4 when a model could not be loaded or memory ran out" in helped \
            or "4 when nothing ran because the model could not be loaded or memory ran out" in helped, command


@pytest.mark.spawns
def test_memory_that_runs_out_is_one_line_and_exit_4_not_a_traceback(tiny_preset_path, tmp_path):
    """A 10,000 x 10,000 photo on a machine without the memory to decode it was a MemoryError's traceback (exit 1).
    Here a fresh Python's address space is capped a little above what it holds once torch is imported, so that
    decoding the photo (300 MB) really runs out: one line, in the output language, and exit 4."""
    import subprocess
    import sys
    from pathlib import Path

    from PIL import Image

    big = tmp_path / "big.png"
    Image.new("RGB", (10000, 10000), (200, 150, 120)).save(big)
    script = (
        "import resource, sys\n"
        "from msa_demo.__main__ import main\n"
        "import torch, transformers\n"
        "size = next(int(l.split()[1]) * 1024 for l in open('/proc/self/status') if l.startswith('VmSize:'))\n"
        "resource.setrlimit(resource.RLIMIT_AS, (size + 120 * 2**20, size + 120 * 2**20))\n"
        "sys.exit(main(sys.argv[1:]))\n")
    root = Path(__file__).resolve().parents[1]
    for lang, line in (("en", "error: Out of memory: "), ("zh", "错误：内存不足：")):
        done = subprocess.run([sys.executable, "-c", script, "predict", "--preset", str(tiny_preset_path), "--image",
                               str(big), "--json", "--lang", lang], capture_output=True, text=True, cwd=root,
                              timeout=300)
        assert done.returncode == 4, done.stderr[-2000:]
        assert done.stderr.startswith(line) and "Traceback" not in done.stderr and done.stdout == "", done.stderr


# refusals the command line can say before it imports torch & co. (and the commands that must go on to them)
REFUSED_EARLY = (["predict", "--preset", "lit", "--text", "hi"],
                 ["predict", "--preset", "lite", "--txet", "hi"],
                 ["predict", "--preset", "lite"],
                 ["predict", "--preset", "lite", "--text", "   "],
                 ["predict", "--preset", "lite", "--text", "ok", "--image", "{tmp}/nope.png"],
                 ["predict", "--text", "hi", "--lang", "xx"],
                 ["predict", "--preset", "{tmp}/nope.json", "--text", "hi", "--lang", "zh"],
                 ["explain", "--preset", "lite"],
                 ["explain", "--preset", "lit", "--text", "hi", "--what-if"],
                 ["explain", "--preset", "lite", "--text", "hi", "--out", "{tmp}/no/x.json"],
                 ["explain", "--preset", "lite", "--audio", "{tmp}/gone.wav", "--html", "{tmp}"],
                 ["explain", "--from", "{tmp}/nope.json"],
                 # a clip's span no clip holds (fix-span: refused only after the imports): the values alone tell
                 ["predict", "--preset", "lite", "--text", "hi", "--start", "-1"],
                 ["predict", "--preset", "lite", "--audio", "{tmp}", "--start", "abc"],
                 ["predict", "--preset", "lite", "--text", "hi", "--start", "5", "--end", "4"],
                 ["explain", "--preset", "lite", "--text", "hi", "--end", "nan"],
                 ["explain", "--preset", "lite", "--text", "hi", "--start", "2", "--end", "2"],
                 ["explain", "--preset", "lite", "--text", "hi", "--end=-3", "--html", "{tmp}/r.html"])
GOES_ON = (["predict", "--preset", "lite", "--text", "hi"],
           ["predict", "--preset", "lite", "--text", "-"],
           ["predict", "--help"],
           ["explain", "--preset", "lite", "--tex", "hi"],  # --tex is --text to the whole parser
           ["explain", "--preset", "lite", "--text", "hi", "--ig-steps", "0"],  # a setting: the whole parser's
           ["explain", "--preset", "lite", "--text", "hi", "--regons", "grid"],
           ["explain-batch", "nope.csv", "--out", "x"],
           ["predict", "--preset", "lite", "--text", "hi", "--start", "1", "--end", "2.5"])  # no clip: the kinds say


def _typed(argv, tmp_path):
    return [a.replace("{tmp}", str(tmp_path)) for a in argv]


def test_what_is_refused_before_the_imports_is_what_the_whole_command_says(tmp_path, capsys):
    """The early check (before torch & co.) must say, for each mistake, the line the whole command says after the
    imports, with its exit status; and leave alone what only the whole parser knows (the settings' flags, a flag
    shortened, --help)."""
    from msa_demo.__main__ import main, refuse_early

    for argv in REFUSED_EARLY:
        argv = _typed(argv, tmp_path)
        try:
            early = refuse_early(argv)
        except SystemExit as stop:  # argparse's one line
            early = stop.code
        said_early = capsys.readouterr()
        assert early == 2 and said_early.out == "", argv
        try:
            whole = main(argv)  # this process imported torch: the whole path
        except SystemExit as stop:
            whole = stop.code
        assert whole == 2, argv
        assert capsys.readouterr().err == said_early.err, argv
    for argv in GOES_ON:
        assert refuse_early(_typed(argv, tmp_path)) is None, argv
        assert capsys.readouterr().err == "", argv


def test_the_file_kinds_named_for_the_early_check_are_the_registry_s():
    from msa_demo.config import BUILTIN_KINDS, FILE_KINDS
    from msa_demo.registry import kinds

    assert FILE_KINDS == tuple(k.name for k in kinds() if k.manifest_file and k.name in BUILTIN_KINDS)


@pytest.mark.spawns
def test_the_command_line_refuses_mistakes_before_it_imports_torch_transformers_captum_or_gradio(tmp_path):
    """A mistyped preset, a flag, no input, a file not there were refused 12 to 27 s after they were typed on a busy
    machine: torch, transformers, captum and gradio were imported first. Run here with those four made
    unimportable, each refusal still comes, whole, with exit 2; a good command goes on to import them."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    blocked = ("import sys; [sys.modules.__setitem__(m, None) for m in ('torch', 'transformers', 'captum', "
               "'gradio')]; from msa_demo.__main__ import main; code = main(sys.argv[1:]); "
               "assert not any(sys.modules.get(m) for m in ('torch', 'transformers', 'captum', 'gradio')); "
               "sys.exit(code)")
    for argv in REFUSED_EARLY:
        done = subprocess.run([sys.executable, "-c", blocked, *_typed(argv, tmp_path)], capture_output=True,
                              text=True, cwd=root, timeout=120, stdin=subprocess.DEVNULL)
        assert done.returncode == 2 and "Traceback" not in done.stderr and done.stdout == "", (argv, done.stderr)
        assert done.stderr.count("\n") in (1, 2), done.stderr  # its line (and argparse's "--help shows ...")
    for argv in (GOES_ON[0], GOES_ON[3], GOES_ON[4]):
        done = subprocess.run([sys.executable, "-c", blocked, *argv], capture_output=True, text=True, cwd=root,
                              timeout=120, stdin=subprocess.DEVNULL)
        assert done.returncode == 1 and "import of torch halted" in done.stderr, (argv, done.stderr[-1000:])


def test_explain_json_says_it_is_made_with_the_command_line_s_defaults_and_which_flags_give_explain_json_s(
        monkeypatch, capsys):
    """The README and --help said `explain --json` "prints what /explain_json answers", but the command line explains
    without what-if, tone or a budget, and /explain_json (on a CPU) with all three. --help says so, and the flags it
    names do give the endpoint's settings."""
    import torch

    from msa_demo.__main__ import build_parser
    from msa_demo.cli import options_from_args
    from msa_demo.ui.options import CONTROLS

    if torch.cuda.is_available():
        pytest.skip("the endpoint's budget is none on a GPU")
    monkeypatch.delenv("MSA_BUDGET", raising=False)  # the endpoint's own default, not the tests' 0
    parser = build_parser()
    with pytest.raises(SystemExit):
        parser.parse_args(["explain", "--help"])
    helped = " ".join(capsys.readouterr().out.split())
    flags = "--what-if --tone --budget 5"
    assert "the command line's defaults: no what-if, no tone, no time budget" in helped and flags in helped
    endpoint = {c.name: c.initial for c in CONTROLS if c.name in ("what_if", "tone", "budget")}
    plain = options_from_args(parser.parse_args(["explain", "--text", "hi", "--json"]), None)
    told = options_from_args(parser.parse_args(["explain", "--text", "hi", "--json", *flags.split()]), None)
    assert {k: getattr(plain, k) for k in endpoint} != endpoint  # they differ, as said
    assert {k: getattr(told, k) for k in endpoint} == endpoint == {"what_if": True, "tone": True, "budget": 5.0}
