"""Warnings an officer must see at once: armed, wanted for arrest, missing person...

Computed from the record as disclosed (never from fields the policy withheld),
so a hit/no-hit result carries no warning beyond the hit itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from passerelle.registers.schema import WARNING_MARKERS


def N_(message: str) -> str:  # noqa: N802 - gettext "mark only"; translate with web.i18n.gettext
    return message


# Labels for the officer's page, in English; translate with passerelle.web.i18n.gettext(lang, ...).
WARNING_LABELS: dict[str, str] = {
    "armed": N_("Armed"),
    "violent": N_("Violent"),
    "drugs": N_("Drugs"),
    "suicidal": N_("Suicide risk"),
    "escape_risk": N_("Escape risk"),
    "contagious": N_("Contagious disease"),
    "wanted_for_arrest": N_("Wanted for arrest"),
    "missing_person": N_("Missing person"),
    "entry_ban": N_("Entry ban"),
    "stolen_vehicle": N_("Stolen vehicle"),
    "stolen_document": N_("Stolen document"),
    "lost_document": N_("Lost document"),
}
STATUS_LABELS: dict[str, str] = {
    "hit": N_("Hit"),
    "no_hit": N_("No hit"),
    "refused": N_("Refused"),
    "unavailable": N_("Unavailable"),
    "timeout": N_("No answer in time"),
    "error": N_("Error"),
}
ALERT_WARNINGS = {
    "arrest": "wanted_for_arrest",
    "missing": "missing_person",
    "entry_ban": "entry_ban",
}
DOCUMENT_WARNINGS = {"stolen": "stolen_document", "lost": "lost_document"}
# Shown first: the ones that matter for the officer's safety.
ORDER = (*WARNING_MARKERS, "wanted_for_arrest", "missing_person", "entry_ban", "stolen_vehicle",
         "stolen_document", "lost_document")  # fmt: skip


def warnings_for(dataset: str, record: Mapping[str, Any]) -> list[dict[str, str]]:
    codes: list[str] = []
    if dataset == "wanted_persons":
        markers = str(record.get("warning_markers") or "")
        codes += [m for m in markers.split(";") if m in WARNING_MARKERS]
        alert = ALERT_WARNINGS.get(str(record.get("alert_type") or ""))
        if alert:
            codes.append(alert)
    elif dataset == "stolen_vehicles":
        codes.append("stolen_vehicle")
    elif dataset == "documents":
        status = DOCUMENT_WARNINGS.get(str(record.get("status") or ""))
        if status:
            codes.append(status)
    unique = sorted(set(codes), key=ORDER.index)
    return [{"code": c, "dataset": dataset} for c in unique]
