"""Speed benchmark: prediction, each explanation panel, the full explanation, and a naive baseline.

    python benchmarks/bench.py --preset base   # GPU: the Hub preset's architectures, random weights
    python benchmarks/bench.py --preset lite   # CPU: the offline preset
    python benchmarks/bench.py --preset tiny --runs 2 --naive-runs 1   # a quick check that the script works

On the GPU machine see ``benchmarks/run_gpu.sh`` (what to carry there, and the command).

The naive baseline is the same explanation with Captum's default settings as the issue defines them:
one perturbation per forward (``batch_size=1``), fp32 weights, Captum's default 50 IG steps (no
adaptive steps), and every encoder re-run at every forward (no reuse of the unperturbed modalities).
The fidelity guard compares fast and naive maps (Spearman per panel) and checks the IG deltas.
Timings are warm (one run discarded), CUDA-synchronised, p50/p95 over ``--runs`` runs. The last lines
printed are the table and the speed-up. ``--out``/``--md`` write results.json / RESULTS.md.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import platform
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from msa_demo.explain import ExplainOptions, explain  # noqa: E402
from msa_demo.explain import forward as explain_forward  # noqa: E402
from msa_demo.explain.faithfulness import RESOLUTION, spearman  # noqa: E402
from msa_demo.explain.forward import auto_batch_size  # noqa: E402
from msa_demo.model import MultimodalSentimentModel, device_name  # noqa: E402

WORDS = ("the movie was good but the food was terrible and i was very sad today not happy "
         "great service nice room okay day").split()


def workload(model, seconds: float, tokens: int):
    """Text of ``tokens`` tokens for the preset's tokenizer (special tokens included), a 224-px face photo, and
    ``seconds`` of audio (a speech clip, repeated). The clip is read with the standard library's ``wave``, so the
    GPU machine needs no soundfile."""
    import wave as wavfile

    from PIL import Image

    rng = np.random.default_rng(0)
    words = list(rng.choice(WORDS, size=4 * tokens))
    text_mod = model.modalities.get("text")
    n = tokens
    while n > 1:  # the longest prefix that fits in ``tokens`` tokens
        text = " ".join(words[:n])
        if text_mod is None:
            break
        if text_mod.prepare(model.read_inputs(text=text).text).inputs["input_ids"].shape[-1] <= tokens:
            break
        n -= 1
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


@contextlib.contextmanager
def naive_forward():
    """Every fused forward re-runs the other modalities' encoders too (no reuse)."""
    cls = explain_forward.FusedForward
    fast_call = cls.__call__

    def call(self, x, *extra):
        for m in self.others:  # recompute what the fast path reuses
            prepared = self.model.encode(m, getattr(self._inputs, m))[0]
            with torch.no_grad():
                self.model.modalities[m].forward(**prepared.inputs)
            self.forward_passes += 1
        return fast_call(self, x, *extra)

    init = cls.__init__

    def new_init(self, model, inputs, *a, **k):
        init(self, model, inputs, *a, **k)
        self._inputs = inputs

    cls.__call__, cls.__init__ = call, new_init
    try:
        yield
    finally:
        cls.__call__, cls.__init__ = fast_call, init


def agreement(fast, reference) -> float:
    """Spearman rank correlation of two maps; maps equal to float32 resolution agree fully (their ranks would
    order rounding noise)."""
    return 1.0 if np.allclose(fast, reference, rtol=0, atol=RESOLUTION) else spearman(fast, reference)


def run(args) -> dict:
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()  # the workload search tokenizes over-long text on purpose
    preset = args.preset
    if preset in ("base", "tiny"):  # random models of the Hub preset's families, built here (no Hub)
        from msa_demo.tiny import build_tiny_preset

        preset = str(build_tiny_preset(tempfile.mkdtemp(prefix=f"msa_{preset}_"), size=preset))
    fast_model = MultimodalSentimentModel.from_preset(preset, device=args.device)
    device = fast_model.device
    text, image, audio = workload(fast_model, args.audio_seconds, args.tokens)
    inputs = fast_model.read_inputs(text=text, image=image, audio=audio)
    n_tokens = (fast_model.encode("text", inputs.text)[0].inputs["input_ids"].shape[-1]
                if "text" in fast_model.modalities else 0)
    n_seg = int(round(args.audio_seconds / args.segment_seconds))
    fast_opts = ExplainOptions(segment_seconds=args.segment_seconds, batch_size=args.batch_size, seed=0)
    naive_opts = ExplainOptions(segment_seconds=args.segment_seconds, batch_size=1, seed=0,
                                ig_min_steps=50, ig_max_steps=50)

    def fresh(model):
        model._cache.clear()

    rows = {}

    def predict():
        fresh(fast_model)
        return fast_model.predict(inputs=inputs)

    t, _ = timed(predict, device, args.runs)
    rows["predict"] = t

    def full(model, opts):
        fresh(model)
        return explain(model, inputs, options=opts)

    t, fast_exp = timed(lambda: full(fast_model, fast_opts), device, args.runs)
    rows["full explanation"] = t
    for m in fast_exp.maps:  # each panel's own time, from the same runs' cost records
        rows.setdefault(f"panel: {m.modality} {m.method}", [])
    panel_times = {k: [] for k in rows if k.startswith("panel")}
    for _ in range(min(args.runs, 5)):
        e = full(fast_model, fast_opts)
        for m in e.maps:
            panel_times[f"panel: {m.modality} {m.method}"].append(m.cost.seconds * 1000)
    rows.update(panel_times)
    sanity_opts = ExplainOptions(**{**fast_opts.to_dict(), "sanity": True})
    t, _ = timed(lambda: full(fast_model, sanity_opts), device, max(3, args.runs // 4))
    rows["full explanation + sanity check (on demand)"] = t

    naive_model = MultimodalSentimentModel.from_preset(preset, device=str(device), dtype="float32")
    with naive_forward():
        t, naive_exp = timed(lambda: full(naive_model, naive_opts), device, args.naive_runs)
    rows["naive: Captum defaults (1/forward, fp32, no reuse)"] = t

    # fidelity guard: fast vs reference maps, per panel
    ref = {(m.modality, m.method): m for m in naive_exp.maps}
    fidelity = {}
    deltas = []
    for m in fast_exp.maps:
        r = ref.get((m.modality, m.method))
        if r is not None:
            fidelity[f"{m.modality} {m.method}"] = agreement(m.scores, r.scores)
        if m.delta is not None:
            deltas.append(abs(m.delta))
    p50 = {k: pct(v, 50) for k, v in rows.items()}
    result = {
        "device": device_name(device),
        "preset": args.preset,
        "versions": {"torch": torch.__version__, "python": platform.python_version(),
                     "captum": __import__("captum").__version__, "transformers": __import__("transformers").__version__},
        "dtype": str(fast_model.dtype).replace("torch.", ""),
        "workload": {"tokens": int(n_tokens), "image_px": 224, "audio_seconds": args.audio_seconds,
                     "segments": n_seg, "runs": args.runs, "naive_runs": args.naive_runs,
                     "batch_size": args.batch_size or auto_batch_size(device)},
        "rows_ms": {k: {"p50": pct(v, 50), "p95": pct(v, 95), "n": len(v)} for k, v in rows.items()},
        "predict_p50_ms": p50["predict"],
        "full_explanation_p50_ms": p50["full explanation"],
        "full_explanation_p95_ms": pct(rows["full explanation"], 95),
        "naive_full_explanation_p50_ms": p50["naive: Captum defaults (1/forward, fp32, no reuse)"],
        "forward_passes": {"fast": fast_exp.cost.forward_passes, "naive": naive_exp.cost.forward_passes},
        "panels": {f"{m.modality} {m.method}": {
            "n_steps": m.params.get("n_steps"), "forward_passes": m.cost.forward_passes, "delta": m.delta,
            "aopc": m.faithfulness.aopc if m.faithfulness else None,
            "aopc_random": m.faithfulness.aopc_random if m.faithfulness else None} for m in fast_exp.maps},
        "fidelity_spearman": fidelity,
        "fidelity_min_spearman": min(fidelity.values()) if fidelity else None,
        "ig_delta_max": max(deltas) if deltas else None,
    }
    result["speedup"] = result["naive_full_explanation_p50_ms"] / result["full_explanation_p50_ms"]
    result["fidelity_pass"] = bool((result["fidelity_min_spearman"] or 0) >= 0.95
                                   and (result["ig_delta_max"] or 0) <= 0.05)
    return result


def table(result: dict) -> str:
    lines = [f"device: {result['device']}  preset: {result['preset']}  dtype: {result['dtype']}  "
             f"versions: {result['versions']}",
             f"workload: {result['workload']}", "",
             "| what | p50 ms | p95 ms | runs |", "|---|---:|---:|---:|"]
    for k, v in result["rows_ms"].items():
        lines.append(f"| {k} | {v['p50']:.1f} | {v['p95']:.1f} | {v['n']} |")
    lines += ["", "| panel | IG steps | forward passes | IG delta | AOPC | AOPC random |", "|---|---:|---:|---:|---:|---:|"]
    for k, v in result["panels"].items():
        lines.append(f"| {k} | {v['n_steps'] or '-'} | {v['forward_passes']} | "
                     + " | ".join("-" if v[x] is None else f"{v[x]:.3f}" for x in ("delta", "aopc", "aopc_random"))
                     + " |")
    lines += ["", f"forward passes: fast {result['forward_passes']['fast']}, naive {result['forward_passes']['naive']}",
              "fidelity (Spearman fast vs reference, per panel): "
              + ", ".join(f"{k} {v:.3f}" for k, v in result["fidelity_spearman"].items()),
              f"IG delta max: {result['ig_delta_max']}  fidelity guard: {'PASS' if result['fidelity_pass'] else 'FAIL'}",
              f"speed-up vs naive: {result['speedup']:.1f}x"]
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--preset", default="lite", help="base (random Hub-size models), lite, or a preset file")
    ap.add_argument("--device", default="auto")
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--naive-runs", type=int, default=3)
    ap.add_argument("--batch-size", type=int, default=0, help="rows per model call (0: auto, as the app uses)")
    ap.add_argument("--tokens", type=int, default=64)
    ap.add_argument("--audio-seconds", type=float, default=10.0)
    ap.add_argument("--segment-seconds", type=float, default=0.5)
    ap.add_argument("--out", type=Path)
    ap.add_argument("--md", type=Path)
    args = ap.parse_args(argv)
    result = run(args)
    text = table(result)
    if args.out:
        args.out.write_text(json.dumps(result, indent=2) + "\n")
    if args.md:
        args.md.write_text("# Benchmark results\n\n```\n" + text + "\n```\n")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
