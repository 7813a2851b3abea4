"""From a hit/no-hit check result to the record: the follow-up request flow, end to end."""

from __future__ import annotations

import time
from typing import Any

import sqlalchemy as sa

from passerelle.auth.roles import Role
from passerelle.domain.countries import Country
from tests.checks.conftest import Node, check, nodes, start_patrol

__all__ = ["nodes"]
BE, NL = Country.BE, Country.NL


def test_police_record_reference_to_granted_record(nodes: dict[Country, Node]) -> None:
    with nodes[NL].ctx.engine.connect() as conn:
        row = conn.execute(
            sa.text(
                "SELECT record_id, given_names, family_name, birth_date, category "
                "FROM police_records WHERE birth_date LIKE '____-__-__' LIMIT 1"
            )
        ).first()
    assert row is not None
    subject = {"given_names": row.given_names, "family_name": row.family_name,
               "birth_date": row.birth_date}  # fmt: skip
    patrol = start_patrol(nodes[BE], "BE:officer,NL:officer")
    answer = check(nodes[BE], "person", subject, patrol_id=patrol).json()
    nl = next(s for s in answer["sources"] if s["country"] == "NL")
    hit: dict[str, Any] = next(x for x in nl["results"] if x["dataset"] == "police_records")
    assert hit["record"] is None and hit["reference"]

    with nodes[BE].client() as be:
        sent = be.post(
            "/api/v1/requests",
            json={"country": "NL", "reference": hit["reference"], "purpose": "joint_control",
                  "justification": "hit during roadside check, need the record category"},
        )  # fmt: skip
    assert sent.status_code == 201, sent.text
    request_id = sent.json()["request_id"]

    with nodes[NL].client("contact", Role.CONTACT_POINT) as cp:
        queue = cp.get("/api/v1/requests/incoming").json()["requests"]
        assert request_id in [r["request_id"] for r in queue]
        granted = cp.post(
            f"/api/v1/requests/incoming/{request_id}/grant", json={"fields": ["category"]}
        )
    assert granted.status_code == 200, granted.text

    # The grant is pushed to BE; if the push is slow, BE asks NL (refresh). Wait with a deadline.
    deadline = time.monotonic() + 30
    with nodes[BE].client() as be:
        while True:
            seen = be.get(f"/api/v1/requests/{request_id}?refresh=true").json()
            if seen["status"] != "pending" or time.monotonic() > deadline:
                break
    assert seen["status"] == "granted"
    assert seen["record"] == {"category": row.category}
