#!/usr/bin/env python
"""Regenerate the files in ``examples/`` (speech clips, images, examples.json).

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

# Voice/speed/wording were chosen so that the bundled pocketsphinx model recognises most
# of the sentiment words (the Klatt variants of espeak-ng are recognised far better than
# the default voice; "happy" and "hate" are hard for it, hence the wording).
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
        "image": "sad_face.png",
        "audio": "negative_speech.wav",
        "note": "All three modalities agree: negative words, a (synthetic, drawn) sad face, a negative spoken sentence.",
    },
    {
        "name": "Cross-modal conflict",
        "text": "Thank you so much, you are very kind and I really appreciate it.",
        "image": "angry_face.png",
        "audio": "angry_speech.wav",
        "note": "Kind words in the text, but an angry (synthetic, drawn) face and loud, fast, negative speech: "
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


def _shaded_face(size: int, base: tuple[int, int, int], grey: bool) -> tuple[Image.Image, np.ndarray]:
    """Background + an elliptical head with a radial (spherical-looking) shading."""
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32)
    cx, cy, rx, ry = size * 0.5, size * 0.52, size * 0.36, size * 0.45
    d = ((xx - cx) / rx) ** 2 + ((yy - cy) / ry) ** 2
    inside = d <= 1.0
    # light from upper left
    lx, ly = cx - rx * 0.35, cy - ry * 0.35
    dl = np.sqrt(((xx - lx) / (rx * 1.6)) ** 2 + ((yy - ly) / (ry * 1.6)) ** 2)
    shade = np.clip(1.08 - 0.55 * dl, 0.45, 1.05)
    bg = np.linspace(200, 150, size, dtype=np.float32)[:, None].repeat(size, 1)
    img = np.empty((size, size, 3), np.float32)
    for c in range(3):
        img[..., c] = np.where(inside, base[c] * shade, bg * (0.9 + 0.1 * c / 2))
    if grey:
        g = img.mean(axis=2, keepdims=True)
        img = np.repeat(g, 3, axis=2)
    return Image.fromarray(np.clip(img, 0, 255).astype(np.uint8)), inside


def _eye(draw: ImageDraw.ImageDraw, cx: float, cy: float, s: float, iris=(60, 45, 35)) -> None:
    draw.ellipse([cx - 14 * s, cy - 7 * s, cx + 14 * s, cy + 7 * s], fill=(245, 245, 245), outline=(40, 30, 30), width=max(1, int(2 * s)))
    draw.ellipse([cx - 6 * s, cy - 6 * s, cx + 6 * s, cy + 6 * s], fill=iris)
    draw.ellipse([cx - 2.5 * s, cy - 2.5 * s, cx + 2.5 * s, cy + 2.5 * s], fill=(10, 10, 10))


def make_face(style: str, dest: Path, size: int = 256) -> Path:
    """Synthetic drawn faces: 'sad' (shaded greyscale), 'sad_b' (colour cartoon with tears), 'angry'."""
    s = size / 256.0
    grey = style == "sad"
    base = {"sad": (225, 185, 160), "sad_b": (240, 200, 170), "angry": (235, 160, 135)}[style]
    img, _ = _shaded_face(size, base, grey)
    # supersampled drawing layer for smoother lines
    k = 4
    big = img.resize((size * k, size * k), Image.BICUBIC)
    d = ImageDraw.Draw(big)
    S = s * k
    ex, ey = 52 * S, 112 * S  # eye offsets from centre / eye height
    cx = 128 * S
    hair = (50, 40, 35)
    # hair cap
    d.chord([cx - 95 * S, 6 * S, cx + 95 * S, 150 * S], 180, 360, fill=hair)
    for side in (-1, 1):
        _eye(d, cx + side * ex, ey, S)
    brow_w = int(9 * S) if style != "sad_b" else int(7 * S)
    if style in ("sad", "sad_b"):
        # inner ends raised: /  \ reversed -> sad brows
        for side in (-1, 1):
            inner = (cx + side * 22 * S, ey - 30 * S)
            outer = (cx + side * 72 * S, ey - 16 * S)
            d.line([inner, outer], fill=(45, 35, 30), width=brow_w)
        # downturned mouth (upper half of an ellipse = frown)
        d.arc([cx - 42 * S, 182 * S, cx + 42 * S, 230 * S], 200, 340, fill=(110, 40, 40), width=int(8 * S))
        # droopy lower eyelids / eye bags
        for side in (-1, 1):
            d.arc([cx + side * ex - 16 * S, ey - 2 * S, cx + side * ex + 16 * S, ey + 16 * S], 20, 160, fill=(120, 90, 80), width=int(3 * S))
        if style == "sad_b":
            for side in (-1, 1):
                tx, ty = cx + side * (ex + 4 * S), ey + 14 * S
                d.ellipse([tx - 6 * S, ty, tx + 6 * S, ty + 20 * S], fill=(120, 180, 240), outline=(60, 110, 200), width=int(2 * S))
    else:  # angry: V-shaped brows (inner ends low), tight frown, creases
        for side in (-1, 1):
            inner = (cx + side * 18 * S, ey - 12 * S)
            outer = (cx + side * 74 * S, ey - 34 * S)
            d.line([inner, outer], fill=(35, 25, 20), width=int(11 * S))
        d.line([(cx - 6 * S, ey - 26 * S), (cx - 3 * S, ey - 8 * S)], fill=(150, 90, 80), width=int(3 * S))
        d.line([(cx + 6 * S, ey - 26 * S), (cx + 3 * S, ey - 8 * S)], fill=(150, 90, 80), width=int(3 * S))
        # open, downturned, teeth-showing mouth
        d.chord([cx - 40 * S, 185 * S, cx + 40 * S, 240 * S], 180, 360, fill=(90, 20, 20), outline=(60, 10, 10), width=int(4 * S))
        d.rectangle([cx - 30 * S, 201 * S, cx + 30 * S, 209 * S], fill=(240, 240, 230))
    # nose
    d.line([(cx, ey + 5 * S), (cx - 8 * S, ey + 45 * S), (cx + 6 * S, ey + 48 * S)], fill=(150, 110, 95) if not grey else (120, 120, 120), width=int(4 * S))
    out = big.resize((size, size), Image.LANCZOS).filter(ImageFilter.GaussianBlur(0.6))
    if grey:
        out = out.convert("L").convert("RGB")
    out.save(dest, optimize=True)
    return dest


# --------------------------------------------------------------------------- main


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
    print("wrote", make_face("sad", a.out / "sad_face.png"))
    print("wrote", make_face("sad_b", a.out / "sad_face_b.png"))
    print("wrote", make_face("angry", a.out / "angry_face.png"))
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
            hits = [k for k in spec["keywords"] if k in t.text.split()]
            print(f"{name}: {len(x) / sr:.2f}s audio, {dt:.2f}s decode, keywords {hits} -> {t.text!r}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
