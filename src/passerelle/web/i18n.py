"""Four languages wherever a person reads: French, Dutch, German and English.

Source strings are English msgids. Translations live in
``locales/<lang>/LC_MESSAGES/messages.po`` and are read straight from the
``.po`` files with Babel (no compile step) the first time a language is used,
then cached. Placeholders use ``str.format`` style (``{name}``) in Python and
in templates alike; a missing parameter never raises.

Extraction and update (see docs/web.md)::

    pybabel extract -F babel.cfg --no-location --sort-output -w 100 \\
        -o src/passerelle/web/locales/messages.pot .
    pybabel update -i src/passerelle/web/locales/messages.pot \\
        -d src/passerelle/web/locales --no-fuzzy-matching -w 100
"""

from __future__ import annotations

import functools
import gettext as _gettext
import io
import string
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from babel.core import negotiate_locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from jinja2 import Environment, pass_context
from jinja2.runtime import Context

from passerelle.web.error_texts import (
    ERROR_TEXTS,
    FAMILY_TEXTS,
    GENERIC_TEXT,
    LIST_PARAM_TEXTS,
    N_,
    PARAM_TEXTS,
)

LANGUAGES: tuple[str, ...] = ("fr", "nl", "de", "en")
SOURCE_LANGUAGE = "en"
LOCALES_DIR = Path(__file__).with_name("locales")
DOMAIN = "messages"
_MAX_ACCEPT_ITEMS = 32
MISSING = "…"
__all__ = [
    "LANGUAGES",
    "N_",
    "error_message",
    "gettext",
    "install_jinja",
    "negotiate",
    "ngettext",
]


def catalogue_path(lang: str) -> Path:
    return LOCALES_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@functools.cache
def translations(lang: str) -> _gettext.NullTranslations:
    """The cached translations of ``lang``, read from its ``.po`` file (fuzzy entries skipped)."""
    if lang not in LANGUAGES or lang == SOURCE_LANGUAGE:
        return _gettext.NullTranslations()
    with catalogue_path(lang).open("rb") as fh:
        catalog = read_po(fh, locale=lang, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)


def load_catalogues() -> None:
    """Read every catalogue now (call at start-up so a broken ``.po`` fails early)."""
    for lang in LANGUAGES:
        translations(lang)


def _accept_language(header: str) -> list[str]:
    """Language tags of an Accept-Language header, best first (q=0 dropped)."""
    weighted: list[tuple[float, int, str]] = []
    for index, item in enumerate(header.split(",")[:_MAX_ACCEPT_ITEMS]):
        tag, _, rest = item.strip().partition(";")
        tag = tag.strip()
        if not tag or tag == "*":
            continue
        quality = 1.0
        for param in rest.split(";"):
            key, _, value = param.strip().partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality > 0:
            weighted.append((-quality, index, tag))
    return [tag for _, _, tag in sorted(weighted)]


def negotiate(accept_language: str | None, cookie: str | None, default: str) -> str:
    """The language to answer in: the cookie, else the browser's choice, else ``default``."""
    if cookie and cookie.strip().lower() in LANGUAGES:
        return cookie.strip().lower()
    if accept_language:
        chosen = negotiate_locale(_accept_language(accept_language), list(LANGUAGES), sep="-")
        if chosen:
            return chosen
    return default if default in LANGUAGES else SOURCE_LANGUAGE


class _Params(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return MISSING


def fill(text: str, params: Mapping[str, object]) -> str:
    """``text.format_map(params)`` that never raises: missing names show as ``…``."""
    try:
        fields = [name for _, name, _, _ in string.Formatter().parse(text) if name is not None]
        if not fields:
            return text
        return text.format_map(_Params(params))
    except (ValueError, IndexError, AttributeError, KeyError, TypeError):
        return text


def gettext(lang: str, msgid: str) -> str:
    return translations(lang).gettext(msgid)


def ngettext(lang: str, singular: str, plural: str, n: int) -> str:
    return translations(lang).ngettext(singular, plural, n)


def has_error_text(code: str) -> bool:
    return code in ERROR_TEXTS


def error_message(
    lang: str, code: str, params: Mapping[str, object], status: int | None = None
) -> str:
    """A translated, actionable message for an error ``code``.

    Unknown codes fall back to a message for the HTTP ``status`` family (4xx /
    5xx) when given, else to a generic one. Parameter values that are known
    keys (such as a national identifier ``reason``) are translated too.
    """
    text = ERROR_TEXTS.get(code)
    if text is None:
        family = (status // 100) if status else 0
        text = FAMILY_TEXTS.get(status or 0) or FAMILY_TEXTS.get(family * 100, GENERIC_TEXT)
    return fill(gettext(lang, text), {k: _param(lang, k, v) for k, v in params.items()})


def _param(lang: str, key: str, value: object) -> object:
    if not isinstance(value, str):
        return value
    if key in LIST_PARAM_TEXTS:
        texts = LIST_PARAM_TEXTS[key]
        items = [item.strip() for item in value.split(",")]
        return ", ".join(gettext(lang, texts[i]) if i in texts else i for i in items)
    known = PARAM_TEXTS.get(key, {}).get(value)
    return gettext(lang, known) if known else value


@pass_context
def _jinja_gettext(context: Context, message: str, **params: object) -> str:
    return fill(gettext(str(context.get("lang", SOURCE_LANGUAGE)), message), params)


@pass_context
def _jinja_ngettext(context: Context, singular: str, plural: str, n: int, **params: object) -> str:
    text = ngettext(str(context.get("lang", SOURCE_LANGUAGE)), singular, plural, n)
    return fill(text, {"n": n, **params})


def install_jinja(env: Environment) -> None:
    """Add ``_``, ``gettext`` and ``ngettext`` to ``env``.

    They read the language from the ``lang`` variable of the template context
    being rendered, so one shared environment serves concurrent requests in
    different languages. Use ``{{ _("Hello {name}", name=user.name) }}`` and
    ``{{ ngettext("{n} partner", "{n} partners", count) }}``; results are plain
    strings and are autoescaped like any other value.
    """
    env.globals["_"] = _jinja_gettext
    env.globals["gettext"] = _jinja_gettext
    env.globals["ngettext"] = _jinja_ngettext
