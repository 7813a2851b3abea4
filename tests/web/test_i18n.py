"""Catalogues complete and in sync; negotiation order; error messages that never crash."""

from __future__ import annotations

import string
import threading
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from jinja2 import Environment

from passerelle.web import i18n
from passerelle.web.error_texts import ERROR_TEXTS, FAMILY_TEXTS, GENERIC_TEXT

ROOT = Path(__file__).resolve().parents[2]
TRANSLATED = ("fr", "nl", "de")
LISTED_CODES = [
    "internal_error",
    "invalid_input",
    "config_error",
    "not_found",
    "unauthorized",
    "forbidden",
    "payload_too_large",
    "import_rejected",
    "partner_error",
    "unknown_country",
    "no_country",
    "unknown_role",
    "no_role",
    "unknown_dataset",
    "missing_search_key",
    "token_missing",
    "token_scheme",
    "token_expired",
    "token_audience",
    "token_issuer",
    "token_invalid",
    "token_unknown_key",
    "token_keys_unreachable",
    "login_failed",
    "role_required",
    "signature_missing",
    "signature_invalid",
    "signature_expired",
    "signature_replayed",
    "signature_unknown_key",
    "digest_mismatch",
    "invalid_national_id",
    "invalid_plate",
    "invalid_row",
    "validation_error",
]


def load(path: Path, lang: str | None = None) -> Catalog:
    with path.open("rb") as fh:
        return read_po(fh, locale=lang)


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def template_ids() -> set[str | tuple[str, ...]]:
    pot = load(i18n.LOCALES_DIR / "messages.pot")
    return {m.id if isinstance(m.id, str) else tuple(m.id) for m in pot if m.id}


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_message_is_translated_with_its_placeholders(lang: str) -> None:
    catalog = load(i18n.catalogue_path(lang), lang)
    ids_in_catalogue = {m.id if isinstance(m.id, str) else tuple(m.id) for m in catalog if m.id}
    assert ids_in_catalogue == template_ids(), "run pybabel update (docs/web.md)"
    for m in catalog:
        if not m.id:
            continue
        assert "fuzzy" not in m.flags, m.id
        ids = [str(i) for i in (m.id if isinstance(m.id, tuple) else (m.id,))]
        strings = [str(s or "") for s in (m.string if isinstance(m.string, tuple) else (m.string,))]
        assert all(s.strip() for s in strings), f"{lang}: untranslated {m.id!r}"
        wanted = set().union(*(fields(i) for i in ids))
        for s in strings:
            assert fields(s) <= wanted, f"{lang}: unknown placeholder in {s!r}"
            if not isinstance(m.id, tuple):
                assert fields(s) == wanted, f"{lang}: placeholder lost in {s!r}"


def test_template_is_up_to_date_with_the_sources() -> None:
    """Every marked string in the code and templates is in messages.pot."""
    method_map = [
        ("src/passerelle/**.py", "python"),
        ("src/passerelle/web/templates/**.html", "jinja2"),
    ]
    found = {
        message if isinstance(message, str) else tuple(message)
        for _, _, message, _, _ in extract_from_dir(str(ROOT), method_map)
    }
    assert found <= template_ids(), f"not extracted yet: {found - template_ids()}"


def test_negotiation_order() -> None:
    assert i18n.negotiate("de-DE,de;q=0.9", "nl", "fr") == "nl"  # cookie wins
    assert i18n.negotiate("nl-BE,nl;q=0.9,en;q=0.5", None, "fr") == "nl"
    assert i18n.negotiate("en;q=0.4, de;q=0.8", None, "fr") == "de"  # q-values, not order
    assert i18n.negotiate("es-ES,it;q=0.8", None, "de") == "de"  # nothing usable: default
    assert i18n.negotiate("de;q=0, *;q=0.5", None, "nl") == "nl"  # q=0 means "not this one"
    assert i18n.negotiate("garbage;q=x,,;", "klingon", "fr") == "fr"
    assert i18n.negotiate(None, None, "xx") == "en"
    assert i18n.negotiate("FR-be", " DE ", "nl") == "de"


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
@pytest.mark.parametrize("code", LISTED_CODES)
def test_every_listed_code_has_a_specific_message(lang: str, code: str) -> None:
    assert i18n.has_error_text(code)
    message = i18n.error_message(lang, code, {})  # no params at all: must not raise
    generic = {i18n.gettext(lang, t) for t in (*FAMILY_TEXTS.values(), GENERIC_TEXT)}
    shared = {"not_found", "unauthorized", "forbidden"}  # same words as their status family
    assert message and (message not in generic or code in shared)
    if lang != "en":
        assert message != ERROR_TEXTS[code], f"{code} not translated into {lang}"


def test_missing_or_odd_params_never_crash() -> None:
    assert "…" in i18n.error_message("fr", "payload_too_large", {})
    assert "1048576" in i18n.error_message("de", "payload_too_large", {"limit": 1048576})
    odd = i18n.error_message("nl", "unknown_dataset", {"dataset": "{x} {0} {a.b}"})
    assert "{x} {0} {a.b}" in odd
    assert i18n.fill("{0} {a.b} {", {}) == "{0} {a.b} {"
    assert i18n.fill("{name!r:>{width}}", {"name": "x"}) in {"{name!r:>{width}}", "'x'"}


def test_unknown_codes_fall_back_by_status_family() -> None:
    assert i18n.error_message("nl", "no_such_code", {}, 503) == i18n.gettext(
        "nl", FAMILY_TEXTS[500]
    )
    assert i18n.error_message("de", "no_such_code", {}, 409) == i18n.gettext(
        "de", FAMILY_TEXTS[400]
    )
    assert i18n.error_message("fr", "no_such_code", {}) == i18n.gettext("fr", GENERIC_TEXT)


def test_parameter_keys_are_translated() -> None:
    roles = i18n.error_message("de", "role_required", {"roles": "officer, dpo"})
    assert "Polizeibeamte/r, Datenschutzbeauftragte/r" in roles
    nid = i18n.error_message(
        "fr", "invalid_national_id", {"country": "BE", "reason": "check_digit"}
    )
    assert "chiffre de contrôle erroné" in nid and "BE" in nid


def test_sample_translations_are_idiomatic() -> None:
    assert [i18n.gettext(lang, "Sign in") for lang in i18n.LANGUAGES] == [
        "Se connecter",
        "Inloggen",
        "Anmelden",
        "Sign in",
    ]
    assert [i18n.gettext(lang, "Control room") for lang in TRANSLATED] == [
        "Dispatching",
        "Meldkamer",
        "Leitstelle",
    ]
    assert i18n.ngettext("fr", "{n} partner", "{n} partners", 0) == "{n} partenaire"
    assert i18n.ngettext("nl", "{n} partner", "{n} partners", 2) == "{n} partners"


def test_jinja_helpers_follow_each_render_under_concurrency() -> None:
    env = Environment(autoescape=True)
    i18n.install_jinja(env)
    template = env.from_string(
        '{{ _("Sign in") }}|{{ ngettext("{n} partner", "{n} partners", n) }}'
    )
    expected = {"fr": "Se connecter|3 partenaires", "de": "Anmelden|3 Partner"}
    expected |= {"nl": "Inloggen|3 partners", "en": "Sign in|3 partners"}
    errors: list[str] = []

    def work(lang: str) -> None:
        for _ in range(200):
            got = template.render(lang=lang, n=3)
            if got != expected[lang]:
                errors.append(f"{lang}: {got}")

    threads = [threading.Thread(target=work, args=(lang,)) for lang in expected for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors


def test_translations_are_autoescaped() -> None:
    env = Environment(autoescape=True)
    i18n.install_jinja(env)
    out = env.from_string('{{ _("Welcome, {name}", name=who) }}').render(lang="nl", who="<b>")
    assert out == "Welkom, &lt;b&gt;"
