"""How close is latent-level audio occlusion to waveform-level occlusion, and what does it save?

    python benchmarks/audio_levels.py --preset base --segment-seconds 0.25   # wav2vec2-base size, random weights
    python benchmarks/audio_levels.py --preset tiny

For every speech clip in examples/*.wav (audio only, target "positive"), the audio occlusion map is made twice,
``audio_level="waveform"`` and ``audio_level="latent"``, in the same process: it prints per clip the Spearman rank
correlation of the two maps, each map's AOPC (deletion curve: higher = more faithful), its time, and how many rows
ran the convolutional feature encoder. ``--out`` writes the figures as JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import wave as wavfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from msa_demo.explain import ExplainOptions, attribute_segments  # noqa: E402
from msa_demo.explain.faithfulness import spearman  # noqa: E402
from msa_demo.model import MultimodalSentimentModel, device_name  # noqa: E402


def read_wav(path: Path) -> tuple[int, np.ndarray]:
    """16-bit PCM WAV with the standard library (no soundfile needed)."""
    with wavfile.open(str(path), "rb") as w:
        rate = w.getframerate()
        pcm = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float32) / 32768.0
    return rate, pcm


def compare(model, clips, segment_seconds: float, deletion_steps: int, target: str = "positive") -> dict:
    mod = model.modalities["audio"]
    out = {}
    for path in clips:
        inputs = model.read_inputs(audio=read_wav(path))
        row = {}
        maps = {}
        for level in ("waveform", "latent"):
            opts = ExplainOptions(audio_level=level, segment_seconds=segment_seconds, deletion_steps=deletion_steps)
            rows0 = getattr(mod, "waveform_rows", 0)
            t0 = time.perf_counter()
            m = attribute_segments(model, inputs, target, opts, use=["audio"])[0]
            row[level] = {"seconds": time.perf_counter() - t0, "encoder_rows": getattr(mod, "waveform_rows", 0) - rows0,
                          "forward_passes": m.cost.forward_passes, "aopc": m.faithfulness.aopc,
                          "aopc_random": m.faithfulness.aopc_random, "level_used": m.params.get("audio_level")}
            maps[level] = m.scores
        row["segments"] = len(maps["latent"])
        row["spearman"] = spearman(maps["waveform"], maps["latent"])
        row["time_ratio"] = row["waveform"]["seconds"] / max(row["latent"]["seconds"], 1e-9)
        out[path.name] = row
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--preset", default="tiny", help="tiny or base (random models built here), or a preset file")
    ap.add_argument("--device", default="auto")
    ap.add_argument("--segment-seconds", type=float, default=0.25)
    ap.add_argument("--deletion-steps", type=int, default=10)
    ap.add_argument("--out", type=Path)
    ap.add_argument("--models", help="folder for the random tiny/base models (reused if already built there)")
    args = ap.parse_args(argv)
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    preset = args.preset
    if preset in ("base", "tiny"):
        from msa_demo.tiny import build_tiny_preset

        root = Path(args.models) if args.models else Path(tempfile.mkdtemp(prefix=f"msa_{preset}_"))
        path = root / f"{preset}.json"
        preset = str(path if path.exists() else build_tiny_preset(root, size=preset))
    model = MultimodalSentimentModel.from_preset(preset, device=args.device)
    clips = sorted((ROOT / "examples").glob("*.wav"))
    compare(model, clips[:1], args.segment_seconds, 2)  # warm-up
    result = {"device": device_name(model.device), "preset": args.preset, "dtype": str(model.dtype),
              "segment_seconds": args.segment_seconds,
              "clips": compare(model, clips, args.segment_seconds, args.deletion_steps)}
    print(f"{result['device']}  preset {args.preset}  segments of {args.segment_seconds} s")
    print("| clip | segments | Spearman latent vs waveform | AOPC waveform / latent | ms waveform / latent "
          "| encoder rows waveform / latent |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, r in result["clips"].items():
        w, lt = r["waveform"], r["latent"]
        print(f"| {name} | {r['segments']} | {r['spearman']:.3f} | {w['aopc']:.4f} / {lt['aopc']:.4f} | "
              f"{w['seconds'] * 1000:.0f} / {lt['seconds'] * 1000:.0f} | {w['encoder_rows']} / {lt['encoder_rows']} |")
    rhos = [r["spearman"] for r in result["clips"].values()]
    result["spearman_min"], result["spearman_mean"] = min(rhos), float(np.mean(rhos))
    print(f"Spearman latent vs waveform: min {min(rhos):.3f}, mean {np.mean(rhos):.3f}")
    if args.out:
        args.out.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
