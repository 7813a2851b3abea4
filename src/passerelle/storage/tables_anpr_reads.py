"""Tables of ANPR camera reads (imported at the end of ``storage.tables``; same metadata).

``anpr_reads`` holds the camera reads a node keeps under its jurisdiction's rules
(docs/anpr.md). On PostgreSQL it is range-partitioned by ``read_at``, one partition
per UTC day created ahead as reads arrive (``anpr.reads_partitions``), so retention
drops whole days; the primary key therefore includes ``read_at``. On SQLite it is a
plain table with the same key and indexes. Reads are idempotent by ``read_id``.

``anpr_cameras`` is the camera registry (reads from unknown cameras are
quarantined); ``anpr_quarantine`` keeps what was not accepted, with the reason,
so that nothing is lost (its payload is never logged).
"""

from __future__ import annotations

import sqlalchemy as sa

from passerelle.storage.tables import metadata

TS = sa.DateTime(timezone=True)

anpr_cameras = sa.Table(
    "anpr_cameras",
    metadata,
    sa.Column("camera_id", sa.String(64), primary_key=True),
    sa.Column("site", sa.String(128), nullable=False),
    sa.Column("road", sa.String(64), nullable=True),
    sa.Column("lat", sa.Float, nullable=True),
    sa.Column("lon", sa.Float, nullable=True),
    sa.Column("direction", sa.String(32), nullable=True),
    sa.Column("country", sa.String(2), nullable=False),
    sa.Column("active", sa.Boolean, nullable=False),
)

anpr_reads = sa.Table(
    "anpr_reads",
    metadata,
    sa.Column("read_id", sa.String(64), primary_key=True),
    sa.Column("read_at", TS, primary_key=True),
    sa.Column("camera_id", sa.String(64), nullable=False),
    sa.Column("site", sa.String(128), nullable=True),
    sa.Column("lat", sa.Float, nullable=True),
    sa.Column("lon", sa.Float, nullable=True),
    sa.Column("direction", sa.String(32), nullable=True),
    sa.Column("received_at", TS, nullable=False),
    sa.Column("plate", sa.String(16), nullable=False),
    sa.Column("plate_raw", sa.String(32), nullable=False),
    sa.Column("plate_country", sa.String(2), nullable=True),
    sa.Column("country_inferred", sa.Boolean, nullable=False),
    sa.Column("confidence", sa.Float, nullable=True),
    sa.Column("image_ref", sa.String(256), nullable=True),
    sa.Column("hit", sa.Boolean, nullable=False),
    sa.Index(None, "read_at"),
    sa.Index(None, "plate", "read_at"),
    postgresql_partition_by="RANGE (read_at)",
)

anpr_quarantine = sa.Table(
    "anpr_quarantine",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("read_id", sa.String(64), nullable=False),
    sa.Column("reason", sa.String(32), nullable=False),
    sa.Column("received_at", TS, nullable=False),
    sa.Column("camera_id", sa.String(64), nullable=True),
    sa.Column("payload", sa.Text, nullable=False),  # the read as JSON: never logged
    sa.UniqueConstraint("read_id", "reason"),
    sa.Index(None, "received_at"),
)
