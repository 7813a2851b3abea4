"""The control-room page: server-rendered panels, who may open it, and its live stream.

A real BE demo node (partners in the trust store, not running): in a TestClient for
the pages, as a uvicorn server for the server-sent events.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator

import httpx
import pytest

from passerelle.audit.reader import AuditSearch
from passerelle.auth.roles import Role
from passerelle.domain.countries import Country
from passerelle.node.context import NodeContext
from passerelle.web.app import create_app
from passerelle.web.deps import LANG_COOKIE, SESSION_COOKIE
from tests.conftest import LiveServer
from tests.web.conftest import Site, WebNodes, site, web_nodes
from tests.web.test_control_room_browser import _cross_into_nl, pair

__all__ = ["pair", "site", "web_nodes"]
PANELS = ("notifications", "pursuits", "patrols", "actions", "anpr")


def _sign_in(site: Site, user: str, *roles: Role) -> str:
    assert site.ctx.idp is not None
    token = site.ctx.idp.issue(user, list(roles))
    site.client.cookies.set(SESSION_COOKIE, token)
    return token


def _start_patrol(site: Site) -> str:
    assert site.ctx.idp is not None
    token = site.ctx.idp.issue("officer", [Role.OFFICER])
    r = site.client.post(
        "/api/v1/ops/patrols",
        json={"crew": ["BE:officer", "NL:officer"], "vehicle": "Combi 7", "start": True,
              "area": "Lanaken – Maastricht"},
        headers={"Authorization": f"Bearer {token}"},
    )  # fmt: skip
    assert r.status_code == 201, r.text
    return str(r.json()["patrol_id"])


def test_the_page_lists_every_panel_and_the_patrols_on_duty(site: Site) -> None:
    pid = _start_patrol(site)
    _sign_in(site, "control", Role.CONTROL_ROOM)
    site.client.cookies.set(LANG_COOKIE, "en")  # a BE node speaks French by default
    r = site.client.get("/control-room")
    assert r.status_code == 200
    html = r.text
    for name in PANELS:
        assert f'id="cr-{name}"' in html
    patrols = html.split('id="cr-patrols"', 1)[1].split("</section>", 1)[0]
    assert pid in patrols and "BE:officer, NL:officer" in patrols and "Combi 7" in patrols
    assert 'src="/static/control-room.js"' in html and 'data-stream="/control-room/stream"' in html
    nav = re.search(r'<nav class="mainnav".*?</nav>', html, re.S)
    assert nav is not None and '<a href="/control-room" aria-current="page">' in nav.group(0)
    r = site.client.get("/control-room/panels/patrols")
    assert r.status_code == 200 and r.text.lstrip().startswith('<section id="cr-patrols"')
    assert pid in r.text
    assert site.client.get("/control-room/panels/secrets").status_code == 404
    anpr = site.client.get("/control-room/panels/anpr").text
    assert "0</strong> hits in the last hour" in anpr and 'href="/anpr"' in anpr
    # ended: no longer on duty
    assert site.ctx.idp is not None
    officer = {"Authorization": f"Bearer {site.ctx.idp.issue('officer', [Role.OFFICER])}"}
    site.client.post(f"/api/v1/ops/patrols/{pid}/end", headers=officer)
    assert pid not in site.client.get("/control-room/panels/patrols").text


def test_only_the_control_room_opens_it(site: Site) -> None:
    r = site.client.get("/control-room", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login?next=/control-room"
    assert site.client.get("/control-room/stream").status_code == 401
    _sign_in(site, "officer", Role.OFFICER)
    assert site.client.get("/control-room").status_code == 403
    assert site.client.get("/control-room/panels/patrols").status_code == 403
    nav = site.client.get("/node").text
    assert 'href="/control-room"' not in nav
    r = site.client.post("/control-room/notifications/x/ack", follow_redirects=False)
    assert r.status_code == 403


def test_the_page_speaks_the_users_language(site: Site) -> None:
    _sign_in(site, "control", Role.CONTROL_ROOM)
    headings = {
        "fr": "Notifications des partenaires",
        "nl": "Meldingen van partners",
        "de": "Meldungen der Partner",
        "en": "Notifications from partners",
    }
    for lang, heading in headings.items():
        site.client.cookies.set(LANG_COOKIE, lang)
        r = site.client.get("/control-room")
        assert r.status_code == 200 and f'<html lang="{lang}">' in r.text
        assert heading in r.text  # the panels are translated, not only the page's lang


@pytest.fixture
def live_be(web_nodes: WebNodes) -> Iterator[tuple[str, Site]]:
    ctx = web_nodes.context(Country.BE)
    from fastapi.testclient import TestClient

    app = create_app(ctx)
    with LiveServer(app) as server:
        yield server.url, Site(TestClient(app), ctx, web_nodes.passwords[Country.BE])


def test_events_reach_the_stream_of_a_signed_in_control_room(live_be: tuple[str, Site]) -> None:
    url, site = live_be
    assert site.ctx.idp is not None
    token = site.ctx.idp.issue("control", [Role.CONTROL_ROOM])
    seen: list[tuple[str, dict[str, object]]] = []
    with (
        httpx.Client(base_url=url, cookies={SESSION_COOKIE: token}, timeout=10) as client,
        client.stream("GET", "/control-room/stream") as stream,
    ):
        assert stream.status_code == 200
        assert stream.headers["content-type"].startswith("text/event-stream")
        lines = stream.iter_lines()
        assert next(lines).startswith("retry:")  # connected: now publish
        deadline = time.monotonic() + 10
        while site.ctx.live.subscriber_count == 0:
            assert time.monotonic() < deadline
            time.sleep(0.01)
        site.ctx.live.publish("ops.notifications", {"notification_id": "n1", "acknowledged": False})
        site.ctx.live.publish("elsewhere", {"not": "for this page"})
        site.ctx.live.publish("ops.patrols", {"change": "started", "patrol_id": "BE-1"})
        event = ""
        for line in lines:
            if line.startswith("event: "):
                event = line[7:]
            elif line.startswith("data: "):
                seen.append((event, json.loads(line[6:])))
                if len(seen) == 2:
                    break
    assert [e for e, _ in seen] == ["ops.notifications", "ops.patrols"]
    assert seen[0][1]["notification_id"] == "n1"


def test_acknowledging_without_javascript(
    pair: tuple[WebNodes, dict[Country, NodeContext], dict[str, str]],
) -> None:
    """The acknowledge button is a plain form: it works without JavaScript too."""
    _nodes, ctx, urls = pair
    pid = _cross_into_nl(ctx[Country.BE], urls["BE"])
    token = ctx[Country.NL].idp.issue("control", [Role.CONTROL_ROOM])  # type: ignore[union-attr]
    with httpx.Client(base_url=urls["NL"], cookies={SESSION_COOKIE: token}, timeout=10) as nl:
        page = nl.get("/control-room").text
        found = re.search(r'action="/control-room/notifications/([^"]+)/ack"', page)
        assert found is not None and 'id="cr-banner"' in page and pid in found.group(1)
        seen = ctx[Country.NL].audit.search(AuditSearch(kind="pursuit_viewed", limit=100))
        assert any(  # the banner names who is pursued: showing it is audited
            e.outcome == "control_room_read" and e.legal_ref.case_ref == pid for e in seen
        )
        r = nl.post(f"/control-room/notifications/{found.group(1)}/ack", follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/control-room"
        page = nl.get("/control-room").text
        assert 'id="cr-banner"' not in page and "cr-badge-ok" in page
        r = nl.post("/control-room/notifications/BE-0000000000000000-00000000/ack")
        assert r.status_code == 404 and 'id="cr-error"' in r.text  # the page, with the error
        r = nl.post("/control-room/notifications/nope/ack", headers={"X-Requested-With": "fetch"})
        assert r.status_code == 404 and r.text.lstrip().startswith('<section id="cr-notifications"')
