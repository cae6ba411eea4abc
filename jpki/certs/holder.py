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
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType
from typing import Final

from cryptography import x509

from ..cms._der import read_length
from ..messages import label
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
    digit ``0``); ``birth_date`` is the Gregorian date. The ``*_flags`` are the
    raw substitute-character flags. Derived fields (``*_has_substitutes``,
    ``sex_label``) are computed, not passed.
    """

    name: str
    sex: str
    birth_date: date
    birth_date_era: str
    address: str
    name_flags: str = ""
    address_flags: str = ""
    name_has_substitutes: bool = field(init=False)
    address_has_substitutes: bool = field(init=False)
    sex_label: str = field(init=False)

    def __post_init__(self) -> None:
        if self.sex not in SEX_LABELS:
            raise CertificateFormatError(f"unknown sex code {self.sex!r}")
        known_eras = {name for name, _, _ in ERAS.values()}
        if self.birth_date_era not in known_eras | {_UNKNOWN_ERA}:
            raise CertificateFormatError(f"unknown era {self.birth_date_era!r}")
        for what, flags in (("name", self.name_flags), ("address", self.address_flags)):
            if not _FLAGS_RE.fullmatch(flags):
                raise CertificateFormatError(
                    f"{what} substitute-character flags must be 0/1 digits"
                )
        object.__setattr__(self, "name_has_substitutes", "1" in self.name_flags)
        object.__setattr__(self, "address_has_substitutes", "1" in self.address_flags)
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
        """The birth date in the Japanese calendar (``平成2年4月1日``), Gregorian if the era
        is unknown (``1990年4月1日``)."""
        d = self.birth_date
        for name, first, _ in ERAS.values():
            if name == self.birth_date_era:
                year = d.year - first.year + 1
                # Meiji counts from 1868 whatever its first day.
                label = "元" if year == 1 else str(year)
                return f"{name}{label}年{d.month}月{d.day}日"
        return f"{d.year}年{d.month}月{d.day}日"


def _positions(value: str, flags: str) -> tuple[int, ...]:
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


def _parse_birth_date(value: str) -> tuple[date, str]:
    if not _BIRTH_RE.fullmatch(value):
        raise CertificateFormatError(
            f"the birth date must be an era digit and YYYYMMDD (9 digits), got {value!r}"
        )
    era_digit, digits = value[0], value[1:]
    try:
        d = date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError as exc:
        raise CertificateFormatError(f"the birth date {digits} is not a calendar date") from exc
    if era_digit == "0":
        return d, _UNKNOWN_ERA
    era = ERAS.get(era_digit)
    if era is None:
        raise CertificateFormatError(f"unknown era digit {era_digit!r} in the birth date")
    name, first, last = era
    if not first <= d <= last:
        raise CertificateFormatError(f"the birth date {d.isoformat()} is not in the {name} era")
    return d, name


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
    birth_date, era = _parse_birth_date(text[OID_BIRTH_DATE])
    sex = text[OID_SEX]
    if sex not in SEX_LABELS:
        raise CertificateFormatError(f"unknown sex code {sex!r} (expected 1, 2, 3 or 9)")
    return HolderAttributes(
        name=text[OID_NAME],
        sex=sex,
        birth_date=birth_date,
        birth_date_era=era,
        address=text[OID_ADDRESS],
        name_flags=text[OID_NAME_FLAGS],
        address_flags=text[OID_ADDRESS_FLAGS],
    )


def has_holder_attributes(cert: x509.Certificate) -> bool:
    try:
        san = extensions_of(cert).get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return False
    except PARSE_ERRORS as exc:
        raise CertificateFormatError(f"the subjectAltName cannot be parsed ({exc})") from exc
    return any(isinstance(gn, x509.OtherName) and gn.type_id in _ATTRIBUTE_NAMES for gn in san)
