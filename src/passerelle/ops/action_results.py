"""What a participating node registers during a joint action, and how it is counted.

A *result* is one submission from a checkpoint: how many persons and vehicles
were checked, hits, arrests, seizures (type, quantity, unit), fines (count and
amount). The client gives it a *submission id*: sending it again with the same
content changes nothing; the same id with different content is refused.

Quantities are kept exact: seizures in thousandths of their unit (kilograms
become grams, millilitres litres), fines in cents, so totals are integer sums.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from passerelle.exc import InvalidInput
from passerelle.ops.actions import Action, Service, parse_participant_country, parse_time

SEIZURE_TYPES = (
    "cannabis",
    "cocaine",
    "heroin",
    "synthetic_drugs",
    "other_drugs",
    "cash",
    "weapons",
    "tobacco",
    "alcohol",
    "vehicles",
    "other",
)
# unit as entered -> (unit kept, factor to thousandths of it)
UNITS = {
    "g": ("g", 1000),
    "kg": ("g", 1_000_000),
    "l": ("l", 1000),
    "ml": ("l", 1),
    "pieces": ("pieces", 1000),
    "pills": ("pills", 1000),
    "eur": ("eur", 1000),
}
COUNTS = ("persons_checked", "vehicles_checked", "hits", "arrests", "fines_count")
MAX_COUNT = 100_000
MAX_QUANTITY = Decimal(1_000_000_000)
MAX_SEIZURES = 20
SLACK = timedelta(hours=1)
_SUBMISSION_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{5,63}")


def parse_submission_id(value: Any) -> str:
    text = str(value or "").strip()
    if not _SUBMISSION_ID.fullmatch(text):
        raise InvalidInput(
            "a submission id is 6 to 64 letters, digits, '.', '_', ':' or '-'",
            code="action_submission_id_invalid",
        )
    return text


def _count(value: Any, name: str) -> int:
    try:
        n = int(value or 0)
        if str(value).strip() not in ("", "None") and Decimal(str(value)) != n:
            raise ValueError
    except (TypeError, ValueError, InvalidOperation):
        raise InvalidInput(
            f"{name}: a whole number", code="action_count_invalid", field=name
        ) from None
    if not 0 <= n <= MAX_COUNT:
        raise InvalidInput(
            f"{name}: between 0 and {MAX_COUNT}", code="action_count_invalid", field=name
        )
    return n


def _decimal(value: Any, name: str) -> Decimal:
    try:
        d = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        raise InvalidInput(
            f"{name}: a number", code="action_quantity_invalid", field=name
        ) from None
    if not d.is_finite() or d < 0 or d > MAX_QUANTITY:
        raise InvalidInput(f"{name}: out of range", code="action_quantity_invalid", field=name)
    return d


@dataclass(frozen=True, order=True)
class Seizure:
    kind: str
    unit: str  # the unit kept: g, l, pieces, pills, eur
    milli: int  # thousandths of the unit

    @classmethod
    def parse(cls, value: Any) -> Seizure:
        if not isinstance(value, dict):
            raise InvalidInput("a seizure is {type, quantity, unit}", code="action_malformed")
        kind = str(value.get("type") or value.get("kind") or "").strip().lower()
        if kind not in SEIZURE_TYPES:
            raise InvalidInput(
                f"unknown seizure type {kind[:30]!r}",
                code="action_seizure_type_invalid",
                value=kind[:30],
                allowed=", ".join(SEIZURE_TYPES),
            )
        unit_in = str(value.get("unit") or "").strip().lower()
        if unit_in not in UNITS:
            raise InvalidInput(
                f"unknown unit {unit_in[:10]!r}",
                code="action_unit_invalid",
                value=unit_in[:10],
                allowed=", ".join(UNITS),
            )
        unit, factor = UNITS[unit_in]
        quantity = _decimal(value.get("quantity"), "quantity")
        milli = int((quantity * factor).to_integral_value())
        if milli <= 0:
            raise InvalidInput("a seizure needs a quantity", code="action_quantity_invalid")
        return cls(kind, unit, milli)

    @property
    def quantity(self) -> float:
        return self.milli / 1000

    def to_wire(self) -> dict[str, Any]:
        return {"type": self.kind, "quantity": self.quantity, "unit": self.unit}


@dataclass(frozen=True)
class Result:
    """One submission, validated against the action's plan."""

    action_id: str
    submission_id: str
    country: str
    service: Service
    checkpoint_id: str
    occurred_at: datetime
    persons_checked: int = 0
    vehicles_checked: int = 0
    hits: int = 0
    arrests: int = 0
    fines_count: int = 0
    fines_cents: int = 0
    seizures: tuple[Seizure, ...] = ()
    note: str | None = None  # free text: may hold personal data
    share: bool = False  # send this record to the organiser
    timed: bool = True  # the client gave the time (else: when it first arrived, not hashed)

    @property
    def hour(self) -> datetime:
        return self.occurred_at.replace(minute=0, second=0, microsecond=0)

    def content(self) -> dict[str, Any]:
        return {
            "action_id": self.action_id,
            "submission_id": self.submission_id,
            "country": self.country,
            "service": self.service.value,
            "checkpoint_id": self.checkpoint_id,
            "occurred_at": self.occurred_at.isoformat() if self.timed else None,
            **{k: getattr(self, k) for k in COUNTS},
            "fines_cents": self.fines_cents,
            "seizures": [[s.kind, s.unit, s.milli] for s in sorted(self.seizures)],
            "note": self.note,
            "share": self.share,
        }

    def content_hash(self) -> str:
        raw = json.dumps(self.content(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(raw.encode()).hexdigest()

    def to_wire(self) -> dict[str, Any]:
        wire = self.content()
        wire["occurred_at"] = self.occurred_at.isoformat()
        wire["seizures"] = [s.to_wire() for s in sorted(self.seizures)]
        wire["fines_amount"] = self.fines_cents / 100
        return wire


def parse_result(action: Action, data: dict[str, Any], *, country: str, now: datetime) -> Result:
    """Validate a submission for ``action`` in the name of ``country``."""
    if not isinstance(data, dict):
        raise InvalidInput("a result is a JSON object", code="action_malformed")
    country = parse_participant_country(country)
    participant = action.participant(country)
    if participant is None:
        raise InvalidInput(
            f"{country} does not take part in this action",
            code="action_not_participant",
            country=country,
        )
    cid = str(data.get("checkpoint_id") or "").strip()
    if action.checkpoint(cid) is None:
        raise InvalidInput(
            "no such checkpoint in this action", code="action_checkpoint_unknown", value=cid[:40]
        )
    raw_service = str(data.get("service") or participant.services[0].value).strip().lower()
    try:
        service = Service(raw_service)
    except ValueError:
        service = None
    if service is None or service not in participant.services:
        raise InvalidInput(
            f"{country} takes part with {', '.join(s.value for s in participant.services)}",
            code="action_service_invalid",
            value=raw_service[:20],
            allowed=", ".join(s.value for s in participant.services),
        )
    occurred = parse_time(data.get("occurred_at") or now, "occurred_at")
    if not action.starts_at - SLACK <= occurred <= action.ends_at + SLACK or occurred > now + SLACK:
        raise InvalidInput(
            "the time is outside the action", code="action_time_outside", field="occurred_at"
        )
    raw_seizures = data.get("seizures") or []
    if not isinstance(raw_seizures, list) or len(raw_seizures) > MAX_SEIZURES:
        raise InvalidInput(f"at most {MAX_SEIZURES} seizures", code="action_malformed")
    merged: dict[tuple[str, str], int] = {}
    for s in (Seizure.parse(x) for x in raw_seizures):
        merged[(s.kind, s.unit)] = merged.get((s.kind, s.unit), 0) + s.milli
    counts = {k: _count(data.get(k), k) for k in COUNTS}
    amount = _decimal(data.get("fines_amount") or 0, "fines_amount")
    cents = int((amount * 100).to_integral_value())
    if cents and not counts["fines_count"]:
        raise InvalidInput("a fine amount needs a number of fines", code="action_fines_invalid")
    note = " ".join(str(data.get("note") or "").split())[:1000] or None
    return Result(
        action_id=action.action_id,
        submission_id=parse_submission_id(data.get("submission_id")),
        country=country,
        service=service,
        checkpoint_id=cid,
        occurred_at=occurred,
        fines_cents=cents,
        seizures=tuple(Seizure(k, u, m) for (k, u), m in sorted(merged.items())),
        note=note,
        share=bool(data.get("share", False)),
        timed=bool(data.get("occurred_at")),
        **counts,
    )


@dataclass
class Totals:
    """Sums of results: counts, fines and seizures (thousandths), exact."""

    results: int = 0
    persons_checked: int = 0
    vehicles_checked: int = 0
    hits: int = 0
    arrests: int = 0
    fines_count: int = 0
    fines_cents: int = 0
    seizures: dict[tuple[str, str], int] = field(default_factory=dict)

    def add_result(self, r: Result) -> None:
        self.results += 1
        for k in COUNTS:
            setattr(self, k, getattr(self, k) + getattr(r, k))
        self.fines_cents += r.fines_cents
        for s in r.seizures:
            self.seizures[(s.kind, s.unit)] = self.seizures.get((s.kind, s.unit), 0) + s.milli

    def to_dict(self) -> dict[str, Any]:
        return {
            "results": self.results,
            **{k: getattr(self, k) for k in COUNTS},
            "fines_amount": self.fines_cents / 100,
            "seizures": [
                {"type": k, "unit": u, "quantity": m / 1000}
                for (k, u), m in sorted(self.seizures.items())
            ],
        }
