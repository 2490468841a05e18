"""Tiny random models of the Hub preset's architecture families, saved with ``save_pretrained``.

They make a complete preset that loads through the same code as Hub ids, with no network: for tests,
for trying the CLI and the app offline, and (at full size) for GPU benchmarks where only speed matters.
Their predictions are random; their shapes, processors and label handling are real.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import torch

from msa_demo.config import (CLIP_PROMPTS, FACE_EXPRESSIONS, HUB_AUDIO, HUB_CLIP, HUB_TEXT, ModalitySpec, Preset,
                             save_preset)

WORDS = (
    "good great love happy wonderful excellent nice fine ok okay meeting room table day the a is it this that "
    "bad terrible hate sad awful angry worst not very and i you we was are movie food service today"
).split()

# Deliberately not in SENTIMENTS order: the label mapping must read id2label, never assume an order.
TEXT_LABELS = {0: "positive", 1: "negative", 2: "neutral"}
AUDIO_LABELS = {0: "sad", 1: "neu", 2: "ang", 3: "hap"}
FACE_LABELS = {0: "surprise", 1: "happy", 2: "angry", 3: "neutral", 4: "sad"}
# The seven FER2013 expressions of a facial-expression ViT (hub-face), in an order of our own: read from id2label.
FER_LABELS = {0: "neutral", 1: "sad", 2: "happy", 3: "fear", 4: "surprise", 5: "angry", 6: "disgust"}


# The architecture sizes of the Hub preset's models, as their config.json on the Hub gives them (the model cards of
# lxyuan/distilbert-base-multilingual-cased-sentiments-student, openai/clip-vit-base-patch32 and
# superb/wav2vec2-base-superb-er): the "base" models built here must match them, or every base-preset benchmark
# measures another model (tests/test_tiny.py checks the table against the hub preset's ids and the configs).
HUB_IDS = {"text": HUB_TEXT.model_id, "image": HUB_CLIP.model_id, "audio": HUB_AUDIO.model_id}
HUB_SIZES = {
    "lxyuan/distilbert-base-multilingual-cased-sentiments-student": {"model_type": "distilbert", "vocab_size": 119547, "dim": 768, "hidden_dim": 3072, "n_layers": 6,
             "n_heads": 12, "max_position_embeddings": 512},
    "openai/clip-vit-base-patch32": {"model_type": "clip", "projection_dim": 512,
              "vision_config": {"hidden_size": 768, "intermediate_size": 3072, "num_hidden_layers": 12,
                                "num_attention_heads": 12, "image_size": 224, "patch_size": 32},
              "text_config": {"vocab_size": 49408, "hidden_size": 512, "intermediate_size": 2048,
                              "num_hidden_layers": 12, "num_attention_heads": 8, "max_position_embeddings": 77}},
    "superb/wav2vec2-base-superb-er": {"model_type": "wav2vec2", "hidden_size": 768, "num_hidden_layers": 12, "num_attention_heads": 12,
              "intermediate_size": 3072, "conv_dim": [512] * 7, "conv_stride": [5, 2, 2, 2, 2, 2, 2],
              "conv_kernel": [10, 3, 3, 3, 3, 2, 2], "num_conv_pos_embeddings": 128,
              "num_conv_pos_embedding_groups": 16, "classifier_proj_size": 256},
}


def text_config(base: bool = False, vocab_size: int = 0):
    """The DistilBERT sequence classifier's config: the Hub text model's sizes (base) or a tiny one."""
    from transformers import DistilBertConfig

    size = {k: v for k, v in HUB_SIZES[HUB_IDS["text"]].items() if k != "model_type"} if base else dict(
        vocab_size=vocab_size, dim=32, hidden_dim=64, n_layers=2, n_heads=2, max_position_embeddings=64)
    return DistilBertConfig(**size, id2label=TEXT_LABELS, label2id={v: k for k, v in TEXT_LABELS.items()})


def _text(root: Path, seed: int, base: bool = False) -> Path:
    from transformers import DistilBertForSequenceClassification, DistilBertTokenizerFast

    out = root / "text"
    out.mkdir(parents=True, exist_ok=True)
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + WORDS + [chr(c) for c in range(97, 123)]
    vocab += ["##" + chr(c) for c in range(97, 123)] + list(".,!?'") + ["你", "好", "很", "坏"]
    tok = DistilBertTokenizerFast(vocab={t: i for i, t in enumerate(vocab)}, model_max_length=512 if base else 64)
    torch.manual_seed(seed)
    DistilBertForSequenceClassification(text_config(base, len(vocab))).save_pretrained(out)
    tok.save_pretrained(out)
    return out


def clip_config(base: bool = False, vocab: dict[str, int] | None = None):
    """CLIP's config: openai/clip-vit-base-patch32's sizes (base) or a tiny one; ``vocab`` the tokenizer's."""
    from transformers import CLIPConfig

    vocab = vocab or {"<|startoftext|>": 0, "<|endoftext|>": 1}
    special = dict(bos_token_id=vocab["<|startoftext|>"], eos_token_id=vocab["<|endoftext|>"],
                   pad_token_id=vocab["<|endoftext|>"])
    if base:
        sizes = HUB_SIZES[HUB_IDS["image"]]
        return CLIPConfig(text_config={**sizes["text_config"], **special}, vision_config=dict(sizes["vision_config"]),
                          projection_dim=sizes["projection_dim"])
    return CLIPConfig(
        text_config=dict(vocab_size=len(vocab), hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                         num_attention_heads=2, max_position_embeddings=128, **special),
        vision_config=dict(hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=2,
                           image_size=32, patch_size=8),
        projection_dim=16,
    )


def _clip(root: Path, seed: int, base: bool = False) -> Path:
    from transformers import CLIPImageProcessor, CLIPModel, CLIPProcessor, CLIPTokenizer

    out = root / "clip"
    out.mkdir(parents=True, exist_ok=True)
    letters = [chr(c) for c in range(97, 123)] + list(",.'-")
    vocab = {t: i for i, t in enumerate(letters + [c + "</w>" for c in letters] + ["<|startoftext|>", "<|endoftext|>"])}
    (out / "vocab.json").write_text(json.dumps(vocab), encoding="utf-8")
    (out / "merges.txt").write_text("#version: 0.2\n", encoding="utf-8")
    tok = CLIPTokenizer(vocab_file=str(out / "vocab.json"), merges_file=str(out / "merges.txt"))
    px = 224 if base else 32
    images = CLIPImageProcessor(size={"shortest_edge": px}, crop_size={"height": px, "width": px})
    torch.manual_seed(seed)
    CLIPModel(clip_config(base, vocab)).save_pretrained(out)
    CLIPProcessor(image_processor=images, tokenizer=tok).save_pretrained(out)
    return out


def _vit(root: Path, seed: int, labels: dict[int, str] = FACE_LABELS, name: str = "vit") -> Path:
    from transformers import ViTConfig, ViTForImageClassification, ViTImageProcessor

    out = root / name
    out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(seed)
    cfg = ViTConfig(image_size=32, patch_size=8, hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                    intermediate_size=64, id2label=labels, label2id={v: k for k, v in labels.items()})
    ViTForImageClassification(cfg).save_pretrained(out)
    ViTImageProcessor(size={"height": 32, "width": 32}).save_pretrained(out)
    return out


def face_expression_spec(root: str | Path, seed: int = 0) -> ModalitySpec:
    """A tiny ViT facial-expression classifier (seven FER2013 expressions), the shape of hub-face's image
    entry (``trpakov/vit-face-expression``), saved under ``root/vit_face`` and mapped through its id2label."""
    path = _vit(Path(root), seed, FER_LABELS, "vit_face")
    return ModalitySpec(family="hf-image-classifier", model_id=str(path), revision="local",
                        label_map=dict(FACE_EXPRESSIONS), licence="test")


def wav2vec2_config(base: bool = False):
    """The wav2vec2 audio classifier's config: superb/wav2vec2-base-superb-er's sizes (base) or a tiny one."""
    from transformers import Wav2Vec2Config

    size = {k: v for k, v in HUB_SIZES[HUB_IDS["audio"]].items() if k != "model_type"} if base else dict(
        hidden_size=32, num_hidden_layers=2, num_attention_heads=2, intermediate_size=64, conv_dim=(16, 16, 16),
        conv_stride=(5, 4, 4), conv_kernel=(10, 4, 4), num_conv_pos_embeddings=16, num_conv_pos_embedding_groups=2,
        classifier_proj_size=16)
    return Wav2Vec2Config(**size, id2label=AUDIO_LABELS, label2id={v: k for k, v in AUDIO_LABELS.items()})


def _wav2vec2(root: Path, seed: int, base: bool = False) -> Path:
    from transformers import Wav2Vec2FeatureExtractor, Wav2Vec2ForSequenceClassification

    out = root / "wav2vec2"
    out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(seed)
    Wav2Vec2ForSequenceClassification(wav2vec2_config(base)).save_pretrained(out)
    Wav2Vec2FeatureExtractor(sampling_rate=16000, do_normalize=True, return_attention_mask=False).save_pretrained(out)
    return out


def build_tiny_preset(root: str | Path, seed: int = 0, image_family: str = "hf-clip-zero-shot",
                      size: str = "tiny") -> Path:
    """Build random models under ``root`` and write ``root/<size>.json``, a preset naming their directories.

    image_family: ``hf-clip-zero-shot`` (hub), ``face-expression`` (hub-face: a seven-expression ViT) or
    ``hf-image-classifier`` (a five-label ViT).

    size "tiny": a few thousand parameters each (tests). size "base": the Hub preset's full sizes
    (DistilBERT-base multilingual, CLIP ViT-B/32, wav2vec2-base: :data:`HUB_SIZES`) with random weights, for speed
    benchmarks.
    """
    if size not in ("tiny", "base"):
        raise ValueError("size must be 'tiny' or 'base'")
    base = size == "base"
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    root = Path(root)
    random.seed(seed)
    text = _text(root, seed, base)
    audio = _wav2vec2(root, seed + 2, base)
    if image_family == "face-expression":
        image = face_expression_spec(root, seed + 1)
    elif image_family == "hf-clip-zero-shot":
        image = ModalitySpec(family=image_family, model_id=str(_clip(root, seed + 1, base)), revision="local",
                             label_map=dict(CLIP_PROMPTS), licence="test")
    else:
        image = ModalitySpec(family=image_family, model_id=str(_vit(root, seed + 1)), revision="local",
                             label_map={"surprise": "neutral", "happy": "positive", "angry": "negative",
                                        "neutral": "neutral", "sad": "negative"}, licence="test")
    preset = Preset(
        name=size,
        description=f"{size.capitalize()} random models (tests, offline trials, benchmarks): predictions are meaningless.",
        modalities={
            "text": ModalitySpec(family="hf-text-classifier", model_id=str(text), revision="local",
                                 label_map={"negative": "negative", "neutral": "neutral", "positive": "positive"},
                                 licence="test"),
            "image": image,
            "audio": ModalitySpec(family="hf-audio-classifier", model_id=str(audio), revision="local",
                                  label_map={"neu": "neutral", "hap": "positive", "ang": "negative", "sad": "negative"},
                                  licence="test"),
        },
    )
    return save_preset(preset, root / f"{size}.json")
