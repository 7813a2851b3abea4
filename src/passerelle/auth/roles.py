"""Roles and the authenticated principal."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from passerelle.exc import InvalidInput


class Role(StrEnum):
    OFFICER = "officer"
    CONTROL_ROOM = "control_room"
    CONTACT_POINT = "contact_point"
    ANALYST = "analyst"
    DPO = "dpo"
    ADMIN = "admin"


def parse_roles(value: str | list[str]) -> list[Role]:
    items = value.split(",") if isinstance(value, str) else value
    roles: list[Role] = []
    for item in items:
        name = item.strip().lower()
        if not name:
            continue
        try:
            role = Role(name)
        except ValueError:
            allowed = ", ".join(r.value for r in Role)
            raise InvalidInput(
                f"unknown role {item!r}; expected one of {allowed}",
                code="unknown_role",
                value=item,
                allowed=allowed,
            ) from None
        if role not in roles:
            roles.append(role)
    if not roles:
        raise InvalidInput("at least one role is required", code="no_role")
    return roles


@dataclass(frozen=True)
class Principal:
    """Who is calling: taken from a verified token, never from the request body."""

    subject: str
    name: str
    roles: frozenset[Role]
    issuer: str
    token_id: str
    expires_at: int

    def has(self, *roles: Role) -> bool:
        return bool(self.roles.intersection(roles))
