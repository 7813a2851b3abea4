"""Publishing boards on ``ops.actions``: coalesced, off the request threads.

A change to a board (a result registered here, an aggregate received) only
marks the action *dirty* and wakes the node's publisher thread, which computes
the board and publishes it on the live hub. While it computes, further changes
to the same action are folded into the next computation: under a burst the
board is published as often as it can be computed (never more stale than one
computation), and registering a result or acknowledging a partner's message
never waits for it.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from typing import Any

import structlog

log = structlog.get_logger(__name__)
IDLE_EXIT_S = 30.0
Compute = Callable[[str], dict[str, Any] | None]
Publish = Callable[[str, dict[str, Any]], None]


class BoardPublisher:
    def __init__(self, compute: Compute, publish: Publish) -> None:
        self.compute = compute
        self.publish = publish
        self._dirty: set[str] = set()
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    def changed(self, action_id: str) -> None:
        """The board of ``action_id`` changed (any thread)."""
        with self._lock:
            self._dirty.add(action_id)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="action-boards", daemon=True)
                self._thread.start()
        self._wake.set()

    def _run(self) -> None:
        while True:
            if not self._wake.wait(IDLE_EXIT_S):
                with self._lock:
                    if not self._dirty:
                        self._thread = None
                        return
            self._wake.clear()
            with self._lock:
                due, self._dirty = self._dirty, set()
            for action_id in sorted(due):
                try:
                    board = self.compute(action_id)
                    if board is not None:
                        self.publish(action_id, board)
                except Exception as e:  # a board that cannot be computed now: logged only
                    log.error("action_board_failed", action_id=action_id, error=type(e).__name__)


_PUBLISHERS: weakref.WeakKeyDictionary[object, BoardPublisher] = weakref.WeakKeyDictionary()
_GUARD = threading.Lock()


def publisher_for(key: object, compute: Compute, publish: Publish) -> BoardPublisher:
    """The one publisher of a node, kept as long as ``key`` (its live hub) lives.

    ``compute`` and ``publish`` must not hold ``key`` strongly (use a weak reference).
    """
    with _GUARD:
        found = _PUBLISHERS.get(key)
        if found is None:
            found = _PUBLISHERS[key] = BoardPublisher(compute, publish)
        return found
