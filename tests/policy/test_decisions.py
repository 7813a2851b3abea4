"""The default policy's decisions, table-driven, and the file's validation errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from passerelle.domain.countries import Country
from passerelle.domain.purpose import Purpose
from passerelle.exc import ConfigError
from passerelle.policy import Access, load_policy, parse_policy

BE, NL, LU, DE = Country.BE, Country.NL, Country.LU, Country.DE
JC, JP, INV, ANPR = (
    Purpose.JOINT_CONTROL,
    Purpose.JOINT_POST,
    Purpose.INVESTIGATION,
    Purpose.ANPR_FOLLOWUP,
)
F, H, D = Access.FIELDS, Access.HIT_NO_HIT, Access.DENY

# (providing node, partner, purpose, dataset, expected access)
CASES = [
    (BE, NL, JC, "population", F),
    (NL, BE, JC, "population", F),
    (NL, BE, JP, "wanted_persons", F),
    (BE, NL, JC, "vehicles", F),
    (BE, NL, JC, "stolen_vehicles", F),
    (NL, BE, JC, "documents", F),
    (BE, NL, JC, "police_records", H),
    (NL, BE, JP, "police_records", H),
    (BE, LU, JC, "population", H),
    (NL, DE, JC, "wanted_persons", H),
    (LU, BE, JC, "population", H),
    (DE, NL, JC, "vehicles", H),
    (DE, LU, JP, "police_records", H),
    (LU, DE, JC, "stolen_vehicles", F),
    (BE, DE, JC, "stolen_vehicles", F),
    (DE, BE, JC, "documents", F),  # conditional: stolen or lost only
    (BE, NL, INV, "population", H),
    (DE, LU, INV, "stolen_vehicles", H),
    (NL, BE, INV, "police_records", H),
    (BE, NL, ANPR, "population", D),  # unlisted purpose
    (NL, LU, ANPR, "stolen_vehicles", D),
    (BE, BE, JC, "population", D),  # a node never answers itself
]


@pytest.mark.parametrize(("node", "partner", "purpose", "dataset", "access"), CASES)
def test_default_policy_decisions(
    node: Country, partner: Country, purpose: Purpose, dataset: str, access: Access
) -> None:
    assert load_policy(None, node).decide(partner, purpose, dataset).access is access


def test_be_nl_population_fields_are_identifying_only() -> None:
    decision = load_policy(None, NL).decide(BE, JC, "population")
    assert "national_id" in decision.fields and "family_name" in decision.fields
    assert not {"address_street", "address_city", "birth_place"} & decision.fields


@pytest.mark.parametrize(
    ("status", "access"), [("stolen", F), ("lost", F), ("valid", H), ("revoked", H), (None, H)]
)
def test_lu_de_documents_fields_only_when_stolen_or_lost(
    status: str | None, access: Access
) -> None:
    decision = load_policy(None, DE).decide(BE, JC, "documents")
    assert decision.for_record({"status": status, "document_number": "X"}).access is access


def rule(**datasets: object) -> dict[str, object]:
    return {"partners": ["NL"], "purposes": ["joint_control"], "datasets": datasets}


@pytest.mark.parametrize(
    ("doc", "key"),
    [
        ({"rules": [rule(population={"fields": ["shoe_size"]})]}, "rules[0].datasets.population"),
        ({"rules": [rule(registry="deny")]}, "rules[0].datasets.registry"),
        ({"rules": [rule(population="maybe")]}, "rules[0].datasets.population"),
        ({"rules": [{**rule(population="deny"), "partners": ["FR"]}]}, "rules[0].partners"),
        ({"rules": [{**rule(population="deny"), "purposes": ["curiosity"]}]}, "rules[0].purposes"),
        (
            {"rules": [{"partners": ["NL"], "datasets": {"population": "deny"}}]},
            "rules[0].purposes",
        ),
        ({"rules": [rule(population="deny"), rule(population="hit_no_hit")]}, "rules[1].datasets"),
        ({"rules": [rule(documents={"fields": ["status"], "when": {"colour": ["red"]}})]}, "when"),
        ({"rules": [rule(documents={"fields": ["status"], "otherwise": "deny"})]}, "otherwise"),
        ({"rules": [{**rule(population="deny"), "surprise": 1}]}, "rules[0].surprise"),
        ({"version": 2}, "version"),
        ({"rulez": []}, "rulez"),
    ],
)
def test_invalid_policies_name_the_key(doc: dict[str, object], key: str) -> None:
    with pytest.raises(ConfigError) as err:
        parse_policy(doc, BE, "test.toml")
    assert err.value.code == "policy_invalid"
    assert key in err.value.detail and "test.toml" in err.value.detail


def test_policy_file_from_disk_and_errors(tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    path.write_text(
        '[[rules]]\npartners = ["NL"]\npurposes = ["joint_control"]\n'
        '[rules.datasets]\npopulation = "hit_no_hit"\n',
        encoding="utf-8",
    )
    policy = load_policy(path, BE)
    assert policy.decide(NL, JC, "population").access is H
    assert policy.decide(NL, JC, "wanted_persons").access is D
    assert policy.decide(NL, JP, "population").access is D
    assert load_policy(path, NL).decide(BE, JC, "population").access is D  # nodes: any -> BE only
    path.write_text("rules = [", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_policy(path, BE)
    with pytest.raises(ConfigError, match="cannot read"):
        load_policy(tmp_path / "missing.toml", BE)
