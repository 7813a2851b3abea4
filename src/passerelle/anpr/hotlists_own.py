"""The owner's side: own hotlists, their entries, and sharing chosen entries with partners.

Every change is written in one transaction together with the partner feed rows
(``anpr_hotlist_feed``) and the outbox messages that push them
(``ctx.outbox``, kind ``anpr.hotlist``); the outbox retries until each partner
has them. A partner that lost messages catches up by pulling the feed
(``hotlists_sync.py``).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from passerelle.anpr.hotlists_model import Category, HotlistEntry, own_entry_id, validate_entry
from passerelle.anpr.hotlists_store import FeedChange, Hotlist, HotlistStore
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
MAX_BATCH = 10_000


@dataclass(frozen=True)
class Rejection:
    index: int
    code: str
    detail: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class AddResult:
    added: list[HotlistEntry]
    rejected: list[Rejection]
    shares: dict[str, list[str]]


def actor_of(principal: Principal, country: Country) -> Actor:
    role = sorted(r.value for r in principal.roles)[0] if principal.roles else "unknown"
    return Actor(subject=principal.subject, role=role, country=country)


class OwnHotlists:
    ctx: NodeContext
    me: Country
    store: HotlistStore
    metrics: ExchangeMetrics

    def now(self) -> dt.datetime:
        raise NotImplementedError

    def changed(
        self,
        entries: Sequence[HotlistEntry],
        previous: Mapping[str, HotlistEntry | None] | None = None,
    ) -> None:
        raise NotImplementedError

    # --- lists ----------------------------------------------------------------------------
    def create_list(
        self,
        principal: Principal,
        name: str,
        category: str,
        *,
        description: str | None = None,
        max_confusions: int | None = None,
        indel: bool | None = None,
    ) -> Hotlist:
        name = " ".join(name.split())
        if not name or len(name) > 200:
            raise InvalidInput(
                "a hotlist needs a name (200 characters at most)", code="hotlist_bad_name"
            )
        try:
            category = Category(category.strip().lower()).value
        except ValueError:
            allowed = ", ".join(c.value for c in Category)
            raise InvalidInput(
                "unknown category",
                code="hotlist_entry_bad_category",
                value=category,
                allowed=allowed,
            ) from None
        if max_confusions is not None and not 0 <= max_confusions <= 4:
            raise InvalidInput("max_confusions must be 0 to 4", code="hotlist_bad_tolerance")
        hotlist = Hotlist(
            hotlist_id=f"{self.me.value}-HL-{uuid.uuid4().hex[:10]}",
            name=name,
            category=category,
            description=(description or "").strip()[:400] or None,
            max_confusions=max_confusions,
            indel=indel,
            created_at=self.now(),
            created_by=principal.subject,
        )
        self.store.create_list(hotlist)
        self._audit(principal, "list_created", hotlist_id=hotlist.hotlist_id)
        return hotlist

    def get_list(self, hotlist_id: str) -> Hotlist:
        found = self.store.lists(self.now(), hotlist_id)
        if not found:
            raise NotFound("no such hotlist", code="hotlist_not_found")
        return found[0]

    # --- entries --------------------------------------------------------------------------
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

    def add_entries(
        self,
        principal: Principal,
        hotlist_id: str,
        raws: Sequence[Mapping[str, Any]],
        share_with: Sequence[str] = (),
    ) -> AddResult:
        """Validate and store entries (a known reference updates its entry); share them."""
        if len(raws) > MAX_BATCH:
            raise InvalidInput(
                "too many entries at once", code="hotlist_batch_too_large", limit=MAX_BATCH
            )
        hotlist = self.get_list(hotlist_id)
        partners = self.parse_partners(share_with)
        now = self.now()
        max_days = self.ctx.settings.anpr.hotlist_max_days
        contact = self._default_contact()
        entries: list[HotlistEntry] = []
        positions: dict[str, int] = {}
        rejected: list[Rejection] = []
        for i, raw in enumerate(raws):
            try:
                v = validate_entry(
                    raw,
                    now=now,
                    max_days=max_days,
                    default_contact=contact,
                    default_category=hotlist.category,
                )
            except InvalidInput as e:
                rejected.append(Rejection(i, e.code, e.detail, e.params))
                self.metrics.entries_rejected.labels(e.code, "officer").inc()
                continue
            fields = {k: val for k, val in v.__dict__.items() if k != "ref"}
            entries.append(
                HotlistEntry(
                    entry_id=own_entry_id(self.me, v.ref),
                    owner=self.me,
                    hotlist_id=hotlist.hotlist_id,
                    hotlist_name=hotlist.name,
                    **fields,
                    created_at=now,
                    created_by=principal.subject,
                    updated_at=now,
                    max_confusions=hotlist.max_confusions,
                    indel=hotlist.indel,
                )
            )
            positions[entries[-1].entry_id] = i
        changes: dict[Country, list[FeedChange]] = {}
        previous: dict[str, HotlistEntry | None] = {}
        with self.ctx.engine.begin() as conn:
            unique = {x.entry_id: x for x in entries}  # a reference twice: the last one wins
            stored = self.store.get_many(conn, unique)
            kept: list[HotlistEntry] = []
            written: list[HotlistEntry] = []
            for entry in unique.values():
                old = stored.get(entry.entry_id)
                if old is not None and old.hotlist_id != hotlist.hotlist_id:
                    code = "hotlist_entry_other_list"
                    rejected.append(Rejection(positions[entry.entry_id], code, "reference taken"))
                    self.metrics.entries_rejected.labels(code, "officer").inc()
                    continue
                previous[entry.entry_id] = old
                if old is not None and old.removed_at is None and same(old, entry):
                    kept.append(old)  # sent again unchanged: only new shares go out
                    continue
                entry = entry if old is None else _keep_created(entry, old)
                kept.append(entry)
                written.append(entry)
            self.store.put_many(conn, written, set(stored))
            ids = [x.entry_id for x in kept]
            targets: dict[Country, set[str]] = {}
            for entry_id, now_with in self.store.partners_of(
                conn, [x.entry_id for x in written]
            ).items():
                for p in now_with:
                    targets.setdefault(p, set()).add(entry_id)
            for p in partners:
                newly = self.store.set_shares(conn, ids, p, principal.subject, now)
                targets.setdefault(p, set()).update(newly)
            by_id = {x.entry_id: x for x in kept}
            for p, chosen in sorted(targets.items()):
                order = [i for i in ids if i in chosen]
                seqs = self.store.append_feed_many(conn, p, [(i, "upsert") for i in order], now)
                changes[p] = [
                    FeedChange(q, "upsert", i, by_id[i]) for q, i in zip(seqs, order, strict=True)
                ]
            entries = kept
            self._push(conn, changes)
        self._wake(changes)
        self.changed(entries, previous)
        self.metrics.entries_changed.labels(self.me.value, "upsert").inc(len(entries))
        shares = self.store.shares_of(e.entry_id for e in entries)
        if entries:
            self._audit(
                principal,
                "entries_added",
                hotlist_id=hotlist.hotlist_id,
                entries=[e.entry_id for e in entries],
                changes=changes,
            )
        return AddResult(entries, sorted(rejected, key=lambda r: r.index), shares)

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
                gone = _removed(entry, now)
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


def same(old: HotlistEntry, new: HotlistEntry) -> bool:
    """The same entry as far as partners and matching are concerned."""
    return old.to_wire() == new.to_wire() and old.hotlist_id == new.hotlist_id


def _keep_created(entry: HotlistEntry, old: HotlistEntry) -> HotlistEntry:
    from dataclasses import replace

    return replace(entry, created_at=old.created_at, created_by=old.created_by)


def _removed(entry: HotlistEntry, now: dt.datetime) -> HotlistEntry:
    from dataclasses import replace

    return replace(entry, removed_at=now, updated_at=now)
