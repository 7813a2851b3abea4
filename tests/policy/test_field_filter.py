"""Property: no field outside the policy ever leaves the providing node.

Records carry a unique marker in every field; whatever the policy decision,
the record and the explanation, the serialised answer a partner receives holds
the markers of allowed fields only, and explanation features about allowed
fields only.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from passerelle.checks.disclosure import disclose_matches
from passerelle.domain.countries import Country
from passerelle.domain.purpose import Purpose
from passerelle.matching import Match
from passerelle.policy import Access, Decision, allowed_fields, load_policy
from passerelle.registers.schema import DATASETS

NAMES = sorted(DATASETS)
REFERENCE = "REF-opaque"


@st.composite
def decisions(draw: st.DrawFn, dataset: str) -> Decision:
    columns = DATASETS[dataset].names
    access = draw(st.sampled_from(list(Access)))
    if access is not Access.FIELDS:
        return Decision(access)
    fields = frozenset(draw(st.lists(st.sampled_from(columns), max_size=len(columns))))
    when: tuple[tuple[str, frozenset[str]], ...] = ()
    if draw(st.booleans()):
        column = draw(st.sampled_from(columns))
        when = ((column, frozenset(draw(st.lists(st.sampled_from(["a", "b"]), min_size=1)))),)
    otherwise = draw(st.sampled_from([Access.DENY, Access.HIT_NO_HIT]))
    return Decision(access, fields, when, otherwise)


@st.composite
def matches(draw: st.DrawFn, dataset: str, n: int) -> list[Match]:
    columns = DATASETS[dataset].names
    out = []
    for i in range(n):
        record: dict[str, Any] = {c: f"M{dataset}{i}x{c}" for c in columns}
        for c in draw(st.lists(st.sampled_from(columns), max_size=2)):
            record[c] = draw(st.sampled_from(["a", "b", None]))  # values a `when` may test
        names = draw(st.lists(st.sampled_from([*columns, "other"]), max_size=6))
        explanation = {
            "method": "m",
            "log2_odds": 1.0,
            "outcome": "exact",
            "candidates": 7,
            "swapped_names": False,
            "features": [{"feature": f, "level": "exact", "weight": 1.0} for f in names],
        }
        out.append(Match(dataset, record, draw(st.floats(0.5, 1.0)), explanation))
    return out


@st.composite
def cases(draw: st.DrawFn) -> tuple[dict[str, list[Match]], dict[str, Decision]]:
    chosen = draw(st.lists(st.sampled_from(NAMES), min_size=1, max_size=3, unique=True))
    found = {d: draw(matches(d, draw(st.integers(0, 3)))) for d in chosen}
    return found, {d: draw(decisions(d)) for d in chosen}


def check_answer(found: dict[str, list[Match]], decided: dict[str, Decision]) -> None:
    out = disclose_matches(found, decided, lambda d, r: REFERENCE, {"name": "SPOC"})
    text = json.dumps(out.results)
    for dataset, ms in found.items():
        for m in ms:
            allowed = allowed_fields(decided[dataset], m.record)
            for column, value in m.record.items():
                if isinstance(value, str) and value.startswith("M") and column not in allowed:
                    assert json.dumps(value) not in text, (dataset, column)
    for result in out.results:
        decision = decided[result["dataset"]]
        assert decision.access is not Access.DENY
        record = result.get("record")
        features = {f["feature"] for f in result["explanation"].get("features", [])}
        if record is None:
            assert result["reference"] == REFERENCE and not features
            assert set(result["explanation"]) <= {"method", "log2_odds", "features"}
        else:
            assert features <= decision.fields and set(record) <= decision.fields
        assert "candidates" not in result["explanation"]


@settings(max_examples=300, deadline=None)
@given(cases())
def test_no_field_outside_the_decision_leaves(case: Any) -> None:
    check_answer(*case)


@settings(max_examples=100, deadline=None)
@given(
    st.sampled_from(list(Country)),
    st.sampled_from(list(Country)),
    st.sampled_from(list(Purpose)),
    st.data(),
)
def test_default_policy_never_leaks(
    node: Country, partner: Country, purpose: Purpose, data: st.DataObject
) -> None:
    policy = load_policy(None, node)
    chosen = data.draw(st.lists(st.sampled_from(NAMES), min_size=1, max_size=6, unique=True))
    found = {d: data.draw(matches(d, 2)) for d in chosen}
    check_answer(found, {d: policy.decide(partner, purpose, d) for d in chosen})
