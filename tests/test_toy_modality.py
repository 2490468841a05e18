"""A fourth modality, declared in this file alone: a vector of four physiological signals read by a tiny linear
model whose answer is known by construction (only the first signal, "arousal", moves it: more arousal, more
positive). Registered, it is predicted, explained (its own map; modality Shapley over four inputs; deletion /
AOPC), run from the command line, replayed from a saved explanation and shown in the HTML report, with options
of its own (which maps run: a flag, a JSON key and a check), without a change to any package file. It is taken
away again afterwards."""

from __future__ import annotations

import hashlib
from contextlib import contextmanager
import json
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pytest
import serving
from shown import value, visible
import torch

from msa_demo.config import ModalitySpec, load_preset, save_preset
from msa_demo.errors import InputError
from msa_demo.explain import explain
from msa_demo.explain.forward import FusedForward
from msa_demo.explain.methods import METHODS, Layout, attribute
from msa_demo.explain.options import ExplainOptions, option, option_specs
from msa_demo.modalities import Modality, Prepared
from msa_demo.registry import ModalityKind, names, register, unregister
from msa_demo.model import MultimodalSentimentModel
from msa_demo.views import esc

SIGNALS = ["arousal", "heart rate", "skin conductance", "breathing"]
WEIGHT = 4.0  # logit of "high" = WEIGHT * arousal, of "low" = -WEIGHT * arousal


@dataclass
class PhysioInput:
    values: list[float]
    notices: list[str] = field(default_factory=list)

    @property
    def key(self) -> str:
        return "physiology:" + hashlib.sha256(json.dumps(self.values).encode()).hexdigest()


def read(value: Any, model) -> PhysioInput | None:
    if isinstance(value, str):
        try:
            value = [float(v) for v in value.split(",")]
        except ValueError:
            raise InputError("Physiology must be four numbers separated by commas.") from None
    arr = np.asarray(value, dtype=np.float64).reshape(-1)
    if arr.size != len(SIGNALS) or not np.all(np.isfinite(arr)):
        raise InputError(f"Physiology must be {len(SIGNALS)} finite numbers ({', '.join(SIGNALS)}).")
    return PhysioInput([float(v) for v in arr])


class PhysioModel(Modality):
    name = "physiology"
    attr_key = "signals"

    def load(self) -> None:
        self.id2label = {0: "low", 1: "calm", 2: "high"}
        self.net = torch.nn.Linear(len(SIGNALS), 3, bias=False)
        with torch.no_grad():
            self.net.weight.zero_()
            self.net.weight[0, 0], self.net.weight[2, 0] = -WEIGHT, WEIGHT

    def prepare(self, value: PhysioInput) -> Prepared:
        return Prepared(inputs={"signals": torch.tensor([value.values], dtype=torch.float32)})

    def _run(self, inputs, want_features):
        x = inputs["signals"].float()
        return self.net(x), x


@dataclass
class PhysioOptions:
    """Its own settings: publicly ``physiology_methods`` (flag ``--physiology-methods``)."""

    methods: tuple = option(("integrated_gradients", "occlusion"), "which physiology maps run, one each",
                            label="physiology methods", choices=METHODS, min_count=1)


def explain_physiology(model, inputs, target, options, used) -> list:
    maps = []
    for method in options.of("physiology").methods:
        ff = FusedForward(model, inputs, "physiology", used, batch_size=options.batch_size)
        layout = Layout(modality="physiology", forward=ff, baseline=torch.zeros_like(ff.x),
                        feature_of=torch.arange(len(SIGNALS)), labels=list(SIGNALS),
                        spans=[[i, i + 1] for i in range(len(SIGNALS))], params={"baseline": "zero signals"})
        maps.append(attribute(layout, method, target, options))
    return maps


def report(exp: dict) -> str:
    maps = [m for m in exp.get("maps") or [] if m.get("modality") == "physiology"]
    if not maps:
        return ""
    rows = "".join(f"<tr><td>{esc(lbl)}</td><td>{float(s):+.4f}</td></tr>"
                   for lbl, s in zip(maps[0]["labels"], maps[0]["scores"]))
    return f"<h2>Physiology</h2><table>{rows}</table>"


KIND = ModalityKind(
    name="physiology", read=read, families=lambda: {"toy-physio": PhysioModel}, explain=explain_physiology,
    panel="physiological signals", record=lambda v: {"physiology": v.values if v is not None else None},
    replay=lambda rec: rec.get("physiology"), report=report, cli_help="four signals, comma-separated",
    cli_metavar="A,H,S,B", options=PhysioOptions,
)
SPEC = ModalitySpec(family="toy-physio", model_id="toy:physiology",
                    label_map={"low": "negative", "calm": "neutral", "high": "positive"})


@pytest.fixture
def physiology():
    register(KIND)
    yield KIND
    unregister(KIND.name)


@pytest.fixture
def physio_preset(physiology, tiny_preset_path, tmp_path):
    base = load_preset(tiny_preset_path)
    preset = replace(base, name="tiny-physio", modalities={**base.modalities, "physiology": SPEC})
    return preset, save_preset(preset, tmp_path / "tiny_physio.json")


@pytest.fixture
def model(physio_preset):
    return MultimodalSentimentModel(physio_preset[0], device="cpu")


def test_registered_then_taken_away(tiny_preset_path):
    assert "physiology" not in names()
    register(KIND)
    try:
        assert names()[-1] == "physiology" and names()[:3] == ("text", "image", "audio")
        with pytest.raises(InputError, match="registered already"):
            register(KIND)
        for bad in ("use", "heart-rate"):  # predict's own keyword; not a keyword at all
            with pytest.raises(InputError, match=f"'{bad}' is not"):
                register(replace(KIND, name=bad))
    finally:
        unregister("physiology")
    assert "physiology" not in names()


def test_predict_reads_and_uses_the_fourth_modality(model, rgb_image):
    calm, aroused = model.predict(text="hello", physiology=[0, 5, 5, 5]), model.predict(text="hello",
                                                                                        physiology="3,0,0,0")
    assert calm.used == aroused.used == ["text", "physiology"]
    assert calm.modalities["physiology"].probs == pytest.approx({"negative": 1 / 3, "neutral": 1 / 3,
                                                                 "positive": 1 / 3})
    assert aroused.modalities["physiology"].label == "positive"
    assert aroused.probs["positive"] > calm.probs["positive"]
    assert model.predict(text="hello", physiology=[3, 0, 0, 0], use=["text"]).switched_off == ["physiology"]
    with pytest.raises(InputError, match="four numbers"):
        model.read_inputs(physiology="fast,slow")
    with pytest.raises(InputError, match="4 finite numbers"):
        model.read_inputs(physiology=[1, 2])


def test_explain_maps_shapley_over_four_and_deletion(model, rgb_image, tone):
    inputs = model.read_inputs(text="what a day", image=rgb_image, audio=(16000, tone), physiology=[3, 0, 0, 0])
    exp = explain(model, inputs, target="positive")
    mc = exp.modalities
    assert set(mc.shapley) == {"text", "image", "audio", "physiology"}
    assert sum(mc.shapley.values()) == pytest.approx(mc.value_all - mc.value_none, abs=1e-5)  # efficiency
    assert max(mc.shapley, key=mc.shapley.get) == "physiology" and mc.shapley["physiology"] > 0
    assert len(mc.interactions) == 6  # every pair of four
    physio = [m for m in exp.maps if m.modality == "physiology"]
    assert [m.method for m in physio] == ["integrated_gradients", "occlusion"]
    for m in physio:
        assert m.labels == SIGNALS
        assert m.scores[0] > 0 and m.scores[1:] == [0.0, 0.0, 0.0]  # only arousal moves the model
        assert m.faithfulness.aopc > m.faithfulness.aopc_random  # removing arousal first drops P(positive) most
    assert physio[0].delta is not None and physio[0].delta < 0.05  # IG completeness
    assert {m.modality for m in exp.maps} == {"text", "image", "audio", "physiology"}
    assert exp.inputs["physiology"] == [3.0, 0.0, 0.0, 0.0]


def test_what_if_edits_the_fourth_modality_by_its_own_units(model):
    from msa_demo.explain import ExplainOptions

    exp = explain(model, model.read_inputs(text="hello", physiology=[3, 0, 0, 0]), options=ExplainOptions(what_if=True))
    (c,) = [c for c in exp.what_if if c.modality == "physiology"]
    # its own units, ranked by its own map (arousal, the one the model reads, first); removing all four leaves the
    # physiology model at a tie, which flips nothing (the text alone keeps positive in a near-tie, said as one)
    assert c.method == "integrated_gradients" and c.units[0] == "arousal" and sorted(c.units) == sorted(SIGNALS)
    assert not c.flipped and c.cost.forward_passes == 4
    assert c.sentence.startswith("Physiology: no flip; without all 4 units it is too close to call between positive")


def test_cli_and_report_carry_the_fourth_modality(physio_preset, tmp_path, capsys):
    from msa_demo.__main__ import main

    path = physio_preset[1]
    assert main(["predict", "--preset", str(path), "--physiology", "3,0,0,0", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["used"] == ["physiology"] and out["label"] == "positive"
    saved, html = tmp_path / "exp.json", tmp_path / "exp.html"
    assert main(["explain", "--preset", str(path), "--text", "fine", "--physiology", "3,0,0,0", "--device", "cpu",
                 "--out", str(saved), "--html", str(html), "--target", "positive"]) == 0
    text = capsys.readouterr().out
    assert "physiology" in text and "'arousal'" in text
    page = html.read_text(encoding="utf-8")
    assert "<h2>Physiology</h2>" in page and "<td>arousal</td>" in page and "<h2>Words</h2>" in page
    first = json.loads(saved.read_text(encoding="utf-8"))
    again = tmp_path / "again.json"
    assert main(["explain", "--preset", str(path), "--from", str(saved), "--out", str(again), "--json"]) == 0
    capsys.readouterr()
    second = json.loads(again.read_text(encoding="utf-8"))
    assert second["inputs"] == first["inputs"] and second["prediction"]["used"] == ["text", "physiology"]
    assert second["modalities"]["shapley"] == pytest.approx(first["modalities"]["shapley"], abs=1e-6)
    assert main(["predict", "--preset", str(path), "--physiology", "1,2"]) == 2
    assert capsys.readouterr().err.strip() == "error: Physiology must be 4 finite numbers (arousal, heart rate, " \
                                              "skin conductance, breathing)."


def test_its_options_get_a_flag_a_json_key_and_a_check(physio_preset, tmp_path, capsys):
    from msa_demo.__main__ import build_parser, main

    spec = next(s for s in option_specs() if s.owner == "physiology")
    assert (spec.name, spec.attr, spec.flag, spec.default) == ("physiology_methods", "methods", "--physiology-methods",
                                                               ("integrated_gradients", "occlusion"))
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    assert "--physiology-methods" in {s for a in sub.choices["explain"]._actions for s in a.option_strings}
    o = ExplainOptions(physiology_methods="occlusion", grid=3)
    assert o.of("physiology").methods == o.physiology_methods == ("occlusion",) and o.grid == 3
    assert o.to_dict()["physiology_methods"] == ["occlusion"] and ExplainOptions.from_dict(o.to_dict()) == o
    with pytest.raises(InputError, match="physiology methods must be chosen from integrated_gradients, occlusion"):
        ExplainOptions(physiology_methods=("fourier",))
    path, saved = physio_preset[1], tmp_path / "exp.json"
    assert main(["explain", "--preset", str(path), "--physiology", "3,0,0,0", "--physiology-methods", "occlusion",
                 "--device", "cpu", "--target", "positive", "--out", str(saved), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [m["method"] for m in out["maps"]] == ["occlusion"] and out["options"]["physiology_methods"] == ["occlusion"]
    again = tmp_path / "again.json"  # --from keeps it; a flag given overrides it
    assert main(["explain", "--preset", str(path), "--from", str(saved), "--out", str(again), "--json"]) == 0
    assert json.loads(again.read_text(encoding="utf-8"))["options"]["physiology_methods"] == ["occlusion"]
    capsys.readouterr()
    assert main(["explain", "--preset", str(path), "--from", str(saved), "--physiology-methods",
                 "integrated_gradients", "--json"]) == 0
    assert [m["method"] for m in json.loads(capsys.readouterr().out)["maps"]] == ["integrated_gradients"]
    assert main(["explain", "--preset", str(path), "--physiology", "3,0,0,0", "--physiology-methods", "fourier"]) == 2
    assert capsys.readouterr().err.strip() == ("error: Explanation option: physiology methods must be chosen from "
                                               + ", ".join(METHODS) + ".")


def test_without_the_kind_its_options_are_gone_and_old_files_still_read():
    assert "physiology_methods" not in {s.name for s in option_specs()}
    with pytest.raises(TypeError):
        ExplainOptions(physiology_methods=("occlusion",))
    # an explanation saved while it was registered reads back without it
    assert ExplainOptions.from_dict({"physiology_methods": ["occlusion"], "grid": 4}).grid == 4


# ---------------------------------------------------------------- the dashboard and the JSON endpoints


@pytest.fixture
def dash_and_demo(physio_preset, tmp_path):
    """The dashboard built AFTER the fourth modality is registered: its widgets come from the registry."""
    import app
    from msa_demo import ui

    dash = ui.Dashboard.load(str(physio_preset[1]), fallback=None, device="cpu", warm=False)
    return dash, app.build_demo(dash, tmp_path / "no_examples.json")


def _component(demo, elem_id):
    return next((c for c in demo.config["components"] if c.get("props", {}).get("elem_id") == elem_id), None)


def test_dashboard_shows_its_input_switch_verdict_and_panel(dash_and_demo):
    from msa_demo.ui.options import CONTROLS

    _dash, demo = dash_and_demo
    box, switch = _component(demo, "physiology-input"), _component(demo, "use-physiology")
    # the generic input: a text box; its words marked for translation (a plug-in's stay as it wrote them)
    assert box["type"] == "textbox" and "four signals" in str(box["props"]["label"])
    assert switch["type"] == "checkbox" and '"use physiology"' in str(switch["props"]["label"])
    assert '"Physiology alone"' in str(_component(demo, "own-physiology")["props"]["label"])
    assert _component(demo, "physiology-plot")["type"] == "plot"
    endpoints = demo.get_api_info()["named_endpoints"]
    builtin = ["preset", "text", "image", "audio", "use_text", "use_image", "use_audio"]
    video = ["video", "use_video"]  # the shipped video kind, laid out from the registry like any further kind
    assert [p["parameter_name"] for p in endpoints["/predict"]["parameters"]] == \
        builtin + ["face_anyway", *video, "physiology", "use_physiology"]  # the built-ins keep their positions
    assert [p["parameter_name"] for p in endpoints["/explain"]["parameters"]] == \
        builtin + [c.name for c in CONTROLS] + video + ["physiology", "use_physiology"]
    # the video kind adds its verdict, and its panel's plot and key frame; physiology its verdict and plot
    assert len(endpoints["/predict"]["returns"]) == 7 and len(endpoints["/explain"]["returns"]) == 18 + 3 + 2
    assert "physiology" in [p["parameter_name"] for p in endpoints["/predict_json"]["parameters"]]
    assert "use: which of the given inputs to use, comma-separated from text, image, audio, video, physiology" in \
        demo.fns[next(i for i, f in demo.fns.items() if f.api_name == "predict_json")].fn.__doc__


def test_dashboard_handlers_take_it_by_name(dash_and_demo):
    import gradio as gr

    dash, _demo = dash_and_demo
    out = dash.predict(text="hello", physiology="3,0,0,0")
    assert [n for n in out if n != "verdicts_for"][-2:] == ["own.physiology", "notices"]  # its verdict by name,
    # beside the built-ins'
    fused, alone, notes = value(out["fused"]), value(out["own.physiology"]), out["notices"]
    assert max(alone, key=alone.get) == "positive" and alone["positive"] > 0.99
    assert {n: visible(v) for n, v in dash.place(text="hello", physiology="3,0,0,0").items()} == {
        "fused": True, "own.text": True, "own.image": False, "own.audio": False, "own.video": False,
        "own.physiology": True}  # the page shows the verdicts given: text and physiology
    assert "physiology alone: **positive**" in notes
    off = dash.on_toggle(text="hello", physiology="3,0,0,0", use_physiology=False)
    assert value(off["own.physiology"]) is None and visible(off["own.physiology"]) is False
    assert "switched off: physiology" in off["notices"]
    assert fused["positive"] > value(off["fused"])["positive"]  # arousal pushed the fused verdict toward positive
    with pytest.raises(Exception, match="Physiology must be 4 finite numbers"):
        dash.predict(physiology="1,2")
    settings = dict(target="positive", ig_steps=8, grid=2, image_method="occlusion", audio_method="occlusion")
    placed = dash.check(text="fine", physiology="3,0,0,0", **settings)
    assert visible(placed["physiology.plot"]) is True and visible(placed["video.timeline"]) is False  # its panel
    steps = list(dash.explain_panels(text="fine", physiology="3,0,0,0", **settings))
    first, last = steps[0], steps[-1]
    assert value(first["own.physiology"])["positive"] > 0.99 and first["physiology.plot"] is None  # no map yet
    stamp, state, html_path = last["stamp"], last["state"], last["report"]
    assert value(last["own.physiology"]) == value(first["own.physiology"])  # its box again, beside the summary
    assert state["inputs"]["physiology"] == [3.0, 0.0, 0.0, 0.0]  # on screen
    figures = [s["physiology.plot"] for s in steps[1:] if s.get("physiology.plot", gr.skip()) != gr.skip()]
    # the generic panel, sent as each of its two maps lands (a bar per signal, arousal), then once more whole
    assert len(figures) == 3
    bars = figures[-1].data[0]  # the whole push
    assert list(bars.x) == SIGNALS and list(bars.y) == [1.0, 0.0, 0.0, 0.0]
    assert "<h2>Physiology</h2>" in open(html_path, encoding="utf-8").read()
    assert dash.freshness(stamp, text="fine", physiology="3,0,0,0", **settings)["fresh"] == ""
    stale = dash.freshness(stamp, text="fine", physiology="0,0,0,0", **settings)["fresh"]
    assert "Out of date" in stale and "physiology" in stale
    assert "the verdicts and the explanation were made before" in stale and "stale-verdicts" in stale  # greyed
    switched = dash.freshness(stamp, text="fine", physiology="3,0,0,0", use_text=False, **settings)["fresh"]
    assert "the explanation below" in switched and "stale-verdicts" not in switched  # a switch is read again
    # a Predict after the change: the verdicts on screen are the new input's, only the explanation is old (the
    # page greyed the current verdicts and said they were made before the change)
    now = dash.predict(text="fine", physiology="0,0,0,0")
    predicted = now["verdicts_for"]
    after = dash.freshness(stamp, text="fine", physiology="0,0,0,0", predicted=predicted, **settings)["fresh"]
    assert "the explanation below" in after and "physiology" in after and "stale-verdicts" not in after
    again = dash.freshness(stamp, text="fine", physiology="1,0,0,0", predicted=predicted, **settings)["fresh"]
    assert "stale-verdicts" in again  # changed once more since that Predict: greyed again
    # the language switch tells those verdicts again, not the explanation's (made for "3,0,0,0")
    told, in_zh = dash.retold(state, "zh", predicted), dash.predict(text="fine", physiology="0,0,0,0", lang="zh")
    assert value(told["own.physiology"]) == pytest.approx(value(in_zh["own.physiology"]))
    assert value(told["fused"]) == pytest.approx(value(in_zh["fused"])) and told["notices"] == in_zh["notices"]
    assert value(dash.retold(state, "zh")["own.physiology"])["正面"] > 0.99  # (the explanation's own)


def test_json_endpoint_takes_it_by_name(dash_and_demo):
    from gradio_client import Client

    _dash, demo = dash_and_demo
    with contextmanager(serving.serve)(demo) as url:  # (it retries a launch a busy machine's 3-s look failed)
        client = Client(url, verbose=False)
        pred = json.loads(client.predict(physiology="3,0,0,0", api_name="/predict_json"))
        assert pred["used"] == ["physiology"] and pred["label"] == "positive"
        exp = json.loads(client.predict(text="fine", physiology="3,0,0,0", target="positive", ig_steps=8,
                                        image_method="occlusion", api_name="/explain_json"))
        physio = [m for m in exp["maps"] if m["modality"] == "physiology"]
        assert physio and all(m["labels"] == SIGNALS and m["scores"][0] > 0 for m in physio)
        assert set(exp["modalities"]["shapley"]) == {"text", "physiology"}
        with pytest.raises(Exception, match="Physiology must be four numbers"):
            client.predict(physiology="fast", api_name="/predict_json")


def test_a_modality_named_like_a_dashboard_setting_is_refused_when_the_page_is_built():
    from msa_demo.ui import input_names
    from msa_demo.ui.options import NAMES

    register(replace(KIND, name="seed"))
    try:
        with pytest.raises(InputError, match="clashes with the dashboard setting.* seed"):
            input_names(NAMES)
    finally:
        unregister("seed")
    assert input_names(NAMES)[:7] == ["preset", "text", "image", "audio", "use_text", "use_image", "use_audio"]


# ---------------------------------------------------------------- dataset mode (explain-batch), its report and tab


def test_explain_batch_gives_the_fourth_modality_its_columns(physio_preset, tmp_path, capsys):
    """A manifest column named after the modality; results.parquet gets its hash, own verdict, Shapley value,
    interactions and top list (named after its panel's parts: top_signals); the report and the Dataset tab show
    it; a rerun skips its rows unless its value changed."""
    import pyarrow.parquet as pq

    from msa_demo import ui
    from msa_demo.__main__ import main
    from msa_demo.ui.dataset_tab import DatasetTab, columns, filters

    rows = [{"id": "aroused", "text": "fine", "physiology": "3,0,0,0", "label": "positive"},
            {"id": "low", "text": "fine", "physiology": [-3, 0, 0, 0], "label": "positive"},
            {"id": "bad", "physiology": "1,2"}]
    manifest = tmp_path / "m.jsonl"
    manifest.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    out = tmp_path / "out"
    args = ["explain-batch", str(manifest), "--preset", str(physio_preset[1]), "--out", str(out), "--device", "cpu",
            "--ig-max-steps", "8", "--deletion-steps", "2", "--no-progress", "--target", "positive"]
    assert main(args) == 1  # a row failed: exit status 1
    assert "3 rows: 2 explained, 1 failed, 0 already done" in capsys.readouterr().out
    table = pq.read_table(out / "results.parquet")
    assert {"physiology_sha256", "physiology_prob_positive", "shapley_physiology", "interaction_text_physiology",
            "interaction_audio_physiology", "top_signals"} <= set(table.column_names)
    got = {r["id"]: r for r in table.to_pylist()}
    aroused, low = got["aroused"], got["low"]
    assert aroused["physiology_sha256"] == hashlib.sha256(b"3,0,0,0").hexdigest()[:16]
    assert low["physiology_sha256"] == hashlib.sha256(b"[-3, 0, 0, 0]").hexdigest()[:16]  # a list: its JSON
    assert aroused["used"] == ["text", "physiology"] and aroused["physiology_prob_positive"] > 0.99
    assert low["physiology_prob_negative"] > 0.99  # arousal -3: its model alone says "low"
    saved = json.loads((out / aroused["explanation"]).read_text(encoding="utf-8"))
    mc = saved["modalities"]
    assert aroused["shapley_physiology"] == pytest.approx(mc["shapley"]["physiology"]) and \
        aroused["shapley_physiology"] > 0 and aroused["shapley_physiology"] > low["shapley_physiology"]
    assert aroused["interaction_text_physiology"] == pytest.approx(mc["interactions"]["text×physiology"])
    top = aroused["top_signals"]  # its first map (integrated gradients): arousal the only push
    assert top[0]["label"] == "arousal" and top[0]["score"] > 0 and [t["score"] for t in top[1:]] == [0.0] * 3
    assert got["bad"]["error"] == "Physiology must be 4 finite numbers (arousal, heart rate, skin conductance, " \
                                  "breathing)."
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "<h3>Physiological signals</h3>" in page and "<td>arousal</td>" in page
    assert "mean |Shapley| physiology" in page or "<th>physiology</th>" in page

    # the Dataset tab: its own verdict and Shapley columns, its "alone wrong" filter
    dash = ui.Dashboard(models={"physio": MultimodalSentimentModel(physio_preset[0], device="cpu")},
                        default="physio")
    tab = DatasetTab(dash, root=tmp_path)
    shown = tab.table("out")
    assert {"physiology alone", "Shapley physiology"} <= set(shown.columns) and list(shown.columns) == columns()
    assert list(shown["physiology alone"]) == ["positive", "negative", ""]
    assert list(tab.table("out", "physiology alone wrong")["id"]) == ["low"] and "physiology alone wrong" in filters()

    # a rerun skips every row, unless the modality's value changed ("bad" failed before: still exit status 1)
    assert main(args) == 1
    assert "3 rows: 0 explained, 0 failed, 3 already done" in capsys.readouterr().out
    rows[1]["physiology"] = [-2, 0, 0, 0]
    manifest.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    assert main(args) == 1
    assert "3 rows: 1 explained, 0 failed, 2 already done" in capsys.readouterr().out


def test_a_switch_turned_back_shows_the_explanations_own_summary(dash_and_demo):
    """Explain said "mostly because of …"; a switch turned off and on again re-predicted, and the summary on top
    fell back to the prediction-only sentence though everything on screen was again what the explanation was made
    for. Turned back, the page shows the explanation's own verdicts and summary."""
    dash, _demo = dash_and_demo
    settings = dict(target="positive", ig_steps=8, grid=2, image_method="occlusion", audio_method="occlusion")
    last = list(dash.explain_panels(text="fine", physiology="3,0,0,0", **settings))[-1]
    stamp, state, explained = last["stamp"], last["state"], last["notices"]
    predicted = dash.predict(text="fine", physiology="3,0,0,0")["notices"]
    assert explained != predicted  # (the explanation's summary has the contributions)
    off = dash.on_toggle(text="fine", physiology="3,0,0,0", use_physiology=False, stamp=stamp, state=state, **settings)
    assert "switched off: physiology" in off["notices"] and off["verdicts_for"]  # a new prediction, said so
    back = dash.on_toggle(text="fine", physiology="3,0,0,0", stamp=stamp, state=state, **settings)
    assert back["notices"] == explained and back["verdicts_for"] is None  # the verdicts are the explanation's
    assert value(back["fused"]) == pytest.approx(value(last.get("fused") or dash.predict(
        text="fine", physiology="3,0,0,0")["fused"]))
    other = dash.on_toggle(text="fine", physiology="3,0,0,0", stamp=stamp, state=state, **{**settings, "grid": 3})
    assert other["notices"] == predicted  # another setting: not what was explained, a prediction
    zh = dash.on_toggle(text="fine", physiology="3,0,0,0", stamp=stamp, state=state, lang="zh", **settings)
    assert zh["notices"] != explained and zh["verdicts_for"] is None  # the same summary, said in Chinese


def test_the_registry_asked_first_by_two_threads_at_once_gives_both_every_kind(monkeypatch):
    """The registry loads its built-in kinds on first use. A second thread asking while the first was loading them
    got the kinds loaded so far (only 'text'): one request's page or answer would have lacked a modality. (Each
    kind's module takes 10 ms to import here, as a first import does: the others ask meanwhile.)"""
    import time
    from importlib import import_module

    from at_once import at_once

    from msa_demo import registry

    monkeypatch.setattr(registry, "import_module", lambda name: time.sleep(0.01) or import_module(name))

    done = getattr(registry, "_DONE", [])  # (every built-in kind in)
    kept = (dict(registry._KINDS), list(registry._LOADED), list(done))
    every = set(registry.names())

    def fresh() -> None:
        registry._KINDS.clear()
        registry._LOADED.clear()
        done.clear()

    try:
        seen, errors = at_once(lambda: set(registry.names()), rounds=3, before=fresh)
    finally:
        registry._KINDS.clear()
        registry._KINDS.update(kept[0])
        registry._LOADED[:], done[:] = kept[1], kept[2]
    assert not errors and len(seen) == 12 and all(s == every for s in seen), \
        [sorted(s) for s in seen if s != every][:3]
