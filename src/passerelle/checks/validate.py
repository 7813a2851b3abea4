"""Turn a check request into a validated query, or refuse it with a clear 4xx.

Both ends run this: the requesting node before it contacts anyone, the
providing node again on what it receives (it never trusts the requester's
validation). Messages never quote the searched values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from passerelle.checks.models import KINDS, SUBJECTS, CheckContext
from passerelle.domain.dates import PartialDate
from passerelle.domain.documents import compact_document_number, parse_document_type
from passerelle.domain.plates import normalise_plate
from passerelle.domain.purpose import Purpose, parse_purpose
from passerelle.exc import InvalidInput
from passerelle.registers.schema import COUNTRY_CODES

_REFERENCE = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ._/:#-]{0,59}")
_VIN = re.compile(r"[A-HJ-NPR-Z0-9]{17}")
_ID = re.compile(r"[A-Z0-9]{5,20}")
_LETTERS = re.compile(r"[^\W\d_]", re.UNICODE)
MIN_JUSTIFICATION = 3


@dataclass(frozen=True)
class LegalContext:
    purpose: Purpose
    justification: str
    patrol_id: str | None = None
    case_ref: str | None = None
    authorisation_ref: str | None = None

    def to_wire(self) -> dict[str, str | None]:
        return {
            "purpose": self.purpose.value,
            "justification": self.justification,
            "patrol_id": self.patrol_id,
            "case_ref": self.case_ref,
            "authorisation_ref": self.authorisation_ref,
        }


@dataclass(frozen=True)
class CheckQuery:
    kind: str
    subject: dict[str, str]
    context: LegalContext


def _bad(code: str, detail: str, **params: Any) -> InvalidInput:
    return InvalidInput(detail, code=code, **params)


def _name(field: str, value: str) -> str:
    if len(_LETTERS.findall(value)) < 2:
        raise _bad("query_too_short", f"{field}: give at least two letters", field=field)
    return " ".join(value.split())


def _country(field: str, value: str) -> str:
    code = value.strip().upper()
    if code not in COUNTRY_CODES:
        raise _bad("country_code_invalid", f"{field}: not a country code", field=field)
    return code


def _identifier(field: str, value: str) -> str:
    compact = compact_document_number(value)
    if not _ID.fullmatch(compact):
        raise _bad("identifier_invalid", f"{field}: 5 to 20 letters and digits", field=field)
    return compact


def _person(s: dict[str, str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for field in ("given_names", "family_name"):
        if field in s:
            out[field] = _name(field, s[field])
    if "family_name_prefix" in s:
        out["family_name_prefix"] = " ".join(s["family_name_prefix"].split())
    if "birth_date" in s:
        out["birth_date"] = str(PartialDate.parse(s["birth_date"]))
    if "sex" in s:
        sex = s["sex"].upper()
        if sex not in ("M", "F", "X"):
            raise _bad("sex_invalid", "sex: M, F or X", field="sex")
        out["sex"] = sex
    if "nationality" in s:
        out["nationality"] = _country("nationality", s["nationality"])
    for field in ("national_id", "document_number"):
        if field in s:
            out[field] = _identifier(field, s[field])
    if not ({"family_name", "national_id", "document_number"} & out.keys()):
        raise _bad(
            "query_too_vague",
            "give a family name, a national identifier or a document number",
        )
    return out


def _vehicle(s: dict[str, str]) -> dict[str, str]:
    out: dict[str, str] = {}
    if "plate" in s:
        plate = normalise_plate(s["plate"])
        if not 2 <= len(plate) <= 10 or not plate.isalnum():
            raise _bad("plate_invalid", "plate: 2 to 10 letters and digits", field="plate")
        out["plate"] = plate
    if "plate_country" in s:
        out["plate_country"] = _country("plate_country", s["plate_country"])
    if "vin" in s:
        vin = s["vin"].upper().replace(" ", "")
        if not _VIN.fullmatch(vin):
            raise _bad("vin_invalid", "vin: 17 letters and digits (no I, O, Q)", field="vin")
        out["vin"] = vin
    if not ({"plate", "vin"} & out.keys()):
        raise _bad("query_too_vague", "give a plate or a VIN")
    return out


def _document(s: dict[str, str]) -> dict[str, str]:
    if "document_number" not in s:
        raise _bad("query_too_vague", "give a document number")
    out = {"document_number": _identifier("document_number", s["document_number"])}
    if "document_type" in s:
        out["document_type"] = parse_document_type(s["document_type"]).value
    if "issuing_country" in s:
        out["issuing_country"] = _country("issuing_country", s["issuing_country"])
    return out


_CLEAN = {"person": _person, "vehicle": _vehicle, "document": _document}


def validate_subject(kind: str, subject: dict[str, Any]) -> dict[str, str]:
    if kind not in KINDS:
        raise _bad("check_kind_unknown", f"unknown check kind; expected {', '.join(KINDS)}")
    try:
        model = SUBJECTS[kind].model_validate(subject)
    except ValidationError as e:
        fields = sorted({str(err["loc"][0]) for err in e.errors() if err.get("loc")})
        raise _bad(
            "subject_invalid",
            f"unknown or invalid subject field(s): {', '.join(fields)}",
            fields=", ".join(fields),
        ) from None
    given = model.clean()
    if not given:
        raise _bad("query_empty", "the subject is empty: enter what you know")
    return _CLEAN[kind](given)


def _reference(field: str, value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    text = value.strip()
    if not _REFERENCE.fullmatch(text):
        raise _bad("reference_invalid", f"{field}: up to 60 letters, digits, . _ / : # -")
    return text


def validate_context(context: CheckContext | dict[str, Any]) -> LegalContext:
    if isinstance(context, dict):
        try:
            context = CheckContext.model_validate(context)
        except ValidationError:
            raise _bad("context_invalid", "the check context is malformed") from None
    purpose = parse_purpose(context.purpose)
    justification = " ".join((context.justification or "").split())
    if len(justification) < MIN_JUSTIFICATION:
        raise _bad("justification_required", "give a justification for the check")
    legal = LegalContext(
        purpose=purpose,
        justification=justification,
        patrol_id=_reference("patrol_id", context.patrol_id),
        case_ref=_reference("case_ref", context.case_ref),
        authorisation_ref=_reference("authorisation_ref", context.authorisation_ref),
    )
    if purpose is Purpose.JOINT_CONTROL and legal.patrol_id is None:
        raise _bad("patrol_required", "a joint-control check needs the joint patrol's id")
    if purpose is Purpose.INVESTIGATION and legal.case_ref is None:
        raise _bad("case_ref_required", "an investigation check needs a case reference")
    return legal


def validate_check(kind: str, subject: dict[str, Any], context: Any) -> CheckQuery:
    """Validate kind, subject and context (in that order)."""
    clean = validate_subject(kind, subject)
    return CheckQuery(kind=kind, subject=clean, context=validate_context(context))
