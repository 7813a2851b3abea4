"""``/api/v1/anpr/hits``: the hits list, the live stream, and dispositions.

- ``GET /api/v1/anpr/hits`` — hits recorded here and partners' hits on our
  entries, newest read first; filters and paging; duplicates only on request;
- ``GET /api/v1/anpr/hits/stream`` — server-sent events of topics ``anpr.hits``
  and ``anpr.dispositions`` (``Last-Event-ID`` replays what the node still holds);
- ``POST /api/v1/anpr/hits/{hit_id}/disposition`` — ``{disposition}``: one of
  correct_read, misread, wrong_country, not_actionable; sent to the owner too.

Control rooms, officers and contact points see hits; control rooms and
officers acknowledge them. Every listing and every stream opened is audited.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from anyio import to_thread
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from passerelle.anpr.hits import HitFilter
from passerelle.auth.roles import Principal, Role
from passerelle.node.live import sse_response
from passerelle.web.deps import CtxDep, require_roles

router = APIRouter(prefix="/api/v1/anpr/hits", tags=["ANPR: hits"])
Watcher = Annotated[
    Principal, Depends(require_roles(Role.CONTROL_ROOM, Role.OFFICER, Role.CONTACT_POINT))
]
Acknowledger = Annotated[Principal, Depends(require_roles(Role.CONTROL_ROOM, Role.OFFICER))]
TOPICS = ["anpr.hits", "anpr.dispositions"]


class DispositionBody(BaseModel):
    disposition: str = Field(
        description="correct_read, misread, wrong_country or not_actionable", max_length=40
    )


@router.get("", summary="Hits, newest read first (filters, paging)")
def list_hits(
    ctx: CtxDep,
    principal: Watcher,
    since: Annotated[datetime | None, Query(description="Reads at or after")] = None,
    until: Annotated[datetime | None, Query(description="Reads before")] = None,
    entry_id: Annotated[str | None, Query(max_length=64)] = None,
    plate: Annotated[str | None, Query(max_length=32)] = None,
    owner: Annotated[str | None, Query(max_length=2, description="Owner of the entry")] = None,
    reporting: Annotated[
        str | None, Query(max_length=2, description="Country whose camera read it")
    ] = None,
    disposition: Annotated[
        str | None, Query(max_length=40, description="A disposition, or 'none'")
    ] = None,
    duplicates: Annotated[bool, Query(description="Include linked duplicates")] = False,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, Any]:
    canonical = None
    if plate:
        from passerelle.anpr.plates import canonical as canon

        canonical = canon(plate)
    f = HitFilter(
        since=since,
        until=until,
        entry_id=entry_id,
        plate=canonical,
        owner=owner.upper() if owner else None,
        reporting=reporting.upper() if reporting else None,
        disposition=disposition,
        duplicates=duplicates,
        limit=limit,
        offset=offset,
    )
    hits, total = ctx.anpr.hits.find(principal, f)
    hotlists = ctx.anpr.hotlists
    items = []
    for h in hits:
        entry = hotlists.entry(h.entry_id)
        extra = (
            {
                "category": entry.category,
                "action": entry.action,
                "instruction": entry.instruction,
                "hotlist_name": entry.hotlist_name,
            }
            if entry is not None
            else {}
        )
        items.append({**h.to_api(), **extra})
    return {"items": items, "total": total, "offset": offset}


@router.get("/stream", summary="Live hits and dispositions (server-sent events)")
async def stream_hits(
    request: Request,
    ctx: CtxDep,
    principal: Watcher,
    replay: Annotated[int, Query(ge=0, le=200, description="Send the last n events first")] = 0,
) -> Response:
    await to_thread.run_sync(ctx.anpr.hits.stream_opened, principal)
    return sse_response(request, ctx.live, TOPICS, replay=replay)


@router.get("/{hit_id}", summary="One hit")
def get_hit(hit_id: str, ctx: CtxDep, principal: Watcher) -> dict[str, Any]:
    hit = ctx.anpr.hits.get(hit_id)
    ctx.anpr.hits.viewed(principal, [hit_id], "read")
    return hit.to_api()


@router.post("/{hit_id}/disposition", summary="Acknowledge a hit (also sent to the owner)")
async def dispose_hit(
    hit_id: str, body: DispositionBody, ctx: CtxDep, principal: Acknowledger
) -> dict[str, Any]:
    hit = await to_thread.run_sync(ctx.anpr.hits.dispose, principal, hit_id, body.disposition)
    return hit.to_api()
