"""policy and joint patrols

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 12:50:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("wanted_persons", schema=None) as batch_op:
        batch_op.add_column(sa.Column("warning_markers", sa.String(length=120), nullable=True))

    op.create_table(
        "joint_patrols",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("patrol_id", sa.String(length=40), nullable=False),
        sa.Column("origin_country", sa.String(length=2), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("vehicle", sa.String(length=60), nullable=True),
        sa.Column("area", sa.String(length=200), nullable=True),
        sa.Column("planned_start", sa.DateTime(timezone=True), nullable=True),
        sa.Column("planned_end", sa.DateTime(timezone=True), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_joint_patrols")),
        sa.UniqueConstraint("patrol_id", name=op.f("uq_joint_patrols_patrol_id")),
    )
    op.create_table(
        "joint_patrol_crew",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("patrol_id", sa.String(length=40), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("username", sa.String(length=120), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_joint_patrol_crew")),
        sa.UniqueConstraint(
            "patrol_id",
            "country",
            "username",
            name=op.f("uq_joint_patrol_crew_patrol_id_country_username"),
        ),
    )
    with op.batch_alter_table("joint_patrol_crew", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_joint_patrol_crew_patrol_id"), ["patrol_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("joint_patrol_crew", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_joint_patrol_crew_patrol_id"))
    op.drop_table("joint_patrol_crew")
    op.drop_table("joint_patrols")
    with op.batch_alter_table("wanted_persons", schema=None) as batch_op:
        batch_op.drop_column("warning_markers")
