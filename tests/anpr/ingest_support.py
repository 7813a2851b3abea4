"""Helpers of the ingest tests: a node context on a given database, cameras, reads, entries."""

from __future__ import annotations

import datetime as dt
import socket
from pathlib import Path
from typing import Any

from passerelle.anpr.reads_cameras import Camera
from passerelle.auth.roles import Principal, Role
from passerelle.demo.layout import DemoNode
from passerelle.demo.setup import init_identity, write_config
from passerelle.domain.countries import Country
from passerelle.node.context import NodeContext
from passerelle.settings import load_settings

ADMIN = Principal(
    subject="admin",
    name="Admin",
    roles=frozenset({Role.ADMIN, Role.OFFICER}),
    issuer="test",
    token_id="t-admin",
    expires_at=0,
)
OFFICER = Principal(
    subject="officer",
    name="Officer",
    roles=frozenset({Role.OFFICER}),
    issuer="test",
    token_id="t-officer",
    expires_at=0,
)
CAMERAS = [
    Camera("CAM-E40-1", "E40 Lichtenbusch", "BE", road="E40", lat=50.733, lon=6.125, direction="W"),
    Camera("CAM-A2-1", "A2 Maastricht-Zuid", "NL", road="A2", lat=50.82, lon=5.71, direction="N"),
    Camera("CAM-A76-1", "A76 Heerlen", "NL", road="A76", lat=50.89, lon=5.97, direction="E"),
]


class Clock:
    def __init__(self, now: dt.datetime | None = None) -> None:
        self.now = now or dt.datetime.now(dt.UTC).replace(microsecond=0)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def demo_node(root: Path, country: Country, port: int | None = None) -> DemoNode:
    node = DemoNode(country, root / country.value, port or free_port())
    write_config(node)
    init_identity(node)
    return node


def pair(root: Path, *countries: Country, **anpr: Any) -> dict[Country, NodeContext]:
    """Demo nodes that trust each other (their URLs are their configured ports)."""
    from passerelle.demo.setup import wire_trust
    from passerelle.federation.keys import NodeKey

    nodes = [DemoNode(c, root / c.value, free_port()) for c in countries]
    keys: dict[str, NodeKey] = {}
    for n in nodes:
        write_config(n)
        keys[n.country.value], _ = init_identity(n)
    wire_trust(nodes, keys)
    out = {}
    for n in nodes:
        ctx = NodeContext.build(load_settings(n.config, anpr=anpr))
        ctx.anpr.cameras.upsert(CAMERAS)
        out[n.country] = ctx
    return out


class Recorder:
    """ASGI wrapper keeping (path, body) of every HTTP request a node receives."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.calls: list[tuple[str, bytes]] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        messages, body = [], b""
        while True:
            message = await receive()
            messages.append(message)
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        self.calls.append((scope["path"], body))
        pending = iter(messages)

        async def replay() -> Any:
            return next(pending, None) or await receive()

        await self.app(scope, replay, send)


def make_ctx(
    root: Path,
    country: Country,
    db_url: str | None = None,
    *,
    clock: Clock | None = None,
    cameras: bool = True,
    **anpr: Any,
) -> NodeContext:
    node = demo_node(root, country)
    overrides: dict[str, Any] = {"anpr": anpr}
    if db_url is not None:
        overrides["database"] = {"url": db_url}
    ctx = NodeContext.build(load_settings(node.config, **overrides))
    if clock is not None:
        ctx.anpr.set_clock(clock)
    if cameras:
        ctx.anpr.cameras.upsert(CAMERAS)
    return ctx


def read(
    n: int | str,
    plate: str = "1ABC234",
    *,
    at: dt.datetime,
    camera: str = "CAM-E40-1",
    **extra: Any,
) -> dict[str, Any]:
    return {
        "read_id": f"r-{n}",
        "camera_id": camera,
        "read_at": at.isoformat(),
        "plate": plate,
        "confidence": 0.93,
        "image_ref": f"img://{n}",
        **extra,
    }


def add_entry(
    ctx: NodeContext,
    plate: str,
    country: str | None = None,
    *,
    ref: str = "E1",
    share_with: list[str] | None = None,
) -> str:
    hotlists = ctx.anpr.hotlists
    hotlist = hotlists.create_list(ADMIN, f"Stolen {ref}", "stolen_vehicle")
    result = hotlists.add_entries(
        ADMIN,
        hotlist.hotlist_id,
        [
            {
                "ref": ref,
                "plate": plate,
                "plate_country": country,
                "reason": "stolen vehicle, case 2026/118",
                "assessment": "individual assessment: serious offence, cross-border",
                "contact": "SPOC +32 2 000 00 00",
                "expires_at": (ctx.anpr.now() + dt.timedelta(days=30)).isoformat(),
            }
        ],
        share_with or [],
    )
    assert not result.rejected, result.rejected
    return result.added[0].entry_id
