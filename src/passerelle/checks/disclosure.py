"""What leaves the providing node: each match cut down to what the policy allows.

``disclose_matches`` is the one place where a partner's answer is built from
register rows. Under ``fields`` a result carries only the allowed fields of
the record; under ``hit_no_hit`` it carries no record, an opaque reference
and the contact point. The explanation is filtered too: its features about
fields the partner may not see are dropped, and so is every summary key that
is not a plain method name or a number about the score.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from passerelle.checks.warnings import warnings_for
from passerelle.matching import Match
from passerelle.policy.model import Access, Decision, allowed_fields
from passerelle.registers.schema import DATASETS
from passerelle.storage.tables import NATURAL_KEYS

# Explanation keys that say nothing about the record: how the score was computed.
_SAFE_SUMMARY = frozenset({"method", "prior_log2_odds", "log2_odds", "swapped_names_weight"})
# Keys about the record's agreement, kept only when the record itself may be seen.
_FIELDS_SUMMARY = frozenset({"outcome", "swapped_names"})

IssueReference = Callable[[str, Mapping[str, Any]], str]  # (dataset, row) -> reference


def jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def _by_score(result: dict[str, Any]) -> float:
    score = result["score"]
    return -float(score) if isinstance(score, int | float) else 0.0


def record_id(dataset: str, row: Mapping[str, Any]) -> str:
    """``dataset:key`` with the dataset's natural key joined by ``|`` (for the audit log)."""
    return f"{dataset}:" + "|".join(str(row.get(k, "")) for k in NATURAL_KEYS[dataset])


def filter_explanation(explanation: Mapping[str, Any], fields: frozenset[str]) -> dict[str, Any]:
    keep = _SAFE_SUMMARY | (_FIELDS_SUMMARY if fields else frozenset())
    out: dict[str, Any] = {k: v for k, v in explanation.items() if k in keep}
    features = explanation.get("features")
    if isinstance(features, list):
        out["features"] = [
            f for f in features if isinstance(f, dict) and f.get("feature") in fields
        ]
    return out


@dataclass
class Disclosure:
    """A partner's results plus what the audit log must record about them."""

    results: list[dict[str, Any]] = field(default_factory=list)
    record_ids: list[str] = field(default_factory=list)
    disclosed_fields: dict[str, set[str]] = field(default_factory=dict)
    references: int = 0


def disclose_matches(
    matches: Mapping[str, list[Match]],
    decisions: Mapping[str, Decision],
    issue_reference: IssueReference,
    contact_point: Mapping[str, str],
) -> Disclosure:
    """Build the results a partner receives; rows of denied datasets never appear."""
    out = Disclosure()
    for dataset, found in matches.items():
        decision = decisions.get(dataset)
        if decision is None or decision.access is Access.DENY:
            continue
        for m in found:
            resolved = decision.for_record(m.record)
            if resolved.access is Access.DENY:
                continue
            fields = allowed_fields(decision, m.record)
            result: dict[str, Any] = {
                "dataset": dataset,
                "score": m.score,
                "explanation": filter_explanation(m.explanation, fields),
            }
            if resolved.access is Access.FIELDS:
                record = {
                    k: jsonable(v)
                    for k, v in m.record.items()
                    if k in fields and v not in (None, "")
                }
                result["record"] = record
                result["warnings"] = warnings_for(dataset, record)
                out.disclosed_fields.setdefault(dataset, set()).update(record)
            else:
                result["reference"] = issue_reference(dataset, m.record)
                result["contact_point"] = dict(contact_point)
                result["warnings"] = []
                out.references += 1
            out.record_ids.append(record_id(dataset, m.record))
            out.results.append(result)
    out.results.sort(key=_by_score)
    return out


def own_results(matches: Mapping[str, list[Match]]) -> list[dict[str, Any]]:
    """Results of the node's own registers for its own officers: whole records."""
    results = [
        {
            "dataset": dataset,
            "score": m.score,
            "explanation": m.explanation,
            "record": {
                k: jsonable(v)
                for k, v in m.record.items()
                if k in DATASETS[dataset].names and v not in (None, "")  # no internal columns
            },
            "warnings": warnings_for(dataset, m.record),
        }
        for dataset, found in matches.items()
        for m in found
    ]
    results.sort(key=_by_score)
    return results
