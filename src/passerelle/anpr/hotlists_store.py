"""SQL of hotlists: own lists and entries (both sides); sharing is in ``hotlists_feed_store``.

Synchronous (call from a worker thread). The owner side numbers its changes
per partner (``anpr_hotlist_feed``: 1, 2, 3 ...); the partner side stores the
owner's entries with the sequence number of the version it holds and applies
a change only if it is not older (``apply_copy``), so a message that arrives
twice or late changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa

from passerelle.anpr.hotlists_feed_store import FeedChange, FeedStore
from passerelle.anpr.hotlists_model import HotlistEntry
from passerelle.anpr.hotlists_rows import entry_of, row_of, utc
from passerelle.storage.tables_anpr_hotlists import anpr_hotlist_entries as e
from passerelle.storage.tables_anpr_hotlists import anpr_hotlists as lists

CHUNK = 500  # ids per IN (...) query
__all__ = ["FeedChange", "Hotlist", "HotlistStore", "entry_of", "utc"]


@dataclass(frozen=True)
class Hotlist:
    hotlist_id: str
    name: str
    category: str
    description: str | None
    max_confusions: int | None
    indel: bool | None
    created_at: dt.datetime
    created_by: str
    entries: int = 0
    active: int = 0


class HotlistStore(FeedStore):
    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    # --- own lists ------------------------------------------------------------------------
    def create_list(self, hotlist: Hotlist) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                lists.insert().values(
                    hotlist_id=hotlist.hotlist_id,
                    name=hotlist.name,
                    category=hotlist.category,
                    description=hotlist.description,
                    max_confusions=hotlist.max_confusions,
                    indel=hotlist.indel,
                    created_at=hotlist.created_at,
                    created_by=hotlist.created_by,
                )
            )

    def lists(self, now: dt.datetime, hotlist_id: str | None = None) -> list[Hotlist]:
        live = sa.and_(e.c.removed_at.is_(None), e.c.expires_at > now)
        counts = (
            sa.select(
                e.c.hotlist_id,
                sa.func.count().label("n"),
                sa.func.sum(sa.case((live, 1), else_=0)).label("a"),
            )
            .group_by(e.c.hotlist_id)
            .subquery()
        )
        query = (
            sa.select(lists, counts.c.n, counts.c.a)
            .select_from(lists.outerjoin(counts, counts.c.hotlist_id == lists.c.hotlist_id))
            .order_by(lists.c.created_at)
        )
        if hotlist_id is not None:
            query = query.where(lists.c.hotlist_id == hotlist_id)
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [
            Hotlist(
                r.hotlist_id,
                r.name,
                r.category,
                r.description,
                r.max_confusions,
                r.indel,
                utc(r.created_at),
                r.created_by,
                int(r.n or 0),
                int(r.a or 0),
            )
            for r in rows
        ]

    # --- entries (both sides) -------------------------------------------------------------
    def get(self, entry_id: str, conn: sa.Connection | None = None) -> HotlistEntry | None:
        if conn is None:
            with self.engine.connect() as own:
                return self.get(entry_id, own)
        r = conn.execute(sa.select(e).where(e.c.entry_id == entry_id)).first()
        return entry_of(r) if r is not None else None

    def put(self, conn: sa.Connection, entry: HotlistEntry) -> None:
        """Insert or replace the row of ``entry``."""
        row = row_of(entry)
        done = conn.execute(e.update().where(e.c.entry_id == entry.entry_id).values(**row)).rowcount
        if not done:
            conn.execute(e.insert().values(**row))

    def get_many(self, conn: sa.Connection, entry_ids: Iterable[str]) -> dict[str, HotlistEntry]:
        """The stored entries among ``entry_ids`` (queried in chunks)."""
        ids = list(dict.fromkeys(entry_ids))
        out: dict[str, HotlistEntry] = {}
        for start in range(0, len(ids), CHUNK):
            query = sa.select(e).where(e.c.entry_id.in_(ids[start : start + CHUNK]))
            out.update((r.entry_id, entry_of(r)) for r in conn.execute(query))
        return out

    def put_many(self, conn: sa.Connection, entries: list[HotlistEntry], stored: set[str]) -> None:
        """Insert the entries not in ``stored`` and replace the others (one statement each)."""
        new = [row_of(x) for x in entries if x.entry_id not in stored]
        old = [{**row_of(x), "_id": x.entry_id} for x in entries if x.entry_id in stored]
        if new:
            conn.execute(e.insert(), new)
        if old:
            conn.execute(e.update().where(e.c.entry_id == sa.bindparam("_id")), old)

    def active(self, now: dt.datetime) -> list[HotlistEntry]:
        query = sa.select(e).where(e.c.removed_at.is_(None), e.c.expires_at > now)
        with self.engine.connect() as conn:
            return [entry_of(r) for r in conn.execute(query)]

    def active_counts(self, now: dt.datetime) -> dict[str, int]:
        query = (
            sa.select(e.c.owner_country, sa.func.count())
            .where(e.c.removed_at.is_(None), e.c.expires_at > now)
            .group_by(e.c.owner_country)
        )
        with self.engine.connect() as conn:
            return {str(owner): int(n) for owner, n in conn.execute(query)}

    def changed_since(self, since: dt.datetime) -> list[HotlistEntry]:
        with self.engine.connect() as conn:
            return [entry_of(r) for r in conn.execute(sa.select(e).where(e.c.updated_at >= since))]

    def last_change(self) -> dt.datetime | None:
        with self.engine.connect() as conn:
            value = conn.execute(sa.select(sa.func.max(e.c.updated_at))).scalar()
        return utc(value) if value is not None else None

    def find(
        self,
        *,
        owner: str | None = None,
        hotlist_id: str | None = None,
        plate: str | None = None,
        active_at: dt.datetime | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> tuple[list[HotlistEntry], int]:
        where: list[sa.ColumnElement[bool]] = []
        if owner:
            where.append(e.c.owner_country == owner)
        if hotlist_id:
            where.append(e.c.hotlist_id == hotlist_id)
        if plate:
            where.append(e.c.plate == plate)
        if active_at is not None:
            where += [e.c.removed_at.is_(None), e.c.expires_at > active_at]
        with self.engine.connect() as conn:
            total = conn.execute(sa.select(sa.func.count()).select_from(e).where(*where)).scalar()
            rows = conn.execute(
                sa.select(e)
                .where(*where)
                .order_by(e.c.updated_at.desc(), e.c.entry_id)
                .limit(limit)
                .offset(offset)
            ).all()
        return [entry_of(r) for r in rows], int(total or 0)
