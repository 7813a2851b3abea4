"""The crime picture on the H3 grid: hotspot cells (Gi*, density) and the cross-border view."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import h3
import numpy as np
import polars as pl
from scipy.sparse.csgraph import connected_components

from passerelle.crime.areas import OUTSIDE, Areas, assign_areas
from passerelle.crime.density import kernel_density
from passerelle.crime.grid import Grid, cells_of, check_resolution
from passerelle.crime.hotspots import gi_star
from passerelle.crime.trends import period_changes
from passerelle.exc import InvalidInput


@dataclass(frozen=True)
class HotspotSettings:
    resolution: int = 8
    buffer: int = 1
    permutations: int = 999
    alpha: float = 0.05  # false-discovery rate
    bandwidth_m: float = 1000.0
    seed: int | None = None


def hotspot_cells(
    df: pl.DataFrame,
    s: HotspotSettings,
    progress: Callable[[int], None] | None = None,
) -> pl.DataFrame:
    """One row per grid cell: counts (total and per country), Gi*, z, p, q, class, density."""
    check_resolution(s.resolution)
    if df.height < 3:
        raise InvalidInput("too few incidents for hotspots", code="crime_too_few")
    lat = df["latitude"].to_numpy()
    lon = df["longitude"].to_numpy()
    cells = cells_of(lat, lon, s.resolution)
    grid = Grid.study_area(cells, s.buffer)
    y = grid.counts(cells)
    res = gi_star(y, grid.neighbours(), permutations=s.permutations, seed=s.seed, progress=progress)
    dens = kernel_density(np.column_stack([lat, lon]), grid.centres(), s.bandwidth_m)
    per_country = (
        pl.DataFrame({"cell": cells, "country": df["country"]})
        .group_by("cell", "country")
        .len()
        .pivot(on="country", index="cell", values="len")
        .fill_null(0)
    )
    countries = sorted(c for c in per_country.columns if c != "cell")
    out = pl.DataFrame(
        {
            "cell": grid.cells,
            "count": y.astype(np.int64),
            "gi_star": res.gi,
            "z": res.z,
            "p_sim": res.p_sim,
            "q": res.q,
            "class": res.classes(s.alpha),
            "density_km2": np.round(dens, 3),
        }
    ).join(per_country, on="cell", how="left")
    return out.with_columns(pl.col(countries).fill_null(0)) if countries else out


def clusters(cells: pl.DataFrame, klass: str = "hot") -> list[list[str]]:
    """Connected groups (first-ring neighbours) of cells of one class."""
    chosen = cells.filter(pl.col("class") == klass)["cell"].to_list()
    if not chosen:
        return []
    grid = Grid.of(chosen)
    n, labels = connected_components(grid.neighbours(), directed=False)
    groups: list[list[str]] = [[] for _ in range(n)]
    for c, lab in zip(grid.cells, labels, strict=True):
        groups[int(lab)].append(c)
    return sorted(groups, key=len, reverse=True)


def cross_border(
    df: pl.DataFrame, cells: pl.DataFrame, res: int, as_of: dt.date | None = None
) -> list[dict[str, Any]]:
    """Hot clusters holding incidents of two or more countries, with each side's trend."""
    if as_of is None:
        last = df["occurred_on"].max() if df.height else None
        as_of = last if isinstance(last, dt.date) else dt.date.today()
    cell_of = pl.Series(
        "cell", cells_of(df["latitude"].to_numpy(), df["longitude"].to_numpy(), res)
    )
    located = df.with_columns(cell_of)
    out = []
    for i, group in enumerate(clusters(cells)):
        inside = located.filter(pl.col("cell").is_in(group))
        sides = sorted(set(inside["country"].to_list()))
        if len(sides) < 2:
            continue
        out.append(
            {
                "cluster": i + 1,
                "cells": group,
                "incidents": inside.height,
                "countries": {
                    c: {
                        "incidents": int(inside.filter(pl.col("country") == c).height),
                        **period_changes(inside.filter(pl.col("country") == c), as_of),
                    }
                    for c in sides
                },
            }
        )
    return out


def area_table(
    df: pl.DataFrame,
    cells: pl.DataFrame,
    areas: Areas,
    as_of: dt.date | None = None,
) -> list[dict[str, Any]]:
    """Per user-supplied area: incidents (total and per country), the 28-day and year-to-date
    change, and the hot and cold cells whose centre lies in it (``(outside)`` last)."""
    if as_of is None:
        last = df["occurred_on"].max() if df.height else None
        as_of = last if isinstance(last, dt.date) else dt.date.today()
    located = assign_areas(df, areas.names, areas.shapes) if df.height else df
    centres = [h3.cell_to_latlng(c) for c in cells["cell"].to_list()]
    cell_area = assign_areas(
        pl.DataFrame(
            {
                "latitude": [c[0] for c in centres],
                "longitude": [c[1] for c in centres],
                "class": cells["class"],
            },
            schema={"latitude": pl.Float64, "longitude": pl.Float64, "class": pl.String},
        ),
        areas.names,
        areas.shapes,
    )
    out = []
    for name in [*dict.fromkeys(areas.names), OUTSIDE]:
        inside = located.filter(pl.col("area") == name) if df.height else df
        area_cells = cell_area.filter(pl.col("area") == name)
        if name == OUTSIDE and inside.height == 0:
            continue
        per_country = dict(sorted(inside.group_by("country").len().iter_rows()))
        out.append(
            {
                "area": name,
                "incidents": inside.height,
                "by_country": {str(k): int(v) for k, v in per_country.items()},
                "hot_cells": int((area_cells["class"] == "hot").sum()),
                "cold_cells": int((area_cells["class"] == "cold").sum()),
                **period_changes(inside, as_of),
            }
        )
    return out
