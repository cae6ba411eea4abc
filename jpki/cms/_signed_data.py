"""The SignedData as :func:`jpki.cms.verify_cms` reads it: its structure, its signer, its
signed attributes, and the checks on them that need no trust decision.

Everything here reads with :mod:`jpki.cms._der` and raises :class:`Reject` (a reason
and a message) or ``ValueError`` for damaged input; :mod:`jpki.cms.verify` turns both
into a result.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Final

import asn1crypto.tsp  # registers the ESS signing-certificate(-v2) attributes
from asn1crypto import cms, core
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from ..digestinfo import SHA2, hash_data
from ..limits import CmsLimits, pem_size, size_text
from ..verdict import SignatureReason
from ._der import BODY, END, START, TAG, DerReader, Tlv, encode_length, issuer_and_serial
from .pem import from_pem
from .sign import signing_certificate_v2


class Reject(Exception):
    """Internal: stops verification with a reason; never escapes :func:`verify_cms`."""

    def __init__(self, reason: SignatureReason, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


def to_der(signature: bytes | bytearray | memoryview | str, limits: CmsLimits) -> bytes:
    """The DER of a signature given as DER, BER or PEM, its size checked against ``limits``
    before it is decoded (PEM) and after."""
    raw = signature.encode("ascii", "replace") if isinstance(signature, str) else signature
    pem = (
        raw[:1] in (b"-", b" ", b"\t", b"\r", b"\n")
        and bytes(raw[:4096]).lstrip()[:11] == b"-----BEGIN "
    )
    limit = pem_size(limits.max_size) if pem else limits.max_size
    if len(raw) > limit:
        raise Reject(SignatureReason.TOO_LARGE, _too_large("signature", len(raw), limit))
    der = from_pem(raw) if pem else bytes(raw)
    if len(der) > limits.max_size:
        raise Reject(SignatureReason.TOO_LARGE, _too_large("signature", len(der), limits.max_size))
    return der


def _too_large(what: str, size: int, limit: int) -> str:
    return f"the {what} is {size_text(size)}; at most {size_text(limit)} are accepted"


def bounded(der: DerReader, parent: Tlv, tag: int, what: str, at_most: int) -> list[Tlv]:
    """The elements inside ``parent``, at most ``at_most`` of them (else :class:`Reject`
    ``too-large``): never a list of everything an attacker packed in."""
    found = der.children(parent, tag, what, limit=at_most + 1)
    if len(found) > at_most:
        raise Reject(SignatureReason.TOO_LARGE, f"{what}: more than {at_most} are accepted")
    return found


def _oid(dotted: str) -> bytes:
    """The contents octets of an OBJECT IDENTIFIER."""
    return bytes(core.ObjectIdentifier(dotted).contents)


OID_SIGNED_DATA: Final = _oid("1.2.840.113549.1.7.2")
OID_DATA: Final = _oid("1.2.840.113549.1.7.1")
DIGEST_OIDS: Final = MappingProxyType(
    {
        _oid("2.16.840.1.101.3.4.2.1"): "sha256",
        _oid("2.16.840.1.101.3.4.2.2"): "sha384",
        _oid("2.16.840.1.101.3.4.2.3"): "sha512",
    }
)
#: signatureAlgorithm -> the digest it requires (None: rsaEncryption, any of ours)
SIGNATURE_OIDS: Final = MappingProxyType(
    {
        _oid("1.2.840.113549.1.1.1"): None,
        _oid("1.2.840.113549.1.1.11"): "sha256",
        _oid("1.2.840.113549.1.1.12"): "sha384",
        _oid("1.2.840.113549.1.1.13"): "sha512",
    }
)
#: The signed attributes looked at, by the contents octets of their OID.
ATTRIBUTE_NAMES: Final = MappingProxyType(
    {
        _oid("1.2.840.113549.1.9.3"): "content-type",
        _oid("1.2.840.113549.1.9.4"): "message-digest",
        _oid("1.2.840.113549.1.9.5"): "signing-time",
        _oid("1.2.840.113549.1.9.16.2.12"): "signing-certificate",
        _oid("1.2.840.113549.1.9.16.2.47"): "signing-certificate-v2",
    }
)


def oid_name(contents: bytes, kind: type[core.ObjectIdentifier] = core.ObjectIdentifier) -> str:
    """A readable name (asn1crypto's, e.g. ``sha1``) or the dotted form, for messages."""
    try:
        oid = kind.load(b"\x06" + encode_length(len(contents)) + contents)
        return str(oid.native)
    except ValueError:
        return contents.hex()


@dataclass(frozen=True, slots=True)
class SignedData:
    content_type: bytes  # eContentType, contents octets
    content: bytes | None  # eContent, None when detached
    certificates: tuple[bytes, ...]  # DER of each X.509 certificate (other kinds skipped)
    signer_infos: tuple[bytes, ...]  # DER of each SignerInfo


@dataclass(frozen=True, slots=True)
class SignerInfo:
    issuer: bytes | None  # issuerAndSerialNumber: the issuer Name's DER ...
    serial: bytes | None  # ... and the DER of the serialNumber INTEGER
    ski: bytes | None  # or subjectKeyIdentifier
    digest: bytes  # digestAlgorithm OID, contents octets
    signed_attrs: bytes | None  # the [0] element as received
    attributes: tuple[tuple[bytes, tuple[bytes, ...]], ...]  # (OID contents, DER of values)
    signature_algorithm: bytes
    signature: bytes


def parse_signed_data(data: bytes, limits: CmsLimits) -> SignedData:
    der = DerReader(data)
    top = der.read(0, len(data))
    if top[END] != len(data):
        raise ValueError(f"{len(data) - top[END]} bytes of trailing data after the signature")
    info = der.children(top, 0x30, "ContentInfo", limit=3)
    if len(info) != 2:
        raise ValueError("not a CMS ContentInfo")
    content_type = der.contents(info[0], 0x06, "ContentInfo content type")
    if content_type != OID_SIGNED_DATA:
        raise Reject(
            SignatureReason.MALFORMED,
            f"not a CMS SignedData (content type {oid_name(content_type, cms.ContentType)})",
        )
    inner = der.children(info[1], 0xA0, "ContentInfo content", limit=2)
    if len(inner) != 1:
        raise ValueError("not a CMS ContentInfo")
    fields = der.children(inner[0], 0x30, "SignedData", limit=7)
    if not 4 <= len(fields) <= 6:
        raise ValueError("SignedData has the wrong number of fields")
    der.contents(fields[0], 0x02, "SignedData version")
    bounded(der, fields[1], 0x31, "digest algorithms", limits.max_signers)
    optional = [f[TAG] for f in fields[3:-1]]
    if optional not in ([], [0xA0], [0xA1], [0xA0, 0xA1]):
        raise ValueError("unexpected fields in SignedData")
    certificates: tuple[bytes, ...] = ()
    if optional[:1] == [0xA0]:
        choices = bounded(der, fields[3], 0xA0, "certificates", limits.max_certificates)
        certificates = tuple(der.whole(c) for c in choices if c[TAG] == 0x30)
    signer_infos = tuple(
        der.whole(s) for s in bounded(der, fields[-1], 0x31, "signers", limits.max_signers)
    )
    encap = der.children(fields[2], 0x30, "EncapsulatedContentInfo", limit=3)
    if not 1 <= len(encap) <= 2:
        raise ValueError("EncapsulatedContentInfo has the wrong number of fields")
    e_content_type = der.contents(encap[0], 0x06, "eContentType")
    e_content = None
    if len(encap) == 2:
        explicit = der.children(encap[1], 0xA0, "eContent", limit=2)
        if len(explicit) != 1:
            raise ValueError("eContent must hold one OCTET STRING")
        e_content = der.octet_string(explicit[0])
    return SignedData(e_content_type, e_content, certificates, signer_infos)


def parse_signer_info(data: bytes, limits: CmsLimits) -> SignerInfo:
    der = DerReader(data)
    fields = der.children(der.read(0, len(data)), 0x30, "SignerInfo", limit=8)
    if not 5 <= len(fields) <= 7:
        raise ValueError("SignerInfo has the wrong number of fields")
    der.contents(fields[0], 0x02, "SignerInfo version")
    sid = fields[1]
    issuer = serial = ski = None
    if sid[TAG] == 0x30:
        name_and_serial = der.children(sid, 0x30, "issuerAndSerialNumber", limit=3)
        if len(name_and_serial) != 2 or name_and_serial[0][TAG] != 0x30:
            raise ValueError("bad issuerAndSerialNumber")
        issuer = der.whole(name_and_serial[0])
        if not der.contents(name_and_serial[1], 0x02, "serialNumber"):
            raise ValueError("empty serial number")
        serial = der.whole(name_and_serial[1])
    else:
        ski = der.contents(sid, 0x80, "SignerIdentifier")
    algorithm_fields = der.children(fields[2], 0x30, "digestAlgorithm", limit=3)
    if not algorithm_fields:
        raise ValueError("digestAlgorithm is empty")
    digest = der.contents(algorithm_fields[0], 0x06, "digest")
    rest = fields[3:]
    signed_attrs = None
    attributes: list[tuple[bytes, tuple[bytes, ...]]] = []
    if rest[0][TAG] == 0xA0:
        size = rest[0][END] - rest[0][START]
        if size > limits.max_signed_attributes_size:
            raise Reject(
                SignatureReason.TOO_LARGE,
                _too_large("signed attributes", size, limits.max_signed_attributes_size),
            )
        signed_attrs = der.whole(rest[0])
        for attr in bounded(der, rest[0], 0xA0, "signed attributes", limits.max_signed_attributes):
            parts = der.children(attr, 0x30, "Attribute", limit=3)
            if len(parts) != 2:
                raise ValueError("an attribute must have a type and values")
            values = bounded(der, parts[1], 0x31, "attribute values", limits.max_attribute_values)
            attributes.append(
                (der.contents(parts[0], 0x06, "attribute type"), tuple(map(der.whole, values)))
            )
        rest = rest[1:]
    if len(rest) not in (2, 3) or (len(rest) == 3 and rest[2][TAG] != 0xA1):
        raise ValueError("unexpected fields in SignerInfo")
    algorithm = der.children(rest[0], 0x30, "signatureAlgorithm", limit=3)
    if not algorithm:
        raise ValueError("signatureAlgorithm is empty")
    return SignerInfo(
        issuer=issuer,
        serial=serial,
        ski=ski,
        digest=digest,
        signed_attrs=signed_attrs,
        attributes=tuple(attributes),
        signature_algorithm=der.contents(algorithm[0], 0x06, "signatureAlgorithm"),
        signature=der.contents(rest[1], 0x04, "signature"),
    )


def single_value(values: tuple[bytes, ...], name: str) -> bytes:
    if len(values) != 1:
        raise Reject(SignatureReason.MALFORMED, f"the {name} attribute must have exactly one value")
    return values[0]


def attribute_value(value: bytes, tags: tuple[int, ...], name: str) -> Tlv:
    der = DerReader(value)
    tlv = der.read(0, len(value))
    if tlv[TAG] not in tags or tlv[END] != len(value):
        raise Reject(SignatureReason.MALFORMED, f"the {name} attribute has the wrong form")
    return tlv


_UTC_TIME: Final = re.compile(rb"([0-9]{2})([0-9]{2})([0-9]{2})([0-9]{2})([0-9]{2})([0-9]{2})Z")
_GENERALIZED_TIME: Final = re.compile(
    rb"([0-9]{4})([0-9]{2})([0-9]{2})([0-9]{2})([0-9]{2})([0-9]{2})(?:[.]([0-9]{1,6}))?Z"
)


def parse_signing_time(value: bytes) -> datetime:
    """A signing-time value: UTCTime (1950-2049) or GeneralizedTime, in UTC.

    The DER forms (RFC 5280 4.1.2.5) are read here; other BER forms (no seconds, a UTC
    offset) are left to asn1crypto.
    """
    tlv = attribute_value(value, (0x17, 0x18), "signing-time")
    utc = tlv[TAG] == 0x17
    m = (_UTC_TIME if utc else _GENERALIZED_TIME).fullmatch(value, tlv[BODY])
    if m is None:
        kind = core.UTCTime if utc else core.GeneralizedTime
        parsed = kind.load(value, strict=True).native
        if not isinstance(parsed, datetime) or parsed.tzinfo is None:
            raise Reject(SignatureReason.MALFORMED, "the signing-time attribute has the wrong form")
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


def find_signer(
    signer: SignerInfo, certificates: Sequence[tuple[bytes, x509.Certificate]]
) -> tuple[bytes, x509.Certificate, str]:
    if signer.issuer is not None:
        for der, cert in certificates:
            issuer, serial = issuer_and_serial(der)
            if serial == signer.serial and _same_name(signer.issuer, issuer):
                return der, cert, "found by issuer and serial number"
    elif signer.ski is not None:
        for der, cert in certificates:
            if hmac.compare_digest(_ski_of(cert), signer.ski):
                return der, cert, "found by subject key identifier"
    raise Reject(
        SignatureReason.NO_SIGNER_CERTIFICATE,
        "the signer's certificate is not in the signature (include it when signing)",
    )


def check_signing_certificate(name: str, values: tuple[bytes, ...], cert_der: bytes) -> str:
    """ESS signing-certificate(-v2): the first ESSCertID names the signer's certificate."""
    value = single_value(values, name)
    v2 = name == "signing-certificate-v2"
    if v2 and value == signing_certificate_v2(cert_der):
        return "ok (signing-certificate-v2, sha256)"  # exactly what sign_cms writes
    kind = asn1crypto.tsp.SigningCertificateV2 if v2 else asn1crypto.tsp.SigningCertificate
    ids = kind.load(value, strict=True)["certs"]
    if len(ids) == 0:
        raise Reject(SignatureReason.MALFORMED, f"the {name} attribute names no certificate")
    first = ids[0]
    if v2:
        hash_name = first["hash_algorithm"]["algorithm"].native
        if hash_name not in SHA2:
            raise Reject(
                SignatureReason.UNSUPPORTED, f"the ESS certificate hash uses {hash_name}, not SHA-2"
            )
        algorithm: hashes.HashAlgorithm = SHA2[hash_name]()
    else:
        algorithm = hashes.SHA1()  # noqa: S303 - RFC 2634 fixes SHA-1 for ESSCertID
    if not hmac.compare_digest(hash_data(algorithm, cert_der), bytes(first["cert_hash"].native)):
        raise Reject(
            SignatureReason.SIGNING_CERTIFICATE_MISMATCH,
            "the signed attributes name another certificate than the one that signed",
        )
    issuer_serial = first["issuer_serial"]
    if isinstance(issuer_serial, asn1crypto.tsp.IssuerSerial):  # optional (core.Void if absent)
        issuer, serial = issuer_and_serial(cert_der)
        if issuer_serial["serial_number"].dump() != serial:
            raise Reject(
                SignatureReason.SIGNING_CERTIFICATE_MISMATCH,
                "the signed attributes name another certificate serial number than the signer's",
            )
        names = [gn.chosen for gn in issuer_serial["issuer"] if gn.name == "directory_name"]
        if names and not any(_same_name(n.chosen.dump(), issuer) for n in names):
            raise Reject(
                SignatureReason.SIGNING_CERTIFICATE_MISMATCH,
                "the signed attributes name another certificate issuer than the signer's",
            )
    return f"ok ({name}, {algorithm.name})"


def verify_signed_attributes(
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
    raise Reject(
        SignatureReason.BAD_SIGNATURE,
        "the signature does not verify with the signer's certificate: "
        "the signed attributes were changed or another key signed",
    )
