"""The crime API and the analyst page on a demo node holding the synthetic incidents."""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator
from typing import Any

import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient

from passerelle.auth.roles import Role
from passerelle.crime.demo import demo_frame
from passerelle.crime.store import CrimeStore
from passerelle.domain.countries import Country
from passerelle.node.context import NodeContext
from passerelle.web.app import create_app
from tests.node.conftest import build

Make = Callable[..., dict[Country, Any]]


@pytest.fixture(scope="module")
def incidents() -> Any:
    return demo_frame(5, 6_000)


@pytest.fixture
def nl(make_nodes: Make, incidents: Any) -> Iterator[tuple[TestClient, NodeContext]]:
    node, _ = make_nodes(Country.NL)[Country.NL]
    ctx = build(node)
    CrimeStore(ctx.engine).load(incidents, source_name="t", source_format="canonical", rejected=0)
    with TestClient(create_app(ctx)) as client:
        yield client, ctx


def auth(ctx: NodeContext, *roles: Role) -> dict[str, str]:
    assert ctx.idp is not None
    return {"Authorization": f"Bearer {ctx.idp.issue('ana', list(roles))}"}


def test_api_needs_the_analyst_role(nl: tuple[TestClient, NodeContext]) -> None:
    client, ctx = nl
    assert client.get("/api/v1/crime/summary").status_code == 401
    r = client.get("/api/v1/crime/summary", headers=auth(ctx, Role.OFFICER))
    assert r.status_code == 403 and r.json()["error"]["code"] == "role_required"


def test_hotspots_show_the_cross_border_cluster(nl: tuple[TestClient, NodeContext]) -> None:
    client, ctx = nl
    h = auth(ctx, Role.ANALYST)
    s = client.get("/api/v1/crime/summary", headers=h).json()
    assert {c["country"] for c in s["countries"]} == {"NL", "BE", "DE"}
    gj = client.get(
        "/api/v1/crime/hotspots", params={"iccs": "05012", "permutations": 199}, headers=h
    ).json()
    assert gj["type"] == "FeatureCollection" and gj["features"]
    cb = gj["properties"]["cross_border"]
    assert cb and {"NL", "DE"} <= set(cb[0]["countries"])
    bad = client.get("/api/v1/crime/hotspots", params={"iccs": "99999"}, headers=h)
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "crime_bad_iccs"


def test_near_repeat_and_trends(nl: tuple[TestClient, NodeContext]) -> None:
    client, ctx = nl
    h = auth(ctx, Role.ANALYST)
    nr = client.get("/api/v1/crime/near-repeat", params={"iccs": "05012"}, headers=h).json()
    assert nr["rows"][0] == "0 m" and nr["rows"][-1].startswith("≥")
    assert nr["knox_ratio"][1][0] > 1.3
    t = client.get("/api/v1/crime/trends", params={"level": 3}, headers=h).json()
    assert any(c["iccs"] == "05012" for c in t["classes"])


def test_exports_and_reports(nl: tuple[TestClient, NodeContext]) -> None:
    client, ctx = nl
    h = auth(ctx, Role.ANALYST)
    base = {"iccs": "05012", "permutations": 99}
    r = client.get(
        "/api/v1/crime/hotspots/export", params={**base, "format": "geoparquet"}, headers=h
    )
    assert r.status_code == 200
    t = pq.read_table(io.BytesIO(r.content))
    assert b"geo" in t.schema.metadata and t.num_rows > 0
    r = client.get("/api/v1/crime/hotspots/export", params={**base, "format": "csv"}, headers=h)
    assert r.text.splitlines()[0].startswith("cell,count")
    for lang, word in (
        ("fr", "Période"),
        ("nl", "Periode"),
        ("de", "Zeitraum"),
        ("en", "Time span"),
    ):
        r = client.get("/api/v1/crime/report", params={"lang": lang}, headers=h)
        assert r.status_code == 200 and "attachment" in r.headers["content-disposition"]
        assert f'<html lang="{lang}">' in r.text and word in r.text
        assert "<svg" in r.text and "<script" not in r.text
    pdf = client.get("/api/v1/crime/report", params={"lang": "de", "format": "pdf"}, headers=h)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_analyst_page_and_panel(nl: tuple[TestClient, NodeContext]) -> None:
    client, ctx = nl
    assert client.get("/crime", follow_redirects=False).status_code == 303
    assert ctx.idp is not None
    client.cookies.set("passerelle_session", ctx.idp.issue("ana", [Role.ANALYST]))
    client.cookies.set("passerelle_lang", "nl")
    page = client.get("/crime")
    assert page.status_code == 200
    assert "/static/vendor/leaflet/leaflet.js" in page.text and "crime-map" in page.text
    assert 'value="05012" selected' in page.text
    panel = client.get("/crime/panel", params={"iccs": "05012"})
    assert panel.status_code == 200
    assert "heat-5" in panel.text or "heat-4" in panel.text  # the near-repeat heat table
    assert "Duitsland" in panel.text  # the cross-border cluster, in Dutch
    assert "<polyline" in panel.text
    home = client.get("/")
    assert 'href="/crime"' in home.text
    assert json.loads(json.dumps({"ok": True}))
