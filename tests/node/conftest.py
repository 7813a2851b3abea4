"""Demo-style nodes in a temporary directory, wired to trust each other."""

from __future__ import annotations

import socket
from collections.abc import Callable
from pathlib import Path

import pytest

from passerelle.demo.layout import DemoNode
from passerelle.demo.setup import init_identity, wire_trust, write_config
from passerelle.domain.countries import Country
from passerelle.node.context import NodeContext
from passerelle.settings import load_settings


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def make_nodes(tmp_path: Path) -> Callable[..., dict[Country, tuple[DemoNode, dict[str, str]]]]:
    def make(*countries: Country) -> dict[Country, tuple[DemoNode, dict[str, str]]]:
        nodes = [DemoNode(c, tmp_path / c.value, free_port()) for c in countries]
        keys, out = {}, {}
        for n in nodes:
            write_config(n)
            key, passwords = init_identity(n)
            keys[n.country.value] = key
            out[n.country] = (n, passwords)
        wire_trust(nodes, keys)
        return out

    return make


def build(node: DemoNode) -> NodeContext:
    return NodeContext.build(load_settings(node.config))
