"""Sharing incidents between nodes: signed, coarsened, small counts withheld, per partner."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import h3
import polars as pl
from fastapi.testclient import TestClient

from passerelle.auth.roles import Role
from passerelle.crime.demo import demo_frame
from passerelle.crime.sharing import prepare
from passerelle.crime.store import CrimeStore, IncidentFilter
from passerelle.domain.countries import Country
from passerelle.settings import CrimeShareSettings
from passerelle.web.app import create_app
from tests.conftest import LiveServer
from tests.node.conftest import build


def test_prepare_coarsens_and_suppresses() -> None:
    df = demo_frame(9, 3_000).filter(pl.col("country") == "BE")
    rule = CrimeShareSettings(min_count=3, resolution=8)
    shared, withheld = prepare(df, rule)
    assert withheld > 0 and shared.height + withheld == df.height
    lat_lon = zip(shared["latitude"], shared["longitude"], strict=True)
    cells = [h3.latlng_to_cell(a, o, 8) for a, o in lat_lon]
    for cell, lat, lon in zip(cells, shared["latitude"], shared["longitude"], strict=True):
        c_lat, c_lon = h3.cell_to_latlng(cell)
        assert abs(c_lat - lat) < 1e-6 and abs(c_lon - lon) < 1e-6  # a cell centre
    groups = (
        shared.with_columns(
            pl.Series("cell", cells),
            pl.col("iccs").fill_null("").str.slice(0, 4).alias("k"),
            pl.col("occurred_on").dt.truncate("1mo").alias("m"),
        )
        .group_by("cell", "k", "m")
        .len()
    )
    assert groups["len"].min() >= 3


def test_partner_pulls_what_the_provider_shares(
    make_nodes: Callable[..., dict[Country, Any]],
) -> None:
    nodes = make_nodes(Country.BE, Country.NL, Country.DE)
    be, _ = nodes[Country.BE]
    with be.config.open("a", encoding="utf-8") as fh:
        fh.write("\n[crime.share.NL]\nmin_count = 2\nresolution = 9\n")  # DE: nothing
    be_ctx = build(be)
    be_own = demo_frame(9, 3_000).filter(pl.col("country") == "BE")
    CrimeStore(be_ctx.engine).load(be_own, source_name="t", source_format="canonical", rejected=0)
    nl, _ = nodes[Country.NL]
    de, _ = nodes[Country.DE]
    nl_ctx, de_ctx = build(nl), build(de)
    with (
        LiveServer(create_app(be_ctx), be.port),
        LiveServer(create_app(de_ctx), de.port),
        TestClient(create_app(nl_ctx)) as client,
    ):
        assert nl_ctx.idp is not None
        h = {"Authorization": f"Bearer {nl_ctx.idp.issue('a', [Role.ANALYST])}"}
        out = client.post("/api/v1/crime/pull", headers=h).json()
        assert out["BE"]["status"] == "ok"
        assert out["BE"]["loaded"] + out["BE"]["withheld"] == be_own.height
        assert out["BE"]["resolution"] == 9
        # DE has no [crime.share.NL]: it refuses
        assert out["DE"]["status"] == "error" and out["DE"]["detail"] == "crime_share_refused"
        got = CrimeStore(nl_ctx.engine).frame(IncidentFilter(countries=("BE",)))
        assert got.height == out["BE"]["loaded"] > 0
        # coordinates are cell centres, not the incidents' own
        assert not set(got["latitude"].to_list()) & set(be_own["latitude"].to_list())
        assert client.post("/api/v1/crime/pull").status_code == 401
