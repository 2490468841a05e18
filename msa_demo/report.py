"""An explanation as one self-contained, offline HTML file.

Plotly figures carry plotly.js inline, pictures and the clip are ``data:`` URIs, every user-supplied string
is escaped, nothing is fetched from the network. The explanation's JSON is embedded (and offered as a
download) so ``python -m msa_demo explain --from report.json`` can reproduce it.
"""

from __future__ import annotations

import base64
import html
import io
import json
from pathlib import Path
from typing import Any

from msa_demo import views

CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;
color:#222;line-height:1.45}
h1{font-size:1.5em}h2{font-size:1.2em;border-bottom:1px solid #ddd;padding-bottom:.2em;margin-top:1.6em}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ddd;padding:.25em .6em;text-align:left}
.words span{padding:1px 2px;border-radius:3px}.legend span{display:inline-block;padding:2px 8px;margin-right:6px;
border-radius:3px}.imgs{display:flex;flex-wrap:wrap;gap:12px}.imgs figure{margin:0}.imgs img{max-width:340px;
border:1px solid #ccc}pre{background:#f6f6f6;padding:.8em;overflow:auto;max-height:400px;font-size:12px}
.notice{color:#8a5a00}.conflict{color:#b00;font-weight:bold}
"""


def _d(explanation: Any) -> dict:
    if hasattr(explanation, "to_dict"):
        return explanation.to_dict()
    if isinstance(explanation, (str, bytes)):
        return json.loads(explanation)
    return dict(explanation)


def _e(s: Any) -> str:
    return html.escape("" if s is None else str(s), quote=True)


def _png_uri(img) -> str:
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _probs_table(probs: dict | None) -> str:
    if not probs:
        return ""
    rows = "".join(f"<tr><td>{_e(k)}</td><td>{float(v):.1%}</td></tr>" for k, v in probs.items())
    return f"<table><tr><th>class</th><th>probability</th></tr>{rows}</table>"


def _words_html(exp: dict) -> str:
    spans = views.text_highlights(exp)
    if not spans:
        return ""
    colours = views.WORD_LEGEND
    parts = []
    for text, cat in spans:
        if cat:
            parts.append(f'<span style="background:{colours[cat]}" title="{_e(cat)}">{_e(text)}</span>')
        else:
            parts.append(_e(text))
    legend = "".join(f'<span style="background:{c}">{_e(k)}</span>' for k, c in colours.items())
    m = views.maps_for(exp, "text")[0]
    return (f"<h2>Words</h2><p>{_e(views.map_caption(m))}; colours toward '{_e(exp.get('target'))}'.</p>"
            f'<p class="legend">{legend}</p><p class="words">{"".join(parts)}</p>')


def _image_html(exp: dict) -> str:
    img = views.original_image(exp)
    if img is None:
        return ""
    figs = [f'<figure><img alt="original picture" src="{_png_uri(img)}"><figcaption>original</figcaption></figure>']
    for ov, caption in views.image_overlays(exp) or []:
        figs.append(f'<figure><img alt="{_e(caption)}" src="{_png_uri(ov)}"><figcaption>{_e(caption)}'
                    "</figcaption></figure>")
    return f'<h2>Image</h2><div class="imgs">{"".join(figs)}</div>'


def _audio_html(exp: dict, fig_html) -> str:
    b64 = (exp.get("inputs") or {}).get("audio_wav_b64")
    if not b64:
        return ""
    player = f'<audio controls src="data:audio/wav;base64,{_e(b64)}"></audio>'
    return f"<h2>Audio</h2>{player}{fig_html(views.audio_figure(exp))}"


def _trust_html(exp: dict) -> str:
    rows = []
    for m in exp.get("maps") or []:
        f = m.get("faithfulness") or {}
        c = m.get("cost") or {}
        rows.append("<tr>" + "".join(f"<td>{_e(v)}</td>" for v in (
            m.get("modality"), str(m.get("method", "")).replace("_", " "),
            "—" if m.get("delta") is None else f"{float(m['delta']):.2e}",
            "—" if f.get("aopc") is None else f"{float(f['aopc']):.3f}",
            "—" if f.get("aopc_random") is None else f"{float(f['aopc_random']):.3f}",
            "—" if f.get("sanity_spearman") is None else f"{float(f['sanity_spearman']):.2f}",
            c.get("forward_passes", "—"), "—" if c.get("seconds") is None else f"{float(c['seconds']):.2f}")) + "</tr>")
    cost = exp.get("cost") or {}
    head = ("<tr><th>modality</th><th>method</th><th>IG δ</th><th>AOPC</th><th>AOPC random</th><th>sanity ρ</th>"
            "<th>forward passes</th><th>seconds</th></tr>")
    total = (f"<p>Total: {_e(cost.get('forward_passes', 0))} forward passes, "
             f"{float(cost.get('seconds') or 0):.1f} s.</p>")
    verdicts = "".join(f"<p>{_e(mark)} {_e(text)}</p>" for mark, text in views.trust_verdicts(exp))
    return f"<h2>Can you trust it?</h2><table>{head}{''.join(rows)}</table>{verdicts}{total}"


def _json_for_script(data: dict) -> str:
    s = json.dumps(data, ensure_ascii=False, default=str)
    return s.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def to_html(explanation: Any) -> str:
    """The explanation as one self-contained HTML page (no network needed to view it)."""
    import plotly.io as pio

    exp = _d(explanation)
    pred = exp.get("prediction") or {}
    plotly_included = [False]

    def fig_html(fig) -> str:
        if fig is None:
            return ""
        out = pio.to_html(fig, full_html=False, include_plotlyjs=not plotly_included[0], include_mathjax=False,
                          config={"displaylogo": False, "responsive": True})
        plotly_included[0] = True
        return out

    mc = exp.get("modalities") or {}
    per = pred.get("modalities") or {}
    per_rows = "".join(
        f"<tr><td>{_e(m)}</td><td>{_e(p.get('label'))}</td><td>{_e(p.get('model_id'))}</td>"
        f"<td>{_e(p.get('revision'))}</td></tr>" for m, p in per.items())
    conflict = (f'<p class="conflict">Modalities disagree: {_e(mc.get("conflict_detail"))}</p>'
                if mc.get("conflict") else "")
    notices = "".join(f'<p class="notice">{_e(n)}</p>' for n in list(pred.get("notices") or [])
                      + list(exp.get("notices") or []))
    data = json.dumps(exp, indent=2, ensure_ascii=False, default=str)
    json_uri = "data:application/json;base64," + base64.b64encode(data.encode("utf-8")).decode("ascii")
    body = [
        f"<h1>Why '{_e(pred.get('label'))}'? — multimodal sentiment explanation</h1>",
        f"<p>Preset <b>{_e(exp.get('preset'))}</b>; explained class <b>{_e(exp.get('target'))}</b>; "
        f"used: {_e(', '.join(pred.get('used') or []))}.</p>",
        _probs_table(pred.get("probs")),
        f"<table><tr><th>modality</th><th>alone says</th><th>model</th><th>revision</th></tr>{per_rows}</table>"
        if per_rows else "",
        notices,
        "<h2>Modality contributions</h2>" + conflict + fig_html(views.contributions_figure(exp)) if mc else "",
        _words_html(exp),
        _image_html(exp),
        _audio_html(exp, fig_html),
        _trust_html(exp),
        "<h2>Reproduce</h2><p>Save the JSON below as <code>report.json</code> and run "
        "<code>python -m msa_demo explain --from report.json</code>.</p>"
        f'<p><a download="report.json" href="{json_uri}">Download the explanation JSON</a></p>'
        f"<details><summary>Explanation JSON</summary><pre>{_e(data)}</pre></details>",
        f'<script type="application/json" id="explanation-json">{_json_for_script(exp)}</script>',
    ]
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
            "script-src 'unsafe-inline' 'unsafe-eval'; style-src 'unsafe-inline'; img-src data:; media-src data:; "
            "font-src data:\">"
            f"<title>msa_demo report — {_e(pred.get('label'))}</title><style>{CSS}</style></head><body>"
            + "\n".join(b for b in body if b) + "</body></html>")


def write_html(explanation: Any, path: str | Path) -> Path:
    path = Path(path)
    path.write_text(to_html(explanation), encoding="utf-8")
    return path
