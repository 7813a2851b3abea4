"""From a joint-control check's hit/no-hit answer to the record: the whole path, live."""

from __future__ import annotations

from collections.abc import Callable

from passerelle.audit.events import EventKind
from passerelle.auth.roles import Role
from passerelle.demo.layout import DemoNode
from passerelle.domain.countries import Country
from tests.requests.conftest import RECORD, start_net

BE, NL = Country.BE, Country.NL
Make = Callable[..., dict[Country, tuple[DemoNode, dict[str, str]]]]


def test_reference_from_a_check_opens_a_follow_up_request(make_nodes: Make) -> None:
    net = start_net(make_nodes, (BE, NL))
    with net.stack:
        patrol = net.call(
            BE,
            "POST",
            "/api/v1/ops/patrols",
            subject="officer",
            body={"crew": ["BE:officer", "NL:officer"], "start": True},
        )
        assert patrol.status_code == 201, patrol.text
        subject = {k: RECORD[k] for k in ("given_names", "family_name", "birth_date")}
        context = {
            "purpose": "joint_control",
            "patrol_id": patrol.json()["patrol_id"],
            "justification": "roadside check near Vaals",
        }
        checked = net.call(
            BE,
            "POST",
            "/api/v1/checks/person",
            subject="officer",
            body={"subject": subject, "context": context},
        )
        assert checked.status_code == 200, checked.text
        nl = next(s for s in checked.json()["sources"] if s["country"] == "NL")
        hits = [r for r in nl["results"] if r["dataset"] == "police_records"]
        assert hits and hits[0]["record"] is None and hits[0]["reference"], nl
        assert hits[0]["contact_point"]["name"]

        sent = net.call(
            BE,
            "POST",
            "/api/v1/requests",
            subject="officer",
            body={
                "country": "NL",
                "reference": hits[0]["reference"],
                "justification": "Police record hit at the joint control near Vaals.",
                "urgency": "urgent",
                "purpose": "joint_control",
            },
        )
        assert sent.status_code == 201, sent.text
        rid = sent.json()["request_id"]
        assert sent.json()["dataset"] == "police_records"

        path = f"/api/v1/requests/incoming/{rid}/grant"
        body = {"fields": ["record_id", "category"]}
        granted = net.call(NL, "POST", path, role=Role.CONTACT_POINT, subject="spoc", body=body)
        assert granted.status_code == 200, granted.text
        answer = net.call(BE, "GET", f"/api/v1/requests/{rid}", subject="officer").json()
        assert answer["record"] == {"record_id": RECORD["record_id"], "category": "drugs"}
        nl_kinds = [r.kind for r in net.ctx[NL].audit.pair(rid)]
        assert EventKind.DISCLOSURE in nl_kinds
