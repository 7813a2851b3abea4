"""Notifications at the partner node: received once, rendered here, acknowledged.

A partner's notification (``POST /federation/v1/pursuits/notifications``) is
stored once, however often it arrives, audited, and published live on
``ops.notifications`` with its text rendered from a code and parameters, in
this node's language and in all four. The control room acknowledges it; the
acknowledgement goes back to the origin through the outbox. A higher
``escalation`` number from the origin marks it escalated and publishes it again.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from passerelle.auth.roles import Principal
from passerelle.domain.countries import Country
from passerelle.exc import Forbidden, InvalidInput, NotFound
from passerelle.node.context import NodeContext
from passerelle.ops.pursuits import NoticeKind, utc
from passerelle.ops.pursuits_runtime import ACK_KIND, ACK_PATH, TOPIC_NOTIFICATIONS, actor_name
from passerelle.ops.pursuits_store import Notification
from passerelle.ops.pursuits_texts import all_languages, render


def parse_time(value: Any) -> datetime:
    try:
        at = utc(datetime.fromisoformat(str(value)))
    except ValueError:
        at = None
    if at is None:
        raise InvalidInput("bad time in notification", code="notification_malformed")
    return at


class PartnerInbox:
    """The partner side of ``NotificationService`` (which adds the origin side)."""

    def __init__(self, ctx: NodeContext) -> None:
        self.ctx = ctx
        self.runtime = ctx.pursuits
        self.store = self.runtime.store
        self.country = ctx.settings.country

    def received(self, active_only: bool = False, limit: int = 200) -> list[Notification]:
        """Partners' notifications received here (``active_only``: awaiting acknowledgement)."""
        return self.store.notifications("in", open_only=active_only, limit=limit)

    def text(self, n: Notification, lang: str) -> str:
        return render(n.message["code"], n.message["params"], lang)

    def view(self, n: Notification, lang: str | None = None) -> dict[str, Any]:
        """The notification as data, with its text in ``lang`` (default: the node's)."""
        lang = lang or self.country.default_language
        return {**n.to_dict(), "text": self.text(n, lang)}

    # --- partner: receipt and acknowledgement -------------------------------------------------
    def receive(self, sender: Country, payload: Any) -> Notification:
        """``POST /federation/v1/pursuits/notifications`` at the partner (idempotent)."""
        n, escalation = self._parse(sender, payload)
        with self.runtime.lock(f"in:{n.notification_id}"):  # the same message, twice at once
            return self._receive(sender, n, escalation)

    def _receive(self, sender: Country, n: Notification, escalation: int) -> Notification:
        now = self.runtime.now()
        current = self.store.notification(n.notification_id, "in")
        if current is not None:
            if escalation <= current.escalations:
                return current  # the same message again: nothing new
            self.runtime.audit(
                sender,
                "escalation_received",
                n.pursuit_id,
                partner=sender,
                exchange_id=n.notification_id,
                detail={"notification_id": n.notification_id, "escalations": escalation},
            )
            with self.ctx.engine.begin() as conn:
                self.store.set_notification(
                    conn, n.notification_id, "in", escalations=escalation, escalated_at=now
                )
            updated = replace(current, escalations=escalation, escalated_at=now)
            self._publish_partner(updated)
            return updated
        received = replace(
            n, received_at=now, escalations=escalation, escalated_at=now if escalation else None
        )
        self.runtime.audit(
            sender,
            "notification_received",
            n.pursuit_id,
            partner=sender,
            exchange_id=n.notification_id,
            detail={"notification_id": n.notification_id, "kind": n.kind},
            query={"subject": n.payload.get("pursuit", {}).get("subject")},
        )
        with self.ctx.engine.begin() as conn:
            self.store.add_notification(conn, received)
        self._publish_partner(received)
        return received

    def _parse(self, sender: Country, payload: Any) -> tuple[Notification, int]:
        if not isinstance(payload, dict):
            raise InvalidInput("expected a JSON object", code="notification_malformed")
        try:
            kind = NoticeKind(str(payload.get("kind")))
            origin = Country(str(payload.get("origin_country")))
            partner = Country(str(payload.get("partner_country")))
            nid = str(payload["notification_id"])[:40]
            pid = str(payload["pursuit_id"])[:40]
            escalation = max(0, int(payload.get("escalation") or 0))
            message = payload["message"]
            assert isinstance(message, dict) and isinstance(message.get("params"), dict)
        except (KeyError, ValueError, TypeError, AssertionError):
            raise InvalidInput("malformed notification", code="notification_malformed") from None
        if origin != sender:
            raise Forbidden("only the origin node may notify", code="notification_not_origin")
        if partner != self.country:
            raise Forbidden("the notification is for another country", code="notification_not_ours")
        body = {k: payload.get(k) for k in ("message", "pursuit", "position")}
        return (
            Notification(
                notification_id=nid,
                direction="in",
                pursuit_id=pid,
                origin_country=origin,
                partner_country=partner,
                kind=kind.value,
                requires_ack=bool(payload.get("requires_ack")),
                payload=body,
                created_at=parse_time(payload.get("created_at")),
                received_at=None,
                delivered_at=None,
                acknowledged_at=None,
                acknowledged_by=None,
                escalations=0,
                escalated_at=None,
            ),
            escalation,
        )

    def acknowledge(self, notification_id: str, principal: Principal) -> Notification:
        """The control room here acknowledges a partner's notification (idempotent)."""
        with self.runtime.lock(f"in:{notification_id}"):
            return self._acknowledge(notification_id, principal)

    def _acknowledge(self, notification_id: str, principal: Principal) -> Notification:
        n = self.store.notification(notification_id, "in")
        if n is None:
            raise NotFound("no such notification", code="notification_not_found")
        if n.acknowledged:
            return n
        now = self.runtime.now()
        by = actor_name(self.ctx, principal)
        self.runtime.audit(
            principal,
            "acknowledged",
            n.pursuit_id,
            partner=n.origin_country,
            exchange_id=n.notification_id,
            detail={"notification_id": n.notification_id, "kind": n.kind},
        )
        body = {
            "notification_id": n.notification_id,
            "pursuit_id": n.pursuit_id,
            "acknowledged_at": now.isoformat(),
            "acknowledged_by": by,
        }
        with self.ctx.engine.begin() as conn:
            self.store.set_notification(
                conn, n.notification_id, "in", acknowledged_at=now, acknowledged_by=by
            )
            self.ctx.outbox.enqueue(
                n.origin_country, ACK_PATH, body, kind=ACK_KIND, key=n.notification_id, conn=conn
            )
        acked = replace(n, acknowledged_at=now, acknowledged_by=by)
        self._publish_partner(acked)
        return acked

    # --- live events --------------------------------------------------------------------------
    def _publish_partner(self, n: Notification) -> None:
        msg = n.message
        self.ctx.live.publish(
            TOPIC_NOTIFICATIONS,
            {
                **n.to_dict(),
                "text": render(msg["code"], msg["params"], self.country.default_language),
                "texts": all_languages(msg["code"], msg["params"]),
            },
        )
