"""Image regions: Integrated Gradients on pixels summed per region, and occlusion (Captum FeatureAblation over a
region mask of the model input), or any other method of ``explain.methods.METHODS``. The regions are a square grid or SLIC superpixels of the picture
(the image's ``regions`` option); both methods, the deletion/AOPC curve and the sanity check share one mask.
Baselines: black, blur or mean picture. Each map carries per-region scores, the regions' boxes in original
pixels, and a heat map at the picture's size (<= 256 px long side)."""

from __future__ import annotations

import time

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from msa_demo.errors import InputError
from msa_demo.explain.forward import FusedForward, target_index
from msa_demo.explain.methods import Layout, attribute, resolve
from msa_demo.explain.shapley import used_modalities
from msa_demo.explain.options import ExplainOptions
from msa_demo.explain.result import AttributionMap, map_area
from msa_demo.modalities.image import overlay_box

HEATMAP_SIDE = 256
SLIC_COMPACTNESS = (10.0, 30.0, 100.0, 300.0, 1000.0)  # SLIC colour/space trade-off (Lab); later = more grid-like


def grid_mask(height: int, width: int, grid: int) -> torch.Tensor:
    """[H, W] long: region index (row-major) of every pixel for a grid × grid split."""
    rows = np.minimum((np.arange(height) * grid) // max(height, 1), grid - 1)
    cols = np.minimum((np.arange(width) * grid) // max(width, 1), grid - 1)
    return torch.from_numpy(rows[:, None] * grid + cols[None, :]).long()


def _slic(picture: Image.Image, box, height: int, width: int, n_segments: int) -> tuple[np.ndarray, float]:
    """SLIC labels (contiguous 0..n-1) on the model-input grid, and the compactness that made them.

    On heavy pixel noise SLIC's colour-driven segments fragment and the connectivity step merges them into
    one or a few regions; then it is re-run more compact (closer to a grid) until at least
    max(2, n_segments / 4) segments come out."""
    from skimage.segmentation import slic

    crop = picture.convert("RGB").crop(tuple(int(v) for v in box)).resize((int(width), int(height)), Image.BILINEAR)
    arr = np.asarray(crop, dtype=np.float64) / 255.0
    want = max(2, int(n_segments) // 4)
    for compactness in SLIC_COMPACTNESS:
        labels = slic(arr, n_segments=int(n_segments), compactness=compactness, start_label=0, channel_axis=-1)
        _, ids = np.unique(labels, return_inverse=True)  # contiguous ids, in order of the original labels
        ids = ids.reshape(labels.shape).astype(np.int64)
        if int(ids.max()) + 1 >= want:
            break
    return ids, compactness


def superpixel_mask(picture: Image.Image, box, height: int, width: int, n_segments: int) -> torch.Tensor:
    """[H, W] long: SLIC superpixel id (0..n-1, contiguous, every pixel labelled) of every model-input pixel.

    SLIC runs on the picture's own content: the ``box`` crop of ``picture`` resized to the model input
    (``width`` × ``height``), RGB in [0, 1], compactness 10 (raised if SLIC collapses on noise). SLIC is
    deterministic (grid-initialised k-means), so it takes no seed. It may return fewer segments than
    ``n_segments`` (connectivity is enforced)."""
    return torch.from_numpy(_slic(picture, box, height, width, n_segments)[0])


def _superpixel_boxes(box, regions: torch.Tensor, n: int) -> list[list[int]]:
    """Each region's bounding box in original-picture pixels (model-input coords mapped through ``box``)."""
    from scipy.ndimage import find_objects

    left, top, right, bottom = box
    bw, bh = right - left, bottom - top
    h, w = regions.shape
    out = []
    for sl in find_objects(regions.numpy() + 1, max_label=n):
        if sl is None:  # an id with no pixels (not made by superpixel_mask, but keep the list aligned)
            out.append([int(left), int(top), int(left), int(top)])
            continue
        rs, cs = sl
        out.append([int(round(left + bw * cs.start / w)), int(round(top + bh * rs.start / h)),
                    int(round(left + bw * cs.stop / w)), int(round(top + bh * rs.stop / h))])
    return out


def region_layout(picture: Image.Image, box, height: int, width: int, options):
    """The region mask of one explanation: (regions [H, W] long, n, labels, spans, params). ``options``: the
    image's (``ExplainOptions.of("image")``; an ``ExplainOptions`` reads the same by its public names)."""
    if options.regions == "superpixels":
        ids, compactness = _slic(picture, box, height, width, options.superpixels)
        regions = torch.from_numpy(ids)
        n = int(regions.max()) + 1
        return (regions, n, [f"sp{k}" for k in range(n)], _superpixel_boxes(box, regions, n),
                {"regions": "superpixels", "superpixels": options.superpixels, "n_regions": n,
                 "slic_compactness": compactness})
    if options.regions != "grid":
        raise InputError(f"Unknown image regions '{options.regions}'; use grid or superpixels.")
    grid = options.grid
    return (grid_mask(height, width, grid), grid * grid,
            [f"r{r + 1}c{c + 1}" for r in range(grid) for c in range(grid)],
            _region_boxes(box, (height, width), grid), {"regions": "grid", "grid": grid, "n_regions": grid * grid})


def _norm_constants(mod, x: torch.Tensor):
    proc = getattr(mod, "processor", None)
    proc = getattr(proc, "image_processor", proc)
    mean, std = getattr(proc, "image_mean", None), getattr(proc, "image_std", None)
    if mean is None or std is None:
        return None
    c = x.shape[1]
    m = torch.tensor(mean, dtype=x.dtype, device=x.device).reshape(1, -1, 1, 1)[:, :c]
    s = torch.tensor(std, dtype=x.dtype, device=x.device).reshape(1, -1, 1, 1)[:, :c]
    return m, s


def _blur(x: torch.Tensor, sigma: float) -> torch.Tensor:
    radius = max(1, int(round(3 * sigma)))
    k = torch.arange(-radius, radius + 1, dtype=torch.float32)
    k = torch.exp(-(k ** 2) / (2 * sigma ** 2))
    k = (k / k.sum()).to(x.device, x.dtype)
    c = x.shape[1]
    pad = min(radius, x.shape[-1] - 1, x.shape[-2] - 1)
    y = x
    if pad > 0:
        y = F.pad(y, (pad, pad, pad, pad), mode="reflect")
    else:
        return x.clone()
    kk = k[radius - pad: radius + pad + 1]
    y = F.conv2d(y, kk.reshape(1, 1, 1, -1).expand(c, 1, 1, -1), groups=c)
    y = F.conv2d(y, kk.reshape(1, 1, -1, 1).expand(c, 1, -1, 1), groups=c)
    return y


def image_baseline(mod, x: torch.Tensor, kind: str) -> torch.Tensor:
    """The baseline picture in model-input space (normalisation is per-channel affine, so blur and mean
    commute with it; black needs the processor's mean/std, else the darkest value of each channel)."""
    if kind == "blur":
        return _blur(x, sigma=max(1.0, x.shape[-1] / 16.0))
    if kind == "mean":
        return x.mean(dim=(-2, -1), keepdim=True).expand_as(x).clone()
    if kind == "black":
        nc = _norm_constants(mod, x)
        if nc is not None:
            m, s = nc
            return ((0.0 - m) / s).expand_as(x).clone()
        return x.amin(dim=(-2, -1), keepdim=True).expand_as(x).clone()
    raise InputError(f"Unknown image baseline '{kind}'; use black, blur or mean.")


def heatmap(image: Image.Image, box, region_map: np.ndarray, side: int = HEATMAP_SIDE,
            area: tuple[int, int, int, int] | None = None) -> list[list[float]]:
    """``region_map`` (over the model input) drawn over ``box`` of ``image``, cut to ``area`` (left, top, right,
    bottom; None: the whole picture), at most ``side`` pixels on its long side, as rounded lists (what a map's JSON
    carries)."""
    full = overlay_box(image, box, region_map)
    if area is not None:
        left, top, right, bottom = area
        full = full[top:bottom, left:right]
    h, w = full.shape
    scale = min(1.0, side / max(h, w))
    if scale < 1.0:
        size = (max(1, round(w * scale)), max(1, round(h * scale)))
        full = np.asarray(Image.fromarray(full.astype(np.float32), mode="F").resize(size, Image.BILINEAR))
    return np.round(full.astype(np.float64), 6).tolist()  # as round(float(v), 6) each, at once


def _region_boxes(box, size_hw, grid: int) -> list[list[int]]:
    left, top, right, bottom = box
    bw, bh = right - left, bottom - top
    out = []
    for r in range(grid):
        for c in range(grid):
            out.append([int(round(left + bw * c / grid)), int(round(top + bh * r / grid)),
                        int(round(left + bw * (c + 1) / grid)), int(round(top + bh * (r + 1) / grid))])
    return out


def attribute_regions(model, inputs, target: str, options: ExplainOptions | None = None, use=None,
                      methods=None) -> list[AttributionMap]:
    """One map per image method (the image's ``methods``, ``image_methods``), each with faithfulness and cost."""
    options = options or ExplainOptions()
    target_index(target)
    used = used_modalities(model, inputs, use)
    if "image" not in used:
        raise InputError("There is no image to explain.")
    layouts: dict = {}  # the region mask is the same for every method: SLIC runs once
    return [_one(model, inputs, target, options, used, method, layouts)
            for method in (methods or options.of("image").methods)]


def _one(model, inputs, target, options, used, method, layouts: dict) -> AttributionMap:
    t0 = time.perf_counter()
    own = options.of("image")
    ff = FusedForward(model, inputs, "image", used, batch_size=options.batch_size)
    mod, info, x = ff.mod, ff.prepared.info, ff.x
    picture = inputs.image.image
    box = tuple(info.get("box") or (0, 0, *picture.size))
    h, w = x.shape[-2:]
    if (box, h, w) not in layouts:
        layouts[(box, h, w)] = region_layout(picture, box, h, w, own)
    regions, n, labels, spans, region_params = layouts[(box, h, w)]
    params = {"baseline": own.baseline, **region_params, "seed": options.seed, "target": target,
              "model_input": [int(h), int(w)], "box": list(box),
              # where the regions lie: over the face that was found, or over the whole picture ("row 5" is not
              # the same place)
              "grid_over": "picture" if box == (0, 0, *picture.size) else "face"}
    area = map_area(picture.size, box)
    if params["grid_over"] == "face":  # the heat map covers the face and its margin, at its own detail
        params["heatmap_box"] = list(area)

    def draw(scores: list[float], attr: torch.Tensor | None):
        # IG: the pixels' own attributions; a perturbation method: each region's score over its pixels
        region_map = (attr.sum(0).cpu().numpy() if attr is not None
                      else np.asarray(scores, dtype=np.float32)[regions.numpy()])
        return heatmap(picture, box, region_map, area=area)

    layout = Layout(modality="image", forward=ff, baseline=image_baseline(mod, x, own.baseline),
                    feature_of=regions.reshape(1, h, w), labels=list(labels), spans=spans, params=params, draw=draw)
    return attribute(layout, resolve(method, "image", mod.differentiable), target, options, t0)


__all__ = ["attribute_regions", "grid_mask", "heatmap", "image_baseline", "region_layout", "superpixel_mask"]
