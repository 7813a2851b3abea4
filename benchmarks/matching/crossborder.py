"""Cross-border name variants: the synthetic pool, extra officer-side errors, hard negatives.

True pairs are the people of ``passerelle.synth.cross_border_truth`` registered in two
countries, each register writing them its own way (particles split or merged,
umlauts transliterated, second given names dropped or reordered, unknown day of
birth). On the querying side we add, in these proportions, the errors made at a
roadside check: given and family names swapped (4 %), day and month of birth swapped
(2 %), year of birth off by one (2 %), a typo in the family name (3 %), given names
as initials (2 %). Each query is linked against the whole population register of the
other country plus, for half of the true pairs, two hard non-matches: a relative
(same family name and birth year, other given name and date) and a namesake (same
names and birth year, other date).
"""

from __future__ import annotations

import random
import time
from typing import Any

import polars as pl

from passerelle.domain.countries import Country
from passerelle.matching.linkage import candidate_pairs, link, prepare
from passerelle.synth import cross_border_truth, generate_country

COLUMNS = ("given_names", "family_name", "family_name_prefix", "birth_date", "sex", "nationality")
ERRORS = (("swapped_names", 0.04), ("day_month_swapped", 0.02), ("year_off_by_one", 0.02),
          ("family_typo", 0.03), ("initials", 0.02))  # fmt: skip


def _typo(name: str, rng: random.Random) -> str:
    if len(name) < 4:
        return name
    i = rng.randrange(1, len(name) - 2)
    return name[:i] + name[i + 1] + name[i] + name[i + 2 :]


def perturb(row: dict[str, Any], rng: random.Random) -> tuple[dict[str, Any], str]:
    out = dict(row)
    draw, bounds, acc = rng.random(), [], 0.0
    for name, share in ERRORS:
        acc += share
        bounds.append((acc, name))
    kind = next((name for bound, name in bounds if draw < bound), None)
    if kind is None:
        return out, "as_registered"
    birth = str(out.get("birth_date") or "")
    if kind == "swapped_names":
        family = f"{out.get('family_name_prefix') or ''} {out['family_name']}".strip()
        out["given_names"], out["family_name"] = family, str(out["given_names"]).split()[0]
        out["family_name_prefix"] = None
    elif kind == "day_month_swapped" and len(birth) == 10 and int(birth[8:]) <= 12:
        out["birth_date"] = f"{birth[:5]}{birth[8:]}-{birth[5:7]}"
    elif kind == "year_off_by_one" and birth:
        out["birth_date"] = f"{int(birth[:4]) + rng.choice((-1, 1))}{birth[4:]}"
    elif kind == "family_typo":
        out["family_name"] = _typo(str(out["family_name"]), rng)
    elif kind == "initials":
        out["given_names"] = " ".join(f"{g[0]}." for g in str(out["given_names"]).split())
    return out, kind


def hard_negatives(row: dict[str, Any], others: pl.DataFrame, rng: random.Random) -> list[dict]:
    birth = str(row.get("birth_date") or "")
    if len(birth) < 4:
        return []
    year = birth[:4]
    other_date = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    if other_date == birth:
        other_date = f"{year}-{(int(other_date[5:7]) % 12) + 1:02d}-{other_date[8:]}"
    same_sex = others.filter(pl.col("sex") == row.get("sex"))
    donor = same_sex.row(rng.randrange(same_sex.height), named=True)
    relative = {**row, "given_names": donor["given_names"], "birth_date": other_date}
    namesake = {**row, "birth_date": other_date, "nationality": donor["nationality"]}
    if relative["given_names"].split()[0] == str(row["given_names"]).split()[0]:
        return [namesake]
    return [relative, namesake]


def run(persons: int = 50_000, seed: int = 21) -> dict[str, Any]:
    rng = random.Random(seed)
    t0 = time.perf_counter()
    pops = {c: generate_country(c, persons, seed)["population"] for c in Country}
    truth = cross_border_truth(seed, {c: persons for c in Country})
    both = truth.group_by("pool_id").agg("country", "national_id")
    both = both.filter(pl.col("country").list.len() == 2).sort("pool_id")
    index = {c: {r["national_id"]: r for r in f.iter_rows(named=True)} for c, f in pops.items()}
    queries: dict[tuple[str, str], list[dict[str, Any]]] = {}
    negatives: dict[str, list[dict[str, Any]]] = {c.value: [] for c in Country}
    kinds: dict[str, int] = {}
    true_pairs: set[tuple[str, str]] = set()
    for row in both.iter_rows(named=True):
        (a, b), (id_a, id_b) = row["country"], row["national_id"]
        for src, dst, sid, did in ((a, b, id_a, id_b), (b, a, id_b, id_a)):
            record, kind = perturb(index[Country(src)][sid], rng)
            kinds[kind] = kinds.get(kind, 0) + 1
            qid = f"q-{src}-{sid}"
            queries.setdefault((src, dst), []).append(
                {"id": qid, **{k: record[k] for k in COLUMNS}}
            )
            true_pairs.add((qid, did))
            if rng.random() < 0.5:
                target = index[Country(dst)][did]
                for n, neg in enumerate(hard_negatives(target, pops[Country(dst)], rng)):
                    negatives[dst].append({"id": f"neg-{did}-{sid}-{n}",
                                           **{k: neg[k] for k in COLUMNS}})  # fmt: skip
    build_s = time.perf_counter() - t0
    found: set[tuple[str, str]] = set()
    candidates = 0
    t1 = time.perf_counter()
    by_dst: dict[str, list[dict[str, Any]]] = {}
    for (_, dst), rows in sorted(queries.items()):
        by_dst.setdefault(dst, []).extend(rows)
    for dst, rows in sorted(by_dst.items()):
        right = pops[Country(dst)].select(pl.col("national_id").alias("id"), *COLUMNS)
        if negatives[dst]:
            right = pl.concat([right, pl.DataFrame(negatives[dst], schema=right.schema)])
        left_side = prepare(pl.DataFrame(rows, schema=right.schema), {}, "id")
        right_side = prepare(right.cast(pl.String), {}, "id")
        pairs = candidate_pairs(left_side, right_side)
        candidates += pairs.height
        found |= {(p.left_id, p.right_id) for p in link(left_side, right_side, pairs=pairs)}
    link_s = time.perf_counter() - t1
    tp = len(found & true_pairs)
    precision, recall = tp / max(len(found), 1), tp / len(true_pairs)
    false_negatives_hard = sum(1 for _, r in found - true_pairs if r.startswith("neg-"))
    return {
        "persons_per_country": persons, "true_pairs": len(true_pairs),
        "hard_negatives": sum(len(v) for v in negatives.values()),
        "precision": precision, "recall": recall,
        "f1": 2 * precision * recall / (precision + recall) if tp else 0.0,
        "false_matches": len(found - true_pairs), "false_matches_on_hard_negatives":
        false_negatives_hard, "candidate_pairs": candidates, "errors_injected": kinds,
        "build_s": build_s, "link_s": link_s,
    }  # fmt: skip
