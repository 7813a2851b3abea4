"""Deep verification: the searchable columns and subject keys agree with the hashed text.

The chain vouches for each entry's canonical text; the other columns of
``audit_entries`` (and ``audit_subject_keys``) are derived from it for search.
Someone who edits only a column (say, the officer) would hide an entry from a
search without breaking the chain; ``check_columns`` finds that.
"""

from __future__ import annotations

import json
from datetime import UTC
from typing import Any

import sqlalchemy as sa

from passerelle.audit.canonical import columns_of
from passerelle.audit.chain import Finding
from passerelle.audit.sql import SqlAuditLog
from passerelle.storage.tables import audit_entries, audit_subject_keys

E = audit_entries.c
BATCH = 5_000


def _same(name: str, stored: Any, derived: Any) -> bool:
    if name == "at" and stored is not None:
        stored = stored.replace(tzinfo=UTC) if stored.tzinfo is None else stored.astimezone(UTC)
    return bool(stored == derived)


def check_columns(log: SqlAuditLog) -> list[Finding]:
    """The first entry whose columns or subject keys disagree with its text (or none)."""
    names = [c.name for c in audit_entries.columns if c.name not in ("prev_hash", "hash")]
    after = -1
    with log.engine.connect() as conn:
        while True:
            rows = conn.execute(
                sa.select(*[E[n] for n in names])
                .where(E.position > after)
                .order_by(E.position)
                .limit(BATCH)
            ).all()
            if not rows:
                return []
            keys: dict[int, set[str]] = {}
            for pos, key in conn.execute(
                sa.select(audit_subject_keys.c.position, audit_subject_keys.c.subject_key).where(
                    audit_subject_keys.c.position > after,
                    audit_subject_keys.c.position <= rows[-1].position,
                )
            ):
                keys.setdefault(pos, set()).add(key)
            for row in rows:
                stored = row._asdict()
                obj = json.loads(stored.pop("canonical"))
                derived = columns_of(obj)
                for name, value in stored.items():
                    if not _same(name, value, derived[name]):
                        return [
                            Finding(
                                row.position,
                                "column_changed",
                                f"column {name} of entry {row.position} differs from its "
                                "hashed text",
                            )
                        ]
                if keys.get(row.position, set()) != set(obj["subject_keys"]):
                    return [
                        Finding(
                            row.position,
                            "column_changed",
                            f"the subject keys of entry {row.position} differ from its text",
                        )
                    ]
            after = rows[-1].position
