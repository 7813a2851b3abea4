"""What the ANPR code of a running node shares: ``ctx.anpr``.

``AnprRuntime`` wires the parts lazily, so importing it costs nothing and a
node without ANPR traffic never builds an index:

- ``hotlists`` — own hotlists and partners' copies (``anpr.hotlists.HotlistService``);
- ``hits`` — hits: create, de-duplicate, route home (``anpr.hits.HitService``);
- ``reads`` — stored camera reads within the retention rules (``anpr.reads.ReadStore``);
- ``ingest`` — the pipeline read → normalise → match → store → hits
  (``anpr.ingest.IngestService``).

``start()`` runs the background consumers with the app (the in-process queue
worker, and with ``[anpr] queue = "nats"`` the JetStream durable consumer) and
registers retro-matching of new hotlist entries; ``stop()`` drains and ends them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

import structlog

from passerelle.anpr.ingest_metrics import AnprMetrics

if TYPE_CHECKING:
    from passerelle.anpr.hits import HitService
    from passerelle.anpr.hotlists import HotlistService
    from passerelle.anpr.ingest import IngestService
    from passerelle.anpr.ingest_queue import IngestQueue
    from passerelle.anpr.nats_consumer import NatsConsumer
    from passerelle.anpr.reads import ReadStore
    from passerelle.anpr.reads_cameras import CameraRegistry
    from passerelle.anpr.reads_retro import RetroMatcher
    from passerelle.node.context import NodeContext
    from passerelle.settings import AnprSettings

log = structlog.get_logger(__name__)
Clock = Callable[[], dt.datetime]


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class AnprRuntime:
    def __init__(self, ctx: NodeContext) -> None:
        self.ctx = ctx
        self.clock: Clock = utcnow
        self._hotlists: HotlistService | None = None
        self._hits: HitService | None = None
        self._reads: ReadStore | None = None
        self._ingest: IngestService | None = None
        self._queue: IngestQueue | None = None
        self._nats: NatsConsumer | None = None
        self._retro_registered = False
        self.retro: RetroMatcher | None = None
        self.metrics = AnprMetrics()

    @property
    def settings(self) -> AnprSettings:
        return self.ctx.settings.anpr

    def set_clock(self, clock: Clock) -> None:
        """Use ``clock`` for clock-skew checks, lawful windows and retention (tests)."""
        self.clock = clock

    def now(self) -> dt.datetime:
        return self.clock()

    @property
    def hotlists(self) -> HotlistService:
        if self._hotlists is None:
            from passerelle.anpr.hotlists import HotlistService

            self._hotlists = HotlistService(self.ctx)
        return self._hotlists

    @property
    def hits(self) -> HitService:
        if self._hits is None:
            from passerelle.anpr.hits import HitService

            self._hits = HitService(self.ctx)
        return self._hits

    @property
    def reads(self) -> ReadStore:
        if self._reads is None:
            from passerelle.anpr.reads import ReadStore

            self._reads = ReadStore(self.ctx.engine, self.ctx.settings.country)
        return self._reads

    @property
    def cameras(self) -> CameraRegistry:
        """The camera registry (reads from unknown cameras are quarantined)."""
        return self.reads.cameras

    @property
    def ingest(self) -> IngestService:
        if self._ingest is None:
            from passerelle.anpr.ingest import IngestService

            self._ingest = IngestService(self.ctx, self)
        return self._ingest

    @property
    def queue(self) -> IngestQueue:
        """The in-process queue (embedded default): ``put`` batches, a worker ingests them."""
        if self._queue is None:
            from passerelle.anpr.ingest_queue import IngestQueue

            self._queue = IngestQueue(
                lambda batch, source: self.ingest.ingest_any(batch, source=source),
                maxsize=self.settings.queue_max_batches,
            )
        return self._queue

    def register_retro_matching(self) -> None:
        """Compare new hotlist entries against stored reads within the lawful window."""
        if self._retro_registered:
            return
        from passerelle.anpr.reads_retro import RetroMatcher

        self.retro = RetroMatcher(self.ctx, self)
        self.hotlists.on_new_entries(self.retro.on_new_entries)
        self._retro_registered = True

    async def start(self) -> None:
        """Start the queue worker and (``queue = "nats"``) the JetStream consumer."""
        if not self.settings.enabled:
            return
        try:
            self.register_retro_matching()
        except ImportError:  # hotlists not installed on this node
            log.warning("anpr_retro_matching_unavailable")
        self.queue.start()
        if self.settings.queue == "nats":
            from passerelle.anpr.nats_consumer import NatsConsumer

            self._nats = NatsConsumer(self.ctx.settings, self.queue)
            await self._nats.start()

    async def stop(self) -> None:
        if self._nats is not None:
            await self._nats.stop()
            self._nats = None
        if self._queue is not None:
            await self._queue.stop()
        if self.retro is not None:
            self.retro.drain(timeout=30)
