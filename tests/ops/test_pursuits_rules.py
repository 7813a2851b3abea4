"""The rules a reported position must pass: speed, time, order (no database)."""

from __future__ import annotations

import datetime as dt
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from passerelle.exc import InvalidInput, NotFound
from passerelle.ops.pursuits import (
    Position,
    Source,
    Verdict,
    distance_m,
    judge,
    parse_pursuit_id,
    parse_units,
)

T0 = dt.datetime(2026, 11, 23, 14, 0, tzinfo=dt.UTC)
NOW = T0 + dt.timedelta(hours=1)


def check(
    track: list[Position], lat: float, lon: float, when: dt.datetime, now: dt.datetime = NOW
) -> Verdict:
    return judge(
        track,
        lat,
        lon,
        when,
        now=now,
        opened_at=T0,
        max_speed_kmh=300.0,
        tolerance_m=50.0,
        max_future=dt.timedelta(seconds=60),
        max_backdate=dt.timedelta(hours=1),
    )


def fix(seconds: float, lat: float, lon: float, seq: int = 1) -> Position:
    at = T0 + dt.timedelta(seconds=seconds)
    return Position(seq, at, at, lat, lon, "BE", "accepted", False, Source.API, "BE:u")


def at(seconds: float) -> dt.datetime:
    return T0 + dt.timedelta(seconds=seconds)


@settings(max_examples=100, deadline=None)
@given(
    st.floats(min_value=49.0, max_value=54.0),
    st.floats(min_value=2.0, max_value=8.5),
    st.floats(min_value=-0.5, max_value=0.5),
    st.floats(min_value=-0.5, max_value=0.5),
)
def test_distance_agrees_with_the_wgs84_ellipsoid(
    lat: float, lon: float, dlat: float, dlon: float
) -> None:
    """Haversine on a sphere against pyproj's geodesic on WGS 84: within 0.5 %."""
    import pyproj

    expected = pyproj.Geod(ellps="WGS84").inv(lon, lat, lon + dlon, lat + dlat)[2]
    assert distance_m(lat, lon, lat + dlat, lon + dlon) == pytest.approx(expected, rel=5e-3, abs=1)


def test_a_car_at_motorway_speed_is_accepted() -> None:
    track = [fix(0, 50.90, 5.60)]
    # 2.2 km north in 60 s: 132 km/h
    v = check(track, 50.9198, 5.60, at(60))
    assert v.accepted and not v.late and v.speed_kmh is not None and 120 < v.speed_kmh < 135


def test_1000_kmh_is_rejected_with_the_speed_and_the_limit() -> None:
    track = [fix(0, 50.90, 5.60)]
    v = check(track, 50.90 + 16.7 / 111.2, 5.60, at(60))  # 16.7 km in a minute
    assert not v.accepted and v.reason == "position_too_fast"
    assert v.params["limit"] == "300" and 990 < float(v.params["speed"]) < 1010


def test_gps_jitter_at_the_same_second_is_not_a_teleport() -> None:
    track = [fix(0, 50.90, 5.60)]
    assert check(track, 50.9002, 5.60, at(0)).accepted  # 22 m: within tolerance
    v = check(track, 50.95, 5.60, at(0))  # 5.5 km at the same instant
    assert not v.accepted and v.params["speed"] == "∞"


def test_a_late_fix_is_kept_in_time_order_and_judged_against_both_neighbours() -> None:
    track = [fix(0, 50.90, 5.60, 1), fix(120, 50.92, 5.60, 2)]
    v = check(track, 50.91, 5.60, at(60))
    assert v.accepted and v.late
    # plausible from the fix before, impossible towards the fix after
    v = check(track, 50.90, 5.60, at(119))
    assert not v.accepted and v.late and v.reason == "position_too_fast"


def test_future_and_stale_times_are_rejected() -> None:
    assert check([], 50.9, 5.6, NOW + dt.timedelta(minutes=5)).reason == ("position_in_future")
    assert check([], 50.9, 5.6, T0 - dt.timedelta(hours=2)).reason == "position_too_old"
    assert check([], 50.9, 5.6, T0 - dt.timedelta(minutes=30)).accepted


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.floats(min_value=0, max_value=3000), min_size=1, max_size=12),
    st.floats(min_value=0, max_value=3000),
    st.floats(min_value=-0.05, max_value=0.05),
)
def test_an_accepted_fix_never_implies_more_than_the_limit(
    times: list[float], when: float, dlat: float
) -> None:
    track = sorted(
        (fix(t, 50.9 + 0.00001 * i, 5.6, i + 1) for i, t in enumerate(times)), key=lambda p: p.at
    )
    v = check(track, 50.9 + dlat, 5.6, at(when))
    if v.accepted:
        for p in track:
            near = [q for q in track if q.at <= at(when)][-1:] + [
                q for q in track if q.at > at(when)
            ][:1]
            if p in near:
                seconds = abs((p.at - at(when)).total_seconds())
                moved = max(0.0, distance_m(p.lat, p.lon, 50.9 + dlat, 5.6) - 50)
                assert moved == 0 or (seconds > 0 and moved / seconds * 3.6 <= 300 + 1e-6)
    else:
        assert v.reason == "position_too_fast"
        assert v.speed_kmh is None or v.speed_kmh > 300 or math.isinf(v.speed_kmh)


def test_units_and_ids() -> None:
    assert parse_units(" BE-12 ,  BE  14,BE-12,") == ("BE-12", "BE 14")
    with pytest.raises(InvalidInput):
        parse_units([f"U{i}" for i in range(13)])
    assert parse_pursuit_id(" BE-0123456789abcdef ") == "BE-0123456789abcdef"
    with pytest.raises(NotFound):
        parse_pursuit_id("../etc/passwd")
