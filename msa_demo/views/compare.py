"""Two models side by side (``explain.compare``): one row per map pair, in words a stakeholder reads."""

from __future__ import annotations

from msa_demo.views.base import esc, md

HEADERS = ("modality", "A alone", "B alone", "method", "rank agreement", "top features shared", "only A's top",
           "only B's top")


def agreement_word(rho: float | None) -> str:
    """Spearman's rho in words: how alike two maps rank the same features."""
    if rho is None:
        return "—"
    word = "alike" if rho >= 0.8 else "partly alike" if rho >= 0.4 else "different" if rho > -0.4 else "opposite"
    return f"{rho:+.2f} ({word})"


def compare_rows(cmp: dict) -> list[tuple[str, ...]]:
    """One row per map pair (a modality without a shared method: one row with its verdicts only)."""
    rows = []
    for m, per in (cmp.get("modalities") or {}).items():
        own = (str(per.get("a") or "—"), str(per.get("b") or "—"))
        for x in per.get("maps") or [{}]:
            shared = f"{round((x.get('top_k') or 0) * x.get('k', 0))} of {x['k']}" if x.get("k") else "—"
            rows.append((m, *own, str(x.get("method") or "—"), agreement_word(x.get("spearman")), shared,
                         ", ".join(map(str, x.get("only_a") or [])) or "—",
                         ", ".join(map(str, x.get("only_b") or [])) or "—"))
    return rows


def compare_headline(cmp: dict) -> str:
    a, b = cmp.get("a") or {}, cmp.get("b") or {}
    verdict = "they agree" if cmp.get("agree") else "they disagree"
    return (f"A ({a.get('preset')}) says {a.get('label')}, B ({b.get('preset')}) says {b.get('label')}: {verdict}. "
            f"Both explained toward '{a.get('target')}'.")


def compare_markdown(cmp: dict, summaries: tuple[str, str] = ("", "")) -> str:
    """The comparison for the dashboard: the headline, each model's summary, the agreement table."""
    lines = [f"### {md(compare_headline(cmp))}"]
    for side, text in zip("AB", summaries):
        if text:
            lines.append(f"**{side}:** {md(text)}")
    rows = compare_rows(cmp)
    if rows:
        lines.append("| " + " | ".join(HEADERS) + " |\n|" + "---|" * len(HEADERS) + "\n"
                     + "\n".join("| " + " | ".join(md(c) for c in r) + " |" for r in rows))
        lines.append("*Rank agreement*: Spearman's ρ of the two maps' scores over the features both score "
                     "(1: the same order). *Top features shared*: of each map's strongest (by size).")
    return "\n\n".join(lines)


def compare_table_html(cmp: dict) -> str:
    rows = compare_rows(cmp)
    if not rows:
        return "<p>No map was made by both models with the same method.</p>"
    return ("<table><tr>" + "".join(f"<th>{esc(h)}</th>" for h in HEADERS) + "</tr>"
            + "".join("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in r) + "</tr>" for r in rows) + "</table>")


__all__ = ["HEADERS", "agreement_word", "compare_headline", "compare_markdown", "compare_rows",
           "compare_table_html"]
