"""Own results (whole records, no internal columns) and warnings."""

from __future__ import annotations

import datetime as dt

from passerelle.checks.disclosure import own_results
from passerelle.checks.warnings import warnings_for
from passerelle.matching import Match


def test_own_results_drop_internal_columns_and_rank_by_score() -> None:
    low = Match("vehicles", {"id": 7, "plate": "1ABC234", "plate_key": "x", "make": ""}, 0.6, {})
    high = Match(
        "wanted_persons",
        {"id": 3, "alert_id": "W-1", "name_key": "k", "issued_on": dt.date(2024, 5, 1),
         "alert_type": "arrest", "warning_markers": "armed;drugs"},
        0.9,
        {"method": "m"},
    )  # fmt: skip
    results = own_results({"vehicles": [low], "wanted_persons": [high]})
    assert [r["dataset"] for r in results] == ["wanted_persons", "vehicles"]
    assert results[0]["record"] == {
        "alert_id": "W-1", "issued_on": "2024-05-01", "alert_type": "arrest",
        "warning_markers": "armed;drugs",
    }  # fmt: skip
    assert results[1]["record"] == {"plate": "1ABC234"}
    assert [w["code"] for w in results[0]["warnings"]] == ["armed", "drugs", "wanted_for_arrest"]


def test_warnings_by_dataset() -> None:
    assert warnings_for("wanted_persons", {"alert_type": "missing", "warning_markers": "suicidal"})[
        0
    ] == {"code": "suicidal", "dataset": "wanted_persons"}
    assert warnings_for("wanted_persons", {"warning_markers": "bogus"}) == []
    assert warnings_for("documents", {"status": "stolen"})[0]["code"] == "stolen_document"
    assert warnings_for("documents", {"status": "valid"}) == []
    assert warnings_for("stolen_vehicles", {})[0]["code"] == "stolen_vehicle"
    assert warnings_for("population", {"alert_type": "arrest"}) == []
