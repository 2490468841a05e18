"""The columns of a results row, from the registered modality kinds (``msa_demo.registry.kinds()``, in order):
the ground floor of dataset mode (``store``, ``rows`` and ``report`` read their columns here; it imports none of
them).

Per registered modality ``m`` (the built-ins text, image, audio, video, then any registered kind):

    m_sha256                 the input's hash (None: not given)
    m_prob_<class>           what its own model says alone, per class
    shapley_m                its modality Shapley value
    interaction_a_b          the interaction of each pair, in registry order (text_image, text_audio, ...)
    top_<parts>              its first map's top parts ({label, score}); <parts> is the last word of the kind's
                             ``panel`` (words, regions, segments, moments, ...) unless another kind took it first,
                             else top_<m>

and once per row ``too_close`` (the fused verdict is a near-tie: the top two classes too close to call, the
dashboard's rule, ``views.near_tie``; ``predicted`` still names the likelier one), ``text_start`` (the text's first
80 characters, for the map's hover), ``text`` (the text whole, up to ``rows.TEXT_KEPT`` characters, its cut said:
results.csv's), ``group`` (the manifest's group column: the report's slices by it), ``outside_languages`` (the
modalities whose words are in a language their model was not trained on), ``heard`` (the first 80 characters of what speech recognition heard in the
row's audio or its video's sound track; None when nothing was transcribed), ``top_at`` (where the strongest part
of each map over a clip's time segments falls, as a share of the clip: :data:`TOP_AT`) and ``fused_features``: what
the fusion read its verdict from (float32; ``fusion.read``; the dataset map projects it; None in folders written
before it was kept, and in failed rows).

A results folder written while other kinds were registered keeps their columns in its rows log; ``results.parquet``
holds the columns of the kinds registered when it is written.
"""

from __future__ import annotations

import hashlib
import json
from itertools import combinations
from typing import Any

from msa_demo import registry
from msa_demo.config import SENTIMENTS


def modalities() -> tuple[str, ...]:
    """The registered modality names, in order."""
    return registry.names()


def hash_column(modality: str) -> str:
    return f"{modality}_sha256"


def hash_columns() -> tuple[str, ...]:
    return tuple(hash_column(m) for m in modalities())


# what a row was explained with (``local.settings_digest``: the preset, the options, the target, --use, --top,
# --face-anyway): a row done with other settings runs again
SETTINGS_COLUMN = "settings_sha256"
LABEL_NOT_USED = "The label was not used"  # a row's notice, then why: its label is no sentiment


# {modality, at}: the middle of the strongest part of a map over a clip's time segments (video moments, audio
# segments of the sound itself; not recognised words), as a share of the clip's length (0 its start, 1 its end):
# second 2-3 of one clip is not second 2-3 of another, a share of each is comparable across a set
TOP_AT = "top_at"


def prob_column(modality: str, sentiment: str) -> str:
    return f"{modality}_prob_{sentiment}"


def shapley_column(modality: str) -> str:
    return f"shapley_{modality}"


def pairs() -> tuple[tuple[str, str], ...]:
    """Every pair of registered modalities, in registry order: (text, image), (text, audio), ..."""
    return tuple(combinations(modalities(), 2))


def interaction_column(a: str, b: str) -> str:
    """The column of the pair's interaction, whichever order the pair is named in."""
    order = modalities()
    if a in order and b in order and order.index(b) < order.index(a):
        a, b = b, a
    return f"interaction_{a}_{b}"


def top_lists() -> dict[str, str]:
    """{modality: its top list's column}, the built-ins' as ever: top_words, top_regions, top_segments."""
    out: dict[str, str] = {}
    for kind in registry.kinds():
        words = kind.panel.split()
        for column in (f"top_{words[-1]}" if words else "", f"top_{kind.name}", f"top_{kind.name}_parts"):
            if column[4:].isidentifier() and column not in out.values():
                out[kind.name] = column
                break
    return out


def top_titles() -> dict[str, str]:
    """{top list column: its heading}: the kind's panel name ("Words", "Image regions") or its title."""
    kinds = {k.name: k for k in registry.kinds()}
    return {col: (kinds[m].panel or kinds[m].title)[:1].upper() + (kinds[m].panel or kinds[m].title)[1:]
            for m, col in top_lists().items()}


def sha16(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


def value_digest(modality: str, value: Any) -> str | None:
    """A manifest value's hash (first 16 hex digits of sha256), None when absent: a file kind's bytes (a URI: its
    text; ``media.digest``), a string's UTF-8, any other value's JSON."""
    from msa_demo.dataset.media import digest

    if value is None or (isinstance(value, str) and not value):
        return None
    if registry.get(modality).manifest_file:
        return digest(value)
    if isinstance(value, str):
        return sha16(value.encode("utf-8"))
    return sha16(json.dumps(value, sort_keys=True, ensure_ascii=False, default=str).encode("utf-8"))


def schema():
    """The Arrow schema of ``results.parquet`` (explicit, so a column that is all empty keeps its type)."""
    import pyarrow as pa

    f64, s = pa.float64(), pa.string()
    scored = pa.list_(pa.struct([("label", s), ("score", f64)]))
    names = modalities()
    cols = [("index", pa.int64()), ("id", s), *[(h, s) for h in hash_columns()], (SETTINGS_COLUMN, s),
            ("label", s), ("label_given", s), ("label_read_as", s), ("predicted", s), ("too_close", pa.bool_()),
            ("target", s), ("used", pa.list_(s)),
            ("not_read", pa.list_(s))]
    cols += [(f"prob_{x}", f64) for x in SENTIMENTS]
    cols += [(prob_column(m, x), f64) for m in names for x in SENTIMENTS]
    cols += [(shapley_column(m), f64) for m in names]
    cols += [(interaction_column(a, b), f64) for a, b in pairs()]
    cols += [("conflict", pa.bool_()), ("conflict_detail", s), ("language", s), ("outside_languages", pa.list_(s)),
             ("text_start", s), ("text", s), ("heard", s), ("group", s)]
    cols += [(col, scored) for col in top_lists().values()]
    cols += [(TOP_AT, pa.list_(pa.struct([("modality", s), ("at", f64)])))]
    cols += [("fused_features", pa.list_(pa.float32()))]
    cols += [("maps", pa.list_(pa.struct([("modality", s), ("method", s), ("verdict", s), ("aopc", f64),
                                          ("aopc_random", f64), ("delta", f64), ("sanity_spearman", f64),
                                          ("why", pa.list_(s))]))),
             ("unfaithful", pa.bool_()), ("forward_passes", pa.int64()), ("seconds", f64),
             ("notices", pa.list_(s)), ("error", s), ("explanation", s)]
    return pa.schema(cols)


def safe_name(row_id: str) -> str:
    """A file name for a row id: letters, digits, '.', '_' and '-' kept, anything else '_'."""
    import re

    name = re.sub(r"[^A-Za-z0-9._-]", "_", row_id).strip(".") or "row"
    return name[:120]


__all__ = ["TOP_AT", "hash_column", "hash_columns", "interaction_column", "modalities", "pairs", "prob_column", "safe_name",
           "schema", "sha16", "shapley_column", "top_lists", "top_titles", "value_digest"]
