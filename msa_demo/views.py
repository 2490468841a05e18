"""View builders shared by the dashboard (:mod:`msa_demo.ui`) and the report (:mod:`msa_demo.report`).

Each takes a plain dict shaped like ``Explanation.to_dict()`` (see ``msa_demo/explain/result.py``) and returns
what a screen shows: plotly figures, ``(word, category)`` lists, PIL overlays, markdown, trust verdicts. Nothing
here imports Gradio, so the report (``explain --html``) does not load the dashboard.
"""

from __future__ import annotations

import base64
import html
import io
import json
from pathlib import Path
from typing import Any, Iterable

import numpy as np
from PIL import Image

from msa_demo.config import MODALITIES

GREEN, LIGHT_GREEN, LIGHT_RED, RED = "#1a9850", "#a6d96a", "#fdae61", "#d73027"
# HighlightedText categories: green pushes toward the explained class, red pushes away from it.
WORD_LEGEND = {
    "▲▲ strongly for": GREEN,
    "▲ for": LIGHT_GREEN,
    "▼ against": LIGHT_RED,
    "▼▼ strongly against": RED,
}

def _probs(p: dict | None) -> dict | None:
    if not p:
        return None
    return {str(k): float(v) for k, v in p.items()}


def prediction_views(pred: dict, extra_notices: Iterable[str] = ()) -> tuple:
    """(fused Label value, text Label, image Label, audio Label, notices markdown)."""
    per = pred.get("modalities") or {}
    own = tuple(_probs((per.get(m) or {}).get("probs")) for m in MODALITIES)
    return (_probs(pred.get("probs")),) + own + (notices_markdown(pred, extra_notices),)


def empty_prediction_views() -> tuple:
    return (None, None, None, None, "")


def notices_markdown(pred: dict, extra: Iterable[str] = ()) -> str:
    used = pred.get("used") or []
    lines = [f"**{md(str(pred.get('label', '')).upper())}** from {', '.join(used) or 'nothing'}"
             + (f" · switched off: {', '.join(pred.get('switched_off') or [])}" if pred.get("switched_off") else "")]
    for m in MODALITIES:
        mp = (pred.get("modalities") or {}).get(m)
        if mp:
            lines.append(f"{m} alone: **{md(mp.get('label', ''))}** ({md(mp.get('model_id', ''))})")
    for n in list(extra) + list(pred.get("notices") or []):
        lines.append(f"*Note:* {md(n)}")
    return "\n\n".join(lines)



def maps_for(exp: dict, modality: str) -> list[dict]:
    return [m for m in exp.get("maps") or [] if m.get("modality") == modality]


def _rel(scores: list[float]) -> list[float]:
    top = max((abs(float(s)) for s in scores), default=0.0)
    return [float(s) / top if top > 0 else 0.0 for s in scores]


def score_colour(rel: float, alpha: float | None = None) -> str:
    """Diverging colour: green for positive attribution, red for negative, strength from |rel|."""
    rel = max(-1.0, min(1.0, float(rel)))
    r, g, b = (26, 152, 80) if rel >= 0 else (215, 48, 39)
    a = abs(rel) * 0.85 + 0.1 if alpha is None else alpha
    return f"rgba({r},{g},{b},{a:.2f})"


def contributions_figure(exp: dict):
    """Bars of each modality's Shapley value toward the target, beside the 'without X' what-ifs."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    mc = exp.get("modalities")
    if not mc or not mc.get("shapley"):
        return None
    target = exp.get("target") or (exp.get("prediction") or {}).get("label", "")
    names = list(mc["shapley"])
    values = [float(mc["shapley"][n]) for n in names]
    fig = make_subplots(rows=1, cols=2, column_widths=[0.5, 0.5], subplot_titles=(
        f"Shapley value toward '{target}'", f"P({target}) with everything vs without one modality"))
    fig.add_trace(go.Bar(x=names, y=values, name="Shapley value", marker_color=[score_colour(v, 0.9) for v in values],
                         text=[f"{v:+.3f}" for v in values], textposition="auto"), row=1, col=1)
    pairs = mc.get("interactions") or {}
    if pairs:  # one line under the plots: bars stay readable however many pairs there are
        fig.add_annotation(text="pairwise interactions: " + ", ".join(
            f"{html.escape(str(k))} {float(v):+.3f}" for k, v in pairs.items()), xref="paper", yref="paper",
            x=0.0, y=-0.2, showarrow=False, font={"size": 11}, xanchor="left", yanchor="top")
    without = mc.get("without") or {}
    fused = (exp.get("prediction") or {}).get("probs") or {}
    xs, ys = ["all"], [float(fused.get(target, mc.get("value_all") or 0.0))]
    for n in names:
        if n in without:
            xs.append(f"without {n}")
            ys.append(float((without[n] or {}).get(target, 0.0)))
    fig.add_trace(go.Bar(x=xs, y=ys, name=f"P({target})", marker_color=["#4575b4"] + ["#999999"] * (len(xs) - 1),
                         text=[f"{y:.2f}" for y in ys], textposition="auto"), row=1, col=2)
    fig.update_yaxes(range=[0, 1], row=1, col=2)
    title = "Modality contributions"
    if mc.get("conflict"):
        title += f" — ⚠ modalities disagree<br><sup>{html.escape(str(mc.get('conflict_detail', '')))}</sup>"
    fig.update_layout(title={"text": title, "font": {"size": 14}}, showlegend=False, height=360,
                      margin={"l": 40, "r": 10, "t": 90, "b": 70})
    return fig


def text_highlights(exp: dict) -> list[tuple[str, str | None]] | None:
    """The whole text, split at the attributed words, each word tagged with a WORD_LEGEND category."""
    maps = maps_for(exp, "text")
    text = (exp.get("inputs") or {}).get("text")
    if not maps:
        return None
    m = maps[0]
    rel = _rel(m.get("scores") or [])
    spans = m.get("spans") or []
    out: list[tuple[str, str | None]] = []
    if text and spans and len(spans) == len(rel):
        pos = 0
        for (start, end), r in sorted(zip([tuple(s) for s in spans], rel)):
            start, end = int(start), int(end)
            if start < pos or end > len(text):
                continue
            if start > pos:
                out.append((text[pos:start], None))
            out.append((text[start:end], word_category(r)))
            pos = end
        if pos < len(text):
            out.append((text[pos:], None))
        return out
    for word, r in zip(m.get("labels") or [], rel):
        out.append((str(word) + " ", word_category(r)))
    return out


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


def _b64_image(b64: str | None) -> Image.Image | None:
    if not b64:
        return None
    return Image.open(io.BytesIO(base64.b64decode(b64))).convert("RGB")


def original_image(exp: dict) -> Image.Image | None:
    return _b64_image((exp.get("inputs") or {}).get("image_png_b64"))


def overlay(img: Image.Image, heatmap: list[list[float]], alpha: float = 0.6) -> Image.Image:
    """The picture, dimmed, with the attribution heat-map on top: green toward the target, red away."""
    hm = np.asarray(heatmap, dtype=np.float32)
    top = float(np.abs(hm).max()) if hm.size else 0.0
    hm = hm / top if top > 0 else hm
    hm_img = Image.fromarray(hm, mode="F").resize(img.size, Image.BILINEAR)
    h = np.clip(np.asarray(hm_img, dtype=np.float32), -1, 1)[..., None]
    base = np.asarray(img.convert("L").convert("RGB"), dtype=np.float32) * 0.75 + 40
    green = np.array([26, 152, 80], dtype=np.float32)
    red = np.array([215, 48, 39], dtype=np.float32)
    colour = np.where(h >= 0, green, red)
    a = np.abs(h) * alpha
    out = base * (1 - a) + colour * a
    return Image.fromarray(np.clip(out, 0, 255).astype(np.uint8))


def image_overlays(exp: dict) -> list[tuple[Image.Image, str]] | None:
    maps = [m for m in maps_for(exp, "image") if m.get("heatmap")]
    img = original_image(exp)
    if not maps or img is None:
        return None
    return [(overlay(img, m["heatmap"]), map_caption(m)) for m in maps]


def map_caption(m: dict) -> str:
    params = m.get("params") or {}
    bits = [m.get("method", "").replace("_", " ")]
    if "baseline" in params:
        bits.append(f"baseline: {params['baseline']}")
    for k in ("steps", "n_steps", "grid", "superpixels", "window", "segment_seconds"):
        if k in params:
            bits.append(f"{k.replace('_', ' ')}: {params[k]}")
    return " · ".join(str(b) for b in bits if b)


def _decode_wav(b64: str | None) -> tuple[np.ndarray, int] | None:
    if not b64:
        return None
    import soundfile as sf

    data, rate = sf.read(io.BytesIO(base64.b64decode(b64)), dtype="float32", always_2d=False)
    if data.ndim > 1:
        data = data.mean(axis=1)
    return data, int(rate)


def audio_clip(exp: dict):
    dec = _decode_wav((exp.get("inputs") or {}).get("audio_wav_b64"))
    if dec is None:
        return None
    wave, rate = dec
    return rate, (np.clip(wave, -1, 1) * 32767).astype(np.int16)


def audio_figure(exp: dict):
    """Waveform with coloured attribution bands, and a bar per segment labelled with its words or times."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    maps = maps_for(exp, "audio")
    dec = _decode_wav((exp.get("inputs") or {}).get("audio_wav_b64"))
    if not maps or dec is None:
        return None
    m = maps[0]
    wave, rate = dec
    step = max(1, len(wave) // 4000)
    t = np.arange(0, len(wave), step) / float(rate)
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.6, 0.4], vertical_spacing=0.06)
    fig.add_trace(go.Scatter(x=t, y=wave[::step], mode="lines", name="waveform", line={"color": "#555", "width": 1}),
                  row=1, col=1)
    scores = [float(s) for s in m.get("scores") or []]
    rel = _rel(scores)
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
    fig.add_trace(go.Bar(x=centres, y=scores[: len(centres)], width=widths, name="segment attribution",
                         marker_color=[score_colour(r, 0.9) for r in rel[: len(centres)]],
                         text=labels[: len(centres)], textposition="outside", hovertext=labels[: len(centres)]),
                  row=2, col=1)
    fig.update_xaxes(title_text="seconds", row=2, col=1)
    fig.update_yaxes(title_text="amplitude", row=1, col=1)
    fig.update_yaxes(title_text="attribution", row=2, col=1)
    fig.update_layout(title={"text": f"Audio: {html.escape(map_caption(m))} — green toward "
                                     f"'{html.escape(str(exp.get('target', '')))}', red away",
                             "font": {"size": 14}}, showlegend=False, height=380,
                      margin={"l": 50, "r": 10, "t": 50, "b": 40})
    return fig


def _fmt(v, spec: str = ".3f") -> str:
    if v is None:
        return "—"
    try:
        return format(float(v), spec)
    except (TypeError, ValueError):
        return md(str(v))


AOPC_TOO_SMALL = 0.01  # below this, deleting parts barely moves the score: the deletion test cannot judge the map


def trust_verdicts(exp: dict) -> list[tuple[str, str]]:
    """Plain-language verdicts on each map: (mark, sentence); mark is ✓ (passes), ✗ (fails) or ? (can't tell)."""
    out = []
    for m in exp.get("maps") or []:
        f = m.get("faithfulness") or {}
        name = f"{m.get('modality')} {str(m.get('method', '')).replace('_', ' ')}"
        if f.get("aopc") is not None and f.get("aopc_random") is not None:
            aopc, rand = float(f["aopc"]), float(f["aopc_random"])
            gap = aopc - rand
            if max(abs(aopc), abs(rand)) < AOPC_TOO_SMALL:
                out.append(("?", f"{name}: deleting parts barely moves the score (AOPC {aopc:.3f}, random "
                                 f"{rand:.3f}), so the deletion test cannot tell whether this map is right."))
            elif gap > AOPC_TOO_SMALL:
                out.append(("✓", f"{name}: deleting the top-ranked parts first drops the score faster than "
                                 f"deleting at random (AOPC gap {gap:+.3f})."))
            else:
                out.append(("✗", f"{name}: deleting the top-ranked parts first does not drop the score clearly "
                                 f"faster than deleting at random (AOPC gap {gap:+.3f}); read this map with care."))
        if f.get("sanity_spearman") is not None:
            rho = float(f["sanity_spearman"])
            ok = rho < 0.5  # a map that keeps its ranking on a randomised model does not read the learned weights
            out.append(("✓" if ok else "✗", f"{name} sanity check: attributions on a randomised model "
                                            f"{'differ' if ok else 'barely differ'} (Spearman ρ = {rho:.2f})."))
    return out


def trust_markdown(exp: dict, final: bool = False) -> str:
    """IG completeness delta, deletion AOPC vs random, sanity check, and what it cost."""
    maps = exp.get("maps") or []
    if not maps and not exp.get("modalities"):
        return ""
    rows = ["| modality | method | IG δ (share of score change) | AOPC | AOPC random | sanity ρ | passes | seconds |",
            "|---|---|---|---|---|---|---|---|"]
    for m in maps:
        f = m.get("faithfulness") or {}
        c = m.get("cost") or {}
        rows.append(f"| {md(m.get('modality', ''))} | {md(str(m.get('method', '')).replace('_', ' '))} | "
                    f"{_fmt(m.get('delta'), '.2e') if m.get('delta') is not None else '—'} | {_fmt(f.get('aopc'))} | "
                    f"{_fmt(f.get('aopc_random'))} | {_fmt(f.get('sanity_spearman'), '.2f')} | "
                    f"{c.get('forward_passes', '—')} | {_fmt(c.get('seconds'), '.2f')} |")
    cost = exp.get("cost") or {}
    parts = [f"### Can you trust it?{'' if final else ' (still computing…)'}", "\n".join(rows)]
    verdicts = trust_verdicts(exp)
    if verdicts:
        parts.append("\n\n".join(f"{mark} {md(text)}" for mark, text in verdicts))
    parts.append(f"**Total:** {cost.get('forward_passes', 0)} forward passes, {_fmt(cost.get('seconds'), '.1f')} s. "
                 "IG δ is how far the attributions miss summing to the score change (smaller is better).")
    for n in exp.get("notices") or []:
        parts.append(f"*Note:* {md(n)}")
    return "\n\n".join(parts)


def md(s: Any) -> str:
    """Escape a string for Markdown/HTML display (user-supplied names, model ids, notices)."""
    s = html.escape(str(s), quote=True)
    for ch in "\\`*_[]|":
        s = s.replace(ch, "\\" + ch)
    return s


def load_examples(path: str | Path) -> list[dict]:
    """examples.json entries whose files exist, with paths made absolute; [] if the file is absent or bad."""
    path = Path(path)
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    out = []
    for e in entries if isinstance(entries, list) else []:
        if not isinstance(e, dict):
            continue
        row = {"name": str(e.get("name", "")), "text": e.get("text") or "", "note": str(e.get("note", ""))}
        for key in ("image", "audio"):
            val = e.get(key)
            full = (path.parent / val) if val else None
            row[key] = str(full) if full is not None and full.is_file() else None
        out.append(row)
    return out
