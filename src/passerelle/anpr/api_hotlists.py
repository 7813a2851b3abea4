"""``/api/v1/anpr/hotlists``: own hotlists, their entries, sharing with partner nodes.

Contact points, control rooms and administrators manage lists and entries;
analysts may read them too. Entries are validated one by one: the good ones
are stored, each refused one comes back with its translated reason (and is
counted in ``/metrics``). Every listing of entries is audited.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from anyio import to_thread
from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field

from passerelle.anpr.hotlists_own import MAX_BATCH, AddResult, actor_of
from passerelle.anpr.hotlists_store import Hotlist
from passerelle.audit.events import AuditEvent, EventKind
from passerelle.auth.roles import Principal, Role
from passerelle.exc import NotFound
from passerelle.node.context import NodeContext
from passerelle.web.deps import CtxDep, require_roles
from passerelle.web.i18n import error_message
from passerelle.web.templating import request_language

router = APIRouter(prefix="/api/v1/anpr/hotlists", tags=["ANPR: hotlists"])
Manager = Annotated[
    Principal, Depends(require_roles(Role.CONTACT_POINT, Role.CONTROL_ROOM, Role.ADMIN))
]
Reader = Annotated[
    Principal,
    Depends(require_roles(Role.CONTACT_POINT, Role.CONTROL_ROOM, Role.ADMIN, Role.ANALYST)),
]


class HotlistCreate(BaseModel):
    name: str = Field(max_length=200, description="e.g. 'Stolen vehicles Limburg'")
    category: str = Field(
        description="stolen_vehicle, stolen_plate, wanted_person, missing_person or case"
    )
    description: str | None = Field(default=None, max_length=400)
    max_confusions: int | None = Field(
        default=None, ge=0, le=4, description="OCR confusions tolerated (default: the node's)"
    )
    indel: bool | None = Field(default=None, description="Tolerate one missing/extra character")


class HotlistView(BaseModel):
    hotlist_id: str
    name: str
    category: str
    description: str | None
    max_confusions: int | None
    indel: bool | None
    created_at: datetime
    entries: int
    active: int

    @classmethod
    def of(cls, h: Hotlist) -> HotlistView:
        return cls(**{k: getattr(h, k) for k in cls.model_fields})


class EntriesAdd(BaseModel):
    entries: list[dict[str, Any]] = Field(
        max_length=MAX_BATCH,
        description="Each: plate, plate_country?, reason, assessment, expires_at (ISO date or "
        "time), action (alert | discreet_observation), instruction?, contact?, category?, "
        "case_ref?, entry_id? (your reference: sending it again updates the entry)",
    )
    share_with: list[str] = Field(default_factory=list, description="Partner countries")


class ShareBody(BaseModel):
    entry_ids: list[str] = Field(min_length=1, max_length=MAX_BATCH)
    partners: list[str] = Field(min_length=1, max_length=4)


class RemoveBody(BaseModel):
    entry_ids: list[str] = Field(min_length=1, max_length=MAX_BATCH)


def _entries_view(ctx: NodeContext, entries: list[Any]) -> list[dict[str, Any]]:
    hotlists = ctx.anpr.hotlists
    now = hotlists.now()
    shares = hotlists.store.shares_of(e.entry_id for e in entries if e.owner == hotlists.me)
    return [{**e.to_api(now), "shared_with": shares.get(e.entry_id, [])} for e in entries]


def _added(request: Request, ctx: NodeContext, result: AddResult) -> dict[str, Any]:
    lang = request_language(request)
    return {
        "added": _entries_view(ctx, result.added),
        "rejected": [
            {
                "index": r.index,
                "code": r.code,
                "detail": r.detail,
                "message": error_message(lang, r.code, r.params, 422),
                "params": r.params,
            }
            for r in result.rejected
        ],
    }


@router.post("", status_code=201, summary="Create an own hotlist")
async def create_hotlist(body: HotlistCreate, ctx: CtxDep, principal: Manager) -> HotlistView:
    hotlist = await to_thread.run_sync(
        lambda: ctx.anpr.hotlists.create_list(
            principal,
            body.name,
            body.category,
            description=body.description,
            max_confusions=body.max_confusions,
            indel=body.indel,
        )
    )
    return HotlistView.of(hotlist)


@router.get("", summary="Own hotlists (with entry counts) and partners' active entries")
def list_hotlists(ctx: CtxDep, _p: Reader) -> dict[str, Any]:
    hotlists = ctx.anpr.hotlists
    own = [HotlistView.of(h).model_dump(mode="json") for h in hotlists.store.lists(hotlists.now())]
    counts = hotlists.active_counts()
    partners = {c: n for c, n in counts.items() if c != hotlists.me.value}
    return {"hotlists": own, "partners_active": partners}


@router.get("/sync", summary="Per partner: our feed to it and our cursor in its feed")
def sync_status(ctx: CtxDep, _p: Reader) -> dict[str, Any]:
    return ctx.anpr.hotlists.sync_status()


@router.post("/sync", summary="Pull every partner's shared entries now")
async def sync_now(ctx: CtxDep, _p: Manager) -> dict[str, Any]:
    return await ctx.anpr.hotlists.pull_all()


@router.get("/entries", summary="Entries known here (own and partners'), newest change first")
def list_entries(
    ctx: CtxDep,
    principal: Reader,
    owner: Annotated[str | None, Query(max_length=2, description="Owner country")] = None,
    hotlist_id: Annotated[str | None, Query(max_length=40)] = None,
    plate: Annotated[str | None, Query(max_length=32, description="Exact plate")] = None,
    active: Annotated[bool, Query(description="Only active entries")] = True,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, Any]:
    hotlists = ctx.anpr.hotlists
    canonical = None
    if plate:
        from passerelle.anpr.plates import canonical as canon

        canonical = canon(plate)
    entries, total = hotlists.store.find(
        owner=owner.upper() if owner else None,
        hotlist_id=hotlist_id,
        plate=canonical,
        active_at=hotlists.now() if active else None,
        limit=limit,
        offset=offset,
    )
    ctx.audit.append(
        AuditEvent(
            kind=EventKind.ANPR_HOTLIST_VIEWED,
            actor=actor_of(principal, hotlists.me),
            outcome="listed",
            purpose=None,
            justification=None,
            query={"plate": canonical} if canonical else {},
            datasets=("anpr_hotlists",),
            record_ids=tuple(e.entry_id for e in entries),
            detail={"count": len(entries), "total": total},
        )
    )
    return {"items": _entries_view(ctx, entries), "total": total, "offset": offset}


@router.get("/entries/{entry_id}", summary="One entry, with the partners it is shared with")
def get_entry(entry_id: str, ctx: CtxDep, principal: Reader) -> dict[str, Any]:
    entry = ctx.anpr.hotlists.entry(entry_id)
    if entry is None:
        raise NotFound("no such hotlist entry", code="hotlist_entry_not_found")
    ctx.audit.append(
        AuditEvent(
            kind=EventKind.ANPR_HOTLIST_VIEWED,
            actor=actor_of(principal, ctx.settings.country),
            outcome="read",
            purpose=None,
            justification=None,
            datasets=("anpr_hotlists",),
            record_ids=(entry_id,),
        )
    )
    return _entries_view(ctx, [entry])[0]


@router.post("/entries/share", summary="Share own entries with partner nodes")
async def share_entries(body: ShareBody, ctx: CtxDep, principal: Manager) -> dict[str, Any]:
    shares = await to_thread.run_sync(
        ctx.anpr.hotlists.share, principal, body.entry_ids, body.partners
    )
    return {"shared_with": shares}


@router.delete("/entries/{entry_id}/share/{partner}", summary="Stop sharing an entry")
async def unshare_entry(
    entry_id: str, partner: str, ctx: CtxDep, principal: Manager
) -> dict[str, Any]:
    left = await to_thread.run_sync(ctx.anpr.hotlists.unshare, principal, entry_id, partner)
    return {"entry_id": entry_id, "shared_with": left}


@router.post("/entries/remove", summary="Remove own entries (here and at every partner)")
async def remove_entries(body: RemoveBody, ctx: CtxDep, principal: Manager) -> dict[str, Any]:
    gone = await to_thread.run_sync(ctx.anpr.hotlists.remove, principal, body.entry_ids)
    return {"removed": [e.entry_id for e in gone]}


@router.delete("/entries/{entry_id}", summary="Remove one own entry (here and at partners)")
async def remove_entry(entry_id: str, ctx: CtxDep, principal: Manager) -> dict[str, Any]:
    gone = await to_thread.run_sync(ctx.anpr.hotlists.remove, principal, [entry_id])
    return {"removed": [e.entry_id for e in gone]}


@router.post("/{hotlist_id}/entries", summary="Add (or update) entries of an own hotlist")
async def add_entries(
    hotlist_id: str, body: EntriesAdd, request: Request, ctx: CtxDep, principal: Manager
) -> dict[str, Any]:
    result = await to_thread.run_sync(
        ctx.anpr.hotlists.add_entries, principal, hotlist_id, body.entries, body.share_with
    )
    return _added(request, ctx, result)
