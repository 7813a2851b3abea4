"""The providing node: queue incoming requests, grant or refuse, deliver the answer.

A request is accepted only with a reference this node handed to the calling
node (as proven by its signature), before the reference expires. The contact
point answers from the queue; the answer is audited (and, for a grant, the
disclosure too) before it is pushed to the requester. A requester that is down
gets the answer later: this node retries, and the requester can pull.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
import structlog

from passerelle.audit.events import Actor, AuditEvent, EventKind, LegalRef, Recipient
from passerelle.auth.roles import Principal, Role
from passerelle.domain.countries import Country
from passerelle.exc import InvalidInput, NotFound, PasserelleError
from passerelle.requests.deps import Conflict, RequestDeps, actor_of
from passerelle.requests.model import Direction, FollowUp, Status, Urgency, deadline_for
from passerelle.requests.records import Record, check_fields, grantable_fields
from passerelle.requests.requester import check_legal_context
from passerelle.requests.wire import MAX_REASON, Answer, FederatedRequest, parse

log = structlog.get_logger(__name__)
ANSWER_PATH = "/federation/v1/requests/answers"


def answer_of(fu: FollowUp) -> dict[str, Any]:
    """The answer message for the requester (the record only once granted)."""
    return Answer(
        request_id=fu.request_id,
        status=fu.status.value,
        dataset=fu.dataset,
        deadline_at=fu.deadline_at,
        answered_at=fu.answered_at,
        answered_by=fu.answered_by,
        refusal_reason=fu.refusal_reason,
        fields=list(fu.granted_fields),
        record=fu.record if fu.status is Status.GRANTED else None,
    ).model_dump(mode="json")


class Provider:
    def __init__(self, deps: RequestDeps) -> None:
        self.d = deps

    def _event(self, fu: FollowUp, **values: Any) -> AuditEvent:
        base: dict[str, Any] = {
            "purpose": fu.purpose,
            "justification": fu.justification,
            "legal_ref": LegalRef(case_ref=fu.case_ref),
            "datasets": (fu.dataset,) if fu.dataset else (),
            "partner": fu.partner,
            "exchange_id": fu.request_id,
        }
        return AuditEvent(**{**base, **values})

    def accept(self, partner: Country, data: Any) -> dict[str, Any]:
        """A partner's request: check its reference and legal context, queue it."""
        msg: FederatedRequest = parse(FederatedRequest, data)
        existing = self.d.store.get(Direction.INCOMING, msg.request_id)
        if existing is not None:  # a retry of the same request
            if existing.partner != partner:
                raise Conflict("request id already used", code="request_id_taken")
            return answer_of(existing)
        now = self.d.now()
        requester = Actor(subject=msg.officer, role=Role.OFFICER.value, country=partner)
        try:
            check_legal_context(msg.purpose, msg.case_ref, msg.justification)
            ref = self.d.references.resolve(msg.reference, partner)
        except PasserelleError as e:
            self.d.log(
                AuditEvent(
                    kind=EventKind.FOLLOW_UP_REQUESTED,
                    actor=requester,
                    outcome="refused",
                    purpose=msg.purpose,
                    justification=msg.justification,
                    legal_ref=LegalRef(case_ref=msg.case_ref),
                    partner=partner,
                    exchange_id=msg.request_id,
                    detail={"code": e.code},
                )
            )
            raise
        urgency = Urgency(msg.urgency)
        fu = FollowUp(
            request_id=msg.request_id,
            direction=Direction.INCOMING,
            partner=partner,
            reference=ref.reference,
            dataset=ref.dataset,
            record_key=ref.record_key,
            officer=msg.officer,
            justification=msg.justification,
            urgency=urgency,
            purpose=msg.purpose,
            case_ref=msg.case_ref,
            status=Status.PENDING,
            created_at=now,
            deadline_at=deadline_for(urgency, now, self.d.settings),
        )
        self.d.log(
            self._event(
                fu,
                kind=EventKind.FOLLOW_UP_REQUESTED,
                actor=requester,
                outcome="pending",
                query={"record_key": ref.record_key},
                detail={"urgency": urgency.value, "check_id": ref.check_id},
            )
        )
        try:
            self.d.store.insert(fu)
        except sa.exc.IntegrityError:  # the same request, twice at once
            got = self.d.store.get(Direction.INCOMING, msg.request_id)
            if got is None or got.partner != partner:
                raise Conflict("request id already used", code="request_id_taken") from None
            fu = got
        log.info("follow_up_received", request_id=fu.request_id, partner=partner.value)
        return answer_of(fu)

    def queue(self, status: Status | None = None) -> list[FollowUp]:
        return self.d.store.find(Direction.INCOMING, status=status)

    def get(self, request_id: str) -> FollowUp:
        fu = self.d.store.get(Direction.INCOMING, request_id)
        if fu is None:
            raise NotFound("no such incoming request", code="request_not_found")
        return fu

    def record(self, fu: FollowUp) -> Record | None:
        """The register record behind the request (for the contact point's decision)."""
        if fu.dataset is None or fu.record_key is None:
            return None
        return self.d.records.get(fu.dataset, fu.record_key)

    def fields(self, fu: FollowUp) -> tuple[str, ...]:
        return grantable_fields(fu.dataset) if fu.dataset else ()

    def _pending(self, request_id: str) -> FollowUp:
        fu = self.get(request_id)
        if fu.status is not Status.PENDING:
            raise Conflict("this request was already answered", code="request_already_answered")
        return fu

    async def grant(self, principal: Principal, request_id: str, fields: list[str]) -> FollowUp:
        fu = self._pending(request_id)
        chosen = check_fields(fu.dataset or "", fields)
        record = self.record(fu)
        if record is None:
            raise NotFound("the record is no longer in the register", code="record_gone")
        values = record.only(chosen)
        actor = actor_of(principal, self.d.country, Role.CONTACT_POINT)
        recipients = (Recipient(country=fu.partner, officer=fu.officer),)
        common: dict[str, Any] = {
            "actor": actor,
            "recipients": recipients,
            "record_ids": (f"{record.dataset}:{record.row_id}",),
            "query": {"record_key": fu.record_key},
            "detail": {"fields": list(chosen)},
        }
        self.d.log(
            self._event(fu, kind=EventKind.FOLLOW_UP_GRANTED, outcome="granted", **common),
            self._event(fu, kind=EventKind.DISCLOSURE, outcome="granted", **common),
        )
        if not self.d.store.answer(
            Direction.INCOMING,
            request_id,
            status=Status.GRANTED,
            answered_at=self.d.now(),
            answered_by=principal.subject,
            granted_fields=chosen,
            record=values,
        ):
            raise Conflict("this request was already answered", code="request_already_answered")
        return await self._deliver_now(request_id)

    async def refuse(self, principal: Principal, request_id: str, reason: str) -> FollowUp:
        fu = self._pending(request_id)
        reason = reason.strip()
        if not reason:
            raise InvalidInput("give the reason for the refusal", code="refusal_reason_missing")
        if len(reason) > MAX_REASON:
            raise InvalidInput("the reason is too long", code="refusal_reason_too_long")
        self.d.log(
            self._event(
                fu,
                kind=EventKind.FOLLOW_UP_REFUSED,
                actor=actor_of(principal, self.d.country, Role.CONTACT_POINT),
                outcome="refused",
                recipients=(Recipient(country=fu.partner, officer=fu.officer),),
                query={"refusal_reason": reason},
            )
        )
        if not self.d.store.answer(
            Direction.INCOMING,
            request_id,
            status=Status.REFUSED,
            answered_at=self.d.now(),
            answered_by=principal.subject,
            refusal_reason=reason,
        ):
            raise Conflict("this request was already answered", code="request_already_answered")
        return await self._deliver_now(request_id)

    async def _deliver_now(self, request_id: str) -> FollowUp:
        await self.deliver(self.get(request_id))
        return self.get(request_id)

    async def deliver(self, fu: FollowUp) -> bool:
        """Push the answer to the requester; on failure, schedule a retry."""
        partner = self.d.trust.get(fu.partner)
        if partner is not None:
            result = await self.d.client().call(
                partner, ANSWER_PATH, answer_of(fu), self.d.timeout_s
            )
            if result.status == "ok":
                self.d.store.mark_delivered(fu.request_id, self.d.now())
                return True
            log.info("follow_up_push_failed", request_id=fu.request_id, status=result.status)
        self.d.store.mark_attempt(Direction.INCOMING, fu.request_id, self.d.retry_at())
        return False

    async def deliver_due(self) -> int:
        """Push every answer not yet delivered and due for a retry; return how many arrived."""
        delivered = 0
        for fu in self.d.store.undelivered_answers(self.d.now()):
            delivered += await self.deliver(fu)
        return delivered

    def answer_for(self, partner: Country, request_id: str) -> dict[str, Any]:
        """A requester pulls its answer: only the node that asked may read it."""
        fu = self.d.store.get(Direction.INCOMING, request_id)
        if fu is None or fu.partner != partner:
            raise NotFound("no such request from your node", code="request_not_found")
        if fu.status is not Status.PENDING:
            self.d.store.mark_delivered(fu.request_id, self.d.now())
        return answer_of(fu)
