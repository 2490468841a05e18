"""What a backend developer found integrating through /explain_json, MCP, ``explain --json`` and the Python package
(issue fix-api): no trust verdict per map in the JSON, a faceless picture read as a face from Python, a what-if
said "flipped" on a tie, abstentions said as "switched off", a tool description that forgot the video. In process,
on the tiny preset."""

from __future__ import annotations

import json

import pytest

CHEAP = ["--ig-max-steps", "8", "--no-what-if", "--deletion-steps", "4"]


@pytest.fixture
def api(tiny_preset_path, tiny_model):
    from msa_demo import ui
    from msa_demo.api import CodeApi

    return CodeApi(ui.Dashboard(models={str(tiny_preset_path): tiny_model}, default=str(tiny_preset_path)))


def test_a_map_whose_ig_scores_miss_by_82_percent_fails_in_the_json():
    """A 4-step IG text map (delta 0.82, AOPC above random) passed the deletion test, and the JSON said nothing of
    its completeness gap; its ``trust`` now says ✗ with both checks' reasons, as the page's trust table does."""
    from msa_demo.views.story import SHORT_GAP, trust_rows, with_trust

    words = {"modality": "text", "method": "layer_integrated_gradients", "labels": ["What", "a", "lovely", "day!"],
             "scores": [-0.02, 0.0, 0.05, 0.01], "delta": 0.8243,
             "faithfulness": {"aopc": 0.211, "aopc_random": 0.143, "sanity_spearman": None, "sensitivity": None}}
    record = {"prediction": {"label": "positive", "probs": {}}, "maps": [words], "reading": {}}
    (trust,) = [m["trust"] for m in with_trust(record)["maps"]]
    assert trust["mark"] == "✗" == trust_rows(record)[0]["mark"] and trust["verdict"] == SHORT_GAP
    assert [c["mark"] for c in trust["checks"]] == ["✓", "✗"]
    assert "completeness" in trust["checks"][1]["reason"] and "82%" in trust["checks"][1]["reason"]
    assert "trust" not in words  # the record itself is left as it was


def test_every_json_entry_point_gives_each_map_its_verdict(api, tiny_preset_path, capsys):
    """/explain_json (and so MCP's explain) and ``explain --json`` give each map the mark and line the page shows."""
    from msa_demo.__main__ import main
    from msa_demo.views.story import trust_rows

    served = json.loads(api.explain(text="What a lovely day!", ig_steps=8, deletion_steps=4, what_if=False))
    assert main(["explain", "--preset", str(tiny_preset_path), "--text", "What a lovely day!", "--json", *CHEAP]) == 0
    printed = json.loads(capsys.readouterr().out)
    for exp in (served, printed):
        assert exp["maps"]
        rows = trust_rows(exp)
        for m, row in zip(exp["maps"], rows):
            assert m["trust"]["mark"] in "✓✗?⚠" and m["trust"]["mark"] == row["mark"]
            assert m["trust"]["verdict"] == row["verdict"] and m["trust"]["checks"], m["trust"]
