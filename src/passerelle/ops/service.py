"""The patrol service: create, crew, start, end; every change copied to the crew's nodes.

Only the origin node changes a patrol. Each change is saved together with an
outbox row per partner country (``ops.copies``), then the whole patrol is sent,
signed, to ``/federation/v1/patrols`` on the node of every other crew country,
which checks it and stores its own copy (``receive_copy``). A partner that is
down gets it later: the node's retry loop, and every later change, push it
again until it is acknowledged. ``sync`` says how each partner holds its copy:
``registered`` or ``pending since <time>[: <last failure>]``.

The database work runs in worker threads, off the event loop.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field, replace
from datetime import datetime

import structlog
from anyio import to_thread

from passerelle.audit.events import Actor, AuditEvent, EventKind, LegalRef
from passerelle.auth.roles import Principal, Role
from passerelle.exc import Forbidden, InvalidInput, NotFound, PasserelleError
from passerelle.node.context import NodeContext
from passerelle.ops import patrol_live
from passerelle.ops.copies import PATROLS_PATH, CopyState
from passerelle.ops.patrols import CrewMember, Patrol, PatrolStatus, parse_crew, parse_patrol_id

log = structlog.get_logger(__name__)
__all__ = ["PATROLS_PATH", "PatrolChange", "PatrolConflict", "PatrolService"]


class PatrolConflict(PasserelleError):
    status = 409
    code = "patrol_conflict"


@dataclass(frozen=True)
class PatrolChange:
    """A patrol after a change, and how each partner node holds its copy."""

    patrol: Patrol
    copies: dict[str, CopyState] = field(default_factory=dict)

    @property
    def sync(self) -> dict[str, str]:
        """``{country: "registered" | "pending since <time>[: <failure>]"}``."""
        return {c: s.text() for c, s in sorted(self.copies.items())}


class PatrolService:
    def __init__(self, ctx: NodeContext) -> None:
        self.ctx = ctx
        self.runtime = ctx.patrols
        self.store = self.runtime.store
        self.copies = self.runtime.copies
        self.country = ctx.settings.country

    # --- reading (synchronous: call from a worker thread, or from a sync route) ------------
    def get(self, patrol_id: str) -> Patrol:
        patrol = self.store.get(parse_patrol_id(patrol_id))
        if patrol is None:
            raise NotFound("no such patrol at this node", code="patrol_not_found")
        return patrol

    def find(self, status: PatrolStatus | None = None) -> list[Patrol]:
        return self.store.find(status=status)

    def for_officer(
        self, principal: Principal, status: PatrolStatus | None = PatrolStatus.ACTIVE
    ) -> list[Patrol]:
        """Patrols (by default active ones) whose crew includes this officer.

        An active patrol past its planned end or the maximum shift length is left out.
        """
        me = self.me(principal)
        found = [p for p in self.store.find(status=status) if p.includes(me)]
        if status is PatrolStatus.ACTIVE:
            found = [p for p in found if not self.runtime.is_over(p)]
        return found

    def copies_of(self, patrol_id: str) -> dict[str, CopyState]:
        """How each partner node holds its copy (only at the origin node)."""
        return self.copies.states(patrol_id)

    def me(self, principal: Principal) -> CrewMember:
        return CrewMember(self.country, principal.subject)

    # --- changes at the origin ------------------------------------------------------------
    async def create(
        self,
        principal: Principal,
        crew: list[str] | str,
        *,
        vehicle: str | None = None,
        area: str | None = None,
        planned_start: datetime | None = None,
        planned_end: datetime | None = None,
        start: bool = False,
    ) -> PatrolChange:
        members = parse_crew(crew)
        self._check_partners(members)
        self.check_own_members(members)
        if planned_start and planned_end and planned_end <= planned_start:
            raise InvalidInput("the planned end is before the start", code="patrol_times_invalid")
        now = self.runtime.now()
        patrol = Patrol(
            patrol_id=f"{self.country.value}-{secrets.token_hex(8)}",
            origin_country=self.country,
            status=PatrolStatus.ACTIVE if start else PatrolStatus.PLANNED,
            crew=members,
            created_by=str(self.me(principal)),
            created_at=now,
            vehicle=(vehicle or "").strip()[:60] or None,
            area=(area or "").strip()[:200] or None,
            planned_start=planned_start,
            planned_end=planned_end,
            started_at=now if start else None,
        )
        return await self._commit(principal, patrol, "started" if start else "created")

    async def add_crew(self, principal: Principal, patrol_id: str, crew: list[str]) -> PatrolChange:
        patrol = await to_thread.run_sync(self._own, principal, patrol_id)
        if patrol.status is PatrolStatus.ENDED:
            raise PatrolConflict("the patrol has ended", code="patrol_ended")
        added = tuple(m for m in parse_crew(crew) if m not in patrol.crew)
        self._check_partners(added)
        self.check_own_members(added)
        merged = parse_crew([str(m) for m in (*patrol.crew, *added)])
        return await self._commit(principal, replace(patrol, crew=merged), "crew_added")

    async def start(self, principal: Principal, patrol_id: str) -> PatrolChange:
        patrol = await to_thread.run_sync(self._own, principal, patrol_id)
        if patrol.status is not PatrolStatus.PLANNED:
            raise PatrolConflict(f"the patrol is {patrol.status.value}", code="patrol_not_planned")
        started = patrol.with_status(PatrolStatus.ACTIVE, self.runtime.now())
        return await self._commit(principal, started, "started")

    async def end(self, principal: Principal, patrol_id: str) -> PatrolChange:
        patrol = await to_thread.run_sync(self._own, principal, patrol_id)
        if patrol.status is PatrolStatus.ENDED:
            raise PatrolConflict("the patrol has already ended", code="patrol_ended")
        ended = patrol.with_status(PatrolStatus.ENDED, self.runtime.now())
        return await self._commit(principal, ended, "ended")

    def _own(self, principal: Principal, patrol_id: str) -> Patrol:
        patrol = self.get(patrol_id)
        if patrol.origin_country != self.country:
            raise PatrolConflict(
                "this patrol is managed by the node of its origin country",
                code="patrol_not_local",
                country=patrol.origin_country.value,
            )
        if not principal.has(Role.CONTROL_ROOM) and not patrol.includes(self.me(principal)):
            raise Forbidden("only the crew or the control room may change it", code="not_in_crew")
        return patrol

    def _check_partners(self, members: tuple[CrewMember, ...]) -> None:
        for m in members:
            if m.country != self.country and self.ctx.trust.get(m.country) is None:
                raise InvalidInput(
                    f"{m.country.value} is not a partner of this node",
                    code="partner_unknown",
                    country=m.country.value,
                )

    def check_own_members(self, members: tuple[CrewMember, ...]) -> None:
        """In demo mode our own crew members must be users of our identity provider."""
        idp = self.ctx.idp
        if idp is None:
            return  # production: the force's directory is not ours to query
        for m in members:
            if m.country == self.country and m.username not in idp.users:
                raise InvalidInput(
                    f"{m} is not an officer known to this node",
                    code="crew_member_unknown",
                    member=str(m),
                )

    async def _commit(self, principal: Principal, patrol: Patrol, change: str) -> PatrolChange:
        await to_thread.run_sync(self._record, principal, patrol, change)
        patrol_live.publish_change(self.ctx, patrol, change)  # ops.patrols, control rooms
        await self.copies.deliver(patrol.patrol_id)
        self.copies.wake()  # other copies still pending: the retry loop's next round, now
        copies = await to_thread.run_sync(self.copies.states, patrol.patrol_id)
        return PatrolChange(patrol, copies)

    def _record(self, principal: Principal, patrol: Patrol, change: str) -> None:
        """Audit entry first (fail closed), then the patrol and its outbox rows, together."""
        self.ctx.audit.append(self._event(principal, patrol, change))
        partners = sorted(patrol.countries - {self.country})
        with self.store.engine.begin() as conn:
            self.store.save_in(conn, patrol)
            self.copies.mark_pending(conn, patrol.patrol_id, partners)

    def _event(self, principal: Principal, patrol: Patrol, change: str) -> AuditEvent:
        role = next(iter(sorted(principal.roles)), Role.OFFICER)
        return AuditEvent(
            kind=EventKind.PATROL_CHANGED,
            actor=Actor(subject=principal.subject, role=role.value, country=self.country),
            outcome=change,
            purpose=None,
            justification=None,
            legal_ref=LegalRef(patrol_id=patrol.patrol_id),
            detail={"status": patrol.status.value, "crew": [str(m) for m in patrol.crew]},
        )
