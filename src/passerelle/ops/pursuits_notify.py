"""Notifications between control rooms: sent, received, acknowledged, escalated.

At the **origin** node a pursuit entering a partner's territory creates an
``entered`` notification (acknowledgement required); leaving it again and the
end of the pursuit send ``left`` and ``ended`` (information). Each goes through
the node's outbox, so a partner that is down gets it when it is back. While an
``entered`` notification is unacknowledged no second one is sent to that
partner for the same pursuit.

At the **partner** node the notification is stored once (the same message may
arrive twice), audited, and published live on ``ops.notifications``; its text
is rendered there, in the reader's language, from a code and parameters. The
partner's control room acknowledges it; the acknowledgement goes back to the
origin through the outbox too.

**Escalation**: a notification still unacknowledged ``[pursuits]
ack_timeout_s`` after it was sent (or after its last escalation) escalates, up
to ``max_escalations`` times. At the origin: the notification is sent again
(marked escalated), the timeline records it, and ``ops.pursuits`` carries an
``escalated`` event for the origin's control room (which should phone the
partner). At the partner: the notification is flagged escalated and published
again on ``ops.notifications`` for its control room (banner and sound again).

Delivery and acknowledgement at the origin: ``pursuits_acks``; the partner's inbox:
``pursuits_inbox``.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
import structlog

from passerelle.domain.countries import Country
from passerelle.exc import NotFound
from passerelle.ops.pursuits import NoticeKind, Position, Pursuit
from passerelle.ops.pursuits_acks import OriginAcks
from passerelle.ops.pursuits_runtime import (
    NOTICE_KIND,
    NOTICE_PATH,
)
from passerelle.ops.pursuits_store import Notification, Step

log = structlog.get_logger(__name__)
CODES = {
    NoticeKind.ENTERED: "pursuit_entered",
    NoticeKind.LEFT: "pursuit_left",
    NoticeKind.ENDED: "pursuit_ended",
}


@dataclass(frozen=True)
class Planned:
    """A notification to send (``partner`` None: that territory has no node of ours)."""

    territory: str
    partner: Country | None
    kind: NoticeKind


class NotificationService(OriginAcks):
    """Both sides: what the origin sends and follows, what the partner receives (inbox)."""

    # --- reading ----------------------------------------------------------------------------
    def sent(self, pursuit_id: str | None = None, limit: int = 200) -> list[Notification]:
        return self.store.notifications("out", pursuit_id=pursuit_id, limit=limit)

    def get(self, notification_id: str) -> Notification:
        found = self.store.notification(notification_id, "in") or self.store.notification(
            notification_id, "out"
        )
        if found is None:
            raise NotFound("no such notification", code="notification_not_found")
        return found

    # --- origin: planning and sending ---------------------------------------------------------
    def _partner(self, territory: str) -> Country | None:
        try:
            country = Country(territory)
        except ValueError:
            return None
        return country if self.ctx.trust.get(country) is not None else None

    def plan_crossing(self, pursuit: Pursuit, came_from: str, went_to: str) -> list[Planned]:
        sent = self.sent(pursuit.pursuit_id)
        plan: list[Planned] = []
        if went_to != self.country.value:
            partner = self._partner(went_to)
            waiting = any(
                n.partner_country == partner and n.kind == NoticeKind.ENTERED and not n.acknowledged
                for n in sent
            )
            if partner is None or not waiting:
                plan.append(Planned(went_to, partner, NoticeKind.ENTERED))
        left = self._partner(came_from) if came_from != self.country.value else None
        if left is not None and any(n.partner_country == left for n in sent):
            plan.append(Planned(came_from, left, NoticeKind.LEFT))
        return plan

    def plan_end(self, pursuit: Pursuit) -> list[Planned]:
        partners = sorted({n.partner_country for n in self.sent(pursuit.pursuit_id)})
        return [Planned(p.value, p, NoticeKind.ENDED) for p in partners]

    def send(
        self,
        conn: sa.Connection,
        pursuit: Pursuit,
        plan: list[Planned],
        *,
        position: Position | None = None,
        came_from: str | None = None,
        went_to: str | None = None,
    ) -> list[Notification]:
        """Store and queue the planned notifications in the caller's transaction."""
        now = self.runtime.now()
        out: list[Notification] = []
        for item in plan:
            step_data: dict[str, Any] = {"to": item.territory, "kind": item.kind.value}
            if item.partner is None:
                self.store.add_step(
                    conn,
                    pursuit.pursuit_id,
                    Step(now, "not_notified", item.territory, "node", step_data),
                )
                continue
            at = position.at if position is not None else now
            params = {
                "origin": self.country.value,
                "time": at.isoformat(),
                "subject": pursuit.subject,
                "reason": pursuit.reason,
                "units": list(pursuit.units),
                "from": came_from,
                "to": went_to,
                "outcome": pursuit.outcome.value if pursuit.outcome else None,
            }
            n = Notification(
                notification_id=f"{pursuit.pursuit_id}-{secrets.token_hex(4)}",
                direction="out",
                pursuit_id=pursuit.pursuit_id,
                origin_country=self.country,
                partner_country=item.partner,
                kind=item.kind.value,
                requires_ack=item.kind is NoticeKind.ENTERED,
                payload={
                    "message": {"code": CODES[item.kind], "params": params},
                    "pursuit": {
                        "subject": pursuit.subject,
                        "reason": pursuit.reason,
                        "units": list(pursuit.units),
                        "opened_at": pursuit.opened_at.isoformat(),
                        "status": pursuit.status.value,
                        "outcome": pursuit.outcome.value if pursuit.outcome else None,
                    },
                    "position": None
                    if position is None
                    else {"lat": position.lat, "lon": position.lon, "at": position.at.isoformat()},
                },
                created_at=now,
                received_at=None,
                delivered_at=None,
                acknowledged_at=None,
                acknowledged_by=None,
                escalations=0,
                escalated_at=None,
            )
            self.store.add_notification(conn, n)
            self._queue(conn, n, 0)
            step_data["notification_id"] = n.notification_id
            self.store.add_step(
                conn, pursuit.pursuit_id, Step(now, "notified", item.territory, "node", step_data)
            )
            out.append(n)
        return out

    def _queue(self, conn: sa.Connection, n: Notification, escalation: int) -> None:
        key = n.notification_id if escalation == 0 else f"{n.notification_id}#{escalation}"
        self.ctx.outbox.enqueue(
            n.partner_country,
            NOTICE_PATH,
            wire(n, escalation),
            kind=NOTICE_KIND,
            key=key,
            conn=conn,
        )

    # --- both: the periodic round -------------------------------------------------------------
    def sweep(self) -> int:
        """Record deliveries, escalate overdue notifications; returns how many escalated."""
        for n in self.store.undelivered():
            items = self.ctx.outbox.items(kind=NOTICE_KIND, key=n.notification_id)
            if items and items[0].state == "delivered":
                self.mark_delivered({"notification_id": n.notification_id}, {})
        s = self.runtime.settings
        now = self.runtime.now()
        due = timedelta(seconds=s.ack_timeout_s)
        done = 0
        for direction in ("out", "in"):
            for n in self.store.notifications(direction, open_only=True, limit=1000):
                since = n.escalated_at or (n.received_at if direction == "in" else n.created_at)
                if n.escalations >= s.max_escalations or since is None or now - since < due:
                    continue
                self._escalate(n, now)
                done += 1
        return done

    def _escalate(self, n: Notification, now: datetime) -> None:
        key = n.pursuit_id if n.direction == "out" else f"in:{n.notification_id}"
        with self.runtime.lock(key):
            current = self.store.notification(n.notification_id, n.direction)
            if current is not None and not current.acknowledged:
                self._escalate_now(current, now)

    def _escalate_now(self, n: Notification, now: datetime) -> None:
        level = n.escalations + 1
        other = n.partner_country if n.direction == "out" else n.origin_country
        log.warning(
            "pursuit_notification_escalated",
            direction=n.direction,
            partner=other.value,
            escalations=level,
        )
        detail = {"notification_id": n.notification_id, "escalations": level}
        self.runtime.audit(self.country, "escalated", n.pursuit_id, partner=other, detail=detail)
        with self.ctx.engine.begin() as conn:
            self.store.set_notification(
                conn, n.notification_id, n.direction, escalations=level, escalated_at=now
            )
            if n.direction == "out":
                self._queue(conn, n, level)
                data = {"to": other.value, "n": level, "notification_id": n.notification_id}
                self.store.add_step(
                    conn, n.pursuit_id, Step(now, "escalated", other.value, "node", data)
                )
        escalated = replace(n, escalations=level, escalated_at=now)
        if n.direction == "out":
            self._publish_origin("escalated", escalated)
        else:
            self._publish_partner(escalated)


def wire(n: Notification, escalation: int) -> dict[str, Any]:
    """The notification as sent to the partner's node."""
    return {
        "notification_id": n.notification_id,
        "pursuit_id": n.pursuit_id,
        "origin_country": n.origin_country.value,
        "partner_country": n.partner_country.value,
        "kind": n.kind,
        "requires_ack": n.requires_ack,
        "created_at": n.created_at.isoformat(),
        "escalation": escalation,
        **{k: n.payload.get(k) for k in ("message", "pursuit", "position")},
    }
