"""Audio: a Hub speech-emotion classifier (wav2vec2 family), or lite speech: recognised words -> text head."""

from __future__ import annotations

import os

import numpy as np
import torch

from msa_demo.errors import InputError
from msa_demo.inputs import AudioInput, TextInput
from msa_demo.modalities import Modality, Prepared, from_pretrained, mean_pool
from msa_demo.modalities.text import EncoderWithHead


def _check(value, rate: int) -> AudioInput:
    if isinstance(value, np.ndarray):
        value = AudioInput(value.astype(np.float32), rate)
    if not isinstance(value, AudioInput):
        raise InputError("The audio must be a sound clip.")
    if value.sample_rate != rate:
        raise InputError(f"The audio must be resampled to {rate} Hz first (got {value.sample_rate} Hz).")
    return value


_PASS_THROUGH: dict[type, type] = {}


def _latent_pass_through(encoder: torch.nn.Module) -> None:
    """Let a wav2vec2-style convolutional feature encoder accept its own output.

    The encoder maps a waveform [B, T] to latent frames [B, C, F]; after this, a 3-D input is taken as latent
    frames already made and passed through untouched, so ``model(input_values=latents)`` runs only the rest of the
    model (feature projection, transformer, head). The instance's class becomes a subclass with that one
    ``forward``: parameter names, ``deepcopy`` and thread safety are unchanged (no state is switched). Rows that
    do run the convolutions are counted in ``encoder.waveform_rows``."""
    base = type(encoder)
    sub = _PASS_THROUGH.get(base)
    if sub is None:
        def forward(self, input_values):
            if input_values.dim() == 3:
                return input_values
            self.waveform_rows = getattr(self, "waveform_rows", 0) + int(input_values.shape[0])
            return base.forward(self, input_values)

        sub = _PASS_THROUGH[base] = type(f"LatentOr{base.__name__}", (base,), {"forward": forward})
    encoder.__class__ = sub


CONV_GEMM = os.environ.get("MSA_CONV_GEMM", "1") != "0"  # read once: 0 keeps cuDNN's convolutions on CUDA too
GEMM_CHUNK_BYTES = 1 << 30  # the most the unfolded windows of one chunk of rows may take


def conv1d_gemm(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None, stride: int, padding: int = 0,
                groups: int = 1, max_bytes: int = GEMM_CHUNK_BYTES) -> torch.Tensor:
    """A Conv1d (zero padding, any groups, dilation 1) as GEMMs over unfolded windows (im2col).

    ``x`` [B, C_in, T], ``weight`` [C_out, C_in / groups, k] -> [B, C_out, T'] with
    T' = (T + 2 * padding - k) // stride + 1, as ``torch.nn.functional.conv1d``. Each window is laid out (tap,
    channel), so an input kept channels-last (as this returns its output: a transposed view of a contiguous
    [B, T', C_out]) is unfolded by a single gather; the result is that layout's natural next input. Groups run as
    one batched matmul. The unfolded windows take B * T' * C_in * k elements; rows are taken in chunks that keep
    them under ``max_bytes`` (one row at least)."""
    b, c_in, t = x.shape
    k = weight.shape[-1]
    per_row = max((t + 2 * padding - k) // stride + 1, 1) * c_in * k * x.element_size()
    rows = max(1, max_bytes // per_row)
    parts = [_gemm_frames(part, weight, bias, stride, padding, groups) for part in x.split(rows)]
    return (parts[0] if len(parts) == 1 else torch.cat(parts)).transpose(1, 2)


def _gemm_frames(x, weight, bias, stride, padding, groups) -> torch.Tensor:
    """:func:`conv1d_gemm` on one chunk of rows, as [B, T', C_out]."""
    c_out, c_in_g, k = weight.shape
    xt = x.transpose(1, 2)  # [B, T, C_in]
    if padding:
        xt = torch.nn.functional.pad(xt, (0, 0, padding, padding))
    b = xt.shape[0]
    if groups == 1:
        cols = xt.unfold(1, k, stride).transpose(2, 3)  # [B, T', k, C_in], a view
        cols = cols.reshape(b, cols.shape[1], k * c_in_g)  # the one copy (a view where windows do not overlap)
        w = weight.permute(0, 2, 1).reshape(c_out, k * c_in_g)
        return torch.nn.functional.linear(cols, w, bias)
    cols = xt.unflatten(2, (groups, c_in_g)).unfold(1, k, stride)  # [B, T', g, C_in/g, k], a view
    t_out = cols.shape[1]
    cols = cols.permute(2, 0, 1, 4, 3).reshape(groups, b * t_out, k * c_in_g)  # the one copy
    w = weight.unflatten(0, (groups, c_out // groups)).permute(0, 3, 2, 1).reshape(groups, k * c_in_g, -1)
    out = torch.bmm(cols, w) if bias is None else torch.baddbmm(bias.view(groups, 1, -1), cols, w)
    return out.unflatten(1, (b, t_out)).permute(1, 2, 0, 3).reshape(b, t_out, c_out)


def _gemm_able(conv: torch.nn.Conv1d) -> bool:
    return conv.dilation == (1,) and conv.padding_mode == "zeros" and isinstance(conv.padding, tuple)


class GemmConv1d(torch.nn.Conv1d):
    """``torch.nn.Conv1d`` computed by :func:`conv1d_gemm` (same parameters, state_dict and ``deepcopy``).

    On CUDA, cuDNN picks slow generic kernels for wav2vec2's bf16 convolutions: the feature encoder's (1 -> 512
    channels, kernel 10 stride 5, then 512 -> 512 with kernel 3 / 2 stride 2) and the positional embedding's
    (768 -> 768, kernel 128, padding 64, 16 groups); plain GEMMs run at the card's matmul speed. The weight is read
    through ``self.weight`` on every call, so a parametrization (wav2vec2's weight norm) keeps working."""

    _plain = torch.nn.Conv1d  # the class this one replaced

    def forward(self, input: torch.Tensor) -> torch.Tensor:  # noqa: A002 - torch's argument name
        if input.dim() != 3 or not _gemm_able(self):
            return super().forward(input)
        return conv1d_gemm(input, self.weight, self.bias, self.stride[0], self.padding[0], self.groups)


_GEMM_CLASSES: dict[type, type] = {torch.nn.Conv1d: GemmConv1d}


def _gemm_class(cls: type) -> type:
    """GemmConv1d's forward on ``cls`` (a Conv1d or a subclass that keeps its forward, such as the class a
    parametrization makes: its ``weight`` property and ``__deepcopy__`` stay)."""
    sub = _GEMM_CLASSES.get(cls)
    if sub is None:
        sub = _GEMM_CLASSES[cls] = type(f"Gemm{cls.__name__}", (GemmConv1d, cls), {"_plain": cls})
    return sub


def use_conv_gemm(module: torch.nn.Module, on: bool = True) -> int:
    """Switch the Conv1d layers of ``module`` (zero padding, dilation 1, any stride and groups; weight-norm
    parametrized ones too) to / from :class:`GemmConv1d` by swapping each instance's class; returns how many
    layers it switched."""
    n = 0
    for conv in module.modules():
        cls = type(conv)
        if on and isinstance(conv, torch.nn.Conv1d) and not isinstance(conv, GemmConv1d) \
                and cls.forward is torch.nn.Conv1d.forward and _gemm_able(conv):
            conv.__class__, n = _gemm_class(cls), n + 1
        elif not on and isinstance(conv, GemmConv1d) and "_plain" in vars(cls):
            conv.__class__, n = cls._plain, n + 1
    return n


def frame_geometry(kernels, strides) -> tuple[int, int]:
    """(hop, receptive field) in samples of a stack of 1-D convolutions (no padding)."""
    hop, field = 1, 1
    for k, s in zip(kernels, strides):
        field += (int(k) - 1) * hop
        hop *= int(s)
    return hop, field


class HFAudioClassifier(Modality):
    """Any transformers audio classifier; ``input_values`` is the (normalised) waveform at the model's rate.

    wav2vec2-like models (a convolutional feature encoder, then a transformer) also take their latent frames as
    ``input_values`` ([B, C, F] instead of [B, T]): ``latents(x)`` runs the encoder once and explainers perturb the
    frames (``supports_latents``; ``frame_hop`` / ``frame_field`` say which samples each frame sees). Encoders that
    normalise each frame alone (``feat_extract_norm="layer"``: wav2vec2-large, HuBERT/WavLM-large) make latent
    ablation match waveform ablation up to the frames on a segment's edge (``latents_match_waveform``);
    wav2vec2-base's GroupNorm over the whole clip makes it an approximation."""

    name = "audio"
    attr_key = "input_values"
    supports_latents = False
    latents_match_waveform = False  # True when no clip-wide normalisation ties every frame to every sample
    frame_hop = frame_field = 0
    model_types = "MODEL_FOR_AUDIO_CLASSIFICATION_MAPPING_NAMES"
    needs = "an audio classifier (a ...ForAudioClassification model with its feature extractor)"

    def load(self) -> None:
        from transformers import AutoFeatureExtractor, AutoModelForAudioClassification

        self.extractor = from_pretrained(AutoFeatureExtractor, self.spec)
        self.model = from_pretrained(AutoModelForAudioClassification, self.spec, use_safetensors=True, dtype=self.dtype)
        self.model.to(self.device).eval().requires_grad_(False)
        self.id2label = {int(k): v for k, v in self.model.config.id2label.items()}
        self.sample_rate = int(getattr(self.extractor, "sampling_rate", 16000))
        if CONV_GEMM and torch.device(self.device).type == "cuda":  # the feature encoder and positional convs
            use_conv_gemm(self.model)
        self._enable_latents()

    def _enable_latents(self) -> None:
        base = getattr(self.model, getattr(self.model, "base_model_prefix", ""), None)
        encoder = getattr(base, "feature_extractor", None)
        cfg = self.model.config
        kernels, strides = getattr(cfg, "conv_kernel", None), getattr(cfg, "conv_stride", None)
        if encoder is None or not kernels or not strides or not hasattr(encoder, "conv_layers"):
            return
        _latent_pass_through(encoder)
        self.encoder = encoder
        self.supports_latents = True
        self.latents_match_waveform = not any(isinstance(m, torch.nn.GroupNorm) for m in encoder.modules())
        self.frame_hop, self.frame_field = frame_geometry(kernels, strides)

    @property
    def waveform_rows(self) -> int:
        """Rows that ran the convolutional feature encoder so far (0 for models without one)."""
        return int(getattr(getattr(self, "encoder", None), "waveform_rows", 0))

    @torch.no_grad()
    def latents(self, x: torch.Tensor, baseline: torch.Tensor | None = None) -> torch.Tensor:
        """The feature encoder's latent frames [B, C, F] of waveforms ``x`` [B, T] (one encoder run).

        With a ``baseline`` [1, T] the result is [2, C, F]: the frames of ``x`` [1, T] and of the baseline, the
        baseline's normalised as in ``x``. wav2vec2-base's first convolution is followed by a GroupNorm over the
        whole clip; when a segment of the clip is silenced, that segment is still normalised with (nearly) the
        clip's statistics, not with those of a clip of pure silence. So the baseline's frames use the statistics
        of ``x``'s first layer, which makes replacing frames close to replacing samples."""
        if not self.supports_latents:
            raise NotImplementedError("this audio model has no convolutional feature encoder")
        if baseline is None:
            return self.encoder(x)
        layers = self.encoder.conv_layers
        first = layers[0]
        norm = getattr(first, "layer_norm", None)
        if not isinstance(norm, torch.nn.GroupNorm) or not hasattr(first, "conv"):
            return self.encoder(torch.cat([x, baseline]))
        self.encoder.waveform_rows = getattr(self.encoder, "waveform_rows", 0) + 2
        h = first.conv(torch.cat([x, baseline])[:, None].to(first.conv.weight.dtype))  # [2, C, T0]
        b, c, t = h.shape
        g = h.float().reshape(b, norm.num_groups, -1)
        mean = g[:1].mean(-1, keepdim=True)
        var = g[:1].var(-1, unbiased=False, keepdim=True)
        g = (g - mean) / torch.sqrt(var + norm.eps)
        h = g.reshape(b, c, t).to(h.dtype)
        if norm.affine:
            h = h * norm.weight[:, None] + norm.bias[:, None]
        h = first.activation(h)
        for layer in layers[1:]:
            h = layer(h)
        return h.to(x.dtype)

    def prepare(self, value) -> Prepared:
        value = _check(value, self.sample_rate)
        feats = self.extractor(value.waveform, sampling_rate=self.sample_rate, return_tensors="pt")
        return Prepared(
            inputs={"input_values": feats["input_values"].to(self.device, self.dtype)},
            info={"sample_rate": self.sample_rate, "seconds": value.seconds},
        )

    def _run(self, inputs, want_features):
        out = self.model(input_values=inputs["input_values"], output_hidden_states=want_features)
        feats = mean_pool(out.hidden_states[-1], None) if want_features else None
        return out.logits, feats


LOOPED_WORDS = ("Audio: speech recognition heard the same words over and over (music, a tone, or speech it could not "
                "make out?), so lite audio has nothing to judge.")  # speech: espeak-ng's Mandarin was heard so
NO_SPEECH = "Audio: no one speaks in the clip (music, noise or a tone?), so lite audio has nothing to judge."
NO_WORDS = "Audio: no words were recognised, so lite audio has nothing to judge."
# speech heard, then a stretch in which Whisper went round in a loop (``Transcript.dropped_looped``): the words
# heard are judged, the loop's are left out, said as what happened (it had said "not heard" of words a speaker said
# again, which are no loop now: ``lite.speech.said_again``)
LOOPED_TAIL = ("Audio: speech recognition went round in a loop from {at} s (the same words over and over, not timed "
               "as speech); the {n} word(s) it put there were left out of the transcript and of what lite audio "
               "judged.")
# Whisper's mark of a doubtful decode (its tokens' mean log-probability under ``lite.speech.UNSURE``): on the
# project's clips a fraction of a second of speech was heard as whole phrases ("Thank you very much.", -1.15; the
# full clips -0.14 to -0.67), so the words are judged but said to be doubtful
UNSURE_HEARD = ("Audio: speech recognition was unsure of the words it heard (a very short or unclear clip is often "
                "misheard); check the transcript before trusting the voice's verdict.")
# words heard in under a second of speech (``Transcript.short``): 0.8 s cut from the examples was heard as "I hate to
# lose." and "Let me dig in that" with Whisper's own figures raising no doubt; said, with how much speech there was
SHORT_HEARD = ("Audio: the clip holds only {seconds} s of speech, too little for speech recognition to be sure of its "
               "words; check the transcript before trusting the voice's verdict.")
# a clip under ``lite.speech.TOO_SHORT``: Whisper put made-up words to it ("I know." to 0.2 s of "I love this")
TOO_SHORT = ("Audio: the clip lasts only {seconds} s, too short for speech recognition to make out words (it needs "
             "{least} s at least), so lite audio has nothing to judge.")


def _why_not(heard, seconds: float) -> tuple[str, str]:
    """Why lite audio has nothing to judge in a transcript of a clip of ``seconds`` (a clause) and its notice;
    ("", "") when it has. Words Whisper put to a tone or music (a decode that went round in a loop) are not judged,
    nor a clip too short to carry words; merely unlikely words are (a thick accent, a synthetic voice)."""
    from msa_demo.lite.speech import TOO_SHORT as LEAST

    if heard.looped:
        return "speech recognition heard only the same words over and over in the audio clip", LOOPED_WORDS
    if heard.no_speech:
        return "no one speaks in the audio clip", NO_SPEECH
    if heard.too_short:
        return ("the audio clip is too short for its words to be made out",
                TOO_SHORT.format(seconds=f"{seconds:.2g}", least=f"{LEAST:g}"))
    if not heard.words:
        return "no words were recognised in the audio clip", NO_WORDS
    return "", ""


class SpeechTranscript(EncoderWithHead):
    """Lite audio: offline speech recognition (Whisper base), then the lite text model on what was said.

    It judges the words, not the tone of voice. ``info`` keeps the transcript, each word's timing and character
    span (``words``, ``word_chars``) and the spoken language Whisper detected, so that audio explanations can
    follow the recognised words and the language check can use what was heard. ``options['speech_language']``
    (an ISO 639-1 code) skips Whisper's language detection, for a deployment whose speakers use one language.
    A clip in which it hears no words abstains (``nothing_to_judge``): the verdict of an empty transcript would be
    the text model's guess at nothing, pulling the fused verdict toward it.
    """

    name = "audio"
    sample_rate = 16000

    def load(self) -> None:
        from msa_demo.lite.speech import get_model

        super().load()
        get_model()  # a missing package or model is a load error (one line), not a failure at the first clip

    def hear(self, value):
        """The clip's transcript (Whisper runs once per clip: ``lite.speech`` keeps it)."""
        from msa_demo.lite.speech import transcribe

        return transcribe(value.waveform, self.sample_rate, self.spec.options.get("speech_language"))

    def nothing_to_judge(self, value) -> tuple[str, str]:
        """("", "") when the clip holds words to judge, else why not (a clause) and its notice."""
        return _why_not(self.hear(value), value.seconds)

    def prepare(self, value) -> Prepared:
        from msa_demo.lite.speech import EMPTY, SOURCE

        value = _check(value, self.sample_rate)
        heard = self.hear(value)
        why, notice = _why_not(heard, value.seconds)
        transcript = EMPTY if why else heard
        if not notice and heard.short:
            notice = SHORT_HEARD.format(seconds=f"{heard.speech_seconds:.1f}")
        notice = notice or (UNSURE_HEARD if heard.unsure else "")
        notices = [notice] if notice and notice not in value.notices else []
        if transcript.dropped_looped:
            notices.append(LOOPED_TAIL.format(at=f"{transcript.looped_at:.1f}", n=transcript.dropped_looped))
        prepared = super().prepare(TextInput(transcript.text))
        prepared.notices = notices + [n.replace("Text:", "Transcript:") for n in prepared.notices]
        prepared.info.update(
            transcript=transcript.text,
            heard_by=SOURCE,  # the recogniser, named in a report's "models:" line before the model reading the words
            words=[w.to_dict() for w in transcript.words],
            word_chars=[list(s) for s in transcript.char_spans()],
            language=transcript.language,
            language_probability=transcript.language_probability,
            dropped_at_cut=transcript.dropped_at_cut,
            dropped_looped=transcript.dropped_looped,
            unsure=bool(transcript.words) and transcript.unsure,  # the words' map is marked in the trust table
            sample_rate=self.sample_rate,
            seconds=value.seconds,
        )
        return prepared


FAMILIES = {"hf-audio-classifier": HFAudioClassifier, "speech-transcript": SpeechTranscript}
