"""Offline English speech recognition with word timings (pocketsphinx 5).

Uses the US-English acoustic model, language model and CMU dictionary that ship
inside the ``pocketsphinx`` wheel, so nothing is downloaded. Accuracy is modest
(it is a small 2010s-era model) but it is fast on CPU and gives word timings.

    >>> from msa_demo.lite.speech import transcribe
    >>> t = transcribe(waveform_float32_16k)          # doctest: +SKIP
    >>> t.text, [(w.text, w.start, w.end) for w in t.words]  # doctest: +SKIP
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["Word", "Transcript", "transcribe", "get_decoder", "SAMPLE_RATE"]

SAMPLE_RATE = 16000

# Peak amplitude (on the [-1, 1] scale) below which a clip is treated as silence.
_SILENCE_PEAK = 1e-3
_VARIANT_RE = re.compile(r"\(\d+\)$")


@dataclass(frozen=True)
class Word:
    """One recognised word; ``start``/``end`` in seconds from the clip start."""

    text: str
    start: float
    end: float

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "start": self.start, "end": self.end}


@dataclass(frozen=True)
class Transcript:
    """Recognised text (words joined by spaces) plus per-word timings."""

    text: str
    words: tuple[Word, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "words": [w.to_dict() for w in self.words]}


EMPTY = Transcript("", ())

_decoder = None
_frame_rate = 100
_lock = threading.Lock()


def _is_filler(word: str) -> bool:
    # <s>, </s>, <sil>, [NOISE], [SPEECH], ++GARBAGE++ ...
    return (
        not word
        or word.startswith("<")
        or word.startswith("[")
        or word.startswith("+")
        or word.lower() in {"<sil>", "sil"}
    )


def get_decoder():
    """Return the process-wide pocketsphinx ``Decoder`` (created lazily, thread-safe).

    Callers other than :func:`transcribe` must hold no expectation of exclusive use;
    :func:`transcribe` serialises decoding with the module lock.
    """
    global _decoder, _frame_rate
    if _decoder is None:
        with _lock:
            if _decoder is None:
                from pocketsphinx import Decoder

                dec = Decoder(samprate=SAMPLE_RATE, loglevel="FATAL")
                try:
                    _frame_rate = int(dec.config["frate"])
                except Exception:  # pragma: no cover - very old/new API
                    _frame_rate = 100
                _decoder = dec
    return _decoder


def _to_mono_float(waveform: Any) -> np.ndarray:
    x = np.asarray(waveform)
    if x.ndim == 2:
        # (channels, time) or (time, channels): average the smaller axis.
        axis = 0 if x.shape[0] <= x.shape[1] else 1
        x = x.mean(axis=axis)
    elif x.ndim != 1:
        raise ValueError(f"waveform must be 1-D (or 2-D channels x time), got shape {x.shape}")
    if np.issubdtype(x.dtype, np.integer):
        x = x.astype(np.float32) / float(np.iinfo(x.dtype).max)
    return np.nan_to_num(x.astype(np.float32, copy=False))


def _resample(x: np.ndarray, orig: int, new: int) -> np.ndarray:
    import torch
    import torchaudio.functional as AF

    y = AF.resample(torch.from_numpy(np.ascontiguousarray(x)), orig, new)
    return y.numpy().astype(np.float32, copy=False)


def transcribe(waveform: Any, sample_rate: int = SAMPLE_RATE) -> Transcript:
    """Recognise English speech in ``waveform`` (float in [-1, 1], 16 kHz mono preferred).

    Other sample rates are resampled to 16 kHz; a 2-D array is mixed down to mono.
    Empty or silent input returns ``Transcript("", ())``.
    """
    if sample_rate is None or int(sample_rate) <= 0:
        raise ValueError(f"invalid sample_rate {sample_rate!r}")
    x = _to_mono_float(waveform)
    if x.size == 0 or float(np.max(np.abs(x))) < _SILENCE_PEAK:
        return EMPTY
    if int(sample_rate) != SAMPLE_RATE:
        x = _resample(x, int(sample_rate), SAMPLE_RATE)
    pcm = (np.clip(x, -1.0, 1.0) * 32767.0).astype("<i2").tobytes()

    dec = get_decoder()
    duration = x.size / SAMPLE_RATE
    with _lock:
        dec.start_utt()
        dec.process_raw(pcm, no_search=False, full_utt=True)
        dec.end_utt()
        segs = [(s.word, s.start_frame, s.end_frame) for s in dec.seg()]
        fr = float(_frame_rate)

    words = []
    for raw, sf, ef in segs:
        if _is_filler(raw):
            continue
        text = _VARIANT_RE.sub("", raw)
        start = round(min(sf / fr, duration), 3)
        end = round(min((ef + 1) / fr, duration), 3)
        words.append(Word(text, start, max(start, end)))
    return Transcript(" ".join(w.text for w in words), tuple(words))
