"""What a set's report said too little of, from a data journalist's run of 150 election posts on lite: rows in a
language outside the model's languages and slices too small to score (shown as "es: 7 rows, accuracy 1.000"), the
manifest's group column (accepted and dropped), a results file a spreadsheet opens, why a map fails its check (the
dashboard's reason, not the deletion test's), texts whose characters a legacy encoding turned into "???", and a face
model that reads no posters."""

from __future__ import annotations

import csv
import html
import io
import json
import re
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from msa_demo.config import SENTIMENTS
from msa_demo.dataset import explain_batch, read_results, summary
from msa_demo.dataset.report import to_html
from msa_demo.explain import ExplainOptions

FAST = ExplainOptions(ig_max_steps=8, image_methods=("occlusion",), grid=3, deletion_steps=2, segment_seconds=1.0)
SPANISH = "Text: Spanish is outside this model's languages (English, Chinese); its verdict on this text is not reliable."


def _row(i, lang="en", label="positive", pred="positive", **more):
    r = {"id": str(i), "language": lang, "label": label, "predicted": pred, "error": None, "used": ["text"],
         "shapley_text": 0.3, "maps": [], "notices": [], "text": f"post {i}"}
    r.update(more)
    return r


def _text(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def test_a_language_outside_the_model_and_a_slice_too_small_to_score_are_said():
    """'es: 7 rows, 4 labelled, accuracy 1.000' in the report, 'language: es 7 100%' in the tab: now the slice says
    the language is outside the model's, the score says it is over too few rows, the tab shows the labelled count,
    and the report's top says how many rows that is."""
    from msa_demo.dataset.report import MIN_LABELLED
    from msa_demo.ui.dataset_tab import slices_markdown

    rows = [_row(i) for i in range(12)]
    rows += [_row(f"es{i}", "es", outside_languages=["text"], notices=[SPANISH]) for i in range(4)]
    rows += [_row(f"es-u{i}", "es", label=None, outside_languages=["text"]) for i in range(3)]
    # a folder written before ``outside_languages`` was kept: its notice says it
    rows.append(_row("pt0", "pt", notices=[SPANISH.replace("Spanish", "Portuguese")]))
    s = summary(rows)
    assert s["rows_outside"] == 8 and s["outside_by_language"] == {"es": 7, "pt": 1}
    es = s["slices"]["language"]["es"]
    assert (es["rows"], es["labelled"], es["outside"], es["too_few"]) == (7, 4, 7, True)
    assert s["slices"]["language"]["en"]["too_few"] is False and s["slices"]["language"]["en"]["outside"] == 0

    page = _text(to_html(rows))
    assert ("8 rows are in a language outside this model's languages (Spanish 7, Portuguese 1): their verdicts are "
            "not reliable") in page
    assert page.index("Read this first") < page.index("Accuracy against the labels")  # at the top
    assert "es (outside this model's languages) 7 4 1.000 (too few to tell) 1.000 (too few to tell)" in page
    assert "pt (outside this model's languages) 1 1 1.000 (too few to tell)" in page
    assert "en 12 12 1.000 1.000" in page  # 12 labelled rows: a score, unmarked
    assert f"A score over fewer than {MIN_LABELLED} labelled rows is marked “too few to tell”" in page

    table = slices_markdown(s["slices"]).replace("\\", "")
    assert "| by slice | rows | labelled | accuracy | macro F1 |" in table
    assert "| language: es (outside this model's languages) | 7 | 4 | 100% (too few to tell) | 1.00 (too few to tell) |" \
        in table
    assert "| language: en | 12 | 12 | 100% | 1.00 |" in table
    # a set of rows the model reads, with no slice under the bar: nothing of this is said
    plain = _text(to_html([_row(i) for i in range(12)] + [_row(f"x{i}", "zh") for i in range(10)]))
    assert "outside this model's languages" not in plain and "too few to tell" not in plain


def test_texts_without_words_pictures_without_faces_and_sarcasm_are_said_at_the_top():
    """A Latin-1 export turned Chinese posts into '????????'; each row's notice said it holds no words, the report
    nothing. The top now counts them, with the likely cause; so the face model that reads no posters, and sarcasm."""
    from msa_demo.explain import NO_FACE_IN_PHOTO_LEFT_OUT, NO_FACE_LEFT_OUT
    from msa_demo.inputs import NO_WORDS
    from msa_demo.dataset.report import NO_FACE_NOTICE, NO_WORDS_NOTICE

    assert NO_WORDS.startswith(NO_WORDS_NOTICE)  # the notices the report counts, by how they begin
    assert NO_FACE_LEFT_OUT.startswith(NO_FACE_NOTICE) and NO_FACE_IN_PHOTO_LEFT_OUT.startswith(NO_FACE_NOTICE)
    rows = [_row(0), _row(1, text="???????????????", notices=[NO_WORDS]),
            _row(2, text="?????????，??????", notices=[NO_WORDS]), _row(3, text="🔥🔥🔥", notices=[NO_WORDS]),
            _row(4, notices=[NO_FACE_LEFT_OUT], used=["text"]), _row(5, notices=[NO_FACE_LEFT_OUT])]
    page = _text(to_html(rows))
    top = page[page.index("Read this first"):page.index("Accuracy against the labels")]
    assert ("3 row(s) hold no words in their text (only question marks, punctuation, symbols or emoji): 1, 2, 3"
            in top)
    assert ("2 of them are question marks where characters were: most likely lost when the file was saved in a "
            "legacy encoding (Latin-1, Windows-1252)") in top
    assert "The image model reads faces only: in 2 row(s) it found no face in the picture" in top
    assert "Sarcasm and irony are a known blind spot" in top
    # no text read (pictures and clips alone): no line on sarcasm; nothing to say: no section
    assert "Read this first" not in to_html([_row(0, used=["image"])])


def test_a_failing_map_is_listed_with_the_reason_the_dashboard_gives():
    """Row 1's text map, AOPC 0.371 vs random 0.180, was listed as "does not drop the score clearly faster than
    deleting at random": it passes that test, and fails on its IG completeness (δ 0.868), as the dashboard's trust
    table says. Its saved reason is shown; a folder written before it was kept gets the same from its figures."""
    from msa_demo.dataset.report import why_failed

    old = {"modality": "text", "method": "layer_integrated_gradients", "verdict": "✗", "aopc": 0.371,
           "aopc_random": 0.180, "delta": 0.868, "sanity_spearman": None}
    assert why_failed(old) == ["text layer integrated gradients completeness: its scores miss the score change they "
                               "should add up to by 87% (too few integration steps); read it with care."]
    saved = {**old, "aopc": 0.10, "aopc_random": 0.09, "delta": 0.001,
             "why": ["text layer integrated gradients: deleting the top-ranked parts first does not drop the score "
                     "clearly faster than deleting at random (AOPC gap +0.010); read this map with care."]}
    page = _text(to_html([_row(1, maps=[old]), _row(2, maps=[saved])]))
    section = page[page.index("Maps that fail their faithfulness check"):page.index("Rows that could not")]
    assert "2 maps fail a check of the dashboard's trust table" in section
    assert ("1 text layer integrated gradients Completeness: its scores miss the score change they should add up to "
            "by 87% (too few integration steps); read it with care. 0.371 0.180 0.868") in section
    assert "2 text layer integrated gradients Deleting the top-ranked parts first does not drop" in section
    assert section.count("does not drop the score") == 1  # row 1's is not the deletion test's


MANIFEST = [
    # (post_id, Post, notes, label)
    ("1", "The volunteers were so friendly at the door today", "plain", "positive"),
    ("2", "Thanks so much for the two-hour line, really great planning", "sarcasm", "negative"),
    ("3", "???????????????", "zh", "positive"),
    ("4", "=HYPERLINK(\"http://x\") the polls close at eight " + "and the count starts soon after. " * 6, "plain",
     "neutral"),
    ("5", "今天投票的人真多，社区很热闹！", "zh", "positive"),
]


def _manifest(folder: Path, notes: bool = True) -> Path:
    path = folder / "posts.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["post_id", "Post", "notes", "label"])
        for pid, post, note, label in MANIFEST:
            w.writerow([pid, post, note if notes else "", label])
    return path


@pytest.fixture(scope="module")
def grouped(tiny_model, tmp_path_factory):
    """The posts explained with ``--columns text=Post,id=post_id,group=notes``: (results folder, manifest)."""
    folder = tmp_path_factory.mktemp("grouped")
    manifest = _manifest(folder)
    out = folder / "out"
    explain_batch(manifest, out, model=tiny_model, options=FAST, progress=False,
                  columns={"text": "Post", "id": "post_id", "group": "notes"})
    return out, manifest


def test_the_group_column_slices_the_report_and_the_tab_and_is_kept(grouped, tiny_model, tmp_path):
    """--help named `group` among the --columns names; group=notes was accepted and did nothing. Each row keeps its
    group (results.parquet, results.csv), and the report and the tab slice the set by it."""
    from msa_demo.dataset.manifest import COLUMNS_HELP
    from msa_demo.ui.dataset_tab import breakdown_markdown

    assert "group: a column of your own, such as a topic, that the report and the Dataset tab slice the set by" in \
        COLUMNS_HELP  # --help says what it does
    out, _ = grouped
    table = pq.read_table(out / "results.parquet").to_pylist()
    assert [r["group"] for r in table] == [note for _, _, note, _ in MANIFEST]
    s = summary(read_results(out))
    assert {k: v["rows"] for k, v in s["slices"]["group"].items()} == {"plain": 2, "sarcasm": 1, "zh": 2}
    page = _text((out / "report.html").read_text(encoding="utf-8"))
    assert "By group group rows labelled" in page and "sarcasm 1 1" in page
    shown = breakdown_markdown(read_results(out))
    assert "| group: sarcasm | 1 | 1 |" in shown and "| group: zh | 2 | 2 |" in shown
    # a folder done before without the group: the same run with group=notes slices it (its rows are not run again)
    again = tmp_path / "again"
    manifest = _manifest(tmp_path)
    explain_batch(manifest, again, model=tiny_model, options=FAST, progress=False,
                  columns={"text": "Post", "id": "post_id"})
    assert "By group" not in (again / "report.html").read_text(encoding="utf-8")
    ran = explain_batch(manifest, again, model=tiny_model, options=FAST, progress=False,
                        columns={"text": "Post", "id": "post_id", "group": "notes"})
    assert ran.skipped == len(MANIFEST) and ran.explained == 0
    assert [r["group"] for r in pq.read_table(again / "results.parquet").to_pylist()] == [n for _, _, n, _ in MANIFEST]
    assert "By group" in (again / "report.html").read_text(encoding="utf-8")


def test_explain_batch_writes_a_results_csv_a_spreadsheet_opens(grouped):
    """No export answered "which posts did it call negative?" without Python: results.parquet (Excel cannot open
    it) kept 80 characters of each post. results.csv: UTF-8 with a BOM, one row per input, the whole text."""
    out, _ = grouped
    data = (out / "results.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # Excel reads it as UTF-8
    got = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert list(got[0]) == ["id", "group", "text", "label", "predicted", "too_close", "prob_negative", "prob_neutral",
                            "prob_positive", "top_words", "notices", "error"]
    rows = read_results(out)
    assert [g["id"] for g in got] == [r["id"] for r in rows] == [pid for pid, *_ in MANIFEST]
    for g, r, (_, post, note, label) in zip(got, rows, MANIFEST):
        assert g["text"] == (post if not post.startswith("=") else "'" + post)  # a formula stays text
        assert len(post) > 80 or g["text"] == r["text_start"]
        assert (g["group"], g["label"], g["predicted"]) == (note, label, r["predicted"])
        assert [float(g[f"prob_{c}"]) for c in SENTIMENTS] == pytest.approx([r[f"prob_{c}"] for c in SENTIMENTS],
                                                                            abs=1e-4)
        assert g["top_words"].split("; ")[0].rsplit(" ", 1)[0] == r["top_words"][0]["label"]
        assert g["notices"] == " | ".join(r["notices"])
    assert got[4]["text"] == "今天投票的人真多，社区很热闹！"
    assert "holds no words" in got[2]["notices"]
    # the report says it of the '???' row, with the likely cause
    page = _text((out / "report.html").read_text(encoding="utf-8"))
    assert "1 row(s) hold no words in their text" in page and "legacy encoding" in page


def test_a_long_text_is_kept_whole_or_cut_with_a_mark():
    from msa_demo.dataset.rows import TEXT_KEPT, text_kept

    assert text_kept("short post") == "short post" and text_kept("  ") is None
    long = "word " * TEXT_KEPT
    kept = text_kept(long)
    assert kept.startswith(long[:TEXT_KEPT]) and kept.endswith(f"[…cut: the first {TEXT_KEPT:,} of {len(long):,} "
                                                               "characters]")


def test_the_dataset_tab_offers_the_results_csv(grouped, tiny_model):
    from msa_demo import ui
    from msa_demo.ui.dataset_tab import ALL, DatasetTab

    out, _ = grouped
    tab = DatasetTab(ui.Dashboard(models={"tiny": tiny_model}, default="tiny"), root=out.parent)
    button = tab.open("out", ALL)[-1]
    assert button.interactive and Path(button.value["path"]).name == "results.csv"
    assert Path(button.value["path"]).read_bytes() == (out / "results.csv").read_bytes()


def test_the_saved_reason_of_a_failing_map_is_the_dashboard_s(grouped):
    """Each saved map's verdict and reasons are the trust table's for the same explanation: a map that passes the
    deletion test and fails on its IG completeness keeps that reason; one that fails both keeps both."""
    from msa_demo.dataset.rows import ManifestRow, record_of
    from msa_demo.explain.result import Explanation
    from msa_demo.views.story import trust_rows, trust_verdicts

    def ig(aopc, rand, delta):
        return {"modality": "text", "method": "layer_integrated_gradients", "labels": ["a", "b", "c"],
                "scores": [0.3, -0.1, 0.05], "delta": delta, "faithfulness": {"aopc": aopc, "aopc_random": rand}}

    exp = {"prediction": {"label": "positive", "probs": {"negative": 0.1, "neutral": 0.2, "positive": 0.7},
                          "used": ["text"]},
           "maps": [ig(0.371, 0.180, 0.868), ig(0.30, 0.30, 0.9), ig(0.4, 0.1, 0.001)]}
    rec = record_of(ManifestRow(0, "1", {"text": "a b c"}, "positive"), exp)
    verdicts = trust_verdicts(exp)
    assert [m["verdict"] for m in rec["maps"]] == [r["mark"] for r in trust_rows(exp)] == ["✗", "✗", "✓"]
    assert rec["maps"][0]["why"] == [verdicts[1][1]] and "completeness" in verdicts[1][1]  # not the deletion test
    assert len(rec["maps"][1]["why"]) == 2 and rec["maps"][2]["why"] == []
    assert all(w in [text for mark, text in verdicts if mark == "✗"] for m in rec["maps"] for w in m["why"])
    # and a whole run's saved maps, each against its saved explanation
    out, _ = grouped
    for r in read_results(out):
        saved = Explanation.from_json((out / r["explanation"]).read_text(encoding="utf-8")).to_dict()
        assert [m["verdict"] for m in r["maps"]] == [t["mark"] for t in trust_rows(saved)]


def test_inputs_the_rows_name_but_the_run_did_not_use_are_said_at_the_top(tiny_model, tmp_path):
    """A set run on its texts alone (``--use text``, or the Dataset tab's upload without its pictures) was reported
    as if it had no pictures: the report's figures said nothing of the image column left unread. Its "Read this
    first" says which inputs of how many rows were not used, in Chinese too; a run that used them all says nothing."""
    examples = Path(__file__).resolve().parents[1] / "examples"
    manifest = tmp_path / "m.csv"
    manifest.write_text("text,image,label\n"
                        f"I love it,{examples / 'happy_face.png'},positive\n"
                        f"I hate it,{examples / 'frown_face.png'},negative\n"
                        "fine,,neutral\n", encoding="utf-8")
    explain_batch(manifest, tmp_path / "text", model=tiny_model, options=FAST, progress=False, use=["text"])
    page = html.unescape((tmp_path / "text" / "report.html").read_text(encoding="utf-8"))
    assert "The run used none of the rows' image (2 rows): it explained them from their other inputs" in page
    assert summary(read_results(tmp_path / "text"), {"unused": {"image": 2}})["not_used"] == {"image": 2}
    from msa_demo.dataset.report import caveats

    zh = " ".join(caveats({"not_used": {"image": 2}}, "zh"))
    assert "本次运行没有使用这些行的图片（2 行）" in zh, zh
    explain_batch(manifest, tmp_path / "all", model=tiny_model, options=FAST, progress=False)
    assert "The run used none" not in (tmp_path / "all" / "report.html").read_text(encoding="utf-8")


def _voiced(i, text_pos, audio_pos, **more):
    probs = {f"{m}_prob_{c}": (p if c == "positive" else (1 - p) / 2) for m, p in (("text", text_pos),
                                                                                  ("audio", audio_pos))
             for c in SENTIMENTS}
    return _row(i, used=["text", "audio", "video"], explanation=f"explanations/{i}.json", shapley_audio=0.3,
                **probs, **more)


def test_a_voice_read_only_through_its_words_is_said_first_in_read_this_first(tmp_path):
    """A set of talking-face clips on lite: in every row with speech text_prob equalled audio_prob (0.99952 and
    0.99952), Shapley text +0.361 and audio +0.361, and nothing in report.html said that the voice is the text model
    on Whisper's transcript, so that the words count twice. Decided from the rows' saved model record (else the
    preset model.json names), "Read this first" says it now, with how many rows read their words twice."""
    from msa_demo.dataset.report import voice_record
    from msa_demo.dataset.store import open_results

    rows = [_voiced("a", 0.99952, 0.99952), _voiced("b", 0.9, 0.9), _voiced("c", 0.2, 0.7),
            _row("d", used=["text"])]
    store = open_results(tmp_path / "res")
    store.put("explanations/a.json", json.dumps({"models": {"audio": {"family": "speech-transcript",
                                                                      "model_id": "pkg:x"}}}).encode())
    record = voice_record(store, rows, {"preset": "my_preset.json"})
    assert record["family"] == "speech-transcript"
    page = _text(to_html(rows, voice=record))
    said = ("The voice is read only through its words (speech recognition, then the text model), not its tone: in the "
            "3 row(s) with text and voice the words were read twice, as written and as heard (2 of them alike within "
            "a point), so the words count twice in the fused verdict")
    assert said in page and page.index("Read this first") < page.index(said) < page.index("Sarcasm")
    assert "声音只通过其中的话来读取" in _text(to_html(rows, lang="zh", voice=record))
    # a voice model that hears the sound, named by the saved record: nothing of this is said
    store.put("explanations/a.json", json.dumps({"models": {"audio": {"family": "hf-audio-classifier"}}}).encode())
    assert "read only through its words" not in _text(to_html(rows, voice=voice_record(store, rows)))
    # no explanation kept: the preset the folder's model.json names decides (lite's voice reads words; hub's hears)
    bare = [{k: v for k, v in r.items() if k != "explanation"} for r in rows]
    assert voice_record(store, bare, {"preset": "lite"}) == {"family": "speech-transcript"}
    assert voice_record(store, bare, {"preset": "hub"}) == {"family": "hf-audio-classifier"}
    assert voice_record(store, bare, None) is None


def test_the_scores_over_the_rows_read_whole_are_said_beside_the_headline():
    """A clip whose video was corrupt was scored from its text alone and pooled into "accuracy 91% on 22 labelled
    rows" with the rows read whole; a researcher had to filter the table by hand before quoting a number. The
    report and the tab say the scores over the rows read whole beside the headline, where they differ."""
    from msa_demo.dataset.report import summary as figures_of
    from msa_demo.ui.dataset_tab import summary_markdown

    rows = [_row(i) for i in range(6)] + [_row(6, label="negative", pred="negative"),
                                          _row(7, label="negative", pred="positive"),
                                          _row(8, not_read=["video"]), _row(9, not_read=["video"])]
    s = figures_of(rows)
    assert s["metrics"]["n"] == 10 and s["metrics"]["accuracy"] == pytest.approx(0.9)
    assert s["metrics_whole"]["n"] == 8 and s["metrics_whole"]["accuracy"] == pytest.approx(7 / 8)
    line = "on the 8 labelled rows read whole (every input they name read): accuracy 0.875, macro F1 "
    assert line in html.unescape(to_html(rows))
    # the tab: "accuracy 90% … accuracy 0.875" in one line had read as two accuracies of one thing: each its own
    # line, in one form, saying which rows it is over
    shown = summary_markdown(rows, Path("set"), s).replace("\\", "").splitlines()
    assert "accuracy **90%** on 10 labelled rows · macro F1 0.80" in shown
    assert ("of them, the 8 read whole (every input they name read; the others were explained without one): "
            "accuracy **88%** · macro F1 0.79") in shown
    assert "在读取完整的 8 个带标签行上" in to_html(rows, lang="zh")
    whole = [r for r in rows if not r.get("not_read")]
    assert figures_of(whole)["metrics_whole"] is None and "read whole" not in to_html(whole)


def test_a_label_given_as_a_score_is_shown_beside_the_class_it_was_read_as():
    """A MOSI score 2.4 was read as positive and shown as "positive" alone, in the table and results.csv (the score
    only in the parquet's label_given). The class keeps its place and the given value stands beside it where it
    differs; a label given as its class's own name adds nothing (results.csv's label_given left empty)."""
    from msa_demo.dataset.export import csv_bytes
    from msa_demo.ui.dataset_tab import table_row

    rows = [_row(1, label_given="2.4"), _row(2, label="negative", pred="negative", label_given="-1.8"),
            _row(3, label_given="Positive"), _row(4, label=None, label_given=None)]
    assert [table_row(r)[1] for r in rows] == ["positive (2.4)", "negative (-1.8)", "positive", None]
    assert table_row(rows[0], "zh")[1] == "正面（2.4）"
    read = list(csv.DictReader(io.StringIO(csv_bytes(rows).decode("utf-8-sig"))))
    assert [(r["label"], r["label_given"]) for r in read] == [("positive", "2.4"), ("negative", "-1.8"),
                                                             ("positive", ""), ("", "")]
    assert "label_given" not in csv_bytes([rows[2]]).decode("utf-8-sig").splitlines()[0]
    # a score is a number, not a formula: no apostrophe before "-1.8" (a post beginning with "-" still gets one)
    post, = csv.DictReader(io.StringIO(csv_bytes([_row(5, text="-5 stars, awful")]).decode("utf-8-sig")))
    assert post["text"] == "'-5 stars, awful"
