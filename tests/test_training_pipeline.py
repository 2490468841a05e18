"""The train command's stages one by one: plan checks before any model runs, the split, the saved head."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
import torch

from msa_demo.errors import InputError
from msa_demo.fusion import load_fusion
from msa_demo.training import parse_args
from msa_demo.training.data import split_rows
from msa_demo.training.metrics import group_metrics
from msa_demo.training.pipeline import encode, evaluate, fit, plan, print_summary, save


def _manifest(tmp_path, rows, name="m.jsonl"):
    path = tmp_path / name
    path.write_text("\n".join(json.dumps(r) for r in rows))
    return path


@pytest.mark.parametrize("extra, message", [
    (["--head", "head"], "--head head trains on one modality; this manifest has text, audio"),
    (["--modalities", "audio", "--head", "head", "--finetune-layers", "1"], "--finetune-layers is supported for a"),
    (["--modalities", "text", "--finetune-layers", "1"], "--finetune-layers needs --head head"),
    (["--modalities", "image"], r"^No row has image \(--modalities image\); the manifest's rows have text, audio\.$"),
    (["--bins", "0"], "Row 1 has no score"),
])
def test_plan_rejects_bad_choices_before_any_model_runs(tmp_path, tiny_preset_path, extra, message):
    import soundfile as sf

    sf.write(tmp_path / "a.wav", np.zeros(1600, dtype=np.float32), 16000)
    path = _manifest(tmp_path, [{"text": "good", "audio": "a.wav", "label": "positive"},
                                {"text": "bad", "label": "negative"}])
    args = parse_args([str(path), "--preset", str(tiny_preset_path), "--cache-dir", str(tmp_path / "c"), *extra])
    with pytest.raises(InputError, match=message):
        plan(args)
    assert not (tmp_path / "c").exists()  # nothing was encoded


@pytest.mark.spawns
def test_empty_manifest_and_missing_file(tmp_path):
    with pytest.raises(InputError, match="no rows"):
        plan(parse_args([str(_manifest(tmp_path, []))]))
    res = subprocess.run([sys.executable, "-m", "msa_demo", "train", str(tmp_path / "none.csv")],
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert res.stderr.strip() == f"error: The manifest '{tmp_path / 'none.csv'}' does not exist."


def test_split_column_wins_and_validation_comes_from_training_rows():
    rows = [{"split": "train"}] * 6 + [{"split": "test"}, {"split": "held-out"}] + [{"split": "train"}] * 4
    y = [0, 1] * 6
    s = split_rows(rows, y, test_size=0.5, val_size=0.2, seed=0)
    assert s.test == [6, 7]
    assert sorted(s.train + s.val) == [i for i in range(12) if i not in (6, 7)]
    assert len(s.val) == 2 and {y[i] for i in s.val} == {0, 1}  # stratified: one of each class
    assert split_rows(rows, y, 0.5, 0.2, 0) == s  # seeded
    no_val = split_rows([{}] * 12, y, test_size=0.25, val_size=0, seed=1)
    assert no_val.val == [] and len(no_val.test) == 4 and sorted(no_val.train + no_val.test) == list(range(12))


def test_group_metrics_by_hand():
    probs = torch.tensor([[0.9, 0.0, 0.1], [0.2, 0.0, 0.8], [0.6, 0.0, 0.4], [0.1, 0.8, 0.1]])
    out = group_metrics(["a", "a", "b", None], [0, 2, 2, 1], [0, 2, 0, 1], probs, ["negative", "neutral", "positive"])
    assert sorted(out) == ["a", "b"]  # a row without a group is left out
    assert out["a"]["metrics"]["accuracy"] == 1.0 and out["a"]["binary"]["n"] == 2
    assert out["b"]["metrics"]["accuracy"] == 0.0 and out["b"]["binary"]["confusion_matrix"] == [[0, 0], [1, 0]]


def test_stages_and_the_saved_head_predict_the_same(tmp_path, tiny_preset_path):
    """plan -> encode -> fit -> evaluate -> save; the head loaded for inference gives the evaluated predictions."""
    rng = np.random.default_rng(0)
    from PIL import Image

    rows = []
    for i in range(30):
        lab = ["negative", "neutral", "positive"][i % 3]
        row = {"text": f"{lab} words {i}", "label": lab, "group": "even" if i % 2 == 0 else "odd"}
        if i % 5:
            Image.fromarray(rng.integers(0, 255, (20, 20, 3), dtype=np.uint8)).save(tmp_path / f"i{i}.png")
            row["image"] = f"i{i}.png"
        rows.append(row)
    args = parse_args([str(_manifest(tmp_path, rows)), "--preset", str(tiny_preset_path), "--head", "concat",
                       "--epochs", "3", "--test-size", "0.3", "--cache-dir", str(tmp_path / "c"), "--quiet"])
    p = plan(args)
    assert p.modalities == ["text", "image"] and p.labels == ["negative", "neutral", "positive"]
    assert len(p.split.test) == 9 and not set(p.split.test) & set(p.split.train + p.split.val)
    enc = encode(p)
    assert enc.encoded_now == {"text": 30, "image": 24} and enc.encoder_config is None and enc.first_layer == -1
    assert enc.data["image"]["present"].tolist() == ["image" in r for r in rows]
    head = fit(p, enc)
    assert [h["epoch"] for h in head.history] == [1, 2, 3] and len(head.class_weights) == 3
    summary = evaluate(p, enc, head)
    assert summary["n_test"] == 9 and summary["test"]["n"] == 9 and set(summary["test_by_group"]) == {"even", "odd"}
    out = save(p, head, summary, tmp_path / "head")
    names = {f.name for f in out.iterdir()}
    assert {"config.json", "model.safetensors", "preset.json", "metrics.json"} <= names
    assert not [n for n in names if n.endswith((".bin", ".pkl", ".pt", ".pth"))]
    assert json.loads((out / "metrics.json").read_text())["test"] == summary["test"]
    fusion = load_fusion(out)  # the inference path: features of the present modalities only
    pairs = []
    for i in p.split.test:
        feats = {m: enc.data[m]["features"][int(enc.data[m]["row"][i])][None] for m in p.modalities
                 if enc.data[m]["present"][i]}
        pairs.append((p.y[i], int(fusion({}, feats)[0].argmax())))  # head classes are in SENTIMENTS order here
    cm = summary["test"]["confusion_matrix"]
    assert sorted(pairs) == sorted((t, c) for t, row in enumerate(cm) for c, n in enumerate(row) for _ in range(n))


def test_a_text_only_two_class_head_says_what_it_never_reads_or_says(tmp_path, tiny_preset_path, capsys):
    """A head trained on text alone, on negative and positive rows: a picture given beside the words is not used
    (it was listed as used and changed nothing, and explaining it failed in Captum), and its verdict says it never
    reaches neutral; a picture alone gets one line saying what to give."""
    from msa_demo.errors import InputError
    from msa_demo.model import MultimodalSentimentModel
    from PIL import Image

    rows = [{"text": f"{lab} words {i}", "label": lab} for i in range(12) for lab in ("negative", "positive")]
    args = parse_args([str(_manifest(tmp_path, rows)), "--preset", str(tiny_preset_path), "--modalities", "text",
                       "--epochs", "2", "--cache-dir", str(tmp_path / "c"), "--output", str(tmp_path / "head"),
                       "--quiet"])
    p = plan(args)
    enc = encode(p)
    head = fit(p, enc)
    summary = evaluate(p, enc, head)
    out = save(p, head, summary, tmp_path / "head")
    card = (out / "README.md").read_text()  # its own card, not the Hub mixin's "pushed to the Hub" one
    assert "Reads: text. Classes: negative, positive." in card and "Hub" not in card
    n = summary["test"]["n"]
    assert f"Held out: {n} rows" in card and "these figures say little" in card
    print_summary(summary, None)
    printed = capsys.readouterr().out
    assert f"only {n} held-out rows: one row moves accuracy by {100 / n:.0f} points" in printed
    assert "binary" not in printed  # a two-class head's binary figures are its figures: printed once
    model = MultimodalSentimentModel.from_preset(str(out), device="cpu")
    Image.new("RGB", (40, 40), (200, 40, 40)).save(tmp_path / "face.png")
    both = model.predict(text="positive words", image=str(tmp_path / "face.png"))
    alone = model.predict(text="positive words")
    assert both.used == ["text"] and both.probs == alone.probs
    assert "This preset's trained fusion head reads only text, so the image was not used." in both.notices
    assert both.probs["neutral"] == 0.0
    assert "This preset's trained fusion head knows only negative, positive: its verdict is never neutral." in \
        both.notices
    with pytest.raises(InputError, match=r"reads only text, and none was given \(image\).*give text"):
        model.predict(image=str(tmp_path / "face.png"))
    from msa_demo.explain import ExplainOptions, explain

    exp = explain(model, model.read_inputs(text="positive words"), options=ExplainOptions(text_methods=("occlusion",),
                                                                                        deletion_steps=2))
    assert exp.modalities.value_none == pytest.approx(0.5)  # "with nothing": its own two classes' prior, not 1/3
