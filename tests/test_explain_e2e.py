"""End to end on the tiny Hub-family preset (DistilBERT, CLIP, wav2vec2 with random weights) and the CLI."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
import torch
import soundfile as sf
from PIL import Image

from msa_demo.config import SENTIMENTS


@pytest.fixture
def files(tmp_path):
    img = tmp_path / "face.png"
    rng = np.random.default_rng(0)
    Image.fromarray(rng.integers(0, 255, (48, 64, 3), dtype=np.uint8)).save(img)
    wav = tmp_path / "voice.wav"
    sf.write(wav, (0.2 * np.sin(np.arange(16000) / 3)).astype(np.float32), 16000)
    return img, wav


def test_explain_tiny_text_image_audio(tiny_model, rgb_image, tone):
    from msa_demo.explain import ExplainOptions, Explanation, explain, explain_iter

    inputs = tiny_model.read_inputs(text="I love this movie, 你好 great", image=rgb_image, audio=(16000, tone))
    seen = []
    exp = explain(tiny_model, inputs, options=ExplainOptions(sanity=True, ig_max_steps=16),
                  progress=lambda f, d: seen.append((f, d)))
    assert seen and seen[-1][0] == 1.0
    assert exp.target == exp.prediction["label"]
    assert [(m.modality, m.method) for m in exp.maps] == [
        ("text", "layer_integrated_gradients"), ("image", "integrated_gradients"), ("image", "occlusion"),
        ("audio", "occlusion")]
    words = exp.maps[0]
    assert words.labels == ["I", "love", "this", "movie,", "你", "好", "great"]
    assert words.spans[4] == [19, 20]
    for m in exp.maps:
        assert len(m.labels) == len(m.scores) == len(m.spans)
        assert m.faithfulness is not None and m.faithfulness.sanity_spearman is not None
        assert len(m.faithfulness.deletion_curve) == len(m.faithfulness.random_curve) >= 2
        assert m.cost.forward_passes > 0
    for m in exp.maps[1:3]:
        hm = np.asarray(m.heatmap)
        assert hm.shape == (48, 64) and len(m.scores) == 49
    assert exp.maps[3].spans == [[0.0, 0.5], [0.5, 1.0]]
    mc = exp.modalities
    assert sum(mc.shapley.values()) == pytest.approx(mc.value_all - mc.value_none, abs=1e-6)
    assert mc.value_all == pytest.approx(exp.prediction["probs"][exp.target], abs=1e-5)
    assert set(mc.without) == {"text", "image", "audio"}
    assert exp.models["text"]["family"] == "hf-text-classifier"
    assert exp.options["seed"] == 0 and exp.inputs["text"].startswith("I love")
    data = json.loads(exp.to_json())
    assert Explanation.from_dict(data).to_dict() == exp.to_dict()
    parts = [k for k, _ in explain_iter(tiny_model, inputs, target="negative", use=["text"])]
    assert parts == ["explanation", "map", "cost", "done"]


def test_explain_bad_target_and_nothing_to_explain(tiny_model):
    from msa_demo.errors import InputError
    from msa_demo.explain import ExplainOptions, explain

    inputs = tiny_model.read_inputs(text="good")
    with pytest.raises(InputError):
        explain(tiny_model, inputs, target="happy")
    with pytest.raises(InputError):
        explain(tiny_model, inputs, use=["image"])
    with pytest.raises(InputError):
        ExplainOptions(text_baseline="zero")


def run(*args):
    return subprocess.run([sys.executable, "-m", "msa_demo", *args], capture_output=True, text=True, timeout=300)


@pytest.mark.spawns
def test_cli_json_round_trip_and_from(tiny_preset_path, files, tmp_path):
    img, wav = files
    out = tmp_path / "result.json"
    res = run("explain", "--preset", str(tiny_preset_path), "--text", "I love it", "--image", str(img),
              "--audio", str(wav), "--json", "--heatmaps", "--out", str(out), "--seed", "3", "--target", "positive")
    assert res.returncode == 0, res.stderr
    first = json.loads(res.stdout)  # (--heatmaps: with the heat maps and the inputs, as --out saves it)
    assert first["target"] == "positive" and first["options"]["seed"] == 3
    # the saved file is the explanation as --from replays it; the printed answer adds each map's trust verdict
    assert all(m["trust"]["mark"] in ("✓", "✗", "?", "⚠", "—", None) for m in first["maps"])
    assert json.loads(out.read_text()) == {**first, "maps": [{k: v for k, v in m.items() if k != "trust"}
                                                             for m in first["maps"]]}
    res = run("explain", "--from", str(out), "--json", "--inputs")
    assert res.returncode == 0, res.stderr
    again = json.loads(res.stdout)
    assert again["inputs"] == first["inputs"] and again["options"] == first["options"]
    assert again["target"] == "positive"
    for a, b in zip(first["maps"], again["maps"]):
        assert (a["modality"], a["method"], a["labels"]) == (b["modality"], b["method"], b["labels"])
        assert np.allclose(a["scores"], b["scores"], atol=1e-6)
    assert again["modalities"]["shapley"] == pytest.approx(first["modalities"]["shapley"], abs=1e-6)
    # made under a tight time budget: replayed with the settings the budget chose, not planned again (a fresh
    # process planned from scratch and gave up more: another IG, another trust verdict)
    budgeted = tmp_path / "budgeted.json"
    res = run("explain", "--preset", str(tiny_preset_path), "--text", "I love it", "--image", str(img), "--json",
              "--out", str(budgeted), "--budget", "0.01")
    assert res.returncode == 0, res.stderr
    first = json.loads(budgeted.read_text())
    assert first["options"]["budget"] == 0.01 and any(m["params"].get("budget") for m in first["maps"])
    again = json.loads(run("explain", "--from", str(budgeted), "--json").stdout)
    assert again["options"] == {**first["options"], "budget": 0}
    assert [(m["method"], m["params"].get("n_steps"), m["scores"]) for m in again["maps"]] == pytest.approx(
        [(m["method"], m["params"].get("n_steps"), m["scores"]) for m in first["maps"]])


@pytest.mark.spawns
def test_cli_readable_summary(tiny_preset_path):
    res = run("explain", "--preset", str(tiny_preset_path), "--text", "I love it")
    assert res.returncode == 0, res.stderr
    assert res.stdout.startswith("Sentiment: ")
    assert "Shapley" in res.stdout and "AOPC" in res.stdout
    words = next(line for line in res.stdout.splitlines() if line.startswith("text — "))
    # (the tiny model's random words can move nothing: then no word is ranked, and the line says so)
    assert ": top words '" in words or words.endswith("so none is listed"), words


@pytest.mark.spawns
def test_cli_bad_inputs_exit_2(tiny_preset_path, tmp_path):
    res = run("explain", "--preset", str(tiny_preset_path))
    assert res.returncode == 2 and "at least one input" in res.stderr and "Traceback" not in res.stderr
    res = run("explain", "--preset", str(tiny_preset_path), "--text", "hi", "--target", "joy")
    assert res.returncode == 2 and "target class" in res.stderr
    res = run("explain", "--from", str(tmp_path / "missing.json"))
    assert res.returncode == 2 and "No saved explanation" in res.stderr


@pytest.mark.spawns
def test_cli_superpixel_regions(tiny_preset_path, files):
    img, _ = files
    res = run("explain", "--preset", str(tiny_preset_path), "--image", str(img), "--json", "--regions", "superpixels",
              "--superpixels", "12", "--ig-max-steps", "8")
    assert res.returncode == 0, res.stderr
    data = json.loads(res.stdout)
    assert data["options"]["regions"] == "superpixels" and data["options"]["superpixels"] == 12
    maps = [m for m in data["maps"] if m["modality"] == "image"]
    assert [m["method"] for m in maps] == ["integrated_gradients", "occlusion"]
    for m in maps:
        n = m["params"]["n_regions"]
        assert m["params"]["regions"] == "superpixels" and "grid" not in m["params"]
        assert m["labels"] == [f"sp{k}" for k in range(n)] and len(m["scores"]) == len(m["spans"]) == n >= 2
        assert all(0 <= l < r <= 64 and 0 <= t < b <= 48 for l, t, r, b in m["spans"])
    res = run("explain", "--preset", str(tiny_preset_path), "--image", str(img), "--superpixels", "1")
    assert res.returncode == 2 and "superpixels must be 4 to 400" in res.stderr and "Traceback" not in res.stderr


def test_lite_preset_end_to_end(lite):
    from msa_demo.explain import explain

    inputs = lite.read_inputs(text="What a wonderful day", image=Image.new("RGB", (64, 64), (120, 120, 120)))
    lite.predict(inputs=inputs)
    exp = explain(lite, inputs)  # a grey square has no face: left out by the model's own rule, and said
    assert exp.target in SENTIMENTS and {m.modality for m in exp.maps} == {"text"}
    assert "image" in exp.prediction.abstained and exp.reading["image"]["face_found"] is False
    exp = explain(lite, inputs, face_anyway=True)  # read as a face all the same: both maps
    assert {m.modality for m in exp.maps} == {"text", "image"}


@pytest.mark.spawns
def test_cli_audio_methods_and_batch_size(tiny_preset_path, files):
    _, wav = files
    res = run("explain", "--preset", str(tiny_preset_path), "--audio", str(wav), "--json", "--segment-seconds", "0.25",
              "--audio-methods", "occlusion,integrated_gradients", "--batch-size", "5", "--ig-max-steps", "8")
    assert res.returncode == 0, res.stderr
    data = json.loads(res.stdout)
    maps = [m for m in data["maps"] if m["modality"] == "audio"]
    assert [m["method"] for m in maps] == ["occlusion", "integrated_gradients"]
    assert all(len(m["scores"]) == 4 for m in maps)  # 1 s in 0.25 s segments
    assert maps[0]["params"]["perturbations_per_eval"] == 5 and maps[1]["params"]["internal_batch_size"] == 5
    res = run("explain", "--preset", str(tiny_preset_path), "--audio", str(wav), "--audio-methods", "fourier")
    assert res.returncode == 2 and "audio methods must be chosen from" in res.stderr and "Traceback" not in res.stderr
    res = run("explain", "--preset", str(tiny_preset_path), "--audio", str(wav), "--batch-size", "-3")
    assert res.returncode == 2 and "batch size" in res.stderr and "Traceback" not in res.stderr


def test_sanity_check_randomises_the_top_block_and_the_head(tiny_model):
    from msa_demo.explain.faithfulness import randomised_copy, top_parameters

    text = top_parameters(tiny_model.modalities["text"])
    assert any(".transformer.layer.1." in n for n in text) and any("classifier" in n for n in text)
    assert not any("embeddings" in n or ".layer.0." in n for n in text)
    image = top_parameters(tiny_model.modalities["image"])  # CLIP: the vision tower's last block + projection
    assert any("vision_model.encoder.layers.1." in n for n in image) and any("visual_projection" in n for n in image)
    assert not any("text_model" in n for n in image)
    clone, names = randomised_copy(tiny_model.modalities["text"], seed=0)
    before = dict(tiny_model.modalities["text"].model.named_parameters())
    after = dict(clone.model.named_parameters())
    changed = {n for n in before if not torch.equal(before[n], after[n])}
    assert changed and all(f"model.{n}" in names for n in changed)
    assert torch.equal(before["distilbert.embeddings.word_embeddings.weight"],
                       after["distilbert.embeddings.word_embeddings.weight"])
