"""Where the demo keeps each node, and which port and name each country gets."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from passerelle.domain.countries import Country

SIZES: dict[str, int] = {"small": 10_000, "medium": 1_000_000, "large": 10_000_000}
PORT_OFFSET: dict[Country, int] = {Country.BE: 1, Country.NL: 2, Country.LU: 3, Country.DE: 4}
NODE_NAMES: dict[Country, str] = {
    Country.BE: "Police fédérale / Federale Politie",
    Country.NL: "Politie Eenheid Limburg",
    Country.LU: "Police grand-ducale",
    Country.DE: "Polizeipräsidium Aachen",
}
DEMO_SEED = 20231001  # the Benelux Police Treaty entered into force on 1 October 2023


@dataclass(frozen=True)
class DemoNode:
    country: Country
    directory: Path
    port: int

    @property
    def config(self) -> Path:
        return self.directory / "node.toml"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_file(self) -> Path:
        return self.directory / "node.log"


def demo_nodes(data_dir: Path, countries: list[Country], port_base: int) -> list[DemoNode]:
    return [
        DemoNode(c, data_dir.resolve() / c.value, port_base + PORT_OFFSET[c]) for c in countries
    ]
