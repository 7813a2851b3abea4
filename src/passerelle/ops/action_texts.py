"""Labels of joint actions in four languages: figures, seizure types, units, services."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_datetime
from babel.numbers import format_decimal

from passerelle.web import i18n
from passerelle.web.error_texts import N_

TIMEZONES = {
    "BE": "Europe/Brussels",
    "NL": "Europe/Amsterdam",
    "LU": "Europe/Luxembourg",
    "DE": "Europe/Berlin",
    "FR": "Europe/Paris",
}
LANGUAGE_OF = {"BE": "fr", "NL": "nl", "LU": "fr", "DE": "de", "FR": "fr"}
FIGURE_TEXTS = {
    "results": N_("Submissions"),
    "persons_checked": N_("Persons checked"),
    "vehicles_checked": N_("Vehicles checked"),
    "hits": N_("Hits"),
    "arrests": N_("Arrests"),
    "fines_count": N_("Fines"),
    "fines_amount": N_("Fines (EUR)"),
    "seizures": N_("Seizures"),
    "fines": N_("Fines"),
}
SEIZURE_TEXTS = {
    "cannabis": N_("cannabis"),
    "cocaine": N_("cocaine"),
    "heroin": N_("heroin"),
    "synthetic_drugs": N_("synthetic drugs"),
    "other_drugs": N_("other drugs"),
    "cash": N_("cash"),
    "weapons": N_("weapons"),
    "tobacco": N_("tobacco"),
    "alcohol": N_("alcohol"),
    "vehicles": N_("vehicles"),
    "other": N_("other"),
}
UNIT_TEXTS = {
    "g": N_("g"),
    "l": N_("l"),
    "pieces": N_("pieces"),
    "pills": N_("pills"),
    "eur": N_("EUR"),
}
SERVICE_TEXTS = {
    "police": N_("police"),
    "customs": N_("customs"),
    "border_police": N_("border police"),
}
STATUS_TEXTS = {"planned": N_("Planned"), "running": N_("Running"), "ended": N_("Ended")}


def t(lang: str, msgid: str, **params: object) -> str:
    text = i18n.gettext(lang, msgid)
    return i18n.fill(text, params) if params else text


def label(lang: str, table: dict[str, str], key: str) -> str:
    return t(lang, table[key]) if key in table else key


def country(lang: str, code: str) -> str:
    return str(Locale.parse(lang).territories.get(code, code))


def number(lang: str, value: float | int, digits: int = 0) -> str:
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return str(format_decimal(value, format=pattern, locale=lang))


def quantity(lang: str, value: float) -> str:
    return number(lang, value, 0 if float(value).is_integer() else 3)


def when(lang: str, moment: dt.datetime, where: str, form: str = "short") -> str:
    tz = ZoneInfo(TIMEZONES.get(where, "UTC"))
    return str(format_datetime(moment, form, tzinfo=tz, locale=lang))


def hour(lang: str, iso: str, where: str) -> str:
    return when(lang, dt.datetime.fromisoformat(iso), where, "EEE d MMM, HH:mm")
