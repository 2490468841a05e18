"""Pictures and clips of several faces, and faces in phone photos (the lite face model reads one face)."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from PIL import Image

from msa_demo.i18n import said

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def _examples() -> tuple[Image.Image, Image.Image]:
    return (Image.open(EXAMPLES / "frown_face.png").convert("RGB"),
            Image.open(EXAMPLES / "happy_face.png").convert("RGB"))


def _side_by_side(*pictures: Image.Image) -> Image.Image:
    canvas = Image.new("RGB", (256 * len(pictures), 256))
    for i, picture in enumerate(pictures):
        canvas.paste(picture, (256 * i, 0))
    return canvas


def test_a_picture_of_several_faces_says_how_many_and_which_one_was_read(lite, tmp_path, capsys, monkeypatch):
    """frown|happy|frown side by side read POSITIVE 100 % with the picture alone, frown|happy negative, happy|frown
    positive, and the reading said only {"face_found": true}: one face, silently, chosen by no rule a person could
    tell. The leftmost of faces about as large is read now, the notice says how many there were and which, and the
    reading records both: in the prediction, the explanation's reading and the command line's JSON."""
    from msa_demo.__main__ import main
    from msa_demo.explain import reading_record
    from msa_demo.model import MultimodalSentimentModel

    frown, smile = _examples()
    for order, verdict in (((frown, smile, frown), "negative"), ((smile, frown), "positive"),
                           ((frown, smile), "negative"), ((smile, frown, smile), "positive")):
        inputs = lite.read_inputs(image=_side_by_side(*order))
        pred = lite.predict(inputs=inputs)
        n = len(order)
        notice = (f"Image: {n} faces were found; the face model reads one face: of the {n} about as large, the "
                  "leftmost, at the top left of the picture, was read, not the others.")
        assert pred.label == verdict and notice in pred.notices, (verdict, pred.label, pred.notices)
        assert said(notice, "zh").startswith(f"图片：找到了 {n} 张人脸；人脸模型只读取一张脸")
        record = reading_record(lite, inputs, ["image"])["image"]
        assert record["face_found"] is True and record["faces_found"] == n
        assert record["face_read"]["where"] == "at the top left" and record["face_read"]["about_as_large"] == n
        assert record["face_read"]["box"][2] < 256  # the leftmost picture's face
        # the heat maps are drawn on the face read: the model input's box is that face's
        assert tuple(lite.encode("image", inputs.image)[0].info["box"]) == tuple(record["face_read"]["box"])
    one = lite.read_inputs(image=smile)
    assert not any("faces were found" in n for n in lite.predict(inputs=one).notices)
    assert reading_record(lite, one, ["image"])["image"]["faces_found"] == 1
    path = tmp_path / "three.png"
    _side_by_side(frown, smile, frown).save(path)
    monkeypatch.setattr(MultimodalSentimentModel, "from_preset", classmethod(lambda cls, *a, **k: lite))
    assert main(["predict", "--image", str(path), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["label"] == "negative" and any(n.startswith("Image: 3 faces were found") for n in out["notices"])


def _photo(side: int) -> Image.Image:
    """The smiling example portrait drawn ``side`` px wide on a grey 4032 x 3024 canvas (a phone photo's size)."""
    canvas = Image.new("RGB", (4032, 3024), (128, 128, 128))
    canvas.paste(_examples()[1].resize((side, side), Image.BICUBIC), (1300, 1000))
    return canvas


def test_a_phone_photo_s_face_is_read_and_one_too_small_to_find_is_told_to_be_cropped(lite, lite_dashboard, tmp_path):
    """The example portrait 800 px wide on a 4032 x 3024 canvas (its face ~175 px) was "no face, so the face model
    abstains", with the advice to read a picture without a face as a face (the whole scene as a face). It is found
    and read now; a face too small to find (the portrait at 300 px: ~66 px) is told to be cropped to, in the size
    given, in every way in."""
    from msa_demo.api import CodeApi
    from msa_demo.cli import ADD_INPUTS
    from msa_demo.errors import NoFace
    from msa_demo.explain import NO_FACE_IN_PHOTO_LEFT_OUT, NO_FACE_LEFT_OUT, reading_record
    from msa_demo.views.story import reading_warnings

    inputs = lite.read_inputs(image=_photo(800))
    assert lite.predict(inputs=inputs).label == "positive"
    assert reading_record(lite, inputs, ["image"])["image"]["faces_found"] == 1

    small = lite.read_inputs(image=_photo(300))
    record = reading_record(lite, small, ["image"])["image"]
    assert record["face_found"] is False and record["size_given"] == [4032, 3024]
    assert record["smallest_face"] == 126  # 32 px of the 1024-px picture read
    with pytest.raises(NoFace) as refused:
        lite.face_check(small)
    line = refused.value.said("Add --text, --audio or --video, or give --face-anyway to read it as a face all the "
                              "same.", ADD_INPUTS)
    assert line.startswith("No face was found in the picture, so the face model abstains, and nothing else is given "
                           "to read. Crop the picture to the face, or add --text, --audio or --video instead: a face "
                           "under 126 px across in a 4032×3024 picture is too small to find.")
    assert "face-anyway" not in line and "downscaled from 4032×3024" in line
    assert said(line, "zh").startswith("图片中没有找到人脸，因此人脸模型弃权，而且没有提供其他可读取的内容。请把图片裁剪到人脸")
    text = "The meeting is at ten in the room on the second floor."
    both = lite.read_inputs(text=text, image=_photo(300))
    notice = NO_FACE_IN_PHOTO_LEFT_OUT.format(px="126", size="4032×3024")
    assert lite.face_check(both) == (["image"], notice)
    assert said(notice, "zh").endswith("请把图片裁剪到人脸。")
    # the page's line beside the verdict (the picture switched on but not read)
    [warning] = reading_warnings({"used": ["text"], "switched_off": ["image"]}, {"image": record})
    assert "crop the picture to the face" in warning and "Advanced" not in warning
    # a small picture without a face keeps its advice: it is not a photo with a face too small in it
    scene = lite.read_inputs(text=text, image=str(EXAMPLES / "neutral_scene.png"))
    assert lite.face_check(scene) == (["image"], NO_FACE_LEFT_OUT)
    path = tmp_path / "photo.png"
    _photo(300).save(path)
    uri = "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode()
    with pytest.raises(Exception, match="Crop the picture to the face, or add text, audio or video instead: a face "
                                        "under 126 px across in a 4032×3024 picture"):
        CodeApi(lite_dashboard(warm=False)).predict(image=uri)


def test_a_face_with_its_eyes_covered_is_not_read_from_the_wall_beside_it(lite):
    """The astronaut with a dark bar over her eyes read NEGATIVE 72 %, both maps ticked, with no notice: the face read
    was a patch of wall by the shuttle, (136, 55, 212, 132), the page said the maps were drawn over "the face that
    was found" there. Her face is not found now, and nothing else is taken for it: the face model abstains as on a
    picture without a face (alone: no verdict, with the choice to read it as a face all the same)."""
    from test_lite_face import covered

    from msa_demo.errors import NoFace
    from msa_demo.explain import NO_FACE_LEFT_OUT, reading_record

    alone = lite.read_inputs(image=covered("a dark bar over the eyes"))
    record = reading_record(lite, alone, ["image"])["image"]
    assert record["face_found"] is False and record["faces_found"] == 0 and "face_read" not in record
    with pytest.raises(NoFace, match="No face was found in the picture, so the face model abstains"):
        lite.face_check(alone)
    both = lite.read_inputs(text="The meeting is at ten in the room on the second floor.",
                            image=covered("a dark bar over the eyes"))
    assert lite.face_check(both) == (["image"], NO_FACE_LEFT_OUT)
    pred = lite.predict(inputs=both)
    assert pred.abstained == ["image"] and NO_FACE_LEFT_OUT in pred.notices
    # a hand over her mouth hides less: her face is found and read, where it is
    hand = lite.read_inputs(image=covered("a hand over the mouth"))
    box = reading_record(lite, hand, ["image"])["image"]["face_read"]["box"]
    assert 84 <= (box[0] + box[2]) / 2 <= 141 and 28 <= (box[1] + box[3]) / 2 <= 85, box


def test_a_clip_of_two_faces_says_that_the_largest_in_each_frame_was_read(lite, tmp_path):
    """A clip of a smiling face at the left and a frowning one at the right read the frown alone ("Video alone"
    negative 90 %), with no notice. The leftmost of faces about as large is read in each frame, as in a picture,
    and the notice and the reading say that more than one face was seen."""
    from msa_demo.explain import reading_record
    from msa_demo.kinds.video import SEVERAL_FACES
    from msa_demo.modalities.video import write_clip

    frown, smile = _examples()
    frame = Image.new("RGB", (640, 360), (120, 130, 140))
    frame.paste(smile.resize((220, 220)), (60, 70))
    frame.paste(frown.resize((220, 220)), (360, 70))
    path = write_clip(tmp_path / "two.mp4", [frame] * 6, fps=2)
    inputs = lite.read_inputs(video=str(path))
    pred = lite.predict(inputs=inputs, use=["video"])
    frames = len(inputs.video.frames)
    notice = SEVERAL_FACES.format(k=frames, n=frames, most=2)
    assert pred.label == "positive" and notice in pred.notices, (pred.label, pred.notices)
    assert said(notice, "zh").startswith(f"视频：{frames} 帧中有 {frames} 帧找到了不止一张人脸")
    record = reading_record(lite, inputs, ["video"])["video"]
    assert record["frames_with_several_faces"] == frames and record["most_faces_in_a_frame"] == 2
    assert all(box[2] < 320 for box in inputs.video.faces)  # each frame's left face
    alone = lite.read_inputs(video=str(write_clip(tmp_path / "one.mp4", [smile.resize((320, 320))] * 4, fps=2)))
    assert not any("more than one face" in n for n in alone.video.notices)


def test_the_maps_of_a_face_in_a_phone_photo_carry_the_face_s_own_detail(lite):
    """The maps of a face found in a larger picture were stored over the whole picture at 256 px: the portrait's face
    in a 4032 x 3024 photo (48 px of the 1024 px read) had 12 px of map, enlarged smoothly to 384 px on the page. They
    cover the face and its margin now (``params.heatmap_box``, the area the page draws them over), at its own detail;
    each of the 7 x 7 occlusion cells has its own pixels."""
    import numpy as np

    from msa_demo import views
    from msa_demo.explain import ExplainOptions, attribute_regions
    from msa_demo.explain.result import map_area
    from msa_demo.kinds.image import record

    inputs = lite.read_inputs(image=_photo(800))
    (m,) = attribute_regions(lite, inputs, "positive", ExplainOptions(seed=0, grid=7), methods=["occlusion"])
    box, area = m.params["box"], m.params["heatmap_box"]
    assert m.params["grid_over"] == "face" and area == list(map_area(inputs.image.image.size, box))
    hm = np.asarray(m.heatmap)
    width, height = area[2] - area[0], area[3] - area[1]
    assert hm.shape == (height, width) or max(hm.shape) == 256  # the area at its own size (≤ 256 px)
    face_px = (box[2] - box[0]) * hm.shape[1] / width  # the face's width in map pixels
    assert face_px >= 40, face_px  # (it was 12 over the whole picture)
    cells = np.asarray(m.scores).reshape(7, 7)
    row = hm[round((box[1] - area[1] + (box[3] - box[1]) * 3.5 / 7) * hm.shape[0] / height)]  # the middle row
    x0 = (box[0] - area[0]) * hm.shape[1] / width
    for c in range(7):  # each cell's own value at its centre, as scored
        at = row[int(x0 + face_px * (c + 0.5) / 7)]
        assert abs(at - cells[3, c]) <= 0.25 * abs(cells).max() + 1e-9, (c, at, cells[3, c])
    exp = {"target": "positive", "prediction": {"label": "positive", "used": ["image"]},
           "inputs": record(inputs.image), "maps": [m.to_dict()]}
    assert views.face_read(exp)["crop"] == tuple(area)
    (drawn, _), = views.image_overlays(exp)
    assert abs(drawn.size[0] / drawn.size[1] - width / height) < 0.02
