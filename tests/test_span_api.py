"""A single clip's span from code (issue fix-span): the command line's ``--start`` / ``--end`` read only 12.3-15.8 s of
a long interview, but ``/predict_json``, ``/explain_json`` and the MCP tools ``predict`` / ``explain`` took no span:
a caller had to cut the clip herself. Now they take ``start`` / ``end`` (declared once, ``config.CLIP_SPAN``), cut
as the command line cuts it, with the same notice, and a span that cannot be read is the same one line as a clean
API error, in the arguments' own names (never a traceback in the server's log). Through a real served app (tiny
preset), with gradio_client and the mcp package's own client.

The sound is ``test_dataset_segment``'s: a 440 Hz tone for its first 3 s, 1760 Hz after, 6 s in all."""

from __future__ import annotations

import base64
import json
import logging

import pytest
import soundfile as sf
from serving import serve

from test_dataset_segment import RATE, halves

pytestmark = [pytest.mark.slow, pytest.mark.server]

READ = "Audio: 3.5-5.5 s of 'interview.wav' (6.0 s long) were read (start and end); its times count from 3.5 s."
CHEAP = dict(ig_steps=8, deletion_steps=2, what_if=False, segment_seconds=1.0)


@pytest.fixture(scope="module")
def served(tiny_preset_path, tmp_path_factory):
    import app

    from msa_demo import ui

    folder = tmp_path_factory.mktemp("span_api")
    sf.write(folder / "interview.wav", halves(), RATE)
    sf.write(folder / "by_hand.wav", halves()[int(3.5 * RATE):int(5.5 * RATE)], RATE)  # the span, cut by hand
    dash = ui.Dashboard.load(str(tiny_preset_path), fallback=None, device="cpu", warm=False)
    for url in serve(app.build_demo(dash, folder / "no_examples.json"), mcp_server=True):
        yield url, folder


def _client(url):
    from gradio_client import Client

    return Client(url, verbose=False)


def test_the_json_endpoints_read_only_the_span_and_say_which(served):
    from gradio_client import handle_file

    url, folder = served
    client = _client(url)
    interview = handle_file(str(folder / "interview.wav"))
    spanned = json.loads(client.predict(audio=interview, start=3.5, end=5.5, api_name="/predict_json"))
    by_hand = json.loads(client.predict(audio=handle_file(str(folder / "by_hand.wav")), api_name="/predict_json"))
    whole = json.loads(client.predict(audio=interview, api_name="/predict_json"))
    assert spanned["probs"] == pytest.approx(by_hand["probs"], abs=1e-5)
    assert spanned["probs"] != pytest.approx(whole["probs"], abs=1e-5)
    assert READ in spanned["notices"] and not any("were read (start" in n for n in whole["notices"])
    # an end left out is the file's end
    tail = json.loads(client.predict(audio=interview, start=3.5, api_name="/predict_json"))
    assert any(n.startswith("Audio: 3.5-6.0 s of 'interview.wav' (6.0 s long) were read") for n in tail["notices"])
    # explain: the 2 s read, in 1 s segments, and the same notice
    exp = json.loads(client.predict(audio=interview, start=3.5, end=5.5, target="positive", **CHEAP,
                                    api_name="/explain_json"))
    assert READ in exp["notices"]
    (sound,) = [m for m in exp["maps"] if m["modality"] == "audio"]
    assert sound["labels"] == ["0.00–1.00 s", "1.00–2.00 s"]  # the 2 s read, not the 6 s file


@pytest.mark.parametrize("given, line", [
    (dict(start=5, end=4), "end (4 s) is not after start (5 s)."),
    (dict(start=-1), "start (-1 s) is negative: a clip's span starts at 0 s or later."),
    (dict(start=7), "start 7 s is past the end of 'interview.wav' (6.0 s long)."),
    (dict(start=1, end=9), "end 9 s is past the end of 'interview.wav' (6.0 s long)."),
    (dict(text="fine", end=3), "start and end cut a clip: give audio or video with them."),
])
def test_a_span_that_cannot_be_read_is_one_clean_line(served, given, line, caplog, capfd):
    from gradio_client import handle_file

    url, folder = served
    client = _client(url)
    values = dict(given) if "text" in given else dict(audio=handle_file(str(folder / "interview.wav")), **given)
    caplog.set_level(logging.INFO, logger="msa_demo")
    for api_name in ("/predict_json", "/explain_json"):
        with pytest.raises(Exception) as info:
            client.predict(**values, api_name=api_name)
        assert str(info.value) == line and "Traceback" not in str(info.value)
    refused = [r for r in caplog.records if r.getMessage() == f"refused: {line}"]
    assert len(refused) == 2 and not any(r.exc_info for r in caplog.records)
    assert "Traceback" not in capfd.readouterr().err


def test_the_mcp_tools_take_the_span_described_from_its_declaration(served):
    from msa_demo.config import CLIP_SPAN
    from test_use_from_code import mcp_session

    url, folder = served
    data_uri = "data:audio/wav;base64," + base64.b64encode((folder / "interview.wav").read_bytes()).decode()

    async def work(session):
        tools = {t.name: t for t in (await session.list_tools()).tools}
        ok = await session.call_tool("predict", {"audio": data_uri, "start": 3.5, "end": 5.5})
        bad = await session.call_tool("explain", {"audio": data_uri, "start": 5, "end": 4})
        return tools, ok, bad

    tools, ok, bad = mcp_session(url, work)
    for tool in tools.values():
        props = tool.inputSchema["properties"]
        for spec in CLIP_SPAN:
            assert "number" in json.dumps(props[spec.name]) and "--" not in props[spec.name]["description"]
        assert "from this second on" in props["start"]["description"]
        assert "up to this second" in props["end"]["description"]
    assert not ok.isError, ok.content
    notices = json.loads(ok.content[0].text)["notices"]
    assert any(n.startswith("Audio: 3.5-5.5 s of ") and n.endswith("(start and end); its times count from 3.5 s.")
               for n in notices), notices
    assert bad.isError and "end (4 s) is not after start (5 s)." in bad.content[0].text
    assert "Traceback" not in bad.content[0].text
