"""Hostile input, follow-ups of issue 13: log lines escape what a file or a card says, a
request id that looks like a PIN is never echoed, the kiosk's PDF receipt is private, and
the mock card refuses a state file (or folder) that others may write."""

from __future__ import annotations

import logging
import os
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest

from jpki.cli import main
from jpki.ledger import Ledger
from jpki.pdf.stamp import stamp
from mock_card import MockCard, MockPki, load_card, save_card
from mock_card.state import StateError

ESC = "\x1b"


def test_the_stamp_logs_a_font_path_escaped(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    font = tmp_path / f"font{ESC}[2J\nresult: VALID.ttf"
    font.write_bytes(b"not a font")
    with caplog.at_level(logging.WARNING, logger="jpki.pdf.stamp"), pytest.warns(Warning):
        stamp(MockPki.demo().sign_ca_cert, font, datetime.now(UTC))
    messages = [record.getMessage() for record in caplog.records]
    assert any("cannot use the font" in m for m in messages), messages
    for message in messages:
        assert ESC not in message and "\n" not in message, message
        assert "\\x1b[2J" in message


def test_a_request_id_that_looks_like_a_pin_is_not_echoed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "ledger.sqlite3"
    Ledger.open(db, create=True).close()
    for argv in (["show", "ABCD1234"], ["approve", "1234", "--actor", "staff:x"]):
        code = main(["requests", *argv, "--db", str(db)])
        err = capsys.readouterr().err
        assert code == 1, err
        assert "no request" in err and "not shown" in err, err
        assert "1234" not in err, err
    main(["requests", "show", "abcdef", "--db", str(db)])  # not PIN-like: said as typed
    assert "no request abcdef" in capsys.readouterr().err


def test_the_pdf_receipt_is_private(tmp_path: Path) -> None:
    pytest.importorskip("PySide6")
    from PySide6.QtWidgets import QApplication

    from gui.receipt import ReceiptContent, print_receipt

    _app = QApplication.instance() or QApplication([])
    previous = os.umask(0o022)
    try:
        where = print_receipt(
            ReceiptContent(
                institution="見本市",
                request_id="0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9",
                title="受付票",
                lines=(("氏名", "見本 花子"),),
                next_steps=("窓口へ",),
            ),
            f"pdf:{tmp_path / 'receipts'}",
        )
    finally:
        os.umask(previous)
    mode = stat.S_IMODE(Path(where).stat().st_mode)
    assert mode == 0o600, oct(mode)


@pytest.mark.parametrize("who", ["file-group", "folder-group", "folder-world"])
def test_the_mock_card_refuses_state_others_may_write(tmp_path: Path, who: str) -> None:
    folder = tmp_path / "state"
    folder.mkdir(mode=0o700)
    path = folder / "card.json"
    save_card(MockCard(), path)
    if who == "file-group":
        path.chmod(0o620)
    else:
        folder.chmod(0o770 if who == "folder-group" else 0o777)
    with pytest.raises(StateError, match="may be written by others") as caught:
        load_card(path)
    assert str(path if who == "file-group" else folder) in str(caught.value)
    if who != "file-group":  # a save replaces the file with a private one; not the folder
        with pytest.raises(StateError, match="may be written by others"):
            save_card(MockCard(), path)


def test_the_mock_card_state_may_sit_in_a_sticky_shared_folder(tmp_path: Path) -> None:
    folder = tmp_path / "shared"
    folder.mkdir()
    folder.chmod(0o1777)  # as /tmp: others may add files, not replace this one
    path = folder / "card.json"
    save_card(MockCard(), path)
    assert load_card(path).pin_tries_left("auth") == 3


# -- a certificate with a bad version field ------------------------------------------------


def _bad_version(der: bytes) -> bytes:
    """``der`` with its version field (``[0] INTEGER 2``: v3) set to 5, same length."""
    at = der.index(bytes.fromhex("a003020102"))
    return der[:at] + bytes.fromhex("a003020105") + der[at + 5 :]


def test_a_certificate_with_a_bad_version_is_a_format_error(tmp_path: Path) -> None:
    import base64

    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    from jpki.certs import CertificateFormatError, CertificateInfo
    from jpki.trust import TrustDataError
    from jpki.trust.roots import parse_certificates

    bad = _bad_version(MockPki.demo().sign_ca_cert.public_bytes(Encoding.DER))
    with pytest.raises(x509.InvalidVersion):  # what cryptography raises: not a ValueError
        x509.load_der_x509_certificate(bad)
    with pytest.raises(CertificateFormatError, match="not a valid X509 version"):
        CertificateInfo.from_der(bad)
    body = base64.encodebytes(bad).decode("ascii")
    pem = f"-----BEGIN CERTIFICATE-----\n{body}-----END CERTIFICATE-----\n"
    with pytest.raises(CertificateFormatError):
        CertificateInfo.from_pem(pem)
    for data in (bad, pem.encode("ascii")):
        with pytest.raises(TrustDataError):
            parse_certificates(tmp_path / "root", data)


def test_a_signature_carrying_a_certificate_with_a_bad_version_is_malformed() -> None:
    from cryptography.hazmat.primitives.serialization import Encoding

    from jpki.cms import CmsReason, sign_cms_with_key, verify_cms
    from jpki.trust import TrustStore

    pki = MockPki.demo()
    creds = MockCard().credentials
    cert = creds.sign_cert.public_bytes(Encoding.DER)
    signature = sign_cms_with_key(creds.sign_key, creds.sign_cert, b"text", detached=True)
    assert cert in signature
    spliced = signature.replace(cert, _bad_version(cert))
    result = verify_cms(
        spliced, b"text", trust_store=TrustStore.from_certificates([pki.sign_ca_cert])
    )
    assert not result.valid
    assert result.reason is CmsReason.MALFORMED, result
