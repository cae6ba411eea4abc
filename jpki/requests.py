"""Signed certificate requests: the document an applicant signs at the kiosk.

A :class:`CertificateRequest` is a small, versioned JSON document in one
canonical form — keys sorted, no insignificant whitespace, UTF-8, every key
always present (``null`` where a value is optional) — so that the bytes an
applicant signs are reproducible and are exactly the bytes the ledger
(:mod:`jpki.ledger`) stores::

    {"applicant":{"address":"…","birth_date":"1990-04-01",...},"copies":1,
     "delivery":{"method":"digital-pdf","recipient":"Example Corp."},
     "kind":"transcript","kiosk_id":"kiosk-01","language":"ja",...,"version":1}

It never holds a PIN, and never the individual number (My Number). The
applicant block is taken from the signature certificate
(:meth:`Applicant.from_certificate`); the ledger checks that it matches the
certificate that signed.

:meth:`CertificateRequest.from_bytes` validates strictly: unknown or missing
keys, wrong types, copies outside 1–10, a certificate kind outside the
catalogue, an unknown delivery method or missing delivery details, and bytes
that are not in the canonical form all raise :class:`RequestSchemaError`.

Certificate kinds come from a catalogue (:class:`KindCatalogue`; the kiosk's
TOML configuration lists them, see :meth:`KindCatalogue.from_toml`);
:data:`DEFAULT_CATALOGUE` is the built-in one. ``language`` is the language of
the kiosk session (receipt and notices), ``ja`` or ``en``; a certificate in
English is a kind of its own (``transcript-en``…).
"""

from __future__ import annotations

import json
import re
import tomllib
import unicodedata
import uuid
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from cryptography import x509

from .errors import JpkiError

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric import rsa

    from .card import JpkiCard
    from .certs import HolderAttributes
    from .pins import PinSource

__all__ = [
    "DEFAULT_CATALOGUE",
    "DEFAULT_KIND_CODES",
    "DOCUMENT_TYPE",
    "DOCUMENT_VERSION",
    "JST",
    "LANGUAGES",
    "MAX_COPIES",
    "MAX_DOCUMENT_SIZE",
    "Applicant",
    "CertificateKindInfo",
    "CertificateRequest",
    "ConvenienceStoreDelivery",
    "CounterDelivery",
    "Delivery",
    "DeliveryMethod",
    "DigitalPdfDelivery",
    "KindCatalogue",
    "PostalDelivery",
    "RequestSchemaError",
    "SignedRequest",
    "new_request_id",
    "sign_request",
    "sign_request_with_key",
]

JST: Final = timezone(timedelta(hours=9), "JST")

#: The ``type`` of every request document, and the version this module writes and reads.
DOCUMENT_TYPE: Final = "jpki-certificate-request"
DOCUMENT_VERSION: Final = 1
#: A request is a few hundred bytes; anything past this is not one (checked before parsing).
MAX_DOCUMENT_SIZE: Final = 16 * 1024
MIN_COPIES: Final = 1
MAX_COPIES: Final = 10
LANGUAGES: Final = frozenset({"ja", "en"})

_CODE: Final = re.compile(r"[a-z0-9][a-z0-9-]{0,47}")
_KIOSK_ID: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_TIME: Final = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}")
_DATE: Final = re.compile(r"\d{4}-\d{2}-\d{2}")
_SERIAL: Final = re.compile(r"[0-9a-f]{1,40}")
_COUNTRY: Final = re.compile(r"[A-Z]{2}")
_JP_POSTAL_CODE: Final = re.compile(r"\d{3}-\d{4}")
_SEX_CODES: Final = frozenset({"0", "1", "2", "3", "9"})  # as JPKI records it (ISO/IEC 5218-like)

_SHORT_TEXT: Final = 200
_LONG_TEXT: Final = 500


class RequestSchemaError(JpkiError, ValueError):
    """A request document (or a value for one) breaks the schema; the message says where."""


# -- value checks ---------------------------------------------------------------------------


def _check_text(value: object, what: str, max_len: int, *, empty: bool = False) -> str:
    if not isinstance(value, str):
        raise RequestSchemaError(f"{what} must be a string, not {_json_type(value)}")
    if not value and not empty:
        raise RequestSchemaError(f"{what} must not be empty")
    if len(value) > max_len:
        raise RequestSchemaError(f"{what} is longer than {max_len} characters")
    for ch in value:
        if unicodedata.category(ch) in ("Cc", "Cs"):
            raise RequestSchemaError(f"{what} contains a control character (U+{ord(ch):04X})")
    return value


def _check_optional_text(value: object, what: str, max_len: int) -> str | None:
    if value is None:
        return None
    return _check_text(value, what, max_len)


def _check_code(value: object, what: str) -> str:
    if not isinstance(value, str):
        raise RequestSchemaError(f"{what} must be a string, not {_json_type(value)}")
    if not _CODE.fullmatch(value):
        raise RequestSchemaError(
            f"{what} {value[:60]!r} is not a code (lower-case letters, digits and '-')"
        )
    return value


def _check_int(value: object, what: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise RequestSchemaError(f"{what} must be an integer, not {_json_type(value)}")
    if not low <= value <= high:
        raise RequestSchemaError(f"{what} must be between {low} and {high}, not {value}")
    return value


def _check_date(value: object, what: str) -> date:
    if isinstance(value, datetime) or not isinstance(value, date):
        raise RequestSchemaError(f"{what} must be a date, not {_json_type(value)}")
    return value


def _check_time(value: object, what: str) -> datetime:
    if not isinstance(value, datetime):
        raise RequestSchemaError(f"{what} must be a date and time, not {_json_type(value)}")
    offset = value.utcoffset()
    if offset is None:
        raise RequestSchemaError(f"{what} must carry a UTC offset")
    if value.microsecond or offset.total_seconds() % 60:
        raise RequestSchemaError(f"{what} must be in whole seconds with a whole-minute offset")
    return value


def _parse_date(value: object, what: str) -> date:
    if not isinstance(value, str):
        raise RequestSchemaError(f"{what} must be a date string, not {_json_type(value)}")
    if not _DATE.fullmatch(value):
        raise RequestSchemaError(f"{what} {value[:40]!r} is not a date (YYYY-MM-DD)")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise RequestSchemaError(f"{what} {value!r} is not a valid date") from None


def _parse_time(value: object, what: str) -> datetime:
    if not isinstance(value, str):
        raise RequestSchemaError(f"{what} must be a time string, not {_json_type(value)}")
    if not _TIME.fullmatch(value):
        raise RequestSchemaError(f"{what} {value[:40]!r} is not a time (YYYY-MM-DDTHH:MM:SS+HH:MM)")
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise RequestSchemaError(f"{what} {value!r} is not a valid time") from None


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number with a fraction"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _time_text(value: datetime) -> str:
    return value.isoformat(timespec="seconds")


def _check_keys(obj: object, what: str, required: Collection[str]) -> dict[str, Any]:
    if not isinstance(obj, dict):
        raise RequestSchemaError(f"{what} must be an object, not {_json_type(obj)}")
    unknown = set(obj) - set(required)
    if unknown:
        raise RequestSchemaError(f"{what} has unknown key(s): {', '.join(sorted(unknown))}")
    missing = set(required) - set(obj)
    if missing:
        raise RequestSchemaError(f"{what} lacks key(s): {', '.join(sorted(missing))}")
    return obj


# -- the certificate catalogue ---------------------------------------------------------------


@dataclass(frozen=True)
class CertificateKindInfo:
    """One certificate the office issues: a stable code and its names."""

    code: str
    name_ja: str
    name_en: str

    def __post_init__(self) -> None:
        _check_code(self.code, "certificate kind code")
        _check_text(self.name_ja, f"name_ja of {self.code}", _SHORT_TEXT)
        _check_text(self.name_en, f"name_en of {self.code}", _SHORT_TEXT)

    def name(self, language: str) -> str:
        return self.name_ja if language == "ja" else self.name_en


@dataclass(frozen=True)
class KindCatalogue:
    """The certificate kinds a kiosk offers (order kept for display)."""

    kinds: tuple[CertificateKindInfo, ...]
    _by_code: Mapping[str, CertificateKindInfo] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_code: dict[str, CertificateKindInfo] = {}
        for kind in self.kinds:
            if kind.code in by_code:
                raise RequestSchemaError(f"certificate kind {kind.code!r} is listed twice")
            by_code[kind.code] = kind
        if not by_code:
            raise RequestSchemaError("the certificate catalogue lists no kind")
        object.__setattr__(self, "_by_code", by_code)

    @property
    def codes(self) -> frozenset[str]:
        return frozenset(self._by_code)

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def __iter__(self) -> Iterator[CertificateKindInfo]:
        return iter(self.kinds)

    def get(self, code: str) -> CertificateKindInfo | None:
        return self._by_code.get(code)

    @classmethod
    def from_mapping(cls, config: Mapping[str, Any]) -> KindCatalogue:
        """From parsed TOML: an array of tables ``certificate_kinds`` with ``code``,
        ``name_ja`` and ``name_en``."""
        entries = config.get("certificate_kinds")
        if not isinstance(entries, list):
            raise RequestSchemaError(
                "the configuration has no [[certificate_kinds]] array of tables"
            )
        kinds = []
        for i, entry in enumerate(entries):
            if not isinstance(entry, dict):
                raise RequestSchemaError(f"certificate_kinds[{i}] is not a table")
            unknown = set(entry) - {"code", "name_ja", "name_en"}
            if unknown:
                raise RequestSchemaError(
                    f"certificate_kinds[{i}] has unknown key(s): {', '.join(sorted(unknown))}"
                )
            missing = {"code", "name_ja", "name_en"} - set(entry)
            if missing:
                raise RequestSchemaError(
                    f"certificate_kinds[{i}] lacks key(s): {', '.join(sorted(missing))}"
                )
            kinds.append(CertificateKindInfo(entry["code"], entry["name_ja"], entry["name_en"]))
        return cls(tuple(kinds))

    @classmethod
    def from_toml(cls, source: str | Path) -> KindCatalogue:
        """Read the kiosk's TOML configuration (a path, or TOML text when it holds a newline
        or ``[``)::

            [[certificate_kinds]]
            code = "transcript"
            name_ja = "成績証明書"
            name_en = "Academic Transcript"
        """
        if isinstance(source, Path) or ("\n" not in source and "[" not in source):
            text = Path(source).read_text(encoding="utf-8")
        else:
            text = source
        try:
            config = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise RequestSchemaError(f"the configuration is not valid TOML: {exc}") from None
        return cls.from_mapping(config)


DEFAULT_CATALOGUE: Final = KindCatalogue(
    (
        CertificateKindInfo("transcript", "成績証明書", "Academic Transcript"),
        CertificateKindInfo("graduation", "卒業証明書", "Certificate of Graduation"),
        CertificateKindInfo("enrolment", "在学証明書", "Certificate of Enrolment"),
        CertificateKindInfo(
            "expected-graduation", "卒業見込証明書", "Certificate of Expected Graduation"
        ),
        CertificateKindInfo("completion", "修了証明書", "Certificate of Completion"),
        CertificateKindInfo("transcript-en", "成績証明書（英文）", "Academic Transcript (English)"),
        CertificateKindInfo(
            "graduation-en", "卒業証明書（英文）", "Certificate of Graduation (English)"
        ),
        CertificateKindInfo(
            "enrolment-en", "在学証明書（英文）", "Certificate of Enrolment (English)"
        ),
        CertificateKindInfo(
            "expected-graduation-en",
            "卒業見込証明書（英文）",
            "Certificate of Expected Graduation (English)",
        ),
        CertificateKindInfo(
            "completion-en", "修了証明書（英文）", "Certificate of Completion (English)"
        ),
    )
)
#: The kind codes :meth:`CertificateRequest.from_bytes` accepts unless told otherwise.
DEFAULT_KIND_CODES: Final = DEFAULT_CATALOGUE.codes


# -- the parts of a request ------------------------------------------------------------------


@dataclass(frozen=True)
class Applicant:
    """Who asks, as the signature certificate says (never the individual number).

    ``name`` is the current name on the certificate; certificates are issued
    with the name at enrolment (see :attr:`CertificateRequest.name_at_enrolment`).
    """

    name: str
    birth_date: date
    sex: str
    address: str
    certificate_issuer: str  # RFC 4514 text of the signature certificate's issuer
    certificate_serial: str  # its serial number, lower-case hex

    def __post_init__(self) -> None:
        _check_text(self.name, "applicant.name", _SHORT_TEXT)
        _check_date(self.birth_date, "applicant.birth_date")
        if not isinstance(self.sex, str) or self.sex not in _SEX_CODES:
            raise RequestSchemaError("applicant.sex must be one of '0', '1', '2', '3', '9'")
        _check_text(self.address, "applicant.address", _LONG_TEXT)
        _check_text(self.certificate_issuer, "applicant.certificate_issuer", _LONG_TEXT)
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
        from .certs import parse_holder_attributes

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
        d = _check_keys(
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
            birth_date=_parse_date(d["birth_date"], "applicant.birth_date"),
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


class DeliveryMethod(StrEnum):
    """How the certificate reaches the applicant."""

    POSTAL = "postal"  # 郵送 (EMS abroad)
    COUNTER = "counter"  # 窓口受取
    CONVENIENCE_STORE = "convenience-store"  # コンビニ発行 (until the print deadline)
    DIGITAL_PDF = "digital-pdf"  # デジタル証明書 (PDF), one download within 14 days


@dataclass(frozen=True)
class PostalDelivery:
    """By post to ``address`` (EMS when ``country`` is not ``JP``)."""

    recipient: str
    address: str
    postal_code: str | None = None
    country: str = "JP"

    method: DeliveryMethod = field(default=DeliveryMethod.POSTAL, init=False)

    def __post_init__(self) -> None:
        _check_text(self.recipient, "delivery.recipient", _SHORT_TEXT)
        _check_text(self.address, "delivery.address", _LONG_TEXT)
        if not isinstance(self.country, str) or not _COUNTRY.fullmatch(self.country):
            raise RequestSchemaError("delivery.country must be an ISO 3166 code such as 'JP'")
        if self.country == "JP":
            if not isinstance(self.postal_code, str) or not _JP_POSTAL_CODE.fullmatch(
                self.postal_code
            ):
                raise RequestSchemaError(
                    "delivery.postal_code must be a Japanese postal code like '102-8160'"
                )
        else:
            _check_optional_text(self.postal_code, "delivery.postal_code", 20)

    def details(self) -> dict[str, Any]:
        return {
            "address": self.address,
            "country": self.country,
            "postal_code": self.postal_code,
            "recipient": self.recipient,
        }


@dataclass(frozen=True)
class CounterDelivery:
    """Picked up at the office counter named by ``counter`` (a code from the kiosk config)."""

    counter: str

    method: DeliveryMethod = field(default=DeliveryMethod.COUNTER, init=False)

    def __post_init__(self) -> None:
        _check_code(self.counter, "delivery.counter")

    def details(self) -> dict[str, Any]:
        return {"counter": self.counter}


@dataclass(frozen=True)
class ConvenienceStoreDelivery:
    """Printed at a convenience store's multi-copy machine until ``print_deadline`` (JST)."""

    store: str
    print_deadline: date

    method: DeliveryMethod = field(default=DeliveryMethod.CONVENIENCE_STORE, init=False)

    def __post_init__(self) -> None:
        _check_code(self.store, "delivery.store")
        _check_date(self.print_deadline, "delivery.print_deadline")

    def details(self) -> dict[str, Any]:
        return {"print_deadline": self.print_deadline.isoformat(), "store": self.store}


@dataclass(frozen=True)
class DigitalPdfDelivery:
    """A signed PDF naming ``recipient`` (the company or school it is submitted to),
    downloadable once within 14 days of issue."""

    recipient: str

    method: DeliveryMethod = field(default=DeliveryMethod.DIGITAL_PDF, init=False)

    def __post_init__(self) -> None:
        _check_text(self.recipient, "delivery.recipient", _SHORT_TEXT)

    def details(self) -> dict[str, Any]:
        return {"recipient": self.recipient}


Delivery = PostalDelivery | CounterDelivery | ConvenienceStoreDelivery | DigitalPdfDelivery

_DELIVERY_KEYS: Final[Mapping[DeliveryMethod, tuple[str, ...]]] = {
    DeliveryMethod.POSTAL: ("address", "country", "postal_code", "recipient"),
    DeliveryMethod.COUNTER: ("counter",),
    DeliveryMethod.CONVENIENCE_STORE: ("print_deadline", "store"),
    DeliveryMethod.DIGITAL_PDF: ("recipient",),
}


def _delivery_to_json(delivery: Delivery) -> dict[str, Any]:
    return {"method": delivery.method.value, **delivery.details()}


def _delivery_from_json(obj: object) -> Delivery:
    if not isinstance(obj, dict):
        raise RequestSchemaError(f"delivery must be an object, not {_json_type(obj)}")
    method_value = obj.get("method")
    if not isinstance(method_value, str):
        raise RequestSchemaError("delivery.method is missing or not a string")
    try:
        method = DeliveryMethod(method_value)
    except ValueError:
        known = ", ".join(m.value for m in DeliveryMethod)
        raise RequestSchemaError(
            f"unknown delivery method {method_value[:40]!r} (known: {known})"
        ) from None
    keys = _DELIVERY_KEYS[method]
    unknown = set(obj) - {"method", *keys}
    if unknown:
        raise RequestSchemaError(
            f"delivery ({method.value}) has unknown key(s): {', '.join(sorted(unknown))}"
        )
    missing = set(keys) - set(obj)
    if missing:
        raise RequestSchemaError(
            f"delivery ({method.value}) lacks its details: {', '.join(sorted(missing))}"
        )
    if method is DeliveryMethod.POSTAL:
        return PostalDelivery(
            recipient=obj["recipient"],
            address=obj["address"],
            postal_code=obj["postal_code"],
            country=obj["country"],
        )
    if method is DeliveryMethod.COUNTER:
        return CounterDelivery(counter=obj["counter"])
    if method is DeliveryMethod.CONVENIENCE_STORE:
        return ConvenienceStoreDelivery(
            store=obj["store"],
            print_deadline=_parse_date(obj["print_deadline"], "delivery.print_deadline"),
        )
    return DigitalPdfDelivery(recipient=obj["recipient"])


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
        raise RequestSchemaError(f"request_id must be a string, not {_json_type(value)}")
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
    """A certificate request as the applicant signs it (version :data:`DOCUMENT_VERSION`).

    Construct it with :meth:`create` (fresh id, current time) or directly;
    every field is checked on construction except the certificate kind's
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
        _check_time(self.time, "time")
        _check_code(self.kind, "kind")
        if not isinstance(self.language, str) or self.language not in LANGUAGES:
            raise RequestSchemaError(
                f"language must be one of {', '.join(sorted(LANGUAGES))}, not {self.language!r}"
            )
        _check_int(self.copies, "copies", MIN_COPIES, MAX_COPIES)
        if not isinstance(
            self.delivery,
            PostalDelivery | CounterDelivery | ConvenienceStoreDelivery | DigitalPdfDelivery,
        ):
            raise RequestSchemaError("delivery must be one of the delivery classes")
        _check_text(self.purpose, "purpose", _LONG_TEXT)
        if not isinstance(self.applicant, Applicant):
            raise RequestSchemaError("applicant must be an Applicant")
        _check_optional_text(self.student_id, "student_id", 32)
        _check_optional_text(self.name_at_enrolment, "name_at_enrolment", _SHORT_TEXT)

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
                f"unknown certificate kind {self.kind!r} "
                f"(this office issues: {', '.join(sorted(allowed_kinds))})"
            )

    # -- encoding ------------------------------------------------------------------------

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "applicant": self.applicant.to_json_dict(),
            "copies": self.copies,
            "delivery": _delivery_to_json(self.delivery),
            "kind": self.kind,
            "kiosk_id": self.kiosk_id,
            "language": self.language,
            "name_at_enrolment": self.name_at_enrolment,
            "purpose": self.purpose,
            "request_id": self.request_id,
            "student_id": self.student_id,
            "time": _time_text(self.time),
            "type": DOCUMENT_TYPE,
            "version": DOCUMENT_VERSION,
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
        d = _check_keys(obj, "the request", _TOP_KEYS)
        if d["type"] != DOCUMENT_TYPE:
            raise RequestSchemaError(f"type must be {DOCUMENT_TYPE!r}, not {str(d['type'])[:60]!r}")
        version = d["version"]
        if isinstance(version, bool) or not isinstance(version, int):
            raise RequestSchemaError(f"version must be an integer, not {_json_type(version)}")
        if version != DOCUMENT_VERSION:
            raise RequestSchemaError(
                f"request document version {version} is not supported "
                f"(this software reads version {DOCUMENT_VERSION})"
            )
        request = cls(
            request_id=d["request_id"],
            kiosk_id=d["kiosk_id"],
            time=_parse_time(d["time"], "time"),
            kind=d["kind"],
            language=d["language"],
            copies=d["copies"],
            delivery=_delivery_from_json(d["delivery"]),
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
    ) -> CertificateRequest:
        """Parse and validate a request document.

        ``allowed_kinds`` is the set of certificate kind codes the office
        issues (default :data:`DEFAULT_KIND_CODES`; ``None`` accepts any
        well-formed code). With ``canonical`` (the default) the bytes must be
        exactly :meth:`to_bytes` of the result, so one request has one encoding.
        """
        if not isinstance(data, bytes | bytearray | memoryview):
            raise RequestSchemaError(f"a request document is bytes, not {type(data).__name__}")
        raw = bytes(data)
        if len(raw) > MAX_DOCUMENT_SIZE:
            raise RequestSchemaError(
                f"the request document is {len(raw)} bytes; at most {MAX_DOCUMENT_SIZE} are allowed"
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
                parse_constant=_no_constant,
            )
        except RequestSchemaError:
            raise
        except (json.JSONDecodeError, RecursionError) as exc:
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


def _no_float(text: str) -> Any:
    raise RequestSchemaError(f"numbers with a fraction or exponent are not allowed ({text[:20]})")


def _no_constant(text: str) -> Any:
    raise RequestSchemaError(f"{text} is not allowed in a request document")


# -- signing --------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignedRequest:
    """A request document and its CMS signature (``document`` is exactly the signed bytes;
    with ``detached=False`` it is inside ``signature`` as well)."""

    document: bytes
    signature: bytes
    detached: bool = True

    @property
    def request_id(self) -> str:
        return CertificateRequest.from_bytes(self.document, allowed_kinds=None).request_id


def sign_request(
    card: JpkiCard,
    request: CertificateRequest,
    *,
    pin: PinSource,
    detached: bool = True,
    include_ca: bool = False,
    signing_time: datetime | None = None,
) -> SignedRequest:
    """Have the applicant sign ``request`` with the card's signature key (one PIN entry)."""
    from .cms import sign_cms

    document = request.to_bytes()
    signature = sign_cms(
        card,
        document,
        pin=pin,
        detached=detached,
        include_ca=include_ca,
        signing_time=signing_time,
    )
    return SignedRequest(document, signature, detached)


def sign_request_with_key(
    private_key: rsa.RSAPrivateKey,
    certificate: x509.Certificate,
    request: CertificateRequest | bytes,
    *,
    detached: bool = True,
    signing_time: datetime | None = None,
) -> SignedRequest:
    """The same with a software key (tests, benchmarks). ``request`` may be raw bytes, to
    sign something that is not a valid request."""
    from .cms import sign_cms_with_key

    document = request.to_bytes() if isinstance(request, CertificateRequest) else bytes(request)
    signature = sign_cms_with_key(
        private_key, certificate, document, detached=detached, signing_time=signing_time
    )
    return SignedRequest(document, signature, detached)
