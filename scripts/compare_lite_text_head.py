"""Compare a rebuilt lite text head's held-out metrics with the shipped head's.

The build (``scripts/build_lite_text_head.sh``) is seeded and runs on one torch thread, so a rebuild with the same
settings should reproduce the shipped figures; this prints both, per held-out source and per language, and exits 1
when a figure differs by more than ``--tolerance``. The build script calls it when it writes somewhere other than the shipped folder.

    usage: python scripts/compare_lite_text_head.py NEW_HEAD_DIR [SHIPPED_HEAD_DIR] [--tolerance 0.005]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

SHIPPED = Path(__file__).resolve().parents[1] / "msa_demo" / "weights" / "lite_text_head"


def figures(head: Path) -> dict[str, float]:
    """Held-out figures from ``head/metrics.json``: per source (binary accuracy, 3-way accuracy, macro-F1,
    neutral recall where the source has neutral truth) and per language (accuracy and macro-F1, 3-way and binary)."""
    m = json.loads((head / "metrics.json").read_text(encoding="utf-8"))
    by = m.get("test_by_group", {})
    out = {}
    for source, f in sorted((m.get("test_by_source") or {}).items()):
        for name, short in (("binary_accuracy", "binary"), ("accuracy", "3-way"), ("macro_f1", "macro-F1"),
                            ("neutral_recall", "neutral recall")):
            if f.get(name) is not None:
                out[f"{source} {short}"] = float(f[name])
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
    print(f"{'held-out figure':<36} {'shipped':>8} {'rebuilt':>8} {'diff':>8}")
    for key in sorted(set(new) | set(old)):
        a, b = old.get(key), new.get(key)
        diff = None if a is None or b is None else b - a
        worst = max(worst, abs(diff) if diff is not None else float("inf"))
        show = lambda v: "-" if v is None else f"{v:.4f}"  # noqa: E731
        print(f"{key:<36} {show(a):>8} {show(b):>8} {'-' if diff is None else f'{diff:+.4f}':>8}")
    ok = worst <= args.tolerance
    print("reproduced" if ok else f"NOT reproduced: a figure differs by more than {args.tolerance}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
