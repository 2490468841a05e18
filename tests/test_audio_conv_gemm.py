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


def test_only_plain_unpadded_convolutions_switch():
    padded = torch.nn.Conv1d(2, 2, 3, padding=1)
    grouped = torch.nn.Conv1d(4, 4, 3, groups=2)
    plain = torch.nn.Conv1d(2, 2, 3)
    net = torch.nn.Sequential(padded, grouped, plain)
    assert use_conv_gemm(net) == 1
    assert type(plain) is GemmConv1d and type(padded) is torch.nn.Conv1d and type(grouped) is torch.nn.Conv1d
    assert use_conv_gemm(net, on=False) == 1 and type(plain) is torch.nn.Conv1d


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
        torch.testing.assert_close(mod._run({"input_values": x}, want_features=False)[0], got)  # original untouched


def test_latent_explanation_with_gemm_convolutions(tiny_preset_path):
    from msa_demo.explain import ExplainOptions, attribute_segments
    from msa_demo.model import MultimodalSentimentModel

    model = MultimodalSentimentModel.from_preset(str(tiny_preset_path), device="cpu")
    inputs = model.read_inputs(audio=(16000, _wave(2.0)[0].numpy()))
    maps = {}
    for on in (False, True):
        use_conv_gemm(model.modalities["audio"].encoder.conv_layers, on=on)
        model._cache.clear()
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
    x = _wave().to("cuda", torch.bfloat16)
    with torch.no_grad():
        use_conv_gemm(mod.encoder.conv_layers, on=True)
        got = mod.encoder(x).float()
        use_conv_gemm(mod.encoder.conv_layers, on=False)
        want = mod.encoder(x).float()
    torch.testing.assert_close(got, want, rtol=0.05, atol=0.05 * want.abs().max().item())
