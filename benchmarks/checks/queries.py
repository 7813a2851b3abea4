"""Realistic person-check queries drawn from the benchmark nodes' own registers.

Each query is what an officer would type at the roadside, built from a real register
row (any of the four countries, so hits come from BE itself or from a partner) and then
varied the way people and documents differ: misspelled, particles merged or split,
given and family names swapped, partial or day/month-swapped birth dates, an
identifier or a document number only, people of the cross-border pool as another
country's register writes them, and people who exist nowhere.
"""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from passerelle.demo.layout import DemoNode
from passerelle.domain.countries import Country
from passerelle.synth.crossborder import cross_border_truth

Row = dict[str, Any]
Subject = dict[str, str]
COLS = "given_names, family_name, family_name_prefix, birth_date, national_id"

# Share of each variant in the mix (sums to 100).
MIX: dict[str, int] = {
    "exact": 20,
    "misspelled": 15,
    "particle": 8,
    "swapped_names": 8,
    "partial_birth_date": 6,
    "day_month_swapped": 5,
    "national_id_only": 8,
    "document_only": 5,
    "cross_border": 10,
    "not_existing": 15,
}


def _db(node: DemoNode) -> sqlite3.Connection:
    conn = sqlite3.connect(f"file:{node.directory / 'node.db'}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    return conn


def _sample(conn: sqlite3.Connection, rng: random.Random, n: int, where: str = "1") -> list[Row]:
    hi = conn.execute("SELECT max(id) FROM population").fetchone()[0]
    out: list[Row] = []
    while len(out) < n:
        ids = ",".join(str(rng.randint(1, hi)) for _ in range(n * 4))
        sql = f"SELECT {COLS}, id FROM population WHERE id IN ({ids}) AND {where}"
        out += [dict(r) for r in conn.execute(sql)]
    rng.shuffle(out)
    return out[:n]


def _names(r: Row) -> Subject:
    s = {"given_names": r["given_names"], "family_name": r["family_name"]}
    if r.get("family_name_prefix"):
        s["family_name_prefix"] = r["family_name_prefix"]
    if r.get("birth_date"):
        s["birth_date"] = r["birth_date"]
    return s


def _typo(rng: random.Random, word: str) -> str:
    if len(word) < 4:
        return word + word[-1]
    i = rng.randrange(1, len(word) - 1)
    kind = rng.choice(("swap", "drop", "sub", "double"))
    if kind == "swap":
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind == "drop":
        return word[:i] + word[i + 1 :]
    if kind == "double":
        return word[:i] + word[i] + word[i:]
    return word[:i] + rng.choice("aeiouyrnst") + word[i + 1 :]


def _particle(rng: random.Random, r: Row) -> Subject:
    s = _names(r)
    prefix = s.pop("family_name_prefix", "")
    if rng.random() < 0.5:  # merged: "van der" + "Berg" -> "Vanderberg"
        s["family_name"] = (prefix + s["family_name"]).replace(" ", "").capitalize()
    else:  # all in the family name: "Van der Berg"
        s["family_name"] = f"{prefix} {s['family_name']}".strip()
        s["family_name"] = s["family_name"][0].upper() + s["family_name"][1:]
    return s


def _dates(rng: random.Random, r: Row, swap: bool) -> Subject:
    s = _names(r)
    bd = r["birth_date"] or ""
    if swap and len(bd) == 10 and int(bd[8:]) <= 12 and bd[5:7] != bd[8:]:
        s["birth_date"] = f"{bd[:4]}-{bd[8:]}-{bd[5:7]}"
    elif len(bd) >= 7:
        s["birth_date"] = bd[:7] if rng.random() < 0.6 else bd[:4]
    return s


class QueryBank:
    """Queries of every variant, drawn once (deterministic for a seed) from the registers."""

    def __init__(self, nodes: list[DemoNode], persons: int, seed: int, per_variant: int = 400):
        rng = random.Random(seed)
        self.by_variant: dict[str, list[Subject]] = {v: [] for v in MIX}
        conns = {n.country: _db(n) for n in nodes}
        try:
            for node in nodes:
                self._from_country(rng, conns[node.country], per_variant // len(nodes))
            self._cross_border(rng, conns, persons, seed, per_variant)
            self._not_existing(rng, conns, per_variant)
        finally:
            for c in conns.values():
                c.close()
        self._mix = [v for v, w in MIX.items() for _ in range(w) if self.by_variant[v]]

    def _from_country(self, rng: random.Random, conn: sqlite3.Connection, k: int) -> None:
        rows = _sample(conn, rng, 7 * k)
        has_prefix = "family_name_prefix IS NOT NULL AND family_name_prefix != ''"
        any_prefix = conn.execute(f"SELECT 1 FROM population WHERE {has_prefix} LIMIT 1")
        prefixed = _sample(conn, rng, k, has_prefix) if any_prefix.fetchone() else []
        add = self.by_variant
        for r in rows[:k]:
            add["exact"].append(_names(r))
        for r in rows[k : 2 * k]:
            s = _names(r)
            s["family_name"] = _typo(rng, s["family_name"])
            if rng.random() < 0.3:
                s["given_names"] = _typo(rng, s["given_names"].split()[0])
            add["misspelled"].append(s)
        for r in rows[2 * k : 3 * k]:
            s = _names(r)
            s["given_names"], s["family_name"] = s["family_name"], s["given_names"].split()[0]
            s.pop("family_name_prefix", None)
            add["swapped_names"].append(s)
        for r in rows[3 * k : 4 * k]:
            add["partial_birth_date"].append(_dates(rng, r, swap=False))
        for r in rows[4 * k : 5 * k]:
            if r["birth_date"] and int(r["birth_date"][8:] or 99) <= 12:
                add["day_month_swapped"].append(_dates(rng, r, swap=True))
        for r in rows[5 * k : 6 * k]:
            add["national_id_only"].append({"national_id": r["national_id"]})
        for r in prefixed:
            add["particle"].append(_particle(rng, r))
        ids = ",".join(f"'{r['national_id']}'" for r in rows[6 * k :])
        docs = conn.execute(
            f"SELECT document_number FROM documents WHERE holder_national_id IN ({ids})"
        ).fetchall()
        add["document_only"] += [{"document_number": d[0]} for d in docs[:k]]

    def _cross_border(
        self, rng: random.Random, conns: dict[Country, sqlite3.Connection], persons: int,
        seed: int, k: int,
    ) -> None:  # fmt: skip
        truth = cross_border_truth(seed, {c: persons for c in conns})
        by_pool: dict[int, dict[str, str]] = {}
        for t in truth.iter_rows(named=True):
            by_pool.setdefault(t["pool_id"], {})[t["country"]] = t["national_id"]
        pools = [p for p in by_pool.values() if len(p) > 1]
        rng.shuffle(pools)
        for p in pools[:k]:
            # The officer reads one country's document; the other register writes it its way.
            country = rng.choice(sorted(p))
            row = (
                conns[Country(country)]
                .execute(
                    f"SELECT {COLS} FROM population WHERE national_id = ?",
                    (p[country],),
                )
                .fetchone()
            )
            if row is not None:
                self.by_variant["cross_border"].append(_names(dict(row)))

    def _not_existing(
        self, rng: random.Random, conns: dict[Country, sqlite3.Connection], k: int
    ) -> None:
        """Real-looking names recombined (given from one person, family from another)."""
        pool = [r for c in conns.values() for r in _sample(c, rng, k // 2)]
        for _ in range(k):
            a, b = rng.choice(pool), rng.choice(pool)
            y = rng.randint(1940, 2005)
            self.by_variant["not_existing"].append(
                {
                    "given_names": a["given_names"],
                    "family_name": _typo(rng, b["family_name"]) + rng.choice("kxzq"),
                    "birth_date": f"{y}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                }
            )

    def counts(self) -> dict[str, int]:
        return {v: len(q) for v, q in self.by_variant.items()}

    def stream(self, seed: int) -> Callable[[], tuple[str, Subject]]:
        rng = random.Random(seed)

        def draw() -> tuple[str, Subject]:
            variant = rng.choice(self._mix)
            return variant, rng.choice(self.by_variant[variant])

        return draw


def data_path(node: DemoNode) -> Path:
    return node.directory / "node.db"
