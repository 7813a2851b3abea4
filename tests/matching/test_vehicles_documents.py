"""Vehicle and document matching: exact, OCR-confusable and wrong-country outcomes."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from passerelle.domain.countries import Country
from passerelle.domain.documents import document_check_digit
from passerelle.exc import InvalidInput
from passerelle.matching import find_document_matches, find_vehicle_matches
from passerelle.registers.sql import SqlRegisters

VIN = "WVWZZZ1JZXW000001"
DE_ID = "LZ6311T47"
DE_ID_NUMBER = DE_ID + str(document_check_digit(DE_ID))


@pytest.fixture
def registers(engine: sa.Engine) -> SqlRegisters:
    regs = SqlRegisters(engine, Country.NL)
    regs.load(
        "vehicles",
        [[
            {"plate": "GB123Z", "plate_country": "NL", "vin": VIN},
            {"plate": "GB123Z", "plate_country": "BE", "vin": None},
            {"plate": "TX12BS", "plate_country": "NL", "vin": None},
        ]],
        mode="replace",
        source={},
    )  # fmt: skip
    regs.load(
        "stolen_vehicles",
        [[{"alert_id": "NL-SV-1", "plate": "TX12BS", "plate_country": "NL", "vin": None}]],
        mode="replace",
        source={},
    )
    regs.load(
        "documents",
        [[
            {"document_number": DE_ID_NUMBER, "document_type": "id_card",
             "issuing_country": "DE", "status": "stolen"},
            {"document_number": "NXB0B2D81", "document_type": "passport",
             "issuing_country": "NL", "status": "lost"},
        ]],
        mode="replace",
        source={},
    )  # fmt: skip
    return regs


def outcomes(matches: list[object]) -> list[tuple[str, str]]:
    return [(m.record["plate_country"], m.explanation["outcome"]) for m in matches]  # type: ignore[attr-defined]


def test_exact_then_wrong_country(registers: SqlRegisters) -> None:
    found = find_vehicle_matches(
        registers, "vehicles", plate="GB-123-Z", plate_country="NL", vin=None
    )
    assert outcomes(found) == [("NL", "exact"), ("BE", "wrong_country")]
    assert found[0].score > 0.99 > found[1].score
    assert "plate_key" not in found[0].record


def test_ocr_confusion_is_tolerated_and_counted(registers: SqlRegisters) -> None:
    (m,) = find_vehicle_matches(
        registers, "stolen_vehicles", plate="TX-1Z-8S", plate_country="NL", vin=None
    )
    assert m.record["alert_id"] == "NL-SV-1"
    plate = m.explanation["features"][0]
    assert (m.explanation["outcome"], plate["substitutions"]) == ("confusable", 2)
    assert plate["confusion_classes"] == ["2/Z", "8/B"]
    exact = find_vehicle_matches(
        registers, "stolen_vehicles", plate="TX12BS", plate_country="NL", vin=None
    )
    assert exact[0].score > m.score


def test_exact_beats_confusable_beats_wrong_country(registers: SqlRegisters) -> None:
    found = find_vehicle_matches(
        registers, "vehicles", plate="G8123Z", plate_country="BE", vin=None
    )
    assert outcomes(found) == [("BE", "confusable"), ("NL", "wrong_country")]


def test_vin_alone_and_vin_disagreement(registers: SqlRegisters) -> None:
    (m,) = find_vehicle_matches(registers, "vehicles", plate=None, plate_country=None, vin=VIN)
    assert m.explanation["outcome"] == "vin" and m.score > 0.99
    other = "WVWZZZ1JZXW000002"
    found = find_vehicle_matches(
        registers, "vehicles", plate="GB123Z", plate_country="NL", vin=other
    )
    nl = next(m for m in found if m.record["plate_country"] == "NL")
    assert nl.explanation["outcome"] == "vin_differs" and nl.score < 0.5


def test_vehicle_requests_need_a_key(registers: SqlRegisters) -> None:
    with pytest.raises(InvalidInput):
        find_vehicle_matches(registers, "vehicles", plate=None, plate_country=None, vin=None)
    with pytest.raises(InvalidInput):
        find_vehicle_matches(registers, "population", plate="GB123Z", plate_country=None, vin=None)


def test_document_exact_and_check_digit(registers: SqlRegisters) -> None:
    (m,) = find_document_matches(
        registers, document_number=DE_ID_NUMBER, document_type="id_card", issuing_country="DE"
    )
    assert m.explanation["outcome"] == "exact"
    assert m.explanation["query_number_check"] == "valid"
    assert m.record["status"] == "stolen" and m.score > 0.99


def test_document_ocr_confusion_and_wrong_country(registers: SqlRegisters) -> None:
    (m,) = find_document_matches(
        registers, document_number="NXBOB2D81", document_type="passport", issuing_country="NL"
    )
    assert m.explanation["outcome"] == "confusable"
    (w,) = find_document_matches(
        registers, document_number="NXB0B2D81", document_type=None, issuing_country="BE"
    )
    assert w.explanation["outcome"] == "wrong_country" and w.score < 0.5
    assert (
        find_document_matches(
            registers, document_number="ZZ9999999", document_type=None, issuing_country=None
        )
        == []
    )
