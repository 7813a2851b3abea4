"""checks and follow-up requests

Hit/no-hit references handed to partner nodes and follow-up requests on them
(``passerelle.requests``).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 12:50:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "hit_references",
        sa.Column("reference", sa.String(length=64), nullable=False),
        sa.Column("dataset", sa.String(length=40), nullable=False),
        sa.Column("record_key", sa.String(length=120), nullable=False),
        sa.Column("requester", sa.String(length=2), nullable=False),
        sa.Column("check_id", sa.String(length=64), nullable=False),
        sa.Column("purpose", sa.String(length=40), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("reference", name=op.f("pk_hit_references")),
    )
    with op.batch_alter_table("hit_references", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_hit_references_expires_at"), ["expires_at"], unique=False
        )

    op.create_table(
        "follow_up_requests",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("request_id", sa.String(length=40), nullable=False),
        sa.Column("direction", sa.String(length=8), nullable=False),
        sa.Column("partner", sa.String(length=2), nullable=False),
        sa.Column("reference", sa.String(length=64), nullable=False),
        sa.Column("dataset", sa.String(length=40), nullable=True),
        sa.Column("record_key", sa.String(length=120), nullable=True),
        sa.Column("officer", sa.String(length=200), nullable=False),
        sa.Column("justification", sa.Text(), nullable=False),
        sa.Column("urgency", sa.String(length=8), nullable=False),
        sa.Column("purpose", sa.String(length=40), nullable=False),
        sa.Column("case_ref", sa.String(length=120), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deadline_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answered_by", sa.String(length=200), nullable=True),
        sa.Column("refusal_reason", sa.Text(), nullable=True),
        sa.Column("granted_fields", sa.JSON(), nullable=True),
        sa.Column("record", sa.JSON(), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("delivery_attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follow_up_requests")),
        sa.UniqueConstraint(
            "direction", "request_id", name=op.f("uq_follow_up_requests_direction_request_id")
        ),
    )
    with op.batch_alter_table("follow_up_requests", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_follow_up_requests_deadline_at"), ["deadline_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("follow_up_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_follow_up_requests_deadline_at"))
    op.drop_table("follow_up_requests")
    with op.batch_alter_table("hit_references", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_hit_references_expires_at"))
    op.drop_table("hit_references")
