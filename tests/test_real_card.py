"""Opt-in tests against a real My Number card in a PC/SC reader.

Skipped unless ``JPKI_REAL_CARD=1``. Reading certificates and PIN tries spends
nothing. A VERIFY is sent only when the PIN is given in the environment
(``JPKI_AUTH_PIN``, ``JPKI_SIGN_PIN``) and the card has more than one try left,
so these tests can never block a PIN. ``JPKI_READER`` picks the reader.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from jpki import CertKind, JpkiCard, PinKind
from jpki.certs import CertificateInfo, CertificateKind
from jpki.trust import Purpose, TrustStore

pytestmark = [
    pytest.mark.realcard,
    pytest.mark.skipif(
        os.environ.get("JPKI_REAL_CARD") != "1", reason="set JPKI_REAL_CARD=1 with a card inserted"
    ),
]


@pytest.fixture(scope="module")
def real_card() -> Iterator[JpkiCard]:
    with JpkiCard.open(os.environ.get("JPKI_READER")) as session:
        yield session


def pin_for(real_card: JpkiCard, kind: PinKind) -> str:
    """The PIN from the environment, only when a wrong one could not block the card."""
    pin = os.environ.get(f"JPKI_{kind.value.upper()}_PIN")
    if not pin:
        pytest.skip(f"JPKI_{kind.value.upper()}_PIN not set: no VERIFY is sent")
    tries = real_card.pin_status(kind)
    if tries <= 1:
        pytest.skip(f"the {kind.label} has {tries} tries left: not risking it")
    return pin


def test_token_and_tries(real_card: JpkiCard) -> None:
    assert real_card.token_info().label.startswith("JPKIAP")
    before = {kind: real_card.pin_status(kind) for kind in (PinKind.AUTH, PinKind.SIGN)}
    after = {kind: real_card.pin_status(kind) for kind in (PinKind.AUTH, PinKind.SIGN)}
    assert before == after  # the status VERIFY spends nothing


@pytest.mark.parametrize(
    ("kind", "purpose"),
    [(CertKind.AUTH, Purpose.AUTHENTICATION)],
)
def test_auth_certificate_chains_to_jlis(
    real_card: JpkiCard, kind: CertKind, purpose: Purpose
) -> None:
    cert = real_card.read_certificate(kind)
    assert CertificateInfo.from_x509(cert).kind is CertificateKind.AUTHENTICATION
    result = TrustStore.production().validate(cert, purpose=purpose)
    assert result.anchor is not None, result.message


def test_ca_certificates_are_jlis_roots(real_card: JpkiCard) -> None:
    anchors = TrustStore.production().anchors
    for kind in (CertKind.AUTH_CA, CertKind.SIGN_CA):
        assert real_card.read_certificate(kind) in anchors


def test_sign_certificate_needs_the_pin(real_card: JpkiCard) -> None:
    import jpki

    with pytest.raises(jpki.PinRequired):
        real_card.read_certificate(CertKind.SIGN)


def test_authentication_signature(real_card: JpkiCard) -> None:
    pin = pin_for(real_card, PinKind.AUTH)
    cert = real_card.read_certificate(CertKind.AUTH)
    signature = real_card.sign(CertKind.AUTH, b"jpki real-card test", pin=pin)
    key = cert.public_key()
    assert isinstance(key, rsa.RSAPublicKey)
    key.verify(signature, b"jpki real-card test", padding.PKCS1v15(), hashes.SHA256())


def test_signature_certificate_and_holder(real_card: JpkiCard) -> None:
    pin = pin_for(real_card, PinKind.SIGN)
    cert = real_card.read_certificate(CertKind.SIGN, pin=pin)
    info = CertificateInfo.from_x509(cert)
    assert info.kind is CertificateKind.SIGNATURE
    assert info.holder is not None and info.holder.name
