"""``/api/v1/anpr/reads`` and ``/search`` over HTTP; counters at ``/metrics``; audit."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from passerelle.audit.reader import AuditSearch
from passerelle.auth.roles import Role
from passerelle.domain.countries import Country
from passerelle.node.context import NodeContext
from passerelle.web.app import create_app
from tests.anpr.ingest_support import Clock, make_ctx, read
from tests.anpr.test_reads_retention import row

DAY = dt.timedelta(days=1)


def _client(ctx: NodeContext, *roles: Role, lang: str = "en") -> TestClient:
    assert ctx.idp is not None
    token = ctx.idp.issue("tester", list(roles))
    return TestClient(
        create_app(ctx),
        headers={"Authorization": f"Bearer {token}", "Accept-Language": lang},
    )


def _metric(text: str, name: str) -> float:
    for line in text.splitlines():
        if line.startswith(name + " ") or line.startswith(name + "{"):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_batches_over_http_are_acknowledged_after_commit_and_counted(tmp_path: Path) -> None:
    clock = Clock()
    ctx = make_ctx(tmp_path, Country.BE, clock=clock)
    batch: list[Any] = [read(i, f"1ABC{i:03d}", at=clock.now) for i in range(1, 51)]
    batch += [read(1, at=clock.now), read("bad", "???", at=clock.now), {"plate": "X"}]
    with _client(ctx, Role.CONTROL_ROOM) as client:
        r = client.post("/api/v1/anpr/reads", json={"reads": batch})
        assert r.status_code == 200, r.text
        body = r.json()
        assert (body["accepted"], body["duplicates"], body["stored"]) == (50, 1, 50)
        assert body["quarantined"] == [{"read_id": "r-bad", "reason": "garbage_plate"}]
        assert body["rejected"] == [{"index": 52, "reason": "no_read_id"}]
        assert ctx.anpr.reads.count() == 50
        metrics = client.get("/metrics").text
        assert _metric(metrics, "passerelle_anpr_reads_received_total") == 53
        assert _metric(metrics, "passerelle_anpr_reads_stored_total") == 50
        assert _metric(metrics, "passerelle_anpr_reads_duplicate_total") == 1
        assert 'passerelle_anpr_reads_quarantined_total{reason="garbage_plate"} 1.0' in metrics
        assert 'passerelle_anpr_reads_rejected_total{reason="no_read_id"} 1.0' in metrics
        assert "1ABC" not in metrics  # labels never carry plates
        too_many = client.post("/api/v1/anpr/reads", json={"reads": [{}] * 5001})
        assert too_many.status_code == 413
        assert too_many.json()["error"]["code"] == "anpr_batch_too_large"
        assert client.post("/api/v1/anpr/reads", content=b"{").json()["error"]["code"] == (
            "anpr_reads_body"
        )
    with _client(ctx, Role.OFFICER) as officer:
        assert officer.post("/api/v1/anpr/reads", json={"reads": []}).status_code == 403


def _seed(ctx: NodeContext, now: dt.datetime) -> None:
    rows = [
        row("today", now - dt.timedelta(hours=2)),
        row("week", now - 7 * DAY),
        {**row("misread", now - 3 * DAY), "plate": "1A8C234"},
        {**row("other", now - DAY), "plate": "2XYZ999"},
        {**row("month", now - 40 * DAY), "lat": 51.5, "lon": 4.4},
    ]
    ctx.anpr.reads.prepare(rows)
    with ctx.engine.begin() as conn:
        ctx.anpr.reads.insert(conn, rows)


def _search(**body: Any) -> dict[str, Any]:
    now = dt.datetime.now(dt.UTC)
    base = {
        "since": (now - 20 * DAY).isoformat(),
        "until": now.isoformat(),
        "justification": "burglary series Vaals, case 2026/88",
    }
    return {**base, **body}


def test_search_in_be_needs_the_decision_beyond_one_month_and_is_audited(tmp_path: Path) -> None:
    ctx = make_ctx(tmp_path, Country.BE)
    now = dt.datetime.now(dt.UTC)
    _seed(ctx, now)
    with _client(ctx, Role.ANALYST, lang="fr") as client:
        r = client.post("/api/v1/anpr/search", json=_search(plate="1-ABC-234"))
        assert r.status_code == 200, r.text
        assert [x["read_id"] for x in r.json()["reads"]] == ["week", "today"]
        fuzzy = client.post("/api/v1/anpr/search", json=_search(plate="1ABC234", fuzzy=True))
        assert [x["read_id"] for x in fuzzy.json()["reads"]] == ["week", "misread", "today"]
        old = _search(plate="1ABC234", since=(now - 60 * DAY).isoformat())
        refused = client.post("/api/v1/anpr/search", json=old)
        assert refused.status_code == 403
        error = refused.json()["error"]
        assert error["code"] == "anpr_decision_required"
        assert error["message"] != error["detail"]  # translated (French), not the English detail
        granted = client.post("/api/v1/anpr/search", json={**old, "legal_ref": "PR Liège 2026/117"})
        assert [x["read_id"] for x in granted.json()["reads"]] == ["month", "week", "today"]
        area = _search(
            bbox=[4.0, 51.0, 5.0, 52.0],
            since=(now - 60 * DAY).isoformat(),
            legal_ref="PR Liège 2026/117",
        )
        assert [
            x["read_id"] for x in client.post("/api/v1/anpr/search", json=area).json()["reads"]
        ] == ["month"]
        assert client.post("/api/v1/anpr/search", json=_search()).json()["error"]["code"] == (
            "anpr_search_criteria"
        )
    entries = ctx.audit.search(AuditSearch(kind="consultation", limit=20))
    searches = [e for e in entries if "anpr_reads" in e.datasets]
    assert sorted(e.outcome for e in searches) == ["hit", "hit", "hit", "hit", "refused"]
    granted = [e for e in searches if e.legal_ref.authorisation_ref == "PR Liège 2026/117"]
    assert sorted(sorted(e.record_ids) for e in granted) == [
        ["month"],
        ["month", "today", "week"],
    ]


def test_search_in_nl_needs_the_prosecutors_order(tmp_path: Path) -> None:
    ctx = make_ctx(tmp_path, Country.NL)
    _seed(ctx, dt.datetime.now(dt.UTC))
    with _client(ctx, Role.OFFICER, lang="nl") as client:
        r = client.post("/api/v1/anpr/search", json=_search(plate="1ABC234"))
        assert r.status_code == 403 and r.json()["error"]["code"] == "anpr_legal_ref_required"
        ok = client.post(
            "/api/v1/anpr/search", json=_search(plate="1ABC234", legal_ref="OvJ 2026-42")
        )
        assert [x["read_id"] for x in ok.json()["reads"]] == ["week", "today"]
    with _client(ctx, Role.ADMIN) as admin:
        assert admin.post("/api/v1/anpr/search", json=_search(plate="X1")).status_code == 403
