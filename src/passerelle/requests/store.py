"""SQL storage of follow-up requests (table ``follow_up_requests``).

One table serves both ends: the requesting node keeps its ``outgoing``
requests (with the answer once it arrives), the providing node its
``incoming`` queue (with the answer until, and after, it is delivered).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from passerelle.domain.countries import Country
from passerelle.requests.model import Direction, FollowUp, Status, Urgency
from passerelle.requests.references import as_utc
from passerelle.storage.tables import follow_up_requests as t

MAX_LIST = 500


def _opt_utc(value: dt.datetime | None) -> dt.datetime | None:
    return as_utc(value) if value is not None else None


def _from_row(row: sa.RowMapping) -> FollowUp:
    return FollowUp(
        request_id=row["request_id"],
        direction=Direction(row["direction"]),
        partner=Country(row["partner"]),
        reference=row["reference"],
        dataset=row["dataset"],
        record_key=row["record_key"],
        officer=row["officer"],
        justification=row["justification"],
        urgency=Urgency(row["urgency"]),
        purpose=row["purpose"],
        case_ref=row["case_ref"],
        status=Status(row["status"]),
        created_at=as_utc(row["created_at"]),
        deadline_at=as_utc(row["deadline_at"]),
        answered_at=_opt_utc(row["answered_at"]),
        answered_by=row["answered_by"],
        refusal_reason=row["refusal_reason"],
        granted_fields=tuple(row["granted_fields"] or ()),
        record=row["record"],
        delivered_at=_opt_utc(row["delivered_at"]),
        delivery_attempts=int(row["delivery_attempts"] or 0),
    )


class FollowUpStore:
    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    def insert(self, fu: FollowUp) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                t.insert().values(
                    request_id=fu.request_id,
                    direction=fu.direction.value,
                    partner=fu.partner.value,
                    reference=fu.reference,
                    dataset=fu.dataset,
                    record_key=fu.record_key,
                    officer=fu.officer,
                    justification=fu.justification,
                    urgency=fu.urgency.value,
                    purpose=fu.purpose,
                    case_ref=fu.case_ref,
                    status=fu.status.value,
                    created_at=fu.created_at,
                    deadline_at=fu.deadline_at,
                    delivery_attempts=0,
                )
            )

    def get(self, direction: Direction, request_id: str) -> FollowUp | None:
        query = sa.select(t).where(t.c.direction == direction.value, t.c.request_id == request_id)
        with self.engine.connect() as conn:
            row = conn.execute(query).mappings().first()
        return _from_row(row) if row is not None else None

    def find(
        self,
        direction: Direction,
        *,
        officer: str | None = None,
        status: Status | None = None,
        limit: int = MAX_LIST,
    ) -> list[FollowUp]:
        """Incoming: by deadline, soonest first. Outgoing: newest first."""
        query = sa.select(t).where(t.c.direction == direction.value)
        if officer is not None:
            query = query.where(t.c.officer == officer)
        if status is not None:
            query = query.where(t.c.status == status.value)
        if direction is Direction.INCOMING:
            query = query.order_by(t.c.deadline_at, t.c.id)
        else:
            query = query.order_by(t.c.created_at.desc(), t.c.id.desc())
        with self.engine.connect() as conn:
            rows = conn.execute(query.limit(min(limit, MAX_LIST))).mappings().all()
        return [_from_row(r) for r in rows]

    def answer(
        self,
        direction: Direction,
        request_id: str,
        *,
        status: Status,
        answered_at: dt.datetime,
        answered_by: str | None,
        refusal_reason: str | None = None,
        granted_fields: tuple[str, ...] = (),
        record: dict[str, Any] | None = None,
        delivered_at: dt.datetime | None = None,
    ) -> bool:
        """Record the answer if the request is still pending; False if it was answered already."""
        with self.engine.begin() as conn:
            result = conn.execute(
                t.update()
                .where(
                    t.c.direction == direction.value,
                    t.c.request_id == request_id,
                    t.c.status == Status.PENDING.value,
                )
                .values(
                    status=status.value,
                    answered_at=answered_at,
                    answered_by=answered_by,
                    refusal_reason=refusal_reason,
                    granted_fields=list(granted_fields),
                    record=record,
                    delivered_at=delivered_at,
                    next_attempt_at=None,
                )
            )
        return bool(result.rowcount)

    def mark_delivered(self, request_id: str, at: dt.datetime) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                t.update()
                .where(
                    t.c.direction == Direction.INCOMING.value,
                    t.c.request_id == request_id,
                    t.c.delivered_at.is_(None),
                )
                .values(delivered_at=at, next_attempt_at=None)
            )

    def mark_attempt(self, direction: Direction, request_id: str, next_at: dt.datetime) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                t.update()
                .where(t.c.direction == direction.value, t.c.request_id == request_id)
                .values(delivery_attempts=t.c.delivery_attempts + 1, next_attempt_at=next_at)
            )

    def _due(self, *conds: sa.ColumnElement[bool], now: dt.datetime) -> list[FollowUp]:
        query = (
            sa.select(t)
            .where(*conds, sa.or_(t.c.next_attempt_at.is_(None), t.c.next_attempt_at <= now))
            .order_by(t.c.deadline_at)
            .limit(MAX_LIST)
        )
        with self.engine.connect() as conn:
            return [_from_row(r) for r in conn.execute(query).mappings().all()]

    def undelivered_answers(self, now: dt.datetime) -> list[FollowUp]:
        """Provider: answered requests whose answer has not reached the requester yet."""
        return self._due(
            t.c.direction == Direction.INCOMING.value,
            t.c.status != Status.PENDING.value,
            t.c.delivered_at.is_(None),
            now=now,
        )

    def awaiting_answers(self, now: dt.datetime) -> list[FollowUp]:
        """Requester: pending requests due for a pull of their answer."""
        return self._due(
            t.c.direction == Direction.OUTGOING.value,
            t.c.status == Status.PENDING.value,
            now=now,
        )
