"""Is each partner reachable and trusted? Asked with a signed federation call."""

from __future__ import annotations

from dataclasses import dataclass

from passerelle.domain.countries import Country
from passerelle.node.context import NodeContext


@dataclass(frozen=True)
class PartnerStatus:
    country: Country
    name: str
    base_url: str
    key_id: str
    status: str
    reachable: bool
    trusted: bool
    latency_ms: float | None
    detail: str


async def check_partners(ctx: NodeContext) -> list[PartnerStatus]:
    """Call ``/federation/v1/hello`` on every partner, concurrently, within the deadline.

    *Reachable* means the partner answered; *trusted* means its answer carried a
    valid signature by the key in our trust store and it names the expected
    country and key id.
    """
    partners = ctx.trust.partners()
    results = await ctx.client.fan_out(
        partners, "/federation/v1/hello", {}, ctx.settings.federation.partner_timeout_s
    )
    out: list[PartnerStatus] = []
    for p in partners:
        r = results[p.country]
        reachable = r.status in ("ok", "error", "untrusted")
        trusted = (
            r.status == "ok"
            and r.data is not None
            and r.data.get("country") == p.country.value
            and r.data.get("key_id") == p.key_id
        )
        out.append(
            PartnerStatus(
                country=p.country,
                name=p.name,
                base_url=p.base_url,
                key_id=p.key_id,
                status=r.status,
                reachable=reachable,
                trusted=trusted,
                latency_ms=round(r.latency_ms, 1) if reachable else None,
                detail=r.detail,
            )
        )
    return out
