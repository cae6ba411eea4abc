"""Verifying a CMS (PKCS #7) SignedData offline: :func:`verify_cms`.

It accepts DER, BER (indefinite lengths, as ``openssl cms -sign -stream`` writes) and
PEM, detached or attached, with exactly one signer; the content of a detached signature
may be a stream (a file), hashed in chunks whatever its size. What it reads whole is
bounded (:class:`jpki.limits.CmsLimits`: the signature's size, its signed attributes,
certificates and signers), checked before parsing goes further: anything past a limit is
``too-large``. It never raises for bad input:
every problem becomes a :class:`CmsVerification` with ``valid=False``, a
:data:`CmsReason` and a one-line message; ``checks`` records each check and its
outcome. Digests: SHA-256/384/512; signatures: RSA PKCS#1 v1.5; signed attributes are
required.

The signer's certificate is validated (chain, validity, revocation, key usage) by
:class:`jpki.trust.TrustStore` at the signing time the signer claims (the signing-time
attribute; the verification time when there is none). A signing time later than the
verification time (beyond :data:`SIGNING_TIME_SKEW`) is rejected. The signing time is
the signer's own claim, not a time-stamp: a holder whose certificate has expired or
been revoked could back-date it, so a relying party that receives requests live (the
kiosk) should check that ``signing_time`` is recent.

Speed (``bench/bench_cms.py``): the CMS is read with the small strict DER reader of
:mod:`jpki.cms._der` rather than asn1crypto's object model (which took two thirds of the
time); asn1crypto serves the rare paths (BER normalisation fallback, re-encoding signed
attributes as DER, the generic ESS attribute, times, RFC 5280 name matching, OID names
in messages). The signer's certificate object that :mod:`jpki.trust` has cached is
reused; the holder's attributes are parsed only when ``CmsVerification.holder`` is read.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Any, BinaryIO, ClassVar, Final

from asn1crypto import algos, cms
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa

from ..digestinfo import SHA2, hash_data, hash_stream
from ..limits import CHUNK_SIZE, CmsLimits
from ..timeutil import aware, jst_iso
from ..trust import CrlStore, Purpose, RevocationPolicy, TrustStore, ValidationResult
from ..verdict import (
    CERTIFICATE_CHECKS,
    CERTIFICATE_REASONS,
    CLOCK_SKEW,
    NOT_CHECKED,
    SignatureReason,
    Verdict,
    as_sentence,
    certificate_checks,
    certificate_refusal,
)
from ._der import BODY, IndefiniteLength, definite_lengths
from ._signed_data import (
    ATTRIBUTE_NAMES,
    DIGEST_OIDS,
    OID_DATA,
    SIGNATURE_OIDS,
    Reject,
    SignedData,
    SignerInfo,
    attribute_value,
    check_signing_certificate,
    find_signer,
    oid_name,
    parse_signed_data,
    parse_signer_info,
    parse_signing_time,
    single_value,
    to_der,
    verify_signed_attributes,
)

__all__ = ["CHECKS", "SIGNING_TIME_SKEW", "CmsReason", "CmsVerification", "verify_cms"]

#: How far in the future (by the verifier's clock) a signing time may be.
SIGNING_TIME_SKEW: Final = CLOCK_SKEW
#: Why a CMS signature was refused (:attr:`CmsVerification.REASONS` lists which).
CmsReason = SignatureReason


#: The checks :func:`verify_cms` reports, in the order it makes them.
CHECKS: Final = (
    "structure",
    "signer-count",
    "content",
    "content-type",
    "message-digest",
    "signer-certificate",
    "signing-certificate-attribute",
    "signature",
    "signing-time",
    *CERTIFICATE_CHECKS.values(),
)


@dataclass(frozen=True)
class CmsVerification(Verdict):
    """The outcome of :func:`verify_cms` (see :class:`jpki.verdict.Verdict`).

    ``signer_certificate`` and ``holder`` are what the signature *claims*;
    rely on them only when ``valid``. ``content`` is set for an attached
    signature. The holder's attributes are parsed when ``holder`` is first read.
    """

    signing_time: datetime | None = None
    content: bytes | None = None

    REASONS: ClassVar[frozenset[SignatureReason]] = CERTIFICATE_REASONS | {
        CmsReason.TOO_LARGE,
        CmsReason.UNSUPPORTED,
        CmsReason.SIGNER_COUNT,
        CmsReason.NO_CONTENT,
        CmsReason.CONTENT_MISMATCH,
        CmsReason.DIGEST_MISMATCH,
        CmsReason.NO_SIGNER_CERTIFICATE,
        CmsReason.SIGNING_CERTIFICATE_MISMATCH,
        CmsReason.BAD_SIGNATURE,
        CmsReason.FUTURE_SIGNING_TIME,
    }

    def _head(self) -> dict[str, Any]:
        return {"field": None}

    def _details(self) -> dict[str, Any]:
        return {"level": "CMS", "signing_time": jst_iso(self.signing_time), "timestamp": None}


class _Verifier:
    def __init__(
        self,
        *,
        trust_store: TrustStore,
        crls: CrlStore | None,
        policy: RevocationPolicy,
        purpose: Purpose,
        at: datetime | None,
        limits: CmsLimits,
    ) -> None:
        self.limits = limits
        self.trust_store = trust_store
        self.crls = crls
        self.policy = policy
        self.purpose = purpose
        self.now = aware(at, "the verification time")
        try:  # the times compared with it, a clock skew or a day away, must exist
            self.now - timedelta(days=1), self.now + timedelta(days=1)
        except OverflowError:
            raise ValueError(f"the verification time {self.now} is out of range") from None
        self.checks: dict[str, str] = dict.fromkeys(CHECKS, NOT_CHECKED)
        self.signer: x509.Certificate | None = None
        self.signing_time: datetime | None = None
        self.content: bytes | None = None
        self.validation: ValidationResult | None = None
        self.current = "structure"

    def result(self, reason: CmsReason | None, message: str) -> CmsVerification:
        return CmsVerification(
            valid=reason is None,
            reason=reason,
            message=message,
            signer_certificate=self.signer,
            signing_time=self.signing_time,
            content=self.content,
            checks=MappingProxyType(dict(self.checks)),
            validation=self.validation,
        )

    def fail(self, check: str, reason: CmsReason, message: str) -> CmsVerification:
        self.checks[check] = f"failed: {message}"
        return self.result(reason, as_sentence(message))

    def run(
        self, signature: bytes | bytearray | memoryview | str, content: Content | None
    ) -> CmsVerification:
        try:
            intermediates = self.parse(signature, content)
        except Reject as rejected:
            return self.fail(self.current, rejected.reason, rejected.message)
        except Exception as exc:  # damaged input: the readers raise ValueError and kin
            text = str(exc).strip()
            detail = text.splitlines()[0] if text else type(exc).__name__
            return self.fail(
                self.current, CmsReason.MALFORMED, f"the signature cannot be parsed: {detail}"
            )
        return self.validate(intermediates)

    def step(self, name: str) -> None:
        self.current = name

    def ok(self, name: str, outcome: str = "ok") -> None:
        self.checks[name] = outcome

    def parse(
        self, signature: bytes | bytearray | memoryview | str, content: Content | None
    ) -> list[x509.Certificate]:
        """Every check on the CMS itself; returns the other certificates it carries."""
        signed_data = self.structure(signature)
        certificates = self.certificates(signed_data.certificates)

        self.step("signer-count")
        count = len(signed_data.signer_infos)
        if count != 1:
            raise Reject(
                CmsReason.SIGNER_COUNT,
                f"the signature has {count} signers; exactly one is required",
            )
        self.ok("signer-count", "1 signer")
        self.step("structure")
        try:
            signer_info = parse_signer_info(signed_data.signer_infos[0], self.limits)
        except IndefiniteLength:  # BER inside a definite-length SignedData
            signer_info = parse_signer_info(
                definite_lengths(signed_data.signer_infos[0]), self.limits
            )

        data = self.signed_content(signed_data, content)
        digest_name = DIGEST_OIDS.get(signer_info.digest)
        if digest_name is None:
            raise Reject(
                CmsReason.UNSUPPORTED,
                f"digest algorithm {oid_name(signer_info.digest, algos.DigestAlgorithmId)} "
                "is not accepted; SHA-256/384/512 are",
            )
        algorithm = SHA2[digest_name]()
        if signer_info.signed_attrs is None:
            raise Reject(
                CmsReason.UNSUPPORTED, "the signature has no signed attributes; they are required"
            )
        found: dict[str, tuple[bytes, ...]] = {}
        for oid, values in signer_info.attributes:
            name = ATTRIBUTE_NAMES.get(oid) or oid.hex()  # others are not looked at
            if name in found:
                name = ATTRIBUTE_NAMES.get(oid) or oid_name(oid, cms.CMSAttributeType)
                raise Reject(CmsReason.MALFORMED, f"the {name} attribute appears twice")
            found[name] = values
        self.content_type_attribute(found, signed_data.content_type)
        self.message_digest_attribute(found, algorithm, data)
        del data  # the content, or the stream it is in: done with

        self.step("signer-certificate")
        signer_der, signer, how = find_signer(signer_info, certificates)
        self.signer = signer
        self.ok("signer-certificate", how)

        self.step("signing-certificate-attribute")
        outcome = "absent"
        for name in ("signing-certificate-v2", "signing-certificate"):
            if name in found:
                outcome = check_signing_certificate(name, found[name], signer_der)
                break
        self.ok("signing-certificate-attribute", outcome)

        self.signature(signer_info, signer, digest_name, algorithm)
        self.signing_time_attribute(found)
        return [cert for _, cert in certificates if cert is not signer]

    def structure(self, signature: bytes | bytearray | memoryview | str) -> SignedData:
        self.step("structure")
        try:
            der = to_der(signature, self.limits)
        except ValueError as exc:
            raise Reject(CmsReason.MALFORMED, str(exc)) from None
        if not der:
            raise Reject(CmsReason.MALFORMED, "the signature is empty")
        try:
            signed_data = parse_signed_data(der, self.limits)
        except IndefiniteLength:  # BER (streamed): make the lengths definite, then read it
            try:
                signed_data = parse_signed_data(definite_lengths(der), self.limits)
            except ValueError as exc:
                raise Reject(CmsReason.MALFORMED, f"the BER cannot be parsed: {exc}") from None
            self.ok("structure", "BER with indefinite lengths")
        if self.checks["structure"] == NOT_CHECKED:
            self.ok("structure")
        return signed_data

    def certificates(self, certificates: tuple[bytes, ...]) -> list[tuple[bytes, x509.Certificate]]:
        out = []
        for der in certificates:
            try:
                out.append((der, x509.load_der_x509_certificate(der)))
                continue
            except (ValueError, x509.InvalidVersion) as exc:  # InvalidVersion is no ValueError
                problem = str(exc)
            try:  # BER inside (indefinite lengths): cryptography reads DER only
                definite = definite_lengths(der)
                out.append((definite, x509.load_der_x509_certificate(definite)))
            except (ValueError, x509.InvalidVersion):
                raise Reject(
                    CmsReason.MALFORMED,
                    f"a certificate in the signature cannot be parsed: {problem}",
                ) from None
        return out

    def signed_content(self, signed_data: SignedData, content: Content | None) -> Content:
        """The content signed: inside the signature, or the one given (bytes or a stream,
        hashed later)."""
        self.step("content")
        if signed_data.content_type != OID_DATA:
            name = oid_name(signed_data.content_type, cms.ContentType)
            raise Reject(CmsReason.UNSUPPORTED, f"the signed content type is {name}, not id-data")
        attached = signed_data.content
        if attached is not None:
            if content is not None and not _same_content(content, attached):
                raise Reject(
                    CmsReason.CONTENT_MISMATCH,
                    "the content given differs from the content inside the signature",
                )
            self.content = attached
            self.ok("content", f"attached ({len(attached)} bytes)")
            return attached
        if content is None:
            raise Reject(
                CmsReason.NO_CONTENT, "a detached signature needs the signed content to verify"
            )
        return content

    def content_type_attribute(
        self, found: Mapping[str, tuple[bytes, ...]], e_content_type: bytes
    ) -> None:
        self.step("content-type")
        if "content-type" not in found:
            raise Reject(CmsReason.MALFORMED, "the content-type attribute is missing")
        value = single_value(found["content-type"], "content-type")
        claimed = value[attribute_value(value, (0x06,), "content-type")[BODY] :]
        if claimed != e_content_type:
            raise Reject(
                CmsReason.CONTENT_MISMATCH,
                f"the content-type attribute ({oid_name(claimed, cms.ContentType)}) does not "
                f"match the content ({oid_name(e_content_type, cms.ContentType)})",
            )
        self.ok("content-type")

    def message_digest_attribute(
        self,
        found: Mapping[str, tuple[bytes, ...]],
        algorithm: hashes.HashAlgorithm,
        data: Content,
    ) -> None:
        self.step("message-digest")
        if "message-digest" not in found:
            raise Reject(CmsReason.MALFORMED, "the message-digest attribute is missing")
        value = single_value(found["message-digest"], "message-digest")
        claimed = value[attribute_value(value, (0x04,), "message-digest")[BODY] :]
        if isinstance(data, bytes | bytearray | memoryview):
            digest, size = hash_data(algorithm, bytes(data)), len(data)
        else:
            digest, size = hash_stream(algorithm, data)
        if self.content is None:
            self.ok("content", f"detached ({size} bytes)")
        if not hmac.compare_digest(digest, claimed):
            raise Reject(
                CmsReason.DIGEST_MISMATCH,
                "the content does not match the signed digest: it was changed after signing",
            )
        self.ok("message-digest", f"ok ({algorithm.name})")

    def signature(
        self,
        signer_info: SignerInfo,
        signer: x509.Certificate,
        digest_name: str,
        algorithm: hashes.HashAlgorithm,
    ) -> None:
        self.step("signature")
        oid = signer_info.signature_algorithm
        if oid not in SIGNATURE_OIDS or SIGNATURE_OIDS[oid] not in (None, digest_name):
            name = oid_name(oid, algos.SignedDigestAlgorithmId)
            raise Reject(
                CmsReason.UNSUPPORTED,
                f"signature algorithm {name} with {digest_name} is not accepted; "
                "RSA PKCS#1 v1.5 is",
            )
        public = signer.public_key()
        if not isinstance(public, rsa.RSAPublicKey):
            raise Reject(CmsReason.UNSUPPORTED, "the signer's certificate holds no RSA key")
        assert signer_info.signed_attrs is not None  # checked by parse()
        verify_signed_attributes(public, signer_info.signature, signer_info.signed_attrs, algorithm)
        self.ok("signature", "ok (RSA PKCS#1 v1.5)")

    def signing_time_attribute(self, found: Mapping[str, tuple[bytes, ...]]) -> None:
        self.step("signing-time")
        if "signing-time" not in found:
            self.ok("signing-time", "absent: the certificate is checked at the verification time")
            return
        signing_time = parse_signing_time(single_value(found["signing-time"], "signing-time"))
        self.signing_time = signing_time
        if signing_time > self.now + SIGNING_TIME_SKEW:
            raise Reject(
                CmsReason.FUTURE_SIGNING_TIME,
                f"the signing time {signing_time.isoformat()} is after the verification time",
            )
        self.ok("signing-time", signing_time.isoformat())

    def validate(self, intermediates: list[x509.Certificate]) -> CmsVerification:
        """The signer certificate's chain, validity, key usage and revocation (jpki.trust)."""
        signer = self.signer
        assert signer is not None  # set by parse()
        at = self.signing_time or self.now
        result = self.trust_store.validate(
            signer,
            purpose=self.purpose,
            at=at,
            crls=self.crls,
            policy=self.policy,
            intermediates=tuple(intermediates),
        )
        self.validation = result
        if result.chain and result.chain[0] == signer:
            # the same certificate (equal DER), whose extensions jpki.trust has parsed already
            self.signer = signer = result.chain[0]
        self.checks.update(certificate_checks(result))
        if result.valid:
            return self.result(None, f"The signature is valid. {result.message}")
        needed = _SIGNATURE_CERT_REQUIRED if self.purpose is Purpose.SIGNATURE else None
        return self.result(*certificate_refusal(result, signature_certificate_needed=needed))


#: The content of a detached signature: its bytes, or a binary stream (a file open for
#: reading) hashed in chunks from where it stands.
Content = bytes | bytearray | memoryview | BinaryIO


def _same_content(given: Content, attached: bytes) -> bool:
    """Whether the content given equals the attached one (a stream compared in chunks)."""
    if isinstance(given, bytes | bytearray | memoryview):
        return bytes(given) == attached
    view = memoryview(attached)
    pos = 0
    while chunk := given.read(CHUNK_SIZE):
        if view[pos : pos + len(chunk)] != chunk:
            return False
        pos += len(chunk)
    return pos == len(attached)


_SIGNATURE_CERT_REQUIRED: Final = (
    "A certificate request must be signed with the signature certificate (署名用電子証明書), "
    "not the user-authentication certificate (利用者証明用電子証明書)."
)


def verify_cms(
    signature: bytes | bytearray | memoryview | str,
    content: Content | None = None,
    *,
    trust_store: TrustStore | None = None,
    crls: CrlStore | None = None,
    policy: RevocationPolicy = RevocationPolicy.IF_AVAILABLE,
    purpose: Purpose = Purpose.SIGNATURE,
    at: datetime | None = None,
    limits: CmsLimits | None = None,
) -> CmsVerification:
    """Verify a CMS SignedData (DER, BER or PEM) with exactly one signer.

    ``content`` is the signed data for a detached signature: bytes, or a binary stream
    (an open file) hashed in chunks (for an attached signature it may be given too, and
    must then be equal). ``limits`` bounds what is read whole (default
    :class:`jpki.limits.CmsLimits`: a 64 MiB signature, 32 signed attributes, …). ``trust_store``
    defaults to the J-LIS production roots. ``at`` is the verification time
    (default: now; it must be timezone-aware, else ``ValueError``). Bad input
    never raises; see :class:`CmsVerification`.

    The certificate is validated at the signing time (see the module
    documentation for what that means for back-dated signatures), with
    revocation per ``policy`` from ``crls``. With :attr:`Purpose.SIGNATURE` (the
    default) only a signature certificate (署名用) is accepted: a request signed
    with the user-authentication certificate fails with ``wrong-key-usage``.
    """
    verifier = _Verifier(
        trust_store=trust_store if trust_store is not None else TrustStore.production(),
        crls=crls,
        policy=policy,
        purpose=purpose,
        at=at,
        limits=limits or CmsLimits(),
    )
    return verifier.run(signature, content)
