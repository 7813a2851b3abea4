"""The follow-up request flow end to end, between live nodes over signed federation calls."""

from __future__ import annotations

import datetime as dt
from typing import Any

from passerelle.audit.events import EventKind
from passerelle.audit.reader import AuditSearch
from passerelle.auth.roles import Role
from passerelle.domain.countries import Country
from passerelle.registers.schema import DATASETS
from tests.requests.conftest import RECORD, Net

BE, NL, LU = Country.BE, Country.NL, Country.LU
CP: dict[str, Any] = {"role": Role.CONTACT_POINT, "subject": "spoc-nl-7"}


def kinds(net: Net, c: Country, exchange_id: str) -> list[tuple[str, str]]:
    return [(r.kind, r.outcome) for r in net.ctx[c].audit.pair(exchange_id)]


def test_grant_end_to_end(net: Net) -> None:
    ref = net.reference()
    sent = net.send(ref, urgency="urgent")
    assert sent.status_code == 201, sent.text
    req = sent.json()
    rid = req["request_id"]
    assert (req["status"], req["dataset"], req["country"]) == ("pending", "police_records", "NL")
    # the deadline is the provider's: 8 hours for an urgent request
    deadline = dt.datetime.fromisoformat(req["deadline_at"])
    assert deadline == net.clock.now + dt.timedelta(hours=8)

    mine = net.call(BE, "GET", "/api/v1/requests").json()["requests"]
    assert [r["request_id"] for r in mine] == [rid]
    assert net.call(BE, "GET", "/api/v1/requests", subject="officer-2").json()["requests"] == []
    assert net.call(BE, "GET", f"/api/v1/requests/{rid}", subject="officer-2").status_code == 404

    # the NL contact point sees it in the queue; an officer does not get the queue
    assert net.call(NL, "GET", "/api/v1/requests/incoming").status_code == 403
    queue = net.call(NL, "GET", "/api/v1/requests/incoming", **CP).json()
    assert [r["request_id"] for r in queue["requests"]] == [rid]
    assert queue["overdue"] == 0 and queue["requests"][0]["officer"] == "officer-1"

    net.clock.advance(hours=9)
    queue = net.call(NL, "GET", "/api/v1/requests/incoming", **CP).json()
    assert queue["overdue"] == 1 and queue["requests"][0]["seconds_left"] == -3600

    one = net.call(NL, "GET", f"/api/v1/requests/incoming/{rid}", **CP).json()
    assert one["fields"] == list(DATASETS["police_records"].names)
    assert one["register_record"]["family_name"] == "Jansen"

    for bad in (["family_name", "tax_debt"], ["name_key"], ["id"], []):
        r = net.call(
            NL, "POST", f"/api/v1/requests/incoming/{rid}/grant", body={"fields": bad}, **CP
        )
        assert r.status_code == 422, (bad, r.text)
        assert r.json()["error"]["code"] in ("field_not_in_dataset", "no_fields_chosen")

    granted = net.call(
        NL,
        "POST",
        f"/api/v1/requests/incoming/{rid}/grant",
        body={"fields": ["category", "family_name", "category"]},
        **CP,
    )
    assert granted.status_code == 200, granted.text
    g = granted.json()
    assert g["delivered"] and g["record"] == {"family_name": "Jansen", "category": "drugs"}

    again = net.call(
        NL, "POST", f"/api/v1/requests/incoming/{rid}/refuse", body={"reason": "x"}, **CP
    )
    assert again.status_code == 409 and again.json()["error"]["code"] == "request_already_answered"

    seen = net.call(BE, "GET", f"/api/v1/requests/{rid}").json()
    assert seen["status"] == "granted" and seen["late"] and not seen["overdue"]
    assert seen["record"] == {"family_name": "Jansen", "category": "drugs"}
    assert seen["granted_fields"] == ["family_name", "category"]

    # audit at both ends, paired by the request id
    assert kinds(net, BE, rid) == [
        (EventKind.FOLLOW_UP_REQUESTED, "sent"),
        (EventKind.FOLLOW_UP_GRANTED, "granted"),
    ]
    assert kinds(net, NL, rid) == [
        (EventKind.FOLLOW_UP_REQUESTED, "pending"),
        (EventKind.CONSULTATION, "hit"),
        (EventKind.FOLLOW_UP_GRANTED, "granted"),
        (EventKind.DISCLOSURE, "granted"),
    ]
    nl_entries = net.ctx[NL].audit.pair(rid)
    asked, disclosed = nl_entries[0], nl_entries[3]
    assert (asked.actor.subject, asked.actor.country, asked.partner) == ("officer-1", BE, "BE")
    assert asked.justification and "Kerkrade" in asked.justification
    assert disclosed.actor.subject == "spoc-nl-7"
    assert [(r.country, r.officer) for r in disclosed.recipients] == [(BE, "officer-1")]
    assert disclosed.detail["fields"] == ["family_name", "category"]
    assert "Jansen" not in str(disclosed.detail) and disclosed.datasets == ("police_records",)
    be_got = net.ctx[BE].audit.pair(rid)[1]
    assert be_got.actor.subject == "spoc-nl-7" and be_got.detail["channel"] == "push"


def test_refuse_end_to_end(net: Net) -> None:
    rid = net.send(net.reference()).json()["request_id"]
    deadline = net.call(BE, "GET", f"/api/v1/requests/{rid}").json()["deadline_at"]
    assert dt.datetime.fromisoformat(deadline) == net.clock.now + dt.timedelta(days=7)
    path = f"/api/v1/requests/incoming/{rid}/refuse"
    empty = net.call(NL, "POST", path, body={"reason": "   "}, **CP)
    assert empty.status_code == 422 and empty.json()["error"]["code"] == "refusal_reason_missing"
    reason = "Not proportionate: ask through the prosecutor (rogatory letter)."
    assert net.call(NL, "POST", path, body={"reason": reason}, **CP).status_code == 200
    seen = net.call(BE, "GET", f"/api/v1/requests/{rid}").json()
    assert (seen["status"], seen["refusal_reason"], seen["record"]) == ("refused", reason, None)
    assert not seen["late"]
    assert kinds(net, NL, rid)[-1] == (EventKind.FOLLOW_UP_REFUSED, "refused")
    assert kinds(net, BE, rid)[-1] == (EventKind.FOLLOW_UP_REFUSED, "refused")
    queue = net.call(NL, "GET", "/api/v1/requests/incoming", **CP).json()
    assert queue["requests"] == []  # pending only by default
    answered = net.call(NL, "GET", "/api/v1/requests/incoming?status=all", **CP).json()
    assert [r["status"] for r in answered["requests"]] == ["refused"]


def test_reference_is_bound_to_the_requesting_node(net: Net) -> None:
    ref = net.reference(requester=BE)
    stolen = net.send(ref, requester=LU)
    assert stolen.status_code == 403, stolen.text
    err = stolen.json()["error"]
    assert err["code"] == "reference_not_yours" and err["message"] != err["detail"]
    logged = net.ctx[NL].audit.search(AuditSearch(kind=EventKind.FOLLOW_UP_REQUESTED, partner="LU"))
    assert [(r.outcome, r.detail["code"]) for r in logged] == [("refused", "reference_not_yours")]
    unknown = net.send("Zm9vYmFyYmF6cXV4cXV1eHh4eHh4eHh4eHh4")
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "reference_unknown"
    assert net.call(NL, "GET", "/api/v1/requests/incoming", **CP).json()["requests"] == []
    # the rightful node still can
    assert net.send(ref).status_code == 201


def test_reference_expires(net: Net) -> None:
    ref = net.reference()
    net.clock.advance(days=30)
    expired = net.send(ref, lang="nl")
    assert expired.status_code == 410, expired.text
    err = expired.json()["error"]
    assert err["code"] == "reference_expired" and err["message"] != err["detail"]


def test_bad_requests_never_reach_the_partner(net: Net) -> None:
    ref = net.reference()
    cases: list[tuple[dict[str, Any], str]] = [
        ({"justification": "  "}, "request_justification_missing"),
        ({"purpose": "curiosity"}, "unknown_purpose"),
        ({"purpose": "investigation"}, "request_case_ref_missing"),
        ({"country": "BE"}, "partner_unknown"),
        ({"country": "XX"}, "unknown_country"),
    ]
    for extra, code in cases:
        r = net.send(ref, **extra)
        assert r.json()["error"]["code"] == code, (extra, r.text)
    assert net.ctx[NL].audit.count(AuditSearch(kind=EventKind.FOLLOW_UP_REQUESTED)) == 0
    ok = net.send(ref, purpose="investigation", case_ref="PV 2026/1234")
    assert ok.status_code == 201, ok.text
    assert net.call(BE, "POST", "/api/v1/requests", role=Role.ANALYST, body={}).status_code == 403


def test_record_values_match_the_register(net: Net) -> None:
    rid = net.send(net.reference()).json()["request_id"]
    every = list(DATASETS["police_records"].names)
    g = net.call(NL, "POST", f"/api/v1/requests/incoming/{rid}/grant", body={"fields": every}, **CP)
    got = net.call(BE, "GET", f"/api/v1/requests/{rid}").json()["record"]
    assert g.status_code == 200 and set(got) == set(every)
    assert {k: (v or "") for k, v in got.items()} == {k: str(v) for k, v in RECORD.items()}
