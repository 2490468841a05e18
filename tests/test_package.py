"""msa_demo as an installable package (pyproject.toml): ``python -m msa_demo`` worked only from inside the checkout
("No module named msa_demo" anywhere else). The checkout's tracked files build a wheel that holds the whole package
with the lite preset's weights, declares requirements.txt's pins and the ``msa-demo`` command; installed into a
folder of its own, it predicts from another folder with the weights it carries."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _tracked() -> list[str]:
    done = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True)
    return [p for p in done.stdout.decode().split("\0") if p and (ROOT / p).is_file()]


def _pins(requirements: Path) -> list[str]:
    lines = (line.split("#", 1)[0].strip() for line in requirements.read_text(encoding="utf-8").splitlines())
    return [line for line in lines if line and not line.startswith("-")]


@pytest.mark.spawns
def test_the_checkout_builds_a_package_that_runs_outside_it(tmp_path):
    src = tmp_path / "src"  # the tracked files only, as a clean clone has them (no caches, no results folders)
    tracked = _tracked()
    for rel in tracked:
        (src / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / rel, src / rel)
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w",
                            str(tmp_path / "wheel"), str(src)], capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stderr[-2000:]
    wheel, = (tmp_path / "wheel").glob("msa_demo-*.whl")
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        meta = z.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
        scripts = z.read(next(n for n in names if n.endswith(".dist-info/entry_points.txt"))).decode()
    package = {p for p in tracked if p.startswith("msa_demo/")}
    assert package - names == set()  # every module and every weight file
    assert any(p.endswith(".safetensors") for p in package)
    requires = [m for m in re.findall(r"^Requires-Dist: (.+)$", meta, re.M) if "extra ==" not in m]
    assert requires == _pins(ROOT / "requirements.txt")
    assert "msa-demo = msa_demo.__main__:main" in scripts

    site = tmp_path / "site"
    installed = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-index", "--target",
                                str(site), str(wheel)], capture_output=True, text=True, timeout=300)
    assert installed.returncode == 0, installed.stderr[-2000:]
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.copy2(ROOT / "examples" / "happy_face.png", elsewhere / "face.png")
    env = {**os.environ, "PYTHONPATH": str(site), "HF_HUB_OFFLINE": "1"}
    ran = subprocess.run([sys.executable, "-m", "msa_demo", "predict", "--preset", "lite", "--image", "face.png",
                          "--json"], cwd=elsewhere, env=env, capture_output=True, text=True, timeout=300)
    assert ran.returncode == 0, ran.stderr[-2000:]
    assert '"label": "positive"' in ran.stdout
    where = subprocess.run([sys.executable, "-c", "import msa_demo; print(msa_demo.__file__)"], cwd=elsewhere,
                           env=env, capture_output=True, text=True, timeout=60)
    assert Path(where.stdout.strip()).is_relative_to(site)  # the installed copy, not the checkout
    command = subprocess.run([str(site / "bin" / "msa-demo"), "--help"], cwd=elsewhere, env=env,
                             capture_output=True, text=True, timeout=120)
    assert command.returncode == 0 and "predict" in command.stdout, command.stderr[-2000:]
