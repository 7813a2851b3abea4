"""Joint actions: the plan an organising country shares with the other participants.

A joint action (e.g. an "Etoile" action against drug trafficking: police and
customs of NL, LU, FR and BE checking thousands of persons in one weekend) is
planned at the node of its *organiser*, which sends the plan to the node of
every other participating country. The plan names the participating countries
and their services, the checkpoints (a name and a position on the map), the
objectives, and the *agreed aggregates*: which counts each participant sends
to the organiser, per checkpoint and per hour.

A participating country without a Passerelle node (France, in the Etoile
actions) takes part as a *guest*: its results are registered at the
organiser's node, by the organiser's officers, in its name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from passerelle.exc import InvalidInput

# Countries that can take part: the federation's four, and France as a guest.
PARTICIPANT_COUNTRIES = ("BE", "NL", "LU", "DE", "FR")
METRICS = (
    "persons_checked",
    "vehicles_checked",
    "hits",
    "arrests",
    "seizures",
    "fines",
)
MAX_CHECKPOINTS = 200
MAX_OBJECTIVES = 20
MAX_DURATION = timedelta(days=14)
_ACTION_ID = re.compile(r"[A-Z]{2}-A[0-9a-f]{12}")
_CHECKPOINT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,39}")


class Service(StrEnum):
    POLICE = "police"
    CUSTOMS = "customs"
    BORDER_POLICE = "border_police"  # e.g. the Dutch Koninklijke Marechaussee


class ActionStatus(StrEnum):
    PLANNED = "planned"
    RUNNING = "running"
    ENDED = "ended"


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def parse_time(value: Any, field_name: str) -> datetime:
    if isinstance(value, datetime):
        return _utc(value)
    try:
        return _utc(datetime.fromisoformat(str(value).strip()))
    except ValueError:
        raise InvalidInput(
            f"{field_name}: not an ISO date and time", code="action_time_invalid", field=field_name
        ) from None


def parse_action_id(value: str) -> str:
    text = value.strip()
    if not _ACTION_ID.fullmatch(text):
        raise InvalidInput("not an action id (e.g. BE-A1f0c2a9e4b7d)", code="action_id_invalid")
    return text


def parse_participant_country(value: str) -> str:
    code = str(value).strip().upper()
    if code not in PARTICIPANT_COUNTRIES:
        raise InvalidInput(
            f"{code[:8]!r} cannot take part in a joint action",
            code="action_country_invalid",
            value=code[:8],
            allowed=", ".join(PARTICIPANT_COUNTRIES),
        )
    return code


def _text(value: Any, limit: int, field_name: str, *, required: bool = True) -> str:
    text = " ".join(str(value or "").split())
    if required and not text:
        raise InvalidInput(
            f"{field_name} is missing", code="action_field_missing", field=field_name
        )
    if len(text) > limit:
        raise InvalidInput(
            f"{field_name} is too long", code="action_field_too_long", field=field_name, limit=limit
        )
    return text


@dataclass(frozen=True)
class Participant:
    country: str
    services: tuple[Service, ...]

    @classmethod
    def parse(cls, value: Any) -> Participant:
        if isinstance(value, str):  # "NL:police+customs" or "NL"
            country, _, services = value.partition(":")
            value = {"country": country, "services": services.replace("+", ",").split(",")}
        if not isinstance(value, dict):
            raise InvalidInput("a participant is {country, services}", code="action_malformed")
        raw = value.get("services") or ["police"]
        out: list[Service] = []
        for s in raw if isinstance(raw, list) else str(raw).split(","):
            if not str(s).strip():
                continue
            try:
                service = Service(str(s).strip().lower())
            except ValueError:
                raise InvalidInput(
                    f"unknown service {str(s)[:20]!r}",
                    code="action_service_invalid",
                    value=str(s)[:20],
                    allowed=", ".join(x.value for x in Service),
                ) from None
            if service not in out:
                out.append(service)
        country = parse_participant_country(str(value.get("country", "")))
        return cls(country, tuple(out) or (Service.POLICE,))

    def to_wire(self) -> dict[str, Any]:
        return {"country": self.country, "services": [s.value for s in self.services]}


@dataclass(frozen=True)
class Checkpoint:
    checkpoint_id: str
    name: str
    lat: float
    lon: float
    country: str | None = None  # the country it lies in

    @classmethod
    def parse(cls, value: Any, index: int = 0) -> Checkpoint:
        if not isinstance(value, dict):
            raise InvalidInput("a checkpoint is {id, name, lat, lon}", code="action_malformed")
        cid = str(value.get("checkpoint_id") or value.get("id") or f"CP{index + 1:02d}").strip()
        if not _CHECKPOINT_ID.fullmatch(cid):
            raise InvalidInput(
                "a checkpoint id is letters, digits, '.', '_' or '-'",
                code="action_checkpoint_invalid",
                value=cid[:40],
            )
        try:
            lat, lon = float(value["lat"]), float(value["lon"])
        except (KeyError, TypeError, ValueError):
            raise InvalidInput(
                f"checkpoint {cid}: lat and lon are numbers",
                code="action_position_invalid",
                checkpoint=cid,
            ) from None
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise InvalidInput(
                f"checkpoint {cid}: position out of range",
                code="action_position_invalid",
                checkpoint=cid,
            )
        country = value.get("country")
        return cls(
            cid,
            _text(value.get("name") or cid, 120, "checkpoint name"),
            round(lat, 6),
            round(lon, 6),
            parse_participant_country(country) if country else None,
        )

    def to_wire(self) -> dict[str, Any]:
        return {
            "checkpoint_id": self.checkpoint_id,
            "name": self.name,
            "lat": self.lat,
            "lon": self.lon,
            "country": self.country,
        }


@dataclass(frozen=True)
class Action:
    action_id: str
    organiser: str
    name: str
    starts_at: datetime
    ends_at: datetime
    participants: tuple[Participant, ...]
    checkpoints: tuple[Checkpoint, ...]
    objectives: tuple[str, ...]
    shared_metrics: tuple[str, ...]
    created_by: str
    created_at: datetime
    share_back: bool = True  # the organiser sends every country's aggregates to all
    revision: int = 1
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def countries(self) -> tuple[str, ...]:
        return tuple(p.country for p in self.participants)

    def participant(self, country: str) -> Participant | None:
        return next((p for p in self.participants if p.country == country), None)

    def checkpoint(self, checkpoint_id: str) -> Checkpoint | None:
        return next((c for c in self.checkpoints if c.checkpoint_id == checkpoint_id), None)

    def status(self, now: datetime) -> ActionStatus:
        if now < self.starts_at:
            return ActionStatus.PLANNED
        return ActionStatus.RUNNING if now < self.ends_at else ActionStatus.ENDED

    def to_wire(self) -> dict[str, Any]:
        return {
            "action_id": self.action_id,
            "organiser": self.organiser,
            "name": self.name,
            "starts_at": self.starts_at.isoformat(),
            "ends_at": self.ends_at.isoformat(),
            "participants": [p.to_wire() for p in self.participants],
            "checkpoints": [c.to_wire() for c in self.checkpoints],
            "objectives": list(self.objectives),
            "shared_metrics": list(self.shared_metrics),
            "share_back": self.share_back,
            "created_by": self.created_by,
            "created_at": self.created_at.isoformat(),
            "revision": self.revision,
        }

    @classmethod
    def from_wire(cls, data: dict[str, Any]) -> Action:
        try:
            return build_action(
                action_id=parse_action_id(str(data["action_id"])),
                organiser=parse_participant_country(str(data["organiser"])),
                name=data.get("name"),
                starts_at=data.get("starts_at"),
                ends_at=data.get("ends_at"),
                participants=data.get("participants") or [],
                checkpoints=data.get("checkpoints") or [],
                objectives=data.get("objectives") or [],
                shared_metrics=data.get("shared_metrics"),
                share_back=bool(data.get("share_back", True)),
                created_by=_text(data.get("created_by"), 130, "created_by"),
                created_at=parse_time(data.get("created_at"), "created_at"),
                revision=int(data.get("revision") or 1),
            )
        except (KeyError, TypeError, ValueError, AttributeError):
            raise InvalidInput("malformed joint action", code="action_malformed") from None


def build_action(
    *,
    action_id: str,
    organiser: str,
    name: Any,
    starts_at: Any,
    ends_at: Any,
    participants: list[Any],
    checkpoints: list[Any],
    objectives: list[Any],
    shared_metrics: list[str] | None,
    created_by: str,
    created_at: datetime,
    share_back: bool = True,
    revision: int = 1,
) -> Action:
    """Validate every part of a plan (at the organiser, and again at each participant)."""
    start, end = parse_time(starts_at, "starts_at"), parse_time(ends_at, "ends_at")
    if end <= start or end - start > MAX_DURATION:
        raise InvalidInput(
            "the action must end after it starts, within 14 days", code="action_times_invalid"
        )
    parts: list[Participant] = []
    for p in participants:
        parsed = Participant.parse(p)
        if any(x.country == parsed.country for x in parts):
            raise InvalidInput("a country is listed twice", code="action_malformed")
        parts.append(parsed)
    if organiser not in [p.country for p in parts]:
        parts.insert(0, Participant(organiser, (Service.POLICE,)))
    if len(parts) < 2:
        raise InvalidInput("a joint action needs two countries", code="action_needs_partners")
    cps = [Checkpoint.parse(c, i) for i, c in enumerate(checkpoints)]
    if not cps or len(cps) > MAX_CHECKPOINTS:
        raise InvalidInput(
            f"between 1 and {MAX_CHECKPOINTS} checkpoints",
            code="action_checkpoints_count",
            limit=MAX_CHECKPOINTS,
        )
    if len({c.checkpoint_id for c in cps}) != len(cps):
        raise InvalidInput("two checkpoints have the same id", code="action_checkpoint_invalid")
    goals = [_text(o, 300, "objective") for o in objectives if str(o or "").strip()]
    metrics = list(METRICS) if shared_metrics is None else [m.strip() for m in shared_metrics]
    for m in metrics:
        if m not in METRICS:
            raise InvalidInput(
                f"unknown aggregate {m[:30]!r}",
                code="action_metric_invalid",
                value=m[:30],
                allowed=", ".join(METRICS),
            )
    return Action(
        action_id=action_id,
        organiser=organiser,
        name=_text(name, 120, "name"),
        starts_at=start,
        ends_at=end,
        participants=tuple(parts),
        checkpoints=tuple(cps),
        objectives=tuple(goals[:MAX_OBJECTIVES]),
        shared_metrics=tuple(m for m in METRICS if m in metrics),
        created_by=created_by,
        created_at=_utc(created_at),
        share_back=share_back,
        revision=revision,
    )
