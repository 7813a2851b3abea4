"""Purposes of processing: why a check or request is made (purpose binding).

Every query carries a purpose and the reference that makes it lawful
(``LegalContext``). The providing node decides, under its own policy, what a
purpose allows; it never trusts the requester's claim about a patrol or case
that it can verify itself.
"""

from __future__ import annotations

from enum import StrEnum

from passerelle.exc import InvalidInput


class Purpose(StrEnum):
    JOINT_CONTROL = "joint_control"  # mixed patrol / joint control (treaty art. 16(5))
    JOINT_POST = "joint_post"  # joint police post (art. 15(5))
    INVESTIGATION = "investigation"  # criminal investigation, needs a case reference
    ANPR_FOLLOWUP = "anpr_followup"  # follow-up of an ANPR hit


def parse_purpose(value: str) -> Purpose:
    """Parse a purpose name; ``InvalidInput`` (422, ``unknown_purpose``) otherwise."""
    name = value.strip().lower()
    try:
        return Purpose(name)
    except ValueError:
        allowed = ", ".join(p.value for p in Purpose)
        raise InvalidInput(
            f"unknown purpose {value!r}; expected one of {allowed}",
            code="unknown_purpose",
            value=value,
            allowed=allowed,
        ) from None
