"""An explanation as one light, self-contained, offline HTML file.

Charts are static SVG (no plotting library inside), pictures are downscaled ``data:`` URIs, every
user-supplied string is escaped, nothing is fetched from the network. The explanation's JSON is embedded once;
the page offers it as a download, so ``python -m msa_demo explain --from report.json`` can reproduce it, and
plays the clip from it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from msa_demo import i18n, language, views
from msa_demo.i18n import t
from msa_demo.language import language_name
from msa_demo.registry import kinds
from msa_demo.views import esc as _e
from msa_demo.views.story import with_trust


CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;
color:#222;line-height:1.45;overflow-wrap:break-word}
h1{font-size:1.5em}h2{font-size:1.2em;border-bottom:1px solid #ddd;padding-bottom:.2em;margin-top:1.6em}
.summary{font-size:1.2em;font-weight:600}
table{border-collapse:collapse;margin:.5em 0}caption{text-align:left;caption-side:top;color:#595959;font-size:.9em;padding-bottom:.2em}td,th{border:1px solid #ddd;padding:.25em .6em;text-align:left;
white-space:nowrap}img{max-width:100%;height:auto}
@media (max-width:900px){body{margin:1em auto}td,th{white-space:normal;padding:.2em .4em}
table{display:block;max-width:100%;overflow-x:auto}.imgs figure,.imgs img{max-width:100%}}
.words span{padding:1px 2px;border-radius:3px;unicode-bidi:isolate}.legend span{display:inline-block;padding:2px 8px;
margin-right:6px;border-radius:3px}.imgs{display:flex;flex-wrap:wrap;gap:12px}.imgs figure{margin:0;max-width:360px}
.imgs img{max-width:360px;border:1px solid #ccc}.notice{color:#8a5a00}.warn{color:#a40;font-weight:600}
.conflict{color:#b00;font-weight:bold}.heard sub{color:#595959}svg{max-width:100%;height:auto;display:block}
.chart{max-width:100%;overflow-x:auto;margin:.3em 0;background:linear-gradient(90deg,#fff 30%,#fff0) left/30px 100%
no-repeat local,linear-gradient(270deg,#fff 30%,#fff0) right/30px 100% no-repeat local,radial-gradient(farthest-side at
0 50%,#0003,#0000) left/12px 100% no-repeat scroll,radial-gradient(farthest-side at 100% 50%,#0003,#0000) right/12px
100% no-repeat scroll}.chart svg{max-width:none}.chart:focus-visible{outline:2px solid #4575b4}
.made{color:#595959;font-size:.9em;overflow-wrap:anywhere}del{background:#f4c7c3}ins{background:#c8e6c9;text-decoration:none}@media print{audio,#json-link{display:none}h2,h3{break-after:avoid}.bars,figure,tr{break-inside:avoid}}
""" + views.BARS_CSS


def _css_string(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def chip_css(lang: str = "en", target: str | None = None) -> str:
    """The word chips' rules, one class per legend category (``views.WORD_CLASSES``): its colour, a text colour that
    reads on it (WCAG AA; the shared colours stay as the page and the heat maps have them), and after each word in
    the text the legend's mark (▲▲, ▲, ▼, ▼▼), small and raised, so that the category is seen without its colour (it
    was only in a tooltip, which a phone does not show); a screen reader reads the category's name instead ("
    (strongly toward 'negative')", in ``lang``, as the legend names it for the class ``target``; a browser that
    cannot say so shows the mark alone)."""
    out = [".words span::after{font-size:.7em;vertical-align:super;line-height:0;margin-left:1px}"]
    for cat, cls in views.WORD_CLASSES.items():
        back = views.WORD_LEGEND[cat]
        mark, name = views.category_named(cat, target, lang).split(" ", 1)
        mark, said = _css_string(mark), _css_string(f" ({name})" if lang != "zh" else f"（{name}）")
        out.append(f".{cls}{{background:{back};color:{views.readable_on(back)}}}"
                   f".words .{cls}::after{{content:{mark};content:{mark}/{said}}}")
    return "".join(out)


SCRIPT = """
(function(){
  var data = JSON.parse(document.getElementById('explanation-json').textContent);
  var a = document.getElementById('json-link');
  if (a) { a.href = URL.createObjectURL(new Blob([JSON.stringify(data, null, 2)], {type: 'application/json'})); }
  var p = document.getElementById('clip');
  if (p && data.inputs && data.inputs.audio_wav_b64) { p.src = 'data:audio/wav;base64,' + data.inputs.audio_wav_b64; }
})();
"""


def _d(explanation: Any) -> dict:
    if hasattr(explanation, "to_dict"):
        return explanation.to_dict()
    if isinstance(explanation, (str, bytes)):
        return json.loads(explanation)
    return dict(explanation)


def _probs_table(probs: dict | None, lang: str = "en") -> str:
    if not probs:
        return ""
    rows = "".join(f"<tr><td>{_e(i18n.label(k, lang))}</td><td>{float(v):.1%}</td></tr>" for k, v in probs.items())
    # what the percentages are: a reader took "62.4 %" for "62 % of the post is negative"
    said = t("How sure the model is of each class, all inputs together (the three add up to 100 %).", lang)
    return (f"<table><caption>{_e(said)}</caption><tr><th>{t('class', lang)}</th><th>{t('probability', lang)}</th>"
            f"</tr>{rows}</table>")


def _modalities_table(exp: dict, lang: str = "en") -> str:
    pred = exp.get("prediction") or {}
    per, reading, models = pred.get("modalities") or {}, exp.get("reading") or {}, exp.get("models") or {}
    gone = views.abstained(pred, reading)
    rows = []
    for m in list(per) + gone:
        p, r, spec = per.get(m) or {}, reading.get(m) or {}, models.get(m) or {}
        alone = (t("{why} (not used)", lang, why=t(views.abstained_why(m, reading), lang)) if m in gone
                 else t("too close to call", lang) if views.near_tie(p)  # as the page says it (it named a class)
                 else i18n.label(p.get("label"), lang))
        if language.outside(r) or language.outside(p):  # all its words, or part of them
            alone = t("{alone} — {why}", lang, alone=alone, why=t(views.OUTSIDE_LANGUAGES, lang))
        code = r.get("language") or p.get("language") or ""
        rows.append(f"<tr><td>{_e(i18n.modality(m, lang))}</td><td>{_e(alone)}</td>"
                    f"<td>{_e(views.model_name(spec.get('model_id') or p.get('model_id'), views.reader_family(spec), lang))}</td>"
                    f"<td>{_e(i18n.language(language_name(code), lang) if code and lang == 'zh' else code)}"
                    "</td></tr>")
    if not rows:
        return ""
    heads = "".join(f"<th>{t(h, lang)}</th>" for h in ("input", "alone says", "model", "language read"))
    return f"<table><tr>{heads}</tr>" + "".join(rows) + "</table>"


SPECIALISTS = views.SPECIALISTS
BUDGET_NOTICE = "Time budget"  # how the explanation's notices about its time budget start (``explain.budget``)


def _contributions_html(exp: dict, lang: str = "en") -> str:
    """What each input did, first in plain words and points (its share of the move, the chance without it, what the
    bars mean when they seem to disagree), then the figures as a specialist knows them (Shapley values, interaction
    indices) behind "details for specialists"."""
    mc = exp.get("modalities") or {}
    if not mc.get("shapley"):
        return ""
    target = exp.get("target") or ""
    said = i18n.label(target, lang)
    names = list(mc["shapley"])
    out = [f"<h2>{t('Modality contributions', lang)}</h2>"]
    if mc.get("conflict"):
        out.append(f'<p class="conflict">{_e(t("Modalities disagree: {detail}", lang, detail=views.conflict_text(mc.get("conflict_detail"), lang)))}</p>')
    fused = (exp.get("prediction") or {}).get("probs") or {}
    full = float(fused.get(target, mc.get("value_all") or 0.0))
    out.append(views.bars_html([i18n.modality(n, lang) for n in names],
                               [100 * float(mc["shapley"][n]) for n in names], spec="+.0f", unit=t(" points", lang),
                               title=t("How much each input moved the chance of '{target}', in points", lang,
                                       target=said)))
    out.append("<p>" + _e(t("Each bar is the input's fair share of the move from no input ({none}) to all of them "
                            "({all}): what it adds on average when it joins the others, in every order.", lang,
                            none=views.percent_said(mc.get("value_none") or 0.0), all=views.percent_said(full)))
               + "</p>")
    without = mc.get("without") or {}
    labels = [t("all", lang)] + [t("without {name}", lang, name=i18n.modality(n, lang)) for n in names if n in without]
    values = [full] + [float((without[n] or {}).get(target, 0.0)) for n in names if n in without]
    out.append(views.bars_html(labels, [100 * v for v in values], title=t(
        "The chance of '{target}' with everything, and without one input", lang, target=said), signed=False,
        spec=".0f", unit=" %", full=100, colours=["#4575b4"] + ["#999999"] * (len(values) - 1)))
    out += [f"<p>{_e(s)}</p>" for s in views.contributions_story(exp, lang)]
    pairs = mc.get("interactions") or {}
    named = i18n.listed((f"{'×'.join(i18n.modality(m, lang) for m in k.split('×'))} {float(v):+.3f}"
                         for k, v in pairs.items()), lang)
    figures = [t("Shapley values (exact, over every subset of the inputs; they add up to P(all) − P(none) = {gap}): "
                 "{values}.", lang, gap=f"{full - float(mc.get('value_none') or 0.0):+.3f}", values=i18n.listed(
                     (f"{i18n.modality(n, lang)} {float(mc['shapley'][n]):+.3f}" for n in names), lang))]
    if pairs:
        figures.append(t("Pairwise interactions: {pairs}", lang, pairs=named) + t(
            " (Shapley interaction index: what a pair adds together beyond each alone; negative when they overlap).",
            lang))
    out.append(views.for_specialists("".join(f"<p>{_e(f)}</p>" for f in figures), lang))
    return "".join(out)


def _sections_html(exp: dict, lang: str = "en") -> str:
    """Each registered modality's own section (words, picture, clip, ...), in registry order (in ``lang`` where
    the modality's ``report`` takes one)."""
    return "".join((kind.report(exp, lang=lang) if views.speaks(kind.report) else kind.report(exp)) or ""
                   for kind in kinds() if kind.report is not None)


def _trust_html(exp: dict, lang: str = "en") -> str:
    """The trust table in plain words (one line a map); the checks' sentences (AOPC gaps, completeness, sanity ρ),
    their figures with what each means, and the cost behind "details for specialists"."""
    rows = views.trust_rows(exp, lang)
    keys = ("map",) + views.EXPERT
    verdict_rows = "".join(f"<tr><td>{_e(r['map'])}</td><td>{_e(r['mark'])} {_e(r['verdict'])}</td></tr>"
                           for r in rows)
    expert = ("<table><tr>" + "".join(f"<th>{_e(t(k, lang))}</th>" for k in keys) + "</tr>"
              + "".join("<tr>" + "".join(f"<td>{_e(r[k])}</td>" for k in keys) + "</tr>" for r in rows)
              + f"</table><p><small>{_e(t(views.FIGURES_NOTE, lang))}</small></p>"
              + f"<p><small>{_e(t(views.story.DELETION_RULE, lang))}</small></p>") if rows else ""
    cost = exp.get("cost") or {}
    total = "<p>" + _e(t("Total: {passes} forward passes, {seconds} s.", lang, passes=cost.get("forward_passes", 0),
                         seconds=f"{float(cost.get('seconds') or 0):.1f}")) + "</p>"
    verdicts = "".join(f"<p>{_e(mark)} {_e(text)}</p>" for mark, text in views.trust_verdicts(exp, lang))
    table = (f"<table><tr><th>{t('map', lang)}</th><th>{t('verdict', lang)}</th></tr>{verdict_rows}</table>"
             if rows else "")
    scope = f"<p>{_e(t(views.TRUST_SCOPE, lang))}</p>" if rows else ""
    table += "".join(f"<p><strong>{_e(line)}</strong></p>" for line in views.story.switched(exp, lang)) if rows else ""
    table += "".join(f"<p><strong>{_e(line)}</strong></p>" for line in views.story.slivers(exp, lang)) if rows else ""
    said = views.glossary(exp, lang)  # the maps' names in the table in plain words, as the page says them
    table += f"<p>{_e(said)}</p>" if rows and said else ""
    return (f"<h2>{_e(t(views.TRUST_TITLE, lang))}</h2>{scope}{table}"
            + views.for_specialists(verdicts + expert + total, lang))


def _json_for_script(data: dict) -> str:
    s = json.dumps(data, ensure_ascii=False, default=str, separators=(",", ":"))
    return s.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _significant(row: list, digits: int = 4) -> list:
    """Floats to ``digits`` significant digits at once (numpy): n / 10**k or n * 10**k with exact powers of ten, so
    each is the double nearest its rounded decimal (the JSON writes it short); a value too large or too small for
    that (or not finite) keeps its ``.4g`` form."""
    a = np.asarray(row, dtype=np.float64)
    out = a.copy()
    with np.errstate(divide="ignore", invalid="ignore"):
        k = (digits - 1) - np.floor(np.log10(np.abs(a)))
    ok = np.isfinite(a) & (a != 0) & (np.abs(k) <= 22)
    up, down = ok & (k >= 0), ok & (k < 0)
    out[up] = np.round(a[up] * 10.0 ** k[up]) / 10.0 ** k[up]
    out[down] = np.round(a[down] / 10.0 ** -k[down]) * 10.0 ** -k[down]
    rest = ~ok & (a != 0)
    out[rest] = [float(f"{v:.{digits}g}") for v in a[rest]]
    return out.tolist()


def _floats(row: list) -> bool:
    return bool(row) and all(type(v) is float for v in row)


def _compact(value: Any) -> Any:
    """Floats to 4 significant digits (heat maps are most of the JSON's weight; nothing reads further digits)."""
    if isinstance(value, float):
        return float(f"{value:.4g}")
    if isinstance(value, list):
        if len(value) > 8 and type(value[0]) is list and _floats(value[0]) and all(
                type(r) is list and len(r) == len(value[0]) and _floats(r) for r in value):  # a heat map
            return _significant(value)
        if len(value) > 8 and _floats(value):
            return _significant(value)
        return [_compact(v) for v in value]
    if isinstance(value, dict):
        return {k: _compact(v) for k, v in value.items()}
    return value


TITLE = "Why '{label}'? — multimodal sentiment explanation"
TITLE_TIE = "Too close to call: {a} or {b}? — multimodal sentiment explanation"


def _verdict(pred: dict, lang: str) -> str:
    """The fused verdict in a word or three: its class, or "too close to call" where the summary says so."""
    return t("too close to call", lang) if views.near_tie(pred) else i18n.label(pred.get("label"), lang)


def _title(pred: dict, lang: str) -> str:
    """The report's heading: "Why 'negative'?", or for a near-tie the two classes it is between, as the summary
    under it says it (a tie had been headed "Why 'negative'?" over "Too close to call: negative 49.9 % vs ...")."""
    if views.near_tie(pred):
        a, b = (i18n.label(c, lang) for c, _p in views.top_two(pred))
        return t(TITLE_TIE, lang, a=a, b=b)
    return t(TITLE, lang, label=i18n.label(pred.get("label"), lang))


MADE = "Made by msa_demo {version} on {when}"
MADE_NOW = ("This report was made by msa_demo {version} on {when} (the explanation does not record when it was "
            "made)")
MADE_PRESET = "preset {preset}"
MADE_MODELS = "models: {models}"


def _when(created: str | None) -> str:
    """An explanation's ``created`` (ISO 8601 UTC) as a reader reads it: "2026-12-07 01:27 UTC" (as it is when it
    is not a time)."""
    from datetime import datetime, timezone

    try:
        at = datetime.fromisoformat(str(created).replace("Z", "+00:00"))
    except ValueError:
        return str(created)
    at = at.astimezone(timezone.utc) if at.tzinfo else at
    return at.strftime("%Y-%m-%d %H:%M UTC")


def made_line(exp: dict, lang: str = "en", now: str | None = None) -> str:
    """Who made the explanation and when, in ``lang`` (plain text: escape it): msa_demo's version, the time (UTC),
    the preset and each model read (its id and revision, ``id@revision``). An explanation saved before the time was
    recorded says when the report was made instead (``now``: that time, ISO 8601 UTC; default: now)."""
    from datetime import datetime, timezone

    from msa_demo import __version__

    version = exp.get("msa_demo_version") or __version__
    created = exp.get("created")
    head = (t(MADE, lang, version=version, when=_when(created)) if created else
            t(MADE_NOW, lang, version=__version__, when=_when(now or datetime.now(timezone.utc).isoformat())))
    parts = [head, t(MADE_PRESET, lang, preset=exp.get("preset") or "?")]
    models = exp.get("models") or {}
    used = [m for m in (exp.get("prediction") or {}).get("used") or [] if m in models] or list(models)
    read: dict[str, list[str]] = {}  # "id@revision" -> the modalities it read (one model can read two)
    for m in used:
        spec = models.get(m) or {}
        heard_by = ((exp.get("reading") or {}).get(m) or {}).get("heard_by")
        if heard_by:  # lite audio: the speech recogniser, then the model that reads its words
            read.setdefault(views.shown_id(str(heard_by)), []).append(i18n.modality(m, lang))
        if spec.get("model_id"):
            rev = spec.get("revision")
            read.setdefault(views.shown_id(str(spec["model_id"])) + (f"@{rev}" if rev and rev != "local" else ""),
                            []).append(i18n.modality(m, lang))
    if read:
        open_, close = ("（", "）") if lang == "zh" else (" (", ")")
        parts.append(t(MADE_MODELS, lang, models=i18n.listed(
            (f"{name}{open_}{i18n.listed(ms, lang)}{close}" for name, ms in read.items()), lang)))
    return i18n.sep(lang, "; ").join(parts) + i18n.stop(lang)


def report_file_name(exp: dict, lang: str = "en", kind: str = "msa_report", suffix: str = ".html") -> str:
    """The name a downloaded report goes by, telling one from another with safe characters only: its verdict and
    when it was made (UTC), and the language when not English: "msa_report_negative_2026-12-07_01-27-33_UTC.html"
    (an explanation that does not record its time: a short hash of it instead). ``kind`` and ``suffix``: another
    download of the same explanation ("msa_explanation", ".json")."""
    import hashlib
    import re

    pred = exp.get("prediction") or {}
    verdict = "too-close" if views.near_tie(pred) else re.sub(r"[^a-z0-9]+", "-", str(pred.get("label") or "").lower())
    created = re.sub(r"[^0-9]", "", str(exp.get("created") or ""))
    if len(created) >= 14:
        when = f"{created[:4]}-{created[4:6]}-{created[6:8]}_{created[8:10]}-{created[10:12]}-{created[12:14]}_UTC"
    else:
        when = hashlib.sha256(json.dumps(exp, sort_keys=True, default=str).encode()).hexdigest()[:8]
    parts = [kind, verdict.strip("-") or "report", when] + ([lang] if lang != "en" else [])
    return "_".join(parts) + suffix


def in_frames(page: str) -> str:
    """Each SVG chart in a frame that scrolls sideways when the screen is narrower than the chart, which keeps its
    size: on a phone a chart had been shrunk to the screen, its words 5 to 8 px tall (the waveform's "0.5 s", "without
    image 0.90"); the page itself does not scroll sideways. A shadow at an edge says there is more that way (CSS);
    the frame takes the keyboard's focus, to be scrolled."""
    import re

    return re.sub(r"<svg\b.*?</svg>", lambda m: f'<div class="chart" tabindex="0">{m.group(0)}</div>', page,
                  flags=re.S)


def _names(items, lang: str) -> str:
    return i18n.listed((i18n.modality(m, lang) for m in items), lang)


def to_html(explanation: Any, lang: str = "en") -> str:
    """The explanation as one self-contained HTML page (no network needed to view it), in ``lang`` ("en", "zh");
    its embedded JSON stays as the explanation has it."""
    exp = _d(explanation)
    pred = exp.get("prediction") or {}
    reading = exp.get("reading") or {}
    gone = views.abstained(pred, reading)
    off = [m for m in pred.get("switched_off") or [] if m not in gone]
    used_line = _e(t("used: {used}", lang, used=_names(pred.get("used") or [], lang) or t("nothing", lang))
                   + (t("; switched off: {off}", lang, off=_names(off, lang)) if off else "")
                   + (t("; not read: {gone}", lang, gone=i18n.listed(
                       (t("{modality} ({why})", lang, modality=i18n.modality(m, lang),
                          why=t(views.abstained_why(m, reading), lang)) for m in gone), lang)) if gone else ""))
    warned = views.reading_warnings(pred, reading, lang=lang)
    english = views.reading_warnings(pred, reading) if lang != "en" else warned
    warnings = "".join(f'<p class="warn">{_e(w)}</p>' for w in warned)
    told = views.unwarned(views.not_about(
        list(dict.fromkeys([*(pred.get("notices") or []), *(exp.get("notices") or [])])), off), english)
    # what the time budget made the maps give up ("IG at most 4 steps (its completeness gap is shown)") is for a
    # specialist; the trust table says, in plain words, when it made a map unreliable
    budget = [n for n in told if str(n).startswith(BUDGET_NOTICE)]
    notices = "".join(f'<p class="notice">{_e(views.notice_text(n, lang))}</p>' for n in told if n not in budget)
    notices += views.for_specialists("".join(f'<p class="notice">{_e(views.notice_text(n, lang))}</p>'
                                             for n in budget), lang)
    body = [in_frames(b) for b in (
        f"<h1>{_e(_title(pred, lang))}</h1>",
        f'<p class="summary">{_e(views.summary_sentence(pred, exp, reading, lang))}</p>',
        "<p>" + t("Preset <b>{preset}</b>; explained class <b>{target}</b>; {used}.", lang, preset=_e(exp.get("preset")),
                  target=_e(i18n.label(exp.get("target"), lang)), used=used_line) + "</p>",
        f'<p class="made">{_e(made_line(exp, lang))}</p>',
        _probs_table(pred.get("probs"), lang),
        _modalities_table(exp, lang),
        warnings,
        notices,
        _contributions_html(exp, lang),
        views.whatif_html(exp, views.png_uri, lang),
        _sections_html(exp, lang),
        _trust_html(exp, lang),
        f"<h2>{t('Reproduce', lang)}</h2><p>"
        + t("Save the JSON and run <code>python -m msa_demo explain --from report.json</code>.", lang) + "</p>"
        f'<p><a id="json-link" download="report.json" href="#">{t("Download the explanation JSON", lang)}</a></p>',
    )] + [
        # the JSON its link saves: each map with its trust verdict, as the JSON answers give it
        f'<script type="application/json" id="explanation-json">{_json_for_script(_compact(with_trust(exp)))}</script>',
        f"<script>{SCRIPT}</script>",
    ]
    html_lang = "zh-CN" if lang == "zh" else "en"
    return (f"<!DOCTYPE html>\n<html lang=\"{html_lang}\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
            "script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; media-src data:; "
            "font-src data:\">"
            f"<title>{_e(t('msa_demo report — {label}', lang, label=_verdict(pred, lang)))}</title>"
            f"<style>{CSS}{chip_css(lang, exp.get('target'))}</style></head><body>"
            + "\n".join(b for b in body if b) + "</body></html>")


def compare_html(a: Any, b: Any, cmp: dict, lang: str = "en", texts: bool = False) -> str:
    """Two explanations of one input side by side (``explain.compare``) as one self-contained HTML page: the
    headline, the agreement table, then each model's summary, verdicts, sections and trust table. ``texts``: two
    texts on one model (``cmp``: ``explain.compare_texts`` of them): the sentence on what the edit moved, each
    class and each word aligned (as the Compare tab shows them), then each text's explanation."""
    a, b = _d(a), _d(b)
    sides = []
    for name, exp in (("A", a), ("B", b)):
        pred, reading = exp.get("prediction") or {}, exp.get("reading") or {}
        who = (t("A's text", lang) if name == "A" else t("B's text", lang)) if texts else f"{name}: {exp.get('preset')}"
        sides.append(f'<section><h2>{_e(who)} — {_e(_verdict(pred, lang))}</h2>'
                     f'<p class="summary">{_e(views.summary_sentence(pred, exp, reading, lang))}</p>'
                     f'<p class="made">{_e(made_line(exp, lang))}</p>'
                     f"{_probs_table(pred.get('probs'), lang)}{_modalities_table(exp, lang)}"
                     f"{_sections_html(exp, lang)}{_trust_html(exp, lang)}</section>")
    html_lang = "zh-CN" if lang == "zh" else "en"
    title, heading = (("msa_demo — two texts side by side", "Two texts side by side") if texts else
                      ("msa_demo — two models side by side", "Two models side by side"))
    headline, table = ((views.texts_headline(cmp, lang), views.texts_html(cmp, lang)) if texts else
                       (views.compare_headline(cmp, lang), views.compare_table_html(cmp, lang)))
    return (f"<!DOCTYPE html>\n<html lang=\"{html_lang}\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
            "style-src 'unsafe-inline'; img-src data:; media-src data:; font-src data:\">"
            f"<title>{t(title, lang)}</title><style>{CSS}{chip_css(lang)}</style></head><body>"
            f"<h1>{t(heading, lang)}</h1><p class=\"summary\">{_e(headline)}</p>"
            f"{table}" + in_frames("".join(sides)) + "</body></html>")


def write_html(explanation: Any, path: str | Path, lang: str = "en") -> Path:
    path = Path(path)
    path.write_text(to_html(explanation, lang), encoding="utf-8")
    return path
