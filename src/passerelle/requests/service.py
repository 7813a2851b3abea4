"""The follow-up request service of a node: both ends, and the delivery loop.

``ctx.follow_ups`` is a ``FollowUpService``: ``.requester`` sends requests and
receives answers, ``.provider`` queues, grants, refuses and delivers.
``start_delivery`` (with the node) runs ``deliver_once`` in a ``RetryLoop``: it
retries undelivered answers and pulls answers that were missed, every
``[requests] answer_retry_s`` seconds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import structlog

from passerelle.node.retry_loop import RetryLoop
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


def start_delivery(ctx: NodeContext) -> RetryLoop | None:
    """Start the follow-up delivery loop (``None`` when ``background_delivery`` is off)."""
    if not ctx.settings.requests.background_delivery:
        return None
    service = ctx.follow_ups
    loop = RetryLoop(
        "follow-up-delivery", service.deliver_once, service.deps.settings.answer_retry_s
    )
    loop.start()
    return loop
