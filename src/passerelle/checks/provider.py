"""The providing side of a federated check: verify, decide, search, filter, audit.

Called for a request whose signature already verified (the caller's country
comes from its key, never from the body). In order:

1. validate the subject and context again (a malformed request is a 422);
2. the purpose's legal reference, checked on this node's own records: for
   ``joint_control`` the patrol (``check_patrol_access``), for ``investigation``
   a case reference;
3. the policy per dataset; when it denies every dataset, refuse;
4. search only the datasets the policy lets this partner see;
5. cut every result down to the policy (``disclose_matches``);
6. write the audit entries (answered + disclosure, or refused) durably, and
   only then return the answer. If the audit log is down, nothing leaves.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import structlog

from passerelle.audit.events import Actor, AuditEvent, EventKind, LegalRef, Recipient
from passerelle.checks.budget import Deadline
from passerelle.checks.disclosure import disclose_matches
from passerelle.checks.search import datasets_for, search
from passerelle.checks.validate import CheckQuery, validate_check
from passerelle.domain.countries import Country
from passerelle.domain.purpose import Purpose
from passerelle.exc import InvalidInput
from passerelle.node.context import NodeContext
from passerelle.ops.patrols import CrewMember, PatrolRefused, check_patrol_access
from passerelle.requests.references import record_key_of

log = structlog.get_logger(__name__)
_OFFICER_LIMIT = 120
DEADLINE_EXCEEDED = "deadline_exceeded"


def _officer(payload: Mapping[str, Any]) -> tuple[str, str]:
    officer = payload.get("officer")
    if not isinstance(officer, dict):
        raise InvalidInput("the requesting officer is missing", code="officer_missing")
    subject, role = officer.get("subject"), officer.get("role", "officer")
    if not isinstance(subject, str) or not subject.strip() or len(subject) > _OFFICER_LIMIT:
        raise InvalidInput("the requesting officer is missing", code="officer_missing")
    return subject.strip(), str(role)[:40]


def _check_id(payload: Mapping[str, Any]) -> str:
    check_id = payload.get("check_id")
    if not isinstance(check_id, str) or not 8 <= len(check_id) <= 64 or not check_id.isascii():
        raise InvalidInput("check_id missing or malformed", code="check_id_invalid")
    return check_id


class PartnerCheck:
    """One partner's check, answered by this node."""

    def __init__(self, ctx: NodeContext, partner: Country, kind: str, payload: Any) -> None:
        if not isinstance(payload, dict):
            raise InvalidInput("expected a JSON object", code="check_malformed")
        self.ctx = ctx
        self.partner = partner
        self.check_id = _check_id(payload)
        self.officer, self.role = _officer(payload)
        subject = payload.get("subject")
        if not isinstance(subject, dict):
            raise InvalidInput("the subject is missing", code="query_empty")
        self.query: CheckQuery = validate_check(kind, subject, payload.get("context"))

    def _legal_basis(self) -> None:
        c = self.query.context
        if c.purpose is Purpose.JOINT_CONTROL:
            assert c.patrol_id is not None  # validate_context requires it
            patrols = self.ctx.patrols  # its clock: the safety net of a lost "end"
            check_patrol_access(
                patrols.store.get(c.patrol_id),
                provider=self.ctx.settings.country,
                requester=CrewMember(self.partner, self.officer),
                now=patrols.now(),
                max_active=patrols.max_active,
            )

    def answer(self, deadline: Deadline | None = None) -> dict[str, Any]:
        """The signed answer's payload: ``{status, reason?, results}``.

        Past ``deadline`` (the requester no longer waits) the search and the disclosure are
        skipped: the answer is ``refused`` / ``deadline_exceeded``, audited like any refusal."""
        c = self.query.context
        policy = self.ctx.policy
        try:
            self._legal_basis()
        except PatrolRefused as e:
            return self._refuse(e.code)
        decisions = {
            d: policy.decide(self.partner, c.purpose, d)
            for d in datasets_for(self.query.kind, self.query.subject)
        }
        allowed = [d for d, dec in decisions.items() if dec.searchable]
        if not allowed:
            return self._refuse("policy_denied")
        if deadline is not None and deadline.remaining() <= 0:
            return self._refuse(DEADLINE_EXCEEDED)
        s = self.ctx.settings.checks
        matches = search(
            self.ctx.registers,
            self.query.kind,
            self.query.subject,
            allowed,
            limit=s.max_results,
            min_score=s.min_score,
        )

        def issue(dataset: str, row: Mapping[str, Any]) -> str:
            return self.ctx.references.issue(
                dataset=dataset,
                record_key=record_key_of(dataset, row),
                requester=self.partner,
                check_id=self.check_id,
                purpose=c.purpose.value,
            )

        if deadline is not None and deadline.remaining() <= 0:  # searched, nothing disclosed
            return self._refuse(DEADLINE_EXCEEDED, datasets=allowed)
        disclosure = disclose_matches(
            matches, decisions, issue, self.ctx.references.contact_point()
        )
        status = "hit" if disclosure.results else "no_hit"
        events = [
            self._event(EventKind.PARTNER_QUERY_ANSWERED, status, allowed, disclosure.record_ids)
        ]
        if disclosure.results:
            events.append(
                self._event(
                    EventKind.DISCLOSURE,
                    "disclosed",
                    sorted({r["dataset"] for r in disclosure.results}),
                    disclosure.record_ids,
                    detail={
                        "fields": {d: sorted(f) for d, f in disclosure.disclosed_fields.items()},
                        "references": disclosure.references,
                    },
                )
            )
        self.ctx.audit.append_many(events)
        return {"status": status, "results": disclosure.results}

    def _refuse(self, reason: str, datasets: list[str] | None = None) -> dict[str, Any]:
        log.info("partner_check_refused", partner=self.partner.value, reason=reason)
        self.ctx.audit.append(
            self._event(
                EventKind.PARTNER_QUERY_REFUSED, "refused", datasets or [], [], {"reason": reason}
            )
        )
        return {"status": "refused", "reason": reason, "results": []}

    def _event(
        self,
        kind: EventKind,
        outcome: str,
        datasets: list[str],
        record_ids: list[str],
        detail: dict[str, Any] | None = None,
    ) -> AuditEvent:
        c = self.query.context
        return AuditEvent(
            kind=kind,
            actor=Actor(subject=self.officer, role=self.role, country=self.partner),
            outcome=outcome,
            purpose=c.purpose.value,
            justification=c.justification,
            legal_ref=LegalRef(
                patrol_id=c.patrol_id, case_ref=c.case_ref, authorisation_ref=c.authorisation_ref
            ),
            query=dict(self.query.subject),
            datasets=tuple(datasets),
            record_ids=tuple(record_ids),
            recipients=(Recipient(country=self.partner, officer=self.officer),),
            partner=self.partner,
            exchange_id=self.check_id,
            detail={"check": self.query.kind, **(detail or {})},
        )
