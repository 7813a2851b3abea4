"""Replay protection: remember each signature nonce for as long as its signature is valid.

``NonceStore`` is the port; ``InMemoryNonceStore`` serves one process (SQL or
Redis variants for several workers implement the same protocol). Only nonces of
requests whose signature already verified are stored, so the memory used is
bounded by trusted partners' traffic within one window, and capped on top.
"""

from __future__ import annotations

import heapq
import threading
import time
from collections.abc import Callable
from typing import Protocol

import structlog

log = structlog.get_logger(__name__)


class NonceStore(Protocol):
    def check_and_store(self, key_id: str, nonce: str, ttl_s: float) -> bool:
        """Remember ``(key_id, nonce)`` for ``ttl_s`` seconds.

        Return ``True`` if it was new, ``False`` if it was already seen within its TTL
        (a replay). Must be atomic: of two concurrent calls with the same pair, only
        one may return ``True``.
        """
        ...


class InMemoryNonceStore:
    """Thread-safe nonce memory with TTL; expired entries are purged on every call.

    When ``max_entries`` live nonces are held, new ones are refused (the request
    is treated as a replay): under a flood the node fails closed, not out of memory.
    """

    def __init__(
        self, *, max_entries: int = 1_000_000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._seen: dict[tuple[str, str], float] = {}
        self._expiries: list[tuple[float, tuple[str, str]]] = []
        self._lock = threading.Lock()
        self._max = max_entries
        self._clock = clock

    def size(self) -> int:
        """Live (unexpired) nonces held. Not ``__len__``: an empty store must stay truthy."""
        with self._lock:
            self._purge(self._clock())
            return len(self._seen)

    def check_and_store(self, key_id: str, nonce: str, ttl_s: float) -> bool:
        item = (key_id, nonce)
        with self._lock:
            now = self._clock()
            self._purge(now)
            if item in self._seen:
                return False
            if len(self._seen) >= self._max:
                log.warning("nonce_store_full", max_entries=self._max)
                return False
            expiry = now + ttl_s
            self._seen[item] = expiry
            heapq.heappush(self._expiries, (expiry, item))
            return True

    def _purge(self, now: float) -> None:
        heap = self._expiries
        while heap and heap[0][0] <= now:
            expiry, item = heapq.heappop(heap)
            if self._seen.get(item) == expiry:
                del self._seen[item]
