"""Long texts on the lite preset: how the cost of a full explanation grows with the text's length.

    python3 benchmarks/long_text.py                       # review (~300 words), 512 and 1024 tokens; 64 + 10 s
    python3 benchmarks/long_text.py --sizes 512 --runs 3  # one size

Each workload is a real text (a ~300-word English review; 512 and 1024 tokens made of several different reviews,
cut at a word), the 224-px face photo and a speech clip (``measure.workload``'s: 30 s, 10 s with the 64-token text).
``explain(model, inputs, options=ExplainOptions())`` is timed warm (one run discarded, p50 over ``--runs``), the
clip transcribed anew every run. The reference is the same explanation at Captum's default IG steps (50
Gauss-Legendre steps over the whole path, ``reference_options``) with every window of every row encoded, on a model
of its own (its step memory stays its own): per panel the script prints seconds, forward passes (model rows), e5
windows encoded, the IG completeness gap and the Spearman rank correlation of the map against the reference's (the
fidelity guard: >= 0.95, gap <= 5 %).
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from measure import workload  # noqa: E402

from msa_demo.explain import ExplainOptions, explain  # noqa: E402
from msa_demo.explain.faithfulness import spearman  # noqa: E402

REVIEW = """I bought the Aurora X2 noise-cancelling headphones three months ago after my old pair finally gave up, and
I have used them almost every day since, on the train, at my desk and on two long flights. Here is my honest take.

The good parts first. The noise cancelling is excellent. On the plane the engine drone simply disappeared, and in
the office I can no longer hear the printer or my colleagues on the phone. The sound is warm and detailed, the bass
is strong without being muddy, and vocals come through clearly. Battery life is as advertised: I get about thirty
hours between charges, and a ten-minute charge gives me a whole afternoon.

Comfort is more of a mixed bag. The ear cushions are soft, but the headband presses on the top of my head after two
hours, and in a warm room my ears get hot. People with larger heads may find the clamping force too tight.

Now the problems. The companion app is frankly terrible. It crashed every time I tried to change the equaliser,
it asked me to create an account for no reason, and a firmware update froze halfway and left the headphones
unusable until I reset them. The touch controls on the right ear cup are far too sensitive: adjusting the
headphones on my head pauses the music or skips the track. Calls are another weak point. Friends told me I sounded
distant and muffled, even in a quiet room.

Customer support was polite but slow. It took nine days and four emails to get an answer about the firmware
problem, and the answer was to reset the device, which I had already done.

Overall, I am glad I bought them for the sound and the noise cancelling, which are the best I have owned at this
price. But the software and the calls let them down badly. If you mostly listen to music while travelling, they
are a good choice. If you need them for work calls, look elsewhere."""

MORE = [
    """We stayed at the Harbour View Hotel for four nights in October. The location is perfect, five minutes from the
old town and right on the water, and the staff at the front desk were friendly and helpful from the moment we
arrived. Our room was small but spotless, with a comfortable bed and a lovely view of the boats. Breakfast was the
highlight: fresh bread, local cheese, good coffee and a different cake every morning. The downsides were the noise
from the bar downstairs, which went on until well after midnight on the weekend, and the shower, which was either
freezing or scalding with nothing in between. We asked twice for someone to look at it and nobody came. The price
was fair for the location, and we would probably stay again, but we would ask for a room on the other side.""",
    """The Quickserve 3000 coffee machine looked like a bargain, but it has been nothing but trouble. The first unit
leaked water all over the counter on the second day, and the replacement makes weak, lukewarm coffee no matter
which setting I choose. The milk frother is loud and leaves the milk barely warm. Cleaning it is a chore, because
the drip tray is shallow and overflows if you forget to empty it. The instruction booklet is badly translated and
skips important steps. To be fair, it looks nice on the counter and the water tank is easy to fill. But after two
months I have gone back to my old stovetop pot, which cost a fraction of the price and makes better coffee.""",
    """I finished the novel in two evenings because I could not put it down. The writing is simple and vivid, the
characters feel like people you might know, and the slow reveal of the family's secret is handled with real care.
The middle section, set during the long winter on the farm, is the best part of the book: quiet, sad and funny at
the same time. The ending felt a little rushed, and one important character disappears without explanation, which
annoyed me. Still, it is one of the most moving books I have read this year, and I have already lent my copy to
my sister.""",
    """Our family visited the new science museum on a rainy Saturday. The children loved the hands-on rooms, where you
can build circuits, launch small rockets and see how a bridge carries weight. The planetarium show was beautiful,
although the seats are cramped for adults. The cafe, on the other hand, was overpriced and the queue took forty
minutes. Some exhibits were broken or closed without any sign explaining why, and the staff we asked did not know
when they would be fixed. It is worth a visit, but go early on a weekday and bring your own lunch.""",
]


def long_text(model, tokens: int) -> str:
    """The review followed by more real reviews, cut at the last word that keeps it within ``tokens`` tokens."""
    mod = model.modalities["text"]
    words = "\n\n".join([REVIEW] + MORE + MORE[::-1]).split(" ")
    count = lambda n: mod.prepare(" ".join(words[:n])).inputs["input_ids"].shape[-1]  # noqa: E731
    lo, hi = 1, len(words)
    if count(hi) <= tokens:
        raise SystemExit(f"the texts hold fewer than {tokens} tokens")
    while lo < hi - 1:  # the most words within ``tokens`` tokens
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if count(mid) <= tokens else (lo, mid)
    return " ".join(words[:lo])


def reference_options() -> ExplainOptions:
    """Captum's default IG steps (50 Gauss-Legendre steps over the whole path: steps fixed, so no path pieces);
    everything else as the app's options."""
    return ExplainOptions(ig_min_steps=50, ig_max_steps=50)


@contextlib.contextmanager
def every_window(model):
    """Every window of every row encoded (no re-use of windows read before), as before the window cache."""
    mods = [m for m in model.modalities.values() if hasattr(m, "reuse_windows")]
    for m in mods:
        m.reuse_windows = False
    try:
        yield
    finally:
        for m in mods:
            del m.reuse_windows


def windows_encoded(model) -> int:
    return sum(int(getattr(mod, "windows_encoded", 0)) for mod in model.modalities.values())


def run_once(model, inputs, options):
    from msa_demo.lite.speech import clear_cache

    model.forget()
    clear_cache()
    w0 = windows_encoded(model)
    t0 = time.perf_counter()
    exp = explain(model, inputs, options=options)
    return exp, time.perf_counter() - t0, windows_encoded(model) - w0


def measure(model, name: str, text: str, seconds: float, runs: int, ref_model=None) -> dict:
    _, image, audio = workload(model, seconds, 8)
    inputs = model.read_inputs(text=text, image=image, audio=audio)
    n_tokens = model.modalities["text"].prepare(text).inputs["input_ids"].shape[-1]
    opts = ExplainOptions()
    run_once(model, inputs, opts)  # warm: the model's step memory for this size, the caches
    times, exp, windows = [], None, 0
    for _ in range(runs):
        exp, t, windows = run_once(model, inputs, opts)
        times.append(t)
    print(f"\n== {name}: {len(text.split())} words, {n_tokens} tokens, face, {seconds:g} s clip ==")
    print(f"full explanation: p50 {statistics.median(times):.2f} s (runs {', '.join(f'{t:.2f}' for t in times)}), "
          f"forward passes {exp.cost.forward_passes}, e5 windows encoded {windows}")
    ref = None
    if ref_model is not None:  # a model of its own: its 50 steps must not become the fast model's step memory
        ref_inputs = ref_model.read_inputs(text=text, image=image, audio=audio)
        with every_window(ref_model):
            ref, t_ref, w_ref = run_once(ref_model, ref_inputs, reference_options())
        print(f"reference (50 IG steps, no window re-use): {t_ref:.2f} s, forward passes {ref.cost.forward_passes}, "
              f"e5 windows encoded {w_ref}")
    rows, ok = [], True
    for m in exp.maps:
        r = ref.map(m.modality, m.method) if ref is not None else None
        rho = spearman(m.scores, r.scores) if r is not None else None
        gap = m.delta
        ok &= (rho is None or rho >= 0.95) and (gap is None or gap <= 0.05)
        rows.append(f"  {m.modality} {m.method}: {m.cost.seconds:.2f} s, {m.cost.forward_passes} passes, "
                    f"IG steps {m.params.get('n_steps', '-')} (tried {m.params.get('steps_tried', '-')}), "
                    f"IG gap {'-' if gap is None else f'{100 * gap:.1f} %'}"
                    + (f" (reference {100 * r.delta:.1f} %)" if r is not None and r.delta is not None else "")
                    + (f", Spearman vs reference {rho:.3f}" if rho is not None else "")
                    + (f", AOPC {m.faithfulness.aopc:.3f} (reference {r.faithfulness.aopc:.3f})"
                       if r is not None and m.faithfulness and r.faithfulness else ""))
    print("\n".join(rows))
    if ref is not None:
        print(f"fidelity guard: {'PASS' if ok else 'FAIL'}")
    return {"name": name, "p50_s": statistics.median(times), "passes": exp.cost.forward_passes, "guard": ok}


def main(argv=None) -> int:
    from transformers.utils import logging as hf_logging

    from msa_demo.model import MultimodalSentimentModel

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", nargs="*", default=["review", "512", "1024", "64"],
                    help="review (the ~300-word review), a token count (64: with a 10 s clip, else 30 s)")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--no-reference", action="store_true", help="skip the 50-step reference (and the guard)")
    args = ap.parse_args(argv)
    hf_logging.set_verbosity_error()
    model = MultimodalSentimentModel.from_preset("lite", device="cpu")
    ref_model = None if args.no_reference else MultimodalSentimentModel.from_preset("lite", device="cpu")
    for size in args.sizes:
        if size == "review":
            measure(model, "review", REVIEW, 30.0, args.runs, ref_model)
        else:
            tokens = int(size)
            text = long_text(model, tokens)  # 64: the review's first words
            measure(model, f"{tokens} tokens", text, 10.0 if tokens <= 128 else 30.0, args.runs, ref_model)
    return 0


if __name__ == "__main__":
    sys.exit(main())
