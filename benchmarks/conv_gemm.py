"""Each wav2vec2-base convolution, cuDNN's (ATen's on the CPU) against its GEMM form, at the rows an explanation
runs: p50 ms per call, the largest difference, and the peak memory on CUDA.

    python3 benchmarks/conv_gemm.py [--rows 1 16 64] [--seconds 10] [--dtype bfloat16] [--out conv_gemm.json]

Random weights and inputs; the shapes are wav2vec2-base's on ``--seconds`` of 16 kHz audio. The positional
embedding's convolution (768 -> 768, kernel 128, padding 64, 16 groups) takes its input channels-last, as the
model passes it."""

from __future__ import annotations

import argparse
import json
import pathlib
import sys
import time

import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from msa_demo.modalities.audio import conv1d_gemm  # noqa: E402

# name: (C_in, C_out, kernel, stride, padding, groups)
LAYERS = {
    "feature conv 0 (1->512, k10 s5)": (1, 512, 10, 5, 0, 1),
    "feature conv 1 (512->512, k3 s2)": (512, 512, 3, 2, 0, 1),
    "feature conv 6 (512->512, k2 s2)": (512, 512, 2, 2, 0, 1),
    "positional conv (768, k128 p64 g16)": (768, 768, 128, 1, 64, 16),
}


def length_in(name: str, seconds: float) -> int:
    samples = int(seconds * 16000)
    frames = [samples]
    for k, s in zip((10, 3, 3, 3, 3, 2, 2), (5, 2, 2, 2, 2, 2, 2)):
        frames.append((frames[-1] - k) // s + 1)
    return {"feature conv 0 (1->512, k10 s5)": samples, "feature conv 1 (512->512, k3 s2)": frames[1],
            "feature conv 6 (512->512, k2 s2)": frames[6]}.get(name, frames[-1])


def p50_ms(fn, device, runs: int) -> float:
    times = []
    for i in range(runs + 2):
        if device.type == "cuda":
            torch.cuda.synchronize()
        t = time.perf_counter()
        fn()
        if device.type == "cuda":
            torch.cuda.synchronize()
        if i >= 2:  # two warm-up calls
            times.append((time.perf_counter() - t) * 1e3)
    return sorted(times)[len(times) // 2]


def peak_mib(fn, device) -> float | None:
    if device.type != "cuda":
        return None
    torch.cuda.synchronize()
    torch.cuda.reset_peak_memory_stats()
    base = torch.cuda.memory_allocated()
    fn()
    torch.cuda.synchronize()
    return round((torch.cuda.max_memory_allocated() - base) / 2**20, 1)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, nargs="+", default=[1, 16, 64])
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--dtype", default="bfloat16")
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--out")
    args = ap.parse_args(argv)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    dtype = getattr(torch, args.dtype)
    torch.manual_seed(0)
    out = []
    with torch.no_grad():
        for name, (c_in, c_out, k, s, p, g) in LAYERS.items():
            conv = torch.nn.Conv1d(c_in, c_out, k, stride=s, padding=p, groups=g).to(device, dtype)
            for rows in args.rows:
                t = length_in(name, args.seconds)
                x = torch.randn(rows, t, c_in, device=device, dtype=dtype).transpose(1, 2)  # channels-last
                cudnn = lambda: conv(x)  # noqa: E731
                gemm = lambda: conv1d_gemm(x, conv.weight, conv.bias, s, p, g)  # noqa: E731
                want, got = cudnn().float(), gemm().float()
                row = {"layer": name, "rows": rows, "frames_in": t, "dtype": args.dtype, "device": device.type,
                       "conv_ms": round(p50_ms(cudnn, device, args.runs), 3),
                       "gemm_ms": round(p50_ms(gemm, device, args.runs), 3),
                       "max_rel_diff": round(((got - want).abs().max() / want.abs().max()).item(), 5),
                       "conv_peak_mib": peak_mib(cudnn, device), "gemm_peak_mib": peak_mib(gemm, device)}
                del want, got
                out.append(row)
                print(f"{name:38s} rows {rows:3d}: conv {row['conv_ms']:9.3f} ms  gemm {row['gemm_ms']:9.3f} ms  "
                      f"max rel diff {row['max_rel_diff']:.4f}  peak MiB conv/gemm "
                      f"{row['conv_peak_mib']}/{row['gemm_peak_mib']}", flush=True)
    if args.out:
        pathlib.Path(args.out).write_text(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
