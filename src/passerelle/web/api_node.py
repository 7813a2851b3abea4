"""``/api/v1/node``: who this node is, its registers and its partners."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel

from passerelle import __version__
from passerelle.node.partners import PartnerStatus, check_partners
from passerelle.web.deps import CtxDep, PrincipalDep

router = APIRouter(prefix="/api/v1/node", tags=["node"])


class NodeIdentity(BaseModel):
    country: str
    name: str
    base_url: str
    key_id: str
    mode: str
    version: str


@router.get("", response_model=NodeIdentity, summary="This node's identity")
def node_identity(ctx: CtxDep, _p: PrincipalDep) -> dict[str, Any]:
    s = ctx.settings
    return {
        "country": s.country.value,
        "name": s.name,
        "base_url": s.public_url,
        "key_id": ctx.key.key_id,
        "mode": s.mode,
        "version": __version__,
    }


@router.get("/registers", summary="Number of records per register dataset")
def node_registers(ctx: CtxDep, _p: PrincipalDep) -> dict[str, int]:
    return ctx.registers.counts()


@router.get("/partners", summary="Partner reachability and trust")
async def node_partners(ctx: CtxDep, _p: PrincipalDep) -> list[PartnerStatus]:
    return await check_partners(ctx)
