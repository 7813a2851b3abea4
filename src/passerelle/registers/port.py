"""The register port: what a node needs from a country's national registers.

The SQL implementation (``sql.py``) stores imported extracts; a force can
instead plug in an adapter that queries its national system live, as long as
it implements this protocol. Rows are plain dicts keyed by the column names
of ``docs/datasets.md``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal, Protocol, runtime_checkable

from passerelle.domain.countries import Country
from passerelle.matching.keys import CandidateKeys

Row = dict[str, Any]
LoadMode = Literal["replace", "append"]
DATASET_NAMES = (
    "population",
    "wanted_persons",
    "vehicles",
    "stolen_vehicles",
    "documents",
    "police_records",
)


@runtime_checkable
class RegisterPort(Protocol):
    """Read and (for extract-based registers) load a country's registers."""

    country: Country

    def counts(self) -> dict[str, int]:
        """Number of records per dataset."""
        ...

    def existing_keys(self, dataset: str, keys: Iterable[tuple[str, ...]]) -> set[tuple[str, ...]]:
        """Which of these natural keys are already in the dataset."""
        ...

    def load(
        self, dataset: str, batches: Iterable[list[Row]], *, mode: LoadMode, source: dict[str, Any]
    ) -> int:
        """Write all batches in one transaction (all or nothing); return rows written."""
        ...

    def get_person(self, national_id: str) -> Row | None: ...

    def find_persons(
        self, name_key: str, birth_year: int | None = None, limit: int = 50
    ) -> list[Row]:
        """Population records whose normalised family name equals ``name_key``."""
        ...

    def find_wanted(
        self, name_key: str, birth_year: int | None = None, limit: int = 50
    ) -> list[Row]: ...

    def find_police_records(
        self,
        *,
        national_id: str | None = None,
        name_key: str | None = None,
        birth_year: int | None = None,
        limit: int = 50,
    ) -> list[Row]: ...

    def find_vehicles(self, plate: str, plate_country: str | None = None) -> list[Row]: ...

    def find_stolen_vehicles(
        self, *, plate: str | None = None, vin: str | None = None
    ) -> list[Row]: ...

    def find_documents(
        self, document_number: str, issuing_country: str | None = None
    ) -> list[Row]: ...

    def person_candidates(
        self, dataset: str, keys: CandidateKeys, birth_year: int | None, limit: int = 500
    ) -> list[Row]:
        """Person records sharing a blocking key with a query (matching engine)."""
        ...

    def vehicle_candidates(
        self, dataset: str, *, plate_key: str | None, vin: str | None, limit: int = 100
    ) -> list[Row]:
        """Vehicles whose plate has this OCR-confusion key, or with this VIN."""
        ...

    def document_candidates(self, number_key: str, limit: int = 100) -> list[Row]:
        """Documents whose number has this OCR-confusion key."""
        ...

    def ping(self) -> None:
        """Raise if the register cannot be reached."""
        ...
