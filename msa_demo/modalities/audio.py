"""Audio: a Hub speech-emotion classifier (wav2vec2 family), or lite speech: recognised words -> text head."""

from __future__ import annotations

import numpy as np

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


class HFAudioClassifier(Modality):
    """Any transformers audio classifier; ``input_values`` is the (normalised) waveform at the model's rate."""

    name = "audio"
    attr_key = "input_values"

    def load(self) -> None:
        from transformers import AutoFeatureExtractor, AutoModelForAudioClassification

        self.extractor = from_pretrained(AutoFeatureExtractor, self.spec)
        self.model = from_pretrained(AutoModelForAudioClassification, self.spec, use_safetensors=True, dtype=self.dtype)
        self.model.to(self.device).eval().requires_grad_(False)
        self.id2label = {int(k): v for k, v in self.model.config.id2label.items()}
        self.sample_rate = int(getattr(self.extractor, "sampling_rate", 16000))

    def prepare(self, value) -> Prepared:
        value = _check(value, self.sample_rate)
        feats = self.extractor(value.waveform, sampling_rate=self.sample_rate, return_tensors="pt")
        return Prepared(
            inputs={"input_values": feats["input_values"].to(self.device, self.dtype)},
            info={"sample_rate": self.sample_rate, "seconds": value.seconds},
            notices=list(value.notices),
        )

    def _run(self, inputs, want_features):
        out = self.model(input_values=inputs["input_values"], output_hidden_states=want_features)
        feats = mean_pool(out.hidden_states[-1], None) if want_features else None
        return out.logits, feats


class SpeechTranscript(EncoderWithHead):
    """Lite audio: offline speech recognition, then the lite text head on what was said.

    It judges the words, not the tone of voice. ``info['words']`` keeps each word's timing so that
    audio explanations can follow the recognised words.
    """

    name = "audio"
    sample_rate = 16000

    def prepare(self, value) -> Prepared:
        from msa_demo.lite.speech import transcribe

        value = _check(value, self.sample_rate)
        transcript = transcribe(value.waveform, self.sample_rate)
        notices = list(value.notices)
        if not transcript.words:
            notices.append("Audio: no words were recognised, so lite audio has nothing to judge.")
        prepared = super().prepare(TextInput(transcript.text))
        prepared.notices = notices + [n.replace("Text:", "Transcript:") for n in prepared.notices]
        prepared.info.update(
            transcript=transcript.text,
            words=[w.to_dict() if hasattr(w, "to_dict") else dict(w.__dict__) for w in transcript.words],
            sample_rate=self.sample_rate,
            seconds=value.seconds,
        )
        return prepared


FAMILIES = {"hf-audio-classifier": HFAudioClassifier, "speech-transcript": SpeechTranscript}
