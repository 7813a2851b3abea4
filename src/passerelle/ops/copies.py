"""The origin node's outbox of patrol copies: every change reaches every crew node.

A change to a patrol is saved, then marked *pending* for each partner country
of its crew (table ``patrol_copies``, in the same database as the patrol), and
only then pushed. A copy is *registered* once the partner acknowledged the
newest version; until then it stays pending — with the time of the oldest
undelivered change — and is retried with back-off by the node's background
loop (``RetryLoop``) and after every later change. Nothing is ever dropped: an
``ended`` patrol that did not reach a partner is sent again until it does.

Each push sends the patrol as it is *now* (a newer version supersedes an older
one), and a delivery counts only for the version it started with, so a change
made while a push is under way is pushed again.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import anyio
import sqlalchemy as sa
import structlog

from passerelle.domain.countries import Country
from passerelle.node.retry_loop import backoff
from passerelle.ops.patrols import Patrol
from passerelle.ops.store import PatrolStore
from passerelle.storage.tables import patrol_copies as t

if TYPE_CHECKING:
    from passerelle.federation.client import PartnerClient
    from passerelle.federation.trust import TrustStore

log = structlog.get_logger(__name__)
PATROLS_PATH = "/federation/v1/patrols"
# A patrol change is rare and its copies must land: wait longer than for a check.
PATROL_SYNC_TIMEOUT_S = 5.0
MAX_DUE = 200


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


@dataclass(frozen=True)
class CopyState:
    """How one partner node holds its copy of a patrol."""

    partner: Country
    state: Literal["registered", "pending"]
    since: dt.datetime | None  # pending: oldest undelivered change; registered: when
    attempts: int = 0
    last_error: str | None = None

    def text(self) -> str:
        """``registered``, or ``pending since <ISO time>[: <last failure>]`` (the API's sync)."""
        if self.state == "registered":
            return "registered"
        since = self.since.isoformat() if self.since else "?"
        return f"pending since {since}" + (f": {self.last_error}" if self.last_error else "")

    def to_dict(self) -> dict[str, Any]:
        return {
            "state": self.state,
            "since": self.since.isoformat() if self.since else None,
            "attempts": self.attempts,
            "last_error": self.last_error,
        }


class PatrolCopies:
    """Outbox rows (SQL, synchronous) and their delivery (async, database off the loop)."""

    def __init__(
        self,
        engine: sa.Engine,
        store: PatrolStore,
        *,
        trust: TrustStore,
        client: Callable[[], PartnerClient],
        timeout_s: float,
        retry_s: float,
        clock: Callable[[], dt.datetime],
    ) -> None:
        self.engine = engine
        self.store = store
        self.trust = trust
        self.client = client
        self.timeout_s = max(timeout_s, PATROL_SYNC_TIMEOUT_S)
        self.retry_s = retry_s
        self.clock = clock
        self.wake: Callable[[], None] = lambda: None  # set by the background loop
        self._locks: dict[tuple[str, Country], asyncio.Lock] = {}

    # --- outbox rows (call from a worker thread) ----------------------------------------
    def mark_pending(self, conn: sa.Connection, patrol_id: str, partners: list[Country]) -> None:
        """In the change's transaction: a new version is due for each partner, now."""
        now = self.clock()
        for partner in partners:
            updated = conn.execute(
                t.update()
                .where(t.c.patrol_id == patrol_id, t.c.partner == partner.value)
                .values(
                    version=t.c.version + 1,
                    pending_since=sa.func.coalesce(t.c.pending_since, now),
                    next_attempt_at=now,
                )
            ).rowcount
            if not updated:
                conn.execute(
                    t.insert().values(
                        patrol_id=patrol_id,
                        partner=partner.value,
                        version=1,
                        delivered_version=0,
                        pending_since=now,
                        attempts=0,
                        next_attempt_at=now,
                    )
                )

    def states(self, patrol_id: str) -> dict[str, CopyState]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(t).where(t.c.patrol_id == patrol_id).order_by(t.c.partner)
            ).all()
        return {r.partner: self._state(r) for r in rows}

    def states_of(self, patrol_ids: list[str]) -> dict[str, dict[str, CopyState]]:
        out: dict[str, dict[str, CopyState]] = {i: {} for i in patrol_ids}
        if not patrol_ids:
            return out
        with self.engine.connect() as conn:
            for r in conn.execute(sa.select(t).where(t.c.patrol_id.in_(patrol_ids))):
                out[r.patrol_id][r.partner] = self._state(r)
        return out

    @staticmethod
    def _state(r: Any) -> CopyState:
        pending = r.delivered_version < r.version
        return CopyState(
            partner=Country(r.partner),
            state="pending" if pending else "registered",
            since=_utc(r.pending_since if pending else r.registered_at),
            attempts=int(r.attempts),
            last_error=r.last_error if pending else None,
        )

    def due(self, patrol_id: str | None = None) -> list[tuple[str, Country, int]]:
        """(patrol, partner, version) of every pending copy due for a push."""
        now = self.clock()
        query = sa.select(t.c.patrol_id, t.c.partner, t.c.version).where(
            t.c.delivered_version < t.c.version
        )
        if patrol_id is not None:
            query = query.where(t.c.patrol_id == patrol_id)
        else:
            query = query.where(sa.or_(t.c.next_attempt_at.is_(None), t.c.next_attempt_at <= now))
        with self.engine.connect() as conn:
            rows = conn.execute(query.order_by(t.c.pending_since).limit(MAX_DUE)).all()
        return [(r.patrol_id, Country(r.partner), int(r.version)) for r in rows]

    def _delivered(self, patrol_id: str, partner: Country, version: int) -> None:
        key = (t.c.patrol_id == patrol_id, t.c.partner == partner.value)
        with self.engine.begin() as conn:
            conn.execute(
                t.update()
                .where(*key, t.c.delivered_version < version)
                .values(delivered_version=version)
            )
            conn.execute(
                t.update()
                .where(*key)
                .values(registered_at=self.clock(), attempts=0, last_error=None)
            )
            # The newest version arrived: nothing is pending any more.
            conn.execute(
                t.update()
                .where(*key, t.c.delivered_version >= t.c.version)
                .values(pending_since=None, next_attempt_at=None)
            )

    def _failed(self, patrol_id: str, partner: Country, error: str) -> None:
        with self.engine.begin() as conn:
            row = conn.execute(
                sa.select(t.c.attempts).where(
                    t.c.patrol_id == patrol_id, t.c.partner == partner.value
                )
            ).first()
            attempts = (int(row.attempts) if row else 0) + 1
            conn.execute(
                t.update()
                .where(t.c.patrol_id == patrol_id, t.c.partner == partner.value)
                .values(
                    attempts=attempts,
                    last_error=error[:120],
                    next_attempt_at=self.clock() + backoff(attempts, self.retry_s),
                )
            )

    # --- delivery (async) ----------------------------------------------------------------
    async def push(self, patrol_id: str, partner: Country, version: int) -> bool:
        """Send the patrol as it is now; True when the partner registered it.

        One push at a time per copy: an older state can never overtake a newer one.
        """
        lock = self._locks.setdefault((patrol_id, partner), asyncio.Lock())  # few: kept
        async with lock:
            return await self._push(patrol_id, partner, version)

    async def _push(self, patrol_id: str, partner: Country, version: int) -> bool:
        patrol: Patrol | None = await anyio.to_thread.run_sync(self.store.get, patrol_id)
        entry = self.trust.get(partner)
        if patrol is None:
            return False
        if entry is None:
            error = "partner_unknown"
        else:
            r = await self.client().call(
                entry, PATROLS_PATH, {"patrol": patrol.to_wire()}, self.timeout_s
            )
            if r.status == "ok":
                await anyio.to_thread.run_sync(self._delivered, patrol_id, partner, version)
                return True
            error = f"{r.status}: {r.detail}" if r.detail else r.status
        log.warning("patrol_copy_failed", partner=partner.value, error=error[:60])
        await anyio.to_thread.run_sync(self._failed, patrol_id, partner, error)
        return False

    async def deliver(self, patrol_id: str | None = None) -> int:
        """Push every pending copy that is due (or, given a patrol, all of its pending copies)."""
        due = await anyio.to_thread.run_sync(self.due, patrol_id)
        if not due:
            return 0
        async with anyio.create_task_group() as tg:
            done: list[bool] = []

            async def one(pid: str, partner: Country, version: int) -> None:
                done.append(await self.push(pid, partner, version))

            for pid, partner, version in due:
                tg.start_soon(one, pid, partner, version)
        return sum(done)
