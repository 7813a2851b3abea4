"""ICAO 9303 MRZ parsing: the ICAO specimens, check digits, OCR slips, never a crash."""

from __future__ import annotations

import contextlib
import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from passerelle.domain.documents import document_check_digit
from passerelle.domain.mrz import country_alpha2, parse_mrz
from passerelle.exc import InvalidInput
from passerelle.matching.mrz import query_from_mrz

TODAY = dt.date(2026, 11, 23)
TD3 = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10"
TD1 = (
    "I<UTOD231458907<<<<<<<<<<<<<<<\n7408122F1204159UTO<<<<<<<<<<<6\nERIKSSON<<ANNA<MARIA<<<<<<<<<<"
)
TD2 = "I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<\nD231458907UTO7408122F1204159<<<<<<<6"
DE_ID = (
    "IDD<<T220001293<<<<<<<<<<<<<<<\n6408125<2010315D<<<<<<<<<<<<<4\nMUSTERMANN<<ERIKA<<<<<<<<<<<<<"
)


@pytest.mark.parametrize(("text", "kind"), [(TD3, "TD3"), (TD1, "TD1"), (TD2, "TD2")])
def test_icao_specimens(text: str, kind: str) -> None:
    m = parse_mrz(text, today=TODAY)
    assert (m.format, m.family_name, m.given_names, m.sex) == (kind, "ERIKSSON", "ANNA MARIA", "F")
    assert str(m.birth_date) == "1974-08-12" and m.expiry_date == dt.date(2012, 4, 15)
    assert m.valid, m.checks


def test_german_id_card_and_country_codes() -> None:
    m = parse_mrz(DE_ID, today=TODAY)
    assert (m.document_number, m.issuing_country, m.nationality_alpha2) == ("T22000129", "DE", "DE")
    assert m.valid and m.sex is None
    assert country_alpha2("NLD") == "NL" and country_alpha2("BEL") == "BE"
    assert country_alpha2("UTO") is None


def test_pasted_on_one_line_with_spaces() -> None:
    assert parse_mrz(TD3.replace("\n", "  "), today=TODAY).valid


def test_a_wrong_check_digit_is_reported_per_field() -> None:
    broken = TD3.replace("L898902C36", "L898902C46")
    m = parse_mrz(broken, today=TODAY)
    assert not m.checks["document_number"] and not m.checks["composite"]
    assert m.checks["birth_date"] and not m.valid


def test_ocr_letters_in_digit_fields_are_read_as_digits() -> None:
    ocr = TD3.replace("7408122F12", "74O8I22F12")
    m = parse_mrz(ocr, today=TODAY)
    assert str(m.birth_date) == "1974-08-12" and m.valid


def test_person_query_from_an_mrz() -> None:
    q = query_from_mrz(parse_mrz(DE_ID, today=TODAY))
    assert (q.family_name, q.given_names, q.birth_date, q.nationality) == (
        "MUSTERMANN", "ERIKA", "1964-08-12", "DE",
    )  # fmt: skip
    assert q.document_number == "T22000129"


@pytest.mark.parametrize("text", ["", "P<UTO", "x" * 50, TD3.replace("<", "*")])
def test_malformed_input_is_refused(text: str) -> None:
    with pytest.raises(InvalidInput) as e:
        parse_mrz(text)
    assert e.value.code == "invalid_mrz"


@given(st.text(max_size=120))
def test_never_crashes(text: str) -> None:
    with contextlib.suppress(InvalidInput):
        parse_mrz(text, today=TODAY)


@given(st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<", min_size=88, max_size=88))
def test_any_well_formed_td3_parses_and_checks_agree_with_the_rule(text: str) -> None:
    m = parse_mrz(text[:44] + "\n" + text[44:], today=TODAY)
    line2 = text[44:]
    expected = line2[9].isdigit() and document_check_digit(line2[0:9]) == int(line2[9])
    if line2[9] in "ODQIZSBG<":
        return  # read as a digit first, or a filler
    assert m.checks["document_number"] == expected


def test_cli_reads_an_mrz_from_stdin_and_flags_a_bad_check_digit() -> None:
    import json

    from typer.testing import CliRunner

    from passerelle.cli import app

    runner = CliRunner()
    ok = runner.invoke(app, ["match", "mrz", "--json"], input=DE_ID)
    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.output)["family_name"] == "MUSTERMANN"
    bad = runner.invoke(app, ["match", "mrz", TD3.replace("L898902C36", "L898902C46")])
    assert bad.exit_code == 3
