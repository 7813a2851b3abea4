"""The owner's side, part 1: own hotlists and their entries (sharing: ``hotlists_share``).

Every change is written in one transaction together with the partner feed rows
(``anpr_hotlist_feed``) and the outbox messages that push them
(``ctx.outbox``, kind ``anpr.hotlist``); the outbox retries until each partner
has them. A partner that lost messages catches up by pulling the feed
(``hotlists_sync.py``).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from passerelle.anpr.hotlists_model import Category, HotlistEntry, own_entry_id, validate_entry
from passerelle.anpr.hotlists_share import CHANGES_PATH, KIND, OwnSharing, actor_of
from passerelle.anpr.hotlists_store import FeedChange, Hotlist
from passerelle.auth.roles import Principal
from passerelle.domain.countries import Country
from passerelle.exc import InvalidInput, NotFound

__all__ = ["CHANGES_PATH", "KIND", "AddResult", "OwnHotlists", "Rejection", "actor_of"]
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


class OwnHotlists(OwnSharing):
    """Own lists and their entries (sharing and removal: ``OwnSharing``)."""

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


def same(old: HotlistEntry, new: HotlistEntry) -> bool:
    """The same entry as far as partners and matching are concerned."""
    return old.to_wire() == new.to_wire() and old.hotlist_id == new.hotlist_id


def _keep_created(entry: HotlistEntry, old: HotlistEntry) -> HotlistEntry:
    return replace(entry, created_at=old.created_at, created_by=old.created_by)
