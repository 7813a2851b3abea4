"""``passerelle anpr cameras|reads|quarantine``: the camera registry and reads, on a running node.

``cameras import FILE`` (CSV or JSON: camera_id, site, country, road, lat, lon,
direction, active), ``cameras list``; ``reads send FILE`` posts camera reads
(CSV, JSON array or JSON lines) in batches to ``POST /api/v1/anpr/reads`` and
prints what the node did with them; ``quarantine`` counts set-aside reads by
reason. Each takes ``--node URL --token T``.
"""

from __future__ import annotations

import contextlib
import csv
import json as jsonlib
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import Progress

from passerelle.cli.common import console, err
from passerelle.cli.remote import call_node, echo_json

cameras_app = typer.Typer(help="The ANPR camera registry of a node.", no_args_is_help=True)
reads_app = typer.Typer(help="Send camera reads to a node.", no_args_is_help=True)
Node = Annotated[str, typer.Option("--node", help="Node URL, e.g. http://127.0.0.1:8401")]
Token = Annotated[str, typer.Option("--token", help="Bearer token (passerelle token ...)")]
Json = Annotated[bool, typer.Option("--json", help="Print machine-readable output.")]
FileArg = Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="CSV or JSON file")]
NUMBERS = ("lat", "lon", "confidence")


def load_rows(path: Path) -> list[dict[str, Any]]:
    """Rows of a CSV file, a JSON array (or ``{"reads"|"cameras": [...]}``) or JSON lines."""
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix.lower() == ".csv":
        rows: list[dict[str, Any]] = []
        for row in csv.DictReader(text.splitlines()):
            clean = {k: v for k, v in row.items() if k and v not in (None, "")}
            for key in NUMBERS:
                if key in clean:
                    with contextlib.suppress(ValueError):
                        clean[key] = float(clean[key])
            if "active" in clean:
                clean["active"] = str(clean["active"]).strip().lower() in ("1", "true", "yes")
            rows.append(clean)
        return rows
    stripped = text.strip()
    if stripped.startswith(("[", "{")) and path.suffix.lower() not in (".jsonl", ".ndjson"):
        data = jsonlib.loads(stripped)
        if isinstance(data, dict):
            data = data.get("reads", data.get("cameras", []))
        return list(data)
    return [jsonlib.loads(line) for line in stripped.splitlines() if line.strip()]


@cameras_app.command("import")
def cameras_import(path: FileArg, node: Node, token: Token, json: Json = False) -> None:
    """Add or update the cameras of FILE (by camera_id)."""
    cameras = load_rows(path)
    answer = call_node(
        node, token, "PUT", "/api/v1/anpr/cameras", {"cameras": cameras}, as_json=json
    )
    echo_json(answer) if json else console.print(f"{answer['written']} cameras written")


@cameras_app.command("list")
def cameras_list(node: Node, token: Token, json: Json = False) -> None:
    """The cameras the node knows."""
    answer = call_node(node, token, "GET", "/api/v1/anpr/cameras", as_json=json)
    if json:
        echo_json(answer)
        return
    for c in answer["cameras"]:
        typer.echo(f"{c['camera_id']}\t{c['country']}\t{c['site']}\t{c.get('road') or ''}")


@reads_app.command("send")
def reads_send(
    path: FileArg,
    node: Node,
    token: Token,
    batch: Annotated[int, typer.Option(help="Reads per request.", min=1, max=5000)] = 5000,
    json: Json = False,
) -> None:
    """Post the camera reads of FILE in batches; print what was accepted, set aside, refused."""
    reads = load_rows(path)
    totals = {"reads": len(reads), "accepted": 0, "duplicates": 0, "stored": 0, "hits": 0}
    quarantined: dict[str, int] = {}
    rejected = 0
    with Progress(console=err, disable=json) as progress:
        task = progress.add_task("sending reads", total=len(reads))
        for start in range(0, len(reads), batch):
            chunk = reads[start : start + batch]
            answer = call_node(
                node, token, "POST", "/api/v1/anpr/reads", {"reads": chunk}, as_json=json,
                timeout_s=120,
            )  # fmt: skip
            for key in ("accepted", "duplicates", "stored", "hits"):
                totals[key] += int(answer[key])
            for q in answer["quarantined"]:
                quarantined[q["reason"]] = quarantined.get(q["reason"], 0) + 1
            rejected += len(answer["rejected"])
            progress.advance(task, len(chunk))
    summary = {**totals, "quarantined": quarantined, "rejected": rejected}
    if json:
        echo_json(summary)
        return
    console.print(
        f"{totals['reads']} reads: {totals['accepted']} accepted ({totals['stored']} stored, "
        f"{totals['hits']} hits), {totals['duplicates']} duplicates, "
        f"{sum(quarantined.values())} quarantined, {rejected} refused"
    )
    for reason, n in sorted(quarantined.items()):
        console.print(f"  quarantined {reason}: {n}")


def quarantine(node: Node, token: Token, json: Json = False) -> None:
    """Reads set aside by the ingest, counted by reason."""
    answer = call_node(node, token, "GET", "/api/v1/anpr/quarantine", as_json=json)
    if json:
        echo_json(answer)
        return
    for reason, n in sorted(answer["reasons"].items()):
        typer.echo(f"{reason}\t{n}")


def register(app: typer.Typer) -> None:
    app.add_typer(cameras_app, name="cameras")
    app.add_typer(reads_app, name="reads")
    app.command("quarantine")(quarantine)
