"""The retention job inside a running node: one background task, single-flight.

Started by the app lifespan when ``[retention] schedule = true`` (the default).
The first run comes one interval after start, then one every
``interval_minutes``. A run executes in a worker thread so the API keeps
answering; a turn that finds a run still under way is skipped. Failures are
logged (code only) and the next turn tries again.
"""

from __future__ import annotations

import asyncio
import contextlib

import structlog

from passerelle.exc import PasserelleError
from passerelle.node.context import NodeContext
from passerelle.retention.engine import RetentionReport
from passerelle.retention.service import RetentionBusy, RetentionService

log = structlog.get_logger("passerelle.retention")


class RetentionScheduler:
    def __init__(self, service: RetentionService, interval_s: float) -> None:
        self.service = service
        self.interval_s = interval_s
        self.runs = 0
        self.skipped = 0
        self.failures = 0
        self._task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()

    async def tick(self) -> RetentionReport | None:
        """One turn: run the job in a thread; ``None`` when skipped or failed."""
        try:
            report = await asyncio.to_thread(self.service.run, trigger="scheduler")
        except RetentionBusy:
            self.skipped += 1
            log.info("retention_skipped", reason="a run is under way")
            return None
        except PasserelleError as e:
            self.failures += 1
            log.warning("retention_failed", code=e.code)
            return None
        except Exception as e:  # keep the node up; the next turn retries
            self.failures += 1
            log.error("retention_failed", error=type(e).__name__)
            return None
        self.runs += 1
        log.info("retention_run", run_id=report.run_id, rules=report.applied, deleted=report.total)
        return report

    async def _loop(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self.interval_s)
            self._wake.clear()
            await self.tick()

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._loop(), name="retention")

    def wake(self) -> None:
        """Run now instead of waiting for the rest of the interval."""
        self._wake.set()

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None


def start_retention(app: object, ctx: NodeContext) -> RetentionScheduler | None:
    """Start the node's retention task (``None`` when ``[retention] schedule = false``)."""
    cfg = ctx.settings.retention
    if not cfg.schedule:
        return None
    scheduler = RetentionScheduler(ctx.retention, cfg.interval_minutes * 60.0)
    state = getattr(app, "state", None)
    if state is not None:
        state.retention_scheduler = scheduler
    scheduler.start()
    return scheduler
