"""What would change its mind: the fewest units of one modality whose edit flips the FUSED verdict, found by a
bounded search that starts from a map's ranking and is checked by the model at every step (never read off a map).

Removal (every modality whose map came from a :class:`~msa_demo.explain.methods.Layout`: words, image regions,
audio segments or recognised words, video moments, a plug-in's own units): the units are removed as the map removes
them (replaced by its baseline), on the map's own fused function. A text's words are deleted instead, and the text
read again by the text model, as the panel shows the edit and as a person would type it (the map's blank, a pad
token in each word's place, read 64 % where the text without the words read 53 %); punctuation alone is no word.

1. **grow**: the top-1, top-2, ... units of the ranking are removed, in batches of 4, 8, 16 ... rows, until the
   verdict flips (the fused argmax is no longer the predicted class);
2. **prune**: each unit of that set is put back in turn (one batch); while some can be put back and the verdict
   stays flipped, the one that leaves it flipped most firmly is, and the rest are tried again. When none can, the
   set is *minimal* (no unit of it is superfluous).

Text is also edited in words (:mod:`msa_demo.explain.lexicon`): the ranked words that the small shipped table
lists are replaced by their antonym (then, separately, by a neutral word), grown and pruned the same way; each
edited text is read by the text model again, like a new input. Only in a text of the table's languages
(``lexicon.LANGUAGES``, English and Chinese, as :func:`msa_demo.language.detect_language` tells it): in another, one
line says so (:data:`~msa_demo.i18n.SWAPS_NOT_OFFERED`) and only the removal is searched.

Each search is bounded by ``ExplainOptions.what_if_forwards`` model rows and by a deadline (the what-ifs share half
the time budget, when there is one, each panel an equal part of what is left: :func:`deadline_for`); when none flips
within them, the result says so ("no flip within 64 forwards").
"""

from __future__ import annotations

import time
from typing import Callable

import torch

from msa_demo.config import NEAR_TIE, SENTIMENTS
from msa_demo.explain.faithfulness import MOVES, single_removals
from msa_demo.explain.lexicon import EDITS, LANGUAGES, core_span, replacement, says, swap
from msa_demo.explain.options import ExplainOptions
from msa_demo.explain.result import AttributionMap, Cost, Counterfactual
from msa_demo.i18n import (ALL_TAKEN, BLANKED, MOST_TAKEN, SWAPS, SWAPS_NOT_OFFERED, WHAT_IF_NOT_TRIED,
                           WHAT_IF_SWAPS_NOT_TRIED, grid_words, joined, region_words)
from msa_demo.labels import probs_dict
from msa_demo.language import detect_language, language_name
from msa_demo.prediction import percent, percents, too_close

FIRST_BATCH = 4  # the first grow batch; each next one doubles
MAX_REPLACED = 8  # text: the most ranked words a replacement search edits
LISTED = 6  # units named in a sentence before "and N more"
BUDGET_SHARE = 0.5  # the what-if's deadline: this share of the time budget (when there is one), after the maps


def _and(items: list[str]) -> str:
    if len(items) > LISTED:
        items = items[:LISTED] + [f"{len(items) - LISTED} more"]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


# what is around a word but not the word: "'magnifique,'" is quoted as "'magnifique'"
PUNCTUATION = "\"'.,;:!?()[]{}«»“”‘’…，。！？、；：（）【】《》"


def bare(word: str) -> str:
    """A word without the punctuation that clings to it ("awful," was quoted so), or as it is when it is nothing
    but punctuation."""
    return str(word).strip(PUNCTUATION) or str(word)


def quoted(word: str) -> str:
    return f"'{bare(word)}'"


def tally(words: list[str]) -> list[tuple[str, int]]:
    """(word, how many times) for each word once, in order of first mention, its punctuation aside: a long text's
    removed words had listed "'得值', '好景不长', '得值', '好景不长' ..."."""
    counts: dict[str, int] = {}
    for w in words:
        counts[bare(w)] = counts.get(bare(w), 0) + 1
    return list(counts.items())


def times(n: int) -> str:
    """" ×3" after a word listed once for its 3 mentions; "" for one."""
    return f" ×{n}" if n > 1 else ""


def quoted_once(words: list[str]) -> list[str]:
    """Each word quoted once, with how many times it was taken out ("'得值' ×2")."""
    return [quoted(w) + times(n) for w, n in tally(words)]


def units_phrase(modality: str, labels: list[str], params: dict | None = None) -> str:
    """The units in words: "'awful' and 'furious'", "picture regions r1c1 and r2c2", "the voice at 1.00–1.50 s"."""
    params = params or {}
    if modality == "text":
        return _and(quoted_once(labels))
    if modality == "audio" and params.get("segments") == "recognised words":
        return "the spoken " + ("word " if len(labels) == 1 else "words ") + _and(quoted_once(labels))
    if modality == "audio":
        return "the voice at " + _and(labels)
    if modality == "image":
        return (("picture region " if len(labels) == 1 else "picture regions ") + _and(list(map(region_words, labels)))
                + grid_words(params))
    if modality == "video":
        return ("the video moment " if len(labels) == 1 else "the video moments ") + _and(labels)
    return f"{modality} " + _and(labels)


MOST_AT_LEAST = 4  # a removal of this many units or more, over half of the map's, is said as "most of"


def most_taken(k: int, total: int | None) -> bool:
    """Whether a flipping removal of ``k`` of a map's ``total`` units took most of them (more than half, and at least
    :data:`MOST_AT_LEAST`): said as :data:`MOST_TAKEN` (:data:`ALL_TAKEN`), not as a list of units."""
    return total is not None and k >= MOST_AT_LEAST and 2 * k > total


def whole_of(modality: str, params: dict | None = None) -> tuple[str, str]:
    """(what a removal of most units takes away, what it is a part of), in English: ("the face", "the picture")
    for a grid over the face that was found; else the modality's noun twice ("the words", "the voice")."""
    from msa_demo.registry import get, names

    kind = get(modality) if modality in names() else None
    noun = kind.noun if kind is not None and kind.noun else f"the {modality.replace('_', ' ')}"
    face = modality == "image" and (params or {}).get("grid_over") == "face"
    return ("the face" if face else noun), noun


# an edit that leaves the verdict too close to call, said as the verdict on top says it (not "it reads positive
# (50 %), too close to call against negative (50 %)": a side taken, then taken back; in Chinese "结论是正面（50 %），与负面
# （50 %）难分高下"); an edit that takes the verdict away into a near-tie between two other classes says how far the
# verdict fell ("Taking out 'terrible' takes 'negative' from 49 % to 0.5 %: it is then too close to call between ...")
CLOSE_BETWEEN = "too close to call between {a} ({pa}) and {b} ({pb})"
NO_FLIP_CLOSE = "{head}; {how} {which} it is {close}."
TAKES_AWAY = "Taking out {units} takes '{verdict}' from {before} to {after}: it is then {close}."
TAKES_DOWN = "Taking out {units} takes '{verdict}' down to {after}: it is then {close}."  # (``before`` not known)
SWAP_TAKES_AWAY = "With {pairs} ({how}) '{verdict}' falls from {before} to {after}: it is then {close}."
SWAP_TAKES_DOWN = "With {pairs} ({how}) '{verdict}' falls to {after}: it is then {close}."
MOST_TAKEN_CLOSE = ("Only taking out most of {whole} ({k} of the {n} {what}s) changes the verdict (it is then {close}): "
                    "no small part of {noun} decides it.")
ALL_TAKEN_CLOSE = ("Only taking out all of {whole} (the {n} {what}s) changes the verdict (it is then {close}): no "
                   "part of {noun} decides it alone.")


def close_pair(probs: dict) -> tuple[tuple[str, int], tuple[str, int]]:
    """The two likeliest classes of a near-tie, each with its whole percent as the verdict boxes show it."""
    shown = percents(probs)
    a, b = sorted(probs, key=lambda k: -float(probs[k]))[:2]
    return (a, shown[a]), (b, shown[b])


def fell_to(p: float) -> str:
    """A probability the verdict fell to: a whole percent, or under 1 % to one decimal ("0.5 %", not "1 %" nor
    "0 %"; "< 0.1 %" below that)."""
    if float(p) >= 0.01:
        return f"{percent(p)} %"
    return f"{100 * float(p):.1f} %" if p >= 0.0005 else "< 0.1 %"


def sentence_for(c: Counterfactual, params: dict | None = None, total: int | None = None) -> str:
    """One sentence: "Without 'awful' and 'furious' it reads neutral (54 %).", "Text: no flip within 64
    forwards; without the top 9 words it still reads positive (60 %)." (its forwards ran out) or "Text: no flip;
    without all 4 words it still reads positive (60 %)." (every edit tried); a flip that took most of the units
    out: "Only taking out most of the face (45 of the 49 regions) changes the verdict ..." (:data:`MOST_TAKEN`); an
    edit that leaves a near-tie says it as one (:data:`CLOSE_BETWEEN`, :data:`TAKES_AWAY`).
    ``total``: how many units the map has."""
    shown = percents(c.probs)  # as the verdict boxes show them
    reads = f"{c.label} ({shown.get(c.label, 0)} %)"
    close = ""
    if too_close(c.probs):  # as the verdict on top says it: not a decision ("still reads neutral (36 %)" at 36/33/31)
        (a, pa), (b, pb) = close_pair(c.probs)
        close = CLOSE_BETWEEN.format(a=a, pa=f"{pa} %", b=b, pb=f"{pb} %")
    if c.flipped:
        if c.edit == "remove" and most_taken(len(c.units), total):
            whole, noun = whole_of(c.modality, params)
            full = len(c.units) == total
            template = ((ALL_TAKEN_CLOSE if full else MOST_TAKEN_CLOSE) if close else
                        ALL_TAKEN if full else MOST_TAKEN)
            return template.format(whole=whole, noun=noun, k=len(c.units), n=total,
                                   what=unit_name(c.modality, params), reads=reads, close=close)
        after = fell_to(c.probs.get(c.original, 0.0))
        before = None if c.before is None else fell_to(c.before)
        if c.edit == "remove":
            units = units_phrase(c.modality, c.units, params)
            if close:
                return (TAKES_DOWN if before is None else TAKES_AWAY).format(
                    units=units, verdict=c.original, before=before, after=after, close=close)
            return f"Without {units} it reads {reads}."
        pairs = _and([f"{quoted(a)} → {quoted(b)}" for a, b in zip(c.units, c.replacements)])
        how = "antonyms" if c.edit == "antonym" else "neutral words"
        if close:
            return (SWAP_TAKES_DOWN if before is None else SWAP_TAKES_AWAY).format(
                pairs=pairs, how=how, verdict=c.original, before=before, after=after, close=close)
        return f"With {pairs} ({how}) it reads {reads}."
    name = c.modality.capitalize()
    if c.stopped == "language":
        return SWAPS_NOT_OFFERED.format(name=name, languages=joined(map(language_name, LANGUAGES)))
    if c.stopped == "time":
        n = c.cost.forward_passes
        if not c.units:
            return (WHAT_IF_NOT_TRIED.format(name=name) if c.edit == "remove" else
                    WHAT_IF_SWAPS_NOT_TRIED.format(name=name, swaps=SWAPS.get(c.edit, c.edit)))
        head = f"{name}: no flip found before the what-if's time ran out"
        head += f" ({n} forward{'' if n == 1 else 's'})"
    elif c.stopped == "forwards":
        head = f"{name}: no flip within {c.max_forwards} forward{'' if c.max_forwards == 1 else 's'}"
    else:  # every edit the search could make was tried (it had said "within 64 forwards" after spending one)
        head = f"{name}: no flip"
    if not c.units:
        if c.edit == "remove":
            return head + " (nothing could be tried)."
        return (f"{name}: none of the words that push toward {c.original} is in the what-if's lexicon, so none was "
                "replaced.")
    what = unit_name(c.modality, params)
    k = len(c.units)
    which = (f"all {k} {what}s" if total is not None and k == total and k > 1
             else f"its only {what}" if total == k == 1 else f"the top {what}" if k == 1 else f"the top {k} {what}s")
    how = {"remove": "without", "antonym": "with antonyms for", "neutral": "with neutral words for"}[c.edit]
    still = " still" if c.label == c.original else ""
    said = (NO_FLIP_CLOSE.format(head=head, how=how, which=which + _named(c, k == total), close=close) if close else
            f"{head}; {how} {which}{_named(c, k == total)} it{still} reads {reads}.")
    return said + (BLANKED.format(what=what, name=c.modality) if c.edit == "remove" and k == total and k > 1 else "")


def unit_name(modality: str, params: dict | None = None) -> str:
    """A map's unit as a sentence names it: "word", "region", "segment", "spoken word", "moment", else "unit"."""
    if (params or {}).get("segments") == "recognised words":
        return "spoken word"
    return {"text": "word", "image": "region", "audio": "segment", "video": "moment"}.get(modality, "unit")


def _named(c: Counterfactual, every: bool) -> str:
    """The words a search that did not flip tried, after "the top 2 words": " ('fantastic' → 'awful', 'loved' →
    'hated')" for word swaps, " ('awful', 'worst')" for words removed; "" for other units or all of them."""
    if c.edit != "remove":
        return " (" + _and([f"{quoted(a)} → {quoted(b)}" for a, b in zip(c.units, c.replacements)]) + ")"
    if c.modality == "text" and not every:
        return " (" + _and(quoted_once(c.units)) + ")"
    return ""


def ranking(scores: list[float], toward_verdict: bool) -> list[int]:
    """Feature indices, the ones that push hardest toward the verdict first (the map's scores point toward its
    target; when the target is another class than the verdict, the lowest scores come first)."""
    sign = 1.0 if toward_verdict else -1.0
    return sorted(range(len(scores)), key=lambda i: (-sign * float(scores[i]), i))


class _Rows:
    """Evaluates sets of units on one fused function, counting rows against a bound and a deadline."""

    def __init__(self, evaluate: Callable[[list[list[int]]], torch.Tensor], verdict: int, max_rows: int,
                 deadline: float | None) -> None:
        self.evaluate, self.verdict, self.max_rows, self.deadline = evaluate, verdict, max_rows, deadline
        self.rows = 0
        self.stopped = ""  # "time" or "forwards" once either ran out when more was wanted
        self.row_seconds = 0.0  # what a row took in the last batch
        self.time_bound = False  # the rows left were fewer for the time left than for the forwards

    @property
    def left(self) -> int:
        """The rows the next batch may evaluate: the forwards left, and under a deadline no more than the time
        left holds at the last batch's pace (a long review's rows take a second each: a batch of 16 begun just
        before the deadline ran the what-if to 5.5 s of its 2.5 s)."""
        now = time.perf_counter()
        if self.deadline is not None and now >= self.deadline:
            self.stopped = "time"
            return 0
        if self.rows >= self.max_rows:
            self.stopped = "forwards"
        n = self.max_rows - self.rows
        if self.deadline is not None and self.row_seconds > 0:
            fit = int((self.deadline - now) / self.row_seconds + 1e-6)
            self.time_bound = fit < n
            if fit < 1:
                self.stopped = "time"
                return 0
            n = min(n, fit)
        return n

    def __call__(self, sets: list[list[int]]) -> torch.Tensor:
        self.rows += len(sets)
        t0 = time.perf_counter()
        out = self.evaluate(sets).float()
        if sets:
            self.row_seconds = (time.perf_counter() - t0) / len(sets)
        return out

    def flips(self, probs: torch.Tensor) -> torch.Tensor:
        """Rows that take the verdict away: another class leads it by a verdict's margin, in the whole percents
        shown. A lead too close to call against the verdict does not (the JSON had said "flipped" beside its own
        sentence's "negative (39 %), too close to call against positive (36 %)"); a near-tie between two other
        classes does: deleting 'terrible' took 'negative' from 49 % to 0.5 %, left positive 50 % and neutral 49 %,
        and the search, counting that as no flip, went on to say that no small part of the words decided it."""
        shown = torch.floor(probs * 100 + 0.5)  # as ``prediction.percent`` reads a verdict box
        if shown.shape[-1] < 2:
            return torch.zeros(shown.shape[0], dtype=torch.bool)
        others = shown.clone()
        others[:, self.verdict] = float("-inf")
        return others.max(-1).values - shown[:, self.verdict] >= percent(NEAR_TIE)


def grow_and_prune(order: list[int], rows: _Rows) -> tuple[list[int], torch.Tensor | None, bool, bool]:
    """(the set, its fused probabilities, whether it flips, whether it is minimal) along ``order``: the
    shortest flipping prefix, pruned; without a flip, the longest prefix tried."""
    k, size = 0, FIRST_BATCH
    found, probs, tried = None, None, []
    while found is None and k < len(order) and rows.left > 0:
        ks = list(range(k + 1, min(len(order), k + size, k + rows.left) + 1))
        out = rows([order[:j] for j in ks])
        flips = rows.flips(out)
        if bool(flips.any()):
            r = int(flips.nonzero()[0])
            found, probs = order[:ks[r]], out[r]
        else:
            tried, probs = order[:ks[-1]], out[-1]
        k, size = ks[-1], size * 2
    if found is None:
        return tried, probs, False, False
    minimal = len(found) == 1
    while len(found) > 1:
        if rows.left < len(found):  # not enough left to put every unit back in turn
            rows.stopped = rows.stopped or ("time" if rows.time_bound else "forwards")
            break
        out = rows([[u for u in found if u != v] for v in found])
        flips = rows.flips(out)
        if not bool(flips.any()):
            minimal = True
            break
        held = out[:, rows.verdict].masked_fill(~flips, float("inf"))  # the firmest flip: the verdict's least
        r = int(held.argmin())
        found, probs = [u for u in found if u != found[r]], out[r]
        minimal = len(found) == 1
    return found, probs, True, minimal


def _cuts(text: str, spans: list, edits: dict[int, str | None], edit: str = "remove") -> list[tuple[int, int, str]]:
    """(start, end, put in) in ``text`` for each edited unit: a removed word without the punctuation around it
    ("disappointed。" struck with its "。"), a swapped word's listed core only ("太差了": its "差")."""
    out = []
    for i in edits:
        a, b = (int(v) for v in spans[i][:2])
        if edit == "remove":
            x, y = core_span(text[a:b])
            out.append((a + x, a + y, "") if y > x else (a, b, ""))
        else:
            cut = swap(text[a:b], edit)
            out.append((a + cut[0], a + cut[1], cut[2]) if cut else (a, b, edits[i] or ""))
    return sorted(out)


def _text_pieces(text: str, spans: list, edits: dict[int, str | None], edit: str = "remove") -> list[list[str]]:
    """The text as [piece, kind] pairs: each edited word "removed", followed by its replacement "added"."""
    out, at = [], 0
    for a, b, new in _cuts(text, spans, edits, edit):
        if a > at:
            out.append([text[at:a], ""])
        out.append([text[a:b], "removed"])
        if new:
            out.append([new, "added"])
        at = b
    if at < len(text):
        out.append([text[at:], ""])
    return out


def edited_text(pieces: list) -> str:
    """The edited text as the model reads it again: the text as the panel shows it, the removed words deleted and
    the words put in in their place (every other character as it was: the model reads "really 。" and "really。"
    differently, and a copy of the shown text is what it reads)."""
    return "".join(piece for piece, kind in pieces if kind != "removed").strip()


def is_word(label: str) -> bool:
    """Whether a text unit is a word: a punctuation mark alone ("。", "...") is not one to remove or show."""
    return core_span(str(label))[1] > 0


def text_reader(model, inputs, used: list[str]) -> Callable[[list[str]], torch.Tensor]:
    """Edited texts -> the fused probabilities [R, 3]: each text read by the text model as a new input (as
    ``model.predict(text=...)`` reads it) and fused with the other inputs' cached readings."""
    from msa_demo.registry import get

    others = {m: model.encode(m, getattr(inputs, m))[1] for m in used if m != "text"}
    read = get("text").read

    def evaluate(texts: list[str]) -> torch.Tensor:
        out = []
        for edited in texts:
            encoded = dict(others, text=model.encode("text", read(edited, model), keep=False)[1])
            out.append(model.fuse({m: encoded[m] for m in model.modalities if m in encoded}))
        return torch.stack(out) if out else torch.zeros(0, 3)

    return evaluate


def removal(layout, amap: AttributionMap, verdict: str, target: str, options: ExplainOptions,
            deadline: float | None = None, read_text: Callable[[list[str]], torch.Tensor] | None = None,
            text: str | None = None, before: float | None = None) -> Counterfactual:
    """The removal what-if on one map's layout (its fused function, baseline and units). A text's words, given
    ``read_text`` (:func:`text_reader`) and the ``text`` the map's spans index, are deleted and the text read again,
    as the panel shows them and a person would type it: the map's blank (a pad token in each word's place) read
    64 % where the text without the words read 53 %. Punctuation alone is no word, and is not removed."""
    t0 = time.perf_counter()
    f = layout.forward
    n = layout.n
    v = SENTIMENTS.index(verdict)
    if text is None and amap.modality == "text":
        text = layout.forward.prepared.info.get("text")
    order = ranking(amap.scores, target == verdict)
    words = read_text is not None and text is not None  # a text's words: deleted, and the text read again
    if words:
        order = [i for i in order if is_word(amap.labels[i])]
        if not edited_text(_text_pieces(text, amap.spans, dict.fromkeys(order))):
            order = order[:-1]  # every word deleted leaves no text to read (that is the chart's "no text")

    def evaluate(sets: list[list[int]]) -> torch.Tensor:
        if words:
            return read_text([edited_text(_text_pieces(text, amap.spans, dict.fromkeys(s))) for s in sets])
        removed = torch.zeros(len(sets), n, dtype=torch.bool)
        for r, s in enumerate(sets):
            removed[r, s] = True
        x = f.removed(removed, layout.feature_of, layout.baseline)

        def run(batch_size: int) -> torch.Tensor:
            with torch.no_grad():
                return torch.cat([f(x[i:i + batch_size]).detach().float() for i in range(0, x.shape[0], batch_size)])

        return f.fit(run).cpu()

    rows = _Rows(evaluate, v, options.what_if_forwards, deadline)
    found = None
    # a map of single removals ranks them already; the others' single removals are the map's own check's where it
    # ran them all (``known_removals``), else run here and counted in the search's rows
    loo = known_removals(amap) if words and amap.method not in SINGLE_REMOVALS else None
    if words and amap.method not in SINGLE_REMOVALS and loo is None and n + 2 <= rows.left:
        loo, loo_rows = single_removals(layout, SENTIMENTS.index(target), deadline=deadline)
        rows.rows += loo_rows
        if loo is not None:
            amap._loo = loo  # the word swaps choose their words by it too (``swappable``)
    if loo is not None:
        found = one_word_flip(order, loo, target == verdict, rows,
                              [i for i in range(n) if is_word(amap.labels[i])] if len(order) else [])
    if found is not None:
        units, probs, flipped, minimal = [found[0]], found[1], True, True
    else:
        units, probs, flipped, minimal = grow_and_prune(order, rows)
    return _result(amap, "remove", verdict, units, probs, flipped, minimal, rows, t0, options,
                   text if amap.modality == "text" else None, {u: None for u in units}, before)


SINGLE_REMOVALS = ("feature_ablation", "occlusion")  # maps whose scores are single removals: their ranking is LOO
SINGLES = 4  # the single words, moving the verdict most when removed alone, tried alone before the map's ranking
# (a text's words: their leave-one-out rows, one per word and the text, come first, where the forwards hold them
# and a row to spare)


def known_removals(amap: AttributionMap) -> list[float] | None:
    """The single removals the map's own check ran (``methods.check_removals``: every word, on the map's baseline),
    or None where it ran none or only some."""
    loo = getattr(amap, "_loo", None)
    return loo if loo is not None and len(loo) == len(amap.scores) and None not in loo else None


def one_word_flip(order: list[int], loo: list[float] | None, toward_verdict: bool, rows: _Rows,
                  allowed: list[int]):
    """(unit, its fused probabilities) of the single word that flips the verdict when removed alone, among the
    ``SINGLES`` whose removal alone moves it most (``loo``), checked as the search checks (the word deleted, the
    text read again; the firmest flip first) among the ``allowed`` words; None if none does. A map's ranking can
    miss it: IG on a long review ranked 'price' and 'satisfied' first, while deleting 'excellent' alone flipped
    positive to neutral."""
    if loo is None or not order:
        return None
    allowed = set(allowed)
    singles = [i for i in ranking(loo, toward_verdict) if i in allowed][:SINGLES]
    singles = [i for i in singles if i != order[0]][:max(0, rows.left)]  # the grow's first row tries order[0]
    if not singles:
        return None
    out = rows([[i] for i in singles])
    flips = rows.flips(out)
    if not bool(flips.any()):
        return None
    r = int(out[:, rows.verdict].masked_fill(~flips, float("inf")).argmin())
    return singles[r], out[r]


def _result(amap: AttributionMap, edit: str, verdict: str, units: list[int], probs, flipped: bool, minimal: bool,
            rows: _Rows, t0: float, options: ExplainOptions, text: str | None, edits: dict[int, str | None],
            before: float | None = None) -> Counterfactual:
    p = probs_dict(probs) if probs is not None else {}
    c = Counterfactual(
        modality=amap.modality, edit=edit, flipped=flipped, original=verdict,
        label=max(p, key=p.get) if p else verdict, probs=p, sentence="",
        units=[amap.labels[u] for u in units], indices=list(units), spans=[amap.spans[u] for u in units],
        replacements=[edits[u] for u in units if edits.get(u)], minimal=minimal, method=amap.method,
        max_forwards=options.what_if_forwards, stopped=rows.stopped if not minimal else "",
        cost=Cost(rows.rows, time.perf_counter() - t0), before=before)
    if text is not None and units:
        c.edited = _text_pieces(text, amap.spans, {u: edits.get(u) for u in units}, edit)
    c.sentence = sentence_for(c, amap.params, units_in(amap.modality, amap.labels) if edit == "remove" else None)
    return c


def units_in(modality: str, labels: list) -> int:
    """How many units of a map a removal may take out: a text's words, its punctuation aside."""
    return sum(map(is_word, labels)) if modality == "text" else len(labels)


def swappable(amap: AttributionMap, verdict: str, target: str, edit: str) -> list[int]:
    """The words a replacement search edits, the strongest push toward the verdict first, at most ``MAX_REPLACED``:
    those the lexicon lists that say what the verdict says (a positive word the map ranks toward negative is left:
    swapping it for its antonym pushed the verdict further, not toward a flip). A word's push is what removing it
    alone does where the map's check ran that for every word (:func:`known_removals`), else its map score: an IG map
    drew 'hate' in "I don't hate it." away from positive, and the swaps said no word pushing toward positive was in
    the lexicon. Where it is known, a listed word that says the other side but whose removal alone lowers the
    verdict by a clear margin ('hate' after "don't": ``faithfulness.MOVES``) is tried after those."""
    known = known_removals(amap)
    push = known or amap.scores
    order = [i for i in ranking(push, target == verdict) if (push[i] > 0) == (target == verdict) and push[i] != 0]
    listed = [i for i in order if replacement(amap.labels[i], edit) is not None]
    if verdict not in ("positive", "negative"):  # (a neutral verdict: any listed word)
        return listed[:MAX_REPLACED]
    agree = [i for i in listed if says(amap.labels[i]) == verdict]
    context = [i for i in listed if known is not None and i not in agree and abs(push[i]) >= MOVES]
    return (agree + context)[:MAX_REPLACED]


def replacements(model, inputs, used: list[str], amap: AttributionMap, verdict: str, target: str,
                 options: ExplainOptions, edit: str, deadline: float | None = None,
                 before: float | None = None) -> Counterfactual:
    """The text what-if by word replacement (``edit``: antonym or neutral, from :mod:`msa_demo.explain.lexicon`):
    each edited text is read by the text model as a new input and fused with the other inputs' cached readings."""
    t0 = time.perf_counter()
    text = model.encode("text", inputs.text)[0].info.get("text", inputs.text.text)  # the text the spans index
    v = SENTIMENTS.index(verdict)
    words = swappable(amap, verdict, target, edit)
    new = {i: replacement(amap.labels[i], edit) for i in words}
    read = text_reader(model, inputs, used)

    def evaluate(sets: list[list[int]]) -> torch.Tensor:
        return read([edited_text(_text_pieces(text, amap.spans, {i: new[i] for i in s}, edit)) for s in sets])

    rows = _Rows(evaluate, v, options.what_if_forwards, deadline)
    units, probs, flipped, minimal = grow_and_prune(words, rows)
    return _result(amap, edit, verdict, units, probs, flipped, minimal, rows, t0, options, text, new, before)


def swaps_offered(text: str | None) -> bool:
    """Does the word table hold words of the text's language (``lexicon.LANGUAGES``, as the languages check tells
    it; a text too short to tell is tried)? In a Spanish review, the English-looking 'terrible' was swapped for
    'great' inside the Spanish sentence."""
    lang = detect_language(text)
    return lang is None or lang in LANGUAGES


def not_offered(amap: AttributionMap, verdict: str, options: ExplainOptions) -> Counterfactual:
    """The one line that stands for the word swaps of a text in another language: no search ran (``stopped``:
    "language")."""
    c = Counterfactual(modality=amap.modality, edit=EDITS[0], flipped=False, original=verdict, label=verdict,
                       probs={}, sentence="", method=amap.method, max_forwards=options.what_if_forwards,
                       stopped="language")
    c.sentence = sentence_for(c)
    return c


def what_if(model, inputs, used: list[str], maps: list[AttributionMap], verdict: str, target: str,
            options: ExplainOptions, deadline: float | None = None, before: float | None = None
            ) -> list[Counterfactual]:
    """The what-ifs of one panel's maps: removal on the first map of each modality that kept its layout, and for
    text the word replacements too (in a text of the word table's languages; else one line saying they are not
    offered: :func:`swaps_offered`). ``before``: P(verdict) with nothing edited, which a sentence says the edit
    took the verdict from."""
    out: list[Counterfactual] = []
    seen: set[str] = set()
    for m in maps:
        layout = getattr(m, "_layout", None)  # kept by ``methods.attribute`` for this
        if layout is None or m.modality in seen or not m.scores:
            continue
        seen.add(m.modality)
        text = m.modality == "text" and getattr(inputs, "text", None) is not None and "text" in model.modalities
        read = model.encode("text", inputs.text)[0].info.get("text", inputs.text.text) if text else None
        out.append(removal(layout, m, verdict, target, options, deadline,
                           *((text_reader(model, inputs, used), read) if text else (None, None)), before=before))
        if text and (m.params or {}).get("why") == "phrases":  # a map of phrases: no word to swap (the words
            continue  # panel's line says so; "none of the words … is in the lexicon" had been said of its phrases)
        if text and not swaps_offered(read):
            out.append(not_offered(m, verdict, options))
        elif text:
            for edit in (e for e in EDITS if not (e == "neutral" and verdict == "neutral")):
                out.append(replacements(model, inputs, used, m, verdict, target, options, edit, deadline, before))
                if not out[-1].units and not out[-1].stopped:  # no word of the lexicon: the same for every edit
                    break
    return out


def deadline_for(options: ExplainOptions, started: float, spent: float = 0.0, panels_left: int = 1) -> float | None:
    """When one panel's what-ifs, starting at ``started``, stop (None without a time budget): the what-ifs share
    ``BUDGET_SHARE`` of the time budget, counted in their own seconds (``spent`` so far by the panels before),
    each panel an equal part of what is left (``panels_left``, this one among them). It was wall-clock time from the
    first panel's map: a slower panel's map, done after it, found the what-ifs' time gone without one tried."""
    if options.budget <= 0:
        return None
    return started + max(0.0, BUDGET_SHARE * options.budget - spent) / max(1, panels_left)


__all__ = ["Counterfactual", "deadline_for", "grow_and_prune", "not_offered", "ranking", "removal", "replacements",
           "sentence_for", "swaps_offered", "units_phrase", "what_if", "MOST_TAKEN", "ALL_TAKEN", "most_taken",
           "unit_name", "whole_of", "CLOSE_BETWEEN", "close_pair", "fell_to"]

