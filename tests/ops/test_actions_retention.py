"""Raw joint-action records go one year after registration; the figures stay.

A second inside the period: kept; a second outside: deleted, at both tables. The
aggregates (board, report) are untouched. Both backends (``engine`` fixture).
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from passerelle.audit.protect import DpoKeys
from passerelle.audit.sql import SqlAuditLog
from passerelle.domain.countries import Country
from passerelle.federation.keys import NodeKey
from passerelle.ops.action_results import parse_result
from passerelle.ops.actions_board import compute_board
from passerelle.ops.actions_retention import RESULTS_RULE, SHARED_RULE
from passerelle.ops.actions_store import ActionStore
from passerelle.retention.catalogue import node_rules
from passerelle.retention.engine import RetentionEngine
from passerelle.settings import NodeSettings
from passerelle.storage.tables_actions import action_results, action_shared_records
from tests.ops.test_actions_results import NOW, action

SECOND = dt.timedelta(seconds=1)
LATER = NOW + dt.timedelta(days=400)


def test_rules_are_in_force_on_every_node() -> None:
    names = {r.name for r in node_rules(NodeSettings(country=Country.LU))}
    assert {"action_results", "action_shared_records"} <= names


def test_boundary_deletes_raw_records_and_keeps_the_figures(engine: sa.Engine) -> None:
    store, a = ActionStore(engine), action()
    store.save_plan(a, NOW)
    cutoff = RESULTS_RULE.period.cutoff(LATER)
    for sid, at in (("inside-01", cutoff + SECOND), ("outside-01", cutoff - SECOND)):
        body = {"submission_id": sid, "checkpoint_id": "CP01", "persons_checked": 2,
                "note": "driver known to us", "occurred_at": NOW.isoformat()}  # fmt: skip
        r = parse_result(a, body, country="NL", now=NOW)
        with engine.begin() as conn:
            store.add_result(r, "NL:officer", at, conn)
        store.save_shared(a.action_id, "NL", r.to_wire(), at)
    audit = SqlAuditLog(engine, key=NodeKey.generate(Country.NL), dpo=DpoKeys.generate())
    report = RetentionEngine(
        engine, [RESULTS_RULE, SHARED_RULE], country=Country.NL, audit=audit, clock=lambda: LATER
    ).run()
    counts = {o.rule: (o.status, o.count) for o in report.outcomes}
    assert counts == {"action_results": ("deleted", 1), "action_shared_records": ("deleted", 1)}
    for table in (action_results, action_shared_records):
        with engine.connect() as conn:
            left = conn.execute(sa.select(table.c.submission_id)).scalars().all()
        assert left == ["inside-01"]
    assert compute_board(engine, a, "NL")["totals"]["persons_checked"] == 4
