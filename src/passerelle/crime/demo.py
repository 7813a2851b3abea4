"""Load the synthetic Euregio incidents into a demo node's crime store (idempotent).

Every demo node gets the same shared picture (NL, BE and DE incidents), as an
expertise-centre node would hold it once partners share their incidents.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from pathlib import Path

import polars as pl

from passerelle.crime import iccs
from passerelle.crime.store import CrimeStore
from passerelle.crime.synth import generate_incidents
from passerelle.settings import load_settings
from passerelle.storage.db import create_engine, migrate

DEMO_INCIDENTS = 30_000


@functools.cache
def demo_frame(seed: int, total: int = DEMO_INCIDENTS) -> pl.DataFrame:
    """Synthetic incidents with their ICCS classes, ready for the store."""
    frame = generate_incidents(total, seed=seed)
    codes = zip(frame["country"], frame["offence_code"], strict=True)
    return frame.with_columns(
        pl.Series("iccs", [iccs.iccs_of(c, o) for c, o in codes], dtype=pl.String),
        pl.lit(None, dtype=pl.Date).alias("period_end"),
        pl.lit(None, dtype=pl.String).alias("municipality_code"),
    )


def load_demo_incidents(config: Path, seed: int, step: Callable[[str, int], None]) -> int:
    settings = load_settings(config)
    marker = settings.data_dir / "demo-crime.json"
    wanted = {"incidents": DEMO_INCIDENTS, "seed": seed, "iccs": iccs.version()}
    if marker.exists() and json.loads(marker.read_text()).get("source") == wanted:
        step(f"{settings.country}: incidents ready", 0)
        return int(json.loads(marker.read_text())["loaded"])
    step(f"{settings.country}: generating incidents", 0)
    frame = demo_frame(seed)
    engine = create_engine(settings.db_url)
    try:
        migrate(engine)
        loaded = CrimeStore(engine).load(
            frame,
            source_name=f"synth:crime:seed={seed}",
            source_format="canonical",
            rejected=0,
            replace=True,
        )
    finally:
        engine.dispose()
    marker.write_text(json.dumps({"source": wanted, "loaded": loaded}), encoding="utf-8")
    step(f"{settings.country}: incidents loaded", 0)
    return loaded
