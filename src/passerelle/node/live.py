"""Live events of a node: an in-process hub and its server-sent-events stream.

Something that a control room must see at once (an ANPR hit, a partner's
notification, a patrol starting) is published on a *topic*; every page or API
client subscribed to that topic receives it over server-sent events
(``text/event-stream``: ``id``, ``event: <topic>``, ``data: <json>``).

The hub is per process: publishing is thread-safe (worker threads hand the
event to the event loop), each event gets a node-wide increasing id, and the
last ``keep`` events per topic are held so that a client reconnecting with
``Last-Event-ID`` is sent what it missed. A subscriber that cannot keep up
loses its oldest queued events (the page reloads its lists on ``resync``), and
never slows the publisher down.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import itertools
import json
import threading
from collections import deque
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import StreamingResponse

HEARTBEAT_S = 15.0
QUEUE_SIZE = 1000


@dataclass(frozen=True)
class LiveEvent:
    id: int
    topic: str
    data: dict[str, Any]
    at: dt.datetime

    def sse(self) -> str:
        """The event in the wire format of server-sent events."""
        body = json.dumps({**self.data, "_at": self.at.isoformat()}, separators=(",", ":"))
        return f"id: {self.id}\nevent: {self.topic}\ndata: {body}\n\n"


@dataclass(eq=False)  # hashed by identity: kept in a set
class _Subscriber:
    topics: frozenset[str]
    loop: asyncio.AbstractEventLoop
    queue: asyncio.Queue[LiveEvent | None] = field(
        default_factory=lambda: asyncio.Queue(QUEUE_SIZE)
    )
    overflowed: bool = False


class LiveHub:
    """Publish/subscribe of live events inside one node process."""

    def __init__(self, keep: int = 200) -> None:
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._recent: dict[str, deque[LiveEvent]] = {}
        self._keep = keep
        self._subscribers: set[_Subscriber] = set()

    def publish(self, topic: str, data: dict[str, Any]) -> LiveEvent:
        """Send ``data`` to every subscriber of ``topic``; safe from any thread."""
        with self._lock:
            event = LiveEvent(next(self._ids), topic, data, dt.datetime.now(dt.UTC))
            self._recent.setdefault(topic, deque(maxlen=self._keep)).append(event)
            targets = [s for s in self._subscribers if topic in s.topics]
        for sub in targets:
            try:
                running = asyncio.get_running_loop()
            except RuntimeError:
                running = None
            if running is sub.loop:
                _offer(sub, event)
            elif not sub.loop.is_closed():
                sub.loop.call_soon_threadsafe(_offer, sub, event)
        return event

    def recent(self, topics: Iterable[str], after: int = 0) -> list[LiveEvent]:
        """Events still held for ``topics`` with an id above ``after``, oldest first."""
        with self._lock:
            events = [e for t in topics for e in self._recent.get(t, ()) if e.id > after]
        return sorted(events, key=lambda e: e.id)

    def subscribe(self, topics: Iterable[str], *, after: int | None = None) -> Subscription:
        """Events of ``topics`` from now on (first those held after ``after``, if given).

        The subscription is registered at once, before the first event is awaited:
        nothing published after this call is missed.
        """
        return Subscription(self, frozenset(topics), after)

    def _add(self, sub: _Subscriber) -> None:
        with self._lock:
            self._subscribers.add(sub)

    def _discard(self, sub: _Subscriber) -> None:
        with self._lock:
            self._subscribers.discard(sub)

    @property
    def subscriber_count(self) -> int:
        with self._lock:
            return len(self._subscribers)

    def close(self) -> None:
        """End every subscription (the node is stopping)."""
        with self._lock:
            subs = list(self._subscribers)
        for sub in subs:
            if not sub.loop.is_closed():
                sub.loop.call_soon_threadsafe(_offer, sub, None)


class Subscription:
    """One subscriber's events, as an async iterator (``aclose()`` ends it)."""

    def __init__(self, hub: LiveHub, topics: frozenset[str], after: int | None) -> None:
        self._hub = hub
        self._sub = _Subscriber(topics, asyncio.get_running_loop())
        hub._add(self._sub)  # first register, then read what is held: no gap
        self._held = deque(hub.recent(topics, after) if after is not None else [])
        self._last = 0

    def __aiter__(self) -> Subscription:
        return self

    async def __anext__(self) -> LiveEvent:
        if self._held:
            event = self._held.popleft()
            self._last = event.id
            return event
        while True:
            queued = await self._sub.queue.get()
            if queued is None:
                self.close()
                raise StopAsyncIteration
            if queued.id > self._last:  # held and queued overlap by at most a few
                self._last = queued.id
                return queued

    def close(self) -> None:
        self._hub._discard(self._sub)

    async def aclose(self) -> None:
        self.close()


def _offer(sub: _Subscriber, event: LiveEvent | None) -> None:
    if sub.queue.full():  # a slow client loses its oldest events, never the newest
        sub.queue.get_nowait()
        sub.overflowed = True
    sub.queue.put_nowait(event)


def _last_event_id(request: Request) -> int | None:
    raw = request.headers.get("last-event-id") or request.query_params.get("last_event_id")
    try:
        return int(raw) if raw else None
    except ValueError:
        return None


def sse_response(
    request: Request,
    hub: LiveHub,
    topics: list[str],
    *,
    replay: int = 0,
    heartbeat_s: float = HEARTBEAT_S,
) -> StreamingResponse:
    """A ``text/event-stream`` of ``topics`` for one client, until it disconnects.

    A reconnecting client (``Last-Event-ID``) gets the events it missed that
    the hub still holds; a new one gets the last ``replay`` events.
    """
    after = _last_event_id(request)
    if after is None and replay > 0:
        held = hub.recent(topics)
        after = held[-replay].id - 1 if len(held) >= replay else 0

    async def stream() -> AsyncIterator[str]:
        events = hub.subscribe(topics, after=after)
        yield f"retry: 3000\n: connected {','.join(topics)}\n\n"
        pending: asyncio.Task[LiveEvent] | None = None
        try:
            while True:
                if pending is None:
                    pending = asyncio.ensure_future(events.__anext__())
                done, _ = await asyncio.wait({pending}, timeout=heartbeat_s)
                if not done:
                    if await request.is_disconnected():
                        return
                    yield ": heartbeat\n\n"
                    continue
                try:
                    event = pending.result()
                except StopAsyncIteration:
                    return
                pending = None
                yield event.sse()
        finally:
            if pending is not None:
                pending.cancel()
                with contextlib.suppress(asyncio.CancelledError, StopAsyncIteration):
                    await pending
            await events.aclose()

    return StreamingResponse(
        stream(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
