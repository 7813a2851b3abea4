"""Joint actions in the node's database: plans, raw results, aggregates, shared records.

Writing a result and adding it to its aggregate (country, checkpoint, hour)
happen in one transaction, so the aggregates always equal the sum of the
results. A partner's aggregate replaces ours only when its revision is newer.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from passerelle.exc import InvalidInput, PasserelleError
from passerelle.ops.action_results import COUNTS, Result, Seizure
from passerelle.ops.actions import Action, Service
from passerelle.storage.tables_actions import (
    action_aggregate_seizures,
    action_aggregates,
    action_results,
    action_shared_records,
    joint_actions,
)

AGG_COUNTS = (*COUNTS, "fines_cents")
BUCKET = ("action_id", "country", "checkpoint_id", "hour")


class ActionConflict(PasserelleError):
    status = 409
    code = "action_conflict"


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


@dataclass(frozen=True)
class Stored:
    """A registered result: ``created`` is False when it was already there (a repeat)."""

    result: Result
    created: bool
    aggregate: dict[str, Any] | None  # the bucket after the change (None for a repeat)


def next_seq(conn: sa.Connection, action_id: str) -> int:
    """The next change number of an action (call in the writing transaction, under the lock)."""
    a = action_aggregates
    top = conn.execute(sa.select(sa.func.max(a.c.seq)).where(a.c.action_id == action_id)).scalar()
    return int(top or 0) + 1


class ActionStore:
    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    # --- plans ------------------------------------------------------------------------------
    def save_plan(self, action: Action, now: datetime, conn: sa.Connection | None = None) -> bool:
        """Store the plan (or a newer revision of it); False when we hold it already."""
        if conn is None:
            with self.engine.begin() as own:
                return self.save_plan(action, now, own)
        t = joint_actions
        row = {
            "organiser": action.organiser,
            "name": action.name,
            "starts_at": action.starts_at,
            "ends_at": action.ends_at,
            "revision": action.revision,
            "plan": json.dumps(action.to_wire(), separators=(",", ":")),
            "received_at": now,
        }
        updated = conn.execute(
            t.update()
            .where(t.c.action_id == action.action_id, t.c.revision < action.revision)
            .values(**row)
        ).rowcount
        if updated:
            return True
        exists = conn.execute(
            sa.select(t.c.organiser).where(t.c.action_id == action.action_id)
        ).first()
        if exists is not None:
            if exists.organiser != action.organiser:
                raise ActionConflict("action id taken", code="action_conflict")
            return False
        conn.execute(t.insert().values(action_id=action.action_id, **row))
        return True

    def get(self, action_id: str) -> Action | None:
        with self.engine.connect() as conn:
            plan = conn.execute(
                sa.select(joint_actions.c.plan).where(joint_actions.c.action_id == action_id)
            ).scalar()
        return Action.from_wire(json.loads(plan)) if plan else None

    def find(self, *, limit: int = 100) -> list[Action]:
        t = joint_actions
        with self.engine.connect() as conn:
            plans = conn.execute(
                sa.select(t.c.plan).order_by(t.c.starts_at.desc(), t.c.id.desc()).limit(limit)
            ).scalars()
            return [Action.from_wire(json.loads(p)) for p in plans]

    # --- results ----------------------------------------------------------------------------
    def known(self, result: Result) -> bool:
        """Whether this submission id was registered already (same content or not)."""
        r = action_results
        with self.engine.connect() as conn:
            found = conn.execute(
                sa.select(r.c.id).where(
                    r.c.action_id == result.action_id,
                    r.c.country == result.country,
                    r.c.submission_id == result.submission_id,
                )
            ).first()
        return found is not None

    def add_result(
        self, result: Result, registered_by: str, now: datetime, conn: sa.Connection
    ) -> Stored:
        """Insert the result and add it to its bucket (caller's transaction).

        The same submission with the same content is a repeat (nothing changes); with
        other content it is a conflict.
        """
        r = action_results
        existing = conn.execute(
            sa.select(r.c.content_hash).where(
                r.c.action_id == result.action_id,
                r.c.country == result.country,
                r.c.submission_id == result.submission_id,
            )
        ).first()
        if existing is not None:
            if existing.content_hash == result.content_hash():
                return Stored(result, False, None)
            raise ActionConflict(
                "this submission id was used for other content",
                code="action_result_conflict",
                submission_id=result.submission_id,
            )
        conn.execute(
            r.insert().values(
                action_id=result.action_id,
                country=result.country,
                submission_id=result.submission_id,
                content_hash=result.content_hash(),
                service=result.service.value,
                checkpoint_id=result.checkpoint_id,
                occurred_at=result.occurred_at,
                hour=result.hour,
                **{k: getattr(result, k) for k in AGG_COUNTS},
                seizures=json.dumps([[s.kind, s.unit, s.milli] for s in result.seizures]),
                note=result.note,
                share=result.share,
                registered_by=registered_by[:130],
                registered_at=now,
            )
        )
        return Stored(result, True, self._add_to_bucket(result, now, conn))

    def _add_to_bucket(self, result: Result, now: datetime, conn: sa.Connection) -> dict[str, Any]:
        a = action_aggregates
        key = dict(
            zip(
                BUCKET,
                (result.action_id, result.country, result.checkpoint_id, result.hour),
                strict=True,
            )
        )
        where = [a.c[k] == v for k, v in key.items()]
        deltas = {k: a.c[k] + getattr(result, k) for k in AGG_COUNTS}
        seq = next_seq(conn, result.action_id)
        done = conn.execute(
            a.update()
            .where(*where)
            .values(
                revision=a.c.revision + 1, results=a.c.results + 1, updated_at=now, seq=seq,
                **deltas,
            )
        ).rowcount  # fmt: skip
        if not done:
            conn.execute(
                a.insert().values(
                    **key,
                    revision=1,
                    results=1,
                    updated_at=now,
                    seq=seq,
                    **{k: getattr(result, k) for k in AGG_COUNTS},
                )
            )
        s = action_aggregate_seizures
        for item in result.seizures:
            swhere = [s.c[k] == v for k, v in key.items()] + [
                s.c.kind == item.kind,
                s.c.unit == item.unit,
            ]
            if not conn.execute(
                s.update().where(*swhere).values(milli=s.c.milli + item.milli)
            ).rowcount:
                conn.execute(
                    s.insert().values(**key, kind=item.kind, unit=item.unit, milli=item.milli)
                )
        return self.bucket(key, conn)

    def bucket(self, key: dict[str, Any], conn: sa.Connection) -> dict[str, Any]:
        """One aggregate as sent to the organiser (every count, all seizures)."""
        a, s = action_aggregates, action_aggregate_seizures
        row = conn.execute(sa.select(a).where(*[a.c[k] == v for k, v in key.items()])).one()
        seized = conn.execute(
            sa.select(s.c.kind, s.c.unit, s.c.milli)
            .where(*[s.c[k] == v for k, v in key.items()])
            .order_by(s.c.kind, s.c.unit)
        ).all()
        return {
            "action_id": row.action_id,
            "country": row.country,
            "checkpoint_id": row.checkpoint_id,
            "hour": _utc(row.hour).isoformat(),
            "revision": int(row.revision),
            "results": int(row.results),
            **{k: int(getattr(row, k)) for k in AGG_COUNTS},
            "seizures": [[x.kind, x.unit, int(x.milli)] for x in seized],
        }

    def apply_bucket(self, bucket: dict[str, Any], now: datetime, conn: sa.Connection) -> bool:
        """Store a partner's aggregate unless we hold the same or a newer revision."""
        a, s = action_aggregates, action_aggregate_seizures
        try:
            key = {
                "action_id": str(bucket["action_id"]),
                "country": str(bucket["country"]),
                "checkpoint_id": str(bucket["checkpoint_id"])[:40],
                "hour": _utc(datetime.fromisoformat(str(bucket["hour"]))),
            }
            values = {k: int(bucket.get(k) or 0) for k in (*AGG_COUNTS, "results")}
            revision = int(bucket["revision"])
            seizures = [Seizure(str(k), str(u), int(m)) for k, u, m in bucket.get("seizures") or []]
            seizures = [x for x in seizures if x.milli]
        except (KeyError, TypeError, ValueError):
            raise InvalidInput("malformed aggregate", code="action_malformed") from None
        if any(v < 0 for v in values.values()) or any(x.milli < 0 for x in seizures):
            raise InvalidInput("negative aggregate", code="action_malformed")
        where = [a.c[k] == v for k, v in key.items()]
        seq = next_seq(conn, str(key["action_id"]))
        done = conn.execute(
            a.update()
            .where(*where, a.c.revision < revision)
            .values(revision=revision, updated_at=now, seq=seq, **values)
        ).rowcount
        if not done:
            if conn.execute(sa.select(a.c.id).where(*where)).first() is not None:
                return False  # same or newer already here
            conn.execute(
                a.insert().values(**key, revision=revision, updated_at=now, seq=seq, **values)
            )
        conn.execute(s.delete().where(*[s.c[k] == v for k, v in key.items()]))
        if seizures:
            conn.execute(
                s.insert(),
                [
                    {**key, "kind": x.kind[:20], "unit": x.unit[:10], "milli": x.milli}
                    for x in seizures
                ],
            )
        return True

    def results(
        self, action_id: str, country: str | None = None, limit: int = 1000
    ) -> list[Result]:
        r = action_results
        query = sa.select(r).where(r.c.action_id == action_id)
        if country is not None:
            query = query.where(r.c.country == country)
        with self.engine.connect() as conn:
            rows = conn.execute(query.order_by(r.c.occurred_at.desc(), r.c.id.desc()).limit(limit))
            return [self._result(row) for row in rows]

    @staticmethod
    def _result(row: Any) -> Result:
        return Result(
            action_id=row.action_id,
            submission_id=row.submission_id,
            country=row.country,
            service=Service(row.service),
            checkpoint_id=row.checkpoint_id,
            occurred_at=_utc(row.occurred_at),
            persons_checked=int(row.persons_checked),
            vehicles_checked=int(row.vehicles_checked),
            hits=int(row.hits),
            arrests=int(row.arrests),
            fines_count=int(row.fines_count),
            fines_cents=int(row.fines_cents),
            seizures=tuple(Seizure(k, u, int(m)) for k, u, m in json.loads(row.seizures)),
            note=row.note,
            share=bool(row.share),
        )

    # --- shared records ---------------------------------------------------------------------
    def has_shared(self, action_id: str, country: str, submission_id: str) -> bool:
        t = action_shared_records
        with self.engine.connect() as conn:
            return (
                conn.execute(
                    sa.select(t.c.id).where(
                        t.c.action_id == action_id,
                        t.c.country == country,
                        t.c.submission_id == submission_id,
                    )
                ).first()
                is not None
            )

    def save_shared(
        self, action_id: str, country: str, record: dict[str, Any], now: datetime
    ) -> bool:
        t = action_shared_records
        sid = str(record.get("submission_id") or "")[:64]
        with self.engine.begin() as conn:
            if conn.execute(
                sa.select(t.c.id).where(
                    t.c.action_id == action_id, t.c.country == country, t.c.submission_id == sid
                )
            ).first():
                return False
            conn.execute(
                t.insert().values(
                    action_id=action_id,
                    country=country,
                    submission_id=sid,
                    record=json.dumps(record, separators=(",", ":")),
                    received_at=now,
                )
            )
        return True

    def shared(self, action_id: str, limit: int = 1000) -> list[dict[str, Any]]:
        t = action_shared_records
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(t.c.country, t.c.record)
                .where(t.c.action_id == action_id)
                .order_by(t.c.id.desc())
                .limit(limit)
            )
            return [{**json.loads(r.record), "country": r.country} for r in rows]
