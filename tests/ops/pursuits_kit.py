"""What the pursuit tests share: a settable clock, principals, demo nodes on a database."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from passerelle.auth.roles import Principal, Role
from passerelle.demo.layout import DemoNode
from passerelle.domain.countries import Country
from passerelle.node.context import NodeContext
from passerelle.settings import load_settings

Make = Callable[..., dict[Country, tuple[DemoNode, dict[str, str]]]]

# Real places either side of the borders (see tests/ops/test_borders.py)
LANAKEN = (50.8933, 5.6473)  # BE
LANAKEN_BORDER_BE = (50.865758, 5.644222)  # 30 m on the Belgian side
LANAKEN_BORDER_NL = (50.865332, 5.644748)  # 30 m on the Dutch side
MAASTRICHT = (50.8488, 5.6880)  # NL, Vrijthof
KERKRADE_NIEUWSTRAAT = (50.853687, 6.075312)  # NL, 30 m west of the street
HERZOGENRATH_NEUSTRASSE = (50.853613, 6.076158)  # DE, 30 m east of it
SEDAN = (49.7019, 4.9403)  # FR: no node


class Clock:
    """An injectable clock: tests move it, nothing sleeps."""

    def __init__(self, now: dt.datetime | None = None) -> None:
        self.now = now or dt.datetime.now(dt.UTC).replace(microsecond=0)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> dt.datetime:
        self.now += dt.timedelta(**delta)
        return self.now


def principal(subject: str = "control", *roles: Role) -> Principal:
    return Principal(
        subject=subject,
        name=subject.title(),
        roles=frozenset(roles or (Role.CONTROL_ROOM,)),
        issuer="test",
        token_id=f"t-{subject}",
        expires_at=0,
    )


CONTROL = principal("control", Role.CONTROL_ROOM)
UNIT = principal("officer", Role.OFFICER)


def build(demo: DemoNode, db_url: str | None = None, **pursuits: Any) -> NodeContext:
    overrides: dict[str, Any] = {}
    if db_url is not None:
        overrides["database"] = {"url": db_url}
    overrides["pursuits"] = {"background_escalation": False, **pursuits}
    return NodeContext.build(load_settings(demo.config, **overrides))
