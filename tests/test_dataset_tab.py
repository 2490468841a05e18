"""The dashboard's Dataset tab without a browser: a results folder as a table, its filters, a row opened in the
Explain tab's panels, a small manifest run with progress, and paths kept inside the data folder."""

from __future__ import annotations

import json
from pathlib import Path

import gradio as gr
import pytest
from shown import value, visible

from msa_demo import ui
from msa_demo.config import SENTIMENTS
from msa_demo.registry import names
from msa_demo.dataset import explain_batch, read_results
from msa_demo.explain import ExplainOptions
from msa_demo.ui.dataset_tab import ALL, DatasetTab, alone, columns, filters, new_visitor, visitor_key
from msa_demo.ui.options import shown_folder

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
FAST = ExplainOptions(ig_max_steps=8, image_methods=("occlusion",), grid=3, deletion_steps=2, segment_seconds=1.0)


@pytest.fixture(scope="module")
def results(tiny_model, example_rows, tmp_path_factory):
    """(data root, results folder name): the curated examples with labels, one text-only row, one bad row."""
    root = tmp_path_factory.mktemp("data")
    rows = [dict(r) for r in example_rows]
    (root / "broken.png").write_bytes(b"not a picture")
    rows.append({"id": "broken", "image": "broken.png", "label": "neutral"})
    (root / "m.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    explain_batch(root / "m.jsonl", root / "runs" / "first", model=tiny_model, options=FAST, progress=False)
    return root, "runs/first"


@pytest.fixture
def tab(results, tiny_model):
    dash = ui.Dashboard(models={"tiny": tiny_model}, default="tiny")
    return DatasetTab(dash, root=results[0])


@pytest.mark.slow
def test_open_shows_every_row_the_summary_and_the_report(tab, results):
    root, name = results
    assert tab.recent == [name]  # found under the data folder before anything was opened
    table, summary, box, current, report, slices, _, _, _ = tab.open(name, ALL)
    rows = read_results(root / name)
    assert list(table.columns) == columns() and list(table["id"]) == [r["id"] for r in rows]
    assert f"{len(rows)} rows" in summary and "1 failed" in summary and "accuracy" in summary
    assert current == name and box.value == name and box.choices == [(name, name)]
    assert report.interactive and Path(report.value["path"]).read_bytes() == (root / name / "report.html").read_bytes()
    # the set by slice (folded under the summary): the confusion matrix counts every labelled, explained row
    labelled = [r for r in rows if r["label"] and not r["error"]]
    matrix = [line for line in slices.splitlines()[2:5]]
    assert slices.startswith("| truth ↓ · predicted → | negative | neutral | positive |")
    assert sum(int(v) for line in matrix for v in line.strip("|").split("|")[1:]) == len(labelled)
    assert "| by slice | rows | labelled | accuracy | macro F1 |" in slices and "| label: positive |" in slices
    first = table.iloc[0]
    assert first["predicted"] == rows[0]["predicted"]
    assert first["P(predicted)"] == pytest.approx(rows[0][f"prob_{rows[0]['predicted']}"], abs=1e-3)


@pytest.mark.parametrize("show", list(filters()))
@pytest.mark.slow
def test_each_filter_keeps_exactly_its_rows(tab, results, show):
    root, name = results
    rows = read_results(root / name)
    want = {
        ALL: [r["id"] for r in rows],
        "wrong (prediction ≠ label)": [r["id"] for r in rows if not r["error"] and r["predicted"] != r["label"]],
        "too close to call": [r["id"] for r in rows if r["too_close"]],  # the row's column, the dashboard's rule
        "conflict": [r["id"] for r in rows if r["conflict"]],
        **{f"{m} alone wrong": [r["id"] for r in rows if r[f"{m}_prob_negative"] is not None and max(
            SENTIMENTS, key=lambda s: r[f"{m}_prob_{s}"]) != r["label"]] for m in names()},
        "unfaithful map": [r["id"] for r in rows if any(m["verdict"] == "✗" for m in r["maps"])],
        "failed rows": ["broken"],
    }[show]
    assert list(tab.table(name, show)["id"]) == want


def test_alone_is_the_modality_s_own_verdict():
    rec = {f"{m}_prob_{s}": None for m in names() for s in SENTIMENTS}
    rec.update(text_prob_negative=0.2, text_prob_neutral=0.1, text_prob_positive=0.7)
    assert alone(rec, "text") == "positive" and alone(rec, "image") is None


@pytest.mark.slow
def test_a_row_click_opens_its_saved_explanation_in_the_explain_tab(tab, results):
    root, name = results
    rec = next(r for r in read_results(root / name) if "image" in r["used"] and "text" in r["used"])
    out = tab.open_row(name, rec["id"])
    assert set(out) == set(ui.EXPLAIN_OUTPUTS) | {"own.video", "video.timeline", "video.frames", "tabs"}
    fused, notices, words, orig, state = (value(out["fused"]), out["notices"], value(out["text.words"]),
                                          value(out["image.picture"]), out["state"])
    assert visible(out["image.picture"]) and visible(out["text.words"])  # as it was used
    assert visible(out["audio.plot"]) is ("audio" in rec["used"])
    saved = json.loads((root / name / rec["explanation"]).read_text(encoding="utf-8"))
    # as the Label shows it: whole percents
    assert fused == pytest.approx({s: rec[f"prob_{s}"] for s in SENTIMENTS}, abs=0.005)
    assert state["prediction"] == saved["prediction"] and state["maps"][0]["scores"] == saved["maps"][0]["scores"]
    assert f"Row '{rec['id']}'" in notices and "as explain-batch saved it" in notices
    from PIL import Image

    assert words and orig is not None and Image.open(orig).size[0] > 0  # the picture, as a file (ui.fields.as_files)
    assert out["report"].interactive and Path(out["report"].value["path"]).is_file()
    saved_json = json.loads(Path(out["json"].value["path"]).read_text(encoding="utf-8"))
    assert saved_json["prediction"] == saved["prediction"]
    assert out["what_if"] == ""  # the what-if panel: explain-batch made none
    assert isinstance(out["tabs"], gr.Tabs) and out["tabs"].selected == "explain"
    # with the input boxes: the row's own text, picture and clip, so Explain runs it again
    again = tab.open_row(name, rec["id"], with_inputs=True)
    text, image, audio = (again[f"input.{m}"] for m in ("text", "image", "audio"))
    assert set(again) - set(out) == {f"input.{m}" for m in ("text", "image", "audio", "video")}
    assert text == saved["inputs"]["text"]
    assert Image.open(image).size == Image.open(orig).size
    assert (audio is None) == (saved["inputs"]["audio_wav_b64"] is None)


@pytest.mark.parametrize("folder, row, message", [
    ("runs/first", "broken", "could not be explained: 'broken.png' could not be read as a picture"),
    ("runs/first", "nope", "There is no row 'nope'"),
    ("../elsewhere", "x", "Only paths inside the dashboard's data folder"),
    ("/etc", "x", "Only paths inside the dashboard's data folder"),
    ("runs", "x", "holds no dataset results"),
    ("", "x", "Type or pick a results folder first"),
])
@pytest.mark.slow
def test_a_wrong_folder_or_row_is_one_clear_message(tab, folder, row, message):
    with pytest.raises(gr.Error) as err:
        tab.open_row(folder, row)
    assert message in str(err.value)


@pytest.mark.slow
def test_run_a_small_manifest_with_progress(tab, results):
    root, _ = results
    (root / "small.csv").write_text("text,label\nI love it,positive\nI hate it,negative\nmeh,neutral\n",
                                    encoding="utf-8")
    seen = []

    def progress(value, desc=None, unit=None):
        seen.append(value)

    table, summary, box, current, *_ = tab.run("small.csv", "runs/small", 2, "tiny", ALL, progress=progress)
    assert list(table["id"]) == ["row-00001", "row-00002"] and current == "runs/small"
    assert seen[-2:] == [(1, 2), (2, 2)]
    assert tab.recent[0] == "runs/small"
    # the rows box took 2 of the manifest's 3 rows: said on the summary and in the report, not a set of 2
    assert "the first 2 of 3 rows · 2 explained" in summary
    assert "1 row(s) of the manifest were left out by a limit on the rows run" in summary
    page = (root / "runs" / "small" / "report.html").read_text(encoding="utf-8")
    assert "The first 2 of 3 rows: 2 explained" in page and "every figure here is on the first 2 only" in page
    for rows in (500, 0, -5):  # out of the rows box's range (handed on by the page): said, 0 not read as "all"
        with pytest.raises(gr.Error, match="Run 1 to 50 rows here"):
            tab.run("small.csv", "runs/small", rows, "tiny")
    with pytest.raises(gr.Error, match="does not exist"):
        tab.run("missing.csv", "runs/small", 2, "tiny")
    with pytest.raises(gr.Error, match="The manifest 'missing.csv' does not exist in the data folder"):
        tab.run("missing.csv", "", 2, "tiny")  # the missing manifest is said first, not the empty folder box
    # a page opened later (a reload) lists what there is now: the page was built with the folders of its start
    fresh = DatasetTab(tab.dash, root=root, recent=["runs/gone"])  # opened once, removed since
    assert fresh.recent == ["runs/gone"] and sorted(fresh.choices()) == ["runs/first", "runs/small"]


@pytest.mark.slow
def test_the_dashboard_has_an_explain_a_compare_and_a_dataset_tab(tiny_model, results, monkeypatch):
    import app

    monkeypatch.setenv("MSA_DATASET_ROOT", str(results[0]))
    demo = app.build_demo(ui.Dashboard(models={"tiny": tiny_model}, default="tiny"))
    tabs = [b for b in demo.blocks.values() if isinstance(b, gr.Tab)]
    assert [t.id for t in tabs] == ["explain", "compare", "dataset"]
    assert all(f'"{name}"' in str(t.label) for t, name in zip(tabs, ("Explain", "Compare", "Dataset")))
    table = next(b for b in demo.blocks.values() if getattr(b, "elem_id", None) == "dataset-table")
    assert any(d["targets"] == [(table._id, "select")] for d in demo.config["dependencies"])


@pytest.mark.slow
def test_a_newcomer_runs_the_curated_examples_from_one_button(tab, results):
    import csv

    me = new_visitor()
    table, summary, box, current, report, slices, *_ = tab.run_examples("tiny", ALL, visitor=me)
    shipped = list(csv.DictReader((EXAMPLES / "manifest.csv").open(encoding="utf-8")))
    assert list(table["id"]) == [r["id"] for r in shipped] and not any(table["error or input not read"])
    # in the visitor's own folder of runs
    assert current.startswith(f"msa_results/visitors/{visitor_key(me)}/examples-")
    assert (results[0] / current / "results.parquet").is_file()
    assert report.interactive and "accuracy" in summary  # the shipped manifest carries labels
    again = tab.run_examples("tiny", ALL, visitor=me)[3]
    assert again != current  # a fresh folder each time, nothing overwritten


def test_the_shipped_manifest_is_the_curated_examples():
    import csv

    from msa_demo.views import load_examples

    shipped = list(csv.DictReader((EXAMPLES / "manifest.csv").open(encoding="utf-8")))
    curated = load_examples(EXAMPLES / "examples.json")
    files = ("image", "audio", "video")
    assert [(r["text"], *(r[m] for m in files)) for r in shipped] == [
        (e["text"], *(Path(e[m]).name if e[m] else "" for m in files)) for e in curated]
    assert {r["label"] for r in shipped} <= set(SENTIMENTS) | {""}


@pytest.mark.slow
def test_an_uploaded_manifest_or_zipped_folder_runs(tab, results, tmp_path, monkeypatch):
    import zipfile

    plain = tmp_path / "reviews.csv"
    plain.write_text("text,label\nI love it,positive\nI hate it,negative\n", encoding="utf-8")
    table, _, _, current, *_ = tab.run_upload(str(plain), 5, "tiny", ALL)
    assert len(table) == 2 and current.startswith("msa_results/visitors/") and "/reviews-" in current
    folder = tmp_path / "zipped"
    with zipfile.ZipFile(folder.with_suffix(".zip"), "w") as z:  # a folder with its manifest and a picture
        z.write(EXAMPLES / "happy_face.png", "set/faces/happy.png")
        z.writestr("set/manifest.jsonl", json.dumps({"id": "a", "text": "nice", "image": "faces/happy.png",
                                                     "label": "positive"}) + "\n")
    table, *_ = tab.run_upload(str(folder.with_suffix(".zip")), 5, "tiny", ALL)
    assert list(table["id"]) == ["a"] and table["image alone"][0] and not table["error or input not read"][0]
    own = tmp_path / "sst.csv"  # a set with its own column names (GLUE's SST-2: sentence, 0 / 1 labels)
    own.write_text("sentence,label\nI love it,1\nI hate it,0\n", encoding="utf-8")
    with pytest.raises(gr.Error, match="Map a column of yours: text=sentence in the 'your columns' box"):
        tab.run_upload(str(own), 5, "tiny", ALL)
    table, summary, *_ = tab.run_upload(str(own), 5, "tiny", ALL, columns="text=sentence")
    assert list(table["label"]) == ["positive (1)", "negative (0)"] and "numbered labels read as 0 → negative" in summary
    mosi = tmp_path / "label.csv"  # CMU-MOSI's split column 'mode': one split's rows, picked in the tab
    mosi.write_text("clip_id,text,label,mode\n1,I love it,2.4,train\n2,I hate it,-1.8,test\n3,It is ok,0.2,test\n",
                    encoding="utf-8")
    table, *_ = tab.run_upload(str(mosi), 5, "tiny", ALL, columns="id=clip_id,split=mode", split=" Test ")
    assert list(table["id"]) == ["2", "3"] and list(table["label"]) == ["negative (-1.8)", "neutral (0.2)"]
    with pytest.raises(gr.Error, match="No row of the manifest 'label.csv' is in the split 'valid'"):
        tab.run_upload(str(mosi), 5, "tiny", ALL, columns="split=mode", split="valid")
    fer = tmp_path / "fer.csv"  # FER2013's emotion codes, named in the tab as --label-names names them
    fer.write_text("text,emotion\nugh,0\nyay,3\n", encoding="utf-8")
    table, *_ = tab.run_upload(str(fer), 5, "tiny", ALL, columns="label=emotion",
                               label_names="angry,disgust,fear,happy,sad,surprise,neutral")
    assert list(table["label"]) == ["negative (0)", "positive (3)"]  # (the code given beside the class)
    with pytest.raises(gr.Error, match="'hapy' is no sentiment or emotion"):
        tab.run_upload(str(fer), 5, "tiny", ALL, columns="label=emotion", label_names="angry,hapy")
    western = tmp_path / "excel.csv"  # a spreadsheet's CSV on Western Windows: cp1252, named in the tab
    western.write_bytes("text,label\nLe café était délicieux,positive\n".encode("cp1252"))
    with pytest.raises(gr.Error, match="is not UTF-8 text") as said:
        tab.run_upload(str(western), 5, "tiny", ALL)
    # the command line's flags are named as this tab's fields (it said "--encoding cp1252" to a web page)
    assert "cp1252 in the 'text encoding' box" in str(said.value) and "--" not in str(said.value)
    with pytest.raises(gr.Error, match="The 'your columns' box maps onto "):
        tab.run_upload(str(western), 5, "tiny", ALL, columns="words=text")
    table, *_ = tab.run_upload(str(western), 5, "tiny", ALL, encoding="cp1252")
    assert list(table["label"]) == ["positive"] and not table["error or input not read"][0]
    imdb = tmp_path / "imdb.csv"  # the Kaggle IMDB set: its labels in 'sentiment', said where the map is typed
    imdb.write_text("review,sentiment\nI love it,positive\n", encoding="utf-8")
    told = []
    monkeypatch.setattr(gr, "Info", lambda message, **kw: told.append((message, kw)))
    tab.run_upload(str(imdb), 5, "tiny", ALL, columns="text=review")
    assert told == [("No label was read: the manifest has no 'label' column, and its column 'sentiment' looks like "
                     "one; map it (label=sentiment) to score the set.", {"duration": None, "title": "Note"})]


@pytest.mark.slow
def test_an_uploaded_file_s_relative_paths_are_the_data_folder_s(tab, results):
    """A CSV uploaded alone named imgs/happy_face.png, which was in the data folder: the row was explained without
    it, "outside the dashboard's data folder" (read beside the upload, in Gradio's temporary folder). An uploaded
    file's relative paths are now the data folder's; a .zip's stay its own."""
    import shutil
    import tempfile

    root, _ = results
    (root / "imgs").mkdir(exist_ok=True)
    shutil.copy(EXAMPLES / "happy_face.png", root / "imgs" / "happy_face.png")
    with tempfile.TemporaryDirectory() as uploads:  # as Gradio keeps an upload
        upload = Path(uploads) / "m.csv"
        upload.write_text("id,text,image\nrel,what a day,imgs/happy_face.png\n", encoding="utf-8")
        _, _, _, current, *_ = tab.run_upload(str(upload), 5, "tiny", ALL)
    (row,) = read_results(root / current)
    assert row["used"] == ["text", "image"] and row["image_sha256"] and row["not_read"] == []


@pytest.mark.slow
def test_a_run_into_a_folder_of_another_manifest_is_refused_and_the_same_manifest_goes_on(tab, results, monkeypatch):
    """The tab ran another manifest into a folder and mixed both into one table and summary; as explain-batch, it
    now refuses in one warning, the folder as it was; the same manifest, its row changed, goes on and says so."""
    from msa_demo.i18n import said

    root, _ = results
    (root / "one.csv").write_text("text\nI love it\n", encoding="utf-8")
    (root / "other.csv").write_text("text\nI hate it\n", encoding="utf-8")
    told = []
    monkeypatch.setattr(gr, "Info", lambda message, **kw: told.append(message))
    tab.run("one.csv", "runs/shared", 1, "tiny")
    assert told == []
    with pytest.raises(gr.Error) as refused:
        tab.run("other.csv", "runs/shared", 1, "tiny")
    assert str(refused.value.message) == (
        "The results folder 'runs/shared' holds the rows of another manifest (one.csv); "  # relative: no server path
        "give a new results folder for 'other.csv', or run that manifest to go on with it.")
    assert "另一份清单" in said(str(refused.value.message), "zh")
    assert [r["text_start"] for r in read_results(root / "runs" / "shared")] == ["I love it"]
    (root / "one.csv").write_text("text\nI hate it\n", encoding="utf-8")
    tab.run("one.csv", "runs/shared", 1, "tiny")
    assert told == ["1 row(s) of the results folder had the same id with other inputs (another manifest's rows, or "
                    "files that changed): explained again, their earlier results replaced"]


@pytest.mark.slow
def test_a_manifest_s_file_outside_the_data_folder_is_not_read(tiny_model, tmp_path):
    """An uploaded manifest whose rows named a picture by an absolute path, or by a ../ path, outside the data folder
    had it read and explained (on a public Space: any picture the server could open). Now such a file is not read:
    its row is explained from its words and says why, as of a missing file; a picture inside the folder still is.
    The command line's explain-batch still reads what its user names."""
    import shutil

    data, elsewhere, uploads = tmp_path / "data", tmp_path / "elsewhere", tmp_path / "uploads"
    for folder in (data, elsewhere, uploads):
        folder.mkdir()
    shutil.copy(EXAMPLES / "happy_face.png", elsewhere / "secret.png")
    shutil.copy(EXAMPLES / "happy_face.png", data / "inside.png")
    (data / "link.png").symlink_to(elsewhere / "secret.png")  # inside by its name, outside once resolved
    upload = uploads / "m.csv"  # as Gradio keeps an upload: outside the data folder
    upload.write_text("id,text,image,label\n"
                      f"absolute,what a day,{elsewhere / 'secret.png'},positive\n"
                      "climbs,what a day,../elsewhere/secret.png,positive\n"
                      f"linked,what a day,{data / 'link.png'},positive\n"
                      f"inside,what a day,{data / 'inside.png'},positive\n"
                      f"alone,,{elsewhere / 'secret.png'},positive\n", encoding="utf-8")
    dash = ui.Dashboard(models={"tiny": tiny_model}, default="tiny", report_dir=tmp_path / "reports")
    table, summary, _, current, *_ = DatasetTab(dash, root=data).run_upload(str(upload), 5, "tiny", ALL)
    rows = {r["id"]: r for r in read_results(data / current)}
    said = "Image: 'secret.png' is outside the dashboard's data folder, so it was not read; put it inside that folder"
    # counted and shown: the rows explained without the picture they name; a failed row says so where one looks
    assert {rid: r["not_read"] for rid, r in rows.items()} == {"absolute": ["image"], "climbs": ["image"],
                                                               "linked": ["image"], "inside": [], "alone": []}
    assert "3 rows were explained without an input they name" in summary and \
        ": image 3 · absolute, climbs, linked;" in summary  # the rows named, not only counted
    assert "1 labelled row(s) could not be explained and are left out of the scores" in summary  # "alone"
    cells = {row["id"]: row for row in table.to_dict("records")}
    assert cells["absolute"]["error or input not read"] == "without image" and cells["absolute"]["predicted"] != "failed"
    assert cells["alone"]["predicted"] == "failed" and cells["inside"]["error or input not read"] == ""
    assert "3 rows were explained without an input they name" in (data / current / "report.html").read_text()
    for rid in ("absolute", "climbs"):
        assert rows[rid]["used"] == ["text"] and rows[rid]["image_sha256"] is None and not rows[rid]["error"]
        assert any(n.startswith(said) for n in rows[rid]["notices"])
    assert rows["linked"]["used"] == ["text"] and any("'link.png' is outside" in n for n in rows["linked"]["notices"])
    assert rows["inside"]["used"] == ["text", "image"] and rows["inside"]["image_sha256"]
    assert rows["alone"]["error"].startswith(said) and rows["alone"]["image_sha256"] is None
    # a manifest typed on the server, inside the data folder, is held to the same rule
    (data / "typed.csv").write_text("id,text,image\nclimbs,what a day,../elsewhere/secret.png\n", encoding="utf-8")
    DatasetTab(dash, root=data).run("typed.csv", "runs/typed", 5, "tiny")
    (row,) = read_results(data / "runs" / "typed")
    assert row["used"] == ["text"] and any(n.startswith(said) for n in row["notices"])
    explain_batch(upload, tmp_path / "cli", model=tiny_model, options=FAST, progress=False, report=False)
    assert {r["id"]: r["used"] for r in read_results(tmp_path / "cli")}["absolute"] == ["text", "image"]


@pytest.mark.slow
def test_a_manifest_s_links_are_not_fetched_and_a_file_uri_is_checked_where_it_is_read(tiny_model, tmp_path,
                                                                                      monkeypatch):
    """An uploaded manifest's https:// link was fetched by the server (on a public Space: any address it can reach).
    Now a link is not fetched unless MSA_DATASET_LINKS=1: its row is explained from its words and says so. A
    file:// URI is checked at the path it is read from (fsspec reads file://localhost/x beside the working folder),
    not at the path its text spells."""
    import shutil

    data, uploads, elsewhere = tmp_path / "data", tmp_path / "uploads", tmp_path / "elsewhere"
    read_at = elsewhere / "localhost" / str(data / "face.png").lstrip("/")  # where file://localhost<data>/face.png is
    for folder in (data / "localhost", uploads, read_at.parent):  # read from with elsewhere the working folder
        folder.mkdir(parents=True)
    shutil.copy(EXAMPLES / "happy_face.png", read_at)
    shutil.copy(EXAMPLES / "happy_face.png", data / "localhost" / "face.png")
    upload = uploads / "m.csv"
    upload.write_text("id,text,image\n"
                      "link,what a day,http://127.0.0.1:9/face.png\n"
                      f"uri,what a day,file://localhost{data / 'face.png'}\n", encoding="utf-8")
    dash = ui.Dashboard(models={"tiny": tiny_model}, default="tiny", report_dir=tmp_path / "reports")
    monkeypatch.delenv("MSA_DATASET_LINKS", raising=False)
    monkeypatch.chdir(elsewhere)
    _, _, _, current, *_ = DatasetTab(dash, root=data).run_upload(str(upload), 5, "tiny", ALL)
    rows = {r["id"]: r for r in read_results(data / current)}
    assert rows["link"]["used"] == ["text"] and any(
        n.startswith("Image: the link 'http://127.0.0.1:9/face.png' was not fetched") for n in rows["link"]["notices"])
    # its text spells a path inside the data folder; it is read from elsewhere/localhost/...: refused, unread
    assert rows["uri"]["used"] == ["text"] and rows["uri"]["image_sha256"] is None
    assert any("'face.png' is outside the dashboard" in n for n in rows["uri"]["notices"])
    # with the data folder the working folder, file://localhost/face.png (its text spells /face.png) is read inside
    (uploads / "spelled.csv").write_text("id,text,image\nspelled,what a day,file://localhost/face.png\n",
                                         encoding="utf-8")
    monkeypatch.chdir(data)
    _, _, _, current, *_ = DatasetTab(dash, root=data).run_upload(str(uploads / "spelled.csv"), 5, "tiny", ALL)
    assert [r["used"] for r in read_results(data / current)] == [["text", "image"]]
    monkeypatch.setenv("MSA_DATASET_LINKS", "1")  # a private dashboard fetches them (a failed fetch fails its row,
    _, _, _, current, *_ = DatasetTab(dash, root=data).run_upload(str(upload), 1, "tiny", ALL)  # to run again)
    (row,) = read_results(data / current)
    assert row["error"].startswith("'http://127.0.0.1:9/face.png' could not be read (ClientConnectorError")


@pytest.mark.parametrize("name, content, message", [
    ("notes.txt", b"hello", "is not a manifest"),
    ("bad.zip", b"not a zip", "is not a readable .zip"),
    ("empty.zip", None, "holds no manifest"),
    ("escape.zip", "../outside.csv", "holds a file outside its own folder"),
])
def test_a_bad_upload_is_one_clear_message(tab, tmp_path, name, content, message):
    import zipfile

    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        with zipfile.ZipFile(path, "w") as z:
            z.writestr(content or "readme.txt", "text\nhi\n")
    with pytest.raises(gr.Error, match=message):
        tab.run_upload(str(path), 5, "tiny", ALL)
    with pytest.raises(gr.Error, match="Upload a manifest first"):
        tab.run_upload(None, 5, "tiny", ALL)


def test_a_mistake_in_the_tab_is_a_warning_that_leaves_every_box_as_it_was(tab):
    from msa_demo.ui.dataset_tab import calm

    with pytest.warns(UserWarning, match="Type or pick a results folder first"):
        out = calm(tab.open, 6)("", ALL)
    assert out == (gr.skip(),) * 6
    # on a Chinese page (the event's request, as Gradio holds it while the handler runs) it is said in Chinese
    from gradio.context import LocalContext

    held = LocalContext.request.set(gr.Request(headers={"accept-language": "zh-CN"}))
    try:
        with pytest.warns(UserWarning, match="请先输入或选择一个结果文件夹。"):
            calm(tab.open, 6)("", ALL)
        with pytest.warns(UserWarning, match="里没有数据集结果（没有 results.parquet）。"):
            calm(tab.open_row, 1)(tab.shown(tab.root), "nope")
    finally:
        LocalContext.request.reset(held)


@pytest.mark.slow
def test_the_tab_tells_a_folder_and_a_row_in_the_page_language(tab, results):
    """On a Chinese page the table's columns and names, the summary, the set by slice, the map and its caption and
    an opened row are in Chinese: no English word is left but the rows' own (ids, words, the folder's path)."""
    from test_i18n_server import english_left, own_words, shown_words

    root, name = results
    rows = read_results(root / name)
    table, summary, _, _, report, slices, plot, caption, _ = tab.open(name, ALL, lang="zh")
    page = Path(report.value["path"]).read_text(encoding="utf-8")  # the download: report.html in Chinese
    assert "<html lang='zh-CN'>" in page and "数据集解释：first" in page
    english = Path(root / name / "report.html").read_text(encoding="utf-8")  # the model named as explain-batch did
    assert "Explained with the preset" in english and "解释所用的预设" in page  # (its Chinese copy left it out)
    assert list(table.columns)[:6] == ["编号", "标签", "预测", "P(预测)", "难分高下", "仅文字"] and \
        len(table.columns) == len(columns())
    first = rows[0]
    assert table.iloc[0]["预测"] == {"positive": "正面", "neutral": "中性", "negative": "负面"}[first["predicted"]]
    own = [name, "PCA", "tiny", "PNG, JPEG, WebP, GIF, BMP, TIFF",  # the formats the broken row's error names
           *[r["id"] for r in rows], *[r.get("text") for r in rows],
           *[w.get("label") for r in rows for w in r.get("top_words") or []]]
    cells = " ".join(v for v in [*table.columns, *table.drop(columns=["编号"]).to_numpy().ravel()] if isinstance(v, str))
    from msa_demo.dataset.rowmap import row_map
    from msa_demo.views.rowmap import map_figure

    assert plot.visible
    figure = shown_words(map_figure(row_map(rows), lang="zh"))  # what the plot holds
    told = "\n".join([cells, summary, slices, caption, figure])
    assert "所用模态" in slices and "真实 ↓ · 预测 →" in slices and "融合特征" in caption and "行 · 已解释" in summary
    assert "占方差的" in figure and english_left(told, *own) == []
    assert english_left(tab.open(name, ALL)[1], *own) != []  # the same folder in English: the check can fail
    rec = next(r for r in rows if "image" in r["used"] and "text" in r["used"])
    out = tab.open_row(name, rec["id"], lang="zh")
    assert f"{name} 中的行“{rec['id']}”" in out["notices"]
    saved = json.loads((root / name / rec["explanation"]).read_text(encoding="utf-8"))
    assert english_left(out["notices"], *own, *own_words(saved), "explain-batch") == []  # a command keeps its name


def test_an_upload_whose_files_are_not_found_is_explained_without_them_and_says_how_to_bring_them(tiny_model,
                                                                                                     tmp_path):
    """A journalist uploaded her CSV alone (its pictures' paths relative to her own folder): a toast "None of the 6
    image files the manifest names exists (...); an uploaded manifest's paths are read from the data folder" faded
    within seconds and left the page as it was, blank. The rows are explained from their text, and the summary says,
    where it stays, which files were left out and how to bring them (a .zip of the folder); a manifest with nothing
    else is refused in the tab's status area (and a toast kept until closed), with the same advice."""
    from msa_demo.ui.dataset_tab import calm

    root, uploads = tmp_path / "dsroot", tmp_path / "gradio-upload"
    root.mkdir(), uploads.mkdir()
    tab = DatasetTab(ui.Dashboard(models={"tiny": tiny_model}, default="tiny"), root=root)
    upload = uploads / "reviews.csv"
    upload.write_text("text,image\nnice,media/happy_face.png\nbad,media/frown_face.png\n", encoding="utf-8")
    table, summary, *_ = tab.run_upload(str(upload), 5, "tiny", ALL)
    assert len(table) == 2 and not table["image alone"].any() and table["text alone"].all()
    assert summary.startswith("**None of the 2 image files the manifest names exists (the first: "
                              "'…/dsroot/media/happy\\_face.png'); an uploaded manifest's paths are read from the data "
                              "folder")
    assert ("The rows were explained without their image files. To explain those too, upload a .zip of the folder "
            "that holds the manifest with them (as its paths name them from that folder).**") in summary
    report, = root.rglob("report.html")  # the run's report says it too, where a stakeholder reads it
    assert "The run used none of the rows&#x27; image (2 rows)" in report.read_text(encoding="utf-8")
    alone = uploads / "faces.csv"  # pictures alone: nothing to explain them from
    alone.write_text("image,label\nmedia/happy_face.png,positive\n", encoding="utf-8")
    with pytest.raises(gr.Error, match=r"The rows have nothing else to explain them from: upload a \.zip"):
        tab.run_upload(str(alone), 5, "tiny", ALL)
    with pytest.warns(UserWarning, match="The rows have nothing else"):
        out = calm(tab.run_upload, 8, 1)(str(alone), 5, "tiny", ALL)
    assert out[0] == gr.skip() and out[2:] == (gr.skip(),) * 6  # the table and the rest as they were
    assert out[1].startswith("**⚠ Not explained: The one image file the manifest names does not exist "
                             "('…/dsroot/media/happy\\_face.png')") and "upload a .zip of the folder" in out[1]


def test_a_zip_with_two_manifests_is_refused_naming_them(tiny_model, tmp_path):
    """A .zip holding two manifests ran the first by name without a word; which one to run is the person's to say:
    refused in one line that names them, nothing run."""
    import zipfile

    from msa_demo.i18n import said

    tab = DatasetTab(ui.Dashboard(models={"tiny": tiny_model}, default="tiny", report_dir=tmp_path / "reports"),
                     root=tmp_path)
    archive = tmp_path / "sets.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("set/train.csv", "text,label\nI love it,positive\n")
        z.writestr("set/test.jsonl", json.dumps({"text": "awful", "label": "negative"}) + "\n")
    with pytest.raises(gr.Error) as refused:
        tab.run_upload(str(archive), 5, "tiny", ALL)
    assert refused.value.message == ("'sets.zip' holds 2 manifests (set/test.jsonl, set/train.csv); zip the folder of "
                                     "one of them, with its pictures and clips.")
    assert not (tmp_path / "msa_results").exists()  # nothing run
    assert said(refused.value.message, "zh").startswith("“sets.zip”包含 2 份清单（set/test.jsonl、set/train.csv）")


@pytest.mark.slow
def test_stop_ends_a_run_after_its_row_keeps_the_rows_done_and_a_run_again_goes_on(tab, results):
    """The tab had no way to stop a run of 50 rows but to close the page (the run went on). Stop ends it after the
    row being explained: those done are in the folder, with its report, and the same run again goes on."""
    root, _ = results
    (root / "five.csv").write_text("text\n" + "".join(f"row {i} is fine\n" for i in range(5)), encoding="utf-8")
    tab.started("me")
    tab.started("other")

    def progress(value, desc=None, unit=None):
        if value == (2, 5):
            tab.stop("me")

    table, summary, *_ = tab.run("five.csv", "runs/stopped", 5, "tiny", ALL, progress=progress,
                                 stop=tab.stopper("me"))
    assert list(table["id"]) == ["row-00001", "row-00002"] and "2 of 5 rows · 2 explained" in summary
    assert "3 row(s) of the manifest are not explained yet: a run stopped before them" in summary
    assert (root / "runs" / "stopped" / "report.html").is_file()
    assert not tab.stopper("other")()  # another visitor's run goes on
    tab.started("me")  # a new click: the Stop from before is forgotten
    table, *_ = tab.run("five.csv", "runs/stopped", 5, "tiny", ALL, stop=tab.stopper("me"))
    assert len(table) == 5


@pytest.mark.parametrize("path", ["/tmp/nu_ray/dsroot", "/srv/a*b*/[x]|y", "C:\\data\\set_1", "/tmp/`odd`/a&b<c>",
                                  "`", "/tmp/two``ticks"])
def test_a_path_in_a_code_span_shows_as_it_is(path):
    """The Dataset tab named its data folder as `/tmp/nu\\_ray/dsroot`: Markdown reads no escape inside backticks,
    so md()'s backslash was in the page, and a copied path was wrong. A code span (views.code) shows the path, and
    only the path, whatever it holds."""
    import html
    import re

    from markdown_it import MarkdownIt

    from msa_demo.views import code

    rendered = MarkdownIt().render(f"**Data folder:** {code(path)} — inside it")
    spans = re.findall(r"<code>(.*?)</code>", rendered, re.S)
    assert len(spans) == 1 and html.unescape(spans[0]).strip() == path.strip(), rendered
    assert html.unescape(spans[0]) == path or path.startswith("`") or path.endswith("`")  # spaced only beside a `


@pytest.mark.slow
def test_a_visitor_s_upload_is_listed_and_opened_for_that_visitor_only(tiny_model, tmp_path):
    """Visitor A uploaded a CSV of private texts; visitor B's page listed A's results folder
    (msa_results/private-<date>), opened it by that guessable name and read A's rows. A visitor's runs now go into
    a folder named by their token's hash, listed on their page alone; another visitor (or none) typing its name is
    refused in the same words whether it exists or not; the operator's folders stay everyone's."""
    data, uploads = tmp_path / "data", tmp_path / "uploads"
    data.mkdir(), uploads.mkdir()
    explain_batch(EXAMPLES / "manifest.csv", data / "runs" / "shared", model=tiny_model, options=FAST,
                  progress=False, limit=1)
    (data / "m.csv").write_text("text\nfine\n", encoding="utf-8")
    upload = uploads / "private.csv"
    upload.write_text("text,label\nmy password is hunter2,negative\n", encoding="utf-8")
    dash = ui.Dashboard(models={"tiny": tiny_model}, default="tiny", report_dir=tmp_path / "reports")
    tab = DatasetTab(dash, root=data)
    a, b = new_visitor(), new_visitor()
    table, _, box, current, *_ = tab.run_upload(str(upload), 5, "tiny", ALL, visitor=a)
    assert current.startswith(f"msa_results/visitors/{visitor_key(a)}/private-") and len(table) == 1
    assert visitor_key(a) not in a  # the name shown does not give the token away
    assert [c for c, _ in box.choices] == [current, "runs/shared"]  # A's page lists it, with the shared one
    assert tab.choices(a) == [current, "runs/shared"]
    for other in (b, None, "", "short"):  # another visitor, or no (valid) token: not listed, not opened
        assert tab.choices(other) == ["runs/shared"] and tab.recent == ["runs/shared"]
        for typed in (current, str(data / current), f"{current}/../{current.rsplit('/', 1)[1]}"):
            with pytest.raises(gr.Error, match="is not one of your runs"):
                tab.open(typed, ALL, visitor=other)
        with pytest.raises(gr.Error, match="is not one of your runs"):
            tab.open_row(current, "row-00001", visitor=other)
        with pytest.raises(gr.Error, match="is not one of your runs"):
            tab.table(current, ALL, visitor=other)
        with pytest.raises(gr.Error, match="is not one of your runs"):  # nor written into by a typed run
            tab.run("m.csv", current, 1, "tiny", visitor=other)
    # a name that does not exist is refused in the same words: the refusal tells nothing
    with pytest.raises(gr.Error, match="is not one of your runs"):
        tab.open(f"msa_results/visitors/{visitor_key(b)}/private-20261207-040624", ALL, visitor=a)
    with pytest.raises(gr.Error, match="is not one of your runs"):
        tab.open("msa_results/visitors", ALL, visitor=a)
    # A opens it again (a reload: the same token from the browser), and the shared folder opens for anyone
    assert list(tab.open(current, ALL, visitor=a)[0]["id"]) == ["row-00001"]
    assert tab.open("runs/shared", ALL, visitor=b)[3] == "runs/shared"
    assert tab.recent == ["runs/shared"]  # A's folder did not get into the list every page starts from


def test_a_visitor_s_runs_are_deleted_after_the_hours_kept(tiny_model, tmp_path, monkeypatch):
    """A visitor's runs hold their texts and pictures: they are deleted after MSA_UPLOADS_KEEP_HOURS (default 24),
    with the copies of their reports; the operator's folders are not touched."""
    import os
    import time

    data = tmp_path / "data"
    dash = ui.Dashboard(models={"tiny": tiny_model}, default="tiny", report_dir=tmp_path / "reports")
    key = visitor_key(new_visitor())
    old, new = data / "msa_results" / "visitors" / key / "old-1", data / "msa_results" / "visitors" / key / "new-1"
    shared, copy = data / "runs" / "old", tmp_path / "reports" / "dataset" / f"msa_results_visitors_{key}_old-1"
    for folder in (old, new, shared, copy):
        folder.mkdir(parents=True)
    day_ago = time.time() - 25 * 3600
    for folder in (old, shared, copy):
        os.utime(folder, (day_ago, day_ago))
    monkeypatch.delenv("MSA_UPLOADS_KEEP_HOURS", raising=False)
    DatasetTab(dash, root=data)
    assert not old.exists() and not copy.exists() and new.is_dir() and shared.is_dir()
    hour_ago = time.time() - 3600
    os.utime(new, (hour_ago, hour_ago))
    monkeypatch.setenv("MSA_UPLOADS_KEEP_HOURS", "0.5")
    DatasetTab(dash, root=data).sweep()
    assert not new.exists() and not new.parent.exists() and shared.is_dir()


def test_the_page_names_no_absolute_server_path(tiny_model, tmp_path, monkeypatch):
    """The tab printed "**Data folder:** /work/main — ..." (on a self-hosted server, a user's name in it) and its
    refusals the absolute folder. The data folder is named relative to the app's folder, else "…/<name>", and the
    paths inside it relative to it; MSA_SHOW_PATHS=1 (a private dashboard) names it whole."""
    app_dir = Path(__file__).resolve().parents[1]
    monkeypatch.delenv("MSA_SHOW_PATHS", raising=False)
    assert shown_folder(app_dir) == "." and shown_folder(app_dir / "examples") == "examples"
    assert shown_folder(tmp_path / "data_root") == "…/data_root"
    monkeypatch.setenv("MSA_SHOW_PATHS", "1")
    assert shown_folder(tmp_path / "data_root") == str(tmp_path / "data_root")
    monkeypatch.delenv("MSA_SHOW_PATHS")
    root = tmp_path / "srv" / "alice" / "data"
    root.mkdir(parents=True)
    (root / "runs").mkdir()
    tab = DatasetTab(ui.Dashboard(models={"tiny": tiny_model}, default="tiny", report_dir=tmp_path / "r"), root=root)
    for call in (lambda: tab.open("/etc", ALL), lambda: tab.run("missing.csv", "runs/x", 1, "tiny"),
                 lambda: tab.open("runs", ALL)):
        with pytest.raises(gr.Error) as said:
            call()
        assert str(tmp_path) not in said.value.message and "alice" not in said.value.message, said.value.message
    assert said.value.message == "'runs' holds no dataset results (no results.parquet)."
    import app

    monkeypatch.setenv("MSA_DATASET_ROOT", str(root))
    demo = app.build_demo(ui.Dashboard(models={"tiny": tiny_model}, default="tiny"))
    shown = next(str(b.value) for b in demo.blocks.values() if getattr(b, "elem_id", None) == "dataset-root")
    shown = json.loads(shown.removeprefix("__i18n__"))["key"]  # the English as the page's translation holds it
    assert "`…/data`" in shown and str(tmp_path) not in shown and "alice" not in shown
    # the app's own folder, which shown_folder names ".", by its name ("**Data folder:** `.`" told nothing)
    monkeypatch.setenv("MSA_DATASET_ROOT", str(app_dir))
    monkeypatch.chdir(tmp_path)
    demo = app.build_demo(ui.Dashboard(models={"tiny": tiny_model}, default="tiny"))
    shown = next(str(b.value) for b in demo.blocks.values() if getattr(b, "elem_id", None) == "dataset-root")
    shown = json.loads(shown.removeprefix("__i18n__"))["key"]
    assert shown.startswith(f"**Data folder:** the app's folder, '{app_dir.name}' — "), shown


def test_a_modality_s_reliance_says_how_many_rows_it_is_over():
    """Reliance is the mean |Shapley| over the rows that used a modality: "image 0.416" beside "text 0.506" (6 of
    30 rows had a picture), a slice of 26 rows "relies most on image 0.602" (2 had one). Each now says it."""
    from msa_demo.dataset.columns import shapley_column
    from msa_demo.dataset.report import summary
    from msa_demo.ui.dataset_tab import slices_markdown

    rows = [{"id": f"t{i}", "label": "positive", "predicted": "positive", "maps": [],
             shapley_column("text"): 0.3} for i in range(8)]
    rows += [{"id": f"p{i}", "label": "negative", "predicted": "negative", "maps": [],
              shapley_column("text"): 0.1, shapley_column("image"): 0.6} for i in range(2)]
    s = summary(rows)
    assert s["reliance_rows"] == {"text": 10, "image": 2}
    assert s["reliance"]["image"] == pytest.approx(0.6)
    table = slices_markdown(s["slices"])
    assert "image 0.600 |" in table  # the slice whose every row used it (label negative): nothing to add
    from msa_demo.ui.dataset_tab import of_rows

    assert of_rows(s, "image", 10) == " (2 of 10 rows)" and of_rows(s, "text", 10) == ""
    assert of_rows(s, "image", 10, "zh") == " （10 行中的 2 行）"


def test_a_refusal_names_the_app_s_own_data_folder_by_its_name_not_a_dot(tmp_path):
    """"Only paths inside the dashboard's data folder (.) can be used here" and "... does not exist in the data
    folder (.)": the app started in its own folder (the data folder's default) was named "." in the tab's refusals,
    which told a visitor nothing. It is named by its name; in Chinese too; another folder as before."""
    from msa_demo.i18n import said

    app_folder = Path(__file__).resolve().parents[1]
    tab = DatasetTab(None, root=app_folder, recent=["runs"])  # (a recent list: the app's folder is not searched)
    with pytest.raises(gr.Error) as refused:
        tab.resolve("../elsewhere")
    said_en = str(refused.value)
    assert f"data folder ('{app_folder.name}')" in said_en and "(.)" not in said_en, said_en
    assert f"（'{app_folder.name}'）" in said(refused.value.message, "zh")
    with pytest.raises(gr.Error) as refused:
        tab.run("no-such-manifest.csv", "", 2, "tiny")
    assert refused.value.message.endswith(f"does not exist in the data folder ('{app_folder.name}').")
    other = DatasetTab(None, root=tmp_path, recent=["runs"])
    with pytest.raises(gr.Error) as refused:
        other.resolve("../elsewhere")
    assert f"({shown_folder(tmp_path)})" in str(refused.value)


def test_the_slices_fold_names_every_kind_of_slice():
    """The fold's title said "per modalities used, language, conflict and label": a set's own groups (the
    manifest's group column) and the decided / too-close verdicts were sliced inside it unnamed."""
    from msa_demo.dataset.report import SLICES
    from msa_demo.ui.dataset_tab import SLICES_TITLE
    from msa_demo.ui.i18n import ZH

    assert [what for what in SLICES if what not in SLICES_TITLE] == []
    assert all(word in ZH[SLICES_TITLE] for word in ("分组", "判定"))


@pytest.mark.slow
def test_an_upload_is_explained_whole_up_to_the_limit_with_the_page_s_rows_box_as_it_opens(tiny_model, results,
                                                                                         tmp_path, monkeypatch):
    """A 32-row labelled set uploaded with the rows box as the page opened it (20, under "at most 50 rows") was
    explained on its first 20 rows. The box opens at the limit: every row of a set up to it is explained."""
    import app

    monkeypatch.setenv("MSA_DATASET_ROOT", str(results[0]))
    demo = app.build_demo(ui.Dashboard(models={"tiny": tiny_model}, default="tiny"))
    rows = next(b for b in demo.blocks.values() if getattr(b, "elem_id", None) == "dataset-limit")
    tab = DatasetTab(ui.Dashboard(models={"tiny": tiny_model}, default="tiny", report_dir=tmp_path / "r"),
                     root=results[0])
    upload = tmp_path / "labelled.csv"
    upload.write_text("text,label\n" + "".join(f"review {i} was {'great' if i % 2 else 'awful'},"
                                               f"{'positive' if i % 2 else 'negative'}\n" for i in range(32)),
                      encoding="utf-8")
    table, summary, *_ = tab.run_upload(str(upload), rows.value, "tiny", ALL, visitor=new_visitor())
    assert len(table) == 32 and "32 rows · 32 explained" in summary and "left out" not in summary, summary
