"""The in-process ingest queue (the embedded default, ``[anpr] queue = "memory"``).

Producers in the node (the HTTP endpoint, ``passerelle anpr simulate``, tests)
``submit`` a batch and get the ``IngestResult`` once it is committed, or
``put_nowait`` it and go on; a thread outside the node's event loop uses
``submit_sync``. One worker task takes batches in order and runs
the (synchronous, database-bound) pipeline in a worker thread, so SQLite has a
single writer and the event loop stays free. A full queue makes ``submit``
wait: back-pressure instead of unbounded memory.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Sequence
from typing import Any

import structlog

from passerelle.anpr.ingest_models import IngestResult, Quarantined, RawRead

log = structlog.get_logger(__name__)
Batch = Sequence[RawRead | Quarantined | Any]  # parsed reads, or JSON items (HTTP, NATS)
Ingest = Callable[[Batch, str], IngestResult]
_Item = tuple[Batch, str, "asyncio.Future[IngestResult] | None"]


class IngestQueue:
    def __init__(self, ingest: Ingest, *, maxsize: int = 256) -> None:
        self._ingest = ingest
        self.maxsize = maxsize
        self._queue: asyncio.Queue[_Item | None] | None = None
        self._task: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.failed_batches = 0

    def _q(self) -> asyncio.Queue[_Item | None]:
        if self._queue is None:
            self._queue = asyncio.Queue(self.maxsize)
        return self._queue

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def start(self) -> None:
        if not self.running:
            self._loop = asyncio.get_running_loop()
            self._task = self._loop.create_task(self._run(), name="anpr-ingest")

    async def submit(self, batch: Batch, source: str = "queue") -> IngestResult:
        """Queue ``batch`` and wait until it is committed (ingests inline when not started)."""
        if not self.running:
            return await asyncio.to_thread(self._ingest, batch, source)
        done: asyncio.Future[IngestResult] = asyncio.get_running_loop().create_future()
        await self._q().put((batch, source, done))
        return await done

    def submit_sync(
        self, batch: Batch, source: str = "queue", timeout: float = 300.0
    ) -> IngestResult:
        """``submit`` from a thread outside the worker's event loop (simulators, tests)."""
        loop = self._loop
        if not self.running or loop is None:
            return self._ingest(batch, source)
        future = asyncio.run_coroutine_threadsafe(self.submit(batch, source), loop)
        return future.result(timeout)

    def put_nowait(self, batch: Batch, source: str = "queue") -> None:
        """Queue ``batch`` without waiting for it (raises ``asyncio.QueueFull`` when full)."""
        self._q().put_nowait((batch, source, None))

    async def join(self) -> None:
        """Wait until everything queued so far is processed."""
        await self._q().join()

    async def _run(self) -> None:
        q = self._q()
        while True:
            item = await q.get()
            try:
                if item is None:
                    return
                batch, source, done = item
                try:
                    result = await asyncio.to_thread(self._ingest, batch, source)
                except Exception as e:
                    self.failed_batches += 1
                    log.error("anpr_ingest_batch_failed", error=type(e).__name__, reads=len(batch))
                    if done is not None and not done.done():
                        done.set_exception(e)
                else:
                    if done is not None and not done.done():
                        done.set_result(result)
            finally:
                q.task_done()

    async def stop(self) -> None:
        """Finish what is queued, then end the worker."""
        if self._task is None:
            return
        if not self._task.done():
            await self._q().put(None)
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self._task = None
        self._queue = None
        self._loop = None
