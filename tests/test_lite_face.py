"""Offline facial-expression model (PyTorch port of fer's mini-XCEPTION) and Haar face finding."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from fer_reference import keras_weights_from_torch_state, reference_logits_and_probs
from msa_demo.lite.face import (
    FACE_LABELS,
    WEIGHTS_PATH,
    MiniXception,
    face_tensor,
    find_face,
    load_face_model,
)

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


@pytest.fixture(scope="module")
def model():
    return load_face_model()


@pytest.fixture(scope="module")
def astronaut():
    skdata = pytest.importorskip("skimage.data")
    return Image.fromarray(skdata.astronaut())


@pytest.fixture(scope="module")
def keras_reference():
    """(Keras model_config, Keras-layout numpy weights) rebuilt from the committed safetensors."""
    from safetensors import safe_open

    with safe_open(str(WEIGHTS_PATH), framework="np") as f:
        config = json.loads(f.metadata()["keras_model_config"])
        state = {k: f.get_tensor(k) for k in f.keys()}
    return config, keras_weights_from_torch_state(state)


@pytest.mark.lite
def test_weights_file_and_architecture(model):
    assert WEIGHTS_PATH.suffix == ".safetensors" and WEIGHTS_PATH.is_file()
    assert isinstance(model, MiniXception) and not model.training
    assert FACE_LABELS == ("angry", "disgust", "fear", "happy", "sad", "surprise", "neutral")
    assert sum(p.numel() for p in model.parameters()) == 56_951
    bns = [m for m in model.modules() if isinstance(m, torch.nn.BatchNorm2d)]
    assert len(bns) == 14 and all(m.eps == 1e-3 for m in bns)


def test_load_rejects_non_safetensors(tmp_path):
    with pytest.raises(ValueError):
        load_face_model(tmp_path / "weights.pt")


@pytest.mark.lite
def test_port_matches_independent_keras_maths(model, keras_reference, astronaut):
    config, weights = keras_reference
    x = torch.rand(3, 1, 64, 64, generator=torch.Generator().manual_seed(0)) * 2 - 1
    x = torch.cat([x, face_tensor(astronaut, find_face(astronaut))])
    with torch.no_grad():
        logits = model(x).double()
    assert logits.shape == (4, 7)
    ref_logits, ref_probs = reference_logits_and_probs(config, weights, x.double().numpy())
    assert np.abs(logits.numpy() - ref_logits).max() < 1e-4
    assert np.abs(logits.softmax(-1).numpy() - ref_probs).max() < 1e-4


@pytest.mark.lite
def test_astronaut_face_is_found_and_happy(model, astronaut):
    box = find_face(astronaut)
    assert box is not None
    left, top, right, bottom = box
    assert 0 <= left < right <= astronaut.width and 0 <= top < bottom <= astronaut.height
    # Eileen Collins' face sits around x 170-280, y 60-170 in the 512x512 image
    assert left < 180 and right > 220 and top < 80 and bottom > 140
    assert 60 <= right - left <= 200 and 60 <= bottom - top <= 200
    with torch.no_grad():
        probs = model(face_tensor(astronaut, box)).softmax(-1)[0]
    assert FACE_LABELS[int(probs.argmax())] == "happy"
    assert float(probs[FACE_LABELS.index("happy")]) > 0.5


@pytest.mark.lite
def test_a_face_cropped_as_fer2013_crops_them_is_found_and_read(model, astronaut):
    """FER2013's pictures (the face model's own training data) are 48 x 48 grey face crops: under the cascade's
    smallest face (50 px) they were "no face", and the dashboard's face model abstained on them. A small picture is
    enlarged before the search; the box comes back in its own pixels, and a small crop of no face stays none."""
    left, top, right, bottom = find_face(astronaut)
    for size in (32, 48, 64):
        crop = astronaut.crop((left, top, right, bottom)).convert("L").resize((size, size), Image.BILINEAR)
        box = find_face(crop)
        assert box is not None, size
        assert box[0] < size // 4 and box[1] < size // 4 and box[2] > 3 * size // 4 and box[3] > 3 * size // 4
        assert 0 <= box[0] < box[2] <= size and 0 <= box[1] < box[3] <= size
        with torch.no_grad():
            probs = model(face_tensor(crop, box)).softmax(-1)[0]
        assert FACE_LABELS[int(probs.argmax())] == "happy", size
    sky = astronaut.crop((0, 0, 120, 120)).resize((48, 48))  # the picture's top left corner: no face in it
    assert find_face(sky) is None


def _smile_shifted(x: int) -> tuple[Image.Image, tuple[float, float, float, float]]:
    """The "Clearly positive" example's smiling face, 240 x 240, pasted at (x, 0) on a 320 x 240 grey canvas, and
    where her face is on it by construction: happy_face.png is the astronaut picture (512 x 512, face around x
    170-280, y 60-170) drawn at 256 x 256, so at 240 x 240 the face spans 240/512 of those pixels, moved by x."""
    [example] = [e for e in json.loads((EXAMPLES / "examples.json").read_text()) if e["name"] == "Clearly positive"]
    smile = Image.open(EXAMPLES / example["image"]).convert("RGB").resize((240, 240), Image.BICUBIC)
    canvas = Image.new("RGB", (320, 240), (128, 128, 128))
    canvas.paste(smile, (x, 0))
    s = 240 / 512
    return canvas, (170 * s + x, 60 * s, 280 * s + x, 170 * s)


def _on_the_face(box, face) -> bool:
    """The box's centre lies on the face and the box covers most of it."""
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    ix = max(0.0, min(box[2], face[2]) - max(box[0], face[0]))
    iy = max(0.0, min(box[3], face[3]) - max(box[1], face[1]))
    return face[0] < cx < face[2] and face[1] < cy < face[3] and ix * iy > 0.7 * (face[2] - face[0]) * (face[3] - face[1])


SHIFTS = range(35, 46)


def test_the_face_is_found_not_a_larger_patch_of_background_beside_it():
    """The cascade also finds a patch of background beside the astronaut's face (by the shuttle), a little larger
    than the face; keeping the largest box, one pixel's shift (x = 35, 39, 41, 42, 44) read that patch instead, and
    the smile read negative. Every shift finds the face."""
    for x in SHIFTS:
        canvas, face = _smile_shifted(x)
        box = find_face(canvas)
        assert box is not None and _on_the_face(box, face), (x, box, face)


@pytest.mark.lite
def test_a_smile_reads_happy_wherever_it_is_on_the_canvas(model):
    """The same face moved a pixel at a time gives the same verdict (it flipped to angry/fear on the patch)."""
    verdicts = set()
    for x in SHIFTS:
        canvas, _face = _smile_shifted(x)
        with torch.no_grad():
            probs = model(face_tensor(canvas, find_face(canvas))).softmax(-1)[0]
        verdicts.add(FACE_LABELS[int(probs.argmax())])
        assert float(probs[FACE_LABELS.index("happy")]) > 0.9, (x, dict(zip(FACE_LABELS, probs.tolist())))
    assert verdicts == {"happy"}


def test_plain_grey_image_has_no_face():
    assert find_face(Image.new("RGB", (320, 240), (128, 128, 128))) is None
    assert find_face(Image.new("L", (64, 64), 200)) is None


def test_face_tensor_shape_and_range(astronaut):
    t = face_tensor(astronaut, (10, 20, 110, 170))
    assert t.shape == (1, 1, 64, 64) and t.dtype == torch.float32
    assert -1.0 <= float(t.min()) < float(t.max()) <= 1.0
    whole = face_tensor(astronaut, None)
    assert whole.shape == (1, 1, 64, 64)
    assert float(face_tensor(Image.new("L", (30, 50), 0)).min()) == -1.0
    assert float(face_tensor(Image.new("RGB", (30, 50), (255, 255, 255))).max()) == 1.0
    assert torch.allclose(face_tensor(Image.new("L", (8, 8), 51)), torch.full((1, 1, 64, 64), -0.6))


def _side_by_side(*pictures: Image.Image) -> Image.Image:
    """The example faces (256 x 256 each) pasted side by side, left to right."""
    canvas = Image.new("RGB", (256 * len(pictures), 256))
    for i, picture in enumerate(pictures):
        canvas.paste(picture, (256 * i, 0))
    return canvas


def _examples() -> tuple[Image.Image, Image.Image]:
    return (Image.open(EXAMPLES / "frown_face.png").convert("RGB"),
            Image.open(EXAMPLES / "happy_face.png").convert("RGB"))


def test_every_face_of_a_picture_is_counted_and_the_one_read_follows_a_said_rule():
    """frown|happy|frown side by side read POSITIVE 100 % (the middle face, the one the cascade was surest of),
    frown|happy negative, happy|frown positive: one face, silently, by no rule a person could tell. Every face is
    counted, and of faces about as large the leftmost is read, whatever their order."""
    from msa_demo.lite.face import find_faces

    frown, smile = _examples()
    for order in ((frown, smile, frown), (frown, smile), (smile, frown), (smile, frown, smile)):
        found = find_faces(_side_by_side(*order))
        assert found.count == len(order) and found.tied == len(order), (order, found)
        centres = [(f.box[0] + f.box[2]) / 2 for f in found.faces]
        assert [int(c // 256) for c in centres] == list(range(len(order)))  # one in each pasted picture, in order
        assert found.read == 0 and found.box == found.faces[0].box  # the leftmost
    # a larger face is read wherever it is: the frown at 256 px beside the smile at 160
    for big_first in (True, False):
        canvas = Image.new("RGB", (512, 256), (128, 128, 128))
        canvas.paste(frown, (0, 0) if big_first else (256, 0))
        canvas.paste(smile.resize((160, 160)), (300, 40) if big_first else (40, 40))
        found = find_faces(canvas)
        assert found.count == 2 and found.tied == 1, found
        assert (found.box[0] < 256) == big_first, found  # the frown's, the larger
    assert find_faces(_side_by_side(smile)).count == 1


def _on_canvas(side: int, size: tuple[int, int]) -> tuple[Image.Image, tuple[float, float, float, float]]:
    """The smiling example portrait drawn ``side`` px wide on a grey canvas of ``size`` (a phone photo's
    4032 x 3024), and where its face is: the finder's box on the picture alone, x 79-146, y 23-90 of its 256 px."""
    smile = _examples()[1].resize((side, side), Image.BICUBIC)
    canvas = Image.new("RGB", size, (128, 128, 128))
    x, y = size[0] // 3, size[1] // 3
    canvas.paste(smile, (x, y))
    k = side / 256
    return canvas, (x + 79 * k, y + 23 * k, x + 146 * k, y + 90 * k)


def test_a_face_of_ordinary_size_in_a_phone_photo_is_found():
    """The example portrait pasted 800 px wide on a 4032 x 3024 canvas (its face ~175 px across) was "no face": the
    picture is read at 1024 px, where that face is 44 px, and the cascade's smallest is 50. So was the portrait at
    200 px on a 1024 x 768 canvas. The cascade now looks in a copy enlarged so that faces of 32 px are found."""
    from msa_demo.inputs import load_image
    from msa_demo.lite.face import SMALLEST_FACE, find_face, smallest_face

    for side, size in ((800, (4032, 3024)), (600, (4032, 3024)), (200, (1024, 768)), (160, (1024, 768))):
        canvas, face = _on_canvas(side, size)
        picture = load_image(canvas, 1024).image
        k = picture.width / canvas.width
        box = find_face(picture)
        assert box is not None, (side, size)
        assert _on_the_face([v / k for v in box], face), (side, size, box)
    assert smallest_face((1024, 768)) == SMALLEST_FACE
    for size in ((640, 480), (1024, 1024), (256, 256)):  # no picture of the scenes without a face finds one
        assert find_face(Image.new("RGB", size, (128, 128, 128))) is None
    assert find_face(Image.open(EXAMPLES / "neutral_scene.png")) is None


# where the smiling example's face is (the finder's box on it, margin included) and what covers part of it
_SMILE_FACE = (84, 28, 141, 85)
_COVERS = {
    "a dark bar over the eyes": lambda d: d.rectangle((90, 44, 136, 56), fill=(10, 10, 10)),
    "sunglasses": lambda d: (d.ellipse((93, 42, 110, 56), fill=(15, 15, 15)),
                             d.ellipse((116, 42, 133, 56), fill=(15, 15, 15)),
                             d.line((110, 47, 116, 47), fill=(15, 15, 15), width=2)),
    "a mask": lambda d: d.rectangle((94, 60, 134, 84), fill=(200, 220, 230)),
    "the left half hidden": lambda d: d.rectangle((84, 28, 112, 85), fill=(120, 120, 120)),
    "small dark glasses": lambda d: (d.ellipse((96, 44, 108, 54), fill=(15, 15, 15)),
                                     d.ellipse((118, 44, 130, 54), fill=(15, 15, 15))),
    "a hand over the mouth": lambda d: d.ellipse((95, 62, 135, 88), fill=(220, 170, 140)),
    "the whole face": lambda d: d.rectangle((80, 20, 146, 92), fill=(128, 128, 128)),
}


def covered(what: str) -> Image.Image:
    """The smiling example (the astronaut photo, 256 x 256) with part of her face painted over."""
    from PIL import ImageDraw

    picture = _examples()[1].copy()
    _COVERS[what](ImageDraw.Draw(picture))
    return picture


def test_a_covered_face_is_never_swapped_for_a_patch_of_background():
    """With a dark bar over the astronaut's eyes, the cascade found no face but a patch of wall by the shuttle,
    (136, 55, 212, 132), its only box (score 1.0), and the face model read that as her face: NEGATIVE 72 %, both
    maps ticked, no notice. A box is a face now only where OpenCV's second frontal-face cascade finds one too (and the
    first scored it at least FACE_SCORE): a face too covered to find is no face (the face model abstains, as on a
    picture without one), one less covered is still found where it is, and nothing is found off the face."""
    from msa_demo.lite.face import find_faces

    for what in ("a dark bar over the eyes", "sunglasses", "a mask", "the left half hidden", "the whole face"):
        found = find_faces(covered(what))
        assert found.count == 0 and found.box is None, (what, found)
    for what in ("small dark glasses", "a hand over the mouth"):
        found = find_faces(covered(what))
        assert found.count == 1 and _on_the_face(found.box, _SMILE_FACE), (what, found)
    for picture in _examples():  # uncovered, each example's face is found, and only it
        found = find_faces(picture)
        assert found.count == 1 and _on_the_face(found.box, _SMILE_FACE), found


def test_face_like_textures_without_a_face_are_no_face():
    """Sample pictures without a face in which the cascade alone found a "face" (a mug's rim, a clock, cells, a star
    field, a cat; scores -0.3 to 3.0): no face is found in them now, so none is read as one."""
    skdata = pytest.importorskip("skimage.data")
    from msa_demo.lite.face import find_faces

    def as_read(array, times):  # as scripts/face_search_check.py: times as large, then at most 1024 px long
        image = Image.fromarray(array).convert("RGB")
        image = image.resize((image.width * times, image.height * times))
        scale = 1024 / max(image.size)
        return image.resize((round(image.width * scale), round(image.height * scale))) if scale < 1 else image

    for name, times in (("coffee", 2), ("clock", 2), ("cell", 1), ("hubble_deep_field", 2), ("chelsea", 2)):
        array = getattr(skdata, name)()
        if array.dtype != np.uint8:
            array = (array * 255).astype(np.uint8)
        found = find_faces(as_read(array, times))
        assert found.count == 0, (name, times, found)
