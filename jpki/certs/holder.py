"""The holder's basic four (基本4情報) in a signature certificate's subjectAltName.

The signature certificate (署名用電子証明書) carries them as otherNames with
UTF8String values (docs/card.md, "Certificates"):

=========================  ==============================================
``1.2.392.200149.8.5.5.1``  name
``1.2.392.200149.8.5.5.2``  name substitute-character flags
``1.2.392.200149.8.5.5.3``  sex (``1`` male, ``2`` female, ``3`` unknown,
                            ``9`` not applicable)
``1.2.392.200149.8.5.5.4``  birth date: era digit + Gregorian ``YYYYMMDD``
``1.2.392.200149.8.5.5.5``  address
``1.2.392.200149.8.5.5.6``  address substitute-character flags
=========================  ==============================================

Substitute-character flags have one digit per character of the value: ``1``
where the registry's character could not be represented and a substitute
character (代替文字) stands in its place, ``0`` elsewhere. The
user-authentication certificate identifies a card, not a person: it has no
holder data.

The register is the truth, not our parser (docs/card.md, "Holder"): the birth date's
Gregorian digits are authoritative; ``00`` for the month or the day means unknown
(生年月日不詳) and gives a partial :class:`~jpki.birthdate.BirthDate`; an era digit that
disagrees with the date, or flags that are not ``0``/``1`` digits, are *warnings*
(:attr:`HolderAttributes.warnings`), never a refusal. Only structurally broken values
are refused: a birth date that is not 9 digits, a month above 12, a day the month does
not have, text that is not UTF-8.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType
from typing import Final

from cryptography import x509

from ..birthdate import BirthDate
from ..cms._der import read_length
from ..messages import check_lang, label
from .kind import PARSE_ERRORS, CertificateFormatError, extensions_of

__all__ = [
    "ERAS",
    "OID_ADDRESS",
    "OID_ADDRESS_FLAGS",
    "OID_BIRTH_DATE",
    "OID_NAME",
    "OID_NAME_FLAGS",
    "OID_SEX",
    "SEX_LABELS",
    "HolderAttributes",
    "has_holder_attributes",
    "parse_holder_attributes",
]

OID_NAME: Final = x509.ObjectIdentifier("1.2.392.200149.8.5.5.1")
OID_NAME_FLAGS: Final = x509.ObjectIdentifier("1.2.392.200149.8.5.5.2")
OID_SEX: Final = x509.ObjectIdentifier("1.2.392.200149.8.5.5.3")
OID_BIRTH_DATE: Final = x509.ObjectIdentifier("1.2.392.200149.8.5.5.4")
OID_ADDRESS: Final = x509.ObjectIdentifier("1.2.392.200149.8.5.5.5")
OID_ADDRESS_FLAGS: Final = x509.ObjectIdentifier("1.2.392.200149.8.5.5.6")

_ATTRIBUTE_NAMES: Final[Mapping[x509.ObjectIdentifier, str]] = MappingProxyType(
    {
        OID_NAME: "name",
        OID_NAME_FLAGS: "name substitute-character flags",
        OID_SEX: "sex",
        OID_BIRTH_DATE: "birth date",
        OID_ADDRESS: "address",
        OID_ADDRESS_FLAGS: "address substitute-character flags",
    }
)

#: Era digit -> (name, first day, last day) with the Gregorian bounds used to check a
#: birth date against its era. A change-over day belongs to both neighbouring eras
#: when the change happened during that day (1912-07-30, 1926-12-25).
ERAS: Final[Mapping[str, tuple[str, date, date]]] = MappingProxyType(
    {
        "1": ("明治", date(1868, 1, 1), date(1912, 7, 30)),
        "2": ("大正", date(1912, 7, 30), date(1926, 12, 25)),
        "3": ("昭和", date(1926, 12, 25), date(1989, 1, 7)),
        "4": ("平成", date(1989, 1, 8), date(2019, 4, 30)),
        "5": ("令和", date(2019, 5, 1), date.max),
    }
)
_UNKNOWN_ERA: Final = "unknown"

#: Sex code -> (English, Japanese). The text AP uses 1/2/9; a public dump of a
#: certificate suggests 1/2/3 there, so all four are accepted.
SEX_LABELS: Final[Mapping[str, tuple[str, str]]] = MappingProxyType(
    {code: (label(f"sex.{code}", "en"), label(f"sex.{code}", "ja")) for code in "1239"}
)

_FLAGS_RE: Final = re.compile(r"[01]*")
_BIRTH_RE: Final = re.compile(r"[0-9]{9}")
# C0/C1 controls, DEL, and the Unicode line/paragraph separators: never in a name or address.
_CONTROL_RE: Final = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


@dataclass(frozen=True)
class HolderAttributes:
    """The holder's basic four from a signature certificate.

    ``sex`` is the raw code; ``birth_date_era`` is the era named by the
    certificate's era digit (``"昭和"``, ``"平成"``, …, or ``"unknown"`` for
    digit ``0`` or a digit no era has); ``birth_date`` is the Gregorian date, partial
    when the register does not know the month or the day (a :class:`datetime.date` given
    here is taken as a complete one). The ``*_flags`` are the raw substitute-character
    flags. ``warnings`` says what in the certificate is odd but was accepted (an era digit
    that disagrees with the date, flags that are not ``0``/``1``). Derived fields
    (``*_has_substitutes``, ``sex_label``) are computed, not passed.
    """

    name: str
    sex: str
    birth_date: BirthDate
    birth_date_era: str
    address: str
    name_flags: str = ""
    address_flags: str = ""
    warnings: tuple[str, ...] = ()
    name_has_substitutes: bool = field(init=False)
    address_has_substitutes: bool = field(init=False)
    sex_label: str = field(init=False)

    def __post_init__(self) -> None:
        if self.sex not in SEX_LABELS:
            raise CertificateFormatError(f"unknown sex code {self.sex!r}")
        known_eras = {name for name, _, _ in ERAS.values()}
        if self.birth_date_era not in known_eras | {_UNKNOWN_ERA}:
            raise CertificateFormatError(f"unknown era {self.birth_date_era!r}")
        if not isinstance(self.birth_date, BirthDate):
            object.__setattr__(self, "birth_date", BirthDate.of(self.birth_date))
        # flags that are not 0/1 digits are kept as written and mean nothing (a warning)
        for field_name, flags in (
            ("name_has_substitutes", self.name_flags),
            ("address_has_substitutes", self.address_flags),
        ):
            marked = bool(_FLAGS_RE.fullmatch(flags)) and "1" in flags
            object.__setattr__(self, field_name, marked)
        object.__setattr__(self, "sex_label", SEX_LABELS[self.sex][0])

    @property
    def sex_label_ja(self) -> str:
        return SEX_LABELS[self.sex][1]

    @property
    def name_substitute_positions(self) -> tuple[int, ...]:
        """Indexes into ``name`` of substitute characters (only flags within the name count)."""
        return _positions(self.name, self.name_flags)

    @property
    def address_substitute_positions(self) -> tuple[int, ...]:
        return _positions(self.address, self.address_flags)

    @property
    def birth_date_ja(self) -> str:
        """The birth date in the Japanese calendar (``平成2年4月1日``), its era taken from the
        Gregorian date (which is authoritative) when the certificate names a known era;
        Gregorian when the era is unknown (``1990年4月1日``) or the date partial
        (``1980年 月日不詳``, ``1980年5月 日不詳``)."""
        d = self.birth_date.as_date()
        if d is None or self.birth_date_era == _UNKNOWN_ERA:
            return self.birth_date.text("ja")
        named = [e for e in ERAS.values() if e[0] == self.birth_date_era]
        later_first = list(ERAS.values())[::-1]
        for name, first, last in named + later_first:  # the digit's era when it fits
            if first <= d <= last:
                year = d.year - first.year + 1
                # Meiji counts from 1868 whatever its first day.
                label = "元" if year == 1 else str(year)
                return f"{name}{label}年{d.month}月{d.day}日"
        return self.birth_date.text("ja")

    def birth_date_text(self, lang: str = "en") -> str:
        """The birth date for a person (:meth:`jpki.birthdate.BirthDate.text`)."""
        return self.birth_date.text(lang)

    def notes(self, lang: str = "en") -> list[str]:
        """What a person reading the name, address and birth date should know: substitute
        characters (代替文字) in the name or address, an unknown month or day, and the
        :attr:`warnings`. Shown with the data, never a reason to refuse it."""
        ja = check_lang(lang) == "ja"
        out = []
        for what_en, what_ja, positions in (
            ("name", "氏名", self.name_substitute_positions),
            ("address", "住所", self.address_substitute_positions),
        ):
            if positions:
                n = len(positions)
                out.append(
                    f"{what_ja}に代替文字が{n}文字あります（住民票の文字を表せないため置き換えた文字）。"
                    if ja
                    else f"The {what_en} has {n} substitute character(s) (代替文字): characters "
                    "of the resident register that the card cannot hold, replaced."
                )
        if not self.birth_date.complete:
            out.append(
                "生年月日の一部が住民票で不詳とされています。"
                if ja
                else "The resident register does not know the full birth date."
            )
        out.extend(self.warnings)
        return out


def _positions(value: str, flags: str) -> tuple[int, ...]:
    if not _FLAGS_RE.fullmatch(flags):
        return ()
    return tuple(i for i, flag in enumerate(flags[: len(value)]) if flag == "1")


def _utf8string(der: bytes, what: str) -> str:
    """The text of a DER UTF8String (tag 0x0C), else ``CertificateFormatError``."""
    if not der:
        raise CertificateFormatError(f"the {what} is empty (no ASN.1 value)")
    if der[0] != 0x0C:
        raise CertificateFormatError(f"the {what} is not a UTF8String (ASN.1 tag 0x{der[0]:02X})")
    try:
        length, start = read_length(der, 1)
    except ValueError as exc:
        raise CertificateFormatError(f"the {what} has a bad DER length ({exc})") from exc
    if start + length != len(der):
        raise CertificateFormatError(f"the {what} has a DER length that does not fit its value")
    try:
        text = der[start:].decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CertificateFormatError(f"the {what} is not valid UTF-8") from exc
    if _CONTROL_RE.search(text):
        raise CertificateFormatError(f"the {what} contains control characters")
    return text


def _parse_birth_date(value: str) -> tuple[BirthDate, str, list[str]]:
    """The date, the era the digit names, and warnings. ``CertificateFormatError`` only for
    a structurally broken value (not 9 digits; a month or day that cannot exist)."""
    if not _BIRTH_RE.fullmatch(value):
        raise CertificateFormatError(
            f"the birth date must be an era digit and YYYYMMDD (9 digits), got {value!r}"
        )
    era_digit, digits = value[0], value[1:]
    try:
        d = BirthDate.from_digits(digits)
    except ValueError as exc:
        raise CertificateFormatError(f"the birth date {digits} cannot be read: {exc}") from exc
    if era_digit == "0":
        return d, _UNKNOWN_ERA, []
    era = ERAS.get(era_digit)
    if era is None:
        return d, _UNKNOWN_ERA, [f"the birth date's era digit {era_digit!r} names no era"]
    name, first, last = era
    if d.last_day < first or d.first_day > last:
        return (
            d,
            name,
            [
                f"the birth date's era digit {era_digit} ({name}) disagrees with the date "
                f"{d.isoformat()}; the date is taken as written"
            ],
        )
    return d, name, []


def _flag_warnings(text: Mapping[x509.ObjectIdentifier, str]) -> list[str]:
    return [
        f"the {_ATTRIBUTE_NAMES[oid]} are not 0/1 digits; they mark nothing"
        for oid in (OID_NAME_FLAGS, OID_ADDRESS_FLAGS)
        if not _FLAGS_RE.fullmatch(text[oid])
    ]


def parse_holder_attributes(cert: x509.Certificate) -> HolderAttributes:
    """The holder's basic four from a signature certificate's subjectAltName.

    ``CertificateFormatError`` if the extension or an attribute is missing,
    repeated or malformed (wrong ASN.1 type, bad UTF-8, empty name or address,
    control characters, bad birth date or era, unknown sex code, flags other
    than ``0``/``1``). otherNames of other OIDs are ignored. Flags shorter or
    longer than their value are accepted (only ``1`` flags inside the value
    count as positions).
    """
    exts = extensions_of(cert)
    try:
        san = exts.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound as exc:
        raise CertificateFormatError(
            "the certificate has no subjectAltName: no holder attributes"
        ) from exc
    raw: dict[x509.ObjectIdentifier, bytes] = {}
    try:
        for general_name in san:
            if (
                isinstance(general_name, x509.OtherName)
                and general_name.type_id in _ATTRIBUTE_NAMES
            ):
                if general_name.type_id in raw:
                    what = _ATTRIBUTE_NAMES[general_name.type_id]
                    raise CertificateFormatError(f"the {what} appears more than once")
                raw[general_name.type_id] = general_name.value
    except PARSE_ERRORS as exc:
        raise CertificateFormatError(f"the subjectAltName cannot be parsed ({exc})") from exc
    missing = [what for oid, what in _ATTRIBUTE_NAMES.items() if oid not in raw]
    if missing:
        raise CertificateFormatError(f"holder attribute(s) missing: {', '.join(missing)}")
    text = {oid: _utf8string(value, _ATTRIBUTE_NAMES[oid]) for oid, value in raw.items()}
    for oid in (OID_NAME, OID_ADDRESS):
        if not text[oid].strip():
            raise CertificateFormatError(f"the {_ATTRIBUTE_NAMES[oid]} is empty")
    birth_date, era, warnings = _parse_birth_date(text[OID_BIRTH_DATE])
    sex = text[OID_SEX]
    if sex not in SEX_LABELS:
        raise CertificateFormatError(f"unknown sex code {sex!r} (expected 1, 2, 3 or 9)")
    warnings += _flag_warnings(text)
    return HolderAttributes(
        name=text[OID_NAME],
        sex=sex,
        birth_date=birth_date,
        birth_date_era=era,
        address=text[OID_ADDRESS],
        name_flags=text[OID_NAME_FLAGS],
        address_flags=text[OID_ADDRESS_FLAGS],
        warnings=tuple(warnings),
    )


def has_holder_attributes(cert: x509.Certificate) -> bool:
    try:
        san = extensions_of(cert).get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return False
    except PARSE_ERRORS as exc:
        raise CertificateFormatError(f"the subjectAltName cannot be parsed ({exc})") from exc
    return any(isinstance(gn, x509.OtherName) and gn.type_id in _ATTRIBUTE_NAMES for gn in san)
