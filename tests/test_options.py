"""Each explanation setting is declared once (ExplainOptions field metadata); validation and CLI flags read it."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from msa_demo.errors import InputError
from msa_demo.explain.options import ExplainOptions, option, option_specs

ROOT = Path(__file__).resolve().parents[1]
# the explain command's setting flags before they were generated from the declarations
FLAGS_BEFORE = {"--sanity", "--seed", "--text-baseline", "--image-baseline", "--image-methods", "--audio-baseline",
                "--ig-max-steps", "--grid", "--regions", "--superpixels", "--segment-seconds", "--audio-methods",
                "--batch-size"}
# every public name (flag, JSON key, keyword) before the settings were split by modality: none may change
NAMES_BEFORE = {"text_baseline", "ig_max_steps", "image_methods", "image_baseline", "grid", "regions", "superpixels",
                "segment_seconds", "audio_baseline", "sanity", "seed", "deletion_steps", "audio_methods",
                "ig_min_steps", "ig_tolerance", "batch_size", "audio_level", "text_methods", "budget", "what_if",
                "what_if_forwards", "tone", "robustness"}


def _explain_parser():
    from msa_demo.__main__ import build_parser

    sub = next(a for a in build_parser()._actions if a.dest == "command")
    return sub.choices["explain"]


def test_every_setting_is_declared_with_its_metadata():
    specs = option_specs()
    assert [s.name for s in specs] == list(ExplainOptions().to_dict())
    assert NAMES_BEFORE <= {s.name for s in specs}
    for s in specs:
        assert s.help and s.label, s.name
        assert s.kind in (bool, int, float, str, tuple), s.name
        if s.kind in (str, tuple):
            assert s.choices and (s.default in s.choices if s.kind is str else set(s.default) <= set(s.choices))
        if s.kind in (int, float):
            assert s.bounds is not None, s.name
    grid = next(s for s in specs if s.name == "grid")
    assert (grid.flag, grid.title, grid.bounds, grid.default) == ("--grid", "Image grid", (2, 64), 7)


def test_the_validator_reads_the_ranges_and_choices():
    for s in option_specs():
        if s.kind in (int, float) and s.bounds:
            lo, hi = s.bounds
            step = 1 if s.kind is int else 1e-6
            inside = [v for v in (lo, hi) if v is not None and not s.exclusive]
            outside = [v for v in ((lo - step) if lo is not None else None, (hi + step) if hi is not None else None)
                       if v is not None]
            if s.exclusive:
                inside, outside = [(lo + hi) / 2], [lo, hi]
            for v in inside:
                assert getattr(ExplainOptions(**{s.name: v}), s.name) == v
            for v in outside:
                with pytest.raises(InputError, match=f"Explanation option: {re.escape(s.label)} must be "):
                    ExplainOptions(**{s.name: v})
        elif s.kind is str:
            with pytest.raises(InputError, match=f"{re.escape(s.label)} must be one of {', '.join(s.choices)}"):
                ExplainOptions(**{s.name: "nonsense"})
    # the messages say the range in words, as before
    cases = [({"grid": 65}, "the image grid must be 2 to 64 cells a side"),
             ({"ig_tolerance": 1.0}, "the IG tolerance must be between 0 and 1"),
             ({"ig_min_steps": 1}, "IG start steps must be at least 2"),
             ({"segment_seconds": 0}, "the audio segment length must be 0.02 to 30 seconds"),
             ({"grid": 7.5}, "the image grid must be 2 to 64 cells a side (a whole number)"),
             ({"ig_max_steps": True}, "IG steps must be 2 to 1024 (a whole number)"),
             ({"segment_seconds": "0.5"}, "the audio segment length must be 0.02 to 30 seconds (a number)"),
             ({"sanity": "yes"}, "sanity check must be true or false"),
             ({"image_methods": ()}, "image methods must be chosen from"),
             ({"audio_methods": ("occlusion", "fourier")}, "audio methods must be chosen from")]
    for kwargs, message in cases:
        with pytest.raises(InputError, match=re.escape(message)):
            ExplainOptions(**kwargs)


def test_values_are_normalised():
    import numpy as np

    o = ExplainOptions(image_methods="occlusion", audio_methods=["occlusion", "integrated_gradients"],
                       seed=np.int64(3), grid=np.int32(5))
    assert o.image_methods == ("occlusion",) and o.audio_methods == ("occlusion", "integrated_gradients")
    assert type(o.seed) is int and type(o.grid) is int
    assert ExplainOptions.from_dict(o.to_dict()) == o  # a saved explanation's options read back the same
    assert ExplainOptions(audio_methods=()).audio_methods == ()  # no audio map is a valid choice


def test_a_setting_is_one_declaration():
    """A dataclass of option() fields gets the same listing and checks; a plain field is listed by its default."""

    @dataclass
    class Toy:
        level: float = option(0.5, "how loud the stand-in is", label="the level", bounds=(0, 1))
        plain: int = 3

    level, plain = option_specs(Toy)
    assert (level.kind, level.flag, level.span, level.help) == (float, "--level", "0 to 1", "how loud the stand-in is")
    with pytest.raises(InputError, match="the level must be 0 to 1"):
        level.check(1.5)
    assert (plain.kind, plain.default, plain.bounds, plain.check(4)) == (int, 3, None, 4)


def test_cli_flags_are_generated_with_todays_names():
    parser = _explain_parser()
    flags = {s for a in parser._actions for s in a.option_strings}
    assert FLAGS_BEFORE <= flags
    assert {s.flag for s in option_specs()} <= flags
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    explain_lines = [line for line in readme.splitlines() if "msa_demo explain" in line or line.startswith("    [")]
    used = set(re.findall(r"(--[a-z][a-z-]*)", "\n".join(explain_lines)))
    assert used and used <= flags, used - flags


def test_cli_flags_override_saved_options():
    from msa_demo.cli import options_from_args

    parser = _explain_parser()
    args = parser.parse_args(["--text", "hi", "--grid", "9", "--image-methods", "occlusion", "--sanity",
                              "--segment-seconds", "0.25"])
    assert options_from_args(args, None) == ExplainOptions(grid=9, image_methods=("occlusion",), sanity=True,
                                                           segment_seconds=0.25)
    saved = ExplainOptions(grid=5, seed=3, sanity=True, audio_methods=("integrated_gradients",)).to_dict()
    args = parser.parse_args(["--seed", "4", "--no-sanity"])
    expected = ExplainOptions(grid=5, seed=4, sanity=False, audio_methods=("integrated_gradients",))
    assert options_from_args(args, saved) == expected


def test_cli_bad_setting_is_one_line_before_any_model_loads(capsys):
    from msa_demo.__main__ import main

    assert main(["explain", "--preset", "no-such-preset", "--text", "hi", "--ig-tolerance", "2"]) == 2
    err = capsys.readouterr().err
    assert err.strip() == "error: Explanation option: the IG tolerance must be between 0 and 1."


def test_an_output_file_that_cannot_be_written_is_one_line_before_any_model_loads(capsys, tmp_path, monkeypatch):
    """--out to a folder (or into one that does not exist) ended a finished explanation with a traceback."""
    from msa_demo.__main__ import main
    from msa_demo.model import MultimodalSentimentModel

    def no_load(*args, **kwargs):
        raise AssertionError("the model was loaded before the output was checked")

    monkeypatch.setattr(MultimodalSentimentModel, "from_preset", no_load)
    for flags, said in [(["--out", str(tmp_path)], f"--out '{tmp_path}' is a folder; give the name of a file"),
                        (["--html", str(tmp_path / "no" / "r.html")], f"the folder '{tmp_path / 'no'}' does not exist")]:
        assert main(["explain", "--text", "hi", *flags]) == 2
        err = capsys.readouterr().err
        assert said in err and "Traceback" not in err


def test_each_modality_owns_its_options_under_its_name():
    """The core settings and each kind's own, composed by namespace; the public names stay flat."""
    specs = {s.name: s for s in option_specs()}
    assert (specs["text_methods"].owner, specs["text_methods"].attr) == ("text", "methods")
    assert (specs["grid"].owner, specs["grid"].attr) == ("image", "grid")  # declared bare: its own name
    assert (specs["segment_seconds"].owner, specs["audio_level"].attr) == ("audio", "level")
    assert specs["seed"].owner == ""
    o = ExplainOptions(grid=5, text_methods=("occlusion",), audio_level="latent", seed=2)
    assert (o.of("image").grid, o.grid, o.of("text").methods, o.of("audio").level) == (5, 5, ("occlusion",), "latent")
    assert o.of("image").baseline == o.image_baseline == "blur" and o.of("nothing") is None
    # dataclasses.replace keeps every part (the budget's plans are made so)
    r = replace(o, deletion_steps=4, grid=3)
    assert (r.grid, r.text_methods, r.audio_level, r.seed, r.deletion_steps) == (3, ("occlusion",), "latent", 2, 4)
    assert o.grid == 5  # the original is untouched
    assert ExplainOptions(parts={"image": o.of("image")}).grid == 5
    with pytest.raises(InputError, match="the image grid must be 2 to 64"):
        ExplainOptions(parts={"image": {"grid": 99}})
    with pytest.raises(TypeError, match="image_grid"):
        ExplainOptions(image_grid=3)  # a bare setting has no prefixed name
    o.grid = 6
    assert o.of("image").grid == 6 and o.to_dict()["grid"] == 6
    with pytest.raises(InputError, match="the image grid"):
        o.grid = 1


def test_options_saved_before_the_split_read_back():
    """A saved explanation's options, as written before the settings were split by modality (flat, with a name
    since retired), read back the same; to_dict writes the same keys."""
    old = {"text_baseline": "mask", "ig_max_steps": 32, "image_methods": ["occlusion"], "image_baseline": "black",
           "grid": 4, "regions": "grid", "superpixels": 50, "segment_seconds": 0.25, "audio_baseline": "noise",
           "sanity": False, "seed": 7, "deletion_steps": 5, "audio_methods": ["occlusion"], "ig_min_steps": 8,
           "ig_tolerance": 0.05, "batch_size": 0, "audio_level": "waveform", "text_methods": ["occlusion"],
           "budget": 0.0, "what_if": True, "what_if_forwards": 16, "tone": False, "robustness": False,
           "retired_setting": 1}
    o = ExplainOptions.from_dict(old)
    assert (o.of("text").baseline, o.of("image").grid, o.of("audio").baseline, o.seed) == ("mask", 4, "noise", 7)
    again = o.to_dict()
    assert {k: v for k, v in again.items() if k in old} == {k: v for k, v in old.items() if k != "retired_setting"}


def test_audio_read_as_words_says_every_method_it_replaces():
    """A preset whose audio is judged by its recognised words explains it by removing words: any other method asked
    for is named in a notice, not silently replaced (the built-in audio kind's ``explain_notices``)."""
    from types import SimpleNamespace

    from msa_demo.registry import get

    notices = get("audio").explain_notices
    words = SimpleNamespace(modalities={"audio": SimpleNamespace(attr_key="input_ids")})
    waveform = SimpleNamespace(modalities={"audio": SimpleNamespace(attr_key="input_values")})
    assert notices(words, ExplainOptions(audio_methods=("occlusion",)), ["audio"]) == []
    (said,) = notices(words, ExplainOptions(audio_methods=("shapley_value_sampling",)), ["audio"])
    assert said.startswith("Audio method 'shapley_value_sampling': this preset's audio is judged by its recognised")
    assert "(shapley value sampling on the waveform does not apply)" in said
    (both,) = notices(words, ExplainOptions(audio_methods=("occlusion", "integrated_gradients")), ["audio"])
    assert both.startswith("Audio method 'occlusion', 'integrated_gradients': this preset's audio")  # as given
    assert "(integrated gradients on the waveform" in both and "'both'" not in both
    from msa_demo.i18n import said
    assert said(both, "zh").startswith("音频方法 'occlusion'、'integrated_gradients'：") and "积分梯度" in said(both, "zh")
    assert notices(waveform, ExplainOptions(audio_methods=("shapley_value_sampling",)), ["audio"]) == []
    assert notices(words, ExplainOptions(audio_methods=("integrated_gradients",)), ["text"]) == []
