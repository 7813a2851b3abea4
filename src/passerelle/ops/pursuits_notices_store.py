"""The notifications of pursuits in the node's database (sent by the origin, received by a
partner): the part of ``PursuitStore`` that ``pursuits_notify`` and ``pursuits_inbox`` use.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from passerelle.domain.countries import Country
from passerelle.ops.pursuits import utc
from passerelle.storage.tables_pursuits import ops_pursuit_notifications as tn


def _json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=str)


@dataclass(frozen=True)
class Notification:
    notification_id: str
    direction: str  # out (sent by the origin) | in (received from the origin)
    pursuit_id: str
    origin_country: Country
    partner_country: Country
    kind: str
    requires_ack: bool
    payload: dict[str, Any]
    created_at: dt.datetime
    received_at: dt.datetime | None
    delivered_at: dt.datetime | None
    acknowledged_at: dt.datetime | None
    acknowledged_by: str | None
    escalations: int
    escalated_at: dt.datetime | None

    @property
    def acknowledged(self) -> bool:
        return self.acknowledged_at is not None

    @property
    def escalated(self) -> bool:
        return self.escalations > 0

    @property
    def from_country(self) -> str:
        return self.origin_country.value

    @property
    def params(self) -> dict[str, Any]:
        return dict(self.message["params"])

    @property
    def message(self) -> dict[str, Any]:
        msg = self.payload.get("message") or {}
        return {"code": str(msg.get("code", "")), "params": dict(msg.get("params") or {})}

    def to_dict(self) -> dict[str, Any]:
        def iso(v: dt.datetime | None) -> str | None:
            return v.isoformat() if v else None

        return {
            "notification_id": self.notification_id,
            "direction": self.direction,
            "pursuit_id": self.pursuit_id,
            "from_country": self.origin_country.value,
            "to_country": self.partner_country.value,
            "kind": self.kind,
            "requires_ack": self.requires_ack,
            "message": self.message,
            "pursuit": self.payload.get("pursuit") or {},
            "position": self.payload.get("position"),
            "created_at": iso(self.created_at),
            "received_at": iso(self.received_at),
            "delivered_at": iso(self.delivered_at),
            "acknowledged": self.acknowledged,
            "acknowledged_at": iso(self.acknowledged_at),
            "acknowledged_by": self.acknowledged_by,
            "escalated": self.escalated,
            "escalations": self.escalations,
            "escalated_at": iso(self.escalated_at),
        }


def _notification(r: Any) -> Notification:
    return Notification(
        notification_id=r.notification_id,
        direction=r.direction,
        pursuit_id=r.pursuit_id,
        origin_country=Country(r.origin_country),
        partner_country=Country(r.partner_country),
        kind=r.kind,
        requires_ack=bool(r.requires_ack),
        payload=json.loads(r.payload),
        created_at=utc(r.created_at) or dt.datetime.now(dt.UTC),
        received_at=utc(r.received_at),
        delivered_at=utc(r.delivered_at),
        acknowledged_at=utc(r.acknowledged_at),
        acknowledged_by=r.acknowledged_by,
        escalations=int(r.escalations),
        escalated_at=utc(r.escalated_at),
    )


class NotificationStore:
    """Notifications, by id and direction (``out``: sent here; ``in``: received here)."""

    engine: sa.Engine

    def add_notification(self, conn: sa.Connection, n: Notification) -> None:
        conn.execute(
            tn.insert().values(
                notification_id=n.notification_id,
                direction=n.direction,
                pursuit_id=n.pursuit_id,
                origin_country=n.origin_country.value,
                partner_country=n.partner_country.value,
                kind=n.kind,
                requires_ack=n.requires_ack,
                payload=_json(n.payload),
                created_at=n.created_at,
                received_at=n.received_at,
                delivered_at=n.delivered_at,
                acknowledged_at=n.acknowledged_at,
                acknowledged_by=n.acknowledged_by,
                escalations=n.escalations,
                escalated_at=n.escalated_at,
            )
        )

    def notification(
        self, notification_id: str, direction: str, conn: sa.Connection | None = None
    ) -> Notification | None:
        query = sa.select(tn).where(
            tn.c.notification_id == notification_id, tn.c.direction == direction
        )
        if conn is not None:
            row = conn.execute(query).first()
        else:
            with self.engine.connect() as own:
                row = own.execute(query).first()
        return _notification(row) if row else None

    def notifications(
        self,
        direction: str,
        *,
        pursuit_id: str | None = None,
        open_only: bool = False,
        limit: int = 200,
        conn: sa.Connection | None = None,
    ) -> list[Notification]:
        query = (
            sa.select(tn)
            .where(tn.c.direction == direction)
            .order_by(tn.c.created_at.desc(), tn.c.id.desc())
            .limit(limit)
        )
        if pursuit_id is not None:
            query = query.where(tn.c.pursuit_id == pursuit_id)
        if open_only:
            query = query.where(tn.c.requires_ack.is_(True), tn.c.acknowledged_at.is_(None))
        if conn is not None:
            return [_notification(r) for r in conn.execute(query)]
        with self.engine.connect() as own:
            return [_notification(r) for r in own.execute(query)]

    def set_notification(
        self, conn: sa.Connection, notification_id: str, direction: str, **values: Any
    ) -> None:
        conn.execute(
            tn.update()
            .where(tn.c.notification_id == notification_id, tn.c.direction == direction)
            .values(**values)
        )

    def undelivered(self) -> list[Notification]:
        query = sa.select(tn).where(tn.c.direction == "out", tn.c.delivered_at.is_(None))
        with self.engine.connect() as conn:
            return [_notification(r) for r in conn.execute(query)]
