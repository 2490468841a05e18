"""The running app through gradio_client: predict, toggle, explain, report, and clean errors."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from serving import serve

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))



@pytest.fixture(scope="module")
def english_preset(tiny_preset_path, tmp_path_factory):
    """The tiny preset, its text model declared English-only (as the lite preset's is)."""
    import json

    data = json.loads(Path(tiny_preset_path).read_text(encoding="utf-8"))
    data["modalities"]["text"].setdefault("options", {})["languages"] = ["en"]
    path = tmp_path_factory.mktemp("english") / "tiny_english.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def server(english_preset):
    import app
    from msa_demo import ui

    dash = ui.Dashboard.load(str(english_preset), fallback=None, device="cpu")
    yield from serve(app.build_demo(dash), max_file_size=app.MAX_FILE_SIZE)


@pytest.fixture(scope="module")
def client(server):
    from gradio_client import Client

    return Client(server, verbose=False)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    import numpy as np
    import soundfile as sf
    from PIL import Image

    d = tmp_path_factory.mktemp("client_inputs")
    rng = np.random.default_rng(0)
    Image.fromarray(rng.integers(0, 255, (48, 64, 3), dtype=np.uint8)).save(d / "face.png")
    t = np.arange(16000) / 16000.0
    sf.write(d / "voice.wav", (0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32), 16000)
    (d / "broken.png").write_bytes(b"not an image at all")
    (d / "broken.wav").write_bytes(b"RIFF not really a wave file")
    (d / "empty.wav").write_bytes(b"")
    (d / "empty.png").write_bytes(b"")
    return d


def _args(files, text="I love this", use=(True, True, True)):
    from gradio_client import handle_file

    return [None, text, handle_file(str(files / "face.png")), handle_file(str(files / "voice.wav")), *use]


def test_named_endpoints(client):
    api = client.view_api(print_info=False, return_format="dict")
    assert {"/predict", "/explain", "/report"} <= set(api["named_endpoints"])


def test_predict_and_toggle(client, files):
    fused, text, image, audio, notes, _video = client.predict(*_args(files), api_name="/predict")
    assert fused["label"] in ("negative", "neutral", "positive")
    assert text and image and audio
    off = client.predict(*_args(files, use=(True, False, True)), api_name="/predict")
    assert off[2] in (None, {}) or not off[2].get("confidences")
    assert "switched off: image" in off[4]


def test_explain_and_report(client, files):
    job = client.submit(*_args(files), image_method="occlusion", grid=3, ig_steps=8, api_name="/explain")
    result = job.result(timeout=120)
    outputs = job.outputs()
    assert len(outputs) >= 2  # streamed: prediction first, then the explanation
    # a client keeps the last step only: it carries every part, as plain values (not the page's "unchanged")
    assert result[0]["label"] in ("positive", "neutral", "negative") and result[1]["label"]
    assert result[4].startswith("###") and "integrated gradients" in result[11]
    assert [w["token"] for w in result[6]] and isinstance(result[8], list) and result[8]  # words, heat maps
    assert not any(isinstance(v, dict) and v.get("__type__") == "update" for v in result)
    html_path = result[-6]  # then the what-if panel, the video's verdict, moments plot and key frame
    json_path = result[-5]
    assert "What would change its mind?" in result[-4]  # on by default in the dashboard
    page = Path(html_path).read_text(encoding="utf-8")
    assert "<!DOCTYPE html>" in page and "<svg" in page  # static charts, no plotting library inside
    assert Path(json_path).suffix == ".json"
    report_path = client.predict(api_name="/report")
    assert Path(report_path).read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


@pytest.mark.parametrize("text, image, audio, message", [
    ("", None, None, "at least one input"),
    ("", "broken.png", None, "could not be read as a picture"),
    ("", None, "broken.wav", "could not be decoded"),
    ("", None, "empty.wav", "the file is empty"),
    ("", "empty.png", None, "the file is empty"),
])
def test_bad_inputs_give_clean_errors(client, files, text, image, audio, message):
    from gradio_client import handle_file
    from gradio_client.exceptions import AppError

    img = handle_file(str(files / image)) if image else None
    aud = handle_file(str(files / audio)) if audio else None
    with pytest.raises(AppError, match=message) as info:
        client.predict(None, text, img, aud, True, True, True, api_name="/predict")
    assert "Traceback" not in str(info.value)
    # the app keeps serving
    assert client.predict(*_args(files), api_name="/predict")[0]["label"]


def test_an_unknown_preset_and_a_compare_without_video_from_a_client(client):
    """A preset no one loaded is the dashboard's one line (Gradio's own check had answered with its choices and
    written a traceback to the server log); /compare, like /explain, takes the built-ins' values without the video
    (a client had been refused: "No value provided for required argument: video")."""
    from gradio_client.exceptions import AppError

    for api in ("/predict", "/explain"):
        with pytest.raises(AppError, match="The preset 'nosuch' is not loaded. Pick one of"):
            client.predict("nosuch", "hi", None, None, True, True, True, api_name=api)
    params = client.view_api(return_format="dict")["named_endpoints"]["/compare"]["parameters"]
    video = next(p for p in params if p["parameter_name"] == "video")
    assert video["parameter_has_default"] and video["parameter_default"] is None  # as on /explain
    with pytest.raises(AppError, match="The preset 'nosuch' could not be loaded for the comparison"):
        client.predict(None, "What a lovely day!", None, None, True, True, True, other="nosuch", api_name="/compare")


def test_report_before_explain_is_a_clean_error(server):
    from gradio_client import Client
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError, match="no explanation yet"):
        Client(server, verbose=False).predict(api_name="/report")


def test_text_in_a_language_the_model_does_not_cover_is_warned(client):
    *_, notes, _video = client.predict(None, "这家餐厅的服务太糟糕了，我再也不来了", None, None, True, True, True,
                               api_name="/predict")
    assert "Chinese" in notes and "outside this model" in notes
    *_, notes, _video = client.predict(None, "I am really disappointed with this phone", None, None, True, True, True,
                               api_name="/predict")
    assert "outside this model" not in notes


@pytest.mark.parametrize("name", ["Cross-modal conflict", "Clearly positive"])
def test_report_of_a_curated_example_is_light(client, name):
    import json

    from gradio_client import handle_file

    example = next(e for e in json.loads((ROOT / "examples" / "examples.json").read_text()) if e["name"] == name)
    job = client.submit(None, example["text"], handle_file(str(ROOT / "examples" / example["image"])),
                        handle_file(str(ROOT / "examples" / example["audio"])), True, True, True, ig_steps=8,
                        api_name="/explain")
    html_path = job.result(timeout=300)[-5]
    page = Path(html_path).read_text(encoding="utf-8")
    size = len(page.encode("utf-8"))
    print(f"\n[report] {name}: {size / 1e6:.2f} MB")
    assert size <= 2_000_000
    assert page.count('"audio_wav_b64"') == 1 and page.count('"image_png_b64"') == 1  # one copy of the JSON
    assert "Plotly" not in page and "<script src" not in page


def test_compare_from_a_client_answers_values_not_widget_updates(client, english_preset):
    """/compare handed a client the page's widget updates ({'__type__': 'update', 'value': ...}, a words box's
    {'color_map': ..., 'value': ...}) where /explain hands values; it hands values too."""
    out = client.predict(None, "What a lovely day!", None, None, True, True, True, other=str(english_preset),
                         api_name="/compare")
    named = [r["label"]["key"] if isinstance(r["label"], dict) else r["label"]  # (a translated label: its key)
             for r in client.view_api(return_format="dict")["named_endpoints"]["/compare"]["returns"]]
    assert len(out) == len(named)
    for label, value in zip(named, out):
        assert not (isinstance(value, dict) and ("__type__" in value or "color_map" in value)), (label, value)
    words = out[named.index("A: words")]
    assert isinstance(words, list) and any("lovely" in str(w) for w in words)
