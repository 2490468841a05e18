"""What the what-if costs on the curated examples: each example explained with the dashboard's settings, what-if
off then on (interleaved, after one warm-up), and the extra wall-clock seconds, the forwards and what it found.

    python benchmarks/whatif_cost.py --preset lite              # the offline preset on this machine
    python benchmarks/whatif_cost.py --preset lite --budget 0   # without the dashboard's CPU time budget
    python benchmarks/whatif_cost.py --preset lite --option robustness --only "Text only,Image only"

The budget defaults to the dashboard's (``ui.options.dashboard_budget``: 5 s on a CPU); with a budget the what-if
stops at half of it. The last line printed is the summary (the median and the largest extra seconds).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from msa_demo.explain import ExplainOptions, explain  # noqa: E402
from msa_demo.model import MultimodalSentimentModel  # noqa: E402


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--preset", default="lite")
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--budget", type=float, default=None, help="seconds for the maps (default: the dashboard's)")
    ap.add_argument("--repeat", type=int, default=1, help="runs of each setting per example (the fastest is kept)")
    ap.add_argument("--option", default="what_if", choices=("what_if", "robustness", "tone"),
                    help="the option switched off then on (default what_if)")
    ap.add_argument("--only", default="", help="example names, comma-separated (default: all)")
    args = ap.parse_args(argv)
    from msa_demo.ui.options import dashboard_budget

    budget = dashboard_budget() if args.budget is None else args.budget
    t0 = time.perf_counter()
    model = MultimodalSentimentModel.from_preset(args.preset, device=args.device)
    print(f"loaded {args.preset} in {time.perf_counter() - t0:.1f} s; budget {budget:g} s", flush=True)
    examples = json.loads((ROOT / "examples" / "examples.json").read_text(encoding="utf-8"))
    examples = [e for e in examples if not e.get("video")]  # the examples without a clip (it read no video)
    if args.only:
        examples = [e for e in examples if e["name"] in {n.strip() for n in args.only.split(",")}]
    extras = []
    for ex in examples:
        inputs = model.read_inputs(text=ex["text"] or None,
                                   image=str(ROOT / "examples" / ex["image"]) if ex["image"] else None,
                                   audio=str(ROOT / "examples" / ex["audio"]) if ex["audio"] else None)
        explain(model, inputs, options=ExplainOptions(budget=budget))  # warm: encoders cached, IG steps learnt
        best = {}
        for _ in range(args.repeat):
            for on in (False, True):
                t = time.perf_counter()
                exp = explain(model, inputs, options=ExplainOptions(budget=budget, **{args.option: on}))
                seconds = time.perf_counter() - t
                if on not in best or seconds < best[on][0]:
                    best[on] = (seconds, exp)
        (off, _), (on, exp) = best[False], best[True]
        extra = on - off
        extras.append(extra)
        rows = sum(c.cost.forward_passes for c in exp.what_if)
        inner = sum(c.cost.seconds for c in exp.what_if)
        print(f"{ex['name']:<22} off {off:5.2f} s  on {on:5.2f} s  extra {extra:+5.2f} s  "
              f"(searches {inner:.2f} s, {rows} forwards, {len(exp.what_if)} what-ifs)", flush=True)
        for c in exp.what_if:
            print(f"    {c.sentence}  [{c.cost.forward_passes} forwards, {c.cost.seconds:.2f} s]", flush=True)
        for m in exp.maps if args.option == "robustness" else []:
            print(f"    {m.modality} {m.method}: sensitivity {m.faithfulness.sensitivity}", flush=True)
        if args.option == "tone":
            print(f"    {exp.tone_note or [(e.change, round(e.moves, 3)) for e in exp.tone]}", flush=True)
    print(f"{args.option} extra on {len(extras)} curated examples ({args.preset}, budget {budget:g} s): median "
          f"{statistics.median(extras):+.2f} s, max {max(extras):+.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
