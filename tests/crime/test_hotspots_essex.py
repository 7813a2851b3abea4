"""Gi* on the real police.uk Essex data agrees with esda's G_Local (star, binary weights)."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from scipy.stats import false_discovery_control

from passerelle.crime.grid import Grid, cells_of
from passerelle.crime.hotspots import gi_star

esda = pytest.importorskip("esda")
WSP = pytest.importorskip("libpysal.weights").WSP


def _essex(essex_dir: Path, crime_type: str | None) -> pl.DataFrame:
    frames = [pl.read_csv(f, infer_schema_length=0) for f in sorted(essex_dir.glob("*.csv.gz"))]
    df = pl.concat(frames).filter(pl.col("longitude").is_not_null() & (pl.col("longitude") != ""))
    if crime_type:
        df = df.filter(pl.col("crime_type") == crime_type)
    return df.with_columns(pl.col("longitude", "latitude").cast(pl.Float64))


@pytest.mark.parametrize(("crime_type", "res"), [("Burglary", 8), ("Vehicle crime", 7)])
def test_gi_star_agrees_with_esda(essex_dir: Path, crime_type: str, res: int) -> None:
    df = _essex(essex_dir, crime_type)
    assert len(df) > 3000  # seven months of one Essex offence class
    cells = cells_of(df["latitude"].to_numpy(), df["longitude"].to_numpy(), res)
    grid = Grid.study_area(cells, buffer=1)
    y = grid.counts(cells)
    w = grid.neighbours()
    assert y.sum() == len(df)
    ours = gi_star(y, w, permutations=999, seed=7)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = esda.G_Local(
            y,
            WSP(w).to_W(silence_warnings=True),
            transform="B",
            star=True,
            permutations=999,
            seed=7,
            n_jobs=1,
            keep_simulations=True,
        )
    np.testing.assert_allclose(ours.gi, theirs.Gs, rtol=1e-12)
    np.testing.assert_allclose(ours.expected, theirs.EGs, rtol=1e-12)
    np.testing.assert_allclose(ours.z, theirs.Zs, rtol=1e-9, atol=1e-9)
    # same conditional randomisation draws: same p-values (esda stores them as float32)
    np.testing.assert_allclose(ours.p_sim, theirs.p_sim, atol=1e-6)
    np.testing.assert_allclose(ours.z_sim, theirs.z_sim, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(ours.p_z_sim, theirs.p_z_sim, rtol=1e-6, atol=1e-9)
    q_theirs = false_discovery_control(np.asarray(theirs.p_z_sim, dtype=float), method="bh")
    assert ((ours.q <= 0.05) == (q_theirs <= 0.05)).all()
    hot = [c for c, k in zip(grid.cells, ours.classes(0.05), strict=True) if k == "hot"]
    assert hot  # Essex has burglary and vehicle-crime hotspots


def test_gi_star_other_seed_agrees_within_noise(essex_dir: Path) -> None:
    df = _essex(essex_dir, "Burglary")
    cells = cells_of(df["latitude"].to_numpy(), df["longitude"].to_numpy(), 8)
    grid = Grid.study_area(cells, buffer=1)
    y, w = grid.counts(cells), grid.neighbours()
    a = gi_star(y, w, permutations=999, seed=1)
    b = gi_star(y, w, permutations=999, seed=2)
    assert not np.array_equal(a.p_sim, b.p_sim)
    # binomial noise of a p-value near 0.05 with 999 draws is about 0.007
    assert np.abs(a.p_sim - b.p_sim).max() < 0.06
    strong = a.p_sim <= 0.002
    assert strong.any() and (b.p_sim[strong] <= 0.02).all()
    assert abs(int((a.q <= 0.05).sum()) - int((b.q <= 0.05).sum())) <= 0.2 * (a.q <= 0.05).sum()
