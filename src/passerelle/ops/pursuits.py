"""Cross-border pursuits: the value types and the rules a reported position must pass.

A control room opens a pursuit (what is pursued, why, which units, where it
was last seen); positions then stream in from the units. Each position is
judged against its neighbours *in time* (not in arrival order): one that
arrives after a later fix is kept in its place and flagged ``late``; one that
would mean moving faster than ``[pursuits] max_speed_kmh`` (beyond the GPS
tolerance), or that is stamped in the future or long before the pursuit, is
rejected with a reason code and kept as rejected: nothing reported is lost.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from passerelle.domain.countries import Country
from passerelle.exc import InvalidInput, NotFound
from passerelle.web.error_texts import N_

MAX_UNITS = 12
_ID = re.compile(r"^[A-Z]{2}-[0-9a-f]{16}$")


class PursuitStatus(StrEnum):
    ACTIVE = "active"
    ENDED = "ended"


class Outcome(StrEnum):
    ARRESTED = "arrested"
    STOPPED = "stopped"  # vehicle stopped, nobody arrested
    HANDED_OVER = "handed_over"  # taken over by the partner's units
    LOST = "lost"
    ABANDONED = "abandoned"  # broken off (danger, order, end of the legal frame)
    OTHER = "other"


OUTCOME_TEXTS = {
    Outcome.ARRESTED: N_("Arrested"),
    Outcome.STOPPED: N_("Stopped, no arrest"),
    Outcome.HANDED_OVER: N_("Handed over to the partner"),
    Outcome.LOST: N_("Lost"),
    Outcome.ABANDONED: N_("Abandoned"),
    Outcome.OTHER: N_("Other"),
}


class NoticeKind(StrEnum):
    ENTERED = "entered"  # the pursuit entered the partner's territory: acknowledge
    LEFT = "left"  # it left the partner's territory again (information)
    ENDED = "ended"  # it ended, with its outcome (information)


class Source(StrEnum):
    API = "api"
    PHONE = "phone"  # the unit page's geolocation button
    MANUAL = "manual"  # typed in on the unit page or by the control room
    OPEN = "open"  # the last position given when the pursuit was opened


def new_pursuit_id(country: Country, token: str) -> str:
    return f"{country.value}-{token}"


def parse_pursuit_id(value: str) -> str:
    text = value.strip()
    if not _ID.match(text):
        raise NotFound("no such pursuit", code="pursuit_not_found")
    return text


def parse_units(value: list[str] | str) -> tuple[str, ...]:
    items = value.split(",") if isinstance(value, str) else value
    units: list[str] = []
    for item in items:
        unit = " ".join(str(item).split())[:40]
        if unit and unit not in units:
            units.append(unit)
    if len(units) > MAX_UNITS:
        raise InvalidInput("too many units", code="pursuit_too_many_units", limit=MAX_UNITS)
    return tuple(units)


def clean_text(value: str, limit: int, code: str) -> str:
    text = " ".join(value.split())
    if not text:
        raise InvalidInput("this field may not be empty", code=code)
    return text[:limit]


def utc(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


@dataclass(frozen=True)
class Pursuit:
    pursuit_id: str
    origin_country: Country
    status: PursuitStatus
    subject: str  # personal data: never logged
    reason: str
    units: tuple[str, ...]
    opened_by: str
    opened_at: dt.datetime
    country: str | None = None  # territory of the latest accepted position (FR too)
    ended_at: dt.datetime | None = None
    ended_by: str | None = None
    outcome: Outcome | None = None
    outcome_note: str | None = None
    last_position: Position | None = None  # filled by PursuitService.get/active/find

    @property
    def active(self) -> bool:
        return self.status is PursuitStatus.ACTIVE

    # the names the control-room page reads
    @property
    def what(self) -> str:
        return self.subject

    @property
    def why(self) -> str:
        return self.reason

    @property
    def current_country(self) -> str | None:
        return self.country

    def to_dict(self) -> dict[str, Any]:
        return {
            "pursuit_id": self.pursuit_id,
            "origin_country": self.origin_country.value,
            "status": self.status.value,
            "subject": self.subject,
            "reason": self.reason,
            "units": list(self.units),
            "opened_by": self.opened_by,
            "opened_at": self.opened_at.isoformat(),
            "country": self.country,
            "ended_at": self.ended_at.isoformat() if self.ended_at else None,
            "ended_by": self.ended_by,
            "outcome": self.outcome.value if self.outcome else None,
            "outcome_note": self.outcome_note,
            "last_position": self.last_position.to_dict() if self.last_position else None,
        }


@dataclass(frozen=True)
class Position:
    seq: int
    at: dt.datetime
    received_at: dt.datetime
    lat: float
    lon: float
    territory: str | None
    status: str  # accepted | rejected
    late: bool
    source: Source
    reported_by: str
    accuracy_m: float | None = None
    speed_kmh: float | None = None
    reason: str | None = None
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def accepted(self) -> bool:
        return self.status == "accepted"

    @property
    def country(self) -> str | None:
        return self.territory

    def to_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "at": self.at.isoformat(),
            "received_at": self.received_at.isoformat(),
            "lat": self.lat,
            "lon": self.lon,
            "accuracy_m": self.accuracy_m,
            "territory": self.territory,
            "status": self.status,
            "late": self.late,
            "speed_kmh": None if self.speed_kmh is None else round(self.speed_kmh, 1),
            "reason": self.reason,
            "params": self.params,
            "source": self.source.value,
            "reported_by": self.reported_by,
        }


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine, mean Earth radius)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_371_008.8 * math.asin(min(1.0, math.sqrt(h)))


def implied_kmh(a: Position, lat: float, lon: float, at: dt.datetime, tolerance_m: float) -> float:
    """Speed needed to go between a fix and a point, after allowing for GPS jitter."""
    moved = max(0.0, distance_m(a.lat, a.lon, lat, lon) - tolerance_m)
    seconds = abs((at - a.at).total_seconds())
    if moved == 0:
        return 0.0
    if seconds == 0:
        return math.inf
    return moved / seconds * 3.6


@dataclass(frozen=True)
class Verdict:
    """Accept (with the implied speed from the fix before, and whether it came late) or not."""

    accepted: bool
    late: bool
    speed_kmh: float | None
    reason: str | None = None
    params: dict[str, Any] = field(default_factory=dict)


def judge(
    accepted: list[Position],
    lat: float,
    lon: float,
    at: dt.datetime,
    *,
    now: dt.datetime,
    opened_at: dt.datetime,
    max_speed_kmh: float,
    tolerance_m: float,
    max_future: dt.timedelta,
    max_backdate: dt.timedelta,
) -> Verdict:
    """Judge a new fix against the accepted ones (in time order) and the clock."""
    if at > now + max_future:
        return Verdict(False, False, None, "position_in_future")
    if at < opened_at - max_backdate:
        return Verdict(False, False, None, "position_too_old")
    before = [p for p in accepted if p.at <= at]
    after = [p for p in accepted if p.at > at]
    late = bool(after)
    speed = implied_kmh(before[-1], lat, lon, at, tolerance_m) if before else None
    for neighbour in (before[-1] if before else None, after[0] if after else None):
        if neighbour is None:
            continue
        kmh = implied_kmh(neighbour, lat, lon, at, tolerance_m)
        if kmh > max_speed_kmh:
            shown = "∞" if math.isinf(kmh) else f"{kmh:.0f}"
            return Verdict(
                False,
                late,
                None if math.isinf(kmh) else kmh,
                "position_too_fast",
                {"speed": shown, "limit": f"{max_speed_kmh:.0f}"},
            )
    return Verdict(True, late, speed)
