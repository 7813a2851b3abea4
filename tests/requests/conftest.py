"""Live demo nodes for the follow-up request tests.

``net`` starts real nodes (uvicorn on loopback, signed federation between them)
with a fake clock on every node, a police record in the NL register, and
helpers to call each node's API as an officer or a contact point.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from passerelle.auth.roles import Role
from passerelle.demo.layout import DemoNode
from passerelle.domain.countries import Country
from passerelle.node.context import NodeContext
from passerelle.registers.importer import Importer
from passerelle.settings import load_settings
from passerelle.web.app import create_app
from tests.conftest import LiveServer
from tests.node.conftest import make_nodes

__all__ = ["Clock", "Net", "make_nodes", "net", "start_net"]

RECORD: dict[str, str | None] = {
    "record_id": "NL-PR-000123",
    "national_id": "",
    "given_names": "Jan",
    "family_name": "Jansen",
    "birth_date": "1980-02-03",
    "category": "drugs",
    "recorded_on": "2024-01-05",
}


class Clock:
    def __init__(self) -> None:
        self.now = dt.datetime.now(dt.UTC).replace(microsecond=0)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


@dataclass
class Net:
    nodes: dict[Country, DemoNode]
    ctx: dict[Country, NodeContext]
    clock: Clock
    servers: dict[Country, LiveServer] = field(default_factory=dict)
    stack: ExitStack = field(default_factory=ExitStack)

    def url(self, c: Country) -> str:
        return f"http://127.0.0.1:{self.nodes[c].port}"

    def start(self, c: Country) -> None:
        self.servers[c] = self.stack.enter_context(
            LiveServer(create_app(self.ctx[c]), self.nodes[c].port)
        )

    def stop(self, c: Country) -> None:
        srv = self.servers.pop(c)
        srv.__exit__(None, None, None)

    def headers(self, c: Country, role: Role, subject: str) -> dict[str, str]:
        idp = self.ctx[c].idp
        assert idp is not None
        return {"Authorization": f"Bearer {idp.issue(subject, [role])}"}

    def call(
        self,
        c: Country,
        method: str,
        path: str,
        *,
        role: Role = Role.OFFICER,
        subject: str = "officer-1",
        body: Any = None,
        lang: str = "en",
    ) -> httpx.Response:
        headers = {**self.headers(c, role, subject), "Accept-Language": lang}
        return httpx.request(method, self.url(c) + path, json=body, headers=headers, timeout=10)

    def reference(self, provider: Country = Country.NL, requester: Country = Country.BE) -> str:
        return self.ctx[provider].references.issue(
            dataset="police_records",
            record_key=str(RECORD["record_id"]),
            requester=requester,
            check_id="chk-1",
            purpose="joint_control",
        )

    def send(
        self, reference: str, requester: Country = Country.BE, lang: str = "en", **extra: Any
    ) -> httpx.Response:
        body = {
            "country": "NL",
            "reference": reference,
            "justification": "Driver stopped at the joint control in Kerkrade; record on hit.",
            "urgency": "normal",
            "purpose": "joint_control",
            **extra,
        }
        return self.call(requester, "POST", "/api/v1/requests", body=body, lang=lang)


def start_net(
    make: Callable[..., dict[Country, tuple[DemoNode, dict[str, str]]]],
    countries: tuple[Country, ...],
    requests: dict[Country, dict[str, Any]] | None = None,
) -> Net:
    made = make(*countries)
    clock = Clock()
    nodes = {c: made[c][0] for c in countries}
    ctx: dict[Country, NodeContext] = {}
    for c in countries:
        options = {"background_delivery": False, **(requests or {}).get(c, {})}
        settings = load_settings(nodes[c].config, requests=options)
        ctx[c] = NodeContext.build(settings)
        if options.get("background_delivery") is False:
            ctx[c].follow_ups.set_clock(clock)
    report = Importer(ctx[Country.NL].registers, Country.NL).import_rows(
        "police_records", [(1, RECORD)], source="test", mode="append"
    )
    assert report.loaded == 1, report
    net = Net(nodes, ctx, clock)
    for c in countries:
        net.start(c)
    return net


@pytest.fixture
def net(
    make_nodes: Callable[..., dict[Country, tuple[DemoNode, dict[str, str]]]],
) -> Iterator[Net]:
    n = start_net(make_nodes, (Country.BE, Country.NL, Country.LU))
    with n.stack:
        yield n
