"""The fused forward that explainers call: the fused sentiment as a function of ONE modality's model input,
the other modalities' encoders run once and reused, batched in chunks that halve on a GPU out-of-memory error."""

from __future__ import annotations

import time
from typing import Any, Callable, Iterable

import torch

from msa_demo.config import SENTIMENTS
from msa_demo.errors import InputError
from msa_demo.explain.faithfulness import adaptive_ig
from msa_demo.explain.result import Cost
from msa_demo.fusion import WeightedLateFusion
from msa_demo.labels import to_sentiment


def target_index(target: str) -> int:
    """The index of a sentiment class name (one clear message for anything else)."""
    if target not in SENTIMENTS:
        raise InputError(f"The target class must be one of {', '.join(SENTIMENTS)}.")
    return SENTIMENTS.index(target)


class FusedForward:
    """The fused sentiment [B, 3] as a function of ONE modality's model input (``attr_key``).

    The other used modalities' encoders ran once (``model.encode`` caches them); their probabilities and
    features are reused for every row. Only the explained modality's model is re-run. Every row evaluated
    is counted in ``forward_passes`` (one model evaluation per input row, whatever the batching).
    """

    def __init__(self, model, inputs, modality: str, used: Iterable[str], module=None, batch_size: int = 0) -> None:
        self.model = model
        self.batch_size = batch_size if batch_size > 0 else auto_batch_size(model.device)
        self.modality = modality
        self.mod = module if module is not None else model.modalities[modality]
        self.prepared, self.encoded = model.encode(modality, getattr(inputs, modality))
        self.others = {m: model.encode(m, getattr(inputs, m))[1] for m in used if m != modality}
        self.needs_features = not isinstance(model.fusion, WeightedLateFusion)
        self.forward_passes = 0
        self.calls = 0
        self.seconds = 0.0
        self.attr_key = self.mod.attr_key
        self.x = self.prepared.inputs[self.attr_key]

    def with_module(self, module) -> "FusedForward":
        """The same fused function with another copy of the modality's model (sanity check)."""
        other = object.__new__(FusedForward)
        other.__dict__.update(self.__dict__)
        other.mod = module
        other.forward_passes, other.calls, other.seconds = 0, 0, 0.0
        return other

    def rows(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        b = x.shape[0]
        out = {}
        for k, v in self.prepared.inputs.items():
            if k == self.attr_key:
                out[k] = x
            elif isinstance(v, torch.Tensor) and v.dim() >= 1 and v.shape[0] == 1:
                out[k] = v.expand(b, *v.shape[1:])
            else:
                out[k] = v
        return out

    def __call__(self, x: torch.Tensor, *extra: Any) -> torch.Tensor:
        t0 = time.perf_counter()
        b = x.shape[0]
        logits, feats = self.mod._run(self.rows(x), want_features=self.needs_features)
        probs = to_sentiment(torch.softmax(logits.float(), dim=-1), self.mod.matrix)
        p = {m: e.probs.to(probs.device).unsqueeze(0).expand(b, -1) for m, e in self.others.items()}
        f = {m: e.features.to(probs.device).unsqueeze(0).expand(b, -1) for m, e in self.others.items()}
        p[self.modality] = probs
        if feats is not None:
            f[self.modality] = feats.float()
        order = [m for m in self.model.modalities if m in p]  # the fusion sees modalities in preset order
        out = self.model.fusion({m: p[m] for m in order}, {m: f[m] for m in order if m in f})
        self.forward_passes += b
        self.calls += 1
        self.seconds += time.perf_counter() - t0
        return out.float()

    def fit(self, run: Callable[[int], Any]) -> Any:
        """``run(batch_size)``, halving ``self.batch_size`` after a GPU out-of-memory error until it fits.

        The size that fits is kept, so the next call of this explanation starts there (long inputs on a small
        GPU degrade to smaller batches instead of failing)."""
        while True:
            try:
                return run(self.batch_size)
            except torch.OutOfMemoryError:
                if self.batch_size <= 1:
                    raise
                self.batch_size //= 2
                if torch.cuda.is_available():
                    torch.cuda.empty_cache()

    def target_prob(self, x: torch.Tensor, target: int) -> torch.Tensor:
        """f(x)[:, target] for a batch, no gradients, in chunks of ``self.batch_size`` rows."""
        def run(batch_size: int) -> torch.Tensor:
            outs = []
            with torch.no_grad():
                for i in range(0, x.shape[0], batch_size):
                    outs.append(self(x[i:i + batch_size])[:, target].detach().float().cpu())
            return torch.cat(outs) if outs else torch.zeros(0)

        return self.fit(run)

    def integrated(self, baseline: torch.Tensor, target: int, options, layer=None):
        """Integrated Gradients of f from ``baseline`` to ``self.x`` (LayerIntegratedGradients on ``layer`` when
        one is given), Gauss-Legendre steps raised until the completeness gap is small (``adaptive_ig``).

        Returns (attributions, delta, f(x) - f(baseline), steps, steps tried)."""
        from captum.attr import IntegratedGradients, LayerIntegratedGradients

        attributor = IntegratedGradients(self) if layer is None else LayerIntegratedGradients(self, layer)
        fx, fb = self.target_prob(torch.cat([self.x, baseline]), target).tolist()

        def run(n_steps: int):
            attr, delta = self.fit(lambda bs: attributor.attribute(
                self.x, baselines=baseline, target=target, n_steps=n_steps, method="gausslegendre",
                internal_batch_size=bs, return_convergence_delta=True))
            return attr, float(delta.reshape(-1)[0])

        attr, delta, steps, tried = adaptive_ig(run, fx - fb, options.ig_min_steps, options.ig_max_steps,
                                                options.ig_tolerance)
        return attr, delta, fx - fb, steps, tried

    def ablate(self, baseline: torch.Tensor, target: int, mask: torch.Tensor, n: int) -> list[float]:
        """Captum FeatureAblation: feature k = the elements of ``self.x`` where ``mask`` (broadcastable to x) is k,
        replaced together by the baseline. The score of each feature 0..n-1 (ids >= n are never scored; a feature
        with no elements scores 0)."""
        from captum.attr import FeatureAblation

        fa = FeatureAblation(self)
        with torch.no_grad():
            attr = self.fit(lambda bs: fa.attribute(self.x, baselines=baseline, target=target, feature_mask=mask,
                                                    perturbations_per_eval=bs))
        # every element of a feature carries the feature's score: read it at the feature's first element
        flat = mask.expand_as(self.x)[0].reshape(-1).long().cpu()
        scores = torch.cat([attr[0].float().cpu().reshape(-1), torch.zeros(1)])
        first = torch.full((max(n, int(flat.max()) + 1),), flat.numel(), dtype=torch.long)
        first.scatter_reduce_(0, flat, torch.arange(flat.numel()), reduce="amin")
        return [float(v) for v in scores[first[:n]]]

    def cost(self) -> Cost:
        return Cost(forward_passes=int(self.forward_passes), seconds=float(self.seconds))


def auto_batch_size(device: torch.device) -> int:
    """Rows per model call when the options leave it to us: wide on a GPU, narrow on a CPU (no gain there)."""
    return 64 if device.type == "cuda" else 16


__all__ = ["FusedForward", "auto_batch_size", "target_index"]
