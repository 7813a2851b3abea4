"""Demo nodes for the web pages: a BE node with the demo identity provider,
and partner nodes that trust it (started only by the tests that need them)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from passerelle.demo.layout import DemoNode
from passerelle.demo.setup import init_identity, wire_trust, write_config
from passerelle.domain.countries import Country
from passerelle.node.context import NodeContext
from passerelle.settings import load_settings
from passerelle.web.app import create_app


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class WebNodes:
    nodes: dict[Country, DemoNode]
    passwords: dict[Country, str]

    def context(self, country: Country) -> NodeContext:
        return NodeContext.build(load_settings(self.nodes[country].config))


def make_web_nodes(root: Path, *countries: Country) -> WebNodes:
    nodes = {c: DemoNode(c, root / c.value, free_port()) for c in countries}
    keys, passwords = {}, {}
    for node in nodes.values():
        write_config(node)
        key, users = init_identity(node)
        keys[node.country.value] = key
        passwords[node.country] = users["officer"]
    wire_trust(list(nodes.values()), keys)
    return WebNodes(nodes, passwords)


@pytest.fixture(scope="session")
def web_nodes(tmp_path_factory: pytest.TempPathFactory) -> WebNodes:
    """BE, NL and LU demo nodes that trust each other (none running; built once per run)."""
    return make_web_nodes(tmp_path_factory.mktemp("web"), Country.BE, Country.NL, Country.LU)


@dataclass
class Site:
    client: TestClient
    ctx: NodeContext
    password: str

    def login(self, username: str = "officer", password: str | None = None) -> None:
        r = self.client.post(
            "/login",
            data={"username": username, "password": password or self.password},
            follow_redirects=False,
        )
        assert r.status_code == 303, r.text


@pytest.fixture
def site(web_nodes: WebNodes) -> Iterator[Site]:
    """The BE node's web pages in a TestClient (partners not running), fresh context each test."""
    ctx = web_nodes.context(Country.BE)
    with TestClient(create_app(ctx)) as client:
        yield Site(client, ctx, web_nodes.passwords[Country.BE])
