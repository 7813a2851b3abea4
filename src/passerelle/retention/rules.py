"""Retention rules and the registry capabilities contribute to.

A capability that owns a table of personal data registers its rule at import
time (or the node configuration adds one)::

    from passerelle.retention.rules import RetentionRule, register_rule
    from passerelle.retention.period import Period

    register_rule(RetentionRule(
        name="checks", dataset="checks", table="checks", timestamp_column="created_at",
        period=Period.parse("P90D"), legal_basis="LED 2016/680 Art. 5 ...",
        description=N_("Results of person, vehicle and document checks"),
    ))

A registered rule replaces a built-in default of the same name; the node's
``[retention.periods]`` then override periods by name (see ``catalogue.py``).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Literal

from passerelle.domain.countries import Country
from passerelle.exc import ConfigError
from passerelle.retention.period import Period

Target = Literal["table", "audit"]
ConditionValue = str | int | bool | None


@dataclass(frozen=True, kw_only=True)
class RetentionRule:
    """Delete rows of ``table`` whose ``timestamp_column`` is older than ``period``.

    ``condition`` narrows the rule to rows whose columns equal the given values
    (``None``: the column is NULL), e.g. ``(("hit", False),)`` for no-hit ANPR
    reads. ``target="audit"`` applies the rule to the audit log itself, through
    the audit store's own truncation that keeps the chain verifiable.
    """

    name: str
    dataset: str
    table: str
    timestamp_column: str
    period: Period
    legal_basis: str
    description: str = ""  # English, marked with N_ for translation where shown to people
    jurisdiction: Country | None = None
    condition: tuple[tuple[str, ConditionValue], ...] = field(default=())
    target: Target = "table"
    source: str = "default"  # default | registered | configuration

    def __post_init__(self) -> None:
        if not self.name or not self.table or not self.timestamp_column:
            raise ConfigError("a retention rule needs a name, a table and a timestamp column")
        for name in (self.table, self.timestamp_column, *(c for c, _ in self.condition)):
            if not name.replace("_", "").isalnum():
                raise ConfigError(f"retention rule {self.name!r}: bad identifier {name!r}")

    @property
    def condition_text(self) -> str:
        """The condition for people and reports, e.g. ``hit = false``."""
        return " and ".join(
            f"{col} is null" if v is None else f"{col} = {str(v).lower()}"
            for col, v in self.condition
        )

    def with_period(self, period: Period, source: str) -> RetentionRule:
        return replace(self, period=period, source=source)


def condition_of(values: Mapping[str, ConditionValue]) -> tuple[tuple[str, ConditionValue], ...]:
    return tuple(sorted(values.items()))


_registry: dict[str, RetentionRule] = {}
_lock = threading.Lock()


def register_rule(rule: RetentionRule) -> None:
    """Add (or replace, by name) a rule contributed by a capability."""
    with _lock:
        _registry[rule.name] = replace(rule, source="registered")


def unregister_rule(name: str) -> None:
    with _lock:
        _registry.pop(name, None)


def registered_rules() -> list[RetentionRule]:
    with _lock:
        return list(_registry.values())
