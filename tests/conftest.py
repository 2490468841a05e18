"""Shared fixtures: tiny random models of the Hub preset's families, built once per test session, the planted-cause
models (tests/planted_models.py) and the lite preset's real model, loaded once; fixtures that several test modules
use live here."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image


@pytest.fixture(scope="session")
def tiny_preset_path(tmp_path_factory):
    from msa_demo.tiny import build_tiny_preset

    return build_tiny_preset(tmp_path_factory.mktemp("tiny"), seed=0)


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
    """The lite preset's model (real weights, CPU), loaded once for the whole session."""
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


@pytest.fixture
def tone():
    """One second of a 440 Hz tone at 16 kHz, float32."""
    t = np.arange(16000) / 16000.0
    return (0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)


@pytest.fixture(scope="session")
def example_rows():
    """The curated examples as manifest rows (absolute paths), labelled by their names; copy before changing."""
    examples = Path(__file__).resolve().parent.parent / "examples"
    return tuple({"id": e["name"], "text": e["text"], "image": str(examples / e["image"]) if e["image"] else None,
                  "audio": str(examples / e["audio"]) if e["audio"] else None,
                  "label": "negative" if "negative" in e["name"].lower() else "positive"}
                 for e in json.loads((examples / "examples.json").read_text(encoding="utf-8")))
