"""The audio feature encoder's convolutions as one GEMM each (used on CUDA): the same numbers as Conv1d, the same
parameters, and the explainers' paths (deepcopy for the sanity check, latent frames) unchanged."""

from __future__ import annotations

import copy

import numpy as np
import pytest
import torch

from msa_demo.modalities.audio import GemmConv1d, conv1d_gemm, use_conv_gemm


@pytest.mark.parametrize("c_in,c_out,k,stride,bias", [(1, 8, 10, 5, False), (6, 5, 3, 2, True), (4, 4, 2, 2, False),
                                                     (3, 7, 4, 4, True), (2, 3, 1, 1, False)])
def test_conv1d_gemm_matches_conv1d(c_in, c_out, k, stride, bias):
    torch.manual_seed(0)
    conv = torch.nn.Conv1d(c_in, c_out, k, stride=stride, bias=bias)
    for length in (k, 37, 64):  # one window; windows that leave samples over; an even split
        x = torch.randn(3, c_in, length)
        want = conv(x)
        got = conv1d_gemm(x, conv.weight, conv.bias, stride)
        assert got.shape == want.shape
        torch.testing.assert_close(got, want, rtol=1e-5, atol=1e-5)
        # a channels-last input (as the previous GEMM layer leaves it) gives the same numbers
        x_last = x.transpose(1, 2).contiguous().transpose(1, 2)
        torch.testing.assert_close(conv1d_gemm(x_last, conv.weight, conv.bias, stride), want, rtol=1e-5, atol=1e-5)


def test_gradients_flow_through_the_gemm():
    torch.manual_seed(0)
    conv = torch.nn.Conv1d(3, 4, 3, stride=2)
    x = torch.randn(2, 3, 21, requires_grad=True)
    (g_want,) = torch.autograd.grad(conv(x).square().sum(), x)
    (g_got,) = torch.autograd.grad(conv1d_gemm(x, conv.weight, conv.bias, 2).square().sum(), x)
    torch.testing.assert_close(g_got, g_want, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("c_in,c_out,k,stride,padding,groups,bias", [
    (8, 8, 16, 1, 8, 2, True),  # wav2vec2's positional embedding, small: even kernel, half-kernel padding, groups
    (6, 4, 5, 1, 2, 2, False), (6, 9, 4, 2, 3, 3, True), (4, 4, 3, 1, 1, 4, False),  # depthwise
    (3, 5, 3, 2, 1, 1, True),  # padded, one group
])
def test_grouped_padded_conv1d_gemm_matches_conv1d(c_in, c_out, k, stride, padding, groups, bias):
    torch.manual_seed(0)
    conv = torch.nn.Conv1d(c_in, c_out, k, stride=stride, padding=padding, groups=groups, bias=bias)
    for length in (max(k - 2 * padding, 1), 37, 64):
        x = torch.randn(3, c_in, length)
        want = conv(x)
        got = conv1d_gemm(x, conv.weight, conv.bias, stride, padding, groups)
        assert got.shape == want.shape
        torch.testing.assert_close(got, want, rtol=1e-5, atol=1e-5)
        x_last = x.transpose(1, 2).contiguous().transpose(1, 2)
        torch.testing.assert_close(conv1d_gemm(x_last, conv.weight, conv.bias, stride, padding, groups), want,
                                   rtol=1e-5, atol=1e-5)


def test_rows_are_chunked_under_the_memory_budget():
    torch.manual_seed(0)
    conv = torch.nn.Conv1d(8, 8, 16, padding=8, groups=2)
    x = torch.randn(5, 8, 40)
    per_row = 41 * 8 * 16 * x.element_size()  # unfolded windows of one row
    want = conv(x)
    for budget in (1, 2 * per_row, 10 * per_row):  # one row a chunk (at least one), 2 + 2 + 1 rows, all at once
        got = conv1d_gemm(x, conv.weight, conv.bias, 1, 8, 2, max_bytes=budget)
        torch.testing.assert_close(got, want, rtol=1e-5, atol=1e-5)
        assert got.stride(1) == 1  # still channels-last, like one chunk


def test_gradients_flow_through_the_grouped_gemm():
    torch.manual_seed(0)
    conv = torch.nn.Conv1d(4, 6, 5, padding=2, groups=2)
    x = torch.randn(3, 4, 19, requires_grad=True)
    want = torch.autograd.grad(conv(x).square().sum(), (x, conv.weight, conv.bias))
    got = torch.autograd.grad(conv1d_gemm(x, conv.weight, conv.bias, 1, 2, 2, max_bytes=1).square().sum(),
                              (x, conv.weight, conv.bias))
    for g, w in zip(got, want):
        torch.testing.assert_close(g, w, rtol=1e-5, atol=1e-5)


def _weight_normed(conv):
    return torch.nn.utils.parametrizations.weight_norm(conv, name="weight", dim=2)  # as wav2vec2's pos_conv


def test_a_weight_normed_convolution_switches_and_reads_its_weight_each_call():
    torch.manual_seed(0)
    conv = _weight_normed(torch.nn.Conv1d(8, 8, 16, padding=8, groups=2))
    x = torch.randn(2, 8, 30)
    keys = list(conv.state_dict())
    with torch.no_grad():
        want = conv(x)
    assert use_conv_gemm(conv) == 1
    assert isinstance(conv, GemmConv1d) and torch.nn.utils.parametrize.is_parametrized(conv, "weight")
    assert list(conv.state_dict()) == keys
    with torch.no_grad():
        torch.testing.assert_close(conv(x), want, rtol=1e-5, atol=1e-5)
        twin = copy.deepcopy(conv)  # the sanity check's copy, then its randomised weights
        assert type(twin) is type(conv)
        twin.parametrizations.weight.original1.normal_()
        torch.testing.assert_close(twin(x), torch.nn.functional.conv1d(x, twin.weight, twin.bias, padding=8,
                                                                       groups=2), rtol=1e-5, atol=1e-5)
        assert not torch.allclose(twin(x), want)
        torch.testing.assert_close(conv(x), want, rtol=1e-5, atol=1e-5)  # the original untouched
    assert use_conv_gemm(conv, on=False) == 1
    assert not isinstance(conv, GemmConv1d) and torch.nn.utils.parametrize.is_parametrized(conv, "weight")
    with torch.no_grad():
        torch.testing.assert_close(conv(x), want)


def test_which_convolutions_switch():
    padded = torch.nn.Conv1d(2, 2, 3, padding=1)
    grouped = torch.nn.Conv1d(4, 4, 3, groups=2, padding=1)
    plain = torch.nn.Conv1d(2, 2, 3)
    dilated = torch.nn.Conv1d(2, 2, 3, dilation=2)
    reflect = torch.nn.Conv1d(2, 2, 3, padding=1, padding_mode="reflect")
    same = torch.nn.Conv1d(2, 2, 3, padding="same")
    net = torch.nn.Sequential(padded, grouped, plain, dilated, reflect, same)
    assert use_conv_gemm(net) == 3
    assert all(type(m) is GemmConv1d for m in (padded, grouped, plain))
    assert all(type(m) is torch.nn.Conv1d for m in (dilated, reflect, same))
    assert use_conv_gemm(net) == 0  # already switched
    assert use_conv_gemm(net, on=False) == 3 and all(type(m) is torch.nn.Conv1d for m in net)


def _wave(seconds: float = 1.5) -> torch.Tensor:
    t = np.arange(int(seconds * 16000)) / 16000.0
    rng = np.random.default_rng(0)
    w = 0.05 * rng.standard_normal(t.size) + 0.4 * np.sin(2 * np.pi * 220 * t) * (t > 0.3)
    return torch.from_numpy(w.astype(np.float32))[None]


@pytest.fixture
def audio_mod(tiny_preset_path):
    """The tiny preset's wav2vec2 (GroupNorm encoder), loaded on its own so switching it touches no shared model."""
    from msa_demo.config import load_preset
    from msa_demo.modalities import load_modality

    spec = load_preset(str(tiny_preset_path)).modalities["audio"]
    return load_modality("audio", spec, torch.device("cpu"), torch.float32)


@pytest.mark.slow
def test_wav2vec2_with_gemm_convolutions_gives_the_same_logits(audio_mod):
    mod, x = audio_mod, _wave()
    assert all(type(m) is torch.nn.Conv1d for m in mod.encoder.conv_layers.modules()
               if isinstance(m, torch.nn.Conv1d))  # off on the CPU unless asked
    keys = list(mod.model.state_dict())
    with torch.no_grad():
        want, _ = mod._run({"input_values": x}, want_features=False)
        want_lat = mod.latents(x, torch.zeros_like(x))
    n = use_conv_gemm(mod.encoder.conv_layers)
    assert n == len(mod.encoder.conv_layers)
    pos = mod.model.wav2vec2.encoder.pos_conv_embed.conv  # grouped, padded, weight-normed
    assert use_conv_gemm(mod.model) == 1 and isinstance(pos, GemmConv1d) and pos.groups > 1 and pos.padding[0] > 0
    assert torch.nn.utils.parametrize.is_parametrized(pos, "weight")
    assert list(mod.model.state_dict()) == keys
    with torch.no_grad():
        got, _ = mod._run({"input_values": x}, want_features=False)
        torch.testing.assert_close(got, want, rtol=1e-4, atol=1e-5)
        torch.testing.assert_close(mod.latents(x, torch.zeros_like(x)), want_lat, rtol=1e-4, atol=1e-5)
        twin = copy.deepcopy(mod.model)  # as the sanity check copies the model before randomising its layers
        assert type(twin.wav2vec2.feature_extractor.conv_layers[0].conv) is GemmConv1d
        torch.testing.assert_close(twin(input_values=x).logits, want, rtol=1e-4, atol=1e-5)
        for p in twin.wav2vec2.feature_extractor.parameters():
            p.normal_()
        assert not torch.allclose(twin(input_values=x).logits, want)
        twin = copy.deepcopy(mod.model)
        twin.wav2vec2.encoder.pos_conv_embed.conv.parametrizations.weight.original1.normal_()
        randomised = twin(input_values=x).logits
        assert not torch.allclose(randomised, want)
        use_conv_gemm(twin, on=False)  # the randomised positional weights, through cuDNN / ATen's convolution
        torch.testing.assert_close(twin(input_values=x).logits, randomised, rtol=1e-4, atol=1e-5)
        torch.testing.assert_close(mod._run({"input_values": x}, want_features=False)[0], got)  # original untouched


@pytest.mark.slow
def test_latent_explanation_with_gemm_convolutions(tiny_preset_path):
    from msa_demo.explain import ExplainOptions, attribute_segments
    from msa_demo.model import MultimodalSentimentModel

    model = MultimodalSentimentModel.from_preset(str(tiny_preset_path), device="cpu")
    inputs = model.read_inputs(audio=(16000, _wave(2.0)[0].numpy()))
    maps = {}
    for on in (False, True):
        use_conv_gemm(model.modalities["audio"].model, on=on)
        model.forget()
        (maps[on],) = attribute_segments(model, inputs, "positive",
                                         ExplainOptions(audio_level="latent", segment_seconds=0.5, sanity=True))
    assert maps[True].params["audio_level"] == "latent"
    assert maps[True].faithfulness.sanity_spearman is not None
    np.testing.assert_allclose(maps[True].scores, maps[False].scores, rtol=1e-3, atol=1e-6)


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_on_cuda_the_encoder_uses_gemm_convolutions_with_cudnns_numbers(tiny_preset_path):
    from msa_demo.config import load_preset
    from msa_demo.modalities import audio, load_modality

    spec = load_preset(str(tiny_preset_path)).modalities["audio"]
    mod = load_modality("audio", spec, torch.device("cuda"), torch.bfloat16)
    convs = [m for m in mod.encoder.conv_layers.modules() if isinstance(m, torch.nn.Conv1d)]
    assert all(type(m) is (GemmConv1d if audio.CONV_GEMM else torch.nn.Conv1d) for m in convs)
    assert isinstance(mod.model.wav2vec2.encoder.pos_conv_embed.conv, GemmConv1d) == audio.CONV_GEMM
    x = _wave().to("cuda", torch.bfloat16)
    with torch.no_grad():
        use_conv_gemm(mod.model, on=True)
        got = mod.encoder(x).float()
        got_logits = mod.model(input_values=x).logits.float()
        use_conv_gemm(mod.model, on=False)
        want = mod.encoder(x).float()
        want_logits = mod.model(input_values=x).logits.float()
    torch.testing.assert_close(got, want, rtol=0.05, atol=0.05 * want.abs().max().item())
    torch.testing.assert_close(got_logits, want_logits, rtol=0.05, atol=0.05 * want_logits.abs().max().item())


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_on_cuda_wav2vec2_base_positional_conv_matches_cudnn_in_bf16():
    torch.manual_seed(0)
    conv = torch.nn.Conv1d(768, 768, 128, padding=64, groups=16).to("cuda", torch.bfloat16)
    x = torch.randn(4, 499, 768, device="cuda", dtype=torch.bfloat16).transpose(1, 2)  # as wav2vec2 passes it
    with torch.no_grad():
        want = conv(x).float()
        got = conv1d_gemm(x, conv.weight, conv.bias, 1, 64, 16, max_bytes=1 << 26).float()  # chunked
    torch.testing.assert_close(got, want, rtol=0.05, atol=0.02 * want.abs().max().item())


def test_conv_timing_script_checks_each_wav2vec2_base_convolution(tmp_path):
    import json
    import sys
    from pathlib import Path

    bench_dir = str(Path(__file__).resolve().parents[1] / "benchmarks")
    sys.path.insert(0, bench_dir)
    try:
        import conv_gemm
    finally:
        sys.path.remove(bench_dir)
    out = tmp_path / "conv_gemm.json"
    assert conv_gemm.main(["--rows", "1", "2", "--seconds", "0.1", "--dtype", "float32", "--runs", "1",
                           "--out", str(out)]) == 0
    rows = json.loads(out.read_text())
    assert {r["layer"] for r in rows} == set(conv_gemm.LAYERS) and len(rows) == 2 * len(conv_gemm.LAYERS)
    # float32 on a GPU: cuDNN's convolutions run in TF32 by default (relative differences ~3e-4 on an H200)
    tol = 1e-3 if torch.cuda.is_available() else 1e-4
    assert all(r["max_rel_diff"] < tol and r["conv_ms"] > 0 and r["gemm_ms"] > 0 for r in rows)
