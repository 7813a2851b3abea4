"""``passerelle action``: plan a joint action, register results, show the board, get the report."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer
from rich.table import Table

from passerelle.cli.common import console, err
from passerelle.cli.remote import call_node, echo_json

app = typer.Typer(help="Joint actions: plan, results, live board, report.")

Node = Annotated[str, typer.Option("--node", help="Node URL, e.g. http://127.0.0.1:8401")]
Token = Annotated[str, typer.Option("--token", help="Bearer token (passerelle token ...)")]
Json = Annotated[bool, typer.Option("--json", help="Print the API's answer as JSON.")]
ActionId = Annotated[str, typer.Option("--action-id", help="The action's id (BE-A...).")]
BASE = "/api/v1/actions"


def _checkpoints(path: Path) -> list[dict[str, Any]]:
    """``ID;name;lat;lon`` per line (``#`` starts a comment), or a JSON list."""
    text = path.read_text(encoding="utf-8")
    if text.lstrip().startswith("["):
        data: list[dict[str, Any]] = json.loads(text)
        return data
    out = []
    for line in text.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            cid, name, lat, lon = ([p.strip() for p in line.split(";")] + ["", "", "", ""])[:4]
            out.append({"checkpoint_id": cid, "name": name, "lat": lat, "lon": lon})
    return out


@app.command("plan")
def plan(
    node: Node,
    token: Token,
    file: Annotated[Path | None, typer.Option(help="The whole plan as JSON (API body).")] = None,
    name: Annotated[str | None, typer.Option(help="Name of the action.")] = None,
    starts: Annotated[str | None, typer.Option(help="Start, ISO 8601 with offset.")] = None,
    ends: Annotated[str | None, typer.Option(help="End, ISO 8601 with offset.")] = None,
    participant: Annotated[
        list[str] | None, typer.Option(help="COUNTRY:service+service, e.g. NL:police+customs")
    ] = None,
    checkpoints: Annotated[Path | None, typer.Option(help="File of ID;name;lat;lon lines")] = None,
    objective: Annotated[list[str] | None, typer.Option(help="An objective (repeat).")] = None,
    metrics: Annotated[str | None, typer.Option(help="Agreed aggregates, comma-separated")] = None,
    share_back: Annotated[bool, typer.Option(help="Share the board with all")] = True,
    json: Json = False,
) -> None:
    """Plan a joint action organised by this node; the plan goes to every participant."""
    if file is not None:
        body = _load(file)
    else:
        if not (name and starts and ends and participant and checkpoints):
            err.print("[bold red]error:[/] give --file, or --name --starts --ends "
                      "--participant --checkpoints")  # fmt: skip
            raise typer.Exit(2)
        body = {
            "name": name, "starts_at": starts, "ends_at": ends,
            "participants": [_participant(p) for p in participant],
            "checkpoints": _checkpoints(checkpoints), "objectives": objective or [],
            "shared_metrics": metrics.split(",") if metrics else None, "share_back": share_back,
        }  # fmt: skip
    view = call_node(node, token, "POST", BASE, body, as_json=json)
    if json:
        echo_json(view)
        return
    typer.echo(view["action_id"])
    countries = ", ".join(p["country"] for p in view["participants"])
    summary = f"{view['name']} · {countries} · {len(view['checkpoints'])} checkpoints"
    err.print(f"{summary} · {view['status']}", highlight=False)


def _load(file: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(file.read_text(encoding="utf-8"))
    return data


def _participant(text: str) -> dict[str, Any]:
    country, _, services = text.partition(":")
    return {
        "country": country.strip(),
        "services": [s for s in services.split("+") if s] or ["police"],
    }


def _seizure(text: str) -> dict[str, Any]:
    kind, _, rest = text.partition(":")
    quantity, _, unit = rest.partition(":")
    return {"type": kind, "quantity": quantity, "unit": unit}


@app.command("result")
def result(
    node: Node,
    token: Token,
    action_id: ActionId,
    checkpoint: Annotated[str, typer.Option(help="Checkpoint id.")],
    submission_id: Annotated[
        str | None, typer.Option(help="Reuse it to resend safely (default: a new one)")
    ] = None,
    persons: Annotated[int, typer.Option(help="Persons checked.")] = 0,
    vehicles: Annotated[int, typer.Option(help="Vehicles checked.")] = 0,
    hits: Annotated[int, typer.Option(help="Hits.")] = 0,
    arrests: Annotated[int, typer.Option(help="Arrests.")] = 0,
    seizure: Annotated[list[str] | None, typer.Option(help="TYPE:QUANTITY:UNIT (repeat)")] = None,
    fines: Annotated[int, typer.Option(help="Number of fines.")] = 0,
    fines_amount: Annotated[float, typer.Option(help="Fines, EUR.")] = 0,
    service: Annotated[str | None, typer.Option(help="police, customs, border_police")] = None,
    at: Annotated[str | None, typer.Option(help="When (ISO 8601); default now")] = None,
    note: Annotated[str | None, typer.Option(help="Free text (stays here unless shared)")] = None,
    share: Annotated[bool, typer.Option(help="Send this record to the organiser")] = False,
    country: Annotated[str | None, typer.Option(help="At the organiser: a guest country")] = None,
    json: Json = False,
) -> None:
    """Register a result at a checkpoint (idempotent per submission id)."""
    sid = submission_id or f"cli-{uuid.uuid4().hex}"
    body = {
        "submission_id": sid, "checkpoint_id": checkpoint, "occurred_at": at,
        "persons_checked": persons, "vehicles_checked": vehicles, "hits": hits,
        "arrests": arrests, "seizures": [_seizure(s) for s in seizure or []],
        "fines_count": fines, "fines_amount": fines_amount, "service": service,
        "note": note, "share": share, "country": country,
    }  # fmt: skip
    answer = call_node(node, token, "POST", f"{BASE}/{action_id}/results", body, as_json=json)
    if json:
        echo_json(answer)
        return
    typer.echo(sid)
    err.print("registered" if answer["created"] else "already registered: nothing changed")


@app.command("board")
def board(node: Node, token: Token, action_id: ActionId, json: Json = False) -> None:
    """Totals per country, checkpoint and hour."""
    data = call_node(node, token, "GET", f"{BASE}/{action_id}/board", as_json=json)
    if json:
        echo_json(data)
        return
    columns = [c for c in data["totals"] if c != "seizures"]
    for title, part in (("country", "by_country"), ("checkpoint", "by_checkpoint")):
        table = Table(title, *columns, "seizures", title=f"{data['name']} · per {title}")
        for key, e in data[part].items():
            seized = ", ".join(
                f"{s['type']} {s['quantity']:g} {s['unit']}" for s in e.get("seizures", [])
            )
            table.add_row(key, *[f"{e.get(c, 0):g}" for c in columns], seized)
        console.print(table)
    if data.get("pending"):
        err.print(f"not yet delivered (retried): {data['pending']}", highlight=False)


@app.command("report")
def report(
    node: Node,
    token: Token,
    action_id: ActionId,
    out: Annotated[Path, typer.Option(help="File to write.")],
    format: Annotated[str, typer.Option(help="pdf or html")] = "pdf",
    langs: Annotated[str | None, typer.Option(help="e.g. fr,nl or all")] = None,
) -> None:
    """Write the report (HTML or PDF, two or four languages) to a file."""
    params = {"format": format, **({"langs": langs} if langs else {})}
    url = f"{node.rstrip('/')}{BASE}/{action_id}/report"
    try:
        r = httpx.get(url, params=params, headers={"Authorization": f"Bearer {token}"}, timeout=120)
    except httpx.HTTPError as e:
        err.print(f"[bold red]error:[/] cannot reach {node}: {type(e).__name__}", highlight=False)
        raise typer.Exit(1) from None
    if r.status_code >= 400:
        err.print(f"[bold red]error ({r.status_code}):[/] {r.text[:300]}", highlight=False)
        raise typer.Exit(2 if r.status_code < 500 else 1)
    out.write_bytes(r.content)
    err.print(f"{out} ({len(r.content)} bytes)", highlight=False)
