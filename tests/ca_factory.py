"""Throwaway certificate authorities for the test kits (not a test module).

One home for building a test CA and the certificates it issues: the office's TLS
certificates (:func:`tests.office_kit.make_tls`), an institution's document-signing
certificate (:func:`tests.console_kit.make_institution`) and a time-stamping authority's
(:func:`tests.tsa.make_tsa_credentials`)::

    ca = Authority.create(name("jpki test office CA"), ec_key())
    cert = ca.issue(name("127.0.0.1"), key, san=tls_names(("127.0.0.1",)), ...)
    write_certificate(folder / "ca.pem", ca.certificate)
    write_private_key(folder / "key.pem", key)  # 0600

Every CA is self-signed with basicConstraints ``CA, pathlen 0`` and keyCertSign/cRLSign,
both critical, and a subject key identifier; every certificate it issues names it by an
authority key identifier and carries basicConstraints ``not a CA`` (critical). The mock
card's JPKI-like CAs are elsewhere (:class:`mock_card.pki.MockPki`).
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

__all__ = [
    "Authority",
    "PrivateKey",
    "ec_key",
    "name",
    "rsa_key",
    "signing_usage",
    "tls_names",
    "write_certificate",
    "write_private_key",
]

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


def rsa_key() -> rsa.RSAPrivateKey:
    """A fresh RSA-2048 key."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def ec_key() -> ec.EllipticCurvePrivateKey:
    """A fresh P-256 key (fast: for TLS)."""
    return ec.generate_private_key(ec.SECP256R1())


def name(cn: str, *, organisation: str | None = None, country: str | None = None) -> x509.Name:
    """``C=…, O=…, CN=cn`` (C and O only when given)."""
    attributes = [
        *([x509.NameAttribute(NameOID.COUNTRY_NAME, country)] if country else []),
        *([x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation)] if organisation else []),
        x509.NameAttribute(NameOID.COMMON_NAME, cn),
    ]
    return x509.Name(attributes)


def _usage(*, ca: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=not ca,
        content_commitment=not ca,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=ca,
        crl_sign=ca,
        encipher_only=False,
        decipher_only=False,
    )


def signing_usage() -> x509.KeyUsage:
    """digitalSignature + nonRepudiation: a document signer's or a TSA's key usage."""
    return _usage(ca=False)


def tls_names(hosts: Iterable[str]) -> x509.SubjectAlternativeName:
    """A subjectAltName of IP addresses and DNS names, as ``hosts`` are."""
    names: list[x509.GeneralName] = []
    for host in hosts:
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            names.append(x509.DNSName(host))
    return x509.SubjectAlternativeName(names)


@dataclass(frozen=True)
class Authority:
    """A self-signed test CA: its key and certificate."""

    key: PrivateKey
    certificate: x509.Certificate

    @classmethod
    def create(
        cls,
        subject: x509.Name,
        key: PrivateKey,
        *,
        valid_for: timedelta = timedelta(days=3650),
        backdate: timedelta = timedelta(hours=1),
    ) -> Authority:
        """A CA valid from ``backdate`` ago for ``valid_for`` from now."""
        now = datetime.now(UTC).replace(microsecond=0)
        certificate = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - backdate)
            .not_valid_after(now + valid_for)
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(_usage(ca=True), critical=True)
            .add_extension(
                x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False
            )
            .sign(key, hashes.SHA256())
        )
        return cls(key, certificate)

    def issue(
        self,
        subject: x509.Name,
        key: PrivateKey,
        *,
        valid_for: timedelta,
        backdate: timedelta = timedelta(hours=1),
        usage: x509.KeyUsage | None = None,
        extended: x509.ExtendedKeyUsage | None = None,
        extended_critical: bool = False,
        san: x509.SubjectAlternativeName | None = None,
    ) -> x509.Certificate:
        """A certificate for ``key``; ``usage`` (critical), ``extended`` and ``san`` when
        given."""
        now = datetime.now(UTC).replace(microsecond=0)
        ski = self.certificate.extensions.get_extension_for_class(x509.SubjectKeyIdentifier)
        builder = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(self.certificate.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - backdate)
            .not_valid_after(now + valid_for)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(
                x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False
            )
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski.value),
                critical=False,
            )
        )
        if usage is not None:
            builder = builder.add_extension(usage, critical=True)
        if extended is not None:
            builder = builder.add_extension(extended, critical=extended_critical)
        if san is not None:
            builder = builder.add_extension(san, critical=False)
        return builder.sign(self.key, hashes.SHA256())


def write_certificate(path: Path, certificate: x509.Certificate) -> Path:
    """``certificate`` as PEM in ``path``."""
    path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return path


def write_private_key(path: Path, key: PrivateKey) -> Path:
    """``key`` as unencrypted PKCS#8 PEM in ``path``, readable by its owner only."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
    return path
