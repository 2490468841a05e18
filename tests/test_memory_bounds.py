"""What the engine keeps is bounded and held once: the encodings cache by bytes as well as by entries, one copy of
an encoder that two modalities read (lite: e5 for the text and for the speech transcript)."""

from __future__ import annotations

import numpy as np
import pytest

from msa_demo.model import _tensor_bytes


def test_the_encodings_cache_is_bounded_by_bytes(tiny_model):
    model = tiny_model
    saved = model.cache_bytes
    model.forget()
    try:
        clips = [model.read_inputs(audio=(16000, np.full(16000, 0.01 * (k + 1), np.float32))).audio for k in range(6)]
        one = model.encode("audio", clips[0])
        size = _tensor_bytes(one[0].inputs) + _tensor_bytes(one[0].info) + _tensor_bytes(vars(one[1]))
        assert size >= 16000 * 4  # the clip's samples are counted
        model.cache_bytes = 3 * size  # room for three clips
        for clip in clips[1:]:
            model.encode("audio", clip)
        assert model._cached_bytes <= model.cache_bytes
        assert len(model._cache) == 3 and model._cached_bytes == 3 * size
        runs = model.encoder_runs
        model.encode("audio", clips[-1])  # the newest is kept ...
        assert model.encoder_runs == runs
        model.encode("audio", clips[0])  # ... the oldest was let go: its encoder runs again
        assert model.encoder_runs == runs + 1
    finally:
        model.cache_bytes = saved
        model.forget()
    assert model._cached_bytes == 0 and not model._cache


def test_lite_text_and_speech_share_one_e5(lite):
    text, speech = lite.modalities["text"], lite.modalities["audio"]
    assert text.encoder is not speech.encoder  # each its own modules: its own hooks (Layer IG) ...
    pairs = list(zip(text.encoder.parameters(), speech.encoder.parameters()))
    assert pairs and all(a.data_ptr() == b.data_ptr() for a, b in pairs)  # ... the same weights
    heads = list(zip(text.head.parameters(), speech.head.parameters()))
    assert heads and all(a.data_ptr() == b.data_ptr() for a, b in heads)
    # and the transcript is read by the same model as a typed text: the same probabilities for the same words
    said = "what a wonderful day"
    t = text.encode(text.prepare(said)).probs
    s = speech.encode(super(type(speech), speech).prepare(lite.read_inputs(text=said).text)).probs
    assert np.allclose(t.numpy(), s.numpy(), atol=1e-5)


def _rss_mb() -> float:
    from pathlib import Path

    line = next(x for x in Path("/proc/self/status").read_text().splitlines() if x.startswith("VmRSS:"))
    return int(line.split()[1]) / 1024


def test_freed_heap_pages_go_back_to_the_system():
    """What a thread allocated and freed in small blocks (below malloc's mmap threshold, as a batch's many
    tensors are) stays resident until ``release_memory`` trims the heap."""
    import sys
    import threading

    import pytest

    from msa_demo.model import release_memory

    if not sys.platform.startswith("linux"):
        pytest.skip("malloc_trim is glibc's")

    kept = []

    def churn():
        blocks = [np.ones(12_000) for _ in range(2_000)]  # 96 kB each, 192 MB in all
        kept.append(np.ones(12_000))  # a block still held above them: malloc cannot give them back by itself
        del blocks

    worker = threading.Thread(target=churn)  # a thread's own heap (arena), as a panel's or a request's
    worker.start()
    worker.join()
    before = _rss_mb()
    release_memory(force=True)
    assert _rss_mb() < before - 150


def test_an_explanation_ended_early_hands_its_freed_memory_back(tiny_preset_path):
    """Its own trim runs only when an explanation ends whole; one whose page or client went away (Gradio closes
    its stream), or that a newer click replaced, handed nothing back (a cancelled 5-minute clip's batches stayed
    resident)."""
    from msa_demo import model as engine
    from msa_demo import ui

    dash = ui.Dashboard.load(str(tiny_preset_path), fallback=None, device="cpu", warm=False)
    dropped = dash.explain_panels(None, "a page closed mid-way", None, None, ig_steps=8, session="page-m")
    next(dropped)  # the prediction is out (its own trim, at most once a second, may have run)
    engine._TRIMMED[0] = -1.0
    dropped.close()  # the page went away
    assert engine._TRIMMED[0] > 0
    dash.check(None, "asked, then replaced", None, None, ig_steps=8, session="page-m")
    replaced = dash.explain_panels(None, "asked, then replaced", None, None, ig_steps=8, session="page-m",
                                   checked=True, replaced_said=False)
    next(replaced)
    dash.ask("page-m")  # a newer click of the same page: this one ends quietly at its next model call
    engine._TRIMMED[0] = -1.0
    assert not [p for p in replaced if p.get("state")]
    assert engine._TRIMMED[0] > 0


@pytest.mark.spawns
def test_the_servers_threads_share_two_c_heaps():
    """Each request thread had a C heap (glibc arena) of its own, up to 8 per core, each keeping pieces of what
    its batches had freed; after ``limit_heaps`` (the app calls it at start) the threads share two."""
    import subprocess
    import sys

    if not sys.platform.startswith("linux"):
        pytest.skip("glibc's arenas")
    child = """
import ctypes, os, sys, threading
sys.path.insert(0, {root!r})
if sys.argv[1] == "limited":
    from msa_demo.model import limit_heaps
    assert limit_heaps()
ready, held = threading.Barrier(9), []
def work():
    held.append([bytearray(64 * 1024) for _ in range(16)])  # from the thread's heap (below the mmap threshold)
    ready.wait()
    ready.wait()
threads = [threading.Thread(target=work) for _ in range(8)]
for t in threads:
    t.start()
ready.wait()  # all eight alive, each holding its blocks
ctypes.CDLL("libc.so.6").malloc_stats()  # one 'Arena N:' block per heap, on stderr
ready.wait()
for t in threads:
    t.join()
"""
    from pathlib import Path

    root = str(Path(__file__).resolve().parents[1])
    env = {k: v for k, v in __import__("os").environ.items() if k != "MALLOC_ARENA_MAX"}
    heaps = {}
    for mode in ("default", "limited"):
        out = subprocess.run([sys.executable, "-c", child.format(root=root), mode], capture_output=True, text=True,
                             env=env, timeout=120)
        assert out.returncode == 0, out.stderr[-2000:]
        heaps[mode] = out.stderr.count("Arena ")
    assert heaps["default"] > 2  # glibc's own: a heap for each thread that allocates at once
    assert 1 <= heaps["limited"] <= 2, heaps
