"""Aggregates to partner nodes in batches, one batch in flight per partner and action.

Every change to an aggregate gets the action's next change number (``seq``).
``action_sync`` remembers, per partner node, up to which ``seq`` it has been
sent. ``flush`` sends everything changed since then as *one* outbox message —
unless a batch to that partner is still on its way: then nothing happens now,
and the batch's delivery (``on_delivered``) flushes again. So a quiet action
sends each change at once, and a busy one folds all changes made during a
round trip into the next message: the number of messages follows the partner's
speed, not the number of results, and nothing waits for a timer.

A participant sends its own country's aggregates to the organiser; the
organiser sends (``share_back``) every country's aggregates to each participant
node but that country's own. All of it in the caller's transaction, under the
node's results lock, so a change committed after a batch was taken is always
picked up by the next flush.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from passerelle.domain.countries import Country
from passerelle.ops.actions import Action
from passerelle.ops.actions_store import AGG_COUNTS
from passerelle.storage.tables import outbox_messages
from passerelle.storage.tables_actions import (
    action_aggregate_seizures,
    action_aggregates,
    action_sync,
)

BATCH_KIND = "action_batch"
MAX_BATCH = 500
KEY = ("action_id", "country", "checkpoint_id", "hour")


def batch_pending(conn: sa.Connection, partner: Country, action_id: str) -> bool:
    t = outbox_messages
    found = conn.execute(
        sa.select(t.c.id)
        .where(
            t.c.state == "pending",
            t.c.partner == partner.value,
            t.c.kind == BATCH_KIND,
            t.c.key.like(action_id + "/%"),
        )
        .limit(1)
    ).first()
    return found is not None


def _sent(conn: sa.Connection, action_id: str, partner: Country) -> int:
    t = action_sync
    value = conn.execute(
        sa.select(t.c.sent_seq).where(t.c.action_id == action_id, t.c.partner == partner.value)
    ).scalar()
    return int(value or 0)


def _mark(conn: sa.Connection, action_id: str, partner: Country, seq: int) -> None:
    t = action_sync
    where = (t.c.action_id == action_id, t.c.partner == partner.value)
    if not conn.execute(t.update().where(*where).values(sent_seq=seq)).rowcount:
        conn.execute(t.insert().values(action_id=action_id, partner=partner.value, sent_seq=seq))


def take_batch(
    conn: sa.Connection, action: Action, partner: Country, only: str | None
) -> tuple[list[dict[str, Any]], int]:
    """Aggregates changed since ``partner`` was last sent them (``only``: one country's)."""
    a, s = action_aggregates, action_aggregate_seizures
    since = _sent(conn, action.action_id, partner)
    cond = [a.c.action_id == action.action_id, a.c.seq > since]
    cond.append(a.c.country == only if only else a.c.country != partner.value)
    rows = conn.execute(sa.select(a).where(*cond).order_by(a.c.seq).limit(MAX_BATCH)).all()
    if not rows:
        return [], since
    last = int(rows[-1].seq)
    seized: dict[tuple[Any, ...], list[list[Any]]] = {}
    joined = sa.and_(*[s.c[k] == a.c[k] for k in KEY])
    query = (
        sa.select(s.c.country, s.c.checkpoint_id, s.c.hour, s.c.kind, s.c.unit, s.c.milli)
        .select_from(s.join(a, joined))
        .where(*cond, a.c.seq <= last)
        .order_by(s.c.kind, s.c.unit)
    )
    for x in conn.execute(query):
        seized.setdefault((x.country, x.checkpoint_id, x.hour), []).append(
            [x.kind, x.unit, int(x.milli)]
        )
    buckets = [
        {
            "action_id": r.action_id,
            "country": r.country,
            "checkpoint_id": r.checkpoint_id,
            "hour": _iso(r.hour),
            "revision": int(r.revision),
            "results": int(r.results),
            **{k: int(getattr(r, k)) for k in AGG_COUNTS},
            "seizures": seized.get((r.country, r.checkpoint_id, r.hour), []),
        }
        for r in rows
    ]
    _mark(conn, action.action_id, partner, last)
    return buckets, last


def _iso(value: datetime) -> str:
    moment = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return str(moment.isoformat())
