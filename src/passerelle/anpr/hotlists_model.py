"""Hotlist entries: what one is, how an input entry is validated, how it travels.

An entry is *reference data* (Benelux Police Treaty, agreement to Art. 13(6)):
a plate with its country, why it is wanted (``category``, ``reason``), the
individual ``assessment`` that allows sharing it, an ``expires_at`` after
which no camera may match it any more, a ``contact`` and the ``action`` the
camera side takes on a hit (``alert``: tell the control room at once;
``discreet_observation``: record and tell the owner, never stop the vehicle),
with an optional free-text ``instruction``.

Entries without an assessment or an expiry are refused (``validate_entry``
raises ``InvalidInput`` with a translated code), both when an officer adds
them and when a partner sends them.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from passerelle.domain.countries import Country
from passerelle.exc import InvalidInput

if TYPE_CHECKING:
    from passerelle.anpr.index import IndexEntry

ENTRY_REF = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,47}")
PLATE_COUNTRY = re.compile(r"[A-Z]{2}")


class Category(StrEnum):
    STOLEN_VEHICLE = "stolen_vehicle"
    STOLEN_PLATE = "stolen_plate"
    WANTED_PERSON = "wanted_person"
    MISSING_PERSON = "missing_person"
    CASE = "case"  # a case list of an investigation


class Action(StrEnum):
    ALERT = "alert"
    DISCREET_OBSERVATION = "discreet_observation"


@dataclass(frozen=True)
class HotlistEntry:
    entry_id: str
    owner: Country
    hotlist_id: str | None  # own entries only
    hotlist_name: str
    plate: str  # canonical A-Z0-9
    plate_country: str | None
    category: str
    reason: str
    assessment: str
    action: str
    instruction: str | None
    contact: str
    case_ref: str | None
    expires_at: dt.datetime
    created_at: dt.datetime
    created_by: str
    updated_at: dt.datetime
    removed_at: dt.datetime | None = None
    seq: int = 0
    max_confusions: int | None = None
    indel: bool | None = None

    def active(self, now: dt.datetime) -> bool:
        return self.removed_at is None and self.expires_at > now

    def index_entry(self) -> IndexEntry:
        from passerelle.anpr.index import IndexEntry, Tolerance

        tolerance = None
        if self.max_confusions is not None or self.indel is not None:
            default = Tolerance()
            tolerance = Tolerance(
                max_confusions=(
                    default.max_confusions if self.max_confusions is None else self.max_confusions
                ),
                indel=default.indel if self.indel is None else self.indel,
            )
        return IndexEntry(self.entry_id, self.plate, self.plate_country, tolerance)

    def to_wire(self) -> dict[str, Any]:
        """What a partner receives (no officer ids: ``created_by`` stays home)."""
        return {
            "entry_id": self.entry_id,
            "owner": self.owner.value,
            "hotlist_name": self.hotlist_name,
            "plate": self.plate,
            "plate_country": self.plate_country,
            "category": self.category,
            "reason": self.reason,
            "assessment": self.assessment,
            "action": self.action,
            "instruction": self.instruction,
            "contact": self.contact,
            "case_ref": self.case_ref,
            "expires_at": self.expires_at.isoformat(),
            "max_confusions": self.max_confusions,
            "indel": self.indel,
        }

    def to_api(self, now: dt.datetime) -> dict[str, Any]:
        return {
            **self.to_wire(),
            "hotlist_id": self.hotlist_id,
            "created_at": self.created_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
            "removed_at": self.removed_at.isoformat() if self.removed_at else None,
            "active": self.active(now),
        }


@dataclass(frozen=True)
class ValidEntry:
    """An input entry that passed validation (no id, owner or times yet)."""

    ref: str | None
    plate: str
    plate_country: str | None
    category: str
    reason: str
    assessment: str
    action: str
    instruction: str | None
    contact: str
    case_ref: str | None
    expires_at: dt.datetime


def _text(raw: Mapping[str, Any], name: str, limit: int) -> str | None:
    value = raw.get(name)
    if value is None:
        return None
    text = " ".join(str(value).split())
    if len(text) > limit:
        raise InvalidInput(
            f"{name} longer than {limit} characters",
            code="hotlist_entry_too_long",
            field=name,
            limit=limit,
        )
    return text or None


def _expiry(raw: Mapping[str, Any], now: dt.datetime, max_days: int) -> dt.datetime:
    value = raw.get("expires_at")
    if value in (None, ""):
        raise InvalidInput("the entry has no expiry", code="hotlist_entry_no_expiry")
    try:
        if isinstance(value, dt.datetime):
            at = value
        elif isinstance(value, dt.date):
            at = dt.datetime.combine(value, dt.time(23, 59, 59))
        else:
            text = str(value).strip()
            at = dt.datetime.fromisoformat(
                text if "T" in text or " " in text else text + "T23:59:59"
            )
    except ValueError:
        raise InvalidInput("expires_at is not a date", code="hotlist_entry_bad_expiry") from None
    at = at.replace(tzinfo=dt.UTC) if at.tzinfo is None else at.astimezone(dt.UTC)
    if at <= now:
        raise InvalidInput("the entry has already expired", code="hotlist_entry_expired")
    if at > now + dt.timedelta(days=max_days):
        raise InvalidInput(
            f"expiry more than {max_days} days ahead",
            code="hotlist_entry_expiry_too_far",
            days=max_days,
        )
    return at


def _choice(raw: Mapping[str, Any], name: str, allowed: type[StrEnum], default: str | None) -> str:
    value = str(raw.get(name) or default or "").strip().lower()
    try:
        return allowed(value).value
    except ValueError:
        choices = ", ".join(a.value for a in allowed)
        raise InvalidInput(
            f"unknown {name} {value!r}",
            code=f"hotlist_entry_bad_{name}",
            value=value,
            allowed=choices,
        ) from None


def normalise_entry_plate(text: str, country: str | None) -> tuple[str, str | None]:
    """The canonical plate and its country (given, or inferred from the syntax)."""
    from passerelle.anpr.plates import normalise_read

    read = normalise_read(text, country)
    if not read.valid or not read.plate:
        raise InvalidInput(
            "not a usable plate", code="hotlist_entry_bad_plate", reason=read.reason or "garbage"
        )
    return read.plate, read.country or country


def validate_entry(
    raw: Mapping[str, Any],
    *,
    now: dt.datetime,
    max_days: int,
    default_contact: str = "",
    default_category: str | None = None,
) -> ValidEntry:
    """Check one input entry; raise ``InvalidInput`` (translated code) on the first problem."""
    plate_text = _text(raw, "plate", 32)
    if not plate_text:
        raise InvalidInput("the entry has no plate", code="hotlist_entry_no_plate")
    country = (_text(raw, "plate_country", 2) or "").upper() or None
    if country is not None and not PLATE_COUNTRY.fullmatch(country):
        raise InvalidInput(
            "plate_country is not a country code", code="hotlist_entry_bad_country", value=country
        )
    assessment = _text(raw, "assessment", 400)
    if not assessment:
        raise InvalidInput(
            "the entry has no sharing assessment", code="hotlist_entry_no_assessment"
        )
    expires_at = _expiry(raw, now, max_days)
    reason = _text(raw, "reason", 400)
    if not reason:
        raise InvalidInput("the entry has no reason", code="hotlist_entry_no_reason")
    contact = _text(raw, "contact", 200) or " ".join(default_contact.split())[:200]
    if not contact:
        raise InvalidInput("the entry has no contact", code="hotlist_entry_no_contact")
    ref = _text(raw, "entry_id", 64) or _text(raw, "ref", 48)
    if ref is not None and not ENTRY_REF.fullmatch(ref):
        raise InvalidInput("the entry reference has odd characters", code="hotlist_entry_bad_ref")
    plate, plate_country = normalise_entry_plate(plate_text, country)
    return ValidEntry(
        ref=ref,
        plate=plate,
        plate_country=plate_country,
        category=_choice(raw, "category", Category, default_category),
        reason=reason,
        assessment=assessment,
        action=_choice(raw, "action", Action, Action.ALERT.value),
        instruction=_text(raw, "instruction", 400),
        contact=contact,
        case_ref=_text(raw, "case_ref", 80),
        expires_at=expires_at,
    )


def own_entry_id(country: Country, ref: str | None) -> str:
    """``<CC>-<ref>`` (re-importing the same reference updates the entry) or a new id."""
    return f"{country.value}-{ref or uuid.uuid4().hex[:16]}"


def entry_from_wire(
    owner: Country, data: Mapping[str, Any], *, now: dt.datetime, max_days: int, seq: int
) -> HotlistEntry:
    """A partner's entry as received, checked like our own (``InvalidInput`` otherwise)."""
    entry_id = str(data.get("entry_id") or "")
    if not entry_id.startswith(f"{owner.value}-") or len(entry_id) > 64:
        raise InvalidInput("entry id not of the sender", code="hotlist_entry_not_owner")
    valid = validate_entry(data, now=now, max_days=max_days)
    name = _text(data, "hotlist_name", 200) or valid.category
    confusions = data.get("max_confusions")
    indel = data.get("indel")
    return HotlistEntry(
        entry_id=entry_id,
        owner=owner,
        hotlist_id=None,
        hotlist_name=name,
        **{k: v for k, v in valid.__dict__.items() if k != "ref"},
        created_at=now,
        created_by=f"node:{owner.value}",
        updated_at=now,
        seq=seq,
        max_confusions=int(confusions) if isinstance(confusions, int) else None,
        indel=bool(indel) if isinstance(indel, bool) else None,
    )


def removed(entry: HotlistEntry, at: dt.datetime, seq: int | None = None) -> HotlistEntry:
    return replace(entry, removed_at=at, updated_at=at, seq=entry.seq if seq is None else seq)
