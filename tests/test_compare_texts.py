"""Two inputs side by side (LIT's datapoint comparison): the Explain tab's inputs and the same with B's text, on the
page's model. A researcher had run Explain twice and diffed the JSON by hand to see that 'amazing' -> 'stunning'
moved 'positive' from 95 % to 77 %; the Compare tab says it in one sentence, with each class and each word below."""

from __future__ import annotations

import html
from pathlib import Path

import gradio as gr
import pytest

from msa_demo import ui, views
from msa_demo.explain.compare import compare_texts
from msa_demo.views.compare import edits_said, texts_headline

A = "The food was not good, but the staff were friendly and the view was amazing."
B = A.replace("amazing", "stunning")
CHEAP = dict(ig_steps=8, image_method="occlusion", deletion_steps=2)


def _exp(text: str, scores: list[float], probs: dict) -> dict:
    """An explanation's parts the comparison reads: its text, its words map (spans in the text), its verdict."""
    spans, pos = [], 0
    for word in text.split():
        start = text.index(word, pos)
        spans.append([start, start + len(word)])
        pos = start + len(word)
    return {"preset": "tiny", "target": "positive", "inputs": {"text": text},
            "prediction": {"label": max(probs, key=probs.get), "probs": probs},
            "maps": [{"modality": "text", "method": "occlusion", "labels": text.split(), "scores": scores,
                      "spans": spans}]}


def test_two_texts_aligned_word_by_word_with_each_word_s_score():
    """Words kept, changed, added and taken out are aligned (difflib), each with its own map's score; the sentence
    on top names the edits and what they moved, in the percents the verdict boxes show."""
    a = _exp("the view was not amazing", [0.1, 0.2, 0.0, -0.5, 0.9], {"negative": 0.05, "positive": 0.95})
    b = _exp("the view was really stunning", [0.1, 0.3, 0.0, 0.2, 0.6], {"negative": 0.231, "positive": 0.769})
    cmp = compare_texts(a, b)
    assert [(r["op"], r["a"], r["b"]) for r in cmp["words"]] == [
        ("same", [("the", 0.1)], [("the", 0.1)]), ("same", [("view", 0.2)], [("view", 0.3)]),
        ("same", [("was", 0.0)], [("was", 0.0)]),
        ("changed", [("not", -0.5), ("amazing", 0.9)], [("really", 0.2), ("stunning", 0.6)])]
    assert cmp["shown"]["positive"] == {"a": 95, "b": 77, "change": -18} and cmp["agree"]
    assert texts_headline(cmp) == "'not amazing' → 'really stunning' moved 'positive' from 95 % to 77 %; both say positive."
    added = compare_texts(a, _exp("the view was not amazing at all", [0.1, 0.2, 0.0, -0.5, 0.9, 0.0, -0.1],
                                  {"negative": 0.6, "positive": 0.4}))
    assert texts_headline(added) == ("'at all' added moved 'positive' from 95 % to 40 %; the verdict went from positive "
                                     "to negative.")
    gone = compare_texts(a, _exp("the view was amazing", [0.1, 0.2, 0.0, 0.9], {"negative": 0.05, "positive": 0.95}))
    assert texts_headline(gone) == "'not' taken out left 'positive' at 95 %; both say positive."
    assert texts_headline(gone, "zh") == "去掉“not”后“正面”仍为 95 %；两者都判为正面。"
    many = compare_texts(a, _exp("a b c d e f g", [0.0] * 7, {"negative": 0.5, "positive": 0.5}))
    assert edits_said(many) == "'the view was not amazing' → 'a b c d e f g'"  # one run of changed words
    scattered = compare_texts(_exp("a x b x c x d x", [0.0] * 8, {"positive": 1.0}),
                              _exp("a y b y c y d y", [0.0] * 8, {"positive": 1.0}))
    assert edits_said(scattered) == "4 edits"


def test_a_long_text_s_words_table_shows_each_edit_with_the_words_around_it():
    """A 60-word review with one word changed had a 60-row words' table, the verdicts far below it: the table keeps
    each edit with two shared words on each side, each run of shared words between said in one row; a short text's
    table stays whole."""
    from msa_demo.views.compare import texts_markdown

    words = [f"w{i}" for i in range(60)]
    long_a = " ".join(words)
    long_b = " ".join(words[:30] + ["changed"] + words[31:])
    cmp = compare_texts(_exp(long_a, [0.01] * 60, {"negative": 0.2, "positive": 0.8}),
                        _exp(long_b, [0.01] * 60, {"negative": 0.3, "positive": 0.7}))
    shown = texts_markdown(cmp)
    table = [line for line in shown.splitlines() if line.startswith("| ")][-7:]  # the words' rows
    assert [line.split(" | ")[0].strip("| ") for line in table] == ["…", "w28", "w29", "**w30**", "w31", "w32", "…"]
    assert "| … | | 28 words the same | |" in shown and "| … | | 27 words the same | |" in shown
    assert "w5 " not in shown and "28 个相同的词" in texts_markdown(cmp, "zh")
    short = compare_texts(_exp("the view was not amazing", [0.1] * 5, {"positive": 0.9, "negative": 0.1}),
                          _exp("the view was amazing", [0.1] * 4, {"positive": 0.95, "negative": 0.05}))
    whole = texts_markdown(short)
    assert "…" not in whole and all(f"| {w} |" in whole for w in ("the", "view", "was", "amazing", "**not**"))


def test_a_second_text_compared_on_the_page_s_model(dash, image_path):
    """B's text on the Compare tab: the page's inputs (text and picture) and the same with B's text, explained by
    the page's preset toward A's class, side by side: both verdicts (as predicting B's inputs gives them), the
    sentence on top, each class's change, the words aligned with their scores; in Chinese too; a download of the
    two texts side by side (there had been none: a stakeholder could not be sent the comparison)."""
    out = dash.compare(None, A, image_path, None, other="", other_text=B, **CHEAP)
    made, cmp = out["compare.made"], out["compare.state"]
    assert made["texts"] and made["a"]["inputs"]["text"] == A and made["b"]["inputs"]["text"] == B
    assert {m["modality"] for m in made["b"]["maps"]} == {"text", "image"}  # the same picture read with B's text
    assert made["b"]["target"] == made["a"]["target"] == cmp["target"]
    model = dash.models[dash.default]
    probs_b = model.predict(inputs=model.read_inputs(text=B, image=image_path))["probs"]
    assert out["compare.fused_b"] == views.label_value(probs_b)  # B as the model predicts it, not A again
    assert [(e["op"], [w for w, _s in e["a"]], [w for w, _s in e["b"]]) for e in cmp["edits"]] == [
        ("changed", ["amazing."], ["stunning."])]
    target = views.label_value(made["a"]["prediction"]["probs"])  # the percents the verdict boxes show
    pa = round(100 * target[cmp["target"]])
    pb = round(100 * views.label_value(probs_b)[cmp["target"]])
    head = out["compare.summary"].split("\n")[0]
    assert head.startswith(f"### 'amazing' → 'stunning' {'moved' if pa != pb else 'left'} '{cmp['target']}' ")
    assert f"from {pa} % to {pb} %" in head if pa != pb else f"at {pa} %" in head
    summary = out["compare.summary"]
    assert "| **amazing.** |" in summary and "| **stunning.** |" in summary and "| food |" in summary
    assert "| class | A | B | change |" in summary and "(tiny)" in summary
    assert out["compare.words_b"] is not None
    button = out["compare.report"]
    assert button.visible and button.interactive
    page = Path(button.value["path"]).read_text(encoding="utf-8")  # what the page says, with both explanations under it
    assert f"<h1>Two texts side by side</h1><p class=\"summary\">{html.escape(head[4:])}</p>" in page
    assert "<td><b>amazing.</b></td>" in page and "<td><b>stunning.</b></td>" in page and "<td>food</td>" in page
    assert "<h2>A&#x27;s text — " in page and "<h2>B&#x27;s text — " in page and "they agree" not in page
    assert all(f'<p class="words" dir="auto">{html.escape(text)}' in page for text in (A, B))  # each one's words
    retold = dash.compare_retold(made, cmp, "zh")
    zh = retold["compare.summary"]
    assert zh.startswith("### “amazing”→“stunning”") and "| 类别 | A | B | 变化 |" in zh
    zh_page = Path(retold["compare.report"]).read_text(encoding="utf-8")
    assert "<h1>两段文字并排对比</h1>" in zh_page and "<th>类别</th>" in zh_page and "A 的文字" in zh_page
    # the page's B preset is not read: the same comparison whatever it says
    assert dash.compare(None, A, image_path, None, other="no-such-preset", other_text=B,
                        **CHEAP)["compare.summary"] == summary


def test_a_second_text_that_cannot_be_compared_is_refused_in_one_line(dash, image_path, tmp_path):
    """No text on the Explain tab (or its box unticked), B's text the same as A's (but for spaces), nothing to
    compare with at all: each one line, said where the comparison would be; B's text empty still compares models."""
    from msa_demo.ui.dashboard import NO_TEXT_A, SAME_TEXT

    cases = [((None, A, None, None), dict(other_text=f"  {A.replace(' ', '  ')} "), SAME_TEXT),
             ((None, "", image_path, None), dict(other_text=B), NO_TEXT_A),
             ((None, A, image_path, None), dict(other_text=B, use_text=False), NO_TEXT_A)]
    for args, named, why in cases:
        with pytest.raises(gr.Error) as refused:
            dash.check_compare(*args, session="page", **named, **CHEAP)
        assert refused.value.message == why and "\n" not in why
        assert dash.compare_refusal("page")["compare.summary"] == f"### ⚠ {views.md(why)}"
        with pytest.raises(gr.Error, match="B's text"):
            dash.compare(*args, **named, **CHEAP)  # from code too
    assert dash.check_compare(None, A, None, None, other_text=B, **CHEAP) == {}
    alone = ui.Dashboard(models=dash.models, default=dash.default, failures={"hub": "offline"}, folder=tmp_path)
    with pytest.raises(gr.Error, match=r"Compare needs a second model or a second text, .* type B's text to compare "
                                       r"two texts, or a preset file"):
        alone.check_compare(None, A, None, None, other="", other_text="   ")
    with pytest.raises(gr.Error, match="B 的文字要与“解释”页上的文字对比"):
        dash.check_compare(None, "", image_path, None, other_text=B, lang="zh", **CHEAP)


def test_a_comparison_of_two_texts_is_out_of_date_once_b_s_text_changes(dash, image_path):
    """The Compare tab says a comparison of two texts is out of date when B's text (or the Explain tab's inputs)
    changed; B's preset, which it does not read, does not matter; a model comparison is out of date once B's text is
    typed (the click would compare texts)."""
    out = dash.compare(None, A, image_path, None, other_text=B, **CHEAP)
    stamp = out["compare.stamp"]
    same = dash.compare_freshness(stamp, None, A, image_path, None, other="lite", other_text=B, **CHEAP)
    assert same["compare.fresh"] == ""
    moved = dash.compare_freshness(stamp, None, A, image_path, None, other="", other_text=B + " Wow", **CHEAP)
    assert "this comparison was made before you changed B's text." in moved["compare.fresh"]
    zh = dash.compare_freshness(stamp, None, A, image_path, None, other_text="", lang="zh", **CHEAP)
    assert "B 的文字" in zh["compare.fresh"]
    models = dash.compare(None, A, image_path, None, other=dash.default, **CHEAP)["compare.stamp"]
    assert "B's text" in dash.compare_freshness(models, None, A, image_path, None, other=dash.default, other_text=B,
                                                **CHEAP)["compare.fresh"]


def test_the_compare_tab_offers_b_s_text_beside_b_s_preset(dash, tmp_path):
    """The page: B's text beside B's preset, read by the click's check and by /compare (a client gives it as
    other_text, empty by default: a model comparison as before), the tab's intro naming both ways."""
    import app

    demo = app.build_demo(dash, tmp_path / "none.json")
    by_id = {c["props"].get("elem_id"): c for c in demo.config["components"] if c.get("props")}
    text_box = by_id["compare-text"]
    assert "B's text" in str(text_box["props"]["label"])
    deps = demo.config["dependencies"]
    button = by_id["compare-btn"]["id"]
    check = next(d for d in deps if [button, "click"] in [list(t) for t in d["targets"]])
    compared = next(d for d in deps if d.get("api_name") == "compare")
    assert text_box["id"] in check["inputs"] and text_box["id"] in compared["inputs"]
    assert [text_box["id"], "change"] in [list(t) for d in deps for t in d["targets"]]  # its freshness line
    params = demo.get_api_info()["named_endpoints"]["/compare"]["parameters"]
    other_text = next(p for p in params if p["parameter_name"] == "other_text")
    assert other_text["parameter_has_default"]
    intro = next(str(c["props"]["value"]) for c in demo.config["components"]
                 if "Side by side" in str(c.get("props", {}).get("value")))
    assert "**another model**" in intro and "**another text**" in intro
