"""The simulator's camera network: gantries on the real border roads of the region.

Each *corridor* is one road (or a chain of roads) across a border, given as its
camera sites in driving order. A site has one camera per carriageway, so the
network knows the direction of every read. Coordinates were placed by hand on
the actual motorway alignments near the crossings (to a few hundred metres;
approximations, not surveyed gantry positions; a test checks that each one
lies in its country on the OpenStreetMap borders of ``ops.borders``):

* E25/A25 → A2 Liège–Maastricht (east bank of the Meuse): Herstal, Visé, the
  border north of Visé (towards Eijsden), the A2 at Oost-Maarland and the
  Maastricht tunnel.
* E314 → A76 Genk–Heerlen: Genk-Oost, Maasmechelen, the Maas bridge at Stein,
  Nuth.
* A79 → A76 → A4 Maastricht–Heerlen–Aachen: Meerssen, Hulsberg, the border
  crossing Bocholtz/Vetschau, Kreuz Aachen.
* E40/A3 → A44 Liège–Aachen: Battice, Eynatten, Lichtenbusch, Aachen-Brand.
* E42/A27 → A60 Verviers–St. Vith–Prüm (the E42 runs to Germany, not to
  Luxembourg): Malmedy, St. Vith, past the Our at Steinebrück into Germany.
* E411/E25 → A6 Arlon–Luxembourg (the road to Luxembourg from Belgium):
  Arlon, Sterpenich, Steinfort, Mamer.
* A1 (E44) → A64 Luxembourg–Trier: Potaschbierg, Wasserbillig, the A64 past
  the Sauer bridge.
* Local crossings Vaals–Aachen (N278/B1) and Kerkrade–Herzogenrath
  (Nieuwstraat/Neustraße, the street that is the border).

Volumes are vehicles a day over both directions at the busiest site, in the
range published for these crossings (order of magnitude, not counts).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

EARTH_RADIUS_KM = 6371.0088
COUNTRIES = ("BE", "NL", "LU", "DE", "FR")


@dataclass(frozen=True)
class Site:
    code: str  # unique, e.g. "BE-E25-VISE"
    name: str
    country: str
    lat: float
    lon: float


@dataclass(frozen=True)
class Corridor:
    road: str
    sites: tuple[Site, ...]
    vehicles_per_day: int
    plate_mix: dict[str, float]  # plate country -> share
    speed_kmh: float = 115.0  # mean free-flow speed of cars
    local: bool = False  # a town road, not a motorway


@dataclass(frozen=True)
class Camera:
    camera_id: str
    site: str  # the site's name
    road: str
    lat: float
    lon: float
    direction: str  # compass point the traffic drives towards
    country: str
    reads_country: bool  # the camera also classifies the plate's country


def _s(code: str, name: str, lat: float, lon: float) -> Site:
    return Site(code, name, code[:2], lat, lon)


CORRIDORS: tuple[Corridor, ...] = (
    Corridor(
        "E25/A2",
        (
            _s("BE-E25-HERS", "E25 Herstal", 50.6790, 5.6330),
            _s("BE-E25-VISE", "E25 Visé", 50.7350, 5.7120),
            _s("BE-E25-MOUL", "E25 Visé-Nord (frontière)", 50.7520, 5.7160),
            _s("NL-A2-OMRL", "A2 Oost-Maarland", 50.8000, 5.7130),
            _s("NL-A2-TUNL", "A2 Maastricht tunnel", 50.8530, 5.7150),
        ),
        48_000,
        {"BE": 0.50, "NL": 0.38, "DE": 0.05, "LU": 0.02, "FR": 0.05},
    ),
    Corridor(
        "E314/A76",
        (
            _s("BE-E314-GENK", "E314 Genk-Oost", 50.9830, 5.5530),
            _s("BE-E314-MAAS", "E314 Maasmechelen", 50.9680, 5.6840),
            _s("NL-A76-STEI", "A76 Stein (Maasbrug)", 50.9700, 5.7530),
            _s("NL-A76-NUTH", "A76 Nuth", 50.9150, 5.8860),
        ),
        40_000,
        {"BE": 0.45, "NL": 0.45, "DE": 0.06, "LU": 0.01, "FR": 0.03},
    ),
    Corridor(
        "A79/A76/A4",
        (
            _s("NL-A79-MEER", "A79 Meerssen", 50.8820, 5.7500),
            _s("NL-A79-HULS", "A79 Hulsberg", 50.8900, 5.8530),
            _s("NL-A76-BOCH", "A76 Bocholtz (grens)", 50.8220, 6.0120),
            _s("DE-A4-VETS", "A4 Aachen-Vetschau (Grenze)", 50.8060, 6.0400),
            _s("DE-A4-KRAC", "A4 Kreuz Aachen", 50.8230, 6.1330),
        ),
        52_000,
        {"NL": 0.55, "DE": 0.38, "BE": 0.05, "LU": 0.01, "FR": 0.01},
    ),
    Corridor(
        "E40/A44",
        (
            _s("BE-E40-BATT", "E40 Battice", 50.6450, 5.8260),
            _s("BE-E40-EYNA", "E40 Eynatten", 50.7100, 6.0700),
            _s("DE-A44-LICH", "A44 Aachen-Lichtenbusch (Grenze)", 50.7320, 6.1060),
            _s("DE-A44-BRAN", "A44 Aachen-Brand", 50.7570, 6.1600),
        ),
        45_000,
        {"BE": 0.40, "DE": 0.45, "NL": 0.08, "LU": 0.02, "FR": 0.05},
    ),
    Corridor(
        "E42/A60",
        (
            _s("BE-E42-MALM", "E42 Malmedy", 50.4180, 6.0420),
            _s("BE-E42-STVI", "E42 St. Vith", 50.2900, 6.1150),
            _s("DE-A60-WINT", "A60 Winterspelt (Grenze)", 50.2680, 6.3050),
        ),
        12_000,
        {"BE": 0.55, "DE": 0.30, "NL": 0.08, "LU": 0.04, "FR": 0.03},
    ),
    Corridor(
        "E411/A6",
        (
            _s("BE-E411-ARLO", "E411 Arlon", 49.6720, 5.8350),
            _s("BE-E411-STER", "E411 Sterpenich (frontière)", 49.6520, 5.8800),
            _s("LU-A6-STFT", "A6 Steinfort", 49.6520, 5.9200),
            _s("LU-A6-MAMR", "A6 Mamer", 49.6300, 6.0200),
        ),
        70_000,
        {"BE": 0.35, "LU": 0.35, "FR": 0.25, "NL": 0.03, "DE": 0.02},
    ),
    Corridor(
        "A1/A64",
        (
            _s("LU-A1-POTA", "A1 Potaschbierg", 49.6900, 6.3800),
            _s("LU-A1-WASS", "A1 Wasserbillig (frontière)", 49.7120, 6.4930),
            _s("DE-A64-MESE", "A64 Mesenich (Grenze)", 49.7400, 6.5600),
        ),
        40_000,
        {"LU": 0.50, "DE": 0.40, "BE": 0.04, "FR": 0.04, "NL": 0.02},
    ),
    Corridor(
        "N278/B1",
        (
            _s("NL-N278-VAAL", "N278 Vaals", 50.7720, 6.0100),
            _s("DE-B1-VAAL", "Vaalser Straße Aachen", 50.7700, 6.0500),
        ),
        12_000,
        {"NL": 0.50, "DE": 0.45, "BE": 0.05},
        speed_kmh=45.0,
        local=True,
    ),
    Corridor(
        "Nieuwstraat/Neustraße",
        (
            _s("NL-NWST-KERK", "Nieuwstraat Kerkrade", 50.8600, 6.0770),
            _s("DE-NEUS-HERZ", "Neustraße Herzogenrath", 50.8680, 6.0880),
        ),
        8_000,
        {"NL": 0.50, "DE": 0.50},
        speed_kmh=35.0,
        local=True,
    ),
)


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


def compass(lat1: float, lon1: float, lat2: float, lon2: float) -> str:
    """The 8-point compass direction from the first point to the second."""
    y = math.sin(math.radians(lon2 - lon1)) * math.cos(math.radians(lat2))
    x = math.cos(math.radians(lat1)) * math.sin(math.radians(lat2)) - math.sin(
        math.radians(lat1)
    ) * math.cos(math.radians(lat2)) * math.cos(math.radians(lon2 - lon1))
    bearing = (math.degrees(math.atan2(y, x)) + 360) % 360
    return ("N", "NE", "E", "SE", "S", "SW", "W", "NW")[round(bearing / 45) % 8]


def corridor_cameras(corridor: Corridor) -> tuple[tuple[Camera, ...], tuple[Camera, ...]]:
    """The cameras of a corridor: (forward carriageway, reverse carriageway), in site order."""
    sites = corridor.sites
    forward, reverse = [], []
    for i, site in enumerate(sites):
        a, b = sites[max(0, i - 1)], sites[min(len(sites) - 1, i + 1)]
        ahead, back = compass(a.lat, a.lon, b.lat, b.lon), compass(b.lat, b.lon, a.lat, a.lon)
        reads_country = site.country in ("NL", "DE") or i % 2 == 0
        forward.append(
            Camera(
                f"{site.code}-1",
                site.name,
                corridor.road,
                site.lat,
                site.lon,
                direction=ahead,
                country=site.country,
                reads_country=reads_country,
            )
        )
        reverse.append(
            Camera(
                f"{site.code}-2",
                site.name,
                corridor.road,
                site.lat,
                site.lon,
                direction=back,
                country=site.country,
                reads_country=reads_country,
            )
        )
    return tuple(forward), tuple(reverse)


def all_cameras(countries: tuple[str, ...] | None = None) -> list[Camera]:
    """Every camera of the network, optionally only those of ``countries``."""
    out = []
    for corridor in CORRIDORS:
        forward, reverse = corridor_cameras(corridor)
        out += [c for pair in zip(forward, reverse, strict=True) for c in pair]
    return [c for c in out if countries is None or c.country in countries]
