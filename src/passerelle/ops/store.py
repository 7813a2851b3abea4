"""The patrol registry in the node's database (SQLite or PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from passerelle.domain.countries import Country
from passerelle.ops.patrols import CrewMember, Patrol, PatrolStatus
from passerelle.storage import tables as t


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


class PatrolStore:
    """Patrols and their crews; a partner's copy is replaced whole by ``save``."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    def _row(self, p: Patrol) -> dict[str, Any]:
        return {
            "patrol_id": p.patrol_id,
            "origin_country": p.origin_country.value,
            "status": p.status.value,
            "vehicle": p.vehicle,
            "area": p.area,
            "planned_start": p.planned_start,
            "planned_end": p.planned_end,
            "started_at": p.started_at,
            "ended_at": p.ended_at,
            "created_by": p.created_by,
            "created_at": p.created_at,
            "updated_at": datetime.now(UTC),
        }

    def save(self, patrol: Patrol) -> None:
        """Insert or replace the patrol and its crew, in one transaction."""
        with self.engine.begin() as conn:
            self.save_in(conn, patrol)

    def save_in(self, conn: sa.Connection, patrol: Patrol) -> None:
        """``save`` inside the caller's transaction (with the outbox rows of the change)."""
        now = datetime.now(UTC)
        exists = conn.execute(
            sa.select(t.joint_patrols.c.id).where(t.joint_patrols.c.patrol_id == patrol.patrol_id)
        ).first()
        if exists:
            conn.execute(
                t.joint_patrols.update()
                .where(t.joint_patrols.c.patrol_id == patrol.patrol_id)
                .values(**self._row(patrol))
            )
        else:
            conn.execute(t.joint_patrols.insert().values(**self._row(patrol)))
        known = {
            (r.country, r.username)
            for r in conn.execute(
                sa.select(t.joint_patrol_crew.c.country, t.joint_patrol_crew.c.username).where(
                    t.joint_patrol_crew.c.patrol_id == patrol.patrol_id
                )
            )
        }
        wanted = {(m.country.value, m.username) for m in patrol.crew}
        for country, username in known - wanted:
            conn.execute(
                t.joint_patrol_crew.delete().where(
                    t.joint_patrol_crew.c.patrol_id == patrol.patrol_id,
                    t.joint_patrol_crew.c.country == country,
                    t.joint_patrol_crew.c.username == username,
                )
            )
        new = [
            {"patrol_id": patrol.patrol_id, "country": c, "username": u, "added_at": now}
            for c, u in ((m.country.value, m.username) for m in patrol.crew)
            if (c, u) not in known
        ]
        if new:
            conn.execute(t.joint_patrol_crew.insert(), new)

    def get(self, patrol_id: str) -> Patrol | None:
        found = self._load(t.joint_patrols.c.patrol_id == patrol_id)
        return found[0] if found else None

    def find(self, *, status: PatrolStatus | None = None, limit: int = 100) -> list[Patrol]:
        cond = t.joint_patrols.c.status == status.value if status else sa.true()
        return self._load(cond, limit=limit)

    def _load(self, cond: sa.ColumnElement[bool], limit: int = 100) -> list[Patrol]:
        p, c = t.joint_patrols, t.joint_patrol_crew
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(p).where(cond).order_by(p.c.created_at.desc()).limit(limit)
            ).all()
            if not rows:
                return []
            ids = [r.patrol_id for r in rows]
            crews: dict[str, list[CrewMember]] = {i: [] for i in ids}
            for m in conn.execute(
                sa.select(c.c.patrol_id, c.c.country, c.c.username)
                .where(c.c.patrol_id.in_(ids))
                .order_by(c.c.id)
            ):
                crews[m.patrol_id].append(CrewMember(Country(m.country), m.username))
        return [
            Patrol(
                patrol_id=r.patrol_id,
                origin_country=Country(r.origin_country),
                status=PatrolStatus(r.status),
                crew=tuple(crews[r.patrol_id]),
                created_by=r.created_by,
                created_at=_utc(r.created_at) or datetime.now(UTC),
                vehicle=r.vehicle,
                area=r.area,
                planned_start=_utc(r.planned_start),
                planned_end=_utc(r.planned_end),
                started_at=_utc(r.started_at),
                ended_at=_utc(r.ended_at),
            )
            for r in rows
        ]
