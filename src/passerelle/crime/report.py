"""The analyst's report: one page of the crime picture in FR, NL, DE or EN, as HTML or PDF.

The HTML report is self-contained (inline CSS, the hot cells drawn as inline SVG,
no script): it opens anywhere, offline. The PDF is drawn with fpdf2 (PyPI only)
in its core font, so text is kept to Latin-1.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import h3
import polars as pl
from fpdf import FPDF

from passerelle.crime import iccs
from passerelle.crime.areas import OUTSIDE
from passerelle.crime.nearrepeat import NearRepeatResult, NearRepeatSettings
from passerelle.crime.service import CrimeService, Query
from passerelle.exc import InvalidInput
from passerelle.web import i18n
from passerelle.web.error_texts import N_

NR = NearRepeatSettings(100.0, 4, 7, 4, "euclidean", 99, seed=1)
TITLE = N_("Crime picture")
T_CLASS = N_("Offence class (ICCS)")
T_PERIOD = N_("Time span")
T_INCIDENTS = N_("Incidents")
T_HOT = N_("Hot cells (Gi*, false-discovery rate 5 %)")
T_CROSS = N_("Hotspots that straddle the border")
T_NONE = N_("None found.")
T_NR = N_("Near repeat: observed over expected pairs (Knox ratio)")
T_NR_NOTE = N_("Rows: distance between two incidents; columns: days between them. Bold: p ≤ 0.05.")
T_TRENDS = N_("Trend: last 28 days against the 28 before, per country")
T_COUNTRY = N_("Country")
T_CHANGE = N_("Change")
T_GENERATED = N_("Generated on {date} by the Passerelle node. ICCS mapping version {version}.")
T_CELL = N_("Cell")
T_ALL = N_("all offences")
T_DAYS_RANGE = N_("{first}–{last} days")
T_DAYS_MORE = N_("≥ {n} days")
T_DAY = N_("day {n}")
T_AREAS = N_("Hotspots per area")
T_OUTSIDE = N_("outside every area")
T_HOT_CELLS = N_("Hot cells")
T_LAST28 = N_("Last 28 days")


def day_labels(nr: NearRepeatResult, lang: str) -> list[str]:
    """The near-repeat time bands in the reader's language ("0–6 days", "≥ 28 days")."""
    out = []
    for lo, hi in nr.column_intervals:
        a = int(lo)
        if math.isinf(hi):
            out.append(i18n.fill(i18n.gettext(lang, T_DAYS_MORE), {"n": a}))
        elif int(hi) - a == 1:
            out.append(i18n.fill(i18n.gettext(lang, T_DAY), {"n": a}))
        else:
            text = i18n.gettext(lang, T_DAYS_RANGE)
            out.append(i18n.fill(text, {"first": a, "last": int(hi) - 1}))
    return out


def _svg_cells(cells: pl.DataFrame, width: int = 520, height: int = 360) -> str:
    """The hot and cold cells (and the cells with incidents, faintly) as an inline SVG map."""
    shown = cells.filter((pl.col("count") > 0) | (pl.col("class") != ""))
    if shown.height == 0:
        return ""
    rings = {c: [(lon, lat) for lat, lon in h3.cell_to_boundary(c)] for c in shown["cell"]}
    lons = [p[0] for r in rings.values() for p in r]
    lats = [p[1] for r in rings.values() for p in r]
    kx = math.cos(math.radians(sum(lats) / len(lats)))
    x0, x1, y0, y1 = min(lons), max(lons), min(lats), max(lats)
    scale = min(width / ((x1 - x0) * kx or 1), height / ((y1 - y0) or 1))
    colour = {"hot": "#c0392b", "cold": "#2e86c1", "": "#d5d8dc"}
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img">']
    for row in shown.sort("class").iter_rows(named=True):
        pts = " ".join(
            f"{(lon - x0) * kx * scale:.1f},{height - (lat - y0) * scale:.1f}"
            for lon, lat in rings[row["cell"]]
        )
        parts.append(
            f'<polygon points="{pts}" fill="{colour[row["class"]]}" '
            'stroke="#fff" stroke-width="0.3"/>'
        )
    parts.append("</svg>")
    return "".join(parts)


def build(svc: CrimeService, q: Query, lang: str, resolution: int) -> dict[str, Any]:
    if lang not in i18n.LANGUAGES:
        raise InvalidInput(f"unknown language {lang!r}", code="crime_bad_language")
    cells, info = svc.hotspots(q, resolution=resolution, permutations=999)
    try:
        nr = svc.near_repeat(q, NR)
    except InvalidInput:
        nr = None
    trend = svc.trends(q, level=2, lang=lang)
    df = svc.incidents(q)
    hot = cells.filter(pl.col("class") == "hot").sort("z", descending=True).head(15)
    return {
        "lang": lang,
        "iccs": q.iccs,
        "iccs_label": iccs.label(q.iccs, lang) if q.iccs else None,
        "since": str(df["occurred_on"].min()) if df.height else "",
        "until": str(df["occurred_on"].max()) if df.height else "",
        "incidents": df.height,
        "per_country": dict(sorted(df.group_by("country").len().iter_rows())),
        "info": info,
        "hot": hot.to_dicts(),
        "svg": _svg_cells(cells),
        "nr": nr,
        "nr_columns": day_labels(nr, lang) if nr is not None else [],
        "trend": trend,
        "generated": dt.date.today().isoformat(),
        "version": iccs.version(),
    }


def report_html(svc: CrimeService, q: Query, lang: str, resolution: int) -> str:
    from passerelle.web.templating import env

    data = build(svc, q, lang, resolution)
    return env.get_template("crime_report.html").render(data)


def _latin1(text: str) -> str:
    text = text.replace("≤", "<=").replace("≥", ">=").replace("–", "-").replace("…", "...")
    return text.encode("latin-1", "replace").decode("latin-1")


def report_pdf(svc: CrimeService, q: Query, lang: str, resolution: int) -> bytes:
    d = build(svc, q, lang, resolution)

    def t(msg: str, **params: object) -> str:
        return _latin1(i18n.fill(i18n.gettext(lang, msg), params))

    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(0, 10, t(TITLE), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    klass = f"{d['iccs']} {d['iccs_label']}" if d["iccs"] else i18n.gettext(lang, T_ALL)
    pdf.cell(0, 6, f"{t(T_CLASS)}: {_latin1(klass)}", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 6, f"{t(T_PERIOD)}: {d['since']} - {d['until']}", new_x="LMARGIN", new_y="NEXT")
    per = ", ".join(f"{c} {n}" for c, n in d["per_country"].items())
    pdf.cell(0, 6, f"{t(T_INCIDENTS)}: {d['incidents']} ({per})", new_x="LMARGIN", new_y="NEXT")

    def heading(text: str) -> None:
        pdf.ln(3)
        pdf.set_font("Helvetica", "B", 12)
        pdf.cell(0, 8, text, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 9)

    heading(t(T_CROSS))
    if not d["info"]["cross_border"]:
        pdf.cell(0, 6, t(T_NONE), new_x="LMARGIN", new_y="NEXT")
    for c in d["info"]["cross_border"]:
        sides = ", ".join(f"{k} {v['incidents']}" for k, v in c["countries"].items())
        pdf.cell(
            0,
            6,
            f"#{c['cluster']}: {len(c['cells'])} {t(T_CELL)} - {sides}",
            new_x="LMARGIN",
            new_y="NEXT",
        )
    if d["info"].get("areas"):
        heading(t(T_AREAS))
        for a in d["info"]["areas"]:
            x = a["last_28_days"]
            pct = "-" if x["change_pct"] is None else f"{x['change_pct']:+.1f} %"
            name = t(T_OUTSIDE) if a["area"] == OUTSIDE else _latin1(a["area"])
            hot = f"{t(T_HOT_CELLS)} {a['hot_cells']}"
            line = f"{name}: {a['incidents']} - {hot} - {t(T_LAST28)} {x['current']} ({pct})"
            pdf.cell(0, 5, line, new_x="LMARGIN", new_y="NEXT")
    heading(t(T_HOT))
    for h in d["hot"]:
        pdf.cell(
            0,
            5,
            f"{h['cell']}   n={h['count']}   z={h['z']:.2f}   q={h['q']:.4f}",
            new_x="LMARGIN",
            new_y="NEXT",
        )
    nr = d["nr"]
    if nr is not None:
        heading(t(T_NR))
        pdf.multi_cell(0, 5, t(T_NR_NOTE), new_x="LMARGIN", new_y="NEXT")
        width = 180 / (len(nr.columns) + 1)
        pdf.cell(width, 6, "")
        for c in d["nr_columns"]:
            pdf.cell(width, 6, _latin1(c), border=1, align="C")
        pdf.ln()
        for name, ratios, ps in zip(nr.rows, nr.knox_ratio, nr.p_value, strict=True):
            pdf.set_font("Helvetica", "", 9)
            pdf.cell(width, 6, _latin1(name), border=1)
            for r, p in zip(ratios, ps, strict=True):
                pdf.set_font("Helvetica", "B" if p <= 0.05 else "", 9)
                pdf.cell(width, 6, "" if math.isnan(r) else f"{r:.2f}", border=1, align="R")
            pdf.ln()
    heading(t(T_TRENDS))
    for c in d["trend"]["classes"][:6]:
        for country, ch in c["by_country"].items():
            x = ch["last_28_days"]
            pct = "-" if x["change_pct"] is None else f"{x['change_pct']:+.1f} %"
            pdf.cell(
                0,
                5,
                _latin1(f"{c['iccs']} {c['label']} - {country}: {x['current']} ({pct})"),
                new_x="LMARGIN",
                new_y="NEXT",
            )
    pdf.ln(4)
    pdf.set_font("Helvetica", "I", 8)
    pdf.cell(
        0,
        5,
        t(T_GENERATED, date=d["generated"], version=d["version"]),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    return bytes(pdf.output())
