"""cross-border pursuits and notifications

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-23 15:45:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def _pursuit_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["pursuit_id"],
        ["ops_pursuits.pursuit_id"],
        name=f"fk_{table}_pursuit_id",
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.create_table(
        "ops_pursuits",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("pursuit_id", sa.String(length=40), nullable=False),
        sa.Column("origin_country", sa.String(length=2), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=False),
        sa.Column("units", sa.Text(), nullable=False),
        sa.Column("opened_by", sa.String(length=130), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_by", sa.String(length=130), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=True),
        sa.Column("outcome_note", sa.String(length=500), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ops_pursuits")),
        sa.UniqueConstraint("pursuit_id", name=op.f("uq_ops_pursuits_pursuit_id")),
    )
    with op.batch_alter_table("ops_pursuits", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ops_pursuits_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_ops_pursuits_ended_at"), ["ended_at"], unique=False)
    op.create_table(
        "ops_pursuit_positions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("pursuit_id", sa.String(length=40), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("accuracy_m", sa.Float(), nullable=True),
        sa.Column("territory", sa.String(length=2), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.Column("speed_kmh", sa.Float(), nullable=True),
        sa.Column("reason", sa.String(length=40), nullable=True),
        sa.Column("params", sa.Text(), nullable=True),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("reported_by", sa.String(length=130), nullable=False),
        _pursuit_fk("ops_pursuit_positions"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ops_pursuit_positions")),
        sa.UniqueConstraint("pursuit_id", "seq", name="uq_ops_pursuit_positions_pursuit_id_seq"),
    )
    with op.batch_alter_table("ops_pursuit_positions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_ops_pursuit_positions_pursuit_id"), ["pursuit_id"], unique=False
        )
    op.create_table(
        "ops_pursuit_steps",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("pursuit_id", sa.String(length=40), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("step", sa.String(length=20), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("actor", sa.String(length=130), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        _pursuit_fk("ops_pursuit_steps"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ops_pursuit_steps")),
    )
    with op.batch_alter_table("ops_pursuit_steps", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_ops_pursuit_steps_pursuit_id"), ["pursuit_id"], unique=False
        )
    op.create_table(
        "ops_pursuit_notifications",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("notification_id", sa.String(length=40), nullable=False),
        sa.Column("direction", sa.String(length=3), nullable=False),
        sa.Column("pursuit_id", sa.String(length=40), nullable=False),
        sa.Column("origin_country", sa.String(length=2), nullable=False),
        sa.Column("partner_country", sa.String(length=2), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("requires_ack", sa.Boolean(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_by", sa.String(length=130), nullable=True),
        sa.Column("escalations", sa.Integer(), nullable=False),
        sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ops_pursuit_notifications")),
        sa.UniqueConstraint(
            "notification_id", "direction", name="uq_ops_pursuit_notifications_id_direction"
        ),
    )
    with op.batch_alter_table("ops_pursuit_notifications", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_ops_pursuit_notifications_pursuit_id"), ["pursuit_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_ops_pursuit_notifications_created_at"), ["created_at"], unique=False
        )


def downgrade() -> None:
    op.drop_table("ops_pursuit_notifications")
    op.drop_table("ops_pursuit_steps")
    op.drop_table("ops_pursuit_positions")
    op.drop_table("ops_pursuits")
