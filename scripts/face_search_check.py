"""How the lite face search trades small faces for false ones (README, "Presets" → the face search): faces found
in 21 of scikit-image's sample pictures that hold no human face (each as it is and twice as large, read at up to
1024 px like an upload), and in the example faces pasted small on a 4032 × 3024 grey canvas (a phone photo), for
each smallest face size looked for.

    python scripts/face_search_check.py            # SMALLEST_FACE 32 (the preset's), 36, 40 and the old 50
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from msa_demo.lite import face  # noqa: E402

NO_FACE = ["coins", "coffee", "rocket", "horse", "hubble_deep_field", "immunohistochemistry", "page", "text", "moon",
           "grass", "gravel", "brick", "colorwheel", "retina", "cell", "logo", "shepp_logan_phantom", "chelsea",
           "clock", "checkerboard", "binary_blobs"]


def as_read(array: np.ndarray, times: int) -> Image.Image:
    """The picture ``times`` as large, then at most 1024 px long, as the preset reads an upload."""
    image = Image.fromarray(array if array.dtype == np.uint8 else (array * 255).astype(np.uint8)).convert("RGB")
    image = image.resize((image.width * times, image.height * times))
    scale = 1024 / max(image.size)
    return image.resize((round(image.width * scale), round(image.height * scale))) if scale < 1 else image


def main() -> None:
    import skimage.data as data

    pictures = []
    for name in NO_FACE:
        array = getattr(data, name)()
        pictures += [(f"{name} x{k}", as_read(array[0] if isinstance(array, tuple) else array, k)) for k in (1, 2)]
    faces = []
    for file in ("happy_face.png", "frown_face.png"):
        portrait = Image.open(ROOT / "examples" / file).convert("RGB")
        for side in (400, 500, 600, 800):
            canvas = Image.new("RGB", (4032, 3024), (128, 128, 128))
            canvas.paste(portrait.resize((side, side)), (1500, 1000))
            faces.append((f"{file.split('_')[0]} {side} px", canvas.resize((1024, 768))))
    for smallest in (32, 36, 40, 50):
        face.SMALLEST_FACE = smallest
        false = [n for n, p in pictures if face.find_faces(p).count]
        found = [n for n, p in faces if face.find_faces(p).count]
        print(f"smallest {smallest} px: a face in {len(false)} of {len(pictures)} pictures without one "
              f"({', '.join(false)}); {len(found)} of {len(faces)} pasted portraits found ({', '.join(found)})")


if __name__ == "__main__":
    main()
