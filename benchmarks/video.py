"""Video on lite: a generated clip of a given length (a face that turns from a frown to a smile at 640×480, the
curated synthetic voice looped under it), predicted and explained end to end (decode, faces, Whisper, maps).

    python benchmarks/video.py --preset lite --seconds 5 10 30 --runs 3

Prints one row per clip length: the clip's frames read, predict p50 (decode + faces + Whisper + fusion, caches
cleared each run: encodings, frames' readings, face boxes, transcripts), the first part of the explanation (prediction, summary, modality contributions) and the full
explanation p50, its forward passes; the same rows as JSON with ``--out``. The issue's target (2-core CPU, lite, a
10 s 640×480 clip): predict <= 2 s, full explanation <= 8 s p50.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
EXAMPLES = ROOT / "examples"


def make_clip(dest: Path, seconds: float, size=(640, 480), fps: int = 10) -> Path:
    """``seconds`` of the curated frown, then the smile from the middle on, on a grey 640×480 canvas, with the
    curated positive voice looped under it."""
    import soundfile as sf
    from PIL import Image

    from msa_demo.modalities.video import write_clip

    wave, rate = sf.read(EXAMPLES / "positive_speech.wav", dtype="float32")
    n = int(seconds * rate)
    wave = np.tile(wave, int(np.ceil(n / len(wave))))[:n]
    frames = []
    for name in ("frown_face.png", "happy_face.png"):
        canvas = Image.new("RGB", size, (120, 120, 120))
        face = Image.open(EXAMPLES / name).convert("RGB")
        face.thumbnail((size[1] - 40, size[1] - 40))
        canvas.paste(face, ((size[0] - face.width) // 2, (size[1] - face.height) // 2))
        frames.append(canvas)
    total = int(seconds * fps)
    return write_clip(dest, [frames[i >= total // 2] for i in range(total)], fps=fps, sound=(rate, wave))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--preset", default="lite")
    ap.add_argument("--seconds", type=float, nargs="+", default=[5.0, 10.0, 30.0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--out", type=Path, default=None)
    a = ap.parse_args(argv)

    from msa_demo.explain import explain_iter
    from msa_demo.model import MultimodalSentimentModel

    model = MultimodalSentimentModel.from_preset(a.preset)
    from msa_demo.lite import speech

    def forget() -> None:  # a first reading: the encodings, the frames' readings and face boxes, the transcripts
        model.forget()
        speech.clear_cache()

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for seconds in a.seconds:
            clip = make_clip(Path(tmp) / f"clip{seconds:g}.mp4", seconds)
            predict, first, full, passes, frames = [], [], [], 0, 0
            for _ in range(a.runs):
                forget()
                t0 = time.perf_counter()
                inputs = model.read_inputs(video=str(clip))
                model.predict(inputs=inputs)
                predict.append(time.perf_counter() - t0)
                frames = len(inputs.video.frames)
                forget()
                t0 = time.perf_counter()
                inputs = model.read_inputs(video=str(clip))
                for kind, part in explain_iter(model, inputs):
                    if kind == "explanation":
                        first.append(time.perf_counter() - t0)
                    elif kind == "done":
                        passes = part.cost.forward_passes
                full.append(time.perf_counter() - t0)
            row = {"seconds": seconds, "frames": frames, "predict_p50_s": round(statistics.median(predict), 2),
                   "first_part_p50_s": round(statistics.median(first), 2),
                   "full_p50_s": round(statistics.median(full), 2), "forward_passes": passes, "runs": a.runs}
            rows.append(row)
            print(f"{seconds:>5g} s clip, {frames} frames read: predict {row['predict_p50_s']:.2f} s, first part "
                  f"{row['first_part_p50_s']:.2f} s, full explanation {row['full_p50_s']:.2f} s "
                  f"({passes} forward passes), p50 of {a.runs}", flush=True)
    if a.out:
        a.out.write_text(json.dumps({"preset": a.preset, "rows": rows}, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
