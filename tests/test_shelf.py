"""Shared explanations by link: the shelf keeps an explanation under its content hash, within its limits, and a
link that is malformed, unknown or expired is one clear message; the dashboard opens a shared link read-only."""

from __future__ import annotations

import os
import time

import pytest
from shown import value, visible

from msa_demo.errors import InputError
from msa_demo.ui.shelf import GONE, Shelf


def test_an_explanation_is_kept_under_its_content_hash(tmp_path):
    shelf = Shelf(tmp_path)
    exp = {"target": "positive", "inputs": {"text": "héllo 你好"}}
    key = shelf.put(exp)
    assert len(key) == 32 and int(key, 16) >= 0 and shelf.put(dict(exp)) == key  # the same content, the same link
    assert shelf.get(key) == exp and shelf.get(key.upper()) == exp
    assert shelf.put({**exp, "target": "negative"}) != key
    assert not list(tmp_path.glob("*.part"))  # written whole
    # kept in its own order (a link opened with its keys sorted drew the bars audio, image, text), named by content
    ordered = {"modalities": {"shapley": {"text": 0.1, "image": 0.2, "audio": 0.3}}, "target": "positive"}
    back = shelf.get(shelf.put(ordered))
    assert list(back) == ["modalities", "target"] and list(back["modalities"]["shapley"]) == ["text", "image", "audio"]
    assert shelf.put(dict(reversed(list(ordered.items())))) == shelf.put(ordered)


@pytest.mark.parametrize("key", ["", None, "../../etc/passwd", "0" * 32, "abc", "z" * 32])
def test_a_link_that_is_not_there_is_one_clear_message(tmp_path, key):
    with pytest.raises(InputError) as err:
        Shelf(tmp_path).get(key)
    assert str(err.value) == GONE


def test_the_shelf_keeps_its_limits(tmp_path):
    shelf = Shelf(tmp_path, max_bytes=200, max_items=2, keep_days=1)
    with pytest.raises(InputError, match="too large to share by link"):
        shelf.put({"text": "x" * 500})
    keys = []
    for i in range(3):
        keys.append(shelf.put({"n": i}))
        os.utime(tmp_path / f"{keys[-1]}.json", (time.time() - 10 + i, time.time() - 10 + i))
    shelf.prune()
    assert sorted(p.stem for p in tmp_path.glob("*.json")) == sorted(keys[1:])  # the oldest went first
    old = tmp_path / f"{keys[1]}.json"
    os.utime(old, (time.time() - 2 * 86400,) * 2)
    with pytest.raises(InputError, match="expired"):
        shelf.get(keys[1])


def test_the_dashboard_shares_an_explanation_and_opens_it_read_only(tiny_model, tmp_path):
    from msa_demo import ui

    dash = ui.Dashboard(models={"tiny": tiny_model}, default="tiny", shelf=Shelf(tmp_path / "shelf"))
    with pytest.raises(Exception, match="no explanation to share yet"):
        dash.share(None)
    steps = list(dash.explain_panels(None, "what a lovely day", None, None, ig_steps=8, deletion_steps=2))
    exp, stamp = steps[-1]["state"], steps[-1]["stamp"]
    key = dash.share(exp)
    # with what the page shows: the same inputs share it, changed ones do not (the link would open the old one)
    assert dash.share(exp, stamp, None, "what a lovely day", None, None, ig_steps=8, deletion_steps=2) == key
    with pytest.raises(Exception, match="made before your changes: click Explain"):
        dash.share(exp, stamp, None, "what a dreadful day", None, None, ig_steps=8, deletion_steps=2)
    panels = next(dash.opening(shared=key))
    # the inputs, to explain again (a box without an input is cleared)
    assert (panels["input.text"], panels["input.image"], panels["input.audio"]) == ("what a lovely day", None, None)
    assert set(panels) == {f"input.{m}" for m in ("text", "image", "audio", "video")} | set(steps[0])
    assert "A shared explanation" in panels["notices"]
    assert value(panels["fused"]) == pytest.approx(value(steps[0]["fused"]), abs=0.01)
    assert visible(panels["text.words"]) and not visible(panels["image.picture"])  # its words; no picture given
    assert panels["state"]["maps"] == exp["maps"] and panels["report"].interactive  # its report downloads
    gone = next(dash.opening(shared="f" * 32))
    assert list(gone) == ["notices"] and GONE in gone["notices"]  # one line; everything else left as it is
