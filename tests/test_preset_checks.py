"""A preset file a person wrote, with the mistakes people make in one (an ML engineer's, offline): each is said in one
line, at check-preset and when the preset loads, instead of a wrong guess (the Hub), a raw transformers error or
nothing at all."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from msa_demo.__main__ import main
from msa_demo.config import load_preset
from msa_demo.errors import InputError, ModelLoadError

ROOT = Path(__file__).resolve().parents[1]


def edited(tiny_preset_path, tmp_path, name="mine", fallback=None, **modalities) -> Path:
    """The tiny preset with some of its modalities' settings changed, written as ``tmp_path/name.json``."""
    data = json.loads(Path(tiny_preset_path).read_text())
    for m, changes in modalities.items():
        data["modalities"][m].update(changes)
    if fallback is not None:
        data["fallback"] = fallback
    out = tmp_path / f"{name}.json"
    out.write_text(json.dumps(data))
    return out


def model_dir(tiny_preset_path, modality: str) -> str:
    return json.loads(Path(tiny_preset_path).read_text())["modalities"][modality]["model_id"]


def test_a_fallback_that_is_no_preset_is_refused_in_one_line(tiny_preset_path, tmp_path, capsys):
    """"fallback": "lit" (for lite) had been taken: check-preset said "falls back to lit" and exited 0, and predict
    switched off a modality that could not load with no stand-in."""
    bad = edited(tiny_preset_path, tmp_path, fallback="lit")
    assert main(["check-preset", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "fallback 'lit' is not a preset" in err and "hub, hub-face, lite" in err and len(err.splitlines()) == 1
    assert main(["predict", "--preset", str(bad), "--text", "I love it"]) == 2
    assert "fallback 'lit'" in capsys.readouterr().err
    for good in ("lite", "", str(tiny_preset_path)):  # a built-in, none, a preset file that is there
        assert load_preset(edited(tiny_preset_path, tmp_path, fallback=good)).fallback == good


def test_a_misspelt_local_folder_is_told_as_no_folder_not_looked_up_on_the_hub(tiny_preset_path, tmp_path, capsys):
    """A model_id that can only be a path (/..., ./..., ~/..., a/b/c) and is not there had been taken for a Hub id:
    "from: the Hugging Face Hub", then "the Hub cannot be reached ... Run with --preset lite"; with a fallback the
    lite model stood in for the typo."""
    from msa_demo.modalities import looks_like_path

    typo = str(Path(model_dir(tiny_preset_path, "text")).parent / "txet")
    for fallback in ("", "lite"):
        bad = edited(tiny_preset_path, tmp_path, fallback=fallback, text={"model_id": typo})
        assert main(["check-preset", str(bad), "--offline"]) == 1
        out = capsys.readouterr().out
        assert f"PROBLEM: No folder {typo}" in out and "Hugging Face Hub   licence" not in out
        assert main(["predict", "--preset", str(bad), "--text", "I love it"]) == 2
        err = capsys.readouterr().err
        assert f"No folder {typo}" in err and "Hub cannot be reached" not in err
    assert all(map(looks_like_path, ("/m/x", "./x", "../x", "~/x", "a/b/c", "C:\\m", ".")))
    assert not any(map(looks_like_path, ("org/name", "gpt2", "pkg:msa_demo/weights/x")))  # Hub ids, a package's


def test_a_hub_shaped_id_that_starts_with_a_folder_here_is_told_it_may_be_a_misspelt_path(
        tiny_preset_path, tmp_path, monkeypatch, capsys):
    """'models/txet' is a Hub id in shape (org/name) and a path too; with a folder models/ here and no txet in it,
    the user had read only "the Hub cannot be reached and no cached copy exists. Run with --preset lite"."""
    from msa_demo.i18n import said

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    (tmp_path / "models").mkdir()
    bad = edited(tiny_preset_path, tmp_path, fallback="", text={"model_id": "models/txet"})
    # the Hub cannot be reached: a model not loaded, 4 (a misspelt folder is only maybe; the line says so)
    assert main(["predict", "--preset", str(bad), "--text", "I love it"]) == 4
    err = capsys.readouterr().err
    assert "There is a folder 'models' here, and no 'txet' in it" in err and "--preset lite" not in err
    line = next(x for x in err.splitlines() if "models/txet" in x)
    assert "这里有文件夹 'models'" in said(line[line.index("Cannot load"):], "zh")
    (tmp_path / "models").rmdir()  # no such folder: an org/name on the Hub, told as before
    assert main(["predict", "--preset", str(bad), "--text", "I love it"]) == 4
    err = capsys.readouterr().err
    assert "no cached copy exists" in err and "There is a folder" not in err


def test_a_model_of_another_kind_is_named_with_what_its_entry_needs(tiny_preset_path, tmp_path, capsys):
    """wav2vec2 as the text model, the text classifier as the image (CLIP) or audio model: transformers' errors,
    cut off ("expected str, bytes or os.PathLike object, not NoneType", "Can't load image processor ... .js")."""
    from msa_demo.model import MultimodalSentimentModel

    cases = [("text", "audio", "wav2vec2", "a text classifier"), ("image", "text", "distilbert", "a CLIP model"),
             ("audio", "text", "distilbert", "an audio classifier"), ("text", "image", "clip", "a text classifier")]
    for modality, other, kind, needs in cases:
        bad = edited(tiny_preset_path, tmp_path, **{modality: {"model_id": model_dir(tiny_preset_path, other)}})
        with pytest.raises(InputError) as told:
            MultimodalSentimentModel.from_preset(str(bad), device="cpu")
        line = str(told.value)
        assert line.startswith(f"The {modality} model ") and f"is a {kind} model (" in line and needs in line
        assert main(["check-preset", str(bad), "--offline"]) == 1
        assert f"PROBLEM: The {modality} model" in capsys.readouterr().out


def test_a_revision_the_cache_lacks_names_those_it_holds(tiny_preset_path, tmp_path, monkeypatch, capsys):
    """The cache held the model at main; the preset asked for v2: "no cached copy exists. Run with --preset lite"."""
    from huggingface_hub import constants

    from msa_demo.modalities import from_pretrained
    from msa_demo.config import ModalitySpec

    sha = "0123456789abcdef0123456789abcdef01234567"
    repo = tmp_path / "hub" / "models--mleng--tinytext"
    shutil.copytree(model_dir(tiny_preset_path, "text"), repo / "snapshots" / sha)
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text(sha)
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path / "hub"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    from transformers import AutoConfig

    spec = ModalitySpec(family="hf-text-classifier", model_id="mleng/tinytext", revision="v2")
    with pytest.raises(ModelLoadError) as told:
        from_pretrained(AutoConfig, spec)
    assert f"revision v2 is not in the cache, which holds main ({sha})" in str(told.value)
    assert "no cached copy exists" not in str(told.value)
    cached = edited(tiny_preset_path, tmp_path, text={"model_id": "mleng/tinytext", "revision": "v2"})
    assert main(["check-preset", str(cached), "--offline"]) == 0
    assert f"note: revision v2 is not in the cache here, which holds main ({sha})" in capsys.readouterr().out


def test_a_revision_given_for_a_local_folder_is_said_to_be_unused(tiny_preset_path, tmp_path, capsys):
    """A local folder has no revisions: one named for it had been ignored without a word."""
    from msa_demo.model import MultimodalSentimentModel

    given = edited(tiny_preset_path, tmp_path, text={"revision": "v9.9"})
    assert main(["check-preset", str(given), "--offline"]) == 0
    assert "is a folder on this machine, which has no revisions: its revision 'v9.9' is not used" in \
        capsys.readouterr().out
    model = MultimodalSentimentModel.from_preset(str(given), device="cpu")
    assert [n for n in model.notices if "revision 'v9.9' is not used" in n and n.startswith("Text: ")]
    plain = MultimodalSentimentModel.from_preset(str(tiny_preset_path), device="cpu")  # "local": no revision meant
    assert not [n for n in plain.notices if "no revisions" in n]


def test_a_folder_with_only_pytorch_model_bin_is_told_about_weights_bin(tiny_preset_path, tmp_path, capsys):
    """"Error no file named model.safetensors found in directory ..." did not say the preset can allow the .bin."""
    import torch
    from safetensors.torch import load_file

    folder = tmp_path / "binonly"
    shutil.copytree(model_dir(tiny_preset_path, "text"), folder)
    torch.save(load_file(folder / "model.safetensors"), folder / "pytorch_model.bin")
    (folder / "model.safetensors").unlink()
    from msa_demo.model import MultimodalSentimentModel

    bad = edited(tiny_preset_path, tmp_path, text={"model_id": str(folder)})
    with pytest.raises(ModelLoadError) as told:
        MultimodalSentimentModel.from_preset(str(bad), device="cpu")
    assert "holds pytorch_model.bin and no safetensors file" in str(told.value)
    assert '"weights": "bin"' in str(told.value)
    assert main(["check-preset", str(bad), "--offline"]) == 1
    assert '"weights": "bin"' in capsys.readouterr().out
    ok = edited(tiny_preset_path, tmp_path, name="ok", text={"model_id": str(folder), "weights": "bin"})
    assert main(["check-preset", str(ok), "--offline"]) == 0


def test_label_map_keys_the_model_has_not_are_named(tiny_preset_path, tmp_path, capsys):
    """POS, 'very positive': keys that match no label of the model had been dropped without a word."""
    extra = edited(tiny_preset_path, tmp_path, text={"label_map": {
        "positive": "positive", "negative": "negative", "Neutral": "neutral", "POS": "positive",
        "very positive": "positive"}})
    assert main(["check-preset", str(extra), "--offline"]) == 0
    out = capsys.readouterr().out
    assert "label_map keys the model has no label for (ignored): 'POS', 'very positive'" in out
    assert "'Neutral'" not in out  # matched as loading matches it: case aside
    assert main(["check-preset", str(tiny_preset_path), "--offline"]) == 0
    assert "label_map keys" not in capsys.readouterr().out  # CLIP's prompts are its labels


@pytest.mark.spawns
@pytest.mark.parametrize("argv", [["check-preset", "hub", "--offline"],
                                  ["check-preset", "hub", "--offline", "--json"]])
def test_a_reader_that_goes_away_ends_the_command_quietly(argv):
    """``check-preset ... | head -1`` ended with a BrokenPipeError traceback."""
    proc = subprocess.Popen([sys.executable, "-m", "msa_demo", *argv], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env={"HF_HUB_OFFLINE": "1", "PATH": "/usr/bin:/bin"})
    proc.stdout.close()  # gone before the command writes a line (it takes a second to start)
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 141, err
    assert "Traceback" not in err and "BrokenPipe" not in err and err == ""


def test_check_preset_load_says_per_model_whether_it_loads_here(tiny_preset_path, tmp_path, capsys):
    """"Will this preset run on this machine?" — an offline check of the file cannot tell a model cut short (a
    download stopped part-way) from a whole one. ``--load`` loads each model here, one at a time, with no stand-in,
    and says per model whether it loads (exit 1 when one does not)."""
    assert main(["check-preset", str(tiny_preset_path), "--offline", "--load", "--device", "cpu"]) == 0
    out = capsys.readouterr().out
    names = list(json.loads(Path(tiny_preset_path).read_text())["modalities"])
    assert [f"  {m}: loads" in out for m in names] == [True] * len(names)
    broken = tmp_path / "text-cut"
    shutil.copytree(model_dir(tiny_preset_path, "text"), broken)
    weights = broken / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[:200])  # a download stopped part-way
    cut = edited(tiny_preset_path, tmp_path, fallback="lite", text={"model_id": str(broken)})
    assert main(["check-preset", str(cut), "--offline"]) == 0  # the file itself is fine
    capsys.readouterr()
    assert main(["check-preset", str(cut), "--offline", "--load", "--device", "cpu", "--json"]) == 1
    loads = json.loads(capsys.readouterr().out)["loads_here"]
    assert loads["text"] and "\n" not in loads["text"] and all(loads[m] is None for m in names if m != "text")
