"""The multimodal model on tiny random models loaded through the real preset/loading code."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest

from msa_demo.config import load_preset
from msa_demo.errors import InputError, ModelLoadError
from msa_demo.model import MultimodalSentimentModel, pick_device

SUBSETS = [c for r in (1, 2, 3) for c in itertools.combinations(("text", "image", "audio"), r)]


@pytest.fixture(scope="module")
def raw(rgb_image_module, tone_module):
    return {"text": "I love this wonderful day", "image": rgb_image_module, "audio": (16000, tone_module)}


@pytest.fixture(scope="module")
def rgb_image_module():
    from PIL import Image

    return Image.fromarray(np.random.default_rng(3).integers(0, 255, (40, 50, 3), dtype=np.uint8))


@pytest.fixture(scope="module")
def tone_module():
    return (0.3 * np.sin(2 * np.pi * 220 * np.arange(16000) / 16000)).astype(np.float32)


def test_loaded_models_read_their_own_labels(tiny_model):
    assert tiny_model.modalities["text"].labels == ["positive", "negative", "neutral"]
    assert tiny_model.modalities["audio"].labels == ["sad", "neu", "ang", "hap"]
    assert tiny_model.describe()["device"] == "CPU"


@pytest.mark.parametrize("subset", SUBSETS, ids=["+".join(s) for s in SUBSETS])
def test_every_subset_predicts_and_probabilities_sum_to_one(tiny_model, raw, subset):
    pred = tiny_model.predict(**{m: raw[m] for m in subset})
    assert pred.used == list(subset)
    assert sum(pred.probs.values()) == pytest.approx(1.0, abs=1e-5)
    assert pred.label == max(pred.probs, key=pred.probs.get)
    for m in subset:
        assert sum(pred.modalities[m].probs.values()) == pytest.approx(1.0, abs=1e-5)
        assert sum(pred.modalities[m].label_probs.values()) == pytest.approx(1.0, abs=1e-5)
    json.dumps(pred.to_dict())  # serialisable as is


@pytest.mark.parametrize("off", ["text", "image", "audio"])
def test_switching_off_equals_omitting(tiny_model, raw, off):
    toggled = tiny_model.predict(**raw, use=[m for m in raw if m != off])
    omitted = tiny_model.predict(**{m: v for m, v in raw.items() if m != off})
    assert toggled.probs == omitted.probs
    assert toggled.switched_off == [off] and off not in toggled.modalities


def test_every_input_switched_off_is_refused_not_answered_with_the_prior(tiny_model, raw):
    """A verdict from nothing read would be the fusion's prior (a third each, "negative" by the tie's order): none is
    given when every input is switched off, nor when nothing is given."""
    from msa_demo import i18n
    from msa_demo.errors import InputError

    with pytest.raises(InputError) as err:
        tiny_model.predict(text=raw["text"], use=["image", "audio"])
    assert str(err.value) == "Every input given is switched off (text), so there is no verdict: switch at least one on."
    with pytest.raises(InputError, match=r"switched off \(text, audio\)"):
        tiny_model.predict(text=raw["text"], audio=raw["audio"], use=["image"])
    assert tiny_model.predict(text=raw["text"], image=raw["image"], use=["image"]).used == ["image"]
    with pytest.raises(InputError) as err:  # nothing given at all: the same, not a third each
        tiny_model.predict(text=None, audio=None)
    assert str(err.value) == "Give at least one input: text, image, audio or video."
    assert i18n.said(str(err.value), "zh") == "请至少给出一个输入：文字、图片、音频或视频。"


def test_text_that_holds_nothing_once_cleaned_is_told_what_it_holds_not_to_give_an_input(tiny_model, raw):
    """"\x00\x00\x00" or spaces alone had been told "Give at least one input: type some text, ...", though text was
    typed: what the text holds is said instead (in Chinese too). Beside another input such a text is no input, as
    before."""
    from msa_demo import i18n
    from msa_demo.errors import InputError

    for text, what in (("\x00\x00\x00", "control characters"), ("   \n\t", "spaces"),
                       (" \x1b[31m \u200b", "spaces, control characters and invisible characters"),
                       ("<b></b>", "HTML tags")):
        with pytest.raises(InputError) as err:
            tiny_model.predict(text=text)
        assert str(err.value) == (f"The text holds only {what}, so there are no words to read: type some words, or "
                                  "give another input."), text
        assert err.value.modality == "text"
        assert i18n.said(str(err.value), "zh").startswith("文字里只有"), i18n.said(str(err.value), "zh")
        assert tiny_model.predict(text=text, image=raw["image"]).used == ["image"]
    assert i18n.said(str(err.value), "zh") == "文字里只有HTML 标签，没有可读的词语：请输入一些词语，或给出其他输入。"


def test_weighted_fusion_is_the_weighted_mean_of_present_modalities(tiny_model, raw):
    pred = tiny_model.predict(**raw)
    w = {m: tiny_model.preset.modalities[m].weight for m in raw}
    for s in pred.probs:
        expected = sum(w[m] * pred.modalities[m].probs[s] for m in raw) / sum(w.values())
        assert pred.probs[s] == pytest.approx(expected, abs=1e-6)


def test_toggles_reuse_cached_encoder_outputs(tiny_preset_path, raw):
    model = MultimodalSentimentModel.from_preset(str(tiny_preset_path), device="cpu")
    model.predict(**raw)
    runs = model.encoder_runs
    assert runs == 3
    for use in (["text"], ["image", "audio"], ["text", "image", "audio"]):
        model.predict(**raw, use=use)
    assert model.encoder_runs == runs
    model.predict(text="a different sentence")
    assert model.encoder_runs == runs + 1
    model.forget()  # nothing kept: every encoder runs again
    model.predict(**raw)
    assert model.encoder_runs == runs + 1 + 3


def test_a_cached_encoding_does_not_bring_another_file_s_notices(tiny_preset_path, raw):
    """The encoders' cache is keyed by the pixels, samples or characters alone: a single-page PNG with a two-page
    TIFF's pixels was told "a picture of 2 pages", a 30 s clip "only the first 30 s of 600 s were used". Each
    prediction says the notices of the files it was given, whatever the cache holds."""
    from msa_demo.inputs import AudioInput, ImageInput, Inputs, TextInput

    model = MultimodalSentimentModel.from_preset(str(tiny_preset_path), device="cpu")
    pages, cut, said = "Image: a picture of 2 pages.", "Audio: only the first 1 s of 600 s were used.", "Text: cut."
    audio = np.asarray(raw["audio"][1], dtype=np.float32)
    first = Inputs(text=TextInput(raw["text"], notices=[said]), image=ImageInput(raw["image"], notices=[pages]),
                   audio=AudioInput(audio, 16000, notices=[cut]))
    assert {pages, cut, said} <= set(model.predict(inputs=first).notices)
    runs = model.encoder_runs
    again = Inputs(text=TextInput(raw["text"]), image=ImageInput(raw["image"]), audio=AudioInput(audio, 16000))
    pred = model.predict(inputs=again)
    assert model.encoder_runs == runs  # read from the cache
    assert not {pages, cut, said} & set(pred.notices)


def test_vit_image_family_loads_through_the_same_code(tiny_vit_preset_path, raw):
    model = MultimodalSentimentModel.from_preset(str(tiny_vit_preset_path), device="cpu")
    assert model.modalities["image"].labels == ["surprise", "happy", "angry", "neutral", "sad"]
    pred = model.predict(image=raw["image"])
    assert sum(pred.probs.values()) == pytest.approx(1.0, abs=1e-5)


def test_tiny_tokenizer_reads_its_vocabulary(tiny_model):
    from msa_demo.inputs import TextInput

    info = tiny_model.modalities["text"].prepare(TextInput("I love it, 你好!")).info
    assert info["tokens"][:4] == ["[CLS]", "i", "love", "it"]
    assert info["special_mask"][0] and not any(info["special_mask"][1:-1])
    assert info["offsets"][2] == (2, 6)


def test_long_text_is_truncated_to_the_model_limit_with_notice(tiny_model):
    pred = tiny_model.predict(text=" ".join(["good"] * 200))
    assert any("only the first 64 of" in n for n in pred.notices)


def test_unknown_modality_and_device_are_clear_errors(tiny_model, raw):
    with pytest.raises(InputError, match=r"^Unknown modality 'smell'; use "):  # not a Python list ['smell']
        tiny_model.predict(**raw, use=["smell"])
    with pytest.raises(InputError, match=r"^Unknown modalities 'smell', 'taste'; use "):
        tiny_model.predict(**raw, use=["taste", "smell"])
    with pytest.raises(InputError, match="Unknown device"):
        pick_device("toaster")


def test_missing_model_files_give_one_clear_line(tiny_preset_path, tmp_path):
    preset = load_preset(str(tiny_preset_path))
    data = preset.to_dict()
    data["modalities"]["text"]["model_id"] = str(tmp_path)  # an empty directory
    with pytest.raises(ModelLoadError, match="Cannot load the model at"):
        from msa_demo.config import Preset

        MultimodalSentimentModel(Preset.from_dict(data), device="cpu")


def test_hub_preset_offline_says_why(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", "/nonexistent-hf-cache")
    with pytest.raises(ModelLoadError, match="Hub cannot be reached and no cached copy"):
        MultimodalSentimentModel.from_preset("hub", device="cpu")
