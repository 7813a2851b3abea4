"""The requesting node: send a follow-up request, receive (or pull) its answer.

The officer's node writes its audit entry before the request leaves, sends it
signed to the providing node (which checks that the reference was handed to
*this* node and has not expired), and keeps the request with the deadline the
provider set. The answer is pushed back by the provider; if this node was down
at that moment it pulls the answer itself.
"""

from __future__ import annotations

import uuid
from functools import partial
from typing import Any

import structlog

from passerelle.audit.events import Actor, AuditEvent, EventKind, LegalRef, Recipient
from passerelle.auth.roles import Principal, Role
from passerelle.domain.countries import Country, parse_country
from passerelle.domain.purpose import Purpose, parse_purpose
from passerelle.exc import Forbidden, InvalidInput, NotFound, PartnerError, PasserelleError
from passerelle.federation.client import PartnerResult
from passerelle.requests.deps import RequestDeps, actor_of
from passerelle.requests.model import Direction, FollowUp, Status, Urgency
from passerelle.requests.records import check_fields
from passerelle.requests.references import ReferenceExpired
from passerelle.requests.wire import Answer, FederatedRequest, NewRequest, parse

log = structlog.get_logger(__name__)
SEND_PATH = "/federation/v1/requests"
# Refusals of the providing node that the officer can act on: re-raised as they are.
_PARTNER_REFUSALS: dict[str, type[PasserelleError]] = {
    "reference_unknown": NotFound,
    "reference_not_yours": Forbidden,
    "reference_expired": ReferenceExpired,
    "request_case_ref_missing": InvalidInput,
    "request_justification_missing": InvalidInput,
    "unknown_purpose": InvalidInput,
}


def _send_error(result: PartnerResult, country: Country) -> PasserelleError:
    cls = _PARTNER_REFUSALS.get(result.detail)
    if result.status == "error" and cls is not None:
        return cls(f"the {country.value} node refused the request", code=result.detail)
    return PartnerError(
        f"the request could not be delivered to {country.value}: {result.status}",
        code="request_not_delivered",
        country=country.value,
    )


def check_legal_context(purpose: str, case_ref: str | None, justification: str) -> Purpose:
    """The purpose, checked: a justification always, a case reference for investigations."""
    parsed = parse_purpose(purpose)
    if not justification.strip():
        raise InvalidInput("a justification is required", code="request_justification_missing")
    if parsed is Purpose.INVESTIGATION and not (case_ref or "").strip():
        raise InvalidInput(
            "an investigation needs a case reference", code="request_case_ref_missing"
        )
    return parsed


class Requester:
    def __init__(self, deps: RequestDeps) -> None:
        self.d = deps

    async def send(self, principal: Principal, body: NewRequest) -> FollowUp:
        country = parse_country(body.country)
        partner = self.d.partner(country)
        justification = body.justification.strip()
        case_ref = (body.case_ref or "").strip() or None
        purpose = check_legal_context(body.purpose, case_ref, justification)
        request_id = uuid.uuid4().hex
        message = FederatedRequest(
            request_id=request_id,
            reference=body.reference.strip(),
            officer=principal.subject,
            justification=justification,
            urgency=body.urgency,
            purpose=purpose.value,
            case_ref=case_ref,
        )
        event = partial(
            AuditEvent,
            kind=EventKind.FOLLOW_UP_REQUESTED,
            actor=actor_of(principal, self.d.country, Role.OFFICER),
            purpose=purpose.value,
            justification=justification,
            legal_ref=LegalRef(case_ref=case_ref),
            partner=country,
            exchange_id=request_id,
            detail={"reference": message.reference, "urgency": body.urgency},
        )
        self.d.log(event(outcome="sent"))  # fail closed: nothing leaves without its entry
        result = await self.d.client().call(
            partner, SEND_PATH, message.model_dump(mode="json"), self.d.timeout_s
        )
        if result.status != "ok" or result.data is None:
            self.d.log(event(outcome=f"not_accepted:{result.detail or result.status}"[:40]))
            raise _send_error(result, country)
        answer: Answer = parse(Answer, result.data)
        if answer.request_id != request_id or answer.status != Status.PENDING.value:
            raise PartnerError("unexpected answer from the partner", code="partner_error")
        fu = FollowUp(
            request_id=request_id,
            direction=Direction.OUTGOING,
            partner=country,
            reference=message.reference,
            dataset=answer.dataset,
            officer=principal.subject,
            justification=justification,
            urgency=Urgency(body.urgency),
            purpose=purpose.value,
            case_ref=case_ref,
            status=Status.PENDING,
            created_at=self.d.now(),
            deadline_at=answer.deadline_at,
        )
        self.d.store.insert(fu)
        log.info("follow_up_sent", request_id=request_id, partner=country.value)
        return fu

    def mine(self, principal: Principal) -> list[FollowUp]:
        return self.d.store.find(Direction.OUTGOING, officer=principal.subject)

    def get_mine(self, principal: Principal, request_id: str) -> FollowUp:
        fu = self.d.store.get(Direction.OUTGOING, request_id)
        if fu is None or fu.officer != principal.subject:
            raise NotFound("no such request of yours", code="request_not_found")
        return fu

    def receive_answer(self, partner: Country, data: Any, channel: str) -> FollowUp:
        """Store the provider's answer (idempotent); audit it. Only the provider may answer."""
        answer: Answer = parse(Answer, data)
        fu = self.d.store.get(Direction.OUTGOING, answer.request_id)
        if fu is None or fu.partner != partner:
            raise NotFound("no such request to this partner", code="request_not_found")
        if answer.status == Status.PENDING.value or fu.status is not Status.PENDING:
            return fu
        dataset = fu.dataset or answer.dataset or ""
        granted = answer.status == Status.GRANTED.value
        fields: tuple[str, ...] = ()
        record: dict[str, Any] | None = None
        if granted:
            fields = check_fields(dataset, answer.fields)
            record = dict(answer.record or {})
            if set(record) != set(fields):
                raise InvalidInput(
                    "the answer's record does not match its fields", code="answer_invalid"
                )
        elif not (answer.refusal_reason or "").strip():
            raise InvalidInput("a refusal without a reason", code="answer_invalid")
        answered_at = answer.answered_at or self.d.now()
        self.d.log(
            AuditEvent(
                kind=EventKind.FOLLOW_UP_GRANTED if granted else EventKind.FOLLOW_UP_REFUSED,
                actor=Actor(
                    subject=answer.answered_by or "contact_point",
                    role=Role.CONTACT_POINT.value,
                    country=partner,
                ),
                outcome="granted" if granted else "refused",
                purpose=fu.purpose,
                justification=fu.justification,
                legal_ref=LegalRef(case_ref=fu.case_ref),
                datasets=(dataset,) if dataset else (),
                recipients=(Recipient(country=self.d.country, officer=fu.officer),),
                partner=partner,
                exchange_id=fu.request_id,
                detail={"fields": list(fields), "channel": channel},
            )
        )
        self.d.store.answer(
            Direction.OUTGOING,
            fu.request_id,
            status=Status.GRANTED if granted else Status.REFUSED,
            answered_at=answered_at,
            answered_by=answer.answered_by,
            refusal_reason=None if granted else answer.refusal_reason,
            granted_fields=fields,
            record=record,
            delivered_at=self.d.now(),
        )
        log.info("follow_up_answered", request_id=fu.request_id, status=answer.status)
        got = self.d.store.get(Direction.OUTGOING, fu.request_id)
        assert got is not None
        return got

    async def pull(self, fu: FollowUp) -> FollowUp:
        """Ask the provider for the answer of a pending request (when a push was missed)."""
        partner = self.d.partner(fu.partner)
        path = f"{SEND_PATH}/{fu.request_id}/answer"
        result = await self.d.client().call(partner, path, {}, self.d.timeout_s)
        if result.status == "ok" and result.data is not None:
            got = self.receive_answer(fu.partner, result.data, "pull")
            if got.status is not Status.PENDING:
                return got
        self.d.store.mark_attempt(Direction.OUTGOING, fu.request_id, self.d.retry_at())
        return fu

    async def pull_due(self) -> int:
        """Pull every pending request due for a check; return how many got their answer."""
        answered = 0
        for fu in self.d.store.awaiting_answers(self.d.now()):
            try:
                got = await self.pull(fu)
            except PasserelleError as e:
                log.warning("follow_up_pull_failed", request_id=fu.request_id, code=e.code)
                self.d.store.mark_attempt(Direction.OUTGOING, fu.request_id, self.d.retry_at())
                continue
            answered += got.status is not Status.PENDING
        return answered
