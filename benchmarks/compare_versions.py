"""Before / after in one run: the same explanation made by two copies of the package (e.g. an older checkout and
this one), each in its own process, on the same machine, workload and random models.

    python benchmarks/compare_versions.py --before /path/to/old/checkout --preset base --audio-seconds 4
    python benchmarks/compare_versions.py --before .baseline --preset base --device cuda   # on the GPU machine

Per explanation and per copy it prints: the full explanation's and the audio panel's time (p50 of ``--runs``
warm runs), forward passes, rows that ran the audio model's convolutional feature encoder (counted with a forward
hook, so it works on any version), and host read-backs (a CUDA synchronisation each when on the GPU; on CUDA the
synchronising calls reported by ``torch.cuda.set_sync_debug_mode`` too). The current copy runs once per audio
level (``auto``, and ``latent`` where the model has latents). ``--out`` writes the figures as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def readable_preset(path: Path, preset_cls, spec_cls, folder: Path) -> Path:
    """``path``, or a copy in ``folder`` without the keys that this copy's ``Preset`` / ``ModalitySpec`` do not
    know (a preset written by a newer package, read by an older one)."""
    from dataclasses import fields

    data = json.loads(path.read_text())
    top, spec_keys = {f.name for f in fields(preset_cls)}, {f.name for f in fields(spec_cls)}
    known = {k: v for k, v in data.items() if k in top}
    known["modalities"] = {m: {k: v for k, v in spec.items() if k in spec_keys}
                           for m, spec in data.get("modalities", {}).items()}
    if known == data:
        return path
    dropped = sorted({k for k in data if k not in top} | {k for spec in data.get("modalities", {}).values()
                                                          for k in spec if k not in spec_keys})
    print(f"preset keys this copy does not know, dropped: {', '.join(dropped)}", file=sys.stderr)
    out = folder / f"{path.stem}.known-keys.json"
    out.write_text(json.dumps(known, indent=2))
    return out


def measure(args) -> dict:
    """Runs inside the process whose sys.path starts at the copy being measured."""
    import numpy as np
    import torch
    from transformers.utils import logging as hf_logging

    import msa_demo.inputs as copy_inputs  # the measured copy: first on PYTHONPATH
    from msa_demo.explain import ExplainOptions, explain
    from msa_demo.config import ModalitySpec, Preset
    from msa_demo.model import MultimodalSentimentModel, device_name
    from msa_demo.tiny import build_tiny_preset

    sys.path.append(str(ROOT / "benchmarks"))
    import measure  # helpers that import nothing from msa_demo

    hf_logging.set_verbosity_error()
    torch.manual_seed(0)
    preset = Path(args.models) / f"{args.preset}.json"
    if not preset.exists():
        preset = Path(build_tiny_preset(args.models, size=args.preset))
    # a relative model_id resolves against the preset's folder in some versions: the copy stays beside it
    preset = str(readable_preset(preset, Preset, ModalitySpec, preset.parent))
    decode = copy_inputs._decode_audio  # older copies import soundfile even for an in-memory (rate, samples) clip

    def decode_clip(value):
        if isinstance(value, tuple) and len(value) == 2 and np.isscalar(value[0]):
            return np.asarray(value[1]), int(value[0])
        return decode(value)

    copy_inputs._decode_audio = decode_clip
    model = MultimodalSentimentModel.from_preset(preset, device=args.device)
    device = model.device
    text, image, audio = measure.workload(model, args.audio_seconds, args.tokens)
    inputs = model.read_inputs(text=text, image=image, audio=audio)
    rows = {"n": 0}
    audio_mod = model.modalities["audio"]
    base = getattr(audio_mod.model, audio_mod.model.base_model_prefix)

    def hook(module, inp, out):
        rows["n"] += int(inp[0].shape[0])

    base.feature_extractor.conv_layers[0].conv.register_forward_hook(hook)  # every row through the convolutions
    known = set(ExplainOptions.__dataclass_fields__)
    out = {"package": str(Path(sys.modules["msa_demo"].__file__).parent.parent), "device": device_name(device)}
    for level in args.levels.split(","):
        if level and "audio_level" not in known:
            continue
        kw = {"segment_seconds": args.segment_seconds, "seed": 0, **({"audio_level": level} if level else {})}
        opts = ExplainOptions(**kw)

        def full():
            model._cache.clear()
            return explain(model, inputs, options=opts)

        times, exp = measure.timed(full, device, args.runs)
        r0 = rows["n"]
        syncs = measure.count_syncs(full, device)
        audio_map = exp.map("audio")
        out[level or "default"] = {
            "full_p50_ms": float(np.percentile(times, 50)),
            "audio_panel_ms": audio_map.cost.seconds * 1000 if audio_map else None,
            "audio_level_used": audio_map.params.get("audio_level", "waveform") if audio_map else None,
            "forward_passes": exp.cost.forward_passes,
            "audio_encoder_rows": rows["n"] - r0,
            **syncs,
        }
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--before", type=Path, required=True, help="root of the older copy (holds msa_demo/)")
    ap.add_argument("--preset", default="tiny", choices=("tiny", "base"))
    ap.add_argument("--device", default="auto")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--tokens", type=int, default=64)
    ap.add_argument("--audio-seconds", type=float, default=4.0)
    ap.add_argument("--segment-seconds", type=float, default=0.5)
    ap.add_argument("--out", type=Path)
    ap.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--models", help="folder for the random models (reused if already built there)")
    ap.add_argument("--levels", default="", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.measure:
        print("RESULT " + json.dumps(measure(args)))
        return 0
    models = args.models or tempfile.mkdtemp(prefix=f"msa_{args.preset}_")  # both copies: the same random models
    common = ["--before", str(args.before), "--preset", args.preset, "--device", args.device, "--runs", str(args.runs),
              "--tokens", str(args.tokens), "--audio-seconds", str(args.audio_seconds),
              "--segment-seconds", str(args.segment_seconds), "--models", models, "--measure"]
    result = {}
    for name, root, levels in (("before", args.before.resolve(), ""), ("after", ROOT, "auto,latent,waveform")):
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(root)] + [p for p in [os.environ.get("PYTHONPATH")] if p])}
        proc = subprocess.run([sys.executable, str(Path(__file__).resolve()), *common, "--levels", levels],
                              env=env, capture_output=True, text=True, cwd=str(root))
        line = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")]
        if proc.returncode != 0 or not line:
            print(f"{name}: failed\n{proc.stderr[-3000:]}")
            return 1
        result[name] = json.loads(line[0][7:])
    print(f"device: {result['after']['device']}  preset {args.preset}, {args.audio_seconds:g} s audio, "
          f"{args.segment_seconds:g} s segments, p50 of {args.runs} warm runs")
    print("| copy / audio level | full ms | audio panel ms | forward passes | encoder rows | read-backs | CUDA syncs |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, r in result.items():
        for level, v in r.items():
            if isinstance(v, dict):
                print(f"| {name} / {level} (used: {v['audio_level_used']}) | {v['full_p50_ms']:.0f} | "
                      f"{v['audio_panel_ms']:.0f} | {v['forward_passes']} | {v['audio_encoder_rows']} | "
                      f"{v['read_backs']} | {v['cuda_syncs']} |")
    if args.out:
        args.out.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
