"""The consolidated board of a joint action: totals per country, checkpoint and hour.

Computed from the aggregates this node holds (``action_aggregates``): at the
organiser, every country's; at a participant, its own, plus the others' when
the organiser shares them back. Only the agreed aggregates are shown. The
board holds no personal data: counts, quantities and amounts only.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from passerelle.ops.actions import Action
from passerelle.ops.actions_store import AGG_COUNTS
from passerelle.storage.tables_actions import action_aggregate_seizures, action_aggregates

# which stored columns each agreed aggregate covers
METRIC_COLUMNS = {
    "persons_checked": ("persons_checked",),
    "vehicles_checked": ("vehicles_checked",),
    "hits": ("hits",),
    "arrests": ("arrests",),
    "fines": ("fines_count", "fines_cents"),
}


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _columns(action: Action) -> list[str]:
    out = ["results"]
    for m in action.shared_metrics:
        out.extend(METRIC_COLUMNS.get(m, ()))
    return out


def _figures(row: Any, columns: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for c in columns:
        value = int(getattr(row, c) or 0)
        if c == "fines_cents":
            out["fines_amount"] = value / 100
        else:
            out[c] = value
    return out


def _group(conn: sa.Connection, action: Action, by: str, columns: list[str]) -> list[Any]:
    a = action_aggregates
    sums = [sa.func.sum(a.c[c]).label(c) for c in columns]
    query = sa.select(a.c[by], *sums).where(a.c.action_id == action.action_id)
    return list(conn.execute(query.group_by(a.c[by]).order_by(a.c[by])))


def _seizures(
    conn: sa.Connection, action: Action, by: str | None
) -> dict[str, list[dict[str, Any]]]:
    s = action_aggregate_seizures
    keys = [s.c[by]] if by else []
    query = (
        sa.select(*keys, s.c.kind, s.c.unit, sa.func.sum(s.c.milli).label("milli"))
        .where(s.c.action_id == action.action_id)
        .group_by(*keys, s.c.kind, s.c.unit)
        .order_by(*keys, s.c.kind, s.c.unit)
    )
    out: dict[str, list[dict[str, Any]]] = {}
    for row in conn.execute(query):
        label = _label(getattr(row, by)) if by else "all"
        out.setdefault(label, []).append(
            {"type": row.kind, "unit": row.unit, "quantity": int(row.milli) / 1000}
        )
    return out


def _label(value: Any) -> str:
    return _utc(value).isoformat() if isinstance(value, datetime) else str(value)


def compute_board(engine: sa.Engine, action: Action, here: str) -> dict[str, Any]:
    """The board as JSON-ready data (also the ``board`` of an ``ops.actions`` event)."""
    columns = _columns(action)
    with_seizures = "seizures" in action.shared_metrics
    a = action_aggregates
    with engine.connect() as conn:
        total = conn.execute(
            sa.select(*[sa.func.coalesce(sa.func.sum(a.c[c]), 0).label(c) for c in columns]).where(
                a.c.action_id == action.action_id
            )
        ).one()
        parts: dict[str, dict[str, dict[str, Any]]] = {}
        for key, by in (
            ("by_country", "country"),
            ("by_checkpoint", "checkpoint_id"),
            ("by_hour", "hour"),
        ):
            seized = _seizures(conn, action, by) if with_seizures else {}
            parts[key] = {}
            for row in _group(conn, action, by, columns):
                label = _label(getattr(row, by))
                entry = _figures(row, columns)
                if with_seizures:
                    entry["seizures"] = seized.get(label, [])
                parts[key][label] = entry
        totals = _figures(total, columns)
        if with_seizures:
            totals["seizures"] = _seizures(conn, action, None).get("all", [])
        updated = conn.execute(
            sa.select(sa.func.max(a.c.updated_at)).where(a.c.action_id == action.action_id)
        ).scalar()
    return {
        "action_id": action.action_id,
        "name": action.name,
        "organiser": action.organiser,
        "node": here,
        "metrics": list(action.shared_metrics),
        "countries": list(action.countries),
        "reporting": sorted(parts["by_country"]),
        "totals": totals,
        **parts,
        "updated_at": _utc(updated).isoformat() if updated else None,
    }


COUNT_COLUMNS = ("results", *AGG_COUNTS)
GROUPS = (("by_country", 0), ("by_checkpoint", 1), ("by_hour", 2))


class _Sum:
    """Figures of a group of aggregates, exact (counts, cents, thousandths)."""

    def __init__(self) -> None:
        self.counts = dict.fromkeys(COUNT_COLUMNS, 0)
        self.seized: dict[tuple[str, str], int] = {}

    def add(self, other: _Bucket, sign: int) -> None:
        for c in COUNT_COLUMNS:
            self.counts[c] += sign * other.counts[c]
        for k, m in other.seized.items():
            left = self.seized.get(k, 0) + sign * m
            if left:
                self.seized[k] = left
            else:
                self.seized.pop(k, None)

    def render(self, columns: list[str], with_seizures: bool) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for c in columns:
            if c == "fines_cents":
                out["fines_amount"] = self.counts[c] / 100
            else:
                out[c] = self.counts[c]
        if with_seizures:
            out["seizures"] = [
                {"type": k, "unit": u, "quantity": m / 1000}
                for (k, u), m in sorted(self.seized.items())
            ]
        return out


class _Bucket:
    def __init__(self, counts: dict[str, int], seized: dict[tuple[str, str], int]) -> None:
        self.counts, self.seized = counts, seized


class LiveBoard:
    """The board of one action, kept in memory and brought up to date from the
    aggregates changed since the last look (``seq``): each refresh reads only
    those, however large the action. Equal to ``compute_board`` (tested).
    """

    def __init__(self, action_id: str) -> None:
        self.action_id = action_id
        self.last_seq = 0
        self.updated: datetime | None = None
        self.buckets: dict[tuple[str, str, str], _Bucket] = {}
        self.total = _Sum()
        self.groups: dict[str, dict[str, _Sum]] = {name: {} for name, _ in GROUPS}

    def refresh(self, engine: sa.Engine) -> None:
        a, s = action_aggregates, action_aggregate_seizures
        cond = (a.c.action_id == self.action_id, a.c.seq > self.last_seq)
        keys = ("country", "checkpoint_id", "hour")
        with engine.connect() as conn:
            rows = conn.execute(sa.select(a).where(*cond).order_by(a.c.seq)).all()
            if not rows:
                return
            top = int(rows[-1].seq)
            joined = sa.and_(*[s.c[k] == a.c[k] for k in ("action_id", *keys)])
            seized: dict[tuple[str, str, str], dict[tuple[str, str], int]] = {}
            for x in conn.execute(
                sa.select(s.c.country, s.c.checkpoint_id, s.c.hour, s.c.kind, s.c.unit, s.c.milli)
                .select_from(s.join(a, joined))
                .where(*cond, a.c.seq <= top)
            ):
                key = (x.country, x.checkpoint_id, _label(x.hour))
                seized.setdefault(key, {})[(x.kind, x.unit)] = int(x.milli)
        for r in rows:
            key = (r.country, r.checkpoint_id, _label(r.hour))
            new = _Bucket({c: int(getattr(r, c)) for c in COUNT_COLUMNS}, seized.get(key, {}))
            old = self.buckets.get(key)
            for acc in (
                self.total,
                *(self.groups[g].setdefault(key[i], _Sum()) for g, i in GROUPS),
            ):
                if old is not None:
                    acc.add(old, -1)
                acc.add(new, 1)
            self.buckets[key] = new
            moment = _utc(r.updated_at)
            self.updated = moment if self.updated is None else max(self.updated, moment)
        self.last_seq = top

    def render(self, action: Action, here: str) -> dict[str, Any]:
        columns = _columns(action)
        with_seizures = "seizures" in action.shared_metrics
        parts = {
            name: {
                k: v.render(columns, with_seizures) for k, v in sorted(self.groups[name].items())
            }
            for name, _ in GROUPS
        }
        return {
            "action_id": action.action_id,
            "name": action.name,
            "organiser": action.organiser,
            "node": here,
            "metrics": list(action.shared_metrics),
            "countries": list(action.countries),
            "reporting": sorted(parts["by_country"]),
            "totals": self.total.render(columns, with_seizures),
            **parts,
            "updated_at": self.updated.isoformat() if self.updated else None,
        }


__all__ = ["AGG_COUNTS", "LiveBoard", "compute_board"]
