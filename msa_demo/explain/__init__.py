"""Explain the FUSED decision: which modality, which words, which image regions, which moments of the audio.

    from msa_demo.explain import explain, ExplainOptions
    exp = explain(model, model.read_inputs(text=..., image=..., audio=...), target=None)  # None: predicted class
    exp.to_json()

``explain_iter`` yields the parts as they finish, as ``(kind, part)`` pairs: ``("explanation", Explanation)``
first (prediction + modality Shapley values, no maps yet), then ``("map", AttributionMap)`` per map, then
``("notices", {"notices": [...]})`` if a panel could not be made, ``("what_if", Counterfactual)`` per what-if
(``options.what_if``: after its panel's maps, ``explain.whatif``), ``("tone", [ToneEffect])`` (``options.tone``:
``explain.tone``), ``("cost", Cost)`` and finally
``("done", Explanation)`` (the complete result, the same object ``explain`` returns).
Panels are made two at a time on a CPU (:func:`panel_workers`), so maps arrive as their panel finishes; the
explanation's ``maps`` stay in registry order (text, image, audio).
"""

from __future__ import annotations

import logging
import time
from datetime import datetime, timezone
from typing import Any, Callable, Iterator, Sequence

from msa_demo import __version__
# a picture in which the face model finds no face is left out by the prediction itself (``model.face_check``); its
# lines, named here as before
from msa_demo.errors import ADD_INPUTS, NO_FACE_IN_PHOTO, NO_FACE_ONLY, InputError, MsaError  # noqa: F401
from msa_demo.language import OUTSIDE_LANGUAGES, outside
from msa_demo.explain.shapley import attribute_modalities
from msa_demo.explain.regions import attribute_regions
from msa_demo.explain.options import ExplainOptions, check_target
from msa_demo.explain.result import AttributionMap, Cost, Explanation, Faithfulness, ModalityContributions
from msa_demo.explain.segments import attribute_segments
from msa_demo.explain.words import attribute_words
from msa_demo.model import NO_FACE_IN_PHOTO_LEFT_OUT, NO_FACE_LEFT_OUT, release_memory  # noqa: F401
from msa_demo.registry import kinds

log = logging.getLogger(__name__)


# a modality whose maps the time budget does not plan (``budget._panels``: text, image and audio)
UNPLANNED = "Time budget {budget} s: the {m} maps are not fitted to it; they run at their own settings."
# the maps took longer than the budget (a plan priced on a quieter machine, a first plan, a model slower than its
# probe): said with the time they took, as a plan that could not be met is (the next plan counts with it)
OVERRAN = "Time budget {budget} s for the maps: they took {took} s."
OVER_BUDGET = 1.15  # past the budget by more than this factor (a plan is an estimate)


def now_utc() -> str:
    """The time now, as an explanation records when it was made: ISO 8601 in UTC, to the second."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def inputs_record(inputs) -> dict[str, Any]:
    """The inputs, losslessly (each modality's ``record``: text; PNG; float WAV ...), so the explanation can be
    reproduced with ``--from``."""
    out: dict[str, Any] = {}
    for kind in kinds():
        value = getattr(inputs, kind.name)
        out.update(kind.record(value))
        if getattr(value, "carried_by", None):  # a clip's sound track: recorded (the report plays it), not given
            out[f"{kind.name}_carried_by"] = value.carried_by
    return out


def recorded_inputs(record: dict[str, Any]) -> dict[str, Any]:
    """The raw values (text, PNG bytes, WAV bytes ...) to give ``model.read_inputs`` again; an input another
    brought along (a clip's sound track: ``<name>_carried_by``) is not given: the clip brings it again (given, it
    had been read as an audio clip of its own, and a shared link put it in the Audio box)."""
    try:
        return {kind.name: None if record.get(f"{kind.name}_carried_by") else kind.replay(record) for kind in kinds()}
    except (ValueError, TypeError):
        raise InputError("The saved explanation's inputs are damaged (bad base64).") from None


def models_record(model) -> dict[str, dict[str, Any]]:
    out = {}
    for m, spec in model.preset.modalities.items():
        out[m] = {"model_id": spec.model_id, "revision": spec.revision, "family": spec.family,
                  "label_map": dict(spec.label_map), "weight": spec.weight, "options": dict(spec.options)}
    return out


def reading_record(model, inputs, modalities=None, off=(), abstained=None) -> dict[str, dict[str, Any]]:
    """What each modality's model actually read, for the views to say: the speech transcript with word timings,
    the language of the words and whether the model was trained on it, whether a face was found.
    Reads the prepared inputs the prediction cached (no model runs again). ``off``: modalities switched off,
    recorded only where an earlier reading is kept (a clip switched off is not transcribed for the record);
    ``abstained``: those of them the face check left out (None: any), the only ones whose face is recorded (a
    picture a person switched off, read without a face by an earlier request, was said to abstain: "no face")."""
    from msa_demo import language

    out: dict[str, dict[str, Any]] = {}
    for m in modalities if modalities is not None else inputs.present():
        value = getattr(inputs, m, None)
        if value is None or m not in model.modalities:
            continue
        kept = model.encoded_already(m, value) if m in off else model.encode(m, value)
        if kept is None:
            continue
        info = kept[0].info
        rec: dict[str, Any] = {}
        if "transcript" in info:
            rec["transcript"] = info["transcript"]
            rec["words"] = list(info.get("words") or [])
            if info.get("heard_by"):  # the speech recogniser (a report names it beside the model reading the words)
                rec["heard_by"] = info["heard_by"]
            if info.get("language_probability") is not None:
                rec["language_probability"] = info["language_probability"]
            if info.get("dropped_at_cut"):
                rec["dropped_at_cut"] = int(info["dropped_at_cut"])
            if info.get("unsure"):  # words speech recognition doubts: their map is not to be trusted either
                rec["unsure"] = True
        if getattr(value, "said", None):  # the text is the words said in a clip: their times
            rec["said"] = [dict(w) for w in value.said]
        rec.update(language.check(m, info, model.preset.modalities[m]))
        if "face_found" in info and (m not in off or abstained is None or m in abstained):
            rec["face_found"] = bool(info["face_found"])
            # how many faces there were and which the face model read (it reads one): a picture's, a clip's frames'
            # (and, where none was found, the smallest face it finds, in the picture's pixels as given: ``too_small``)
            for key in ("faces_found", "face_read", "frames_with_several_faces", "most_faces_in_a_frame",
                        "smallest_face", "size_given"):
                if info.get(key) is not None:
                    rec[key] = info[key]
        if rec:
            out[m] = rec
    return out


def panels(model, inputs, used, options) -> list[tuple[str, Callable[[str], list[AttributionMap]]]]:
    """(panel name, run(target) -> maps) for each used modality, in registry order."""
    def run(kind):
        return lambda target: kind.explain(model, inputs, target, options, used)

    return [(kind.panel or kind.name, run(kind)) for kind in kinds() if kind.name in used]


def panel_workers(model) -> int:
    """How many panels are explained at once: two on a CPU that gives torch two or more threads, else one.

    One panel alone leaves part of a 2-core CPU idle (Python, Captum's bookkeeping and the small operations
    between matrix products): two at once made the lite preset's full explanation 12 % faster (3.92 to 3.44 s
    p50, interleaved runs). A GPU's kernels queue on one stream, and two panels' batches would share its
    memory, so a GPU explains one panel at a time; so does a worker given one thread (dataset mode)."""
    import torch

    return 1 if model.device.type != "cpu" else max(1, min(2, torch.get_num_threads()))


def finished(parts, target: str, workers: int,
             order: list[int] | None = None) -> Iterator[tuple[int, str, Any, BaseException | None]]:
    """``(index, name, maps, error)`` for each of ``parts`` (:func:`panels`) as it finishes; ``error`` is what it
    raised (``maps`` then None). ``workers`` panels run at once in threads (torch releases the GIL while it
    computes); with one worker they run one after the other in this thread. ``order``: the indices in the order
    the panels start (default: as given). Panels not started when the caller stops (an error, a closed stream)
    are dropped."""
    if workers <= 1 or len(parts) <= 1:
        for k, (name, run) in enumerate(parts):
            try:
                maps, exc = run(target), None
            except Exception as error:  # noqa: BLE001 - the caller decides
                maps, exc = None, error
            yield k, name, maps, exc
        return
    from concurrent.futures import ThreadPoolExecutor, as_completed

    from msa_demo.explain.forward import panel_started

    def counted(run):
        def go(target):
            panel_started(+1)  # the panels running share the cores (``forward.SHARE_CORES``)
            try:
                return run(target)
            finally:
                panel_started(-1)
        return go

    pool = ThreadPoolExecutor(workers, thread_name_prefix="msa-panel")
    try:
        futures = {pool.submit(counted(parts[k][1]), target): (k, parts[k][0]) for k in (order or range(len(parts)))}
        for future in as_completed(futures):
            k, name = futures[future]
            exc = future.exception()
            yield k, name, None if exc is not None else future.result(), exc
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def watched(modality: str, run: Callable[[str], Any], on_rows: Callable[..., Any], planned: int | None):
    """``run`` that tells ``on_rows(modality, rows done, planned)`` after each model call it makes (its thread)."""
    from msa_demo.explain.forward import report_rows

    def go(target):
        done = [0]

        def tell(rows: int) -> None:
            done[0] += rows
            try:
                on_rows(modality, done[0], planned)
            except Exception:  # noqa: BLE001 - a progress display never breaks the work
                pass

        report_rows(tell)
        try:
            return run(target)
        finally:
            report_rows(None)
    return go


def unused_methods(model, used, options) -> list[str]:
    """What a modality cannot run of the methods asked for, said rather than silently skipped."""
    return [n for kind in kinds() if kind.name in used for n in kind.explain_notices(model, options, used)]


def explain_iter(model, inputs, target: str | None = None, use=None, options: ExplainOptions | None = None,
                 progress: Callable[..., Any] | None = None,
                 on_rows: Callable[[str, int, int | None], Any] | None = None,
                 abstained: Sequence[str] | None = None, limit: float | None = None,
                 crowd: Callable[[], int] | None = None,
                 gone: Callable[[], bool] | None = None,
                 asked: Callable[[], str | None] | None = None,
                 face_anyway: bool = False) -> Iterator[tuple[str, Any]]:
    """Yield the explanation's parts as each panel finishes (see the module docstring).

    ``limit``: the most seconds it may take (a server's ``MSA_MAX_SECONDS``; None: none): past it, the next model
    call stops and the explanation is cut short: it ends with what was finished (the prediction, the modality
    contributions, the maps and what-ifs done), the rest left out and said in one notice that the last
    "notices" part carries with ``"cut_short": True``. Closing the stream (a cancelled request) stops its panels
    at their next model call too. ``crowd``: how many explanations wait behind it (the app's queue): while some
    do, the limit is their share (:class:`forward.Stop`). ``gone``: has the page that asked gone (its tab
    closed)? Then its panels stop at their next model call, as a cancelled one's do (:class:`forward.Stopped`).
    ``asked``: what who asked wants now (:class:`forward.Stop`): "stopped" cuts it short as the limit does,
    "replaced" stops it (:class:`forward.Replaced`).

    ``face_anyway``: read a picture in which the face model finds no face as a face all the same (otherwise the
    prediction leaves it out: ``MultimodalSentimentModel.face_check``). ``abstained``: the inputs given but left out
    of ``use`` by the caller because their model abstains, as the record says them (None: every one left out whose
    face model found no face).

    ``on_rows(modality, rows done, rows planned or None)``: called while the maps are made, after each model call
    of a panel (from the panel's own thread: two panels can call at once), with the model rows its maps have
    evaluated so far and, under a time budget, the most the plan counts for them (an IG step is one row; adaptive
    IG often stops before its most steps, so a panel can finish short of it)."""
    from msa_demo.explain.forward import Stop

    stop = Stop(limit, crowd, gone, asked)
    try:
        yield from _explain_iter(model, inputs, target, use, options, progress, on_rows, abstained, stop, face_anyway)
    finally:  # ended, failed or closed: a panel still running stops at its next model call
        stop.set()


def _stopping(run: Callable[[str], Any], stop) -> Callable[[str], Any]:
    """``run`` whose model calls, in whichever thread runs it, stop with ``stop`` (:func:`forward.stop_with`)."""
    from msa_demo.explain.forward import stop_with

    def go(target):
        stop_with(stop)
        try:
            return run(target)
        finally:
            stop_with(None)
    return go


def _explain_iter(model, inputs, target, use, options, progress, on_rows, abstained, stop,
                  face_anyway=False) -> Iterator[tuple[str, Any]]:
    """:func:`explain_iter`'s work, its model calls stopping with ``stop``."""
    t0 = time.perf_counter()
    options = options or ExplainOptions()
    if isinstance(options, dict):
        options = ExplainOptions(**options)
    target = check_target(target)
    runs0 = getattr(model, "encoder_runs", 0)

    def tell(fraction: float, desc: str) -> None:
        if progress is not None:
            try:
                progress(fraction, desc)
            except Exception:  # noqa: BLE001 - a progress display never breaks the work
                pass

    tell(0.0, "predicting")
    pred = model.predict(inputs=inputs, use=use, abstained=abstained or (), face_anyway=face_anyway)
    if not pred.used:
        raise InputError("There is nothing to explain: give at least one input and switch it on.")
    target = target or pred.label
    contributions = attribute_modalities(model, inputs, target, pred.used)
    exp = Explanation(
        prediction=pred, target=target, maps=[], modalities=contributions, models=models_record(model),
        preset=model.preset.name, options=options.to_dict(), inputs=inputs_record(inputs),
        cost=Cost(0, 0.0), notices=unused_methods(model, pred.used, options),
        reading=reading_record(model, inputs, off=pred.switched_off, abstained=abstained),
        created=now_utc(), msa_demo_version=__version__,
    )
    plan = None
    if options.budget > 0:  # the maps' settings chosen to fit what is left of the budget
        from msa_demo.explain.budget import fit

        plan = fit(model, inputs, pred.used, options, options.budget - (time.perf_counter() - t0),
                   panel_workers(model))
        options = plan.options
        exp.options = options.to_dict()
        note = plan.notice(options.budget)
        if note:
            exp.notices.append(note)
        for m in (m for m in pred.used if m not in plan.panels):  # a video's maps: not planned, said (a budget
            # given for a clip alone was passed over without a word)
            exp.notices.append(UNPLANNED.format(budget=f"{options.budget:g}", m=m))
    yield "explanation", exp
    from msa_demo.explain.budget import CROWD
    from msa_demo.explain.forward import CutShort

    mods = [kind.name for kind in kinds() if kind.name in pred.used]  # each panel's modality, in panel order
    cut: CutShort | None = None  # cut short (the limit, its share, the page's Stop): what is done is kept
    whatif_done: set[int] = set()
    with CROWD.joined() as mine:
        t_maps, failed = time.perf_counter(), False
        parts = [(name, _stopping(run, stop)) for name, run in panels(model, inputs, pred.used, options)]
        if on_rows is not None:
            parts = [(name, watched(m, run, on_rows, plan.rows.get(m) if plan is not None else None))
                     for (name, run), m in zip(parts, mods)]
        got: dict[int, list[AttributionMap]] = {}  # the maps by panel, kept in registry order in ``exp.maps``
        found: dict[int, list] = {}  # the what-ifs by panel, in the same order in ``exp.what_if``
        whatif_rows, whatif_seconds = 0, 0.0
        tell(0.05 / max(1, len(parts)), "explaining " + ", ".join(name for name, _ in parts))
        order = None
        if plan is not None and plan.panels:  # the dearest panel starts at once, beside the others cheapest first
            cost = [plan.panels.get(kind.name, 0.0) for kind in kinds() if kind.name in pred.used]
            if len(cost) == len(parts) > 2:
                dearest = max(range(len(cost)), key=cost.__getitem__)
                order = [dearest] + sorted((k for k in range(len(cost)) if k != dearest), key=cost.__getitem__)
        for done, (k, name, maps, exc) in enumerate(finished(parts, target, panel_workers(model), order), 1):
            tell(done / max(1, len(parts)), f"explained {name}")
            if exc is not None:
                if isinstance(exc, CutShort):  # the others stop at their next model call, and say the same
                    cut = cut or exc
                    continue
                if isinstance(exc, MsaError):
                    raise exc
                failed = True
                log.error("explaining %s failed", name, exc_info=exc)  # one failed panel keeps the others
                note = f"The {name} explanation failed ({type(exc).__name__}: {str(exc)[:200]})."
                exp.notices.append(note)
                yield "notices", {"notices": [note]}
                continue
            for m in maps:  # words in a language the model was not trained on: no figure makes the map trustworthy
                if outside(exp.reading.get(m.modality)):  # (all its words, or a substantial part of them)
                    m.caveat = OUTSIDE_LANGUAGES
                if plan is not None:  # what this map gave up to fit the budget
                    m.params["budget"] = plan.given_up_by(m)
            got[k] = maps
            exp.maps[:] = [m for i in sorted(got) for m in got[i]]
            for m in maps:
                yield "map", m
            if options.what_if and cut is None:
                try:
                    stop.check()
                except CutShort as exc:
                    cut = exc
            if options.what_if and cut is None:
                from msa_demo.explain.whatif import deadline_for, what_if

                t_what = time.perf_counter()
                deadline = deadline_for(options, t_what, whatif_seconds, len(parts) - done + 1)
                end = stop.deadline()  # (its searches stop at the limit, or its share, as at a budget's end: said,
                if end is not None:  # not failed)
                    deadline = end if deadline is None else min(deadline, end)
                tell(done / max(1, len(parts)), f"what-if: {name}")
                found[k] = what_if(model, inputs, pred.used, maps, pred.label, target, options, deadline,
                                   before=pred.probs.get(pred.label))
                exp.what_if[:] = [c for i in sorted(found) for c in found[i]]
                whatif_rows += sum(c.cost.forward_passes for c in found[k]  # a text's are encoder runs (below)
                                   if c.edit == "remove" and c.modality != "text")
                whatif_seconds += time.perf_counter() - t_what
                whatif_done.add(k)
                for c in found[k]:
                    yield "what_if", c
            for m in maps:
                m.__dict__.pop("_layout", None)  # the fused function and its tensors are not kept with the map
                m.__dict__.pop("_loo", None)  # (nor its single removals: the check's strongest are in its record)
        # the next plan for this model counts with what the maps really took, when no other explanation shared the
        # machine with them (that made them slower, not the model)
        maps_seconds = time.perf_counter() - t_maps - whatif_seconds
        if plan is not None and not failed and cut is None and mine.alone:
            from msa_demo.explain.budget import learn

            took: dict[str, float] = {}
            for m in exp.maps:
                took[m.modality] = took.get(m.modality, 0.0) + m.cost.seconds
            learn(model, plan, maps_seconds, took)
        if plan is not None and not plan.fits and not failed and cut is None:  # the estimate it was planned with gives way to
            # what the maps took (both had been said, 41.1 s "at the least" beside 11.2 s taken)
            planned, note = plan.notice(options.budget), plan.notice(options.budget, took=maps_seconds)
            if planned in exp.notices:
                exp.notices[exp.notices.index(planned)] = note
            else:
                exp.notices.append(note)
            yield "notices", {"notices": [note], "instead_of": planned}
        elif plan is not None and maps_seconds > options.budget * OVER_BUDGET and not failed and cut is None:  # said, not hidden
            from msa_demo.explain.budget import past

            note = OVERRAN.format(budget=f"{options.budget:g}", took=past(maps_seconds, options.budget))
            exp.notices.append(note)
            yield "notices", {"notices": [note]}
    if options.tone and "audio" in pred.used and cut is None:
        from msa_demo.explain.tone import tone

        try:
            stop.check()
        except CutShort as exc:
            cut = exc
        else:
            tell(1.0, "how it sounds")
            exp.tone, exp.tone_note, _ = tone(model, inputs, pred.used, pred.label, options.seed)
            yield "tone", exp.tone  # its rows are audio encoder runs, counted in ``encoder_runs``
    if cut is not None:  # what was left out, and why, in one line
        mapped = {m.modality for m in exp.maps}
        left = [f"the {m} maps" for m in mods if m not in mapped]
        if options.what_if:
            left += [f"the {m} what-ifs" for k, m in enumerate(mods) if m in mapped and k not in whatif_done]
        if options.tone and "audio" in pred.used and not exp.tone:
            left.append("how it sounds")
        note = cut.said(", ".join(left) or "nothing")
        exp.notices.append(note)
        exp.cut_short = note
        yield "notices", {"notices": [note], "cut_short": True}
    encoder_runs = getattr(model, "encoder_runs", 0) - runs0
    # the text what-ifs' rows (words deleted or replaced, the text read again) are text encoder runs, already in
    # ``encoder_runs``
    exp.cost = Cost(sum(m.cost.forward_passes for m in exp.maps) + encoder_runs + whatif_rows,
                    time.perf_counter() - t0)
    tell(1.0, "done")
    release_memory(force=True)
    yield "cost", exp.cost
    yield "done", exp




def explain(model, inputs, target: str | None = None, use=None, options: ExplainOptions | None = None,
            progress: Callable[..., Any] | None = None, abstained: Sequence[str] | None = None,
            limit: float | None = None, crowd: Callable[[], int] | None = None,
            gone: Callable[[], bool] | None = None, asked: Callable[[], str | None] | None = None,
            face_anyway: bool = False) -> Explanation:
    """The complete explanation of the fused decision for ``target`` (default: the predicted class); ``limit``
    and ``crowd``: the most seconds it may take, shared while others wait (past it: cut short, what was finished
    kept and said); ``gone``: has who asked gone; ``asked``: what who asked wants now; ``face_anyway``: read a
    picture without a face as a face all the same (:func:`explain_iter`)."""
    result = None
    for kind, part in explain_iter(model, inputs, target=target, use=use, options=options, progress=progress,
                                   abstained=abstained, limit=limit, crowd=crowd, gone=gone, asked=asked,
                                   face_anyway=face_anyway):
        if kind == "done":
            result = part
    return result


__all__ = ["explain", "explain_iter", "ExplainOptions", "Explanation", "AttributionMap", "ModalityContributions",
           "Faithfulness", "Cost", "attribute_words", "attribute_regions", "attribute_segments",
           "attribute_modalities", "inputs_record", "reading_record", "recorded_inputs", "ADD_INPUTS",
           "NO_FACE_ONLY", "NO_FACE_IN_PHOTO", "NO_FACE_LEFT_OUT", "NO_FACE_IN_PHOTO_LEFT_OUT"]
