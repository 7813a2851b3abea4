"""Node settings: one place, validated, documented.

Values come from a node TOML file (``passerelle node serve --config node.toml``)
and from ``PASSERELLE_*`` environment variables, which win over the file.
Nested sections use ``__`` in variable names, e.g. ``PASSERELLE_DATABASE__URL``.

Example ``node.toml``::

    mode = "production"
    country = "NL"
    name = "Politie Limburg"
    data_dir = "/var/lib/passerelle"
    base_url = "https://passerelle.politie.example"

    [database]
    url = "postgresql+psycopg://passerelle@db/passerelle"

    [oidc]
    issuer = "https://login.politie.example/realms/police"
    audience = "passerelle-nl"
    jwks_url = "https://login.politie.example/realms/police/protocol/openid-connect/certs"
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from passerelle.domain.countries import Country, parse_country
from passerelle.exc import ConfigError, InvalidInput


class DatabaseSettings(BaseModel):
    url: str | None = Field(
        default=None,
        description="SQLAlchemy URL. Default: SQLite (WAL) file node.db in data_dir. "
        "PostgreSQL: postgresql+psycopg://user@host/db",
    )
    echo: bool = Field(default=False, description="Log SQL statements (development only).")


class OidcSettings(BaseModel):
    issuer: str | None = Field(default=None, description="Expected `iss` of officer tokens.")
    audience: str | None = Field(default=None, description="Expected `aud` of officer tokens.")
    jwks_url: str | None = Field(default=None, description="JWKS of the force's OIDC provider.")
    leeway_s: int = Field(default=30, ge=0, le=300, description="Clock skew allowed on exp/nbf.")
    demo_idp: bool = Field(
        default=True, description="Serve the built-in demo identity provider (demo mode only)."
    )
    session_minutes: int = Field(default=480, ge=5, le=1440, description="Web session length.")


class FederationSettings(BaseModel):
    signature_window_s: float = Field(
        default=30.0, gt=0, le=600, description="Max age of a signed request's `created`."
    )
    partner_timeout_s: float = Field(
        default=2.0, gt=0, le=60, description="Deadline for one call to a partner node."
    )
    max_body_bytes: int = Field(default=1_048_576, gt=0, description="Largest federation body.")
    outbox_retry_s: float = Field(
        default=2.0,
        gt=0,
        le=600,
        description="First pause before an undelivered outbox message is sent again (doubles).",
    )
    outbox_max_backoff_s: float = Field(
        default=30.0, gt=0, le=3600, description="Longest pause between two attempts."
    )


class ChecksSettings(BaseModel):
    """Joint-control checks (docs/checks.md)."""

    time_budget_s: float = Field(
        default=1.5,
        gt=0,
        le=30,
        description="A check answers within this time; slower partners are reported as timeout.",
    )
    max_results: int = Field(default=20, ge=1, le=100, description="Results per dataset.")
    min_score: float = Field(
        default=0.5, ge=0, le=1, description="Lowest match score reported (calibrated, 0-1)."
    )
    max_in_flight: int = Field(
        default=8,
        ge=1,
        le=1024,
        description="Checks a node runs at once (about 2-4 x its CPUs); a check that cannot "
        "start while enough of its time budget is left gets 503 checks_busy.",
    )


class ContactPointSettings(BaseModel):
    """The node's contact point (SPOC) named in hit/no-hit answers to partners."""

    name: str = Field(default="", description="Desk name. Default: '<node name> contact point'.")
    phone: str = Field(default="", description="Phone number, international format.")
    email: str = Field(default="", description="Functional mailbox of the desk.")
    hours: str = Field(default="24/7", description="When the desk answers.")


class RequestsSettings(BaseModel):
    """Hit/no-hit references and follow-up requests (EU Directive 2023/977 deadlines)."""

    reference_ttl_days: int = Field(
        default=30, ge=1, le=365, description="How long a hit/no-hit reference can be used."
    )
    urgent_deadline_hours: int = Field(
        default=8, ge=1, le=72, description="Deadline for an urgent request (Directive: 8 h)."
    )
    normal_deadline_days: int = Field(
        default=7, ge=1, le=30, description="Deadline for other requests (Directive: 7 days)."
    )
    answer_retry_s: float = Field(
        default=30.0, gt=0, le=3600, description="Pause between pushes of an undelivered answer."
    )
    background_delivery: bool = Field(
        default=True, description="Retry pushes and pull missed answers inside the node."
    )


class PatrolSettings(BaseModel):
    """Joint patrols (docs/checks.md): copies at the partner nodes and their safety net."""

    max_active_hours: float = Field(
        default=12.0,
        gt=0,
        le=72,
        description="A started patrol counts as ended this long after its start (and at its "
        "planned end), even if the end never reached this node.",
    )
    sync_retry_s: float = Field(
        default=30.0, gt=0, le=3600, description="Pause between retries of an undelivered copy."
    )
    background_sync: bool = Field(
        default=True, description="Retry undelivered patrol copies inside the node."
    )


class RetentionRuleSettings(BaseModel):
    """An extra retention rule from the node configuration (``[[retention.rules]]``)."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(description="Unique rule name; replaces a built-in rule of that name.")
    table: str = Field(description="Table to delete from.")
    timestamp_column: str = Field(description="Column holding the moment the period runs from.")
    period: str | int = Field(description="ISO 8601 duration (P28D, P12M) or days.")
    dataset: str = Field(default="", description="Category shown in the records of processing.")
    legal_basis: str = Field(default="", description="Legal basis of the period.")
    description: str = Field(default="", description="What the rows are.")
    condition: dict[str, str | int | bool] = Field(
        default_factory=dict, description="Only rows whose columns equal these values."
    )


class RetentionSettings(BaseModel):
    """The retention job (docs/data-protection.md). Periods are ISO 8601 durations or days."""

    model_config = ConfigDict(extra="forbid")
    schedule: bool = Field(default=True, description="Run the retention job inside the node.")
    interval_minutes: int = Field(
        default=60, ge=1, le=7 * 24 * 60, description="Pause between scheduled runs."
    )
    batch_size: int = Field(default=1000, ge=1, le=100_000, description="Rows per delete batch.")
    jurisdiction: Country | None = Field(
        default=None, description="Whose ANPR rules apply. Default: the node country."
    )
    periods: dict[str, str | int] = Field(
        default_factory=dict,
        description='Period per rule name, overriding the defaults, e.g. checks = "P30D".',
    )
    rules: list[RetentionRuleSettings] = Field(default_factory=list, description="Extra rules.")

    @field_validator("jurisdiction", mode="before")
    @classmethod
    def _jurisdiction(cls, value: Any) -> Country | None:
        if value is None or value == "":
            return None
        try:
            return parse_country(str(value))
        except InvalidInput as e:
            raise ValueError(e.detail) from None


class AuditSettings(BaseModel):
    """The audit log (docs/audit.md)."""

    model_config = ConfigDict(extra="forbid")
    sign_every: int = Field(
        default=1000,
        ge=0,
        le=1_000_000,
        description="Sign the chain head every this many entries (0: only on demand).",
    )


class DpoSettings(BaseModel):
    """The data protection officer: contact (records of processing) and misuse indicators."""

    model_config = ConfigDict(extra="forbid")
    contact: str = Field(
        default="", description="The DPO's name and contact details (records of processing)."
    )
    controller: str = Field(
        default="", description="The controller (the force). Default: the node name."
    )
    timezone: str = Field(
        default="", description="Time zone of duty hours. Default: the node country's."
    )
    duty_start: str = Field(default="06:00", description="Duty hours start (HH:MM, local).")
    duty_end: str = Field(default="22:00", description="Duty hours end (HH:MM, local).")
    window_days: int = Field(default=30, ge=1, le=366, description="Period the indicators cover.")
    volume_k: float = Field(
        default=3.0, gt=0, le=20, description="Flag officers above median + k x MAD of peers."
    )
    volume_min: int = Field(
        default=20, ge=1, description="Never flag an officer with fewer consultations."
    )
    same_subject_officers: int = Field(
        default=3, ge=2, description="Flag a subject looked up by this many officers or more."
    )

    @field_validator("duty_start", "duty_end")
    @classmethod
    def _clock(cls, value: str) -> str:
        hours, sep, minutes = value.strip().partition(":")
        if not (sep and hours.isdigit() and minutes.isdigit()):
            raise ValueError("use HH:MM")
        if not (0 <= int(hours) <= 24 and 0 <= int(minutes) < 60):
            raise ValueError("use HH:MM between 00:00 and 24:00")
        return f"{int(hours):02d}:{int(minutes):02d}"


class CrimeShareSettings(BaseModel):
    """What this node shares of its incidents with one partner (docs/crime.md)."""

    model_config = ConfigDict(extra="forbid")
    min_count: int = Field(
        default=3,
        ge=1,
        le=100,
        description="Withhold the incidents of a (cell, ICCS class, month) group smaller than it.",
    )
    resolution: int = Field(
        default=9,
        ge=5,
        le=11,
        description="Coordinates are replaced by the centre of their H3 cell at this resolution.",
    )


class CrimeSettings(BaseModel):
    """The crime picture (docs/crime.md): sharing incidents with partner nodes."""

    model_config = ConfigDict(extra="forbid")
    share: dict[str, CrimeShareSettings] = Field(
        default_factory=dict,
        description="Per partner country (BE, NL, LU, DE): share incidents with it on these "
        "terms. A partner not listed gets nothing.",
    )
    boundaries: Path | None = Field(
        default=None,
        description="GeoJSON file of the analysts' own areas (Polygon/MultiPolygon, WGS 84): "
        "drawn on the crime map, with hotspot and trend figures per area.",
    )
    boundaries_name_property: str = Field(
        default="name", description="The feature property that names each area."
    )


class AnprSettings(BaseModel):
    """ANPR (docs/anpr.md): ingest of camera reads, hotlists, hits."""

    model_config = ConfigDict(extra="forbid")
    enabled: bool = Field(default=True, description="Run the ANPR ingest with the node.")
    queue: Literal["memory", "nats"] = Field(
        default="memory",
        description="Where camera reads come in besides HTTP: an in-process queue (embedded) "
        "or the NATS JetStream stream ANPR_READS with a durable consumer (production).",
    )
    nats_url: str = Field(default="nats://127.0.0.1:4222", description="NATS server URL.")
    nats_stream: str = Field(default="ANPR_READS", description="JetStream stream of reads.")
    nats_subject_prefix: str = Field(
        default="passerelle",
        description="Reads arrive on <prefix>.<cc>.anpr.reads (cc: node country, lower case).",
    )
    nats_batch: int = Field(
        default=1000, ge=1, le=100_000, description="Messages fetched per consumer pull."
    )
    nats_ack_wait_s: float = Field(
        default=30.0, gt=0, le=3600, description="Redeliver a message not acked in this time."
    )
    batch_size: int = Field(
        default=5000, ge=1, le=100_000, description="Reads per HTTP request / ingest batch."
    )
    queue_max_batches: int = Field(
        default=256, ge=1, le=100_000, description="Batches the in-process queue holds."
    )
    max_future_skew_s: float = Field(
        default=120.0,
        ge=0,
        le=86_400,
        description="Reads stamped further in the future than this are quarantined (clock skew).",
    )
    max_age_hours: float = Field(
        default=72.0,
        gt=0,
        le=24 * 366,
        description="Reads older than this on arrival are quarantined (stale or clock skew).",
    )
    min_confidence: float = Field(
        default=0.0, ge=0, le=1, description="Reads below this OCR confidence are quarantined."
    )
    unknown_cameras: Literal["quarantine", "accept"] = Field(
        default="quarantine",
        description="Reads from a camera not in the registry: quarantine (default) or accept.",
    )
    min_hit_score: float = Field(
        default=0.5,
        ge=0,
        le=1,
        description="A match scoring below this is not a hit. 0.5 keeps every match that a "
        "misread explains (exact, OCR confusions, one missing or extra character, another "
        "country) and drops the ambiguous ones, where the read is itself another valid plate.",
    )
    # hotlists and hits (exchange between nodes; docs/anpr.md)
    hit_dedup_window_s: float = Field(
        default=600.0,
        ge=0,
        le=7 * 86_400,
        description="A hit on the same plate and entry within this time of an alerted hit is "
        "linked to it (duplicate_of) and not alerted again (0: every hit alerts).",
    )
    hotlist_sync_s: float = Field(
        default=60.0,
        gt=0,
        le=86_400,
        description="Pull partners' hotlist changes this often (and at start); pushed changes "
        "arrive at once, the pull catches up what a partner's push missed.",
    )
    hotlist_max_days: int = Field(
        default=365,
        ge=1,
        le=3650,
        description="Longest expiry an own hotlist entry may have, in days from now.",
    )


class PursuitSettings(BaseModel):
    """Cross-border pursuits (docs/operations.md): sanity checks and escalation."""

    model_config = ConfigDict(extra="forbid")
    max_speed_kmh: float = Field(
        default=300.0,
        gt=0,
        le=2000,
        description="A position implying a faster move from its neighbours is rejected "
        "(recorded with the reason, never used).",
    )
    gps_tolerance_m: float = Field(
        default=50.0,
        ge=0,
        le=5000,
        description="Jitter allowed between two fixes whatever the time.",
    )
    max_future_skew_s: float = Field(
        default=60.0, ge=0, le=3600, description="Positions stamped further ahead are rejected."
    )
    max_backdate_s: float = Field(
        default=3600.0,
        ge=0,
        le=86_400,
        description="Positions stamped this long before the pursuit was opened are rejected.",
    )
    ack_timeout_s: float = Field(
        default=120.0,
        gt=0,
        le=3600,
        description="A partner's control room that has not acknowledged a notification of a "
        "pursuit entering its territory after this long: escalate (re-notify, flag, live event).",
    )
    max_escalations: int = Field(
        default=3, ge=1, le=20, description="Escalations of one notification, ack_timeout_s apart."
    )
    check_every_s: float = Field(
        default=5.0,
        gt=0,
        le=600,
        description="How often the node looks for overdue acknowledgements.",
    )
    background_escalation: bool = Field(
        default=True, description="Look for overdue acknowledgements inside the node."
    )


class NodeSettings(BaseSettings):
    """Settings of one national node."""

    model_config = SettingsConfigDict(
        env_prefix="PASSERELLE_", env_nested_delimiter="__", extra="forbid"
    )

    mode: Literal["demo", "production"] = Field(
        default="demo", description="`production` refuses demo keys and the demo IdP."
    )
    country: Country = Field(description="ISO code of the country this node serves.")
    name: str = Field(default="", description="Display name of the node (the force).")
    host: str = Field(default="127.0.0.1", description="Address to listen on.")
    port: int = Field(default=8400, ge=1, le=65535, description="Port to listen on.")
    base_url: str | None = Field(default=None, description="Public URL; default http://host:port")
    data_dir: Path = Field(default=Path(".passerelle"), description="Keys, SQLite file, logs.")
    trust_store: Path | None = Field(
        default=None, description="TOML file of partner keys. Default data_dir/trust.toml"
    )
    key_file: Path | None = Field(
        default=None, description="Ed25519 node key (PEM). Default data_dir/keys/node.pem"
    )
    max_request_bytes: int = Field(
        default=2_097_152, gt=0, description="Largest request body the API accepts."
    )
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    log_json: bool = Field(default=True, description="JSON logs (false: console).")
    policy_file: Path | None = Field(
        default=None,
        description="Treaty policy (TOML, docs/policy.md). Default: the packaged default policy.",
    )
    database: DatabaseSettings = DatabaseSettings()
    oidc: OidcSettings = OidcSettings()
    federation: FederationSettings = FederationSettings()
    checks: ChecksSettings = ChecksSettings()
    contact_point: ContactPointSettings = ContactPointSettings()
    requests: RequestsSettings = RequestsSettings()
    patrols: PatrolSettings = PatrolSettings()
    retention: RetentionSettings = RetentionSettings()
    dpo: DpoSettings = DpoSettings()
    audit: AuditSettings = AuditSettings()
    crime: CrimeSettings = CrimeSettings()
    anpr: AnprSettings = AnprSettings()
    pursuits: PursuitSettings = PursuitSettings()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Environment wins over the TOML file (passed as init values).
        return (env_settings, init_settings)

    @field_validator("country", mode="before")
    @classmethod
    def _country(cls, value: Any) -> Country:
        try:
            return parse_country(str(value))
        except InvalidInput as e:
            raise ValueError(e.detail) from None

    @model_validator(mode="after")
    def _defaults(self) -> NodeSettings:
        if not self.name:
            self.name = f"Passerelle {self.country.value}"
        if self.base_url is None:
            self.base_url = f"http://{self.host}:{self.port}"
        self.base_url = self.base_url.rstrip("/")
        if self.trust_store is None:
            self.trust_store = self.data_dir / "trust.toml"
        if self.key_file is None:
            self.key_file = self.data_dir / "keys" / "node.pem"
        if self.database.url is None:
            self.database.url = f"sqlite:///{(self.data_dir / 'node.db').as_posix()}"
        if self.oidc.issuer is None and self.oidc.demo_idp:
            self.oidc.issuer = f"{self.base_url}/idp"
        if self.oidc.audience is None:
            self.oidc.audience = f"passerelle-{self.country.value.lower()}"
        return self

    @property
    def db_url(self) -> str:
        assert self.database.url is not None
        return self.database.url

    @property
    def public_url(self) -> str:
        assert self.base_url is not None
        return self.base_url

    @property
    def key_path(self) -> Path:
        assert self.key_file is not None
        return self.key_file

    @property
    def trust_path(self) -> Path:
        assert self.trust_store is not None
        return self.trust_store

    def check_production(self) -> None:
        """Refuse to run in production mode with demo settings."""
        if self.mode != "production":
            return
        problems: list[str] = []
        if self.oidc.demo_idp:
            problems.append("oidc.demo_idp must be false in production")
        if not (self.oidc.issuer and self.oidc.jwks_url):
            problems.append("oidc.issuer and oidc.jwks_url are required in production")
        if problems:
            raise ConfigError("unsafe production settings: " + "; ".join(problems))


def load_settings(config: Path | None = None, **overrides: Any) -> NodeSettings:
    """Load settings from an optional TOML file, the environment and overrides."""
    values: dict[str, Any] = {}
    if config is not None:
        try:
            values = tomllib.loads(config.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"config file not found: {config}") from None
        except tomllib.TOMLDecodeError as e:
            raise ConfigError(f"config file {config} is not valid TOML: {e}") from None
        base = config.parent
        for key in ("data_dir", "trust_store", "key_file", "policy_file"):
            if key in values and not Path(values[key]).is_absolute():
                values[key] = str(base / values[key])
    values.update(overrides)
    try:
        return NodeSettings(**values)
    except ValidationError as e:
        where = f" in {config}" if config else ""
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or '(root)'}: {err['msg']}"
            for err in e.errors()
        )
        raise ConfigError(f"invalid settings{where}: {problems}") from None
