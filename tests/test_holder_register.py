"""Holder attributes as the resident register has them, end to end (docs/card.md, "Holder"):
a birth date whose month or day is unknown (``00``), an era digit that disagrees with the
Gregorian date, substitute characters — from the mock card's certificate and text AP
through the library, the verdict, the request document, the ledger (SQLite and
PostgreSQL, migration 0003) and the kiosk's date display."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from jpki import JpkiCard
from jpki.birthdate import BirthDate
from jpki.certs import CertificateInfo, parse_holder_attributes
from jpki.cms import sign_cms, verify_cms
from jpki.layout import CertKind
from jpki.ledger import Ledger
from jpki.ledger.engine import alembic_config
from jpki.requests import Applicant, CertificateRequest
from jpki.trust import TrustStore
from mock_card import Holder, MockCard, MockPki
from tests.test_ledger import CONFIG, db_url, make_request, sign  # noqa: F401

PKI = MockPki.demo()
TRUST = TrustStore.from_certificates([PKI.sign_ca_cert, PKI.auth_ca_cert])
SIGN_PIN = "ABCD1234"
TEXT_PIN = "1234"


def card_of(code: str, **holder: Any) -> MockCard:
    return MockCard(
        holder=Holder(birth_date=date(1980, 1, 1), birth_date_code=code, **holder),
        sign_pin=SIGN_PIN,
        text_pin=TEXT_PIN,
        key_index=1,
    )


# -- the value -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("digits", "iso", "en", "ja"),
    [
        ("19800000", "1980", "1980, month and day unknown", "1980年 月日不詳"),
        ("19800500", "1980-05", "May 1980, day unknown", "1980年5月 日不詳"),
        ("19800501", "1980-05-01", "1 May 1980", "1980年5月1日"),
    ],
)
def test_birth_date_forms(digits: str, iso: str, en: str, ja: str) -> None:
    d = BirthDate.from_digits(digits)
    assert (d.isoformat(), d.text("en"), d.text("ja"), d.digits()) == (iso, en, ja, digits)
    assert BirthDate.from_iso(iso) == d and str(d) == iso


@pytest.mark.parametrize(
    "digits",
    ["19801301", "19800015", "19800230", "00000101", "1980050", "198005010", "1980０501", ""],
)
def test_structurally_broken_birth_dates_are_refused(digits: str) -> None:
    with pytest.raises(ValueError, match=r"birth date|month|day|year"):
        BirthDate.from_digits(digits)


def test_a_complete_birth_date_equals_the_calendar_date() -> None:
    assert BirthDate(1990, 4, 1) == date(1990, 4, 1) == BirthDate.of(date(1990, 4, 1))
    assert hash(BirthDate(1990, 4, 1)) == hash(date(1990, 4, 1))
    assert BirthDate(1990) != date(1990, 1, 1) and BirthDate(1990, 4) != BirthDate(1990)
    for bad in ("1990-4-1", "90", "1990-13", "1990/04/01", "1990-02-30"):
        with pytest.raises(ValueError):
            BirthDate.from_iso(bad)


# -- the card: certificate and text AP ------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "iso", "warned"),
    [
        ("019800000", "1980", False),  # era unknown (0), month and day unknown
        ("319800500", "1980-05", False),
        ("419800501", "1980-05-01", True),  # 1980 is Showa, the digit says Heisei
    ],
)
def test_a_card_of_the_register_is_read_not_refused(code: str, iso: str, warned: bool) -> None:
    card = card_of(code)
    sign_cert = JpkiCard(card).read_certificate(CertKind.SIGN, pin=SIGN_PIN)
    holder = parse_holder_attributes(sign_cert)
    assert holder.birth_date.isoformat() == iso
    assert bool(holder.warnings) is warned
    info = CertificateInfo.from_x509(sign_cert)
    assert info.holder == holder
    basic = JpkiCard(card).read_basic_info(TEXT_PIN)
    assert basic.birth_date == holder.birth_date  # the text AP says the same, 00 and all


def test_the_verdict_and_the_request_carry_the_partial_date() -> None:
    card = card_of("019800000")
    content = b"register"
    signature = sign_cms(JpkiCard(card), content, pin=SIGN_PIN)
    result = verify_cms(signature, content, trust_store=TRUST)
    assert result.valid, result.message
    assert result.as_dict()["signer"]["birth_date"] == "1980"
    applicant = Applicant.from_certificate(card.credentials.sign_cert)
    assert applicant.birth_date == BirthDate(1980)
    request = make_request(card.credentials)
    document = request.to_bytes()
    assert b'"birth_date":"1980"' in document
    again = CertificateRequest.from_bytes(document, allowed_kinds=None)
    assert again.applicant.birth_date == BirthDate(1980)


# -- the ledger ---------------------------------------------------------------------------


def test_the_ledger_stores_a_partial_birth_date(db_url: str) -> None:  # noqa: F811
    card = card_of("319800500")
    request = make_request(card.credentials)
    with Ledger.open(db_url, config=CONFIG) as ledger:
        ledger.submit_signed(sign(request, card.credentials))
        record = ledger.get(request.request_id)
        assert record.applicant_birth_date == BirthDate(1980, 5)
        assert record.problems == ()
        engine = create_engine(ledger.engine.url)
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT applicant_birth_date FROM certificate_requests"))
        assert stored.scalar_one() == "1980-05"
    # a DATE column cannot hold it: going below 0003 is refused, nothing changed
    from alembic import command

    cfg = alembic_config()
    with pytest.raises(RuntimeError, match="month or day is unknown"), engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0002")
    with engine.connect() as conn:
        version = conn.execute(text("SELECT version_num FROM ledger_alembic_version"))
        assert version.scalar_one() == "0003"
    engine.dispose()


def test_the_immutable_trigger_survives_migration_0003(db_url: str) -> None:  # noqa: F811
    request = make_request()
    with Ledger.open(db_url, config=CONFIG) as ledger:
        ledger.submit_signed(sign(request))
        engine = create_engine(ledger.engine.url)
    from sqlalchemy.exc import DBAPIError

    with pytest.raises(DBAPIError), engine.begin() as conn:
        conn.execute(text("UPDATE certificate_requests SET applicant_birth_date = '1991'"))
    engine.dispose()


# -- the kiosk's display -------------------------------------------------------------------


def test_the_kiosk_shows_a_partial_date_in_words() -> None:
    from gui.screens.base import format_date

    assert format_date(BirthDate(1980), "ja") == "1980年 月日不詳"
    assert format_date(BirthDate(1980, 5), "ja") == "1980年5月 日不詳"
    assert format_date(BirthDate(1980), "en") == "1980, month and day unknown"
    assert format_date(BirthDate(1980, 5, 1), "en") == format_date(date(1980, 5, 1), "en")


def test_jpki_verify_shows_the_notes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from cryptography.hazmat.primitives.serialization import Encoding

    from jpki.cli import main

    card = card_of("419800000", name="髙橋 花子", name_flags="10000")
    content = tmp_path / "doc.txt"
    content.write_bytes(b"register")
    signature = tmp_path / "doc.txt.p7s"
    signature.write_bytes(sign_cms(JpkiCard(card), b"register", pin=SIGN_PIN))
    root = tmp_path / "root.pem"
    root.write_bytes(PKI.sign_ca_cert.public_bytes(Encoding.PEM))
    assert main(["verify", str(signature), str(content), "--trust", str(root)]) == 0
    out = capsys.readouterr().out
    assert "1 substitute character(s) (代替文字)" in out
    assert "does not know the full birth date" in out
    assert "era digit 4 (平成) disagrees with the date 1980" in out
