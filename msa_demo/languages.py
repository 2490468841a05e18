"""Which language a model read, and whether its preset declares that language: one check, used by the
prediction (``Prediction.modalities[m].language``, its notice), the explanation's reading record, the views
and the dashboard's header.

A preset declares the languages a text or speech model was trained on as ``options["languages"]`` (ISO 639-1
codes; absent: not checked). The language of typed text is told from its characters and function words
(``msa_demo.modalities.text.detect_language``); a transcript's is the one speech recognition heard.
"""

from __future__ import annotations

from typing import Any, Iterable

OUTSIDE_LANGUAGES = "outside this model's languages"
_LEAD = {"text": ("Text", "text"), "audio": ("Transcript", "clip")}  # how a notice names the input


def names(codes: Iterable[str] | None) -> str:
    """"English, Chinese": the languages' names, in the order given."""
    from msa_demo.modalities.text import language_name

    return ", ".join(language_name(c) for c in codes or [])


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
    """``{"language", "languages", "language_covered"}`` for a modality whose model read words (typed text, a
    transcript), from its prepared ``info``; {} when it read none. ``language_covered`` is None when the preset
    declares no languages for it or the language cannot be told (too few letters)."""
    from msa_demo.modalities.text import detect_language

    if "transcript" in info:  # speech: the language the recogniser heard (told from the words if it says none)
        lang = info["language"] if "language" in info else detect_language(info["transcript"])
    elif modality == "text" and info.get("text") is not None:
        lang = detect_language(info["text"])
    else:
        return {}
    langs = declared(spec)
    return {"language": lang, "languages": langs,
            "language_covered": None if not langs or lang is None else lang in langs}


def notice(modality: str, record: dict[str, Any] | None) -> str | None:
    """One line when ``record`` (what :func:`check` gives) says the model read a language it was not trained
    on: "Text: French is outside this model's languages (English, Chinese); its verdict on this text is not
    reliable." None otherwise."""
    record = record or {}
    if record.get("language_covered") is not False:
        return None
    from msa_demo.modalities.text import language_name

    lead, thing = _LEAD.get(modality, (modality.capitalize(), "input"))
    return (f"{lead}: {language_name(record.get('language'))} is {OUTSIDE_LANGUAGES} "
            f"({names(record.get('languages'))}); its verdict on this {thing} is not reliable.")


__all__ = ["OUTSIDE_LANGUAGES", "check", "declared", "names", "notice", "preset_languages"]
