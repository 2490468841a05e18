"""Pictures of an explanation: the contributions and audio figures (plotly), word highlights, heat-map overlays."""

from __future__ import annotations

import html
import re

import numpy as np
from PIL import Image

from msa_demo import i18n
from msa_demo.i18n import t
from msa_demo.prediction import percent
from msa_demo.views.base import (AWAY_RGB, TOWARD_RGB, b64_image, decode_wav, maps_for, none_stands_out, readable_on,
                                 rel_scores, score_colour)
from msa_demo.views.story import METHOD_GLOSS, conflict_text, contributions_story, method_said


# plotly's tool bar, shown at all times on a touch screen, where it can cover a chart's title: the tools a chart has
# no use for are left out (bar charts: all but the picture download; time lines keep zoom and pan, not selection)
BAR_CHART_TOOLS_LEFT_OUT = ["zoom", "pan", "select", "lasso", "zoomIn", "zoomOut", "autoScale", "resetScale"]
TIME_LINE_TOOLS_LEFT_OUT = ["select", "lasso"]


TOOLS_HIGH = 44  # px: the tool bar's height and a little more (a title of two lines drawn at 32 px met its icons)


# a chart's title and its second line, in lines that fit a phone's chart (326 px: a 14 px title of 55 characters ran
# off its right edge, "… to fit th"); plotly's <sup> drew the second line at 70 % of the title's 14 px, 9.8 px
TITLE_CHARS, SUBTITLE_PX = {"en": 48, "zh": 20}, 12
LINE_PX = 19  # a title's line in plotly (1.3 × its 14 px): what each line past the first two adds to the top margin


def title_lines(text: str, lang: str = "en") -> str:
    """``text`` (plain; escaped here) as a chart title's lines that fit a phone's chart."""
    return wrapped(text, TITLE_CHARS["zh" if lang == "zh" else "en"])


def subtitle(text: str, lang: str = "en") -> str:
    """``text`` (plain; escaped here) as the lines under a chart's title, each at ``SUBTITLE_PX`` (a <br> before
    each), as many as a phone's chart needs at that size."""
    chars = round(TITLE_CHARS["zh" if lang == "zh" else "en"] * 14 / SUBTITLE_PX)
    return "".join(f'<br><span style="font-size:{SUBTITLE_PX}px">{line}</span>'
                   for line in wrapped(text, chars).split("<br>"))


def extra_lines(title: str, planned: int = 2) -> int:
    """How many lines ``title`` has past the ``planned`` lines a chart's top margin was set for (a title and its
    second line)."""
    return max(0, title.count("<br>") + 1 - planned)


def under_the_tools(height: int) -> dict:
    """Where a chart's title goes so that the tool bar (at the top: on a phone, at all times) does not cover it;
    a chart with a title here keeps ``TOOLS_HIGH`` px more at its top margin."""
    return {"yref": "container", "y": 1 - TOOLS_HIGH / height, "yanchor": "top"}


PLOT_HIGH = 180  # px: the contributions' plots
NAMES_ROOM = 76  # px under them for the bars' names (on a phone set sideways: "no audio" 55 px), then the words


def contributions_figure(exp: dict, lang: str = "en"):
    """Bars of each modality's Shapley value toward the target, beside the 'without X' what-ifs (words in ``lang``)."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    mc = exp.get("modalities")
    if not mc or not mc.get("shapley"):
        return None
    target = exp.get("target") or (exp.get("prediction") or {}).get("label", "")
    said = i18n.label(target, lang)
    names = list(mc["shapley"])
    values = [float(mc["shapley"][n]) for n in names]
    # short lines throughout: the figure stays readable on a phone (390 px), where one long line runs off
    fig = make_subplots(rows=1, cols=2, column_widths=[0.5, 0.5], horizontal_spacing=0.12, subplot_titles=(
        t("How much each input<br>moved P({target})", lang, target=said),
        t("P({target}) with all,<br>and without each", lang, target=said)))
    bars = [score_colour(v, 0.9) for v in values]
    fig.add_trace(go.Bar(x=[i18n.modality(n, lang) for n in names], y=values, name=t("Shapley value", lang),
                         marker_color=bars, text=[f"{v:+.3f}" for v in values], textposition="auto",
                         **bar_text(bars)), row=1, col=1)
    # under the plots, in words: inputs each enough alone, an input whose removal raises the verdict (its bar is
    # positive all the same), each pairwise interaction named (a bare "text×image -0.634" had been the only line)
    story = contributions_story(exp, lang)
    width = 48 if lang != "zh" else 24  # (a Chinese line was cut on a phone)
    lines = "<br>".join(wrapped(s, width) for s in story)
    extra = round(1.4 * SUBTITLE_PX) * (lines.count("<br>") + 1) if story else 0
    without = mc.get("without") or {}
    fused = (exp.get("prediction") or {}).get("probs") or {}
    xs, ys = [t("all", lang)], [float(fused.get(target, mc.get("value_all") or 0.0))]
    for n in names:
        if n in without:
            xs.append(t("no {name}", lang, name=i18n.modality(n, lang)))  # short: it stays level on a phone
            ys.append(float((without[n] or {}).get(target, 0.0)))
    bars = ["#4575b4"] + ["#999999"] * (len(xs) - 1)
    fig.add_trace(go.Bar(x=xs, y=ys, name=f"P({said})", marker_color=bars, text=[f"{y:.2f}" for y in ys],
                         textposition="auto", **bar_text(bars)), row=1, col=2)
    fig.update_yaxes(range=[0, 1], row=1, col=2)
    # not "+.2f": the plotly.js in Gradio's front end puts a "~" before it, and "~+.2f" is no d3 format (the console
    # said 'bad format'); the bars' own labels carry the sign
    fig.update_yaxes(title_text=t("Shapley value", lang), tickformat=".2f", row=1, col=1)
    title = t("Modality contributions", lang)
    if mc.get("conflict"):
        detail = conflict_text(mc.get("conflict_detail"), lang)
        title = title_lines(title + t(" — ⚠ modalities disagree", lang), lang) + subtitle(detail, lang)
    elif none_stands_out(values):
        title = title_lines(title, lang) + subtitle(
            t("every input moved it by about the same amount: none stands out", lang), lang)
    more = LINE_PX * extra_lines(title, planned=3)  # (its second line was in two at the start)
    height = (130 + more) + PLOT_HIGH + (NAMES_ROOM + 4 + extra)  # the top margin, the plot, the bottom margin
    if story:
        # from the chart's left edge (xshift: over the y axis's 50 px margin), not the plot's: on a phone its lines
        # had run off the right edge ("with the other a"); ``NAMES_ROOM`` px under the plot (at 54 px the bars' names,
        # set sideways on a phone, touched it: "no image")
        fig.add_annotation(text=lines, xref="paper", yref="paper", x=0.0, y=-NAMES_ROOM / PLOT_HIGH, xshift=-50,
                           showarrow=False, font={"size": SUBTITLE_PX}, xanchor="left", yanchor="top", align="left")
    fig.update_layout(title={"text": title, "font": {"size": 14}, "x": 0.5, "xanchor": "center", "yref": "container",
                             "y": 1 - 12 / height, "yanchor": "top"}, showlegend=False,
                      height=height, margin={"l": 50, "r": 10, "t": 130 + more, "b": NAMES_ROOM + 4 + extra},
                      modebar={"remove": BAR_CHART_TOOLS_LEFT_OUT})
    for a in fig.layout.annotations[:2]:  # the subplot titles sit under the main title, never on it
        a.update(font={"size": 12})
    return fig


def bar_text(colours: list[str]) -> dict:
    """A bar chart's value labels inside their bars in a colour that reads on each (WCAG AA; plotly's own choice,
    white on the green and #444 on the grey, was 3.7:1 and 3.4:1); outside them, the chart's own text colour."""
    def solid(colour: str) -> str:  # an "rgba(r,g,b,a)" bar as it shows on white
        if not colour.startswith("rgba"):
            return colour
        *rgb, a = (float(v) for v in colour[5:-1].split(","))
        return "#" + "".join(f"{round(c * a + 255 * (1 - a)):02x}" for c in rgb)

    return {"insidetextfont": {"color": [readable_on(solid(c)) for c in colours]}}


def wrapped(text: str, width: int = 55) -> str:
    """``text`` HTML-escaped, in lines of at most ``width`` characters (plotly breaks lines only at <br>). A number
    stays on the line of its unit ("(100 / %)", "66 / 个百分点" had been cut apart). A Chinese text is broken after
    its punctuation where it can be, then at a space, not inside a word ('音频判 / 断为', '使“负 / 面”')."""
    import textwrap

    text = re.sub(r"(\d) (%|个百分点|points?\b)", "\\1\u00a0\\2", text)
    if len(text) <= width:
        return html.escape(text, quote=False)
    if re.search(r"[\u3400-\u9fff]", text):
        pieces = []
        for part in re.findall(r"[^，；：、。,;:]+[，；：、。,;:]*|[，；：、。,;:]+", text):
            while len(part) > width:  # a clause longer than a line: cut at its last space, else at the width
                cut = part.rfind(" ", 1, width + 1)
                cut = cut if cut > 0 else width
                pieces.append(part[:cut])
                part = part[cut:].lstrip(" ")
            pieces.append(part)
        lines = [""]
        for part in pieces:
            if lines[-1] and len(lines[-1]) + len(part) > width:
                lines.append("")
            lines[-1] += part
        return "<br>".join(html.escape(line, quote=False) for line in lines)
    return "<br>".join(html.escape(line, quote=False) for line in textwrap.wrap(text, width)) or html.escape(
        text, quote=False)


def text_highlights(exp: dict, lang: str = "en") -> list[tuple[str, str | None]] | None:
    """The whole text, split at the attributed words, each word tagged with a WORD_LEGEND category; the marks put
    in it (where the text turns, where the model stopped reading) in ``lang``."""
    maps = maps_for(exp, "text")
    text = (exp.get("inputs") or {}).get("text")
    if not maps:
        return None
    m = maps[0]
    # a map whose strongest word barely moved the score marks no word (it had read "▲▲ strongly for" at 1e-7 each)
    rel = relative(m)
    spans = m.get("spans") or []
    out: list[tuple[str, str | None]] = []
    if text and spans and len(spans) == len(rel):
        pos = 0
        ordered = sorted(zip([tuple(s) for s in spans], rel))
        turn = turning_point([r for _s, r in ordered])
        for i, ((start, end), r) in enumerate(ordered):
            start, end = int(start), int(end)
            if start < pos or end > len(text):
                continue
            if start > pos:
                out.append((text[pos:start], None))
            if i == turn:  # a long text that changes its mind: say where
                out.append((t(TURN_MARK, lang), None))
            out.append((text[start:end], word_category(r)))
            pos = end
        truncated = any("too long" in str(n) for n in (exp.get("prediction") or {}).get("notices") or [])
        if pos < len(text) and truncated:  # say where the model stopped reading
            out.append((t(STOPPED_MARK, lang), None))
        if pos < len(text):
            out.append((text[pos:], None))
        return out
    for word, r in zip(m.get("labels") or [], rel):
        out.append((str(word) + " ", word_category(r)))
    return out


# A map whose strongest part moved the explained probability by less than this (0.01 of a percentage point) is
# said to show nothing, not scaled up to its strongest part: a tiny random model's words, each 1e-7, were marked
# "▲▲ strongly for" and "▼▼ strongly against". Below it a score is at most 0.0001 (what the command line's four
# decimals print as +0.0000 or +0.0001) and no verdict box or what-if percent can move by it; it is 100 times
# float32's resolution of a probability (``explain.faithfulness.RESOLUTION``), so it is a real zero, not noise.
NEGLIGIBLE = 1e-4
NEGLIGIBLE_WORDS = "Every word moved P('{target}') by less than 0.01 %: no word mattered, so none is marked."
NEGLIGIBLE_PARTS = "no part moved the score by 0.01 %: none is coloured"


def negligible(m: dict | None) -> bool:
    """Did every part of map ``m`` move the explained probability by less than ``NEGLIGIBLE``? (A map without
    scores is not said to be negligible: it has nothing to say.)"""
    scores = [abs(float(s)) for s in (m or {}).get("scores") or []]
    return bool(scores) and max(scores) < NEGLIGIBLE


def relative(m: dict) -> list[float]:
    """Each part's score of map ``m`` relative to its strongest (what a chart, a heat map, a lane or a chip is
    coloured by), or all 0 where no part mattered (:func:`negligible`: a map of 1e-7 scores had been drawn as
    strongly as any, the strongest part at full colour)."""
    scores = [float(s) for s in m.get("scores") or []]
    return [0.0] * len(scores) if negligible(m) else rel_scores(scores)


def negligible_words(exp: dict, lang: str = "en") -> str | None:
    """The one line the words' chips carry when no word mattered (:func:`negligible`), in ``lang``; None when some
    word did (the chips are then scaled to the strongest word, as always)."""
    maps = maps_for(exp, "text")
    if not maps or not negligible(maps[0]):
        return None
    return t(NEGLIGIBLE_WORDS, lang, target=i18n.label(str(exp.get("target") or ""), lang))


# Where a words map starts, said beside it when the blank it starts from (every word replaced by the baseline token)
# already reads the explained class at least as strongly as the text: its words then push away from the class on the
# whole, and a reader sees orange words under a verdict of that class
BLANK_READS = ("Where this map starts: with every word blanked out the model already reads '{target}' {base} (with "
               "the words, {now}); the colours show how the words move it from there, so a word can be orange though "
               "the answer is '{target}'.")
# a map whose IG scores miss the change they should add up to (``story.IG_GAP_TOO_LARGE``): too few steps, e.g. under
# a time budget; "😭😭😭", read 96 % negative, was drawn "▼▼ strongly against" at 8 steps (its scores -0.35 for a
# change of +0.12 from the blank)
ROUGH_WORDS = ("These colours are rough: the map's scores miss the change they should add up to by {miss} (too few "
               "steps), so a colour may even be the wrong way round.")


WINDOWS_IG = ("On a text this long (read in windows) a word's colour can disagree with what removing it does; with "
              "no time budget (Advanced: time budget 0) the map removes each word in turn instead, which takes longer.")
ABLATED_WORDS = {  # why the words map is word ablation, not the Integrated Gradients asked for (``explain.words``)
    "windows": "These colours come from removing each word in turn (word ablation): on a text this long, read in "
               "windows, Integrated Gradients' colours disagreed with what removing a word does.",
    "gap": "These colours come from removing each word in turn (word ablation): Integrated Gradients' scores missed "
           "the change they should add up to by {miss} (too few steps for the time budget).",
    # a text read in windows under a time budget: one row per word took 62-81 s for a 286-word review, and the IG it
    # kept instead missed completeness by 278-443 % at the budget's few steps (every long post's map rated ✗)
    "phrases": "These colours come from removing each phrase in turn (phrase ablation): on a text this long, read in "
               "windows under a time budget, removing each word would take too long and Integrated Gradients' colours "
               "can disagree with what removing a word does, so each phrase's colour is exactly what removing that "
               "phrase alone does. The what-if removes whole phrases too, and swaps no word (it swaps the words of a "
               "map of single words). For a colour per word, set no time budget (Advanced: time budget 0), which takes longer.",
}


def words_caveats(exp: dict, lang: str = "en") -> list[str]:
    """The lines the words' colours need beside them, in ``lang``: where the map starts (:data:`BLANK_READS`) when
    the blank already reads the explained class at least as strongly as the text, and :data:`ROUGH_WORDS` when the
    map's scores do not add up; [] for a map that needs neither (or marks no word)."""
    from msa_demo.views.story import gap_too_large

    maps = maps_for(exp, "text")
    if not maps or negligible(maps[0]):
        return []
    m, out = maps[0], []
    params = m.get("params") or {}
    target = str(exp.get("target") or "")
    now = ((exp.get("prediction") or {}).get("probs") or {}).get(target)
    diff = params.get("output_difference")  # f(text) - f(blank), the change the scores add up to
    if now is not None and diff is not None and params.get("target", target) == target:
        base, now = percent(float(now) - float(diff)), percent(float(now))  # as the verdict boxes show them
        if base >= now:
            out.append(t(BLANK_READS, lang, target=i18n.label(target, lang), base=f"{base} %", now=f"{now} %"))
    if gap_too_large(m):
        out.append(t(ROUGH_WORDS, lang, miss=f"{abs(float(m['delta'])):.0%}"))
    if params.get("windows") and not params.get("why"):  # a long text's IG kept under a time budget
        out.append(t(WINDOWS_IG, lang))
    if params.get("why") in ABLATED_WORDS:
        out.append(t(ABLATED_WORDS[params["why"]], lang, miss=f"{abs(float(params.get('ig_delta') or 0)):.0%}"))
    return out


TURN_MARK = "⟪the text turns here⟫ "
STOPPED_MARK = " ⟪the model stopped reading here; the rest was not read⟫ "
TURN_MIN_WORDS = 6  # words on each side of a turn, at least
TURN_MIN_PUSH = 0.05  # each side's mean push, relative to the strongest word, at least
TURN_MIN_GAP = 0.2  # the two sides' means this far apart
TURN_MIN_T = 3.5  # and the gap this many standard errors wide (pure noise: 1 % of random maps, 12-80 words)


def turning_point(rel: list[float], min_words: int = TURN_MIN_WORDS, min_push: float = TURN_MIN_PUSH,
                  min_gap: float = TURN_MIN_GAP, min_t: float = TURN_MIN_T) -> int | None:
    """Where a text turns, read off its words map: the word at which the words before it push one way on the
    whole and the words from it the other (each side at least ``min_words`` words and a mean push of at least
    ``min_push`` of the strongest word's, the two means at least ``min_gap`` apart and ``min_t`` standard errors
    apart: a two-sample t statistic, so that a noisy map does not turn by chance); of several such places, the
    one with the largest t. None for a text that does not turn."""
    x = np.asarray(rel, dtype=float)
    n = len(x)
    if n < 2 * min_words:
        return None
    best, where = 0.0, None
    for k in range(min_words, n - min_words + 1):
        left, right = x[:k], x[k:]
        a, b = left.mean(), right.mean()
        if a * b >= 0 or min(abs(a), abs(b)) < min_push or abs(a - b) < min_gap:
            continue
        spread = np.sqrt((((left - a) ** 2).sum() + ((right - b) ** 2).sum()) / (n - 2))
        t = abs(a - b) / (spread * np.sqrt(1 / k + 1 / (n - k)) + 1e-12)
        if t >= min_t and t > best:
            best, where = t, k
    return where


def word_category(rel: float) -> str | None:
    if rel >= 0.5:
        return "▲▲ strongly for"
    if rel >= 0.15:
        return "▲ for"
    if rel <= -0.5:
        return "▼▼ strongly against"
    if rel <= -0.15:
        return "▼ against"
    return None


def original_image(exp: dict) -> Image.Image | None:
    return b64_image((exp.get("inputs") or {}).get("image_png_b64"))


def overlay(img: Image.Image, heatmap: list[list[float]], alpha: float = 0.6) -> Image.Image:
    """The picture, dimmed, with the attribution heat-map on top: blue toward the target, orange away."""
    hm = np.asarray(heatmap, dtype=np.float32)
    # scale by the 99th percentile, not the single largest cell, so a map with one sharp peak stays visible
    top = float(np.percentile(np.abs(hm), 99)) if hm.size else 0.0
    top = top if top > 0 else (float(np.abs(hm).max()) if hm.size else 0.0)
    hm = hm / top if top > 0 else hm
    hm_img = Image.fromarray(hm, mode="F").resize(img.size, Image.BILINEAR)
    h = np.clip(np.asarray(hm_img, dtype=np.float32), -1, 1)[..., None]
    base = np.asarray(img.convert("L").convert("RGB"), dtype=np.float32) * 0.75 + 40
    toward = np.array(TOWARD_RGB, dtype=np.float32)
    away = np.array(AWAY_RGB, dtype=np.float32)
    colour = np.where(h >= 0, toward, away)
    a = np.abs(h) * alpha
    out = base * (1 - a) + colour * a
    return Image.fromarray(np.clip(out, 0, 255).astype(np.uint8))


def shown_heatmap(m: dict) -> list[list[float]]:
    """The heat map of map ``m`` as drawn: none where no region mattered (:func:`negligible`), else its own."""
    return [[0.0]] if negligible(m) else m["heatmap"]


# Where the face model read a face found in a larger picture, its maps are drawn over that face and a margin round it
# (this much of the face's size on each side), at least FACE_DRAWN px on the long side: drawn over the whole frame, a
# small face in a 2400×1800 photo (85 × 84 px of the 1024 × 768 read) took a twelfth of each map's width, and its
# integrated-gradients map, scaled to the frame's 99th percentile (zero: the face was 1 % of it), showed nothing
FACE_DRAWN = 384
# the face's box said as the JSON holds it (``reading.image.face_read.box``, a map's ``params.box`` and region
# ``spans``): left, top, right, bottom; the page had said (80, 26, 64, 64) as left, top, width, height beside a JSON
# box of [80, 26, 144, 90]
FACE_LINE = ("The maps are drawn over the face that was found, at ({left}, {top}, {right}, {bottom}) of the whole "
             "{width} × {height} picture (left, top, right, bottom in pixels, as the JSON's face box), with a margin "
             "round it; the whole picture shows the face's box.")
FACE_BOX_RGB = (255, 212, 0)  # the face's box on the whole picture: yellow, edged in black (seen on light and dark)


def face_read(exp: dict) -> dict | None:
    """Where the image maps lie over a face found in a larger picture: ``box``, the face (left, top, right, bottom,
    in the picture's pixels as read), ``crop``, that face and its margin (``FACE_MARGIN``) inside the picture, and
    ``size``, the whole picture's; None where the maps cover the whole picture (no face model, no face found)."""
    img = original_image(exp)
    maps = [m for m in maps_for(exp, "image") if m.get("heatmap")]
    if img is None or not maps:
        return None
    params = maps[0].get("params") or {}
    box = params.get("box")
    if not box or len(box) != 4 or params.get("grid_over", "face") != "face":
        return None
    from msa_demo.explain.result import map_area

    w, h = img.size
    left, top, right, bottom = (int(v) for v in box)
    left, top, right, bottom = max(0, left), max(0, top), min(w, right), min(h, bottom)
    if right - left < 1 or bottom - top < 1 or (left, top, right, bottom) == (0, 0, w, h):
        return None
    kept = params.get("heatmap_box")  # the area its heat maps cover (an older record's cover the whole picture)
    crop = tuple(int(v) for v in kept) if kept and len(kept) == 4 else map_area((w, h), (left, top, right, bottom))
    return {"box": (left, top, right, bottom), "crop": crop, "size": (w, h)}


def face_line(exp: dict, lang: str = "en") -> str:
    """The line beside maps drawn over a face (:func:`face_read`): where the face lies in the whole picture; ""
    where the maps cover the whole picture."""
    face = face_read(exp)
    if face is None:
        return ""
    left, top, right, bottom = face["box"]
    return t(FACE_LINE, lang, left=left, top=top, right=right, bottom=bottom, width=face["size"][0],
             height=face["size"][1])


def picture_with_face(exp: dict) -> Image.Image | None:
    """The whole picture as read, with the box of the face its maps are drawn over (:func:`face_read`), if any."""
    from PIL import ImageDraw

    img = original_image(exp)
    face = face_read(exp)
    if img is None or face is None:
        return img
    img = img.convert("RGB")
    draw = ImageDraw.Draw(img)
    line = max(2, round(max(img.size) / 250))
    left, top, right, bottom = face["box"]
    draw.rectangle((left - line, top - line, right + line - 1, bottom + line - 1), outline=(0, 0, 0), width=line * 2)
    draw.rectangle((left - line // 2, top - line // 2, right + line // 2 - 1, bottom + line // 2 - 1),
                   outline=FACE_BOX_RGB, width=line)
    return img


def image_overlays(exp: dict, lang: str = "en") -> list[tuple[Image.Image, str]] | None:
    """Each image map drawn over the picture: over the face that was found and its margin, large
    (:func:`face_read`), or over the whole picture."""
    maps = [m for m in maps_for(exp, "image") if m.get("heatmap")]
    img = original_image(exp)
    if not maps or img is None:
        return None
    face = face_read(exp)
    out = []
    for i, m in enumerate(maps, 1):
        if face is None:
            drawn = overlay(img, shown_heatmap(m))
        else:  # over the face and its margin, scaled to each map's own strongest there
            left, top, right, bottom = face["crop"]
            scale = max(1.0, FACE_DRAWN / max(right - left, bottom - top))
            size = (round((right - left) * scale), round((bottom - top) * scale))
            hm = np.asarray(shown_heatmap(m), dtype=np.float32)
            if (m.get("params") or {}).get("heatmap_box") is None and hm.size > 1:  # an older record's: whole
                full = np.asarray(Image.fromarray(hm, mode="F").resize(img.size, Image.BILINEAR), dtype=np.float32)
                hm = full[top:bottom, left:right]
            drawn = overlay(img.crop(face["crop"]).resize(size, Image.BICUBIC), hm)
        # numbered to the legend below, which says each in full (a thumbnail cut "integrated gradients · baseline: bl…")
        out.append((drawn, f"{i}. {t(m.get('method', '').replace('_', ' '), lang)}"))
    return out


def heatmap_legend(exp: dict, lang: str = "en") -> str:
    """Markdown under the heat maps: the colour bar they all share and each map's full caption."""
    maps = [m for m in maps_for(exp, "image") if m.get("heatmap")]
    if not maps:
        return ""
    target = html.escape(i18n.label(exp.get("target", ""), lang))
    bar = (f'<span style="display:inline-block;width:220px;height:12px;vertical-align:middle;border:1px solid #999;'
           f'background:linear-gradient(90deg,{score_colour(-1, 0.9)},#f7f7f7,{score_colour(1, 0.9)});'
           f'forced-color-adjust:none"></span>')  # its colours kept in forced colours (an empty box there)
    lines = [t("away from '{target}' {bar} toward '{target}' (each map scaled to its own strongest regions)", lang,
               target=target, bar=bar)]
    lines += [f"{i}. {html.escape(map_caption(m, lang, glossed=True))}" for i, m in enumerate(maps, 1)]
    face = face_line(exp, lang)
    return "\n\n".join(lines + ([html.escape(face)] if face else []))


def map_caption(m: dict, lang: str = "en", glossed: bool = False) -> str:
    """A map's method and settings in a line ("occlusion · baseline: blur · grid: 7"); ``glossed``: the method said
    in plain words after its name (:func:`story.method_said`)."""
    params = m.get("params") or {}
    bits = [method_said(m.get("method", ""), lang, glossed)]
    if "baseline" in params:
        bits.append(t("baseline: {baseline}", lang, baseline=i18n.said(str(params["baseline"]), lang)))
    for k in ("steps", "n_steps", "grid", "superpixels", "window", "segment_seconds"):
        if k in params:
            bits.append(t("{name}: {value}", lang, name=t(k.replace("_", " "), lang), value=params[k]))
    if negligible(m):  # drawn without colour (``relative``): said why
        bits.append(t(NEGLIGIBLE_PARTS, lang))
    if params.get("budget"):  # what the map gave up to fit the time budget
        bits.append(t("to fit the time budget: {what}", lang, what=i18n.listed(
            (i18n.said(str(b), lang) for b in params["budget"]), lang)))
    return " · ".join(str(b) for b in bits if b)


def audio_clip(exp: dict):
    dec = decode_wav((exp.get("inputs") or {}).get("audio_wav_b64"))
    if dec is None:
        return None
    wave, rate = dec
    return rate, (np.clip(wave, -1, 1) * 32767).astype(np.int16)


LABEL_PX_PER_CHAR, PLOT_PX = 6.5, 700.0  # an 11 px label's width per character; the plot's usual width


def fitting_labels(labels: list[str], centres: list[float], strength: list[float], span: float,
                   plot_px: float = PLOT_PX) -> list[str]:
    """The bar labels that fit side by side without overlapping, the strongest bars' first ("" for a bar left
    unlabelled: its hover text still names it). ``span``: the x axis' length in seconds."""
    if not labels or span <= 0:
        return list(labels)
    per_px = span / plot_px
    taken: list[tuple[float, float]] = []
    out = [""] * len(labels)
    for i in sorted(range(len(labels)), key=lambda i: -abs(strength[i]) if i < len(strength) else 0.0):
        half = (len(labels[i]) * LABEL_PX_PER_CHAR + 4) * per_px / 2
        lo, hi = centres[i] - half, centres[i] + half
        if all(hi <= a or lo >= b for a, b in taken):
            taken.append((lo, hi))
            out[i] = labels[i]
    return out


def audio_figure(exp: dict, lang: str = "en"):
    """Waveform with coloured attribution bands, and a bar per segment labelled with its words or times."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    maps = maps_for(exp, "audio")
    dec = decode_wav((exp.get("inputs") or {}).get("audio_wav_b64"))
    if not maps or dec is None:
        return None
    m = maps[0]
    wave, rate = dec
    step = max(1, len(wave) // 4000)
    times = np.arange(0, len(wave), step) / float(rate)
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.6, 0.4], vertical_spacing=0.06)
    fig.add_trace(go.Scatter(x=times, y=wave[::step], mode="lines", name=t("waveform", lang), line={"color": "#555", "width": 1}),
                  row=1, col=1)
    scores = [float(s) for s in m.get("scores") or []]
    rel = relative(m)
    spans = m.get("spans") or []
    labels = [html.escape(str(lbl)) for lbl in (m.get("labels") or [])]
    centres, widths, bands = [], [], []
    for (start, end), r in zip(spans, rel):  # one coloured band per segment over the waveform (row 1: x, y)
        bands.append({"type": "rect", "xref": "x", "yref": "y domain", "x0": float(start), "x1": float(end),
                      "y0": 0, "y1": 1, "fillcolor": score_colour(r, 0.05 + 0.45 * abs(r)), "line": {"width": 0},
                      "layer": "below"})
        centres.append((float(start) + float(end)) / 2)
        widths.append(max(1e-3, float(end) - float(start)) * 0.95)
    fig.update_layout(shapes=bands)
    shown = rel[: len(centres)]  # relative push (-1..1): readable whatever the scale of the raw scores
    duration = max([float(e) for _, e in spans] + [len(wave) / float(rate)])
    fitting = fitting_labels(labels[: len(centres)], centres, shown, duration)
    fig.add_trace(go.Bar(x=centres, y=shown, width=widths, name=t("segment attribution", lang),
                         marker_color=[score_colour(r, 0.9) for r in shown], text=fitting,
                         textposition="outside", cliponaxis=False, textfont={"size": 11}, constraintext="none",
                         hovertext=[f"{lbl}: {s:+.3g}" for lbl, s in zip(labels, scores)]), row=2, col=1)
    fig.update_xaxes(title_text=t("seconds", lang), row=2, col=1)
    fig.update_yaxes(title_text=t("amplitude", lang), row=1, col=1)
    fig.update_yaxes(title_text=t("relative push", lang), range=[-1.45, 1.45], tickvals=[-1, 0, 1], row=2, col=1)
    head = title_lines(t("Audio: {caption}", lang, caption=map_caption(m, lang)), lang)
    # what its method does in plain words, under its name (the heat maps' list says it for the picture's)
    gloss = METHOD_GLOSS.get(str(m.get("method", "")).replace("_", " "))
    push = (subtitle(t(gloss, lang), lang) if gloss else "") + subtitle(
        t("blue pushes toward '{target}', orange away", lang, target=i18n.label(exp.get("target", ""), lang)), lang)
    more = LINE_PX * extra_lines(head + push)
    height = 432 + more
    fig.update_layout(title={"text": head + push, "font": {"size": 14}, **under_the_tools(height)},
                      showlegend=False, height=height, margin={"l": 60, "r": 20, "t": 60 + TOOLS_HIGH + more, "b": 40},
                      modebar={"remove": TIME_LINE_TOOLS_LEFT_OUT})
    return fig


def map_figure(exp: dict, modality: str):
    """Any modality's maps as bars, one row per map: each feature's push toward the target (relative to the
    strongest), labelled with the map's feature names; None when the modality has no map."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    maps = maps_for(exp, modality)
    if not maps:
        return None
    fig = make_subplots(rows=len(maps), cols=1, vertical_spacing=0.18,
                        subplot_titles=[html.escape(map_caption(m)) for m in maps])
    for row, m in enumerate(maps, 1):
        scores = [float(s) for s in m.get("scores") or []]
        rel = relative(m)
        labels = [html.escape(str(lbl)) for lbl in m.get("labels") or []][: len(rel)]
        fig.add_trace(go.Bar(x=labels, y=rel, marker_color=[score_colour(r, 0.9) for r in rel],
                             hovertext=[f"{lbl}: {s:+.3g}" for lbl, s in zip(labels, scores)],
                             name=str(m.get("method", ""))), row=row, col=1)
        fig.update_yaxes(range=[-1.1, 1.1], tickvals=[-1, 0, 1], title_text="relative push", row=row, col=1)
    title = title_lines(modality.capitalize()) + subtitle(f"blue pushes toward '{exp.get('target', '')}', orange away")
    more = LINE_PX * extra_lines(title)
    fig.update_layout(title={"text": title, "font": {"size": 14}}, showlegend=False,
                      height=160 + 200 * len(maps) + more, margin={"l": 60, "r": 20, "t": 90 + more, "b": 40},
                      modebar={"remove": BAR_CHART_TOOLS_LEFT_OUT})
    return fig
