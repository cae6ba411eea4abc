"""A ``cryptography`` ``RSAPrivateKey`` whose private operations happen on the card."""

from __future__ import annotations

from typing import TYPE_CHECKING, NoReturn

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import NoDigestInfo, Prehashed

from .layout import CertKind
from .pins import PinSource

if TYPE_CHECKING:
    from cryptography.hazmat.primitives import serialization

    from .card import JpkiCard


class CardPrivateKey(rsa.RSAPrivateKey):
    """Signs with PKCS#1 v1.5 on the card; the key never leaves it.

    Each :meth:`sign` verifies the PIN (from ``pin``: a string, or a prompt
    called every time) in the same transaction. Decryption and key export
    are not possible.
    """

    def __init__(
        self,
        card: JpkiCard,
        kind: CertKind,
        pin: PinSource,
        certificate: x509.Certificate | None = None,
    ) -> None:
        kind.key_fid  # noqa: B018 - raises for the CA kinds
        self._card = card
        self._kind = kind
        self._pin = pin
        self._public: rsa.RSAPublicKey | None = None
        if certificate is not None:
            self._public = _rsa_public(certificate)

    def sign(
        self,
        data: bytes,
        padding: padding.AsymmetricPadding,
        algorithm: Prehashed | hashes.HashAlgorithm | NoDigestInfo,
    ) -> bytes:
        if not isinstance(padding, _PKCS1v15):
            raise UnsupportedAlgorithm("the card signs with PKCS#1 v1.5 only")
        if isinstance(algorithm, NoDigestInfo):
            return self._card.sign_digest_info(self._kind, data, pin=self._pin)
        if isinstance(algorithm, Prehashed):
            return self._card.sign_prehashed(self._kind, data, algorithm._algorithm, pin=self._pin)
        return self._card.sign(self._kind, data, pin=self._pin, hash_algorithm=algorithm)

    def public_key(self) -> rsa.RSAPublicKey:
        """The certificate's public key (reading the signature certificate asks for the PIN)."""
        if self._public is None:
            pin = self._pin if self._kind is CertKind.SIGN else None
            self._public = _rsa_public(self._card.read_certificate(self._kind, pin=pin))
        return self._public

    @property
    def key_size(self) -> int:
        return self.public_key().key_size

    def decrypt(self, ciphertext: bytes, padding: padding.AsymmetricPadding) -> bytes:
        raise UnsupportedAlgorithm("JPKI card keys only sign")

    def private_numbers(self) -> NoReturn:
        raise UnsupportedAlgorithm("a card key cannot be exported")

    def private_bytes(
        self,
        encoding: serialization.Encoding,
        format: serialization.PrivateFormat,
        encryption_algorithm: serialization.KeySerializationEncryption,
    ) -> NoReturn:
        raise UnsupportedAlgorithm("a card key cannot be exported")

    def __copy__(self) -> CardPrivateKey:
        return self

    def __deepcopy__(self, memo: dict[int, object]) -> CardPrivateKey:
        return self


_PKCS1v15 = padding.PKCS1v15


def _rsa_public(certificate: x509.Certificate) -> rsa.RSAPublicKey:
    key = certificate.public_key()
    if not isinstance(key, rsa.RSAPublicKey):
        raise UnsupportedAlgorithm("the card's certificate does not hold an RSA key")
    return key
