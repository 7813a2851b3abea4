"""ICAO 9303 machine readable zones: TD1 (ID cards, 3×30), TD2 (2×36), TD3 (passports, 2×44).

An officer pastes or scans the MRZ; ``parse_mrz`` returns its fields and the
result of every check digit (document number, birth date, expiry date,
optional data where it has one, and the composite). OCR confuses letters and
digits, so in the fields that can only hold digits (dates, check digits) the
letters ``O D Q I Z S B G`` are read as ``0 0 0 1 2 5 8 6`` before checking.

Names: ``SURNAME<<GIVEN<NAMES``; a single ``<`` separates words. Country
codes are ICAO alpha-3 (``D`` for Germany) and are given as ISO alpha-2 when
known. Two-digit years: a birth year after this year's is in the previous
century; an expiry year is in this century.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from babel.core import get_global

from passerelle.domain.dates import PartialDate
from passerelle.domain.documents import document_check_digit
from passerelle.exc import InvalidInput

FORMATS = {"TD1": (3, 30), "TD2": (2, 36), "TD3": (2, 44)}
_DIGIT_FIX = str.maketrans("ODQIZSBG", "00012586")
_LINE = re.compile(r"[A-Z0-9<]+")
_ICAO_ONLY = {"D": "DE", "GBD": "GB", "GBN": "GB", "GBO": "GB", "GBS": "GB", "GBP": "GB"}


def _fail(reason: str, **params: object) -> InvalidInput:
    return InvalidInput(f"not a valid MRZ: {reason}", code="invalid_mrz", reason=reason, **params)


def country_alpha2(code: str) -> str | None:
    """ISO alpha-2 for an ICAO 9303 state code (``NLD`` → ``NL``, ``D`` → ``DE``)."""
    code = code.replace("<", "")
    if code in _ICAO_ONLY:
        return _ICAO_ONLY[code]
    aliases = get_global("territory_aliases").get(code)
    return str(aliases[0]) if aliases else None


@dataclass(frozen=True)
class Mrz:
    format: str
    document_code: str
    issuing_state: str  # ICAO code as printed (NLD, D, ...)
    document_number: str
    family_name: str
    given_names: str
    nationality: str
    birth_date: PartialDate | None
    sex: str | None  # M, F or None (X / <)
    expiry_date: dt.date | None
    optional_data: str
    checks: dict[str, bool] = field(default_factory=dict)

    @property
    def valid(self) -> bool:
        return all(self.checks.values())

    @property
    def issuing_country(self) -> str | None:
        return country_alpha2(self.issuing_state)

    @property
    def nationality_alpha2(self) -> str | None:
        return country_alpha2(self.nationality)


def _lines(text: str) -> tuple[str, list[str]]:
    rows = [re.sub(r"\s+", "", r).upper() for r in text.strip().splitlines() if r.strip()]
    if len(rows) == 1:  # pasted as one line
        one = rows[0]
        for n, width in FORMATS.values():
            if len(one) == n * width:
                rows = [one[i * width : (i + 1) * width] for i in range(n)]
                break
    for name, (n, width) in FORMATS.items():
        if len(rows) == n and all(len(r) == width for r in rows):
            bad = next((r for r in rows if not _LINE.fullmatch(r)), None)
            if bad is not None:
                raise _fail("characters other than A-Z, 0-9 and <")
            return name, rows
    raise _fail("expected 3 lines of 30, 2 of 36 or 2 of 44 characters")


def _digits(text: str) -> str:
    return text.translate(_DIGIT_FIX)


def _check(value: str, digit: str) -> bool:
    digit = _digits(digit)
    if digit == "<":
        return value.strip("<") == ""
    return digit.isdigit() and document_check_digit(value) == int(digit)


def _birth(text: str, today: dt.date) -> PartialDate | None:
    t = _digits(text)
    if not t[:2].isdigit():
        return None
    yy = int(t[:2])
    year = 2000 + yy if 2000 + yy <= today.year else 1900 + yy
    month = int(t[2:4]) if t[2:4].isdigit() and t[2:4] != "00" else None
    day = int(t[4:6]) if month and t[4:6].isdigit() and t[4:6] != "00" else None
    try:
        return PartialDate(year, month, day)
    except InvalidInput:
        return None


def _expiry(text: str) -> dt.date | None:
    t = _digits(text)
    try:
        return dt.date(2000 + int(t[:2]), int(t[2:4]), int(t[4:6]))
    except ValueError:
        return None


def _names(text: str) -> tuple[str, str]:
    family, _, given = text.strip("<").partition("<<")
    return " ".join(family.replace("<", " ").split()), " ".join(given.replace("<", " ").split())


def _sex(ch: str) -> str | None:
    return ch if ch in ("M", "F") else None


def parse_mrz(text: str, *, today: dt.date | None = None) -> Mrz:
    """Parse a TD1, TD2 or TD3 MRZ; ``checks`` tells which check digits hold."""
    today = today or dt.date.today()
    kind, rows = _lines(text)
    if kind == "TD1":
        l1, l2, l3 = rows
        number, number_cd, optional1 = l1[5:14], l1[14], l1[15:30]
        if number_cd == "<" and optional1.strip("<"):  # long number continues in optional data
            rest, _, _ = optional1.partition("<")
            number, number_cd, optional1 = number + rest[:-1], rest[-1:], optional1[len(rest) :]
        composite = l1[5:30] + _digits(l2[0:7]) + _digits(l2[8:15]) + l2[18:29]
        checks = {
            "document_number": _check(number, number_cd),
            "birth_date": _check(_digits(l2[0:6]), l2[6]),
            "expiry_date": _check(_digits(l2[8:14]), l2[14]),
            "composite": _check(composite, l2[29]),
        }
        family, given = _names(l3)
        return Mrz(kind, l1[0:2].strip("<"), l1[2:5].strip("<"), number.strip("<"), family,
                   given, l2[15:18].strip("<"), _birth(l2[0:6], today), _sex(l2[7]),
                   _expiry(l2[8:14]), (optional1 + l2[18:29]).strip("<"), checks)  # fmt: skip
    l1, l2 = rows
    width = len(l2)
    opt_end = width - 2 if kind == "TD3" else width - 1
    checks = {
        "document_number": _check(l2[0:9], l2[9]),
        "birth_date": _check(_digits(l2[13:19]), l2[19]),
        "expiry_date": _check(_digits(l2[21:27]), l2[27]),
    }
    if kind == "TD3":
        checks["optional_data"] = _check(l2[28:42], l2[42])
    numeric = l2[0:9] + _digits(l2[9]) + _digits(l2[13:20]) + _digits(l2[21:28])
    checks["composite"] = _check(numeric + l2[28 : width - 1], l2[width - 1])
    family, given = _names(l1[5:])
    return Mrz(kind, l1[0:2].strip("<"), l1[2:5].strip("<"), l2[0:9].strip("<"), family, given,
               l2[10:13].strip("<"), _birth(l2[13:19], today), _sex(l2[20]),
               _expiry(l2[21:27]), l2[28:opt_end].strip("<"), checks)  # fmt: skip
