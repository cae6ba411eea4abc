"""The 券面事項入力補助AP (text AP): the basic four, and — only when asked — the My Number."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final

import apdu
from apdu import tlv

from . import errors
from .birthdate import BirthDate
from .layout import FID_TEXT_BASIC_FOUR, FID_TEXT_MY_NUMBER, TEXT_AID, PinKind
from .pins import PinSource

if TYPE_CHECKING:
    from .card import JpkiCard

TAG_BASIC_FOUR: Final = 0xFF20
TAG_MY_NUMBER: Final = 0xFF10
SEX_LABELS: Final = {"1": "male", "2": "female", "9": "not applicable"}


@dataclass(frozen=True, slots=True)
class BasicInfo:
    """基本4情報 as the text AP holds them."""

    name: str
    address: str
    birth_date: BirthDate  # partial when the register does not know the month or day
    sex: str  # "1" male, "2" female, "9" not applicable (ISO/IEC 5218 codes)

    @property
    def sex_label(self) -> str:
        return SEX_LABELS.get(self.sex, "unknown")


@dataclass(frozen=True, slots=True)
class MyNumber:
    """An individual number (個人番号). ``str``/``repr`` are masked; ``digits`` gives it."""

    digits: str = field(repr=False)

    def masked(self) -> str:
        return "*" * len(self.digits)

    def __str__(self) -> str:
        return self.masked()

    def __repr__(self) -> str:
        return f"MyNumber({self.masked()})"

    def __format__(self, spec: str) -> str:
        return format(self.masked(), spec)


def parse_basic_four(data: bytes) -> BasicInfo:
    """Parse EF 0002 (``FF20`` with ``DF21``..``DF25``)."""
    try:
        outer = tlv.parse_one(data)
        if outer.tag != TAG_BASIC_FOUR:
            raise errors.CorruptData(f"basic-four record has tag {outer.tag:X}, not FF20")
        items = {t.tag: t.value for t in tlv.iter_tlv(outer.value)}
    except apdu.ApduFormatError as exc:
        raise errors.CorruptData(f"the basic-four record is damaged: {exc}") from None
    try:
        name = items[0xDF22].decode("utf-8")
        address = items[0xDF23].decode("utf-8")
        birth = items[0xDF24].decode("ascii")
        sex = items[0xDF25].decode("ascii")
    except KeyError as exc:
        raise errors.CorruptData(f"the basic-four record lacks item {exc.args[0]:X}") from None
    except UnicodeDecodeError:
        raise errors.CorruptData("the basic-four record is not valid text") from None
    if not re.fullmatch(r"[0-9]{8}", birth):
        raise errors.CorruptData("the birth date in the basic-four record is not YYYYMMDD")
    try:  # 00 for an unknown month or day is the register's, not damage (docs/card.md)
        birth_date = BirthDate.from_digits(birth)
    except ValueError as exc:
        raise errors.CorruptData(
            f"the birth date in the basic-four record cannot be read: {exc}"
        ) from None
    return BasicInfo(name, address, birth_date, sex)


def parse_my_number(data: bytes) -> MyNumber:
    try:
        item = tlv.parse_one(data)
    except apdu.ApduFormatError:
        raise errors.CorruptData("the individual-number record is damaged") from None
    if item.tag != TAG_MY_NUMBER or not re.fullmatch(rb"[0-9]{12}", item.value):
        raise errors.CorruptData("the individual-number record does not hold 12 digits")
    return MyNumber(item.value.decode("ascii"))


def read_basic_info(card: JpkiCard, pin: PinSource) -> BasicInfo:
    with card.transaction():
        card.verify_pin(PinKind.TEXT, pin)
        raw = card.read_file(
            TEXT_AID, FID_TEXT_BASIC_FOUR, what="basic-four record", pin=PinKind.TEXT
        )
    return parse_basic_four(raw)


def read_my_number(card: JpkiCard, pin: PinSource) -> MyNumber:
    with card.transaction():
        card.verify_pin(PinKind.TEXT, pin)
        raw = card.read_file(
            TEXT_AID, FID_TEXT_MY_NUMBER, what="individual-number record", pin=PinKind.TEXT
        )
    return parse_my_number(raw)
