"""How a certificate reaches the applicant: the delivery methods and the details each needs.

:class:`DeliveryMethod` is the one list of methods — the kiosk offers them, the
catalogue says which a document type allows, the request document records one,
and the ledger's lifecycle depends on it (a digital PDF is downloaded once; the
others are delivered). Each method has a class holding its details
(:data:`Delivery` is any of them), written into the request document as
``{"method": …, <details>}``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any, Final

from .schema import (
    LONG_TEXT,
    SHORT_TEXT,
    RequestSchemaError,
    check_code,
    check_date,
    check_optional_text,
    check_text,
    json_type,
    parse_date,
)

__all__ = [
    "ConvenienceStoreDelivery",
    "CounterDelivery",
    "Delivery",
    "DeliveryMethod",
    "DigitalPdfDelivery",
    "PostalDelivery",
    "delivery_from_json",
    "delivery_to_json",
]

_COUNTRY: Final = re.compile(r"[A-Z]{2}")
_JP_POSTAL_CODE: Final = re.compile(r"\d{3}-\d{4}")


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
        check_text(self.recipient, "delivery.recipient", SHORT_TEXT)
        check_text(self.address, "delivery.address", LONG_TEXT)
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
            check_optional_text(self.postal_code, "delivery.postal_code", 20)

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
        check_code(self.counter, "delivery.counter")

    def details(self) -> dict[str, Any]:
        return {"counter": self.counter}


@dataclass(frozen=True)
class ConvenienceStoreDelivery:
    """Printed at a convenience store's multi-copy machine until ``print_deadline`` (JST)."""

    store: str
    print_deadline: date

    method: DeliveryMethod = field(default=DeliveryMethod.CONVENIENCE_STORE, init=False)

    def __post_init__(self) -> None:
        check_code(self.store, "delivery.store")
        check_date(self.print_deadline, "delivery.print_deadline")

    def details(self) -> dict[str, Any]:
        return {"print_deadline": self.print_deadline.isoformat(), "store": self.store}


@dataclass(frozen=True)
class DigitalPdfDelivery:
    """A signed PDF naming ``recipient`` (the company or school it is submitted to),
    downloadable once within 14 days of issue."""

    recipient: str

    method: DeliveryMethod = field(default=DeliveryMethod.DIGITAL_PDF, init=False)

    def __post_init__(self) -> None:
        check_text(self.recipient, "delivery.recipient", SHORT_TEXT)

    def details(self) -> dict[str, Any]:
        return {"recipient": self.recipient}


Delivery = PostalDelivery | CounterDelivery | ConvenienceStoreDelivery | DigitalPdfDelivery

_DELIVERY_KEYS: Final[Mapping[DeliveryMethod, tuple[str, ...]]] = {
    DeliveryMethod.POSTAL: ("address", "country", "postal_code", "recipient"),
    DeliveryMethod.COUNTER: ("counter",),
    DeliveryMethod.CONVENIENCE_STORE: ("print_deadline", "store"),
    DeliveryMethod.DIGITAL_PDF: ("recipient",),
}


def delivery_to_json(delivery: Delivery) -> dict[str, Any]:
    """The document's ``delivery`` object."""
    return {"method": delivery.method.value, **delivery.details()}


def delivery_from_json(obj: object) -> Delivery:
    """The delivery in a document's ``delivery`` object; :class:`RequestSchemaError` if bad."""
    if not isinstance(obj, dict):
        raise RequestSchemaError(f"delivery must be an object, not {json_type(obj)}")
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
            print_deadline=parse_date(obj["print_deadline"], "delivery.print_deadline"),
        )
    return DigitalPdfDelivery(recipient=obj["recipient"])
