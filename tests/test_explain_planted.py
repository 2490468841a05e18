"""Explainers on small models whose cause is planted (tests/planted_models.py): the right answer is known by
construction.

- text: only the token "great" has a component along the sentiment direction;
- image: only the brightness of the top-left cell (1/7 × 1/7 of the picture) matters;
- image, superpixels: only the brightness of an off-grid 9 × 9 patch matters, and the picture shows it as a
  bright square on dark noise, so SLIC can isolate it where no grid cell can;
- audio: only the energy between 1.0 and 1.5 s matters;
- fusion: additive, fused = 1/3 + sum_m w_m (p_m - 1/3), so modality m's Shapley value is w_m (p_m[t] - 1/3).
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image

from msa_demo.config import SENTIMENTS
from msa_demo.inputs import ImageInput, Inputs, TextInput
from planted_models import (CAUSE, S, WEIGHTS, AdditiveFusion, PlantedAudio, PlantedImage, PlantedText, build_model,
                            planted_inputs, planted_spec, positive_share, three_logits)

OPTS = dict(seed=0, sanity=True)


def test_words_find_the_planted_token(planted):
    from msa_demo.explain import ExplainOptions, attribute_words

    for baseline in ("pad", "mask", "unk"):
        m = attribute_words(planted, planted_inputs(), "positive", ExplainOptions(text_baseline=baseline, **OPTS))
        assert m.labels == "the movie was great and the food service today".split()
        cause = m.labels.index(CAUSE)
        assert positive_share(m.scores, cause) >= 0.9
        assert m.spans[cause] == [14, 19]
        # completeness: the word scores sum to f(x) - f(b) within the reported delta
        diff = m.params["output_difference"]
        assert abs(sum(m.scores) - diff) <= m.delta * abs(diff) + 1e-6
        assert m.delta < 0.05 or m.params["n_steps"] == 64
        assert m.faithfulness.aopc > m.faithfulness.aopc_random
        assert m.faithfulness.sanity_spearman < 0.5
        assert m.cost.forward_passes > 0 and m.cost.seconds > 0


def test_regions_find_the_planted_cell(planted):
    from msa_demo.explain import ExplainOptions, attribute_regions

    for baseline in ("black", "blur", "mean"):
        maps = attribute_regions(planted, planted_inputs(), "positive", ExplainOptions(image_baseline=baseline, **OPTS))
        assert [m.method for m in maps] == ["integrated_gradients", "occlusion"]
        for m in maps:
            assert len(m.scores) == 49 and m.labels[0] == "r1c1"
            assert positive_share(m.scores, 0) >= 0.9, (baseline, m.method, m.scores[:3])
            assert m.spans[0] == [0, 0, 8, 8]
            hm = np.asarray(m.heatmap)
            assert hm.shape == (56, 56) and hm[:8, :8].mean() > 10 * abs(hm[16:, 16:]).mean()
            assert m.faithfulness.aopc > m.faithfulness.aopc_random
            assert m.faithfulness.sanity_spearman < 0.5
        ig = maps[0]
        diff = ig.params["output_difference"]
        assert abs(sum(ig.scores) - diff) <= ig.delta * abs(diff) + 1e-6


PATCH = (10, 19, 6, 15)  # rows r0:r1, cols c0:c1 of the 28 x 28 model input; not aligned with the 7 x 7 grid


class PlantedPatchImage(PlantedImage):
    """Only the mean brightness of PATCH matters."""

    def load(self) -> None:
        super().load()
        r0, r1, c0, c1 = PATCH
        w = torch.zeros(S, S)
        w[r0:r1, c0:c1] = 1.0 / ((r1 - r0) * (c1 - c0))
        self.net.weight.data.copy_(w)


@pytest.fixture(scope="module")
def planted_patch():
    cpu = torch.device("cpu")
    return build_model({"image": PlantedPatchImage(planted_spec("planted-image"), cpu, torch.float32)}, AdditiveFusion())


def patch_inputs() -> Inputs:
    r0, r1, c0, c1 = PATCH
    img = np.random.default_rng(1).integers(0, 60, (2 * S, 2 * S, 3), dtype=np.uint8)  # dark noise
    img[2 * r0:2 * r1, 2 * c0:2 * c1] = 255  # the bright square the planted model reads
    return Inputs(image=ImageInput(Image.fromarray(img), [], (2 * S, 2 * S)))


def patch_superpixels(regions) -> tuple[list[int], np.ndarray]:
    """Ids of the superpixels lying (mostly) inside PATCH, and the PATCH pixel mask."""
    r0, r1, c0, c1 = PATCH
    inside = np.zeros((S, S), dtype=bool)
    inside[r0:r1, c0:c1] = True
    m = np.asarray(regions)
    return [k for k in range(int(m.max()) + 1) if inside[m == k].mean() > 0.5], inside


def test_superpixels_isolate_the_planted_patch(planted_patch):
    from msa_demo.explain import ExplainOptions, attribute_regions
    from msa_demo.explain.regions import superpixel_mask

    inputs = patch_inputs()
    regions = superpixel_mask(inputs.image.image, (0, 0, 2 * S, 2 * S), S, S, 50).numpy()
    idx, inside = patch_superpixels(regions)
    assert idx and np.array_equal(np.isin(regions, idx), inside)  # SLIC found the square exactly
    r0, r1, c0, c1 = PATCH
    for baseline in ("black", "blur", "mean"):
        opts = ExplainOptions(regions="superpixels", image_baseline=baseline, **OPTS)
        maps = attribute_regions(planted_patch, inputs, "positive", opts)
        assert [m.method for m in maps] == ["integrated_gradients", "occlusion"]
        for m in maps:
            n = int(regions.max()) + 1
            assert len(m.scores) == len(m.spans) == n and m.labels == [f"sp{k}" for k in range(n)]
            assert m.params["regions"] == "superpixels" and m.params["superpixels"] == 50
            assert m.params["n_regions"] == n and "grid" not in m.params and m.params["slic_compactness"] == 10.0
            share = positive_share(m.scores, idx)
            print(f"superpixels {baseline} {m.method}: patch share {share:.4f}")
            assert share >= 0.9, (baseline, m.method, share)
            boxes = np.asarray([m.spans[k] for k in idx])  # original pixels: the patch is 2x the model input
            assert [boxes[:, 0].min(), boxes[:, 1].min(), boxes[:, 2].max(), boxes[:, 3].max()] == \
                [2 * c0, 2 * r0, 2 * c1, 2 * r1]
            hm = np.asarray(m.heatmap)
            core = np.zeros((2 * S, 2 * S), dtype=bool)  # the patch less a 2 px rim (bilinear blur)
            core[2 * r0 + 2:2 * r1 - 2, 2 * c0 + 2:2 * c1 - 2] = True
            away = np.ones((2 * S, 2 * S), dtype=bool)  # more than 2 px outside the patch
            away[2 * r0 - 2:2 * r1 + 2, 2 * c0 - 2:2 * c1 + 2] = False
            assert hm.shape == (2 * S, 2 * S) and hm[core].mean() > 10 * abs(hm[away]).mean()
            assert m.faithfulness.aopc > m.faithfulness.aopc_random
            assert m.faithfulness.sanity_spearman < 0.5
        ig = maps[0]
        diff = ig.params["output_difference"]
        assert abs(sum(ig.scores) - diff) <= ig.delta * abs(diff) + 1e-6
    # the grid cannot isolate this off-grid patch: no cell holds 90 % (so the superpixel result is not free)
    grid_maps = attribute_regions(planted_patch, inputs, "positive", ExplainOptions(seed=0))
    assert all(max(positive_share(m.scores, i) for i in range(49)) < 0.5 for m in grid_maps)


def test_superpixel_mask_ids_are_contiguous_and_cover_every_pixel():
    from msa_demo.explain.regions import superpixel_mask

    rng = np.random.default_rng(2)
    img = np.zeros((90, 120, 3), dtype=np.uint8)
    img[:, :60] = (200, 30, 30)
    img[45:, 60:] = (20, 160, 40)
    img[10:40, 70:110] = (240, 240, 240)
    img = np.clip(img.astype(int) + rng.integers(-20, 20, img.shape), 0, 255).astype(np.uint8)
    picture = Image.fromarray(img)
    for box, (h, w), n_seg in (((0, 0, 120, 90), (28, 28), 50), ((10, 5, 110, 85), (24, 32), 12),
                               ((0, 0, 120, 90), (64, 64), 400), ((0, 0, 120, 90), (28, 28), 4)):
        mask = superpixel_mask(picture, box, h, w, n_seg)
        assert mask.dtype == torch.long and tuple(mask.shape) == (h, w)
        ids = np.unique(mask.numpy())
        assert ids.tolist() == list(range(len(ids)))  # 0..n-1, no gaps, every pixel has one
        assert 2 <= len(ids) <= max(2 * n_seg, 8)
    # pure pixel noise: SLIC at compactness 10 collapses to one region; the retry keeps >= n/4 regions
    noise = Image.fromarray(rng.integers(0, 255, (48, 64, 3), dtype=np.uint8))
    for side, n_seg in ((30, 12), (64, 50), (224, 50)):
        mask = superpixel_mask(noise, (0, 0, 64, 48), side, side, n_seg)
        ids = np.unique(mask.numpy())
        assert ids.tolist() == list(range(len(ids))) and len(ids) >= n_seg // 4
    # the mask follows the picture: the red/green/white borders are region borders
    mask = superpixel_mask(picture, (0, 0, 120, 90), 30, 40, 50).numpy()
    left = set(np.unique(mask[:, :19]).tolist())
    right = set(np.unique(mask[:, 21:]).tolist())
    assert not left & right


def test_occlusion_scores_survive_an_empty_region(planted):
    from msa_demo.explain.forward import FusedForward
    from msa_demo.explain.regions import grid_mask, image_baseline

    inputs = planted_inputs()
    ff = FusedForward(planted, inputs, "image", ["image"])
    regions = grid_mask(S, S, 2)
    regions[regions == 1] = 0  # ids {0, 2, 3}: id 1 has no pixels
    base = image_baseline(ff.mod, ff.x, "black")
    scores = ff.ablate(base, 2, regions.reshape(1, 1, S, S), 5)  # id 4 is past the mask, too
    assert len(scores) == 5 and scores[1] == 0.0 and scores[4] == 0.0
    removed = torch.where((regions == 0).reshape(1, 1, S, S), base, ff.x)
    expected = float(ff.target_prob(ff.x, 2)[0] - ff.target_prob(removed, 2)[0])
    assert scores[0] == pytest.approx(expected, abs=1e-6) and scores[0] > 0.05
    assert scores[2] == pytest.approx(0.0, abs=1e-7) and scores[3] == pytest.approx(0.0, abs=1e-7)


def test_region_options_are_checked():
    from msa_demo.errors import InputError
    from msa_demo.explain import ExplainOptions

    with pytest.raises(InputError, match="image regions must be one of grid, superpixels"):
        ExplainOptions(regions="hexagons")
    for bad in (1, 3, 401, 2.5, "50"):
        with pytest.raises(InputError, match="number of superpixels must be 4 to 400"):
            ExplainOptions(regions="superpixels", superpixels=bad)
    assert ExplainOptions(regions="superpixels", superpixels=4).superpixels == 4
    assert ExplainOptions().regions == "grid" and ExplainOptions().superpixels == 50


def test_segments_find_the_planted_window(planted):
    from msa_demo.explain import ExplainOptions, attribute_segments

    for baseline in ("silence", "noise"):
        opts = ExplainOptions(audio_baseline=baseline, audio_methods=("occlusion", "integrated_gradients"),
                              segment_seconds=0.25, **OPTS)
        maps = attribute_segments(planted, planted_inputs(), "positive", opts)
        assert [m.method for m in maps] == ["occlusion", "integrated_gradients"]
        for m in maps:
            assert m.spans == [[i / 4, (i + 1) / 4] for i in range(8)]
            assert positive_share(m.scores, [4, 5]) >= 0.9
            assert m.faithfulness.aopc > m.faithfulness.aopc_random
            assert m.faithfulness.sanity_spearman < 0.5
        ig = maps[1]
        diff = ig.params["output_difference"]
        assert abs(sum(ig.scores) - diff) <= ig.delta * abs(diff) + 1e-6


def test_shapley_equals_planted_contributions(planted):
    from msa_demo.explain import attribute_modalities

    inputs = planted_inputs()
    for target in SENTIMENTS:
        mc = attribute_modalities(planted, inputs, target)
        t = SENTIMENTS.index(target)
        for m, w in WEIGHTS.items():
            p = float(planted.encode(m, getattr(inputs, m))[1].probs[t])
            assert mc.shapley[m] == pytest.approx(w * (p - 1 / 3), abs=1e-5)
        assert sum(mc.shapley.values()) == pytest.approx(mc.value_all - mc.value_none, abs=1e-6)
        assert mc.value_none == pytest.approx(1 / 3)
        assert all(abs(v) < 1e-6 for v in mc.interactions.values())  # additive: no interactions
        assert set(mc.interactions) == {"text×image", "text×audio", "image×audio"}
        for m in WEIGHTS:  # without X: the fused probabilities over the rest
            assert sum(mc.without[m].values()) == pytest.approx(1.0, abs=1e-5)


def test_shapley_with_interacting_fusion(planted):
    """A fusion with a known pairwise interaction: v = 1/3 + a*x_t*x_i (only text and image together)."""
    from msa_demo.explain.shapley import interactions, shapley

    names = ["text", "image", "audio"]
    v = {}
    import itertools

    for r in range(4):
        for c in itertools.combinations(names, r):
            v[frozenset(c)] = 1 / 3 + (0.2 if {"text", "image"} <= set(c) else 0.0) + (0.1 if "audio" in c else 0)
    phi = shapley(names, v)
    assert phi == pytest.approx({"text": 0.1, "image": 0.1, "audio": 0.1})
    inter = interactions(names, v)
    assert inter["text×image"] == pytest.approx(0.2) and inter["text×audio"] == pytest.approx(0.0)


def test_conflict_flag(planted):
    from msa_demo.explain import attribute_modalities

    inputs = planted_inputs()
    # the picture is mostly dark -> the top-left cell is bright, so image says positive; make the text negative
    inputs.text = TextInput("the food service today")
    mc = attribute_modalities(planted, inputs, "positive")
    from msa_demo.prediction import too_close

    probs = {m: planted.encode(m, getattr(inputs, m))[1].probs.reshape(-1) for m in WEIGHTS}
    own = {m: SENTIMENTS[int(p.argmax())] for m, p in probs.items() if not too_close(p.tolist())}  # a side
    assert mc.conflict == (len(set(own.values())) > 1)
    if mc.conflict:
        for m, lbl in own.items():
            assert f"{m} says {lbl}" in mc.conflict_detail


def test_a_modality_at_a_near_tie_takes_no_side_in_the_conflict():
    """Known by construction: the voice says negative, the clip is at positive 51 % / negative 47 % (its box: "too
    close to call"). That is no conflict ("video says positive (51%)" had stood against the voice); a clear
    positive is."""
    from types import SimpleNamespace

    import torch

    from msa_demo.explain.shapley import conflict_of

    def own(neg, neu, pos):
        return SimpleNamespace(probs=torch.tensor([neg, neu, pos]))

    assert conflict_of({"audio": own(1.0, 0.0, 0.0), "video": own(0.47, 0.02, 0.51)}) == (False, "")
    flag, detail = conflict_of({"audio": own(1.0, 0.0, 0.0), "video": own(0.10, 0.02, 0.88)})
    assert flag and detail == "Opposite signals: audio says negative (100%), video says positive (88%)"
    flag, detail = conflict_of({"text": own(0.0, 0.1, 0.9), "audio": own(1.0, 0.0, 0.0), "video": own(0.47, 0.02, 0.51)})
    assert flag and "video" not in detail


def test_explain_end_to_end_planted(planted):
    from msa_demo.explain import ExplainOptions, Explanation, explain, explain_iter

    parts = list(explain_iter(planted, planted_inputs(), target="positive", options=ExplainOptions()))
    kinds = [k for k, _ in parts]
    assert kinds[0] == "explanation" and kinds[-1] == "done" and kinds.count("map") == 4
    assert parts[0][1].modalities is not None
    exp = explain(planted, planted_inputs(), target="positive")
    assert exp.target == "positive" and len(exp.maps) == 4
    assert exp.cost.forward_passes >= sum(m.cost.forward_passes for m in exp.maps)
    again = Explanation.from_dict(exp.to_dict())
    assert again.to_dict() == exp.to_dict()
    # the same seed gives the same numbers
    exp2 = explain(planted, planted_inputs(), target="positive")
    assert [m.scores for m in exp2.maps] == [m.scores for m in exp.maps]


class FlatText(PlantedText):
    """The planted text model with its sentiment direction removed: no input changes the output."""

    def load(self) -> None:
        super().load()
        self.net.direction.data.zero_()


def test_flat_output_stops_ig_early_and_reports_no_delta_share():
    from msa_demo.explain import ExplainOptions, attribute_words
    from msa_demo.explain.faithfulness import RESOLUTION, delta_fraction

    model = build_model({"text": FlatText(planted_spec("planted-text"), torch.device("cpu"), torch.float32)},
                        AdditiveFusion())
    inputs = planted_inputs()
    inputs.image = inputs.audio = None
    m = attribute_words(model, inputs, "positive", ExplainOptions(seed=0))
    assert abs(m.params["output_difference"]) < RESOLUTION
    assert m.params["n_steps"] == 8 and m.delta is None  # nothing to converge on; a share of noise is not shown
    assert max(abs(s) for s in m.scores) < RESOLUTION
    assert delta_fraction(0.01, 0.5) == pytest.approx(0.02) and delta_fraction(0.01, RESOLUTION / 2) is None


class PlantedLatentAudio(PlantedAudio):
    """The planted audio model split like wav2vec2: a frame encoder (energy of 0.1 s frames: latents [B, 1, 20]),
    then a head over the frames. ``input_values`` takes a waveform [B, T] or latent frames [B, 1, 20]."""

    supports_latents = latents_match_waveform = True  # frame-local: no clip-wide normalisation
    frame_hop = frame_field = 100
    waveform_rows = 0

    def latents(self, x, baseline=None):
        x = x if baseline is None else torch.cat([x, baseline])
        self.waveform_rows += x.shape[0]
        x = x[:, : 20 * 100]
        return (x.reshape(x.shape[0], 20, 100) ** 2).mean(-1).unsqueeze(1)

    def _run(self, inputs, want_features):
        x = inputs["input_values"]
        energy = (x if x.dim() == 3 else self.latents(x))[:, 0]
        s = 0.8 * (energy @ self.net.frames) - 0.6
        return three_logits(s), (energy if want_features else None)


def _latent_model():
    cpu = torch.device("cpu")
    return build_model({"audio": PlantedLatentAudio(planted_spec("planted-audio"), cpu, torch.float32)}, AdditiveFusion())


def test_latent_occlusion_finds_the_planted_window_with_two_encoder_runs():
    from msa_demo.explain import ExplainOptions, attribute_segments

    model, inputs = _latent_model(), planted_inputs()
    inputs.text = inputs.image = None
    mod = model.modalities["audio"]
    model.encode("audio", inputs.audio)  # the prediction's own encoder run
    for baseline in ("silence", "noise"):
        before = mod.waveform_rows
        opts = ExplainOptions(audio_baseline=baseline, segment_seconds=0.25, **OPTS)
        (m,) = attribute_segments(model, inputs, "positive", opts)
        assert m.params["audio_level"] == "latent" and m.method == "occlusion"
        assert mod.waveform_rows - before == 2  # the clip and its baseline, whatever the segments and curves
        assert m.cost.forward_passes > 2 * len(m.scores)  # occlusion + deletion + sanity rows all ran
        assert positive_share(m.scores, [4, 5]) >= 0.9
        assert m.faithfulness.aopc > m.faithfulness.aopc_random
        assert m.faithfulness.sanity_spearman < 0.5


def test_latent_equals_waveform_occlusion_when_segments_hold_whole_frames():
    """The planted encoder is frame-local with 0.1 s frames: with 0.5 s segments, replacing a segment's frames by
    the baseline's frames is exactly replacing its samples, so both levels give the same map and curve."""
    from msa_demo.explain import ExplainOptions, attribute_segments

    model, inputs = _latent_model(), planted_inputs()
    inputs.text = inputs.image = None
    mod = model.modalities["audio"]
    model.encode("audio", inputs.audio)  # the prediction's own encoder run
    for baseline in ("silence", "noise"):
        maps = {}
        for level in ("latent", "waveform"):
            before = mod.waveform_rows
            (maps[level],) = attribute_segments(model, inputs, "positive", ExplainOptions(
                audio_baseline=baseline, segment_seconds=0.5, audio_level=level, seed=0))
            assert maps[level].params["audio_level"] == level
            runs = mod.waveform_rows - before
            assert runs == 2 if level == "latent" else runs >= len(maps[level].scores) + 1
        np.testing.assert_allclose(maps["latent"].scores, maps["waveform"].scores, rtol=1e-5, atol=1e-7)
        np.testing.assert_allclose(maps["latent"].faithfulness.deletion_curve,
                                   maps["waveform"].faithfulness.deletion_curve, rtol=1e-5, atol=1e-7)
        assert int(np.argmax(maps["latent"].scores)) == 2  # 1.0-1.5 s


def test_audio_level_falls_back_to_the_waveform_without_latents(planted):
    from msa_demo.errors import InputError
    from msa_demo.explain import ExplainOptions, attribute_segments

    (m,) = attribute_segments(planted, planted_inputs(), "positive", ExplainOptions(segment_seconds=0.25))
    assert m.params["audio_level"] == "waveform" and positive_share(m.scores, [4, 5]) >= 0.9
    with pytest.raises(InputError, match="audio level must be one of auto, latent, waveform"):
        ExplainOptions(audio_level="frames")


def test_frame_segments_follow_each_frames_centre():
    from msa_demo.explain.segments import frame_segments, segment_mask

    idx, _ = segment_mask(1000, 1000, 0.25)  # segments of 250 samples
    seg = frame_segments(idx, frames=10, hop=100, field=100)  # centres 49, 149, ..., 949
    assert seg.tolist() == [0, 0, 0, 1, 1, 2, 2, 2, 3, 3]
    assert frame_segments(idx, frames=12, hop=100, field=100).tolist()[-2:] == [3, 3]  # beyond the clip: last



@pytest.mark.slow
def test_ig_starts_at_the_steps_the_model_last_stopped_at(tiny_preset_path):
    from msa_demo.explain import ExplainOptions, attribute_words
    from msa_demo.model import MultimodalSentimentModel

    def fresh():  # its own model: the step memory is per model
        return MultimodalSentimentModel.from_preset(str(tiny_preset_path), device="cpu")

    model = fresh()
    inputs = model.read_inputs(text="the movie was great but the food was cold")
    strict = dict(seed=0, ig_tolerance=1e-3, ig_max_steps=256)  # tight: the steps rise on a random transformer
    first = attribute_words(model, inputs, "positive", ExplainOptions(**strict))
    tried = first.params["steps_tried"]
    assert tried[0] == 8 and len(tried) > 1 and first.params["n_steps"] == tried[-1]
    again = attribute_words(model, inputs, "positive", ExplainOptions(**strict))
    assert again.params["steps_tried"] == [first.params["n_steps"]]  # the 8, 16 ... runs are not repeated
    assert again.scores == pytest.approx(first.scores, abs=1e-5)
    assert again.cost.forward_passes < first.cost.forward_passes
    # the user's start steps stay a floor; a looser tolerance starts at the remembered steps and converges there
    floor = attribute_words(model, inputs, "positive", ExplainOptions(**strict, ig_min_steps=128))
    assert floor.params["steps_tried"][0] == max(128, first.params["n_steps"])
    loose = attribute_words(model, inputs, "positive", ExplainOptions(seed=0, ig_max_steps=256))
    assert loose.params["steps_tried"] == [floor.params["n_steps"]] and loose.delta < 0.05
    # another model starts from the beginning; so does a text of another length (a long review does not raise
    # the start of sentences)
    assert attribute_words(fresh(), inputs, "positive", ExplainOptions(**strict)).params["steps_tried"] == tried
    long_text = model.read_inputs(text=" ".join(["the movie was great but the food was cold"] * 8))
    assert attribute_words(model, long_text, "positive", ExplainOptions(**strict)).params["steps_tried"][0] == 8


def test_panels_made_at_once_run_together_and_arrive_as_they_finish():
    import threading

    from msa_demo.explain import finished

    meet = threading.Barrier(2, timeout=30)  # each panel waits for the other: only panels run at once pass
    release = threading.Event()

    def first(target):
        meet.wait()
        assert release.wait(30)  # held until the second panel has arrived
        return [f"first {target}"]

    def second(target):
        meet.wait()
        return [f"second {target}"]

    def broken(target):
        raise ValueError("bad panel")

    stream = finished([("a", first), ("b", second), ("c", broken)], "positive", workers=2)
    got = [next(stream)]
    assert got[0][:2] == (1, "b")  # the panel that finished first arrives first
    release.set()
    got += list(stream)
    assert {k: maps for k, _, maps, exc in got if exc is None} == {0: ["first positive"], 1: ["second positive"]}
    (k, name, maps, exc), = [g for g in got if g[3] is not None]
    assert (k, name, maps, str(exc)) == (2, "c", None, "bad panel")


def test_panels_made_at_once_give_the_same_maps_in_registry_order(planted, monkeypatch):
    """Two panels at once, random methods included (Shapley value sampling draws from torch's generator): the
    maps equal those made one panel at a time, and stay in registry order whichever panel finishes first."""
    import msa_demo.explain as ex
    from msa_demo.explain import ExplainOptions

    opts = ExplainOptions(image_methods=("integrated_gradients", "shapley_value_sampling"),
                          audio_methods=("shapley_value_sampling",), sanity=True)
    made = {}
    for workers in (1, 2):
        monkeypatch.setattr(ex, "panel_workers", lambda model, n=workers: n)
        made[workers] = ex.explain(planted, planted_inputs(), target="positive", options=opts)
    one, two = made[1], made[2]
    assert [(m.modality, m.method) for m in two.maps] == [
        ("text", "layer_integrated_gradients"), ("image", "integrated_gradients"),
        ("image", "shapley_value_sampling"), ("audio", "shapley_value_sampling")]
    assert [(m.modality, m.method) for m in one.maps] == [(m.modality, m.method) for m in two.maps]
    for a, b in zip(one.maps, two.maps):
        assert a.scores == b.scores and a.faithfulness.to_dict() == b.faithfulness.to_dict()


def test_a_gradient_method_is_one_table_line(planted, monkeypatch):
    """Saliency and InputXGradient, each added as ONE entry of the methods table, run through the same gradient
    path (the text's through its Layer variant on the token embeddings) and give the planted answer exactly.
    With the additive fusion, d fused[positive] / d s_m = w_m · p(1 - p + q) (p, q: the modality's own
    P(positive), P(negative); its logits are [-s, 0, s]):

    - image: s = 8 · (mean grey of the top-left 4 × 4 pixels - 0.5), so the saliency summed over the cell r1c1 is
      w · 8 · p(1 - p + q), and 0 on every other cell;
    - text: s = the sum of the tokens' first embedding component, which only "great" has (2.0): input × gradient
      gives "great" 2.0 · w · p(1 - p + q) and every other word 0."""
    from msa_demo.explain import attribute_regions, attribute_words
    from msa_demo.explain.methods import METHODS, Method
    from msa_demo.explain.options import ExplainOptions

    monkeypatch.setitem(METHODS, "saliency", Method("Saliency", "gradient", {"abs": False}))
    monkeypatch.setitem(METHODS, "input_x_gradient", Method("InputXGradient", "gradient"))
    # the options' method choices follow the table
    opts = ExplainOptions(image_methods=("saliency",), text_methods=("input_x_gradient",), seed=0)
    inputs = planted_inputs()
    own = planted.predict(inputs=inputs).modalities

    def slope(m: str) -> float:
        p, q = own[m].probs["positive"], own[m].probs["negative"]
        return WEIGHTS[m] * p * (1 - p + q)

    (image,) = attribute_regions(planted, inputs, "positive", opts)
    assert image.method == "saliency" and image.params["captum"] == "Saliency" and image.delta is None
    assert image.scores[0] == pytest.approx(8 * slope("image"), rel=1e-4)
    assert max(abs(s) for s in image.scores[1:]) < 1e-9
    assert image.faithfulness.aopc > image.faithfulness.aopc_random
    words = attribute_words(planted, inputs, "positive", opts)
    assert words.method == "input_x_gradient" and words.params["captum"] == "InputXGradient"
    cause = words.labels.index(CAUSE)
    assert words.scores[cause] == pytest.approx(2.0 * slope("text"), rel=1e-4)
    assert max(abs(s) for i, s in enumerate(words.scores) if i != cause) < 1e-9
    # GradientShap (random: one map at a time, from the seed) through the same path: the cell alone moves, and
    # toward the target (brighter top-left, more positive)
    monkeypatch.setitem(METHODS, "gradient_shap", Method("GradientShap", "gradient", {"n_samples": 8}, random=True))
    (shap,) = attribute_regions(planted, inputs, "positive", ExplainOptions(image_methods=("gradient_shap",)))
    assert shap.params["captum"] == "GradientShap" and shap.scores[0] > 0
    assert max(abs(s) for s in shap.scores[1:]) < 1e-9
