"""Tables of ``pursuits`` (imported at the end of ``storage.tables``; same metadata).

The origin node of a cross-border pursuit keeps the pursuit, every position
reported (accepted or rejected: nothing is lost), the steps of its timeline,
and the notifications it sent. A partner node keeps the notifications it
received (``direction = 'in'``). Positions and steps go with their pursuit
(``ON DELETE CASCADE``: the ``pursuits`` retention rule); notifications have a
rule of their own (``pursuit_notifications``).
"""

from __future__ import annotations

import sqlalchemy as sa

from passerelle.ops import pursuits_retention  # noqa: F401  (registers the retention rules)
from passerelle.storage.tables import metadata


def _pursuit_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["pursuit_id"],
        ["ops_pursuits.pursuit_id"],
        name=f"fk_{table}_pursuit_id",
        ondelete="CASCADE",
    )


ops_pursuits = sa.Table(
    "ops_pursuits",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("pursuit_id", sa.String(40), nullable=False, unique=True),
    sa.Column("origin_country", sa.String(2), nullable=False),
    sa.Column("status", sa.String(10), nullable=False, index=True),  # active | ended
    sa.Column("subject", sa.String(300), nullable=False),  # what is pursued (personal data)
    sa.Column("reason", sa.String(300), nullable=False),
    sa.Column("units", sa.Text, nullable=False),  # JSON list of call signs
    sa.Column("opened_by", sa.String(130), nullable=False),
    sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("country", sa.String(2), nullable=True),  # where the last position is
    sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True, index=True),
    sa.Column("ended_by", sa.String(130), nullable=True),
    sa.Column("outcome", sa.String(20), nullable=True),
    sa.Column("outcome_note", sa.String(500), nullable=True),
)

# Every position reported for a pursuit; ``seq`` is the order of arrival, ``at`` the
# time of the fix. Rejected positions are kept with the reason (code + params).
ops_pursuit_positions = sa.Table(
    "ops_pursuit_positions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("pursuit_id", sa.String(40), nullable=False, index=True),
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("lat", sa.Float, nullable=False),
    sa.Column("lon", sa.Float, nullable=False),
    sa.Column("accuracy_m", sa.Float, nullable=True),
    sa.Column("territory", sa.String(2), nullable=True),  # ISO alpha-2 (FR too), NULL: water
    sa.Column("status", sa.String(10), nullable=False),  # accepted | rejected
    sa.Column("late", sa.Boolean, nullable=False),  # arrived after a later fix
    sa.Column("speed_kmh", sa.Float, nullable=True),  # implied, from the previous fix
    sa.Column("reason", sa.String(40), nullable=True),  # rejected: error code
    sa.Column("params", sa.Text, nullable=True),  # rejected: JSON params of the reason
    sa.Column("source", sa.String(10), nullable=False),  # api | phone | manual | open
    sa.Column("reported_by", sa.String(130), nullable=False),
    sa.UniqueConstraint("pursuit_id", "seq", name="uq_ops_pursuit_positions_pursuit_id_seq"),
    _pursuit_fk("ops_pursuit_positions"),
)

# The steps of a pursuit's timeline other than positions: opened, crossing,
# notified, delivered, acknowledged, escalated, ended, exported ...
ops_pursuit_steps = sa.Table(
    "ops_pursuit_steps",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("pursuit_id", sa.String(40), nullable=False, index=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("step", sa.String(20), nullable=False),
    sa.Column("country", sa.String(2), nullable=True),
    sa.Column("actor", sa.String(130), nullable=False),
    sa.Column("data", sa.Text, nullable=False),  # JSON
    _pursuit_fk("ops_pursuit_steps"),
)

# Notifications to (``out``, at the origin) and from (``in``, at the partner) a
# partner's control room. ``message`` is a code and params, translated where read.
ops_pursuit_notifications = sa.Table(
    "ops_pursuit_notifications",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("notification_id", sa.String(40), nullable=False),
    sa.Column("direction", sa.String(3), nullable=False),  # out | in
    sa.Column("pursuit_id", sa.String(40), nullable=False, index=True),
    sa.Column("origin_country", sa.String(2), nullable=False),
    sa.Column("partner_country", sa.String(2), nullable=False),  # the notified country
    sa.Column("kind", sa.String(10), nullable=False),  # entered | left | ended
    sa.Column("requires_ack", sa.Boolean, nullable=False),
    sa.Column("payload", sa.Text, nullable=False),  # JSON: code, params, pursuit, position
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, index=True),
    sa.Column("received_at", sa.DateTime(timezone=True), nullable=True),  # in: here
    sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),  # out: at partner
    sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("acknowledged_by", sa.String(130), nullable=True),
    sa.Column("escalations", sa.Integer, nullable=False),
    sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=True),
    sa.UniqueConstraint(
        "notification_id", "direction", name="uq_ops_pursuit_notifications_id_direction"
    ),
)
