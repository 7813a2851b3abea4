"""SQL of hits (``anpr_hits``), at the reporting node and the owner's copy. Synchronous."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from passerelle.storage.tables_anpr_hotlists import anpr_hits as t


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


@dataclass(frozen=True)
class Hit:
    hit_id: str
    read_id: str
    entry_id: str
    owner_country: str
    reporting_country: str
    outcome: str
    score: float
    plate: str
    plate_country: str | None
    camera_id: str
    site: str | None
    lat: float | None
    lon: float | None
    direction: str | None
    read_at: dt.datetime
    image_ref: str | None
    created_at: dt.datetime
    duplicate_of: str | None = None
    disposition: str | None = None
    disposition_at: dt.datetime | None = None
    disposition_by: str | None = None

    def row(self) -> dict[str, Any]:
        return asdict(self)

    def to_api(self) -> dict[str, Any]:
        out = asdict(self)
        for key in ("read_at", "created_at", "disposition_at"):
            out[key] = out[key].isoformat() if out[key] is not None else None
        return out

    def to_wire(self) -> dict[str, Any]:
        """What the owner's node receives: the hit, never the read's other data."""
        out = self.to_api()
        for key in ("duplicate_of", "disposition", "disposition_at", "disposition_by"):
            out.pop(key)
        return out

    @classmethod
    def of(cls, r: Any) -> Hit:
        data = {k: getattr(r, k) for k in cls.__dataclass_fields__}
        for key in ("read_at", "created_at", "disposition_at"):
            data[key] = _utc(data[key])
        return cls(**data)


@dataclass(frozen=True)
class HitFilter:
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    entry_id: str | None = None
    plate: str | None = None
    owner: str | None = None
    reporting: str | None = None
    disposition: str | None = None  # a value, or "none" for hits not yet acknowledged
    duplicates: bool = False
    limit: int = 100
    offset: int = 0


class HitStore:
    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    def insert_new(self, conn: sa.Connection, hit: Hit) -> bool:
        """Insert unless the hit (same id, or same reporting node, read and entry) exists."""
        dialect = conn.dialect.name
        stmt: Any
        if dialect == "postgresql":
            stmt = postgresql.insert(t).values(**hit.row()).on_conflict_do_nothing()
        elif dialect == "sqlite":
            stmt = sqlite.insert(t).values(**hit.row()).on_conflict_do_nothing()
        else:  # pragma: no cover - only the two supported backends
            stmt = t.insert().values(**hit.row())
        return bool(conn.execute(stmt).rowcount)

    def by_key(
        self, conn: sa.Connection, reporting: str, read_id: str, entry_id: str
    ) -> Hit | None:
        r = conn.execute(
            sa.select(t).where(
                t.c.reporting_country == reporting, t.c.read_id == read_id, t.c.entry_id == entry_id
            )
        ).first()
        return Hit.of(r) if r is not None else None

    def get(self, hit_id: str, conn: sa.Connection | None = None) -> Hit | None:
        if conn is None:
            with self.engine.connect() as own:
                return self.get(hit_id, own)
        r = conn.execute(sa.select(t).where(t.c.hit_id == hit_id)).first()
        return Hit.of(r) if r is not None else None

    def primary_within(
        self,
        conn: sa.Connection,
        reporting: str,
        entry_id: str,
        plate: str,
        read_at: dt.datetime,
        window: dt.timedelta,
    ) -> str | None:
        """The alerted hit on this plate and entry within ``window`` of ``read_at``, if any."""
        r = conn.execute(
            sa.select(t.c.hit_id)
            .where(
                t.c.entry_id == entry_id,
                t.c.plate == plate,
                t.c.reporting_country == reporting,
                t.c.duplicate_of.is_(None),
                t.c.read_at > read_at - window,
                t.c.read_at < read_at + window,
            )
            .order_by(t.c.read_at)
            .limit(1)
        ).first()
        return str(r.hit_id) if r is not None else None

    def set_disposition(
        self, conn: sa.Connection, hit_id: str, disposition: str, at: dt.datetime, by: str
    ) -> None:
        conn.execute(
            t.update()
            .where(t.c.hit_id == hit_id)
            .values(disposition=disposition, disposition_at=at, disposition_by=by[:120])
        )

    def find(self, f: HitFilter) -> tuple[list[Hit], int]:
        where: list[sa.ColumnElement[bool]] = []
        if f.since is not None:
            where.append(t.c.read_at >= f.since)
        if f.until is not None:
            where.append(t.c.read_at < f.until)
        for column, value in (
            (t.c.entry_id, f.entry_id),
            (t.c.plate, f.plate),
            (t.c.owner_country, f.owner),
            (t.c.reporting_country, f.reporting),
        ):
            if value:
                where.append(column == value)
        if f.disposition == "none":
            where.append(t.c.disposition.is_(None))
        elif f.disposition:
            where.append(t.c.disposition == f.disposition)
        if not f.duplicates:
            where.append(t.c.duplicate_of.is_(None))
        with self.engine.connect() as conn:
            total = conn.execute(sa.select(sa.func.count()).select_from(t).where(*where)).scalar()
            rows = conn.execute(
                sa.select(t)
                .where(*where)
                .order_by(t.c.read_at.desc(), t.c.hit_id)
                .limit(f.limit)
                .offset(f.offset)
            ).all()
        return [Hit.of(r) for r in rows], int(total or 0)
