"""Manifests in every format the one reader takes (CSV, JSONL, Parquet, a real ``Dataset.save_to_disk`` folder),
read alike by ``explain-batch`` and ``train``; a bad manifest is one clear message."""

from __future__ import annotations

import codecs
import io
import json
import os
import re
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from msa_demo.dataset import explain_batch, manifest_rows, read_results
from msa_demo.dataset.manifest import read_manifest
from msa_demo.dataset.media import Blob
from msa_demo.errors import InputError
from msa_demo.explain import ExplainOptions
from msa_demo.training.data import read_manifest as training_reader

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
FAST = ExplainOptions(ig_max_steps=8, image_methods=("occlusion",), grid=3, deletion_steps=2, segment_seconds=1.0)
ROWS = [{"id": "a", "text": "I love this", "image": "media/happy_face.png", "audio": None, "label": "positive"},
        {"id": "b", "text": "Awful.", "image": None, "audio": "media/angry_speech.wav", "label": "negative"},
        {"id": "c", "text": None, "image": "media/frown_face.png", "audio": None, "label": None}]


@pytest.fixture
def folder(tmp_path):
    """A folder with media/ (copies of three examples) beside where the manifests go."""
    (tmp_path / "media").mkdir()
    for name in ("happy_face.png", "angry_speech.wav", "frown_face.png"):
        shutil.copy(EXAMPLES / name, tmp_path / "media" / name)
    return tmp_path


def _seen(rows):
    return [(r.id, r.text, r.image, r.audio, r.label) for r in rows]


def test_parquet_and_jsonl_manifests_give_the_same_rows(folder):
    (folder / "m.jsonl").write_text("".join(json.dumps(r) + "\n" for r in ROWS), encoding="utf-8")
    pq.write_table(pa.Table.from_pylist(ROWS), folder / "m.parquet")
    (folder / "m.json").write_text(json.dumps(ROWS), encoding="utf-8")
    want = _seen(manifest_rows(folder / "m.jsonl"))
    assert _seen(manifest_rows(folder / "m.parquet")) == want
    assert _seen(manifest_rows(folder / "m.json")) == want  # a .json file may hold one array of rows
    assert want[0][2] == str(folder / "media" / "happy_face.png")  # relative to the manifest's folder
    assert want[2][1] is None and want[2][4] is None
    # train reads through the same reader
    assert training_reader(folder / "m.parquet") == read_manifest(folder / "m.parquet")


def test_a_spreadsheet_s_csv_with_semicolons_or_tabs_reads_as_a_comma_one(folder):
    """Excel in a locale whose decimal mark is the comma saves CSV with semicolons; a TSV uses tabs."""
    import csv

    cols = ["id", "text", "image", "audio", "label"]
    for name, sep in (("m.csv", ","), ("semi.csv", ";"), ("tabs.tsv", "\t")):
        with (folder / name).open("w", newline="", encoding="utf-8") as fh:
            out = csv.writer(fh, delimiter=sep)
            out.writerow(cols)
            out.writerows([[r[c] or "" for c in cols] for r in ROWS[:2]] + [["d", "ok; fine, really", "", "", ""]])
    want = _seen(manifest_rows(folder / "m.csv"))
    assert want[2][1] == "ok; fine, really" and want[0][2] == str(folder / "media" / "happy_face.png")
    assert _seen(manifest_rows(folder / "semi.csv")) == want == _seen(manifest_rows(folder / "tabs.tsv"))
    (folder / "one.csv").write_text("text\nfine; really\n", encoding="utf-8")  # one column: nothing to split
    assert [r.text for r in manifest_rows(folder / "one.csv")] == ["fine; really"]


def test_a_manifest_made_on_windows_finds_its_files_by_backslashed_paths(folder):
    """"media\\happy_face.png" (as a manifest written on Windows holds it) was not found on Linux."""
    (folder / "win.csv").write_text("text,image\r\nhi,media\\happy_face.png\r\n", encoding="utf-8")
    (row,) = manifest_rows(folder / "win.csv")
    assert row.image == str(folder / "media" / "happy_face.png") and Path(row.image).is_file()
    (folder / "odd\\name.png").write_bytes(b"x")  # a file whose name holds a backslash is found as it is
    (folder / "odd.csv").write_text("text,image\nhi,odd\\name.png\n", encoding="utf-8")
    assert manifest_rows(folder / "odd.csv")[0].image == str(folder / "odd\\name.png")


def test_a_path_of_another_computer_and_a_name_in_another_case_are_said_as_such(folder):
    """A journalist's manifest named 'C:\\Users\\maria\\Desktop\\election\\images\\post_104.png': joined to the
    manifest's folder it was said "no file at '…/election/images/post_104.png'", a path that was there. It is said
    as written (shortened), as a Windows path of another computer; 'images/Post_089.PNG' beside 'post_089.png'
    says the case differs."""
    from msa_demo.dataset.rows import left_out, without_missing_files
    from msa_demo.i18n import said

    (folder / "election" / "images").mkdir(parents=True)
    for name in ("post_104.png", "post_089.png"):
        shutil.copy(EXAMPLES / "happy_face.png", folder / "election" / "images" / name)
    (folder / "election" / "posts.csv").write_text(
        "text,image\r\nhi,C:\\Users\\maria\\Desktop\\election\\images\\post_104.png\r\nho,images/Post_089.PNG\r\n"
        "hu,images/post_089.png\r\n", encoding="utf-8")
    rows = manifest_rows(folder / "election" / "posts.csv")
    windows, case, fine = (without_missing_files(r.values)[1] for r in rows)
    assert windows == ["Image: 'C:\\…\\election\\images\\post_104.png' is a Windows path of another computer, so the "
                       "row was explained without it; write the path relative to the manifest's folder (images/a.png), "
                       "which works everywhere."]
    assert case == ["Image: no file at '…/election/images/Post_089.PNG'; 'post_089.png' is there: the case differs. "
                    "The row was explained without it; write the name as the file has it."] and fine == []
    assert said(windows[0], "zh").startswith("图片：“C:\\…\\election") and "大小写不同" in said(case[0], "zh")
    # the Dataset tab's data-folder rule leaves it to that notice (not "outside the dashboard's data folder")
    assert left_out(rows, lambda target: True)[0].left_out == {} and left_out(rows, lambda t: False)[0].left_out == {}


def test_a_saved_datasets_folder_with_paths_class_labels_and_splits(folder):
    datasets = pytest.importorskip("datasets", reason="requirements-dev.txt pins datasets for this test")
    feats = datasets.Features({"id": datasets.Value("string"), "text": datasets.Value("string"),
                               "image": datasets.Value("string"), "audio": datasets.Value("string"),
                               "label": datasets.ClassLabel(names=["negative", "neutral", "positive"])})
    labelled = [dict(r, label=r["label"] or "neutral") for r in ROWS]
    ds = datasets.Dataset.from_list(labelled, features=feats)
    ds.save_to_disk(str(folder / "saved"))
    rows = manifest_rows(folder / "saved")
    assert _seen(rows) == [(r["id"], r["text"], str(folder / r["image"]) if r["image"] else None,
                            str(folder / r["audio"]) if r["audio"] else None, r["label"]) for r in labelled]
    # a DatasetDict: every split, each row with its split (train's held-out column)
    datasets.DatasetDict({"train": ds.select([0, 1]), "test": ds.select([2])}).save_to_disk(str(folder / "dd"))
    raw = read_manifest(folder / "dd")
    assert [(r["id"], r["split"]) for r in raw] == [("a", "train"), ("b", "train"), ("c", "test")]


def test_datasets_image_and_audio_features_are_read_from_their_bytes(folder, tmp_path_factory, monkeypatch):
    datasets = pytest.importorskip("datasets", reason="requirements-dev.txt pins datasets for this test")
    monkeypatch.setenv("MSA_MEDIA_CACHE", str(tmp_path_factory.mktemp("media_cache")))
    monkeypatch.chdir(folder)  # save_to_disk embeds each file's bytes, read from these paths
    ds = datasets.Dataset.from_list([{k: v for k, v in r.items() if k != "label"} for r in ROWS])
    ds = ds.cast_column("image", datasets.Image()).cast_column("audio", datasets.Audio())
    ds.save_to_disk(str(folder / "feat"))
    for name in ("happy_face.png", "angry_speech.wav", "frown_face.png"):
        (folder / "media" / name).unlink()  # only the dataset's own bytes are left
    rows = manifest_rows(folder / "feat")
    assert [r.text for r in rows] == [r["text"] for r in ROWS]
    for got, want in zip(rows, ROWS):
        for m in ("image", "audio"):
            if want[m] is None:
                assert getattr(got, m) is None
            else:  # the bytes stay bytes (they travel with the row to whichever node explains it)
                assert isinstance(getattr(got, m), Blob)
                assert getattr(got, m).data == (EXAMPLES / Path(want[m]).name).read_bytes()
                assert Path(getattr(got, m).name).suffix == Path(want[m]).suffix
    assert not any(Path(os.environ["MSA_MEDIA_CACHE"]).iterdir())  # nothing written for explain-batch
    # train still reads them as files (its readers take paths)
    for got, want in zip(training_reader(folder / "feat"), ROWS):
        if want["image"]:
            assert Path(got["image"]).read_bytes() == (EXAMPLES / Path(want["image"]).name).read_bytes()
    # the hashes are of the bytes: reading the dataset again resumes, it does not redo the rows
    assert [r.hashes() for r in manifest_rows(folder / "feat")] == [r.hashes() for r in rows]


def test_explain_batch_on_a_saved_dataset(tiny_model, folder):
    datasets = pytest.importorskip("datasets", reason="requirements-dev.txt pins datasets for this test")
    datasets.Dataset.from_list(ROWS).save_to_disk(str(folder / "saved"))
    out = folder / "out"
    s = explain_batch(folder / "saved", out, model=tiny_model, options=FAST, progress=False, report=False)
    assert (s.explained, s.failed) == (3, 0)
    got = read_results(out)
    assert [r["id"] for r in got] == ["a", "b", "c"] and [r["label"] for r in got] == ["positive", "negative", None]
    assert sorted(got[1]["used"]) == ["audio", "text"] and got[2]["used"] == ["image"]


@pytest.mark.parametrize("make, message", [
    (lambda d: (d / "m.csv").write_text("name,path\nx,y\n", encoding="utf-8"),
     "none of the columns text, image, audio, video (it has: name, path)"),
    (lambda d: pq.write_table(pa.table({"caption": ["hi"]}), d / "m.parquet"),
     "none of the columns text, image, audio, video (it has: caption)"),
    (lambda d: (d / "m.parquet").write_bytes(b"PAR1 not really parquet"), "could not be read as Parquet"),
    (lambda d: (d / "m.csv").write_text('"0","1467810369","NO_QUERY","@switchfoot http://twitpic.com/2y1zl - Awww, that '
                                        "'s a bummer. You shoulda got David Carr\"\n\"4\",\"1\",\"x\",\"I love it\"\n",
                                        encoding="utf-8"),  # Sentiment140: no header line; a tweet cut in the list
     "(it has: 0, 1467810369, NO_QUERY, @switchfoot http://twitpic.com/2y1zl - …). Its first line looks like a row, "
     "not a header: a CSV's first line names its columns (such as text,label), or name its columns by number: "
     "--columns text=4,label=1."),
    (lambda d: (d / "m.jsonl").write_text('{"text": "ok"}\n{"text": \n', encoding="utf-8"), "Line 2 of the file 'm.jsonl' (data row 2) is not JSON (Expecting value at character 10)"),
    (lambda d: (d / "m.csv").write_text('text,label\nfine,positive\n"unterminated,positive\nmore,negative\n',
                                        encoding="utf-8"),  # read as one row "unterminated,positive\nmore,...", unsaid
     "'m.csv' has a quote (\") on line 3 of the file (data row 2) that is never closed, so everything after it was "
     "read as one value"),
    (lambda d: (d / "m.csv").write_bytes("text\nfine\ncaf\xe9\n".encode("latin-1")),
     "'m.csv' is not UTF-8 text (line 3 of the file is not; a spreadsheet writes UTF-8 when saving as 'CSV UTF-8', or name "
     "its encoding: --encoding cp1252)."),  # (a CSV is not told to give a CSV)
    (lambda d: (d / "m.jsonl").write_bytes('{"text": "caf\xe9"}\n'.encode("cp1252")), "'m.jsonl' is not UTF-8 text (line 1 of the file"),
    (lambda d: (d / "m.csv").write_bytes((Path(__file__).parent.parent / "examples" / "happy_face.png").read_bytes()),
     "'m.csv' is not a manifest: it holds binary data (a picture, a clip or an archive?), not text"),  # no encoding
    # advice (a picture named .csv was told to name its encoding)
    (lambda d: (d / "m.json").write_text('[{"text": "ok"}, 3]', encoding="utf-8"), "not a list of objects"),
    (lambda d: (d / "m").mkdir(), "is not a saved Hugging Face dataset"),
    (lambda d: ((d / "m").mkdir(), (d / "m" / "state.json").write_text('{"_data_files": [{"filename": "x.arrow"}]}')),
     "The saved dataset 'm' could not be read"),
])
def test_a_bad_manifest_is_one_clear_message(tmp_path, make, message):
    make(tmp_path)
    path = next(p for p in tmp_path.iterdir() if p.name.startswith("m"))
    with pytest.raises(InputError) as err:
        manifest_rows(path)
    assert message in str(err.value) and "\n" not in str(err.value)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32", "utf-8-sig"])
def test_a_spreadsheet_s_unicode_text_is_read(tmp_path, encoding):
    """A spreadsheet's 'Unicode text' export is UTF-16 with a byte-order mark, split by tabs: it was refused as
    'not a UTF-8 text file'. A byte-order mark says the encoding, so it is read; Chinese words kept."""
    m = tmp_path / "m.csv"
    data = "text\tlabel\r\n这部电影很好看\tpositive\r\nnaïve, dull\tnegative\r\n".encode(encoding)
    m.write_bytes(data if encoding in ("utf-16", "utf-32", "utf-8-sig") else codecs.BOM_UTF16_BE + data)
    rows = manifest_rows(m)
    assert [(r.values["text"], r.label) for r in rows] == [("这部电影很好看", "positive"), ("naïve, dull", "negative")]


def test_a_manifest_s_named_encoding_is_read_and_never_guessed(tmp_path):
    """A spreadsheet's CSV on Western Windows is cp1252, on Chinese Windows GBK: refused as not UTF-8 (the refusal
    says how to name its encoding), read with --encoding; an unknown name, or a file that is not in it: one line."""
    (tmp_path / "fr.csv").write_bytes("text,label\nLe café était délicieux,positive\n".encode("cp1252"))
    (tmp_path / "zh.csv").write_bytes("text,label\n这部电影非常好看,正面\n".encode("gbk"))
    with pytest.raises(InputError, match=re.escape("or name its encoding: --encoding cp1252)")):
        read_manifest(tmp_path / "fr.csv")
    assert read_manifest(tmp_path / "fr.csv", encoding="cp1252")[0]["text"] == "Le café était délicieux"
    [row] = manifest_rows_of(tmp_path / "zh.csv", encoding="gbk")
    assert (row.text, row.label) == ("这部电影非常好看", "positive")
    with pytest.raises(InputError, match=r"^Unknown encoding 'gbkk' \(--encoding takes a name such as cp1252"):
        read_manifest(tmp_path / "zh.csv", encoding="gbkk")
    with pytest.raises(InputError, match=r"^The manifest 'zh.csv' is not ascii text \(line 2 of the file is not\)\.$"):
        read_manifest(tmp_path / "zh.csv", encoding="ascii")
    from msa_demo.training import parse_args
    from msa_demo.training.pipeline import plan

    with pytest.raises(InputError, match="Unknown encoding 'x'"):  # train reads it the same way, before any model
        plan(parse_args([str(tmp_path / "zh.csv"), "--encoding", "x"]))


def manifest_rows_of(path, encoding):
    from msa_demo.dataset.rows import read_rows

    return read_rows(path, encoding=encoding)[0]


def test_a_manifest_not_utf8_is_refused_in_chinese_too(tmp_path):
    from msa_demo.i18n import said

    (tmp_path / "m.csv").write_bytes("text\n很好\n".encode("gbk"))
    with pytest.raises(InputError) as err:
        manifest_rows(tmp_path / "m.csv")
    assert said(str(err.value), "zh").startswith("清单“m.csv”不是 UTF-8 文本（文件第 2 行不是；")


def test_cli_says_a_bad_manifest_in_one_line(tiny_preset_path, tmp_path, capsys):
    from msa_demo.__main__ import main

    pq.write_table(pa.table({"caption": ["hi"]}), tmp_path / "m.parquet")
    rc = main(["explain-batch", str(tmp_path / "m.parquet"), "--preset", str(tiny_preset_path), "--out",
               str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert rc == 2 and "none of the columns text, image, audio" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_a_cell_too_long_for_a_file_name_is_no_file_not_a_traceback(tmp_path):
    """FER2013's 'pixels' (2304 numbers) mapped as image= died in missing_files with OSError: File name too long;
    a path no file system can hold names no file, and says so in one line."""
    from msa_demo.dataset.manifest import missing_files, none_found
    from msa_demo.inputs import load_audio, load_image

    long_name = "x" * 300 + "\\a.png"  # a part over 255 bytes, with a backslash (a Windows path is tried as one)
    (tmp_path / "m.csv").write_text(f"text,image\nhi,{long_name}\n", encoding="utf-8")
    rows = read_manifest(tmp_path / "m.csv")
    assert missing_files(rows) == {"image": ([0], 1)}
    assert none_found(rows).startswith("The one image file the manifest names does not exist ")
    for load in (load_image, load_audio):
        with pytest.raises(InputError, match="^No (image|audio) file was found at"):
            load(str(tmp_path / ("y" * 300)))


def _zip(path, files):
    import zipfile

    with zipfile.ZipFile(path, "w") as z:
        for name, data in files.items():
            z.writestr(name, data)
    return path


def test_a_spreadsheet_s_own_file_is_told_to_be_saved_as_csv(tmp_path):
    """A workbook was refused as 'not UTF-8 text ... --encoding cp1252', which leads nowhere: said at once, by its
    suffix or its first bytes, with how to save a CSV."""
    excel = 'is an Excel workbook, not a CSV: save it as "CSV UTF-8" (File → Save As) and give that file.'
    workbook = {"[Content_Types].xml": "<Types/>", "xl/workbook.xml": "<workbook/>"}
    (tmp_path / "old.txt").write_bytes(bytes.fromhex("d0cf11e0a1b11ae1") + b"\0" * 64)  # an .xls's OLE header
    (tmp_path / "r.numbers").write_bytes(b"PK\x03\x04")
    cases = [(_zip(tmp_path / "reviews.xlsx", workbook), f"'reviews.xlsx' {excel}"),
             (_zip(tmp_path / "export.csv", workbook), f"'export.csv' {excel}"),  # renamed: its bytes say it
             (tmp_path / "old.txt", f"'old.txt' {excel}"),
             (_zip(tmp_path / "sheet.ods", {"mimetype": "application/vnd.oasis.opendocument.spreadsheet"}),
              "'sheet.ods' is an OpenDocument spreadsheet, not a CSV: save it as \"Text CSV\" with the UTF-8 character "
              "set (File → Save As) and give that file."),
             (tmp_path / "r.numbers", "'r.numbers' is a Numbers spreadsheet, not a CSV: export it as CSV with the "
              "UTF-8 text encoding (File → Export To → CSV) and give that file.")]
    for path, message in cases:
        with pytest.raises(InputError) as err:
            read_manifest(path)
        assert str(err.value) == message
    _zip(tmp_path / "other.csv", {"a.txt": "x"})  # a zip of something else: not called a workbook, nor told an encoding
    with pytest.raises(InputError, match=r"is not a manifest: it holds binary data \(a picture, a clip or an archive"):
        read_manifest(tmp_path / "other.csv")


def test_a_row_with_more_fields_than_its_header_is_refused_not_cut(tmp_path):
    """A hand-made text,label file with an unquoted comma in a text was read as the text 'Great movie' labelled
    ' loved every minute', the rest dropped, silently."""
    (tmp_path / "reviews.csv").write_text("text,label\nGreat movie, loved every minute,positive\nDull,negative\n"
                                          "Not bad, not great, just fine,neutral\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_manifest(tmp_path / "reviews.csv")
    assert str(err.value) == ("Line 2 of the file 'reviews.csv' (data row 1) has 3 fields where its header names 2 "
                              "(data rows with more fields than the header: 2): a comma inside a text that is not in double quotes? Put such "
                              "texts in double quotes, as a spreadsheet's CSV does.")
    from msa_demo.i18n import said

    assert said(str(err.value), "zh") == ("文件“reviews.csv”的第 2 行（第 1 个数据行）有 3 个字段，而它的标题行只有 2 个"
                                          "（字段多于标题行的数据行：2）：文本中有不在双引号内的逗号？请把这样的文本放在双引号内，就像电子表格导出的 "
                                          "CSV 那样。")
    (tmp_path / "semi.csv").write_text("text;label\nok;positive\nfine;neutral\nbad; sad;negative\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"^Line 4 of the file 'semi.csv' \(data row 3\) has 3 fields where its header "
                                         r"names 2 \(data rows with "
                                         r"more fields than the header: 1\): a semicolon "):
        read_manifest(tmp_path / "semi.csv")
    # a spreadsheet's trailing separators (empty fields) and a row that stops short are read as before
    (tmp_path / "ok.csv").write_text('text,label\n"Great movie, loved it",positive,,\nShort\n', encoding="utf-8")
    assert read_manifest(tmp_path / "ok.csv") == [{"text": "Great movie, loved it", "label": "positive"},
                                                  {"text": "Short", "label": None}]


def test_a_tsv_line_opening_with_a_lone_quote_does_not_swallow_the_lines_after_it(tmp_path):
    """GLUE's TSVs quote nothing: SST-2's '" sweet home alabama ...' opened a quoted cell that read every later line
    into it (5 rows came back as 2). Such a file is read again with every " a character, as pandas reads it."""
    (tmp_path / "dev.tsv").write_text('sentence\tlabel\n"the emperor\'s club" is a ruthless , cold film\t0\n'
                                      '" sweet home alabama \'\' is n\'t going to win any awards\t0\n'
                                      "it 's a charming and often affecting journey .\t1\nslow and dull\t0\n",
                                      encoding="utf-8")
    rows = read_manifest(tmp_path / "dev.tsv", columns={"text": "sentence"})
    assert [(r["text"], r["label"]) for r in rows] == [
        ('"the emperor\'s club" is a ruthless , cold film', "0"),
        ('" sweet home alabama \'\' is n\'t going to win any awards', "0"),
        ("it 's a charming and often affecting journey .", "1"), ("slow and dull", "0")]
    # a spreadsheet's tab-separated export, whose quoted cells hold line breaks (no tab after them), is read quoted
    (tmp_path / "x.tsv").write_text('text\tlabel\n"two\nlines"\tpositive\n"a ""word"""\tneutral\n', encoding="utf-8")
    assert [r["text"] for r in read_manifest(tmp_path / "x.tsv")] == ["two\nlines", 'a "word"']


def test_a_misspelled_column_is_one_line_not_passed_over(tmp_path):
    """'imgae' beside 'text': five rows were explained from their text alone and 'imgae' was never mentioned. A
    column a letter or two from one that is read, which the manifest lacks, is one line with both fixes; a set's
    own short names ('vid': a video id), a name it has too, and mapping it, are left alone."""
    m = tmp_path / "m.csv"
    m.write_text("id,text,imgae,label\nr1,I love it,a.png,positive\n", encoding="utf-8")
    for reader in (read_manifest, training_reader):
        with pytest.raises(InputError, match=r"^The manifest 'm.csv' has a column 'imgae' and no 'image': rename it "
                                             r"'image', or map it: --columns image=imgae\.$"):
            reader(m)
    assert read_manifest(m, columns={"image": "imgae"})[0]["image"].endswith("a.png")
    m.write_text("text,lable\nI love it,positive\n", encoding="utf-8")
    with pytest.raises(InputError, match="a column 'lable' and no 'label'"):
        read_manifest(m)
    m.write_text("vid,text,texts,label\nv1,I love it,x,positive\n", encoding="utf-8")
    assert read_manifest(m)[0]["text"] == "I love it"


def test_a_separator_is_found_by_how_it_splits_the_first_rows_when_no_column_name_says_it(tmp_path):
    """Only commas, semicolons and tabs were tried, by our column names: the Financial PhraseBank's '@' (a header
    added), a '|' file, and 'Rezension;Sterne' (no name we know: '(it has: Rezension;Sterne)') were read as one
    column. A separator that splits the header and the next rows alike is taken."""
    (tmp_path / "fpb.txt").write_text("text@label\nOperating profit rose to EUR 13.1 mn , from EUR 8.7 mn .@positive\n"
                                      "The company , based in Espoo , has no plans .@neutral\n", encoding="utf-8")
    assert [(r["text"], r["label"]) for r in read_manifest(tmp_path / "fpb.txt")] == [
        ("Operating profit rose to EUR 13.1 mn , from EUR 8.7 mn .", "positive"),
        ("The company , based in Espoo , has no plans .", "neutral")]
    (tmp_path / "pipe.csv").write_text("text|label\nGreat, really|positive\n", encoding="utf-8")
    assert read_manifest(tmp_path / "pipe.csv") == [{"text": "Great, really", "label": "positive"}]
    (tmp_path / "de.csv").write_text("Rezension;Sterne\nSuper Qualität, schnelle Lieferung;5\nLeider kaputt;1\n",
                                     encoding="utf-8")
    with pytest.raises(InputError, match=re.escape("(it has: Rezension, Sterne)")):
        read_manifest(tmp_path / "de.csv")
    rows = read_manifest(tmp_path / "de.csv", columns={"text": "Rezension", "label": "Sterne"})
    assert [(r["text"], r["label"]) for r in rows] == [("Super Qualität, schnelle Lieferung", "5"),
                                                       ("Leider kaputt", "1")]
    # rows that do not split alike keep the comma (and its one line for a row with more fields)
    (tmp_path / "odd.csv").write_text("Rezension\nSuper, schnell\nok\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"^Line 2 of the file 'odd.csv' \(data row 1\) has 2 fields where its header "
                                         r"names 1 \(data rows with "
                                         r"more fields than the header: 1\): a comma"):
        read_manifest(tmp_path / "odd.csv")


def test_a_file_with_no_header_line_is_read_by_column_numbers(tmp_path):
    """Sentiment140 and Yelp polarity have no header line: refused ('Its first line looks like a row') with no way
    on. --columns names their columns by number, from 1, and the first line is read as a row too."""
    s140 = tmp_path / "s140.csv"
    s140.write_text('"0","1467810369","Mon Apr 06 22:19:45 PDT 2009","NO_QUERY","_TheSpecialOne_","@switchfoot Awww, '
                    'that\'s a bummer."\n"4","1467822272","Mon Apr 06 22:22:45 PDT 2009","NO_QUERY","ersle","I LOVE '
                    '@Health4UandPets u guys r the best!!"\n', encoding="utf-8")
    rows = read_manifest(s140, columns={"text": "6", "label": "1", "id": "2"})
    assert [(r["id"], r["text"], r["label"]) for r in rows] == [
        ("1467810369", "@switchfoot Awww, that's a bummer.", "0"),
        ("1467822272", "I LOVE @Health4UandPets u guys r the best!!", "4")]
    assert rows[0]["4"] == "NO_QUERY"  # the columns not mapped keep their numbers
    (tmp_path / "yelp.csv").write_text('"1","Unfortunately, the staff was rude."\n"2","Great doctor."\n',
                                       encoding="utf-8")
    with pytest.raises(InputError, match=re.escape("or name its columns by number: --columns text=2,label=1.")):
        read_manifest(tmp_path / "yelp.csv")
    rows = read_manifest(tmp_path / "yelp.csv", columns={"text": "2", "label": "1"})
    assert [(r["text"], r["label"]) for r in rows] == [("Unfortunately, the staff was rude.", "1"),
                                                       ("Great doctor.", "2")]
    with pytest.raises(InputError) as err:
        read_manifest(tmp_path / "yelp.csv", columns={"text": "3"})
    assert str(err.value) == "The manifest 'yelp.csv' has 2 columns, so no column 3 (--columns counts them from 1)."
    # a file with a header: a number is its column by place, unless a column has that name
    (tmp_path / "h.csv").write_text("label,review,2\n1,Great,x\n", encoding="utf-8")
    assert read_manifest(tmp_path / "h.csv", columns={"text": "2"}) == [{"label": "1", "review": "Great", "text": "x"}]
    assert read_manifest(tmp_path / "h.csv", columns={"text": "{1}: {review}"})[0]["text"] == "1: Great"


def test_a_field_of_a_record_column_is_mapped_by_a_dotted_name(tmp_path):
    """A nested JSONL ({"review": {"title": ..., "body": ...}}) mapped text=review explained the Python repr of each
    record. A dotted name maps one field (JSONL objects, Parquet structs); a column of records as the text is one
    line that names its fields; so is a field no record holds."""
    reviews = [{"id": "r1", "review": {"title": "Love it", "body": "Boils fast.", "rating": 5}},
               {"id": "r2", "review": {"title": "Broken", "body": "Burnt every slice, returned it.", "rating": 1}}]
    (tmp_path / "m.jsonl").write_text("".join(json.dumps(r) + "\n" for r in reviews), encoding="utf-8")
    pq.write_table(pa.Table.from_pylist(reviews), tmp_path / "m.parquet")
    for path in (tmp_path / "m.jsonl", tmp_path / "m.parquet"):
        rows = read_manifest(path, columns={"text": "review.body", "label": "review.rating"})
        assert [(r["id"], r["text"], r["label"]) for r in rows] == [("r1", "Boils fast.", 5),
                                                                    ("r2", "Burnt every slice, returned it.", 1)]
        both = read_manifest(path, columns={"text": "{review.title}: {review.body}"})
        assert both[1]["text"] == "Broken: Burnt every slice, returned it."
        with pytest.raises(InputError) as err:
            read_manifest(path, columns={"text": "review"})
        assert str(err.value) == ("The column 'review' holds records (title, body, rating), not text: map one of its "
                                  "fields, such as text=review.body.")
        from msa_demo.i18n import said

        assert said(str(err.value), "zh") == ("“review”列存放的是记录（title, body, rating），不是文字：请映射它的某个字段，"
                                              "例如 text=review.body。")
        with pytest.raises(InputError) as err:
            read_manifest(path, columns={"text": "review.bdy"})
        assert str(err.value) == "The column 'review' has no field 'bdy' (its records' fields: title, body, rating)."
    (tmp_path / "lists.jsonl").write_text('{"text": ["a", "b"]}\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"^The column 'text' holds lists, not text: map a column that holds one text"):
        read_manifest(tmp_path / "lists.jsonl")
    (tmp_path / "img.jsonl").write_text('{"text": "hi", "image": {"width": 48, "height": 48}}\n', encoding="utf-8")
    with pytest.raises(InputError, match=re.escape("The column 'image' holds records (width, height), not file paths")):
        read_manifest(tmp_path / "img.jsonl")


def test_a_cell_of_pixel_values_is_read_as_the_picture_it_is(tmp_path, monkeypatch):
    """FER2013's 'pixels' (48×48 greyscale values, space-separated) mapped as image= died with OSError (File name
    too long); such a cell is the picture: a PNG as a Blob for explain-batch, a file in the media cache for train."""
    import numpy as np
    from PIL import Image

    monkeypatch.setenv("MSA_MEDIA_CACHE", str(tmp_path / "cache"))
    grey = (np.arange(48 * 48) % 256).astype(np.uint8).reshape(48, 48)
    colour = np.random.default_rng(0).integers(0, 256, size=(8, 8, 3), dtype=np.uint8)
    (tmp_path / "fer.csv").write_text("emotion,pixels,Usage\n"
                                      f"3,{' '.join(map(str, grey.ravel()))},Training\n"
                                      f"4,{' '.join(map(str, colour.ravel()))},PublicTest\n"
                                      f"0,{' '.join(['7'] * 50)},PrivateTest\n", encoding="utf-8")
    mapping = {"image": "pixels", "label": "emotion", "split": "Usage"}
    blobs = read_manifest(tmp_path / "fer.csv", blobs=True, columns=mapping)
    assert isinstance(blobs[0]["image"], Blob) and blobs[0]["image"].name.endswith(".png")
    assert np.array_equal(np.asarray(Image.open(io.BytesIO(blobs[0]["image"].data))), grey)
    assert np.array_equal(np.asarray(Image.open(io.BytesIO(blobs[1]["image"].data))), colour)
    assert blobs[2]["image"] == str(tmp_path / " ".join(["7"] * 50))  # 50 values: no square, left a path
    files = read_manifest(tmp_path / "fer.csv", columns=mapping)
    assert Path(files[0]["image"]).parent == tmp_path / "cache"
    assert np.array_equal(np.asarray(Image.open(files[0]["image"])), grey)
    assert (files[0]["label"], files[0]["split"]) == ("3", "Training")


def test_one_long_csv_cell_is_read_and_cut_as_jsonl_s_is(tiny_model, tmp_path):
    """A CSV with one 150 KB review was refused whole ("could not be read as CSV (field larger than field limit
    (131072))") while the same text in a JSONL was read and cut with a notice. The CSV's row is read now (5 MB too),
    and its text cut by the usual rule."""
    long_review = "good " * 29_999 + "good!"  # 150,000 characters
    m = tmp_path / "reviews.csv"
    m.write_text(f"id,text,label\nr1,{long_review},positive\nr2,fine,positive\n", encoding="utf-8")
    out = tmp_path / "out"
    s = explain_batch(m, out, model=tiny_model, options=FAST, progress=False, report=False)
    assert (s.explained, s.failed) == (2, 0)
    notices = {r["id"]: r["notices"] for r in read_results(out)}
    assert "Text: only the first 5,000 of 150,000 characters were used." in notices["r1"]
    m.write_text(f'id,text\nr1,"{"x" * 5_000_000}"\n', encoding="utf-8")
    assert len(manifest_rows(m)[0].values["text"]) == 5_000_000


def test_csv_and_jsonl_messages_name_the_file_s_line_and_the_data_row_alike(tmp_path):
    """'ragged2.csv' said "Row 2 ... has 4 fields" (its line 2, data row 1) where 'ragged.csv' said "quote ... on
    line 4": a line of the file and a data row were numbered alike. Every message names "line N of the file", and the
    data row where there is one; a file with no header line counts its first line as data row 1."""
    (tmp_path / "ragged.csv").write_text('id,text,label\na,"good stuff",positive\nb,bad,negative\n'
                                         'c,"unterminated quote,neutral\n', encoding="utf-8")
    (tmp_path / "ragged2.csv").write_text('id,text,label\na,"good stuff",positive,extra\nb,bad,negative\n',
                                          encoding="utf-8")
    (tmp_path / "blank.jsonl").write_text('{"text": "a"}\n\n{"text": "b"\n', encoding="utf-8")
    (tmp_path / "noheader.csv").write_text('1,fine\n2,"never closed\n', encoding="utf-8")
    (tmp_path / "header.csv").write_text('text,"label\nfine,1\n', encoding="utf-8")
    said = {}
    for name, columns in (("ragged.csv", None), ("ragged2.csv", None), ("blank.jsonl", None),
                          ("noheader.csv", {"label": "1", "text": "2"}), ("header.csv", None)):
        with pytest.raises(InputError) as err:
            read_manifest(tmp_path / name, columns=columns)
        said[name] = str(err.value)
    assert "on line 4 of the file (data row 3) that is never closed" in said["ragged.csv"]
    assert said["ragged2.csv"].startswith("Line 2 of the file 'ragged2.csv' (data row 1) has 4 fields where its "
                                          "header names 3 (data rows with more fields than the header: 1)")
    assert said["blank.jsonl"].startswith("Line 3 of the file 'blank.jsonl' (data row 2) is not JSON (Expecting ',' "
                                          "delimiter at character 13)")  # a blank line is no row
    assert "on line 2 of the file (data row 2) that is never closed" in said["noheader.csv"]  # no header line
    assert "on line 1 of the file (its header line) that is never closed" in said["header.csv"]
    assert not any(re.search(r"\bRow \d", line) for line in said.values())
