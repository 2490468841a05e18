"""Fusion: combine the present modalities' outputs into one sentiment distribution.

A fusion is a callable ``fusion(probs, features) -> [B, 3]`` where ``probs`` and ``features`` map each
*present* modality to a [B, 3] / [B, D] tensor. Absent modalities are simply not keys: nothing is ever
zero-filled. With no modality present the answer is the uniform prior.
"""

from __future__ import annotations

import torch

from msa_demo.config import SENTIMENTS


def prior(batch: int = 1, device=None) -> torch.Tensor:
    return torch.full((batch, len(SENTIMENTS)), 1.0 / len(SENTIMENTS), device=device)


class WeightedLateFusion:
    """Weighted average of the present modalities' sentiment probabilities (weights from the preset)."""

    kind = "weighted"

    def __init__(self, weights: dict[str, float]) -> None:
        self.weights = dict(weights)

    def __call__(self, probs: dict[str, torch.Tensor], features: dict[str, torch.Tensor] | None = None) -> torch.Tensor:
        used = [m for m in probs if self.weights.get(m, 0.0) > 0]
        if not used:
            any_t = next(iter(probs.values()), None)
            batch = any_t.reshape(-1, len(SENTIMENTS)).shape[0] if any_t is not None else 1
            return prior(batch, any_t.device if any_t is not None else None)
        total = sum(self.weights[m] for m in used)
        out = sum(self.weights[m] * probs[m].reshape(-1, len(SENTIMENTS)).float() for m in used) / total
        return out

    def describe(self) -> dict:
        return {"kind": self.kind, "weights": self.weights}
