"""The dataset map: each row's fused features (what the fusion read its verdict from) stored with its results, then
projected to 2-D by PCA for the Dataset tab, report.html and map.json.

Known geometry: a planted text model whose only cause is the word "great" (tests/planted_models.py), fused late, so
a row's fused features are its text's probabilities: the rows that say "great" sit apart from those that do not."""

from __future__ import annotations

import json
import re

import numpy as np
import pyarrow.parquet as pq
import pytest
import torch

from msa_demo.dataset import explain_batch, read_results
from msa_demo.dataset.rowmap import MIN_ROWS, row_map
from msa_demo.explain import ExplainOptions
from msa_demo.fusion import FusionNet, TrainedFusion, WeightedLateFusion, fuse_and_read

FAST = ExplainOptions(ig_max_steps=8, deletion_steps=2)
# (id, text, label): "great" makes the planted text positive (twice: more so); without it, every class alike
ROWS = [("g1", "the movie was great", "positive"), ("g2", "great food and service", "positive"),
        ("g3", "great great dinner", "positive"), ("g4", "the movie was great today", "negative"),  # labelled wrong
        ("n1", "the movie was long", "neutral"), ("n2", "we ate a long dinner", "neutral"),
        ("n3", "the food service today", "neutral")]


@pytest.fixture(scope="module")
def planted_text_model():
    from planted_models import PlantedText, build_model, planted_spec

    text = PlantedText(planted_spec("planted-text"), torch.device("cpu"), torch.float32)
    return build_model({"text": text}, WeightedLateFusion({"text": 1.0}))


@pytest.fixture(scope="module")
def mapped(planted_text_model, tmp_path_factory):
    folder = tmp_path_factory.mktemp("map")
    manifest = folder / "m.jsonl"
    lines = [{"id": i, "text": t, "label": lab} for i, t, lab in ROWS] + [{"id": "empty", "text": ""}]
    manifest.write_text("".join(json.dumps(r) + "\n" for r in lines), encoding="utf-8")
    explain_batch(manifest, folder / "out", model=planted_text_model, options=FAST, progress=False)
    return folder / "out"


def test_fused_features_are_what_the_fusion_reads_and_sum_to_its_verdict():
    late = WeightedLateFusion({"text": 2.0, "image": 1.0, "audio": 1.0})
    p_text, p_audio = torch.tensor([[0.1, 0.2, 0.7]]), torch.tensor([[0.6, 0.3, 0.1]])
    fused, vec = late.read({"text": p_text, "audio": p_audio})
    assert vec.shape == (1, 9)  # three per modality of the preset, the image's share 0: it was not given
    torch.testing.assert_close(vec[0, :3], p_text[0] * 2 / 3)
    torch.testing.assert_close(vec[0, 3:6], torch.zeros(3))
    torch.testing.assert_close(vec.reshape(1, 3, 3).sum(1), fused)
    torch.manual_seed(0)
    for kind in ("concat", "attention", "average"):  # a trained head: its classifier reads the vector
        net = FusionNet(kind, ["text", "audio"], {"text": 4, "audio": 5}, hidden=8).eval()
        head = TrainedFusion(net)
        feats = {"text": torch.randn(1, 4)}  # the audio is missing: the head still reads a vector of full width
        fused, vec = fuse_and_read(head, {"text": torch.rand(1, 3)}, feats)
        torch.testing.assert_close(fused, head({"text": torch.rand(1, 3)}, feats))
        if kind == "concat":
            assert vec.shape == (1, 2 * 8 + 2)
            torch.testing.assert_close(torch.softmax(net.mlp(vec), -1), fused)
        elif kind == "attention":
            torch.testing.assert_close(torch.softmax(net.out(vec), -1), fused)
        else:
            torch.testing.assert_close(vec.reshape(1, 2, 3).sum(1), fused)


def test_each_row_stores_the_fused_features_its_prediction_used(mapped, planted_text_model):
    rows = {r["id"]: r for r in pq.read_table(mapped / "results.parquet").to_pylist()}
    for rid, text, _ in ROWS:
        pred = planted_text_model.predict(text=text)
        assert rows[rid]["fused_features"] == pytest.approx(pred.fused_features, abs=1e-5)
        assert rows[rid]["fused_features"] == pytest.approx([pred.probs[s] for s in ("negative", "neutral",
                                                                                        "positive")], abs=1e-5)
        assert rows[rid]["text_start"] == text
    assert rows["empty"]["error"] and rows["empty"]["fused_features"] is None
    saved = json.loads((mapped / rows["g1"]["explanation"]).read_text(encoding="utf-8"))
    assert saved["prediction"]["fused_features"] == pytest.approx(rows["g1"]["fused_features"], abs=1e-5)


def test_the_map_is_sklearn_pca_of_the_stored_features_and_puts_the_classes_apart(mapped):
    from sklearn.decomposition import PCA

    rows = read_results(mapped)
    m = row_map(rows)
    assert m.available and m.left_out == 0 and m.width == 3
    ok = [r for r in rows if not r["error"]]
    want = PCA(n_components=2).fit_transform(np.array([r["fused_features"] for r in ok], dtype=np.float64))
    got = np.array([[p.x, p.y] for p in m.points])
    assert [p.id for p in m.points] == [r["id"] for r in ok]
    np.testing.assert_allclose(np.abs(got), np.abs(want), atol=1e-6)  # an axis's sign is PCA's choice
    x = {p.id: p.x for p in m.points}
    great, plain = [x[i] for i, t, _ in ROWS if "great" in t], [x[i] for i, t, _ in ROWS if "great" not in t]
    assert max(great) < min(plain) or min(great) > max(plain)  # the first axis splits "great" from the rest
    assert m.variance[0] > 0.9
    wrong = {r["id"] for r in ok if r["label"] != r["predicted"]}  # labelled rows the model got wrong
    assert {p.id for p in m.points if p.wrong} == wrong and "g4" in wrong and "g1" not in wrong
    assert row_map(rows) == row_map(rows)  # deterministic
    saved = json.loads((mapped / "map.json").read_text(encoding="utf-8"))
    assert [(p["id"], p["wrong"]) for p in saved["points"]] == [(p.id, p.wrong) for p in m.points]
    assert [p["x"] for p in saved["points"]] == pytest.approx([p.x for p in m.points])
    assert m.nearest(x["n2"] + 1e-4, m.point("n2").y).id in {"n1", "n2", "n3"}  # the neutral rows coincide
    assert m.nearest(m.point("g3").x, m.point("g3").y).id == "g3"
    # a clip's row without text: its point names the words heard in it (its hover was empty)
    spoken = [{**r, "text_start": None, "heard": "so I bought this camera"} if r["id"] == "g3" else r for r in rows]
    assert row_map(spoken).point("g3").text == "🔊 so I bought this camera"
    assert row_map(rows).point("g3").text == next(r["text_start"] for r in rows if r["id"] == "g3")


def test_old_results_and_too_few_rows_say_why_there_is_no_map(mapped):
    rows = read_results(mapped)
    old = [{k: v for k, v in r.items() if k != "fused_features"} for r in rows]
    m = row_map(old)
    assert not m.available and "\n" not in m.reason and "before explain-batch kept their fused features" in m.reason
    two = [r for r in rows if r["id"] in ("g1", "n1")]
    assert row_map(two).reason == f"No map: 2 explained rows carry fused features; a map needs at least {MIN_ROWS}."
    assert row_map([r for r in rows if r["error"]]).reason == "No row was explained, so there is nothing to map."


def test_the_report_draws_the_map_inline_with_links_to_the_rows(mapped):
    page = (mapped / "report.html").read_text(encoding="utf-8")
    assert "<h2>Map of the rows</h2>" in page and "<script" not in page
    svg = page[page.index("<h2>Map of the rows</h2>"):]
    marks = re.findall(r'<a href="([^"]+)"><(?:circle|path) data-id="([^"]+)"', svg)
    assert sorted(i for _, i in marks) == sorted(i for i, _, _ in ROWS)
    assert all(href.startswith("explanations/") and (mapped / href).is_file() for href, _ in marks)
    assert '<path data-id="g4"' in svg and '<circle data-id="g1"' in svg  # the wrong row is a ×, the others circles
    from msa_demo.dataset import to_html

    old = [{k: v for k, v in r.items() if k != "fused_features"} for r in read_results(mapped)]
    assert "explain them again into a new results folder to map them" in to_html(old)


def test_a_large_set_draws_every_kth_point_in_the_report():
    from msa_demo.dataset import to_html
    from msa_demo.dataset.report import MAP_N

    rng = np.random.default_rng(0)
    rows = [{"id": f"r{i}", "label": "positive", "predicted": "positive", "error": None, "used": ["text"],
             "fused_features": rng.random(6).tolist()} for i in range(MAP_N + 1)]
    page = to_html(rows)
    drawn = re.findall(r'<circle data-id="(r\d+)"', page)
    assert drawn == [f"r{i}" for i in range(0, MAP_N + 1, 2)]
    assert f"{len(drawn)} of its {MAP_N + 1} points are drawn (one row in 2)" in page


def test_a_click_on_a_map_point_opens_its_row(mapped, planted_text_model):
    from msa_demo import ui
    from msa_demo.ui.dataset_tab import ALL, DatasetTab

    dash = ui.Dashboard(models={"planted": planted_text_model}, default="planted")
    tab = DatasetTab(dash, root=mapped.parent)
    *_, shown, caption, _csv = tab.open("out", ALL)
    assert "projected by PCA" in caption and "Click a point" in caption
    assert shown.visible is True
    traces = json.loads(shown.value["plot"])["data"]  # the plotly figure as the page receives it
    ids = [i for trace in traces for i in trace["customdata"]]
    assert sorted(ids) == sorted(i for i, _, _ in ROWS)
    crosses = {i for t in traces if t["marker"]["symbol"] == "x" for i in t["customdata"]}
    assert crosses == {r["id"] for r in read_results(mapped) if r["label"] and r["label"] != r["predicted"]}
    assert "g4" in crosses and "g1" not in crosses
    out = tab.open_point("out", "g2@1733300000000")  # what the page sends on a click on g2's point
    assert "Row 'g2'" in out["notices"] and out["tabs"].selected == "explain"
    assert out["state"]["inputs"]["text"] == "great food and service"
    with pytest.raises(Exception, match="Click a point of the map"):
        tab.open_point("out", "")
    with pytest.raises(Exception, match="There is no row 'nope'"):
        tab.open_point("out", "nope@1")
