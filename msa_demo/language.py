"""Language: which language a text is in, how its words are cut, and whether a model's preset declares it.

The bottom of the house (it imports nothing of the project): the modalities cut words with it, the prediction
and the explanation check languages with it, the views and the dashboard name them with it.

- **Telling a language** (:func:`detect_language`): non-Latin scripts by their characters, Latin-script text by
  its function words, then by py3langid's character n-grams (a short review has too few function words);
  :func:`language_name` for a code.
- **Words** (:func:`word_spans`): whitespace-separated, runs of Chinese characters cut by jieba (or one word per
  character); :func:`token_joined` undoes a cut inside a model's token.
- **The preset's languages**: a preset declares the languages a text or speech model was trained on as
  ``options["languages"]`` (ISO 639-1 codes; absent: not checked). :func:`check` records the language a model
  read (a transcript's is the one speech recognition heard) against them, and :func:`notice` says so in one line
  (``Prediction.modalities[m].language``, the explanation's reading record, the views and the dashboard's header).
"""


from __future__ import annotations

from typing import Any, Iterable

LANGUAGE_NAMES = {"en": "English", "zh": "Chinese", "ja": "Japanese", "ko": "Korean", "ru": "Russian",
                  "ar": "Arabic", "el": "Greek", "he": "Hebrew", "hi": "Hindi", "th": "Thai", "fr": "French",
                  "de": "German", "es": "Spanish", "it": "Italian", "pt": "Portuguese", "nl": "Dutch", "id": "Indonesian",
                  "ms": "Malay"}
# characters -> language, by Unicode block: enough to tell scripts apart offline, without a model
_SCRIPTS = (("ja", ((0x3040, 0x30FF),)), ("ko", ((0xAC00, 0xD7AF), (0x1100, 0x11FF))),
            ("zh", ((0x4E00, 0x9FFF), (0x3400, 0x4DBF))), ("ru", ((0x0400, 0x04FF),)),
            ("ar", ((0x0600, 0x06FF),)), ("el", ((0x0370, 0x03FF),)), ("he", ((0x0590, 0x05FF),)),
            ("hi", ((0x0900, 0x097F),)), ("th", ((0x0E00, 0x0E7F),)))
# Latin-script texts: the most frequent function words of each language (a clear majority decides)
_FUNCTION_WORDS = {
    "en": "the and is are was to of it this that i you not with for my so very but have".split(),
    "fr": "le la les et est un une des je ne pas que qui pour avec très mais du au".split(),
    "de": "der die das und ist nicht ich ein eine mit sehr aber zu auf für den dem".split(),
    "es": "el la los las y es un una que no muy pero con por para del lo yo".split(),
    "it": "il lo la gli le e è un una che non molto ma con per del della sono".split(),
    "pt": "o a os as e é um uma que não muito mas com por para do da eu".split(),
    "nl": "de het een en is niet ik met zeer maar van op voor dat zijn".split(),
}


def is_cjk(ch: str) -> bool:
    """A Chinese character (or a Japanese kana / Korean syllable): one of the scripts written without spaces."""
    cp = ord(ch)
    return (0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0x20000 <= cp <= 0x2A6DF or 0xF900 <= cp <= 0xFAFF
            or 0x3040 <= cp <= 0x30FF or 0xAC00 <= cp <= 0xD7AF)


def right_to_left(text: str | None) -> bool:
    """Whether a text reads right to left (Arabic, Hebrew ...): its first letter of a strong direction is one of
    theirs, as a browser's ``dir="auto"`` decides (an Arabic review's word chips ran left to right, the first word
    at the far left)."""
    import unicodedata

    for ch in text or "":
        kind = unicodedata.bidirectional(ch)
        if kind in ("R", "AL"):
            return True
        if kind == "L":
            return False
    return False


def _cut(run: str) -> list[tuple[int, int]]:
    """A run of Chinese characters cut into words by jieba (each character alone when jieba is missing)."""
    try:
        import jieba
    except ImportError:
        return [(i, i + 1) for i in range(len(run))]
    if not _JIEBA:
        import logging

        jieba.setLogLevel(logging.WARNING)
        _JIEBA.append(True)
    return [(s, e) for _, s, e in jieba.tokenize(run)]


_JIEBA: list[bool] = []


# a hashtag, one word: Weibo's "#话题#" (closed, spaces allowed inside none), or "#tag" up to a space, a "#", or a
# mark of punctuation
HASHTAG = r"#[^\s#]{1,40}#|#[^\s#,.!?;:，。！？、；：…]+"


def _symbols_apart(text: str, i: int, j: int) -> list[tuple[int, int]]:
    """A run of characters that are not Chinese, as spans: whole where it holds a letter or a digit ("good," stays
    one word); else its marks of punctuation apart from the rest ("😀😀，" had been one word, the emoji's score
    and the comma's mixed)."""
    import unicodedata

    run = text[i:j]
    if any(c.isalnum() for c in run):
        return [(i, j)]
    out: list[tuple[int, int]] = []
    for k, c in enumerate(run):
        punct = unicodedata.category(c).startswith("P")
        if out and punct == last:
            out[-1] = (out[-1][0], i + k + 1)
        else:
            out.append((i + k, i + k + 1))
        last = punct
    return out


def word_spans(text: str, offsets=None, special=None, group: bool = True) -> list[tuple[int, int]]:
    """Words as (start, end) character spans: whitespace-separated, with runs of Chinese characters cut into
    words (jieba; with ``group=False`` each character is a word of its own). Given the tokens' character
    ``offsets``, a cut that falls inside a token is undone, so that every token belongs to one word."""
    import re

    spans: list[tuple[int, int]] = []
    for match in re.finditer(HASHTAG + r"|\S+", text):
        i, end = match.span()
        if match.group().startswith("#") and re.fullmatch(HASHTAG, match.group()):
            spans.append((i, end))  # a hashtag is one word ("#周末vlog#" had been "#" / "周末" / "vlog#")
            continue
        while i < end:
            cjk, j = is_cjk(text[i]), i
            while j < end and is_cjk(text[j]) == cjk:
                j += 1
            cut = _cut(text[i:j]) if group else [(a, a + 1) for a in range(j - i)]
            spans += [(i + a, i + b) for a, b in cut] if cjk else _symbols_apart(text, i, j)
            i = j
    if not offsets:
        return spans
    return [(spans[g[0]][0], spans[g[-1]][1]) for g in token_joined(spans, offsets, special)]


def token_joined(spans, offsets, special=None) -> list[list[int]]:
    """``spans`` (character spans of words, in order) as groups of indices: a word that ends exactly where the
    next begins, inside one token (the tokens' character ``offsets``), is one word with it for the model."""
    inside = {p for (s, e), sp in zip(offsets, special or [False] * len(offsets)) if not sp for p in range(s + 1, e)}
    groups: list[list[int]] = []
    for i, (s, _) in enumerate(spans):
        if groups and spans[groups[-1][-1]][1] == s and s in inside:
            groups[-1].append(i)
        else:
            groups.append([i])
    return groups


def detect_language(text: str | None) -> str | None:
    """The text's language as an ISO 639-1 code, or None when there is too little to tell.

    Non-Latin scripts are told apart by their characters (Japanese kana before Chinese characters);
    Latin-script text by its function words, and English unless another language clearly has more or (without two
    English function words) py3langid is sure of another."""
    if not text or not text.strip():
        return None
    counts: dict[str, int] = {}
    letters = 0
    for ch in text:
        if not ch.isalpha():
            continue
        letters += 1
        code = ord(ch)
        for lang, blocks in _SCRIPTS:
            if any(lo <= code <= hi for lo, hi in blocks):
                counts[lang] = counts.get(lang, 0) + 1
                break
    if counts:
        lang, n = max(counts.items(), key=lambda kv: kv[1])
        if "ja" in counts and lang == "zh":  # Japanese mixes kana with Chinese characters
            lang = "ja"
        if n >= 0.3 * letters:
            return lang
    words = [w.strip(".,!?;:\"'()«»¿¡").lower() for w in text.split()]
    hits = {lang: sum(w in set(vocab) for w in words) for lang, vocab in _FUNCTION_WORDS.items()}
    best = max(hits, key=hits.get)
    if best != "en" and hits[best] >= 2 and hits[best] > 2 * hits["en"]:
        return best
    guess = _ngram_language(text) if len(words) >= NGRAM_MIN_WORDS and hits["en"] < 2 else None
    if guess is None and len(words) < NGRAM_MIN_WORDS and hits[best] and not hits["en"] and best != "en":
        # one or two words ("Sehr gut", "Très bien"): one function word of a language, when n-grams agree
        guess = best if _ngram_language(text, sure=0.0) == best else None
    return guess or ("en" if letters else None)


# py3langid's guess is taken from 3 words on, when it is this sure (its probabilities normalised) and the text has
# fewer than two English function words. Measured on review and tweet texts cut to their first 3 / 6 / 12 words
# (the lite text head's sources; 8,000 English, 155 German, 1,000 Dutch): English read as English 7,972 → 7,970,
# 7,948 → 7,947, 7,936 → 7,936 (function words alone → with it); German told 9 / 32 / 77 % → 41 / 85 / 97 %, Dutch
# 10 / 44 / 83 % → 26 / 81 / 96 %. Under 3 words, a text is another language only when it holds one of that
# language's function words, none of English's, and py3langid's first guess (however unsure) is that language too:
# "Sehr gut", "Très bien", "Muy bueno", "Zeer goed" (py3langid alone reads "Super" Latin, "Awesome" Ganda).
NGRAM_MIN_WORDS = 3
NGRAM_SURE = 0.8
_NGRAMS: list = []


def _ngram_language(text: str, sure: float | None = None) -> str | None:
    """The language py3langid tells by character n-grams when it is ``sure`` (NGRAM_SURE by default) and not
    English; None otherwise (or when the package is not installed)."""
    if not _NGRAMS:
        try:
            from py3langid.langid import MODEL_FILE, LanguageIdentifier
        except ImportError:
            _NGRAMS.append(None)
        else:
            _NGRAMS.append(LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True))
    if _NGRAMS[0] is None:
        return None
    lang, p = _NGRAMS[0].classify(text)
    return lang if lang != "en" and p >= (NGRAM_SURE if sure is None else sure) else None


# Part of a text in another language ("El producto es muy malo y llegó tarde, but the delivery guy was nice" reads
# English as a whole: four Spanish function words against three English ones): a run of PART_WINDOW words that holds
# PART_HITS different function words of one language and none of English's (:data:`ENGLISH_WORDS`, more than the
# ones above: a word both languages have counts for neither, Portuguese's "a", "as", "do", Spanish's "no"), over
# runs that together cover PART_SHARE of the text's Latin-script words (a long review quoting a French title, "la
# vie est un long fleuve", is not in French). Romanised Hindi (Hinglish) is looked for here only: its function words
# are Latin letters too ("Yeh phone bahut accha hai yaar, totally worth it"). Measured over every English text of the
# lite text head's sources (VADER's 23,703 tweets and snippets, 2,982 Kotzias sentences, 37,197 CrowdFlower tweets,
# 49,579 IMDb and 1,500 Pang & Lee full reviews, each as the app reads it): none of the 114,961 flagged (a review
# quoting a French title or an Italian song neither); the Dutch bol.com reviews told as not English (whole or part)
# 99.4 → 99.7 % whole, 81.2 → 82.4 % cut to their first 6 words, 97.8 → 98.3 % to 12; the German ones as before
# (the whole text told them). scripts/mixed_language_check.py WORKDIR measures it.
PART_WINDOW = 6
PART_HITS = 3
PART_SHARE = 0.25
ROMAN_HINDI = "hai hain ka ki ke ko se mein aur nahi nahin kya yeh woh bhi toh tha thi bahut bohot yaar kuch kyun".split()
ENGLISH_WORDS = frozenset(_FUNCTION_WORDS["en"] + (
    "a an in on at as be been were has had do does did no or if by from all about up out get got will would can "
    "could there here when how who which what just more one me him her them his its our your their he she we they"
).split())
# more function words of each language for this (the table above decides whole texts, and was measured as it is):
# a run of six words held too few of them ("mais le service était vraiment nul et très lent"); Dutch "was"
_PART_MORE = {
    "fr": "ce cette ces il elle ils nous vous sur dans en son sa ses mon ma mes était été avait suis sont fait trop "
          "aussi plus comme où".split(),
    "de": "es war sind nur noch auch kein keine wir sie er mir mich vom zum zur wie wenn oder wird hat habe bin".split(),
    "es": "se le mi su sus este esta está estoy son fue era nada tiene tengo como más sin al ni ya".split(),
    "it": "ho ha sono mi si ci questo questa anche più come nel nella alla al".split(),
    "pt": "não está estou foi era nada tem tenho como mais sem ao na no se meu minha esse essa este isso".split(),
    "nl": "was heel erg ook te wel geen nog al er om deze dit je hij ze mijn hebben heb".split(),
}
_PART_WORDS = {**{lang: frozenset(v + _PART_MORE.get(lang, [])) for lang, v in _FUNCTION_WORDS.items() if lang != "en"},
               "hi": frozenset(ROMAN_HINDI)}
_STRIP = ".,!?;:\"'()«»¿¡…“”‘’-"


def other_languages(text: str | None, main: str | None = None) -> list[str]:
    """The languages, other than ``main`` (the text's as :func:`detect_language` tells it), that a substantial part
    of a text's Latin-script words is in, most words first: [] for a text in one language.

    Runs of PART_WINDOW words are read for function words (PART_HITS different ones of a language, none of English's);
    a language whose runs cover PART_SHARE of the words is named, unless its runs are mostly a language already named
    (Spanish, Italian and Portuguese share words) or ``main``'s."""
    words = [w.strip(_STRIP).lower() for w in (text or "").split() if any(ch.isalpha() and ord(ch) < 0x250 for ch in w)]
    if not words:
        return []
    found: list[tuple[int, int, str, set[int]]] = []
    for lang, vocab in _PART_WORDS.items():
        own = [w in vocab and w not in ENGLISH_WORDS for w in words]
        if len({w for w, o in zip(words, own) if o}) < PART_HITS:  # (most texts: no run to look for)
            continue
        english = [w in ENGLISH_WORDS and w not in vocab for w in words]
        covered: set[int] = set()
        hits: set[str] = set()
        for i in range(max(1, len(words) - PART_WINDOW + 1)):
            run = range(i, min(i + PART_WINDOW, len(words)))
            said = {words[j] for j in run if own[j]}
            if len(said) >= PART_HITS and not any(english[j] for j in run):
                covered.update(run)
                hits |= said
        if covered:
            found.append((len(covered), len(hits), lang, covered))
    found.sort(key=lambda f: (-f[0], -f[1]))
    taken: set[int] = set().union(*(c for _n, _h, lang, c in found if lang == main))
    out = []
    for n, _h, lang, covered in found:
        if lang != main and n >= PART_SHARE * len(words) and len(covered & taken) < n / 2:
            out.append(lang)
        taken |= covered
    return out


def language_name(code: str | None) -> str:
    """A language code's English name: "French" for "fr". Codes outside ``LANGUAGE_NAMES`` are named from Whisper's
    own list (any language speech recognition can report: "Telugu" for "te"); a code no list knows stays as it is."""
    if not code:
        return "an unknown language"
    if code in LANGUAGE_NAMES:
        return LANGUAGE_NAMES[code]
    try:
        from transformers.models.whisper.tokenization_whisper import LANGUAGES
    except ImportError:
        return code
    name = LANGUAGES.get(code)
    return name.title() if name else code


# ---------------------------------------------------------------- the preset's languages

OUTSIDE_LANGUAGES = "outside this model's languages"
LEADS = {"text": ("Text", "text"), "audio": ("Transcript", "clip")}  # how a notice names the input


def names(codes: Iterable[str] | None) -> str:
    """"English, Chinese": the languages' names, in the order given."""
    return ", ".join(language_name(c) for c in codes or [])


NEUTRAL_UNLEARNED = ("{lead}: this model learned \"neutral\" from {learned} texts only; in {language} it reads a "
                     "text as positive or negative even when it takes no side.")


def neutral_notice(modality: str, record: dict[str, Any] | None, neutral_languages: Iterable[str] | None) -> str | None:
    """One line when a head that learned "neutral" from some languages only (its ``neutral_languages``; None: not
    said, so not checked) read words (``record``, what :func:`check` gives) in another of its model's languages
    (a language outside them has its own line: :func:`notice`); None otherwise."""
    record = record or {}
    lang = record.get("language")
    if not neutral_languages or lang is None or lang in neutral_languages or record.get("language_covered") is False:
        return None
    lead, _thing = LEADS.get(modality, (modality.capitalize(), "input"))
    return NEUTRAL_UNLEARNED.format(lead=lead, learned=names(neutral_languages), language=language_name(lang))


def declared(spec: Any) -> list[str] | None:
    """The language codes a preset entry declares (None: not declared, so not checked)."""
    langs = (getattr(spec, "options", None) or {}).get("languages")
    return list(langs) if langs else None


def preset_languages(preset: Any) -> list[str]:
    """Every language any of the preset's models declares, in declaration order (text's first)."""
    out: list[str] = []
    for spec in (getattr(preset, "modalities", None) or {}).values():
        out += [c for c in declared(spec) or [] if c not in out]
    return out


def check(modality: str, info: dict[str, Any], spec: Any) -> dict[str, Any]:
    """``{"language", "languages", "language_covered", "other_languages"}`` for a modality whose model read words
    (typed text, a transcript), from its prepared ``info``; {} when it read none. ``language_covered`` is None when
    the preset declares no languages for it or the language cannot be told (too few letters); it says whether the
    text's language (as a whole) is declared. ``other_languages``: the languages a substantial part of the words is
    in besides that one (:func:`other_languages`; [] for words in one language), covered or not: see
    :func:`partly_outside`."""
    if "transcript" in info:  # speech: the language the recogniser heard (told from the words if it says none)
        lang = info["language"] if "language" in info else detect_language(info["transcript"])
        words = info["transcript"]
    elif modality == "text" and info.get("text") is not None:
        lang = detect_language(info["text"])
        words = info["text"]
    else:
        return {}
    langs = declared(spec)
    return {"language": lang, "languages": langs,
            "language_covered": None if not langs or lang is None else lang in langs,
            "other_languages": other_languages(words, lang) if lang is not None else []}


def partly_outside(record: dict[str, Any] | None) -> list[str]:
    """The languages of part of the words (``other_languages`` of a :func:`check` record) that the preset does not
    declare for the model ([] when it declares none: not checked)."""
    record = record or {}
    langs = record.get("languages")
    return [c for c in record.get("other_languages") or [] if c not in langs] if langs else []


def outside(record: dict[str, Any] | None) -> bool:
    """Did the model read words, all or a substantial part of them, in a language it was not trained on? (What
    every view's ⚠ and the maps' caveat go by.)"""
    record = record or {}
    return record.get("language_covered") is False or bool(partly_outside(record))


PART_OUTSIDE = ("{lead}: part of it is {language}, outside this model's languages ({languages}); its verdict on this "
                "{thing} is not reliable.")


def notice(modality: str, record: dict[str, Any] | None) -> str | None:
    """One line when ``record`` (what :func:`check` gives) says the model read a language it was not trained
    on: "Text: French is outside this model's languages (English, Chinese); its verdict on this text is not
    reliable.", or for part of the words "Text: part of it is Spanish, outside this model's languages (English,
    Chinese); ..." (:data:`PART_OUTSIDE`). None otherwise."""
    record = record or {}
    lead, thing = LEADS.get(modality, (modality.capitalize(), "input"))
    if record.get("language_covered") is not False:
        part = partly_outside(record)
        return PART_OUTSIDE.format(lead=lead, language=" and ".join(map(language_name, part)),
                                   languages=names(record.get("languages")), thing=thing) if part else None
    return (f"{lead}: {language_name(record.get('language'))} is {OUTSIDE_LANGUAGES} "
            f"({names(record.get('languages'))}); its verdict on this {thing} is not reliable.")


__all__ = ["LANGUAGE_NAMES", "LEADS", "NEUTRAL_UNLEARNED", "OUTSIDE_LANGUAGES", "PART_OUTSIDE", "check", "declared",
           "detect_language", "is_cjk", "language_name", "names", "neutral_notice", "notice", "other_languages",
           "outside", "partly_outside", "preset_languages", "right_to_left", "token_joined", "word_spans"]
