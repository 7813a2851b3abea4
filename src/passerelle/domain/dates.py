"""Partial dates: a birth date whose month or day may be unknown.

Registers write them ``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY``. A partial date is
a real calendar date (or month, or year) and never lies in the future.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from passerelle.exc import InvalidInput

_PATTERN = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
MIN_YEAR = 1850


def _invalid(value: str, reason: str) -> InvalidInput:
    return InvalidInput(f"invalid date: {reason}", code="invalid_date", value=value, reason=reason)


@dataclass(frozen=True, order=True)
class PartialDate:
    """A date with an optional month and day (``day`` implies ``month``)."""

    year: int
    month: int | None = None
    day: int | None = None

    def __post_init__(self) -> None:
        text = str(self)
        if self.day is not None and self.month is None:
            raise _invalid(text, "day given without month")
        if not MIN_YEAR <= self.year <= 9999:
            raise _invalid(text, "year out of range")
        if self.month is not None and not 1 <= self.month <= 12:
            raise _invalid(text, "month out of range")
        if self.day is not None and self.month is not None:
            last = calendar.monthrange(self.year, self.month)[1]
            if not 1 <= self.day <= last:
                raise _invalid(text, "day out of range for the month")

    @classmethod
    def parse(cls, text: str, *, today: dt.date | None = None) -> PartialDate:
        """Parse ``YYYY[-MM[-DD]]``; refuse impossible and future dates."""
        value = text.strip()
        m = _PATTERN.fullmatch(value)
        if m is None:
            raise _invalid(value, "expected YYYY-MM-DD, YYYY-MM or YYYY")
        year, month, day = (int(g) if g is not None else None for g in m.groups())
        assert year is not None
        out = cls(year, month, day)
        if out.earliest() > (today or dt.date.today()):
            raise _invalid(value, "date in the future")
        return out

    @classmethod
    def from_date(cls, value: dt.date) -> PartialDate:
        return cls(value.year, value.month, value.day)

    @property
    def is_complete(self) -> bool:
        return self.day is not None

    def earliest(self) -> dt.date:
        """The first day this partial date may stand for."""
        return dt.date(self.year, self.month or 1, self.day or 1)

    def latest(self) -> dt.date:
        """The last day this partial date may stand for."""
        month = self.month or 12
        day = self.day or calendar.monthrange(self.year, month)[1]
        return dt.date(self.year, month, day)

    def to_date(self) -> dt.date | None:
        """The full date, or ``None`` when month or day is unknown."""
        return self.earliest() if self.is_complete else None

    def matches(self, other: PartialDate) -> bool:
        """True when both may denote the same day (unknown parts match anything)."""
        if self.year != other.year:
            return False
        if self.month is None or other.month is None:
            return True
        if self.month != other.month:
            return False
        return self.day is None or other.day is None or self.day == other.day

    def __str__(self) -> str:
        out = f"{self.year:04d}"
        if self.month is not None:
            out += f"-{self.month:02d}"
            if self.day is not None:
                out += f"-{self.day:02d}"
        return out


def parse_partial_date(text: str, *, today: dt.date | None = None) -> PartialDate:
    """Functional alias of :meth:`PartialDate.parse`."""
    return PartialDate.parse(text, today=today)


def parse_full_date(text: str, *, not_after: dt.date | None = None) -> dt.date:
    """Parse an ISO ``YYYY-MM-DD`` date, optionally refusing dates after ``not_after``."""
    value = text.strip()
    try:
        out = dt.date.fromisoformat(value) if len(value) == 10 else None
    except ValueError:
        out = None
    if out is None:
        raise _invalid(value, "expected a real date YYYY-MM-DD")
    if not_after is not None and out > not_after:
        raise _invalid(value, "date in the future")
    return out
