"""Retention periods: ISO 8601 durations with calendar months and years.

``Period.parse`` accepts ``P28D``, ``P12M``, ``P1Y6M``, ``PT36H``, ``P2W``,
the short forms ``28d``, ``12mo``, ``1y``, ``36h``, ``90m`` (minutes), ``30s``
and a plain number of days (``28``). ``0`` / ``PT0S`` means "delete at once".

Months and years are calendar units: the cut-off of ``P1M`` on 31 March is
28 (or 29) February at the same time of day, so "12 months" means what a
lawyer reads, not 360 days.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from passerelle.exc import InvalidInput

_ISO = re.compile(
    r"P(?:(?P<years>\d+)Y)?(?:(?P<months>\d+)M)?(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+)S)?)?",
    re.ASCII,
)
_SHORT = re.compile(r"(?P<n>\d+)(?P<unit>y|mo|w|d|h|m|s)", re.ASCII)
_SHORT_UNITS = {
    "y": ("months", 12),
    "mo": ("months", 1),
    "w": ("seconds", 7 * 86400),
    "d": ("seconds", 86400),
    "h": ("seconds", 3600),
    "m": ("seconds", 60),
    "s": ("seconds", 1),
}
MAX_DIGITS = 7


def _bad(value: object) -> InvalidInput:
    return InvalidInput(
        f"not a retention period: {str(value)[:40]!r} (use e.g. P28D, P12M, 28d, 12mo)",
        code="invalid_period",
        value=str(value)[:40],
    )


@dataclass(frozen=True, order=True)
class Period:
    """A retention period: whole calendar months plus a number of seconds."""

    months: int = 0
    seconds: int = 0

    @classmethod
    def parse(cls, value: str | int | Period) -> Period:
        if isinstance(value, Period):
            return value
        if isinstance(value, bool):
            raise _bad(value)
        if isinstance(value, int):
            if value < 0:
                raise _bad(value)
            return cls(seconds=value * 86400)
        text = value.strip()
        if not text or len(text) > 40:
            raise _bad(value)
        if not text.isascii():
            raise _bad(value)
        if text.isdigit():
            if len(text) > MAX_DIGITS:
                raise _bad(value)
            return cls.parse(int(text))
        iso = _ISO.fullmatch(text.upper())
        if iso and text.upper() not in ("P", "PT") and not text.upper().endswith("T"):
            parts = {k: int(v) for k, v in iso.groupdict().items() if v}
            if any(len(str(v)) > MAX_DIGITS for v in parts.values()):
                raise _bad(value)
            seconds = (
                parts.get("weeks", 0) * 7 * 86400
                + parts.get("days", 0) * 86400
                + parts.get("hours", 0) * 3600
                + parts.get("minutes", 0) * 60
                + parts.get("seconds", 0)
            )
            return cls(months=parts.get("years", 0) * 12 + parts.get("months", 0), seconds=seconds)
        months = seconds = 0
        pos = 0
        lowered = text.lower().replace(" ", "")
        for m in _SHORT.finditer(lowered):
            if m.start() != pos or len(m["n"]) > MAX_DIGITS:
                raise _bad(value)
            field, factor = _SHORT_UNITS[m["unit"]]
            if field == "months":
                months += int(m["n"]) * factor
            else:
                seconds += int(m["n"]) * factor
            pos = m.end()
        if pos != len(lowered) or pos == 0:
            raise _bad(value)
        return cls(months=months, seconds=seconds)

    @property
    def is_zero(self) -> bool:
        return self.months == 0 and self.seconds == 0

    def cutoff(self, now: dt.datetime) -> dt.datetime:
        """The moment before which a record is past this period (``now`` minus the period)."""
        return _minus_months(now, self.months) - dt.timedelta(seconds=self.seconds)

    def iso(self) -> str:
        """The canonical ISO 8601 form (``P1Y``, ``P28D``, ``PT0S``)."""
        if self.is_zero:
            return "PT0S"
        years, months = divmod(self.months, 12)
        days, rest = divmod(self.seconds, 86400)
        hours, rest = divmod(rest, 3600)
        minutes, seconds = divmod(rest, 60)
        date = "".join(f"{n}{u}" for n, u in ((years, "Y"), (months, "M"), (days, "D")) if n)
        time = "".join(f"{n}{u}" for n, u in ((hours, "H"), (minutes, "M"), (seconds, "S")) if n)
        return "P" + date + (f"T{time}" if time else "")

    def approx_days(self) -> float:
        """For sorting and display only: months count as 30.44 days."""
        return self.months * 30.436875 + self.seconds / 86400

    def __str__(self) -> str:
        return self.iso()


def _minus_months(moment: dt.datetime, months: int) -> dt.datetime:
    if months == 0:
        return moment
    index = moment.year * 12 + (moment.month - 1) - months
    year, month0 = divmod(index, 12)
    if year < dt.MINYEAR:
        return dt.datetime.min.replace(tzinfo=moment.tzinfo)
    day = min(moment.day, calendar.monthrange(year, month0 + 1)[1])
    return moment.replace(year=year, month=month0 + 1, day=day)
