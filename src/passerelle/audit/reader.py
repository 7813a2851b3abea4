"""Reading the audit log: search, pairing, subject keys, protected queries (for the DPO tools).

Records are built from each entry's canonical text (the hashed form), so what a
DPO reads is exactly what the chain vouches for; the other columns only serve
as search indexes (``verify_db(deep=True)`` checks they agree with the text).
Search results are newest first; ``since`` is inclusive and ``until`` exclusive.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from passerelle.audit.canonical import dumps, parse_iso
from passerelle.audit.events import Actor, LegalRef, Recipient
from passerelle.audit.protect import DpoKeys
from passerelle.domain.countries import Country, parse_country
from passerelle.exc import AuditUnavailable, InvalidInput
from passerelle.storage.tables import audit_anchors, audit_entries, audit_heads, audit_subject_keys

E = audit_entries.c


@dataclass(frozen=True, kw_only=True)
class AuditSearch:
    officer: str | None = None
    subject: str | None = None  # national id, document number, plate or "family|YYYY-MM-DD"
    dataset: str | None = None
    partner: str | None = None
    purpose: str | None = None
    kind: str | None = None
    exchange_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    limit: int = 100
    offset: int = 0


@dataclass(frozen=True, kw_only=True)
class AuditRecord:
    """One stored entry: every field except the decrypted query (see ``reveal_query``)."""

    position: int
    entry_id: str
    at: datetime
    node: str
    kind: str
    actor: Actor
    purpose: str | None
    legal_ref: LegalRef
    justification: str | None
    query_encrypted: str | None  # AES-GCM token; None when the entry had no query
    query_key: str | None  # fingerprint of the DPO key that encrypted it
    subject_keys: tuple[str, ...]
    datasets: tuple[str, ...]
    record_ids: tuple[str, ...]
    recipients: tuple[Recipient, ...]
    partner: str | None
    exchange_id: str | None
    outcome: str
    detail: dict[str, Any] = field(default_factory=dict)
    prev_hash: str
    hash: str

    @property
    def has_query(self) -> bool:
        return self.query_encrypted is not None


@dataclass(frozen=True, kw_only=True)
class SignedHead:
    position: int
    hash: str
    signature: str  # base64url Ed25519 signature over canonical.head_message
    key_id: str
    at: datetime


@dataclass(frozen=True, kw_only=True)
class Anchor:
    """Where verification starts after retention removed the oldest entries."""

    position: int  # last removed position (a signed head)
    hash: str
    signature: str
    key_id: str
    first_removed: int
    removed: int
    cutoff: datetime
    at: datetime


def _country(value: str) -> Country:
    return parse_country(value)


def record_from(obj: dict[str, Any], prev_hash: str, hash_: str) -> AuditRecord:
    actor, ref = obj["actor"], obj["legal_ref"]
    return AuditRecord(
        position=int(obj["position"]),
        entry_id=obj["entry_id"],
        at=parse_iso(obj["at"]),
        node=obj["node"],
        kind=obj["kind"],
        actor=Actor(
            subject=actor["subject"],
            role=actor["role"],
            country=_country(actor["country"]),
            unit=actor["unit"],
        ),
        purpose=obj["purpose"],
        legal_ref=LegalRef(**ref),
        justification=obj["justification"],
        query_encrypted=obj["query"],
        query_key=obj["query_key"],
        subject_keys=tuple(obj["subject_keys"]),
        datasets=tuple(obj["datasets"]),
        record_ids=tuple(obj["record_ids"]),
        recipients=tuple(
            Recipient(country=_country(r["country"]), officer=r["officer"])
            for r in obj["recipients"]
        ),
        partner=obj["partner"],
        exchange_id=obj["exchange_id"],
        outcome=obj["outcome"],
        detail=obj["detail"],
        prev_hash=prev_hash,
        hash=hash_,
    )


def _utc(at: datetime) -> datetime:
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


class AuditReader:
    """Read side of the SQL audit log (the writer, ``SqlAuditLog``, extends it)."""

    def __init__(self, engine: sa.Engine, *, node: Country, dpo: DpoKeys) -> None:
        self.engine = engine
        self.node = node
        self.dpo = dpo

    def subject_key(self, value: str) -> str:
        """The keyed hash stored for a subject identifier (raises InvalidInput if unusable)."""
        return self.dpo.subject_key(value)

    def reveal_query(self, record: AuditRecord) -> dict[str, Any]:
        """Decrypt an entry's query (DPO only: the caller logs a DPO_ACCESS entry)."""
        if record.query_encrypted is None:
            return {}
        return self.dpo.decrypt(record.query_encrypted, record.entry_id)

    def _where(self, q: AuditSearch) -> list[sa.ColumnElement[bool]]:
        if q.limit < 0 or q.offset < 0:
            raise InvalidInput("limit and offset must not be negative", code="invalid_input")
        conds: list[sa.ColumnElement[bool]] = []
        if q.officer:
            conds.append(E.actor_subject == q.officer)
        if q.subject:
            key = self.subject_key(q.subject)
            keyed = sa.select(audit_subject_keys.c.position).where(
                audit_subject_keys.c.subject_key == key
            )
            conds.append(E.position.in_(keyed))
        if q.dataset:
            conds.append(E.datasets.contains(dumps(q.dataset), autoescape=True))
        if q.partner:
            conds.append(E.partner == q.partner.strip().upper())
        if q.purpose:
            conds.append(E.purpose == q.purpose)
        if q.kind:
            conds.append(E.kind == str(q.kind))
        if q.exchange_id:
            conds.append(E.exchange_id == q.exchange_id)
        if q.since is not None:
            conds.append(E.at >= _utc(q.since))
        if q.until is not None:
            conds.append(E.at < _utc(q.until))
        return conds

    def _records(self, stmt: sa.Select[Any]) -> list[AuditRecord]:
        try:
            with self.engine.connect() as conn:
                rows = conn.execute(stmt).all()
        except sa.exc.SQLAlchemyError:
            raise AuditUnavailable("the audit log cannot be read") from None
        return [record_from(json.loads(r.canonical), r.prev_hash, r.hash) for r in rows]

    def search(self, q: AuditSearch) -> list[AuditRecord]:
        stmt = (
            sa.select(E.canonical, E.prev_hash, E.hash)
            .where(*self._where(q))
            .order_by(E.position.desc())
            .limit(q.limit)
            .offset(q.offset)
        )
        return self._records(stmt)

    def count(self, q: AuditSearch) -> int:
        stmt = sa.select(sa.func.count()).select_from(audit_entries).where(*self._where(q))
        try:
            with self.engine.connect() as conn:
                return int(conn.execute(stmt).scalar_one())
        except sa.exc.SQLAlchemyError:
            raise AuditUnavailable("the audit log cannot be read") from None

    def pair(self, exchange_id: str) -> list[AuditRecord]:
        """This node's entries of one federated exchange, oldest first."""
        stmt = (
            sa.select(E.canonical, E.prev_hash, E.hash)
            .where(E.exchange_id == exchange_id)
            .order_by(E.position)
        )
        return self._records(stmt)

    def iter_all(self, batch: int = 10000) -> Iterator[AuditRecord]:
        """Every entry, oldest first, read in batches by position (constant memory)."""
        after = -1
        while True:
            stmt = (
                sa.select(E.position, E.canonical, E.prev_hash, E.hash)
                .where(E.position > after)
                .order_by(E.position)
                .limit(batch)
            )
            records = self._records(stmt)
            if not records:
                return
            yield from records
            after = records[-1].position

    def last_position(self) -> int:
        with self.engine.connect() as conn:
            value = conn.execute(sa.select(sa.func.max(E.position))).scalar()
        return int(value or 0)

    def heads(self) -> list[SignedHead]:
        h = audit_heads.c
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(h.position, h.hash, h.signature, h.key_id, h.at).order_by(h.position)
            ).all()
        return [
            SignedHead(
                position=r.position,
                hash=r.hash,
                signature=r.signature,
                key_id=r.key_id,
                at=_utc(r.at),
            )
            for r in rows
        ]

    def anchor(self) -> Anchor | None:
        a = audit_anchors.c
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(audit_anchors).order_by(a.id.desc()).limit(1)).first()
        if row is None:
            return None
        return Anchor(
            position=row.position,
            hash=row.hash,
            signature=row.signature,
            key_id=row.key_id,
            first_removed=row.first_removed,
            removed=row.removed,
            cutoff=_utc(row.cutoff),
            at=_utc(row.at),
        )
