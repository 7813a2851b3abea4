"""``/api/v1/pursuits`` and the unit page over real HTTP (one BE node, NL in its trust store)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest

from passerelle.audit.reader import AuditSearch
from passerelle.auth.roles import Role
from passerelle.domain.countries import Country
from passerelle.node.context import NodeContext
from passerelle.web.app import create_app
from tests.conftest import LiveServer
from tests.node.conftest import make_nodes
from tests.ops.pursuits_kit import LANAKEN, LANAKEN_BORDER_NL, MAASTRICHT, Make, build

__all__ = ["make_nodes"]
BE, NL = Country.BE, Country.NL


@dataclass
class Node:
    ctx: NodeContext
    url: str

    def client(self, user: str, role: Role, **headers: str) -> httpx.Client:
        assert self.ctx.idp is not None
        token = self.ctx.idp.issue(user, [role])
        return httpx.Client(
            base_url=self.url,
            headers={"Authorization": f"Bearer {token}", **headers},
            timeout=20,
        )

    def browser(self, user: str, role: Role, lang: str = "en") -> httpx.Client:
        """A signed-in browser: the session cookie instead of a header."""
        assert self.ctx.idp is not None
        token = self.ctx.idp.issue(user, [role])
        return httpx.Client(
            base_url=self.url,
            cookies={"passerelle_session": token, "passerelle_lang": lang},
            timeout=20,
            follow_redirects=False,
        )


@pytest.fixture
def node(make_nodes: Make) -> Iterator[Node]:
    made = make_nodes(BE, NL)  # NL is never started: its notifications wait in the outbox
    ctx = build(made[BE][0])
    with LiveServer(create_app(ctx), made[BE][0].port) as server:
        yield Node(ctx, server.url)


def _open(c: httpx.Client) -> str:
    r = c.post(
        "/api/v1/pursuits",
        json={
            "subject": "grey Audi A4",
            "reason": "armed robbery",
            "units": ["BE-12", "BE-14"],
            "position": {"lat": LANAKEN[0], "lon": LANAKEN[1]},
        },
    )
    assert r.status_code == 201, r.text
    pid: str = r.json()["pursuit_id"]
    return pid


def test_open_positions_end_and_export(node: Node) -> None:
    now = dt.datetime.now(dt.UTC)
    with node.client("control", Role.CONTROL_ROOM) as cr, node.client("officer", Role.OFFICER) as u:
        pid = _open(cr)
        got = cr.get(f"/api/v1/pursuits/{pid}").json()
        assert got["status"] == "active" and got["country"] == "BE"
        assert got["last_position"]["territory"] == "BE"
        r = u.post(
            f"/api/v1/pursuits/{pid}/positions",
            json={
                **dict(zip(("lat", "lon"), LANAKEN_BORDER_NL, strict=True)),
                "at": (now + dt.timedelta(minutes=3)).isoformat(),
            },
        )
        # the future check uses the node's clock: 3 minutes ahead is refused, translated
        assert r.status_code == 422 and r.json()["error"]["code"] == "position_in_future"
        lat, lon = LANAKEN_BORDER_NL
        r = u.post(f"/api/v1/pursuits/{pid}/positions", json={"lat": lat, "lon": lon})
        assert r.status_code == 422 and r.json()["error"]["code"] == "position_too_fast"
        assert "km/h" in r.json()["error"]["message"]
        r = u.post(
            f"/api/v1/pursuits/{pid}/positions",
            json={"lat": lat, "lon": lon, "at": (now - dt.timedelta(minutes=10)).isoformat()},
        )  # before the opening fix, as plausible as any: kept, late, and a crossing
        assert r.status_code == 201, r.text
        assert r.json()["position"]["late"] is True
        r = u.post(f"/api/v1/pursuits/{pid}/positions", json={"lat": 95, "lon": 5})
        assert r.status_code == 422
        assert u.post(f"/api/v1/pursuits/{pid}/end", json={"outcome": "lost"}).status_code == 403
        r = cr.post(f"/api/v1/pursuits/{pid}/end", json={"outcome": "arrested", "note": "A2"})
        assert r.json()["outcome"] == "arrested" and r.json()["status"] == "ended"
        r = cr.get(f"/api/v1/pursuits/{pid}/timeline")
        data = r.json()
        assert data["lang"] == "nl"  # the partner notified: the report is for them
        assert [p["status"] for p in data["positions"]].count("rejected") == 2
        r = cr.get(f"/api/v1/pursuits/{pid}/timeline?format=csv&lang=fr")
        assert r.headers["content-type"].startswith("text/csv") and "at_local" in r.text
        assert cr.get(f"/api/v1/pursuits/{pid}/timeline?format=pdf").content[:4] == b"%PDF"
        assert "<html" in cr.get(f"/api/v1/pursuits/{pid}/timeline?format=html").text
        r = cr.get(f"/api/v1/pursuits/{pid}/timeline?format=docx")
        assert r.status_code == 422 and r.json()["error"]["code"] == "pursuit_export_format"
        sent = cr.get("/api/v1/pursuits/notifications?direction=out").json()
        assert {n["kind"] for n in sent} == {"entered", "ended"}
        assert all(n["delivered_at"] is None for n in sent)  # NL is down: still queued
        one = cr.get(f"/api/v1/pursuits/notifications/{sent[0]['notification_id']}")
        assert one.status_code == 200 and one.json()["pursuit"]["subject"] == "grey Audi A4"
        seen = node.ctx.audit.search(AuditSearch(kind="pursuit_viewed", limit=100))
        outcomes = {e.outcome for e in seen if e.legal_ref.case_ref == pid}
        assert {"notifications_listed", "notification_read"} <= outcomes  # they name the subject
        assert cr.get("/api/v1/pursuits/BE-0000000000000000").status_code == 404
        listed = [p["pursuit_id"] for p in u.get("/api/v1/pursuits").json()]
        assert pid in listed


def test_roles(node: Node) -> None:
    with node.client("officer", Role.OFFICER) as u, node.client("a", Role.ANALYST) as a:
        body = {"subject": "x", "reason": "y"}
        assert u.post("/api/v1/pursuits", json=body).status_code == 403
        assert a.get("/api/v1/pursuits").status_code == 403
        assert a.get("/api/v1/pursuits/notifications").status_code == 403
        r = u.post("/api/v1/pursuits/notifications/BE-1/ack")
        assert r.status_code == 403


def test_unit_page_sends_positions_as_a_phone_would(node: Node) -> None:
    with node.client("control", Role.CONTROL_ROOM) as cr:
        pid = _open(cr)
    with node.browser("officer", Role.OFFICER, lang="nl") as phone:
        page = phone.get(f"/pursuits/{pid}")
        assert page.status_code == 200 and "pursuit-unit.js" in page.text
        assert 'data-url="/pursuits/' in page.text
        at = (dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)).isoformat()
        r = phone.post(
            f"/pursuits/{pid}/positions",
            data={
                "lat": str(LANAKEN[0] + 0.0001),
                "lon": str(LANAKEN[1]),
                "at": at,
                "source": "phone",
            },
            headers={"Accept": "application/json"},
        )
        assert r.status_code == 201 and r.json()["ok"] and r.json()["country"] == "BE"
        # typed in by hand, without an offset: the time on the officer's watch (local)
        watch = dt.datetime.now(ZoneInfo("Europe/Brussels")) + dt.timedelta(seconds=2)
        r = phone.post(
            f"/pursuits/{pid}/positions",
            data={"lat": str(LANAKEN[0] + 0.0002), "lon": str(LANAKEN[1]),
                  "at": watch.replace(tzinfo=None).isoformat(timespec="seconds")},
            headers={"Accept": "application/json"},
        )  # fmt: skip
        assert r.status_code == 201, r.text
        r = phone.post(
            f"/pursuits/{pid}/positions",
            data={"lat": str(MAASTRICHT[0]), "lon": str(MAASTRICHT[1]), "source": "phone"},
            headers={"Accept": "application/json"},
        )
        assert r.status_code == 422 and r.json()["code"] == "position_too_fast"
        assert r.json()["message"]
        form = phone.post(f"/pursuits/{pid}/positions", data={"lat": "abc", "lon": "5"})
        assert form.status_code == 422 and "<html" in form.text  # the page, with the reason
        assert phone.post(f"/pursuits/{pid}/end", data={"outcome": "lost"}).status_code == 403
        listing = phone.get("/pursuits")
        assert listing.status_code == 200 and pid in listing.text
    with node.browser("control", Role.CONTROL_ROOM) as room:
        r = room.post(f"/pursuits/{pid}/end", data={"outcome": "lost", "note": ""})
        assert r.status_code == 200 and "timeline?format=pdf" in r.text
        opened = room.post(
            "/pursuits", data={"subject": "van", "reason": "theft", "units": "BE-1, BE-2"}
        )
        assert opened.status_code == 303 and opened.headers["location"].startswith("/pursuits/BE-")
    assert node.browser("x", Role.OFFICER).get("/pursuits").status_code == 200
    with httpx.Client(base_url=node.url, follow_redirects=False) as anonymous:
        assert anonymous.get("/pursuits").status_code == 303


def test_cli_open_position_end_timeline(node: Node, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from passerelle.cli import app

    assert node.ctx.idp is not None
    token = node.ctx.idp.issue("control", [Role.CONTROL_ROOM])
    run = CliRunner().invoke
    common = ["--node", node.url, "--token", token]
    where = ["--lat", str(LANAKEN[0]), "--lon", str(LANAKEN[1])]
    r = run(app, ["pursuit", "open", *common, "--subject", "blue van", "--reason", "theft",
                  "--unit", "BE-7", *where])  # fmt: skip
    assert r.exit_code == 0, r.output
    pid = r.stdout.strip().splitlines()[0]
    at = (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)).isoformat()
    lat, lon = LANAKEN_BORDER_NL
    r = run(app, ["pursuit", "position", *common, "--pursuit-id", pid, "--lat", str(lat),
                  "--lon", str(lon), "--at", at])  # fmt: skip
    assert r.exit_code == 0, r.output
    assert "NL (late" in r.stdout and "crossed BE → NL · notified: NL" in r.output
    r = run(app, ["pursuit", "position", *common, "--pursuit-id", pid, "--lat", "52.37",
                  "--lon", "4.89"])  # fmt: skip
    assert r.exit_code == 2 and "position_too_fast" in r.output
    r = run(app, ["pursuit", "end", *common, "--pursuit-id", pid, "--outcome", "lost"])
    assert r.exit_code == 0 and "ended" in r.output
    out = tmp_path / "t.pdf"
    r = run(app, ["pursuit", "timeline", *common, "--pursuit-id", pid, "--format", "pdf",
                  "--output", str(out)])  # fmt: skip
    assert r.exit_code == 0 and out.read_bytes()[:4] == b"%PDF"
    r = run(app, ["pursuit", "timeline", *common, "--pursuit-id", pid, "--format", "csv"])
    assert r.exit_code == 0 and r.stdout.startswith("at_utc,at_local,event")
