"""What the pursuit service of the origin node shares: reading pursuits and their timeline
(audited when a principal is given), judging a fix, and the live events.

``PursuitService`` (``pursuits_service``) adds the changes: open, positions, end.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from passerelle.audit.events import EventKind
from passerelle.auth.roles import Principal
from passerelle.exc import InvalidInput, NotFound, PasserelleError
from passerelle.node.context import NodeContext
from passerelle.ops.pursuits import (
    Position,
    Pursuit,
    PursuitStatus,
    Verdict,
    judge,
    parse_pursuit_id,
)
from passerelle.ops.pursuits_export import timeline
from passerelle.ops.pursuits_notify import NotificationService
from passerelle.ops.pursuits_runtime import TOPIC_PURSUITS

__all__ = ["PositionRejected", "PursuitBase", "PursuitConflict"]


class PursuitConflict(PasserelleError):
    status = 409
    code = "pursuit_conflict"


class PositionRejected(InvalidInput):
    """The position was recorded as rejected (reason in ``code`` and ``params``)."""

    code = "position_rejected"


class PursuitBase:
    def __init__(self, ctx: NodeContext) -> None:
        self.ctx = ctx
        self.runtime = ctx.pursuits
        self.store = self.runtime.store
        self.country = ctx.settings.country
        self.notices = NotificationService(ctx)

    # --- reading ----------------------------------------------------------------------------
    def get(self, pursuit_id: str) -> Pursuit:
        found = self.store.get(parse_pursuit_id(pursuit_id))
        if found is None:
            raise NotFound("no such pursuit at this node", code="pursuit_not_found")
        return self.store.with_last_positions([found])[0]

    def active(self) -> list[Pursuit]:
        """Pursuits under way, newest first, each with its last accepted position."""
        return self.store.with_last_positions(self.store.find(PursuitStatus.ACTIVE))

    def find(self, status: PursuitStatus | None = None, limit: int = 100) -> list[Pursuit]:
        return self.store.with_last_positions(self.store.find(status, limit))

    def positions(self, pursuit_id: str) -> list[Position]:
        return self.store.positions(self.get(pursuit_id).pursuit_id)

    def timeline(self, pursuit_id: str, principal: Principal | None = None) -> dict[str, Any]:
        """Everything about one pursuit, in time order; reading it is audited."""
        pursuit = self.get(pursuit_id)
        if principal is not None:
            self.runtime.audit(
                principal, "timeline_read", pursuit.pursuit_id, kind=EventKind.PURSUIT_VIEWED
            )
        return timeline(self, pursuit)

    # --- helpers ----------------------------------------------------------------------------
    def _judge(
        self,
        accepted: list[Position],
        lat: float,
        lon: float,
        at: datetime,
        *,
        now: datetime,
        opened_at: datetime,
    ) -> Verdict:
        s = self.runtime.settings
        return judge(
            accepted,
            lat,
            lon,
            at,
            now=now,
            opened_at=opened_at,
            max_speed_kmh=s.max_speed_kmh,
            tolerance_m=s.gps_tolerance_m,
            max_future=timedelta(seconds=s.max_future_skew_s),
            max_backdate=timedelta(seconds=s.max_backdate_s),
        )

    def _local(self, pid: str) -> Pursuit:
        pursuit = self.store.get(pid)
        if pursuit is None:
            raise NotFound("no such pursuit at this node", code="pursuit_not_found")
        if pursuit.origin_country != self.country:
            raise PursuitConflict(
                "a pursuit is run by the node of its origin",
                code="pursuit_not_local",
                country=pursuit.origin_country.value,
            )
        return pursuit

    def _publish(self, event: str, pursuit: Pursuit, **extra: Any) -> None:
        self.ctx.live.publish(
            TOPIC_PURSUITS,
            {
                "event": event,
                "pursuit_id": pursuit.pursuit_id,
                "origin_country": pursuit.origin_country.value,
                "status": pursuit.status.value,
                "country": pursuit.country,
                "outcome": pursuit.outcome.value if pursuit.outcome else None,
                **extra,
            },
        )
