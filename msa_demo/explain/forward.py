"""The fused forward that explainers call: the fused sentiment as a function of ONE modality's model input,
the other modalities' encoders run once and reused, batched in chunks that halve on a GPU out-of-memory error."""

from __future__ import annotations

import ctypes
import hashlib
import threading
import time
import weakref
from collections import OrderedDict
from typing import Any, Callable, Iterable

import torch

from msa_demo.config import SENTIMENTS
from msa_demo.errors import InputError, MsaError
from msa_demo.explain.faithfulness import RESOLUTION, adaptive_ig
from msa_demo.explain.options import check_target
from msa_demo.explain.result import Cost
from msa_demo.fusion import WeightedLateFusion
from msa_demo.labels import to_sentiment


# The step count adaptive IG last stopped at, per modality model (a randomised copy is another model), per point
# explained (a layer, or the input) and per input size (to the next power of two: a long review needs more steps
# than a sentence, and must not raise the sentences' start): the next explanation of that model and size starts
# there, not at ``ig_min_steps`` (e5 text on a sentence needs 32 steps: its 8- and 16-step runs are skipped).
# Never below ``ig_min_steps`` nor above ``ig_max_steps``; the steps tried are in each map's params.
_last_steps: "weakref.WeakKeyDictionary[Any, dict]" = weakref.WeakKeyDictionary()


# Panels made at once (``explain.finished``) split the CPU's threads between them: while two run, each model call
# of a panel's thread runs on half of torch's threads (one each on two cores), so that neither waits at the
# other's barriers (OpenMP's threads of both would otherwise take turns on the same cores); alone, on all of them.
# Only panel threads are touched (torch's thread count is per thread under OpenMP).
SHARE_CORES = True
CORES = torch.get_num_threads()
_running = [0]
_running_lock = threading.Lock()


def panel_started(delta: int) -> None:
    """``explain.finished``: a panel thread starts (+1) or ends (-1)."""
    with _running_lock:
        _running[0] = max(0, _running[0] + delta)


def _panel_threads() -> None:
    if not SHARE_CORES or not threading.current_thread().name.startswith("msa-panel"):
        return
    want = max(1, CORES // max(1, _running[0]))
    if torch.get_num_threads() != want:
        torch.set_num_threads(want)


_rows = threading.local()  # who hears of the rows this thread's panel evaluates (``explain_iter``'s ``on_rows``)
_stops = threading.local()  # when this thread's panel stops (``explain_iter``'s ``Stop``)


class Stopped(MsaError):
    """An explanation stopped before its end: its page closed the stream (a cancel) or was closed, or who asked
    has asked for a newer one (:class:`Replaced`)."""


class Replaced(Stopped):
    """Stopped because who asked has asked for a newer explanation (the same page, the same API session): of no
    use any more, nothing of it is kept."""


class CutShort(Stopped):
    """Stopped with what was finished kept (``explain_iter`` ends with it, said in one line): past the server's
    limit or its share of it, or stopped by who asked (the page's Stop). ``template``: the line, its ``{left}`` (what
    was left out) filled in by the explanation; ``fields``: its other fields."""

    def __init__(self, template: str, **fields) -> None:
        self.template, self.fields = template, fields
        super().__init__(template.format(left="…", **fields))

    def said(self, left: str) -> str:
        return self.template.format(left=left, **self.fields)


class Stop:
    """When an explanation's work stops: ``set()`` (its stream closed) or ``limit`` seconds from now (None: no
    limit). Every model call of a panel made under it asks first (:func:`check_stop`), so a cancelled or runaway
    explanation frees the cores within one model call, not when its panels end (a cancelled request's 1024 IG
    steps ran on for minutes, beside the next visitor's). ``crowd``: how many explanations wait behind this one
    (the app's queue); while some do, the limit is their share, ``limit / (waiting + 1)`` but at least
    ``CROWDED_LEAST`` seconds (two visitors' capped requests had kept a third's short text waiting 113 s).
    ``gone``: has the page that asked gone (``ui.widgets.page_gone``)? Then it stops too, at the next model call.
    ``asked``: what who asked wants now: "stopped" (the page's Stop: cut short, what was finished kept),
    "replaced" (a newer explanation asked for: :class:`Replaced`) or None (go on); asked at most twice a second.
    Past the limit (or its share) or stopped, it is cut short (:class:`CutShort`): every later check says the same,
    so each panel still running stops and the explanation ends with what was finished (a crowd's capped video
    had given its user nothing after a long wait)."""

    def __init__(self, limit: float | None = None, crowd: Callable[[], int] | None = None,
                 gone: Callable[[], bool] | None = None, asked: Callable[[], str | None] | None = None) -> None:
        self.limit = limit if limit and limit > 0 else None
        self.started = time.perf_counter()
        self.at = self.started + self.limit if self.limit else None
        self.event = threading.Event()
        self.crowd = crowd if self.limit else None
        self._asked = (0.0, 0)  # when the crowd was last counted, and how many it was
        self.gone = gone  # has the page that asked gone (its tab closed)? asked at most twice a second
        self.asked = asked
        self._looked = 0.0
        self.cut: CutShort | None = None  # once cut short: why (every later check raises it)

    def set(self) -> None:
        self.event.set()

    def seconds_left(self) -> float | None:
        return None if self.at is None else self.at - time.perf_counter()

    def deadline(self) -> float | None:
        """When it will be cut short as things stand (``time.perf_counter()``; its share while others wait), or
        None: a what-if search stops there, as at a budget's end."""
        if self.at is None:
            return None
        waiting = self.waiting()
        if waiting:
            return min(self.at, self.started + max(CROWDED_LEAST, self.limit / (waiting + 1)))
        return self.at

    def waiting(self) -> int:
        """How many wait behind this one (counted at most twice a second)."""
        now = time.perf_counter()
        if self.crowd is None:
            return 0
        if now - self._asked[0] >= 0.5:
            try:
                self._asked = (now, max(0, int(self.crowd())))
            except Exception:  # noqa: BLE001 - the queue is a courtesy, never a failure
                self._asked = (now, 0)
        return self._asked[1]

    def _cut(self, template: str, **fields) -> None:
        self.cut = CutShort(template, **fields)
        raise self.cut

    def check(self) -> None:
        if self.cut is not None:
            raise self.cut
        if self.event.is_set():
            raise Stopped("The explanation was stopped.")
        if (self.gone is not None or self.asked is not None) and time.perf_counter() - self._looked >= 0.5:
            self._looked = time.perf_counter()
            try:
                left = bool(self.gone()) if self.gone is not None else False
                wants = self.asked() if self.asked is not None else None
            except Exception:  # noqa: BLE001 - a courtesy, never a failure
                left, wants = False, None
            if left:
                self.set()
                raise Stopped(PAGE_GONE)
            if wants == "replaced":
                self.set()
                raise Replaced(REPLACED)
            if wants == "stopped":
                self._cut(STOPPED_ON_PAGE)
        if self.at is None:
            return
        now = time.perf_counter()
        waiting = self.waiting()  # first: past both the share and the limit (one slow model call on a busy
        # machine), the share is why it stopped
        if waiting:
            share = max(CROWDED_LEAST, self.limit / (waiting + 1))
            if now - self.started > share:
                self._cut(SHARED_LIMIT, limit=f"{self.limit:g}", n=waiting, share=f"{share:g}")
        if now > self.at:
            self._cut(LIMIT, limit=f"{self.limit:g}")


CROWDED_LEAST = 30.0
PAGE_GONE = "The explanation was stopped: the page that asked for it was closed."
REPLACED = "This explanation was stopped: a newer one was asked for from the same page or session."
LIMIT = ("Cut short at this server's limit of {limit} s (MSA_MAX_SECONDS); left out: {left}. What was finished is "
         "shown. Ask for less (a time budget, fewer IG steps or what-if forwards) or run it on your own machine.")
SHARED_LIMIT = ("Cut short at {share} s, its share of this server's {limit} s limit (MSA_MAX_SECONDS) while {n} "
                "more waited; left out: {left}. What was finished is shown. Ask for less (a time budget, fewer IG "
                "steps or what-if forwards), try again later, or run it on your own machine.")
STOPPED_ON_PAGE = "Stopped on the page; left out: {left}. What was finished is shown."


def stop_with(stop: Stop | None) -> None:
    """This thread's model calls stop with ``stop`` (None: never)."""
    _stops.stop = stop


def check_stop() -> None:
    """Raise :class:`Stopped` when this thread's explanation is to stop (:func:`stop_with`)."""
    stop = getattr(_stops, "stop", None)
    if stop is not None:
        stop.check()


def report_rows(tell: Callable[[int], Any] | None) -> None:
    """``tell(rows)`` after every model call of this thread's fused functions (None: no one)."""
    _rows.tell = tell


def target_index(target: str) -> int:
    """The index of a sentiment class name (``check_target``'s one clear message for anything else)."""
    name = check_target(target)
    if name is None:
        raise InputError(f"The target class must be one of {', '.join(SENTIMENTS)}.")
    return SENTIMENTS.index(name)


class FusedForward:
    """The fused sentiment [B, 3] as a function of ONE modality's model input (``attr_key``).

    The other used modalities' encoders ran once (``model.encode`` caches them); their probabilities and
    features are reused for every row. Only the explained modality's model is re-run. Every row evaluated
    is counted in ``forward_passes`` (one model evaluation per input row, whatever the batching).
    """

    ig_rows: int | None = 0  # IG rows per call: 0 = ``batch_size``; None = all steps at once (Captum's default)

    def __init__(self, model, inputs, modality: str, used: Iterable[str], module=None, batch_size: int = 0) -> None:
        self.model = model
        self.modality = modality
        self.mod = module if module is not None else model.modalities[modality]
        self.prepared, self.encoded = model.encode(modality, getattr(inputs, modality))
        # auto: as many sequences a call as a short input's rows; a long text's row is read as its windows (a
        # 600-token review's 7: 16 rows of it with gradients held 5.5 GB, 2 rows a call 3.7 GB, and took 44 s, not 72)
        self.batch_size = batch_size if batch_size > 0 else max(
            1, auto_batch_size(model.device) // int(self.prepared.info.get("windows", 1) or 1))
        self.others = {m: model.encode(m, getattr(inputs, m))[1] for m in used if m != modality}
        self.needs_features = not isinstance(model.fusion, WeightedLateFusion)
        self.forward_passes = 0
        self.calls = 0
        self.seconds = 0.0
        self.reused = 0  # rows answered from ``seen`` (not evaluated again, not counted in ``forward_passes``)
        # on a CPU: the fused output of every row evaluated without gradients, by the row's content (see __call__)
        self.seen: dict | None = {} if model.device.type == "cpu" else None
        self.attr_key = self.mod.attr_key
        self.x = self.prepared.inputs[self.attr_key]
        # what every row shares goes to the device once (no host-to-device copy per call)
        dev = self.x.device if isinstance(self.x, torch.Tensor) else model.device
        self.matrix = self.mod.matrix.to(dev)
        self.other_probs = {m: e.probs.to(dev).unsqueeze(0) for m, e in self.others.items()}
        self.other_features = {m: e.features.to(dev).unsqueeze(0) for m, e in self.others.items()}

    def with_module(self, module) -> "FusedForward":
        """The same fused function with another copy of the modality's model (sanity check)."""
        other = object.__new__(FusedForward)
        other.__dict__.update(self.__dict__)
        other.__dict__.pop("parent", None)
        other.mod = module
        other.forward_passes, other.calls, other.seconds, other.reused = 0, 0, 0.0, 0
        other.seen = {} if self.seen is not None else None  # another function: nothing it has seen holds
        return other

    def private(self) -> "FusedForward":
        """The same fused function on a copy of the modality that shares its weights (:func:`sharing_copy`),
        counted with ``self``: a hook that Layer IG puts on the copy's embeddings never reaches another thread's
        forward of the model (a prediction, another panel), which would otherwise read this call's IG batch. The
        step memory (``_last_steps``) stays the original model's."""
        other = object.__new__(FusedForward)
        other.__dict__.update(self.__dict__)
        other.mod = sharing_copy(self.mod)
        other.seen = None  # a hooked copy's output is not the function of its input alone
        other.original = getattr(self, "original", self.mod)
        other.parent = getattr(self, "parent", self)
        return other

    def at(self, x: torch.Tensor, key: str | None = None) -> "FusedForward":
        """The same fused function explained at another point ``x`` of the model input: e.g. an audio model's
        latent frames, which its ``input_values`` also accepts, or a text's token embeddings given as ``key``
        ``inputs_embeds`` in place of the ids. Counts are shared with ``self``."""
        other = object.__new__(FusedForward)
        other.__dict__.update(self.__dict__)
        other.x = x
        other.attr_key = key or self.attr_key
        other.parent = self
        return other

    def rows(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        b = x.shape[0]
        out = {self.attr_key: x}
        for k, v in self.prepared.inputs.items():
            if k == self.attr_key or k == self.mod.attr_key:  # the point explained, or what it stands for
                continue
            elif isinstance(v, torch.Tensor) and v.dim() >= 1 and v.shape[0] == 1:
                out[k] = v.expand(b, *v.shape[1:])
            else:
                out[k] = v
        return out

    def __call__(self, x: torch.Tensor, *extra: Any) -> torch.Tensor:
        """The fused probabilities [B, 3] of rows ``x``. On a CPU, without gradients, a row this function has
        evaluated before (the same bytes at the same point) is answered from ``seen``, not run again: a deletion
        curve's first row is the input an occlusion started from, its one-feature rows are the occlusion's own
        rows, its last row the baseline an IG map evaluated; a modality model costs up to a second a row on a
        CPU (wav2vec2-base on 10 s)."""
        if self.seen is None or torch.is_grad_enabled() or extra or x.dim() < 2 or x.shape[0] == 0 or self._hooked():
            return self._fused(x)
        keys = [self._key(row) for row in x]
        new = [i for i, k in enumerate(keys) if k not in self.seen]
        if new:
            fresh = self._fused(x if len(new) == len(keys) else x[new])
            for i, row in zip(new, fresh):
                self.seen[keys[i]] = row
        counter = getattr(self, "parent", self)
        counter.reused = getattr(counter, "reused", 0) + len(keys) - len(new)
        return torch.stack([self.seen[k] for k in keys])

    def _hooked(self) -> bool:
        """Whether a hook sits on a module of the model (Captum's layer methods read a layer's output by one: the
        model must run for it to fire)."""
        modules = self.__dict__.get("_modules_of")
        if modules is None or modules[0] is not self.mod:
            nets = [v for v in vars(self.mod).values() if isinstance(v, torch.nn.Module)]
            modules = self.__dict__["_modules_of"] = (self.mod, [m for net in nets for m in net.modules()])
        return any(m._forward_hooks or m._forward_pre_hooks for m in modules[1])

    def _key(self, row: torch.Tensor) -> tuple:
        """The row's point, shape, dtype and a digest of its bytes (read in place: a CPU tensor's memory)."""
        data = row.detach().contiguous()
        raw = ctypes.string_at(data.data_ptr(), data.numel() * data.element_size())
        return (self.attr_key, tuple(row.shape), str(row.dtype), hashlib.blake2b(raw, digest_size=16).digest())

    def _fused(self, x: torch.Tensor) -> torch.Tensor:
        check_stop()  # a cancelled explanation, or one past the server's limit, runs no further model call
        _panel_threads()
        t0 = time.perf_counter()
        b = x.shape[0]
        logits, feats = self.mod._run(self.rows(x), want_features=self.needs_features)
        probs = to_sentiment(torch.softmax(logits.float(), dim=-1), self.matrix)
        p = {m: v.to(probs.device).expand(b, -1) for m, v in self.other_probs.items()}
        f = {m: v.to(probs.device).expand(b, -1) for m, v in self.other_features.items()}
        p[self.modality] = probs
        if feats is not None:
            f[self.modality] = feats.float()
        order = [m for m in self.model.modalities if m in p]  # the fusion sees modalities in preset order
        out = self.model.fusion({m: p[m] for m in order}, {m: f[m] for m in order if m in f})
        counter = getattr(self, "parent", self)
        counter.forward_passes += b
        counter.calls += 1
        counter.seconds += time.perf_counter() - t0
        tell = getattr(_rows, "tell", None)
        if tell is not None:
            tell(b)
        return out.float()

    def fit(self, run: Callable[[int], Any]) -> Any:
        """``run(batch_size)``, halving ``self.batch_size`` after a GPU out-of-memory error until it fits.

        The size that fits is kept, so the next call of this explanation starts there (long inputs on a small
        GPU degrade to smaller batches instead of failing)."""
        while True:
            try:
                return run(self.batch_size)
            except torch.OutOfMemoryError:
                if self.batch_size <= 1:
                    raise
                self.batch_size //= 2
                if torch.cuda.is_available():
                    torch.cuda.empty_cache()

    def target_prob(self, x: torch.Tensor, target: int) -> torch.Tensor:
        """f(x)[:, target] for a batch, no gradients, in chunks of ``self.batch_size`` rows; read back to the
        host once, after the last chunk (one synchronisation however many chunks)."""
        def run(batch_size: int) -> torch.Tensor:
            outs = []
            with torch.no_grad():
                for i in range(0, x.shape[0], batch_size):
                    outs.append(self(x[i:i + batch_size])[:, target].detach().float())
            return torch.cat(outs).cpu() if outs else torch.zeros(0)

        return self.fit(run)

    def removed(self, removed: torch.Tensor, feature_of: torch.Tensor, baseline: torch.Tensor) -> torch.Tensor:
        """The rows of a deletion curve, built on the device in one go: row r is ``self.x`` with every feature k
        where ``removed[r, k]`` replaced by ``baseline``. ``removed`` [R, n] bool; ``feature_of`` the feature id
        of each element of one input row (broadcastable to ``self.x[0]``; ids >= n are never removed)."""
        n = removed.shape[1]
        dev = self.x.device
        never = torch.zeros(removed.shape[0], 1, dtype=torch.bool, device=dev)
        table = torch.cat([removed.to(dev, torch.bool), never], dim=1)
        picked = table[:, feature_of.to(dev).long().clamp(0, n)]  # [R, *feature_of.shape]
        return torch.where(picked, baseline, self.x)

    def integrated(self, baseline: torch.Tensor, target: int, options, layer=None):
        """Integrated Gradients of f from ``baseline`` to ``self.x`` (LayerIntegratedGradients on ``layer`` when
        one is given), Gauss-Legendre steps raised until the completeness gap is small (``adaptive_ig``),
        starting at the steps this model last stopped at (``_last_steps``). On a text model's token embeddings,
        where the model asks for it (``path_pieces``) and the steps are left to adapt (``ig_min_steps`` <
        ``ig_max_steps``), the path is integrated piece by piece instead (:meth:`piecewise`).

        Returns (attributions, delta, f(x) - f(baseline), steps, steps tried, path pieces or None)."""
        from captum.attr import IntegratedGradients, LayerIntegratedGradients

        fx, fb = self.target_prob(torch.cat([self.x, baseline]), target).tolist()
        if (layer is not None and getattr(self.mod, "path_pieces", 0) and options.ig_min_steps < options.ig_max_steps
                and abs(fx - fb) >= RESOLUTION and layer is self.mod.embedding_layer()):
            with torch.no_grad():
                ex, eb = layer(self.x), layer(baseline)
            attr, delta, steps, tried, pieces = self.at(ex, "inputs_embeds").piecewise(
                eb, target, fx, fb, self.mod.path_pieces, options.ig_max_steps, options.ig_tolerance,
                getattr(self.mod, "path_nodes", 2))
            return attr, delta, fx - fb, steps, tried, pieces
        attributor = IntegratedGradients(self) if layer is None else LayerIntegratedGradients(self, layer)

        def run(n_steps: int):
            attr, delta = self.fit(lambda bs: attributor.attribute(
                self.x, baselines=baseline, target=target, n_steps=n_steps, method="gausslegendre",
                internal_batch_size=bs if self.ig_rows == 0 else self.ig_rows, return_convergence_delta=True))
            return attr, float(delta.reshape(-1)[0])

        last = _last_steps.setdefault(getattr(self, "original", self.mod), {})
        size = (int(self.x[0].numel()) - 1).bit_length()
        point = ("layer", layer_name(self.mod, layer), size) if layer is not None else ("input", self.x.dim(), size)
        moves = abs(fx - fb) >= RESOLUTION  # with nothing to converge on: the fewest steps, and nothing learnt
        start = min(options.ig_max_steps, max(options.ig_min_steps, last.get(point, 0))) if moves else \
            options.ig_min_steps
        attr, delta, steps, tried = adaptive_ig(run, fx - fb, start, options.ig_max_steps, options.ig_tolerance)
        if moves:
            last[point] = steps
        return attr, delta, fx - fb, steps, tried, None

    def piecewise(self, baseline: torch.Tensor, target: int, fx: float, fb: float, pieces: int, max_steps: int,
                  tolerance: float, nodes: int = 2):
        """Integrated Gradients from ``baseline`` to ``self.x`` as the sum of IG over pieces of the straight path
        (IG is additive along a path: the piece from point a to point c is IG from baseline a to input c).

        f is read at ``pieces`` even points of the path (forward only); each piece gets ``nodes`` Gauss-Legendre
        steps, all pieces in one Captum call. A piece's completeness gap is exact (f is known at its ends): while
        the gaps add up to ``tolerance`` x |f(x) - f(baseline)| or more, the pieces with the largest gaps are
        halved (one more point of f each) and only they are integrated again, until ``max_steps`` steps in all.
        A long text's f can jump within a short stretch of the path (the 512-token review: from 0.07 to 0.97
        between 0.2 and 0.4 of the way); the steps go there instead of everywhere, and nothing converged is re-run.

        Returns (attributions, delta, steps, steps tried, [[start, end] of each piece]); steps = the steps of the
        final sum, steps tried = the steps of each round."""
        from captum.attr import IntegratedGradients

        ig = IntegratedGradients(self)
        x, b = self.x, baseline

        def point(alpha: list[float]) -> torch.Tensor:
            a = torch.tensor(alpha, dtype=x.dtype, device=x.device).reshape(-1, *([1] * (x.dim() - 1)))
            return b + a * (x - b)

        def integrate(spans: list[tuple[float, float]]) -> list[torch.Tensor]:
            attr = self.fit(lambda bs: ig.attribute(
                point([c for _, c in spans]), baselines=point([a for a, _ in spans]), target=target, n_steps=nodes,
                method="gausslegendre", internal_batch_size=max(bs, len(spans))))
            return list(attr.detach())

        pieces = max(1, min(pieces, max_steps // nodes))  # never more steps than ``max_steps``
        cuts = [k / pieces for k in range(pieces + 1)]
        inner = self.target_prob(point(cuts[1:-1]), target).tolist() if pieces > 1 else []
        f = dict(zip(cuts, [fb] + inner + [fx]))
        spans = list(zip(cuts[:-1], cuts[1:]))
        done = dict(zip(spans, integrate(spans)))
        tried = [nodes * len(spans)]

        def gap(span) -> float:
            return float(done[span].sum()) - (f[span[1]] - f[span[0]])

        goal = tolerance * abs(fx - fb)
        while sum(abs(gap(s)) for s in done) >= goal and nodes * (len(done) + 1) <= max_steps:
            ranked = sorted(done, key=lambda s: -abs(gap(s)))
            fair = goal / len(done)
            room = max_steps // nodes - len(done)  # pieces that can still be added
            halve = [s for s in ranked if abs(gap(s)) > fair][:room] or ranked[:1]
            mids = [(a + c) / 2 for a, c in halve]
            f.update(zip(mids, self.target_prob(point(mids), target).tolist()))
            new = [half for (a, c), m in zip(halve, mids) for half in ((a, m), (m, c))]
            for s in halve:
                del done[s]
            done.update(zip(new, integrate(new)))
            tried.append(nodes * len(new))
        spans = sorted(done)
        attr = torch.stack([done[s] for s in spans]).sum(0, keepdim=True)
        delta = float(attr.sum()) - (fx - fb)
        return attr, delta, nodes * len(spans), tried, [[a, c] for a, c in spans]

    def ablate(self, baseline: torch.Tensor, target: int, mask: torch.Tensor, n: int) -> list[float]:
        """Captum FeatureAblation: feature k = the elements of ``self.x`` where ``mask`` (broadcastable to x) is k,
        replaced together by the baseline. The score of each feature 0..n-1 (ids >= n are never scored; a feature
        with no elements scores 0). The scores stay on the device until one read-back at the end."""
        return self.perturb("FeatureAblation", baseline, target, mask, n)

    def perturb(self, captum: str, baseline: torch.Tensor, target: int, mask: torch.Tensor, n: int,
                **kwargs: Any) -> list[float]:
        """A Captum perturbation method (``captum``: its class name in ``captum.attr``; FeatureAblation,
        ShapleyValueSampling, KernelShap, Lime ...) over the features of ``mask``, as :meth:`ablate` reads them;
        ``kwargs`` go to its ``attribute`` (e.g. ``n_samples``), rows per call = ``self.batch_size``."""
        method = perturbation(captum, self)
        with torch.no_grad():
            attr = self.fit(lambda bs: method.attribute(self.x, baselines=baseline, target=target, feature_mask=mask,
                                                        perturbations_per_eval=bs, **kwargs))
        # every element of a feature carries the feature's score: read it at the feature's first element
        flat = mask.expand_as(self.x)[0].reshape(-1).long().clamp(0, n)
        scores = torch.cat([attr[0].float().reshape(-1), attr.new_zeros(1, dtype=torch.float32)])
        first = torch.full((n + 1,), flat.numel(), dtype=torch.long, device=flat.device)
        first.scatter_reduce_(0, flat, torch.arange(flat.numel(), device=flat.device), reduce="amin")
        return scores[first[:n]].cpu().tolist()

    def cost(self) -> Cost:
        return Cost(forward_passes=int(self.forward_passes), seconds=float(self.seconds))


def layer_name(modality, layer) -> str:
    """Where ``layer`` sits in the modality ("encoder.embeddings.word_embeddings"): the same name in the model and
    in its private copies (:func:`sharing_copy`), so that what is remembered of one holds for the other."""
    for owner, value in vars(modality).items():
        if isinstance(value, torch.nn.Module):
            for name, sub in value.named_modules():
                if sub is layer:
                    return f"{owner}.{name}"
    return f"{type(layer).__name__}@{id(layer)}"


def _module_copy(module: torch.nn.Module) -> torch.nn.Module:
    """A new module object for ``module`` and each of its submodules, holding the same parameter and buffer
    tensors, with its own (copied) tables of hooks, parameters and buffers: what ``copy.deepcopy`` with every
    tensor in its memo makes, built directly (e5-small: about 1 ms instead of 9). Made with ``__new__`` and the
    attributes, so a parametrized module (weight norm), which refuses to be pickled, is copied too."""
    clone = type(module).__new__(type(module))
    d = clone.__dict__
    for name, value in module.__dict__.items():
        if name == "_modules":
            d[name] = type(value)((k, None if v is None else _module_copy(v)) for k, v in value.items())
        elif type(value) in (dict, OrderedDict, set, list):
            d[name] = type(value)(value)
        else:
            d[name] = value
    return clone


def sharing_copy(modality):
    """A copy of ``modality`` whose networks are new module objects holding the same weight tensors (nothing is
    copied but the modules' structure and hook tables); everything else (tokenizer, caches, settings) is the same
    object."""
    import copy

    clone = copy.copy(modality)
    for name, value in vars(modality).items():
        if isinstance(value, torch.nn.Module):
            setattr(clone, name, _module_copy(value))
    return clone


def feature_ablation(forward_func):
    """Captum's FeatureAblation, with its table of feature ids read from the mask in one host copy: Captum reads
    each id with ``.item()`` (three GPU synchronisations per feature); the ablation itself is Captum's own."""
    from captum.attr import FeatureAblation

    class OneReadFeatureAblation(FeatureAblation):
        def _get_feature_idx_to_tensor_idx(self, formatted_feature_mask, **kwargs):
            table: dict[int, list[int]] = {}
            for i, m in enumerate(formatted_feature_mask):
                for k in torch.unique(m).tolist():
                    table.setdefault(int(k), []).append(i)
            return table

    return OneReadFeatureAblation(forward_func)


def perturbation(captum: str, forward_func):
    """The Captum perturbation method named ``captum`` on ``forward_func`` (FeatureAblation: one host read of
    its feature table, see :func:`feature_ablation`)."""
    if captum == "FeatureAblation":
        return feature_ablation(forward_func)
    from importlib import import_module

    return getattr(import_module("captum.attr"), captum)(forward_func)


def auto_batch_size(device: torch.device) -> int:
    """Rows per model call when the options leave it to us: wide on a GPU, narrow on a CPU (no gain there)."""
    return 64 if device.type == "cuda" else 16


__all__ = ["FusedForward", "auto_batch_size", "feature_ablation", "perturbation", "sharing_copy", "target_index"]
