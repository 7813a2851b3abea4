"""The patrol log: checks made by the crew, incidents, opt-in positions; live patrol events.

A real BE demo node in a TestClient (NL in its trust store but not running, so a
joint-control check gets ``NL: unavailable`` and the patrol copy stays pending).
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st

from passerelle.audit.reader import AuditSearch
from passerelle.auth.roles import Role
from passerelle.exc import InvalidInput
from passerelle.ops.patrol_log import outcome_summary, parse_incident, parse_position
from passerelle.storage.tables_patrol_log import patrol_log_entries
from tests.web.conftest import Site, site, web_nodes

__all__ = ["site", "web_nodes"]  # fixtures: a BE demo node (partners not running)

NOW = dt.datetime(2026, 11, 23, 14, 0, tzinfo=dt.UTC)
SUBJECT = {"family_name": "Vandenberghe", "given_names": "Luc", "birth_date": "1975-04-12"}


def _auth(site: Site, user: str = "officer", *roles: Role) -> dict[str, str]:
    assert site.ctx.idp is not None
    return {"Authorization": f"Bearer {site.ctx.idp.issue(user, list(roles) or [Role.OFFICER])}"}


def _patrol(client: TestClient, headers: dict[str, str], start: bool = True) -> str:
    r = client.post(
        "/api/v1/ops/patrols",
        json={"crew": ["BE:officer", "NL:officer"], "vehicle": "Combi 7", "start": start},
        headers=headers,
    )
    assert r.status_code == 201, r.text
    return str(r.json()["patrol_id"])


def _patrol_events(site: Site, patrol_id: str) -> list[dict[str, Any]]:
    return [
        e.data for e in site.ctx.live.recent(["ops.patrols"]) if e.data["patrol_id"] == patrol_id
    ]


def test_checks_in_a_patrols_name_are_logged_without_the_subject(site: Site) -> None:
    officer = _auth(site)
    pid = _patrol(site.client, officer)
    body = {
        "subject": SUBJECT,
        "context": {"purpose": "joint_control", "patrol_id": pid, "justification": "Lanaken"},
    }
    r = site.client.post("/api/v1/checks/person", json=body, headers=officer)
    assert r.status_code == 200, r.text
    check_id = r.json()["check_id"]
    log = site.client.get(f"/api/v1/ops/patrols/{pid}/log", headers=officer).json()
    (entry,) = log["entries"]
    assert entry["kind"] == "check" and entry["check_id"] == check_id
    assert entry["check_kind"] == "person" and entry["recorded_by"] == "BE:officer"
    assert "NL:unavailable" in entry["sources"] and entry["outcome"] in ("hit", "no_hit")
    with site.ctx.engine.connect() as conn:
        rows = conn.execute(sa.select(patrol_log_entries)).all()
    stored = " ".join(str(v) for row in rows for v in row)
    assert "Vandenberghe" not in stored and "1975" not in stored
    assert any(e["change"] == "check" for e in _patrol_events(site, pid))
    # a check outside any patrol is not logged anywhere
    body["context"] = {"purpose": "investigation", "case_ref": "BE-2026-1", "justification": "x"}
    site.client.post("/api/v1/checks/person", json=body, headers=officer)
    log = site.client.get(f"/api/v1/ops/patrols/{pid}/log", headers=officer).json()
    assert len(log["entries"]) == 1


def test_incidents_positions_and_the_audit(site: Site) -> None:
    officer = _auth(site)
    pid = _patrol(site.client, officer)
    url = f"/api/v1/ops/patrols/{pid}"
    incident = {"category": "arrest", "text": "  two wanted persons\narrested ", "lat": 50.87}
    r = site.client.post(f"{url}/incidents", json=incident, headers=officer)
    assert r.status_code == 422 and r.json()["error"]["code"] == "position_invalid"
    incident["lon"] = 5.66
    r = site.client.post(f"{url}/incidents", json=incident, headers=officer)
    assert r.status_code == 201, r.text
    assert r.json()["text"] == "two wanted persons arrested" and r.json()["category"] == "arrest"
    r = site.client.post(
        f"{url}/incidents", json={"category": "party", "text": "x"}, headers=officer
    )
    assert r.status_code == 422

    positions = {"positions": [{"lat": 50.8702, "lon": 5.6601}, {"lat": 50.8710, "lon": 5.6650}]}
    r = site.client.post(f"{url}/positions", json=positions, headers=officer)
    assert r.status_code == 409 and r.json()["error"]["code"] == "patrol_tracking_off"
    r = site.client.put(f"{url}/tracking", json={"enabled": True}, headers=officer)
    assert r.status_code == 200 and r.json() == {"enabled": True}
    r = site.client.post(f"{url}/positions", json=positions, headers=officer)
    assert r.status_code == 200 and r.json() == {"accepted": 2}
    future = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)
    bad = {"positions": [{"lat": 50.87, "lon": 5.66, "at": future.isoformat()}]}
    r = site.client.post(f"{url}/positions", json=bad, headers=officer)
    assert r.status_code == 422 and r.json()["error"]["code"] == "time_in_future"

    other = _auth(site, "contact", Role.OFFICER)  # not in the crew
    assert site.client.get(f"{url}/log", headers=other).status_code == 403
    room = _auth(site, "control", Role.CONTROL_ROOM)
    log = site.client.get(f"{url}/log", headers=room).json()
    assert log["tracking"] is True and [p["lat"] for p in log["positions"]] == [50.8702, 50.871]
    assert [e["kind"] for e in log["entries"]] == ["incident"]

    assert site.client.post(f"{url}/end", headers=officer).status_code == 200
    r = site.client.post(f"{url}/positions", json=positions, headers=officer)
    assert r.status_code == 409 and r.json()["error"]["code"] == "patrol_not_active"
    r = site.client.put(f"{url}/tracking", json={"enabled": True}, headers=officer)
    assert r.status_code == 409 and r.json()["error"]["code"] == "patrol_ended"

    entries = site.ctx.audit.search(AuditSearch(kind="patrol_log", limit=100))
    mine = [e for e in entries if e.legal_ref.patrol_id == pid]
    assert {e.outcome for e in mine} == {"incident_recorded", "tracking_on", "read"}
    assert all("wanted" not in str(e.detail) for e in mine)  # the text stays out of the detail
    changes = [e["change"] for e in _patrol_events(site, pid)]
    assert changes[0] == "started" and changes[-1] == "ended"
    assert {"incident", "tracking", "position"} <= set(changes)


def test_a_planned_patrol_has_no_incidents_yet(site: Site) -> None:
    officer = _auth(site)
    pid = _patrol(site.client, officer, start=False)
    r = site.client.post(
        f"/api/v1/ops/patrols/{pid}/incidents",
        json={"category": "other", "text": "x"},
        headers=officer,
    )
    assert r.status_code == 409 and r.json()["error"]["code"] == "patrol_not_started"
    assert [e["change"] for e in _patrol_events(site, pid)] == ["created"]
    event = _patrol_events(site, pid)[0]
    assert event["patrol"]["on_duty"] is False and event["patrol"]["vehicle"] == "Combi 7"


# --- value rules --------------------------------------------------------------------------------


def test_outcome_summary() -> None:
    assert outcome_summary([("BE", "no_hit"), ("NL", "hit")]) == ("hit", "BE:no_hit NL:hit")
    assert outcome_summary([("BE", "no_hit"), ("NL", "unavailable")])[0] == "no_hit"
    assert outcome_summary([("NL", "refused")])[0] == "refused"
    assert outcome_summary([])[0] == "no_hit"


@given(st.floats(allow_nan=True), st.floats(allow_nan=True))
def test_positions_are_in_range_or_refused(lat: float, lon: float) -> None:
    try:
        p = parse_position(lat, lon, None, NOW)
    except InvalidInput as e:
        assert e.code == "position_invalid"
        assert not (
            math.isfinite(lat) and math.isfinite(lon) and abs(lat) <= 90 and abs(lon) <= 180
        )
    else:
        assert -90 <= p.lat <= 90 and -180 <= p.lon <= 180 and p.at == NOW


@given(st.text(max_size=1200), st.sampled_from(["arrest", "TRAFFIC", " other ", "x", ""]))
def test_incident_text_is_one_trimmed_line_or_refused(text: str, category: str) -> None:
    try:
        incident = parse_incident(category, text, now=NOW)
    except InvalidInput as e:
        assert e.code in (
            "incident_category_invalid",
            "incident_text_missing",
            "incident_text_too_long",
        )
    else:
        assert incident.text == incident.text.strip() and 0 < len(incident.text) <= 1000
        assert "\n" not in incident.text and "\t" not in incident.text
        assert incident.category.value == category.strip().lower()


@pytest.mark.parametrize(
    ("at", "code"),
    [
        ("yesterday", "time_invalid"),
        ((NOW + dt.timedelta(minutes=5)).isoformat(), "time_in_future"),
    ],
)
def test_bad_times(at: str, code: str) -> None:
    with pytest.raises(InvalidInput) as e:
        parse_position(50.8, 5.7, at, NOW)
    assert e.value.code == code
    assert parse_position(50.8, 5.7, "2026-11-23T14:00:30+00:00", NOW).at > NOW  # small slack


def test_the_patrols_page_plans_a_shift_in_local_time(site: Site) -> None:
    from passerelle.web.deps import SESSION_COOKIE

    assert site.ctx.idp is not None
    site.client.cookies.set(SESSION_COOKIE, site.ctx.idp.issue("officer", [Role.OFFICER]))
    form = {
        "crew": "BE:officer, NL:officer",
        "vehicle": "Combi 9",
        "area": "Lanaken",
        "shift_start": "2026-11-24T06:00",
        "shift_end": "2026-11-24T14:00",
    }
    r = site.client.post("/patrols", data=form)
    assert r.status_code == 200, r.text
    planned = [p for p in site.ctx.patrols.store.find() if p.vehicle == "Combi 9"]
    assert len(planned) == 1 and planned[0].status.value == "planned"
    assert planned[0].planned_start == dt.datetime(2026, 11, 24, 5, 0, tzinfo=dt.UTC)  # CET
    assert planned[0].planned_end == dt.datetime(2026, 11, 24, 13, 0, tzinfo=dt.UTC)
    r = site.client.post("/patrols", data={**form, "shift_end": "tomorrow"})
    assert r.status_code == 422 and "patrol-error" in r.text
    r = site.client.post("/patrols", data={**form, "shift_end": "2026-11-24T05:00"})
    assert r.status_code == 422  # the end before the start


def test_the_log_page_records_incidents_and_switches_positions(site: Site) -> None:
    from passerelle.web.deps import SESSION_COOKIE

    officer = _auth(site)
    pid = _patrol(site.client, officer)
    assert site.ctx.idp is not None
    site.client.cookies.set(SESSION_COOKIE, site.ctx.idp.issue("officer", [Role.OFFICER]))
    site.client.headers["Accept-Language"] = "en"  # a BE node speaks French by default
    assert f'href="/patrols/{pid}/log"' in site.client.get("/patrols").text
    page = site.client.get(f"/patrols/{pid}/log")
    assert page.status_code == 200 and "Nothing recorded yet." in page.text
    r = site.client.post(
        f"/patrols/{pid}/log/incidents",
        data={"category": "seizure", "text": "2 kg cannabis in the boot", "lat": "", "lon": ""},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == f"/patrols/{pid}/log?done=incident"
    r = site.client.post(f"/patrols/{pid}/log/tracking", data={"enabled": "on"})
    assert r.status_code == 200 and "Positions switched on for this patrol." in r.text
    assert "2 kg cannabis in the boot" in r.text and "Incident: Seizure" in r.text
    r = site.client.post(f"/patrols/{pid}/log/incidents", data={"category": "seizure", "text": " "})
    assert r.status_code == 422 and "patrol-log-error" in r.text
    site.client.cookies.set(SESSION_COOKIE, site.ctx.idp.issue("contact", [Role.OFFICER]))
    assert site.client.get(f"/patrols/{pid}/log").status_code == 403  # not in the crew
