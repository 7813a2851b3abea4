"""Keeping partners' shared entries in sync: pushed changes, pulled feeds, snapshots.

The owner numbers its changes per partner (1, 2, 3 ...). The partner keeps a
cursor per owner: the highest sequence number up to which it holds every
change. A pushed message (``POST /federation/v1/anpr/hotlist/changes``, sent
by the owner's outbox) is applied at once; if it does not follow the cursor
(messages were lost, or this node's database is new) the partner pulls
(``POST /federation/v1/anpr/hotlist/feed`` with ``since = cursor``). It also
pulls from every partner when the node starts and every ``[anpr]
hotlist_sync_s``. When the owner no longer has the changes after the cursor
(or the cursor is 0), it answers with a snapshot of everything it shares with
that partner, and the partner removes the copies the snapshot lacks.

Every change carries its sequence number and is applied only when newer than
the copy held: a message that arrives twice or late changes nothing. Entries a
partner sends without an assessment or an expiry are refused (counted in
``/metrics``, reported in the answer) and never matched.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import replace
from functools import partial
from typing import TYPE_CHECKING, Any

import anyio
import structlog

from passerelle.anpr.hotlists_model import HotlistEntry, entry_from_wire
from passerelle.anpr.hotlists_store import HotlistStore
from passerelle.audit.events import Actor, AuditEvent, EventKind
from passerelle.domain.countries import Country
from passerelle.exc import Forbidden, InvalidInput
from passerelle.node.retry_loop import RetryLoop

if TYPE_CHECKING:
    from passerelle.anpr.exchange_metrics import ExchangeMetrics
    from passerelle.node.context import NodeContext

log = structlog.get_logger(__name__)
FEED_PATH = "/federation/v1/anpr/hotlist/feed"
FEED_LIMIT = 1000
SNAPSHOT_LIMIT = 2000
MAX_PAGES = 200
COPY_MAX_DAYS = 3650  # the owner's own limit applies at the owner


class HotlistSync(ABC):
    ctx: NodeContext
    me: Country
    store: HotlistStore
    metrics: ExchangeMetrics

    def __init__(self) -> None:
        self._apply_locks: dict[Country, threading.Lock] = {c: threading.Lock() for c in Country}
        self._sync_loop: RetryLoop | None = None
        self._event_loop: asyncio.AbstractEventLoop | None = None

    @abstractmethod
    def now(self) -> dt.datetime: ...

    @abstractmethod
    def changed(
        self,
        entries: Sequence[HotlistEntry],
        previous: Mapping[str, HotlistEntry | None] | None = None,
    ) -> None: ...

    # --- owner side: answering a partner's pull -------------------------------------------
    def feed_answer(self, partner: Country, payload: Mapping[str, Any]) -> dict[str, Any]:
        try:
            since = int(payload.get("since") or 0)
            limit = max(1, min(int(payload.get("limit") or FEED_LIMIT), FEED_LIMIT))
        except (TypeError, ValueError):
            raise InvalidInput("since and limit must be numbers", code="hotlist_bad_feed") from None
        now = self.now()
        page = (
            None
            if "snapshot_after" in payload
            else self.store.feed_since(partner, since, limit, now)
        )
        if page is None:
            after = payload.get("snapshot_after")
            entries, head, more = self.store.snapshot(
                partner, now, str(after) if after else None, SNAPSHOT_LIMIT
            )
            return {
                "owner": self.me.value,
                "full": True,
                "head": head,
                "more": more,
                "next_after": entries[-1].entry_id if more and entries else None,
                "entries": [e.to_wire() for e in entries],
            }
        changes, head, more = page
        return {
            "owner": self.me.value,
            "full": False,
            "head": head,
            "more": more,
            "changes": [c.to_wire() for c in changes],
        }

    # --- partner side: applying the owner's changes ---------------------------------------
    def receive_changes(self, sender: Country, payload: Any) -> dict[str, Any]:
        """Apply a pushed message (idempotent); pull when it does not follow the cursor."""
        owner, changes = _parse_message(sender, payload)
        result = self.apply_changes(owner, changes)
        if result["gap"]:
            self.wake_sync()
        return result

    def apply_changes(self, owner: Country, changes: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
        now = self.now()
        applied: list[HotlistEntry] = []
        previous: dict[str, HotlistEntry | None] = {}
        rejected: list[dict[str, Any]] = []
        gap = False
        with self._apply_locks[owner], self.ctx.engine.begin() as conn:
            cursor = self.store.cursor(owner, conn)
            ordered = sorted(changes, key=_seq)
            held = self.store.get_many(conn, (str(c.get("entry_id") or "") for c in ordered))
            stored, writes = set(held), dict[str, HotlistEntry]()
            for change in ordered:
                seq, entry_id = _seq(change), str(change.get("entry_id") or "")
                if seq <= cursor:
                    continue  # seen already (applied or refused): a message delivered twice
                if seq == cursor + 1:
                    cursor = seq
                elif seq > cursor + 1:
                    gap = True
                old = held.get(entry_id)
                if old is not None and (old.owner != owner or old.seq >= seq):
                    continue  # not this owner's, or we hold this version or a newer one
                new: HotlistEntry | None = None
                if change.get("op") == "upsert":
                    try:
                        new = entry_from_wire(
                            owner,
                            change.get("entry") or {},
                            now=now,
                            max_days=COPY_MAX_DAYS,
                            seq=seq,
                        )
                    except InvalidInput as e:
                        if e.code != "hotlist_entry_expired":  # expired: simply gone
                            rejected.append({"entry_id": entry_id[:64], "code": e.code})
                            self.metrics.entries_rejected.labels(e.code, "partner").inc()
                    if new is not None and new.entry_id != entry_id:
                        new = None
                    if new is not None and old is not None:
                        new = replace(new, created_at=old.created_at)
                if new is None and old is not None:
                    new = replace(old, removed_at=old.removed_at or now, updated_at=now, seq=seq)
                if new is not None:
                    held[entry_id] = writes[entry_id] = new
                    previous.setdefault(entry_id, old)
            self.store.put_many(conn, list(writes.values()), stored)
            applied = list(writes.values())
            self.store.set_cursor(conn, owner, cursor, now)
        self._received(owner, applied, previous, rejected)
        return {"applied": len(applied), "rejected": rejected, "cursor": cursor, "gap": gap}

    def apply_snapshot(
        self,
        owner: Country,
        entries: Sequence[Mapping[str, Any]],
        head: int,
        *,
        listed: set[str] | None = None,
        final: bool = True,
    ) -> dict[str, Any]:
        """Hold exactly the owner's snapshot: upsert what it lists, and on its ``final``
        page remove the other copies (``listed`` gathers the ids of earlier pages)."""
        now = self.now()
        applied: list[HotlistEntry] = []
        previous: dict[str, HotlistEntry | None] = {}
        rejected: list[dict[str, Any]] = []
        with self._apply_locks[owner], self.ctx.engine.begin() as conn:
            held = self.store.copies_of(conn, owner)
            listed = set() if listed is None else listed
            for data in entries:
                try:
                    new = entry_from_wire(owner, data, now=now, max_days=COPY_MAX_DAYS, seq=head)
                except InvalidInput as e:
                    if e.code != "hotlist_entry_expired":
                        rejected.append(
                            {"entry_id": str(data.get("entry_id"))[:64], "code": e.code}
                        )
                        self.metrics.entries_rejected.labels(e.code, "partner").inc()
                    continue
                listed.add(new.entry_id)
                old = held.get(new.entry_id)
                if old is not None and old.seq >= head and old.removed_at is None:
                    continue
                if old is not None:
                    new = replace(new, created_at=old.created_at)
                applied.append(new)
                previous[new.entry_id] = old
            for entry_id, old in held.items() if final else ():
                if entry_id not in listed and old.removed_at is None:
                    gone = replace(old, removed_at=now, updated_at=now, seq=max(old.seq, head))
                    applied.append(gone)
                    previous[entry_id] = old
            self.store.put_many(conn, applied, set(held))
            if final:
                self.store.set_cursor(conn, owner, head, now)
        self._received(owner, applied, previous, rejected)
        return {"applied": len(applied), "rejected": rejected, "cursor": head, "gap": False}

    def _received(
        self,
        owner: Country,
        applied: list[HotlistEntry],
        previous: Mapping[str, HotlistEntry | None],
        rejected: list[dict[str, Any]],
    ) -> None:
        if not applied and not rejected:
            return
        self.changed(applied, previous)
        for e in applied:
            op = "remove" if e.removed_at is not None else "upsert"
            self.metrics.entries_changed.labels(owner.value, op).inc()
        self.ctx.audit.append(
            AuditEvent(
                kind=EventKind.ANPR_HOTLIST_RECEIVED,
                actor=Actor(subject=f"node:{owner.value}", role="node", country=owner),
                outcome="applied" if not rejected else "partly_refused",
                purpose=None,
                justification=None,
                datasets=("anpr_hotlists",),
                record_ids=tuple(e.entry_id for e in applied)[:1000],
                partner=owner,
                detail={
                    "applied": len(applied),
                    "removed": sum(e.removed_at is not None for e in applied),
                    "refused": [r["code"] for r in rejected][:50],
                },
            )
        )

    # --- pulling --------------------------------------------------------------------------
    async def pull(self, owner: Country) -> dict[str, Any]:
        """Catch up with ``owner``'s feed (pages until done); never raises on partner trouble."""
        entry = self.ctx.trust.get(owner)
        if entry is None or owner == self.me:
            return {"status": "untrusted"}
        timeout = max(self.ctx.settings.federation.partner_timeout_s, 5.0)
        applied = 0
        snapshot: dict[str, Any] | None = None  # an unfinished snapshot: head, ids, next page
        for _ in range(MAX_PAGES):
            since = await anyio.to_thread.run_sync(self.store.cursor, owner)
            payload: dict[str, Any] = {"since": since, "limit": FEED_LIMIT}
            if snapshot is not None:
                payload["snapshot_after"] = snapshot["after"]
            r = await self.ctx.client.call(entry, FEED_PATH, payload, timeout)
            data = r.data or {}
            if r.status != "ok" or data.get("owner") != owner.value:
                error = f"{r.status}: {r.detail}" if r.detail else r.status
                await anyio.to_thread.run_sync(self.store.sync_error, owner, error)
                self.metrics.syncs.labels(owner.value, r.status).inc()
                return {"status": r.status, "detail": r.detail, "applied": applied}
            more = bool(data.get("more"))
            if data.get("full"):
                if snapshot is None:
                    snapshot = {"head": int(data.get("head") or 0), "listed": set()}
                snapshot["after"] = data.get("next_after")
                done = await anyio.to_thread.run_sync(
                    partial(
                        self.apply_snapshot,
                        owner,
                        list(data.get("entries") or []),
                        snapshot["head"],
                        listed=snapshot["listed"],
                        final=not more,
                    )
                )
                if not more:
                    snapshot = None
                    more = True  # then the changes made since the snapshot's head
            else:
                done = await anyio.to_thread.run_sync(
                    self.apply_changes, owner, list(data.get("changes") or [])
                )
                if done["gap"] or not data.get("changes"):
                    more = False
            applied += int(done["applied"])
            if not more:
                break
        self.metrics.syncs.labels(owner.value, "ok").inc()
        return {"status": "ok", "applied": applied, "cursor": self.store.cursor(owner)}

    async def pull_all(self) -> dict[str, Any]:
        partners = [p.country for p in self.ctx.trust.partners() if p.country != self.me]
        results = await asyncio.gather(*(self.pull(c) for c in partners))
        return {c.value: r for c, r in zip(partners, results, strict=True)}

    def start_sync(self) -> RetryLoop:
        """Pull from every partner now and every ``[anpr] hotlist_sync_s`` (event loop)."""
        if self._sync_loop is None:
            self._event_loop = asyncio.get_running_loop()
            self._sync_loop = RetryLoop(
                "anpr-hotlist-sync", self.pull_all, self.ctx.settings.anpr.hotlist_sync_s
            )
            self._sync_loop.start()
        return self._sync_loop

    async def stop_sync(self) -> None:
        if self._sync_loop is not None:
            await self._sync_loop.stop()
            self._sync_loop = None
            self._event_loop = None

    def wake_sync(self) -> None:
        loop, retry = self._event_loop, self._sync_loop
        if loop is not None and retry is not None and not loop.is_closed():
            loop.call_soon_threadsafe(retry.wake)

    def sync_status(self) -> dict[str, Any]:
        """Per partner: our feed's head to it, and our cursor in its feed."""
        heads, rows = self.store.heads(), self.store.sync_rows()
        out: dict[str, Any] = {}
        for p in self.ctx.trust.partners():
            c = p.country.value
            row = rows.get(c, {})
            out[c] = {
                "sent_head": heads.get(c, 0),
                "received_cursor": row.get("last_seq", 0),
                "synced_at": row["synced_at"].isoformat() if row.get("synced_at") else None,
                "last_error": row.get("last_error"),
            }
        return out


def _seq(change: Mapping[str, Any]) -> int:
    try:
        return int(change.get("seq") or 0)
    except (TypeError, ValueError):
        return 0


def _parse_message(sender: Country, payload: Any) -> tuple[Country, list[Mapping[str, Any]]]:
    if not isinstance(payload, dict) or not isinstance(payload.get("changes"), list):
        raise InvalidInput("expected {owner, changes: [...]}", code="hotlist_bad_feed")
    if payload.get("owner") != sender.value:
        raise Forbidden("only the owner sends its entries", code="hotlist_entry_not_owner")
    changes: list[Mapping[str, Any]] = [c for c in payload["changes"] if isinstance(c, dict)]
    if any(_seq(c) <= 0 for c in changes):
        raise InvalidInput("every change needs a sequence number", code="hotlist_bad_feed")
    return sender, changes
