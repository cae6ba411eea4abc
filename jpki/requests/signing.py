"""Signing a request document: with the card's signature key, or a software key for tests.

A :class:`SignedRequest` is what the kiosk hands to the ledger: the canonical
document bytes and the CMS signature over exactly those bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from cryptography import x509

from .document import CertificateRequest

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric import rsa

    from ..card import JpkiCard
    from ..pins import PinSource

__all__ = ["SignedRequest", "sign_request", "sign_request_with_key"]


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
    from ..cms import sign_cms

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
    from ..cms import sign_cms_with_key

    document = request.to_bytes() if isinstance(request, CertificateRequest) else bytes(request)
    signature = sign_cms_with_key(
        private_key, certificate, document, detached=detached, signing_time=signing_time
    )
    return SignedRequest(document, signature, detached)
