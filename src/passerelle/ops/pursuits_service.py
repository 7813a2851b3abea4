"""The pursuit service of the origin node: open, add positions, end; read the timeline.

Synchronous (database work): call it from a worker thread or a sync route.
Each change is written in one transaction with its steps and the outbox
messages it causes, after its audit entry (fail closed). A position is tested
against the border geometry; when the pursuit enters a partner's territory,
that partner's control room is notified through the outbox (``pursuits_notify``).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from passerelle.auth.roles import Principal
from passerelle.exc import InvalidInput
from passerelle.ops.borders import check_position
from passerelle.ops.pursuits import (
    Outcome,
    Position,
    Pursuit,
    PursuitStatus,
    Source,
    Verdict,
    clean_text,
    new_pursuit_id,
    parse_pursuit_id,
    parse_units,
    utc,
)
from passerelle.ops.pursuits_base import PositionRejected, PursuitBase, PursuitConflict
from passerelle.ops.pursuits_notify import Planned
from passerelle.ops.pursuits_runtime import actor_name
from passerelle.ops.pursuits_store import Notification, Step

__all__ = ["PositionRejected", "PositionResult", "PursuitConflict", "PursuitService"]


@dataclass(frozen=True)
class PositionResult:
    pursuit: Pursuit
    position: Position
    crossing: dict[str, Any] | None = None
    notifications: list[Notification] = field(default_factory=list)


class PursuitService(PursuitBase):
    """Open a pursuit, add its positions, end it (reading: ``PursuitBase``)."""

    # --- changes ----------------------------------------------------------------------------
    def open(
        self,
        principal: Principal,
        subject: str,
        reason: str,
        units: list[str] | tuple[str, ...] | str = (),
        *,
        lat: float | None = None,
        lon: float | None = None,
        at: datetime | None = None,
    ) -> Pursuit:
        now = self.runtime.now()
        pursuit = Pursuit(
            pursuit_id=new_pursuit_id(self.country, secrets.token_hex(8)),
            origin_country=self.country,
            status=PursuitStatus.ACTIVE,
            subject=clean_text(subject, 300, "pursuit_subject_missing"),
            reason=clean_text(reason, 300, "pursuit_reason_missing"),
            units=parse_units(units if isinstance(units, str) else list(units)),
            opened_by=actor_name(self.ctx, principal),
            opened_at=now,
        )
        if (lat is None) != (lon is None):
            raise InvalidInput("give both latitude and longitude", code="position_invalid")
        if lat is not None and lon is not None:
            check_position(lat, lon)
            # the time of the first fix is checked before anything is stored: a refused
            # opening must not leave a pursuit behind (the caller would open it again)
            first = self._judge([], lat, lon, utc(at) or now, now=now, opened_at=now)
            if not first.accepted:
                raise InvalidInput(
                    f"position refused: {first.reason}",
                    code=first.reason or "position_invalid",
                    **first.params,
                )
        self.runtime.audit(
            principal,
            "opened",
            pursuit.pursuit_id,
            detail={"units": len(pursuit.units)},
            query={"subject": pursuit.subject},  # personal data: stored protected
        )
        with self.ctx.engine.begin() as conn:
            self.store.insert(conn, pursuit)
            data = {
                "subject": pursuit.subject,
                "reason": pursuit.reason,
                "units": list(pursuit.units),
            }
            self.store.add_step(
                conn,
                pursuit.pursuit_id,
                Step(now, "opened", self.country.value, pursuit.opened_by, data),
            )
        self._publish("opened", pursuit)
        if lat is not None and lon is not None:
            pursuit = self.add_position(
                principal, pursuit.pursuit_id, lat, lon, at=at or now, source=Source.OPEN
            ).pursuit
        return pursuit

    def add_position(
        self,
        principal: Principal,
        pursuit_id: str,
        lat: float,
        lon: float,
        *,
        at: datetime | None = None,
        accuracy_m: float | None = None,
        source: Source = Source.API,
    ) -> PositionResult:
        """Record a fix; raise ``PositionRejected`` (after recording it) when it is absurd."""
        lat, lon = check_position(lat, lon)
        pid = parse_pursuit_id(pursuit_id)
        with self.runtime.lock(pid):
            return self._add_position(principal, pid, lat, lon, at, accuracy_m, source)

    def _add_position(
        self,
        principal: Principal,
        pid: str,
        lat: float,
        lon: float,
        at: datetime | None,
        accuracy_m: float | None,
        source: Source,
    ) -> PositionResult:
        now = self.runtime.now()
        fix_at = utc(at) or now
        pursuit = self._local(pid)
        before, after, previous = self.store.neighbours(pid, fix_at)
        accepted = [p for p in (before, after) if p is not None]  # all the judge needs
        if not pursuit.active:
            verdict = Verdict(False, False, None, "pursuit_ended")
        else:
            verdict = self._judge(accepted, lat, lon, fix_at, now=now, opened_at=pursuit.opened_at)
        territory = self.runtime.borders.territory_at(lat, lon)
        reporter = actor_name(self.ctx, principal)
        crossing: dict[str, Any] | None = None
        plan: list[Planned] = []
        if verdict.accepted:
            # a fix is compared with the fix on land before it in time; the first one with
            # the origin country (a pursuit may be opened when it has already crossed)
            previous = previous or self.country.value
            # A late fix on the far side of a crossing that a later fix already reported
            # (it came first): the same crossing, not a new one to notify again.
            known = after is not None and self.store.land_after(pid, fix_at) == territory
            if territory and territory != previous and not known:
                crossing = {"from": previous, "to": territory, "late": verdict.late}
                plan = self.notices.plan_crossing(pursuit, previous, territory)
        outcome = "position" if verdict.accepted else "position_rejected"
        self.runtime.audit(
            principal,
            outcome,
            pid,
            detail={
                "territory": territory,
                "late": verdict.late,
                "reason": verdict.reason,
                "crossing": f"{crossing['from']}>{crossing['to']}" if crossing else None,
                "notify": [f"{p.territory}:{p.kind.value}" for p in plan],
            },
            query={"lat": lat, "lon": lon, "at": fix_at.isoformat()},
            recipients=tuple(p.partner for p in plan if p.partner is not None),
        )
        sent: list[Notification] = []
        with self.ctx.engine.begin() as conn:
            position = Position(
                seq=self.store.next_seq(conn, pid),
                at=fix_at,
                received_at=now,
                lat=lat,
                lon=lon,
                territory=territory,
                status="accepted" if verdict.accepted else "rejected",
                late=verdict.late,
                source=source,
                reported_by=reporter,
                accuracy_m=accuracy_m,
                speed_kmh=verdict.speed_kmh,
                reason=verdict.reason,
                params=verdict.params,
            )
            self.store.add_position(conn, pid, position)
            if crossing is not None:
                step = Step(fix_at, "crossing", territory, reporter, crossing)
                self.store.add_step(conn, pid, step)
                sent = self.notices.send(
                    conn,
                    pursuit,
                    plan,
                    position=position,
                    came_from=crossing["from"],
                    went_to=crossing["to"],
                )
            latest = verdict.accepted and after is None  # the latest fix in time
            if latest and territory and territory != pursuit.country:
                pursuit = replace(pursuit, country=territory)
                self.store.update(conn, pursuit)
        self._publish(
            outcome,
            pursuit,
            position=position.to_dict(),
            crossing=crossing,
            notifications=[n.notification_id for n in sent],
        )
        if not verdict.accepted:
            raise PositionRejected(
                f"position rejected: {verdict.reason}",
                code=verdict.reason,
                seq=position.seq,
                **verdict.params,
            )
        return PositionResult(pursuit, position, crossing, sent)

    def end(
        self, principal: Principal, pursuit_id: str, outcome: Outcome | str, note: str | None = None
    ) -> Pursuit:
        try:
            result = Outcome(outcome)
        except ValueError:
            raise InvalidInput("unknown outcome", code="pursuit_outcome_invalid") from None
        pid = parse_pursuit_id(pursuit_id)
        with self.runtime.lock(pid):
            pursuit = self._local(pid)
            if not pursuit.active:
                raise PursuitConflict("the pursuit has already ended", code="pursuit_ended")
            now = self.runtime.now()
            by = actor_name(self.ctx, principal)
            ended = replace(
                pursuit,
                status=PursuitStatus.ENDED,
                ended_at=now,
                ended_by=by,
                outcome=result,
                outcome_note=" ".join((note or "").split())[:500] or None,
            )
            plan = self.notices.plan_end(ended)
            self.runtime.audit(
                principal,
                "ended",
                pid,
                detail={"outcome": result.value, "notify": [p.territory for p in plan]},
                recipients=tuple(p.partner for p in plan if p.partner is not None),
            )
            with self.ctx.engine.begin() as conn:
                self.store.update(conn, ended)
                data = {"outcome": result.value, "note": ended.outcome_note or ""}
                self.store.add_step(conn, pid, Step(now, "ended", pursuit.country, by, data))
                self.notices.send(conn, ended, plan)
        self._publish("ended", ended)
        return ended
