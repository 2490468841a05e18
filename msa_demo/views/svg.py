"""Static SVG charts for the report: light (a few kB each), readable offline without any script."""

from __future__ import annotations

import numpy as np

from msa_demo.views.base import esc as _e
from msa_demo.views.base import score_colour


def svg_open(width: float, height: float, label: str, font_px: int = 12) -> str:
    """An SVG chart's opening tag: its size, a viewBox (so that a narrow page scales it down rather than cut it), and
    its label for a screen reader (``label`` is escaped here)."""
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
            f'role="img" aria-label="{_e(label)}" style="font:{font_px}px system-ui,sans-serif">')


def bars_svg(labels: list[str], values: list[float], *, title: str, signed: bool = True, spec: str = "+.3f",
             colours: list[str] | None = None, width: int = 560, label_width: int = 170) -> str:
    """Horizontal bars, one row per label (labels on the left, values at the bar's end: nothing clips)."""
    if not values:
        return ""
    row, top = 24, 30
    h = top + row * len(values) + 10
    top_abs = max((abs(float(v)) for v in values), default=0.0) or 1.0
    pad = max(50, 7 * max(len(format(float(v), spec)) for v in values) + 6)  # the value written beyond a bar's end
    span = width - label_width - 2 * pad
    zero = label_width + (pad + span / 2 if signed else 0)
    scale = (span / 2 if signed else span) / (top_abs if signed else max(1.0, top_abs))
    parts = [svg_open(width, h, title),
             f'<text x="4" y="16" style="font-weight:600">{_e(title)}</text>',
             f'<line x1="{zero:.1f}" y1="{top - 4}" x2="{zero:.1f}" y2="{h - 6}" stroke="#999"/>']
    for i, (lbl, v) in enumerate(zip(labels, values)):
        v = float(v)
        y = top + i * row
        w = abs(v) * scale
        x = zero - w if v < 0 else zero
        fill = colours[i] if colours else score_colour(v / top_abs, 0.85)
        text_x = (x - 4) if v < 0 else (x + w + 4)
        anchor = "end" if v < 0 else "start"
        short = str(lbl) if len(str(lbl)) <= 26 else str(lbl)[:25] + "…"
        parts += [f'<text x="{label_width - 8}" y="{y + 15}" text-anchor="end"><title>{_e(lbl)}</title>'
                  f'{_e(short)}</text>',
                  f'<rect x="{x:.1f}" y="{y + 3}" width="{max(w, 0.5):.1f}" height="{row - 6}" fill="{fill}"/>',
                  f'<text x="{text_x:.1f}" y="{y + 15}" text-anchor="{anchor}">{format(v, spec)}</text>']
    parts.append("</svg>")
    return "".join(parts)


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
