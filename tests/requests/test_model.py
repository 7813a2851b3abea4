"""Deadlines (Directive 2023/977), overdue and late answers, and the field filter."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from passerelle.domain.countries import Country
from passerelle.exc import InvalidInput
from passerelle.registers.schema import DATASETS
from passerelle.requests.model import (
    Direction,
    FollowUp,
    Status,
    Urgency,
    deadline_for,
    parse_urgency,
)
from passerelle.requests.records import Record, check_fields, grantable_fields
from passerelle.settings import RequestsSettings
from passerelle.storage.tables import REGISTER_TABLES

T0 = dt.datetime(2026, 11, 23, 22, 30, tzinfo=dt.UTC)


def request(urgency: Urgency, **changes: object) -> FollowUp:
    values: dict[str, object] = {
        "request_id": "a" * 32,
        "direction": Direction.INCOMING,
        "partner": Country.BE,
        "reference": "ref",
        "dataset": "police_records",
        "officer": "officer-1",
        "justification": "why",
        "urgency": urgency,
        "purpose": "joint_control",
        "case_ref": None,
        "status": Status.PENDING,
        "created_at": T0,
        "deadline_at": deadline_for(urgency, T0, RequestsSettings()),
    }
    values.update(changes)
    return FollowUp(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("urgency", "due"),
    [
        (Urgency.URGENT, dt.datetime(2026, 11, 24, 6, 30, tzinfo=dt.UTC)),  # 8 hours
        (Urgency.NORMAL, dt.datetime(2026, 11, 30, 22, 30, tzinfo=dt.UTC)),  # 7 days
    ],
)
def test_directive_deadlines(urgency: Urgency, due: dt.datetime) -> None:
    assert deadline_for(urgency, T0, RequestsSettings()) == due


def test_deadlines_follow_the_settings() -> None:
    stricter = RequestsSettings(urgent_deadline_hours=4, normal_deadline_days=3)
    assert deadline_for(Urgency.URGENT, T0, stricter) == T0 + dt.timedelta(hours=4)
    assert deadline_for(Urgency.NORMAL, T0, stricter) == T0 + dt.timedelta(days=3)


def test_overdue_only_while_pending() -> None:
    fu = request(Urgency.URGENT)
    due = fu.deadline_at
    assert not fu.overdue(due) and fu.seconds_left(due) == 0
    assert fu.overdue(due + dt.timedelta(seconds=1))
    assert fu.seconds_left(due + dt.timedelta(hours=2)) == -7200
    answered = request(Urgency.URGENT, status=Status.GRANTED, answered_at=due + dt.timedelta(1))
    assert not answered.overdue(due + dt.timedelta(days=2)) and answered.late()
    on_time = request(Urgency.URGENT, status=Status.REFUSED, answered_at=due)
    assert not on_time.late()
    summary = fu.summary(due + dt.timedelta(minutes=1))
    assert summary["overdue"] and summary["seconds_left"] == -60 and "record" not in summary


def test_parse_urgency() -> None:
    assert parse_urgency(" URGENT ") is Urgency.URGENT
    with pytest.raises(InvalidInput) as e:
        parse_urgency("asap")
    assert e.value.code == "unknown_urgency"


def test_grantable_fields_are_the_schema_columns_only() -> None:
    for dataset, schema in DATASETS.items():
        fields = grantable_fields(dataset)
        assert set(fields) <= set(schema.names)
        assert not {"id", "name_key", "birth_year"} & set(fields)
        assert all(f in REGISTER_TABLES[dataset].c for f in fields)
    with pytest.raises(InvalidInput):
        grantable_fields("tax_records")


@given(
    st.sampled_from(sorted(DATASETS)),
    st.lists(
        st.one_of(
            st.sampled_from(["id", "name_key", "birth_year", "plate_key", "x", ""]),
            st.sampled_from(sorted({n for s in DATASETS.values() for n in s.names})),
            st.text(max_size=12),
        ),
        max_size=8,
    ),
)
def test_no_field_outside_the_dataset_is_ever_granted(dataset: str, asked: list[str]) -> None:
    """Property: what is granted is a non-empty subset of the dataset's own fields."""
    allowed = set(grantable_fields(dataset))
    record = Record(dataset, 1, {name: f"v-{name}" for name in allowed})
    try:
        chosen = check_fields(dataset, asked)
    except InvalidInput as e:
        assert e.code in ("field_not_in_dataset", "no_fields_chosen")
        assert not asked or not set(asked) <= allowed
        return
    assert chosen and set(chosen) == set(asked) <= allowed
    assert set(record.only(chosen)) == set(chosen)
