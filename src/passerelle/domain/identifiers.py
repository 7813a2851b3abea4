"""National person identifiers of the four countries.

* BE national number (Rijksregisternummer / numéro national): YYMMDD SSS CC,
  CC = 97 − (YYMMDDSSS mod 97), with "2" prefixed for births from 2000.
* NL BSN: 9 digits, 11-test.
* LU matricule (RNPP): YYYYMMDD XXX + Luhn digit + Verhoeff digit (both over
  the first 11 digits).
* DE Steuerliche Identifikationsnummer: 11 digits, ISO 7064 mod 11,10.

Germany's Melderegister has no national number; the tax IdNr, which every
registered resident has, stands in as ``national_id``. Every parser returns
the compact canonical form and raises ``InvalidInput(code="invalid_national_id")``
with a ``reason`` of ``length``, ``format``, ``check_digit`` or ``impossible_date``.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable

from stdnum import luhn, verhoeff
from stdnum.be import nn as be_nn
from stdnum.de import idnr as de_idnr
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidLength, ValidationError
from stdnum.iso7064 import mod_11_10
from stdnum.nl import bsn as nl_bsn

from passerelle.domain.countries import Country
from passerelle.domain.dates import PartialDate
from passerelle.exc import InvalidInput

REASONS = {
    "length": "wrong length",
    "format": "wrong format",
    "check_digit": "check digit mismatch",
    "impossible_date": "impossible or future birth date",
}
_SEPARATORS = " .-/"


def _fail(country: Country, reason: str) -> InvalidInput:
    return InvalidInput(
        f"invalid {country.value} national identifier: {REASONS[reason]}",
        code="invalid_national_id",
        country=country.value,
        reason=reason,
    )


def _compact(value: str) -> str:
    return "".join(ch for ch in value.strip() if ch not in _SEPARATORS)


def _digits(country: Country, value: str, lengths: tuple[int, ...]) -> str:
    """The compact digit string of ``value``, or the format/length failure."""
    number = _compact(value)
    if not number.isdigit() or not number.isascii():
        raise _fail(country, "format")
    if len(number) not in lengths:
        raise _fail(country, "length")
    return number


def _stdnum_reason(error: ValidationError) -> str:
    if isinstance(error, InvalidLength):
        return "length"
    if isinstance(error, InvalidChecksum):
        return "check_digit"
    if isinstance(error, InvalidComponent):
        return "impossible_date"
    return "format"


# --- check digits (used by the parsers and by synth) -------------------------


def be_nn_check(body: str, year: int) -> str:
    """The two check digits of a BE national number body ``YYMMDDSSS`` born in ``year``."""
    base = int(("2" if year >= 2000 else "") + body)
    return f"{97 - base % 97:02d}"


def lu_matricule_checks(body: str) -> str:
    """The Luhn and Verhoeff digits of an 11-digit LU matricule body ``YYYYMMDDXXX``."""
    return luhn.calc_check_digit(body) + verhoeff.calc_check_digit(body)


def bsn_check(body: str) -> int:
    """The 11-test check digit for an 8-digit BSN body; 10 means no valid BSN exists."""
    return sum(int(d) * w for d, w in zip(body, range(9, 1, -1), strict=True)) % 11


def de_idnr_check(body: str) -> str:
    """The ISO 7064 mod 11,10 check digit of a 10-digit IdNr body."""
    return str(mod_11_10.calc_check_digit(body))


# --- parsers ----------------------------------------------------------------


def parse_be_nn(value: str, *, today: dt.date | None = None) -> str:
    """Validate a Belgian national number; unknown month/day are written ``00``."""
    c = Country.BE
    number = _digits(c, value, (11,))
    try:
        be_nn.validate(number)
    except ValidationError as e:
        raise _fail(c, _stdnum_reason(e)) from None
    today = today or dt.date.today()
    year = be_nn_century(number) + int(number[:2])
    month, day = int(number[2:4]), int(number[4:6])
    if month == 0 and day != 0 and number[:6] not in ("000001", "002001", "004001"):
        raise _fail(c, "impossible_date")
    if month and day and day > calendar.monthrange(year, month)[1]:
        raise _fail(c, "impossible_date")
    if dt.date(year, month or 1, day or 1) > today:
        raise _fail(c, "impossible_date")
    return number


def be_nn_century(number: str) -> int:
    """1900 or 2000: the century whose check rule a valid BE number satisfies."""
    return 1900 if be_nn_check(number[:9], 1900) == number[9:] else 2000


def parse_nl_bsn(value: str) -> str:
    """Validate a Dutch BSN (8-digit forms are zero-padded to 9)."""
    c = Country.NL
    number = _digits(c, value, (8, 9))
    try:
        return str(nl_bsn.validate(number))
    except ValidationError as e:
        raise _fail(c, _stdnum_reason(e)) from None


def parse_lu_matricule(value: str, *, today: dt.date | None = None) -> str:
    """Validate a Luxembourg matricule: birth date, serial, Luhn and Verhoeff digits."""
    c = Country.LU
    number = _digits(c, value, (13,))
    try:
        born = dt.date(int(number[:4]), int(number[4:6]), int(number[6:8]))
    except ValueError:
        raise _fail(c, "impossible_date") from None
    if born > (today or dt.date.today()) or born.year < 1850:
        raise _fail(c, "impossible_date")
    if lu_matricule_checks(number[:11]) != number[11:]:
        raise _fail(c, "check_digit")
    return number


def parse_de_idnr(value: str) -> str:
    """Validate a German tax IdNr (stands in for the national id in DE)."""
    c = Country.DE
    number = _digits(c, value, (11,))
    try:
        return str(de_idnr.validate(number))
    except ValidationError as e:
        raise _fail(c, _stdnum_reason(e)) from None


_PARSERS: dict[Country, Callable[[str], str]] = {
    Country.BE: parse_be_nn,
    Country.NL: parse_nl_bsn,
    Country.LU: parse_lu_matricule,
    Country.DE: parse_de_idnr,
}


def parse_national_id(country: Country, value: str) -> str:
    """Validate ``value`` under ``country``'s rules; return the compact canonical form."""
    return _PARSERS[Country(country)](value)


def is_valid_national_id(country: Country, value: str) -> bool:
    try:
        parse_national_id(country, value)
    except InvalidInput:
        return False
    return True


def birth_date_from_id(country: Country, value: str) -> PartialDate | None:
    """The birth date encoded in a BE or LU identifier (``None`` for NL and DE)."""
    number = parse_national_id(country, value)
    if country == Country.LU:
        return PartialDate(int(number[:4]), int(number[4:6]), int(number[6:8]))
    if country == Country.BE:
        year = be_nn_century(number) + int(number[:2])
        month, day = int(number[2:4]) or None, int(number[4:6]) or None
        if month is None or number[:6] in ("000001", "002001", "004001"):
            return PartialDate(year) if month is None and number[2:6] == "0000" else None
        return PartialDate(year, month, day)
    return None
