"""The dashboard's own words in English and Chinese: every text the page marks for translation has its Chinese."""

from __future__ import annotations

import pytest

import json


def test_every_marked_text_on_the_page_has_its_chinese(tiny_model, tmp_path):
    import app
    from msa_demo import ui
    from msa_demo.ui.i18n import ZH

    demo = app.build_demo(ui.Dashboard(models={"tiny": tiny_model}, default="tiny"), tmp_path / "none.json")
    keys = set()
    for c in demo.config["components"]:
        for prop in ("label", "value", "info"):
            text = str(c.get("props", {}).get(prop))
            if text.startswith("__i18n__"):
                keys.add(json.loads(text.removeprefix("__i18n__"))["key"])
        for shown, _ in c.get("props", {}).get("choices") or []:  # a radio's choices (the Dataset tab's filters)
            if str(shown).startswith("__i18n__"):
                keys.add(json.loads(str(shown).removeprefix("__i18n__"))["key"])
    assert {"Explain", "Compare", "Fused sentiment", "Text alone", "Heat maps", "use video", "IG steps",
            "Run the curated examples", "Language of the explanations",
            "points on the deletion / AOPC curve"} <= keys  # the Explain tab, its settings and their help, Dataset
    from msa_demo.config import BUILTIN_KINDS
    from msa_demo.registry import names

    plug_ins = [n for n in names() if n not in BUILTIN_KINDS]  # a plug-in's own words stay its own
    assert sorted(k for k in keys if k not in ZH and not any(n in k.lower() for n in plug_ins)) == []
    assert all(ZH[k] and ZH[k] != k for k in keys)  # translated, not copied
    # the labels a person reads on the Explain tab's inputs and panels are all marked
    plain = [c["props"]["label"] for c in demo.config["components"]
             if c.get("props", {}).get("elem_id") in ("fused", "text-input", "image-input", "audio-input", "video-input",
                                                      "own-text", "words", "orig-image", "overlays", "clip")]
    assert plain and all(str(label).startswith("__i18n__") for label in plain), plain
    # and the Dataset tab's, made when the page is built (the data folder's path, the row cap, the filters)
    by_id = {c["props"].get("elem_id"): c["props"] for c in demo.config["components"] if c.get("props")}
    assert str(by_id["dataset-root"]["value"]).startswith("__i18n__") and str(by_id["dataset-run"]["label"]).startswith(
        "__i18n__") and str(by_id["dataset-columns"]["value"]).startswith("__i18n__")
    filters = by_id["dataset-filter"]["choices"]
    assert [v for _, v in filters][:2] == ["all rows", "wrong (prediction ≠ label)"]  # the values stay the names
    assert all(str(shown).startswith("__i18n__") for shown, _ in filters)
    target = by_id["target"]["choices"]  # the class to explain: shown in the page's language, sent as the name
    assert [v for _, v in target] == ["predicted class", "negative", "neutral", "positive"]
    assert all(str(shown).startswith("__i18n__") for shown, _ in target) and ZH["negative"] == "负面"
    methods = by_id["image-method"]["choices"]  # a method or baseline: shown in words of the page's language
    assert [v for _, v in methods] == ["both", "integrated_gradients", "occlusion", "shapley_value_sampling"]
    assert all(str(shown).startswith("__i18n__") for shown, _ in methods + by_id["image-baseline"]["choices"])
    assert (ZH["integrated gradients"], ZH["blur"], ZH["silence"]) == ("积分梯度", "模糊", "静音")
    assert ZH["text alone wrong"] == "文字单独判断错误" and "数据文件夹" in next(ZH[k] for k in keys if "Data folder" in k)


def test_the_page_language_follows_the_switch_then_the_browser():
    """The server's words follow the session's pick on the switch, else the one kept from an earlier visit (its
    cookie), else the request's Accept-Language."""
    from types import SimpleNamespace

    from msa_demo.i18n import lang_of
    from msa_demo.ui.i18n import choose_language, page_language

    assert [lang_of(v) for v in ("zh-CN,zh;q=0.9,en;q=0.8", "zh_CN.UTF-8", "zh-TW", "en-US,zh;q=0.5", "", None,
                                 "C.UTF-8", "简体中文")] == ["zh", "zh", "zh", "en", "en", "en", "en", "zh"]
    browser = SimpleNamespace(session_hash="s-i18n-1", headers={"accept-language": "zh-CN,zh;q=0.9"})
    assert page_language(browser) == "zh" and page_language(None) == "en"
    assert choose_language("en", browser) == "en" and page_language(browser) == "en"  # the switch wins
    other = SimpleNamespace(session_hash="s-i18n-2", headers={"accept-language": "zh-CN"})
    assert page_language(other) == "zh"  # another session is not touched
    # a new page (a reload: a new session) in a browser that picked English on an earlier visit: its cookie wins
    # over the browser's language; a cookie of no language of ours is passed over
    again = SimpleNamespace(session_hash="s-i18n-3", headers={"accept-language": "zh-CN"}, cookies={"msa_lang": "en"})
    assert page_language(again) == "en"
    odd = SimpleNamespace(session_hash="s-i18n-4", headers={"accept-language": "zh-CN"}, cookies={"msa_lang": "fr"})
    assert page_language(odd) == "zh"


def test_a_handler_gets_the_page_language_and_gradio_gives_it_the_request():
    import gradio as gr
    from gradio.helpers import special_args

    from msa_demo.ui.i18n import in_page_language

    def handler(*args, lang="en", **named):
        return lang, args, named

    wrapped = in_page_language(handler)
    request = gr.Request(headers={"accept-language": "zh-CN"})
    args, *_ = special_args(wrapped, [], request)  # as Gradio calls an event's function
    assert args and args[0] is request
    assert wrapped(*args, 1, x=2) == ("zh", (1,), {"x": 2})
    assert wrapped(None) == ("en", (), {})


def test_a_refusal_is_said_in_the_page_language():
    """A handler wrapped by ``in_page_language`` (one that takes ``lang`` or not, a generator too) that refuses:
    the toast says it in the page's language, with its title; a line the tables do not know stays as it is."""
    import gradio as gr

    from msa_demo.ui.i18n import in_page_language

    def share(exp):
        if exp is None:
            raise gr.Error("There is no explanation to share yet: click 'Explain' first.", print_exception=False)
        raise gr.Error(f"The preset '{exp}' is not loaded. Pick one of: lite, hub.", print_exception=False)

    def stream(exp, lang="en"):
        yield lang
        share(exp)

    chinese, english = gr.Request(headers={"accept-language": "zh-CN"}), gr.Request(headers={})
    for wrapped in (in_page_language(share), lambda r, e: list(in_page_language(stream)(r, e))):
        with pytest.raises(gr.Error) as zh:
            wrapped(chinese, None)
        assert zh.value.message == "还没有可以分享的解释：请先点击“解释”。" and zh.value.title == "错误"
        with pytest.raises(gr.Error) as named:
            wrapped(chinese, "big")
        assert named.value.message == "预设“big”没有加载。请从这些中选择：lite、hub。"
        with pytest.raises(gr.Error) as en:
            wrapped(english, None)
        assert en.value.message == "There is no explanation to share yet: click 'Explain' first."
    with pytest.raises(gr.Error) as unknown:
        in_page_language(lambda: (_ for _ in ()).throw(gr.Error("A line no table knows.")))(chinese)
    assert unknown.value.message == "A line no table knows."
    assert unknown.value.title == "错误"  # the title is the page's language's even so (it stayed "Error")
    with pytest.raises(gr.Error) as written:  # a message written in Chinese already
        in_page_language(lambda: (_ for _ in ()).throw(gr.Error("已经是中文。", title="Warning")))(chinese)
    assert (written.value.message, written.value.title) == ("已经是中文。", "注意")


def test_a_video_the_reader_refuses_is_refused_in_chinese(tmp_path):
    """A text file named .mp4, an empty clip, a still picture named .gif given as a video: the Chinese page said
    "'fake.mp4' could not be read as a video. It may be damaged ..." in English."""
    import re

    from PIL import Image

    from msa_demo.errors import InputError
    from msa_demo.i18n import said
    from msa_demo.modalities.video import load_video

    (tmp_path / "fake.mp4").write_text("not a clip")
    (tmp_path / "empty.mp4").write_bytes(b"")
    Image.new("RGB", (16, 16)).save(tmp_path / "still.gif")
    for name in ("fake.mp4", "empty.mp4", "still.gif"):
        with pytest.raises(InputError) as refused:
            load_video(str(tmp_path / name))
        zh = said(str(refused.value), "zh")
        assert re.fullmatch(r"[^A-Za-z]*'\w+\.(mp4|gif)'[^A-Za-z]*(MP4、WebM、MOV、MKV、AVI 或 GIF 动图。|GIF[^A-Za-z]*)?", zh), zh


def test_the_progress_bar_speaks_the_page_language():
    from msa_demo.ui.widgets import progress_adapter, rows_progress

    said = []
    progress = lambda fraction=None, desc=None: said.append(desc)  # noqa: E731 - Gradio's progress, as called
    progress_adapter(progress, "zh")(0.1, "explaining text, image")
    progress_adapter(progress, "zh")(0.5, "explained audio")
    rows_progress(progress, every=0, lang="zh")("text", 3, 9)
    progress_adapter(progress)(0.5, "explained audio")
    assert said == ["正在解释文字、图片", "已解释音频", "归因图，已完成/计划的模型计算行数：文字 3/9", "explained audio"]


def test_a_maps_caption_names_its_method_and_baseline_in_the_page_language():
    from msa_demo.views.figures import map_caption

    m = {"method": "occlusion", "params": {"baseline": "blur", "grid": 7}}
    assert map_caption(m) == "occlusion · baseline: blur · grid: 7"
    assert map_caption(m, "zh") == "遮挡 · 基线：模糊 · 网格：7"
    said = {"method": "occlusion", "params": {"baseline": "pad token", "segment_seconds": 0.5}}  # the words heard
    assert "基线：填充符" in map_caption(said, "zh") and "baseline: pad token" in map_caption(said)


def test_the_page_opens_in_the_browser_s_language_without_undoing_a_click_on_the_switch(tiny_model, tmp_path):
    """The page is laid out in English; as it opens, a Chinese browser's gets the switch, the header and the
    examples' names in Chinese. An English browser's gets nothing: the switch sent its value anyway undid a click
    on it made while the page loaded (on a busy CPU the page turned Chinese and at once back)."""
    import gradio as gr
    from gradio.helpers import special_args

    import app
    from msa_demo import ui

    (tmp_path / "examples.json").write_text(json.dumps([{"name": "Text only", "text": "A fine day.", "note": ""}]))
    demo = app.build_demo(ui.Dashboard(models={"tiny": tiny_model}, default="tiny"), tmp_path / "examples.json")
    switch = next(c["id"] for c in demo.config["components"] if c.get("props", {}).get("elem_id") == "language")
    opening = next(fn for fn in demo.fns.values() if any(t[1] == "load" for t in fn.targets)
                   and switch in [o._id for o in fn.outputs])

    def opened(accept_language: str):
        request = gr.Request(headers={"accept-language": accept_language})
        return opening.fn(*special_args(opening.fn, [], request)[0])

    lang, header, names = opened("zh-CN,zh;q=0.9")
    assert lang == "zh" and "预设" in header and names.sample_labels == ["仅文字"]
    assert all(isinstance(v, type(gr.skip())) and v == gr.skip() for v in opened("en-US,en;q=0.9"))


def test_an_english_line_no_key_covers_is_left_whole_not_cut_up_by_a_short_key():
    """"{n} of {k}" (a table cell) read every line with "of" in it: a manifest's error came out as "the columns
    text、图片… 个中的 The manifest … has none 个". Its fields are counts now; a user's column names stay as typed."""
    from msa_demo.i18n import said

    line = "The parrot is none of the things it says (it has: feathers, label)."
    assert said(line, "zh") == line
    assert said("3 of 5", "zh") == "5 个中的 3 个"
    err = ("The manifest 'm.csv' has none of the columns text, image, audio, video (it has: review, label). Map a "
           "column of yours: --columns text=review.")
    assert said(err, "zh") == ("清单“m.csv”没有 text, image, audio, video 中的任何一列（它有：review, label）。请映射你的列："
                               "--columns text=review。")


def test_the_dataset_tab_names_its_manifest_columns_in_the_page_language():
    """The columns line of "Run your own manifest": the names stay as a manifest spells them, the words around them
    follow the page (the Chinese page had said "(image, audio, video: paths relative to the manifest)" in English)."""
    from msa_demo.registry import kinds
    from msa_demo.ui.dataset_tab import manifest_columns

    en, zh = manifest_columns(), manifest_columns("zh")
    files = [k.name for k in kinds() if k.manifest_file]
    assert "paths relative to the data folder" in en and "relative" not in zh and "相对于数据文件夹" in zh
    assert all(f"`{k.name}`" in en and f"`{k.name}`" in zh for k in kinds()) and "、".join(files) in zh


def test_gradio_s_own_words_put_in_chinese_are_gradio_s():
    """``GRADIO_WORDS`` (Gradio's words its locales lack, said in Chinese on a Chinese page) names words the installed
    Gradio's page really writes: a Gradio that renames one is noticed here, not by a Chinese user."""
    import re
    from pathlib import Path

    import gradio

    from msa_demo.ui.i18n import GRADIO_PATTERNS, GRADIO_WORDS

    heads = [re.match(r"\^([A-Za-z ]+)", pattern).group(1).strip() for pattern, _ in GRADIO_PATTERNS]
    code = b"\n".join(p.read_bytes() for p in (Path(gradio.__file__).parent / "templates" / "frontend").rglob("*.js"))
    missing = [w for w in [*GRADIO_WORDS, *heads] if w.encode() not in code]
    assert not missing, missing
    for pattern, zh in GRADIO_PATTERNS:
        assert zh.count("$") == re.compile(pattern).groups
    assert all(re.search(r"[\u4e00-\u9fff]", zh) for zh in GRADIO_WORDS.values())


def test_the_first_chinese_words_said_in_two_threads_at_once_are_said_in_both():
    """The first Chinese page and the worked example's Chinese report were said at once in two threads: one read the
    table of sentence patterns while the other was still filling it, and the page opened on an error ("too many
    values to unpack") instead of the worked example."""
    from at_once import at_once

    from msa_demo import i18n

    line = "Audio: no flip found before the what-if's time ran out (25 forwards)"
    i18n._PATTERNS.clear()
    expected = i18n.said(line, "zh")
    assert expected != line
    said, errors = at_once(lambda: i18n.said(line, "zh"), rounds=3, before=i18n._PATTERNS.clear)
    assert not errors, errors
    assert said == [expected] * 12
