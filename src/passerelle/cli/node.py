"""`passerelle node ...`: run a production node, manage its key and partners."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import tomli_w
import typer

from passerelle.cli.common import console, handle_errors, print_json
from passerelle.federation.client import PartnerClient
from passerelle.federation.keys import NodeKey
from passerelle.federation.trust import PartnerEntry, TrustStore
from passerelle.settings import load_settings

app = typer.Typer(help="Run and administer one national node.", no_args_is_help=True)
ConfigOpt = Annotated[Path, typer.Option("--config", "-c", help="Node TOML file.")]


@app.command()
@handle_errors
def serve(config: ConfigOpt) -> None:
    """Run the node's API, web pages and federation endpoint (SIGTERM stops it)."""
    settings = load_settings(config)
    import uvicorn

    from passerelle.logs import configure_logging
    from passerelle.node.context import NodeContext
    from passerelle.web.app import create_app

    configure_logging(settings.log_level, settings.log_json)
    ctx = NodeContext.build(settings)
    uvicorn.run(
        create_app(ctx),
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level,
        access_log=False,
        log_config=None,
        server_header=False,
    )


@app.command()
@handle_errors
def init(config: ConfigOpt) -> None:
    """Create the node's Ed25519 key (if missing) and its database schema."""
    from passerelle.storage.db import create_engine, migrate

    settings = load_settings(config)
    settings.check_production()
    key = NodeKey.load_or_create(settings.key_path, settings.country, demo=settings.mode == "demo")
    engine = create_engine(settings.db_url)
    try:
        migrate(engine)
    finally:
        engine.dispose()
    console.print(
        f"node {settings.country}: key {key.key_id} at {settings.key_path}; schema current"
    )


@app.command("export-key")
@handle_errors
def export_key(
    config: ConfigOpt,
    json: Annotated[bool, typer.Option("--json", help="Print JSON instead of TOML.")] = False,
) -> None:
    """Print this node's trust entry, to hand to partner administrators."""
    settings = load_settings(config)
    key = NodeKey.load_or_create(settings.key_path, settings.country, demo=settings.mode == "demo")
    entry = PartnerEntry.from_key(key, base_url=settings.public_url, name=settings.name)
    data = entry.to_dict()
    if json:
        print_json(data)
    else:
        typer.echo(tomli_w.dumps({"partners": [data]}))


@app.command("trust")
@handle_errors
def trust(
    config: ConfigOpt,
    entry_file: Annotated[Path, typer.Argument(help="A partner's `node export-key` output.")],
) -> None:
    """Add (or replace) partner entries in the node's trust store."""
    settings = load_settings(config)
    store = TrustStore.load(settings.trust_path)
    incoming = TrustStore.load(entry_file)
    for entry in incoming.partners():
        if entry.country == settings.country:
            console.print(f"[yellow]skipped[/] {entry.country}: that is this node itself")
            continue
        store.add(entry)
        console.print(f"trusted {entry.country} key {entry.key_id} at {entry.base_url}")
    store.save(settings.trust_path)


@app.command("partners")
@handle_errors
def partners(config: ConfigOpt, json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """List the partners in the trust store."""
    settings = load_settings(config)
    store = TrustStore.load(settings.trust_path)
    rows = [p.to_dict() for p in store.partners()]
    if json:
        print_json(rows)
        return
    for p in rows:
        console.print(f"{p['country']}  {p['key_id']}  {p['base_url']}  {p['name']}")


@app.command("outbox")
@handle_errors
def outbox(
    config: ConfigOpt,
    state: Annotated[
        str | None, typer.Option(help="pending, delivered or rejected (default: all).")
    ] = None,
    requeue: Annotated[
        list[int] | None, typer.Option("--requeue", help="Send this rejected message again.")
    ] = None,
    json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Messages to partner nodes: what is still pending, what a partner refused."""
    from passerelle.node.outbox import Outbox
    from passerelle.storage.db import create_engine

    settings = load_settings(config)
    engine = create_engine(settings.db_url)
    try:
        box = Outbox(
            engine,
            trust=TrustStore.load(settings.trust_path),
            client=_no_client,
            timeout_s=settings.federation.partner_timeout_s,
            retry_s=settings.federation.outbox_retry_s,
            max_backoff_s=settings.federation.outbox_max_backoff_s,
        )
        if requeue:
            n = box.requeue(list(requeue))
            console.print(f"{n} message(s) queued again; the running node sends them")
            return
        if state not in (None, "pending", "delivered", "rejected"):
            raise typer.BadParameter("state must be pending, delivered or rejected")
        items = box.items(state=state)  # type: ignore[arg-type]
    finally:
        engine.dispose()
    rows = [
        {
            "id": i.id,
            "partner": i.partner.value,
            "kind": i.kind,
            "state": i.state,
            "created_at": i.created_at.isoformat(),
            "attempts": i.attempts,
            "next_attempt_at": i.next_attempt_at.isoformat() if i.next_attempt_at else None,
            "last_error": i.last_error,
        }
        for i in items
    ]
    if json:
        print_json(rows)
        return
    for r in rows:
        console.print(
            f"{r['id']:>6}  {r['partner']}  {r['kind']:<24} {r['state']:<9} "
            f"attempts {r['attempts']}  {r['last_error'] or ''}"
        )
    console.print(f"{len(rows)} message(s)")


def _no_client() -> PartnerClient:
    raise RuntimeError("the outbox command only reads and requeues; the node sends")
