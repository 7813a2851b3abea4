"""What an audit entry says: typed events with required keyword-only fields.

Every consultation, disclosure, collection, alteration and erasure of personal
data is written as one ``AuditEvent`` through the node's ``AuditLog`` (see
``port.py``). Both ends of a federated exchange write an entry, and the two
share ``exchange_id`` so that a supervisor can pair them.

``query`` may hold personal data (the names or numbers searched for); the log
stores it protected (encrypted, readable by the DPO) and keeps only keyed
hashes of subject identifiers for subject-access search. Every other field must
be free of personal data: record ids, not records.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from passerelle.domain.countries import Country


class EventKind(StrEnum):
    # consultations and disclosures (checks)
    CONSULTATION = "consultation"  # own officer searched own registers
    PARTNER_QUERY_SENT = "partner_query_sent"  # requesting node: asked a partner
    PARTNER_QUERY_ANSWERED = "partner_query_answered"  # providing node: answered a partner
    PARTNER_QUERY_REFUSED = "partner_query_refused"  # providing node: refused (policy, patrol)
    DISCLOSURE = "disclosure"  # record fields handed to another node or officer
    # follow-up requests on hit/no-hit references
    FOLLOW_UP_REQUESTED = "follow_up_requested"
    FOLLOW_UP_GRANTED = "follow_up_granted"
    FOLLOW_UP_REFUSED = "follow_up_refused"
    # joint patrols
    PATROL_CHANGED = "patrol_changed"  # created, crew added, started, ended
    PATROL_LOG = "patrol_log"  # incident recorded, positions switched on/off, log read
    # cross-border pursuits (both ends)
    PURSUIT = "pursuit"  # opened, position, crossing, notified, received, acknowledged, ended
    PURSUIT_VIEWED = "pursuit_viewed"  # timeline read or exported (positions: personal data)
    # ANPR exchange (hotlists shared as reference data, hits routed to the owner)
    ANPR_HOTLIST_CHANGED = "anpr_hotlist_changed"  # own entries added, shared, removed
    ANPR_HOTLIST_RECEIVED = "anpr_hotlist_received"  # a partner's shared entries applied here
    ANPR_HOTLIST_VIEWED = "anpr_hotlist_viewed"  # an officer listed hotlist entries
    ANPR_HIT = "anpr_hit"  # hits recorded here (and routed to the entry's owner)
    ANPR_HIT_RECEIVED = "anpr_hit_received"  # owner node: a partner's hit on our entry
    ANPR_HIT_DISPOSITION = "anpr_hit_disposition"  # acknowledged (both ends)
    ANPR_HITS_VIEWED = "anpr_hits_viewed"  # hits listed or streamed to an officer
    ANPR_ANALYSIS = "anpr_analysis"  # cloned plates, convoys or a journey computed from reads
    # collection, alteration, erasure
    COLLECTION = "collection"  # register import, ANPR ingest, incident import
    ALTERATION = "alteration"
    ERASURE = "erasure"  # retention job: counts and ranges, never the data
    # security and supervision
    FEDERATION_REJECTED = "federation_rejected"  # unsigned/forged/replayed partner call
    SIGN_IN = "sign_in"
    SIGN_IN_FAILED = "sign_in_failed"
    DPO_ACCESS = "dpo_access"  # DPO searched or exported the log
    HEAD_SIGNED = "head_signed"


@dataclass(frozen=True, kw_only=True)
class Actor:
    """Who acted: a pseudonymous officer id (token subject), role and unit; or a node."""

    subject: str
    role: str
    country: Country
    unit: str = ""


@dataclass(frozen=True, kw_only=True)
class LegalRef:
    """The reference that makes a processing lawful."""

    patrol_id: str | None = None
    case_ref: str | None = None
    authorisation_ref: str | None = None


@dataclass(frozen=True, kw_only=True)
class Recipient:
    """Who received data: a node (country) and, where known, the officer there."""

    country: Country
    officer: str | None = None


@dataclass(frozen=True, kw_only=True)
class AuditEvent:
    kind: EventKind
    actor: Actor
    outcome: str  # hit, no_hit, refused, granted, error, ok, deleted ...
    purpose: str | None
    justification: str | None
    legal_ref: LegalRef = field(default_factory=LegalRef)
    query: dict[str, Any] = field(default_factory=dict)  # personal data: stored protected
    datasets: tuple[str, ...] = ()
    record_ids: tuple[str, ...] = ()
    recipients: tuple[Recipient, ...] = ()
    partner: Country | None = None  # the other node of a federated exchange
    exchange_id: str | None = None  # shared by both ends of one exchange (e.g. check_id)
    detail: dict[str, Any] = field(default_factory=dict)  # no personal data here
    at: datetime = field(default_factory=lambda: datetime.now(UTC))
