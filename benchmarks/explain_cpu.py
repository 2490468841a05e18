"""Time each explanation panel on the tiny (and, when loadable, lite) preset on this machine's CPU.

    python benchmarks/explain_cpu.py [--sanity] [--repeat 2]

Prints one row per map: modality, method, defaults, forward passes, seconds (after one warm-up run).
"""

from __future__ import annotations

import argparse
import tempfile
import time

import numpy as np
from PIL import Image


def _inputs(model):
    rng = np.random.default_rng(0)
    img = Image.fromarray(rng.integers(0, 255, (240, 320, 3), dtype=np.uint8))
    t = np.arange(3 * 16000) / 16000.0
    wave = (0.3 * np.sin(2 * np.pi * 220 * t) * (1 + np.sin(2 * np.pi * 0.5 * t))).astype(np.float32)
    return model.read_inputs(text="I really love this movie, the food was great but the service was slow.",
                             image=img, audio=(16000, wave))


def bench(name, model, sanity: bool, repeat: int) -> None:
    from msa_demo.explain import ExplainOptions, explain

    inputs = _inputs(model)
    opts = ExplainOptions(sanity=sanity)
    explain(model, inputs, options=opts)  # warm-up (lazy initialisation, caches)
    best = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        exp = explain(model, inputs, options=opts)
        wall = time.perf_counter() - t0
        if best is None or wall < best[1]:
            best = (exp, wall)
    exp, wall = best
    print(f"\npreset {name}: total {exp.cost.forward_passes} forward passes, {wall:.2f} s (sanity={sanity})")
    print(f"{'modality':<8} {'method':<28} {'steps':>5} {'passes':>7} {'seconds':>8}  delta    AOPC / random")
    for m in exp.maps:
        f = m.faithfulness
        if f is None:
            print(f"{m.modality:<8} {m.method:<28} {'-':>5} {m.cost.forward_passes:>7} {m.cost.seconds:>8.3f}  (nothing to attribute)")
            continue
        print(f"{m.modality:<8} {m.method:<28} {str(m.params.get('n_steps', '-')):>5} {m.cost.forward_passes:>7} "
              f"{m.cost.seconds:>8.3f}  {('%.3f' % m.delta) if m.delta is not None else '  -  '}  "
              f"{f.aopc:.4f} / {f.aopc_random:.4f}" + (f"  ρ={f.sanity_spearman:+.2f}" if f.sanity_spearman is not None else ""))
    print(f"{'modality':<8} {'shapley (2^M fusion evals)':<28}  " + "  ".join(
        f"{k} {v:+.4f}" for k, v in exp.modalities.shapley.items()))


def main() -> None:
    import torch

    from msa_demo.model import MultimodalSentimentModel
    from msa_demo.tiny import build_tiny_preset

    ap = argparse.ArgumentParser()
    ap.add_argument("--sanity", action="store_true")
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args()
    print(f"torch {torch.__version__}, {torch.get_num_threads()} CPU threads")
    path = build_tiny_preset(tempfile.mkdtemp(), seed=0)
    bench("tiny", MultimodalSentimentModel.from_preset(str(path), device="cpu"), args.sanity, args.repeat)
    try:
        lite = MultimodalSentimentModel.from_preset("lite", device="cpu")
        lite.predict(text="hello")
    except Exception as exc:  # noqa: BLE001
        print(f"\npreset lite: not loadable here ({exc})")
    else:
        bench("lite", lite, args.sanity, args.repeat)


if __name__ == "__main__":
    main()
