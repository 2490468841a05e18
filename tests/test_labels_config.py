"""Label mapping reads each model's id2label (never an assumed order); presets load from files."""

from __future__ import annotations

import json
import random

import pytest
import torch

from msa_demo.config import LITE, PRESETS, ModalitySpec, Preset, load_preset, save_preset
from msa_demo.errors import InputError, ModelLoadError
from msa_demo.labels import sentiment_matrix, to_sentiment

SER_MAP = {"neu": "neutral", "hap": "positive", "ang": "negative", "sad": "negative"}


@pytest.mark.parametrize("seed", range(6))
def test_shuffled_id2label_maps_each_label_to_its_sentiment(seed):
    labels = ["neu", "hap", "ang", "sad"]
    random.Random(seed).shuffle(labels)
    id2label = dict(enumerate(labels))
    mat = sentiment_matrix(id2label, SER_MAP)
    # all probability on one label -> all sentiment probability on that label's sentiment
    for i, label in id2label.items():
        onehot = torch.zeros(4)
        onehot[i] = 1.0
        out = to_sentiment(onehot, mat)
        expected = ["negative", "neutral", "positive"].index(SER_MAP[label])
        assert out.argmax().item() == expected and out[expected] == 1.0


def test_two_negative_labels_add_up_and_string_keys_work():
    mat = sentiment_matrix({"0": "ANG", "1": "sad", "2": "hap", "3": "neu"}, SER_MAP)
    out = to_sentiment(torch.tensor([0.2, 0.3, 0.4, 0.1]), mat)
    assert out.tolist() == pytest.approx([0.5, 0.1, 0.4])


def test_ignored_label_is_dropped_and_rest_renormalised():
    mat = sentiment_matrix({0: "pos", 1: "noise", 2: "neg"}, {"pos": "positive", "noise": "ignore", "neg": "negative"})
    out = to_sentiment(torch.tensor([0.3, 0.4, 0.3]), mat)
    assert out.tolist() == pytest.approx([0.5, 0.0, 0.5])


def test_unmapped_label_is_a_clear_error():
    with pytest.raises(ModelLoadError, match="does not map onto sentiment: surprise"):
        sentiment_matrix({0: "happy", 1: "surprise"}, {"happy": "positive"})


def test_bad_label_map_value_rejected():
    with pytest.raises(InputError, match="may only map onto"):
        ModalitySpec(family="x", model_id="y", label_map={"a": "happy"})


def test_builtin_presets_pin_revisions_and_name_licences():
    for preset in PRESETS.values():
        for spec in preset.modalities.values():
            assert spec.revision and spec.licence
    assert set(LITE.modalities) == {"text", "image", "audio", "video"}


def test_preset_json_and_yaml_round_trip(tmp_path):
    path = save_preset(LITE, tmp_path / "p.json")
    assert load_preset(str(path)) == LITE
    import yaml

    ypath = tmp_path / "p.yaml"
    ypath.write_text(yaml.safe_dump(json.loads(path.read_text())))
    assert load_preset(str(ypath)) == LITE


def test_preset_file_errors(tmp_path):
    with pytest.raises(InputError, match="Unknown preset 'nope'"):
        load_preset("nope")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(InputError, match="is not a preset file: it does not read as JSON"):
        load_preset(str(bad))
    # each said by what is wrong, not a bare KeyError ("not valid: 'modalities'") or a constructor's TypeError
    text = {"family": "hf-text-classifier", "model_id": "m"}
    for data, said in (
            ({"name": "x"}, "The preset file needs a 'modalities' object: for each modality"),
            ({"name": "x", "modalities": {"text": text}}, "The preset file needs 'description'."),
            ({"name": "x", "description": "", "modalities": {"text": text}, "fusoin": "weighted"},
             "The preset file has an unknown setting 'fusoin'; known: name, description, modalities, fusion"),
            ({"name": "x", "description": "", "modalities": {"text": {"family": "hf-text-classifier"}}},
             "The preset's modality 'text' needs 'model_id'."),
            ({"name": "x", "description": "", "modalities": {"text": "distilbert"}},
             "The preset's modality 'text' must be an object with its 'family' and 'model_id'."),
            ({"name": "x", "description": "", "modalities": {"text": {**text, "wieght": 2}}},
             "The preset's modality 'text' has an unknown setting 'wieght'; known: family, model_id, revision")):
        bad.write_text(json.dumps(data))
        with pytest.raises(InputError) as err:
            load_preset(str(bad))
        assert str(err.value).startswith(said), str(err.value)
    with pytest.raises(InputError, match="cannot be negative"):
        Preset("x", "", {"text": ModalitySpec("hf-text-classifier", "m", weight=-1)})
