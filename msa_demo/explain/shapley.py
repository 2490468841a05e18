"""Across modalities: exact Shapley values over modality coalitions, pairwise Shapley interaction indices,
'prediction without X', and the conflict flag."""

from __future__ import annotations

import itertools
import math
from typing import Iterable

import torch

from msa_demo.config import SENTIMENTS
from msa_demo.explain.forward import target_index
from msa_demo.explain.result import ModalityContributions
from msa_demo.labels import probs_dict
from msa_demo.prediction import too_close

def _coalitions(names: list[str]) -> list[tuple[str, ...]]:
    return [c for r in range(len(names) + 1) for c in itertools.combinations(names, r)]


def coalition_values(model, encoded: dict, target: int) -> dict[frozenset, torch.Tensor]:
    """Fused probabilities [3] for every subset of the present modalities (2^M fusion evaluations)."""
    names = [m for m in model.modalities if m in encoded] + [m for m in encoded if m not in model.modalities]
    values: dict[frozenset, torch.Tensor] = {}
    with torch.no_grad():
        for c in _coalitions(names):
            probs = {m: encoded[m].probs.unsqueeze(0) for m in c}
            feats = {m: encoded[m].features.unsqueeze(0) for m in c}
            values[frozenset(c)] = model.fusion(probs, feats)[0].float().cpu()
    return values


def shapley(names: list[str], v: dict[frozenset, float]) -> dict[str, float]:
    """Exact Shapley values of the game v (a value for every subset of names)."""
    n = len(names)
    out = {}
    for i in names:
        rest = [m for m in names if m != i]
        total = 0.0
        for c in _coalitions(rest):
            s = frozenset(c)
            w = math.factorial(len(s)) * math.factorial(n - len(s) - 1) / math.factorial(n)
            total += w * (v[s | {i}] - v[s])
        out[i] = total
    return out


def interactions(names: list[str], v: dict[frozenset, float]) -> dict[str, float]:
    """Pairwise Shapley interaction indices (Grabisch & Roubens 1999), keyed "text×image"."""
    n = len(names)
    out = {}
    for i, j in itertools.combinations(names, 2):
        rest = [m for m in names if m not in (i, j)]
        total = 0.0
        for c in _coalitions(rest):
            s = frozenset(c)
            w = math.factorial(len(s)) * math.factorial(n - len(s) - 2) / math.factorial(n - 1)
            total += w * (v[s | {i, j}] - v[s | {i}] - v[s | {j}] + v[s])
        out[f"{i}×{j}"] = total
    return out


def conflict_of(encoded: dict) -> tuple[bool, str]:
    """Do the present modalities' own top labels disagree? The detail names who says what. A modality whose own
    top two are a near-tie (``NEAR_TIE``) takes no side: a clip at positive 51 % / negative 47 % had been "video says
    positive (51%)" against the voice, beside its box's "too close to call"."""
    tops = {}
    for m, e in encoded.items():
        if not too_close(e.probs.reshape(-1).tolist()):
            tops[m] = (SENTIMENTS[int(e.probs.argmax())], float(e.probs.max()))
    labels = {lbl for lbl, _ in tops.values()}
    if len(labels) <= 1:
        return False, ""
    says = ", ".join(f"{m} says {lbl} ({p:.0%})" for m, (lbl, p) in tops.items())
    polar = {"positive", "negative"} <= labels
    return True, ("Opposite signals: " if polar else "Mixed signals: ") + says


def attribute_modalities(model, inputs, target: str, use: Iterable[str] | None = None) -> ModalityContributions:
    """Exact Shapley values of each present modality toward the fused probability of ``target``."""
    t = target_index(target)
    used = list(used_modalities(model, inputs, use))
    encoded = {m: model.encode(m, getattr(inputs, m))[1] for m in used}
    values = coalition_values(model, encoded, t)
    v = {s: float(p[t]) for s, p in values.items()}
    full = frozenset(used)
    conflict, detail = conflict_of(encoded)
    return ModalityContributions(
        shapley=shapley(used, v),
        interactions=interactions(used, v),
        value_all=v[full],
        value_none=v[frozenset()],
        without={m: probs_dict(values[full - {m}]) for m in used},
        conflict=conflict,
        conflict_detail=detail,
    )


def used_modalities(model, inputs, use: Iterable[str] | None = None) -> list[str]:
    wanted = None if use is None else set(use)
    return [m for m in inputs.present() if m in model.modalities and (wanted is None or m in wanted)]


__all__ = ["attribute_modalities", "coalition_values", "shapley", "interactions", "conflict_of", "used_modalities"]
