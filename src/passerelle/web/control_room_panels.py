"""What each panel of the control-room page shows, from the services that own the data.

Every panel is built from its owner's service (patrols: ``PatrolService`` and
the patrol log; pursuits and partners' notifications: ``PursuitService`` and
``NotificationService``, whose texts are rendered in the page's language;
joint actions: ``ActionService.board``; ANPR hits: the live hub, counted only,
the hits themselves are on the ANPR page). Nothing here decides anything.
Synchronous (database): call from a worker thread or a sync route.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_datetime, format_time

from passerelle.anpr.hits_store import HitFilter, HitStore
from passerelle.node.context import NodeContext
from passerelle.ops.actions_service import ActionService
from passerelle.ops.patrol_live import patrol_summary
from passerelle.ops.patrol_log_service import PatrolLogService
from passerelle.ops.patrols import PatrolStatus
from passerelle.ops.pursuits_notify import NotificationService
from passerelle.ops.pursuits_service import PursuitService
from passerelle.ops.service import PatrolService
from passerelle.web import i18n
from passerelle.web.error_texts import N_
from passerelle.web.patrol_pages import TIMEZONES

PANELS = ("notifications", "pursuits", "patrols", "actions", "anpr")
# which panel each live topic refreshes
TOPIC_PANELS = {
    "ops.notifications": "notifications",
    "ops.pursuits": "pursuits",
    "ops.patrols": "patrols",
    "ops.actions": "actions",
    "anpr.hits": "anpr",
}
TOPICS = list(TOPIC_PANELS)
ANPR_WINDOW = dt.timedelta(hours=1)
ANPR_WAITING_WINDOW = dt.timedelta(hours=24)
ACTION_FIGURES = {
    "persons_checked": N_("Persons checked"),
    "vehicles_checked": N_("Vehicles checked"),
    "hits": N_("Hits"),
    "arrests": N_("Arrests"),
}
ACTION_STATUS = {"planned": N_("Planned"), "running": N_("Running"), "ended": N_("Ended")}
ANPR_PAGE = "/anpr"


RECENT_NOTIFICATIONS = 10


class Clock:
    """Times in the node's time zone, in the page's language."""

    def __init__(self, ctx: NodeContext, lang: str) -> None:
        self.tz = ZoneInfo(TIMEZONES[ctx.settings.country])
        self.lang = lang

    def full(self, moment: Any) -> str:
        value = _moment(moment)
        return format_datetime(value, "short", tzinfo=self.tz, locale=self.lang) if value else ""

    def time(self, moment: Any) -> str:
        value = _moment(moment)
        return format_time(value, "medium", tzinfo=self.tz, locale=self.lang) if value else ""


def _text(lang: str, texts: dict[str, str], key: str) -> str:
    return i18n.gettext(lang, texts[key]) if key in texts else key


def _moment(value: Any) -> dt.datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    try:
        return _moment(dt.datetime.fromisoformat(str(value)))
    except ValueError:
        return None


# --- patrols on duty ---------------------------------------------------------------------------
def patrols(ctx: NodeContext, clock: Clock) -> dict[str, Any]:
    service = PatrolService(ctx)
    on_duty = [p for p in service.find(PatrolStatus.ACTIVE) if not ctx.patrols.is_over(p)]
    counts = PatrolLogService(ctx).counts([p.patrol_id for p in on_duty])
    items = []
    for p in sorted(on_duty, key=lambda p: p.started_at or p.created_at, reverse=True):
        summary = patrol_summary(ctx, p)
        items.append(
            {
                "patrol_id": p.patrol_id,
                "crew": summary["crew"],
                "countries": sorted(c.value for c in p.countries),
                "vehicle": p.vehicle or "",
                "area": p.area or "",
                "origin": p.origin_country.value,
                "started": clock.full(p.started_at),
                "expires": clock.full(summary["expires_at"]),
                "checks": counts[p.patrol_id]["check"],
                "incidents": counts[p.patrol_id]["incident"],
            }
        )
    return {"available": True, "items": items}


# --- notifications from partners and pursuits (the pursuits capability) -------------------------
def notifications(ctx: NodeContext, clock: Clock) -> dict[str, Any]:
    """Partners' notifications received here: those awaiting acknowledgement, then the latest."""
    service = NotificationService(ctx)
    waiting = service.received(active_only=True)
    open_ids = {n.notification_id for n in waiting}
    latest = [
        n for n in service.received(limit=RECENT_NOTIFICATIONS) if n.notification_id not in open_ids
    ]
    items = [
        {
            "notification_id": n.notification_id,
            "pursuit_id": n.pursuit_id,
            "from_country": n.from_country,
            "kind": n.kind,
            "text": service.text(n, clock.lang),
            "acknowledged": n.acknowledged,
            "waiting": n.notification_id in open_ids,
            "escalated": n.escalated,
            "received": clock.time(n.received_at or n.created_at),
            "acknowledged_at": clock.time(n.acknowledged_at),
        }
        for n in [*waiting, *latest]
    ]
    return {"available": True, "items": items, "open": len(waiting)}


def pursuits(ctx: NodeContext, clock: Clock) -> dict[str, Any]:
    """Pursuits this node runs: no subject and no coordinates here (the pursuit's own page
    shows them, and audits that)."""
    items = []
    for p in PursuitService(ctx).active():
        last = p.last_position
        items.append(
            {
                "pursuit_id": p.pursuit_id,
                "reason": p.reason,
                "units": list(p.units),
                "country": p.country or "",
                "seen": clock.time(last.at) if last is not None else "",
                "opened": clock.full(p.opened_at),
            }
        )
    return {"available": True, "items": items}


# --- joint actions (the actions capability) -----------------------------------------------------
def actions(ctx: NodeContext, clock: Clock) -> dict[str, Any]:
    service = ActionService(ctx)
    items = []
    for a in service.active():
        board = service.board(a.action_id)
        totals = board.get("totals", {})
        items.append(
            {
                "action_id": a.action_id,
                "name": a.name,
                "status": str(board.get("status", "")),
                "status_text": _text(clock.lang, ACTION_STATUS, str(board.get("status", ""))),
                "organiser": a.organiser,
                "countries": list(board.get("countries", [])),
                "reporting": list(board.get("reporting", [])),
                "figures": [
                    (i18n.gettext(clock.lang, label), totals[k])
                    for k, label in ACTION_FIGURES.items()
                    if k in totals
                ],
                "updated": clock.time(board.get("updated_at")),
            }
        )
    return {"available": True, "items": items}


# --- ANPR hits: counts and the way to the ANPR page --------------------------------------------
def anpr(ctx: NodeContext, clock: Clock) -> dict[str, Any]:
    """Counts only (no plate): the hits themselves are on the ANPR page, which audits them."""
    now = dt.datetime.now(dt.UTC)
    store = HitStore(ctx.engine)
    _, recent = store.find(HitFilter(since=now - ANPR_WINDOW, limit=0))
    _, waiting = store.find(
        HitFilter(
            since=now - ANPR_WAITING_WINDOW,
            reporting=ctx.settings.country.value,
            disposition="none",
            limit=0,
        )
    )
    held = ctx.live.recent(["anpr.hits"])
    return {
        "available": True,
        "count": recent,
        "waiting": waiting,
        "last": clock.time(held[-1].at) if held else "",
        "page": ANPR_PAGE,
    }


BUILDERS: dict[str, Callable[[NodeContext, Clock], dict[str, Any]]] = {
    "notifications": notifications,
    "pursuits": pursuits,
    "patrols": patrols,
    "actions": actions,
    "anpr": anpr,
}


def build(ctx: NodeContext, lang: str, names: tuple[str, ...] = PANELS) -> dict[str, Any]:
    clock = Clock(ctx, lang)
    return {name: BUILDERS[name](ctx, clock) for name in names}
