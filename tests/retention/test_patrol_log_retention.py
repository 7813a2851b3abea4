"""The patrol log's retention: positions on their own (shorter) clock, the rest with the patrol."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from passerelle.audit.sql import SqlAuditLog
from passerelle.domain.countries import Country
from passerelle.ops.patrol_log import POSITIONS_RULE, Incident, IncidentCategory, Position
from passerelle.ops.patrol_log_store import PatrolLogStore
from passerelle.ops.patrols import Patrol, PatrolStatus, parse_crew
from passerelle.ops.store import PatrolStore
from passerelle.retention.catalogue import builtin_rules
from passerelle.retention.engine import RetentionEngine
from passerelle.retention.rules import registered_rules
from passerelle.storage.tables_patrol_log import patrol_log_entries, patrol_positions
from tests.retention.conftest import NOW, Clock, erasures

SECOND = dt.timedelta(seconds=1)


def _patrol(engine: sa.Engine, pid: str, ended_at: dt.datetime) -> None:
    started = ended_at - dt.timedelta(hours=8)
    PatrolStore(engine).save(
        Patrol(
            patrol_id=pid,
            origin_country=Country.BE,
            status=PatrolStatus.ENDED,
            crew=parse_crew("BE:officer,NL:officer"),
            created_by="BE:officer",
            created_at=started,
            started_at=started,
            ended_at=ended_at,
        )
    )


def _count(engine: sa.Engine, table: sa.Table, pid: str) -> int:
    with engine.connect() as conn:
        query = sa.select(sa.func.count()).where(table.c.patrol_id == pid)
        return int(conn.execute(query).scalar_one())


def test_positions_go_one_second_after_their_period_not_before(
    engine: sa.Engine, audit: SqlAuditLog, clock: Clock
) -> None:
    assert POSITIONS_RULE.name in {r.name for r in registered_rules()}
    cutoff = POSITIONS_RULE.period.cutoff(NOW)
    pid = "BE-00000000000000c3"
    _patrol(engine, pid, NOW - dt.timedelta(days=1))  # the patrol itself is young
    store = PatrolLogStore(engine)
    store.add_positions(
        pid,
        "BE:officer",
        [Position(cutoff + SECOND, 50.87, 5.66), Position(cutoff - SECOND, 50.88, 5.67)],
    )

    report = RetentionEngine(
        engine, [POSITIONS_RULE], country=Country.BE, audit=audit, clock=clock
    ).run()

    (outcome,) = report.outcomes
    assert outcome.status == "deleted" and outcome.count == 1
    assert [p.at for p in store.positions(pid)] == [cutoff + SECOND]
    last = erasures(audit)[-1]
    assert last["rule"] == "patrol_positions" and last["oldest"] == (cutoff - SECOND).isoformat()
    assert "50.88" not in str(last)  # counts and range, never the data


def test_checks_incidents_and_positions_go_with_their_patrol(
    engine: sa.Engine, audit: SqlAuditLog, clock: Clock
) -> None:
    (rule,) = [r for r in builtin_rules(Country.BE) if r.name == "patrols"]
    cutoff = rule.period.cutoff(NOW)
    store = PatrolLogStore(engine)
    for pid, ended in (
        ("BE-00000000000000a1", cutoff + SECOND),
        ("BE-00000000000000b2", cutoff - SECOND),
    ):
        _patrol(engine, pid, ended)
        store.add_check(pid, "BE:officer", ended, f"c{pid[-2:]}", "person", "hit", "NL:hit")
        store.add_incident(
            pid, "BE:officer", Incident(IncidentCategory.ARREST, "arrest at Lanaken", ended)
        )
        store.set_tracking(pid, True, "BE:officer", ended)
        store.add_positions(pid, "BE:officer", [Position(ended, 50.87, 5.66)])

    RetentionEngine(engine, [rule], country=Country.BE, audit=audit, clock=clock).run()

    assert _count(engine, patrol_log_entries, "BE-00000000000000a1") == 2
    assert _count(engine, patrol_positions, "BE-00000000000000a1") == 1
    assert store.tracking("BE-00000000000000a1")
    assert _count(engine, patrol_log_entries, "BE-00000000000000b2") == 0
    assert _count(engine, patrol_positions, "BE-00000000000000b2") == 0
    assert not store.tracking("BE-00000000000000b2")
