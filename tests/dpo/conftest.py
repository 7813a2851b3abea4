"""A demo BE node whose audit log holds a known set of consultations, and clients for it.

The scenario (all within the last days, local time Europe/Brussels):
- officers be-o1..be-o5: 3 look-ups each during duty hours, with a patrol reference;
- be-o6: 40 look-ups with a case reference (far above the peers);
- be-o1, be-o2, be-o3 each looked up national id 85.07.30-033.28 (same person, 3 officers);
- be-o4: one look-up at 03:00 without any reference (off duty, no reference);
- one check sent to NL under exchange id ``chk-pair-1``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient

from passerelle.audit.events import Actor, AuditEvent, EventKind, LegalRef, Recipient
from passerelle.auth.roles import Role
from passerelle.domain.countries import Country
from passerelle.node.context import NodeContext
from passerelle.web.app import create_app
from passerelle.web.deps import SESSION_COOKIE
from tests.web.conftest import WebNodes, make_web_nodes

ZONE = ZoneInfo("Europe/Brussels")
SUBJECT = "85073003328"
EXCHANGE = "chk-pair-1"


def _at(days_ago: int, hour: int, minute: int = 0) -> dt.datetime:
    day = dt.datetime.now(ZONE).date() - dt.timedelta(days=days_ago)
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZONE).astimezone(dt.UTC)


def _lookup(
    officer: str,
    at: dt.datetime,
    *,
    query: dict[str, object] | None = None,
    ref: LegalRef | None = None,
    kind: EventKind = EventKind.CONSULTATION,
    exchange: str | None = None,
    partner: Country | None = None,
) -> AuditEvent:
    return AuditEvent(
        kind=kind,
        actor=Actor(subject=officer, role="officer", country=Country.BE, unit="Liège"),
        outcome="no_hit",
        purpose="joint_control" if ref is None or ref.patrol_id else "investigation",
        justification="contrôle conjoint",
        legal_ref=ref or LegalRef(),
        query=query or {"family_name": f"Janssens {officer}", "birth_date": "1970-01-01"},
        datasets=("population",),
        partner=partner,
        exchange_id=exchange,
        recipients=(Recipient(country=partner, officer=None),) if partner else (),
        at=at,
    )


def populate(ctx: NodeContext) -> None:
    events: list[AuditEvent] = []
    patrol = LegalRef(patrol_id="P-2026-0042")
    for i in range(1, 6):
        for j in range(3):
            query = {"national_id": SUBJECT} if i <= 3 and j == 0 else None
            events.append(_lookup(f"be-o{i}", _at(2 + j, 10, i), query=query, ref=patrol))
    case = LegalRef(case_ref="PV-LG-2026-1234")
    for k in range(40):
        events.append(_lookup("be-o6", _at(1 + k % 5, 9 + k % 8, k % 60), ref=case))
    events.append(_lookup("be-o4", _at(1, 3)))
    events.append(
        _lookup(
            "be-o5",
            _at(1, 11),
            ref=patrol,
            kind=EventKind.PARTNER_QUERY_SENT,
            exchange=EXCHANGE,
            partner=Country.NL,
            query={"national_id": "=cmd|' /C calc'!A0"},
        )
    )
    ctx.audit.append_many(events)


@dataclass
class DpoSite:
    ctx: NodeContext
    client: TestClient

    def token(self, *roles: Role, subject: str = "dpo") -> str:
        assert self.ctx.idp is not None
        return self.ctx.idp.issue(subject, list(roles), name=subject.upper())

    def api(self, *roles: Role) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(*roles)}"}

    def sign_in(self, *roles: Role) -> None:
        self.client.cookies.set(SESSION_COOKIE, self.token(*roles))


@pytest.fixture(scope="module")
def dpo_nodes(tmp_path_factory: pytest.TempPathFactory) -> WebNodes:
    nodes = make_web_nodes(tmp_path_factory.mktemp("dpo"), Country.BE, Country.NL)
    ctx = nodes.context(Country.BE)
    populate(ctx)
    ctx.engine.dispose()
    return nodes


@pytest.fixture
def dpo_site(dpo_nodes: WebNodes) -> Iterator[DpoSite]:
    ctx = dpo_nodes.context(Country.BE)
    with TestClient(create_app(ctx)) as client:
        yield DpoSite(ctx, client)
