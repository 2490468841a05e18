"""The colours a low-vision or colour-blind reader depends on: the one diverging attribution palette (toward / away
from the explained class) stays two colours under a deuteranopia or protanopia simulation, on every surface that
draws it (word chips, bars and waveform bands, heat maps, the colour bar), and the words that name its colours
name the ones drawn."""

from __future__ import annotations

import re

import numpy as np
import pytest
from PIL import Image

# Machado, Oliveira & Fernandes (2009), severity 1.0, applied to linear RGB
SIMULATIONS = {
    "deuteranopia": np.array([[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
                              [-0.011820, 0.042940, 0.968881]]),
    "protanopia": np.array([[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
                            [-0.003882, -0.048116, 1.051998]]),
}


def _rgb(colour) -> tuple[float, float, float]:
    """'#rrggbb', 'rgba(r,g,b,a)' (shown on white) or an (r, g, b) triple, as 0-255 floats."""
    if isinstance(colour, str) and colour.startswith("#"):
        return tuple(float(int(colour[i:i + 2], 16)) for i in (1, 3, 5))
    if isinstance(colour, str):
        *rgb, a = (float(v) for v in re.match(r"rgba\(([^)]*)\)", colour)[1].split(","))
        return tuple(c * a + 255 * (1 - a) for c in rgb)
    return tuple(float(c) for c in colour)


def _lab(linear: np.ndarray) -> np.ndarray:
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]) @ linear
    xyz = xyz / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16 / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def seen_apart(a, b, simulation: str | None = None) -> float:
    """How far apart two colours look (CIE76 ΔE), to normal vision or under ``simulation``."""
    def linear(c):
        c = np.asarray(_rgb(c)) / 255
        c = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
        return np.clip(SIMULATIONS[simulation] @ c, 0, 1) if simulation else c
    return float(np.linalg.norm(_lab(linear(a)) - _lab(linear(b))))


def pairs():
    """(surface, toward colour, away colour) for every surface that draws a push, at full strength."""
    from msa_demo import views
    from msa_demo.views.figures import overlay

    legend = views.WORD_LEGEND
    grey = Image.new("RGB", (4, 4), (128, 128, 128))
    toward = np.asarray(overlay(grey, [[1.0]]))[0, 0]
    away = np.asarray(overlay(grey, [[-1.0]]))[0, 0]
    return [("strong word chips", legend["▲▲ strongly for"], legend["▼▼ strongly against"]),
            ("light word chips", legend["▲ for"], legend["▼ against"]),
            ("bars and colour bar", views.score_colour(1, 0.9), views.score_colour(-1, 0.9)),
            ("waveform bands", views.score_colour(1, 0.5), views.score_colour(-1, 0.5)),
            ("video timeline", views.score_colour(0.5, 0.55), views.score_colour(-0.5, 0.55)),
            ("heat map", toward, away)]


@pytest.mark.parametrize("simulation", sorted(SIMULATIONS))
def test_toward_and_away_stay_two_colours_for_the_colour_blind(simulation):
    """The heat maps, colour bar, waveform and words drew toward in green and away in red (#1a9850 / #d73027): under
    a deuteranopia simulation both were the same olive (ΔE 14 on the heat maps, 22 of 106 on the chips). Each
    surface's two colours now stay at least half as far apart as to normal vision, and clearly apart (ΔE ≥ 25)."""
    for surface, toward, away in pairs():
        normal, simulated = seen_apart(toward, away), seen_apart(toward, away, simulation)
        assert simulated >= 0.5 * normal and simulated >= 25, (surface, round(normal, 1), round(simulated, 1))


def test_the_palette_is_defined_once_and_named_as_drawn():
    """The colour words said beside the pushes ("blue pushes toward…, orange away") match the colours drawn: the
    toward colour is a blue, the away colour an orange, on every surface; no legend says green or red any more."""
    from msa_demo import i18n, views

    for surface, toward, away in pairs():
        r, g, b = _rgb(toward)
        assert b > r + 40 and b > g, (surface, toward)  # blue
        r, g, b = _rgb(away)
        assert r > g > b and r - b > 80, (surface, away)  # orange
    assert views.LEGEND_TEXT.startswith("blue pushes toward") and "orange pushes away" in views.LEGEND_TEXT
    said = [k for k in i18n.ZH if re.search(r"push(es|ed)? (toward|away)|pushed the model", k)]
    coloured = [k for k in said if re.search(r"(?i)\b(green|red|blue|orange)\b", k)]
    assert len(coloured) >= 8
    for key in coloured:
        assert not re.search(r"(?i)\b(green|red)\b", key), key
        assert re.search(r"(?i)\bblue\b", key) and re.search(r"(?i)\borange\b", key), key
        assert "蓝色" in i18n.ZH[key] and "橙色" in i18n.ZH[key] and "绿" not in i18n.ZH[key], key


def test_the_colour_bar_keeps_its_colours_in_forced_colours(exp_with_heat_map):
    """In forced colours (Windows high contrast) the heat maps' colour bar was an empty white box: its gradient is
    a background, which the browser drops there. The bar opts out of forced colours, and its two ends are named in
    words either side of it."""
    from msa_demo import views

    legend = views.heatmap_legend(exp_with_heat_map)
    bar = re.search(r'<span style="([^"]*)"></span>', legend)
    assert bar and "linear-gradient" in bar[1] and "forced-color-adjust:none" in bar[1].replace(" ", "")
    before, after = legend[:bar.start()], legend[bar.end():]
    assert before.rstrip().endswith("away from 'negative'") and after.lstrip().startswith("toward 'negative'")


@pytest.fixture
def exp_with_heat_map():
    return {"target": "negative",
            "maps": [{"modality": "image", "method": "occlusion", "params": {"grid": 2},
                      "labels": ["a", "b", "c", "d"], "scores": [0.5, -0.2, 0.1, 0.0],
                      "heatmap": [[0.5, -0.2], [0.1, 0.0]]}]}


def _rules(css: str, selector_part: str) -> list[str]:
    """The bodies of the CSS rules whose selector holds ``selector_part`` (outside @media blocks too)."""
    return [body for sel, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css) if selector_part in sel]


def _opacity(bodies: list[str]) -> float:
    found = [float(m) for b in bodies for m in re.findall(r"opacity:\s*([\d.]+)", b)]
    assert found, bodies
    return min(found)


def _seen(text: str, opacity: float, back: str = "#ffffff") -> str:
    """``text`` drawn at ``opacity`` over ``back``, as the eye gets it."""
    fore, ground = (np.array([int(c[i:i + 2], 16) for i in (1, 3, 5)]) for c in (text, back))
    return "#" + "".join(f"{round(v):02x}" for v in fore * opacity + ground * (1 - opacity))


@pytest.mark.parametrize("text", ["#27272a", "#595959"])  # the page's text; its darkest small print (#transcript sub)
def test_out_of_date_and_updating_panels_keep_their_text_readable(text):
    """Verdicts gone out of date were faded to .4 and a panel being updated (Gradio's .pending) to .2: the page's
    text came out #a8a8a9 on white, 2.4:1. Both are still told apart (drained of colour, the "Out of date" line),
    their text at least 4.5:1 (WCAG AA)."""
    import app
    from msa_demo.views import contrast

    for part in ("stale-verdicts", ".pending"):
        bodies = _rules(app.CSS, part)
        assert any("grayscale" in b for b in bodies), part  # still seen to be stale: no colour
        shown = _seen(text, _opacity(bodies))
        assert contrast(shown, "#ffffff") >= 4.5, (part, text, shown, round(contrast(shown, "#ffffff"), 2))


def test_the_headings_bold_face_has_every_letter():
    """The verdict's headline read "NEGᴀTIVE": Gradio's theme sets headings in Source Sans Pro at weight 600 from
    the SemiBold file it ships, which holds the letters A and B only, so the rest came from a fallback font, the A
    smaller. The face the page ends with for weight 600 (the last @font-face, ours after the theme's) holds every
    letter of the verdicts, in both cases."""
    import os

    import gradio
    TTFont = pytest.importorskip("fontTools.ttLib").TTFont  # matplotlib's; reads the font files

    import app

    theme = gradio.themes.Default()._get_theme_css()
    faces = re.findall(r"@font-face\s*\{([^}]*)\}", theme + app.CSS)  # the page's order: the theme's, then ours
    semibold = [f for f in faces if "Source Sans Pro" in f and re.search(r"font-weight:\s*600", f)]
    assert semibold
    src = re.search(r"url\('([^']+)'\)", semibold[-1])[1]
    path = os.path.join(os.path.dirname(gradio.__file__), "templates", "frontend", src)
    letters = set(map(ord, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"))
    assert letters <= set(TTFont(path).getBestCmap()), src


def _media(css: str, query: str) -> str:
    """The rules inside ``@media (query)`` blocks of ``css``, joined."""
    out = []
    for m in re.finditer(r"@media\s*\(" + re.escape(query) + r"\)\s*\{", css):
        depth, i = 1, m.end()
        while depth:
            depth += {"{": 1, "}": -1}.get(css[i], 0)
            i += 1
        out.append(css[m.end():i - 1])
    return "".join(out)


def test_forced_colours_reduced_motion_and_small_print_are_honoured():
    """Seen by a low-vision audit: in forced colours the selected tab looked like the others and Predict/Explain
    lost their button shape; asked for less motion, the tab's fade-grow and the progress bars still moved; the small
    print was 10.5 px and a chip's ▲ / ▼ 8 px. The page's CSS now borders buttons and tabs in system colours (the
    selected tab thicker, in Highlight), stops every animation and transition, and sets the small print at 13 px or
    more, the marks at .85 of the word."""
    import app

    forced = _media(app.CSS, "forced-colors: active")
    assert re.search(r"button[^{]*\{[^}]*border:[^}]*ButtonText", forced)
    selected = _rules(forced, "[role=tab][aria-selected=true]")
    assert selected and re.search(r"border:\s*[3-9]px solid Highlight", selected[0])
    still = _media(app.CSS, "prefers-reduced-motion: reduce")
    everything = _rules(still, ".gradio-container *")
    assert everything and all(re.search(rf"{p}-duration:\s*0s?\s*!important", everything[0])
                              for p in ("animation", "transition"))
    assert "prefers-reduced-motion" in app.SHOW_VERDICT  # no smooth glide to the verdict either
    small = _rules(app.CSS, ":is(sub, small)")
    assert small and int(re.search(r"font-size:\s*max\((\d+)px", small[-1])[1]) >= 13
    marks = _rules(app.CSS, "#words .token[data-mark]::after")
    sizes = [float(m[1]) for rule in marks if (m := re.search(r"font-size:\s*([\d.]+)em", rule))]
    assert sizes and sizes[-1] >= 0.8  # (the last rule that sizes it: another may set its content alone)


@pytest.mark.parametrize("simulation", sorted(SIMULATIONS))
def test_the_dataset_map_s_labels_stay_apart_for_the_colour_blind(simulation):
    """The dataset map coloured its points negative red and positive green (#d73027 / #1a9850): under a
    deuteranopia simulation the two labels were one olive (ΔE 26, 20 under protanopia). Every two of its colours
    (the three labels and a row without one) now stay clearly apart (ΔE ≥ 35)."""
    from itertools import combinations

    from msa_demo.views import rowmap

    colours = [*(rowmap.label_colour(s) for s in rowmap.LABEL_COLOURS), rowmap.label_colour(None)]
    assert len(set(colours)) == 4
    for a, b in combinations(colours, 2):
        assert seen_apart(a, b, simulation) >= 35, (a, b, round(seen_apart(a, b, simulation), 1))
