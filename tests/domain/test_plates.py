"""Licence plates: national formats, normalisation, display."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from passerelle.domain.countries import Country
from passerelle.domain.plates import (
    DE_DISTRICTS,
    NL_SIDECODES,
    Plate,
    format_plate,
    nl_sidecode,
    normalise_plate,
    parse_plate,
)
from passerelle.exc import InvalidInput

GOOD = [
    # BE: current, legacy 1973-2008, transitional 2008-2010
    (Country.BE, "1-ABC-234", "1ABC234", "1-ABC-234"),
    (Country.BE, "2 gkt 017", "2GKT017", "2-GKT-017"),
    (Country.BE, "FXT-123", "FXT123", "FXT-123"),
    (Country.BE, "123.ABC", "123ABC", "123-ABC"),
    # NL sidecodes 1-14
    (Country.NL, "AB-12-34", "AB1234", "AB-12-34"),
    (Country.NL, "12-34-AB", "1234AB", "12-34-AB"),
    (Country.NL, "12-AB-34", "12AB34", "12-AB-34"),
    (Country.NL, "BB-12-BB", "BB12BB", "BB-12-BB"),
    (Country.NL, "BB-BB-12", "BBBB12", "BB-BB-12"),
    (Country.NL, "12-BB-BB", "12BBBB", "12-BB-BB"),
    (Country.NL, "12-BBB-3", "12BBB3", "12-BBB-3"),
    (Country.NL, "1-KBB-00", "1KBB00", "1-KBB-00"),
    (Country.NL, "GB-123-X", "GB123X", "GB-123-X"),
    (Country.NL, "X-123-GB", "X123GB", "X-123-GB"),
    (Country.NL, "GBX-12-T", "GBX12T", "GBX-12-T"),
    (Country.NL, "T-12-GBX", "T12GBX", "T-12-GBX"),
    (Country.NL, "1-TX-123", "1TX123", "1-TX-123"),
    (Country.NL, "123-TX-1", "123TX1", "123-TX-1"),
    # LU
    (Country.LU, "AB 1234", "AB1234", "AB 1234"),
    (Country.LU, "ab1234", "AB1234", "AB 1234"),
    (Country.LU, "12345", "12345", "12345"),
    (Country.LU, "1234", "1234", "1234"),
    # DE: the Aachen region and around
    (Country.DE, "AC-AB 123", "ACAB123", "AC-AB 123"),
    (Country.DE, "ac ab 123", "ACAB123", "AC-AB 123"),
    (Country.DE, "DN-X 1", "DNX1", "DN-X 1"),
    (Country.DE, "HS-KL 4711", "HSKL4711", "HS-KL 4711"),
    (Country.DE, "EU-A 99E", "EUA99E", "EU-A 99E"),
    (Country.DE, "MON-V 12", "MONV12", "MON-V 12"),
    (Country.DE, "SLE-QZ 77H", "SLEQZ77H", "SLE-QZ 77H"),
    (Country.DE, "JÜL-AB 12", "JÜLAB12", "JÜL-AB 12"),
    (Country.DE, "K-AB 1234", "KAB1234", "K-AB 1234"),
    (Country.DE, "D-X 5", "DX5", "D-X 5"),
    (Country.DE, "BM-TT 400", "BMTT400", "BM-TT 400"),
    (Country.DE, "MG-QQ 1", "MGQQ1", "MG-QQ 1"),
    (Country.DE, "VIE-A 12", "VIEA12", "VIE-A 12"),
    (Country.DE, "WES-B 888", "WESB888", "WES-B 888"),
    (Country.DE, "KLE-PK 77", "KLEPK77", "KLE-PK 77"),
    (Country.DE, "GL-A 1", "GLA1", "GL-A 1"),
    (Country.DE, "NE-XY 1", "NEXY1", "NE-XY 1"),
]


@pytest.mark.parametrize(("country", "raw", "compact", "display"), GOOD)
def test_known_good(country: Country, raw: str, compact: str, display: str) -> None:
    plate = parse_plate(country, raw)
    assert plate == Plate(country, compact)
    assert format_plate(plate) == display
    assert format_plate(Plate(country, compact)) == display
    assert parse_plate(country, format_plate(plate)) == plate


BAD = [
    (Country.BE, "0-ABC-123"),  # first digit 1-9
    (Country.BE, "1-AB-234"),
    (Country.BE, "AB-1234"),
    (Country.NL, "12-ABC-34"),  # no sidecode
    (Country.NL, "12-BAB-3"),  # vowel in a modern sidecode
    (Country.NL, "GC-123-X"),  # C not issued in modern sidecodes
    (Country.NL, "1234567"),
    (Country.LU, "ABC 123"),
    (Country.LU, "123"),
    (Country.LU, "012345"),
    (Country.DE, "XX-AB 123"),  # unknown district
    (Country.DE, "AC-ABC 12"),  # three letters
    (Country.DE, "AC-AB 12345"),  # five digits
    (Country.DE, "MON-AB 1234"),  # nine characters
    (Country.DE, "AC-SS 88"),  # never issued
    (Country.DE, "AC-AB 0123"),  # leading zero
    (Country.DE, ""),
]


@pytest.mark.parametrize(("country", "raw"), BAD)
def test_known_bad(country: Country, raw: str) -> None:
    with pytest.raises(InvalidInput) as err:
        parse_plate(country, raw)
    assert err.value.code == "invalid_plate"


def test_ambiguous_german_plate_uses_separators() -> None:
    assert format_plate(parse_plate(Country.DE, "D-NA 1")) == "D-NA 1"
    assert format_plate(parse_plate(Country.DE, "DN-A 1")) == "DN-A 1"
    assert parse_plate(Country.DE, "D-NA 1") == parse_plate(Country.DE, "DN-A 1")
    assert format_plate(Plate(Country.DE, "DNA1")) == "DN-A 1"  # longest district wins


def test_tables() -> None:
    for code in ("AC", "DN", "HS", "EU", "MON", "SLE", "JÜL", "K", "D", "BM", "GL", "NE"):
        assert code in DE_DISTRICTS
    assert set(NL_SIDECODES) == set(range(1, 15))
    assert nl_sidecode("GB123X") == 9


@given(st.text(max_size=20))
def test_normalise_idempotent(text: str) -> None:
    once = normalise_plate(text)
    assert normalise_plate(once) == once
    assert " " not in once and "-" not in once


@given(st.sampled_from(sorted(NL_SIDECODES)), st.data())
def test_every_nl_sidecode_round_trips(code: int, data: st.DataObject) -> None:
    groups = []
    for g in NL_SIDECODES[code]:
        alphabet = "BDFGHJKLNPRSTVXZ" if g[0] == "L" else "0123456789"
        groups.append(data.draw(st.text(alphabet=alphabet, min_size=len(g), max_size=len(g))))
    display = "-".join(groups)
    plate = parse_plate(Country.NL, display.lower())
    assert nl_sidecode(plate.text) == code
    assert format_plate(plate) == display
