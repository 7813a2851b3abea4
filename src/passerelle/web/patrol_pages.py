"""The officer's joint patrols page: ``/patrols`` (list, create, start, end).

Calls ``PatrolService`` like the API does. For a patrol of this node the page
shows how each partner node holds its copy: registered, or pending since a
time (the node retries until the partner registers it).
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import structlog
from babel.dates import format_datetime
from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from passerelle.auth.roles import Principal, Role
from passerelle.domain.countries import Country
from passerelle.exc import Forbidden, InvalidInput, PasserelleError
from passerelle.ops.copies import CopyState
from passerelle.ops.patrols import CrewMember, Patrol
from passerelle.ops.service import PatrolChange, PatrolService
from passerelle.web import i18n
from passerelle.web.deps import CtxDep, OptionalPrincipalDep
from passerelle.web.error_texts import N_
from passerelle.web.pages import _check_origin
from passerelle.web.templating import render, request_language

router = APIRouter(include_in_schema=False)
log = structlog.get_logger("passerelle.web")

TIMEZONES = {
    Country.BE: "Europe/Brussels",
    Country.NL: "Europe/Amsterdam",
    Country.LU: "Europe/Luxembourg",
    Country.DE: "Europe/Berlin",
}
STATUS_TEXTS = {"planned": N_("Planned"), "active": N_("Active"), "ended": N_("Ended")}
CHANGE_TEXTS = {
    "created": N_("Patrol created."),
    "started": N_("Patrol started: joint-control checks are open for its crew."),
    "ended": N_("Patrol ended: checks in its name are closed."),
}
SYNC_OK = N_("copy registered")
SYNC_PENDING = N_("not reached yet (pending since {since}): retried until the partner has it")
MAX_TEXT = 200


def _redirect(location: str) -> RedirectResponse:
    return RedirectResponse(location, status_code=303)


def need_officer(request: Request, user: Principal | None, here: str) -> Principal | Response:
    """The signed-in officer or control-room operator; others get 403, strangers sign in."""
    if user is None:
        if request.headers.get("hx-request") == "true":  # session expired under an open page
            return Response(status_code=401, headers={"HX-Redirect": f"/login?next={here}"})
        return _redirect(f"/login?next={here}")
    if not user.has(Role.OFFICER, Role.CONTROL_ROOM):
        raise Forbidden(
            "your role does not allow this", code="role_required", roles="officer, control_room"
        )
    return user


def _need(request: Request, user: Principal | None) -> Principal | Response:
    return need_officer(request, user, "/patrols")


def _when(lang: str, ctx: CtxDep, moment: Any) -> str:
    tz = ZoneInfo(TIMEZONES[ctx.settings.country])
    return format_datetime(moment, "short", tzinfo=tz, locale=lang) if moment else ""


def _sync(lang: str, ctx: CtxDep, copies: dict[str, CopyState]) -> list[dict[str, Any]]:
    out = []
    for country, c in sorted(copies.items()):
        ok = c.state == "registered"
        since = _when(lang, ctx, c.since)
        text = SYNC_OK if ok else SYNC_PENDING
        out.append(
            {
                "country": country,
                "ok": ok,
                "text": i18n.gettext(lang, text).format(since=since),
                "detail": "" if ok else (c.last_error or "")[:MAX_TEXT],
            }
        )
    return out


def _item(
    lang: str, ctx: CtxDep, p: Patrol, user: Principal, copies: dict[str, CopyState]
) -> dict[str, Any]:
    def when(moment: Any) -> str:
        return _when(lang, ctx, moment)

    own = p.origin_country == ctx.settings.country
    may_change = own and (user.has(Role.CONTROL_ROOM) or p.includes(_me(ctx, user)))
    return {
        "patrol_id": p.patrol_id,
        "status": p.status.value,
        "status_text": i18n.gettext(lang, STATUS_TEXTS[p.status.value]),
        "crew": [str(m) for m in p.crew],
        "vehicle": p.vehicle or "",
        "area": p.area or "",
        "origin": p.origin_country.value,
        "started": when(p.started_at),
        "ended": when(p.ended_at),
        "created": when(p.created_at),
        "expires": when(p.expires_at(ctx.patrols.max_active)),
        "shift": " – ".join(x for x in (when(p.planned_start), when(p.planned_end)) if x),
        "sync": _sync(lang, ctx, copies),
        "can_start": may_change and p.status.value == "planned",
        "can_end": may_change and p.status.value != "ended",
    }


def _me(ctx: CtxDep, user: Principal) -> CrewMember:
    return CrewMember(ctx.settings.country, user.subject)


def _page(
    request: Request,
    ctx: CtxDep,
    user: Principal,
    *,
    form: dict[str, str] | None = None,
    change: PatrolChange | None = None,
    change_kind: str | None = None,
    error: str | None = None,
    status: int = 200,
) -> Response:
    lang = request_language(request)
    me = _me(ctx, user)
    found = PatrolService(ctx).find()
    if not user.has(Role.CONTROL_ROOM):
        found = [p for p in found if p.includes(me)]
    own = [p.patrol_id for p in found if p.origin_country == ctx.settings.country]
    states = PatrolService(ctx).copies.states_of(own)
    items = [_item(lang, ctx, p, user, states.get(p.patrol_id, {})) for p in found]
    order = {"active": 0, "planned": 1, "ended": 2}
    items.sort(key=lambda i: (order[i["status"]], i["patrol_id"]))
    done = None
    if change is not None and change_kind is not None:
        done = {
            "patrol_id": change.patrol.patrol_id,
            "text": i18n.gettext(lang, CHANGE_TEXTS.get(change_kind, CHANGE_TEXTS["created"])),
            "sync": _sync(lang, ctx, change.copies),
        }
    context = {
        "items": items,
        "form": form or {"crew": f"{me}, ", "vehicle": "", "area": "", "start": "on"},
        "done": done,
        "error": error,
        "partners": [p.country.value for p in ctx.trust.partners()],
        "me": str(me),
    }
    partial = request.headers.get("hx-request") == "true"
    return render(request, "_patrols_panel.html" if partial else "patrols.html", context, status)


def _local_time(ctx: CtxDep, value: str) -> dt.datetime | None:
    """A shift time typed in the form (``datetime-local``: the node's local time) in UTC."""
    if not value.strip():
        return None
    try:
        moment = dt.datetime.fromisoformat(value.strip()[:40])
    except ValueError:
        raise InvalidInput("not a time", code="time_invalid") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(TIMEZONES[ctx.settings.country]))
    return moment.astimezone(dt.UTC)


def _message(request: Request, e: PasserelleError) -> str:
    return i18n.error_message(request_language(request), e.code, e.params, e.status)


@router.get("/patrols")
def patrols_page(request: Request, ctx: CtxDep, user: OptionalPrincipalDep) -> Response:
    who = _need(request, user)
    if isinstance(who, Response):
        return who
    return _page(request, ctx, who)


@router.post("/patrols")
async def create_patrol(request: Request, ctx: CtxDep, user: OptionalPrincipalDep) -> Response:
    _check_origin(request, ctx)
    who = _need(request, user)
    if isinstance(who, Response):
        return who
    data = await request.form()
    fields = ("crew", "vehicle", "area", "start", "shift_start", "shift_end")
    form = {k: str(data.get(k) or "")[: MAX_TEXT * 4] for k in fields}
    start = form["start"] == "on"
    try:
        crew = [c for c in form["crew"].replace(";", ",").replace("\n", ",").split(",")]
        change = await PatrolService(ctx).create(
            who,
            crew,
            vehicle=form["vehicle"],
            area=form["area"],
            planned_start=_local_time(ctx, form["shift_start"]),
            planned_end=_local_time(ctx, form["shift_end"]),
            start=start,
        )
    except PasserelleError as e:
        log.info("web_patrol", outcome="refused", code=e.code)
        return await run_in_threadpool(
            _page, request, ctx, who, form=form, error=_message(request, e), status=e.status
        )
    kind = "started" if start else "created"
    return await run_in_threadpool(_page, request, ctx, who, change=change, change_kind=kind)


async def _transition(
    request: Request, ctx: CtxDep, user: Principal | None, patrol_id: str, kind: str
) -> Response:
    _check_origin(request, ctx)
    who = _need(request, user)
    if isinstance(who, Response):
        return who
    service = PatrolService(ctx)
    try:
        if kind == "started":
            change = await service.start(who, patrol_id[:40])
        else:
            change = await service.end(who, patrol_id[:40])
    except PasserelleError as e:
        return await run_in_threadpool(
            _page, request, ctx, who, error=_message(request, e), status=e.status
        )
    return await run_in_threadpool(_page, request, ctx, who, change=change, change_kind=kind)


@router.post("/patrols/{patrol_id}/start")
async def start_patrol(
    request: Request, ctx: CtxDep, user: OptionalPrincipalDep, patrol_id: str
) -> Response:
    return await _transition(request, ctx, user, patrol_id, "started")


@router.post("/patrols/{patrol_id}/end")
async def end_patrol(
    request: Request, ctx: CtxDep, user: OptionalPrincipalDep, patrol_id: str
) -> Response:
    return await _transition(request, ctx, user, patrol_id, "ended")
