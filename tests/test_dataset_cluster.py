"""``explain-batch --engine ray`` on a local two-node Ray cluster (``ray.cluster_utils.Cluster``, every node on
127.0.0.1; stopped by the test, which stops only what it started): the worker node gets nothing from the driver's
folders (media as bytes, or as ``http://127.0.0.1`` URIs served here), an actor killed mid-row is restarted and the
row retried, a row that kills its actor every time ends as an error row, and a driver killed mid-run resumes with
the same command, every row once."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

ray = pytest.importorskip("ray", reason="Ray is the optional extra in requirements-cluster.txt")

from msa_demo.dataset import explain_batch, media, read_results  # noqa: E402
from msa_demo.dataset.distributed import loopback_kept, plan  # noqa: E402
from test_dataset_media import COMPARED, EXAMPLES, FAST, ROWS, MediaServer, media_files, write_jsonl  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
# Ray clusters (a two-node one, and local ones the runs start) want the machine to themselves: make test runs these
# after the tests it runs two at a time
pytestmark = pytest.mark.alone


def test_a_loopback_address_stays_loopback():
    """Ray turns 127.0.0.1:PORT into the machine's interface address when it canonicalises a bootstrap address;
    the driver keeps loopback while it joins (and only then)."""
    from ray._private import services

    with loopback_kept("127.0.0.1:6379"):
        assert services.canonicalize_bootstrap_address("127.0.0.1:6379") == "127.0.0.1:6379"
        assert services.resolve_ip_for_localhost("127.0.0.1") == "127.0.0.1"
    with loopback_kept("10.1.2.3:6379"):  # a real cluster's address is left to Ray
        assert services.canonicalize_bootstrap_address("10.1.2.3:6379") == "10.1.2.3:6379"
    assert services.canonicalize_bootstrap_address("127.0.0.1:6379").endswith(":6379")  # Ray's own rule is back


def test_actor_count_and_threads_come_from_the_cluster():
    class Fake:
        def __init__(self, *cpus, gpus=0):
            self._nodes = [{"Alive": True, "Resources": {"CPU": c, "GPU": gpus}} for c in cpus]

        def nodes(self):
            return self._nodes

    assert plan(Fake(0, 8, 8), 0, 0) == (4, 4)  # a head with no CPUs; two 8-CPU workers: 4 actors of 4 threads
    assert plan(Fake(2), 0, 0) == (1, 2)
    assert plan(Fake(2, 2), 2, 0) == (2, 2)  # --workers 2: the cluster's CPUs shared out, one node's worth at most
    assert plan(Fake(16, 16, gpus=2), 0, 0.5) == (8, 4)  # one actor per half GPU


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """A head with no CPUs (so actors run on the worker node) and a worker node with 2; the driver (this process)
    joined at 127.0.0.1:PORT with the planted faults in every worker process."""
    from ray.cluster_utils import Cluster

    from msa_demo.dataset.distributed import start_ray

    planted = tmp_path_factory.mktemp("planted")
    c = Cluster(initialize_head=True, head_node_args={"node_ip_address": "127.0.0.1", "num_cpus": 0,
                                                      "include_dashboard": False})
    try:
        c.add_node(node_ip_address="127.0.0.1", num_cpus=2)
        start_ray(address=c.address, runtime_env={
            "env_vars": {"PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "tests")]),
                         "MSA_PLANTED_DIR": str(planted)},
            "worker_process_setup_hook": "ray_planted.plant"})
        yield c, planted
    finally:
        ray.shutdown()
        c.shutdown()


@pytest.mark.slow
@pytest.mark.spawns
def test_the_worker_node_reads_bytes_and_uris_only(cluster, tiny_model, tiny_preset_path, tmp_path, monkeypatch):
    c, _ = cluster
    node = ray._private.worker.global_worker.node
    assert node.node_ip_address == "127.0.0.1" and ray.get_runtime_context().gcs_address == c.address
    assert c.address.startswith("127.0.0.1:")  # joined at loopback, not moved to the interface address
    assert all(n["NodeManagerAddress"] == "127.0.0.1" for n in ray.nodes())
    files = media_files()
    with MediaServer(files) as server:
        # rows a, b: Parquet binary cells; row c: http URIs (no row names a path on this machine)
        table = [{"id": r["id"], "text": r["text"], "image": files[r["image"]] if r["image"] else None,
                  "audio": files[r["audio"]] if r["audio"] else None} for r in ROWS[:2]]
        table.append({"id": "c", "text": None, "image": None, "audio": None})
        schema = pa.schema([("id", pa.string()), ("text", pa.string()), ("image", pa.binary()),
                            ("audio", pa.binary())])
        pq.write_table(pa.Table.from_pylist(table, schema=schema), tmp_path / "bytes.parquet")
        uris = [{"id": "c", "image": f"{server.url}/{ROWS[2]['image']}", "audio": f"{server.url}/{ROWS[2]['audio']}"}]
        write_jsonl(tmp_path / "uris.jsonl", uris)
        out = tmp_path / "ray"

        def not_here(uri):
            raise AssertionError(f"the driver read {uri}")

        monkeypatch.setattr(media, "read_uri", not_here)  # this process (the driver) never reads a URI
        s1 = explain_batch(tmp_path / "bytes.parquet", out, preset=str(tiny_preset_path), device="cpu", options=FAST,
                           engine="ray", workers=2, progress=False, report=False, limit=2)
        s2 = explain_batch(tmp_path / "uris.jsonl", tmp_path / "ray_uris", preset=str(tiny_preset_path),
                           device="cpu", options=FAST, engine="ray", workers=0, progress=False, report=False)
        assert set(server.requests) == {ROWS[2]["image"], ROWS[2]["audio"]}  # read by the actor (see above)
    assert (s1.explained, s1.failed, s2.explained, s2.failed) == (2, 0, 1, 0)
    got = read_results(out) + read_results(tmp_path / "ray_uris")
    # the same numbers as the local engine on the same files given as paths
    local_rows = [{k: (str(EXAMPLES / v) if k in ("image", "audio") and v else v) for k, v in r.items()} for r in ROWS]
    monkeypatch.undo()
    explain_batch(write_jsonl(tmp_path / "paths.jsonl", local_rows), tmp_path / "local", model=tiny_model,
                  options=FAST, progress=False, report=False)
    want = {r["id"]: r for r in read_results(tmp_path / "local")}
    for r in got:
        for col in COMPARED:
            assert r[col] == (pytest.approx(want[r["id"]][col], abs=1e-6) if isinstance(r[col], float)
                              else want[r["id"]][col]), (r["id"], col)


@pytest.mark.slow
@pytest.mark.spawns
def test_a_killed_actor_retries_its_row_and_a_row_that_always_kills_it_fails_alone(cluster, tiny_preset_path,
                                                                                  tmp_path, monkeypatch):
    _, planted = cluster
    monkeypatch.setenv("MSA_RAY_TASK_RETRIES", "1")  # Ray retries a call once on the restarted actor
    rows = [{"id": "before", "text": "A calm and pleasant morning."},
            {"id": "killed-once", "text": "KILL-ONCE but fine after that."},
            {"id": "always", "text": "EXIT-ALWAYS, whatever happens."},
            {"id": "after", "text": "Terrible service, never again."}]
    write_jsonl(tmp_path / "m.jsonl", rows)
    s = explain_batch(tmp_path / "m.jsonl", tmp_path / "out", preset=str(tiny_preset_path), device="cpu",
                      options=FAST, engine="ray", workers=1, progress=False, report=False)
    got = {r["id"]: r for r in read_results(tmp_path / "out")}
    assert (s.explained, s.failed) == (3, 1) and list(got) == ["before", "killed-once", "always", "after"]
    # Ray ran them again on the restarted worker, out of the driver's sight: the run names them (one line)
    assert s.again == ("killed-once", "always")
    assert got["killed-once"]["error"] is None and got["killed-once"]["predicted"]
    assert got["always"]["error"] == ("The worker explaining this row died every time it was tried (4 tries at "
                                      "most: killed, out of memory or crashed); the row was not explained.")
    assert len(list(planted.glob("killed-once.*"))) == 1  # killed once, by pid, then explained by a new process
    deaths = list(planted.glob("always.*"))
    assert 2 <= len(deaths) <= 4 and len({p.suffix for p in deaths}) == len(deaths)  # a new process each time
    assert got["before"]["error"] is None and got["after"]["error"] is None


@pytest.mark.slow
@pytest.mark.spawns
def test_a_driver_killed_mid_run_resumes_with_the_same_command(cluster, tiny_preset_path, tmp_path):
    c, _ = cluster
    n = 10
    rows = [{"id": f"r{i:02d}", "text": f"Review number {i}: the food was {'great' if i % 2 else 'awful'}.",
             "image": str(EXAMPLES / ("happy_face.png" if i % 2 else "frown_face.png"))} for i in range(n)]
    write_jsonl(tmp_path / "m.jsonl", rows)
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "msa_demo", "explain-batch", str(tmp_path / "m.jsonl"), "--out", str(out),
           "--preset", str(tiny_preset_path), "--device", "cpu", "--engine", "ray", "--workers", "2",
           "--no-progress", "--ig-max-steps", "8", "--image-methods", "occlusion", "--grid", "3"]
    env = {**os.environ, "RAY_ADDRESS": c.address, "PYTHONPATH": str(ROOT)}
    log = out / "rows.jsonl"
    first = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + 240
        while time.time() < deadline and first.poll() is None:
            if log.is_file() and len(log.read_text(encoding="utf-8").splitlines()) >= 2:
                break
            time.sleep(0.2)
        assert first.poll() is None, first.stdout.read().decode(errors="replace")[-2000:]
        os.kill(first.pid, signal.SIGKILL)  # the driver, by its pid, mid-run
        first.wait(30)
    finally:
        if first.poll() is None:
            os.kill(first.pid, signal.SIGKILL)
            first.wait(30)
    logged = [json.loads(line)["id"] for line in log.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert 2 <= len(logged) < n and len(set(logged)) == len(logged)
    again = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stdout[-2000:] + again.stderr[-2000:]
    assert f"{n - len(logged)} explained, 0 failed, {len(logged)} already done" in again.stdout
    ids = [json.loads(line)["id"] for line in log.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert sorted(ids) == [r["id"] for r in rows]  # every row exactly once in the log
    table = pq.read_table(out / "results.parquet").to_pylist()
    assert [r["id"] for r in table] == [r["id"] for r in rows] and all(r["error"] is None for r in table)
    assert all((out / r["explanation"]).is_file() for r in table)


@pytest.mark.slow
@pytest.mark.spawns
def test_a_model_the_workers_cannot_load_stops_the_run_with_its_message(cluster, tmp_path):
    from msa_demo.errors import InputError

    write_jsonl(tmp_path / "m.jsonl", [{"id": "a", "text": "fine"}])
    with pytest.raises(InputError) as err:
        explain_batch(tmp_path / "m.jsonl", tmp_path / "out", preset="no-such-preset", device="cpu", engine="ray",
                      progress=False, report=False)
    assert str(err.value).startswith("Unknown preset 'no-such-preset'.") and "\n" not in str(err.value)


@pytest.mark.slow
@pytest.mark.spawns
def test_a_local_run_starts_a_cluster_of_its_own_not_the_last_one_that_died():
    """explain-batch --engine ray without an address joined the last cluster started on the machine (Ray reads
    /tmp/ray/ray_current_cluster); one whose processes had been killed held the run for minutes, then "GCS ...
    TimedOut". A run without an address starts its own local cluster, whatever that file names."""
    import shutil
    import tempfile

    temp = Path(tempfile.mkdtemp(prefix="r", dir="/tmp"))  # short: Ray's socket paths live under it
    try:
        (temp / "ray").mkdir()
        (temp / "ray" / "ray_current_cluster").write_text("127.0.0.1:9")  # a cluster gone: nothing listens there
        code = ("from msa_demo.dataset.distributed import start_ray; ray = start_ray(); "
                "print('nodes', len(ray.nodes()), ray.get_runtime_context().gcs_address); ray.shutdown()")
        env = {**os.environ, "RAY_TMPDIR": str(temp), "PYTHONPATH": str(ROOT)}  # (Ray: its folder "ray" in it)
        env.pop("RAY_ADDRESS", None)
        done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=240,
                              cwd=ROOT)
        assert done.returncode == 0, done.stderr[-2000:]
        assert "nodes 1 127.0.0.1:" in done.stdout and "127.0.0.1:9\n" not in done.stdout, done.stdout
    finally:
        shutil.rmtree(temp, ignore_errors=True)
