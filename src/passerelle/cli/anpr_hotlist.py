"""``passerelle anpr hotlist``: own hotlists and sharing, on a running node (its API).

Commands: ``create``, ``add``, ``import`` (CSV or JSON file), ``list`` (entries),
``lists`` (hotlists), ``share``, ``remove``, ``sync``. Each takes ``--node URL
--token T``; refused entries are printed with their reason (exit code 2).
"""

from __future__ import annotations

import csv
import json as jsonlib
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

import typer
from rich.table import Table

from passerelle.cli.common import console, err
from passerelle.cli.remote import call_node, echo_json

hotlist_app = typer.Typer(
    help="Own ANPR hotlists: add entries, share them with partner nodes, remove them.",
    no_args_is_help=True,
)
Node = Annotated[str, typer.Option("--node", help="Node URL, e.g. http://127.0.0.1:8401")]
Token = Annotated[str, typer.Option("--token", help="Bearer token (passerelle token ...)")]
Json = Annotated[bool, typer.Option("--json", help="Print the API's answer as JSON.")]
HotlistId = Annotated[str, typer.Option("--hotlist", help="The hotlist's id (see `lists`).")]
Share = Annotated[str | None, typer.Option("--share", help="Share with: NL,LU,DE")]
BASE = "/api/v1/anpr/hotlists"
CHUNK = 1000  # entries per request (well under the API's body limit)
FIELDS = (
    "entry_id",
    "plate",
    "plate_country",
    "category",
    "reason",
    "assessment",
    "expires_at",
    "action",
    "instruction",
    "contact",
    "case_ref",
)


def _countries(value: str | None) -> list[str]:
    return [c.strip().upper() for c in (value or "").split(",") if c.strip()]


def _added(answer: dict[str, Any], as_json: bool) -> None:
    if as_json:
        echo_json(answer)
    else:
        for e in answer["added"]:
            shared = ", ".join(e["shared_with"]) or "not shared"
            typer.echo(f"{e['entry_id']}\t{shared}")
        for r in answer["rejected"]:
            err.print(
                f"[bold red]refused[/] entry {r['index'] + 1}: {r['message']}", highlight=False
            )
        err.print(
            f"{len(answer['added'])} added, {len(answer['rejected'])} refused", highlight=False
        )
    if answer["rejected"]:
        raise typer.Exit(2)


@hotlist_app.command("create")
def create(
    node: Node,
    token: Token,
    name: Annotated[str, typer.Option(help="Name, e.g. 'Stolen vehicles Limburg'.")],
    category: Annotated[
        str, typer.Option(help="stolen_vehicle, stolen_plate, wanted_person, missing_person, case")
    ],
    max_confusions: Annotated[int | None, typer.Option(help="OCR confusions tolerated.")] = None,
    json: Json = False,
) -> None:
    """Create an own hotlist; prints its id."""
    body = {"name": name, "category": category, "max_confusions": max_confusions}
    answer = call_node(node, token, "POST", BASE, body, as_json=json)
    echo_json(answer) if json else typer.echo(answer["hotlist_id"])


@hotlist_app.command("add")
def add(
    node: Node,
    token: Token,
    hotlist: HotlistId,
    plate: Annotated[str, typer.Option(help="The plate as written, e.g. 1-ABC-234.")],
    reason: Annotated[str, typer.Option(help="Why the vehicle is wanted.")],
    assessment: Annotated[str, typer.Option(help="The individual assessment allowing sharing.")],
    expires: Annotated[str, typer.Option(help="Expiry date (ISO, e.g. 2026-12-31).")],
    country: Annotated[str | None, typer.Option(help="Plate country (BE, NL, ...).")] = None,
    action: Annotated[str, typer.Option(help="alert or discreet_observation.")] = "alert",
    instruction: Annotated[str | None, typer.Option(help="What the control room does.")] = None,
    contact: Annotated[str | None, typer.Option(help="Desk to call (default: SPOC).")] = None,
    ref: Annotated[str | None, typer.Option(help="Your reference (updates if known).")] = None,
    share: Share = None,
    json: Json = False,
) -> None:
    """Add (or update) one entry, optionally sharing it at once."""
    entry = {
        "plate": plate,
        "plate_country": country,
        "reason": reason,
        "assessment": assessment,
        "expires_at": expires,
        "action": action,
        "instruction": instruction,
        "contact": contact,
        "entry_id": ref,
    }
    body = {
        "entries": [{k: v for k, v in entry.items() if v is not None}],
        "share_with": _countries(share),
    }
    _added(call_node(node, token, "POST", f"{BASE}/{hotlist}/entries", body, as_json=json), json)


def read_entries(path: Path) -> list[dict[str, Any]]:
    """Entries from a CSV file (columns as the API fields) or a JSON list."""
    if path.suffix.lower() == ".json":
        data = jsonlib.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, list):
            raise typer.BadParameter("a JSON file must hold a list of entries")
        return [dict(d) for d in data]
    with path.open(newline="", encoding="utf-8-sig") as f:
        return [{k: v for k, v in row.items() if k in FIELDS and v} for row in csv.DictReader(f)]


@hotlist_app.command("import")
def import_entries(
    node: Node,
    token: Token,
    hotlist: HotlistId,
    file: Annotated[Path, typer.Argument(help="CSV (header: plate, reason, ...) or JSON list.")],
    share: Share = None,
    json: Json = False,
) -> None:
    """Import entries from a file; refused rows are listed with their reason.

    Sending the same file again changes nothing (entries with an ``entry_id`` are
    updated in place, and partners only hear of real changes).
    """
    rows = read_entries(file)
    total: dict[str, list[Any]] = {"added": [], "rejected": []}
    for start in range(0, max(len(rows), 1), CHUNK):
        body = {"entries": rows[start : start + CHUNK], "share_with": _countries(share)}
        path = f"{BASE}/{hotlist}/entries"
        answer = call_node(node, token, "POST", path, body, as_json=json)
        total["added"] += answer["added"]
        total["rejected"] += [{**r, "index": r["index"] + start} for r in answer["rejected"]]
    _added(total, json)


@hotlist_app.command("list")
def list_entries(
    node: Node,
    token: Token,
    owner: Annotated[str | None, typer.Option(help="Only this owner country.")] = None,
    hotlist: Annotated[str | None, typer.Option(help="Only this own hotlist.")] = None,
    plate: Annotated[str | None, typer.Option(help="Only this plate.")] = None,
    all_: Annotated[bool, typer.Option("--all", help="Also removed and expired.")] = False,
    limit: Annotated[int, typer.Option(help="At most this many.")] = 100,
    json: Json = False,
) -> None:
    """Entries known to the node: own and partners' copies."""
    query = {
        "owner": owner,
        "hotlist_id": hotlist,
        "plate": plate,
        "active": "false" if all_ else "true",
        "limit": limit,
    }
    path = f"{BASE}/entries?" + urlencode({k: v for k, v in query.items() if v is not None})
    answer = call_node(node, token, "GET", path, as_json=json)
    if json:
        echo_json(answer)
        return
    table = Table("entry", "owner", "plate", "country", "category", "action", "expires", "shared")
    for e in answer["items"]:
        table.add_row(
            e["entry_id"],
            e["owner"],
            e["plate"],
            e["plate_country"] or "",
            e["category"],
            e["action"],
            e["expires_at"][:10],
            ", ".join(e["shared_with"]),
        )
    console.print(table)
    err.print(f"{len(answer['items'])} of {answer['total']}", highlight=False)


@hotlist_app.command("lists")
def list_hotlists(node: Node, token: Token, json: Json = False) -> None:
    """Own hotlists with their entry counts, and partners' active entries."""
    answer = call_node(node, token, "GET", BASE, as_json=json)
    if json:
        echo_json(answer)
        return
    table = Table("hotlist", "name", "category", "entries", "active")
    for h in answer["hotlists"]:
        table.add_row(
            h["hotlist_id"], h["name"], h["category"], str(h["entries"]), str(h["active"])
        )
    console.print(table)
    for country, n in sorted(answer["partners_active"].items()):
        err.print(f"{country}: {n} active shared entries", highlight=False)


@hotlist_app.command("share")
def share_entries(
    node: Node,
    token: Token,
    entry: Annotated[list[str], typer.Option("--entry", help="Entry id (repeat).")],
    with_: Annotated[str, typer.Option("--with", help="Partner countries: NL,LU")],
    json: Json = False,
) -> None:
    """Share own entries with partner nodes (they receive them at once)."""
    body = {"entry_ids": entry, "partners": _countries(with_)}
    answer = call_node(node, token, "POST", f"{BASE}/entries/share", body, as_json=json)
    if json:
        echo_json(answer)
        return
    for entry_id, partners in answer["shared_with"].items():
        typer.echo(f"{entry_id}\t{', '.join(partners)}")


@hotlist_app.command("remove")
def remove(
    node: Node,
    token: Token,
    entry: Annotated[list[str], typer.Option("--entry", help="Entry id (repeat).")],
    json: Json = False,
) -> None:
    """Remove own entries here and at every partner they were shared with."""
    body = {"entry_ids": entry}
    answer = call_node(node, token, "POST", f"{BASE}/entries/remove", body, as_json=json)
    echo_json(answer) if json else typer.echo("\n".join(answer["removed"]))


@hotlist_app.command("sync")
def sync(node: Node, token: Token, json: Json = False) -> None:
    """Pull every partner's shared entries now; prints the result per partner."""
    answer = call_node(node, token, "POST", f"{BASE}/sync", as_json=json)
    if json:
        echo_json(answer)
        return
    for country, r in sorted(answer.items()):
        typer.echo(f"{country}\t{r['status']}\t{r.get('applied', 0)} applied")


def register(app: typer.Typer) -> None:
    app.add_typer(hotlist_app, name="hotlist")
