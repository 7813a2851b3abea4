"""ANPR hotlists, partner copies, hits

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-23 15:45:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "anpr_hits",
        sa.Column("hit_id", sa.String(length=64), nullable=False),
        sa.Column("read_id", sa.String(length=64), nullable=False),
        sa.Column("entry_id", sa.String(length=64), nullable=False),
        sa.Column("owner_country", sa.String(length=2), nullable=False),
        sa.Column("reporting_country", sa.String(length=2), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("plate", sa.String(length=16), nullable=False),
        sa.Column("plate_country", sa.String(length=2), nullable=True),
        sa.Column("camera_id", sa.String(length=64), nullable=False),
        sa.Column("site", sa.String(length=200), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("direction", sa.String(length=40), nullable=True),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("image_ref", sa.String(length=400), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("duplicate_of", sa.String(length=64), nullable=True),
        sa.Column("disposition", sa.String(length=20), nullable=True),
        sa.Column("disposition_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("disposition_by", sa.String(length=120), nullable=True),
        sa.PrimaryKeyConstraint("hit_id", name=op.f("pk_anpr_hits")),
        sa.UniqueConstraint(
            "reporting_country",
            "read_id",
            "entry_id",
            name=op.f("uq_anpr_hits_reporting_country_read_id_entry_id"),
        ),
    )
    with op.batch_alter_table("anpr_hits", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_anpr_hits_created_at"), ["created_at"], unique=False)
        batch_op.create_index(
            "ix_anpr_hits_entry_id_plate_read_at", ["entry_id", "plate", "read_at"], unique=False
        )

    op.create_table(
        "anpr_hotlist_entries",
        sa.Column("entry_id", sa.String(length=64), nullable=False),
        sa.Column("owner_country", sa.String(length=2), nullable=False),
        sa.Column("hotlist_id", sa.String(length=40), nullable=True),
        sa.Column("hotlist_name", sa.String(length=200), nullable=False),
        sa.Column("plate", sa.String(length=16), nullable=False),
        sa.Column("plate_country", sa.String(length=2), nullable=True),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("reason", sa.String(length=400), nullable=False),
        sa.Column("assessment", sa.String(length=400), nullable=False),
        sa.Column("action", sa.String(length=30), nullable=False),
        sa.Column("instruction", sa.String(length=400), nullable=True),
        sa.Column("contact", sa.String(length=200), nullable=False),
        sa.Column("case_ref", sa.String(length=80), nullable=True),
        sa.Column("max_confusions", sa.Integer(), nullable=True),
        sa.Column("indel", sa.Boolean(), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("entry_id", name=op.f("pk_anpr_hotlist_entries")),
    )
    with op.batch_alter_table("anpr_hotlist_entries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_anpr_hotlist_entries_expires_at"), ["expires_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_anpr_hotlist_entries_hotlist_id"), ["hotlist_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_anpr_hotlist_entries_owner_country"), ["owner_country"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_anpr_hotlist_entries_plate"), ["plate"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_anpr_hotlist_entries_updated_at"), ["updated_at"], unique=False
        )

    op.create_table(
        "anpr_hotlist_feed",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("partner", sa.String(length=2), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.String(length=64), nullable=False),
        sa.Column("op", sa.String(length=10), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_anpr_hotlist_feed")),
        sa.UniqueConstraint("partner", "seq", name=op.f("uq_anpr_hotlist_feed_partner_seq")),
    )
    with op.batch_alter_table("anpr_hotlist_feed", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_anpr_hotlist_feed_at"), ["at"], unique=False)

    op.create_table(
        "anpr_hotlist_feed_heads",
        sa.Column("partner", sa.String(length=2), nullable=False),
        sa.Column("last_seq", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("partner", name=op.f("pk_anpr_hotlist_feed_heads")),
    )
    op.create_table(
        "anpr_hotlist_sync",
        sa.Column("owner_country", sa.String(length=2), nullable=False),
        sa.Column("last_seq", sa.Integer(), nullable=False),
        sa.Column("synced_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("owner_country", name=op.f("pk_anpr_hotlist_sync")),
    )
    op.create_table(
        "anpr_hotlists",
        sa.Column("hotlist_id", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("description", sa.String(length=400), nullable=True),
        sa.Column("max_confusions", sa.Integer(), nullable=True),
        sa.Column("indel", sa.Boolean(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.PrimaryKeyConstraint("hotlist_id", name=op.f("pk_anpr_hotlists")),
    )
    op.create_table(
        "anpr_hotlist_shares",
        sa.Column("entry_id", sa.String(length=64), nullable=False),
        sa.Column("partner", sa.String(length=2), nullable=False),
        sa.Column("shared_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("shared_by", sa.String(length=120), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["anpr_hotlist_entries.entry_id"],
            name="fk_anpr_hotlist_shares_entry_id",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("entry_id", "partner", name=op.f("pk_anpr_hotlist_shares")),
    )


def downgrade() -> None:
    op.drop_table("anpr_hotlist_shares")
    op.drop_table("anpr_hotlists")
    op.drop_table("anpr_hotlist_sync")
    op.drop_table("anpr_hotlist_feed_heads")
    with op.batch_alter_table("anpr_hotlist_feed", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_anpr_hotlist_feed_at"))

    op.drop_table("anpr_hotlist_feed")
    with op.batch_alter_table("anpr_hotlist_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_anpr_hotlist_entries_updated_at"))
        batch_op.drop_index(batch_op.f("ix_anpr_hotlist_entries_plate"))
        batch_op.drop_index(batch_op.f("ix_anpr_hotlist_entries_owner_country"))
        batch_op.drop_index(batch_op.f("ix_anpr_hotlist_entries_hotlist_id"))
        batch_op.drop_index(batch_op.f("ix_anpr_hotlist_entries_expires_at"))

    op.drop_table("anpr_hotlist_entries")
    with op.batch_alter_table("anpr_hits", schema=None) as batch_op:
        batch_op.drop_index("ix_anpr_hits_entry_id_plate_read_at")
        batch_op.drop_index(batch_op.f("ix_anpr_hits_created_at"))

    op.drop_table("anpr_hits")
