"""Small models whose cause is planted: the right answer is known by construction (the
explainer tests use them through conftest's ``planted`` fixture, or build their own from these parts).

- text: only the token "great" has a component along the sentiment direction;
- image: only the brightness of the top-left cell (1/7 × 1/7 of the picture) matters;
- audio: only the energy between 1.0 and 1.5 s matters;
- fusion: additive, fused = 1/3 + sum_m w_m (p_m - 1/3), so modality m's Shapley value is w_m (p_m[t] - 1/3).
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np
import torch
from PIL import Image
from torch import nn

from msa_demo.config import SENTIMENTS, ModalitySpec, Preset
from msa_demo.inputs import AudioInput, ImageInput, Inputs, TextInput
from msa_demo.modalities import Modality, Prepared
from msa_demo.modalities.image import _ImageBase
from msa_demo.modalities.text import _TextBase

LABELS = {0: "negative", 1: "neutral", 2: "positive"}
IDENTITY = {s: s for s in SENTIMENTS}
VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "movie", "was", "great", "and", "food", "service",
         "today", "we", "ate", "a", "long", "dinner", "at", "night", "##s"]
CAUSE = "great"


def three_logits(s: torch.Tensor) -> torch.Tensor:
    return torch.stack([-s, torch.zeros_like(s), s], dim=-1)


class PlantedTextNet(nn.Module):
    def __init__(self, cause_id: int) -> None:
        super().__init__()
        g = torch.Generator().manual_seed(0)
        emb = torch.randn(len(VOCAB), 8, generator=g)
        emb[:, 0] = 0.0
        emb[cause_id, 0] = 2.0  # only the cause has a component along the sentiment direction
        self.emb = nn.Embedding(len(VOCAB), 8)
        self.emb.weight.data.copy_(emb)
        self.direction = nn.Parameter(torch.eye(8)[0])

    def get_input_embeddings(self) -> nn.Module:
        return self.emb


class PlantedText(_TextBase):
    def load(self) -> None:
        from transformers import DistilBertTokenizerFast

        self.tokenizer = DistilBertTokenizerFast(vocab={t: i for i, t in enumerate(VOCAB)}, model_max_length=64)
        self.net = PlantedTextNet(VOCAB.index(CAUSE)).eval().requires_grad_(False)
        self.id2label = dict(LABELS)
        self.max_length = 64

    def encoder_model(self) -> nn.Module:
        return self.net

    def _run(self, inputs, want_features):
        e = self.net.emb(inputs["input_ids"])
        mask = inputs["attention_mask"].unsqueeze(-1).to(e.dtype)
        s = ((e * mask) @ self.net.direction).sum(1)
        return three_logits(s), (e.mean(1) if want_features else None)


S = 28  # model input side; a 7 x 7 grid makes 4-pixel cells; the cause is cell r1c1


class WeightedTextNet(nn.Module):
    def __init__(self, emb: torch.Tensor) -> None:
        super().__init__()
        self.emb = nn.Embedding.from_pretrained(emb)

    def get_input_embeddings(self) -> nn.Module:
        return self.emb


class WeightedText(_TextBase):
    """Each word a planted weight (``weights``; an unknown word 0): s = ``bias`` + the sum of the words' weights,
    logits (-s, 1, s). A subclass sets ``weights`` (and ``bias``); :func:`weighted_text_model` builds one."""

    weights: dict[str, float] = {}
    bias = 0.0

    @classmethod
    def vocab(cls) -> list[str]:
        return ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *cls.weights]

    def load(self) -> None:
        from transformers import DistilBertTokenizerFast

        vocab = self.vocab()
        self.tokenizer = DistilBertTokenizerFast(vocab={t: i for i, t in enumerate(vocab)}, model_max_length=64)
        emb = torch.zeros(len(vocab), 4)
        for word, w in self.weights.items():
            emb[vocab.index(word), 0] = w
        emb[:, 1] = torch.arange(len(vocab)) / len(vocab)  # a component the score never reads
        self.net = WeightedTextNet(emb).eval()
        self.id2label = dict(LABELS)
        self.max_length = 64

    def encoder_model(self):
        return self.net

    def _run(self, inputs, want_features):
        e = self.net.emb(inputs["input_ids"])
        mask = inputs["attention_mask"].unsqueeze(-1).to(e.dtype)
        s = self.bias + (e * mask)[..., 0].sum(1)
        return torch.stack([-s, torch.ones_like(s), s], dim=-1), (e.mean(1) if want_features else None)


def weighted_text_model(cls: type[WeightedText]):
    """A model of the text alone, read by ``cls`` (a :class:`WeightedText`), fused additively."""
    return build_model({"text": cls(planted_spec("planted-text"), torch.device("cpu"), torch.float32)},
                       AdditiveFusion())


class PlantedImageNet(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        w = torch.zeros(S, S)
        w[:4, :4] = 1.0 / 16
        self.weight = nn.Parameter(w)


class PlantedImage(_ImageBase):
    size = S

    def load(self) -> None:
        self.net = PlantedImageNet().eval().requires_grad_(False)
        self.id2label = dict(LABELS)
        self.processor = type("P", (), {"image_mean": [0.0, 0.0, 0.0], "image_std": [1.0, 1.0, 1.0]})()

    def _processed(self, crop: Image.Image) -> torch.Tensor:
        arr = np.asarray(crop.resize((S, S), Image.BILINEAR), dtype=np.float32) / 255.0
        return torch.from_numpy(arr).permute(2, 0, 1).unsqueeze(0)

    def _run(self, inputs, want_features):
        grey = inputs["pixel_values"].mean(1)  # [B, S, S]
        s = 8.0 * ((grey * self.net.weight).sum((-2, -1)) - 0.5)
        return three_logits(s), (grey.flatten(1)[:, :4] if want_features else None)


RATE = 1000  # 2 s clips -> 8 segments of 0.25 s; the cause is 1.0-1.5 s (segments 5 and 6)


class PlantedAudioNet(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        w = torch.zeros(20)  # 20 frames of 0.1 s
        w[10:15] = 1.0
        self.frames = nn.Parameter(w)


class PlantedAudio(Modality):
    name = "audio"
    attr_key = "input_values"
    sample_rate = RATE

    def load(self) -> None:
        self.net = PlantedAudioNet().eval().requires_grad_(False)
        self.id2label = dict(LABELS)

    def prepare(self, value) -> Prepared:
        wave = torch.from_numpy(np.asarray(value.waveform, dtype=np.float32)).unsqueeze(0)
        return Prepared(inputs={"input_values": wave}, info={"sample_rate": RATE, "seconds": value.seconds})

    def _run(self, inputs, want_features):
        x = inputs["input_values"][:, : 20 * 100]
        energy = (x.reshape(x.shape[0], 20, 100) ** 2).mean(-1)  # [B, 20]
        s = 0.8 * (energy @ self.net.frames) - 0.6
        return three_logits(s), (energy if want_features else None)


WEIGHTS = {"text": 0.5, "image": 0.3, "audio": 0.2}


class AdditiveFusion:
    kind = "additive"

    def __call__(self, probs, features=None):
        b = next(iter(probs.values())).shape[0] if probs else 1
        out = torch.full((b, 3), 1.0 / 3)
        for m, p in probs.items():
            out = out + WEIGHTS[m] * (p.reshape(-1, 3).float() - 1.0 / 3)
        return out

    def describe(self):
        return {"kind": self.kind, "weights": WEIGHTS}


def build_model(modalities: dict[str, Modality], fusion) -> "object":
    """A MultimodalSentimentModel from ready Modality instances and a fusion (test helper)."""
    from msa_demo.model import MultimodalSentimentModel

    model = object.__new__(MultimodalSentimentModel)
    model.preset = Preset(name="planted", description="planted causes",
                          modalities={m: mod.spec for m, mod in modalities.items()})
    model.device, model.dtype = torch.device("cpu"), torch.float32
    model.modalities = dict(modalities)
    model.fusion = fusion
    model._cache = OrderedDict()
    model._cache_lock = threading.Lock()
    model.encoder_runs = 0
    return model


def planted_spec(family: str) -> ModalitySpec:
    return ModalitySpec(family=family, model_id="planted", revision="test", label_map=dict(IDENTITY))


def planted_model():
    """Text, image and audio with their planted causes, additively fused (conftest's ``planted`` fixture)."""
    cpu = torch.device("cpu")
    mods = {"text": PlantedText(planted_spec("planted-text"), cpu, torch.float32),
            "image": PlantedImage(planted_spec("planted-image"), cpu, torch.float32),
            "audio": PlantedAudio(planted_spec("planted-audio"), cpu, torch.float32)}
    return build_model(mods, AdditiveFusion())


def planted_inputs() -> Inputs:
    img = np.full((56, 56, 3), 40, dtype=np.uint8)
    img[:8, :8] = 255  # bright top-left cell: the cause
    rng = np.random.default_rng(0)
    t = np.arange(2 * RATE) / RATE
    wave = (0.3 * rng.standard_normal(2 * RATE)).astype(np.float32)
    wave[1000:1500] += (0.8 * np.sin(2 * np.pi * 50 * t[1000:1500])).astype(np.float32)  # loud 1.0-1.5 s
    return Inputs(
        text=TextInput("the movie was great and the food service today"),
        image=ImageInput(Image.fromarray(img), [], (56, 56)),
        audio=AudioInput(wave, RATE, [], 2.0),
    )


def positive_share(scores, index) -> float:
    s = np.clip(np.asarray(scores, dtype=np.float64), 0, None)
    return float(s[index].sum() / s.sum()) if s.sum() > 0 else 0.0
