"""The demo's synthetic incidents show what the analyst should find."""

from __future__ import annotations

import numpy as np
import polars as pl

from passerelle.crime.demo import demo_frame
from passerelle.crime.nearrepeat import NearRepeatSettings, knox_bands
from passerelle.crime.picture import HotspotSettings, cross_border, hotspot_cells
from passerelle.crime.points import project_local
from passerelle.crime.trends import seasonality


def test_synthetic_incidents_show_the_demo_story() -> None:
    df = demo_frame(3, 12_000)
    assert set(df["country"].unique()) == {"NL", "BE", "DE"}
    assert df["iccs"].null_count() == 0  # every synthetic code is in the ICCS table
    assert df["incident_id"].n_unique() == df.height
    burglary = df.filter(pl.col("iccs") == "05012")
    assert 0.15 < burglary.height / df.height < 0.35
    # the cross-border hotspot
    cells = hotspot_cells(burglary, HotspotSettings(resolution=8, permutations=199, seed=1))
    straddling = cross_border(burglary, cells, 8)
    assert straddling and set(straddling[0]["countries"]) >= {"NL", "DE"}
    # near repeat: pairs close in space and time are over-represented
    xy = project_local(burglary["longitude"].to_numpy(), burglary["latitude"].to_numpy())
    days = (
        (burglary["occurred_on"].to_numpy() - np.datetime64("1970-01-01"))
        .astype("timedelta64[D]")
        .astype(np.int64)
    )
    nr = knox_bands(xy, days, NearRepeatSettings(100, 2, 7, 2, "euclidean", 99, seed=1))
    assert nr.knox_ratio[1, 0] > 1.5 and nr.p_value[1, 0] <= 0.01
    # burglary peaks in the dark months
    months = seasonality(burglary)["monthly_index"]
    assert months[0] > months[6]
