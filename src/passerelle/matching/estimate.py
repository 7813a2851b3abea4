"""Estimating the Fellegi–Sunter weights from the lists being linked (``--estimate``).

The fixed weights of ``features.py`` are set for police registers. Two arbitrary lists
(a joint action's list, a benchmark) may have their own error profile; as splink
does, we then estimate the parameters from the data itself:

* ``u`` (how often a level occurs between two *different* persons) from pairs drawn
  at random, which are almost all non-matches;
* ``m`` (how often it occurs for the *same* person) and the share of matches among
  the candidate pairs by expectation–maximisation on the candidate pairs, ``u`` held.

The estimated weight of a level is ``log2(m/u)`` and the prior is the estimated log2
odds of a match among candidate pairs; the score stays a probability.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

Levels = dict[str, str]  # feature -> level, for one compared pair
MISSING = frozenset({"missing", "invalid", "invalid_not_compared", "not_compared"})
SMOOTHING = 0.5


def levels_of(explanation: dict[str, Any]) -> Levels:
    out = {f["feature"]: f["level"] for f in explanation["features"]}
    out["swapped_names"] = "yes" if explanation.get("swapped_names") else "no"
    return {k: v for k, v in out.items() if v not in MISSING}


@dataclass(frozen=True)
class Estimate:
    weights: dict[tuple[str, str], float]  # (feature, level) -> log2(m/u)
    prior_log2: float
    iterations: int
    match_share: float

    def log2_odds(self, levels: Levels) -> float:
        return self.prior_log2 + sum(self.weights.get(item, 0.0) for item in levels.items())


def _encode(rows: Sequence[Levels], index: dict[tuple[str, str], int]) -> np.ndarray:
    matrix = np.zeros((len(rows), len(index)), dtype=np.float64)
    for i, levels in enumerate(rows):
        for item in levels.items():
            j = index.get(item)
            if j is not None:
                matrix[i, j] = 1.0
    return matrix


def estimate(
    candidates: Sequence[Levels], random_pairs: Sequence[Levels], *, max_iter: int = 50
) -> Estimate:
    """EM over ``candidates`` with ``u`` from ``random_pairs`` (both as level dicts)."""
    items = sorted(
        {item for rows in (candidates, random_pairs) for r in rows for item in r.items()}
    )
    index = {item: j for j, item in enumerate(items)}
    features = sorted({f for f, _ in items})
    groups = [np.array([index[i] for i in items if i[0] == f]) for f in features]
    cand, rand = _encode(candidates, index), _encode(random_pairs, index)

    def normalise(counts: np.ndarray) -> np.ndarray:
        out = counts + SMOOTHING
        for g in groups:
            out[g] /= out[g].sum()
        return out

    u = normalise(rand.sum(axis=0))
    log_u = np.log(u)
    m = u.copy()
    # Start from "agreement is likelier for matches": m grows with u's rarity.
    m = normalise(cand.sum(axis=0) / np.maximum(u, 1e-9))
    share = 0.5
    iterations = 0
    for iterations in range(1, max_iter + 1):  # noqa: B007 - reported below
        log_match = math.log(share) + cand @ np.log(m)
        log_non = math.log(1 - share) + cand @ log_u
        p = 1.0 / (1.0 + np.exp(np.clip(log_non - log_match, -700, 700)))
        new_share = float(np.clip(p.mean(), 1e-6, 1 - 1e-6))
        new_m = normalise(p @ cand)
        done = abs(new_share - share) < 1e-6 and np.abs(new_m - m).max() < 1e-6
        m, share = new_m, new_share
        if done:
            break
    weights = {item: float(np.log2(m[j] / u[j])) for item, j in index.items()}
    return Estimate(weights, math.log2(share / (1 - share)), iterations, share)
