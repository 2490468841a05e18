#!/usr/bin/env python
"""Regenerate the files in ``examples/`` (speech clips, images, a video clip, examples.json).

Needs: espeak-ng and sox (Debian packages), numpy, soundfile, pillow, scikit-image.
Everything is generated locally; nothing is downloaded.

    python scripts/make_examples.py            # writes examples/
    python scripts/make_examples.py --check    # also transcribes the clips with msa_demo.lite.speech
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "examples"

# Voice/speed/wording were first chosen for a small pocketsphinx model (the Klatt variants of espeak-ng were
# recognised far better than the default voice). Whisper base, lite's recogniser now, hears every sentiment word
# of them (`--check`). There is no spoken Chinese clip: espeak-ng's Mandarin voice is not heard as Chinese by
# Whisper base (see examples/SOURCES.md), so a clip made with it would not be an honest example.
SPEECH = {
    "positive_speech.wav": dict(
        text="I love this, it is wonderful and amazing. I am so glad.",
        args=["-v", "en-us+klatt4", "-s", "150"],
        keywords=["love", "wonderful", "amazing", "glad"],
    ),
    "negative_speech.wav": dict(
        text="I hate this. It is terrible, the worst day ever. I am so sad.",
        args=["-v", "en-us+klatt4", "-s", "150"],
        keywords=["hate", "terrible", "worst", "sad"],
    ),
    "angry_speech.wav": dict(
        text="This is awful, I am furious, it is the worst thing ever.",
        args=["-v", "en-us+klatt4", "-s", "190", "-a", "200", "-p", "70"],
        keywords=["awful", "furious", "worst"],
    ),
    "neutral_speech.wav": dict(
        text="The meeting is at ten in the room on the second floor.",
        args=["-v", "en-us+klatt", "-s", "140"],
        keywords=["meeting", "ten", "room", "second", "floor"],
    ),
}

EXAMPLES = [
    {
        "name": "Clearly positive",
        "text": "I love this, it is wonderful and amazing. I am so glad.",
        "image": "happy_face.png",
        "audio": "positive_speech.wav",
        "note": "All three modalities agree: positive words, a smiling face, a positive spoken sentence.",
    },
    {
        "name": "Clearly negative",
        "text": "I hate this. It is terrible, the worst day ever. I am so sad.",
        "image": "frown_face.png",
        "audio": "negative_speech.wav",
        "note": "All three modalities agree: negative words, a grimacing face (the astronaut photo with its smile flipped into a frown), a negative spoken sentence.",
    },
    {
        "name": "Cross-modal conflict",
        "text": "Thank you so much, you are very kind and I really appreciate it.",
        "image": "frown_face.png",
        "audio": "angry_speech.wav",
        "note": "Kind words in the text, but a grimacing face and loud, fast, negative speech: "
        "shows how the fusion weighs disagreeing modalities.",
    },
    {
        "name": "Text only",
        "text": "What a fantastic day, everything went perfectly!",
        "image": None,
        "audio": None,
        "note": "Only the text modality is given.",
    },
    {
        "name": "Image only",
        "text": None,
        "image": "happy_face.png",
        "audio": None,
        "note": "Only the face image is given (NASA astronaut portrait, smiling).",
    },
    {
        "name": "Audio only",
        "text": None,
        "image": None,
        "audio": "negative_speech.wav",
        "note": "Only the speech clip is given; the text comes from speech recognition.",
    },
    {
        "name": "Neutral",
        "text": "The meeting is at ten in the room on the second floor.",
        "image": "neutral_scene.png",
        "audio": "neutral_speech.wav",
        "note": "Factual sentence, a photo without a face (a cup of coffee) and a neutral spoken sentence.",
    },
    {
        "name": "Chinese text, positive",
        "text": "这个手机质量非常好，物流也很快，我很满意！",
        "image": "happy_face.png",
        "audio": None,
        "note": "A Chinese review (\"this phone's quality is very good, delivery was fast too, I'm very satisfied!\") "
        "and a smiling face. The words panel groups the Chinese characters into words.",
    },
    {
        "name": "Video clip",
        "text": None,
        "image": None,
        "audio": None,
        "video": "face_turns.mp4",
        "note": "A made-up talking clip (4.5 s): a frown for 2 s, then a smile, while a synthetic voice says a "
        "positive sentence. Its sound track is the audio; the timeline shows when the face and the words moved "
        "the verdict.",
    },
]


# --------------------------------------------------------------------------- speech


def make_speech(name: str, spec: dict, out_dir: Path) -> Path:
    for tool in ("espeak-ng", "sox"):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} not found (apt-get install espeak-ng sox)")
    dest = out_dir / name
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "raw.wav"
        subprocess.run(["espeak-ng", *spec["args"], "-w", str(raw), spec["text"]], check=True)
        # 16 kHz, mono, 16-bit PCM, no dither (-D, reproducible); normalise to -1 dBFS.
        subprocess.run(
            ["sox", "-D", str(raw), "-r", "16000", "-c", "1", "-b", "16", str(dest), "gain", "-n", "-1"], check=True
        )
    return dest


# --------------------------------------------------------------------------- images


def _resize_long(img: Image.Image, long_side: int = 256) -> Image.Image:
    w, h = img.size
    s = long_side / max(w, h)
    return img.resize((max(1, round(w * s)), max(1, round(h * s))), Image.LANCZOS)


def make_photo(kind: str, dest: Path) -> Path:
    import skimage.data

    arr = skimage.data.astronaut() if kind == "astronaut" else skimage.data.coffee()
    _resize_long(Image.fromarray(arr).convert("RGB")).save(dest, optimize=True)
    return dest


def make_frown(dest: Path) -> Path:
    """The astronaut portrait with the mouth region flipped upside down: the smile becomes a grimace.

    A feathered ellipse over the lower face (found by the same Haar cascade the lite model uses) is
    mirrored vertically and blended back. The lite face model reads the result as negative
    (angry/disgust/fear ≈ 0.87 of its probability, happy ≈ 0.01); the untouched photo reads happy ≈ 0.996.
    """
    import skimage.data

    sys.path.insert(0, str(ROOT))
    from msa_demo.lite.face import find_face

    img = Image.fromarray(skimage.data.astronaut()).convert("RGB")
    left, top, right, bottom = find_face(img)
    h, w = bottom - top, right - left
    y0, y1 = top + int(h * 0.63), top + int(h * 0.97)
    x0, x1 = left + int(w * 0.2), left + int(w * 0.8)
    arr = np.asarray(img).astype(np.float32)
    flipped = arr.copy()
    flipped[y0:y1, x0:x1] = arr[y0:y1, x0:x1][::-1]
    mask = Image.new("L", img.size, 0)
    ImageDraw.Draw(mask).ellipse([x0, y0, x1, y1], fill=255)
    alpha = np.asarray(mask.filter(ImageFilter.GaussianBlur(4)), dtype=np.float32)[..., None] / 255.0
    out = Image.fromarray((flipped * alpha + arr * (1 - alpha)).clip(0, 255).astype(np.uint8))
    _resize_long(out).save(dest, optimize=True)
    return dest


# --------------------------------------------------------------------------- main


def make_clip(dest: Path, voice: Path, frown: Path, smile: Path, turn: float = 2.0, fps: int = 10) -> Path:
    """A clip of the project's own faces and synthetic voice: the frown until ``turn`` seconds, then the smile,
    for as long as the voice speaks (MPEG-4 Part 2 video, AAC sound; written with PyAV)."""
    import soundfile as sf

    sys.path.insert(0, str(ROOT))
    from msa_demo.modalities.video import write_clip

    wave, rate = sf.read(voice, dtype="float32")
    faces = [Image.open(frown).convert("RGB"), Image.open(smile).convert("RGB")]
    frames = [faces[i / fps >= turn] for i in range(int(np.ceil(len(wave) / rate * fps)))]
    return write_clip(dest, frames, fps=fps, sound=(rate, wave))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--check", action="store_true", help="transcribe the clips and report recognised keywords")
    a = ap.parse_args(argv)
    a.out.mkdir(parents=True, exist_ok=True)
    for name, spec in SPEECH.items():
        print("wrote", make_speech(name, spec, a.out))
    print("wrote", make_photo("astronaut", a.out / "happy_face.png"))
    print("wrote", make_photo("coffee", a.out / "neutral_scene.png"))
    print("wrote", make_frown(a.out / "frown_face.png"))
    print("wrote", make_clip(a.out / "face_turns.mp4", a.out / "positive_speech.wav", a.out / "frown_face.png",
                             a.out / "happy_face.png"))
    (a.out / "examples.json").write_text(json.dumps(EXAMPLES, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print("wrote", a.out / "examples.json")
    if a.check:
        import time

        import soundfile as sf

        sys.path.insert(0, str(ROOT))
        from msa_demo.lite.speech import transcribe

        for name, spec in SPEECH.items():
            x, sr = sf.read(a.out / name, dtype="float32")
            t0 = time.perf_counter()
            t = transcribe(x, sr)
            dt = time.perf_counter() - t0
            heard = set(t.text.lower().replace(".", " ").replace(",", " ").split())
            hits = [k for k in spec["keywords"] if k in heard]
            print(f"{name}: {len(x) / sr:.2f}s audio, {dt:.2f}s decode, language {t.language} "
                  f"({t.language_probability}), keywords {hits} -> {t.text!r}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
