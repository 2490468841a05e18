"""Static charts for the report: light (a few kB each), readable offline without any script. Bars are plain HTML and
CSS (they take the width the screen has); the waveform is an SVG (its time axis keeps its width and scrolls).
"""

from __future__ import annotations

import numpy as np

from msa_demo.views.base import esc as _e
from msa_demo.views.base import score_colour


def svg_open(width: float, height: float, label: str, font_px: int = 12) -> str:
    """An SVG chart's opening tag: its size, a viewBox (so that a narrow page scales it down rather than cut it), and
    its label for a screen reader (``label`` is escaped here)."""
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
            f'role="img" aria-label="{_e(label)}" style="font:{font_px}px system-ui,sans-serif">')


BARS_CSS = """
.bars{margin:.5em 0;max-width:560px}.bars figcaption{font-weight:600;margin-bottom:.2em}
.bars .r{display:grid;grid-template-columns:minmax(3em,11em) minmax(4em,1fr) auto;align-items:center;gap:0 .5em;
min-height:1.5em}.bars .l{text-align:right;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.bars .k{position:relative;height:1.05em}.bars .k.s{background:linear-gradient(#999,#999) 50%/1px 100% no-repeat}
.bars .k i{position:absolute;top:0;bottom:0;min-width:1px}.bars .v{font-variant-numeric:tabular-nums;text-align:right}
.bars,.words span,.legend span{-webkit-print-color-adjust:exact;print-color-adjust:exact}
"""


def bars_html(labels: list[str], values: list[float], *, title: str, signed: bool = True, spec: str = "+.3f",
              colours: list[str] | None = None, unit: str = "", full: float | None = None) -> str:
    """Horizontal bars, one row per label (the label, the bar, the value), in plain HTML and CSS (``BARS_CSS``):
    they take the width the screen has. Drawn as a 560-px SVG, a report read on a phone showed the part of the
    chart that fit and hid the rest in a frame scrolled sideways (of "text -0.370, image +0.283, audio +0.378",
    the one bar against the verdict); shrunk to fit, its words had been 5 to 8 px tall. Signed bars grow left
    (negative) or right (positive) from a zero line in the middle; the colours print. ``unit``: written after each
    value (" points", " %"); ``full``: the value a whole unsigned bar stands for (100 for percentages)."""
    if not values:
        return ""
    top_abs = max((abs(float(v)) for v in values), default=0.0) or 1.0
    scale = top_abs if signed else max(1.0, top_abs) if full is None else full
    rows = []
    for i, (lbl, v) in enumerate(zip(labels, values)):
        v = float(v)
        fill = colours[i] if colours else score_colour(v / top_abs, 0.85)
        share = abs(v) / scale * (50 if signed else 100)
        side = ("right" if v < 0 else "left") + (":50%" if signed else ":0")
        rows.append(f'<div class="r"><span class="l" title="{_e(lbl)}">{_e(lbl)}</span>'
                    f'<span class="k{" s" if signed else ""}"><i style="{side};width:{share:.1f}%;background:{fill}">'
                    f'</i></span><span class="v">{format(v, spec)}{_e(unit)}</span></div>')
    return f'<figure class="bars"><figcaption>{_e(title)}</figcaption>{"".join(rows)}</figure>'


def waveform_svg(wave: np.ndarray, rate: int, spans: list, rel: list[float], *, width: int = 760,
                 height: int = 120, label: str = "waveform") -> str:
    """The waveform (min/max per pixel column) over coloured bands, one band per explained segment; ``label``: what
    a screen reader is told it is (in the report's language)."""
    if wave is None or len(wave) == 0:
        return ""
    seconds = len(wave) / float(rate)
    cols = min(width, len(wave))
    chunks = np.array_split(np.asarray(wave, dtype=np.float32), cols)
    lo = np.array([c.min() for c in chunks])
    hi = np.array([c.max() for c in chunks])
    top = float(max(np.abs(lo).max(), np.abs(hi).max(), 1e-6))
    mid = height / 2
    xs = np.linspace(0, width, cols)
    pts = " ".join(f"{x:.1f},{mid - h / top * (mid - 4):.1f}" for x, h in zip(xs, hi))
    pts += " " + " ".join(f"{x:.1f},{mid - lo_ / top * (mid - 4):.1f}" for x, lo_ in zip(xs[::-1], lo[::-1]))
    px = width / seconds
    bands = "".join(f'<rect x="{float(s) * px:.1f}" y="0" width="{max(0.5, (float(e) - float(s)) * px):.1f}" '
                    f'height="{height}" fill="{score_colour(r, 0.05 + 0.45 * abs(r))}"/>'
                    for (s, e), r in zip(spans, rel))
    ticks = "".join(f'<text x="{t / seconds * width:.1f}" y="{height + 14}" '
                    f'text-anchor="{"start" if t == 0 else "middle"}">{t:g} s</text>'
                    for t in np.arange(0, seconds - 0.1, max(0.5, round(seconds / 8 * 2) / 2)))
    return (svg_open(width, height + 20, label, 11) + bands +
            f'<polygon points="{pts}" fill="#555" stroke="#555" stroke-width="0.5"/>{ticks}</svg>')
