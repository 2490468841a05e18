"""Words: Layer Integrated Gradients on the token embeddings, sub-word scores summed into words.

Baseline: every non-special token replaced by PAD / MASK / UNK (special tokens kept). Steps adapt:
Gauss-Legendre with 8, 16, 32, ... steps until the completeness gap |delta| is under 5 % of |f(x) - f(b)|
or ``ig_max_steps`` is reached. The explained output is the FUSED probability of the target class.
"""

from __future__ import annotations

import time
import unicodedata

import torch

from msa_demo.errors import InputError
from msa_demo.explain.faithfulness import deletion, delta_fraction, sanity_check
from msa_demo.explain.forward import FusedForward, target_index
from msa_demo.explain.shapley import used_modalities
from msa_demo.explain.result import AttributionMap, Cost, ExplainOptions


def _is_cjk(ch: str) -> bool:
    cp = ord(ch)
    return (0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0x20000 <= cp <= 0x2A6DF or 0xF900 <= cp <= 0xFAFF
            or 0x3040 <= cp <= 0x30FF or 0xAC00 <= cp <= 0xD7AF)


def word_spans(text: str) -> list[tuple[int, int]]:
    """Whitespace-separated words as (start, end) character spans; each CJK character is its own word."""
    spans: list[tuple[int, int]] = []
    start = None
    for i, ch in enumerate(text):
        if ch.isspace() or unicodedata.category(ch) == "Zs":
            if start is not None:
                spans.append((start, i))
                start = None
        elif _is_cjk(ch):
            if start is not None:
                spans.append((start, i))
                start = None
            spans.append((i, i + 1))
        elif start is None:
            start = i
    if start is not None:
        spans.append((start, len(text)))
    return spans


def token_groups(offsets, special_mask, spans) -> tuple[list[int], list[int]]:
    """(word index per token, -1 for special/unmapped; indices of words that own at least one token)."""
    groups = []
    for (s, e), special in zip(offsets, special_mask):
        g = -1
        if not special and e > s:
            for w, (ws, we) in enumerate(spans):
                if ws <= s < we or (s < we and e > ws):
                    g = w
                    break
        groups.append(g)
    kept = sorted({g for g in groups if g >= 0})
    return groups, kept


def baseline_ids(mod, x: torch.Tensor, special_mask, kind: str) -> torch.Tensor:
    bid = mod.baseline_token_id(kind)
    keep = torch.tensor(special_mask, dtype=torch.bool, device=x.device).unsqueeze(0)
    return torch.where(keep, x, torch.full_like(x, bid))


def _group_scores(token_scores: torch.Tensor, groups: list[int], kept: list[int]) -> list[float]:
    """Token scores summed into their words (on the device; one read-back)."""
    n = len(kept)
    where = {g: k for k, g in enumerate(kept)}
    idx = torch.tensor([where.get(g, n) for g in groups], device=token_scores.device)
    sums = torch.zeros(n + 1, device=token_scores.device).index_add_(0, idx, token_scores.detach().float())
    return sums[:n].cpu().tolist()


def removal_evaluator(ff: FusedForward, x, baseline, groups, kept, t):
    """evaluate(removed [B, n_words]) -> fused target probability with those words' tokens -> baseline."""
    n = len(kept)
    tok_word = torch.tensor([kept.index(g) if g in kept else n for g in groups])

    def evaluate(removed: torch.Tensor) -> torch.Tensor:
        return ff.target_prob(ff.removed(removed, tok_word, baseline), t)

    return evaluate


def ablate_token_groups(ff: FusedForward, x, baseline, groups, kept, t: int) -> list[float]:
    """Captum FeatureAblation with one feature per word (all special tokens share one ignored group)."""
    n = len(kept)
    mask = torch.tensor([[kept.index(g) if g in kept else n for g in groups]], device=x.device)
    return ff.ablate(baseline, t, mask, n)


def _lig_scores(ff: FusedForward, baseline, t, options, groups, kept):
    attr, delta, diff, steps, tried = ff.integrated(baseline, t, options, layer=ff.mod.embedding_layer())
    return _group_scores(attr[0].sum(-1), groups, kept), delta, diff, steps, tried


def attribute_words(model, inputs, target: str, options: ExplainOptions | None = None, use=None,
                    modality: str = "text") -> AttributionMap:
    """Word scores toward the fused probability of ``target`` (LIG; word ablation if not differentiable)."""
    options = options or ExplainOptions()
    t = target_index(target)
    t0 = time.perf_counter()
    used = used_modalities(model, inputs, use)
    if modality not in used:
        raise InputError(f"There is no {modality} to explain.")
    ff = FusedForward(model, inputs, modality, used, batch_size=options.batch_size)
    mod, info = ff.mod, ff.prepared.info
    text = info.get("text", "")
    spans = word_spans(text)
    groups, kept = token_groups(info["offsets"], info["special_mask"], spans)
    x = ff.x
    baseline = baseline_ids(mod, x, info["special_mask"], options.text_baseline)
    params = {"baseline": options.text_baseline, "seed": options.seed, "target": target}
    delta_frac = None
    torch.manual_seed(options.seed)
    if mod.differentiable and hasattr(mod, "embedding_layer"):
        method = "layer_integrated_gradients"
        scores, delta, diff, steps, tried = _lig_scores(ff, baseline, t, options, groups, kept)
        delta_frac = delta_fraction(delta, diff)
        params.update(n_steps=steps, steps_tried=tried, ig_method="gausslegendre", delta_abs=delta,
                      output_difference=diff, internal_batch_size=ff.batch_size)
    else:
        method = "feature_ablation"
        scores = ablate_token_groups(ff, x, baseline, groups, kept, t)
        params.update(perturbations_per_eval=ff.batch_size)
    evaluate = removal_evaluator(ff, x, baseline, groups, kept, t)
    faith = deletion(scores, evaluate, options.deletion_steps, options.seed)
    passes = ff.forward_passes
    if options.sanity:
        if method == "layer_integrated_gradients":
            remake = lambda f: _lig_scores(f, baseline, t, options, groups, kept)[0]  # noqa: E731
        else:
            remake = lambda f: ablate_token_groups(f, x, baseline, groups, kept, t)  # noqa: E731
        faith.sanity_spearman, params["randomised_layers"], extra = sanity_check(ff, scores, remake, options.seed)
        passes += extra
    return AttributionMap(
        modality=modality, method=method, params=params,
        labels=[text[spans[w][0]:spans[w][1]] for w in kept],
        scores=scores, spans=[list(spans[w]) for w in kept], heatmap=None, delta=delta_frac,
        faithfulness=faith, cost=Cost(passes, time.perf_counter() - t0),
    )


__all__ = ["attribute_words", "word_spans", "token_groups", "ablate_token_groups", "baseline_ids", "removal_evaluator"]
