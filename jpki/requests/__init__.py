"""Signed certificate requests: the document an applicant signs at the kiosk.

* :mod:`~jpki.requests.document` — :class:`CertificateRequest` (one canonical JSON
  encoding, strict parsing) and its :class:`Applicant`;
* :mod:`~jpki.requests.catalogue` — the kinds of certificate an office issues
  (:class:`DocumentType`, :class:`DocumentCatalogue`, :data:`DEFAULT_CATALOGUE`),
  one catalogue for the kiosk, the request document and the ledger;
* :mod:`~jpki.requests.delivery` — how a certificate reaches the applicant
  (:class:`DeliveryMethod` and a class of details per method), one model for the
  kiosk, the request document and the ledger;
* :mod:`~jpki.requests.signing` — signing a request (:func:`sign_request`);
* :mod:`~jpki.requests.schema` — the value checks and :class:`RequestSchemaError`.
"""

from .catalogue import DEFAULT_CATALOGUE, DEFAULT_KIND_CODES, DocumentCatalogue, DocumentType
from .delivery import (
    ConvenienceStoreDelivery,
    CounterDelivery,
    Delivery,
    DeliveryMethod,
    DigitalPdfDelivery,
    PostalDelivery,
)
from .document import (
    MAX_COPIES,
    MAX_DOCUMENT_SIZE,
    SCHEMA_ID,
    SCHEMA_VERSION,
    Applicant,
    CertificateRequest,
    new_request_id,
)
from .schema import LANGUAGES, RequestSchemaError
from .signing import SignedRequest, sign_request, sign_request_with_key

__all__ = [
    "DEFAULT_CATALOGUE",
    "DEFAULT_KIND_CODES",
    "LANGUAGES",
    "MAX_COPIES",
    "MAX_DOCUMENT_SIZE",
    "SCHEMA_ID",
    "SCHEMA_VERSION",
    "Applicant",
    "CertificateRequest",
    "ConvenienceStoreDelivery",
    "CounterDelivery",
    "Delivery",
    "DeliveryMethod",
    "DigitalPdfDelivery",
    "DocumentCatalogue",
    "DocumentType",
    "PostalDelivery",
    "RequestSchemaError",
    "SignedRequest",
    "new_request_id",
    "sign_request",
    "sign_request_with_key",
]
