"""Build everything a running node needs from its settings.

``NodeContext.build`` migrates the database, loads (or on first start creates)
the node key, reads the trust store, and sets up token verification. In
production mode it refuses demo keys and the demo identity provider.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import sqlalchemy as sa

from passerelle.audit.sql import SqlAuditLog, open_audit_log
from passerelle.auth.idp import DemoIdP
from passerelle.auth.tokens import TokenVerifier
from passerelle.exc import ConfigError
from passerelle.federation.keys import NodeKey
from passerelle.federation.signing import InMemoryNonceStore, NonceStore
from passerelle.federation.trust import TrustStore
from passerelle.policy import Policy, load_policy
from passerelle.registers.port import RegisterPort
from passerelle.registers.sql import SqlRegisters
from passerelle.requests.references import ReferenceStore
from passerelle.settings import NodeSettings
from passerelle.storage.db import create_engine, migrate

if TYPE_CHECKING:
    from passerelle.anpr.runtime import AnprRuntime
    from passerelle.federation.client import PartnerClient
    from passerelle.node.live import LiveHub
    from passerelle.node.outbox import Outbox
    from passerelle.ops.pursuits_runtime import PursuitRuntime
    from passerelle.ops.runtime import PatrolRuntime
    from passerelle.requests.service import FollowUpService
    from passerelle.retention.service import RetentionService


@dataclass
class NodeContext:
    settings: NodeSettings
    engine: sa.Engine
    registers: RegisterPort
    key: NodeKey
    trust: TrustStore
    verifier: TokenVerifier
    idp: DemoIdP | None
    nonces: NonceStore = field(default_factory=InMemoryNonceStore)
    _client: PartnerClient | None = None
    _audit: SqlAuditLog | None = None
    _references: ReferenceStore | None = None
    _retention: RetentionService | None = None
    _follow_ups: FollowUpService | None = None
    _policy: Policy | None = None
    _patrols: PatrolRuntime | None = None
    _pursuits: PursuitRuntime | None = None
    _anpr: AnprRuntime | None = None
    _outbox: Outbox | None = None
    _live: LiveHub | None = None

    @property
    def outbox(self) -> Outbox:
        """Messages that must reach a partner node, retried until they do (``node.outbox``)."""
        if self._outbox is None:
            from passerelle.node.outbox import Outbox

            fed = self.settings.federation
            self._outbox = Outbox(
                self.engine,
                trust=self.trust,
                client=lambda: self.client,
                timeout_s=max(fed.partner_timeout_s, 5.0),
                retry_s=fed.outbox_retry_s,
                max_backoff_s=fed.outbox_max_backoff_s,
            )
        return self._outbox

    @property
    def live(self) -> LiveHub:
        """Live events for control rooms, streamed as server-sent events (``node.live``)."""
        if self._live is None:
            from passerelle.node.live import LiveHub

            self._live = LiveHub()
        return self._live

    @property
    def anpr(self) -> AnprRuntime:
        """ANPR: hotlists, hits, reads, ingest (``passerelle.anpr.runtime``)."""
        if self._anpr is None:
            from passerelle.anpr.runtime import AnprRuntime

            self._anpr = AnprRuntime(self)
        return self._anpr

    @property
    def policy(self) -> Policy:
        """This node's treaty policy (``passerelle.policy``; ``policy_file`` setting)."""
        if self._policy is None:
            self._policy = load_policy(self.settings.policy_file, self.settings.country)
        return self._policy

    @property
    def audit(self) -> SqlAuditLog:
        """The node's audit log (``passerelle.audit``): ``ctx.audit.append(event)``."""
        if self._audit is None:
            self._audit = open_audit_log(
                self.engine, self.key, self.settings.data_dir, self.settings.audit.sign_every
            )
        return self._audit

    @property
    def client(self) -> PartnerClient:
        from passerelle.federation.client import PartnerClient

        if self._client is None:
            self._client = PartnerClient(self.key, self.trust)
        return self._client

    @property
    def references(self) -> ReferenceStore:
        """Hit/no-hit references handed to partner nodes (``passerelle.requests``)."""
        if self._references is None:
            self._references = ReferenceStore.from_settings(self.engine, self.settings)
        return self._references

    @property
    def follow_ups(self) -> FollowUpService:
        """Follow-up requests, both ends (``passerelle.requests``)."""
        if self._follow_ups is None:
            from passerelle.requests.service import FollowUpService

            self._follow_ups = FollowUpService.for_node(self)
        return self._follow_ups

    @property
    def patrols(self) -> PatrolRuntime:
        """Joint patrols: store, copies outbox, clock (``passerelle.ops``)."""
        if self._patrols is None:
            from passerelle.ops.runtime import PatrolRuntime

            self._patrols = PatrolRuntime(self)
        return self._patrols

    @property
    def pursuits(self) -> PursuitRuntime:
        """Cross-border pursuits: store, borders, clock, escalation (``passerelle.ops``)."""
        if self._pursuits is None:
            from passerelle.ops.pursuits_runtime import PursuitRuntime

            self._pursuits = PursuitRuntime(self)
        return self._pursuits

    @property
    def retention(self) -> RetentionService:
        """The retention job and its rules (``passerelle.retention``)."""
        if self._retention is None:
            from passerelle.retention.service import RetentionService

            self._retention = RetentionService(self.engine, self.settings, audit=self.audit)
        return self._retention

    @classmethod
    def build(cls, settings: NodeSettings, *, run_migrations: bool = True) -> NodeContext:
        settings.check_production()
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        engine = create_engine(settings.db_url, echo=settings.database.echo)
        if run_migrations:
            migrate(engine)
        demo = settings.mode == "demo"
        key = NodeKey.load_or_create(settings.key_path, settings.country, demo=demo)
        if settings.mode == "production" and key.is_demo:
            raise ConfigError(
                f"the node key {settings.key_path} was generated for a demo; "
                "production mode needs a key created with `passerelle node init`"
            )
        trust = TrustStore.load(settings.trust_path)
        idp: DemoIdP | None = None
        issuer = settings.oidc.issuer
        audience = settings.oidc.audience
        assert issuer is not None and audience is not None
        if settings.oidc.demo_idp and demo:
            idp = DemoIdP(settings.data_dir / "idp", issuer=issuer, audience=audience)
            verifier = TokenVerifier.from_jwks(
                idp.jwks(), issuer=issuer, audience=audience, leeway_s=settings.oidc.leeway_s
            )
        elif settings.oidc.jwks_url:
            verifier = TokenVerifier.from_url(
                settings.oidc.jwks_url,
                issuer=issuer,
                audience=audience,
                leeway_s=settings.oidc.leeway_s,
            )
        else:
            raise ConfigError("no way to verify officer tokens: set oidc.jwks_url")
        return cls(
            settings=settings,
            engine=engine,
            registers=SqlRegisters(engine, settings.country),
            key=key,
            trust=trust,
            verifier=verifier,
            idp=idp,
            _references=ReferenceStore.from_settings(engine, settings),
            _audit=open_audit_log(engine, key, settings.data_dir, settings.audit.sign_every),
            _policy=load_policy(settings.policy_file, settings.country),  # bad policy: no start
        )

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
        self.engine.dispose()
