"""The 2-D map of a results folder's rows: each explained row's fused features (``fused_features``: what the
fusion read its verdict from) projected by scikit-learn's PCA onto their two main axes, with its label, prediction
and the start of its text, for the Dataset tab's scatter, report.html and ``map.json``.

    m = row_map(rows)          # RowMap: points, or the one-line reason there is no map
    m.nearest(x, y).id         # the row nearest a place on the map
    m.to_dict()                # as map.json holds it (explain-batch writes one beside results.parquet)

PCA, not UMAP (not installed here): linear, exact, deterministic (the same rows give the same map), and its axes say
how much of the rows' spread they hold. Rows without features (failed, written before features were kept, or by a model
whose features have another width) are left out and counted.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

from msa_demo.i18n import said, t

MAP_FILE = "map.json"  # in a results directory: the map's points and axes, or why there is none
MIN_ROWS = 3  # fewer rows than this make no map
EIGH_WIDTH = 1024  # PCA through the covariance's eigenvectors up to this width (cost ~ rows x width²), an SVD beyond
TEXT_START = 80  # characters of a row's text kept for the map's hover


@dataclass(frozen=True)
class MapPoint:
    """One row on the map."""

    id: str
    x: float
    y: float
    label: str | None  # the manifest's label (None: unlabelled)
    predicted: str | None
    text: str  # the start of the row's text, else of the words heard in its clip ("🔊 ..."; "" without either)

    @property
    def wrong(self) -> bool:
        """A labelled row the model got wrong."""
        return bool(self.label) and self.predicted != self.label


@dataclass
class RowMap:
    """The rows' fused features in 2-D (``points``), or why there is no map (``reason``, one line)."""

    points: list[MapPoint] = field(default_factory=list)
    variance: tuple[float, float] = (0.0, 0.0)  # share of the features' variance along each axis
    width: int = 0  # the features' width
    left_out: int = 0  # explained rows without features of that width
    reason: str | None = None
    seconds: float = field(default=0.0, compare=False)  # the projection's cost
    method: str = "PCA"

    @property
    def available(self) -> bool:
        return self.reason is None

    def nearest(self, x: float, y: float) -> MapPoint | None:
        """The point nearest (x, y) on the map (None without points)."""
        return min(self.points, key=lambda p: (p.x - x) ** 2 + (p.y - y) ** 2, default=None)

    def point(self, row_id: Any) -> MapPoint | None:
        return next((p for p in self.points if p.id == str(row_id)), None)

    def axis_titles(self, lang: str = "en") -> tuple[str, str]:
        return tuple(t("{method} {axis} ({variance} of the variance)", lang, method=self.method, axis=i + 1,
                       variance=f"{v:.0%}") for i, v in enumerate(self.variance))

    def caption(self, lang: str = "en") -> str:
        """One line under the map: what it projects, and what it left out (or why there is no map)."""
        if not self.available:
            return said(self.reason or "", lang)
        left_out = t("; {n} explained rows carry none and are left out", lang, n=self.left_out) if self.left_out else ""
        return t("{kept} rows' fused features ({width} numbers each: what the fusion read its verdict from), projected "
                 "by PCA onto their two main axes ({variance} of their variance){left_out}.", lang,
                 kept=len(self.points), width=self.width, variance=f"{sum(self.variance):.0%}", left_out=left_out)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["points"] = [{**asdict(p), "wrong": p.wrong} for p in self.points]
        d["variance"] = list(self.variance)
        return d


def _features(rec: dict) -> list[float] | None:
    v = rec.get("fused_features")
    return v if v is not None and len(v) else None


def text_start(text: Any, n: int = TEXT_START) -> str | None:
    """The first ``n`` characters of a text on one line ("…" when cut); None without text."""
    if not isinstance(text, str) or not text.strip():
        return None
    line = " ".join(text.split())
    return line if len(line) <= n else line[: n - 1].rstrip() + "…"


def row_map(rows: list[dict]) -> RowMap:
    """The map of the explained rows that carry fused features (the most common width among them)."""
    t0 = time.perf_counter()
    ok = [r for r in rows if not r.get("error")]
    if not ok:
        return RowMap(reason="No row was explained, so there is nothing to map.")
    feats = [(r, f) for r in ok if (f := _features(r)) is not None]
    if not feats:
        return RowMap(left_out=len(ok), reason="No map: these rows were explained before explain-batch kept their "
                      "fused features; explain them again into a new results folder to map them.")
    width = Counter(len(f) for _, f in feats).most_common(1)[0][0]
    kept = [(r, f) for r, f in feats if len(f) == width]
    if len(kept) < MIN_ROWS:
        return RowMap(width=width, left_out=len(ok) - len(kept),
                      reason=f"No map: {len(kept)} explained row{'s carry' if len(kept) != 1 else ' carries'} fused "
                             f"features; a map needs at least {MIN_ROWS}.")
    coords, variance = project([f for _, f in kept])
    points = [MapPoint(str(r["id"]), float(x), float(y), r.get("label") or None, r.get("predicted"),
                       r.get("text_start") or (f"🔊 {r['heard']}" if r.get("heard") else ""))  # a clip's: its words
              for (r, _), (x, y) in zip(kept, coords)]
    return RowMap(points, variance, width, len(ok) - len(kept), seconds=time.perf_counter() - t0)


def write_map(store, rows: list[dict] | None = None) -> str:
    """Write ``map.json`` (:meth:`RowMap.to_dict`) into a results directory (``store.ResultsDir``); where it went."""
    import json

    m = row_map(store.rows() if rows is None else rows)
    return store.put(MAP_FILE, json.dumps(m.to_dict(), ensure_ascii=False).encode("utf-8"))


def project(features: list[list[float]]):
    """(coordinates [N, 2], the variance share of each axis): scikit-learn's PCA, exact and deterministic: the
    eigenvectors of the features' covariance up to ``EIGH_WIDTH`` numbers a row (``row_map``: 42 ms for 10 000
    rows of 12), a full SVD beyond; features that all agree put every row at (0, 0)."""
    import numpy as np
    from sklearn.decomposition import PCA
    from threadpoolctl import threadpool_limits

    x = np.asarray(features, dtype=np.float64)
    if np.ptp(x, axis=0).max(initial=0.0) == 0.0:
        return np.zeros((len(x), 2)), (0.0, 0.0)
    k = min(2, x.shape[1], x.shape[0])
    pca = PCA(n_components=k, svd_solver="covariance_eigh" if x.shape[1] <= EIGH_WIDTH else "full")
    with threadpool_limits(limits=1):  # one BLAS thread (threadpoolctl comes with scikit-learn): on a busy server
        # more threads made it 4 to 27 times slower (benchmarks/dataset_map.py)
        coords = pca.fit_transform(x)
    ratio = [float(v) for v in pca.explained_variance_ratio_]
    if k < 2:
        coords = np.hstack([coords, np.zeros((len(x), 2 - k))])
        ratio += [0.0] * (2 - k)
    return coords, (ratio[0], ratio[1])


__all__ = ["MAP_FILE", "MIN_ROWS", "MapPoint", "RowMap", "project", "row_map", "text_start", "write_map"]
