"""Follow-up requests: what one is, its deadline, whether it is overdue.

Deadlines follow Directive (EU) 2023/977 on the exchange of information between
law enforcement authorities (art. 5): an *urgent* request is answered within 8
hours, any other within 7 days. Both are node settings (``[requests]``) so a
node can apply a stricter national rule; they are counted from the moment the
providing node received the request, and the requesting node shows the
deadline the provider set.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from passerelle.domain.countries import Country
from passerelle.exc import InvalidInput
from passerelle.settings import RequestsSettings


class Urgency(StrEnum):
    URGENT = "urgent"
    NORMAL = "normal"


class Status(StrEnum):
    PENDING = "pending"
    GRANTED = "granted"
    REFUSED = "refused"


class Direction(StrEnum):
    OUTGOING = "outgoing"  # at the requesting node
    INCOMING = "incoming"  # at the providing node


def parse_urgency(value: str) -> Urgency:
    try:
        return Urgency(value.strip().lower())
    except ValueError:
        raise InvalidInput(
            f"unknown urgency {value!r}; expected urgent or normal",
            code="unknown_urgency",
            value=value[:20],
        ) from None


def deadline_for(
    urgency: Urgency, received_at: dt.datetime, settings: RequestsSettings
) -> dt.datetime:
    """When the answer is due: 8 hours for urgent requests, 7 days for others (defaults)."""
    if urgency is Urgency.URGENT:
        return received_at + dt.timedelta(hours=settings.urgent_deadline_hours)
    return received_at + dt.timedelta(days=settings.normal_deadline_days)


@dataclass(frozen=True, kw_only=True)
class FollowUp:
    """One follow-up request, as one node sees it."""

    request_id: str
    direction: Direction
    partner: Country  # the other node: provider (outgoing) or requester (incoming)
    reference: str
    dataset: str | None
    officer: str  # pseudonymous subject of the requesting officer
    justification: str
    urgency: Urgency
    purpose: str
    case_ref: str | None
    status: Status
    created_at: dt.datetime
    deadline_at: dt.datetime
    answered_at: dt.datetime | None = None
    answered_by: str | None = None
    refusal_reason: str | None = None
    granted_fields: tuple[str, ...] = ()
    record: dict[str, Any] | None = field(default=None, repr=False)  # personal data
    record_key: str | None = field(default=None, repr=False)  # provider only
    delivered_at: dt.datetime | None = None
    delivery_attempts: int = 0

    def overdue(self, now: dt.datetime) -> bool:
        """Still unanswered after its deadline."""
        return self.status is Status.PENDING and now > self.deadline_at

    def late(self) -> bool:
        """Answered, but after its deadline."""
        return self.answered_at is not None and self.answered_at > self.deadline_at

    def seconds_left(self, now: dt.datetime) -> int:
        """Seconds until the deadline (negative once it has passed)."""
        return int((self.deadline_at - now).total_seconds())

    def summary(self, now: dt.datetime) -> dict[str, Any]:
        """The JSON view shared by the API, the pages and the CLI (no record values)."""
        return {
            "request_id": self.request_id,
            "direction": self.direction.value,
            "country": self.partner.value,
            "reference": self.reference,
            "dataset": self.dataset,
            "officer": self.officer,
            "justification": self.justification,
            "urgency": self.urgency.value,
            "purpose": self.purpose,
            "case_ref": self.case_ref,
            "status": self.status.value,
            "created_at": self.created_at.isoformat(),
            "deadline_at": self.deadline_at.isoformat(),
            "seconds_left": self.seconds_left(now),
            "overdue": self.overdue(now),
            "late": self.late(),
            "answered_at": self.answered_at.isoformat() if self.answered_at else None,
            "refusal_reason": self.refusal_reason,
            "granted_fields": list(self.granted_fields),
            "delivered": self.delivered_at is not None,
        }
