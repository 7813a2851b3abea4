"""matching keys

Blocking keys of the matching engine (passerelle.matching.keys): phonetic codes
on the person registers, OCR-confusion keys on plates and document numbers.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 12:50:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

PERSON_TABLES = ("population", "wanted_persons", "police_records")
# Each blocking probe reads (code, birth year) and filters on the given-name code or the
# birth date: with those as trailing columns the probe never touches the table.
BLOCK_INDEXES = {
    "family_cologne": ["family_cologne", "birth_year", "given_cologne", "birth_date"],
    "family_metaphone": ["family_metaphone", "birth_year", "given_cologne", "birth_date"],
    "core_cologne": ["core_cologne", "birth_year", "given_cologne", "birth_date"],
    "given_cologne": ["given_cologne", "birth_year", "birth_date"],
}


def upgrade() -> None:
    for table in PERSON_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name in ("family_cologne", "core_cologne", "given_cologne", "family_metaphone"):
                batch_op.add_column(sa.Column(name, sa.String(length=24), nullable=True))
            for name, columns in BLOCK_INDEXES.items():
                batch_op.create_index(f"ix_{table}_{name}_block", columns, unique=False)
    for table in ("vehicles", "stolen_vehicles"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("plate_key", sa.String(length=16), nullable=True))
            batch_op.create_index(f"ix_{table}_plate_key", ["plate_key"], unique=False)
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("number_key", sa.String(length=20), nullable=True))
        batch_op.create_index("ix_documents_number_key", ["number_key"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_index("ix_documents_number_key")
        batch_op.drop_column("number_key")
    for table in ("stolen_vehicles", "vehicles"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(f"ix_{table}_plate_key")
            batch_op.drop_column("plate_key")
    for table in reversed(PERSON_TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name in BLOCK_INDEXES:
                batch_op.drop_index(f"ix_{table}_{name}_block")
            for name in ("family_metaphone", "given_cologne", "core_cologne", "family_cologne"):
                batch_op.drop_column(name)
