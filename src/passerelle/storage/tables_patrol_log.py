"""Tables of the patrol log (imported at the end of ``storage.tables``; same metadata).

Each node keeps the log of what *its own* officers of a joint patrol did: the
checks they ran (kind, time, outcome summary: never the subject, which the
audit log already holds), the incidents they recorded, and, when the crew
switched them on for that patrol, the positions of the patrol. Everything goes
with its patrol (``ON DELETE CASCADE``: the ``patrols`` retention rule);
positions also have a shorter clock of their own (``patrol_positions``).
"""

from __future__ import annotations

import sqlalchemy as sa

from passerelle.ops import patrol_log  # noqa: F401  (registers the positions' retention rule)
from passerelle.storage.tables import metadata


def _patrol_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["patrol_id"],
        ["joint_patrols.patrol_id"],
        name=f"fk_{table}_patrol_id",
        ondelete="CASCADE",
    )


# One row per check run in a patrol's name, or per incident recorded by its crew.
patrol_log_entries = sa.Table(
    "patrol_log_entries",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("patrol_id", sa.String(40), nullable=False, index=True),
    sa.Column("entry_kind", sa.String(10), nullable=False),  # check | incident
    sa.Column("at", sa.DateTime(timezone=True), nullable=False, index=True),
    sa.Column("recorded_by", sa.String(130), nullable=False),  # COUNTRY:user (pseudonymous)
    # checks: the check id (to find the audit entries), kind and outcome summary only
    sa.Column("check_id", sa.String(32), nullable=True, unique=True),
    sa.Column("check_kind", sa.String(10), nullable=True),
    sa.Column("outcome", sa.String(20), nullable=True),
    sa.Column("sources", sa.String(200), nullable=True),  # e.g. "BE:no_hit NL:hit"
    # incidents: category, free text, where
    sa.Column("category", sa.String(30), nullable=True),
    sa.Column("text", sa.String(1000), nullable=True),
    sa.Column("lat", sa.Float, nullable=True),
    sa.Column("lon", sa.Float, nullable=True),
    _patrol_fk("patrol_log_entries"),
)

# Positions of a patrol whose crew switched tracking on (opt-in, per patrol).
patrol_positions = sa.Table(
    "patrol_positions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("patrol_id", sa.String(40), nullable=False, index=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False, index=True),
    sa.Column("lat", sa.Float, nullable=False),
    sa.Column("lon", sa.Float, nullable=False),
    sa.Column("recorded_by", sa.String(130), nullable=False),
    _patrol_fk("patrol_positions"),
)

# Whether positions are recorded for a patrol at this node (absent: no).
patrol_tracking = sa.Table(
    "patrol_tracking",
    metadata,
    sa.Column("patrol_id", sa.String(40), primary_key=True),
    sa.Column("enabled", sa.Boolean, nullable=False),
    sa.Column("changed_by", sa.String(130), nullable=False),
    sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
    _patrol_fk("patrol_tracking"),
)
