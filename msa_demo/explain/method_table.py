"""The attribution methods, one entry each: the ONE place a method is added.

Each entry names the Captum class (in ``captum.attr``), its kind (``gradient`` or ``perturbation``: how its
scores are read per feature, see ``explain.methods``) and the arguments it gets besides inputs, baselines,
target, mask and batch size, and whether it draws from torch's global random generator (``random``: such maps
are made one at a time, each from ``options.seed``, so panels made at once stay reproducible). The
``ExplainOptions`` method choices of every modality, the CLI flags and the
dashboard's method buttons are made from this table.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Method:
    """An attribution method: the Captum class (by name, in ``captum.attr``), its kind (``gradient`` or
    ``perturbation``), the arguments it gets besides inputs, baselines, target, mask and batch size, and whether
    it draws from torch's global random generator."""

    captum: str
    kind: str
    defaults: dict = field(default_factory=dict)
    random: bool = False


METHODS: dict[str, Method] = {
    "integrated_gradients": Method("IntegratedGradients", "gradient", {"method": "gausslegendre"}),
    "occlusion": Method("FeatureAblation", "perturbation"),
    "shapley_value_sampling": Method("ShapleyValueSampling", "perturbation", {"n_samples": 8}, random=True),
}
FALLBACK = "occlusion"  # what a gradient method becomes for a model without gradients

__all__ = ["FALLBACK", "METHODS", "Method"]
