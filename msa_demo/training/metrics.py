"""Metrics of a trained head: accuracy, macro precision / recall / F1, confusion matrix, binary and per group."""

from __future__ import annotations

from typing import Any, Sequence

import torch

from msa_demo.labels import compute_metrics  # noqa: F401 - still importable from here


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


def format_metrics(name: str, m: dict[str, Any], lang: str = "en") -> str:
    """The metrics as printed by ``train``: one summary line, then the confusion matrix (words in ``lang``)."""
    from msa_demo.i18n import label, t

    lines = [t("{name}: n={n}  accuracy {accuracy}  macro P {p}  R {r}  F1 {f1}", lang, name=name, n=m["n"],
               accuracy=f"{m['accuracy']:.3f}", p=f"{m['macro_precision']:.3f}", r=f"{m['macro_recall']:.3f}",
               f1=f"{m['macro_f1']:.3f}")]
    labs = [label(lab, lang) for lab in m["labels"]]
    short = (lambda lab: lab[:3]) if lang != "zh" else (lambda lab: lab)
    lines.append(t("  confusion (rows = truth, cols = predicted): ", lang)
                 + " ".join(f"{short(lab):>6}" for lab in labs))
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
