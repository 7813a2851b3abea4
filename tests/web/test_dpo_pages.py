"""The DPO page in the browser's four languages: access, search, pairing, indicators,
subject access, verification, retention dry run, records of processing."""

from __future__ import annotations

import pytest

from passerelle.audit.reader import AuditSearch
from passerelle.auth.roles import Role
from tests.dpo.conftest import EXCHANGE, SUBJECT, DpoSite, dpo_nodes, dpo_site

__all__ = ["dpo_nodes", "dpo_site"]  # fixtures

HEADINGS = {
    "fr": ("Protection des données", "Rechercher dans le journal d’audit"),
    "nl": ("Gegevensbescherming", "Het auditlogboek doorzoeken"),
    "de": ("Datenschutz", "Protokoll durchsuchen"),
    "en": ("Data protection", "Search the audit log"),
}


def test_signed_out_goes_to_login_and_other_roles_are_refused(dpo_site: DpoSite) -> None:
    r = dpo_site.client.get("/dpo", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login?next=/dpo"
    hx = dpo_site.client.get("/dpo/indicators", headers={"HX-Request": "true"})
    assert hx.status_code == 401 and "HX-Redirect" in hx.headers
    dpo_site.sign_in(Role.OFFICER)
    page = dpo_site.client.get("/dpo", headers={"Accept": "text/html", "Accept-Language": "en"})
    assert page.status_code == 403 and "Data protection officer" in page.text
    assert dpo_site.client.get("/dpo/records").status_code == 403


@pytest.mark.parametrize("lang", list(HEADINGS))
def test_the_page_in_four_languages(dpo_site: DpoSite, lang: str) -> None:
    dpo_site.sign_in(Role.DPO)
    r = dpo_site.client.get("/dpo", headers={"Accept-Language": lang})
    assert r.status_code == 200
    assert f'<html lang="{lang}">' in r.text
    for text in HEADINGS[lang]:
        assert text in r.text
    ind = dpo_site.client.get("/dpo/indicators", headers={"Accept-Language": lang})
    assert ind.status_code == 200 and "be-o6" in ind.text and "be-o4" in ind.text
    rec = dpo_site.client.get("/dpo/records", headers={"Accept-Language": lang})
    assert rec.status_code == 200 and "P1Y" in rec.text


def test_home_links_to_the_dpo_page(dpo_site: DpoSite) -> None:
    dpo_site.sign_in(Role.DPO)
    assert 'href="/dpo"' in dpo_site.client.get("/").text
    dpo_site.sign_in(Role.ADMIN)
    home = dpo_site.client.get("/").text
    assert 'href="/dpo/records"' in home and 'href="/dpo"' not in home


def test_search_fragment_pages_and_links_to_the_pairing_view(dpo_site: DpoSite) -> None:
    dpo_site.sign_in(Role.DPO)
    r = dpo_site.client.post(
        "/dpo/search", data={"officer": "be-o6"}, headers={"Accept-Language": "en"}
    )
    assert r.status_code == 200
    assert "40 entries" in r.text and "showing 1–50" not in r.text and "Next page" not in r.text
    nl = dpo_site.client.post(
        "/dpo/search", data={"officer": "be-o6"}, headers={"Accept-Language": "nl"}
    )
    assert "40 regels" in nl.text and "Tijd (UTC)" in nl.text  # the table macro is translated
    r = dpo_site.client.post("/dpo/search", data={"kind": "partner_query_sent"})
    assert f'href="/dpo/exchanges/{EXCHANGE}"' in r.text
    pair = dpo_site.client.get(f"/dpo/exchanges/{EXCHANGE}", headers={"Accept-Language": "de"})
    assert pair.status_code == 200 and "Niederlande" in pair.text
    bad = dpo_site.client.post("/dpo/search", data={"since": "not a date"})
    assert bad.status_code == 422 and "alert-error" in bad.text
    foreign = dpo_site.client.post(
        "/dpo/search", data={}, headers={"Origin": "https://evil.example"}
    )
    assert foreign.status_code == 403


def test_subject_access_verify_retention_and_export(dpo_site: DpoSite) -> None:
    dpo_site.sign_in(Role.DPO)
    r = dpo_site.client.post("/dpo/subject", data={"subject": SUBJECT})
    assert r.status_code == 200 and r.text.count(SUBJECT) == 3  # the decrypted queries
    v = dpo_site.client.get("/dpo/verify", headers={"Accept-Language": "nl"})
    assert v.status_code == 200 and "alert-ok" in v.text
    ret = dpo_site.client.get("/dpo/retention", headers={"Accept-Language": "fr"})
    assert ret.status_code == 200 and "audit_entries" in ret.text
    csv = dpo_site.client.post("/dpo/export", data={"officer": "be-o1", "format": "csv"})
    assert csv.status_code == 200 and csv.text.count("\n") == 4  # header + 3 entries
    actions = [
        r.detail["action"]
        for r in dpo_site.ctx.audit.search(AuditSearch(kind="dpo_access", limit=10))
    ]
    assert actions[:4] == ["export_csv", "retention_dry_run", "verify", "subject_access"]
