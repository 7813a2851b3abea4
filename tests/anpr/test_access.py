"""Lawful windows of stored camera reads per jurisdiction (DESIGN.md)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from passerelle.anpr.access import check_range, clean_ref, lawful_window, retro_window
from passerelle.domain.countries import Country
from passerelle.exc import Forbidden, InvalidInput

NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)
SECOND = dt.timedelta(seconds=1)


@pytest.mark.parametrize("country", [Country.NL, Country.LU])
def test_nl_and_lu_need_the_prosecutors_order(country: Country) -> None:
    with pytest.raises(Forbidden) as e:
        lawful_window(country, NOW, None)
    assert e.value.code == "anpr_legal_ref_required" and e.value.params["country"] == country.value
    assert lawful_window(country, NOW, "OvJ-2026-0042") == (NOW - 28 * DAY, NOW)


def test_be_first_month_without_and_twelve_months_with_the_decision() -> None:
    assert lawful_window(Country.BE, NOW, None) == (
        dt.datetime(2026, 10, 23, 12, tzinfo=dt.UTC),
        NOW,
    )
    since, _ = lawful_window(Country.BE, NOW, "PR Liège 2026/117")
    assert since == dt.datetime(2025, 11, 23, 12, tzinfo=dt.UTC)
    month = dt.datetime(2026, 10, 23, 12, tzinfo=dt.UTC)
    assert check_range(Country.BE, NOW, None, month, NOW) == (month, NOW)
    with pytest.raises(Forbidden) as e:  # one second before the first month
        check_range(Country.BE, NOW, None, month - SECOND, NOW)
    assert e.value.code == "anpr_decision_required"
    assert (
        check_range(Country.BE, NOW, "PR Liège 2026/117", month - SECOND, NOW)[0] == month - SECOND
    )
    with pytest.raises(Forbidden) as e:  # beyond twelve months even the decision does not reach
        check_range(Country.BE, NOW, "PR Liège 2026/117", since - SECOND, NOW)
    assert e.value.code == "anpr_outside_window"


def test_de_searches_its_stored_hits_without_a_reference() -> None:
    assert lawful_window(Country.DE, NOW, None) == (NOW - 28 * DAY, NOW)


def test_ranges_are_checked() -> None:
    with pytest.raises(InvalidInput):
        check_range(Country.DE, NOW, None, NOW, NOW - SECOND)
    with pytest.raises(InvalidInput):
        check_range(Country.DE, NOW, None, NOW.replace(tzinfo=None), NOW)
    with pytest.raises(Forbidden):
        check_range(Country.NL, NOW, "OvJ-1", NOW - 28 * DAY - SECOND, NOW)
    assert check_range(Country.NL, NOW, "OvJ-1", NOW - DAY, NOW + DAY) == (NOW - DAY, NOW)


def test_retro_matching_windows() -> None:
    assert retro_window(Country.NL, NOW) == (NOW - 28 * DAY, NOW)
    assert retro_window(Country.BE, NOW)[0] == dt.datetime(2026, 10, 23, 12, tzinfo=dt.UTC)


@given(st.text(max_size=300))
def test_clean_ref_never_returns_blank(text: str) -> None:
    try:
        ref = clean_ref(text)
    except InvalidInput:
        return
    assert ref is None or (3 <= len(ref) <= 200 and ref == ref.strip())
