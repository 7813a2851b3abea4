"""Table definitions (SQLAlchemy Core). Alembic migrations mirror these.

Register tables carry the columns of the import schema (docs/datasets.md) plus
derived search keys (``name_key``, ``birth_year``) filled in at import.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "pk": "pk_%(table_name)s",
    }
)


def _id() -> sa.Column[int]:
    return sa.Column("id", sa.Integer, primary_key=True, autoincrement=True)


def _person_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("given_names", sa.String(200), nullable=False),
        sa.Column("family_name", sa.String(200), nullable=False),
        sa.Column("birth_date", sa.String(10), nullable=True),
        sa.Column("name_key", sa.String(200), nullable=False, index=True),
        sa.Column("birth_year", sa.Integer, nullable=True),
    ]


population = sa.Table(
    "population",
    metadata,
    _id(),
    sa.Column("national_id", sa.String(20), nullable=False, unique=True),
    *_person_columns(),
    sa.Column("family_name_prefix", sa.String(40), nullable=True),
    sa.Column("sex", sa.String(1), nullable=True),
    sa.Column("nationality", sa.String(2), nullable=True),
    sa.Column("birth_place", sa.String(120), nullable=True),
    sa.Column("address_street", sa.String(200), nullable=True),
    sa.Column("address_number", sa.String(20), nullable=True),
    sa.Column("address_postcode", sa.String(12), nullable=True),
    sa.Column("address_city", sa.String(120), nullable=True),
    sa.Column("address_country", sa.String(2), nullable=True),
)

wanted_persons = sa.Table(
    "wanted_persons",
    metadata,
    _id(),
    sa.Column("alert_id", sa.String(40), nullable=False, unique=True),
    *_person_columns(),
    sa.Column("family_name_prefix", sa.String(40), nullable=True),
    sa.Column("nationality", sa.String(2), nullable=True),
    sa.Column("alert_type", sa.String(20), nullable=False),
    sa.Column("reason", sa.String(400), nullable=True),
    sa.Column("issued_on", sa.Date, nullable=True),
    sa.Column("contact", sa.String(200), nullable=True),
    sa.Column("warning_markers", sa.String(120), nullable=True),  # migration 0003
)

vehicles = sa.Table(
    "vehicles",
    metadata,
    _id(),
    sa.Column("plate", sa.String(16), nullable=False),
    sa.Column("plate_country", sa.String(2), nullable=False),
    sa.Column("vin", sa.String(17), nullable=True, index=True),
    sa.Column("make", sa.String(60), nullable=True),
    sa.Column("model", sa.String(60), nullable=True),
    sa.Column("colour", sa.String(40), nullable=True),
    sa.Column("first_registration", sa.Date, nullable=True),
    sa.Column("holder_national_id", sa.String(20), nullable=True, index=True),
    sa.Column("holder_name", sa.String(200), nullable=True),
    sa.Column("insured", sa.Boolean, nullable=True),
    sa.Column("inspection_valid_until", sa.Date, nullable=True),
    sa.UniqueConstraint("plate", "plate_country"),
)

stolen_vehicles = sa.Table(
    "stolen_vehicles",
    metadata,
    _id(),
    sa.Column("alert_id", sa.String(40), nullable=False, unique=True),
    sa.Column("plate", sa.String(16), nullable=True, index=True),
    sa.Column("plate_country", sa.String(2), nullable=True),
    sa.Column("vin", sa.String(17), nullable=True, index=True),
    sa.Column("reported_on", sa.Date, nullable=True),
)

documents = sa.Table(
    "documents",
    metadata,
    _id(),
    sa.Column("document_number", sa.String(20), nullable=False),
    sa.Column("document_type", sa.String(20), nullable=False),
    sa.Column("issuing_country", sa.String(2), nullable=False),
    sa.Column("holder_national_id", sa.String(20), nullable=True, index=True),
    sa.Column("status", sa.String(10), nullable=False),
    sa.Column("reported_on", sa.Date, nullable=True),
    sa.UniqueConstraint("issuing_country", "document_type", "document_number"),
    sa.Index("ix_documents_number", "document_number"),
)

police_records = sa.Table(
    "police_records",
    metadata,
    _id(),
    sa.Column("record_id", sa.String(40), nullable=False, unique=True),
    sa.Column("national_id", sa.String(20), nullable=True, index=True),
    *_person_columns(),
    sa.Column("category", sa.String(60), nullable=False),
    sa.Column("recorded_on", sa.Date, nullable=True),
)

import_batches = sa.Table(
    "import_batches",
    metadata,
    _id(),
    sa.Column("dataset", sa.String(40), nullable=False),
    sa.Column("source_name", sa.String(255), nullable=False),
    sa.Column("source_sha256", sa.String(64), nullable=False),
    sa.Column("mode", sa.String(10), nullable=False),
    sa.Column("rows_loaded", sa.Integer, nullable=False),
    sa.Column("rows_rejected", sa.Integer, nullable=False),
    sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("imported_by", sa.String(120), nullable=False),
)

# --- matching keys (migration 0004; computed by passerelle.matching.keys at load) ---
# Person blocking keys: phonetic codes of the particle-merged family name, of the
# family name without particles and of the first given name, each indexed with the
# birth year. Plates and document numbers get an OCR-confusion key.
for _tbl in (population, wanted_persons, police_records):
    for _name in ("family_cologne", "core_cologne", "given_cologne"):
        _tbl.append_column(sa.Column(_name, sa.String(24), nullable=True))
    _tbl.append_column(sa.Column("family_metaphone", sa.String(24), nullable=True))
    # Trailing given_cologne/birth_date make each blocking probe index-only (covering).
    for _name in ("family_cologne", "family_metaphone", "core_cologne"):
        sa.Index(
            f"ix_{_tbl.name}_{_name}_block",
            _tbl.c[_name], _tbl.c.birth_year, _tbl.c.given_cologne, _tbl.c.birth_date,
        )  # fmt: skip
    sa.Index(
        f"ix_{_tbl.name}_given_cologne_block",
        _tbl.c.given_cologne, _tbl.c.birth_year, _tbl.c.birth_date,
    )  # fmt: skip
for _tbl in (vehicles, stolen_vehicles):
    _tbl.append_column(sa.Column("plate_key", sa.String(16), nullable=True))
    sa.Index(f"ix_{_tbl.name}_plate_key", _tbl.c.plate_key)
documents.append_column(sa.Column("number_key", sa.String(20), nullable=True))
sa.Index("ix_documents_number_key", documents.c.number_key)

REGISTER_TABLES: dict[str, sa.Table] = {
    "population": population,
    "wanted_persons": wanted_persons,
    "vehicles": vehicles,
    "stolen_vehicles": stolen_vehicles,
    "documents": documents,
    "police_records": police_records,
}

# Columns (besides id) that identify a row within a dataset: duplicates are rejected.
NATURAL_KEYS: dict[str, tuple[str, ...]] = {
    "population": ("national_id",),
    "wanted_persons": ("alert_id",),
    "vehicles": ("plate", "plate_country"),
    "stolen_vehicles": ("alert_id",),
    "documents": ("issuing_country", "document_type", "document_number"),
    "police_records": ("record_id",),
}


# --- follow-up requests (passerelle.requests) -------------------------------------------
# Opaque hit/no-hit references handed to partner nodes, bound to the requesting node.
hit_references = sa.Table(
    "hit_references",
    metadata,
    sa.Column("reference", sa.String(64), primary_key=True),
    sa.Column("dataset", sa.String(40), nullable=False),
    sa.Column("record_key", sa.String(120), nullable=False),
    sa.Column("requester", sa.String(2), nullable=False),
    sa.Column("check_id", sa.String(64), nullable=False),
    sa.Column("purpose", sa.String(40), nullable=False),
    sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False, index=True),
)

# Follow-up requests: ``outgoing`` at the requesting node, ``incoming`` at the providing node.
follow_up_requests = sa.Table(
    "follow_up_requests",
    metadata,
    _id(),
    sa.Column("request_id", sa.String(40), nullable=False),
    sa.Column("direction", sa.String(8), nullable=False),
    sa.Column("partner", sa.String(2), nullable=False),
    sa.Column("reference", sa.String(64), nullable=False),
    sa.Column("dataset", sa.String(40), nullable=True),
    sa.Column("record_key", sa.String(120), nullable=True),  # provider only
    sa.Column("officer", sa.String(200), nullable=False),
    sa.Column("justification", sa.Text, nullable=False),
    sa.Column("urgency", sa.String(8), nullable=False),
    sa.Column("purpose", sa.String(40), nullable=False),
    sa.Column("case_ref", sa.String(120), nullable=True),
    sa.Column("status", sa.String(10), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("deadline_at", sa.DateTime(timezone=True), nullable=False, index=True),
    sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("answered_by", sa.String(200), nullable=True),
    sa.Column("refusal_reason", sa.Text, nullable=True),
    sa.Column("granted_fields", sa.JSON, nullable=True),  # names of the fields granted
    sa.Column("record", sa.JSON, nullable=True),  # the fields disclosed (both ends)
    sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("delivery_attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
    sa.UniqueConstraint("direction", "request_id"),
)

# --- audit log (audit core: passerelle.audit.sql) ------------------------------------------
# One row per entry; ``canonical`` is the hashed text (sorted-key JSON), the other columns
# are its searchable projection. ``audit_chain`` is a one-row cursor (last position and hash)
# that writers lock to serialise appends.

audit_chain = sa.Table(
    "audit_chain",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("position", sa.BigInteger, nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
)

# On SQLite ``position`` is INTEGER so it becomes the rowid: the table is stored in chain
# order and verification reads it sequentially instead of through an index.
POSITION = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

audit_entries = sa.Table(
    "audit_entries",
    metadata,
    sa.Column("position", POSITION, primary_key=True, autoincrement=False),
    sa.Column("entry_id", sa.String(36), nullable=False, unique=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False, index=True),
    sa.Column("node", sa.String(2), nullable=False),
    sa.Column("kind", sa.String(40), nullable=False, index=True),
    sa.Column("actor_subject", sa.String(200), nullable=False, index=True),
    sa.Column("actor_role", sa.String(40), nullable=False),
    sa.Column("actor_country", sa.String(2), nullable=False),
    sa.Column("actor_unit", sa.String(120), nullable=False),
    sa.Column("purpose", sa.String(40), nullable=True, index=True),
    sa.Column("patrol_id", sa.String(120), nullable=True),
    sa.Column("case_ref", sa.String(120), nullable=True),
    sa.Column("authorisation_ref", sa.String(120), nullable=True),
    sa.Column("justification", sa.Text, nullable=True),
    sa.Column("query", sa.Text, nullable=True),
    sa.Column("datasets", sa.Text, nullable=False),
    sa.Column("record_ids", sa.Text, nullable=False),
    sa.Column("recipients", sa.Text, nullable=False),
    sa.Column("partner", sa.String(2), nullable=True, index=True),
    sa.Column("exchange_id", sa.String(64), nullable=True, index=True),
    sa.Column("outcome", sa.String(40), nullable=False),
    sa.Column("detail", sa.Text, nullable=False),
    sa.Column("canonical", sa.Text, nullable=False),
    sa.Column("prev_hash", sa.String(64), nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
)

audit_subject_keys = sa.Table(
    "audit_subject_keys",
    metadata,
    sa.Column("subject_key", sa.String(64), primary_key=True),
    sa.Column("position", sa.BigInteger, primary_key=True, autoincrement=False),
)

audit_heads = sa.Table(
    "audit_heads",
    metadata,
    _id(),
    sa.Column("position", sa.BigInteger, nullable=False, index=True),
    sa.Column("hash", sa.String(64), nullable=False),
    sa.Column("signature", sa.String(100), nullable=False),
    sa.Column("key_id", sa.String(40), nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
)

audit_anchors = sa.Table(
    "audit_anchors",
    metadata,
    _id(),
    sa.Column("position", sa.BigInteger, nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
    sa.Column("signature", sa.String(100), nullable=False),
    sa.Column("key_id", sa.String(40), nullable=False),
    sa.Column("first_removed", sa.BigInteger, nullable=False),
    sa.Column("removed", sa.BigInteger, nullable=False),
    sa.Column("cutoff", sa.DateTime(timezone=True), nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
)


# --- retention (passerelle.retention; migration 0006) -----------------------------------
# One row per retention run that deleted (dry runs write nothing); the per-rule counts are
# in ``report`` (JSON), and each rule's erasure is in the audit log too.
retention_runs = sa.Table(
    "retention_runs",
    metadata,
    sa.Column("run_id", sa.String(32), primary_key=True),
    sa.Column("trigger", sa.String(20), nullable=False),
    sa.Column("started_at", sa.DateTime(timezone=True), nullable=False, index=True),
    sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("status", sa.String(10), nullable=False),
    sa.Column("rules_applied", sa.Integer, nullable=False),
    sa.Column("rows_deleted", sa.BigInteger, nullable=False),
    sa.Column("report", sa.JSON, nullable=False),
)


# --- joint patrols (passerelle.ops.patrols; migration 0003) -------------------------------
# A patrol is registered at its origin node and copied to every crew country's node;
# ``origin_country`` says which node owns it. Crew members are ``country:username``.
joint_patrols = sa.Table(
    "joint_patrols",
    metadata,
    _id(),
    sa.Column("patrol_id", sa.String(40), nullable=False, unique=True),
    sa.Column("origin_country", sa.String(2), nullable=False),
    sa.Column("status", sa.String(10), nullable=False),
    sa.Column("vehicle", sa.String(60), nullable=True),
    sa.Column("area", sa.String(200), nullable=True),
    sa.Column("planned_start", sa.DateTime(timezone=True), nullable=True),
    sa.Column("planned_end", sa.DateTime(timezone=True), nullable=True),
    sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("created_by", sa.String(120), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
)

joint_patrol_crew = sa.Table(
    "joint_patrol_crew",
    metadata,
    _id(),
    sa.Column("patrol_id", sa.String(40), nullable=False, index=True),
    sa.Column("country", sa.String(2), nullable=False),
    sa.Column("username", sa.String(120), nullable=False),
    sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
    sa.UniqueConstraint("patrol_id", "country", "username"),
    # Crew rows go with their patrol (retention deletes the patrol; migration 0008).
    sa.ForeignKeyConstraint(
        ["patrol_id"],
        ["joint_patrols.patrol_id"],
        name="fk_joint_patrol_crew_patrol_id",
        ondelete="CASCADE",
    ),
)

# The origin node's outbox of patrol copies: one row per (patrol, partner country). A change
# bumps ``version`` and sets ``pending_since`` (kept while earlier changes are undelivered);
# the copy is ``registered`` once the partner acknowledged that version (migration 0008).
patrol_copies = sa.Table(
    "patrol_copies",
    metadata,
    _id(),
    sa.Column("patrol_id", sa.String(40), nullable=False),
    sa.Column("partner", sa.String(2), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("delivered_version", sa.Integer, nullable=False),
    sa.Column("pending_since", sa.DateTime(timezone=True), nullable=True, index=True),
    sa.Column("registered_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("last_error", sa.String(120), nullable=True),
    sa.UniqueConstraint("patrol_id", "partner"),
    sa.ForeignKeyConstraint(
        ["patrol_id"],
        ["joint_patrols.patrol_id"],
        name="fk_patrol_copies_patrol_id",
        ondelete="CASCADE",
    ),
)


# Messages that must reach a partner node (passerelle.node.outbox; migration 0009): one row
# per (partner, kind, key); ``state`` pending -> delivered (partner answered ok) or rejected
# (partner refused with a 4xx); ``settled_at`` is when that happened (retention's clock).
outbox_messages = sa.Table(
    "outbox_messages",
    metadata,
    _id(),
    sa.Column("partner", sa.String(2), nullable=False),
    sa.Column("kind", sa.String(40), nullable=False),
    sa.Column("key", sa.String(200), nullable=False),
    sa.Column("path", sa.String(200), nullable=False),
    sa.Column("payload", sa.Text, nullable=False),
    sa.Column("state", sa.String(10), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("settled_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("last_error", sa.String(120), nullable=True),
    sa.UniqueConstraint("partner", "kind", "key"),
    sa.Index("ix_outbox_messages_state_partner_id", "state", "partner", "id"),
)

# --- crime picture (passerelle.crime; migration 0007) -------------------------------------
# Incidents as imported from each country's format, with the ICCS class of the mapping
# version in force at import; ``period_end`` is set when only a period is known.
crime_incidents = sa.Table(
    "crime_incidents",
    metadata,
    _id(),
    sa.Column("country", sa.String(2), nullable=False),
    sa.Column("incident_id", sa.String(80), nullable=False),
    sa.Column("occurred_on", sa.Date, nullable=False, index=True),
    sa.Column("period_end", sa.Date, nullable=True),
    sa.Column("latitude", sa.Float, nullable=False),
    sa.Column("longitude", sa.Float, nullable=False),
    sa.Column("municipality_code", sa.String(12), nullable=True),
    sa.Column("offence_code", sa.String(80), nullable=False),
    sa.Column("iccs", sa.String(6), nullable=True, index=True),
    sa.Column("batch_id", sa.Integer, nullable=False),
    sa.UniqueConstraint("country", "incident_id"),
)

crime_import_batches = sa.Table(
    "crime_import_batches",
    metadata,
    _id(),
    sa.Column("source_name", sa.String(255), nullable=False),
    sa.Column("source_format", sa.String(20), nullable=False),
    sa.Column("iccs_version", sa.String(20), nullable=False),
    sa.Column("rows_loaded", sa.Integer, nullable=False),
    sa.Column("rows_rejected", sa.Integer, nullable=False),
    sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
)

# Tables of the ANPR and operations packages live in their own modules (same metadata).
from passerelle.storage import (  # noqa: E402,F401
    tables_actions,
    tables_anpr_hotlists,
    tables_anpr_reads,
    tables_patrol_log,
    tables_pursuits,
)
