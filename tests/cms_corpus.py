"""The negative corpus for ``jpki.cms.verify_cms``: damaged, forged and untrusted signatures,
each with the reason verification must give.

Everything is built in-process from the mock PKI's pool keys (fast, no fresh RSA keys).
``tamper_*`` helpers edit a SignedData with asn1crypto; ``resign`` edits the signed
attributes and signs them again, so that only the edited property is wrong.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from asn1crypto import cms, core
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.serialization import Encoding

from jpki.cms import CmsReason, sign_cms_with_key, to_pem
from jpki.limits import CmsLimits
from jpki.trust import CrlStore, RevocationPolicy, TrustStore
from mock_card import CardProfile, MockPki
from mock_card.credentials import CardCredentials
from mock_card.keypool import pool_key

CONTENT = b"certificate request: copy of residence record, 1 copy, deliver by post\n" * 12


# -- stores -------------------------------------------------------------------------------------


def demo_pki() -> MockPki:
    return MockPki.demo()


@functools.cache
def demo_store() -> TrustStore:
    pki = demo_pki()
    return TrustStore.from_certificates([pki.sign_ca_cert, pki.auth_ca_cert])


@functools.cache
def demo_card() -> CardCredentials:
    return demo_pki().issue_card()


@functools.cache
def other_pki() -> MockPki:
    """Same CA names as the demo PKI, other keys: a look-alike root."""
    return MockPki.generate()


# -- editing a SignedData -----------------------------------------------------------------------


def load(der: bytes) -> cms.ContentInfo:
    return cms.ContentInfo.load(der)


def dump(info: cms.ContentInfo) -> bytes:
    return bytes(info.dump())


def signer_info(info: cms.ContentInfo, i: int = 0) -> Any:
    return info["content"]["signer_infos"][i]


def to_be_signed(si: Any) -> bytes:
    return b"\x31" + bytes(si["signed_attrs"].dump(force=True))[1:]


def rsa_sign(
    key: rsa.RSAPrivateKey, data: bytes, algorithm: hashes.HashAlgorithm | None = None
) -> bytes:
    return key.sign(data, padding.PKCS1v15(), algorithm or hashes.SHA256())


def edit_attributes(si: Any, edit: Callable[[list[dict[str, Any]]], None]) -> None:
    """Rebuild the signed attributes from their native form after ``edit`` changed it."""
    attrs = [{"type": a["type"].native, "values": list(a["values"])} for a in si["signed_attrs"]]
    edit(attrs)
    si["signed_attrs"] = cms.CMSAttributes(attrs)


def resign(
    der: bytes,
    key: rsa.RSAPrivateKey,
    edit: Callable[[list[dict[str, Any]]], None],
) -> bytes:
    """Edit the signed attributes and sign them again with ``key``."""
    info = load(der)
    si = signer_info(info)
    edit_attributes(si, edit)
    si["signature"] = rsa_sign(key, to_be_signed(si))
    return dump(info)


def tamper_attributes(der: bytes, edit: Callable[[list[dict[str, Any]]], None]) -> bytes:
    """Edit the signed attributes, keeping the old signature."""
    info = load(der)
    edit_attributes(signer_info(info), edit)
    return dump(info)


def set_attribute(name: str, value: Any) -> Callable[[list[dict[str, Any]]], None]:
    def edit(attrs: list[dict[str, Any]]) -> None:
        for a in attrs:
            if a["type"] == name:
                a["values"] = [value]

    return edit


def replace_signature(der: bytes, signature: bytes) -> bytes:
    info = load(der)
    signer_info(info)["signature"] = signature
    return dump(info)


def without_certificates(der: bytes) -> bytes:
    info = load(der)
    sd = info["content"]
    sd["certificates"] = cms.CertificateSet([])
    return dump(cms.ContentInfo({"content_type": "signed_data", "content": _drop_certs(sd)}))


def _drop_certs(sd: Any) -> cms.SignedData:
    return cms.SignedData(
        {
            "version": sd["version"].native,
            "digest_algorithms": sd["digest_algorithms"],
            "encap_content_info": sd["encap_content_info"],
            "signer_infos": sd["signer_infos"],
        }
    )


def two_signers(der: bytes, second: bytes) -> bytes:
    """The SignerInfos of both signatures in one SignedData (certificates of both)."""
    a, b = load(der), load(second)
    sd = a["content"]
    certs = list(sd["certificates"]) + list(b["content"]["certificates"])
    infos = list(sd["signer_infos"]) + list(b["content"]["signer_infos"])
    sd["certificates"] = cms.CertificateSet(certs)
    sd["signer_infos"] = cms.SignerInfos(infos)
    return dump(a)


def with_digest_algorithm(
    der: bytes, key: rsa.RSAPrivateKey, name: str, algorithm: hashes.HashAlgorithm
) -> bytes:
    """Re-made with another digest algorithm (message digest and signature consistent)."""
    info = load(der)
    si = signer_info(info)
    si["digest_algorithm"] = {"algorithm": name}
    h = hashes.Hash(algorithm)
    h.update(CONTENT)
    edit_attributes(si, set_attribute("message_digest", h.finalize()))
    si["signature"] = rsa_sign(key, to_be_signed(si), algorithm)
    return dump(info)


def without_signed_attributes(der: bytes, key: rsa.RSAPrivateKey) -> bytes:
    """RFC 5652 allows a signature straight over the content; we do not accept it."""
    info = load(der)
    old = signer_info(info)
    si = cms.SignerInfo(
        {
            "version": "v1",
            "sid": old["sid"],
            "digest_algorithm": old["digest_algorithm"],
            "signature_algorithm": old["signature_algorithm"],
            "signature": rsa_sign(key, CONTENT),
        }
    )
    info["content"]["signer_infos"] = cms.SignerInfos([si])
    return dump(info)


def flip_byte(data: bytes, index: int) -> bytes:
    return data[:index] + bytes([data[index] ^ 0x01]) + data[index + 1 :]


def forged_certificate(cert: x509.Certificate) -> x509.Certificate:
    """The certificate with one bit of its signature changed."""
    der = cert.public_bytes(Encoding.DER)
    return x509.load_der_x509_certificate(flip_byte(der, len(der) - 10))


def encipherment_only_certificate(pki: MockPki, key: rsa.RSAPrivateKey) -> x509.Certificate:
    """Issued by the demo signature CA, but for key encipherment only."""
    now = datetime.now(UTC)
    ca = pki.sign_ca_cert
    ski = ca.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    return (
        x509.CertificateBuilder()
        .subject_name(x509.Name.from_rfc4514_string("CN=encipherment only,C=JP"))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=10))
        .not_valid_after(now + timedelta(days=365))
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=True,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski), critical=False
        )
        .sign(pki.sign_ca_key, hashes.SHA256())
    )


# -- the corpus ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    name: str
    signature: bytes
    content: bytes | None
    expected: CmsReason
    verify_kwargs: dict[str, Any] = field(default_factory=dict)

    def kwargs(self) -> dict[str, Any]:
        return {"trust_store": demo_store(), **self.verify_kwargs}


def sign(creds: CardCredentials, *, kind: str = "sign", **kwargs: Any) -> bytes:
    key, cert = (
        (creds.sign_key, creds.sign_cert) if kind == "sign" else (creds.auth_key, creds.auth_cert)
    )
    return sign_cms_with_key(key, cert, CONTENT, **kwargs)


@functools.cache
def negative_corpus() -> tuple[Case, ...]:
    pki = demo_pki()
    now = datetime.now(UTC).replace(microsecond=0)
    creds = demo_card()
    good = sign(creds)
    good_attached = sign(creds, detached=False)
    other_key = pool_key(4)  # the spare pool slot
    cases: list[Case] = []

    def add(
        name: str, signature: bytes, expected: CmsReason, content: bytes | None = CONTENT, **kw: Any
    ) -> None:
        cases.append(Case(name, signature, content, expected, kw))

    # the content and the signed attributes
    add("tampered-content", good, CmsReason.DIGEST_MISMATCH, content=CONTENT[:-1] + b"?")
    add(
        "tampered-attached-content",
        tamper_attached(good_attached),
        CmsReason.DIGEST_MISMATCH,
        content=None,
    )
    add(
        "tampered-signed-attributes",
        tamper_attributes(
            good, set_attribute("signing_time", cms.Time({"utc_time": now - timedelta(days=1)}))
        ),
        CmsReason.BAD_SIGNATURE,
    )
    add(
        "signature-from-another-key",
        replace_signature(good, rsa_sign(other_key, to_be_signed(signer_info(load(good))))),
        CmsReason.BAD_SIGNATURE,
    )
    add(
        "flipped-signature-bit",
        replace_signature(good, flip_byte(bytes(signer_info(load(good))["signature"].native), 100)),
        CmsReason.BAD_SIGNATURE,
    )
    add(
        "content-type-attribute-mismatch",
        resign(good, creds.sign_key, set_attribute("content_type", "signed_data")),
        CmsReason.CONTENT_MISMATCH,
    )
    add(
        "attached-content-differs-from-given",
        good_attached,
        CmsReason.CONTENT_MISMATCH,
        content=b"other",
    )
    add("detached-without-content", good, CmsReason.NO_CONTENT, content=None)
    add(
        "future-signing-time",
        resign(
            good,
            creds.sign_key,
            set_attribute("signing_time", cms.Time({"utc_time": now + timedelta(days=2)})),
        ),
        CmsReason.FUTURE_SIGNING_TIME,
    )
    add(
        "ess-signing-certificate-names-another-certificate",
        resign(
            good,
            creds.sign_key,
            set_attribute("signing_certificate_v2", {"certs": [{"cert_hash": b"\x00" * 32}]}),
        ),
        CmsReason.SIGNING_CERTIFICATE_MISMATCH,
    )

    def duplicate_digest(attrs: list[dict[str, Any]]) -> None:
        attrs.append({"type": "message_digest", "values": [b"\x00" * 32]})

    add(
        "duplicate-message-digest-attribute",
        resign(good, creds.sign_key, duplicate_digest),
        CmsReason.MALFORMED,
    )

    def drop_digest(attrs: list[dict[str, Any]]) -> None:
        attrs[:] = [a for a in attrs if a["type"] != "message_digest"]

    add(
        "missing-message-digest-attribute",
        resign(good, creds.sign_key, drop_digest),
        CmsReason.MALFORMED,
    )
    add(
        "sha1-digest",
        with_digest_algorithm(good, creds.sign_key, "sha1", hashes.SHA1()),
        CmsReason.UNSUPPORTED,
    )
    add(
        "no-signed-attributes",
        without_signed_attributes(good, creds.sign_key),
        CmsReason.UNSUPPORTED,
    )

    # the certificate
    expired = pki.issue_card(profile=CardProfile.EXPIRED)
    add("expired-certificate", sign(expired), CmsReason.EXPIRED)
    future = pki.issue_card(profile=CardProfile.NOT_YET_VALID)
    add("not-yet-valid-certificate", sign(future), CmsReason.NOT_YET_VALID)
    add("auth-certificate-signed-request", sign(creds, kind="auth"), CmsReason.WRONG_KEY_USAGE)
    enc_key = pool_key(5)  # the other spare slot
    add(
        "wrong-key-usage-encipherment-only",
        sign_cms_with_key(enc_key, encipherment_only_certificate(pki, enc_key), CONTENT),
        CmsReason.WRONG_KEY_USAGE,
    )
    add(
        "forged-certificate-signature",
        sign_cms_with_key(creds.sign_key, forged_certificate(creds.sign_cert), CONTENT),
        CmsReason.BAD_CERTIFICATE_SIGNATURE,
    )
    add("untrusted-root", sign(other_pki().issue_card(key_index=1)), CmsReason.UNTRUSTED)
    add(
        "mock-certificate-against-production-store",
        good,
        CmsReason.UNTRUSTED,
        trust_store=TrustStore.production(),
    )

    # revocation
    sign_crl = pki.crl(
        "sign",
        [(creds.sign_cert.serial_number, now - timedelta(days=1))],
        this_update=now - timedelta(hours=1),
    )
    add(
        "revoked",
        good,
        CmsReason.REVOKED,
        crls=CrlStore.from_crls([sign_crl]),
        policy=RevocationPolicy.REQUIRE,
    )
    add(
        "revoked-if-available",
        good,
        CmsReason.REVOKED,
        crls=CrlStore.from_crls([sign_crl]),
        policy=RevocationPolicy.IF_AVAILABLE,
    )
    stale = pki.crl(
        "sign", [], this_update=now - timedelta(days=10), next_update=now - timedelta(days=3)
    )
    add(
        "stale-crl",
        good,
        CmsReason.CRL_STALE,
        crls=CrlStore.from_crls([stale]),
        policy=RevocationPolicy.REQUIRE,
    )
    forged_crl = other_pki().crl("sign", [], this_update=now - timedelta(hours=1))
    add(
        "crl-from-look-alike-issuer",
        good,
        CmsReason.CRL_BAD_SIGNATURE,
        crls=CrlStore.from_crls([forged_crl]),
        policy=RevocationPolicy.REQUIRE,
    )
    auth_crl = pki.crl("auth", [], this_update=now - timedelta(hours=1))
    add(
        "crl-of-another-ca",
        good,
        CmsReason.NO_CRL,
        crls=CrlStore.from_crls([auth_crl]),
        policy=RevocationPolicy.REQUIRE,
    )
    add("no-crl-required", good, CmsReason.NO_CRL, policy=RevocationPolicy.REQUIRE)

    # the structure
    add("truncated-der", good[: len(good) // 2], CmsReason.MALFORMED)
    add("truncated-by-one-byte", good[:-1], CmsReason.MALFORMED)
    add("trailing-garbage", good + b"\x00\x00", CmsReason.MALFORMED)
    add("garbage", bytes(range(256)) * 4, CmsReason.MALFORMED)
    add("empty", b"", CmsReason.MALFORMED)
    add(
        "certificate-instead-of-cms",
        creds.sign_cert.public_bytes(Encoding.DER),
        CmsReason.MALFORMED,
    )
    add(
        "not-signed-data",
        cms.ContentInfo({"content_type": "data", "content": b"hi"}).dump(),
        CmsReason.MALFORMED,
    )
    add(
        "damaged-pem", b"-----BEGIN CMS-----\nnot base64!\n-----END CMS-----\n", CmsReason.MALFORMED
    )
    add("two-signers", two_signers(good, sign(pki.issue_card(key_index=2))), CmsReason.SIGNER_COUNT)
    add("no-signer-certificate", without_certificates(good), CmsReason.NO_SIGNER_CERTIFICATE)

    # sizes and counts past the limits (jpki.limits.CmsLimits)
    limits = CmsLimits()
    add(
        "signature-larger-than-the-limit",
        good,
        CmsReason.TOO_LARGE,
        limits=CmsLimits(max_size=len(good) - 1),
    )
    add(
        "pem-larger-than-the-limit",
        to_pem(good),
        CmsReason.TOO_LARGE,
        limits=CmsLimits(max_size=len(good) // 2),
    )
    add(
        "too-many-signed-attributes",
        resign(good, creds.sign_key, extra_attributes(limits.max_signed_attributes)),
        CmsReason.TOO_LARGE,
    )
    add(
        "signed-attributes-larger-than-the-limit",
        good,
        CmsReason.TOO_LARGE,
        limits=CmsLimits(max_signed_attributes_size=64),
    )
    add(
        "too-many-values-in-an-attribute",
        resign(good, creds.sign_key, extra_attributes(1, values=limits.max_attribute_values + 1)),
        CmsReason.TOO_LARGE,
    )
    add(
        "too-many-certificates",
        with_certificates(good, creds.sign_cert, limits.max_certificates + 1),
        CmsReason.TOO_LARGE,
    )
    return tuple(cases)


def extra_attributes(count: int, values: int = 1) -> Callable[[list[dict[str, Any]]], None]:
    """An edit adding ``count`` private attributes of ``values`` values each."""

    def edit(attrs: list[dict[str, Any]]) -> None:
        for i in range(count):
            attrs.append(
                {
                    "type": f"1.3.6.1.4.1.99999.{i}",
                    "values": [core.Integer(v) for v in range(values)],
                }
            )

    return edit


def with_certificates(der: bytes, cert: x509.Certificate, count: int) -> bytes:
    """The SignedData carrying ``count`` copies of ``cert``."""
    info = load(der)
    sd = info["content"]
    one = asn1_x509.Certificate.load(cert.public_bytes(Encoding.DER))
    sd["certificates"] = cms.CertificateSet([cms.CertificateChoices({"certificate": one})] * count)
    return dump(info)


def tamper_attached(der: bytes) -> bytes:
    info = load(der)
    encap = info["content"]["encap_content_info"]
    encap["content"] = CONTENT[:-1] + b"?"
    return dump(info)
