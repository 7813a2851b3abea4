"""The NL control room in a real browser: a Belgian pursuit crosses into the Netherlands,
the banner appears at once (with the beep), and the acknowledge button answers it.

BE and NL run as real uvicorn servers; the notification travels over the signed federation
API through BE's outbox, reaches NL's page over server-sent events, and the acknowledgement
goes back the same way. With PASSERELLE_UPDATE_SCREENSHOTS=1 it refreshes
docs/img/control-room.png.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from passerelle.auth.roles import Role
from passerelle.domain.countries import Country
from passerelle.node.context import NodeContext
from passerelle.ops.pursuits_notify import NotificationService
from passerelle.web.app import create_app
from passerelle.web.deps import SESSION_COOKIE
from tests.conftest import LiveServer
from tests.web.conftest import WebNodes, make_web_nodes
from tests.web.test_browser import CHROMIUM, CHROMIUM_ARGS, TIMEOUT_MS, UPDATE_DOCS, require

pytestmark = pytest.mark.browser
DOC_SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "img" / "control-room.png"
LANAKEN = (50.8860, 5.6543)  # BE, west of Maastricht
MAASTRICHT = (50.8700, 5.6700)  # NL, past the border


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[tuple[WebNodes, dict[Country, NodeContext], dict[str, str]]]:
    nodes = make_web_nodes(tmp_path / "nodes", Country.BE, Country.NL)
    ctx = {c: nodes.context(c) for c in (Country.BE, Country.NL)}
    be, nl = nodes.nodes[Country.BE], nodes.nodes[Country.NL]
    with (
        LiveServer(create_app(ctx[Country.NL]), nl.port) as nl_srv,
        LiveServer(create_app(ctx[Country.BE]), be.port) as be_srv,
    ):
        yield nodes, ctx, {"BE": be_srv.url, "NL": nl_srv.url}


def _token(ctx: NodeContext, user: str, role: Role) -> str:
    assert ctx.idp is not None
    return ctx.idp.issue(user, [role])


def _cross_into_nl(ctx: NodeContext, be_url: str) -> str:
    """The BE control room opens a pursuit near Lanaken; the unit reports it past the border."""
    auth = {"Authorization": f"Bearer {_token(ctx, 'control', Role.CONTROL_ROOM)}"}
    now = dt.datetime.now(dt.UTC)
    seen = (now - dt.timedelta(seconds=90)).isoformat()
    with httpx.Client(base_url=be_url, headers=auth, timeout=10) as c:
        r = c.post(
            "/api/v1/pursuits",
            json={
                "subject": "grey Audi A4, Belgian plate",
                "reason": "ram raid in Lanaken",
                "units": ["Lanaken 21"],
                "position": {"lat": LANAKEN[0], "lon": LANAKEN[1], "at": seen},
            },
        )  # fmt: skip
        assert r.status_code == 201, r.text
        pid = str(r.json()["pursuit_id"])
        r = c.post(
            f"/api/v1/pursuits/{pid}/positions",
            json={"lat": MAASTRICHT[0], "lon": MAASTRICHT[1], "at": now.isoformat()},
        )
        assert r.status_code == 201, r.text
        assert r.json()["country"] == "NL" and r.json()["notifications"], r.json()
    return pid


def test_a_crossing_rings_in_the_nl_control_room_and_is_acknowledged(
    pair: tuple[WebNodes, dict[Country, NodeContext], dict[str, str]], tmp_path: Path
) -> None:
    require(CHROMIUM.exists(), f"{CHROMIUM} not found (apt-get install chromium)")
    from playwright.sync_api import expect, sync_playwright

    _nodes, ctx, urls = pair
    nl_url = urls["NL"]
    shot = DOC_SCREENSHOT if UPDATE_DOCS else tmp_path / "control-room.png"
    problems: list[str] = []
    foreign: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[*CHROMIUM_ARGS, "--autoplay-policy=no-user-gesture-required"],
        )
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="en-GB")
            page.set_default_timeout(TIMEOUT_MS)
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: problems.append(str(e)))
            page.on(
                "request",
                lambda r: (
                    None if urlsplit(r.url).hostname == "127.0.0.1" else foreign.append(r.url)
                ),
            )
            token = _token(ctx[Country.NL], "control", Role.CONTROL_ROOM)
            page.context.add_cookies([{"name": SESSION_COOKIE, "value": token, "url": nl_url}])
            page.goto(nl_url + "/control-room")
            expect(page.get_by_role("heading", level=1)).to_have_text("Control room")
            expect(page.locator("#control-room")).to_have_attribute("data-live", "1")
            expect(page.locator("#cr-banner")).to_have_count(0)
            page.get_by_role("button", name="Switch the sound on").click()
            expect(page.locator("#cr-sound")).to_have_attribute("aria-pressed", "true")

            officer = {
                "Authorization": f"Bearer {_token(ctx[Country.BE], 'officer', Role.OFFICER)}"
            }
            patrol = httpx.post(
                urls["BE"] + "/api/v1/ops/patrols",
                json={"crew": ["BE:officer", "NL:officer"], "vehicle": "Combi BE/NL 7",
                      "area": "Lanaken – Maastricht", "start": True},
                headers=officer,
                timeout=10,
            ).json()["patrol_id"]  # fmt: skip
            patrols = page.locator("#cr-patrols")
            expect(patrols).to_contain_text(patrol)  # NL's copy, shown live
            expect(patrols).to_contain_text("Combi BE/NL 7")

            pid = _cross_into_nl(ctx[Country.BE], urls["BE"])

            banner = page.locator("#cr-banner")
            expect(banner).to_be_visible()  # no reload: pushed over SSE
            expect(banner).to_contain_text("1 notification from a partner to acknowledge")
            expect(banner).to_contain_text("ram raid in Lanaken")
            expect(page.locator("body")).to_have_attribute("data-beeps", "1")
            item = page.locator("#cr-notifications li.cr-notification.cr-open")
            expect(item).to_have_count(1)
            expect(item.locator(".country-code")).to_have_text("BE")
            shot.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(shot), full_page=False)

            banner.get_by_role("button", name="Acknowledge").click()
            expect(page.locator("#cr-banner")).to_have_count(0)
            expect(page.locator("#cr-notifications .cr-badge-ok")).to_have_count(1)
            expect(page).to_have_url(nl_url + "/control-room")  # answered in place
            control = {"Authorization": f"Bearer {_token(ctx[Country.BE], 'c', Role.CONTROL_ROOM)}"}
            r = httpx.post(
                f"{urls['BE']}/api/v1/pursuits/{pid}/end",
                json={"outcome": "arrested"},
                headers=control,
                timeout=10,
            )
            assert r.status_code == 200, r.text
            notices = page.locator("#cr-notifications")
            expect(notices).to_contain_text("Outcome: Arrested")  # information, shown live
            expect(page.locator("#cr-banner")).to_have_count(0)
            expect(page.locator("body")).to_have_attribute("data-beeps", "1")  # no new alarm
            httpx.post(f"{urls['BE']}/api/v1/ops/patrols/{patrol}/end", headers=officer)
            expect(patrols).not_to_contain_text(patrol)  # off duty at NL too, at once
            page.set_viewport_size({"width": 390, "height": 844})  # on a phone too
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 1, f"the control room scrolls sideways on a phone by {overflow}px"
        finally:
            browser.close()
    # the acknowledgement went back to the origin node
    service = NotificationService(ctx[Country.BE])
    deadline = time.monotonic() + 15
    while not all(n.acknowledged for n in service.sent(pid) if n.requires_ack):
        assert time.monotonic() < deadline, "BE never learned of the acknowledgement"
        time.sleep(0.05)
    assert not problems, problems
    assert not foreign, f"requests left the node: {foreign}"
