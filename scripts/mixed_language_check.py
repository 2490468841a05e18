"""How often the languages check finds part of a text in another language, over the lite text head's sources.

English texts should essentially never be flagged (a false positive puts "part of it is Spanish" over an English
review); German and Dutch reviews should be told, whole (their own language) or in part. Reads the sources out of
the registry packages ``scripts/lite_text_sources.py`` downloads (every row of each, not only the held-out ones:
nothing is trained here), each text as the app reads it (its first 5,000 characters).

    usage: python scripts/mixed_language_check.py WORKDIR [--examples N]   (WORKDIR: where the packages are, or go)

Prints, per source: texts, how many the whole-text detection reads as another language than the source's, how many
get ``other_languages`` (part of them in another language), and the first N of those; for the German and Dutch
sources also the texts cut to their first 3 / 6 / 12 words.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout: the msa_demo beside it
sys.path.insert(0, str(Path(__file__).resolve().parent))

ENGLISH = ("vader", "kotzias", "crowdflower-tweets", "imdb-reviews", "pang-lee-reviews")
OTHER = ("amazon-de", "bol-nl")


def main() -> None:
    import lite_text_sources as sources
    from msa_demo.language import detect_language, other_languages

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("workdir", type=Path)
    ap.add_argument("--examples", type=int, default=3)
    args = ap.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    sources.fetch(args.workdir, extras=True)
    total = flagged_total = 0
    for name in ENGLISH + OTHER:
        own = sources.SOURCES[name][4]
        texts = [r["text"][:sources.MAX_CHARS] for r in sources.read_source(args.workdir, name)]
        cuts = (None, 3, 6, 12) if name in OTHER else (None,)
        for cut in cuts:
            t0 = time.perf_counter()
            other = part = told = 0
            shown = []
            for text in texts:
                text = " ".join(text.split()[:cut]) if cut else text
                main = detect_language(text)
                parts = other_languages(text, main)
                other += main != own
                part += bool(parts)
                told += main != "en" or bool(parts)
                if parts and len(shown) < args.examples:
                    shown.append(f"    {main} + {parts}: {text[:160]!r}")
            what = f"{name} ({own})" + (f", first {cut} words" if cut else "")
            print(f"{what}: {len(texts)} texts; whole text read as another language than {own}: {other}; "
                  f"part in another language: {part} ({100 * part / len(texts):.2f} %)"
                  + (f"; told as not English (whole or part): {100 * told / len(texts):.1f} %" if own != "en" else "")
                  + f"  [{time.perf_counter() - t0:.1f} s]")
            print("\n".join(shown))
            if own == "en":
                total, flagged_total = total + len(texts), flagged_total + part
    print(f"English texts with part in another language: {flagged_total} of {total} "
          f"({100 * flagged_total / max(1, total):.3f} %)")


if __name__ == "__main__":
    main()
