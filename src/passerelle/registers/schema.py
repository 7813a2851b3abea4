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
DOCUMENT_TYPES = tuple(t.value for t in DocumentType)
DOCUMENT_STATUSES = tuple(s.value for s in DocumentStatus)
# Babel's territories include regions and reserved codes that are not countries.
_NOT_COUNTRIES = {"AC", "CP", "CQ", "DG", "EA", "EU", "EZ", "IC", "QO", "TA", "UN", "XA", "XB", "ZZ"}
COUNTRY_CODES: frozenset[str] = frozenset(
    code
    for code in Locale("en").territories
    if len(code) == 2 and code.isalpha() and code not in _NOT_COUNTRIES
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


def _c(name: str, kind: str, description: str, *, required: bool = False) -> Column:
    if kind not in KINDS:
        raise ValueError(f"unknown column kind {kind}")
    return Column(name, required, kind, description)


_PERSON = (
    _c("given_names", "name", "All given names, space-separated", required=True),
    _c("family_name", "name", "Family name (without particles where the register splits them)",
       required=True),
    _c("family_name_prefix", "short_text", "Surname particles kept apart (NL: 'van der')"),
)  # fmt: skip

DATASETS: dict[str, DatasetSchema] = {
    s.name: s
    for s in (
        DatasetSchema("population", "Population register", (
            _c("national_id", "own_national_id", "National identifier", required=True),
            *_PERSON,
            _c("birth_date", "partial_date", "YYYY-MM-DD, or YYYY-MM / YYYY when partly unknown"),
            _c("sex", "sex", "M, F or X"),
            _c("nationality", "country", "ISO 3166-1 alpha-2"),
            _c("birth_place", "text", "Place of birth"),
            _c("address_street", "text", "Street"),
            _c("address_number", "short_text", "House number and box"),
            _c("address_postcode", "postcode", "Postcode (checked for BE, NL, LU, DE)"),
            _c("address_city", "text", "Town or city"),
            _c("address_country", "country", "ISO 3166-1 alpha-2"),
        )),
        DatasetSchema("wanted_persons", "Wanted and missing persons", (
            _c("alert_id", "reference", "Alert reference", required=True),
            *_PERSON,
            _c("birth_date", "partial_date", "YYYY-MM-DD, YYYY-MM or YYYY"),
            _c("nationality", "country", "ISO 3166-1 alpha-2"),
            _c("alert_type", "alert_type", ", ".join(ALERT_TYPES), required=True),
            _c("reason", "text", "Reason for the alert"),
            _c("issued_on", "past_date", "Date the alert was issued"),
            _c("contact", "text", "Contact point for a hit"),
        )),
        DatasetSchema("vehicles", "Vehicle register", (
            _c("plate", "plate", "Registration plate", required=True),
            _c("plate_country", "country", "Country of the plate", required=True),
            _c("vin", "vin", "Vehicle identification number (ISO 3779)"),
            _c("make", "text", "Make"),
            _c("model", "text", "Model"),
            _c("colour", "text", "Colour"),
            _c("first_registration", "past_date", "Date of first registration"),
            _c("holder_national_id", "own_national_id", "Registered holder's national id"),
            _c("holder_name", "text", "Registered holder's name"),
            _c("insured", "boolean", "Insurance in force (true/false)"),
            _c("inspection_valid_until", "date", "Roadworthiness test valid until"),
        )),
        DatasetSchema("stolen_vehicles", "Stolen vehicles and plates", (
            _c("alert_id", "reference", "Alert reference", required=True),
            _c("plate", "plate", "Plate (plate or vin required)"),
            _c("plate_country", "country", "Country of the plate"),
            _c("vin", "vin", "Vehicle identification number"),
            _c("reported_on", "past_date", "Date reported stolen"),
        )),
        DatasetSchema("documents", "Identity and travel documents", (
            _c("document_number", "document_number", "Document number", required=True),
            _c("document_type", "document_type", ", ".join(DOCUMENT_TYPES), required=True),
            _c("issuing_country", "country", "Issuing country", required=True),
            _c("holder_national_id", "own_national_id", "Holder's national id"),
            _c("status", "document_status", ", ".join(DOCUMENT_STATUSES), required=True),
            _c("reported_on", "past_date", "Date reported lost/stolen/revoked"),
        )),
        DatasetSchema("police_records", "Police records (hit/no-hit)", (
            _c("record_id", "reference", "Record reference", required=True),
            _c("national_id", "own_national_id", "National identifier"),
            *_PERSON[:2],
            _c("birth_date", "partial_date", "YYYY-MM-DD, YYYY-MM or YYYY"),
            _c("category", "short_text", "Category of the record", required=True),
            _c("recorded_on", "past_date", "Date recorded"),
        )),
    )
}


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
