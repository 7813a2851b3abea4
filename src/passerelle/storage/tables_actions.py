"""Tables of joint actions (``passerelle.ops``; migration 0013; same metadata).

- ``joint_actions``: the plan, at the organiser and at every participant node.
- ``action_results``: raw results registered at *this* node (never sent whole;
  a record goes to the organiser only when its country chose to share it).
- ``action_aggregates`` / ``action_aggregate_seizures``: the agreed aggregates
  per country, checkpoint and hour: this node's own, and (at the organiser, and
  at participants when the organiser shares back) those received from partners.
  ``revision`` only grows: an older copy never overwrites a newer one. ``seq``
  orders the changes of an action; ``action_sync`` holds, per partner node, the
  ``seq`` up to which it has been sent (batches, one in flight per partner).
- ``action_shared_records``: records a partner chose to share (at the organiser).
"""

from __future__ import annotations

import sqlalchemy as sa

from passerelle.storage.tables import metadata

_TS = sa.DateTime(timezone=True)

joint_actions = sa.Table(
    "joint_actions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("action_id", sa.String(20), nullable=False, unique=True),
    sa.Column("organiser", sa.String(2), nullable=False),
    sa.Column("name", sa.String(120), nullable=False),
    sa.Column("starts_at", _TS, nullable=False),
    sa.Column("ends_at", _TS, nullable=False, index=True),
    sa.Column("revision", sa.Integer, nullable=False),
    sa.Column("plan", sa.Text, nullable=False),  # the plan as sent over the wire (JSON)
    sa.Column("received_at", _TS, nullable=False),
)

action_results = sa.Table(
    "action_results",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("action_id", sa.String(20), nullable=False),
    sa.Column("country", sa.String(2), nullable=False),
    sa.Column("submission_id", sa.String(64), nullable=False),
    sa.Column("content_hash", sa.String(64), nullable=False),
    sa.Column("service", sa.String(20), nullable=False),
    sa.Column("checkpoint_id", sa.String(40), nullable=False),
    sa.Column("occurred_at", _TS, nullable=False),
    sa.Column("hour", _TS, nullable=False),
    sa.Column("persons_checked", sa.Integer, nullable=False),
    sa.Column("vehicles_checked", sa.Integer, nullable=False),
    sa.Column("hits", sa.Integer, nullable=False),
    sa.Column("arrests", sa.Integer, nullable=False),
    sa.Column("fines_count", sa.Integer, nullable=False),
    sa.Column("fines_cents", sa.BigInteger, nullable=False),
    sa.Column("seizures", sa.Text, nullable=False),  # JSON [[type, unit, milli], ...]
    sa.Column("note", sa.Text, nullable=True),  # personal data possible
    sa.Column("share", sa.Boolean, nullable=False),
    sa.Column("registered_by", sa.String(130), nullable=False),
    sa.Column("registered_at", _TS, nullable=False),
    sa.UniqueConstraint("action_id", "country", "submission_id", name="uq_action_results_key"),
    sa.Index("ix_action_results_action_id_hour", "action_id", "hour"),
)

action_aggregates = sa.Table(
    "action_aggregates",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("action_id", sa.String(20), nullable=False),
    sa.Column("country", sa.String(2), nullable=False),
    sa.Column("checkpoint_id", sa.String(40), nullable=False),
    sa.Column("hour", _TS, nullable=False),
    sa.Column("revision", sa.Integer, nullable=False),
    sa.Column("results", sa.Integer, nullable=False),
    sa.Column("persons_checked", sa.Integer, nullable=False),
    sa.Column("vehicles_checked", sa.Integer, nullable=False),
    sa.Column("hits", sa.Integer, nullable=False),
    sa.Column("arrests", sa.Integer, nullable=False),
    sa.Column("fines_count", sa.Integer, nullable=False),
    sa.Column("fines_cents", sa.BigInteger, nullable=False),
    sa.Column("updated_at", _TS, nullable=False),
    sa.Column("seq", sa.BigInteger, nullable=False),  # order of changes within the action
    sa.UniqueConstraint(
        "action_id", "country", "checkpoint_id", "hour", name="uq_action_aggregates_key"
    ),
    sa.Index("ix_action_aggregates_action_id_seq", "action_id", "seq"),
)

# How far each partner node has been sent this action's aggregates (change ``seq``).
action_sync = sa.Table(
    "action_sync",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("action_id", sa.String(20), nullable=False),
    sa.Column("partner", sa.String(2), nullable=False),
    sa.Column("sent_seq", sa.BigInteger, nullable=False),
    sa.UniqueConstraint("action_id", "partner", name="uq_action_sync_key"),
)

action_aggregate_seizures = sa.Table(
    "action_aggregate_seizures",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("action_id", sa.String(20), nullable=False),
    sa.Column("country", sa.String(2), nullable=False),
    sa.Column("checkpoint_id", sa.String(40), nullable=False),
    sa.Column("hour", _TS, nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("unit", sa.String(10), nullable=False),
    sa.Column("milli", sa.BigInteger, nullable=False),
    sa.UniqueConstraint(
        "action_id",
        "country",
        "checkpoint_id",
        "hour",
        "kind",
        "unit",
        name="uq_action_aggregate_seizures_key",
    ),
)

action_shared_records = sa.Table(
    "action_shared_records",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("action_id", sa.String(20), nullable=False),
    sa.Column("country", sa.String(2), nullable=False),
    sa.Column("submission_id", sa.String(64), nullable=False),
    sa.Column("record", sa.Text, nullable=False),  # JSON, as shared (personal data possible)
    sa.Column("received_at", _TS, nullable=False),
    sa.UniqueConstraint("action_id", "country", "submission_id", name="uq_action_shared_key"),
)

from passerelle.ops import actions_retention  # noqa: E402,F401  (registers the retention rules)
