"""Dataset mode (``explain-batch``) on the tiny preset: the curated examples plus a corrupt image and an empty
audio file. Every good row explained, bad rows carry their message, an interrupted run resumes with only the
missing rows, the report is written, light and escaped."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest
import soundfile as sf

from msa_demo.config import SENTIMENTS
from msa_demo.dataset import explain_batch, manifest_rows, read_results, summary
from msa_demo.dataset import local as local_engine
from msa_demo.errors import InputError
from msa_demo.explain import ExplainOptions
from msa_demo.explain.result import Explanation

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
# cheap settings: the rows' work is what is tested here, not the maps' resolution
FAST = ExplainOptions(ig_max_steps=8, image_methods=("occlusion",), grid=3, deletion_steps=2, segment_seconds=1.0)
BAD = {"corrupt-image": "could not be read as a picture", "empty-audio": "The audio clip is empty"}


def _label(name: str) -> str | None:
    return "positive" if "positive" in name.lower() else "negative" if "negative" in name.lower() else None


def write_manifest(folder: Path) -> Path:
    """JSONL: the curated examples (absolute paths) + two bad rows whose files sit beside the manifest."""
    rows = []
    for ex in json.loads((EXAMPLES / "examples.json").read_text(encoding="utf-8")):
        rows.append({"id": ex["name"], "text": ex["text"], "label": _label(ex["name"]),
                     **{m: str(EXAMPLES / ex[m]) if ex.get(m) else None for m in ("image", "audio", "video")}})
    (folder / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n this is not a picture")
    sf.write(folder / "empty.wav", np.zeros(0, dtype=np.float32), 16000)
    rows.append({"id": "corrupt-image", "image": "broken.png", "label": "neutral"})  # alone: nothing else to read
    rows.append({"id": "empty-audio", "audio": "empty.wav"})
    path = folder / "manifest.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def batch(tiny_model, tmp_path_factory):
    """One full run over the manifest: (manifest, results dir, summary)."""
    folder = tmp_path_factory.mktemp("batch")
    manifest = write_manifest(folder)
    out = folder / "out"
    s = explain_batch(manifest, out, model=tiny_model, options=FAST, progress=False)
    return manifest, out, s


@pytest.mark.slow
def test_every_good_row_is_explained_and_bad_rows_carry_their_message(batch, tiny_model):
    manifest, out, s = batch
    n_examples = len(json.loads((EXAMPLES / "examples.json").read_text(encoding="utf-8")))
    assert (s.total, s.explained, s.failed, s.skipped) == (n_examples + 2, n_examples, 2, 0)
    table = pq.read_table(out / "results.parquet").to_pylist()
    assert [r["id"] for r in table] == [r.id for r in manifest_rows(manifest)]  # manifest order, one row each
    for r in table:
        if r["id"] in BAD:
            assert BAD[r["id"]] in r["error"] and "\n" not in r["error"]
            assert r["predicted"] is None and r["explanation"] is None
            continue
        assert r["error"] is None and r["predicted"] in SENTIMENTS
        assert sum(r[f"prob_{c}"] for c in SENTIMENTS) == pytest.approx(1.0, abs=1e-5)
        exp = Explanation.from_json((out / r["explanation"]).read_text(encoding="utf-8"))
        # the row holds what the explanation says, and what the model says for these inputs
        assert exp.prediction["label"] == r["predicted"] and exp.target == r["predicted"]
        assert len(r["maps"]) == len(exp.maps) >= 1
        src = next(x for x in manifest_rows(manifest) if x.id == r["id"])
        pred = tiny_model.predict(text=src.text, image=src.image, audio=src.audio, video=src.video)
        assert r[f"prob_{r['predicted']}"] == pytest.approx(pred.probs[r["predicted"]], abs=1e-5)
        for m in pred.used:
            assert r[f"{m}_prob_negative"] == pytest.approx(pred.modalities[m].probs["negative"], abs=1e-5)
        if len(pred.used) > 1:  # Shapley efficiency: the values add up to v(all) - v(none)
            total = sum(r[f"shapley_{m}"] for m in pred.used)
            assert total == pytest.approx(exp.modalities.value_all - exp.modalities.value_none, abs=1e-5)
        if "text" in pred.used:
            assert r["top_words"] and r["top_words"][0]["label"] in src.text
            assert abs(r["top_words"][0]["score"]) == max(abs(s) for s in exp.map("text").scores)
        assert r["text_sha256"] == (None if src.text is None else r["text_sha256"])
        assert (r["image_sha256"] is None) == (src.image is None)


@pytest.mark.slow
def test_saved_row_explanation_reads_back_with_explain_from(batch, tiny_preset_path, capsys):
    from msa_demo.__main__ import main

    _, out, _ = batch
    row = next(r for r in read_results(out) if r["id"] == "Text only")
    rc = main(["explain", "--from", str(out / row["explanation"]), "--preset", str(tiny_preset_path),
               "--device", "cpu", "--json"])
    assert rc == 0
    again = json.loads(capsys.readouterr().out)
    assert again["prediction"]["probs"][row["predicted"]] == pytest.approx(row[f"prob_{row['predicted']}"], abs=1e-5)


@pytest.mark.slow
def test_interrupted_run_resumes_with_only_the_missing_rows(batch, tiny_model, tmp_path, monkeypatch):
    manifest, _, full = batch
    out = tmp_path / "out"
    real, calls = local_engine.explain_row, []

    def stop_at_third(*args, **kwargs):  # Ctrl-C while the third row is in flight
        calls.append(args[1].id)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(local_engine, "explain_row", stop_at_third)
    with pytest.raises(KeyboardInterrupt):
        explain_batch(manifest, out, model=tiny_model, options=FAST, progress=False)
    monkeypatch.undo()
    kept = pq.read_table(out / "results.parquet").to_pylist()  # written on the way out
    assert [r["id"] for r in kept] == calls[:2]
    # a crash that tore the log's last line: that row runs again, nothing else is lost
    with (out / "rows.jsonl").open("a", encoding="utf-8") as fh:
        fh.write('{"id": "Text only", "inde')
    stamps = {r["id"]: (out / r["explanation"]).stat().st_mtime_ns for r in kept}
    s = explain_batch(manifest, out, model=tiny_model, options=FAST, progress=False)
    assert (s.skipped, s.explained + s.failed) == (2, full.total - 2)
    rows = read_results(out)
    assert [r["id"] for r in rows] == [r["id"] for r in read_results(batch[1])]
    assert {r["id"]: (out / r["explanation"]).stat().st_mtime_ns for r in rows if r["id"] in stamps} == stamps
    assert len(pq.read_table(out / "results.parquet")) == full.total
    # a third run has nothing to do
    again = explain_batch(manifest, out, model=tiny_model, options=FAST, progress=False)
    assert (again.skipped, again.explained, again.failed) == (full.total, 0, 0)


def test_a_changed_input_runs_again_and_failed_rows_on_request(tiny_model, tmp_path):
    manifest = tmp_path / "m.csv"
    manifest.write_text("id,text,label\na,I love it,positive\nb,,\n", encoding="utf-8")
    out = tmp_path / "out"
    s = explain_batch(manifest, out, model=tiny_model, options=FAST, progress=False, report=False)
    assert (s.explained, s.failed) == (1, 1)
    assert "no input" in read_results(out)[1]["error"]
    manifest.write_text("id,text,label\na,I hate it,negative\nb,,\n", encoding="utf-8")
    s = explain_batch(manifest, out, model=tiny_model, options=FAST, progress=False, report=False)
    assert (s.skipped, s.explained, s.failed) == (1, 1, 0)  # 'a' changed; 'b' failed before and is skipped
    assert s.failed_before == 1  # and the command line says so, with --retry-failed (it printed "0 failed" alone)
    assert read_results(out)[0]["label"] == "negative"
    s = explain_batch(manifest, out, model=tiny_model, options=FAST, progress=False, report=False,
                      retry_failed=True)
    assert (s.skipped, s.failed, s.failed_before) == (1, 1, 0)


def test_a_row_done_with_other_settings_runs_again(tiny_model, tmp_path, capsys, monkeypatch):
    """A re-run into the same folder with other options, another target or another preset said "0 explained, 20
    already done" and kept the old maps (a 7x7 grid asked as 3x3, no what-ifs asked for). A row runs again when
    what it was made with differs (its settings_sha256); the same settings skip it, as before; a folder written
    before the column was kept (None) is not run again for it. Ctrl-C is said, with how to go on."""
    from dataclasses import replace

    from msa_demo.__main__ import build_parser
    from msa_demo.dataset.cli import cmd_explain_batch
    from msa_demo.dataset.local import settings_digest

    manifest = tmp_path / "m.csv"
    manifest.write_text("id,text,label\na,I love it,positive\nb,I hate it,negative\n", encoding="utf-8")
    out = tmp_path / "out"
    s = explain_batch(manifest, out, model=tiny_model, options=FAST, progress=False, report=False)
    assert (s.explained, s.other_settings) == (2, 0)
    made = {r["id"]: r["settings_sha256"] for r in read_results(out)}
    assert made == dict.fromkeys("ab", settings_digest(tiny_model, None, FAST, None, None, 5, False))
    s = explain_batch(manifest, out, model=tiny_model, options=FAST, progress=False, report=False)
    assert (s.skipped, s.explained) == (2, 0)
    for changed in ({"options": replace(FAST, grid=2)}, {"options": FAST, "target": "neutral"},
                    {"options": FAST, "use": ["text"]}):
        s = explain_batch(manifest, out, model=tiny_model, progress=False, report=False, **changed)
        assert (s.skipped, s.explained, s.other_settings) == (0, 2, 2), changed
        if "target" in changed:
            assert [r["target"] for r in read_results(out)] == ["neutral", "neutral"]
    with (out / "rows.jsonl").open("a", encoding="utf-8") as fh:  # a row from a folder without the column
        fh.write(json.dumps({**read_results(out)[0], "settings_sha256": None, "options_note": 1}) + "\n")
    s = explain_batch(manifest, out, model=tiny_model, options=replace(FAST, grid=2), progress=False, report=False)
    assert (s.skipped, s.explained, s.other_settings) == (1, 1, 1)

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(local_engine, "explain_row", interrupted)
    args = build_parser().parse_args(["explain-batch", str(manifest), "--out", str(out), "--grid", "5",
                                      "--no-progress", "--lang", "en"])
    monkeypatch.setattr("msa_demo.model.MultimodalSentimentModel.from_preset",
                        classmethod(lambda cls, *a, **k: tiny_model))
    assert cmd_explain_batch(args) == 130
    assert capsys.readouterr().err == f"stopped: 2 row(s) are done in {out}; run the same command again to go on " \
                                      "from there\n"


def test_a_folder_holds_one_manifest_s_rows_another_is_refused_and_the_same_goes_on(tiny_model, tmp_path, capsys,
                                                                                    monkeypatch):
    """A second manifest run into a folder that held another's results was mixed into it: "1 rows: 1 explained"
    printed, while results.parquet held 10 rows and report.html gave the accuracy of 9 rows the user never gave.
    The folder now records the manifest it was made from (source.json): another one is refused in one line that
    names the folder, and nothing in it changes; the same manifest goes on (rows done skipped, a row whose inputs
    changed explained again and said)."""
    from msa_demo.__main__ import build_parser
    from msa_demo.dataset.cli import cmd_explain_batch
    from msa_demo.dataset.store import OTHER_MANIFEST

    first, second, out = tmp_path / "first.csv", tmp_path / "second.csv", tmp_path / "out"
    first.write_text("text\nI love it\nI hate it\n", encoding="utf-8")  # ids row-00001, row-00002
    second.write_text("text\nI love it\nwhat a storm\nso so\n", encoding="utf-8")
    s = explain_batch(first, out, model=tiny_model, options=FAST, progress=False)
    assert (s.explained, s.other_inputs) == (2, 0)
    # the manifest, how many rows it holds and the run's limit (said when a limit left rows out)
    assert json.loads((out / "source.json").read_text()) == {"manifest": str(first.resolve()), "rows": 2, "limit": None,
                                                                 "unused": {}}
    before = {p.name: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    with pytest.raises(InputError) as refused:
        explain_batch(second, out, model=tiny_model, options=FAST, progress=False)
    assert str(refused.value) == OTHER_MANIFEST.format(folder=out, manifest=first.resolve(), name="second.csv")
    assert {p.name: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before  # nothing lost, nothing mixed
    monkeypatch.setattr("msa_demo.model.MultimodalSentimentModel.from_preset",
                        classmethod(lambda cls, *a, **k: tiny_model))
    from msa_demo.__main__ import main

    assert main(["explain-batch", str(second), "--out", str(out), "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"'{out}' holds the rows of another manifest" in err and "new results folder" in err
    assert len(pq.read_table(out / "results.parquet")) == 2
    # the same manifest, as a relative path from elsewhere, goes on: done rows skipped, a changed row said
    first.write_text("text\nI love it\nwhat a storm\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    args = build_parser().parse_args(["explain-batch", "first.csv", "--out", str(out), "--grid", "3",
                                      "--no-progress", "--lang", "en"])
    s = explain_batch("first.csv", out, model=tiny_model, options=FAST, progress=False, report=False)
    assert (s.skipped, s.explained, s.other_inputs) == (1, 1, 1)
    assert [r["text_start"] for r in read_results(out)] == ["I love it", "what a storm"]
    first.write_text("text\nI love it\nso so\n", encoding="utf-8")
    assert cmd_explain_batch(args) == 0
    assert ("  1 row(s) of the results folder had the same id with other inputs (another manifest's rows, or files "
            "that changed): explained again, their earlier results replaced\n") in capsys.readouterr().out
    # a folder with no row yet (a run stopped before its first) is the next manifest's
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    (fresh / "source.json").write_text(json.dumps({"manifest": str(first.resolve())}))
    s = explain_batch(second, fresh, model=tiny_model, options=FAST, progress=False, report=False)
    assert s.explained == 3 and json.loads((fresh / "source.json").read_text())["manifest"] == str(second.resolve())


def test_a_results_folder_that_cannot_be_made_is_one_line_before_the_model_loads(tiny_preset_path, tmp_path, capsys,
                                                                                  monkeypatch):
    """``--out /proc/zz`` ended in a FileNotFoundError traceback (store.py, mkdir)."""
    from msa_demo.__main__ import main

    def no_model(*args, **kwargs):
        raise AssertionError("the model was loaded")

    monkeypatch.setattr("msa_demo.model.MultimodalSentimentModel.from_preset", classmethod(no_model))
    m = tmp_path / "m.csv"
    m.write_text("text\nI love it\n", encoding="utf-8")
    (tmp_path / "a-file").write_text("x")
    for out in (tmp_path / "a-file" / "out", Path("/proc/msa-demo-test/out")):
        assert main(["explain-batch", str(m), "--preset", str(tiny_preset_path), "--out", str(out)]) == 2
        err = capsys.readouterr().err
        assert err.startswith(f"error: The results folder '{out}' could not be made or written (") and err.endswith(
            "); choose another one.\n") and err.count("\n") == 1, err


def test_manifest_ids_and_labels(tmp_path):
    m = tmp_path / "m.csv"
    m.write_text("id,text,label\nx,hi,pos\nx,ho,neg\ny,ha,neg\nx,hu,pos\n", encoding="utf-8")
    assert [r.id for r in manifest_rows(m)] == ["x", "x#2", "y", "x#3"]  # a set's own ids repeat (Sentiment140)
    m.write_text("text,label\nhi,pos\nho,maybe\n", encoding="utf-8")
    rows = manifest_rows(m)
    assert [r.id for r in rows] == ["row-00001", "row-00002"]
    assert rows[0].label == "positive" and rows[1].label is None and "maybe" in rows[1].label_notice
    assert len(manifest_rows(m, limit=1)) == 1
    m.write_text("text,label\na,Positive\nb,NEG\nc,-1\nd,happy\ne,Sadness\nf,surprise\ng,7\n", encoding="utf-8")
    assert [r.label for r in manifest_rows(m)] == ["positive", "negative", "negative", "positive", "negative",
                                                   "neutral", None]  # an emotion is read as its sentiment; 7 is none
    # a missing label as a table writes it ("nan": pandas, "NA": R, "#N/A": a spreadsheet) is no label, not a label
    # that is no sentiment name (it said "Label 'nan' is not one of negative, neutral, positive")
    m.write_text("text,label\na,nan\nb,NA\nc,#N/A\nd,positive\n", encoding="utf-8")
    rows = manifest_rows(m)
    assert [r.label for r in rows] == [None, None, None, "positive"] and not any(r.label_notice for r in rows)


@pytest.mark.slow
def test_report_is_written_small_and_escaped(batch, tiny_model, tmp_path):
    _, out, s = batch
    page = (out / "report.html").read_text(encoding="utf-8")
    assert (out / "report.html").stat().st_size < 100_000
    assert "<script" not in page and "plotly" not in page and "<svg" in page
    assert "could not be read as a picture" in page and "truth: positive" in page
    figures = summary(read_results(out))
    labelled = [r for r in read_results(out) if r["label"] and not r["error"]]
    assert figures["metrics"]["n"] == len(labelled)
    assert figures["metrics"]["accuracy"] == pytest.approx(
        sum(r["label"] == r["predicted"] for r in labelled) / len(labelled))
    assert figures["failed"] == 2 and set(figures["reliance"]) == {"text", "image", "audio"}
    # a hostile row id and text are shown as text, never as markup
    m = tmp_path / "m.csv"
    m.write_text('id,text\n"<script>alert(1)</script>","<b>bold</b> words"\n', encoding="utf-8")
    explain_batch(m, tmp_path / "o", model=tiny_model, options=FAST, progress=False)
    page = (tmp_path / "o" / "report.html").read_text(encoding="utf-8")
    assert "<script>" not in page and "<b>bold" not in page


@pytest.mark.slow
def test_the_report_in_chinese_leaves_no_english_but_the_rows_own_words(batch):
    """``explain-batch --lang zh-CN`` (and the Dataset tab on a Chinese page) write report.html in Chinese: every
    heading, sentence, table head, slice, class, modality, the map's legend and axes and the failed rows' reasons."""
    from test_i18n_server import english_left

    from msa_demo.dataset.report import report_title, to_html

    _, out, _ = batch
    rows = read_results(out)
    page = to_html(rows, report_title("out", "zh"), "zh")
    assert page.startswith("<!doctype html><html lang='zh-CN'>") and "数据集解释：out" in page
    assert "真实：正面" in page and "按所用模态" in page and "各行的分布图" in page and "无法解释的行" in page
    own = ["out", "PCA", "AOPC", "map.json", "results.parquet", "PNG, JPEG, WebP, GIF, BMP, TIFF", "broken.png",
           *[r["id"] for r in rows], *[r.get("text_start") for r in rows],
           *[w.get("label") for r in rows for w in r.get("top_words") or []]]
    assert english_left(page, *own) == []
    assert english_left(to_html(rows, report_title("out")), *own) != []  # in English it is found: the check can fail


def test_summary_figures_known_by_construction():
    def row(i, pred, label, sh, conflict=False, words=(), err=None):
        r = {"id": str(i), "predicted": pred, "label": label, "error": err, "conflict": conflict,
             "used": list(sh), "top_words": [{"label": w, "score": s} for w, s in words], "maps": []}
        for m in ("text", "image", "audio"):
            r[f"shapley_{m}"] = sh.get(m)
            for c in SENTIMENTS:
                r[f"{m}_prob_{c}"] = None
        return r

    rows = [row(0, "positive", "positive", {"text": 0.3, "image": -0.1}, words=[("Great!", 2.0), ("the", 1.0)]),
            row(1, "negative", "positive", {"text": -0.1, "image": 0.5}, conflict=True, words=[("great", 0.5)]),
            row(2, None, None, {}, err="bad")]
    # row 1: the image alone says negative (the fused label), the text alone positive: the image wins
    for c, p_image, p_text in zip(SENTIMENTS, (0.8, 0.1, 0.1), (0.1, 0.1, 0.8)):
        rows[1][f"image_prob_{c}"], rows[1][f"text_prob_{c}"] = p_image, p_text
    s = summary(rows)
    assert s["reliance"] == pytest.approx({"text": 0.2, "image": 0.3})
    assert s["reliance_by_predicted"]["negative"] == pytest.approx({"text": 0.1, "image": 0.5})
    assert s["metrics"]["accuracy"] == 0.5 and s["failed"] == 1 and s["errors"] == [("2", "bad")]
    assert s["conflicts"] == 1 and s["conflict_winners"] == {"image": 1}
    both = s["slices"]["modalities used"]["text+image"]
    assert both["rows"] == 2 and both["accuracy"] == 0.5 and both["reliance"] == pytest.approx(s["reliance"])
    top = s["top"]["top_words"]
    assert top[0][:2] == ("great", 2) and top[0][2] == pytest.approx(2.0)  # 1.0 (row 0's top) + 1.0 (row 1's)
    assert top[1][0] == "the" and top[1][2] == pytest.approx(0.5)


@pytest.mark.parametrize("numbers, read", [
    ("0 1 1 0", "negative positive positive negative"),  # a binary set (SST-2, IMDB): 0 is negative
    ("0 1 2 1", "negative neutral positive neutral"),  # TweetEval
    ("-1 0 1 0", "negative neutral positive neutral"),  # as the README says: no line
    ("0 4 2 3", "negative positive neutral positive"),  # SST-5
    ("1 5 3 2", "negative positive neutral negative"),  # star ratings
    ("10 4 7 6", "positive negative positive neutral"),  # IMDB's ratings out of 10
    ("1 2 2 1", "negative positive positive negative"),  # Yelp and Amazon polarity's CSVs: 1 / 2 (read 1 → neutral)
    ("1 3 2 1", "negative neutral negative negative"),  # a sample of star ratings up to 3 (1 read as positive)
    ("9 1 5 8", "positive negative neutral positive"),  # ratings out of 10 with no 10 among them
    ("2 2 2 2", "positive positive positive positive"),  # 2s alone: positive in every numbering whose top is 2
])
def test_numbered_labels_are_read_by_the_numbers_the_column_holds(numbers, read, tmp_path):
    """0 / 1 read row by row as -1 / 0 / 1 made every negative row of a binary set 'neutral' (its accuracy
    wrong), and 'train --labels 2' refused it. The column's numbers decide, and one line says how they were
    read, in the report, the command line's summary and the Dataset tab."""
    from msa_demo.dataset.report import labels_read, to_html
    from msa_demo.dataset.rows import empty_record
    from msa_demo.ui.dataset_tab import summary_markdown

    m = tmp_path / "m.csv"
    m.write_text("text,label\n" + "".join(f"row {i},{n}\n" for i, n in enumerate(numbers.split())), encoding="utf-8")
    rows = manifest_rows(m)
    assert [r.label for r in rows] == read.split() and [r.label_notice for r in rows] == [None] * 4
    records = [empty_record(r) for r in rows]
    line = labels_read(records)
    if numbers.startswith("-1"):
        assert line == ""
    else:
        pairs = sorted({(int(n), w) for n, w in zip(numbers.split(), read.split())})
        assert line.startswith("numbered labels read as " + ", ".join(f"{n} → {w}" for n, w in pairs))
        assert line in to_html(records) and line in summary_markdown(records, tmp_path)
        assert "数字标签读作" in labels_read(records, "zh")
        assert ("负面" in labels_read(records, "zh")) == ("negative" in read)
    if numbers.startswith("0 1 1"):
        from msa_demo.training import row_labels

        raw = [{"label": n} for n in numbers.split()]
        assert row_labels(raw, "2", None) == (["negative", "positive"], [0, 1, 1, 0])


@pytest.mark.parametrize("scores, read, band", [
    ("2.4 -0.6 0.4 -3.0 0.0 1.8", "positive negative neutral negative neutral positive", "0.5"),  # CMU-MOSI, MOSEI
    ("-0.8 0.2 0.0 1.0 -0.2 -1.0", "negative positive neutral positive negative negative", "0.1"),  # CH-SIMS
    ("-3 2 0 1 -1 3", "negative positive neutral positive negative positive", "0.5"),  # MOSI's 7 classes, rounded
])
def test_the_field_s_sentiment_scores_are_read_as_its_papers_read_three_classes(scores, read, band, tmp_path):
    """CMU-MOSI's, MOSEI's and CH-SIMS's labels are averaged annotators' scores (2.4, -0.6): every row was
    'not used' ('is not one of negative, neutral, positive'), so the field's own sets had no metrics at all. The
    column's scores are read as their papers read three classes (MOSI: the score clipped to -1..1 and rounded;
    SIMS: -0.1 to 0.1 neutral), a 2-way set as negative below 0 ('Has0'), and one line says so."""
    from msa_demo.dataset.report import labels_read, to_html
    from msa_demo.dataset.rows import empty_record
    from msa_demo.training import row_labels

    m = tmp_path / "label.csv"
    m.write_text("text,label\n" + "".join(f"row {i},{v}\n" for i, v in enumerate(scores.split())), encoding="utf-8")
    rows = manifest_rows(m)
    assert [r.label for r in rows] == read.split() and all(r.label_notice is None for r in rows)
    records = [empty_record(r) for r in rows]
    line = labels_read(records)
    assert line.startswith(f"scores read as sentiments: below −{band} → negative, −{band} to {band} → neutral, "
                           f"above {band} → positive") and line in to_html(records)
    assert f"低于 −{band} → 负面" in labels_read(records, "zh")
    raw = [{"label": v} for v in scores.split()]
    assert row_labels(raw, "2", None)[1] == [0 if float(v) < 0 else 1 for v in scores.split()]
    assert row_labels(raw, "3", None)[1] == [SENTIMENTS.index(w) for w in read.split()]


@pytest.mark.parametrize("given, read", [
    ("ang hap exc sad neu fru sur fea dis xxx", "negative positive positive negative neutral negative neutral "
     "negative negative -"),  # IEMOCAP's codes; xxx (annotators did not agree) is no sentiment
    ("ANG DIS FEA HAP NEU SAD", "negative negative negative positive neutral negative"),  # CREMA-D
    ("calm fearful surprised disgust happy", "neutral negative neutral negative positive"),  # RAVDESS
    ("contempt anger", "negative negative"),  # AffectNet
    ("正面 负面 中性 积极 消极 好评 差评", "positive negative neutral positive negative positive negative"),  # this app's
    ("高兴 悲伤 愤怒 惊讶 厌恶 恐惧", "positive negative negative neutral negative negative"),  # own words, Chinese sets'
])
def test_the_emotion_sets_words_and_codes_are_read_as_sentiments(given, read, tmp_path):
    """IEMOCAP's and CREMA-D's three-letter codes, RAVDESS's adjectives and AffectNet's contempt were 'not used'
    (only anger, happy, sad ... were known): a speech-emotion set had no labels at all. So were the Chinese words
    this app's own tables write (正面, 负面) and the Chinese sets' emotions."""
    from msa_demo.labels import EMOTION7

    m = tmp_path / "m.csv"
    m.write_text("text,label\n" + "".join(f"row {i},{g}\n" for i, g in enumerate(given.split())), encoding="utf-8")
    assert [r.label or "-" for r in manifest_rows(m)] == read.split()
    from msa_demo.training import row_labels

    known = [{"label": g} for g, w in zip(given.split(), read.split()) if w != "-"]
    label_set = "emotion7" if all(r["label"].lower() in EMOTION7 for r in known) else "3"  # train --labels
    assert row_labels(known, label_set, None)[1] == [SENTIMENTS.index(w) for w in read.split() if w != "-"]


def test_numbers_of_no_known_numbering_and_the_sets_label_names(tmp_path):
    """FER2013's emotion codes 0 to 6 were read as -1 / 0 / 1 (0 angry → neutral, 1 disgust → positive): numbers
    of no numbering read are not guessed, and the notice says why. Label names of the usual sets are read: Hugging
    Face's yelp_review_full ('1 star' ... '5 stars'), SST-5's 'very positive', dair-ai emotion's 'love'."""
    from msa_demo.dataset.report import labels_read
    from msa_demo.dataset.rows import empty_record
    from msa_demo.i18n import said

    m = tmp_path / "fer.csv"
    m.write_text("text,label\n" + "".join(f"row {i},{n}\n" for i, n in enumerate([0, 3, 6, 2])), encoding="utf-8")
    rows = manifest_rows(m)
    assert [r.label for r in rows] == [None] * 4 and rows[0].label_notice == (
        "The label was not used: Label '0' is a number, and the label column's numbers 0 to 6 follow none of the "
        "numberings read (0 / 1, 1 / 2, 0 / 1 / 2, -1 / 0 / 1, 0 to 4, 1 to 5 stars, 1 to 10); name them with "
        "--label-names (FER2013's: angry,disgust,fear,happy,sad,surprise,neutral).")
    assert said(rows[0].label_notice, "zh").startswith("未使用该标签：标签“0”是一个数字，而标签列的数字 0 到 6 不符合")
    # named as FER2013 numbers them (--label-names), in order from 0, or number by number
    from msa_demo.dataset.rows import read_rows
    from msa_demo.labels import parse_label_names

    fer = parse_label_names("angry,disgust,fear,happy,sad,surprise,neutral")
    rows, _ = read_rows(m, label_names=fer)
    assert [(r.label_given, r.label) for r in rows] == [("0", "negative"), ("3", "positive"), ("6", "neutral"),
                                                        ("2", "negative")]
    assert labels_read([empty_record(r) for r in rows]) == ("numbered labels read as 0 → negative, 2 → negative, 3 → "
                                                            "positive, 6 → neutral, by the names --label-names gives "
                                                            "them")
    rows, _ = read_rows(m, label_names=parse_label_names("3=happy, 6=calm"))  # 0 and 2 not named: not guessed
    assert [r.label for r in rows] == [None, "positive", "neutral", None] and rows[0].label_notice == (
        "The label was not used: Label '0' is a number --label-names does not name.")
    for spec, message in [("1=happy,sad", "names in order .* or NUMBER=NAME pairs"),
                          ("x=happy", "'x=happy' is not NUMBER=NAME"), ("angry,hapy", "'hapy' is no sentiment")]:
        with pytest.raises(InputError, match=message):
            parse_label_names(spec)
    m.write_text("text,label\na,1 star\nb,5 stars\nc,3 stars\nd,very positive\ne,Very Negative\nf,love\n"
                 "g,optimism\n", encoding="utf-8")
    rows = manifest_rows(m)
    assert [r.label for r in rows] == ["negative", "positive", "neutral", "positive", "negative", "positive",
                                       "positive"]
    assert labels_read([empty_record(r) for r in rows]).startswith("numbered labels read as 1 → negative, 3 → "
                                                                   "neutral, 5 → positive")


def test_a_hand_labelled_sheet_s_mixed_labels_are_read_or_named_by_value(tmp_path):
    """A journalist's sheet mixed pos, Positive, +, neg, -, neutral, neu, 0 and 'meh/neutral': its two 0s (meant
    neutral) were read as negative ("numbered labels read as 0 → negative, by the numbers the label column holds")
    and counted as model errors, while the line on the labels not read advised "-1 / 0 / 1". A number among word
    labels is not guessed, and says how to say it; + and - are read as positive and negative; the labels not read
    are named by value, with how many rows give each. A column whose only number is 0 is not guessed either."""
    from msa_demo.dataset.report import labels_not_read, labels_read, to_html, unread_labels
    from msa_demo.dataset.rows import empty_record
    from msa_demo.i18n import said
    from msa_demo.ui.dataset_tab import summary_markdown

    given = ["pos", "Positive", "positive ", "+", "POS", "neg", "-", "NEG", "neutral", "neu", "0", "meh/neutral", "0",
             "meh/neutral", "meh/neutral"]
    m = tmp_path / "sheet.csv"
    m.write_text("text,label\n" + "".join(f"row {i},{g}\n" for i, g in enumerate(given)), encoding="utf-8")
    rows = manifest_rows(m)
    assert [r.label for r in rows] == ["positive"] * 5 + ["negative"] * 3 + ["neutral"] * 2 + [None] * 5
    assert rows[10].label_notice == (
        "The label was not used: Label '0' is a number among word labels (pos, neg ...), and which sentiment a number "
        "means there is not guessed; write negative, neutral or positive in its place, or name the numbers with "
        "--label-names (such as 0=neutral).")
    assert said(rows[10].label_notice, "zh").startswith("未使用该标签：标签“0”是夹在文字标签")
    records = [{**empty_record(r), "predicted": "negative"} for r in rows]
    assert labels_read(records) == ""  # no number read: no "0 → negative"
    line = labels_not_read(unread_labels(records))
    assert line == ("labels not read, explained without them: 5 · 'meh/neutral' (3 rows), '0' (2 rows) · rows "
                    "row-00011, row-00012, row-00013, row-00014, row-00015. Write negative, neutral or positive (or "
                    "an emotion) in their place; name numbers with --label-names, such as 0=neutral.")
    assert "“meh/neutral”（3 行）、“0”（2 行）" in labels_not_read(unread_labels(records), "zh")
    assert "-1 / 0 / 1" not in line and line.replace("'", "&#x27;") in to_html(records)
    assert ("'0' (2 rows) · rows row-00011" in summary_markdown(records, tmp_path)
            and "with the 'numbered labels' names' box, such as 0=neutral" in summary_markdown(records, tmp_path))
    from msa_demo.training import row_labels
    from msa_demo.training.data import labelled_rows  # train reads the sheet the same way

    _, y, left_out = labelled_rows([{"label": g} for g in given], "3", None)
    assert y == [2] * 5 + [0] * 3 + [1] * 2 and sorted(left_out) == [10, 11, 12, 13, 14]
    m.write_text("text,label\na,0\nb,0\n", encoding="utf-8")  # 0 alone: negative (0 / 1) or neutral (-1 / 0 / 1)?
    rows = manifest_rows(m)
    assert [r.label for r in rows] == [None, None] and "0 alone does not tell which numbering" in rows[0].label_notice
    assert row_labels([{"label": "0"}, {"label": "0"}], "2", None)[1] == [0, 0]  # a 2-way set has no neutral


def test_a_class_label_of_minus_one_is_no_label(tmp_path):
    """GLUE's test splits, saved with datasets, label every row -1 (ClassLabel's "no label"): each was read as
    negative, a made-up accuracy reported on them, and train held them out as its test rows."""
    datasets = pytest.importorskip("datasets", reason="requirements-dev.txt pins datasets for this test")
    from msa_demo.training.data import labelled_rows

    feats = datasets.Features({"sentence": datasets.Value("string"),
                               "label": datasets.ClassLabel(names=["negative", "positive"])})
    part = [{"sentence": s, "label": y} for s, y in (("great", 1), ("awful", 0))]
    datasets.DatasetDict({"train": datasets.Dataset.from_list(part, features=feats),
                          "test": datasets.Dataset.from_list([{"sentence": "fine", "label": -1}], features=feats)}
                         ).save_to_disk(str(tmp_path / "sst2"))
    rows = manifest_rows(tmp_path / "sst2", columns={"text": "sentence"})
    assert [(r.text, r.label, r.label_given) for r in rows] == [("great", "positive", "positive"),
                                                                ("awful", "negative", "negative"), ("fine", None, None)]
    raw = [{"text": r.text, "label": r.label_given} for r in rows]
    labels, y, left_out = labelled_rows(raw, "2", None)
    assert y == [1, 0] and list(left_out) == [2]


def test_a_fasttext_file_is_read_as_its_labels_and_texts(tmp_path):
    """Amazon polarity as Kaggle gives it (train.ft.txt: '__label__2 Great CD: My lovely Pat has ...') was read as
    a CSV whose header was the first review, and refused for its commas."""
    m = tmp_path / "train.ft.txt"
    m.write_text("__label__2 Great CD: lovely, really lovely\n__label__1 Broke after a day, avoid.\n\n"
                 "__label__2 Fine\n", encoding="utf-8")
    rows = manifest_rows(m)
    assert [(r.text, r.label) for r in rows] == [("Great CD: lovely, really lovely", "positive"),
                                                ("Broke after a day, avoid.", "negative"), ("Fine", "positive")]


def test_a_split_s_labels_are_said_as_the_whole_column_read_them(tmp_path):
    """CMU-MOSI's test rows alone (0.2, 2.8: no negative score among them) said "numbered labels read as 2 →
    positive", a reading that did not happen: the line is the whole column's reading (scores -3 to 3)."""
    from msa_demo.dataset.report import labels_read
    from msa_demo.dataset.rows import empty_record, read_rows

    m = tmp_path / "label.csv"
    m.write_text("text,label,split\na,-2.2,train\nb,0.4,train\nc,0.2,test\nd,2.0,test\n", encoding="utf-8")
    rows, _ = read_rows(m, split="test")
    assert [r.label for r in rows] == ["neutral", "positive"] and {r.label_read_as for r in rows} == {"scores -3 to 3"}
    assert labels_read([empty_record(r) for r in rows]).startswith("scores read as sentiments: below −0.5")


def test_scores_without_a_negative_one_are_not_guessed(tmp_path):
    """0.7 may be a probability, a share of stars or SST's phrase value: not read, and the notice says why and how to
    say the scale (--label-scale)."""
    m = tmp_path / "m.csv"
    m.write_text("text,label\nfine,0.7\nbad,0.2\n", encoding="utf-8")
    notices = [r.label_notice for r in manifest_rows(m)]
    assert notices[0] == ("The label was not used: Label '0.7' is a score, and the label column's scores hold none "
                          "below 0, so their scale is not guessed (0.4 is positive on CH-SIMS's -1 to 1, neutral on "
                          "CMU-MOSI's -3 to 3); say it with --label-scale sims or --label-scale mosi, or write "
                          "negative, neutral or positive.")
    from msa_demo.i18n import said

    assert said(notices[0], "zh").startswith("未使用该标签：标签“0.7”是一个分数")


def test_a_clip_folder_layout_is_built_from_the_row_s_columns(tmp_path):
    """CMU-MOSI's and CH-SIMS's label.csv names each clip by video_id and clip_id (Raw/<video_id>/<clip_id>.mp4)
    and says train / valid / test in its 'mode' column: a template builds the path and the id, 'split' maps, and
    a clip that is not there names its folders, not only '4.mp4' of hundreds."""
    from msa_demo.dataset.manifest import parse_columns, read_manifest

    (tmp_path / "Raw" / "vidA").mkdir(parents=True)
    shutil.copy(EXAMPLES / "face_turns.mp4", tmp_path / "Raw" / "vidA" / "1.mp4")
    m = tmp_path / "label.csv"
    m.write_text("video_id,clip_id,text,label,mode\nvidA,1,I liked it,2.4,train\nvidB,4,it was okay,0.2,valid\n"
                 "vidB,,no clip id,-1.2,test\n", encoding="utf-8")
    columns = parse_columns("video=Raw/{video_id}/{clip_id}.mp4, id={video_id}_{clip_id}, split=mode")
    rows = read_manifest(m, columns=columns)
    assert [r.get("video") for r in rows] == [str(tmp_path / "Raw/vidA/1.mp4"), str(tmp_path / "Raw/vidB/4.mp4"),
                                             None]  # an empty cell builds no path
    assert [r.get("id") for r in rows] == ["vidA_1", "vidB_4", None] and [r["split"] for r in rows] == [
        "train", "valid", "test"]
    for spec, said in [("video=Raw/{video}/{clip_id}.mp4", "has no column 'video' (it has: video_id, clip_id, "),
                       ("video=Raw/{}.mp4", "'video=Raw/{}.mp4' is no template")]:
        with pytest.raises(InputError, match=re.escape(said)):
            read_manifest(m, columns=parse_columns(spec))
    from msa_demo.inputs import no_file

    assert no_file(tmp_path / "Raw/vidB/4.mp4", "video") == "No video file was found at '…/Raw/vidB/4.mp4'."
    # a template (or a folder) that finds no clip at all is one line before anything is made, not 3 failed rows
    with pytest.raises(InputError) as err:
        explain_batch(m, tmp_path / "out", model=object(), columns=parse_columns("video=clips/{clip_id}.mp4"))
    assert str(err.value) == (f"None of the 2 video files the manifest names exists (the first: "
                              f"'…/{tmp_path.name}/clips/1.mp4'); paths are read from the manifest's folder.")
    assert not (tmp_path / "out").exists()
    from msa_demo.i18n import said

    assert said(str(err.value), "zh").startswith("清单列出的 2 个视频文件都不存在（第一个：“…/")
    # --split: only the test rows (their ids stay the manifest's); a split no row has, or no split column: one line
    from msa_demo.dataset.rows import read_rows

    rows, _ = read_rows(m, columns=parse_columns("text=text,split=mode"), split="TEST")
    assert [(r.id, r.text) for r in rows] == [("row-00003", "no clip id")]
    for columns, split, said_en in [("split=mode", "tst", "No row of the manifest 'label.csv' is in the split 'tst' "
                                                          "(its splits: train, valid, test)."),
                                    (None, "test", "The manifest 'label.csv' has no split column for --split (map "
                                                   "one: --columns split=mode).")]:
        with pytest.raises(InputError) as err:
            read_rows(m, columns=parse_columns(columns), split=split)
        assert str(err.value) == said_en and said(said_en, "zh") != said_en
    with pytest.raises(InputError, match=re.escape("The one video file the manifest names does not exist ('…/")):
        explain_batch(m, tmp_path / "out", model=object(), split="valid",
                      columns=parse_columns("video=Raw/{video_id}/{clip_id}.mp4,split=mode"))
    # MELD names its clips dia<Dialogue_ID>_utt<Utterance_ID>.mp4; a column's name may hold a dot ("Sr No.")
    m.write_text("Sr No.,Utterance,Sentiment,Dialogue_ID,Utterance_ID\n1,Oh my God!,positive,0,3\n", encoding="utf-8")
    [row] = read_manifest(m, columns=parse_columns(
        "text=Utterance,label=Sentiment,video=train/dia{Dialogue_ID}_utt{Utterance_ID}.mp4,id={Sr No.}"))
    assert (row["video"], row["id"], row["text"]) == (str(tmp_path / "train/dia0_utt3.mp4"), "1", "Oh my God!")


def test_a_label_column_named_otherwise_is_pointed_at_not_passed_over(tiny_model, tmp_path):
    """The Kaggle IMDB set's CSV is 'review' and 'sentiment': mapped text=review, its labels were passed over in
    silence (no accuracy, no F1, no word why). The refusal names both columns to map, and a run with no label
    read names the column that looks like one; a set with its labels mapped, or none to map, gets no such line."""
    from msa_demo.dataset.manifest import read_manifest
    from msa_demo.dataset.rows import read_rows
    from msa_demo.i18n import said

    m = tmp_path / "imdb.csv"
    m.write_text("review,sentiment\nA fine film,positive\nDull,negative\n", encoding="utf-8")
    with pytest.raises(InputError, match=re.escape("Map a column of yours: --columns text=review,label=sentiment.")):
        read_manifest(m)
    rows, hint = read_rows(m, columns={"text": "review"})
    assert [r.label for r in rows] == [None, None] and hint == (
        "No label was read: the manifest has no 'label' column, and its column 'sentiment' looks like one; map it "
        "(label=sentiment) to score the set.")
    assert said(hint, "zh").startswith("没有读取到标签：清单没有“label”列，而它的“sentiment”列")
    s = explain_batch(m, tmp_path / "out", model=tiny_model, options=FAST, progress=False, report=False,
                      columns={"text": "review"})
    assert s.label_hint == hint
    assert read_rows(m, columns={"text": "review", "label": "sentiment"})[1] == ""
    m.write_text("review,stars\nA fine film,5\n", encoding="utf-8")
    assert read_rows(m, columns={"text": "review"})[1].endswith("its column 'stars' looks like one; map it "
                                                                 "(label=stars) to score the set.")
    m.write_text("review,author\nA fine film,me\n", encoding="utf-8")
    assert read_rows(m, columns={"text": "review"})[1] == ""
    m.write_text("文本,标签\n这部电影很好看,正面\n", encoding="utf-8")  # a Chinese set's own names are suggested too
    with pytest.raises(InputError, match=re.escape("Map a column of yours: --columns text=文本,label=标签.")):
        read_manifest(m)
    assert [r.label for r in read_rows(m, columns={"text": "文本", "label": "标签"})[0]] == ["positive"]


def test_our_column_names_written_otherwise_are_ours(tmp_path):
    """A spreadsheet's headers 'Text' and ' Label ' were 'none of the columns text, image, audio, video (it has:
    Text,  Label )' with no map offered; they are our names in another case, so they are read as ours (not when
    the manifest holds both 'Text' and 'TEXT', or the exact name too)."""
    from msa_demo.dataset.manifest import read_manifest

    m = tmp_path / "m.csv"
    m.write_text("Text, Label ,IMAGE\nI love it,Positive,\n", encoding="utf-8")
    [row] = manifest_rows(m)
    assert (row.text, row.label) == ("I love it", "positive")
    m.write_text("text,Text\nmine,theirs\n", encoding="utf-8")
    assert read_manifest(m)[0]["text"] == "mine" and read_manifest(m)[0]["Text"] == "theirs"
    m.write_text("Text,TEXT\na,b\n", encoding="utf-8")
    with pytest.raises(InputError, match=re.escape("(it has: Text, TEXT)")):
        read_manifest(m)


def test_a_set_s_own_column_names_are_mapped_and_a_mistaken_map_is_one_line(tmp_path):
    from msa_demo.dataset.manifest import parse_columns, read_manifest

    m = tmp_path / "m.csv"
    m.write_text("review,stars,text\ngreat,5,old\nawful,1,old\n", encoding="utf-8")
    rows = read_manifest(m, columns=parse_columns("text=review, label=stars"))
    assert [(r["text"], r["label"]) for r in rows] == [("great", "5"), ("awful", "1")]  # the mapped one wins
    assert [r.label for r in manifest_rows(m, columns={"text": "review", "label": "stars"})] == ["positive", "negative"]
    m.write_text("review;stars\n\"great; really\";5\n", encoding="utf-8")  # a spreadsheet's semicolons
    assert [r.label for r in manifest_rows(m, columns={"text": "review", "label": "stars"})] == ["positive"]
    m.write_text("review,stars\ngreat,5\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"has none of the columns .* \(it has: review, stars\)\. Map a column of "
                                         r"yours: --columns text=review,label=stars\."):
        read_manifest(m)
    for spec, said in [("text=reviw", "has no column 'reviw' (it has: review, stars)"),
                       ("words=review", "'words' is none of them"), ("review", "'review' is not one"),
                       ("text=review,text=stars", "names 'text' twice")]:
        with pytest.raises(InputError, match=re.escape(said)):
            read_manifest(m, columns=parse_columns(spec))


def test_cli_explain_batch(tiny_preset_path, tmp_path, capsys):
    from msa_demo.__main__ import main

    m = tmp_path / "m.csv"
    m.write_text("text,label\nI love it,positive\nI hate it,maybe\nmeh,neutral\n", encoding="utf-8")
    out = tmp_path / "out"
    rc = main(["explain-batch", str(m), "--preset", str(tiny_preset_path), "-o", str(out), "--device", "cpu",
               "--limit", "2", "--ig-max-steps", "8", "--deletion-steps", "2", "--no-progress"])
    assert rc == 0
    text = capsys.readouterr().out
    assert "The first 2 of 3 rows: 2 explained, 0 failed, 0 already done" in text and "rows/s" in text
    assert "  1 row(s) of the manifest were left out by --limit 2 (without it, every row is run)\n" in text
    assert "labels not read, explained without them: 1 · 'maybe' (1 row) · rows row-00002. Write negative" in text
    from msa_demo.ui.dataset_tab import summary_markdown

    said = summary_markdown(read_results(out), out)
    assert "explained without them: 1 · 'maybe' (1 row) · rows row-00002" in said  # the command line's line
    assert "explained without them: 1 · &#x27;maybe&#x27; (1 row) · rows row-00002" in (
        out / "report.html").read_text(encoding="utf-8")  # and the
    # report's ('maybe' had shown as "label: —" there, with no word why)
    assert "未读取的标签" in summary_markdown(read_results(out), out, lang="zh")
    assert len(read_results(out)) == 2
    assert json.loads((out / "explanations" / "row-00001.json").read_text())["options"]["ig_max_steps"] == 8
    assert f"map:     {out / 'map.json'}" in text  # two rows: the map says why there is none
    assert json.loads((out / "map.json").read_text())["reason"].startswith("No map: 2 explained rows")
    rc = main(["explain-batch", str(tmp_path / "missing.csv"), "--preset", str(tiny_preset_path), "--out",
               str(out)])
    assert rc == 2 and "does not exist" in capsys.readouterr().err
    shutil.rmtree(out)
    # the rows that could not be explained are named with why (not only "7 failed"), five of them, then a count
    shutil.copy(EXAMPLES / "happy_face.png", tmp_path / "found.png")
    m.write_text("text,image\n" + "".join(f",gone{i}.png\n" for i in range(7)) + "row 7,found.png\n",
                 encoding="utf-8")  # a picture alone: a row with words is explained from them (said)
    assert main(["explain-batch", str(m), "--preset", str(tiny_preset_path), "-o", str(out), "--device", "cpu",
                 "--no-progress", "--ig-max-steps", "8", "--deletion-steps", "2"]) == 1  # rows failed: exit status 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("8 rows: 1 explained, 7 failed") and lines[1:7] == [
        *(f"  row-0000{i + 1}: No image file was found at '…/{tmp_path.parent.name}/{tmp_path.name}/gone{i}.png'."
          for i in range(5)), "  and 2 more (report.html lists every row that could not be explained)"]
    assert main(["explain-batch", str(m), "--preset", str(tiny_preset_path), "-o", str(out), "--device", "cpu",
                 "--no-progress", "--ig-max-steps", "8", "--deletion-steps", "2"]) == 1  # again: nothing runs, and
    # the 7 that failed are not hidden behind "0 failed", nor behind exit status 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("8 rows: 0 explained, 0 failed, 8 already done")
    assert lines[1] == "  7 of the rows already done had failed; --retry-failed runs them again"


@pytest.mark.slow
@pytest.mark.spawns
@pytest.mark.alone  # a local Ray cluster (see tests/test_dataset_cluster.py)
def test_ray_engine_gives_the_local_engine_numbers(batch, tiny_preset_path, tmp_path):
    """Local Ray, 2 workers: the same rows, the same numbers and messages as the local engine, same seed."""
    pytest.importorskip("ray", reason="Ray is the optional extra in requirements-cluster.txt")
    import ray

    manifest, out, _ = batch
    picked = [r for r in read_results(out) if r["id"] in ("Text only", "Clearly negative", "corrupt-image",
                                                           "empty-audio")]
    lines = [line for line in manifest.read_text(encoding="utf-8").splitlines()
             if json.loads(line)["id"] in {r["id"] for r in picked}]
    small = manifest.parent / "small.jsonl"
    small.write_text("\n".join(lines) + "\n", encoding="utf-8")
    from msa_demo.dataset.distributed import start_ray

    start_ray()  # a local Ray on 127.0.0.1 (the engine's own start), msa_demo on the workers' path
    assert ray._private.worker.global_worker.node.node_ip_address == "127.0.0.1"
    try:
        s = explain_batch(small, tmp_path / "ray", preset=str(tiny_preset_path), device="cpu", options=FAST,
                          engine="ray", workers=2, progress=False)
    finally:
        ray.shutdown()
    assert (s.explained, s.failed) == (2, 2)
    got = {r["id"]: r for r in read_results(tmp_path / "ray")}
    for want in picked:
        r = got[want["id"]]
        assert r["error"] == want["error"] and r["predicted"] == want["predicted"]
        for col in [f"prob_{c}" for c in SENTIMENTS] + ["shapley_text", "shapley_image", "shapley_audio"]:
            assert r[col] == pytest.approx(want[col], abs=1e-6), col
        assert [w["label"] for w in r["top_words"]] == [w["label"] for w in want["top_words"]]
        assert [m["aopc"] for m in r["maps"]] == pytest.approx([m["aopc"] for m in want["maps"]], abs=1e-6)
        # the fused features the map projects: kept by the actors as by the local engine (none for a failed row)
        assert (r["fused_features"] is None) is (want["fused_features"] is None) is bool(want["error"])
        assert (r["fused_features"] or []) == pytest.approx(want["fused_features"] or [], abs=1e-6)


@pytest.mark.slow
def test_saved_explanation_is_compact_and_whole(batch):
    """One line of JSON (the heat maps' cells no longer one per line), holding every value the row's explanation
    has: read back, it is the same explanation."""
    _, out, _ = batch
    for r in read_results(out):
        if r["explanation"] is None:
            continue
        text = (out / r["explanation"]).read_text(encoding="utf-8")
        assert "\n" not in text
        data = json.loads(text)
        assert Explanation.from_dict(data).to_dict() == data
        assert json.dumps(data, ensure_ascii=False, separators=(",", ":")) == text


def test_dataset_modules_form_no_import_circle():
    """columns at the bottom (it imports no other dataset module); store, rows and report above it, none reaching
    back: the report is written from a results directory, the directory never writes the report."""
    import sys

    root = Path(__file__).resolve().parents[1]
    sys.path.insert(0, str(root / "scripts"))
    try:
        import import_graph
    finally:
        sys.path.remove(str(root / "scripts"))
    graph = import_graph.import_graph()
    assert not [c for c in import_graph.cycles(graph) if any(m.startswith("msa_demo.dataset") for m in c)]
    assert not [m for m in graph["msa_demo.dataset.columns"] if m.startswith("msa_demo.dataset.")
                and m != "msa_demo.dataset.media"]
    for low, high in (("store", "rows"), ("store", "report"), ("rows", "report"), ("columns", "store")):
        assert import_graph.reaches(graph, f"msa_demo.dataset.{low}", f"msa_demo.dataset.{high}") is None, (low, high)


def test_slice_metrics_against_hand_computed_ones():
    """Five explained rows (one unlabelled) and a failed one, sliced by language, conflict, label and the
    modalities used; accuracy and macro F1 (over the classes a slice's labels or predictions hold) worked out by
    hand."""
    from msa_demo.dataset.report import macro_f1, to_html
    from msa_demo.ui.dataset_tab import breakdown_markdown, slices_markdown

    def row(i, lang, pred, label, sh, conflict=False):
        r = {"id": str(i), "language": lang, "predicted": pred, "label": label, "error": None, "conflict": conflict,
             "used": list(sh), "maps": []}
        r.update({f"shapley_{m}": v for m, v in sh.items()})
        return r

    rows = [row(0, "en", "positive", "positive", {"text": 0.2}),
            row(1, "en", "negative", "positive", {"text": -0.1, "image": 0.4}, conflict=True),
            row(2, "de", "neutral", "neutral", {"text": 0.3}),
            row(3, "de", "positive", "negative", {"text": 0.2, "audio": -0.6}),
            row(4, "en", "positive", None, {"text": 0.5}),
            {"id": "5", "error": "bad", "label": "neutral"}]
    sl = summary(rows)["slices"]
    # en: labelled rows 0 and 1; positive F1 = 2/3 (precision 1, recall 1/2), negative 0: macro 1/3
    en = sl["language"]["en"]
    assert (en["rows"], en["labelled"], en["accuracy"]) == (3, 2, 0.5)
    assert en["macro_f1"] == pytest.approx(1 / 3)
    assert en["reliance"] == pytest.approx({"text": (0.2 + 0.1 + 0.5) / 3, "image": 0.4})
    # de: neutral F1 1, negative 0 (never predicted), positive 0 (never true): macro 1/3 over three classes
    de = sl["language"]["de"]
    assert (de["rows"], de["accuracy"]) == (2, 0.5) and de["macro_f1"] == pytest.approx(1 / 3)
    assert {k: v["rows"] for k, v in sl["conflict"].items()} == {"agreement": 1, "conflict": 1, "one modality": 3}
    assert sl["conflict"]["one modality"]["accuracy"] == 1.0 and sl["conflict"]["one modality"]["macro_f1"] == 1.0
    assert set(sl["label"]) == {"positive", "neutral", "negative", "unlabelled"}  # the failed row is not sliced
    assert sl["label"]["unlabelled"]["accuracy"] is None and sl["label"]["unlabelled"]["macro_f1"] is None
    # a label slice holds one true class: macro F1 scored the others 0 (positive: 1/3 at accuracy 0.5), so it is
    # left out; its accuracy is the class's recall, its precision over the set (labelled rows predicted as it)
    positive, neutral, negative = (sl["label"][c] for c in ("positive", "neutral", "negative"))
    assert positive["macro_f1"] is None and neutral["macro_f1"] is None and negative["macro_f1"] is None
    assert (positive["accuracy"], positive["recall"]) == (0.5, 0.5)
    assert positive["precision"] == 0.5  # rows 0 and 3 predicted positive, row 0 is
    assert (neutral["recall"], neutral["precision"]) == (1.0, 1.0)
    assert (negative["recall"], negative["precision"]) == (0.0, 0.0)  # row 1 predicted negative, labelled positive
    assert "precision" not in sl["language"]["en"] and "recall" not in sl["label"]["unlabelled"]
    assert sl["modalities used"]["text+audio"]["reliance"] == pytest.approx({"text": 0.2, "audio": 0.6})
    assert macro_f1([]) is None
    page = to_html(rows)
    assert "<h3>By conflict</h3>" in page and "<td>one modality</td>" in page and "macro F1" in page
    # the reliance bars in the order the line above them ranks the modalities (they were in registry order)
    import re

    ranked = re.search(r"moves most with <b>(\w+)</b>((?:, then \w+)*)", page)
    said = [ranked[1], *re.findall(r"then (\w+)", ranked[2])]
    chart = page[page.index("mean |Shapley value|"):]
    drawn = re.findall(r'<span class="l" title="(\w+)">', chart[:chart.index("</figure>")])
    assert drawn == said and len(said) > 1
    table = slices_markdown(sl)
    # audio over the one row of two that had a clip: said (its 0.600 read as the slice's)
    # each slice with its labelled rows; a score over fewer than 10 of them says it is too few to tell
    assert "| language: de | 2 | 2 | 50% (too few to tell) | 0.33 (too few to tell) | audio 0.600 (1 of 2 rows) |" \
        in table.replace("\\", "")
    assert "| label: unlabelled | 1 | 0 | — | — | text 0.500 |" in table
    assert "| label: positive | 2 | 2 | 50% (too few to tell) | — | image 0.400 (1 of 2 rows) |" in table  # no macro F1
    # for one class
    assert table.endswith("\n\nBy label, each slice holds one true class: its accuracy is that class's recall, its "
                          "precision is over every row predicted as that class, and macro F1 is left out (the "
                          "slice's other classes would score 0). Precision over the set: negative 0% (too few to tell) · "
                          "neutral 100% (too few to tell) · positive 50% (too few to tell).")
    import html as html_module

    by_label = html_module.unescape(page[page.index("<h3>By label</h3>"):])
    by_label = by_label[:by_label.index("</table>")]
    assert "accuracy (its recall)</th><th>precision over the set</th>" in by_label and "macro F1" not in by_label.split(
        "</p>")[1]
    assert ("<tr><td>positive</td><td class=n>2</td><td class=n>2</td><td class=n>0.500 (too few to tell)</td>"
            "<td class=n>0.500 (too few to tell)</td>") in by_label
    assert ("<tr><td>neutral</td><td class=n>1</td><td class=n>1</td><td class=n>1.000 (too few to tell)</td>"
            "<td class=n>1.000 (too few to tell)</td>") in by_label
    # modalities relied on alike are named together (one of three equal ones was named as the one relied on most)
    even = {"conflict": {"a": {"rows": 2, "reliance": {"text": 0.2222, "image": 0.2221, "audio": 0.1}},
                         "b": {"rows": 1, "reliance": {"text": 0.1}}}}
    assert "| text = image 0.222 |" in slices_markdown(even)
    shown = breakdown_markdown(rows)
    assert table in shown
    # the confusion matrix of the four labelled rows: truth in rows (negative, neutral, positive)
    assert "| negative | 0 | 0 | 1 |\n| neutral | 0 | 1 | 0 |\n| positive | 1 | 0 | 1 |" in shown


@pytest.mark.lite
def test_a_row_s_picture_without_a_face_is_left_out_as_the_dashboard_leaves_it_out(lite, lite_dashboard, tmp_path):
    """The curated "Neutral" example (a street scene) read NEUTRAL 90 % on the Explain tab, whose face model abstains
    ("no face"), but the Dataset tab's run read the scene as a face (image alone negative, a "conflict", 62 %):
    explain_row now leaves such a picture out by the same rule (``model.face_check``), and a row with
    only a faceless picture is one line; a picture with a face is read; ``face_anyway`` (``--face-anyway``) reads
    it all the same."""
    from msa_demo.dataset.rows import explain_row
    from msa_demo.explain import ExplainOptions

    examples = Path(__file__).resolve().parents[1] / "examples"
    manifest = tmp_path / "m.csv"
    manifest.write_text("id,text,image\n"
                        f"scene,The meeting is at ten in the room on the second floor.,{examples / 'neutral_scene.png'}\n"
                        f"scene-alone,,{examples / 'neutral_scene.png'}\nface-alone,,{examples / 'happy_face.png'}\n",
                        encoding="utf-8")
    rows = {r.id: r for r in manifest_rows(manifest)}
    options = ExplainOptions(ig_max_steps=8, image_methods=("occlusion",), grid=4, deletion_steps=4, what_if=False)
    rec, data = explain_row(lite, rows["scene"], options)
    assert data["prediction"]["used"] == ["text"] and data["reading"]["image"]["face_found"] is False
    assert rec["predicted"] == "neutral" and not rec.get("conflict")
    page = lite_dashboard().predict(text=rows["scene"].values["text"], image=rows["scene"].values["image"])
    assert page["own.image"] == "no face" and max(page["fused"], key=page["fused"].get) == rec["predicted"]
    assert page["fused"][rec["predicted"]] == pytest.approx(rec[f"prob_{rec['predicted']}"], abs=0.01)
    rec, data = explain_row(lite, rows["scene-alone"], options)
    assert data is None and rec["error"].startswith("No face was found in the picture")
    rec, data = explain_row(lite, rows["face-alone"], options)
    assert data["prediction"]["used"] == ["image"] and rec["predicted"] == "positive"
    # explain-batch --face-anyway: the scene is read as a face all the same, in every row
    s = explain_batch(manifest, tmp_path / "out", model=lite, options=options, progress=False, report=False,
                      face_anyway=True)
    assert s.explained == 3 and not s.failures
    assert not {r["id"]: r.get("error") for r in read_results(tmp_path / "out")}["scene-alone"]
    scene = json.loads((tmp_path / "out" / "explanations" / "scene-alone.json").read_text(encoding="utf-8"))
    assert scene["prediction"]["used"] == ["image"] and "No face" not in " ".join(scene["notices"])


def test_a_row_whose_file_is_not_there_is_explained_from_what_is(tiny_model, tmp_path):
    """A MELD row whose clip is missing failed whole ("No video file was found"), also with ``--use text``, where
    the clip is not even read; ``train`` reads such a row without it. Now the row is explained from what is there
    and says which file was not; a row with nothing else still fails with the missing file's line."""
    from msa_demo.dataset.rows import explain_row

    (tmp_path / "clips").mkdir()
    manifest = tmp_path / "m.csv"
    manifest.write_text("id,text,video,audio\nwords,Oh my God you are so wonderful,clips/dia0_utt2.mp4,\n"
                        "nothing-else,,clips/dia0_utt3.mp4,\n", encoding="utf-8")
    rows = {r.id: r for r in manifest_rows(manifest)}
    rec, data = explain_row(tiny_model, rows["words"], FAST)
    assert rec["error"] is None and data["prediction"]["used"] == ["text"]
    assert data["notices"][-1].startswith("Video: no file at '…/") and data["notices"][-1].endswith(
        "/clips/dia0_utt2.mp4', so the row was explained without it.")  # the path's last three parts
    direct = tiny_model.predict(text="Oh my God you are so wonderful")
    assert rec[f"prob_{rec['predicted']}"] == pytest.approx(direct.probs[rec["predicted"]], abs=1e-5)
    assert rec["not_read"] == ["video"]  # counted: the run's summary, the report and the Dataset tab say how many
    rec, data = explain_row(tiny_model, rows["words"], FAST, use=["text"])  # not asked for: not said either
    assert rec["error"] is None and not [n for n in data["notices"] if "no file" in n] and rec["not_read"] == []
    import shutil

    shutil.copy(EXAMPLES / "happy_face.png", tmp_path / "face.png")
    (tmp_path / "pictures.csv").write_text("id,text,image\ngone,hello there,gone.png\nhere,hi,face.png\n",
                                           encoding="utf-8")
    s = explain_batch(tmp_path / "pictures.csv", tmp_path / "out", model=tiny_model, options=FAST, progress=False,
                      report=False)
    assert (s.explained, s.failed, s.not_read) == (2, 0, 1)
    rec, data = explain_row(tiny_model, rows["nothing-else"], FAST)
    assert data is None and "dia0_utt3.mp4" in rec["error"] and "\n" not in rec["error"]


def test_a_row_whose_file_cannot_be_read_is_explained_from_what_can(tiny_model, tmp_path):
    """A text saved as a .png failed its whole row ("could not be read as a picture"), its text unread, where a
    missing picture is left out: now it is left out too, and said; a row with nothing else readable still fails."""
    from msa_demo.dataset.rows import explain_row
    from msa_demo.i18n import said

    (tmp_path / "face.png").write_text("not a picture at all\n" * 10)
    manifest = tmp_path / "m.csv"
    manifest.write_text("id,text,image\nwords,What a wonderful day,face.png\nalone,,face.png\n", encoding="utf-8")
    rows = {r.id: r for r in manifest_rows(manifest)}
    rec, data = explain_row(tiny_model, rows["words"], FAST)
    assert rec["error"] is None and data["prediction"]["used"] == ["text"]
    line = data["notices"][-1]
    assert line.startswith("Image: could not be read ('face.png' could not be read as a picture") and line.endswith(
        "so the row was explained without it.")
    assert "无法读取" in said(line, "zh")
    rec, data = explain_row(tiny_model, rows["alone"], FAST)
    assert data is None and rec["error"].startswith("'face.png' could not be read as a picture")


def test_a_text_of_spaces_beside_a_picture_is_said_in_the_row_s_notices(tiny_model, tmp_path):
    """A row whose text is "   " (beside a picture) was listed as "explained without an input they name (a file
    missing, unreadable ...)" while its notices were empty: only not_read=['text'] recorded it. Its notices now
    say the text was empty, in the page's language where shown; a text that is there says nothing of the kind."""
    from msa_demo.dataset.rows import explain_row
    from msa_demo.i18n import said
    from msa_demo.ui.dataset_tab import table_row

    shutil.copy(EXAMPLES / "happy_face.png", tmp_path / "face.png")
    manifest = tmp_path / "m.csv"
    manifest.write_text('id,text,image\nblank,"   ",face.png\nmarkup,<b></b>,face.png\nwords,Nice day,face.png\n',
                        encoding="utf-8")
    rows = {r.id: r for r in manifest_rows(manifest)}
    empty = "Text: empty (only spaces, markup or invisible characters), so the row was explained without it."
    for rid in ("blank", "markup"):
        rec, data = explain_row(tiny_model, rows[rid], FAST)
        assert rec["error"] is None and rec["not_read"] == ["text"] and data["prediction"]["used"] == ["image"]
        assert empty in rec["notices"] and empty in data["notices"]  # the table's row and the saved explanation
        assert said(empty, "zh") == "文字：为空（只有空格、标记或不可见字符），因此这一行在没有它的情况下解释。"
        assert table_row(rec)[-1] == "without text"
    rec, data = explain_row(tiny_model, rows["words"], FAST)
    assert rec["not_read"] == [] and not any(n.startswith("Text:") for n in rec["notices"])


def test_an_empty_file_in_a_manifest_is_said_as_a_row_s_not_as_an_upload_s(tiny_model, tmp_path):
    """A row's empty file said the dashboard's advice for an upload ("Choose the clip again."); a row's says what to
    change in the set, and the dashboard's own words stay."""
    from msa_demo.dataset.rows import explain_row
    from msa_demo.i18n import said
    from msa_demo.inputs import empty_file

    (tmp_path / "empty.wav").write_bytes(b"")
    manifest = tmp_path / "m.csv"
    manifest.write_text("id,text,audio\nwords,Nice.,empty.wav\nalone,,empty.wav\n", encoding="utf-8")
    rows = {r.id: r for r in manifest_rows(manifest)}
    rec, data = explain_row(tiny_model, rows["words"], FAST)
    assert data["notices"][-1] == ("Audio: could not be read ('empty.wav' cannot be used: the file is empty (0 "
                                   "bytes). Replace the file, or the manifest's path to it), so the row was "
                                   "explained without it.")
    rec, data = explain_row(tiny_model, rows["alone"], FAST)
    assert rec["error"] == ("'empty.wav' cannot be used: the file is empty (0 bytes). Replace the file, or the "
                            "manifest's path to it.")
    assert said(rec["error"], "zh").endswith("请替换这个文件，或改掉清单里指向它的路径。")
    assert empty_file("the clip", "clip").endswith("Choose the clip again.")  # the dashboard's, as it was


def test_a_bad_use_is_refused_before_the_model_loads(tiny_preset_path, tiny_model, tmp_path, capsys, monkeypatch):
    """``--use txt`` loaded the model and failed every row with "Unknown modality 'txt'; ...", exit code 0. It is
    refused in one line now, exit code 2, before the manifest is read or the model loads, as ``--preset lit`` is;
    a ``use`` that names nothing (",") too, and ``explain_batch`` itself (the API, the tab) before any row runs."""
    from msa_demo.__main__ import main

    def no_model(*args, **kwargs):
        raise AssertionError("the model was loaded")

    monkeypatch.setattr("msa_demo.model.MultimodalSentimentModel.from_preset", classmethod(no_model))
    m = tmp_path / "m.csv"
    m.write_text("text\nI love it\nI hate it\n", encoding="utf-8")
    out = tmp_path / "out"
    for use, said in (("txt", "error: Unknown modality 'txt'; use text, image, audio and/or video.\n"),
                      ("text,txt", "error: Unknown modality 'txt'; use text, image, audio and/or video.\n"),
                      (",", "error: --use names no modality; use text, image, audio and/or video.\n")):
        assert main(["explain-batch", str(m), "--preset", str(tiny_preset_path), "--use", use, "--out", str(out),
                     "--no-progress", "--lang", "en"]) == 2
        assert capsys.readouterr().err == said
    assert not out.exists()  # nothing written
    with pytest.raises(InputError, match="Unknown modality 'txt'"):
        explain_batch(m, out, model=tiny_model, use=["txt"], options=FAST, progress=False)
    assert not out.exists()


def test_the_exit_status_tells_a_run_with_failed_rows(tiny_model, tmp_path, capsys, monkeypatch):
    """The exit status was 0 when rows failed, so a script could not tell. Now: 0 when every row is explained, 1
    when the run finished with a failed row (this run's, or an earlier run's not run again), 2 for a usage error,
    130 for Ctrl-C; ``--help`` says so."""
    from msa_demo.__main__ import build_parser, main
    from msa_demo.dataset.cli import EXIT_STATUS

    monkeypatch.setattr("msa_demo.model.MultimodalSentimentModel.from_preset",
                        classmethod(lambda cls, *a, **k: tiny_model))
    m, out = tmp_path / "m.csv", tmp_path / "out"
    shutil.copy(EXAMPLES / "happy_face.png", tmp_path / "found.png")  # one file found: the column is not all wrong
    m.write_text("id,text,image\nok,I love it,found.png\nbroken,,gone.png\n", encoding="utf-8")
    run = ["explain-batch", str(m), "--out", str(out), "--no-progress", "--ig-max-steps", "8", "--deletion-steps",
           "2", "--lang", "en"]
    assert main(run) == 1  # "broken" has nothing but a missing picture
    assert main(run) == 1  # skipped as done, but still failed
    shutil.copy(EXAMPLES / "happy_face.png", tmp_path / "gone.png")
    assert main([*run, "--retry-failed"]) == 0
    assert main(run) == 0
    assert main([*run, "--top", "0"]) == 2
    capsys.readouterr()
    parser = build_parser()
    with pytest.raises(SystemExit):
        parser.parse_args(["explain-batch", "--help"])
    assert " ".join(EXIT_STATUS.split()) in " ".join(capsys.readouterr().out.split())


def test_rows_explained_without_an_input_are_named_and_failed_labelled_rows_are_counted(tiny_model, tmp_path,
                                                                                       capsys, monkeypatch):
    """"2 row(s) were explained without an input they name (...)" and the report's "5 rows ...: image 5" counted
    the rows but never named them; the scores' "25 labelled rows" did not say that labelled rows had failed and
    were left out. The lines name the rows (five, then "and N more"); the report and the tab's summary say how many
    labelled rows failed and are not in the scores."""
    from msa_demo.__main__ import main
    from msa_demo.ui.dataset_tab import summary_markdown

    monkeypatch.setattr("msa_demo.model.MultimodalSentimentModel.from_preset",
                        classmethod(lambda cls, *a, **k: tiny_model))
    shutil.copy(EXAMPLES / "happy_face.png", tmp_path / "found.png")
    m, out = tmp_path / "m.csv", tmp_path / "out"
    m.write_text("id,text,image,label\nok,I love it,found.png,positive\n"
                 + "".join(f"r{i},so so,gone{i}.png,neutral\n" for i in range(7))
                 + "lost,,gone.png,negative\nlost2,,gone.png,positive\n", encoding="utf-8")
    assert main(["explain-batch", str(m), "--out", str(out), "--no-progress", "--ig-max-steps", "8",
                 "--deletion-steps", "2", "--lang", "en"]) == 1
    printed = capsys.readouterr().out
    assert ("  7 rows were explained without an input they name (a file missing, unreadable or a link that could "
            "not be read): r0, r1, r2, r3, r4 and 2 more; each row's notices say why\n") in printed
    page = (out / "report.html").read_text(encoding="utf-8")
    assert ": image 7 · r0, r1, r2, r3, r4 and 2 more; each row" in page
    assert "8 labelled rows: accuracy" in page and \
        "2 labelled row(s) could not be explained and are left out of the scores." in page
    said = summary_markdown(read_results(out), out)
    assert "on 8 labelled rows · macro F1" in said and "· 2 labelled row(s) could not be explained" in said
    assert "r0, r1, r2, r3, r4 and 2 more" in said
    assert "未计入评分" in summary_markdown(read_results(out), out, lang="zh")


def test_a_repeated_id_is_said_once_in_the_run_s_summary(tiny_model, tmp_path, capsys, monkeypatch):
    """'r21' twice became 'r21#2' with no line in the output. The command line and the Dataset tab's summary now
    say it once, naming the renamed rows."""
    from msa_demo.__main__ import main
    from msa_demo.ui.dataset_tab import summary_markdown

    monkeypatch.setattr("msa_demo.model.MultimodalSentimentModel.from_preset",
                        classmethod(lambda cls, *a, **k: tiny_model))
    m, out = tmp_path / "m.csv", tmp_path / "out"
    m.write_text("id,text\nr21,I love it\nr21,I hate it\nr22,fine\nr21,meh\n", encoding="utf-8")
    assert main(["explain-batch", str(m), "--out", str(out), "--no-progress", "--ig-max-steps", "8",
                 "--deletion-steps", "2", "--lang", "en"]) == 0
    printed = capsys.readouterr().out
    line = "2 row(s) repeat an earlier row's id and are named with #2, #3 ...: r21#2, r21#3"
    assert printed.count(line) == 1 and f"  {line}\n" in printed
    assert [r["id"] for r in read_results(out)] == ["r21", "r21#2", "r22", "r21#3"]
    said = summary_markdown(read_results(out), out)
    assert said.count("repeat an earlier row") == 1 and "r21#2, r21#3" in said
    m.write_text("id,text\nr21,I love it\nr22,fine\n", encoding="utf-8")
    assert main(["explain-batch", str(m), "--out", str(tmp_path / "other"), "--no-progress", "--ig-max-steps", "8",
                 "--deletion-steps", "2", "--lang", "en"]) == 0
    assert "repeat an earlier row" not in capsys.readouterr().out


def test_rows_a_limit_leaves_out_are_said_on_the_command_line_the_report_and_the_tab(tiny_model, tmp_path, capsys,
                                                                                      monkeypatch):
    """A 59-row manifest cut to its first 50 (the Dataset tab's limit, or --limit) was reported as a set of 50
    ("50 rows: 48 explained", accuracy on those alone) with 59 nowhere. The run, report.html, the summary's figures
    and the tab's summary say "the first K of N rows" and how many were left out, until a run takes them all."""
    import html

    from msa_demo.__main__ import main
    from msa_demo.dataset.store import extent
    from msa_demo.ui.dataset_tab import summary_markdown

    monkeypatch.setattr("msa_demo.model.MultimodalSentimentModel.from_preset",
                        classmethod(lambda cls, *a, **k: tiny_model))
    m, out = tmp_path / "m.csv", tmp_path / "out"
    m.write_text("text,label\nI love it,positive\nI hate it,negative\nmeh,neutral\ngreat,positive\nawful,negative\n",
                 encoding="utf-8")
    run = ["explain-batch", str(m), "--out", str(out), "--no-progress", "--ig-max-steps", "8", "--deletion-steps", "2",
           "--lang", "en"]
    assert main([*run, "--limit", "3"]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed[0].startswith("The first 3 of 5 rows: 3 explained, 0 failed, 0 already done")
    assert "  2 row(s) of the manifest were left out by --limit 3 (without it, every row is run)" in printed
    figures = summary(read_results(out), extent(out))
    assert (figures["rows"], figures["manifest_rows"], figures["left_out"], figures["left_out_by"]) == (3, 5, 2, "limit")
    page = html.unescape((out / "report.html").read_text(encoding="utf-8"))
    assert ("<p>The first 3 of 5 rows: 3 explained, 0 could not be explained. 2 row(s) of the manifest were left out "
            "by a limit on the rows run (--limit, or the Dataset tab's rows): every figure here is on the first 3 "
            "only.</p>") in page
    said = summary_markdown(read_results(out), out)
    assert said.startswith("**out**: the first 3 of 5 rows · 3 explained · 0 failed\n\n2 row(s) of the manifest were "
                           "left out by a limit")
    assert "共 5 行中的前 3 行" in summary_markdown(read_results(out), out, lang="zh")
    # the same run again without the limit takes the rest: every row is there, and nothing is said left out
    assert main(run) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("5 rows: 2 explained, 0 failed, 3 already done") and "left out" not in printed
    assert summary(read_results(out), extent(out))["left_out"] == 0
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "<p>5 rows: 5 explained, 0 could not be explained.</p>" in page and "left out by" not in page
    assert "left out" not in summary_markdown(read_results(out), out)


def test_rows_a_worker_s_death_made_run_again_are_said_in_one_line(tmp_path, capsys, monkeypatch):
    """On --engine ray, a worker that died had its rows run again by Ray with only Ray's raw multi-line warning to
    say so; the run's summary says it in one line, naming the rows (``distributed.Ledger`` counts each row's starts:
    tests/test_dataset_cluster.py kills a worker on a two-node cluster)."""
    from msa_demo.__main__ import main
    from msa_demo.dataset import local as local_engine
    from msa_demo.dataset.local import BatchSummary

    ran = BatchSummary(3, 0, 3, 0, 1.0, str(tmp_path / "out"), ids=("a", "b", "c"), available=3, again=("b",))
    monkeypatch.setattr(local_engine, "explain_batch", lambda *a, **k: ran)
    m = tmp_path / "m.csv"
    m.write_text("text\na\nb\nc\n", encoding="utf-8")
    assert main(["explain-batch", str(m), "--out", str(tmp_path / "out"), "--no-progress", "--lang", "en"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1] == "  a worker stopped; 1 row(s) were run again: b"
    assert main(["explain-batch", str(m), "--out", str(tmp_path / "out"), "--no-progress", "--lang", "zh"]) == 0
    assert "  有工作进程中途停止；1 行被重新运行：b" in capsys.readouterr().out.splitlines()
    monkeypatch.setattr(local_engine, "explain_batch", lambda *a, **k: BatchSummary(3, 0, 3, 0, 1.0, "out",
                                                                                      available=3))
    assert main(["explain-batch", str(m), "--out", str(tmp_path / "out"), "--no-progress", "--lang", "en"]) == 0
    assert "run again" not in capsys.readouterr().out


def test_a_near_tie_is_its_own_column_counted_apart_and_filterable(tiny_model, tmp_path):
    """The dashboard said "Too close to call: positive 37.4 % vs neutral 34.4 %" where results.parquet and the
    Dataset table said a plain positive, counted correct like any other: each row now says ``too_close`` by the
    dashboard's rule (``views.near_tie``), the table shows and filters it, and the report slices it and says how many
    rows were too close and how they score, the metrics still on the predicted class. The tiny random model's
    classes are all about a third: a near-tie, as the dashboard reads it."""
    from msa_demo import ui, views
    from msa_demo.ui.dataset_tab import DatasetTab, close_cell, columns

    manifest = tmp_path / "m.csv"
    manifest.write_text("id,text,label\na,I love it,positive\nb,This is awful,negative\nc,The bus is at ten,\n",
                        encoding="utf-8")
    s = explain_batch(manifest, tmp_path / "out", model=tiny_model, options=FAST, progress=False)
    assert s.explained == 3
    rows = pq.read_table(tmp_path / "out" / "results.parquet").to_pylist()
    for r in rows:
        saved = json.loads((tmp_path / "out" / r["explanation"]).read_text(encoding="utf-8"))
        assert r["too_close"] is views.near_tie(saved["prediction"]) is saved["prediction"]["too_close"]
    close = [r for r in rows if r["too_close"]]
    assert close, [r["prob_" + r["predicted"]] for r in rows]  # the tiny model's near-uniform classes
    figures = summary(read_results(tmp_path / "out"))
    assert figures["too_close"] == len(close) and figures["ids_too_close"] == [r["id"] for r in close]
    labelled = [r for r in close if r["label"]]
    assert figures["too_close_labelled"] == len(labelled)
    assert figures["too_close_accuracy"] == pytest.approx(
        sum(r["label"] == r["predicted"] for r in labelled) / len(labelled))
    # the metrics stay on the predicted class: every labelled row counted, the near-ties too
    assert figures["metrics"]["n"] == 2
    assert figures["slices"]["verdict"]["too close to call"]["rows"] == len(close)
    page = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert f"{len(close)} of 3 explained rows were too close to call (the top two classes less than 5 points apart" \
        in page and "the scores above count each row&#x27;s predicted class, theirs too" in page
    tab = DatasetTab(ui.Dashboard(models={"tiny": tiny_model}, default="tiny"), root=tmp_path)
    shown = tab.table("out")
    assert list(shown["too close to call"]) == [close_cell(r) for r in rows]
    assert all(c.startswith("vs ") for c in shown["too close to call"] if c)  # against what, not a bare "yes"
    assert list(tab.table("out", "too close to call")["id"]) == [r["id"] for r in close]
    assert list(tab.table("out", "too close to call", lang="zh").columns) == columns("zh")


def test_the_near_tie_line_s_figures_known_by_construction():
    """Four labelled rows, two of them near-ties (one right, one wrong), and one near-tie without a label; a
    folder written before ``too_close`` was kept is read by the same rule from its probabilities."""
    from msa_demo.dataset.report import to_html, too_close, too_close_line
    from msa_demo.ui.dataset_tab import summary_markdown

    def row(i, probs, label, **more):
        r = {"id": str(i), "label": label, "error": None, "used": ["text"], "maps": [], "shapley_text": 0.1,
             "predicted": max(probs, key=probs.get), **{f"prob_{c}": p for c, p in probs.items()}, **more}
        return r

    rows = [row(0, {"positive": 0.374, "neutral": 0.344, "negative": 0.282}, "positive", too_close=True),
            row(1, {"positive": 0.40, "neutral": 0.38, "negative": 0.22}, "neutral", too_close=True),
            row(2, {"positive": 0.8, "neutral": 0.1, "negative": 0.1}, "positive", too_close=False),
            row(3, {"positive": 0.1, "neutral": 0.1, "negative": 0.8}, "positive", too_close=False),
            row(4, {"positive": 0.34, "neutral": 0.33, "negative": 0.33}, None)]  # written before: no too_close
    assert too_close(rows[4]) and not too_close({"id": "5", "predicted": None})
    s = summary(rows)
    assert s["metrics"]["accuracy"] == 0.5 and s["metrics"]["n"] == 4  # row 0 counted right, as predicted
    assert (s["too_close"], s["too_close_labelled"], s["too_close_accuracy"]) == (3, 2, 0.5)
    assert s["slices"]["verdict"]["decided"]["accuracy"] == 0.5
    line = ("3 of 5 explained rows were too close to call (the top two classes less than 5 points apart, as the "
            "dashboard says it): 0, 1, 4; the scores above count each row's predicted class, theirs too; their "
            "accuracy, over the 2 labelled, is 0.500 (the slices by verdict score the rows apart)")
    assert too_close_line(s) == line
    assert "<h3>By verdict</h3>" in to_html(rows) and "难分高下" in too_close_line(s, "zh")
    assert line in summary_markdown(rows, Path("set")).split("\n\n")  # the tab's summary: a line of its own
    assert too_close_line(summary(rows[2:4])) == ""


def test_a_too_close_row_says_against_which_class_and_how_close():
    """A row "too close to call" had said neither between which two classes nor how close ("yes" in the table, its
    id alone in the report): the table's cell names the runner-up and the gap, the report lists each such row with
    both classes, as the dashboard's headline says them. Rows known by construction: 37.4 / 34.4 (3.0 apart), 40.0 /
    38.0 the other way round, a decided row, a failed one, and one written before ``too_close`` was kept."""
    from msa_demo.dataset.report import between, runner_up, to_html
    from msa_demo.ui.dataset_tab import close_cell, table_row, columns

    def row(i, probs, **more):
        return {"id": f"r{i}", "label": None, "error": None, "used": ["text"], "maps": [], "shapley_text": 0.1,
                "predicted": max(probs, key=probs.get), **{f"prob_{c}": p for c, p in probs.items()}, **more}

    rows = [row(0, {"positive": 0.374, "neutral": 0.344, "negative": 0.282}, too_close=True),
            row(1, {"positive": 0.22, "neutral": 0.38, "negative": 0.40}, too_close=True),
            row(2, {"positive": 0.8, "neutral": 0.1, "negative": 0.1}, too_close=False),
            row(3, {"positive": 0.34, "neutral": 0.33, "negative": 0.33}, error="it broke"),
            row(4, {"positive": 0.333, "neutral": 0.347, "negative": 0.32})]  # written before: no too_close
    assert [runner_up(r) for r in rows] == [("neutral", 3.0), ("neutral", 2.0), None, None, ("positive", 1.4)]
    assert [close_cell(r) for r in rows] == ["vs neutral, 3.0 points", "vs neutral, 2.0 points", "", "",
                                            "vs positive, 1.4 points"]
    at = columns().index("too close to call")
    assert table_row(rows[0])[at] == "vs neutral, 3.0 points" and table_row(rows[2])[at] == ""
    assert close_cell(rows[0], "zh") == "与中性相差 3.0 个百分点"
    assert between(rows[1]) == "negative 40.0 % vs neutral 38.0 %, 2.0 points apart" and between(rows[2]) == ""
    page = to_html(rows)
    assert ("<tr><td>r0</td><td>positive 37.4 % vs neutral 34.4 %, 3.0 points apart</td></tr>"
            "<tr><td>r1</td><td>negative 40.0 % vs neutral 38.0 %, 2.0 points apart</td></tr>"
            "<tr><td>r4</td><td>neutral 34.7 % vs positive 33.3 %, 1.4 points apart</td></tr></table>") in page
    assert "r2</td>" not in page.split("too close to call between")[1].split("</table>")[0]
    assert "相差 3.0 个百分点" in to_html(rows, lang="zh")
    assert "too close to call between" not in to_html(rows[2:4])  # no near-tie: no table


def test_explain_batch_names_each_near_tie_as_explain_heads_its_own(tiny_preset_path, tmp_path, capsys):
    """``explain`` heads a near-tie "Too close to call: positive 33.8 % vs negative 33.2 %"; explain-batch said
    only how many rows ran, so that a row too close to call went unsaid until one opened the report. Each such row
    is now named with its two classes and how close (the tiny random model's classes are all about a third)."""
    from msa_demo.__main__ import main

    assert main(["explain", "--preset", str(tiny_preset_path), "--text", "I love it", "--device", "cpu",
                 "--ig-max-steps", "8", "--deletion-steps", "2"]) == 0
    head = capsys.readouterr().out.splitlines()[0]
    tie = re.fullmatch(r"Sentiment: Too close to call: (\w+ [\d.]+ % vs \w+ [\d.]+ %)  \(.*", head)
    assert tie, head
    m = tmp_path / "m.csv"
    m.write_text("id,text\nloved,I love it\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["explain-batch", str(m), "--preset", str(tiny_preset_path), "-o", str(out), "--device", "cpu",
                 "--no-progress", "--ig-max-steps", "8", "--deletion-steps", "2"]) == 0
    lines = capsys.readouterr().out.splitlines()
    (r,) = read_results(out)
    probs = sorted((r[f"prob_{c}"] for c in SENTIMENTS), reverse=True)
    gap = round(100 * probs[0], 1) - round(100 * probs[1], 1)
    assert r["too_close"] and lines[1] == f"  loved: too close to call: {tie.group(1)}, {gap:.1f} points apart"
    assert main(["explain-batch", str(m), "--preset", str(tiny_preset_path), "-o", str(tmp_path / "zh"),
                 "--device", "cpu", "--no-progress", "--ig-max-steps", "8", "--deletion-steps", "2",
                 "--lang", "zh"]) == 0
    assert "  loved：难分高下：" in capsys.readouterr().out


def test_moments_are_counted_by_where_in_their_clip_not_added_up_by_second():
    """Second 2-3 of one clip has nothing to do with second 2-3 of another: the report had "2.0–3.0 s: in the top
    of 6 rows" across clips. Two clips whose strongest moment is at their start (2.0–3.0 s of a 10 s clip; 0.0–1.0 s
    of a 4 s one) and one at its end (2.0–3.0 s of a 3 s clip): the same second falls in different thirds; a folder
    written before ``top_at`` was kept lists no times and says why."""
    from msa_demo.dataset.report import to_html, where_in_clip

    def row(i, at, moments):
        return {"id": str(i), "label": None, "predicted": "positive", "error": None, "used": ["video"], "maps": [],
                "shapley_video": 0.2, "top_moments": [{"label": lbl, "score": s} for lbl, s in moments],
                "top_at": [] if at is None else [{"modality": "video", "at": at}]}

    rows = [row(0, 0.25, [("2.0–3.0 s", 0.5), ("0.0–1.0 s", 0.1)]), row(1, 0.125, [("0.0–1.0 s", 0.3)]),
            row(2, 5 / 6, [("2.0–3.0 s", -0.4), ("0.0–1.0 s", 0.2)])]
    s = summary(rows)
    assert "top_moments" not in s["top"] and s["where_in_clip"]["top_moments"] == {"start": 2, "middle": 0, "end": 1}
    page = to_html(rows)
    assert "2.0–3.0 s" not in page and "<td>start (first third)</td><td class=n>2</td><td class=n>66.7%</td>" in page
    assert "<td>end (last third)</td><td class=n>1</td>" in page
    assert where_in_clip(rows, "audio") == {}
    old = [{**r, "top_at": None} for r in rows]  # written before: the times alone, not added up
    s = summary(old)
    assert "top_moments" not in s["top"] and s["where_in_clip"] == {"top_moments": {}}
    page = to_html(old)
    assert "2.0–3.0 s" not in page and "no row here says where in its clip its strongest one falls" in page


@pytest.mark.lite
def test_a_voice_row_s_transcript_and_its_heard_words_reach_the_results_and_the_table(lite, lite_dashboard, tmp_path):
    """lite's voice model judges the words speech recognition hears: a voice row had no transcript in
    results.parquet and an empty "top words" cell, though its audio map scored those words. Its row now keeps
    ``heard`` (the transcript's start, the whole in the explanation JSON) and the table falls back to the heard
    words, marked; its map is over words, not over times in the clip, so it has no ``top_at``."""
    from msa_demo import ui
    from msa_demo.dataset.rowmap import text_start
    from msa_demo.ui.dataset_tab import DatasetTab, HEARD_MARK, TOP_WORDS

    examples = Path(__file__).resolve().parents[1] / "examples"
    manifest = tmp_path / "m.csv"
    manifest.write_text(f"id,audio,label\nvoice,{examples / 'positive_speech.wav'},positive\n", encoding="utf-8")
    options = ExplainOptions(ig_max_steps=8, deletion_steps=2, what_if=False, tone=False)
    explain_batch(manifest, tmp_path / "out", model=lite, options=options, progress=False)
    (rec,) = pq.read_table(tmp_path / "out" / "results.parquet").to_pylist()
    saved = json.loads((tmp_path / "out" / rec["explanation"]).read_text(encoding="utf-8"))
    transcript = saved["reading"]["audio"]["transcript"]
    assert transcript and rec["heard"] == text_start(transcript) and rec["text_start"] is None
    assert rec["top_words"] == [] and rec["top_segments"] and rec["top_at"] == []
    tab = DatasetTab(lite_dashboard(), root=tmp_path)
    cell = tab.table("out")[TOP_WORDS][0]
    assert cell.startswith(HEARD_MARK) and rec["top_segments"][0]["label"].strip(".,!?") in cell
