"""``HitService`` (``ctx.anpr.hits``): hits recorded once, de-duplicated, routed to the owner.

``record(candidates)`` stores one hit per (read, hotlist entry) — the unique
key (``reporting_country``, ``read_id``, ``entry_id``) makes a batch ingested
twice (at-least-once delivery) yield the same hits, never new ones. A hit on
the same plate and entry within ``[anpr] hit_dedup_window_s`` of an alerted
hit is linked to it (``duplicate_of``) and not alerted again. Every other new
hit is, in the same transaction, queued for the owner's node (``ctx.outbox``,
kind ``anpr.hit``) when the entry is a partner's, and after commit published
to the local control room (``ctx.live``, topic ``anpr.hits``).

Only the hit leaves the node (plate, camera, position, time, picture
reference, outcome): the read's other data and every no-hit read stay home.

``dispose`` records the control room's acknowledgement (correct read, misread,
wrong country, not actionable) and sends it to the owner too (kind
``anpr.disposition``). The owner's side of both is in ``hits_owner.py``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import structlog

from passerelle.anpr.hits_owner import (
    TOPIC_DISPOSITIONS,
    TOPIC_HITS,
    HitsOwnerSide,
    disposition_data,
    live_data,
)
from passerelle.anpr.hits_store import Hit, HitFilter, HitStore
from passerelle.anpr.hotlists_model import HotlistEntry
from passerelle.anpr.hotlists_own import actor_of
from passerelle.audit.events import Actor, AuditEvent, EventKind, Recipient
from passerelle.auth.roles import Principal
from passerelle.domain.countries import Country
from passerelle.exc import Forbidden, InvalidInput, NotFound, PasserelleError

if TYPE_CHECKING:
    from passerelle.node.context import NodeContext

__all__ = ["Disposition", "Hit", "HitCandidate", "HitFilter", "HitService"]

log = structlog.get_logger(__name__)
HITS_PATH = "/federation/v1/anpr/hits"
DISPOSITIONS_PATH = "/federation/v1/anpr/dispositions"


class Disposition(StrEnum):
    CORRECT_READ = "correct_read"
    MISREAD = "misread"
    WRONG_COUNTRY = "wrong_country"
    NOT_ACTIONABLE = "not_actionable"


class HitConflict(PasserelleError):
    status = 409
    code = "anpr_hit_already_disposed"


@dataclass(frozen=True)
class HitCandidate:
    read: dict[str, Any]  # the anpr_reads columns
    entry_id: str
    outcome: str
    score: float


def _text(value: Any, limit: int) -> str | None:
    return str(value)[:limit] if value not in (None, "") else None


def _float(value: Any) -> float | None:
    try:
        return float(value) if value is not None else None
    except (TypeError, ValueError):
        return None


class HitService(HitsOwnerSide):
    def __init__(self, ctx: NodeContext) -> None:
        self.ctx = ctx
        self.me = ctx.settings.country
        self.store = HitStore(ctx.engine)

    def now(self) -> dt.datetime:
        return self.ctx.anpr.now()

    @property
    def window(self) -> dt.timedelta:
        return dt.timedelta(seconds=self.ctx.settings.anpr.hit_dedup_window_s)

    def record(self, candidates: Sequence[HitCandidate]) -> list[Hit]:
        """Store the hits of ``candidates`` (idempotent), route and publish the new ones."""
        if not candidates:
            return []
        hotlists = self.ctx.anpr.hotlists
        now, window = self.now(), self.window
        out: list[Hit] = []
        new: list[tuple[Hit, HotlistEntry]] = []
        with self.ctx.engine.begin() as conn:
            for c in candidates:
                entry = hotlists.entry(c.entry_id)
                if entry is None or entry.removed_at is not None:
                    continue  # removed between matching and now: no hit any more
                read_id = str(c.read["read_id"])
                known = self.store.by_key(conn, self.me.value, read_id, entry.entry_id)
                if known is not None:
                    out.append(known)
                    continue
                hit = self._hit(c, entry, now)
                if window.total_seconds() > 0:
                    primary = self.store.primary_within(
                        conn, self.me.value, entry.entry_id, hit.plate, hit.read_at, window
                    )
                    if primary is not None:
                        hit = Hit(**{**hit.row(), "duplicate_of": primary})
                if self.store.insert_new(conn, hit):
                    new.append((hit, entry))
                    out.append(hit)
                elif raced := self.store.by_key(conn, self.me.value, read_id, entry.entry_id):
                    out.append(raced)
            for hit, entry in new:
                if hit.duplicate_of is None and entry.owner != self.me:
                    self.ctx.outbox.enqueue(
                        entry.owner,
                        HITS_PATH,
                        {"hit": hit.to_wire()},
                        kind="anpr.hit",
                        key=hit.hit_id,
                        conn=conn,
                    )
        if any(h.duplicate_of is None and e.owner != self.me for h, e in new):
            self.ctx.outbox.wake()  # after the commit (the outbox's own wake may come before it)
        if new:
            self._after_record(new)
        return out

    def _hit(self, c: HitCandidate, entry: HotlistEntry, now: dt.datetime) -> Hit:
        read = c.read
        read_at = read["read_at"]
        if not isinstance(read_at, dt.datetime):
            read_at = dt.datetime.fromisoformat(str(read_at))
        read_at = read_at.replace(tzinfo=dt.UTC) if read_at.tzinfo is None else read_at
        return Hit(
            hit_id=f"{self.me.value}-{uuid.uuid4().hex[:20]}",
            read_id=str(read["read_id"])[:64],
            entry_id=entry.entry_id,
            owner_country=entry.owner.value,
            reporting_country=self.me.value,
            outcome=str(c.outcome)[:16],
            score=float(c.score),
            plate=str(read.get("plate") or "")[:16],
            plate_country=_text(read.get("plate_country"), 2),
            camera_id=str(read.get("camera_id") or "")[:64],
            site=_text(read.get("site"), 200),
            lat=_float(read.get("lat")),
            lon=_float(read.get("lon")),
            direction=_text(read.get("direction"), 40),
            read_at=read_at.astimezone(dt.UTC),
            image_ref=_text(read.get("image_ref"), 400),
            created_at=now,
        )

    def _after_record(self, new: list[tuple[Hit, HotlistEntry]]) -> None:
        metrics = self.ctx.anpr.hotlists.metrics
        alerted = [(h, e) for h, e in new if h.duplicate_of is None]
        routed = Counter(e.owner.value for h, e in alerted if e.owner != self.me)
        for hit, entry in alerted:
            self.ctx.live.publish(TOPIC_HITS, live_data(hit, entry))
        for hit, _ in new:
            metrics.hits.labels(hit.outcome).inc()
        metrics.duplicates.inc(len(new) - len(alerted))
        for owner, n in routed.items():
            metrics.routed.labels(owner).inc(n)
        self.ctx.audit.append(
            AuditEvent(
                kind=EventKind.ANPR_HIT,
                actor=Actor(subject=f"node:{self.me.value}", role="node", country=self.me),
                outcome="hit",
                purpose=None,
                justification=None,
                datasets=("anpr_hits",),
                record_ids=tuple(h.hit_id for h, _ in new),
                recipients=tuple(Recipient(country=Country(c)) for c in sorted(routed)),
                detail={
                    "hits": len(new),
                    "duplicates": len(new) - len(alerted),
                    "routed": dict(routed),
                    "outcomes": dict(Counter(h.outcome for h, _ in new)),
                },
            )
        )

    # --- reading --------------------------------------------------------------------------
    def find(
        self, principal: Principal, f: HitFilter, *, how: str = "list"
    ) -> tuple[list[Hit], int]:
        hits, total = self.store.find(f)
        query = {"plate": f.plate} if f.plate else {}  # personal data: stored protected
        self.viewed(principal, [h.hit_id for h in hits], how, query)
        return hits, total

    def viewed(
        self,
        principal: Principal,
        hit_ids: list[str],
        how: str,
        query: dict[str, Any] | None = None,
    ) -> None:
        self.ctx.audit.append(
            AuditEvent(
                kind=EventKind.ANPR_HITS_VIEWED,
                actor=actor_of(principal, self.me),
                outcome=how,
                purpose=None,
                justification=None,
                query=query or {},
                datasets=("anpr_hits",),
                record_ids=tuple(hit_ids)[:1000],
                detail={"count": len(hit_ids)},
            )
        )

    def stream_opened(self, principal: Principal) -> None:
        self.viewed(principal, [], "stream")

    def get(self, hit_id: str) -> Hit:
        hit = self.store.get(hit_id)
        if hit is None:
            raise NotFound("no such hit", code="anpr_hit_not_found")
        return hit

    # --- acknowledging --------------------------------------------------------------------
    def dispose(self, principal: Principal, hit_id: str, disposition: str) -> Hit:
        """Record the control room's disposition here and send it to the entry's owner."""
        try:
            value = Disposition(disposition.strip().lower()).value
        except ValueError:
            allowed = ", ".join(d.value for d in Disposition)
            raise InvalidInput(
                "unknown disposition",
                code="anpr_bad_disposition",
                value=disposition,
                allowed=allowed,
            ) from None
        now = self.now()
        with self.ctx.engine.begin() as conn:
            hit = self.store.get(hit_id, conn)
            if hit is None:
                raise NotFound("no such hit", code="anpr_hit_not_found")
            if hit.reporting_country != self.me.value:
                raise Forbidden(
                    "a partner's hit: its control room acknowledges it",
                    code="anpr_hit_not_local",
                    country=hit.reporting_country,
                )
            if hit.disposition == value:
                return hit
            if hit.disposition is not None:
                raise HitConflict("the hit already has a disposition", disposition=hit.disposition)
            self.store.set_disposition(conn, hit_id, value, now, principal.subject)
            if hit.owner_country != self.me.value and hit.duplicate_of is None:
                self.ctx.outbox.enqueue(
                    Country(hit.owner_country),
                    DISPOSITIONS_PATH,
                    {"hit_id": hit_id, "disposition": value, "disposition_at": now.isoformat()},
                    kind="anpr.disposition",
                    key=hit_id,
                    conn=conn,
                )
        self.ctx.outbox.wake()  # after the commit (the outbox's own wake may come before it)
        done = Hit(
            **{
                **hit.row(),
                "disposition": value,
                "disposition_at": now,
                "disposition_by": principal.subject,
            }
        )
        self._disposed(done, actor_of(principal, self.me), "local")
        return done

    def _disposed(self, hit: Hit, actor: Actor, side: str) -> None:
        self.ctx.live.publish(TOPIC_DISPOSITIONS, disposition_data(hit))
        self.ctx.anpr.hotlists.metrics.dispositions.labels(hit.disposition or "", side).inc()
        partner = hit.owner_country if side == "local" else hit.reporting_country
        self.ctx.audit.append(
            AuditEvent(
                kind=EventKind.ANPR_HIT_DISPOSITION,
                actor=actor,
                outcome=hit.disposition or "",
                purpose=None,
                justification=None,
                datasets=("anpr_hits",),
                record_ids=(hit.hit_id,),
                partner=Country(partner) if partner != self.me.value else None,
                detail={"side": side},
            )
        )
