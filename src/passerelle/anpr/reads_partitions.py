"""Daily partitions of ``anpr_reads`` on PostgreSQL.

The reads table is range-partitioned by ``read_at`` (migration 0010). Each UTC
day has its own partition ``anpr_reads_pYYYYMMDD`` covering ``[day, day + 1)``,
created before the first read of that day is written (and a few days ahead),
in a short transaction of its own under an advisory lock so that two ingest
processes never race. A default partition (migration 0010) takes any read whose
day has no partition yet, so an insert never fails; creating the day later
moves such rows into it. Retention drops whole partitions whose day lies entirely
before the cutoff; rows of the boundary day are deleted one by one.

On SQLite every function here is a no-op: the table is a plain table.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa

PARENT = "anpr_reads"
DEFAULT = "anpr_reads_default"  # catches reads of a day whose partition is not there yet
NAME = re.compile(r"^anpr_reads_p(\d{8})$")
LOCK_KEY = 0x414E5052  # "ANPR": the advisory lock serialising partition DDL
AHEAD_DAYS = 2


def is_partitioned(engine: sa.Engine) -> bool:
    return engine.dialect.name == "postgresql"


def partition_name(day: dt.date) -> str:
    return f"{PARENT}_p{day:%Y%m%d}"


def partition_day(name: str) -> dt.date | None:
    m = NAME.match(name)
    return dt.datetime.strptime(m.group(1), "%Y%m%d").date() if m else None


def existing_partitions(conn: sa.Connection) -> dict[dt.date, str]:
    rows = conn.execute(
        sa.text(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = CAST(:parent AS regclass)"
        ),
        {"parent": PARENT},
    ).scalars()
    found: dict[dt.date, str] = {}
    for name in rows:
        day = partition_day(name)
        if day is not None:
            found[day] = name
    return found


def create_day(conn: sa.Connection, day: dt.date) -> None:
    """Create the partition of ``day``, moving in any of its rows the default partition holds."""
    start = dt.datetime.combine(day, dt.time(), dt.UTC)
    bounds = f"FROM ('{start.isoformat()}') TO ('{(start + dt.timedelta(days=1)).isoformat()}')"
    name = partition_name(day)
    rng = {"s": start, "e": start + dt.timedelta(days=1)}
    stray = conn.execute(
        sa.text(f"SELECT EXISTS (SELECT 1 FROM {DEFAULT} WHERE read_at >= :s AND read_at < :e)"),
        rng,
    ).scalar_one()
    if not stray:
        conn.execute(sa.text(f'CREATE TABLE "{name}" PARTITION OF {PARENT} FOR VALUES {bounds}'))
        return
    conn.execute(sa.text(f'CREATE TABLE "{name}" (LIKE {PARENT} INCLUDING DEFAULTS)'))
    conn.execute(
        sa.text(
            f"WITH moved AS (DELETE FROM {DEFAULT} WHERE read_at >= :s AND read_at < :e "
            f'RETURNING *) INSERT INTO "{name}" SELECT * FROM moved'
        ),
        rng,
    )
    conn.execute(sa.text(f'ALTER TABLE {PARENT} ATTACH PARTITION "{name}" FOR VALUES {bounds}'))


@dataclass(frozen=True)
class DroppedPartition:
    name: str
    count: int
    oldest: dt.datetime | None
    newest: dt.datetime | None


class Partitions:
    """Creates the days a batch needs; remembers what exists (per process)."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self.enabled = is_partitioned(engine)
        self._known: set[dt.date] = set()
        self._lock = threading.Lock()

    def ensure(self, days: Iterable[dt.date]) -> int:
        """Create the partitions of ``days`` (and ``AHEAD_DAYS`` after the newest) if missing."""
        if not self.enabled:
            return 0
        wanted = set(days)
        if wanted <= self._known:
            return 0
        if wanted:
            newest = max(wanted)
            wanted |= {newest + dt.timedelta(days=i) for i in range(1, AHEAD_DAYS + 1)}
        with self._lock:
            missing = wanted - self._known
            if not missing:
                return 0
            created = 0
            with self.engine.begin() as conn:
                conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": LOCK_KEY})
                existing = existing_partitions(conn)
                for day in sorted(missing - existing.keys()):
                    create_day(conn, day)
                    created += 1
                self._known |= existing.keys() | missing
            return created

    def forget(self, days: Iterable[dt.date]) -> None:
        with self._lock:
            self._known -= set(days)

    def drop_before(self, cutoff: dt.datetime) -> list[DroppedPartition]:
        """Drop every partition whose whole day is before ``cutoff``; say what each held."""
        if not self.enabled:
            return []
        dropped: list[DroppedPartition] = []
        with self.engine.begin() as conn:
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": LOCK_KEY})
            for day, name in sorted(existing_partitions(conn).items()):
                end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), dt.UTC)
                if end > cutoff:
                    continue
                count, oldest, newest = conn.execute(
                    sa.text(f'SELECT count(*), min(read_at), max(read_at) FROM "{name}"')
                ).one()
                conn.execute(sa.text(f'DROP TABLE "{name}"'))
                dropped.append(DroppedPartition(name, int(count), oldest, newest))
        self.forget(d for d in (partition_day(p.name) for p in dropped) if d is not None)
        return dropped
