"""Parsing camera reads: never raises, every item is a read, a quarantine or a rejection."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from passerelle.anpr.ingest_models import (
    Quarantined,
    RawRead,
    parse_raw_read,
    parse_timestamp,
)

json_values = st.recursive(
    st.none() | st.booleans() | st.floats() | st.integers() | st.text(max_size=40),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=10,
)
read_like = st.fixed_dictionaries(
    {},
    optional={
        "read_id": st.text(max_size=80) | st.integers(),
        "camera_id": st.text(max_size=70) | st.none(),
        "read_at": st.datetimes(timezones=st.just(dt.UTC)).map(lambda d: d.isoformat())
        | st.text(max_size=30)
        | st.floats()
        | st.integers(),
        "plate": st.text(max_size=40) | st.none() | st.integers(),
        "confidence": st.floats() | st.integers() | st.text(max_size=5),
        "lat": st.floats(),
        "lon": st.floats(),
        "plate_country": st.text(max_size=4) | st.none() | st.sampled_from([" b", "nl", "L "]),
        "image_ref": st.text(max_size=5) | st.none(),
        "site": st.text(max_size=8) | st.none(),
        "direction": st.text(max_size=4) | st.none(),
    },
)


@given(json_values | read_like)
def test_parse_never_raises(item: Any) -> None:
    parsed = parse_raw_read(item)
    assert isinstance(parsed, RawRead | Quarantined | str)
    if isinstance(parsed, RawRead):
        assert parsed.read_at.tzinfo is not None and 0 < len(parsed.read_id) <= 64
        assert parsed.confidence is None or 0 <= parsed.confidence <= 1
        assert parsed.lat is None or -90 <= parsed.lat <= 90
        texts = [parsed.read_id, parsed.camera_id, parsed.image_ref, parsed.plate_country]
        texts += [parsed.site, parsed.direction]
        assert not any("\x00" in t for t in texts if t)  # PostgreSQL refuses NUL in text


def test_timestamps() -> None:
    at = dt.datetime(2026, 11, 23, 12, tzinfo=dt.UTC)
    assert parse_timestamp("2026-11-23T12:00:00Z") == at
    assert parse_timestamp("2026-11-23T13:00:00+01:00") == at
    assert parse_timestamp(at.timestamp()) == at
    assert parse_timestamp("2026-11-23T12:00:00") is None  # no zone: ambiguous
    assert parse_timestamp(True) is None and parse_timestamp("soon") is None


def test_per_cent_confidence_and_country_signs() -> None:
    read = parse_raw_read(
        {
            "read_id": "a",
            "camera_id": "c",
            "read_at": 0,
            "plate": "X",
            "confidence": 87,
            "plate_country": "nl",
        }
    )
    assert isinstance(read, RawRead) and read.confidence == 0.87 and read.plate_country == "NL"


@given(read_like)
def test_the_fast_path_agrees_with_the_general_one(item: dict[str, Any]) -> None:
    from passerelle.anpr import ingest_models

    fast = ingest_models._fast(item)
    if fast is None:
        return
    original = ingest_models._fast
    try:
        ingest_models._fast = lambda _item: None  # type: ignore[assignment]
        general = parse_raw_read(item)
    finally:
        ingest_models._fast = original
    assert general == fast


def test_cameras_with_control_characters_or_impossible_positions_are_refused() -> None:
    import pytest

    from passerelle.anpr.reads_cameras import Camera
    from passerelle.exc import InvalidInput

    ok = {"camera_id": "CAM-1", "site": "E40", "country": "be", "lat": 50.7, "lon": 6.1}
    assert Camera.from_dict(ok).country == "BE"
    for bad in ({"camera_id": "CAM-\x001"}, {"site": "E\x0040"}, {"lat": 91.0},
                {"lon": float("nan")}, {"direction": "W\x01"}):  # fmt: skip
        with pytest.raises(InvalidInput) as e:
            Camera.from_dict({**ok, **bad})
        assert e.value.code == "invalid_camera"
