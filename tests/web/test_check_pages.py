"""The officer's check and patrol pages through a TestClient on a real BE demo node.

The BE node's registers hold one wanted person (armed, violent, wanted for
arrest); NL and LU are in its trust store but not running, so a joint patrol
with an NL officer gives NL "unavailable" and LU "refused" (not in the crew).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from passerelle.auth.roles import Role
from passerelle.checks.models import CheckResponse, CheckResult, CheckSource, HitWarning
from passerelle.domain.countries import Country
from passerelle.registers.importer import Importer
from passerelle.web.app import create_app
from passerelle.web.check_pages import CONTEXT_COOKIE, iso_birth_date
from passerelle.web.check_view import answer_view
from passerelle.web.deps import SESSION_COOKIE
from passerelle.web.templating import env
from tests.web.conftest import Site, WebNodes, make_web_nodes

WANTED: dict[str, str | None] = {
    "alert_id": "BE-W-0001",
    "given_names": "Jan Pieter",
    "family_name": "Vandenbroucke",
    "birth_date": "1981-04-12",
    "nationality": "BE",
    "alert_type": "arrest",
    "reason": "armed robbery",
    "warning_markers": "armed;violent",
}
LANGS = {"fr": "Contrôler", "nl": "Controleren", "de": "Abfragen", "en": "Check"}


@pytest.fixture(scope="module")
def nodes(tmp_path_factory: pytest.TempPathFactory) -> WebNodes:
    """Own nodes (not the session's): this module writes to the BE registers."""
    made = make_web_nodes(tmp_path_factory.mktemp("checkweb"), Country.BE, Country.NL, Country.LU)
    ctx = made.context(Country.BE)
    report = Importer(ctx.registers, Country.BE).import_rows(
        "wanted_persons", [(1, WANTED)], source="test", mode="append"
    )
    assert report.loaded == 1, report.rejected
    return made


@pytest.fixture
def site(nodes: WebNodes) -> Iterator[Site]:
    ctx = nodes.context(Country.BE)
    with TestClient(create_app(ctx)) as client:
        yield Site(client, ctx, nodes.passwords[Country.BE])


def as_user(site: Site, user: str, *roles: Role) -> None:
    assert site.ctx.idp is not None
    site.client.cookies.set(SESSION_COOKIE, site.ctx.idp.issue(user, list(roles)))


def start_patrol(site: Site, crew: str = "BE:officer, NL:officer") -> str:
    r = site.client.post("/patrols", data={"crew": crew, "start": "on"}, headers=EN)
    assert r.status_code == 200, r.text
    found = re.search(r"<code>(BE-[0-9a-f]{16})</code>", r.text)
    assert found, r.text
    return found[1]


EN = {"Accept-Language": "en"}


def person_form(patrol_id: str, **fields: str) -> dict[str, str]:
    form = {
        "kind": "person",
        "purpose": "joint_control",
        "patrol_id": patrol_id,
        "justification": "roadside check near Lanaken",
    }
    form.update({f"person_{k}": v for k, v in fields.items()})
    return form


def test_signed_out_officers_are_sent_to_sign_in(site: Site) -> None:
    for path in ("/check", "/patrols"):
        r = site.client.get(path, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == f"/login?next={path}"


def test_an_expired_session_under_htmx_sends_the_browser_to_sign_in(site: Site) -> None:
    for path in ("/check", "/patrols"):
        r = site.client.post(path, data={}, headers={"HX-Request": "true"})
        assert r.status_code == 401 and r.headers["hx-redirect"] == f"/login?next={path}"


@pytest.mark.parametrize("role", [Role.ANALYST, Role.DPO, Role.CONTACT_POINT])
def test_other_roles_may_not_check_or_run_patrols(site: Site, role: Role) -> None:
    as_user(site, "analyst", role)
    html = {"Accept": "text/html", **EN}
    assert site.client.get("/check", headers=html).status_code == 403
    r = site.client.post("/check", data=person_form("", family_name="Peeters"), headers=html)
    assert r.status_code == 403 and "Required role" in r.text
    assert site.client.get("/patrols", headers=html).status_code == 403
    assert site.client.post("/patrols", data={"crew": "BE:analyst"}).status_code == 403


def test_control_room_may_open_the_check_page(site: Site) -> None:
    as_user(site, "control", Role.CONTROL_ROOM)
    assert site.client.get("/check", headers=EN).status_code == 200
    assert site.client.get("/patrols", headers=EN).status_code == 200


@pytest.mark.parametrize("lang", sorted(LANGS))
def test_check_page_renders_in_four_languages(site: Site, lang: str) -> None:
    site.login()
    r = site.client.get("/check", headers={"Accept-Language": lang})
    assert r.status_code == 200
    assert f'<html lang="{lang}">' in r.text
    assert f">{LANGS[lang]}</button>" in r.text
    assert 'hx-post="/check"' in r.text and 'action="/check"' in r.text  # HTMX and no-JS
    assert 'value="joint_control" selected' in r.text  # the default purpose
    home = site.client.get("/", headers={"Accept-Language": lang})
    assert 'href="/check"' in home.text and 'href="/patrols"' in home.text


def test_the_active_patrol_is_preselected(site: Site) -> None:
    site.login()
    patrol_id = start_patrol(site)
    r = site.client.get("/check", headers=EN)
    assert f'<option value="{patrol_id}" selected>' in r.text


def test_a_local_hit_shows_its_warnings_officer_safety_first(site: Site) -> None:
    site.login()
    patrol_id = start_patrol(site)
    form = person_form(patrol_id, family_name="Vandenbroucke", birth_date="12/04/1981")
    r = site.client.post("/check", data=form, headers=EN)
    assert r.status_code == 200, r.text
    text = r.text
    banner = text[text.index('class="alert-banner"') : text.index('class="sources"')]
    assert banner.index("Armed") < banner.index("Violent") < banner.index("Wanted for arrest")
    assert 'class="warning warning-safety"' in banner  # colour, icon AND text
    assert "<svg" in banner
    be = r'data-country="BE">\s*<span[^>]*>.*?</span>\s*<span class="status status-hit">'
    assert re.search(be, text, re.S)
    assert 'data-country="NL"' in text and "could not be reached" in text
    assert "has no officer of Luxembourg" in text  # LU refused, reason translated
    assert re.search(r"Score \d+\s?%", text)
    for label in ("Alert number", "Family name", "Date of birth", "Warning markers"):
        assert f"<dt>{label}</dt>" in text
    assert "armed robbery" in text and "Family name</strong>: identical" in text
    # the context is remembered for the next check of the shift
    assert CONTEXT_COOKIE in r.headers["set-cookie"] and "HttpOnly" in r.headers["set-cookie"]
    again = site.client.get("/check", headers=EN)
    assert ">roadside check near Lanaken</textarea>" in again.text
    as_user(site, "control", Role.CONTROL_ROOM)  # another user on the same device
    other = site.client.get("/check", headers=EN)
    assert "roadside check near Lanaken" not in other.text


def test_the_answer_is_in_the_officers_language(site: Site) -> None:
    site.login()
    patrol_id = start_patrol(site)
    form = person_form(patrol_id, family_name="Vandenbroucke", birth_date="12.04.1981")
    r = site.client.post("/check", data=form, headers={"Accept-Language": "nl"})
    assert r.status_code == 200
    main = r.text[r.text.find("<main") :]
    assert "Gewapend" in main and "Signalering: aanhouden" in main, main[:4000]
    assert "Treffer" not in r.text  # no German in a Dutch page


def test_htmx_gets_the_panel_and_without_js_the_whole_page(site: Site) -> None:
    site.login()
    patrol_id = start_patrol(site)
    form = person_form(patrol_id, family_name="Vandenbroucke")
    partial = site.client.post("/check", data=form, headers={"HX-Request": "true", **EN})
    assert partial.status_code == 200
    assert partial.text.lstrip().startswith('<div id="check-panel"') and "<html" not in partial.text
    full = site.client.post("/check", data=form, headers=EN)
    assert full.text.lstrip().startswith("<!doctype html>") and 'id="check-panel"' in full.text


@pytest.mark.parametrize(
    ("fields", "field", "lang", "message"),
    [
        ({"family_name": "V"}, "person_family_name", "fr", "au moins deux lettres"),
        ({"family_name": "Peeters", "birth_date": "2999-01-01"}, "person_birth_date", "en",
         "This date is not valid"),
        ({"given_names": "Jan"}, None, "de", "reicht für eine Suche nicht aus"),
        ({"family_name": "Peeters", "national_id": "12"}, "person_national_id", "nl", "5 tot 20"),
    ],
)  # fmt: skip
def test_validation_errors_are_shown_inline_and_keep_the_input(
    site: Site, fields: dict[str, str], field: str | None, lang: str, message: str
) -> None:
    site.login()
    patrol_id = start_patrol(site)
    form = person_form(patrol_id, **fields)
    for headers in ({"Accept-Language": lang}, {"Accept-Language": lang, "HX-Request": "true"}):
        r = site.client.post("/check", data=form, headers=headers)
        assert r.status_code == 422
        error = re.search(r'<div class="alert alert-error" role="alert"[^>]*>(.*?)</div>', r.text)
        assert error and message in error[1], r.text[:3000]
        for key, value in fields.items():
            assert f'name="person_{key}" value="{value}"' in r.text  # nothing typed is lost
        assert ">roadside check near Lanaken</textarea>" in r.text
        if field:
            assert re.search(rf'id="{field}"[^>]*aria-invalid="true"', r.text)


def test_missing_justification_marks_the_field(site: Site) -> None:
    site.login()
    patrol_id = start_patrol(site)
    form = {**person_form(patrol_id, family_name="Peeters"), "justification": ""}
    r = site.client.post("/check", data=form, headers=EN)
    assert r.status_code == 422 and "Give the reason for this check" in r.text
    assert re.search(r'id="justification"[^>]*aria-invalid="true"', r.text)


def test_an_ended_patrol_is_refused_before_any_partner_is_asked(site: Site) -> None:
    site.login()
    patrol_id = start_patrol(site)
    ended = site.client.post(f"/patrols/{patrol_id}/end", headers=EN)
    assert ended.status_code == 200 and "Patrol ended" in ended.text
    r = site.client.post("/check", data=person_form(patrol_id, family_name="Peeters"), headers=EN)
    assert r.status_code == 403 and "The joint patrol has ended" in r.text
    assert 'class="sources"' not in r.text


def test_vehicle_and_document_checks_without_hits(site: Site) -> None:
    site.login()
    patrol_id = start_patrol(site, "BE:officer")
    base = {"purpose": "joint_control", "patrol_id": patrol_id, "justification": "ANPR stop"}
    r = site.client.post(
        "/check", data={**base, "kind": "vehicle", "vehicle_plate": "1-ABC-123"}, headers=EN
    )
    assert r.status_code == 200 and "No hit in the registers that answered" in r.text
    r = site.client.post(
        "/check",
        data={**base, "kind": "document", "document_document_number": "EH123456"},
        headers=EN,
    )
    assert r.status_code == 200 and "status-no_hit" in r.text
    assert 'name="kind" value="document" checked' in r.text


def test_patrol_page_creates_starts_and_ends_with_the_sync_status(site: Site) -> None:
    site.login()
    page = site.client.get("/patrols", headers=EN)
    assert 'value="BE:officer, "' in page.text  # the officer is pre-filled in the crew
    r = site.client.post("/patrols", data={"crew": "BE:officer, NL:officer"}, headers=EN)
    assert r.status_code == 200 and "Patrol created." in r.text
    assert re.search(r'class="sync-failed".*NL.*not reached yet \(pending since ', r.text)
    patrol_id = re.search(r"<code>(BE-[0-9a-f]{16})</code>", r.text)
    assert patrol_id
    # Tracked between changes: the list shows the copy still pending, in the user's language.
    page = site.client.get("/patrols", headers={"Accept-Language": "nl"})
    assert "Kopieën bij de partners" in page.text
    assert re.search(r'class="sync-failed".*NL.*nog niet bereikt \(wachtend sinds ', page.text)
    r = site.client.post(f"/patrols/{patrol_id[1]}/start", headers={"HX-Request": "true", **EN})
    assert r.status_code == 200 and r.text.lstrip().startswith('<div id="patrols-panel"')
    assert "Patrol started" in r.text


def test_patrol_errors_are_shown_with_the_crew_kept(site: Site) -> None:
    site.login()
    r = site.client.post("/patrols", data={"crew": "BE:officer, XX-nobody"}, headers=EN)
    assert r.status_code == 422 and "COUNTRY:USER" in r.text
    assert 'value="BE:officer, XX-nobody"' in r.text


def test_a_hit_no_hit_result_links_to_a_follow_up_request() -> None:
    response = CheckResponse(
        check_id="c1",
        kind="person",
        purpose="joint_control",
        sources=[
            CheckSource(
                country="NL",
                status="hit",
                latency_ms=42.0,
                results=[
                    CheckResult(
                        dataset="police_records",
                        score=0.91,
                        explanation={"method": "fellegi_sunter"},
                        reference="Ab_12-xyz",
                        contact_point={"name": "NL SPOC", "phone": "+31 70 000", "hours": "24/7"},
                    ),
                    CheckResult(
                        dataset="stolen_vehicles",
                        score=0.99,
                        explanation={},
                        record={"plate": "XX-123-Y"},
                        warnings=[HitWarning(code="stolen_vehicle", dataset="stolen_vehicles")],
                    ),
                ],
            ),
            CheckSource(country="DE", status="error", latency_ms=3.0, reason="untrusted: bad"),
        ],
    )
    answer = answer_view("de", response, "BE")
    assert [h["score"] for h in answer["hits"]] == [0.99, 0.91]  # ranked by score
    user = type("U", (), {"roles": {Role.OFFICER}})()
    html = env.get_template("_check_answer.html").render(lang="de", answer=answer, user=user)
    assert "Ab_12-xyz" in html and "NL SPOC" in html and 'href="tel:+3170000"' in html
    assert 'href="/requests?country=NL&amp;reference=Ab_12-xyz&amp;purpose=joint_control"' in html
    assert "Gestohlenes Fahrzeug" in html and "Kennzeichen" in html
    assert "nicht mit dem vertrauenswürdigen Schlüssel" in html


def test_the_requests_page_takes_the_reference_from_the_link(site: Site) -> None:
    site.login()
    r = site.client.get("/requests?country=NL&reference=Ab_12-xyz&purpose=joint_control")
    assert r.status_code == 200
    assert 'value="Ab_12-xyz"' in r.text and '<option value="NL" selected>' in r.text


@pytest.mark.parametrize(
    ("typed", "iso"),
    [("02/03/1980", "1980-03-02"), ("2.3.1980", "1980-03-02"), ("03/1980", "1980-03"),
     ("1980", "1980"), ("1980-03-02", "1980-03-02"), ("02031980", "1980-03-02"),
     ("19800302", "19800302")],
)  # fmt: skip
def test_birth_dates_as_officers_type_them(typed: str, iso: str) -> None:
    assert iso_birth_date(typed) == iso


def test_the_page_has_no_inline_script_or_style(site: Site) -> None:
    site.login()
    r = site.client.get("/check")
    assert "<script>" not in r.text and "style=" not in r.text and "onclick" not in r.text
