"""Dataset-mode throughput: rows/s of ``explain-batch`` (local or Ray engine) on a manifest of the curated examples, and
the size of report.html for a large synthetic results set.

    python benchmarks/dataset_bench.py --preset tiny --repeat 2     # tiny random models (built here)
    python benchmarks/dataset_bench.py --preset lite --repeat 1     # the offline preset
    python benchmarks/dataset_bench.py --preset tiny --report-rows 1000
    python benchmarks/dataset_bench.py --preset tiny --engine ray --workers 2   # Ray actors' start included
    python benchmarks/dataset_bench.py --preset base --device cuda --repeat 8   # the Hub preset's sizes on a GPU

The manifest is the curated examples (examples/examples.json) repeated ``--repeat`` times, each copy's text
numbered so that no two rows are identical (images and audio clips repeat). Rows/s counts the model load once
(printed apart) and every row after it, with the default explanation settings unless flags say otherwise.
``--report-rows N`` then writes report.html for N synthetic rows (the measured rows copied under new ids) and
prints its size. The last line printed is the summary.

Start-up is timed apart: ``first_row_s`` is the time from the call to the first row logged (the Ray engine: Ray's
start, the actors' model loads and one row; the local engine: one row, its model loaded before), and
``steady_rows_per_s`` counts the rows after the first ``--workers`` (one per actor: they overlap the other actors'
start) over the time after them. ``--project 100000`` prints what that
many rows would take on 1, 4, 16 and 64 nodes like this one, from the measured steady rate (each node running the
same actors; the driver's own cost per row, measured here by writing this run's largest explanation again, bounds
it). ``cpu_s_per_row`` is the CPU time the run's processes (this one, and the local Ray's) spent per row after the
first rows: on a machine shared with other work it is the steadier figure.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from msa_demo.dataset import explain_batch, read_results, to_html  # noqa: E402
from msa_demo.model import MultimodalSentimentModel  # noqa: E402


def tree_cpu_seconds() -> float | None:
    """CPU seconds (user + system) used so far by this process and every process below it (the local Ray's
    raylet, GCS and actors), from /proc; None where there is no /proc. Unlike rows/s, this barely moves when other
    work shares the machine."""
    procs: dict[int, tuple[int, float]] = {}
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    try:
        for d in Path("/proc").iterdir():
            if d.name.isdigit():
                try:
                    fields = (d / "stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                procs[int(d.name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / tick)
    except OSError:
        return None
    if not procs:
        return None
    mine, frontier = {os.getpid()}, [os.getpid()]
    while frontier:
        parent = frontier.pop()
        for pid, (ppid, _) in procs.items():
            if ppid == parent and pid not in mine:
                mine.add(pid)
                frontier.append(pid)
    return sum(procs[pid][1] for pid in mine if pid in procs)


def write_manifest(folder: Path, repeat: int) -> Path:
    examples = json.loads((ROOT / "examples" / "examples.json").read_text(encoding="utf-8"))
    rows = []
    for k in range(repeat):
        for ex in examples:
            rows.append({"id": f"{ex['name']} #{k + 1}",
                         "text": f"{ex['text']} ({k + 1})" if ex["text"] else None,
                         "image": str(ROOT / "examples" / ex["image"]) if ex["image"] else None,
                         "audio": str(ROOT / "examples" / ex["audio"]) if ex["audio"] else None})
    path = folder / "manifest.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--preset", default="tiny",
                    help="tiny or base (random models built here, or in --models), lite, hub or a preset file")
    ap.add_argument("--models", help="folder of the random tiny/base models (built there if missing; reused)")
    ap.add_argument("--repeat", type=int, default=1, help="copies of the curated examples in the manifest")
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--engine", default="local", choices=("local", "ray"))
    ap.add_argument("--workers", type=int, default=1, help="Ray actors (--engine ray)")
    ap.add_argument("--report-rows", type=int, default=0, help="also size report.html for this many synthetic rows")
    ap.add_argument("--project", type=int, default=0, metavar="N", help="also project the time of N rows on more nodes")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        preset = args.preset
        if preset in ("tiny", "base"):
            from msa_demo.tiny import build_tiny_preset

            root = Path(args.models) if args.models else tmp / preset
            built = root / f"{preset}.json"
            preset = str(built if built.exists() else build_tiny_preset(root, seed=0, size=preset))
        manifest = write_manifest(tmp, args.repeat)
        stamps: list[float] = []
        cpu: list[float | None] = []

        def on_row(i: int, n: int) -> None:
            stamps.append(time.perf_counter())
            k = args.workers if args.engine == "ray" else 1
            if i in (k, n):  # before the actors are stopped
                cpu.append(tree_cpu_seconds())

        if args.engine == "local":
            t0 = time.perf_counter()
            model = MultimodalSentimentModel.from_preset(preset, device=args.device)
            print(f"model load: {time.perf_counter() - t0:.1f} s (once per run, not in rows/s)")
            t0 = time.perf_counter()
            s = explain_batch(manifest, tmp / "out", model=model, progress=True, on_row=on_row)
        else:  # the actors' start and model loads are inside the run's time
            t0 = time.perf_counter()
            s = explain_batch(manifest, tmp / "out", preset=preset, device=args.device, engine="ray",
                              workers=args.workers, progress=True, on_row=on_row)
        first = stamps[0] - t0
        k = args.workers if args.engine == "ray" else 1  # each actor's first row overlaps the others' start
        steady = ((len(stamps) - k) / (stamps[-1] - stamps[k - 1])
                  if len(stamps) > k and stamps[-1] > stamps[k - 1] else 0.0)
        print(f"first row after {first:.1f} s; then {steady:.3f} rows/s over the last {len(stamps) - k} rows")
        cpu_row = ((cpu[-1] - cpu[0]) / (len(stamps) - k) if len(cpu) == 2 and None not in cpu and len(stamps) > k
                   else 0.0)
        if cpu_row:
            print(f"CPU time per row (this process and its children, after the first rows): {cpu_row:.2f} s")
        out = tmp / "out"
        report_kb = (out / "report.html").stat().st_size / 1024
        per_row = (out / "results.parquet").stat().st_size / 1024 / s.total
        print(f"machine: {platform.processor() or platform.machine()}, {torch.get_num_threads()} torch threads, "
              f"device {args.device}")
        print(f"rows: {s.total} ({s.explained} explained, {s.failed} failed) in {s.seconds:.1f} s")
        print(f"report.html: {report_kb:.1f} kB for {s.total} rows; results.parquet {per_row:.2f} kB per row")
        sizes = [(out / r["explanation"]).stat().st_size / 1024 for r in read_results(out)
                 if r["explanation"] and r["image_sha256"]]
        if sizes:
            print(f"explanation JSON with a picture: {min(sizes):.0f} to {max(sizes):.0f} kB "
                  f"(mean {sum(sizes) / len(sizes):.0f} kB over {len(sizes)} rows)")
        print(f"load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())} (other work on this machine slows it)")
        line = (f"SUMMARY preset={args.preset} engine={args.engine} workers={args.workers if args.engine == 'ray' else 1} "
                f"rows={s.total} rows_per_s={s.rows_per_second:.3f} first_row_s={first:.2f} "
                f"steady_rows_per_s={steady:.3f} cpu_s_per_row={cpu_row:.2f}")
        if args.project and steady:
            from msa_demo.dataset.store import ResultsDir

            biggest = max((out / r["explanation"] for r in read_results(out) if r["explanation"]),
                          key=lambda f: f.stat().st_size)
            text, store = biggest.read_text(encoding="utf-8"), ResultsDir(tmp / "driver")
            rec = read_results(out)[0]
            t1 = time.perf_counter()
            for i in range(10):
                store.write_explanation(f"x{i}", text)
                store.append(dict(rec, id=f"x{i}"))
            driver = (time.perf_counter() - t1) / 10
            print(f"driver per row (write a {len(text) / 1e6:.1f} MB explanation, log the row): {driver * 1000:.0f} ms "
                  f"(at most {1 / driver:.0f} rows/s through one driver)")
            for nodes in (1, 4, 16, 64):
                rate = min(steady * nodes, 1 / driver)
                print(f"{args.project:,} rows on {nodes} node(s) like this one: {args.project / rate / 3600:.1f} h "
                      f"({rate:.2f} rows/s{', driver-bound' if rate == 1 / driver else ''}) + start-up {first:.0f} s")
            line += f" driver_ms_per_row={driver * 1000:.0f}"
        if args.report_rows:
            rows = read_results(out)
            synthetic = [dict(rows[i % len(rows)], id=f"synthetic-{i:05d}", index=i) for i in range(args.report_rows)]
            size = len(to_html(synthetic).encode("utf-8")) / 1024
            print(f"report.html for {args.report_rows} synthetic rows: {size:.1f} kB")
            line += f" report_kb_{args.report_rows}={size:.1f}"
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
