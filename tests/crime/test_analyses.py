"""Kernel density against scikit-learn, trends, the cross-border view and the exports."""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow.parquet as pq
import pytest

from passerelle.crime.density import _project, kernel_density
from passerelle.crime.export import write
from passerelle.crime.grid import Grid, cells_of
from passerelle.crime.picture import HotspotSettings, cross_border, hotspot_cells
from passerelle.crime.trends import period_changes, seasonality, trends


@pytest.mark.parametrize("kernel", ["gaussian", "epanechnikov"])
def test_density_agrees_with_sklearn(kernel: str) -> None:
    sk = pytest.importorskip("sklearn.neighbors")
    rng = np.random.default_rng(3)
    pts = np.column_stack([50.85 + rng.normal(0, 0.01, 400), 6.0 + rng.normal(0, 0.015, 400)])
    at = np.column_stack([50.85 + rng.normal(0, 0.01, 50), 6.0 + rng.normal(0, 0.015, 50)])
    ours = kernel_density(pts, at, 500.0, kernel)  # type: ignore[arg-type]
    lat0, lon0 = pts[:, 0].mean(), pts[:, 1].mean()
    kde = sk.KernelDensity(bandwidth=500.0, kernel=kernel).fit(
        _project(pts[:, 0], pts[:, 1], lat0, lon0)
    )
    dens = np.exp(kde.score_samples(_project(at[:, 0], at[:, 1], lat0, lon0)))  # per m², mean 1
    # sklearn's epanechnikov is normalised differently: compare shapes for it, values for gaussian
    theirs = dens * len(pts) * 1e6
    if kernel == "gaussian":
        np.testing.assert_allclose(ours, theirs, rtol=1e-6)
    else:
        ratio = ours[theirs > 0] / theirs[theirs > 0]
        np.testing.assert_allclose(ratio, ratio[0], rtol=1e-6)


def test_quartic_density_integrates_to_the_count() -> None:
    pts = np.array([[50.85, 6.0], [50.851, 6.001]])
    lat = 50.85 + np.arange(-30, 31) * 0.0003
    lon = 6.0 + np.arange(-30, 31) * 0.0005
    g = np.array([[a, b] for a in lat for b in lon])
    d = kernel_density(pts, g, 600.0)
    cell_km2 = (0.0003 * math.pi / 180 * 6371.0088) * (
        0.0005 * math.pi / 180 * 6371.0088 * math.cos(math.radians(50.85))
    )
    assert abs(d.sum() * cell_km2 - 2.0) < 0.02


def _frame(rows: list[tuple[str, str, float, float, str]]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "country": [r[0] for r in rows],
            "incident_id": [str(i) for i in range(len(rows))],
            "occurred_on": [dt.date.fromisoformat(r[1]) for r in rows],
            "latitude": [r[2] for r in rows],
            "longitude": [r[3] for r in rows],
            "iccs": [r[4] for r in rows],
        }
    )


def test_period_changes_count_the_right_days() -> None:
    as_of = dt.date(2026, 3, 31)
    days = [
        "2026-03-31",
        "2026-03-04",
        "2026-03-03",
        "2026-02-02",
        "2026-02-01",
        "2025-03-31",
        "2025-01-01",
        "2024-12-31",
    ]
    df = _frame([("NL", d, 50.8, 6.0, "05012") for d in days])
    out = period_changes(df, as_of)
    # last 28 days: 04-03..31-03 -> 2; previous: 04-02..03-03 -> 2 (03-03, 02-02? no: 02-02 < 04-02)
    assert out["last_28_days"] == {"current": 2, "previous": 1, "change": 1, "change_pct": 100.0}
    assert out["year_to_date"]["current"] == 5
    assert out["year_to_date"]["previous"] == 2


def test_seasonality_index_and_series() -> None:
    rows = [
        ("BE", f"2025-{m:02d}-10", 50.6, 5.6, "05012")
        for m in range(1, 13)
        for _ in range(10 if m != 12 else 20)
    ]
    s = seasonality(_frame(rows))
    assert s["monthly_index"][11] == pytest.approx(20 / (130 / 12), rel=1e-3)
    t = trends(_frame(rows), every="1mo")
    assert len(t["series"]) == 12 and t["classes"][0]["iccs"] == "0501"


def test_cross_border_hotspot_is_found() -> None:
    rng = np.random.default_rng(5)
    # a cluster astride Kerkrade (NL) / Herzogenrath (DE), background over the region
    n_bg = 600
    bg = np.column_stack([rng.uniform(50.6, 51.0, n_bg), rng.uniform(5.6, 6.3, n_bg)])
    hot = np.column_stack([50.866 + rng.normal(0, 0.002, 200), 6.075 + rng.normal(0, 0.003, 200)])
    pts = np.vstack([bg, hot])
    country = ["NL" if lon < 6.075 else "DE" for lon in pts[:, 1]]
    df = pl.DataFrame(
        {
            "country": country,
            "incident_id": [str(i) for i in range(len(pts))],
            "occurred_on": [
                dt.date(2026, 1, 1) + dt.timedelta(days=int(d))
                for d in rng.integers(0, 60, len(pts))
            ],
            "latitude": pts[:, 0],
            "longitude": pts[:, 1],
            "iccs": ["05012"] * len(pts),
        }
    )
    cells = hotspot_cells(df, HotspotSettings(resolution=8, permutations=199, seed=1))
    assert cells["count"].sum() == len(pts)
    out = cross_border(df, cells, 8)
    assert out, "the straddling cluster is reported"
    top = out[0]
    assert set(top["countries"]) == {"DE", "NL"}
    assert top["incidents"] >= 150


def test_exports(tmp_path: Path) -> None:
    cells = Grid.of(cells_of([50.85, 50.86], [6.0, 6.01], 8)).cells
    df = pl.DataFrame({"cell": cells, "count": [3, 1], "z": [2.5, float("nan")]})
    write(df, tmp_path / "c.csv")
    assert pl.read_csv(tmp_path / "c.csv")["count"].to_list() == [3, 1]
    write(df, tmp_path / "c.geojson")
    gj = json.loads((tmp_path / "c.geojson").read_text())
    ring = gj["features"][0]["geometry"]["coordinates"][0]
    assert ring[0] == ring[-1] and len(ring) == 7  # a hexagon, closed
    assert gj["features"][1]["properties"]["z"] is None
    write(df, tmp_path / "c.parquet")
    t = pq.read_table(tmp_path / "c.parquet")
    geo = json.loads(t.schema.metadata[b"geo"])
    assert geo["primary_column"] == "geometry" and geo["columns"]["geometry"]["encoding"] == "WKB"
    import shapely

    poly = shapely.from_wkb(t.column("geometry")[0].as_py())
    assert poly.geom_type == "Polygon" and poly.is_valid


def test_cli_hotspots_and_trends_on_a_file(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from passerelle.cli import app
    from passerelle.crime.demo import demo_frame

    f = tmp_path / "incidents.csv"
    demo_frame(11, 4_000).select(
        "country", "incident_id", "occurred_on", "latitude", "longitude", "offence_code"
    ).write_csv(f)
    out = tmp_path / "cells.geojson"
    res = CliRunner().invoke(
        app,
        [
            "crime",
            "hotspots",
            "--input",
            str(f),
            "--iccs",
            "05012",
            "--permutations",
            "99",
            "--seed",
            "1",
            "--output",
            str(out),
            "--json",
        ],
    )
    assert res.exit_code == 0, res.output
    body = json.loads(res.stdout)
    assert body["hot"] > 0 and body["cross_border"]
    assert json.loads(out.read_text())["type"] == "FeatureCollection"
    res = CliRunner().invoke(app, ["crime", "trends", "--input", str(f), "--level", "1", "--json"])
    assert res.exit_code == 0, res.output
    assert {c["iccs"] for c in json.loads(res.stdout)["classes"]} >= {"02", "05"}
    res = CliRunner().invoke(app, ["crime", "hotspots", "--input", str(f), "--iccs", "123"])
    assert res.exit_code == 2 and "ICCS" in res.output


def test_user_boundaries_give_trends_per_area(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from passerelle.cli import app
    from passerelle.crime.areas import OUTSIDE, assign_areas, load_areas

    def box(name: str, w: float, s: float, e: float, n: float) -> dict[str, object]:
        ring = [[w, s], [e, s], [e, n], [w, n], [w, s]]
        geom = {"type": "Polygon", "coordinates": [ring]}
        return {"type": "Feature", "properties": {"gemeente": name}, "geometry": geom}

    gj = tmp_path / "areas.geojson"
    gj.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    box("West", 6.0, 50.8, 6.05, 50.9),
                    box("East", 6.05, 50.8, 6.1, 50.9),
                    {
                        "type": "Feature",
                        "properties": {},
                        "geometry": {"type": "Point", "coordinates": [6, 50]},
                    },
                ],
            }
        )
    )
    names, shapes = load_areas(gj, "gemeente")
    assert names == ["West", "East"]
    df = _frame(
        [
            ("NL", "2026-03-01", 50.85, 6.02, "05012"),
            ("DE", "2026-03-02", 50.85, 6.07, "05012"),
            ("DE", "2026-03-03", 50.85, 6.08, "05012"),
            ("BE", "2026-03-03", 50.6, 5.6, "05012"),
        ]
    )
    assert assign_areas(df, names, shapes)["area"].to_list() == ["West", "East", "East", OUTSIDE]
    f = tmp_path / "inc.csv"
    df.select("incident_id", "occurred_on", "latitude", "longitude").with_columns(
        pl.lit("DE").alias("country"), pl.lit("436*00").alias("offence_code")
    ).write_csv(f)
    res = CliRunner().invoke(
        app,
        [
            "crime",
            "trends",
            "--input",
            str(f),
            "--boundaries",
            str(gj),
            "--name-property",
            "gemeente",
            "--json",
        ],
    )
    assert res.exit_code == 0, res.output
    by_area = json.loads(res.stdout)["classes"][0]["by_area"]
    assert by_area["East"]["last_28_days"]["current"] == 2
    assert by_area["West"]["last_28_days"]["current"] == 1
