"""The NATS JetStream consumer of camera reads (``[anpr] queue = "nats"``).

Cameras (or the national ANPR platform) publish reads to
``<prefix>.<cc>.anpr.reads`` — one JSON read, a JSON array, or
``{"reads": [...]}`` per message — on the stream ``ANPR_READS`` (created when
missing, with work-queue retention: JetStream deletes a message once it is
acknowledged, so reads do not outlive their retention period in the broker;
a stream created by the operator keeps its own settings). The node pulls them
with the durable consumer ``passerelle-<cc>-ingest``: at-least-once, a pull of up
to ``nats_batch`` messages is ingested as one batch and acknowledged only after
it is committed.
A node killed in between gets the messages again; reads are idempotent by
``read_id`` and hits by (read, entry), so nothing is lost or doubled. A message
that is not JSON is kept in the quarantine (``malformed``, under
``nats-<stream sequence>``) and acknowledged. If the ingest fails, the messages
are not acknowledged and come back after a pause. ``stop()`` lets a batch in
flight finish and be acknowledged (up to ``nats_ack_wait_s``) before it ends the
consumer, so a graceful shutdown does not leave committed reads unacknowledged.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import structlog

from passerelle.anpr.ingest_models import MALFORMED, Quarantined

if TYPE_CHECKING:
    from nats.aio.client import Client
    from nats.aio.msg import Msg

    from passerelle.anpr.ingest_queue import IngestQueue
    from passerelle.settings import NodeSettings

log = structlog.get_logger(__name__)
RETRY_S = 2.0
TOPUP_S = 0.01  # how long a pull for more messages may wait when none are there


def subject_for(settings: NodeSettings) -> str:
    return f"{settings.anpr.nats_subject_prefix}.{settings.country.value.lower()}.anpr.reads"


def durable_for(settings: NodeSettings) -> str:
    return f"passerelle-{settings.country.value.lower()}-ingest"


def message_items(msg: Msg) -> list[Any]:
    """The reads a message carries (a quarantine item when it is not JSON)."""
    try:
        body = json.loads(msg.data)
    except (ValueError, UnicodeDecodeError):
        seq = msg.metadata.sequence.stream if msg.reply else 0
        text = msg.data[:2000].decode("utf-8", "replace")
        return [Quarantined(f"nats-{seq}", MALFORMED, None, {"raw": text})]
    if isinstance(body, dict) and isinstance(body.get("reads"), list):
        return list(body["reads"])
    return list(body) if isinstance(body, list) else [body]


class NatsConsumer:
    def __init__(self, settings: NodeSettings, queue: IngestQueue) -> None:
        self.settings = settings
        self.cfg = settings.anpr
        self.queue = queue
        self.subject = subject_for(settings)
        self.durable = durable_for(settings)
        self._nc: Client | None = None
        self._task: asyncio.Task[None] | None = None
        self._stop = asyncio.Event()
        self.connected = asyncio.Event()
        self._idle = asyncio.Event()  # clear while a batch is ingested and acknowledged
        self._idle.set()
        self.batches = 0

    async def start(self) -> None:
        self._stop.clear()
        self._task = asyncio.get_running_loop().create_task(self._run(), name="anpr-nats")

    async def stop(self) -> None:
        self._stop.set()
        if self._task is not None:
            if not self._idle.is_set():  # let the batch in flight commit and be acked
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._idle.wait(), self.cfg.nats_ack_wait_s)
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
            self._task = None
        if self._nc is not None:
            with contextlib.suppress(Exception):
                await self._nc.close()
            self._nc = None

    async def _run(self) -> None:
        while not self._stop.is_set():
            try:
                await self._consume()
            except asyncio.CancelledError:
                raise
            except Exception as e:  # server down, stream deleted...: try again
                log.warning("anpr_nats_consumer_error", error=type(e).__name__)
                self.connected.clear()
                if self._nc is not None:
                    with contextlib.suppress(Exception):
                        await self._nc.close()
                    self._nc = None
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stop.wait(), RETRY_S)

    async def _consume(self) -> None:
        import nats
        from nats.errors import TimeoutError as NatsTimeout
        from nats.js.api import AckPolicy, ConsumerConfig, RetentionPolicy, StreamConfig
        from nats.js.errors import NotFoundError

        self._nc = await nats.connect(
            self.cfg.nats_url, connect_timeout=2, max_reconnect_attempts=-1, name=self.durable
        )
        js = self._nc.jetstream()
        try:
            await js.stream_info(self.cfg.nats_stream)
        except NotFoundError:
            await js.add_stream(
                StreamConfig(
                    name=self.cfg.nats_stream,
                    subjects=[self.subject],
                    retention=RetentionPolicy.WORK_QUEUE,  # acked reads leave the broker
                )
            )
        config = ConsumerConfig(
            durable_name=self.durable,
            ack_policy=AckPolicy.EXPLICIT,
            ack_wait=self.cfg.nats_ack_wait_s,
            max_ack_pending=max(self.cfg.nats_batch * 4, 1000),
        )
        sub = await js.pull_subscribe(
            self.subject, durable=self.durable, stream=self.cfg.nats_stream, config=config
        )
        self.connected.set()
        log.info("anpr_nats_consumer_started", stream=self.cfg.nats_stream)
        while not self._stop.is_set():
            # Wait for one message, then take what else is there without waiting: a pull
            # of ``nats_batch`` messages would linger until the batch is full or the
            # timeout passes, holding back the first read (and its hit) when traffic is low.
            try:
                msgs = await sub.fetch(batch=1, timeout=1.0)
            except (NatsTimeout, TimeoutError):
                continue
            self._idle.clear()  # from here on, stop() waits for this batch
            try:
                if self.cfg.nats_batch > 1:
                    with contextlib.suppress(NatsTimeout, TimeoutError):
                        msgs += await sub.fetch(batch=self.cfg.nats_batch - 1, timeout=TOPUP_S)
                await self._handle(msgs)
            finally:
                self._idle.set()

    async def _handle(self, msgs: Sequence[Msg]) -> None:
        items: list[Any] = []
        for msg in msgs:
            items.extend(message_items(msg))
        try:
            await self.queue.submit(items, "nats")
        except Exception as e:
            log.error("anpr_nats_batch_failed", error=type(e).__name__, messages=len(msgs))
            for msg in msgs:
                with contextlib.suppress(Exception):
                    await msg.nak(delay=RETRY_S)
            return
        for msg in msgs:
            await msg.ack()
        self.batches += 1
