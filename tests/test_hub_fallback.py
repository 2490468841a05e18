"""The Hub path degrades one modality at a time, loads only safe weights, and offers a face-expression image model.

A "Hub" preset here is the tiny preset with one entry pointing at a real Hub id while the Hub is unreachable
(HF_HUB_OFFLINE, an empty cache): exactly what a Space meets when one model's files are missing.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
import torch

from msa_demo.config import FACE_EXPRESSIONS, HUB, LITE, Preset, load_preset, save_preset
from msa_demo.errors import InputError, ModelLoadError
from msa_demo.model import MultimodalSentimentModel

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def offline(monkeypatch, tmp_path):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "empty-hf-cache"))


def _with(preset: Preset, name: str = "partial", fallback: str = "", **specs) -> Preset:
    mods = dict(preset.modalities)
    for m, spec in specs.items():
        if spec is None:
            mods.pop(m)
        else:
            mods[m] = spec
    return replace(preset, name=name, modalities=mods, fallback=fallback)


@pytest.fixture(scope="module")
def tiny(tiny_preset_path) -> Preset:
    return load_preset(str(tiny_preset_path))


# ---------------------------------------------------------------------- per-modality fallback


@pytest.mark.lite
def test_missing_audio_model_falls_back_to_lite_audio_alone(tiny, offline, rgb_image):
    preset = _with(tiny, fallback="lite", audio=HUB.modalities["audio"])
    model = MultimodalSentimentModel(preset, device="cpu")

    # text and image stay on their own (tiny Hub-family) models; audio is lite's speech-transcript model
    assert model.preset.modalities["text"] is tiny.modalities["text"]
    assert model.preset.modalities["image"] is tiny.modalities["image"]
    assert model.modalities["audio"].spec.family == "speech-transcript"
    assert model.stand_ins == ["audio"]
    assert len(model.notices) == 1 and "\n" not in model.notices[0]
    line = model.notices[0]
    assert line.startswith("Audio: 'superb/wav2vec2-base-superb-er' could not be loaded")
    assert "lite audio model stands in" in line and "cannot be reached" in line
    assert "--preset lite" not in line  # the advice to go offline does not apply: text and image are on the Hub
    assert model.describe()["stand_ins"] == ["audio"] and model.requested is preset

    # lite audio judges the words said (a tone has none: it abstains), so the clip is speech here
    pred = model.predict(text="I love it", image=rgb_image, audio=str(ROOT / "examples" / "positive_speech.wav"))
    assert pred.used == ["text", "image", "audio"]
    assert pred.modalities["audio"].model_id == LITE.modalities["audio"].model_id
    assert pred.modalities["text"].model_id == tiny.modalities["text"].model_id
    # late fusion over sentiment probabilities is coherent whatever model serves a modality
    mean = {s: sum(pred.modalities[m].probs[s] for m in pred.used) / 3 for s in pred.probs}
    assert pred.probs == pytest.approx(mean, abs=1e-6)


def test_modality_without_a_stand_in_is_switched_off(tiny, offline, tmp_path, rgb_image, tone):
    no_audio = save_preset(_with(tiny, name="no-audio", audio=None), tmp_path / "no_audio.json")
    preset = _with(tiny, fallback=str(no_audio), audio=HUB.modalities["audio"])
    model = MultimodalSentimentModel(preset, device="cpu")
    assert list(model.modalities) == ["text", "image"]
    assert model.unavailable.keys() == {"audio"}
    assert "nothing stands in for it, so audio is switched off" in model.notices[0]
    pred = model.predict(text="I love it", image=rgb_image, audio=(16000, tone))
    assert pred.used == ["text", "image"]
    assert "The audio model could not be loaded, so the audio was not used." in pred.notices


def test_a_json_answer_carries_the_loading_notices_of_its_own_preset_only(tiny, offline, tmp_path, tiny_model):
    """/predict_json with preset B carried preset A's stand-in line (and once more with an "A:" prefix): every
    loaded preset's loading notices went into every answer. An answer carries those of the preset that made it,
    and the dashboard's own (a preset that fell back), each once."""
    from msa_demo import ui
    from msa_demo.api import CodeApi

    no_audio = save_preset(_with(tiny, name="no-audio", audio=None), tmp_path / "no_audio.json")
    partial = MultimodalSentimentModel(_with(tiny, fallback=str(no_audio), audio=HUB.modalities["audio"]),
                                       device="cpu")
    (line,) = partial.notices
    dash = ui.Dashboard(models={"partial": partial, "tiny": tiny_model}, default="partial")
    # as loading said them: the preset that fell back, and the stand-in line of a preset loaded after another
    dash.notices = ["The 'hub' preset could not be loaded (offline); using 'partial' instead.", f"partial: {line}"]
    api = CodeApi(dash)
    other = json.loads(api.predict(text="I love it", preset="tiny"))["notices"]
    assert other == ["The 'hub' preset could not be loaded (offline); using 'partial' instead."]
    own = json.loads(api.predict(text="I love it", preset="partial"))["notices"]
    assert own == [other[0], line]


def test_without_a_fallback_a_loading_failure_stays_an_error(tiny, offline):
    with pytest.raises(ModelLoadError, match="cannot be reached"):
        MultimodalSentimentModel(_with(tiny, audio=HUB.modalities["audio"]), device="cpu")


def test_when_every_modality_fails_the_whole_preset_fails(offline):
    # the whole-preset fallback (to lite) is the caller's last resort, not three stand-ins
    with pytest.raises(ModelLoadError, match="cannot be reached"):
        MultimodalSentimentModel(HUB, device="cpu")


@pytest.mark.lite
def test_dashboard_keeps_the_hub_preset_and_shows_the_stand_in_once(tiny, offline, tmp_path):
    from msa_demo import ui

    path = save_preset(_with(tiny, name="hubish", fallback="lite", audio=HUB.modalities["audio"]),
                       tmp_path / "hubish.json")
    dash = ui.Dashboard.load(str(path), fallback="lite", device="cpu", warm=False)
    assert dash.default == str(path) and list(dash.models) == [str(path)]
    assert len(dash.notices) == 1 and "lite audio model stands in" in dash.notices[0]
    assert "stands in" in dash.header_markdown()


@pytest.mark.lite  # lite stands in: its real models load
def test_modalities_that_fail_for_one_reason_are_said_in_one_line(tiny, offline):
    preset = _with(tiny, fallback="lite", text=HUB.modalities["text"], audio=HUB.modalities["audio"])
    model = MultimodalSentimentModel(preset, device="cpu")
    assert model.stand_ins == ["text", "audio"]
    (line,) = model.notices  # one cause (the Hub cannot be reached), one line
    assert line.startswith(f"Text and audio: '{HUB.modalities['text'].model_id}', "
                           f"'{HUB.modalities['audio'].model_id}' could not be loaded, so the lite text and audio "
                           "models stand in. (The Hugging Face Hub cannot be reached")
    assert line.count("cannot be reached") == 1 and "--preset lite" not in line


@pytest.mark.lite  # lite stands in: its real models load
def test_a_preset_replaced_by_lite_says_why_once_and_no_advice_to_run_lite(tiny, offline, tmp_path):
    from msa_demo import ui

    # no fallback of its own: its one Hub model failing fails the whole preset, and the dashboard runs lite
    path = save_preset(_with(tiny, name="hubish", audio=HUB.modalities["audio"]), tmp_path / "hubish.json")
    dash = ui.Dashboard.load(str(path), fallback="lite", device="cpu", warm=False)
    assert dash.default == "lite" and str(path) in dash.failures
    md = dash.header_markdown()
    first, why = md.split("\n\n", 1)
    assert "Running offline: lite models, English and Chinese only" in first
    assert why.count("cannot be reached") == 1 and "--preset lite" not in md  # already on lite


def test_trained_fusion_head_gives_way_to_late_fusion_when_a_stand_in_serves_its_modality(
        tiny, offline, tmp_path, rgb_image, tone):
    from msa_demo.fusion import FusionNet

    dims = {"text": 32, "audio": 32}  # the tiny text and audio models' feature sizes
    net = FusionNet(kind="concat", modalities=list(dims), dims=dims, hidden=8)
    net.save_pretrained(str(tmp_path / "head"))

    # the head reads audio; audio's model is replaced (by a model of the same feature size, even): late fusion
    model = MultimodalSentimentModel(replace(_with(tiny, fallback=str(_tiny_copy(tiny, tmp_path)),
                                                   audio=HUB.modalities["audio"]), fusion=str(tmp_path / "head")),
                                     device="cpu")
    assert model.fusion.describe()["kind"] == "weighted"
    assert any("trained fusion head reads the features of this preset's own audio model" in n
               for n in model.notices)
    pred = model.predict(text="I love it", audio=(16000, tone))
    mean = {s: (pred.modalities["text"].probs[s] + pred.modalities["audio"].probs[s]) / 2 for s in pred.probs}
    assert pred.probs == pytest.approx(mean, abs=1e-6)

    # the head does not read images: a replaced image model leaves it in place
    model = MultimodalSentimentModel(replace(_with(tiny, fallback=str(_tiny_copy(tiny, tmp_path)),
                                                   image=replace(HUB.modalities["image"])),
                                             fusion=str(tmp_path / "head")), device="cpu")
    assert model.stand_ins == ["image"] and model.fusion.describe()["kind"] == "trained-concat"


def _tiny_copy(tiny: Preset, tmp_path: Path) -> Path:
    return save_preset(replace(tiny, name="stand-in"), tmp_path / "stand_in.json")


# ---------------------------------------------------------------------- weights policy


def _bin_only(spec_dir: Path, out: Path, payload=None) -> Path:
    """A copy of a tiny model directory whose weights are a pytorch_model.bin (no safetensors)."""
    import shutil

    from safetensors.torch import load_file

    shutil.copytree(spec_dir, out)
    state = load_file(str(out / "model.safetensors"))
    (out / "model.safetensors").unlink()
    torch.save(payload if payload is not None else state, out / "pytorch_model.bin")
    return out


class _Planted:
    """A pickle that runs code when loaded without weights_only."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (Path.write_text, (self.marker, "pickle code ran"))


def test_bin_weights_load_only_when_the_entry_opts_in(tiny, tmp_path, rgb_image):
    audio = tiny.modalities["audio"]
    bin_dir = _bin_only(Path(audio.model_id), tmp_path / "audio_bin")
    spec = replace(audio, model_id=str(bin_dir))
    with pytest.raises(ModelLoadError, match="Cannot load the model at"):
        MultimodalSentimentModel(_with(tiny, audio=spec), device="cpu")
    model = MultimodalSentimentModel(_with(tiny, audio=replace(spec, weights="bin")), device="cpu")
    reference = MultimodalSentimentModel(_with(tiny, audio=audio), device="cpu")
    wave = torch.linspace(-0.5, 0.5, 16000).numpy()
    assert model.predict(audio=(16000, wave)).probs == pytest.approx(reference.predict(audio=(16000, wave)).probs, abs=1e-6)


def test_bin_opt_in_never_unpickles_code(tiny, tmp_path):
    marker = tmp_path / "marker.txt"
    bin_dir = _bin_only(Path(tiny.modalities["audio"].model_id), tmp_path / "evil", payload={"x": _Planted(marker)})
    spec = replace(tiny.modalities["audio"], model_id=str(bin_dir), weights="bin")
    with pytest.raises(ModelLoadError):
        MultimodalSentimentModel(_with(tiny, audio=spec), device="cpu")
    assert not marker.exists()


def test_a_cached_hub_copy_with_only_a_bin_says_so_not_that_no_copy_exists(tiny, offline, monkeypatch, tmp_path):
    """A Hub model cached with only pytorch_model.bin was said to have no cached copy at all: the cache attempt's
    error was dropped. The one line says the real cause (only safetensors are loaded)."""
    import huggingface_hub.constants

    cache = tmp_path / "hub-cache"
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(cache))
    rev = "c" * 40
    _bin_only(Path(tiny.modalities["audio"].model_id), cache / "models--acme--tiny-audio" / "snapshots" / rev)
    spec = replace(tiny.modalities["audio"], model_id="acme/tiny-audio", revision=rev)
    with pytest.raises(ModelLoadError) as err:
        MultimodalSentimentModel(_with(tiny, audio=spec), device="cpu")
    line = str(err.value)
    assert "\n" not in line and "no cached copy exists" not in line
    assert "its cached copy has no safetensors weights (only pytorch_model.bin), and only safetensors are loaded" in line
    from msa_demo.i18n import said

    assert "只有 pytorch_model.bin" in said(line, "zh")
    # with a stand-in, its notice carries the same cause
    model = MultimodalSentimentModel(_with(tiny, fallback=str(_tiny_copy(tiny, tmp_path)), audio=spec), device="cpu")
    (notice,) = model.notices
    assert "could not be loaded" in notice and "only pytorch_model.bin" in notice
    # a model not cached at all keeps the usual line
    other = replace(spec, model_id="acme/not-cached")
    with pytest.raises(ModelLoadError, match="cannot be reached and no cached copy exists"):
        MultimodalSentimentModel(_with(tiny, audio=other), device="cpu")


def test_weights_setting_is_checked():
    with pytest.raises(InputError, match="weights must be one of safetensors, bin"):
        replace(HUB.modalities["audio"], weights="pickle")


def test_every_hub_entry_records_files_licence_and_safetensors():
    for name in ("hub", "hub-face"):
        for m, spec in load_preset(name).modalities.items():
            assert spec.licence and spec.files, (name, m)
            assert "config.json" in spec.files and "model.safetensors" in spec.files
            assert spec.weights == "safetensors"
    assert HUB.modalities["audio"].revision == "refs/pr/2"


# ---------------------------------------------------------------------- check-preset


@pytest.mark.spawns
def test_check_preset_offline_prints_the_plan_and_exits_cleanly(tmp_path):
    env = {"HF_HUB_OFFLINE": "1", "HF_HOME": str(tmp_path / "hf"), "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-m", "msa_demo", "check-preset", "hub"], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    text = out.stdout
    for spec in HUB.modalities.values():
        assert spec.model_id in text and spec.revision in text and spec.licence in text
        assert all(f in text for f in spec.files)
    assert "refs/pr/2" in text and "cannot verify" in text.lower()
    assert "Traceback" not in out.stderr


@pytest.mark.spawns
def test_check_preset_json_and_unknown_preset(tmp_path):
    env = {"HF_HUB_OFFLINE": "1", "HF_HOME": str(tmp_path / "hf"), "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-m", "msa_demo", "check-preset", "hub-face", "--json"], cwd=ROOT,
                         env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    plan = json.loads(out.stdout)
    image = next(e for e in plan["entries"] if e["modality"] == "image")
    assert image["model_id"] == "trpakov/vit-face-expression" and image["licence"] == "apache-2.0"
    assert plan["verified"] is False and plan["fallback"] == "lite"
    bad = subprocess.run([sys.executable, "-m", "msa_demo", "check-preset", "nope"], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "Unknown preset 'nope'" in bad.stderr and "Traceback" not in bad.stderr


def test_check_preset_writes_a_preset_to_edit_as_a_second_one_for_compare(tmp_path, capsys):
    """Compare needs a second preset, and the README had no way to make one: a new user built it from
    msa_demo.config in Python. ``check-preset PRESET --write FILE.json`` writes it, named for its file, to edit and
    load; a file that exists, or one not .json, is one line and nothing is written."""
    from msa_demo.__main__ import main

    out = tmp_path / "faces_first.json"
    assert main(["check-preset", "lite", "--write", str(out)]) == 0
    assert f"written to {out} as 'faces_first'" in capsys.readouterr().out
    edited = json.loads(out.read_text())
    edited["modalities"]["video"]["weight"] = 3.0
    out.write_text(json.dumps(edited))
    loaded = load_preset(str(out))
    assert loaded.name == "faces_first" and loaded.modalities["video"].weight == 3.0
    assert {m: s for m, s in loaded.modalities.items() if m != "video"} == {
        m: s for m, s in LITE.modalities.items() if m != "video"}
    before = out.read_text()
    for again, said in ((out, "exists already"), (tmp_path / "p.yaml", "to a .json file")):
        assert main(["check-preset", "lite", "--write", str(again)]) == 2
        assert said in capsys.readouterr().err
    assert out.read_text() == before and not (tmp_path / "p.yaml").exists()


def test_check_preset_write_where_it_cannot_write_is_one_line_and_leaves_nothing(tmp_path, capsys):
    """``--write`` into a folder that is not there, a "folder" that is a file, a folder, or a file that cannot be
    written to its end: one line each naming what is wrong, exit status 2, no traceback, and no file, whole or cut
    short (a preset cut short at a full disk had been left there, to be loaded later as a broken preset)."""
    import os
    import resource
    import signal

    from msa_demo.__main__ import main

    (tmp_path / "a_file").write_text("x")
    for path, said in ((tmp_path / "nope" / "p.json", f"the folder '{tmp_path / 'nope'}' does not exist."),
                       (tmp_path / "a_file" / "p.json", f"'{tmp_path / 'a_file'}' is a file, not a folder."),
                       (tmp_path, "is a folder; give the name of a file to write.")):
        assert main(["check-preset", "lite", "--write", str(path)]) == 2
        err = capsys.readouterr().err
        assert err.startswith(f"error: --write '{path}'") and err.rstrip().endswith(said), err
        assert err.count("\n") == 1 and "Traceback" not in err
    assert not (tmp_path / "nope").exists() and (tmp_path / "a_file").read_text() == "x"
    if os.geteuid() != 0:  # a folder that cannot be written to (root writes anywhere)
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o555)
        assert main(["check-preset", "lite", "--write", str(locked / "p.json")]) == 2
        assert "could not be written (Permission denied). Nothing was written." in capsys.readouterr().err
        assert not list(locked.iterdir())
    # a file that cannot be written to its end: a size limit as a full disk would stop it, after its first 100 bytes
    cut = tmp_path / "cut.json"
    was = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    limits = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (100, limits[1]))
    try:
        status = main(["check-preset", "lite", "--write", str(cut)])
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, limits)
        signal.signal(signal.SIGXFSZ, was)
    err = capsys.readouterr().err
    assert status == 2 and err == f"error: --write '{cut}' could not be written (File too large). Nothing was written.\n"
    assert not cut.exists()  # not left cut short
    assert main(["check-preset", "lite", "--write", str(cut)]) == 0 and load_preset(str(cut)).name == "cut"


def test_verification_compares_what_the_hub_lists_with_what_the_entry_expects():
    from msa_demo.hub import compare

    spec = HUB.modalities["audio"]
    ok = compare(spec, files=["config.json", "model.safetensors", "preprocessor_config.json", "README.md"],
                 licence="apache-2.0", sha="a" * 40)
    assert ok.problems == [] and ok.sha == "a" * 40
    bad = compare(spec, files=["config.json", "pytorch_model.bin", "preprocessor_config.json"], licence="mit",
                  sha="b" * 40)
    assert any("model.safetensors" in p for p in bad.problems)
    assert any("licence" in p and "mit" in p for p in bad.problems)


# ---------------------------------------------------------------------- face-expression image model


@pytest.fixture(scope="module")
def face_model(tiny, tmp_path_factory):
    from msa_demo.tiny import face_expression_spec

    spec = face_expression_spec(tmp_path_factory.mktemp("face"), seed=3)
    return MultimodalSentimentModel(_with(tiny, name="tiny-face", image=spec), device="cpu")


def test_hub_face_preset_uses_a_vit_expression_classifier():
    face = load_preset("hub-face")
    assert face.modalities["image"].model_id == "trpakov/vit-face-expression"
    assert face.modalities["image"].family == "hf-image-classifier"
    assert face.modalities["image"].label_map == FACE_EXPRESSIONS
    assert face.modalities["text"] == HUB.modalities["text"] and face.modalities["audio"] == HUB.modalities["audio"]


def test_face_labels_are_read_from_id2label(face_model, rgb_image):
    mod = face_model.modalities["image"]
    assert sorted(mod.labels) == sorted(FACE_EXPRESSIONS) and mod.labels[0] == "neutral"
    pred = face_model.predict(image=rgb_image).modalities["image"]
    by_sentiment = {s: sum(p for lab, p in pred.label_probs.items() if FACE_EXPRESSIONS[lab] == s)
                    for s in pred.probs}
    assert pred.probs == pytest.approx(by_sentiment, abs=1e-6)


@pytest.mark.parametrize("regions", ["grid", "superpixels"])
def test_face_region_explanations_work_like_clips(face_model, rgb_image, regions):
    from msa_demo.explain import ExplainOptions, attribute_regions

    inputs = face_model.read_inputs(image=rgb_image)
    opts = ExplainOptions(regions=regions, grid=4, superpixels=8, ig_max_steps=32, image_baseline="black")
    maps = attribute_regions(face_model, inputs, "positive", opts)
    assert [m.method for m in maps] == ["integrated_gradients", "occlusion"]
    ig, occ = maps
    for m in maps:
        assert len(m.scores) == len(m.labels) > 1
        assert all(torch.isfinite(torch.tensor(m.scores)))
    assert ig.delta is None or ig.delta < 0.05  # IG completeness holds on the ViT's pixels
    # occlusion's score of a region is the drop in the fused positive probability when only it is blacked out
    prepared, _ = face_model.encode("image", inputs.image)
    x = prepared.inputs["pixel_values"]
    full = face_model.modalities["image"].forward(pixel_values=x)[0, 2]
    from msa_demo.explain.regions import image_baseline

    region_ids = torch.as_tensor(_region_mask(face_model, inputs, opts))
    black = image_baseline(face_model.modalities["image"], x, "black")
    hidden = torch.where((region_ids == 0).reshape(1, 1, *region_ids.shape), black, x)
    drop = full - face_model.modalities["image"].forward(pixel_values=hidden)[0, 2]
    assert occ.scores[0] == pytest.approx(float(drop), abs=1e-5)


def _region_mask(model, inputs, opts):
    from msa_demo.explain.regions import region_layout

    prepared, _ = model.encode("image", inputs.image)
    h, w = prepared.inputs["pixel_values"].shape[-2:]
    return region_layout(inputs.image.image, tuple(prepared.info["box"]), h, w, opts)[0]


@pytest.mark.spawns
@pytest.mark.lite
def test_cli_predict_says_which_modality_stands_in(tiny, offline, tmp_path):
    import os

    path = save_preset(_with(tiny, name="hubish", fallback="lite", audio=HUB.modalities["audio"]),
                       tmp_path / "hubish.json")
    out = subprocess.run([sys.executable, "-m", "msa_demo", "predict", "--preset", str(path), "--text", "good",
                          "--json"], cwd=ROOT, env=dict(os.environ), capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["used"] == ["text"]
    assert "note: Audio: 'superb/wav2vec2-base-superb-er' could not be loaded" in out.stderr


def test_a_head_whose_feature_sizes_are_not_the_loaded_models_gives_way_not_a_crash(tiny, tmp_path, tone):
    """A head trained while a stand-in served (audio 384) under a preset that names the Hub model: once the Hub
    model is back (audio 32 here) the prediction had crashed, "The size of tensor a (32) must match the size of
    tensor b (384)". It gives way to late fusion, as it does to a stand-in, and one line says why."""
    from msa_demo.fusion import FusionNet

    dims = {"text": 32, "audio": 384}
    FusionNet(kind="concat", modalities=list(dims), dims=dims, hidden=8).save_pretrained(str(tmp_path / "head"))
    model = MultimodalSentimentModel(replace(tiny, fusion=str(tmp_path / "head")), device="cpu")
    pred = model.predict(text="I love it", audio=(16000, tone))
    mean = {s: (pred.modalities["text"].probs[s] + pred.modalities["audio"].probs[s]) / 2 for s in pred.probs}
    assert pred.probs == pytest.approx(mean, abs=1e-6) and pred.fusion["kind"] == "weighted"
    line = ("The trained fusion head reads features of other sizes than the models loaded give (audio 384, its model "
            "gives 32), so the modalities' sentiments are averaged (late fusion) instead.")
    assert line in pred.notices and line in model.notices
    assert line in model.predict(text="I hate it").notices  # every later verdict says it too
    fits = FusionNet(kind="concat", modalities=list(dims), dims={"text": 32, "audio": 32}, hidden=8)
    fits.save_pretrained(str(tmp_path / "fits"))
    model = MultimodalSentimentModel(replace(tiny, fusion=str(tmp_path / "fits")), device="cpu")
    assert model.predict(text="I love it", audio=(16000, tone)).fusion["kind"] == "trained-concat"


def test_training_refuses_a_stand_in_in_one_line_and_saves_nothing(tiny, offline, tmp_path, capsys, tone):
    """``train --preset hub`` with one Hub model not cached had trained on the lite stand-in without a word and
    saved a head whose config.json held the stand-in's feature sizes beside a preset.json naming the Hub model."""
    import soundfile as sf

    from msa_demo.__main__ import main

    preset = save_preset(_with(tiny, name="hubish", fallback=str(_tiny_copy(tiny, tmp_path)),
                               audio=HUB.modalities["audio"]), tmp_path / "hubish.json")
    sf.write(tmp_path / "a.wav", tone, 16000)
    manifest = tmp_path / "m.jsonl"
    manifest.write_text("\n".join(json.dumps({"text": f"{['awful', 'great'][i % 2]} {i}", "audio": "a.wav",
                                              "label": ["negative", "positive"][i % 2]}) for i in range(8)))
    out = tmp_path / "head"
    capsys.readouterr()
    code = main(["train", str(manifest), "--preset", str(preset), "--output", str(out), "--cache-dir",
                 str(tmp_path / "c"), "--epochs", "1", "--quiet"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and err.startswith("error: Audio: 'superb/") and "stands in." in err, err
    assert "Training does not read a stand-in: a head trained on its features would not fit the 'hubish' preset's own audio model, so nothing was trained: make it available, or train with another --preset (--preset " in err
    assert not out.exists()


def test_the_space_preloads_the_files_and_commits_the_hub_preset_loads():
    """The Space's front matter listed bare ids: Spaces then fetched each whole repo at its default branch (CLIP's
    .bin, .h5 and .msgpack too), not the pinned commit the preset loads (whose files the start then fetched again).
    Each line is "id files commit", as the preset's entry says (the clip's frames reuse the picture's); an entry
    pinned to a moving ref is not preloaded."""
    import re

    import yaml

    from msa_demo.modalities import is_pinned

    front = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8").split("---")[1]
    preloaded = yaml.safe_load(front)["preload_from_hub"]
    pinned = [s for s in HUB.modalities.values() if is_pinned(s.revision)]
    assert pinned and sorted(preloaded) == sorted({f"{s.model_id} {','.join(s.files)} {s.revision}" for s in pinned})
    assert all(re.fullmatch(r"\S+ \S+ [0-9a-f]{40}", line) for line in preloaded)
