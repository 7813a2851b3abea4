"""The follow-up request store on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from passerelle.domain.countries import Country
from passerelle.requests.model import Direction, FollowUp, Status, Urgency
from passerelle.requests.store import FollowUpStore

T0 = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)


def make(rid: str, direction: Direction, hours: int, officer: str = "o-1") -> FollowUp:
    return FollowUp(
        request_id=rid,
        direction=direction,
        partner=Country.BE,
        reference="ref-" + rid,
        dataset="vehicles",
        record_key="1-ABC-234|BE",
        officer=officer,
        justification="why",
        urgency=Urgency.NORMAL,
        purpose="joint_control",
        case_ref=None,
        status=Status.PENDING,
        created_at=T0 + dt.timedelta(minutes=hours),
        deadline_at=T0 + dt.timedelta(hours=hours),
    )


def test_queue_order_answer_once_and_delivery(engine: sa.Engine) -> None:
    store = FollowUpStore(engine)
    for rid, hours in (("c", 30), ("a", 8), ("b", 168)):
        store.insert(make(rid, Direction.INCOMING, hours))
    store.insert(make("a", Direction.OUTGOING, 8))  # same id, the other direction
    queue = store.find(Direction.INCOMING)
    assert [f.request_id for f in queue] == ["a", "c", "b"]  # soonest deadline first
    assert queue[0].deadline_at == T0 + dt.timedelta(hours=8)  # time zone survives
    assert queue[0].record_key == "1-ABC-234|BE"

    record = {"plate": "1-ABC-234", "make": "Škoda"}
    assert store.answer(
        Direction.INCOMING,
        "a",
        status=Status.GRANTED,
        answered_at=T0,
        answered_by="spoc",
        granted_fields=("plate", "make"),
        record=record,
    )
    assert not store.answer(  # answered once only
        Direction.INCOMING, "a", status=Status.REFUSED, answered_at=T0, answered_by="x"
    )
    got = store.get(Direction.INCOMING, "a")
    assert got is not None and got.status is Status.GRANTED and got.record == record
    assert got.granted_fields == ("plate", "make")
    assert store.find(Direction.INCOMING, status=Status.PENDING)[0].request_id == "c"
    assert store.get(Direction.OUTGOING, "a") is not None
    assert store.get(Direction.OUTGOING, "a").status is Status.PENDING  # type: ignore[union-attr]

    # delivery: due now, then not before the retry time, then delivered
    assert [f.request_id for f in store.undelivered_answers(T0)] == ["a"]
    store.mark_attempt(Direction.INCOMING, "a", T0 + dt.timedelta(seconds=30))
    assert store.undelivered_answers(T0 + dt.timedelta(seconds=29)) == []
    again = store.undelivered_answers(T0 + dt.timedelta(seconds=30))
    assert [(f.request_id, f.delivery_attempts) for f in again] == [("a", 1)]
    store.mark_delivered("a", T0 + dt.timedelta(minutes=1))
    assert store.undelivered_answers(T0 + dt.timedelta(days=1)) == []
    assert [f.request_id for f in store.awaiting_answers(T0)] == ["a"]  # outgoing, pending


def test_officers_see_their_own(engine: sa.Engine) -> None:
    store = FollowUpStore(engine)
    store.insert(make("x", Direction.OUTGOING, 8, officer="o-1"))
    store.insert(make("y", Direction.OUTGOING, 9, officer="o-2"))
    store.insert(make("z", Direction.OUTGOING, 10, officer="o-1"))
    assert [f.request_id for f in store.find(Direction.OUTGOING, officer="o-1")] == ["z", "x"]
