"""The what-if panel: what would change the model's mind (``Explanation.what_if``, made by
``msa_demo.explain.whatif``), as markdown for the dashboard and HTML for the report; the picture with the regions
removed drawn over it."""

from __future__ import annotations

import re

from PIL import Image, ImageDraw

from msa_demo import i18n
from msa_demo.i18n import (ALL_TAKEN, BLANKED, MOST_TAKEN, SWAPS, SWAPS_NOT_OFFERED, WHAT_IF_NOT_TRIED,
                           WHAT_IF_SWAPS_NOT_TRIED, grid_words, joined, region_words, t)
from msa_demo.explain.lexicon import LANGUAGES
from msa_demo.explain.whatif import (ALL_TAKEN_CLOSE, CLOSE_BETWEEN, MOST_TAKEN_CLOSE, NO_FLIP_CLOSE, SWAP_TAKES_AWAY,
                                     SWAP_TAKES_DOWN, TAKES_AWAY, TAKES_DOWN, bare, close_pair, fell_to, most_taken,
                                     tally, times, unit_name, units_in, whole_of)
from msa_demo.language import language_name
from msa_demo.prediction import too_close
from msa_demo.views.base import esc, md, png_uri
from msa_demo.views.figures import FACE_DRAWN, original_image

PAGE_PICTURE_SIDE = 200  # the page's what-if picture, long side (the report's: 240 px wide)
LISTED = 6  # units a sentence names before "and N more" (``explain.whatif``): the rest are listed under it
TITLE = "What would change its mind?"
NOTE = ("Each line was checked by the model: the edit was made and the fused verdict read again. The search starts "
        "from the map's ranking, grows the set until the verdict flips, then puts back every unit it can.")


def cost_line(c: dict, lang: str = "en") -> str:
    """A what-if's model runs (forward passes) and seconds ("1 model run, 0.03 s"), and why it was not pruned to the fewest units; ""
    for a search that ran no forward (its sentence says nothing could be tried: "(0 forwards, 0.00 s)" added
    nothing)."""
    cost = c.get("cost") or {}
    tail = ""
    if c.get("flipped") and not c.get("minimal"):
        tail = t("; not pruned to the fewest: its time ran out" if c.get("stopped") == "time" else
                 "; not pruned to the fewest: its model runs ran out", lang)
    n = cost.get("forward_passes", 0)
    if not n:
        return ""
    seconds = float(cost.get("seconds") or 0)
    return t("{passes} model run, {seconds} s" if n == 1 else "{passes} model runs, {seconds} s", lang, passes=n,
             seconds=f"{seconds:.2f}" if seconds >= 0.005 else "< 0.01") + tail


def _listed(items: list[str], lang: str) -> str:
    """As ``explain.whatif`` lists units: the first ``LISTED``, then "and N more"."""
    if len(items) > LISTED:
        items = items[:LISTED] + [t("{n} more", lang, n=len(items) - LISTED)]
    return joined(items, lang)


def map_index(c: dict, exp: dict | None) -> int | None:
    """The index in ``exp``'s maps of the map a what-if ``c`` searched by (its modality and method), or None."""
    return next((k for k, m in enumerate((exp or {}).get("maps") or []) if m.get("modality") == c.get("modality")
                 and m.get("method") == c.get("method")), None)


def map_of(c: dict, exp: dict | None) -> dict:
    """The map a what-if ``c`` searched by (:func:`map_index`), or {}."""
    k = map_index(c, exp)
    return (exp or {})["maps"][k] if k is not None else {}


def sentence(c: dict, exp: dict | None = None, lang: str = "en") -> str:
    """A what-if's one sentence in ``lang``: the one ``explain.whatif`` wrote (English) as it is, or the same
    sentence said in Chinese from the what-if's record (its map, from ``exp``, says how many units it has); a voice
    judged by its words alone with every word blanked out is said as what it is (:func:`nothing_left`)."""
    amap = map_of(c, exp)
    left = nothing_left(c, amap, exp, lang)
    if left:
        return left
    if lang != "zh":
        return str(c.get("sentence", ""))
    params, units, modality = amap.get("params") or {}, [str(u) for u in c.get("units") or []], c.get("modality")
    probs = c.get("probs") or {}
    reads = t("{label} ({p})", lang, label=i18n.label(c.get("label"), lang),
              p=f"{100 * float(probs.get(c.get('label'), 0.0)):.0f} %")
    close = ""
    if too_close(probs):  # as the verdict on top says it: between its two classes, no side taken
        (a, pa), (b, pb) = close_pair(probs)
        close = t(CLOSE_BETWEEN, lang, a=i18n.label(a, lang), pa=f"{pa} %", b=i18n.label(b, lang), pb=f"{pb} %")
    spoken = modality == "audio" and params.get("segments") == "recognised words"
    if c.get("flipped"):
        if _most(c, amap):  # the face taken away, said as that (``explain.whatif.MOST_TAKEN``), not listed
            whole, noun = whole_of(str(modality), params)
            total = units_in(str(modality), amap.get("labels") or [])
            full = len(units) == total
            return t(((ALL_TAKEN_CLOSE if full else MOST_TAKEN_CLOSE) if close else ALL_TAKEN if full else
                      MOST_TAKEN), lang, whole=t(whole, lang), noun=t(noun, lang), k=len(units), n=total,
                     what=t(unit_name(str(modality), params), lang), reads=reads, close=close)
        original = str(c.get("original"))
        before = c.get("before")
        if before is None:  # a record made without it: the verdict's own, as the explanation has it
            before = (((exp or {}).get("prediction") or {}).get("probs") or {}).get(original)
        fell = dict(verdict=i18n.label(original, lang), after=fell_to(float(probs.get(original, 0.0))),
                    before=None if before is None else fell_to(float(before)), close=close)
        if c.get("edit") == "remove":
            words = _listed([t("'{w}'", lang, w=w) + times(n) for w, n in tally(units)], lang)
            phrase = (words if modality == "text" else t("the spoken word {words}", lang, words=words) if spoken
                      else t("the voice at {times}", lang, times=_listed(units, lang)) if modality == "audio"
                      else _regions_phrase(units, params, lang) if modality == "image"
                      else t("the video moment {moments}", lang, moments=_listed(units, lang)) if modality == "video"
                      else f"{i18n.modality(modality, lang)} {_listed(units, lang)}")
            if close:
                return t(TAKES_DOWN if before is None else TAKES_AWAY, lang, units=phrase, **fell)
            return t("Without {units} it reads {reads}.", lang, units=phrase, reads=reads)
        pairs = _listed([t("'{a}' → '{b}'", lang, a=bare(a), b=bare(b))
                         for a, b in zip(units, c.get("replacements") or [])], lang)
        how = t("antonyms" if c.get("edit") == "antonym" else "neutral words", lang)
        if close:
            return t(SWAP_TAKES_DOWN if before is None else SWAP_TAKES_AWAY, lang, pairs=pairs, how=how, **fell)
        return t("With {pairs} ({how}) it reads {reads}.", lang, pairs=pairs, reads=reads, how=how)
    name = i18n.modality(modality, lang)
    n = int((c.get("cost") or {}).get("forward_passes") or 0)
    if c.get("stopped") == "language":
        return t(SWAPS_NOT_OFFERED, lang, name=name, languages=joined(
            (i18n.language(language_name(code), lang) for code in LANGUAGES), lang))
    if c.get("stopped") == "time":
        if not units and c.get("edit") == "remove":
            return t(WHAT_IF_NOT_TRIED, lang, name=name)
        if not units:
            return t(WHAT_IF_SWAPS_NOT_TRIED, lang, name=name, swaps=i18n.joined(
                [t(SWAPS.get(e, e), lang) for e in c.get("swaps_not_tried") or [c.get("edit")]], lang))
        head = t("{name}: no flip found before the what-if's time ran out", lang, name=name)
        head += t(" ({n} forwards)", lang, n=n)
    elif c.get("stopped") == "forwards":
        head = t("{name}: no flip within {n} forwards", lang, name=name, n=c.get("max_forwards", 0))
    else:
        head = t("{name}: no flip", lang, name=name)
    if not units:
        if c.get("edit") == "remove":
            return head + t(" (nothing could be tried).", lang)
        return t("{name}: none of the words that push toward {label} is in the what-if's lexicon, so none was "
                 "replaced.", lang, name=name, label=i18n.label(c.get("original"), lang))
    what = t("spoken word" if spoken else {"text": "word", "image": "region", "audio": "segment",
                                           "video": "moment"}.get(str(modality), "unit"), lang)
    k, total = len(units), (units_in(str(modality), amap.get("labels") or []) if c.get("edit") == "remove" else None)
    which = (t("all {k} {what}s", lang, k=k, what=what) if total is not None and k == total and k > 1
             else t("its only {what}", lang, what=what) if total == k == 1
             else t("the top {what}", lang, what=what) if k == 1 else t("the top {k} {what}s", lang, k=k, what=what))
    how = t({"remove": "without", "antonym": "with antonyms for", "neutral": "with neutral words for"}.get(
        str(c.get("edit")), "without"), lang)
    if c.get("edit") not in (None, "remove"):  # the words tried, as the English sentence names them
        which += t(" ({pairs})", lang, pairs=_listed([t("'{a}' → '{b}'", lang, a=bare(a), b=bare(b))
                                                      for a, b in zip(units, c.get("replacements") or [])], lang))
    elif modality == "text" and not (total is not None and k == total):
        which += t(" ({pairs})", lang, pairs=_listed([t("'{w}'", lang, w=w) + times(n) for w, n in tally(units)],
                                                     lang))
    said = (t(NO_FLIP_CLOSE, lang, head=head, how=how, which=which, close=close) if close else
            t("{head}; {how} {which} it still reads {reads}." if c.get("label") == c.get("original") else
              "{head}; {how} {which} it reads {reads}.", lang, head=head, how=how, which=which, reads=reads))
    if c.get("edit") == "remove" and total is not None and k == total and k > 1:  # not the chart's "no text"
        said += t(BLANKED, lang, what=what, name=i18n.modality(modality, lang))
    return said


# lite audio judges the words Whisper heard, nothing else: with every word blanked out (each replaced by a padding
# token) nothing of the clip is left to read. "Audio: no flip; without all 18 spoken words it still reads negative
# (92 %)" left a reader asking what was read then: a row of blanks, alone, or beside the other inputs
NOTHING_LEFT = ("{name}: no flip can be found by taking words out. Its model judges only the words said, and with all "
                "{k} of them blanked out {voice} gives it nothing to read: the {p} '{label}' it then gives is its "
                "reading of a row of blanks (padding tokens), not of anything said.")
NOTHING_LEFT_BESIDE = ("{name}: no flip can be found by taking words out. Its model judges only the words said, and "
                       "with all {k} of them blanked out {voice} gives it nothing to read: the {p} '{label}' left "
                       "is {others} read together with a row of blanks (padding tokens) in place of the words.")


def nothing_left(c: dict, amap: dict, exp: dict | None = None, lang: str = "en") -> str | None:
    """:data:`NOTHING_LEFT` (:data:`NOTHING_LEFT_BESIDE` where other inputs were used) in ``lang`` for a search that
    blanked every recognised word of a voice judged by its words alone and did not flip; None for any other."""
    params, units = amap.get("params") or {}, [str(u) for u in c.get("units") or []]
    if (c.get("modality") != "audio" or params.get("segments") != "recognised words" or c.get("flipped")
            or c.get("edit") != "remove" or len(units) < 2
            or len(units) != units_in("audio", amap.get("labels") or [])):
        return None
    probs = c.get("probs") or {}
    others = [m for m in ((exp or {}).get("prediction") or {}).get("used") or [] if m != "audio"]
    from msa_demo.views.story import noun

    name = i18n.modality("audio", lang)
    return t(NOTHING_LEFT_BESIDE if others else NOTHING_LEFT, lang, name=name[:1].upper() + name[1:], k=len(units),
             voice=noun("audio", lang), label=i18n.label(c.get("label"), lang),
             p=f"{100 * float(probs.get(c.get('label'), 0.0)):.0f} %",
             others=joined([noun(m, lang) for m in others], lang))


# the words map and a checked removal that disagree about the word that matters most: "It's fine, I guess." had its
# 4-step map rank "It's" over "fine", beside "without 'fine' it reads neutral (92 %)", and nothing said which to
# believe. It says what was checked, of the word checked: "the map ranks 'don't' highest, but taking out 'hate' alone
# changes the verdict" had implied that taking out 'don't' would not ("I hate it." reads 99.8 % negative)
DISAGREE = ("The map and this check disagree: taking out {words} alone changes the verdict, though the map {how}. "
            "The check is the model reading the edited text: go by it, not the colours, here.")
# how the map draws the word the check took out (``disagreement``)
HOW = {"away": "colours {word} away from '{label}'", "toward": "colours {word} toward '{label}'",
       "faint": "gives {word} next to no weight", "rank": "ranks {word} number {rank}, not first"}


def disagreement(exp: dict) -> dict | None:
    """A text's removal that flips the verdict, pruned to the fewest words, beside a map that draws one of those
    words otherwise: {"map": the map's index, "what_if": the removal, "word", "how" ("away" or "toward" the
    target, against what taking it out did; "faint": next to no weight, ``faithfulness.FAINT`` of the map's
    strongest; "rank": its words all pushing the verdict's way, but the map ranks another first), "rank"}; None."""
    from msa_demo.explain.faithfulness import FAINT
    from msa_demo.explain.whatif import is_word, ranking
    from msa_demo.views.figures import negligible

    maps = exp.get("maps") or []
    for c in exp.get("what_if") or []:
        if (c.get("modality"), c.get("edit")) != ("text", "remove") or not c.get("flipped") or not c.get("minimal"):
            continue
        k = map_index(c, exp)
        amap = maps[k] if k is not None else {}
        scores, labels, taken = amap.get("scores") or [], amap.get("labels") or [], list(c.get("indices") or [])
        if not taken or len(labels) != len(scores) or negligible(amap) or max(taken) >= len(scores):
            continue
        toward = exp.get("target") == c.get("original")  # the words taken out pushed toward the verdict
        strongest = max(abs(float(s)) for s in scores)
        for i in taken:
            score = float(scores[i])
            how = ("faint" if abs(score) < FAINT * strongest else "" if (score > 0) == toward
                   else "away" if score < 0 else "toward")
            if how:
                return {"map": k, "what_if": c, "word": labels[i], "how": how, "rank": None}
        order = [i for i in ranking(scores, toward) if is_word(labels[i])]
        if order and order[0] not in taken:
            first = min(taken, key=order.index)
            return {"map": k, "what_if": c, "word": labels[first], "how": "rank", "rank": order.index(first) + 1}
    return None


def disagreement_said(d: dict, exp: dict, lang: str = "en") -> tuple[str, str]:
    """(the words taken out, how the map draws the word) of a :func:`disagreement`, in ``lang``."""
    c = d["what_if"]
    words = _listed([t("'{w}'", lang, w=w) + times(n) for w, n in tally([str(u) for u in c.get("units") or []])],
                    lang)
    how = t(HOW[d["how"]], lang, word=t("'{w}'", lang, w=bare(d["word"])), rank=d["rank"],
            label=i18n.label(str(exp.get("target") or ""), lang))
    return words, how


def map_disagrees(exp: dict, lang: str = "en") -> str | None:
    """:data:`DISAGREE` in ``lang`` when a text's removal that flips the verdict, pruned to the fewest words, takes
    out a word its map draws away from the verdict, with next to no weight, or not first (:func:`disagreement`);
    None otherwise."""
    d = disagreement(exp)
    if d is None:
        return None
    words, how = disagreement_said(d, exp, lang)
    return t(DISAGREE, lang, words=words, how=how)


def _regions_phrase(units: list[str], params: dict, lang: str) -> str:
    """"picture regions r5c3 (row 5, column 3) and r6c4 (row 6, column 4) of the 7×7 grid over the face"; in
    Chinese the grid comes first ("脸部 7×7 网格中的图片区域 ...")."""
    phrase = t("picture region {regions}", lang, regions=_listed([region_words(u, lang) for u in units], lang))
    return grid_words(params, lang) + phrase if lang == "zh" else phrase + grid_words(params, lang)


def line(c: dict, exp: dict | None = None, lang: str = "en") -> str:
    """A what-if's line on the panel and in the report: its sentence headed by its modality's name, as a line
    that did not flip is ("Text: no flip ..."); a flip's line had none ("Without picture region r5c5 ...") and in
    a run of three modalities which line was whose could not be told."""
    said = sentence(c, exp, lang)
    if not c.get("flipped") or not said:
        return said
    if lang == "zh":
        return f"{i18n.modality(c.get('modality'), lang)}：{said}"
    return f"{str(c.get('modality')).capitalize()}: {said[0].lower()}{said[1:]}"


def _swapped(pieces: list, i: int) -> str:
    """" → " before a word put in where the word before it was taken out ("~~fantastic~~ → **awful**": the two
    had run together as "fantasticawful" for anyone who does not see the strike-through)."""
    return " → " if i and pieces[i][1] == "added" and pieces[i - 1][1] == "removed" else ""


def runs(pieces: list) -> list[tuple[str, str]]:
    """The pieces with each run of adjacent pieces of one kind joined: Chinese words taken out side by side are one
    struck run ("餐厅真的"), not one struck word after another (as Markdown "~~餐厅~~~~真的~~" showed literal tildes)."""
    out: list[tuple[str, str]] = []
    for p, k in pieces:
        k = k if k in ("removed", "added") else ""
        if out and out[-1][1] == k:
            out[-1] = (out[-1][0] + str(p), k)
        elif str(p):
            out.append((str(p), k))
    return out


CONTEXT_WORDS = 12  # an edit in a long text is shown with this many words either side of it (Chinese: 3x chars)
LONG_TEXT_WORDS = 60  # a text longer than this is shown around its edits only


def _shortened(text: str, keep_start: bool, keep_end: bool) -> str:
    """An unedited run of a long text cut to the words next to the edits (``keep_start``: its first words are
    beside an edit; ``keep_end``: its last), "…" where words are left out."""
    spaced = len(text.split()) > 1
    units = re.findall(r"\s*\S+(?:\s+$)?", text) if spaced else list(text)  # a word with the space before it
    n = CONTEXT_WORDS if spaced else 3 * CONTEXT_WORDS
    gap = " … " if spaced else "…"
    if len(units) <= n * (keep_start + keep_end) + 2 or not (keep_start or keep_end):
        return text
    head = "".join(units[:n]).rstrip() if keep_start else ""
    tail = "".join(units[-n:]).lstrip() if keep_end else ""
    return (head + gap + tail) if keep_start and keep_end else (head + gap.rstrip()) if keep_start else \
        (gap.lstrip() + tail)


def around_edits(pieces: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The runs of an edited text (:func:`runs`), a long one's unedited runs cut to the words beside each edit: a
    300-word review was repeated whole under each what-if to show one struck word."""
    words = sum(len(p.split()) if len(p.split()) > 1 else len(p) / 3 for p, _ in pieces)
    if words <= LONG_TEXT_WORDS:
        return pieces
    out = []
    for i, (p, k) in enumerate(pieces):
        if k:
            out.append((p, k))
        else:
            out.append((_shortened(p, keep_start=i > 0, keep_end=i < len(pieces) - 1), k))
    return [(p, k) for p, k in out if p]


def _edited(pieces: list, escape) -> str:
    """The edited text, each run of removed words in <del> and of words put in in <ins> (:func:`runs`), the rest
    ``escape``d (Markdown's or HTML's); a long text around its edits only (:func:`around_edits`)."""
    pieces = around_edits(runs(pieces))
    return "".join(escape(_swapped(pieces, i)) + (f"<del>{escape(p)}</del>" if k == "removed" else
                                                  f"<ins>{escape(p)}</ins>" if k == "added" else escape(p))
                   for i, (p, k) in enumerate(pieces))


def edited_markdown(pieces: list) -> str:
    """Edited text as markdown: the removed words in <del>, the words put in in <ins> (the page's CSS draws them
    as the report does, on pink and green: a struck-through Chinese word was nearly invisible, its strike on the
    characters' own strokes, and "~~" between words written without spaces showed as tildes); its line breaks
    kept inside the list item it sits in (a text of two paragraphs had its second one fall out of the what-if
    list)."""
    return re.sub(r"\s*\n\s*", "  \n  ", _edited(pieces, md).strip())


def edited_html(pieces: list) -> str:
    """Edited text as HTML: <del> the removed words, <ins> the words put in (each run of them as one)."""
    return _edited(pieces, esc)


def _most(c: dict, amap: dict) -> bool:
    """Whether ``c`` is a removal that flips the verdict only with most of its map's (``amap``) units taken out."""
    return bool(c.get("flipped")) and c.get("edit") == "remove" and most_taken(
        len(c.get("units") or []), units_in(str(c.get("modality")), amap.get("labels") or []) or None)


def _detail(c: dict, exp: dict | None = None) -> tuple[str, list]:
    """(kind, value): ("text", pieces) for an edited text, ("units", labels) for removed regions or segments that
    the sentence does not all name (not where it says most of them were taken: :func:`_most`)."""
    if c.get("edited") and c.get("flipped"):
        return "text", c["edited"]
    amap = map_of(c, exp)
    if c.get("flipped") and c.get("modality") != "text" and len(c.get("units") or []) > LISTED and not _most(c, amap):
        return "units", [bare(u) for u in c.get("units") or []]  # "awful," listed as "awful,, worst"
    return "", []


def ordered(exp: dict) -> list[dict]:
    """The what-ifs, those that flip the verdict first (each group in modality order); a modality's searches that
    were not tried (the what-ifs' time had run out) said in one line: the long review's "Text: not tried ..." had
    stood twice, once for its antonyms and once for its neutral words."""
    items, kept, untried = exp.get("what_if") or [], [], {}
    for c in items:
        if c.get("stopped") == "time" and not c.get("units") and not c.get("flipped"):
            first = untried.get(c.get("modality"))
            if first is None:
                untried[c.get("modality")] = c = dict(c, swaps_not_tried=[c.get("edit")])
            else:
                if c.get("edit") == "remove" or first.get("edit") == "remove":  # nothing was tried: one line says it
                    first.update(edit="remove", sentence=WHAT_IF_NOT_TRIED.format(
                        name=str(first.get("modality")).capitalize()))
                else:
                    first["swaps_not_tried"].append(c.get("edit"))
                    first["sentence"] = WHAT_IF_SWAPS_NOT_TRIED.format(
                        name=str(first.get("modality")).capitalize(),
                        swaps=i18n.joined([SWAPS.get(e, e) for e in first["swaps_not_tried"]]))
                continue
        kept.append(c)
    return [c for c in kept if c.get("flipped")] + [c for c in kept if not c.get("flipped")]


def _bar(moves: float, width: int = 10) -> str:
    """A signed bar in text: 10 blocks = 50 points."""
    n = min(width, round(abs(moves) * 2 * width))
    return ("▼" if moves < 0 else "▲") + "█" * n if n else "·"


def tone_rows(exp: dict) -> list[tuple[str, str, float, bool]]:
    """(change, verdict after it, P(verdict) moved by, flips) for each change of the clip's sound."""
    return [(e.get("change", ""), e.get("label", ""), float(e.get("moves") or 0.0), bool(e.get("flips")))
            for e in exp.get("tone") or []]


def tone_story(exp: dict, lang: str = "en") -> tuple[str, str, list[tuple[str, str, float, bool]]]:
    """(the verdict, the one sentence, :func:`tone_rows`) that both views of "how it sounds" tell."""
    from msa_demo.explain.result import ToneEffect
    from msa_demo.explain.tone import tone_sentence

    verdict = (exp.get("prediction") or {}).get("label", "")
    effects = [ToneEffect.from_dict(e) for e in exp.get("tone") or []]
    if lang != "zh" or not effects:
        return verdict, tone_sentence(effects, verdict), tone_rows(exp)
    by_kind: dict[str, float] = {}
    for e in effects:
        by_kind[e.kind] = max(by_kind.get(e.kind, 0.0), abs(e.moves))
    top = max(by_kind, key=by_kind.get)
    said = i18n.label(verdict, lang)
    if by_kind[top] < 0.005:
        head = t("How it sounds: none of these changes moves P({verdict}) by as much as half a point.", lang,
                 verdict=said)
    else:
        flips = [i18n.said(e.change, lang) for e in effects if e.flips]
        tail = t("; {flips} flips it", lang, flips=i18n.listed(flips, lang)) if flips else t("; none flips it", lang)
        head = t("How it sounds: {top} moves P({verdict}) most (up to {points} points){tail}.", lang,
                 top=t(top, lang), verdict=said, points=f"{100 * by_kind[top]:.0f}", tail=tail)
    return verdict, head, tone_rows(exp)


def tone_markdown(exp: dict, lang: str = "en") -> str:
    """How it sounds: a table of the changes of the clip's sound and how far each moved the verdict, or the note
    saying why there is none; "" when it was not asked for."""
    if exp.get("tone_note"):
        return f"<sub>{md(i18n.said(exp['tone_note'], lang))}</sub>"
    if not tone_rows(exp):
        return ""
    verdict, head, rows = tone_story(exp, lang)
    body = "\n".join(f"| {md(i18n.said(c, lang))} | {md(i18n.label(label, lang))}{' ↺' if flips else ''} | {100 * m:+.1f} | "
                     f"{_bar(m)} |" for c, label, m, flips in rows)
    moves = t("P({verdict}) moves (points)", lang, verdict=md(i18n.label(verdict, lang)))
    return (f"**{md(head)}**\n\n| {t('the clip with', lang)} | {t('reads', lang)} | {moves} | |\n|---|---|---:|---|\n"
            + body)


def whatif_markdown(exp: dict, lang: str = "en") -> str:
    """The dashboard's what-if panel (with how it sounds); "" when the explanation has neither."""
    items = ordered(exp)
    sound = tone_markdown(exp, lang)
    if not items:
        return f"#### {t(TITLE, lang)}\n\n{sound}" if sound else ""
    lines = [f"#### {t(TITLE, lang)}"]
    for c in items:
        cost = cost_line(c, lang)
        said = f"- {md(line(c, exp, lang))}" + (f" <sub>({md(cost)})</sub>" if cost else "")
        kind, value = _detail(c, exp)
        if kind == "text":
            said += f'  \n  <span dir="auto">{edited_markdown(value)}</span>'  # (an Arabic text's full stop on its left)
        elif kind == "units":
            said += f"  \n  <sub>{md(t('removed: {units}', lang, units=i18n.listed(value, lang)))}</sub>"
        pic = whatif_picture(exp, c)  # the regions named ("r6c5 of the 7×7 grid over the face") drawn, as the report
        if pic is not None:  # draws them: on the page they had been names on a grid no one sees
            alt = t("The picture without those regions (greyed)", lang)
            said += f"  \n  ![{md(alt)}]({png_uri(pic, side=PAGE_PICTURE_SIDE)})"
        lines.append(said)
    odd = map_disagrees(exp, lang)
    return ("\n".join(lines) + (f"\n\n*{md(odd)}*" if odd else "") + f"\n\n<sub>{md(t(NOTE, lang))}</sub>"
            + (f"\n\n{sound}" if sound else ""))


def picture_area(exp: dict, c: dict, size: tuple[int, int]) -> tuple[int, int, int, int]:
    """The part of the picture (``size``) the what-if ``c``'s picture shows: where the map it searched by is drawn,
    the face that was found and its margin (its ``heatmap_box``, ``explain.result.map_area``), else the whole."""
    from msa_demo.explain.result import map_area

    params = map_of(c, exp).get("params") or {}
    box = params.get("box")
    if params.get("grid_over") != "face" or not box or len(box) != 4:
        return 0, 0, *size
    kept = params.get("heatmap_box")
    left, top, right, bottom = (int(v) for v in (kept if kept and len(kept) == 4 else map_area(size, box)))
    left, top, right, bottom = max(0, left), max(0, top), min(size[0], right), min(size[1], bottom)
    return (left, top, right, bottom) if right - left >= 1 and bottom - top >= 1 else (0, 0, *size)


def whatif_picture(exp: dict, c: dict) -> Image.Image | None:
    """The picture with the removed regions of an image what-if greyed and outlined; None for another. Where the
    map was over a face that was found, the face and its margin, at least ``FACE_DRAWN`` px long (as the heat maps
    are drawn): the whole picture at thumbnail size had shown the few cells removed from a small face as specks."""
    if c.get("modality") != "image" or not c.get("flipped"):
        return None
    img = original_image(exp)
    if img is None:
        return None
    left, top, right, bottom = picture_area(exp, c, img.size)
    whole = (left, top, right, bottom) == (0, 0, *img.size)
    scale = 1.0 if whole else max(1.0, FACE_DRAWN / max(right - left, bottom - top))
    out = img.convert("RGB").crop((left, top, right, bottom))
    if scale > 1:
        out = out.resize((round((right - left) * scale), round((bottom - top) * scale)), Image.BICUBIC)
    shade = Image.new("RGB", out.size, (128, 128, 128))
    mask = Image.new("L", out.size, 0)
    draw = ImageDraw.Draw(mask)
    boxes = [tuple(round((int(v) - o) * scale) for v, o in zip(box[:4], (left, top, left, top)))
             for box in c.get("spans") or [] if len(box) >= 4]
    for box in boxes:
        draw.rectangle(box, fill=200)
    out = Image.composite(shade, out, mask)
    lines = ImageDraw.Draw(out)
    width = max(1, round(max(out.size) / 150))
    for box in boxes:
        lines.rectangle(box, outline=(215, 48, 39), width=width)
    return out


def whatif_html(exp: dict, picture_uri=None, lang: str = "en") -> str:
    """The report's what-if section; ``picture_uri(img)`` embeds the edited picture (the report's own)."""
    items = ordered(exp)
    sound = tone_html(exp, lang)
    if not items:
        return f"<h2>{esc(t(TITLE, lang))}</h2>{sound}" if sound else ""
    rows = []
    for c in items:
        kind, value = _detail(c, exp)
        extra = ""
        if kind == "text":
            extra = f'<br><span class="edited" dir="auto">{edited_html(value)}</span>'
        elif kind == "units":
            extra = f"<br><small>{esc(t('removed: {units}', lang, units=i18n.listed(value, lang)))}</small>"
        pic = whatif_picture(exp, c)
        if pic is not None and picture_uri is not None:
            extra += (f'<br><img alt="{esc(t("The picture without those regions (greyed)", lang))}" '
                      f'src="{picture_uri(pic)}" '
                      'style="max-width:240px">')
        cost = cost_line(c, lang)
        rows.append(f"<li>{esc(line(c, exp, lang))}" + (f" <small>({esc(cost)})</small>" if cost else "")
                    + f"{extra}</li>")
    odd = map_disagrees(exp, lang)
    return (f"<h2>{esc(t(TITLE, lang))}</h2><ul>{''.join(rows)}</ul>" + (f"<p><em>{esc(odd)}</em></p>" if odd else "")
            + f"<p><small>{esc(t(NOTE, lang))}</small></p>{sound}")


def tone_html(exp: dict, lang: str = "en") -> str:
    """The report's "how it sounds": a bar chart (static SVG) of how far each change moved the verdict."""
    from msa_demo.views.charts import bars_html

    if exp.get("tone_note"):
        return f'<p class="notice">{esc(i18n.said(exp["tone_note"], lang))}</p>'
    if not tone_rows(exp):
        return ""
    verdict, head, rows = tone_story(exp, lang)
    chart = bars_html([i18n.said(c, lang) + (t(" (flips it)", lang) if f else "") for c, _, _, f in rows],
                     [m for _, _, m, _ in rows], title=t("How far each change of the sound moved P({verdict})", lang,
                                                         verdict=i18n.label(verdict, lang)))
    return f"<h3>{t('How it sounds', lang)}</h3><p>{esc(head)}</p>{chart}"


__all__ = ["cost_line", "edited_html", "edited_markdown", "map_disagrees", "ordered", "sentence", "tone_html", "tone_markdown", "tone_rows", "whatif_html",
           "whatif_markdown", "whatif_picture", "picture_area"]
