"""Many people at once: the app served on loopback, N gradio_client users, each making 3 predictions and 1
explanation of a text of its own (so no cached explanation is reused), all starting together.

    python benchmarks/load.py --preset lite --users 16 [--users 32] [--out benchmarks/results-load.json]
    python benchmarks/load.py --preset lite --big [--idle 60]

``--big``: instead, the inputs a public page gets at worst, at once (:func:`run_big`): a 4000x3000 JPEG, a
5-minute WAV, a 3-minute video, a 5,000-word text, 3 users pressing Explain 4 times a second apart and 2 who leave
4 s after asking (their jobs cancelled); then one short text alone and ``--idle`` seconds with nobody. It prints
the app's resident memory before, its peak (sampled every 0.5 s) and after the idle time.

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
import functools
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
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


def big_inputs(folder: Path) -> dict[str, str]:
    """The big inputs of ``--big``, made once in ``folder``: a 4000x3000 JPEG of noise with the curated face in it
    (22.8 MB), the curated positive clip looped to 5 minutes, a 3-minute 320x240 video (the face, its sound the
    clip), a 5,000-word text."""
    import av
    import numpy as np
    import soundfile as sf
    from PIL import Image

    folder.mkdir(parents=True, exist_ok=True)
    out = {k: str(folder / n) for k, n in (("image", "big.jpg"), ("audio", "long.wav"), ("video", "long.mp4"),
                                            ("text", "long.txt"))}
    face = Image.open(ROOT / "examples" / "happy_face.png").convert("RGB")
    if not Path(out["image"]).exists():
        big = Image.fromarray(np.random.default_rng(0).integers(0, 255, (3000, 4000, 3), dtype=np.uint8))
        big.paste(face.resize((800, 800)), (1600, 1100))
        big.save(out["image"], quality=100)
    clip, rate = sf.read(ROOT / "examples" / "positive_speech.wav", dtype="float32", always_2d=True)
    clip = clip.mean(axis=1)
    if not Path(out["audio"]).exists():
        sf.write(out["audio"], np.tile(clip, 300 * rate // len(clip) + 1)[:300 * rate], rate)
    if not Path(out["video"]).exists():
        with av.open(out["video"], "w") as box:
            pictures = box.add_stream("mpeg4", rate=10)
            pictures.width, pictures.height, pictures.pix_fmt = 320, 240, "yuv420p"
            sound = box.add_stream("aac", rate=16000, layout="mono")
            shown = np.asarray(face.resize((160, 160)))
            for i in range(1800):
                frame = np.full((240, 320, 3), (i * 3) % 255, np.uint8)
                frame[40:200, 80:240] = shown
                box.mux(pictures.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")))
            box.mux(pictures.encode())
            voice = np.interp(np.arange(0, len(clip), rate / 16000), np.arange(len(clip)), clip).astype(np.float32)
            voice = np.tile(voice, 180 * 16000 // len(voice) + 1)[:180 * 16000]
            for k in range(0, len(voice), 1024):
                part = av.AudioFrame.from_ndarray(voice[None, k:k + 1024], format="fltp", layout="mono")
                part.sample_rate, part.pts = 16000, k
                box.mux(sound.encode(part))
            box.mux(sound.encode())
    if not Path(out["text"]).exists():
        words = ("I really loved this product at first and told all my friends about it but then it broke after a "
                 "week and the support was terrible").split()
        Path(out["text"]).write_text(" ".join(words[i % len(words)] for i in range(5000)))
    return out


def run_big(url: str, pid: int, inputs: dict[str, str], idle: float) -> dict:
    """The ``--big`` run: every big input explained at once beside 3 users pressing Explain again and 2 who
    leave, then a short text alone, then ``idle`` seconds with nobody; resident memory before, at its peak and
    after."""
    from gradio_client import Client, handle_file

    out: dict = {"explain": [], "errors": [], "cancelled": 0}
    image, audio = str(ROOT / "examples" / "frown_face.png"), str(ROOT / "examples" / "angry_speech.wav")

    def explain(text="", **files) -> None:
        t0 = time.perf_counter()
        try:
            given = {"image": None, "audio": None, **{k: handle_file(v) for k, v in files.items()}}
            Client(url, verbose=False).predict(text=text, **given, api_name="/explain")
            out["explain"].append(time.perf_counter() - t0)
        except Exception as exc:  # noqa: BLE001 - counted, not raised
            out["errors"].append(f"explain: {type(exc).__name__}: {str(exc)[:200]}")

    def presses(i: int) -> None:
        client = Client(url, verbose=False)
        jobs = []
        for k in range(4):
            jobs.append(client.submit(text=f"Pressing again {k} ({i}): the lunch was cold and the talks were good.",
                                      image=None, audio=None, api_name="/explain"))
            time.sleep(1)
        for job in jobs:
            try:
                job.result()
            except Exception as exc:  # noqa: BLE001 - a replaced one says so: not an error of the run
                if "replaced" not in str(exc).lower():
                    out["errors"].append(f"explain: {type(exc).__name__}: {str(exc)[:200]}")

    def leaves(i: int) -> None:
        job = Client(url, verbose=False).submit(text=f"I will leave before this finishes ({i}).",
                                                image=handle_file(image), audio=handle_file(audio),
                                                api_name="/explain")
        time.sleep(4)
        job.cancel()
        out["cancelled"] += 1

    peak, sampling = [rss_mb(pid)], [True]

    def sample() -> None:
        while sampling[0]:
            peak.append(rss_mb(pid))
            time.sleep(0.5)

    before = rss_mb(pid)
    threading.Thread(target=sample, daemon=True).start()
    jobs = [lambda: explain("A photo from the workshop.", image=inputs["image"]),
            lambda: explain(audio=inputs["audio"]), lambda: explain(video=inputs["video"]),
            lambda: explain(Path(inputs["text"]).read_text())]
    jobs += [functools.partial(presses, i) for i in range(3)] + [functools.partial(leaves, i) for i in range(2)]
    threads = [threading.Thread(target=job) for job in jobs]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
        time.sleep(0.5)
    for t in threads:
        t.join()
    explain("Thank you all for coming, it was lovely.")  # one more, alone, once the others have left
    wall = time.perf_counter() - t0
    time.sleep(idle)
    sampling[0] = False
    return {"rss_before_mb": round(before), "rss_peak_mb": round(max(peak)), "rss_idle_mb": round(rss_mb(pid)),
            "idle_s": idle, "errors": len(out["errors"]), "error_samples": out["errors"][:3],
            "explain_calls": len(out["explain"]), "wall_s": round(wall, 1),
            "load_average": os.getloadavg()[0]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--preset", default="lite")
    ap.add_argument("--users", type=int, action="append", help="users at once (repeat for several runs; "
                                                                 "default 16)")
    ap.add_argument("--predicts", type=int, default=3)
    ap.add_argument("--out", type=Path, default=None, help="write the figures here as JSON")
    ap.add_argument("--port", type=int, default=0, help="serve on this port (default: a free one)")
    ap.add_argument("--big", action="store_true", help="the big inputs at once instead of --users (run_big)")
    ap.add_argument("--idle", type=float, default=60.0, help="--big: seconds with nobody before the last reading")
    args = ap.parse_args()
    port = args.port or free_port()
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
        if args.big:
            run = run_big(url, proc.pid, big_inputs(Path(tempfile.gettempdir()) / "msa_load_big"), args.idle)
            result["runs"].append(run)
            print(json.dumps(run), flush=True)
        for n in [] if args.big else args.users or [16]:
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
