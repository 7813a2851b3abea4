"""ANPR cameras, reads, quarantine

On PostgreSQL ``anpr_reads`` is range-partitioned by ``read_at``; its daily
partitions are created as reads arrive (``passerelle.anpr.reads_partitions``),
a default partition catches any read whose day has none yet.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-23 15:45:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "anpr_cameras",
        sa.Column("camera_id", sa.String(length=64), nullable=False),
        sa.Column("site", sa.String(length=128), nullable=False),
        sa.Column("road", sa.String(length=64), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("direction", sa.String(length=32), nullable=True),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("camera_id", name=op.f("pk_anpr_cameras")),
    )
    op.create_table(
        "anpr_reads",
        sa.Column("read_id", sa.String(length=64), nullable=False),
        sa.Column("read_at", TS, nullable=False),
        sa.Column("camera_id", sa.String(length=64), nullable=False),
        sa.Column("site", sa.String(length=128), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("direction", sa.String(length=32), nullable=True),
        sa.Column("received_at", TS, nullable=False),
        sa.Column("plate", sa.String(length=16), nullable=False),
        sa.Column("plate_raw", sa.String(length=32), nullable=False),
        sa.Column("plate_country", sa.String(length=2), nullable=True),
        sa.Column("country_inferred", sa.Boolean(), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.Column("image_ref", sa.String(length=256), nullable=True),
        sa.Column("hit", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("read_id", "read_at", name=op.f("pk_anpr_reads")),
        postgresql_partition_by="RANGE (read_at)",
    )
    if op.get_bind().dialect.name == "postgresql":
        # Reads of a day without its own partition yet land here (anpr.reads_partitions).
        op.execute("CREATE TABLE anpr_reads_default PARTITION OF anpr_reads DEFAULT")
    with op.batch_alter_table("anpr_reads", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_anpr_reads_read_at"), ["read_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_anpr_reads_plate_read_at"), ["plate", "read_at"], unique=False
        )
    op.create_table(
        "anpr_quarantine",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("read_id", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("received_at", TS, nullable=False),
        sa.Column("camera_id", sa.String(length=64), nullable=True),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_anpr_quarantine")),
        sa.UniqueConstraint("read_id", "reason", name=op.f("uq_anpr_quarantine_read_id_reason")),
    )
    with op.batch_alter_table("anpr_quarantine", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_anpr_quarantine_received_at"), ["received_at"], unique=False
        )


def downgrade() -> None:
    op.drop_table("anpr_quarantine")
    op.drop_table("anpr_reads")  # on PostgreSQL its partitions go with it
    op.drop_table("anpr_cameras")
