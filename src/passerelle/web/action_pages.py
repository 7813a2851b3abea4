"""Joint-action pages: ``/actions`` (list, plan) and ``/actions/{id}`` (live board, results).

The board page draws the checkpoints on the borders with Leaflet (served from
the package, no tiles) and refreshes its figures when the node's live stream
(``/api/v1/actions/stream``, topic ``ops.actions``) says the board changed
(``static/action_board.js``). The result form carries a submission id made
when the form is drawn, so a form sent twice (a tap twice, a network retry)
is registered once. Calls ``ActionService`` like the API does.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

import structlog
from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, RedirectResponse, Response

from passerelle.auth.roles import Principal, Role
from passerelle.exc import Forbidden, PasserelleError
from passerelle.ops import action_texts as tx
from passerelle.ops.action_results import SEIZURE_TYPES, UNITS
from passerelle.ops.actions import METRICS, PARTICIPANT_COUNTRIES, Action, Service
from passerelle.ops.actions_map import extent, geojson
from passerelle.ops.actions_report import parse_languages
from passerelle.ops.actions_service import ActionService
from passerelle.web import i18n
from passerelle.web.deps import CtxDep, OptionalPrincipalDep
from passerelle.web.pages import _check_origin
from passerelle.web.patrol_pages import need_officer
from passerelle.web.templating import render, request_language

router = APIRouter(include_in_schema=False)
log = structlog.get_logger("passerelle.web")
MAX_FIELD = 4000


def _summary(lang: str, service: ActionService, a: Action) -> dict[str, Any]:
    status = a.status(service.now()).value
    return {
        "action_id": a.action_id,
        "name": a.name,
        "status": status,
        "status_text": tx.label(lang, tx.STATUS_TEXTS, status),
        "organiser": a.organiser,
        "period": " – ".join(tx.when(lang, m, a.organiser) for m in (a.starts_at, a.ends_at)),
        "countries": list(a.countries),
        "checkpoints": len(a.checkpoints),
    }


def _list_page(
    request: Request, ctx: CtxDep, user: Principal, form: dict[str, Any] | None = None,
    error: str | None = None, status: int = 200,
) -> Response:  # fmt: skip
    lang = request_language(request)
    service = ActionService(ctx)
    start = dt.datetime.now(dt.UTC).replace(minute=0, second=0, microsecond=0)
    context = {
        "items": [_summary(lang, service, a) for a in service.find()],
        "can_plan": user.has(Role.CONTROL_ROOM),
        "countries": PARTICIPANT_COUNTRIES,
        "services": [(s.value, tx.label(lang, tx.SERVICE_TEXTS, s.value)) for s in Service],
        "metrics": [(m, tx.label(lang, tx.FIGURE_TEXTS, m)) for m in METRICS],
        "form": form
        or {
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start + dt.timedelta(hours=48)).strftime("%Y-%m-%dT%H:%M"),
            "countries": [ctx.settings.country.value],
            "metrics": list(METRICS),
        },
        "error": error,
    }
    return render(request, "actions.html", context, status)


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _checkpoints(text: str) -> list[dict[str, Any]]:
    """One per line: ``ID; name; latitude; longitude``."""
    out: list[dict[str, Any]] = []
    for line in _lines(text):
        parts = [p.strip() for p in line.split(";")]
        parts = [*parts, "", "", "", ""][:4]
        out.append({"checkpoint_id": parts[0], "name": parts[1], "lat": parts[2], "lon": parts[3]})
    return out


@router.get("/actions")
def actions_page(request: Request, ctx: CtxDep, user: OptionalPrincipalDep) -> Response:
    who = need_officer(request, user, "/actions")
    return who if isinstance(who, Response) else _list_page(request, ctx, who)


@router.post("/actions")
async def plan_action(request: Request, ctx: CtxDep, user: OptionalPrincipalDep) -> Response:
    _check_origin(request, ctx)
    who = need_officer(request, user, "/actions")
    if isinstance(who, Response):
        return who
    data = await request.form()
    form: dict[str, Any] = {
        k: str(data.get(k) or "")[:MAX_FIELD]
        for k in ("name", "starts_at", "ends_at", "checkpoints", "objectives", "share_back")
    }
    form["countries"] = [str(c) for c in data.getlist("countries")][:5]
    form["metrics"] = [str(m) for m in data.getlist("metrics")][:10]
    participants = [
        {"country": c, "services": [str(s) for s in data.getlist(f"services_{c}")] or ["police"]}
        for c in form["countries"]
    ]
    tz = tx.TIMEZONES.get(ctx.settings.country.value, "UTC")
    body = {
        "name": form["name"],
        "starts_at": _local(form["starts_at"], tz),
        "ends_at": _local(form["ends_at"], tz),
        "participants": participants,
        "checkpoints": _checkpoints(form["checkpoints"]),
        "objectives": _lines(form["objectives"]),
        "shared_metrics": form["metrics"],
        "share_back": form["share_back"] == "on",
    }
    try:
        if not who.has(Role.CONTROL_ROOM):
            raise Forbidden("control room only", code="role_required", roles="control_room")
        action = await ActionService(ctx).plan(who, body)
    except PasserelleError as e:
        log.info("web_action_plan", outcome="refused", code=e.code)
        message = i18n.error_message(request_language(request), e.code, e.params, e.status)
        return await run_in_threadpool(_list_page, request, ctx, who, form, message, e.status)
    return RedirectResponse(f"/actions/{action.action_id}", status_code=303)


def _local(value: str, tz: str) -> str:
    """A ``datetime-local`` field in the node's time zone, as ISO with offset."""
    from zoneinfo import ZoneInfo

    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return value
    return (moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo(tz))).isoformat()


def board_context(lang: str, service: ActionService, action: Action) -> dict[str, Any]:
    board = service.board(action.action_id)
    columns = [c for c in board["totals"] if c != "seizures"]
    names = {c.checkpoint_id: c.name for c in action.checkpoints}

    def row(label: str, e: dict[str, Any]) -> dict[str, Any]:
        cells = [tx.number(lang, e.get(c, 0), 2 if c == "fines_amount" else 0) for c in columns]
        seized = [
            f"{tx.label(lang, tx.SEIZURE_TEXTS, s['type'])} {tx.quantity(lang, s['quantity'])} "
            f"{tx.label(lang, tx.UNIT_TEXTS, s['unit'])}"
            for s in e.get("seizures", [])
        ]
        return {"label": label, "cells": cells, "seizures": seized}

    return {
        "action": _summary(lang, service, action),
        "headers": [tx.label(lang, tx.FIGURE_TEXTS, c) for c in columns],
        "totals": row("", board["totals"]),
        "by_country": [row(tx.country(lang, k), v) for k, v in board["by_country"].items()],
        "by_checkpoint": [
            row(f"{k} · {names.get(k, '')}", v) for k, v in board["by_checkpoint"].items()
        ],
        "by_hour": [
            row(tx.hour(lang, k, action.organiser), v)
            for k, v in reversed(list(board["by_hour"].items()))
        ][:24],
        "pending": sorted(board["pending"].items()),
        "is_organiser": action.organiser == service.country,
        "updated": tx.when(lang, dt.datetime.fromisoformat(board["updated_at"]), action.organiser)
        if board["updated_at"]
        else "",
    }


def _board_page(
    request: Request, ctx: CtxDep, user: Principal, action_id: str,
    done: dict[str, Any] | None = None, error: str | None = None, status: int = 200,
) -> Response:  # fmt: skip
    lang = request_language(request)
    service = ActionService(ctx)
    action = service.get(action_id)
    me = service.country
    own = action.participant(me)
    guests = [c for c in action.countries if service.is_guest(action, c)]
    countries = ([me] if own else []) + (guests if action.organiser == me else [])
    box = extent(action)
    context = {
        **board_context(lang, service, action),
        "plan": action,
        "participants": [
            (tx.country(lang, p.country), [tx.label(lang, tx.SERVICE_TEXTS, s) for s in p.services])
            for p in action.participants
        ],
        "result_countries": [(c, tx.country(lang, c)) for c in countries],
        "services": [
            (s.value, tx.label(lang, tx.SERVICE_TEXTS, s.value))
            for s in (own.services if own else tuple(Service))
        ],
        "seizure_types": [(k, tx.label(lang, tx.SEIZURE_TEXTS, k)) for k in SEIZURE_TYPES],
        "units": list(UNITS),
        "submission_id": f"web-{uuid.uuid4().hex}",
        "done": done,
        "error": error,
        "report_langs": ",".join(parse_languages(None, action)),
        "bounds": json.dumps([[box.south, box.west], [box.north, box.east]]),
    }
    partial = request.headers.get("hx-request") == "true"
    return render(
        request, "_action_result_form.html" if partial else "action.html", context, status
    )


@router.get("/actions/{action_id}")
def action_page(
    request: Request, ctx: CtxDep, user: OptionalPrincipalDep, action_id: str
) -> Response:
    who = need_officer(request, user, f"/actions/{action_id[:40]}")
    return who if isinstance(who, Response) else _board_page(request, ctx, who, action_id[:40])


@router.get("/actions/{action_id}/board")
def board_panel(
    request: Request, ctx: CtxDep, user: OptionalPrincipalDep, action_id: str
) -> Response:
    who = need_officer(request, user, f"/actions/{action_id[:40]}")
    if isinstance(who, Response):
        return who
    service = ActionService(ctx)
    context = board_context(request_language(request), service, service.get(action_id[:40]))
    return render(request, "_action_board.html", context)


@router.get("/actions/{action_id}/map.geojson")
def action_map(
    request: Request, ctx: CtxDep, user: OptionalPrincipalDep, action_id: str
) -> Response:
    who = need_officer(request, user, f"/actions/{action_id[:40]}")
    if isinstance(who, Response):
        return who
    return JSONResponse(geojson(ActionService(ctx).get(action_id[:40])))


@router.post("/actions/{action_id}/results")
async def register_result(
    request: Request, ctx: CtxDep, user: OptionalPrincipalDep, action_id: str
) -> Response:
    _check_origin(request, ctx)
    who = need_officer(request, user, f"/actions/{action_id[:40]}")
    if isinstance(who, Response):
        return who
    data = await request.form()
    field = {k: str(v)[:MAX_FIELD] for k, v in data.items() if isinstance(v, str)}
    body: dict[str, Any] = {
        k: field.get(k) or 0
        for k in ("persons_checked", "vehicles_checked", "hits", "arrests", "fines_count")
    }
    body.update(
        submission_id=field.get("submission_id"),
        checkpoint_id=field.get("checkpoint_id"),
        service=field.get("service"),
        fines_amount=field.get("fines_amount") or 0,
        note=field.get("note"),
        share=field.get("share") == "on",
        seizures=[
            {"type": field[f"seizure_type_{i}"], "quantity": field.get(f"seizure_qty_{i}"),
             "unit": field.get(f"seizure_unit_{i}")}
            for i in range(3)
            if field.get(f"seizure_type_{i}") and field.get(f"seizure_qty_{i}")
        ],
    )  # fmt: skip
    lang = request_language(request)
    try:
        stored = await ActionService(ctx).register_result(
            who, action_id[:40], body, field.get("country") or None
        )
    except PasserelleError as e:
        log.info("web_action_result", outcome="refused", code=e.code)
        message = i18n.error_message(lang, e.code, e.params, e.status)
        return await run_in_threadpool(
            _board_page, request, ctx, who, action_id[:40], None, message, e.status
        )
    done = {"created": stored.created, "submission_id": stored.result.submission_id}
    return await run_in_threadpool(_board_page, request, ctx, who, action_id[:40], done)
