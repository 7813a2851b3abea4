"""The follow-up request service of a node: both ends, and the delivery loop.

``ctx.follow_ups`` is a ``FollowUpService``: ``.requester`` sends requests and
receives answers, ``.provider`` queues, grants, refuses and delivers.
``run_delivery`` (started with the node) retries undelivered answers and pulls
answers that were missed, every ``[requests] answer_retry_s`` seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING

import structlog

from passerelle.requests.deps import RequestDeps
from passerelle.requests.provider import Provider
from passerelle.requests.records import RegisterRecords
from passerelle.requests.references import Clock
from passerelle.requests.requester import Requester
from passerelle.requests.store import FollowUpStore

if TYPE_CHECKING:
    from passerelle.node.context import NodeContext

log = structlog.get_logger(__name__)


class FollowUpService:
    def __init__(self, deps: RequestDeps) -> None:
        self.deps = deps
        self.requester = Requester(deps)
        self.provider = Provider(deps)

    @classmethod
    def for_node(cls, ctx: NodeContext) -> FollowUpService:
        return cls(
            RequestDeps(
                country=ctx.settings.country,
                settings=ctx.settings.requests,
                store=FollowUpStore(ctx.engine),
                references=ctx.references,
                records=RegisterRecords(ctx.engine),
                audit=ctx.audit,
                trust=ctx.trust,
                client=lambda: ctx.client,
                timeout_s=ctx.settings.federation.partner_timeout_s,
                clock=ctx.references.clock,
            )
        )

    def set_clock(self, clock: Clock) -> None:
        """Use ``clock`` for deadlines, retries and reference expiry (tests, simulations)."""
        self.deps.clock = clock
        self.deps.references.clock = clock

    async def deliver_once(self) -> tuple[int, int]:
        """One round: (answers pushed, answers pulled)."""
        pushed = await self.provider.deliver_due()
        pulled = await self.requester.pull_due()
        return pushed, pulled

    async def run_delivery(self, stop: asyncio.Event) -> None:
        """Deliver and pull until ``stop`` is set (a periodic job, not a wait in a test)."""
        interval = self.deps.settings.answer_retry_s
        while not stop.is_set():
            try:
                await self.deliver_once()
            except Exception as e:  # one bad round must not end the loop; no details:
                # a database error's text may carry record values
                log.error("follow_up_delivery_round_failed", error=type(e).__name__)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=interval)


class DeliveryTask:
    """The delivery loop as a background task of the running node."""

    def __init__(self, service: FollowUpService) -> None:
        self.service = service
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(
                self.service.run_delivery(self._stop), name="follow-up-delivery"
            )

    async def stop(self) -> None:
        if self._task is not None:
            self._stop.set()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None


def start_delivery(ctx: NodeContext) -> DeliveryTask | None:
    """Start the follow-up delivery loop (``None`` when ``background_delivery`` is off)."""
    if not ctx.settings.requests.background_delivery:
        return None
    task = DeliveryTask(ctx.follow_ups)
    task.start()
    return task
