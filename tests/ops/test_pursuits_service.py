"""A pursuit at its origin node: crossings on the real borders, bad positions, the timeline.

One BE node on SQLite and on PostgreSQL (``db_url``), NL and DE in its trust
store; partner nodes are not running here (their side: test_pursuits_federation).
"""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import io
from collections.abc import Iterator

import pytest

from passerelle.audit.events import EventKind
from passerelle.audit.reader import AuditSearch
from passerelle.domain.countries import Country
from passerelle.exc import PasserelleError
from passerelle.node.context import NodeContext
from passerelle.ops.pursuits import Outcome
from passerelle.ops.pursuits_export import to_csv, to_html, to_pdf
from passerelle.ops.pursuits_notify import NotificationService
from passerelle.ops.pursuits_runtime import NOTICE_KIND
from passerelle.ops.pursuits_service import PositionRejected, PursuitConflict, PursuitService
from tests.node.conftest import make_nodes
from tests.ops.pursuits_kit import (
    CONTROL,
    HERZOGENRATH_NEUSTRASSE,
    KERKRADE_NIEUWSTRAAT,
    LANAKEN,
    LANAKEN_BORDER_BE,
    LANAKEN_BORDER_NL,
    MAASTRICHT,
    SEDAN,
    UNIT,
    Clock,
    Make,
    build,
)

__all__ = ["make_nodes"]
BE, NL, DE = Country.BE, Country.NL, Country.DE


@pytest.fixture
def be(make_nodes: Make, db_url: str) -> Iterator[tuple[NodeContext, Clock]]:
    made = make_nodes(BE, NL, DE)
    ctx = build(made[BE][0], db_url, ack_timeout_s=60, max_escalations=2)
    clock = Clock()
    ctx.pursuits.set_clock(clock)
    yield ctx, clock
    asyncio.run(ctx.aclose())


def test_crossing_from_lanaken_into_maastricht_notifies_nl(
    be: tuple[NodeContext, Clock],
) -> None:
    ctx, clock = be
    service = PursuitService(ctx)
    p = service.open(
        CONTROL,
        "grey Audi A4 1-ABC-123",
        "armed robbery",
        ["BE-12"],
        lat=LANAKEN[0],
        lon=LANAKEN[1],
    )
    assert p.country == "BE" and p.last_position is None
    t = clock.now
    clock.advance(seconds=130)
    r = service.add_position(
        UNIT, p.pursuit_id, *LANAKEN_BORDER_BE, at=t + dt.timedelta(seconds=120)
    )
    assert r.crossing is None and r.pursuit.country == "BE"
    clock.advance(seconds=5)
    r = service.add_position(
        UNIT, p.pursuit_id, *LANAKEN_BORDER_NL, at=t + dt.timedelta(seconds=125)
    )
    assert r.crossing == {"from": "BE", "to": "NL", "late": False}
    assert r.pursuit.country == "NL"
    (notice,) = r.notifications
    assert notice.partner_country is NL and notice.kind == "entered" and notice.requires_ack
    (queued,) = ctx.outbox.items(kind=NOTICE_KIND)
    assert queued.partner is NL and queued.key == notice.notification_id
    assert queued.payload["message"]["code"] == "pursuit_entered"
    assert queued.payload["pursuit"]["subject"] == "grey Audi A4 1-ABC-123"
    # further positions in NL: no second notification while the first awaits its ack
    clock.advance(seconds=120)
    r = service.add_position(UNIT, p.pursuit_id, *MAASTRICHT, at=clock.now)
    assert r.crossing is None and r.notifications == []
    events = [e.data for e in ctx.live.recent(["ops.pursuits"])]
    kinds = [e["event"] for e in events]
    assert kinds == ["opened", "position", "position", "position", "position"]
    assert events[3]["crossing"] == {"from": "BE", "to": "NL", "late": False}
    assert service.get(p.pursuit_id).last_position is not None


def test_kerkrade_to_herzogenrath_across_the_nieuwstraat(be: tuple[NodeContext, Clock]) -> None:
    ctx, clock = be
    service = PursuitService(ctx)
    p = service.open(
        CONTROL, "scooter", "fled a check", lat=KERKRADE_NIEUWSTRAAT[0], lon=KERKRADE_NIEUWSTRAAT[1]
    )
    # opened while already in NL: NL is notified at once (the first fix counts from BE)
    assert [n.partner_country for n in NotificationService(ctx).sent(p.pursuit_id)] == [NL]
    clock.advance(seconds=10)
    r = service.add_position(UNIT, p.pursuit_id, *HERZOGENRATH_NEUSTRASSE)
    assert r.crossing == {"from": "NL", "to": "DE", "late": False}
    sent = {(n.partner_country, n.kind) for n in NotificationService(ctx).sent(p.pursuit_id)}
    assert sent == {(NL, "entered"), (DE, "entered"), (NL, "left")}


def test_a_country_without_a_node_is_recorded_for_a_phone_call(
    be: tuple[NodeContext, Clock],
) -> None:
    ctx, clock = be
    service = PursuitService(ctx)
    p = service.open(CONTROL, "van", "smuggling", lat=49.7940, lon=5.0673)  # Bouillon
    clock.advance(minutes=30)
    r = service.add_position(UNIT, p.pursuit_id, *SEDAN)
    assert r.crossing == {"from": "BE", "to": "FR", "late": False} and r.notifications == []
    steps = [e for e in service.timeline(p.pursuit_id)["events"] if e["event"] == "not_notified"]
    assert steps and steps[0]["country"] == "FR"


def test_absurd_and_late_positions_are_kept_and_flagged(be: tuple[NodeContext, Clock]) -> None:
    ctx, clock = be
    service = PursuitService(ctx)
    p = service.open(CONTROL, "BMW", "hit and run", lat=LANAKEN[0], lon=LANAKEN[1])
    t0 = clock.now
    clock.advance(minutes=2)
    service.add_position(UNIT, p.pursuit_id, *MAASTRICHT, at=t0 + dt.timedelta(minutes=2))
    with pytest.raises(PositionRejected) as e:  # Maastricht to Aachen in 20 s: 5,000 km/h
        service.add_position(
            UNIT, p.pursuit_id, 50.7753, 6.0839, at=clock.now + dt.timedelta(seconds=20)
        )
    assert e.value.code == "position_too_fast" and e.value.status == 422
    assert e.value.params["limit"] == "300"
    with pytest.raises(PositionRejected) as e:
        service.add_position(UNIT, p.pursuit_id, *MAASTRICHT, at=clock.now + dt.timedelta(hours=1))
    assert e.value.code == "position_in_future"
    late = service.add_position(
        UNIT, p.pursuit_id, *LANAKEN_BORDER_NL, at=t0 + dt.timedelta(minutes=1)
    )
    assert late.position.late and late.position.accepted
    assert late.pursuit.country == "NL"  # the latest fix in time is still Maastricht
    # the crossing it falls after was already reported by Maastricht: not a second one
    assert late.crossing is None and late.notifications == []
    events = service.timeline(p.pursuit_id)["events"]
    assert [e["event"] for e in events].count("crossing") == 1
    positions = service.positions(p.pursuit_id)
    assert [x.status for x in positions] == [
        "accepted",
        "accepted",
        "accepted",
        "rejected",
        "rejected",
    ]
    assert [x.seq for x in positions] == [1, 5, 2, 3, 4]  # time order; seq = order of arrival
    assert (
        positions[3].reason == "position_too_fast" and positions[4].reason == "position_in_future"
    )


def test_an_opening_with_an_impossible_time_leaves_no_pursuit(
    be: tuple[NodeContext, Clock],
) -> None:
    ctx, clock = be
    service = PursuitService(ctx)
    for at, code in (
        (clock.now - dt.timedelta(hours=2), "position_too_old"),
        (clock.now + dt.timedelta(minutes=5), "position_in_future"),
    ):
        with pytest.raises(PasserelleError) as e:
            service.open(CONTROL, "van", "theft", lat=LANAKEN[0], lon=LANAKEN[1], at=at)
        assert e.value.code == code and e.value.status == 422
    assert service.find() == []  # refused before anything was stored: a retry opens one
    p = service.open(CONTROL, "van", "theft", lat=LANAKEN[0], lon=LANAKEN[1], at=clock.now)
    assert [x.pursuit_id for x in service.find()] == [p.pursuit_id]


def test_end_refuses_positions_and_second_end(be: tuple[NodeContext, Clock]) -> None:
    ctx, clock = be
    service = PursuitService(ctx)
    p = service.open(CONTROL, "car", "theft", lat=LANAKEN[0], lon=LANAKEN[1])
    clock.advance(minutes=1)
    service.add_position(UNIT, p.pursuit_id, *LANAKEN_BORDER_NL)
    ended = service.end(CONTROL, p.pursuit_id, Outcome.HANDED_OVER, "NL units took over")
    assert ended.outcome is Outcome.HANDED_OVER and not ended.active
    kinds = [(n.partner_country, n.kind) for n in NotificationService(ctx).sent(p.pursuit_id)]
    assert sorted(kinds) == [(NL, "ended"), (NL, "entered")]
    with pytest.raises(PositionRejected) as e:
        service.add_position(UNIT, p.pursuit_id, *MAASTRICHT)
    assert e.value.code == "pursuit_ended"
    assert service.positions(p.pursuit_id)[-1].status == "rejected"  # recorded all the same
    with pytest.raises(PursuitConflict):
        service.end(CONTROL, p.pursuit_id, "lost")
    with pytest.raises(PasserelleError) as bad:
        PursuitService(ctx).end(CONTROL, p.pursuit_id, "vanished")
    assert bad.value.code == "pursuit_outcome_invalid"
    assert service.active() == []


def test_escalation_at_the_origin_with_a_controlled_clock(be: tuple[NodeContext, Clock]) -> None:
    ctx, clock = be
    service = PursuitService(ctx)
    notices = NotificationService(ctx)
    p = service.open(CONTROL, "car", "theft", lat=LANAKEN[0], lon=LANAKEN[1])
    clock.advance(minutes=3)
    (n,) = service.add_position(UNIT, p.pursuit_id, *LANAKEN_BORDER_NL).notifications
    clock.advance(seconds=59)
    assert notices.sweep() == 0  # not yet overdue (ack_timeout_s = 60)
    clock.advance(seconds=1)
    assert notices.sweep() == 1
    (sent,) = notices.sent(p.pursuit_id)
    assert sent.escalated and sent.escalations == 1
    keys = [i.key for i in ctx.outbox.items(kind=NOTICE_KIND)]
    assert keys == [n.notification_id, f"{n.notification_id}#1"]  # sent again, marked
    assert ctx.outbox.items(key=f"{n.notification_id}#1")[0].payload["escalation"] == 1
    live = [e.data for e in ctx.live.recent(["ops.pursuits"]) if e.data["event"] == "escalated"]
    assert live and live[0]["partner"] == "NL" and live[0]["escalations"] == 1
    clock.advance(seconds=30)
    assert notices.sweep() == 0  # the next one is ack_timeout_s after the last
    clock.advance(seconds=30)
    assert notices.sweep() == 1
    clock.advance(hours=1)
    assert notices.sweep() == 0  # max_escalations = 2
    assert notices.sent(p.pursuit_id)[0].escalations == 2


def test_timeline_and_exports(be: tuple[NodeContext, Clock]) -> None:
    ctx, clock = be
    service = PursuitService(ctx)
    p = service.open(
        CONTROL, "grey Audi", "robbery", ["BE-12", "BE-14"], lat=LANAKEN[0], lon=LANAKEN[1]
    )
    clock.advance(minutes=3)
    service.add_position(UNIT, p.pursuit_id, *LANAKEN_BORDER_NL)
    with pytest.raises(PositionRejected):
        service.add_position(UNIT, p.pursuit_id, 52.37, 4.89, at=clock.now)
    clock.advance(minutes=5)
    service.end(CONTROL, p.pursuit_id, "arrested", "Vrijthof")
    data = service.timeline(p.pursuit_id, CONTROL)
    kinds = [e["event"] for e in data["events"]]
    assert kinds[0] == "opened" and kinds[-1] in {"ended", "notified"}
    assert {"crossing", "notified", "position", "position_rejected", "ended"} <= set(kinds)
    assert data["countries"] == ["BE", "NL"]
    rows = list(csv.DictReader(io.StringIO(to_csv(data, "nl"))))
    crossing = next(r for r in rows if r["event"] == "crossing")
    assert "België" in crossing["text"] or "Belgium" in crossing["text"]  # until translated
    rejected = next(r for r in rows if r["event"] == "position_rejected")
    assert "300" in rejected["text"]
    html = to_html(data, "de", "Passerelle BE")
    assert "<svg" in html and p.pursuit_id in html and 'lang="de"' in html
    assert to_pdf(data, "fr", "Passerelle BE").startswith(b"%PDF")
    viewed = ctx.audit.search(AuditSearch(kind=EventKind.PURSUIT_VIEWED))
    assert any(e.outcome == "timeline_read" for e in viewed)
    steps = {e.outcome for e in ctx.audit.search(AuditSearch(kind=EventKind.PURSUIT))}
    assert {"opened", "position", "position_rejected", "ended"} <= steps
