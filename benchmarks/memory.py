"""Resident memory of the app's engine: after loading a preset, after explaining the curated examples (the warm-up
every server does), and the peak, in one process.

    python benchmarks/memory.py --preset lite

Prints one line per stage (resident set size in MB, from /proc/self/status: VmRSS now, VmHWM the peak) and how
many bytes of model weights are held (parameters and buffers, counted once per storage: weights that two
modalities share count once).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def rss_mb() -> dict[str, float]:
    fields = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = int(value.split()[0]) / 1024
    return {"rss_mb": round(fields.get("VmRSS", 0.0)), "peak_mb": round(fields.get("VmHWM", 0.0))}


def weight_mb(model) -> tuple[float, float]:
    """(MB of weights held, MB if nothing were shared): parameters and buffers of every modality's modules."""
    import torch

    seen, total = {}, 0
    for mod in model.modalities.values():
        for value in vars(mod).values():
            if isinstance(value, torch.nn.Module):
                for t in list(value.parameters()) + list(value.buffers()):
                    size = t.numel() * t.element_size()
                    total += size
                    seen[t.untyped_storage().data_ptr()] = t.untyped_storage().nbytes()
    return sum(seen.values()) / 2**20, total / 2**20


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--preset", default="lite")
    ap.add_argument("--device", default="cpu")
    args = ap.parse_args(argv)
    from msa_demo.explain import explain
    from msa_demo.model import MultimodalSentimentModel

    print(f"start: {rss_mb()}")
    model = MultimodalSentimentModel.from_preset(args.preset, device=args.device)
    held, unshared = weight_mb(model)
    print(f"loaded: {rss_mb()}  weights held {held:.0f} MB ({unshared:.0f} MB if none were shared)")
    examples = json.loads((ROOT / "examples" / "examples.json").read_text(encoding="utf-8"))
    for ex in examples:
        values = {k: (str(ROOT / "examples" / ex[k]) if k != "text" else ex[k]) for k in ("text", "image", "audio")
                  if ex.get(k)}
        explain(model, model.read_inputs(**values))
        print(f"explained '{ex['name']}': {rss_mb()}")
    print(f"SUMMARY preset={args.preset} " + " ".join(f"{k}={v}" for k, v in rss_mb().items())
          + f" weights_mb={held:.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
