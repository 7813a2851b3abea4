"""Retention fixtures: a migrated database with the real audit log, a settable clock,
and a generic row builder for any table a rule names."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa

from passerelle.audit.protect import DpoKeys
from passerelle.audit.reader import AuditSearch
from passerelle.audit.sql import SqlAuditLog
from passerelle.domain.countries import Country
from passerelle.federation.keys import NodeKey
from passerelle.retention.rules import RetentionRule

NOW = dt.datetime(2026, 11, 23, 12, 0, 0, tzinfo=dt.UTC)


class Clock:
    """An injectable clock: tests move it, nothing sleeps."""

    def __init__(self, now: dt.datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def audit(engine: sa.Engine) -> Iterator[SqlAuditLog]:
    yield SqlAuditLog(engine, key=NodeKey.generate(Country.NL), dpo=DpoKeys.generate())


_counter = itertools.count(1)


def _value(col: sa.Column[Any]) -> object:
    n = next(_counter)
    kind = col.type
    if isinstance(kind, sa.Boolean):
        return False
    if isinstance(kind, sa.DateTime):
        return NOW
    if isinstance(kind, sa.Date):
        return NOW.date()
    if isinstance(kind, sa.Integer | sa.Numeric | sa.Float):
        return n
    if isinstance(kind, sa.JSON):
        return {}
    length = getattr(kind, "length", None) or 40
    return f"r{n}"[:length]


@dataclass
class RuleTable:
    """The table of a rule in the test database: the real one if the node has it, else a
    stand-in with the rule's columns (the capability owning it is not installed yet)."""

    engine: sa.Engine
    table: sa.Table
    real: bool

    @classmethod
    def of(cls, engine: sa.Engine, rule: RetentionRule) -> RuleTable:
        if sa.inspect(engine).has_table(rule.table):
            return cls(engine, sa.Table(rule.table, sa.MetaData(), autoload_with=engine), True)
        md = sa.MetaData()
        cols: list[sa.Column[Any]] = [
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
            sa.Column(rule.timestamp_column, sa.DateTime(timezone=True), nullable=True),
        ]
        for name, value in rule.condition:
            kind: Any = sa.Boolean if isinstance(value, bool) else sa.String(40)
            cols.append(sa.Column(name, kind, nullable=True))
        table = sa.Table(rule.table, md, *cols)
        md.create_all(engine)
        return cls(engine, table, False)

    def insert(self, **values: object) -> object:
        row: dict[str, object] = {}
        for col in self.table.columns:
            if col.name in values:
                row[col.name] = values[col.name]
            elif col.primary_key and isinstance(col.type, sa.Integer):
                continue
            elif not col.nullable and col.server_default is None:
                row[col.name] = _value(col)
        pk = next(iter(self.table.primary_key.columns))
        with self.engine.begin() as conn:
            result = conn.execute(sa.insert(self.table).values(**row))
            return row.get(pk.name) or result.inserted_primary_key[0]

    def keys(self) -> set[object]:
        pk = next(iter(self.table.primary_key.columns))
        with self.engine.connect() as conn:
            return set(conn.execute(sa.select(pk)).scalars())


def erasures(audit: SqlAuditLog) -> list[dict[str, Any]]:
    records = audit.search(AuditSearch(kind="erasure", limit=1000))
    return [json.loads(json.dumps(r.detail)) for r in reversed(records)]
