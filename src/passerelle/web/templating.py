"""The Jinja2 environment of the web pages and the one ``render`` helper.

``render`` negotiates the language of the request (cookie, then the
browser's Accept-Language, then the node country's default), looks up the
signed-in user for the navigation bar, and renders with autoescaping on.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from babel import Locale
from babel.dates import format_time
from babel.numbers import format_decimal
from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape
from jinja2.runtime import Context

from passerelle.auth.roles import Principal
from passerelle.exc import PasserelleError
from passerelle.web import i18n
from passerelle.web.error_texts import ROLE_TEXTS

TEMPLATES = Path(__file__).with_name("templates")
# Everything is served by the node itself: no CDN, no inline script.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'self'"
)
LANG_COOKIE = "passerelle_lang"  # same name as passerelle.web.deps.LANG_COOKIE


env = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(("html", "xml"), default_for_string=True, default=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
i18n.install_jinja(env)


def _lang_of(context: Context) -> str:
    return str(context.get("lang", i18n.SOURCE_LANGUAGE))


@pass_context
def _number(context: Context, value: float | int | None, digits: int = 1) -> str:
    if value is None:
        return "—"
    pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "")
    return format_decimal(value, format=pattern, locale=_lang_of(context))


@pass_context
def _country_name(context: Context, code: str) -> str:
    name = Locale.parse(_lang_of(context)).territories.get(str(code).upper())
    return str(name) if name else str(code)


@pass_context
def _role_label(context: Context, role: str) -> str:
    label = ROLE_TEXTS.get(str(role))
    return i18n.gettext(_lang_of(context), label) if label else str(role)


@pass_context
def _clock(context: Context, moment: dt.datetime) -> str:
    return format_time(moment, format="medium", locale=_lang_of(context))


env.filters["number"] = _number
env.filters["country_name"] = _country_name
env.filters["role_label"] = _role_label
env.filters["clock"] = _clock


def language_name(code: str) -> str:
    """The name of a language in that language, e.g. ``Nederlands``."""
    name = Locale.parse(code).get_display_name(code) or code
    return name[:1].upper() + name[1:]


LANGUAGE_CHOICES = [(code, code.upper(), language_name(code)) for code in i18n.LANGUAGES]


def request_language(request: Request) -> str:
    ctx = getattr(request.app.state, "ctx", None)
    default = ctx.settings.country.default_language if ctx is not None else "en"
    return i18n.negotiate(
        request.headers.get("accept-language"), request.cookies.get(LANG_COOKIE), default
    )


def _principal(request: Request) -> Principal | None:
    known = getattr(request.state, "principal", None)
    if isinstance(known, Principal):
        return known
    if getattr(request.app.state, "ctx", None) is None:
        return None
    from passerelle.web.deps import optional_principal

    try:
        return optional_principal(request)
    except PasserelleError:
        return None


def _node(request: Request) -> dict[str, str]:
    ctx = getattr(request.app.state, "ctx", None)
    if ctx is None:
        return {"name": "Passerelle", "country": ""}
    return {"name": ctx.settings.name, "country": ctx.settings.country.value}


def render(
    request: Request,
    template: str,
    context: Mapping[str, Any] | None = None,
    status: int = 200,
    headers: Mapping[str, str] | None = None,
) -> HTMLResponse:
    """Render ``template`` in the request's language as an HTML response."""
    lang = request_language(request)
    values: dict[str, Any] = {
        "request": request,
        "lang": lang,
        "languages": LANGUAGE_CHOICES,
        "node": _node(request),
        "user": _principal(request),
        "path": request.url.path,
    }
    values.update(context or {})
    html = env.get_template(template).render(values)
    response = HTMLResponse(html, status_code=status)
    response.headers["Content-Language"] = lang
    response.headers["Vary"] = "Accept-Language, Cookie"
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Content-Security-Policy"] = CSP
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response
