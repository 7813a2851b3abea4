"""The origin side of pursuit notifications: delivery to the partner's node and its
acknowledgement, each recorded in the timeline, audited, and published on ``ops.pursuits``.

``NotificationService`` (``pursuits_notify``) adds planning, sending and escalation.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from passerelle.domain.countries import Country
from passerelle.exc import Forbidden, InvalidInput, NotFound
from passerelle.ops.pursuits_inbox import PartnerInbox, parse_time
from passerelle.ops.pursuits_runtime import TOPIC_PURSUITS
from passerelle.ops.pursuits_store import Notification, Step


class OriginAcks(PartnerInbox):
    """What the origin learns back: delivered, acknowledged (and the partner's inbox)."""

    # --- origin: delivery and acknowledgement -------------------------------------------------
    def mark_delivered(self, payload: dict[str, Any], answer: dict[str, Any]) -> None:
        """The outbox delivered a notification (or its escalation) to the partner's node."""
        nid = str(payload.get("notification_id", ""))
        found = self.store.notification(nid, "out")
        if found is None:
            return
        with self.runtime.lock(found.pursuit_id):  # the callback and the sweep may race
            self._delivered(nid, answer)

    def _delivered(self, nid: str, answer: dict[str, Any]) -> None:
        n = self.store.notification(nid, "out")
        if n is None:
            return
        now = self.runtime.now()
        if n.delivered_at is None:
            self.runtime.audit(
                n.partner_country,
                "delivered",
                n.pursuit_id,
                partner=n.partner_country,
                exchange_id=n.notification_id,
                detail={"notification_id": n.notification_id, "kind": n.kind},
            )
            with self.ctx.engine.begin() as conn:
                self.store.set_notification(conn, nid, "out", delivered_at=now)
                data = {"to": n.partner_country.value, "notification_id": nid}
                step = Step(now, "delivered", n.partner_country.value, "node", data)
                self.store.add_step(conn, n.pursuit_id, step)
            self._publish_origin("delivered", n)
        if answer.get("acknowledged") and not n.acknowledged:
            self._apply_ack(n, answer.get("acknowledged_at"), answer.get("acknowledged_by"))

    def receive_ack(self, sender: Country, payload: Any) -> Notification:
        """``POST /federation/v1/pursuits/acks`` at the origin (idempotent)."""
        if not isinstance(payload, dict) or not payload.get("notification_id"):
            raise InvalidInput("expected {notification_id, ...}", code="notification_malformed")
        n = self.store.notification(str(payload["notification_id"]), "out")
        if n is None:
            raise NotFound("no such notification", code="notification_not_found")
        if n.partner_country != sender:
            raise Forbidden("only the notified node may acknowledge", code="notification_not_yours")
        with self.runtime.lock(n.pursuit_id):
            current = self.store.notification(n.notification_id, "out") or n
            if current.acknowledged:
                return current
            at, by = payload.get("acknowledged_at"), payload.get("acknowledged_by")
            return self._apply_ack(current, at, by)

    def _apply_ack(self, n: Notification, at: Any, by: Any) -> Notification:
        acked_at = parse_time(at) if at else self.runtime.now()
        who = str(by or f"{n.partner_country.value}:?")[:130]
        self.runtime.audit(
            n.partner_country,
            "acknowledged",
            n.pursuit_id,
            partner=n.partner_country,
            exchange_id=n.notification_id,
            detail={"notification_id": n.notification_id, "kind": n.kind},
        )
        with self.ctx.engine.begin() as conn:
            self.store.set_notification(
                conn, n.notification_id, "out", acknowledged_at=acked_at, acknowledged_by=who
            )
            data = {"to": n.partner_country.value, "by": who, "notification_id": n.notification_id}
            step = Step(acked_at, "acknowledged", n.partner_country.value, who, data)
            self.store.add_step(conn, n.pursuit_id, step)
        acked = replace(n, acknowledged_at=acked_at, acknowledged_by=who)
        self._publish_origin("acknowledged", acked)
        return acked

    # --- live events --------------------------------------------------------------------------
    def _publish_origin(self, event: str, n: Notification) -> None:
        self.ctx.live.publish(
            TOPIC_PURSUITS,
            {
                "event": event,
                "pursuit_id": n.pursuit_id,
                "notification_id": n.notification_id,
                "partner": n.partner_country.value,
                "kind": n.kind,
                "acknowledged": n.acknowledged,
                "acknowledged_by": n.acknowledged_by,
                "escalated": n.escalated,
                "escalations": n.escalations,
            },
        )
