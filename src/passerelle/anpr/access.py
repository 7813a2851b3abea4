"""Lawful access to stored camera reads, by jurisdiction (DESIGN.md, docs/anpr.md).

``lawful_window(country, now, legal_ref)`` is the time range of stored reads an
officer of ``country``'s node may search with the given legal reference:

| country | window | needs |
|---|---|---|
| NL | the 28-day retention period | the reference of the prosecutor's order |
| LU | as NL | as NL |
| BE | the last month | a justification (given with the search) |
| BE | 12 months | the reference of the procureur du Roi's written decision |
| DE | the retention period of hit reads | — (only hits are ever stored) |

Without the reference a node that requires one raises ``Forbidden`` with a
translated code (``anpr_legal_ref_required``); ``check_range`` then refuses a
requested range that starts before the window (``anpr_decision_required`` for
BE, ``anpr_outside_window`` otherwise).
"""

from __future__ import annotations

import datetime as dt

from passerelle.domain.countries import Country
from passerelle.exc import Forbidden, InvalidInput
from passerelle.retention.catalogue import ANPR_READS
from passerelle.retention.period import Period

BE_WITHOUT_DECISION = Period.parse("P1M")
MIN_REF = 3
MAX_REF = 200
NEEDS_REF = frozenset({Country.NL, Country.LU})


def clean_ref(legal_ref: str | None) -> str | None:
    """A legal reference as given, trimmed; ``None`` when empty; too short/long refused."""
    if legal_ref is None or not legal_ref.strip():
        return None
    ref = " ".join(legal_ref.split())
    if not MIN_REF <= len(ref) <= MAX_REF:
        raise InvalidInput(
            "the legal reference must be 3 to 200 characters", code="anpr_legal_ref_invalid"
        )
    return ref


def retention_period(country: Country) -> Period:
    return Period.parse(ANPR_READS[country][0])


def lawful_window(
    country: Country,
    now: dt.datetime,
    legal_ref: str | None,
    *,
    period: Period | None = None,
) -> tuple[dt.datetime, dt.datetime]:
    """``(since, until)``: the stored reads this legal reference opens, ``until`` = ``now``.

    ``period`` is the node's retention period of reads (default: the jurisdiction's).
    """
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    ref = clean_ref(legal_ref)
    kept = period or retention_period(country)
    since = kept.cutoff(now)
    if country in NEEDS_REF and ref is None:
        raise Forbidden(
            f"{country.value}: searching stored camera reads needs the prosecutor's order",
            code="anpr_legal_ref_required",
            country=country.value,
        )
    if country is Country.BE and ref is None:
        since = max(since, BE_WITHOUT_DECISION.cutoff(now))
    return since, now


def check_range(
    country: Country,
    now: dt.datetime,
    legal_ref: str | None,
    since: dt.datetime,
    until: dt.datetime,
    *,
    period: Period | None = None,
) -> tuple[dt.datetime, dt.datetime]:
    """The requested range, if it lies within the lawful window; ``Forbidden`` otherwise."""
    if since.tzinfo is None or until.tzinfo is None:
        raise InvalidInput("the time range needs a time zone", code="anpr_bad_range")
    if since >= until:
        raise InvalidInput("the time range is empty", code="anpr_bad_range")
    low, high = lawful_window(country, now, legal_ref, period=period)
    if since < low:
        if (
            country is Country.BE
            and clean_ref(legal_ref) is None
            and since >= ((period or retention_period(country)).cutoff(now))
        ):
            raise Forbidden(
                "BE: reads older than one month need the procureur du Roi's decision",
                code="anpr_decision_required",
            )
        raise Forbidden(
            "the time range starts before the lawful window",
            code="anpr_outside_window",
            since=low.isoformat(timespec="seconds"),
        )
    return since, min(until, high)


def retro_window(
    country: Country, now: dt.datetime, *, period: Period | None = None
) -> tuple[dt.datetime, dt.datetime]:
    """The stored reads a *new hotlist entry* is compared against (retro-matching).

    An automated comparison against an entry shared after an individual assessment,
    not an officer's search: NL and LU the whole retention period, BE the first
    month only (older reads need the procureur du Roi's decision, case by case),
    DE the stored hit reads.
    """
    since, until = lawful_window(country, now, "hotlist entry", period=period)
    if country is Country.BE:
        since = max(since, BE_WITHOUT_DECISION.cutoff(now))
    return since, until
