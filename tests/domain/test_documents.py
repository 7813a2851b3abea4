"""Document numbers: ICAO check digits and national formats."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.be import eid

from passerelle.domain.countries import Country
from passerelle.domain.documents import (
    DE_ALPHABET,
    DocumentStatus,
    DocumentType,
    be_eid_check,
    document_check_digit,
    parse_document_number,
    parse_document_status,
    parse_document_type,
)
from passerelle.exc import InvalidInput


def test_icao_specimen_check_digits() -> None:
    # ICAO 9303 part 3 specimen: document number L898902C3 has check digit 6,
    # birth date 740812 has 2, expiry 120415 has 9.
    assert document_check_digit("L898902C3") == 6
    assert document_check_digit("740812") == 2
    assert document_check_digit("120415") == 9
    assert document_check_digit("AB<<<") == document_check_digit("AB")


GOOD = [
    (Country.BE, "id_card", "591-1917064-58", "591191706458"),
    (Country.BE, "residence_permit", "000001103271", "000001103271"),
    (Country.BE, "passport", "EN123456", "EN123456"),
    (Country.NL, "passport", "NW92BD4K1", "NW92BD4K1"),
    (Country.NL, "id_card", "ib 12 34 56 7", "IB1234567"),
    (Country.LU, "passport", "JD123456", "JD123456"),
    (Country.DE, "id_card", "L01X00T47" + str(document_check_digit("L01X00T47")), None),
    (Country.DE, "passport", "C01X00T47" + str(document_check_digit("C01X00T47")), None),
    ("FR", "passport", "12AB34567", "12AB34567"),
]


@pytest.mark.parametrize(("country", "kind", "raw", "expected"), GOOD)
def test_known_good(country: Country | str, kind: str, raw: str, expected: str | None) -> None:
    assert parse_document_number(country, kind, raw) == (expected or raw)


BAD = [
    (Country.BE, "id_card", "591191706459", "check_digit"),
    (Country.BE, "id_card", "59119170645", "length"),
    (Country.NL, "passport", "NO92BD4K1", "format"),  # letter O never used
    (Country.NL, "passport", "NW92BD4KX", "format"),
    (Country.DE, "id_card", "L01X00T470", "check_digit"),
    (Country.DE, "id_card", "L01A00T47", "format"),  # A is not in the alphabet
    (Country.LU, "passport", "J-1", "format"),
]


@pytest.mark.parametrize(("country", "kind", "raw", "reason"), BAD)
def test_known_bad(country: Country, kind: str, raw: str, reason: str) -> None:
    with pytest.raises(InvalidInput) as err:
        parse_document_number(country, kind, raw)
    assert err.value.code == "invalid_document_number"
    assert err.value.params["reason"] == reason


@given(st.integers(min_value=1, max_value=9_999_999_999))
def test_be_eid_check_matches_stdnum(first10: int) -> None:
    number = f"{first10:010d}" + be_eid_check(f"{first10:010d}")
    assert eid.is_valid(number)
    assert parse_document_number(Country.BE, DocumentType.ID_CARD, number) == number


@given(st.text(alphabet=DE_ALPHABET, min_size=8, max_size=8), st.sampled_from("LMNPRTVWXYZ"))
def test_de_generated_valid_and_one_change_breaks(body: str, lead: str) -> None:
    core = lead + body
    number = core + str(document_check_digit(core))
    assert parse_document_number(Country.DE, "id_card", number) == number
    bad = number[:-1] + str((int(number[-1]) + 1) % 10)
    with pytest.raises(InvalidInput):
        parse_document_number(Country.DE, "id_card", bad)


def test_enums() -> None:
    assert parse_document_type(" Passport ") is DocumentType.PASSPORT
    assert parse_document_status("STOLEN") is DocumentStatus.STOLEN
    with pytest.raises(InvalidInput):
        parse_document_type("visa")
    with pytest.raises(InvalidInput):
        parse_document_status("expired")
    with pytest.raises(InvalidInput):
        parse_document_number(Country.BE, "visa", "123")
