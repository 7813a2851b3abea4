"""The control room's ANPR page: ``/anpr`` — hits as they happen, with the owner's instruction.

The list is rendered on the server (it works without JavaScript; a reload
shows new hits), each hit with its plate, outcome, camera site and time, the
plate image reference, the owner's instruction (alert or discreet
observation, category, instruction, contact) and disposition buttons (plain
forms, enhanced by HTMX to replace the card in place). ``static/anpr.js``
opens the live stream (``GET /api/v1/anpr/hits/stream``, server-sent events),
fetches each new hit's card from ``/anpr/hits/{id}/card`` (translated on the
server) and marks it on the map (Leaflet, vendored, no tiles: country borders
and the cameras only). Roles: control room, officer, contact point (see the
hits); control room and officer (acknowledge).
"""

from __future__ import annotations

import json
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from passerelle.anpr.hits_store import Hit, HitFilter
from passerelle.auth.roles import Principal, Role
from passerelle.exc import Forbidden, PasserelleError
from passerelle.web import i18n
from passerelle.web.deps import CtxDep, OptionalPrincipalDep
from passerelle.web.error_texts import N_
from passerelle.web.pages import _check_origin
from passerelle.web.patrol_pages import TIMEZONES
from passerelle.web.templating import render, request_language

router = APIRouter(include_in_schema=False)
LIMIT = 50
WATCHERS = (Role.CONTROL_ROOM, Role.OFFICER, Role.CONTACT_POINT)
ACKNOWLEDGERS = (Role.CONTROL_ROOM, Role.OFFICER)
OUTCOME_TEXTS = {
    "exact": N_("exact match"),
    "fuzzy": N_("close match (possible misread)"),
    "wrong_country": N_("plate matches, country differs"),
}
ACTION_TEXTS = {
    "alert": N_("Alert: intercept if safe"),
    "discreet_observation": N_("Discreet observation: do not stop, report"),
}
CATEGORY_TEXTS = {
    "stolen_vehicle": N_("stolen vehicle"),
    "stolen_plate": N_("stolen plate"),
    "wanted_person": N_("wanted person"),
    "missing_person": N_("missing person"),
    "case": N_("case list"),
}
DISPOSITION_TEXTS = {
    "correct_read": N_("Correct read"),
    "misread": N_("Misread"),
    "wrong_country": N_("Wrong country"),
    "not_actionable": N_("Not actionable"),
}


def _guard(
    request: Request, user: Principal | None, roles: tuple[Role, ...]
) -> Principal | Response:
    if user is None:
        if request.headers.get("hx-request") == "true":
            return Response(status_code=401, headers={"HX-Redirect": "/login?next=/anpr"})
        return RedirectResponse("/login?next=/anpr", status_code=303)
    if not user.has(*roles):
        names = ", ".join(r.value for r in roles)
        raise Forbidden("your role does not allow this", code="role_required", roles=names)
    return user


def card(ctx: CtxDep, lang: str, hit: Hit, user: Principal) -> dict[str, Any]:
    """What the template shows of one hit (translated texts, local time)."""
    entry = ctx.anpr.hotlists.entry(hit.entry_id)
    tz = ZoneInfo(TIMEZONES[ctx.settings.country])

    def tr(table: dict[str, str], key: str | None) -> str:
        return i18n.gettext(lang, table[key]) if key in table else (key or "")

    return {
        "hit_id": hit.hit_id,
        "plate": hit.plate,
        "plate_country": hit.plate_country or "",
        "outcome": hit.outcome,
        "outcome_text": tr(OUTCOME_TEXTS, hit.outcome),
        "score": hit.score,
        "site": hit.site or hit.camera_id,
        "camera_id": hit.camera_id,
        "direction": hit.direction or "",
        "lat": hit.lat,
        "lon": hit.lon,
        "read_at": format_datetime(hit.read_at, "medium", tzinfo=tz, locale=lang),
        "read_at_iso": hit.read_at.isoformat(),
        "image_ref": hit.image_ref or "",
        "owner": hit.owner_country,
        "reporting": hit.reporting_country,
        "received": hit.reporting_country != ctx.settings.country.value,
        "action": entry.action if entry else "",
        "action_text": tr(ACTION_TEXTS, entry.action if entry else None),
        "category_text": tr(CATEGORY_TEXTS, entry.category if entry else None),
        "instruction": (entry.instruction or "") if entry else "",
        "contact": entry.contact if entry else "",
        "hotlist": entry.hotlist_name if entry else "",
        "disposition": hit.disposition or "",
        "disposition_text": tr(DISPOSITION_TEXTS, hit.disposition),
        # the control room of the country whose camera read it acknowledges a hit
        "can_dispose": user.has(*ACKNOWLEDGERS)
        and not hit.disposition
        and hit.reporting_country == ctx.settings.country.value,
    }


def _point(c: dict[str, Any]) -> dict[str, Any] | None:
    if c["lat"] is None or c["lon"] is None:
        return None
    return {k: c[k] for k in ("hit_id", "plate", "lat", "lon", "site", "action", "read_at")}


def _page_context(ctx: CtxDep, lang: str, user: Principal) -> dict[str, Any]:
    hits, total = ctx.anpr.hits.find(user, HitFilter(limit=LIMIT), how="page")
    cards = [card(ctx, lang, h, user) for h in hits]
    cameras = [
        {"id": c.camera_id, "site": c.site, "lat": c.lat, "lon": c.lon}
        for c in ctx.anpr.cameras.all()
        if c.lat is not None and c.lon is not None and c.active
    ]
    points = [p for p in (_point(c) for c in cards) if p is not None]
    return {
        "cards": cards,
        "total": total,
        "limit": LIMIT,
        "dispositions": [(k, i18n.gettext(lang, v)) for k, v in DISPOSITION_TEXTS.items()],
        "map_data": json.dumps({"cameras": cameras, "hits": points}, separators=(",", ":")),
    }


@router.get("/anpr")
async def anpr_page(request: Request, ctx: CtxDep, user: OptionalPrincipalDep) -> Response:
    who = _guard(request, user, WATCHERS)
    if isinstance(who, Response):
        return who
    lang = request_language(request)
    context = await run_in_threadpool(_page_context, ctx, lang, who)
    return render(request, "anpr.html", context)


@router.get("/anpr/hits/{hit_id}/card")
async def hit_card(
    request: Request, ctx: CtxDep, user: OptionalPrincipalDep, hit_id: str
) -> Response:
    """One hit's card (fetched by the page when the stream announces it)."""
    who = _guard(request, user, WATCHERS)
    if isinstance(who, Response):
        return who
    lang = request_language(request)

    def load() -> dict[str, Any]:
        hit = ctx.anpr.hits.get(hit_id[:64])
        ctx.anpr.hits.viewed(who, [hit.hit_id], "live")
        return card(ctx, lang, hit, who)

    c = await run_in_threadpool(load)
    dispositions = [(k, i18n.gettext(lang, v)) for k, v in DISPOSITION_TEXTS.items()]
    context = {"c": c, "dispositions": dispositions, "point": json.dumps(_point(c))}
    return render(request, "_anpr_hit.html", context)


@router.post("/anpr/hits/{hit_id}/disposition")
async def dispose(
    request: Request, ctx: CtxDep, user: OptionalPrincipalDep, hit_id: str
) -> Response:
    """Acknowledge a hit from the page (HTMX: the new card; without JS: back to the list)."""
    _check_origin(request, ctx)
    who = _guard(request, user, ACKNOWLEDGERS)
    if isinstance(who, Response):
        return who
    form = await request.form()
    value = str(form.get("disposition") or "")[:40]
    lang = request_language(request)
    error = None
    try:
        hit = await run_in_threadpool(ctx.anpr.hits.dispose, who, hit_id[:64], value)
    except PasserelleError as e:
        if e.status == 404:
            raise
        error = i18n.error_message(lang, e.code, e.params, e.status)
        hit = await run_in_threadpool(ctx.anpr.hits.get, hit_id[:64])
    if request.headers.get("hx-request") != "true":
        return RedirectResponse(f"/anpr#hit-{hit.hit_id}", status_code=303)
    c = await run_in_threadpool(card, ctx, lang, hit, who)
    dispositions = [(k, i18n.gettext(lang, v)) for k, v in DISPOSITION_TEXTS.items()]
    context = {"c": c, "dispositions": dispositions, "error": error, "point": json.dumps(_point(c))}
    return render(request, "_anpr_hit.html", context)
