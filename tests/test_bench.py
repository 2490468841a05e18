"""The speed benchmark script runs end to end (tiny preset, CPU) and writes the figures the issue asks for.

Only structure and the fidelity guard are asserted here; the speed figures themselves are printed, not tested.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
REQUIRED = ("device", "predict_p50_ms", "full_explanation_p50_ms", "full_explanation_p95_ms",
            "naive_full_explanation_p50_ms", "speedup", "fidelity_min_spearman", "ig_delta_max")


@pytest.mark.slow
def test_bench_tiny_writes_results(tmp_path, capsys):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import bench
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    out, md = tmp_path / "results.json", tmp_path / "RESULTS.md"
    assert bench.main(["--preset", "tiny", "--device", "cpu", "--runs", "2", "--naive-runs", "1",
                       "--audio-seconds", "2", "--out", str(out), "--md", str(md)]) == 0
    result = json.loads(out.read_text())
    assert all(k in result for k in REQUIRED)
    assert result["device"] == "CPU" and result["workload"]["segments"] == 4
    assert result["fidelity_pass"] and result["fidelity_min_spearman"] >= 0.95
    # the naive baseline really is Captum's defaults: one row per call, every encoder re-run, 50 IG steps
    assert result["forward_passes"]["naive"] > result["forward_passes"]["fast"]
    printed = capsys.readouterr().out
    assert printed.strip().splitlines()[-1].startswith("speed-up vs naive:")
    assert "| full explanation |" in md.read_text()
