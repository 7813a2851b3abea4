"""The owner's side of hits: a partner's hit on one of our entries, and its disposition.

Both arrive over the signed federation API from the reporting node's outbox
(``exchange_federation.py``) and may arrive twice: a hit is stored once (its id
and its (reporting node, read, entry) key are unique) and published on this
node's ``anpr.hits`` topic only the first time; a disposition that is already
recorded changes nothing. A hit is accepted only from the node that reports
it, on an entry of ours that was shared with that node.
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any

from passerelle.anpr.hits_store import Hit, HitStore
from passerelle.anpr.hotlists_model import HotlistEntry
from passerelle.audit.events import Actor, AuditEvent, EventKind
from passerelle.domain.countries import Country
from passerelle.exc import Forbidden, InvalidInput

if TYPE_CHECKING:
    from passerelle.node.context import NodeContext

TOPIC_HITS = "anpr.hits"
TOPIC_DISPOSITIONS = "anpr.dispositions"
REQUIRED = (
    "hit_id",
    "read_id",
    "entry_id",
    "reporting_country",
    "outcome",
    "plate",
    "camera_id",
    "read_at",
)
DISPOSITIONS = frozenset({"correct_read", "misread", "wrong_country", "not_actionable"})


def live_data(hit: Hit, entry: HotlistEntry | None) -> dict[str, Any]:
    """The hit as the API returns it, plus what the control room must know of the entry."""
    data = hit.to_api()
    if entry is not None:
        data.update(
            category=entry.category,
            action=entry.action,
            instruction=entry.instruction,
            contact=entry.contact,
            hotlist_name=entry.hotlist_name,
        )
    return data


def disposition_data(hit: Hit) -> dict[str, Any]:
    fields = hit.to_api()
    keys = (
        "hit_id",
        "entry_id",
        "owner_country",
        "reporting_country",
        "disposition",
        "disposition_at",
    )
    return {k: fields[k] for k in keys}


def _when(value: Any, default: dt.datetime | None = None) -> dt.datetime:
    try:
        at = dt.datetime.fromisoformat(str(value))
    except ValueError:
        if default is not None:
            return default
        raise InvalidInput("not a time", code="anpr_hit_malformed") from None
    return at.replace(tzinfo=dt.UTC) if at.tzinfo is None else at.astimezone(dt.UTC)


def _opt(value: Any, limit: int) -> str | None:
    return str(value)[:limit] if value not in (None, "") else None


def _num(value: Any) -> float | None:
    if value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        raise InvalidInput("not a number", code="anpr_hit_malformed") from None


def hit_from_wire(data: Any, now: dt.datetime) -> Hit:
    if not isinstance(data, dict) or any(data.get(k) in (None, "") for k in REQUIRED):
        raise InvalidInput("expected {hit: {...}} with every field", code="anpr_hit_malformed")
    return Hit(
        hit_id=str(data["hit_id"])[:64],
        read_id=str(data["read_id"])[:64],
        entry_id=str(data["entry_id"])[:64],
        owner_country=str(data.get("owner_country") or "")[:2],
        reporting_country=str(data["reporting_country"])[:2],
        outcome=str(data["outcome"])[:16],
        score=_num(data.get("score")) or 0.0,
        plate=str(data["plate"])[:16],
        plate_country=_opt(data.get("plate_country"), 2),
        camera_id=str(data["camera_id"])[:64],
        site=_opt(data.get("site"), 200),
        lat=_num(data.get("lat")),
        lon=_num(data.get("lon")),
        direction=_opt(data.get("direction"), 40),
        read_at=_when(data["read_at"]),
        image_ref=_opt(data.get("image_ref"), 400),
        created_at=now,
    )


class HitsOwnerSide(ABC):
    ctx: NodeContext
    me: Country
    store: HitStore

    @abstractmethod
    def now(self) -> dt.datetime: ...

    @abstractmethod
    def _disposed(self, hit: Hit, actor: Actor, side: str) -> None: ...

    def receive(self, sender: Country, payload: Any) -> dict[str, Any]:
        """A partner's hit on our entry: store once, publish once."""
        hit = hit_from_wire(payload.get("hit") if isinstance(payload, dict) else None, self.now())
        if hit.reporting_country != sender.value or not hit.hit_id.startswith(f"{sender.value}-"):
            raise Forbidden("only the reporting node sends its hits", code="anpr_hit_not_reporter")
        hotlists = self.ctx.anpr.hotlists
        entry = hotlists.entry(hit.entry_id)
        if entry is None or entry.owner != self.me:
            raise Forbidden("the hit is not on an entry of ours", code="anpr_hit_not_ours")
        if not hotlists.store.ever_shared(hit.entry_id, sender):
            raise Forbidden("the entry was never shared with you", code="anpr_hit_not_shared")
        hit = Hit(**{**hit.row(), "owner_country": self.me.value})
        with self.ctx.engine.begin() as conn:
            stored = self.store.insert_new(conn, hit)
        if stored:
            self.ctx.live.publish(TOPIC_HITS, {**live_data(hit, entry), "received": True})
            hotlists.metrics.received.labels(sender.value).inc()
            self.ctx.audit.append(
                AuditEvent(
                    kind=EventKind.ANPR_HIT_RECEIVED,
                    actor=Actor(subject=f"node:{sender.value}", role="node", country=sender),
                    outcome="hit",
                    purpose=None,
                    justification=None,
                    datasets=("anpr_hits",),
                    record_ids=(hit.hit_id, hit.entry_id),
                    partner=sender,
                    exchange_id=hit.hit_id,
                    detail={"outcome": hit.outcome},
                )
            )
        return {"hit_id": hit.hit_id, "stored": stored}

    def receive_disposition(self, sender: Country, payload: Any) -> dict[str, Any]:
        """The reporting node's disposition of a hit on our entry (idempotent)."""
        if not isinstance(payload, dict) or payload.get("disposition") not in DISPOSITIONS:
            raise InvalidInput(
                "expected {hit_id, disposition}",
                code="anpr_bad_disposition",
                value=str(payload.get("disposition") if isinstance(payload, dict) else "")[:40],
                allowed=", ".join(sorted(DISPOSITIONS)),
            )
        hit_id, value = str(payload.get("hit_id") or ""), str(payload["disposition"])
        at = _when(payload.get("disposition_at"), self.now())
        with self.ctx.engine.begin() as conn:
            hit = self.store.get(hit_id, conn)
            if (
                hit is None
                or hit.reporting_country != sender.value
                or hit.owner_country != self.me.value
            ):
                raise Forbidden("no such hit from you", code="anpr_hit_unknown")
            if hit.disposition == value:
                return {"hit_id": hit_id, "disposition": value, "changed": False}
            by = f"node:{sender.value}"
            self.store.set_disposition(conn, hit_id, value, at, by)
        done = Hit(
            **{**hit.row(), "disposition": value, "disposition_at": at, "disposition_by": by}
        )
        self._disposed(done, Actor(subject=by, role="node", country=sender), "owner")
        return {"hit_id": hit_id, "disposition": value, "changed": True}
