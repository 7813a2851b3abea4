"""The control room's ANPR page in a real browser: a hit appears live, on the list and the map,
and is acknowledged in place. With PASSERELLE_UPDATE_SCREENSHOTS=1 it refreshes
docs/img/anpr-page.png."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import httpx
import pytest

from passerelle.anpr.reads_cameras import Camera
from passerelle.anpr.roads import all_cameras
from passerelle.auth.roles import Role
from passerelle.domain.countries import Country
from passerelle.web.app import create_app
from passerelle.web.deps import LANG_COOKIE, SESSION_COOKIE
from tests.anpr.ingest_support import add_entry, make_ctx
from tests.conftest import LiveServer
from tests.web.test_browser import CHROMIUM, CHROMIUM_ARGS, HTMX, TIMEOUT_MS, UPDATE_DOCS, require

pytestmark = pytest.mark.browser
DOC_SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "img" / "anpr-page.png"


def test_a_hit_appears_live_and_is_acknowledged(tmp_path: Path) -> None:
    require(CHROMIUM.exists(), f"{CHROMIUM} not found (apt-get install chromium)")
    require(HTMX.exists(), "web assets not vendored (npm ci && node scripts/vendor-assets.mjs)")
    from playwright.sync_api import expect, sync_playwright

    ctx = make_ctx(tmp_path, Country.BE)
    ctx.anpr.cameras.upsert(
        [
            Camera(c.camera_id, c.site, c.country, road=c.road, lat=c.lat, lon=c.lon,
                   direction=c.direction)
            for c in all_cameras(("BE",))
        ]
    )  # fmt: skip
    add_entry(ctx, "1ABC234", "BE", ref="E1")
    assert ctx.idp is not None
    control = ctx.idp.issue("control", [Role.CONTROL_ROOM], name="Control room (BE)")
    admin = ctx.idp.issue("camera-feed", [Role.ADMIN])
    shot = DOC_SCREENSHOT if UPDATE_DOCS else tmp_path / "anpr-page.png"
    problems: list[str] = []
    with LiveServer(create_app(ctx)) as srv, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="en-GB")
            page.set_default_timeout(TIMEOUT_MS)
            page.on("pageerror", lambda e: problems.append(str(e)))
            page.context.add_cookies(
                [
                    {"name": SESSION_COOKIE, "value": control, "url": srv.url},
                    {"name": LANG_COOKIE, "value": "en", "url": srv.url},
                ]
            )
            page.goto(srv.url + "/anpr")
            expect(page.get_by_role("heading", level=1)).to_have_text("ANPR hits")
            expect(page.locator("#anpr-empty")).to_be_visible()
            expect(page.locator("#anpr-status[data-state=live]")).to_have_count(1)
            cameras = page.locator("#anpr-map path.leaflet-interactive")
            registered = len(ctx.anpr.cameras.all())  # every camera has a position here
            expect(cameras).to_have_count(registered)

            at = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=5)
            read = {"read_id": "live-1", "camera_id": "BE-E25-VISE-1", "plate": "1-ABC-234",
                    "read_at": at.isoformat(), "confidence": 0.97, "plate_country": "BE",
                    "image_ref": "anpr-img://BE/BE-E25-VISE-1/live-1.jpg"}  # fmt: skip
            r = httpx.post(srv.url + "/api/v1/anpr/reads", json={"reads": [read]},
                           headers={"Authorization": f"Bearer {admin}"}, timeout=10)  # fmt: skip
            assert r.status_code == 200 and r.json()["hits"] == 1, r.text

            card = page.locator("#anpr-hits li.anpr-hit").first
            expect(card).to_contain_text("1ABC234")  # arrived live, without a reload
            expect(card).to_contain_text("Alert: intercept if safe")
            expect(card).to_contain_text("anpr-img://BE/BE-E25-VISE-1/live-1.jpg")
            expect(card).to_contain_text("E25 Visé")
            expect(page.locator("#anpr-empty")).to_be_hidden()
            expect(page.locator("#anpr-count")).to_have_text("(1)")
            expect(cameras).to_have_count(registered + 1)  # the hit's marker
            shot.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(shot), full_page=True)

            card.get_by_role("button", name="Correct read").click()
            expect(card).to_contain_text("Disposition: Correct read")
            expect(page).to_have_url(srv.url + "/anpr")  # swapped in place
            expect(page.locator("#anpr-hits .topbar")).to_have_count(0)  # the card, not a page
            expect(page.locator("#anpr-hits li.anpr-hit")).to_have_count(1)
            hit_id = card.get_attribute("data-hit")
            assert hit_id and ctx.anpr.hits.get(hit_id).disposition == "correct_read"

            page.set_viewport_size({"width": 375, "height": 740})
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 1, f"page scrolls sideways on a phone by {overflow}px"
        finally:
            browser.close()
    assert not problems, problems
