"""EM estimation recovers known parameters from data drawn with them (an oracle)."""

from __future__ import annotations

import math
import random

from passerelle.matching.estimate import estimate

M = {"name": {"agree": 0.9, "differ": 0.1}, "birth": {"agree": 0.85, "differ": 0.15}}
U = {"name": {"agree": 0.05, "differ": 0.95}, "birth": {"agree": 0.02, "differ": 0.98}}
SHARE = 0.2


def _draw(probs: dict[str, dict[str, float]], rng: random.Random) -> dict[str, str]:
    return {
        f: "agree" if rng.random() < levels["agree"] else "differ" for f, levels in probs.items()
    }


def test_em_recovers_the_weights_and_the_match_share() -> None:
    rng = random.Random(3)
    candidates = [_draw(M if rng.random() < SHARE else U, rng) for _ in range(20_000)]
    random_pairs = [_draw(U, rng) for _ in range(20_000)]
    est = estimate(candidates, random_pairs)
    assert abs(est.match_share - SHARE) < 0.03
    for feature in M:
        expected = math.log2(M[feature]["agree"] / U[feature]["agree"])
        assert abs(est.weights[(feature, "agree")] - expected) < 0.35, feature
    assert est.log2_odds({"name": "agree", "birth": "agree"}) > 5
    assert est.log2_odds({"name": "differ", "birth": "differ"}) < -5
