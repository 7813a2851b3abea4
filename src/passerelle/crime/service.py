"""The crime picture service: what the API, the analyst page and the report call."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl
import sqlalchemy as sa

from passerelle.crime import iccs
from passerelle.crime.areas import Areas
from passerelle.crime.boundaries import BoundaryStore
from passerelle.crime.export import to_geojson
from passerelle.crime.nearrepeat import NearRepeatResult, NearRepeatSettings, knox_bands
from passerelle.crime.picture import HotspotSettings, area_table, cross_border, hotspot_cells
from passerelle.crime.points import project_local
from passerelle.crime.store import CrimeStore, IncidentFilter
from passerelle.crime.trends import trends
from passerelle.exc import InvalidInput

MAX_PERMUTATIONS = 9999
MAX_NEAR_REPEAT_INCIDENTS = 50_000


@dataclass(frozen=True)
class Query:
    iccs: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None
    countries: tuple[str, ...] = ()

    def filter(self) -> IncidentFilter:
        code = iccs.check_iccs(self.iccs) if self.iccs else None
        if self.since and self.until and self.until < self.since:
            raise InvalidInput("the period ends before it starts", code="crime_bad_period")
        return IncidentFilter(code, self.countries, self.since, self.until)


class CrimeService:
    def __init__(self, engine: sa.Engine, boundaries: BoundaryStore | None = None) -> None:
        self.store = CrimeStore(engine)
        self.boundaries = boundaries

    def areas(self) -> Areas | None:
        """The analyst's boundaries in force (uploaded or configured), if any."""
        return self.boundaries.get() if self.boundaries is not None else None

    def incidents(self, q: Query) -> pl.DataFrame:
        return self.store.frame(q.filter())

    def summary(self, lang: str | None = None) -> dict[str, Any]:
        out = self.store.summary()
        df = self.store.frame()
        classes = (
            df.group_by(pl.col("iccs").str.slice(0, 5).alias("c"))
            .len()
            .sort("len", descending=True)
        )
        out["iccs_classes"] = [
            {"iccs": c, "label": iccs.label(c, lang), "incidents": int(n)}
            for c, n in classes.iter_rows()
            if c is not None and c in iccs.classes()
        ]
        out["period"] = {
            "first": str(df["occurred_on"].min()) if df.height else None,
            "last": str(df["occurred_on"].max()) if df.height else None,
        }
        return out

    def hotspots(
        self,
        q: Query,
        *,
        resolution: int = 8,
        permutations: int = 999,
        alpha: float = 0.05,
        seed: int | None = 1,
    ) -> tuple[pl.DataFrame, dict[str, Any]]:
        if not 0 <= permutations <= MAX_PERMUTATIONS:
            raise InvalidInput(
                f"permutations must be between 0 and {MAX_PERMUTATIONS}",
                code="crime_bad_bands",
            )
        df = self.incidents(q)
        cells = hotspot_cells(df, HotspotSettings(resolution, 1, permutations, alpha, seed=seed))
        info = {
            "incidents": df.height,
            "cells": cells.height,
            "hot": int((cells["class"] == "hot").sum()),
            "cold": int((cells["class"] == "cold").sum()),
            "resolution": resolution,
            "permutations": permutations,
            "alpha": alpha,
            "cross_border": cross_border(df, cells, resolution, q.until),
        }
        areas = self.areas()
        if areas is not None:
            info["areas"] = area_table(df, cells, areas, q.until)
        return cells, info

    def hotspots_geojson(self, q: Query, **kw: Any) -> dict[str, Any]:
        cells, info = self.hotspots(q, **kw)
        shown = cells.filter((pl.col("count") > 0) | (pl.col("class") != ""))
        gj = to_geojson(shown)
        gj["properties"] = info
        return gj

    def near_repeat(self, q: Query, s: NearRepeatSettings) -> NearRepeatResult:
        df = self.incidents(q)
        if df.height > MAX_NEAR_REPEAT_INCIDENTS:
            raise InvalidInput(
                f"too many incidents for near repeat ({df.height:,}); narrow the period or class",
                code="crime_too_many",
                limit=MAX_NEAR_REPEAT_INCIDENTS,
            )
        if df.height < 2:
            raise InvalidInput("at least two incidents are needed", code="crime_too_few")
        xy = project_local(df["longitude"].to_numpy(), df["latitude"].to_numpy())
        epoch = np.datetime64("1970-01-01")
        days = (df["occurred_on"].to_numpy() - epoch).astype("timedelta64[D]").astype(np.int64)
        return knox_bands(xy, days, s)

    def trends(
        self, q: Query, *, level: int = 2, every: str = "1w", lang: str | None = None
    ) -> dict[str, Any]:
        if level not in (1, 2, 3, 4):
            raise InvalidInput("ICCS level must be 1 to 4", code="crime_bad_iccs", iccs=level)
        if every not in ("1w", "1mo"):
            raise InvalidInput("series step must be 1w or 1mo", code="crime_bad_period")
        return trends(self.incidents(q), as_of=q.until, level=level, every=every, lang=lang)
