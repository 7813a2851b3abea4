"""Row validation of the import datasets."""

from __future__ import annotations

import datetime as dt

import pytest

from passerelle.domain.countries import Country
from passerelle.exc import InvalidInput
from passerelle.registers.schema import COUNTRY_CODES, DATASETS, validate_row

COLUMNS = {
    "population": "national_id given_names family_name family_name_prefix birth_date sex "
    "nationality birth_place address_street address_number address_postcode address_city "
    "address_country",
    "wanted_persons": "alert_id given_names family_name family_name_prefix birth_date "
    "nationality alert_type reason warning_markers issued_on contact",
    "vehicles": "plate plate_country vin make model colour first_registration "
    "holder_national_id holder_name insured inspection_valid_until",
    "stolen_vehicles": "alert_id plate plate_country vin reported_on",
    "documents": "document_number document_type issuing_country holder_national_id status "
    "reported_on",
    "police_records": "record_id national_id given_names family_name birth_date category "
    "recorded_on",
}

PERSON = {
    "national_id": "85.07.30-033.28",
    "given_names": " Jan   Pieter ",
    "family_name": "Peeters",
    "family_name_prefix": "",
    "birth_date": "1985-07-30",
    "sex": "m",
    "nationality": "be",
    "birth_place": "Liège",
    "address_street": "Rue Féronstrée",
    "address_number": "12",
    "address_postcode": "4000",
    "address_city": "Liège",
    "address_country": "BE",
}


def test_exact_columns() -> None:
    assert {k: list(v.names) for k, v in DATASETS.items()} == {
        k: v.split() for k, v in COLUMNS.items()
    }


def test_country_list() -> None:
    assert {"BE", "NL", "LU", "DE", "MA", "TR", "XK", "PT"} <= COUNTRY_CODES
    assert not {"EU", "UN", "ZZ", "QO"} & COUNTRY_CODES
    assert 245 <= len(COUNTRY_CODES) <= 252


def test_population_row_is_cleaned() -> None:
    row = validate_row("population", Country.BE, PERSON)
    assert row["national_id"] == "85073003328"
    assert row["given_names"] == "Jan Pieter"
    assert row["family_name_prefix"] is None
    assert row["sex"] == "M" and row["nationality"] == "BE"
    assert row["birth_date"] == "1985-07-30"


@pytest.mark.parametrize(
    ("change", "column"),
    [
        ({"national_id": "85073003329"}, "national_id"),
        ({"national_id": ""}, "national_id"),
        ({"family_name": None}, "family_name"),
        ({"birth_date": "1985-02-30"}, "birth_date"),
        ({"birth_date": "2999"}, "birth_date"),
        ({"sex": "Q"}, "sex"),
        ({"nationality": "XX"}, "nationality"),
        ({"address_postcode": "40000"}, "address_postcode"),
    ],
)
def test_population_errors_name_the_column(change: dict[str, str | None], column: str) -> None:
    with pytest.raises(InvalidInput) as err:
        validate_row("population", Country.BE, {**PERSON, **change})
    assert err.value.code == "invalid_row"
    assert err.value.params["column"] == column
    assert err.value.params["reason"]


def test_partial_birth_dates_and_postcodes() -> None:
    row = validate_row(
        "population",
        Country.NL,
        {**PERSON, "national_id": "111222333", "birth_date": "1970", "address_country": "NL",
         "address_postcode": "6211ab"},
    )  # fmt: skip
    assert row["birth_date"] == "1970"
    assert row["address_postcode"] == "6211 AB"
    lu = validate_row(
        "population",
        Country.BE,
        {**PERSON, "address_country": "LU", "address_postcode": "1930"},
    )
    assert lu["address_postcode"] == "L-1930"


VEHICLE = {
    "plate": "1-abc-234",
    "plate_country": "BE",
    "vin": "WVWZZZ1KZ8W123456",
    "make": "Volkswagen",
    "model": "Golf",
    "colour": "grey",
    "first_registration": "2018-03-01",
    "holder_national_id": "85073003328",
    "holder_name": "Jan Peeters",
    "insured": "TRUE",
    "inspection_valid_until": "2030-01-01",
}


def test_vehicle_row() -> None:
    row = validate_row("vehicles", Country.BE, VEHICLE)
    assert row["plate"] == "1ABC234"
    assert row["insured"] is True
    assert row["first_registration"] == dt.date(2018, 3, 1)
    assert row["inspection_valid_until"] == dt.date(2030, 1, 1)
    foreign = validate_row(
        "vehicles", Country.BE, {**VEHICLE, "plate": "AB-123-CD", "plate_country": "FR"}
    )
    assert foreign["plate"] == "AB123CD"


@pytest.mark.parametrize(
    ("change", "column"),
    [
        ({"vin": "WVWZZZ1KZ8W12345O"}, "vin"),  # letter O
        ({"vin": "WVWZZZ1KZ8W1234"}, "vin"),
        ({"plate": "1-AB-234"}, "plate"),
        ({"plate_country": ""}, "plate_country"),
        ({"insured": "maybe"}, "insured"),
        ({"first_registration": "2999-01-01"}, "first_registration"),
        ({"holder_national_id": "111222333"}, "holder_national_id"),  # a BSN in a BE register
    ],
)
def test_vehicle_errors(change: dict[str, str], column: str) -> None:
    with pytest.raises(InvalidInput) as err:
        validate_row("vehicles", Country.BE, {**VEHICLE, **change})
    assert err.value.params["column"] == column


def test_other_datasets() -> None:
    wanted = validate_row(
        "wanted_persons",
        Country.NL,
        {"alert_id": "NL-OPS-1", "given_names": "Mohamed", "family_name": "El Amrani",
         "birth_date": "1990-05", "alert_type": "Arrest", "issued_on": "2024-01-02"},
    )  # fmt: skip
    assert wanted["alert_type"] == "arrest" and wanted["issued_on"] == dt.date(2024, 1, 2)
    stolen = validate_row(
        "stolen_vehicles", Country.DE, {"alert_id": "S1", "vin": "WVWZZZ1KZ8W123456"}
    )
    assert stolen["plate"] is None
    with pytest.raises(InvalidInput) as err:
        validate_row("stolen_vehicles", Country.DE, {"alert_id": "S1"})
    assert err.value.params["column"] == "plate"
    doc = validate_row(
        "documents",
        Country.BE,
        {"document_number": "591-1917064-58", "document_type": "id_card", "issuing_country": "BE",
         "status": "stolen", "reported_on": "2024-01-01"},
    )  # fmt: skip
    assert doc["document_number"] == "591191706458"
    with pytest.raises(InvalidInput) as err:
        validate_row(
            "documents",
            Country.BE,
            {"document_number": "591191706459", "document_type": "id_card",
             "issuing_country": "BE", "status": "valid"},
        )  # fmt: skip
    assert err.value.params["column"] == "document_number"
    record = validate_row(
        "police_records",
        Country.DE,
        {"record_id": "DE-PR-1", "national_id": "", "given_names": "Uwe", "family_name": "Jürgens",
         "category": "theft"},
    )  # fmt: skip
    assert record["national_id"] is None


def test_unknown_dataset() -> None:
    with pytest.raises(InvalidInput) as err:
        validate_row("pets", Country.BE, {})
    assert err.value.code == "unknown_dataset"


def test_warning_markers_are_checked_and_normalised() -> None:
    wanted = {"alert_id": "NL-OPS-W-1", "given_names": "Jan", "family_name": "Smit",
              "alert_type": "arrest"}  # fmt: skip
    row = validate_row(
        "wanted_persons", Country.NL, wanted | {"warning_markers": "Armed; drugs;armed"}
    )
    assert row["warning_markers"] == "armed;drugs"
    assert validate_row("wanted_persons", Country.NL, wanted)["warning_markers"] is None
    with pytest.raises(InvalidInput) as err:
        validate_row("wanted_persons", Country.NL, wanted | {"warning_markers": "armed;grumpy"})
    assert err.value.params["column"] == "warning_markers"
