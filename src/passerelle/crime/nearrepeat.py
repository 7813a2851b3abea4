"""Near repeat: the Knox test in the banded form of Ratcliffe's Near Repeat Calculator.

Every pair of incidents falls into one cell of a table: a distance band (rows:
the same location first, then ``spatial_bands`` bands of ``spatial_bandwidth``
metres, then an open-ended band) times a time band (columns: ``temporal_bands``
bands of ``temporal_bandwidth`` days, then an open-ended band). The observed
table is compared with tables from Monte Carlo permutations that shuffle the
dates among the places (which keeps the spatial and the temporal distribution
and breaks only their interaction).

Band rule, as the calculator computes it (shown by the NearRepeat R package):
a band labelled "a to b" is the half-open interval [a-1, b). So distance band k
(1-based) is [(k-1)·bw, k·bw) without distance 0 (the "Same location" row),
and time band k is [(k-1)·bw, k·bw) days. The labels are offered both ways:
the calculator's ("1 to 100") and honest ones ("(0, 100) m").

Counting is vectorised: the pairs closer than the last distance edge are found
once with a k-d tree; each permutation only re-bins their time differences.
The open-ended distance row is the total per time band (which permuting dates
does not change) minus the near rows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from numpy.typing import NDArray
from scipy.spatial import cKDTree

from passerelle.exc import InvalidInput

Metric = Literal["manhattan", "euclidean"]
FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

# Pairs x permutations re-binned per step; bounds memory to ~100 MB.
_BATCH_CELLS = 4_000_000


@dataclass(frozen=True)
class NearRepeatSettings:
    spatial_bandwidth: float
    spatial_bands: int
    temporal_bandwidth: int
    temporal_bands: int
    distance: Metric = "manhattan"
    permutations: int = 99
    seed: int | None = None

    def __post_init__(self) -> None:
        if not self.spatial_bandwidth > 0 or self.spatial_bands < 1:
            raise InvalidInput(
                "spatial bandwidth must be positive and there must be at least one band",
                code="crime_bad_bands",
            )
        if self.temporal_bandwidth < 1 or self.temporal_bands < 1:
            raise InvalidInput(
                "temporal bandwidth must be at least one day and there must be at least one band",
                code="crime_bad_bands",
            )
        if self.distance not in ("manhattan", "euclidean"):
            raise InvalidInput(f"unknown distance {self.distance!r}", code="crime_bad_bands")
        if self.permutations < 1:
            raise InvalidInput("at least one permutation is needed", code="crime_bad_bands")


@dataclass
class NearRepeatResult:
    settings: NearRepeatSettings
    incidents: int
    observed: IntArray  # (spatial_bands + 2, temporal_bands + 1)
    expected_mean: FloatArray
    p_value: FloatArray
    simulated_min: IntArray
    simulated_max: IntArray
    nrc_labels: bool = False
    row_intervals: list[tuple[float, float]] = field(default_factory=list)
    column_intervals: list[tuple[float, float]] = field(default_factory=list)

    @property
    def knox_ratio(self) -> FloatArray:
        """Observed over mean expected; NaN where nothing was expected."""
        with np.errstate(divide="ignore", invalid="ignore"):
            out = self.observed / self.expected_mean
        out[self.expected_mean == 0] = np.nan
        return np.asarray(out, dtype=np.float64)

    @property
    def rows(self) -> list[str]:
        return row_labels(self.settings, nrc=self.nrc_labels)

    @property
    def columns(self) -> list[str]:
        return column_labels(self.settings, nrc=self.nrc_labels)

    def to_dict(self) -> dict[str, object]:
        def cells(a: FloatArray, digits: int) -> list[list[float | None]]:
            return [[None if np.isnan(v) else round(float(v), digits) for v in r] for r in a]

        s = self.settings
        return {
            "rows": self.rows,
            "columns": self.columns,
            "rows_nrc": row_labels(s, nrc=True),
            "columns_nrc": column_labels(s, nrc=True),
            "rows_honest": row_labels(s, nrc=False),
            "columns_honest": column_labels(s, nrc=False),
            "observed": self.observed.tolist(),
            "expected_mean": cells(self.expected_mean, 3),
            "knox_ratio": cells(self.knox_ratio, 3),
            "p_value": cells(self.p_value, 4),
            "simulated_min": self.simulated_min.tolist(),
            "simulated_max": self.simulated_max.tolist(),
            "incidents": self.incidents,
            "settings": {
                "spatial_bandwidth": s.spatial_bandwidth,
                "spatial_bands": s.spatial_bands,
                "temporal_bandwidth": s.temporal_bandwidth,
                "temporal_bands": s.temporal_bands,
                "distance": s.distance,
                "permutations": s.permutations,
                "seed": s.seed,
            },
        }


def _num(v: float) -> str:
    return f"{v:g}"


def row_labels(s: NearRepeatSettings, *, nrc: bool) -> list[str]:
    bw, n = s.spatial_bandwidth, s.spatial_bands
    if nrc:
        body = [f"{_num(k * bw + 1)} to {_num((k + 1) * bw)}" for k in range(n)]
        return ["Same location", *body, f"More than {_num(n * bw)}"]
    body = [f"({_num(0)}, {_num(bw)}) m"]
    body += [f"[{_num(k * bw)}, {_num((k + 1) * bw)}) m" for k in range(1, n)]
    return ["0 m", *body, f"≥ {_num(n * bw)} m"]


def column_labels(s: NearRepeatSettings, *, nrc: bool) -> list[str]:
    bw, n = s.temporal_bandwidth, s.temporal_bands
    if nrc:
        body = [f"0 to {bw}"] + [f"{k * bw + 1} to {(k + 1) * bw}" for k in range(1, n)]
        return [*body, f"More than {n * bw}"]
    body = [f"{k * bw} days" if bw == 1 else f"{k * bw}–{(k + 1) * bw - 1} days" for k in range(n)]
    return [*body, f"≥ {n * bw} days"]


def _near_pairs(xy: FloatArray, limit: float, metric: Metric) -> tuple[IntArray, FloatArray]:
    """Pairs (i < j) closer than ``limit`` and their distances."""
    p = 1.0 if metric == "manhattan" else 2.0
    tree = cKDTree(xy)
    pairs = tree.query_pairs(limit, p=p, output_type="ndarray").astype(np.int64)
    if len(pairs) == 0:
        return pairs.reshape(0, 2), np.empty(0)
    d = xy[pairs[:, 0]] - xy[pairs[:, 1]]
    dist = np.abs(d).sum(axis=1) if metric == "manhattan" else np.hypot(d[:, 0], d[:, 1])
    keep = dist < limit
    return pairs[keep], dist[keep]


def _time_totals(days: IntArray, bw: int, n: int) -> IntArray:
    """Pairs per time band over all pairs, from the sorted dates (O(n log n))."""
    t = np.sort(days)
    m = len(t)
    idx = np.arange(m)
    totals = np.zeros(n + 1, dtype=np.int64)
    below_prev = np.zeros(m, dtype=np.int64)
    for k in range(n):
        # pairs (i, j>i) with t[j] - t[i] < (k+1)*bw
        below = np.searchsorted(t, t + (k + 1) * bw, side="left") - idx - 1
        totals[k] = int((below - below_prev).sum())
        below_prev = below
    totals[n] = m * (m - 1) // 2 - int(totals[:n].sum())
    return totals


def knox_bands(
    xy: FloatArray,
    days: IntArray,
    settings: NearRepeatSettings,
    *,
    nrc_labels: bool = False,
    progress: Callable[[int], None] | None = None,
) -> NearRepeatResult:
    """The banded Knox table with Monte Carlo inference.

    ``xy``: (n, 2) projected coordinates in metres; ``days``: (n,) integer days.
    ``progress`` is called with the number of permutations just finished.
    """
    xy = np.asarray(xy, dtype=np.float64)
    days = np.asarray(days, dtype=np.int64)
    if xy.ndim != 2 or xy.shape[1] != 2 or len(xy) != len(days):
        raise InvalidInput("coordinates and dates do not line up", code="crime_bad_input")
    if len(xy) < 2:
        raise InvalidInput("at least two incidents are needed", code="crime_too_few")
    s = settings
    n_rows, n_cols = s.spatial_bands + 2, s.temporal_bands + 1
    n_cells = n_rows * n_cols
    limit = s.spatial_bands * s.spatial_bandwidth
    pairs, dist = _near_pairs(xy, limit, s.distance)
    row = np.where(dist == 0, 0, np.floor(dist / s.spatial_bandwidth).astype(np.int64) + 1)
    row = np.minimum(row, s.spatial_bands)  # guard float edge; dist < limit anyway
    totals = _time_totals(days, s.temporal_bandwidth, s.temporal_bands)
    a, b = pairs[:, 0], pairs[:, 1]
    row_code = row * n_cols

    def tables(t: IntArray) -> IntArray:
        """Tables for a (B, n) batch of date vectors -> (B, n_rows, n_cols)."""
        bsz = t.shape[0]
        col = np.abs(t[:, a] - t[:, b]) // s.temporal_bandwidth
        np.minimum(col, s.temporal_bands, out=col)
        code = col + row_code + (np.arange(bsz, dtype=np.int64) * n_cells)[:, None]
        out = np.bincount(code.ravel(), minlength=bsz * n_cells).reshape(bsz, n_rows, n_cols)
        out[:, -1, :] = totals - out[:, :-1, :].sum(axis=1)
        return out

    observed = tables(days[None, :])[0]
    rng = np.random.default_rng(s.seed)
    batch = max(1, min(s.permutations, _BATCH_CELLS // max(1, len(pairs))))
    total = np.zeros((n_rows, n_cols), dtype=np.float64)
    at_least = np.zeros((n_rows, n_cols), dtype=np.int64)
    lo = np.full((n_rows, n_cols), np.iinfo(np.int64).max, dtype=np.int64)
    hi = np.zeros((n_rows, n_cols), dtype=np.int64)
    done = 0
    while done < s.permutations:
        bsz = min(batch, s.permutations - done)
        perm = rng.permuted(np.broadcast_to(days, (bsz, len(days))), axis=1)
        sim = tables(perm)
        total += sim.sum(axis=0)
        at_least += (sim >= observed).sum(axis=0)
        np.minimum(lo, sim.min(axis=0), out=lo)
        np.maximum(hi, sim.max(axis=0), out=hi)
        done += bsz
        if progress is not None:
            progress(bsz)
    bw_s, bw_t = s.spatial_bandwidth, float(s.temporal_bandwidth)
    rows_iv = [(0.0, 0.0)] + [(k * bw_s, (k + 1) * bw_s) for k in range(s.spatial_bands)]
    cols_iv = [(k * bw_t, (k + 1) * bw_t) for k in range(s.temporal_bands)]
    return NearRepeatResult(
        settings=s,
        incidents=len(days),
        observed=observed,
        expected_mean=total / s.permutations,
        p_value=(at_least + 1) / (s.permutations + 1),
        simulated_min=lo,
        simulated_max=hi,
        nrc_labels=nrc_labels,
        row_intervals=[*rows_iv, (limit, float("inf"))],
        column_intervals=[*cols_iv, (s.temporal_bands * bw_t, float("inf"))],
    )
