"""Stored camera reads (``anpr_reads``) and the quarantine (``anpr_quarantine``).

``ReadStore`` is the only code that touches these tables. Writes are
idempotent by ``read_id``: a read already stored is skipped (ON CONFLICT DO
NOTHING on the key, after a look-up by id). ``window`` returns reads of a time
range — for historic search, retro-matching and analytics — as a polars frame
with the table's columns; callers apply the lawful window first
(``anpr.access``).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from operator import itemgetter
from typing import Any

import polars as pl
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from passerelle.anpr.ingest_models import Quarantined
from passerelle.anpr.reads_cameras import CameraRegistry
from passerelle.anpr.reads_partitions import Partitions
from passerelle.domain.countries import Country
from passerelle.storage.tables_anpr_reads import anpr_quarantine as q
from passerelle.storage.tables_anpr_reads import anpr_reads as t

CHUNK = 2000
BBox = tuple[float, float, float, float]  # min_lon, min_lat, max_lon, max_lat

SCHEMA: dict[str, Any] = {
    "read_id": pl.String,
    "camera_id": pl.String,
    "site": pl.String,
    "lat": pl.Float64,
    "lon": pl.Float64,
    "direction": pl.String,
    "read_at": pl.Datetime("us", "UTC"),
    "received_at": pl.Datetime("us", "UTC"),
    "plate": pl.String,
    "plate_raw": pl.String,
    "plate_country": pl.String,
    "country_inferred": pl.Boolean,
    "confidence": pl.Float64,
    "image_ref": pl.String,
    "hit": pl.Boolean,
}
COLUMNS = list(SCHEMA)
READ_AT, RECEIVED_AT = COLUMNS.index("read_at"), COLUMNS.index("received_at")


def lite_ts(value: dt.datetime) -> str:
    """How SQLAlchemy stores an aware DateTime on SQLite: naive UTC, microseconds."""
    text = value.isoformat(" ", "microseconds")
    if not text.endswith("+00:00"):
        text = value.astimezone(dt.UTC).isoformat(" ", "microseconds")
    return text[:26]


def utc(value: dt.datetime) -> dt.datetime:
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def _chunks(items: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


class ReadStore:
    def __init__(self, engine: sa.Engine, country: Country) -> None:
        self.engine = engine
        self.country = country
        self.partitions = Partitions(engine)
        self.cameras = CameraRegistry(engine)
        self._pg = engine.dialect.name == "postgresql"

    # -- writing ------------------------------------------------------------------------

    def existing_ids(self, conn: sa.Connection, read_ids: Sequence[str]) -> set[str]:
        found: set[str] = set()
        for chunk in _chunks(read_ids):
            found.update(
                conn.execute(sa.select(t.c.read_id).where(t.c.read_id.in_(chunk))).scalars()
            )
        return found

    def quarantined_pairs(
        self, conn: sa.Connection, items: Sequence[Quarantined]
    ) -> set[tuple[str, str]]:
        """The (read id, reason) pairs of ``items`` already in the quarantine."""
        found: set[tuple[str, str]] = set()
        ids = sorted({i.read_id for i in items})
        for chunk in _chunks(ids):
            query = sa.select(q.c.read_id, q.c.reason).where(q.c.read_id.in_(chunk))
            found.update((r[0], r[1]) for r in conn.execute(query))
        return found

    def prepare(self, rows: Sequence[dict[str, Any]]) -> None:
        """Create the partitions the rows need (PostgreSQL), outside the write transaction."""
        if self.partitions.enabled and rows:
            self.partitions.ensure({r["read_at"].date() for r in rows})

    def insert(self, conn: sa.Connection, rows: Sequence[dict[str, Any]]) -> int:
        """Write reads (already normalised, UTC); a read id already there is skipped.

        The hot path of the ingest: one prepared statement run with ``executemany``
        through the driver (SQLAlchemy's per-row compilation would cost more than the
        insert itself).
        """
        if not rows:
            return 0
        get = itemgetter(*COLUMNS)
        if self._pg:
            params: list[Any] = [get(r) for r in rows]
        else:  # SQLite: timestamps as SQLAlchemy stores them (naive UTC text)
            params = []
            seen: dict[dt.datetime, str] = {}  # received_at: one value per batch
            for r in rows:
                values = list(get(r))
                values[READ_AT] = lite_ts(values[READ_AT])
                received = values[RECEIVED_AT]
                if received not in seen:
                    seen[received] = lite_ts(received)
                values[RECEIVED_AT] = seen[received]
                params.append(tuple(values))
        written = 0
        for chunk in _chunks(params, 5000):
            result = conn.exec_driver_sql(self._insert_sql, list(chunk))
            written += max(result.rowcount, 0)
        return written

    @property
    def _insert_sql(self) -> str:
        names = ", ".join(COLUMNS)
        if self._pg:
            marks = ", ".join(["%s"] * len(COLUMNS))
            return f"INSERT INTO anpr_reads ({names}) VALUES ({marks}) ON CONFLICT DO NOTHING"
        marks = ", ".join(["?"] * len(COLUMNS))
        return f"INSERT OR IGNORE INTO anpr_reads ({names}) VALUES ({marks})"

    def quarantine(
        self, conn: sa.Connection, items: Sequence[Quarantined], received_at: dt.datetime
    ) -> int:
        if not items:
            return 0
        rows = [
            {
                "read_id": i.read_id,
                "reason": i.reason,
                "received_at": received_at,
                "camera_id": i.camera_id,
                "payload": json.dumps(i.payload, default=str, ensure_ascii=False)[:20_000],
            }
            for i in items
        ]
        if self._pg:
            stmt: Any = postgresql.insert(q).on_conflict_do_nothing()
        else:
            stmt = sa.insert(q).prefix_with("OR IGNORE")
        return max(conn.execute(stmt, rows).rowcount, 0)

    def mark_hits(self, read_ids: Iterable[str]) -> int:
        """Flag stored reads as hits (retro-matching)."""
        ids = sorted(set(read_ids))
        done = 0
        with self.engine.begin() as conn:
            for chunk in _chunks(ids):
                stmt = sa.update(t).where(t.c.read_id.in_(chunk), t.c.hit.is_(False))
                done += max(conn.execute(stmt.values(hit=True)).rowcount, 0)
        return done

    # -- reading ------------------------------------------------------------------------

    def window(
        self,
        *,
        since: dt.datetime,
        until: dt.datetime,
        plates: Sequence[str] | None = None,
        bbox: BBox | None = None,
        hits_only: bool = False,
        limit: int | None = None,
    ) -> pl.DataFrame:
        """Reads with ``since <= read_at < until`` (and the given plates / area), by time."""
        where: list[sa.ColumnElement[bool]] = [
            t.c.read_at >= utc(since),
            t.c.read_at < utc(until),
        ]
        if hits_only:
            where.append(t.c.hit.is_(True))
        if bbox is not None:
            min_lon, min_lat, max_lon, max_lat = bbox
            where += [
                t.c.lon >= min_lon,
                t.c.lon <= max_lon,
                t.c.lat >= min_lat,
                t.c.lat <= max_lat,
            ]
        query = sa.select(*(t.c[c] for c in COLUMNS)).where(*where).order_by(t.c.read_at)
        if limit is not None:
            query = query.limit(limit)
        rows: list[Any] = []
        with self.engine.connect() as conn:
            if plates is not None:
                for chunk in _chunks(sorted(set(plates))):
                    rows.extend(conn.execute(query.where(t.c.plate.in_(chunk))).all())
            else:
                rows = list(conn.execute(query).all())
        frame = pl.DataFrame(
            {c: [_value(c, r[i]) for r in rows] for i, c in enumerate(COLUMNS)}, schema=SCHEMA
        )
        return frame.sort("read_at") if plates is not None else frame

    def plates_between(self, since: dt.datetime, until: dt.datetime) -> pl.DataFrame:
        """Plate, country and id of every read in the range (retro-matching input)."""
        query = sa.select(t.c.read_id, t.c.plate, t.c.plate_country).where(
            t.c.read_at >= utc(since), t.c.read_at < utc(until)
        )
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return pl.DataFrame(
            {
                "read_id": [r[0] for r in rows],
                "plate": [r[1] for r in rows],
                "plate_country": [r[2] for r in rows],
            },
            schema={"read_id": pl.String, "plate": pl.String, "plate_country": pl.String},
        )

    def by_ids(self, read_ids: Sequence[str]) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        with self.engine.connect() as conn:
            for chunk in _chunks(read_ids):
                for r in conn.execute(sa.select(t).where(t.c.read_id.in_(chunk))).mappings():
                    rows.append({c: _value(c, r[c]) for c in COLUMNS})
        return rows

    def count(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one())

    def quarantine_counts(self) -> dict[str, int]:
        query = sa.select(q.c.reason, sa.func.count()).group_by(q.c.reason)
        with self.engine.connect() as conn:
            return {r[0]: int(r[1]) for r in conn.execute(query)}


def _value(column: str, value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return utc(value)
    if column in ("hit", "country_inferred") and value is not None:
        return bool(value)
    return value
