"""``ActionService``: plan a joint action, register results, keep the board live.

At the **organiser**: ``plan`` stores the plan and sends it to the node of
every other participating country (``ctx.outbox``: retried until it lands).
Results registered here (its own, and those of a *guest* country without a
node) go straight into the board; aggregates from partners arrive over the
federation API (``action_federation``).

At a **participant**: ``register_result`` stores the raw record here (it never
leaves whole), adds it to the aggregate of its checkpoint and hour, and sends
that aggregate — only the agreed figures — to the organiser; a record the
officer chose to share goes too (audited at both nodes). A partner that was
down gets everything later, in order: nothing is dropped.

Every change to a board is published on the live topic ``ops.actions``
(``{action_id, board}``). Database work runs in worker threads.
"""

from __future__ import annotations

import secrets
import threading
import weakref
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
import structlog
from anyio import to_thread

from passerelle.audit.events import AuditEvent, EventKind
from passerelle.auth.roles import Principal
from passerelle.domain.countries import Country
from passerelle.exc import Forbidden, InvalidInput, NotFound
from passerelle.node.context import NodeContext
from passerelle.node.outbox import Outbox, OutboxItem
from passerelle.ops.action_results import Result, parse_result
from passerelle.ops.actions import Action, ActionStatus, build_action, parse_action_id
from passerelle.ops.actions_audit import consulted_event, result_event
from passerelle.ops.actions_board import METRIC_COLUMNS, LiveBoard, compute_board
from passerelle.ops.actions_live import publisher_for
from passerelle.ops.actions_store import ActionConflict, ActionStore, Stored
from passerelle.ops.actions_sync import BATCH_KIND, batch_pending, take_batch
from passerelle.storage.tables import outbox_messages

log = structlog.get_logger(__name__)
TOPIC = "ops.actions"
PLAN_PATH = "/federation/v1/actions/plan"
AGGREGATE_PATH = "/federation/v1/actions/aggregate"
RECORD_PATH = "/federation/v1/actions/record"
KINDS = ("action_plan", BATCH_KIND, "action_record")  # outbox kinds
_LOCKS: dict[int, threading.Lock] = {}
_WATCHED: weakref.WeakSet[Outbox] = weakref.WeakSet()
_GUARD = threading.Lock()
__all__ = ["TOPIC", "ActionConflict", "ActionService", "Stored"]


def _lock(engine: sa.Engine) -> threading.Lock:
    """One writer of results per node process (SQLite: no read-then-write races)."""
    return _LOCKS.setdefault(id(engine), threading.Lock())


def _watch(ctx: NodeContext) -> None:
    """Once per outbox: when a batch lands, send the next one (what changed meanwhile)."""
    outbox = ctx.outbox
    with _GUARD:
        if outbox in _WATCHED:
            return
        _WATCHED.add(outbox)
    ref = weakref.ref(ctx)

    def delivered(item: OutboxItem, _answer: dict[str, Any]) -> None:
        live = ref()
        if live is None:
            return
        service = ActionService(live)
        action = service.store.get(str(item.payload.get("action_id", "")))
        if action is not None:
            service.flush_now(action, item.partner)

    outbox.on_delivered(BATCH_KIND, delivered)


def node_country(code: str) -> Country | None:
    try:
        return Country(code)
    except ValueError:
        return None


def agreed(action: Action, bucket: dict[str, Any]) -> dict[str, Any]:
    """The aggregate as shared: the figures not agreed in the plan are left out."""
    kept = {c for m in action.shared_metrics for c in METRIC_COLUMNS.get(m, ())}
    out = {
        k: v
        for k, v in bucket.items()
        if k not in {c for cs in METRIC_COLUMNS.values() for c in cs} or k in kept
    }
    if "seizures" not in action.shared_metrics:
        out["seizures"] = []
    return out


class ActionService:
    def __init__(self, ctx: NodeContext) -> None:
        self.ctx = ctx
        self.store = ActionStore(ctx.engine)
        self.country = ctx.settings.country.value
        _watch(ctx)

    @staticmethod
    def now() -> datetime:
        return datetime.now(UTC)

    # --- reading ----------------------------------------------------------------------------
    def get(self, action_id: str) -> Action:
        action = self.store.get(parse_action_id(action_id))
        if action is None:
            raise NotFound("no such joint action at this node", code="action_not_found")
        return action

    def find(self) -> list[Action]:
        return self.store.find()

    def active(self) -> list[Action]:
        """Actions that have not ended (running first, then planned), for control rooms."""
        now = self.now()
        found = [a for a in self.store.find() if a.status(now) is not ActionStatus.ENDED]
        return sorted(found, key=lambda a: (a.status(now) is not ActionStatus.RUNNING, a.starts_at))

    def board(self, action_id: str) -> dict[str, Any]:
        """Totals per country, checkpoint and hour (agreed aggregates only; no personal data)."""
        action = self.get(action_id)
        self.flush_now(action)  # after a restart: send what a lost batch callback left behind
        board = compute_board(self.ctx.engine, action, self.country)
        board["status"] = action.status(self.now()).value
        board["pending"] = self.pending(action)
        return board

    def pending(self, action: Action) -> dict[str, int]:
        """Messages of this action still waiting for a partner (retried), per partner."""
        t = outbox_messages
        query = (
            sa.select(t.c.partner, sa.func.count())
            .where(
                t.c.state == "pending",
                t.c.kind.in_(KINDS),
                t.c.key.like(action.action_id + "/%"),
            )
            .group_by(t.c.partner)
        )
        with self.ctx.engine.connect() as conn:
            return {str(p): int(n) for p, n in conn.execute(query)}

    def node_partners(self, action: Action) -> list[Country]:
        """Participants that run a node, other than this one."""
        out = []
        for code in action.countries:
            c = node_country(code)
            if c is not None and code != self.country and self.ctx.trust.get(c) is not None:
                out.append(c)
        return out

    def is_guest(self, action: Action, code: str) -> bool:
        """A participant without a node of its own (its results are entered at the organiser)."""
        c = node_country(code)
        return (
            code in action.countries
            and code != self.country
            and (c is None or self.ctx.trust.get(c) is None)
        )

    # --- planning (organiser) -----------------------------------------------------------------
    async def plan(self, principal: Principal, data: dict[str, Any]) -> Action:
        action = build_action(
            action_id=f"{self.country}-A{secrets.token_hex(6)}",
            organiser=self.country,
            name=data.get("name"),
            starts_at=data.get("starts_at"),
            ends_at=data.get("ends_at"),
            participants=list(data.get("participants") or []),
            checkpoints=list(data.get("checkpoints") or []),
            objectives=list(data.get("objectives") or []),
            shared_metrics=data.get("shared_metrics"),
            share_back=bool(data.get("share_back", True)),
            created_by=f"{self.country}:{principal.subject}",
            created_at=self.now(),
        )
        for code in action.countries:
            c = node_country(code)
            if c is not None and code != self.country and self.ctx.trust.get(c) is None:
                raise InvalidInput(
                    f"{code} is not a partner of this node", code="partner_unknown", country=code
                )
        await to_thread.run_sync(self._save_plan, action)
        log.info("action_planned", action_id=action.action_id, countries=len(action.countries))
        return action

    def _save_plan(self, action: Action) -> None:
        with self.ctx.engine.begin() as conn:
            self.store.save_plan(action, self.now(), conn)
            for partner in self.node_partners(action):
                self.ctx.outbox.enqueue(
                    partner,
                    PLAN_PATH,
                    {"action": action.to_wire()},
                    kind="action_plan",
                    key=f"{action.action_id}/{action.revision}",
                    conn=conn,
                )
        self.ctx.outbox.wake()  # committed now (its commit hook fires before the commit)

    # --- results (participant, and organiser for itself and guests) ----------------------------
    async def register_result(
        self, principal: Principal, action_id: str, data: dict[str, Any], country: str | None = None
    ) -> Stored:
        return await to_thread.run_sync(
            self.register_result_sync, principal, action_id, data, country
        )

    def register_result_sync(
        self, principal: Principal, action_id: str, data: dict[str, Any], country: str | None = None
    ) -> Stored:
        action = self.get(action_id)
        code = (country or self.country).strip().upper()
        if code != self.country and (
            action.organiser != self.country or not self.is_guest(action, code)
        ):
            raise Forbidden(
                "results are registered at the node of their own country",
                code="action_not_own_country",
                country=code[:8],
            )
        now = self.now()
        result = parse_result(action, data, country=code, now=now)
        by = f"{self.country}:{principal.subject}"
        with _lock(self.ctx.engine):
            if self.store.known(result):  # a repeat (or a conflict): nothing to log or send
                with self.ctx.engine.begin() as conn:
                    return self.store.add_result(result, by, now, conn)
            self._audit_result(principal, action, result)  # before the change: fail closed
            for attempt in range(3):
                try:
                    with self.ctx.engine.begin() as conn:
                        stored = self.store.add_result(result, by, now, conn)
                        if stored.created:
                            self._send(action, stored, conn)
                    break
                except sa.exc.IntegrityError:  # another process registered it meanwhile
                    if attempt == 2:
                        raise
        if stored.created:
            self.ctx.outbox.wake()  # the batch is committed now: push it without waiting
            self.publish(action)
        return stored

    def _audit_result(self, principal: Principal, action: Action, r: Result) -> None:
        if r.note:  # free text may hold personal data: its collection is logged
            self.ctx.audit.append(
                result_event(
                    Country(self.country), principal, EventKind.COLLECTION, r, "registered"
                )
            )
        organiser = node_country(action.organiser)
        if r.share and action.organiser != self.country and organiser is not None:
            self.ctx.audit.append(
                result_event(
                    Country(self.country),
                    principal,
                    EventKind.DISCLOSURE,
                    r,
                    "shared",
                    to=organiser,
                )
            )

    def _send(self, action: Action, stored: Stored, conn: sa.Connection) -> None:
        """In the result's transaction: the aggregates (batched) and a shared record."""
        self.flush(action, conn)
        r = stored.result
        organiser = node_country(action.organiser)
        if r.share and organiser is not None and action.organiser != self.country:
            self.ctx.outbox.enqueue(
                organiser, RECORD_PATH, {"record": r.to_wire()},
                kind="action_record", key=f"{r.action_id}/{r.country}/{r.submission_id}", conn=conn,
            )  # fmt: skip

    def flush(self, action: Action, conn: sa.Connection, only: Country | None = None) -> None:
        """Send what changed to each node that gets this node's aggregates (caller holds the lock).

        A participant sends its own country's to the organiser; the organiser, with
        ``share_back``, every country's to each participant node (but its own).
        """
        targets: list[tuple[Country, str | None]] = []
        if action.organiser != self.country:
            organiser = node_country(action.organiser)
            targets = [(organiser, self.country)] if organiser is not None else []
        elif action.share_back:
            targets = [(p, None) for p in self.node_partners(action)]
        for partner, country in targets:
            if only is not None and partner != only:
                continue
            if batch_pending(conn, partner, action.action_id):
                continue  # its delivery flushes again
            buckets, last = take_batch(conn, action, partner, country)
            if buckets:
                payload = {
                    "action_id": action.action_id,
                    "aggregates": [agreed(action, b) for b in buckets],
                }
                self.ctx.outbox.enqueue(
                    partner, AGGREGATE_PATH, payload,
                    kind=BATCH_KIND, key=f"{action.action_id}/{last}", conn=conn,
                )  # fmt: skip

    def flush_now(self, action: Action, only: Country | None = None) -> None:
        """``flush`` in a transaction of its own (a batch landed; a node restarted)."""
        with _lock(self.ctx.engine), self.ctx.engine.begin() as conn:
            self.flush(action, conn, only)
        self.ctx.outbox.wake()

    def publish(self, action: Action) -> None:
        """Publish the board on ``ops.actions`` soon (coalesced, in the node's publisher).

        The publisher keeps each action's ``LiveBoard`` and reads only what changed.
        """
        ref = weakref.ref(self.ctx)
        boards: dict[str, LiveBoard] = {}

        def compute(action_id: str) -> dict[str, Any] | None:
            ctx = ref()
            if ctx is None:
                return None
            service = ActionService(ctx)
            found = service.store.get(action_id)
            if found is None:
                return None
            board = boards.setdefault(action_id, LiveBoard(action_id))
            board.refresh(ctx.engine)
            return board.render(found, service.country)

        def publish(action_id: str, board: dict[str, Any]) -> None:
            ctx = ref()
            if ctx is not None:
                ctx.live.publish(TOPIC, {"action_id": action_id, "board": board})

        publisher_for(self.ctx.live, compute, publish).changed(action.action_id)

    def node_event(
        self, kind: EventKind, r: Result, outcome: str, partner: Country | None
    ) -> AuditEvent:
        """An audit event whose actor is a partner node (a record it shared with us)."""
        return result_event(Country(self.country), None, kind, r, outcome, partner=partner)

    def receive_batch(self, action: Action, buckets: list[dict[str, Any]]) -> int:
        """Store a partner's aggregates (the organiser passes them on), publish; how many new."""
        with _lock(self.ctx.engine), self.ctx.engine.begin() as conn:
            changed = sum(self.store.apply_bucket(b, self.now(), conn) for b in buckets)
            if changed and action.organiser == self.country:
                self.flush(action, conn)
        if changed:
            self.ctx.outbox.wake()
            self.publish(action)
        return changed

    # --- records (personal data possible: every look is audited) -------------------------------
    def results(self, principal: Principal, action_id: str) -> list[Result]:
        """The raw records registered at this node."""
        action = self.get(action_id)
        found = self.store.results(action.action_id)
        self._consulted(principal, action, "results", len(found))
        return found

    def shared_records(self, principal: Principal, action_id: str) -> list[dict[str, Any]]:
        """At the organiser: the records partners chose to share."""
        action = self.get(action_id)
        found = self.store.shared(action.action_id)
        self._consulted(principal, action, "shared_records", len(found))
        return found

    def _consulted(self, principal: Principal, action: Action, what: str, n: int) -> None:
        here = Country(self.country)
        self.ctx.audit.append(consulted_event(here, principal, action.action_id, what, n))
