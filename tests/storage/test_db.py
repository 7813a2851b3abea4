from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from passerelle.exc import ConfigError
from passerelle.storage.db import create_engine, migrate, normalise_url, schema_is_current
from passerelle.storage.tables import REGISTER_TABLES, metadata


def _not_a_partition(obj: object, name: str | None, type_: str, *_: object) -> bool:
    """Documented exception: on PostgreSQL ``anpr_reads`` is partitioned by day; its
    partitions (``anpr_reads_default``, ``anpr_reads_pYYYYMMDD``, created at run time by
    ``passerelle.anpr.reads_partitions``) and their indexes are not in the metadata."""
    table = name if type_ == "table" else getattr(getattr(obj, "table", None), "name", "")
    return not re.fullmatch(r"anpr_reads_(default|p\d{8})", table or "")


def test_migrations_match_the_table_definitions(engine: sa.Engine) -> None:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_object": _not_a_partition})
        diff = compare_metadata(context, metadata)
    assert diff == []
    assert schema_is_current(engine)


def test_migrate_is_idempotent(engine: sa.Engine) -> None:
    migrate(engine)
    assert schema_is_current(engine)
    names = set(sa.inspect(engine).get_table_names())
    assert set(REGISTER_TABLES) <= names
    assert "alembic_version" in names


def test_fresh_database_is_not_current(tmp_path: Path) -> None:
    eng = create_engine(f"sqlite:///{tmp_path / 'fresh.db'}")
    assert not schema_is_current(eng)
    migrate(eng)
    assert schema_is_current(eng)


def test_sqlite_runs_in_wal_mode(tmp_path: Path) -> None:
    eng = create_engine(f"sqlite:///{tmp_path / 'wal.db'}")
    with eng.connect() as conn:
        assert conn.execute(sa.text("PRAGMA journal_mode")).scalar_one() == "wal"


def test_plain_postgres_urls_use_psycopg3() -> None:
    assert normalise_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"


@pytest.mark.parametrize("url", ["mysql://u@h/db", "not a url"])
def test_unsupported_database_urls_are_refused(url: str) -> None:
    with pytest.raises(ConfigError):
        create_engine(url)
