"""The command line, run as a user runs it (a subprocess), on the tiny preset."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
import soundfile as sf
from PIL import Image

pytestmark = pytest.mark.spawns  # each test runs the command line


def run(*args, env=None):
    return subprocess.run([sys.executable, "-m", "msa_demo", *args], capture_output=True, text=True, timeout=300, env=env)


def test_predict_text_image_audio_json(tiny_preset_path, tmp_path):
    img = tmp_path / "face.png"
    Image.new("RGB", (40, 30), (200, 100, 50)).save(img)
    wav = tmp_path / "voice.wav"
    sf.write(wav, (0.2 * np.sin(np.arange(16000) / 3)).astype(np.float32), 16000)
    res = run("predict", "--preset", str(tiny_preset_path), "--text", "I love it", "--image", str(img),
              "--audio", str(wav), "--json")
    assert res.returncode == 0, res.stderr
    out = json.loads(res.stdout)
    assert out["used"] == ["text", "image", "audio"]
    assert abs(sum(out["probs"].values()) - 1) < 1e-5


def test_predict_readable_and_use_flag(tiny_preset_path):
    res = run("predict", "--preset", str(tiny_preset_path), "--text", "I love it", "--use", "text")
    assert res.returncode == 0, res.stderr
    assert res.stdout.startswith("Sentiment: ") and "text alone" in res.stdout


def test_bad_inputs_give_one_line_and_exit_2(tiny_preset_path, tmp_path):
    res = run("predict", "--preset", str(tiny_preset_path), "--audio", str(tmp_path / "none.wav"))
    assert res.returncode == 2
    shown = f"…/{tmp_path.parent.name}/{tmp_path.name}"  # an absolute path: its last three parts
    assert res.stderr.strip() == f"error: No audio file was found at '{shown}/none.wav'."
    res = run("predict", "--preset", str(tiny_preset_path))
    assert res.returncode == 2 and "at least one input" in res.stderr
    res = run("predict", "--preset", str(tiny_preset_path), "--text", "   ")  # spaces are no text: the flags' line
    assert res.returncode == 2 and res.stderr.strip() == (
        "error: Give at least one input: --text, --image, --audio or --video.")
    assert "Traceback" not in res.stderr
