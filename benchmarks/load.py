"""Many people at once: the app served on loopback, N gradio_client users, each making 3 predictions and 1
explanation of a text of its own (so no cached explanation is reused), all starting together.

    python benchmarks/load.py --preset lite --users 16 [--users 32] [--out benchmarks/results-load.json]

It starts ``app.py`` in a child process on 127.0.0.1 (a free port), waits for it to be up (the worked example
explained), then runs the users and stops the child it started. Prints, per user count: errors, predict p50 / p95,
explain p50 / p95 (from the call to its last output), the whole run's seconds, the app's resident memory
(``/proc/PID/status`` VmRSS) after start-up and after each load, and the CPU seconds the app spent on each load
(``app_cpu_s``: user + system; compare versions by it on a shared machine) and the users' own (``client_cpu_s``:
this process, on the same cores). The calls go through the same queue as a
browser's (``/predict``, ``/explain``): predictions in their own lane, explanations one at a time, a waiting
explanation's time budget shared with the queue (``Dashboard.shared_budget``).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEXTS = ["The service was slow but the staff apologised and the food was good in the end.",
         "I waited an hour and nobody called me back; never again.",
         "It is a phone. It makes calls. The battery lasts a day.",
         "What a lovely surprise, thank you all so much for coming!"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_seconds(pid: int) -> float:
    """CPU time the process has used (user + system, ``/proc/PID/stat``): what the load cost the app, less
    sensitive than its latencies to other work on a shared machine."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_up(url: str, proc: subprocess.Popen, timeout: float = 600) -> None:
    t0 = time.time()
    while time.time() - t0 < timeout:
        if proc.poll() is not None:
            raise SystemExit(f"the app stopped (exit {proc.returncode}) before it served")
        try:
            urllib.request.urlopen(url, timeout=5).read(100)
            return
        except OSError:
            time.sleep(1)
    raise SystemExit(f"the app did not serve within {timeout:.0f} s")


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, max(0, round(q * (len(values) - 1))))]


def user(url: str, i: int, image: str, audio: str, out: dict, predicts: int) -> None:
    from gradio_client import Client, handle_file

    text = f"{TEXTS[i % len(TEXTS)]} (visitor {i}, {time.time_ns()})"
    try:
        client = Client(url, verbose=False)
    except Exception as exc:  # noqa: BLE001 - counted, not raised: the run goes on
        out["errors"].append(f"user {i} could not connect: {type(exc).__name__}: {exc}")
        return
    args = dict(text=text, image=handle_file(image), audio=handle_file(audio))
    for kind in ["predict"] * predicts + ["explain"]:  # one call at a time, as a person clicks
        t0 = time.perf_counter()
        try:
            client.predict(**args, api_name=f"/{kind}")
            out[kind].append(time.perf_counter() - t0)
        except Exception as exc:  # noqa: BLE001
            out["errors"].append(f"{kind}: {type(exc).__name__}: {str(exc)[:200]}")


def run_load(url: str, users: int, predicts: int) -> dict:
    image = str(ROOT / "examples" / "happy_face.png")
    audio = str(ROOT / "examples" / "positive_speech.wav")
    out: dict = {"predict": [], "explain": [], "errors": []}
    threads = [threading.Thread(target=user, args=(url, i, image, audio, out, predicts)) for i in range(users)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    return {"users": users, "errors": len(out["errors"]), "error_samples": out["errors"][:3],
            "predict_calls": len(out["predict"]), "explain_calls": len(out["explain"]),
            "predict_p50_s": round(pct(out["predict"], 0.5), 2), "predict_p95_s": round(pct(out["predict"], 0.95), 2),
            "explain_p50_s": round(pct(out["explain"], 0.5), 2), "explain_p95_s": round(pct(out["explain"], 0.95), 2),
            "explain_max_s": round(max(out["explain"], default=float("nan")), 2),
            "explain_mean_s": round(statistics.fmean(out["explain"]), 2) if out["explain"] else None,
            "wall_s": round(wall, 1)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--preset", default="lite")
    ap.add_argument("--users", type=int, action="append", help="users at once (repeat for several runs; "
                                                                 "default 16)")
    ap.add_argument("--predicts", type=int, default=3)
    ap.add_argument("--out", type=Path, default=None, help="write the figures here as JSON")
    args = ap.parse_args()
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    env = dict(os.environ, GRADIO_ANALYTICS_ENABLED="False")
    proc = subprocess.Popen([sys.executable, str(ROOT / "app.py"), "--preset", args.preset, "--also", "",
                             "--host", "127.0.0.1", "--port", str(port)], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        wait_up(url, proc)
        warm = {"predict": [], "explain": [], "errors": []}  # one visitor first: the app as it runs once warm
        user(url, -1, str(ROOT / "examples" / "happy_face.png"), str(ROOT / "examples" / "positive_speech.wav"),
             warm, 1)
        if warm["errors"]:
            raise SystemExit(f"the warm-up visitor failed: {warm['errors'][0]}")
        result = {"preset": args.preset, "rss_after_start_mb": round(rss_mb(proc.pid)), "runs": []}
        print(f"app pid {proc.pid} on {url}: resident {result['rss_after_start_mb']} MB after start-up and one visitor", flush=True)
        for n in args.users or [16]:
            cpu0, mine0 = cpu_seconds(proc.pid), sum(os.times()[:2])
            run = run_load(url, n, args.predicts)
            run["client_cpu_s"] = round(sum(os.times()[:2]) - mine0, 1)  # the users' own (this process)
            run["rss_after_mb"] = round(rss_mb(proc.pid))
            run["app_cpu_s"] = round(cpu_seconds(proc.pid) - cpu0, 1)
            result["runs"].append(run)
            print(json.dumps(run), flush=True)
        if args.out:
            args.out.write_text(json.dumps(result, indent=1) + "\n")
    finally:
        proc.send_signal(signal.SIGINT)  # the child this run started, by its id
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()


if __name__ == "__main__":
    main()
