"""Who may write and read a patrol's log, and what each step leaves in the audit log.

- A **check** in a patrol's name is logged by ``CheckService`` (``record_check``)
  once its answer is known: kind, time, outcome per country. The consultation
  itself is in the audit log under the same check id.
- An **incident** may be recorded by the patrol's crew at this node (or this
  node's control room) once the patrol has started, also after its end (the
  write-up); it is audited (category, not the text).
- **Positions** are taken only while the crew has switched them on for the
  patrol (audited, on and off) and while the patrol is on duty.
- Reading the log (incidents and positions may be personal data) is audited.

All methods are synchronous (database): call them from a worker thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import structlog

from passerelle.audit.events import Actor, AuditEvent, EventKind, LegalRef
from passerelle.auth.roles import Principal, Role
from passerelle.exc import Forbidden
from passerelle.node.context import NodeContext
from passerelle.ops import patrol_live
from passerelle.ops.patrol_log import (
    MAX_POSITIONS,
    LogEntry,
    Position,
    outcome_summary,
    parse_incident,
    parse_position,
)
from passerelle.ops.patrol_log_store import PatrolLogStore
from passerelle.ops.patrols import CrewMember, Patrol, PatrolStatus
from passerelle.ops.service import PatrolConflict, PatrolService

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class PatrolLog:
    patrol: Patrol
    entries: list[LogEntry]
    positions: list[Position]
    tracking: bool


class PatrolLogService:
    def __init__(self, ctx: NodeContext) -> None:
        self.ctx = ctx
        self.country = ctx.settings.country
        self.patrols = PatrolService(ctx)
        self.store = PatrolLogStore(ctx.engine)

    def _me(self, principal: Principal) -> CrewMember:
        return CrewMember(self.country, principal.subject)

    def _allowed(self, principal: Principal, patrol_id: str) -> Patrol:
        patrol = self.patrols.get(patrol_id)
        if not principal.has(Role.CONTROL_ROOM) and not patrol.includes(self._me(principal)):
            raise Forbidden("only the crew or the control room", code="not_in_crew")
        return patrol

    def _audit(self, principal: Principal, patrol: Patrol, outcome: str, **detail: Any) -> None:
        role = Role.OFFICER if principal.has(Role.OFFICER) else sorted(principal.roles)[0]
        self.ctx.audit.append(
            AuditEvent(
                kind=EventKind.PATROL_LOG,
                actor=Actor(subject=principal.subject, role=role.value, country=self.country),
                outcome=outcome,
                purpose=None,
                justification=None,
                legal_ref=LegalRef(patrol_id=patrol.patrol_id),
                detail=detail,
            )
        )

    # --- checks (from CheckService) --------------------------------------------------------
    def record_check(
        self,
        principal: Principal,
        patrol_id: str,
        check_id: str,
        check_kind: str,
        sources: list[tuple[str, str]],
    ) -> bool:
        """Log a check run in the patrol's name; False when the patrol is not known here."""
        patrol = self.patrols.store.get(patrol_id)
        if patrol is None:
            return False
        outcome, text = outcome_summary(sources)
        at = self.ctx.patrols.now()
        added = self.store.add_check(
            patrol_id, str(self._me(principal)), at, check_id, check_kind, outcome, text
        )
        if added:
            patrol_live.publish(
                self.ctx,
                "check",
                {"patrol_id": patrol_id, "check_kind": check_kind, "outcome": outcome,
                 "at": at.isoformat()},
            )  # fmt: skip
        return added

    # --- incidents ------------------------------------------------------------------------
    def add_incident(
        self,
        principal: Principal,
        patrol_id: str,
        category: Any,
        text: Any,
        *,
        lat: Any = None,
        lon: Any = None,
        at: datetime | str | None = None,
    ) -> LogEntry:
        patrol = self._allowed(principal, patrol_id)
        if patrol.status is PatrolStatus.PLANNED:
            raise PatrolConflict("the patrol has not started", code="patrol_not_started")
        incident = parse_incident(
            category, text, lat=lat, lon=lon, at=at, now=self.ctx.patrols.now()
        )
        self._audit(principal, patrol, "incident_recorded", category=incident.category.value)
        entry_id = self.store.add_incident(patrol_id, str(self._me(principal)), incident)
        patrol_live.publish(
            self.ctx,
            "incident",
            {"patrol_id": patrol_id, "category": incident.category.value,
             "at": incident.at.isoformat()},
        )  # fmt: skip
        return next(e for e in self.store.entries(patrol_id, limit=50) if e.id == entry_id)

    # --- positions ------------------------------------------------------------------------
    def set_tracking(self, principal: Principal, patrol_id: str, enabled: bool) -> bool:
        patrol = self._allowed(principal, patrol_id)
        if enabled and self.ctx.patrols.is_over(patrol):
            raise PatrolConflict("the patrol has ended", code="patrol_ended")
        self._audit(principal, patrol, "tracking_on" if enabled else "tracking_off")
        now = self.ctx.patrols.now()
        self.store.set_tracking(patrol_id, enabled, str(self._me(principal)), now)
        patrol_live.publish(self.ctx, "tracking", {"patrol_id": patrol_id, "tracking": enabled})
        return enabled

    def add_positions(
        self, principal: Principal, patrol_id: str, items: list[dict[str, Any]]
    ) -> int:
        patrol = self._allowed(principal, patrol_id)
        if patrol.status is not PatrolStatus.ACTIVE or self.ctx.patrols.is_over(patrol):
            raise PatrolConflict("the patrol is not on duty", code="patrol_not_active")
        if not self.store.tracking(patrol_id):
            raise PatrolConflict(
                "positions are off for this patrol: switch them on first",
                code="patrol_tracking_off",
            )
        now = self.ctx.patrols.now()
        positions = [
            parse_position(i.get("lat"), i.get("lon"), i.get("at"), now)
            for i in items[:MAX_POSITIONS]
        ]
        count = self.store.add_positions(patrol_id, str(self._me(principal)), positions)
        if positions:
            last = max(positions, key=lambda x: x.at)
            patrol_live.publish(
                self.ctx,
                "position",
                {"patrol_id": patrol_id, "lat": last.lat, "lon": last.lon,
                 "at": last.at.isoformat()},
            )  # fmt: skip
        return count

    # --- reading --------------------------------------------------------------------------
    def read(self, principal: Principal, patrol_id: str) -> PatrolLog:
        patrol = self._allowed(principal, patrol_id)
        entries = self.store.entries(patrol_id)
        positions = self.store.positions(patrol_id)
        self._audit(principal, patrol, "read", entries=len(entries), positions=len(positions))
        return PatrolLog(patrol, entries, positions, self.store.tracking(patrol_id))

    def counts(self, patrol_ids: list[str]) -> dict[str, dict[str, int]]:
        return self.store.counts(patrol_ids)
