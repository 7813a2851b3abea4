"""Pursuits, their positions and steps, and notifications in the node's database.

(The notifications' part is ``pursuits_notices_store``; ``Notification`` is re-exported.)

Writes take the caller's connection so that a position, the steps it causes
and the outbox messages it sends are committed together, or not at all.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, replace
from typing import Any

import sqlalchemy as sa

from passerelle.domain.countries import Country
from passerelle.ops.pursuits import Outcome, Position, Pursuit, PursuitStatus, Source, utc
from passerelle.ops.pursuits_notices_store import Notification, NotificationStore
from passerelle.storage.tables_pursuits import (
    ops_pursuit_positions as tp,
)
from passerelle.storage.tables_pursuits import (
    ops_pursuit_steps as ts,
)
from passerelle.storage.tables_pursuits import (
    ops_pursuits as tu,
)

__all__ = ["Notification", "PursuitStore", "Step"]


def _json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=str)


@dataclass(frozen=True)
class Step:
    at: dt.datetime
    step: str
    country: str | None
    actor: str
    data: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {
            "at": self.at.isoformat(),
            "step": self.step,
            "country": self.country,
            "actor": self.actor,
            "data": self.data,
        }


def _pursuit(r: Any) -> Pursuit:
    return Pursuit(
        pursuit_id=r.pursuit_id,
        origin_country=Country(r.origin_country),
        status=PursuitStatus(r.status),
        subject=r.subject,
        reason=r.reason,
        units=tuple(json.loads(r.units)),
        opened_by=r.opened_by,
        opened_at=utc(r.opened_at) or dt.datetime.now(dt.UTC),
        country=r.country,
        ended_at=utc(r.ended_at),
        ended_by=r.ended_by,
        outcome=Outcome(r.outcome) if r.outcome else None,
        outcome_note=r.outcome_note,
    )


def _position(r: Any) -> Position:
    return Position(
        seq=int(r.seq),
        at=utc(r.at) or dt.datetime.now(dt.UTC),
        received_at=utc(r.received_at) or dt.datetime.now(dt.UTC),
        lat=float(r.lat),
        lon=float(r.lon),
        territory=r.territory,
        status=r.status,
        late=bool(r.late),
        source=Source(r.source),
        reported_by=r.reported_by,
        accuracy_m=r.accuracy_m,
        speed_kmh=r.speed_kmh,
        reason=r.reason,
        params=json.loads(r.params) if r.params else {},
    )


class PursuitStore(NotificationStore):
    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    # --- pursuits ---------------------------------------------------------------------------
    def insert(self, conn: sa.Connection, p: Pursuit) -> None:
        conn.execute(tu.insert().values(**self._row(p)))

    def update(self, conn: sa.Connection, p: Pursuit) -> None:
        conn.execute(tu.update().where(tu.c.pursuit_id == p.pursuit_id).values(**self._row(p)))

    @staticmethod
    def _row(p: Pursuit) -> dict[str, Any]:
        return {
            "pursuit_id": p.pursuit_id,
            "origin_country": p.origin_country.value,
            "status": p.status.value,
            "subject": p.subject,
            "reason": p.reason,
            "units": _json(list(p.units)),
            "opened_by": p.opened_by,
            "opened_at": p.opened_at,
            "country": p.country,
            "ended_at": p.ended_at,
            "ended_by": p.ended_by,
            "outcome": p.outcome.value if p.outcome else None,
            "outcome_note": p.outcome_note,
        }

    def get(self, pursuit_id: str, conn: sa.Connection | None = None) -> Pursuit | None:
        query = sa.select(tu).where(tu.c.pursuit_id == pursuit_id)
        if conn is not None:
            row = conn.execute(query).first()
        else:
            with self.engine.connect() as own:
                row = own.execute(query).first()
        return _pursuit(row) if row else None

    def find(self, status: PursuitStatus | None = None, limit: int = 100) -> list[Pursuit]:
        query = sa.select(tu).order_by(tu.c.opened_at.desc(), tu.c.id.desc()).limit(limit)
        if status is not None:
            query = query.where(tu.c.status == status.value)
        with self.engine.connect() as conn:
            return [_pursuit(r) for r in conn.execute(query)]

    def with_last_positions(self, pursuits: list[Pursuit]) -> list[Pursuit]:
        """The pursuits, each with its latest accepted position (by the time of the fix)."""
        if not pursuits:
            return pursuits
        ids = [p.pursuit_id for p in pursuits]
        query = (
            sa.select(tp)
            .where(tp.c.pursuit_id.in_(ids), tp.c.status == "accepted")
            .order_by(tp.c.at, tp.c.seq)
        )
        last: dict[str, Position] = {}
        with self.engine.connect() as conn:
            for r in conn.execute(query):
                last[r.pursuit_id] = _position(r)
        return [replace(p, last_position=last.get(p.pursuit_id)) for p in pursuits]

    # --- positions --------------------------------------------------------------------------
    def positions(
        self, pursuit_id: str, conn: sa.Connection | None = None, *, accepted_only: bool = False
    ) -> list[Position]:
        query = sa.select(tp).where(tp.c.pursuit_id == pursuit_id).order_by(tp.c.at, tp.c.seq)
        if accepted_only:
            query = query.where(tp.c.status == "accepted")
        if conn is not None:
            return [_position(r) for r in conn.execute(query)]
        with self.engine.connect() as own:
            return [_position(r) for r in own.execute(query)]

    def neighbours(
        self, pursuit_id: str, at: dt.datetime
    ) -> tuple[Position | None, Position | None, str | None]:
        """The accepted fix at or before ``at``, the first one after it, and the territory
        of the last accepted fix at or before ``at`` that is on land (NULL: water)."""
        mine = (tp.c.pursuit_id == pursuit_id, tp.c.status == "accepted")
        upto = sa.select(tp).where(*mine, tp.c.at <= at).order_by(tp.c.at.desc(), tp.c.seq.desc())
        later = sa.select(tp).where(*mine, tp.c.at > at).order_by(tp.c.at, tp.c.seq).limit(1)
        with self.engine.connect() as conn:
            row = conn.execute(upto.limit(1)).first()
            before = _position(row) if row else None
            row = conn.execute(later).first()
            after = _position(row) if row else None
            territory = before.territory if before else None
            if before is not None and territory is None:
                on_land = upto.where(tp.c.territory.is_not(None)).limit(1)
                row = conn.execute(on_land).first()
                territory = row.territory if row else None
        return before, after, territory

    def land_after(self, pursuit_id: str, at: dt.datetime) -> str | None:
        """The territory of the first accepted fix after ``at`` that is on land (or None)."""
        query = (
            sa.select(tp.c.territory)
            .where(
                tp.c.pursuit_id == pursuit_id,
                tp.c.status == "accepted",
                tp.c.at > at,
                tp.c.territory.is_not(None),
            )
            .order_by(tp.c.at, tp.c.seq)
            .limit(1)
        )
        with self.engine.connect() as conn:
            found = conn.execute(query).scalar()
        return None if found is None else str(found)

    def next_seq(self, conn: sa.Connection, pursuit_id: str) -> int:
        top = conn.execute(
            sa.select(sa.func.max(tp.c.seq)).where(tp.c.pursuit_id == pursuit_id)
        ).scalar()
        return int(top or 0) + 1

    def add_position(self, conn: sa.Connection, pursuit_id: str, p: Position) -> None:
        conn.execute(
            tp.insert().values(
                pursuit_id=pursuit_id,
                seq=p.seq,
                at=p.at,
                received_at=p.received_at,
                lat=p.lat,
                lon=p.lon,
                accuracy_m=p.accuracy_m,
                territory=p.territory,
                status=p.status,
                late=p.late,
                speed_kmh=p.speed_kmh,
                reason=p.reason,
                params=_json(p.params) if p.params else None,
                source=p.source.value,
                reported_by=p.reported_by,
            )
        )

    # --- steps ------------------------------------------------------------------------------
    def add_step(self, conn: sa.Connection, pursuit_id: str, step: Step) -> None:
        conn.execute(
            ts.insert().values(
                pursuit_id=pursuit_id,
                at=step.at,
                step=step.step,
                country=step.country,
                actor=step.actor,
                data=_json(step.data),
            )
        )

    def steps(self, pursuit_id: str) -> list[Step]:
        query = sa.select(ts).where(ts.c.pursuit_id == pursuit_id).order_by(ts.c.at, ts.c.id)
        with self.engine.connect() as conn:
            return [
                Step(utc(r.at) or r.at, r.step, r.country, r.actor, json.loads(r.data))
                for r in conn.execute(query)
            ]
