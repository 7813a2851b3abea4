"""What every matcher returns: a record, a calibrated score and why."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Match:
    """One candidate record that matched a query.

    ``score`` is a calibrated probability in [0, 1] that the record is the
    person/vehicle/document asked for, so a threshold means the same on every
    dataset. ``explanation`` is JSON-able and lists features, agreement levels,
    weights and method names, never the record's values: a providing node may
    reveal only hit/no-hit, and the explanation travels with the hit.
    """

    dataset: str
    record: dict[str, Any]
    score: float
    explanation: dict[str, Any]
