"""Two models side by side (``explain.compare``): one row per map pair, in words a stakeholder reads."""

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


__all__ = ["HEADERS", "agreement_word", "compare_headline", "compare_markdown", "compare_rows",
           "compare_table_html", "not_used", "side_says"]
