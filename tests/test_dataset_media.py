"""Media that every node can read: a manifest's pictures and clips as bytes (a Parquet binary column) or as URIs
read through fsspec (``http://127.0.0.1`` served here, ``file://``) give the same results as the same files given
as paths; a URI that is missing, or whose scheme needs a package that is not installed, is one line."""

from __future__ import annotations

import http.server
import importlib.util
import json
import threading
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from msa_demo.dataset import explain_batch, manifest_rows, read_results
from msa_demo.dataset.media import Blob, local_files, read_uri, shipped
from msa_demo.errors import InputError
from msa_demo.explain import ExplainOptions

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
FAST = ExplainOptions(ig_max_steps=8, image_methods=("occlusion",), grid=3, deletion_steps=2, segment_seconds=1.0)
ROWS = [{"id": "a", "text": "I love this", "image": "happy_face.png", "audio": None},
        {"id": "b", "text": "Awful.", "image": None, "audio": "angry_speech.wav"},
        {"id": "c", "text": None, "image": "frown_face.png", "audio": "positive_speech.wav"}]
COMPARED = ["predicted", "prob_negative", "prob_neutral", "prob_positive", "shapley_text", "shapley_image",
            "shapley_audio", "error"]


class MediaServer:
    """A tiny HTTP server on 127.0.0.1 serving files from memory ({name: bytes}); it counts the requests."""

    def __init__(self, files: dict[str, bytes]) -> None:
        served = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's name
                name = self.path.lstrip("/").split("?")[0]
                served.requests.append(name)
                data = served.files.get(name)
                if data is None:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_HEAD = do_GET  # noqa: N815 - fsspec asks for the size first

            def log_message(self, *args):
                pass

        self.files, self.requests = files, []
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> "MediaServer":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def media_files() -> dict[str, bytes]:
    return {n: (EXAMPLES / n).read_bytes() for n in ("happy_face.png", "frown_face.png", "angry_speech.wav",
                                                      "positive_speech.wav")}


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def by_path(tiny_model, tmp_path_factory):
    """The rows with local paths, explained by the local engine: what the other forms must give."""
    folder = tmp_path_factory.mktemp("paths")
    rows = [{k: (str(EXAMPLES / v) if k in ("image", "audio") and v else v) for k, v in r.items()} for r in ROWS]
    explain_batch(write_jsonl(folder / "m.jsonl", rows), folder / "out", model=tiny_model, options=FAST,
                  progress=False, report=False)
    return {r["id"]: r for r in read_results(folder / "out")}


def _same(got: list[dict], want: dict[str, dict]) -> None:
    assert [r["id"] for r in got] == list(want)
    for r in got:
        for col in COMPARED:
            assert r[col] == (pytest.approx(want[r["id"]][col], abs=1e-6) if isinstance(r[col], float)
                              else want[r["id"]][col]), (r["id"], col)


def test_parquet_binary_columns_stay_bytes_and_explain_as_the_files(tiny_model, by_path, tmp_path):
    files = media_files()
    table = pa.Table.from_pylist([{"id": r["id"], "text": r["text"],
                                   "image": files[r["image"]] if r["image"] else None,
                                   "audio": files[r["audio"]] if r["audio"] else None} for r in ROWS],
                                 schema=pa.schema([("id", pa.string()), ("text", pa.string()),
                                                   ("image", pa.binary()), ("audio", pa.binary())]))
    pq.write_table(table, tmp_path / "m.parquet")
    rows = manifest_rows(tmp_path / "m.parquet")
    assert isinstance(rows[0].image, Blob) and rows[0].image.data == files["happy_face.png"]
    assert rows[0].image.name.endswith(".png") and rows[1].audio.name.endswith(".wav")  # named by their magic
    explain_batch(tmp_path / "m.parquet", tmp_path / "out", model=tiny_model, options=FAST, progress=False,
                  report=False)
    got = read_results(tmp_path / "out")
    _same(got, by_path)
    assert [r["image_sha256"] for r in got] == [by_path[r["id"]]["image_sha256"] for r in got]  # hashes of bytes


def test_http_and_file_uris_are_read_through_fsspec(tiny_model, by_path, tmp_path):
    with MediaServer(media_files()) as server:
        rows = [{k: (f"{server.url}/{v}" if k in ("image", "audio") and v else v) for k, v in r.items()}
                for r in ROWS]
        rows[2]["audio"] = (EXAMPLES / "positive_speech.wav").as_uri()  # file:// goes through the same layer
        manifest = write_jsonl(tmp_path / "m.jsonl", rows)
        got_rows = manifest_rows(manifest)
        assert got_rows[0].image == f"{server.url}/happy_face.png"  # a URI is not joined to the manifest's folder
        assert shipped(got_rows[0].image) == got_rows[0].image  # the Ray engine ships a URI as it is
        explain_batch(manifest, tmp_path / "out", model=tiny_model, options=FAST, progress=False, report=False)
        assert {"happy_face.png", "frown_face.png", "angry_speech.wav"} <= set(server.requests)
        _same(read_results(tmp_path / "out"), by_path)
        # a URI with nothing behind it is the row's one-line error; the run goes on
        write_jsonl(tmp_path / "missing.jsonl", [{"id": "gone", "text": "fine", "image": f"{server.url}/no.png"}])
        s = explain_batch(tmp_path / "missing.jsonl", tmp_path / "out2", model=tiny_model, options=FAST,
                          progress=False, report=False)
    assert (s.explained, s.failed) == (0, 1)
    err = read_results(tmp_path / "out2")[0]["error"]
    assert err == f"Nothing was found at '{server.url}/no.png'."


def test_a_host_that_does_not_answer_is_said_so_not_nothing_found():
    """fsspec's http raises FileNotFoundError for a refused connection too: it was said as "Nothing was found at",
    which sent a user looking for a file on a server that was down."""
    import socket

    with socket.socket() as s:  # a port nothing listens on (bound, then let go)
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(InputError, match=rf"^'http://127.0.0.1:{port}/x.png' could not be read \(ClientConnectorError"
                                         r": Cannot connect to host 127.0.0.1"):
        read_uri(f"http://127.0.0.1:{port}/x.png")


def test_a_local_path_is_shipped_as_bytes_with_its_name(tmp_path):
    blob = shipped(str(EXAMPLES / "happy_face.png"))
    assert blob == Blob("happy_face.png", (EXAMPLES / "happy_face.png").read_bytes())
    assert shipped(str(tmp_path / "absent.png")) == str(tmp_path / "absent.png")  # the worker says "not found"
    with local_files(image=blob, audio=None) as files:  # on the worker: a file of the same name, then gone
        path = Path(files["image"])
        assert path.name == "happy_face.png" and path.read_bytes() == blob.data and files["audio"] is None
    assert not path.exists()

@pytest.mark.parametrize("scheme, package", [("s3", "s3fs"), ("gs", "gcsfs")])
def test_a_scheme_without_its_plugin_names_the_package(scheme, package):
    if importlib.util.find_spec(package):
        pytest.skip(f"{package} is installed here")
    with pytest.raises(InputError) as err:
        read_uri(f"{scheme}://bucket/face.png")
    assert str(err.value) == f"Reading {scheme}:// URIs needs the package {package} (pip install {package})."

def test_results_go_to_a_uri_one_object_per_row_and_resume(tiny_model, tmp_path):
    """``--out`` as a URI (fsspec's memory:// stands in for s3:// or gs://): each row is one object written whole,
    the table and the report are written there, and a second run skips every row."""
    import fsspec

    rows = [{k: (str(EXAMPLES / v) if k in ("image", "audio") and v else v) for k, v in r.items()} for r in ROWS]
    manifest = write_jsonl(tmp_path / "m.jsonl", rows)
    out = "memory://msa-results/run1"
    s = explain_batch(manifest, out, model=tiny_model, options=FAST, progress=False)
    assert (s.explained, s.failed, s.out) == (3, 0, out)
    fs = fsspec.filesystem("memory")
    assert sorted(p.rsplit("/", 1)[-1] for p in fs.ls("/msa-results/run1/rows", detail=False)) == \
        ["a.json", "b.json", "c.json"]
    got = read_results(out)
    assert [r["id"] for r in got] == ["a", "b", "c"]
    assert fs.cat_file(f"/msa-results/run1/{got[0]['explanation']}").startswith(b"{")
    assert fs.exists("/msa-results/run1/results.parquet") and fs.exists("/msa-results/run1/report.html")
    again = explain_batch(manifest, out, model=tiny_model, options=FAST, progress=False, report=False)
    assert (again.skipped, again.explained) == (3, 0)
    fs.rm("/msa-results", recursive=True)

def test_a_manifest_at_a_uri_has_its_relative_media_beside_it(tiny_model, by_path, tmp_path):
    rows = [dict(r, image=f"media/{r['image']}" if r["image"] else None,
                 audio=f"./media/{r['audio']}" if r["audio"] else None) for r in ROWS]
    files = {f"set/media/{k}": v for k, v in media_files().items()}
    files["set/m.jsonl"] = "".join(json.dumps(r) + "\n" for r in rows).encode("utf-8")
    with MediaServer(files) as server:
        got = manifest_rows(f"{server.url}/set/m.jsonl")
        assert got[0].image == f"{server.url}/set/media/happy_face.png"
        assert got[1].audio == f"{server.url}/set/media/angry_speech.wav"
        explain_batch(f"{server.url}/set/m.jsonl", tmp_path / "out", model=tiny_model, options=FAST,
                      progress=False, report=False)
        with pytest.raises(InputError, match="Nothing was found at"):
            manifest_rows(f"{server.url}/set/missing.jsonl")
    _same(read_results(tmp_path / "out"), by_path)
