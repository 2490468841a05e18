"""Offline speech recognition (pocketsphinx) on the bundled example clip."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("pocketsphinx")
sf = pytest.importorskip("soundfile")

from msa_demo.lite.speech import Transcript, Word, transcribe  # noqa: E402

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
POSITIVE = {"love", "wonderful", "amazing", "glad"}


@pytest.fixture(scope="module")
def positive_clip():
    x, sr = sf.read(EXAMPLES / "positive_speech.wav", dtype="float32")
    assert sr == 16000 and x.ndim == 1
    return x, sr


def _check_timings(t: Transcript, duration: float) -> None:
    assert t.words, t
    prev_end = 0.0
    for w in t.words:
        assert isinstance(w, Word)
        assert 0.0 <= w.start <= w.end <= duration + 1e-6
        assert w.start >= prev_end - 1e-6  # monotonic, non-overlapping
        prev_end = w.end
        assert "(" not in w.text and not w.text.startswith(("<", "["))


def test_positive_clip_keywords_and_timings(positive_clip):
    x, sr = positive_clip
    t = transcribe(x, sr)
    assert POSITIVE & set(t.text.split()), t.text
    assert t.text == " ".join(w.text for w in t.words)
    _check_timings(t, len(x) / sr)
    d = json.loads(json.dumps(t.to_dict()))
    assert d["text"] == t.text and len(d["words"]) == len(t.words)


@pytest.mark.parametrize("n", [0, 16000])
def test_silence_gives_empty_transcript(n):
    assert transcribe(np.zeros(n, np.float32), 16000) == Transcript("", ())


def test_44k_stereo_after_mono_and_resample(positive_clip):
    x, sr = positive_clip
    # make a 44.1 kHz stereo version (linear interpolation), then undo it like a caller would
    n44 = int(round(len(x) * 44100 / sr))
    x44 = np.interp(np.arange(n44) * sr / 44100, np.arange(len(x)), x).astype(np.float32)
    stereo = np.stack([x44, 0.8 * x44], axis=1)  # (time, channels) as soundfile returns it
    mono = stereo.mean(axis=1)
    t = transcribe(mono, 44100)  # resampled to 16 kHz inside
    assert POSITIVE & set(t.text.split()), t.text
    _check_timings(t, len(mono) / 44100)
