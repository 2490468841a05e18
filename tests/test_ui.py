"""Dashboard logic without a browser: handlers on the real tiny-preset model, views on explanations."""

from __future__ import annotations

import html
import json
import logging
import time
import re
import sys
from pathlib import Path

import numpy as np
import pytest
from shown import value, visible
import torch

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import gradio as gr  # noqa: E402

from msa_demo import report, ui, views  # noqa: E402
from msa_demo.explain import ExplainOptions  # noqa: E402

# markup taken out of text as it is read (HTML's own tags) and markup that stays in it as text (svg), shown escaped
XSS = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script><svg/onload="window.__pwned=3">'


# ---------------------------------------------------------------- hand-made explanation parts (known values)


def explain_parts(inputs) -> list[dict]:
    """Maps with known scores (alternating signs, an injected label) for testing the views."""
    faith = {"aopc": 0.2, "aopc_random": 0.05, "deletion_curve": [0.5, 0.3], "random_curve": [0.5, 0.45],
             "sanity_spearman": 0.1}
    parts = []
    if inputs.text:
        words = [(m.group(), m.start(), m.end()) for m in re.finditer(r"\S+", inputs.text.text)]
        parts.append({"modality": "text", "method": "integrated_gradients", "params": {"baseline": "pad", "steps": 8},
                      "labels": [w for w, _, _ in words], "scores": [(-1) ** i * (i + 1) for i in range(len(words))],
                      "spans": [[s, e] for _, s, e in words], "heatmap": None, "delta": 0.001,
                      "faithfulness": faith, "cost": {"forward_passes": 9, "seconds": 0.1}})
    if inputs.image:
        w, h = inputs.image.image.size
        parts.append({"modality": "image", "method": "occlusion", "params": {"baseline": "blur", "grid": 2},
                      "labels": ["top-left", "top-right", "bottom-left", "bottom-right"], "scores": [1, -1, 0.5, 0],
                      "spans": [[0, 0, w // 2, h // 2], [w // 2, 0, w, h // 2], [0, h // 2, w // 2, h],
                                [w // 2, h // 2, w, h]],
                      "heatmap": [[1.0, -1.0], [0.5, 0.0]], "delta": None, "faithfulness": faith,
                      "cost": {"forward_passes": 5, "seconds": 0.1}})
    if inputs.audio:
        secs = inputs.audio.seconds
        parts.append({"modality": "audio", "method": "occlusion", "params": {"baseline": "silence"},
                      "labels": [XSS, "0.5–1.0 s"], "scores": [0.3, -0.2],
                      "spans": [[0, secs / 2], [secs / 2, secs]], "heatmap": None, "delta": None,
                      "faithfulness": faith, "cost": {"forward_passes": 3, "seconds": 0.1}})
    parts.append({"forward_passes": 17, "seconds": 0.3})
    return parts


# ---------------------------------------------------------------- fixtures


@pytest.fixture
def audio_path(tmp_path, tone):
    import soundfile as sf

    p = tmp_path / "voice.wav"
    sf.write(p, tone, 16000)
    return str(p)


def run_explain(dash, *args, **kwargs):
    return list(dash.explain_panels(*args, **kwargs))


def is_skip(value) -> bool:
    return value == gr.skip()


def on_screen(steps: list[dict]) -> dict:
    """What the browser shows after the streamed updates, by name: a gr.skip() (or a part not sent) leaves the
    previous value in place."""
    shown = dict(steps[0])
    for step in steps[1:]:
        shown.update({n: v for n, v in step.items() if not is_skip(v)})
    return shown


# ---------------------------------------------------------------- handlers


def test_header_names_preset_and_device(dash):
    md = dash.header_markdown()
    assert "tiny" in md and "CPU" in md


def test_predict_returns_fused_and_each_modality(dash, image_path, audio_path):
    out = dash.predict(None, "I love it", image_path, audio_path)
    assert list(out) == ["fused", "own.text", "own.image", "own.audio", "own.video", "notices", "verdicts_for"]
    fused, t, i, a, notes = (out[n] for n in ("fused", "own.text", "own.image", "own.audio", "notices"))
    assert out["own.video"] is None  # the API's values are plain; the page places its boxes (below)
    assert set(fused) == {"negative", "neutral", "positive"}
    assert abs(sum(fused.values()) - 1) < 1e-4
    assert t and i and a
    assert "text alone" in notes


def test_toggle_changes_use_and_prediction(dash, image_path, audio_path):
    model = dash.model(None)
    all_on = dash.on_toggle(None, "I love it", image_path, audio_path, True, True, True)
    runs = model.encoder_runs
    text_off = dash.on_toggle(None, "I love it", image_path, audio_path, False, True, True)
    assert model.encoder_runs == runs  # cached encoder outputs, no re-encoding
    assert value(text_off["own.text"]) is None and value(text_off["own.image"]) is not None
    assert visible(text_off["own.text"]) is False and visible(text_off["own.image"]) is True
    assert "switched off: text" in text_off["notices"]
    assert text_off["fused"] != all_on["fused"]


def test_a_verdict_box_is_headed_in_the_same_update_as_its_bars(dash, image_path, audio_path, tmp_path):
    """For 1-2 s after a modality switch the fused box showed "too close to call" over 64 % / 34 %: its bars came
    with the switch's update, its heading from a change listener that ran after it (queued behind other work, a
    state behind). Each verdict box is now headed by the value it is given, in that same update, on every handler
    the page wires (page.keyed), and no change listener heads it any more."""
    import app
    from msa_demo.prediction import too_close
    from msa_demo.ui.fields import Page
    from msa_demo.views.story import label_value

    with gr.Blocks():
        page = Page({n: gr.Label() for n in ui.widgets.verdict_titles()} | {"notices": gr.Markdown(),
                                                                            "verdicts_for": gr.State()})

    def headings(out):
        return {n: out[page.parts[n]] for n in ui.widgets.verdict_titles() if page.parts[n] in out}

    tie, clear = {"positive": 0.49, "negative": 0.47, "neutral": 0.04}, {"positive": 0.64, "negative": 0.34,
                                                                         "neutral": 0.02}
    for probs, close in ((tie, True), (clear, False), (tie, True)):  # a switch to and fro: each its own heading
        out = headings(page.keyed(lambda: {"fused": ui.widgets.shown(label_value(probs), True),
                                           "own.text": label_value(probs), "compare.fused_a": label_value(probs)})())
        for name, update in out.items():
            title = ui.widgets.verdict_titles()[name]
            assert update["value"] == label_value(probs) and update["show_heading"] is not close, (name, update)
            assert ("too close to call" in str(update["label"])) is close and title in str(update["label"])
    # the real switch's handler: each box headed by its own bars
    for on in ((True, True, True), (False, True, True), (True, False, False)):
        out = headings(page.keyed(dash.on_toggle)(None, "I love it", image_path, audio_path, *on))
        assert "fused" in out, out
        for name, update in out.items():
            if isinstance(update.get("value"), dict):
                assert update["show_heading"] is not too_close(update["value"]), (name, update)
    skipped = page.keyed(lambda: {"fused": gr.skip(), "notices": "x"})()[page.parts["fused"]]
    assert "label" not in skipped  # a box whose value is left as it is keeps its heading
    # a client (gradio_client, MCP) reads the values alone: its Label's "label" is the class, not the heading
    client = page.keyed(lambda request: {"fused": label_value(clear)})(gr.Request(headers={"x-gradio-user": "api"}))
    assert client[page.parts["fused"]] == label_value(clear)
    demo = app.build_demo(dash, tmp_path / "none.json")
    boxes = {c["id"] for c in demo.config["components"]
             if c.get("props", {}).get("elem_id") in ("fused", "compare-a", "compare-b")
             or str(c.get("props", {}).get("elem_id", "")).startswith("own-")}
    assert len(boxes) >= 6 and not [d for d in demo.config["dependencies"]
                                    if any(t[0] in boxes and t[1] == "change" for t in d["targets"])]


def test_toggle_decodes_the_inputs_once(dash, image_path, audio_path, monkeypatch):
    model = dash.model(None)
    reads = []
    read = model.read_inputs
    monkeypatch.setattr(model, "read_inputs", lambda *a, **k: reads.append(a) or read(*a, **k))
    views_ = dash.on_toggle(None, "I love it", image_path, audio_path, True, False, True)
    assert len(reads) == 1 and value(views_["own.image"]) is None and value(views_["own.text"]) is not None


def test_unticking_the_only_input_says_so_without_an_error(dash):
    views_ = dash.on_toggle(None, "I love it", None, None, False, True, True)
    verdicts = [v for n, v in views_.items() if n != "notices"]
    assert value(views_["fused"]) is None and not any(map(visible, verdicts))  # the old verdict is gone, no pill
    assert ui.ALL_OFF in views_["notices"]


def test_toggle_without_input_is_quiet(dash):
    quiet = dash.on_toggle(None, "", None, None, True, True, True)
    assert {n: value(v) for n, v in quiet.items()} == views.empty_prediction_views()
    assert not any(visible(v) for n, v in quiet.items() if n.startswith("own."))


@pytest.mark.parametrize("args, message", [
    (("", None, None), "at least one input"),
    (("   ", None, None), "The text holds only spaces, so there are no words to read"),
    (("\x00\x00\x00", None, None), "The text holds only control characters, so there are no words to read"),
])
def test_missing_input_is_a_clear_error(dash, args, message):
    with pytest.raises(gr.Error, match=message):
        dash.predict(None, *args)


def test_a_text_of_spaces_beside_a_clip_is_said_not_read(dash, audio_path):
    """Spaces (or new lines) typed in the Text box beside a clip were dropped without a word: the verdict read as
    the clip's alone, and nothing said the text was not read. One notice line now says it, on the page (the
    prediction's and the explanation's notes, after the clip alone was shown too) and in the JSON."""
    line = "Text: the text given holds only spaces, so it was not read."
    alone = dash.predict(None, "", None, audio_path)
    assert line not in alone["notices"]
    for typed in ("   ", " \n\t\n "):
        shown = dash.predict(None, typed, None, audio_path)
        assert f"*Note:* {line}" in shown["notices"] and value(shown["fused"]) == value(alone["fused"])
    assert "文字：给出的文字里只有空格，因此没有被读取。" in dash.predict(None, "  ", None, audio_path, lang="zh")["notices"]
    on_screen(run_explain(dash, None, "", None, audio_path, ig_steps=8))  # the clip alone explained first
    shown = on_screen(run_explain(dash, None, "  \n", None, audio_path, ig_steps=8))
    assert line in shown["notices"] and line in shown["state"]["prediction"]["notices"]


def test_everything_switched_off_is_a_clear_error(dash):
    with pytest.raises(gr.Error, match="switched off"):
        dash.predict(None, "nice", None, None, False, True, True)


def test_broken_image_and_audio_are_clear_errors(dash, tmp_path):
    bad = tmp_path / "not_a_picture.png"
    bad.write_bytes(b"this is not a png")
    with pytest.raises(gr.Error, match="could not be read as a picture"):
        dash.predict(None, "", str(bad), None)
    bad_audio = tmp_path / "noise.wav"
    bad_audio.write_bytes(b"RIFF....garbage")
    with pytest.raises(gr.Error) as info:
        dash.predict(None, "", None, str(bad_audio))
    assert "Traceback" not in str(info.value) and str(info.value)


def test_unknown_preset_is_a_clear_error(dash):
    with pytest.raises(gr.Error, match="not loaded"):
        dash.predict("nope", "hi", None, None)


def test_bad_advanced_settings_are_clear_errors(dash):
    with pytest.raises(gr.Error, match="IG steps"):
        run_explain(dash, None, "hi", None, None, ig_steps=1)
    with pytest.raises(gr.Error, match="segment length"):
        run_explain(dash, None, "hi", None, None, segment_seconds=0)
    with pytest.raises(gr.Error, match="image regions must be one of grid, superpixels"):
        run_explain(dash, None, "hi", None, None, regions="hexagons")
    with pytest.raises(gr.Error, match="superpixels"):
        run_explain(dash, None, "hi", None, None, superpixels="many")


def test_superpixel_regions_reach_the_image_maps(dash, image_path):
    last = on_screen(run_explain(dash, None, "", image_path, None, regions="superpixels", superpixels=12,
                                 ig_steps=8))
    maps = last["state"]["maps"]
    assert maps and all(m["params"]["regions"] == "superpixels" and m["labels"][0].startswith("sp") for m in maps)
    legend = last["image.legend"]  # each map's full caption, numbered as the heat maps are, names the regions
    assert all(f"{i}. " in legend for i in range(1, len(maps) + 1)) and legend.count("superpixels") >= len(maps)


def test_failed_preset_is_listed_with_reason(tiny_preset_path, monkeypatch):
    d = ui.Dashboard.load(str(tiny_preset_path), also=["/no/such/preset.json"], fallback=None, warm=False)
    assert "/no/such/preset.json" in d.failures
    assert "did not load" in d.header_markdown()
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")  # the Hub preset, offline: why, in the page's language (it was English)
    hub = ui.Dashboard.load(str(tiny_preset_path), also=["hub"], fallback=None, warm=False)
    assert "the Hugging Face Hub cannot be reached" in hub.header_markdown()
    zh = hub.header_markdown("zh")
    assert "连不上 Hugging Face Hub" in zh and "cannot be reached" not in zh and "--preset lite" in zh
    fallback = ui.Dashboard.load("/no/such/preset.json", fallback=str(tiny_preset_path), warm=False)
    assert fallback.default == str(tiny_preset_path)
    assert any("could not be loaded" in n for n in fallback.notices)
    hub_gone = ui.Dashboard.load("hub", fallback=str(tiny_preset_path), warm=False)  # the fallback's why, in Chinese
    zh = hub_gone.header_markdown("zh")
    assert "无法加载预设“hub”" in zh and "连不上 Hugging Face Hub" in zh and "could not be loaded" not in zh
    none = ui.Dashboard.load("/no/such/preset.json", fallback=None, warm=False)
    with pytest.raises(gr.Error, match="No model could be loaded"):
        none.predict(None, "hi", None, None)


def test_explain_streams_prediction_first_then_views(dash, image_path, audio_path):
    steps = run_explain(dash, None, "I love it, truly", image_path, audio_path, ig_steps=8, grid=3,
                        image_method="occlusion")
    assert len(steps) >= 2
    first = steps[0]
    # every part by name: the verdicts, the summary, each modality's panel parts, the page's own
    assert set(first) == set(ui.EXPLAIN_OUTPUTS) | {"own.video", "video.timeline", "video.frames"}
    assert ui.output_order(first) == [*ui.EXPLAIN_OUTPUTS, "own.video", "video.timeline", "video.frames"]
    assert first["fused"] is not None and value(first["contrib"]) is None  # prediction first, no explanation yet
    assert visible(first["contrib"]) is None  # the API's values are plain: the page placed its panels (check)
    # later updates send only what changed: never the prediction again, each map's panel once it lands
    verdicts = ("fused", "own.text", "own.image", "own.audio", "notices")
    assert all(is_skip(s.get(n, gr.skip())) for s in steps[1:-1] for n in verdicts)
    sent = lambda name: sum(not is_skip(s.get(name, gr.skip())) for s in steps[1:-1])  # noqa: E731
    assert sent("text.words") == 1  # the words panel is sent once as it streams, when the text map lands
    assert sent("image.heat_maps") == 1  # the overlays once (one image method here)
    # and every panel once more, whole, at the end (an update lost in the browser left a panel blank)
    assert all(not is_skip(steps[-1][n]) for n in ("text.words", "image.heat_maps", "audio.plot", "contrib"))
    assert "trust" in steps[-1]["trust"]
    last = on_screen(steps)
    exp = last["state"]
    assert Path(last["report"]).is_file() and Path(last["json"]).is_file()
    assert json.loads(Path(last["json"]).read_text())["target"] == exp["target"]
    assert last["contrib"] is not None  # contributions figure
    assert last["text.words"]  # words
    assert last["image.picture"] is not None and last["image.heat_maps"]  # original + overlays
    # each heat map a PNG named for what it shows (the gallery's "Download All" gave hash-named .webp files)
    named = [Path(path).name for path, _caption in last["image.heat_maps"]]
    target = last["state"]["target"]
    assert named and all(re.fullmatch(rf"heat-map-{i}_[a-z-]+_toward-{target}\.png", n) for i, n in enumerate(named, 1))
    from PIL import Image

    assert all(Image.open(path).format == "PNG" for path, _caption in last["image.heat_maps"])
    assert last["audio.plot"] is not None and last["audio.clip"] is not None  # audio figure + clip
    assert "trust" in last["trust"] and last["notices"].startswith("### ")
    # the verdict boxes come again in the last step, with the summary beside them: sent in the first step only,
    # they had shown the previous post's verdict beside this one's summary (a run of posts, a busy machine)
    assert value(steps[-1]["fused"]) == value(first["fused"]) and value(steps[-1]["own.text"]) == value(first["own.text"])
    again = run_explain(dash, None, "I love it, truly", image_path, audio_path, ig_steps=8, grid=3,
                        image_method="occlusion")  # kept: the same explanation at once, boxes with it
    assert value(again[-1]["fused"]) == value(first["fused"]) and "notices" in again[-1]


def test_check_reads_the_request_once_for_the_explanation(dash, image_path, monkeypatch):
    """Explain's click: ``check`` decodes and validates the uploads; the explanation starts from what it read."""
    model = dash.model(None)
    reads = []
    read = model.read_inputs
    monkeypatch.setattr(model, "read_inputs", lambda *a, **k: reads.append(k) or read(*a, **k))
    placed = dash.check(None, "a fine cup", image_path, None, ig_steps=8, image_method="occlusion")
    assert visible(placed["image.picture"]) is True and visible(placed["audio.plot"]) is False
    assert placed["report"].interactive is False  # the downloads wait for the explanation
    steps = run_explain(dash, None, "a fine cup", image_path, None, ig_steps=8, image_method="occlusion")
    assert len(reads) == 1 and steps[-1]["state"]["maps"]
    run_explain(dash, None, "a fine cup", image_path, None, ig_steps=8, image_method="occlusion")
    assert len(reads) == 2  # without a check before it, an explanation reads its request itself


# ---------------------------------------------------------------- views on a schema-shaped explanation


@pytest.fixture
def exp(tiny_model, rgb_image, tone):
    from msa_demo.explain import inputs_record

    inputs = tiny_model.read_inputs("Great " + XSS + " day", rgb_image, (16000, tone))
    pred = tiny_model.predict(inputs=inputs)
    *maps, cost = explain_parts(inputs)
    return {"prediction": pred.to_dict(), "target": pred.label, "maps": maps, "models": {}, "preset": "tiny",
            "options": {}, "inputs": inputs_record(inputs), "cost": cost, "notices": [],
            "modalities": {"shapley": {m: 0.1 * (i + 1) * (-1) ** i for i, m in enumerate(inputs.present())},
                           "interactions": {"text×image": 0.01}, "value_all": 0.5, "value_none": 0.33,
                           "without": {m: {"negative": 0.3, "neutral": 0.3, "positive": 0.4}
                                       for m in inputs.present()},
                           "conflict": True, "conflict_detail": "text says positive, image says negative"}}


def test_contributions_figure_traces(exp):
    fig = views.contributions_figure(exp)
    names = [t.name for t in fig.data]
    assert names[0] == "Shapley value" and names[1].startswith("P(")
    assert list(fig.data[0].x) == ["text", "image", "audio"]
    assert "no text" in list(fig.data[1].x)
    assert "disagree" in fig.layout.title.text
    assert "zoom" in fig.layout.modebar.remove and "toImage" not in fig.layout.modebar.remove  # the download stays
    # the value written inside each bar reads on it (white on the green was 3.7:1, #444 on the grey 3.4:1)
    from msa_demo.views.base import contrast
    from msa_demo.views.figures import bar_text

    for bars in fig.data:
        for colour, text in zip(bars.marker.color, bars.insidetextfont.color):
            rgba = re.match(r"rgba\((\d+),(\d+),(\d+),([\d.]+)\)", colour)
            shown = "#" + "".join(f"{round(int(c) * float(rgba[4]) + 255 * (1 - float(rgba[4]))):02x}"
                                  for c in rgba.groups()[:3]) if rgba else colour
            assert contrast(text, shown) >= 4.5, (colour, text)
    assert bar_text(["#999999"])["insidetextfont"]["color"] == ["#222222"]


def test_a_chinese_pairwise_line_fits_a_phone(exp):
    """'两两交互：文字×图片 -0.290、文字×音频 -0.354、图片…' ran off a 390-px phone: Chinese lines are half as long."""
    three = {**exp, "modalities": {**exp["modalities"], "interactions": {
        "text×image": -0.29, "text×audio": -0.354, "image×audio": 0.12}}}
    line = next(a.text for a in views.contributions_figure(three, lang="zh").layout.annotations if "重叠" in a.text)
    assert len(line.split("<br>")) > 1 and max(len(part) for part in line.split("<br>")) <= 30


# d3-format's specifier: [[fill]align][sign][symbol][0][width][,][.precision][~][type]
D3_FORMAT = re.compile(r"^(?:(.)?([<>=^]))?([+\-( ])?([$#])?(0)?(\d+)?(,)?(\.\d+)?(~)?([a-z%])?$")


def browser_plotly_format(f: str) -> str:
    """What the plotly.js bundled with Gradio's front end hands d3 for a number format (``Lib.adjustFormat``, as
    in gradio/templates): a format not starting with ~ , . 0 or $ that holds f, p or s gets a "~" in front."""
    if not f or re.match(r"^\d[.]\df", f) or re.search(r"[.]\d%", f):
        return f
    if f == "0.f":
        return "~f"
    if re.match(r"^\d%", f):
        return "~%"
    if re.match(r"^\ds", f):
        return "~s"
    return "~" + f if not re.match(r"^[~,.0$]", f) and re.search(r"[&fps]", f) else f


def test_every_number_format_of_the_figures_reads_in_the_browser(exp):
    """The browser console said 'encountered bad format: "+.2f"': Gradio's plotly makes it "~+.2f"."""
    formats: list[str] = []

    def walk(value, key=""):
        if isinstance(value, dict):
            for k, v in value.items():
                walk(v, k)
        elif isinstance(value, (list, tuple)):
            for v in value:
                walk(v, key)
        elif isinstance(value, str):
            if key.endswith("format"):  # tickformat, hoverformat, valueformat
                formats.append(value)
            formats.extend(re.findall(r"%\{[^}:]+:([^}]+)\}", value))  # texttemplate, hovertemplate

    for fig in (views.contributions_figure(exp), views.audio_figure(exp)):
        walk(fig.to_plotly_json())
    assert formats  # the Shapley axis has one
    assert [f for f in formats if not D3_FORMAT.match(browser_plotly_format(f))] == []


def test_the_audio_chart_says_each_words_push_strongest_first(exp):
    """A screen reader read the audio chart off its bars' x and text: "segment attribution: 0.1 Listen, 0.39 awful,,
    … 2.08 worst, 2.33 thing, 2.65 ever": each word's time in the clip, said as if it were its push ('ever' last,
    loudest), and a word whose label did not fit beside its neighbours' as nothing ("2.6 ,"). The chart says each
    word's signed push, the strongest first, every word named; the page's script reads that."""
    import app
    from msa_demo.kinds import audio

    words = ["Listen", "awful,", "the", "worst", "day", "ever"]
    scores = [0.2, 1.667, -0.9, 3.61, -1.2, 0.05]
    spans = [[0.0, 0.2], [0.2, 0.6], [0.6, 0.66], [0.66, 0.9], [0.9, 0.92], [0.92, 0.94]]  # "ever" has no room
    m = {"modality": "audio", "method": "word_ablation", "params": {"baseline": "pad token"}, "labels": words,
         "scores": scores, "spans": spans, "heatmap": None}
    e = dict(exp, maps=[x for x in exp["maps"] if x["modality"] != "audio"] + [m], target="negative")
    plot = audio.render(e)["plot"]
    assert "" in plot.data[1].text  # a word whose label does not fit on the chart ...
    said = plot.layout.meta["spoken"]
    assert said == ("Each segment's push on P(negative), strongest first: worst +3.610, awful +1.667, day -1.200, "
                    "the -0.900, Listen +0.200, ever +0.050")  # ... is said with the others, by its push
    assert "0.1" not in said  # no time
    zh = audio.render(e, "zh")["plot"].layout.meta["spoken"]
    assert zh.startswith("每个片段对 P(负面) 的推力，从最强的开始：worst +3.610，awful +1.667")
    assert "chart.layout.meta?.spoken" in app.DESCRIBED


def test_a_heat_map_s_text_alternative_says_where_it_pushed_most(exp):
    """A heat map's alt text said only what its colours mean ("green where it pushed toward 'negative', red where
    away"), not where; in Chinese the page's lost even which colour was which ("热力图（背离“负面” 朝向“负面”…）").
    Page and report say each map's three strongest regions, where they lie and which way they pushed, in both
    languages, the colours kept."""
    import app
    from msa_demo.kinds import image

    w, h = 90, 90
    scores = [0.1, 0.0, -0.2, 0.0, 0.05, 0.0, 0.9, -0.6, 0.0]  # r3c1 +0.9, r3c2 -0.6, r1c3 -0.2 strongest
    m = {"modality": "image", "method": "occlusion", "params": {"baseline": "blur", "grid": 3},
         "labels": [f"r{r}c{c}" for r in (1, 2, 3) for c in (1, 2, 3)], "scores": scores,
         "spans": [[c * 30, r * 30, c * 30 + 30, r * 30 + 30] for r in range(3) for c in range(3)],
         "heatmap": [[0.1, 0.0, -0.2], [0.0, 0.05, 0.0], [0.9, -0.6, 0.0]]}
    e = dict(exp, maps=[x for x in exp["maps"] if x["modality"] != "image"] + [m], target="negative")
    strongest = ("the strongest regions: row 3, column 1 (at the bottom left), toward; row 3, column 2 (at the "
                 "bottom), away; row 1, column 3 (at the top right), away")
    alt, = image.heat_alts(e)
    assert alt.startswith("1. occlusion · baseline: blur · grid: 3: heat map over the picture, blue where it pushed "
                          "toward 'negative'") and alt.endswith("; " + strongest)
    zh, = image.heat_alts(e, "zh")
    assert "蓝色处推向“负面”，橙色处推离" in zh  # which colour is which, in Chinese too
    assert zh.endswith("；最强的区域：第 3 行第 1 列（左下方），推向；第 3 行第 2 列（下方），推离；第 3 行第 3 列".replace(
        "第 3 行第 3 列", "第 1 行第 3 列（右上方），推离"))
    legend = image.render(e)["legend"]  # the page's: unseen under the legend, for the script to give the picture
    assert f'<span class="heat-alt" style="display:none">{html.escape(alt)}</span>' in legend
    assert "#heatmap-legend .heat-alt" in app.DESCRIBED and "蓝色处推向" in app.DESCRIBED
    assert f'alt="{html.escape(alt)}"' in image.report(e)  # the report's, the same


def test_the_words_come_with_the_legend_of_their_language(exp):
    """Switching the page from Chinese back to English left the Chinese colours on the words panel: English
    categories had none of the legend's colours (six chips, pale words). Each language's words bring its colours."""
    from msa_demo.kinds import text

    for lang in ("zh", "en", "zh"):
        words = text.render(exp, lang)["words"]
        assert words["color_map"] == {views.category_named(k, exp["target"], lang): c
                                      for k, c in views.WORD_LEGEND.items()}
        assert {c for _w, c in words["value"] if c} <= set(words["color_map"])
    english = text.render(exp, "en")["words"]["color_map"]
    assert words["color_map"] != english and list(english.values()) == list(views.WORD_LEGEND.values())


def test_audio_figure_traces_and_escaped_labels(exp):
    fig = views.audio_figure(exp)
    assert [t.name for t in fig.data] == ["waveform", "segment attribution"]
    assert list(fig.layout.modebar.remove) == ["select", "lasso"]  # a time line keeps zoom and pan
    assert len(fig.data[1].x) == 2
    assert "<img" not in json.dumps(list(fig.data[1].text))
    assert len(fig.layout.shapes) == 2
    # the words keep the size fitting_labels places them at: plotly had shrunk each to its bar's width, so that a
    # 30 s clip's words were 3-px specks under the bars
    assert fig.data[1].textfont.size == 11 and fig.data[1].constraintext == "none"


def test_text_highlights_cover_the_text_with_diverging_categories(exp):
    spans = views.text_highlights(exp)
    assert "".join(t for t, _ in spans) == exp["inputs"]["text"]
    cats = {c for _, c in spans if c}
    assert cats <= set(views.WORD_LEGEND)
    assert any(c.startswith("▲") for c in cats) and any(c.startswith("▼") for c in cats)


def test_image_overlay_is_original_size_and_coloured(exp):
    orig = views.original_image(exp)
    (ov, caption), = views.image_overlays(exp)
    assert ov.size == orig.size
    assert caption == "1. occlusion"  # numbered to the legend, which says it in full
    # (the method said in plain words after its name: tests/test_trust_words.py)
    assert "1. occlusion (how much the score changes when each part is covered up) · baseline: blur" in \
        views.heatmap_legend(exp)
    a = np.asarray(ov).astype(int)
    assert a[0, 0, 2] > a[0, 0, 0]  # top-left attributed positively: blue
    assert a[0, -1, 0] > a[0, -1, 2]  # top-right negatively: orange


def face_in_a_photo() -> dict:
    """A plain explanation of a 1000 × 750 photo in which the face model read a small face (100 × 90 px at 450, 300):
    one integrated-gradients map, its pixels' push inside the face (a smile at its bottom toward, one eye away), the
    heat map over the whole picture at 256 px as ``explain.regions`` draws it."""
    import base64
    import io

    from PIL import Image

    photo = Image.new("RGB", (1000, 750), (120, 140, 160))
    photo.paste((230, 190, 160), (450, 300, 550, 390))  # the face
    buf = io.BytesIO()
    photo.save(buf, format="PNG")
    heat = np.zeros((192, 256))
    face = heat[77:100, 115:141]  # (300..390, 450..550) at 256/1000
    face[14:20, 5:21] = 0.004  # the smile
    face[5:8, 6:10] = -0.002  # an eye
    box = [450, 300, 550, 390]
    return {"target": "positive", "prediction": {"label": "positive", "used": ["image"]},
            "inputs": {"image_png_b64": base64.b64encode(buf.getvalue()).decode("ascii")},
            "maps": [{"modality": "image", "method": "integrated_gradients", "scores": [0.02, -0.01, 0.0, 0.0],
                      "labels": ["r1c1", "r1c2", "r2c1", "r2c2"],
                      "spans": [[450, 300, 500, 345], [500, 300, 550, 345], [450, 345, 500, 390], [500, 345, 550, 390]],
                      "params": {"baseline": "blur", "grid": 2, "box": box, "grid_over": "face"},
                      "heatmap": heat.tolist()}]}


def test_heat_maps_of_a_face_found_in_a_photo_are_drawn_over_the_face_large():
    """A 2400×1800 photo with a small smiling face: its maps were drawn over the whole frame, the face a fifth of it,
    and the integrated-gradients map (scaled to the frame's 99th percentile: zero) showed nothing. Each map is
    drawn over the face and its margin, large and coloured, with a line saying where the face lies in the whole
    picture, which is shown with the face's box: on the page (and a shared link's page: the same render) and in the
    report."""
    from msa_demo.kinds import image

    exp = face_in_a_photo()
    (drawn, caption), = views.image_overlays(exp)
    assert caption == "1. integrated gradients"
    assert abs(drawn.size[0] / drawn.size[1] - 160 / 144) < 0.02  # the face (100 × 90) and a 30 % margin round it
    assert drawn.size[0] * 100 / 160 >= 200  # large: the face drawn 200 px wide at least, not 100 px of a 1000-px frame
    a = np.asarray(drawn, dtype=int)
    blue = (a[..., 2] - a[..., 0] > 40).mean()
    orange = (a[..., 0] - a[..., 2] > 40).mean()
    assert blue > 0.05 and orange > 0.003  # the smile and the eye are seen, each its own colour
    line = "the face that was found, at (450, 300, 550, 390) of the whole 1000 × 750 picture"
    assert line in views.heatmap_legend(exp)
    assert "(450, 300, 550, 390)" in views.heatmap_legend(exp, "zh") and "人脸" in views.heatmap_legend(exp, "zh")
    shown = image.render(exp)
    whole = np.asarray(shown["picture"], dtype=int)
    assert whole.shape[:2] == (750, 1000)  # the whole picture stays shown ...
    assert tuple(whole[300, 500]) == views.figures.FACE_BOX_RGB[:3] or tuple(whole[299, 500]) == \
        views.figures.FACE_BOX_RGB  # ... with the face's box on it
    assert line in shown["legend"] and len(shown["heat_maps"]) == 1
    html_part = image.report(exp)
    assert line in html.unescape(html_part) and "the face read in its box" in html_part
    # a picture read whole (no face found, or a model of the whole picture) is drawn whole, with no such line
    exp["maps"][0]["params"].update(box=[0, 0, 1000, 750], grid_over="picture")
    (drawn, _), = views.image_overlays(exp)
    assert drawn.size == (1000, 750) and "face that was found" not in views.heatmap_legend(exp)
    assert views.picture_with_face(exp).tobytes() == views.original_image(exp).tobytes()


def test_the_face_s_box_is_said_on_the_page_and_in_the_report_as_the_json_holds_it():
    """The JSON's face box (``reading.image.face_read.box``, a map's ``params.box``, its regions' ``spans``) is left,
    top, right, bottom ([80, 26, 144, 90] for examples/frown_face.png), where the page and the report said
    "at (80, 26, 64, 64) ... (left, top, width, height)". Every one says it as the JSON holds it, and says so."""
    from msa_demo.kinds import image

    exp = face_in_a_photo()
    left, top, right, bottom = exp["maps"][0]["params"]["box"]
    spans = exp["maps"][0]["spans"]
    assert [min(s[0] for s in spans), min(s[1] for s in spans), max(s[2] for s in spans),
            max(s[3] for s in spans)] == [left, top, right, bottom]  # the regions tile the box, same convention
    said = f"({left}, {top}, {right}, {bottom})"
    for lang, named in (("en", "(left, top, right, bottom in pixels, as the JSON's face box)"),
                        ("zh", "（左、上、右、下，单位为像素，与 JSON 中人脸框的写法相同）")):
        line = views.face_line(exp, lang)
        assert said in line and named in line, line
        assert said in views.heatmap_legend(exp, lang) and said in html.unescape(image.report(exp, lang))
        assert "width" not in line and "宽" not in line


def test_trust_markdown_reports_faithfulness_and_cost(exp):
    md = views.trust_markdown(exp, final=True)
    assert "AOPC" in md and "0.200" in md and "0.050" in md and "sanity" in md.lower()
    assert "17 forward passes" in md


def test_report_is_self_contained_and_escapes_injected_text(exp, tmp_path):
    out = report.write_html(exp, tmp_path / "r.html")
    text = out.read_text(encoding="utf-8")
    assert XSS not in text
    assert "<img src=x" not in text and "<script>window.__pwned" not in text
    assert html.escape("<img src=x") in text  # a map's label
    assert "<svg/onload" not in text and html.escape('<svg/onload="window.__pwned=3">') in text  # the text read
    # charts are static HTML and SVG: no plotting library inside (the report stays light), nothing points off the page
    assert text.count("<svg") + text.count('<figure class="bars">') >= 3 and "Plotly" not in text
    assert "<script src" not in text
    assert not re.search(r"""(src|href)=["']https?://""", text)
    assert "data:image/png;base64," in text and "data:audio/wav;base64," in text
    m = re.search(r'<script type="application/json" id="explanation-json">(.*?)</script>', text, re.S)
    assert json.loads(m.group(1))["inputs"]["text"] == exp["inputs"]["text"]


def test_report_accepts_an_object_with_to_dict(exp):
    class Obj:
        def to_dict(self):
            return exp

    assert "<!DOCTYPE html>" in report.to_html(Obj())


def test_load_examples(tmp_path, rgb_image):
    rgb_image.save(tmp_path / "a.png")
    (tmp_path / "examples.json").write_text(json.dumps([
        {"name": "pos", "text": "yay", "image": "a.png", "audio": "missing.wav", "note": "n"}]))
    ex = views.load_examples(tmp_path / "examples.json")
    assert ex[0]["image"].endswith("a.png") and ex[0]["audio"] is None
    assert views.load_examples(tmp_path / "absent.json") == []


def test_zero_gpu_is_a_no_op_without_spaces():
    def f():
        return 1

    try:
        import spaces  # noqa: F401
    except ImportError:
        assert ui.zero_gpu(f, 30) is f
    assert 10 < ui.gpu_duration(ExplainOptions(ig_max_steps=64, sanity=True)) <= 300


def test_app_builds(dash, tmp_path):
    import app

    demo = app.build_demo(dash, tmp_path / "none.json")
    names = {d.get("api_name") for d in demo.config["dependencies"]}
    assert {"predict", "explain", "report"} <= names
    # every panel a stream fills is on the page from the start, unseen (Gradio builds a visible=False one only when
    # it is first shown, and an update landing meanwhile was lost: the audio map never drew)
    shown = {c["props"].get("elem_id"): c["props"].get("visible") for c in demo.config["components"]}
    panels = ["fused", "contrib", "own-text", "own-image", "own-audio", "words", "overlays", "audio-plot",
              "transcript", "clip", "video-plot", "video-frames"]
    assert {p: shown.get(p) for p in panels} == dict.fromkeys(panels, "hidden")


def test_a_hidden_part_stays_on_the_page():
    """A handler that hides a part hides it as visible="hidden" (on the page, unseen); other values pass as they
    are."""
    import gradio as gr

    with gr.Blocks():
        page = ui.Page({"plot": gr.Plot(visible=False), "note": gr.Markdown("x")})
    page.keep_mounted()
    assert page.parts["plot"].visible == "hidden" and page.parts["note"].visible is True

    def handler():
        yield {"plot": gr.update(visible=False, value=None), "note": "y"}
        yield {"plot": gr.update(visible=True)}

    hid, shown = list(page.keyed(handler)())
    assert hid[page.parts["plot"]]["visible"] == "hidden" and hid[page.parts["plot"]]["value"] is None
    assert hid[page.parts["note"]] == "y" and shown[page.parts["plot"]]["visible"] is True


@pytest.mark.parametrize("aopc, rand, mark", [(0.2, 0.05, "✓"), (0.05, 0.2, "✗"), (0.004, 0.002, "?")])
def test_trust_verdict_passes_fails_or_cannot_tell(aopc, rand, mark):
    exp = {"maps": [{"modality": "text", "method": "occlusion",
                     "faithfulness": {"aopc": aopc, "aopc_random": rand}}]}
    (got, sentence), = views.trust_verdicts(exp)
    assert got == mark and "text occlusion" in sentence
    assert sentence in report.to_html(exp)  # the shared report carries the same verdicts


@pytest.mark.parametrize("rho, mark", [(0.1, "✓"), (-0.6, "✓"), (0.9, "✗")])
def test_sanity_verdict_fails_only_when_the_ranking_survives_randomisation(rho, mark):
    exp = {"maps": [{"modality": "image", "method": "occlusion", "faithfulness": {"sanity_spearman": rho}}]}
    (got, sentence), = views.trust_verdicts(exp)
    assert got == mark and f"{rho:.2f}" in sentence


# ---------------------------------------------------------------- Advanced controls, generated from option_specs


def test_advanced_widgets_carry_the_validators_ranges_and_defaults(monkeypatch):
    from msa_demo.explain.options import option_specs

    with gr.Blocks():
        widgets = ui.advanced_widgets()
    assert list(widgets) == [c.name for c in ui.CONTROLS]
    specs = {s.name: s for s in option_specs()}
    shown = {c.option for c in ui.CONTROLS if c.option}
    assert {"ig_max_steps", "grid", "superpixels", "segment_seconds", "seed", "regions", "image_methods"} <= shown
    for control in ui.CONTROLS:
        w, spec = widgets[control.name], specs.get(control.option)
        if spec is None:
            continue
        assert w.value == control.initial and f'"{control.label or spec.title}"' in str(w.label)
        if isinstance(w, (gr.Slider, gr.Number)):
            assert (w.minimum, w.maximum) == spec.bounds, control.name  # never narrower or wider than validation
        if isinstance(w, (gr.Number, gr.Slider)) and spec.bounds and spec.bounds[0] is not None:
            # out of range: handed on (Gradio's own check said "Value 0 is less than minimum value 1." to an API
            # caller and logged its traceback), and the validator says it, naming the setting
            low = spec.bounds[0] - 1
            assert w.preprocess(low) == low
            with pytest.raises((gr.Error, ValueError), match=re.compile(re.escape(control.label or spec.title), re.I)):
                ui.read_settings(**{control.name: low})
        if isinstance(w, (gr.Radio, gr.CheckboxGroup)):  # a choice not offered: said by the validator too
            assert w.preprocess(["nonsense"] if isinstance(w, gr.CheckboxGroup) else "nonsense") is not None
            with pytest.raises((gr.Error, ValueError)):
                ui.read_settings(**{control.name: ["nonsense"] if isinstance(w, gr.CheckboxGroup) else "nonsense"})
        if isinstance(w, gr.Radio):
            offered = [c[1] if isinstance(c, tuple) else c for c in w.choices]
            assert offered == list(control.choices or spec.choices)
            for choice in offered:  # every choice on screen is one the validator accepts
                assert ui.read_settings(**{control.name: choice}).options
    assert isinstance(widgets["seed"], gr.Number) and isinstance(widgets["grid"], gr.Slider)
    assert widgets["target"].preprocess("happy") == "happy"  # the dashboard's own dropdown likewise
    with pytest.raises((gr.Error, ValueError), match="target class must be one of"):
        ui.read_settings(target="happy")
    # the help says a choice as its button does, and another setting's value in words, in both languages
    from msa_demo.ui.i18n import ZH

    help_of = {n: json.loads(str(w.info).removeprefix("__i18n__"))["key"] for n, w in widgets.items() if w.info}
    assert "integrated gradients: Layer IG" in help_of["text_method"] and "_" not in help_of["text_method"]
    assert "(regions: grid)" in help_of["grid"] and "regions: grid" in ZH[help_of["grid"]]
    defaults = ui.read_settings(**{c.name: c.initial for c in ui.CONTROLS})
    # the widgets start at the validator's defaults, but for the time budget: the hardware's (CPU 5 s, GPU none)
    from msa_demo.errors import InputError
    from msa_demo.ui.options import dashboard_budget

    budget = next(c for c in ui.CONTROLS if c.name == "budget")
    assert budget.initial == dashboard_budget()  # MSA_BUDGET as the tests run (conftest: 0, deterministic maps)
    monkeypatch.delenv("MSA_BUDGET", raising=False)
    assert dashboard_budget() == (0.0 if torch.cuda.is_available() else 5.0)
    monkeypatch.setenv("MSA_BUDGET", "2.5")
    assert dashboard_budget() == 2.5
    monkeypatch.setenv("MSA_BUDGET", "soon")
    with pytest.raises(InputError, match="MSA_BUDGET must be a number of seconds"):
        dashboard_budget()
    monkeypatch.setenv("MSA_BUDGET", "0")  # as the tests run: the widgets below read it when they are built
    # explanations made at once: two on a CPU, one on a GPU, or MSA_EXPLAIN_LANES
    monkeypatch.delenv("MSA_EXPLAIN_LANES", raising=False)
    assert ui.explain_lanes() == (1 if torch.cuda.is_available() else 2)
    monkeypatch.setenv("MSA_EXPLAIN_LANES", "3")
    assert ui.explain_lanes() == 3
    for bad in ("0", "two", "-1"):
        monkeypatch.setenv("MSA_EXPLAIN_LANES", bad)
        with pytest.raises(InputError, match="MSA_EXPLAIN_LANES must be a whole number"):
            ui.explain_lanes()
    # and for the what-if and how it sounds: on in the dashboard (and its JSON endpoint), off unless asked on the
    # command line
    for name in ("what_if", "tone"):
        assert next(c for c in ui.CONTROLS if c.name == name).initial is True and not getattr(ExplainOptions(), name)
    assert defaults == ui.Settings(options=ExplainOptions(budget=budget.initial, what_if=True, tone=True))


def test_settings_are_read_by_name():
    from msa_demo.errors import InputError

    s = ui.read_settings(ig_steps=8.0, image_method="occlusion", audio_method="both", target="negative",
                         seed="3", face_anyway=True)
    assert (s.options.ig_max_steps, s.options.seed, s.target, s.face_anyway) == (8, 3, "negative", True)
    assert s.options.image_methods == ("occlusion",)
    assert s.options.audio_methods == ("occlusion", "integrated_gradients")
    assert ui.read_settings(target=ui.TARGET_PREDICTED).target is None
    with pytest.raises(InputError, match="Unknown explanation setting"):
        ui.read_settings(ig_max_step=8)
    with pytest.raises(InputError, match="the image grid must be 2 to 64"):
        ui.read_settings(grid=65)
    with pytest.raises(InputError) as said:  # the option's own line, once (it was put after a second preamble)
        ui.read_settings(regions="hexagons")
    assert str(said.value).startswith("Explanation option: image regions must be one of")
    with pytest.raises(InputError, match="Unknown image method 'all'"):
        ui.read_settings(image_method="all")
    with pytest.raises(InputError, match="target class"):
        ui.read_settings(target="happy")
    assert ui.gpu_duration(ExplainOptions(ig_max_steps=256)) > ui.gpu_duration(ExplainOptions(ig_max_steps=8))
    asked = ui.requested_options(ig_steps=256, sanity=True, progress=object())  # what ZeroGPU sizes from
    assert (asked.ig_max_steps, asked.sanity) == (256, True)
    assert ui.requested_options(ig_steps="lots") == ExplainOptions()  # refused later, in words, by the check


def test_every_part_of_the_page_has_an_id_of_its_own(dash, tmp_path):
    """The Advanced "what-if" switch and the what-if panel had the same id: the page's script and a test reading
    '#what-if' found the switch or the panel by the order they came in."""
    from collections import Counter

    import app

    demo = app.build_demo(dash, tmp_path / "none.json")
    ids = Counter(b.elem_id for b in demo.blocks.values() if getattr(b, "elem_id", None))
    assert not {i: n for i, n in ids.items() if n > 1}


def test_every_event_in_the_explanation_lanes_asks_for_the_same_number_of_lanes(dash, tmp_path):
    import app

    demo = app.build_demo(dash, tmp_path / "none.json")
    fns = demo.fns.values() if isinstance(demo.fns, dict) else demo.fns
    lanes = {fn.api_name: fn.concurrency_limit for fn in fns if fn.concurrency_id == "explain"}
    # Explain, Compare, and the JSON endpoint (the MCP tool): it had run one at a time, apart, so that three short
    # texts from code waited 16 s behind a long one while the page's lanes were free
    assert {"explain", "compare", "explain_json"} <= set(lanes), lanes
    # Gradio's queue keeps the least limit asked for one concurrency id: one event left at the default would
    # bring every explanation back to one at a time as soon as it is first used
    assert set(lanes.values()) == {ui.explain_lanes()}, lanes


def test_explain_endpoint_takes_inputs_then_the_advanced_settings_by_name(dash, tmp_path):
    import app

    demo = app.build_demo(dash, tmp_path / "none.json")
    params = demo.get_api_info()["named_endpoints"]["/explain"]["parameters"]
    names = [p["parameter_name"] for p in params]
    assert names == ["preset", "text", "image", "audio", "use_text", "use_image", "use_audio",
                     *(c.name for c in ui.CONTROLS), "video", "use_video"]
    grid = next(p for p in params if p["parameter_name"] == "grid")
    assert grid["parameter_default"] == 7


def test_explanations_waiting_in_the_queue_share_the_time_budget(dash):
    from msa_demo.explain.options import ExplainOptions
    from msa_demo.ui import dashboard

    asked = ExplainOptions(budget=5.0)
    assert dash.shared_budget(asked) == (asked, None)  # nobody waiting: the budget asked for
    dash.waiting = lambda: [0.0] * 4  # a crowd that has just arrived: the last of it waits for all five
    options, note = dash.shared_budget(asked)
    assert options.budget == dashboard.QUEUE_WAIT / 5 and "4 more explanations were waiting" in note
    # the same four, but the first has waited 12 s already: it is done within QUEUE_WAIT only with a 1.5 s share
    dash.waiting = lambda: [12.0, 0.0, 0.0, 0.0]
    assert dash.shared_budget(asked)[0].budget == round(max(dashboard.MIN_SHARE, (dashboard.QUEUE_WAIT - 12) / 2), 1)
    dash.waiting = lambda: [20.0]  # one left, but it has waited past QUEUE_WAIT: the least share, not the most
    assert dash.shared_budget(asked)[0].budget == dashboard.MIN_SHARE
    dash.waiting = lambda: [0.0]  # one left that has just come: 7.5 s is more than asked, the budget stays
    assert dash.shared_budget(asked) == (asked, None)
    dash.waiting = lambda: [0.0] * 99
    assert dash.shared_budget(asked)[0].budget == dashboard.MIN_SHARE
    assert dash.shared_budget(ExplainOptions(budget=0))[1] is None  # full quality (a GPU's default) stays so
    dash.waiting = lambda: 1 / 0  # the queue is a courtesy: never a failure
    assert dash.shared_budget(asked) == (asked, None)
    dash.waiting = lambda: [0.0] * 4
    try:
        steps = list(dash.explain_panels(None, "a quiet day, then some good news", None, None, budget=5, ig_steps=8))
    finally:
        dash.waiting = lambda: []  # the fixture is shared
    assert any("4 more explanations were waiting" in n for n in steps[-1]["state"]["notices"]), steps[-1]["state"]["notices"]


def test_the_page_places_only_the_panels_that_will_be_filled(dash, image_path):
    placed = dash.check(None, "I love it", image_path, None, True, True, True)
    shown = {n: visible(v) for n, v in placed.items() if n not in ("report", "json")}  # after the two downloads
    assert all("value" not in v for v in placed.values() if isinstance(v, dict))  # values untouched
    assert shown == {"fused": True, "own.text": True, "own.image": True, "own.audio": False, "own.video": False,
                     "contrib": True, "text.words": True, "image.picture": True, "image.heat_maps": True,
                     "image.legend": True, "audio.plot": False, "audio.heard": False, "audio.clip": False,
                     "video.timeline": False, "video.frames": False}  # no audio, no video given
    before = dash.place(None, "I love it", None, None, True, True, True)  # a prediction: the verdicts only
    assert {n: visible(v) for n, v in before.items()} == {"fused": True, "own.text": True, "own.image": False,
                                                           "own.audio": False, "own.video": False}
    off = dash.place(None, "I love it", image_path, None, False, True, True)  # a switched-off input's verdict
    assert (visible(off["own.text"]), visible(off["own.image"])) == (False, True)  # is not placed


def test_a_long_clips_word_labels_never_overlap():
    from msa_demo.views.figures import LABEL_PX_PER_CHAR, PLOT_PX, fitting_labels

    rng = __import__("numpy").random.default_rng(0)
    words = [f"word{i}" for i in range(100)]  # ~100 words over 30 s, as a long clip gives
    centres = [0.15 + 0.3 * i for i in range(100)]
    strength = list(rng.uniform(-1, 1, 100))
    shown = fitting_labels(words, centres, strength, 30.0)
    kept = [i for i, w in enumerate(shown) if w]
    per_px = 30.0 / PLOT_PX
    boxes = sorted((centres[i] - len(words[i]) * LABEL_PX_PER_CHAR * per_px / 2,
                    centres[i] + len(words[i]) * LABEL_PX_PER_CHAR * per_px / 2) for i in kept)
    assert all(a[1] <= b[0] for a, b in zip(boxes, boxes[1:]))  # side by side, none on another
    strongest = max(range(100), key=lambda i: abs(strength[i]))
    assert strongest in kept and 10 <= len(kept) < 100
    assert fitting_labels(words[:5], centres[:5], strength[:5], 1.5) == words[:5]  # a short clip: every word


def test_the_page_hands_gradio_components_for_names():
    """Handlers return values by part name; the page turns them into {component: value}, keeps the handler's
    signature (the endpoints' parameters) and its streaming, and reads "nothing to change" as one skip."""
    import inspect

    a, b = object(), object()
    page = ui.Page({"fused": a, "own.text": b})

    def handler(preset=None, text="", use_text=True) -> dict:
        return {"own.text": text} if text else {}

    def streamed(text=""):
        yield {"fused": 1}
        yield {"own.text": text}

    def values(out: dict) -> dict:  # (a verdict box's value comes with its heading: ui.headed)
        return {c: v["value"] if isinstance(v, dict) and "value" in v else v for c, v in out.items()}

    keyed = page.keyed(handler)
    assert list(inspect.signature(keyed).parameters) == ["preset", "text", "use_text"]
    assert values(keyed(text="hi")) == {b: "hi"} and keyed() == gr.skip()
    assert list(map(values, page.keyed(streamed)(text="x"))) == [{a: 1}, {b: "x"}] and inspect.isgeneratorfunction(
        page.keyed(streamed))
    assert page.order() == ["fused", "own.text"] and ui.output_order(["own.video", "x.y", "own.text", "fused"]) == \
        ["fused", "own.text", "own.video", "x.y"]  # the built-ins where they always were, then the others


def test_a_second_preset_side_by_side(dash, image_path, tiny_preset_path):
    """The page's preset against itself agrees by construction (and says so); a preset that cannot load is one
    clear line; with no other preset loaded (offline, the Hub preset failed), B empty says how to give one."""
    with pytest.raises(gr.Error, match="Compare needs a second model or a second text, and no other preset is loaded here"):
        dash.compare(None, "I love it", None, None, other="")
    with pytest.raises(gr.Error, match="at least one input"):
        dash.compare(None, "", None, None, other=str(tiny_preset_path))
    with pytest.raises(gr.Error, match="IG steps"):
        dash.compare(None, "I love it", None, None, other=str(tiny_preset_path), ig_steps=1)
    with pytest.raises(gr.Error, match="could not be loaded for the comparison"):
        dash.compare(None, "I love it", None, None, other="/no/such/preset.json")
    out = dash.compare(None, "I love it, truly", image_path, None, other=str(tiny_preset_path), ig_steps=8,
                       image_method="occlusion", deletion_steps=2)
    cmp = out["compare.state"]
    assert cmp["agree"] and "they agree" in out["compare.summary"] and set(cmp["modalities"]) == {"text", "image"}
    assert out["compare.summary"].startswith("*B is A's own preset: the two agree by construction")  # said
    assert all(x["spearman"] == pytest.approx(1.0) for per in cmp["modalities"].values() for x in per["maps"])
    assert out["compare.fused_a"] == out["compare.fused_b"] and out["compare.words_a"] == out["compare.words_b"]
    assert Path(out["compare.report"].value["path"]).read_text(encoding="utf-8").count("<section>") == 2


def test_a_refused_compare_click_is_said_where_the_comparison_would_be(dash, tmp_path):
    """With only one preset loaded and B empty, clicking Compare showed nothing where a comparison comes (its
    refusal was a toast in the page's corner, gone unseen). The page's refusal is said again in one line in the
    Compare summary (the comparison shown before hidden); B empty with another preset loaded says to choose one."""
    from types import SimpleNamespace

    import app

    alone = ui.Dashboard(models=dash.models, default=dash.default, failures={"hub": "offline"}, folder=tmp_path)
    demo = app.build_demo(alone, tmp_path / "none.json")
    fns = list(demo.fns.values() if isinstance(demo.fns, dict) else demo.fns)
    summary = next(b for b in demo.blocks.values() if getattr(b, "elem_id", None) == "compare-summary")
    said = next(f for f in fns if f.trigger_only_on_failure and summary in f.outputs)  # after the click's check
    assert [f.name for f in fns if f._id == said.trigger_after] == ["check_compare"]
    with pytest.raises(gr.Error):  # the click's check: its refusal, for this page
        alone.check_compare(None, "I love it", None, None, other="", session="page-1")
    page = SimpleNamespace(session_hash="page-1", headers={})
    out = {getattr(c, "elem_id", None): v for c, v in said.fn(page).items()}
    line = out["compare-summary"]
    assert line.startswith("### ⚠ Compare needs a second model or a second text, and no other preset is loaded here: "
                           "type B's text to compare two texts, or a preset file")
    assert "\n" not in line  # one line
    assert all(out[b]["visible"] in (False, "hidden") for b in ("compare-a", "compare-b", "compare-words-a"))
    assert said.fn(page) == gr.skip()  # said once; a page whose click was not refused is left as it is
    assert said.fn(SimpleNamespace(session_hash="page-2", headers={})) == gr.skip()
    two = ui.Dashboard(models={**dash.models, "other": dash.models[dash.default]}, default=dash.default,
                       folder=tmp_path)
    with pytest.raises(gr.Error, match=r"Choose a second preset \(B\) to compare with, or type a preset file\."):
        two.check_compare(None, "I love it", None, None, other="", session="page-3")
    assert two.compare_refusal("page-3")["compare.summary"].startswith("### ⚠ Choose a second preset (B)")


def test_a_comparison_says_when_it_is_out_of_date(dash, image_path, tiny_preset_path):
    """After the inputs, the settings or B changed (or a refused run), Compare kept showing its old result with no
    word. Its stamp now says what it was made for: a change is said on the Compare tab, and its download is off
    until Compare runs again; the Explain tab's own line is told as before."""
    settings = dict(ig_steps=8, image_method="occlusion", deletion_steps=2)
    other = str(tiny_preset_path)
    out = dash.compare(None, "I love it", image_path, None, other=other, **settings)
    compared = out["compare.stamp"]
    assert out["compare.fresh"] == "" and compared["B"] == other
    same = dash.freshness(None, None, "I love it", image_path, None, compared=compared, **settings)
    assert same["compare.fresh"] == "" and same["compare.report"].interactive and "fresh" not in same
    moved = dash.freshness(None, None, "I hate it", image_path, None, compared=compared, **settings)
    assert moved["compare.fresh"].startswith("⚠ **Out of date:** this comparison was made before you changed text.")
    assert moved["compare.report"].interactive is False
    coarser = dash.freshness(None, None, "I love it", image_path, None, compared=compared,
                             **{**settings, "deletion_steps": 4})
    assert "this comparison was made before you changed" in coarser["compare.fresh"]
    b = dash.compare_freshness(compared, None, "I love it", image_path, None, other="lite", **settings)
    assert "you changed the second preset (B)." in b["compare.fresh"]
    assert dash.compare_freshness(compared, None, "I love it", image_path, None, other=other,
                                  **settings)["compare.fresh"] == ""
    zh = dash.compare_freshness(compared, None, "I hate it", image_path, None, other="lite", lang="zh", **settings)
    assert zh["compare.fresh"].startswith("⚠ **已过时：** 这次比较是在你更改文字、第二个预设（B）之前做出的")
    assert dash.freshness(None, None, "I hate it", image_path, None, compared=None, **settings) == {}


def test_compare_takes_a_from_the_explanation_just_made(dash, image_path, tiny_preset_path, monkeypatch):
    """Compare after Explain (the same inputs and settings) does not make A again: only B is made, and a second
    Compare makes nothing; A is the explanation on screen."""
    import msa_demo.explain as explaining

    made = []
    real = explaining.explain_iter

    def counted(model, *args, **kwargs):
        made.append(model.preset.name)
        return real(model, *args, **kwargs)

    monkeypatch.setattr(explaining, "explain_iter", counted)
    settings = dict(ig_steps=8, image_method="occlusion", deletion_steps=2)
    shown = on_screen(run_explain(dash, None, "I love it, so good", image_path, None, **settings))
    assert len(made) == 1
    out = dash.compare(None, "I love it, so good", image_path, None, other=str(tiny_preset_path), **settings)
    assert len(made) == 2  # B only
    assert out["compare.fused_a"] == views.label_value(shown["state"]["prediction"]["probs"])  # as Explain shows it
    again = dash.compare(None, "I love it, so good", image_path, None, other=str(tiny_preset_path), **settings)
    assert len(made) == 2 and again["compare.summary"] == out["compare.summary"]


def test_a_click_that_cannot_run_is_refused_alone(dash, tmp_path):
    """The page's first step of a click only refuses (it has no output, so Gradio puts no red badge on the
    verdicts and on the line that says why): nothing given, every input switched off, and for an explanation every
    check (a file that cannot be read), with the inputs kept for the steps that follow."""
    from msa_demo.ui.widgets import ALL_OFF, NO_INPUT

    with pytest.raises(gr.Error, match=re.escape(NO_INPUT)):
        dash.refuse(None, "", None, None)
    with pytest.raises(gr.Error, match=re.escape("The text holds only spaces, so there are no words to read")):
        dash.refuse(None, "   ", None, None)  # text typed: what is wrong with it, not "give at least one input"
    with pytest.raises(gr.Error, match=re.escape(ALL_OFF)):
        dash.refuse(None, "I love it", None, None, use_text=False)
    assert dash.refuse(None, "I love it", None, None) is None
    (tmp_path / "fake.png").write_text("not a picture")
    assert dash.refuse(None, "I love it", str(tmp_path / "fake.png"), None) is None  # read by the prediction
    with pytest.raises(gr.Error, match="could not be read as a picture"):
        dash.refuse(None, "I love it", str(tmp_path / "fake.png"), None, explain=True)
    dash.read_once.clear()
    assert dash.refuse(None, "I love it", None, None, explain=True, ig_steps=8) is None
    assert len(dash.read_once) == 1  # kept: the placing step and the explanation do not read it again


def test_a_comparison_that_cannot_run_is_refused_before_its_panels_are_touched(dash, tiny_preset_path, tmp_path):
    """Compare with no second preset put a red "Error" over all four panels (and what they held was lost): a check
    step refuses first, with one message, and touches nothing; the endpoint itself still refuses API callers."""
    import app

    with pytest.raises(gr.Error, match="Compare needs a second model"):
        dash.check_compare(None, "I love it", None, None, other="")
    with pytest.raises(gr.Error, match="none is given there: .* on the Explain tab"):  # the tab has no inputs
        dash.check_compare(None, "", None, None, other=str(tiny_preset_path))
    with pytest.raises(gr.Error, match="could not be loaded for the comparison"):
        dash.check_compare(None, "I love it", None, None, other=str(tmp_path / "no-such-preset.json"))
    dash.read_once.clear()
    assert dash.check_compare(None, "I love it", None, None, other=str(tiny_preset_path), ig_steps=8) == {}
    assert len(dash.read_once) == 1  # what A read, kept for the comparison that follows: not read twice
    dash.compare(None, "I love it", None, None, other=str(tiny_preset_path), ig_steps=8, deletion_steps=2)
    assert not dash.read_once
    demo = app.build_demo(dash, tmp_path / "none.json")
    deps = demo.config["dependencies"]
    button = next(c["id"] for c in demo.config["components"] if c.get("props", {}).get("elem_id") == "compare-btn")
    first = next(d for d in deps if [button, "click"] in [list(t) for t in d["targets"]])
    assert first["api_visibility"] != "public" and first["show_progress"] == "hidden"
    assert not [c for c in demo.config["components"] if c.get("props", {}).get("elem_id") == "compare-one"]
    alone = ui.Dashboard(models=dash.models, default=dash.default, failures={"hub": "offline", "lite": "gone"})
    one = app.build_demo(alone, tmp_path / "none.json").config["components"]  # nothing else to offer: said first
    said = next(c for c in one if c.get("props", {}).get("elem_id") == "compare-one")
    assert "Only one model is loaded here" in str(said["props"]["value"])
    alone_deps = app.build_demo(alone, tmp_path / "none.json").config
    said_id = next(c["id"] for c in alone_deps["components"] if c.get("props", {}).get("elem_id") == "compare-one")
    compared = next(d for d in alone_deps["dependencies"] if d.get("api_name") == "compare")
    gone = next(d for d in alone_deps["dependencies"] if d["outputs"] == [said_id])  # once B is loaded: not said
    assert gone["trigger_after"] == compared["id"] and gone["trigger_only_on_success"]
    then = next(d for d in deps if d.get("api_name") == "compare")
    assert then["trigger_after"] == first["id"] and then["trigger_only_on_success"]
    for box in ("compare-a", "compare-b"):  # each side's verdict box is headed as the Explain tab's: no coin flip,
        # in the update that fills it (ui.headed; test_a_verdict_box_is_headed_in_the_same_update_as_its_bars)
        part = next(c["id"] for c in demo.config["components"] if c.get("props", {}).get("elem_id") == box)
        assert not [d for d in deps if [part, "change"] in [list(t) for t in d["targets"]]]
        assert f"compare.fused_{box[-1]}" in ui.widgets.verdict_titles()
    heading = ui.verdict_heading("A: fused")({"negative": 0.499, "positive": 0.492, "neutral": 0.009})
    assert "A: fused: too close to call" in str(heading.label) and heading.show_heading is False
    with pytest.raises(gr.Error, match="Compare needs a second model"):
        dash.compare(None, "I love it", None, None, other="")


def test_compare_names_the_app_s_folder_by_its_name_not_a_dot(dash, tmp_path, monkeypatch):
    """"Only one model is loaded here ('lite'): to compare, type in B a preset file or the folder a train run
    wrote, inside the data folder (.)": the app's folder, named "." (relative to itself), told a visitor nothing.
    It is named as a user knows it: the folder the app was started in (the data folder's default), by its name
    only; the app's folder when started elsewhere; in Chinese too; the whole path only with MSA_SHOW_PATHS=1."""
    from pathlib import Path

    import app

    root = Path(app.__file__).resolve().parent
    monkeypatch.delenv("MSA_SHOW_PATHS", raising=False)
    monkeypatch.chdir(root)
    alone = ui.Dashboard(models=dash.models, default=dash.default, failures={"hub": "offline", "lite": "gone"},
                         folder=root)

    def note(lang="en"):
        parts = app.build_demo(alone, tmp_path / "none.json").config["components"]
        said = next(c for c in parts if c.get("props", {}).get("elem_id") == "compare-one")["props"]["value"]
        key = json.loads(said.removeprefix("__i18n__"))["key"]  # the page's text, in the language asked
        from msa_demo.ui.i18n import ZH

        return ZH[key] if lang == "zh" else key

    started = f"the folder the app was started in, '{root.name}'"
    assert note().endswith(f"inside the data folder ({started}).") and "(.)" not in note(), note()
    assert f"启动应用时所在的文件夹“{root.name}”" in note("zh")
    with pytest.raises(gr.Error) as refused:  # Compare clicked with B empty: the same words
        alone.other_model("", "en")
    assert f"(inside the data folder, {started})" in str(refused.value)
    with pytest.raises(gr.Error) as refused:
        alone.other_model("", "zh")
    assert f"启动应用时所在的文件夹“{root.name}”" in str(refused.value)
    monkeypatch.chdir(tmp_path)  # started elsewhere, MSA_DATASET_ROOT the app's folder
    assert note().endswith(f"inside the data folder (the app's folder, '{root.name}').")
    assert str(root.parent) not in note()  # where the server keeps it is not said
    monkeypatch.setenv("MSA_SHOW_PATHS", "1")  # a private dashboard: whole
    assert note().endswith(f"inside the data folder ({root}).")


def test_compare_reads_presets_only_from_the_data_folder_and_says_a_failure_to_the_visitor_alone(
        tiny_preset_path, tmp_path):
    """What one visitor typed as B (a failed preset, a path) was listed in every later visitor's header, and B read
    any file on the server (/etc/hostname's first line came back in the message). B is now a built-in name or a
    path inside the data folder; a failure is said to the one who typed it."""
    import shutil

    folder = tmp_path / "data"
    shutil.copytree(tiny_preset_path.parent, folder / "runs")
    dash = ui.Dashboard.load(str(tiny_preset_path), fallback=None, device="cpu", warm=False)
    dash.folder = folder
    header = dash.header_markdown()
    outside = tmp_path / "secret.json"
    outside.write_text('{"name": "x"')  # would be read (and said not to parse) were it opened
    for typed in (str(outside), "../secret.json", "nonsense_preset", str(folder / "nothing.json")):
        with pytest.raises(gr.Error, match="could not be loaded for the comparison") as refused:
            dash.check_compare(None, "I love it", None, None, other=typed)
        assert "does not read as" not in str(refused.value) and "Expecting" not in str(refused.value)
    assert "inside the data folder" in str(refused.value) or "No preset file" in str(refused.value)
    # a path outside is said to be outside, and how to allow it (it had read as an unknown preset's refusal); the
    # data folder named as the page names it (no absolute server path)
    from msa_demo.ui.options import shown_folder

    shown = shown_folder(folder)
    for lang, said in (("en", f"it is outside the data folder ({shown}), and Compare reads a preset file or a train "
                               "folder only inside it. Start the app with MSA_DATASET_ROOT set to a folder that holds "
                               f"it (or copy it into {shown}), or give a built-in preset ("),
                       ("zh", f"它在数据文件夹（{shown}）之外")):
        with pytest.raises(gr.Error) as refused:
            dash.check_compare(None, "I love it", None, None, other=str(tmp_path / "head_a"), lang=lang)
        assert said in str(refused.value) and "MSA_DATASET_ROOT" in str(refused.value), refused.value
        assert str(folder) not in str(refused.value)
    with pytest.raises(gr.Error) as refused:  # a name not known: not said to be outside
        dash.check_compare(None, "I love it", None, None, other="nonsense_preset")
    assert "outside" not in str(refused.value) and "inside the data folder" in str(refused.value)
    assert dash.header_markdown() == header and not dash.failures  # nothing of it for the next visitor
    relative = f"runs/{tiny_preset_path.name}"  # a path typed relative to the data folder
    assert dash.check_compare(None, "I love it", None, None, other=relative, ig_steps=8) == {}
    assert str((folder / relative).resolve()) in dash.models


def test_compare_opens_only_what_a_preset_can_be_and_refuses_the_rest_alike(tiny_preset_path, tmp_path,
                                                                            monkeypatch):
    """B opened any file inside the app's folder as a preset: 'app.py' came back "not a preset file: it does not
    read as JSON (Extra data: ...)", .git/config was opened too, a missing file got the generic line: which files
    the server has, and bits of them. B now opens only a .json / .yaml / .yml file or a folder a train run wrote,
    never a hidden path (nor the Dataset tab's visitors' runs); the rest is refused in the same words, existing or
    not, unread."""
    import builtins
    import io
    import shutil

    from msa_demo.ui.options import preset_path

    folder = tmp_path / "app"
    (folder / ".git").mkdir(parents=True)
    (folder / ".git" / "config").write_text("[core]\n")
    (folder / "app.py").write_text("import os\n")
    shutil.copy(tiny_preset_path, folder / ".hidden.json")  # a real preset, hidden
    (folder / ".presets").mkdir()
    shutil.copy(tiny_preset_path, folder / ".presets" / "tiny.json")
    (folder / "link.json").symlink_to(folder / ".git" / "config")  # a preset's name, a hidden file behind it
    visitors = folder / "msa_results" / "visitors" / "k" / "run" / "rows"
    visitors.mkdir(parents=True)
    shutil.copy(tiny_preset_path, visitors / "row-00001.json")
    trained = folder / "runs" / "head"
    trained.mkdir(parents=True)
    shutil.copy(tiny_preset_path, trained / "preset.json")
    (trained / "config.json").write_text("{}")
    shutil.copy(tiny_preset_path, folder / "runs" / "tiny.json")
    assert preset_path("runs/head", folder) == trained.resolve()  # what a preset can be: taken
    assert preset_path("runs/tiny.json", folder) == (folder / "runs" / "tiny.json").resolve()
    assert preset_path(str(folder / "runs" / "tiny.json"), folder) is not None
    dash = ui.Dashboard.load(str(tiny_preset_path), fallback=None, device="cpu", warm=False)
    dash.folder = folder
    opened = []
    real_open = io.open

    def watched(f, *a, **k):
        opened.append(str(f))
        return real_open(f, *a, **k)

    monkeypatch.setattr(builtins, "open", watched)
    monkeypatch.setattr(io, "open", watched)  # pathlib's read_text opens through io.open

    def refusal(typed):
        with pytest.raises(gr.Error, match="could not be loaded for the comparison") as refused:
            dash.check_compare(None, "I love it", None, None, other=typed)
        return str(refused.value).replace(typed, "<typed>")

    told = {typed: refusal(typed) for typed in (
        "app.py", "apq.py", ".git/config", ".git/nothing", ".hidden.json", ".missing.json", ".presets/tiny.json",
        "runs/../.presets/tiny.json", "link.json", "runs", "runs/nothing.json", "runs/head/config.txt",
        "msa_results/visitors/k/run/rows/row-00001.json", "msa_results/visitors/k/run/rows/row-00002.json")}
    assert len(set(told.values())) == 1, told  # one line, whether the file is there or not
    assert "does not read as" not in told["app.py"] and "Extra data" not in told["app.py"]
    assert not [f for f in opened if str(folder) in f], opened  # none of them was opened
    assert dash.check_compare(None, "I love it", None, None, other="runs/tiny.json", ig_steps=8) == {}


def test_each_panel_tells_its_rows_as_it_works(dash, image_path):
    """The progress bar names each panel's model rows done (of those the budget planned) while the maps are made,
    from the panels' own threads."""
    told = []

    def progress(fraction=None, desc=None):
        told.append((fraction, desc))

    on_rows = ui.widgets.rows_progress(progress, every=0)
    on_rows("text", 3, 12)
    on_rows("image", 4, None)
    assert told[-1] == (None, "Maps, model rows done/planned: text 3/12 · image 4")  # one total unknown: no bar
    on_rows("image", 8, 8)
    assert told[-1] == (11 / 20, "Maps, model rows done/planned: text 3/12 · image 8/8")
    on_rows("image", 9, 8)  # past its plan: its rows alone, no bar (not "image 9/8", not past 100 %)
    assert told[-1] == (None, "Maps, model rows done/planned: text 3/12 · image 9")
    told.clear()
    steps = run_explain(dash, None, "I love it, truly", image_path, None, ig_steps=8, image_method="occlusion",
                        budget=30, progress=progress)
    rows = [d for _f, d in told if d and d.startswith("Maps, model rows")]
    assert rows and steps[-1]["state"]["maps"]  # (at most 4 a second: how many depends on the machine)


def test_a_click_while_its_upload_is_read_ahead_waits_for_that_reading(dash, image_path):
    """A clip clicked on while its upload was still being read ahead was read again beside that reading (the face
    search and speech recognition twice over on 2 cores: 20 s before the run began): the click waits for the
    reading of the same request and takes it; another request is not held up by it."""
    import threading

    model = dash.model(None)
    text = f"read once {time.time_ns()}"
    reads, real = [], model.read_inputs

    def slow(*args, **values):  # a reading that takes a while (the real one, later)
        reads.append(values.get("text"))
        time.sleep(1.0)
        return real(*args, **values)

    model.read_inputs = slow
    try:
        ahead = threading.Thread(target=dash.read_ahead, args=(None, text, image_path, None), kwargs={"ig_steps": 8})
        ahead.start()
        time.sleep(0.3)  # the upload's reading under way
        placed = dash.check(None, text, image_path, None, ig_steps=8)
        ahead.join()
        assert reads == [text] and placed["contrib"]  # read once, by the reading ahead; the click went on
        dash.check(None, text + " again", image_path, None, ig_steps=8)
        assert reads == [text, text + " again"]
    finally:
        del model.read_inputs


def test_a_changed_input_is_read_ahead_so_the_click_runs_no_encoder(dash, image_path, audio_path, caplog):
    """An input's change event (``read_ahead``) runs every modality's model on it and prices the maps' rows, so
    that the Explain click's first part finds its encodings cached; a bad input is left for the click to say."""
    from msa_demo.explain import budget

    model = dash.model(None)
    text = f"read ahead {time.time_ns()}"  # never encoded before
    runs = model.encoder_runs
    assert dash.read_ahead(None, text, image_path, audio_path, budget=5) is None
    assert model.encoder_runs > runs  # the models ran on the new text
    priced = {m: dict(t) for m, t in budget._PRICES.items()}
    runs = model.encoder_runs
    steps = run_explain(dash, None, text, image_path, audio_path, budget=5, ig_steps=8)
    assert steps[-1]["state"]["maps"]
    # the prediction and the plan found everything read (the maps evaluate rows of their own, not encodings)
    assert model.encoder_runs == runs and {m: dict(t) for m, t in budget._PRICES.items() if m in priced} == priced
    with caplog.at_level(logging.INFO):
        bad = Path(image_path).with_name("broken.png")
        bad.write_bytes(b"not a picture")
        assert dash.read_ahead(None, "", str(bad), None) is None and dash.read_ahead(None, "", None, None) is None
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    # the picture's own box changed to a file that cannot be read: said at once, as a warning (an empty .wav had
    # shown a 0:00 player and was refused only at the click), in the page's language; typed text is never warned
    import warnings

    empty = Path(image_path).with_name("empty.wav")
    empty.write_bytes(b"")
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        assert dash.read_ahead(None, "fine", str(bad), None, changed="image") is None
        dash.read_ahead(None, "fine", None, str(empty), changed="audio", lang="zh")
        dash.read_ahead(None, "x" * 3, None, str(empty), changed="text")
    assert [str(w.message) for w in said] == [
        "'broken.png' could not be read as a picture. It may be damaged or not an image; use PNG, JPEG, WebP, GIF, BMP "
        "or TIFF.", "'empty.wav'无法使用：文件是空的（0 字节）。请重新选择音频。"]


def test_a_pages_newer_explanation_replaces_its_older_one_and_other_pages_run_at_once(dash):
    """One session's explanations run one after the other, and a newer one replaces the older (three API users'
    four submits each had all been made, while other visitors' were cut short): the older stops at its next model
    call with one line that says why; another page is not kept waiting."""
    import threading

    import gradio as gr

    first = dash.explain_panels(None, "one page asks first", None, None, ig_steps=8, session="page-a")
    next(first)  # page A's explanation has started (its first part is out)
    done = {}

    def run(name, session):
        done[name] = list(dash.explain_panels(None, f"then {name}", None, None, ig_steps=8, session=session))

    same = threading.Thread(target=run, args=("a again", "page-a"))
    other = threading.Thread(target=run, args=("b", "page-b"))
    same.start()
    other.start()
    other.join(120)
    assert "b" in done and not other.is_alive()  # another page is not kept waiting by page A's explanation
    assert same.is_alive() and "a again" not in done  # page A's second waits for its first
    with pytest.raises(gr.Error, match="a newer one was asked for from the same page or session"):
        list(first)  # (it went on to its end before)
    same.join(120)
    assert "a again" in done and done["a again"][-1].get("state")  # the newer one ran whole
    quiet = dash.explain_panels(None, "the page asks", None, None, ig_steps=8, session="page-d", checked=True,
                                replaced_said=False)
    next(quiet)
    dash.ask("page-d")  # the page's check of a newer click: the older ends quietly, its newer follows on the page
    assert not [p for p in quiet if p.get("state")]
    after = list(dash.explain_panels(None, "then the next, alone", None, None, ig_steps=8, session="page-d"))
    assert after[-1].get("state")  # one after another, each after the last result: all made whole (the API)


def test_the_pages_stop_ends_its_explanation_with_what_was_finished(dash):
    """A Stop on the page while an explanation runs: its work stops at the next model call, and the page ends
    calm, with what was finished and one line that says what was left out; not kept for the next click."""
    dash.check(None, "a day to stop midway", None, None, ig_steps=8, session="page-s")
    stream = dash.explain_panels(None, "a day to stop midway", None, None, ig_steps=8, session="page-s",
                                 checked=True)
    first = next(stream)
    assert first.get("fused") is not None or first  # the prediction is out
    dash.stop_asked("page-s")
    steps = list(stream)
    state = steps[-1]["state"]
    assert state["prediction"]["label"] and state["modalities"]
    assert [n for n in state["notices"] if n.startswith("Stopped on the page; left out: the text maps")], state
    assert not dash.explained or all(v is not state for v in dash.explained.values())
    dash.check(None, "a day to stop midway", None, None, ig_steps=8, session="page-s")  # a new click: runs whole
    again = list(dash.explain_panels(None, "a day to stop midway", None, None, ig_steps=8, session="page-s",
                                     checked=True))
    assert not [n for n in again[-1]["state"]["notices"] if n.startswith("Stopped")]
    dash.check(None, "stopped while it waits", None, None, ig_steps=8, session="page-s")
    dash.stop_asked("page-s")  # stopped before it started (it waited in the queue)
    waited = list(dash.explain_panels(None, "stopped while it waits", None, None, ig_steps=8, session="page-s",
                                      checked=True))
    assert waited == [{"fresh": "Stopped before it started: nothing was explained."}]


def test_a_closed_pages_lock_is_free_again(dash):
    dropped = dash.explain_panels(None, "a page closed mid-way", None, None, ig_steps=8, session="page-c")
    next(dropped)
    dropped.close()  # Gradio closes the generator of a page that went away: its lock is free again
    assert not dash.page_locks["page-c"].locked()


def test_pictures_and_sounds_go_to_the_page_as_files_written_once(monkeypatch):
    """Gradio rewrites a picture or a sound given as such into its cache at every update that carries it, over the
    same file, so a browser still fetching it got a file cut short (a picture that never loaded, "Too much data
    for declared Content-Length" in the log). The panels hand it files instead: named by their content, written
    whole under another name and renamed, and never written again while kept."""
    import soundfile as sf
    from PIL import Image

    from msa_demo.ui import fields

    picture = Image.fromarray(np.arange(48 * 64 * 3, dtype=np.uint8).reshape(48, 64, 3))
    path = fields.as_files(picture)
    assert path.endswith(".webp") and Image.open(path).size == (64, 48)
    before = Path(path).stat()
    again = fields.as_files(picture.copy())  # the same picture in a later update: the same file, not rewritten
    after = Path(again).stat()
    assert again == path and (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert not [p for p in Path(path).parent.iterdir() if p.name.startswith(".")]  # no half-written file left
    gallery = fields.as_files([(picture, "occlusion"), (picture.rotate(90), "IG")])
    assert [c for _p, c in gallery] == ["occlusion", "IG"] and gallery[0][0] == path and gallery[1][0] != path
    samples = (np.sin(np.arange(1600) / 5) * 9000).astype(np.int16)
    sound, rate = sf.read(fields.as_files((16000, samples)), dtype="float32")
    assert rate == 16000 and np.allclose(sound * 32767, samples, atol=1e-2)
    update = fields.as_files({"__type__": "update", "value": [(picture, "x")], "visible": True})
    assert update["value"] == [(path, "x")] and update["visible"] is True
    label, words = {"positive": 0.9}, [("great", "for"), ("film", None)]
    assert fields.as_files(label) is label and fields.as_files(words) is words and fields.as_files(None) is None
    monkeypatch.setattr(fields, "KEPT_FILES", 2)  # the oldest are let go
    newer = [fields.as_files(picture.rotate(a)) for a in (10, 20)]
    assert not Path(path).exists() and all(Path(p).exists() for p in newer)


def test_a_picture_input_stays_lenient_after_gradio_rebuilds_it(tmp_path):
    """A text file uploaded as a picture is handed on by path (so the reader's one clear line is said), also after an
    event updated the widget's properties: Gradio then rebuilds the component from its constructor arguments
    (``block.__class__(**kwargs)``), which dropped the leniency patched on the instance, and the upload ended in a
    ComponentProcessingError traceback in the server log and no message. Other Image components are untouched."""
    from gradio.data_classes import FileData

    from msa_demo.ui.widgets import LENIENT, audio_input, image_input

    fake = tmp_path / "fake.png"
    fake.write_text("not a picture", encoding="utf-8")
    with gr.Blocks():
        picture = image_input(type="filepath", image_mode=None, elem_classes="mine")
        sound = audio_input(type="filepath")
        plain = gr.Image(type="filepath")
    rebuilt = type(picture)(**{**picture.constructor_args, "label": "changed by an event", "render": False})
    assert LENIENT in rebuilt.elem_classes and "mine" in rebuilt.elem_classes
    for component in (picture, rebuilt):
        assert component.preprocess(FileData(path=str(fake))) == str(fake)
    with pytest.raises(Exception, match="cannot identify image file"):
        plain.preprocess(FileData(path=str(fake)))
    assert LENIENT in type(sound)(**{**sound.constructor_args, "render": False}).elem_classes


@pytest.mark.spawns
def test_python_app_py_refuses_a_mistyped_preset_before_it_imports_gradio_or_torch(tmp_path):
    """MSA_PRESET=Lite was refused in one line, but 13-40 s after it was typed on a busy machine: gradio (15 s)
    and torch (5 s) were imported first. `python app.py` now says it before either is imported: run here with
    both made unimportable, the refusal still comes, whole, with exit 2 (and a good preset goes on to import them);
    so does an MSA_* setting it cannot use (msa_demo.settings: read without either)."""
    import os
    import subprocess

    root = Path(__file__).resolve().parents[1]
    blocked = ("import runpy, sys; sys.modules['gradio'] = None; sys.modules['torch'] = None; "  # as python app.py:
               f"sys.path.insert(0, {str(root)!r}); sys.argv = ['app.py', *sys.argv[1:]]; "  # its folder on the path
               f"runpy.run_path({str(root / 'app.py')!r}, run_name='__main__')")
    env = {**os.environ, "MSA_PRESET": "Lite"}
    done = subprocess.run([sys.executable, "-c", blocked, "--port", "0"], capture_output=True, text=True, env=env,
                          cwd=tmp_path, timeout=120)
    assert done.returncode == 2, done.stderr[-2000:]
    assert done.stderr.startswith("msa_demo: Unknown preset 'Lite'.") and "Traceback" not in done.stderr
    env["MSA_PRESET"] = "lite"  # an MSA_* setting it cannot use: said as soon, before gradio and torch (it had
    for name, value, says in (("MSA_BUDGET", "-3", "MSA_BUDGET must be a number of seconds"),  # waited for both)
                              ("MSA_ASR_THREADS", "many", "MSA_ASR_THREADS must be a whole number of threads")):
        done = subprocess.run([sys.executable, "-c", blocked, "--port", "0"], capture_output=True, text=True,
                              env={**env, name: value}, cwd=tmp_path, timeout=120)
        assert done.returncode == 2 and done.stderr.startswith(f"msa_demo: {says}"), done.stderr[-2000:]
    done = subprocess.run([sys.executable, "-c", blocked, "--port", "0"], capture_output=True, text=True, env=env,
                          cwd=tmp_path, timeout=120)
    assert done.returncode == 1 and "ModuleNotFoundError" in done.stderr and "gradio" in done.stderr, done.stderr


def test_the_app_refuses_a_mistyped_preset_and_a_taken_port_before_any_model_loads(capsys, monkeypatch):
    """`app.py --preset nosuch` served the lite preset with a notice, as if the Hub were unreachable; a port in use
    was Gradio's "Cannot find empty port" traceback after the models had loaded. Both are one line, exit 2, first."""
    import socket

    import app

    monkeypatch.setattr(ui.Dashboard, "load", classmethod(lambda *a, **k: pytest.fail("a model was loaded")))
    with pytest.raises(SystemExit) as stopped:
        app.main(["--preset", "lightt", "--port", "0"])
    assert stopped.value.code == 2 and "msa_demo: Unknown preset 'lightt'" in capsys.readouterr().err
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        port = held.getsockname()[1]
        with pytest.raises(SystemExit) as stopped:
            app.main(["--preset", "lite", "--host", "127.0.0.1", "--port", str(port)])
    err = capsys.readouterr().err
    assert stopped.value.code == 2 and f"cannot listen on 127.0.0.1:{port}" in err and "Traceback" not in err
    assert app.startup_refusal("lite", "127.0.0.1", 0) is None and app.startup_refusal("hub", "127.0.0.1", 0) is None


@pytest.mark.parametrize("name, value, says", [
    ("MSA_MAX_SECONDS", "ten", "MSA_MAX_SECONDS must be a number of seconds from 0 (no limit) to 86400, not 'ten'."),
    ("MSA_BUDGET", "-3", "MSA_BUDGET must be a number of seconds from 0 (no limit) to 3600, not '-3'."),
    ("MSA_EXPLAIN_LANES", "0", "MSA_EXPLAIN_LANES must be a whole number from 1 to 64, not '0'."),
    ("MSA_UPLOADS_KEEP_HOURS", "a day", "MSA_UPLOADS_KEEP_HOURS must be a number of hours from 0 (kept until the "
                                        "folder is wiped) to 8760, not 'a day'."),
    ("MSA_DATASET_LINKS", "enabled", "MSA_DATASET_LINKS must be 1 (on) or 0 (off), not 'enabled'."),
    ("MSA_SHOW_PATHS", "Maybe", "MSA_SHOW_PATHS must be 1 (on) or 0 (off), not 'Maybe'."),
    # accepted silently ("maybe" froze, as any value but 0 did), or refused only at the first clip transcribed
    ("MSA_GC_FREEZE", "maybe", "MSA_GC_FREEZE must be 1 (on) or 0 (off), not 'maybe'."),
    ("MSA_ASR_THREADS", "many", "MSA_ASR_THREADS must be a whole number of threads, at least 1 (it is 'many')."),
    ("MSA_ASR_THREADS", "0", "MSA_ASR_THREADS must be a whole number of threads, at least 1 (it is '0')."),
])
def test_a_server_setting_it_cannot_use_stops_the_app_in_one_line_before_any_model_loads(name, value, says, capsys,
                                                                                        monkeypatch):
    """A typo in the operator's MSA_* settings: MSA_MAX_SECONDS=ten started the app and failed every visitor's
    explanation with the operator's message; MSA_BUDGET stopped it with a traceback at import, MSA_EXPLAIN_LANES
    after the models had loaded; MSA_UPLOADS_KEEP_HOURS=abc kept visitors' runs 24 hours and
    MSA_DATASET_LINKS=enabled fetched nothing, silently; MSA_GC_FREEZE=maybe was read as on, and
    MSA_ASR_THREADS=many let the app start and failed the first clip it transcribed."""
    import app

    monkeypatch.setattr(ui.Dashboard, "load", classmethod(lambda *a, **k: pytest.fail("a model was loaded")))
    monkeypatch.setenv(name, value)
    with pytest.raises(SystemExit) as stopped:
        app.main(["--preset", "lite", "--port", "0"])
    err = capsys.readouterr().err
    assert stopped.value.code == 2 and err == f"msa_demo: {says}\n"
    monkeypatch.setenv(name, {"MSA_DATASET_LINKS": "on", "MSA_SHOW_PATHS": "0", "MSA_GC_FREEZE": "off"}.get(name, "2"))
    # (one it can use)
    assert app.startup_refusal("lite", "127.0.0.1", 0) is None


def test_gc_freeze_reads_the_flags_words_as_the_other_flags_do(monkeypatch):
    """MSA_GC_FREEZE: any value but "0" froze ("false", "off" too); now the words every MSA_* flag takes."""
    from msa_demo.ui.options import gc_freeze

    monkeypatch.delenv("MSA_GC_FREEZE", raising=False)
    assert gc_freeze() is True  # the default
    for value, on in (("0", False), ("false", False), ("Off", False), ("no", False), ("1", True), ("yes", True)):
        monkeypatch.setenv("MSA_GC_FREEZE", value)
        assert gc_freeze() is on, value


def test_a_chinese_title_line_breaks_after_its_punctuation_not_inside_a_word():
    """The contributions chart's subtitle broke '音频判断为正面' as '音频判 / 断为正面' (textwrap cuts a text without
    spaces anywhere)."""
    from msa_demo.views.figures import wrapped

    text = "各模态意见不一：音频判断为中性（58%），视频判断为负面（52%），文字判断为正面（70%）"
    lines = wrapped(text, 36).split("<br>")
    assert "".join(lines) == text and len(lines) > 1
    assert all(len(line) <= 36 and line[-1] in "：，）" for line in lines[:-1]), lines
    assert wrapped("一" * 80, 36).split("<br>")[0] == "一" * 36  # no punctuation to break at: cut at the width


def test_the_launched_page_is_the_app_modules_demo_as_a_space_reloader_finds_it(tiny_preset_path, monkeypatch):
    """On a Space, Gradio's reloader looks for the launched page among ``__main__``'s globals: built inside
    ``main`` it logged "Launching demo not found in __main__" and the Space's hot reload had no page to swap."""
    import gradio as gr

    import app

    launched = []
    monkeypatch.setattr(gr.Blocks, "launch", lambda self, **kw: launched.append(self))
    monkeypatch.setenv("MSA_GC_FREEZE", "0")
    monkeypatch.setenv("MSA_WORKED_EXAMPLE", "")
    monkeypatch.setattr(app, "demo", None)
    app.main(["--preset", str(tiny_preset_path), "--also", "", "--port", "0", "--no-mcp"])
    assert len(launched) == 1 and app.demo is launched[0]


def test_an_explanation_past_the_server_s_limit_gives_what_was_finished_on_the_page_and_from_the_api(dash, monkeypatch):
    """``MSA_MAX_SECONDS`` (120 s on a Space): one visitor's request inside the Advanced ranges (1024 IG steps,
    no budget) held both cores for minutes. Past the limit it is cut short: the page, its report and the JSON
    endpoint still give the prediction and the contributions, the maps not finished said left out in one line
    (a crowd's capped video had given its user only an error after a long wait); a cut one is not kept."""
    from msa_demo.api import CodeApi as Api

    monkeypatch.setenv("MSA_MAX_SECONDS", "0.001")
    line = "Cut short at this server's limit of 0.001 s (MSA_MAX_SECONDS); left out: the text maps."
    last = list(dash.explain_panels(None, "a slow and costly day", None, None, ig_steps=8))[-1]
    assert last["state"]["prediction"]["label"] and last["state"]["modalities"] and not last["state"]["maps"]
    assert [n for n in last["state"]["notices"] if n.startswith(line)]
    assert "Cut short at this server" in last["notices"]  # on the page
    assert "Cut short at this server" in Path(last["report"]).read_text(encoding="utf-8")  # in the report
    out = json.loads(Api(dash).explain(text="a slow and costly day", ig_steps=8))
    assert out["prediction"]["label"] and out["cut_short"].startswith(line)  # from the API, marked
    assert [n for n in out["notices"] if n.startswith(line)]
    monkeypatch.setenv("MSA_MAX_SECONDS", "600")
    out = json.loads(Api(dash).explain(text="a slow and costly day", ig_steps=8))
    assert "This server explains within 600 s (MSA_MAX_SECONDS), so the maps had a time budget of 300 s." in \
        out["notices"]
    again = list(dash.explain_panels(None, "a slow and costly day", None, None, ig_steps=8))[-1]
    assert again["state"]["maps"] and not [n for n in again["state"]["notices"] if n.startswith("Cut short")]


def test_a_right_to_left_text_s_words_run_from_the_right_on_the_page_and_in_the_report(dash):
    """An Arabic review's word chips ran left to right, its first word at the far left; the report split its last
    chip ('أخرى' at the left, its '.' and mark at the right)."""
    from msa_demo.language import right_to_left

    assert right_to_left("«المنتج سيء جدا» 100%") and right_to_left("המוצר מצוין")
    assert not right_to_left("123 — the product, المنتج") and not right_to_left("") and not right_to_left("😀 ok")
    arabic = list(dash.explain_panels(None, "المنتج سيء جدا ولن أشتريه مرة أخرى.", None, None, ig_steps=8))[-1]
    english = list(dash.explain_panels(None, "the product is bad and I will not buy it again.", None, None,
                                       ig_steps=8))[-1]
    assert arabic["text.words"]["rtl"] is True and english["text.words"]["rtl"] is False  # each update says it
    report = Path(arabic["report"]).read_text(encoding="utf-8")
    assert '<p class="words" dir="auto">' in report and "unicode-bidi:isolate" in report


def test_a_hub_failure_does_not_say_pick_lite_to_work_offline_on_a_head_trained_on_lite():
    """MSA_PRESET=<a head folder trained on lite> (preset 'lite+head_a') logged "...Pick 'lite' in the Preset menu
    to work offline." though the page already worked offline on the head; with a Hub preset serving it still says
    so."""
    from types import SimpleNamespace

    from msa_demo.modalities import OFFLINE_HINT

    why = "the Hugging Face Hub cannot be reached to fetch them." + OFFLINE_HINT
    lite = SimpleNamespace(preset=SimpleNamespace(name="lite"))
    head = SimpleNamespace(preset=SimpleNamespace(name="lite+head_a"))
    on_head = ui.Dashboard(models={"/d/head_a": head, "lite": lite}, default="/d/head_a", failures={"hub": why})
    assert on_head.reason("hub") == "the Hugging Face Hub cannot be reached to fetch them."
    other = ui.Dashboard(models={"/d/p.json": SimpleNamespace(preset=SimpleNamespace(name="mine")), "lite": lite},
                         default="/d/p.json", failures={"hub": why})
    assert other.reason("hub").endswith(" Pick 'lite' in the Preset menu to work offline.")


def test_the_language_switch_tells_the_comparison_again(dash, image_path, tiny_preset_path):
    """The Compare tab's result stayed in the language it was made in after the switch (and, switched back, in the
    other, under the page's labels)."""
    out = dash.compare(None, "I love it, truly", image_path, None, other=str(tiny_preset_path), ig_steps=8,
                       image_method="occlusion", deletion_steps=2)
    told = dash.compare_retold(out["compare.made"], out["compare.state"], "zh")
    assert "they agree" in out["compare.summary"] and "一致" in told["compare.summary"]
    assert "they agree" not in told["compare.summary"]
    assert any(word in str(told["compare.fused_a"]) for word in ("正面", "负面", "中性"))
    assert told["compare.report"].endswith("zh/msa_compare.html")
    assert 'lang="zh' in open(told["compare.report"], encoding="utf-8").read()
    back = dash.compare_retold(out["compare.made"], out["compare.state"], "en")
    assert back["compare.summary"] == out["compare.summary"] and dash.compare_retold(None, None, "zh") == {}


def test_the_page_names_presets_by_their_own_name_and_takes_that_name(tiny_model, tiny_preset_path, tmp_path,
                                                                      monkeypatch):
    """Loaded from /tmp/…/tiny.json and /tmp/…/mine.yaml, the preset menu, its "Pick one of:" refusal and the
    words' model ("text alone (/tmp/…/text)") named the server's absolute paths, the header kept "Preset: tiny" over
    a second line "Selected: /tmp/…/mine.yaml on CPU" once mine was picked, and /predict_json (the MCP tool)
    refused preset="mine", the preset's own name. Each names the preset by its name now, and takes it."""
    from dataclasses import replace

    from msa_demo.api import CodeApi
    from msa_demo.config import load_preset, save_preset
    from msa_demo.model import MultimodalSentimentModel

    monkeypatch.delenv("MSA_SHOW_PATHS", raising=False)
    for sub in ("presets", "other"):
        (tmp_path / sub).mkdir()
    mine_path = save_preset(replace(load_preset(tiny_preset_path), name="mine"), tmp_path / "presets" / "mine.json")
    mine = MultimodalSentimentModel.from_preset(str(mine_path), device="cpu")
    dash = ui.Dashboard(models={str(tiny_preset_path): tiny_model, str(mine_path): mine},
                        default=str(tiny_preset_path))
    assert dash.preset_names == ["tiny", "mine"]  # the menu's choices
    for lang in ("en", "zh"):
        header = dash.selected_markdown("mine", lang)
        assert "mine" in header.split("\n\n")[0] and "tiny" not in header and "/" not in header, header
    assert dash.header_markdown() == dash.selected_markdown("tiny") and "**Preset:** tiny" in dash.header_markdown()
    for name in ("mine", str(mine_path)):  # its name, or the path it was loaded from
        assert dash.model(name) is mine
        served = json.loads(CodeApi(dash).predict(text="a fine day", preset=name))
        assert served["preset"] == "mine" and set(served["modalities"]) == {"text"}
    with pytest.raises(gr.Error) as refused:
        dash.model("nope")
    assert str(refused.value.message) == "The preset 'nope' is not loaded. Pick one of: tiny, mine."
    said = views.notices_markdown(mine.predict(inputs=mine.read_inputs(text="a fine day")).to_dict())
    assert str(tmp_path) not in said and str(tiny_preset_path.parent) not in said and "…/" in said, said
    # two loaded presets of one name: each by its path inside the data folder, still no absolute path
    twin = save_preset(load_preset(mine_path), tmp_path / "other" / "mine.json")
    both = ui.Dashboard(models={str(mine_path): mine, str(twin): mine}, default=str(mine_path), folder=tmp_path)
    assert both.preset_names == ["presets/mine.json", "other/mine.json"]
    assert both.model("other/mine.json") is mine
