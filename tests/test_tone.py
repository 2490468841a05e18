"""How it sounds (msa_demo.explain.tone) on a planted tone model whose verdict depends on pitch only: the clip's
dominant frequency f0 gives s = (f0 - 200 Hz) / 20 Hz and logits (-s, 0, s). A 220 Hz tone reads positive;
3 semitones lower (185 Hz) reads negative; a slower or faster rate (pitch kept), a quieter or louder clip and added
noise leave f0, and so the verdict, where they were. So the pitch bar dominates, and only pitch -3 flips it."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from msa_demo.explain import ExplainOptions, explain
from msa_demo.inputs import AudioInput, Inputs
from msa_demo.modalities import Modality, Prepared
from planted_models import LABELS, AdditiveFusion, build_model, planted_spec

RATE = 16000


class PitchAudio(Modality):
    name = "audio"
    attr_key = "input_values"
    sample_rate = RATE

    def load(self) -> None:
        self.net = torch.nn.Linear(1, 1)  # nothing learnt: the verdict is the pitch
        self.id2label = dict(LABELS)

    def prepare(self, value) -> Prepared:
        wave = torch.from_numpy(np.asarray(value.waveform, dtype=np.float32)).unsqueeze(0)
        return Prepared(inputs={"input_values": wave}, info={"sample_rate": RATE, "seconds": value.seconds})

    def _run(self, inputs, want_features):
        x = inputs["input_values"]
        spectrum = torch.fft.rfft(x, n=RATE).abs()  # 1 Hz bins
        f0 = spectrum[:, 50:1000].argmax(-1).float() + 50
        s = (f0 - 200.0) / 20.0
        return torch.stack([-s, torch.zeros_like(s), s], -1), (f0[:, None] if want_features else None)


class WordsAudio(PitchAudio):
    attr_key = "input_ids"  # as lite's speech model: it reads the recognised words


def _model(cls=PitchAudio):
    return build_model({"audio": cls(planted_spec("planted-audio"), torch.device("cpu"), torch.float32)},
                       AdditiveFusion())


def _tone_clip() -> Inputs:
    t = np.arange(RATE) / RATE
    wave = (0.3 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)
    return Inputs(audio=AudioInput(wave, RATE, [], 1.0))


def test_the_pitch_bar_dominates_a_model_that_hears_pitch_only():
    from msa_demo import views

    exp = explain(_model(), _tone_clip(), options=ExplainOptions(tone=True, segment_seconds=1.0, deletion_steps=2))
    assert exp.prediction.label == "positive" and exp.tone_note == ""
    effects = {e.change: e for e in exp.tone}
    assert list(effects) == ["pitch -3 semitones", "pitch +3 semitones", "speaking rate ×0.8",
                             "speaking rate ×1.25", "loudness -10 dB", "loudness +6 dB", "noise at 20 dB SNR",
                             "noise at 10 dB SNR"]
    pitch = max(abs(e.moves) for e in exp.tone if e.kind == "pitch")
    others = max(abs(e.moves) for e in exp.tone if e.kind != "pitch")
    assert pitch > 0.08 and others < 0.005, (pitch, others)  # the fusion weighs audio 0.2: 0.2 x 0.52
    assert effects["pitch -3 semitones"].flips and effects["pitch -3 semitones"].label == "negative"
    assert [e.change for e in exp.tone if e.flips] == ["pitch -3 semitones"]
    assert effects["pitch +3 semitones"].moves > 0  # higher still: more positive
    data = json.loads(exp.to_json())
    assert data["options"]["tone"] is True and len(data["tone"]) == 8
    panel = views.whatif_markdown(data)
    assert "How it sounds: pitch moves P(positive) most" in panel and "pitch -3 semitones flips it" in panel
    assert "| pitch -3 semitones | negative ↺ |" in panel
    page = __import__("msa_demo.report", fromlist=["to_html"]).to_html(data)
    assert "<h3>How it sounds</h3>" in page and "pitch -3 semitones (flips it)" in page
    assert explain(_model(), _tone_clip(), options=ExplainOptions(segment_seconds=1.0, deletion_steps=2)).tone == []  # off unless asked


def test_an_audio_model_that_reads_words_says_so_instead_of_a_chart():
    from msa_demo import views
    from msa_demo.explain.tone import WORDS_ONLY, tone

    effects, note, cost = tone(_model(WordsAudio), _tone_clip(), ["audio"], "positive")
    assert effects == [] and note == WORDS_ONLY and cost.forward_passes == 0
    assert "not the tone of voice" in views.whatif_markdown({"tone_note": note, "what_if": []})


def test_each_change_is_made_by_torchaudio_as_said():
    from msa_demo.explain.tone import CHANGES, changed

    wave = _tone_clip().audio.waveform
    by = {c.name: changed(wave, RATE, c) for c in CHANGES}

    def f0(w):
        return int(np.argmax(np.abs(np.fft.rfft(w, n=RATE))[50:1000])) + 50

    assert abs(f0(by["pitch -3 semitones"]) - 220 * 2 ** (-3 / 12)) <= 3
    assert abs(f0(by["speaking rate ×0.8"]) - 220) <= 3 and len(by["speaking rate ×0.8"]) == RATE * 1.25
    assert len(by["speaking rate ×1.25"]) == RATE * 0.8
    rms = float(np.sqrt(np.mean(wave ** 2)))
    assert float(np.sqrt(np.mean(by["loudness -10 dB"] ** 2))) == pytest.approx(rms * 10 ** (-10 / 20), rel=0.01)
    noise = by["noise at 10 dB SNR"] - wave
    assert 10 * np.log10(np.mean(wave ** 2) / np.mean(noise ** 2)) == pytest.approx(10, abs=0.5)
