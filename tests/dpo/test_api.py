"""The DPO API (/api/v1/audit): role, search, pairing, export, subject access, indicators,
verification, retention preview; every call leaves a DPO_ACCESS entry without personal data."""

from __future__ import annotations

import csv
import io
import json

from passerelle.audit.reader import AuditSearch
from passerelle.auth.roles import Role
from tests.dpo.conftest import EXCHANGE, SUBJECT, DpoSite


def _accesses(site: DpoSite) -> list[dict[str, object]]:
    return [r.detail for r in site.ctx.audit.search(AuditSearch(kind="dpo_access", limit=1000))]


def test_only_the_dpo_role_may_use_the_api(dpo_site: DpoSite) -> None:
    c = dpo_site.client
    assert c.post("/api/v1/audit/search", json={}).status_code == 401
    for role in (Role.OFFICER, Role.ADMIN, Role.ANALYST):
        r = c.post("/api/v1/audit/search", json={}, headers=dpo_site.api(role))
        assert r.status_code == 403 and r.json()["error"]["code"] == "role_required"
    assert c.get("/api/v1/audit/verify", headers=dpo_site.api(Role.OFFICER)).status_code == 403


def test_search_filters_and_logs_the_access(dpo_site: DpoSite) -> None:
    h = dpo_site.api(Role.DPO)
    before = len(_accesses(dpo_site))
    r = dpo_site.client.post("/api/v1/audit/search", json={"officer": "be-o6"}, headers=h)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["total"] == 40 and len(body["entries"]) == 40
    assert {e["actor"]["subject"] for e in body["entries"]} == {"be-o6"}
    assert all("query" not in e and e["has_query"] for e in body["entries"])
    by_subject = dpo_site.client.post(
        "/api/v1/audit/search", json={"subject": "85.07.30-033.28"}, headers=h
    ).json()
    assert by_subject["total"] == 3
    assert {e["actor"]["subject"] for e in by_subject["entries"]} == {"be-o1", "be-o2", "be-o3"}
    kind = dpo_site.client.post(
        "/api/v1/audit/search", json={"kind": "partner_query_sent", "partner": "nl"}, headers=h
    ).json()
    assert kind["total"] == 1 and kind["entries"][0]["exchange_id"] == EXCHANGE
    page = dpo_site.client.post(
        "/api/v1/audit/search", json={"officer": "be-o6", "limit": 15, "offset": 30}, headers=h
    ).json()
    assert page["total"] == 40 and len(page["entries"]) == 10
    accesses = _accesses(dpo_site)
    assert len(accesses) == before + 4
    newest = accesses[0]
    assert newest["action"] == "search" and newest["results"] == 40
    assert newest["filters"] == ["officer"]
    assert all(SUBJECT not in json.dumps(a) and "85.07.30" not in json.dumps(a) for a in accesses)


def test_bad_search_input_is_a_clear_error(dpo_site: DpoSite) -> None:
    h = dpo_site.api(Role.DPO)
    r = dpo_site.client.post("/api/v1/audit/search", json={"subject": "|1970"}, headers=h)
    assert r.status_code == 422 and r.json()["error"]["code"] == "audit_subject_invalid"
    r = dpo_site.client.post("/api/v1/audit/search", json={"limit": 5000}, headers=h)
    assert r.status_code == 422
    r = dpo_site.client.post("/api/v1/audit/search", json={"colour": "red"}, headers=h)
    assert r.status_code == 422


def test_exchange_pairing(dpo_site: DpoSite) -> None:
    h = dpo_site.api(Role.DPO)
    r = dpo_site.client.get(f"/api/v1/audit/exchanges/{EXCHANGE}", headers=h)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["partners"] == ["NL"] and body["sides"] == ["requesting"]
    assert [e["kind"] for e in body["entries"]] == ["partner_query_sent"]
    missing = dpo_site.client.get("/api/v1/audit/exchanges/nope", headers=h)
    assert (
        missing.status_code == 404 and missing.json()["error"]["code"] == "audit_exchange_unknown"
    )


def test_export_csv_and_json_lines(dpo_site: DpoSite) -> None:
    h = dpo_site.api(Role.DPO)
    r = dpo_site.client.post(
        "/api/v1/audit/export", json={"officer": "be-o6", "format": "csv"}, headers=h
    )
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert len(rows) == 40 and {row["officer"] for row in rows} == {"be-o6"}
    assert rows[0]["case_ref"] == "PV-LG-2026-1234"
    lines = dpo_site.client.post(
        "/api/v1/audit/export", json={"kind": "partner_query_sent"}, headers=h
    )
    assert lines.headers["content-type"].startswith("application/x-ndjson")
    (entry,) = [json.loads(line) for line in lines.text.splitlines()]
    assert entry["exchange_id"] == EXCHANGE and "query" not in entry


def test_subject_access_reveals_the_queries_to_the_dpo(dpo_site: DpoSite) -> None:
    h = dpo_site.api(Role.DPO)
    r = dpo_site.client.post("/api/v1/audit/subject-access", json={"subject": SUBJECT}, headers=h)
    assert r.status_code == 200, r.text
    report = r.json()
    assert len(report["entries"]) == 3
    assert all(e["query"] == {"national_id": SUBJECT} for e in report["entries"])
    assert report["officers"] == ["BE:be-o1", "BE:be-o2", "BE:be-o3"]
    nobody = dpo_site.client.post(
        "/api/v1/audit/subject-access", json={"subject": "Ünusual-Ñame|1999-12-31"}, headers=h
    )
    assert nobody.status_code == 200 and nobody.json()["entries"] == []
    assert _accesses(dpo_site)[0]["action"] == "subject_access"


def test_indicators(dpo_site: DpoSite) -> None:
    r = dpo_site.client.get("/api/v1/audit/indicators?days=30", headers=dpo_site.api(Role.DPO))
    assert r.status_code == 200, r.text
    ind = r.json()
    assert [v["officer"] for v in ind["volume"]["flagged"]] == ["BE:be-o6"]
    assert ind["volume"]["median"] == 3.5  # 3, 3, 3, 4, 4 and 40 look-ups
    assert [b["officer"] for b in ind["no_reference"]] == ["BE:be-o4"]
    assert [b["officer"] for b in ind["off_duty"]] == ["BE:be-o4"]
    assert len(ind["same_subject"]) == 1
    assert ind["same_subject"][0]["officers"] == ["BE:be-o1", "BE:be-o2", "BE:be-o3"]


def test_verify_and_retention_preview(dpo_site: DpoSite) -> None:
    h = dpo_site.api(Role.DPO)
    v = dpo_site.client.get("/api/v1/audit/verify", headers=h)
    assert v.status_code == 200 and v.json()["ok"] is True and v.json()["entries"] > 50
    p = dpo_site.client.get("/api/v1/audit/retention/preview", headers=h)
    assert p.status_code == 200 and p.json()["dry_run"] is True
    assert {r["rule"] for r in p.json()["rules"]} >= {"checks", "audit_entries"}


def test_records_of_processing_in_four_languages(dpo_site: DpoSite) -> None:
    h = dpo_site.api(Role.ADMIN)
    titles = {}
    for lang in ("fr", "nl", "de", "en"):
        r = dpo_site.client.get(f"/api/v1/audit/records-of-processing?lang={lang}", headers=h)
        assert r.status_code == 200
        doc = r.json()
        titles[lang] = doc["labels"]["title"]
        assert doc["recipients"][0]["country"] == "NL"
        assert {p["purpose"] for p in doc["purposes"]} == {
            "joint_control",
            "joint_post",
            "investigation",
            "anpr_followup",
        }
        periods = {x["rule"]: x["period"] for x in doc["retention"]}
        assert periods["anpr_reads"] == "P1Y"  # BE: 12 months
    assert titles == {
        "fr": "Registre des activités de traitement",
        "nl": "Register van verwerkingsactiviteiten",
        "de": "Verzeichnis von Verarbeitungstätigkeiten",
        "en": "Records of processing",
    }
    md = dpo_site.client.get(
        "/api/v1/audit/records-of-processing?format=markdown&lang=nl", headers=h
    )
    assert md.headers["content-type"].startswith("text/markdown")
    assert md.text.startswith("# Register van verwerkingsactiviteiten")
    assert "| BE |" not in md.text and "| NL |" in md.text
    html = dpo_site.client.get("/api/v1/audit/records-of-processing?format=html&lang=de", headers=h)
    assert html.status_code == 200 and '<html lang="de">' in html.text
    assert "Verzeichnis von Verarbeitungstätigkeiten" in html.text
    officer = dpo_site.client.get(
        "/api/v1/audit/records-of-processing", headers=dpo_site.api(Role.OFFICER)
    )
    assert officer.status_code == 403
