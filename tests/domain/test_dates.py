"""Partial dates."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from passerelle.domain.dates import PartialDate, parse_full_date
from passerelle.exc import InvalidInput


@pytest.mark.parametrize("text", ["1985-07-30", "1985-07", "1985", "2000-02-29"])
def test_round_trip(text: str) -> None:
    assert str(PartialDate.parse(text)) == text


@pytest.mark.parametrize(
    "text",
    ["1985-02-30", "1985-13", "1985-7-30", "85-07-30", "2100-01-01", "", "1985-00", "1900-02-29"],
)
def test_refused(text: str) -> None:
    with pytest.raises(InvalidInput) as err:
        PartialDate.parse(text)
    assert err.value.code == "invalid_date"


def test_matches() -> None:
    full = PartialDate.parse("1985-07-30")
    assert full.matches(PartialDate.parse("1985-07"))
    assert full.matches(PartialDate.parse("1985"))
    assert not full.matches(PartialDate.parse("1985-07-31"))
    assert not full.matches(PartialDate.parse("1986"))
    assert PartialDate.parse("1985").matches(PartialDate.parse("1985-12-31"))


def test_bounds_and_future() -> None:
    p = PartialDate.parse("2024-02")
    assert p.earliest() == dt.date(2024, 2, 1)
    assert p.latest() == dt.date(2024, 2, 29)
    assert p.to_date() is None
    assert PartialDate.parse("2024-02-03").to_date() == dt.date(2024, 2, 3)
    with pytest.raises(InvalidInput):
        PartialDate.parse("2024-02-03", today=dt.date(2024, 2, 2))
    with pytest.raises(InvalidInput):
        PartialDate(2000, None, 3)


def test_full_date() -> None:
    assert parse_full_date("2020-01-02") == dt.date(2020, 1, 2)
    with pytest.raises(InvalidInput):
        parse_full_date("2020-01-02", not_after=dt.date(2020, 1, 1))
    with pytest.raises(InvalidInput):
        parse_full_date("2020-1-2")


@given(st.dates(min_value=dt.date(1850, 1, 1), max_value=dt.date(2024, 12, 31)), st.integers(0, 2))
def test_round_trip_property(day: dt.date, precision: int) -> None:
    text = day.isoformat()[: (10, 7, 4)[precision]]
    parsed = PartialDate.parse(text)
    assert str(parsed) == text
    assert parsed.matches(PartialDate.from_date(day))
    assert parsed.earliest() <= day <= parsed.latest()
