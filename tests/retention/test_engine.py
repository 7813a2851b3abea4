"""The retention engine on SQLite and PostgreSQL: every rule deletes exactly at its boundary.

For each jurisdiction and each of its rules: a record one second inside the period stays,
one second outside goes, and the erasure is in the audit log (counts and range, no data).
Tables of capabilities not installed yet are stood in for by a table with the rule's columns.
"""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from passerelle.audit.events import Actor, AuditEvent, EventKind
from passerelle.audit.reader import AuditSearch
from passerelle.audit.sql import SqlAuditLog
from passerelle.domain.countries import Country
from passerelle.exc import ConfigError
from passerelle.retention.catalogue import builtin_rules
from passerelle.retention.engine import RetentionEngine
from passerelle.retention.period import Period
from passerelle.retention.rules import RetentionRule
from tests.retention.conftest import NOW, Clock, RuleTable, erasures

SECOND = dt.timedelta(seconds=1)


def _engine(
    engine: sa.Engine,
    rules: list[RetentionRule],
    audit: SqlAuditLog | None,
    clock: Clock,
    **kw: int,
) -> RetentionEngine:
    return RetentionEngine(engine, rules, country=Country.NL, audit=audit, clock=clock, **kw)


@pytest.mark.parametrize("jurisdiction", list(Country))
def test_every_rule_deletes_one_second_outside_and_keeps_one_second_inside(
    engine: sa.Engine, audit: SqlAuditLog, clock: Clock, jurisdiction: Country
) -> None:
    rules = [r for r in builtin_rules(jurisdiction) if r.target == "table"]
    assert {"checks", "follow_up_requests", "hit_references", "patrols", "anpr_reads"} <= {
        r.name for r in rules
    }
    for rule in rules:
        table = RuleTable.of(engine, rule)
        cutoff = rule.period.cutoff(NOW)
        match = dict(rule.condition)
        inside = table.insert(**{rule.timestamp_column: cutoff + SECOND}, **match)
        outside = table.insert(**{rule.timestamp_column: cutoff - SECOND}, **match)
        kept = {inside}
        if rule.condition:  # a row outside the period but not matching the condition stays
            other = {k: (not v if isinstance(v, bool) else "other") for k, v in match.items()}
            kept.add(table.insert(**{rule.timestamp_column: cutoff - SECOND}, **other))
        before = table.keys()
        report = _engine(engine, [rule], audit, clock).run()
        (outcome,) = report.outcomes
        assert outcome.status == "deleted", (rule.name, outcome.reason)
        assert outcome.count == 1, rule.name
        after = table.keys()
        assert outside not in after, f"{jurisdiction} {rule.name}: outside record kept"
        assert kept <= after, f"{jurisdiction} {rule.name}: inside record deleted"
        assert before - after == {outside}
        assert outcome.oldest == outcome.newest == cutoff - SECOND
        last = erasures(audit)[-1]
        assert last["rule"] == rule.name and last["count"] == 1
        assert last["oldest"] == (cutoff - SECOND).isoformat()
        assert last["cutoff"] == cutoff.isoformat()
        # cleanup so that the next rule on the same table starts empty
        with engine.begin() as conn:
            conn.execute(sa.delete(table.table))


def test_jurisdiction_periods_follow_the_design() -> None:
    def period(c: Country, name: str) -> Period:
        return next(r.period for r in builtin_rules(c) if r.name == name)

    assert period(Country.NL, "anpr_reads") == Period.parse("P28D")
    assert period(Country.LU, "anpr_reads") == Period.parse("P28D")
    assert period(Country.BE, "anpr_reads") == Period.parse("P12M")
    no_hit = next(r for r in builtin_rules(Country.DE) if r.name == "anpr_reads_no_hit")
    assert no_hit.period.is_zero and dict(no_hit.condition) == {"hit": False}
    assert all(r.name != "anpr_reads_no_hit" for r in builtin_rules(Country.NL))


def test_batches_are_bounded_and_the_range_is_exact(
    engine: sa.Engine, audit: SqlAuditLog, clock: Clock
) -> None:
    rule = RetentionRule(
        name="t",
        dataset="t",
        table="ret_batch",
        timestamp_column="at",
        period=Period.parse("P1D"),
        legal_basis="test",
    )
    table = RuleTable.of(engine, rule)
    cutoff = rule.period.cutoff(NOW)
    for i in range(10):
        table.insert(at=cutoff - dt.timedelta(hours=i + 1))
    table.insert(at=cutoff)  # exactly at the cut-off: not before it, stays
    calls: list[tuple[int, int]] = []
    report = _engine(engine, [rule], audit, clock, batch_size=3).run(
        progress=lambda r, done, total: calls.append((done, total))
    )
    (o,) = report.outcomes
    assert o.count == 10 and len(table.keys()) == 1
    assert o.oldest == cutoff - dt.timedelta(hours=10) and o.newest == cutoff - dt.timedelta(
        hours=1
    )
    assert calls == [(0, 10), (3, 10), (6, 10), (9, 10), (10, 10)]


def test_dry_run_counts_and_writes_nothing(
    engine: sa.Engine, audit: SqlAuditLog, clock: Clock
) -> None:
    rule = next(r for r in builtin_rules(Country.NL) if r.name == "checks")
    table = RuleTable.of(engine, rule)
    cutoff = rule.period.cutoff(NOW)
    table.insert(created_at=cutoff - SECOND)
    table.insert(created_at=cutoff - 2 * SECOND)
    head = audit.head()
    report = _engine(engine, [rule], None, clock).run(dry_run=True)
    (o,) = report.outcomes
    assert o.status == "would_delete" and o.count == 2
    assert o.oldest == cutoff - 2 * SECOND and o.newest == cutoff - SECOND
    assert len(table.keys()) == 2
    assert audit.head() == head


def test_missing_tables_and_columns_are_not_applicable(
    engine: sa.Engine, audit: SqlAuditLog, clock: Clock
) -> None:
    missing_table = RetentionRule(
        name="ghost",
        dataset="ghost",
        table="no_such_table",
        timestamp_column="at",
        period=Period.parse("P1D"),
        legal_basis="test",
    )
    missing_column = RetentionRule(
        name="wrong_column",
        dataset="population",
        table="population",
        timestamp_column="no_such_column",
        period=Period.parse("P1D"),
        legal_basis="test",
    )
    report = _engine(engine, [missing_table, missing_column], audit, clock).run()
    assert [o.status for o in report.outcomes] == ["not_applicable", "not_applicable"]
    assert "does not exist" in report.outcomes[0].reason
    assert "no_such_column" in report.outcomes[1].reason
    assert erasures(audit) == []


def test_a_real_run_needs_the_audit_log(engine: sa.Engine, clock: Clock) -> None:
    with pytest.raises(ConfigError):
        _engine(engine, builtin_rules(Country.NL), None, clock).run()


def test_the_erasure_entry_holds_counts_and_range_never_the_data(
    engine: sa.Engine, audit: SqlAuditLog, clock: Clock
) -> None:
    rule = next(r for r in builtin_rules(Country.NL) if r.name == "follow_up_requests")
    table = RuleTable.of(engine, rule)
    table.insert(created_at=rule.period.cutoff(NOW) - SECOND, justification="SECRET-JUSTIFICATION")
    report = _engine(engine, [rule], audit, clock).run()
    (record,) = audit.search(AuditSearch(kind="erasure"))
    assert record.entry_id == report.outcomes[0].audit_entry
    assert record.actor.role == "node" and record.outcome == "deleted"
    assert record.datasets == ("follow_up_requests",)
    assert record.query_encrypted is None
    text = repr(record)
    assert "SECRET-JUSTIFICATION" not in text
    assert record.detail["count"] == 1 and record.detail["table"] == "follow_up_requests"


def _event(at: dt.datetime) -> AuditEvent:
    return AuditEvent(
        kind=EventKind.CONSULTATION,
        actor=Actor(subject="officer-1", role="officer", country=Country.NL),
        outcome="no_hit",
        purpose="joint_control",
        justification="test",
        at=at,
    )


def test_audit_entries_rule_truncates_up_to_a_signed_head_and_the_chain_still_verifies(
    engine: sa.Engine, audit: SqlAuditLog, clock: Clock
) -> None:
    from passerelle.audit.verify import verify_db

    rule = next(r for r in builtin_rules(Country.NL) if r.name == "audit_entries")
    cutoff = rule.period.cutoff(NOW)
    audit.append(_event(cutoff - 2 * SECOND))
    outside = audit.append(_event(cutoff - SECOND))
    audit.sign_head()
    inside = audit.append(_event(cutoff + SECOND))
    dry = _engine(engine, [rule], None, clock).run(dry_run=True)
    assert dry.outcomes[0].count == 2  # the two entries past the period
    report = _engine(engine, [rule], audit, clock).run()
    (o,) = report.outcomes
    assert o.status == "deleted" and o.count == 2
    ids = {r.entry_id for r in audit.iter_all()}
    assert outside not in ids and inside in ids
    assert o.audit_entry in ids
    assert verify_db(audit).ok
    last = erasures(audit)[-1]
    assert last["rule"] == "audit_entries" and last["count"] == 2
    assert last["first_removed"] == 1 and last["last_removed"] == 2
