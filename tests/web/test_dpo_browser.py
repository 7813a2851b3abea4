"""The DPO page in a real browser: HTMX search inside the export form, indicators,
verification, retention dry run, the CSV download, in Dutch, on a phone without sideways
scrolling. With PASSERELLE_UPDATE_SCREENSHOTS=1 it refreshes docs/img/dpo-page.png."""

from __future__ import annotations

from pathlib import Path

import pytest

from passerelle.auth.roles import Role
from passerelle.domain.countries import Country
from passerelle.web.app import create_app
from passerelle.web.deps import SESSION_COOKIE
from tests.conftest import LiveServer
from tests.dpo.conftest import dpo_nodes
from tests.web.conftest import WebNodes
from tests.web.test_browser import CHROMIUM, CHROMIUM_ARGS, HTMX, TIMEOUT_MS, UPDATE_DOCS, require

pytestmark = pytest.mark.browser
__all__ = ["dpo_nodes"]  # fixture
DOC_SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "img" / "dpo-page.png"


def test_dpo_page_in_a_browser(dpo_nodes: WebNodes, tmp_path: Path) -> None:
    require(CHROMIUM.exists(), f"{CHROMIUM} not found (apt-get install chromium)")
    require(HTMX.exists(), "web assets not vendored (npm ci && node scripts/vendor-assets.mjs)")
    from playwright.sync_api import expect, sync_playwright

    ctx = dpo_nodes.context(Country.BE)
    assert ctx.idp is not None
    token = ctx.idp.issue("dpo", [Role.DPO], name="DPO (BE)")
    shot = DOC_SCREENSHOT if UPDATE_DOCS else tmp_path / "dpo-page.png"
    problems: list[str] = []
    with LiveServer(create_app(ctx)) as srv, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(
                viewport={"width": 1280, "height": 900}, locale="nl-BE", accept_downloads=True
            )
            page.set_default_timeout(TIMEOUT_MS)
            page.on("pageerror", lambda e: problems.append(str(e)))
            page.context.add_cookies([{"name": SESSION_COOKIE, "value": token, "url": srv.url}])
            page.goto(srv.url + "/dpo")
            expect(page.get_by_role("heading", level=1)).to_have_text("Gegevensbescherming")
            expect(page.locator(".dpo-indicators .card")).to_have_count(4)  # loaded by HTMX
            page.get_by_label("Politieambtenaar").fill("be-o6")
            page.get_by_role("button", name="Zoeken", exact=True).click()
            expect(page.locator("#results .summary")).to_contain_text("40 regels")
            expect(page).to_have_url(srv.url + "/dpo")  # swapped in place, no navigation
            page.get_by_role("button", name="Nu controleren").click()
            expect(page.locator("#verify .alert-ok")).to_be_visible()
            page.get_by_role("button", name="Proefrun tonen").click()
            expect(page.locator("#retention table")).to_be_visible()
            with page.expect_download() as info:
                page.get_by_role("button", name="Exporteren als CSV").click()
            csv_file = tmp_path / "export.csv"
            info.value.save_as(csv_file)
            assert csv_file.read_text().count("\n") == 41  # header + 40 entries
            page.evaluate("document.getElementById('indicators-title').scrollIntoView()")
            page.screenshot(path=str(shot), full_page=False)
            page.set_viewport_size({"width": 390, "height": 844})
            page.reload()
            expect(page.locator(".dpo-indicators .card")).to_have_count(4)
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 390, f"the page scrolls sideways on a phone ({width}px)"
        finally:
            browser.close()
            ctx.engine.dispose()
    assert problems == []
