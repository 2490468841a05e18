"""One rule for a picture without a face, whoever asks: the model's own prediction leaves it out.

The dashboard, the command line, the JSON endpoints and dataset mode each left out a picture in which the lite face
model finds no face ("no face: the face model abstained"), but code that called the model itself (the README's
``MultimodalSentimentModel.from_preset("lite").predict(...)``, ``explain(model, inputs)``) had a landscape read as a
face, and a verdict that used it. The rule lives in the model now (``face_check``), with the same opt-in.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image, ImageDraw

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
TEXT = "The meeting is at ten in the room on the second floor."


def landscape() -> Image.Image:
    """A drawn landscape (sky, a hill, grass, a sun): no face in it."""
    img = Image.new("RGB", (320, 200), (120, 180, 240))
    draw = ImageDraw.Draw(img)
    draw.rectangle((0, 130, 320, 200), fill=(60, 140, 60))
    draw.polygon([(40, 130), (120, 50), (200, 130)], fill=(110, 100, 90))
    draw.ellipse((240, 20, 280, 60), fill=(250, 220, 80))
    return img


def test_a_picture_without_a_face_is_left_out_of_a_prediction_made_from_code(lite):
    from msa_demo.errors import NothingRead
    from msa_demo.explain import NO_FACE_LEFT_OUT

    pred = lite.predict(text=TEXT, image=landscape())
    assert pred.used == ["text"] and pred.abstained == ["image"] and pred.switched_off == []
    assert NO_FACE_LEFT_OUT in pred.notices  # why, in the words every other way in uses
    assert "image" not in pred.modalities
    assert pred.probs == lite.predict(text=TEXT).probs  # the verdict is the words' alone
    as_dict = pred.to_dict()
    assert as_dict["abstained"] == ["image"] and NO_FACE_LEFT_OUT in as_dict["notices"]
    with pytest.raises(NothingRead) as refused:  # alone: no verdict, and how to have it read all the same
        lite.predict(image=landscape())
    assert str(refused.value).startswith("No face was found in the picture, so the face model abstains, and nothing "
                                         "else is given to read.")
    assert "face_anyway=True" in str(refused.value)


def test_face_anyway_reads_it_as_a_face_and_a_face_is_read(lite):
    from msa_demo.explain import NO_FACE_LEFT_OUT

    anyway = lite.predict(text=TEXT, image=landscape(), face_anyway=True)
    assert anyway.used == ["text", "image"] and anyway.abstained == []
    assert "Image: no face was found, so the whole picture was read as a face." in anyway.notices
    alone = lite.predict(image=landscape(), face_anyway=True)
    assert alone.used == ["image"]
    face = lite.predict(text=TEXT, image=str(EXAMPLES / "happy_face.png"))
    assert face.used == ["text", "image"] and face.abstained == [] and NO_FACE_LEFT_OUT not in face.notices
    assert face.modalities["image"].label == "positive"


def test_an_explanation_made_from_code_leaves_it_out_too(lite):
    from msa_demo.errors import NothingRead
    from msa_demo.explain import NO_FACE_LEFT_OUT, ExplainOptions, explain
    from msa_demo.explain.result import every_notice

    fast = ExplainOptions(ig_max_steps=8, deletion_steps=2, image_methods=("occlusion",), grid=4)
    exp = explain(lite, lite.read_inputs(text=TEXT, image=landscape()), options=fast)
    assert exp.prediction.used == ["text"] and exp.prediction.abstained == ["image"]
    assert {m.modality for m in exp.maps} == {"text"} and exp.reading["image"]["face_found"] is False
    assert NO_FACE_LEFT_OUT in every_notice(exp.to_dict())
    with pytest.raises(NothingRead, match="No face was found in the picture"):
        explain(lite, lite.read_inputs(image=landscape()), options=fast)
    anyway = explain(lite, lite.read_inputs(text=TEXT, image=landscape()), options=fast, face_anyway=True)
    assert anyway.prediction.used == ["text", "image"] and "image" in {m.modality for m in anyway.maps}
