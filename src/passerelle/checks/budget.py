"""A check's time budget, from the moment its request arrived, and the node's admission gate.

The budget (``checks.time_budget_s``) starts when the HTTP request reaches the
node (``RequestContext`` stamps ``request.state.received_at``), so queueing for
the event loop, token checks and the final audit write all count. A node runs
at most ``checks.max_in_flight`` checks at once; a check that cannot get a slot
while enough of its budget is left gets ``503 checks_busy`` at once instead of
an answer that comes late for everybody.
"""

from __future__ import annotations

import asyncio
import time
import weakref
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from passerelle.exc import PasserelleError

# Kept back from the partners' share of the budget: the consultation audit write and the answer.
FINISH_S = 0.1
# A check admitted with less than this left could not search anything useful.
MIN_WORK_S = 0.25
# Wire field of a federated check: the requester's remaining budget, in ms, when it was sent.
DEADLINE_FIELD = "deadline_ms"

# Audit writes are serialised by the log's own lock: one thread of their own, so they never
# queue behind searches in asyncio's default pool (and searches never wait behind them).
AUDIT_EXECUTOR = ThreadPoolExecutor(max_workers=1, thread_name_prefix="audit")


class ChecksBusy(PasserelleError):
    """The node cannot start the check in time; the officer may retry."""

    status = 503
    code = "checks_busy"


@dataclass(frozen=True)
class Deadline:
    """``at`` is a ``time.perf_counter()`` instant."""

    at: float

    @classmethod
    def after(cls, seconds: float, started: float | None = None) -> Deadline:
        return cls((time.perf_counter() if started is None else started) + seconds)

    def remaining(self) -> float:
        return self.at - time.perf_counter()


class CheckGate:
    """At most ``limit`` checks in flight on a node (one semaphore per event loop), and at
    most ``limit`` more waiting for a slot: beyond that ``ChecksBusy`` comes at once."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.waiting = 0
        self._sems: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
            weakref.WeakKeyDictionary()
        )

    def _sem(self) -> asyncio.Semaphore:
        loop = asyncio.get_running_loop()
        sem = self._sems.get(loop)
        if sem is None:
            sem = self._sems[loop] = asyncio.Semaphore(self.limit)
        return sem

    async def enter(self, deadline: Deadline) -> asyncio.Semaphore:
        """A slot, or ``ChecksBusy`` when none frees up while enough budget is left."""
        sem = self._sem()
        wait = deadline.remaining() - MIN_WORK_S
        if wait <= 0:
            raise ChecksBusy("no time left to run the check", code="checks_busy")
        if sem.locked() and self.waiting >= self.limit:
            raise ChecksBusy("too many checks waiting", code="checks_busy")
        self.waiting += 1
        try:
            await asyncio.wait_for(sem.acquire(), wait)
        except TimeoutError:
            raise ChecksBusy("too many checks in progress", code="checks_busy") from None
        finally:
            self.waiting -= 1
        return sem


_GATES: dict[int, tuple[Any, CheckGate]] = {}


def gate_for(owner: Any, limit: int) -> CheckGate:
    """The gate of one node (``owner``: its context), created on first use."""
    entry = _GATES.get(id(owner))
    if entry is None or entry[0]() is not owner or entry[1].limit != limit:
        gate = CheckGate(limit)
        _GATES[id(owner)] = (weakref.ref(owner), gate)
        return gate
    return entry[1]
