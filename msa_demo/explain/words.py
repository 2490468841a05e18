"""Words: Layer Integrated Gradients on the token embeddings, sub-word scores summed into words (or any method
of ``explain.methods.METHODS`` with one feature per word: the text's ``methods``, ``text_methods``).

Baseline: every non-special token replaced by PAD / MASK / UNK (special tokens kept). Steps adapt:
Gauss-Legendre with 8, 16, 32, ... steps until the completeness gap |delta| is under 5 % of |f(x) - f(b)|
or ``ig_max_steps`` is reached (starting at the steps the same model last needed on a text of that length).
The explained output is the FUSED probability of the target class.

Where Integrated Gradients' colours are known to be unreliable, the words map is word ablation instead (Captum
FeatureAblation with the same baseline: each word's score is exactly what replacing it alone does, one batched
row per word), and the map says why (``params["in_place_of"]``, ``params["why"]``):

- ``windows``: a text read in windows (lite's long texts). IG walks every token from PAD to the text at once, and
  a long text's output jumps within a short stretch of that path (all windows change their mind together), so
  each word's share was set by that collective jump, not by the word: on a 286-word review, converged IG (delta
  1.8 %) drew "excellent" away from 'positive' while removing it alone dropped P(positive) 8.6 points (pad) or 17
  (deleted, flipping the verdict);
- ``gap``: IG's completeness gap stayed above ``ABLATE_ABOVE`` (a time budget cut its steps): its colours could be
  the wrong way round ("died" in a sarcastic post drawn toward 'positive' although removing it raised it).

Under a time budget a text read in windows is mapped by PHRASE ablation (``why`` "phrases"): one row per word of a
286-word review took 62-81 s on the 2-core CPU, and the IG it had kept instead, cut to a few steps, missed
completeness by 278-443 % on every long post (its colours pointed either way). The words are grouped into phrases
(``wordplan.phrase_spans``: cut at sentence and clause punctuation, Chinese and Latin, and at line breaks;
adjacent short phrases merged, a long one halved, to as many as the budget affords: ``budget.phrases_afforded``, at most
``budget.PHRASES``), and each phrase is replaced by the same baseline alone (FeatureAblation, one feature per
phrase): its score is exactly what removing that phrase alone does.

A words map that is not word ablation has its strongest words removed alone beside their colours
(:func:`methods.check_removals`): a converged IG map can still draw the deciding word the wrong way ("I don't hate
it.": 'hate' away from positive, where removing it alone flips the text to negative), and the trust table says so.
"""

from __future__ import annotations

import time

import torch

from msa_demo.errors import InputError
from msa_demo.explain.forward import FusedForward, target_index
from msa_demo.explain.methods import METHODS, Layout, attribute, check_removals, resolve
from msa_demo.explain.shapley import used_modalities
from msa_demo.explain.wordplan import (ABLATE_ABOVE, ABLATION, PHRASE_END,  # noqa: F401 (said here, as before)
                                       falls_back, gapped_steps, ig_unreliable, phrase_spans)
from msa_demo.explain.options import ExplainOptions
from msa_demo.explain.result import AttributionMap
from msa_demo.language import word_spans


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


def token_features(groups: list[int], kept: list[int]) -> torch.Tensor:
    """[T] long: the feature (index into ``kept``) of every token; ``len(kept)`` for special/unmapped tokens."""
    where = {g: k for k, g in enumerate(kept)}
    return torch.tensor([where.get(g, len(kept)) for g in groups], dtype=torch.long)


def token_layout(ff: FusedForward, spans, kind: str, labels: list[str], feature_spans: list, params: dict,
                 modality: str, names: dict, layer: bool):
    """The layout of words over tokens: ``spans`` (character spans) group the tokens; ``labels`` /
    ``feature_spans`` are given per kept word (callables of the kept indices)."""
    info = ff.prepared.info
    groups, kept = token_groups(info["offsets"], info["special_mask"], spans)
    return Layout(modality=modality, forward=ff, baseline=baseline_ids(ff.mod, ff.x, info["special_mask"], kind),
                  feature_of=token_features(groups, kept), labels=labels(kept), spans=feature_spans(kept),
                  params=params, layer=(lambda mod: mod.embedding_layer()) if layer else None, names=names)


WORD_METHODS = {"integrated_gradients": "layer_integrated_gradients", "occlusion": "feature_ablation"}


def attribute_words(model, inputs, target: str, options: ExplainOptions | None = None, use=None,
                    modality: str = "text", method: str | None = None) -> AttributionMap:
    """Word scores toward the fused probability of ``target``: ``method`` (default the text's first method;
    integrated_gradients = Layer IG on the token embeddings, word ablation if the model has no gradients)."""
    options = options or ExplainOptions()
    target_index(target)
    t0 = time.perf_counter()
    used = used_modalities(model, inputs, use)
    if modality not in used:
        raise InputError(f"There is no {modality} to explain.")
    ff = FusedForward(model, inputs, modality, used, batch_size=options.batch_size)
    text = ff.prepared.info.get("text", "")
    spans = [tuple(s) for s in ff.prepared.info.get("word_spans") or word_spans(text, group=False)]  # the modality's words
    gradients = bool(ff.mod.differentiable and hasattr(ff.mod, "embedding_layer"))
    own = options.of("text")
    method = resolve(method or own.methods[0], modality, gradients)

    def made(name: str, units=spans, **params) -> AttributionMap:
        layout = token_layout(ff, units, own.baseline,
                              lambda kept: [text[units[w][0]:units[w][1]] for w in kept],
                              lambda kept: [list(units[w]) for w in kept],
                              {"baseline": own.baseline, "seed": options.seed, "target": target, **params},
                              modality, WORD_METHODS, layer=METHODS[name].kind == "gradient")
        return attribute(layout, name, target, options, t0)

    windows = int(ff.prepared.info.get("windows", 1) or 1)
    budget = float(options.budget or 0)
    why = ig_unreliable(method, windows, budget=budget)
    if not why:
        amap = made(method, **({"windows": windows} if windows > 1 and METHODS[method].adaptive else {}))
        why = ig_unreliable(method, windows, amap, budget)
        steps, gapped = amap.params.get("n_steps"), gapped_steps(ff.mod)
        if why == "gap" and steps:  # remembered for the next plan of a text this long (the ablation comes on top)
            gapped[tuple(ff.x.shape)] = max(int(steps), gapped.get(tuple(ff.x.shape), 0))
        elif steps and gapped.get(tuple(ff.x.shape), 0) <= steps:  # IG held at these steps: planned as IG again
            gapped.pop(tuple(ff.x.shape), None)
        if not why:  # its strongest words removed alone beside their colours (the trust table's check)
            return check_removals(amap, method, target)
        gap = {"ig_delta": amap.delta, "ig_steps": amap.params.get("n_steps")}
    elif why == "phrases":  # as many phrases as the budget affords, each removed alone
        from msa_demo.explain.budget import phrases_afforded

        phrases = phrase_spans(text, spans, phrases_afforded(ff, options, len(spans)))
        return made(ABLATION, phrases, in_place_of=WORD_METHODS.get(method, method), why=why, windows=windows,
                    phrases=len(phrases))
    else:
        gap = {}
    return made(ABLATION, in_place_of=WORD_METHODS.get(method, method), why=why, **gap)


__all__ = ["attribute_words", "falls_back", "phrase_spans", "token_groups", "token_features", "token_layout",
           "baseline_ids"]
