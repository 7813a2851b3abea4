"""The check contract (DESIGN.md "Node API"): request and answer models.

``CheckRequest`` is what ``CheckService.run`` takes (the web page builds it
directly); the three endpoint bodies type the ``subject`` per kind for the
OpenAPI schema and turn into a ``CheckRequest``. Subjects use the column names
of the registers (docs/datasets.md).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

CheckKind = Literal["person", "vehicle", "document"]
SourceStatus = Literal["hit", "no_hit", "refused", "unavailable", "timeout", "error"]
KINDS: tuple[str, ...] = ("person", "vehicle", "document")

_TEXT = Field(default=None, max_length=200)


class _Subject(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    def clean(self) -> dict[str, str]:
        """The fields that were given (non-empty), as strings."""
        return {k: v for k, v in self.model_dump().items() if isinstance(v, str) and v}


class PersonSubject(_Subject):
    given_names: str | None = _TEXT
    family_name: str | None = _TEXT
    family_name_prefix: str | None = Field(default=None, max_length=40)
    birth_date: str | None = Field(
        default=None, max_length=10, description="YYYY-MM-DD, YYYY-MM or YYYY"
    )
    sex: str | None = Field(default=None, max_length=1, description="M, F or X")
    nationality: str | None = Field(default=None, max_length=2, description="ISO alpha-2")
    national_id: str | None = Field(default=None, max_length=30)
    document_number: str | None = Field(default=None, max_length=30)


class VehicleSubject(_Subject):
    plate: str | None = Field(default=None, max_length=40)
    plate_country: str | None = Field(default=None, max_length=2)
    vin: str | None = Field(default=None, max_length=30)


class DocumentSubject(_Subject):
    document_number: str | None = Field(default=None, max_length=40)
    document_type: str | None = Field(default=None, max_length=20)
    issuing_country: str | None = Field(default=None, max_length=2)


SUBJECTS: dict[str, type[_Subject]] = {
    "person": PersonSubject,
    "vehicle": VehicleSubject,
    "document": DocumentSubject,
}


class CheckContext(BaseModel):
    """Why the check is made, and the reference that makes it lawful."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    purpose: str = Field(
        max_length=40, description="joint_control, joint_post, investigation, anpr_followup"
    )
    patrol_id: str | None = Field(default=None, max_length=40, description="joint_control")
    case_ref: str | None = Field(default=None, max_length=60, description="investigation")
    authorisation_ref: str | None = Field(default=None, max_length=60)
    justification: str | None = Field(default=None, max_length=1000)


class CheckRequest(BaseModel):
    """A check of any kind; ``subject`` is validated against the kind's subject model."""

    model_config = ConfigDict(extra="forbid")

    subject: dict[str, Any]
    context: CheckContext
    countries: list[str] | None = Field(
        default=None, max_length=8, description="Sources to consult (default: own + all partners)"
    )


class PersonCheck(BaseModel):
    model_config = ConfigDict(extra="forbid")
    subject: PersonSubject
    context: CheckContext
    countries: list[str] | None = Field(default=None, max_length=8)

    def to_request(self) -> CheckRequest:
        return CheckRequest(
            subject=self.subject.clean(), context=self.context, countries=self.countries
        )


class VehicleCheck(PersonCheck):
    subject: VehicleSubject  # type: ignore[assignment]


class DocumentCheck(PersonCheck):
    subject: DocumentSubject  # type: ignore[assignment]


class HitWarning(BaseModel):
    """An officer-safety or action warning carried by a hit."""

    code: str = Field(
        description="armed, violent, drugs, suicidal, escape_risk, contagious, "
        "wanted_for_arrest, missing_person, entry_ban, stolen_vehicle, stolen_document, "
        "lost_document"
    )
    dataset: str


class CheckResult(BaseModel):
    dataset: str
    score: float
    explanation: dict[str, Any]
    record: dict[str, Any] | None = None
    reference: str | None = None
    contact_point: dict[str, str] | None = None
    warnings: list[HitWarning] = Field(default_factory=list)


class CheckSource(BaseModel):
    country: str
    status: SourceStatus
    latency_ms: float
    reason: str | None = Field(
        default=None, description="Why refused / error (a stable code, translated in the UI)"
    )
    results: list[CheckResult] = Field(default_factory=list)


class CheckResponse(BaseModel):
    check_id: str
    kind: CheckKind
    purpose: str
    sources: list[CheckSource]
