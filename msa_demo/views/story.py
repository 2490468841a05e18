"""What an explanation says in words: the one-line summary, what each model could and could not read, the
prediction's notes, the trust verdicts, the examples' notes. Shared by the dashboard and the report."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterable

from msa_demo import language
from msa_demo.i18n import joined, listed, sep, stop, t
from msa_demo import i18n
from msa_demo.config import SENTIMENTS, voice_reads_words
from msa_demo.language import OUTSIDE_LANGUAGES
from msa_demo import registry
from msa_demo.language import language_name
from msa_demo.prediction import PHOTO_SIDE, percent, percents, too_close, too_small  # noqa: F401 (theirs)
from msa_demo.views.base import esc, fmt, md, model_name, none_stands_out, reader_family

NO_FACE = "no face"
NO_WORDS_HEARD = "no words heard"  # lite audio, which judges the words said, heard none (no one speaks in the clip)


def label_value(p: dict | None, lang: str = "en") -> dict | None:
    """A Label's value: the classes in SENTIMENTS order, each rounded to what the Label shows (whole percents,
    :func:`prediction.percents`, summing to 100), so that classes shown with the same percentage are listed in SENTIMENTS order in
    every panel (the Label sorts by value, keeping the given order for ties) rather than by differences nobody can
    see; the verdict box's heading reads its near-tie from these, as the summary does from the same percents."""
    if not p:
        return None
    rank = {s: i for i, s in enumerate(SENTIMENTS)}
    shown = percents(p)  # summing to 100 (each rounded alone had read 75 + 14 + 12)
    return {i18n.label(k, lang): shown[k] / 100 for k in sorted(shown, key=lambda k: rank.get(k, len(rank)))}


def _pct(p: float, digits: int = 0) -> str:
    """A percentage in words; whole ones as the verdict box shows them (:func:`prediction.percent`)."""
    return f"{100 * float(p):.{digits}f} %" if digits else f"{percent(p)} %"


SPECIALISTS = "details for specialists"


def for_specialists(inner: str, lang: str = "en") -> str:
    """HTML (``inner``, already escaped) behind a closed "details for specialists": the report's first reading is
    plain words; the method's names, its baseline, its scores as they are wait here (a boss had read "layer
    integrated gradients · baseline: pad token", "AOPC gap" and "× 10⁻³" before a word of what they mean)."""
    return f"<details><summary>{esc(t(SPECIALISTS, lang))}</summary>{inner}</details>" if inner else ""


def percent_said(p: float) -> str:
    """A probability as a reader sees it: a whole percent, as the verdict boxes show it ("97 %")."""
    return _pct(p)


def _and(items: list[str], lang: str = "en") -> str:
    return joined(items, lang)


def noun(m: str, lang: str = "en") -> str:
    """How a person names what a modality gave ("the words": its kind's ``noun``), in ``lang``."""
    kind = registry.get(m) if m in registry.names() else None
    if kind is None or not kind.noun:
        return i18n.modality(m, lang) if lang == "zh" else f"the {m.replace('_', ' ')}"
    return t(kind.noun, lang)


def abstained(pred: dict, reading: dict | None) -> list[str]:
    """Modalities given but not read because their model abstained: a face model that found no face (a picture,
    which the page then switches off; a clip, in none of its frames), lite audio that heard no words."""
    used, off = set(pred.get("used") or []), set(pred.get("switched_off") or [])
    out = list(pred.get("abstained") or [])  # as the prediction records them (older files: in switched_off)
    for m, r in (reading or {}).items():
        r = r or {}
        if m in used or m in out:
            continue
        if (r.get("face_found") is False and (m in off or m != "image")) or (
                "transcript" in r and not r.get("words") and m not in off):
            out.append(m)
    return out


def abstained_why(m: str, reading: dict | None) -> str:
    """Why modality ``m`` abstained, in two or three words (English: ``t`` them): no face, no words heard. Without
    the reading record (the command line's prediction), by what abstains: a voice only for hearing no words (it
    had said "the voice: no face")."""
    return NO_WORDS_HEARD if m == "audio" or "transcript" in ((reading or {}).get(m) or {}) else NO_FACE


def outside_languages(reading: dict | None, pred: dict | None = None) -> list[str]:
    """Modalities whose words, all or a substantial part of them, are in a language their model was not trained on
    (the reading record, else the prediction's own record of each modality: :func:`language.outside`)."""
    out = [m for m, r in (reading or {}).items() if language.outside(r)]
    return out + [m for m, p in ((pred or {}).get("modalities") or {}).items()
                  if m not in out and language.outside(p)]


def language_records(pred: dict | None, reading: dict | None) -> dict[str, dict]:
    """{modality: {"language", "languages", "language_covered", "other_languages"}}: the reading record's, else the
    prediction's."""
    out = {m: dict(p) for m, p in ((pred or {}).get("modalities") or {}).items() if (p or {}).get("language")}
    out.update({m: dict(r) for m, r in (reading or {}).items() if (r or {}).get("language")})
    return out


# ---------------------------------------------------------------- the summary on top


def near_tie(pred: dict) -> bool:
    """Are the top two classes too close to call (:func:`prediction.too_close`, as the JSON says)?"""
    return too_close(pred.get("probs") or {})


def top_two(pred: dict) -> list[tuple[str, float]]:
    """The two likeliest classes, (class, probability) each, likeliest first (fewer where there are fewer): what a
    near-tie is between."""
    return sorted(((str(k), float(v)) for k, v in (pred.get("probs") or {}).items()), key=lambda kv: -kv[1])[:2]


def tie_gap(pred: dict) -> float | None:
    """How far apart the top two classes of a near-tie are, in points of the percents its headline shows (one
    decimal: "positive 33.8 % vs negative 33.2 %" is 0.6 apart); None when it is no near-tie."""
    probs = top_two(pred)
    if len(probs) < 2 or not near_tie(pred):
        return None
    return round(round(100 * probs[0][1], 1) - round(100 * probs[1][1], 1), 1)


def tie_between(pred: dict, lang: str = "en") -> str:
    """Which two classes a near-tie is between and how close: "positive 33.8 % vs negative 33.2 %, 0.6 points
    apart" ("" when it is no near-tie): a row the Dataset tab and explain-batch called "too close to call" had not
    said against what, nor how close."""
    gap = tie_gap(pred)
    if gap is None:
        return ""
    (a, pa), (b, pb) = top_two(pred)
    return t("{a} {pa} vs {b} {pb}, {gap} points apart", lang, a=i18n.label(a, lang), pa=_pct(pa, 1),
             b=i18n.label(b, lang), pb=_pct(pb, 1), gap=f"{gap:.1f}")


def headline(pred: dict, lang: str = "en") -> str:
    """"NEGATIVE (62 %)", or "Too close to call: negative 49.9 % vs positive 49.6 %" for a near-tie."""
    probs = top_two(pred)
    if not probs:
        return ""
    (a, pa), (b, pb) = probs[0], probs[1] if len(probs) > 1 else ("", 0.0)
    if near_tie(pred):
        return t("Too close to call: {a} {pa} vs {b} {pb}", lang, a=i18n.label(a, lang), pa=_pct(pa, 1),
                 b=i18n.label(b, lang), pb=_pct(pb, 1))
    return t("{label} ({p})", lang, label=i18n.label(a, lang).upper(), p=f"{percents(pred['probs'])[a]} %")


def terminal_verdict(pred: dict, exp: dict | None = None, reading: dict | None = None,
                     lang: str = "en") -> tuple[str, str | None]:
    """(the verdict a terminal line heads with: "POSITIVE", or the near-tie headline as the dashboard says it; the
    summary sentence when it says more than that, else None), in ``lang``: the command line's first lines."""
    label = i18n.label(str(pred.get("label", "")), lang).upper()
    said = summary_sentence(pred, exp, reading, lang)
    head = headline(pred, lang)
    if near_tie(pred):
        label = head
    return label, (said if said and said != f"{head}{stop(lang)}" else None)


# the voice read only through its words (``config.voice_reads_words``: lite's speech recognition, then the text
# model): it is named as the words it gives, and beside the text as one reading of the words, not a second witness
# ("POSITIVE (67 %), as the words and the voice say" counted the same words twice)
SPOKEN_WORDS = "the spoken words"
WORDS_BOTH = "the words (written and spoken)"
AS_WORDS_BOTH = ", as the words say, written and spoken (the voice is judged by its words alone)"
BY_WORDS_BOTH = ", mostly because of the words, written and spoken (the voice is judged by its words alone)"


def words_only_voice(exp: dict | None = None, models: dict | None = None) -> bool:
    """Is the explanation's (or ``models``') voice read only through its words (its saved model record)?"""
    record = ((models or (exp or {}).get("models") or {}).get("audio"))
    return bool(record) and voice_reads_words(record)


def nouns(ms: list[str], lang: str = "en", words_only: bool = False) -> tuple[list[str], bool]:
    """(how a person names what each of ``ms`` gave, in ``lang``; whether the words and the voice were said as one):
    a voice read only through its words is "the spoken words", and beside the text the two are one item."""
    both = words_only and "text" in ms and "audio" in ms
    out = []
    for m in ms:
        if both and m in ("text", "audio"):
            if m == "text" or "text" not in ms[:ms.index(m)]:
                out.append(t(WORDS_BOTH, lang))
            continue
        out.append(t(SPOKEN_WORDS, lang) if words_only and m == "audio" else noun(m, lang))
    return list(dict.fromkeys(out)), both


def summary_sentence(pred: dict, exp: dict | None = None, reading: dict | None = None, lang: str = "en",
                     models: dict | None = None) -> str:
    """One plain sentence: the decision, what drove it, what disagrees, what was not read (in ``lang``). A voice
    read only through its words (``models``, else the explanation's saved record) is said as words, not a voice."""
    head = headline(pred, lang)
    if not head:
        return ""
    words_only = words_only_voice(exp, models)
    label = str(pred.get("label", ""))
    per = pred.get("modalities") or {}
    used = [m for m in pred.get("used") or [] if m in per or m in registry.names()]
    shapley = ((exp or {}).get("modalities") or {}).get("shapley") or {}
    target = (exp or {}).get("target") or label
    reasons = ""
    enough = each_enough(exp) if shapley and target == label else []
    enough_named = nouns(enough, lang, words_only)[0]
    if len(enough_named) > 1:  # each alone says it (the chart's "without" bars): no one of them is *the* reason
        reasons = t(", which {inputs} each say on their own", lang, inputs=_and(enough_named, lang))
    elif shapley and target == label and none_stands_out(shapley.values()):  # as the contributions chart says it
        reasons = t(", every input moving it by about the same amount", lang)
    elif shapley and target == label and len(shapley) > 1:
        top = max(shapley.values())
        raising = set(removal_raises(exp))  # taking it away raises the verdict: never named as a reason for it
        drivers = [m for m, v in sorted(shapley.items(), key=lambda kv: -kv[1])
                   if v > 0 and v >= 0.3 * top and m not in raising]
        named, both = nouns(drivers, lang, words_only)
        if drivers:
            reasons = (t(BY_WORDS_BOTH, lang) if both and len(named) == 1 else
                       t(", mostly because of {drivers}", lang, drivers=_and(named, lang)))
    elif len(used) > 1:
        agree = [m for m in used if (per.get(m) or {}).get("label") == label and not near_tie(per[m])]
        named, both = nouns(agree, lang, words_only)
        if agree and len(agree) < len(used):
            plural = both or agree == ["text"] or (words_only and agree == ["audio"]) or len(named) > 1
            reasons = (t(AS_WORDS_BOTH, lang) if both and len(named) == 1 else
                       t(", as {agree} say" if plural else ", as {agree} says", lang, agree=_and(named, lang)))
    # a modality whose own verdict is a near-tie is said so, as its box says it ("Video alone: too close to call"
    # beside a summary that had it "alone points positive")
    words = {"text"} | ({"audio"} if words_only else set())  # said in the plural: "the words alone point ..."
    dissent = [t("{noun} alone is too close to call" if m not in words else "{noun} alone are too close to call",
                 lang, noun=nouns([m], lang, words_only)[0][0]) if near_tie(per[m]) else
               t("{noun} alone points {label}" if m not in words else "{noun} alone point {label}", lang,
                 noun=nouns([m], lang, words_only)[0][0], label=i18n.label(per[m]["label"], lang))
               for m in used if m in per and (per[m].get("label") != label or near_tie(per[m]))]
    tail = (sep(lang) + _and(dissent, lang)) if dissent and len(used) > 1 else ""
    missing = [t("{noun}: {why}", lang, noun=noun(m, lang), why=t(abstained_why(m, reading), lang))
               for m in abstained(pred, reading)]
    missing += [t("{noun}: {why}", lang, noun=noun(m, lang), why=t(OUTSIDE_LANGUAGES, lang))
                for m in outside_languages(reading, pred) if m in used]
    extra = t(" ({missing})", lang, missing=sep(lang).join(missing)) if missing else ""
    if near_tie(pred):
        return f"{head}{extra}{stop(lang)}"
    told = [c for kind in registry.kinds() if kind.story and kind.name in used and exp
            for c in [story_clause(kind.story, exp, lang)] if c]  # a modality's own (the video's decisive moment)
    more = sep(lang) + sep(lang).join(told) if told else ""
    return f"{head}{reasons}{tail}{more}{extra}{stop(lang)}"


# ---------------------------------------------------------------- the contributions, in words

# taking one input away costs the explained class less than this (5 points) and keeps the verdict: the others still
# say it without it (a sarcastic post and a smiling photo: 97 % positive with both, 95 % and 98 % with one of them)
ENOUGH_ALONE = 0.05
# a pairwise interaction smaller than this (5 points) is said as inputs that add up, not as overlap or reinforcement
INTERACTION_SMALL = 0.05
# an input whose Shapley value is smaller than this (5 points) barely moves the explained class: it may be said to
# add nothing, and it takes no side in a pair. The picture at -0.413, beside words at +0.574 whose own verdicts
# were opposite, had been said to "add nothing", and to overlap with the words "because they say the same thing"
BARELY = 0.05


def side(v: float | None) -> int:
    """Which way a Shapley value pushes the explained class: 1 toward it, -1 away from it, 0 barely (``BARELY``)."""
    v = float(v or 0.0)
    return 1 if v >= BARELY else -1 if v <= -BARELY else 0


# taking an input away raises the explained class (``removal_raises``), said by the input's Shapley value: barely
# any (it adds nothing), positive (its bar counts what it adds on average; beside all the others it lowers it),
# negative (it pulls away from it)
RAISES_NOTHING = ("Without {input} the model is even surer of '{label}' ({without} against {all} with everything): "
                  "beside the other inputs, that input adds nothing to it.")
RAISES_ON_AVERAGE = ("Without {input} the model is even surer of '{label}' ({without} against {all} with everything): "
                     "that input raises it on average (its bar), but beside all the other inputs it lowers it.")
RAISES_AWAY = ("Without {input} the model is surer of '{label}' ({without} against {all} with everything): that input "
               "pulls away from it.")
# a pair's interaction, said by the sides its two inputs take (``side``) and its sign
OVERLAP = ("{a} and {b} overlap: together they move '{label}' {points} points less than their two effects would add up "
           "to, because they say the same thing.")
REINFORCE = ("{a} and {b} reinforce each other: together they move '{label}' {points} points more than their two "
             "effects would add up to.")
ADD_UP = "{a} and {b} add up: each moves '{label}' about as much with the other as without it."
AWAY_OVERLAP = ("{a} and {b} both pull away from '{label}' and overlap: together they take {points} points less off it "
                "than their two effects would add up to, because they say the same thing.")
AWAY_REINFORCE = ("{a} and {b} both pull away from '{label}' and reinforce each other: together they take {points} "
                  "points more off it than their two effects would add up to.")
OPPOSITE_LOWER = ("{a} and {b} pull opposite ways ({a} toward '{label}', {b} away from it): together they leave "
                  "'{label}' {points} points lower than their two effects would add up to.")
OPPOSITE_HIGHER = ("{a} and {b} pull opposite ways ({a} toward '{label}', {b} away from it): together they leave "
                   "'{label}' {points} points higher than their two effects would add up to.")
INTERACT_LOWER = ("{a} and {b} interact: together they leave '{label}' {points} points lower than their two effects "
                  "would add up to.")
INTERACT_HIGHER = ("{a} and {b} interact: together they leave '{label}' {points} points higher than their two effects "
                   "would add up to.")


def pair_said(a: str, b: str, v: float, shapley: dict) -> tuple[str, str, str]:
    """(the sentence's key, its first input, its second) for the interaction ``v`` of inputs ``a`` and ``b``, by the
    side each takes (their Shapley values): overlap or reinforcement where both push the same way, the pair pulling
    opposite ways (the one toward the class named first), else only how far together they are from adding up."""
    sa, sb = side(shapley.get(a)), side(shapley.get(b))
    if abs(v) < INTERACTION_SMALL:
        return ADD_UP, a, b
    if sa == sb == 1:
        return (OVERLAP if v < 0 else REINFORCE), a, b
    if sa == sb == -1:
        return (AWAY_OVERLAP if v > 0 else AWAY_REINFORCE), a, b
    if sa * sb == -1:
        return (OPPOSITE_LOWER if v < 0 else OPPOSITE_HIGHER), *((a, b) if sa == 1 else (b, a))
    return (INTERACT_LOWER if v < 0 else INTERACT_HIGHER), a, b


def _without(exp: dict | None) -> tuple[dict, str, float | None]:
    """({modality: P(target) without it}, target, P(target) with everything) of an explanation's contributions."""
    mc = (exp or {}).get("modalities") or {}
    target = (exp or {}).get("target") or ((exp or {}).get("prediction") or {}).get("label") or ""
    probs = ((exp or {}).get("prediction") or {}).get("probs") or {}
    full = probs.get(target, mc.get("value_all"))
    return ({m: float((w or {}).get(target, 0.0)) for m, w in (mc.get("without") or {}).items()}, target,
            None if full is None else float(full))


def removal_raises(exp: dict | None) -> list[str]:
    """The inputs whose removal makes the explained class likelier (the chart's "without X" bar above "all"): a
    Shapley value can be positive for them all the same (it counts what an input says alone), but the summary must
    not name them as a reason for the verdict."""
    without, _target, full = _without(exp)
    return [] if full is None else [m for m, p in without.items() if p > full]


def each_enough(exp: dict | None) -> list[str]:
    """The inputs pushing toward the explained class (Shapley value > 0) each of which can be taken away with the
    verdict kept and under ``ENOUGH_ALONE`` of it lost, when there are two or more ([] otherwise): redundant inputs,
    each enough alone ("either the voice or the face alone is enough"): their Shapley values share out a move that
    no one of them is needed for, and their interaction is strongly negative."""
    mc = (exp or {}).get("modalities") or {}
    shap = mc.get("shapley") or {}
    without, target, full = _without(exp)
    if full is None or len(shap) < 2:
        return []
    out = []
    for m, v in sorted(shap.items(), key=lambda kv: -float(kv[1])):
        w = (mc.get("without") or {}).get(m) or {}
        if float(v) <= 0:
            continue
        if m not in without or full - without[m] >= ENOUGH_ALONE or not w or max(w, key=w.get) != target \
                or too_close(w):
            return []
        out.append(m)
    return out if len(out) > 1 else []


def contributions_story(exp: dict | None, lang: str = "en", words_only: bool | None = None) -> list[str]:
    """What the contributions chart says, in sentences a reader who never heard of Shapley values gets: inputs each
    enough alone, an input whose removal raises the verdict (its bar is positive all the same), each pairwise
    interaction shown, in words. [] when there is nothing to add to the bars."""
    mc = (exp or {}).get("modalities") or {}
    if not mc.get("shapley"):
        return []
    words_only = words_only_voice(exp) if words_only is None else words_only
    name = (lambda m: nouns([m], lang, words_only)[0][0])  # noqa: E731
    without, target, full = _without(exp)
    said = i18n.label(target, lang)
    out = []
    enough = each_enough(exp)
    if len(enough) == 2:
        out.append(t("Either {a} or {b} alone is enough for '{label}': take one away and the other still says it.",
                     lang, a=name(enough[0]), b=name(enough[1]), label=said))
    elif enough:
        out.append(t("Any one of {inputs} can be taken away and the others still say '{label}'.", lang,
                     inputs=_and([name(m) for m in enough], lang), label=said))
    shapley = mc.get("shapley") or {}
    for m in removal_raises(exp):
        if full is not None and percent(without[m]) > percent(full):  # said where the percents show it
            key = {1: RAISES_ON_AVERAGE, -1: RAISES_AWAY, 0: RAISES_NOTHING}[side(shapley.get(m))]
            out.append(t(key, lang, input=name(m), label=said, without=_pct(without[m]), all=_pct(full)))
    for pair, v in (mc.get("interactions") or {}).items():
        a, _, b = pair.partition("×")
        v = float(v)
        key, a, b = pair_said(a, b, v, shapley)
        out.append(t(key, lang, a=name(a), b=name(b), label=said, points=f"{abs(100 * v):.0f}"))
    return [x[:1].upper() + x[1:] for x in out]


def speaks(fn) -> bool:
    """Does a modality's ``story`` or ``report`` take a ``lang`` (a plug-in's may not: it then writes English)?"""
    import inspect

    try:
        return "lang" in inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False


def story_clause(fn, exp: dict, lang: str = "en") -> str | None:
    """A modality's clause for the summary, in ``lang`` when its ``story`` takes one."""
    return fn(exp, lang=lang) if speaks(fn) else fn(exp)


def language_notice(modality: str, record: dict | None, lang: str = "en") -> str | None:
    """``language.notice`` in ``lang``: the model read a language it was not trained on (None otherwise)."""
    record = record or {}
    if lang != "zh" or not language.outside(record):
        return language.notice(modality, record)
    lead, thing = language.LEADS.get(modality, (modality.capitalize(), "input"))
    part = language.partly_outside(record) if record.get("language_covered") is not False else []
    key = (language.PART_OUTSIDE if part else "{lead}: {language} is outside this model's languages ({languages}); "
           "its verdict on this {thing} is not reliable.")
    return t(key, lang, lead=t(lead, lang) if modality in language.LEADS else i18n.modality(modality, lang),
             language=i18n.joined((i18n.language(language_name(c), lang) for c in part or [record.get("language")]),
                                  lang),
             languages=listed((i18n.language(language_name(c), lang) for c in record.get("languages") or []), lang),
             thing=t(thing, lang))


ABSTAINED_IN_PHOTO = ("No face was found in the picture, so the face model abstained: the picture was not used (a face "
                      "under {px} px across in a {size} picture is too small to find: crop the picture to the face).")


def reading_warnings(pred: dict, reading: dict | None, languages_of: dict | None = None,
                     lang: str = "en") -> list[str]:
    """What a model could not read, one short line each."""
    out = []
    records = language_records(pred, reading)
    for m in outside_languages(reading, pred):
        out.append(f"⚠ {language_notice(m, records.get(m), lang)}")
    if "image" in abstained(pred, reading):
        small = too_small((reading or {}).get("image"))  # a photo: crop it to the face (not read the scene as one)
        out.append(t(ABSTAINED_IN_PHOTO, lang, **small) if small else
                   t("No face was found in the picture, so the face model abstained: the picture was not used "
                     "(Advanced → 'read a picture without a face as a face' to use it anyway).", lang))
    return out


# ---------------------------------------------------------------- prediction views


def prediction_views(pred: dict, extra_notices: Iterable[str] = (), reading: dict | None = None,
                     models: dict | None = None, lang: str = "en") -> dict:
    """The verdicts by name: ``fused`` (the fused Label's value), ``own.<modality>`` for every registered modality
    (its own Label; "no face" where its model abstained), and ``notices`` (the summary markdown).
    ``models``: {modality: {"family": ...}} for names."""
    per = pred.get("modalities") or {}
    gone = abstained(pred, reading)
    return {"fused": label_value(pred.get("probs"), lang),
            **{f"own.{m}": t(abstained_why(m, reading), lang) if m in gone
               else label_value((per.get(m) or {}).get("probs"), lang) for m in registry.names()},
            "notices": notices_markdown(pred, extra_notices, reading, models, lang=lang)}


def empty_prediction_views() -> dict:
    """:func:`prediction_views` with nothing predicted."""
    return {"fused": None, **{f"own.{m}": None for m in registry.names()}, "notices": ""}


def notices_markdown(pred: dict, extra: Iterable[str] = (), reading: dict | None = None,
                     models: dict | None = None, exp: dict | None = None, lang: str = "en") -> str:
    """The summary sentence (with the modality contributions once ``exp`` has them), what was read and switched
    off, each modality's own verdict, what could not be read (in ``lang``)."""
    used = pred.get("used") or []
    off = [m for m in pred.get("switched_off") or [] if m not in abstained(pred, reading)]
    names_of = (lambda ms: listed((i18n.modality(m, lang) for m in ms), lang))
    lines = [f"### {md(summary_sentence(pred, exp, reading, lang, models))}",
             t("from {used}", lang, used=names_of(used) or t("nothing", lang))
             + (t(" · switched off: {off}", lang, off=names_of(off)) if off else "")]
    own = []
    for m in registry.names():
        mp = (pred.get("modalities") or {}).get(m)
        if mp:
            fam = reader_family((models or {}).get(m))
            own.append(t("{modality} alone: **{label}** ({model})", lang, modality=i18n.modality(m, lang),
                         label=md(t("too close to call", lang) if near_tie(mp) else i18n.label(mp.get("label", ""),
                                                                                                lang)),
                         model=md(model_name(mp.get("model_id"), fam, lang))))
    if own:
        lines.append(" · ".join(own))
    warnings = reading_warnings(pred, reading, lang=lang)
    lines += [md(w) for w in warnings]
    english = reading_warnings(pred, reading) if lang != "en" else warnings  # the notices say them in English
    for n in unwarned(not_about(list(extra) + list(pred.get("notices") or []), off), english):
        lines.append(t("*Note:* {note}", lang, note=md(notice_text(n, lang))))
    return "\n\n".join(lines)


def not_about(notices: Iterable[str], off: Iterable[str]) -> list[str]:
    """The notices that are not about an input switched off ("Image: downscaled from 2400×1800 …" had stayed on the
    page after the picture was switched off): a notice names its input first ("Image: ", "Transcript: ")."""
    leads = tuple(f"{lead}:" for m in off for lead in
                  [m.replace("_", " ").capitalize()] + ([language.LEADS[m][0]] if m in language.LEADS else []))
    return [n for n in notices if not (leads and str(n).startswith(leads))]


def conflict_text(detail: str | None, lang: str = "en") -> str:
    """The contributions' conflict detail ("Opposite signals: text says positive (34%), image says negative (43%)",
    as ``explain.shapley`` writes it) in ``lang``."""
    import re

    detail = str(detail or "")
    head, _, says = detail.partition(": ")
    items = [re.fullmatch(r"(\S+) says (\S+) \((.+)\)", x) for x in says.split(", ")] if says else []
    if lang != "zh" or head not in ("Opposite signals", "Mixed signals") or not all(items):
        return i18n.said(detail, lang)
    return t(head, lang) + "：" + listed((t("{modality} says {label} ({p})", lang, modality=i18n.modality(m[1], lang),
                                            label=i18n.label(m[2], lang), p=m[3]) for m in items), lang)


def notice_text(notice: str, lang: str = "en") -> str:
    """A notice from the engine (English, as the JSON keeps it) in ``lang`` where the table has it."""
    return i18n.said(notice, lang)


# how the model's notice of a picture left out for want of a face starts (``model.NO_FACE_LEFT_OUT`` and its photo
# form), and how the warning that says the same starts (:func:`reading_warnings`)
NO_FACE_NOTICE = "Image: no face was found, so the face model abstains"
NO_FACE_WARNING = "No face was found in the picture, so the face model abstained"


def unwarned(notices: Iterable[str], warnings: Iterable[str]) -> list[str]:
    """The notices a ⚠ warning does not already say (the language notice is both: shown once, as the warning; a
    picture left out for want of a face, by the CLI or from Python, had its notice under the warning that says it)."""
    said = {w.removeprefix("⚠ ") for w in warnings}
    no_face = any(w.startswith(NO_FACE_WARNING) for w in said)
    return [n for n in notices if n not in said and not (no_face and str(n).startswith(NO_FACE_NOTICE))]


def transcript_markdown(reading: dict | None, lang: str = "en") -> str:
    """What speech recognition heard, with each word's timing ("" when the clip was not transcribed)."""
    audio = (reading or {}).get("audio") or {}
    if "transcript" not in audio:
        return ""
    words = audio.get("words") or []
    if not words:
        return t("**Heard:** no words were recognised.", lang)
    timed = timed_words(words)
    cut = int(audio.get("dropped_at_cut") or 0)
    note = ""
    if cut and lang == "zh":
        note = "\n\n*" + t("{n} word(s) that speech recognition placed in the clip's last instant, with no time of "
                             "their own, were left out: not heard.", lang, n=cut) + "*"
    elif cut:
        note = (f"\n\n*{cut} word{'s' if cut > 1 else ''} that speech recognition placed in the clip's last instant, "
                "with no time of their own, were left out: not heard.*")
    return (t("**Heard** ({how}): “{transcript}”", lang, how=heard_in(audio, lang),
              transcript=md(audio.get("transcript", ""))) + f"\n\n{timed}{note}")


def timed_words(words: list, escape=md) -> str:
    """The words heard, each with its time after it, small ("This 0.0–0.2s is 0.2–0.3s"): a thin space between
    a word and its time, which had run together ("This0.0–0.2s") for a screen reader and a copied line."""
    return " ".join(f"{escape(w.get('text', ''))}\u2009<sub>{float(w.get('start', 0)):.1f}–"
                    f"{float(w.get('end', 0)):.1f}s</sub>" for w in words)


def heard_in(audio: dict, lang: str = "en") -> str:
    """"speech recognition, Chinese (detected)": the spoken language the recogniser heard, when the record has it."""
    code = audio.get("language")
    return (t("speech recognition, {language} (detected)", lang, language=i18n.language(language_name(code), lang))
            if code else t("speech recognition", lang))


# ---------------------------------------------------------------- trust


AOPC_TOO_SMALL = 0.01  # below this, deleting parts barely moves the score: the deletion test cannot judge the map
# The deletion test's rule (said beside the table, :data:`DELETION_RULE`). It had given ✓ to a gap of +0.016 where
# half the words, removed top-ranked first or at random, moved P(negative) by 0.1 point (the worked example's text:
# every word pointed away from 'negative'), to gaps inside what its random orders differ by among themselves, and to
# a 3-point curve (a 2×2 grid under --budget 1)
FLAT = 0.02  # half the parts removed, top-ranked first or at random, move P(target) under 2 points: nothing to rank
# ✓ needs an AOPC gap over the spread (standard deviation) of the random orders' own AOPCs, and AOPC_TOO_SMALL: a gap
# within it is what one random order beats another by. Not twice it: where one part decides, the random orders differ
# by when they remove it, and a map that ranks it first (the best order there is) stayed under twice their spread
SPREAD_TIMES = 1
FEWEST_POINTS = 4  # a deletion curve of fewer points (nothing removed, one step, everything) is too coarse to judge
# an IG map explains f(x) - f(baseline): where that is under this share of what its input moves P(target) by (the
# modality's Shapley value, or removing one part alone), the baseline already reads the target most of the way
SLIVER = 0.5
# above this, small input noise moves the map's scores too far (Captum's sensitivity_max: the largest relative change)
SENSITIVITY_TOO_LARGE = 0.3
# above this, an IG map's scores miss the score change they should add up to by too much (too few steps, e.g. under
# a tight time budget): its ranking is not to be trusted, whatever the deletion test says
IG_GAP_TOO_LARGE = 0.25


# the single-removal check (``faithfulness.removals_checked`` / ``disagreements``): a map's strongest words, each
# removed alone, beside their colours. The AOPC gap had given ✓ to maps whose deciding word pointed the wrong way
# ("I don't hate it.": 'hate' -0.071, away from positive, where removing it alone flips the text to negative 82 %)
REMOVAL_SAID = {
    ("away", True): "{name} single-word check: removing {word} alone lowers '{label}' by {points} points, but the map "
                    "colours it away from '{label}'.",
    ("toward", False): "{name} single-word check: removing {word} alone raises '{label}' by {points} points, but the "
                       "map colours it toward '{label}'.",
    ("faint", True): "{name} single-word check: removing {word} alone lowers '{label}' by {points} points, but the map "
                     "gives it next to no weight.",
    ("faint", False): "{name} single-word check: removing {word} alone raises '{label}' by {points} points, but the "
                      "map gives it next to no weight.",
}
REMOVAL_MORE = " {n} more of its strongest words disagree too."
REMOVAL_HOLDS = ("{name} single-word check: each of its strongest words ({k}), removed alone, moves '{label}' the way "
                 "the map colours it, or too little to matter.")
# none of them moves P(target) by a clear margin: the check had passed as "too little to matter" with ✓
REMOVAL_NOTHING = ("{name} single-word check: removing any of its strongest words ({k}) alone moves '{label}' by "
                   "{points} points at most, too little for this check to confirm its colours.")
# the what-if's removal that flips the verdict (``views.whatif.disagreement``), as the trust table weighs it: the page
# had shown ✓ right under "the map and this check disagree"
WHATIF_SAID = "{name} what-if check: taking out {words} alone changes the verdict, though the map {how}."


def points(moved: float) -> str:
    """A move of a probability in points: "28" (5 points or more), "3.5" (less)."""
    p = 100 * abs(float(moved))
    return f"{p:.0f}" if p >= 5 else f"{p:.1f}"


def removal_check(exp: dict, m: dict, lang: str = "en") -> tuple[str, str] | None:
    """(mark, sentence) of map ``m``'s single-removal check (its record's ``removals``), or None where it ran none:
    ✗ where one of its strongest words, removed alone, moves P(target) by a clear margin the other way than the map
    colours it, or by 10 points where the map gives it next to no weight (``faithfulness.disagreements``); — where
    none of them moves it by a clear margin either way (nothing for the check to confirm)."""
    from msa_demo.explain.faithfulness import clear_move, disagreements
    from msa_demo.explain.whatif import bare

    record = (m.get("faithfulness") or {}).get("removals")
    if not record or not record.get("parts"):
        return None
    name = map_name(m, lang)
    label = i18n.label(str((m.get("params") or {}).get("target") or exp.get("target") or ""), lang)
    odd = disagreements(record, m.get("scores") or [])
    if not odd:
        p, parts = float(record.get("p") or 0.0), record["parts"]
        if not any(clear_move(p, float(part["removal"])) for part in parts):  # "—": nothing it could confirm
            most = max(abs(float(part["removal"])) for part in parts)
            return "—", t(REMOVAL_NOTHING, lang, name=name, k=len(parts), label=label,
                          points=points(most) if most >= 0.001 else f"{100 * most:.2f}")
        return "✓", t(REMOVAL_HOLDS, lang, name=name, k=len(parts), label=label)
    first = odd[0]
    said = t(REMOVAL_SAID[(first["how"], first["removal"] > 0)], lang, name=name, label=label,
             word=t("'{w}'", lang, w=bare(first["unit"])), points=points(first["removal"]))
    return "✗", said + (t(REMOVAL_MORE, lang, n=len(odd) - 1) if len(odd) > 1 else "")


def whatif_check(exp: dict, i: int, lang: str = "en") -> tuple[str, str] | None:
    """(✗, sentence) where the what-if's removal that flips the verdict disagrees with map ``i`` (the what-if
    panel's :data:`views.whatif.DISAGREE`); None otherwise."""
    from msa_demo.views.whatif import disagreement, disagreement_said

    d = disagreement(exp)
    if d is None or d["map"] != i:
        return None
    words, how = disagreement_said(d, exp, lang)
    return "✗", t(WHATIF_SAID, lang, name=map_name((exp.get("maps") or [])[i], lang), words=words, how=how)


# Each attribution method in plain words, said where its name first shows (the heat maps' list, the audio chart) and
# beside the trust table (page and report); one table, so that they say the same, and the same in Chinese
# (``i18n.ZH``). A reader who is no specialist had met "layer integrated gradients" and "occlusion" with no word of
# what they do.
METHOD_GLOSS = {
    "integrated gradients": "how much each part moves the score as it fades in from a blank version",
    "layer integrated gradients": "how much each word moves the score as it fades in from a blank version",
    "occlusion": "how much the score changes when each part is covered up",
    "feature ablation": "how much the score changes when each word is taken out",
    "word ablation": "how much the score changes when each spoken word is blanked out",
    "key frame occlusion": "how much the score changes when each patch of the key frame is covered up",
    "shapley value sampling": "each part's average effect, taken out in many random orders",
}
GLOSSARY = "The methods in plain words: {methods}."


def method_said(method: str, lang: str = "en", glossed: bool = False) -> str:
    """A map's method as a reader reads it ("occlusion"), in ``lang``; ``glossed``: with what it does in plain words
    after it, "occlusion (how much the score changes when each part is covered up)", where :data:`METHOD_GLOSS`
    has it."""
    name = str(method or "").replace("_", " ")
    said = t(name, lang)
    if not glossed or name not in METHOD_GLOSS:
        return said
    return f"{said}（{t(METHOD_GLOSS[name], lang)}）" if lang == "zh" else f"{said} ({METHOD_GLOSS[name]})"


def glossary(exp: dict, lang: str = "en") -> str:
    """Each method the explanation's maps used, once, with what it does in plain words (plain text: escape it); ""
    when none is in :data:`METHOD_GLOSS`."""
    names = [n for n in dict.fromkeys(str(m.get("method", "")).replace("_", " ") for m in exp.get("maps") or [])
             if n in METHOD_GLOSS]
    if not names:
        return ""
    return t(GLOSSARY, lang, methods=sep(lang, "; ").join(f"{t(n, lang)}{sep(lang, ': ')}{t(METHOD_GLOSS[n], lang)}"
                                                           for n in names))


def map_name(m: dict, lang: str = "en") -> str:
    method = str(m.get("method", "")).replace("_", " ")
    if lang != "zh":
        return f"{m.get('modality')} {method}"
    return t("{modality} {method}", lang, modality=i18n.modality(m.get("modality"), lang), method=t(method, lang))


def gap_too_large(m: dict) -> bool:
    """Do map ``m``'s IG scores miss the score change they should add up to by more than ``IG_GAP_TOO_LARGE``?"""
    return m.get("delta") is not None and abs(float(m["delta"])) > IG_GAP_TOO_LARGE


def flat_half(f: dict) -> bool | None:
    """Does removing half of a map's parts, top-ranked first and (on average) at random, move P(target) by under
    ``FLAT``? The first half of its deletion curve and of the random one (their points up to half the parts); None
    where the record has no curves."""
    curve, rcurve = f.get("deletion_curve") or [], f.get("random_curve") or []
    if len(curve) < 2 or len(rcurve) != len(curve):
        return None
    half = len(curve) // 2 + 1
    return all(abs(float(c[k]) - float(c[0])) < FLAT for c in (curve, rcurve) for k in range(half))


def too_coarse(f: dict) -> bool:
    """Has a map's deletion curve fewer than ``FEWEST_POINTS`` points (a time budget, or few parts)?"""
    return 0 < len(f.get("deletion_curve") or []) < FEWEST_POINTS


def all_flat(f: dict) -> bool:
    """Does removing any number of a map's parts, all of them included, move P(target) by under ``FLAT``?"""
    curve, rcurve = f.get("deletion_curve") or [], f.get("random_curve") or []
    return bool(curve) and all(abs(float(v) - float(curve[0])) < FLAT for v in [*curve, *rcurve])


# an IG map explains only f(x) - f(baseline): on lite, the text with every word padded already reads 92 % negative, so a
# planted negative text's map explained 7 points, while removing 'terrible' alone moved P(negative) by 98, and the CLI
# said "IG delta 3.4% of the output change" as if that covered the whole effect (as lite audio's what-if says of its
# padding, :data:`msa_demo.views.whatif.NOTHING_LEFT`: what the blank reads is said, not left to be guessed)
SLIVER_SAID = {
    "shapley": "{name}: its starting point, {noun} blanked out ({baseline} baseline), already reads '{label}' ({p}): "
               "the map explains only the {points} points between it and {noun}, of the {moves} points '{label}' "
               "owes to {noun} (its Shapley value); what removing its parts one at a time does says more.",
    "removal": "{name}: its starting point, {noun} blanked out ({baseline} baseline), already reads '{label}' ({p}): "
               "the map explains only the {points} points between it and {noun}, while removing {word} alone moves "
               "'{label}' by {moves} points; what removing its parts one at a time does says more.",
}


def explained_share(exp: dict, m: dict) -> dict | None:
    """Where an IG map's baseline already reads the target most of the way: ``diff`` (its output change f(x) -
    f(baseline), which its scores add up to), ``base`` (P(target) of the baseline), ``moves`` and ``by`` (what the
    input moves P(target) by: the modality's Shapley value, "shapley", or removing one part alone, "removal", the
    larger; ``word`` that part) where the input pushes toward the target, its baseline reads the target (over half)
    and ``|diff|`` is under ``SLIVER`` of what the input moves; None otherwise."""
    params, f = m.get("params") or {}, m.get("faithfulness") or {}
    if params.get("output_difference") is None or m.get("delta") is None:
        return None
    diff = float(params["output_difference"])
    record = f.get("removals") or {}
    p = record.get("p") if record.get("p") is not None else (f.get("deletion_curve") or [None])[0]
    if p is None:
        return None
    found = [(float(((exp.get("modalities") or {}).get("shapley") or {}).get(m.get("modality")) or 0.0), "shapley",
              None)]
    found += [(float(part["removal"]), "removal", part["unit"]) for part in record.get("parts") or []]
    moves, by, word = max(found, key=lambda x: abs(x[0]))
    from msa_demo.explain.faithfulness import MOVES

    base = float(p) - diff  # the input pushes toward the target, and its blank already reads it (a majority)
    if moves < MOVES or base < 0.5 or abs(diff) >= SLIVER * moves:
        return None
    return {"diff": diff, "base": base, "moves": moves, "by": by, "word": word}


def sliver_said(exp: dict, m: dict, lang: str = "en") -> str | None:
    """:data:`SLIVER_SAID` for map ``m`` in ``lang`` where its baseline already reads the target most of the way
    (:func:`explained_share`); None otherwise."""
    from msa_demo.explain.whatif import bare

    share = explained_share(exp, m)
    if share is None:
        return None
    params = m.get("params") or {}
    return t(SLIVER_SAID[share["by"]], lang, name=map_name(m, lang), noun=noun(str(m.get("modality")), lang),
             baseline=i18n.said(str(params.get("baseline", "")), lang),
             label=i18n.label(str(params.get("target") or exp.get("target") or ""), lang),
             p=f"{100 * share['base']:.0f} %", points=points(share["diff"]), moves=points(share["moves"]),
             word=t("'{w}'", lang, w=bare(str(share["word"] or ""))))


def slivers(exp: dict, lang: str = "en") -> list[str]:
    """:func:`sliver_said` of each map that has one, in ``lang`` (said under the trust table, not only in its
    details)."""
    return [said for said in (sliver_said(exp, m, lang) for m in exp.get("maps") or []) if said]


def deletion_check(exp: dict, m: dict, lang: str = "en") -> tuple[str, str] | None:
    """(mark, sentence) of map ``m``'s deletion test (:data:`DELETION_RULE`), or None where it ran none: ? for one
    part, — where removing half its parts barely moves P(target) (nothing for a ranking to get right), ? for a
    curve of under ``FEWEST_POINTS`` points or a negligible AOPC, ✓ for an AOPC gap over ``AOPC_TOO_SMALL`` and
    over the random orders' spread (where the record has it), ✗ otherwise."""
    f, name = m.get("faithfulness") or {}, map_name(m, lang)
    if f.get("aopc") is None or f.get("aopc_random") is None:
        return None
    if len(m.get("labels") or []) == 1:  # an emoji-only text: one "word" (its AOPC equals random's: it had said ✗)
        return "?", t("{name}: it has one part only, so there is no ranking for the deletion test to check.", lang,
                      name=name)
    label = i18n.label(str((m.get("params") or {}).get("target") or exp.get("target") or ""), lang)
    if flat_half(f):
        return "—", t("{name}: removing its parts, even all of them, moves '{label}' by under {n} points; there is "
                      "nothing for a ranking to get right." if all_flat(f) else
                      "{name}: removing half of its parts, the top-ranked first or at random, moves '{label}' by "
                      "under {n} points; there is nothing for a ranking to get right.", lang, name=name, label=label,
                      n=f"{100 * FLAT:.0f}")
    if too_coarse(f):
        return "?", t("{name}: its deletion curve has only {n} points (a time budget or few parts), too coarse to "
                      "judge its ranking.", lang, name=name, n=len(f["deletion_curve"]))
    aopc, rand = float(f["aopc"]), float(f["aopc_random"])
    gap = aopc - rand
    if max(abs(aopc), abs(rand)) < AOPC_TOO_SMALL:
        return "?", t("{name}: deleting parts barely moves the score (AOPC {aopc}, random {rand}), so the deletion "
                      "test cannot tell whether this map is right.", lang, name=name, aopc=f"{aopc:.3f}",
                      rand=f"{rand:.3f}")
    spread = f.get("aopc_random_spread")
    if spread is None:  # a record made before the spread was kept
        if gap > AOPC_TOO_SMALL:
            return "✓", t("{name}: deleting the top-ranked parts first drops the score faster than deleting at random "
                          "(AOPC gap {gap}).", lang, name=name, gap=f"{gap:+.3f}")
        return "✗", t("{name}: deleting the top-ranked parts first does not drop the score clearly faster than "
                      "deleting at random (AOPC gap {gap}); read this map with care.", lang, name=name,
                      gap=f"{gap:+.3f}")
    spread = float(spread)
    if gap > max(AOPC_TOO_SMALL, SPREAD_TIMES * spread):
        return "✓", t("{name}: deleting the top-ranked parts first drops the score faster than deleting at random "
                      "(AOPC gap {gap}, more than the {spread} by which random orders differ).", lang,
                      name=name, gap=f"{gap:+.3f}", spread=f"±{spread:.3f}")
    return "✗", t("{name}: deleting the top-ranked parts first does not drop the score clearly faster than deleting "
                  "at random (AOPC gap {gap}, within the {spread} by which random orders differ); read this map with "
                  "care.", lang, name=name, gap=f"{gap:+.3f}", spread=f"±{spread:.3f}")


def _verdicts(exp: dict, lang: str = "en") -> list[tuple[int, str, str]]:
    """(the map's index, mark, sentence) for each verdict on each map (:func:`trust_verdicts`)."""
    out = []
    outside = set(outside_languages(exp.get("reading"), exp.get("prediction")))
    records = language_records(exp.get("prediction"), exp.get("reading"))
    for i, m in enumerate(exp.get("maps") or []):
        f = m.get("faithfulness") or {}
        name = map_name(m, lang)
        if m.get("modality") in outside or m.get("caveat") == OUTSIDE_LANGUAGES:
            r = records.get(m.get("modality")) or {}
            part = language.partly_outside(r) if r.get("language_covered") is not False else []
            out.append((i, "⚠", t("{name}: outside this model's languages (part of it is {language}); the map shows "
                                  "how the model reacted, not what the words mean." if part else
                                  "{name}: outside this model's languages (it reads {language}); the map shows how "
                                  "the model reacted, not what the words mean.", lang, name=name,
                                  language=i18n.joined((i18n.language(language_name(c), lang)
                                                        for c in part or [r.get("language")]), lang))))
            continue
        if misheard(exp, m):  # words that may not have been said: a map that ranks them right ranks made-up words
            out.append((i, "⚠", t("{name}: speech recognition was unsure of the words it heard, so the map ranks words "
                                  "that may not have been said.", lang, name=name)))
            continue
        deleted = deletion_check(exp, m, lang)
        if deleted is not None:
            out.append((i, *deleted))
        sliver = sliver_said(exp, m, lang)
        if sliver:  # beside the deletion test's ✓: the scores add up, but to a sliver of what the input moves
            out.append((i, "—", sliver))
        if gap_too_large(m):
            out.append((i, "✗", t("{name} completeness: its scores miss the score change they should add up to by "
                                  "{miss} (too few integration steps); read it with care.", lang, name=name,
                                  miss=f"{abs(float(m['delta'])):.0%}")))
        for check in (removal_check(exp, m, lang), whatif_check(exp, i, lang)):
            if check is not None:
                out.append((i, *check))
        if f.get("sanity_spearman") is not None:
            rho = float(f["sanity_spearman"])
            ok = rho < 0.5  # a map that keeps its ranking on a randomised model does not read the learned weights
            out.append((i, "✓" if ok else "✗", t(
                "{name} sanity check: attributions on a randomised model differ (Spearman ρ = {rho})." if ok else
                "{name} sanity check: attributions on a randomised model barely differ (Spearman ρ = {rho}).",
                lang, name=name, rho=f"{rho:.2f}")))
        if f.get("sensitivity") is not None:
            sens = float(f["sensitivity"])
            flat = (f.get("aopc") is not None and f.get("aopc_random") is not None
                    and max(abs(float(f["aopc"])), abs(float(f["aopc_random"]))) < AOPC_TOO_SMALL)
            if flat:  # scores that barely matter: their relative change under noise says nothing
                out.append((i, "?", t("{name} robustness: small input noise moves its scores by {sens}, but they "
                                      "barely move the score, so this cannot tell whether the map is stable.", lang,
                                      name=name, sens=f"{sens:.0%}")))
            elif sens <= SENSITIVITY_TOO_LARGE:
                out.append((i, "✓", t("{name} robustness: small input noise barely changes the map (its scores move "
                                      "{sens} at most).", lang, name=name, sens=f"{sens:.0%}")))
            else:
                out.append((i, "✗", t("{name} robustness: small input noise changes the map a lot (its scores move "
                                      "{sens}); read it with care.", lang, name=name, sens=f"{sens:.0%}")))
    return out


def trust_verdicts(exp: dict, lang: str = "en") -> list[tuple[str, str]]:
    """Plain-language verdicts on each map: (mark, sentence); mark is ✓ (passes), ✗ (fails), ? (can't tell),
    or ⚠ when the model was given words in a language it was not trained on (a pass would mean nothing)."""
    return [(mark, text) for _i, mark, text in _verdicts(exp, lang)]


def failed_checks(exp: dict, lang: str = "en") -> list[list[str]]:
    """For each map, the sentence of each check it fails (its ✗ verdicts in :func:`trust_verdicts`; [] for one that
    fails none): why the trust table says "read with care", as a set's report lists it (it had given the deletion
    test's figures for a map that failed on its IG completeness)."""
    verdicts = _verdicts(exp, lang)
    return [[text for j, mark, text in verdicts if j == i and mark == "✗"] for i in range(len(exp.get("maps") or []))]


# The table rates the explanation, not the answer: its heading and ✓ had read "Can you trust it? ✓ trustworthy" beside
# a sarcastic post read 97 % positive, which a reader took for "the answer is right"
TRUST_TITLE = "Can you trust the highlighting?"
TRUST_SCOPE = ("This rates the explanation (do the marked parts really drive the model?), not the answer: a model can "
               "be confidently wrong; sarcasm, for one, is a known weakness.")
SHORT = {"✓": "the highlighting holds up: its top parts matter most",
         "✗": "read the highlighting with care: its ranking is weak",
         "?": "cannot tell: the deletion test has nothing to go on", "⚠": OUTSIDE_LANGUAGES,
         "—": "nothing to rank: removing its parts barely moves the answer"}
# the ✗ of a map whose IG scores miss what they should add up to (too few steps): its colours may even be the wrong way
# round ("😭😭😭", read 96 % negative, was drawn "▼▼ strongly against" at 8 steps), which is more than a weak ranking
SHORT_GAP = "read the highlighting with care: its scores do not add up (too few steps)"
# the ? of a map whose deletion curve is too coarse to judge (3 points under --budget 1 had given ✓)
SHORT_COARSE = "cannot tell: its deletion curve is too coarse to judge"
# the ✗ of a map whose colour of a word disagrees with what removing that word alone does (the single-word or the
# what-if check): a wrong direction, not a weak ranking
SHORT_REMOVAL = "read the highlighting with care: removing a word alone disagrees with its colour"
# the ⚠ of a map over words speech recognition was unsure of (a 0.2 s clip heard as "I know." had read "✓
# trustworthy"): the deletion test checks the ranking of the words, not whether they were said
MISHEARD = "unsure of the words: they may not have been said"


def misheard(exp: dict, m: dict) -> bool:
    """Whether map ``m`` ranks words speech recognition was unsure of (the reading record's ``unsure``)."""
    return bool(((exp.get("reading") or {}).get(m.get("modality")) or {}).get("unsure"))


def trust_rows(exp: dict, lang: str = "en") -> list[dict]:
    """One row per map: the one-line verdict first, the expert figures after (for a details table)."""
    verdicts = _verdicts(exp, lang)
    outside = set(outside_languages(exp.get("reading"), exp.get("prediction")))
    rows = []
    for i, m in enumerate(exp.get("maps") or []):
        mine = [mark for j, mark, _text in verdicts if j == i]
        worst = min(mine, key="⚠✗?✓—".index) if mine else None  # one failed check is the row's verdict
        deleted = (deletion_check(exp, m) or ("",))[0]
        if worst == "✓" and deleted == "—":  # a ✓ of another check: the ranking it vouches for moves nothing
            worst = "—"
        f, c = m.get("faithfulness") or {}, m.get("cost") or {}
        wrong_way = any(check is not None and check[0] == "✗"
                        for check in (removal_check(exp, m), whatif_check(exp, i)))
        short = (MISHEARD if worst == "⚠" and misheard(exp, m) and m.get("modality") not in outside
                 and m.get("caveat") != OUTSIDE_LANGUAGES else SHORT_GAP if worst == "✗" and gap_too_large(m)
                 else SHORT_REMOVAL if worst == "✗" and wrong_way
                 else SHORT_COARSE if worst == "?" and deleted == "?" and too_coarse(f)
                 and len(m.get("labels") or []) > 1 else SHORT.get(worst))
        rows.append({"map": map_name(m, lang), "mark": worst or "—", "verdict": t(short, lang) if short else "",
                     "IG δ": fmt(m.get("delta"), ".2e"), "AOPC": fmt(f.get("aopc")),
                     "AOPC random": fmt(f.get("aopc_random")), "sanity ρ": fmt(f.get("sanity_spearman"), ".2f"),
                     "sensitivity": fmt(f.get("sensitivity"), ".3f"),
                     "passes": str(c.get("forward_passes", "—")), "seconds": fmt(c.get("seconds"), ".2f")})
    return rows


def map_trust(exp: dict) -> list[dict]:
    """Each map's trust verdict as the JSON answers give it (``/explain_json``, MCP's ``explain``, ``explain
    --json``), in English, from the trust table's own checks (:func:`trust_rows`, :func:`_verdicts`): ``mark`` (✓
    holds up, ✗ read with care, ? cannot tell, ⚠ outside the model's languages or unsure words, — nothing to rank:
    removing its parts barely moves the answer; None where no check ran), ``verdict`` (the table's line; None with no mark) and ``checks`` (each check's mark and ``reason``, the
    sentences behind the table's details). The answers had the figures (AOPC, IG δ) but no verdict: a 4-step IG map
    whose scores missed by 82 % read as nothing wrong."""
    checks = _verdicts(exp)
    return [{"mark": None if r["mark"] == "—" and not r["verdict"] else r["mark"], "verdict": r["verdict"] or None,
             "checks": [{"mark": mark, "reason": text} for j, mark, text in checks if j == i]}
            for i, r in enumerate(trust_rows(exp))]


def with_trust(record: dict) -> dict:
    """``record`` (an explanation's JSON form) as a program gets it (/explain_json, MCP, ``explain --json``): each
    map with its ``trust`` (:func:`map_trust`), and each what-if's ``sentence`` as the page says it in English
    (:func:`msa_demo.views.whatif.sentence`: lite audio's voice with every word blanked out is a reading of padding
    tokens, not "it still reads negative (92 %)")."""
    from msa_demo.views.whatif import sentence

    out = dict(record)
    out["maps"] = [{**m, "trust": v} for m, v in zip(record.get("maps") or [], map_trust(record))]
    if record.get("what_if"):
        out["what_if"] = [{**c, "sentence": sentence(c, record)} for c in record["what_if"]]
    return out


# a words map that gave way to word ablation, said where the trust table is (it had been a grey line beside the words
# alone): the same text read IG at 16-24 steps on a quiet machine and, under the same time budget on a busy one, 8
# steps, a 63 % gap and word ablation, its colours opposite, with nothing near the ✓ to say why
SWITCHED = {
    "gap": "Method changed: the words map is word ablation, not {method}, whose scores missed the change they should "
           "add up to by {miss} at {steps} steps (a time budget gives fewer steps on a busy machine); each word was "
           "removed in turn instead, and a run with more steps may map the same text by {method}, with other "
           "colours.",
    "windows": "Method changed: the words map is word ablation, not {method}: the text is read in windows, where "
               "the colours of {method} disagree with what removing a word does.",
    "phrases": "Method changed: the words map is phrase ablation, not {method}: the text is read in windows and a time "
               "budget leaves no time to remove each word, so each phrase was removed in turn; with no time budget "
               "each word gets its own colour.",
}


def switched(exp: dict, lang: str = "en") -> list[str]:
    """One line (:data:`SWITCHED`) for each map made by another method than the one asked for (a words map that gave
    way to word ablation: ``params["in_place_of"]``, ``params["why"]``), in ``lang``."""
    out = []
    for m in exp.get("maps") or []:
        params = m.get("params") or {}
        if params.get("in_place_of") and params.get("why") in SWITCHED:
            out.append(t(SWITCHED[params["why"]], lang, method=method_said(params["in_place_of"], lang),
                         steps=params.get("ig_steps") or "?", miss=f"{abs(float(params.get('ig_delta') or 0)):.0%}"))
    return out


# the deletion test's rule, said in the specialists' details (page and report): none of its thresholds was written
DELETION_RULE = ("The deletion test's rule: it holds up only with an AOPC gap over 0.01 and over the spread (standard "
                 "deviation) of the random orders' own AOPCs; — where removing half the parts, top-ranked first or at "
                 "random, moves the score under 2 points (nothing to rank); ? where the curve has fewer than 4 points. "
                 "The single-word check holds up only where a word removed alone moves the score clearly (5 points, or "
                 "2 near certainty) the way its colour says.")
EXPERT = ("IG δ", "AOPC", "AOPC random", "sanity ρ", "sensitivity", "passes", "seconds")
FIGURES_NOTE = ("IG δ: how far integrated-gradient scores miss summing to the score change (smaller is better). "
                "AOPC: how fast the score drops when the top-ranked parts are deleted, against deleting at random. "
                "Sanity ρ: rank correlation with a randomised model's map (low is good). Sensitivity: the most the "
                "map's scores move under small input noise, as a share of their size (Captum's sensitivity_max; low "
                "is good).")


def trust_markdown(exp: dict, final: bool = False, lang: str = "en") -> str:
    """A verdict per map in plain words; the expert figures (IG δ, AOPC vs random, sanity ρ, cost) behind details."""
    maps = exp.get("maps") or []
    if not maps and not exp.get("modalities"):
        return ""
    rows = trust_rows(exp, lang)
    parts = [f"### {t(TRUST_TITLE, lang)}" + ("" if final else t(" (still computing…)", lang))]
    if rows:
        parts.append(t(TRUST_SCOPE, lang))
        parts.append("\n".join([f"| {t('map', lang)} | {t('verdict', lang)} |", "|---|---|"]
                               + [f"| {md(r['map'])} | {r['mark']} {md(r['verdict'])} |" for r in rows]))
        head = "".join(f"<th>{md(t(k, lang))}</th>" for k in ("map",) + EXPERT)
        body = "".join("<tr>" + "".join(f"<td>{md(r[k])}</td>" for k in ("map",) + EXPERT) + "</tr>" for r in rows)
        verdicts = "\n\n".join(f"{mark} {md(text)}" for mark, text in trust_verdicts(exp, lang))
        parts += [f"**{md(line)}**" for line in switched(exp, lang)]  # under the table, not only a grey line
        parts += [f"**{md(line)}**" for line in slivers(exp, lang)]
        said = glossary(exp, lang)
        if said:  # the maps' names in the table, said in plain words (not only for a specialist)
            parts.append(md(said))
        parts.append(f"<details><summary>{t('details: the figures behind the verdicts', lang)}</summary>\n\n"
                     f"{verdicts}\n\n<table><tr>{head}</tr>{body}</table>\n\n{t(FIGURES_NOTE, lang)}"
                     f"\n\n{md(t(DELETION_RULE, lang))}"
                     "\n\n</details>")
    cost = exp.get("cost") or {}
    parts.append(t("**Total:** {passes} forward passes, {seconds} s.", lang, passes=cost.get("forward_passes", 0),
                   seconds=fmt(cost.get("seconds"), ".1f")))
    for n in exp.get("notices") or []:
        parts.append(t("*Note:* {note}", lang, note=md(notice_text(n, lang))))
    return "\n\n".join(parts)


# ---------------------------------------------------------------- examples


def load_examples(path: str | Path) -> list[dict]:
    """examples.json entries whose files exist, with paths made absolute, and a key (None where not given) for
    every kind whose value is a file (image, audio, video ...); [] if the file is absent or bad."""
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
        for key in (k.name for k in registry.kinds() if k.manifest_file):
            val = e.get(key)
            full = (path.parent / val) if val else None
            row[key] = str(full) if full is not None and full.is_file() else None
        out.append(row)
    return out
