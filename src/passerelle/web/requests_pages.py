"""Web pages of follow-up requests.

Officers: ``/requests`` (my requests and a form to send one) and
``/requests/{id}`` (the answer). Contact points: ``/requests/incoming`` (the
queue, soonest deadline first, overdue rows highlighted, refreshed with HTMX)
and ``/requests/incoming/{id}`` (the record, field checkboxes to grant, or a
reason to refuse). The pages call the same service as the API.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from babel.dates import format_datetime, format_timedelta
from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from passerelle.auth.roles import Principal, Role
from passerelle.domain.countries import Country
from passerelle.domain.purpose import Purpose
from passerelle.exc import Forbidden, InvalidInput, PasserelleError
from passerelle.requests.model import FollowUp, Status
from passerelle.requests.wire import NewRequest
from passerelle.web import i18n
from passerelle.web.api_requests import consult_record
from passerelle.web.deps import CtxDep, OptionalPrincipalDep
from passerelle.web.error_texts import N_
from passerelle.web.pages import _check_origin
from passerelle.web.templating import render, request_language

router = APIRouter(include_in_schema=False)

TIMEZONES = {
    Country.BE: "Europe/Brussels",
    Country.NL: "Europe/Amsterdam",
    Country.LU: "Europe/Luxembourg",
    Country.DE: "Europe/Berlin",
}
STATUS_TEXTS = {"pending": N_("Pending"), "granted": N_("Granted"), "refused": N_("Refused")}
URGENCY_TEXTS = {"urgent": N_("Urgent (8 hours)"), "normal": N_("Normal (7 days)")}
PURPOSE_TEXTS = {
    Purpose.JOINT_CONTROL.value: N_("Joint control"),
    Purpose.JOINT_POST.value: N_("Joint police post"),
    Purpose.INVESTIGATION.value: N_("Criminal investigation"),
    Purpose.ANPR_FOLLOWUP.value: N_("ANPR hit follow-up"),
}
DATASET_TEXTS = {
    "population": N_("Population register"),
    "wanted_persons": N_("Wanted and missing persons"),
    "vehicles": N_("Vehicle register"),
    "stolen_vehicles": N_("Stolen vehicles"),
    "documents": N_("Identity documents"),
    "police_records": N_("Police records"),
}


def _redirect(location: str) -> RedirectResponse:
    return RedirectResponse(location, status_code=303)


def _here(request: Request) -> str:
    """This page's path and query, to come back to after signing in."""
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


def _need(user: Principal | None, role: Role, here: str) -> Principal | Response:
    if user is None:
        return _redirect(f"/login?next={quote(here, safe='/')}")
    if not user.has(role):
        raise Forbidden("your role does not allow this", code="role_required", roles=role.value)
    return user


def _label(lang: str, texts: dict[str, str], key: str | None) -> str:
    text = texts.get(key or "")
    return i18n.gettext(lang, text) if text else (key or "—")


def _item(request: Request, ctx: CtxDep, fu: FollowUp) -> dict[str, Any]:
    """A request as the templates show it: translated labels, local times, time left."""
    lang = request_language(request)
    now = ctx.follow_ups.deps.now()
    tz = ZoneInfo(TIMEZONES[ctx.settings.country])

    def when(moment: dt.datetime | None) -> str:
        return format_datetime(moment, "short", tzinfo=tz, locale=lang) if moment else "—"

    left = fu.deadline_at - now
    if fu.status is not Status.PENDING:
        due = ""
    elif left.total_seconds() >= 0:
        due = i18n.fill(i18n.gettext(lang, N_("due in {time}")), {"time": _span(left, lang)})
    else:
        due = i18n.fill(i18n.gettext(lang, N_("overdue by {time}")), {"time": _span(-left, lang)})
    return {
        **fu.summary(now),
        "record": fu.record,
        "status_text": _label(lang, STATUS_TEXTS, fu.status.value),
        "urgency_text": _label(lang, URGENCY_TEXTS, fu.urgency.value),
        "purpose_text": _label(lang, PURPOSE_TEXTS, fu.purpose),
        "dataset_text": _label(lang, DATASET_TEXTS, fu.dataset),
        "created_text": when(fu.created_at),
        "deadline_text": when(fu.deadline_at),
        "answered_text": when(fu.answered_at),
        "due_text": due,
    }


def _span(delta: dt.timedelta, lang: str) -> str:
    return format_timedelta(delta, threshold=1.5, format="long", locale=lang)


def _choices(lang: str, texts: dict[str, str]) -> list[tuple[str, str]]:
    return [(key, i18n.gettext(lang, text)) for key, text in texts.items()]


def _mine(
    request: Request,
    ctx: CtxDep,
    user: Principal,
    *,
    form: dict[str, str] | None = None,
    error: str | None = None,
    status: int = 200,
) -> Response:
    lang = request_language(request)
    items = [_item(request, ctx, fu) for fu in ctx.follow_ups.requester.mine(user)]
    context = {
        "items": items,
        "form": form or {"urgency": "normal", "purpose": Purpose.JOINT_CONTROL.value},
        "error": error,
        "partners": [p.country.value for p in ctx.trust.partners()],
        "urgencies": _choices(lang, URGENCY_TEXTS),
        "purposes": _choices(lang, PURPOSE_TEXTS),
    }
    return render(request, "requests_mine.html", context, status=status)


def _message(request: Request, e: PasserelleError) -> str:
    return i18n.error_message(request_language(request), e.code, e.params, e.status)


@router.get("/requests")
def my_requests(
    request: Request,
    ctx: CtxDep,
    user: OptionalPrincipalDep,
    country: Annotated[str, Query(max_length=2)] = "",
    reference: Annotated[str, Query(max_length=64)] = "",
    purpose: Annotated[str, Query(max_length=40)] = "",
) -> Response:
    who = _need(user, Role.OFFICER, _here(request))
    if isinstance(who, Response):
        return who
    if not reference:
        return _mine(request, ctx, who)
    # prefilled from a hit/no-hit result of the check page (web/check_pages.py)
    form = {
        "country": country.upper(),
        "reference": reference,
        "urgency": "normal",
        "purpose": purpose if purpose in PURPOSE_TEXTS else Purpose.JOINT_CONTROL.value,
    }
    return _mine(request, ctx, who, form=form)


@router.post("/requests")
async def send_request(
    request: Request,
    ctx: CtxDep,
    user: OptionalPrincipalDep,
    country: Annotated[str, Form(max_length=2)] = "",
    reference: Annotated[str, Form(max_length=64)] = "",
    justification: Annotated[str, Form(max_length=2000)] = "",
    urgency: Annotated[str, Form(max_length=10)] = "normal",
    purpose: Annotated[str, Form(max_length=40)] = "",
    case_ref: Annotated[str, Form(max_length=120)] = "",
) -> Response:
    _check_origin(request, ctx)
    who = _need(user, Role.OFFICER, "/requests")
    if isinstance(who, Response):
        return who
    form = {
        "country": country,
        "reference": reference,
        "justification": justification,
        "urgency": urgency,
        "purpose": purpose,
        "case_ref": case_ref,
    }
    try:
        if not reference.strip():
            raise InvalidInput("the reference is missing", code="request_reference_missing")
        body = NewRequest(
            country=country,
            reference=reference.strip(),
            justification=justification,
            urgency="urgent" if urgency == "urgent" else "normal",
            purpose=purpose,
            case_ref=case_ref or None,
        )
        fu = await ctx.follow_ups.requester.send(who, body)
    except PasserelleError as e:
        return _mine(request, ctx, who, form=form, error=_message(request, e), status=e.status)
    return _redirect(f"/requests/{fu.request_id}")


@router.get("/requests/incoming")
def queue_page(
    request: Request,
    ctx: CtxDep,
    user: OptionalPrincipalDep,
    show: Annotated[str, Query(max_length=10)] = "pending",
) -> Response:
    who = _need(user, Role.CONTACT_POINT, "/requests/incoming")
    if isinstance(who, Response):
        return who
    return render(request, "requests_queue.html", _queue(request, ctx, show))


@router.get("/requests/incoming/table")
def queue_table(
    request: Request,
    ctx: CtxDep,
    user: OptionalPrincipalDep,
    show: Annotated[str, Query(max_length=10)] = "pending",
) -> Response:
    if user is None:
        return Response(status_code=401, headers={"HX-Redirect": "/login?next=/requests/incoming"})
    _need(user, Role.CONTACT_POINT, "/requests/incoming")
    return render(request, "_requests_queue.html", _queue(request, ctx, show))


def _queue(request: Request, ctx: CtxDep, show: str) -> dict[str, Any]:
    show = "all" if show == "all" else "pending"
    found = ctx.follow_ups.provider.queue(None if show == "all" else Status.PENDING)
    items = [_item(request, ctx, fu) for fu in found]
    return {"items": items, "show": show, "overdue": sum(1 for i in items if i["overdue"])}


def _answer_page(
    request: Request,
    ctx: CtxDep,
    user: Principal,
    request_id: str,
    *,
    error: str | None = None,
    status: int = 200,
) -> Response:
    fu = ctx.follow_ups.provider.get(request_id[:64])
    detail = consult_record(ctx, user, fu)
    context = {
        "item": _item(request, ctx, fu),
        "fields": detail["fields"],
        "register_record": detail["register_record"],
        "error": error,
    }
    return render(request, "requests_answer.html", context, status=status)


@router.get("/requests/incoming/{request_id}")
def answer_page(
    request: Request, ctx: CtxDep, user: OptionalPrincipalDep, request_id: str
) -> Response:
    who = _need(user, Role.CONTACT_POINT, f"/requests/incoming/{request_id[:64]}")
    if isinstance(who, Response):
        return who
    return _answer_page(request, ctx, who, request_id)


@router.post("/requests/incoming/{request_id}/grant")
async def grant(
    request: Request,
    ctx: CtxDep,
    user: OptionalPrincipalDep,
    request_id: str,
    fields: Annotated[list[str] | None, Form(max_length=64)] = None,
) -> Response:
    _check_origin(request, ctx)
    who = _need(user, Role.CONTACT_POINT, "/requests/incoming")
    if isinstance(who, Response):
        return who
    try:
        await ctx.follow_ups.provider.grant(who, request_id[:64], list(fields or []))
    except PasserelleError as e:
        return _answer_page(
            request, ctx, who, request_id, error=_message(request, e), status=e.status
        )
    return _redirect(f"/requests/incoming/{request_id[:64]}")


@router.post("/requests/incoming/{request_id}/refuse")
async def refuse(
    request: Request,
    ctx: CtxDep,
    user: OptionalPrincipalDep,
    request_id: str,
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    _check_origin(request, ctx)
    who = _need(user, Role.CONTACT_POINT, "/requests/incoming")
    if isinstance(who, Response):
        return who
    try:
        await ctx.follow_ups.provider.refuse(who, request_id[:64], reason)
    except PasserelleError as e:
        return _answer_page(
            request, ctx, who, request_id, error=_message(request, e), status=e.status
        )
    return _redirect(f"/requests/incoming/{request_id[:64]}")


@router.get("/requests/{request_id}")
async def my_request(
    request: Request,
    ctx: CtxDep,
    user: OptionalPrincipalDep,
    request_id: str,
    refresh: Annotated[bool, Query()] = False,
) -> Response:
    who = _need(user, Role.OFFICER, f"/requests/{request_id[:64]}")
    if isinstance(who, Response):
        return who
    requester = ctx.follow_ups.requester
    fu = requester.get_mine(who, request_id[:64])
    if refresh and fu.status is Status.PENDING:
        fu = await requester.pull(fu)
    return render(request, "requests_detail.html", {"item": _item(request, ctx, fu)})
