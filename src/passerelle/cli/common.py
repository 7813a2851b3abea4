"""Shared pieces of the CLI: consoles, error handling, locating a node's settings."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import typer
from rich.console import Console

from passerelle.domain.countries import parse_country
from passerelle.exc import ConfigError, PasserelleError
from passerelle.settings import NodeSettings, load_settings

console = Console()
err = Console(stderr=True)
P = ParamSpec("P")
R = TypeVar("R")


def handle_errors(fn: Callable[P, R]) -> Callable[P, R]:
    """Turn Passerelle errors into a clear message on stderr and a non-zero exit."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except PasserelleError as e:
            err.print(f"[bold red]error:[/] {e.detail}", highlight=False, markup=True)
            raise typer.Exit(2 if e.status in (400, 413, 422) else 1) from None

    return wrapper


def print_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def node_config_path(data_dir: Path, country: str) -> Path:
    return data_dir / parse_country(country).value / "node.toml"


def resolve_settings(
    config: Path | None, data_dir: Path | None, country: str | None
) -> NodeSettings:
    """Settings from ``--config``, or from a demo data dir and ``--country``."""
    if config is not None:
        settings = load_settings(config)
        if country and parse_country(country) != settings.country:
            raise ConfigError(
                f"--country {country} does not match the node in {config} ({settings.country})"
            )
        return settings
    if data_dir is None or country is None:
        raise ConfigError("give --config node.toml, or --data-dir and --country")
    path = node_config_path(data_dir, country)
    if not path.is_file():
        raise ConfigError(
            f"no node for {parse_country(country).value} in {data_dir} "
            "(run `passerelle demo --data-dir ...` first, or pass --config)"
        )
    return load_settings(path)
