"""crime picture

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 12:50:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "crime_incidents",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("incident_id", sa.String(length=80), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=True),
        sa.Column("latitude", sa.Float(), nullable=False),
        sa.Column("longitude", sa.Float(), nullable=False),
        sa.Column("municipality_code", sa.String(length=12), nullable=True),
        sa.Column("offence_code", sa.String(length=80), nullable=False),
        sa.Column("iccs", sa.String(length=6), nullable=True),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crime_incidents")),
        sa.UniqueConstraint(
            "country", "incident_id", name=op.f("uq_crime_incidents_country_incident_id")
        ),
    )
    with op.batch_alter_table("crime_incidents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_crime_incidents_iccs"), ["iccs"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_crime_incidents_occurred_on"), ["occurred_on"], unique=False
        )
    op.create_table(
        "crime_import_batches",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("source_name", sa.String(length=255), nullable=False),
        sa.Column("source_format", sa.String(length=20), nullable=False),
        sa.Column("iccs_version", sa.String(length=20), nullable=False),
        sa.Column("rows_loaded", sa.Integer(), nullable=False),
        sa.Column("rows_rejected", sa.Integer(), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crime_import_batches")),
    )


def downgrade() -> None:
    op.drop_table("crime_import_batches")
    with op.batch_alter_table("crime_incidents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_crime_incidents_occurred_on"))
        batch_op.drop_index(batch_op.f("ix_crime_incidents_iccs"))
    op.drop_table("crime_incidents")
