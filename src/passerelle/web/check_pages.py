"""The officer's check page: ``/check`` (person, vehicle or document, one form).

The form posts with HTMX and the answer replaces the panel in place; without
JavaScript the same form posts and the whole page comes back. A refused
input (``PasserelleError`` from ``CheckService``) is shown above the form in
the officer's language, with everything typed kept and the faulty field
marked. The context of the last successful check (purpose, patrol, case
reference, justification) is remembered for the shift in an HttpOnly cookie.
The patrol page lives in ``patrol_pages`` and is included here.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from typing import Any

import structlog
from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic import ValidationError

from passerelle.auth.roles import Principal
from passerelle.checks.api import request_received_at
from passerelle.checks.models import KINDS, CheckContext, CheckRequest
from passerelle.checks.service import CheckService
from passerelle.domain.purpose import Purpose
from passerelle.exc import InvalidInput, PasserelleError
from passerelle.ops.service import PatrolService
from passerelle.web import i18n
from passerelle.web.check_view import answer_view
from passerelle.web.deps import CtxDep, OptionalPrincipalDep
from passerelle.web.error_texts import N_
from passerelle.web.pages import _check_origin
from passerelle.web.patrol_pages import need_officer
from passerelle.web.patrol_pages import router as patrol_router
from passerelle.web.templating import render, request_language

router = APIRouter(include_in_schema=False)
router.include_router(patrol_router)
log = structlog.get_logger("passerelle.web")

CONTEXT_COOKIE = "passerelle_check_context"
SUBJECT_FIELDS: dict[str, tuple[str, ...]] = {
    "person": (
        "given_names", "family_name", "family_name_prefix", "birth_date", "sex", "nationality",
        "national_id", "document_number",
    ),
    "vehicle": ("plate", "plate_country", "vin"),
    "document": ("document_number", "document_type", "issuing_country"),
}  # fmt: skip
CONTEXT_FIELDS = ("purpose", "patrol_id", "case_ref", "justification")
MAX_FIELD = 200
MAX_JUSTIFICATION = 1000
PURPOSE_TEXTS = {
    Purpose.JOINT_CONTROL.value: N_("Joint control"),
    Purpose.JOINT_POST.value: N_("Joint police post"),
    Purpose.INVESTIGATION.value: N_("Criminal investigation"),
    Purpose.ANPR_FOLLOWUP.value: N_("ANPR hit follow-up"),
}
# Which input to mark when the service refuses the check with this code.
ERROR_FIELDS = {
    "invalid_date": "person_birth_date",
    "sex_invalid": "person_sex",
    "plate_invalid": "vehicle_plate",
    "vin_invalid": "vehicle_vin",
    "invalid_document_type": "document_document_type",
    "justification_required": "justification",
    "case_ref_required": "case_ref",
    "unknown_purpose": "purpose",
    "patrol_required": "patrol_id",
    "patrol_unknown": "patrol_id",
    "patrol_not_started": "patrol_id",
    "patrol_ended": "patrol_id",
    "requester_not_in_crew": "patrol_id",
    "reference_invalid": "case_ref",
}
_DAY_FIRST = re.compile(r"(\d{1,2})[./-](\d{1,2})[./-](\d{4})")
_MONTH_FIRST = re.compile(r"(\d{1,2})[./-](\d{4})")


def iso_birth_date(text: str) -> str:
    """Accept what officers type (02/03/1980, 2.3.1980, 03/1980, 02031980) as ISO; else as is."""
    value = text.strip()
    if m := _DAY_FIRST.fullmatch(value):
        return f"{m[3]}-{int(m[2]):02d}-{int(m[1]):02d}"
    if m := _MONTH_FIRST.fullmatch(value):
        return f"{m[2]}-{int(m[1]):02d}"
    if len(value) == 8 and value.isdigit() and not 1800 <= int(value[:4]) <= 2100:
        return f"{value[4:]}-{value[2:4]}-{value[:2]}"
    return value


def _remembered(request: Request, user: Principal) -> dict[str, str]:
    """The context of this officer's last check (another officer's on a shared device: none)."""
    raw = request.cookies.get(CONTEXT_COOKIE)
    if not raw:
        return {}
    try:
        data = json.loads(base64.urlsafe_b64decode(raw.encode()))
    except (ValueError, binascii.Error):
        return {}
    if not isinstance(data, dict) or data.get("sub") != user.subject:
        return {}
    return {k: str(data[k])[:MAX_JUSTIFICATION] for k in CONTEXT_FIELDS if k in data}


def _remember(response: Response, ctx: CtxDep, user: Principal, form: dict[str, str]) -> None:
    kept = {"sub": user.subject, **{k: form.get(k, "") for k in CONTEXT_FIELDS}}
    value = json.dumps(kept, ensure_ascii=False)
    response.set_cookie(
        CONTEXT_COOKIE,
        base64.urlsafe_b64encode(value.encode()).decode(),
        max_age=ctx.settings.oidc.session_minutes * 60,  # one shift
        path="/check",
        secure=ctx.settings.public_url.lower().startswith("https://"),
        httponly=True,
        samesite="strict",
    )


def my_patrols(ctx: CtxDep, user: Principal) -> list[dict[str, Any]]:
    """Active patrols whose crew includes the officer, newest first."""
    active = PatrolService(ctx).for_officer(user)  # active, not past its end or shift length
    active.sort(key=lambda p: p.started_at or p.created_at, reverse=True)
    return [
        {
            "patrol_id": p.patrol_id,
            "crew": ", ".join(str(m) for m in p.crew),
            "vehicle": p.vehicle or "",
        }
        for p in active
    ]


def _blank(request: Request, user: Principal, patrols: list[dict[str, Any]]) -> dict[str, str]:
    kind = request.query_params.get("kind", "person")
    form = {"kind": kind if kind in KINDS else "person", "purpose": Purpose.JOINT_CONTROL.value}
    form.update(_remembered(request, user))
    ids = [p["patrol_id"] for p in patrols]
    if form.get("patrol_id") not in ids:
        form["patrol_id"] = ids[0] if ids else ""
    return form


def _page(
    request: Request,
    ctx: CtxDep,
    user: Principal,
    form: dict[str, str],
    *,
    answer: dict[str, Any] | None = None,
    error: str | None = None,
    error_field: str | None = None,
    status: int = 200,
) -> Response:
    lang = request_language(request)
    context = {
        "form": form,
        "patrols": my_patrols(ctx, user),
        "purposes": [(k, i18n.gettext(lang, t)) for k, t in PURPOSE_TEXTS.items()],
        "answer": answer,
        "error": error,
        "error_field": error_field,
        "own_country": ctx.settings.country.value,
    }
    partial = request.headers.get("hx-request") == "true"
    return render(request, "_check_panel.html" if partial else "check.html", context, status)


@router.get("/check")
def check_page(request: Request, ctx: CtxDep, user: OptionalPrincipalDep) -> Response:
    who = need_officer(request, user, "/check")
    if isinstance(who, Response):
        return who
    form = _blank(request, who, my_patrols(ctx, who))
    return _page(request, ctx, who, form)


async def _read_form(request: Request) -> dict[str, str]:
    data = await request.form()
    form: dict[str, str] = {}
    kind = str(data.get("kind") or "person")
    form["kind"] = kind if kind in KINDS else "person"
    for k, names in SUBJECT_FIELDS.items():
        for name in names:
            form[f"{k}_{name}"] = str(data.get(f"{k}_{name}") or "")[:MAX_FIELD]
    for name in CONTEXT_FIELDS:
        limit = MAX_JUSTIFICATION if name == "justification" else MAX_FIELD
        form[name] = str(data.get(name) or "")[:limit]
    return form


def _request_of(form: dict[str, str]) -> CheckRequest:
    kind = form["kind"]
    subject = {n: form[f"{kind}_{n}"].strip() for n in SUBJECT_FIELDS[kind]}
    if subject.get("birth_date"):
        subject["birth_date"] = iso_birth_date(subject["birth_date"])
    purpose = form["purpose"] or Purpose.JOINT_CONTROL.value
    try:
        context = CheckContext(
            purpose=purpose,
            # a patrol makes only a joint control lawful
            patrol_id=(form["patrol_id"] or None) if purpose == Purpose.JOINT_CONTROL else None,
            case_ref=form["case_ref"] or None,
            justification=form["justification"] or None,
        )
    except ValidationError as e:
        fields = sorted({str(err["loc"][0]) for err in e.errors() if err.get("loc")})
        code = "reference_invalid" if {"case_ref", "patrol_id"} & set(fields) else "context_invalid"
        raise InvalidInput("the check context is not valid", code=code) from None
    return CheckRequest(subject={k: v for k, v in subject.items() if v}, context=context)


@router.post("/check")
async def run_check(request: Request, ctx: CtxDep, user: OptionalPrincipalDep) -> Response:
    _check_origin(request, ctx)
    who = need_officer(request, user, "/check")
    if isinstance(who, Response):
        return who
    form = await _read_form(request)
    lang = request_language(request)
    try:
        response = await CheckService(ctx).run(
            form["kind"], _request_of(form), who, received_at=request_received_at(request)
        )
    except PasserelleError as e:
        log.info("web_check", outcome="refused", code=e.code)
        field = e.params.get("field")
        marked = f"{form['kind']}_{field}" if isinstance(field, str) else ERROR_FIELDS.get(e.code)
        message = i18n.error_message(lang, e.code, e.params, e.status)
        return await run_in_threadpool(
            _page, request, ctx, who, form, error=message, error_field=marked, status=e.status
        )
    answer = answer_view(lang, response, ctx.settings.country.value)
    page = await run_in_threadpool(_page, request, ctx, who, form, answer=answer)
    _remember(page, ctx, who, form)
    return page
