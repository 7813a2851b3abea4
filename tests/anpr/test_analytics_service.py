"""Analytics on a node's stored reads: the lawful window, the audit trail, the API."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from passerelle.anpr.analytics import AnalysisRequest, AnprAnalytics
from passerelle.anpr.hits_store import Hit
from passerelle.anpr.reads_cameras import Camera
from passerelle.anpr.roads import all_cameras
from passerelle.auth.roles import Principal, Role
from passerelle.domain.countries import Country
from passerelle.exc import Forbidden, InvalidInput
from passerelle.node.context import NodeContext
from passerelle.storage.tables import audit_entries
from passerelle.web.app import create_app
from tests.anpr.ingest_support import Clock, add_entry, make_ctx

ANALYST = Principal(subject="analyst-7", name="Analyst", roles=frozenset({Role.ANALYST}),
                    issuer="test", token_id="t-a", expires_at=0)  # fmt: skip


def _ctx(root: Path, country: Country, clock: Clock, db_url: str | None = None) -> NodeContext:
    ctx = make_ctx(root, country, db_url, clock=clock)
    ctx.anpr.cameras.upsert(
        [Camera(c.camera_id, c.site, c.country, road=c.road, lat=c.lat, lon=c.lon,
                direction=c.direction) for c in all_cameras((country.value,))]
    )  # fmt: skip
    return ctx


def _read(n: int, plate: str, camera: str, at: dt.datetime) -> dict[str, Any]:
    return {"read_id": f"a-{n}", "camera_id": camera, "plate": plate, "read_at": at.isoformat(),
            "confidence": 0.95, "plate_country": "BE", "image_ref": f"img://{n}"}  # fmt: skip


def _audit(ctx: NodeContext) -> list[dict[str, Any]]:
    with ctx.engine.connect() as conn:
        rows = conn.execute(
            sa.select(audit_entries).where(audit_entries.c.kind == "anpr_analysis")
        ).mappings()
        return [dict(r) for r in rows]


def test_clones_on_stored_reads_are_audited(tmp_path: Path, db_url: str) -> None:
    clock = Clock()
    ctx = _ctx(tmp_path, Country.BE, clock, db_url)
    t = clock.now - dt.timedelta(hours=2)
    result = ctx.anpr.ingest.ingest_items([
        _read(1, "1ABC234", "BE-E411-ARLO-1", t),
        _read(2, "1ABC234", "BE-E25-VISE-1", t + dt.timedelta(minutes=6)),  # 120 km away
        _read(3, "2XYZ987", "BE-E40-BATT-1", t),
    ])  # fmt: skip
    assert result.accepted == 3
    out = AnprAnalytics(ctx).clones(ANALYST, AnalysisRequest("case 2026/118: plate cloned?",
                                                             case_ref="2026/118"))  # fmt: skip
    assert [c["plate"] for c in out["clones"]] == ["1ABC234"]
    assert out["reads"] == 3 and out["clones"][0]["max_speed_kmh"] > 600
    (entry,) = _audit(ctx)
    assert entry["outcome"] == "hit" and entry["actor_subject"] == "analyst-7"
    assert entry["justification"] == "case 2026/118: plate cloned?"
    assert entry["case_ref"] == "2026/118" and entry["purpose"] == "investigation"
    detail = json.loads(entry["detail"])
    assert detail["analysis"] == "clones" and detail["found"] == 1 and detail["reads"] == 3
    assert "1ABC234" not in entry["detail"]  # the plate is personal data: only in `query`
    with pytest.raises(InvalidInput) as e:
        AnprAnalytics(ctx).clones(ANALYST, AnalysisRequest("  "))
    assert e.value.code == "anpr_justification_required"


def test_the_lawful_window_binds_every_analysis(tmp_path: Path) -> None:
    clock = Clock()
    nl = _ctx(tmp_path / "nl", Country.NL, clock)
    with pytest.raises(Forbidden) as e:
        AnprAnalytics(nl).convoys(ANALYST, AnalysisRequest("convoy of the Heerlen case"))
    assert e.value.code == "anpr_legal_ref_required"
    refused = _audit(nl)
    assert [r["outcome"] for r in refused] == ["refused"]
    out = AnprAnalytics(nl).convoys(
        ANALYST, AnalysisRequest("convoy of the Heerlen case", legal_ref="OvJ-2026-0042")
    )
    assert out["convoys"] == [] and _audit(nl)[-1]["authorisation_ref"] == "OvJ-2026-0042"

    be = _ctx(tmp_path / "be", Country.BE, clock)
    old = clock.now - dt.timedelta(days=60)
    with pytest.raises(Forbidden) as e:
        AnprAnalytics(be).clones(ANALYST, AnalysisRequest("old case", since=old))
    assert e.value.code == "anpr_decision_required"
    out = AnprAnalytics(be).clones(
        ANALYST, AnalysisRequest("old case", since=old, legal_ref="PdR Liège 2026/77")
    )
    assert out["since"] == old.isoformat()


def test_journey_combines_own_reads_with_partner_hits_on_our_entries(
    tmp_path: Path, db_url: str
) -> None:
    clock = Clock()
    ctx = _ctx(tmp_path, Country.BE, clock, db_url)
    entry_id = add_entry(ctx, "1ABC234", "BE", ref="J1")
    t = clock.now - dt.timedelta(hours=1)
    ctx.anpr.ingest.ingest_items([
        _read(1, "1ABC234", "BE-E25-HERS-1", t),
        _read(2, "1ABC234", "BE-E25-MOUL-1", t + dt.timedelta(minutes=8)),
    ])  # fmt: skip
    partner = Hit(hit_id="NL-h1", read_id="nl-r1", entry_id=entry_id, owner_country="BE",
                  reporting_country="NL", outcome="exact", score=1.0, plate="1ABC234",
                  plate_country="BE", camera_id="NL-A2-TUNL-1", site="A2 Maastricht tunnel",
                  lat=50.853, lon=5.715, direction="N", read_at=t + dt.timedelta(minutes=16),
                  image_ref="nl://1", created_at=clock.now)  # fmt: skip
    with ctx.engine.begin() as conn:
        assert ctx.anpr.hits.store.insert_new(conn, partner)
    out = AnprAnalytics(ctx).journey(ANALYST, "1-ABC-234", AnalysisRequest("where did it go"))
    assert [p["source"] for p in out["points"]][-1] == "partner_hit"
    assert [p["country"] for p in out["points"]][-2:] == ["BE", "NL"]
    assert out["summary"]["crossings"] == 1 and out["summary"]["partner_hits"] == 1
    assert out["geojson"]["type"] == "FeatureCollection"
    assert json.loads(_audit(ctx)[-1]["datasets"]) == ["anpr_reads", "anpr_hits"]


def test_analytics_api(tmp_path: Path) -> None:
    clock = Clock()
    ctx = _ctx(tmp_path, Country.BE, clock)
    assert ctx.idp is not None
    with TestClient(create_app(ctx)) as client:
        analyst = {"Authorization": f"Bearer {ctx.idp.issue('a', [Role.ANALYST])}"}
        control = {"Authorization": f"Bearer {ctx.idp.issue('c', [Role.CONTROL_ROOM])}"}
        body = {"justification": "series of thefts"}
        r = client.post("/api/v1/anpr/analytics/clones", json=body, headers=analyst)
        assert r.status_code == 200 and r.json()["clones"] == []
        r = client.post("/api/v1/anpr/analytics/convoys", json=body, headers=analyst)
        assert r.status_code == 200 and r.json()["convoys"] == []
        r = client.post("/api/v1/anpr/analytics/journey", json={**body, "plate": "1ABC234"},
                        headers=analyst)  # fmt: skip
        assert r.status_code == 200 and r.json()["summary"]["points"] == 0
        r = client.post("/api/v1/anpr/analytics/clones", json=body, headers=control)
        assert r.status_code == 403
        r = client.post("/api/v1/anpr/analytics/clones", json={}, headers=analyst)
        assert r.status_code == 422
        old = (clock.now - dt.timedelta(days=90)).isoformat()
        r = client.post("/api/v1/anpr/analytics/clones", json={**body, "since": old},
                        headers=analyst)  # fmt: skip
        assert r.status_code == 403 and r.json()["error"]["code"] == "anpr_decision_required"
