"""Apply retention rules: bounded delete batches, one ERASURE audit entry per rule.

For each rule the engine looks the table up in the live database. A table or
column that does not exist (the capability is not installed, or its migration
has not landed) makes the rule *not applicable*; it never fails the run.
Otherwise it deletes, batch by batch (each batch its own transaction, in primary key
order, continuing where the previous batch stopped), the rows whose timestamp is strictly
before ``now - period`` and that
match the rule's condition. A record one second inside its period stays; one
second outside goes.

After each applied rule it appends one ERASURE entry to the audit log with the
rule, the table, the number of rows erased and the time range they covered
(oldest and newest timestamp), never the data. A dry run only counts.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import sqlalchemy as sa

from passerelle.audit.events import Actor, AuditEvent, EventKind
from passerelle.audit.port import AuditLog
from passerelle.domain.countries import Country
from passerelle.exc import ConfigError
from passerelle.retention.purgers import Purger, purger_for
from passerelle.retention.rules import RetentionRule

Status = Literal["deleted", "would_delete", "not_applicable"]
Clock = Callable[[], dt.datetime]
Progress = Callable[[RetentionRule, int, int], None]  # rule, done, total


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class RuleOutcome:
    rule: str
    dataset: str
    table: str
    period: str
    cutoff: dt.datetime
    status: Status
    count: int = 0
    oldest: dt.datetime | None = None
    newest: dt.datetime | None = None
    reason: str = ""  # why a rule is not applicable
    audit_entry: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "dataset": self.dataset,
            "table": self.table,
            "period": self.period,
            "cutoff": self.cutoff.isoformat(),
            "status": self.status,
            "count": self.count,
            "oldest": self.oldest.isoformat() if self.oldest else None,
            "newest": self.newest.isoformat() if self.newest else None,
            "reason": self.reason,
            "audit_entry": self.audit_entry,
        }


@dataclass
class RetentionReport:
    run_id: str
    started_at: dt.datetime
    dry_run: bool
    trigger: str
    outcomes: list[RuleOutcome] = field(default_factory=list)
    finished_at: dt.datetime | None = None

    @property
    def total(self) -> int:
        return sum(o.count for o in self.outcomes)

    @property
    def applied(self) -> int:
        return sum(1 for o in self.outcomes if o.status != "not_applicable")

    def to_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
            "dry_run": self.dry_run,
            "trigger": self.trigger,
            "total": self.total,
            "rules": [o.to_dict() for o in self.outcomes],
        }


def _utc(value: object) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)
    if isinstance(value, int | float):
        return dt.datetime.fromtimestamp(float(value), dt.UTC)
    return None


@dataclass(frozen=True)
class _Target:
    table: sa.Table
    pk: sa.Column[Any]
    ts: sa.Column[Any]
    where: tuple[sa.ColumnElement[bool], ...]


class RetentionEngine:
    """Apply ``rules`` to the database of ``engine``; log erasures to ``audit``."""

    def __init__(
        self,
        engine: sa.Engine,
        rules: Sequence[RetentionRule],
        *,
        country: Country,
        audit: AuditLog | None,
        clock: Clock = utc_now,
        batch_size: int = 1000,
    ) -> None:
        if batch_size < 1:
            raise ConfigError("retention batch size must be at least 1")
        self.engine = engine
        self.rules = list(rules)
        self.country = country
        self.audit = audit
        self.clock = clock
        self.batch_size = batch_size

    # -- lookup -------------------------------------------------------------------------

    def _target(self, rule: RetentionRule, cutoff: dt.datetime) -> _Target | str:
        """The reflected table and filter of ``rule``, or why it is not applicable."""
        inspector = sa.inspect(self.engine)
        if not inspector.has_table(rule.table):
            return f"table {rule.table} does not exist on this node"
        table = sa.Table(rule.table, sa.MetaData(), autoload_with=self.engine)
        pk = list(table.primary_key.columns)
        if len(pk) != 1:
            return f"table {rule.table} has no single-column primary key"
        missing = [c for c in (rule.timestamp_column, *(n for n, _ in rule.condition))]
        missing = [c for c in missing if c not in table.c]
        if missing:
            return f"table {rule.table} has no column {', '.join(missing)}"
        ts = table.c[rule.timestamp_column]
        bound = self._bound(ts, cutoff)
        if bound is None:
            return f"column {rule.timestamp_column} is not a date, time or number"
        where: list[sa.ColumnElement[bool]] = [ts < bound]
        for name, value in rule.condition:
            col = table.c[name]
            where.append(col.is_(None) if value is None else col == value)
        return _Target(table, pk[0], ts, tuple(where))

    @staticmethod
    def _bound(ts: sa.Column[Any], cutoff: dt.datetime) -> object | None:
        kind = ts.type
        if isinstance(kind, sa.DateTime):
            utc = cutoff.astimezone(dt.UTC)
            return utc if getattr(kind, "timezone", False) else utc.replace(tzinfo=None)
        if isinstance(kind, sa.Date):
            return cutoff.astimezone(dt.UTC).date()
        if isinstance(kind, sa.Integer | sa.Float | sa.Numeric):
            return cutoff.timestamp()
        return None

    # -- running ------------------------------------------------------------------------

    def run(
        self, *, dry_run: bool = False, trigger: str = "cli", progress: Progress | None = None
    ) -> RetentionReport:
        """Apply (or with ``dry_run`` only count) every rule; the report says what went."""
        if not dry_run and self.audit is None:
            raise ConfigError("the retention job needs the audit log to record its erasures")
        now = self.clock()
        if now.tzinfo is None:
            raise ConfigError("the retention clock must give aware datetimes")
        report = RetentionReport(uuid.uuid4().hex, now, dry_run, trigger)
        for rule in self.rules:
            report.outcomes.append(self._apply(rule, now, dry_run, report.run_id, progress))
        report.finished_at = self.clock()
        return report

    def _apply(
        self,
        rule: RetentionRule,
        now: dt.datetime,
        dry_run: bool,
        run_id: str,
        progress: Progress | None,
    ) -> RuleOutcome:
        cutoff = rule.period.cutoff(now)
        base = {
            "rule": rule.name,
            "dataset": rule.dataset,
            "table": rule.table,
            "period": rule.period.iso(),
            "cutoff": cutoff,
        }
        purger = purger_for(rule.table) if rule.target == "table" else None
        if purger is not None and sa.inspect(self.engine).has_table(rule.table):
            return self._apply_purger(rule, purger, base, cutoff, dry_run, run_id, progress)
        target = self._target(rule, cutoff)
        if rule.target == "audit" and not hasattr(self.audit, "truncate_before") and not dry_run:
            target = "the audit log of this node has no retention yet"
        if isinstance(target, str):
            return RuleOutcome(**base, status="not_applicable", reason=target)  # type: ignore[arg-type]
        count, oldest, newest = self._measure(target)
        if dry_run:
            return RuleOutcome(
                **base,  # type: ignore[arg-type]
                status="would_delete",
                count=count,
                oldest=oldest,
                newest=newest,
            )
        if progress is not None:
            progress(rule, 0, count)
        extra: dict[str, Any] = {}
        if rule.target == "audit":
            measured = count
            count, extra = self._truncate_audit(cutoff)
            if count == 0:
                oldest = newest = None
            elif count != measured:
                newest = None  # removed up to a signed head: the positions say where
        else:
            count, oldest, newest = self._delete(rule, target, count, progress)
        entry = self._log(rule, run_id, cutoff, count, oldest, newest, extra)
        return RuleOutcome(
            **base,  # type: ignore[arg-type]
            status="deleted",
            count=count,
            oldest=oldest,
            newest=newest,
            audit_entry=entry,
        )

    def _apply_purger(
        self,
        rule: RetentionRule,
        purger: Purger,
        base: dict[str, Any],
        cutoff: dt.datetime,
        dry_run: bool,
        run_id: str,
        progress: Progress | None,
    ) -> RuleOutcome:
        """A table that deletes its own rows (``retention.purgers``), e.g. by partition."""
        count, oldest, newest = purger.measure(self.engine, rule, cutoff)
        if dry_run:
            return RuleOutcome(
                **base, status="would_delete", count=count, oldest=oldest, newest=newest
            )
        if progress is not None:
            progress(rule, 0, count)
        count, oldest, newest = purger.delete(self.engine, rule, cutoff, self.batch_size)
        if progress is not None:
            progress(rule, count, count)
        entry = self._log(rule, run_id, cutoff, count, oldest, newest, {})
        return RuleOutcome(
            **base, status="deleted", count=count, oldest=oldest, newest=newest, audit_entry=entry
        )

    def _measure(self, t: _Target) -> tuple[int, dt.datetime | None, dt.datetime | None]:
        query = sa.select(sa.func.count(), sa.func.min(t.ts), sa.func.max(t.ts)).where(*t.where)
        with self.engine.connect() as conn:
            count, oldest, newest = conn.execute(query).one()
        return int(count), _utc(oldest), _utc(newest)

    def _delete(
        self, rule: RetentionRule, t: _Target, expected: int, progress: Progress | None
    ) -> tuple[int, dt.datetime | None, dt.datetime | None]:
        done = 0
        oldest: dt.datetime | None = None
        newest: dt.datetime | None = None
        last_key: Any = None
        while True:
            # Keyset pagination on the primary key: each batch continues where the last one
            # stopped, so a backlog is scanned once even without an index on the timestamp.
            select = sa.select(t.pk, t.ts).where(*t.where)
            if last_key is not None:
                select = select.where(t.pk > last_key)
            select = select.order_by(t.pk).limit(self.batch_size)
            with self.engine.begin() as conn:
                rows = conn.execute(select).all()
                if not rows:
                    break
                ids = [r[0] for r in rows]
                deleted = conn.execute(sa.delete(t.table).where(t.pk.in_(ids))).rowcount
            done += max(int(deleted), 0)
            last_key = ids[-1]
            stamps = [s for s in (_utc(r[1]) for r in rows) if s is not None]
            if stamps:
                low, high = min(stamps), max(stamps)
                oldest = low if oldest is None or low < oldest else oldest
                newest = high if newest is None or high > newest else newest
            if progress is not None:
                progress(rule, done, max(expected, done))
            if len(rows) < self.batch_size:
                break
        return done, oldest, newest

    def _truncate_audit(self, cutoff: dt.datetime) -> tuple[int, dict[str, Any]]:
        """Audit entries go through the audit store's own truncation (chain stays verifiable).

        It removes the oldest entries only up to a signed head, so it may remove fewer
        entries than are past the period; the rest go in a later run.
        """
        truncate = getattr(self.audit, "truncate_before", None)
        if truncate is None:
            raise ConfigError("this audit log has no retention (truncate_before)")
        result = truncate(cutoff)
        count = int(getattr(result, "removed", 0) or 0)
        extra = {
            name: getattr(result, name)
            for name in ("first_removed", "last_removed", "anchor_position")
            if isinstance(getattr(result, name, None), int)
        }
        return count, extra

    def _log(
        self,
        rule: RetentionRule,
        run_id: str,
        cutoff: dt.datetime,
        count: int,
        oldest: dt.datetime | None,
        newest: dt.datetime | None,
        extra: dict[str, Any],
    ) -> str | None:
        assert self.audit is not None
        event = AuditEvent(
            kind=EventKind.ERASURE,
            actor=Actor(
                subject=f"node:{self.country.value}",
                role="node",
                country=self.country,
                unit="retention",
            ),
            outcome="deleted",
            purpose=None,
            justification=f"retention rule {rule.name}: {rule.legal_basis}"[:1000],
            datasets=(rule.dataset,),
            detail={
                "run_id": run_id,
                "rule": rule.name,
                "table": rule.table,
                "period": rule.period.iso(),
                "condition": rule.condition_text,
                "cutoff": cutoff.isoformat(),
                "count": count,
                "oldest": oldest.isoformat() if oldest else None,
                "newest": newest.isoformat() if newest else None,
                **extra,
            },
            at=self.clock(),
        )
        return self.audit.append(event)
