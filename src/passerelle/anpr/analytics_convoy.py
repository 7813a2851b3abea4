"""Convoys: vehicles seen together at several sites, more often than traffic explains.

1. **Co-occurrences.** Two plates co-occur when the same camera reads both
   within ``window_s``. Only plates seen themselves on ``min_occasions``
   occasions at ``min_sites`` sites take part (most vehicles drive past once).
   Reads are bucketed by time and joined on (camera, bucket) and (camera,
   next bucket), so the join never compares reads far apart in time.
2. **Occasions.** A pair's co-occurrences less than ``occasion_gap_s`` apart
   form one occasion (one journey together). Candidates need at least
   ``min_occasions`` occasions and ``min_sites`` distinct sites: two cars that
   happen to drive one stretch side by side make a single occasion.
3. **Correction for ordinary traffic.** Under independence, plate B passes
   camera c at time t at the rate λ_B,c(t) = n_B,c · N_c,h / (N_c · 3600):
   its own count at that camera spread over the camera's hourly traffic curve
   (N_c,h reads in the hour h of t, N_c in the window). For each occasion of A
   the chance that B is within ±window of one of A's reads by coincidence is
   at most p = min(1, Σ 2·window·λ_B,c(t)) (union bound, so conservative); the
   expected number of chance occasions is E = Σ p over A's occasions, taken
   the larger of the two directions (A→B, B→A). The observed count k is
   compared with Poisson(E): ``p_value = P(X ≥ k)``, ``lift = k / E``.
4. **Threshold.** Every pair of such plates that co-occurred at all was in
   effect tested (M pairs; those filtered out in step 2 count with p = 1). The
   Benjamini–Hochberg procedure at false-discovery rate ``fdr`` over those M
   p-values picks the convoys, which must also have ``lift ≥ min_lift``.
   Convoy pairs sharing a plate are merged into groups (connected
   components).
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl
from scipy.stats import poisson

from passerelle.anpr.analytics_clones import usable


@dataclass(frozen=True)
class ConvoySettings:
    window_s: float = 90.0
    min_occasions: int = 2
    min_sites: int = 3
    occasion_gap_s: float = 3600.0
    fdr: float = 0.05
    min_lift: float = 5.0
    min_confidence: float = 0.7
    min_plate_length: int = 4


def _prepared(reads: pl.DataFrame, s: ConvoySettings) -> pl.DataFrame:
    df = usable(
        reads.select(
            "read_id",
            "plate",
            "read_at",
            "camera_id",
            "site",
            "lat",
            "lon",
            *(["confidence"] if "confidence" in reads.columns else []),
        ),
        s.min_confidence,
        s.min_plate_length,
    )
    # integer ids: joins and sorts on millions of pairs are much cheaper than on text
    ids = {name: pl.col(col).cast(pl.Categorical).to_physical().cast(pl.Int64)
           for name, col in (("pid", "plate"), ("cid", "camera_id"), ("sid", "site"))}  # fmt: skip
    df = df.with_columns(t=pl.col("read_at").dt.epoch("ms") / 1000.0, **ids).sort("pid", "t")
    # one read per passage: the same plate at the same camera within the window counts once
    df = df.filter(
        (pl.col("t") - pl.col("t").shift(1).over("pid", "cid")).fill_null(1e18) > s.window_s
    )
    occ = (pl.col("t").diff().fill_null(1e18) > s.occasion_gap_s).cum_sum().over("pid")
    return df.with_columns(
        bucket=(pl.col("t") / s.window_s).floor().cast(pl.Int64),
        hour=(pl.col("t") / 3600.0).floor().cast(pl.Int64),
        occasion=occ,
    )


def co_occurrences(df: pl.DataFrame, window_s: float) -> pl.DataFrame:
    """Pairs of reads of two plates at one camera within ``window_s``: ids ``a`` < ``b``,
    the site id and the mean time."""
    left = df.select("pid", "cid", "sid", "bucket", "t")
    right = left.select(pl.col("pid").alias("other"), "cid", "bucket", pl.col("t").alias("t_other"))
    same = left.join(right, on=["cid", "bucket"]).filter(pl.col("pid") < pl.col("other"))
    nxt = left.join(right.with_columns(pl.col("bucket") - 1), on=["cid", "bucket"]).filter(
        pl.col("pid") != pl.col("other")
    )
    pairs = pl.concat([same, nxt]).filter((pl.col("t") - pl.col("t_other")).abs() <= window_s)
    return pairs.select(
        pl.min_horizontal("pid", "other").alias("a"),
        pl.max_horizontal("pid", "other").alias("b"),
        "sid",
        ((pl.col("t") + pl.col("t_other")) / 2).alias("t"),
    ).unique()


def _expected(
    df: pl.DataFrame, cand: pl.DataFrame, s: ConvoySettings, a: str, b: str
) -> pl.DataFrame:
    """E over the occasions of plate ``a`` of meeting plate ``b`` by chance."""
    cam_total = df.group_by("cid").agg(n_c=pl.len())
    cam_hour = df.group_by("cid", "hour").agg(n_ch=pl.len())
    n_bc = df.group_by("pid", "cid").agg(n_bc=pl.len()).rename({"pid": b})
    reads_a = df.select(pl.col("pid").alias(a), "cid", "hour", "occasion")
    rows = (
        cand.select("a", "b")
        .join(reads_a, on=a)
        .join(n_bc, on=[b, "cid"])
        .join(cam_total, on="cid")
        .join(cam_hour, on=["cid", "hour"])
        .with_columns(p=2 * s.window_s * pl.col("n_bc") * pl.col("n_ch") / (pl.col("n_c") * 3600.0))
    )
    per_occasion = rows.group_by("a", "b", "occasion").agg(
        p=pl.col("p").sum().clip(upper_bound=1.0)
    )
    return per_occasion.group_by("a", "b").agg(expected=pl.col("p").sum())


def pair_statistics(reads: pl.DataFrame, settings: ConvoySettings | None = None) -> pl.DataFrame:
    """Every candidate pair with occasions, sites, expected chance occasions, lift, p-value."""
    s = settings or ConvoySettings()
    df = _prepared(reads, s)
    # a plate seen on fewer occasions or at fewer sites than a convoy needs cannot be in one
    able = (
        df.group_by("pid")
        .agg(sites=pl.col("site").n_unique(), occasions=pl.col("occasion").n_unique())
        .filter((pl.col("sites") >= s.min_sites) & (pl.col("occasions") >= s.min_occasions))
    )
    pairs = co_occurrences(df.join(able.select("pid"), on="pid", how="semi"), s.window_s)
    per_pair = pairs.group_by("a", "b").agg(sites=pl.col("sid").n_unique())
    tested = per_pair.height
    keep = per_pair.filter(pl.col("sites") >= s.min_sites).select("a", "b")
    new_occasion = (pl.col("t").diff().fill_null(1e18) > s.occasion_gap_s).cast(pl.Int32)
    stats = (
        pairs.join(keep, on=["a", "b"], how="semi")
        .sort("a", "b", "t")
        .with_columns(occ=new_occasion.cum_sum().over("a", "b"))
        .group_by("a", "b")
        .agg(
            occasions=pl.col("occ").n_unique(),
            sites=pl.col("sid").n_unique(),
            together=pl.len(),
            first_at=pl.col("t").min(),
            last_at=pl.col("t").max(),
        )
        .filter((pl.col("occasions") >= s.min_occasions) & (pl.col("sites") >= s.min_sites))
    )
    names = df.select("pid", "plate").unique("pid")
    stats = (
        stats.join(names.rename({"pid": "a", "plate": "pa"}), on="a")
        .join(names.rename({"pid": "b", "plate": "pb"}), on="b")
        .with_columns(  # the ids follow first appearance; the answer orders plates by text
            plate_a=pl.min_horizontal("pa", "pb"), plate_b=pl.max_horizontal("pa", "pb")
        )
        .drop("pa", "pb")
    )
    if stats.is_empty():
        return stats.drop("a", "b").with_columns(
            expected=pl.lit(0.0),
            lift=pl.lit(0.0),
            p_value=pl.lit(1.0),
            tested=pl.lit(tested),
            convoy=pl.lit(False),
        )
    ab = _expected(df, stats, s, "a", "b").rename({"expected": "e_ab"})
    ba = _expected(df, stats, s, "b", "a").rename({"expected": "e_ba"})
    stats = (
        stats.join(ab, on=["a", "b"], how="left")
        .join(ba, on=["a", "b"], how="left")
        .with_columns(
            expected=pl.max_horizontal(
                pl.col("e_ab").fill_null(0), pl.col("e_ba").fill_null(0)
            ).clip(lower_bound=1e-9)
        )
        .drop("e_ab", "e_ba", "a", "b")
        .select("plate_a", "plate_b", pl.exclude("plate_a", "plate_b"))
    )
    k, e = stats["occasions"].to_numpy(), stats["expected"].to_numpy()
    stats = stats.with_columns(
        lift=(pl.col("occasions") / pl.col("expected")).round(1),
        p_value=pl.Series(poisson.sf(k - 1, e)),
        tested=pl.lit(tested),
    )
    stats = stats.sort("p_value").with_row_index("rank", offset=1)
    passing = stats.filter(pl.col("p_value") <= pl.col("rank") * s.fdr / max(1, tested))
    cut = int(passing["rank"].max() or 0) if passing.height else 0  # type: ignore[arg-type]
    return stats.with_columns(convoy=(pl.col("rank") <= cut) & (pl.col("lift") >= s.min_lift)).drop(
        "rank"
    )


def convoy_groups(pairs: pl.DataFrame) -> list[list[str]]:
    """Connected components of the convoy pairs, largest first (plates sorted)."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in pairs.filter(pl.col("convoy")).select("plate_a", "plate_b").iter_rows():
        parent[find(a)] = find(b)
    groups: dict[str, list[str]] = {}
    for x in list(parent):
        groups.setdefault(find(x), []).append(x)
    return sorted((sorted(g) for g in groups.values()), key=lambda g: (-len(g), g))


def detect_convoys(
    reads: pl.DataFrame, settings: ConvoySettings | None = None
) -> tuple[list[list[str]], pl.DataFrame]:
    """(convoy groups, the statistics of every candidate pair)."""
    pairs = pair_statistics(reads, settings)
    return convoy_groups(pairs), pairs
