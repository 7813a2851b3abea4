"""The control-room page: ``/control-room`` (pursuits, partners' notifications, patrols on
duty, joint-action boards, ANPR hits), rendered on the server and kept live over SSE.

- ``GET /control-room`` renders every panel (works without JavaScript).
- ``GET /control-room/stream`` is the live stream (``passerelle.node.live``) of the
  topics the page shows; ``static/control-room.js`` re-fetches the panel an event
  concerns (``GET /control-room/panels/{name}``, server-rendered in the page's
  language), shows the banner and beeps when a partner's notification arrives.
- ``POST /control-room/notifications/{id}/ack`` acknowledges a partner's
  notification through the pursuits capability (a form: works without JavaScript).

Only the control-room role opens it. Partners' notifications name who is pursued:
every rendering of that panel is audited (``pursuit_viewed``, one entry per pursuit).
"""

from __future__ import annotations

from typing import Any

import structlog
from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from passerelle.audit.events import EventKind
from passerelle.auth.roles import Principal, Role
from passerelle.exc import Forbidden, NotFound, PasserelleError
from passerelle.node.context import NodeContext
from passerelle.node.live import sse_response
from passerelle.ops.pursuits_notify import NotificationService
from passerelle.web import control_room_panels as panels
from passerelle.web import i18n
from passerelle.web.deps import CtxDep, OptionalPrincipalDep
from passerelle.web.pages import _check_origin
from passerelle.web.templating import render, request_language

router = APIRouter(include_in_schema=False)
log = structlog.get_logger("passerelle.web")
HERE = "/control-room"
MAX_ID = 80


def _need(request: Request, user: Principal | None) -> Principal | Response:
    """The signed-in control-room operator; others get 403, strangers sign in."""
    if user is None:
        if request.headers.get("hx-request") == "true" or request.url.path != HERE:
            return Response(status_code=401, headers={"HX-Redirect": f"/login?next={HERE}"})
        return RedirectResponse(f"/login?next={HERE}", status_code=303)
    if not user.has(Role.CONTROL_ROOM):
        raise Forbidden("your role does not allow this", code="role_required", roles="control_room")
    return user


def _audit_shown(ctx: NodeContext, who: Principal, data: dict[str, Any]) -> None:
    """Partners' notifications name who is pursued (personal data): showing them is audited,
    one entry per pursuit on the panel, before the page leaves (fails closed)."""
    shown = data.get("notifications", {}).get("items", [])
    for pursuit_id in sorted({str(n["pursuit_id"]) for n in shown}):
        ctx.pursuits.audit(
            who,
            "control_room_read",
            pursuit_id,
            kind=EventKind.PURSUIT_VIEWED,
            detail={"notifications": sum(n["pursuit_id"] == pursuit_id for n in shown)},
        )


def _page(
    request: Request,
    ctx: NodeContext,
    who: Principal,
    *,
    error: str | None = None,
    status: int = 200,
) -> Response:
    data = panels.build(ctx, request_language(request))
    _audit_shown(ctx, who, data)
    context = {"panels": data, "panel_names": panels.PANELS, "error": error}
    return render(request, "control_room.html", context, status)


def _panel(
    request: Request, ctx: NodeContext, who: Principal, name: str, status: int = 200, **extra: Any
) -> Response:
    data = panels.build(ctx, request_language(request), (name,))
    _audit_shown(ctx, who, data)
    return render(request, f"control_room_{name}.html", {"panel": data[name], **extra}, status)


@router.get(HERE)
def control_room(request: Request, ctx: CtxDep, user: OptionalPrincipalDep) -> Response:
    who = _need(request, user)
    if isinstance(who, Response):
        return who
    return _page(request, ctx, who)


@router.get(HERE + "/panels/{name}")
def control_room_panel(
    request: Request, ctx: CtxDep, user: OptionalPrincipalDep, name: str
) -> Response:
    who = _need(request, user)
    if isinstance(who, Response):
        return who
    if name not in panels.PANELS:
        raise NotFound("no such panel", code="not_found")
    return _panel(request, ctx, who, name)


@router.get(HERE + "/stream")
def control_room_stream(request: Request, ctx: CtxDep, user: OptionalPrincipalDep) -> Response:
    """Server-sent events of every topic the page shows (``event: <topic>``)."""
    who = _need(request, user)
    if isinstance(who, Response):
        return who
    return sse_response(request, ctx.live, panels.TOPICS)


@router.post(HERE + "/notifications/{notification_id}/ack")
async def acknowledge(
    request: Request, ctx: CtxDep, user: OptionalPrincipalDep, notification_id: str
) -> Response:
    _check_origin(request, ctx)
    who = _need(request, user)
    if isinstance(who, Response):
        return who
    partial = request.headers.get("x-requested-with") == "fetch"
    try:
        await run_in_threadpool(NotificationService(ctx).acknowledge, notification_id[:MAX_ID], who)
    except PasserelleError as e:
        log.info("control_room_ack", outcome="refused", code=e.code)
        message = i18n.error_message(request_language(request), e.code, e.params, e.status)
        if partial:
            return await run_in_threadpool(
                _panel, request, ctx, who, "notifications", e.status, error=message
            )
        return await run_in_threadpool(_page, request, ctx, who, error=message, status=e.status)
    log.info("control_room_ack", outcome="acknowledged")
    if partial:
        return await run_in_threadpool(_panel, request, ctx, who, "notifications")
    return RedirectResponse(HERE, status_code=303)
