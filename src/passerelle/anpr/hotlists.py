"""``HotlistService`` (``ctx.anpr.hotlists``): the matching index and the watchers of change.

``index()`` is the kernel's ``HotlistIndex`` of every *active* entry this
node's cameras are matched against: own entries and the copies of partners'
shared entries, not removed and not expired. It is built once from the
database, then kept current incrementally: every change made in this process
updates it at once, expired entries leave it on the next ``index()`` call (a
heap of expiry times), and once a second it looks for changes written by
another process (``updated_at`` watermark).

``on_new_entries(callback)`` is called, after commit and in the thread that
made the change, with the ``IndexEntry`` of each entry that became active or
changed its plate: ingest compares them against stored reads in the lawful
window (retro-matching). Keep the callback quick.

Changes themselves (own lists, sharing, partners' copies) are in
``hotlists_own.py`` and ``hotlists_sync.py``; this module is their common base.
"""

from __future__ import annotations

import datetime as dt
import heapq
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING

import structlog

from passerelle.anpr.exchange_metrics import ExchangeMetrics
from passerelle.anpr.hotlists_model import HotlistEntry
from passerelle.anpr.hotlists_own import OwnHotlists
from passerelle.anpr.hotlists_store import HotlistStore
from passerelle.anpr.hotlists_sync import HotlistSync

if TYPE_CHECKING:
    from passerelle.anpr.index import HotlistIndex, IndexEntry
    from passerelle.node.context import NodeContext

__all__ = ["HotlistEntry", "HotlistService", "NewEntries"]

log = structlog.get_logger(__name__)
NewEntries = Callable[[list["IndexEntry"]], None]
REFRESH_S = 1.0


class HotlistService(OwnHotlists, HotlistSync):
    def __init__(self, ctx: NodeContext) -> None:
        self.ctx = ctx
        self.me = ctx.settings.country
        self.store = HotlistStore(ctx.engine)
        self.metrics = ExchangeMetrics(self.active_counts)
        self._lock = threading.RLock()
        self._index: HotlistIndex | None = None
        self._entries: dict[str, HotlistEntry] = {}
        self._expiry: list[tuple[dt.datetime, str]] = []
        self._watermark: dt.datetime | None = None
        self._checked = 0.0
        self._callbacks: list[NewEntries] = []
        HotlistSync.__init__(self)

    def now(self) -> dt.datetime:
        return self.ctx.anpr.now()

    # --- the index ------------------------------------------------------------------------
    def index(self) -> HotlistIndex:
        """Every active entry (own and partners' copies), current as of this call."""
        with self._lock:
            now = self.now()
            if self._index is None:
                return self._load(now)
            self._expire(now)
            if time.monotonic() - self._checked > REFRESH_S:
                self._refresh(now)
            return self._index

    def _load(self, now: dt.datetime) -> HotlistIndex:
        from passerelle.anpr.index import HotlistIndex

        watermark = self.store.last_change()
        entries = self.store.active(now)
        self._index = HotlistIndex.build(e.index_entry() for e in entries)
        self._entries = {e.entry_id: e for e in entries}
        self._expiry = [(e.expires_at, e.entry_id) for e in entries]
        heapq.heapify(self._expiry)
        self._watermark = watermark
        self._checked = time.monotonic()
        log.info("anpr_hotlist_index_built", entries=len(entries))
        return self._index

    def _expire(self, now: dt.datetime) -> None:
        gone: list[str] = []
        while self._expiry and self._expiry[0][0] <= now:
            at, entry_id = heapq.heappop(self._expiry)
            current = self._entries.get(entry_id)
            if current is not None and current.expires_at == at:
                del self._entries[entry_id]
                gone.append(entry_id)
        if gone and self._index is not None:
            self._index.remove(gone)

    def _refresh(self, now: dt.datetime) -> None:
        self._checked = time.monotonic()
        last = self.store.last_change()
        if last is None or (self._watermark is not None and last <= self._watermark):
            return
        since = self._watermark or dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
        new = self._apply(self.store.changed_since(since), now)
        self._watermark = max(last, self._watermark or last)
        if new:
            self._notify(new)

    def _apply(self, changed: Iterable[HotlistEntry], now: dt.datetime) -> list[IndexEntry]:
        """Bring the index in line with ``changed`` (under the lock); the newly active ones."""
        assert self._index is not None
        changed = list(changed)
        before = {e.entry_id: self._entries.get(e.entry_id) for e in changed}
        stale = [i for i, old in before.items() if old is not None]
        if stale:
            self._index.remove(stale)
            for entry_id in stale:
                del self._entries[entry_id]
        live = [e for e in changed if e.active(now)]
        if live:
            self._index.add(e.index_entry() for e in live)
        for e in live:
            self._entries[e.entry_id] = e
            heapq.heappush(self._expiry, (e.expires_at, e.entry_id))
        for e in changed:
            if self._watermark is None or e.updated_at > self._watermark:
                self._watermark = e.updated_at
        return [
            e.index_entry()
            for e in live
            if (old := before[e.entry_id]) is None
            or (old.plate, old.plate_country) != (e.plate, e.plate_country)
        ]

    def changed(
        self,
        entries: Iterable[HotlistEntry],
        previous: Mapping[str, HotlistEntry | None] | None = None,
    ) -> None:
        """After a commit: update the index and tell the watchers about new entries.

        ``previous`` holds each entry as it was before the change (``None``: it did
        not exist); without it, the index's own copy is the reference.
        """
        entries = list(entries)
        if not entries:
            return
        now = self.now()
        with self._lock:
            if self._index is None:  # built later from the database, changes included
                new = [e.index_entry() for e in entries if e.active(now)]
            else:
                new = self._apply(entries, now)
        if previous is not None:
            new = [
                e.index_entry()
                for e in entries
                if e.active(now) and _is_new(e, previous.get(e.entry_id), now)
            ]
        if new:
            self._notify(new)

    def on_new_entries(self, callback: NewEntries) -> None:
        """Call ``callback(index_entries)`` whenever entries become active (retro-matching)."""
        self._callbacks.append(callback)

    def _notify(self, new: list[IndexEntry]) -> None:
        for callback in list(self._callbacks):
            try:
                callback(new)
            except Exception as e:  # one watcher's failure never undoes the change
                log.error("anpr_new_entries_callback_failed", error=type(e).__name__)

    # --- lookups --------------------------------------------------------------------------
    def entry(self, entry_id: str) -> HotlistEntry | None:
        """The entry (active ones from memory; otherwise as stored, removed or expired)."""
        with self._lock:
            cached = self._entries.get(entry_id)
        return cached if cached is not None else self.store.get(entry_id)

    def active_counts(self) -> dict[str, int]:
        """Active entries per owner country (from the index, or the database before it exists)."""
        with self._lock:
            if self._index is not None:
                return dict(Counter(e.owner.value for e in self._entries.values()))
        return self.store.active_counts(self.now())


def _is_new(entry: HotlistEntry, before: HotlistEntry | None, now: dt.datetime) -> bool:
    """Did ``entry`` become active, or change its plate? (Then reads must be compared.)"""
    if before is None or not before.active(now):
        return True
    return (before.plate, before.plate_country) != (entry.plate, entry.plate_country)
