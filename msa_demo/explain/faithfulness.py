"""Faithfulness of a map: deletion curves + AOPC vs a seeded random order, the single-removal check (each strong
word's colour against what removing it alone does), the model-randomisation sanity check (Adebayo et al. 2018),
and the adaptive-step Integrated Gradients loop shared by the IG explainers."""

from __future__ import annotations

import copy
import math
import re
from typing import Callable

import numpy as np
import torch
from torch import nn

from msa_demo.explain.result import Faithfulness


def deletion_masks(order: np.ndarray, n: int, steps: int) -> tuple[torch.Tensor, list[int]]:
    """Row i removes the first k_i features of ``order`` (k_0 = 0, ..., k_last = n)."""
    ks = sorted({int(round(i * n / steps)) for i in range(steps + 1)})
    masks = torch.zeros(len(ks), n, dtype=torch.bool)
    for r, k in enumerate(ks):
        masks[r, order[:k]] = True
    return masks, ks


def deletion(scores: list[float], evaluate: Callable[[torch.Tensor], torch.Tensor], steps: int = 10,
             seed: int = 0, random_orders: int = 4) -> Faithfulness:
    """Remove features in attribution order (highest first) and in a seeded random order; AOPC of both.

    ``evaluate(removed [B, n] bool) -> target probability [B]``. AOPC = mean over the curve of f(x) - f(x_k)
    (Samek et al. 2017): higher = the map found what the decision rests on. The random curve is the mean
    over ``random_orders`` seeded permutations, and ``aopc_random_spread`` how much their AOPCs vary among
    themselves (their standard deviation): a gap within it is what one random order can beat another by. Rows that
    remove the same features (every curve's first and last: nothing and everything removed) are evaluated once.
    """
    s = np.asarray(scores, dtype=np.float64)
    n = len(s)
    if n == 0:
        return Faithfulness(0.0, 0.0, [], [])
    order = np.argsort(-s, kind="stable")
    rng = np.random.default_rng(seed)
    m1, _ = deletion_masks(order, n, steps)
    m2 = torch.cat([deletion_masks(rng.permutation(n), n, steps)[0] for _ in range(max(1, random_orders))])
    unique, row_of = torch.unique(torch.cat([m1, m2]), dim=0, return_inverse=True)
    vals = evaluate(unique).detach().float().cpu().numpy()[row_of.numpy()]
    curve = vals[: len(m1)]
    rcurves = vals[len(m1):].reshape(-1, len(m1))
    rcurve = rcurves.mean(0)
    aopc = float(np.mean(curve[0] - curve))
    aopc_r = float(np.mean(rcurve[0] - rcurve))
    each = (rcurves[:, :1] - rcurves).mean(1)  # each random order's own AOPC
    spread = float(np.std(each, ddof=1)) if len(each) > 1 else None
    return Faithfulness(aopc=aopc, aopc_random=aopc_r, deletion_curve=[float(v) for v in curve],
                        random_curve=[float(v) for v in rcurve], aopc_random_spread=spread)


# ------------------------------------------------------------------ single removals (leave-one-out)

# The AOPC gap compares whole orders with random ones: a map whose deciding word points the wrong way passed it
# ("I don't hate it.": 'hate' -0.07, away from positive, where removing it alone flips the text to negative 82 %).
# A map's strongest parts are each removed alone (replaced by the map's own baseline, one batched row each), and
# the check fails where one of them moves P(target) by a clear margin the other way than the map colours it.
SINGLES_ALL = 32  # a map of at most this many parts: every part removed alone (the strongest by effect are known)
SINGLES_FEW = 8  # a longer one: only its strongest parts by |score| (a long text's row re-reads its windows)
CHECKED = 4  # the parts checked: the strongest this many by |score|, and by what removing each alone does
MOVES = 0.05  # a clear margin: removing the part alone moves P(target) by 5 points or more ...
MOVES_NEAR_CERTAIN = (0.02, 1.0)  # ... or, near certainty, by 2 points that are 1 in log-odds (0.950 -> 0.985)
FAINT = 0.1  # a score under this share of the map's strongest is next to no weight (coloured faintly or not)
FAINT_MOVES = 0.10  # a part of next to no weight fails the check where removing it moves P(target) 10 points


def single_removals(layout, t: int, units: list[int] | None = None,
                    deadline: float | None = None) -> tuple[list[float | None] | None, int]:
    """Each unit's leave-one-out score toward class ``t`` on the layout's own fused function (replaced by its
    baseline: f(x) - f(x without it)), one batched row per unit of ``units`` (default: every unit; the others None;
    a long text re-reads only the windows holding the word), and the rows spent; (None, 0) past the deadline."""
    import time

    if deadline is not None and time.perf_counter() >= deadline:
        return None, 0
    f, n = layout.forward, layout.n
    units = list(range(n)) if units is None else list(units)
    removed = torch.zeros(len(units), n, dtype=torch.bool)
    removed[torch.arange(len(units)), torch.tensor(units, dtype=torch.long)] = True
    probs = f.target_prob(torch.cat([f.x, f.removed(removed, layout.feature_of, layout.baseline)]), t).tolist()
    out: list[float | None] = [None] * n
    for r, u in enumerate(units):
        out[u] = probs[0] - probs[r + 1]
    return out, len(units) + 1


def strongest(values: list[float | None], k: int) -> list[int]:
    """The indices of the ``k`` largest |values| (None: unknown, left out), largest first."""
    known = [i for i, v in enumerate(values) if v is not None]
    return sorted(known, key=lambda i: (-abs(float(values[i])), i))[:k]


def removals_checked(scores: list[float], labels: list[str], loo: list[float | None], p: float) -> dict:
    """The single-removal record of a map (``Faithfulness.removals``): ``p`` = P(target) of the input, ``checked``
    = how many parts were removed alone, and ``parts``: the strongest ``CHECKED`` by |score| and by |removal|, each
    with its ``unit``, ``index``, map ``score`` and ``removal`` (f(x) - f(x without it): > 0, it pushes toward the
    target; the map's sign means the same)."""
    picked = list(dict.fromkeys(strongest(list(scores), CHECKED) + strongest(loo, CHECKED)))
    return {"p": float(p), "checked": sum(v is not None for v in loo),
            "parts": [{"unit": str(labels[i]), "index": i, "score": float(scores[i]), "removal": float(loo[i])}
                      for i in picked if loo[i] is not None]}


def clear_move(p: float, removal: float) -> bool:
    """Does removing a part (P(target) ``p`` -> ``p - removal``) move P(target) by a clear margin (``MOVES``, or
    near certainty ``MOVES_NEAR_CERTAIN``)?"""
    if abs(removal) >= MOVES:
        return True
    least, odds = MOVES_NEAR_CERTAIN
    if abs(removal) < least:
        return False

    def logit(q: float) -> float:
        q = min(max(q, 1e-6), 1 - 1e-6)
        return math.log(q / (1 - q))

    return abs(logit(p) - logit(p - removal)) >= odds


def disagreements(record: dict | None, scores: list[float]) -> list[dict]:
    """The parts of a single-removal record (:func:`removals_checked`) whose colour disagrees with what removing
    them alone does, the largest move first: each part's dict with ``how``: "away" (removing it lowers P(target)
    by a clear margin, the map colours it away from the target), "toward" (removing it raises P(target) by a clear
    margin, the map colours it toward) or "faint" (the map gives it next to no weight, ``FAINT`` of its strongest,
    while removing it moves P(target) ``FAINT_MOVES`` or more)."""
    if not record or not scores:
        return []
    top = max(abs(float(s)) for s in scores)
    p = float(record.get("p") or 0.0)
    out = []
    for part in record.get("parts") or []:
        score, moved = float(part["score"]), float(part["removal"])
        if top <= 0 or abs(score) < FAINT * top:
            how = "faint" if abs(moved) >= FAINT_MOVES else ""
        elif clear_move(p, moved) and (score > 0) != (moved > 0):
            how = "away" if moved > 0 else "toward"
        else:
            how = ""
        if how:
            out.append({**part, "how": how})
    return sorted(out, key=lambda d: -abs(d["removal"]))


def spearman(a: list[float], b: list[float]) -> float:
    """Spearman rank correlation (average ranks for ties); 0.0 when either side is constant."""
    from scipy.stats import rankdata

    x, y = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if len(x) < 2 or np.ptp(x) == 0 or np.ptp(y) == 0:
        return 0.0
    rx, ry = rankdata(x), rankdata(y)
    return float(np.corrcoef(rx, ry)[0, 1])


# ------------------------------------------------------------------ model randomisation (sanity check)


def _modules_of(modality) -> list[tuple[str, nn.Module]]:
    return [(k, v) for k, v in vars(modality).items() if isinstance(v, nn.Module)]


_BLOCK = re.compile(r"^(.*\.(?:layer|layers|block|blocks|h)\.\d+\.)")  # a transformer block: encoder.layer.5.


def top_parameters(modality) -> list[str]:
    """The names ("attr.param") of the top layers, in registration (= forward) order: the last transformer block
    (e.g. ``encoder.layer.5``) and every parameter registered after it (pooler, projection, classifier head).
    A model without transformer blocks (a CNN, a small head) gets its last third of parameter tensors."""
    names = [f"{k}.{n}" for k, mod in _modules_of(modality) for n, _ in mod.named_parameters()]
    last = None
    for name in names:
        m = _BLOCK.match(name)
        if m:
            last = m.group(1)
    if last is None:
        return names[len(names) - max(1, math.ceil(len(names) / 3)):] if names else []
    first = next(i for i, n in enumerate(names) if n.startswith(last))
    return names[first:]


def randomised_copy(modality, seed: int = 0):
    """A deep copy of the modality with its top layers re-initialised from a seeded generator.

    Each re-initialised tensor keeps its scale (normal with the tensor's own std, at least 0.02), so the copy
    still produces ordinary outputs, just not learned ones.
    """
    clone = copy.deepcopy(modality)
    wanted = set(top_parameters(clone))
    gen = torch.Generator().manual_seed(int(seed) + 1)
    with torch.no_grad():
        for k, mod in _modules_of(clone):
            for n, p in mod.named_parameters():
                if f"{k}.{n}" in wanted:
                    std = float(p.float().std()) if p.numel() > 1 else 0.0
                    noise = torch.randn(p.shape, generator=gen) * max(std, 0.02)
                    p.copy_(noise.to(p.device, p.dtype))
    return clone, sorted(wanted)


def sanity_check(ff, scores: list[float], attribute: Callable, seed: int = 0) -> tuple[float, int, int]:
    """Re-make the map with ``attribute(ff_randomised)`` on a copy of the modality whose top layers are
    randomised. Returns (Spearman with ``scores``, how many parameter tensors were randomised, forward passes)."""
    clone, names = randomised_copy(ff.mod, seed)
    randomised = ff.with_module(clone)
    rho = spearman(scores, attribute(randomised))
    return rho, len(names), randomised.forward_passes


# ------------------------------------------------------------------ adaptive Integrated Gradients

RESOLUTION = 1e-6  # float32 resolution of a probability: output changes below it are rounding noise


def delta_fraction(delta: float, diff: float) -> float | None:
    """The IG completeness gap |delta| as a share of |f(x) - f(b)|; None when f(x) and f(b) differ by less
    than ``RESOLUTION`` (the share would measure rounding noise, not the attribution)."""
    return abs(delta) / abs(diff) if abs(diff) >= RESOLUTION else None



def adaptive_ig(run: Callable[[int], tuple[torch.Tensor, float]], diff: float, min_steps: int = 8,
                max_steps: int = 64, tolerance: float = 0.05) -> tuple[torch.Tensor, float, int, list[int]]:
    """Double the Gauss-Legendre steps until |delta| < tolerance * |f(x) - f(b)| or ``max_steps``.

    ``run(n_steps) -> (attributions, convergence delta)``. Returns (attributions, delta, steps, tried).
    """
    n = max(2, min(min_steps, max_steps))
    tried = []
    while True:
        attr, delta = run(n)
        tried.append(n)
        if abs(delta) < tolerance * abs(diff) or abs(diff) < RESOLUTION or n >= max_steps:
            return attr, delta, n, tried
        n = min(n * 2, max_steps)


__all__ = ["deletion", "disagreements", "removals_checked", "single_removals", "spearman", "randomised_copy", "top_parameters", "sanity_check", "adaptive_ig",
           "delta_fraction"]
