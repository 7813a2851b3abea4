"""The simulator: real roads, deterministic traffic, national plate formats, OCR error rates."""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import polars as pl
import pytest

from passerelle.anpr.roads import CORRIDORS, all_cameras, compass, haversine_km
from passerelle.anpr.simulate import SimConfig, simulate
from passerelle.anpr.simulate_ocr import CONFUSIONS, misread
from passerelle.anpr.simulate_traffic import TZ
from passerelle.domain.countries import Country
from passerelle.domain.plates import parse_plate
from passerelle.ops.borders import Borders

START = dt.datetime(2026, 11, 23, 5, 0, tzinfo=dt.UTC)  # a Monday, 06:00 in Brussels


@pytest.fixture(scope="module")
def day() -> object:
    return simulate(SimConfig(seed=7, start=START, hours=24, scale=0.02))


def test_every_camera_stands_in_its_country_on_the_real_borders() -> None:
    borders = Borders.load()
    for corridor in CORRIDORS:
        for site in corridor.sites:
            assert borders.territory_at(site.lat, site.lon) == site.country, site.code
        countries = {s.country for s in corridor.sites}
        assert len(countries) >= 2, f"{corridor.road} does not cross a border"
        legs = [haversine_km(a.lat, a.lon, b.lat, b.lon)
                for a, b in zip(corridor.sites, corridor.sites[1:], strict=False)]  # fmt: skip
        assert all(0.5 < km < 60 for km in legs), corridor.road
    ids = [c.camera_id for c in all_cameras()]
    assert len(ids) == len(set(ids)) == 2 * sum(len(c.sites) for c in CORRIDORS)


def test_compass_and_haversine() -> None:
    assert compass(50.0, 5.0, 51.0, 5.0) == "N" and compass(50.0, 6.0, 50.0, 5.0) == "W"
    # Liège (Place Saint-Lambert) to Maastricht (Vrijthof): about 24 km
    assert 23 < haversine_km(50.6455, 5.5734, 50.8489, 5.6889) < 25


def test_same_seed_same_traffic_other_seed_other_traffic() -> None:
    a = simulate(SimConfig(seed=3, start=START, hours=2, scale=0.01))
    b = simulate(SimConfig(seed=3, start=START, hours=2, scale=0.01))
    c = simulate(SimConfig(seed=4, start=START, hours=2, scale=0.01))
    assert a.reads.equals(b.reads) and a.hotlist.equals(b.hotlist) and a.truth.equals(b.truth)
    assert not a.reads.equals(c.reads)


def test_plates_are_valid_national_plates(day: object) -> None:
    truth: pl.DataFrame = day.truth  # type: ignore[attr-defined]
    sample = truth.unique("true_plate").head(3000)
    fr = re.compile(r"[A-HJ-NP-TV-Z]{2}\d{3}[A-HJ-NP-TV-Z]{2}")
    seen = set()
    for plate, country in sample.select("true_plate", "true_country").iter_rows():
        seen.add(country)
        if country == "FR":
            assert fr.fullmatch(plate), plate
        else:
            parse_plate(Country(country), plate)  # raises when the format is wrong
    assert seen == {"BE", "NL", "LU", "DE", "FR"}


def test_reads_columns_window_and_countries(day: object) -> None:
    reads: pl.DataFrame = day.reads  # type: ignore[attr-defined]
    for col in ("read_id", "camera_id", "site", "lat", "lon", "direction", "read_at",
                "timestamp", "plate", "plate_country", "confidence", "image_ref"):  # fmt: skip
        assert col in reads.columns
    assert reads["read_id"].n_unique() == reads.height > 10_000
    assert reads["read_at"].min() >= START  # type: ignore[operator]
    assert reads["read_at"].max() < START + dt.timedelta(hours=24)  # type: ignore[operator]
    assert reads["read_at"].is_sorted()
    assert reads["confidence"].is_between(0, 1).all()
    only = simulate(SimConfig(seed=7, start=START, hours=1, scale=0.01, countries=("BE", "NL")))
    assert set(only.reads["camera_country"].unique()) == {"BE", "NL"}
    assert {c.country for c in only.cameras} == {"BE", "NL"}


def test_daily_curve_rush_hour_busier_than_night(day: object) -> None:
    reads: pl.DataFrame = day.reads  # type: ignore[attr-defined]
    hours = reads["read_at"].dt.convert_time_zone(TZ).dt.hour().value_counts()
    count = dict(zip(hours["read_at"], hours["count"], strict=True))
    assert count[8] > 5 * count[3]
    assert count[17] > 5 * count[3]


def test_ocr_error_rates_are_realistic(day: object) -> None:
    truth: pl.DataFrame = day.truth  # type: ignore[attr-defined]
    reads: pl.DataFrame = day.reads  # type: ignore[attr-defined]
    exact = (truth["error"] == "exact").mean()
    assert 0.88 < exact < 0.96  # type: ignore[operator]
    kinds = set(truth["error"].unique())
    assert kinds == {"exact", "confusion", "confusion2", "dropped", "extra", "remnant"}
    joined = reads.join(truth, on="read_id")
    ok = joined.filter(pl.col("error") == "exact")
    assert (ok["plate"] == ok["true_plate"]).all()
    bad = joined.filter(pl.col("error") != "exact")
    assert (bad["plate"] != bad["true_plate"]).mean() > 0.95  # type: ignore[operator]
    # misreads are on average less confident than exact reads
    assert bad["confidence"].mean() < ok["confidence"].mean() - 0.1  # type: ignore[operator]
    # the camera's country, where it gives one, is mostly right
    told = joined.filter(pl.col("plate_country").is_not_null())
    assert (told["plate_country"] == told["true_country"]).mean() > 0.93  # type: ignore[operator]


def test_misread_kinds() -> None:
    rng = np.random.default_rng(1)
    for _ in range(200):
        out = misread(rng, "1ABC234", "confusion")
        assert len(out) == 7 and sum(a != b for a, b in zip(out, "1ABC234", strict=True)) == 1
        diff = next(((a, b) for a, b in zip("1ABC234", out, strict=True) if a != b))
        assert diff[1] in CONFUSIONS[diff[0]]
        assert len(misread(rng, "1ABC234", "dropped")) == 6
        assert len(misread(rng, "1ABC234", "extra")) == 8
        assert 1 <= len(misread(rng, "1ABC234", "remnant")) <= 3


def test_hotlist_has_wanted_vehicles_on_the_road(day: object) -> None:
    from passerelle.anpr.hotlists_model import validate_entry

    sim = day
    hotlist: pl.DataFrame = sim.hotlist  # type: ignore[attr-defined]
    truth: pl.DataFrame = sim.truth  # type: ignore[attr-defined]
    wanted = hotlist.filter(pl.col("in_window"))
    assert wanted.height == 30 and hotlist.height > 300
    assert set(wanted["plate"]) <= set(truth["true_plate"])
    assert set(hotlist["owner"]) <= {"BE", "NL", "LU", "DE"}
    now = START
    for row in hotlist.head(50).iter_rows(named=True):
        entry = validate_entry({**row, "expires_at": row["expires_at"].isoformat()}, now=now,
                               max_days=365)  # fmt: skip
        assert entry.action in ("alert", "discreet_observation")
