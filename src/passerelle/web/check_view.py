"""What the check page shows of a ``CheckResponse``: translated, ordered, ready to render.

The templates stay simple: every label, badge text, warning and field value
is translated here in the officer's language. Hits of all countries are
ranked by score; each hit lists its warnings officer-safety first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_percent

from passerelle.checks.models import CheckResponse, CheckResult, CheckSource
from passerelle.checks.warnings import ORDER as WARNING_ORDER
from passerelle.registers.schema import DATASETS, WARNING_MARKERS
from passerelle.web import i18n
from passerelle.web.error_texts import N_

STATUS_TEXTS = {
    "hit": N_("Hit"),
    "no_hit": N_("No hit"),
    "refused": N_("Refused"),
    "unavailable": N_("Unavailable"),
    "timeout": N_("No answer in time"),
    "error": N_("Error"),
}
STATUS_ICONS = {
    "hit": "!", "no_hit": "✓", "refused": "⊘", "unavailable": "✕", "timeout": "⏱", "error": "✕",
}  # fmt: skip
STATUS_DEFAULT_REASONS = {
    "unavailable": N_("The partner node could not be reached."),
    "timeout": N_("The partner node did not answer within the time budget."),
    "error": N_("The partner node gave an error."),
    "refused": N_("The consultation was refused."),
}
UNTRUSTED_TEXT = N_("The answer was not signed with the partner's trusted key and was discarded.")
WARNING_TEXTS = {
    "armed": N_("Armed"),
    "violent": N_("Violent"),
    "drugs": N_("Drugs"),
    "suicidal": N_("Suicide risk"),
    "escape_risk": N_("Escape risk"),
    "contagious": N_("Infection risk"),
    "wanted_for_arrest": N_("Wanted for arrest"),
    "missing_person": N_("Missing person"),
    "entry_ban": N_("Entry ban"),
    "stolen_vehicle": N_("Stolen vehicle"),
    "stolen_document": N_("Stolen document"),
    "lost_document": N_("Lost document"),
}
DATASET_TEXTS = {
    "population": N_("Population register"),
    "wanted_persons": N_("Wanted and missing persons"),
    "vehicles": N_("Vehicle register"),
    "stolen_vehicles": N_("Stolen vehicles"),
    "documents": N_("Identity documents"),
    "police_records": N_("Police records"),
}
FIELD_TEXTS = {
    "national_id": N_("National identification number"),
    "given_names": N_("Given names"),
    "family_name": N_("Family name"),
    "family_name_prefix": N_("Name particle"),
    "birth_date": N_("Date of birth"),
    "sex": N_("Sex"),
    "nationality": N_("Nationality"),
    "birth_place": N_("Place of birth"),
    "address_street": N_("Street"),
    "address_number": N_("House number"),
    "address_postcode": N_("Postcode"),
    "address_city": N_("Town"),
    "address_country": N_("Country of residence"),
    "alert_id": N_("Alert number"),
    "alert_type": N_("Alert"),
    "reason": N_("Reason"),
    "warning_markers": N_("Warning markers"),
    "issued_on": N_("Issued on"),
    "contact": N_("Contact"),
    "plate": N_("Number plate"),
    "plate_country": N_("Country of the plate"),
    "vin": N_("VIN"),
    "make": N_("Make"),
    "model": N_("Model"),
    "colour": N_("Colour"),
    "first_registration": N_("First registration"),
    "holder_national_id": N_("Holder's national identification number"),
    "holder_name": N_("Holder"),
    "insured": N_("Insured"),
    "inspection_valid_until": N_("Roadworthiness test valid until"),
    "reported_on": N_("Reported on"),
    "document_number": N_("Document number"),
    "document_type": N_("Document type"),
    "issuing_country": N_("Issuing country"),
    "status": N_("Status"),
    "record_id": N_("Record number"),
    "category": N_("Category"),
    "recorded_on": N_("Recorded on"),
}
VALUE_TEXTS: dict[str, dict[str, str]] = {
    "sex": {"M": N_("Male"), "F": N_("Female"), "X": N_("Unspecified")},
    "alert_type": {
        "arrest": N_("Wanted for arrest"),
        "missing": N_("Missing person"),
        "discreet_check": N_("Discreet check"),
        "specific_check": N_("Specific check"),
        "entry_ban": N_("Entry ban"),
    },
    "document_type": {
        "passport": N_("Passport"),
        "id_card": N_("Identity card"),
        "driving_licence": N_("Driving licence"),
        "residence_permit": N_("Residence permit"),
    },
    "status": {
        "valid": N_("Valid"),
        "lost": N_("Lost"),
        "stolen": N_("Stolen"),
        "revoked": N_("Revoked"),
    },
}
COUNTRY_FIELDS = frozenset({"nationality", "address_country", "plate_country", "issuing_country"})
LEVEL_TEXTS = {
    "exact": N_("identical"),
    "agree": N_("agrees"),
    "particles_differ": N_("identical but for the particle"),
    "typo": N_("one typing error"),
    "close": N_("very close"),
    "similar": N_("similar"),
    "phonetic": N_("sounds alike"),
    "different": N_("different"),
    "disagree": N_("different"),
    "exact_subset": N_("some names identical"),
    "reordered": N_("same names, other order"),
    "first_exact": N_("first name identical"),
    "initials": N_("initials agree"),
    "partial_month": N_("same year and month"),
    "partial_year": N_("same year"),
    "day_month_swapped": N_("day and month swapped"),
    "year_off_by_one": N_("year differs by one"),
    "day_differs": N_("other day"),
    "month_differs": N_("other month"),
    "same_year": N_("same year only"),
    "confusable": N_("same but for look-alike characters"),
    "wrong_country": N_("registered in another country"),
    "invalid": N_("not comparable"),
    "invalid_not_compared": N_("not comparable"),
}
SKIPPED_LEVELS = frozenset({"missing", "unknown"})
SWAPPED_TEXT = N_("Given and family names swapped")
_COLUMN_ORDER = {name: i for d in DATASETS.values() for i, name in enumerate(d.names)}


def tr(lang: str, texts: Mapping[str, str], key: str | None) -> str:
    text = texts.get(key or "")
    return i18n.gettext(lang, text) if text else (key or "—")


def reason_text(lang: str, source: CheckSource) -> str | None:
    """Why a source was refused or failed, in the officer's language."""
    reason = source.reason
    if reason and i18n.has_error_text(reason):
        return i18n.error_message(lang, reason, {"country": _country(lang, source.country)})
    if reason and reason.startswith("untrusted"):
        return i18n.gettext(lang, UNTRUSTED_TEXT)
    default = STATUS_DEFAULT_REASONS.get(source.status)
    return i18n.gettext(lang, default) if default else None


def _country(lang: str, code: str) -> str:
    name = Locale.parse(lang).territories.get(str(code).upper())
    return str(name) if name else str(code)


def _value(lang: str, field: str, value: Any) -> str:
    if isinstance(value, bool):
        return i18n.gettext(lang, N_("Yes") if value else N_("No"))
    text = str(value)
    if field in VALUE_TEXTS:
        return tr(lang, VALUE_TEXTS[field], text)
    if field in COUNTRY_FIELDS:
        return f"{_country(lang, text)} ({text})"
    if field == "warning_markers":
        return ", ".join(tr(lang, WARNING_TEXTS, m) for m in text.split(";") if m)
    if len(text) == 10 and text[4] == "-" and text[7] == "-":
        try:
            return format_date(dt.date.fromisoformat(text), "medium", locale=lang)
        except ValueError:
            return text
    return text


def _features(lang: str, explanation: Mapping[str, Any]) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    if explanation.get("swapped_names"):
        out.append({"label": i18n.gettext(lang, SWAPPED_TEXT), "level": "", "weight": ""})
    for f in explanation.get("features") or []:
        if not isinstance(f, Mapping) or f.get("level") in SKIPPED_LEVELS:
            continue
        weight = f.get("weight")
        out.append(
            {
                "label": tr(lang, FIELD_TEXTS, str(f.get("feature"))),
                "level": tr(lang, LEVEL_TEXTS, str(f.get("level"))),
                "weight": f"{weight:+.1f}" if isinstance(weight, int | float) else "",
                "tone": "good" if isinstance(weight, int | float) and weight > 0 else "bad",
            }
        )
    return out


def _warnings(lang: str, result: CheckResult) -> list[dict[str, str]]:
    codes = sorted({w.code for w in result.warnings}, key=_warning_rank)
    return [
        {
            "code": c,
            "text": tr(lang, WARNING_TEXTS, c),
            "kind": "safety" if c in WARNING_MARKERS else "action",
        }
        for c in codes
    ]


def _warning_rank(code: str) -> int:
    return WARNING_ORDER.index(code) if code in WARNING_ORDER else len(WARNING_ORDER)


def _hit(lang: str, source: CheckSource, result: CheckResult) -> dict[str, Any]:
    record = sorted((result.record or {}).items(), key=lambda kv: _COLUMN_ORDER.get(kv[0], 99))
    return {
        "country": source.country,
        "country_name": _country(lang, source.country),
        "dataset": tr(lang, DATASET_TEXTS, result.dataset),
        "score": result.score,
        "score_text": format_percent(max(0.0, min(1.0, result.score)), "#,##0 %", locale=lang),
        "warnings": _warnings(lang, result),
        "fields": [
            {"key": k, "label": tr(lang, FIELD_TEXTS, k), "value": _value(lang, k, v)}
            for k, v in record
        ],
        "features": _features(lang, result.explanation),
        "reference": result.reference,
        "contact_point": result.contact_point,
        "full": result.record is not None,
    }


def answer_view(lang: str, response: CheckResponse, own_country: str) -> dict[str, Any]:
    """Per-country statuses, ranked hits, and the warnings found anywhere."""
    sources = [
        {
            "country": s.country,
            "country_name": _country(lang, s.country),
            "status": s.status,
            "status_text": tr(lang, STATUS_TEXTS, s.status),
            "icon": STATUS_ICONS.get(s.status, "?"),
            "latency": s.latency_ms,
            "reason": reason_text(lang, s) if s.status not in ("hit", "no_hit") else None,
            "hits": len(s.results),
            "own": s.country == own_country,
        }
        for s in response.sources
    ]
    hits = [_hit(lang, s, r) for s in response.sources for r in s.results]
    hits.sort(key=lambda h: -float(h["score"]))
    found = sorted({w["code"] for h in hits for w in h["warnings"]}, key=_warning_rank)
    alerts = [{"code": c, "text": tr(lang, WARNING_TEXTS, c), "kind": _kind(c)} for c in found]
    return {
        "check_id": response.check_id,
        "sources": sources,
        "hits": hits,
        "alerts": alerts,
        "purpose": response.purpose,
    }


def _kind(code: str) -> str:
    return "safety" if code in WARNING_MARKERS else "action"
