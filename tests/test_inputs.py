"""Every input format the app accepts, and every failure with the message a user sees."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from PIL import Image

from msa_demo.errors import InputError
from msa_demo.inputs import load_audio, load_image, load_text

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

# ---------------------------------------------------------------- text


def test_text_unicode_kept_and_blank_is_missing():
    assert load_text("今天天气很好 😀 naïve").text == "今天天气很好 😀 naïve"
    assert load_text("   \n\t ") is None
    assert load_text(None) is None
    assert load_text("caf\u00e9".encode("utf-8")).text == "café"


def test_a_text_of_marks_alone_is_read_and_said_to_hold_no_words():
    """'。。。！！？？，，……' read 90 % negative and '😡😡😡👍👍🙂' 98 %, said as confidently as a review."""
    from msa_demo.i18n import said

    for marks in ("。。。！！？？，，……", "😡😡😡👍👍🙂", "!!! ???", "-_-"):
        text = load_text(marks)
        assert text.text == marks and any("it holds no words" in n for n in text.notices), marks
        assert said(text.notices[-1], "zh").startswith("文字：其中没有词语")
    for words in ("ok!", "5/5 !!!", "好！", "naïve 😀", "٣"):  # a word, a number, a character, a digit: no notice
        assert not load_text(words).notices, words


def test_text_too_long_is_cut_with_notice():
    t = load_text("a" * 120, max_chars=100)
    assert len(t.text) == 100
    assert "first 100 of 120 characters" in t.notices[0]


@pytest.mark.parametrize("given, read, tags", [
    ("Superb.<br /><br />However the end was weak &amp; slow.", "Superb.\n\nHowever the end was weak & slow.", 2),
    ("<p>Great!<br/>I loved it</p>", "Great!\nI loved it", 3),
    ("The product<script>alert(1)</script> is <B>fine</B>", "The product is fine", 3),
    ('<img src=x onerror="a()"> what a day', "what a day", 1),
    ("I <3 this, a < b and c > d, <grin> &amp;", "I <3 this, a < b and c > d, <grin> &amp;", 0),  # text, not markup
])
def test_web_text_s_markup_is_taken_out_with_a_notice(given, read, tags):
    """An IMDB review's "<br /><br />" was read as the words "superb.<br" and "/><br"; HTML's formatting tags are
    taken out (a line-breaking one as a new line), anything else in angle brackets is text."""
    text = load_text(given)
    assert text.text == read
    assert [n for n in text.notices if "HTML" in n] == ([f"Text: {tags} HTML tag{'s' if tags > 1 else ''} taken out "
                                                          "before it was read."] if tags else [])


def test_control_characters_and_terminal_escapes_are_taken_out_with_a_notice():
    """'product\x1b[31m' was a word, and the command line printed it: the terminal's text turned red."""
    text = load_text("I hate this\a product\x1b[31m so\x00 much\tnow\r\n")
    assert text.text == "I hate this product so much\tnow"
    assert text.notices == ["Text: 2 control characters (not text) taken out before it was read."]  # NUL: silently
    assert load_text("\u200b\ufeff \u200b") is None  # nothing but zero-width spaces: no text given
    # a right-to-left override turns how the words after it are shown ("evil" was shown as "live"); Arabic and
    # Hebrew words themselves are kept as they are
    turned = load_text("this is \u202eevil\u202c, \u2067שלום\u2069 مرحبا")
    assert turned.text == "this is evil, שלום مرحبا" and turned.notices == [
        "Text: 4 control characters (not text) taken out before it was read."]


def test_invisible_characters_in_a_word_are_taken_out_and_counted():
    """"l\u200co\u200dve" looked like "love" in the words panel but read 0.947 positive where "love" read 0.9995; a
    soft hyphen and invisible operators likewise; zero-width spaces were taken out but not said. A joiner is kept
    where it joins an emoji's parts or Persian letters."""
    from msa_demo.i18n import said

    text = load_text("I l\u200co\u200dve it, wonder\u00adful\u2062 and\u200b fine")
    assert text.text == "I love it, wonderful and fine"
    assert text.notices == ["Text: 5 invisible characters (zero-width, soft hyphens) taken out before it was read."]
    assert said(text.notices[0], "zh") != text.notices[0]
    family, persian = "\U0001f468\u200d\U0001f469\u200d\U0001f467", "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"
    kept = load_text(f"{family} {persian}")
    assert kept.text == f"{family} {persian}" and not kept.notices


def test_text_bad_inputs():
    with pytest.raises(InputError, match="must be a string"):
        load_text(42)
    with pytest.raises(InputError, match="not valid UTF-8"):
        load_text(b"\xff\xfe\xfa")


# ---------------------------------------------------------------- image


def _png_bytes(img: Image.Image, fmt: str = "PNG", **kw) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format=fmt, **kw)
    return buf.getvalue()


@pytest.mark.parametrize("mode", ["RGB", "RGBA", "L", "LA", "P", "CMYK", "I;16"])
def test_image_modes_become_rgb(mode, rgb_image):
    img = rgb_image.convert(mode) if mode != "I;16" else Image.fromarray(np.full((20, 30), 4000, np.uint16))
    out = load_image(img)
    assert out.image.mode == "RGB"
    assert out.image.size == img.size


def test_sixteen_bit_and_float_pictures_read_as_their_eight_bit_twins(rgb_image, tmp_path):
    """A 16-bit greyscale PNG (scanners, microscopes, medical exports) was clipped at 255 by Pillow's convert: the
    face read almost white and was not found. Each deeper picture now reads as the 8-bit picture it holds."""
    grey = np.asarray(rgb_image.convert("L"))
    want = np.asarray(load_image(Image.fromarray(grey)).image)
    Image.fromarray(grey.astype(np.uint16) * 257).save(tmp_path / "deep.png")
    assert Image.open(tmp_path / "deep.png").mode.startswith("I")
    assert np.array_equal(np.asarray(load_image(str(tmp_path / "deep.png")).image), want)
    assert np.array_equal(np.asarray(load_image(Image.fromarray(grey.astype(np.float32) / 255, "F")).image), want)
    colour = np.asarray(rgb_image.convert("RGB"))
    assert np.array_equal(np.asarray(load_image(colour.astype(np.uint16) * 257).image),
                          np.asarray(load_image(colour).image))


def test_image_rgba_transparent_becomes_white():
    img = Image.new("RGBA", (10, 10), (255, 0, 0, 0))
    assert load_image(img).image.getpixel((5, 5)) == (255, 255, 255)


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP", "GIF", "BMP", "TIFF"])
def test_image_formats_from_bytes_and_path(fmt, rgb_image, tmp_path):
    data = _png_bytes(rgb_image.convert("RGB"), fmt)
    assert load_image(data).image.size == (64, 48)
    path = tmp_path / f"pic.{fmt.lower()}"
    path.write_bytes(data)
    assert load_image(str(path)).image.size == (64, 48)


def test_image_exif_rotation_is_applied(rgb_image):
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise on display
    data = _png_bytes(rgb_image, "JPEG", exif=exif.tobytes())
    assert load_image(data).image.size == (48, 64)


def test_image_large_is_downscaled_with_notice():
    out = load_image(Image.new("RGB", (3000, 1500)), max_side=1024)
    assert out.image.size == (1024, 512)
    assert "downscaled from 3000×1500" in out.notices[0]


def test_a_picture_over_the_pixel_limit_is_refused_before_it_is_decoded(tmp_path, monkeypatch):
    """Pillow refuses only at twice its limit and merely warns below: a 388 KB PNG of 400 megapixels was decoded
    whole (2 GB). Over the limit is refused from the header, without a warning in the server's log."""
    import warnings

    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 10_000)
    Image.new("L", (150, 100)).save(wide := tmp_path / "wide.png")  # 1.5 times the limit
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a warning would fail the test
        with pytest.raises(InputError, match="'wide.png' is too large to open safely"):
            load_image(str(wide))
        Image.new("L", (100, 100)).save(fits := tmp_path / "fits.png")
        assert load_image(str(fits)).image.size == (100, 100)


def test_an_animated_picture_is_read_by_its_first_frame_and_says_so(tmp_path):
    frames = [Image.new("RGB", (32, 32), (v, v, v)) for v in (200, 100, 10)]
    moving = tmp_path / "reaction.gif"
    frames[0].save(moving, save_all=True, append_images=frames[1:], duration=100)
    out = load_image(str(moving))
    assert out.image.getpixel((5, 5))[0] > 150  # the first frame
    assert out.notices == ["Image: an animated picture of 3 frames; only its first frame was read."]
    frames[0].save(still := tmp_path / "still.gif")
    assert load_image(str(still)).notices == []


def test_image_from_numpy_float_and_uint8():
    assert load_image(np.zeros((16, 16, 3), np.uint8)).image.size == (16, 16)
    assert load_image(np.ones((16, 20), np.float32)).image.getpixel((0, 0)) == (255, 255, 255)


def test_image_failures(tmp_path):
    with pytest.raises(InputError, match="could not be read as a picture"):
        load_image(b"this is not a picture at all")
    bad = tmp_path / "broken.png"
    bad.write_bytes(_png_bytes(Image.new("RGB", (50, 50)))[:40])
    with pytest.raises(InputError, match="'broken.png' could not be read"):
        load_image(str(bad))
    with pytest.raises(InputError, match="No image file was found"):
        load_image(str(tmp_path / "missing.png"))
    with pytest.raises(InputError, match="not int"):
        load_image(5)
    with pytest.raises(InputError, match="at least 8 pixels"):
        load_image(Image.new("RGB", (4, 4)))
    with pytest.raises(InputError, match="shape"):
        load_image(np.zeros((4, 4, 7), np.uint8))


# ---------------------------------------------------------------- audio


def test_a_sound_file_cut_short_is_read_and_said_to_end_early(tmp_path):
    """A WAV cut at a third of its bytes (its header still says 4.5 s) and a WebM cut at half were read as shorter
    clips with no word: the transcript stopped mid-sentence. What they hold is read, and said."""
    import av

    from msa_demo.i18n import said

    whole = (EXAMPLES / "positive_speech.wav").read_bytes()
    (cut := tmp_path / "cut.wav").write_bytes(whole[: len(whole) // 3])
    out = load_audio(str(cut))
    assert 1.4 < out.seconds < 1.6 and out.notices == [
        "Audio: the file ends early (cut off or damaged): it says 4.5 s, and the 1.5 s it holds were read."]
    assert said(out.notices[0], "zh") != out.notices[0]
    assert not load_audio(str(EXAMPLES / "positive_speech.wav")).notices  # a whole file: nothing said
    rate = 48000
    with av.open(str(webm := tmp_path / "voice.webm"), "w") as container:
        stream = container.add_stream("libopus", rate=rate, layout="mono")
        tone = (0.3 * np.sin(2 * np.pi * 220 * np.arange(4 * rate) / rate)).astype(np.float32)
        for i in range(0, tone.size, 960):
            frame = av.AudioFrame.from_ndarray(tone[None, i:i + 960], format="flt", layout="mono")
            frame.sample_rate = rate
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    assert not load_audio(str(webm)).notices
    (half := tmp_path / "half.webm").write_bytes(webm.read_bytes()[: webm.stat().st_size // 2])
    out = load_audio(str(half))
    assert out.seconds < 3 and out.notices and out.notices[0].startswith(
        "Audio: the file ends early (cut off or damaged): it says 4.0 s")


@pytest.mark.parametrize("suffix", ["wav", "flac", "ogg", "mp3", "caf"])  # CAF: a Mac's own
def test_audio_formats_stereo_any_rate(suffix, tmp_path):
    rate = 44100
    t = np.arange(rate) / rate
    left = 0.3 * np.sin(2 * np.pi * 440 * t)
    stereo = np.stack([left, -0.5 * left], axis=1).astype(np.float32)
    path = tmp_path / f"clip.{suffix}"
    sf.write(path, stereo, rate)
    out = load_audio(str(path), sample_rate=16000)
    assert out.sample_rate == 16000
    assert out.waveform.ndim == 1 and out.waveform.dtype == np.float32
    assert abs(out.seconds - 1.0) < 0.1  # mp3 adds a little padding
    # mono is the mean of the channels: (0.3 - 0.15) / 2 = 0.075 peak
    assert 0.06 < np.abs(out.waveform).max() < 0.09


def test_audio_gradio_tuple_int16_and_trim():
    rate = 8000
    data = (np.sin(np.arange(rate * 40) / 5) * 20000).astype(np.int16)
    out = load_audio((rate, data), sample_rate=16000, max_seconds=30)
    assert out.seconds == pytest.approx(30.0, abs=1e-3)
    assert out.original_seconds == pytest.approx(40.0)
    assert "first 30 s of 40.0 s" in out.notices[0]
    assert np.abs(out.waveform).max() <= 1.0


def test_audio_a_little_longer_than_the_limit_says_its_length_apart_from_the_limit():
    """30.04 s read "only the first 30 s of 30.0 s were used": said to the decimal that tells them apart."""
    rate = 8000
    out = load_audio((rate, np.full(int(rate * 30.04), 0.1, np.float32)), max_seconds=30)
    assert out.notices == ["Audio: only the first 30 s of 30.04 s were used."]


def test_audio_channels_first_is_transposed():
    data = np.zeros((2, 16000), np.float32)
    data[0] = 0.5
    out = load_audio((16000, data))
    assert out.waveform.shape == (16000,)
    assert out.waveform.max() == pytest.approx(0.25)


def test_audio_silent_clip_gets_notice():
    out = load_audio((16000, np.zeros(16000, np.float32)))
    assert "silent" in out.notices[0]


def test_an_empty_file_is_said_to_be_empty(tmp_path):
    for name, load in (("empty.wav", load_audio), ("empty.png", load_image)):
        (tmp_path / name).write_bytes(b"")
        with pytest.raises(InputError, match=f"'{name}' cannot be used: the file is empty"):
            load(str(tmp_path / name))
        with pytest.raises(InputError, match="the file is empty"):
            load(b"")


def test_audio_in_the_formats_phones_and_browsers_make_is_read(tmp_path):
    """M4A (AAC: a phone's voice memo), Opus in Ogg and in WebM, and the sound track of a video file are read
    (PyAV), from a path or bytes, as the same speech; a video without sound says so."""
    import av

    from msa_demo.modalities.video import write_clip

    rate = 16000
    t = np.arange(2 * rate) / rate
    voice = (0.4 * np.sin(2 * np.pi * (200 + 300 * t) * t)).astype(np.float32)  # a chirp: one lag fits
    made = {}
    for name, codec, fmt in (("memo.m4a", "aac", "ipod"), ("note.opus", "libopus", "ogg"),
                             ("note.webm", "libopus", "webm")):
        with av.open(str(tmp_path / name), "w", format=fmt) as out:
            st = out.add_stream(codec, rate=48000)
            st.layout = "mono"
            up = np.repeat(voice, 3)[None, :]  # 48 kHz
            frame = av.AudioFrame.from_ndarray(up, format="flt" if codec == "libopus" else "fltp", layout="mono")
            frame.sample_rate = 48000
            for packet in [*st.encode(frame), *st.encode(None)]:
                out.mux(packet)
        made[name] = tmp_path / name
    frames = [np.zeros((32, 32, 3), np.uint8)] * 20
    made["clip.mp4"] = write_clip(tmp_path / "clip.mp4", frames, fps=10, sound=(rate, voice))
    made["clip.avi"] = write_clip(tmp_path / "clip.avi", frames, fps=10, sound=(rate, voice))  # PCM in AVI
    for name, path in made.items():
        for given in (str(path), path.read_bytes()):
            clip = load_audio(given)
            assert abs(clip.seconds - 2.0) < 0.15 and clip.sample_rate == 16000, name  # AAC pads a frame or two
            n = min(clip.waveform.size, voice.size) - 2000  # codec delay and padding aside, the same sound
            lag = int(np.argmax(np.correlate(clip.waveform[:n], voice[1000:3000], "valid")))
            assert abs(lag - 1000) < 1200, name  # the codec's delay at most
            assert np.corrcoef(clip.waveform[lag:lag + 8000], voice[1000:9000])[0, 1] > 0.9, name
    from msa_demo.inputs import AUDIO_SUFFIXES
    from msa_demo.modalities.video import VIDEO_SUFFIXES

    assert set(VIDEO_SUFFIXES) - {".gif"} <= set(AUDIO_SUFFIXES)  # every clip's sound track, as --audio too
    mute = write_clip(tmp_path / "mute.mp4", frames, fps=10)
    with pytest.raises(InputError) as err:
        load_audio(str(mute))
    assert str(err.value) == "'mute.mp4' holds no sound (it is a video without a sound track)."


def test_audio_failures(tmp_path):
    with pytest.raises(InputError, match="empty"):
        load_audio((16000, np.zeros(0, np.float32)))
    with pytest.raises(InputError, match="too short"):
        load_audio((16000, np.zeros(100, np.float32)))
    bad = tmp_path / "broken.wav"
    bad.write_bytes(b"RIFF0000WAVEfmt garbage")
    with pytest.raises(InputError, match="'broken.wav' could not be decoded"):
        load_audio(str(bad))
    txt = tmp_path / "notes.txt"
    txt.write_text("hello")
    with pytest.raises(InputError, match="not a supported audio file"):
        load_audio(str(txt))
    with pytest.raises(InputError, match="No audio file was found"):
        load_audio(str(tmp_path / "nope.wav"))
    with pytest.raises(InputError, match="invalid samples"):
        load_audio((16000, np.full(16000, np.nan, np.float32)))
    with pytest.raises(InputError, match="impossible sample rate"):
        load_audio((0, np.zeros(16000, np.float32)))
    with pytest.raises(InputError, match="not list"):
        load_audio([1, 2, 3])
    with pytest.raises(InputError, match="could not be decoded"):
        load_audio(b"not audio bytes at all")


@pytest.mark.parametrize("picture", ["transparent", "sixteen_bit"])
def test_the_page_s_picture_box_hands_the_upload_on_as_it_came(picture, tmp_path):
    """Gradio converted an upload to RGB before the reader saw it: a transparent background turned black and a
    16-bit picture white. The page's box hands the file on, so it reads as the same file given by path."""
    from gradio.data_classes import ImageData

    from msa_demo.kinds import image

    path = tmp_path / f"{picture}.png"
    if picture == "transparent":
        rgba = np.zeros((40, 40, 4), np.uint8)
        rgba[10:30, 10:30] = (200, 30, 30, 255)  # a red square on a transparent (black underneath) background
        Image.fromarray(rgba, "RGBA").save(path)
    else:
        Image.fromarray((np.arange(1600, dtype=np.uint16).reshape(40, 40) * 40)).save(path)
    uploaded = image.widget().preprocess(ImageData(path=str(path), orig_name=path.name))
    want = np.asarray(load_image(str(path)).image)
    assert np.array_equal(np.asarray(load_image(uploaded).image), want)
    assert want[0, 0].tolist() == [255, 255, 255] if picture == "transparent" else 0 < want.mean() < 250


def test_stereo_channels_that_cancel_out_are_not_heard_as_silence():
    """A recording whose second channel is wired in opposite phase averaged to silence ("the clip is silent"); the
    louder channel is read alone then, while ordinary stereo is still averaged."""
    rate = 16000
    voice = 0.5 * np.sin(2 * np.pi * 220 * np.arange(rate) / rate).astype(np.float32)
    out = load_audio((rate, np.stack([voice, -voice], axis=1)))
    assert np.allclose(out.waveform, voice, atol=1e-6) and not out.notices
    left_only = load_audio((rate, np.stack([voice, np.zeros_like(voice)], axis=1)))
    assert np.allclose(left_only.waveform, voice / 2, atol=1e-6)  # not cancelling: averaged as before


@pytest.mark.parametrize("given, kind, said", [
    ("face_turns.mp4", "image", "'face_turns.mp4' is a video, not a picture: give it as a video."),
    ("positive_speech.wav", "image", "'positive_speech.wav' is an audio clip, not a picture: give it as audio."),
    ("happy_face.png", "audio", "'happy_face.png' is a picture, not an audio clip: give it as an image."),
    ("happy_face.png", "video", "'happy_face.png' is a picture, not a video: give it as an image."),
    ("https://example.com/a.png", "image", "'https://example.com/a.png' is a URL, not a file on this machine: "
                                           "download it first (explain-batch reads URLs in a manifest)."),
    ("s3://bucket/a.wav", "audio", "'s3://bucket/a.wav' is a URL, not a file on this machine: download it first "
                                   "(explain-batch reads URLs in a manifest)."),
])
def test_a_file_given_in_the_wrong_box_says_where_it_goes(given, kind, said):
    """A video given as a picture was 'could not be read as a picture ... damaged', a picture given as audio 'not a
    supported audio file'; a URL was 'No image file was found at https:/example.com/a.png' (its // folded)."""
    from msa_demo.i18n import said as in_language
    from msa_demo.modalities.video import load_video

    read = {"image": load_image, "audio": load_audio, "video": load_video}[kind]
    path = given if "://" in given else str(EXAMPLES / given)
    with pytest.raises(InputError) as err:
        read(path)
    assert str(err.value) == said and in_language(said, "zh") != said


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP"])
def test_a_picture_under_a_sound_s_name_is_said_to_be_a_picture(tmp_path, fmt):
    """A PNG saved as 'a.wav' was "holds no sound (it is a video without a sound track)": FFmpeg reads a still
    picture as a video of one frame."""
    from msa_demo.i18n import said as in_language

    Image.new("RGB", (20, 20)).save(wav := tmp_path / "a.wav", fmt)
    with pytest.raises(InputError) as err:
        load_audio(str(wav))
    assert str(err.value) == "'a.wav' is a picture, not an audio clip: give it as an image."
    assert in_language(str(err.value), "zh") != str(err.value)


@pytest.mark.parametrize("name, kind, what", [("notes.jpg", "audio", "a picture's"), ("notes.jpg", "video", "a picture's"),
                                              ("notes.mp4", "image", "a video's"), ("notes.wav", "image",
                                                                                    "an audio clip's")])
def test_a_file_that_only_has_another_kind_s_name_is_said_to_hold_none(name, kind, what, tmp_path):
    """A text saved as 'notes.jpg', given as audio, was "a picture, not an audio clip: give it as an image", and
    given as an image it was refused again."""
    from msa_demo.i18n import said as in_language
    from msa_demo.modalities.video import load_video

    path = tmp_path / name
    path.write_text("these are my notes, not a picture\n" * 20)
    with pytest.raises(InputError) as err:
        {"image": load_image, "audio": load_audio, "video": load_video}[kind](str(path))
    said = str(err.value)
    assert said == f"'{name}' has {what} name ({path.suffix}) but holds none; it may be damaged or another kind of file."
    assert in_language(said, "zh") != said


@pytest.mark.parametrize("kind", ["image", "audio", "video"])
def test_a_folder_given_as_a_file_says_it_is_a_folder(kind, tmp_path):
    from msa_demo.modalities.video import load_video

    read = {"image": load_image, "audio": load_audio, "video": load_video}[kind]
    folder = tmp_path / "clips"
    folder.mkdir()
    with pytest.raises(InputError, match=f"'clips' is a folder, not an? {kind} file; give the file itself"):
        read(str(folder))
    shown = f"…/{tmp_path.parent.name}/{tmp_path.name}/gone.x"  # an absolute path: its last three parts
    with pytest.raises(InputError, match=f"No {kind} file was found at '{shown}'"):
        read(str(tmp_path / "gone.x"))
