"""The what-if panel: what would change the model's mind (``Explanation.what_if``, made by
``msa_demo.explain.whatif``), as markdown for the dashboard and HTML for the report; the picture with the regions
removed drawn over it."""

from __future__ import annotations

from PIL import Image, ImageDraw

from msa_demo.views.base import esc, md
from msa_demo.views.figures import original_image

LISTED = 6  # units a sentence names before "and N more" (``explain.whatif``): the rest are listed under it
TITLE = "What would change its mind?"
NOTE = ("Each line was checked by the model: the edit was made and the fused verdict read again. The search starts "
        "from the map's ranking, grows the set until the verdict flips, then puts back every unit it can.")


def _cost(c: dict) -> str:
    cost = c.get("cost") or {}
    tail = ""
    if c.get("flipped") and not c.get("minimal"):
        tail = "; not pruned to the fewest: " + ("its time ran out" if c.get("stopped") == "time" else
                                                  "its forwards ran out")
    return f"{cost.get('forward_passes', 0)} forwards, {float(cost.get('seconds') or 0):.2f} s{tail}"


def edited_markdown(pieces: list) -> str:
    """Edited text as markdown: removed words struck through, the words put in bold."""
    return "".join(f"~~{md(p)}~~" if k == "removed" else f"**{md(p)}**" if k == "added" else md(p)
                   for p, k in pieces)


def edited_html(pieces: list) -> str:
    """Edited text as HTML: <del> the removed words, <ins> the words put in."""
    return "".join(f"<del>{esc(p)}</del>" if k == "removed" else f"<ins>{esc(p)}</ins>" if k == "added" else esc(p)
                   for p, k in pieces)


def _detail(c: dict) -> tuple[str, list]:
    """(kind, value): ("text", pieces) for an edited text, ("units", labels) for removed regions or segments that
    the sentence does not all name."""
    if c.get("edited") and c.get("flipped"):
        return "text", c["edited"]
    if c.get("flipped") and c.get("modality") != "text" and len(c.get("units") or []) > LISTED:
        return "units", list(c.get("units") or [])
    return "", []


def ordered(exp: dict) -> list[dict]:
    """The what-ifs, those that flip the verdict first (each group in modality order)."""
    items = exp.get("what_if") or []
    return [c for c in items if c.get("flipped")] + [c for c in items if not c.get("flipped")]


def _bar(moves: float, width: int = 10) -> str:
    """A signed bar in text: 10 blocks = 50 points."""
    n = min(width, round(abs(moves) * 2 * width))
    return ("▼" if moves < 0 else "▲") + "█" * n if n else "·"


def tone_rows(exp: dict) -> list[tuple[str, str, float, bool]]:
    """(change, verdict after it, P(verdict) moved by, flips) for each change of the clip's sound."""
    return [(e.get("change", ""), e.get("label", ""), float(e.get("moves") or 0.0), bool(e.get("flips")))
            for e in exp.get("tone") or []]


def tone_story(exp: dict) -> tuple[str, str, list[tuple[str, str, float, bool]]]:
    """(the verdict, the one sentence, :func:`tone_rows`) that both views of "how it sounds" tell."""
    from msa_demo.explain.result import ToneEffect
    from msa_demo.explain.tone import tone_sentence

    verdict = (exp.get("prediction") or {}).get("label", "")
    head = tone_sentence([ToneEffect.from_dict(e) for e in exp.get("tone") or []], verdict)
    return verdict, head, tone_rows(exp)


def tone_markdown(exp: dict) -> str:
    """How it sounds: a table of the changes of the clip's sound and how far each moved the verdict, or the note
    saying why there is none; "" when it was not asked for."""
    if exp.get("tone_note"):
        return f"<sub>{md(exp['tone_note'])}</sub>"
    if not tone_rows(exp):
        return ""
    verdict, head, rows = tone_story(exp)
    body = "\n".join(f"| {md(c)} | {md(label)}{' ↺' if flips else ''} | {100 * m:+.1f} | {_bar(m)} |"
                     for c, label, m, flips in rows)
    return (f"**{md(head)}**\n\n| the clip with | reads | P({md(verdict)}) moves (points) | |\n|---|---|---:|---|\n"
            + body)


def whatif_markdown(exp: dict) -> str:
    """The dashboard's what-if panel (with how it sounds); "" when the explanation has neither."""
    items = ordered(exp)
    sound = tone_markdown(exp)
    if not items:
        return f"#### {TITLE}\n\n{sound}" if sound else ""
    lines = [f"#### {TITLE}"]
    for c in items:
        line = f"- {md(c.get('sentence', ''))} <sub>({md(_cost(c))})</sub>"
        kind, value = _detail(c)
        if kind == "text":
            line += f"  \n  {edited_markdown(value)}"
        elif kind == "units":
            line += f"  \n  <sub>removed: {md(', '.join(value))}</sub>"
        lines.append(line)
    return "\n".join(lines) + f"\n\n<sub>{md(NOTE)}</sub>" + (f"\n\n{sound}" if sound else "")


def whatif_picture(exp: dict, c: dict) -> Image.Image | None:
    """The picture with the removed regions of an image what-if greyed and outlined; None for another."""
    if c.get("modality") != "image" or not c.get("flipped"):
        return None
    img = original_image(exp)
    if img is None:
        return None
    out = img.convert("RGB")
    shade = Image.new("RGB", out.size, (128, 128, 128))
    mask = Image.new("L", out.size, 0)
    draw = ImageDraw.Draw(mask)
    boxes = [tuple(int(v) for v in box[:4]) for box in c.get("spans") or [] if len(box) >= 4]
    for box in boxes:
        draw.rectangle(box, fill=200)
    out = Image.composite(shade, out, mask)
    lines = ImageDraw.Draw(out)
    width = max(1, round(max(out.size) / 150))
    for box in boxes:
        lines.rectangle(box, outline=(215, 48, 39), width=width)
    return out


def whatif_html(exp: dict, picture_uri=None) -> str:
    """The report's what-if section; ``picture_uri(img)`` embeds the edited picture (the report's own)."""
    items = ordered(exp)
    sound = tone_html(exp)
    if not items:
        return f"<h2>{esc(TITLE)}</h2>{sound}" if sound else ""
    rows = []
    for c in items:
        kind, value = _detail(c)
        extra = ""
        if kind == "text":
            extra = f'<br><span class="edited">{edited_html(value)}</span>'
        elif kind == "units":
            extra = f"<br><small>removed: {esc(', '.join(value))}</small>"
        pic = whatif_picture(exp, c)
        if pic is not None and picture_uri is not None:
            extra += (f'<br><img alt="the picture without those regions" src="{picture_uri(pic)}" '
                      'style="max-width:240px">')
        rows.append(f"<li>{esc(c.get('sentence', ''))} <small>({esc(_cost(c))})</small>{extra}</li>")
    return f"<h2>{esc(TITLE)}</h2><ul>{''.join(rows)}</ul><p><small>{esc(NOTE)}</small></p>{sound}"


def tone_html(exp: dict) -> str:
    """The report's "how it sounds": a bar chart (static SVG) of how far each change moved the verdict."""
    from msa_demo.views.svg import bars_svg

    if exp.get("tone_note"):
        return f'<p class="notice">{esc(exp["tone_note"])}</p>'
    if not tone_rows(exp):
        return ""
    verdict, head, rows = tone_story(exp)
    chart = bars_svg([c + (" (flips it)" if f else "") for c, _, _, f in rows], [m for _, _, m, _ in rows],
                     title=f"How far each change of the sound moved P({verdict})")
    return f"<h3>How it sounds</h3><p>{esc(head)}</p>{chart}"


__all__ = ["edited_html", "edited_markdown", "ordered", "tone_html", "tone_markdown", "tone_rows", "whatif_html",
           "whatif_markdown", "whatif_picture"]
