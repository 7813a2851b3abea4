"""Entries the node writes for security events: refused federation calls and web sign-ins.

Neither carries personal data in clear: a refused federation call records the
error code, route and the key id the caller claimed; a failed sign-in keeps the
user name that was typed only inside the encrypted ``query`` (readable by the
DPO), since people sometimes type a password into the user-name field.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from fastapi import Request

from passerelle.audit.events import Actor, AuditEvent, EventKind
from passerelle.audit.port import AuditLog
from passerelle.domain.countries import Country
from passerelle.federation.server import RejectHook

_KEYID = re.compile(r'keyid="([^"]{1,100})"')


def federation_rejected_hook(audit: AuditLog, node: Country) -> RejectHook:
    """A ``FederationState.on_rejected`` hook writing one FEDERATION_REJECTED entry per refusal."""

    def hook(code: str, request: Request) -> None:
        claimed = _KEYID.search(request.headers.get("signature-input", ""))
        key_id = claimed.group(1) if claimed else None
        partner: Country | None = None
        if key_id and key_id[:2] in Country.__members__:
            partner = Country(key_id[:2])
        audit.append(
            AuditEvent(
                kind=EventKind.FEDERATION_REJECTED,
                actor=Actor(subject=f"node:{node.value}", role="node", country=node),
                outcome="refused",
                purpose=None,
                justification=None,
                partner=partner,
                detail={
                    "code": code,
                    "method": request.method,
                    "route": request.url.path[:200],
                    "claimed_key_id": key_id,
                    "client": request.client.host if request.client else None,
                },
            )
        )

    return hook


def record_sign_in(
    audit: AuditLog,
    node: Country,
    *,
    username: str,
    roles: Sequence[str],
    ok: bool,
    reason: str | None = None,
    channel: str = "web",
) -> str:
    """SIGN_IN (``ok``) or SIGN_IN_FAILED; raises AuditUnavailable if it cannot be written."""
    if ok:
        actor = Actor(subject=username, role=",".join(sorted(roles)), country=node)
        query: dict[str, str] = {}
    else:
        actor = Actor(subject="unknown", role="none", country=node)
        query = {"username": username}
    return audit.append(
        AuditEvent(
            kind=EventKind.SIGN_IN if ok else EventKind.SIGN_IN_FAILED,
            actor=actor,
            outcome="ok" if ok else "refused",
            purpose=None,
            justification=None,
            query=query,
            detail={"channel": channel, **({"reason": reason} if reason else {})},
        )
    )
