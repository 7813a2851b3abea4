"""Prepare the demo's nodes: config, keys, identity provider, registers, trust.

Idempotent: a node whose registers were already generated with the same size
and seed is left as it is, so a second ``make demo`` starts in seconds.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import tomli_w

from passerelle.auth.idp import DemoIdP
from passerelle.crime.demo import load_demo_incidents
from passerelle.demo.layout import NODE_NAMES, DemoNode
from passerelle.federation.keys import NodeKey
from passerelle.federation.trust import PartnerEntry, TrustStore
from passerelle.registers.importer import Importer
from passerelle.registers.port import DATASET_NAMES
from passerelle.registers.sources import frame_rows
from passerelle.registers.sql import SqlRegisters
from passerelle.settings import load_settings
from passerelle.storage.db import create_engine, migrate
from passerelle.synth import generate_country

Step = Callable[[str, int], None]  # (description, rows advanced)


def write_config(node: DemoNode) -> None:
    node.directory.mkdir(parents=True, exist_ok=True)
    config = {
        "mode": "demo",
        "country": node.country.value,
        "name": NODE_NAMES[node.country],
        "host": "127.0.0.1",
        "port": node.port,
        "data_dir": ".",
        "log_json": True,
    }
    node.config.write_text(tomli_w.dumps(config), encoding="utf-8")


def init_identity(node: DemoNode) -> tuple[NodeKey, dict[str, str]]:
    """Create the node key and the demo IdP (users + key) if missing."""
    settings = load_settings(node.config)
    key = NodeKey.load_or_create(settings.key_path, node.country, demo=True)
    passwords = DemoIdP.initialise(settings.data_dir / "idp", node.country.value)
    return key, passwords


def load_registers(node: DemoNode, persons: int, seed: int, step: Step) -> dict[str, int]:
    """Generate synthetic registers and import them (validated) unless already there."""
    load_demo_incidents(node.config, seed, step)  # the crime picture (passerelle.crime.demo)
    marker = node.directory / "demo-data.json"
    wanted = {"persons": persons, "seed": seed}
    if marker.exists() and json.loads(marker.read_text()).get("source") == wanted:
        loaded: dict[str, int] = json.loads(marker.read_text())["loaded"]
        step(f"{node.country}: registers ready", persons)
        return loaded
    settings = load_settings(node.config)
    engine = create_engine(settings.db_url)
    try:
        migrate(engine)
        done = 0

        def advance(n: int) -> None:
            nonlocal done
            done += n
            step(f"{node.country}: generating registers", n)

        frames = generate_country(node.country, persons, seed, progress=advance)
        if done < persons:
            step(f"{node.country}: generating registers", persons - done)
        importer = Importer(SqlRegisters(engine, node.country), node.country)
        counts: dict[str, int] = {}
        for dataset in DATASET_NAMES:
            frame = frames[dataset]
            step(f"{node.country}: importing {dataset}", 0)
            report = importer.import_rows(
                dataset,
                frame_rows(frame, frame.columns, f"synthetic {dataset}"),
                source=f"synth:{node.country}:{dataset}:seed={seed}",
                actor="demo",
            )
            if report.rejected:
                first = report.rejected[0]
                raise RuntimeError(
                    f"synthetic {dataset} of {node.country} has {len(report.rejected)} invalid "
                    f"rows (first: row {first.position}, {first.reason})"
                )
            counts[dataset] = report.loaded
    finally:
        engine.dispose()
    marker.write_text(json.dumps({"source": wanted, "loaded": counts}), encoding="utf-8")
    return counts


def wire_trust(nodes: list[DemoNode], keys: dict[str, NodeKey]) -> None:
    """Each node trusts every other demo node's key (and only those)."""
    for node in nodes:
        store = TrustStore(
            [
                PartnerEntry.from_key(
                    keys[other.country.value], base_url=other.url, name=NODE_NAMES[other.country]
                )
                for other in nodes
                if other.country != node.country
            ]
        )
        store.save(load_settings(node.config).trust_path)


def write_logins(data_dir: Path, passwords: dict[str, dict[str, str]]) -> Path:
    """Keep new demo passwords in ``logins.txt`` (mode 0600) beside the nodes."""
    path = data_dir / "logins.txt"
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    for country, users in passwords.items():
        if users:  # a node initialised earlier keeps the password already written
            lines = [ln for ln in lines if not ln.startswith(f"{country} ")]
            lines.append(f"{country} {next(iter(users.values()))}")
    path.write_text("\n".join(sorted(lines)) + "\n", encoding="utf-8")
    path.chmod(0o600)
    return path


def read_logins(data_dir: Path) -> dict[str, str]:
    path = data_dir / "logins.txt"
    if not path.exists():
        return {}
    out: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        country, _, password = line.partition(" ")
        if password:
            out[country] = password
    return out
