"""Getis-Ord Gi* with conditional permutation inference and false-discovery control.

The statistic and its analytical moments are esda's ``G_Local(star=True,
transform="B")``; the conditional randomisation draws, like esda's, one table of
neighbour ids per permutation (``permutations × max cardinality`` ids from the
n-1 other cells) shared by all cells, and keeps cell i's own value fixed. The
difference is speed: all cells of a batch are handled at once with NumPy (esda
loops over cells in Python unless numba is installed), which the benchmark
measures. With the same seed the p-values equal esda's (tested).

False-discovery control: Benjamini-Hochberg (``scipy.stats.false_discovery_control``)
over the pseudo p-values of the permutation distribution (esda's ``p_z_sim``: the
observed Gi* standardised by the mean and spread of its own permutations), by
default. The folded rank p-value (``p_sim``) cannot go below 1/(permutations+1),
so with thousands of cells BH would need tens of thousands of permutations to
flag anything; ``fdr_on="sim"`` uses it all the same.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray
from scipy import sparse
from scipy.stats import false_discovery_control, norm

from passerelle.exc import InvalidInput

FloatArray = NDArray[np.float64]
_BATCH_ELEMENTS = 6_000_000


@dataclass
class GiStarResult:
    gi: FloatArray  # Gs: (W y)_i / sum(y), self included
    expected: FloatArray
    z: FloatArray  # analytical z-score
    p_sim: FloatArray  # folded permutation p-value (esda's "directed")
    z_sim: FloatArray  # (gi - mean of permutations) / their standard deviation
    p_z_sim: FloatArray  # normal tail of |z_sim| (esda's p_z_sim)
    q: FloatArray  # Benjamini-Hochberg adjusted p-values (p_z_sim or p_sim)
    permutations: int

    def classes(self, alpha: float = 0.05) -> list[str]:
        """'hot', 'cold' or '' per cell, at false-discovery rate ``alpha``."""
        out = []
        for z, q in zip(self.z, self.q, strict=True):
            out.append(("hot" if z > 0 else "cold") if q <= alpha else "")
        return out


def _permuted_ids(n: int, k: int, permutations: int, seed: int | None) -> NDArray[np.int64]:
    """esda's draw: per permutation, ``k`` distinct ids from ``range(n - 1)``."""
    rs = np.random.RandomState(seed)  # the same stream as esda, on purpose
    out = np.empty((permutations, k), dtype=np.int64)
    for p in range(permutations):
        out[p] = rs.choice(n - 1, size=k, replace=False)
    return out


def gi_star(
    y: FloatArray,
    w: sparse.csr_matrix,
    *,
    permutations: int = 999,
    seed: int | None = None,
    fdr_on: Literal["z_sim", "sim"] = "z_sim",
    progress: Callable[[int], None] | None = None,
) -> GiStarResult:
    """Gi* of counts ``y`` on binary neighbours ``w`` (no diagonal; self added here)."""
    y = np.asarray(y, dtype=np.float64)
    n = len(y)
    if n < 3 or w.shape != (n, n):
        raise InvalidInput(
            "Gi* needs at least three cells and matching weights", code="crime_too_few"
        )
    total = float(y.sum())
    if total <= 0:
        raise InvalidInput("no incidents in the study area", code="crime_too_few")
    w = sparse.csr_matrix(w, dtype=np.float64)
    w.setdiag(0)
    w.eliminate_zeros()
    card = np.diff(w.indptr).astype(np.int64)
    lag = w @ y + y
    gi = lag / total
    # analytical moments (esda G_Local.calc with star)
    mean = total / n
    var_y = float((y**2).sum()) / n - mean**2
    k_star = card + 1.0
    expected = k_star / n
    var_g = k_star * (n - k_star) / (n - 1) / n**2 * (var_y / mean**2)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(var_g > 0, (gi - expected) / np.sqrt(var_g), 0.0)
    p_sim, z_sim = np.ones(n), np.zeros(n)
    if permutations > 0:
        p_sim, z_sim = _crand(y, w, card, gi, total, permutations, seed, progress)
    p_z_sim = np.asarray(norm.sf(np.abs(z_sim)))
    q = false_discovery_control(p_z_sim if fdr_on == "z_sim" else p_sim, method="bh")
    return GiStarResult(
        gi, expected, np.asarray(z), p_sim, z_sim, p_z_sim, np.asarray(q), permutations
    )


def _crand(
    y: FloatArray,
    w: sparse.csr_matrix,
    card: NDArray[np.int64],
    gi: FloatArray,
    total: float,
    permutations: int,
    seed: int | None,
    progress: Callable[[int], None] | None,
) -> tuple[FloatArray, FloatArray]:
    """Folded p-values and pseudo z-scores (from the permutations' mean and spread)."""
    n = len(y)
    kmax = int(card.max()) if n else 0
    if kmax == 0:
        return np.ones(n), np.zeros(n)
    ids = _permuted_ids(n, kmax, permutations, seed)  # (P, kmax), ids into the n-1 others
    # For cell i the others are y without y[i]: id r means y[r] if r < i, else y[r + 1].
    # So a draw's sum is sum(a) + sum over ids >= i of (b - a), with a = y[ids], b = y[ids + 1]:
    # no gather per cell, only a comparison (vectorised over a batch of cells).
    a = y[ids]
    diff = y[np.minimum(ids + 1, n - 1)] - a
    prefix = np.concatenate([np.zeros((permutations, 1)), np.cumsum(a, axis=1)], axis=1)
    larger = np.zeros(n, dtype=np.int64)
    z_sim = np.zeros(n)
    batch = max(1, _BATCH_ELEMENTS // (permutations * kmax))
    cols = np.arange(kmax)
    for start in range(0, n, batch):
        sites = np.arange(start, min(n, start + batch))
        k = card[sites]
        shift = (ids[None, :, :] >= sites[:, None, None]) & (cols[None, None, :] < k[:, None, None])
        draws = prefix[:, k].T + np.einsum("bpk,pk->bp", shift, diff)
        rgs = (draws + y[sites, None]) / total  # (B, P)
        larger[sites] = (rgs >= gi[sites, None]).sum(axis=1)
        sd = rgs.std(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            z_sim[sites] = np.where(sd > 0, (gi[sites] - rgs.mean(axis=1)) / sd, 0.0)
        if progress is not None:
            progress(len(sites))
    fold = (permutations - larger) < larger
    larger[fold] = permutations - larger[fold]
    return (larger + 1) / (permutations + 1), z_sim


def p_norm(z: FloatArray) -> FloatArray:
    """One-sided normal p-value of |z| (esda's ``p_norm``)."""
    return np.asarray(norm.sf(np.abs(z)))
