"""Trends: counts over time per ICCS class and area, 28-day and year-to-date change, seasonality."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl

from passerelle.crime import iccs

WINDOW = 28


def _change(now: int, before: int) -> dict[str, Any]:
    pct = None if before == 0 else round(100.0 * (now - before) / before, 1)
    return {"current": now, "previous": before, "change": now - before, "change_pct": pct}


def _count(df: pl.DataFrame, lo: dt.date, hi: dt.date) -> int:
    return int(df.filter(pl.col("occurred_on").is_between(lo, hi)).height)


def period_changes(df: pl.DataFrame, as_of: dt.date) -> dict[str, Any]:
    """The last 28 days against the 28 before; year to date against the same days last year."""
    d28 = _change(
        _count(df, as_of - dt.timedelta(days=WINDOW - 1), as_of),
        _count(df, as_of - dt.timedelta(days=2 * WINDOW - 1), as_of - dt.timedelta(days=WINDOW)),
    )
    jan1 = as_of.replace(month=1, day=1)
    try:
        last_year = as_of.replace(year=as_of.year - 1)
    except ValueError:  # 29 February
        last_year = as_of.replace(year=as_of.year - 1, day=28)
    ytd = _change(_count(df, jan1, as_of), _count(df, jan1.replace(year=jan1.year - 1), last_year))
    return {"last_28_days": d28, "year_to_date": ytd}


def seasonality(df: pl.DataFrame) -> dict[str, Any]:
    """Monthly index (mean count of a calendar month over the mean month; 1 = average)
    and weekday shares."""
    if df.height == 0:
        return {"monthly_index": [None] * 12, "weekday_share": [None] * 7}
    per_month = (
        df.group_by(
            pl.col("occurred_on").dt.year().alias("y"), pl.col("occurred_on").dt.month().alias("m")
        )
        .len()
        .group_by("m")
        .agg(pl.col("len").mean().alias("mean"))
    )
    means = {int(m): float(v) for m, v in per_month.iter_rows()}
    overall = sum(means.values()) / len(means)
    monthly = [round(means[m] / overall, 3) if m in means else None for m in range(1, 13)]
    wd = df.group_by(pl.col("occurred_on").dt.weekday().alias("d")).len()
    counts = {int(d): int(n) for d, n in wd.iter_rows()}
    total = sum(counts.values())
    return {
        "monthly_index": monthly,
        "weekday_share": [round(counts.get(d, 0) / total, 3) for d in range(1, 8)],
    }


def series(
    df: pl.DataFrame, every: str = "1w", by: tuple[str, ...] = ("country",)
) -> list[dict[str, Any]]:
    """Counts per period (``1w`` weeks from Monday, ``1mo`` months) and group."""
    if df.height == 0:
        return []
    out = (
        df.sort("occurred_on")
        .group_by_dynamic("occurred_on", every=every, group_by=list(by))
        .agg(pl.len().alias("count"))
        .sort("occurred_on")
    )
    return [
        {**{k: r[k] for k in by}, "period": str(r["occurred_on"]), "count": int(r["count"])}
        for r in out.iter_rows(named=True)
    ]


def trends(
    df: pl.DataFrame,
    *,
    as_of: dt.date | None = None,
    level: int = 2,
    every: str = "1w",
    area: str | None = None,
    lang: str | None = None,
) -> dict[str, Any]:
    """Changes per ICCS class (at ``level``) and country, the series and the seasonality.

    With ``area`` (a column, e.g. from ``areas.assign_areas``) the changes and the series
    are given per area too (``by_area``). ``lang``: the language of the class names."""
    if as_of is None:
        last = df["occurred_on"].max() if df.height else None
        as_of = last if isinstance(last, dt.date) else dt.date.today()
    n = {1: 2, 2: 4, 3: 5, 4: 6}[level]
    df = df.with_columns(pl.col("iccs").str.slice(0, n).alias("class"))
    classes = []
    for (cls,), part in sorted(df.group_by(["class"]), key=lambda kv: str(kv[0][0])):
        per_country = {
            str(c): period_changes(p, as_of)
            for (c,), p in sorted(part.group_by(["country"]), key=lambda kv: str(kv[0][0]))
        }
        entry: dict[str, Any] = {
            "iccs": cls,
            "label": iccs.label(cls if isinstance(cls, str) else None, lang),
            "total": period_changes(part, as_of),
            "by_country": per_country,
        }
        if area is not None:
            entry["by_area"] = {
                str(a): period_changes(p, as_of)
                for (a,), p in sorted(part.group_by([area]), key=lambda kv: str(kv[0][0]))
            }
        classes.append(entry)
    out = {
        "as_of": str(as_of),
        "level": level,
        "overall": period_changes(df, as_of),
        "classes": classes,
        "series": series(df, every),
        "seasonality": seasonality(df),
    }
    if area is not None:
        out["series_by_area"] = series(df, every, by=(area,))
    return out
