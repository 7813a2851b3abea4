"""Column schemas of the register datasets, as data, and row validation.

``DATASETS`` describes every import column (name, required, kind, meaning);
``validate_row`` turns one raw row of strings into clean Python values or
raises ``InvalidInput(code="invalid_row", column=..., reason=...)``. Empty
strings count as missing. The node's own identifiers (``national_id``,
``holder_national_id``) are checked under the node country's rules.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from babel import Locale

from passerelle.domain.countries import Country
from passerelle.domain.dates import PartialDate, parse_full_date
from passerelle.domain.documents import (
    DocumentStatus,
    DocumentType,
    parse_document_number,
)
from passerelle.domain.identifiers import parse_national_id
from passerelle.domain.plates import normalise_plate, parse_plate
from passerelle.exc import InvalidInput

ALERT_TYPES = ("arrest", "missing", "discreet_check", "specific_check", "entry_ban")
WARNING_MARKERS = ("armed", "violent", "drugs", "suicidal", "escape_risk", "contagious")
DOCUMENT_TYPES = tuple(t.value for t in DocumentType)
DOCUMENT_STATUSES = tuple(s.value for s in DocumentStatus)
# Babel's territories include regions and reserved codes that are not countries.
_NOT_COUNTRIES = {
    "AC", "CP", "CQ", "DG", "EA", "EU", "EZ", "IC", "QO", "TA", "UN", "XA", "XB", "ZZ",
}  # fmt: skip
COUNTRY_CODES: frozenset[str] = frozenset(
    str(code)
    for code in Locale("en").territories
    if len(str(code)) == 2 and str(code).isalpha() and code not in _NOT_COUNTRIES
)
_REFERENCE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/:-]{0,39}")
_VIN = re.compile(r"[A-HJ-NPR-Z0-9]{17}")
_FOREIGN_PLATE = re.compile(r"[A-Z0-9ÄÖÜ]{1,12}")
_POSTCODES = {
    "BE": re.compile(r"[1-9]\d{3}"),
    "NL": re.compile(r"[1-9]\d{3} ?[A-Z]{2}"),
    "LU": re.compile(r"(?:L-?)?\d{4}"),
    "DE": re.compile(r"\d{5}"),
}
_TRUE = {"true", "1", "yes", "y", "ja", "j", "oui", "o"}
_FALSE = {"false", "0", "no", "n", "nee", "nein", "non"}


@dataclass(frozen=True)
class Column:
    name: str
    required: bool
    kind: str
    description: str


@dataclass(frozen=True)
class DatasetSchema:
    name: str
    description: str
    columns: tuple[Column, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


@dataclass(frozen=True)
class _Context:
    country: Country
    today: dt.date


class _ColumnError(Exception):
    def __init__(self, column: str, reason: str) -> None:
        super().__init__(f"{column}: {reason}")
        self.column, self.reason = column, reason


def _bad(reason: str) -> InvalidInput:
    return InvalidInput(reason, code="invalid_value", reason=reason)


def _text(limit: int) -> Callable[[_Context, str], object]:
    def check(ctx: _Context, value: str) -> object:
        if len(value) > limit:
            raise _bad(f"longer than {limit} characters")
        if any(ord(ch) < 32 for ch in value):
            raise _bad("control characters not allowed")
        return " ".join(value.split())

    return check


def _choice(options: tuple[str, ...]) -> Callable[[_Context, str], object]:
    def check(ctx: _Context, value: str) -> object:
        v = value.lower()
        if v not in options:
            raise _bad(f"expected one of {', '.join(options)}")
        return v

    return check


def _country(ctx: _Context, value: str) -> object:
    code = value.upper()
    if code not in COUNTRY_CODES:
        raise _bad("not an ISO 3166-1 alpha-2 country code")
    return code


def _sex(ctx: _Context, value: str) -> object:
    v = value.upper()
    if v not in ("M", "F", "X"):
        raise _bad("expected M, F or X")
    return v


def _boolean(ctx: _Context, value: str) -> object:
    v = value.lower()
    if v in _TRUE:
        return True
    if v in _FALSE:
        return False
    raise _bad("expected true or false")


def _reference(ctx: _Context, value: str) -> object:
    if not _REFERENCE.fullmatch(value):
        raise _bad("expected up to 40 letters, digits and . _ / : -")
    return value


def _vin(ctx: _Context, value: str) -> object:
    v = value.upper().replace(" ", "")
    if len(v) != 17:
        raise _bad("a VIN has 17 characters")
    if not _VIN.fullmatch(v):
        raise _bad("a VIN has only digits and letters other than I, O, Q")
    return v


def _warning_markers(ctx: _Context, value: str) -> object:
    markers = [m.strip().lower() for m in value.split(";") if m.strip()]
    unknown = [m for m in markers if m not in WARNING_MARKERS]
    if unknown:
        raise _bad(f"unknown marker {unknown[0]!r}; expected {', '.join(WARNING_MARKERS)}")
    return ";".join(dict.fromkeys(markers))


def _postcode(ctx: _Context, value: str) -> object:
    return " ".join(value.upper().split())


KINDS: dict[str, Callable[[_Context, str], object]] = {
    "name": _text(200),
    "text": _text(400),
    "short_text": _text(60),
    "reference": _reference,
    "own_national_id": lambda ctx, v: parse_national_id(ctx.country, v),
    "partial_date": lambda ctx, v: str(PartialDate.parse(v, today=ctx.today)),
    "past_date": lambda ctx, v: parse_full_date(v, not_after=ctx.today),
    "date": lambda ctx, v: parse_full_date(v),
    "sex": _sex,
    "country": _country,
    "alert_type": _choice(ALERT_TYPES),
    "document_type": _choice(DOCUMENT_TYPES),
    "document_status": _choice(DOCUMENT_STATUSES),
    "boolean": _boolean,
    "vin": _vin,
    "plate": lambda ctx, v: normalise_plate(v),
    "document_number": lambda ctx, v: v,
    "postcode": _postcode,
    "warning_markers": _warning_markers,
}


def _cross_checks(dataset: str, ctx: _Context, row: dict[str, object]) -> None:
    """Checks that need more than one column of the row."""
    plate = row.get("plate")
    if isinstance(plate, str):
        where = str(row.get("plate_country") or "")
        if not where:
            raise _ColumnError("plate_country", "required with a plate")
        try:
            row["plate"] = (
                parse_plate(Country(where), plate).text if where in Country.__members__ else plate
            )
        except InvalidInput as e:
            raise _ColumnError("plate", str(e.params.get("reason", e.detail))) from None
        if where not in Country.__members__ and not _FOREIGN_PLATE.fullmatch(plate):
            raise _ColumnError("plate", "expected 1-12 letters and digits")
    if dataset == "stolen_vehicles" and not plate and not row.get("vin"):
        raise _ColumnError("plate", "plate or vin required")
    number = row.get("document_number")
    if isinstance(number, str):
        try:
            row["document_number"] = parse_document_number(
                str(row["issuing_country"]), str(row["document_type"]), number
            )
        except InvalidInput as e:
            raise _ColumnError("document_number", str(e.params.get("reason", e.detail))) from None
    postcode = row.get("address_postcode")
    pattern = _POSTCODES.get(str(row.get("address_country") or ""))
    if isinstance(postcode, str) and pattern is not None:
        if not pattern.fullmatch(postcode):
            raise _ColumnError("address_postcode", "not a postcode of the address country")
        if row["address_country"] == "LU" and not postcode.startswith("L-"):
            row["address_postcode"] = "L-" + postcode.removeprefix("L")
        elif row["address_country"] == "NL" and " " not in postcode:
            row["address_postcode"] = f"{postcode[:4]} {postcode[4:]}"


# fmt: off
_PERSON = (
    ("given_names", True, "name", "All given names, space-separated"),
    ("family_name", True, "name", "Family name (without particles where the register splits them)"),
    ("family_name_prefix", False, "short_text", "Surname particles kept apart (NL: 'van der')"),
)
_BIRTH = ("birth_date", False, "partial_date", "YYYY-MM-DD, or YYYY-MM / YYYY when partly unknown")
_SPECS: dict[str, tuple[str, tuple[tuple[str, bool, str, str], ...]]] = {
    "population": ("Population register", (
        ("national_id", True, "own_national_id", "National identifier"),
        *_PERSON,
        _BIRTH,
        ("sex", False, "sex", "M, F or X"),
        ("nationality", False, "country", "ISO 3166-1 alpha-2"),
        ("birth_place", False, "text", "Place of birth"),
        ("address_street", False, "text", "Street"),
        ("address_number", False, "short_text", "House number and box"),
        ("address_postcode", False, "postcode", "Postcode (checked for BE, NL, LU, DE)"),
        ("address_city", False, "text", "Town or city"),
        ("address_country", False, "country", "ISO 3166-1 alpha-2"),
    )),
    "wanted_persons": ("Wanted and missing persons", (
        ("alert_id", True, "reference", "Alert reference"),
        *_PERSON,
        _BIRTH,
        ("nationality", False, "country", "ISO 3166-1 alpha-2"),
        ("alert_type", True, "alert_type", ", ".join(ALERT_TYPES)),
        ("reason", False, "text", "Reason for the alert"),
        ("warning_markers", False, "warning_markers",
         "Officer-safety markers, ';'-separated: " + ", ".join(WARNING_MARKERS)),
        ("issued_on", False, "past_date", "Date the alert was issued"),
        ("contact", False, "text", "Contact point for a hit"),
    )),
    "vehicles": ("Vehicle register", (
        ("plate", True, "plate", "Registration plate"),
        ("plate_country", True, "country", "Country of the plate"),
        ("vin", False, "vin", "Vehicle identification number (ISO 3779)"),
        ("make", False, "text", "Make"),
        ("model", False, "text", "Model"),
        ("colour", False, "text", "Colour"),
        ("first_registration", False, "past_date", "Date of first registration"),
        ("holder_national_id", False, "own_national_id", "Registered holder's national id"),
        ("holder_name", False, "text", "Registered holder's name"),
        ("insured", False, "boolean", "Insurance in force (true/false)"),
        ("inspection_valid_until", False, "date", "Roadworthiness test valid until"),
    )),
    "stolen_vehicles": ("Stolen vehicles and plates", (
        ("alert_id", True, "reference", "Alert reference"),
        ("plate", False, "plate", "Plate (plate or vin required)"),
        ("plate_country", False, "country", "Country of the plate"),
        ("vin", False, "vin", "Vehicle identification number"),
        ("reported_on", False, "past_date", "Date reported stolen"),
    )),
    "documents": ("Identity and travel documents", (
        ("document_number", True, "document_number", "Document number"),
        ("document_type", True, "document_type", ", ".join(DOCUMENT_TYPES)),
        ("issuing_country", True, "country", "Issuing country"),
        ("holder_national_id", False, "own_national_id", "Holder's national id"),
        ("status", True, "document_status", ", ".join(DOCUMENT_STATUSES)),
        ("reported_on", False, "past_date", "Date reported lost/stolen/revoked"),
    )),
    "police_records": ("Police records (hit/no-hit)", (
        ("record_id", True, "reference", "Record reference"),
        ("national_id", False, "own_national_id", "National identifier"),
        *_PERSON[:2],
        _BIRTH,
        ("category", True, "short_text", "Category of the record"),
        ("recorded_on", False, "past_date", "Date recorded"),
    )),
}
# fmt: on
DATASETS: dict[str, DatasetSchema] = {
    name: DatasetSchema(name, text, tuple(Column(*spec) for spec in specs))
    for name, (text, specs) in _SPECS.items()
}
assert all(c.kind in KINDS for s in DATASETS.values() for c in s.columns)


def _row_error(column: str, reason: str) -> InvalidInput:
    return InvalidInput(f"{column}: {reason}", code="invalid_row", column=column, reason=reason)


def _reason(error: InvalidInput) -> str:
    reason = error.params.get("reason")
    return str(reason) if reason else error.detail


def validate_row(
    dataset: str, country: Country, row: Mapping[str, str | None], *, today: dt.date | None = None
) -> dict[str, object]:
    """Clean one row of ``dataset`` for a node of ``country``; raise on the first bad column."""
    schema = DATASETS.get(dataset)
    if schema is None:
        raise InvalidInput(f"unknown dataset {dataset!r}", code="unknown_dataset", dataset=dataset)
    ctx = _Context(country=Country(country), today=today or dt.date.today())
    out: dict[str, object] = {}
    for col in schema.columns:
        raw = row.get(col.name)
        value = raw.strip() if isinstance(raw, str) else None
        if not value:
            if col.required:
                raise _row_error(col.name, "required value missing")
            out[col.name] = None
            continue
        try:
            out[col.name] = KINDS[col.kind](ctx, value)
        except InvalidInput as e:
            raise _row_error(col.name, _reason(e)) from None
    try:
        _cross_checks(dataset, ctx, out)
    except _ColumnError as e:
        raise _row_error(e.column, e.reason) from None
    return out
