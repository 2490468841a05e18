"""``explain-batch --engine ray``: Ray actors explain the rows, one model per actor, on a laptop or a cluster.

Works on a laptop (a local Ray started here on 127.0.0.1) and on an existing cluster (``RAY_ADDRESS``; every node
needs msa_demo and its requirements installed). No node needs the driver's files: a row's local files are read
here into bytes as the row is sent (:meth:`ManifestRow.shipped`), and its URIs (``s3://``, ``gs://``, ``hf://``,
``http(s)://``) are read by the actor through fsspec. Ray is an optional extra: ``pip install -r
requirements-cluster.txt``.

The manifest is read here (ids, hashes and the rows already done, as for the local engine); rows go to the actors
one per call, at most ``IN_FLIGHT`` per actor, read from the manifest as they are sent (the driver never holds
every row's bytes), and this process logs each row as it comes back, so resuming works the same way.

Faults: an actor that dies (killed, out of memory, a crash in native code) is restarted by Ray and its calls
retried (``max_restarts``, ``max_task_retries``). A row whose call still fails is sent once more on its own (it may
only have shared the actor with the row that killed it); a row that kills its actor every time ends as an error
row, and the run goes on. A driver that dies loses only the rows in flight: the same command resumes.
"""

from __future__ import annotations

import collections
import contextlib
import logging
import os
from pathlib import Path
from typing import Any, Iterator, Sequence

from msa_demo.dataset.rows import ManifestRow
from msa_demo.errors import InputError

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]  # the folder that holds the msa_demo package
IN_FLIGHT = 2  # calls queued per actor: the next row is there when one finishes
TASK_RETRIES = 2  # a call whose actor died is retried this many times on the restarted actor (Ray's max_task_retries)
THREADS = 4  # torch threads per actor when the actor count is chosen from the cluster (--workers 0)


def died(row: ManifestRow, tries: int) -> dict[str, Any]:
    """The results row of a row whose actor died on every try."""
    from msa_demo.dataset.rows import empty_record

    rec = empty_record(row)
    rec["error"] = (f"The worker explaining this row died every time it was tried ({tries} tries at most: killed, "
                    "out of memory or crashed); the row was not explained.")
    return rec


def load_error(exc: BaseException) -> Exception:
    """The error an actor's model load raised, as ours (its one-line message), from Ray's wrapped traceback."""
    from msa_demo.errors import ModelLoadError

    last = next((line.strip() for line in reversed(str(exc).splitlines()) if line.strip()), "")
    for cls in (InputError, ModelLoadError):
        prefix = f"{cls.__module__}.{cls.__name__}: "
        if last.startswith(prefix):
            return cls(last[len(prefix):])
    return ModelLoadError(f"A Ray worker could not load the model ({last[:300] or type(exc).__name__}).")


class Ledger:
    """A Ray actor that counts the times each row was started: Ray runs an actor's calls again on the restarted
    actor when it dies (``max_task_retries``), out of the driver's sight, so only the rows can tell that a row was
    run twice (the run then says "a worker stopped; N row(s) were run again")."""

    def __init__(self) -> None:
        self.started: collections.Counter = collections.Counter()

    def start(self, row_id: str) -> None:
        self.started[row_id] += 1

    def again(self) -> list[str]:
        """The rows started more than once, in the order they were first started."""
        return [rid for rid, n in self.started.items() if n > 1]


class Explainer:
    """A Ray actor: loads the model once, then explains rows and returns their results rows; each row's start is
    told to ``ledger`` (a :class:`Ledger`) first, when there is one."""

    def __init__(self, preset: str, device: str, options: dict, target, use, top_k: int, threads: int,
                 face_anyway: bool = False, ledger=None) -> None:
        import torch

        from msa_demo.explain.options import ExplainOptions
        from msa_demo.model import MultimodalSentimentModel

        torch.set_num_threads(max(1, threads))
        self.model = MultimodalSentimentModel.from_preset(preset, device=device)
        self.args = (ExplainOptions(**options), target, use, top_k, face_anyway)
        self.ledger = ledger

    def explain(self, rows: list[ManifestRow]) -> list[tuple[dict[str, Any], str | None]]:
        import ray

        from msa_demo.dataset import rows as rows_module

        out = []
        for row in rows:
            if self.ledger is not None:  # told before the row runs (and waited for: a death mid-row must not lose it)
                try:
                    ray.get(self.ledger.start.remote(row.id))
                except Exception:  # noqa: BLE001 - a count for one line of the run: never a row's failure
                    log.warning("the row ledger could not be told of row %s", row.id, exc_info=True)
            rec, data = rows_module.explain_row(self.model, row, *self.args)
            out.append((rec, rows_module.explanation_text(data) if data is not None else None))
        return out

    def loaded(self) -> dict[str, Any]:
        """The model's preset, fusion and loading notices (``rows.model_record``)."""
        from msa_demo.dataset.rows import model_record

        return model_record(self.model)

    def where(self) -> dict[str, Any]:
        """The node and process this actor runs in (tests and diagnostics)."""
        import ray

        return {"node_id": ray.get_runtime_context().get_node_id(), "pid": os.getpid(),
                "node_ip": ray.util.get_node_ip_address()}


def _host(address: str) -> str:
    address = address.split("://", 1)[-1]
    host = address.rsplit(":", 1)[0] if address.count(":") == 1 or address.startswith("[") else address
    return host.strip("[]")


@contextlib.contextmanager
def loopback_kept(address: str | None):
    """While a driver joins ``127.0.0.1:PORT`` (or starts a local Ray): keep 127.0.0.1. Ray resolves a loopback
    bootstrap address (and ``_node_ip_address="127.0.0.1"``) to the machine's interface address on Linux
    (``services.resolve_ip_for_localhost``); the driver would then knock on the interface for a cluster that
    listens on loopback. Ray keeps loopback where it thinks clusters are off (its Windows/macOS switch), which is
    set for the ``ray.init`` call only."""
    import ray._private.ray_constants as constants

    if address is not None and _host(address) not in ("127.0.0.1", "localhost", "::1"):
        yield
        return
    before = constants.ENABLE_RAY_CLUSTER
    constants.ENABLE_RAY_CLUSTER = False
    try:
        yield
    finally:
        constants.ENABLE_RAY_CLUSTER = before


def start_ray(address: str | None = None, runtime_env: dict | None = None):
    """``ray`` after ``ray.init``: the cluster at ``address`` or ``RAY_ADDRESS`` if set, else a new local one on
    127.0.0.1 (never the last cluster started here, which may be gone); msa_demo's folder on the workers' path
    (harmless where it is installed)."""
    try:
        import ray
    except ModuleNotFoundError:
        raise InputError("--engine ray needs Ray: pip install -r requirements-cluster.txt") from None
    if not ray.is_initialized():
        quiet = {"log_to_driver": False, "logging_level": logging.WARNING}
        path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
        env = dict(runtime_env or {})
        env["env_vars"] = {"PYTHONPATH": path, **(env.get("env_vars") or {})}
        address = address or os.environ.get("RAY_ADDRESS") or None
        with loopback_kept(address):
            if address:
                ray.init(address=address, runtime_env=env, **quiet)
            else:
                # "local": a new cluster of its own; without it Ray joins the last cluster started on this machine
                # (/tmp/ray/ray_current_cluster), and one that had died uncleanly held the run for minutes, then
                # "GCS ... TimedOut"
                ray.init(address="local", include_dashboard=False, runtime_env=env, _node_ip_address="127.0.0.1",
                         **quiet)
    return ray


def plan(ray, workers: int, gpus_per_worker: float) -> tuple[int, int]:
    """(actors, torch threads per actor) from the cluster's alive nodes. ``workers`` >= 1: that many actors, each
    with the CPUs of the whole cluster shared out (at most one node's worth). 0: chosen here: one actor per
    ``gpus_per_worker`` GPUs when given, else one per ``THREADS`` CPUs of each node (at least one per node)."""
    nodes = [n.get("Resources", {}) for n in ray.nodes() if n.get("Alive")]
    cpus = [int(r.get("CPU", 0)) for r in nodes if r.get("CPU", 0) >= 1] or [1]
    if workers >= 1:
        return workers, max(1, min(max(cpus), sum(cpus) // workers))
    if gpus_per_worker:
        gpus = sum(float(r.get("GPU", 0)) for r in nodes)
        actors = max(1, int(gpus // gpus_per_worker))
        return actors, max(1, min(cpus) // max(1, actors // len(cpus)))
    threads = max(1, min(THREADS, min(cpus)))
    return sum(max(1, c // threads) for c in cpus), threads


def ray_results(todo: Sequence[ManifestRow], preset: str, device: str, options, target, use, top_k: int,
                workers: int = 1, gpus_per_worker: float = 0.0, task_retries: int | None = None,
                face_anyway: bool = False, loaded: dict[str, Any] | None = None, again: list[str] | None = None
                ) -> Iterator[tuple[dict[str, Any], str | None]]:
    """(results row, explanation JSON text or None) per row, as the actors finish them. task_retries: Ray's
    max_task_retries (default ``$MSA_RAY_TASK_RETRIES`` or ``TASK_RETRIES``). loaded: filled with the first actor's
    model record (``rows.model_record``) once the actors are up. again: filled, once every row is back, with the
    ids of the rows started more than once (a worker died while they ran: :class:`Ledger`)."""
    if task_retries is None:
        task_retries = int(os.environ.get("MSA_RAY_TASK_RETRIES") or TASK_RETRIES)
    if workers < 0:
        raise InputError("--workers must be at least 0 (0: one per node's CPUs or GPUs).")
    ray = start_ray()
    from ray.exceptions import ActorDiedError, ActorUnavailableError, RayActorError

    actors_n, threads = plan(ray, workers, gpus_per_worker)
    actor_class = ray.remote(Explainer).options(
        num_cpus=threads if workers == 0 and not gpus_per_worker else 1, num_gpus=gpus_per_worker or None,
        max_restarts=-1, max_task_retries=task_retries)  # restarts bounded by the calls' retries
    ledger = ray.remote(Ledger).options(num_cpus=0).remote()  # no CPU of its own: it only counts
    args = (preset, "cuda" if gpus_per_worker else device, options.to_dict(), target, list(use) if use else None,
            top_k, threads, face_anyway, ledger)
    actors = [actor_class.remote(*args) for _ in range(actors_n)]
    try:  # a model that cannot load stops the run with its message (not one "worker died" row per row)
        ray.get([a.where.remote() for a in actors])
        if loaded is not None:
            loaded.update(ray.get(actors[0].loaded.remote()))
    except RayActorError as exc:
        for actor in [*actors, ledger]:
            ray.kill(actor)
        raise load_error(exc) from None
    queue = collections.deque((row, False) for row in todo)  # (row, sent alone after its actor died)
    pending: dict[Any, tuple[Any, ManifestRow, bool]] = {}
    load = {a: 0 for a in actors}
    solo = {a: False for a in actors}  # the actor runs a row alone: nothing else is queued on it meanwhile
    try:
        while queue or pending:
            for actor in actors:  # keep every actor busy
                while queue and load[actor] < IN_FLIGHT and not solo[actor]:
                    row, alone = queue[0]
                    if alone and load[actor]:
                        break
                    queue.popleft()
                    ref = actor.explain.remote([row.shipped()])
                    pending[ref] = (actor, row, alone)
                    load[actor] += 1
                    solo[actor] = alone
            ready, _ = ray.wait(list(pending), num_returns=1)
            for ref in ready:
                actor, row, alone = pending.pop(ref)
                load[actor] -= 1
                solo[actor] = solo[actor] and not alone
                try:
                    yield from ray.get(ref)
                except (ActorDiedError, ActorUnavailableError, RayActorError):
                    if alone:
                        yield died(row, 2 * (task_retries + 1)), None
                    else:  # maybe it only shared the actor with the row that killed it: once more, on its own
                        queue.appendleft((row, True))
        if again is not None:
            try:
                again.extend(ray.get(ledger.again.remote(), timeout=30))
            except Exception:  # noqa: BLE001 - the count is one line of the run's summary, never its failure
                log.warning("the row ledger could not be read", exc_info=True)
    finally:
        for actor in [*actors, ledger]:
            ray.kill(actor)


__all__ = ["Explainer", "Ledger", "loopback_kept", "plan", "ray_results", "start_ray"]
