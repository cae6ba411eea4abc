"""Challenge–response authentication of an applicant with the card's user-authentication key.

The relying party (the kiosk) and the card side are independent::

    authenticator = Authenticator(trust_store)          # relying party
    challenge = authenticator.issue_challenge()
    response = authenticate(card, challenge, pin)       # card side: one transaction
    result = authenticator.verify(challenge, response.signature, response.certificate)
    if result.ok: ...

The card signs :meth:`Challenge.to_bytes`: a fixed context prefix
(:data:`CONTEXT`) and a 32-byte random nonce, with RSA PKCS#1 v1.5 and
SHA-256. The prefix keeps a signature made here from being passed off as a
signature over some other protocol's message, and :func:`authenticate` refuses
to sign anything that is not such a challenge.

A challenge is good for one :meth:`Authenticator.verify` — the first one
consumes it whether it succeeds or not — and only until it expires. The
certificate must be a user-authentication certificate that chains to the
trust store, is valid now and (per the revocation policy) not revoked.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, ClassVar, Final

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from .layout import CertKind
from .pins import PinSource
from .timeutil import jst_iso
from .trust import CrlStore, Purpose, RevocationPolicy, TrustStore, ValidationResult
from .verdict import (
    CERTIFICATE_CHECKS,
    CERTIFICATE_REASONS,
    NOT_CHECKED,
    SignatureReason,
    Verdict,
    certificate_checks,
    certificate_refusal,
)

if TYPE_CHECKING:
    from .card import JpkiCard

__all__ = [
    "AUTHENTICATION_CHECKS",
    "CONTEXT",
    "DEFAULT_CHALLENGE_TTL",
    "NONCE_SIZE",
    "AuthenticationReason",
    "AuthenticationResponse",
    "AuthenticationResult",
    "Authenticator",
    "Challenge",
    "authenticate",
    "challenge_message",
]

#: Prefix of every message the card signs for this protocol (domain separation).
CONTEXT: Final = b"JPKI-KIOSK-AUTH-v1\0"
NONCE_SIZE: Final = 32
DEFAULT_CHALLENGE_TTL: Final = timedelta(minutes=2)
#: How long a used or expired challenge is remembered after its expiry, so that a late
#: or repeated answer is told "replayed"/"expired" rather than "unknown".
_RETENTION: Final = timedelta(minutes=10)


@dataclass(frozen=True)
class Challenge:
    """A one-time challenge; :meth:`to_bytes` is what the card signs."""

    nonce: bytes
    issued_at: datetime
    expires_at: datetime

    def to_bytes(self) -> bytes:
        return CONTEXT + self.nonce


def challenge_message(challenge: Challenge | bytes) -> bytes:
    """The bytes to sign for ``challenge``: a :class:`Challenge`, its :meth:`~Challenge.to_bytes`
    or its bare nonce. ``ValueError`` for anything else (the card never signs other data here).
    """
    if isinstance(challenge, Challenge):
        nonce = challenge.nonce
    else:
        raw = bytes(challenge)
        nonce = raw[len(CONTEXT) :] if raw.startswith(CONTEXT) else raw
    if len(nonce) != NONCE_SIZE:
        raise ValueError(
            f"not an authentication challenge: expected {CONTEXT!r} and a {NONCE_SIZE}-byte nonce"
        )
    return CONTEXT + nonce


#: Why an authentication was refused: :class:`jpki.verdict.SignatureReason` (the same
#: enum); :attr:`AuthenticationResult.REASONS` lists the members :meth:`Authenticator.verify`
#: gives.
AuthenticationReason = SignatureReason

#: The checks :meth:`Authenticator.verify` reports, in order.
AUTHENTICATION_CHECKS: Final = ("challenge", "signature", *CERTIFICATE_CHECKS.values())


@dataclass(frozen=True)
class AuthenticationResult(Verdict):
    """The outcome of :meth:`Authenticator.verify` (see :class:`jpki.verdict.Verdict`).

    ``signer_certificate`` is the card's user-authentication certificate that answered
    and ``certificate_serial`` its serial number (the certificate names no person, so
    ``holder`` is ``None``); ``validation`` is the trust store's verdict, ``None`` when
    verification stopped before it. ``checks`` maps each of :data:`AUTHENTICATION_CHECKS`
    to its outcome.
    """

    certificate_serial: int | None
    issuer_generation: str | None
    checked_at: datetime

    OUTCOMES: ClassVar[tuple[str, str]] = ("authenticated", "not authenticated")
    VALID_KEY: ClassVar[str] = "authenticated"
    REASONS: ClassVar[frozenset[SignatureReason]] = CERTIFICATE_REASONS | {
        AuthenticationReason.REPLAYED,
        AuthenticationReason.UNKNOWN_CHALLENGE,
        AuthenticationReason.EXPIRED_CHALLENGE,
        AuthenticationReason.BAD_SIGNATURE,
    }

    @property
    def ok(self) -> bool:
        """Whether the applicant is authenticated (``valid``)."""
        return self.valid

    def _details(self) -> dict[str, Any]:
        return {"checked_at": jst_iso(self.checked_at)}

    def _certificate_dict(self, cert: x509.Certificate) -> dict[str, Any]:
        return {
            **super()._certificate_dict(cert),
            "issuer": cert.issuer.rfc4514_string(),
            "not_after": jst_iso(cert.not_valid_after_utc),
        }


@dataclass(frozen=True)
class AuthenticationResponse:
    """What the card side sends back: the signature and the user-authentication certificate."""

    signature: bytes
    certificate: x509.Certificate
    #: The card's root (EF ``000B``), read only when the relying party's store lacks the
    #: pinned root it issued from (:func:`jpki.cardtrust.card_roots`).
    roots: tuple[x509.Certificate, ...] = ()


@dataclass
class _Issued:
    challenge: Challenge
    used: bool = False


def _utc_now() -> datetime:
    return datetime.now(UTC)


class Authenticator:
    """The relying party: issues challenges and verifies the answers. Thread-safe.

    ``trust_store`` defaults to the J-LIS production roots; ``crls`` and
    ``crl_policy`` decide how revocation is checked; ``clock`` (returning an
    aware datetime) is for tests.
    """

    def __init__(
        self,
        trust_store: TrustStore | None = None,
        crl_policy: RevocationPolicy = RevocationPolicy.IF_AVAILABLE,
        crls: CrlStore | None = None,
        challenge_ttl: timedelta = DEFAULT_CHALLENGE_TTL,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        if challenge_ttl <= timedelta(0):
            raise ValueError("challenge_ttl must be positive")
        self.trust_store = trust_store if trust_store is not None else TrustStore.production()
        self.crl_policy = RevocationPolicy(crl_policy)
        self.crls = crls
        self.challenge_ttl = challenge_ttl
        self._clock = clock or _utc_now
        self._lock = threading.Lock()
        self._issued: dict[bytes, _Issued] = {}  # insertion order = expiry order

    def _now(self) -> datetime:
        now = self._clock()
        if now.tzinfo is None or now.utcoffset() is None:
            raise ValueError("the clock must return timezone-aware datetimes")
        return now

    def _forget_old(self, now: datetime) -> None:
        """Drop challenges past their expiry plus the retention time (caller holds the lock)."""
        while self._issued:
            nonce, entry = next(iter(self._issued.items()))
            if entry.challenge.expires_at + _RETENTION >= now:
                break
            del self._issued[nonce]

    @property
    def outstanding(self) -> int:
        """How many challenges are remembered (issued and not yet forgotten)."""
        with self._lock:
            return len(self._issued)

    def issue_challenge(self) -> Challenge:
        """A fresh challenge with a 32-byte nonce from :mod:`secrets`."""
        now = self._now()
        challenge = Challenge(
            nonce=secrets.token_bytes(NONCE_SIZE),
            issued_at=now,
            expires_at=now + self.challenge_ttl,
        )
        with self._lock:
            self._forget_old(now)
            self._issued[challenge.nonce] = _Issued(challenge)
        return challenge

    def verify(
        self,
        challenge: Challenge | bytes,
        signature: bytes,
        auth_certificate: x509.Certificate,
        *,
        presented: Sequence[x509.Certificate] = (),
    ) -> AuthenticationResult:
        """Check the card's answer to ``challenge`` (which this call uses up). ``presented``:
        roots the card gave (:attr:`AuthenticationResponse.roots`); the trust store accepts
        one only if its SHA-256 equals a pin."""
        now = self._now()
        certificate = auth_certificate if isinstance(auth_certificate, x509.Certificate) else None
        checks = dict.fromkeys(AUTHENTICATION_CHECKS, NOT_CHECKED)

        def result(
            reason: AuthenticationReason | None,
            message: str,
            validation: ValidationResult | None = None,
        ) -> AuthenticationResult:
            return AuthenticationResult(
                valid=reason is None,
                reason=reason,
                message=message,
                signer_certificate=certificate,
                checks=MappingProxyType(dict(checks)),
                validation=validation,
                certificate_serial=_serial(certificate),
                issuer_generation=validation.issuer_generation if validation else None,
                checked_at=now,
            )

        def refuse(check: str, reason: AuthenticationReason, message: str) -> AuthenticationResult:
            checks[check] = f"failed: {message}"
            return result(reason, message)

        try:
            message = challenge_message(challenge)
        except ValueError as exc:
            return refuse("challenge", AuthenticationReason.UNKNOWN_CHALLENGE, str(exc))
        nonce = message[len(CONTEXT) :]
        with self._lock:
            self._forget_old(now)
            entry = self._issued.get(nonce)
            if entry is None:
                return refuse(
                    "challenge",
                    AuthenticationReason.UNKNOWN_CHALLENGE,
                    "this challenge was not issued here (or is long gone)",
                )
            if entry.used:
                return refuse(
                    "challenge",
                    AuthenticationReason.REPLAYED,
                    "this challenge was already used; a challenge is good for one answer",
                )
            entry.used = True
        if now > entry.challenge.expires_at:
            return refuse(
                "challenge",
                AuthenticationReason.EXPIRED_CHALLENGE,
                "the challenge expired before it was answered; start again",
            )
        checks["challenge"] = "ok"

        if certificate is None:
            return refuse(
                "certificate-format", AuthenticationReason.MALFORMED, "no certificate was given"
            )
        try:
            public = certificate.public_key()
        except (ValueError, TypeError) as exc:
            return refuse(
                "certificate-format",
                AuthenticationReason.MALFORMED,
                f"the certificate's key cannot be read: {exc}",
            )
        if not isinstance(public, rsa.RSAPublicKey):
            return refuse(
                "certificate-format",
                AuthenticationReason.MALFORMED,
                "the certificate holds no RSA key",
            )
        try:
            public.verify(bytes(signature), message, padding.PKCS1v15(), hashes.SHA256())
        except (InvalidSignature, ValueError, TypeError):
            return refuse(
                "signature",
                AuthenticationReason.BAD_SIGNATURE,
                "the signature does not match the challenge and the certificate's key",
            )
        checks["signature"] = "ok (RSA PKCS#1 v1.5, SHA-256)"

        validation = self.trust_store.validate(
            certificate,
            purpose=Purpose.AUTHENTICATION,
            at=now,
            crls=self.crls,
            policy=self.crl_policy,
            intermediates=tuple(presented),
        )
        checks.update(certificate_checks(validation))
        if not validation.valid:
            return result(*certificate_refusal(validation), validation)
        return result(None, f"Authenticated. {validation.message}", validation)


def _serial(certificate: object) -> int | None:
    if not isinstance(certificate, x509.Certificate):
        return None
    try:
        return certificate.serial_number
    except ValueError:
        return None


def authenticate(
    card: JpkiCard,
    challenge: Challenge | bytes,
    pin: PinSource,
    *,
    store: TrustStore | None = None,
) -> AuthenticationResponse:
    """Card side: read the user-authentication certificate and sign the challenge with its key
    (auth PIN, SHA-256), in one transaction. With ``store`` (the relying party's), the
    card's root is read too when ``store`` lacks the pinned root the certificate names."""
    from .cardtrust import card_roots  # it imports jpki.card, as this module does

    message = challenge_message(challenge)
    with card.transaction():
        certificate = card.read_certificate(CertKind.AUTH)
        roots = (
            () if store is None else card_roots(card, store, certificate, Purpose.AUTHENTICATION)
        )
        signature = card.sign(CertKind.AUTH, message, pin=pin, hash_algorithm=hashes.SHA256())
    return AuthenticationResponse(signature=signature, certificate=certificate, roots=roots)
