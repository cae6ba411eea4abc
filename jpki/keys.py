"""A ``cryptography`` ``RSAPrivateKey`` whose private operations happen on the card.

The key never holds a PIN longer than one signature: a PIN string is used by the next
signature and forgotten, whatever its outcome; a prompt is asked at every signature.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NoReturn

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import NoDigestInfo, Prehashed

from .errors import PinRequired
from .layout import CertKind
from .pins import PinSource

if TYPE_CHECKING:
    from cryptography.hazmat.primitives import serialization

    from .card import JpkiCard


class CardPrivateKey(rsa.RSAPrivateKey):
    """Signs with PKCS#1 v1.5 on the card; the key never leaves it.

    ``pin`` says how each :meth:`sign` gets the key's PIN, verified in the same card
    transaction as the signature:

    * a prompt (a callable, :data:`jpki.pins.PinPrompt`) — asked at every signature;
    * a PIN string — good for **one** signature: the next :meth:`sign` uses it and the
      key forgets it, whether the signature succeeds or not. A further signature raises
      :class:`jpki.PinRequired`, sending nothing; pass a prompt to sign several times;
    * ``None`` — the caller verified the PIN inside its own
      :meth:`JpkiCard.transaction`, and the signatures made there rely on it.

    Decryption and key export are not possible.
    """

    __slots__ = ("_card", "_kind", "_pin", "_public", "_spent")

    def __init__(
        self,
        card: JpkiCard,
        kind: CertKind,
        pin: PinSource | None,
        certificate: x509.Certificate | None = None,
    ) -> None:
        kind.key_fid  # noqa: B018 - raises for the CA kinds
        self._card = card
        self._kind = kind
        self._pin: PinSource | None = pin
        self._spent = False  # a PIN string was given and has been used
        self._public: rsa.RSAPublicKey | None = None
        if certificate is not None:
            self._public = _rsa_public(certificate)

    def _pin_for_signature(self) -> PinSource | None:
        """The PIN source for the signature about to be made; a string is handed out once."""
        pin = self._pin
        if self._spent:
            raise PinRequired(
                self._kind.pin,
                "another signature with this key (its PIN string was for one signature; "
                "give a prompt to sign more than once)",
            )
        if isinstance(pin, str):
            self._pin = None
            self._spent = True
        return pin

    def sign(
        self,
        data: bytes,
        padding: padding.AsymmetricPadding,
        algorithm: Prehashed | hashes.HashAlgorithm | NoDigestInfo,
    ) -> bytes:
        if not isinstance(padding, _PKCS1v15):
            raise UnsupportedAlgorithm("the card signs with PKCS#1 v1.5 only")
        pin = self._pin_for_signature()
        if isinstance(algorithm, NoDigestInfo):
            return self._card.sign_digest_info(self._kind, data, pin=pin)
        if isinstance(algorithm, Prehashed):
            return self._card.sign_prehashed(self._kind, data, algorithm._algorithm, pin=pin)
        return self._card.sign(self._kind, data, pin=pin, hash_algorithm=algorithm)

    def public_key(self) -> rsa.RSAPublicKey:
        """The certificate's public key. Reading the signature certificate needs the PIN:
        the one given (a string is not used up by this), or an earlier verification."""
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

    def __repr__(self) -> str:
        return f"<CardPrivateKey {self._kind.name}>"


_PKCS1v15 = padding.PKCS1v15


def _rsa_public(certificate: x509.Certificate) -> rsa.RSAPublicKey:
    key = certificate.public_key()
    if not isinstance(key, rsa.RSAPublicKey):
        raise UnsupportedAlgorithm("the card's certificate does not hold an RSA key")
    return key
