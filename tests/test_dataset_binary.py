"""A binary set (SST-2, Sentiment140: labels of two classes) scored by explain-batch: its macro averages had been over
the three classes the labels or predictions hold, so one row predicted neutral added a 'neutral' class of precision
and recall 0 ("accuracy 0.917, macro F1 0.636"), where the field's binary F1 reads 0.955. The report, the run and the
Dataset tab give the reading over the labels' two classes too, named as such, each checked against scikit-learn's
own functions on the same rows."""

from __future__ import annotations

import html
from pathlib import Path

import pytest
from sklearn.metrics import accuracy_score, f1_score, precision_score, recall_score

from msa_demo.dataset import explain_batch, read_results, summary
from msa_demo.dataset.report import to_html
from msa_demo.explain import ExplainOptions
from msa_demo.ui.dataset_tab import summary_markdown

FAST = ExplainOptions(ig_max_steps=8, image_methods=("occlusion",), grid=3, deletion_steps=2, segment_seconds=1.0)

# SST-2's dev set as the data scientist's run scored it: 12 rows, 0 / 1 labels, one negative row predicted neutral
SST2 = [("positive", "positive")] * 6 + [("negative", "negative")] * 5 + [("negative", "neutral")]


def _rows(pairs):
    return [{"id": f"r{i}", "label": label, "label_given": "1" if label == "positive" else "0", "predicted": said,
             "label_read_as": "0 / 1", "used": ["text"]} for i, (label, said) in enumerate(pairs)]


def test_a_binary_set_is_scored_over_its_labels_two_classes_too():
    rows = _rows(SST2)
    truth, said = [lab for lab, _ in SST2], [p for _, p in SST2]
    s = summary(rows)
    # the figures kept: scikit-learn's macro average over the classes the labels or predictions hold
    assert s["metrics"]["macro_f1"] == pytest.approx(f1_score(truth, said, average="macro", zero_division=0))
    assert round(s["metrics"]["macro_f1"], 3) == 0.636
    two = ["negative", "positive"]
    b = s["metrics_binary"]
    assert b["accuracy"] == pytest.approx(accuracy_score(truth, said))
    assert b["macro_precision"] == pytest.approx(precision_score(truth, said, labels=two, average="macro",
                                                                 zero_division=0))
    assert b["macro_recall"] == pytest.approx(recall_score(truth, said, labels=two, average="macro", zero_division=0))
    assert b["macro_f1"] == pytest.approx(f1_score(truth, said, labels=two, average="macro", zero_division=0))
    assert (b["classes"], b["other"], b["outside"]) == (two, "neutral", 1)
    page = html.unescape(to_html(rows))
    assert ("Over the labels' 2 classes (negative, positive), as binary benchmarks score: accuracy 0.917, macro "
            "precision 1.000, recall 0.917, F1 0.955 (a 'neutral' verdict counts as wrong: 1 row(s)); the 3-class "
            "macro averages (F1 0.636) include 'neutral', which no label holds.") in page
    assert "accuracy <b>0.917</b>, macro precision 0.667, recall 0.611, F1 0.636" in page  # kept
    assert "按标签的 2 个类别（负面、正面）" in to_html(rows, lang="zh")
    tab = summary_markdown(rows, Path("sst2"))
    assert "accuracy **92%** on 12 labelled rows · macro F1 0.64" in tab
    assert ("over the labels' 2 classes (negative, positive), as binary benchmarks score: accuracy **92%** · macro F1 "
            "0.95 (a 'neutral' verdict counts as wrong: 1 row(s)); the macro F1 above includes 'neutral'") in tab


def test_no_binary_reading_where_the_three_class_figures_are_it_already():
    """Three classes in the labels (TweetEval), or two with no verdict outside them: one reading, said once."""
    for pairs in ([("positive", "positive"), ("neutral", "neutral"), ("negative", "neutral")],
                  [("positive", "positive"), ("negative", "positive")]):
        rows = _rows(pairs)
        assert summary(rows)["metrics_binary"] is None
        assert "as binary benchmarks score" not in to_html(rows)


def test_the_run_says_the_binary_reading(tiny_model, tmp_path, capsys, monkeypatch):
    """The command line, which had said no score, says the two-class reading of a set labelled with two classes:
    the tiny model calls every row positive, a class none of these labels holds."""
    from msa_demo.__main__ import main

    manifest = tmp_path / "calls.csv"
    manifest.write_text("text,label\nnot bad at all,neutral\nso so,neutral\nawful,negative\n", encoding="utf-8")
    monkeypatch.setattr("msa_demo.model.MultimodalSentimentModel.from_preset",
                        classmethod(lambda cls, *a, **k: tiny_model))
    capsys.readouterr()
    assert main(["explain-batch", str(manifest), "--out", str(tmp_path / "o"), "--no-progress", "--lang", "en",
                 "--ig-max-steps", "8"]) == 0
    rows = read_results(tmp_path / "o")
    assert {r["predicted"] for r in rows} == {"positive"}  # (what makes the reading differ, checked)
    truth, said = [r["label"] for r in rows], [r["predicted"] for r in rows]
    f1 = f1_score(truth, said, labels=["negative", "neutral"], average="macro", zero_division=0)
    assert (f"\nOver the labels' 2 classes (negative, neutral), as binary benchmarks score: accuracy 0.000, macro "
            f"precision 0.000, recall 0.000, F1 {f1:.3f} (a 'positive' verdict counts as wrong: 3 row(s)); the 3-class "
            "macro averages (F1 0.000) include 'positive', which no label holds.\n") in capsys.readouterr().out
