"""Audit entries of joint actions: records that may hold personal data, never the figures.

A result's note is free text and may name or describe a person: registering a
result with a note (``collection``), sharing a record with the organiser
(``disclosure`` at the sender, ``collection`` at the organiser, one
``exchange_id``) and listing raw or shared records (``consultation``) are
logged. Aggregates — counts per country, checkpoint and hour — are not personal
data; the board and the report are not logged.
"""

from __future__ import annotations

from passerelle.audit.events import Actor, AuditEvent, EventKind, LegalRef, Recipient
from passerelle.auth.roles import Principal, Role
from passerelle.domain.countries import Country
from passerelle.ops.action_results import Result

PURPOSE = "joint_action"


def _actor(here: Country, principal: Principal) -> Actor:
    role = next(iter(sorted(principal.roles)), Role.OFFICER).value
    return Actor(subject=principal.subject, role=role, country=here)


def result_event(
    here: Country,
    principal: Principal | None,
    kind: EventKind,
    r: Result,
    outcome: str,
    *,
    to: Country | None = None,
    partner: Country | None = None,
) -> AuditEvent:
    """One record registered, shared or received (``principal`` None: a partner node)."""
    if principal is None:
        actor = Actor(subject=f"node:{r.country}", role="node", country=partner or here)
    else:
        actor = _actor(here, principal)
    return AuditEvent(
        kind=kind,
        actor=actor,
        outcome=outcome,
        purpose=PURPOSE,
        justification=None,
        legal_ref=LegalRef(case_ref=r.action_id),
        datasets=("joint_action_results",),
        record_ids=(f"{r.country}/{r.submission_id}",),
        recipients=(Recipient(country=to),) if to else (),
        partner=to or partner,
        exchange_id=f"{r.action_id}/{r.country}/{r.submission_id}",
        detail={"action_id": r.action_id, "checkpoint_id": r.checkpoint_id},
    )


def consulted_event(
    here: Country, principal: Principal, action_id: str, what: str, n: int
) -> AuditEvent:
    """Raw or shared records of an action were listed."""
    return AuditEvent(
        kind=EventKind.CONSULTATION,
        actor=_actor(here, principal),
        outcome="ok",
        purpose=PURPOSE,
        justification=None,
        legal_ref=LegalRef(case_ref=action_id),
        datasets=(f"joint_action_{what}",),
        detail={"action_id": action_id, "records": n},
    )
