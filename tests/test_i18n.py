"""The dashboard's own words in English and Chinese: every text the page marks for translation has its Chinese."""

from __future__ import annotations

import json


def test_every_marked_text_on_the_page_has_its_chinese(tiny_model, tmp_path):
    import app
    from msa_demo import ui
    from msa_demo.ui.i18n import ZH

    demo = app.build_demo(ui.Dashboard(models={"tiny": tiny_model}, default="tiny"), tmp_path / "none.json")
    keys = set()
    for c in demo.config["components"]:
        for prop in ("label", "value"):
            text = str(c.get("props", {}).get(prop))
            if text.startswith("__i18n__"):
                keys.add(json.loads(text.removeprefix("__i18n__"))["key"])
    assert {"Explain", "Compare", "Fused sentiment", "Text alone", "Heat maps", "use video", "IG steps",
            "Run the curated examples"} <= keys  # the Explain tab, its Advanced settings, the Dataset tab
    from msa_demo.config import BUILTIN_KINDS
    from msa_demo.registry import names

    plug_ins = [n for n in names() if n not in BUILTIN_KINDS]  # a plug-in's own words stay its own
    assert sorted(k for k in keys if k not in ZH and not any(n in k.lower() for n in plug_ins)) == []
    assert all(ZH[k] and ZH[k] != k for k in keys)  # translated, not copied
    # the labels a person reads on the Explain tab's inputs and panels are all marked
    plain = [c["props"]["label"] for c in demo.config["components"]
             if c.get("props", {}).get("elem_id") in ("fused", "text-input", "image-input", "audio-input", "video-input",
                                                      "own-text", "words", "orig-image", "overlays", "clip")]
    assert plain and all(str(label).startswith("__i18n__") for label in plain), plain
