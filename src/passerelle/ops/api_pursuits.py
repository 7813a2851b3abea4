"""``/api/v1/pursuits``: cross-border pursuits and partners' notifications.

Control rooms open and end pursuits and acknowledge partners' notifications;
units (officers) and control rooms report positions. Reading a pursuit, its
timeline, its export or the notifications about it is audited (``pursuit_viewed``:
they name who is pursued). Notification texts are rendered in the caller's language.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from passerelle.audit.events import EventKind
from passerelle.auth.roles import Principal, Role
from passerelle.ops.pursuits import Outcome, PursuitStatus, Source
from passerelle.ops.pursuits_export import (
    check_format,
    default_language,
    to_csv,
    to_html,
    to_pdf,
)
from passerelle.ops.pursuits_notify import NotificationService
from passerelle.ops.pursuits_service import PursuitService
from passerelle.web.deps import CtxDep, require_roles
from passerelle.web.templating import request_language

router = APIRouter(prefix="/api/v1/pursuits", tags=["operations: cross-border pursuits"])
ControlRoom = Annotated[Principal, Depends(require_roles(Role.CONTROL_ROOM))]
Unit = Annotated[Principal, Depends(require_roles(Role.OFFICER, Role.CONTROL_ROOM))]


class Fix(BaseModel):
    lat: float = Field(ge=-90, le=90, description="Latitude, WGS 84")
    lon: float = Field(ge=-180, le=180, description="Longitude, WGS 84")
    at: datetime | None = Field(default=None, description="Time of the fix (default: now)")
    accuracy_m: float | None = Field(default=None, ge=0, le=100_000)


class PositionIn(Fix):
    source: Literal["api", "phone", "manual"] = "api"


class PursuitOpen(BaseModel):
    subject: str = Field(min_length=1, max_length=300, description="What is pursued")
    reason: str = Field(min_length=1, max_length=300, description="Why")
    units: list[str] = Field(default_factory=list, max_length=12, description="Call signs")
    position: Fix | None = Field(default=None, description="Where it was last seen")


class PursuitEnd(BaseModel):
    outcome: Outcome
    note: str | None = Field(default=None, max_length=500)


def _audit_read(ctx: Any, principal: Principal, pursuit_id: str, what: str) -> None:
    ctx.pursuits.audit(principal, what, pursuit_id, kind=EventKind.PURSUIT_VIEWED)


@router.get("/notifications", summary="Notifications received from (or sent to) partners")
def list_notifications(
    request: Request,
    ctx: CtxDep,
    principal: Unit,
    active_only: Annotated[bool, Query(description="Only those awaiting acknowledgement")] = False,
    direction: Annotated[Literal["in", "out"], Query()] = "in",
) -> list[dict[str, Any]]:
    service = NotificationService(ctx)
    lang = request_language(request)
    found = (
        service.received(active_only)
        if direction == "in"
        else [
            n for n in service.sent() if not active_only or (n.requires_ack and not n.acknowledged)
        ]
    )
    for pursuit_id in sorted({n.pursuit_id for n in found}):  # they name who is pursued
        _audit_read(ctx, principal, pursuit_id, "notifications_listed")
    return [service.view(n, lang) for n in found]


@router.get("/notifications/{notification_id}", summary="One notification")
def get_notification(
    notification_id: str, request: Request, ctx: CtxDep, principal: Unit
) -> dict[str, Any]:
    service = NotificationService(ctx)
    n = service.get(notification_id)
    _audit_read(ctx, principal, n.pursuit_id, "notification_read")
    return service.view(n, request_language(request))


@router.post("/notifications/{notification_id}/ack", summary="Acknowledge a partner's notification")
def acknowledge(
    notification_id: str, request: Request, ctx: CtxDep, principal: ControlRoom
) -> dict[str, Any]:
    service = NotificationService(ctx)
    n = service.acknowledge(notification_id[:40], principal)
    return service.view(n, request_language(request))


@router.post("", status_code=201, summary="Open a pursuit")
def open_pursuit(body: PursuitOpen, ctx: CtxDep, principal: ControlRoom) -> dict[str, Any]:
    fix = body.position
    pursuit = PursuitService(ctx).open(
        principal,
        body.subject,
        body.reason,
        body.units,
        lat=fix.lat if fix else None,
        lon=fix.lon if fix else None,
        at=fix.at if fix else None,
    )
    return PursuitService(ctx).get(pursuit.pursuit_id).to_dict()


@router.get("", summary="Pursuits run by this node (newest first)")
def list_pursuits(
    ctx: CtxDep,
    principal: Unit,
    status: Annotated[PursuitStatus | None, Query()] = None,
) -> list[dict[str, Any]]:
    found = PursuitService(ctx).find(status)
    for p in found:
        _audit_read(ctx, principal, p.pursuit_id, "listed")
    return [p.to_dict() for p in found]


@router.get("/{pursuit_id}", summary="One pursuit")
def get_pursuit(pursuit_id: str, ctx: CtxDep, principal: Unit) -> dict[str, Any]:
    pursuit = PursuitService(ctx).get(pursuit_id)
    _audit_read(ctx, principal, pursuit.pursuit_id, "read")
    return pursuit.to_dict()


@router.post("/{pursuit_id}/positions", status_code=201, summary="Report a position")
def add_position(pursuit_id: str, body: PositionIn, ctx: CtxDep, principal: Unit) -> dict[str, Any]:
    result = PursuitService(ctx).add_position(
        principal,
        pursuit_id,
        body.lat,
        body.lon,
        at=body.at,
        accuracy_m=body.accuracy_m,
        source=Source(body.source),
    )
    return {
        "pursuit_id": result.pursuit.pursuit_id,
        "country": result.pursuit.country,
        "position": result.position.to_dict(),
        "crossing": result.crossing,
        "notifications": [
            {"notification_id": n.notification_id, "to": n.partner_country.value, "kind": n.kind}
            for n in result.notifications
        ],
    }


@router.post("/{pursuit_id}/end", summary="End the pursuit with its outcome")
def end_pursuit(
    pursuit_id: str, body: PursuitEnd, ctx: CtxDep, principal: ControlRoom
) -> dict[str, Any]:
    return PursuitService(ctx).end(principal, pursuit_id, body.outcome, body.note).to_dict()


@router.get("/{pursuit_id}/timeline", summary="The full timeline (JSON, CSV, HTML or PDF)")
def export_timeline(
    pursuit_id: str,
    ctx: CtxDep,
    principal: Unit,
    format: Annotated[str, Query(description="json | csv | html | pdf")] = "json",
    lang: Annotated[
        str | None, Query(description="fr | nl | de | en (default: the partner's)")
    ] = None,
) -> Response:
    check_format(format, lang)
    service = PursuitService(ctx)
    pursuit = service.get(pursuit_id)
    data = service.timeline(pursuit.pursuit_id)
    language = lang or default_language(data, ctx.settings.country.default_language)
    ctx.pursuits.audit(
        principal,
        "exported",
        pursuit.pursuit_id,
        kind=EventKind.PURSUIT_VIEWED,
        detail={"format": format, "lang": language},
    )
    name = f"pursuit-{pursuit.pursuit_id}-{language}"
    if format == "json":
        return JSONResponse({**data, "lang": language})
    if format == "csv":
        return Response(
            to_csv(data, language),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
        )
    if format == "html":
        return Response(to_html(data, language, ctx.settings.name), media_type="text/html")
    return Response(
        to_pdf(data, language, ctx.settings.name),
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}.pdf"'},
    )
