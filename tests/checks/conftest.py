"""Four real demo nodes on loopback for the check tests (module-scoped: built once).

BE, NL and LU run as real uvicorn servers; LU's federation check endpoint is
slowed past every time budget (an ASGI wrapper that delays those requests), and
DE is in every trust store but never started (its port refuses connections).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from passerelle.auth.roles import Role
from passerelle.demo.layout import DemoNode
from passerelle.demo.setup import init_identity, load_registers, wire_trust, write_config
from passerelle.domain.countries import Country
from passerelle.node.context import NodeContext
from passerelle.settings import load_settings
from passerelle.web.app import create_app
from tests.conftest import LiveServer
from tests.node.conftest import free_port

PERSONS = 3000
SEED = 20231001
SLOW_S = 3.0

ASGIApp = Callable[..., Any]


def slowed(app: ASGIApp, prefix: str, delay_s: float) -> ASGIApp:
    """The same app, answering requests under ``prefix`` only after ``delay_s``."""

    async def wrapper(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http" and str(scope.get("path", "")).startswith(prefix):
            await asyncio.sleep(delay_s)
        await app(scope, receive, send)

    return wrapper


@dataclass
class Node:
    country: Country
    demo: DemoNode
    ctx: NodeContext
    url: str

    def token(self, user: str = "officer", *roles: Role) -> str:
        assert self.ctx.idp is not None
        return self.ctx.idp.issue(user, list(roles) or [Role.OFFICER])

    def client(self, user: str = "officer", *roles: Role) -> httpx.Client:
        return httpx.Client(
            base_url=self.url,
            headers={"Authorization": f"Bearer {self.token(user, *roles)}"},
            timeout=20,
        )


@pytest.fixture(scope="module")
def nodes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[Country, Node]]:
    root = tmp_path_factory.mktemp("nodes")
    demos = [DemoNode(c, root / c.value, free_port()) for c in Country]
    keys = {}
    for d in demos:
        write_config(d)
        keys[d.country.value], _ = init_identity(d)
        if d.country is not Country.DE:
            load_registers(d, PERSONS, SEED, lambda _d, _n: None)
    wire_trust(demos, keys)
    out: dict[Country, Node] = {}
    servers: list[LiveServer] = []
    try:
        for d in demos:
            if d.country is Country.DE:
                continue  # in every trust store, never running: "unavailable"
            ctx = NodeContext.build(load_settings(d.config))
            app: ASGIApp = create_app(ctx)
            if d.country is Country.LU:
                app = slowed(app, "/federation/v1/checks", SLOW_S)
            server = LiveServer(app, port=d.port).__enter__()
            servers.append(server)
            out[d.country] = Node(d.country, d, ctx, server.url)
        yield out
    finally:
        for s in servers:
            s.__exit__(None, None, None)


def start_patrol(node: Node, crew: str, user: str = "officer") -> str:
    with node.client(user) as c:
        r = c.post("/api/v1/ops/patrols", json={"crew": crew.split(","), "start": True})
    assert r.status_code == 201, r.text
    patrol_id: str = r.json()["patrol_id"]
    return patrol_id


def check(
    node: Node,
    kind: str,
    subject: dict[str, str],
    *,
    purpose: str = "joint_control",
    patrol_id: str | None = None,
    user: str = "officer",
    **extra: Any,
) -> httpx.Response:
    context: dict[str, Any] = {
        "purpose": purpose,
        "patrol_id": patrol_id,
        "justification": "roadside check near Vaals",
        **extra,
    }
    with node.client(user) as c:
        return c.post(f"/api/v1/checks/{kind}", json={"subject": subject, "context": context})


def data_dir(node: Node) -> Path:
    return node.demo.directory
