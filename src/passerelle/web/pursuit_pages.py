"""Pursuit pages: ``/pursuits`` (list; the control room opens one) and the unit page.

``/pursuits/{id}`` is made for a phone in a pursuing car: one big button sends
the phone's position every few seconds (``static/pursuit-unit.js``, the
browser's geolocation), and a form takes a position typed in by hand (works
without JavaScript). Each position answers with what became of it: accepted,
kept in time order, or rejected with the reason in the officer's language.
The control room ends the pursuit there with its outcome and exports the
timeline. Every view of a pursuit is audited.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import structlog
from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, RedirectResponse, Response

from passerelle.audit.events import EventKind
from passerelle.auth.roles import Principal, Role
from passerelle.exc import Forbidden, InvalidInput, PasserelleError
from passerelle.ops.pursuits import OUTCOME_TEXTS, Outcome, Pursuit, Source
from passerelle.ops.pursuits_service import PositionResult, PursuitService
from passerelle.ops.pursuits_texts import LOCAL, country_name, local_time, outcome_text
from passerelle.web import i18n
from passerelle.web.deps import CtxDep, OptionalPrincipalDep
from passerelle.web.error_texts import N_
from passerelle.web.pages import _check_origin
from passerelle.web.patrol_pages import need_officer
from passerelle.web.templating import render, request_language

router = APIRouter(include_in_schema=False)
log = structlog.get_logger("passerelle.web")
SEND_EVERY_S = 5
ACCEPTED = N_("Position received: {country}.")
ACCEPTED_LATE = N_("Position received late ({country}): kept in time order.")
CROSSED = N_("Border crossed into {country}: its control room is notified.")
OPENED = N_("Pursuit opened.")
ENDED = N_("Pursuit ended: {outcome}.")


def _float(value: object, what: str) -> float:
    try:
        return float(str(value).replace(",", ".").strip())
    except ValueError:
        raise InvalidInput(f"{what} is not a number", code="position_invalid") from None


def _time(value: object) -> datetime | None:
    """A time typed on the unit page; without an offset it is the region's local time (as
    the page shows times), not UTC — else a fix typed as "now" would be an hour ahead."""
    text = str(value or "").strip()
    if not text:
        return None
    try:
        at = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput("bad time", code="time_invalid") from None
    return at.replace(tzinfo=LOCAL) if at.tzinfo is None else at


def _item(lang: str, p: Pursuit) -> dict[str, Any]:
    last = p.last_position
    return {
        "pursuit_id": p.pursuit_id,
        "status": p.status.value,
        "subject": p.subject,
        "reason": p.reason,
        "units": ", ".join(p.units),
        "country": country_name(lang, p.country) if p.country else "",
        "opened": local_time(p.opened_at, date=True),
        "ended": local_time(p.ended_at, date=True) if p.ended_at else "",
        "outcome": outcome_text(lang, p.outcome.value) if p.outcome else "",
        "last": f"{last.lat:.5f}, {last.lon:.5f} · {local_time(last.at)}" if last else "",
    }


def _list(request: Request, ctx: CtxDep, user: Principal, **extra: Any) -> Response:
    status = int(extra.pop("status", 200))
    lang = request_language(request)
    found = PursuitService(ctx).find()
    if not user.has(Role.CONTROL_ROOM):
        found = [p for p in found if p.active]
    for p in found:
        ctx.pursuits.audit(user, "listed", p.pursuit_id, kind=EventKind.PURSUIT_VIEWED)
    context = {
        "items": [_item(lang, p) for p in found],
        "control_room": user.has(Role.CONTROL_ROOM),
        "form": extra.pop("form", None) or {},
        **extra,
    }
    return render(request, "pursuits.html", context, status)


def _unit(request: Request, ctx: CtxDep, user: Principal, pid: str, **extra: Any) -> Response:
    status = int(extra.pop("status", 200))
    lang = request_language(request)
    service = PursuitService(ctx)
    pursuit = service.get(pid)
    ctx.pursuits.audit(user, "read", pursuit.pursuit_id, kind=EventKind.PURSUIT_VIEWED)
    recent = service.positions(pursuit.pursuit_id)[-10:]
    context = {
        "p": _item(lang, pursuit),
        "active": pursuit.active,
        "control_room": user.has(Role.CONTROL_ROOM),
        "outcomes": [(o.value, i18n.gettext(lang, OUTCOME_TEXTS[o])) for o in Outcome],
        "recent": [
            {
                "at": local_time(x.at),
                "where": f"{x.lat:.5f}, {x.lon:.5f}",
                "country": country_name(lang, x.territory),
                "status": x.status,
                "late": x.late,
                "why": i18n.error_message(lang, x.reason, x.params) if x.reason else "",
            }
            for x in reversed(recent)
        ],
        "every_s": SEND_EVERY_S,
        **extra,
    }
    return render(request, "pursuit.html", context, status)


def _said(lang: str, result: PositionResult) -> str:
    country = country_name(lang, result.position.territory)
    if result.crossing and result.notifications:
        return i18n.fill(i18n.gettext(lang, CROSSED), {"country": country})
    text = ACCEPTED_LATE if result.position.late else ACCEPTED
    return i18n.fill(i18n.gettext(lang, text), {"country": country})


def _message(request: Request, e: PasserelleError) -> str:
    return i18n.error_message(request_language(request), e.code, e.params, e.status)


@router.get("/pursuits")
def pursuits_page(request: Request, ctx: CtxDep, user: OptionalPrincipalDep) -> Response:
    who = need_officer(request, user, "/pursuits")
    if isinstance(who, Response):
        return who
    return _list(request, ctx, who)


@router.post("/pursuits")
async def open_pursuit(request: Request, ctx: CtxDep, user: OptionalPrincipalDep) -> Response:
    _check_origin(request, ctx)
    who = need_officer(request, user, "/pursuits")
    if isinstance(who, Response):
        return who
    data = await request.form()
    form = {k: str(data.get(k) or "")[:300] for k in ("subject", "reason", "units", "lat", "lon")}
    try:
        if not who.has(Role.CONTROL_ROOM):
            raise Forbidden("control room only", code="role_required", roles="control_room")
        lat = _float(form["lat"], "latitude") if form["lat"].strip() else None
        lon = _float(form["lon"], "longitude") if form["lon"].strip() else None
        service = PursuitService(ctx)
        pursuit = await run_in_threadpool(
            service.open, who, form["subject"], form["reason"], form["units"], lat=lat, lon=lon
        )
    except PasserelleError as e:
        return await run_in_threadpool(
            _list, request, ctx, who, form=form, error=_message(request, e), status=e.status
        )
    return RedirectResponse(f"/pursuits/{pursuit.pursuit_id}", status_code=303)


@router.get("/pursuits/{pursuit_id}")
def unit_page(
    request: Request, ctx: CtxDep, user: OptionalPrincipalDep, pursuit_id: str
) -> Response:
    who = need_officer(request, user, f"/pursuits/{pursuit_id[:40]}")
    if isinstance(who, Response):
        return who
    return _unit(request, ctx, who, pursuit_id[:40])


@router.post("/pursuits/{pursuit_id}/positions")
async def send_position(
    request: Request, ctx: CtxDep, user: OptionalPrincipalDep, pursuit_id: str
) -> Response:
    """A position from the unit page: JSON answer for the script, the page for the form."""
    _check_origin(request, ctx)
    wants_json = "application/json" in request.headers.get("accept", "")
    pid = pursuit_id[:40]
    who = need_officer(request, user, f"/pursuits/{pid}")
    if isinstance(who, Response):
        return who
    data = await request.form()
    lang = request_language(request)
    source = Source.PHONE if str(data.get("source")) == "phone" else Source.MANUAL
    try:
        lat, lon = _float(data.get("lat"), "latitude"), _float(data.get("lon"), "longitude")
        accuracy = str(data.get("accuracy_m") or "").strip()
        result = await run_in_threadpool(
            lambda: PursuitService(ctx).add_position(
                who,
                pid,
                lat,
                lon,
                at=_time(data.get("at")),
                accuracy_m=_float(accuracy, "accuracy") if accuracy else None,
                source=source,
            )
        )
    except PasserelleError as e:
        log.info("web_pursuit_position", outcome="refused", code=e.code)
        if wants_json:
            body = {"ok": False, "code": e.code, "message": _message(request, e)}
            return JSONResponse(body, status_code=e.status)
        return await run_in_threadpool(
            _unit, request, ctx, who, pid, error=_message(request, e), status=e.status
        )
    said = _said(lang, result)
    if wants_json:
        body = {"ok": True, "message": said, "country": result.position.territory}
        return JSONResponse(body, status_code=201)
    return await run_in_threadpool(_unit, request, ctx, who, pid, done=said)


@router.post("/pursuits/{pursuit_id}/end")
async def end_pursuit(
    request: Request, ctx: CtxDep, user: OptionalPrincipalDep, pursuit_id: str
) -> Response:
    _check_origin(request, ctx)
    pid = pursuit_id[:40]
    who = need_officer(request, user, f"/pursuits/{pid}")
    if isinstance(who, Response):
        return who
    data = await request.form()
    lang = request_language(request)
    try:
        if not who.has(Role.CONTROL_ROOM):
            raise Forbidden("control room only", code="role_required", roles="control_room")
        outcome, note = str(data.get("outcome") or ""), str(data.get("note") or "")[:500]
        ended = await run_in_threadpool(PursuitService(ctx).end, who, pid, outcome, note)
    except PasserelleError as e:
        return await run_in_threadpool(
            _unit, request, ctx, who, pid, error=_message(request, e), status=e.status
        )
    said = i18n.fill(
        i18n.gettext(lang, ENDED),
        {"outcome": outcome_text(lang, ended.outcome.value if ended.outcome else None)},
    )
    return await run_in_threadpool(_unit, request, ctx, who, pid, done=said)
