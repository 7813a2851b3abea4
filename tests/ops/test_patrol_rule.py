"""The joint-control patrol rule, crew parsing and the patrol store."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from passerelle.domain.countries import Country
from passerelle.exc import InvalidInput
from passerelle.ops.patrols import (
    CrewMember,
    Patrol,
    PatrolRefused,
    PatrolStatus,
    check_patrol_access,
    parse_crew,
)
from passerelle.ops.store import PatrolStore

BE, NL, LU = Country.BE, Country.NL, Country.LU
NOW = datetime(2026, 11, 23, 13, 0, tzinfo=UTC)
ACTIVE = Patrol(
    patrol_id="BE-0123456789abcdef",
    origin_country=BE,
    status=PatrolStatus.ACTIVE,
    crew=parse_crew("BE:officer,NL:agent"),
    created_by="BE:officer",
    created_at=NOW,
    started_at=NOW,
)


@pytest.mark.parametrize(
    ("patrol", "provider", "requester", "code"),
    [
        (ACTIVE, NL, "BE:officer", None),
        (ACTIVE, BE, "NL:agent", None),
        (None, NL, "BE:officer", "patrol_unknown"),
        (replace(ACTIVE, status=PatrolStatus.PLANNED), NL, "BE:officer", "patrol_not_started"),
        (replace(ACTIVE, status=PatrolStatus.ENDED), NL, "BE:officer", "patrol_ended"),
        (ACTIVE, LU, "BE:officer", "provider_not_in_crew"),
        (ACTIVE, NL, "BE:someone", "requester_not_in_crew"),
        (ACTIVE, NL, "LU:officer", "requester_not_in_crew"),
        (ACTIVE, NL, "NL:officer", "requester_not_in_crew"),  # same name, other force
    ],
)
def test_patrol_rule(
    patrol: Patrol | None, provider: Country, requester: str, code: str | None
) -> None:
    who = CrewMember.parse(requester)
    if code is None:
        assert check_patrol_access(patrol, provider=provider, requester=who, now=NOW) is patrol
        return
    with pytest.raises(PatrolRefused) as err:
        check_patrol_access(patrol, provider=provider, requester=who, now=NOW)
    assert err.value.code == code and err.value.status == 403


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "crew_empty"),
        ("officer", "crew_member_invalid"),
        ("FR:officer", "unknown_country"),
        ("BE:", "crew_member_invalid"),
        ("BE:bad name", "crew_member_invalid"),
        (",".join(f"BE:o{i}" for i in range(13)), "crew_too_large"),
    ],
)
def test_bad_crews(text: str, code: str) -> None:
    with pytest.raises(InvalidInput) as err:
        parse_crew(text)
    assert err.value.code == code


def test_crew_keeps_order_and_drops_duplicates() -> None:
    crew = parse_crew(" nl:b , BE:a,NL:b")
    assert [str(m) for m in crew] == ["NL:b", "BE:a"]


def test_wire_round_trip_and_malformed_copies() -> None:
    assert Patrol.from_wire(ACTIVE.to_wire()) == ACTIVE
    for broken in ({}, {**ACTIVE.to_wire(), "status": "paused"},
                   {**ACTIVE.to_wire(), "patrol_id": "../x"},
                   {**ACTIVE.to_wire(), "crew": "BE:a"}):  # fmt: skip
        with pytest.raises(InvalidInput) as err:
            Patrol.from_wire(broken)  # type: ignore[arg-type]
        assert err.value.code in ("patrol_malformed", "patrol_id_invalid", "crew_member_invalid")


def test_store_round_trip_and_crew_changes(engine: sa.Engine) -> None:
    store = PatrolStore(engine)
    planned = replace(ACTIVE, status=PatrolStatus.PLANNED, started_at=None, vehicle="BE 123")
    store.save(planned)
    assert store.get(planned.patrol_id) == planned
    grown = replace(planned, crew=(*planned.crew, CrewMember(LU, "x")))
    store.save(grown.with_status(PatrolStatus.ACTIVE, NOW))
    got = store.get(planned.patrol_id)
    assert got is not None and got.status is PatrolStatus.ACTIVE and got.started_at == NOW
    assert [str(m) for m in got.crew] == ["BE:officer", "NL:agent", "LU:x"]
    shrunk = replace(got, crew=got.crew[:1])
    store.save(shrunk)
    assert store.get(planned.patrol_id) == shrunk
    assert [p.patrol_id for p in store.find(status=PatrolStatus.ACTIVE)] == [planned.patrol_id]
    assert store.find(status=PatrolStatus.ENDED) == []
    assert store.get("BE-ffffffffffffffff") is None


@pytest.mark.parametrize(
    ("patrol", "after", "code"),
    [
        (ACTIVE, timedelta(hours=12) - timedelta(seconds=1), None),
        (ACTIVE, timedelta(hours=12), "patrol_ended"),  # the maximum shift length
        (replace(ACTIVE, planned_end=NOW + timedelta(hours=3)), timedelta(hours=3), "patrol_ended"),
        (replace(ACTIVE, planned_end=NOW + timedelta(hours=3)), timedelta(hours=2), None),
        (
            replace(ACTIVE, planned_end=NOW + timedelta(hours=30)),
            timedelta(hours=12),
            "patrol_ended",
        ),
    ],
)
def test_a_copy_whose_end_never_came_expires(
    patrol: Patrol, after: timedelta, code: str | None
) -> None:
    def decide() -> Patrol:
        return check_patrol_access(
            patrol,
            provider=NL,
            requester=CrewMember.parse("BE:officer"),
            now=NOW + after,
            max_active=timedelta(hours=12),
        )

    if code is None:
        assert decide() is patrol
    else:
        with pytest.raises(PatrolRefused) as e:
            decide()
        assert e.value.code == code
    assert replace(ACTIVE, status=PatrolStatus.PLANNED).expires_at() is None
