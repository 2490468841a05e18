"""Training: ``python -m msa_demo train`` -- fusion heads (and the lite text head) on frozen encoder features.

A manifest (CSV or JSONL; columns ``text``, ``image``, ``audio``, and ``label`` or ``score``) -> features from a
preset's frozen encoders (cached on disk as safetensors, keyed by model id + revision + content hash) -> a small
head trained with class weights and a seed -> held-out metrics -> an output directory that
:func:`msa_demo.fusion.load_fusion` reads as a preset's ``fusion`` (config.json + model.safetensors + preset.json +
metrics.json; no pickles). The heads themselves live in :mod:`msa_demo.fusion` (inference never imports training).

Modules, in the order the command runs them:

* ``data``: the manifest, labels (a label column or a binned score) and the held-out split;
* ``features``: the frozen encoders' features and their on-disk cache;
* ``loop``: the seeded, class-weighted training loop;
* ``metrics``: accuracy, macro P / R / F1, confusion matrix, binary and per-group metrics;
* ``pipeline``: ``run_training`` = plan -> encode -> fit -> evaluate -> save;
* ``cli``: the command's flags.
"""

from msa_demo.training.cli import add_command, parse_args
from msa_demo.training.data import bin_score, map_label, parse_bins, read_manifest, row_labels, stratified_split
from msa_demo.training.features import FeatureCache, extract_features
from msa_demo.training.loop import class_weights, predict_features, seed_everything, train_head, train_on_features
from msa_demo.training.metrics import binary_metrics, compute_metrics, format_metrics
from msa_demo.training.pipeline import run_training

__all__ = ["FeatureCache", "add_command", "bin_score", "binary_metrics", "class_weights", "compute_metrics",
           "extract_features", "format_metrics", "map_label", "parse_args", "parse_bins", "predict_features",
           "read_manifest", "row_labels", "run_training", "seed_everything", "stratified_split", "train_head",
           "train_on_features"]
