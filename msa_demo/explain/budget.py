"""A time budget: the explanation's settings chosen so that its maps fit ``ExplainOptions.budget`` seconds.

The cost of a map is counted in model rows (one modality-model evaluation of one input row): a perturbation map
evaluates one row per feature (per feature and sample: sampled Shapley values, ``Method.rows``), an Integrated Gradients map about three per step (a forward and a backward), and
every map's deletion / AOPC curve its distinct rows (:func:`deletion_rows`). A row's price is measured, not
guessed: each used modality's fused forward is timed once on two rows of this very input (and, for an audio model
that can, at the latent level too; a model slower than ``SLOW_PROBE`` a row on one row), and the price is kept
per model and input shape, so the next explanation of that size plans at once. The panels' total is divided by how many run at once, and multiplied by what the model's maps really took per
planned second in its last explanations (``learn``: Python, windows, set-up and a busy machine, which the row prices
do not see), and each panel's share of that by what each really took (``learn`` with the panels' seconds: a panel
whose rows cost more than its probe said is the one that gives up, not the others). A deletion curve counts only
the rows it does not share with its map (``FusedForward`` answers a row it has seen: the unperturbed input, an
occlusion's one-feature rows, an IG map's baseline).

When the full settings do not fit, the most expensive panel gives up one thing at a time, in this order (each
step the one that costs the map least): fewer IG steps (down to 4; its completeness gap is then shown on its map;
a model that integrates its path in pieces keeps its first round, ``path_pieces`` x ``path_nodes`` steps, while
the map at those steps fits the budget on its own or another panel takes longer anyway: lite's e5 text read with 4 steps missed completeness by
50-800 % and ranked words at Spearman 0.4-0.7 against 128 steps, with 16 at 0.95-1.0 on four short reviews),
a coarser image grid (down to 2×2), longer audio segments (up to 8 s), audio occluded at the latent level (a
different map on models whose encoder normalises over the clip: said), fewer deletion-curve points (down to 2), and
last the image's second map. A words map is priced as the method that will make it: IG that gives way to word
ablation (a text read in windows with no budget; a gap that stayed large at these steps the last time:
``wordplan.falls_back``) is priced one row per word, after its IG map where that runs first; a text read in windows
under a budget is mapped by phrase ablation, priced one row per phrase, with as many phrases as its rows afford
(:func:`phrases_afforded`); a words map that stays is priced with its single-removal check
(``methods.singles_rows``). What was given up
is said on each map (``params["budget"]``) and once in the explanation's notices.
"""

from __future__ import annotations

import math
import time
import weakref
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import torch

from msa_demo.explain.methods import METHODS, singles_rows
from msa_demo.explain.options import ExplainOptions
from msa_demo.language import word_spans

IG_ROW = 3.0  # an IG step row: one forward and one backward pass, about three forwards
# a words map's word ablation made after its IG map, whose gap stayed large (``wordplan.falls_back``): one row per word
AFTER_IG = "occlusion after integrated gradients"
PROBE_ROWS = 2
SLOW_PROBE = 0.25  # seconds a row (the prediction's): a model this slow is probed on one row, not three
MIN_IG_STEPS = 4  # IG's fewest steps under a budget (its gap is shown)
MAX_SEGMENT = 8.0  # seconds: the longest audio segment a budget makes (a 30 s clip in 4 segments)
# seconds per row, per modality model, per (input shape, level): measured once per model and size
_PRICES: "weakref.WeakKeyDictionary[Any, dict]" = weakref.WeakKeyDictionary()
# per model: how many times longer its maps really took than planned (what the row prices do not count: Python,
# the words' windows, the deletion curves' set-up, a machine busy with other work), learnt from each explanation
_OVERRUN: "weakref.WeakKeyDictionary[Any, float]" = weakref.WeakKeyDictionary()
OVERRUN_BOUNDS = (0.25, 20.0)  # a first plan priced by the prediction can run 2-3x high (one cold row, no overlap)
OVERRUN_WEIGHT = 0.5  # the last explanation's weight in the running estimate
# per model: each panel's (modality's) learnt share of the overrun: what its maps took per planned second, over
# what all maps took per planned second (1.0: as planned, like the others)
_SHARES: "weakref.WeakKeyDictionary[Any, dict]" = weakref.WeakKeyDictionary()
SHARE_BOUNDS = (0.05, 20.0)


@dataclass
class Plan:
    """The settings that fit, the panels' estimated seconds, and what each modality gave up to fit."""

    options: ExplainOptions
    seconds: float
    gave_up: dict[str, list[str]] = field(default_factory=dict)  # "every map" or a modality -> what it gave up
    fits: bool = True
    overrun: float = 1.0  # the model's learnt seconds per planned second, counted in ``seconds``
    panels: dict[str, float] = field(default_factory=dict)  # modality -> its maps' planned seconds (no overrun)
    rows: dict[str, int] = field(default_factory=dict)  # modality -> its maps' planned model rows (an IG step: 1)

    def given_up_by(self, m) -> list[str]:
        """What the map ``m`` (an AttributionMap) gave up: the shared settings that apply to it (IG steps only to
        an IG map), then its modality's own."""
        gradient = "n_steps" in m.params
        shared = [line for line in self.gave_up.get("every map", []) if gradient or not line.startswith("IG")]
        return shared + self.gave_up.get(m.modality, [])

    def notice(self, budget: float, took: float | None = None) -> str | None:
        """One line for the explanation's notices, or None when nothing was given up. ``took``: the seconds the
        maps of a plan that did not fit really took, said in place of the estimate once they are done ("cannot
        be met (about 41.1 s at the least)", then "they took 11.2 s": an estimate from a busy machine, which the
        page went on showing beside the time it was proved wrong by)."""
        if not self.gave_up:
            return None
        parts = "; ".join(f"{m}: {', '.join(g)}" for m, g in self.gave_up.items())
        # "for the maps": the prediction and the what-ifs (half as much again) come on top, and a reader who saw
        # "Time budget 5 s" and waited 18 s for a long review took the 5 s for the whole explanation
        if not self.fits and took is not None and took <= budget:
            # the estimate feared more than the maps then took: "could not be met: they took 1.8 s" of a 5 s
            # budget contradicted itself; said as it went, and no remedy is offered for a budget that was kept
            return WITHIN.format(budget=f"{budget:g}", took=f"{took:.1f}", seconds=f"{self.seconds:.1f}", parts=parts)
        head = (f"Time budget {budget:g} s for the maps: " if self.fits
                else f"Time budget {budget:g} s for the maps could not be met: they took {past(took, budget)} s with "
                     f"the least they can do: " if took is not None
                else f"Time budget {budget:g} s for the maps cannot be met (about {self.seconds:.1f} s at the least): ")
        # and what to do about it: a long review's maps came out "read with care" with no word of the remedy
        return head + parts + ("." if self.fits else f". {MORE_TIME}")


MORE_TIME = "A larger time budget (0: no limit) gives finer maps."


def past(took: float, budget: float) -> str:
    """``took`` seconds, past ``budget``, as said: to a tenth, or to as many more places as show it past the budget
    ("they took 0.0 s" of a 0.01 s budget, "5.0 s" of a 5 s one, read as kept)."""
    for places in range(1, 5):
        if round(took, places) > budget:
            return f"{took:.{places}f}"
    return f"{took:.4f}"
# a plan that could not fit on its estimate, whose maps then took no longer than the budget
WITHIN = ("Time budget {budget} s for the maps: the estimate feared more (about {seconds} s at the least), so they gave "
          "up all they can: {parts}; they took {took} s, within the budget.")


PHRASES = 24  # the most phrases a phrase-ablation words map has (``wordplan.phrase_spans``)
MIN_PHRASES = 4  # and the fewest, whatever the budget (a plan that cannot fit gives up its other settings)


def phrase_rows(n: int, deletion_steps: int) -> float:
    """Model rows of a phrase-ablation map of ``n`` phrases: one per phrase and the input, and its deletion curve's
    rows that the ablation did not run."""
    return METHODS["occlusion"].rows(n) + deletion_rows(n, deletion_steps, occlusion=True)


def phrases_afforded(ff, options: ExplainOptions, words: int) -> int:
    """How many phrases a text read by ``ff`` (a FusedForward) in windows is cut into under ``options.budget``:
    the most (up to :data:`PHRASES`, no more than its ``words``) whose rows (:func:`phrase_rows`) at the measured
    price of a row, times the model's learnt overrun, fit the budget; at least :data:`MIN_PHRASES`. An overrun
    under 1 is not counted: lite's long review took 2.6 s for 7 phrases (its windows read before are read again at
    no cost), the next plan, counting that, afforded 24 phrases, which took 18.7 s of a 5 s budget."""
    most = max(1, min(PHRASES, int(words)))
    budget = float(options.budget or 0)
    if budget <= 0:
        return most
    row = _price(ff) * max(1.0, overrun(ff.model) * _shares(ff.model).get(ff.modality, 1.0))
    n = most
    while n > min(MIN_PHRASES, most) and phrase_rows(n, options.deletion_steps) * row > budget:
        n -= 1
    return n


def _price(ff, level: str = "input") -> float:
    """Seconds per row of ``ff`` (a FusedForward), measured on PROBE_ROWS copies of its input (``level``
    "latent": the audio model's latent frames), kept per model and shape. A slow model (``SLOW_PROBE`` a row
    or more, as the prediction's run of it took: ``model.encode_seconds``) is probed on one row; its latent price
    is its input's times what the latent level cost against the input the first time both were measured."""
    prices = _PRICES.setdefault(ff.mod, {})
    key = (tuple(ff.x.shape), level)
    seen = (getattr(ff.model, "encode_seconds", None) or {}).get((ff.modality, tuple(ff.x.shape)))
    slow = seen is not None and seen >= SLOW_PROBE  # (a cold first call can look slow: it is only a hint)
    ratio = prices.get("latent ratio")
    if key not in prices and level == "latent" and ratio is not None:
        prices[key] = _price(ff) * ratio
    if key not in prices:
        f = ff
        if level == "latent":
            f = ff.at(ff.mod.latents(ff.x)[:1])
        f.seen = None  # every probe row runs the model
        rows = f.x.expand(PROBE_ROWS, *f.x.shape[1:]).contiguous()
        timings = []
        # with gradients on (no tensor asks for them: the same forward), a model that reuses what it read before
        # (lite e5's windows) reads every row as an IG or deletion row does
        with torch.enable_grad() if getattr(f.mod, "reuse_windows", False) else torch.no_grad():
            for k in range(2):  # the first call of a batch shape pays for its kernels' set-up (oneDNN, cuDNN)
                t0 = time.perf_counter()
                f(rows[:1] if k == 0 else rows)
                if rows.device.type == "cuda":
                    torch.cuda.synchronize(rows.device)
                timings.append((time.perf_counter() - t0) / (1 if k == 0 else PROBE_ROWS))
                if slow:  # a slow model: one row tells its price (the prediction ran this shape: it is warm)
                    break
        prices[key] = min(timings)
        if level == "latent" and (tuple(ff.x.shape), "input") in prices:
            prices["latent ratio"] = prices[key] / prices[(tuple(ff.x.shape), "input")]
    return prices[key]


@dataclass
class _Panel:
    """What one modality's maps cost under some options."""

    modality: str
    price: float  # seconds per row at the options' level
    latent_price: float | None  # audio: seconds per row at the latent level, where the model has one
    features: Any  # options -> number of features of a perturbation map
    methods: Any  # options -> [(kind, name)] of its maps (the method that runs: a gradient one's fallback)
    segments: bool = False  # its features are time segments of the options' length (audio on a waveform)
    floor: int = MIN_IG_STEPS  # the fewest IG steps its map is readable with (a piecewise path: its first round)
    singles: bool = False  # its maps' strongest parts are removed alone after them (``methods.check_removals``)

    share: float = 1.0  # its learnt share of the model's overrun (``_SHARES``)

    def rows(self, o: ExplainOptions) -> float:
        """Model rows its maps evaluate under ``o`` (an IG step: ``IG_ROW``), in the worst case."""
        rows = 0.0
        methods = self.methods(o)
        for j, (kind, name) in enumerate(methods):
            n = self.features(o)
            if (self.singles and name != AFTER_IG and not METHODS[name].removals
                    and (j + 1 == len(methods) or methods[j + 1][1] != AFTER_IG)):  # (a map that gives way: none)
                rows += singles_rows(n)
            if name == AFTER_IG:  # its IG map's rows are counted: the input, the baseline, the random orders' rows
                rows += n + deletion_rows(n, o.deletion_steps, gradient=True, occlusion=True, random_orders=0)
                continue
            rows += deletion_rows(n, o.deletion_steps, gradient=kind == "gradient", occlusion=name == "occlusion")
            rows += IG_ROW * _ig_steps(o) if kind == "gradient" else METHODS[name].rows(n)
        return rows

    def seconds(self, o: ExplainOptions) -> float:
        price = self.latent_price if (self.latent_price and o.audio_level == "latent") else self.price
        return self.rows(o) * price * self.share


_DELETION: dict[tuple, float] = {}
RANDOM_ORDERS = 4  # the random orders of a deletion curve (``faithfulness.deletion``)


def deletion_rows(n: int, steps: int, gradient: bool = False, occlusion: bool = False,
                  random_orders: int = RANDOM_ORDERS) -> float:
    """Rows a deletion / AOPC curve of ``n`` features and ``steps`` points evaluates (``faithfulness.deletion``:
    its distinct rows, the random orders' too), less those its map evaluated already: the unperturbed input
    (every map), the one-feature rows (an occlusion's own) and all features removed (an IG map's baseline).
    ``random_orders=0``: the random orders' rows were evaluated too (by another map of the same features: they are
    drawn from the same seed)."""
    key = (n, steps, gradient, occlusion, random_orders)
    if key not in _DELETION:
        from msa_demo.explain.faithfulness import deletion_masks

        if n <= 0:
            return 0.0
        rng = np.random.default_rng(0)
        masks = [deletion_masks(np.arange(n), n, steps)[0]]
        masks += [deletion_masks(rng.permutation(n), n, steps)[0] for _ in range(random_orders)]
        removed = torch.unique(torch.cat(masks), dim=0).sum(1)
        known = (removed == 0) | ((removed == 1) if occlusion else False) | ((removed == n) if gradient else False)
        _DELETION[key] = float((~known).sum())
    return _DELETION[key]


def _ig_steps(o: ExplainOptions) -> int:
    """IG rows in the worst case: every doubling from the first step count to the most."""
    steps, total = o.ig_min_steps, o.ig_min_steps
    while steps < o.ig_max_steps:
        steps = min(o.ig_max_steps, steps * 2)
        total += steps
    return total


def _panels(model, inputs, used: list[str], options: ExplainOptions) -> list[_Panel]:
    from msa_demo.explain.forward import FusedForward
    from msa_demo.explain.methods import resolve
    from msa_demo.explain.wordplan import ABLATION, falls_back, phrase_spans

    out = []
    shares = _shares(model)
    for m in used:
        if m not in ("text", "image", "audio") or m not in model.modalities:
            continue  # another modality's maps are not planned (their cost still counts in the measured total)
        ff = FusedForward(model, inputs, m, used, batch_size=options.batch_size)
        mod, info = ff.mod, ff.prepared.info
        floor = max(MIN_IG_STEPS, getattr(mod, "path_pieces", 0) * getattr(mod, "path_nodes", 2))
        gradients = bool(mod.differentiable)

        def kinds(names, gradients=gradients, m=m):  # (kind, the method that runs), per map
            return [(METHODS[r].kind, r) for r in (resolve(n, m, gradients) for n in names)]

        latent = None
        if m == "text":
            n_words = max(1, len(info.get("word_spans") or str(info.get("text", "")).split()))
            windows = int(info.get("windows", 1) or 1)

            def words(o, kinds=kinds, mod=mod, shape=tuple(ff.x.shape), windows=windows):
                """The words maps as they will be made: IG that gives way to word ablation (``wordplan.falls_back``:
                a text read in windows with no budget; a gap that stayed large) priced as the ablation, one row
                per word, after the IG map where that runs first; phrase ablation (a text read in windows under a
                budget) one row per phrase."""
                out = []
                for kind, name in kinds(o.text_methods):
                    why = falls_back(mod, shape, name, windows, o)
                    ablated = why in ("windows", "phrases")
                    out += [(kind, name)] if not why else [("perturbation", ABLATION)] if ablated else \
                        [(kind, name), ("perturbation", AFTER_IG)]
                return out

            def features(o, n=n_words, ff=ff, windows=windows, kinds=kinds, mod=mod, shape=tuple(ff.x.shape)):
                """Words, or the phrases a text read in windows under a budget is cut into (``wordplan.phrase_spans``:
                as many as the budget affords, fewer where the text has fewer words)."""
                if any(falls_back(mod, shape, name, windows, o) == "phrases" for _, name in kinds(o.text_methods)):
                    text = str(ff.prepared.info.get("text", ""))
                    spans = ff.prepared.info.get("word_spans") or word_spans(text, group=False)
                    return len(phrase_spans(text, spans, phrases_afforded(ff, o, len(spans))))
                return n

            out.append(_Panel(m, _price(ff), None, features, words, floor=floor, singles=True))
        elif m == "image":
            out.append(_Panel(m, _price(ff), None,
                              lambda o: o.grid ** 2 if o.regions == "grid" else o.superpixels,
                              lambda o: kinds(o.image_methods)))
        elif mod.attr_key == "input_ids":  # lite speech: one word-ablation map over the recognised words
            n_words = max(1, len(info.get("words") or []))
            out.append(_Panel(m, _price(ff), None, lambda o, n=n_words: n, lambda o: [("perturbation", "occlusion")]))
        else:
            seconds = ff.x.shape[-1] / int(info.get("sample_rate", 16000))
            price = _price(ff)
            if getattr(mod, "supports_latents", False):
                latent = _price(ff, "latent")
            level_auto = "latent" if getattr(mod, "latents_match_waveform", False) else "waveform"
            panel = _Panel(m, price, latent, lambda o, s=seconds: math.ceil(s / o.segment_seconds),
                           lambda o: kinds(o.audio_methods), segments=True)
            if latent and options.audio_level in ("auto", "latent") and level_auto == "latent":
                panel.price = latent
            out.append(panel)
    for p in out:
        p.share = shares.get(p.modality, 1.0)
    return out


def _shares(model) -> dict:
    try:
        return _SHARES.get(model, {})
    except TypeError:
        return {}


def _wall(panels: list[_Panel], o: ExplainOptions, workers: int, overrun: float = 1.0) -> float:
    """Seconds for all panels: on a CPU two panels at once share its cores (about 15 % faster than one by one);
    ``overrun``: what the model's last explanations took per planned second."""
    total = sum(p.seconds(o) for p in panels)
    return overrun * total / (1 + 0.15 * (workers - 1))


def overrun(model) -> float:
    """How many times longer ``model``'s maps took than planned, so far (1.0 before its first explanation)."""
    try:
        return _OVERRUN.get(model, 1.0)
    except TypeError:
        return 1.0


class Crowd:
    """The explanations whose maps are being made now, in this process: one that shared the machine with another
    (two pages, two lanes) took longer for that, not for its model, so it teaches the plan nothing (``learn`` only
    from one that ran alone).

        with CROWD.joined() as mine:
            ...make the maps...
        if mine.alone: learn(...)
    """

    def __init__(self) -> None:
        import threading

        self._lock = threading.Lock()
        self._now: list[_Member] = []

    def joined(self) -> "_Member":
        member = _Member(self)
        with self._lock:
            if self._now:  # it and every one at work already share the machine
                member.alone = False
                for other in self._now:
                    other.alone = False
            self._now.append(member)
        return member

    def _leave(self, member: "_Member") -> None:
        with self._lock:
            if member in self._now:
                self._now.remove(member)


class _Member:
    def __init__(self, crowd: Crowd) -> None:
        self.crowd, self.alone = crowd, True

    def __enter__(self) -> "_Member":
        return self

    def __exit__(self, *exc) -> None:
        self.crowd._leave(self)


CROWD = Crowd()


def learn(model, plan: "Plan", seconds: float, panels: dict[str, float] | None = None) -> None:
    """After an explanation planned by ``plan`` whose maps took ``seconds``: the next plan for ``model`` counts
    with what they really cost (a running estimate, bounded). ``panels``: the seconds each modality's maps took
    (as their costs say: panels made at once each count their own time); each panel's share of the overrun then
    follows what it took per planned second against the others."""
    if plan.seconds <= 0 or seconds <= 0:
        return
    seen = min(max(seconds / (plan.seconds / plan.overrun), OVERRUN_BOUNDS[0]), OVERRUN_BOUNDS[1])
    before = _OVERRUN.get(model)
    try:
        _OVERRUN[model] = seen if before is None else (1 - OVERRUN_WEIGHT) * before + OVERRUN_WEIGHT * seen
    except TypeError:  # a model that cannot be weakly referenced is not learnt about
        return
    took = {m: s for m, s in (panels or {}).items() if s > 0 and plan.panels.get(m, 0) > 0}
    if len(took) < 2:
        return
    planned = {m: plan.panels[m] for m in took}  # at the shares the plan used: back to the probe's prices
    rate = sum(took.values()) / sum(planned.values())
    shares = _SHARES.setdefault(model, {})
    for m in took:
        raw = planned[m] / shares.get(m, 1.0)
        seen_share = min(max(took[m] / raw / rate, SHARE_BOUNDS[0]), SHARE_BOUNDS[1])
        # the shares are relative: normalised so that the panels' planned total stays what it was
        shares[m] = (1 - OVERRUN_WEIGHT) * shares.get(m, 1.0) + OVERRUN_WEIGHT * seen_share


SHARED = ("IG steps", "deletion points")  # settings every map shares: given up for all of them at once


def _fewest_steps(p: _Panel, o: ExplainOptions, budget: float, panels: list[_Panel]) -> int:
    """The fewest IG steps ``p``'s map may be cut to: its floor while the map at the floor fits ``budget`` on its
    own or takes no longer than another panel already does (panels run side by side: cutting it would not end
    the explanation sooner), else ``MIN_IG_STEPS`` (a long text whose readable map cannot fit gives up to the
    least)."""
    if p.floor <= MIN_IG_STEPS:
        return MIN_IG_STEPS
    at_floor = p.seconds(replace(o, ig_max_steps=p.floor, ig_min_steps=min(o.ig_min_steps, p.floor)))
    longest_other = max([q.seconds(o) for q in panels if q is not p], default=0.0)
    return p.floor if at_floor <= max(budget, longest_other) else MIN_IG_STEPS


def _steps(p: _Panel, o: ExplainOptions, fewest: int = MIN_IG_STEPS) -> list[tuple[str, str, ExplainOptions]]:
    """The next things ``p`` can give up under ``o``, cheapest for the map first: (setting, what is said, new
    options). ``fewest``: the IG steps no map may be cut below (the steps are shared by every IG map)."""
    out = []
    kinds = [k for k, _ in p.methods(o)]
    if "gradient" in kinds and o.ig_max_steps > fewest:
        steps = max(fewest, o.ig_max_steps // 2)
        out.append(("IG steps", f"IG at most {steps} steps (its completeness gap is shown)",
                    replace(o, ig_max_steps=steps, ig_min_steps=min(o.ig_min_steps, steps))))
    if p.modality == "image" and o.regions == "grid" and o.grid > 2 and "perturbation" in kinds:
        side = max(2, o.grid - 2)
        out.append(("grid", f"a {side}×{side} grid", replace(o, grid=side)))
    longer = ("segments", f"segments of {o.segment_seconds * 2:g} s", replace(o, segment_seconds=o.segment_seconds * 2))
    wave = p.segments and p.features(o) > 2 and "perturbation" in kinds and o.segment_seconds * 2 <= MAX_SEGMENT
    if wave and not p.latent_price:
        out.append(longer)
    if p.modality == "audio" and p.latent_price and p.price > p.latent_price and o.audio_level != "latent":
        out.append(("audio level", "occluded at the latent level (its map can differ from the waveform's)",
                    replace(o, audio_level="latent")))
    if wave and p.latent_price:
        out.append(longer)
    if o.deletion_steps > 2:
        points = max(2, o.deletion_steps // 2)
        out.append(("deletion points", f"a {points}-point deletion curve", replace(o, deletion_steps=points)))
    if p.modality == "image" and len(o.image_methods) > 1:
        keep = "occlusion" if "occlusion" in o.image_methods else o.image_methods[0]
        out.append(("image methods", f"{keep} only", replace(o, image_methods=(keep,))))
    return out


def fit(model, inputs, used: list[str], options: ExplainOptions, seconds: float | None = None,
        workers: int = 1) -> Plan:
    """The options for ``used`` modalities' maps of ``inputs`` that fit ``seconds`` (default ``options.budget``;
    what is left of it after the prediction: at most nothing, then everything that can be given up is), giving
    up as little as it can (see the module docstring)."""
    budget = max(0.0, options.budget if seconds is None else seconds)
    panels = _panels(model, inputs, used, options)
    o, late = options, overrun(model)
    said: dict[str, dict[str, str]] = {}  # modality (or "every map") -> setting -> its last word
    wall = _wall(panels, o, workers, late)
    fits = True
    while wall > budget:
        fewest = max([_fewest_steps(q, o, budget / late, panels) for q in panels
                      if any(k == "gradient" for k, _ in q.methods(o))],
                     default=MIN_IG_STEPS)
        for p in sorted(panels, key=lambda p: -p.seconds(o)):
            steps = _steps(p, o, fewest)
            if steps:
                setting, line, o = steps[0]
                said.setdefault("every map" if setting in SHARED else p.modality, {})[setting] = line
                break
        else:
            fits = False
            break
        wall = _wall(panels, o, workers, late)
    steps = IG_ROW * _ig_steps(o)  # an IG step is one row of progress (its backward pass is not a row)
    return Plan(o, wall, {m: list(v.values()) for m, v in said.items()}, fits, late,
                {p.modality: p.seconds(o) for p in panels},
                {p.modality: int(round(p.rows(o) - sum(steps - _ig_steps(o) for k, _ in p.methods(o)
                                                       if k == "gradient"))) for p in panels})


__all__ = ["Plan", "fit", "learn", "overrun", "phrases_afforded", "phrase_rows", "PHRASES"]
