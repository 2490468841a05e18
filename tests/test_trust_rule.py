"""What earns the trust table's ✓, on records and on planted models whose answer is known by construction
(tests/planted_models.py):

- the deletion test: a map whose parts, half of them removed top-ranked first or at random, barely move P(target)
  has nothing to rank (—); a gap within what the random orders differ by among themselves is not a ✓; a curve of
  3 points is too coarse to judge (?);
- the single-word check: where no word removed alone moves P(target) clearly, it confirms nothing (—, not ✓);
- an IG map whose baseline already reads the target most of the way explains a sliver, and says so.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from msa_demo.explain.faithfulness import deletion

def test_deletion_keeps_how_much_its_random_orders_differ():
    """Feature 0 alone decides: each random order's AOPC depends on when it removes it, and the spread is the
    standard deviation of those AOPCs, computed here by hand from the same seeded orders."""
    n, steps = 8, 8

    def evaluate(removed: torch.Tensor) -> torch.Tensor:
        return 0.9 - 0.6 * removed[:, 0].float()

    f = deletion([1.0] + [0.0] * (n - 1), evaluate, steps=steps, seed=0, random_orders=4)
    rng = np.random.default_rng(0)
    each = []
    for _ in range(4):
        order = rng.permutation(n)
        when = int(np.where(order == 0)[0][0]) + 1  # the point at which feature 0 is gone
        curve = [0.9 if k < when else 0.3 for k in range(n + 1)]
        each.append(np.mean([curve[0] - v for v in curve]))
    assert f.aopc_random == pytest.approx(np.mean(each))
    assert f.aopc_random_spread == pytest.approx(np.std(each, ddof=1)) and f.aopc_random_spread > 0.05
