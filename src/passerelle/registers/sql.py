"""SQL implementation of the register port (SQLite or PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from passerelle.domain.countries import Country
from passerelle.exc import InvalidInput
from passerelle.matching.keys import PERSON_DATASETS, CandidateKeys
from passerelle.registers.port import LoadMode, Row
from passerelle.storage import tables as t

_KEY_CHUNK = 500
_KEY_COLUMN = {"population": "family_cologne", "vehicles": "plate_key", "documents": "number_key"}


def _candidate_sql(
    tbl: sa.Table, keys: CandidateKeys, birth_year: int | None, limit: int
) -> tuple[sa.TextClause | None, dict[str, Any]]:
    """The blocking query as plain SQL (built per call in microseconds, no ORM compile).

    Each pass is an index probe on (code, birth year) narrowed by a second agreement
    (given-name code or a compatible birth date), answered from the covering index;
    records without a birth year get passes of their own (an OR with IS NULL would
    make the database scan every record of the name code). Only fixed column names
    and bound parameters go into the text.
    """
    params: dict[str, Any] = {"lim": limit}
    expanding: list[str] = []

    def bind(name: str, values: Iterable[Any]) -> str:
        params[name] = sorted(values)
        expanding.append(name)
        return f":{name}"

    second = []
    if keys.given_cologne:
        second.append(f"given_cologne IN {bind('gc', keys.given_cologne)}")
    dates = []
    if keys.birth_dates:
        dates.append(f"birth_date IN {bind('bd', keys.birth_dates)}")
    if keys.birth_month:
        params["bm"] = f"{keys.birth_month}%"
        dates.append("birth_date LIKE :bm")
    date_ok = f"({' OR '.join(dates)})" if dates else ""
    if date_ok:
        second.append(date_ok)
    also = f" AND ({' OR '.join(second)})" if second else ""
    years = [("", "")]
    if birth_year is not None:
        params["y"] = birth_year
        params["ys"] = [birth_year - 1, birth_year, birth_year + 1]
        expanding.append("ys")
        years = [(" AND birth_year IN :ys", " AND birth_year = :y"),
                 (" AND birth_year IS NULL", " AND birth_year IS NULL")]  # fmt: skip
    codes = {
        "family_cologne": bind("fc", keys.family_cologne) if keys.family_cologne else "",
        "family_metaphone": bind("fm", keys.family_metaphone) if keys.family_metaphone else "",
        "core_cologne": bind("cc", keys.core_cologne) if keys.core_cologne else "",
    }
    swapped = ""
    if keys.swapped_family_cologne and keys.swapped_given_cologne:
        swapped = (
            f"family_cologne IN {bind('sf', keys.swapped_family_cologne)}"
            f" AND given_cologne IN {bind('sg', keys.swapped_given_cologne)}"
        )
    table = tbl.name
    passes: list[str] = []
    for near, same in years:
        for column, ref in codes.items():
            if ref:
                year = same if column == "core_cologne" else near
                passes.append(f"SELECT id FROM {table} WHERE {column} IN {ref}{year}{also}")
        if swapped:
            passes.append(f"SELECT id FROM {table} WHERE {swapped}{near}")
        if keys.given_cologne and date_ok:
            passes.append(f"SELECT id FROM {table} WHERE given_cologne IN :gc{same} AND {date_ok}")
    if keys.national_id and "national_id" in tbl.c:
        params["nid"] = keys.national_id
        passes.append(f"SELECT id FROM {table} WHERE national_id = :nid")
    if not passes:
        return None, params
    union = " UNION ".join(f"SELECT id FROM ({p} LIMIT :lim) AS p{i}" for i, p in enumerate(passes))
    sql = sa.text(f"SELECT * FROM {table} WHERE id IN ({union}) LIMIT :lim")
    return sql.bindparams(*(sa.bindparam(n, expanding=True) for n in expanding)), params


def _rows(result: sa.CursorResult[Any]) -> list[Row]:
    return [dict(r._mapping) for r in result]


class SqlRegisters:
    """Registers stored in the node's own database."""

    def __init__(self, engine: sa.Engine, country: Country) -> None:
        self.engine = engine
        self.country = country

    @staticmethod
    def _table(dataset: str) -> sa.Table:
        try:
            return t.REGISTER_TABLES[dataset]
        except KeyError:
            raise InvalidInput(
                f"unknown dataset {dataset!r}; expected one of {', '.join(t.REGISTER_TABLES)}",
                code="unknown_dataset",
                dataset=dataset,
            ) from None

    def counts(self) -> dict[str, int]:
        with self.engine.connect() as conn:
            return {
                name: int(conn.execute(sa.select(sa.func.count()).select_from(tbl)).scalar_one())
                for name, tbl in t.REGISTER_TABLES.items()
            }

    def existing_keys(self, dataset: str, keys: Iterable[tuple[str, ...]]) -> set[tuple[str, ...]]:
        tbl = self._table(dataset)
        cols = [tbl.c[name] for name in t.NATURAL_KEYS[dataset]]
        wanted = list(keys)
        found: set[tuple[str, ...]] = set()
        with self.engine.connect() as conn:
            for i in range(0, len(wanted), _KEY_CHUNK):
                chunk = wanted[i : i + _KEY_CHUNK]
                cond = (
                    sa.tuple_(*cols).in_(chunk)
                    if len(cols) > 1
                    else cols[0].in_([k[0] for k in chunk])
                )
                for r in conn.execute(sa.select(*cols).where(cond)):
                    found.add(tuple(str(v) for v in r))
        return found

    def load(
        self, dataset: str, batches: Iterable[list[Row]], *, mode: LoadMode, source: dict[str, Any]
    ) -> int:
        from passerelle.registers.importer import derive_keys  # the importer imports this port

        tbl = self._table(dataset)
        written = 0
        with self.engine.begin() as conn:
            if mode == "replace":
                conn.execute(tbl.delete())
            key_column = _KEY_COLUMN.get(dataset, "family_cologne")
            for batch in batches:
                if batch:
                    if key_column not in batch[0]:
                        batch = [derive_keys(dataset, dict(row)) for row in batch]
                    conn.execute(tbl.insert(), batch)
                    written += len(batch)
            conn.execute(
                t.import_batches.insert().values(
                    dataset=dataset,
                    source_name=str(source.get("name", "")),
                    source_sha256=str(source.get("sha256", "")),
                    mode=mode,
                    rows_loaded=written,
                    rows_rejected=int(source.get("rejected", 0)),
                    imported_at=datetime.now(UTC),
                    imported_by=str(source.get("actor", "cli")),
                )
            )
        return written

    def _select(self, tbl: sa.Table, *conds: sa.ColumnElement[bool], limit: int = 50) -> list[Row]:
        with self.engine.connect() as conn:
            return _rows(conn.execute(sa.select(tbl).where(*conds).limit(limit)))

    def get_person(self, national_id: str) -> Row | None:
        found = self._select(t.population, t.population.c.national_id == national_id, limit=1)
        return found[0] if found else None

    def _by_name(
        self, tbl: sa.Table, name_key: str, birth_year: int | None, limit: int
    ) -> list[Row]:
        conds = [tbl.c.name_key == name_key]
        if birth_year is not None:
            conds.append(sa.or_(tbl.c.birth_year == birth_year, tbl.c.birth_year.is_(None)))
        return self._select(tbl, *conds, limit=limit)

    def find_persons(
        self, name_key: str, birth_year: int | None = None, limit: int = 50
    ) -> list[Row]:
        return self._by_name(t.population, name_key, birth_year, limit)

    def find_wanted(
        self, name_key: str, birth_year: int | None = None, limit: int = 50
    ) -> list[Row]:
        return self._by_name(t.wanted_persons, name_key, birth_year, limit)

    def find_police_records(
        self,
        *,
        national_id: str | None = None,
        name_key: str | None = None,
        birth_year: int | None = None,
        limit: int = 50,
    ) -> list[Row]:
        if national_id is not None:
            return self._select(
                t.police_records, t.police_records.c.national_id == national_id, limit=limit
            )
        if name_key is None:
            raise InvalidInput("give a national_id or a name", code="missing_search_key")
        return self._by_name(t.police_records, name_key, birth_year, limit)

    def find_vehicles(self, plate: str, plate_country: str | None = None) -> list[Row]:
        conds = [t.vehicles.c.plate == plate]
        if plate_country:
            conds.append(t.vehicles.c.plate_country == plate_country)
        return self._select(t.vehicles, *conds)

    def find_stolen_vehicles(
        self, *, plate: str | None = None, vin: str | None = None
    ) -> list[Row]:
        conds = []
        if plate:
            conds.append(t.stolen_vehicles.c.plate == plate)
        if vin:
            conds.append(t.stolen_vehicles.c.vin == vin)
        if not conds:
            raise InvalidInput("give a plate or a VIN", code="missing_search_key")
        return self._select(t.stolen_vehicles, sa.or_(*conds))

    def find_documents(self, document_number: str, issuing_country: str | None = None) -> list[Row]:
        conds = [t.documents.c.document_number == document_number]
        if issuing_country:
            conds.append(t.documents.c.issuing_country == issuing_country)
        return self._select(t.documents, *conds)

    # --- matching candidates (keys from passerelle.matching.keys) ----------------

    def person_candidates(
        self, dataset: str, keys: CandidateKeys, birth_year: int | None, limit: int = 500
    ) -> list[Row]:
        """Person records sharing a blocking key with the query (at most ``limit``).

        Each pass is an index range (phonetic code + birth year) narrowed by a second,
        independent agreement (given-name code or a compatible birth date), so a common
        family name does not bring in everybody of that name and year.
        """
        if dataset not in PERSON_DATASETS:
            raise InvalidInput(
                f"not a person dataset: {dataset!r}", code="unknown_dataset", dataset=dataset
            )
        sql, params = _candidate_sql(self._table(dataset), keys, birth_year, limit)
        if sql is None:
            return []
        with self.engine.connect() as conn:
            return _rows(conn.execute(sql, params))

    def vehicle_candidates(
        self, dataset: str, *, plate_key: str | None, vin: str | None, limit: int = 100
    ) -> list[Row]:
        """Vehicles whose plate has the same OCR-confusion key, or with this VIN."""
        if dataset not in ("vehicles", "stolen_vehicles"):
            raise InvalidInput(
                f"not a vehicle dataset: {dataset!r}", code="unknown_dataset", dataset=dataset
            )
        tbl = self._table(dataset)
        conds = []
        if plate_key:
            conds.append(tbl.c.plate_key == plate_key)
        if vin:
            conds.append(tbl.c.vin == vin)
        if not conds:
            raise InvalidInput("give a plate or a VIN", code="missing_search_key")
        return self._select(tbl, sa.or_(*conds), limit=limit)

    def document_candidates(self, number_key: str, limit: int = 100) -> list[Row]:
        """Documents whose number has the same OCR-confusion key."""
        return self._select(t.documents, t.documents.c.number_key == number_key, limit=limit)

    def ping(self) -> None:
        with self.engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
