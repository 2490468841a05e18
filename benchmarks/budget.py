"""The time budget as a user meets it: one process, each size explained ``--runs`` times under ``--budget`` seconds
(default 5: the dashboard's on a CPU), the first time with nothing learnt (no row prices, no overrun factor).

    python benchmarks/budget.py --preset base --sizes 64x10,512x30 --runs 3    # the Hub preset's architectures
    python benchmarks/budget.py --preset lite --sizes 512x30 --runs 3 --full   # --full: and one unbudgeted run

Per run it prints the click-to-last-map seconds, the first part (prediction and modality contributions), the
maps' seconds against the plan's estimate, the learnt overrun factor, each panel's seconds, what was given up and
each IG map's completeness gap. ``--full`` adds one explanation without a budget (the same fast explainer,
full quality) and the Spearman of every budgeted map against it where the two have the same features (a coarser
grid or longer segments are other features: not compared). Transcripts and encodings are forgotten before each
run, as for a new input.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # as msa_demo sets it (before torch loads), so as the app runs

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench import agreement, built_preset, forget_transcripts, sizes_arg  # noqa: E402
from measure import workload  # noqa: E402

from msa_demo.explain import ExplainOptions, explain_iter  # noqa: E402
from msa_demo.explain import budget as budget_mod  # noqa: E402
from msa_demo.model import MultimodalSentimentModel  # noqa: E402


plans: list = []  # the plan of the explanation running (budget.fit's answer, kept as it is returned)
_fit = budget_mod.fit


def fit(*a, **k):
    plans.append(_fit(*a, **k))
    return plans[-1]


budget_mod.fit = fit


def one(model, inputs, options) -> dict:
    """One explanation of ``inputs`` as a new input: seconds to the first part and to the end, the maps."""
    model.forget()
    forget_transcripts()
    t0 = time.perf_counter()
    first, exp = None, None
    plans.clear()
    for kind, part in explain_iter(model, inputs, options=options):
        if first is None:
            first = time.perf_counter() - t0
        if kind == "done":
            exp = part
    total = time.perf_counter() - t0
    maps = {}
    for m in exp.maps:
        maps[f"{m.modality} {m.method}"] = {
            "seconds": round(m.cost.seconds, 2), "features": len(m.scores), "n_steps": m.params.get("n_steps"),
            "gap": m.delta if m.delta is None else round(abs(m.delta), 4), "gave_up": m.params.get("budget") or []}
    plan = plans[-1] if plans else None
    return {"seconds": round(total, 2), "first_part": round(first, 2), "maps": maps, "exp": exp,
            "planned": round(plan.seconds, 2) if plan else None, "fits": plan.fits if plan else None,
            "maps_seconds": round(sum(m.cost.seconds for m in exp.maps), 2),
            "notices": [n for n in exp.notices if n.startswith("Time budget")]}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--preset", default="base", help="base (random Hub-size models), lite, or a preset file")
    ap.add_argument("--models", help="folder for the random base models (reused if already built there)")
    ap.add_argument("--sizes", type=sizes_arg, default=((64, 10.0), (512, 30.0)))
    ap.add_argument("--budget", type=float, default=5.0, help="seconds (default 5: the dashboard's on a CPU)")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--full", action="store_true", help="also one unbudgeted explanation per size (fidelity)")
    ap.add_argument("--out", type=Path)
    args = ap.parse_args(argv)
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    preset = built_preset(args.preset, args.models) if args.preset in ("base", "tiny") else args.preset
    model = MultimodalSentimentModel.from_preset(preset, device="cpu")
    results = []
    load0 = Path("/proc/loadavg").read_text().split()[:3]  # other work on the machine moves every figure here
    print(f"load average at the start: {' '.join(load0)}", flush=True)
    for tokens, seconds in args.sizes:
        text, image, audio = workload(model, seconds, tokens)
        inputs = model.read_inputs(text=text, image=image, audio=audio)
        budget_mod._PRICES.clear()  # nothing learnt: the first explanation of this size as a new server meets it
        budget_mod._OVERRUN.clear()
        opts = ExplainOptions(budget=args.budget, seed=0)
        runs = []
        for k in range(args.runs):
            r = one(model, inputs, opts)
            r["overrun_after"] = round(budget_mod.overrun(model), 2)
            runs.append(r)
            print(f"{tokens} tokens + {seconds:g} s, budget {args.budget:g} s, run {k + 1}: {r['seconds']:.2f} s "
                  f"(first part {r['first_part']:.2f} s; planned {r['planned']} s, fits {r['fits']}; overrun now "
                  f"{r['overrun_after']}) "
                  + "; ".join(f"{n} {v['seconds']:.2f} s{' gap %.1f %%' % (100 * v['gap']) if v['gap'] is not None else ''}"
                              for n, v in r["maps"].items()), flush=True)
            for n in r["notices"]:
                print("   ", n, flush=True)
        row = {"tokens": tokens, "audio_seconds": seconds, "budget": args.budget,
               "runs": [{k: v for k, v in r.items() if k != "exp"} for r in runs]}
        if args.full:
            full = one(model, inputs, ExplainOptions(seed=0))
            ref = {(m.modality, m.method): m for m in full["exp"].maps}
            agree = {}
            for m in runs[-1]["exp"].maps:
                r = ref.get((m.modality, m.method))
                if r is not None and len(r.scores) == len(m.scores):
                    agree[f"{m.modality} {m.method}"] = round(agreement(m.scores, r.scores), 3)
            row["unbudgeted"] = {k: v for k, v in full.items() if k != "exp"}
            row["spearman_vs_unbudgeted"] = agree
            print(f"  unbudgeted: {full['seconds']:.2f} s; the last budgeted run's maps vs it (Spearman): {agree}",
                  flush=True)
        results.append(row)
    if args.out:
        args.out.write_text(json.dumps({"preset": args.preset, "load_average_start": load0,
                                        "load_average_end": Path("/proc/loadavg").read_text().split()[:3],
                                        "sizes": results}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
