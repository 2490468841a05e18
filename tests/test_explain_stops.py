"""An explanation stops: at a server's limit (``explain_iter(limit=...)``, the app's ``MSA_MAX_SECONDS``), and when
its stream is closed (a cancelled request), its panels' next model call does not run. On the planted models
(tests/planted_models.py), one made slow by construction: each of its model calls sleeps, so a panel of it runs
for seconds unless stopped.
"""

from __future__ import annotations

import threading
import time

import pytest

from msa_demo.explain import ExplainOptions, explain, explain_iter, panel_workers
from msa_demo.explain.forward import Stopped
from planted_models import PlantedImage, planted_model, planted_inputs


class SlowImage(PlantedImage):
    """The planted picture model, each call 0.05 s slower; counts its calls."""

    calls = 0

    def _run(self, inputs, want_features):
        type(self).calls += 1
        time.sleep(0.05)
        return super()._run(inputs, want_features)


@pytest.fixture
def slow():
    model = planted_model()
    model.modalities["image"].__class__ = SlowImage
    SlowImage.calls = 0
    return model


MANY = ExplainOptions(ig_min_steps=512, ig_max_steps=512, grid=8, image_methods=("integrated_gradients", "occlusion"), batch_size=1,
                      deletion_steps=2)


QUICK_TEXT = ExplainOptions(ig_min_steps=512, ig_max_steps=512, grid=8, image_methods=("integrated_gradients", "occlusion"),
                            batch_size=1, deletion_steps=2, what_if=True, tone=True)


@pytest.mark.slow  # a planted slow model runs for a second or two before it is stopped
def test_an_explanation_past_the_server_s_limit_is_cut_short_with_what_was_finished(slow):
    """A crowd's capped explanation had given its user nothing after a long wait (an error in place of the
    prediction, the contributions and the maps already made). Now it ends with what was finished, the rest said
    left out in one line, and frees the cores as before."""
    exp = explain(slow, planted_inputs(), options=QUICK_TEXT, limit=0.5)
    calls = SlowImage.calls  # its image panel alone asks for hundreds of 0.05 s calls: counted, not timed (a busy
    assert calls < 60, calls  # machine makes each call slower, never more of them)
    time.sleep(0.3)
    assert SlowImage.calls == calls  # nothing left running
    assert exp.prediction.label and exp.modalities is not None  # the verdict and the modality contributions
    assert "image" not in {m.modality for m in exp.maps}  # the slow picture's maps were cut
    cut = [n for n in exp.notices if n.startswith("Cut short")]
    assert len(cut) == 1, exp.notices
    assert cut[0].startswith("Cut short at this server's limit of 0.5 s (MSA_MAX_SECONDS); left out: ")
    assert "the image maps" in cut[0] and "how it sounds" in cut[0] and cut[0].endswith(
        "What was finished is shown. Ask for less (a time budget, fewer IG steps or what-if forwards) or run it "
        "on your own machine.")
    for m in {m.modality for m in exp.maps}:  # the maps that were finished are not said left out
        assert f"the {m} maps" not in cut[0]
    quick = explain(slow, planted_inputs(), options=ExplainOptions(ig_max_steps=8, grid=2, deletion_steps=2), limit=60)
    assert quick.maps and not [n for n in quick.notices if n.startswith("Cut short")]  # under it: nothing changes


def test_a_cut_short_explanation_streams_its_line_last_marked_as_such(slow):
    from msa_demo.i18n import said

    parts = list(explain_iter(slow, planted_inputs(), options=QUICK_TEXT, limit=0.5))
    kinds = [k for k, _ in parts]
    assert kinds[0] == "explanation" and kinds[-1] == "done"
    marked = [p for k, p in parts if k == "notices" and p.get("cut_short")]
    assert len(marked) == 1 and marked[0]["notices"][0].startswith("Cut short")
    zh = said(marked[0]["notices"][0], "zh")
    assert "MSA_MAX_SECONDS" in zh and "图片的图" in zh and zh != marked[0]["notices"][0], zh


@pytest.mark.slow  # a planted slow model runs for a second or two before it is stopped
def test_closing_the_stream_stops_a_panel_still_running(slow):
    if panel_workers(slow) < 2:
        pytest.skip("one panel at a time here: no panel runs while the stream waits")
    stream = explain_iter(slow, planted_inputs(), options=MANY)
    for kind, part in stream:  # the quick panels' maps arrive while the slow picture panel runs
        if kind == "map" and part.modality != "image":
            break
    assert SlowImage.calls > 0
    stream.close()  # as Gradio closes a cancelled request's generator
    for t in [t for t in threading.enumerate() if t.name.startswith("msa-panel")]:
        t.join(timeout=10)  # (it stops at its next model call: on a busy machine that one may take a while)
    assert not [t for t in threading.enumerate() if t.name.startswith("msa-panel") and t.is_alive()]
    calls = SlowImage.calls
    time.sleep(0.5)
    assert SlowImage.calls == calls  # (it went on for hundreds of calls, seconds, before)


@pytest.mark.slow  # a planted slow model runs for a second or two before it is stopped
def test_an_explanation_whose_page_has_gone_stops_before_it_sends_a_part(slow):
    """A closed tab's explanation that sends no part (Gradio stops a stream only at its next step) ran on to the
    server's cap for no one (96 s). It asks whether its page is still there at its model calls (at most twice a
    second) and stops when it is not, with one line that says why."""
    from msa_demo.explain.forward import PAGE_GONE

    asked = []

    def gone() -> bool:
        asked.append(SlowImage.calls)
        return SlowImage.calls >= 20  # the tab closes after its 20th model call
    with pytest.raises(Stopped, match=PAGE_GONE):
        explain(slow, planted_inputs(), options=MANY, gone=gone)
    calls = SlowImage.calls  # hundreds were asked for; it stops within half a second of the page going
    assert 20 <= calls < 60 and asked, (calls, asked)
    time.sleep(0.3)
    assert SlowImage.calls == calls
    assert explain(slow, planted_inputs(), options=ExplainOptions(ig_max_steps=8, grid=2, deletion_steps=2),
                   gone=lambda: False).maps  # a page still there changes nothing


def test_gradio_tells_when_the_page_that_asked_has_gone():
    """``ui.widgets.page_gone`` reads Gradio's own mark on the event (the pinned Gradio's queue): a page whose
    stream closes (a tab closed) is seen gone within a moment, in the event's own handler."""
    import httpx

    import gradio as gr
    from serving import serve
    from msa_demo.ui.widgets import page_gone

    seen: dict = {}

    def waits(x):  # as the page's Explain streams: a first part (the prediction), then a long wait for the next
        gone = page_gone()
        seen["asked"] = gone is not None
        yield "predicted"
        t0 = time.monotonic()
        while time.monotonic() - t0 < 30:
            if gone():
                seen["gone"] = time.monotonic() - t0
                return
            time.sleep(0.05)
        yield "still here"

    with gr.Blocks() as demo:
        box = gr.Textbox()
        gr.Button().click(waits, box, box, api_name="waits")
    served = serve(demo)
    url = next(served)
    try:
        with httpx.Client(base_url=url + "gradio_api/", timeout=10) as http:
            joined = http.post("queue/join", json={"data": ["x"], "fn_index": 0, "session_hash": "tab1",
                                                   "event_data": None, "trigger_id": None})
            assert joined.status_code == 200, joined.text
            with http.stream("GET", "queue/data", params={"session_hash": "tab1"}) as stream:
                for line in stream.iter_lines():  # the page hears its first part, then the tab closes
                    if "predicted" in line:
                        break
        t0 = time.monotonic()
        while "gone" not in seen and time.monotonic() - t0 < 25:
            time.sleep(0.05)
        assert seen.get("asked") and "gone" in seen, seen
    finally:
        next(served, None)


def test_a_space_limits_one_explanation_and_plans_its_maps_within_half_of_it(monkeypatch):
    """On a Space (``SPACE_ID``) an explanation may take 120 s unless ``MSA_MAX_SECONDS`` says otherwise; no time
    budget, or one over half the limit, is planned at half of it and said; elsewhere nothing is limited."""
    from msa_demo.i18n import said
    from msa_demo.ui.options import max_seconds, within_limit

    monkeypatch.delenv("MSA_MAX_SECONDS", raising=False)
    monkeypatch.delenv("SPACE_ID", raising=False)
    assert max_seconds() == 0 and within_limit(ExplainOptions(budget=0)) == (ExplainOptions(budget=0), None)
    monkeypatch.setenv("SPACE_ID", "someone/why-sentiment")
    assert max_seconds() == 120
    options, note = within_limit(ExplainOptions(budget=0, ig_max_steps=1024))
    assert options.budget == 60 and options.ig_max_steps == 1024
    assert note == "This server explains within 120 s (MSA_MAX_SECONDS), so the maps had a time budget of 60 s."
    assert "120 秒" in said(note, "zh")
    assert within_limit(ExplainOptions(budget=5)) == (ExplainOptions(budget=5), None)  # inside it: as asked
    monkeypatch.setenv("MSA_MAX_SECONDS", "0")  # the operator's word: no limit
    assert max_seconds() == 0
    monkeypatch.setenv("MSA_MAX_SECONDS", "ten")
    with pytest.raises(Exception, match="MSA_MAX_SECONDS must be a number of seconds from 0"):
        max_seconds()


@pytest.mark.slow  # a planted slow model runs for a second or two before it is stopped
def test_while_others_wait_an_explanation_has_its_share_of_the_limit(slow, monkeypatch):
    """Two visitors' capped requests had kept a third's short text waiting 113 s: while explanations wait behind
    one, its limit is their share (limit / (waiting + 1)), at least CROWDED_LEAST seconds; past it, cut short
    with what was finished."""
    import msa_demo.explain.forward as forward
    from msa_demo.i18n import said

    monkeypatch.setattr(forward, "CROWDED_LEAST", 0.3)
    exp = explain(slow, planted_inputs(), options=MANY, limit=3, crowd=lambda: 2)
    cut = [n for n in exp.notices if n.startswith("Cut short")]
    assert cut and cut[0].startswith("Cut short at 1 s, its share of this server's 3 s limit (MSA_MAX_SECONDS) "
                                     "while 2 more waited; left out: "), exp.notices
    assert "the image maps" in cut[0] and exp.prediction.label
    assert "2 个" in said(cut[0], "zh")
    exp = explain(slow, planted_inputs(), options=MANY, limit=3, crowd=lambda: 20)
    assert [n for n in exp.notices if n.startswith("Cut short at 0.3 s, its share")]  # at least CROWDED_LEAST
    quick = explain(slow, planted_inputs(), options=ExplainOptions(ig_max_steps=8, grid=2, deletion_steps=2),
                    limit=60, crowd=lambda: 0)
    assert quick.maps and not [n for n in quick.notices if n.startswith("Cut short")]  # none waiting: the whole limit


@pytest.mark.slow  # a planted slow model runs for a second or two before it is stopped
def test_who_asked_can_stop_it_keeping_what_was_finished_or_replace_it(slow):
    """The page's Stop cuts an explanation short (what was finished kept, said in one line); a newer explanation
    asked for by the same page or session stops the older one, nothing of it kept."""
    from msa_demo.explain.forward import REPLACED, Replaced

    wants = {"now": None}

    def asked():
        return "stopped" if SlowImage.calls >= 10 else None
    exp = explain(slow, planted_inputs(), options=MANY, asked=asked)
    assert SlowImage.calls < 60 and "image" not in {m.modality for m in exp.maps}
    assert [n for n in exp.notices if n.startswith("Stopped on the page; left out: ") and "the image maps" in n
            and n.endswith("What was finished is shown.")], exp.notices
    SlowImage.calls = 0
    with pytest.raises(Replaced, match=REPLACED):
        explain(slow, planted_inputs(), options=MANY, asked=lambda: "replaced" if SlowImage.calls >= 10 else None)
    assert SlowImage.calls < 60
    assert wants["now"] is None


