"""The near-repeat command against the Near Repeat Calculator's own output on real data.

The Chicago samples (../shared/data/external/nearrepeat) come with the
calculator's verbose output: observed counts, the expected count of every Monte
Carlo iteration, observed/mean-expected ratios and p-values. We reproduce the
observed tables (burglary exactly; arson within one pair per cell, where one
pair sits at 399.96 m on a band edge), the mean expected counts and ratios within
Monte Carlo noise, and the calculator's significance within the binomial noise
of its few iterations.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from scipy.stats import binom
from typer.testing import CliRunner

from passerelle.cli import app
from tests.crime.nrc import NrcOutput, read_nrc

PERMUTATIONS = 999
Z = 4.5  # Monte Carlo noise allowance in standard errors

CASES = {
    "burglary": (
        "chicago_be_month1.csv",
        "chicago_be_month1_NRverbose_2019-09-23_143005.csv",
        ["--spatial-bandwidth", "100", "--spatial-bands", "3"],
        ["--temporal-bandwidth", "7", "--temporal-bands", "3"],
        0,
    ),
    "arson": (
        "chicago_arson.csv",
        "chicago_arson_NRverbose_2019-09-23_145637.csv",
        ["--spatial-bandwidth", "200", "--spatial-bands", "3"],
        ["--temporal-bandwidth", "1", "--temporal-bands", "3"],
        1,
    ),
}


def _run(nearrepeat_dir: Path, case: str, seed: int = 20190923) -> tuple[dict, NrcOutput]:  # type: ignore[type-arg]
    data, verbose, space, time, _ = CASES[case]
    args = [
        "crime",
        "near-repeat",
        str(nearrepeat_dir / data),
        *space,
        *time,
        "--distance",
        "manhattan",
        "--permutations",
        str(PERMUTATIONS),
        "--seed",
        str(seed),
        "--nrc-compatible",
        "--json",
    ]
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout), read_nrc(nearrepeat_dir / verbose)


@pytest.mark.parametrize("case", sorted(CASES))
def test_layout_and_observed_counts(nearrepeat_dir: Path, case: str) -> None:
    out, nrc = _run(nearrepeat_dir, case)
    assert out["rows"] == nrc.rows
    assert out["columns"] == nrc.columns
    assert out["rows"][0] == "Same location"
    assert out["rows"][-1].startswith("More than")
    diff = np.abs(np.array(out["observed"]) - np.array(nrc.observed))
    assert diff.max() <= CASES[case][4], diff
    if case == "arson":
        assert int((diff > 0).sum()) == 2  # the one pair at 399.96 m, both rows
    # every pair is counted once
    n = out["incidents"]
    assert int(np.array(out["observed"]).sum()) == n * (n - 1) // 2


@pytest.mark.parametrize("case", sorted(CASES))
def test_expected_and_ratios_within_monte_carlo_noise(nearrepeat_dir: Path, case: str) -> None:
    out, nrc = _run(nearrepeat_dir, case)
    ours = np.array(out["expected_mean"], dtype=float)
    worst = 0.0
    for (r, c), cell in nrc.cells.items():
        k = len(cell.expected)
        var = max(float(np.var(cell.expected, ddof=1)), ours[r, c], 1.0 / k)
        se = math.sqrt(var / k + var / PERMUTATIONS)
        z = abs(ours[r, c] - cell.mean) / se
        worst = max(worst, z)
        assert z < Z, (r, c, ours[r, c], cell.mean)
        theirs = nrc.ratio[r][c]
        mine = out["knox_ratio"][r][c]
        if theirs is not None and cell.observed > 0 and mine is not None:
            # ratio = observed / mean: its noise is the mean's, relatively
            assert abs(mine - theirs) <= Z * se / cell.mean * theirs + 0.01, (r, c, mine, theirs)
    assert worst > 0  # the comparison ran on real numbers


@pytest.mark.parametrize("case", sorted(CASES))
def test_significance_within_monte_carlo_noise(nearrepeat_dir: Path, case: str) -> None:
    out, nrc = _run(nearrepeat_dir, case)
    p_ours = np.array(out["p_value"], dtype=float)
    for (r, c), cell in nrc.cells.items():
        k = len(cell.expected)
        # the calculator's count of iterations at or above the observed value
        at_least = sum(e >= cell.observed for e in cell.expected)
        assert math.isclose(cell.p_value, (at_least + 1) / (k + 1), abs_tol=0.006)
        if out["observed"][r][c] != cell.observed:
            continue  # the boundary pair: a different test statistic
        p = min(max(p_ours[r, c] - 1 / (PERMUTATIONS + 1), 1e-3), 1 - 1e-3)
        lo, hi = binom.cdf(at_least, k, p), binom.sf(at_least - 1, k, p)
        assert min(lo, hi) > 1e-4, (r, c, p_ours[r, c], cell.p_value)
    # the cells the calculator finds significant at its resolution are ours too
    alpha = 1 / (len(nrc.cells[(0, 0)].expected) + 1)
    theirs = {(r, c) for (r, c), cell in nrc.cells.items() if cell.p_value <= alpha + 1e-9}
    mine = {(r, c) for r in range(p_ours.shape[0]) for c in range(p_ours.shape[1])}
    mine = {rc for rc in mine if p_ours[rc] <= max(alpha, 0.01)}
    assert theirs == mine


def test_same_seed_same_answer_other_seed_other_noise(nearrepeat_dir: Path) -> None:
    a, _ = _run(nearrepeat_dir, "burglary", seed=1)
    b, _ = _run(nearrepeat_dir, "burglary", seed=1)
    c, _ = _run(nearrepeat_dir, "burglary", seed=2)
    assert a == b
    assert a["observed"] == c["observed"]
    assert a["expected_mean"] != c["expected_mean"]


def test_near_count_agrees_with_pointpats_knox(nearrepeat_dir: Path) -> None:
    """pointpats counts pairs with distance ≤ delta and time ≤ tau: our cells below the
    open-ended bands are distance < 300 m and 0-20 days, the same pairs (no ties at 300 m)."""
    spacetime = pytest.importorskip("pointpats.spacetime")
    from passerelle.crime.nearrepeat import NearRepeatSettings, knox_bands
    from passerelle.crime.points import read_points

    pts = read_points(nearrepeat_dir / "chicago_be_month1.csv")
    ours = knox_bands(pts.xy, pts.days, NearRepeatSettings(100, 3, 7, 3, "euclidean", 9, seed=1))
    theirs = spacetime.Knox(
        pts.xy, pts.days.astype(float)[:, None], delta=300.0, tau=20, permutations=0
    )
    assert int(ours.observed[:4, :3].sum()) == int(theirs.statistic_) > 0
