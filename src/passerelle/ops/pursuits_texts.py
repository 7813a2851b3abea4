"""What people read about a pursuit, in their own language.

A notification travels between nodes as a message *code* and its parameters;
each control room renders it in its own language (``render``). The steps of a
timeline are rendered the same way for the export (``step_text``). Times are
shown in the region's local time (all four countries share Europe/Brussels).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

from passerelle.ops.pursuits import OUTCOME_TEXTS, Outcome
from passerelle.web import i18n
from passerelle.web.error_texts import N_

LOCAL = ZoneInfo("Europe/Brussels")

COUNTRY_NAMES = {
    "BE": N_("Belgium"),
    "NL": N_("Netherlands"),
    "LU": N_("Luxembourg"),
    "DE": N_("Germany"),
    "FR": N_("France"),
}
NOWHERE = N_("water or unknown")

MESSAGES = {
    "pursuit_entered": N_(
        "Cross-border pursuit ({origin}) entered your territory at {time}. Pursued: {subject}. "
        "Reason: {reason}. Units: {units}. Acknowledge this notification."
    ),
    "pursuit_left": N_("The pursuit ({origin}) left your territory at {time}; now in: {to}."),
    "pursuit_ended": N_("The pursuit ({origin}) ended at {time}. Outcome: {outcome}."),
}

STEP_TEXTS = {
    "opened": N_("Pursuit opened. Pursued: {subject}. Reason: {reason}. Units: {units}."),
    "position": N_("Position {lat}, {lon} ({territory})."),
    "position_late": N_("Position {lat}, {lon} ({territory}), received late: kept in time order."),
    "position_rejected": N_("Position {lat}, {lon}: {why}"),
    "crossing": N_("Crossed from {from} into {to}."),
    "notified": N_("Control room of {to} notified."),
    "not_notified": N_("No Passerelle node for {to}: inform its control room by phone."),
    "delivered": N_("Notification delivered to the node of {to}."),
    "acknowledged": N_("Acknowledged by the control room of {to} ({by})."),
    "escalated": N_("Not acknowledged by {to}: escalated ({n}); notification sent again."),
    "ended": N_("Pursuit ended. Outcome: {outcome}. {note}"),
}


def country_name(lang: str, code: str | None) -> str:
    if not code:
        return i18n.gettext(lang, NOWHERE)
    text = COUNTRY_NAMES.get(code)
    return i18n.gettext(lang, text) if text else code


def local_time(value: str | dt.datetime | None, *, date: bool = False) -> str:
    """``HH:MM:SS`` (or ``YYYY-MM-DD HH:MM:SS``) in local time; ``…`` when unknown."""
    if value is None:
        return i18n.MISSING
    try:
        at = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(value)
    except ValueError:
        return i18n.MISSING
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.UTC)
    return at.astimezone(LOCAL).strftime("%Y-%m-%d %H:%M:%S" if date else "%H:%M:%S")


def outcome_text(lang: str, value: str | None) -> str:
    try:
        return i18n.gettext(lang, OUTCOME_TEXTS[Outcome(value or "")])
    except ValueError:
        return value or i18n.MISSING


def _localise(lang: str, params: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(params)
    for key in ("origin", "from", "to", "territory"):
        if key in out:
            out[key] = country_name(lang, out[key])
    if "time" in out:
        out["time"] = local_time(out["time"])
    if "outcome" in out:
        out["outcome"] = outcome_text(lang, out["outcome"])
    if isinstance(out.get("units"), list):
        out["units"] = ", ".join(str(u) for u in out["units"]) or i18n.MISSING
    return out


def render(code: str, params: Mapping[str, Any], lang: str) -> str:
    """A notification's text in ``lang`` (an unknown code shows the code itself)."""
    text = MESSAGES.get(code)
    if text is None:
        return code
    return i18n.fill(i18n.gettext(lang, text), _localise(lang, params))


def all_languages(code: str, params: Mapping[str, Any]) -> dict[str, str]:
    return {lang: render(code, params, lang) for lang in i18n.LANGUAGES}


def step_text(step: str, data: Mapping[str, Any], lang: str) -> str:
    params = dict(data)
    if step == "position_rejected":
        params["why"] = i18n.error_message(lang, str(data.get("reason")), data.get("params") or {})
    if step == "ended" and not params.get("note"):
        params["note"] = ""
    text = STEP_TEXTS.get(step)
    if text is None:
        return step
    return i18n.fill(i18n.gettext(lang, text), _localise(lang, params)).strip()
