"""Rows of ``anpr_hotlist_entries`` as ``HotlistEntry`` and back; UTC times from the database."""

from __future__ import annotations

import datetime as dt
from typing import Any

from passerelle.anpr.hotlists_model import HotlistEntry
from passerelle.domain.countries import Country


def utc(value: dt.datetime) -> dt.datetime:
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def opt_utc(value: dt.datetime | None) -> dt.datetime | None:
    return utc(value) if value is not None else None


def entry_of(r: Any) -> HotlistEntry:
    return HotlistEntry(
        entry_id=r.entry_id,
        owner=Country(r.owner_country),
        hotlist_id=r.hotlist_id,
        hotlist_name=r.hotlist_name,
        plate=r.plate,
        plate_country=r.plate_country,
        category=r.category,
        reason=r.reason,
        assessment=r.assessment,
        action=r.action,
        instruction=r.instruction,
        contact=r.contact,
        case_ref=r.case_ref,
        expires_at=utc(r.expires_at),
        created_at=utc(r.created_at),
        created_by=r.created_by,
        updated_at=utc(r.updated_at),
        removed_at=opt_utc(r.removed_at),
        seq=int(r.seq),
        max_confusions=r.max_confusions,
        indel=r.indel,
    )


def row_of(entry: HotlistEntry) -> dict[str, Any]:
    return {
        "entry_id": entry.entry_id,
        "owner_country": entry.owner.value,
        "hotlist_id": entry.hotlist_id,
        "hotlist_name": entry.hotlist_name,
        "plate": entry.plate,
        "plate_country": entry.plate_country,
        "category": entry.category,
        "reason": entry.reason,
        "assessment": entry.assessment,
        "action": entry.action,
        "instruction": entry.instruction,
        "contact": entry.contact,
        "case_ref": entry.case_ref,
        "expires_at": entry.expires_at,
        "created_at": entry.created_at,
        "created_by": entry.created_by,
        "updated_at": entry.updated_at,
        "removed_at": entry.removed_at,
        "seq": entry.seq,
        "max_confusions": entry.max_confusions,
        "indel": entry.indel,
    }
