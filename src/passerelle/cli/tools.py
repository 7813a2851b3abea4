"""`passerelle token` and `passerelle synth`."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from passerelle.auth.idp import DemoIdP
from passerelle.auth.roles import parse_roles
from passerelle.cli.common import console, handle_errors, print_json, resolve_settings
from passerelle.domain.countries import parse_country
from passerelle.exc import ConfigError, InvalidInput


@handle_errors
def token(
    country: Annotated[str, typer.Option(help="Country of the node whose demo IdP signs.")],
    user: Annotated[str, typer.Option(help="Subject (user name) of the token.")],
    roles: Annotated[str, typer.Option(help="Comma-separated: officer,control_room,...")],
    data_dir: Annotated[Path, typer.Option(help="Demo data directory.")] = Path(".passerelle-demo"),
    config: Annotated[Path | None, typer.Option(help="Node TOML instead of --data-dir.")] = None,
    minutes: Annotated[int, typer.Option(min=1, max=1440, help="Validity.")] = 60,
    json: Annotated[bool, typer.Option("--json", help="Print JSON with claims.")] = False,
) -> None:
    """Print a bearer token from a demo node's identity provider (for scripts and tests)."""
    settings = resolve_settings(config, data_dir, country)
    if settings.mode != "demo" or not settings.oidc.demo_idp:
        raise ConfigError("this node has no demo identity provider (production mode)")
    assert settings.oidc.issuer and settings.oidc.audience
    idp = DemoIdP(settings.data_dir / "idp", settings.oidc.issuer, settings.oidc.audience)
    role_list = parse_roles(roles)
    jwt = idp.issue(user, role_list, minutes=minutes)
    if json:
        print_json(
            {
                "token": jwt,
                "issuer": idp.issuer,
                "audience": idp.audience,
                "subject": user,
                "roles": [r.value for r in role_list],
                "expires_at": int(time.time()) + minutes * 60,
            }
        )
    else:
        typer.echo(jwt)


@handle_errors
def synth(
    country: Annotated[str, typer.Option(help="BE, NL, LU or DE.")],
    out: Annotated[Path, typer.Option(help="Output directory.")],
    persons: Annotated[int, typer.Option(min=1, max=50_000_000, help="Population size.")] = 10_000,
    seed: Annotated[int, typer.Option(help="Same seed, same data.")] = 1,
    format: Annotated[str, typer.Option("--format", help="csv or parquet.")] = "csv",
    json: Annotated[bool, typer.Option("--json", help="Print the written files as JSON.")] = False,
) -> None:
    """Write realistic synthetic registers of one country (deterministic for a seed)."""
    from passerelle.synth import generate_country, write_datasets

    c = parse_country(country)
    if format not in ("csv", "parquet"):
        raise InvalidInput(f"unknown format {format!r}; use csv or parquet", code="unknown_format")
    started = time.perf_counter()
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        disable=json,
    ) as bar:
        task = bar.add_task(f"{c}: generating", total=persons)
        frames = generate_country(c, persons, seed, progress=lambda n: bar.advance(task, n))
        bar.update(task, completed=persons, description=f"{c}: writing {format}")
        paths = write_datasets(frames, out, "csv" if format == "csv" else "parquet")
    summary = {p.stem: frames[p.stem].height for p in paths}
    if json:
        print_json(
            {"country": c.value, "seed": seed, "files": [str(p) for p in paths], "rows": summary}
        )
        return
    for p in paths:
        console.print(f"  {p}  [dim]{summary[p.stem]:,} rows[/]")
    console.print(f"[green]done[/] in {time.perf_counter() - started:.1f} s")
