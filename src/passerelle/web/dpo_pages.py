"""The DPO page: search, pairing, misuse indicators, subject access, verification,
retention dry run and the records of processing (Jinja2 + HTMX).

Every page and fragment needs a session with role ``dpo`` (the records of
processing also ``admin``); each use of the audit log is itself logged by
``DpoService`` as a DPO_ACCESS entry.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response, StreamingResponse

from passerelle.audit.events import EventKind
from passerelle.audit.reader import AuditSearch
from passerelle.auth.roles import Principal, Role
from passerelle.domain.purpose import Purpose
from passerelle.dpo.indicators import rules_from
from passerelle.dpo.service import DpoService, record_dict
from passerelle.exc import Forbidden, InvalidInput, PasserelleError
from passerelle.web import i18n
from passerelle.web.deps import CtxDep, OptionalPrincipalDep
from passerelle.web.error_texts import N_
from passerelle.web.pages import _check_origin
from passerelle.web.templating import render, request_language

router = APIRouter(include_in_schema=False)

KIND_TEXTS: dict[str, str] = {
    EventKind.CONSULTATION: N_("Consultation"),
    EventKind.PARTNER_QUERY_SENT: N_("Query sent to a partner"),
    EventKind.PARTNER_QUERY_ANSWERED: N_("Partner query answered"),
    EventKind.PARTNER_QUERY_REFUSED: N_("Partner query refused"),
    EventKind.DISCLOSURE: N_("Disclosure"),
    EventKind.FOLLOW_UP_REQUESTED: N_("Follow-up requested"),
    EventKind.FOLLOW_UP_GRANTED: N_("Follow-up granted"),
    EventKind.FOLLOW_UP_REFUSED: N_("Follow-up refused"),
    EventKind.PATROL_CHANGED: N_("Patrol changed"),
    EventKind.PATROL_LOG: N_("Patrol log"),
    EventKind.PURSUIT: N_("Cross-border pursuit"),
    EventKind.PURSUIT_VIEWED: N_("Pursuit timeline read"),
    EventKind.ANPR_ANALYSIS: N_("ANPR analysis (clones, convoys, journey)"),
    EventKind.COLLECTION: N_("Collection"),
    EventKind.ALTERATION: N_("Alteration"),
    EventKind.ERASURE: N_("Erasure"),
    EventKind.FEDERATION_REJECTED: N_("Partner call rejected"),
    EventKind.SIGN_IN: N_("Sign-in"),
    EventKind.SIGN_IN_FAILED: N_("Failed sign-in"),
    EventKind.DPO_ACCESS: N_("DPO access"),
    EventKind.HEAD_SIGNED: N_("Head signed"),
}
PURPOSE_TEXTS: dict[str, str] = {
    Purpose.JOINT_CONTROL: N_("Joint controls and mixed patrols"),
    Purpose.JOINT_POST: N_("Joint police posts"),
    Purpose.INVESTIGATION: N_("Criminal investigations"),
    Purpose.ANPR_FOLLOWUP: N_("Follow-up of ANPR hits"),
}
STATUS_TEXTS = {
    "deleted": N_("deleted"),
    "would_delete": N_("would be deleted"),
    "not_applicable": N_("not applicable"),
}


def _guard(request: Request, user: Principal | None, *roles: Role) -> Principal | Response:
    """The signed-in DPO, or where to send the browser (sign-in), or Forbidden."""
    if user is None:
        target = f"/login?next={request.url.path}"
        if request.headers.get("hx-request") == "true":
            return Response(status_code=401, headers={"HX-Redirect": target})
        return RedirectResponse(target, status_code=303)
    wanted = roles or (Role.DPO,)
    if not user.has(*wanted):
        raise Forbidden(
            "your role does not allow this",
            code="role_required",
            roles=", ".join(r.value for r in wanted),
        )
    request.state.principal = user
    return user


def _labels(lang: str) -> dict[str, dict[str, str]]:
    def tr(table: dict[str, str]) -> dict[str, str]:
        return {str(k): i18n.gettext(lang, v) for k, v in table.items()}

    return {"kinds": tr(KIND_TEXTS), "purposes": tr(PURPOSE_TEXTS), "status": tr(STATUS_TEXTS)}


def _fragment_error(request: Request, e: PasserelleError) -> Response:
    message = i18n.error_message(request_language(request), e.code, e.params, e.status)
    return render(request, "_dpo_error.html", {"error": message}, status=e.status)


def _local(value: str, zone: str) -> dt.datetime | None:
    """A ``datetime-local`` form value in the node's time zone (empty: no bound)."""
    value = value.strip()
    if not value:
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput("not a date and time", code="invalid_date") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(zone))
    return moment.astimezone(dt.UTC)


def _search_from_form(ctx: CtxDep, form: dict[str, str], offset: int) -> AuditSearch:
    zone = rules_from(ctx.settings).timezone

    def get(name: str, limit: int = 200) -> str | None:
        return (form.get(name) or "").strip()[:limit] or None

    return AuditSearch(
        officer=get("officer"),
        subject=get("subject"),
        dataset=get("dataset", 40),
        partner=get("partner", 2),
        purpose=get("purpose", 40),
        kind=get("kind", 40),
        exchange_id=get("exchange_id", 64),
        since=_local(form.get("since", ""), zone),
        until=_local(form.get("until", ""), zone),
        limit=50,
        offset=max(0, offset),
    )


@router.get("/dpo")
def dpo_page(request: Request, ctx: CtxDep, user: OptionalPrincipalDep) -> Response:
    who = _guard(request, user)
    if isinstance(who, Response):
        return who
    lang = request_language(request)
    context = {
        **_labels(lang),
        "partners": [p.country.value for p in ctx.trust.partners()],
        "rules": rules_from(ctx.settings),
    }
    return render(request, "dpo.html", context)


@router.post("/dpo/search")
async def dpo_search(request: Request, ctx: CtxDep, user: OptionalPrincipalDep) -> Response:
    who = _guard(request, user)
    if isinstance(who, Response):
        return who
    _check_origin(request, ctx)
    form = {k: str(v) for k, v in (await request.form()).items()}
    try:
        offset = int(form.get("offset") or 0)
        q = _search_from_form(ctx, form, offset)
        page = DpoService(ctx).search(who, q, form.get("justification") or None)
    except (PasserelleError, ValueError) as e:
        if isinstance(e, ValueError):
            e = InvalidInput("bad page", code="invalid_input")
        return _fragment_error(request, e)
    context = {
        **_labels(request_language(request)),
        "entries": [record_dict(r) for r in page.records],
        "total": page.total,
        "offset": q.offset,
        "limit": q.limit,
    }
    return render(request, "_dpo_results.html", context)


@router.post("/dpo/export")
async def dpo_export(request: Request, ctx: CtxDep, user: OptionalPrincipalDep) -> Response:
    who = _guard(request, user)
    if isinstance(who, Response):
        return who
    _check_origin(request, ctx)
    form = {k: str(v) for k, v in (await request.form()).items()}
    fmt = "csv" if form.get("format") == "csv" else "jsonl"
    lines = DpoService(ctx).export(who, _search_from_form(ctx, form, 0), fmt)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    name = f"audit-{ctx.settings.country.value}-{stamp}.{fmt}"
    media = "text/csv; charset=utf-8" if fmt == "csv" else "application/x-ndjson"
    return StreamingResponse(
        lines, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


@router.post("/dpo/subject")
def dpo_subject(
    request: Request,
    ctx: CtxDep,
    user: OptionalPrincipalDep,
    subject: Annotated[str, Form()] = "",
) -> Response:
    who = _guard(request, user)
    if isinstance(who, Response):
        return who
    _check_origin(request, ctx)
    try:
        report = DpoService(ctx).subject_access(who, subject[:200])
    except PasserelleError as e:
        return _fragment_error(request, e)
    return render(
        request, "_dpo_subject.html", {**_labels(request_language(request)), "report": report}
    )


@router.get("/dpo/indicators")
def dpo_indicators(request: Request, ctx: CtxDep, user: OptionalPrincipalDep) -> Response:
    who = _guard(request, user)
    if isinstance(who, Response):
        return who
    try:
        result = DpoService(ctx).indicators(who)
    except PasserelleError as e:
        return _fragment_error(request, e)
    context = {
        **_labels(request_language(request)),
        "ind": result,
        "rules": rules_from(ctx.settings),
    }
    return render(request, "_dpo_indicators.html", context)


@router.get("/dpo/verify")
def dpo_verify(request: Request, ctx: CtxDep, user: OptionalPrincipalDep) -> Response:
    who = _guard(request, user)
    if isinstance(who, Response):
        return who
    try:
        report = DpoService(ctx).verify(who)
    except PasserelleError as e:
        return _fragment_error(request, e)
    return render(request, "_dpo_verify.html", {"report": report})


@router.get("/dpo/retention")
def dpo_retention(request: Request, ctx: CtxDep, user: OptionalPrincipalDep) -> Response:
    who = _guard(request, user)
    if isinstance(who, Response):
        return who
    try:
        report = DpoService(ctx).retention_preview(who)
    except PasserelleError as e:
        return _fragment_error(request, e)
    context = {
        **_labels(request_language(request)),
        "report": report,
        "runs": ctx.retention.recent_runs(5),
        "schedule": ctx.settings.retention,
    }
    return render(request, "_dpo_retention.html", context)


@router.get("/dpo/exchanges/{exchange_id}")
def dpo_exchange(
    request: Request, ctx: CtxDep, user: OptionalPrincipalDep, exchange_id: str
) -> Response:
    who = _guard(request, user)
    if isinstance(who, Response):
        return who
    result = DpoService(ctx).exchange(who, exchange_id[:64])
    result["entries"] = [record_dict(r) for r in result["entries"]]
    context = {**_labels(request_language(request)), "exchange": result}
    return render(request, "dpo_exchange.html", context)


@router.get("/dpo/records")
def dpo_records(request: Request, ctx: CtxDep, user: OptionalPrincipalDep) -> Response:
    who = _guard(request, user, Role.DPO, Role.ADMIN)
    if isinstance(who, Response):
        return who
    lang = request_language(request)
    doc = DpoService(ctx).records_of_processing(lang)
    return render(request, "dpo_records.html", {"doc": doc})
