"""The top navigation opens the check and patrol pages to officers and control rooms;
the home page lists each page once, whatever roles the user holds."""

from __future__ import annotations

import re

import pytest

from passerelle.auth.roles import Role
from passerelle.web.deps import LANG_COOKIE, SESSION_COOKIE
from tests.web.conftest import Site


def _sign_in(site: Site, *roles: Role) -> None:
    assert site.ctx.idp is not None
    site.client.cookies.set(SESSION_COOKIE, site.ctx.idp.issue("officer", list(roles)))


def _nav(html: str) -> str:
    found = re.search(r'<nav class="mainnav".*?</nav>', html, re.S)
    assert found is not None
    return found.group(0)


@pytest.mark.parametrize(
    ("roles", "shown"),
    [
        ((Role.OFFICER,), True),
        ((Role.CONTROL_ROOM,), True),
        ((Role.OFFICER, Role.CONTROL_ROOM), True),
        ((Role.ANALYST,), False),
        ((Role.DPO,), False),
    ],
)
def test_check_and_patrols_in_the_top_navigation(
    site: Site, roles: tuple[Role, ...], shown: bool
) -> None:
    _sign_in(site, *roles)
    nav = _nav(site.client.get("/node").text)
    assert ('href="/check"' in nav) is shown
    assert ('href="/patrols"' in nav) is shown
    if shown:
        assert nav.count('href="/check"') == 1 and nav.count('href="/patrols"') == 1


def test_navigation_is_translated_and_marks_the_current_page(site: Site) -> None:
    _sign_in(site, Role.OFFICER)
    site.client.cookies.set(LANG_COOKIE, "de")
    nav = _nav(site.client.get("/patrols").text)
    assert '<a href="/patrols" aria-current="page">Streifen</a>' in nav
    assert '<a href="/check">Abfragen</a>' in nav
    site.client.cookies.set(LANG_COOKIE, "nl")
    nav = _nav(site.client.get("/check").text)
    assert '<a href="/check" aria-current="page">Controleren</a>' in nav
    assert ">Patrouilles</a>" in nav


def test_signed_out_pages_have_no_officer_links(site: Site) -> None:
    nav = _nav(site.client.get("/login").text)
    assert 'href="/check"' not in nav and 'href="/patrols"' not in nav


def test_home_lists_each_page_once_for_officer_and_control_room(site: Site) -> None:
    _sign_in(site, Role.OFFICER, Role.CONTROL_ROOM)
    main = site.client.get("/").text.split('<main id="main"', 1)[1]
    assert main.count('href="/check"') == 1
    assert main.count('href="/patrols"') == 1
    assert main.count('href="/requests"') == 1  # the officer's own requests
    assert 'href="/requests/incoming"' not in main  # not a contact point
