"""Retention of camera reads: whole days dropped on PostgreSQL, keyed batches on SQLite.

The retention engine (``passerelle.retention``) finds this purger for the
``anpr_reads`` table (rules ``anpr_reads`` and, for DE, ``anpr_reads_no_hit``).
It applies the period of the node's jurisdiction (docs/anpr.md): on PostgreSQL a
rule without a condition drops every daily partition that lies entirely before
the cutoff, then deletes the rows of the boundary day (and of the default
partition) that are before it — a read one second inside the period stays, one
second outside goes. A rule with a condition (DE no-hit reads) and SQLite
delete in bounded batches. The engine writes the ERASURE audit entry.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from passerelle.anpr.reads_partitions import Partitions, is_partitioned
from passerelle.retention.purgers import Measured
from passerelle.retention.rules import RetentionRule
from passerelle.storage.tables_anpr_reads import anpr_reads as t


def _utc(value: Any) -> dt.datetime | None:
    if not isinstance(value, dt.datetime):
        return None
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def _low(a: dt.datetime | None, b: dt.datetime | None) -> dt.datetime | None:
    return b if a is None else a if b is None else min(a, b)


def _high(a: dt.datetime | None, b: dt.datetime | None) -> dt.datetime | None:
    return b if a is None else a if b is None else max(a, b)


class ReadsPurger:
    def _where(self, rule: RetentionRule, cutoff: dt.datetime) -> list[sa.ColumnElement[bool]]:
        where: list[sa.ColumnElement[bool]] = [t.c.read_at < cutoff.astimezone(dt.UTC)]
        for name, value in rule.condition:
            col = t.c[name]
            where.append(col.is_(None) if value is None else col == value)
        return where

    def measure(self, engine: sa.Engine, rule: RetentionRule, cutoff: dt.datetime) -> Measured:
        query = sa.select(sa.func.count(), sa.func.min(t.c.read_at), sa.func.max(t.c.read_at))
        with engine.connect() as conn:
            count, oldest, newest = conn.execute(query.where(*self._where(rule, cutoff))).one()
        return int(count), _utc(oldest), _utc(newest)

    def delete(
        self, engine: sa.Engine, rule: RetentionRule, cutoff: dt.datetime, batch_size: int
    ) -> Measured:
        if is_partitioned(engine) and not rule.condition:
            return self._drop_days(engine, rule, cutoff)
        return self._batches(engine, rule, cutoff, batch_size)

    def _drop_days(self, engine: sa.Engine, rule: RetentionRule, cutoff: dt.datetime) -> Measured:
        count, oldest, newest = 0, None, None
        for day in Partitions(engine).drop_before(cutoff):
            count += day.count
            oldest, newest = _low(oldest, _utc(day.oldest)), _high(newest, _utc(day.newest))
        where = self._where(rule, cutoff)
        query = sa.select(sa.func.min(t.c.read_at), sa.func.max(t.c.read_at)).where(*where)
        with engine.begin() as conn:
            low, high = conn.execute(query).one()
            deleted = max(conn.execute(sa.delete(t).where(*where)).rowcount, 0)
        if deleted:
            count += deleted
            oldest, newest = _low(oldest, _utc(low)), _high(newest, _utc(high))
        return count, oldest, newest

    def _batches(
        self, engine: sa.Engine, rule: RetentionRule, cutoff: dt.datetime, batch_size: int
    ) -> Measured:
        count, oldest, newest = 0, None, None
        where = self._where(rule, cutoff)
        while True:
            with engine.begin() as conn:
                rows = conn.execute(
                    sa.select(t.c.read_id, t.c.read_at).where(*where).limit(batch_size)
                ).all()
                if not rows:
                    break
                ids = [r[0] for r in rows]
                count += max(
                    conn.execute(sa.delete(t).where(t.c.read_id.in_(ids), *where)).rowcount, 0
                )
            stamps = [s for s in (_utc(r[1]) for r in rows) if s is not None]
            if stamps:
                oldest, newest = _low(oldest, min(stamps)), _high(newest, max(stamps))
            if len(rows) < batch_size:
                break
        return count, oldest, newest


PURGER = ReadsPurger()
