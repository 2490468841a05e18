"""The random "base" models that the GPU and CPU benchmarks build must be the Hub preset's architectures."""

from __future__ import annotations

import pytest

from msa_demo import config, tiny


def _subset(cfg: dict, expected: dict, where: str = "") -> list[str]:
    """The keys of ``expected`` whose value differs in ``cfg`` (nested dicts compared key by key)."""
    bad = []
    for k, v in expected.items():
        got = cfg.get(k)
        if isinstance(v, dict):
            bad += _subset(got or {}, v, f"{where}{k}.")
        elif (list(got) if isinstance(got, (list, tuple)) else got) != v:
            bad.append(f"{where}{k}: {got!r} != {v!r}")
    return bad


def test_the_size_table_names_the_hub_presets_models():
    for preset in (config.HUB,):
        for modality, spec in preset.modalities.items():
            assert spec.model_id in tiny.HUB_SIZES, f"{modality}: no sizes recorded for {spec.model_id}"


@pytest.mark.parametrize("modality, build", [("text", tiny.text_config), ("image", tiny.clip_config),
                                             ("audio", tiny.wav2vec2_config)])
def test_base_configs_match_the_hub_models(modality, build):
    cfg = build(base=True).to_dict()
    expected = tiny.HUB_SIZES[config.HUB.modalities[modality].model_id]
    assert _subset(cfg, expected) == []


def test_base_clip_is_patch32_with_50_tokens():
    """The hub preset reads pictures with ViT-B/32: 7 x 7 patches + the class token."""
    vision = tiny.clip_config(base=True).vision_config
    assert (vision.image_size // vision.patch_size) ** 2 + 1 == 50


def test_tiny_configs_are_small():
    assert tiny.text_config(vocab_size=100).dim < 100
    assert tiny.clip_config().vision_config.hidden_size < 100
    assert tiny.wav2vec2_config().hidden_size < 100


def test_make_tiny_says_a_folder_it_cannot_make_in_one_line_and_quotes_the_path_it_prints(tmp_path, capsys):
    """A file of that name had been a NotADirectoryError traceback; its "Try:" line broke on a path with a space."""
    from msa_demo.__main__ import main

    afile = tmp_path / "some.csv"
    afile.write_text("x")
    assert main(["make-tiny", str(afile)]) == 2
    assert capsys.readouterr().err == f"error: make-tiny '{afile}' is a file; give a folder to write to.\n"
    assert main(["make-tiny", str(afile / "sub")]) == 2
    assert capsys.readouterr().err == f"error: make-tiny '{afile / 'sub'}' could not be made (Not a directory).\n"
    spaced = tmp_path / "ti ny"
    assert main(["make-tiny", str(spaced)]) == 0
    assert f"Try: python -m msa_demo predict --preset '{spaced}/tiny.json' --text 'I love it'" in capsys.readouterr().out
