"""Map a model's own labels (read from its ``id2label``) onto negative / neutral / positive.

``SENTIMENTS`` (in ``msa_demo.config``) fixes the order of every sentiment vector; the helpers here are the one
place that order is applied: label maps, trained heads' label lists, and plain ``{sentiment: p}`` dicts.
"""

from __future__ import annotations

from typing import Sequence

import torch

from msa_demo.config import SENTIMENTS
from msa_demo.errors import ModelLoadError


def _norm(label: str) -> str:
    return str(label).strip().lower()


def sentiment_matrix(id2label: dict[int, str], label_map: dict[str, str]) -> torch.Tensor:
    """A [num_labels, 3] 0/1 matrix: row i has a 1 in the sentiment that model label i maps onto.

    ``id2label`` is the model's own order; ``label_map`` is matched case-insensitively. A label mapped to
    "ignore" gets an all-zero row (its probability is dropped and the rest renormalised).
    """
    wanted = {_norm(k): v for k, v in label_map.items()}
    n = len(id2label)
    mat = torch.zeros(n, len(SENTIMENTS))
    missing = []
    for i in range(n):
        label = id2label.get(i, id2label.get(str(i)))  # configs may key by str
        target = wanted.get(_norm(label))
        if target is None:
            missing.append(label)
        elif target != "ignore":
            mat[i, SENTIMENTS.index(target)] = 1.0
    if missing:
        raise ModelLoadError(
            f"The model has labels the preset does not map onto sentiment: {', '.join(map(str, missing))}. "
            "Add them to the preset's label_map."
        )
    if mat.sum() == 0:
        raise ModelLoadError("The preset's label_map ignores every label of the model.")
    return mat


def to_sentiment(probs: torch.Tensor, matrix: torch.Tensor) -> torch.Tensor:
    """Model-label probabilities [..., L] -> sentiment probabilities [..., 3] (renormalised)."""
    out = probs @ matrix.to(device=probs.device, dtype=probs.dtype)
    return out / out.sum(-1, keepdim=True).clamp_min(1e-12)


def labels_to_sentiment(probs: torch.Tensor, labels: Sequence[str]) -> torch.Tensor:
    """[B, len(labels)] probabilities over sentiment names (any order or subset) -> [B, 3] in SENTIMENTS order.

    A 2-way head (negative / positive) gives neutral 0. No renormalisation: the rows keep their sums.
    """
    out = torch.zeros(probs.shape[0], len(SENTIMENTS), dtype=probs.dtype, device=probs.device)
    for j, lab in enumerate(labels):
        out[:, SENTIMENTS.index(lab)] += probs[:, j]
    return out


def probs_dict(t: torch.Tensor) -> dict[str, float]:
    """A sentiment vector ([3] or [1, 3], SENTIMENTS order) as ``{"negative": p, "neutral": p, "positive": p}``."""
    flat = t.reshape(-1)
    return {s: float(flat[i]) for i, s in enumerate(SENTIMENTS)}
