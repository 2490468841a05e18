"""The dataset map drawn: a plotly scatter for the Dataset tab and a static SVG for report.html, from a
``dataset.rowmap.RowMap`` (read by its fields: this module imports no dataset code). Colour: the row's label;
a × marks a labelled row the model got wrong; hover (or an SVG ``<title>``): id, label, prediction, text start."""

from __future__ import annotations

from typing import Any

from msa_demo.i18n import label as class_name, t
from msa_demo.views.figures import (LINE_PX, TIME_LINE_TOOLS_LEFT_OUT, TOOLS_HIGH, extra_lines, subtitle,
                                    title_lines, under_the_tools)
from msa_demo.views.base import esc as _e
from msa_demo.views.charts import svg_open

# labels, not pushes: Okabe & Ito's vermillion and blue, a mid grey, and near-black for a row without a label; the
# red and green they replace (#d73027, #1a9850) came out the same olive under a deuteranopia simulation (ΔE 26)
LABEL_COLOURS = {"negative": "#D55E00", "neutral": "#8c8c8c", "positive": "#0072B2"}
UNLABELLED = "#333333"


def label_colour(label: str | None) -> str:
    return LABEL_COLOURS.get(label or "", UNLABELLED)


def _groups(points: list, lang: str = "en") -> list[tuple[str, str, bool, list]]:
    """(legend name, colour, wrong, points) per label (in the sentiments' order, unlabelled last) and
    correctness."""
    order = [*LABEL_COLOURS, None]
    out = []
    for label in order:
        for wrong in (False, True):
            pts = [p for p in points if (p.label or None) == label and p.wrong is wrong]
            if pts:
                name = (t("label {label}", lang, label=class_name(label, lang)) if label else t("unlabelled", lang)
                        ) + (t(" · predicted wrong", lang) if wrong else "")
                out.append((name, label_colour(label), wrong, pts))
    return out


def _under_first(groups: list) -> list:
    """The groups in drawing order: the (larger) crosses first, so a circle at the same place stays visible."""
    return sorted(groups, key=lambda g: not g[2])


def _label_line(p: Any, lang: str) -> str:
    """"label: positive · predicted: negative" of a point, in ``lang``."""
    return t("label: {label} · predicted: {predicted}", lang, label=class_name(p.label, lang) or "—",
             predicted=class_name(p.predicted, lang) or "—")


def hover_text(p: Any, lang: str = "en") -> str:
    return (f"{_e(p.id)}<br>" + _label_line(p, lang)
            + (f"<br>{_e(p.text)}" if p.text else ""))


TITLE = "Map of the rows: their fused features by PCA"
HOW = "colour: label · ×: predicted wrong · click a point to open its row"  # the title's second line


def map_figure(m: Any, height: int = 520, title: str | None = None, lang: str = "en"):
    """The map as a plotly figure (None when ``m`` has no points): each point's ``customdata`` is its row id;
    ``title``: :data:`TITLE` over :data:`HOW` in ``lang`` unless given, below the tool bar (a phone shows it at all
    times, over the chart's top), which keeps zoom and pan and leaves out the selection tools (a click opens a row)."""
    import plotly.graph_objects as go

    if not getattr(m, "points", None):
        return None
    fig = go.Figure()
    groups = _groups(m.points, lang)
    title = title_lines(t(TITLE, lang), lang) + subtitle(t(HOW, lang), lang) if title is None else title
    more = LINE_PX * extra_lines(title)
    height += more
    for name, colour, wrong, pts in _under_first(groups):
        fig.add_trace(go.Scatter(legendrank=1000 + groups.index((name, colour, wrong, pts)),
            x=[p.x for p in pts], y=[p.y for p in pts], mode="markers", name=name,
            customdata=[p.id for p in pts], text=[hover_text(p, lang) for p in pts],
            hovertemplate="%{text}<extra></extra>",
            marker={"color": colour, "size": 13 if wrong else 10, "symbol": "x" if wrong else "circle",
                    "line": {"width": 0 if wrong else 1, "color": "white"}, "opacity": 0.8}))
    x_title, y_title = m.axis_titles(lang)
    fig.update_layout(title={"text": title, "font": {"size": 14}, "x": 0, "xanchor": "left", **under_the_tools(height)},
                      modebar={"remove": TIME_LINE_TOOLS_LEFT_OUT},
                      height=height, margin={"l": 50, "r": 10, "t": 80 + TOOLS_HIGH + more, "b": 50}, hovermode="closest",
                      clickmode="event", legend={"orientation": "h", "y": 1.0, "yanchor": "bottom", "x": 0},
                      xaxis={"title": {"text": x_title, "font": {"size": 12}}, "zeroline": False},
                      yaxis={"title": {"text": y_title, "font": {"size": 12}}, "zeroline": False})
    return fig


def map_svg(m: Any, href: Any = None, width: int = 760, height: int = 420, lang: str = "en") -> str:
    """The map as a static SVG ("" without points): circles coloured by label, × for a wrong prediction, each
    point's ``<title>`` its row and its ``data-id`` the row's id; ``href(row id)``: a link per point (None or "":
    no link). About 200 bytes a point."""
    pts = list(getattr(m, "points", None) or [])
    if not pts:
        return ""
    left, right, top, bottom = 50, 240, 20, 40
    xs, ys = [p.x for p in pts], [p.y for p in pts]
    pad_x, pad_y = 0.05 * ((max(xs) - min(xs)) or 1.0), 0.05 * ((max(ys) - min(ys)) or 1.0)
    x0, x1, y0, y1 = min(xs) - pad_x, max(xs) + pad_x, min(ys) - pad_y, max(ys) + pad_y

    def at(p) -> tuple[float, float]:
        return (left + (p.x - x0) / (x1 - x0) * (width - left - right),
                height - bottom - (p.y - y0) / (y1 - y0) * (height - top - bottom))

    x_title, y_title = m.axis_titles(lang)
    parts = [svg_open(width, height, "map of the rows"),
             f'<rect x="{left}" y="{top}" width="{width - left - right}" height="{height - top - bottom}" '
             'fill="none" stroke="#ccc"/>',
             f'<text x="{left + (width - left - right) / 2:.0f}" y="{height - 10}" text-anchor="middle">'
             f'{_e(x_title)}</text>',
             f'<text x="14" y="{top + (height - top - bottom) / 2:.0f}" text-anchor="middle" '
             f'transform="rotate(-90 14 {top + (height - top - bottom) / 2:.0f})">{_e(y_title)}</text>']
    for name, colour, wrong, group in _under_first(_groups(pts, lang)):  # one style per group: a point is its place
        parts.append(f'<g stroke="{colour}" stroke-width="2.5" fill="none">' if wrong else
                     f'<g fill="{colour}" fill-opacity="0.85" stroke="white">')
        for p in group:
            cx, cy = at(p)
            tip = _e(f"{p.id}: " + _label_line(p, lang)
                     + (f" · {p.text}" if p.text else ""))
            mark = (f'<path data-id="{_e(p.id)}" d="M{cx - 5:.0f},{cy - 5:.0f}l10,10m-10,0l10,-10"><title>{tip}</title>'
                    '</path>' if wrong else
                    f'<circle data-id="{_e(p.id)}" cx="{cx:.0f}" cy="{cy:.0f}" r="5"><title>{tip}</title></circle>')
            link = href(p.id) if href else None
            parts.append(f'<a href="{_e(link)}">{mark}</a>' if link else mark)
        parts.append("</g>")
    for i, (name, colour, wrong, _) in enumerate(_groups(pts, lang)):  # the legend, right of the plot
        y = top + 8 + 18 * i
        x = width - right + 14
        mark = (f'<path d="M{x - 4},{y - 4}L{x + 4},{y + 4}M{x - 4},{y + 4}L{x + 4},{y - 4}" stroke="{colour}" '
                'stroke-width="2.5"/>' if wrong else f'<circle cx="{x}" cy="{y}" r="5" fill="{colour}"/>')
        parts.append(f'{mark}<text x="{x + 10}" y="{y + 4}">{_e(name)}</text>')
    parts.append("</svg>")
    return "".join(parts)


__all__ = ["HOW", "LABEL_COLOURS", "TITLE", "hover_text", "label_colour", "map_figure", "map_svg"]
