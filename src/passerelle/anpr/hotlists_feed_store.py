"""SQL of sharing: shares and the per-partner feed (owner side), copies and cursors (partner side).

Synchronous (call from a worker thread); ``HotlistStore`` inherits these.
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from passerelle.anpr.hotlists_model import HotlistEntry
from passerelle.anpr.hotlists_rows import entry_of, opt_utc
from passerelle.domain.countries import Country
from passerelle.storage.tables_anpr_hotlists import anpr_hotlist_entries as e
from passerelle.storage.tables_anpr_hotlists import anpr_hotlist_feed as feed
from passerelle.storage.tables_anpr_hotlists import anpr_hotlist_feed_heads as heads
from passerelle.storage.tables_anpr_hotlists import anpr_hotlist_shares as shares
from passerelle.storage.tables_anpr_hotlists import anpr_hotlist_sync as sync


@dataclass(frozen=True)
class FeedChange:
    """One change of the owner's feed to one partner: ``upsert`` (with the entry) or ``remove``."""

    seq: int
    op: str
    entry_id: str
    entry: HotlistEntry | None = None

    def to_wire(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "op": self.op,
            "entry_id": self.entry_id,
            "entry": self.entry.to_wire() if self.entry is not None else None,
        }


class FeedStore(ABC):
    engine: sa.Engine

    @abstractmethod
    def get(self, entry_id: str, conn: sa.Connection | None = None) -> HotlistEntry | None: ...

    # --- shares and the feed (owner side) -------------------------------------------------
    def share_partners(self, conn: sa.Connection, entry_id: str) -> list[Country]:
        rows = conn.execute(
            sa.select(shares.c.partner).where(
                shares.c.entry_id == entry_id, shares.c.revoked_at.is_(None)
            )
        )
        return [Country(r.partner) for r in rows]

    def shares_of(self, entry_ids: Iterable[str]) -> dict[str, list[str]]:
        ids = list(entry_ids)
        out: dict[str, list[str]] = {i: [] for i in ids}
        if not ids:
            return out
        with self.engine.connect() as conn:
            for r in conn.execute(
                sa.select(shares.c.entry_id, shares.c.partner)
                .where(shares.c.entry_id.in_(ids), shares.c.revoked_at.is_(None))
                .order_by(shares.c.partner)
            ):
                out[r.entry_id].append(r.partner)
        return out

    def ever_shared(self, entry_id: str, partner: Country) -> bool:
        with self.engine.connect() as conn:
            return (
                conn.execute(
                    sa.select(shares.c.entry_id).where(
                        shares.c.entry_id == entry_id, shares.c.partner == partner.value
                    )
                ).first()
                is not None
            )

    def set_share(
        self, conn: sa.Connection, entry_id: str, partner: Country, by: str, now: dt.datetime
    ) -> bool:
        """Share (again) with ``partner``; False when it was already shared."""
        key = (shares.c.entry_id == entry_id, shares.c.partner == partner.value)
        row = conn.execute(sa.select(shares.c.revoked_at).where(*key)).first()
        if row is not None and row.revoked_at is None:
            return False
        if row is None:
            conn.execute(
                shares.insert().values(
                    entry_id=entry_id, partner=partner.value, shared_at=now, shared_by=by
                )
            )
        else:
            conn.execute(
                shares.update().where(*key).values(shared_at=now, shared_by=by, revoked_at=None)
            )
        return True

    def set_shares(
        self, conn: sa.Connection, entry_ids: list[str], partner: Country, by: str, now: dt.datetime
    ) -> set[str]:
        """Share every entry of ``entry_ids`` with ``partner``; the ids newly shared."""
        known: dict[str, dt.datetime | None] = {}
        for start in range(0, len(entry_ids), 500):
            chunk = entry_ids[start : start + 500]
            rows = conn.execute(
                sa.select(shares.c.entry_id, shares.c.revoked_at).where(
                    shares.c.entry_id.in_(chunk), shares.c.partner == partner.value
                )
            )
            known.update((r.entry_id, r.revoked_at) for r in rows)
        new = [i for i in dict.fromkeys(entry_ids) if i not in known]
        again = [i for i, revoked in known.items() if revoked is not None]
        values = {"partner": partner.value, "shared_at": now, "shared_by": by}
        if new:
            conn.execute(shares.insert(), [{"entry_id": i, **values} for i in new])
        if again:
            conn.execute(
                shares.update()
                .where(shares.c.entry_id == sa.bindparam("_id"), shares.c.partner == partner.value)
                .values(shared_at=now, shared_by=by, revoked_at=None),
                [{"_id": i} for i in again],
            )
        return set(new) | set(again)

    def partners_of(self, conn: sa.Connection, entry_ids: list[str]) -> dict[str, list[Country]]:
        """The partners each entry is shared with now."""
        out: dict[str, list[Country]] = {}
        for start in range(0, len(entry_ids), 500):
            rows = conn.execute(
                sa.select(shares.c.entry_id, shares.c.partner).where(
                    shares.c.entry_id.in_(entry_ids[start : start + 500]),
                    shares.c.revoked_at.is_(None),
                )
            )
            for r in rows:
                out.setdefault(r.entry_id, []).append(Country(r.partner))
        return out

    def append_feed_many(
        self,
        conn: sa.Connection,
        partner: Country,
        items: list[tuple[str, str]],
        now: dt.datetime,
    ) -> list[int]:
        """Record ``(entry_id, op)`` changes under the next sequence numbers of the feed."""
        if not items:
            return []
        key = heads.c.partner == partner.value
        n = len(items)
        if not conn.execute(
            heads.update().where(key).values(last_seq=heads.c.last_seq + n)
        ).rowcount:
            conn.execute(heads.insert().values(partner=partner.value, last_seq=n))
        last = int(conn.execute(sa.select(heads.c.last_seq).where(key)).scalar_one())
        seqs = list(range(last - n + 1, last + 1))
        conn.execute(
            feed.insert(),
            [
                {"partner": partner.value, "seq": q, "entry_id": i, "op": op, "at": now}
                for q, (i, op) in zip(seqs, items, strict=True)
            ],
        )
        return seqs

    def revoke_share(
        self, conn: sa.Connection, entry_id: str, partner: Country, now: dt.datetime
    ) -> bool:
        return bool(
            conn.execute(
                shares.update()
                .where(
                    shares.c.entry_id == entry_id,
                    shares.c.partner == partner.value,
                    shares.c.revoked_at.is_(None),
                )
                .values(revoked_at=now)
            ).rowcount
        )

    def append_feed(
        self, conn: sa.Connection, partner: Country, entry_id: str, op: str, now: dt.datetime
    ) -> int:
        """The next sequence number of ``partner``'s feed, with this change recorded under it."""
        key = heads.c.partner == partner.value
        if not conn.execute(
            heads.update().where(key).values(last_seq=heads.c.last_seq + 1)
        ).rowcount:
            conn.execute(heads.insert().values(partner=partner.value, last_seq=1))
        seq = int(conn.execute(sa.select(heads.c.last_seq).where(key)).scalar_one())
        conn.execute(
            feed.insert().values(partner=partner.value, seq=seq, entry_id=entry_id, op=op, at=now)
        )
        return seq

    def head(self, partner: Country) -> int:
        with self.engine.connect() as conn:
            value = conn.execute(
                sa.select(heads.c.last_seq).where(heads.c.partner == partner.value)
            ).scalar()
        return int(value or 0)

    def heads(self) -> dict[str, int]:
        with self.engine.connect() as conn:
            return {r.partner: int(r.last_seq) for r in conn.execute(sa.select(heads))}

    def feed_since(
        self, partner: Country, since: int, limit: int, now: dt.datetime
    ) -> tuple[list[FeedChange], int, bool] | None:
        """Changes after ``since`` with each entry as it is now; None: too old, send everything."""
        with self.engine.connect() as conn:
            head = conn.execute(
                sa.select(heads.c.last_seq).where(heads.c.partner == partner.value)
            ).scalar()
            head = int(head or 0)
            if since == head:  # up to date (also: nothing ever shared): no snapshot needed
                return [], head, False
            if since <= 0 or since > head:
                return None
            first = conn.execute(
                sa.select(sa.func.min(feed.c.seq)).where(feed.c.partner == partner.value)
            ).scalar()
            if first is None or int(first) > since + 1:
                return None  # the feed was trimmed by retention past the partner's cursor
            rows = conn.execute(
                sa.select(
                    feed.c.seq.label("feed_seq"),
                    feed.c.entry_id.label("feed_entry"),
                    e,
                    shares.c.revoked_at.label("share_revoked"),
                )
                .select_from(
                    feed.outerjoin(e, e.c.entry_id == feed.c.entry_id).outerjoin(
                        shares,
                        sa.and_(
                            shares.c.entry_id == feed.c.entry_id,
                            shares.c.partner == feed.c.partner,
                        ),
                    )
                )
                .where(feed.c.partner == partner.value, feed.c.seq > since)
                .order_by(feed.c.seq)
                .limit(limit + 1)
            ).all()
        more = len(rows) > limit
        changes = []
        for r in rows[:limit]:
            shared = r.owner_country is not None and r.share_revoked is None
            entry = entry_of(r) if shared else None
            if entry is None or not entry.active(now):
                changes.append(FeedChange(int(r.feed_seq), "remove", r.feed_entry))
            else:
                changes.append(FeedChange(int(r.feed_seq), "upsert", r.feed_entry, entry))
        return changes, head, more

    def snapshot(
        self, partner: Country, now: dt.datetime, after: str | None = None, limit: int = 2000
    ) -> tuple[list[HotlistEntry], int, bool]:
        """A page of the active entries shared with ``partner`` now (by entry id, after
        ``after``), the feed's head, and whether more pages follow."""
        where = [
            shares.c.partner == partner.value,
            shares.c.revoked_at.is_(None),
            e.c.removed_at.is_(None),
            e.c.expires_at > now,
        ]
        if after:
            where.append(e.c.entry_id > after)
        with self.engine.begin() as conn:  # one transaction: head and entries agree
            head = conn.execute(
                sa.select(heads.c.last_seq).where(heads.c.partner == partner.value)
            ).scalar()
            rows = conn.execute(
                sa.select(e)
                .select_from(e.join(shares, shares.c.entry_id == e.c.entry_id))
                .where(*where)
                .order_by(e.c.entry_id)
                .limit(limit + 1)
            ).all()
        return [entry_of(r) for r in rows[:limit]], int(head or 0), len(rows) > limit

    # --- copies (partner side) ------------------------------------------------------------
    def copies_of(self, conn: sa.Connection, owner: Country) -> dict[str, HotlistEntry]:
        rows = conn.execute(sa.select(e).where(e.c.owner_country == owner.value))
        return {r.entry_id: entry_of(r) for r in rows}

    def cursor(self, owner: Country, conn: sa.Connection | None = None) -> int:
        if conn is None:
            with self.engine.connect() as own:
                return self.cursor(owner, own)
        value = conn.execute(
            sa.select(sync.c.last_seq).where(sync.c.owner_country == owner.value)
        ).scalar()
        return int(value or 0)

    def set_cursor(
        self,
        conn: sa.Connection,
        owner: Country,
        seq: int,
        now: dt.datetime | None,
        error: str | None = None,
    ) -> None:
        values: dict[str, Any] = {"last_seq": seq, "last_error": error}
        if now is not None:
            values["synced_at"] = now
        key = sync.c.owner_country == owner.value
        if not conn.execute(sync.update().where(key).values(**values)).rowcount:
            conn.execute(sync.insert().values(owner_country=owner.value, **values))

    def sync_error(self, owner: Country, error: str) -> None:
        with self.engine.begin() as conn:
            self.set_cursor(conn, owner, self.cursor(owner, conn), None, error[:200])

    def sync_rows(self) -> dict[str, dict[str, Any]]:
        with self.engine.connect() as conn:
            return {
                r.owner_country: {
                    "last_seq": int(r.last_seq),
                    "synced_at": opt_utc(r.synced_at),
                    "last_error": r.last_error,
                }
                for r in conn.execute(sa.select(sync))
            }
