"""Retention periods: parsing (ISO 8601 and short forms) and calendar cut-offs."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from passerelle.exc import InvalidInput
from passerelle.retention.period import Period

UTC = dt.UTC


@pytest.mark.parametrize(
    ("text", "months", "seconds"),
    [
        ("P28D", 0, 28 * 86400),
        ("p12m", 12, 0),
        ("P1Y6M", 18, 0),
        ("PT36H", 0, 36 * 3600),
        ("P2W", 0, 14 * 86400),
        ("PT0S", 0, 0),
        ("28d", 0, 28 * 86400),
        ("12mo", 12, 0),
        ("1y", 12, 0),
        ("1y 2mo 3d", 14, 3 * 86400),
        ("90m", 0, 90 * 60),
        ("30s", 0, 30),
        ("28", 0, 28 * 86400),
        (7, 0, 7 * 86400),
        (0, 0, 0),
    ],
)
def test_parse(text: str | int, months: int, seconds: int) -> None:
    assert Period.parse(text) == Period(months=months, seconds=seconds)


@pytest.mark.parametrize(
    "text", ["", "P", "PT", "P1DT", "-5", "28 days", "12x", "d", "P1.5D", "1d2", "9" * 50, True, -1]
)
def test_bad_periods_are_clear_errors(text: str | int) -> None:
    with pytest.raises(InvalidInput) as e:
        Period.parse(text)
    assert e.value.code == "invalid_period"


def test_months_are_calendar_months() -> None:
    now = dt.datetime(2026, 3, 31, 12, 0, tzinfo=UTC)
    assert Period.parse("P1M").cutoff(now) == dt.datetime(2026, 2, 28, 12, 0, tzinfo=UTC)
    assert Period.parse("P12M").cutoff(now) == dt.datetime(2025, 3, 31, 12, 0, tzinfo=UTC)
    leap = dt.datetime(2028, 2, 29, tzinfo=UTC)
    assert Period.parse("P1Y").cutoff(leap) == dt.datetime(2027, 2, 28, tzinfo=UTC)
    assert Period.parse("P28D").cutoff(now) == now - dt.timedelta(days=28)
    assert Period().cutoff(now) == now


@given(
    months=st.integers(min_value=0, max_value=1200),
    seconds=st.integers(min_value=0, max_value=10**9),
)
def test_iso_round_trips(months: int, seconds: int) -> None:
    p = Period(months=months, seconds=seconds)
    assert Period.parse(p.iso()) == p
    assert Period.parse(str(p)) == p


@given(st.text(max_size=30))
def test_parse_never_crashes(text: str) -> None:
    try:
        p = Period.parse(text)
    except InvalidInput:
        return
    assert p.months >= 0 and p.seconds >= 0


@given(
    moment=st.datetimes(
        min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2100, 1, 1), timezones=st.just(UTC)
    ),
    months=st.integers(min_value=0, max_value=240),
)
def test_cutoff_is_never_after_now_and_keeps_the_time_of_day(
    moment: dt.datetime, months: int
) -> None:
    cut = Period(months=months).cutoff(moment)
    assert cut <= moment
    assert cut.time() == moment.time()
    assert (moment.year * 12 + moment.month) - (cut.year * 12 + cut.month) == months
