"""What the dashboard and the report say in words: the summary, near-ties, what a model could not read,
the face model's abstention, stale panels, and quiet logs for a user's mistake."""

from __future__ import annotations

import html
import logging
import re
import sys
from pathlib import Path

import pytest
from PIL import Image
from shown import value

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from msa_demo import report, ui, views  # noqa: E402
from msa_demo.config import SENTIMENTS  # noqa: E402
from msa_demo.language import detect_language  # noqa: E402


def pred(probs, per=None, used=("text", "image", "audio"), off=()):
    label = max(probs, key=probs.get)
    return {"probs": probs, "label": label, "used": list(used), "switched_off": list(off),
            "modalities": {m: {"label": lab, "probs": {lab: 1.0}, "model_id": "x"} for m, lab in (per or {}).items()}}


NEG = {"negative": 0.62, "neutral": 0.08, "positive": 0.30}


def test_a_modality_whose_own_verdict_is_a_near_tie_is_said_so_everywhere():
    """clip12s_neg: the video's box said "Video alone: too close to call" (positive 51 %, negative 47 %) while the
    summary said "the video alone points positive" and the verdict line "video alone: positive"."""
    p = pred(NEG, {"text": "negative", "video": "positive"}, used=("text", "video"))
    p["modalities"]["video"]["probs"] = {"negative": 0.47, "neutral": 0.02, "positive": 0.51}
    said = views.summary_sentence(p)
    assert "the video alone is too close to call" in said and "points positive" not in said
    from msa_demo.views.story import notices_markdown

    lines = notices_markdown(p)
    assert "video alone: **too close to call**" in lines and "video alone: **positive**" not in lines
    zh = views.summary_sentence(p, lang="zh")
    assert "单看视频难分高下" in zh
    p["modalities"]["video"]["probs"] = {"negative": 0.10, "neutral": 0.02, "positive": 0.88}  # a clear dissent
    assert "the video alone points positive" in views.summary_sentence(p)


def test_summary_names_the_drivers_and_the_dissent():
    p = pred(NEG, {"text": "positive", "image": "negative", "audio": "negative"})
    exp = {"target": "negative", "modalities": {"shapley": {"text": -0.1, "image": 0.2, "audio": 0.25}}}
    s = views.summary_sentence(p, exp)
    assert s == "NEGATIVE (62 %), mostly because of the voice and the picture; the words alone point positive."
    # a clip: "mostly because of video and the voice" had no article (every kind names what it gave: ``noun``)
    p = pred(NEG, {"text": "positive", "video": "negative", "audio": "negative"}, used=("text", "audio", "video"))
    exp = {"target": "negative", "modalities": {"shapley": {"text": -0.1, "video": 0.3, "audio": 0.25}}}
    assert views.summary_sentence(p, exp).startswith("NEGATIVE (62 %), mostly because of the video and the voice;")
    # every input moved it about the same: the chart says "none stands out", and the summary says so too (it had
    # "mostly because of the picture, the words and the voice" under it)
    p = pred(NEG, {"text": "negative", "image": "negative", "audio": "negative"})
    exp = {"target": "negative", "modalities": {"shapley": {"text": 0.11, "image": 0.12, "audio": 0.125}}}
    assert views.summary_sentence(p, exp) == "NEGATIVE (62 %), every input moving it by about the same amount."
    assert "每个输入的影响都差不多" in views.summary_sentence(p, exp, lang="zh")
    fig = views.contributions_figure({**exp, "prediction": p})
    assert "none stands out" in " ".join(re.sub(r"<[^>]+>", " ", fig.layout.title.text).split())  # (in lines)


def test_summary_without_contributions_says_who_agrees():
    p = pred(NEG, {"text": "positive", "image": "negative", "audio": "negative"})
    assert views.summary_sentence(p).startswith("NEGATIVE (62 %), as the picture and the voice say;")
    # one that agrees: "the words" are plural, the picture is not ("as the words says" had been written)
    assert views.summary_sentence(pred(NEG, {"text": "negative", "image": "positive", "audio": "positive"})).startswith(
        "NEGATIVE (62 %), as the words say;")
    assert views.summary_sentence(pred(NEG, {"text": "positive", "image": "negative", "audio": "positive"})).startswith(
        "NEGATIVE (62 %), as the picture says;")


def test_a_what_if_s_cost_says_one_forward_in_the_singular():
    from msa_demo.views.whatif import cost_line

    assert cost_line({"cost": {"forward_passes": 1, "seconds": 0.031}}) == "1 model run, 0.03 s"
    assert cost_line({"cost": {"forward_passes": 0, "seconds": 0.0}}) == ""  # nothing could be tried: no "(0 …)"
    assert cost_line({"cost": {"forward_passes": 4, "seconds": 0.5}}, "zh") == "模型运行 4 次，0.50 秒"
    assert cost_line({"cost": {"forward_passes": 2, "seconds": 1}, "flipped": True, "minimal": False,
                      "stopped": "time"}) == "2 model runs, 1.00 s; not pruned to the fewest: its time ran out"


@pytest.mark.parametrize("top, second, close", [(0.499, 0.496, True), (0.52, 0.48, True), (0.56, 0.44, False)])
def test_near_tie_is_too_close_to_call(top, second, close):
    p = pred({"positive": top, "negative": second, "neutral": 1 - top - second}, {"text": "positive"}, ["text"])
    s = views.summary_sentence(p)
    assert s.startswith("Too close to call") is close
    if close:
        assert f"{100 * top:.1f} %" in s and f"{100 * second:.1f} %" in s


@pytest.mark.parametrize("text, lang", [("这家餐厅的服务太糟糕了，我再也不来了", "zh"), ("I am really disappointed", "en"),
                                        ("Je ne suis pas content, le service est très mauvais", "fr"),
                                        ("こんにちは、元気ですか", "ja"), ("Great", "en"), ("", None),
                                        # short reviews: too few function words; py3langid's n-grams tell them
                                        ("Tolles Produkt, sehr zufrieden! Würde es wieder kaufen.", "de"),
                                        ("Leider kaputt angekommen, Rücksendung läuft", "de"),
                                        ("Très déçu de cet achat", "fr"), ("Prodotto ottimo, consigliato", "it"),
                                        ("Llegó rápido y bien empaquetado", "es"),
                                        # and short English ones stay English
                                        ("Terrible service", "en"), ("Not bad at all", "en"), ("So so.", "en"),
                                        ("Nice camera but battery life is poor", "en"),
                                        ("Best purchase ever!!!", "en"), ("Bon appetit, the croissant was great", "en"),
                                        # one or two words: a function word of a language that n-grams confirm
                                        ("Sehr gut", "de"), ("Très bien!", "fr"), ("Muy bueno", "es"),
                                        ("Molto buono", "it"), ("Zeer goed", "nl"), ("Die Hard", "en"),
                                        ("Awesome", "en"), ("Love it", "en"), ("So good", "en")])
def test_language_detection(text, lang):
    assert detect_language(text) == lang


def test_text_outside_the_models_languages_is_warned_and_not_ticked():
    reading = {"text": {"language": "zh", "languages": ["en"], "language_covered": False}}
    p = pred({"negative": 0.1, "neutral": 0.74, "positive": 0.16}, {"text": "neutral"}, ["text"])
    exp = {"prediction": p, "target": "neutral", "reading": reading, "maps": [
        {"modality": "text", "method": "occlusion", "faithfulness": {"aopc": 0.3, "aopc_random": 0.05}}]}
    (mark, sentence), = views.trust_verdicts(exp)
    assert mark == "⚠" and views.OUTSIDE_LANGUAGES in sentence  # not ✓, although the deletion test passes
    assert any("Chinese" in w for w in views.reading_warnings(p, reading))
    assert "Chinese" in report.to_html(exp) and views.OUTSIDE_LANGUAGES in views.summary_sentence(p, exp, reading)


def stamped(*args, settings=()):
    request, _ = ui.bind(args, {})
    return ui.explained_stamp(request, settings)


def test_stale_parts_name_what_changed():
    values = [None, "hi", "/a.png", None, True, True, True]
    stamp = stamped(*values, settings=("predicted class", 64))
    assert ui.stale_parts(stamp, stamped(*values, settings=("predicted class", 64))) == []
    changed = list(values)
    changed[5] = False
    assert ui.stale_parts(stamp, stamped(*changed, settings=("predicted class", 32))) == ["the image switch",
                                                                                        "settings"]


def test_a_file_is_stamped_by_its_content(tmp_path):
    """The page hands a picture back under a new upload path: the same bytes are not a change, other bytes are."""
    a, b, c = (tmp_path / n for n in ("a.png", "b.png", "c.png"))
    a.write_bytes(b"same picture")
    b.write_bytes(b"same picture")
    c.write_bytes(b"another picture")
    stamp = stamped(None, "hi", str(a), None, True, True, True)
    assert ui.stale_parts(stamp, stamped(None, "hi", str(b), None, True, True, True)) == []
    assert ui.stale_parts(stamp, stamped(None, "hi", str(c), None, True, True, True)) == ["image"]


def test_a_users_mistake_logs_one_line_and_no_traceback(caplog):
    with caplog.at_level(logging.INFO, logger="msa_demo.ui"):
        err = ui.user_error("Give at least one input.")
    assert err.print_exception is False  # Gradio prints no traceback for it
    assert [r.getMessage() for r in caplog.records] == ["refused: Give at least one input."]
    assert not any(r.exc_info for r in caplog.records)


# ---------------------------------------------------------------- the lite face model abstains without a face


@pytest.fixture(scope="module")
def lite_dash(lite_dashboard):
    return lite_dashboard(warm=False)  # as Dashboard.load("lite", fallback=None, warm=False), on the shared model


def test_face_model_abstains_on_a_picture_without_a_face(lite_dash):
    cup = str(ROOT / "examples" / "neutral_scene.png")
    out = lite_dash.predict(None, "The meeting is at ten.", cup, None)
    own_image, notes = out["own.image"], out["notices"]
    assert own_image == views.NO_FACE and out["own.text"]
    assert "abstained" in notes and "image" not in notes.split("\n\n")[1]  # "from text": the picture is not used
    with pytest.raises(Exception, match="No face was found"):
        lite_dash.predict(None, "", cup, None)  # nothing else to read: one clear message
    out = lite_dash.predict(None, "", cup, None, face_anyway=True)  # unless asked otherwise
    assert "positive" in value(out["own.image"]) and "abstained" not in out["notices"]


def test_a_clip_without_a_face_alone_gets_no_verdict_and_one_line_why(lite_dash, tmp_path):
    """The page does not show the fusion's prior as a verdict when the only input, a clip, shows no face: it says
    why, in the page's language."""
    from PIL import Image

    from msa_demo.modalities.video import write_clip

    scene = Image.open(ROOT / "examples" / "neutral_scene.png").convert("RGB").crop((0, 0, 256, 170))
    clip = str(write_clip(tmp_path / "scene.mp4", [scene] * 10, fps=5))
    with pytest.raises(Exception, match="Nothing could be read, so there is no verdict: no face was found in any "
                                        "of the 4 frames of the video"):
        lite_dash.predict(None, "", None, None, video=clip)
    with pytest.raises(Exception, match="没有可读取的内容，因此没有判断：视频的 4 帧中都没有找到人脸"):
        lite_dash.predict(None, "", None, None, video=clip, lang="zh")
    # Explain refuses it before any panel is placed (no panel turns into an error badge)
    for lang, said in (("en", "Nothing could be read, so there is no verdict"), ("zh", "没有可读取的内容")):
        with pytest.raises(Exception, match=said):
            lite_dash.check(video=clip, lang=lang)


def test_an_uploaded_clip_browsers_do_not_play_is_swapped_for_a_copy_they_do(lite_dash, tmp_path):
    """The video box's upload: an MPEG-4 Part 2 clip comes back as its H.264 copy (read over lite's 10 s); an H.264
    MP4 and an empty box are left as they are (Gradio's skip). On screen, the copy is the clip it was made from."""
    from msa_demo.modalities.video import write_clip

    frames = [Image.open(ROOT / "examples" / "happy_face.png").convert("RGB")] * 6
    old = write_clip(tmp_path / "camera.avi", frames, fps=3)
    copy = lite_dash.playable_clip(str(old))
    assert copy == str(tmp_path / "camera.browser.mp4") and Path(copy).stat().st_size > 0
    skipped = lite_dash.playable_clip(copy)
    import gradio as gr

    assert skipped == lite_dash.playable_clip(None) == gr.skip()
    # a click whose page still holds the clip (the copy not back yet) reads the copy, as the next click does: a
    # MOV's first explanation had read the MOV (no "converted" notice, 86 %), the next its copy (the notice, 88 %)
    def explained(clip) -> dict:  # every part the click sent, the last of each
        sent = {}
        for out in lite_dash.explain_panels(None, "", None, None, video=clip, ig_steps=8):
            sent.update(out)
        return sent

    made, again = explained(str(old)), explained(copy)
    assert "was converted to MP4 (H.264)" in str(made["notices"]) and made["notices"] == again["notices"]
    assert made["fused"] == again["fused"]
    # one being made is waited for: the click reads the copy, not the clip
    import threading

    being_made = lite_dash.shown_copy[str(old)] = threading.Event()
    threading.Timer(0.5, lambda: (lite_dash.shown_copy.__setitem__(str(old), copy), being_made.set())).start()
    assert value(lite_dash.predict(None, "", None, None, video=str(old))["fused"]) == value(again["fused"])
    # an explanation the click made of the clip, before the copy came back, is not "out of date" for the copy (it
    # was, a second or more after it was made); another clip is a change
    stamp = made["stamp"]
    assert lite_dash.freshness(stamp, None, "", None, None, video=copy, ig_steps=8)["fresh"] == ""
    other = write_clip(tmp_path / "other.mp4", frames[:3], fps=3)
    assert "before you changed video" in lite_dash.freshness(stamp, None, "", None, None, video=str(other), ig_steps=8)["fresh"]


def test_face_model_reads_a_face(lite_dash):
    face = str(ROOT / "examples" / "happy_face.png")
    out = lite_dash.predict(None, "", face, None)
    assert "positive" in value(out["own.image"]) and "abstained" not in out["notices"]


def test_a_repeated_explanation_is_the_same_and_instant(lite_dash):
    args = (None, "I love this phone, it is wonderful", None, None)
    first = list(lite_dash.explain_panels(*args, ig_steps=8))
    again = list(lite_dash.explain_panels(*args, ig_steps=8))
    assert len(again) == 2 < len(first)  # the prediction, then every panel at once
    assert again[-1]["state"] is first[-1]["state"] and again[-1]["report"] == first[-1]["report"]
    other = list(lite_dash.explain_panels(*args, ig_steps=16))  # other settings: explained anew
    assert len(other) > 2 and other[-1]["state"]["options"]["ig_max_steps"] == 16


def test_a_failed_sanity_check_is_the_maps_one_line_verdict():
    exp = {"maps": [{"modality": "image", "method": "occlusion",
                     "faithfulness": {"aopc": 0.3, "aopc_random": 0.05, "sanity_spearman": 0.9}}]}
    (row,) = views.trust_rows(exp)
    assert row["mark"] == "✗" and "care" in row["verdict"]


def test_a_clip_read_by_the_picture_model_is_named_as_the_picture_model():
    """The lite clip's verdict said "(fer mini xception)", its file's name, beside the picture's "mini-XCEPTION
    facial expression (FER-2013)": a clip's frames are read by the picture's family, and named by it."""
    from msa_demo.views.story import notices_markdown

    face = "pkg:msa_demo/weights/fer_mini_xception.safetensors"
    p = pred(NEG, {"video": "negative"}, used=("video",))
    p["modalities"]["video"]["model_id"] = face
    models = {"video": {"model_id": face, "family": "video-frames", "options": {"frames": "mini-xception-face"}}}
    said = notices_markdown(p, (), None, models)
    assert "video alone: **negative** (mini-XCEPTION facial expression (FER-2013))" in said, said
    assert "fer mini xception" not in said and "面部表情" in notices_markdown(p, (), None, models, lang="zh")


def test_a_map_of_one_part_cannot_be_judged_by_the_deletion_test():
    """An emoji-only text is one "word": its AOPC equals random's by construction, and the map was judged "✗ read
    with care: its ranking is weak". One part has no ranking to test: "?"."""
    one = {"modality": "text", "method": "occlusion", "labels": ["😍😍🔥👍"], "scores": [0.4],
           "faithfulness": {"aopc": 0.4649, "aopc_random": 0.4649}}
    (row,) = views.trust_rows({"maps": [one]})
    assert row["mark"] == "?" and row["verdict"] == "cannot tell: the deletion test has nothing to go on"
    assert "one part only" in views.trust_verdicts({"maps": [one]})[0][1]
    two = {**one, "labels": ["a", "b"], "scores": [0.4, 0.1]}
    assert views.trust_rows({"maps": [two]})[0]["mark"] == "✗"  # two parts: the test reads its ranking


def test_a_fallback_is_one_short_line(lite_dash):
    d = ui.Dashboard(models={"lite": lite_dash.models["lite"]}, default="lite",
                     notices=["The 'hub' preset could not be loaded (no network); using 'lite' instead."])
    md = d.header_markdown()
    first, rest = md.split("\n\n", 1)
    assert "Running offline: lite models, English and Chinese only" in first and "hub" not in first
    assert "<details>" in rest and md.count("could not be loaded") == 1  # the reason once, behind a toggle
    # the toggle says what it holds ('why' alone read as a puzzle), in the page's language too
    assert "<summary>what did not load, and why</summary>" in rest
    assert "<summary>哪些没有加载，以及原因</summary>" in d.header_markdown("zh")


def test_text_beyond_the_models_limit_is_marked_where_reading_stopped():
    text = "good " * 10
    exp = {"inputs": {"text": text}, "prediction": {"notices": ["Text: too long for the model; only the first 4 of "
                                                                "12 tokens were read."]},
           "maps": [{"modality": "text", "labels": ["good", "good"], "scores": [1.0, 0.5],
                     "spans": [[0, 4], [5, 9]]}]}
    spans = views.text_highlights(exp)
    marker = [t for t, c in spans if "stopped reading" in t]
    assert len(marker) == 1 and spans.index((marker[0], None)) == 3  # right after the last word read


def test_audio_method_both_on_transcribed_audio_is_said_not_ignored(lite_dash):
    clip = ROOT / "examples" / "negative_speech.wav"
    steps = list(lite_dash.explain_panels(None, "", None, str(clip), audio_method="both"))
    assert any("Audio method 'occlusion', 'integrated_gradients'" in n for n in steps[-1]["state"]["notices"])


def test_models_are_named_as_people_know_them(lite_dash):
    face = str(ROOT / "examples" / "happy_face.png")
    notes = lite_dash.predict(None, "I love it", face, None)["notices"]
    assert "multilingual-e5-small" in notes and "mini-XCEPTION" in notes and "pkg:" not in notes


def test_classes_shown_alike_are_listed_in_the_same_order_in_every_panel():
    import gradio as gr

    tiny = {"text": {"negative": 2e-6, "neutral": 7e-7, "positive": 0.9999973},  # negative, neutral: both "0 %"
            "image": {"positive": 0.9999991, "neutral": 6e-7, "negative": 3e-7},
            "audio": {"neutral": 0.33333334, "positive": 0.3333333, "negative": 0.33333337}}
    p = pred(tiny["text"], {m: "positive" for m in tiny}, list(tiny))
    for m, probs in tiny.items():
        p["modalities"][m]["probs"] = probs
    out = views.prediction_views(p)
    fused, alone = out["fused"], [out[f"own.{m}"] for m in ("text", "image", "audio")]
    order = [[c.label for c in gr.Label().postprocess(v).confidences] for v in [fused, *alone]]
    assert order[:3] == [["positive", "negative", "neutral"]] * 3 and order[3] == list(SENTIMENTS)


@pytest.mark.parametrize("a, b, heading", [(0.499, 0.496, False), (0.62, 0.30, True)])
def test_the_fused_label_has_no_headline_for_a_near_tie(a, b, heading):
    for value in ({"positive": a, "negative": b}, {"label": "positive", "confidences": [
            {"label": "positive", "confidence": a}, {"label": "negative", "confidence": b}]}):
        got = ui.fused_label(value)
        assert got.show_heading is heading and ("too close to call" in str(got.label)) is not heading
        # and a modality's own verdict: "Video alone" headlined positive at 51 / 47 beside a fused "too close"
        own = ui.verdict_heading(ui.alone_titles()["video"])(value)
        assert own.show_heading is heading and ("Video alone: too close to call" in str(own.label)) is not heading


@pytest.mark.parametrize("probs, close", [
    ({"negative": 0.448, "neutral": 0.05, "positive": 0.502}, False),  # shown 50 / 45
    ({"negative": 0.466, "neutral": 0.0189, "positive": 0.5151}, True),  # shown 51 / 47 / 2 (4.91 points exactly)
    ({"negative": 0.466, "neutral": 0.0139, "positive": 0.5201}, False),  # shown 52 / 47 / 1
    ({"negative": 0.455, "neutral": 0.041, "positive": 0.504}, True),  # shown 50 / 46 (4.9)
    ({"negative": 0.498, "neutral": 0.0, "positive": 0.502}, True)])  # both shown 50 %
def test_the_verdict_heading_follows_the_summary_and_the_json(probs, close):
    """A clip at positive 50.2 %, negative 44.8 %: the box was headed "Fused sentiment: too close to call" (it read
    its own 50 / 45) over "POSITIVE (50 %), mostly because of ..." and a JSON with too_close false. One near-tie
    test, on the percentages the boxes show, for the heading, the summary and the JSON."""
    from msa_demo.prediction import Prediction

    p = pred(probs, {"video": "positive", "audio": "negative"}, used=("video", "audio"))
    out = views.prediction_views(p)
    for heading in (ui.fused_label, ui.verdict_heading(ui.alone_titles()["video"])):
        assert heading(out["fused"]).show_heading is not close
    assert views.summary_sentence(p).startswith("Too close to call") is close
    assert Prediction.from_dict(p).to_dict()["too_close"] is close
    if not close:  # the headline's percentage is the box's
        assert views.summary_sentence(p).startswith(f"POSITIVE ({round(100 * out['fused']['positive'])} %)")


@pytest.mark.parametrize("probs, shown", [
    ({"negative": 0.12, "neutral": 0.135, "positive": 0.745}, {"negative": 12, "neutral": 13, "positive": 75}),
    ({"negative": 0.127, "neutral": 0.127, "positive": 0.746}, {"negative": 13, "neutral": 13, "positive": 74}),
    ({"negative": 0.004, "neutral": 0.004, "positive": 0.992}, {"negative": 1, "neutral": 0, "positive": 99}),
    ({"negative": 0.3333, "neutral": 0.3333, "positive": 0.3334}, {"negative": 33, "neutral": 33, "positive": 34})])
def test_the_verdict_boxes_percentages_add_up_to_100(probs, shown):
    """74.5 / 13.5 / 12 % was shown as 75 / 14 / 12 %, each class rounded alone: 101 %. The boxes, the headline
    and a what-if's reading show the same whole percents, which add up to 100."""
    from msa_demo.explain.result import Counterfactual
    from msa_demo.explain.whatif import sentence_for

    p = pred(probs, {"text": "positive"}, used=("text",))
    value = views.prediction_views(p)["fused"]
    assert {k: round(100 * v) for k, v in value.items()} == shown and sum(shown.values()) == 100
    if shown["positive"] > 40:  # (33 / 33 / 34 is too close to call)
        assert views.summary_sentence(p).startswith(f"POSITIVE ({shown['positive']} %)")
    c = Counterfactual(modality="text", edit="remove", flipped=True, original="negative", label="positive",
                       probs=probs, sentence="", units=["great"])
    assert f"positive ({shown['positive']} %)" in sentence_for(c)


def test_the_report_of_a_near_tie_is_headed_as_one():
    """A near-tie's report was headed "Why 'negative'?" over "Too close to call: negative 49.9 % vs positive
    49.2 %"; it is headed by the two classes it is between, as the summary says it, in Chinese too."""
    tie = pred({"negative": 0.499, "neutral": 0.009, "positive": 0.492}, {"text": "negative"}, ["text"])
    exp = {"prediction": tie, "target": "negative", "preset": "lite"}
    page = report.to_html(exp)
    assert "<h1>Too close to call: negative or positive? — multimodal sentiment explanation</h1>" in page
    assert "Why &#x27;negative&#x27;" not in page and "<title>msa_demo report — too close to call</title>" in page
    assert "<h1>难分高下：负面还是正面？" in report.to_html(exp, "zh")
    decided = report.to_html({**exp, "prediction": pred(NEG, {"text": "negative"}, ["text"])})
    assert "<h1>Why &#x27;negative&#x27;? — multimodal sentiment explanation</h1>" in decided


def test_a_verdict_that_is_a_word_keeps_its_heading():
    """A face model that abstains shows the word "no face" (a str, not probabilities): the heading function ended in
    an AttributeError traceback in the server log on every such picture (the Neutral example's too)."""
    for value in ("no face", {"label": "no face", "confidences": None}, None):
        own = ui.verdict_heading(ui.alone_titles()["image"])(value)
        assert own.show_heading is True and "too close to call" not in str(own.label)


def test_the_words_panel_says_where_a_long_text_turns():
    """Known by construction: eight words push toward the class, then eight away; the mark stands before the
    ninth. A text that pushes one way throughout, or one too short to tell, gets no mark."""
    from msa_demo.views.figures import TURN_MARK, turning_point

    words = [f"w{i}" for i in range(16)]
    text = " ".join(words)
    spans, pos = [], 0
    for w in words:
        spans.append([pos, pos + len(w)])
        pos += len(w) + 1
    scores = [0.6, 0.2, 0.9, 0.4, 0.1, 0.5, 0.3, 0.7] + [-0.5, -0.8, -0.2, -0.6, -0.1, -0.9, -0.4, -0.3]
    exp = {"inputs": {"text": text}, "maps": [{"modality": "text", "labels": words, "scores": scores,
                                               "spans": spans}]}
    shown = views.text_highlights(exp)
    assert [t for t, _c in shown].index(TURN_MARK) == [t for t, _c in shown].index("w8") - 1
    assert "".join(t for t, _c in shown).replace(TURN_MARK, "") == text  # nothing else changed
    zh = [t for t, _c in views.text_highlights(exp, "zh")]  # the mark in the page's language (it stayed English)
    assert "⟪文字在这里转折⟫ " in zh and TURN_MARK not in zh and zh.index("⟪文字在这里转折⟫ ") == zh.index("w8") - 1
    assert turning_point([abs(s) for s in scores]) is None  # one way throughout
    assert turning_point(scores[4:12]) is None  # too short to tell
    assert turning_point([0.05, -0.04] * 8) is None  # a weak wobble is no turn


def test_a_noisy_words_map_rarely_turns():
    """Random maps (12-80 words, pure noise): the turn is a rare false alarm, not a coin flip."""
    import numpy as np

    from msa_demo.views.figures import turning_point

    rng = np.random.default_rng(1)
    maps = [rng.normal(0, 0.3, n) for n in rng.integers(12, 80, 300)]
    alarms = sum(turning_point(list(x / np.abs(x).max())) is not None for x in maps)
    assert alarms <= 0.03 * len(maps), alarms


def test_an_ig_map_that_misses_completeness_by_far_is_read_with_care():
    """A budget that cut IG's steps leaves a large completeness gap: the map's row says so, whatever its deletion
    test; a small gap is only in the figures."""
    good = {"modality": "text", "method": "layer_integrated_gradients", "delta": 0.03,
            "faithfulness": {"aopc": 0.3, "aopc_random": 0.05}}
    cut = {**good, "delta": 2.37}
    assert [r["mark"] for r in views.trust_rows({"maps": [good]})] == ["✓"]
    (row,) = views.trust_rows({"maps": [cut]})
    assert row["mark"] == "✗" and any("miss the score change" in t and "237%" in t
                                      for _m, t in views.trust_verdicts({"maps": [cut]}))


def test_the_reports_numbers_keep_four_significant_digits_as_written_one_by_one():
    import math
    import random

    rng = random.Random(0)
    row = [rng.uniform(-1, 1) * 10 ** rng.uniform(-30, 30) for _ in range(20000)]
    row += [0.0, -0.0, 1e-300, 5e-324, 1.7e308, 123456.0, 0.00012345678, float("nan"), float("inf")]
    grid = [row[i:i + 100] for i in range(0, 2000, 100)]  # a heat map: rounded as one array
    compact = report._compact({"heatmap": [row, row[:3]], "grid": grid, "n": 3, "name": "x"})
    assert compact["n"] == 3 and compact["name"] == "x" and len(compact["grid"]) == 20
    for got, want in zip(compact["heatmap"][0] + compact["heatmap"][1] + sum(compact["grid"], []),
                         row + row[:3] + row[:2000]):
        want = float(f"{want:.4g}")
        assert got == want or (math.isnan(got) and math.isnan(want)), (got, want)
        assert repr(got) == repr(want)  # written as short in the JSON


def test_the_words_heard_keep_a_space_before_their_times():
    """"This0.0–0.2s is0.2–0.3s" was what a screen reader (and a copied line) got: a thin space now parts them."""
    words = [{"text": "This", "start": 0.0, "end": 0.2}, {"text": "is", "start": 0.2, "end": 0.34}]
    assert views.timed_words(words) == "This\u2009<sub>0.0–0.2s</sub> is\u2009<sub>0.2–0.3s</sub>"
    assert views.timed_words([{"text": "<b>", "start": 1, "end": 2}], html.escape) == "&lt;b&gt;\u2009<sub>1.0–2.0s</sub>"


def test_the_report_s_audio_bars_write_the_scores_themselves():
    """A clip whose every segment score was under 0.001 read "disappointed. +1.00" in the report: its bars wrote
    each score relative to the strongest. They write the scores (the bars still scale to the strongest)."""
    import numpy as np

    from msa_demo.inputs import AudioInput
    from msa_demo.kinds import audio as audio_kind

    wave = (0.1 * np.sin(np.linspace(0, 400, 16000))).astype(np.float32)
    exp = {"target": "negative", "inputs": audio_kind.record(AudioInput(wave, 16000)),
           "maps": [{"modality": "audio", "method": "occlusion", "labels": ["I am", "disappointed."],
                     "spans": [[0.0, 0.4], [0.4, 1.0]], "scores": [0.0000805, 0.00087], "params": {}}]}
    html = audio_kind.report(exp)
    # in one form, side by side (they read "+8.05e-05" beside "+0.00087"), and one a reader reads: in the unit the
    # title names, without "e-04" (the largest was cut to "+1.19e" at the chart's edge)
    assert "+8.700" in html and "+0.805" in html and "+1.00" not in html and "e-0" not in html
    assert "push on P(negative) (× 10⁻⁴)" in html
    exp["maps"][0]["scores"] = [0.02, -0.1234]
    assert "+0.020" in audio_kind.report(exp) and "-0.123" in audio_kind.report(exp)


def test_an_input_that_cannot_be_read_says_how_to_go_on_without_it(lite_dash, tmp_path):
    """A damaged clip beside a good text refused the text too, with no word of how to go on (dataset mode read the
    row without it); the refusal now says how, and the clip switched off is left unread, not refused."""
    bad = tmp_path / "fake.mp4"
    bad.write_text("this is not a film", encoding="utf-8")
    with pytest.raises(Exception, match="could not be read as a video.*To go on without the video, remove it or "
                                        "untick “use video”."):
        lite_dash.predict(None, "I love this so much", None, None, video=str(bad))
    with pytest.raises(Exception, match="要不用视频继续，请移除它，或取消勾选“使用视频”。"):
        lite_dash.predict(None, "I love this so much", None, None, video=str(bad), lang="zh")
    with pytest.raises(Exception) as alone:  # nothing else given: nothing to go on with
        lite_dash.predict(None, "", None, None, video=str(bad))
    assert "could not be read as a video" in str(alone.value) and "To go on" not in str(alone.value)
    with pytest.raises(Exception) as off:  # nor with the rest switched off: it would not go on
        lite_dash.predict(None, "I love this so much", None, None, video=str(bad), use_text=False)
    assert "could not be read as a video" in str(off.value) and "To go on" not in str(off.value)
    out = lite_dash.predict(None, "I love this so much", None, None, video=str(bad), use_video=False)
    assert "positive" in value(out["fused"])
    toggled = lite_dash.on_toggle(None, "I love this so much", None, None, video=str(bad), use_video=False)
    assert value(toggled["fused"]) == value(out["fused"])  # unticking it shows the verdict at once (it emptied it)


POS = {"negative": 0.05, "neutral": 0.28, "positive": 0.67}
WORDS_VOICE = {"audio": {"family": "speech-transcript"}}  # lite's: speech recognition, then the text model
TONE_VOICE = {"audio": {"family": "hf-audio-classifier"}}  # a model that hears the sound (hub's wav2vec2)


def test_a_voice_read_only_through_its_words_is_not_said_as_a_second_witness():
    """A tester's talking-face clip on lite: text and voice both read 0.99952 positive (the voice is the same text
    model on Whisper's transcript) and the headline said "POSITIVE (67 %), as the words and the voice say": the
    words counted as two witnesses. Decided from the saved model record, the words are one reading now, written
    and spoken; a voice model that hears the sound is still the voice."""
    p = pred(POS, {"text": "positive", "audio": "positive", "video": "neutral"}, used=("text", "audio", "video"))
    assert views.summary_sentence(p, models=TONE_VOICE).startswith("POSITIVE (67 %), as the words and the voice say")
    said = views.summary_sentence(p, models=WORDS_VOICE)
    assert "the words and the voice" not in said
    assert said == ("POSITIVE (67 %), as the words say, written and spoken (the voice is judged by its words alone); "
                    "the video alone points neutral.")
    exp = {"models": WORDS_VOICE, "target": "positive",
           "modalities": {"shapley": {"text": 0.361, "audio": 0.361, "video": -0.05}}}
    assert views.summary_sentence(p, exp) == ("POSITIVE (67 %), mostly because of the words, written and spoken (the "
                                              "voice is judged by its words alone); the video alone points neutral.")
    assert "文字这样判断（写下的与说出的" in views.summary_sentence(p, models=WORDS_VOICE, lang="zh")
    alone = pred(POS, {"text": "negative", "audio": "positive", "video": "neutral"}, used=("text", "audio", "video"))
    assert views.summary_sentence(alone, models=WORDS_VOICE) == (
        "POSITIVE (67 %), as the spoken words say; the words alone point negative and the video alone points neutral.")
    from msa_demo.views.story import notices_markdown

    assert "as the words say, written and spoken" in notices_markdown(p, models=WORDS_VOICE)  # the dashboard's box


def test_the_timeline_names_a_voice_read_through_its_words():
    """The lite timeline's "voice" lane is the words map coloured as its "words" lane: named "voice (words only)"
    where the saved record says the voice is read through its words, on the page and in the report."""
    from msa_demo.kinds import video as video_kind

    exp = {"models": WORDS_VOICE}
    assert video_kind.lane_name("voice", exp) == "voice (words only)"
    assert video_kind.lane_name("voice", exp, capital=True) == "Voice (words only)"
    assert video_kind.lane_name("voice", exp, "zh") == "声音（仅其中的话）"
    assert video_kind.lane_name("voice", {"models": TONE_VOICE}) == "voice"
    assert video_kind.lane_name("face", exp) == "face" and video_kind.lane_name("words", exp, "zh") == "词语"


def sarcastic(target="positive"):
    """The sarcastic post and photo as lite explained them: 97 % positive with both, 98 % without the words, 95 %
    without the picture; the Shapley values +0.303 and +0.331 share a move neither input is needed for."""
    probs = {"negative": 0.005, "neutral": 0.028, "positive": 0.967}
    p = pred(probs, {"text": "positive", "image": "positive"}, used=("text", "image"))
    return p, {"target": target, "prediction": p, "modalities": {
        "shapley": {"text": 0.303, "image": 0.331}, "interactions": {"text×image": -0.634}, "value_all": 0.967,
        "value_none": 1 / 3, "without": {"text": {"negative": 0.0003, "neutral": 0.018, "positive": 0.982},
                                         "image": {"negative": 0.009, "neutral": 0.038, "positive": 0.953}}}}


def test_inputs_each_enough_alone_are_said_so_and_the_interaction_in_words():
    """A lay reader saw text "+0.303" beside "without text 0.98" (above "all 0.97"), "mostly because of the picture
    and the words", and "Pairwise interactions: text×image -0.634" never explained."""
    p, exp = sarcastic()
    said = views.summary_sentence(p, exp)
    assert said == "POSITIVE (97 %), which the picture and the words each say on their own."
    story = views.contributions_story(exp)
    assert story[0] == ("Either the picture or the words alone is enough for 'positive': take one away and the "
                        "other still says it.")
    assert any(s.startswith("Without the words the model is even surer of 'positive' (98 % against 97 %")
               for s in story)
    assert any(s.startswith("The words and the picture overlap: together they move 'positive' 63 points less")
               for s in story)
    fig = views.contributions_figure(exp)
    shown = " ".join(a.text for a in fig.layout.annotations)
    assert "overlap" in shown and "Either the picture or the words" in shown and "-0.634" not in shown
    zh = views.contributions_story(exp, lang="zh")
    assert len(zh) == 3 and not any(c.isascii() and c.isalpha() for s in zh for c in s)


def test_an_input_whose_removal_raises_the_verdict_is_never_named_as_its_reason():
    """Three inputs, the words needed by none: without them 'negative' is likelier; the picture and the voice are
    each needed (without either it drops by 20 points or more)."""
    p = pred(NEG, {"text": "negative", "image": "negative", "audio": "negative"})
    exp = {"target": "negative", "prediction": p, "modalities": {
        "shapley": {"text": 0.15, "image": 0.2, "audio": 0.25}, "value_all": 0.62, "value_none": 1 / 3,
        "without": {"text": {"negative": 0.70, "neutral": 0.1, "positive": 0.2},
                    "image": {"negative": 0.40, "neutral": 0.3, "positive": 0.3},
                    "audio": {"negative": 0.35, "neutral": 0.3, "positive": 0.35}}}}
    assert views.summary_sentence(p, exp) == "NEGATIVE (62 %), mostly because of the voice and the picture."
    assert views.contributions_story(exp) == [  # its bar (+0.15) is not said to add nothing
        "Without the words the model is even surer of 'negative' (70 % against 62 % with everything): that input "
        "raises it on average (its bar), but beside all the other inputs it lowers it."]


def test_a_switched_off_inputs_notes_leave_with_it():
    """The picture was switched off, and its note "Image: downscaled from 2400×1800 to 1024×768 pixels." stayed on
    the page (and in the report) under "switched off: image"."""
    from msa_demo.views.story import notices_markdown

    note = "Image: downscaled from 2400×1800 to 1024×768 pixels."
    p = pred(NEG, {"text": "negative"}, used=("text",), off=("image",))
    p["notices"] = [note, "Text: read whole, in 2 overlapping windows."]
    shown = notices_markdown(p)
    assert "downscaled" not in shown and "read whole" in shown
    page = report.to_html({"prediction": p, "target": "negative"}).split('<script type="application/json"')[0]
    assert "downscaled" not in page and "read whole" in page
    p["switched_off"], p["used"] = [], ["text", "image"]  # on again: its note is back
    assert "downscaled" in notices_markdown(p)


def test_the_report_reads_plainly_first_and_keeps_the_jargon_for_specialists():
    """A boss read "Shapley value", "AOPC gap", "completeness gap" and pushes "× 10⁻³" before any plain word: the
    first reading is percentages and points now, the terms and the raw figures behind "details for specialists"."""
    import re

    p, exp = sarcastic()
    exp.update(prediction=p, notices=["Time budget 5 s for the maps: every map: IG at most 4 steps (its completeness "
                                      "gap is shown), a 5-point deletion curve."],
               maps=[{"modality": "text", "method": "layer_integrated_gradients", "labels": ["Oh", "great"],
                      "scores": [0.1, 0.5], "params": {"baseline": "pad token", "n_steps": 4}, "delta": 0.01,
                      "faithfulness": {"aopc": 0.3, "aopc_random": 0.1}, "cost": {"forward_passes": 9}}])
    page = report.to_html(exp).split('<script type="application/json"')[0]
    first = re.sub(r"<[^>]+>", " ", re.sub(r"<details>.*?</details>", "", page, flags=re.S))
    for term in ("Shapley", "AOPC", "completeness", "10⁻", "+0.303", "forward passes", "pad token"):
        assert term not in first, term
    assert "+30 points" in first and "98 %" in first and "Either the picture or the words" in first
    specialists = " ".join(re.findall(r"<details><summary>details for specialists</summary>(.*?)</details>", page,
                                      flags=re.S))
    for term in ("Shapley values", "text×image -0.634", "AOPC gap", "completeness gap", "pad token"):
        assert term in specialists, term


def test_a_faceless_picture_left_out_is_said_once_in_the_report():
    """A picture without a face left out by the CLI or from Python: its report said so twice, the warning ("No face
    was found in the picture, so the face model abstained: …") and the model's notice ("Image: no face was found, so
    the face model abstains and the picture is not used.")."""
    from msa_demo import model

    for notice in (model.NO_FACE_LEFT_OUT, model.NO_FACE_IN_PHOTO_LEFT_OUT.format(px=126, size="4032 × 3024")):
        p = pred(NEG, {"text": "negative"}, used=("text",))
        p.update(abstained=["image"], notices=[notice])
        reading = {"image": {"face_found": False}}
        page = report.to_html({"prediction": p, "target": "negative", "reading": reading}).split(
            '<script type="application/json"')[0]
        assert page.count("o face was found") == 1, page
        from msa_demo.views.story import notices_markdown

        assert notices_markdown(p, reading=reading).count("o face was found") == 1
