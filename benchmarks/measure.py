"""Measuring helpers shared by the benchmarks; they import nothing from msa_demo, so a benchmark can measure
another copy of the package with them (see compare_versions.py)."""

from __future__ import annotations

import time
import warnings
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[1]

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
    ``torch.cuda.set_sync_debug_mode`` reports (captum's and torch's own included)."""
    counter = ReadBacks(device)
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
            if debug:
                torch.cuda.set_sync_debug_mode("default")
    out["read_backs"] = counter.count
    if debug:
        out["cuda_syncs"] = sum("synchroniz" in str(w.message).lower() for w in caught)
    return out
