"""An applicant proves at a kiosk that they hold their card: the card signs a challenge with
its user-authentication key, and the office checks the answer.

Two uses:

* **linking a submission to its holder**: the kiosk sends, with the signed
  request, the card's answer from the session's authentication (its challenge,
  signature and certificate). The office checks the signature and the
  certificate (a user-authentication certificate of a trusted J-LIS root, valid at
  the time the request was signed) and records the certificate's SHA-256 with the
  request. The challenge was the kiosk's own, so the office cannot tell when it
  was answered: a copy of an answer attached to *another* request makes that
  request show in the card holder's list — a nuisance to them, nothing
  disclosed to whoever attached it;
* **listing the applicant's own requests**: the office issues the challenge
  (:meth:`HolderChallenges.issue`), a self-authenticating 32-byte nonce — expiry,
  randomness and a MAC binding it to the kiosk, so that any instance can check it
  — and takes one answer per challenge (used ones are recorded in the database).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import struct
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from jpki.authn import CONTEXT, NONCE_SIZE
from jpki.officeapi.wire import HolderProof
from jpki.trust import CrlStore, Purpose, RevocationPolicy, TrustStore

__all__ = ["CHALLENGE_TTL", "HolderChallenges", "HolderError", "check_proof"]

CHALLENGE_TTL: Final = timedelta(minutes=2)
_MAC_DOMAIN: Final = b"jpki-office-holder-challenge-v1\0"
_MAX_CERTIFICATE: Final = 8 * 1024


class HolderError(ValueError):
    """The card's answer is not accepted (the message says why)."""


@dataclass(frozen=True)
class CheckedHolder:
    auth_cert_sha256: str
    nonce: bytes


def check_proof(
    proof: HolderProof,
    *,
    trust_store: TrustStore,
    crls: CrlStore | None,
    policy: RevocationPolicy,
    at: datetime,
) -> CheckedHolder:
    """Check that ``proof`` is a signature by a valid user-authentication certificate over an
    authentication challenge; the certificate's SHA-256 and the nonce."""
    message = proof.challenge
    if len(message) != len(CONTEXT) + NONCE_SIZE or not message.startswith(CONTEXT):
        raise HolderError("the holder's challenge is not an authentication challenge")
    if len(proof.certificate) > _MAX_CERTIFICATE:
        raise HolderError("the holder's certificate is too large")
    try:
        certificate = x509.load_der_x509_certificate(proof.certificate)
        public = certificate.public_key()
    except ValueError:
        raise HolderError("the holder's certificate cannot be read") from None
    if not isinstance(public, rsa.RSAPublicKey):
        raise HolderError("the holder's certificate holds no RSA key")
    try:
        public.verify(proof.signature, message, padding.PKCS1v15(), hashes.SHA256())
    except (InvalidSignature, ValueError):
        raise HolderError("the card's signature does not match the challenge") from None
    result = trust_store.validate(
        certificate, purpose=Purpose.AUTHENTICATION, at=at, crls=crls, policy=policy
    )
    if not result.valid:
        raise HolderError(f"the holder's certificate is not accepted: {result.message}")
    return CheckedHolder(hashlib.sha256(proof.certificate).hexdigest(), message[len(CONTEXT) :])


class HolderChallenges:
    """Challenges the office issues to a kiosk for an applicant's card (stateless: any
    instance with the same secret checks them)."""

    def __init__(self, secret: bytes) -> None:
        self._key = hmac.new(secret, _MAC_DOMAIN, hashlib.sha256).digest()

    def _mac(self, kiosk_id: str, head: bytes) -> bytes:
        return hmac.new(self._key, kiosk_id.encode() + b"\0" + head, hashlib.sha256).digest()[:16]

    def issue(self, kiosk_id: str, now: datetime) -> tuple[bytes, datetime]:
        """The bytes for the card to sign (context prefix + nonce) and their expiry."""
        expires = now + CHALLENGE_TTL
        head = struct.pack(">I", int(expires.timestamp())) + secrets.token_bytes(12)
        return CONTEXT + head + self._mac(kiosk_id, head), expires

    def check(self, kiosk_id: str, nonce: bytes, now: datetime) -> datetime:
        """The expiry of a nonce this office issued to ``kiosk_id``; :class:`HolderError` if it
        did not, or it has expired."""
        if len(nonce) != NONCE_SIZE:
            raise HolderError("not a challenge of this office")
        head, mac = nonce[:16], nonce[16:]
        if not hmac.compare_digest(mac, self._mac(kiosk_id, head)):
            raise HolderError("not a challenge this office issued to this kiosk")
        expires = datetime.fromtimestamp(struct.unpack(">I", head[:4])[0], UTC)
        if now > expires:
            raise HolderError("the challenge has expired; ask for a new one")
        return expires
