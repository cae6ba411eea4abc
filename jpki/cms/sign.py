"""Making a CMS (PKCS #7) SignedData with the card's signature key, or any RSA key.

:func:`sign_cms` (the card) and :func:`sign_cms_with_key` (any ``RSAPrivateKey``,
:class:`jpki.keys.CardPrivateKey` included) make the same thing: a version-1
SignedData with one signer identified by issuer and serial number, the data content
type, and these signed attributes: content-type, signing-time, message-digest and ESS
signing-certificate-v2 (RFC 5035, the SHA-256 of the signer's certificate, so the
certificate cannot be swapped for another one with the same key). The signature is RSA
PKCS#1 v1.5 over the DER of the signed-attributes SET, checked against the
certificate before it is returned. The output is DER; ``openssl cms -verify`` accepts
it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Final

import asn1crypto.tsp  # registers the ESS signing-certificate(-v2) attributes
from asn1crypto import algos, cms
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.serialization import Encoding

from .. import errors
from ..digestinfo import SHA2, hash_data
from ..keys import CardPrivateKey
from ..layout import CertKind, PinKind
from ..pins import PinSource
from ._der import DerReader, encode, encode_length, issuer_and_serial

if TYPE_CHECKING:
    from ..card import JpkiCard

__all__ = [
    "SHA256",
    "CmsSigningError",
    "SignedParts",
    "hash_name",
    "sign_cms",
    "sign_cms_digest",
    "sign_cms_with_key",
    "signing_certificate_v2",
]

SHA256: Final = hashes.SHA256()


class CmsSigningError(errors.JpkiError, ValueError):
    """A CMS signature could not be made (unsupported hash, key not matching the certificate)."""


def hash_name(algorithm: hashes.HashAlgorithm) -> str:
    if algorithm.name not in SHA2:
        raise CmsSigningError(
            f"{algorithm.name} is not supported for CMS; use SHA-256, SHA-384 or SHA-512"
        )
    return algorithm.name


def _signing_time_value(when: datetime) -> cms.Time:
    if when.tzinfo is None or when.utcoffset() is None:
        raise CmsSigningError("signing_time must be timezone-aware")
    when = when.astimezone(UTC).replace(microsecond=0)
    # RFC 5652 11.3: UTCTime for 1950-2049, GeneralizedTime otherwise.
    if 1950 <= when.year <= 2049:
        return cms.Time({"utc_time": when})
    return cms.Time({"generalized_time": when})


def signing_certificate_v2(certificate_der: bytes) -> bytes:
    """DER of SigningCertificateV2 { certs { ESSCertIDv2 { certHash, issuerSerial } } }.

    hashAlgorithm is SHA-256, the DEFAULT, so DER leaves it out. Encoded by
    hand: asn1crypto takes milliseconds to build this small structure.
    """
    issuer, serial = issuer_and_serial(certificate_der)
    issuer_serial = encode(0x30, encode(0x30, encode(0xA4, issuer)) + serial)  # directoryName
    ess_cert_id = encode(
        0x30, encode(0x04, hash_data(hashes.SHA256(), certificate_der)) + issuer_serial
    )
    return encode(0x30, encode(0x30, ess_cert_id))


def _signed_attributes(
    *, message_digest: bytes, certificate_der: bytes, signing_time: datetime
) -> cms.CMSAttributes:
    ess = asn1crypto.tsp.SigningCertificateV2.load(signing_certificate_v2(certificate_der))
    return cms.CMSAttributes(
        [
            {"type": "content_type", "values": ["data"]},
            {"type": "signing_time", "values": [_signing_time_value(signing_time)]},
            {"type": "message_digest", "values": [message_digest]},
            {"type": "signing_certificate_v2", "values": [ess]},
        ]
    )


@dataclass(frozen=True)
class SignedParts:
    """A SignedData in DER around its content: ``head + content + tail`` for an attached
    signature (``attached``), ``head + tail`` for a detached one. Made so, a large content
    is never copied in memory: it is streamed between the two parts
    (:func:`jpki.cms.files.sign_cms_file`)."""

    head: bytes
    tail: bytes
    attached: bool
    certificate: x509.Certificate

    def der(self, content: bytes | None = None) -> bytes:
        """The whole SignedData (``content``: the attached content, of the length signed)."""
        if self.attached:
            if content is None:
                raise ValueError("an attached signature needs its content")
            return self.head + content + self.tail
        return self.head + self.tail


def _build_signed_data(
    digest: bytes,
    *,
    content_length: int | None,
    certificate: x509.Certificate,
    extra_certificates: Iterable[x509.Certificate],
    hash_algorithm: hashes.HashAlgorithm,
    signing_time: datetime | None,
    sign: Callable[[bytes], bytes],
) -> SignedParts:
    """The one code path for card and software keys: ``sign`` gets the DER of the signed
    attributes SET and returns the PKCS#1 v1.5 signature over it. ``digest`` is the
    content's; ``content_length`` the size of an attached content (``None``: detached)."""
    name = hash_name(hash_algorithm)
    if len(digest) != hash_algorithm.digest_size:
        raise CmsSigningError(f"a {name} digest is {hash_algorithm.digest_size} bytes")
    public = certificate.public_key()
    if not isinstance(public, rsa.RSAPublicKey):
        raise CmsSigningError("the signer certificate does not hold an RSA key")
    cert_der = certificate.public_bytes(Encoding.DER)
    signer = asn1_x509.Certificate.load(cert_der)
    attrs = _signed_attributes(
        message_digest=digest,
        certificate_der=cert_der,
        signing_time=signing_time or datetime.now(UTC),
    )
    to_be_signed = attrs.dump()  # a universal SET: the bytes RFC 5652 5.4 has signed
    signature = sign(to_be_signed)
    try:  # catch a wrong key, a wrong certificate or a faulty card before anyone else does
        public.verify(signature, to_be_signed, padding.PKCS1v15(), hash_algorithm)
    except InvalidSignature:
        raise CmsSigningError(
            "the signature does not verify with the certificate's key: "
            "the key and the certificate do not belong together"
        ) from None

    digest_algorithm = algos.DigestAlgorithm({"algorithm": name, "parameters": None})
    certificates = [cms.CertificateChoices({"certificate": signer})]
    seen = {cert_der}
    for extra in extra_certificates:
        der = extra.public_bytes(Encoding.DER)
        if der not in seen:
            seen.add(der)
            certificates.append(
                cms.CertificateChoices({"certificate": asn1_x509.Certificate.load(der)})
            )
    signer_info = cms.SignerInfo(
        {
            "version": "v1",
            "sid": cms.SignerIdentifier(
                {
                    "issuer_and_serial_number": {
                        "issuer": signer.issuer,
                        "serial_number": signer.serial_number,
                    }
                }
            ),
            "digest_algorithm": digest_algorithm,
            "signed_attrs": attrs,
            "signature_algorithm": {"algorithm": "rsassa_pkcs1v15"},  # NULL parameters
            "signature": signature,
        }
    )
    signed_data = cms.SignedData(
        {
            "version": "v1",
            "digest_algorithms": [digest_algorithm],
            "encap_content_info": {"content_type": "data", "content": None},
            "certificates": certificates,
            "signer_infos": [signer_info],
        }
    )
    detached = bytes(
        cms.ContentInfo({"content_type": "signed_data", "content": signed_data}).dump()
    )
    if content_length is None:
        return SignedParts(detached, b"", False, certificate)
    return _attach(detached, content_length, certificate)


def _attach(detached: bytes, length: int, certificate: x509.Certificate) -> SignedParts:
    """The parts of the attached SignedData made of a detached one: its
    EncapsulatedContentInfo gains ``[0] EXPLICIT OCTET STRING`` of ``length`` bytes, and
    the lengths around it grow; the rest is kept byte for byte."""
    der = DerReader(detached)
    info = der.children(der.read(0, len(detached)), 0x30, "ContentInfo", limit=2)
    signed = der.children(info[1], 0xA0, "content", limit=1)[0]
    fields = der.children(signed, 0x30, "SignedData")
    version, algorithms, encap, rest = fields[0], fields[1], fields[2], fields[3:]
    octets_head = b"\x04" + encode_length(length)
    explicit_head = b"\xa0" + encode_length(len(octets_head) + length)
    content_type = der.whole(der.children(encap, 0x30, "EncapsulatedContentInfo", limit=1)[0])
    encap_size = len(content_type) + len(explicit_head) + len(octets_head) + length
    encap_head = b"\x30" + encode_length(encap_size) + content_type
    tail = b"".join(der.whole(f) for f in rest)
    body = der.whole(version) + der.whole(algorithms) + encap_head + explicit_head + octets_head
    signed_size = len(body) + length + len(tail)
    signed_head = b"\x30" + encode_length(signed_size)
    wrapper_head = b"\xa0" + encode_length(len(signed_head) + signed_size)
    type_oid = der.whole(info[0])
    top_size = len(type_oid) + len(wrapper_head) + len(signed_head) + signed_size
    head = b"\x30" + encode_length(top_size) + type_oid + wrapper_head + signed_head + body
    return SignedParts(head, tail, True, certificate)


def sign_cms_with_key(
    private_key: rsa.RSAPrivateKey,
    certificate: x509.Certificate,
    data: bytes,
    *,
    detached: bool = True,
    extra_certificates: Sequence[x509.Certificate] = (),
    hash_algorithm: hashes.HashAlgorithm = SHA256,
    signing_time: datetime | None = None,
) -> bytes:
    """A CMS SignedData (DER) of ``data`` by ``private_key`` (any ``RSAPrivateKey``,
    including :class:`jpki.keys.CardPrivateKey`), made exactly as :func:`sign_cms` does."""
    content = bytes(data)
    parts = _build_signed_data(
        hash_data(hash_algorithm, content),
        content_length=None if detached else len(content),
        certificate=certificate,
        extra_certificates=extra_certificates,
        hash_algorithm=hash_algorithm,
        signing_time=signing_time,
        sign=lambda tbs: private_key.sign(tbs, padding.PKCS1v15(), hash_algorithm),
    )
    return parts.der(content)


def sign_cms(
    card: JpkiCard,
    data: bytes,
    *,
    pin: PinSource | None,
    detached: bool = True,
    include_ca: bool = False,
    hash_algorithm: hashes.HashAlgorithm = SHA256,
    signing_time: datetime | None = None,
    certificate: x509.Certificate | None = None,
) -> bytes:
    """Sign ``data`` with the card's signature key; a CMS SignedData in DER.

    Everything happens in one card transaction with one VERIFY: the signature
    certificate (``certificate``, or read from the card, which needs the
    signature PIN) and, with ``include_ca``, the signature CA certificate are
    put in the SignedData, then the card signs. ``pin=None`` relies on a
    :meth:`JpkiCard.verify_pin` made earlier inside the caller's own transaction
    (else :class:`jpki.PinRequired`, with nothing sent).
    """
    content = bytes(data)
    algorithm = SHA2[hash_name(hash_algorithm)]()
    parts = sign_cms_digest(
        card,
        hash_data(algorithm, content),
        content_length=None if detached else len(content),
        pin=pin,
        include_ca=include_ca,
        hash_algorithm=algorithm,
        signing_time=signing_time,
        certificate=certificate,
    )
    return parts.der(content)


def sign_cms_digest(
    card: JpkiCard,
    digest: bytes,
    *,
    content_length: int | None,
    pin: PinSource | None,
    include_ca: bool = False,
    hash_algorithm: hashes.HashAlgorithm = SHA256,
    signing_time: datetime | None = None,
    certificate: x509.Certificate | None = None,
) -> SignedParts:
    """:func:`sign_cms` of content the caller has hashed (``digest``, with
    ``hash_algorithm``): the :class:`SignedParts` to put around it — attached when
    ``content_length`` (its size) is given, detached when it is ``None``. The content
    itself is never needed here: a file of any size is signed in a stream."""
    algorithm = SHA2[hash_name(hash_algorithm)]()
    with card.transaction():
        if pin is not None:  # None: verified earlier inside the caller's transaction
            card.verify_pin(PinKind.SIGN, pin)  # once; the signature below relies on it
        if certificate is None:
            certificate = card.read_certificate(CertKind.SIGN)
        extra = [card.read_certificate(CertKind.SIGN_CA)] if include_ca else []
        key = CardPrivateKey(card, CertKind.SIGN, None, certificate)  # the PIN verified above
        return _build_signed_data(
            digest,
            content_length=content_length,
            certificate=certificate,
            extra_certificates=extra,
            hash_algorithm=algorithm,
            signing_time=signing_time,
            sign=lambda tbs: key.sign(tbs, padding.PKCS1v15(), algorithm),
        )
