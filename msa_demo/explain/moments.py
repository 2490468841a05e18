"""Video moments: which stretches of the face track moved the fused decision, and where in the face on the most
decisive frame.

- **moments**: the features are time segments of the frame track (``segment_seconds`` of the video spec,
  default 1 s). Removing a moment takes its frames' votes out of the clip's mean: each removed frame counts as an
  *even vote* (the same share for every sentiment its model can say), not as some other picture. The model input
  explained is each frame's presence (:class:`Presence`: the ``face_mask`` row, 1 read, 0 removed), so every frame
  is read once, whatever the method; removing every moment leaves the video's reading even, a vote for no
  sentiment (a blurred face had been read as a face, and the face model reads a blur as negative: "removing" a
  smiling moment had pushed the clip toward negative). Any method of ``explain.methods.METHODS`` runs through
  ``attribute_moments(methods=...)``; the panel runs occlusion (one row per segment), and integrated gradients is
  exact here (the clip's mean is linear in the presence);
- **key frame**: the frame whose removal alone (its vote made even) moves the target probability most; its
  regions (the image's grid or superpixels on that frame's face crop) are occluded as an image's are (replaced by
  the image's ``baseline``, ``image_baseline``: the region's blur by default) with the other frames' readings
  kept, and drawn as a heat map on the frame (map method ``key_frame_occlusion``; ``params.frame`` /
  ``params.time`` name it).
"""

from __future__ import annotations

import time

import numpy as np
import torch

from msa_demo.errors import InputError
from msa_demo.explain.forward import FusedForward, target_index
from msa_demo.explain.methods import Layout, attribute, resolve
from msa_demo.explain.regions import heatmap, image_baseline, region_layout
from msa_demo.explain.options import ExplainOptions
from msa_demo.explain.result import AttributionMap
from msa_demo.explain.shapley import used_modalities

HEATMAP_SIDE = 128  # the key frame's heat map, long side (a report carries it; the image's maps use 256)


def segment_ids(times: list[float], seconds: float, read: list[bool] | None = None, length: float | None = None
                ) -> tuple[torch.Tensor, list[list[float]], list[str]]:
    """([T] long: each frame's segment (frames not read: id n, never removed), the segments' [start_s, end_s],
    their labels). Segments are ``seconds`` long from 0 (the last one ends with the clip, ``length``); only
    segments holding a read frame are features."""
    raw = [int(np.floor(float(t) / seconds + 1e-9)) for t in times]
    read = read if read is not None else [True] * len(times)
    kept = sorted({s for s, r in zip(raw, read) if r})
    index = {s: i for i, s in enumerate(kept)}
    ids = torch.tensor([index[s] if r else len(kept) for s, r in zip(raw, read)], dtype=torch.long)
    end = float("inf") if not length else float(length)
    spans = [[round(s * seconds, 6), round(min((s + 1) * seconds, max(end, s * seconds)), 6)] for s in kept]
    return ids, spans, [f"{a:.1f}–{b:.1f} s" for a, b in spans]


def frame_baseline(mod, x: torch.Tensor, kind: str) -> torch.Tensor:
    """The baseline of every frame (``x`` [1, T, C, H, W]): the image baseline of each frame on its own."""
    frames = x[0]
    return image_baseline(getattr(mod, "frame", mod), frames, kind).reshape_as(frames).unsqueeze(0)


def attribute_moments(model, inputs, target: str, options: ExplainOptions | None = None, use=None,
                      methods=None, key_frame: bool = True) -> list[AttributionMap]:
    """One moments map per method (default: the video's ``methods``), then the key frame's regions."""
    options = options or ExplainOptions()
    target_index(target)
    used = used_modalities(model, inputs, use)
    if "video" not in used:
        raise InputError("There is no video to explain.")
    maps = [_moments(model, inputs, target, options, used, m) for m in (methods or options.of("video").methods)]
    if key_frame:
        maps.append(_key_frame(model, inputs, target, options, used))
    return maps


def even_vote(matrix: torch.Tensor) -> torch.Tensor:
    """The model-label probabilities [L] that read as an even share for every sentiment the model can say (the
    ``[L, 3]`` 0/1 ``matrix`` of :func:`msa_demo.labels.sentiment_matrix`): a face model's seven emotions, four of
    them negative, are not an even vote when each gets 1/7."""
    m = matrix.float()
    said = m.sum(0)  # labels per sentiment
    reach = int((said > 0).sum())
    share = torch.where(said > 0, 1.0 / max(reach, 1) / said.clamp_min(1.0), torch.zeros_like(said))
    return (m * share).sum(1)


class Presence:
    """The video model as a function of each frame's presence ``face_mask`` [B, T] (1: the frame as it is, 0: its
    vote made even; between: a mix): the clip's mean over the read frames of each frame's label probabilities,
    a frame at presence w counting ``w`` of its own reading and ``1 - w`` of the even vote. Frames not read
    (no face) stay out of the mean. The frames are read once (the track's cache of its frame readings; a
    randomised copy of the model reads them again with its own networks). A trained head's clip features are the
    mean of the present frames' features (a removed frame's are left out)."""

    name = "video"
    attr_key = "face_mask"
    differentiable = True  # the mean is linear in the presence, whatever reads the frames

    def __init__(self, track, frames: torch.Tensor, mask: torch.Tensor) -> None:
        self.track, self.frames, self.read = track, frames, mask.float().reshape(-1)
        self.matrix, self.id2label = track.matrix, track.id2label
        for name, v in vars(track).items():  # the networks, seen as this model's (sanity check)
            if isinstance(v, torch.nn.Module):
                setattr(self, name, v)

    def _run(self, inputs, want_features):
        w = inputs["face_mask"].float()
        t = self.frames.shape[1]
        with torch.no_grad():  # each frame's reading: a constant of the presence
            logits, feats = self.track._frames_read(self.frames.reshape(t, *self.frames.shape[2:]), want_features)
        probs = torch.softmax(logits.float(), dim=-1).to(w.device)  # [T, L]
        read = self.read.to(w.device)
        even = even_vote(self.matrix).to(w.device)  # [L]
        w = w * read  # a frame not read is never in the mean
        count = read.sum().clamp_min(1e-6)
        pooled = (w @ probs + (read.sum() - w.sum(1, keepdim=True)) * even) / count
        out = None
        if want_features and feats is not None:
            f = feats.float().to(w.device)
            out = (w @ f) / w.sum(1, keepdim=True).clamp_min(1e-6)
        return pooled.clamp_min(1e-12).log(), out


def _moments(model, inputs, target, options, used, method) -> AttributionMap:
    t0 = time.perf_counter()
    track_ff = FusedForward(model, inputs, "video", used, batch_size=options.batch_size)
    info, mask = track_ff.prepared.info, track_ff.prepared.inputs["face_mask"]
    ff = FusedForward(model, inputs, "video", used, batch_size=options.batch_size,
                      module=Presence(track_ff.mod, track_ff.x, mask))
    seconds = float(info.get("segment_seconds", 1.0))
    ids, spans, labels = segment_ids(info["times"], seconds, info.get("read"), info.get("seconds"))
    params = {"baseline": "even vote", "segment_seconds": seconds, "fps": info.get("fps"),
              "frames": len(info["times"]), "frames_read": int(sum(info.get("read") or [])), "seed": options.seed,
              "target": target, "times": list(info["times"])}
    x = ff.x.float()
    layout = Layout(modality="video", forward=ff.at(x), baseline=torch.zeros_like(x), feature_of=ids,
                    labels=labels, spans=spans, params=params)
    return attribute(layout, resolve(method, "video", True), target, options, t0)


class OneFrame:
    """The video model as a function of ONE frame's pixels: the other frames' readings are kept (computed once),
    so a row costs one frame, not the whole track. Takes ``frames`` [B, 1, C, H, W]."""

    name = "video"
    attr_key = "frames"

    def __init__(self, track, k: int, probs: torch.Tensor, mask: torch.Tensor) -> None:
        self.track, self.k = track, k
        self.matrix, self.differentiable, self.id2label = track.matrix, track.differentiable, track.id2label
        keep = mask.clone()
        keep[k] = 0.0
        self.others = (probs * keep[:, None]).sum(0)  # [L]
        self.weight, self.count = float(mask[k]), float(mask.sum())
        for name, v in vars(track).items():  # the networks, seen as this model's (sanity check)
            if isinstance(v, torch.nn.Module):
                setattr(self, name, v)

    def _run(self, inputs, want_features):
        x = inputs["frames"]
        frame = self.track.frame
        logits, _ = frame._run({frame.attr_key: x.reshape(x.shape[0], *x.shape[2:])}, False)
        probs = torch.softmax(logits.float(), dim=-1)
        pooled = (self.others.to(probs.device) + self.weight * probs) / max(self.count, 1e-6)
        return pooled.clamp_min(1e-12).log(), None


def _key_frame(model, inputs, target, options, used) -> AttributionMap:
    t0 = time.perf_counter()
    ff = FusedForward(model, inputs, "video", used, batch_size=options.batch_size)
    info, x, track = ff.prepared.info, ff.x, ff.mod
    t = target_index(target)
    mask = ff.prepared.inputs["face_mask"][0].float().cpu()
    image = options.of("image")  # the key frame's regions: the image's
    # each frame removed alone (its vote made even, as a moment's): the largest move of P(target) is the key frame
    probs = track.frame_probs(x)[0].cpu()
    presence = FusedForward(model, inputs, "video", used, batch_size=options.batch_size,
                            module=Presence(track, x, mask))
    full = float(presence.target_prob(mask[None], t)[0])
    alone = mask[None].repeat(x.shape[1], 1) * (1 - torch.eye(x.shape[1]))  # row j: frame j removed
    push = [full - float(p) if mask[j] else 0.0 for j, p in enumerate(presence.target_prob(alone, t))]
    k = int(np.argmax(np.abs(push)))
    baseline = frame_baseline(track, x[:, k:k + 1], image.baseline)
    frame = inputs.video.frames[k]
    box = tuple(info["boxes"][k])
    h, w = x.shape[-2:]
    regions, n, labels, spans, region_params = region_layout(frame, box, h, w, image)
    one = FusedForward(model, inputs, "video", used, batch_size=options.batch_size,
                       module=OneFrame(track, k, probs, mask))
    one.forward_passes = presence.forward_passes  # the clip as it is, and each frame removed once
    params = {"baseline": image.baseline, **region_params, "seed": options.seed, "target": target,
              "frame": k, "time": float(info["times"][k]), "frame_push": push[k], "box": list(box),
              "frame_size": list(frame.size), "model_input": [int(h), int(w)]}

    def draw(scores: list[float], attr: torch.Tensor | None):
        return heatmap(frame, box, np.asarray(scores, dtype=np.float32)[regions.numpy()], side=HEATMAP_SIDE)

    layout = Layout(modality="video", forward=one.at(x[:, k:k + 1]), baseline=baseline,
                    feature_of=regions.reshape(1, 1, h, w), labels=list(labels), spans=spans, params=params,
                    names={"occlusion": "key_frame_occlusion"}, draw=draw)
    return attribute(layout, "occlusion", target, options, t0)


__all__ = ["OneFrame", "Presence", "attribute_moments", "even_vote", "frame_baseline", "segment_ids"]
