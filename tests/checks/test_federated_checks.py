"""End to end on loopback: BE checks against its own and its partners' real nodes."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from passerelle.audit.reader import AuditSearch
from passerelle.domain.countries import Country
from passerelle.domain.purpose import Purpose
from passerelle.federation.keys import NodeKey
from passerelle.federation.signing import sign_request
from passerelle.synth.crossborder import cross_border_truth
from tests.checks.conftest import PERSONS, SEED, SLOW_S, Node, check, start_patrol

BE, NL, LU, DE = Country.BE, Country.NL, Country.LU, Country.DE
PERSON_FIELDS = ("given_names", "family_name", "family_name_prefix", "birth_date")


def rows(node: Node, sql: str, **params: Any) -> list[dict[str, Any]]:
    with node.ctx.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(sa.text(sql), params)]


def person(node: Node, national_id: str) -> dict[str, Any]:
    cols = ", ".join(PERSON_FIELDS)
    found = rows(node, f"SELECT {cols} FROM population WHERE national_id = :n", n=national_id)
    assert found, national_id
    return found[0]


def subject_of(row: dict[str, Any]) -> dict[str, str]:
    return {k: str(row[k]) for k in PERSON_FIELDS if row.get(k)}


def cross_border_pairs(nodes: dict[Country, Node]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(BE row, NL row) of people registered in both, differently written first."""
    truth = cross_border_truth(SEED, {BE: PERSONS, NL: PERSONS})
    ids: dict[int, dict[str, str]] = {}
    for r in truth.iter_rows(named=True):
        ids.setdefault(r["pool_id"], {})[r["country"]] = r["national_id"]
    pairs = [
        (
            person(nodes[BE], i["BE"]) | {"national_id": i["BE"]},
            person(nodes[NL], i["NL"]) | {"national_id": i["NL"]},
        )
        for i in ids.values()
        if "BE" in i and "NL" in i
    ]
    assert len(pairs) >= 3
    differ = [p for p in pairs if any(p[0][k] != p[1][k] for k in ("given_names", "family_name"))]
    return differ + [p for p in pairs if p not in differ]


def source(answer: dict[str, Any], country: Country) -> dict[str, Any]:
    found: list[dict[str, Any]] = [s for s in answer["sources"] if s["country"] == country.value]
    assert len(found) == 1, answer
    return found[0]


@pytest.fixture(scope="module")
def patrol(nodes: dict[Country, Node]) -> str:
    return start_patrol(nodes[BE], "BE:officer,NL:officer")


def test_cross_border_person_returns_nl_hit_with_policy_fields_only(
    nodes: dict[Country, Node], patrol: str
) -> None:
    allowed = nodes[NL].ctx.policy.decide(BE, Purpose.JOINT_CONTROL, "population").fields
    be_row, nl_row = cross_border_pairs(nodes)[0]
    r = check(nodes[BE], "person", subject_of(be_row), patrol_id=patrol)
    assert r.status_code == 200, r.text
    answer = r.json()
    nl = source(answer, NL)
    assert nl["status"] == "hit"
    hits = [x for x in nl["results"] if x["dataset"] == "population"]
    assert hits[0]["record"]["national_id"] == nl_row["national_id"]
    for hit in nl["results"]:
        if hit["dataset"] == "population":
            assert set(hit["record"]) <= allowed
            assert {f["feature"] for f in hit["explanation"]["features"]} <= allowed
            assert "candidates" not in hit["explanation"]
    assert source(answer, BE)["status"] in ("hit", "no_hit")
    assert answer["sources"][0]["country"] == "BE"


def test_names_spelled_or_ordered_differently_are_found(
    nodes: dict[Country, Node], patrol: str
) -> None:
    pairs = [p for p in cross_border_pairs(nodes) if p[0]["family_name"] != p[1]["family_name"]
             or p[0]["given_names"] != p[1]["given_names"]][:3]  # fmt: skip
    assert pairs, "the synthetic pool should spell some names differently"
    for be_row, nl_row in pairs:
        answer = check(nodes[BE], "person", subject_of(be_row), patrol_id=patrol).json()
        found = [
            x["record"]["national_id"]
            for x in source(answer, NL)["results"]
            if x["dataset"] == "population"
        ]
        assert nl_row["national_id"] in found, (subject_of(be_row), subject_of(nl_row))


def test_police_record_is_hit_no_hit_only(nodes: dict[Country, Node], patrol: str) -> None:
    record = rows(
        nodes[NL],
        "SELECT record_id, given_names, family_name, birth_date FROM police_records "
        "WHERE national_id IS NOT NULL AND birth_date LIKE '____-__-__' LIMIT 1",
    )[0]
    subject = {k: record[k] for k in ("given_names", "family_name", "birth_date")}
    answer = check(nodes[BE], "person", subject, patrol_id=patrol).json()
    police = [x for x in source(answer, NL)["results"] if x["dataset"] == "police_records"]
    assert police, answer
    for hit in police:
        assert hit["record"] is None
        assert hit["reference"] and record["record_id"] not in json.dumps(hit)
        assert hit["contact_point"]["name"]
        assert hit["explanation"].get("features") == []
        assert hit["warnings"] == []


def test_partner_down_and_partner_slow_do_not_delay_the_answer(
    nodes: dict[Country, Node],
) -> None:
    patrol = start_patrol(nodes[BE], "BE:officer,NL:officer,LU:officer,DE:officer")
    be_row, _ = cross_border_pairs(nodes)[0]
    budget = nodes[BE].ctx.settings.checks.time_budget_s
    started = time.perf_counter()
    r = check(nodes[BE], "person", subject_of(be_row), patrol_id=patrol)
    elapsed = time.perf_counter() - started
    answer = r.json()
    assert source(answer, NL)["status"] == "hit"
    assert source(answer, NL)["latency_ms"] < budget * 1000
    assert source(answer, LU)["status"] == "timeout"  # answers after 3 s
    assert source(answer, DE)["status"] == "unavailable"  # never started
    assert elapsed < budget + 1.0 < SLOW_S, elapsed  # never waits for the slow partner


def test_nl_audit_shows_the_consultation_with_officer_purpose_justification_patrol(
    nodes: dict[Country, Node], patrol: str
) -> None:
    be_row, nl_row = cross_border_pairs(nodes)[0]
    answer = check(nodes[BE], "person", subject_of(be_row), patrol_id=patrol).json()
    check_id = answer["check_id"]
    at_nl = nodes[NL].ctx.audit.search(AuditSearch(exchange_id=check_id))
    kinds = {e.kind: e for e in at_nl}
    answered = kinds["partner_query_answered"]
    assert answered.actor.subject == "officer" and answered.actor.country == BE
    assert answered.purpose == "joint_control"
    assert answered.justification == "roadside check near Vaals"
    assert answered.legal_ref.patrol_id == patrol
    assert answered.outcome == "hit" and answered.partner == "BE"
    disclosure = kinds["disclosure"]
    assert f"population:{nl_row['national_id']}" in disclosure.record_ids
    assert disclosure.recipients[0].country == BE
    query = nodes[NL].ctx.audit.reveal_query(answered)
    assert query["family_name"] == subject_of(be_row)["family_name"]
    at_be = {e.kind for e in nodes[BE].ctx.audit.search(AuditSearch(exchange_id=check_id))}
    assert {"consultation", "partner_query_sent"} <= at_be


def _nl_partner_entries(nodes: dict[Country, Node]) -> int:
    return nodes[NL].ctx.audit.count(AuditSearch(partner="BE", purpose="joint_control"))


@pytest.mark.parametrize(
    ("subject", "context", "code"),
    [
        ({"family_name": "J"}, {}, "query_too_short"),
        ({}, {}, "query_empty"),
        ({"given_names": "Jan"}, {}, "query_too_vague"),
        ({"family_name": "Janssens", "birth_date": "2999-01-01"}, {}, "invalid_date"),
        ({"family_name": "Janssens"}, {"justification": ""}, "justification_required"),
        ({"family_name": "Janssens"}, {"purpose": "curiosity"}, "unknown_purpose"),
        ({"family_name": "Janssens"}, {"patrol_id": None}, "patrol_required"),
        ({"family_name": "Janssens"}, {"purpose": "investigation"}, "case_ref_required"),
        ({"family_name": "Janssens"}, {"patrol_id": "BE-0000000000000000"}, "patrol_unknown"),
    ],
)
def test_bad_input_is_refused_locally_and_no_partner_is_contacted(
    nodes: dict[Country, Node],
    patrol: str,
    subject: dict[str, str],
    context: dict[str, Any],
    code: str,
) -> None:
    before = _nl_partner_entries(nodes)
    body = {
        "subject": subject,
        "context": {"purpose": "joint_control", "patrol_id": patrol, "justification": "stop"}
        | context,
    }
    with nodes[BE].client() as c:
        r = c.post("/api/v1/checks/person", json=body, headers={"Accept-Language": "fr"})
    assert 400 <= r.status_code < 500, r.text
    error = r.json()["error"]
    assert error["code"] == code
    assert error["message"] and error["message"] != error["detail"]  # translated for the officer
    assert _nl_partner_entries(nodes) == before


def test_absurd_vehicle_and_document_queries(nodes: dict[Country, Node], patrol: str) -> None:
    for kind, subject, code in [
        ("vehicle", {"plate": "X" * 30}, "plate_invalid"),
        ("vehicle", {"vin": "123"}, "vin_invalid"),
        ("vehicle", {"colour": "red"}, "subject_invalid"),
        ("document", {"document_number": "12"}, "identifier_invalid"),
    ]:
        r = check(nodes[BE], kind, subject, patrol_id=patrol)
        assert r.status_code == 422, r.text
        assert r.json()["error"]["code"] in (code, "validation_error")


def test_ended_patrol_closes_access_at_once(nodes: dict[Country, Node]) -> None:
    patrol = start_patrol(nodes[BE], "BE:officer,NL:officer")
    be_row, _ = cross_border_pairs(nodes)[0]
    assert (
        source(check(nodes[BE], "person", subject_of(be_row), patrol_id=patrol).json(), NL)[
            "status"
        ]
        == "hit"
    )
    with nodes[BE].client() as c:
        r = c.post(f"/api/v1/ops/patrols/{patrol}/end")
    assert r.status_code == 200 and r.json()["sync"] == {"NL": "registered"}
    before = _nl_partner_entries(nodes)
    r = check(nodes[BE], "person", subject_of(be_row), patrol_id=patrol)
    assert r.status_code == 403 and r.json()["error"]["code"] == "patrol_ended"
    assert _nl_partner_entries(nodes) == before
    # Even a node that skips its own checks is refused by NL, on NL's own copy.
    answer = signed_call(nodes, "person", subject_of(be_row), patrol)
    assert answer == {"status": "refused", "reason": "patrol_ended", "results": []}


def signed_call(
    nodes: dict[Country, Node],
    kind: str,
    subject: dict[str, str],
    patrol_id: str | None,
    *,
    officer: str = "officer",
    key: NodeKey | None = None,
    purpose: str = "joint_control",
    send_twice: bool = False,
) -> Any:
    """A check sent to NL as BE's node would send it (signed with BE's key by default)."""
    url = nodes[NL].url + f"/federation/v1/checks/{kind}"
    payload = {
        "check_id": "t" * 32,
        "kind": kind,
        "subject": subject,
        "context": {"purpose": purpose, "patrol_id": patrol_id, "justification": "test"},
        "officer": {"subject": officer, "role": "officer"},
    }
    body = json.dumps(payload).encode()
    headers, _ = sign_request(
        "POST", url, {"content-type": "application/json"}, body, key or nodes[BE].ctx.key
    )
    responses = [httpx.post(url, content=body, headers=headers, timeout=10)]
    if send_twice:
        responses.append(httpx.post(url, content=body, headers=headers, timeout=10))
        return responses
    assert responses[0].status_code == 200, responses[0].text
    return responses[0].json()


def test_provider_decides_on_its_own_patrol_copy(nodes: dict[Country, Node]) -> None:
    subject = {"family_name": "Janssens"}
    planned = (
        nodes[BE]
        .client()
        .post("/api/v1/ops/patrols", json={"crew": ["BE:officer", "NL:officer"]})
        .json()["patrol_id"]
    )
    without_nl = start_patrol(nodes[BE], "BE:officer,LU:officer")
    active = start_patrol(nodes[BE], "BE:officer,NL:officer")
    cases = [
        ("BE-0123456789abcdef", "officer", "patrol_unknown"),
        (planned, "officer", "patrol_not_started"),
        (without_nl, "officer", "patrol_unknown"),  # NL never got a copy: none of its officers
        (active, "control", "requester_not_in_crew"),
    ]
    refused = AuditSearch(kind="partner_query_refused", exchange_id="t" * 32, limit=1000)
    before = nodes[NL].ctx.audit.count(refused)
    for patrol_id, officer, reason in cases:
        answer = signed_call(nodes, "person", subject, patrol_id, officer=officer)
        assert answer["status"] == "refused" and answer["reason"] == reason, (patrol_id, answer)
    entries = nodes[NL].ctx.audit.search(refused)
    assert len(entries) == before + len(cases)
    assert {e.detail["reason"] for e in entries} >= {c[2] for c in cases}
    assert signed_call(nodes, "person", subject, active)["status"] in ("hit", "no_hit")
    # anpr_followup is not in the default policy: every dataset denied
    answer = signed_call(nodes, "person", subject, None, purpose="anpr_followup")
    assert answer["reason"] == "policy_denied"


def test_forged_and_replayed_federation_calls_are_refused_and_audited(
    nodes: dict[Country, Node], patrol: str, tmp_path: Any
) -> None:
    rejected = AuditSearch(kind="federation_rejected")
    before = nodes[NL].ctx.audit.count(rejected)
    stranger = NodeKey.load_or_create(tmp_path / "stranger.pem", BE, demo=True)
    forged = signed_call(nodes, "person", {"family_name": "Janssens"}, patrol, key=stranger,
                         send_twice=True)  # fmt: skip
    assert [r.status_code for r in forged] == [401, 401]
    first, replay = signed_call(
        nodes, "person", {"family_name": "Janssens"}, patrol, send_twice=True
    )
    assert first.status_code == 200
    assert replay.status_code == 401
    assert replay.json()["error"]["code"] == "signature_replayed"
    assert nodes[NL].ctx.audit.count(rejected) == before + 3


def test_investigation_gets_hit_no_hit_with_reference(nodes: dict[Country, Node]) -> None:
    be_row, _ = cross_border_pairs(nodes)[0]
    r = check(
        nodes[BE], "person", subject_of(be_row), purpose="investigation", case_ref="PV-2026-1234"
    )
    nl = source(r.json(), NL)
    assert nl["status"] == "hit"
    assert all(x["record"] is None and x["reference"] for x in nl["results"])
    lu = source(r.json(), LU)
    assert lu["status"] == "timeout"


def test_stolen_vehicle_from_nl_carries_fields_and_warning(
    nodes: dict[Country, Node], patrol: str
) -> None:
    stolen = rows(
        nodes[NL], "SELECT plate, plate_country FROM stolen_vehicles WHERE plate IS NOT NULL"
    )[0]
    r = check(nodes[BE], "vehicle", {"plate": stolen["plate"]}, patrol_id=patrol)
    nl = source(r.json(), NL)
    hits = [x for x in nl["results"] if x["dataset"] == "stolen_vehicles"]
    assert hits and hits[0]["record"]["plate"] == stolen["plate"]
    assert {"code": "stolen_vehicle", "dataset": "stolen_vehicles"} in hits[0]["warnings"]
    assert "holder_name" not in json.dumps(nl)


def test_wanted_person_warnings(nodes: dict[Country, Node], patrol: str) -> None:
    wanted = rows(
        nodes[NL],
        "SELECT given_names, family_name, family_name_prefix, birth_date, warning_markers, "
        "alert_type FROM wanted_persons WHERE warning_markers IS NOT NULL "
        "AND birth_date LIKE '____-__-__'",
    )[0]
    answer = check(nodes[BE], "person", subject_of(wanted), patrol_id=patrol).json()
    hits = [x for x in source(answer, NL)["results"] if x["dataset"] == "wanted_persons"]
    assert hits, answer
    codes = [w["code"] for w in hits[0]["warnings"]]
    for marker in wanted["warning_markers"].split(";"):
        assert marker in codes


def test_person_by_document_number_alone(nodes: dict[Country, Node], patrol: str) -> None:
    doc = rows(
        nodes[NL],
        "SELECT document_number, holder_national_id FROM documents "
        "WHERE holder_national_id IS NOT NULL LIMIT 1",
    )[0]
    answer = check(
        nodes[BE], "person", {"document_number": doc["document_number"]}, patrol_id=patrol
    ).json()
    found = {
        (x["dataset"], (x["record"] or {}).get("national_id"))
        for x in source(answer, NL)["results"]
    }
    assert ("population", doc["holder_national_id"]) in found
    assert any(d == "documents" for d, _ in found)
