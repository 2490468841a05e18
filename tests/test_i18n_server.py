"""What the server writes, in Chinese: on the curated examples and on every verdict, notice and what-if path, the
dashboard's text, the report and the command line leave no English word but names (models, methods' technical
names, units, the user's own words); every key the code translates has its Chinese."""

from __future__ import annotations

import ast
import copy
import html
import re
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# what stays as it is in Chinese: technical names, units, the reproduce command, the settings' values
KEPT = ("python -m msa_demo explain --from report.json", "sensitivity_max", "all-MiniLM-L6-v2", "multilingual-e5-small",
        "mini-XCEPTION", "FER-2013", "Whisper base", "JSON", "HTML", "AOPC", "IG", "Spearman", "Shapley", "Captum",
        "SNR", "dB", "CPU", "float32", "msa_demo", "UTC")
SETTING_VALUES = {"pad", "mask", "unk", "blur", "black", "mean", "silence", "noise", "grid", "superpixels"}


def english_left(text: str, *own) -> list[str]:
    """The English words in ``text`` (HTML and Markdown markup aside) that are not a kept name, a setting's value
    or the user's own words (``own``: the inputs, the transcript, the model ids, the preset's name)."""
    text = re.sub(r"<(script|style|head)\b.*?</\1>", " ", text, flags=re.S)
    text = re.sub(r"data:[\w/+.-]+;base64,[A-Za-z0-9+/=]+", " ", text)  # an embedded picture is no word
    text = html.unescape(re.sub(r"<[^>]+>", " ", text))
    for kept in KEPT:
        text = text.replace(kept, " ")
    allowed = SETTING_VALUES | {w.lower() for o in own for w in re.findall(r"[A-Za-z]{2,}", str(o or ""))}
    return sorted({w for w in re.findall(r"[A-Za-z]{2,}", text) if w.lower() not in allowed})


def own_words(exp: dict) -> list:
    """The user's words and the names the explanation carries (they stay as they are)."""
    reading = exp.get("reading") or {}
    return [(exp.get("inputs") or {}).get("text"), (reading.get("audio") or {}).get("transcript"), exp.get("preset"),
            *[(m or {}).get("model_id") for m in ((exp.get("prediction") or {}).get("modalities") or {}).values()],
            *[(m or {}).get("model_id") for m in (exp.get("models") or {}).values()],
            *[(m or {}).get("revision") for m in (exp.get("models") or {}).values()],  # (the report names them)
            *[w for c in exp.get("what_if") or [] for w in c.get("replacements") or []]]  # the words a what-if put in


def shown_words(value) -> str:
    """The words a panel's value shows: a Markdown, a gallery's captions, a figure's titles, labels and names."""
    if isinstance(value, dict) and value.get("__type__") == "update":
        value = value.get("value") if "color_map" not in value else value["value"] + [(k, k) for k in value["color_map"]]
    if hasattr(value, "to_plotly_json"):
        layout = value.to_plotly_json()["layout"]
        axes = [v.get("title", {}).get("text", "") for k, v in layout.items() if k.startswith(("xaxis", "yaxis"))]
        traces = [f"{d.get('name', '')} " + " ".join(x for x in (d.get("x") if isinstance(d.get("x"), (list, tuple))
                                                                else ()) if isinstance(x, str))
                  for d in value.to_plotly_json()["data"]]
        return " ".join([layout.get("title", {}).get("text", ""), *[a.get("text", "") for a in layout.get(
            "annotations", ())], *axes, *traces])
    if isinstance(value, list):  # a gallery: (picture, caption); highlighted words: (word, category)
        return " ".join(str(v[1]) if not isinstance(v[0], str) else str(v[1] or "") for v in value
                        if isinstance(v, tuple))
    if isinstance(value, dict):  # a Label: its classes
        return " ".join(value)
    if isinstance(value, str) and value.startswith(tempfile.gettempdir()) and Path(value).is_file():
        return ""  # a picture or a sound, as a file (ui.fields.as_files): no words shown
    return value if isinstance(value, str) else ""


def server_text(exp: dict, lang: str = "zh") -> str:
    """Everything the dashboard writes about an explanation (summary and notices, verdicts, trust table, what-ifs,
    each panel's words and figures), the report and the command line's words, in ``lang``."""
    from msa_demo import views
    from msa_demo.cli import format_explanation
    from msa_demo.explain.result import Explanation
    from msa_demo.report import to_html
    from msa_demo.ui.widgets import explanation_views

    pred, reading = exp["prediction"], exp.get("reading")
    shown = views.prediction_views(pred, (), reading, exp.get("models"), lang=lang)
    panels = explanation_views(exp, final=True, lang=lang)
    return "\n".join([
        *map(shown_words, shown.values()), *map(shown_words, panels.values()),  # the verdicts, notices, panels
        views.notices_markdown(pred, (), reading, exp.get("models"), exp, lang=lang),
        views.trust_markdown(exp, final=True, lang=lang), views.trust_markdown(exp, final=False, lang=lang),
        views.whatif_markdown(exp, lang), views.transcript_markdown(reading, lang), views.heatmap_legend(exp, lang),
        to_html(exp, lang), format_explanation(Explanation.from_dict(exp), lang)])


def _explain_examples(model, names=None) -> dict:
    """The curated examples (or those named) explained by ``model`` as the dashboard asks (what-ifs and how it
    sounds on)."""
    from msa_demo import views
    from msa_demo.explain import explain
    from msa_demo.explain.options import ExplainOptions

    out = {}
    for e in views.load_examples(ROOT / "examples" / "examples.json"):
        if names is not None and e["name"] not in names:
            continue
        inputs = model.read_inputs(text=e["text"] or None, image=e["image"], audio=e["audio"], video=e["video"])
        options = ExplainOptions(what_if=True, tone=True, ig_max_steps=8, deletion_steps=4)  # each path, quickly
        out[e["name"]] = explain(model, inputs, options=options).to_dict()
    return out


@pytest.fixture(scope="module")
def two_explained(tiny_model):
    """Two curated examples explained by the tiny preset: what the fast lane's checks need (the sweep of every
    example, ``explained``, takes seconds)."""
    out = _explain_examples(tiny_model, {"Text only", "Cross-modal conflict"})
    assert set(out) == {"Text only", "Cross-modal conflict"}
    return out


@pytest.fixture(scope="module")
def explained(tiny_model, two_explained):
    """Each curated example explained by the tiny preset as the dashboard asks (what-ifs and how it sounds on)."""
    out = {**_explain_examples(tiny_model, None), **two_explained}
    assert len(out) >= 8
    return out


@pytest.mark.slow  # a sweep of every explanation told in Chinese (seconds): the full suite's; the fast lane keeps
# the check that every key has its Chinese
def test_the_curated_examples_are_told_in_chinese(explained):
    for name, exp in explained.items():
        text = server_text(exp)
        assert english_left(text, *own_words(exp)) == [], name
        assert "这些高亮标注可信吗" in text and ("为什么是" in text or "难分高下：" in text), name  # (a near-tie's heading)
    english = server_text(explained["Cross-modal conflict"], "en")  # the English is English, as it was
    assert "Can you trust the highlighting?" in english and not re.search(r"[\u4e00-\u9fff]", english.split("<script")[0])


@pytest.mark.slow  # a sweep of every explanation told in Chinese (seconds): the full suite's; the fast lane keeps
# the check that every key has its Chinese
def test_a_clip_is_told_in_chinese(tiny_video_preset):
    """A video: its timeline, filmstrip captions, report section and summary clause."""
    from msa_demo.explain import explain
    from msa_demo.explain.options import ExplainOptions
    from msa_demo.model import MultimodalSentimentModel

    model = MultimodalSentimentModel.from_preset(str(tiny_video_preset), device="cpu")
    inputs = model.read_inputs(video=str(ROOT / "examples" / "face_turns.mp4"))
    exp = explain(model, inputs, options=ExplainOptions(ig_max_steps=8, deletion_steps=4, grid=2)).to_dict()
    text = server_text(exp)
    assert "同一时间轴上的片段" in text and "关键帧" in text, text
    assert english_left(text, *own_words(exp)) == []


def every_path(exp: dict) -> list[dict]:
    """``exp`` made to take each path a verdict, a notice, a what-if and the summary can take."""
    from msa_demo.explain.tone import WORDS_ONLY

    out = []
    faith = [{"aopc": 0.2, "aopc_random": 0.05, "sanity_spearman": 0.1, "sensitivity": 0.1},  # ✓ everywhere
             {"aopc": 0.06, "aopc_random": 0.055, "sanity_spearman": 0.9, "sensitivity": 0.8},  # ✗ everywhere
             {"aopc": 0.001, "aopc_random": 0.002, "sensitivity": 0.5}]  # ? can't tell
    for i, f in enumerate(faith):
        e = copy.deepcopy(exp)
        for m in e["maps"]:
            m["faithfulness"] = {**(m.get("faithfulness") or {}), **f}
            m["delta"] = 0.5 if i == 1 and m.get("delta") is not None else m.get("delta")
        out.append(e)
    # words in a language the model was not trained on, a picture without a face, a near tie, no words heard
    e = copy.deepcopy(exp)
    e["reading"]["text"] = {**(e["reading"].get("text") or {}), "language": "fr", "languages": ["en", "zh"],
                            "language_covered": False}
    e["reading"]["image"] = {**(e["reading"].get("image") or {}), "face_found": False}
    e["reading"]["audio"] = {**(e["reading"].get("audio") or {}), "transcript": "", "words": []}
    e["prediction"]["switched_off"] = ["image"]
    e["prediction"]["used"] = [m for m in e["prediction"]["used"] if m != "image"]
    e["tone"], e["tone_note"] = [], WORDS_ONLY
    out.append(e)
    e = copy.deepcopy(exp)
    e["prediction"]["probs"] = {"negative": 0.4, "positive": 0.39, "neutral": 0.21}
    e["prediction"]["notices"] = [
        "Text: only the first 2,000 of 3,456 characters were used.", "Audio: only the first 30 s of 41.2 s were used.",
        "Image: downscaled from 4000×3000 to 1024×768 pixels.", "Audio: the clip is silent or nearly so.",
        "Image: an animated picture of 5 frames; only its first frame was read.",
        "The image model could not be loaded, so the image was not used.",
        "Video: a face was found in 3 of 8 frames; only those were read."]
    e["notices"] = ["Time budget 5 s for the maps: every map: IG at most 8 steps (its completeness gap is shown), a 4×4 grid; "
                    "audio: segments of 1 s, occlusion only."]
    for m in e["maps"]:
        m["params"]["budget"] = ["IG at most 8 steps (its completeness gap is shown)", "a 4×4 grid"]
    out.append(e)
    # what-ifs: each way a search ends (flipped by removal, by antonyms, out of time, out of forwards, no lexicon)
    e = copy.deepcopy(exp)
    base = {"original": "negative", "label": "positive", "probs": {"positive": 0.6, "negative": 0.3, "neutral": 0.1},
            "sentence": "", "cost": {"forward_passes": 12, "seconds": 0.5}, "method": "integrated_gradients"}
    e["what_if"] = [
        {**base, "modality": "text", "edit": "remove", "flipped": True, "units": ["awful", "furious"], "minimal": True},
        {**base, "modality": "text", "edit": "antonym", "flipped": True, "units": ["awful"], "replacements": ["nice"]},
        {**base, "modality": "image", "edit": "remove", "flipped": True, "units": [f"r{i}c1" for i in range(8)],
         "stopped": "time"},
        {**base, "modality": "audio", "edit": "remove", "flipped": True, "units": ["1.00–1.50 s"], "minimal": True},
        {**base, "modality": "audio", "edit": "remove", "flipped": False, "units": ["1.00–1.50 s"], "stopped": "time"},
        {**base, "modality": "image", "edit": "remove", "flipped": False, "units": ["r1c1", "r2c2"],
         "max_forwards": 64},
        {**base, "modality": "text", "edit": "neutral", "flipped": False, "units": [], "max_forwards": 64},
        {**base, "modality": "text", "edit": "remove", "flipped": False, "units": [], "stopped": "time"},
        {**base, "modality": "text", "edit": "antonym", "flipped": False, "units": [], "stopped": "language"}]
    out.append(e)
    # part of the words in a language the model was not trained on (the notice as the engine writes it)
    from msa_demo import language

    e = copy.deepcopy(exp)
    e["reading"]["text"] = {**(e["reading"].get("text") or {}), "language": "en", "languages": ["en", "zh"],
                            "language_covered": True, "other_languages": ["es"]}
    e["prediction"]["notices"] = [language.notice("text", e["reading"]["text"])]
    out.append(e)
    return out


@pytest.mark.slow  # a sweep of every explanation told in Chinese (seconds): the full suite's; the fast lane keeps
# the check that every key has its Chinese
def test_every_verdict_notice_and_what_if_path_is_told_in_chinese(explained):
    from msa_demo import views

    paths = every_path(explained["Cross-modal conflict"])
    told = [server_text(exp) for exp in paths]
    for exp, text in zip(paths, told):
        assert english_left(text, *own_words(exp), "awful furious nice") == []
    assert {mark for e in paths for mark, _ in views.trust_verdicts(e, "zh")} == {"✓", "✗", "?", "⚠", "—"}  # each told
    assert "超出此模型的语言范围" in told[3] and "法语" in told[3] and "没有人脸" in told[3]
    assert "文字：其中一部分是西班牙语，超出" in told[-1] and "（其中一部分是西班牙语）" in told[-1]
    assert "只适用于英语和中文文本" in told[-2]  # the word swaps, not offered for a text in another language


def test_the_scan_finds_english(two_explained):
    """The check above can fail: a sentence left in English is found."""
    exp = two_explained["Text only"]
    assert english_left(server_text(exp) + "\nThe map shows how the model reacted.", *own_words(exp)) == [
        "The", "how", "map", "model", "reacted", "shows", "the"]


def test_every_key_the_code_translates_has_its_chinese(two_explained):
    """Every literal key given to ``t()`` anywhere in the package, and every key the renderings asked for (the
    tests above, when they ran first; here one path at least), has a Chinese entry (a format key keeps its
    fields)."""
    import string

    from msa_demo.i18n import USED, ZH

    keys: set[str] = set()
    for path in (ROOT / "msa_demo").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "t" and node.args:
                arg = node.args[0]
                branches = [arg.body, arg.orelse] if isinstance(arg, ast.IfExp) else [arg]
                keys |= {b.value for b in branches if isinstance(b, ast.Constant) and isinstance(b.value, str)}
    assert len(keys) > 150
    server_text(every_path(two_explained["Cross-modal conflict"])[3])
    missing = sorted(k for k in keys | USED if k not in ZH)
    assert missing == []

    def fields(s: str) -> set:
        return {name for _, name, _, _ in string.Formatter().parse(s) if name}

    assert [k for k, v in ZH.items() if fields(k) != fields(v)] == []


@pytest.mark.spawns
def test_the_command_line_speaks_chinese_when_asked(tiny_preset_path, tmp_path):
    import json
    import os
    import subprocess
    import sys

    def run(*args, **env):
        return subprocess.run([sys.executable, "-m", "msa_demo", *args], capture_output=True, text=True, timeout=300,
                              env={**os.environ, "MSA_LANG": "", **env}, cwd=ROOT)

    text = "I love it, what a wonderful day"
    res = run("explain", "--preset", str(tiny_preset_path), "--text", text, "--lang", "zh-CN", "--html",
              str(tmp_path / "r.html"))
    assert res.returncode == 0, res.stderr
    assert res.stdout.startswith("情绪：") and "合计：" in res.stdout, res.stdout
    assert english_left(res.stdout, text, tiny_preset_path, tmp_path / "r.html", "tiny") == [], res.stdout
    assert '<html lang="zh-CN">' in (tmp_path / "r.html").read_text(encoding="utf-8")
    res = run("predict", "--preset", str(tiny_preset_path), "--text", text, LANG="zh_CN.UTF-8")  # the locale's
    assert res.returncode == 0 and res.stdout.startswith("情绪：") and "单看文字" in res.stdout, res.stdout
    res = run("predict", "--preset", str(tiny_preset_path), "--text", text, "--json", LANG="zh_CN.UTF-8")
    assert json.loads(res.stdout)["label"] in ("negative", "neutral", "positive")  # JSON stays machine-readable
    res = run("predict", "--preset", str(tiny_preset_path), "--text", text, "--lang", "en", LANG="zh_CN.UTF-8")
    assert res.stdout.startswith("Sentiment: ")
    res = run("predict", "--preset", str(tiny_preset_path), "--text", text, "--use", "image", LANG="zh_CN.UTF-8")
    assert res.returncode == 2 and res.stderr.strip() == "错误：给出的每个输入都已关闭（文字），因此没有结论：请至少打开一个。"
    res = run("explain", "--preset", str(tiny_preset_path), "--lang", "zh-CN")  # nothing given: its flags as they are
    assert res.returncode == 2 and res.stderr.strip() == (
        "错误：请至少给出一个输入：--text、--image、--audio或--video（或 --from 一个保存的解释）。")


def test_a_bad_input_is_refused_in_the_page_language(tiny_model, tmp_path):
    """One clear line, in Chinese for a Chinese page, English otherwise."""
    import gradio as gr

    from msa_demo import ui

    dash = ui.Dashboard(models={"tiny": tiny_model}, default="tiny")
    empty = tmp_path / "cut.wav"
    empty.write_bytes(b"")
    for given, zh, en in (({}, "请至少给出一个输入", "Give at least one input"),
                          ({"audio": str(tmp_path / "none.wav")},
                           f"找不到音频文件“…/{tmp_path.parent.name}/{tmp_path.name}/none.wav”",
                           "No audio file was found"),
                          ({"audio": str(empty)}, "文件是空的（0 字节）", "the file is empty (0 bytes)")):
        for lang, said in (("zh", zh), ("en", en)):
            with pytest.raises(gr.Error) as refused:
                dash.check(lang=lang, **given)
            assert said in str(refused.value.message), refused.value.message
