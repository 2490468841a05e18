"""The audio modality: a clip in; segments (or recognised words) are explained (``explain.segments``); the
report draws the waveform with each segment's push."""

from __future__ import annotations

import base64
import dataclasses
from dataclasses import dataclass
from functools import partial
from typing import Any, Mapping

from msa_demo import i18n, views
from msa_demo.explain.methods import FALLBACK, method_names
from msa_demo.explain.options import option
from msa_demo.inputs import AUDIO_FORMATS, AudioInput, cut_sound, load_audio, resample
from msa_demo.i18n import label, sep, t
from msa_demo.registry import ModalityKind
from msa_demo.views import esc as _e


@dataclass
class AudioOptions:
    """The clip's settings (publicly ``audio_methods``, ``audio_baseline``, ``audio_level`` and
    ``segment_seconds``)."""

    methods: tuple = option(
        (FALLBACK,), "which audio attributions run (integrated_gradients: IG on the waveform)",
        label="audio methods", choices=partial(method_names, FALLBACK))  # occlusion first: the default
    baseline: str = option(
        "silence", "what replaces an audio segment: silence, or low noise (seeded)",
        label="audio baseline", choices=("silence", "noise"))
    segment_seconds: float = option(
        0.5, "length of an audio segment, in seconds",
        label="the audio segment length", bounds=(0.02, 30), unit=" seconds", bare=True)
    level: str = option(
        "auto", "audio occlusion replaces latent frames or waveform samples (auto: latent where the model's feature"
        " encoder normalises each frame alone, so that it matches the waveform's map)",
        label="the audio level", choices=("auto", "latent", "waveform"))


def read(value: Any, model) -> AudioInput | None:
    """The clip at its model's sample rate; a model that judges the words said is asked, when the clip is to be
    read, whether it heard any (none: the clip abstains, as a picture without a face)."""
    mod = model.modalities.get("audio")
    rate = getattr(mod, "sample_rate", 16000)
    if isinstance(value, AudioInput):  # read already, before the model loaded (``cli.read_before_loading``): not
        # decoded again, only brought to this model's rate
        clip = value if value.sample_rate == rate else dataclasses.replace(
            value, waveform=resample(value.waveform, value.sample_rate, rate), sample_rate=rate)
    else:
        clip = load_audio(value, rate, model.preset.max_audio_seconds)
    if clip is not None and hasattr(mod, "nothing_to_judge"):
        clip.heard = partial(mod.nothing_to_judge, clip)
    return clip


def families() -> Mapping[str, type]:
    from msa_demo.modalities import audio

    return audio.FAMILIES


def explain(model, inputs, target: str, options, used) -> list:
    from msa_demo.explain.segments import attribute_segments

    return attribute_segments(model, inputs, target, options, use=used)


def explain_notices(model, options, used) -> list[str]:
    """Say, rather than silently skip, a method the preset's models cannot run: audio judged by its recognised
    words is explained by removing words (one word-ablation map), never by another method on the waveform."""
    audio = model.modalities.get("audio")
    methods = tuple(options.of("audio").methods)
    instead = [m for m in methods if m != FALLBACK]
    if "audio" not in used or audio is None or audio.attr_key != "input_ids" or not instead:
        return []
    # the methods as named where they are given (a command line's --audio-methods occlusion,integrated_gradients
    # had been told "Audio method 'both'", a value it never typed)
    return [WORDS_ONLY_METHODS.format(asked=", ".join(f"'{m}'" for m in methods),
                                      instead=" and ".join(m.replace("_", " ") for m in instead))]


WORDS_ONLY_METHODS = ("Audio method {asked}: this preset's audio is judged by its recognised words, so it is explained "
                      "by removing words ({instead} on the waveform does not apply).")


def widget(**kwargs):
    """The dashboard's clip input: an upload or the microphone."""
    from msa_demo.ui.widgets import audio_input

    return audio_input(type="filepath", sources=["upload", "microphone"], **kwargs)


def view() -> dict:
    """Each segment's push over the waveform, what speech recognition heard, and the clip as the model heard it."""
    import gradio as gr

    from msa_demo.ui.i18n import tr

    return {"plot": gr.Plot(label=tr("Audio segments"), show_label=False, elem_id="audio-plot", visible=False),
            "heard": gr.Markdown(elem_id="transcript", visible=False),
            "clip": gr.Audio(label=tr("The clip as the model heard it"), interactive=False, elem_id="clip",
                             visible=False)}


def render(exp: dict, lang: str = "en") -> dict:
    plot = views.audio_figure(exp, lang)
    if plot is not None:  # what a screen reader says of the chart (DESCRIBED in app.py reads it)
        plot.update_layout(meta={"spoken": spoken(exp, lang)})
    return {"plot": plot, "heard": views.transcript_markdown(exp.get("reading") or {}, lang),
            "clip": views.audio_clip(exp)}


def record(value: AudioInput | None) -> dict[str, Any]:
    """The clip as a 32-bit float WAV (lossless) and its sample rate."""
    from msa_demo.inputs import float_wav

    if value is None:
        return {"audio_wav_b64": None, "audio_sample_rate": None}
    return {"audio_wav_b64": base64.b64encode(float_wav(value.waveform, value.sample_rate)).decode(),
            "audio_sample_rate": int(value.sample_rate)}


def replay(record: Mapping[str, Any]) -> bytes | None:
    return base64.b64decode(record["audio_wav_b64"]) if record.get("audio_wav_b64") else None


WAVE_LABEL = ("The clip's waveform over its {n} segments, each coloured by its push: blue toward '{target}', orange away; "
              "the deeper the colour, the stronger")


def report(exp: dict, lang: str = "en") -> str:
    """A player for the clip, what speech recognition heard, the waveform coloured by each segment's push."""
    if not (exp.get("inputs") or {}).get("audio_wav_b64"):
        return ""
    out = [f"<h2>{t('Audio', lang)}</h2>", '<audio id="clip" controls></audio>']
    pred, reading = exp.get("prediction") or {}, exp.get("reading") or {}
    if "audio" not in (pred.get("used") or []):
        why = views.abstained_why("audio", reading) if "audio" in views.abstained(pred, reading) else "switched off"
        out.append(f"<p>{t('Given but not used ({why}).', lang, why=t(why, lang))}</p>")
    audio = reading.get("audio") or {}
    if "transcript" in audio:
        words = audio.get("words") or []
        timed = views.timed_words(words, _e)
        heard = t("**Heard** ({how}): “{transcript}”", lang, how=_e(views.heard_in(audio, lang)),
                  transcript=_e(audio.get("transcript"))).replace("**", "<b>", 1).replace("**", "</b>", 1)
        empty = t("**Heard:** no words were recognised.", lang).replace("**", "<b>", 1).replace("**", "</b>", 1)
        out.append(f'<p class="heard">{heard}<br>{timed}</p>' if words else f'<p class="heard">{empty}</p>')
    maps = views.maps_for(exp, "audio")
    dec = views.decode_wav((exp.get("inputs") or {}).get("audio_wav_b64"))
    if maps and dec is not None:
        m = maps[0]
        rel = views.relative(m)
        out.append("<p>" + _e(t("Blue pushes toward '{target}', orange away.", lang,
                                target=label(exp.get("target"), lang))) + "</p>")
        out.append(views.waveform_svg(dec[0], dec[1], m.get("spans") or [], rel, label=t(
            WAVE_LABEL, lang, n=len(rel), target=label(exp.get("target"), lang))))
        # the scores themselves (the bars scale to the strongest): a map whose every score is under 0.001 read
        # "+1.00" as its top segment when the numbers were relative
        # in points of the class's chance, as the contributions are ("× 10⁻³" meant nothing to a reader); the
        # scores as they are, and the method, for a specialist
        scores = [float(s) for s in m.get("scores") or []]
        title = t("How much each segment moved the chance of '{target}', in points", lang,
                  target=label(exp.get("target"), lang))
        top = max(map(abs, scores), default=0.0)
        out.append(views.bars_html([str(lbl) for lbl in m.get("labels") or []], [100 * v for v in scores],
                                   title=title, spec="+.1f" if 100 * top >= 1 else "+.2f", unit=t(" points", lang)))
        raw, unit = in_units(scores)
        out.append(views.for_specialists("<p><small>" + _e(views.map_caption(m, lang)) + "</small></p><p><small>" + _e(
            t("Each segment's push on P({target})", lang, target=label(exp.get("target"), lang)) + unit + ": "
            + i18n.listed((f"{lbl} {v:+.3f}" for lbl, v in zip(m.get("labels") or [], raw)), lang))
            + "</small></p>", lang))
    return "".join(out)


SAID_AT_MOST = 15  # segments named in the chart's spoken text; the rest counted


def spoken(exp: dict, lang: str = "en") -> str:
    """The audio chart in words, for a screen reader: each segment's signed push, as the report's bars give it, the
    strongest first. Read off the chart's own data, it had said each word's time in the clip as if it were its
    push ("0.1 Listen, 0.39 awful, … 2.65 ever": 'ever' sounded strongest, 'worst' was), and a word whose label
    did not fit beside its neighbours' as nothing at all ("2.6 ,")."""
    maps = views.maps_for(exp, "audio")
    if not maps:
        return ""
    m = maps[0]
    scores, unit = in_units([float(s) for s in m.get("scores") or []])
    labels = [str(lbl) for lbl in m.get("labels") or []]
    spans = m.get("spans") or []
    named = []
    for i, v in sorted(enumerate(scores), key=lambda iv: -abs(iv[1])):
        name = labels[i].strip() if i < len(labels) else ""
        name = name.rstrip(",.;:!?，。；：！？") or name  # "terrible, -0.334" read as two items
        if not name and i < len(spans):  # a segment without a word: its time
            name = f"{float(spans[i][0]):g}–{float(spans[i][1]):g} s"
        named.append(f"{name} {v:+.3f}")
    more = len(named) - SAID_AT_MOST
    said = named[:SAID_AT_MOST] + ([t("{n} more, weaker", lang, n=more)] if more > 0 else [])
    title = t("Each segment's push on P({target})", lang, target=label(exp.get("target"), lang)) + unit
    return t("{title}, strongest first: {pushes}", lang, title=title, pushes=sep(lang, ", ").join(said))


SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def in_units(scores: list[float]) -> tuple[list[float], str]:
    """A chart's numbers as three decimals can say them: as they are, or, when the largest is under 0.01, scaled
    so that it is between 1 and 10, with the unit for the title (" (× 10⁻³)"). Bars read "+0.000555",
    "+8.05e-05" and "+0.001" side by side, then "+5.55e-04" with the largest cut to "+1.19e"."""
    import math

    top = max(map(abs, scores), default=0.0)
    if top >= 0.01 or top == 0.0:
        return scores, ""
    k = -math.floor(math.log10(top))
    return [v * 10 ** k for v in scores], f" (× 10{str(-k).translate(SUPERSCRIPT)})"


KIND = ModalityKind(
    name="audio", noun="the voice",
    read=read, families=families, explain=explain, panel="audio segments", record=record,
    replay=replay, report=report, cli_help=f"a sound clip ({AUDIO_FORMATS})", cli_metavar="PATH",
    manifest_file=True, explain_notices=explain_notices, label="Audio (a voice; at most 30 s are used)",
    widget=widget, view=view, render=render, options=AudioOptions, segment=cut_sound,
)
