"""National identifiers: known cases per country and property tests."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.be import nn as stdnum_nn
from stdnum.de import idnr as stdnum_idnr
from stdnum.nl import bsn as stdnum_bsn

from passerelle.domain.countries import Country
from passerelle.domain.dates import PartialDate
from passerelle.domain.identifiers import (
    be_nn_check,
    birth_date_from_id,
    bsn_check,
    de_idnr_check,
    is_valid_national_id,
    lu_matricule_checks,
    parse_national_id,
)
from passerelle.exc import InvalidInput

GOOD = [
    (Country.BE, "85.07.30-033.28", "85073003328"),
    (Country.BE, "17 07 30 033 84", "17073003384"),  # born 2017: "2" prefixed
    (Country.NL, "111222333", "111222333"),
    (Country.NL, "1234-56-782", "123456782"),
    (Country.LU, "1893 1201 057 01", None),  # computed below
    (Country.DE, "36 574 261 809", "36574261809"),
]


def _lu(body: str) -> str:
    return body + lu_matricule_checks(body)


@pytest.mark.parametrize(("country", "raw", "expected"), GOOD)
def test_known_good(country: Country, raw: str, expected: str | None) -> None:
    if expected is None:
        raw = _lu("18931201057")
        expected = raw
    assert parse_national_id(country, raw) == expected


BAD = [
    (Country.BE, "85073003329", "check_digit"),
    (Country.BE, "8507300332", "length"),
    (Country.BE, "85O73003328", "format"),
    (Country.BE, "850230003" + be_nn_check("850230003", 1985), "impossible_date"),  # 30 Feb
    (Country.BE, "851300003" + be_nn_check("851300003", 1985), "impossible_date"),  # month 13
    (Country.NL, "111222334", "check_digit"),
    (Country.NL, "1112223", "length"),
    (Country.NL, "11122233A", "format"),
    (Country.LU, "1985073003300", "check_digit"),
    (Country.LU, "19850730033", "length"),
    (Country.LU, "1985023003300", "impossible_date"),
    (Country.DE, "36574261890", "check_digit"),
    (Country.DE, "36554266806", "format"),  # digits repeated too often
    (Country.DE, "3657426180", "length"),
]


@pytest.mark.parametrize(("country", "raw", "reason"), BAD)
def test_known_bad(country: Country, raw: str, reason: str) -> None:
    with pytest.raises(InvalidInput) as err:
        parse_national_id(country, raw)
    assert err.value.code == "invalid_national_id"
    assert err.value.params["reason"] == reason
    assert raw not in err.value.detail


def test_be_future_birth_date() -> None:
    tomorrow = dt.date.today() + dt.timedelta(days=400)
    body = tomorrow.strftime("%y%m%d") + "001"
    with pytest.raises(InvalidInput):
        parse_national_id(Country.BE, body + be_nn_check(body, tomorrow.year))


def test_lu_future_birth_date() -> None:
    body = "2999010100" + "1"
    with pytest.raises(InvalidInput) as err:
        parse_national_id(Country.LU, _lu(body))
    assert err.value.params["reason"] == "impossible_date"


dates = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2024, 12, 31))
serials = st.integers(min_value=1, max_value=997)


def _be(born: dt.date, serial: int) -> str:
    body = born.strftime("%y%m%d") + f"{serial:03d}"
    return body + be_nn_check(body, born.year)


def _mutations(number: str) -> list[str]:
    return [
        number[:i] + str((int(number[i]) + delta) % 10) + number[i + 1 :]
        for i in range(len(number))
        for delta in (1, 3, 7)
    ]


@given(dates, serials)
def test_be_generated_validates_and_agrees_with_stdnum(born: dt.date, serial: int) -> None:
    number = _be(born, serial)
    assert parse_national_id(Country.BE, number) == number
    assert stdnum_nn.get_birth_date(number) == born
    assert birth_date_from_id(Country.BE, number) == PartialDate.from_date(born)


@given(dates, serials)
def test_be_one_digit_changed_is_refused_or_other_century(born: dt.date, serial: int) -> None:
    number = _be(born, serial)
    for other in _mutations(number):
        if is_valid_national_id(Country.BE, other):
            # mod 97 catches every single-digit change within one century rule
            assert stdnum_nn.get_birth_year(other) != born.year


@given(st.integers(min_value=10_000_000, max_value=99_999_999))
def test_bsn_generated_validates(body: int) -> None:
    check = bsn_check(str(body))
    if check == 10:
        return
    number = f"{body}{check}"
    assert parse_national_id(Country.NL, number) == number
    assert stdnum_bsn.is_valid(number)
    assert not any(is_valid_national_id(Country.NL, m) for m in _mutations(number))


@given(dates, st.integers(min_value=0, max_value=999))
def test_lu_generated_validates(born: dt.date, serial: int) -> None:
    number = _lu(born.strftime("%Y%m%d") + f"{serial:03d}")
    assert parse_national_id(Country.LU, number) == number
    assert birth_date_from_id(Country.LU, number) == PartialDate.from_date(born)
    assert not any(is_valid_national_id(Country.LU, m) for m in _mutations(number))


@given(st.permutations("0123456789"), st.integers(0, 8), st.integers(0, 9))
def test_de_generated_validates(perm: list[str], dup: int, pos: int) -> None:
    digits = perm[:9]
    digits.insert(pos, digits[dup])
    if digits[0] == "0":
        return
    body = "".join(digits)
    number = body + de_idnr_check(body)
    assert parse_national_id(Country.DE, number) == number
    assert stdnum_idnr.is_valid(number)
    assert not any(is_valid_national_id(Country.DE, m) for m in _mutations(number))


def test_be_unknown_birth_date_parts() -> None:
    body = "750000" + "123"
    number = body + be_nn_check(body, 1975)
    assert parse_national_id(Country.BE, number) == number
    assert birth_date_from_id(Country.BE, number) == PartialDate(1975)
    assert birth_date_from_id(Country.NL, "111222333") is None
