"""Retention of audit entries that keeps the chain verifiable.

Entries are never deleted one by one (that is exactly what the chain detects).
``truncate_before(at)`` removes the *oldest prefix* of the log, and only up to a
signed head: it finds the newest signed head whose position lies before the
first entry written at or after ``at``, deletes every entry up to and including
that position, and records the head as the new **anchor** (its position, hash,
signature and key id, the number removed and the cutoff). Verification then
starts from the anchor instead of the genesis: the first remaining entry must
link to the anchor's hash, and the anchor's signature proves the node vouched
for that hash when the removed entries were still there. Entries newer than
the last signed head before the cutoff stay until a later run.

The caller (the retention engine) records the erasure in the log itself
(an ``ERASURE`` entry with the counts and ranges in ``TruncateResult``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa

from passerelle.audit.sql import SqlAuditLog
from passerelle.storage.tables import audit_anchors, audit_entries, audit_heads, audit_subject_keys

E, H, A = audit_entries.c, audit_heads.c, audit_anchors.c


@dataclass(frozen=True)
class TruncateResult:
    removed: int  # entries deleted by this run
    first_removed: int | None  # their position range
    last_removed: int | None
    anchor_position: int  # verification now starts after this position (0: the genesis)
    anchor_hash: str | None
    cutoff: datetime


def truncate_before(log: SqlAuditLog, at: datetime) -> TruncateResult:
    cutoff = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
    with log._locked() as (conn, cursor, _hash):
        previous = conn.execute(
            sa.select(A.position, A.hash).order_by(A.id.desc()).limit(1)
        ).first()
        floor = previous.position if previous is not None else 0
        keep = conn.execute(sa.select(sa.func.min(E.position)).where(E.at >= cutoff)).scalar()
        first_keep = int(keep) if keep is not None else cursor + 1
        head = conn.execute(
            sa.select(H.position, H.hash, H.signature, H.key_id)
            .where(H.position < first_keep, H.position > floor)
            .order_by(H.position.desc())
            .limit(1)
        ).first()
        if head is None:
            return TruncateResult(
                0,
                None,
                None,
                floor,
                previous.hash if previous is not None else None,
                cutoff,
            )
        removed = conn.execute(sa.delete(audit_entries).where(E.position <= head.position))
        conn.execute(
            sa.delete(audit_subject_keys).where(audit_subject_keys.c.position <= head.position)
        )
        conn.execute(sa.delete(audit_heads).where(H.position <= head.position))
        count = int(removed.rowcount or 0)
        conn.execute(
            audit_anchors.insert().values(
                position=head.position,
                hash=head.hash,
                signature=head.signature,
                key_id=head.key_id,
                first_removed=floor + 1,
                removed=count,
                cutoff=cutoff,
                at=datetime.now(UTC),
            )
        )
    return TruncateResult(count, floor + 1, head.position, head.position, head.hash, cutoff)
