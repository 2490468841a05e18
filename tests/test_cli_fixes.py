"""What new users found on the command line (issue fix-cli): loading notices said by explain and explain-batch,
input mistakes refused before any model loads, a text column under another name hinted at, a model named once
in a notice, --preset's help naming a folder train wrote. In process, on the tiny preset and a tiny copy of it
standing in for a Hub model that cannot load (the Hub unreachable: an empty cache, HF_HUB_OFFLINE)."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from msa_demo.config import HUB, load_preset, save_preset


@pytest.fixture
def offline(monkeypatch, tmp_path):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "empty-hf-cache"))


def test_a_model_two_modalities_share_is_named_once_in_its_notice():
    """'openai/clip-vit-base-patch32', 'openai/clip-vit-base-patch32': image and video read one checkpoint."""
    from msa_demo.model import loading_notices

    (line,) = loading_notices(HUB, [("image", True, "The Hub cannot be reached."),
                                    ("video", True, "The Hub cannot be reached.")])
    assert line.count("openai/clip-vit-base-patch32") == 1
    assert line.startswith("Image and video: 'openai/clip-vit-base-patch32' could not be loaded")


def test_the_app_s_help_says_a_folder_train_wrote_is_a_preset(capsys):
    """'python app.py --help' named only the built-ins and preset files, though a folder written by train works."""
    import app

    with pytest.raises(SystemExit):
        app.main(["--help"])
    helped = " ".join(capsys.readouterr().out.split())
    assert "a folder `python -m msa_demo train` wrote" in helped
