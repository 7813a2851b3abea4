"""Fixtures for the audit log: a migrated database on both backends and events to write."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from passerelle.audit.events import Actor, AuditEvent, EventKind, LegalRef, Recipient
from passerelle.audit.protect import DpoKeys
from passerelle.audit.sql import SqlAuditLog
from passerelle.domain.countries import Country
from passerelle.federation.keys import NodeKey


def consultation(i: int = 0, **overrides: Any) -> AuditEvent:
    values: dict[str, Any] = {
        "kind": EventKind.CONSULTATION,
        "actor": Actor(subject=f"officer-{i % 7}", role="officer", country=Country.BE, unit="ZP"),
        "outcome": "hit" if i % 3 == 0 else "no_hit",
        "purpose": "joint_control",
        "justification": "joint patrol check",
        "legal_ref": LegalRef(patrol_id=f"patrol-{i % 5}"),
        "query": {
            "national_id": f"85.07.30-{i:03d}.61",
            "family_name": "Dupont",
            "birth_date": "1985-07-30",
        },
        "datasets": ("population", "wanted_persons"),
        "record_ids": (f"rec-{i}",),
        "recipients": (Recipient(country=Country.NL, officer="nl-officer-1"),),
        "partner": Country.NL,
        "exchange_id": f"check-{i}",
        "detail": {"n": i},
    }
    values.update(overrides)
    return AuditEvent(**values)


@pytest.fixture
def node_key() -> NodeKey:
    return NodeKey.generate(Country.BE)


@pytest.fixture
def audit(engine: sa.Engine, node_key: NodeKey) -> Iterator[SqlAuditLog]:
    yield SqlAuditLog(engine, key=node_key, dpo=DpoKeys.generate(), sign_every=50)
