"""The end-of-action report: the figures and a map, in two (or all four) languages.

By default bilingual: the organiser's language and the first partner's that
differs from it (``langs=fr,nl`` chooses, ``langs=all`` gives FR, NL, DE, EN).
The same report follows once per language. HTML is self-contained (inline CSS
and SVG map, no script); the PDF is drawn with fpdf2 in its core font (Latin-1)
with the map drawn by its primitives. The report holds aggregates only: no
personal data.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from fpdf import FPDF

from passerelle.exc import InvalidInput
from passerelle.ops import action_texts as tx
from passerelle.ops.actions import Action
from passerelle.ops.actions_map import draw_pdf, svg
from passerelle.web import i18n
from passerelle.web.error_texts import N_

if TYPE_CHECKING:
    from passerelle.ops.actions_service import ActionService

TITLE = N_("Joint action report")
T_ORGANISER = N_("Organised by")
T_PERIOD = N_("Period of the action")
T_PARTICIPANTS = N_("Participants")
T_OBJECTIVES = N_("Objectives")
T_TOTALS = N_("Totals")
T_BY_COUNTRY = N_("Per country")
T_BY_CHECKPOINT = N_("Per checkpoint")
T_BY_HOUR = N_("Per hour")
T_SEIZURES = N_("Seizures by type")
T_MAP = N_("Checkpoints (circle size: persons checked)")
T_COUNTRY = N_("Country")
T_CHECKPOINT = N_("Checkpoint")
T_HOUR = N_("Hour")
T_TYPE = N_("Type")
T_TOTAL = N_("Total")
T_NONE = N_("None.")
T_NOTE = N_(
    "Figures: the aggregates agreed in the plan, as received by the node of {country} on "
    "{date}. Raw records stay with each country."
)


def parse_languages(value: str | None, action: Action) -> list[str]:
    if value and value.strip().lower() == "all":
        return list(i18n.LANGUAGES)
    if value:
        langs = [x.strip().lower() for x in value.split(",") if x.strip()]
        if not langs or len(langs) > 4 or any(x not in i18n.LANGUAGES for x in langs):
            raise InvalidInput(
                "languages: up to four of fr, nl, de, en, or all",
                code="action_report_languages",
                allowed=", ".join(i18n.LANGUAGES),
            )
        return list(dict.fromkeys(langs))
    first = tx.LANGUAGE_OF.get(action.organiser, "en")
    partner = next(
        (tx.LANGUAGE_OF[c] for c in action.countries if tx.LANGUAGE_OF.get(c, first) != first),
        "en" if first != "en" else "fr",
    )
    return [first, partner]


def _columns(board: dict[str, Any]) -> list[str]:
    return [k for k in board["totals"] if k != "seizures"]


def _rows(lang: str, part: dict[str, dict[str, Any]], columns: list[str]) -> list[list[str]]:
    return [
        [name] + [tx.number(lang, e.get(c, 0), 2 if c == "fines_amount" else 0) for c in columns]
        for name, e in part.items()
    ]


def part(action: Action, board: dict[str, Any], lang: str) -> dict[str, Any]:
    """Everything one language's part of the report shows."""
    columns = _columns(board)
    where = action.organiser
    cps = {c.checkpoint_id: c for c in action.checkpoints}
    by_country = {tx.country(lang, k): v for k, v in board["by_country"].items()}
    by_cp = {f"{k} {cps[k].name}" if k in cps else k: v for k, v in board["by_checkpoint"].items()}
    by_hour = {tx.hour(lang, k, where): v for k, v in board["by_hour"].items()}
    seizures: dict[tuple[str, str], dict[str, float]] = {}
    for code, e in board["by_country"].items():
        for s in e.get("seizures", []):
            seizures.setdefault((s["type"], s["unit"]), {})[code] = s["quantity"]
    countries = list(board["by_country"])
    seizure_rows = [
        [tx.label(lang, tx.SEIZURE_TEXTS, k), tx.label(lang, tx.UNIT_TEXTS, u)]
        + [tx.quantity(lang, per.get(c, 0)) for c in countries]
        + [tx.quantity(lang, sum(per.values()))]
        for (k, u), per in sorted(seizures.items())
    ]
    return {
        "lang": lang,
        "title": tx.t(lang, TITLE),
        "action": action,
        "organiser": tx.country(lang, action.organiser),
        "period": " – ".join(tx.when(lang, m, where) for m in (action.starts_at, action.ends_at)),
        "participants": [
            (
                tx.country(lang, p.country),
                ", ".join(tx.label(lang, tx.SERVICE_TEXTS, s.value) for s in p.services),
            )
            for p in action.participants
        ],
        "headers": [tx.label(lang, tx.FIGURE_TEXTS, c) for c in columns],
        "totals": _rows(lang, {tx.t(lang, T_TOTAL): board["totals"]}, columns),
        "by_country": _rows(lang, by_country, columns),
        "by_checkpoint": _rows(lang, by_cp, columns),
        "by_hour": _rows(lang, by_hour, columns),
        "seizure_countries": [tx.country(lang, c) for c in countries],
        "seizures": seizure_rows,
        "with_seizures": "seizures" in board["totals"],
        "note": tx.t(
            lang, T_NOTE, country=tx.country(lang, board["node"]), date=tx.when(lang, _now(), where)
        ),
    }


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _persons(board: dict[str, Any]) -> dict[str, int]:
    per = board["by_checkpoint"]
    return {k: int(v.get("persons_checked", v.get("results", 0))) for k, v in per.items()}


def report_html(service: ActionService, action: Action, langs: list[str]) -> str:
    from passerelle.web.templating import env

    board = service.board(action.action_id)
    map_svg = svg(action, _persons(board))
    sections = [
        env.get_template("_action_report_part.html").render(
            {**part(action, board, lang), "svg": map_svg, "T": _texts(lang)}
        )
        for lang in langs
    ]
    return env.get_template("action_report.html").render(
        {"lang": langs[0], "name": action.name, "sections": sections}
    )


def _texts(lang: str) -> dict[str, str]:
    names = {
        "organiser": T_ORGANISER, "period": T_PERIOD, "participants": T_PARTICIPANTS,
        "objectives": T_OBJECTIVES, "totals": T_TOTALS, "by_country": T_BY_COUNTRY,
        "by_checkpoint": T_BY_CHECKPOINT, "by_hour": T_BY_HOUR, "seizures": T_SEIZURES,
        "map": T_MAP, "country": T_COUNTRY, "checkpoint": T_CHECKPOINT, "hour": T_HOUR,
        "type": T_TYPE, "total": T_TOTAL, "none": T_NONE, "unit": N_("Unit"),
    }  # fmt: skip
    return {k: tx.t(lang, v) for k, v in names.items()}


def _latin1(text: str) -> str:
    text = text.replace("–", "-").replace("…", "...").replace("\u202f", " ").replace("\xa0", " ")
    return text.encode("latin-1", "replace").decode("latin-1")


def _table(pdf: FPDF, header: list[str], rows: list[list[str]], first: float = 50) -> None:
    rest = (pdf.epw - first) / max(1, len(header) - 1)
    widths = [first] + [rest] * (len(header) - 1)
    pdf.set_font("Helvetica", "B", 7)
    for text, w in zip(header, widths, strict=True):
        pdf.cell(w, 5, _latin1(text)[:40], border=1, align="C")
    pdf.ln()
    pdf.set_font("Helvetica", "", 7)
    for row in rows:
        for i, (text, w) in enumerate(zip(row, widths, strict=True)):
            pdf.cell(w, 4.5, _latin1(text)[:48], border=1, align="L" if i == 0 else "R")
        pdf.ln()


def report_pdf(service: ActionService, action: Action, langs: list[str]) -> bytes:
    board = service.board(action.action_id)
    persons = _persons(board)
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(True, margin=12)
    pdf.set_title(_latin1(action.name))
    for lang in langs:
        d, T = part(action, board, lang), _texts(lang)  # noqa: N806
        pdf.add_page()
        pdf.set_font("Helvetica", "B", 15)
        pdf.cell(0, 9, _latin1(f"{d['title']}: {action.name}"), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 9)
        for key, text in ((T["organiser"], d["organiser"]), (T["period"], d["period"])):
            pdf.cell(0, 5, _latin1(f"{key}: {text}"), new_x="LMARGIN", new_y="NEXT")
        who = "; ".join(f"{c} ({s})" for c, s in d["participants"])
        pdf.multi_cell(0, 5, _latin1(f"{T['participants']}: {who}"), new_x="LMARGIN", new_y="NEXT")
        for goal in action.objectives:
            pdf.multi_cell(0, 5, _latin1(f"- {goal}"), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
        draw_pdf(pdf, action, persons, pdf.l_margin, pdf.get_y(), pdf.epw, 95)
        pdf.set_y(pdf.get_y() + 97)
        pdf.set_font("Helvetica", "I", 7)
        pdf.cell(0, 4, _latin1(T["map"]), new_x="LMARGIN", new_y="NEXT")
        sections = (
            (T["totals"], "", d["totals"]),
            (T["by_country"], T["country"], d["by_country"]),
            (T["by_checkpoint"], T["checkpoint"], d["by_checkpoint"]),
            (T["by_hour"], T["hour"], d["by_hour"]),
        )
        for heading, first, rows in sections:
            pdf.set_font("Helvetica", "B", 11)
            pdf.cell(0, 8, _latin1(heading), new_x="LMARGIN", new_y="NEXT")
            _table(pdf, [first, *d["headers"]], rows)
        if d["with_seizures"]:
            pdf.set_font("Helvetica", "B", 11)
            pdf.cell(0, 8, _latin1(T["seizures"]), new_x="LMARGIN", new_y="NEXT")
            header = [T["type"], T["unit"], *d["seizure_countries"], T["total"]]
            if d["seizures"]:
                _table(pdf, header, d["seizures"], first=35)
            else:
                pdf.cell(0, 5, _latin1(T["none"]), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)
        pdf.set_font("Helvetica", "I", 7)
        pdf.multi_cell(0, 4, _latin1(d["note"]), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
