"""Shared fixtures (tiny random models of the Hub preset's families, the planted-cause models, the lite preset's
real model), and the lanes: which tests ``make test-fast`` runs.

The fast lane (``pytest -m fast``) is every test that loads no real model, serves no app, drives no browser and
starts no fresh Python. A test is sorted out of it by what it uses, not by someone remembering to mark it:

- ``lite``: it uses the shared ``lite`` fixture, directly or through another fixture (marked here at collection);
  a test that loads lite's weights some other way (the face model, Whisper, the e5 conversion) carries the mark;
- ``server``: it uses a fixture (or is a test) that calls ``serving.serve`` (marked here);
- ``browser``: it uses a fixture (or is a test) that calls ``serving.chromium`` (marked here);
- ``spawns``: it starts a fresh Python (a subprocess). Marked by hand, and checked: a test that starts one without
  the mark fails, and says so;
- ``slow``: marked by hand (seconds each, alone or through a module fixture, on the tiny models).
"""

from __future__ import annotations

import json
import os
import re
import sys
import types
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

# The dashboard's time budget (5 s on a CPU) chooses settings from measured speed; the tests' maps must not depend
# on how busy the machine is (tests/test_budget.py tests the budget itself). Set before the app is imported, and
# inherited by every server a test starts.
os.environ.setdefault("MSA_BUDGET", "0")

OUT_OF_THE_FAST_LANE = ("slow", "lite", "server", "browser", "spawns")


@pytest.fixture(scope="session")
def tiny_preset_path(tmp_path_factory):
    from msa_demo.tiny import build_tiny_preset

    return build_tiny_preset(tmp_path_factory.mktemp("tiny"), seed=0)


@pytest.fixture(scope="session")
def tiny_video_preset(tiny_preset_path, tmp_path_factory):
    """The tiny preset with a video entry as the Hub presets declare one (``config.frames_of``): its CLIP image
    family reads whole frames, 2 per second, 4 s at most."""
    from dataclasses import replace

    from msa_demo.config import frames_of, load_preset, save_preset

    base = load_preset(tiny_preset_path)
    spec = frames_of(base.modalities["image"])
    spec = replace(spec, options={**spec.options, "max_seconds": 4.0})
    preset = replace(base, name="tiny-video", modalities={**base.modalities, "video": spec})
    return save_preset(preset, tmp_path_factory.mktemp("tiny_video") / "tiny_video.json")


@pytest.fixture(scope="session")
def tiny_vit_preset_path(tmp_path_factory):
    from msa_demo.tiny import build_tiny_preset

    return build_tiny_preset(tmp_path_factory.mktemp("tiny_vit"), seed=1, image_family="hf-image-classifier")


@pytest.fixture(scope="session")
def tiny_model(tiny_preset_path):
    from msa_demo.model import MultimodalSentimentModel

    return MultimodalSentimentModel.from_preset(str(tiny_preset_path), device="cpu")


@pytest.fixture(scope="module")
def planted():
    """Text, image and audio whose causes are planted (tests/planted_models.py); one per test module, as the
    adaptive IG steps are remembered per model."""
    from planted_models import planted_model

    return planted_model()


@pytest.fixture(scope="session")
def lite():
    """The lite preset's model (real weights, CPU), loaded once for the whole session. Every test that uses it,
    directly or through another fixture, is marked ``lite`` and is not in the fast lane."""
    from msa_demo.model import MultimodalSentimentModel

    return MultimodalSentimentModel.from_preset("lite", device="cpu")


@pytest.fixture(scope="session")
def lite_dashboard(lite):
    """``make(warm=True)``: a new Dashboard on the shared lite model, as ``Dashboard.load("lite", fallback=None,
    warm=warm)`` builds one (its own kept explanations; the model warmed up when asked)."""
    from msa_demo import ui
    from msa_demo.ui.widgets import warm_up

    def make(warm: bool = True):
        if warm:
            warm_up(lite)
        return ui.Dashboard(models={"lite": lite}, default="lite", notices=list(lite.notices))

    return make


@pytest.fixture
def rgb_image():
    rng = np.random.default_rng(0)
    return Image.fromarray(rng.integers(0, 255, (48, 64, 3), dtype=np.uint8))


@pytest.fixture(scope="module")
def dash(tiny_preset_path):
    """A Dashboard on the tiny preset (random weights, CPU), one per test module."""
    from msa_demo import ui

    return ui.Dashboard.load(str(tiny_preset_path), fallback=None, device="cpu")


@pytest.fixture
def image_path(tmp_path, rgb_image):
    """``rgb_image`` saved as a PNG file: its path."""
    p = tmp_path / "face.png"
    rgb_image.save(p)
    return str(p)


@pytest.fixture
def tone():
    """One second of a 440 Hz tone at 16 kHz, float32."""
    t = np.arange(16000) / 16000.0
    return (0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)


@pytest.fixture(scope="session")
def example_rows():
    """The curated examples as manifest rows (absolute paths), labelled by their names; copy before changing."""
    examples = Path(__file__).resolve().parent.parent / "examples"
    return tuple({"id": e["name"], "text": e["text"],
                  "label": "negative" if "negative" in e["name"].lower() else "positive",
                  **{m: str(examples / e[m]) if e.get(m) else None for m in ("image", "audio", "video")}}
                 for e in json.loads((examples / "examples.json").read_text(encoding="utf-8")))


# ---------------------------------------------------------------------------------------------- the lanes


def _names_called(code: types.CodeType) -> set[str]:
    """The global and attribute names a function's code (nested functions included) refers to."""
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _names_called(const)
    return names


def _kinds(item) -> set[str]:
    """What an item uses that keeps it out of the fast lane, read from its fixtures (the whole closure) and its
    own code."""
    kinds = set()
    fixturenames = set(getattr(item, "fixturenames", ()))
    if "lite" in fixturenames:
        kinds.add("lite")
    info = getattr(item, "_fixtureinfo", None)
    funcs = [getattr(item, "function", None)]
    for name in fixturenames:
        defs = info.name2fixturedefs.get(name) if info is not None else None
        if defs:
            funcs.append(defs[-1].func)  # the definition this item gets (the closest one)
    for func in funcs:
        code = getattr(func, "__code__", None)
        if code is None:
            continue
        called = _names_called(code)
        if "serve" in called:
            kinds.add("server")
        if "chromium" in called:
            kinds.add("browser")
    return kinds


def pytest_collection_modifyitems(config, items):
    for item in items:
        for kind in sorted(_kinds(item)):
            if item.get_closest_marker(kind) is None:
                item.add_marker(kind)
        if not any(item.get_closest_marker(k) for k in OUT_OF_THE_FAST_LANE):
            item.add_marker("fast")
        elif item.get_closest_marker("server") or item.get_closest_marker("browser"):
            # make test's second part (pytest-xdist, --dist loadgroup): the tests that serve an app, and drive a
            # browser, one after another on one worker (their module's app served once), the rest on the other
            item.add_marker(pytest.mark.xdist_group("app"))


# A test that starts a fresh Python must be marked ``spawns`` (it is slow, and out of the fast lane): every
# process started through subprocess is seen here (an audit hook), and an unmarked test that started a Python
# fails with the command it ran.
_PYTHON = re.compile(r"(^|[\s/'\"])python[0-9.]*(\s|$)")
_pythons_started: list[str] = []


def _starts_python(executable, argv) -> bool:
    words = [os.fsdecode(argv)] if isinstance(argv, (str, bytes, os.PathLike)) else [os.fsdecode(a) for a in argv]
    program = os.fsdecode(executable) if executable else (words[0] if words else "")
    if program == sys.executable or _PYTHON.search(os.path.basename(program)):
        return True
    shell = os.path.basename(program) in ("sh", "bash", "dash") and "-c" in words
    return shell and any(_PYTHON.search(w) or sys.executable in w for w in words[1:])


def _audit(event: str, args: tuple) -> None:
    if event == "subprocess.Popen":
        try:
            if _starts_python(args[0], args[1]):
                _pythons_started.append(" ".join(map(os.fsdecode, args[1]))[:200])
        except Exception:  # noqa: BLE001 - the watch must never break a spawn
            pass


sys.addaudithook(_audit)
_STARTED_BEFORE = pytest.StashKey[int]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item, nextitem):
    item.stash[_STARTED_BEFORE] = len(_pythons_started)
    return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if call.when == "call" and report.passed and item.get_closest_marker("spawns") is None:
        started = _pythons_started[item.stash.get(_STARTED_BEFORE, len(_pythons_started)):]
        if started:
            report.outcome = "failed"
            report.longrepr = (f"{item.nodeid} starts a fresh Python ({started[0]!r}) but is not marked "
                               "@pytest.mark.spawns: mark it, so that the fast lane (make test-fast) leaves it out")
    return report
