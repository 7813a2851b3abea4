"""The follow-up request pages: officer's list and form, the contact point's queue and answer."""

from __future__ import annotations

import re

import httpx

from passerelle.auth.roles import Role
from passerelle.domain.countries import Country
from tests.requests.conftest import Net

BE, NL = Country.BE, Country.NL


def browser(net: Net, c: Country, role: Role, subject: str, lang: str = "en") -> httpx.Client:
    idp = net.ctx[c].idp
    assert idp is not None
    return httpx.Client(
        base_url=net.url(c),
        cookies={"passerelle_session": idp.issue(subject, [role]), "passerelle_lang": lang},
        headers={"Accept": "text/html"},
        timeout=10,
    )


def test_officer_sends_a_request_from_the_page(net: Net) -> None:
    ref = net.reference()
    with browser(net, BE, Role.OFFICER, "officer-1") as be:
        page = be.get("/requests")
        assert page.status_code == 200 and 'name="reference"' in page.text
        assert '<option value="NL"' in page.text and '<option value="BE"' not in page.text
        form = {
            "country": "NL",
            "reference": ref,
            "justification": "Hit during the joint control at Kerkrade.",
            "urgency": "urgent",
            "purpose": "joint_control",
        }
        missing = be.post("/requests", data={**form, "justification": " "})
        assert missing.status_code == 422 and "justification" in missing.text.lower()
        assert 'value="' + ref + '"' in missing.text  # the form keeps what was typed
        sent = be.post("/requests", data=form, follow_redirects=False)
        assert sent.status_code == 303, sent.text
        detail = be.get(sent.headers["location"])
        assert detail.status_code == 200 and "Pending" in detail.text
        assert "Police records" in detail.text and "Urgent (8 hours)" in detail.text
        listing = be.get("/requests")
        assert sent.headers["location"] in listing.text


def test_contact_point_queue_overdue_grant_and_refuse(net: Net) -> None:
    first = net.send(net.reference(), urgency="urgent").json()["request_id"]
    second = net.send(net.reference()).json()["request_id"]
    with browser(net, NL, Role.CONTACT_POINT, "spoc-nl-7", lang="nl") as nl:
        queue = nl.get("/requests/incoming")
        assert queue.status_code == 200 and "row-overdue" not in queue.text
        # soonest deadline first: the urgent one
        assert queue.text.index(first) < queue.text.index(second)
        net.clock.advance(hours=9)
        table = nl.get("/requests/incoming/table")
        assert len(re.findall(r'class="row-bad row-overdue"', table.text)) == 1
        assert "te laat" in table.text  # Dutch: overdue

        answer = nl.get(f"/requests/incoming/{first}")
        assert answer.status_code == 200
        assert 'type="checkbox" name="fields" value="category"' in answer.text
        assert "name_key" not in answer.text and "Jansen" in answer.text
        bad = nl.post(f"/requests/incoming/{first}/grant", data={"fields": ["family_name", "ssn"]})
        assert bad.status_code == 422 and "ssn" in bad.text
        ok = nl.post(
            f"/requests/incoming/{first}/grant",
            data={"fields": ["family_name", "category"]},
            follow_redirects=False,
        )
        assert ok.status_code == 303
        done = nl.get(ok.headers["location"])
        assert "Afgeleverd" in done.text or "afgeleverd" in done.text  # delivered

        empty = nl.post(f"/requests/incoming/{second}/refuse", data={"reason": ""})
        assert empty.status_code == 422
        nl.post(f"/requests/incoming/{second}/refuse", data={"reason": "Geen grond."})
        remaining = nl.get("/requests/incoming")
        assert first not in remaining.text and second not in remaining.text

    with browser(net, BE, Role.OFFICER, "officer-1", lang="fr") as be:
        granted = be.get(f"/requests/{first}")
        assert "Jansen" in granted.text and "drugs" in granted.text
        refused = be.get(f"/requests/{second}")
        assert "Geen grond." in refused.text


def test_pages_check_the_role(net: Net) -> None:
    with browser(net, NL, Role.OFFICER, "officer-9") as officer:
        assert officer.get("/requests/incoming").status_code == 403
    with httpx.Client(base_url=net.url(NL), timeout=10) as anonymous:
        r = anonymous.get("/requests/incoming", follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/login")
        prefilled = anonymous.get("/requests?country=NL&reference=abc", follow_redirects=False)
        back = "/login?next=/requests%3Fcountry%3DNL%26reference%3Dabc"
        assert prefilled.headers["location"] == back  # the prefill survives the sign-in
        login = anonymous.get(back)
        assert 'value="/requests?country=NL&amp;reference=abc"' in login.text
    with browser(net, NL, Role.CONTACT_POINT, "spoc") as cp:
        home = cp.get("/")
        assert 'href="/requests/incoming"' in home.text and 'href="/requests"' not in home.text
    with browser(net, BE, Role.OFFICER, "officer-1") as be:
        home = be.get("/")
        assert 'href="/requests"' in home.text and 'href="/requests/incoming"' not in home.text
