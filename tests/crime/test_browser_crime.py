"""The analyst's crime page in a real browser: the map draws the H3 cells and the borders.

Chromium through Playwright against a real uvicorn node holding the synthetic
incidents; the page must work offline (no request leaves the node) and under
the node's Content Security Policy (no console error). With
PASSERELLE_UPDATE_SCREENSHOTS=1 it refreshes docs/img/crime-page.png (taken with the
analyst's own boundaries loaded).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from passerelle.auth.roles import Role
from passerelle.crime.demo import demo_frame
from passerelle.crime.store import CrimeStore
from passerelle.domain.countries import Country
from passerelle.web.app import create_app
from tests.conftest import LiveServer
from tests.node.conftest import build
from tests.web.test_browser import CHROMIUM, CHROMIUM_ARGS, HTMX, require

pytestmark = pytest.mark.browser
SHOT = Path(__file__).resolve().parents[2] / "docs" / "img" / "crime-page.png"
LEAFLET = HTMX.with_name("leaflet") / "leaflet.js"


def _zone(name: str, west: float, east: float) -> dict[str, Any]:
    ring = [[west, 50.84], [east, 50.84], [east, 50.89], [west, 50.89], [west, 50.84]]
    return {
        "type": "Feature",
        "properties": {"zone": name},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }


# two areas either side of the Kerkrade / Herzogenrath border (as a police zone file would)
ZONES = {
    "type": "FeatureCollection",
    "features": [_zone("Kerkrade", 6.02, 6.0745), _zone("Herzogenrath", 6.0745, 6.13)],
}


def test_analyst_sees_the_cross_border_hotspot(
    make_nodes: Callable[..., dict[Country, Any]], tmp_path: Path
) -> None:
    require(CHROMIUM.exists(), f"{CHROMIUM} not found (apt-get install chromium)")
    require(LEAFLET.exists(), "web assets not vendored (npm ci && node scripts/vendor-assets.mjs)")
    from playwright.sync_api import expect, sync_playwright

    node, _ = make_nodes(Country.NL)[Country.NL]
    ctx = build(node)
    CrimeStore(ctx.engine).load(
        demo_frame(7, 8_000), source_name="t", source_format="canonical", rejected=0
    )
    assert ctx.idp is not None
    token = ctx.idp.issue("analyst", [Role.ANALYST], name="Analyst (NL)")
    shot = SHOT if os.environ.get("PASSERELLE_UPDATE_SCREENSHOTS") == "1" else tmp_path / "c.png"
    problems: list[str] = []
    foreign: list[str] = []
    with LiveServer(create_app(ctx), node.port) as srv, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 1000}, locale="de-DE")
            context.add_cookies([{"name": "passerelle_session", "value": token, "url": srv.url}])
            page = context.new_page()
            page.set_default_timeout(60_000)
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: problems.append(str(e)))
            page.on(
                "request",
                lambda r: (
                    None if urlsplit(r.url).hostname == "127.0.0.1" else foreign.append(r.url)
                ),
            )
            page.goto(srv.url + "/crime")
            expect(page.get_by_role("heading", level=1)).to_have_text("Kriminalitätslagebild")
            expect(page.locator("#iccs")).to_have_value("05012")
            # the panel (HTMX): the cross-border cluster and the near-repeat heat table
            expect(page.locator("#cross-title")).to_have_text("Grenzüberschreitende Brennpunkte")
            expect(page.locator("#crime-panel table.heat")).to_be_visible()
            expect(page.locator("#crime-panel .card").first).to_contain_text("Deutschland")
            # the map: hexagons and borders drawn as SVG paths by Leaflet
            cells = page.locator("#crime-map path.leaflet-interactive")
            expect(cells.nth(50)).to_be_attached()
            assert page.locator("#crime-map path").count() > cells.count()  # + the borders
            # ICCS names in the reader's language (German here), not English
            expect(page.locator("#iccs option[value='05012']")).to_have_text(
                "05012 · Wohnungseinbruchdiebstahl"
            )
            expect(page.locator("#crime-panel")).to_contain_text("0501 · Einbruchdiebstahl")
            # a bad boundaries file: the translated error, nothing changes
            page.locator("details.crime-boundaries summary").click()
            bad = tmp_path / "bad.geojson"
            bad.write_text('{"type": "FeatureCollection", "features": []}', encoding="utf-8")
            page.locator("#boundaries-file").set_input_files(str(bad))
            page.get_by_role("button", name="Auf der Karte zeigen").click()
            expect(page.locator("#boundaries-status")).to_contain_text("Gebietsgrenzen können")
            # the analyst's own boundaries: drawn on the map, counted per area in the panel
            zones = tmp_path / "zones.geojson"
            zones.write_text(json.dumps(ZONES), encoding="utf-8")
            page.locator("#boundaries-file").set_input_files(str(zones))
            page.locator("#boundaries-name").fill("zone")
            page.get_by_role("button", name="Auf der Karte zeigen").click()
            expect(page.locator("#boundaries-status")).to_contain_text("2 Gebiete")
            expect(page.locator("#areas-legend")).to_be_visible()
            expect(page.locator("#crime-map path[stroke-dasharray]")).to_have_count(2)
            areas = page.locator("#crime-panel table.crime-areas")
            expect(areas).to_contain_text("Herzogenrath")
            expect(areas).to_contain_text("Kerkrade")
            page.locator("details.crime-boundaries summary").click()  # fold it for the picture
            page.screenshot(path=str(shot), full_page=True)
            assert shot.stat().st_size > 20_000
        finally:
            browser.close()
    # the deliberate bad upload is the one failed request Chromium reports
    refused = [p for p in problems if "status of 422" in p]
    assert len(refused) == 1, problems
    problems = [p for p in problems if p not in refused]
    assert not problems, problems
    assert not foreign, f"requests left the node: {foreign}"
