"""What the patrol code of a running node shares: store, copies outbox, clock, retry loop.

``ctx.patrols`` is a ``PatrolRuntime``. Its clock decides when a patrol
expires (``[patrols] max_active_hours``) and when a copy is due again; tests
set it with ``set_clock``. ``start_background`` runs the copies' retry loop
with the node; ``PatrolCopies.deliver()`` is one round of it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

from passerelle.node.retry_loop import RetryLoop
from passerelle.ops.copies import PatrolCopies
from passerelle.ops.patrols import Patrol
from passerelle.ops.store import PatrolStore

if TYPE_CHECKING:
    from passerelle.node.context import NodeContext

Clock = Callable[[], dt.datetime]


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class PatrolRuntime:
    def __init__(self, ctx: NodeContext) -> None:
        self.settings = ctx.settings.patrols
        self.store = PatrolStore(ctx.engine)
        self.clock: Clock = utcnow
        self.copies = PatrolCopies(
            ctx.engine,
            self.store,
            trust=ctx.trust,
            client=lambda: ctx.client,
            timeout_s=ctx.settings.federation.partner_timeout_s,
            retry_s=self.settings.sync_retry_s,
            clock=lambda: self.clock(),
        )
        self.loop: RetryLoop | None = None

    def set_clock(self, clock: Clock) -> None:
        """Use ``clock`` for expiry and retries (tests, simulations)."""
        self.clock = clock

    def now(self) -> dt.datetime:
        return self.clock()

    @property
    def max_active(self) -> dt.timedelta:
        return dt.timedelta(hours=self.settings.max_active_hours)

    def is_over(self, patrol: Patrol) -> bool:
        """Ended, or past its planned end / the maximum shift length."""
        return patrol.is_over(self.now(), self.max_active)

    def start_background(self) -> RetryLoop | None:
        """Start the retry loop of undelivered copies (``None`` when ``background_sync`` is off)."""
        if not self.settings.background_sync:
            return None
        self.loop = RetryLoop("patrol-copies", self.copies.deliver, self.settings.sync_retry_s)
        self.copies.wake = self.loop.wake
        self.loop.start()
        return self.loop

    async def stop_background(self) -> None:
        if self.loop is not None:
            await self.loop.stop()
            self.copies.wake = lambda: None
            self.loop = None
