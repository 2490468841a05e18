"""Side by side (``explain.compare``): two models, one row per map pair, in words a stakeholder reads; two texts on
one model, one sentence on what the edit moved, then each class and each word."""

from __future__ import annotations

from msa_demo import i18n
from msa_demo.i18n import t
from msa_demo.views.base import esc, md
from msa_demo.explain.whatif import bare

HEADERS = ("modality", "A alone", "B alone", "method", "rank agreement", "top features shared", "only A's top",
           "only B's top")


def agreement_word(rho: float | None, lang: str = "en") -> str:
    """Spearman's rho in words: how alike two maps rank the same features."""
    if rho is None:
        return "—"
    word = "alike" if rho >= 0.8 else "partly alike" if rho >= 0.4 else "different" if rho > -0.4 else "opposite"
    return t("{rho} ({word})", lang, rho=f"{rho:+.2f}", word=t(word, lang))


def compare_rows(cmp: dict, lang: str = "en") -> list[tuple[str, ...]]:
    """One row per map pair (a modality without a shared method: one row with its verdicts only)."""
    rows = []
    for m, per in (cmp.get("modalities") or {}).items():
        own = tuple(t("too close to call", lang) if per.get(f"{side}_too_close") else
                    i18n.label(per.get(side), lang) if per.get(side) else
                    t("not used (see below)", lang) if per.get(f"{side}_why") else "—" for side in ("a", "b"))
        for x in per.get("maps") or [{}]:
            shared = (t("{n} of {k}", lang, n=round((x.get("top_k") or 0) * x.get("k", 0)), k=x["k"]) if x.get("k")
                      else "—")
            method = str(x.get("method") or "").replace("_", " ")  # in words, as the trust table says it
            rows.append((i18n.modality(m, lang), *own, t(method, lang) if method else "—",  # (no map: a dash)
                         agreement_word(x.get("spearman"), lang), shared,
                         i18n.listed(map(bare, x.get("only_a") or []), lang) or "—",  # "Wow" (its "," gave "Wow,,")
                         i18n.listed(map(bare, x.get("only_b") or []), lang) or "—"))
    return rows


def side_says(name: str, side: dict, lang: str = "en") -> str:
    """"A (lite) says negative", or "A (lite) finds it too close to call" where its own summary says so."""
    if side.get("too_close"):
        return t("{side} ({preset}) finds it too close to call", lang, side=name, preset=side.get("preset"))
    return t("{side} ({preset}) says {label}", lang, side=name, preset=side.get("preset"),
             label=i18n.label(side.get("label"), lang))


def compare_headline(cmp: dict, lang: str = "en") -> str:
    a, b = cmp.get("a") or {}, cmp.get("b") or {}
    return t("{a}, {b}: {verdict}. Both explained toward '{target}'.", lang, a=side_says("A", a, lang),
             b=side_says("B", b, lang), verdict=t("they agree" if cmp.get("agree") else "they disagree", lang),
             target=i18n.label(a.get("target"), lang))


def compare_markdown(cmp: dict, summaries: tuple[str, str] = ("", ""), lang: str = "en") -> str:
    """The comparison for the dashboard: the headline, each model's summary, the agreement table."""
    lines = [f"### {md(compare_headline(cmp, lang))}"]
    for side, text in zip("AB", summaries):
        if text:
            lines.append(f"**{side}:** {md(text)}")
    rows = compare_rows(cmp, lang)
    if rows:
        lines.append("| " + " | ".join(t(h, lang) for h in HEADERS) + " |\n|" + "---|" * len(HEADERS) + "\n"
                     + "\n".join("| " + " | ".join(md(c) for c in r) + " |" for r in rows))
        lines.append(t(NOTE, lang))
        lines += [f"**{side}:** {md(why)}" for side, why in not_used(cmp, lang)]
    return "\n\n".join(lines)


def not_used(cmp: dict, lang: str = "en") -> list[tuple[str, str]]:
    """(side, why) for each modality a side's model did not use, as that model said it, in ``lang``: what the
    table's "not used" cells stand for (B's audio, for a trained head that reads only text and image)."""
    said = [(side.upper(), i18n.said(per[f"{side}_why"], lang)) for per in (cmp.get("modalities") or {}).values()
            for side in ("a", "b") if per.get(f"{side}_why") and not per.get(side)]
    return list(dict.fromkeys(said))


NOTE = ("*Rank agreement*: Spearman's ρ of the two maps' scores over the features both score (1: the same order). "
        "*Top features shared*: of each map's strongest (by size).")


def compare_table_html(cmp: dict, lang: str = "en") -> str:
    rows = compare_rows(cmp, lang)
    if not rows:
        return f"<p>{t('No map was made by both models with the same method.', lang)}</p>"
    return ("<table><tr>" + "".join(f"<th>{esc(t(h, lang))}</th>" for h in HEADERS) + "</tr>"
            + "".join("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in r) + "</tr>" for r in rows) + "</table>"
            + "".join(f"<p><b>{side}:</b> {esc(why)}</p>" for side, why in not_used(cmp, lang)))


# ------------------------------------------------------------------ two texts, one model

def _words(pairs, lang: str = "en") -> str:
    return " ".join(bare(w) for w, _s in pairs)


def edits_said(cmp: dict, lang: str = "en", most: int = 3) -> str:
    """What differs between A's text and B's, in words: "'amazing' → 'stunning'", "'very' added", "'not' taken
    out"; more than ``most`` edits: how many."""
    edits = cmp.get("edits") or []
    if len(edits) > most:
        return t("{n} edits", lang, n=len(edits))
    said = [t("'{a}' → '{b}'", lang, a=_words(e["a"]), b=_words(e["b"])) if e["op"] == "changed" else
            t("'{word}' added", lang, word=_words(e["b"])) if e["op"] == "added" else
            t("'{word}' taken out", lang, word=_words(e["a"])) for e in edits]
    return i18n.joined(said, lang) or t("B's text", lang)  # (words the map does not hold: cut off a long text)


def _verdict(side: dict, lang: str = "en") -> str:
    return t("too close to call", lang) if side.get("too_close") else i18n.label(side.get("label"), lang)


def texts_headline(cmp: dict, lang: str = "en") -> str:
    """The comparison of two texts in one sentence: "'amazing' → 'stunning' moved 'positive' from 95 % to 77 %;
    both say positive." (the percents as the verdict boxes show them)."""
    target = cmp.get("target")
    shown = (cmp.get("shown") or {}).get(target) or {}
    fields = dict(edits=edits_said(cmp, lang), target=i18n.label(target, lang), pa=f"{shown.get('a', 0)} %",
                  pb=f"{shown.get('b', 0)} %")
    moved = t("{edits} moved '{target}' from {pa} to {pb}" if shown.get("change") else "{edits} left '{target}' at {pa}",
              lang, **fields)
    a, b = cmp.get("a") or {}, cmp.get("b") or {}
    verdicts = (t("both say {verdict}", lang, verdict=_verdict(a, lang)) if cmp.get("agree") else
                t("the verdict went from {va} to {vb}", lang, va=_verdict(a, lang), vb=_verdict(b, lang)))
    return moved + i18n.sep(lang) + verdicts + i18n.stop(lang)


TEXTS_HEADERS = ("class", "A", "B", "change")
MODEL = "*Both read by the same model ({preset}), with the same other inputs.*"
WORDS_HEADERS = ("A's words", "score", "B's words", "score")


def texts_parts(cmp: dict, lang: str = "en") -> dict:
    """What a comparison of two texts shows, in ``lang``, for the page (:func:`texts_markdown`) and the download
    (:func:`texts_html`) alike: ``headline``, ``preset`` (the one model that read both), ``classes`` (rows of
    class, A's percent, B's, the change in points), ``words_said`` (the line over the words' table, "" without
    words) and ``words`` (rows as :func:`around_edits` keeps them: ``("gap", n)``, or ``(bold, [A's words, A's
    scores, B's words, B's scores])``, each words cell a list of words)."""
    from msa_demo.views.story import method_said

    def change(n: int) -> str:  # in points of the percents shown ("-18 points")
        return t("{n} points", lang, n=f"{n:+d}") if n else "—"

    def cell(pairs) -> list:
        return [[w for w, _s in pairs], " ".join(f"{s:+.3f}" for _w, s in pairs)] if pairs else [["—"], ""]

    rows = cmp.get("words") or []
    return {"headline": texts_headline(cmp, lang),
            "preset": str((cmp.get("a") or {}).get("preset") or ""),
            "classes": [(i18n.label(c, lang), f"{x['a']} %", f"{x['b']} %", change(x["change"]))
                        for c, x in (cmp.get("shown") or {}).items()],
            "words_said": t("**Words**, each with its score toward '{target}' ({method}; + toward it, − away from "
                            "it):", lang, target=i18n.label(cmp.get("target"), lang),
                            method=method_said(cmp.get("method"), lang)) if rows else "",
            "words": [("gap", r["n"]) if r["op"] == "gap" else (r["op"] != "same", [*cell(r["a"]), *cell(r["b"])])
                      for r in around_edits(rows)]}


def _headers(names, lang: str) -> list[str]:
    return [h if len(h) == 1 else t(h, lang) for h in names]


def texts_markdown(cmp: dict, lang: str = "en") -> str:
    """Two texts on one model for the dashboard: the sentence, the model, each class's percent in A and B and its
    change, then the words of A and B aligned, each with its score (those that differ in bold)."""
    parts = texts_parts(cmp, lang)
    head = "|---|---|---|---|\n"
    lines = [f"### {md(parts['headline'])}", t(MODEL, lang, preset=md(parts["preset"])),
             "| " + " | ".join(_headers(TEXTS_HEADERS, lang)) + " |\n" + head
             + "\n".join("| " + " | ".join(md(c) for c in row) + " |" for row in parts["classes"])]
    if parts["words"]:
        def line(row) -> str:
            if row[0] == "gap":  # the words both share between two edits, left out
                return f"| … | | {t('{n} words the same', lang, n=row[1])} | |"
            bold, (wa, sa, wb, sb) = row
            cells = [" ".join(md(w) for w in words) for words in (wa, wb)]
            wa, wb = (f"**{c}**" if bold and c != "—" else c for c in cells)
            return f"| {wa} | {sa} | {wb} | {sb} |"

        lines += [parts["words_said"], "| " + " | ".join(_headers(WORDS_HEADERS, lang)) + " |\n" + head
                  + "\n".join(map(line, parts["words"]))]
    return "\n\n".join(lines)


def texts_html(cmp: dict, lang: str = "en") -> str:
    """:func:`texts_markdown` as HTML, for the downloaded page of two texts (``report.compare_html``)."""
    parts = texts_parts(cmp, lang)

    def table(headers, rows) -> str:
        return ("<table><tr>" + "".join(f"<th>{esc(h)}</th>" for h in _headers(headers, lang)) + "</tr>"
                + "".join(rows) + "</table>")

    def line(row) -> str:
        if row[0] == "gap":
            return f"<tr><td>…</td><td></td><td>{esc(t('{n} words the same', lang, n=row[1]))}</td><td></td></tr>"
        bold, (wa, sa, wb, sb) = row
        cells = [esc(" ".join(words)) for words in (wa, wb)]
        wa, wb = (f"<b>{c}</b>" if bold and c != "—" else c for c in cells)
        return f"<tr><td>{wa}</td><td>{sa}</td><td>{wb}</td><td>{sb}</td></tr>"

    out = [f"<p><i>{esc(t(MODEL, lang, preset=parts['preset']).strip('*'))}</i></p>",
           table(TEXTS_HEADERS, ["<tr>" + "".join(f"<td>{esc(c)}</td>" for c in row) + "</tr>"
                                 for row in parts["classes"]])]
    if parts["words"]:
        out += [f"<p>{esc(parts['words_said'].replace('**', ''))}</p>", table(WORDS_HEADERS, map(line, parts["words"]))]
    return "".join(out)


AROUND = 2  # words both texts share kept on each side of an edit in the words' table of a longer text
WHOLE_UP_TO = 20  # a words' table of at most this many rows is shown whole


def around_edits(rows: list[dict]) -> list[dict]:
    """The aligned words' rows of :func:`explain.compare.compare_texts` as the table shows them: whole up to
    ``WHOLE_UP_TO`` rows; else each edit with ``AROUND`` shared words on each side, every run of shared words
    between left out as one ``{"op": "gap", "n": how many}`` row (a 300-word review with one word changed had a
    300-row table, the verdicts below it)."""
    if len(rows) <= WHOLE_UP_TO:
        return rows
    edits = [i for i, r in enumerate(rows) if r["op"] != "same"]
    kept = sorted({j for i in edits for j in range(i - AROUND, i + AROUND + 1) if 0 <= j < len(rows)})
    out: list[dict] = []
    last = -1
    for j in kept:
        if j > last + 1:
            out.append({"op": "gap", "n": j - last - 1})
        out.append(rows[j])
        last = j
    if last < len(rows) - 1:
        out.append({"op": "gap", "n": len(rows) - 1 - last})
    return out


__all__ = ["HEADERS", "around_edits", "agreement_word", "compare_headline", "compare_markdown", "compare_rows",
           "compare_table_html", "edits_said", "not_used", "side_says", "texts_headline", "texts_html", "texts_markdown",
           "texts_parts"]
