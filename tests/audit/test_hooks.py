"""Refused federation calls and web sign-ins leave audit entries (without personal data)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from passerelle.audit.reader import AuditSearch
from passerelle.domain.countries import Country
from passerelle.node.context import NodeContext
from passerelle.storage.tables import audit_entries
from passerelle.web.app import create_app
from tests.web.conftest import WebNodes, make_web_nodes


@pytest.fixture
def web(tmp_path: Path) -> Iterator[tuple[TestClient, NodeContext, str]]:
    nodes: WebNodes = make_web_nodes(tmp_path, Country.BE)
    ctx = nodes.context(Country.BE)
    with TestClient(create_app(ctx)) as client:
        yield client, ctx, nodes.passwords[Country.BE]


def test_refused_federation_call_is_logged(web: tuple[TestClient, NodeContext, str]) -> None:
    client, ctx, _ = web
    r = client.post(
        "/federation/v1/hello",
        content=b"{}",
        headers={"signature-input": 'sig1=("@method");keyid="NL-0123456789abcdef"'},
    )
    assert r.status_code == 401
    entries = ctx.audit.search(AuditSearch(kind="federation_rejected"))
    assert len(entries) == 1
    entry = entries[0]
    assert entry.partner == "NL" and entry.outcome == "refused"
    assert entry.detail["claimed_key_id"] == "NL-0123456789abcdef"
    assert entry.detail["route"] == "/federation/v1/hello"
    assert not entry.has_query


def test_sign_in_and_failed_sign_in_are_logged(web: tuple[TestClient, NodeContext, str]) -> None:
    client, ctx, password = web
    bad = client.post("/login", data={"username": "officer", "password": "Hunter2-wrong"})
    assert bad.status_code == 401
    good = client.post(
        "/login", data={"username": "officer", "password": password}, follow_redirects=False
    )
    assert good.status_code == 303
    failed = ctx.audit.search(AuditSearch(kind="sign_in_failed"))
    assert len(failed) == 1 and failed[0].actor.subject == "unknown"
    assert ctx.audit.reveal_query(failed[0]) == {"username": "officer"}
    ok = ctx.audit.search(AuditSearch(kind="sign_in"))
    assert len(ok) == 1 and ok[0].actor.subject == "officer" and "officer" in ok[0].actor.role
    with ctx.engine.connect() as conn:
        dump = " ".join(str(v) for row in conn.execute(sa.select(audit_entries)) for v in row)
    assert "Hunter2" not in dump and password not in dump


def test_sign_in_fails_closed_without_the_audit_log(
    web: tuple[TestClient, NodeContext, str],
) -> None:
    client, ctx, password = web
    with ctx.engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE audit_entries"))
    r = client.post(
        "/login", data={"username": "officer", "password": password}, follow_redirects=False
    )
    assert r.status_code == 503
    assert "set-cookie" not in r.headers
