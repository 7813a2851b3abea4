"""The owner's side, part 2: sharing chosen entries, revoking, removing; the common helpers.

Every change is written in one transaction with the partner feed rows and the
outbox messages that push them (kind ``anpr.hotlist``); the outbox is woken
again after the commit, so the push leaves at once.
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

import sqlalchemy as sa

from passerelle.anpr.hotlists_model import HotlistEntry
from passerelle.anpr.hotlists_store import FeedChange, HotlistStore
from passerelle.audit.events import Actor, AuditEvent, EventKind, Recipient
from passerelle.auth.roles import Principal
from passerelle.domain.countries import Country, parse_country
from passerelle.exc import Forbidden, InvalidInput, NotFound

if TYPE_CHECKING:
    from passerelle.anpr.exchange_metrics import ExchangeMetrics
    from passerelle.node.context import NodeContext

CHANGES_PATH = "/federation/v1/anpr/hotlist/changes"
KIND = "anpr.hotlist"
CHUNK = 500  # changes per message (well under the federation body limit)


def actor_of(principal: Principal, country: Country) -> Actor:
    role = sorted(r.value for r in principal.roles)[0] if principal.roles else "unknown"
    return Actor(subject=principal.subject, role=role, country=country)


class OwnSharing(ABC):
    ctx: NodeContext
    me: Country
    store: HotlistStore
    metrics: ExchangeMetrics

    @abstractmethod
    def now(self) -> dt.datetime: ...

    @abstractmethod
    def changed(
        self,
        entries: Sequence[HotlistEntry],
        previous: Mapping[str, HotlistEntry | None] | None = None,
    ) -> None: ...

    def parse_partners(self, partners: Sequence[str]) -> list[Country]:
        out: list[Country] = []
        for raw in partners:
            country = parse_country(raw)
            if country == self.me or self.ctx.trust.get(country) is None:
                raise InvalidInput(
                    "not a partner node of ours",
                    code="hotlist_partner_unknown",
                    value=country.value,
                )
            if country not in out:
                out.append(country)
        return out

    def share(
        self, principal: Principal, entry_ids: Sequence[str], partners: Sequence[str]
    ) -> dict[str, list[str]]:
        countries = self.parse_partners(partners)
        if not countries:
            raise InvalidInput("name at least one partner", code="no_country")
        now = self.now()
        changes: dict[Country, list[FeedChange]] = {}
        with self.ctx.engine.begin() as conn:
            stored = self.store.get_many(conn, entry_ids)
            ids = list(dict.fromkeys(entry_ids))
            entries = {i: self._check_own(stored.get(i), now) for i in ids}
            for p in countries:
                newly = self.store.set_shares(conn, ids, p, principal.subject, now)
                order = [i for i in ids if i in newly]
                seqs = self.store.append_feed_many(conn, p, [(i, "upsert") for i in order], now)
                if order:
                    changes[p] = [
                        FeedChange(q, "upsert", i, entries[i])
                        for q, i in zip(seqs, order, strict=True)
                    ]
            self._push(conn, changes)
        self._wake(changes)
        self._audit(principal, "entries_shared", entries=list(entry_ids), changes=changes)
        return self.store.shares_of(entry_ids)

    def unshare(self, principal: Principal, entry_id: str, partner: str) -> list[str]:
        country = parse_country(partner)
        now = self.now()
        changes: dict[Country, list[FeedChange]] = {}
        with self.ctx.engine.begin() as conn:
            self._own(conn, entry_id)
            if self.store.revoke_share(conn, entry_id, country, now):
                seq = self.store.append_feed(conn, country, entry_id, "remove", now)
                changes[country] = [FeedChange(seq, "remove", entry_id)]
            self._push(conn, changes)
        self._wake(changes)
        self._audit(principal, "share_revoked", entries=[entry_id], changes=changes)
        return self.store.shares_of([entry_id])[entry_id]

    def remove(self, principal: Principal, entry_ids: Sequence[str]) -> list[HotlistEntry]:
        """Remove own entries here and at every partner they were shared with."""
        now = self.now()
        done: list[HotlistEntry] = []
        changes: dict[Country, list[FeedChange]] = {}
        with self.ctx.engine.begin() as conn:
            for entry_id in entry_ids:
                entry = self._own(conn, entry_id)
                if entry.removed_at is not None:
                    continue
                gone = replace(entry, removed_at=now, updated_at=now)
                self.store.put(conn, gone)
                done.append(gone)
                for p in self.store.share_partners(conn, entry_id):
                    seq = self.store.append_feed(conn, p, entry_id, "remove", now)
                    changes.setdefault(p, []).append(FeedChange(seq, "remove", entry_id))
            self._push(conn, changes)
        self._wake(changes)
        self.changed(done)
        self.metrics.entries_changed.labels(self.me.value, "remove").inc(len(done))
        if done:
            self._audit(
                principal, "entries_removed", entries=[e.entry_id for e in done], changes=changes
            )
        return done

    # --- helpers --------------------------------------------------------------------------
    def _own(self, conn: sa.Connection, entry_id: str) -> HotlistEntry:
        return self._check_own(self.store.get(entry_id, conn))

    def _check_own(
        self, entry: HotlistEntry | None, now: dt.datetime | None = None
    ) -> HotlistEntry:
        """``entry`` if it is ours (and, given ``now``, active); a translated error otherwise."""
        if entry is None:
            raise NotFound("no such hotlist entry", code="hotlist_entry_not_found")
        if entry.owner != self.me:
            raise Forbidden(
                "a partner's entry: change it at its owner",
                code="hotlist_entry_not_own",
                country=entry.owner.value,
            )
        if now is not None and not entry.active(now):
            raise InvalidInput("the entry is removed or expired", code="hotlist_entry_inactive")
        return entry

    def _default_contact(self) -> str:
        cp = self.ctx.settings.contact_point
        name = cp.name or f"{self.ctx.settings.name} contact point"
        return ", ".join(p for p in (name, cp.phone, cp.email) if p)

    def _push(self, conn: sa.Connection, changes: dict[Country, list[FeedChange]]) -> None:
        for partner, items in changes.items():
            for start in range(0, len(items), CHUNK):
                chunk = items[start : start + CHUNK]
                self.ctx.outbox.enqueue(
                    partner,
                    CHANGES_PATH,
                    {"owner": self.me.value, "changes": [c.to_wire() for c in chunk]},
                    kind=KIND,
                    key=f"{chunk[0].seq}-{chunk[-1].seq}",
                    conn=conn,
                )

    def _wake(self, changes: Mapping[Country, list[FeedChange]]) -> None:
        """Push now: the outbox's own wake-up may come before the commit is visible."""
        if changes:
            self.ctx.outbox.wake()

    def _audit(
        self,
        principal: Principal,
        outcome: str,
        *,
        hotlist_id: str | None = None,
        entries: Sequence[str] = (),
        changes: Mapping[Country, list[FeedChange]] | None = None,
    ) -> None:
        recipients = tuple(Recipient(country=c) for c in sorted(changes or {}))
        self.ctx.audit.append(
            AuditEvent(
                kind=EventKind.ANPR_HOTLIST_CHANGED,
                actor=actor_of(principal, self.me),
                outcome=outcome,
                purpose=None,
                justification=None,
                datasets=("anpr_hotlists",),
                record_ids=tuple(entries)[:1000],
                recipients=recipients,
                detail={
                    "hotlist_id": hotlist_id,
                    "entries": len(entries),
                    "sent": {c.value: len(v) for c, v in (changes or {}).items()},
                },
            )
        )
