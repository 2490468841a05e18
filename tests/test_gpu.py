"""On a CUDA GPU (skipped without one): the tiny preset predicts and explains in bf16, and its maps agree with
the CPU's fp32 maps. CI has no GPU; run these on the GPU machine (see benchmarks/run_gpu.sh)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

pytestmark = [pytest.mark.gpu, pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")]


def test_gpu_explanation_matches_cpu(tiny_preset_path, rgb_image, tone):
    from msa_demo.explain import ExplainOptions, explain
    from msa_demo.explain.faithfulness import RESOLUTION, spearman
    from msa_demo.model import MultimodalSentimentModel

    gpu = MultimodalSentimentModel.from_preset(str(tiny_preset_path), device="cuda")
    cpu = MultimodalSentimentModel.from_preset(str(tiny_preset_path), device="cpu")
    assert gpu.device.type == "cuda" and gpu.dtype in (torch.bfloat16, torch.float16)
    raw = dict(text="I really love this sunny day", image=rgb_image, audio=(16000, tone))
    pg, pc = gpu.predict(**raw), cpu.predict(**raw)
    assert abs(sum(pg.probs.values()) - 1) < 1e-3
    assert max(abs(pg.probs[k] - pc.probs[k]) for k in pc.probs) < 0.05
    opts = ExplainOptions(seed=0, ig_max_steps=32)
    eg, ec = explain(gpu, gpu.read_inputs(**raw), options=opts), explain(cpu, cpu.read_inputs(**raw), options=opts)
    assert [(m.modality, m.method) for m in eg.maps] == [(m.modality, m.method) for m in ec.maps]
    for mg, mc in zip(eg.maps, ec.maps):
        if not np.allclose(mg.scores, mc.scores, rtol=0, atol=max(RESOLUTION, 0.02 * np.abs(mc.scores).max())):
            assert spearman(mg.scores, mc.scores) >= 0.8, (mg.modality, mg.method)
