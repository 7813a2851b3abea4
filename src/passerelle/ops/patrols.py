"""Joint patrols: who rides together, when, and the rule that opens partner registers.

A joint patrol is created at one node (its *origin*), which copies it to the
node of every crew country over the signed federation API. Each node keeps its
own copy, and a providing node decides a ``joint_control`` check on *its* copy
only (``check_patrol_access``): the patrol exists, has started and has not
ended, includes one of the providing country's officers, and includes the
requesting officer. Ending a patrol closes that access at once.

Safety net: a copy whose "end" never arrived cannot keep access open. A
started patrol counts as ended at its planned end, if it has one, and at the
latest ``[patrols] max_active_hours`` (default 12) after its start
(``Patrol.expires_at``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from passerelle.domain.countries import Country, parse_country
from passerelle.exc import Forbidden, InvalidInput

_USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,119}")
_PATROL_ID = re.compile(r"[A-Z]{2}-[0-9a-f]{16}")
MAX_CREW = 12
DEFAULT_MAX_ACTIVE = timedelta(hours=12)


class PatrolStatus(StrEnum):
    PLANNED = "planned"
    ACTIVE = "active"
    ENDED = "ended"


@dataclass(frozen=True, order=True)
class CrewMember:
    """An officer of a country's force: ``BE:officer``."""

    country: Country
    username: str

    @classmethod
    def parse(cls, text: str) -> CrewMember:
        country, sep, user = text.strip().partition(":")
        if not sep or not _USERNAME.fullmatch(user.strip()):
            raise InvalidInput(
                "a crew member is written COUNTRY:USER, e.g. BE:officer",
                code="crew_member_invalid",
                value=text[:130],
            )
        return cls(parse_country(country), user.strip())

    def __str__(self) -> str:
        return f"{self.country.value}:{self.username}"


def parse_crew(items: list[str] | str) -> tuple[CrewMember, ...]:
    """Parse ``BE:a,NL:b`` or a list of members; keep order, drop duplicates."""
    raw = items.split(",") if isinstance(items, str) else items
    crew: list[CrewMember] = []
    for item in raw:
        if item.strip():
            member = CrewMember.parse(item)
            if member not in crew:
                crew.append(member)
    if not crew:
        raise InvalidInput("a patrol needs at least one crew member", code="crew_empty")
    if len(crew) > MAX_CREW:
        raise InvalidInput(
            f"at most {MAX_CREW} crew members", code="crew_too_large", limit=MAX_CREW
        )
    return tuple(crew)


def parse_patrol_id(value: str) -> str:
    text = value.strip()
    if not _PATROL_ID.fullmatch(text):
        raise InvalidInput("not a patrol id (e.g. BE-1f0c2a9e4b7d3c21)", code="patrol_id_invalid")
    return text


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _dt(value: Any) -> datetime | None:
    if value in (None, ""):
        return None
    return _utc(datetime.fromisoformat(str(value)))


@dataclass(frozen=True)
class Patrol:
    patrol_id: str
    origin_country: Country
    status: PatrolStatus
    crew: tuple[CrewMember, ...]
    created_by: str
    created_at: datetime
    vehicle: str | None = None
    area: str | None = None
    planned_start: datetime | None = None
    planned_end: datetime | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None

    @property
    def countries(self) -> frozenset[Country]:
        return frozenset(m.country for m in self.crew)

    def includes(self, member: CrewMember) -> bool:
        return member in self.crew

    def expires_at(self, max_active: timedelta = DEFAULT_MAX_ACTIVE) -> datetime | None:
        """When a started patrol counts as ended even without its end: the planned end, or
        ``max_active`` after its start, whichever comes first (``None``: not started)."""
        if self.status is not PatrolStatus.ACTIVE or self.started_at is None:
            return None
        limit = self.started_at + max_active
        return min(limit, self.planned_end) if self.planned_end is not None else limit

    def is_over(self, now: datetime, max_active: timedelta = DEFAULT_MAX_ACTIVE) -> bool:
        """Ended, or past ``expires_at``."""
        if self.status is PatrolStatus.ENDED:
            return True
        expiry = self.expires_at(max_active)
        return expiry is not None and now >= expiry

    def with_status(self, status: PatrolStatus, at: datetime) -> Patrol:
        if status is PatrolStatus.ACTIVE:
            return replace(self, status=status, started_at=at)
        return replace(self, status=status, ended_at=at)

    def to_wire(self) -> dict[str, Any]:
        """The JSON form used by the API and by the federation copies."""
        return {
            "patrol_id": self.patrol_id,
            "origin_country": self.origin_country.value,
            "status": self.status.value,
            "crew": [str(m) for m in self.crew],
            "vehicle": self.vehicle,
            "area": self.area,
            "planned_start": _iso(self.planned_start),
            "planned_end": _iso(self.planned_end),
            "started_at": _iso(self.started_at),
            "ended_at": _iso(self.ended_at),
            "created_by": self.created_by,
            "created_at": _iso(self.created_at),
        }

    @classmethod
    def from_wire(cls, data: dict[str, Any]) -> Patrol:
        """Parse a partner's copy; ``InvalidInput`` when anything is malformed."""
        try:
            created = _dt(data["created_at"])
            assert created is not None
            return cls(
                patrol_id=parse_patrol_id(str(data["patrol_id"])),
                origin_country=parse_country(str(data["origin_country"])),
                status=PatrolStatus(str(data["status"])),
                crew=parse_crew([str(m) for m in data["crew"]]),
                created_by=str(data["created_by"])[:120],
                created_at=created,
                vehicle=_text(data.get("vehicle"), 60),
                area=_text(data.get("area"), 200),
                planned_start=_dt(data.get("planned_start")),
                planned_end=_dt(data.get("planned_end")),
                started_at=_dt(data.get("started_at")),
                ended_at=_dt(data.get("ended_at")),
            )
        except (KeyError, TypeError, ValueError, AssertionError):
            raise InvalidInput("malformed patrol", code="patrol_malformed") from None


def _text(value: Any, limit: int) -> str | None:
    return None if value in (None, "") else str(value)[:limit]


class PatrolRefused(Forbidden):
    """The patrol does not make this check lawful (code says why)."""

    code = "patrol_refused"


def check_patrol_access(
    patrol: Patrol | None,
    *,
    provider: Country,
    requester: CrewMember,
    now: datetime | None = None,
    max_active: timedelta = DEFAULT_MAX_ACTIVE,
) -> Patrol:
    """The joint-control rule, decided on the provider's own copy; raise ``PatrolRefused``.

    A copy past its planned end or ``max_active`` after its start counts as ended.
    """
    if patrol is None:
        raise PatrolRefused("no such patrol at this node", code="patrol_unknown")
    if patrol.status is PatrolStatus.PLANNED:
        raise PatrolRefused("the patrol has not started", code="patrol_not_started")
    if patrol.is_over(now or datetime.now(UTC), max_active):
        raise PatrolRefused("the patrol has ended", code="patrol_ended")
    if provider not in patrol.countries:
        raise PatrolRefused(
            "the patrol has no officer of the providing country",
            code="provider_not_in_crew",
            country=provider.value,
        )
    if not patrol.includes(requester):
        raise PatrolRefused(
            "the requesting officer is not in the crew", code="requester_not_in_crew"
        )
    return patrol
