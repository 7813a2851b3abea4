"""Misuse indicators over the consultations in the audit log (for the DPO, not verdicts).

Four indicators, each a list the DPO looks into, never an automatic sanction:

1. **No reference** — a consultation with neither patrol, case nor authorisation
   reference.
2. **Volume** — an officer whose number of look-ups in the window is far above
   their peers': robust z-score ``(n - median) / (1.4826 · MAD)`` above ``k``
   (``[dpo] volume_k``, default 3), with MAD the median absolute deviation of
   all officers' counts (floored at 1 so that identical peers do not make every
   extra look-up suspicious), and only when ``n ≥ volume_min`` and there are at
   least three officers to compare with. A look-up is one exchange (one check
   fanned out to several partners counts once).
3. **Same subject, many officers** — a person (by keyed subject hash) looked up
   by at least ``same_subject_officers`` different officers.
4. **Outside duty hours** — a look-up outside ``[dpo] duty_start``–``duty_end``
   in the node's local time (a window that crosses midnight, 22:00–06:00, works).
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from passerelle.audit.events import EventKind
from passerelle.audit.reader import AuditRecord
from passerelle.domain.countries import Country

LOOKUP_KINDS = (
    EventKind.CONSULTATION,
    EventKind.PARTNER_QUERY_SENT,
    EventKind.PARTNER_QUERY_ANSWERED,
    EventKind.FOLLOW_UP_REQUESTED,
)
MAD_SCALE = 1.4826  # makes the MAD comparable to a standard deviation for normal data
MIN_PEERS = 3
COUNTRY_ZONES = {
    Country.BE: "Europe/Brussels",
    Country.NL: "Europe/Amsterdam",
    Country.LU: "Europe/Luxembourg",
    Country.DE: "Europe/Berlin",
}


@dataclass(frozen=True)
class IndicatorRules:
    timezone: str
    duty_start: dt.time
    duty_end: dt.time
    volume_k: float
    volume_min: int
    same_subject_officers: int

    def on_duty(self, at: dt.datetime) -> bool:
        local = at.astimezone(ZoneInfo(self.timezone)).time()
        if self.duty_start <= self.duty_end:
            return self.duty_start <= local < self.duty_end
        return local >= self.duty_start or local < self.duty_end


def _clock(text: str) -> dt.time:
    hours, _, minutes = text.partition(":")
    if int(hours) == 24:
        return dt.time(23, 59, 59, 999999)
    return dt.time(int(hours), int(minutes))


def rules_from(settings: Any) -> IndicatorRules:
    """The indicator rules of a node (``NodeSettings``)."""
    dpo = settings.dpo
    return IndicatorRules(
        timezone=dpo.timezone or COUNTRY_ZONES[settings.country],
        duty_start=_clock(dpo.duty_start),
        duty_end=_clock(dpo.duty_end),
        volume_k=dpo.volume_k,
        volume_min=dpo.volume_min,
        same_subject_officers=dpo.same_subject_officers,
    )


def officer_of(r: AuditRecord) -> str:
    return f"{r.actor.country.value}:{r.actor.subject}"


@dataclass
class Indicators:
    since: dt.datetime
    until: dt.datetime
    lookups: int = 0
    officers: int = 0
    no_reference: list[dict[str, Any]] = field(default_factory=list)
    volume: list[dict[str, Any]] = field(default_factory=list)
    volume_median: float = 0.0
    volume_mad: float = 0.0
    same_subject: list[dict[str, Any]] = field(default_factory=list)
    off_duty: list[dict[str, Any]] = field(default_factory=list)
    truncated: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "since": self.since.isoformat(),
            "until": self.until.isoformat(),
            "lookups": self.lookups,
            "officers": self.officers,
            "no_reference": self.no_reference,
            "volume": {
                "median": self.volume_median,
                "mad": self.volume_mad,
                "flagged": self.volume,
            },
            "same_subject": self.same_subject,
            "off_duty": self.off_duty,
            "truncated": self.truncated,
        }


def _brief(r: AuditRecord, rules: IndicatorRules) -> dict[str, Any]:
    return {
        "entry_id": r.entry_id,
        "at": r.at.isoformat(),
        "local_time": r.at.astimezone(ZoneInfo(rules.timezone)).strftime("%Y-%m-%d %H:%M"),
        "officer": officer_of(r),
        "kind": r.kind,
        "purpose": r.purpose,
        "exchange_id": r.exchange_id,
    }


def compute(
    records: Iterable[AuditRecord],
    rules: IndicatorRules,
    *,
    since: dt.datetime,
    until: dt.datetime,
    truncated: bool = False,
) -> Indicators:
    """All four indicators over ``records`` (look-up kinds only are considered)."""
    out = Indicators(since=since, until=until, truncated=truncated)
    kinds = {k.value for k in LOOKUP_KINDS}
    per_officer: dict[str, set[str]] = defaultdict(set)
    per_subject: dict[str, set[str]] = defaultdict(set)
    subject_entries: dict[str, list[str]] = defaultdict(list)
    for r in records:
        if r.kind not in kinds:
            continue
        out.lookups += 1
        officer = officer_of(r)
        per_officer[officer].add(r.exchange_id or r.entry_id)
        ref = r.legal_ref
        if not (ref.patrol_id or ref.case_ref or ref.authorisation_ref):
            out.no_reference.append(_brief(r, rules))
        if not rules.on_duty(r.at):
            out.off_duty.append(_brief(r, rules))
        for key in r.subject_keys:
            per_subject[key].add(officer)
            subject_entries[key].append(r.entry_id)
    out.officers = len(per_officer)
    counts = {officer: len(ids) for officer, ids in per_officer.items()}
    if len(counts) >= MIN_PEERS:
        values = list(counts.values())
        median = float(statistics.median(values))
        mad = float(statistics.median(abs(v - median) for v in values))
        out.volume_median, out.volume_mad = median, mad
        scale = MAD_SCALE * max(mad, 1.0)
        for officer, n in sorted(counts.items(), key=lambda kv: -kv[1]):
            z = (n - median) / scale
            if z > rules.volume_k and n >= rules.volume_min:
                out.volume.append(
                    {"officer": officer, "lookups": n, "median": median, "z": round(z, 1)}
                )
    for key, officers in sorted(per_subject.items(), key=lambda kv: -len(kv[1])):
        if len(officers) >= rules.same_subject_officers:
            out.same_subject.append(
                {
                    "subject_key": key,
                    "officers": sorted(officers),
                    "lookups": len(subject_entries[key]),
                    "entries": subject_entries[key][:50],
                }
            )
    return out
