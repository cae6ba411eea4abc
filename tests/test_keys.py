"""A card key holds a PIN for one signature at most: jpki.keys.CardPrivateKey and the PDF
CardSigner, against the mock card, counting the APDUs they send."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from apdu.replay import RecordingTransport
from jpki import CertKind, JpkiCard, PinIncorrect, PinKind, PinRequired
from jpki.keys import CardPrivateKey
from jpki.pdf import CardSigner
from mock_card import MockCard

SIGN_PIN = "ABCD1234"


def _verifies(rec: RecordingTransport) -> list[bytes]:
    return [c for c in rec.commands if c[1] == 0x20 and len(c) > 5]


def _signatures(rec: RecordingTransport) -> list[bytes]:
    return [c for c in rec.commands if c[:2] == b"\x80\x2a"]


def _reachable(obj: object, depth: int = 3) -> Iterator[object]:
    """``obj`` and what its attributes (``__dict__`` and ``__slots__``) hold, following the
    library's own objects ``depth`` levels down."""
    yield obj
    if depth == 0 or not type(obj).__module__.startswith(("jpki", "tests")):
        return
    names = set(getattr(obj, "__dict__", {}))
    for cls in type(obj).__mro__:
        names.update(getattr(cls, "__slots__", ()))
    for name in names:
        if hasattr(obj, name):
            yield from _reachable(getattr(obj, name), depth - 1)


def holds_pin(obj: object, pin: str = SIGN_PIN) -> bool:
    return any(
        (isinstance(v, str) and pin in v) or (isinstance(v, bytes) and pin.encode() in v)
        for v in _reachable(obj)
    )


def _sign(key: CardPrivateKey) -> bytes:
    return key.sign(b"data", padding.PKCS1v15(), hashes.SHA256())


def test_a_pin_string_is_good_for_one_signature_then_forgotten(mock_card: MockCard) -> None:
    rec = RecordingTransport(mock_card)
    key = CardPrivateKey(JpkiCard(rec), CertKind.SIGN, SIGN_PIN, mock_card.credentials.sign_cert)
    assert holds_pin(key)  # the helper sees it while it is there
    signature = _sign(key)
    public = mock_card.credentials.sign_cert.public_key()
    assert isinstance(public, rsa.RSAPublicKey)
    public.verify(signature, b"data", padding.PKCS1v15(), hashes.SHA256())
    assert len(_verifies(rec)) == 1 and len(_signatures(rec)) == 1
    assert not holds_pin(key)
    sent = len(rec.commands)
    with pytest.raises(PinRequired, match="signature PIN"):
        _sign(key)
    assert len(rec.commands) == sent  # the second signature sent nothing


def test_a_wrong_pin_string_is_forgotten_too_and_never_retried(mock_card: MockCard) -> None:
    rec = RecordingTransport(mock_card)
    key = CardPrivateKey(JpkiCard(rec), CertKind.SIGN, "WRONG123", mock_card.credentials.sign_cert)
    with pytest.raises(PinIncorrect):
        _sign(key)
    assert not holds_pin(key, "WRONG123")
    with pytest.raises(PinRequired):
        _sign(key)
    assert len(_verifies(rec)) == 1 and _signatures(rec) == []
    assert mock_card.pin_tries_left("sign") == 4


def test_a_prompt_is_asked_at_every_signature(mock_card: MockCard) -> None:
    asked: list[tuple[PinKind, int]] = []

    def prompt(kind: PinKind, tries: int) -> str:
        asked.append((kind, tries))
        return SIGN_PIN

    rec = RecordingTransport(mock_card)
    key = CardPrivateKey(JpkiCard(rec), CertKind.SIGN, prompt, mock_card.credentials.sign_cert)
    _sign(key)
    _sign(key)
    assert asked == [(PinKind.SIGN, 5), (PinKind.SIGN, 5)]
    assert len(_verifies(rec)) == 2 and len(_signatures(rec)) == 2
    assert not holds_pin(key)


def test_no_pin_relies_on_the_callers_transaction(mock_card: MockCard) -> None:
    card = JpkiCard(mock_card)
    key = CardPrivateKey(card, CertKind.AUTH, None, mock_card.credentials.auth_cert)
    with pytest.raises(PinRequired):
        _sign(key)
    with card.transaction():
        card.verify_pin(PinKind.AUTH, "1234")
        _sign(key)
        _sign(key)


def test_reading_the_certificate_does_not_use_up_the_pin_string(mock_card: MockCard) -> None:
    rec = RecordingTransport(mock_card)
    key = CardPrivateKey(JpkiCard(rec), CertKind.SIGN, SIGN_PIN)  # no certificate given
    assert key.key_size == 2048  # read from the card, with the PIN
    _sign(key)
    assert len(_verifies(rec)) == 2 and len(_signatures(rec)) == 1
    assert not holds_pin(key)


def test_the_pdf_signer_holds_no_pin_after_its_signature(mock_card: MockCard) -> None:
    rec = RecordingTransport(mock_card)
    signer = CardSigner(JpkiCard(rec), SIGN_PIN, mock_card.credentials.sign_cert)
    assert holds_pin(signer)
    asyncio.run(signer.async_sign_raw(b"attributes", "sha256", dry_run=True))
    assert holds_pin(signer)  # a dry run is not a signature
    asyncio.run(signer.async_sign_raw(b"attributes", "sha256"))
    assert not holds_pin(signer)
    sent = len(rec.commands)
    with pytest.raises(PinRequired):
        asyncio.run(signer.async_sign_raw(b"attributes", "sha256"))
    assert len(rec.commands) == sent
    assert len(_verifies(rec)) == 1 and len(_signatures(rec)) == 1
