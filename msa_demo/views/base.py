"""What every view shares: the one colour scale and legend, escaping, names people know, small helpers."""

from __future__ import annotations

import base64
import functools
import html
import io
import os
import re
from typing import Any

import numpy as np
from PIL import Image

# One diverging scale everywhere (words, heat maps, audio, video, bars, the report): blue pushes toward the explained
# class, orange pushes away from it; the stronger the colour, the stronger the push. Blue and orange (the ends of
# ColorBrewer's RdBu and PuOr) stay apart for the colour-blind: the green and red they replace (#1a9850, #d73027)
# both came out olive under a deuteranopia simulation ("toward" and "away" the same colour on the heat maps)
BLUE, LIGHT_BLUE, LIGHT_ORANGE, ORANGE = "#2166ac", "#92c5de", "#fdb863", "#e66101"
TOWARD_RGB, AWAY_RGB = (33, 102, 172), (230, 97, 1)  # BLUE and ORANGE, as the heat maps and bars blend them
WORD_LEGEND = {
    "▲▲ strongly for": BLUE,
    "▲ for": LIGHT_BLUE,
    "▼ against": LIGHT_ORANGE,
    "▼▼ strongly against": ORANGE,
}
LEGEND_TEXT = "blue pushes toward the explained class, orange pushes away; stronger colour, stronger push"
# each category as the words' legend names it, with the class it is about: green had meant "toward negative" on the
# opening example and "toward positive" on the next, said only in a small grey caption a projector's back row
# could not read
WORD_LEGEND_NAMED = {
    "▲▲ strongly for": "▲▲ strongly toward '{target}'",
    "▲ for": "▲ toward '{target}'",
    "▼ against": "▼ away from '{target}'",
    "▼▼ strongly against": "▼▼ strongly away from '{target}'",
}


def category_named(category: str, target: str | None, lang: str = "en") -> str:
    """A :data:`WORD_LEGEND` category as the legend shows it, naming the class ``target`` in ``lang`` ("▼ away from
    'negative'"); the bare category where there is no class to name."""
    from msa_demo.i18n import label, t

    if not target or category not in WORD_LEGEND_NAMED:
        return t(category, lang)
    return t(WORD_LEGEND_NAMED[category], lang, target=label(target, lang))
# how a person names what each modality gave
# model names as people know them, for the package-internal ids of the lite preset
MODEL_NAMES = {
    "minilm-head": "all-MiniLM-L6-v2 with a sentiment head",
    "e5-head": "multilingual-e5-small with a sentiment head",
    "mini-xception-face": "mini-XCEPTION facial expression (FER-2013)",
    "speech-transcript": "Whisper base speech recognition, then multilingual-e5-small with a sentiment head",
}


def model_name(model_id: str | None, family: str | None = None, lang: str = "en") -> str:
    """A model's name as people know it: the Hub id, or a plain name for a model shipped inside a package (its
    description in ``lang``)."""
    from msa_demo.i18n import t

    model_id = str(model_id or "")
    if family in MODEL_NAMES and (model_id.startswith("pkg:") or "/" not in model_id):
        return t(MODEL_NAMES[family], lang)
    if model_id.startswith("pkg:"):
        return model_id.rsplit("/", 1)[-1].split(".")[0].replace("_", " ")
    return shown_id(model_id)


def shown_id(model_id: str) -> str:
    """``model_id`` as a page or a shared report names it: a model in a folder of the server by its folder's name,
    not where the server keeps it ("text alone (/tmp/mleng/mymodels/bin2)" named a user's folders on the page, and
    a report's "made with" line did in every copy sent on); MSA_SHOW_PATHS=1 (a private dashboard) whole."""
    if _absolute(model_id) and os.environ.get("MSA_SHOW_PATHS", "").strip().lower() not in ("1", "true", "yes", "on"):
        return "…/" + re.split(r"[\\/]", model_id.rstrip("/\\"))[-1]
    return model_id


def _absolute(path: str) -> bool:
    """Is ``path`` an absolute file-system path (POSIX, or Windows's C:\\ …), not a Hub id ("org/model")?"""
    return path.startswith(("/", "\\", "~")) or bool(re.match(r"[A-Za-z]:[\\/]", path))


def reader_family(record: dict | None) -> str | None:
    """The family of the model that reads a modality's input, from its record (``models`` of an explanation): a
    clip's frames are read by the picture's family (its ``frames`` option; the lite clip was named by its file,
    "fer mini xception", beside the picture's "mini-XCEPTION facial expression")."""
    record = record or {}
    return (record.get("options") or {}).get("frames") or record.get("family")


def maps_for(exp: dict, modality: str) -> list[dict]:
    return [m for m in exp.get("maps") or [] if m.get("modality") == modality]


def rel_scores(scores: list[float]) -> list[float]:
    top = max((abs(float(s)) for s in scores), default=0.0)
    return [float(s) / top if top > 0 else 0.0 for s in scores]


def score_colour(rel: float, alpha: float | None = None) -> str:
    """Diverging colour: blue for positive attribution, orange for negative, strength from |rel|."""
    rel = max(-1.0, min(1.0, float(rel)))
    r, g, b = TOWARD_RGB if rel >= 0 else AWAY_RGB
    a = abs(rel) * 0.85 + 0.1 if alpha is None else alpha
    return f"rgba({r},{g},{b},{a:.2f})"


def b64_image(b64: str | None) -> Image.Image | None:
    """The picture an explanation carries (base64 PNG), decoded once however many views draw it (a copy each)."""
    if not b64:
        return None
    return _decoded_image(b64).copy()


@functools.lru_cache(maxsize=4)
def _decoded_image(b64: str) -> Image.Image:
    return Image.open(io.BytesIO(base64.b64decode(b64))).convert("RGB")


def decode_wav(b64: str | None) -> tuple[np.ndarray, int] | None:
    """The clip an explanation carries (base64 WAV) as (mono float32 samples, rate), decoded once (a copy each)."""
    if not b64:
        return None
    data, rate = _decoded_wav(b64)
    return data.copy(), rate


@functools.lru_cache(maxsize=4)
def _decoded_wav(b64: str) -> tuple[np.ndarray, int]:
    import soundfile as sf

    data, rate = sf.read(io.BytesIO(base64.b64decode(b64)), dtype="float32", always_2d=False)
    if data.ndim > 1:
        data = data.mean(axis=1)
    return data, int(rate)


def fmt(v, spec: str = ".3f") -> str:
    if v is None:
        return "—"
    try:
        return format(float(v), spec)
    except (TypeError, ValueError):
        return md(str(v))


EVEN = 0.02  # Shapley values closer than this, end to end: no input stands out (the chart and the summary say so)


def none_stands_out(values) -> bool:
    """Whether every modality moved the class about the same amount (two or more values within :data:`EVEN`)."""
    values = [float(v) for v in values]
    return len(values) > 1 and max(values) - min(values) < EVEN


def esc(s: Any) -> str:
    """Escape a string for HTML (None -> ""): every user-supplied string in a report or an SVG goes through it."""
    return html.escape("" if s is None else str(s), quote=True)


def md(s: Any) -> str:
    """Escape a string for Markdown/HTML display (user-supplied names, model ids, notices). Quotes are kept as
    they are: Markdown puts no string of ours in an attribute, and an API client reads "don't", not "don&#x27;t"."""
    s = html.escape("" if s is None else str(s), quote=False)
    for ch in "\\`*_[]|@":
        s = s.replace(ch, "\\" + ch)
    # nor a link: the page's Markdown made a visitor's "http://…" and "www.…" clickable under the app's address (a
    # shared link's what-if showed an attacker's links); escaped, they read the same and link nowhere
    return re.sub(r"(?i)\bwww\.", lambda m: m.group(0)[:-1] + "\\.", s.replace("://", "\\://"))


def code(s: Any) -> str:
    """A string as a Markdown code span, shown exactly as it is (a path a person copies): inside backticks Markdown
    reads no escape, so :func:`md`'s ``\\_`` showed as a backslash ("/tmp/nu\\_ray"); nor is it HTML-escaped (the
    renderer escapes a code span's ``<`` and ``&`` itself). Fenced by more backticks than any run of them in it,
    spaced when it starts or ends with one; on one line."""
    import re

    s = " ".join(("" if s is None else str(s)).splitlines())
    fence = "`" * (max((len(run) for run in re.findall("`+", s)), default=0) + 1)
    pad = " " if s[:1] == "`" or s[-1:] == "`" else ""
    return f"{fence}{pad}{s}{pad}{fence}"


REPORT_IMAGE_SIDE = 360  # pictures in the report are downscaled to this (the JSON keeps the original)


def png_uri(img, side: int = REPORT_IMAGE_SIDE) -> str:
    img = img.copy()
    img.thumbnail((side, side))
    buf = io.BytesIO()
    img.save(buf, format="PNG", compress_level=3)  # 5 ms for a 360-pixel photo; optimize=True took 28 ms, 4 % smaller
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


# The report's word chips: one class per legend category (its colour, a text colour that reads on it, its mark)
WORD_CLASSES = {category: f"w{i}" for i, category in enumerate(WORD_LEGEND)}
AA = 4.5  # WCAG 2 AA: the least contrast of normal text against its background


def contrast(fore: str, back: str) -> float:
    """The WCAG 2 contrast ratio of two colours ("#rrggbb" or "#rgb"), 1 to 21."""
    def luminance(colour: str) -> float:
        c = colour.lstrip("#")
        c = "".join(ch * 2 for ch in c) if len(c) == 3 else c
        r, g, b = (v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4
                   for v in (int(c[i:i + 2], 16) / 255 for i in (0, 2, 4)))
        return 0.2126 * r + 0.7152 * g + 0.0722 * b
    hi, lo = sorted((luminance(fore), luminance(back)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def readable_on(back: str, prefer: str = "#222222") -> str:
    """A text colour that reads on ``back`` (WCAG AA, 4.5:1): ``prefer`` (the page's text colour) where it does, else
    black or white, whichever reads better (#222 on the old legend's red was 3.3:1, on its green 4.3:1)."""
    if contrast(prefer, back) >= AA:
        return prefer
    return max(("#000000", "#ffffff"), key=lambda fore: contrast(fore, back))
