"""patrol copies outbox; patrol crews go with their patrol

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23 14:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Crew rows of a patrol that is gone (none should exist) would block the foreign key.
    op.execute(
        "DELETE FROM joint_patrol_crew WHERE patrol_id NOT IN (SELECT patrol_id FROM joint_patrols)"
    )
    with op.batch_alter_table("joint_patrol_crew", schema=None) as batch_op:
        batch_op.create_foreign_key(
            "fk_joint_patrol_crew_patrol_id",
            "joint_patrols",
            ["patrol_id"],
            ["patrol_id"],
            ondelete="CASCADE",
        )
    op.create_table(
        "patrol_copies",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("patrol_id", sa.String(length=40), nullable=False),
        sa.Column("partner", sa.String(length=2), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("delivered_version", sa.Integer(), nullable=False),
        sa.Column("pending_since", sa.DateTime(timezone=True), nullable=True),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=120), nullable=True),
        sa.ForeignKeyConstraint(
            ["patrol_id"],
            ["joint_patrols.patrol_id"],
            name="fk_patrol_copies_patrol_id",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patrol_copies")),
        sa.UniqueConstraint(
            "patrol_id", "partner", name=op.f("uq_patrol_copies_patrol_id_partner")
        ),
    )
    with op.batch_alter_table("patrol_copies", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_patrol_copies_pending_since"), ["pending_since"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("patrol_copies", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_patrol_copies_pending_since"))
    op.drop_table("patrol_copies")
    with op.batch_alter_table("joint_patrol_crew", schema=None) as batch_op:
        batch_op.drop_constraint("fk_joint_patrol_crew_patrol_id", type_="foreignkey")
