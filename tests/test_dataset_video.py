"""Dataset mode on the registry, with the shipped video kind: a manifest's ``video`` column (a path, or the clip's
bytes in a Parquet cell) is explained like any other input; a video-only row gets its own columns in
results.parquet (hash, verdict alone, Shapley value, interactions, top moments), the clip's sound track feeds
the audio columns and the words said in it the text's."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from msa_demo.config import SENTIMENTS
from msa_demo.dataset import explain_batch, manifest_rows, read_results, summary
from msa_demo.dataset.columns import pairs, top_lists
from msa_demo.explain import ExplainOptions
from msa_demo.model import MultimodalSentimentModel

CLIP = Path(__file__).resolve().parent.parent / "examples" / "face_turns.mp4"
FAST = ExplainOptions(ig_max_steps=8, image_methods=("occlusion",), grid=2, deletion_steps=2, segment_seconds=1.0)


@pytest.fixture(scope="module")
def video_model(tiny_video_preset):
    """The tiny preset with a video entry (conftest's ``tiny_video_preset``)."""
    return MultimodalSentimentModel.from_preset(str(tiny_video_preset), device="cpu")


def test_the_columns_come_from_the_registry():
    assert top_lists() == {"text": "top_words", "image": "top_regions", "audio": "top_segments",
                           "video": "top_moments"}
    assert pairs()[:3] == (("text", "image"), ("text", "audio"), ("text", "video"))
    assert len(pairs()) == 6


@pytest.mark.slow  # decodes a clip and explains it twice over (about 10 s): out of the fast lane
def test_a_video_only_row_is_explained_with_its_own_columns(video_model, tmp_path):
    manifest = tmp_path / "m.csv"
    manifest.write_text(f"id,text,video,label\nwords,I love it,,positive\nclip,,{CLIP},positive\n", encoding="utf-8")
    out = tmp_path / "out"
    s = explain_batch(manifest, out, model=video_model, options=FAST, progress=False)
    assert (s.explained, s.failed) == (2, 0)
    table = pq.read_table(out / "results.parquet")
    assert {"video_sha256", "video_prob_positive", "shapley_video", "interaction_audio_video",
            "top_moments"} <= set(table.column_names)
    words, clip = table.to_pylist()
    assert clip["error"] is None and clip["video_sha256"] == hashlib.sha256(CLIP.read_bytes()).hexdigest()[:16]
    assert words["video_sha256"] is None and words["top_moments"] == [] and words["shapley_video"] is None
    # the clip's frames feed the video, its sound track the audio and the words said in it the text (said in the
    # notices: the Hub presets' voice model hears the tone, not the words)
    assert clip["used"] == ["text", "audio", "video"]
    assert sum(clip[f"video_prob_{c}"] for c in SENTIMENTS) == pytest.approx(1.0, abs=1e-5)
    saved = json.loads((out / clip["explanation"]).read_text(encoding="utf-8"))
    mc = saved["modalities"]
    assert clip["shapley_video"] == pytest.approx(mc["shapley"]["video"])
    assert clip["shapley_text"] + clip["shapley_audio"] + clip["shapley_video"] == pytest.approx(
        mc["value_all"] - mc["value_none"], abs=1e-5)
    assert clip["interaction_audio_video"] == pytest.approx(mc["interactions"]["audio×video"])
    first_video_map = next(m for m in saved["maps"] if m["modality"] == "video")
    assert len(clip["top_moments"]) == min(5, len(first_video_map["labels"])) and \
        clip["top_moments"][0]["label"] in first_video_map["labels"]
    assert clip["top_segments"]  # the sound track's map
    assert any("sound track" in n for n in clip["notices"])
    assert any(m["modality"] == "video" for m in clip["maps"])
    # the report: video in the reliance, its moments among the top parts
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "<h3>Video moments</h3>" in page and "video" in summary(read_results(out))["reliance"]
    # a rerun skips both rows (the clip's hash is its bytes')
    again = explain_batch(manifest, out, model=video_model, options=FAST, progress=False)
    assert (again.skipped, again.explained) == (2, 0)
    # the Dataset tab: the clip's own columns; a click opens its video panel and puts the clip back in its box
    from msa_demo import ui
    from msa_demo.ui.dataset_tab import DatasetTab

    tab = DatasetTab(ui.Dashboard(models={"tv": video_model}, default="tv"), root=tmp_path)
    shown = tab.table("out")
    assert list(shown["video alone"]) == ["", max(SENTIMENTS, key=lambda c: clip[f"video_prob_{c}"])]
    assert list(tab.table("out", "video alone wrong")["id"]) == ([] if shown["video alone"][1] == "positive"
                                                                  else ["clip"])
    opened = tab.open_row("out", "clip", with_inputs=True)
    assert opened["video.timeline"]["value"] is not None and Path(opened["input.video"]).read_bytes() == \
        CLIP.read_bytes()


@pytest.mark.slow
def test_a_clip_as_bytes_in_a_parquet_cell_is_named_by_its_first_bytes(video_model, tmp_path):
    manifest = tmp_path / "m.parquet"
    pq.write_table(pa.table({"id": ["clip"], "video": [CLIP.read_bytes()]}), manifest)
    (row,) = manifest_rows(manifest)
    assert row.video.name.endswith(".mp4") and row.hashes()["video_sha256"] == \
        hashlib.sha256(CLIP.read_bytes()).hexdigest()[:16]
    s = explain_batch(manifest, tmp_path / "out", model=video_model, options=FAST, progress=False, report=False)
    assert (s.explained, s.failed) == (1, 0)
    assert read_results(tmp_path / "out")[0]["used"] == ["text", "audio", "video"]


@pytest.mark.slow  # decodes a clip and explains it (about 5 s): out of the fast lane
def test_a_clip_s_row_keeps_what_was_heard_and_where_in_the_clip_its_strongest_parts_fall(video_model, tmp_path):
    """A clip's row had no transcript outside the dashboard (``text_start`` empty, the table's top words empty
    where the words were heard), and the report added moment times up across clips ("2.0–3.0 s: in the top of 6
    rows"): its row now keeps ``heard`` (the start of the words said, read as the text on a Hub-like preset), the
    table's top words are marked heard, and each map over a clip's time segments says where its strongest part
    falls as a share of the clip (``top_at``), which the report counts by third instead of by second."""
    from msa_demo import ui
    from msa_demo.dataset.rowmap import text_start
    from msa_demo.dataset.rows import top_at
    from msa_demo.ui.dataset_tab import DatasetTab, TOP_WORDS

    manifest = tmp_path / "m.csv"
    manifest.write_text(f"id,text,video,label\nwords,I love it,,positive\nclip,,{CLIP},positive\n", encoding="utf-8")
    out = tmp_path / "out"
    explain_batch(manifest, out, model=video_model, options=FAST, progress=False)
    words, clip = pq.read_table(out / "results.parquet").to_pylist()
    saved = json.loads((out / clip["explanation"]).read_text(encoding="utf-8"))
    assert saved["inputs"]["text_carried_by"] == "video" and clip["text_start"] is None
    assert clip["heard"] == text_start(saved["inputs"]["text"]) and clip["heard"]  # the words said in the clip
    assert words["heard"] is None and words["top_at"] == []
    # the sound track's segments: its strongest one's middle over the clip's length, as the map has it
    sound = next(m for m in saved["maps"] if m["modality"] == "audio")
    strongest = max(range(len(sound["scores"])), key=lambda i: abs(sound["scores"][i]))
    (a, b), length = sound["spans"][strongest], sound["spans"][-1][1]
    assert {x["modality"]: x["at"] for x in clip["top_at"]}["audio"] == pytest.approx((a + b) / 2 / length)
    moments = next(m for m in saved["maps"] if m["modality"] == "video")
    assert ("video" in {x["modality"] for x in clip["top_at"]}) == (top_at(moments) is not None)
    # the report: the clip times are not tabulated; the sound's segments by third of the clip
    page = (out / "report.html").read_text(encoding="utf-8")
    attribution = page[page.index("What carries the attribution"):page.index("Maps that fail")]
    assert not any(lbl in attribution for lbl in sound["labels"] + moments["labels"])
    assert "<h3>Audio segments</h3>" in attribution and "part of the clip" in attribution
    assert "<h3>Video moments</h3>" in attribution and "<h3>Words</h3>" in attribution
    figures = summary(read_results(out))
    assert sum(figures["where_in_clip"]["top_segments"].values()) == 1
    assert set(figures["top"]) == {"top_words", "top_regions"}
    # the Dataset table: the clip's words are marked heard, the typed ones not
    tab = DatasetTab(ui.Dashboard(models={"tv": video_model}, default="tv"), root=tmp_path)
    shown = list(tab.table("out")[TOP_WORDS])
    assert not shown[0].startswith("🔊") and shown[1].startswith("🔊 ") and len(shown[1]) > 2
