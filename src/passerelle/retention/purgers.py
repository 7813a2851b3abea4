"""Tables that delete their own expired rows (instead of the engine's keyed batches).

A capability whose table needs more than row-by-row deletes — the ANPR reads,
range-partitioned by day on PostgreSQL so that whole days are dropped —
provides a ``Purger``. The engine still decides the cutoff, applies the rule's
condition through the purger, and writes the one ERASURE audit entry per rule.

Built-in purgers are imported on first use (so ``passerelle retention run``
finds them without starting the capability); others call ``register_purger``.
"""

from __future__ import annotations

import datetime as dt
import importlib
import threading
from typing import Protocol

import sqlalchemy as sa

from passerelle.retention.rules import RetentionRule

Measured = tuple[int, dt.datetime | None, dt.datetime | None]  # count, oldest, newest


class Purger(Protocol):
    def measure(self, engine: sa.Engine, rule: RetentionRule, cutoff: dt.datetime) -> Measured:
        """How many rows ``rule`` would delete at ``cutoff``, and their time range."""
        ...

    def delete(
        self, engine: sa.Engine, rule: RetentionRule, cutoff: dt.datetime, batch_size: int
    ) -> Measured:
        """Delete them; say how many went and their time range."""
        ...


BUILTIN: dict[str, str] = {"anpr_reads": "passerelle.anpr.reads_retention:PURGER"}
_registry: dict[str, Purger] = {}
_lock = threading.Lock()


def register_purger(table: str, purger: Purger) -> None:
    with _lock:
        _registry[table] = purger


def purger_for(table: str) -> Purger | None:
    with _lock:
        found = _registry.get(table)
    if found is not None or table not in BUILTIN:
        return found
    module, _, name = BUILTIN[table].partition(":")
    try:
        purger: Purger = getattr(importlib.import_module(module), name)
    except ImportError:
        return None
    register_purger(table, purger)
    return purger
