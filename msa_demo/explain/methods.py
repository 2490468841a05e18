"""Attribution methods: one table, one runner.

A modality explainer describes WHAT is perturbed (a :class:`Layout`: the fused function at the point explained,
the baseline, the feature id of every input element, the features' labels and spans); :func:`attribute` runs a
method of :data:`METHODS` on it, then the deletion / AOPC curve and the sanity check, and returns the map.

How a method's scores are read per feature follows its kind:

- ``gradient`` (IntegratedGradients, Saliency, InputXGradient, GradientShap ...: the Captum class the entry names;
  its ``Layer`` variant when the layout names a layer, e.g. the text's token embeddings): element attributions
  summed per feature on the device (one read-back). An ``adaptive`` entry (Integrated Gradients) takes its steps
  from the options, raised until the completeness gap is small, and reports that gap;
- ``perturbation`` (FeatureAblation, ShapleyValueSampling, KernelShap, Lime ...): Captum runs with the layout's
  feature mask, so every element of a feature carries the feature's score; it is read at the feature's first
  element.

Adding a method = one entry in :data:`METHODS`; every modality's method choices (its options), the CLI flags and
the dashboard's method buttons follow. E.g. ``"saliency": Method("Saliency", "gradient", {"abs": False})``.
"""

from __future__ import annotations

import contextlib
import inspect
import threading
import time
from dataclasses import dataclass, field
from importlib import import_module
from typing import Any, Callable

import torch

from msa_demo.errors import InputError
from msa_demo.explain.faithfulness import (SINGLES_ALL, SINGLES_FEW, deletion, delta_fraction, removals_checked,
                                           sanity_check, single_removals, strongest)
from msa_demo.explain.forward import FusedForward, target_index
from msa_demo.explain.options import ExplainOptions
from msa_demo.explain.result import AttributionMap, Cost


@dataclass(frozen=True)
class Method:
    """An attribution method: the Captum class (by name, in ``captum.attr``), its kind (``gradient`` or
    ``perturbation``), the arguments its ``attribute`` gets besides inputs, baselines, target, mask and batch size
    (an argument the class does not take is not given), whether it draws from torch's global random generator
    (``random``: such maps are made one at a time, each from ``options.seed``, so panels made at once stay
    reproducible), whether its steps adapt until the completeness gap is small (``adaptive``: Integrated
    Gradients), and what it does, in a few words (``about``: the options' help and the API's docs list it)."""

    captum: str
    kind: str
    defaults: dict = field(default_factory=dict)
    random: bool = False
    adaptive: bool = False
    about: str = ""
    removals: bool = False  # its scores are each part removed alone on the layout's baseline (nothing to check)

    def rows(self, features: int) -> int:
        """Model rows a perturbation map of ``features`` parts evaluates at most: each part once per sample (its
        ``n_samples``; one for occlusion), and the input."""
        return features * int(self.defaults.get("n_samples", 1)) + 1


METHODS: dict[str, Method] = {
    "integrated_gradients": Method("IntegratedGradients", "gradient", {"method": "gausslegendre"}, adaptive=True,
                                   about="gradients integrated from the baseline, with a completeness check"),
    "occlusion": Method("FeatureAblation", "perturbation", about="each part replaced by the baseline in turn",
                        removals=True),
    "shapley_value_sampling": Method("ShapleyValueSampling", "perturbation", {"n_samples": 8}, random=True,
                                     about="sampled Shapley values of the parts"),
}
FALLBACK = "occlusion"  # what a gradient method becomes for a model without gradients


def method_names(first: str | None = None) -> tuple[str, ...]:
    """The table's names (``first`` first: the audio's default, occlusion)."""
    names = tuple(METHODS)
    return names if first is None else (first,) + tuple(m for m in names if m != first)


def describe(names=None, words: dict[str, str] | None = None) -> str:
    """The methods in words, from the table: "integrated_gradients: ...; occlusion: ..." (``words``: a modality's
    own description of a method, e.g. the text's "word ablation")."""
    words = words or {}
    return "; ".join(f"{n}: {words.get(n) or METHODS[n].about or METHODS[n].captum}"
                     for n in (names if names is not None else METHODS))


def resolve(method: str, modality: str, differentiable: bool) -> str:
    """The method that runs for ``method``: the fallback when it needs gradients the model has not."""
    if method not in METHODS:
        raise InputError(f"Unknown {modality} method '{method}'; use {' or '.join(METHODS)}.")
    return FALLBACK if METHODS[method].kind == "gradient" and not differentiable else method


@dataclass
class Layout:
    """What one explanation perturbs.

    ``forward``: the fused function at the point explained (``forward.x``, one row); ``baseline``: what replaces
    it (same shape); ``feature_of``: the feature id of every element of one row (broadcastable to ``forward.x[0]``,
    or to a layer's output row when ``layer`` is given); ids >= ``len(labels)`` are never removed nor scored.
    ``layer(module)``: the layer a gradient method attributes at (Layer IG), from the model copy it runs on.
    ``names``: the map's method name for a table name (e.g. text: layer_integrated_gradients).
    ``draw(scores, attributions or None)``: the map's heat map, if the modality draws one.
    """

    modality: str
    forward: FusedForward
    baseline: torch.Tensor
    feature_of: torch.Tensor
    labels: list[str]
    spans: list
    params: dict[str, Any]
    layer: Callable[[Any], Any] | None = None
    names: dict[str, str] = field(default_factory=dict)
    draw: Callable[[list[float], torch.Tensor | None], Any] | None = None

    @property
    def n(self) -> int:
        return len(self.labels)


def _gradient(f: FusedForward, layout: Layout, method: Method, t: int, options: ExplainOptions):
    layer = None
    if layout.layer is not None:  # a Layer method hooks the layer: on a private copy of the modality (shared weights)
        f = f.private()
        layer = layout.layer(f.mod)
    if method.adaptive:
        attr, delta, diff, steps, tried, pieces = f.integrated(layout.baseline, t, options, layer=layer)
        ig = (delta, diff, steps, tried, pieces)
    else:
        attr, ig = _captum_gradient(f, layout.baseline, method, t, layer), None
    a = attr[0].detach().float()
    n = layout.n
    ids = layout.feature_of.to(a.device).long().clamp(0, n)
    ids = ids.reshape(*ids.shape, *([1] * (a.dim() - ids.dim()))).expand_as(a)  # a layer's hidden size: trailing
    sums = torch.zeros(n + 1, device=a.device).index_add_(0, ids.reshape(-1), a.reshape(-1))
    return sums[:n].cpu().tolist(), a, ig


# Captum names a method's variant on a layer's output Layer<Name>; the two without one are the layer's gradient
# (times its activation for InputXGradient)
_ON_A_LAYER = {"Saliency": ("LayerGradientXActivation", {"multiply_by_inputs": False}),
               "InputXGradient": ("LayerGradientXActivation", {})}


def _captum_gradient(f: FusedForward, baseline: torch.Tensor, method: Method, t: int, layer=None) -> torch.Tensor:
    """A gradient method's element attributions, as its table entry names it: the Captum class on the fused
    function (on ``layer``'s output through its Layer variant), ``attribute`` given the baseline, the rows per call
    and the entry's arguments where it takes them."""
    attr_module = import_module("captum.attr")
    if layer is None:
        algo = getattr(attr_module, method.captum)(f)
    else:
        name, init = _ON_A_LAYER.get(method.captum, ("Layer" + method.captum, {}))
        algo = getattr(attr_module, name)(f, layer, **init)
    takes = inspect.signature(algo.attribute).parameters
    kwargs = {k: v for k, v in method.defaults.items() if k in takes}
    if "baselines" in takes:
        kwargs["baselines"] = baseline
    batch = "internal_batch_size" if "internal_batch_size" in takes else None
    # a copy that asks for gradients: the point itself is the model's cached input, shared with other panels
    x = f.x.detach().clone().requires_grad_() if layer is None and f.x.is_floating_point() else f.x
    return f.fit(lambda bs: algo.attribute(x, target=t, **kwargs, **({batch: bs} if batch else {})))


def _perturbation(f: FusedForward, layout: Layout, method: Method, t: int):
    mask = layout.feature_of.to(f.x.device).reshape(1, *layout.feature_of.shape)
    return f.perturb(method.captum, layout.baseline, t, mask, layout.n, **method.defaults), None, None


def _scores(f: FusedForward, layout: Layout, method: Method, t: int, options: ExplainOptions):
    if method.kind == "gradient":
        return _gradient(f, layout, method, t, options)
    return _perturbation(f, layout, method, t)


# Held while a map whose method draws from torch's global random generator is made (``Method.random``): panels
# made at once (``explain.panel_workers``) would otherwise draw from, and re-seed, each other's generator.
_GLOBAL_RNG = threading.Lock()


def attribute(layout: Layout, method: str, target: str, options: ExplainOptions,
              started: float | None = None) -> AttributionMap:
    """Run ``method`` (a :data:`METHODS` name) on ``layout`` toward the fused probability of ``target``, then
    deletion / AOPC and (``options.sanity``) the model-randomisation check; the map with its faithfulness and
    cost (forward passes of every stage, seconds since ``started``)."""
    started = time.perf_counter() if started is None else started
    with _GLOBAL_RNG if METHODS[method].random else contextlib.nullcontext():
        return _attribute(layout, method, target, options, started)


def _attribute(layout: Layout, method: str, target: str, options: ExplainOptions, started: float) -> AttributionMap:
    spec = METHODS[method]
    t = target_index(target)
    f = layout.forward
    params = dict(layout.params)
    scores: list[float] = []
    faith, delta_frac, attr = None, None, None
    if layout.n:
        torch.manual_seed(options.seed)
        scores, attr, ig = _scores(f, layout, spec, t, options)
        if ig is not None:
            delta, diff, steps, tried, pieces = ig
            delta_frac = delta_fraction(delta, diff)
            params.update(n_steps=steps, steps_tried=tried, ig_method=spec.defaults["method"], delta_abs=delta,
                          output_difference=diff, internal_batch_size=f.batch_size)
            if pieces is not None:  # the path integrated piece by piece (``FusedForward.piecewise``)
                params["path_pieces"] = pieces
    if spec.kind == "perturbation":
        params.update(perturbations_per_eval=f.batch_size, **spec.defaults)
    elif not spec.adaptive:
        params.update(captum=spec.captum, **spec.defaults)
    counter = getattr(f, "parent", f)
    passes = 0
    if layout.n:
        def evaluate(removed: torch.Tensor) -> torch.Tensor:
            return f.target_prob(f.removed(removed, layout.feature_of, layout.baseline), t)

        faith = deletion(scores, evaluate, options.deletion_steps, options.seed)
        if options.sanity:
            faith.sanity_spearman, params["randomised_layers"], passes = sanity_check(
                f, scores, lambda g: _scores(g, layout, spec, t, options)[0], options.seed)
        if options.robustness:
            faith.sensitivity, noise, more = sensitivity(layout, spec, t, options, scores)
            passes += more
            if noise:
                params["robustness_noise"] = noise
    amap = AttributionMap(
        modality=layout.modality, method=layout.names.get(method, method), params=params,
        labels=list(layout.labels), scores=[float(s) for s in scores], spans=[list(s) for s in layout.spans],
        heatmap=layout.draw(scores, attr) if layout.draw is not None else None, delta=delta_frac,
        faithfulness=faith, cost=Cost(counter.forward_passes + passes, time.perf_counter() - started),
    )
    amap._layout = layout  # what a what-if (``explain.whatif``) edits; never serialised, dropped after it
    return amap


def singles_rows(n: int) -> int:
    """Model rows the single-removal check of a map of ``n`` parts evaluates (:func:`check_removals`)."""
    return (n if n <= SINGLES_ALL else SINGLES_FEW) + 1 if n else 0


def check_removals(amap: AttributionMap, method: str, target: str) -> AttributionMap:
    """The single-removal check of a map made by ``method`` (a :data:`METHODS` name) on the layout it kept: its
    parts removed alone (every one of a map of ``SINGLES_ALL`` parts or fewer, else its strongest ``SINGLES_FEW``
    by |score|), recorded in ``faithfulness.removals`` (``faithfulness.removals_checked``; the trust table compares
    them with the colours) and kept whole for the what-if (``_loo``, not serialised); the rows it ran counted in its
    cost (a row the map's function has seen, the input's, is answered again, not run).
    A map whose scores are single removals already (occlusion) is left as it is."""
    layout = getattr(amap, "_layout", None)
    if layout is None or not layout.n or METHODS[method].removals or amap.faithfulness is None:
        return amap
    t0 = time.perf_counter()
    counter = getattr(layout.forward, "parent", layout.forward)
    before = counter.forward_passes
    units = None if layout.n <= SINGLES_ALL else strongest(amap.scores, SINGLES_FEW)
    loo, _rows = single_removals(layout, target_index(target), units)
    if loo is None:
        return amap
    p = amap.faithfulness.deletion_curve[0] if amap.faithfulness.deletion_curve else 0.0
    amap.faithfulness.removals = removals_checked(amap.scores, amap.labels, loo, p)
    amap.cost.forward_passes += counter.forward_passes - before
    amap.cost.seconds += time.perf_counter() - t0
    amap._loo = loo  # what a what-if (``explain.whatif``) reads; never serialised, dropped with the layout
    return amap


ROBUSTNESS_SAMPLES = 4  # noisy copies of the input per map (Captum's n_perturb_samples)
ROBUSTNESS_RADIUS = 0.02  # the noise: uniform in ± this share of the point's standard deviation (Captum's radius)


def _noisy(layout: Layout, delta: torch.Tensor) -> Layout | None:
    """The layout at its point moved by ``delta``: a float point (pixels, a waveform, latents, frames) directly;
    token ids through their embeddings (a forward hook on the embedding layer of a private copy of the model,
    so that the other panels never see the noise). None when the point has no place to add noise."""
    from dataclasses import replace

    f = layout.forward
    if f.x.is_floating_point():
        return replace(layout, forward=f.at(f.x + delta.to(f.x.device, f.x.dtype)))
    if not hasattr(f.mod, "embedding_layer"):
        return None
    from msa_demo.explain.forward import sharing_copy

    copy = sharing_copy(f.mod)
    copy.embedding_layer().register_forward_hook(lambda _m, _i, out: out + delta.to(out.device, out.dtype))
    return replace(layout, forward=f.with_module(copy))


def _point(layout: Layout) -> torch.Tensor | None:
    """The values noise is added to: the layout's float input, or the token embeddings of its ids."""
    f = layout.forward
    if f.x.is_floating_point():
        return f.x
    if not hasattr(f.mod, "embedding_layer"):
        return None
    with torch.no_grad():
        return f.mod.embedding_layer()(f.x).float()


def sensitivity(layout: Layout, spec: Method, t: int, options: ExplainOptions,
                scores: list[float]) -> tuple[float | None, str, int]:
    """Captum's ``sensitivity_max`` of the map: the largest ||scores(x + δ) - scores(x)|| / ||scores(x)|| over
    ``ROBUSTNESS_SAMPLES`` seeded draws of δ, uniform in ± ``ROBUSTNESS_RADIUS`` × std of the point the map reads
    (pixels, waveform or latent frames, token embeddings). Returns (sensitivity or None, the noise in words,
    forward passes)."""
    from captum.metrics import sensitivity_max

    point = _point(layout)
    if point is None or not scores:
        return None, "", 0
    radius = ROBUSTNESS_RADIUS * max(float(point.float().std()), 1e-6)
    gen = torch.Generator().manual_seed(int(options.seed) + 7)
    zero = torch.zeros(1, *point.shape[1:])
    base = torch.tensor([scores], dtype=torch.float32)
    own = getattr(layout.forward, "parent", layout.forward)
    passes = 0

    def perturb(delta: torch.Tensor, r: float) -> torch.Tensor:
        return delta + (torch.rand(delta.shape, generator=gen) * 2 - 1) * r

    def explain(delta) -> torch.Tensor:
        nonlocal passes
        delta = delta[0] if isinstance(delta, tuple) else delta
        out = []
        for d in delta:
            if not bool(d.any()):  # the map itself (Captum asks for it first): already made
                out.append(base[0])
                continue
            noisy = _noisy(layout, d.unsqueeze(0))
            counter = getattr(noisy.forward, "parent", noisy.forward)
            before = counter.forward_passes
            torch.manual_seed(options.seed)
            out.append(torch.tensor(_scores(noisy.forward, noisy, spec, t, options)[0], dtype=torch.float32))
            if counter is not own:  # a private copy's rows (the map's own counter already has the others)
                passes += counter.forward_passes - before
        return (torch.stack(out),)  # a tuple: Captum iterates the map's own explanation as one

    value = sensitivity_max(explain, zero, perturb_func=perturb, perturb_radius=radius,
                            n_perturb_samples=ROBUSTNESS_SAMPLES, max_examples_per_batch=ROBUSTNESS_SAMPLES)
    where = "the token embeddings'" if not layout.forward.x.is_floating_point() else "the input's"
    return (float(value.reshape(-1)[0]), f"uniform noise of ±{ROBUSTNESS_RADIUS:.0%} of {where} spread, "
            f"{ROBUSTNESS_SAMPLES} draws", passes)


__all__ = ["METHODS", "FALLBACK", "Layout", "Method", "attribute", "check_removals", "describe", "method_names", "resolve",
           "sensitivity"]
