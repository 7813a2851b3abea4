"""What the simulator plants in ordinary traffic: cloned plates, convoys, wanted vehicles.

* A **clone** is a second car carrying the plate of a car that drives in the
  window, on a corridor at least ``CLONE_MIN_KM`` away, starting within three
  minutes of each of the original's trips — no car can be at both places.
* A **convoy** is a group of cars that drive together (15–60 s apart, same
  speed) on several occasions, on corridors chosen at random.
* The **hotlist** holds vehicles that drive through the window and many that
  do not, with the category, action and contact a partner needs.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from passerelle.anpr.roads import CORRIDORS, haversine_km
from passerelle.anpr.simulate_traffic import Fleet, make_plates, start_times, trip_frame

CLONE_MIN_KM = 70.0
NODE_COUNTRIES = ("BE", "NL", "LU", "DE")
CATEGORIES = {  # category -> (share, action)
    "stolen_vehicle": (0.45, "alert"),
    "wanted_person": (0.20, "alert"),
    "case": (0.25, "discreet_observation"),
    "missing_person": (0.10, "alert"),
}
REASONS = {
    "stolen_vehicle": "vehicle reported stolen (simulation)",
    "wanted_person": "vehicle used by a wanted person (simulation)",
    "case": "vehicle of interest in a drug-trafficking case (simulation)",
    "missing_person": "vehicle of a missing person (simulation)",
}
INSTRUCTIONS = {
    "alert": "Intercept only with enough units; inform the owner's contact at once.",
    "discreet_observation": "Do not stop the vehicle. Note occupants and direction; report.",
}
CONTACTS = {
    "BE": "DRI / CIC Liège, +32 4 000 00 00 (demo)",
    "NL": "Meldkamer Politie Limburg, +31 43 000 0000 (demo)",
    "LU": "CIP Police grand-ducale, +352 0000 0000 (demo)",
    "DE": "Leitstelle PP Aachen, +49 241 0000 0000 (demo)",
}


def corridor_distance_km(a: int, b: int) -> float:
    """The shortest straight-line distance between any sites of two corridors."""
    return min(
        haversine_km(s.lat, s.lon, t.lat, t.lon)
        for s in CORRIDORS[a].sites
        for t in CORRIDORS[b].sites
    )


def _extend(fleet: Fleet, plate: np.ndarray, country: np.ndarray, corridor: np.ndarray) -> Fleet:
    return Fleet(
        np.concatenate([fleet.plate, plate]).astype(fleet.plate.dtype),
        np.concatenate([fleet.country, country]).astype(fleet.country.dtype),
        np.concatenate([fleet.corridor, corridor]).astype(np.int64),
        np.concatenate([fleet.weight, np.zeros(len(plate))]),
    )


def plant_clones(
    rng: np.random.Generator, trips: pl.DataFrame, fleet: Fleet, n: int
) -> tuple[pl.DataFrame, Fleet, list[str]]:
    motorway = [i for i, c in enumerate(CORRIDORS) if not c.local]
    eligible = (
        trips.filter(pl.col("corridor").is_in(motorway))
        .filter(pl.col("last") > pl.col("first"))
        .get_column("vehicle")
        .unique()
        .sort()
        .to_numpy()
    )
    eligible = eligible[np.isin(fleet.country[eligible], NODE_COUNTRIES)]
    sources = rng.choice(eligible, min(n, len(eligible)), replace=False) if n else eligible[:0]
    frames, plates = [trips], []
    new_plate: list[str] = []
    new_country: list[str] = []
    new_corridor: list[int] = []
    for source in sources:
        home = int(fleet.corridor[source])
        far = [b for b in motorway if corridor_distance_km(home, b) >= CLONE_MIN_KM]
        if not far:
            continue
        target = int(rng.choice(far))
        clone = len(fleet) + len(new_plate)
        own = trips.filter(pl.col("vehicle") == int(source)).head(3)
        k = len(CORRIDORS[target].sites)
        starts = np.maximum(0.0, own["start"].to_numpy() + rng.uniform(-180, 180, own.height))
        frames.append(
            trip_frame(
                rng,
                np.full(own.height, clone),
                target,
                rng.random(own.height) < 0.5,
                np.zeros(own.height, np.int64),
                np.full(own.height, k - 1),
                starts,
            )
        )
        new_plate.append(str(fleet.plate[source]))
        new_country.append(str(fleet.country[source]))
        new_corridor.append(target)
        plates.append(str(fleet.plate[source]))
    fleet = _extend(fleet, np.array(new_plate), np.array(new_country), np.array(new_corridor))
    return pl.concat(frames), fleet, plates


def plant_convoys(
    rng: np.random.Generator,
    trips: pl.DataFrame,
    fleet: Fleet,
    weights: np.ndarray,
    n: int,
    size: int,
    occasions: int,
) -> tuple[pl.DataFrame, Fleet, list[tuple[str, ...]]]:
    motorway = [i for i, c in enumerate(CORRIDORS) if not c.local]
    existing = set(fleet.plate.tolist())
    frames, groups = [trips], []
    new_plate: list[str] = []
    new_country: list[str] = []
    for _ in range(n):
        countries = np.array(rng.choice(["BE", "NL", "DE", "FR"], size, p=[0.4, 0.4, 0.1, 0.1]))
        plates = make_plates(rng, countries)
        while any(p in existing for p in plates):
            plates = make_plates(rng, countries)
        existing.update(plates.tolist())
        members = np.arange(size) + len(fleet) + len(new_plate)
        new_plate += plates.tolist()
        new_country += countries.tolist()
        groups.append(tuple(str(p) for p in plates))
        starts = np.sort(start_times(rng, weights, occasions))
        starts = (
            np.maximum.accumulate(starts - np.arange(occasions) * 5400.0)
            + np.arange(occasions) * 5400.0
        )  # occasions at least 90 minutes apart
        for start in starts:
            corridor = int(rng.choice(motorway))
            k = len(CORRIDORS[corridor].sites)
            gaps = np.concatenate([[0.0], np.cumsum(rng.uniform(15, 60, size - 1))])
            speed = rng.normal(108, 6) * (1 + rng.normal(0, 0.005, size))
            frames.append(
                trip_frame(
                    rng,
                    members,
                    corridor,
                    np.full(size, rng.random() < 0.5),
                    np.zeros(size, np.int64),
                    np.full(size, k - 1),
                    start + gaps,
                    speed,
                )
            )
    home = np.zeros(len(new_plate), dtype=np.int64)
    fleet = _extend(fleet, np.array(new_plate, dtype="U12"), np.array(new_country), home)
    return pl.concat(frames), fleet, groups


def plant_hotlist(
    rng: np.random.Generator,
    fleet: Fleet,
    seen: pl.DataFrame,
    wanted: int,
    unseen: int,
    start: dt.datetime,
    seed: int,
) -> pl.DataFrame:
    """Hotlist entries: ``wanted`` vehicles read in the window (``seen``: passages) and
    ``unseen`` others."""
    vehicles = seen.get_column("vehicle").unique().sort().to_numpy()
    chosen = (
        rng.choice(vehicles, min(wanted, len(vehicles)), replace=False) if wanted else vehicles[:0]
    )
    others_country = np.array(
        rng.choice(["BE", "NL", "DE", "LU", "FR"], unseen, p=[0.35, 0.35, 0.15, 0.1, 0.05])
    )
    others = make_plates(rng, others_country)
    keep = ~np.isin(others, fleet.plate)
    plate = np.concatenate([fleet.plate[chosen], others[keep]])
    country = np.concatenate([fleet.country[chosen], others_country[keep]])
    n = len(plate)
    owner = np.where(np.isin(country, NODE_COUNTRIES), country, rng.choice(["BE", "NL"], n))
    names = list(CATEGORIES)
    shares = np.array([CATEGORIES[c][0] for c in names])
    category = np.array(names)[rng.choice(len(names), n, p=shares)]
    expires = start + dt.timedelta(days=30)
    return pl.DataFrame(
        {
            "entry_id": [f"{o}-SIM{seed}-{i:05d}" for i, o in enumerate(owner)],
            "ref": [f"SIM{seed}-{i:05d}" for i in range(n)],
            "plate": plate,
            "plate_country": country,
            "owner": owner,
            "category": category,
            "action": [CATEGORIES[c][1] for c in category],
            "reason": [REASONS[c] for c in category],
            "assessment": ["individual assessment: proportionate to share (simulation)"] * n,
            "instruction": [INSTRUCTIONS[CATEGORIES[c][1]] for c in category],
            "contact": [CONTACTS[o] for o in owner],
            "expires_at": pl.Series([expires] * n, dtype=pl.Datetime("us", "UTC")),
            "in_window": np.arange(n) < len(chosen),
        }
    )
