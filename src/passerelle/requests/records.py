"""The record behind a reference, and the fields a contact point may grant from it.

Only the columns of the dataset's import schema (``docs/datasets.md``) can be
granted: never the node's internal columns (row ids, search keys) and never a
field the dataset does not have.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from passerelle.exc import InvalidInput
from passerelle.registers.schema import DATASETS
from passerelle.requests.references import record_key_values
from passerelle.storage.tables import REGISTER_TABLES


def grantable_fields(dataset: str) -> tuple[str, ...]:
    """The fields of ``dataset`` that may be disclosed, in schema order."""
    schema = DATASETS.get(dataset)
    table = REGISTER_TABLES.get(dataset)
    if schema is None or table is None:
        raise InvalidInput(f"unknown dataset {dataset!r}", code="unknown_dataset", dataset=dataset)
    return tuple(name for name in schema.names if name in table.c)


def check_fields(dataset: str, fields: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """``fields`` without duplicates, in schema order; refuse any field the dataset lacks."""
    allowed = grantable_fields(dataset)
    for name in fields:
        if name not in allowed:
            raise InvalidInput(
                f"{name!r} is not a field of {dataset}",
                code="field_not_in_dataset",
                field=str(name)[:60],
                dataset=dataset,
            )
    if not fields:
        raise InvalidInput("choose at least one field to grant", code="no_fields_chosen")
    return tuple(name for name in allowed if name in fields)


def _json_value(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


@dataclass(frozen=True)
class Record:
    dataset: str
    row_id: int
    values: dict[str, Any]  # personal data: every grantable field

    def only(self, fields: tuple[str, ...]) -> dict[str, Any]:
        return {name: self.values.get(name) for name in fields}


class RegisterRecords:
    """Look a record up by its record key in the node's SQL registers."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    def get(self, dataset: str, record_key: str) -> Record | None:
        table = REGISTER_TABLES.get(dataset)
        if table is None:
            raise InvalidInput(
                f"unknown dataset {dataset!r}", code="unknown_dataset", dataset=dataset
            )
        conds = [
            table.c[col] == value for col, value in record_key_values(dataset, record_key).items()
        ]
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(table).where(*conds).limit(1)).mappings().first()
        if row is None:
            return None
        values = {name: _json_value(row[name]) for name in grantable_fields(dataset)}
        return Record(dataset, int(row["id"]), values)
