"""The web shell: sign-in, language switch, home page and the node page.

Pages are server-rendered (Jinja2) and refreshed in place with HTMX. The
session is the demo identity provider's JWT in an HttpOnly, SameSite=Strict
cookie; production nodes sign officers in through the force's own identity
provider instead.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated
from urllib.parse import urlsplit

import structlog
from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from passerelle.audit.hooks import record_sign_in
from passerelle.exc import Forbidden, NotFound, PasserelleError, Unauthorized
from passerelle.node.partners import check_partners
from passerelle.web import i18n
from passerelle.web.deps import LANG_COOKIE, SESSION_COOKIE, CtxDep, OptionalPrincipalDep
from passerelle.web.templating import render, request_language

__all__ = ["render", "router"]

router = APIRouter(include_in_schema=False)
log = structlog.get_logger("passerelle.web")

LANG_COOKIE_SECONDS = 365 * 24 * 3600
MAX_USERNAME = 200
MAX_PASSWORD = 1024


def safe_next(value: str | None) -> str:
    """A local path to go to after sign-in; anything else (other sites, schemes) is ``/``."""
    if not value or not value.startswith("/") or value.startswith("//"):
        return "/"
    if "\\" in value or any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in value):
        return "/"
    return value


def _secure(ctx: CtxDep) -> bool:
    return ctx.settings.public_url.lower().startswith("https://")


def _own_hosts(request: Request, ctx: CtxDep) -> set[str]:
    hosts = {urlsplit(ctx.settings.public_url).netloc.lower()}
    host = request.headers.get("host")
    if host:
        hosts.add(host.lower())
    return hosts


def _check_origin(request: Request, ctx: CtxDep) -> None:
    """Refuse form posts made from another site (defence against CSRF)."""
    origin = request.headers.get("origin")
    if origin is None:  # not sent by older clients and by non-browser tools
        return
    if urlsplit(origin).netloc.lower() not in _own_hosts(request, ctx):
        raise Forbidden("cross-site form post refused", code="forbidden")


def _redirect(location: str) -> RedirectResponse:
    return RedirectResponse(location, status_code=303)


@router.get("/")
def home(request: Request, user: OptionalPrincipalDep) -> Response:
    if user is None:
        return _redirect("/login")
    return render(request, "home.html", {"roles": sorted(r.value for r in user.roles)})


@router.get("/login")
def login_page(
    request: Request,
    ctx: CtxDep,
    user: OptionalPrincipalDep,
    next_: Annotated[str, Query(alias="next")] = "/",
) -> Response:
    if user is not None:
        return _redirect(safe_next(next_))
    context = {"next": safe_next(next_), "username": "", "error": None, "demo": ctx.idp is not None}
    return render(request, "login.html", context)


@router.post("/login")
def login(
    request: Request,
    ctx: CtxDep,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next_: Annotated[str, Form(alias="next")] = "/",
) -> Response:
    _check_origin(request, ctx)
    target = safe_next(next_)
    username = username.strip()[:MAX_USERNAME]
    if ctx.idp is None:
        context = {"next": target, "username": username, "error": None, "demo": False}
        return render(request, "login.html", context, status=404)
    try:
        if not username or not password or len(password) > MAX_PASSWORD:
            raise Unauthorized("wrong user name or password", code="login_failed")
        user = ctx.idp.authenticate(username, password)
    except Unauthorized as e:
        log.info("web_login", outcome="refused")
        record_sign_in(
            ctx.audit, ctx.settings.country, username=username, roles=(), ok=False, reason=e.code
        )
        message = i18n.error_message(request_language(request), e.code, e.params, e.status)
        context = {"next": target, "username": username, "error": message, "demo": True}
        return render(request, "login.html", context, status=401)
    record_sign_in(  # fails closed: no session without its audit entry
        ctx.audit,
        ctx.settings.country,
        username=user.username,
        roles=[str(r) for r in user.roles],
        ok=True,
    )
    minutes = ctx.settings.oidc.session_minutes
    token = ctx.idp.issue(user.username, user.roles, name=user.display_name, minutes=minutes)
    log.info("web_login", outcome="ok")
    response = _redirect(target)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=minutes * 60,
        path="/",
        secure=_secure(ctx),
        httponly=True,
        samesite="strict",
    )
    return response


@router.post("/logout")
def logout(request: Request, ctx: CtxDep) -> Response:
    _check_origin(request, ctx)
    response = _redirect("/login")
    response.delete_cookie(
        SESSION_COOKIE, path="/", secure=_secure(ctx), httponly=True, samesite="strict"
    )
    return response


@router.get("/lang/{code}")
def switch_language(request: Request, ctx: CtxDep, code: str) -> Response:
    lang = code.strip().lower()
    if lang not in i18n.LANGUAGES:
        raise NotFound("unknown language", code="unknown_language", value=code[:16])
    target = "/"
    referer = request.headers.get("referer")
    if referer:
        parts = urlsplit(referer)
        if parts.netloc.lower() in _own_hosts(request, ctx):
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            if not parts.path.startswith("/lang/"):
                target = safe_next(path)
    response = _redirect(target)
    response.set_cookie(
        LANG_COOKIE,
        lang,
        max_age=LANG_COOKIE_SECONDS,
        path="/",
        secure=_secure(ctx),
        httponly=True,
        samesite="lax",
    )
    return response


@router.get("/node")
def node_page(request: Request, ctx: CtxDep, user: OptionalPrincipalDep) -> Response:
    if user is None:
        return _redirect("/login?next=/node")
    s = ctx.settings
    identity = {
        "country": s.country.value,
        "name": s.name,
        "key_id": ctx.key.key_id,
        "public_url": s.public_url,
        "mode": s.mode,
    }
    return render(request, "node.html", {"identity": identity})


@router.get("/node/partners")
async def node_partners(request: Request, ctx: CtxDep, user: OptionalPrincipalDep) -> Response:
    if user is None:
        if request.headers.get("hx-request") == "true":
            return Response(status_code=401, headers={"HX-Redirect": "/login?next=/node"})
        return _redirect("/login?next=/node")
    checked_at = dt.datetime.now().astimezone()
    try:
        partners = await check_partners(ctx)
    except PasserelleError as e:
        lang = request_language(request)
        message = i18n.error_message(lang, e.code, e.params, e.status)
        context = {"partners": [], "error": message, "checked_at": checked_at}
        return render(request, "_partners.html", context, status=502)
    context = {
        "partners": partners,
        "error": None,
        "checked_at": checked_at,
        "reachable": sum(1 for p in partners if p.reachable),
        "trusted": sum(1 for p in partners if p.trusted),
    }
    return render(request, "_partners.html", context)
