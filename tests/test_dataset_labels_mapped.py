"""Labels given as words that are no class's name (MELD's emotions, SST-5's 'very positive', a sheet's 'POS'): read as
a class in silence (surprise as neutral, fear as negative), where numbers got a line ("0 → negative"). The run,
report.html and the Dataset tab name each such reading once, with its rows, so a user can see it and disagree."""

from __future__ import annotations

import html
from pathlib import Path

from msa_demo.dataset import read_results
from msa_demo.dataset.report import to_html
from msa_demo.ui.dataset_tab import summary_markdown

# MELD's train_sent_emo.csv, cut: Utterance and Emotion
MELD = [("My duties?  All right.", "surprise"), ("No don't I beg of you!", "fear"), ("Oh my God!", "surprise"),
        ("He's so cute, I love him!", "joy"), ("Whatever.", "neutral"), ("Stop it!", "anger"),
        ("I'm sorry, it's gone.", "sadness")]
SAID = ("labels read as classes: surprise → neutral (2 rows), anger → negative (1), fear → negative (1), joy → "
        "positive (1), sadness → negative (1) (an emotion as its sentiment, a word as the class it names; to mean "
        "another reading, write negative, neutral or positive)")


def test_emotions_read_as_sentiments_are_named_by_the_run_the_report_and_the_tab(tiny_model, tmp_path, capsys,
                                                                              monkeypatch):
    from msa_demo.__main__ import main

    manifest = tmp_path / "meld_train_sent_emo.csv"
    manifest.write_text("Utterance,Emotion\n" + "".join(f'"{u}",{e}\n' for u, e in MELD), encoding="utf-8")
    monkeypatch.setattr("msa_demo.model.MultimodalSentimentModel.from_preset",
                        classmethod(lambda cls, *a, **k: tiny_model))
    capsys.readouterr()
    assert main(["explain-batch", str(manifest), "--out", str(tmp_path / "o"), "--no-progress", "--lang", "en",
                 "--ig-max-steps", "8", "--columns", "text=Utterance,label=Emotion"]) == 0
    out = capsys.readouterr().out
    assert f"\n{SAID}\n" in out and out.count("labels read as classes") == 1
    rows = read_results(tmp_path / "o")
    assert [r["label"] for r in rows] == ["neutral", "negative", "neutral", "positive", "neutral", "negative",
                                          "negative"]
    assert SAID in html.unescape((tmp_path / "o" / "report.html").read_text(encoding="utf-8"))
    assert SAID in summary_markdown(rows, tmp_path / "o")
    assert "surprise → 中性（2 行）" in to_html(rows, lang="zh")


def test_other_words_are_named_and_class_names_and_numbers_are_not():
    """'very positive', 'POS' and '+' are readings; 'Negative' is its class in another case, and numbers have their
    own line ("0 → negative", ``labels_read``)."""
    from msa_demo.dataset.report import labels_mapped

    rows = [{"label": "positive", "label_given": "very positive"}, {"label": "positive", "label_given": "POS"},
            {"label": "positive", "label_given": "POS"}, {"label": "negative", "label_given": "Negative"},
            {"label": "negative", "label_given": "0"}, {"label": "positive", "label_given": "+"},
            {"label": None, "label_given": "meh"}]
    assert labels_mapped(rows).startswith("labels read as classes: POS → positive (2 rows), + → positive (1), very "
                                          "positive → positive (1) (")
    assert labels_mapped([{"label": "negative", "label_given": "negative"}, {"label": "positive", "label_given": "1"}
                          ]) == ""
    assert summary_markdown([{"id": "a", "label": "neutral", "label_given": "Neutral", "predicted": "positive"}],
                            Path("x")).count("labels read as classes") == 0
