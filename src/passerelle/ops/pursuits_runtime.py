"""What the pursuit code of a running node shares: store, borders, clock, escalation loop.

``ctx.pursuits`` is a ``PursuitRuntime``. Its clock stamps every step and
decides when an unacknowledged notification is overdue; tests set it with
``set_clock``. ``start_background`` runs the escalation check every
``[pursuits] check_every_s``; ``sweep()`` is one round of it. The runtime also
listens to the outbox: when a notification lands at the partner's node, the
pursuit's timeline says so.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from anyio import to_thread

from passerelle.audit.events import Actor, AuditEvent, EventKind, LegalRef, Recipient
from passerelle.auth.roles import Principal, Role
from passerelle.domain.countries import Country
from passerelle.node.retry_loop import RetryLoop
from passerelle.ops.borders import Borders
from passerelle.ops.pursuits_store import PursuitStore

if TYPE_CHECKING:
    from passerelle.node.context import NodeContext
    from passerelle.node.outbox import OutboxItem

Clock = Callable[[], dt.datetime]
NOTICE_KIND = "pursuit.notification"  # outbox kind: origin -> partner
ACK_KIND = "pursuit.ack"  # outbox kind: partner -> origin
NOTICE_PATH = "/federation/v1/pursuits/notifications"
ACK_PATH = "/federation/v1/pursuits/acks"
TOPIC_PURSUITS = "ops.pursuits"
TOPIC_NOTIFICATIONS = "ops.notifications"


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class PursuitRuntime:
    def __init__(self, ctx: NodeContext) -> None:
        self.ctx = ctx
        self.settings = ctx.settings.pursuits
        self.store = PursuitStore(ctx.engine)
        self.clock: Clock = utcnow
        self.loop: RetryLoop | None = None
        self._borders: Borders | None = None
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()
        ctx.outbox.on_delivered(NOTICE_KIND, self._notice_delivered)

    def set_clock(self, clock: Clock) -> None:
        """Use ``clock`` for timestamps and escalation (tests, simulations)."""
        self.clock = clock

    def now(self) -> dt.datetime:
        return self.clock()

    @property
    def borders(self) -> Borders:
        if self._borders is None:
            self._borders = Borders.load()
        return self._borders

    def lock(self, pursuit_id: str) -> threading.Lock:
        """One writer per pursuit at a time (positions are judged against each other)."""
        with self._guard:
            return self._locks.setdefault(pursuit_id, threading.Lock())

    # --- background ---------------------------------------------------------------------------
    async def sweep(self) -> int:
        """One round: record deliveries the callbacks missed, escalate what is overdue."""
        from passerelle.ops.pursuits_notify import NotificationService

        service = NotificationService(self.ctx)
        return await to_thread.run_sync(service.sweep)

    def start_background(self) -> RetryLoop | None:
        if not self.settings.background_escalation:
            return None
        if self.loop is None:
            self.loop = RetryLoop("pursuit-escalation", self.sweep, self.settings.check_every_s)
            self.loop.start()
        return self.loop

    async def stop_background(self) -> None:
        if self.loop is not None:
            await self.loop.stop()
            self.loop = None

    def _notice_delivered(self, item: OutboxItem, answer: dict[str, Any]) -> None:
        from passerelle.ops.pursuits_notify import NotificationService

        NotificationService(self.ctx).mark_delivered(item.payload, answer)

    # --- audit --------------------------------------------------------------------------------
    def audit(
        self,
        who: Principal | Country,
        outcome: str,
        pursuit_id: str,
        *,
        kind: EventKind = EventKind.PURSUIT,
        detail: dict[str, Any] | None = None,
        query: dict[str, Any] | None = None,
        partner: Country | None = None,
        exchange_id: str | None = None,
        recipients: tuple[Country, ...] = (),
    ) -> None:
        """One audit entry for a step (fails closed: raises if it cannot be written)."""
        me = self.ctx.settings.country
        if isinstance(who, Principal):
            role = next(iter(sorted(who.roles)), Role.OFFICER).value
            actor = Actor(subject=who.subject, role=role, country=me)
        else:
            actor = Actor(subject=f"node:{who.value}", role="node", country=who)
        self.ctx.audit.append(
            AuditEvent(
                kind=kind,
                actor=actor,
                outcome=outcome,
                purpose=None,
                justification=None,
                legal_ref=LegalRef(case_ref=pursuit_id),
                query=query or {},
                record_ids=(pursuit_id,),
                recipients=tuple(Recipient(country=c) for c in recipients),
                partner=partner,
                exchange_id=exchange_id,
                detail=detail or {},
            )
        )


def actor_name(ctx: NodeContext, principal: Principal) -> str:
    """``COUNTRY:subject`` (pseudonymous, as in the audit log)."""
    return f"{ctx.settings.country.value}:{principal.subject}"
