"""The app used from code: the MCP tools through the mcp package's own client, and every snippet of the
README's "Use it from code" section run as written against an app on a free loopback port (lite preset)."""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from serving import serve

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

README_URL = "http://127.0.0.1:7860/"

pytest.importorskip("mcp", reason="the mcp package (gradio[mcp]) is in requirements.txt")


@pytest.fixture(scope="module")
def server(lite_dashboard):
    import app

    dash = lite_dashboard()  # as Dashboard.load("lite", fallback=None), warmed, on the shared lite model
    yield from serve(app.build_demo(dash), max_file_size=app.MAX_FILE_SIZE, mcp_server=True)


def mcp_session(url: str, work):
    """Run ``work(session)`` in an initialised MCP client session on the app's streamable-HTTP endpoint."""
    from mcp import ClientSession
    from mcp.client.streamable_http import streamablehttp_client

    async def run():
        async with streamablehttp_client(url + "gradio_api/mcp/") as (read, write, _):
            async with ClientSession(read, write) as session:
                await session.initialize()
                return await work(session)

    return asyncio.run(run())


def test_mcp_lists_exactly_the_json_tools_with_their_arguments_described(server):
    async def work(session):
        return (await session.list_tools()).tools

    tools = {t.name: t for t in mcp_session(server, work)}
    assert set(tools) == {"predict", "explain"}
    predict = tools["predict"]
    assert predict.description.startswith("Say whether a post, a picture of a face or scene")
    assert "Returns:" in predict.description and "label (negative, neutral or positive" in predict.description
    props = predict.inputSchema["properties"]
    assert {"text", "image", "audio", "use", "preset"} <= set(props)
    assert "http(s) URL" in props["image"]["description"] and "30 s" in props["audio"]["description"]
    assert "target" in tools["explain"].inputSchema["properties"]
    for tool in tools.values():  # the dashboard's face switch, which the README gives the JSON endpoints
        assert tool.inputSchema["properties"]["face_anyway"]["type"] == "boolean"
    what_if = tools["explain"].inputSchema["properties"]["what_if"]  # from the option's declaration
    assert what_if["type"] == "boolean" and "flips the fused verdict" in what_if["description"]
    assert "predicted class" in tools["explain"].inputSchema["properties"]["target"]["description"]


def test_mcp_predict_on_lite_text_returns_json(server):
    async def work(session):
        return await session.call_tool("predict", {"text": "I love this, what a wonderful day!"})

    result = mcp_session(server, work)
    assert not result.isError, result.content
    pred = json.loads(result.content[0].text)
    assert pred["preset"] == "lite" and pred["used"] == ["text"]
    assert pred["label"] == "positive" and sum(pred["probs"].values()) == pytest.approx(1.0, abs=1e-5)
    assert pred["modalities"]["text"]["label"] == "positive"


def test_mcp_reads_an_image_given_as_a_url_of_an_uploaded_file_or_a_data_uri(server):
    import httpx

    with open(ROOT / "examples" / "happy_face.png", "rb") as f:
        uploaded = httpx.post(server + "gradio_api/upload", files={"files": ("face.png", f, "image/png")}).json()[0]
    url = f"{server}gradio_api/file={uploaded}"

    import base64

    data_uri = "data:image/png;base64," + base64.b64encode((ROOT / "examples" / "happy_face.png").read_bytes()).decode()

    async def work(session):
        return [await session.call_tool("predict", {"image": value}) for value in (url, data_uri)]

    for result in mcp_session(server, work):
        assert not result.isError, result.content
        pred = json.loads(result.content[0].text)
        assert pred["used"] == ["image"] and pred["modalities"]["image"]["label"] == "positive"


def test_mcp_explain_and_a_clean_error(server):
    async def work(session):
        ok = await session.call_tool("explain", {"text": "The service was terrible.", "target": "negative"})
        bad = await session.call_tool("predict", {})
        return ok, bad

    ok, bad = mcp_session(server, work)
    assert not ok.isError, ok.content
    exp = json.loads(ok.content[0].text)
    words = next(m for m in exp["maps"] if m["modality"] == "text")
    assert exp["target"] == "negative" and "terrible" in " ".join(words["labels"]).lower()
    assert "heatmap" not in words and "inputs" not in exp
    assert bad.isError and "Give at least one input" in bad.content[0].text
    assert "Traceback" not in bad.content[0].text


def test_server_never_reads_a_path_outside_the_upload_folder():
    from msa_demo.api import local_file
    from msa_demo.errors import InputError
    from msa_demo.i18n import said

    def said_zh(text):
        return said(text, "zh")

    for value in ("/etc/hostname", {"path": "/etc/hostname"}):
        with pytest.raises(InputError, match="must be uploaded to this app or given as an http"):
            local_file(value, "image")
    with pytest.raises(InputError) as err:  # an http URL all the same: said to name a file not uploaded here
        local_file("http://127.0.0.1:1/gradio_api/file=/etc/hostname", "image")
    assert str(err.value) == ("The image URL names a file of this app that was not uploaded to it; upload the file "
                              "first, or give a public http(s) URL or a data: URI.")
    assert said_zh(str(err.value)).startswith("图片的 URL 指向本应用中一个并非上传给它的文件")
    assert local_file("", "image") is None and local_file(None, "audio") is None
    for uri, why in (("data:image/png;base64,!!!!", "its base64 is not valid"), ("data:image/png;base64,", "holds no "
                     "data"), ("data:image/png,abc", "must be base64")):  # was an empty 'file.png' nobody named
        with pytest.raises(InputError, match=why) as err:
            local_file(uri, "image")
        assert str(err.value).startswith("The image data URI") and said_zh(str(err.value)) != str(err.value)
    with pytest.raises(InputError) as err:  # a private address is not fetched, said in words
        local_file("http://127.0.0.1:1/face.png", "image")
    assert str(err.value) == ("The image could not be downloaded from http://127.0.0.1:1/face.png: it is not a public "
                              "address (only public http(s) addresses are fetched).")
    from msa_demo.i18n import said

    assert said(str(err.value), "zh") == "无法从 http://127.0.0.1:1/face.png 下载图片：它不是公网地址（只获取公网 http(s) 地址）。"


def test_another_gradio_apps_file_url_is_downloaded_not_looked_for_here(monkeypatch, tmp_path):
    """An agent passing another Space's output file (its /gradio_api/file= URL) was told "No image file was found
    at '/tmp/gradio/...'": every such URL was read as this app's own upload. Another host's is downloaded; this
    app's own (its file here, or on this machine's addresses) is read where it is."""
    import gradio.processing_utils as pu
    from gradio.utils import get_upload_folder

    from msa_demo.api import local_file

    monkeypatch.setenv("GRADIO_TEMP_DIR", str(tmp_path))
    fetched = []
    upload = Path(get_upload_folder())
    landed = upload / "fetched" / "photo.png"

    def download(url, cache_dir):  # Gradio's SSRF-protected download (no network here): where it would land
        fetched.append(url)
        landed.parent.mkdir(parents=True, exist_ok=True)
        landed.write_bytes((ROOT / "examples" / "happy_face.png").read_bytes())
        return str(landed)

    monkeypatch.setattr(pu, "ssrf_protected_download", download)
    other = "https://someone-else.hf.space/gradio_api/file=/tmp/gradio/0123abcd/photo.png"
    assert local_file(other, "image") == str(landed) and fetched == [other]
    mine = upload / "0123mine" / "face.png"
    mine.parent.mkdir(parents=True, exist_ok=True)
    mine.write_bytes(b"png")
    for host in ("https://my-space.hf.space", "http://127.0.0.1:7860"):  # this app's upload: read, not fetched
        assert local_file(f"{host}/gradio_api/file={mine}", "image") == str(mine)
    gone = f"http://127.0.0.1:7860/gradio_api/file={upload}/gone/face.png"  # this app's, since removed
    assert local_file(gone, "image") == f"{upload}/gone/face.png" and len(fetched) == 1


# ---------------------------------------------------------------------- README snippets


def readme_snippets() -> list[tuple[str, str]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Use it from code", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```(python|bash)\n(.*?)```", section, flags=re.S)


def test_readme_has_the_three_ways():
    kinds = [k for k, _ in readme_snippets()]
    code = "\n".join(c for _, c in readme_snippets())
    assert kinds.count("python") == 2 and kinds.count("bash") == 1
    assert "gradio_client" in code and "streamablehttp_client" in code and "python -m msa_demo" in code


@pytest.mark.spawns
@pytest.mark.parametrize("index", range(3))
def test_readme_snippet_runs_against_a_local_app(server, index):
    kind, code = readme_snippets()[index]
    code = code.replace(README_URL, server)
    if kind == "python":
        out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
        assert out.returncode == 0, out.stderr[-3000:]
        lines = [ln for ln in out.stdout.splitlines() if not ln.startswith("Loaded as API")]
        if "gradio_client" in code:
            label, _, rest = lines[0].partition(" ")
            assert label == "positive" and rest.endswith(" positive")  # fused, then the face alone
            assert lines[1].startswith("[('text', 'layer_integrated_gradients', ['What', 'a', 'lovely']")
        else:
            assert lines == ["['predict', 'explain']", "positive"]
    else:
        for line in (ln for ln in code.splitlines() if ln.strip()):
            env = {**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}",
                   "HF_HUB_OFFLINE": "1"}
            out = subprocess.run(line, shell=True, cwd=ROOT, capture_output=True, text=True, timeout=300, env=env)
            assert out.returncode == 0, (line, out.stderr[-3000:])
            if "predict" in line:
                assert json.loads(out.stdout)["label"] == "positive"
            else:
                assert "superb/wav2vec2-base-superb-er @ refs/pr/2" in out.stdout


@pytest.mark.parametrize("settings, message", [
    ({"ig_steps": 1}, "IG steps must be 2 to 1024"),
    ({"regions": "hexagons"}, "image regions must be one of"),
    ({"target": "happy"}, "The target must be one of negative, neutral, positive"),
])
def test_bad_explain_settings_are_one_line_errors(server, settings, message):
    from gradio_client import Client
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError) as info:
        Client(server, verbose=False).predict(text="fine", api_name="/explain_json", **settings)
    assert message in str(info.value) and "Traceback" not in str(info.value)


def test_explain_json_takes_every_dashboard_setting_by_name(server):
    """Each Advanced setting the dashboard shows is an argument of /explain_json (and of the MCP tool), declared
    once in ``ui.options.CONTROLS``; the five first ones keep their positions."""
    from gradio_client import Client

    from msa_demo.api import MORE_SETTINGS

    client = Client(server, verbose=False)
    params = [p["parameter_name"] for p in client.view_api(return_format="dict")["named_endpoints"]["/explain_json"]
              ["parameters"]]
    assert params[:11] == ["text", "image", "audio", "use", "preset", "target", "image_method", "regions",
                           "ig_steps", "seed", "heatmaps"]
    # then the face switch, the clip's span (config.CLIP_SPAN), then each further kind's
    assert params[11:] == [c.name for c in MORE_SETTINGS] + ["face_anyway", "start", "end", "video"]
    assert {"text_method", "deletion_steps"} <= set(params)
    exp = json.loads(client.predict(text="The service was terrible.", text_method="occlusion", deletion_steps=4,
                                    api_name="/explain_json"))
    words = next(m for m in exp["maps"] if m["modality"] == "text")
    assert words["method"] == "feature_ablation"  # text occlusion (the default would be layer IG)
    assert exp["options"]["text_methods"] == ["occlusion"] and exp["options"]["deletion_steps"] == 4
    assert len(words["faithfulness"]["deletion_curve"]) == 5
    assert {"what_if", "what_if_forwards", "robustness"} <= set(params)
    assert exp["options"]["what_if"] is True and exp["what_if"][0]["modality"] == "text"  # on, as in the dashboard
    exp = json.loads(client.predict(text="The service was terrible.", what_if=False, robustness=True,
                                    api_name="/explain_json"))
    assert exp["what_if"] == [] and exp["maps"][0]["faithfulness"]["sensitivity"] is not None
    # a picture without a face: left out, said; face_anyway (documented, but not an argument: "not a valid key-word
    # argument") reads it as a face, from both endpoints
    from gradio_client import handle_file

    scene = handle_file(str(ROOT / "examples" / "neutral_scene.png"))
    pred = json.loads(client.predict(text="Fine.", image=scene, api_name="/predict_json"))
    assert pred["used"] == ["text"] and any("no face" in n.lower() for n in pred["notices"])
    pred = json.loads(client.predict(text="Fine.", image=scene, face_anyway=True, api_name="/predict_json"))
    assert pred["used"] == ["text", "image"]
    exp = json.loads(client.predict(image=scene, face_anyway=True, what_if=False, api_name="/explain_json"))
    assert exp["prediction"]["used"] == ["image"] and exp["maps"][0]["modality"] == "image"
