"""ICCS class names in four languages, the analyst's boundaries on the map and in the
hotspot figures, and the cross-border view's 28-day change against a plain count."""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Callable, Iterator
from importlib import resources
from typing import Any

import numpy as np
import polars as pl
import pytest
from fastapi.testclient import TestClient

from passerelle.auth.roles import Role
from passerelle.crime import iccs
from passerelle.crime.areas import OUTSIDE, parse_areas
from passerelle.crime.demo import demo_frame
from passerelle.crime.grid import cells_of
from passerelle.crime.picture import HotspotSettings, area_table, cross_border, hotspot_cells
from passerelle.crime.store import CrimeStore
from passerelle.domain.countries import Country
from passerelle.exc import InvalidInput
from passerelle.node.context import NodeContext
from passerelle.web.app import create_app
from tests.node.conftest import build

Make = Callable[..., dict[Country, Any]]
HOT = (50.8665, 6.0745)  # the demo's cross-border hotspot (Kerkrade / Herzogenrath)


# --- ICCS names ------------------------------------------------------------------------------


def test_every_iccs_class_has_its_name_in_the_four_languages() -> None:
    text = resources.files("passerelle.crime").joinpath("data", "iccs.csv").read_text("utf-8")
    rows = list(csv.DictReader(text.splitlines()))
    assert {"label", "label_fr", "label_nl", "label_de"} <= set(rows[0])
    for r in rows:
        for col in ("label", "label_fr", "label_nl", "label_de"):
            assert r[col].strip(), f"{r['iccs_code']} has no {col}"
        assert r["label_fr"] != r["label"] and r["label_de"] != r["label"], r["iccs_code"]
    # every class the mapping table points at (and its parents) is named
    used = {m.iccs_code for m in iccs.mappings().values() if m.iccs_code}
    for code in used:
        for n in (2, 4, 5, 6):
            if len(code) >= n:
                assert code[:n] in iccs.classes(), code[:n]
    # distinct names within a language and level: no copy-paste slip
    for lang in iccs.LANGUAGES:
        for level in (1, 2, 3, 4):
            names = [c.name(lang) for c in iccs.classes().values() if c.level == level]
            assert len(names) == len(set(names)), (lang, level)


def test_iccs_label_in_a_language() -> None:
    assert iccs.label("05012") == "Burglary of private residential premises"
    assert iccs.label("05012", "de") == "Wohnungseinbruchdiebstahl"
    assert iccs.label("05012", "fr") == "Cambriolage de locaux d'habitation privés"
    assert iccs.label("0501", "nl") == "Inbraak"
    assert iccs.label(None, "fr") == "non classé"
    assert iccs.label("05012", "xx") == iccs.label("05012")
    names = {c["code"]: c["name"] for c in iccs.table("nl")["classes"]}
    assert names["0502"] == "Diefstal"


# --- the cross-border view's 28-day change ------------------------------------------------------


def _frame(rows: list[tuple[str, dt.date, float, float]]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "country": [r[0] for r in rows],
            "incident_id": [str(i) for i in range(len(rows))],
            "occurred_on": [r[1] for r in rows],
            "latitude": [r[2] for r in rows],
            "longitude": [r[3] for r in rows],
            "iccs": ["05012"] * len(rows),
        }
    )


def _plain_28(df: pl.DataFrame, as_of: dt.date) -> tuple[int, int]:
    ages = [(as_of - d).days for d in df["occurred_on"].to_list()]
    return sum(0 <= a < 28 for a in ages), sum(28 <= a < 56 for a in ages)


def test_cross_border_change_follows_each_side() -> None:
    """NL rises (40 -> 120), DE falls (96 -> 24) in the last 28 days: the view must say so."""
    rng = np.random.default_rng(3)
    as_of = dt.date(2026, 3, 31)
    rows: list[tuple[str, dt.date, float, float]] = []
    for country, older, recent, side in (("NL", 40, 120, -1), ("DE", 96, 24, 1)):
        for n, lo in ((older, 28), (recent, 0)):
            for _ in range(n):
                age = int(rng.integers(lo, lo + 28))
                lat = HOT[0] + rng.normal(0, 0.004)  # ~450 m: a cluster of several cells
                lon = HOT[1] + side * abs(rng.normal(0, 0.006))
                rows.append((country, as_of - dt.timedelta(days=age), lat, lon))
    bg = rng.uniform([50.6, 5.6], [51.0, 6.3], (500, 2))
    for lat, lon in bg:
        age = int(rng.integers(0, 400))
        rows.append(("BE", as_of - dt.timedelta(days=age), float(lat), float(lon)))
    df = _frame(rows)
    cells = hotspot_cells(df, HotspotSettings(resolution=8, permutations=199, seed=1))
    out = cross_border(df, cells, 8, as_of)
    assert out and {"NL", "DE"} <= set(out[0]["countries"])
    sides = out[0]["countries"]
    assert sides["NL"]["last_28_days"]["change_pct"] > 100
    assert sides["DE"]["last_28_days"]["change_pct"] < -50
    # each side's figures equal a plain count of its incidents in the cluster's cells
    located = df.with_columns(
        pl.Series("cell", cells_of(df["latitude"].to_numpy(), df["longitude"].to_numpy(), 8))
    ).filter(pl.col("cell").is_in(out[0]["cells"]))
    for c in ("NL", "DE"):
        now, before = _plain_28(located.filter(pl.col("country") == c), as_of)
        assert sides[c]["last_28_days"]["current"] == now
        assert sides[c]["last_28_days"]["previous"] == before


def test_demo_cross_border_figures_are_plain_counts() -> None:
    """The screenshot's "12 and 15, 0,0 %": both sides really had as many burglaries in the
    last 28 days as in the 28 before (the demo hotspot grows by ~4 % a month, within noise)."""
    df = demo_frame(7, 8_000).filter(pl.col("iccs") == "05012")
    cells = hotspot_cells(df, HotspotSettings(resolution=8, permutations=99, seed=1))
    as_of = df["occurred_on"].max()
    assert isinstance(as_of, dt.date)
    out = cross_border(df, cells, 8)
    assert out
    located = df.with_columns(
        pl.Series("cell", cells_of(df["latitude"].to_numpy(), df["longitude"].to_numpy(), 8))
    ).filter(pl.col("cell").is_in(out[0]["cells"]))
    for c, side in out[0]["countries"].items():
        now, before = _plain_28(located.filter(pl.col("country") == c), as_of)
        assert (side["last_28_days"]["current"], side["last_28_days"]["previous"]) == (
            now,
            before,
        )
    # with an earlier end of the period (the time slider), the window moves with it
    until = as_of - dt.timedelta(days=40)
    earlier = cross_border(df.filter(pl.col("occurred_on") <= until), cells, 8, until)
    for c, side in earlier[0]["countries"].items() if earlier else []:
        part = located.filter((pl.col("country") == c) & (pl.col("occurred_on") <= until))
        assert side["last_28_days"]["current"] == _plain_28(part, until)[0]


# --- boundaries -------------------------------------------------------------------------------


def _box(name: str, w: float, s: float, e: float, n: float) -> dict[str, Any]:
    ring = [[w, s], [e, s], [e, n], [w, n], [w, s]]
    return {
        "type": "Feature",
        "properties": {"zone": name},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }


AREAS = {
    "type": "FeatureCollection",
    "features": [
        _box("Kerkrade", 6.03, 50.84, HOT[1], 50.89),
        _box("Herzogenrath", HOT[1], 50.84, 6.12, 50.89),
    ],
}


@pytest.mark.parametrize(
    "text",
    [
        "not json {",
        json.dumps({"type": "FeatureCollection", "features": []}),
        json.dumps([1, 2, 3]),
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {"type": "Feature", "geometry": {"type": "Point", "coordinates": [6, 50]}}
                ],
            }
        ),
        # RD New (EPSG:28992) metres instead of WGS 84 degrees
        json.dumps(_box("RD", 190000, 320000, 200000, 330000)),
        json.dumps({"type": "Polygon", "coordinates": [[[6, 50], [6.1]]]}),
    ],
)
def test_bad_boundaries_are_refused_with_one_clear_code(text: str) -> None:
    with pytest.raises(InvalidInput) as e:
        parse_areas(text, "zone")
    assert e.value.code == "crime_bad_boundaries"


def test_area_table_counts_incidents_and_cells() -> None:
    areas = parse_areas(json.dumps(AREAS), "zone")
    assert areas.names == ["Kerkrade", "Herzogenrath"]
    df = demo_frame(7, 8_000).filter(pl.col("iccs") == "05012")
    cells = hotspot_cells(df, HotspotSettings(resolution=8, permutations=99, seed=1))
    table = {a["area"]: a for a in area_table(df, cells, areas)}
    assert list(table) == ["Kerkrade", "Herzogenrath", OUTSIDE]
    assert sum(a["incidents"] for a in table.values()) == df.height
    lon, lat = df["longitude"], df["latitude"]
    in_k = ((lon >= 6.03) & (lon < HOT[1]) & (lat >= 50.84) & (lat <= 50.89)).sum()
    assert table["Kerkrade"]["incidents"] == in_k
    assert set(table["Kerkrade"]["by_country"]) <= {"NL", "DE", "BE"}
    assert table["Kerkrade"]["hot_cells"] > 0 and table["Herzogenrath"]["hot_cells"] > 0
    hot_total = int((cells["class"] == "hot").sum())
    assert sum(a["hot_cells"] for a in table.values()) == hot_total
    assert {"last_28_days", "year_to_date"} <= set(table["Herzogenrath"])


# --- API and page -----------------------------------------------------------------------------


@pytest.fixture
def node(make_nodes: Make) -> Iterator[tuple[TestClient, NodeContext]]:
    n, _ = make_nodes(Country.NL)[Country.NL]
    ctx = build(n)
    CrimeStore(ctx.engine).load(
        demo_frame(5, 6_000), source_name="t", source_format="canonical", rejected=0
    )
    with TestClient(create_app(ctx)) as client:
        yield client, ctx


def _auth(ctx: NodeContext, lang: str = "en") -> dict[str, str]:
    assert ctx.idp is not None
    token = ctx.idp.issue("ana", [Role.ANALYST])
    return {"Authorization": f"Bearer {token}", "Accept-Language": lang}


def test_api_names_classes_in_the_asked_language(node: tuple[TestClient, NodeContext]) -> None:
    client, ctx = node
    h = _auth(ctx)
    t = client.get("/api/v1/crime/trends", params={"level": 3, "lang": "de"}, headers=h).json()
    names = {c["iccs"]: c["label"] for c in t["classes"]}
    assert names["05012"] == "Wohnungseinbruchdiebstahl"
    t = client.get("/api/v1/crime/trends", params={"level": 3}, headers=h).json()
    assert {c["iccs"]: c["label"] for c in t["classes"]}["05012"].startswith("Burglary")
    s = client.get("/api/v1/crime/summary", params={"lang": "fr"}, headers=h).json()
    assert {c["iccs"]: c["label"] for c in s["iccs_classes"]}["05012"].startswith("Cambriolage")
    table = client.get("/api/v1/crime/iccs", params={"lang": "nl"}, headers=h).json()
    assert {c["code"]: c["name"] for c in table["classes"]}["0501"] == "Inbraak"
    assert client.get("/api/v1/crime/iccs", params={"lang": "xx"}, headers=h).status_code == 422


def test_report_and_page_name_classes_in_the_readers_language(
    node: tuple[TestClient, NodeContext],
) -> None:
    client, ctx = node
    h = _auth(ctx)
    for lang, name in (
        ("de", "Wohnungseinbruchdiebstahl"),
        ("fr", "Cambriolage de locaux d'habitation privés"),
        ("nl", "Inbraak in woningen"),
    ):
        r = client.get("/api/v1/crime/report", params={"lang": lang}, headers=h)
        assert name in r.text.replace("&#39;", "'"), lang
        assert "Burglary" not in r.text, lang
    from passerelle.crime.report import build as build_report
    from passerelle.crime.service import CrimeService, Query

    d = build_report(CrimeService(ctx.engine), Query("05012"), "de", 8)
    assert d["iccs_label"] == "Wohnungseinbruchdiebstahl"  # what the PDF prints
    pdf = client.get("/api/v1/crime/report", params={"lang": "fr", "format": "pdf"}, headers=h)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert ctx.idp is not None
    client.cookies.set("passerelle_session", ctx.idp.issue("ana", [Role.ANALYST]))
    client.cookies.set("passerelle_lang", "de")
    page = client.get("/crime")
    assert "05012 · Wohnungseinbruchdiebstahl" in page.text
    assert "Burglary of private" not in page.text
    panel = client.get("/crime/panel", params={"iccs": "05012"})
    assert "Einbruchdiebstahl" in panel.text and "· Burglary" not in panel.text


def test_boundaries_upload_map_layer_and_areas(node: tuple[TestClient, NodeContext]) -> None:
    client, ctx = node
    h = _auth(ctx, "de")
    empty = client.get("/api/v1/crime/boundaries", headers=h).json()
    assert empty["features"] == [] and empty["source"] is None
    assert client.get("/api/v1/crime/hotspots/areas", headers=h).json()["areas"] == []
    bad = client.put("/api/v1/crime/boundaries", content=b"{nope", headers=h)
    assert bad.status_code == 422
    err = bad.json()["error"]
    assert err["code"] == "crime_bad_boundaries" and "GeoJSON" in err["message"]
    assert err["message"] != iccs_english_error()  # translated (German)
    ok = client.put(
        "/api/v1/crime/boundaries",
        params={"name_property": "zone"},
        content=json.dumps(AREAS).encode(),
        headers=h,
    )
    assert ok.status_code == 200, ok.text
    assert ok.json()["names"] == ["Kerkrade", "Herzogenrath"]
    layer = client.get("/api/v1/crime/boundaries", headers=h).json()
    assert layer["source"] == "uploaded"
    assert [f["properties"]["name"] for f in layer["features"]] == ["Kerkrade", "Herzogenrath"]
    # a bad upload later leaves the good boundaries in force
    assert client.put("/api/v1/crime/boundaries", content=b"[]", headers=h).status_code == 422
    assert len(client.get("/api/v1/crime/boundaries", headers=h).json()["features"]) == 2
    areas = client.get(
        "/api/v1/crime/hotspots/areas",
        params={"iccs": "05012", "permutations": 99},
        headers=h,
    ).json()["areas"]
    by = {a["area"]: a for a in areas}
    assert by["Kerkrade"]["hot_cells"] > 0 and by["Herzogenrath"]["hot_cells"] > 0
    assert by["Kerkrade"]["incidents"] > 0 and "change_pct" in by["Kerkrade"]["last_28_days"]
    gj = client.get(
        "/api/v1/crime/hotspots", params={"iccs": "05012", "permutations": 99}, headers=h
    ).json()
    assert [a["area"] for a in gj["properties"]["areas"]][:2] == ["Kerkrade", "Herzogenrath"]
    report = client.get("/api/v1/crime/report", params={"lang": "de"}, headers=h).text
    assert "Brennpunkte pro Gebiet" in report and "Herzogenrath" in report
    pdf = client.get("/api/v1/crime/report", params={"lang": "nl", "format": "pdf"}, headers=h)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert ctx.idp is not None
    client.cookies.set("passerelle_session", ctx.idp.issue("ana", [Role.ANALYST]))
    client.cookies.set("passerelle_lang", "de")
    panel = client.get("/crime/panel", params={"iccs": "05012"})
    assert 'class="table crime-areas"' in panel.text and "Herzogenrath" in panel.text
    assert "Brennpunkte pro Gebiet" in panel.text
    assert 'id="areas-legend"' in client.get("/crime").text
    deleted = client.delete("/api/v1/crime/boundaries", headers=h).json()
    assert deleted == {"deleted": True, "source": None}
    assert client.get("/api/v1/crime/boundaries", headers=h).json()["features"] == []


def iccs_english_error() -> str:
    from passerelle.web.error_texts import ERROR_TEXTS

    return ERROR_TEXTS["crime_bad_boundaries"]


def test_configured_boundaries_are_used(
    make_nodes: Make, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "zones.geojson"
    path.write_text(json.dumps(AREAS), encoding="utf-8")
    n, _ = make_nodes(Country.NL)[Country.NL]
    ctx = build(n)
    ctx.settings.crime.boundaries = path
    ctx.settings.crime.boundaries_name_property = "zone"
    with TestClient(create_app(ctx)) as client:
        layer = client.get("/api/v1/crime/boundaries", headers=_auth(ctx)).json()
    assert layer["source"] == "configured"
    assert [f["properties"]["name"] for f in layer["features"]] == ["Kerkrade", "Herzogenrath"]
