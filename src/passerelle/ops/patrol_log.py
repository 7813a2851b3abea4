"""The patrol log: what the crew of a joint patrol did, as each node records it.

Three kinds of record, all kept at the node of the officer who made them
(sovereignty at the source: nothing of the log is copied to a partner):

- **checks** run in the patrol's name: the check id, its kind, the time and an
  outcome summary per country (``BE:no_hit NL:hit``), never the subject; the
  audit log holds the rest of the consultation under the same check id;
- **incidents**: a category, a free text and, optionally, where;
- **positions** of the patrol, only once the crew switched them on for that
  patrol (opt-in), until they switch them off or the patrol ends.

This module holds the value rules (``parse_incident``, ``parse_position``);
``patrol_log_store`` the SQL, ``patrol_log_service`` the rules of who may do what.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from passerelle.exc import InvalidInput
from passerelle.retention.period import Period
from passerelle.retention.rules import RetentionRule, register_rule
from passerelle.web.error_texts import N_

MAX_TEXT = 1000
MAX_POSITIONS = 500  # per request
FUTURE_SLACK = timedelta(seconds=60)  # a phone's clock may run a little ahead
CHECK_OUTCOMES = ("hit", "no_hit", "refused", "unavailable", "timeout", "error")


# Positions of a patrol are positions of its officers: kept for the after-action report only.
# Checks and incidents go with their patrol (``patrols`` rule, ON DELETE CASCADE).
POSITIONS_RULE = RetentionRule(
    name="patrol_positions",
    dataset="patrol_positions",
    table="patrol_positions",
    timestamp_column="at",
    period=Period.parse("P30D"),
    legal_basis="Directive (EU) 2016/680 Art. 4(1)(e) and 5 (storage limitation); "
    "Benelux Police Treaty (2018) Art. 16 (joint patrols)",
    description=N_("Positions of joint patrols whose crew switched them on"),
)
register_rule(POSITIONS_RULE)  # imported with the tables (storage.tables_patrol_log)


class IncidentCategory(StrEnum):
    ARREST = "arrest"
    SEIZURE = "seizure"
    TRAFFIC = "traffic"
    PUBLIC_ORDER = "public_order"
    ASSISTANCE = "assistance"
    OTHER = "other"


CATEGORY_TEXTS = {
    IncidentCategory.ARREST: N_("Arrest"),
    IncidentCategory.SEIZURE: N_("Seizure"),
    IncidentCategory.TRAFFIC: N_("Traffic"),
    IncidentCategory.PUBLIC_ORDER: N_("Public order"),
    IncidentCategory.ASSISTANCE: N_("Assistance"),
    IncidentCategory.OTHER: N_("Other"),
}


@dataclass(frozen=True)
class Position:
    at: datetime
    lat: float
    lon: float


@dataclass(frozen=True)
class Incident:
    category: IncidentCategory
    text: str
    at: datetime
    position: Position | None = None


@dataclass(frozen=True)
class LogEntry:
    """One line of a patrol's log, as stored."""

    id: int
    patrol_id: str
    kind: str  # check | incident
    at: datetime
    recorded_by: str
    check_id: str | None = None
    check_kind: str | None = None
    outcome: str | None = None
    sources: str | None = None
    category: str | None = None
    text: str | None = None
    lat: float | None = None
    lon: float | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "patrol_id": self.patrol_id,
            "kind": self.kind,
            "at": self.at.isoformat(),
            "recorded_by": self.recorded_by,
        }
        if self.kind == "check":
            out |= {
                "check_id": self.check_id,
                "check_kind": self.check_kind,
                "outcome": self.outcome,
                "sources": self.sources,
            }
        else:
            out |= {"category": self.category, "text": self.text, "lat": self.lat, "lon": self.lon}
        return out


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def parse_time(value: datetime | str | None, now: datetime) -> datetime:
    """A time given by a device: ``now`` when absent; never (much) in the future."""
    if value is None or value == "":
        return now
    try:
        at = _utc(value if isinstance(value, datetime) else datetime.fromisoformat(str(value)))
    except ValueError:
        raise InvalidInput("not a time (ISO 8601)", code="time_invalid") from None
    if at > now + FUTURE_SLACK:
        raise InvalidInput("the time is in the future", code="time_in_future")
    return at


def parse_position(lat: Any, lon: Any, at: datetime | str | None, now: datetime) -> Position:
    """A WGS 84 position; ``InvalidInput`` (``position_invalid``) for anything else."""
    try:
        la, lo = float(lat), float(lon)
    except (TypeError, ValueError):
        raise InvalidInput(
            "latitude and longitude must be numbers", code="position_invalid"
        ) from None
    if not (math.isfinite(la) and math.isfinite(lo)) or not (-90 <= la <= 90 and -180 <= lo <= 180):
        raise InvalidInput("latitude or longitude out of range", code="position_invalid")
    return Position(parse_time(at, now), round(la, 6), round(lo, 6))


def parse_incident(
    category: Any,
    text: Any,
    *,
    lat: Any = None,
    lon: Any = None,
    at: datetime | str | None = None,
    now: datetime,
) -> Incident:
    """Category, free text (1..1000 characters after trimming) and an optional position."""
    try:
        cat = IncidentCategory(str(category).strip().lower())
    except ValueError:
        raise InvalidInput(
            "unknown incident category", code="incident_category_invalid", value=str(category)[:30]
        ) from None
    clean = " ".join(str(text or "").split())  # one line: no control characters
    if not clean:
        raise InvalidInput("describe the incident", code="incident_text_missing")
    if len(clean) > MAX_TEXT:
        raise InvalidInput(
            f"at most {MAX_TEXT} characters", code="incident_text_too_long", limit=MAX_TEXT
        )
    when = parse_time(at, now)
    has_lat, has_lon = lat not in (None, ""), lon not in (None, "")
    if has_lat != has_lon:
        raise InvalidInput("give both latitude and longitude, or neither", code="position_invalid")
    position = parse_position(lat, lon, when, now) if has_lat else None
    return Incident(cat, clean, when, position)


def outcome_summary(sources: list[tuple[str, str]]) -> tuple[str, str]:
    """(overall outcome, ``BE:no_hit NL:hit``) of a check's sources (country, status)."""
    statuses = [s for _, s in sources]
    overall = next((o for o in CHECK_OUTCOMES if o in statuses), "no_hit")
    text = " ".join(f"{c}:{s}" for c, s in sources)[:200]
    return overall, text
