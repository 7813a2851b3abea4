"""Pursuit records are deleted one year after the pursuit ended, with everything of theirs.

A second inside the period: kept; a second outside: gone, positions and steps
too (ON DELETE CASCADE). An active pursuit is never deleted. Notifications go
one year after they were created. Both backends (``engine`` fixture).
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from passerelle.audit.protect import DpoKeys
from passerelle.audit.sql import SqlAuditLog
from passerelle.domain.countries import Country
from passerelle.federation.keys import NodeKey
from passerelle.ops.pursuits import Position, Pursuit, PursuitStatus, Source
from passerelle.ops.pursuits_retention import NOTIFICATIONS_RULE, PURSUITS_RULE
from passerelle.ops.pursuits_store import Notification, PursuitStore, Step
from passerelle.retention.catalogue import node_rules
from passerelle.retention.engine import RetentionEngine
from passerelle.settings import NodeSettings
from passerelle.storage.tables_pursuits import (
    ops_pursuit_notifications,
    ops_pursuit_positions,
    ops_pursuit_steps,
)

NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)
SECOND = dt.timedelta(seconds=1)


def _pursuit(store: PursuitStore, pid: str, ended_at: dt.datetime | None) -> None:
    opened = (ended_at or NOW) - dt.timedelta(hours=1)
    p = Pursuit(
        pursuit_id=pid,
        origin_country=Country.BE,
        status=PursuitStatus.ENDED if ended_at else PursuitStatus.ACTIVE,
        subject="car",
        reason="theft",
        units=(),
        opened_by="BE:control",
        opened_at=opened - dt.timedelta(days=800),  # its own age must not matter
        ended_at=ended_at,
    )
    fix = Position(1, opened, opened, 50.9, 5.6, "BE", "accepted", False, Source.API, "BE:u")
    with store.engine.begin() as conn:
        store.insert(conn, p)
        store.add_position(conn, pid, fix)
        store.add_step(conn, pid, Step(opened, "opened", "BE", "BE:control", {}))


def _notification(store: PursuitStore, nid: str, created: dt.datetime) -> None:
    n = Notification(
        nid, "in", "BE-0000000000000001", Country.BE, Country.NL, "entered", True, {},
        created, created, None, None, None, 0, None,
    )  # fmt: skip
    with store.engine.begin() as conn:
        store.add_notification(conn, n)


def _count(engine: sa.Engine, table: sa.Table, pid: str) -> int:
    with engine.connect() as conn:
        q = sa.select(sa.func.count()).where(table.c.pursuit_id == pid)
        return int(conn.execute(q).scalar_one())


def test_rules_are_in_force_on_every_node() -> None:
    names = {r.name for r in node_rules(NodeSettings(country=Country.NL))}
    assert {"pursuits", "pursuit_notifications"} <= names


def test_boundary_deletes_with_positions_and_steps(engine: sa.Engine) -> None:
    store = PursuitStore(engine)
    cutoff = PURSUITS_RULE.period.cutoff(NOW)
    _pursuit(store, "BE-00000000000000a1", cutoff + SECOND)  # inside: stays
    _pursuit(store, "BE-00000000000000b2", cutoff - SECOND)  # outside: goes
    _pursuit(store, "BE-00000000000000c3", None)  # active, opened 800 days ago: stays
    n_cut = NOTIFICATIONS_RULE.period.cutoff(NOW)
    _notification(store, "BE-00000000000000a1-1", n_cut + SECOND)
    _notification(store, "BE-00000000000000b2-1", n_cut - SECOND)
    audit = SqlAuditLog(engine, key=NodeKey.generate(Country.BE), dpo=DpoKeys.generate())

    rules = [PURSUITS_RULE, NOTIFICATIONS_RULE]
    report = RetentionEngine(
        engine, rules, country=Country.BE, audit=audit, clock=lambda: NOW
    ).run()

    counts = {o.rule: (o.status, o.count) for o in report.outcomes}
    assert counts == {"pursuits": ("deleted", 1), "pursuit_notifications": ("deleted", 1)}
    assert store.get("BE-00000000000000a1") is not None
    assert store.get("BE-00000000000000c3") is not None
    assert store.get("BE-00000000000000b2") is None
    for table in (ops_pursuit_positions, ops_pursuit_steps):
        assert _count(engine, table, "BE-00000000000000a1") == 1
        assert _count(engine, table, "BE-00000000000000b2") == 0
    with engine.connect() as conn:
        left = conn.execute(sa.select(ops_pursuit_notifications.c.notification_id)).scalars()
        assert list(left) == ["BE-00000000000000a1-1"]
