"""What the dataset map costs: ``dataset.rowmap.row_map`` (scikit-learn PCA, full SVD) on N synthetic results rows.

    python benchmarks/dataset_map.py                  # widths 12 (late fusion of 4 modalities) and 516 (a trained
                                                      # concat head: 4 x 128 + 4), N = 100 ... 100 000

Prints, per width and N, the median of 3 runs in ms (the first import of scikit-learn is timed apart) and the
share of variance the two axes hold. ``--out`` writes the figures as JSON.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from msa_demo.dataset.rowmap import row_map  # noqa: E402


def rows(n: int, width: int, seed: int = 0) -> list[dict]:
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 3, n)
    centres = rng.normal(size=(3, width))
    feats = (centres[labels] + 0.5 * rng.normal(size=(n, width))).astype(np.float32)
    names = ("negative", "neutral", "positive")
    return [{"id": f"row-{i:06d}", "label": names[c], "predicted": names[c], "error": None,
             "text_start": "a row", "fused_features": f.tolist()} for i, (c, f) in enumerate(zip(labels, feats))]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", default="100,1000,10000,100000")
    p.add_argument("--widths", default="12,516")
    p.add_argument("--out", default=None)
    args = p.parse_args()
    t0 = time.perf_counter()
    import sklearn.decomposition  # noqa: F401

    first = time.perf_counter() - t0
    print(f"first import of scikit-learn's PCA: {first * 1000:.0f} ms")
    out = {"sklearn_import_ms": first * 1000, "runs": []}
    for width in (int(w) for w in args.widths.split(",")):
        for n in (int(s) for s in args.sizes.split(",")):
            data = rows(n, width)
            times = []
            for _ in range(3):
                t = time.perf_counter()
                m = row_map(data)
                times.append(time.perf_counter() - t)
            ms = statistics.median(times) * 1000
            print(f"width {width:4d}  rows {n:7d}: {ms:9.1f} ms  (axes hold {sum(m.variance):.0%})")
            out["runs"].append({"width": width, "rows": n, "ms": ms})
    if args.out:
        Path(args.out).write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
