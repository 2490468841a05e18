"""What the page's CSS and the report's HTML do on a tablet and a phone, and what they say to a screen reader, read
from the HTML / CSS produced (the browser tests measure the page itself)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def _contrast(fore: str, back: str = "#ffffff") -> float:
    def lum(c: str) -> float:
        rgb = [int(c.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4)]
        r, g, b = [v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4 for v in rgb]
        return 0.2126 * r + 0.7152 * g + 0.0722 * b
    a, b = sorted((lum(fore), lum(back)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def _exp() -> dict:
    return {"target": "negative", "preset": "lite",
            "prediction": {"label": "negative", "probs": {"negative": 0.62, "neutral": 0.03, "positive": 0.35},
                           "used": ["text", "image", "audio"],
                           "modalities": {m: {"label": "negative", "model_id": "some/" + "very-long-model-name" * 3}
                                          for m in ("text", "image", "audio")},
                           "shapley": {"text": -0.37, "image": 0.28, "audio": 0.38}},
            "maps": [{"modality": "text", "method": "occlusion", "labels": ["Thank", "you"], "scores": [0.5, -0.5],
                      "faithfulness": {"aopc": 0.3, "aopc_random": 0.05}}]}


def test_the_report_fits_a_phone():
    """At 390 px the report was 1044 px wide (the model table, no viewport) and its charts were clipped (an SVG
    without a viewBox is cut, not scaled, by max-width); at 800 px its model table still ran off the edge (the
    narrow rules began at 700 px)."""
    from msa_demo import report

    page = report.to_html(_exp())
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    narrow = re.search(r"@media \(max-width:\s*900px\)\{(.*?)\}\}", page, re.S)
    assert narrow, "no rule for a narrow screen"
    rules = narrow.group(1)
    assert "white-space:normal" in rules and "overflow-x:auto" in rules and "max-width:100%" in rules


def test_the_report_s_bars_take_the_width_the_screen_has():
    """A report read on a phone showed the bar chart's part that fit its 390 px and hid the rest in a frame scrolled
    sideways: of "text -0.370, image +0.283, audio +0.378" the one bar against the verdict. Bars are HTML now, their
    widths shares of the row, every value written, the colours kept in print; the waveform keeps its SVG and
    its viewBox (a narrow page scales it, never cuts it)."""
    from msa_demo import report
    from msa_demo.views import charts

    import numpy as np

    exp = {**_exp(), "modalities": {"shapley": {"text": -0.37, "image": 0.28, "audio": 0.38}}}
    page = report.to_html(exp)
    drawn = re.search(r'<figure class="bars">.*?</figure>', page, re.S).group(0)
    assert "<svg" not in drawn and ".bars .r{display:grid" in page and "print-color-adjust:exact" in page
    rows = re.findall(r'<span class="l" title="([^"]*)">.*?<i style="(left|right):50%;width:([\d.]+)%;'
                      r'background:[^"]+"></i></span><span class="v">([^<]+)</span>', drawn)
    assert [(name, side, value) for name, side, _, value in rows] == [
        ("text", "right", "-37 points"), ("image", "left", "+28 points"), ("audio", "left", "+38 points")]
    widths = [float(w) for *_, w, _ in rows]
    assert widths[2] == 50.0 and abs(widths[0] - 50 * 0.37 / 0.38) < 0.1  # the strongest reaches the edge
    unsigned = charts.bars_html(["all", "without text"], [0.62, 0.95], title="P", signed=False, spec=".2f")
    assert re.findall(r'<i style="left:0;width:([\d.]+)%', unsigned) == ["62.0", "95.0"]  # shares of 1
    wave = charts.waveform_svg(np.zeros(1600, dtype=np.float32), 16000, [[0.0, 0.05]], [0.5])
    head = re.search(r"<svg [^>]*>", wave).group(0)
    width, height = re.search(r'width="(\d+)" height="(\d+)"', head).groups()
    assert f'viewBox="0 0 {width} {height}"' in head, head
    printed = re.search(r"@media print\{(.*?)\}\}", page).group(1)
    assert "audio,#json-link{display:none}" in printed  # a printed player was a useless "0:00 / 0:03"
    assert "h2,h3{break-after:avoid}" in printed and ".bars,figure,tr{break-inside:avoid" in printed  # a chart
    # had been split over two pages, a heading left alone at a page's foot


def test_tablets_get_the_heat_maps_and_the_trust_table_laid_out_as_phones_do():
    import app

    css = app.CSS
    tablet = re.search(r"@media \(max-width: 1100px\) \{\n(.*?)\n\}", css, re.S)
    assert tablet and "#overlays" in tablet.group(1) and "#orig-image" in tablet.group(1)
    assert re.search(r"@media \(max-width: 1100px\) \{#trust table th, #trust table td \{white-space: normal\}",
                     css)
    phone_frames = [m for m in re.findall(r"@media \(max-width: 600px\) \{\n(.*?)\n\}", css, re.S) if "#video-frames" in m]
    assert phone_frames and "position: static" in phone_frames[0] and "repeat(3" in phone_frames[0]


def test_the_transcript_s_timings_read_against_white():
    import app

    colour = re.search(r"#transcript sub \{color: (#[0-9a-fA-F]{6})\}", app.CSS).group(1)
    assert _contrast(colour) >= 4.5, colour
    from msa_demo import report

    colour = re.search(r"\.heard sub\{color:(#[0-9a-fA-F]{6})\}", report.CSS).group(1)
    assert _contrast(colour) >= 4.5, colour


def test_every_control_the_keyboard_reaches_shows_a_ring_that_can_be_seen():
    """The Explain button's focus ring was the browser's, white on the white page round it; the text box's a pale
    blue shadow (Gradio's rule outranked the page's ring). Buttons, links, tabs, text boxes and tick boxes get one
    ring, 2 px at least, that wins over Gradio's and reads 3:1 at least on the page, light and dark (WCAG 1.4.11)."""
    import app

    rules = re.findall(r"([^{}]*:focus-visible) \{\s*([^}]*)\}", app.CSS)
    light = [(sel, body) for sel, body in rules if "outline:" in body and ".dark" not in sel]
    assert light, rules
    sel, body = light[0]
    for control in ("button", "textarea", "input", "[role=tab]", "a"):
        assert re.search(rf"[(,] ?{re.escape(control)}[,)]", sel), (control, sel)
    ring = re.search(r"outline: (\d+)px solid (#[0-9a-fA-F]{6}) !important", body)
    assert ring and int(ring.group(1)) >= 2 and _contrast(ring.group(2)) >= 3, body
    dark = [body for sel, body in rules if sel.strip().startswith(".dark")]
    colour = re.search(r"outline-color: (#[0-9a-fA-F]{6}) !important", dark[0] if dark else "").group(1)
    assert _contrast(colour, "#0b0f19") >= 3, colour  # Gradio's dark page


def test_the_page_says_in_words_what_it_shows_by_colour_or_as_a_picture():
    import app

    assert "DESCRIBED" in dir(app) and "DESCRIBED" in Path(app.__file__).read_text().split("js_on_load=")[1][:200]
    for said in ("sr-category", "#image-input img", "#orig-image img", "#overlays", "heat map"):
        assert said in app.DESCRIBED, said
    assert "#words .sr-category" in app.CSS  # heard, not seen
    assert "CLOSE_OLD_MESSAGES" in Path(app.__file__).read_text().split("js_on_load=")[1][:200]


def test_the_timeline_s_words_are_written_large_enough_to_read():
    from msa_demo.kinds import video as video_kind

    exp = {"target": "positive", "prediction": {"label": "negative", "notices": [video_kind.SOUND_TRACK]},
           "maps": [{"modality": "video", "method": "occlusion", "labels": ["0.0–1.0 s", "1.0–2.0 s"],
                     "spans": [[0, 1], [1, 2]], "scores": [0.05, -0.6], "params": {"fps": 2}},
                    {"modality": "audio", "method": "occlusion", "labels": ["so"], "spans": [[1.0, 1.4]],
                     "scores": [-0.1]}],
           "reading": {"audio": {"transcript": "so", "words": [{"text": "so", "start": 1.0, "end": 1.4}]}}}
    figure = video_kind.timeline(exp)
    assert figure.data[-1].name == "words"
    written = [a for a in figure.layout.annotations if a.text == "so"]
    assert len(written) == 1 and written[0].font.size >= 13 and written[0].y == "words"


def test_the_timeline_writes_its_strongest_words_first_and_whole():
    """The words lane wrote a word only where it fitted its band: "on", "and", "Still," were written and the
    decisive "terrible," and "disaster." (longer than their half-second) were not. Now the strongest words are
    written first, whole (over their band: a bar's own text was cut at its edge), and a weaker word only where
    its label does not run into one already written."""
    from msa_demo.kinds import video as video_kind

    said = "and it is terrible, on and on and it is a disaster. Still, on".split()
    push = {"terrible,": -1.0, "disaster.": -0.8}
    words = [{"text": w, "start": 0.3 * i, "end": 0.3 * i + 0.28} for i, w in enumerate(said)]
    exp = {"target": "positive", "prediction": {"label": "negative", "notices": [video_kind.SOUND_TRACK]},
           "maps": [{"modality": "video", "method": "occlusion", "labels": ["0.0–2.0 s", "2.0–4.0 s"],
                     "spans": [[0, 2], [2, 4]], "scores": [0.05, -0.6], "params": {"fps": 2}},
                    {"modality": "audio", "method": "occlusion", "labels": said,
                     "spans": [[w["start"], w["end"]] for w in words],
                     "scores": [push.get(w, 0.01 * (i % 3)) for i, w in enumerate(said)]}],
           "reading": {"audio": {"transcript": " ".join(said), "words": words}}}
    figure = video_kind.timeline(exp)
    written = {a.text: a.x for a in figure.layout.annotations if a.y == "words"}
    assert {"terrible,", "disaster."} <= set(written)
    assert not any(figure.data[-1].text or ())  # no band's own text, which its edge cut
    items = dict(video_kind.lanes(exp))["words"]
    for plot_px, char_px in ((video_kind.PLOT_PX, video_kind.PAGE_WORD_PX), (760, video_kind.WORD_PX)):
        chosen = video_kind.labelled_words(items, 4.0, plot_px, char_px)
        spans = []
        for i, (x, anchor) in chosen.items():
            width = (len(items[i][3]) * char_px + 6) / (plot_px / 4.0)
            lo = {"middle": x - width / 2, "start": x}[anchor]
            a, b = items[i][:2]
            assert lo <= (a + b) / 2 <= lo + width or lo == 0 or abs(lo + width - 4.0) < 1e-9  # over its
            # word's middle, unless held inside the clip
            spans.append((lo, lo + width))
        spans.sort()
        assert all(a_hi <= b_lo + 1e-9 for (_a, a_hi), (b_lo, _b) in zip(spans, spans[1:]))  # none runs into the next
        assert spans[0][0] >= 0 and spans[-1][1] <= 4.0 + 1e-9  # none over the lane's name, none past the clip
        assert {items[i][3] for i in chosen} >= {"terrible,", "disaster."}
    # the report's lane writes the same strongest words (it wrote the first that fitted: "and it is ...")
    lane = video_kind.lane_svg(items, 4.0, "words", words=True)
    assert {"terrible,", "disaster."} <= set(re.findall(r'text-anchor="\w+">([^<]+)</text>', lane))
    assert len(video_kind.labelled_words(items, 4.0)) < len(said)  # a phone's lane is too short for every word:
    # the weakest are left to their hover text
