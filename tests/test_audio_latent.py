"""Latent-level audio ablation on real wav2vec2 models (tiny, random): the encoder accepts its own latent frames,
the clip's frames are the ones the full model computes, and the explainer runs the encoder twice per map."""

from __future__ import annotations

import numpy as np
import torch


def _speech(model, seconds: float = 2.0):
    t = np.arange(int(seconds * 16000)) / 16000.0
    rng = np.random.default_rng(0)
    wave = 0.05 * rng.standard_normal(t.size) + 0.4 * np.sin(2 * np.pi * 220 * t) * (t > 0.5) * (t < 1.2)
    return model.read_inputs(audio=(16000, wave.astype(np.float32)))


def test_wav2vec2_runs_from_its_latent_frames(tiny_model):
    mod = tiny_model.modalities["audio"]
    assert mod.supports_latents and (mod.frame_hop, mod.frame_field) == (80, 85)  # strides 5·4·4, kernels 10, 4, 4
    assert not mod.latents_match_waveform  # its first layer normalises over the whole clip (GroupNorm)
    x = tiny_model.encode("audio", _speech(tiny_model).audio)[0].inputs["input_values"]
    with torch.no_grad():
        lat = mod.latents(x)
        assert lat.dim() == 3 and lat.shape[-1] == (x.shape[-1] - 85) // 80 + 1
        full, _ = mod._run({"input_values": x}, want_features=False)
        rest, _ = mod._run({"input_values": lat}, want_features=False)
        torch.testing.assert_close(rest, full)
        both = mod.latents(x, torch.zeros_like(x))
    assert both.shape[0] == 2
    torch.testing.assert_close(both[:1], lat, rtol=1e-4, atol=1e-5)  # the clip's own frames are unchanged


def test_audio_level_auto_keeps_the_waveform_where_latents_differ(tiny_model):
    from msa_demo.explain import ExplainOptions, attribute_segments

    inputs = _speech(tiny_model)
    mod = tiny_model.modalities["audio"]
    tiny_model.encode("audio", inputs.audio)
    maps = {}
    for level in ("auto", "latent", "waveform"):
        before = mod.waveform_rows
        (maps[level],) = attribute_segments(tiny_model, inputs, "positive",
                                            ExplainOptions(audio_level=level, segment_seconds=0.5, sanity=True))
        maps[level].params["encoder_rows"] = mod.waveform_rows - before
    assert maps["auto"].params["audio_level"] == "waveform" and maps["latent"].params["audio_level"] == "latent"
    assert maps["latent"].params["encoder_rows"] == 2  # the clip and the baseline; rows (and sanity) reuse them
    assert maps["waveform"].params["encoder_rows"] >= maps["latent"].cost.forward_passes // 2
    assert maps["latent"].cost.forward_passes == maps["waveform"].cost.forward_passes
    assert maps["latent"].faithfulness.sanity_spearman is not None
    np.testing.assert_allclose(maps["auto"].scores, maps["waveform"].scores, rtol=1e-5, atol=1e-7)


def test_layer_norm_encoder_uses_latents_by_default(tmp_path):
    """wav2vec2 with a per-frame LayerNorm (as in wav2vec2-large): ``auto`` picks the latent level."""
    from transformers import Wav2Vec2Config, Wav2Vec2FeatureExtractor, Wav2Vec2ForSequenceClassification

    from msa_demo.config import ModalitySpec
    from msa_demo.modalities import load_modality

    torch.manual_seed(0)
    cfg = Wav2Vec2Config(hidden_size=32, num_hidden_layers=2, num_attention_heads=2, intermediate_size=64,
                         conv_dim=(16, 16, 16), conv_stride=(5, 4, 4), conv_kernel=(10, 4, 4), num_conv_pos_embeddings=16,
                         num_conv_pos_embedding_groups=2, classifier_proj_size=16, feat_extract_norm="layer",
                         do_stable_layer_norm=True, id2label={0: "neg", 1: "pos"}, label2id={"neg": 0, "pos": 1})
    Wav2Vec2ForSequenceClassification(cfg).save_pretrained(tmp_path)
    Wav2Vec2FeatureExtractor(sampling_rate=16000, do_normalize=True).save_pretrained(tmp_path)
    spec = ModalitySpec(family="hf-audio-classifier", model_id=str(tmp_path), revision="local",
                        label_map={"neg": "negative", "pos": "positive"})
    mod = load_modality("audio", spec, torch.device("cpu"), torch.float32)
    assert mod.supports_latents and mod.latents_match_waveform
    wave = torch.randn(1, 8000)
    with torch.no_grad():
        torch.testing.assert_close(mod._run({"input_values": mod.latents(wave)}, False)[0],
                                   mod._run({"input_values": wave}, False)[0])
