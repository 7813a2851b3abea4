"""Fixtures of the ANPR exchange tests: demo nodes with fake clocks, entries, reads.

Real nodes: a node that must answer partners runs as a uvicorn server on
loopback (``Nodes.start``/``stop``); the tests drive outboxes and pulls one round
at a time (``await ctx.outbox.deliver()``), so nothing sleeps.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from passerelle.anpr.hits import HitCandidate
from passerelle.auth.roles import Principal, Role
from passerelle.demo.layout import DemoNode
from passerelle.domain.countries import Country
from passerelle.node.context import NodeContext
from passerelle.settings import load_settings
from passerelle.web.app import create_app
from tests.conftest import LiveServer
from tests.node.conftest import make_nodes

__all__ = ["make_nodes"]

BE, NL = Country.BE, Country.NL
Make = Callable[..., dict[Country, tuple[DemoNode, dict[str, str]]]]
CONTACT = Principal(
    subject="contact",
    name="Contact",
    roles=frozenset({Role.CONTACT_POINT}),
    issuer="test",
    token_id="t-1",
    expires_at=0,
)
CONTROL = Principal(
    subject="control",
    name="Control",
    roles=frozenset({Role.CONTROL_ROOM}),
    issuer="test",
    token_id="t-2",
    expires_at=0,
)


class Clock:
    def __init__(self) -> None:
        self.now = dt.datetime.now(dt.UTC).replace(microsecond=0)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


def entry(plate: str, **extra: Any) -> dict[str, Any]:
    """A good input entry (a week to live) with ``extra`` fields replaced."""
    base: dict[str, Any] = {
        "plate": plate,
        "plate_country": "BE",
        "reason": "vehicle stolen in Liège, 2026-11-20",
        "assessment": "shared under the ANPR agreement: cross-border theft series",
        "expires_at": (dt.datetime.now(dt.UTC) + dt.timedelta(days=7)).isoformat(),
        "action": "alert",
        "instruction": "do not intercept alone; call the contact",
        "contact": "DCA Liège +32 4 000 00 00",
    }
    base.update(extra)
    return {k: v for k, v in base.items() if v is not None}


def read(read_id: str, plate: str, at: dt.datetime, **extra: Any) -> dict[str, Any]:
    return {
        "read_id": read_id,
        "camera_id": "NL-CAM-A2-01",
        "site": "A2 Maastricht-Noord",
        "lat": 50.88,
        "lon": 5.70,
        "direction": "south",
        "read_at": at,
        "plate": plate,
        "plate_raw": plate,
        "plate_country": extra.pop("plate_country", "BE"),
        "country_inferred": False,
        "confidence": 0.93,
        "image_ref": f"img/{read_id}.jpg",
        "hit": True,
        **extra,
    }


def candidates(ctx: NodeContext, reads: list[dict[str, Any]]) -> list[HitCandidate]:
    """Match ``reads`` against the node's live index, as ingest does."""
    index = ctx.anpr.hotlists.index()
    matches = index.match([r["plate"] for r in reads], [r["plate_country"] for r in reads])
    return [
        HitCandidate(read=reads[m.read_idx], entry_id=m.entry_id, outcome=m.outcome, score=m.score)
        for m in matches
    ]


def wait_for(condition: Callable[[], object], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.02)


@dataclass
class Nodes:
    demo: dict[Country, DemoNode]
    ctx: dict[Country, NodeContext]
    clock: dict[Country, Clock]
    servers: dict[Country, LiveServer] = field(default_factory=dict)

    def start(self, c: Country) -> None:
        self.servers[c] = LiveServer(create_app(self.ctx[c]), self.demo[c].port).__enter__()

    def stop(self, c: Country) -> None:
        self.servers.pop(c).__exit__(None, None, None)


def build_nodes(make: Make, *countries: Country, **overrides: Any) -> Nodes:
    made = make(*countries)
    demo = {c: made[c][0] for c in countries}
    ctx = {c: NodeContext.build(load_settings(demo[c].config, **overrides)) for c in countries}
    clock = {c: Clock() for c in countries}
    for c in countries:
        ctx[c].anpr.set_clock(clock[c])
    return Nodes(demo, ctx, clock)


@pytest.fixture
def nodes(make_nodes: Make) -> Iterator[Nodes]:
    n = build_nodes(make_nodes, BE, NL)
    try:
        yield n
    finally:
        for c in list(n.servers):
            n.stop(c)
        for ctx in n.ctx.values():
            ctx.engine.dispose()
