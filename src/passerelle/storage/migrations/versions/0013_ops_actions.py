"""joint actions, checkpoints, results

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-23 15:45:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def _id() -> sa.Column[int]:
    return sa.Column("id", sa.Integer(), autoincrement=True, nullable=False)


def _counts() -> list[sa.Column[int]]:
    return [
        sa.Column("persons_checked", sa.Integer(), nullable=False),
        sa.Column("vehicles_checked", sa.Integer(), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.Column("arrests", sa.Integer(), nullable=False),
        sa.Column("fines_count", sa.Integer(), nullable=False),
        sa.Column("fines_cents", sa.BigInteger(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "joint_actions",
        _id(),
        sa.Column("action_id", sa.String(length=20), nullable=False),
        sa.Column("organiser", sa.String(length=2), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("starts_at", TS, nullable=False),
        sa.Column("ends_at", TS, nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("plan", sa.Text(), nullable=False),
        sa.Column("received_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_joint_actions")),
        sa.UniqueConstraint("action_id", name=op.f("uq_joint_actions_action_id")),
    )
    op.create_index(op.f("ix_joint_actions_ends_at"), "joint_actions", ["ends_at"], unique=False)
    op.create_table(
        "action_results",
        _id(),
        sa.Column("action_id", sa.String(length=20), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("submission_id", sa.String(length=64), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("service", sa.String(length=20), nullable=False),
        sa.Column("checkpoint_id", sa.String(length=40), nullable=False),
        sa.Column("occurred_at", TS, nullable=False),
        sa.Column("hour", TS, nullable=False),
        *_counts(),
        sa.Column("seizures", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("share", sa.Boolean(), nullable=False),
        sa.Column("registered_by", sa.String(length=130), nullable=False),
        sa.Column("registered_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_results")),
        sa.UniqueConstraint(
            "action_id", "country", "submission_id", name=op.f("uq_action_results_key")
        ),
    )
    op.create_index(
        "ix_action_results_action_id_hour", "action_results", ["action_id", "hour"], unique=False
    )
    op.create_table(
        "action_aggregates",
        _id(),
        sa.Column("action_id", sa.String(length=20), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("checkpoint_id", sa.String(length=40), nullable=False),
        sa.Column("hour", TS, nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("results", sa.Integer(), nullable=False),
        *_counts(),
        sa.Column("updated_at", TS, nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_aggregates")),
        sa.UniqueConstraint(
            "action_id",
            "country",
            "checkpoint_id",
            "hour",
            name=op.f("uq_action_aggregates_key"),
        ),
    )
    op.create_index(
        "ix_action_aggregates_action_id_seq",
        "action_aggregates",
        ["action_id", "seq"],
        unique=False,
    )
    op.create_table(
        "action_sync",
        _id(),
        sa.Column("action_id", sa.String(length=20), nullable=False),
        sa.Column("partner", sa.String(length=2), nullable=False),
        sa.Column("sent_seq", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_sync")),
        sa.UniqueConstraint("action_id", "partner", name=op.f("uq_action_sync_key")),
    )
    op.create_table(
        "action_aggregate_seizures",
        _id(),
        sa.Column("action_id", sa.String(length=20), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("checkpoint_id", sa.String(length=40), nullable=False),
        sa.Column("hour", TS, nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("unit", sa.String(length=10), nullable=False),
        sa.Column("milli", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_aggregate_seizures")),
        sa.UniqueConstraint(
            "action_id",
            "country",
            "checkpoint_id",
            "hour",
            "kind",
            "unit",
            name=op.f("uq_action_aggregate_seizures_key"),
        ),
    )
    op.create_table(
        "action_shared_records",
        _id(),
        sa.Column("action_id", sa.String(length=20), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("submission_id", sa.String(length=64), nullable=False),
        sa.Column("record", sa.Text(), nullable=False),
        sa.Column("received_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_shared_records")),
        sa.UniqueConstraint(
            "action_id", "country", "submission_id", name=op.f("uq_action_shared_key")
        ),
    )


def downgrade() -> None:
    op.drop_table("action_shared_records")
    op.drop_table("action_aggregate_seizures")
    op.drop_table("action_sync")
    op.drop_index("ix_action_aggregates_action_id_seq", table_name="action_aggregates")
    op.drop_table("action_aggregates")
    op.drop_index("ix_action_results_action_id_hour", table_name="action_results")
    op.drop_table("action_results")
    op.drop_index(op.f("ix_joint_actions_ends_at"), table_name="joint_actions")
    op.drop_table("joint_actions")
