"""The certificate request document: what an applicant signs at the kiosk.

A :class:`CertificateRequest` is a small, versioned JSON document in one
canonical form — keys sorted, no insignificant whitespace, UTF-8, every key
always present (``null`` where a value is optional) — so that the bytes an
applicant signs are reproducible and are exactly the bytes the ledger
(:mod:`jpki.ledger`) stores::

    {"applicant":{"address":"…","birth_date":"1990-04-01",...},"copies":1,
     "delivery":{"method":"digital-pdf","recipient":"Example Corp."},
     "kind":"transcript-ja","kiosk_id":"kiosk-01","language":"ja",...,"version":1}

It never holds a PIN, and never the individual number (My Number). The
applicant block is taken from the signature certificate
(:meth:`Applicant.from_certificate`); the ledger checks that it matches the
certificate that signed.

:meth:`CertificateRequest.from_bytes` validates strictly: unknown or missing
keys, wrong types, copies outside 1–10, a document type outside the
catalogue, an unknown delivery method or missing delivery details, and bytes
that are not in the canonical form all raise :class:`RequestSchemaError`.

``kind`` is the code of a :class:`~jpki.requests.catalogue.DocumentType` in the
office's catalogue; ``language`` is the language of the kiosk session (receipt
and notices), ``ja`` or ``en`` — a certificate printed in English is a
document type of its own (``transcript-en``…).
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Final

from cryptography import x509

from ..birthdate import BirthDate
from ..timeutil import JST
from .catalogue import DEFAULT_KIND_CODES
from .delivery import (
    ConvenienceStoreDelivery,
    CounterDelivery,
    Delivery,
    DeliveryMethod,
    DigitalPdfDelivery,
    PostalDelivery,
    delivery_from_json,
    delivery_to_json,
)
from .schema import (
    LANGUAGES,
    LONG_TEXT,
    SHORT_TEXT,
    RequestSchemaError,
    check_code,
    check_int,
    check_keys,
    check_optional_text,
    check_text,
    check_time,
    json_type,
    parse_time,
    time_text,
)

if TYPE_CHECKING:
    from ..certs import HolderAttributes

__all__ = [
    "MAX_COPIES",
    "MAX_DOCUMENT_SIZE",
    "MIN_COPIES",
    "SCHEMA_ID",
    "SCHEMA_VERSION",
    "Applicant",
    "CertificateRequest",
    "new_request_id",
]

#: The ``type`` of every request document (which schema it follows), and the version of that
#: schema this module writes and reads.
SCHEMA_ID: Final = "jpki-certificate-request"
SCHEMA_VERSION: Final = 1
#: A request is a few hundred bytes; anything past this is not one (checked before parsing).
MAX_DOCUMENT_SIZE: Final = 16 * 1024
MIN_COPIES: Final = 1
MAX_COPIES: Final = 10

_KIOSK_ID: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_SERIAL: Final = re.compile(r"[0-9a-f]{1,40}")
_SEX_CODES: Final = frozenset({"0", "1", "2", "3", "9"})  # as JPKI records it (ISO/IEC 5218-like)


def _parse_birth_date(value: object) -> BirthDate:
    """``YYYY-MM-DD``, or ``YYYY-MM`` / ``YYYY`` when the register does not know the day or
    the month (docs/card.md, "Holder")."""
    if not isinstance(value, str):
        raise RequestSchemaError(
            f"applicant.birth_date must be a date string, not {json_type(value)}"
        )
    try:
        return BirthDate.from_iso(value)
    except ValueError as exc:
        raise RequestSchemaError(
            f"applicant.birth_date {value[:20]!r} is not a valid date ({exc})"
        ) from None


@dataclass(frozen=True)
class Applicant:
    """Who asks, as the signature certificate says (never the individual number).

    ``name`` is the current name on the certificate; certificates are issued
    with the name at enrolment (see :attr:`CertificateRequest.name_at_enrolment`).
    """

    name: str
    birth_date: BirthDate
    sex: str
    address: str
    certificate_issuer: str  # RFC 4514 text of the signature certificate's issuer
    certificate_serial: str  # its serial number, lower-case hex

    def __post_init__(self) -> None:
        check_text(self.name, "applicant.name", SHORT_TEXT)
        if isinstance(self.birth_date, date) and not isinstance(self.birth_date, datetime):
            object.__setattr__(self, "birth_date", BirthDate.of(self.birth_date))
        if not isinstance(self.birth_date, BirthDate):
            raise RequestSchemaError(
                f"applicant.birth_date must be a date, not {json_type(self.birth_date)}"
            )
        if not isinstance(self.sex, str) or self.sex not in _SEX_CODES:
            raise RequestSchemaError("applicant.sex must be one of '0', '1', '2', '3', '9'")
        check_text(self.address, "applicant.address", LONG_TEXT)
        check_text(self.certificate_issuer, "applicant.certificate_issuer", LONG_TEXT)
        if not isinstance(self.certificate_serial, str) or not _SERIAL.fullmatch(
            self.certificate_serial
        ):
            raise RequestSchemaError(
                "applicant.certificate_serial must be lower-case hexadecimal (up to 40 digits)"
            )

    @classmethod
    def from_holder(cls, holder: HolderAttributes, certificate: x509.Certificate) -> Applicant:
        return cls(
            name=holder.name,
            birth_date=holder.birth_date,
            sex=_sex_code(holder.sex),
            address=holder.address,
            certificate_issuer=certificate.issuer.rfc4514_string(),
            certificate_serial=format(certificate.serial_number, "x"),
        )

    @classmethod
    def from_certificate(cls, certificate: x509.Certificate) -> Applicant:
        """The applicant named by a signature certificate (署名用電子証明書)."""
        from ..certs import parse_holder_attributes

        return cls.from_holder(parse_holder_attributes(certificate), certificate)

    def matches(self, holder: HolderAttributes, certificate: x509.Certificate) -> str | None:
        """``None`` when this is the holder of ``certificate``, else what differs."""
        try:
            other = Applicant.from_holder(holder, certificate)
        except RequestSchemaError as exc:
            return f"the certificate's holder attributes are unusable: {exc}"
        differs = [
            name
            for name in (
                "name",
                "birth_date",
                "sex",
                "address",
                "certificate_issuer",
                "certificate_serial",
            )
            if getattr(self, name) != getattr(other, name)
        ]
        if differs:
            return "the applicant's " + ", ".join(differs) + " differ from the signer certificate"
        return None

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "address": self.address,
            "birth_date": self.birth_date.isoformat(),
            "certificate_issuer": self.certificate_issuer,
            "certificate_serial": self.certificate_serial,
            "name": self.name,
            "sex": self.sex,
        }

    @classmethod
    def from_json_dict(cls, obj: object) -> Applicant:
        d = check_keys(
            obj,
            "applicant",
            (
                "address",
                "birth_date",
                "certificate_issuer",
                "certificate_serial",
                "name",
                "sex",
            ),
        )
        return cls(
            name=d["name"],
            birth_date=_parse_birth_date(d["birth_date"]),
            sex=d["sex"],
            address=d["address"],
            certificate_issuer=d["certificate_issuer"],
            certificate_serial=d["certificate_serial"],
        )


def _sex_code(value: object) -> str:
    """The ISO/IEC 5218 code of a sex value (a code string, or an enum whose value is one)."""
    raw = getattr(value, "value", value)
    text = str(raw)
    if text not in _SEX_CODES:
        raise RequestSchemaError(f"unknown sex code {text!r}")
    return text


# -- the request ----------------------------------------------------------------------------

_TOP_KEYS: Final = (
    "applicant",
    "copies",
    "delivery",
    "kind",
    "kiosk_id",
    "language",
    "name_at_enrolment",
    "purpose",
    "request_id",
    "student_id",
    "time",
    "type",
    "version",
)


def new_request_id() -> str:
    """A fresh request id: a random UUID in its canonical lower-case form."""
    return str(uuid.uuid4())


def _check_request_id(value: object) -> str:
    if not isinstance(value, str):
        raise RequestSchemaError(f"request_id must be a string, not {json_type(value)}")
    try:
        canonical = str(uuid.UUID(value))
    except ValueError:
        canonical = ""
    if canonical != value:
        raise RequestSchemaError(
            f"request_id {value[:60]!r} is not a UUID in canonical lower-case form"
        )
    return value


@dataclass(frozen=True)
class CertificateRequest:
    """A certificate request as the applicant signs it (version :data:`SCHEMA_VERSION`).

    Construct it with :meth:`create` (fresh id, current time) or directly;
    every field is checked on construction except the document type's
    membership in a catalogue, which :meth:`from_bytes` (and
    :meth:`check_kind`) test against the set they are given.
    """

    request_id: str
    kiosk_id: str
    time: datetime
    kind: str
    language: str
    copies: int
    delivery: Delivery
    purpose: str
    applicant: Applicant
    student_id: str | None = None
    name_at_enrolment: str | None = None

    def __post_init__(self) -> None:
        _check_request_id(self.request_id)
        if not isinstance(self.kiosk_id, str) or not _KIOSK_ID.fullmatch(self.kiosk_id):
            raise RequestSchemaError(
                "kiosk_id must be 1-64 letters, digits, '.', '_' or '-' (starting with a "
                "letter or digit)"
            )
        check_time(self.time, "time")
        check_code(self.kind, "kind")
        if not isinstance(self.language, str) or self.language not in LANGUAGES:
            raise RequestSchemaError(
                f"language must be one of {', '.join(sorted(LANGUAGES))}, not {self.language!r}"
            )
        check_int(self.copies, "copies", MIN_COPIES, MAX_COPIES)
        if not isinstance(
            self.delivery,
            PostalDelivery | CounterDelivery | ConvenienceStoreDelivery | DigitalPdfDelivery,
        ):
            raise RequestSchemaError("delivery must be one of the delivery classes")
        check_text(self.purpose, "purpose", LONG_TEXT)
        if not isinstance(self.applicant, Applicant):
            raise RequestSchemaError("applicant must be an Applicant")
        check_optional_text(self.student_id, "student_id", 32)
        check_optional_text(self.name_at_enrolment, "name_at_enrolment", SHORT_TEXT)

    @classmethod
    def create(
        cls,
        *,
        kiosk_id: str,
        kind: str,
        language: str,
        copies: int,
        delivery: Delivery,
        purpose: str,
        applicant: Applicant,
        student_id: str | None = None,
        name_at_enrolment: str | None = None,
        request_id: str | None = None,
        time: datetime | None = None,
        allowed_kinds: Collection[str] | None = DEFAULT_KIND_CODES,
    ) -> CertificateRequest:
        """A new request: a fresh id and the current time (JST, whole seconds) by default."""
        when = time if time is not None else datetime.now(JST)
        if when.tzinfo is None:
            raise RequestSchemaError("time must carry a UTC offset")
        request = cls(
            request_id=request_id or new_request_id(),
            kiosk_id=kiosk_id,
            time=when.replace(microsecond=0),
            kind=kind,
            language=language,
            copies=copies,
            delivery=delivery,
            purpose=purpose,
            applicant=applicant,
            student_id=student_id,
            name_at_enrolment=name_at_enrolment,
        )
        request.check_kind(allowed_kinds)
        return request

    @property
    def delivery_method(self) -> DeliveryMethod:
        return self.delivery.method

    def check_kind(self, allowed_kinds: Collection[str] | None = DEFAULT_KIND_CODES) -> None:
        """Raise :class:`RequestSchemaError` unless ``kind`` is in ``allowed_kinds``
        (``None``: any well-formed code)."""
        if allowed_kinds is not None and self.kind not in allowed_kinds:
            raise RequestSchemaError(
                f"unknown document type {self.kind!r} "
                f"(this office issues: {', '.join(sorted(allowed_kinds))})"
            )

    # -- encoding ------------------------------------------------------------------------

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "applicant": self.applicant.to_json_dict(),
            "copies": self.copies,
            "delivery": delivery_to_json(self.delivery),
            "kind": self.kind,
            "kiosk_id": self.kiosk_id,
            "language": self.language,
            "name_at_enrolment": self.name_at_enrolment,
            "purpose": self.purpose,
            "request_id": self.request_id,
            "student_id": self.student_id,
            "time": time_text(self.time),
            "type": SCHEMA_ID,
            "version": SCHEMA_VERSION,
        }

    def to_bytes(self) -> bytes:
        """The canonical encoding: what the applicant signs and the ledger stores."""
        return json.dumps(
            self.to_json_dict(),
            sort_keys=True,
            separators=(",", ":"),
            ensure_ascii=False,
            allow_nan=False,
        ).encode("utf-8")

    @classmethod
    def from_json_dict(
        cls, obj: object, *, allowed_kinds: Collection[str] | None = DEFAULT_KIND_CODES
    ) -> CertificateRequest:
        d = check_keys(obj, "the request", _TOP_KEYS)
        if d["type"] != SCHEMA_ID:
            raise RequestSchemaError(f"type must be {SCHEMA_ID!r}, not {str(d['type'])[:60]!r}")
        version = d["version"]
        if isinstance(version, bool) or not isinstance(version, int):
            raise RequestSchemaError(f"version must be an integer, not {json_type(version)}")
        if version != SCHEMA_VERSION:
            raise RequestSchemaError(
                f"request document version {version} is not supported "
                f"(this software reads version {SCHEMA_VERSION})"
            )
        request = cls(
            request_id=d["request_id"],
            kiosk_id=d["kiosk_id"],
            time=parse_time(d["time"], "time"),
            kind=d["kind"],
            language=d["language"],
            copies=d["copies"],
            delivery=delivery_from_json(d["delivery"]),
            purpose=d["purpose"],
            applicant=Applicant.from_json_dict(d["applicant"]),
            student_id=d["student_id"],
            name_at_enrolment=d["name_at_enrolment"],
        )
        request.check_kind(allowed_kinds)
        return request

    @classmethod
    def from_bytes(
        cls,
        data: bytes,
        *,
        allowed_kinds: Collection[str] | None = DEFAULT_KIND_CODES,
        canonical: bool = True,
        max_size: int = MAX_DOCUMENT_SIZE,
    ) -> CertificateRequest:
        """Parse and validate a request document.

        ``allowed_kinds`` is the set of document type codes the office
        issues (default :data:`DEFAULT_KIND_CODES`; ``None`` accepts any
        well-formed code). With ``canonical`` (the default) the bytes must be
        exactly :meth:`to_bytes` of the result, so one request has one encoding.
        A document of more than ``max_size`` bytes is refused before it is parsed.
        """
        if not isinstance(data, bytes | bytearray | memoryview):
            raise RequestSchemaError(f"a request document is bytes, not {type(data).__name__}")
        raw = bytes(data)
        if len(raw) > max_size:
            raise RequestSchemaError(
                f"the request document is {len(raw)} bytes; at most {max_size} are allowed"
            )
        if not raw:
            raise RequestSchemaError("the request document is empty")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise RequestSchemaError(
                f"the request document is not UTF-8 (byte {exc.start})"
            ) from None
        try:
            obj = json.loads(
                text,
                object_pairs_hook=_no_duplicate_keys,
                parse_float=_no_float,
                parse_int=_small_int,
                parse_constant=_no_constant,
            )
        except RequestSchemaError:
            raise
        except (ValueError, RecursionError) as exc:  # JSONDecodeError, a nesting too deep
            raise RequestSchemaError(f"the request document is not JSON: {exc}") from None
        request = cls.from_json_dict(obj, allowed_kinds=allowed_kinds)
        if canonical and request.to_bytes() != raw:
            raise RequestSchemaError(
                "the request document is not in canonical form (sorted keys, no whitespace "
                "between tokens, UTF-8 without escapes for non-ASCII text)"
            )
        return request


def _no_duplicate_keys(pairs: Iterable[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise RequestSchemaError(f"key {key[:40]!r} appears twice in one object")
        result[key] = value
    return result


def _small_int(text: str) -> int:
    """A JSON integer of at most 18 digits (no field needs more; a number of thousands of
    digits costs quadratic time to convert)."""
    if len(text.lstrip("-")) > 18:
        raise RequestSchemaError(f"a number of {len(text)} digits is not allowed")
    return int(text)


def _no_float(text: str) -> Any:
    raise RequestSchemaError(f"numbers with a fraction or exponent are not allowed ({text[:20]})")


def _no_constant(text: str) -> Any:
    raise RequestSchemaError(f"{text} is not allowed in a request document")
