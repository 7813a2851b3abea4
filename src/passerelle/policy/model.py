"""Treaty policy decisions: what a partner gets from one dataset for one purpose.

A ``Policy`` belongs to one providing node. For a (partner country, purpose,
dataset) it yields a ``Decision``:

- ``deny``: the dataset is not searched for that partner at all;
- ``hit_no_hit``: the partner learns that there is a hit, and gets an opaque
  reference and a contact point, never the record;
- ``fields``: the partner gets those fields of each matching record, and only
  those. A ``fields`` decision may be conditional (``when``: the record's
  value of a column must be one of a set, e.g. documents whose status is
  ``stolen``); a record that does not meet the condition falls back to
  ``otherwise`` (``hit_no_hit`` or ``deny``).

Everything not listed is denied. The providing node applies the decision to
each record *before* anything leaves it (``disclose`` and
``allowed_fields``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from passerelle.domain.countries import Country
from passerelle.domain.purpose import Purpose


class Access(StrEnum):
    DENY = "deny"
    HIT_NO_HIT = "hit_no_hit"
    FIELDS = "fields"


@dataclass(frozen=True)
class Decision:
    access: Access
    fields: frozenset[str] = frozenset()
    when: tuple[tuple[str, frozenset[str]], ...] = ()
    otherwise: Access = Access.HIT_NO_HIT

    def for_record(self, record: Mapping[str, Any]) -> Decision:
        """The unconditional decision for this record (``when`` resolved)."""
        if self.access is not Access.FIELDS or not self.when:
            return self
        for column, values in self.when:
            value = record.get(column)
            if value is None or str(value).lower() not in values:
                return Decision(self.otherwise)
        return Decision(Access.FIELDS, self.fields)

    @property
    def searchable(self) -> bool:
        """May the dataset be searched at all for this partner and purpose?"""
        return self.access is not Access.DENY

    def describe(self) -> str:
        if self.access is not Access.FIELDS:
            return self.access.value
        text = "fields: " + ", ".join(sorted(self.fields))
        if self.when:
            cond = "; ".join(f"{c} in {', '.join(sorted(v))}" for c, v in self.when)
            text += f" (when {cond}; otherwise {self.otherwise.value})"
        return text


DENY = Decision(Access.DENY)
RuleKey = tuple[Country, Purpose, str]  # (partner, purpose, dataset)


@dataclass(frozen=True)
class Policy:
    """The decisions of one providing node (``node``), read from its policy file."""

    node: Country
    decisions: Mapping[RuleKey, Decision] = field(default_factory=dict)
    source: str = "(empty)"

    def decide(self, partner: Country, purpose: Purpose, dataset: str) -> Decision:
        if partner == self.node:
            return DENY  # a node never answers itself over the federation
        return self.decisions.get((partner, purpose, dataset), DENY)

    def table(self) -> list[dict[str, str]]:
        """Every explicit decision, for display (``passerelle policy show``, docs)."""
        return [
            {
                "partner": p.value,
                "purpose": u.value,
                "dataset": d,
                "decision": dec.describe(),
            }
            for (p, u, d), dec in sorted(self.decisions.items())
        ]


def allowed_fields(decision: Decision, record: Mapping[str, Any]) -> frozenset[str]:
    """The fields of ``record`` that may leave the node under ``decision``."""
    resolved = decision.for_record(record)
    return resolved.fields if resolved.access is Access.FIELDS else frozenset()


def disclose(decision: Decision, record: Mapping[str, Any]) -> dict[str, Any] | None:
    """The part of ``record`` that may leave the node (``None``: no record at all)."""
    resolved = decision.for_record(record)
    if resolved.access is not Access.FIELDS:
        return None
    return {k: v for k, v in record.items() if k in resolved.fields and v not in (None, "")}
