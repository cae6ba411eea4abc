"""JpkiCard end to end through pcscd + vpcd: the same operations, the same bytes, a real
PC/SC stack between the library and the (mock) card."""

from __future__ import annotations

import math
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.serialization import Encoding

import jpki
from jpki import CertKind, JpkiCard, PinKind
from mock_card import MockCard
from tests.pcscd import ServedCard

pytestmark = [pytest.mark.pcsc, pytest.mark.timeout(90, method="thread")]
ROOT = Path(__file__).resolve().parent.parent


def mock(served: ServedCard) -> MockCard:
    assert isinstance(served.card, MockCard)
    return served.card


def test_read_certificates_and_budget(served_card: ServedCard) -> None:
    card = mock(served_card)
    with JpkiCard.open(served_card.reader) as session:
        assert session.reader == served_card.reader
        before = card.apdu_count
        cert = session.read_certificate(CertKind.AUTH)
        used = card.apdu_count - before
        assert cert == card.credentials.auth_cert
        n = len(cert.public_bytes(Encoding.DER))
        assert used == 1 + math.ceil(n / 256)  # the AP was selected when the card was detected
        assert session.read_certificate(CertKind.SIGN_CA) == card.credentials.sign_ca_cert
        assert session.token_info().label == "JPKIAPICCTOKEN2"


def test_pin_status_spends_nothing(served_card: ServedCard) -> None:
    card = mock(served_card)
    with JpkiCard.open(served_card.reader) as session:
        for _ in range(3):
            assert [session.pin_status(k) for k in PinKind] == [3, 5, 3]
    assert card.pin_tries_left("auth") == 3


def test_sign_and_wrong_pin(served_card: ServedCard) -> None:
    card = mock(served_card)
    with JpkiCard.open(served_card.reader) as session:
        signature = session.sign(CertKind.SIGN, b"over pcscd", pin="ABCD1234")
        with pytest.raises(jpki.PinIncorrect) as err:
            session.sign(CertKind.AUTH, b"x", pin="0000")
        assert err.value.remaining == 2
    key = card.credentials.sign_cert.public_key()
    assert isinstance(key, rsa.RSAPublicKey)
    key.verify(signature, b"over pcscd", padding.PKCS1v15(), hashes.SHA256())


def test_open_resets_the_card_at_the_end(served_card: ServedCard) -> None:
    with JpkiCard.open(served_card.reader) as session:
        session.verify_pin(PinKind.SIGN, "ABCD1234")
        session.read_certificate(CertKind.SIGN)
    with JpkiCard.open(served_card.reader) as session, pytest.raises(jpki.PinRequired):
        session.read_certificate(CertKind.SIGN)  # the verified state did not survive


def test_cli_through_pcsc(served_card: ServedCard, tmp_path: Path) -> None:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "JPKI_READER": served_card.reader,
        "JPKI_SIGN_PIN": "ABCD1234",
    }
    env.pop("JPKI_MOCK_STATE", None)
    out = subprocess.run(
        [sys.executable, "-m", "jpki", "pin", "status", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    assert '"tries_left": 5' in out.stdout
    pem = tmp_path / "sign.pem"
    out = subprocess.run(
        [sys.executable, "-m", "jpki", "cert", "show", "sign", "-o", str(pem)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    assert pem.read_bytes() == mock(served_card).credentials.sign_cert.public_bytes(Encoding.PEM)
    assert "ABCD1234" not in out.stdout + out.stderr
