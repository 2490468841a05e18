"""Measuring helpers shared by the benchmarks; they import nothing from msa_demo, so a benchmark can measure
another copy of the package with them (see compare_versions.py)."""

from __future__ import annotations

import time
import warnings
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[1]

PROSE = ROOT / "benchmarks" / "long_review.txt"  # a long, mixed product review (real prose, written for this)


def prose_of(model, tokens: int) -> str:
    """The longest start of the review (whole words) that is at most ``tokens`` tokens for the preset's text
    tokenizer, special tokens included (the whole review when the preset reads no text)."""
    words = PROSE.read_text(encoding="utf-8").split()
    text_mod = model.modalities.get("text")
    if text_mod is None:
        return " ".join(words[:tokens])

    def n_tokens(k: int) -> int:  # the text's own length, not what a model that truncates reads of it
        return len(text_mod.tokenizer(" ".join(words[:k]))["input_ids"])

    lo, hi = 1, min(len(words), tokens)  # the longest prefix that fits: n_tokens grows with the words
    while lo < hi:
        mid = (lo + hi + 1) // 2
        lo, hi = (mid, hi) if n_tokens(mid) <= tokens else (lo, mid - 1)
    return " ".join(words[:lo])


def workload(model, seconds: float, tokens: int):
    """Text of ``tokens`` tokens of real prose for the preset's tokenizer (special tokens included), a 224-px face
    photo, and ``seconds`` of audio (a speech clip, repeated). The clip is read with the standard library's
    ``wave``, so the GPU machine needs no soundfile."""
    import wave as wavfile

    from PIL import Image

    text = prose_of(model, tokens)
    image = Image.open(ROOT / "examples" / "happy_face.png").convert("RGB").resize((224, 224))
    with wavfile.open(str(ROOT / "examples" / "negative_speech.wav"), "rb") as w:
        rate = w.getframerate()
        pcm = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float32) / 32768.0
    pcm = np.tile(pcm, int(np.ceil(seconds * rate / len(pcm))))[: int(seconds * rate)]
    return text, image, (rate, pcm)


def sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def timed(fn, device, runs: int, warmup: int = 1):
    out = None
    for _ in range(warmup):
        out = fn()
    times = []
    for _ in range(runs):
        sync(device)
        t0 = time.perf_counter()
        out = fn()
        sync(device)
        times.append((time.perf_counter() - t0) * 1000)
    return times, out


def pct(times, q):
    return float(np.percentile(times, q)) if times else float("nan")


READ_BACKS = {"item", "tolist", "cpu", "numpy", "__float__", "__int__", "__bool__", "__index__"}


class ReadBacks(torch.overrides.TorchFunctionMode):
    """Counts host read-backs of tensors on ``device`` (.item/.tolist/.cpu/.numpy/float()/int()/bool(), .to(cpu)):
    on a GPU each one waits for the device (a synchronisation). On a CPU every tensor is "on the device", so
    the count is an upper bound of the syncs the same code makes on a GPU."""

    def __init__(self, device: torch.device) -> None:
        super().__init__()
        self.device_type = device.type
        self.count = 0

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        name = getattr(func, "__name__", "")
        t = args[0] if args and isinstance(args[0], torch.Tensor) else None
        if t is not None and t.device.type == self.device_type:
            if name in READ_BACKS:
                self.count += 1
            elif name == "to" and self.device_type != "cpu":
                dest = [a for a in list(args[1:]) + [kwargs.get("device")] if isinstance(a, (str, torch.device))]
                if dest and torch.device(dest[0]).type == "cpu":
                    self.count += 1
        return func(*args, **kwargs)


def count_syncs(fn, device: torch.device) -> dict:
    """Run ``fn`` once counting read-backs (see ``ReadBacks``) and, on CUDA, the synchronising calls that
    ``torch.cuda.set_sync_debug_mode`` reports (captum's and torch's own included).

    Panels are made one at a time here, as on a GPU: a torch function mode sees only its own thread, and a CPU
    makes two panels at once in threads of their own (``explain.panel_workers``)."""
    import msa_demo.explain as explain_module

    counter = ReadBacks(device)
    workers = explain_module.panel_workers
    explain_module.panel_workers = lambda model: 1
    out = {"read_backs": None, "cuda_syncs": None}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        debug = False
        if device.type == "cuda":
            try:
                torch.cuda.set_sync_debug_mode("warn")
                debug = True
            except Exception:  # noqa: BLE001 - a counter never breaks the benchmark
                pass
        try:
            with counter:
                fn()
        finally:
            explain_module.panel_workers = workers
            if debug:
                torch.cuda.set_sync_debug_mode("default")
    out["read_backs"] = counter.count
    if debug:
        out["cuda_syncs"] = sum("synchroniz" in str(w.message).lower() for w in caught)
    return out


def table(result: dict) -> str:
    """The benchmark's result (``bench.run``) as the printed table and summary lines."""
    lines = [f"device: {result['device']}  preset: {result['preset']}  dtype: {result['dtype']}  "
             f"versions: {result['versions']}  audio conv as GEMM: {result.get('audio_conv_gemm')}",
             f"workload: {result['workload']}", "",
             "| what | p50 ms | p95 ms | runs |", "|---|---:|---:|---:|"]
    for k, v in result["rows_ms"].items():
        lines.append(f"| {k} | {v['p50']:.1f} | {v['p95']:.1f} | {v['n']} |")
    if result.get("panels_at_once", 1) > 1:
        lines += ["", f"panels made {result['panels_at_once']} at a time (the reference's too): a panel's time "
                      "overlaps another's, so the panel rows add up to more than a full explanation"]
    lines += ["", "predict breakdown (p50 ms): "
              + ", ".join(f"{k} {v:.1f}" for k, v in result["predict_breakdown_p50_ms"].items())]
    if result["gpu_variants_p50_ms"]:
        lines.append("GPU settings A/B, full explanation p50 ms: "
                     + ", ".join(f"{k} {v:.1f}" if isinstance(v, float) else f"{k} {v}"
                                 for k, v in result["gpu_variants_p50_ms"].items()))
    lines += ["", "| panel | IG steps | forward passes | IG delta | AOPC | AOPC random |", "|---|---:|---:|---:|---:|---:|"]
    for k, v in result["panels"].items():
        lines.append(f"| {k} | {v['n_steps'] or '-'} | {v['forward_passes']} | "
                     + " | ".join("-" if v[x] is None else f"{v[x]:.3f}" for x in ("delta", "aopc", "aopc_random"))
                     + " |")
    sy = result["syncs_per_explanation"]
    lines += ["", f"forward passes: fast {result['forward_passes']['fast']}, "
                  f"Captum defaults {result['forward_passes']['naive']}",
              f"per explanation, fast / Captum defaults: host read-backs {sy['fast']['read_backs']} / "
              f"{sy['captum_defaults']['read_backs']}, CUDA syncs {sy['fast']['cuda_syncs']} / "
              f"{sy['captum_defaults']['cuda_syncs']}, audio feature-encoder rows {sy['fast']['audio_encoder_rows']} / "
              f"{sy['captum_defaults']['audio_encoder_rows']}",
              "fidelity (Spearman fast vs reference, per panel): "
              + ", ".join(f"{k} {v:.3f}" for k, v in result["fidelity_spearman"].items()),
              f"IG delta max: {result['ig_delta_max']}  fidelity guard: {'PASS' if result['fidelity_pass'] else 'FAIL'}"]
    lat = result.get("audio_latent_forced")
    if lat:
        lines.append(f"audio at the latent level (forced): full explanation p50 {lat['full_explanation_p50_ms']:.1f} ms, "
                     f"audio map Spearman vs reference {lat['audio_spearman_vs_reference']}, fidelity guard "
                     f"{'PASS' if lat['fidelity_pass'] else 'FAIL'}, speed-up vs Captum's defaults "
                     f"{lat['speedup_vs_captum_defaults']:.1f}x, read-backs {lat['syncs_per_explanation']['read_backs']}, "
                     f"CUDA syncs {lat['syncs_per_explanation']['cuda_syncs']}, encoder rows "
                     f"{lat['syncs_per_explanation']['audio_encoder_rows']}")
    if "speedup_vs_one_step" in result:
        lines.append(f"speed-up vs one row per forward: {result['speedup_vs_one_step']:.1f}x")
    lines.append(f"speed-up vs naive: {result['speedup_vs_captum_defaults']:.1f}x (the naive reference: Captum's defaults)")
    return "\n".join(lines)
