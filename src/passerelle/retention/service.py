"""The retention service of a node: its rules, single-flight runs, and the run history.

One ``RetentionService`` per node context. ``run`` is single-flight: while a
run is under way in this process another one is refused with ``RetentionBusy``
(the scheduler just skips its turn). Runs that delete are recorded in
``retention_runs``; dry runs write nothing.
"""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import sqlalchemy as sa

from passerelle.audit.port import AuditLog
from passerelle.exc import PasserelleError
from passerelle.retention.catalogue import node_rules
from passerelle.retention.engine import (
    Clock,
    Progress,
    RetentionEngine,
    RetentionReport,
    utc_now,
)
from passerelle.retention.rules import RetentionRule
from passerelle.settings import NodeSettings
from passerelle.storage.tables import retention_runs


class RetentionBusy(PasserelleError):
    status = 409
    code = "retention_running"


class RetentionService:
    def __init__(
        self,
        engine: sa.Engine,
        settings: NodeSettings,
        *,
        audit: AuditLog | None,
        clock: Clock = utc_now,
    ) -> None:
        self.db = engine
        self.settings = settings
        self.audit = audit
        self.clock = clock
        self._lock = threading.Lock()

    def rules(self) -> list[RetentionRule]:
        return node_rules(self.settings)

    def engine(self) -> RetentionEngine:
        return RetentionEngine(
            self.db,
            self.rules(),
            country=self.settings.country,
            audit=self.audit,
            clock=self.clock,
            batch_size=self.settings.retention.batch_size,
        )

    @property
    def running(self) -> bool:
        return self._lock.locked()

    def dry_run(self) -> RetentionReport:
        return self.engine().run(dry_run=True, trigger="dry_run")

    def run(self, *, trigger: str = "cli", progress: Progress | None = None) -> RetentionReport:
        """Apply every rule now; ``RetentionBusy`` when a run is already under way."""
        if not self._lock.acquire(blocking=False):
            raise RetentionBusy("a retention run is already under way on this node")
        try:
            report = self.engine().run(trigger=trigger, progress=progress)
            self._record(report, "ok")
            return report
        finally:
            self._lock.release()

    def _record(self, report: RetentionReport, status: str) -> None:
        with self.db.begin() as conn:
            conn.execute(
                sa.insert(retention_runs).values(
                    run_id=report.run_id,
                    trigger=report.trigger[:20],
                    started_at=report.started_at,
                    finished_at=report.finished_at,
                    status=status,
                    rules_applied=report.applied,
                    rows_deleted=report.total,
                    report=report.to_dict(),
                )
            )

    def recent_runs(self, limit: int = 10) -> list[dict[str, Any]]:
        query = (
            sa.select(retention_runs)
            .order_by(retention_runs.c.started_at.desc())
            .limit(max(1, min(limit, 100)))
        )
        with self.db.connect() as conn:
            rows = conn.execute(query).mappings().all()
        out = []
        for row in rows:
            item = dict(row)
            for key in ("started_at", "finished_at"):
                value = item[key]
                if isinstance(value, dt.datetime) and value.tzinfo is None:
                    item[key] = value.replace(tzinfo=dt.UTC)
            out.append(item)
        return out
