"""The offline lite preset: real weights shipped in registry packages, no Hub, CPU.

Issue 3's acceptance: positive for a clearly positive sentence, the smiling astronaut and a clip of
someone saying something positive; negative for their negative counterparts.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("I love this, it is wonderful and makes me very happy.", "positive"),
        ("What a fantastic day, everything went perfectly!", "positive"),
        ("I hate this, it is terrible and makes me very sad.", "negative"),
        ("The service was awful and the food was cold.", "negative"),
    ],
)
def test_lite_text(lite, text, expected):
    assert lite.predict(text=text).label == expected


def test_lite_image_astronaut_is_happy(lite):
    from skimage import data

    pred = lite.predict(image=data.astronaut())
    face = pred.modalities["image"]
    assert max(face.label_probs, key=face.label_probs.get) == "happy"
    assert pred.label == "positive"
    assert not any("no face" in n for n in pred.notices)


def test_lite_image_negative_example(lite):
    pred = lite.predict(image=str(EXAMPLES / "frown_face.png"))
    assert pred.label == "negative"


def test_lite_image_without_face_says_so(lite):
    from PIL import Image

    from msa_demo.errors import NoFace

    with pytest.raises(NoFace, match="No face was found in the picture"):  # left out: alone, no verdict
        lite.predict(image=Image.new("RGB", (120, 90), (30, 120, 200)))
    pred = lite.predict(image=Image.new("RGB", (120, 90), (30, 120, 200)), face_anyway=True)
    assert any("no face was found" in n for n in pred.notices)


@pytest.mark.parametrize("clip, expected", [("positive_speech.wav", "positive"), ("negative_speech.wav", "negative")])
def test_lite_audio_judges_the_words(lite, clip, expected):
    pred = lite.predict(audio=str(EXAMPLES / clip))
    assert pred.label == expected
    prepared, _ = lite.encode("audio", lite.read_inputs(audio=str(EXAMPLES / clip)).audio)
    words = prepared.info["words"]
    assert words and all(w["start"] <= w["end"] for w in words)


@pytest.mark.spawns
@pytest.mark.lite
def test_lite_cli_offline_all_three():
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    args = ["predict", "--preset", "lite", "--json",
            "--text", "I love this, it is wonderful and makes me very happy.",
            "--image", str(EXAMPLES / "happy_face.png"), "--audio", str(EXAMPLES / "positive_speech.wav")]
    res = subprocess.run([sys.executable, "-m", "msa_demo", *args], capture_output=True, text=True, env=env, timeout=300)
    assert res.returncode == 0, res.stderr
    out = json.loads(res.stdout)
    assert out["label"] == "positive" and out["used"] == ["text", "image", "audio"]
