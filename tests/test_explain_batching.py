"""Batch sizes: a GPU out-of-memory error halves the rows per model call until they fit; results do not change.

The planted audio model (tests/planted_models.py) is given a memory limit: asked for more than ``LIMIT`` rows in
one call it raises ``torch.OutOfMemoryError``, as CUDA does on a long clip with a wide batch.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from planted_models import AdditiveFusion, PlantedAudio, build_model, planted_inputs, planted_spec

LIMIT = 4


class MemoryBoundAudio(PlantedAudio):
    def _run(self, inputs, want_features):
        if inputs["input_values"].shape[0] > LIMIT:
            raise torch.OutOfMemoryError(f"CUDA out of memory (planted: more than {LIMIT} rows)")
        return super()._run(inputs, want_features)


def _model(cls):
    cpu = torch.device("cpu")
    return build_model({"audio": cls(planted_spec("planted-audio"), cpu, torch.float32)}, AdditiveFusion())


@pytest.mark.parametrize("method, param", [("occlusion", "perturbations_per_eval"),
                                           ("integrated_gradients", "internal_batch_size")])
def test_out_of_memory_halves_the_batch_and_keeps_the_map(method, param):
    from msa_demo.explain import ExplainOptions, attribute_segments

    inputs = planted_inputs()
    inputs.text = inputs.image = None
    opts = dict(segment_seconds=0.25, audio_methods=(method,), seed=0)
    (bounded,) = attribute_segments(_model(MemoryBoundAudio), inputs, "positive", ExplainOptions(batch_size=16, **opts))
    (free,) = attribute_segments(_model(PlantedAudio), inputs, "positive", ExplainOptions(batch_size=16, **opts))
    assert bounded.params[param] == LIMIT and free.params[param] == 16
    np.testing.assert_allclose(bounded.scores, free.scores, rtol=1e-5, atol=1e-7)
    assert bounded.faithfulness.aopc == pytest.approx(free.faithfulness.aopc, abs=1e-6)


def test_one_row_that_does_not_fit_is_reported():
    from msa_demo.explain.forward import FusedForward

    inputs = planted_inputs()
    ff = FusedForward(_model(MemoryBoundAudio), inputs, "audio", ["audio"], batch_size=8)

    def never_fits(batch_size):
        raise torch.OutOfMemoryError("CUDA out of memory")

    with pytest.raises(torch.OutOfMemoryError):
        ff.fit(never_fits)
    assert ff.batch_size == 1


def test_auto_batch_size_is_wider_on_a_gpu():
    from msa_demo.explain.forward import auto_batch_size

    assert auto_batch_size(torch.device("cuda")) > auto_batch_size(torch.device("cpu")) >= 1
