"""What the downloaded report tells the person who opens it, read from the HTML it is (parsed, not matched against a
snapshot): when and by what it was made, under a name that tells it from others; word chips whose text reads
against their colour (WCAG AA) and whose category is seen without colour; charts readable on a phone; every word in
the report's language, its pictures' and charts' descriptions too."""

from __future__ import annotations

import copy
import json
import html
import re
from datetime import datetime, timedelta, timezone
from html.parser import HTMLParser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


# ---------------------------------------------------------------------------------------------- a small DOM


class Node:
    def __init__(self, tag: str, attrs: dict, parent: "Node | None"):
        self.tag, self.attrs, self.parent, self.children = tag, attrs, parent, []

    @property
    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text for c in self.children)

    def classes(self) -> set[str]:
        return set((self.attrs.get("class") or "").split())

    def ancestors(self):
        node = self.parent
        while node is not None:
            yield node
            node = node.parent

    def find_all(self, tag: str | None = None, cls: str | None = None) -> list["Node"]:
        out = []
        for c in self.children:
            if isinstance(c, Node):
                if (tag is None or c.tag == tag) and (cls is None or cls in c.classes()):
                    out.append(c)
                out += c.find_all(tag, cls)
        return out


VOID = {"meta", "img", "br", "hr", "input", "link", "source", "wbr"}


class _Tree(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = self.at = Node("#root", {}, None)

    def handle_starttag(self, tag, attrs):
        node = Node(tag, dict(attrs), self.at)
        self.at.children.append(node)
        if tag not in VOID:
            self.at = node

    def handle_startendtag(self, tag, attrs):
        self.at.children.append(Node(tag, dict(attrs), self.at))

    def handle_endtag(self, tag):
        node = self.at
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.at = node.parent

    def handle_data(self, data):
        self.at.children.append(data)


def parse(page: str) -> Node:
    tree = _Tree()
    tree.feed(page)
    return tree.root


# ---------------------------------------------------------------------------------------------- explanations


@pytest.fixture(scope="module")
def explained(tiny_model):
    """A text, a picture and a voice explained by the tiny preset (as a dict, as the dashboard keeps it)."""
    import numpy as np
    from PIL import Image

    from msa_demo.explain import ExplainOptions, explain

    rng = np.random.default_rng(0)
    img = Image.fromarray(rng.integers(0, 255, (48, 64, 3), dtype=np.uint8))
    voice = (0.3 * np.sin(2 * np.pi * 440 * np.arange(16000) / 16000)).astype(np.float32)
    inputs = tiny_model.read_inputs("I loved it at first, but then it broke and the support was awful", img,
                                    (16000, voice))
    before = datetime.now(timezone.utc).replace(microsecond=0)
    exp = explain(tiny_model, inputs, options=ExplainOptions(ig_max_steps=8, deletion_steps=4)).to_dict()
    after = datetime.now(timezone.utc)
    return exp, before, after


@pytest.fixture
def exp(explained):
    return copy.deepcopy(explained[0])


# ---------------------------------------------------------------------------------------------- 1. provenance


def test_an_explanation_records_when_and_by_which_msa_demo_it_was_made(explained):
    import msa_demo

    exp, before, after = explained
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", exp["created"]), exp["created"]
    made = datetime.fromisoformat(exp["created"].replace("Z", "+00:00"))
    assert before <= made <= after
    assert exp["msa_demo_version"] == msa_demo.__version__


def test_an_older_explanation_without_them_still_loads_and_reports(exp):
    from msa_demo import report
    from msa_demo.explain.result import Explanation

    old = {k: v for k, v in exp.items() if k not in ("created", "msa_demo_version")}
    loaded = Explanation.from_dict(old)
    assert loaded.created == "" and loaded.msa_demo_version == ""
    line = parse(report.to_html(old)).find_all("p", "made")
    assert len(line) == 1
    assert "This report was made by msa_demo" in line[0].text and "does not record when" in line[0].text


def test_the_report_says_by_what_and_when_it_was_made(exp):
    import msa_demo
    from msa_demo import report
    from msa_demo.views import shown_id

    exp["created"] = "2026-12-07T01:27:33Z"
    preset = exp["preset"]
    for lang, words in (("en", ("Made by msa_demo", f"preset {preset}", "models:")),
                        ("zh", ("由 msa_demo", "生成于", f"预设 {preset}", "模型："))):
        made = parse(report.to_html(exp, lang)).find_all("p", "made")
        assert len(made) == 1, lang
        text = made[0].text
        assert all(w in text for w in words), text
        assert msa_demo.__version__ in text and "2026-12-07 01:27 UTC" in text, text
        for m in exp["prediction"]["used"]:  # each model read, with its revision
            spec = exp["models"][m]
            assert f"{shown_id(spec['model_id'])}@{spec['revision']}".replace("@local", "") in text, (m, text)
    from test_i18n_server import english_left, own_words

    zh = parse(report.to_html(exp, "zh")).find_all("p", "made")[0].text
    assert english_left(zh, *own_words(exp)) == [], zh
    assert english_left(parse(report.to_html(exp)).find_all("p", "made")[0].text, *own_words(exp))  # can fail


def test_a_report_names_its_file_by_verdict_and_time(exp, tiny_preset_path):
    from msa_demo import report, ui
    from msa_demo.views.story import map_trust

    exp["created"] = "2026-12-07T01:27:33Z"
    name = report.report_file_name(exp)
    assert re.fullmatch(r"[A-Za-z0-9_.-]+\.html", name) and exp["prediction"]["label"] in name, name
    assert "2026-12-07" in name and "01-27-33" in name, name
    later = {**exp, "created": "2026-12-07T01:27:34Z"}
    zh = report.report_file_name(exp, "zh")
    assert len({name, report.report_file_name(later), zh}) == 3 and re.fullmatch(r"[A-Za-z0-9_.-]+\.html", zh)
    old = {k: v for k, v in exp.items() if k != "created"}  # no time: still its own safe name
    assert re.fullmatch(r"msa_report_[a-z-]+_[0-9a-f]{8}\.html", report.report_file_name(old))
    # the dashboard's download goes by that name, in each language
    dash = ui.Dashboard.load(str(tiny_preset_path), fallback=None, device="cpu")
    for lang in ("en", "zh"):
        html_path, json_path = dash.write_report(exp, lang)
        assert html_path.name == report.report_file_name(exp, lang) and html_path.is_file()
        saved = json.loads(json_path.read_text(encoding="utf-8"))
        assert saved["created"] == exp["created"]
        # each map with its trust verdict, as /explain_json gives it (the download had the figures and no ✓ / ✗)
        assert [m["trust"] for m in saved["maps"]] == map_trust(exp) and any(m["trust"]["mark"] for m in saved["maps"])
        embedded = re.search(r'id="explanation-json">(.*?)</script>', html_path.read_text(encoding="utf-8"), re.S)
        assert [m["trust"]["mark"] for m in json.loads(embedded.group(1))["maps"]] == [v["mark"] for v in map_trust(exp)]
        assert json_path.name == "msa_explanation" + name[len("msa_report"):-len(".html")] + ".json"  # the JSON too


# ---------------------------------------------------------------------------------------------- 2-3. word chips


def css_rules(page: str) -> dict[str, dict[str, list[str]]]:
    """The page's CSS as {selector: {property: [values, in order]}} (every <style>; media rules left out)."""
    css = "".join(re.findall(r"<style>(.*?)</style>", page, re.S))
    css = re.sub(r"@media[^{]*\{(?:[^{}]*\{[^{}]*\})*[^{}]*\}", "", css)
    rules: dict[str, dict[str, list[str]]] = {}
    for selectors, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css):
        for selector in selectors.split(","):
            into = rules.setdefault(selector.strip(), {})
            for decl in re.findall(r'((?:[^;"]|"[^"]*")+)', body):
                if ":" in decl:
                    prop, value = decl.split(":", 1)
                    into.setdefault(prop.strip(), []).append(value.strip())
    return rules


def chip_colours(page: str, node: Node) -> tuple[str, str]:
    """A chip's (text colour, background) as the page's CSS gives them (its class's rule, else the body's text)."""
    rules = css_rules(page)
    fore, back = rules["body"]["color"][-1], None
    for cls in node.classes():
        rule = rules.get("." + cls, {})
        fore = rule.get("color", [fore])[-1]
        back = rule.get("background", [back])[-1]
    style = dict(d.split(":", 1) for d in (node.attrs.get("style") or "").split(";") if ":" in d)
    return style.get("color", fore).strip(), style.get("background", back or "#ffffff").strip()


def chips_of(page: str) -> tuple[list[Node], list[Node]]:
    tree = parse(page)
    words = [s for p in tree.find_all("p", "words") for s in p.find_all("span")]
    legend = [s for p in tree.find_all("p", "legend") for s in p.find_all("span")]
    return words, legend


def strong_words_exp(exp: dict) -> dict:
    """``exp`` with its words map made to hold every category: strongly for, for, against, strongly against."""
    m = next(m for m in exp["maps"] if m["modality"] == "text")
    m["scores"] = [(1.0, 0.3, -0.3, -1.0)[i % 4] * (1 if i < 4 else 0.05) for i in range(len(m["scores"]))]
    return exp


def wcag(fore: str, back: str) -> float:
    """The WCAG 2 contrast ratio (relative luminance of sRGB), computed here, apart from the code under test."""
    def lum(c: str) -> float:
        c = c.lstrip("#")
        c = "".join(ch * 2 for ch in c) if len(c) == 3 else c
        rgb = [int(c[i:i + 2], 16) / 255 for i in (0, 2, 4)]
        r, g, b = [v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4 for v in rgb]
        return 0.2126 * r + 0.7152 * g + 0.0722 * b
    a, b = sorted((lum(fore), lum(back)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def test_the_wcag_contrast_formula():
    from msa_demo.views import contrast, readable_on

    assert wcag("#000000", "#ffffff") == pytest.approx(21.0)
    assert wcag("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)  # the classic just-fails grey
    assert wcag("#222", "#d73027") == pytest.approx(3.29, abs=0.01)  # the tester's figures
    assert wcag("#222222", "#1a9850") == pytest.approx(4.28, abs=0.01)
    for back in ("#1a9850", "#a6d96a", "#f4a09a", "#d73027", "#2166ac", "#92c5de", "#fdb863", "#e66101", "#000000",
                 "#ffffff", "#777777"):
        assert contrast("#222222", back) == pytest.approx(wcag("#222222", back))
        assert wcag(readable_on(back), back) >= 4.5, back


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_word_chip_reads_against_its_colour(exp, lang):
    """'strongly against' was #222 on #d73027 (3.29:1) and 'strongly for' #222 on #1a9850 (4.28:1): each chip, in
    the words and in the legend, now reaches WCAG AA (4.5:1), the shared colours unchanged."""
    from msa_demo import report, views

    page = report.to_html(strong_words_exp(exp), lang)
    words, legend = chips_of(page)
    assert len(legend) == 4 and len(words) >= 4
    seen = set()
    for chip in words + legend:
        fore, back = chip_colours(page, chip)
        assert wcag(fore, back) >= 4.5, (chip.text, fore, back)
        seen.add(back)
    assert seen == set(views.WORD_LEGEND.values())  # the legend's own colours, each one used
    assert views.WORD_LEGEND == {"▲▲ strongly for": "#2166ac", "▲ for": "#92c5de", "▼ against": "#fdb863",
                                 "▼▼ strongly against": "#e66101"}  # the page's and the heat maps' (blue ↔ orange)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_word_chip_carries_the_legend_s_mark_not_only_its_colour(exp, lang):
    """The category was only in a chip's colour and its tooltip (which a phone does not show): each word now shows
    the legend's mark (▲▲ / ▲ / ▼ / ▼▼) after it, the one the legend gives its colour, and a screen reader is told
    the category's name in the report's language."""
    from msa_demo import report

    page = report.to_html(strong_words_exp(exp), lang)
    rules = css_rules(page)
    words, legend = chips_of(page)
    by_colour = {chip_colours(page, c)[1]: c.text.split(" ", 1) for c in legend}  # colour -> [mark, name]
    assert sorted(m for m, _ in by_colour.values()) == sorted(["▲▲", "▲", "▼", "▼▼"])
    kinds = set()
    for chip in words:
        back = chip_colours(page, chip)[1]
        mark, name = by_colour[back]
        after = [rules.get(f".words .{c}::after", {}).get("content") for c in chip.classes()]
        assert any(after), (chip.text, "no mark after the word")
        contents = next(a for a in after if a)
        assert contents[0] == f'"{mark}"', (chip.text, contents)  # seen: the mark itself
        seen, said = re.fullmatch(r'"([^"]*)"\s*/\s*"([^"]*)"', contents[-1]).groups()  # heard: its name
        assert seen == mark and name in said, (chip.text, contents)
        assert chip.attrs.get("title") == f"{mark} {name}"  # the tooltip, as the legend says it
        kinds.add(mark)
    assert kinds == {"▲▲", "▲", "▼", "▼▼"}
    assert all(not re.search(r"[A-Za-z]", n) for _m, n in by_colour.values()) == (lang == "zh")
    shown = rules[".words span::after"]  # small and raised beside the word
    assert shown["vertical-align"] == ["super"] and float(shown["font-size"][0].rstrip("em")) >= 0.6
    assert not [r for r in rules if r.startswith(".legend") and "::after" in r]  # the legend says its marks itself


@pytest.mark.parametrize("lang, said", [
    ("en", "Blue words pushed the model toward '{target}', orange words away from it: the colours are about this "
           "verdict, not about whether a word is kind or harsh."),
    ("zh", "蓝色的词把模型推向“{target}”，橙色的词把它推离“{target}”：颜色说的是这个结论，不是这个词本身是好话还是坏话。")])
def test_the_words_colours_are_said_to_be_about_the_explained_class_on_the_page_and_in_the_report(exp, lang, said):
    """A reader of a negative verdict's report took its red "Thank you" for the model calling thanks negative, and
    its green "awful" for praise: the legend said "strongly for" without saying for what. The line above the
    legend names the class (the one explained, not the text's own tone), and the page's words panel says the
    same as its label."""
    from msa_demo import i18n, report, views
    from msa_demo.kinds import text

    for target in ("negative", "positive"):
        shown = {**strong_words_exp(exp), "target": target}
        line = said.format(target=i18n.label(target, lang))
        # where the map starts, when its blank reads the class as strongly as the text (tests/test_trust_words.py)
        line += "".join(("" if lang == "zh" else " ") + c for c in views.words_caveats(shown, lang))
        page = report.to_html(shown, lang)
        assert [p.text for p in parse(page).find_all("p") if p.text == line] == [line], target
        assert f"<p>{html.escape(line, quote=True)}</p><p class=\"legend\">" in page  # just above the legend
        assert text.render(shown, lang)["words"]["label"] == line


@pytest.mark.parametrize("lang, said", [
    ("en", "How sure the model is of each class, all inputs together (the three add up to 100 %)."),
    ("zh", "模型对每个类别有多确定（综合所有输入；三者相加为 100%）。")])
def test_the_probabilities_say_what_they_are(exp, lang, said):
    """A reader took "62.4 %" for "62 % of the post is negative": the table of the classes says what its numbers
    are, and they add up to 100 (as printed, to a tenth)."""
    from msa_demo import report

    page = report.to_html(exp, lang)
    table = page[page.index("<caption>"):page.index("</table>", page.index("<caption>"))]
    assert table.startswith(f"<caption>{said}</caption>")
    shown = [float(v) for v in re.findall(r"<td>([\d.]+)%</td>", table)]
    assert len(shown) == 3 and abs(sum(shown) - 100) <= 0.2, shown


# ---------------------------------------------------------------------------------------------- 4. charts on a phone


def test_every_chart_sits_in_a_frame_that_scrolls_it_not_the_page(exp):
    """Each SVG chart (the waveform) keeps its size in a frame of its own that scrolls sideways (the keyboard can
    focus it); a chart had been shrunk to a phone's width, its words 5 to 8 px tall."""
    from msa_demo import report

    page = report.to_html(exp)
    tree = parse(page)
    charts = tree.find_all("svg")
    assert len(charts) >= 1  # the waveform (the bars are HTML, as wide as the screen: test_responsive)
    for svg in charts:
        frames = [a for a in svg.ancestors() if a.tag == "div" and "chart" in a.classes()]
        assert len(frames) == 1 and frames[0].attrs.get("tabindex") == "0", svg.attrs.get("aria-label")
        assert svg.parent is frames[0]
    rules = css_rules(page)
    assert rules[".chart"]["overflow-x"] == ["auto"] and rules[".chart"]["max-width"] == ["100%"]
    assert rules[".chart svg"]["max-width"] == ["none"]  # not shrunk to the frame: scrolled in it
    assert "overflow-x" not in rules.get("body", {})
    assert "explanation-json" in page and page.count('class="chart"') == len(charts)  # the JSON untouched


def test_a_report_on_a_phone_keeps_its_charts_readable_and_the_page_its_width(exp, tmp_path):
    """At 390 × 844 the report does not scroll sideways, each chart's frame fits the screen, and every word of a
    chart is drawn at least 11 px tall (its own font size: the chart is not scaled down); a frame scrolls to show
    the rest of its chart. In the words, each chip shows its mark."""
    from serving import CHROMIUM, chromium

    from msa_demo import report

    if CHROMIUM is None:
        pytest.skip("Debian chromium is not installed")
    page_path = tmp_path / "report.html"
    page_path.write_text(report.to_html(strong_words_exp(exp)), encoding="utf-8")
    for browser in chromium():
        phone = browser.new_page(viewport={"width": 390, "height": 844})
        phone.goto(page_path.as_uri())
        got = phone.evaluate("""() => {
            const svgs = [...document.querySelectorAll('svg')];
            const bars = [...document.querySelectorAll('.bars .r')].map(r => r.getBoundingClientRect().right);
            const frames = [...document.querySelectorAll('.chart')];
            const px = [...document.querySelectorAll('svg text')].filter(t => t.getBBox().width > 0).map(t => {
              const svg = t.ownerSVGElement, scale = svg.getBoundingClientRect().width / svg.width.baseVal.value;
              return parseFloat(getComputedStyle(t).fontSize) * scale;
            });
            const scrolls = frames.map(f => f.scrollWidth - f.clientWidth);
            frames.forEach(f => f.scrollLeft = f.scrollWidth);
            const marks = [...document.querySelectorAll('.words span')].map(s =>
              getComputedStyle(s, '::after').content);
            return {page: document.documentElement.scrollWidth, frames: frames.map(f => f.getBoundingClientRect().right),
                    svgs: svgs.length, px, scrolls, scrolled: frames.map(f => f.scrollLeft), marks, bars};
        }""")
        phone.screenshot(path=str(tmp_path / "phone.png"), full_page=True)
        phone.close()
    assert got["svgs"] >= 1 and got["page"] <= 390, got
    assert len(got["bars"]) >= 5 and max(got["bars"]) <= 390, got  # every bar row on the screen, none scrolled
    assert got["px"] and min(got["px"]) >= 11, got["px"]
    assert len(got["frames"]) == got["svgs"] and max(got["frames"]) <= 390, got
    assert any(s > 0 for s in got["scrolls"]) and all(
        left >= s - 1 for left, s in zip(got["scrolled"], got["scrolls"])), got  # what is cut off is scrolled to
    assert got["marks"] and all(re.match(r'"[▲▼]{1,2}"', m) for m in got["marks"]), got["marks"]


# ---------------------------------------------------------------------------------------------- 5. in its language


def described(page: str) -> list[tuple[str, str]]:
    """What the page says that is not its text: each picture's alt, each chart's label, each tooltip."""
    tree = parse(page)
    return [(f"{n.tag}[{a}]", n.attrs[a]) for n in tree.find_all() for a in ("alt", "aria-label", "title")
            if n.attrs.get(a)]


def with_image_what_if(exp: dict) -> dict:
    """``exp`` with a what-if that flips the verdict by removing two of the picture's regions (its picture drawn)."""
    from msa_demo.explain.result import Counterfactual

    other = "positive" if exp["prediction"]["label"] != "positive" else "negative"
    exp["what_if"] = [Counterfactual(modality="image", edit="remove", flipped=True, original=exp["prediction"]["label"],
                                     label=other, probs={other: 0.6}, sentence="", units=["r1c1", "r1c2"],
                                     indices=[0, 1], spans=[[0, 0, 10, 10], [10, 0, 20, 10]], minimal=True,
                                     method="occlusion", max_forwards=64).to_dict()]
    return exp


def test_the_chinese_report_describes_its_pictures_and_charts_in_chinese(exp):
    """An image alt "original picture", a chart labelled "waveform", the what-if's "the picture without those
    regions" stayed English in the Chinese report; each heat map's alt said only "1. 积分梯度" where the page
    says which map it is and what its colours mean. Each is now said in the report's language, whole."""
    from msa_demo import report
    from msa_demo.i18n import label
    from msa_demo.views import map_caption
    from test_i18n_server import english_left, own_words

    exp = with_image_what_if(exp)
    zh = report.to_html(exp, "zh")
    said = described(zh)
    alts = [v for k, v in said if k == "img[alt]"]
    assert len(alts) >= 4 and "输入的图片" in alts and "去掉这些区域（灰色）后的图片" in alts, alts
    left = {v: english_left(v, *own_words(exp)) for _k, v in said}
    assert not any(left.values()), {v: w for v, w in left.items() if w}
    maps = [m for m in exp["maps"] if m["modality"] == "image" and m.get("heatmap")]
    heat = [a for a in alts if "热力图" in a]
    assert len(heat) == len(maps) == 2
    for i, (alt, m) in enumerate(zip(heat, maps), 1):  # which map, in full, and what its colours mean
        assert alt.startswith(f"{i}. {map_caption(m, 'zh')}") and "基线" in alt, alt
        assert f"蓝色处推向“{label(exp['target'], 'zh')}”" in alt and "橙色处推离" in alt and "颜色越深" in alt, alt
    wave = [v for k, v in said if k == "svg[aria-label]" and "波形" in v]
    assert len(wave) == 1 and "蓝色推向" in wave[0], said
    # in English, as English, and as whole
    en = described(report.to_html(exp))
    assert {"The picture given", "The picture without those regions (greyed)"} <= {v for k, v in en if k == "img[alt]"}
    assert any("heat map over the picture, blue where it pushed toward" in v for _k, v in en)
    assert any(v.startswith("The clip's waveform over its") for _k, v in en)
    assert not any(re.search(r"[\u4e00-\u9fff]", v) for _k, v in en)


def test_a_clip_s_frames_are_described_in_the_report_s_language():
    """The filmstrip's "frame at 1.0 s" and the key frame's "key frame heat map" (a clip's report section, whose
    rendering takes a video: tests/test_i18n_server.py renders one) have their Chinese, with the same fields."""
    import string

    from msa_demo.i18n import ZH, t
    from msa_demo.kinds.video import FRAME_ALT, KEY_FRAME_ALT

    def fields(s: str) -> set:
        return {name for _, name, _, _ in string.Formatter().parse(s) if name}

    for key in (FRAME_ALT, KEY_FRAME_ALT):
        assert key in ZH and fields(ZH[key]) == fields(key)
    said = t(KEY_FRAME_ALT, "zh", time="1.5", caption="关键帧遮挡", target="负面")
    assert "1.5 秒" in said and "热力图" in said and not re.search(r"[A-Za-z]", said)
    assert t(FRAME_ALT, "zh", time="1.0") == "视频在 1.0 秒处的画面"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_modality_alone_too_close_to_call_is_said_so_as_the_page_says_it(exp, lang):
    """A clip alone at 49.5 % positive / 47.5 % negative: the page said "Video alone: too close to call", the report's
    "alone says" column "positive"."""
    from msa_demo import report
    from msa_demo.i18n import modality, t

    close = copy.deepcopy(exp)
    per = close["prediction"]["modalities"]
    first = next(iter(per))
    per[first] = {**per[first], "label": "positive", "probs": {"positive": 0.495, "negative": 0.475, "neutral": 0.03}}
    rows = [r for r in parse(report.to_html(close, lang)).find_all("tr") if r.find_all("td")]
    row = next(r for r in rows if r.find_all("td")[0].text == modality(first, lang))
    assert row.find_all("td")[1].text == t("too close to call", lang)
    others = [r for r in rows if r.find_all("td")[0].text in (modality(m, lang) for m in per if m != first)]
    assert others and all(r.find_all("td")[1].text != t("too close to call", lang) for r in others)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_words_that_barely_moved_the_score_are_not_marked_strongly_for_or_against(exp, lang):
    """A tiny random model's words each moved P(target) by about 1e-6 (the command line printed +0.0000), and the
    chips, scaled to the strongest word, said "▲▲ STRONGLY FOR" and "▼▼ STRONGLY AGAINST". Such a map marks no
    word and says why in one line, on the page and in the report; a map whose words matter keeps its scaling."""
    from msa_demo import i18n, report, views
    from msa_demo.kinds import text

    m = next(m for m in exp["maps"] if m["modality"] == "text")
    top = max(abs(s) for s in m["scores"])
    assert 0 < top < views.figures.NEGLIGIBLE  # as the tiny model explains it, not made up
    line = views.negligible_words(exp, lang)
    assert line == i18n.t("Every word moved P('{target}') by less than 0.01 %: no word mattered, so none is "
                                  "marked.", lang, target=i18n.label(exp["target"], lang))
    assert all(cat is None for _w, cat in views.text_highlights(exp, lang))
    shown = text.render(exp, lang)["words"]
    assert shown["label"] == line and shown["show_legend"] is False
    assert not [c for _w, c in shown["value"] if c]
    words, legend = chips_of(report.to_html(exp, lang))
    assert not words and not legend and html.escape(line, quote=True) in report.to_html(exp, lang)

    # the same map scaled up to a real push (the strongest word 2 points): marked as before, relative to the strongest
    m["scores"] = [s / top * 0.02 for s in m["scores"]]
    assert views.negligible_words(exp, lang) is None
    cats = [c for _w, c in views.text_highlights(exp, lang) if c]
    assert "▲▲ strongly for" in cats or "▼▼ strongly against" in cats
    assert text.render(exp, lang)["words"]["show_legend"] is True
    words, legend = chips_of(report.to_html(exp, lang))
    assert words and len(legend) == 4


def test_regions_and_segments_that_barely_moved_the_score_are_not_coloured(exp):
    """The words' rule for every map drawn relative to its strongest part: a tiny random model's heat maps and audio
    bars (each part ~1e-6) were drawn at full colour. Such a map is drawn without colour and its caption says why;
    scaled up to a real push, it is coloured as before."""
    import numpy as np

    from msa_demo import views

    maps = [m for m in exp["maps"] if m["modality"] in ("image", "audio") and m.get("scores")]
    assert maps and all(0 < max(abs(s) for s in m["scores"]) < views.figures.NEGLIGIBLE for m in maps)
    for m in maps:
        assert views.relative(m) == [0.0] * len(m["scores"])
        assert "none is coloured" in views.map_caption(m)
        if m.get("heatmap"):  # a map of such parts, as drawn (its JSON rounds the cells to 1e-6)
            m["heatmap"] = (np.array([[1.0, -0.5], [0.25, 0.0]]) * max(abs(s) for s in m["scores"])).tolist()
    pictures = views.image_overlays(exp) or []
    grey = [np.asarray(img, dtype=np.int16) for img, _ in pictures]
    assert grey and all((abs(g[..., 0] - g[..., 1]) <= 1).all() for g in grey)  # no green, no red
    for m in maps:
        top = max(abs(s) for s in m["scores"])
        m["scores"] = [s / top * 0.02 for s in m["scores"]]
        if m.get("heatmap"):
            m["heatmap"] = (np.array([[1.0, -0.5], [0.25, 0.0]]) * 0.02).tolist()
    assert all(max(abs(r) for r in views.relative(m)) == 1.0 and "none is coloured" not in views.map_caption(m)
               for m in maps)
    coloured = [np.asarray(img, dtype=np.int16) for img, _ in views.image_overlays(exp) or []]
    assert coloured and all((abs(c[..., 0] - c[..., 1]) > 10).any() for c in coloured)


def test_the_made_with_line_names_a_server_folder_model_by_its_folder_not_its_path(monkeypatch):
    """A report sent on said "models: /home/ana/work/secret-client/mine (text)": where the server keeps its models,
    a user's name in it, in every copy; the page already named such a model "…/mine". The report does too, unless
    MSA_SHOW_PATHS=1 (a private dashboard); a Hub id keeps its revision."""
    from msa_demo.report import made_line

    exp = {"preset": "mine", "created": "2026-12-07T10:00:00Z", "prediction": {"used": ["text", "image"]},
           "models": {"text": {"model_id": "/home/ana/work/secret-client/mine", "revision": "local"},
                      "image": {"model_id": "acme/faces", "revision": "v2"}}}
    monkeypatch.delenv("MSA_SHOW_PATHS", raising=False)
    line = made_line(exp)
    assert "…/mine (text)" in line and "acme/faces@v2 (image)" in line  # (make-tiny's "local" is no revision)
    assert "secret-client" not in line and "/home/ana" not in line
    assert "secret-client" not in made_line(exp, "zh")
    monkeypatch.setenv("MSA_SHOW_PATHS", "1")
    assert "/home/ana/work/secret-client/mine (text)" in made_line(exp)
