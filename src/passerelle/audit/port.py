"""The audit port: every capability writes its entries through this interface.

``append`` returns only once the entry is durable (committed); if it cannot be
written it raises ``AuditUnavailable`` and the caller must fail closed (no
answer leaves the node without its audit entry).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from passerelle.audit.events import AuditEvent


@runtime_checkable
class AuditLog(Protocol):
    def append(self, event: AuditEvent) -> str:
        """Write one entry durably; return its entry id."""
        ...

    def append_many(self, events: Sequence[AuditEvent]) -> list[str]:
        """Write several entries in one transaction (all or none); return their ids."""
        ...
