"""The patrol log in the node's database (SQLite or PostgreSQL); synchronous."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from passerelle.ops.patrol_log import Incident, LogEntry, Position
from passerelle.storage.tables_patrol_log import (
    patrol_log_entries as e,
)
from passerelle.storage.tables_patrol_log import (
    patrol_positions as p,
)
from passerelle.storage.tables_patrol_log import (
    patrol_tracking as tr,
)

MAX_ROWS = 500


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


class PatrolLogStore:
    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    # --- writing -------------------------------------------------------------------------
    def add_check(
        self,
        patrol_id: str,
        recorded_by: str,
        at: datetime,
        check_id: str,
        check_kind: str,
        outcome: str,
        sources: str,
    ) -> bool:
        """Record a check once (idempotent on ``check_id``); False if it was already there."""
        row = {
            "patrol_id": patrol_id,
            "entry_kind": "check",
            "at": at,
            "recorded_by": recorded_by,
            "check_id": check_id,
            "check_kind": check_kind,
            "outcome": outcome,
            "sources": sources,
        }
        with self.engine.begin() as conn:
            known = conn.execute(sa.select(e.c.id).where(e.c.check_id == check_id)).first()
            if known is not None:
                return False
            conn.execute(e.insert().values(**row))
        return True

    def add_incident(self, patrol_id: str, recorded_by: str, incident: Incident) -> int:
        pos = incident.position
        with self.engine.begin() as conn:
            result = conn.execute(
                e.insert().values(
                    patrol_id=patrol_id,
                    entry_kind="incident",
                    at=incident.at,
                    recorded_by=recorded_by,
                    category=incident.category.value,
                    text=incident.text,
                    lat=pos.lat if pos else None,
                    lon=pos.lon if pos else None,
                )
            )
            key = result.inserted_primary_key
            assert key is not None
            return int(key[0])

    def add_positions(self, patrol_id: str, recorded_by: str, positions: list[Position]) -> int:
        rows = [
            {"patrol_id": patrol_id, "at": x.at, "lat": x.lat, "lon": x.lon,
             "recorded_by": recorded_by}
            for x in positions
        ]  # fmt: skip
        if rows:
            with self.engine.begin() as conn:
                conn.execute(p.insert(), rows)
        return len(rows)

    def set_tracking(self, patrol_id: str, enabled: bool, by: str, at: datetime) -> None:
        with self.engine.begin() as conn:
            updated = conn.execute(
                tr.update()
                .where(tr.c.patrol_id == patrol_id)
                .values(enabled=enabled, changed_by=by, changed_at=at)
            ).rowcount
            if not updated:
                conn.execute(
                    tr.insert().values(
                        patrol_id=patrol_id, enabled=enabled, changed_by=by, changed_at=at
                    )
                )

    # --- reading -------------------------------------------------------------------------
    def tracking(self, patrol_id: str) -> bool:
        with self.engine.connect() as conn:
            value = conn.execute(
                sa.select(tr.c.enabled).where(tr.c.patrol_id == patrol_id)
            ).scalar_one_or_none()
        return bool(value)

    def entries(self, patrol_id: str, limit: int = MAX_ROWS) -> list[LogEntry]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(e)
                .where(e.c.patrol_id == patrol_id)
                .order_by(e.c.at.desc(), e.c.id.desc())
                .limit(limit)
            ).all()
        return [_entry(r._mapping) for r in rows]

    def positions(self, patrol_id: str, limit: int = MAX_ROWS) -> list[Position]:
        """The latest ``limit`` positions, oldest first."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(p.c.at, p.c.lat, p.c.lon)
                .where(p.c.patrol_id == patrol_id)
                .order_by(p.c.at.desc(), p.c.id.desc())
                .limit(limit)
            ).all()
        return [Position(_utc(r.at), r.lat, r.lon) for r in reversed(rows)]

    def counts(self, patrol_ids: list[str]) -> dict[str, dict[str, int]]:
        """``{patrol_id: {"check": n, "incident": m}}`` for the control room's list."""
        out: dict[str, dict[str, int]] = {i: {"check": 0, "incident": 0} for i in patrol_ids}
        if not patrol_ids:
            return out
        with self.engine.connect() as conn:
            for r in conn.execute(
                sa.select(e.c.patrol_id, e.c.entry_kind, sa.func.count())
                .where(e.c.patrol_id.in_(patrol_ids))
                .group_by(e.c.patrol_id, e.c.entry_kind)
            ):
                out[r[0]][r[1]] = int(r[2])
        return out


def _entry(r: Any) -> LogEntry:
    return LogEntry(
        id=int(r["id"]),
        patrol_id=r["patrol_id"],
        kind=r["entry_kind"],
        at=_utc(r["at"]),
        recorded_by=r["recorded_by"],
        check_id=r["check_id"],
        check_kind=r["check_kind"],
        outcome=r["outcome"],
        sources=r["sources"],
        category=r["category"],
        text=r["text"],
        lat=r["lat"],
        lon=r["lon"],
    )
