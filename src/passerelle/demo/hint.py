"""A ready-to-paste cross-border check for the demo's start-up message.

Picks a person of the synthetic cross-border pool who is registered in both
BE and NL (the NL register may write the name differently) and prints the
commands a BE officer runs to start a joint patrol with an NL colleague and
check that person. The data is synthetic.
"""

from __future__ import annotations

import shlex
from pathlib import Path

import sqlalchemy as sa

from passerelle.demo.layout import DemoNode
from passerelle.domain.countries import Country
from passerelle.settings import load_settings
from passerelle.storage.db import create_engine
from passerelle.synth.crossborder import cross_border_truth


def _person(node: DemoNode, national_id: str) -> dict[str, str] | None:
    engine = create_engine(load_settings(node.config).db_url)
    try:
        with engine.connect() as conn:
            row = conn.execute(
                sa.text(
                    "SELECT given_names, family_name, family_name_prefix, birth_date "
                    "FROM population WHERE national_id = :n"
                ),
                {"n": national_id},
            ).first()
    finally:
        engine.dispose()
    return {k: str(v) for k, v in row._mapping.items() if v} if row else None


def cross_border_hint(nodes: list[DemoNode], data_dir: Path, persons: int, seed: int) -> str:
    """Shell lines for a BE->NL joint-control check, or '' without both nodes."""
    by_country = {n.country: n for n in nodes}
    be, nl = by_country.get(Country.BE), by_country.get(Country.NL)
    if be is None or nl is None:
        return ""
    truth = cross_border_truth(seed, {Country.BE: persons, Country.NL: persons})
    ids: dict[int, dict[str, str]] = {}
    for r in truth.iter_rows(named=True):
        ids.setdefault(r["pool_id"], {})[r["country"]] = r["national_id"]
    pair = next((i for i in ids.values() if "BE" in i and "NL" in i), None)
    person = _person(be, pair["BE"]) if pair else None
    if person is None:
        return ""
    options = " ".join(
        f"--{k.replace('_', '-')} {shlex.quote(v)}" for k, v in sorted(person.items())
    )
    d = shlex.quote(str(data_dir))
    return (
        "Try a cross-border check (a BE officer on a joint patrol with an NL colleague):\n"
        f"  TOKEN=$(passerelle token --data-dir {d} --country BE --user officer --roles officer)\n"
        f"  PATROL=$(passerelle patrol start --node {be.url} --token $TOKEN "
        "--crew BE:officer,NL:officer)\n"
        f"  passerelle check person --node {be.url} --token $TOKEN --purpose joint_control "
        f'--patrol-id $PATROL --justification "demo check" {options}'
    )
