"""Audio segments: Captum FeatureAblation over time segments of the model input (default 0.5 s; baseline
silence or low seeded noise), optionally Integrated Gradients on the waveform summed per segment, or any other
method of ``explain.methods.METHODS`` (the audio's ``methods``, ``audio_methods``).

For wav2vec2-like models occlusion can work at the latent level (the audio's ``level``, ``audio_level``): the
convolutional feature encoder runs once on the clip and once on the baseline, and ablating a segment replaces its
latent frames (20 ms hop at 16 kHz) by the baseline's, so each row runs only the transformer. It differs from
waveform ablation in the frames whose receptive field straddles a segment's edge and, for encoders with a
GroupNorm over the whole clip (wav2vec2-base), in the shift of those statistics that silencing a segment causes
in every other frame. ``"auto"`` (the default) uses the latent level only where the encoder normalises each frame
alone; ``"latent"`` forces it, ``"waveform"`` ablates the samples themselves.

For the lite speech family (a text model over the recognised transcript) the segments are the recognised
words: labels = the words, spans = their times, ablating a word = replacing its tokens by the baseline token.
"""

from __future__ import annotations

import math
import time

import torch

from msa_demo.errors import InputError
from msa_demo.explain.forward import FusedForward, target_index
from msa_demo.explain.methods import METHODS, Layout, attribute, resolve
from msa_demo.explain.shapley import used_modalities
from msa_demo.explain.options import ExplainOptions
from msa_demo.explain.result import AttributionMap
from msa_demo.explain.words import token_layout
from msa_demo.language import token_joined


def segment_mask(length: int, sample_rate: int, seconds: float) -> tuple[torch.Tensor, list[list[float]]]:
    """[T] long segment index per sample, and each segment's [start_s, end_s]."""
    seg = max(1, int(round(seconds * sample_rate)))
    n = max(1, math.ceil(length / seg))
    idx = torch.clamp(torch.arange(length) // seg, max=n - 1)
    spans = [[round(i * seg / sample_rate, 6), round(min(length, (i + 1) * seg) / sample_rate, 6)] for i in range(n)]
    return idx, spans


def audio_baseline(x: torch.Tensor, kind: str, seed: int) -> torch.Tensor:
    if kind == "silence":
        return torch.zeros_like(x)
    if kind == "noise":
        gen = torch.Generator().manual_seed(int(seed))
        level = 0.01 * max(float(x.float().std()), 1e-3)
        return (torch.randn(x.shape, generator=gen) * level).to(x.device, x.dtype)
    raise InputError(f"Unknown audio baseline '{kind}'; use silence or noise.")


def attribute_segments(model, inputs, target: str, options: ExplainOptions | None = None, use=None,
                       methods=None) -> list[AttributionMap]:
    """One map per audio method (the audio's ``methods``); lite speech: one word-ablation map."""
    options = options or ExplainOptions()
    target_index(target)
    used = used_modalities(model, inputs, use)
    if "audio" not in used:
        raise InputError("There is no audio to explain.")
    mod = model.modalities["audio"]
    if mod.attr_key == "input_ids":
        return [_spoken_words(model, inputs, target, options, used)]
    return [_waveform(model, inputs, target, options, used, m) for m in (methods or options.of("audio").methods)]


def frame_segments(idx: torch.Tensor, frames: int, hop: int, field: int) -> torch.Tensor:
    """[F] long: the segment of each latent frame, the segment of the sample at the centre of what it sees
    (frame f sees samples f * hop ... f * hop + field - 1)."""
    centre = torch.arange(frames) * hop + (field - 1) // 2
    return idx[centre.clamp(max=idx.numel() - 1)]


def _waveform(model, inputs, target, options, used, method) -> AttributionMap:
    t0 = time.perf_counter()
    ff = FusedForward(model, inputs, "audio", used, batch_size=options.batch_size)
    x = ff.x  # [1, T]
    rate = int(ff.prepared.info.get("sample_rate", inputs.audio.sample_rate))
    own = options.of("audio")
    idx, spans = segment_mask(x.shape[-1], rate, own.segment_seconds)
    baseline = audio_baseline(x, own.baseline, options.seed)
    params = {"baseline": own.baseline, "segment_seconds": own.segment_seconds, "seed": options.seed,
              "target": target, "sample_rate": rate}
    method = resolve(method, "audio", ff.mod.differentiable)
    f, feature_of, base, level = ff, idx, baseline, "waveform"  # what is perturbed: each sample's segment
    latent = getattr(ff.mod, "supports_latents", False) and (
        own.level == "latent"
        or (own.level == "auto" and getattr(ff.mod, "latents_match_waveform", False)))
    if METHODS[method].kind == "perturbation" and latent:
        # the feature encoder runs once on the input and once on the baseline; every row runs only the rest
        lat = ff.mod.latents(x, baseline)
        feature_of = frame_segments(idx, lat.shape[-1], ff.mod.frame_hop, ff.mod.frame_field).reshape(1, -1)
        f, base, level = ff.at(lat[:1]), lat[1:], "latent"
        params.update(frame_hop_s=ff.mod.frame_hop / rate, frame_field_s=ff.mod.frame_field / rate)
    params["audio_level"] = level
    layout = Layout(modality="audio", forward=f, baseline=base, feature_of=feature_of,
                    labels=[f"{a:.2f}–{b:.2f} s" for a, b in spans], spans=spans, params=params)
    return attribute(layout, method, target, options, t0)


def _spoken_words(model, inputs, target, options, used) -> AttributionMap:
    """Lite speech: ablate each recognised word's tokens (FeatureAblation with one feature per word)."""
    t0 = time.perf_counter()
    ff = FusedForward(model, inputs, "audio", used, batch_size=options.batch_size)
    info = ff.prepared.info  # the transcript, its words and their character spans in it (SpeechTranscript)
    words, said = list(info.get("words") or []), info.get("transcript", "")
    spans_chr = [tuple(s) for s in info.get("word_chars") or []]
    # words that share a token (Chinese characters the tokenizer reads together) are one feature
    groups = token_joined(spans_chr, info["offsets"], info["special_mask"])
    spans_chr = [(spans_chr[g[0]][0], spans_chr[g[-1]][1]) for g in groups]
    times = [[float(words[g[0]]["start"]), float(words[g[-1]]["end"])] for g in groups]
    labels = [said[a:b] for a, b in spans_chr]
    kind = options.of("text").baseline  # a word is replaced as the text's words are
    params = {"baseline": f"{kind} token", "seed": options.seed, "target": target, "segments": "recognised words"}
    layout = token_layout(ff, spans_chr, kind, lambda kept: [labels[w] for w in kept],
                          lambda kept: [times[w] for w in kept], params, "audio", {"occlusion": "word_ablation"},
                          layer=False)
    return attribute(layout, "occlusion", target, options, t0)


__all__ = ["attribute_segments", "segment_mask", "audio_baseline", "frame_segments"]
