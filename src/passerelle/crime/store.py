"""The incident store (SQLAlchemy Core; SQLite or PostgreSQL): load batches, read frames."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import polars as pl
import sqlalchemy as sa

from passerelle.crime import iccs
from passerelle.storage.tables import crime_import_batches, crime_incidents

BATCH = 20_000
COLUMNS = (
    "country",
    "incident_id",
    "occurred_on",
    "period_end",
    "latitude",
    "longitude",
    "municipality_code",
    "offence_code",
    "iccs",
)


@dataclass(frozen=True)
class IncidentFilter:
    iccs: str | None = None  # ICCS class (prefix): "05012" or "05"
    countries: tuple[str, ...] = ()
    since: dt.date | None = None
    until: dt.date | None = None  # inclusive


class CrimeStore:
    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    def load(
        self,
        frame: pl.DataFrame,
        *,
        source_name: str,
        source_format: str,
        rejected: int,
        replace: bool = False,
        progress: Callable[[int], None] | None = None,
    ) -> int:
        """Write a validated frame in one transaction; ``replace`` empties the countries first.

        Incidents already held (same country and id) are updated in place of a duplicate.
        """
        rows = frame.select(COLUMNS).to_dicts()
        now = dt.datetime.now(dt.UTC)
        with self.engine.begin() as conn:
            inserted = conn.execute(
                crime_import_batches.insert().values(
                    source_name=source_name[:255],
                    source_format=source_format,
                    iccs_version=iccs.version(),
                    rows_loaded=len(rows),
                    rows_rejected=rejected,
                    imported_at=now,
                )
            ).inserted_primary_key
            assert inserted is not None
            batch_id = inserted[0]
            countries = sorted(set(frame["country"].to_list())) if len(frame) else []
            if replace and countries:
                conn.execute(
                    crime_incidents.delete().where(crime_incidents.c.country.in_(countries))
                )
            elif countries:
                ids = frame.select("country", "incident_id").rows()
                held = conn.execute(
                    sa.select(crime_incidents.c.country)
                    .where(crime_incidents.c.country.in_(countries))
                    .distinct()
                ).scalars()
                for country in set(held):
                    mine = [i for c, i in ids if c == country]
                    for start in range(0, len(mine), 900):
                        conn.execute(
                            crime_incidents.delete().where(
                                crime_incidents.c.country == country,
                                crime_incidents.c.incident_id.in_(mine[start : start + 900]),
                            )
                        )
            for start in range(0, len(rows), BATCH):
                chunk = rows[start : start + BATCH]
                for r in chunk:
                    r["batch_id"] = batch_id
                conn.execute(crime_incidents.insert(), chunk)
                if progress is not None:
                    progress(len(chunk))
        return len(rows)

    def frame(self, f: IncidentFilter | None = None) -> pl.DataFrame:
        """Incidents as a frame (columns of ``COLUMNS``), filtered."""
        f = f or IncidentFilter()
        t = crime_incidents.c
        q = sa.select(*[t[c] for c in COLUMNS])
        if f.iccs:
            q = q.where(t.iccs.like(f"{f.iccs}%"))
        if f.countries:
            q = q.where(t.country.in_(f.countries))
        if f.since:
            q = q.where(t.occurred_on >= f.since)
        if f.until:
            q = q.where(t.occurred_on <= f.until)
        with self.engine.connect() as conn:
            rows = conn.execute(q).all()
        schema = {
            "country": pl.String,
            "incident_id": pl.String,
            "occurred_on": pl.Date,
            "period_end": pl.Date,
            "latitude": pl.Float64,
            "longitude": pl.Float64,
            "municipality_code": pl.String,
            "offence_code": pl.String,
            "iccs": pl.String,
        }
        return pl.DataFrame([tuple(r) for r in rows], schema=schema, orient="row")

    def summary(self) -> dict[str, object]:
        t = crime_incidents.c
        with self.engine.connect() as conn:
            per_country = conn.execute(
                sa.select(
                    t.country,
                    sa.func.count(),
                    sa.func.min(t.occurred_on),
                    sa.func.max(t.occurred_on),
                )
                .group_by(t.country)
                .order_by(t.country)
            ).all()
        return {
            "countries": [
                {"country": c, "incidents": n, "first": str(a), "last": str(b)}
                for c, n, a, b in per_country
            ],
            "iccs_version": iccs.version(),
        }
