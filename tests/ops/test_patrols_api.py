"""Patrols over the API: registered at both nodes, changed only at the origin."""

from __future__ import annotations

from passerelle.auth.roles import Role
from passerelle.domain.countries import Country
from tests.checks.conftest import Node, nodes, start_patrol

__all__ = ["nodes"]  # the module-scoped four-node fixture
BE, NL, LU = Country.BE, Country.NL, Country.LU


def test_create_start_end_are_copied_to_the_crew_nodes(nodes: dict[Country, Node]) -> None:
    with nodes[BE].client() as be, nodes[NL].client() as nl:
        r = be.post(
            "/api/v1/ops/patrols",
            json={"crew": ["BE:officer", "NL:officer"], "vehicle": "Combi 7", "area": "Kerkrade"},
        )
        assert r.status_code == 201, r.text
        created = r.json()
        pid = created["patrol_id"]
        assert created["status"] == "planned" and created["sync"] == {"NL": "registered"}
        assert created["created_by"] == "BE:officer" and pid.startswith("BE-")
        copy = nl.get(f"/api/v1/ops/patrols/{pid}").json()
        assert copy["origin_country"] == "BE" and copy["status"] == "planned"
        assert copy["crew"] == ["BE:officer", "NL:officer"] and copy["area"] == "Kerkrade"
        assert be.post(f"/api/v1/ops/patrols/{pid}/start").json()["status"] == "active"
        assert nl.get(f"/api/v1/ops/patrols/{pid}").json()["status"] == "active"
        r = nl.post(f"/api/v1/ops/patrols/{pid}/end")
        assert r.status_code == 409 and r.json()["error"]["code"] == "patrol_not_local"
        ended = be.post(f"/api/v1/ops/patrols/{pid}/end").json()
        assert ended["status"] == "ended" and ended["sync"] == {"NL": "registered"}
        assert nl.get(f"/api/v1/ops/patrols/{pid}").json()["ended_at"]
        r = be.post(f"/api/v1/ops/patrols/{pid}/start")
        assert r.status_code == 409
        listed = [p["patrol_id"] for p in nl.get("/api/v1/ops/patrols?status=ended").json()]
        assert pid in listed


def test_adding_crew_registers_the_patrol_at_the_new_country(nodes: dict[Country, Node]) -> None:
    pid = start_patrol(nodes[BE], "BE:officer,NL:officer")
    with nodes[BE].client() as be:
        r = be.post(f"/api/v1/ops/patrols/{pid}/crew", json={"crew": ["LU:officer"]})
    assert r.status_code == 200, r.text
    assert r.json()["crew"] == ["BE:officer", "NL:officer", "LU:officer"]
    assert r.json()["sync"] == {"LU": "registered", "NL": "registered"}
    assert nodes[LU].client().get(f"/api/v1/ops/patrols/{pid}").json()["status"] == "active"


def test_unknown_crew_members_are_refused(nodes: dict[Country, Node]) -> None:
    with nodes[BE].client() as be:
        r = be.post("/api/v1/ops/patrols", json={"crew": ["BE:ghost", "NL:officer"]})
        assert r.status_code == 422 and r.json()["error"]["code"] == "crew_member_unknown"
        r = be.post("/api/v1/ops/patrols", json={"crew": ["BE:officer", "NL:ghost"]})
        assert r.status_code == 201  # BE cannot know NL's officers; NL refuses its copy
        nl = r.json()["sync"]["NL"]  # refused by NL: kept pending, retried, shown
        assert nl.startswith("pending since ") and nl.endswith(": error: crew_member_unknown")
        assert r.json()["copies"]["NL"]["state"] == "pending"
        r = be.post("/api/v1/ops/patrols", json={"crew": ["BE:officer", "XX:officer"]})
        assert r.status_code == 422 and r.json()["error"]["code"] == "unknown_country"


def test_only_crew_or_control_room_change_a_patrol(nodes: dict[Country, Node]) -> None:
    pid = start_patrol(nodes[BE], "BE:officer,NL:officer")
    with nodes[BE].client("analyst", Role.ANALYST) as analyst:
        assert analyst.get("/api/v1/ops/patrols").status_code == 403
    with nodes[BE].client("contact", Role.OFFICER) as other:
        r = other.post(f"/api/v1/ops/patrols/{pid}/end")
        assert r.status_code == 403 and r.json()["error"]["code"] == "not_in_crew"
    with nodes[BE].client("control", Role.CONTROL_ROOM) as room:
        assert room.post(f"/api/v1/ops/patrols/{pid}/end").json()["status"] == "ended"
    with nodes[BE].client() as be:
        r = be.get("/api/v1/ops/patrols/BE-not-an-id")
        assert r.status_code == 422 and r.json()["error"]["code"] == "patrol_id_invalid"
        r = be.get("/api/v1/ops/patrols/BE-0123456789abcdef")
        assert r.status_code == 404 and r.json()["error"]["code"] == "patrol_not_found"


def test_an_officers_active_patrols(nodes: dict[Country, Node]) -> None:
    from passerelle.ops.service import PatrolService

    pid = start_patrol(nodes[BE], "BE:officer,NL:officer")
    officer = nodes[BE].ctx.verifier.verify(nodes[BE].token())
    control = nodes[BE].ctx.verifier.verify(nodes[BE].token("control", Role.CONTROL_ROOM))
    service = PatrolService(nodes[BE].ctx)
    assert pid in [p.patrol_id for p in service.for_officer(officer)]
    assert pid not in [p.patrol_id for p in service.for_officer(control)]


def test_an_end_is_accepted_even_when_the_crew_was_refused(nodes: dict[Country, Node]) -> None:
    pid = start_patrol(nodes[BE], "BE:officer,NL:officer")
    with nodes[BE].client() as be:
        r = be.post(f"/api/v1/ops/patrols/{pid}/crew", json={"crew": ["NL:ghost"]})
        assert r.json()["copies"]["NL"]["state"] == "pending"  # NL refused that version
        ended = be.post(f"/api/v1/ops/patrols/{pid}/end").json()
    assert ended["sync"] == {"NL": "registered"}
    copy = nodes[NL].ctx.patrols.store.get(pid)
    assert copy is not None and copy.status.value == "ended"
