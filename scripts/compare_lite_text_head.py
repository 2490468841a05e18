"""Compare a rebuilt lite text head's held-out metrics with the shipped head's.

The build (``scripts/build_lite_text_head.sh``) is seeded and runs on one torch thread, so a rebuild with the same
settings should reproduce the shipped figures; this prints both, per language, and exits 1 when a figure differs
by more than ``--tolerance``. The build script calls it when it writes somewhere other than the shipped folder.

    usage: python scripts/compare_lite_text_head.py NEW_HEAD_DIR [SHIPPED_HEAD_DIR] [--tolerance 0.005]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

SHIPPED = Path(__file__).resolve().parents[1] / "msa_demo" / "weights" / "lite_text_head"


def figures(head: Path) -> dict[str, float]:
    """Held-out accuracy and macro-F1 per language, 3-way and binary, from ``head/metrics.json``."""
    by = json.loads((head / "metrics.json").read_text(encoding="utf-8")).get("test_by_group", {})
    out = {}
    for lang, g in sorted(by.items()):
        for kind in ("metrics", "binary"):
            m = g.get(kind) or {}
            for name in ("accuracy", "macro_f1"):
                if name in m:
                    out[f"{lang} {'3-way' if kind == 'metrics' else 'binary'} {name}"] = float(m[name])
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("new", type=Path)
    ap.add_argument("shipped", type=Path, nargs="?", default=SHIPPED)
    ap.add_argument("--tolerance", type=float, default=0.005)
    args = ap.parse_args(argv)
    try:
        new, old = figures(args.new), figures(args.shipped)
    except (OSError, ValueError) as exc:
        print(f"cannot read metrics.json: {exc}", file=sys.stderr)
        return 2
    worst = 0.0
    print(f"{'held-out figure':<28} {'shipped':>8} {'rebuilt':>8} {'diff':>8}")
    for key in sorted(set(new) | set(old)):
        a, b = old.get(key), new.get(key)
        diff = None if a is None or b is None else b - a
        worst = max(worst, abs(diff) if diff is not None else float("inf"))
        show = lambda v: "-" if v is None else f"{v:.4f}"  # noqa: E731
        print(f"{key:<28} {show(a):>8} {show(b):>8} {'-' if diff is None else f'{diff:+.4f}':>8}")
    ok = worst <= args.tolerance
    print("reproduced" if ok else f"NOT reproduced: a figure differs by more than {args.tolerance}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
