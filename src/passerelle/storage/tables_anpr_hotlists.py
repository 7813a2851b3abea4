"""Tables of ANPR hotlists, their sharing with partner nodes, and hits (migration 0011).

Imported at the end of ``storage.tables`` (same ``metadata``).

- ``anpr_hotlists``: this node's own lists (stolen vehicles, wanted persons' vehicles,
  case lists), with their matching tolerance.
- ``anpr_hotlist_entries``: own entries *and* the copies of partners' shared entries
  (``owner_country``). A removed entry keeps its row (``removed_at``) until retention, so
  a late or repeated message can never bring it back; ``seq`` is, for a partner's copy,
  the owner's feed sequence number of the version held.
- ``anpr_hotlist_shares``: which own entry goes to which partner (owner side).
- ``anpr_hotlist_feed`` / ``anpr_hotlist_feed_heads``: the owner's per-partner change
  feed, numbered 1, 2, 3 ... per partner, so a partner can ask for "everything since n".
- ``anpr_hotlist_sync``: the partner side's cursor in each owner's feed.
- ``anpr_hits``: hits, at the reporting node and (a copy) at the owner's node.
"""

from __future__ import annotations

import sqlalchemy as sa

from passerelle.storage.tables import metadata

TZ = sa.DateTime(timezone=True)

anpr_hotlists = sa.Table(
    "anpr_hotlists",
    metadata,
    sa.Column("hotlist_id", sa.String(40), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("category", sa.String(40), nullable=False),
    sa.Column("description", sa.String(400), nullable=True),
    sa.Column("max_confusions", sa.Integer, nullable=True),
    sa.Column("indel", sa.Boolean, nullable=True),
    sa.Column("created_at", TZ, nullable=False),
    sa.Column("created_by", sa.String(120), nullable=False),
)

anpr_hotlist_entries = sa.Table(
    "anpr_hotlist_entries",
    metadata,
    sa.Column("entry_id", sa.String(64), primary_key=True),
    sa.Column("owner_country", sa.String(2), nullable=False, index=True),
    sa.Column("hotlist_id", sa.String(40), nullable=True, index=True),
    sa.Column("hotlist_name", sa.String(200), nullable=False),
    sa.Column("plate", sa.String(16), nullable=False, index=True),
    sa.Column("plate_country", sa.String(2), nullable=True),
    sa.Column("category", sa.String(40), nullable=False),
    sa.Column("reason", sa.String(400), nullable=False),
    sa.Column("assessment", sa.String(400), nullable=False),
    sa.Column("action", sa.String(30), nullable=False),
    sa.Column("instruction", sa.String(400), nullable=True),
    sa.Column("contact", sa.String(200), nullable=False),
    sa.Column("case_ref", sa.String(80), nullable=True),
    sa.Column("max_confusions", sa.Integer, nullable=True),
    sa.Column("indel", sa.Boolean, nullable=True),
    sa.Column("expires_at", TZ, nullable=False, index=True),
    sa.Column("created_at", TZ, nullable=False),
    sa.Column("created_by", sa.String(120), nullable=False),
    sa.Column("updated_at", TZ, nullable=False, index=True),
    sa.Column("removed_at", TZ, nullable=True),
    sa.Column("seq", sa.Integer, nullable=False),
)

anpr_hotlist_shares = sa.Table(
    "anpr_hotlist_shares",
    metadata,
    sa.Column("entry_id", sa.String(64), primary_key=True),
    sa.Column("partner", sa.String(2), primary_key=True),
    sa.Column("shared_at", TZ, nullable=False),
    sa.Column("shared_by", sa.String(120), nullable=False),
    sa.Column("revoked_at", TZ, nullable=True),
    sa.ForeignKeyConstraint(
        ["entry_id"],
        ["anpr_hotlist_entries.entry_id"],
        name="fk_anpr_hotlist_shares_entry_id",
        ondelete="CASCADE",
    ),
)

anpr_hotlist_feed = sa.Table(
    "anpr_hotlist_feed",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("partner", sa.String(2), nullable=False),
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Column("entry_id", sa.String(64), nullable=False),
    sa.Column("op", sa.String(10), nullable=False),  # upsert | remove
    sa.Column("at", TZ, nullable=False, index=True),
    sa.UniqueConstraint("partner", "seq"),
)

anpr_hotlist_feed_heads = sa.Table(
    "anpr_hotlist_feed_heads",
    metadata,
    sa.Column("partner", sa.String(2), primary_key=True),
    sa.Column("last_seq", sa.Integer, nullable=False),
)

anpr_hotlist_sync = sa.Table(
    "anpr_hotlist_sync",
    metadata,
    sa.Column("owner_country", sa.String(2), primary_key=True),
    sa.Column("last_seq", sa.Integer, nullable=False),
    sa.Column("synced_at", TZ, nullable=True),
    sa.Column("last_error", sa.String(200), nullable=True),
)

anpr_hits = sa.Table(
    "anpr_hits",
    metadata,
    sa.Column("hit_id", sa.String(64), primary_key=True),
    sa.Column("read_id", sa.String(64), nullable=False),
    sa.Column("entry_id", sa.String(64), nullable=False),
    sa.Column("owner_country", sa.String(2), nullable=False),
    sa.Column("reporting_country", sa.String(2), nullable=False),
    sa.Column("outcome", sa.String(16), nullable=False),
    sa.Column("score", sa.Float, nullable=False),
    sa.Column("plate", sa.String(16), nullable=False),
    sa.Column("plate_country", sa.String(2), nullable=True),
    sa.Column("camera_id", sa.String(64), nullable=False),
    sa.Column("site", sa.String(200), nullable=True),
    sa.Column("lat", sa.Float, nullable=True),
    sa.Column("lon", sa.Float, nullable=True),
    sa.Column("direction", sa.String(40), nullable=True),
    sa.Column("read_at", TZ, nullable=False),
    sa.Column("image_ref", sa.String(400), nullable=True),
    sa.Column("created_at", TZ, nullable=False, index=True),
    sa.Column("duplicate_of", sa.String(64), nullable=True),
    sa.Column("disposition", sa.String(20), nullable=True),
    sa.Column("disposition_at", TZ, nullable=True),
    sa.Column("disposition_by", sa.String(120), nullable=True),
    sa.UniqueConstraint("reporting_country", "read_id", "entry_id"),
    sa.Index("ix_anpr_hits_entry_id_plate_read_at", "entry_id", "plate", "read_at"),
)


# The retention rules of these tables register with the tables (passerelle.retention).
from passerelle.anpr import hotlists_retention  # noqa: E402,F401
