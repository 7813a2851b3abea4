"""The node's outbox: messages that must reach a partner node, never dropped.

A capability that must tell a partner something (an ANPR hit for the owner of
the hotlist entry, a pursuit entering the partner's territory, results of a
joint action) calls ``enqueue`` — in its own transaction when it passes one —
and goes on. The message is stored first (table ``outbox_messages``), then
pushed at once by the background loop over the signed federation API, and
pushed again with back-off until the partner answers ``ok``.

- **Idempotent**: one message per (partner, kind, key); enqueueing it again
  does nothing. The partner's endpoint must accept a message twice (a lost
  answer means it is sent again).
- **In order per partner**: messages to one partner go in the order they were
  enqueued; while the oldest is failing, the later ones wait behind it.
- **Never dropped**: no answer, a timeout or a 5xx is retried (pause
  ``[federation] outbox_retry_s``, doubling up to ``outbox_max_backoff_s``).
  A permanent refusal (400, 403, 409, 413, 422) marks the message
  ``rejected``: kept, shown to administrators, logged without content, and
  sent again only when someone calls ``requeue``.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import anyio
import sqlalchemy as sa
import structlog

from passerelle.domain.countries import Country
from passerelle.node.retry_loop import RetryLoop, backoff
from passerelle.storage.tables import outbox_messages as t

if TYPE_CHECKING:
    from passerelle.federation.client import PartnerClient, PartnerResult
    from passerelle.federation.trust import TrustStore

log = structlog.get_logger(__name__)
State = Literal["pending", "delivered", "rejected"]
PERMANENT_HTTP = frozenset({400, 403, 409, 413, 422})
MAX_ROUND = 500
EXPECT_S = 5.0  # how long to keep looking for a message whose transaction was committing
RELOOK_S = 0.01
Delivered = Callable[["OutboxItem", dict[str, Any]], None]


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


@dataclass(frozen=True)
class OutboxItem:
    id: int
    partner: Country
    kind: str
    key: str
    path: str
    state: State
    created_at: dt.datetime
    settled_at: dt.datetime | None
    attempts: int
    next_attempt_at: dt.datetime | None
    last_error: str | None
    payload: dict[str, Any]

    @property
    def delivered_at(self) -> dt.datetime | None:
        return self.settled_at if self.state == "delivered" else None

    @classmethod
    def from_row(cls, r: Any) -> OutboxItem:
        return cls(
            id=int(r.id),
            partner=Country(r.partner),
            kind=r.kind,
            key=r.key,
            path=r.path,
            state=r.state,
            created_at=_utc(r.created_at) or dt.datetime.now(dt.UTC),
            settled_at=_utc(r.settled_at),
            attempts=int(r.attempts),
            next_attempt_at=_utc(r.next_attempt_at),
            last_error=r.last_error,
            payload=json.loads(r.payload),
        )


class Outbox:
    """Stored messages to partners (SQL, synchronous) and their delivery (async)."""

    def __init__(
        self,
        engine: sa.Engine,
        *,
        trust: TrustStore,
        client: Callable[[], PartnerClient],
        timeout_s: float,
        retry_s: float,
        max_backoff_s: float,
        clock: Callable[[], dt.datetime] | None = None,
    ) -> None:
        self.engine = engine
        self.trust = trust
        self.client = client
        self.timeout_s = timeout_s
        self.retry_s = retry_s
        self.max_backoff_s = max_backoff_s
        self.clock = clock or (lambda: dt.datetime.now(dt.UTC))
        self._callbacks: dict[str, list[Delivered]] = {}
        self._round = asyncio.Lock()
        self._loop: RetryLoop | None = None
        self._event_loop: asyncio.AbstractEventLoop | None = None
        self._expected: dict[int, float] = {}  # committing messages -> look until (monotonic)
        self._expected_lock = threading.Lock()

    # --- storing (any thread) -------------------------------------------------------------
    def enqueue(
        self,
        partner: Country,
        path: str,
        payload: dict[str, Any],
        *,
        kind: str,
        key: str,
        conn: sa.Connection | None = None,
    ) -> int:
        """Store a message for ``partner`` (once per kind and key); returns its id."""
        if conn is None:
            with self.engine.begin() as own:
                return self.enqueue(partner, path, payload, kind=kind, key=key, conn=own)
        where = (t.c.partner == partner.value, t.c.kind == kind, t.c.key == key)
        existing = conn.execute(sa.select(t.c.id).where(*where)).scalar()
        if existing is not None:
            return int(existing)
        now = self.clock()
        body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False, default=str)
        new_id = conn.execute(
            t.insert().values(
                partner=partner.value,
                kind=kind,
                key=key,
                path=path,
                payload=body,
                state="pending",
                created_at=now,
                attempts=0,
                next_attempt_at=now,
            )
        ).inserted_primary_key
        message_id = int(new_id[0]) if new_id else 0
        if conn.in_transaction():  # push once the caller's transaction is committed
            sa.event.listen(conn, "commit", lambda _conn: self._committing(message_id), once=True)
        else:
            self.wake()
        return message_id

    def _committing(self, message_id: int) -> None:
        # SQLAlchemy's "commit" event fires just *before* the database commits: the round
        # woken now may not see the message yet, so it looks again shortly until it does.
        with self._expected_lock:
            self._expected[message_id] = time.monotonic() + EXPECT_S
        self.wake()

    def on_delivered(self, kind: str, callback: Delivered) -> None:
        """Call ``callback(item, answer)`` (in a worker thread) when a ``kind`` message lands."""
        self._callbacks.setdefault(kind, []).append(callback)

    def items(
        self,
        *,
        kind: str | None = None,
        key: str | None = None,
        partner: Country | None = None,
        state: State | None = None,
        limit: int = 1000,
    ) -> list[OutboxItem]:
        query = sa.select(t).order_by(t.c.id).limit(limit)
        for column, value in (("kind", kind), ("key", key), ("state", state)):
            if value is not None:
                query = query.where(t.c[column] == value)
        if partner is not None:
            query = query.where(t.c.partner == partner.value)
        with self.engine.connect() as conn:
            return [OutboxItem.from_row(r) for r in conn.execute(query)]

    def counts(self) -> dict[str, int]:
        """Messages per state (for /metrics and the administrators' page)."""
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(t.c.state, sa.func.count()).group_by(t.c.state))
            return {state: int(n) for state, n in rows}

    def requeue(self, ids: list[int]) -> int:
        """Send rejected messages again (after the cause was fixed at the partner)."""
        with self.engine.begin() as conn:
            n = conn.execute(
                t.update()
                .where(t.c.id.in_(ids), t.c.state == "rejected")
                .values(state="pending", next_attempt_at=self.clock(), settled_at=None)
            ).rowcount
        self.wake()
        return int(n)

    # --- delivery (async) -----------------------------------------------------------------
    async def deliver(self) -> int:
        """One round: push what is due, oldest first per partner; returns how many landed."""
        async with self._round:
            batches = await anyio.to_thread.run_sync(self._due)
            if self._expected and self._loop is not None:  # committed yet? look again soon
                asyncio.get_running_loop().call_later(RELOOK_S, self._loop.wake)
            if not batches:
                return 0
            counts: list[int] = []

            async def one_partner(items: list[OutboxItem]) -> None:
                counts.append(await self._push_in_order(items))

            async with anyio.create_task_group() as tg:
                for items in batches:
                    tg.start_soon(one_partner, items)
            return sum(counts)

    def _due(self) -> list[list[OutboxItem]]:
        now = self.clock()
        query = sa.select(t).where(t.c.state == "pending").order_by(t.c.id).limit(MAX_ROUND)
        with self._expected_lock:
            expected = list(self._expected)
        with self.engine.connect() as conn:
            # First which committing messages are visible, then the due ones: a message
            # seen here is also in the (later) query below, so it is never forgotten unsent.
            if expected:
                seen = set(conn.execute(sa.select(t.c.id).where(t.c.id.in_(expected))).scalars())
                self._forget(seen)
            items = [OutboxItem.from_row(r) for r in conn.execute(query)]
        per_partner: dict[Country, list[OutboxItem]] = {}
        for item in items:
            per_partner.setdefault(item.partner, []).append(item)
        # A partner whose oldest message is still waiting out its pause waits entirely.
        return [
            batch
            for batch in per_partner.values()
            if batch[0].next_attempt_at is None or batch[0].next_attempt_at <= now
        ]

    def _forget(self, seen: set[int]) -> None:
        now = time.monotonic()
        with self._expected_lock:
            for message_id, until in list(self._expected.items()):
                if message_id in seen or until < now:  # committed, or rolled back after all
                    del self._expected[message_id]

    async def _push_in_order(self, items: list[OutboxItem]) -> int:
        done = 0
        for item in items:
            outcome = await self._push(item)
            if outcome == "retry":
                break  # the later messages wait behind this one
            done += outcome == "delivered"
        return done

    async def _push(self, item: OutboxItem) -> Literal["delivered", "rejected", "retry"]:
        entry = self.trust.get(item.partner)
        if entry is None:
            await anyio.to_thread.run_sync(self._retry, item, "partner_unknown")
            return "retry"
        result: PartnerResult = await self.client().call(
            entry, item.path, item.payload, self.timeout_s
        )
        if result.status == "ok":
            await anyio.to_thread.run_sync(self._delivered, item, result.data or {})
            return "delivered"
        error = f"{result.status}: {result.detail}" if result.detail else result.status
        if result.status == "error" and result.http_status in PERMANENT_HTTP:
            log.warning("outbox_rejected", partner=item.partner.value, kind=item.kind, error=error)
            await anyio.to_thread.run_sync(self._settle, item, "rejected", error)
            return "rejected"
        await anyio.to_thread.run_sync(self._retry, item, error)
        return "retry"

    def _delivered(self, item: OutboxItem, answer: dict[str, Any]) -> None:
        self._settle(item, "delivered", None)
        for callback in self._callbacks.get(item.kind, []):
            try:
                callback(item, answer)
            except Exception as e:  # the message landed; a failing callback is logged only
                log.error("outbox_callback_failed", kind=item.kind, error=type(e).__name__)

    def _settle(self, item: OutboxItem, state: State, error: str | None) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                t.update()
                .where(t.c.id == item.id)
                .values(
                    state=state,
                    settled_at=self.clock(),
                    attempts=t.c.attempts + 1,
                    next_attempt_at=None,
                    last_error=error[:120] if error else None,
                )
            )

    def _retry(self, item: OutboxItem, error: str) -> None:
        pause = backoff(item.attempts + 1, self.retry_s, self.max_backoff_s)
        with self.engine.begin() as conn:
            conn.execute(
                t.update()
                .where(t.c.id == item.id)
                .values(
                    attempts=t.c.attempts + 1,
                    next_attempt_at=self.clock() + pause,
                    last_error=error[:120],
                )
            )

    # --- the background loop --------------------------------------------------------------
    def start_background(self) -> RetryLoop:
        """Run delivery rounds with the node (call from the event loop)."""
        if self._loop is None:
            self._event_loop = asyncio.get_running_loop()
            self._loop = RetryLoop("outbox", self.deliver, min(self.retry_s, 1.0))
            self._loop.start()
        return self._loop

    async def stop_background(self) -> None:
        if self._loop is not None:
            await self._loop.stop()
            self._loop = None
            self._event_loop = None

    def wake(self) -> None:
        """Start a round now (from any thread); nothing when the loop is not running."""
        loop, retry = self._event_loop, self._loop
        if loop is None or retry is None or loop.is_closed():
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            retry.wake()
        else:
            loop.call_soon_threadsafe(retry.wake)
