"""CMS (PKCS #7) SignedData: sign with the card's signature key, verify offline.

Signing (:func:`sign_cms`, or :func:`sign_cms_with_key` for a software key)
makes a version-1 SignedData with one signer identified by issuer and serial
number, the data content type, and these signed attributes: content-type,
signing-time, message-digest and ESS signing-certificate-v2 (RFC 5035, the
SHA-256 of the signer's certificate, so the certificate cannot be swapped for
another one with the same key). The signature is RSA PKCS#1 v1.5, made by the
card over the DER of the signed-attributes SET. The output is DER;
``openssl cms -verify`` accepts it.

Verification (:func:`verify_cms`) accepts DER, BER (indefinite lengths, as
``openssl cms -sign -stream`` writes) and PEM, detached or attached, with
exactly one signer. It never raises for bad input: every problem becomes a
:class:`CmsVerification` with ``valid=False``, a :class:`CmsReason` and a
one-line message; ``checks`` records each check and its outcome. Digests:
SHA-256/384/512; signatures: RSA PKCS#1 v1.5; signed attributes are required.

Speed (``bench/bench_cms.py``): the CMS is read with a small strict DER reader
rather than asn1crypto's object model (which took two thirds of the time),
asn1crypto serving the rare paths; the signer's certificate object that
:mod:`jpki.trust` has cached is reused; the holder's attributes are parsed
only when ``CmsVerification.holder`` is read.

The signer's certificate is validated (chain, validity, revocation, key
usage) by :class:`jpki.trust.TrustStore` at the signing time the signer
claims (the signing-time attribute; the verification time when there is
none). A signing time later than the verification time (beyond
:data:`SIGNING_TIME_SKEW`) is rejected. The signing time is the signer's own
claim, not a time-stamp: a holder whose certificate has expired or been
revoked could back-date it, so a relying party that receives requests live
(the kiosk) should check that ``signing_time`` is recent.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hmac
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, ClassVar, Final

import asn1crypto.tsp  # registers the ESS signing-certificate(-v2) attributes
from asn1crypto import algos, cms, core
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.serialization import Encoding

from . import errors
from .layout import CertKind, PinKind
from .pins import PinSource
from .timeutil import aware, jst_iso
from .trust import CrlStore, Purpose, RevocationPolicy, TrustStore, ValidationResult
from .verdict import (
    CERTIFICATE_REASONS,
    NOT_CHECKED,
    SignatureReason,
    Verdict,
    as_sentence,
    certificate_checks,
    certificate_refusal,
)

if TYPE_CHECKING:
    from .card import JpkiCard

__all__ = [
    "CHECKS",
    "PEM_LABEL",
    "SHA256",
    "SIGNING_TIME_SKEW",
    "CmsReason",
    "CmsSigningError",
    "CmsVerification",
    "from_pem",
    "sign_cms",
    "sign_cms_with_key",
    "to_pem",
    "verify_cms",
    "write_p7s",
]

SHA256: Final = hashes.SHA256()
#: The PEM label ``openssl cms -outform PEM`` writes (``PKCS7`` is accepted on input too).
PEM_LABEL: Final = "CMS"
#: How far in the future (by the verifier's clock) a signing time may be.
SIGNING_TIME_SKEW: Final = timedelta(minutes=5)

_HASHES: Final[Mapping[str, Callable[[], hashes.HashAlgorithm]]] = {
    "sha256": hashes.SHA256,
    "sha384": hashes.SHA384,
    "sha512": hashes.SHA512,
}
_PEM: Final = re.compile(
    rb"-----BEGIN (CMS|PKCS7|PKCS #7 SIGNED DATA)-----\r?\n(.*?)-----END \1-----", re.DOTALL
)


class CmsSigningError(errors.JpkiError, ValueError):
    """A CMS signature could not be made (unsupported hash, key not matching the certificate)."""


#: Why a CMS signature was not accepted: :class:`jpki.verdict.SignatureReason` (the same
#: enum); :attr:`CmsVerification.REASONS` lists the members :func:`verify_cms` gives.
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
    "certificate-format",
    "certificate-chain",
    "certificate-signature",
    "certificate-validity",
    "key-usage",
    "revocation",
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


# -- PEM and files ---------------------------------------------------------------------------


def to_pem(der: bytes) -> str:
    """PEM text with the ``CMS`` label, as ``openssl cms -outform PEM`` writes it."""
    body = base64.b64encode(der).decode("ascii")
    lines = "\n".join(body[i : i + 64] for i in range(0, len(body), 64))
    return f"-----BEGIN {PEM_LABEL}-----\n{lines}\n-----END {PEM_LABEL}-----\n"


def from_pem(data: bytes | str) -> bytes:
    """The DER inside PEM text labelled ``CMS``, ``PKCS7`` or ``PKCS #7 SIGNED DATA``.

    Raises ``ValueError`` when there is no such block or its base64 is damaged.
    """
    raw = data.encode("ascii", "replace") if isinstance(data, str) else bytes(data)
    m = _PEM.search(raw)
    if m is None:
        raise ValueError("no CMS/PKCS7 PEM block")
    try:
        return base64.b64decode(b"".join(m.group(2).split()), validate=True)
    except binascii.Error as exc:
        raise ValueError(f"damaged base64 in the PEM block: {exc}") from None


def write_p7s(path: str | Path, der: bytes, *, pem: bool = False) -> Path:
    """Write a signature file (``.p7s``: DER, or PEM with ``pem=True``); returns the path."""
    target = Path(path)
    if pem:
        target.write_text(to_pem(der), encoding="ascii")
    else:
        target.write_bytes(der)
    return target


# -- signing -----------------------------------------------------------------------------------


def _hash_name(algorithm: hashes.HashAlgorithm) -> str:
    if algorithm.name not in _HASHES:
        raise CmsSigningError(
            f"{algorithm.name} is not supported for CMS; use SHA-256, SHA-384 or SHA-512"
        )
    return algorithm.name


def _digest(algorithm: hashes.HashAlgorithm, data: bytes) -> bytes:
    h = hashes.Hash(algorithm)
    h.update(data)
    return h.finalize()


def _signing_time_value(when: datetime) -> cms.Time:
    if when.tzinfo is None or when.utcoffset() is None:
        raise CmsSigningError("signing_time must be timezone-aware")
    when = when.astimezone(UTC).replace(microsecond=0)
    # RFC 5652 11.3: UTCTime for 1950-2049, GeneralizedTime otherwise.
    if 1950 <= when.year <= 2049:
        return cms.Time({"utc_time": when})
    return cms.Time({"generalized_time": when})


def _der(tag: int, content: bytes) -> bytes:
    return bytes([tag]) + _der_length(len(content)) + content


def _signing_certificate_v2(certificate_der: bytes) -> bytes:
    """DER of SigningCertificateV2 { certs { ESSCertIDv2 { certHash, issuerSerial } } }.

    hashAlgorithm is SHA-256, the DEFAULT, so DER leaves it out. Encoded by
    hand: asn1crypto takes milliseconds to build this small structure.
    """
    issuer, serial = _issuer_and_serial(certificate_der)
    issuer_serial = _der(0x30, _der(0x30, _der(0xA4, issuer)) + serial)  # directoryName
    ess_cert_id = _der(0x30, _der(0x04, _digest(hashes.SHA256(), certificate_der)) + issuer_serial)
    return _der(0x30, _der(0x30, ess_cert_id))


def _signed_attributes(
    *, message_digest: bytes, certificate_der: bytes, signing_time: datetime
) -> cms.CMSAttributes:
    ess = asn1crypto.tsp.SigningCertificateV2.load(_signing_certificate_v2(certificate_der))
    return cms.CMSAttributes(
        [
            {"type": "content_type", "values": ["data"]},
            {"type": "signing_time", "values": [_signing_time_value(signing_time)]},
            {"type": "message_digest", "values": [message_digest]},
            {"type": "signing_certificate_v2", "values": [ess]},
        ]
    )


def _build_signed_data(
    data: bytes,
    *,
    certificate: x509.Certificate,
    extra_certificates: Iterable[x509.Certificate],
    hash_algorithm: hashes.HashAlgorithm,
    detached: bool,
    signing_time: datetime | None,
    sign: Callable[[bytes], bytes],
) -> bytes:
    """The one code path for card and software keys: ``sign`` gets the DER of the signed
    attributes SET and returns the PKCS#1 v1.5 signature over it."""
    hash_name = _hash_name(hash_algorithm)
    public = certificate.public_key()
    if not isinstance(public, rsa.RSAPublicKey):
        raise CmsSigningError("the signer certificate does not hold an RSA key")
    cert_der = certificate.public_bytes(Encoding.DER)
    signer = asn1_x509.Certificate.load(cert_der)
    attrs = _signed_attributes(
        message_digest=_digest(hash_algorithm, data),
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

    digest_algorithm = algos.DigestAlgorithm({"algorithm": hash_name, "parameters": None})
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
            "encap_content_info": {
                "content_type": "data",
                "content": None if detached else data,
            },
            "certificates": certificates,
            "signer_infos": [signer_info],
        }
    )
    return bytes(cms.ContentInfo({"content_type": "signed_data", "content": signed_data}).dump())


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
    return _build_signed_data(
        bytes(data),
        certificate=certificate,
        extra_certificates=extra_certificates,
        hash_algorithm=hash_algorithm,
        detached=detached,
        signing_time=signing_time,
        sign=lambda tbs: private_key.sign(tbs, padding.PKCS1v15(), hash_algorithm),
    )


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
    algorithm = _HASHES[_hash_name(hash_algorithm)]()
    with card.transaction():
        if pin is not None:  # None: verified earlier inside the caller's transaction
            card.verify_pin(PinKind.SIGN, pin)  # once; the signature below relies on it
        if certificate is None:
            certificate = card.read_certificate(CertKind.SIGN)
        extra = [card.read_certificate(CertKind.SIGN_CA)] if include_ca else []

        def sign_on_card(to_be_signed: bytes) -> bytes:
            digest = _digest(algorithm, to_be_signed)
            return card.sign_prehashed(CertKind.SIGN, digest, algorithm, pin=None)

        return _build_signed_data(
            bytes(data),
            certificate=certificate,
            extra_certificates=extra,
            hash_algorithm=algorithm,
            detached=detached,
            signing_time=signing_time,
            sign=sign_on_card,
        )


# -- verification ----------------------------------------------------------------------------
#
# The verification path reads the CMS with a small strict DER reader (below) rather than
# asn1crypto's object model: asn1crypto builds a Python object for every element it looks
# at, which made it two thirds of the time of a verification. asn1crypto is still used for
# the rare paths: BER normalisation fallback, re-encoding signed attributes as DER, the
# generic ESS attribute, times, RFC 5280 name matching, and OID names in messages.


class _Reject(Exception):
    """Internal: stops verification with a reason; never escapes :func:`verify_cms`."""

    def __init__(self, reason: CmsReason, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


def _to_der(signature: bytes | bytearray | memoryview | str) -> bytes:
    if isinstance(signature, str):
        return from_pem(signature)
    raw = bytes(signature)
    if raw[:1] in (b"-", b" ", b"\t", b"\r", b"\n") and raw.lstrip()[:11] == b"-----BEGIN ":
        return from_pem(raw)
    return raw


def _oid(dotted: str) -> bytes:
    """The contents octets of an OBJECT IDENTIFIER."""
    return bytes(core.ObjectIdentifier(dotted).contents)


_OID_SIGNED_DATA: Final = _oid("1.2.840.113549.1.7.2")
_OID_DATA: Final = _oid("1.2.840.113549.1.7.1")
_DIGEST_OIDS: Final = MappingProxyType(
    {
        _oid("2.16.840.1.101.3.4.2.1"): "sha256",
        _oid("2.16.840.1.101.3.4.2.2"): "sha384",
        _oid("2.16.840.1.101.3.4.2.3"): "sha512",
    }
)
#: signatureAlgorithm -> the digest it requires (None: rsaEncryption, any of ours)
_SIGNATURE_OIDS: Final = MappingProxyType(
    {
        _oid("1.2.840.113549.1.1.1"): None,
        _oid("1.2.840.113549.1.1.11"): "sha256",
        _oid("1.2.840.113549.1.1.12"): "sha384",
        _oid("1.2.840.113549.1.1.13"): "sha512",
    }
)
#: The signed attributes looked at, by the contents octets of their OID.
_ATTRIBUTE_NAMES: Final = MappingProxyType(
    {
        _oid("1.2.840.113549.1.9.3"): "content-type",
        _oid("1.2.840.113549.1.9.4"): "message-digest",
        _oid("1.2.840.113549.1.9.5"): "signing-time",
        _oid("1.2.840.113549.1.9.16.2.12"): "signing-certificate",
        _oid("1.2.840.113549.1.9.16.2.47"): "signing-certificate-v2",
    }
)


def _oid_name(contents: bytes, kind: type[core.ObjectIdentifier] = core.ObjectIdentifier) -> str:
    """A readable name (asn1crypto's, e.g. ``sha1``) or the dotted form, for messages."""
    try:
        oid = kind.load(b"\x06" + _der_length(len(contents)) + contents)
        return str(oid.native)
    except ValueError:
        return contents.hex()


#: One element of the data being read: (tag, offset of the element, offset of its
#: contents, offset just past it). Plain tuples: this is the hot path.
_Tlv = tuple[int, int, int, int]
_TAG, _START, _BODY, _END = 0, 1, 2, 3


class _IndefiniteLength(ValueError):
    """BER with an indefinite length where the reader needs definite ones."""


class _Der:
    """A strict reader of definite-length DER/BER: single-byte tags, lengths up to 4 bytes,
    every element inside its parent. Raises ``ValueError`` for anything else."""

    __slots__ = ("data",)

    def __init__(self, data: bytes) -> None:
        self.data = data

    def read(self, pos: int, end: int) -> _Tlv:
        data = self.data
        if pos + 2 > end:
            raise ValueError("truncated DER element")
        tag = data[pos]
        if tag & 0x1F == 0x1F:
            raise ValueError(f"unexpected high-number tag at offset {pos}")
        length = data[pos + 1]
        body = pos + 2
        if length & 0x80:
            n = length & 0x7F
            if n == 0:
                raise _IndefiniteLength(f"indefinite length at offset {pos}")
            if n > 4 or body + n > end:
                raise ValueError(f"bad DER length at offset {pos}")
            length = int.from_bytes(data[body : body + n], "big")
            body += n
        if body + length > end:
            raise ValueError(f"truncated DER element at offset {pos}")
        return (tag, pos, body, body + length)

    def children(self, parent: _Tlv, tag: int, what: str, limit: int = -1) -> list[_Tlv]:
        """The elements inside ``parent`` (the first ``limit`` of them, if given), which must
        have the ``tag`` (constructed). :meth:`read` inlined: this loop is the hot path."""
        if parent[_TAG] != tag:
            raise ValueError(f"{what}: expected tag {tag:02X}, found {parent[_TAG]:02X}")
        out: list[_Tlv] = []
        data, pos, end = self.data, parent[_BODY], parent[_END]
        while pos < end and len(out) != limit:
            if pos + 2 > end:
                raise ValueError("truncated DER element")
            child_tag = data[pos]
            length = data[pos + 1]
            body = pos + 2
            if child_tag & 0x1F == 0x1F or length & 0x80:
                child = self.read(pos, end)  # the rare cases, with their errors
            else:
                if body + length > end:
                    raise ValueError(f"truncated DER element at offset {pos}")
                child = (child_tag, pos, body, body + length)
            out.append(child)
            pos = child[_END]
        return out

    def whole(self, tlv: _Tlv) -> bytes:
        return self.data[tlv[_START] : tlv[_END]]

    def contents(self, tlv: _Tlv, tag: int, what: str) -> bytes:
        if tlv[_TAG] != tag:
            raise ValueError(f"{what}: expected tag {tag:02X}, found {tlv[_TAG]:02X}")
        return self.data[tlv[_BODY] : tlv[_END]]

    def octet_string(self, tlv: _Tlv, depth: int = 0) -> bytes:
        """An OCTET STRING, primitive or constructed (chunks, as streamed content is)."""
        if tlv[_TAG] == 0x04:
            return self.data[tlv[_BODY] : tlv[_END]]
        if depth > 4:
            raise ValueError("OCTET STRING chunks nested too deeply")
        chunks = self.children(tlv, 0x24, "OCTET STRING")
        return b"".join(self.octet_string(chunk, depth + 1) for chunk in chunks)


@dataclass(frozen=True, slots=True)
class _SignedData:
    content_type: bytes  # eContentType, contents octets
    content: bytes | None  # eContent, None when detached
    certificates: tuple[bytes, ...]  # DER of each X.509 certificate (other kinds skipped)
    signer_infos: tuple[bytes, ...]  # DER of each SignerInfo


@dataclass(frozen=True, slots=True)
class _SignerInfo:
    issuer: bytes | None  # issuerAndSerialNumber: the issuer Name's DER ...
    serial: bytes | None  # ... and the DER of the serialNumber INTEGER
    ski: bytes | None  # or subjectKeyIdentifier
    digest: bytes  # digestAlgorithm OID, contents octets
    signed_attrs: bytes | None  # the [0] element as received
    attributes: tuple[tuple[bytes, tuple[bytes, ...]], ...]  # (OID contents, DER of values)
    signature_algorithm: bytes
    signature: bytes


def _parse_signed_data(data: bytes) -> _SignedData:
    der = _Der(data)
    top = der.read(0, len(data))
    if top[_END] != len(data):
        raise ValueError(f"{len(data) - top[_END]} bytes of trailing data after the signature")
    info = der.children(top, 0x30, "ContentInfo")
    if len(info) != 2:
        raise ValueError("not a CMS ContentInfo")
    content_type = der.contents(info[0], 0x06, "ContentInfo content type")
    if content_type != _OID_SIGNED_DATA:
        raise _Reject(
            CmsReason.MALFORMED,
            f"not a CMS SignedData (content type {_oid_name(content_type, cms.ContentType)})",
        )
    inner = der.children(info[1], 0xA0, "ContentInfo content")
    if len(inner) != 1:
        raise ValueError("not a CMS ContentInfo")
    fields = der.children(inner[0], 0x30, "SignedData")
    if len(fields) < 4:
        raise ValueError("SignedData has too few fields")
    der.contents(fields[0], 0x02, "SignedData version")
    der.children(fields[1], 0x31, "SignedData digestAlgorithms")
    optional = [f[_TAG] for f in fields[3:-1]]
    if optional not in ([], [0xA0], [0xA1], [0xA0, 0xA1]):
        raise ValueError("unexpected fields in SignedData")
    certificates: tuple[bytes, ...] = ()
    if optional[:1] == [0xA0]:
        choices = der.children(fields[3], 0xA0, "SignedData certificates")
        certificates = tuple(der.whole(c) for c in choices if c[_TAG] == 0x30)
    signer_infos = tuple(
        der.whole(s) for s in der.children(fields[-1], 0x31, "SignedData signerInfos")
    )
    encap = der.children(fields[2], 0x30, "EncapsulatedContentInfo")
    if not 1 <= len(encap) <= 2:
        raise ValueError("EncapsulatedContentInfo has the wrong number of fields")
    e_content_type = der.contents(encap[0], 0x06, "eContentType")
    e_content = None
    if len(encap) == 2:
        explicit = der.children(encap[1], 0xA0, "eContent")
        if len(explicit) != 1:
            raise ValueError("eContent must hold one OCTET STRING")
        e_content = der.octet_string(explicit[0])
    return _SignedData(e_content_type, e_content, certificates, signer_infos)


def _parse_signer_info(data: bytes) -> _SignerInfo:
    der = _Der(data)
    fields = der.children(der.read(0, len(data)), 0x30, "SignerInfo")
    if len(fields) < 5:
        raise ValueError("SignerInfo has too few fields")
    der.contents(fields[0], 0x02, "SignerInfo version")
    sid = fields[1]
    issuer = serial = ski = None
    if sid[_TAG] == 0x30:
        name_and_serial = der.children(sid, 0x30, "issuerAndSerialNumber")
        if len(name_and_serial) != 2 or name_and_serial[0][_TAG] != 0x30:
            raise ValueError("bad issuerAndSerialNumber")
        issuer = der.whole(name_and_serial[0])
        if not der.contents(name_and_serial[1], 0x02, "serialNumber"):
            raise ValueError("empty serial number")
        serial = der.whole(name_and_serial[1])
    else:
        ski = der.contents(sid, 0x80, "SignerIdentifier")
    digest = der.contents(der.children(fields[2], 0x30, "digestAlgorithm")[0], 0x06, "digest")
    rest = fields[3:]
    signed_attrs = None
    attributes: list[tuple[bytes, tuple[bytes, ...]]] = []
    if rest[0][_TAG] == 0xA0:
        signed_attrs = der.whole(rest[0])
        for attr in der.children(rest[0], 0xA0, "signedAttrs"):
            parts = der.children(attr, 0x30, "Attribute")
            if len(parts) != 2:
                raise ValueError("an attribute must have a type and values")
            values = der.children(parts[1], 0x31, "attribute values")
            attributes.append(
                (der.contents(parts[0], 0x06, "attribute type"), tuple(map(der.whole, values)))
            )
        rest = rest[1:]
    if len(rest) not in (2, 3) or (len(rest) == 3 and rest[2][_TAG] != 0xA1):
        raise ValueError("unexpected fields in SignerInfo")
    algorithm = der.children(rest[0], 0x30, "signatureAlgorithm")
    return _SignerInfo(
        issuer=issuer,
        serial=serial,
        ski=ski,
        digest=digest,
        signed_attrs=signed_attrs,
        attributes=tuple(attributes),
        signature_algorithm=der.contents(algorithm[0], 0x06, "signatureAlgorithm"),
        signature=der.contents(rest[1], 0x04, "signature"),
    )


@functools.lru_cache(maxsize=64)  # the signer's certificate is looked at two or three times
def _issuer_and_serial(certificate_der: bytes) -> tuple[bytes, bytes]:
    """The DER of a certificate's issuer Name and of its serialNumber INTEGER."""
    der = _Der(certificate_der)
    cert = der.children(der.read(0, len(certificate_der)), 0x30, "Certificate", limit=1)
    tbs = der.children(cert[0], 0x30, "tbsCertificate", limit=4)
    i = 1 if tbs[0][_TAG] == 0xA0 else 0  # [0] version
    if len(tbs) < i + 3 or tbs[i][_TAG] != 0x02 or tbs[i + 2][_TAG] != 0x30:
        raise ValueError("not an X.509 certificate")
    return der.whole(tbs[i + 2]), der.whole(tbs[i])


#: Deepest nesting of BER elements accepted (a CMS with its certificates needs about 15).
_MAX_BER_DEPTH: Final = 40


def _definite_lengths(data: bytes) -> bytes:
    """BER with indefinite lengths re-encoded with definite ones (what streaming signers such
    as ``openssl cms -sign -stream`` write). Elements without indefinite lengths inside are
    copied byte for byte, so certificates keep their exact encoding; constructed OCTET
    STRINGs become primitive ones. ``ValueError`` for damaged input.
    """
    element, end = _definite_element(data, 0, len(data), 0)
    if end != len(data):
        raise ValueError(f"{len(data) - end} bytes of trailing data after the signature")
    return element


def _definite_element(data: bytes, pos: int, limit: int, depth: int) -> tuple[bytes, int]:
    if depth > _MAX_BER_DEPTH:
        raise ValueError(f"BER nested more than {_MAX_BER_DEPTH} levels deep")
    start = pos
    if pos >= limit:
        raise ValueError("truncated BER element")
    constructed = bool(data[pos] & 0x20)
    if data[pos] & 0x1F == 0x1F:  # high tag number form
        pos += 1
        while pos < limit and data[pos] & 0x80:
            pos += 1
    pos += 1
    if pos >= limit:
        raise ValueError("truncated BER element")
    tag = data[start:pos]
    first = data[pos]
    pos += 1
    if first == 0x80:
        if not constructed:
            raise ValueError("indefinite length on a primitive BER element")
        parts = []
        while True:
            if pos + 2 > limit:
                raise ValueError("BER indefinite length without end-of-contents")
            if data[pos] == 0 and data[pos + 1] == 0:
                pos += 2
                break
            part, pos = _definite_element(data, pos, limit, depth + 1)
            parts.append(part)
        return _constructed(tag, parts), pos
    if first & 0x80:
        n = first & 0x7F
        if n == 0 or n > 4 or pos + n > limit:
            raise ValueError("bad BER length")
        length = int.from_bytes(data[pos : pos + n], "big")
        pos += n
    else:
        length = first
    end = pos + length
    if end > limit:
        raise ValueError("truncated BER element")
    if not constructed:
        return data[start:end], end
    parts, changed, inner = [], False, pos
    while inner < end:
        part, after = _definite_element(data, inner, end, depth + 1)
        changed = changed or part != data[inner:after]
        parts.append(part)
        inner = after
    if not changed and tag != b"\x24":
        return data[start:end], end
    return _constructed(tag, parts), end


def _constructed(tag: bytes, parts: list[bytes]) -> bytes:
    """A constructed element of ``parts``; a constructed OCTET STRING (streamed content,
    cut in chunks) becomes one primitive OCTET STRING, as asn1crypto needs it."""
    if tag == b"\x24":
        chunks = []
        for part in parts:
            if part[0] != 0x04:
                raise ValueError("a constructed OCTET STRING holds something else")
            header = 2 + (part[1] & 0x7F if part[1] & 0x80 else 0)
            chunks.append(part[header:])
        body = b"".join(chunks)
        return b"\x04" + _der_length(len(body)) + body
    return tag + _der_length(sum(map(len, parts))) + b"".join(parts)


def _der_length(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    octets = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(octets)]) + octets


def _single(values: tuple[bytes, ...], name: str) -> bytes:
    if len(values) != 1:
        raise _Reject(CmsReason.MALFORMED, f"the {name} attribute must have exactly one value")
    return values[0]


def _value(value: bytes, tags: tuple[int, ...], name: str) -> _Tlv:
    der = _Der(value)
    tlv = der.read(0, len(value))
    if tlv[_TAG] not in tags or tlv[_END] != len(value):
        raise _Reject(CmsReason.MALFORMED, f"the {name} attribute has the wrong form")
    return tlv


_UTC_TIME: Final = re.compile(rb"([0-9]{2})([0-9]{2})([0-9]{2})([0-9]{2})([0-9]{2})([0-9]{2})Z")
_GENERALIZED_TIME: Final = re.compile(
    rb"([0-9]{4})([0-9]{2})([0-9]{2})([0-9]{2})([0-9]{2})([0-9]{2})(?:[.]([0-9]{1,6}))?Z"
)


def _signing_time(value: bytes) -> datetime:
    """A signing-time value: UTCTime (1950-2049) or GeneralizedTime, in UTC.

    The DER forms (RFC 5280 4.1.2.5) are read here; other BER forms (no seconds, a UTC
    offset) are left to asn1crypto.
    """
    tlv = _value(value, (0x17, 0x18), "signing-time")
    utc = tlv[_TAG] == 0x17
    m = (_UTC_TIME if utc else _GENERALIZED_TIME).fullmatch(value, tlv[_BODY])
    if m is None:
        kind = core.UTCTime if utc else core.GeneralizedTime
        parsed = kind.load(value, strict=True).native
        if not isinstance(parsed, datetime) or parsed.tzinfo is None:
            raise _Reject(CmsReason.MALFORMED, "the signing-time attribute has the wrong form")
        return parsed.astimezone(UTC)
    year, month, day, hour, minute, second = (int(g) for g in m.groups()[:6])
    if utc:
        year += 1900 if year >= 50 else 2000
    fraction = m.group(7) if not utc else None
    micro = int(fraction.ljust(6, b"0")) if fraction else 0
    return datetime(year, month, day, hour, minute, second, micro, tzinfo=UTC)


def _ski_of(cert: x509.Certificate) -> bytes:
    try:
        return cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest
    except x509.ExtensionNotFound:  # RFC 5280 4.2.1.2 method 1, as openssl -keyid computes it
        return x509.SubjectKeyIdentifier.from_public_key(cert.public_key()).digest


def _same_name(a: bytes, b: bytes) -> bool:
    """Byte-equal Names, else equal by RFC 5280 name matching (slow: string preparation)."""
    if a == b:
        return True
    try:
        return bool(asn1_x509.Name.load(a) == asn1_x509.Name.load(b))
    except ValueError:
        return False


def _find_signer(
    signer: _SignerInfo, certificates: Sequence[tuple[bytes, x509.Certificate]]
) -> tuple[bytes, x509.Certificate, str]:
    if signer.issuer is not None:
        for der, cert in certificates:
            issuer, serial = _issuer_and_serial(der)
            if serial == signer.serial and _same_name(signer.issuer, issuer):
                return der, cert, "found by issuer and serial number"
    elif signer.ski is not None:
        for der, cert in certificates:
            if hmac.compare_digest(_ski_of(cert), signer.ski):
                return der, cert, "found by subject key identifier"
    raise _Reject(
        CmsReason.NO_SIGNER_CERTIFICATE,
        "the signer's certificate is not in the signature (include it when signing)",
    )


def _check_signing_certificate_attr(name: str, values: tuple[bytes, ...], cert_der: bytes) -> str:
    """ESS signing-certificate(-v2): the first ESSCertID names the signer's certificate."""
    value = _single(values, name)
    v2 = name == "signing-certificate-v2"
    if v2 and value == _signing_certificate_v2(cert_der):
        return "ok (signing-certificate-v2, sha256)"  # exactly what sign_cms writes
    kind = asn1crypto.tsp.SigningCertificateV2 if v2 else asn1crypto.tsp.SigningCertificate
    ids = kind.load(value, strict=True)["certs"]
    if len(ids) == 0:
        raise _Reject(CmsReason.MALFORMED, f"the {name} attribute names no certificate")
    first = ids[0]
    if v2:
        hash_name = first["hash_algorithm"]["algorithm"].native
        if hash_name not in _HASHES:
            raise _Reject(
                CmsReason.UNSUPPORTED, f"the ESS certificate hash uses {hash_name}, not SHA-2"
            )
        algorithm: hashes.HashAlgorithm = _HASHES[hash_name]()
    else:
        algorithm = hashes.SHA1()  # noqa: S303 - RFC 2634 fixes SHA-1 for ESSCertID
    if not hmac.compare_digest(_digest(algorithm, cert_der), bytes(first["cert_hash"].native)):
        raise _Reject(
            CmsReason.SIGNING_CERTIFICATE_MISMATCH,
            "the signed attributes name another certificate than the one that signed",
        )
    issuer_serial = first["issuer_serial"]
    if isinstance(issuer_serial, asn1crypto.tsp.IssuerSerial):  # optional (core.Void if absent)
        issuer, serial = _issuer_and_serial(cert_der)
        if issuer_serial["serial_number"].dump() != serial:
            raise _Reject(
                CmsReason.SIGNING_CERTIFICATE_MISMATCH,
                "the signed attributes name another certificate serial number than the signer's",
            )
        names = [gn.chosen for gn in issuer_serial["issuer"] if gn.name == "directory_name"]
        if names and not any(_same_name(n.chosen.dump(), issuer) for n in names):
            raise _Reject(
                CmsReason.SIGNING_CERTIFICATE_MISMATCH,
                "the signed attributes name another certificate issuer than the signer's",
            )
    return f"ok ({name}, {algorithm.name})"


class _Verifier:
    def __init__(
        self,
        *,
        trust_store: TrustStore,
        crls: CrlStore | None,
        policy: RevocationPolicy,
        purpose: Purpose,
        at: datetime | None,
    ) -> None:
        self.trust_store = trust_store
        self.crls = crls
        self.policy = policy
        self.purpose = purpose
        self.now = aware(at, "the verification time")
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
        self, signature: bytes | bytearray | memoryview | str, content: bytes | None
    ) -> CmsVerification:
        try:
            intermediates = self.parse(signature, content)
        except _Reject as rejected:
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
        self, signature: bytes | bytearray | memoryview | str, content: bytes | None
    ) -> list[x509.Certificate]:
        """Every check on the CMS itself; returns the other certificates it carries."""
        signed_data = self.structure(signature)
        certificates = self.certificates(signed_data.certificates)

        self.step("signer-count")
        count = len(signed_data.signer_infos)
        if count != 1:
            raise _Reject(
                CmsReason.SIGNER_COUNT,
                f"the signature has {count} signers; exactly one is required",
            )
        self.ok("signer-count", "1 signer")
        self.step("structure")
        try:
            signer_info = _parse_signer_info(signed_data.signer_infos[0])
        except _IndefiniteLength:  # BER inside a definite-length SignedData
            signer_info = _parse_signer_info(_definite_lengths(signed_data.signer_infos[0]))

        data = self.signed_content(signed_data, content)
        digest_name = _DIGEST_OIDS.get(signer_info.digest)
        if digest_name is None:
            raise _Reject(
                CmsReason.UNSUPPORTED,
                f"digest algorithm {_oid_name(signer_info.digest, algos.DigestAlgorithmId)} "
                "is not accepted; SHA-256/384/512 are",
            )
        algorithm = _HASHES[digest_name]()
        if signer_info.signed_attrs is None:
            raise _Reject(
                CmsReason.UNSUPPORTED, "the signature has no signed attributes; they are required"
            )
        found: dict[str, tuple[bytes, ...]] = {}
        for oid, values in signer_info.attributes:
            name = _ATTRIBUTE_NAMES.get(oid) or oid.hex()  # others are not looked at
            if name in found:
                name = _ATTRIBUTE_NAMES.get(oid) or _oid_name(oid, cms.CMSAttributeType)
                raise _Reject(CmsReason.MALFORMED, f"the {name} attribute appears twice")
            found[name] = values
        self.content_type_attribute(found, signed_data.content_type)
        self.message_digest_attribute(found, algorithm, data)

        self.step("signer-certificate")
        signer_der, signer, how = _find_signer(signer_info, certificates)
        self.signer = signer
        self.ok("signer-certificate", how)

        self.step("signing-certificate-attribute")
        outcome = "absent"
        for name in ("signing-certificate-v2", "signing-certificate"):
            if name in found:
                outcome = _check_signing_certificate_attr(name, found[name], signer_der)
                break
        self.ok("signing-certificate-attribute", outcome)

        self.signature(signer_info, signer, digest_name, algorithm)
        self.signing_time_attribute(found)
        return [cert for _, cert in certificates if cert is not signer]

    def structure(self, signature: bytes | bytearray | memoryview | str) -> _SignedData:
        self.step("structure")
        try:
            der = _to_der(signature)
        except ValueError as exc:
            raise _Reject(CmsReason.MALFORMED, str(exc)) from None
        if not der:
            raise _Reject(CmsReason.MALFORMED, "the signature is empty")
        try:
            signed_data = _parse_signed_data(der)
        except _IndefiniteLength:  # BER (streamed): make the lengths definite, then read it
            try:
                signed_data = _parse_signed_data(_definite_lengths(der))
            except ValueError as exc:
                raise _Reject(CmsReason.MALFORMED, f"the BER cannot be parsed: {exc}") from None
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
            except ValueError as exc:
                problem = str(exc)
            try:  # BER inside (indefinite lengths): cryptography reads DER only
                definite = _definite_lengths(der)
                out.append((definite, x509.load_der_x509_certificate(definite)))
            except ValueError:
                raise _Reject(
                    CmsReason.MALFORMED,
                    f"a certificate in the signature cannot be parsed: {problem}",
                ) from None
        return out

    def signed_content(self, signed_data: _SignedData, content: bytes | None) -> bytes:
        self.step("content")
        if signed_data.content_type != _OID_DATA:
            name = _oid_name(signed_data.content_type, cms.ContentType)
            raise _Reject(CmsReason.UNSUPPORTED, f"the signed content type is {name}, not id-data")
        attached = signed_data.content
        if attached is not None:
            if content is not None and bytes(content) != attached:
                raise _Reject(
                    CmsReason.CONTENT_MISMATCH,
                    "the content given differs from the content inside the signature",
                )
            self.content = attached
            self.ok("content", f"attached ({len(attached)} bytes)")
            return attached
        if content is None:
            raise _Reject(
                CmsReason.NO_CONTENT, "a detached signature needs the signed content to verify"
            )
        data = bytes(content)
        self.ok("content", f"detached ({len(data)} bytes)")
        return data

    def content_type_attribute(
        self, found: Mapping[str, tuple[bytes, ...]], e_content_type: bytes
    ) -> None:
        self.step("content-type")
        if "content-type" not in found:
            raise _Reject(CmsReason.MALFORMED, "the content-type attribute is missing")
        value = _single(found["content-type"], "content-type")
        claimed = value[_value(value, (0x06,), "content-type")[_BODY] :]
        if claimed != e_content_type:
            raise _Reject(
                CmsReason.CONTENT_MISMATCH,
                f"the content-type attribute ({_oid_name(claimed, cms.ContentType)}) does not "
                f"match the content ({_oid_name(e_content_type, cms.ContentType)})",
            )
        self.ok("content-type")

    def message_digest_attribute(
        self,
        found: Mapping[str, tuple[bytes, ...]],
        algorithm: hashes.HashAlgorithm,
        data: bytes,
    ) -> None:
        self.step("message-digest")
        if "message-digest" not in found:
            raise _Reject(CmsReason.MALFORMED, "the message-digest attribute is missing")
        value = _single(found["message-digest"], "message-digest")
        claimed = value[_value(value, (0x04,), "message-digest")[_BODY] :]
        if not hmac.compare_digest(_digest(algorithm, data), claimed):
            raise _Reject(
                CmsReason.DIGEST_MISMATCH,
                "the content does not match the signed digest: it was changed after signing",
            )
        self.ok("message-digest", f"ok ({algorithm.name})")

    def signature(
        self,
        signer_info: _SignerInfo,
        signer: x509.Certificate,
        digest_name: str,
        algorithm: hashes.HashAlgorithm,
    ) -> None:
        self.step("signature")
        oid = signer_info.signature_algorithm
        if oid not in _SIGNATURE_OIDS or _SIGNATURE_OIDS[oid] not in (None, digest_name):
            name = _oid_name(oid, algos.SignedDigestAlgorithmId)
            raise _Reject(
                CmsReason.UNSUPPORTED,
                f"signature algorithm {name} with {digest_name} is not accepted; "
                "RSA PKCS#1 v1.5 is",
            )
        public = signer.public_key()
        if not isinstance(public, rsa.RSAPublicKey):
            raise _Reject(CmsReason.UNSUPPORTED, "the signer's certificate holds no RSA key")
        assert signer_info.signed_attrs is not None  # checked by parse()
        _verify_signed_attributes(
            public, signer_info.signature, signer_info.signed_attrs, algorithm
        )
        self.ok("signature", "ok (RSA PKCS#1 v1.5)")

    def signing_time_attribute(self, found: Mapping[str, tuple[bytes, ...]]) -> None:
        self.step("signing-time")
        if "signing-time" not in found:
            self.ok("signing-time", "absent: the certificate is checked at the verification time")
            return
        signing_time = _signing_time(_single(found["signing-time"], "signing-time"))
        self.signing_time = signing_time
        if signing_time > self.now + SIGNING_TIME_SKEW:
            raise _Reject(
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


_SIGNATURE_CERT_REQUIRED: Final = (
    "A certificate request must be signed with the signature certificate (署名用電子証明書), "
    "not the user-authentication certificate (利用者証明用電子証明書)."
)


def _verify_signed_attributes(
    public: rsa.RSAPublicKey,
    signature: bytes,
    signed_attrs_der: bytes,
    algorithm: hashes.HashAlgorithm,
) -> None:
    """RFC 5652 5.4: the signature covers the DER of the attributes as a universal SET.

    The bytes as received, re-tagged, are tried first (they are DER when the
    signer wrote DER, which saves re-encoding); a BER or unsorted encoding is
    re-encoded as DER and tried once more.
    """
    candidate = b"\x31" + signed_attrs_der[1:]
    try:
        public.verify(signature, candidate, padding.PKCS1v15(), algorithm)
        return
    except InvalidSignature:
        pass
    canonical = cms.CMSAttributes.load(candidate).dump(force=True)
    if canonical != candidate:
        try:
            public.verify(signature, canonical, padding.PKCS1v15(), algorithm)
            return
        except InvalidSignature:
            pass
    raise _Reject(
        CmsReason.BAD_SIGNATURE,
        "the signature does not verify with the signer's certificate: "
        "the signed attributes were changed or another key signed",
    )


def verify_cms(
    signature: bytes | bytearray | memoryview | str,
    content: bytes | None = None,
    *,
    trust_store: TrustStore | None = None,
    crls: CrlStore | None = None,
    policy: RevocationPolicy = RevocationPolicy.IF_AVAILABLE,
    purpose: Purpose = Purpose.SIGNATURE,
    at: datetime | None = None,
) -> CmsVerification:
    """Verify a CMS SignedData (DER, BER or PEM) with exactly one signer.

    ``content`` is the signed data for a detached signature (for an attached
    one it may be given too, and must then be equal). ``trust_store``
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
    )
    return verifier.run(signature, content)
