"""Map a model's own labels (read from its ``id2label``) onto negative / neutral / positive.

``SENTIMENTS`` (in ``msa_demo.config``) fixes the order of every sentiment vector; the helpers here are the one
place that order is applied: label maps, trained heads' label lists, and plain ``{sentiment: p}`` dicts.
A manifest's raw labels (``map_label``) and the scores against them (``compute_metrics``) live here too, shared by
``train`` and ``explain-batch``.
"""

from __future__ import annotations

import re
from typing import Any, Iterable, Sequence

import numpy as np
import torch

from msa_demo.config import SENTIMENTS
from msa_demo.errors import InputError, ModelLoadError
from msa_demo.optionspec import OptionSpec


def _norm(label: str) -> str:
    return str(label).strip().lower()


def sentiment_matrix(id2label: dict[int, str], label_map: dict[str, str]) -> torch.Tensor:
    """A [num_labels, 3] 0/1 matrix: row i has a 1 in the sentiment that model label i maps onto.

    ``id2label`` is the model's own order; ``label_map`` is matched case-insensitively. A label mapped to
    "ignore" gets an all-zero row (its probability is dropped and the rest renormalised).
    """
    wanted = {_norm(k): v for k, v in label_map.items()}
    n = len(id2label)
    mat = torch.zeros(n, len(SENTIMENTS))
    missing = []
    for i in range(n):
        label = id2label.get(i, id2label.get(str(i)))  # configs may key by str
        target = wanted.get(_norm(label))
        if target is None:
            missing.append(label)
        elif target != "ignore":
            mat[i, SENTIMENTS.index(target)] = 1.0
    if missing:
        raise ModelLoadError(
            f"The model has labels the preset does not map onto sentiment: {', '.join(map(str, missing))}. "
            "Add them to the preset's label_map."
        )
    if mat.sum() == 0:
        raise ModelLoadError("The preset's label_map ignores every label of the model.")
    return mat


def to_sentiment(probs: torch.Tensor, matrix: torch.Tensor) -> torch.Tensor:
    """Model-label probabilities [..., L] -> sentiment probabilities [..., 3] (renormalised)."""
    out = probs @ matrix.to(device=probs.device, dtype=probs.dtype)
    return out / out.sum(-1, keepdim=True).clamp_min(1e-12)


def labels_to_sentiment(probs: torch.Tensor, labels: Sequence[str]) -> torch.Tensor:
    """[B, len(labels)] probabilities over sentiment names (any order or subset) -> [B, 3] in SENTIMENTS order.

    A 2-way head (negative / positive) gives neutral 0. No renormalisation: the rows keep their sums.
    """
    out = torch.zeros(probs.shape[0], len(SENTIMENTS), dtype=probs.dtype, device=probs.device)
    for j, lab in enumerate(labels):
        out[:, SENTIMENTS.index(lab)] += probs[:, j]
    return out


def probs_dict(t: torch.Tensor) -> dict[str, float]:
    """A sentiment vector ([3] or [1, 3], SENTIMENTS order) as ``{"negative": p, "neutral": p, "positive": p}``."""
    flat = t.reshape(-1)
    return {s: float(flat[i]) for i, s in enumerate(SENTIMENTS)}


# ---------------------------------------------------------------- a manifest's labels and scores against them

LABEL_SETS: dict[str, list[str]] = {
    "3": ["negative", "neutral", "positive"],
    "2": ["negative", "positive"],
    "emotion7": ["negative", "neutral", "positive"],
}
# Ekman's six emotions + neutral onto sentiment (surprise can go either way: neutral), in the words and codes of
# the usual emotion sets: IEMOCAP's and CREMA-D's three letters (ang, hap, exc, fru ...), RAVDESS's adjectives
# (fearful, surprised; calm is neutral), AffectNet's contempt
EMOTION7 = {
    "anger": "negative", "angry": "negative", "ang": "negative", "disgust": "negative", "disgusted": "negative",
    "dis": "negative", "fear": "negative", "fearful": "negative", "fea": "negative", "sadness": "negative",
    "sad": "negative", "contempt": "negative", "frustration": "negative", "frustrated": "negative", "fru": "negative",
    "joy": "positive", "happy": "positive", "happiness": "positive", "hap": "positive", "excited": "positive",
    "excitement": "positive", "exc": "positive",
    "surprise": "neutral", "surprised": "neutral", "sur": "neutral", "neutral": "neutral", "neu": "neutral",
    "calm": "neutral",
    # in Chinese (NLPCC's and the Chinese emotion sets' words)
    "愤怒": "negative", "生气": "negative", "厌恶": "negative", "恐惧": "negative", "害怕": "negative",
    "悲伤": "negative", "难过": "negative", "高兴": "positive", "快乐": "positive", "喜悦": "positive",
    "喜欢": "positive", "惊讶": "neutral",
    # dair-ai's emotion set (Saravia et al. 2018: love) and TweetEval's emotion task (optimism)
    "love": "positive", "optimism": "positive",
}
_ALIASES = {"neg": "negative", "neu": "neutral", "pos": "positive", "-1": "negative", "0": "neutral",
            "1": "positive", "+": "positive", "-": "negative",  # a hand-labelled sheet's shorthand
            # in Chinese: the words this app's own tables and reports write, and the usual others
            "正面": "positive", "积极": "positive", "正向": "positive", "好评": "positive",
            "负面": "negative", "消极": "negative", "负向": "negative", "差评": "negative",
            "中性": "neutral", "中立": "neutral"}
# the five classes' names of SST-5 and its kin ("very positive"): read as their side
DEGREES = ("very", "strongly", "extremely", "somewhat", "slightly", "mostly", "weakly")


# Numbered labels, read by the numbers the whole label column holds (a lone row cannot tell 0 = negative of a
# binary set from 0 = neutral of -1 / 0 / 1): the usual numberings of sentiment sets.
NUMBERINGS: dict[str, dict[str, str]] = {
    "-1 / 0 / 1": {"-1": "negative", "0": "neutral", "1": "positive"},
    "0 / 1": {"0": "negative", "1": "positive"},  # binary sets: SST-2, IMDB, Hugging Face's yelp_polarity
    "1 / 2": {"1": "negative", "2": "positive"},  # Yelp and Amazon polarity as distributed (Zhang et al. 2015's CSVs)
    "0 / 1 / 2": {"0": "negative", "1": "neutral", "2": "positive"},  # TweetEval, SemEval
    "0 to 4": {"0": "negative", "1": "negative", "2": "neutral", "3": "positive", "4": "positive"},  # SST-5
    "1 to 5": {"1": "negative", "2": "negative", "3": "neutral", "4": "positive", "5": "positive"},  # star ratings
    # ratings out of 10 as the IMDB review set reads them (Maas et al. 2011: 4 or less negative, 7 or more positive)
    "1 to 10": {**{str(n): "negative" for n in range(1, 5)}, "5": "neutral", "6": "neutral",
                **{str(n): "positive" for n in range(7, 11)}},
}
DEFAULT_NUMBERING = "-1 / 0 / 1"
# A column that holds sentiment words with its numbers ("pos", "neg", "0") and none below 0: which sentiment a
# number means is not guessed from the few numbers there (a lone 0 read as 0 / 1's negative had meant neutral), nor
# from a column whose only number is 0 (negative in 0 / 1, neutral in -1 / 0 / 1): such numbers are not read, and
# each row says so.
AMONG_WORDS = "numbers among words"
ZERO_ALONE = "0 alone"
# Sentiment scores (the field's own sets: averaged annotators' ratings), read as their sets' papers read three
# classes: CMU-MOSI and MOSEI (-3 to 3) round the score clipped to -1..1 (neutral from -0.5 to 0.5); CH-SIMS
# (-1 to 1) keeps -0.1 to 0.1 neutral. A 2-way set reads a score below 0 as negative, else positive ("Has0").
SCORES: dict[str, float] = {"scores -3 to 3": 0.5, "scores -1 to 1": 0.1}  # numbering -> neutral half-width
SCORE_SETS = {"scores -3 to 3": "CMU-MOSI / MOSEI", "scores -1 to 1": "CH-SIMS"}
SCORE_RANGE = {"scores -3 to 3": 3.0, "scores -1 to 1": 1.0}  # a score beyond it is on no such scale
# The scale of a label column's scores, when it is said rather than told from them (a MOSI subset whose scores all lie
# in -1..1 had been read as CH-SIMS, with no way to say otherwise but to write the labels as words): the scale's name
# -> its numbering in SCORES. ``label_read_as`` records a scale said as "--label-scale mosi" (:data:`SCALED`).
LABEL_SCALES = {"mosi": "scores -3 to 3", "sims": "scores -1 to 1"}
LABEL_SCALE = OptionSpec(
    name="label_scale", default="auto", kind=str, choices=("auto", *LABEL_SCALES), label="--label-scale",
    help="the scale of the label column's sentiment scores: mosi (-3 to 3, as CMU-MOSI and MOSEI: neutral from -0.5 "
         "to 0.5), sims (-1 to 1, as CH-SIMS: neutral from -0.1 to 0.1), or auto (told from the scores the column "
         "holds: -1 to 1 when all lie within, -3 to 3 else; scores with none below 0 are not guessed at) "
         "(default: auto)")
SCALED = LABEL_SCALE.flag  # how a row's score was read when its scale was said: "--label-scale mosi"
# Scores (some not whole) with none below 0: a positive-only subset of CH-SIMS (0.2, 0.8, 1.0) had been read in part,
# 1.0 as 0 / 1's positive and the others not at all. Which scale they are on is not guessed: none is read, said once.
UNSIGNED = "scores, none below 0"


NOT_A_SCALE = "--label-scale '{name}' is not one of {choices}."


def label_scale(name: str | None) -> str | None:
    """``--label-scale``'s numbering in ``SCORES`` (None for auto or none); a name it does not know is one line."""
    if name in (None, "", LABEL_SCALE.default):
        return None
    name = str(name).strip().lower()
    if name not in LABEL_SCALES:
        raise InputError(NOT_A_SCALE.format(name=name, choices=", ".join(LABEL_SCALE.choices)))
    return LABEL_SCALES[name]


_STARS = re.compile(r"(\d+)\s*(?:stars?|星)", re.IGNORECASE)  # a star rating's name: "1 star", "5 stars", "4 星"
_DECIMAL_COMMA = re.compile(r"-?\d+,\d{1,2}")  # a European spreadsheet's "4,5" (not a thousands comma: "1,000")


def label_score(raw: Any) -> float | None:
    """A label that is a finite number as that number ("-1.4" -> -1.4, "-1,4" with a decimal comma too, a star
    rating "5 stars" -> 5); None for any other label."""
    if isinstance(raw, bool):
        return None
    text = str(raw).strip()
    if _DECIMAL_COMMA.fullmatch(text):
        text = text.replace(",", ".")
    stars = _STARS.fullmatch(text)
    try:
        value = float(stars.group(1) if stars else text)
    except ValueError:
        return None
    return value if np.isfinite(value) else None


def label_number(raw: Any) -> str | None:
    """A label that is a whole number as its digits ("1.0" -> "1"); None for any other label."""
    value = label_score(raw)
    return str(int(value)) if value is not None and value.is_integer() else None


def label_numbering(raws: Iterable[Any]) -> str:
    """Which of ``NUMBERINGS`` (or ``SCORES``) a label column's numbers follow, by the numbers it holds: scores
    when some are below 0 and some are not whole or lie beyond -1..1 (-1 to 1 when all lie within, else -3 to
    3); else any below 0 -> -1 / 0 / 1; only 0 and 1 -> 0 / 1; 1 and 2 -> 1 / 2; 0 to 2 -> 0 / 1 / 2; 0 with 3
    or 4 -> 0 to 4; 1 to 3, 4 or 5 -> 1 to 5 (star ratings); 1 to 9 or 10 -> 1 to 10. Other numbers (FER2013's
    emotion codes 0 to 6) follow none: "numbers 0 to 6", which :func:`map_label` does not guess at, and says so;
    nor at numbers among sentiment words that hold no number below 0 (``AMONG_WORDS``: "pos", "neg", "0"; with a
    -1 they are -1 / 0 / 1's) or a column whose only number is 0 (``ZERO_ALONE``), nor at scores (some not whole)
    with none below 0 (``UNSIGNED``: their scale is said with ``--label-scale``)."""
    raws = [r for r in raws if r is not None and str(r).strip()]
    values = [v for v in (label_score(r) for r in raws) if v is not None]
    plain = [v for r, v in zip(raws, map(label_score, raws)) if v is not None and not _STARS.fullmatch(str(r).strip())]
    if plain and min(plain) >= 0 and any(_is_word(r) for r in raws):  # (a -1: -1 / 0 / 1's; "5 stars": a rating's)
        return AMONG_WORDS
    if values and min(values) < 0 and max(abs(v) for v in values) <= 3 and (
            any(not v.is_integer() for v in values) or max(abs(v) for v in values) > 1):
        return "scores -1 to 1" if max(abs(v) for v in values) <= 1 else "scores -3 to 3"
    if plain and min(plain) >= 0 and any(not v.is_integer() for v in plain):
        return UNSIGNED
    numbers = {int(v) for v in values if v.is_integer()}
    if not numbers or min(numbers) < 0:
        return DEFAULT_NUMBERING
    low, top = min(numbers), max(numbers)
    if numbers == {0} and all(v.is_integer() for v in values):
        return ZERO_ALONE
    if low >= 0 and top <= 1:
        return "0 / 1"
    if low >= 1 and top == 2:  # (a column of 2s alone: positive, as every numbering with a 2 at its top reads it)
        return "1 / 2"
    if low == 0 and top == 2:
        return "0 / 1 / 2"
    if low == 0 and top <= 4:
        return "0 to 4"
    if low >= 1 and top <= 5:
        return "1 to 5"
    if low >= 1 and top in (9, 10):
        return "1 to 10"
    return f"numbers {low} to {top}"


def _is_word(raw: Any) -> bool:
    """A label that is no number and reads as a sentiment ("pos", "+", "happy")."""
    if label_score(raw) is not None:
        return False
    try:
        map_label(raw, "3")
    except InputError:
        return False
    return True


NAMED = "--label-names"  # how a row's number was read when the names were given (``label_read_as``)
LABEL_NAMES_HELP = ("the label column's numbers as names: in order from 0, as a ClassLabel lists them (FER2013's "
                    "angry,disgust,fear,happy,sad,surprise,neutral), or number by number (1=neutral,2=calm,3=happy)")


def parse_label_names(spec: str | None) -> dict[str, str]:
    """``--label-names``: {number: name}. "a,b,c" names 0, 1, 2 ...; "1=neutral,3=happy" names those numbers. A
    name that is no sentiment or emotion this reads, or a pair that is not NUMBER=NAME, is one line."""
    items = [i.strip() for i in (spec or "").split(",") if i.strip()]
    if not items:
        return {}
    paired = ["=" in i for i in items]
    if any(paired) and not all(paired):
        raise InputError("--label-names takes names in order (angry,disgust,fear) or NUMBER=NAME pairs "
                         "(1=neutral,2=calm), not both.")
    names: dict[str, str] = {}
    for n, item in enumerate(items):
        number, name = (x.strip() for x in item.partition("=")[::2]) if all(paired) else (str(n), item)
        if label_number(number) is None or not name:
            raise InputError(f"--label-names: '{item}' is not NUMBER=NAME (such as 1=neutral).")
        try:
            map_label(name, "3")
        except InputError:
            raise InputError(f"--label-names: '{name}' is no sentiment or emotion this reads (negative, neutral, "
                             "positive, or an emotion such as angry, happy, sad).") from None
        names[label_number(number)] = name
    return names


def named_label(raw: Any, names: dict[str, str]) -> Any:
    """A numbered label as its name from ``--label-names`` ("3" -> "happy"); any other label as it is. A number the
    names leave out is not read by the column's numbers (one :class:`InputError`)."""
    number = label_number(raw) if names and raw not in (None, "") else None
    if number is None:
        return raw
    if number not in names:
        raise InputError(f"Label '{raw}' is a number --label-names does not name.")
    return names[number]


def score_sentiment(value: float, numbering: str, two_way: bool = False) -> str:
    """A sentiment score's class in the ``SCORES`` numbering (its neutral band; 2-way: below 0 negative)."""
    if two_way:
        return "negative" if value < 0 else "positive"
    band = SCORES[numbering]
    return "negative" if value < -band else "positive" if value > band else "neutral"


SCALE_NOT_GUESSED = ("Label '{label}' is a score, and the label column's scores hold none below 0, so their scale is "
                     "not guessed (0.4 is positive on CH-SIMS's -1 to 1, neutral on CMU-MOSI's -3 to 3); say it with "
                     "--label-scale sims or --label-scale mosi, or write negative, neutral or positive.")
BEYOND_SCALE = ("Label '{label}' lies beyond the scores' {scale}, so it is not read; say the scale its scores are on "
                "with --label-scale (mosi: -3 to 3, sims: -1 to 1).")


def map_label(raw: Any, label_set: str, numbering: str = DEFAULT_NUMBERING) -> str:
    """One raw label onto a sentiment name of ``LABEL_SETS[label_set]`` (aliases and emotions included); a
    number by ``NUMBERINGS[numbering]`` or ``SCORES[numbering]`` (the label column's, :func:`label_numbering`;
    in a 2-way set 0 is negative)."""
    text = str(raw).strip().lower()
    number, score = label_number(raw), label_score(raw)
    if numbering in SCORES and score is not None and label_set != "emotion7":
        if abs(score) > SCORE_RANGE[numbering]:
            raise InputError(BEYOND_SCALE.format(label=raw, scale=numbering[len("scores "):]))
        text = score_sentiment(score, numbering, two_way=label_set == "2")
    elif numbering == UNSIGNED and score is not None and label_set != "emotion7":
        raise InputError(SCALE_NOT_GUESSED.format(label=raw))
    elif number is not None and label_set != "emotion7":
        if label_set == "2" and numbering in (DEFAULT_NUMBERING, ZERO_ALONE):
            numbering = "0 / 1"  # a 2-way set has no neutral for 0 to be
        if numbering == AMONG_WORDS:
            raise InputError(f"Label '{raw}' is a number among word labels (pos, neg ...), and which sentiment a "
                             "number means there is not guessed; write negative, neutral or positive in its place, or "
                             f"name the numbers with --label-names (such as {number}=neutral).")
        if numbering == ZERO_ALONE:
            raise InputError(f"Label '{raw}' is the label column's only number, and 0 alone does not tell which "
                             "numbering it follows (negative in 0 / 1, neutral in -1 / 0 / 1); write negative, "
                             "neutral or positive, or name it with --label-names (such as 0=neutral).")
        if numbering not in NUMBERINGS:
            raise InputError(f"Label '{raw}' is a number, and the label column's {numbering} follow none of the "
                             "numberings read (0 / 1, 1 / 2, 0 / 1 / 2, -1 / 0 / 1, 0 to 4, 1 to 5 stars, 1 to 10); "
                             "name them with --label-names (FER2013's: angry,disgust,fear,happy,sad,surprise,"
                             "neutral).")
        text = NUMBERINGS[numbering].get(number, text)
    if label_set == "emotion7" or (label_set == "3" and text in EMOTION7):  # an emotion: its sentiment
        if text in EMOTION7:
            return EMOTION7[text]
        raise InputError(f"Unknown emotion label '{raw}' (use anger, disgust, fear, sadness, joy, surprise, neutral).")
    labels = LABEL_SETS[label_set]
    text = _ALIASES.get(text, text)
    degree, _, side = text.partition(" ")
    if degree in DEGREES and side in ("positive", "negative"):
        text = side
    if text not in labels and score is not None and number is None:
        raise InputError(f"Label '{raw}' is a score, and scores are read only from a label column that holds "
                         "negative ones too (-1 to 1 as CH-SIMS, -3 to 3 as CMU-MOSI); write negative, neutral or "
                         "positive.")
    if text not in labels:
        raise InputError(f"Label '{raw}' is not one of {', '.join(labels)}.")
    return text


def compute_metrics(y_true: Sequence[int], y_pred: Sequence[int], labels: Sequence[str],
                    over: Sequence[str] | None = None) -> dict[str, Any]:
    """Accuracy, macro precision / recall / F1 (0 where undefined) and the confusion matrix (rows = truth). The
    macro means are over the classes that occur in the truth or the predictions, as scikit-learn's: a class no
    row has and none was predicted (neutral, in a positive / negative set) had counted as 0 ("5 labelled rows:
    accuracy 1.000, macro F1 0.667"). ``over``: the classes the means are over instead (scikit-learn's
    ``labels=``): a binary set's two, where a row predicted neutral is wrong but neutral is no class averaged."""
    c = len(labels)
    cm = np.zeros((c, c), dtype=np.int64)
    for t, p in zip(y_true, y_pred):
        cm[int(t), int(p)] += 1
    n = int(cm.sum())
    tp = np.diag(cm).astype(float)
    pred_n, true_n = cm.sum(0).astype(float), cm.sum(1).astype(float)
    prec = np.divide(tp, pred_n, out=np.zeros(c), where=pred_n > 0)
    rec = np.divide(tp, true_n, out=np.zeros(c), where=true_n > 0)
    f1 = np.divide(2 * prec * rec, prec + rec, out=np.zeros(c), where=(prec + rec) > 0)
    seen = (true_n + pred_n) > 0 if over is None else np.array([lab in over for lab in labels])
    return {
        "n": n,
        "accuracy": float(tp.sum() / n) if n else 0.0,
        "macro_precision": float(prec[seen].mean()) if seen.any() else 0.0,
        "macro_recall": float(rec[seen].mean()) if seen.any() else 0.0,
        "macro_f1": float(f1[seen].mean()) if seen.any() else 0.0,
        "per_class": {lab: {"precision": float(prec[i]), "recall": float(rec[i]), "f1": float(f1[i]),
                            "support": int(true_n[i])} for i, lab in enumerate(labels)},
        "labels": list(labels),
        "confusion_matrix": cm.tolist(),
    }
