"""patrol log: checks, incidents, positions

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-23 15:45:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def _patrol_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["patrol_id"],
        ["joint_patrols.patrol_id"],
        name=f"fk_{table}_patrol_id",
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.create_table(
        "patrol_log_entries",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("patrol_id", sa.String(length=40), nullable=False),
        sa.Column("entry_kind", sa.String(length=10), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(length=130), nullable=False),
        sa.Column("check_id", sa.String(length=32), nullable=True),
        sa.Column("check_kind", sa.String(length=10), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=True),
        sa.Column("sources", sa.String(length=200), nullable=True),
        sa.Column("category", sa.String(length=30), nullable=True),
        sa.Column("text", sa.String(length=1000), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        _patrol_fk("patrol_log_entries"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patrol_log_entries")),
        sa.UniqueConstraint("check_id", name=op.f("uq_patrol_log_entries_check_id")),
    )
    with op.batch_alter_table("patrol_log_entries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_patrol_log_entries_at"), ["at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_patrol_log_entries_patrol_id"), ["patrol_id"], unique=False
        )
    op.create_table(
        "patrol_positions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("patrol_id", sa.String(length=40), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("recorded_by", sa.String(length=130), nullable=False),
        _patrol_fk("patrol_positions"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patrol_positions")),
    )
    with op.batch_alter_table("patrol_positions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_patrol_positions_at"), ["at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_patrol_positions_patrol_id"), ["patrol_id"], unique=False
        )
    op.create_table(
        "patrol_tracking",
        sa.Column("patrol_id", sa.String(length=40), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("changed_by", sa.String(length=130), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        _patrol_fk("patrol_tracking"),
        sa.PrimaryKeyConstraint("patrol_id", name=op.f("pk_patrol_tracking")),
    )


def downgrade() -> None:
    op.drop_table("patrol_tracking")
    with op.batch_alter_table("patrol_positions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_patrol_positions_patrol_id"))
        batch_op.drop_index(batch_op.f("ix_patrol_positions_at"))
    op.drop_table("patrol_positions")
    with op.batch_alter_table("patrol_log_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_patrol_log_entries_patrol_id"))
        batch_op.drop_index(batch_op.f("ix_patrol_log_entries_at"))
    op.drop_table("patrol_log_entries")
