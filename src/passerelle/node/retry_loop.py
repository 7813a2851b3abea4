"""A background retry loop of a running node (an outbox's delivery side).

Something that must reach a partner node (a follow-up answer, a patrol copy)
is first written to the database, marked undelivered, then pushed; the loop
runs ``round`` every ``interval_s`` seconds until it is stopped, and a change
that adds work can ``wake`` it at once. One failing round is logged (without
details: a database error's text may carry personal data) and never ends the
loop. Tests drive one round by calling the round function themselves.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from collections.abc import Awaitable, Callable

import structlog

log = structlog.get_logger(__name__)
Round = Callable[[], Awaitable[object]]


def backoff(attempts: int, base_s: float, cap_s: float = 600.0) -> dt.timedelta:
    """Pause after ``attempts`` failed deliveries: base, 2×base, 4×base ... up to ``cap_s``."""
    exponent = min(max(attempts - 1, 0), 16)
    return dt.timedelta(seconds=min(base_s * 2**exponent, max(cap_s, base_s)))


class RetryLoop:
    """Run ``round`` periodically as an asyncio task: ``start()``, ``wake()``, ``await stop()``."""

    def __init__(self, name: str, round: Round, interval_s: float) -> None:
        self.name = name
        self.round = round
        self.interval_s = interval_s
        self._stop = asyncio.Event()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def run(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            try:
                await self.round()
            except Exception as e:  # the loop outlives one bad round
                log.error("retry_round_failed", loop=self.name, error=type(e).__name__)
            stop, wake = (
                asyncio.ensure_future(self._stop.wait()),
                asyncio.ensure_future(self._wake.wait()),
            )
            try:
                await asyncio.wait(
                    {stop, wake}, timeout=self.interval_s, return_when=asyncio.FIRST_COMPLETED
                )
            finally:
                for f in (stop, wake):
                    f.cancel()

    def start(self) -> None:
        if self._task is None:
            self._stop.clear()
            self._task = asyncio.create_task(self.run(), name=self.name)

    def wake(self) -> None:
        """Run the next round now (work was added); harmless when the loop is not running."""
        self._wake.set()

    @property
    def running(self) -> bool:
        return self._task is not None

    async def stop(self) -> None:
        if self._task is not None:
            self._stop.set()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
