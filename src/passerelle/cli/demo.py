"""`passerelle demo`: set up and run one node per country on loopback."""

from __future__ import annotations

import time
import webbrowser
from pathlib import Path
from typing import Annotated

import httpx
import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from passerelle.auth.idp import DEMO_USERS, DemoIdP
from passerelle.auth.roles import Role
from passerelle.cli.common import console, handle_errors
from passerelle.demo.hint import cross_border_hint
from passerelle.demo.layout import DEMO_SEED, SIZES, DemoNode, demo_nodes
from passerelle.demo.run import NodeProcesses
from passerelle.demo.setup import (
    init_identity,
    load_registers,
    read_logins,
    wire_trust,
    write_config,
    write_logins,
)
from passerelle.domain.countries import parse_countries
from passerelle.exc import InvalidInput
from passerelle.settings import load_settings


def prepare(nodes: list[DemoNode], persons: int, seed: int) -> None:
    keys = {}
    passwords: dict[str, dict[str, str]] = {}
    with Progress(
        TextColumn("{task.description:<40}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    ) as bar:
        task = bar.add_task("preparing nodes", total=persons * len(nodes))
        for node in nodes:
            write_config(node)
            keys[node.country.value], passwords[node.country.value] = init_identity(node)

            def step(description: str, rows: int) -> None:
                bar.update(task, description=description, advance=rows)

            load_registers(node, persons, seed, step)
        wire_trust(nodes, keys)
        bar.update(task, description="nodes ready to start")
    write_logins(nodes[0].directory.parent, passwords)


def partner_summary(node: DemoNode) -> str:
    """Ask a running node (as its admin) whether its partners are reachable and trusted."""
    settings = load_settings(node.config)
    assert settings.oidc.issuer and settings.oidc.audience
    idp = DemoIdP(settings.data_dir / "idp", settings.oidc.issuer, settings.oidc.audience)
    token = idp.issue("demo-launcher", [Role.ADMIN], minutes=1)
    r = httpx.get(
        f"{node.url}/api/v1/node/partners",
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    r.raise_for_status()
    partners = r.json()
    ok = sum(1 for p in partners if p["reachable"] and p["trusted"])
    return f"{ok}/{len(partners)} trusted"


@handle_errors
def demo(
    data_dir: Annotated[Path, typer.Option(help="Where nodes keep data and keys.")] = Path(
        ".passerelle-demo"
    ),
    size: Annotated[
        str, typer.Option(help="small (10k), medium (1M), large (10M) persons.")
    ] = "small",
    port_base: Annotated[
        int, typer.Option(min=1024, max=65000, help="BE=+1 NL=+2 LU=+3 DE=+4.")
    ] = 8400,
    countries: Annotated[str, typer.Option(help="Comma-separated countries.")] = "BE,NL,LU,DE",
    no_browser: Annotated[
        bool, typer.Option("--no-browser", help="Do not open a browser.")
    ] = False,
    setup_only: Annotated[
        bool, typer.Option("--setup-only", help="Prepare, do not start.")
    ] = False,
) -> None:
    """Generate synthetic registers and run one node per country on 127.0.0.1 (Ctrl-C stops)."""
    if size not in SIZES:
        raise InvalidInput(
            f"unknown size {size!r}; use small, medium or large", code="unknown_size", value=size
        )
    started = time.perf_counter()
    nodes = demo_nodes(data_dir, parse_countries(countries), port_base)
    prepare(nodes, SIZES[size], DEMO_SEED)
    if setup_only:
        console.print(f"[green]prepared[/] {len(nodes)} node(s) in {data_dir}")
        return
    procs = NodeProcesses(nodes)
    try:
        procs.start()
        procs.wait_ready()
        _print_ready(nodes, data_dir, time.perf_counter() - started)
        hint = cross_border_hint(nodes, data_dir, SIZES[size], DEMO_SEED)
        if hint:
            console.print(hint, soft_wrap=True, highlight=False, markup=False)
        if not no_browser:
            webbrowser.open(nodes[0].url)
        procs.wait()
    except KeyboardInterrupt:
        console.print("\nstopping nodes…")
    finally:
        procs.stop()
        console.print("all nodes stopped")


def _print_ready(nodes: list[DemoNode], data_dir: Path, seconds: float) -> None:
    # Plain lines, not a table: URLs and passwords must never be cut on a narrow terminal.
    logins = read_logins(data_dir.resolve())
    console.print(f"[bold green]Passerelle demo: {len(nodes)} node(s) ready in {seconds:.0f} s[/]")
    for node in nodes:
        try:
            partners = partner_summary(node)
        except httpx.HTTPError as e:
            partners = f"unknown ({type(e).__name__})"
        c = node.country.value
        console.print(
            f"  {c}  {node.url}  partners {partners}  password {logins.get(c, '(see logins.txt)')}",
            soft_wrap=True,
            highlight=False,
        )
    console.print(
        "Users on every node: " + ", ".join(DEMO_USERS) + " (with that node's password).\n"
        "API docs: <node URL>/docs.  Passwords are kept in "
        f"{data_dir / 'logins.txt'}.\n"
        f"Tokens for scripts: passerelle token --data-dir {data_dir} --country BE "
        "--user alice --roles officer\nPress Ctrl-C to stop all nodes.",
        soft_wrap=True,
        highlight=False,
    )
