"""Results of a joint action: validation, idempotent submissions, the board equals the sum.

Real databases (SQLite, and PostgreSQL when available) through ``ActionStore``.
"""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from passerelle.exc import InvalidInput
from passerelle.ops.action_results import SEIZURE_TYPES, UNITS, Seizure, Totals, parse_result
from passerelle.ops.actions import Action, build_action
from passerelle.ops.actions_board import LiveBoard, compute_board
from passerelle.ops.actions_store import ActionConflict, ActionStore

START = dt.datetime(2026, 11, 20, 18, tzinfo=dt.UTC)
NOW = START + dt.timedelta(hours=30)


def action(**extra: Any) -> Action:
    return build_action(
        action_id="BE-A0123456789ab",
        organiser="BE",
        name="Etoile",
        starts_at=START,
        ends_at=START + dt.timedelta(hours=54),
        participants=["BE:police+customs", "NL:police+customs", "LU", "FR:customs"],
        checkpoints=[
            {"checkpoint_id": f"CP{i:02d}", "name": f"Post {i}", "lat": 50.8, "lon": 5.7}
            for i in range(4)
        ],
        objectives=["drugs"],
        shared_metrics=extra.pop("shared_metrics", None),
        created_by="BE:room",
        created_at=START,
        **extra,
    )


def test_plan_validation() -> None:
    a = action()
    assert a.countries == ("BE", "NL", "LU", "FR")
    assert Action.from_wire(a.to_wire()) == a
    cases: list[tuple[dict[str, Any], str]] = [
        ({"participants": ["BE"]}, "action_needs_partners"),
        ({"participants": ["BE", "XX"]}, "action_country_invalid"),
        ({"participants": ["BE", "NL:army"]}, "action_service_invalid"),
        ({"checkpoints": []}, "action_checkpoints_count"),
        ({"checkpoints": [{"name": "x", "lat": 91, "lon": 5}]}, "action_position_invalid"),
        ({"ends_at": START}, "action_times_invalid"),
        ({"shared_metrics": ["salaries"]}, "action_metric_invalid"),
    ]
    for bad, code in cases:
        wire = {**a.to_wire(), **bad}
        with pytest.raises(InvalidInput) as e:
            Action.from_wire(wire)
        assert e.value.code in (code, "action_malformed"), (bad, e.value.code)


def test_result_validation() -> None:
    a = action()
    ok = {"submission_id": "abc-123", "checkpoint_id": "CP01", "persons_checked": 4}
    r = parse_result(a, ok, country="NL", now=NOW)
    assert r.service.value == "police" and r.occurred_at == NOW and r.hour.minute == 0
    cases: list[tuple[dict[str, Any], str]] = [
        ({"submission_id": "x"}, "action_submission_id_invalid"),
        ({"checkpoint_id": "CP99"}, "action_checkpoint_unknown"),
        ({"service": "border_police"}, "action_service_invalid"),
        ({"persons_checked": -1}, "action_count_invalid"),
        ({"persons_checked": 2.5}, "action_count_invalid"),
        ({"fines_amount": 50}, "action_fines_invalid"),
        ({"occurred_at": (START - dt.timedelta(hours=3)).isoformat()}, "action_time_outside"),
        ({"seizures": [{"type": "gold", "quantity": 1, "unit": "g"}]},
         "action_seizure_type_invalid"),
        ({"seizures": [{"type": "cash", "quantity": 1, "unit": "usd"}]}, "action_unit_invalid"),
        ({"seizures": [{"type": "cash", "quantity": "NaN", "unit": "eur"}]},
         "action_quantity_invalid"),
    ]  # fmt: skip
    for bad, code in cases:
        with pytest.raises(InvalidInput) as e:
            parse_result(a, {**ok, **bad}, country="NL", now=NOW)
        assert e.value.code == code, bad
    with pytest.raises(InvalidInput) as e:
        parse_result(a, ok, country="DE", now=NOW)
    assert e.value.code == "action_not_participant"


@given(
    quantity=st.decimals(min_value=Decimal("0.001"), max_value=Decimal(10**6), places=3),
    unit=st.sampled_from(sorted(UNITS)),
)
def test_seizure_units_normalise_exactly(quantity: Decimal, unit: str) -> None:
    kept, factor = UNITS[unit]
    if quantity * factor < Decimal("0.5"):  # below a thousandth of the unit kept: refused
        with pytest.raises(InvalidInput):
            Seizure.parse({"type": "cannabis", "quantity": str(quantity), "unit": unit})
        return
    s = Seizure.parse({"type": "cannabis", "quantity": str(quantity), "unit": unit})
    assert s.unit == kept and s.milli == int((quantity * factor).to_integral_value())
    if unit == "kg":
        assert s == Seizure.parse(
            {"type": "cannabis", "quantity": str(quantity * 1000), "unit": "g"}
        )


def test_same_submission_is_a_no_op_other_content_a_conflict(engine: sa.Engine) -> None:
    store, a = ActionStore(engine), action()
    store.save_plan(a, NOW)
    r = parse_result(a, {"submission_id": "s-000001", "checkpoint_id": "CP01", "hits": 1},
                     country="NL", now=NOW)  # fmt: skip
    with engine.begin() as conn:
        first = store.add_result(r, "NL:officer", NOW, conn)
    with engine.begin() as conn:
        again = store.add_result(r, "NL:officer", NOW, conn)
    assert first.created and not again.created and first.aggregate
    assert first.aggregate["revision"] == 1 and first.aggregate["hits"] == 1
    other = parse_result(a, {"submission_id": "s-000001", "checkpoint_id": "CP01", "hits": 2},
                         country="NL", now=NOW)  # fmt: skip
    with pytest.raises(ActionConflict) as e, engine.begin() as conn:
        store.add_result(other, "NL:officer", NOW, conn)
    assert e.value.code == "action_result_conflict" and e.value.status == 409
    assert compute_board(engine, a, "NL")["totals"]["hits"] == 1


def test_an_older_aggregate_never_overwrites_a_newer_one(engine: sa.Engine) -> None:
    store, a = ActionStore(engine), action()
    store.save_plan(a, NOW)
    bucket = {"action_id": a.action_id, "country": "LU", "checkpoint_id": "CP02",
              "hour": START.isoformat(), "results": 2, "persons_checked": 10,
              "seizures": [["cocaine", "g", 5000]]}  # fmt: skip
    with engine.begin() as conn:
        assert store.apply_bucket({**bucket, "revision": 2}, NOW, conn)
        assert not store.apply_bucket({**bucket, "revision": 1, "persons_checked": 3}, NOW, conn)
        assert not store.apply_bucket({**bucket, "revision": 2}, NOW, conn)  # the same again
    board = compute_board(engine, a, "BE")
    assert board["totals"]["persons_checked"] == 10
    assert board["totals"]["seizures"] == [{"type": "cocaine", "unit": "g", "quantity": 5.0}]


counts = st.integers(min_value=0, max_value=500)
seizure = st.fixed_dictionaries(
    {
        "type": st.sampled_from(SEIZURE_TYPES),
        "quantity": st.decimals(min_value=Decimal(1), max_value=Decimal(5000), places=3),
        "unit": st.sampled_from(sorted(UNITS)),
    }
)
submission = st.fixed_dictionaries(
    {
        "checkpoint_id": st.sampled_from(["CP00", "CP01", "CP02", "CP03"]),
        "minutes": st.integers(min_value=0, max_value=54 * 60 - 1),
        "country": st.sampled_from(["BE", "NL", "LU", "FR"]),
        "persons_checked": counts,
        "vehicles_checked": counts,
        "hits": counts,
        "arrests": counts,
        "fines_count": st.integers(min_value=1, max_value=5),
        "fines_amount": st.decimals(min_value=0, max_value=Decimal(900), places=2),
        "seizures": st.lists(seizure, max_size=3),
    }
)


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(submission, min_size=1, max_size=30), st.data())
def test_the_board_equals_the_sum_of_the_results(
    engine: sa.Engine, items: list[dict[str, Any]], data: st.DataObject
) -> None:
    a = action_for(data)
    store = ActionStore(engine)
    store.save_plan(a, NOW)
    live = LiveBoard(a.action_id)  # the in-memory board, refreshed from the changes
    expected = Totals()
    per_country: dict[str, Totals] = {}
    per_checkpoint: dict[str, Totals] = {}
    for i, item in enumerate(items):
        body = {**item, "submission_id": f"sub-{i:06d}",
                "occurred_at": (START + dt.timedelta(minutes=item["minutes"])).isoformat(),
                "seizures": [{**s, "quantity": str(s["quantity"])} for s in item["seizures"]],
                "fines_amount": str(item["fines_amount"])}  # fmt: skip
        r = parse_result(a, body, country=item["country"], now=NOW + dt.timedelta(days=5))
        with engine.begin() as conn:
            store.add_result(r, "x:y", NOW, conn)
            store.add_result(r, "x:y", NOW, conn)  # a repeat counts once
        for totals in (
            expected,
            per_country.setdefault(r.country, Totals()),
            per_checkpoint.setdefault(r.checkpoint_id, Totals()),
        ):
            totals.add_result(r)
        if i % 7 == 3:
            live.refresh(engine)
    board = compute_board(engine, a, "BE")
    live.refresh(engine)
    assert live.render(a, "BE") == board
    assert board["totals"] == expected.to_dict()
    assert board["by_country"] == {k: v.to_dict() for k, v in sorted(per_country.items())}
    assert board["by_checkpoint"] == {k: v.to_dict() for k, v in sorted(per_checkpoint.items())}
    assert sum(e["persons_checked"] for e in board["by_hour"].values()) == expected.persons_checked


_ids = itertools.count(1)


def action_for(data: st.DataObject) -> Action:
    """A fresh action per example (the database is shared by the examples of one test)."""
    wire = {**action().to_wire(), "action_id": f"BE-A{next(_ids):012x}"}
    return Action.from_wire(wire)


def test_batches_hold_what_changed_since_the_last_one(engine: sa.Engine) -> None:
    from passerelle.domain.countries import Country
    from passerelle.ops.actions_sync import take_batch

    store, a = ActionStore(engine), action()
    store.save_plan(a, NOW)

    def add(sid: str, country: str, cp: str) -> None:
        body = {"submission_id": sid, "checkpoint_id": cp, "persons_checked": 1,
                "occurred_at": NOW.isoformat()}  # fmt: skip
        with engine.begin() as conn:
            store.add_result(parse_result(a, body, country=country, now=NOW), "x:y", NOW, conn)

    for i, (country, cp) in enumerate([("NL", "CP01"), ("LU", "CP01"), ("NL", "CP02")]):
        add(f"sub-{i:04d}", country, cp)
    with engine.begin() as conn:  # a participant (NL) sends its own country's only
        mine, _ = take_batch(conn, a, Country.BE, "NL")
        assert sorted((b["country"], b["checkpoint_id"]) for b in mine) == [
            ("NL", "CP01"),
            ("NL", "CP02"),
        ]
        assert take_batch(conn, a, Country.BE, "NL")[0] == []  # nothing new since
        to_lu, _ = take_batch(conn, a, Country.LU, None)  # organiser: all but LU's own
        assert {b["country"] for b in to_lu} == {"NL"}
    add("sub-0100", "NL", "CP01")
    with engine.begin() as conn:
        again, _ = take_batch(conn, a, Country.BE, "NL")
    assert [(b["checkpoint_id"], b["revision"], b["results"]) for b in again] == [("CP01", 2, 2)]
