"""How it sounds: would the fused verdict change if the same clip were said higher or lower, faster or slower,
quieter or louder, or in noise? (paralinguistic explanation, as ferret's SpeechXAI does).

Each change is made with torchaudio's own functions (pitch: ``functional.phase_vocoder`` then
``functional.resample``, as ``functional.pitch_shift`` does; rate: a phase-vocoder time stretch; ``functional.gain``;
``functional.add_noise`` with seeded noise), the changed clip is
read by the audio model like a new clip and fused with the other inputs' cached readings; each change's effect is
how far it moves the fused probability of the verdict. An audio model that reads only the recognised words (lite)
would mostly hear a transcript that did not change: it is said, not charted (:data:`WORDS_ONLY`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import torch

from msa_demo.config import SENTIMENTS
from msa_demo.explain.result import Cost, ToneEffect
from msa_demo.labels import probs_dict

WORDS_ONLY = ("How it sounds: this audio model judges the recognised words, not the tone of voice, so changing "
              "pitch, speaking rate, loudness or noise is not shown.")


@dataclass(frozen=True)
class Change:
    """One change of the clip: its kind (pitch, rate, loudness, noise), its amount and unit."""

    kind: str
    amount: float
    unit: str

    @property
    def name(self) -> str:
        sign = "+" if self.amount > 0 and self.kind != "noise" else ""
        return {"pitch": f"pitch {sign}{self.amount:g} semitones", "rate": f"speaking rate ×{self.amount:g}",
                "loudness": f"loudness {sign}{self.amount:g} dB",
                "noise": f"noise at {self.amount:g} dB SNR"}[self.kind]


CHANGES = (Change("pitch", -3, "semitones"), Change("pitch", 3, "semitones"), Change("rate", 0.8, "×"),
           Change("rate", 1.25, "×"), Change("loudness", -10, "dB"), Change("loudness", 6, "dB"),
           Change("noise", 20, "dB SNR"), Change("noise", 10, "dB SNR"))


def changed(wave: np.ndarray, rate: int, change: Change, seed: int = 0) -> np.ndarray:
    """The clip with one change made by torchaudio (float32 mono, clipped to [-1, 1])."""
    import torchaudio.functional as F

    x = torch.from_numpy(np.asarray(wave, dtype=np.float32)).unsqueeze(0)
    if change.kind == "pitch":
        # as functional.pitch_shift: stretched by the phase vocoder, then resampled back to the clip's length; the
        # resampling ratio rounded to 100 Hz steps (pitch within 0.4 %), as torchaudio's exact one, e.g. 13454 to
        # 16000 Hz, builds a kernel so long that it took 4 to 30 s on a 1 s clip
        stretch = 2.0 ** (-float(change.amount) / 12)
        y = _stretch(x, stretch, int(round(x.shape[-1] / stretch)))
        source = max(100, int(round(rate / stretch / 100.0)) * 100)
        y = F.resample(y, source, rate)[..., :x.shape[-1]]
        y = torch.nn.functional.pad(y, (0, x.shape[-1] - y.shape[-1]))
    elif change.kind == "rate":
        y = _stretch(x, change.amount, int(round(x.shape[-1] / change.amount)))
    elif change.kind == "loudness":
        y = F.gain(x, change.amount)
    elif change.kind == "noise":
        gen = torch.Generator().manual_seed(int(seed))
        noise = torch.randn(x.shape, generator=gen)
        y = F.add_noise(x, noise, torch.tensor([float(change.amount)]))
    else:
        raise ValueError(change.kind)
    return y[0].clamp(-1.0, 1.0).numpy().astype(np.float32)


def _stretch(x: torch.Tensor, rate: float, length: int) -> torch.Tensor:
    """``x`` played ``rate`` times faster, its pitch kept (torchaudio's phase vocoder on a 512-point STFT)."""
    import torchaudio.functional as F

    n_fft, hop = 512, 128
    window = torch.hann_window(n_fft)
    spec = torch.stft(x, n_fft, hop, window=window, return_complex=True)
    advance = torch.linspace(0, np.pi * hop, spec.shape[-2])[..., None]
    return torch.istft(F.phase_vocoder(spec, rate, advance), n_fft, hop, window=window, length=length)


def reads_words_only(model) -> bool:
    """Does the audio model judge a transcript (its input is token ids), not the sound?"""
    mod = model.modalities.get("audio")
    return mod is not None and getattr(mod, "attr_key", "") == "input_ids"


def tone(model, inputs, used: list[str], verdict: str, seed: int = 0) -> tuple[list[ToneEffect], str, Cost]:
    """(each change's effect on the fused verdict, a note, cost). No audio used: nothing; a words-only audio
    model: nothing and :data:`WORDS_ONLY`."""
    from msa_demo.inputs import AudioInput

    t0 = time.perf_counter()
    if "audio" not in used or getattr(inputs, "audio", None) is None:
        return [], "", Cost()
    if reads_words_only(model):
        return [], WORDS_ONLY, Cost()
    v = SENTIMENTS.index(verdict)
    encoded = {m: model.encode(m, getattr(inputs, m))[1] for m in used}
    base = float(model.fuse({m: encoded[m] for m in model.modalities if m in encoded})[v])
    clip = inputs.audio
    out = []
    for change in CHANGES:
        wave = changed(clip.waveform, clip.sample_rate, change, seed)
        enc = dict(encoded, audio=model.encode("audio", AudioInput(wave, clip.sample_rate, [], clip.seconds),
                                                 keep=False)[1])
        probs = probs_dict(model.fuse({m: enc[m] for m in model.modalities if m in enc}))
        label = max(probs, key=probs.get)
        out.append(ToneEffect(kind=change.kind, change=change.name, amount=change.amount, label=label, probs=probs,
                              moves=probs[verdict] - base, flips=label != verdict))
    return out, "", Cost(len(CHANGES), time.perf_counter() - t0)


def tone_sentence(effects: list[ToneEffect], verdict: str) -> str:
    """One sentence: which kind of change moves the verdict most."""
    if not effects:
        return ""
    by_kind: dict[str, float] = {}
    for e in effects:
        by_kind[e.kind] = max(by_kind.get(e.kind, 0.0), abs(e.moves))
    top = max(by_kind, key=by_kind.get)
    if by_kind[top] < 0.005:
        return f"How it sounds: none of these changes moves P({verdict}) by as much as half a point."

    flips = [e.change for e in effects if e.flips]
    tail = f"; {', '.join(flips)} flip{'s' if len(flips) == 1 else ''} it" if flips else "; none flips it"
    return (f"How it sounds: {top} moves P({verdict}) most (up to {100 * by_kind[top]:.0f} points){tail}.")


__all__ = ["CHANGES", "Change", "WORDS_ONLY", "changed", "reads_words_only", "tone", "tone_sentence"]
