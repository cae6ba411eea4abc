"""The fictional card holders of the mock card and the dates their certificates carry.

:class:`Holder` is the basic four (基本4情報) the text AP and the signature certificate
record, :class:`Municipality` the issuing city named in the signature certificate,
:func:`encode_birth_date` the certificate's ``EYYYYMMDD`` birth date (era digit, then the
Gregorian date) and :func:`validity_end` the end of a card's certificates: the holder's
5th birthday after issue. The sources are in :mod:`mock_card.certprofile`'s docstring.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from enum import StrEnum
from typing import Final

from jpki.timeutil import JST, aware

__all__ = [
    "DEFAULT_HOLDER",
    "MOCK_MUNICIPALITY",
    "CardProfile",
    "Holder",
    "Municipality",
    "Sex",
    "decode_birth_date",
    "encode_birth_date",
    "substitute_flags",
    "validity_end",
]


class Sex(StrEnum):
    """Sex as the text AP and the signature certificate record it."""

    MALE = "1"
    FEMALE = "2"
    NOT_APPLICABLE = "9"


class CardProfile(StrEnum):
    """What state the issued certificates are in relative to ``now``."""

    VALID = "valid"
    EXPIRED = "expired"
    NOT_YET_VALID = "not-yet-valid"
    REVOKED = "revoked"


def substitute_flags(value: str) -> str:
    """Flags saying no character of ``value`` is a substitute character: one ``0`` each."""
    return "0" * len(value)


@dataclass(frozen=True)
class Holder:
    """The basic four (基本4情報) of a fictional card holder.

    ``name_flags`` / ``address_flags`` are the substitute-character position
    strings (氏名/住所代替文字の使用位置情報): one digit per character of the
    value, ``1`` where the character was replaced by a substitute character
    because it is outside JIS levels 1/2 and the supplementary kanji, ``0``
    elsewhere. Left empty they default to all ``0`` (no substitutes). They are
    not validated, so tests can build malformed ones.

    ``birth_date_code`` is the certificate's ``EYYYYMMDD`` as written, for holders the
    register knows only in part (``019800000``: era unknown, month and day unknown) or
    with an era digit that disagrees; empty: :func:`encode_birth_date` of ``birth_date``
    (which still sets the validity). The text AP gets its last 8 digits.
    """

    name: str = "見本 花子"
    address: str = "架空県見本市試験町一丁目2番3号"
    birth_date: date = date(1990, 4, 1)
    sex: Sex = Sex.FEMALE
    name_flags: str = ""
    address_flags: str = ""
    birth_date_code: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "sex", Sex(self.sex))
        if not self.birth_date_code:
            object.__setattr__(self, "birth_date_code", encode_birth_date(self.birth_date))
        if not self.name_flags:
            object.__setattr__(self, "name_flags", substitute_flags(self.name))
        if not self.address_flags:
            object.__setattr__(self, "address_flags", substitute_flags(self.address))


@dataclass(frozen=True)
class Municipality:
    """The issuing municipality, as it appears in the signature cert's subject and CRL DP.

    ``code`` is the 5-digit local government code (prefecture 2 + city 3);
    ``prefecture`` and ``city`` are romanised like real certificates
    (``Tokyo-to``, ``Kiyose-shi``).
    """

    code: str
    prefecture: str
    city: str


#: A municipality that does not exist: prefecture code 99 is unassigned.
MOCK_MUNICIPALITY: Final = Municipality(code="99999", prefecture="Kaku-ken", city="Mihon-shi")

# -- eras and dates ----------------------------------------------------------

# First day of each era (Gregorian), newest first.
_ERAS: Final[tuple[tuple[date, str], ...]] = (
    (date(2019, 5, 1), "5"),  # 令和
    (date(1989, 1, 8), "4"),  # 平成
    (date(1926, 12, 25), "3"),  # 昭和
    (date(1912, 7, 30), "2"),  # 大正
    (date(1868, 10, 23), "1"),  # 明治 (proclaimed 1868-10-23)
)


def encode_birth_date(d: date) -> str:
    """``EYYYYMMDD``: era digit (1 明治 … 5 令和) and the Gregorian date, as in the certificate.

    >>> encode_birth_date(date(1990, 4, 1))
    '419900401'
    """
    for start, digit in _ERAS:
        if d >= start:
            return f"{digit}{d:%Y%m%d}"
    raise ValueError(f"{d} is before the Meiji era; JPKI has no era digit for it")


#: The default fictional holder.
DEFAULT_HOLDER: Final = Holder()


def decode_birth_date(value: str) -> date:
    """The date in an ``EYYYYMMDD`` string; ``ValueError`` if malformed, unknown (``0``) or
    if the era digit does not match the date."""
    if not re.fullmatch(r"[0-9]{9}", value):
        raise ValueError(f"not an EYYYYMMDD birth date: {value!r}")
    d = datetime.strptime(value[1:], "%Y%m%d").date()
    if encode_birth_date(d) != value:
        raise ValueError(f"era digit {value[0]!r} does not match {d}")
    return d


def _birthday_in(birth_date: date, year: int) -> date:
    try:
        return birth_date.replace(year=year)
    except ValueError:  # 29 February in a common year
        return date(year, 2, 28)


def validity_end(birth_date: date, issued: date) -> datetime:
    """23:59:59 JST on the holder's 5th birthday strictly after the issue date.

    A birthday that falls on the issue date does not count. For a 29 February
    birth date the birthday in a common year is taken to be 28 February
    (Japanese law has a person reach a new age at the end of the day before
    the birthday, i.e. during 28 February; J-LIS's own rule for this case is
    not published). ``issued`` may be a datetime; its JST date is used.
    """
    if isinstance(issued, datetime):
        issued = aware(issued, "issued").astimezone(JST).date()
    if issued < birth_date:
        raise ValueError(f"issue date {issued} is before the birth date {birth_date}")
    first = _birthday_in(birth_date, issued.year)
    if first <= issued:
        first = _birthday_in(birth_date, issued.year + 1)
    fifth = _birthday_in(birth_date, first.year + 4)
    return datetime.combine(fifth, time(23, 59, 59), JST)
