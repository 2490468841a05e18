"""``explain-batch --engine ray``: Ray Data runs the rows on explanation actors, one model per actor.

Works on a laptop (a local Ray started here, ``ray.init()``) and on an existing cluster (``RAY_ADDRESS``; every
node needs msa_demo and its requirements installed, and the manifest's files at the same paths). Ray is an optional
extra: ``pip install -r requirements-cluster.txt``.

The manifest is read here (ids, hashes and the rows already done, as for the local engine); Ray Data streams the
rows to ``workers`` actors (``map_batches``, one row per batch, GPUs assigned by Ray with ``gpus_per_worker``) and
this process logs each row as it comes back, so resuming works the same way.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
from pathlib import Path
from typing import Any, Iterator, Sequence

from msa_demo.dataset.rows import ManifestRow
from msa_demo.errors import InputError

ROOT = Path(__file__).resolve().parents[2]  # the folder that holds the msa_demo package


class Explainer:
    """A Ray Data actor: loads the model once, then turns batches of rows into results rows."""

    def __init__(self, preset: str, device: str, options: dict, target, use, top_k: int, threads: int) -> None:
        import torch

        from msa_demo.explain.result import ExplainOptions
        from msa_demo.model import MultimodalSentimentModel

        torch.set_num_threads(max(1, threads))
        self.model = MultimodalSentimentModel.from_preset(preset, device=device)
        self.args = (ExplainOptions(**options), target, use, top_k)

    def __call__(self, batch: dict[str, Any]) -> dict[str, list[str]]:
        from msa_demo.dataset.rows import explain_row, explanation_text

        records, explanations = [], []
        for text in batch["row"]:
            row = ManifestRow(**json.loads(text))
            rec, data = explain_row(self.model, row, *self.args)
            records.append(json.dumps(rec, ensure_ascii=False))
            explanations.append(explanation_text(data) if data is not None else "")
        return {"record": records, "explanation": explanations}


def start_ray():
    """``ray`` after ``ray.init``: the cluster at ``RAY_ADDRESS`` if set, else a local one (msa_demo on its path)."""
    try:
        import ray
    except ModuleNotFoundError:
        raise InputError("--engine ray needs Ray: pip install -r requirements-cluster.txt") from None
    if not ray.is_initialized():
        quiet = {"log_to_driver": False, "logging_level": logging.WARNING}
        if os.environ.get("RAY_ADDRESS"):
            ray.init(address=os.environ["RAY_ADDRESS"], **quiet)
        else:
            path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
            ray.init(include_dashboard=False, runtime_env={"env_vars": {"PYTHONPATH": path}}, **quiet)
    ctx = ray.data.DataContext.get_current()
    ctx.enable_progress_bars = False  # ours counts the rows
    ctx.print_on_execution_start = False
    logging.getLogger("ray.data").setLevel(logging.WARNING)
    return ray


def ray_results(todo: Sequence[ManifestRow], preset: str, device: str, options, target, use, top_k: int,
                workers: int = 1, gpus_per_worker: float = 0.0
                ) -> Iterator[tuple[dict[str, Any], str | None]]:
    """(results row, explanation JSON text or None) per row, as the actors finish them."""
    if workers < 1:
        raise InputError("--workers must be at least 1.")
    ray = start_ray()
    cpus = max(1.0, float(ray.cluster_resources().get("CPU", 1)) / workers)
    items = [{"row": json.dumps(dataclasses.asdict(r), ensure_ascii=False)} for r in todo]
    ds = ray.data.from_items(items, override_num_blocks=min(len(items), 4 * workers))
    ds = ds.map_batches(
        Explainer, batch_size=1, batch_format="numpy", compute=ray.data.ActorPoolStrategy(size=workers),
        num_gpus=gpus_per_worker or None, num_cpus=1,
        fn_constructor_args=(preset, "cuda" if gpus_per_worker else device, options.to_dict(), target,
                             list(use) if use else None, top_k, int(cpus)))
    for out in ds.iter_rows():
        yield json.loads(out["record"]), (out["explanation"] or None)


__all__ = ["Explainer", "ray_results", "start_ray"]
