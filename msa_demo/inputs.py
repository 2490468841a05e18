"""Decode and validate raw inputs (paths, bytes, arrays, Gradio values) into clean typed inputs.

Every failure raises :class:`InputError` with a message a non-programmer understands.
"""

from __future__ import annotations

import functools
import hashlib
import io
import os
import re
import unicodedata
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from msa_demo.errors import InputError, SpanError

Image.MAX_IMAGE_PIXELS = 200_000_000  # refuse decompression bombs beyond this, with a clear message
# Pillow only warns up to twice that (a 20000x19999 PNG of 388 KB was decoded whole: 2 GB, 7 s); the size is
# checked before decoding instead (``_open_image``), so its warning would only fill the server's log
warnings.filterwarnings("ignore", category=Image.DecompressionBombWarning)

# an animated GIF: a clip without sound; a phone's 3GP, a camcorder's MTS / M2TS, a recorder's TS, WMV, MPEG, FLV and
# OGV: FFmpeg (PyAV) reads them all
VIDEO_SUFFIXES = (".mp4", ".m4v", ".webm", ".mov", ".mkv", ".avi", ".gif", ".3gp", ".3g2", ".mts", ".m2ts", ".ts",
                  ".wmv", ".mpg", ".mpeg", ".flv", ".ogv")
# the last lines: video files, whose sound track is read (as many as VIDEO_SUFFIXES has, GIF aside)
AUDIO_SUFFIXES = (".wav", ".flac", ".ogg", ".oga", ".mp3", ".aif", ".aiff", ".caf", ".opus", ".m4a", ".aac", ".m4b",
                  ".weba", ".mka", ".wma", ".amr",
                  ".mp4", ".m4v", ".webm", ".mov", ".mkv", ".avi", ".3gp", ".3g2", ".mts", ".m2ts", ".ts", ".wmv",
                  ".mpg", ".mpeg", ".flv", ".ogv")
PICTURE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp", ".bmp", ".tif", ".tiff", ".avif", ".heic", ".jp2", ".tga", ".ico")
SOUNDFILE_SUFFIXES = (".wav", ".flac", ".ogg", ".oga", ".mp3", ".aif", ".aiff")  # the rest: PyAV (FFmpeg)
AUDIO_FORMATS = "WAV, FLAC, OGG, MP3, Opus, M4A / AAC, WebM or the sound of a video file"


@dataclass
class TextInput:
    text: str
    notices: list[str] = field(default_factory=list)
    # when the text is the words said in a clip: each word's {text, start, end} in the clip's seconds (the video
    # timeline's words lane); not part of what the model reads
    said: tuple[dict, ...] = ()

    @property
    def key(self) -> str:
        return "text:" + hashlib.sha256(self.text.encode("utf-8")).hexdigest()


@dataclass
class ImageInput:
    image: Image.Image  # RGB, upright, at most max_side pixels on its long side
    notices: list[str] = field(default_factory=list)
    original_size: tuple[int, int] = (0, 0)

    @property
    def key(self) -> str:
        return "image:" + hashlib.sha256(self.image.tobytes() + str(self.image.size).encode()).hexdigest()


HEARD_ONLY = "{why} (only its first {n} s of {k} s were heard)"  # a long clip's: why it abstains, and how much was read


@dataclass
class AudioInput:
    waveform: np.ndarray  # float32 mono in [-1, 1]
    sample_rate: int
    notices: list[str] = field(default_factory=list)
    original_seconds: float = 0.0
    # set by a voice model that judges the words said (lite's speech recognition): asked only when the clip is to
    # be read, it gives ("", "") when there are words to judge, else why not (a clause) and the notice that says so
    heard: Callable[[], tuple[str, str]] | None = field(default=None, repr=False, compare=False)

    @property
    def seconds(self) -> float:
        return len(self.waveform) / float(self.sample_rate)

    @functools.cached_property
    def abstains_why(self) -> str:
        """Why its model has nothing to judge ("" when it has): no one speaks in it, no words were recognised. The
        first time it is asked, its notice joins the clip's notices."""
        why, notice = self.heard() if self.heard is not None else ("", "")
        if notice and notice not in self.notices:
            self.notices.append(notice)
        if why and self.original_seconds > self.seconds + 0.05:  # said where a refusal hides the notices
            why = HEARD_ONLY.format(why=why, n=f"{self.seconds:g}", k=f"{self.original_seconds:.1f}")
        return why

    @property
    def abstains(self) -> bool:
        """True when its model has nothing to judge in it: the clip is not read, as a picture without a face."""
        return bool(self.abstains_why)

    @property
    def abstains_advice(self) -> str:
        return "Add text or a picture, or give a clip in which someone speaks."

    @property
    def key(self) -> str:
        return f"audio:{self.sample_rate}:" + hashlib.sha256(self.waveform.tobytes()).hexdigest()


class Inputs:
    """What one prediction is made from: one clean input record per registered modality
    (``msa_demo.registry``); a modality not given reads as None (missing).

    ``Inputs(text=TextInput(...), image=None)``; ``inputs.text``; ``inputs.get("audio")``; ``inputs.present()``.
    """

    def __init__(self, **values: Any) -> None:
        from msa_demo.registry import names

        known = names()
        unknown = [k for k in values if k not in known]
        if unknown:
            raise InputError(f"Unknown input {', '.join(unknown)}; known: {', '.join(known)}.")
        self.values = {m: values[m] for m in known if values.get(m) is not None}
        # inputs given that hold nothing to read (a text of spaces beside a clip): one line each, said with the
        # prediction's notices (:data:`TEXT_NOT_READ`), where they had been dropped without a word
        self.unread: list[str] = []

    def __setattr__(self, name: str, value: Any) -> None:
        from msa_demo.registry import names

        if name != "values" and name in names():
            if value is None:
                self.values.pop(name, None)
            else:
                self.values[name] = value
                self.values = {m: self.values[m] for m in names() if m in self.values}  # registry order
        else:
            object.__setattr__(self, name, value)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or name == "values":
            raise AttributeError(name)
        from msa_demo.registry import names

        if name in names():
            return self.values.get(name)
        raise AttributeError(f"Inputs has no modality '{name}'")

    def get(self, name: str) -> Any:
        return self.values.get(name)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Inputs) and self.values == other.values

    def __repr__(self) -> str:
        return f"Inputs({', '.join(f'{k}={v!r}' for k, v in self.values.items())})"

    def present(self) -> list[str]:
        from msa_demo.registry import names

        return [m for m in names() if m in self.values]

    def notices(self) -> list[str]:
        out: list[str] = list(self.unread)
        for m in self.present():
            out.extend(getattr(self.values[m], "notices", None) or [])
        return out


# ---------------------------------------------------------------- text


# web text's markup (an IMDB review's "<br /><br />", a scraped "<p>...</p>"): the tags HTML formats text with, which
# were read as words ("superb.<br", "/><br"); any other "<...>" ("<3", "<grin>") is text and stays
MARKUP = frozenset("a abbr b big blockquote br center code dd div dl dt em font h1 h2 h3 h4 h5 h6 hr i iframe img li "
                   "noscript ol p pre q s small span strike strong sub sup table tbody td th thead tr tt u ul".split())
BREAKS = frozenset("blockquote br dd div dl dt h1 h2 h3 h4 h5 h6 hr li ol p pre table tr ul".split())  # a new line
TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)(?:[\s/][^<>]*)?>")  # as HTML's: no space after "<" ("a < b > c")
NOT_TEXT = re.compile(r"<(script|style)\b[^<>]*>.*?</\1\s*>", re.IGNORECASE | re.DOTALL)  # nor their insides
# a terminal's escape sequences (colours, cursor moves: "\x1b[31m") and the other control characters but tab and new
# line, which are not text and turned a terminal's colours when printed; zero-width spaces and a byte-order mark
ESCAPES = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])")
# and the bidirectional embeddings, overrides and isolates (U+202A-E, U+2066-9), which turn how the words after them
# are shown: "\u202eevil\u202c" was shown as "live" in the words panel, read as "evil"
CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# zero-width spaces, a byte-order mark, soft hyphens and invisible operators; zero-width (non-)joiners only inside a
# Latin word ("l\u200co\u200dve" looked like "love" in the words panel and read 0.947 positive where "love" read 0.9995),
# as they join an emoji's parts and Persian letters
INVISIBLE = re.compile(r"[\u200b\u2060\ufeff\u00ad\u2061-\u2064]|(?<=[A-Za-z\u00c0-\u024f])[\u200c\u200d]+"
                       r"(?=[A-Za-z\u00c0-\u024f])")


def without_markup(text: str) -> tuple[str, int]:
    """``text`` without HTML's formatting tags (:data:`MARKUP`; a script's or style's content too), a tag that breaks
    a line as a new line, its entities ("&amp;") read; and how many tags were taken out (0: ``text`` as it was)."""
    import html

    removed = len(NOT_TEXT.findall(text))
    text = NOT_TEXT.sub(" ", text)

    def tag(found: re.Match) -> str:
        nonlocal removed
        name = found[2].lower()
        if name not in MARKUP:
            return found[0]
        removed += 1
        return "\n" if name in BREAKS else ""

    text = TAG.sub(tag, text)
    if not removed:
        return text, 0
    text = re.sub(r"[ \t]*\n[ \t]*", "\n", re.sub(r"[ \t]{2,}", " ", html.unescape(text)))
    return re.sub(r"\n{3,}", "\n\n", text), removed


def without_controls(text: str) -> tuple[str, int, int]:
    """``text`` without terminal escape sequences and control characters (tab, new line and carriage return kept)
    and without invisible characters (:data:`INVISIBLE`); how many escapes and control characters, and how many
    invisible characters, were taken out."""
    text, escapes = ESCAPES.subn("", text.replace("\x00", ""))
    text, controls = CONTROLS.subn("", text)
    kept = len(text)
    text = INVISIBLE.sub("", text)
    return text, escapes + controls, kept - len(text)


# a text someone gave that holds nothing once cleaned: "\x00\x00\x00" or spaces alone had been told "Give at least one
# input: type some text, ...", though text was typed; said what was wrong with it
EMPTY_TEXT = "The text holds only {what}, so there are no words to read: type some words, or give another input."
# the same text given beside other inputs: they are read, and this line says the text was not (it had been dropped
# without a word: "   " beside a clip read as the clip alone)
TEXT_NOT_READ = "Text: the text given holds only {what}, so it was not read."


def empty_text(value: Any) -> str | None:
    """Why a text someone gave (a string or UTF-8 bytes, not empty) holds nothing once cleaned as :func:`load_text`
    cleans it (:data:`EMPTY_TEXT`: what it holds only); None when it holds something to read or none was given."""
    what = held_only(value)
    return EMPTY_TEXT.format(what=what) if what else None


def text_not_read(value: Any) -> str | None:
    """The notice for a text given beside other inputs that holds nothing once cleaned (:data:`TEXT_NOT_READ`);
    None when it holds something to read or none was given."""
    what = held_only(value)
    return TEXT_NOT_READ.format(what=what) if what else None


def held_only(value: Any) -> str | None:
    """What a text someone gave (a string or UTF-8 bytes, not empty) holds only, when it holds nothing once cleaned
    as :func:`load_text` cleans it ("spaces", "control characters and HTML tags"); else None."""
    if isinstance(value, bytes):
        try:
            value = value.decode("utf-8")
        except UnicodeDecodeError:
            return None
    if not isinstance(value, str) or not value:
        return None
    text, controls, invisible = without_controls(value)
    text, tags = without_markup(text)
    if text.strip():
        return None
    what = [name for name, held in (("spaces", any(c.isspace() for c in value)), ("control characters", controls or "\x00" in value),
                                    ("invisible characters", invisible), ("HTML tags", tags)) if held]
    return what[0] if len(what) == 1 else f"{', '.join(what[:-1])} and {what[-1]}"


def load_text(value: Any, max_chars: int = 5000) -> TextInput | None:
    """Text from a string (any Unicode). Empty or whitespace-only text counts as missing. HTML's formatting tags and
    control characters are taken out, each with a notice. A text read already (``cli.read_before_loading``) is
    taken as it is."""
    if value is None or isinstance(value, TextInput):
        return value
    if isinstance(value, bytes):
        try:
            value = value.decode("utf-8")
        except UnicodeDecodeError:
            raise InputError("The text is not valid UTF-8. Paste it as plain text.") from None
    if not isinstance(value, str):
        raise InputError(f"Text must be a string of characters, not {type(value).__name__}.")
    text, controls, invisible = without_controls(value)
    text, tags = without_markup(text)
    text = text.strip()
    if not text:
        return None
    notices = []
    if tags:
        notices.append(f"Text: {tags} HTML tag{'s' if tags > 1 else ''} taken out before it was read.")
    if controls:
        notices.append(f"Text: {controls} control character{'s' if controls > 1 else ''} (not text) taken out before "
                       "it was read.")
    if invisible:
        notices.append(f"Text: {invisible} invisible character{'s' if invisible > 1 else ''} (zero-width, soft "
                       "hyphens) taken out before it was read.")
    if len(text) > max_chars:
        notices.append(f"Text: only the first {max_chars:,} of {len(text):,} characters were used.")
        text = text[:max_chars]
    if not any(unicodedata.category(c)[0] in "LN" for c in text):  # '。。。！！？？' had read 90 % negative, unsaid
        notices.append(NO_WORDS)
    return TextInput(text, notices)


NO_WORDS = ("Text: it holds no words (only punctuation, symbols or emoji), so its verdict says how the model takes "
            "these marks, not what anyone meant.")


# ---------------------------------------------------------------- image


URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")  # s3://..., https://..., hf://...: read through fsspec, not here


def is_uri(value: Any) -> bool:
    return isinstance(value, str) and bool(URI.match(value))


def is_file(path: str | os.PathLike) -> bool:
    """Whether ``path`` names a file; a name no file system holds (a part over 255 bytes: FER2013's 2304 pixel values
    read as a path) names none, where ``Path.is_file`` raises OSError (File name too long)."""
    try:
        return Path(path).is_file()
    except (OSError, ValueError):
        return False


def is_dir(path: str | os.PathLike) -> bool:
    """Whether ``path`` names a folder; a name no file system holds names none (see :func:`is_file`)."""
    try:
        return Path(path).is_dir()
    except (OSError, ValueError):
        return False


def no_file(value: str | os.PathLike, kind: str) -> str:
    """The one line for a path that holds no file of ``kind`` (image, audio, video): a web address, a folder, or
    nothing."""
    if is_uri(str(value)) and not str(value).lower().startswith("file:"):
        return (f"'{value}' is a URL, not a file on this machine: download it first (explain-batch reads URLs in "
                "a manifest).")
    path = Path(value)
    if is_dir(path):
        article = "an" if kind[0] in "aeiou" else "a"
        return f"'{path.name or path}' is a folder, not {article} {kind} file; give the file itself."
    return f"No {kind} file was found at '{shown_path(path)}'."


# (the kind a file's name says, the kind it was given as): the one line (a video's sound is audio: not here)
GIVEN_AS = {
    ("video", "image"): "'{name}' is a video, not a picture: give it as a video.",
    ("audio", "image"): "'{name}' is an audio clip, not a picture: give it as audio.",
    ("image", "audio"): "'{name}' is a picture, not an audio clip: give it as an image.",
    ("image", "video"): "'{name}' is a picture, not a video: give it as an image.",
    ("audio", "video"): "'{name}' is an audio clip, not a video: give it as audio.",
}


NAMED_ONLY = {"image": "a picture's", "audio": "an audio clip's", "video": "a video's"}


def given_as(path: Path, kind: str) -> str | None:
    """The one line for a file given as ``kind`` (image, audio, video) that its name says is another kind
    ('a.mp4' as a picture: give it as a video), None when its name says nothing else. A file that only has the
    other kind's name (a text saved as 'a.jpg') is said to hold none: "give it as an image" sent the person to a
    second refusal."""
    suffix = path.suffix.lower()
    said = ("video" if suffix in VIDEO_SUFFIXES and suffix != ".gif" else "image" if suffix in PICTURE_SUFFIXES
            else "audio" if suffix in AUDIO_SUFFIXES else None)
    line = GIVEN_AS.get((said, kind))
    if line and not _holds(path, said):
        return (f"'{path.name}' has {NAMED_ONLY[said]} name ({suffix}) but holds none; it may be damaged or another "
                "kind of file.")
    return line.format(name=path.name) if line else None


def _holds(path: Path, kind: str) -> bool:
    """Whether the file at ``path`` opens as a ``kind`` (its header read, nothing decoded)."""
    try:
        if kind == "image":
            with Image.open(path):
                return True
        import av

        with av.open(str(path)) as container:
            return bool(container.streams.video if kind == "video" else container.streams.audio)
    except Exception:  # noqa: BLE001 - PIL and PyAV raise many kinds for a file that is not theirs
        return False


def opening(name: str) -> str:
    """A file's name, or "the uploaded video", opening a sentence: its first letter made capital, the rest as it
    is (str.capitalize lowered the rest: 'IMG_0001.HEIC' was said as 'img_0001.heic')."""
    return name[:1].upper() + name[1:]


def shown_path(path: Path) -> str:
    """A path as a message shows it: as given when relative, else its last three parts (the folders that tell
    one dataset's Raw/<video>/1.mp4 from another's, not where the server keeps them)."""
    if not path.is_absolute():
        return str(path)
    parts = path.parts[1:]
    return str(path) if len(parts) <= 3 else "…/" + "/".join(parts[-3:])


UPLOAD_AGAIN = " Choose the {what} again."  # an upload's advice (dataset mode says a manifest row's instead)


def empty_file(name: str, what: str) -> str:
    """The one line for a file of 0 bytes (an upload cut short, a recording that never started)."""
    return f"{name[:1].upper() + name[1:]} cannot be used: the file is empty (0 bytes)." + UPLOAD_AGAIN.format(what=what)


def _to_eight_bits(arr: np.ndarray) -> np.ndarray:
    """Pixel values on the 0-255 scale of 8 bits: floats up to 1 are fractions, 16-bit values (over 255) are
    scaled down by 257 (65535 is white), anything else is clipped."""
    arr = np.asarray(arr, dtype=np.float64)
    top = float(arr.max(initial=0))
    if top <= 1.0:
        arr = arr * 255.0
    elif top > 255.0:
        arr = arr / 257.0
    return np.clip(np.rint(arr), 0, 255).astype(np.uint8)


def _open_image(value: Any) -> Image.Image:
    if isinstance(value, Image.Image):
        return value
    if isinstance(value, np.ndarray):
        arr = value
        if arr.ndim not in (2, 3) or arr.size == 0 or (arr.ndim == 3 and arr.shape[2] not in (1, 3, 4)):
            raise InputError(f"The image array has shape {arr.shape}; expected height × width (× 1, 3 or 4).")
        if arr.dtype != np.uint8:
            arr = _to_eight_bits(arr)
        return Image.fromarray(arr.squeeze(-1) if arr.ndim == 3 and arr.shape[2] == 1 else arr)
    if isinstance(value, (bytes, bytearray)):
        src: Any = io.BytesIO(value)
        name = "the uploaded image"
        empty = not value
    elif isinstance(value, (str, os.PathLike)):
        path = Path(value)
        if not is_file(path):
            raise InputError(no_file(value, "image"))
        src, name, empty = path, f"'{path.name}'", path.stat().st_size == 0
    else:
        raise InputError(f"An image must be a file, bytes or a picture, not {type(value).__name__}.")
    if empty:
        raise InputError(empty_file(name, "picture"))
    if _is_heif(src):
        try:  # an iPhone's HEIC: read where pillow-heif is installed (not a requirement: its wheels bundle x265)
            from pillow_heif import register_heif_opener

            register_heif_opener()
        except ImportError:
            raise InputError(f"{opening(name)} is a HEIC picture (an iPhone's), which this installation cannot "
                             "decode; export it as JPEG or PNG (or install pillow-heif).") from None
    try:
        img = Image.open(src)
        if img.width * img.height > (Image.MAX_IMAGE_PIXELS or float("inf")):  # its header, before decoding
            raise Image.DecompressionBombError(f"{img.width}x{img.height}")
        img.load()
        return img
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):  # the warning where warnings are errors
        raise InputError(f"{opening(name)} is too large to open safely (over 200 megapixels).") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        other = given_as(src, "image") if isinstance(src, Path) else None
        raise InputError(other or (
            f"{opening(name)} could not be read as a picture. It may be damaged or not an image; "
            "use PNG, JPEG, WebP, GIF, BMP or TIFF.")
        ) from None


def _head(src: Any, n: int = 16) -> bytes:
    """A file's (or a BytesIO's) first ``n`` bytes; b"" when it cannot be read."""
    try:
        if isinstance(src, io.BytesIO):
            with src.getbuffer() as held:  # its first n bytes, not a copy of the whole upload
                return bytes(held[:n])
        with open(src, "rb") as fh:
            return fh.read(n)
    except OSError:
        return b""


def _is_heif(src: Any) -> bool:
    """Whether a picture's bytes are HEIF / HEIC (an ISO box 'ftyp' naming a HEIF brand), whatever its name."""
    head = _head(src)
    return head[4:8] == b"ftyp" and head[8:12] in (b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1", b"msf1")


def load_image(value: Any, max_side: int = 1024) -> ImageInput | None:
    """An upright RGB picture from a path, bytes, PIL image or array (RGBA, greyscale, CMYK, EXIF-rotated). A
    picture read already (``cli.read_before_loading``) is taken as it is, not decoded again."""
    if value is None or isinstance(value, ImageInput):
        return value
    img = _open_image(value)
    frames = int(getattr(img, "n_frames", 1) or 1)  # read before the copies below, which hold one frame
    pages = img.format in ("TIFF", "MPO")  # a scan's pages, a camera's stereo pair: not frames of an animation
    try:
        img = ImageOps.exif_transpose(img)
    except Exception:  # noqa: BLE001 - a broken EXIF block should not lose the picture
        pass
    notices: list[str] = []
    if frames > 1 and pages:
        notices.append(f"Image: a picture of {frames} pages; only its first page was read.")
    elif frames > 1:  # an animated GIF, WebP or PNG: a picture is one frame (a GIF is read whole as a video)
        notices.append(f"Image: an animated picture of {frames} frames; only its first frame was read.")
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        img = Image.alpha_composite(background, rgba)
    if img.mode.startswith("I") or img.mode == "F":  # 16-bit or 32-bit greyscale: Pillow's convert clips at 255
        img = Image.fromarray(_to_eight_bits(np.asarray(img)))
    img = img.convert("RGB")
    original = img.size
    if min(original) < 8:
        raise InputError(f"The image is only {original[0]}×{original[1]} pixels; use one at least 8 pixels wide and tall.")
    if max(original) > max_side:
        scale = max_side / max(original)
        img = img.resize((max(1, round(original[0] * scale)), max(1, round(original[1] * scale))), Image.BICUBIC)
        notices.append(f"Image: downscaled from {original[0]}×{original[1]} to {img.size[0]}×{img.size[1]} pixels.")
    return ImageInput(img, notices, original)


# ---------------------------------------------------------------- audio


def _ffmpeg_only(src: Any) -> bool:
    """Whether the file's first bytes are a container libsndfile does not read (MP4 / M4A, Matroska / WebM, ADTS
    AAC), whatever its name says: an M4A named .mp3 went to libsndfile's MP3 decoder first, which wrote "Illegal
    Audio-MPEG-Header" lines to the server's stderr before PyAV read it."""
    head = _head(src)
    return (head[4:8] == b"ftyp" or head[:4] == b"\x1a\x45\xdf\xa3"
            or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xF6 == 0xF0))


def _decode_audio(value: Any, max_seconds: float | None = None) -> tuple[np.ndarray, int, float | None, list[str]]:
    """(samples [T] or [T, C], sample_rate, the file's own length in seconds when it is longer than what was read
    (else None), notices) from a path, bytes, or a Gradio (rate, array) tuple. A file is decoded up to
    ``max_seconds`` and a little more only (a 20-minute recording is not held whole)."""
    if isinstance(value, tuple) and len(value) == 2 and np.isscalar(value[0]):
        rate, data = value
        return np.asarray(data), int(rate), None, []
    if isinstance(value, dict) and "path" in value:  # gradio FileData-like
        value = value["path"]
    if isinstance(value, (bytes, bytearray)):
        src: Any = io.BytesIO(value)
        name = "the uploaded audio"
        empty = not value
    elif isinstance(value, (str, os.PathLike)):
        path = Path(value)
        if not is_file(path):
            raise InputError(no_file(value, "audio"))
        if path.suffix.lower() not in AUDIO_SUFFIXES:
            raise InputError(given_as(path, "audio") or f"'{path.name}' is not a supported audio file; use {AUDIO_FORMATS}.")
        src, name, empty = path, f"'{path.name}'", path.stat().st_size == 0
    else:
        raise InputError(f"Audio must be a file or (sample rate, samples), not {type(value).__name__}.")
    if empty:
        raise InputError(empty_file(name, "clip"))
    import soundfile as sf  # only to decode a file: (rate, samples) needs none

    if (not isinstance(src, Path) or src.suffix.lower() in SOUNDFILE_SUFFIXES) and not _ffmpeg_only(src):
        try:
            info = sf.info(src)
            if isinstance(src, io.BytesIO):
                src.seek(0)
            keep = info.frames if max_seconds is None else min(info.frames, int((max_seconds + 1) * info.samplerate))
            said = _wav_header_seconds(src) if info.format == "WAV" else None  # (read apart: src stays where it is)
            data, rate = sf.read(src, frames=keep, dtype="float32", always_2d=False)
            return data, int(rate), info.frames / info.samplerate if keep < info.frames else None, (
                [ENDS_EARLY.format(total=f"{said:.1f}", s=f"{info.duration:.1f}")]
                if said and ends_early(info.duration, said) else [])
        except Exception:  # noqa: BLE001 - soundfile raises several types for bad files: FFmpeg may read it
            if isinstance(src, io.BytesIO):
                src.seek(0)
    try:
        return _ffmpeg_sound(src, name, max_seconds)
    except InputError:
        raise
    except Exception:  # noqa: BLE001 - PyAV raises FFmpegError subclasses and OSErrors for bad files
        raise InputError(
            f"{opening(name)} could not be decoded. It may be damaged or in an unsupported format; "
            f"use {AUDIO_FORMATS}."
        ) from None


def sound_frames(resampler: Any, frame: Any) -> list[np.ndarray]:
    """A decoded sound frame (None: the resampler's end) as [T, C] float32 arrays at the resampler's rate, its
    channels kept: mixed to mono by :func:`loudest_track` (channels in opposite phase would cancel out in FFmpeg's
    own down-mix)."""
    return [out.to_ndarray().reshape(-1, len(out.layout.channels)) for out in resampler.resample(frame)]


def loudest_track(tracks: list[list[np.ndarray]]) -> tuple[np.ndarray, int]:
    """(mono float32 samples, its index) of the loudest of a file's sound tracks, each a list of [T, C] chunks
    (:func:`sound_frames`), mixed as :func:`_to_float_mono` mixes channels. A recording's first track may be
    silent (a screen recorder's second microphone track, a dub)."""
    monos = [_to_float_mono(np.concatenate(chunks)) if chunks else np.zeros(0, np.float32) for chunks in tracks]
    loudness = [float(np.sqrt(np.mean(np.square(m, dtype=np.float64)))) if m.size else -1.0 for m in monos]
    best = int(np.argmax(loudness)) if monos else 0
    return (monos[best] if monos else np.zeros(0, np.float32)), best


TRACKS_NOTICE = "{what}: the file has {n} sound tracks; track {k}, the loudest, was read."


def _ffmpeg_sound(src: Any, name: str, max_seconds: float | None = None
                  ) -> tuple[np.ndarray, int, float | None, list[str]]:
    """(mono float32 samples, rate, the file's length when longer than what was read, notices) of the loudest
    sound stream in a file PyAV reads (M4A, AAC, Opus, WebM, WMA, AMR, or a video file's sound track), at its own
    rate, decoded up to ``max_seconds`` and a second more."""
    import av

    with av.open(src if isinstance(src, io.BytesIO) else str(src), mode="r") as container:
        streams = list(container.streams.audio)
        if not streams:
            if container.format.name.endswith("_pipe") or container.format.name == "image2":  # FFmpeg's still
                # pictures (a PNG named .wav is a "video" of one frame to PyAV)
                raise InputError(GIVEN_AS[("image", "audio")].replace("'{name}'", "{name}").format(name=opening(name)))
            raise InputError(f"{opening(name)} holds no sound" + (
                " (it is a video without a sound track)." if container.streams.video else "."))
        rate = int(streams[0].rate or streams[0].codec_context.sample_rate or 0)
        tracks, cut = decode_tracks(container, streams, rate, None if max_seconds is None else max_seconds + 1)
        length = float(container.duration) / av.time_base if container.duration else None
        sound_only = not container.streams.video  # a video's length may be its pictures', longer than its sound
    wave, best = loudest_track(tracks)
    notices = [TRACKS_NOTICE.format(what="Audio", n=len(streams), k=best + 1)] if best else []
    if not cut and sound_only and length and rate and ends_early(wave.size / rate, length):
        notices.append(ENDS_EARLY.format(total=f"{length:.1f}", s=f"{wave.size / rate:.1f}"))
    return wave, rate, (max(length or 0.0, wave.size / rate) if cut else None), notices


def seconds_past(length: float, limit: float) -> str | None:
    """``length`` (longer than ``limit``) to as few decimals as tell it from ``limit``: a 30.04 s clip read "only
    the first 30 s of 30.0 s were used", which reads as a contradiction. None when even a thousandth does not."""
    for places in (1, 2, 3):
        told = f"{length:.{places}f}"
        if float(told) > limit:
            return told
    return None


# a file cut short (an upload broken off, a copy stopped): what it holds is read, and said, not passed off as whole
ENDS_EARLY = "Audio: the file ends early (cut off or damaged): it says {total} s, and the {s} s it holds were read."


def ends_early(held: float, said: float) -> bool:
    """Whether a file holds clearly less sound than its header or container says (not a rounding's worth)."""
    return said - held > max(0.25, 0.05 * said)


def _wav_header_seconds(src: Any) -> float | None:
    """The length a WAV file's header gives its sound (its data chunk's size over its bytes per second): libsndfile
    reads what the file holds, and a WAV cut at a third was read as a shorter clip with no word. None when the
    header does not say (a stream's 0 or 0xFFFFFFFF size, an RF64, chunks it cannot find)."""
    import struct

    head = _head(src, 4096)
    if head[:4] != b"RIFF" or head[8:12] != b"WAVE":
        return None
    at, rate, size = 12, None, None
    while at + 8 <= len(head):
        chunk, length = head[at:at + 4], struct.unpack("<I", head[at + 4:at + 8])[0]
        if chunk == b"fmt " and at + 20 <= len(head):
            rate = struct.unpack("<I", head[at + 16:at + 20])[0]  # bytes per second
        elif chunk == b"data":
            size = length
            break
        at += 8 + length + (length & 1)
    if not rate or not size or size == 0xFFFFFFFF:
        return None
    return size / rate


def decode_tracks(container: Any, streams: list, rate: int, seconds: float | None = None
                  ) -> tuple[list[list[np.ndarray]], bool]:
    """Each of ``streams`` (a file's sound streams) decoded to [T, C] chunks at ``rate`` (:func:`sound_frames`), in
    their order, up to ``seconds`` of each (None: whole; the rest is not decoded), and whether one was cut there."""
    import av

    resamplers = {s.index: av.AudioResampler(format="flt", rate=rate) for s in streams}
    tracks: dict[int, list[np.ndarray]] = {s.index: [] for s in streams}
    got = dict.fromkeys(tracks, 0)
    limit = None if seconds is None else int(seconds * rate)
    for packet in container.demux(*streams):
        if limit is not None and got[packet.stream.index] >= limit:
            if all(n >= limit for n in got.values()):
                break
            continue
        for frame in packet.decode():
            for chunk in sound_frames(resamplers[packet.stream.index], frame):
                tracks[packet.stream.index].append(chunk)
                got[packet.stream.index] += len(chunk)
    for index, resampler in resamplers.items():
        tracks[index] += sound_frames(resampler, None)
    return list(tracks.values()), limit is not None and any(n >= limit for n in got.values())


def _to_float_mono(data: np.ndarray) -> np.ndarray:
    data = np.asarray(data)
    if data.dtype.kind == "i" or data.dtype.kind == "u":
        info = np.iinfo(data.dtype)
        data = (data.astype(np.float32) - (info.max + info.min + 1) / 2) / ((info.max - info.min + 1) / 2)
    elif data.dtype.kind != "f":
        raise InputError(f"Audio samples must be numbers, not {data.dtype}.")
    data = data.astype(np.float32)
    if data.ndim == 2:
        # (T, C) as soundfile/Gradio give it; a (C, T) array with few channels is transposed first
        if data.shape[0] <= 8 < data.shape[1]:
            data = data.T
        mixed = data.mean(axis=1)
        loudness = np.sqrt(np.mean(np.square(data, dtype=np.float64), axis=0)) if data.size else np.zeros(1)
        if data.shape[1] > 1 and loudness.max() > 1e-4 and np.sqrt(np.mean(np.square(mixed, dtype=np.float64))) \
                < 0.25 * loudness.max():
            mixed = data[:, int(loudness.argmax())]  # channels that cancel out (one wired in opposite phase)
        data = mixed
    elif data.ndim != 1:
        raise InputError(f"Audio must be mono or multi-channel samples; got an array of shape {data.shape}.")
    if not np.all(np.isfinite(data)):
        raise InputError("The audio contains invalid samples (NaN or infinity).")
    return data  # float samples may lie beyond full scale: load_audio scales or clips them


def resample(waveform: np.ndarray, rate: int, target_rate: int) -> np.ndarray:
    if rate == target_rate:
        return waveform
    import torch
    import torchaudio.functional as AF

    out = AF.resample(torch.from_numpy(np.ascontiguousarray(waveform)), rate, target_rate)
    return out.numpy().astype(np.float32)


OVER_FULL_SCALE = 1.05  # a peak beyond this (a float WAV's) scales the clip down, said; a codec's overshoot is clipped


def load_audio(value: Any, sample_rate: int = 16000, max_seconds: float = 30.0) -> AudioInput | None:
    """Mono float32 audio at ``sample_rate``; longer than ``max_seconds`` is trimmed with a notice."""
    if value is None:
        return None
    data, rate, length, notices = _decode_audio(value, max_seconds)
    if rate <= 0:
        raise InputError(f"The audio reports an impossible sample rate ({rate} Hz).")
    wave = _to_float_mono(data)
    if wave.size == 0:
        raise InputError("The audio clip is empty: it holds no sound at all.")
    seconds = max(wave.size / rate, length or 0.0)
    if seconds < 0.1:
        raise InputError(f"The audio clip is too short ({seconds * 1000:.0f} ms); use at least 0.1 seconds.")
    if seconds > max_seconds:
        wave = wave[: int(max_seconds * rate)]
        told = seconds_past(seconds, max_seconds)
        if told:  # (a cut under a millisecond is no cut to speak of)
            notices.append(f"Audio: only the first {max_seconds:g} s of {told} s were used.")
    peak = float(np.abs(wave).max())
    if peak > OVER_FULL_SCALE:  # a float file mixed too hot: scaled down whole, not clipped (clipping distorts)
        wave = wave / peak
        notices.append(f"Audio: its samples went beyond full scale (peak {peak:.1f}); the clip was scaled down to fit.")
    wave = np.clip(wave, -1.0, 1.0)  # a codec's slight overshoot
    if float(np.abs(wave).max()) < 1e-4:
        notices.append("Audio: the clip is silent or nearly so.")
    wave = resample(wave, rate, sample_rate)
    return AudioInput(wave, sample_rate, notices, seconds)


def float_wav(waveform, rate: int) -> bytes:
    """A 32-bit float mono WAV, byte-for-byte deterministic (no timestamped PEAK chunk)."""
    import struct

    import numpy as np

    data = np.asarray(waveform, dtype="<f4").tobytes()
    fmt = struct.pack("<HHIIHH", 3, 1, int(rate), int(rate) * 4, 4, 32)
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data" + struct.pack("<I", len(data)) + data
    return b"RIFF" + struct.pack("<I", len(body)) + body


# ---------------------------------------------------------------- a span of a clip (a manifest row's start and end)


# what a row's clip or sound was cut to (MOSEI's rows: a segment of a full video), said with its notices; the model's
# own limit (30 s) then applies within the span
SEGMENT_READ = "{what}: {start}-{end} s of {total} s were read (the row's start and end); its times count from {start} s."
# a span the file does not hold: the row's one line
SEGMENT_STARTS_PAST = "The row's span {start}-{end} s starts past the end of {name} ({total} s long)."
SEGMENT_ENDS_PAST = "The row's span {start}-{end} s ends past the end of {name} ({total} s long)."
SPAN_SLACK = 0.5  # seconds an end may run past the file's (a set's rounded times): read to the file's end
# the same, for a single clip cut by predict's and explain's --start / --end (``by_flags``): the flags named, and
# the file too (a row's notice stands beside its file's name in the table; a single clip's in its result and report)
FLAGS_READ = ("{what}: {start}-{end} s of {name} ({total} s long) were read (--start and --end); its times count "
              "from {start} s.")
FLAGS_STARTS_PAST = "--start {start} s is past the end of {name} ({total} s long)."
FLAGS_ENDS_PAST = "--end {end} s is past the end of {name} ({total} s long)."


def span_within(name: str, start: float, end: float | None, total: float, by_flags: bool = False) -> float:
    """The span's end inside a file ``total`` seconds long (``end`` None: the file's end; an end up to
    :data:`SPAN_SLACK` past it: the file's end), or the one line of a span the file does not hold (``by_flags``:
    said of --start / --end, not of a row)."""
    told = f"{end:g}" if end is not None else "end"
    if total and start >= total:
        said = FLAGS_STARTS_PAST if by_flags else SEGMENT_STARTS_PAST
        raise SpanError(said.format(start=f"{start:g}", end=told, name=name, total=f"{total:.1f}"))
    if total and end is not None and end > total + SPAN_SLACK:
        said = FLAGS_ENDS_PAST if by_flags else SEGMENT_ENDS_PAST
        raise SpanError(said.format(start=f"{start:g}", end=told, name=name, total=f"{total:.1f}"))
    return min(end, total) if end is not None and total else (end if end is not None else total)


def segment_notice(what: str, start: float, end: float, total: float, name: str | None = None) -> str:
    """Which span of how long a file was read: a row's (:data:`SEGMENT_READ`), or with the file's ``name`` a
    single clip's, cut by --start / --end (:data:`FLAGS_READ`)."""
    said = SEGMENT_READ if name is None else FLAGS_READ
    return said.format(what=what, start=f"{start:.1f}", end=f"{end:.1f}", total=f"{total:.1f}", name=name)


def cut_sound(path: str | os.PathLike, start: float, end: float | None, folder: str | os.PathLike,
              by_flags: bool = False) -> tuple[str, str]:
    """The sound of the file at ``path`` from ``start`` to ``end`` seconds (None: its end) as a float WAV in
    ``folder``, its channels kept (decoded as :func:`load_audio` decodes it, up to ``end`` and no further), and the
    notice that says which span was read (:data:`SEGMENT_READ`); a span the file does not hold is one line
    (``by_flags``: both said of --start / --end)."""
    import soundfile as sf

    path = Path(path)
    data, rate, longer, _notices = _decode_audio(path, None if end is None else end)
    data = np.asarray(data)
    total = longer or (len(data) / float(rate) if rate else 0.0)
    stop = span_within(f"'{path.name}'", start, end, total, by_flags)
    part = data[int(round(start * rate)):int(round(stop * rate))]
    out = Path(folder) / (path.stem + ".wav")
    if out.resolve() == path.resolve():  # (never written over the file it is read from)
        out = out.with_suffix(".segment.wav")
    sf.write(str(out), part, int(rate), subtype="FLOAT", format="WAV")
    return str(out), segment_notice("Audio", start, stop, total, f"'{path.name}'" if by_flags else None)
