"""Metrics of a trained head: accuracy, macro precision / recall / F1, confusion matrix, binary and per group."""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import torch

def compute_metrics(y_true: Sequence[int], y_pred: Sequence[int], labels: Sequence[str]) -> dict[str, Any]:
    """Accuracy, macro precision / recall / F1 (0 where undefined) and the confusion matrix (rows = truth)."""
    c = len(labels)
    cm = np.zeros((c, c), dtype=np.int64)
    for t, p in zip(y_true, y_pred):
        cm[int(t), int(p)] += 1
    n = int(cm.sum())
    tp = np.diag(cm).astype(float)
    pred_n, true_n = cm.sum(0).astype(float), cm.sum(1).astype(float)
    prec = np.divide(tp, pred_n, out=np.zeros(c), where=pred_n > 0)
    rec = np.divide(tp, true_n, out=np.zeros(c), where=true_n > 0)
    f1 = np.divide(2 * prec * rec, prec + rec, out=np.zeros(c), where=(prec + rec) > 0)
    return {
        "n": n,
        "accuracy": float(tp.sum() / n) if n else 0.0,
        "macro_precision": float(prec.mean()),
        "macro_recall": float(rec.mean()),
        "macro_f1": float(f1.mean()),
        "per_class": {lab: {"precision": float(prec[i]), "recall": float(rec[i]), "f1": float(f1[i]),
                            "support": int(true_n[i])} for i, lab in enumerate(labels)},
        "labels": list(labels),
        "confusion_matrix": cm.tolist(),
    }


def binary_metrics(y_true: Sequence[int], probs: torch.Tensor, labels: Sequence[str]) -> dict[str, Any] | None:
    """Negative vs positive on the items whose truth is not neutral (argmax over those two classes)."""
    if "negative" not in labels or "positive" not in labels:
        return None
    neg, pos = labels.index("negative"), labels.index("positive")
    keep = [i for i, t in enumerate(y_true) if t in (neg, pos)]
    if not keep:
        return None
    t = [0 if y_true[i] == neg else 1 for i in keep]
    p = [0 if probs[i, neg] >= probs[i, pos] else 1 for i in keep]
    return compute_metrics(t, p, ["negative", "positive"])


def format_metrics(name: str, m: dict[str, Any]) -> str:
    """The metrics as printed by ``train``: one summary line, then the confusion matrix."""
    lines = [f"{name}: n={m['n']}  accuracy {m['accuracy']:.3f}  macro P {m['macro_precision']:.3f}  "
             f"R {m['macro_recall']:.3f}  F1 {m['macro_f1']:.3f}"]
    labs = m["labels"]
    lines.append("  confusion (rows = truth, cols = predicted): " + " ".join(f"{lab[:3]:>6}" for lab in labs))
    for lab, row in zip(labs, m["confusion_matrix"]):
        lines.append(f"  {lab:>10} " + " ".join(f"{v:>6}" for v in row))
    return "\n".join(lines)



def group_metrics(groups: Sequence[Any], y_true: Sequence[int], y_pred: Sequence[int], probs: torch.Tensor,
                  labels: Sequence[str]) -> dict[str, dict[str, Any]]:
    """{group: {"metrics": ..., "binary": ...}} for every non-empty group name (rows without one are skipped)."""
    out: dict[str, dict[str, Any]] = {}
    for g in sorted({str(g) for g in groups if g}):
        ii = [j for j, v in enumerate(groups) if v and str(v) == g]
        yt = [y_true[j] for j in ii]
        out[g] = {"metrics": compute_metrics(yt, [y_pred[j] for j in ii], labels),
                  "binary": binary_metrics(yt, probs[ii], labels)}
    return out


__all__ = ["binary_metrics", "compute_metrics", "format_metrics", "group_metrics"]
