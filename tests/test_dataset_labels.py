"""A set's labels as a data scientist met them running explain-batch on look-alikes of published sets (MELD, MOSEI,
CH-SIMS, SST-2, MOSI) on lite: labels kept from an earlier run's label column, a column of scores read in part,
emotions mapped onto sentiments without a word, binary sets scored on three classes, a score scale that could not
be said, and the tab's and results.csv's small confusions."""

from __future__ import annotations

import csv
import io

import pyarrow.parquet as pq
import pytest

from msa_demo.dataset import explain_batch, read_results, summary
from msa_demo.explain import ExplainOptions

FAST = ExplainOptions(ig_max_steps=8, image_methods=("occlusion",), grid=3, deletion_steps=2, segment_seconds=1.0)

# MELD's train_sent_emo.csv, cut: its Emotion and its Sentiment column, which do not agree on every row
MELD = [("0", "0", "My duties?  All right.", "Chandler", "surprise", "positive"),
        ("0", "1", "No don't I beg of you!", "Chandler", "fear", "negative"),
        ("1", "0", "Oh my God!", "Chandler", "surprise", "negative"),
        ("1", "1", "He's so cute, I love him!", "Monica", "joy", "positive"),
        ("2", "0", "Whatever.", "Rachel", "neutral", "neutral")]
MELD_COLUMNS = "text=Utterance,label={label},id=dia{{Dialogue_ID}}_utt{{Utterance_ID}},group=Speaker"


def _meld(folder):
    path = folder / "meld_train_sent_emo.csv"
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["Dialogue_ID", "Utterance_ID", "Utterance", "Speaker", "Emotion", "Sentiment"])
    w.writerows(MELD)
    path.write_text(buf.getvalue(), encoding="utf-8")
    return path


def _run(manifest, out, model, columns, **kw):
    from msa_demo.dataset.manifest import parse_columns

    return explain_batch(manifest, out, model=model, options=FAST, progress=False, columns=parse_columns(columns),
                         **kw)


def test_a_run_again_with_another_label_column_scores_the_labels_it_gives_now(tiny_model, tmp_path, capsys,
                                                                              monkeypatch):
    """MELD run with label=Emotion, then the same with label=Sentiment into the same --out: "0 explained, 20 already
    done", and report.html still scored the Emotion-derived labels (accuracy 0.700 where Sentiment's is 0.60), the
    Dashboard's row the old label too. The labels are read again on every run; the explanations are kept."""
    from msa_demo.__main__ import build_parser
    from msa_demo.dataset.cli import cmd_explain_batch

    manifest, out = _meld(tmp_path), tmp_path / "out"
    first = _run(manifest, out, tiny_model, MELD_COLUMNS.format(label="Emotion"))
    assert first.explained == len(MELD)
    assert [r["label"] for r in read_results(out)] == ["neutral", "negative", "neutral", "positive", "neutral"]
    made = {r["id"]: (out / r["explanation"]).stat().st_mtime_ns for r in read_results(out)}
    again = _run(manifest, out, tiny_model, MELD_COLUMNS.format(label="Sentiment"))
    rows = read_results(out)
    assert [r["label"] for r in rows] == [s for *_, s in MELD]
    assert (again.skipped, again.explained, again.relabelled) == (len(MELD), 0, 4)
    assert [r["label_given"] for r in rows] == [s for *_, s in MELD]
    assert {r["id"]: (out / r["explanation"]).stat().st_mtime_ns for r in rows} == made  # not explained again
    table = pq.read_table(out / "results.parquet").to_pylist()
    assert [r["label"] for r in table] == [s for *_, s in MELD]
    right = sum(r["label"] == r["predicted"] for r in rows) / len(rows)
    assert summary(rows)["metrics"]["accuracy"] == pytest.approx(right)
    assert f"accuracy <b>{right:.3f}</b>" in (out / "report.html").read_text(encoding="utf-8")
    # the command line says it in one line
    monkeypatch.setattr("msa_demo.model.MultimodalSentimentModel.from_preset",
                        classmethod(lambda cls, *a, **k: tiny_model))
    for label in ("Emotion", "Sentiment"):
        capsys.readouterr()
        args = build_parser().parse_args(["explain-batch", str(manifest), "--out", str(tmp_path / "cli"),
                                          "--no-progress", "--lang", "en", "--ig-max-steps", "8",
                                          "--columns", MELD_COLUMNS.format(label=label)])
        assert cmd_explain_batch(args) == 0
    said = capsys.readouterr().out
    assert "5 rows: 0 explained, 0 failed, 5 already done" in said
    assert ("\n  4 row(s) already done have other labels in the manifest now: their labels were updated and the "
            "scores are against them (their explanations were kept)\n") in said
    assert [r["label"] for r in read_results(tmp_path / "cli")] == [s for *_, s in MELD]


def test_a_label_column_mapped_on_a_run_again_scores_the_set(tiny_model, tmp_path):
    """mosei/segments.csv's first run said "its column 'sentiment' looks like one; map it (label=sentiment) to score
    the set"; the run again with label=sentiment skipped every row and report.html said "No row carries a label".
    A label no longer given (the mapping taken away) is taken away too, and a label not read says so in its row."""
    manifest, out = tmp_path / "segments.csv", tmp_path / "out"
    manifest.write_text("id,text,sentiment\na,this movie was really great,2.0\nb,it was boring and i hated it,-2.33\n"
                        "c,it is a film,0.2\n", encoding="utf-8")
    first = _run(manifest, out, tiny_model, None)
    assert "label=sentiment" in first.label_hint
    assert "No row carries a label" in (out / "report.html").read_text(encoding="utf-8")
    again = _run(manifest, out, tiny_model, "label=sentiment")
    rows = read_results(out)
    assert [(r["label"], r["label_given"], r["label_read_as"]) for r in rows] == [
        ("positive", "2.0", "scores -3 to 3"), ("negative", "-2.33", "scores -3 to 3"),
        ("neutral", "0.2", "scores -3 to 3")]
    assert (again.skipped, again.relabelled) == (3, 3)
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "No row carries a label" not in page and "3 labelled rows" in page and "CMU-MOSI / MOSEI" in page
    # a column whose labels are not read: each row says so, as on a first run; mapped away: no label, no notice
    manifest.write_text("id,text,sentiment\na,this movie was really great,meh\nb,it was boring and i hated it,meh\n"
                        "c,it is a film,meh\n", encoding="utf-8")
    _run(manifest, out, tiny_model, "label=sentiment")
    rows = read_results(out)
    assert [r["label"] for r in rows] == [None] * 3
    assert all(sum(str(n).startswith("The label was not used") for n in r["notices"]) == 1 for r in rows)
    _run(manifest, out, tiny_model, None)
    rows = read_results(out)
    assert [(r["label"], r["label_given"]) for r in rows] == [(None, None)] * 3
    assert not any(str(n).startswith("The label was not used") for r in rows for n in r["notices"])


def test_a_column_of_scores_with_none_below_0_is_refused_whole_with_how_to_say_its_scale(tiny_model, tmp_path):
    """sims_pos_only.csv (0.2, 0.8, 1.0, 0.4): 1.0 became positive, 0.2 / 0.8 / 0.4 "labels not read", and accuracy
    was computed on 1 of 4 rows. Scores with none below 0 are read as one scale, whole, when it is said
    (--label-scale sims), else none is, with one line that says why and how to say it."""
    from msa_demo.dataset.report import labels_not_read, labels_read
    from msa_demo.dataset.rows import read_rows
    from msa_demo.i18n import said

    manifest = tmp_path / "sims_pos_only.csv"
    manifest.write_text("text,label\ngood,0.2\nvery good,0.8\nexcellent,1.0\nnice,0.4\n", encoding="utf-8")
    rows, _ = read_rows(manifest)
    assert [r.label for r in rows] == [None] * 4  # not 1.0 alone
    assert all("--label-scale sims or --label-scale mosi" in r.label_notice for r in rows)
    records = [{"label": r.label, "label_given": r.label_given, "label_read_as": r.label_read_as} for r in rows]
    assert labels_read(records) == (
        "the label column's numbers are scores with none below 0, so their scale is not guessed and none was read: "
        "say it with --label-scale sims (-1 to 1, as CH-SIMS) or --label-scale mosi (-3 to 3, as CMU-MOSI / MOSEI)")
    assert "--label-scale sims" in labels_read(records, "zh") and "刻度" in labels_read(records, "zh")
    unread = labels_not_read([(r.id, r.label_given) for r in rows])
    assert unread.endswith("; or say the scale of their scores with --label-scale.") and "--label-names" not in unread
    assert "刻度" in said(rows[0].label_notice, "zh")
    # said: every score read on that scale
    rows, _ = read_rows(manifest, scale="sims")
    assert [r.label for r in rows] == ["positive"] * 4 and {r.label_read_as for r in rows} == {"--label-scale sims"}
    rows, _ = read_rows(manifest, scale="mosi")
    assert [r.label for r in rows] == ["neutral", "positive", "positive", "neutral"]
    # whole numbers with none below 0 are read as before (SST-2's 0 / 1, star ratings)
    manifest.write_text("text,label\na,0\nb,1\nc,1.0\n", encoding="utf-8")
    assert [r.label for r in read_rows(manifest)[0]] == ["negative", "positive", "positive"]


def test_the_scale_of_the_scores_can_be_said_and_the_line_names_it(tiny_model, tmp_path, capsys, monkeypatch):
    """A MOSI subset whose scores all lie in -1..1 (mosi_small_scores.csv) was read as CH-SIMS (neutral from -0.1 to
    0.1) where MOSI's -0.5 to 0.5 was meant; the line said so, but the only way out was to write the labels as
    words. --label-scale mosi reads them on MOSI's scale, and the line names it; a score beyond the scale said is
    not read; a scale it does not know is one line."""
    from msa_demo.__main__ import build_parser, main
    from msa_demo.dataset.report import labels_read
    from msa_demo.dataset.rows import read_rows
    from msa_demo.errors import InputError
    from msa_demo.labels import LABEL_SCALE

    manifest = tmp_path / "mosi_small_scores.csv"
    manifest.write_text("video_id,clip_id,text,label\nv1,1,it was kind of nice,0.6\nv1,2,it was fine,0.4\n"
                        "v1,3,a bit dull,-0.2\nv1,4,not great,-0.8\nv1,5,okay,0.2\n", encoding="utf-8")
    guessed, _ = read_rows(manifest)
    assert [r.label for r in guessed] == ["positive", "positive", "negative", "negative", "positive"]
    line = labels_read([{"label": r.label, "label_given": r.label_given, "label_read_as": r.label_read_as}
                        for r in guessed])
    assert "(the three classes of CH-SIMS)" in line and line.endswith("if they are on another scale, say it: "
                                                                      "--label-scale mosi")
    rows, _ = read_rows(manifest, scale="mosi")
    assert [r.label for r in rows] == ["positive", "neutral", "neutral", "negative", "neutral"]
    records = [{"label": r.label, "label_given": r.label_given, "label_read_as": r.label_read_as} for r in rows]
    assert labels_read(records) == ("scores read as sentiments: below −0.5 → negative, −0.5 to 0.5 → neutral, above "
                                    "0.5 → positive (the three classes of CMU-MOSI / MOSEI), as --label-scale mosi "
                                    "says")
    manifest.write_text("text,label\na,2.5\nb,-0.4\n", encoding="utf-8")
    rows, _ = read_rows(manifest, scale="sims")
    assert [r.label for r in rows] == [None, "negative"] and "lies beyond the scores' -1 to 1" in rows[0].label_notice
    with pytest.raises(InputError, match=r"^--label-scale 'imdb' is not one of auto, mosi, sims\.$"):
        read_rows(manifest, scale="imdb")
    # on the command line: declared once (its choices and help), read by explain-batch, said in the run's line
    args = build_parser().parse_args(["explain-batch", str(manifest), "--out", str(tmp_path / "o"), "--label-scale",
                                      "mosi"])
    assert args.label_scale == "mosi" and LABEL_SCALE.flag == "--label-scale"
    assert "--label-scale {auto,mosi,sims}" in build_parser()._subparsers._group_actions[0].choices[
        "explain-batch"].format_help()
    monkeypatch.setattr("msa_demo.model.MultimodalSentimentModel.from_preset",
                        classmethod(lambda cls, *a, **k: tiny_model))
    manifest.write_text("text,label\nit was kind of nice,0.6\nit was fine,0.4\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["explain-batch", str(manifest), "--out", str(tmp_path / "o"), "--label-scale", "mosi",
                 "--no-progress", "--lang", "en", "--ig-max-steps", "8"]) == 0
    assert "(the three classes of CMU-MOSI / MOSEI), as --label-scale mosi says" in capsys.readouterr().out
    assert [r["label"] for r in read_results(tmp_path / "o")] == ["positive", "neutral"]
    assert "as --label-scale mosi says" in (tmp_path / "o" / "report.html").read_text(encoding="utf-8")


def test_results_csv_gives_the_manifest_s_label_only_where_it_differs_from_the_class_read():
    """results.csv filled label_given on every row, "neutral,neutral" too, where its header's doc says it holds the
    manifest's own label where it differs from the class it was read as (a score, a code, an emotion)."""
    from msa_demo.dataset.export import csv_bytes

    rows = [{"id": "a", "label": "neutral", "label_given": "neutral", "predicted": "neutral"},
            {"id": "b", "label": "neutral", "label_given": "surprise", "predicted": "positive"},
            {"id": "c", "label": "positive", "label_given": "Positive", "predicted": "positive"}]
    got = list(csv.DictReader(io.StringIO(csv_bytes(rows).decode("utf-8-sig"), newline="")))
    assert [(g["label"], g["label_given"]) for g in got] == [("neutral", ""), ("neutral", "surprise"),
                                                             ("positive", "")]
