"""The JPKI certificate model: what kind a certificate is, its holder's data, its dates.

>>> info = CertificateInfo.from_x509(cert, store=TrustStore.production())  # doctest: +SKIP
>>> info.kind, info.holder.name, info.days_left(), info.renewal_open()      # doctest: +SKIP
>>> explain_expiry(info, lang="ja")                                          # doctest: +SKIP

The signature certificate (署名用電子証明書) carries the holder's basic four
(基本4情報) as subjectAltName otherNames, UTF8String values
(``/work/shared/JPKI.md``, "Certificate profile"):

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
character (代替文字) stands in its place, ``0`` elsewhere.

The user-authentication certificate identifies a card, not a person: it has
no holder data. Kinds are told apart by key usage and certificate policy,
never by names (the organisation differs between production, test cards and
the mock).

Validity (seed 002): to the holder's 5th birthday after issuance; renewal is
possible from 3 months before it ends, at the municipal office of the
holder's registered address.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import Enum
from types import MappingProxyType
from typing import TYPE_CHECKING, Final

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.x509.oid import ExtensionOID

from .errors import JpkiError
from .timeutil import JST, aware
from .trust import Reason, jpki_generation

if TYPE_CHECKING:
    from .trust import TrustStore, ValidationResult

__all__ = [
    "ERAS",
    "EXPLANATIONS",
    "JST",
    "OID_ADDRESS",
    "OID_ADDRESS_FLAGS",
    "OID_BIRTH_DATE",
    "OID_NAME",
    "OID_NAME_FLAGS",
    "OID_SEX",
    "SEX_LABELS",
    "CertificateFormatError",
    "CertificateInfo",
    "CertificateKind",
    "HolderAttributes",
    "JpkiCertificate",
    "certificate_kind",
    "explain_expiry",
    "explain_revocation",
    "explain_validation",
    "explanation",
    "parse_holder_attributes",
]

# -- OIDs --------------------------------------------------------------------------

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

# Certificate policies. Signature: the 1.2.392.200149.8.5.1.1 arc (production
# class 20 ``.1.1.20``; ``.1.1.40`` is reported for smartphone certificates) and
# the test environment's ``.1.0.20``. User authentication: the ``.1.3`` arc
# (``.1.3.30``; jsrsasign's JPKI OID table, unconfirmed against a real card).
_SIGN_POLICY_ARC: Final = "1.2.392.200149.8.5.1.1."
_SIGN_TEST_POLICY: Final = "1.2.392.200149.8.5.1.0.20"
_AUTH_POLICY_ARC: Final = "1.2.392.200149.8.5.1.3."


class CertificateFormatError(JpkiError, ValueError):
    """A certificate, or the holder data in it, is missing or malformed."""


# -- kind --------------------------------------------------------------------------


class CertificateKind(Enum):
    """What a certificate is for, judged from key usage and policy OIDs (never names)."""

    SIGNATURE = "signature"
    AUTHENTICATION = "authentication"
    CA = "ca"
    UNKNOWN = "unknown"

    @property
    def label(self) -> str:
        return _KIND_LABELS[self][0]

    @property
    def label_ja(self) -> str:
        return _KIND_LABELS[self][1]


_KIND_LABELS: Final = {
    CertificateKind.SIGNATURE: ("signature certificate", "署名用電子証明書"),
    CertificateKind.AUTHENTICATION: ("user-authentication certificate", "利用者証明用電子証明書"),
    CertificateKind.CA: ("CA certificate", "認証局の証明書"),
    CertificateKind.UNKNOWN: ("certificate", "電子証明書"),
}

_PARSE_ERRORS: Final = (
    ValueError,
    TypeError,
    x509.DuplicateExtension,
    x509.UnsupportedGeneralNameType,
    UnsupportedAlgorithm,
)


def _extensions(cert: x509.Certificate) -> x509.Extensions:
    if not isinstance(cert, x509.Certificate):
        raise TypeError(f"expected a cryptography x509.Certificate, got {type(cert).__name__}")
    try:
        return cert.extensions
    except _PARSE_ERRORS as exc:
        raise CertificateFormatError(
            f"the certificate's extensions cannot be parsed ({exc})"
        ) from exc


def _policy_kinds(exts: x509.Extensions) -> set[CertificateKind]:
    kinds: set[CertificateKind] = set()
    try:
        policies = exts.get_extension_for_oid(ExtensionOID.CERTIFICATE_POLICIES).value
    except x509.ExtensionNotFound:
        return kinds
    if not isinstance(policies, x509.CertificatePolicies):
        return kinds
    for info in policies:
        oid = info.policy_identifier.dotted_string
        if oid.startswith(_SIGN_POLICY_ARC) or oid == _SIGN_TEST_POLICY:
            kinds.add(CertificateKind.SIGNATURE)
        elif oid.startswith(_AUTH_POLICY_ARC):
            kinds.add(CertificateKind.AUTHENTICATION)
    return kinds


def certificate_kind(cert: x509.Certificate) -> CertificateKind:
    """The kind of ``cert``.

    * ``CA``: basicConstraints cA, or keyUsage keyCertSign.
    * ``SIGNATURE``: keyUsage digitalSignature + nonRepudiation.
    * ``AUTHENTICATION``: keyUsage digitalSignature without nonRepudiation.
    * A JPKI policy OID of the other kind makes it ``UNKNOWN`` (contradiction);
      without a keyUsage extension a JPKI policy OID alone decides.
    * Anything else is ``UNKNOWN``.

    ``CertificateFormatError`` if the extensions cannot be parsed.
    """
    exts = _extensions(cert)
    try:
        bc = exts.get_extension_for_class(x509.BasicConstraints).value
        if bc.ca:
            return CertificateKind.CA
    except x509.ExtensionNotFound:
        pass
    try:
        ku: x509.KeyUsage | None = exts.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        ku = None
    policies = _policy_kinds(exts)
    if ku is None:
        return next(iter(policies)) if len(policies) == 1 else CertificateKind.UNKNOWN
    if ku.key_cert_sign:
        return CertificateKind.CA
    if not ku.digital_signature:
        return CertificateKind.UNKNOWN
    kind = CertificateKind.SIGNATURE if ku.content_commitment else CertificateKind.AUTHENTICATION
    if policies and kind not in policies:
        return CertificateKind.UNKNOWN
    return kind


# -- holder attributes -------------------------------------------------------------

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
    {
        "1": ("male", "男"),
        "2": ("female", "女"),
        "3": ("unknown", "不明"),
        "9": ("not applicable", "適用不能"),
    }
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


def _der_length(data: bytes, pos: int) -> tuple[int, int]:
    """(length, position after the length octets) of a definite DER length at ``pos``."""
    if pos >= len(data):
        raise ValueError("truncated length")
    first = data[pos]
    if first < 0x80:
        return first, pos + 1
    count = first & 0x7F
    if count == 0 or count > 4:
        raise ValueError("indefinite or oversized length")
    octets = data[pos + 1 : pos + 1 + count]
    if len(octets) != count:
        raise ValueError("truncated length")
    length = int.from_bytes(octets, "big")
    if length < 0x80 or octets[0] == 0:
        raise ValueError("non-minimal length encoding")
    return length, pos + 1 + count


def _utf8string(der: bytes, what: str) -> str:
    """The text of a DER UTF8String (tag 0x0C), else ``CertificateFormatError``."""
    if not der:
        raise CertificateFormatError(f"the {what} is empty (no ASN.1 value)")
    if der[0] != 0x0C:
        raise CertificateFormatError(f"the {what} is not a UTF8String (ASN.1 tag 0x{der[0]:02X})")
    try:
        length, start = _der_length(der, 1)
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
    exts = _extensions(cert)
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
    except _PARSE_ERRORS as exc:
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


def _has_holder_attributes(cert: x509.Certificate) -> bool:
    try:
        san = _extensions(cert).get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return False
    except _PARSE_ERRORS as exc:
        raise CertificateFormatError(f"the subjectAltName cannot be parsed ({exc})") from exc
    return any(isinstance(gn, x509.OtherName) and gn.type_id in _ATTRIBUTE_NAMES for gn in san)


# -- certificate information -------------------------------------------------------


def _months_before(when: datetime, months: int) -> datetime:
    """``when`` (in JST) minus calendar months, the day clamped to the month's end
    (31 May - 3 months = 28/29 February); same wall-clock time."""
    local = when.astimezone(JST)
    index = local.year * 12 + (local.month - 1) - months
    year, month = divmod(index, 12)
    month += 1
    day = min(local.day, calendar.monthrange(year, month)[1])
    return local.replace(year=year, month=month, day=day)


#: How long before expiry renewal opens (seed 002 Q7: 3 months).
RENEWAL_MONTHS: Final = 3


@dataclass(frozen=True)
class CertificateInfo:
    """A JPKI certificate, read: kind, dates, holder data (signature certificates only).

    ``issuer_generation`` is the generation (validity start year) of the
    trusted root that issued it, when :meth:`from_x509` was given a store and
    a root of the store verifies the certificate; else ``None``. Times are
    aware UTC. Every method taking ``at`` defaults it to now and needs an
    aware datetime.
    """

    certificate: x509.Certificate
    kind: CertificateKind
    serial_number: int
    issuer_generation: str | None
    not_before: datetime
    not_after: datetime
    holder: HolderAttributes | None
    subject: str
    issuer: str

    @classmethod
    def from_x509(
        cls, cert: x509.Certificate, *, store: TrustStore | None = None
    ) -> CertificateInfo:
        """Read ``cert``. Holder attributes are parsed for a ``SIGNATURE`` certificate that
        carries any of them (``CertificateFormatError`` if they are incomplete or
        malformed); a signature certificate without any has ``holder=None``."""
        kind = certificate_kind(cert)
        holder = None
        if kind is CertificateKind.SIGNATURE and _has_holder_attributes(cert):
            holder = parse_holder_attributes(cert)
        generation = None
        if store is not None:
            anchor = store.find_issuer(cert)
            generation = jpki_generation(anchor) if anchor is not None else None
        try:
            subject = cert.subject.rfc4514_string()
            issuer = cert.issuer.rfc4514_string()
        except _PARSE_ERRORS as exc:
            raise CertificateFormatError(f"the certificate's names cannot be read ({exc})") from exc
        return cls(
            certificate=cert,
            kind=kind,
            serial_number=cert.serial_number,
            issuer_generation=generation,
            not_before=cert.not_valid_before_utc,
            not_after=cert.not_valid_after_utc,
            holder=holder,
            subject=subject,
            issuer=issuer,
        )

    @classmethod
    def from_der(cls, data: bytes, *, store: TrustStore | None = None) -> CertificateInfo:
        """From DER bytes (``CertificateFormatError`` if they are not a certificate)."""
        try:
            cert = x509.load_der_x509_certificate(bytes(data))
        except ValueError as exc:
            raise CertificateFormatError(f"not a DER certificate ({exc})") from exc
        return cls.from_x509(cert, store=store)

    @classmethod
    def from_pem(cls, data: bytes | str, *, store: TrustStore | None = None) -> CertificateInfo:
        """From a PEM certificate (the first one if there are several)."""
        raw = data.encode("ascii", "replace") if isinstance(data, str) else bytes(data)
        try:
            cert = x509.load_pem_x509_certificate(raw)
        except ValueError as exc:
            raise CertificateFormatError(f"not a PEM certificate ({exc})") from exc
        return cls.from_x509(cert, store=store)

    # -- dates -------------------------------------------------------------------

    @property
    def renewal_opens_at(self) -> datetime:
        """``not_after`` minus 3 calendar months (JST wall clock, day clamped to the
        month's end), as an aware JST datetime."""
        return _months_before(self.not_after, RENEWAL_MONTHS)

    def days_left(self, at: datetime | None = None) -> int:
        """JST calendar days from ``at``'s date to the last day of validity: ``0`` on the
        last day, negative once expired (days since), larger than 0 before."""
        when = aware(at).astimezone(JST).date()
        return (self.not_after.astimezone(JST).date() - when).days

    def is_expired(self, at: datetime | None = None) -> bool:
        """``at`` is after ``not_after`` (the bound itself is still valid)."""
        return aware(at) > self.not_after

    def is_not_yet_valid(self, at: datetime | None = None) -> bool:
        return aware(at) < self.not_before

    def renewal_open(self, at: datetime | None = None) -> bool:
        """``at >= not_after - 3 calendar months``. Stays true after expiry (an expired
        certificate is renewed the same way, at the municipal office)."""
        return aware(at) >= self.renewal_opens_at


#: The name in the brief; the same class.
JpkiCertificate = CertificateInfo


# -- explanations ------------------------------------------------------------------

_OFFICE_EN: Final = (
    "at the municipal office of the holder's registered address (住民票のある市区町村の"
    "窓口), with the My Number card and an identity document"
)
_OFFICE_JA: Final = "住民票のある市区町村の窓口で、マイナンバーカードと本人確認書類をお持ちのうえ"

#: Explanation templates, ``{key: {"en": ..., "ja": ...}}``. Fields: ``cert`` (kind
#: label), ``not_before``, ``not_after``, ``renewal_from``, ``days_left``, ``revoked_at``.
EXPLANATIONS: Final[Mapping[str, Mapping[str, str]]] = MappingProxyType(
    {
        "valid": {
            "en": "The {cert} is valid until {not_after} ({days_left} days left); it can be "
            "renewed from {renewal_from}.",
            "ja": "{cert}の有効期限は{not_after}です（残り{days_left}日）。"
            "{renewal_from}から更新できます。",
        },
        "renewal_open": {
            "en": "The {cert} expires on {not_after} ({days_left} days left). It can be "
            f"renewed now (from 3 months before expiry), {_OFFICE_EN}.",
            "ja": "{cert}の有効期限は{not_after}です（残り{days_left}日）。有効期限の3か月前から"
            f"更新できます。{_OFFICE_JA}更新の手続きをしてください。",
        },
        "expired": {
            "en": "The {cert} expired on {not_after} and can no longer be used. The holder "
            f"can get a new one {_OFFICE_EN}.",
            "ja": "{cert}は{not_after}に有効期限が切れたため、使えません。"
            f"{_OFFICE_JA}新しい電子証明書の発行を申請してください。",
        },
        "not_yet_valid": {
            "en": "The {cert} is not valid until {not_before}. Check the computer's date and time.",
            "ja": "{cert}は{not_before}から有効になります。パソコンの日付と時刻を確認してください。",
        },
        "sign_revoked": {
            "en": "The signature certificate has been revoked{revoked_at}. It is revoked when "
            "the holder's name, address, birth date or sex changes (for example after moving "
            "or marriage) or when the card is reported lost. The holder can apply for a new "
            f"one {_OFFICE_EN}. The user-authentication certificate is not revoked by a change "
            "of name or address.",
            "ja": "署名用電子証明書は失効しています{revoked_at}。氏名・住所・生年月日・性別が変わった"
            "とき（引っ越しや結婚など）やカードの紛失を届け出たときに失効します。"
            f"{_OFFICE_JA}新しい署名用電子証明書の発行を申請してください。"
            "利用者証明用電子証明書は、氏名や住所が変わっても失効しません。",
        },
        "auth_revoked": {
            "en": "The user-authentication certificate has been revoked{revoked_at}, for "
            "example because the card was reported lost or returned (a change of name or "
            f"address does not revoke it). The holder should ask {_OFFICE_EN}.",
            "ja": "利用者証明用電子証明書は失効しています{revoked_at}（カードの紛失の届出や返納など。"
            f"氏名や住所の変更では失効しません）。{_OFFICE_JA}お問い合わせください。",
        },
        "revoked": {
            "en": "The {cert} has been revoked{revoked_at} and can no longer be used.",
            "ja": "{cert}は失効しています{revoked_at}。使えません。",
        },
        "untrusted": {
            "en": "The certificate was not issued by a J-LIS certification authority this "
            "program trusts. Test cards and certificates of other authorities are not accepted.",
            "ja": "この証明書は、このプログラムが信頼する地方公共団体情報システム機構（J-LIS）の"
            "認証局が発行したものではありません。テスト用のカードや他の認証局の証明書は使えません。",
        },
        "bad_signature": {
            "en": "The certificate's signature does not verify: it is damaged or forged.",
            "ja": "証明書の署名を検証できません。証明書が壊れているか、偽造されたものです。",
        },
        "root_expired": {
            "en": "The J-LIS root certificate that issued this certificate is not valid at "
            "this time, so the certificate cannot be accepted.",
            "ja": "この証明書を発行した認証局の証明書が、この時点で有効ではないため、受け付けられません。",
        },
        "wrong_key_usage": {
            "en": "This {cert} cannot be used for this purpose: a signature needs the "
            "signature certificate, a login the user-authentication certificate.",
            "ja": "この{cert}はこの用途には使えません。署名には署名用電子証明書、ログインには"
            "利用者証明用電子証明書を使います。",
        },
        "crl_problem": {
            "en": "The certificate's revocation status could not be checked: the revocation "
            "list (CRL) given is out of date, damaged or missing. Get a current CRL.",
            "ja": "失効情報（CRL）が古いか、壊れているか、ないため、証明書が失効していないことを"
            "確認できませんでした。最新のCRLを用意してください。",
        },
        "malformed": {
            "en": "The certificate is damaged or is not a JPKI certificate.",
            "ja": "証明書が壊れているか、公的個人認証サービスの証明書ではありません。",
        },
    }
)


def _date_text(when: datetime, lang: str) -> str:
    local = when.astimezone(JST)
    if lang == "ja":
        return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"
    return f"{local:%Y-%m-%d %H:%M} JST"


def _lang(lang: str) -> str:
    if lang not in ("en", "ja"):
        raise ValueError(f"lang must be 'en' or 'ja', not {lang!r}")
    return lang


def explanation(key: str, lang: str = "en", **fields: object) -> str:
    """The ``key`` text of :data:`EXPLANATIONS` in ``lang`` with ``fields`` filled in."""
    return EXPLANATIONS[key][_lang(lang)].format(**fields)


def _fields(info: CertificateInfo, at: datetime, lang: str) -> dict[str, object]:
    return {
        "cert": info.kind.label_ja if lang == "ja" else info.kind.label,
        "not_before": _date_text(info.not_before, lang),
        "not_after": _date_text(info.not_after, lang),
        "renewal_from": _date_text(info.renewal_opens_at, lang),
        "days_left": info.days_left(at),
        "revoked_at": "",
    }


def explain_expiry(info: CertificateInfo, at: datetime | None = None, *, lang: str = "en") -> str:
    """One paragraph about ``info``'s validity at ``at``: not yet valid, expired (renew at
    the municipal office), renewal window open, or valid (with the renewal date)."""
    when = aware(at)
    fields = _fields(info, when, _lang(lang))
    if info.is_not_yet_valid(when):
        key = "not_yet_valid"
    elif info.is_expired(when):
        key = "expired"
    elif info.renewal_open(when):
        key = "renewal_open"
    else:
        key = "valid"
    return explanation(key, lang, **fields)


def explain_revocation(
    kind: CertificateKind, *, revoked_at: datetime | None = None, lang: str = "en"
) -> str:
    """Why a certificate of ``kind`` is revoked and what to do: a signature certificate
    after a change of name/address/birth date/sex; the user-authentication one not."""
    lang = _lang(lang)
    when = ""
    if revoked_at is not None:
        text = _date_text(revoked_at, lang)
        when = f"（{text}）" if lang == "ja" else f" (on {text})"
    key = {
        CertificateKind.SIGNATURE: "sign_revoked",
        CertificateKind.AUTHENTICATION: "auth_revoked",
    }.get(kind, "revoked")
    cert = kind.label_ja if lang == "ja" else kind.label
    return explanation(key, lang, cert=cert, revoked_at=when)


def explain_validation(result: ValidationResult, *, lang: str = "en") -> str:
    """A paragraph for a person about a :class:`~jpki.trust.ValidationResult`."""
    lang = _lang(lang)
    cert = result.certificate
    at = result.at or datetime.now(UTC)
    try:
        kind = certificate_kind(cert)
    except CertificateFormatError:
        return explanation("malformed", lang)
    info = CertificateInfo(
        certificate=cert,
        kind=kind,
        serial_number=cert.serial_number,
        issuer_generation=result.issuer_generation,
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        holder=None,
        subject="",
        issuer="",
    )
    reason = result.reason
    if reason is None or reason in (Reason.EXPIRED, Reason.NOT_YET_VALID):
        if reason is not None and not (info.is_expired(at) or info.is_not_yet_valid(at)):
            return explanation("root_expired", lang)
        return explain_expiry(info, at, lang=lang)
    if reason is Reason.REVOKED:
        return explain_revocation(kind, revoked_at=result.revoked_at, lang=lang)
    key = {
        Reason.UNTRUSTED: "untrusted",
        Reason.BAD_SIGNATURE: "bad_signature",
        Reason.WRONG_KEY_USAGE: "wrong_key_usage",
        Reason.MALFORMED: "malformed",
    }.get(reason, "crl_problem")
    return explanation(key, lang, cert=kind.label_ja if lang == "ja" else kind.label)
