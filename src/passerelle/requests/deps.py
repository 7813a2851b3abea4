"""What both ends of the follow-up flow need: stores, audit, partners, a clock."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from passerelle.audit.events import Actor, AuditEvent
from passerelle.audit.port import AuditLog
from passerelle.auth.roles import Principal, Role
from passerelle.domain.countries import Country
from passerelle.exc import NotFound, PasserelleError
from passerelle.federation.trust import PartnerEntry, TrustStore
from passerelle.requests.records import RegisterRecords
from passerelle.requests.references import Clock, ReferenceStore
from passerelle.requests.store import FollowUpStore
from passerelle.settings import RequestsSettings

if TYPE_CHECKING:
    from passerelle.federation.client import PartnerClient


class Conflict(PasserelleError):
    status = 409
    code = "conflict"


@dataclass
class RequestDeps:
    country: Country
    settings: RequestsSettings
    store: FollowUpStore
    references: ReferenceStore
    records: RegisterRecords
    audit: AuditLog
    trust: TrustStore
    client: Callable[[], PartnerClient]
    timeout_s: float
    clock: Clock

    def now(self) -> dt.datetime:
        return self.clock()

    def retry_at(self) -> dt.datetime:
        return self.now() + dt.timedelta(seconds=self.settings.answer_retry_s)

    def partner(self, country: Country) -> PartnerEntry:
        entry = self.trust.get(country) if country != self.country else None
        if entry is None:
            raise NotFound(
                f"{country.value} is not a partner of this node",
                code="partner_unknown",
                country=country.value,
            )
        return entry

    def log(self, *events: AuditEvent) -> None:
        """Write the entries (all or none) before anything leaves the node."""
        if len(events) == 1:
            self.audit.append(events[0])
        else:
            self.audit.append_many(list(events))


def actor_of(principal: Principal, country: Country, role: Role) -> Actor:
    return Actor(subject=principal.subject, role=role.value, country=country)
