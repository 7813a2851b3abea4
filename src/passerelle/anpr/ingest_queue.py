"""The in-process ingest queue (the embedded default, ``[anpr] queue = "memory"``).

Producers in the node (the HTTP endpoint, ``passerelle anpr simulate``, tests)
``submit`` a batch and get the ``IngestResult`` once it is committed, or
``put_nowait`` it and go on; a thread outside the node's event loop uses
``submit_sync``. One worker task takes batches in order and runs
the (synchronous, database-bound) pipeline in a worker thread, so SQLite has a
single writer and the event loop stays free. A full queue makes ``submit``
wait: back-pressure instead of unbounded memory. ``taken``/``finished`` count
the batches the worker started and ended: retro-matching waits (``settle``) for
a batch matched against the index before a new entry came, so that the batch's
reads are stored when it looks for them.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
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
        self.taken = 0  # batches the worker has started (read from other threads)
        self.finished = 0  # ... and ended, committed or failed

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

    def settle(self, target: int, timeout: float = 60.0) -> bool:
        """Wait (in a thread other than the worker's loop) until ``target`` batches have
        ended, e.g. ``taken`` as it was when a hotlist entry arrived. False on timeout."""
        deadline = time.monotonic() + timeout
        while self.running and self.finished < target:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.01)
        return True

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
                self.taken += 1
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
                    self.finished += 1
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
