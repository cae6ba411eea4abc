"""The keys and certificates one mock card carries, and their PEM form in a state file."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

__all__ = ["CardCredentials", "key_matches"]


def key_matches(key: rsa.RSAPrivateKey, cert: x509.Certificate) -> bool:
    public = cert.public_key()
    return (
        isinstance(public, rsa.RSAPublicKey)
        and public.public_numbers() == key.public_key().public_numbers()
    )


def _key_pem(key: rsa.RSAPrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")


def _cert_pem(cert: x509.Certificate) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode("ascii")


def _load_key(pem: str, what: str) -> rsa.RSAPrivateKey:
    key = serialization.load_pem_private_key(
        pem.encode("ascii"), password=None, unsafe_skip_rsa_key_validation=True
    )
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError(f"{what} is not an RSA private key")
    return key


@dataclass(frozen=True)
class CardCredentials:
    """The keys and certificates one card carries (JPKI AP EFs 0001/0002/000A/000B and keys)."""

    auth_key: rsa.RSAPrivateKey
    auth_cert: x509.Certificate
    sign_key: rsa.RSAPrivateKey
    sign_cert: x509.Certificate
    auth_ca_cert: x509.Certificate
    sign_ca_cert: x509.Certificate

    def __post_init__(self) -> None:
        if not key_matches(self.auth_key, self.auth_cert):
            raise ValueError("auth_key does not belong to auth_cert")
        if not key_matches(self.sign_key, self.sign_cert):
            raise ValueError("sign_key does not belong to sign_cert")

    def to_json_dict(self) -> dict[str, str]:
        """PEM strings (keys unencrypted PKCS#8) for the mock card's state file."""
        return {
            "auth_key": _key_pem(self.auth_key),
            "auth_cert": _cert_pem(self.auth_cert),
            "sign_key": _key_pem(self.sign_key),
            "sign_cert": _cert_pem(self.sign_cert),
            "auth_ca_cert": _cert_pem(self.auth_ca_cert),
            "sign_ca_cert": _cert_pem(self.sign_ca_cert),
        }

    @classmethod
    def from_json_dict(cls, d: Mapping[str, str]) -> CardCredentials:
        """Inverse of :meth:`to_json_dict`; ``KeyError``/``ValueError`` on a damaged dict."""

        def cert(name: str) -> x509.Certificate:
            return x509.load_pem_x509_certificate(d[name].encode("ascii"))

        return cls(
            auth_key=_load_key(d["auth_key"], "auth_key"),
            auth_cert=cert("auth_cert"),
            sign_key=_load_key(d["sign_key"], "sign_key"),
            sign_cert=cert("sign_cert"),
            auth_ca_cert=cert("auth_ca_cert"),
            sign_ca_cert=cert("sign_ca_cert"),
        )
