"""A birth date as the resident register holds it: possibly with the month, or the month and
the day, unknown (生年月日不詳), written ``00`` on the card (docs/card.md, "Holder").

>>> BirthDate.from_digits("19800000").text("ja")
'1980年 月日不詳'
>>> BirthDate.from_digits("19800500").text("en")
'May 1980, day unknown'
>>> BirthDate.from_iso("1990-04-01").as_date()
datetime.date(1990, 4, 1)

The ISO 8601 text keeps the precision (``1980``, ``1980-05``, ``1980-05-01``); a complete
date reads like :meth:`datetime.date.isoformat`. Only a structurally broken value is
refused (:class:`ValueError`): not eight digits, year ``0000``, month above 12, a day
without a month, a day the month does not have.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Final

from .messages import check_lang

__all__ = ["BirthDate"]

_DIGITS: Final = re.compile(r"[0-9]{8}")
_ISO: Final = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?")
_MONTHS: Final = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


@dataclass(frozen=True, eq=False)
class BirthDate:
    """``year`` with ``month`` and ``day`` (``None``: unknown; a day needs a month).

    A complete birth date equals the :class:`datetime.date` of the same day (and hashes
    like it); a partial one equals only the same partial date.
    """

    year: int
    month: int | None = None
    day: int | None = None

    def __post_init__(self) -> None:
        for part in (self.year, self.month, self.day):
            if part is not None and (not isinstance(part, int) or isinstance(part, bool)):
                raise TypeError("a birth date's parts are integers")
        if not 1 <= self.year <= 9999:
            raise ValueError(f"year {self.year} is not a year")
        if self.month is None:
            if self.day is not None:
                raise ValueError("a day without a month is not a date")
            return
        if not 1 <= self.month <= 12:
            raise ValueError(f"month {self.month} does not exist")
        if self.day is not None:
            last = calendar.monthrange(self.year, self.month)[1]
            if not 1 <= self.day <= last:
                raise ValueError(f"{self.year}-{self.month:02d} has no day {self.day}")

    def __eq__(self, other: object) -> bool:
        if isinstance(other, BirthDate):
            return (self.year, self.month, self.day) == (other.year, other.month, other.day)
        if isinstance(other, date) and not isinstance(other, datetime):
            return self.as_date() == other
        return NotImplemented

    def __hash__(self) -> int:
        whole = self.as_date()
        return hash(whole) if whole is not None else hash((self.year, self.month, self.day))

    # -- reading -------------------------------------------------------------------------

    @classmethod
    def from_digits(cls, digits: str) -> BirthDate:
        """``YYYYMMDD`` with ``00`` for an unknown month or day (the card's form)."""
        if not isinstance(digits, str) or not _DIGITS.fullmatch(digits):
            raise ValueError(f"a birth date is 8 digits YYYYMMDD, not {digits!r}")
        month, day = int(digits[4:6]), int(digits[6:])
        return cls(int(digits[:4]), month or None, day or None)

    @classmethod
    def from_iso(cls, text: str) -> BirthDate:
        """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` (:meth:`isoformat`)."""
        m = _ISO.fullmatch(text) if isinstance(text, str) else None
        if m is None:
            raise ValueError(f"a birth date is YYYY, YYYY-MM or YYYY-MM-DD, not {text!r}")
        year, month, day = (None if g is None else int(g) for g in m.groups())
        assert year is not None
        return cls(year, month, day)

    @classmethod
    def of(cls, value: date | BirthDate) -> BirthDate:
        """``value`` as a birth date (a :class:`datetime.date` is a complete one)."""
        if isinstance(value, BirthDate):
            return value
        if isinstance(value, date):
            return cls(value.year, value.month, value.day)
        raise TypeError(f"expected a date or a BirthDate, not {type(value).__name__}")

    # -- what it is ------------------------------------------------------------------------

    @property
    def complete(self) -> bool:
        return self.day is not None

    def as_date(self) -> date | None:
        """The calendar date, ``None`` when the month or the day is unknown."""
        if self.month is None or self.day is None:
            return None
        return date(self.year, self.month, self.day)

    @property
    def first_day(self) -> date:
        """The earliest day it can be (for comparisons with era bounds)."""
        return date(self.year, self.month or 1, self.day or 1)

    @property
    def last_day(self) -> date:
        month = self.month or 12
        return date(self.year, month, self.day or calendar.monthrange(self.year, month)[1])

    def isoformat(self) -> str:
        """``1980``, ``1980-05`` or ``1980-05-01``."""
        text = f"{self.year:04d}"
        if self.month is not None:
            text += f"-{self.month:02d}"
            if self.day is not None:
                text += f"-{self.day:02d}"
        return text

    def digits(self) -> str:
        """The card's form: ``YYYYMMDD`` with ``00`` for what is unknown."""
        return f"{self.year:04d}{self.month or 0:02d}{self.day or 0:02d}"

    def __str__(self) -> str:
        return self.isoformat()

    def text(self, lang: str = "en") -> str:
        """For a person: ``1980年5月1日`` / ``1 May 1980``; ``1980年5月 日不詳`` /
        ``May 1980, day unknown``; ``1980年 月日不詳`` / ``1980, month and day unknown``."""
        if check_lang(lang) == "ja":
            if self.month is None:
                return f"{self.year}年 月日不詳"
            if self.day is None:
                return f"{self.year}年{self.month}月 日不詳"
            return f"{self.year}年{self.month}月{self.day}日"
        if self.month is None:
            return f"{self.year}, month and day unknown"
        if self.day is None:
            return f"{_MONTHS[self.month - 1]} {self.year}, day unknown"
        return f"{self.day} {_MONTHS[self.month - 1]} {self.year}"
