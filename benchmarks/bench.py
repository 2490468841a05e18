"""Speed benchmark: prediction (with its breakdown), each explanation panel, the full explanation, and the
reference: the same explanation with Captum's own defaults.

    python benchmarks/bench.py --preset base   # GPU: the Hub preset's architectures, random weights
    python benchmarks/bench.py --preset lite   # CPU: the offline preset
    python benchmarks/bench.py --preset tiny --runs 2 --naive-runs 1   # a quick check that the script works
    python benchmarks/bench.py --preset lite --sweep --runs 3           # the size sweep (text 64-1024 tokens,
                                                                        # audio 5-30 s), reference + guard at each

On the GPU machine see ``benchmarks/run_gpu.sh`` (what to carry there, and the command).

The reference ("Captum defaults") is the same explanation as Captum's classes run it when given no settings:
IntegratedGradients / LayerIntegratedGradients with ``n_steps=50`` and ``internal_batch_size=None`` (all steps
in one batch), FeatureAblation with ``perturbations_per_eval=1``, fp32 weights, every encoder re-run at every
forward (no reuse of the unperturbed modalities), audio ablated on the waveform. ``--one-step-runs N`` adds the
older, slower reference (IG one step per forward too). ``speedup`` is against Captum's defaults.
The fidelity guard compares fast and reference maps (Spearman per panel) and checks the IG deltas.
Timings are warm (one run discarded), CUDA-synchronised, p50/p95 over ``--runs`` runs. Host read-backs (a CUDA
synchronisation each when the tensor is on the GPU) are counted per explanation, the feature-encoder rows of the
audio model too. The last lines printed are the table and the speed-up. ``--out``/``--md`` write results.json /
RESULTS.md; ``--profile`` a torch.profiler summary of one warm explanation (CUDA only).

``--sweep``: the same explanation at every size of :data:`SWEEP_SIZES` (the text is the start of a long real review,
``benchmarks/long_review.txt``, cut to the size), in one process: the time to the first part (the prediction and the
modality contributions) and to the last map, each panel's time, the reference (Captum's settings) and the
fidelity guard at each size, and how the cost grows (ms per 100 tokens, per 10 s of audio). Above
``TRUE_DEFAULTS_MAX_TOKENS`` the reference runs IG in chunks of ``CHUNK_ROWS`` rows instead of all 50 steps at
once (the same maps; one batch of 50 windowed texts does not fit a CPU's memory), said in its row.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # as msa_demo sets it (before torch loads), so as the app runs

import numpy as np  # noqa: E402
import torch  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from msa_demo.explain import ExplainOptions, explain, explain_iter  # noqa: E402
from msa_demo.explain import panel_workers as explain_panel_workers  # noqa: E402
from msa_demo.explain import forward as explain_forward  # noqa: E402
from msa_demo.explain.faithfulness import RESOLUTION, spearman  # noqa: E402
from msa_demo.modalities.audio import GemmConv1d, use_conv_gemm  # noqa: E402
from msa_demo.explain.forward import auto_batch_size  # noqa: E402
from msa_demo.model import MultimodalSentimentModel, device_name  # noqa: E402

sys.path.insert(0, str(ROOT / "benchmarks"))
from measure import count_syncs, pct, sync, table, timed, workload  # noqa: E402

@contextlib.contextmanager
def naive_forward(ig_rows=0):
    """Every fused forward re-runs the other modalities' encoders too (no reuse); IG runs ``ig_rows`` rows per
    call (None: all steps in one batch, Captum's default)."""
    cls = explain_forward.FusedForward
    fast_call, init, rows0 = cls.__call__, cls.__init__, cls.ig_rows

    def call(self, x, *extra):
        for m in self.others:  # recompute what the fast path reuses
            prepared = self.model.encode(m, getattr(self._inputs, m))[0]
            with torch.no_grad():
                self.model.modalities[m].forward(**prepared.inputs)
            self.forward_passes += 1
        return fast_call(self, x, *extra)

    def new_init(self, model, inputs, *a, **k):
        init(self, model, inputs, *a, **k)
        self._inputs = inputs
        self.seen = None  # Captum evaluates every row it builds: nothing answered from what was seen before

    cls.__call__, cls.__init__, cls.ig_rows = call, new_init, ig_rows
    try:
        yield
    finally:
        cls.__call__, cls.__init__, cls.ig_rows = fast_call, init, rows0


def built_preset(size: str, models: str | None) -> str:
    """The preset file of random ``size`` models in ``models`` (built there first if missing; a new temporary
    folder when None), so several benchmarks of one GPU call can share one build."""
    from msa_demo.tiny import build_tiny_preset

    root = Path(models) if models else Path(tempfile.mkdtemp(prefix=f"msa_{size}_"))
    path = root / f"{size}.json"
    return str(path if path.exists() else build_tiny_preset(root, size=size))


def encoder_rows(model) -> int:
    return int(getattr(model.modalities.get("audio"), "waveform_rows", 0))


def agreement(fast, reference) -> float:
    """Spearman rank correlation of two maps; maps equal to float32 resolution agree fully (their ranks would
    order rounding noise)."""
    return 1.0 if np.allclose(fast, reference, rtol=0, atol=RESOLUTION) else spearman(fast, reference)


def forget_transcripts() -> None:
    """Lite keeps each clip's transcript (speech recognition runs once per clip): forget them, so that every run
    measures a first explanation."""
    if "msa_demo.lite.speech" in sys.modules:
        sys.modules["msa_demo.lite.speech"].clear_cache()


def predict_breakdown(model, inputs, device, runs: int) -> dict[str, float]:
    """p50 ms of each step of a prediction: every modality's preprocessing (tokenizer, image processor,
    feature extractor, copy to the device) and its model call, then the fusion."""
    out: dict[str, float] = {}
    encoded = {}
    for m in inputs.present():
        if m not in model.modalities:
            continue
        mod, value = model.modalities[m], getattr(inputs, m)
        t, prepared = timed(lambda: forget_transcripts() or mod.prepare(value), device, runs)
        out[f"{m}: preprocess"] = pct(t, 50)
        t, encoded[m] = timed(lambda: mod.encode(prepared), device, runs)
        out[f"{m}: model"] = pct(t, 50)
    t, _ = timed(lambda: model.fuse(encoded), device, runs)
    out["fusion"] = pct(t, 50)
    return out


def profile_summary(fn, device, path: Path) -> None:
    """torch.profiler over one warm call of ``fn``: the top CUDA kernels and the synchronisation calls."""
    from torch.profiler import ProfilerActivity, profile

    with profile(activities=[ProfilerActivity.CPU, ProfilerActivity.CUDA]) as prof:
        fn()
        sync(device)
    events = prof.key_averages()
    syncs = {e.key: e.count for e in events if "Synchronize" in e.key}
    table_text = events.table(sort_by="self_device_time_total", row_limit=20, max_name_column_width=70)
    path.write_text(f"synchronisation calls in one warm explanation: {syncs}\n\n{table_text}\n")


@contextlib.contextmanager
def audio_encoder_fp32(model):
    """The audio model's convolutional feature encoder in fp32 (TF32 convolutions where allowed), the rest of
    the model in its own dtype: waveforms go in cast to fp32, latent frames come out cast back."""
    mod = model.modalities.get("audio")
    enc = getattr(mod, "encoder", None)
    if enc is None or mod.dtype == torch.float32:
        yield False
        return
    run = enc.forward

    def forward(x):
        return x if x.dim() == 3 else run(x.float()).to(mod.dtype)

    enc.float()
    enc.forward = forward
    try:
        yield True
    finally:
        del enc.forward
        enc.to(mod.dtype)


def conv_gemm_on(model) -> bool | None:
    """Whether the audio model's convolutions (feature encoder, positional embedding) run as GEMMs (None: it has
    no Conv1d)."""
    net = getattr(model.modalities.get("audio"), "model", None)
    convs = [m for m in net.modules() if isinstance(m, torch.nn.Conv1d)] if net is not None else []
    return any(isinstance(m, GemmConv1d) for m in convs) if convs else None


@contextlib.contextmanager
def conv_gemm(model, on: bool):
    """The audio model's convolutions as GEMMs (``on``) or cuDNN's, restored afterwards."""
    net = getattr(model.modalities.get("audio"), "model", None)
    was = conv_gemm_on(model)
    if net is None or was is None or was == on:
        yield
        return
    use_conv_gemm(net, on=on)
    try:
        yield
    finally:
        use_conv_gemm(net, on=was)


@contextlib.contextmanager
def compiled(model, mode: str | None):
    """Every modality's model call (``_run``: the network and its head) through ``torch.compile`` in ``mode``
    ("reduce-overhead": CUDA graphs for each fixed shape), for the shapes of one explanation; restored after."""
    if mode is None:
        yield
        return
    for mod in model.modalities.values():
        mod._run = torch.compile(mod._run, mode=None if mode == "default" else mode, dynamic=False)
    try:
        yield
    finally:
        for mod in model.modalities.values():
            mod.__dict__.pop("_run", None)
        torch._dynamo.reset()


def ab_variants(model, fn, device, runs: int, compile_modes=()) -> dict[str, float | str]:
    """GPU settings tried in the same run (p50 ms of ``fn``, a full explanation, each); a variant that fails is
    recorded as its error and the default settings are restored."""
    out: dict[str, float | str] = {}
    if device.type != "cuda":
        return out
    gemm = conv_gemm_on(model)
    variants = {
        "default": {},
        **({f"audio conv as GEMM {'off' if gemm else 'on'}": {"gemm": not gemm}} if gemm is not None else {}),
        "cudnn.benchmark": {"cudnn_benchmark": True},
        "tf32 matmul+conv": {"tf32": True},
        "audio CNN fp32 (TF32 conv)": {"cnn_fp32": True, "tf32": True},
        "audio CNN fp32 (TF32) + cudnn.benchmark": {"cnn_fp32": True, "tf32": True, "cudnn_benchmark": True},
        **{f"torch.compile {m} (each modality's model call)": {"compile": m} for m in compile_modes},
    }
    for name, v in variants.items():
        bench0, mm0, conv0 = (torch.backends.cudnn.benchmark, torch.backends.cuda.matmul.allow_tf32,
                              torch.backends.cudnn.allow_tf32)
        try:
            torch.backends.cudnn.benchmark = v.get("cudnn_benchmark", bench0)
            if v.get("tf32"):
                torch.backends.cuda.matmul.allow_tf32 = torch.backends.cudnn.allow_tf32 = True
            with audio_encoder_fp32(model) if v.get("cnn_fp32") else contextlib.nullcontext(), \
                    conv_gemm(model, v["gemm"]) if "gemm" in v else contextlib.nullcontext(), \
                    compiled(model, v.get("compile")):
                if "compile" in v:  # compiling every shape of one explanation is the warm-up, timed apart
                    sync(device)
                    c0 = time.perf_counter()
                    fn()
                    sync(device)
                    out[f"{name}: first run (compiles)"] = (time.perf_counter() - c0) * 1000
                t, _ = timed(fn, device, runs)
            out[name] = pct(t, 50)
            print(f"A/B {name}: {out[name]:.1f} ms p50", flush=True)  # kept in the log if a later variant hangs
        except Exception as exc:  # noqa: BLE001 - a variant never breaks the benchmark
            out[name] = f"failed: {type(exc).__name__}: {str(exc)[:120]}"
        finally:
            torch.backends.cudnn.benchmark = bench0
            torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32 = mm0, conv0
    return out


TRANSCRIBED = "full explanation, the clip already transcribed (the dashboard: speech is recognised at prediction)"
CAPTUM = "Captum defaults (IG 50 steps in one batch, ablation 1/forward, fp32, no reuse)"
ONE_STEP = "naive: one row per forward (IG too), fp32, no reuse"


def run(args) -> dict:
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()  # the workload search tokenizes over-long text on purpose
    preset = args.preset
    if preset in ("base", "tiny"):  # random models of the Hub preset's families, built here (no Hub)
        preset = built_preset(preset, args.models)
    fast_model = MultimodalSentimentModel.from_preset(preset, device=args.device)
    device = fast_model.device
    text, image, audio = workload(fast_model, args.audio_seconds, args.tokens)
    inputs = fast_model.read_inputs(text=text, image=image, audio=audio)
    n_tokens = (fast_model.encode("text", inputs.text)[0].inputs["input_ids"].shape[-1]
                if "text" in fast_model.modalities else 0)
    n_seg = int(round(args.audio_seconds / args.segment_seconds))
    fast_opts = ExplainOptions(segment_seconds=args.segment_seconds, batch_size=args.batch_size, seed=0,
                               audio_level=args.audio_level)
    ref_opts = ExplainOptions(segment_seconds=args.segment_seconds, batch_size=1, seed=0,
                              ig_min_steps=50, ig_max_steps=50, audio_level="waveform")

    def fresh(model):
        model.forget()
        forget_transcripts()

    rows = {}

    def predict():
        fresh(fast_model)
        return fast_model.predict(inputs=inputs)

    t, _ = timed(predict, device, args.runs)
    rows["predict"] = t
    breakdown = predict_breakdown(fast_model, inputs, device, min(args.runs, 10))

    def full(model, opts):
        fresh(model)
        return explain(model, inputs, options=opts)

    t, fast_exp = timed(lambda: full(fast_model, fast_opts), device, args.runs)
    rows["full explanation"] = t
    if "msa_demo.lite.speech" in sys.modules:  # the dashboard's path: the clip was transcribed when it was predicted
        def after_prediction():
            fast_model.forget()
            return explain(fast_model, inputs, options=fast_opts)

        t, _ = timed(after_prediction, device, args.runs)
        rows[TRANSCRIBED] = t
    for m in fast_exp.maps:  # each panel's own time, from the same runs' cost records
        rows.setdefault(f"panel: {m.modality} {m.method}", [])
    panel_times = {k: [] for k in rows if k.startswith("panel")}
    for _ in range(min(args.runs, 5)):
        e = full(fast_model, fast_opts)
        for m in e.maps:
            panel_times[f"panel: {m.modality} {m.method}"].append(m.cost.seconds * 1000)
    rows.update(panel_times)
    r0 = encoder_rows(fast_model)
    fast_syncs = count_syncs(lambda: full(fast_model, fast_opts), device)
    fast_syncs["audio_encoder_rows"] = encoder_rows(fast_model) - r0
    sanity_opts = ExplainOptions(**{**fast_opts.to_dict(), "sanity": True})
    t, _ = timed(lambda: full(fast_model, sanity_opts), device, max(3, args.runs // 4))
    rows["full explanation + sanity check (on demand)"] = t
    audio_mod = fast_model.modalities.get("audio")
    fast_level = fast_exp.map("audio").params.get("audio_level") if fast_exp.map("audio") else None
    latent_exp = None
    if getattr(audio_mod, "supports_latents", False) and fast_level != "latent":
        # the latent level forced: its speed and (below) how far its audio map is from the reference's
        latent_opts = ExplainOptions(**{**fast_opts.to_dict(), "audio_level": "latent"})
        r0 = encoder_rows(fast_model)  # the warm-up run is the counted one
        latent_syncs = count_syncs(lambda: full(fast_model, latent_opts), device)
        latent_syncs["audio_encoder_rows"] = encoder_rows(fast_model) - r0
        t, latent_exp = timed(lambda: full(fast_model, latent_opts), device, args.runs, warmup=0)
        rows["full explanation, audio at the latent level"] = t
        rows["panel: audio occlusion, latent level"] = [m.cost.seconds * 1000 for m in latent_exp.maps
                                                        if m.modality == "audio"]
    variants = {}
    if args.ab_runs:
        variants = ab_variants(fast_model, lambda: full(fast_model, fast_opts), device, args.ab_runs,
                               compile_modes=args.compile_ab)
        if latent_exp is not None:
            variants.update({f"{k}, audio latent": v for k, v in ab_variants(
                fast_model, lambda: full(fast_model, latent_opts), device, args.ab_runs).items()})
    if args.profile and device.type == "cuda":
        try:
            profile_summary(lambda: full(fast_model, fast_opts), device, args.profile)
        except Exception as exc:  # noqa: BLE001 - the profile is a bonus, never a failure
            print(f"profile failed: {type(exc).__name__}: {exc}")

    ref_model = MultimodalSentimentModel.from_preset(preset, device=str(device), dtype="float32")
    ref_net = getattr(ref_model.modalities.get("audio"), "model", None)
    if ref_net is not None:  # the reference is the stock model: cuDNN's convolutions
        use_conv_gemm(ref_net, on=False)
    with naive_forward(ig_rows=None):
        r0 = encoder_rows(ref_model)  # the warm-up run is the counted one
        ref_syncs = count_syncs(lambda: full(ref_model, ref_opts), device)
        ref_syncs["audio_encoder_rows"] = encoder_rows(ref_model) - r0
        t, ref_exp = timed(lambda: full(ref_model, ref_opts), device, args.naive_runs, warmup=0)
    rows[CAPTUM] = t
    if args.one_step_runs:
        with naive_forward(ig_rows=0):
            t, _ = timed(lambda: full(ref_model, ref_opts), device, args.one_step_runs)
        rows[ONE_STEP] = t

    # fidelity guard: fast vs reference maps, per panel
    ref = {(m.modality, m.method): m for m in ref_exp.maps}
    fidelity = {}
    deltas = []
    for m in fast_exp.maps:
        r = ref.get((m.modality, m.method))
        if r is not None:
            fidelity[f"{m.modality} {m.method}"] = agreement(m.scores, r.scores)
        if m.delta is not None:
            deltas.append(abs(m.delta))
    latent = None
    if latent_exp is not None:
        ref_audio, lat_audio = ref_exp.map("audio", "occlusion"), latent_exp.map("audio", "occlusion")
        lat_fid = dict(fidelity)
        if ref_audio is not None and lat_audio is not None:
            lat_fid["audio occlusion"] = agreement(lat_audio.scores, ref_audio.scores)
        latent = {"full_explanation_p50_ms": pct(rows["full explanation, audio at the latent level"], 50),
                  "full_explanation_p95_ms": pct(rows["full explanation, audio at the latent level"], 95),
                  "audio_spearman_vs_reference": lat_fid.get("audio occlusion"),
                  "fidelity_min_spearman": min(lat_fid.values()) if lat_fid else None,
                  "syncs_per_explanation": latent_syncs}
    p50 = {k: pct(v, 50) for k, v in rows.items()}
    result = {
        "device": device_name(device),
        "preset": args.preset,
        "versions": {"torch": torch.__version__, "python": platform.python_version(),
                     "captum": __import__("captum").__version__, "transformers": __import__("transformers").__version__},
        "dtype": str(fast_model.dtype).replace("torch.", ""),
        "audio_conv_gemm": conv_gemm_on(fast_model),
        "panels_at_once": explain_panel_workers(fast_model),
        "workload": {"tokens": int(n_tokens), "image_px": 224, "audio_seconds": args.audio_seconds,
                     "segments": n_seg, "runs": args.runs, "naive_runs": args.naive_runs,
                     "batch_size": args.batch_size or auto_batch_size(device),
                     "audio_level": fast_exp.map("audio").params.get("audio_level") if fast_exp.map("audio") else None},
        "rows_ms": {k: {"p50": pct(v, 50), "p95": pct(v, 95), "n": len(v)} for k, v in rows.items()},
        "predict_p50_ms": p50["predict"],
        "predict_breakdown_p50_ms": breakdown,
        "full_explanation_p50_ms": p50["full explanation"],
        "full_explanation_p95_ms": pct(rows["full explanation"], 95),
        "full_explanation_transcribed_p50_ms": p50.get(TRANSCRIBED),
        "captum_default_full_explanation_p50_ms": p50[CAPTUM],
        "naive_full_explanation_p50_ms": p50.get(ONE_STEP, p50[CAPTUM]),
        "forward_passes": {"fast": fast_exp.cost.forward_passes, "naive": ref_exp.cost.forward_passes},
        "syncs_per_explanation": {"fast": fast_syncs, "captum_defaults": ref_syncs},
        "gpu_variants_p50_ms": variants,
        "panels": {f"{m.modality} {m.method}": {
            "n_steps": m.params.get("n_steps"), "forward_passes": m.cost.forward_passes, "delta": m.delta,
            "aopc": m.faithfulness.aopc if m.faithfulness else None,
            "aopc_random": m.faithfulness.aopc_random if m.faithfulness else None} for m in fast_exp.maps},
        "fidelity_spearman": fidelity,
        "fidelity_min_spearman": min(fidelity.values()) if fidelity else None,
        "ig_delta_max": max(deltas) if deltas else None,
    }
    result["speedup_vs_captum_defaults"] = result["captum_default_full_explanation_p50_ms"] / result[
        "full_explanation_p50_ms"]
    result["speedup"] = result["speedup_vs_captum_defaults"]
    if ONE_STEP in p50:
        result["speedup_vs_one_step"] = p50[ONE_STEP] / result["full_explanation_p50_ms"]
    result["fidelity_pass"] = bool((result["fidelity_min_spearman"] or 0) >= 0.95
                                   and (result["ig_delta_max"] or 0) <= 0.05)
    if latent is not None:
        latent["speedup_vs_captum_defaults"] = result["captum_default_full_explanation_p50_ms"] / latent[
            "full_explanation_p50_ms"]
        latent["fidelity_pass"] = bool((latent["fidelity_min_spearman"] or 0) >= 0.95
                                       and (result["ig_delta_max"] or 0) <= 0.05)
    result["audio_latent_forced"] = latent
    return result


SWEEP_SIZES = ((64, 10.0), (256, 10.0), (512, 10.0), (1024, 10.0), (64, 5.0), (64, 30.0), (512, 30.0))
TRUE_DEFAULTS_MAX_TOKENS = 512
CHUNK_ROWS = 16  # the reference's IG rows per call above TRUE_DEFAULTS_MAX_TOKENS


def sizes_arg(value: str) -> tuple[tuple[int, float], ...]:
    """``64x10,512x30``: (tokens, audio seconds) pairs."""
    try:
        pairs = tuple((int(t), float(a)) for t, a in (p.split("x") for p in value.split(",") if p.strip()))
    except ValueError:
        raise argparse.ArgumentTypeError("give sizes as TOKENSxSECONDS pairs, e.g. 64x10,512x30") from None
    if not pairs or any(t < 8 or a <= 0 for t, a in pairs):
        raise argparse.ArgumentTypeError("each size needs at least 8 tokens and more than 0 s of audio")
    return pairs


def slope(xs, ys) -> float | None:
    """Least-squares slope of ys over xs (None with fewer than two distinct xs)."""
    if len(set(xs)) < 2:
        return None
    return float(np.polyfit(np.asarray(xs, float), np.asarray(ys, float), 1)[0])


def sweep(args) -> dict:
    """The size sweep (``--sweep``): see the module docstring."""
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    preset = built_preset(args.preset, args.models) if args.preset in ("base", "tiny") else args.preset
    fast_model = MultimodalSentimentModel.from_preset(preset, device=args.device)
    device = fast_model.device
    ref_model = None

    def fresh(model):
        model.forget()
        forget_transcripts()

    def parts(model, inputs, opts):
        """(ms to the first part, ms to the end, the explanation): one first explanation, as a user gets it."""
        fresh(model)
        sync(device)
        t0 = time.perf_counter()
        first, exp = None, None
        for kind, part in explain_iter(model, inputs, options=opts):
            if first is None:
                sync(device)
                first = (time.perf_counter() - t0) * 1000
            if kind == "done":
                exp = part
        sync(device)
        return first, (time.perf_counter() - t0) * 1000, exp

    rows = []
    for tokens, seconds in args.sizes or SWEEP_SIZES:
        text, image, audio = workload(fast_model, seconds, tokens)
        inputs = fast_model.read_inputs(text=text, image=image, audio=audio)
        text_mod = fast_model.modalities.get("text")
        n_text = len(text_mod.tokenizer(text)["input_ids"]) if text_mod is not None else 0
        n_tokens = (fast_model.encode("text", inputs.text)[0].inputs["input_ids"].shape[-1]
                    if text_mod is not None else 0)
        fast_opts = ExplainOptions(segment_seconds=args.segment_seconds, batch_size=args.batch_size, seed=0,
                                   audio_level=args.audio_level)
        ref_opts = ExplainOptions(segment_seconds=args.segment_seconds, batch_size=1, seed=0,
                                  ig_min_steps=50, ig_max_steps=50, audio_level="waveform")
        parts(fast_model, inputs, fast_opts)  # warm-up (shapes, caches of this size)
        firsts, totals, exp = [], [], None
        for _ in range(args.runs):
            first, total, exp = parts(fast_model, inputs, fast_opts)
            firsts.append(first)
            totals.append(total)
        row = {"tokens_asked": tokens, "tokens": int(n_text), "tokens_read": int(n_tokens), "words": len(text.split()),
               "audio_seconds": seconds, "runs": args.runs,
               "first_part_ms": {"p50": pct(firsts, 50), "p95": pct(firsts, 95)},
               "full_ms": {"p50": pct(totals, 50), "p95": pct(totals, 95)},
               "panels_ms": {f"{m.modality} {m.method}": m.cost.seconds * 1000 for m in exp.maps},
               "forward_passes": exp.cost.forward_passes,
               "ig_steps": {f"{m.modality} {m.method}": m.params.get("n_steps") for m in exp.maps
                            if m.params.get("n_steps")},
               "notices": list(exp.notices) + list(exp.prediction.notices)}
        if args.naive_runs:
            if ref_model is None:
                ref_model = MultimodalSentimentModel.from_preset(preset, device=str(device), dtype="float32")
                ref_net = getattr(ref_model.modalities.get("audio"), "model", None)
                if ref_net is not None:
                    use_conv_gemm(ref_net, on=False)
            chunked = n_tokens > args.true_defaults_max_tokens
            with naive_forward(ig_rows=CHUNK_ROWS if chunked else None):
                t, ref_exp = timed(lambda: (fresh(ref_model), explain(ref_model, inputs, options=ref_opts))[1],
                                   device, 1, warmup=0)
            ref = {(m.modality, m.method): m for m in ref_exp.maps}
            fidelity = {f"{m.modality} {m.method}": agreement(m.scores, ref[(m.modality, m.method)].scores)
                        for m in exp.maps if (m.modality, m.method) in ref}
            deltas = [abs(m.delta) for m in exp.maps if m.delta is not None]
            row.update(reference_ms=t[0], reference="Captum defaults" + (" (IG in chunks)" if chunked else ""),
                       speedup=t[0] / row["full_ms"]["p50"], fidelity_spearman=fidelity,
                       fidelity_min_spearman=min(fidelity.values()) if fidelity else None,
                       ig_delta_max=max(deltas) if deltas else None)
            row["fidelity_pass"] = bool((row["fidelity_min_spearman"] or 0) >= 0.95
                                        and (row["ig_delta_max"] or 0) <= 0.05)
        rows.append(row)
        print(sweep_line(row), flush=True)
    text_rows = [r for r in rows if r["audio_seconds"] == 10.0]
    audio_rows = [r for r in rows if r["tokens_asked"] == 64]

    def panel(r, modality):
        return sum(v for k, v in r["panels_ms"].items() if k.startswith(modality + " "))

    growth = {
        "text_panel_ms_per_100_tokens": slope([r["tokens_read"] for r in text_rows],
                                              [panel(r, "text") for r in text_rows]),
        "full_ms_per_100_tokens": slope([r["tokens_read"] for r in text_rows],
                                        [r["full_ms"]["p50"] for r in text_rows]),
        "audio_panel_ms_per_10_s": slope([r["audio_seconds"] for r in audio_rows],
                                         [panel(r, "audio") for r in audio_rows]),
        "full_ms_per_10_s": slope([r["audio_seconds"] for r in audio_rows], [r["full_ms"]["p50"] for r in audio_rows]),
    }
    growth = {k: (v * 100 if "tokens" in k else v * 10) if v is not None else None for k, v in growth.items()}
    return {"device": device_name(device), "preset": args.preset, "dtype": str(fast_model.dtype).replace("torch.", ""),
            "versions": {"torch": torch.__version__, "captum": __import__("captum").__version__,
                         "transformers": __import__("transformers").__version__},
            "panels_at_once": explain_panel_workers(fast_model), "sizes": rows, "growth": growth,
            "fidelity_pass": all(r.get("fidelity_pass", True) for r in rows)}


def sweep_line(r: dict) -> str:
    ref = (f"{r['reference_ms'] / 1000:.2f} s | {r['speedup']:.1f}x | {r['fidelity_min_spearman']:.3f} | "
           f"{(r['ig_delta_max'] or 0) * 100:.1f} % | {'PASS' if r['fidelity_pass'] else 'FAIL'}"
           if "reference_ms" in r else "- | - | - | - | -")
    panels = ", ".join(f"{k} {v / 1000:.2f}" for k, v in r["panels_ms"].items())
    read = f", {r['tokens_read']} read" if r["tokens_read"] != r["tokens"] else ""
    return (f"| {r['tokens']} ({r['words']} words{read}) | {r['audio_seconds']:g} | {r['first_part_ms']['p50'] / 1000:.2f} | "
            f"{r['full_ms']['p50'] / 1000:.2f} / {r['full_ms']['p95'] / 1000:.2f} | {panels} | {r['forward_passes']} | "
            f"{ref} |")


SWEEP_HEADER = ("| text tokens | audio s | first part s | full explanation s p50 / p95 | panels s | forward passes | "
                "reference s | speed-up | min Spearman | IG gap max | guard |\n"
                "|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---|")


def sweep_table(result: dict) -> str:
    g = result["growth"]

    def f(v, unit):
        return f"{v:.0f} {unit}" if v is not None else "-"

    lines = [f"device: {result['device']}  preset: {result['preset']}  dtype: {result['dtype']}  "
             f"versions: {result['versions']}  panels at once: {result['panels_at_once']}", "", SWEEP_HEADER]
    lines += [sweep_line(r) for r in result["sizes"]]
    lines += ["", f"cost growth: text panel {f(g['text_panel_ms_per_100_tokens'], 'ms')} per 100 tokens, full "
                  f"explanation {f(g['full_ms_per_100_tokens'], 'ms')} per 100 tokens (at 10 s of audio); audio panel "
                  f"{f(g['audio_panel_ms_per_10_s'], 'ms')} per 10 s, full explanation "
                  f"{f(g['full_ms_per_10_s'], 'ms')} per 10 s (at 64 tokens)",
              f"fidelity guard at every size: {'PASS' if result['fidelity_pass'] else 'FAIL'}"]
    return "\n".join(lines)


def at_least_one(value: str) -> int:
    n = int(value)
    if n < 1:
        raise argparse.ArgumentTypeError("must be at least 1 (the reference run that the fidelity guard and the "
                                         "speed-up compare with)")
    return n


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--preset", default="lite", help="base (random Hub-size models), lite, or a preset file")
    ap.add_argument("--device", default="auto")
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--naive-runs", type=at_least_one, default=3,
                    help="runs of the Captum-defaults reference (at least 1: the fidelity guard and the speed-up "
                         "compare with it)")
    ap.add_argument("--one-step-runs", type=int, default=0, help="runs of the one-row-per-forward reference (0: none)")
    ap.add_argument("--ab-runs", type=int, default=0, help="runs per GPU-settings variant (0: no A/B)")
    ap.add_argument("--compile-ab", nargs="*", default=(), choices=("default", "reduce-overhead"),
                    help="also A/B torch.compile of each modality's model call in these modes (CUDA only)")
    ap.add_argument("--batch-size", type=int, default=0, help="rows per model call (0: auto, as the app uses)")
    ap.add_argument("--audio-level", default="auto", choices=("auto", "latent", "waveform"))
    ap.add_argument("--tokens", type=int, default=64)
    ap.add_argument("--audio-seconds", type=float, default=10.0)
    ap.add_argument("--segment-seconds", type=float, default=0.5)
    ap.add_argument("--out", type=Path)
    ap.add_argument("--md", type=Path)
    ap.add_argument("--profile", type=Path, help="write a torch.profiler summary here (CUDA only)")
    ap.add_argument("--models", help="folder for the random tiny/base models (reused if already built there)")
    ap.add_argument("--sweep", action="store_true", help="the size sweep (see above) instead of the one-size run")
    ap.add_argument("--true-defaults-max-tokens", type=int, default=TRUE_DEFAULTS_MAX_TOKENS,
                    help="the sweep's reference runs IG in chunks above this many tokens (lite on a CPU: 128, "
                         "its window; all 50 steps of a 4-window text at once took over 15 GB)")
    ap.add_argument("--sizes", type=sizes_arg, help="the sweep's sizes as TOKENSxSECONDS pairs (default: "
                    + ",".join(f"{t}x{a:g}" for t, a in SWEEP_SIZES) + ")")
    args = ap.parse_args(argv)
    if args.sweep:
        print(SWEEP_HEADER, flush=True)
        result = sweep(args)
        text = sweep_table(result)
        title = "# Size sweep"
    else:
        result = run(args)
        text = table(result)
        title = "# Benchmark results"
    if args.out:
        args.out.write_text(json.dumps(result, indent=2) + "\n")
    if args.md:
        args.md.write_text(f"{title}\n\n```\n" + text + "\n```\n")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
