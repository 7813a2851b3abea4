"""docs/datasets.md documents every column of every dataset the importer accepts."""

from __future__ import annotations

from pathlib import Path

from passerelle.registers.schema import DATASETS

DOC = Path(__file__).resolve().parents[2] / "docs" / "datasets.md"


def test_every_column_is_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    for name, schema in DATASETS.items():
        section = text.split(f"### `{name}`", 1)
        assert len(section) == 2, f"dataset {name} missing from docs/datasets.md"
        body = section[1].split("\n### ", 1)[0]
        for column in schema.columns:
            assert f"| `{column.name}` |" in body, f"{name}.{column.name} not documented"
