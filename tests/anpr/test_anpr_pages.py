"""The control room's ANPR page: the list without JavaScript, cards, dispositions, roles."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from passerelle.anpr.hits_store import Hit, HitFilter
from passerelle.auth.roles import Role
from passerelle.domain.countries import Country
from passerelle.node.context import NodeContext
from passerelle.web.app import create_app
from passerelle.web.deps import LANG_COOKIE, SESSION_COOKIE
from tests.anpr.ingest_support import add_entry, make_ctx, read


@pytest.fixture
def node(tmp_path: Path) -> Iterator[tuple[NodeContext, TestClient]]:
    ctx = make_ctx(tmp_path, Country.BE)
    with TestClient(create_app(ctx)) as client:
        yield ctx, client


def _sign_in(ctx: NodeContext, client: TestClient, *roles: Role) -> None:
    assert ctx.idp is not None
    client.cookies.set(SESSION_COOKIE, ctx.idp.issue("operator", list(roles)))


def _hit(ctx: NodeContext, plate: str = "1ABC234", n: int = 1) -> str:
    add_entry(ctx, plate, "BE", ref=f"E{n}")
    at = ctx.anpr.now() - dt.timedelta(minutes=5)
    result = ctx.anpr.ingest.ingest_items([read(n, plate, at=at)])
    assert result.hits == 1, result
    hits, _ = ctx.anpr.hits.store.find(HitFilter(plate=plate))
    return hits[0].hit_id


def test_page_lists_hits_with_instruction_without_javascript(
    node: tuple[NodeContext, TestClient],
) -> None:
    ctx, client = node
    hit_id = _hit(ctx)
    _sign_in(ctx, client, Role.CONTROL_ROOM)
    client.cookies.set(LANG_COOKIE, "en")
    page = client.get("/anpr")
    assert page.status_code == 200
    html = page.text
    assert f'id="hit-{hit_id}"' in html
    assert "1ABC234" in html
    assert "img://1" in html  # the plate image reference
    assert "Alert: intercept if safe" in html  # the owner's instruction
    assert "SPOC +32 2 000 00 00" in html  # the owner's contact
    assert f'action="/anpr/hits/{hit_id}/disposition"' in html  # a plain form: works without JS
    assert "/static/anpr.js" in html and 'data-map="' in html
    assert 'href="/anpr" aria-current="page"' in html


def test_disposition_form_without_and_with_htmx(node: tuple[NodeContext, TestClient]) -> None:
    ctx, client = node
    hit_id = _hit(ctx)
    _sign_in(ctx, client, Role.CONTROL_ROOM)
    r = client.post(f"/anpr/hits/{hit_id}/disposition", data={"disposition": "correct_read"},
                    follow_redirects=False)  # fmt: skip
    assert r.status_code == 303 and r.headers["location"] == f"/anpr#hit-{hit_id}"
    assert ctx.anpr.hits.get(hit_id).disposition == "correct_read"
    hit2 = _hit(ctx, "2XYZ987", 2)
    r = client.post(f"/anpr/hits/{hit2}/disposition", data={"disposition": "misread"},
                    headers={"HX-Request": "true"})  # fmt: skip
    assert r.status_code == 200
    assert r.text.lstrip().startswith('<li class="anpr-hit')
    assert "anpr-done" in r.text and "<form" not in r.text
    bad = client.post(f"/anpr/hits/{hit2}/disposition", data={"disposition": "nonsense"},
                      headers={"HX-Request": "true"})  # fmt: skip
    assert bad.status_code == 200 and "alert-error" in bad.text


def test_card_of_one_hit_and_roles(node: tuple[NodeContext, TestClient]) -> None:
    ctx, client = node
    hit_id = _hit(ctx)
    r = client.get("/anpr", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    _sign_in(ctx, client, Role.ANALYST)
    assert client.get("/anpr").status_code == 403
    _sign_in(ctx, client, Role.CONTACT_POINT)
    card = client.get(f"/anpr/hits/{hit_id}/card")
    assert card.status_code == 200 and 'data-point="' in card.text
    assert "<form" not in card.text  # a contact point sees hits, does not acknowledge them
    assert client.get("/anpr/hits/nope/card").status_code == 404


def test_a_partners_hit_on_our_entry_is_shown_not_acknowledged_here(
    node: tuple[NodeContext, TestClient],
) -> None:
    ctx, client = node
    entry_id = add_entry(ctx, "1ABC234", "BE", ref="P1")
    at = ctx.anpr.now() - dt.timedelta(minutes=3)
    hit = Hit(hit_id="NL-h9", read_id="nl-r9", entry_id=entry_id, owner_country="BE",
              reporting_country="NL", outcome="fuzzy", score=0.9, plate="1ABC284",
              plate_country="BE", camera_id="NL-A2-TUNL-1", site="A2 Maastricht tunnel",
              lat=50.853, lon=5.715, direction="N", read_at=at, image_ref="nl-img://9",
              created_at=ctx.anpr.now())  # fmt: skip
    with ctx.engine.begin() as conn:
        assert ctx.anpr.hits.store.insert_new(conn, hit)
    _sign_in(ctx, client, Role.CONTROL_ROOM)
    client.cookies.set(LANG_COOKIE, "en")
    card = client.get("/anpr/hits/NL-h9/card").text
    assert "nl-img://9" in card and "A2 Maastricht tunnel" in card
    assert "close match (possible misread)" in card
    assert "<form" not in card and "its control room records the disposition" in card


@pytest.mark.parametrize(
    ("role", "shown"),
    [(Role.CONTROL_ROOM, True), (Role.OFFICER, True), (Role.CONTACT_POINT, True),
     (Role.ANALYST, False), (Role.DPO, False)],
)  # fmt: skip
def test_anpr_page_in_the_top_navigation(
    node: tuple[NodeContext, TestClient], role: Role, shown: bool
) -> None:
    ctx, client = node
    _sign_in(ctx, client, role)
    html = client.get("/node").text
    nav = html[html.index('<nav class="mainnav"') : html.index("</nav>")]
    assert ('href="/anpr"' in nav) is shown
