"""Crew rows (and the outbox of copies) go with their patrol, at the patrol's boundary."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from passerelle.audit.sql import SqlAuditLog
from passerelle.domain.countries import Country
from passerelle.ops.patrols import Patrol, PatrolStatus, parse_crew
from passerelle.ops.store import PatrolStore
from passerelle.retention.catalogue import builtin_rules
from passerelle.retention.engine import RetentionEngine
from passerelle.storage.tables import joint_patrol_crew, patrol_copies
from tests.retention.conftest import NOW, Clock

SECOND = dt.timedelta(seconds=1)


def _patrol(engine: sa.Engine, pid: str, ended_at: dt.datetime) -> None:
    # Crew rows added long before the end: their own age must not matter.
    added = ended_at - dt.timedelta(days=400)
    patrol = Patrol(
        patrol_id=pid,
        origin_country=Country.NL,
        status=PatrolStatus.ENDED,
        crew=parse_crew("NL:officer,BE:officer"),
        created_by="NL:officer",
        created_at=added,
        started_at=added,
        ended_at=ended_at,
    )
    PatrolStore(engine).save(patrol)
    with engine.begin() as conn:
        conn.execute(joint_patrol_crew.update().values(added_at=added))
        conn.execute(
            patrol_copies.insert().values(
                patrol_id=pid,
                partner="BE",
                version=1,
                delivered_version=1,
                attempts=0,
            )
        )


def _count(engine: sa.Engine, table: sa.Table, pid: str) -> int:
    with engine.connect() as conn:
        query = sa.select(sa.func.count()).where(table.c.patrol_id == pid)
        return int(conn.execute(query).scalar_one())


def test_crew_rows_go_with_their_patrol_not_before(
    engine: sa.Engine, audit: SqlAuditLog, clock: Clock
) -> None:
    rules = builtin_rules(Country.NL)
    assert "patrol_crews" not in {r.name for r in rules}  # no clock of their own any more
    (rule,) = [r for r in rules if r.name == "patrols"]
    cutoff = rule.period.cutoff(NOW)
    _patrol(engine, "NL-00000000000000a1", cutoff + SECOND)  # one second inside: stays
    _patrol(engine, "NL-00000000000000b2", cutoff - SECOND)  # one second outside: goes
    store = PatrolStore(engine)

    report = RetentionEngine(engine, rules, country=Country.NL, audit=audit, clock=clock).run()

    outcome = next(o for o in report.outcomes if o.rule == "patrols")
    assert outcome.status == "deleted" and outcome.count == 1
    kept = store.get("NL-00000000000000a1")
    assert kept is not None and len(kept.crew) == 2
    assert _count(engine, joint_patrol_crew, "NL-00000000000000a1") == 2
    assert _count(engine, patrol_copies, "NL-00000000000000a1") == 1
    assert store.get("NL-00000000000000b2") is None
    assert _count(engine, joint_patrol_crew, "NL-00000000000000b2") == 0
    assert _count(engine, patrol_copies, "NL-00000000000000b2") == 0
