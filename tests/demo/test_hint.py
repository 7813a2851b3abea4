"""The demo's cross-border hint names a person whom the NL node then finds from BE."""

from __future__ import annotations

import shlex

from passerelle.demo.hint import cross_border_hint
from passerelle.domain.countries import Country
from tests.checks.conftest import PERSONS, SEED, Node, check, nodes, start_patrol

__all__ = ["nodes"]


def test_hint_check_finds_the_person_in_nl(nodes: dict[Country, Node]) -> None:
    be, nl = nodes[Country.BE], nodes[Country.NL]
    hint = cross_border_hint([be.demo, nl.demo], be.demo.directory, PERSONS, SEED)
    assert "--crew BE:officer,NL:officer" in hint and be.url in hint
    words = shlex.split(hint.splitlines()[-1])
    subject = {
        w[2:].replace("-", "_"): words[i + 1]
        for i, w in enumerate(words)
        if w.startswith("--")
        and w[2:] in ("given-names", "family-name", "family-name-prefix", "birth-date")
    }
    assert subject.get("family_name")
    answer = check(be, "person", subject, patrol_id=start_patrol(be, "BE:officer,NL:officer"))
    nl_source = next(s for s in answer.json()["sources"] if s["country"] == "NL")
    assert nl_source["status"] == "hit"
    assert cross_border_hint([be.demo], be.demo.directory, PERSONS, SEED) == ""
