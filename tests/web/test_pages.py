"""The web shell through a TestClient: sign-in, language, node page, redirects."""

from __future__ import annotations

from passerelle.web.deps import LANG_COOKIE, SESSION_COOKIE
from passerelle.web.pages import safe_next
from tests.web.conftest import Site

HTML = {"Accept": "text/html"}


def test_home_redirects_to_login_when_signed_out(site: Site) -> None:
    r = site.client.get("/", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login"


def test_login_sets_an_httponly_session_and_shows_the_user(site: Site) -> None:
    r = site.client.post(
        "/login",
        data={"username": "officer", "password": site.password},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/"
    cookie = r.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=")
    assert "HttpOnly" in cookie and "samesite=strict" in cookie.lower() and "Path=/" in cookie
    assert "Secure" not in cookie  # the demo node's public URL is plain http on loopback
    home = site.client.get("/", headers={"Accept-Language": "en"})
    assert home.status_code == 200
    assert "Officer (BE)" in home.text and "Welcome, Officer (BE)" in home.text
    assert 'action="/logout"' in home.text
    assert home.headers["cache-control"] == "no-store"


def test_wrong_password_is_401_in_the_browser_language(site: Site) -> None:
    r = site.client.post(
        "/login",
        data={"username": "officer", "password": "not-the-password"},
        headers={"Accept-Language": "nl-BE,nl;q=0.9,fr;q=0.5"},
    )
    assert r.status_code == 401
    assert '<html lang="nl">' in r.text
    assert "Onjuiste gebruikersnaam of onjuist wachtwoord" in r.text
    assert 'value="officer"' in r.text  # the user name is shown again...
    assert "not-the-password" not in r.text  # ...the password never
    assert SESSION_COOKIE not in r.headers.get("set-cookie", "")


def test_default_language_is_the_node_country(site: Site) -> None:
    r = site.client.get("/login")
    assert r.headers["content-language"] == "fr" and "Se connecter" in r.text


def test_language_switch_sets_a_cookie_and_returns_to_the_page(site: Site) -> None:
    site.login()
    r = site.client.get(
        "/lang/de", headers={"Referer": "http://testserver/node"}, follow_redirects=False
    )
    assert r.status_code == 303 and r.headers["location"] == "/node"
    assert f"{LANG_COOKIE}=de" in r.headers["set-cookie"]
    assert "Max-Age=31536000" in r.headers["set-cookie"]
    page = site.client.get("/node", headers={"Accept-Language": "nl"})  # the cookie wins
    assert '<html lang="de">' in page.text
    assert "Knoten und Partner" in page.text and "Abmelden" in page.text


def test_language_switch_ignores_foreign_referers(site: Site) -> None:
    r = site.client.get(
        "/lang/nl", headers={"Referer": "https://evil.example/phish"}, follow_redirects=False
    )
    assert r.headers["location"] == "/"


def test_unknown_language_is_a_translated_404(site: Site) -> None:
    r = site.client.get("/lang/xx", headers={**HTML, "Accept-Language": "de"})
    assert r.status_code == 404
    assert "Unbekannte Sprache „xx“" in r.text


def test_node_page_requires_login(site: Site) -> None:
    r = site.client.get("/node", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login?next=/node"
    frag = site.client.get("/node/partners", headers={"HX-Request": "true"})
    assert frag.status_code == 401 and frag.headers["hx-redirect"] == "/login?next=/node"


def test_login_returns_to_next_but_never_off_site(site: Site) -> None:
    form = {"username": "officer", "password": site.password}
    r = site.client.post("/login", data={**form, "next": "/node"}, follow_redirects=False)
    assert r.headers["location"] == "/node"
    site.client.cookies.clear()
    r = site.client.post(
        "/login", data={**form, "next": "//evil.example/x"}, follow_redirects=False
    )
    assert r.headers["location"] == "/"
    assert [safe_next(v) for v in ("https://x", "/\\x", "/a\nb", "", "/ok?x=1")] == [
        "/",
        "/",
        "/",
        "/",
        "/ok?x=1",
    ]


def test_cross_site_form_posts_are_refused(site: Site) -> None:
    r = site.client.post(
        "/login",
        data={"username": "officer", "password": site.password},
        headers={"Origin": "https://evil.example", **HTML},
    )
    assert r.status_code == 403 and SESSION_COOKIE not in r.headers.get("set-cookie", "")


def test_node_page_and_partner_fragment(site: Site) -> None:
    site.login()
    page = site.client.get("/node", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    assert site.ctx.key.key_id in page.text and site.ctx.settings.public_url in page.text
    assert 'hx-get="/node/partners"' in page.text and 'hx-trigger="load, every 15s"' in page.text
    frag = site.client.get("/node/partners", headers={"Accept-Language": "en"})
    assert frag.status_code == 200 and "<html" not in frag.text
    for country in ("Netherlands", "Luxembourg"):  # in the trust store, not running
        assert country in frag.text
    assert "2 partners" in frag.text and "0 reachable" in frag.text
    assert frag.text.count("✗") == 4


def test_logout_clears_the_session(site: Site) -> None:
    site.login()
    r = site.client.post("/logout", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login"
    assert (
        f'{SESSION_COOKIE}=""' in r.headers["set-cookie"] or "Max-Age=0" in r.headers["set-cookie"]
    )
    assert site.client.get("/", follow_redirects=False).status_code == 303


def test_stale_session_cookie_means_signed_out(site: Site) -> None:
    site.client.cookies.set(SESSION_COOKIE, "not-a-token")
    assert site.client.get("/", follow_redirects=False).headers["location"] == "/login"


def test_without_a_demo_idp_the_login_page_explains(site: Site) -> None:
    site.ctx.idp = None
    page = site.client.get("/login", headers={"Accept-Language": "en"})
    assert "identity provider" in page.text and 'type="password"' not in page.text
    r = site.client.post("/login", data={"username": "officer", "password": "x"})
    assert r.status_code == 404


def test_error_pages_are_translated_html(site: Site) -> None:
    r = site.client.get("/no/such/page", headers={**HTML, "Accept-Language": "fr-BE"})
    assert r.status_code == 404 and '<html lang="fr">' in r.text
    assert "La page ou l&#39;élément demandé n&#39;existe pas" in r.text


def test_pages_carry_security_headers(site: Site) -> None:
    r = site.client.get("/login")
    csp = r.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert r.headers["x-content-type-options"] == "nosniff"
    assert "/static/vendor/htmx.min.js" in r.text and "https://" not in r.text
