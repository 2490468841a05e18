"""Image: CLIP zero-shot sentiment prompts, any Hub image classifier, or the lite facial-expression net.

Every family's model input is a resize of one box of the (upright RGB) picture, ``info['box']``
(left, top, right, bottom): the whole picture, or the face that was found. Region maps made on the model
input are drawn back onto that box.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from PIL import Image

from msa_demo.errors import InputError, ModelLoadError
from msa_demo.inputs import ImageInput
from msa_demo.modalities import Modality, Prepared, from_pretrained, resolve_path


class _ImageBase(Modality):
    name = "image"
    attr_key = "pixel_values"
    size: int = 224

    def _check(self, value) -> ImageInput:
        if isinstance(value, Image.Image):
            value = ImageInput(value.convert("RGB"), [], value.size)
        if not isinstance(value, ImageInput):
            raise InputError("The image must be a picture.")
        return value

    def _processed(self, crop: Image.Image) -> torch.Tensor:
        """Pixel tensor [1, 3, S, S] through the model's own processor, with our resize (no crop)."""
        crop = crop.resize((self.size, self.size), Image.BICUBIC)
        out = self.processor(images=crop, do_resize=False, do_center_crop=False, return_tensors="pt")
        return out["pixel_values"].to(self.device, self.dtype)

    def prepare(self, value) -> Prepared:
        value = self._check(value)
        w, h = value.image.size
        return Prepared(
            inputs={"pixel_values": self._processed(value.image)},
            info={"box": (0, 0, w, h), "image_size": (w, h)},
        )

    def _model_size(self, config) -> int:
        size = getattr(config, "image_size", 224)
        return int(size[0] if isinstance(size, (list, tuple)) else size)


class CLIPZeroShot(_ImageBase):
    """CLIP scores the picture against sentiment prompts (the preset's label_map keys)."""

    model_types = ("clip",)
    needs = "a CLIP model (model_type clip: a picture and a text encoder)"
    labels_in_config = False  # its labels are the label_map's prompts

    def load(self) -> None:
        from transformers import CLIPModel, CLIPProcessor

        self.processor = from_pretrained(CLIPProcessor, self.spec)
        self.model = from_pretrained(CLIPModel, self.spec, use_safetensors=True, dtype=self.dtype)
        self.model.to(self.device).eval().requires_grad_(False)
        prompts = list(self.spec.label_map)
        if not prompts:
            raise ModelLoadError("A CLIP preset needs prompts: label_map {prompt: sentiment}.")
        self.id2label = dict(enumerate(prompts))
        with torch.no_grad():
            tok = self.processor.tokenizer(prompts, padding=True, return_tensors="pt").to(self.device)
            text = self._as_tensor(self.model.get_text_features(**tok)).float()
        self.text_embeds = torch.nn.functional.normalize(text, dim=-1)
        self.size = self._model_size(self.model.config.vision_config)

    @staticmethod
    def _as_tensor(out) -> torch.Tensor:
        return out if isinstance(out, torch.Tensor) else out.pooler_output

    def _run(self, inputs, want_features):
        img = self._as_tensor(self.model.get_image_features(pixel_values=inputs["pixel_values"])).float()
        img = torch.nn.functional.normalize(img, dim=-1)
        logits = self.model.logit_scale.exp().float() * img @ self.text_embeds.T
        return logits, (img if want_features else None)


class HFImageClassifier(_ImageBase):
    """Any transformers image classifier (e.g. a ViT facial-expression model)."""

    model_types = "MODEL_FOR_IMAGE_CLASSIFICATION_MAPPING_NAMES"
    needs = "an image classifier (a ...ForImageClassification model with its image processor)"

    def load(self) -> None:
        from transformers import AutoImageProcessor, AutoModelForImageClassification

        self.processor = from_pretrained(AutoImageProcessor, self.spec)
        self.model = from_pretrained(AutoModelForImageClassification, self.spec, use_safetensors=True, dtype=self.dtype)
        self.model.to(self.device).eval().requires_grad_(False)
        self.id2label = {int(k): v for k, v in self.model.config.id2label.items()}
        self.size = self._model_size(self.model.config)

    def _run(self, inputs, want_features):
        out = self.model(pixel_values=inputs["pixel_values"], output_hidden_states=want_features)
        feats = out.hidden_states[-1].mean(1) if want_features else None
        if feats is not None and feats.dim() > 2:  # conv nets: [B, C, H, W] -> [B, C]
            feats = feats.flatten(2).mean(-1)
        return out.logits, feats


class FaceExpression(_ImageBase):
    """Lite: find the faces with the Haar cascade, read the largest one's expression with the mini-XCEPTION port
    (``lite.face.find_faces``); a picture of several faces says how many, and which was read."""

    size = 64

    def load(self) -> None:
        from msa_demo.lite import face

        path = resolve_path(self.spec.model_id)
        if path is None or not path.is_file():
            raise ModelLoadError(f"The face-expression weights '{self.spec.model_id}' were not found.")
        self.net = face.load_face_model(path).to(self.device, self.dtype).eval().requires_grad_(False)
        self.id2label = dict(enumerate(face.FACE_LABELS))

    def prepare(self, value) -> Prepared:
        from msa_demo.lite.face import face_tensor, find_faces, smallest_face

        value = self._check(value)
        found = find_faces(value.image)
        notices, w, h = [], *value.image.size
        box = found.box
        if box is None:
            notices.append("Image: no face was found, so the whole picture was read as a face.")
            box = (0, 0, w, h)
        elif found.count > 1:
            notices.append(several_faces(found, (w, h)))
        tensor = face_tensor(value.image, box).to(self.device, self.dtype)
        info = {"box": tuple(int(v) for v in box), "image_size": (w, h), "face_found": found.box is not None,
                "faces_found": found.count}
        if found.box is None:  # the smallest face the finder finds, in the pixels given (a photo: crop it to the face)
            given = value.original_size if min(value.original_size) > 0 else (w, h)
            info["smallest_face"] = math.ceil(smallest_face((w, h)) * max(given) / max(w, h))
            info["size_given"] = [int(v) for v in given]
        else:
            info["face_read"] = {"box": list(found.box), "where": where(found.box, (w, h)),
                                 "about_as_large": found.tied}
        return Prepared(inputs={"pixel_values": tensor}, info=info, notices=notices)

    def _run(self, inputs, want_features):
        logits = self.net(inputs["pixel_values"])
        return logits, (logits if want_features else None)


# a picture of several faces: which one the face model read, and that it reads one (a known limit, said: an average
# of several people's expressions is no one's, and a sentiment model's verdict on one face is what it can say)
SEVERAL_FACES = ("Image: {n} faces were found; the face model reads one face: the largest, {where} of the picture, "
                 "was read, not the others.")
SEVERAL_FACES_TIED = ("Image: {n} faces were found; the face model reads one face: of the {k} about as large, the "
                      "leftmost, {where} of the picture, was read, not the others.")
PLACES = (("at the top left", "at the top", "at the top right"), ("at the left", "in the middle", "at the right"),
          ("at the bottom left", "at the bottom", "at the bottom right"))


def where(box: tuple[int, int, int, int], size: tuple[int, int]) -> str:
    """Where a box's centre lies in a picture of ``size``, in words (its third across and down)."""
    cx, cy = (box[0] + box[2]) / 2 / max(1, size[0]), (box[1] + box[3]) / 2 / max(1, size[1])
    return PLACES[min(2, int(cy * 3))][min(2, int(cx * 3))]


def several_faces(found, size: tuple[int, int]) -> str:
    """The notice of a picture in which the face finder found more than one face (``lite.face.FacesFound``): how
    many, and which one was read. frown|happy|frown side by side read POSITIVE 100 % on one face, silently, and
    which one moved with the faces' order."""
    if found.tied > 1:
        return SEVERAL_FACES_TIED.format(n=found.count, k=found.tied, where=where(found.box, size))
    return SEVERAL_FACES.format(n=found.count, where=where(found.box, size))


def overlay_box(image: Image.Image, box: tuple[int, int, int, int], grid: np.ndarray) -> np.ndarray:
    """A full-size [H, W] map: ``grid`` (model-input resolution) resized onto ``box``, zero elsewhere."""
    w, h = image.size
    out = np.zeros((h, w), dtype=np.float32)
    left, top, right, bottom = box
    bw, bh = max(1, right - left), max(1, bottom - top)
    g = np.asarray(grid, dtype=np.float32)
    resized = np.asarray(Image.fromarray(g).resize((bw, bh), Image.BILINEAR), dtype=np.float32)
    out[top:top + bh, left:left + bw] = resized[: h - top, : w - left]
    return out


FAMILIES = {
    "hf-clip-zero-shot": CLIPZeroShot,
    "hf-image-classifier": HFImageClassifier,
    "mini-xception-face": FaceExpression,
}
