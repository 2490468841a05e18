"""Undo part of the class weighting of the lite text head: one offset on its "neutral" logit, picked on the
English validation rows, folded into the head's last bias; the held-out metrics per language are recomputed.

The head is trained with class weights (neutral, English only, is 10 % of the rows: weight ~3.2), which makes
it say "neutral" far more often than the truth is neutral. The offset that maximises 3-way accuracy on the
English validation rows (part of the training split; never the held-out rows) is applied; then the held-out
rows of each language are scored as in ``msa_demo train`` (the first 128 tokens of each item).

    usage: python scripts/build_lite_text_calibrate.py MANIFEST HEAD_DIR   (called by build_lite_text_head.sh)
"""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path

import torch


def logits_of(mod, texts: list[str], batch: int = 64) -> torch.Tensor:
    from msa_demo.modalities import mean_pool

    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    out = torch.zeros(len(texts), len(mod.labels))
    with torch.no_grad():
        for s in range(0, len(order), batch):
            ids = order[s:s + batch]
            enc = mod.tokenizer([texts[i] for i in ids], padding=True, truncation=True, max_length=128,
                                return_tensors="pt")
            h = mod.encoder(**enc).last_hidden_state
            out[ids] = mod.head(mean_pool(h, enc["attention_mask"])).float()
    return out


sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout: the msa_demo beside it


def main(manifest: str, head_dir: str) -> int:
    from safetensors.torch import load_file, save_file

    from msa_demo.config import LITE
    from msa_demo.modalities.text import E5WithHead
    from msa_demo.training.data import read_manifest, row_labels, split_rows
    from msa_demo.training.metrics import binary_metrics, compute_metrics

    head = Path(head_dir)
    metrics = json.loads((head / "metrics.json").read_text())
    rows = read_manifest(manifest)
    labels, y = row_labels(rows, "3", metrics["bins"])
    split = split_rows(rows, y, 0.15, 0.1, metrics["seed"])
    spec = replace(LITE.modalities["text"], options={**LITE.modalities["text"].options, "head": str(head)})
    mod = E5WithHead(spec, torch.device("cpu"), torch.float32)
    neutral = labels.index("neutral")

    val = [i for i in split.val if rows[i]["group"] == "en"]
    val_logits = logits_of(mod, [rows[i]["text"] for i in val])
    val_y = torch.tensor([y[i] for i in val])
    best, best_acc = 0.0, -1.0
    for k in range(-60, 21):  # offsets -3.0 .. +1.0 on the neutral logit
        off = k / 20
        shifted = val_logits.clone()
        shifted[:, neutral] += off
        acc = float((shifted.argmax(1) == val_y).float().mean())
        if acc > best_acc + 1e-9 or (abs(acc - best_acc) <= 1e-9 and abs(off) < abs(best)):
            best, best_acc = off, acc
    print(f"neutral offset {best:+.2f}: English validation 3-way accuracy {best_acc:.3f} (n={len(val)})")

    state = load_file(str(head / "model.safetensors"))
    last = sorted(k for k in state if k.startswith("head.") and k.endswith(".bias"))[-1]
    state[last] = state[last].clone()
    state[last][neutral] += best
    save_file(state, str(head / "model.safetensors"), metadata={"format": "pt"})
    mod.head.load_state_dict({k[len("head."):]: v for k, v in state.items() if k.startswith("head.")})

    by_group = {}
    for lang in sorted({rows[i]["group"] for i in split.test}):
        test = [i for i in split.test if rows[i]["group"] == lang]
        lg = logits_of(mod, [rows[i]["text"] for i in test])
        yt = [y[i] for i in test]
        probs = torch.softmax(lg, -1)
        by_group[lang] = {"metrics": compute_metrics(yt, probs.argmax(1).tolist(), labels),
                          "binary": binary_metrics(yt, probs, labels)}
        m = by_group[lang]
        print(f"{lang}: 3-way accuracy {m['metrics']['accuracy']:.3f}, binary {m['binary']['accuracy']:.3f}")
    metrics["before_calibration"] = {"test_by_group": metrics.get("test_by_group")}
    metrics["calibration"] = {"neutral_logit_offset": best, "picked_on": "English validation rows, 3-way accuracy",
                              "val_accuracy": best_acc, "n_val": len(val)}
    metrics["test_by_group"] = by_group
    (head / "metrics.json").write_text(json.dumps(metrics, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
