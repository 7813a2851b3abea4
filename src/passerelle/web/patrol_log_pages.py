"""A joint patrol's log page: ``/patrols/{id}/log`` (checks, incidents, positions on/off).

Calls ``PatrolLogService`` like the API does: the crew at this node and the control
room read it (audited), record incidents and switch positions on or off. Plain forms
(no JavaScript needed); positions themselves come from devices through the API.
"""

from __future__ import annotations

from typing import Any

import structlog
from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from passerelle.auth.roles import Principal
from passerelle.exc import PasserelleError
from passerelle.ops.patrol_log import CATEGORY_TEXTS, MAX_TEXT, IncidentCategory
from passerelle.ops.patrol_log_service import PatrolLogService
from passerelle.web import i18n
from passerelle.web.control_room_panels import Clock
from passerelle.web.deps import CtxDep, OptionalPrincipalDep
from passerelle.web.error_texts import N_
from passerelle.web.pages import _check_origin
from passerelle.web.patrol_pages import STATUS_TEXTS, need_officer
from passerelle.web.templating import render, request_language

router = APIRouter(include_in_schema=False)
log = structlog.get_logger("passerelle.web")
OUTCOME_TEXTS = {
    "hit": N_("Hit"),
    "no_hit": N_("No hit"),
    "refused": N_("Refused"),
    "unavailable": N_("Unavailable"),
    "timeout": N_("Timed out"),
    "error": N_("Error"),
}
KIND_TEXTS = {"person": N_("Person"), "vehicle": N_("Vehicle"), "document": N_("Document")}
DONE_TEXTS = {
    "incident": N_("Incident recorded."),
    "tracking_on": N_("Positions switched on for this patrol."),
    "tracking_off": N_("Positions switched off for this patrol."),
}


def _tr(lang: str, texts: dict[str, str], key: str | None) -> str:
    return i18n.gettext(lang, texts[key]) if key in texts else (key or "")


def _page(
    request: Request,
    ctx: CtxDep,
    user: Principal,
    patrol_id: str,
    *,
    done: str | None = None,
    error: str | None = None,
    form: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    lang = request_language(request)
    clock = Clock(ctx, lang)
    found = PatrolLogService(ctx).read(user, patrol_id[:40])
    p = found.patrol
    entries: list[dict[str, Any]] = []
    for e in found.entries:
        entries.append(
            {
                "kind": e.kind,
                "at": clock.full(e.at),
                "by": e.recorded_by,
                "check_kind": _tr(lang, KIND_TEXTS, e.check_kind),
                "outcome": _tr(lang, OUTCOME_TEXTS, e.outcome),
                "sources": e.sources or "",
                "category": _tr(lang, CATEGORY_TEXTS, e.category),  # type: ignore[arg-type]
                "text": e.text or "",
                "where": f"{e.lat:.5f}, {e.lon:.5f}"
                if e.lat is not None and e.lon is not None
                else "",
            }
        )
    last = found.positions[-1] if found.positions else None
    context = {
        "patrol": {
            "patrol_id": p.patrol_id,
            "status": p.status.value,
            "status_text": i18n.gettext(lang, STATUS_TEXTS[p.status.value]),
            "crew": [str(m) for m in p.crew],
            "vehicle": p.vehicle or "",
            "area": p.area or "",
        },
        "entries": entries,
        "tracking": found.tracking,
        "positions": len(found.positions),
        "last_position": (
            {"at": clock.full(last.at), "where": f"{last.lat:.5f}, {last.lon:.5f}"}
            if last
            else None
        ),
        "categories": [(c.value, i18n.gettext(lang, CATEGORY_TEXTS[c])) for c in IncidentCategory],
        "done": i18n.gettext(lang, DONE_TEXTS[done]) if done in DONE_TEXTS else None,
        "error": error,
        "form": form or {},
        "max_text": MAX_TEXT,
    }
    return render(request, "patrol_log.html", context, status)


@router.get("/patrols/{patrol_id}/log")
def patrol_log_page(
    request: Request, ctx: CtxDep, user: OptionalPrincipalDep, patrol_id: str
) -> Response:
    who = need_officer(request, user, f"/patrols/{patrol_id[:40]}/log")
    if isinstance(who, Response):
        return who
    return _page(request, ctx, who, patrol_id, done=request.query_params.get("done"))


async def _change(
    request: Request, ctx: CtxDep, user: Principal | None, patrol_id: str, what: str
) -> Response:
    _check_origin(request, ctx)
    here = f"/patrols/{patrol_id[:40]}/log"
    who = need_officer(request, user, here)
    if isinstance(who, Response):
        return who
    data = await request.form()
    form = {k: str(data.get(k) or "")[: MAX_TEXT + 10] for k in ("category", "text", "lat", "lon")}
    service = PatrolLogService(ctx)
    try:
        if what == "incident":
            await run_in_threadpool(
                service.add_incident, who, patrol_id[:40], form["category"], form["text"],
                lat=form["lat"] or None, lon=form["lon"] or None,
            )  # fmt: skip
            done = "incident"
        else:
            on = str(data.get("enabled")) == "on"
            await run_in_threadpool(service.set_tracking, who, patrol_id[:40], on)
            done = "tracking_on" if on else "tracking_off"
    except PasserelleError as e:
        log.info("web_patrol_log", outcome="refused", code=e.code)
        message = i18n.error_message(request_language(request), e.code, e.params, e.status)
        return await run_in_threadpool(
            _page, request, ctx, who, patrol_id, error=message, form=form, status=e.status
        )
    return RedirectResponse(f"{here}?done={done}", status_code=303)


@router.post("/patrols/{patrol_id}/log/incidents")
async def record_incident(
    request: Request, ctx: CtxDep, user: OptionalPrincipalDep, patrol_id: str
) -> Response:
    return await _change(request, ctx, user, patrol_id, "incident")


@router.post("/patrols/{patrol_id}/log/tracking")
async def switch_tracking(
    request: Request, ctx: CtxDep, user: OptionalPrincipalDep, patrol_id: str
) -> Response:
    return await _change(request, ctx, user, patrol_id, "tracking")
