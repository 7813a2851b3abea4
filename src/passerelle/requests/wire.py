"""The JSON messages of follow-up requests, validated at both ends.

``NewRequest`` is what an officer posts to their own node; ``FederatedRequest``
is what the requesting node sends to the providing node; ``Answer`` is what
the providing node pushes back (or hands out when the requester pulls).
Every field is bounded so a partner cannot make us store arbitrary amounts.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from passerelle.exc import InvalidInput

MAX_JUSTIFICATION = 2000
MAX_REASON = 2000
MAX_FIELDS = 64


class NewRequest(BaseModel):
    """``POST /api/v1/requests``: a follow-up request on a hit/no-hit reference."""

    model_config = ConfigDict(extra="forbid")
    country: str = Field(max_length=2, description="The providing country (ISO code).")
    reference: str = Field(min_length=1, max_length=64, description="The hit's reference.")
    justification: str = Field(
        max_length=MAX_JUSTIFICATION, description="Why the record is needed (logged at both ends)."
    )
    urgency: Literal["urgent", "normal"] = Field(
        default="normal", description="urgent: answer due in 8 hours; normal: 7 days."
    )
    purpose: str = Field(max_length=40, description="joint_control, investigation, ...")
    case_ref: str | None = Field(
        default=None, max_length=120, description="Case reference (required for investigation)."
    )


class FederatedRequest(BaseModel):
    """``POST /federation/v1/requests`` body (requesting node → providing node)."""

    model_config = ConfigDict(extra="forbid")
    request_id: str = Field(pattern=r"^[0-9a-f]{32}$")
    reference: str = Field(min_length=1, max_length=64)
    officer: str = Field(min_length=1, max_length=200)
    justification: str = Field(min_length=1, max_length=MAX_JUSTIFICATION)
    urgency: Literal["urgent", "normal"]
    purpose: str = Field(max_length=40)
    case_ref: str | None = Field(default=None, max_length=120)


class Answer(BaseModel):
    """An answer (providing node → requesting node), pushed or pulled."""

    model_config = ConfigDict(extra="forbid")
    request_id: str = Field(pattern=r"^[0-9a-f]{32}$")
    status: Literal["pending", "granted", "refused"]
    dataset: str | None = Field(default=None, max_length=40)
    deadline_at: dt.datetime
    answered_at: dt.datetime | None = None
    answered_by: str | None = Field(default=None, max_length=200)
    refusal_reason: str | None = Field(default=None, max_length=MAX_REASON)
    fields: list[str] = Field(default_factory=list, max_length=MAX_FIELDS)
    record: dict[str, Any] | None = None


def parse(model: type[BaseModel], data: Any) -> Any:
    """Validate ``data`` as ``model``; ``InvalidInput`` naming the bad fields, never values."""
    try:
        return model.model_validate(data)
    except ValidationError as e:
        where = ", ".join(".".join(str(p) for p in err["loc"]) or "body" for err in e.errors())
        raise InvalidInput(
            f"invalid {model.__name__} message: {where}", code="validation_error"
        ) from None
