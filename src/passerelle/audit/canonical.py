"""The hashed form of an audit entry and the messages the node key signs.

An entry is hashed as its *canonical text*: the entry as a JSON object with sorted
keys, no insignificant white space and UTF-8 (``json.dumps(..., sort_keys=True,
separators=(",", ":"), ensure_ascii=False)``). The chain hash of entry *n* is

    hash_n = SHA-256( prev_hash_n (64 ASCII hex) || canonical_n (UTF-8) )   (hex)

with ``prev_hash_1 = GENESIS`` (64 zeros) and ``prev_hash_n = hash_{n-1}``. The
canonical text contains the entry's own position, so moving an entry changes its
hash. A signed head is an Ed25519 signature over ``head_message``.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from passerelle.audit.events import AuditEvent

GENESIS = "0" * 64
FORMAT_VERSION = 1
HEAD_CONTEXT = b"passerelle-audit-head/v1\n"
EXPORT_CONTEXT = b"passerelle-audit-export/v1\n"


def dumps(value: Any) -> str:
    """Canonical JSON text (sorted keys, compact, UTF-8 kept)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def chain_hash(prev_hash: str, canonical: str) -> str:
    return hashlib.sha256(prev_hash.encode("ascii") + canonical.encode("utf-8")).hexdigest()


def iso(at: datetime) -> str:
    """UTC timestamp with microseconds; naive datetimes are taken as UTC."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def parse_iso(text: str) -> datetime:
    at = datetime.fromisoformat(text)
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


def entry_object(
    event: AuditEvent,
    *,
    position: int,
    entry_id: str,
    node: str,
    query: str | None,
    query_key: str | None,
    subject_keys: list[str],
) -> dict[str, Any]:
    """The entry as it is hashed and exported (JSON values only; ``query`` already encrypted)."""
    actor = event.actor
    ref = event.legal_ref
    obj: dict[str, Any] = {
        "v": FORMAT_VERSION,
        "position": position,
        "entry_id": entry_id,
        "at": iso(event.at),
        "node": node,
        "kind": str(event.kind),
        "actor": {
            "subject": actor.subject,
            "role": actor.role,
            "country": str(actor.country),
            "unit": actor.unit,
        },
        "purpose": event.purpose,
        "legal_ref": {
            "patrol_id": ref.patrol_id,
            "case_ref": ref.case_ref,
            "authorisation_ref": ref.authorisation_ref,
        },
        "justification": event.justification,
        "query": query,
        "query_key": query_key,
        "subject_keys": sorted(set(subject_keys)),
        "datasets": list(event.datasets),
        "record_ids": list(event.record_ids),
        "recipients": [{"country": str(r.country), "officer": r.officer} for r in event.recipients],
        "partner": str(event.partner) if event.partner is not None else None,
        "exchange_id": event.exchange_id,
        "outcome": event.outcome,
        "detail": event.detail,
    }
    # Round-trip once so that what is stored is exactly what an exported line re-serialises to.
    normalised: dict[str, Any] = json.loads(dumps(obj))
    return normalised


def columns_of(obj: dict[str, Any]) -> dict[str, Any]:
    """The searchable projection of an entry object (the ``audit_entries`` columns)."""
    actor = obj["actor"]
    ref = obj["legal_ref"]
    return {
        "position": obj["position"],
        "entry_id": obj["entry_id"],
        "at": parse_iso(obj["at"]),
        "node": obj["node"],
        "kind": obj["kind"],
        "actor_subject": actor["subject"],
        "actor_role": actor["role"],
        "actor_country": actor["country"],
        "actor_unit": actor["unit"],
        "purpose": obj["purpose"],
        "patrol_id": ref["patrol_id"],
        "case_ref": ref["case_ref"],
        "authorisation_ref": ref["authorisation_ref"],
        "justification": obj["justification"],
        "query": obj["query"],
        "datasets": dumps(obj["datasets"]),
        "record_ids": dumps(obj["record_ids"]),
        "recipients": dumps(obj["recipients"]),
        "partner": obj["partner"],
        "exchange_id": obj["exchange_id"],
        "outcome": obj["outcome"],
        "detail": dumps(obj["detail"]),
    }


def head_message(node: str, position: int, hash_: str) -> bytes:
    """What a signed head signs: the node, a position and the chain hash at that position."""
    return HEAD_CONTEXT + f"{node}\n{position}\n{hash_}".encode("ascii")


def export_message(header: dict[str, Any]) -> bytes:
    """What an export header's signature covers: the header without its signature."""
    unsigned = {k: v for k, v in header.items() if k != "signature"}
    return EXPORT_CONTEXT + dumps(unsigned).encode("utf-8")
