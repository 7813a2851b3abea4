"""The requesting side of a check: validate, search own registers, fan out, answer.

``CheckService(ctx).run(kind, request, principal)`` is what the API router and
the officer's web page call. Nothing leaves the node for a request the local
checks reject. The local search and the partner calls run concurrently within
the time budget (``checks.time_budget_s``, default 1.5 s): a slow or dead
partner becomes ``timeout`` / ``unavailable`` and never delays the answer.
Audit: ``partner_query_sent`` entries are written before any partner is
contacted, the ``consultation`` entry before the answer goes back.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

import structlog
from pydantic import ValidationError

from passerelle.audit.events import Actor, AuditEvent, EventKind, LegalRef
from passerelle.auth.roles import Principal, Role
from passerelle.checks.budget import AUDIT_EXECUTOR, DEADLINE_FIELD, FINISH_S, Deadline, gate_for
from passerelle.checks.disclosure import own_results, record_id
from passerelle.checks.models import (
    CheckRequest,
    CheckResponse,
    CheckResult,
    CheckSource,
    HitWarning,
)
from passerelle.checks.search import datasets_for, search
from passerelle.checks.validate import CheckQuery, validate_check
from passerelle.checks.warnings import warnings_for
from passerelle.domain.countries import Country, parse_country
from passerelle.domain.purpose import Purpose
from passerelle.exc import InvalidInput
from passerelle.federation.client import PartnerResult
from passerelle.federation.trust import PartnerEntry
from passerelle.node.context import NodeContext
from passerelle.ops.patrols import CrewMember, check_patrol_access

log = structlog.get_logger(__name__)
_ANSWER_STATUSES = ("hit", "no_hit", "refused")


class CheckService:
    def __init__(self, ctx: NodeContext) -> None:
        self.ctx = ctx
        self.country = ctx.settings.country

    async def run(
        self,
        kind: str,
        request: CheckRequest,
        principal: Principal,
        *,
        received_at: float | None = None,
    ) -> CheckResponse:
        """``received_at``: ``time.perf_counter()`` when the request arrived (the budget's start;
        default: now). Raises ``ChecksBusy`` (503) when the node cannot start it in time."""
        s = self.ctx.settings.checks
        deadline = Deadline.after(s.time_budget_s, received_at)
        sem = await gate_for(self.ctx, s.max_in_flight).enter(deadline)
        try:
            return await self._run(kind, request, principal, deadline)
        finally:
            sem.release()

    async def _run(
        self, kind: str, request: CheckRequest, principal: Principal, deadline: Deadline
    ) -> CheckResponse:
        check_id = uuid.uuid4().hex
        actor = self._actor(principal)
        loop = asyncio.get_running_loop()
        # Validation and the patrol lookup touch the database: off the loop.
        query, own, partners, not_in_patrol = await asyncio.to_thread(
            self._prepare, kind, request, principal
        )
        if partners:  # fail closed: no audit entry, no query to a partner
            sent = [
                self._event(EventKind.PARTNER_QUERY_SENT, query, actor, check_id, "sent", p.country)
                for p in partners
            ]
            await loop.run_in_executor(AUDIT_EXECUTOR, self.ctx.audit.append_many, sent)
        remaining = max(0.05, deadline.remaining() - FINISH_S)
        local = asyncio.create_task(self._local(query, remaining)) if own else None
        payload = {
            "check_id": check_id,
            "kind": kind,
            "subject": query.subject,
            "context": query.context.to_wire(),
            "officer": {"subject": principal.subject, "role": actor.role},
            DEADLINE_FIELD: int(remaining * 1000),
        }
        remote = (
            await self.ctx.client.fan_out(
                partners, f"/federation/v1/checks/{kind}", payload, remaining
            )
            if partners
            else {}
        )
        sources: list[CheckSource] = []
        local_matches: dict[str, Any] = {}
        if local is not None:
            source, local_matches = await local
            sources.append(source)
        for p in partners:
            sources.append(_partner_source(p.country, remote[p.country]))
        for c in sorted(not_in_patrol):
            sources.append(
                CheckSource(
                    country=c.value, status="refused", latency_ms=0.0, reason="provider_not_in_crew"
                )
            )
        consultation = (
            self._event(
                EventKind.CONSULTATION,
                query,
                actor,
                check_id,
                sources[0].status if own else "not_searched",
                None,
                datasets=list(local_matches),
                record_ids=[record_id(d, m.record) for d, ms in local_matches.items() for m in ms],
                detail={"sources": {s.country: s.status for s in sources}},
            ),
        )
        # before the answer, on the audit log's own thread
        await loop.run_in_executor(AUDIT_EXECUTOR, self.ctx.audit.append_many, consultation)
        if query.context.patrol_id is not None:  # the patrol's log: kind, time, outcome only
            await asyncio.to_thread(
                self._log_in_patrol, principal, query.context.patrol_id, check_id, kind, sources
            )
        return CheckResponse(
            check_id=check_id,
            kind=kind,  # type: ignore[arg-type]  # validate_check accepted it
            purpose=query.context.purpose.value,
            sources=sources,
        )

    def _prepare(
        self, kind: str, request: CheckRequest, principal: Principal
    ) -> tuple[CheckQuery, bool, list[PartnerEntry], set[Country]]:
        """Everything that must hold before anything leaves the node."""
        query = validate_check(kind, request.subject, request.context)
        own, partners = self._targets(request.countries)
        not_in_patrol = self._patrol_precheck(query, principal, partners)
        partners = [p for p in partners if p.country not in not_in_patrol]
        return query, own, partners, not_in_patrol

    def _targets(self, countries: list[str] | None) -> tuple[bool, list[PartnerEntry]]:
        partners = self.ctx.trust.partners()
        if not countries:
            return True, partners
        wanted = [parse_country(c) for c in countries]
        by_country = {p.country: p for p in partners}
        for c in wanted:
            if c != self.country and c not in by_country:
                raise InvalidInput(
                    f"{c.value} is not a partner of this node",
                    code="partner_unknown",
                    country=c.value,
                )
        return self.country in wanted, [
            by_country[c] for c in dict.fromkeys(wanted) if c in by_country
        ]

    def _patrol_precheck(
        self, query: CheckQuery, principal: Principal, partners: list[PartnerEntry]
    ) -> set[Country]:
        """For joint_control: our own copy must allow it; partners outside the crew are skipped."""
        if query.context.purpose is not Purpose.JOINT_CONTROL:
            return set()
        assert query.context.patrol_id is not None
        patrols = self.ctx.patrols
        patrol = check_patrol_access(
            patrols.store.get(query.context.patrol_id),
            provider=self.country,
            requester=CrewMember(self.country, principal.subject),
            now=patrols.now(),
            max_active=patrols.max_active,
        )
        return {p.country for p in partners if p.country not in patrol.countries}

    def _log_in_patrol(
        self, principal: Principal, patrol_id: str, check_id: str, kind: str,
        sources: list[CheckSource],
    ) -> None:  # fmt: skip
        """Record the check in the patrol's log (``ops.patrol_log``); never fails the check."""
        from passerelle.ops.patrol_log_service import PatrolLogService

        try:
            PatrolLogService(self.ctx).record_check(
                principal, patrol_id, check_id, kind, [(s.country, s.status) for s in sources]
            )
        except Exception as e:
            log.warning("patrol_log_failed", error=type(e).__name__)

    async def _local(self, query: CheckQuery, budget: float) -> tuple[CheckSource, dict[str, Any]]:
        started = time.perf_counter()
        s = self.ctx.settings.checks

        def run() -> dict[str, Any]:
            return search(
                self.ctx.registers, query.kind, query.subject,
                datasets_for(query.kind, query.subject),
                limit=s.max_results, min_score=s.min_score,
            )  # fmt: skip

        try:
            matches = await asyncio.wait_for(asyncio.to_thread(run), budget)
        except TimeoutError:
            return self._source("timeout", started, reason="local_timeout"), {}
        except Exception as e:  # the partners' answers still go back
            log.error("local_search_failed", error=type(e).__name__)
            return self._source("error", started, reason="local_search_failed"), {}
        results = [CheckResult.model_validate(r) for r in own_results(matches)]
        return self._source("hit" if results else "no_hit", started, results=results), matches

    def _source(
        self, status: str, started: float, *, reason: str | None = None,
        results: list[CheckResult] | None = None,
    ) -> CheckSource:  # fmt: skip
        return CheckSource(
            country=self.country.value,
            status=status,  # type: ignore[arg-type]
            latency_ms=round((time.perf_counter() - started) * 1000, 1),
            reason=reason,
            results=results or [],
        )

    def _actor(self, principal: Principal) -> Actor:
        role = Role.OFFICER if principal.has(Role.OFFICER) else sorted(principal.roles)[0]
        return Actor(subject=principal.subject, role=role.value, country=self.country)

    def _event(
        self, kind: EventKind, query: CheckQuery, actor: Actor, check_id: str, outcome: str,
        partner: Country | None, *, datasets: list[str] | None = None,
        record_ids: list[str] | None = None, detail: dict[str, Any] | None = None,
    ) -> AuditEvent:  # fmt: skip
        c = query.context
        return AuditEvent(
            kind=kind,
            actor=actor,
            outcome=outcome,
            purpose=c.purpose.value,
            justification=c.justification,
            legal_ref=LegalRef(
                patrol_id=c.patrol_id, case_ref=c.case_ref, authorisation_ref=c.authorisation_ref
            ),
            query=dict(query.subject),
            datasets=tuple(datasets or ()),
            record_ids=tuple(record_ids or ()),
            partner=partner,
            exchange_id=check_id,
            detail={"check": query.kind, **(detail or {})},
        )


def _partner_source(country: Country, r: PartnerResult) -> CheckSource:
    latency = round(r.latency_ms, 1)
    if r.status in ("unavailable", "timeout"):
        return CheckSource(country=country.value, status=r.status, latency_ms=latency)
    if r.status != "ok":  # error, or an answer not signed by the partner's trusted key
        reason = r.detail if r.status == "error" else f"untrusted: {r.detail}"
        return CheckSource(country=country.value, status="error", latency_ms=latency, reason=reason)
    data = r.data or {}
    status = str(data.get("status"))
    try:
        results = [_partner_result(x) for x in data.get("results", [])]
    except (ValidationError, TypeError, AttributeError):
        status = "invalid"
    if status not in _ANSWER_STATUSES:
        return CheckSource(
            country=country.value, status="error", latency_ms=latency, reason="invalid_answer"
        )
    why = data.get("reason") if status == "refused" else None
    return CheckSource(
        country=country.value, status=status, latency_ms=latency,  # type: ignore[arg-type]
        reason=str(why)[:60] if why else None, results=results,
    )  # fmt: skip


def _partner_result(raw: dict[str, Any]) -> CheckResult:
    """A partner's result; its warnings are recomputed from the record it disclosed."""
    result = CheckResult.model_validate({k: v for k, v in raw.items() if k != "warnings"})
    if result.record is not None:
        result.warnings = [
            HitWarning.model_validate(w) for w in warnings_for(result.dataset, result.record)
        ]
    return result
