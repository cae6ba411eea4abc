"""Hostile input (issue 13): the command line, the request checks and the mock card under
attack. Each test is one case of the issue (or of the class of faults it stands for) and
fails without its fix.

* output an attacker controls — certificate subjects, reasons, CSV cells — is escaped
  before it reaches a terminal, a CSV or a log; reasons with control characters are
  refused;
* files: outputs never overwrite the input or follow a link, are checked before the
  card is touched; ``--db`` opens only ledgers and creates only when asked; exports are
  private;
* size and depth: inputs are bounded before they are read, signed content is streamed
  (peak memory measured with ``wait4`` on real ``jpki`` processes);
* request checks: a signing time is required and must fit the certificate; bad times and
  numbers are usage errors; a folder given to ``--crl``/``--trust`` takes its kind;
* the mock card's PIN counter: spent and saved before the compare, under a lock shared
  by processes; a damaged state file is one clear error;
* secrets: the My Number never reaches the APDU trace, a PIN typed as an argument is
  never echoed, environment PINs leave ``os.environ`` once read.
"""

from __future__ import annotations

import json
import logging
import os
import re
import resource
import sqlite3
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from asn1crypto import cms
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID

from bench.bench_limits import run_measured
from fuzz.targets import splice
from jpki import CardResponseError, JpkiCard, PinKind
from jpki.cli import common
from jpki.cms import CmsReason, sign_cms_with_key, verify_cms
from jpki.cms import _der as der
from jpki.ledger import Ledger, LedgerConfig, RejectReason, SubmissionRejected
from jpki.limits import MiB
from jpki.requests import Applicant, CertificateRequest, DigitalPdfDelivery
from jpki.trust import TrustStore
from mock_card import MockCard, MockPki, load_card, save_card
from mock_card.keypool import pool_key
from tests.cms_corpus import resign
from tests.test_cli import (
    AUTH_PIN,
    REPO,
    SIGN_PIN,
    TEXT_PIN,
    InProcess,
    new_card,
    run,
    single_error_line,
    tries,
)

PKI = MockPki.demo()
TRUST = TrustStore.from_certificates([PKI.sign_ca_cert, PKI.auth_ca_cert])
CREDS = MockCard().credentials  # the demo card's (every new_card has the same keys)
WRONG_SIGN_PIN = "WRONG123"
ESC = "\x1b"


@pytest.fixture
def jpki(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> InProcess:
    return InProcess(monkeypatch, capsys)


@pytest.fixture
def state(tmp_path: Path) -> Path:
    return new_card(tmp_path / "card.json")


def env_for(state: Path, **extra: str) -> dict[str, str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("JPKI_")}
    environ.update({"PYTHONPATH": str(REPO), "PYTHONIOENCODING": "utf-8"})
    environ.update({"JPKI_MOCK_STATE": str(state), "JPKI_READER": "mock", **extra})
    return environ


def jpki_rss(args: list[str], env: dict[str, str]) -> tuple[int, float, str]:
    """Run ``python -m jpki ARGS``; its exit code, its own peak RSS in MiB (``VmHWM``: a
    forked child's ``ru_maxrss`` would count pytest's image), and its stderr."""
    return run_measured(args, env)


def sparse(path: Path, size: int) -> Path:
    """A file of ``size`` bytes that takes no disk (reading it costs the memory all the same)."""
    with path.open("wb") as f:
        f.truncate(size)
    return path


# -- output an attacker controls ----------------------------------------------------------------

HOSTILE_CN = f"{ESC}[2J{ESC}[32m\nresult:         VALID\x9b31m\u202e"


def hostile_signature(tmp_path: Path) -> tuple[Path, Path]:
    """A detached CMS by a self-signed certificate whose CN clears the screen and forges a
    green VALID line (untrusted, so verification fails)."""
    key = pool_key(3)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, HOSTILE_CN)])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(7)
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    content = tmp_path / "doc.txt"
    content.write_bytes(b"pay 1,000,000 yen\n")
    signature = tmp_path / "doc.txt.p7s"
    signature.write_bytes(sign_cms_with_key(key, cert, content.read_bytes()))
    return signature, content


def test_verify_escapes_a_hostile_certificate_subject(jpki: InProcess, tmp_path: Path) -> None:
    signature, content = hostile_signature(tmp_path)
    r = jpki(tmp_path / "unused.json", "verify", str(signature), str(content))
    assert r.code == 1
    for stream in (r.out, r.err):
        assert ESC not in stream and "\x9b" not in stream and "\u202e" not in stream
    results = [line for line in r.out.splitlines() if line.startswith("result:")]
    assert results == ["result:         INVALID (untrusted)"]  # no forged VALID line
    assert "\\x1b[2J\\x1b[32m\\x0aresult:" in r.out  # the subject, shown escaped
    assert single_error_line(r.err).startswith("jpki: error: not valid: untrusted: ")

    r = jpki(tmp_path / "unused.json", "verify", str(signature), str(content), "--json")
    assert "\x9b" not in r.out and "\u202e" not in r.out and ESC not in r.out
    subject = json.loads(r.out)["signatures"][0]["certificate"]["subject"]
    assert ESC in subject and "\x9b" in subject  # the same data, escaped as JSON


def new_request(when: datetime | None = None) -> CertificateRequest:
    """A request of the demo card's holder (dated ``when``, default now)."""
    return CertificateRequest.create(
        kiosk_id="kiosk-01",
        kind="transcript-ja",
        language="ja",
        copies=1,
        delivery=DigitalPdfDelivery("株式会社見本"),
        purpose="就職活動",
        applicant=Applicant.from_certificate(CREDS.sign_cert),
        time=when,
        allowed_kinds=None,
    )


def ledger_with_request(path: Path) -> tuple[Ledger, str]:
    request = new_request()
    ledger = Ledger.open(path, config=LedgerConfig(trust_store=TRUST, allowed_kinds=None))
    signature = sign_cms_with_key(CREDS.sign_key, CREDS.sign_cert, request.to_bytes())
    ledger.submit(signature, request.to_bytes())
    return ledger, request.request_id


def ledger_cli(jpki: InProcess, db: Path, *args: str) -> Any:
    return jpki(db.parent / "unused.json", "requests", "--db", str(db), "--actor", "staff:a", *args)


def test_reasons_with_control_characters_are_refused_and_old_ones_escaped(
    jpki: InProcess, tmp_path: Path
) -> None:
    db = tmp_path / "ledger.sqlite3"
    ledger, rid = ledger_with_request(db)
    ledger.close()
    for reason in (f"ok{ESC}[2J", "line one\nstaff:boss approve", "evil\u202etxt.exe"):
        r = ledger_cli(jpki, db, "reject", rid, "--reason", reason)
        assert r.code == 2 and "printable" in single_error_line(
            r.err.replace("jpki requests", "jpki")
        )
    r = ledger_cli(jpki, db, "audit", rid, "--json")
    assert [e["action"] for e in json.loads(r.out)] == ["submit"]  # nothing was stored

    # a reason stored raw (straight into the database, past the hash chain) prints escaped
    with sqlite3.connect(db) as conn:
        conn.execute(
            "INSERT INTO audit_log (seq, request_id, at, actor, action, from_status, to_status, "
            "reason, prev_hash, entry_hash) SELECT max(seq) + 1, ?, ?, 'staff:old', 'reject', "
            "'submitted', 'rejected', ?, '', '' FROM audit_log",
            (rid, datetime.now(UTC).isoformat(), f"{ESC}[2J\n2026-01-01 forged line"),
        )
    r = ledger_cli(jpki, db, "audit", rid)
    assert r.code == 0 and ESC not in r.out
    assert len(r.out.strip().splitlines()) == 2  # two entries, two lines: none forged


def test_csv_export_neutralises_formulas_and_controls(jpki: InProcess, tmp_path: Path) -> None:
    db = tmp_path / "ledger.sqlite3"
    ledger, rid = ledger_with_request(db)
    ledger.change(rid, "reject", actor="staff:a", reason='=HYPERLINK("http://x","ok")')
    ledger.close()
    out = tmp_path / "export.csv"
    r = ledger_cli(jpki, db, "export", "-o", str(out))
    assert r.code == 0, r.err
    row = out.read_text(encoding="utf-8").splitlines()[1]
    assert "'=HYPERLINK" in row and ",=HYPERLINK" not in row and '"=HYPERLINK' not in row


# -- files ----------------------------------------------------------------------------------------


def test_sign_refuses_an_output_hard_linked_to_its_input(state: Path, tmp_path: Path) -> None:
    doc = tmp_path / "doc.txt"
    doc.write_text("keep me\n", encoding="utf-8")
    out = tmp_path / "doc.p7s"
    os.link(doc, out)
    r = run(state, "sign", str(doc), "-o", str(out), env={"JPKI_SIGN_PIN": SIGN_PIN})
    assert r.code == 2 and "same file" in single_error_line(r.err)
    assert doc.read_text(encoding="utf-8") == "keep me\n"
    assert tries(state)["sign"] == 5  # refused before the card was touched
    r = run(state, "sign", str(doc), "-o", str(out), "--force", env={"JPKI_SIGN_PIN": SIGN_PIN})
    assert r.code == 2 and doc.read_text(encoding="utf-8") == "keep me\n"  # never, not even forced


def test_sign_output_link_needs_force_and_is_replaced_not_followed(
    state: Path, tmp_path: Path
) -> None:
    doc = tmp_path / "doc.txt"
    doc.write_text("data\n", encoding="utf-8")
    victim = tmp_path / "victim"
    victim.write_text("precious\n", encoding="utf-8")
    out = tmp_path / "doc.txt.p7s"
    out.symlink_to(victim)
    r = run(state, "sign", str(doc), env={"JPKI_SIGN_PIN": SIGN_PIN})
    assert r.code == 2 and "symbolic link" in single_error_line(r.err)
    r = run(state, "sign", str(doc), "--force", env={"JPKI_SIGN_PIN": SIGN_PIN})
    assert r.code == 0, r.err
    assert victim.read_text(encoding="utf-8") == "precious\n" and not out.is_symlink()
    assert verify_cms(out.read_bytes(), doc.read_bytes(), trust_store=TRUST).valid


def test_an_unwritable_output_is_refused_before_the_pin_is_spent(
    state: Path, tmp_path: Path
) -> None:
    doc = tmp_path / "doc.txt"
    doc.write_text("data\n", encoding="utf-8")
    for output in ("/no/such/dir/x.p7s", str(tmp_path)):
        r = run(state, "sign", str(doc), "-o", output, env={"JPKI_SIGN_PIN": WRONG_SIGN_PIN})
        assert r.code == 2, r.err
        assert tries(state)["sign"] == 5  # a wrong PIN was not even tried
    r = run(
        state, "cert", "show", "sign", "-o", "/no/such/dir/x.pem", env={"JPKI_SIGN_PIN": SIGN_PIN}
    )
    assert r.code == 2 and tries(state)["sign"] == 5


def test_db_on_a_file_that_is_not_a_ledger_is_left_alone(jpki: InProcess, tmp_path: Path) -> None:
    passwd = tmp_path / "passwd"
    passwd.write_text("root:x:0:0:root:/root:/bin/bash\n", encoding="utf-8")
    passwd.chmod(0o644)
    link = tmp_path / "ledger-link.sqlite3"
    link.symlink_to(passwd)
    other_app = tmp_path / "app.sqlite3"
    with sqlite3.connect(other_app) as conn:
        conn.execute("CREATE TABLE users (name TEXT)")
    other_app.chmod(0o644)
    before = {p: (p.read_bytes(), stat.S_IMODE(p.stat().st_mode)) for p in (passwd, other_app)}
    for db in (passwd, link, other_app):
        for extra in ((), ("--create",)):
            r = jpki(tmp_path / "x.json", "requests", "--db", str(db), *extra, "list")
            assert r.code == 2 and "not a ledger" in r.err, r.err
    after = {p: (p.read_bytes(), stat.S_IMODE(p.stat().st_mode)) for p in (passwd, other_app)}
    assert after == before  # neither chmodded nor switched to WAL nor migrated
    assert not (tmp_path / "app.sqlite3-wal").exists()


def test_db_mistyped_path_is_an_error_and_create_makes_a_private_ledger(
    jpki: InProcess, tmp_path: Path
) -> None:
    missing = tmp_path / "ledgr.sqlite3"
    r = jpki(tmp_path / "x.json", "requests", "--db", str(missing), "list")
    assert r.code == 2 and "requests init" in r.err and not missing.exists()
    r = jpki(tmp_path / "x.json", "requests", "--db", str(missing), "--create", "list")
    assert r.code == 0 and stat.S_IMODE(missing.stat().st_mode) == 0o600
    fresh = tmp_path / "new" / "ledger.sqlite3"
    r = jpki(tmp_path / "x.json", "requests", "init", "--db", str(fresh))
    assert r.code == 0 and "created a new ledger" in r.out
    assert stat.S_IMODE(fresh.parent.stat().st_mode) == 0o700
    r = jpki(tmp_path / "x.json", "requests", "init", "--db", str(fresh))
    assert r.code == 0 and "already a ledger" in r.out
    dangling = tmp_path / "dangling.sqlite3"
    dangling.symlink_to(tmp_path / "nowhere" / "target")
    r = jpki(tmp_path / "x.json", "requests", "init", "--db", str(dangling))
    assert r.code == 2 and not (tmp_path / "nowhere").exists()  # never created through a link


def test_exports_are_private_and_never_follow_a_link(jpki: InProcess, tmp_path: Path) -> None:
    db = tmp_path / "ledger.sqlite3"
    ledger_with_request(db)[0].close()
    existing = tmp_path / "existing.csv"
    existing.write_text("old\n", encoding="utf-8")
    existing.chmod(0o644)
    r = ledger_cli(jpki, db, "export", "-o", str(existing))
    assert r.code == 0 and stat.S_IMODE(existing.stat().st_mode) == 0o600
    assert "見本 花子" in existing.read_text(encoding="utf-8")
    public = tmp_path / "public.csv"
    public.write_text("", encoding="utf-8")
    public.chmod(0o644)
    link = tmp_path / "link.csv"
    link.symlink_to(public)
    r = ledger_cli(jpki, db, "export", "-o", str(link))
    assert r.code == 2 and "symbolic link" in r.err
    assert public.read_text(encoding="utf-8") == ""  # personal data never went through it
    r = ledger_cli(jpki, db, "export", "-o", str(link), "--force")
    assert r.code == 0 and not link.is_symlink() and public.read_text(encoding="utf-8") == ""
    assert stat.S_IMODE(link.stat().st_mode) == 0o600


# -- size and depth ------------------------------------------------------------------------------


def test_verify_refuses_a_huge_signature_without_reading_it(state: Path, tmp_path: Path) -> None:
    huge = sparse(tmp_path / "huge.pem", 256 * MiB)
    code, rss, err = jpki_rss(["verify", str(huge)], env_for(state))
    assert code == 2 and "--max-size" in err, err
    assert rss < 150, f"{rss:.0f} MiB: the file was read"


def test_sign_streams_detached_content_and_refuses_large_attached(
    state: Path, tmp_path: Path
) -> None:
    big = sparse(tmp_path / "big.bin", 200 * MiB)
    code, rss, err = jpki_rss(["sign", str(big)], env_for(state, JPKI_SIGN_PIN=SIGN_PIN))
    assert code == 0, err
    assert rss < 150, f"{rss:.0f} MiB for a detached signature of 200 MiB"
    ca = tmp_path / "ca.pem"
    ca.write_bytes(PKI.sign_ca_cert.public_bytes(Encoding.PEM))
    code, rss, err = jpki_rss(
        ["verify", f"{big}.p7s", str(big), "--trust", str(ca)], env_for(state)
    )
    assert code == 0, err
    assert rss < 150, f"{rss:.0f} MiB to verify against 200 MiB of content"
    code, rss, err = jpki_rss(
        ["sign", "--attached", str(big), "-o", str(tmp_path / "a.p7s")],
        env_for(state, JPKI_SIGN_PIN=WRONG_SIGN_PIN),
    )
    assert code == 2 and "at most 64 MiB" in err and "detached" in err, err
    assert tries(state)["sign"] == 5  # refused before the card


def test_sign_attached_streams_its_content(state: Path, tmp_path: Path) -> None:
    medium = tmp_path / "medium.bin"
    medium.write_bytes(os.urandom(1 * MiB) * 40)
    out = tmp_path / "medium.p7s"
    code, rss, err = jpki_rss(
        ["sign", "--attached", str(medium), "-o", str(out)], env_for(state, JPKI_SIGN_PIN=SIGN_PIN)
    )
    assert code == 0, err
    assert rss < 150, f"{rss:.0f} MiB to sign 40 MiB attached"  # 6.3x the content before
    result = verify_cms(out.read_bytes(), trust_store=TRUST)
    assert result.valid and result.content == medium.read_bytes()


def million_signed_attributes() -> bytes:
    """A CMS of over 10 MB whose SignerInfo holds a million signed attributes (the
    issue's case), spliced by hand into a good signature."""
    good = sign_cms_with_key(CREDS.sign_key, CREDS.sign_cert, b"x")
    si = cms.ContentInfo.load(good)["content"]["signer_infos"][0]
    old = bytes(si["signed_attrs"].dump())
    attribute = der.encode(0x30, der.encode(0x06, b"\x2a\x03\x04") + der.encode(0x31, b"\x05\x00"))
    return splice(good, old, der.encode(0xA0, attribute * 1_000_000))


def test_a_million_signed_attributes_are_refused_at_once() -> None:
    signature = million_signed_attributes()
    assert len(signature) > 10_000_000
    started = time.perf_counter()
    result = verify_cms(signature, b"x", trust_store=TRUST)
    elapsed = time.perf_counter() - started
    assert result.reason is CmsReason.TOO_LARGE and "signed attributes" in result.message
    assert elapsed < 5, f"{elapsed:.1f} s"  # 67 s before: each attribute was listed


def test_submit_checks_the_content_size_before_reading(state: Path, tmp_path: Path) -> None:
    db = tmp_path / "ledger.sqlite3"
    ledger_with_request(db)[0].close()
    good = tmp_path / "r.p7s"
    good.write_bytes(b"0" * 100)
    huge = sparse(tmp_path / "r.json", 1024 * MiB)
    code, rss, err = jpki_rss(
        ["requests", "--db", str(db), "submit", str(good), "--content", str(huge)], env_for(state)
    )
    assert code == 1 and "submission refused (too-large)" in err, err
    assert rss < 150, f"{rss:.0f} MiB: the 1 GiB document was read"


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("deep.toml", "a = " + "[" * 100_000),
        ("huge.toml", "#" * (2 * MiB)),
        ("binary.toml", "\udcff"),
    ],
)
def test_a_hostile_catalogue_is_a_usage_error(
    jpki: InProcess, tmp_path: Path, name: str, text: str
) -> None:
    db = tmp_path / "ledger.sqlite3"
    ledger_with_request(db)[0].close()
    catalogue = tmp_path / name
    catalogue.write_bytes(text.encode("utf-8", "surrogateescape"))
    signature = tmp_path / "x.p7s"
    signature.write_bytes(sign_cms_with_key(CREDS.sign_key, CREDS.sign_cert, b"x", detached=False))
    r = ledger_cli(jpki, db, "submit", str(signature), "--catalogue", str(catalogue))
    assert r.code == 2 and "Traceback" not in r.err and "unexpected" not in r.err, r.err


# -- request checks ---------------------------------------------------------------------------


def request_signed(
    *, when: datetime | None = None, signing_time: datetime | None = None, drop_time: bool = False
) -> tuple[bytes, bytes]:
    creds = CREDS
    document = new_request(when).to_bytes()
    signature = sign_cms_with_key(
        creds.sign_key, creds.sign_cert, document, signing_time=signing_time
    )
    if drop_time:

        def drop(attrs: list[dict[str, Any]]) -> None:
            attrs[:] = [a for a in attrs if a["type"] != "signing_time"]

        signature = resign(signature, creds.sign_key, drop)
    return signature, document


def test_a_request_must_carry_a_signing_time_that_fits_its_certificate(tmp_path: Path) -> None:
    config = LedgerConfig(trust_store=TRUST, allowed_kinds=None)
    with Ledger.open(tmp_path / "l.sqlite3", config=config) as ledger:
        signature, document = request_signed(drop_time=True)
        assert verify_cms(signature, document, trust_store=TRUST).valid  # the CMS itself is fine
        with pytest.raises(SubmissionRejected, match="no signing time") as info:
            ledger.submit(signature, document)
        assert info.value.reason is RejectReason.STALE

        valid_from = MockCard().credentials.sign_cert.not_valid_before_utc
        dated_2019 = datetime(2019, 4, 1, tzinfo=UTC)
        assert dated_2019 < valid_from
        signature, document = request_signed(when=dated_2019)  # signed now, dated 2019
        with pytest.raises(SubmissionRejected, match="before the signer's certificate"):
            ledger.submit(signature, document)
        signature, document = request_signed(when=dated_2019, drop_time=True)  # the issue's
        with pytest.raises(SubmissionRejected, match="no signing time"):
            ledger.submit(signature, document)
        assert ledger.list_requests() == []

    lenient = LedgerConfig(trust_store=TRUST, allowed_kinds=None, max_signing_age=None)
    with Ledger.open(tmp_path / "l2.sqlite3", config=lenient) as ledger:
        old = valid_from - timedelta(days=30)
        signature, document = request_signed(when=old, signing_time=old)
        # (the CMS check judges the certificate at the signing time: not yet valid then)
        with pytest.raises(SubmissionRejected, match=r"not-yet-valid|before the signer's"):
            ledger.submit(signature, document)
        assert ledger.list_requests() == []


@pytest.mark.parametrize(
    "args",
    [
        ["verify", "{sig}", "--at", "9999-12-31T23:59:59"],
        ["verify", "{sig}", "--at", "0001-01-01"],
        ["requests", "--db", "{db}", "list", "--until", "9999-12-31"],
        ["requests", "--db", "{db}", "list", "--since", "0001-01-01"],
        ["requests", "--db", "{db}", "list", "--limit", "99999999999999999999"],
        ["requests", "--db", "{db}", "list", "--limit", "-1"],
        ["requests", "--db", "{db}", "purge", "--older-than", "inf"],
        ["requests", "--db", "{db}", "purge", "--older-than", "nan"],
        ["requests", "--db", "{db}", "purge", "--older-than", "1e308"],
        ["requests", "--db", "mysql://user@host/db", "list"],
        ["requests", "--db", "postgresql://[::1", "list"],
    ],
)
def test_out_of_range_values_are_usage_errors(
    jpki: InProcess, tmp_path: Path, args: list[str]
) -> None:
    db = tmp_path / "ledger.sqlite3"
    ledger_with_request(db)[0].close()
    sig = tmp_path / "s.p7s"
    sig.write_bytes(sign_cms_with_key(CREDS.sign_key, CREDS.sign_cert, b"x"))
    argv = [a.format(sig=sig, db=db) for a in args]
    r = jpki(tmp_path / "x.json", *argv)
    assert r.code == 2, r.err
    assert "unexpected" not in r.err and "Traceback" not in r.err and "OverflowError" not in r.err


def test_retention_from_the_environment_is_checked(jpki: InProcess, tmp_path: Path) -> None:
    db = tmp_path / "ledger.sqlite3"
    ledger_with_request(db)[0].close()
    for value in ("inf", "-5", "many"):
        r = jpki(
            tmp_path / "x.json",
            "requests",
            "--db",
            str(db),
            "purge",
            "--actor",
            "a",
            **{"JPKI_LEDGER_RETENTION_DAYS": value},
        )
        assert r.code == 2 and "JPKI_LEDGER_RETENTION_DAYS" in r.err, r.err


@pytest.mark.parametrize(
    "args",
    [
        ["sign", "{missing}"],
        ["sign", "--pdf", "{missing}"],
        ["verify", "{missing}"],
        ["verify", "{sig}", "{missing}"],
        ["verify", "{sig}", "--trust", "{missing}"],
        ["verify", "{sig}", "--crl", "{missing}"],
        ["authenticate", "--trust", "{missing}"],
        ["cert", "show", "auth", "-o", "{missing}/x.pem"],
        ["requests", "--db", "{missing}", "list"],
        ["requests", "--db", "{db}", "submit", "{missing}"],
        ["requests", "--db", "{db}", "submit", "{sig}", "--content", "{missing}"],
        ["requests", "--db", "{db}", "submit", "{sig}", "--catalogue", "{missing}"],
        ["requests", "--db", "{db}", "submit", "{sig}", "--trust-anchor", "{missing}"],
        ["requests", "--db", "{db}", "submit", "{sig}", "--crl", "{missing}"],
        ["requests", "--db", "{db}", "export", "-o", "{missing}/x.csv"],
    ],
)
def test_a_missing_input_file_is_exit_2_everywhere(
    jpki: InProcess, state: Path, tmp_path: Path, args: list[str]
) -> None:
    db = tmp_path / "ledger.sqlite3"
    ledger_with_request(db)[0].close()
    sig = tmp_path / "s.p7s"
    sig.write_bytes(sign_cms_with_key(CREDS.sign_key, CREDS.sign_cert, b"x"))
    missing = tmp_path / "no-such-file"
    argv = [a.format(missing=missing, sig=sig, db=db) for a in args]
    r = jpki(state, *argv, JPKI_SIGN_PIN=SIGN_PIN, JPKI_AUTH_PIN=AUTH_PIN)
    assert r.code == 2, r.err
    assert "no-such-file" in r.err and "Traceback" not in r.err
    assert tries(state) == {"auth": 3, "sign": 5, "text": 3}


def readme_command(prefix: str) -> list[str]:
    """The README's command line that starts with ``prefix``, split, its comment cut."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    line = next(ln for ln in text.splitlines() if ln.startswith(prefix))
    return line.split("#", 1)[0].split()


def test_the_readme_revocation_example_works(state: Path, tmp_path: Path) -> None:
    """``export-ca`` writes certificates and CRLs into one folder; the README's ``verify``
    with ``--crl mock-ca/`` (and ``--trust mock-ca/``) takes each kind from it."""
    env = env_for(state)

    def sh(argv: list[str], **extra: str) -> subprocess.CompletedProcess[str]:
        program = {"jpki": ["-m", "jpki"], "jpki-mock-card": ["-m", "mock_card"]}[argv[0]]
        return subprocess.run(
            [sys.executable, *program, *argv[1:]],
            env={**env, **extra},
            cwd=tmp_path,
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )

    done = sh(readme_command("jpki-mock-card export-ca mock-ca"))
    assert done.returncode == 0, done.stderr
    (tmp_path / "request.json").write_text('{"hello": "world"}', encoding="utf-8")
    assert sh(["jpki", "sign", "request.json"], JPKI_SIGN_PIN=SIGN_PIN).returncode == 0
    verify = readme_command("jpki verify request.json.p7s")
    assert "--crl" in verify and "mock-ca/" in verify
    done = sh(verify)
    assert done.returncode == 0, done.stderr
    assert "revocation:     checked: " in done.stdout
    done = sh(
        ["jpki", "verify", "request.json.p7s", "--trust", "mock-ca/", "--crl", "mock-ca/", "-v"]
    )
    assert done.returncode == 0, done.stderr
    assert "--crl: skipped" in done.stderr and "--trust: skipped" in done.stderr  # said with -v


# -- the mock card's PIN counter ------------------------------------------------------------------


def test_parallel_wrong_pins_spend_every_try(state: Path, tmp_path: Path) -> None:
    doc = tmp_path / "doc.txt"
    doc.write_text("data\n", encoding="utf-8")

    def attempt(i: int) -> str:
        r = run(
            state,
            "sign",
            str(doc),
            "-o",
            str(tmp_path / f"{i}.p7s"),
            env={"JPKI_SIGN_PIN": WRONG_SIGN_PIN},
        )
        assert r.code == 1, r.err
        return r.err

    with ThreadPoolExecutor(max_workers=12) as pool:
        errors = list(pool.map(attempt, range(12)))
    assert tries(state)["sign"] == 0  # 12 wrong PINs, 5 tries: blocked (2 were spent on main)
    lines = [single_error_line(e) for e in errors]
    wrong = [line for line in lines if line.startswith("jpki: error: wrong signature PIN")]
    assert all(line in wrong or "blocked" in line for line in lines), lines
    # each try spent once, by one process: 4, 3, 2, 1 left, then the fifth blocks it
    left = sorted(int(re.findall(r"(\d+) tr(?:y|ies) left", line)[0]) for line in wrong)
    assert left == [1, 2, 3, 4], lines


def test_a_state_file_that_cannot_be_saved_refuses_verify(state: Path, tmp_path: Path) -> None:
    """Under RLIMIT_FSIZE the try cannot be saved: the VERIFY is refused before the PIN is
    compared, for a right PIN as for a wrong one (no oracle, no free guesses)."""
    doc = tmp_path / "doc.txt"
    doc.write_text("data\n", encoding="utf-8")
    before = state.read_bytes()

    def limited() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))

    for pin in (WRONG_SIGN_PIN, SIGN_PIN):
        done = subprocess.run(
            [sys.executable, "-m", "jpki", "sign", str(doc), "-o", "-", "--pem"],
            env=env_for(state, JPKI_SIGN_PIN=pin),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            preexec_fn=limited,
            timeout=60,
            check=False,
        )
        err = done.stderr.decode("utf-8")
        assert done.returncode == 1 and "6581" in err, err
        assert b"BEGIN CMS" not in done.stdout
    assert state.read_bytes() == before and tries(state)["sign"] == 5


def test_an_in_memory_card_refuses_verify_when_its_state_cannot_be_saved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "card.json"
    save_card(MockCard(), path)
    card = load_card(path)
    session = JpkiCard(card)

    def full(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full)  # every save ends in a rename
    for pin in ("9999", "1234"):  # a wrong PIN and the right one: the same refusal
        with pytest.raises(CardResponseError) as info:
            session.verify_pin(PinKind.AUTH, pin)
        assert info.value.sw == 0x6581
    monkeypatch.undo()
    assert load_card(path).pin_tries_left("auth") == 3


def deep_json(depth: int) -> str:
    return '{"version": 1, "pins": ' + "[" * depth + "]" * depth + "}"


@pytest.mark.parametrize(
    "damage",
    ["deep", "negative", "huge", "missing-pin", "world-writable", "bool-counter", "long-int"],
)
def test_a_damaged_state_file_is_one_clear_error(jpki: InProcess, state: Path, damage: str) -> None:
    data = json.loads(state.read_text(encoding="utf-8"))
    if damage == "deep":
        state.write_text(deep_json(200_000), encoding="utf-8")
    else:
        if damage == "negative":
            data["pins"]["sign"]["tries_left"] = -1
        elif damage == "huge":
            data["pins"]["auth"]["tries_left"] = 10**30
            data["pins"]["auth"]["max_tries"] = 10**30
        elif damage == "missing-pin":
            del data["pins"]["text"]
        elif damage == "bool-counter":
            data["pins"]["auth"]["tries_left"] = True
        elif damage == "long-int":
            data["options"]["my_number_seed"] = 10**200
        state.write_text(json.dumps(data), encoding="utf-8")
        if damage == "world-writable":
            state.chmod(0o666)
    r = jpki(state, "pin", "status")
    assert r.code == 3, r.err
    line = single_error_line(r.err)
    assert "mock card" in line and "unexpected" not in line and "Traceback" not in r.err


# -- secrets --------------------------------------------------------------------------------------


def test_the_apdu_trace_redacts_the_my_number() -> None:
    from apdu.trace import TRACE, logger

    records: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record.getMessage())

    handler = Keep(TRACE)
    previous = logger.level
    logger.addHandler(handler)
    logger.setLevel(TRACE)
    try:
        card = JpkiCard(MockCard())
        number = card.read_my_number("1234")
        basic = card.read_basic_info("1234")
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous)
    digits = number.digits
    trace = "\n".join(records)
    assert digits not in trace
    assert digits.encode("ascii").hex(" ").upper() not in trace
    assert "< * 9000" in trace
    assert basic.name.encode("utf-8").hex(" ").upper() in trace  # the others as before


def test_a_pin_typed_where_an_argument_goes_is_never_echoed(jpki: InProcess, state: Path) -> None:
    for args in (
        ["sign", SIGN_PIN],
        ["sign", "abcd1234"],
        ["verify", AUTH_PIN],
        ["--reader", TEXT_PIN, "status"],
        ["requests", "--db", SIGN_PIN, "list"],
    ):
        r = jpki(state, *args)
        assert r.code in (2, 3), (args, r.err)
        r.assert_no_pin(SIGN_PIN, AUTH_PIN, TEXT_PIN, "abcd1234")


def test_environment_pins_are_removed_once_read(
    jpki: InProcess, state: Path, tmp_path: Path
) -> None:
    doc = tmp_path / "doc.txt"
    doc.write_text("data\n", encoding="utf-8")
    r = jpki(state, "sign", str(doc), JPKI_SIGN_PIN=SIGN_PIN)
    assert r.code == 0, r.err
    assert jpki.left_in_environment == set()
    r = jpki(state, "text", "basic", JPKI_TEXT_PIN=TEXT_PIN)
    assert r.code == 0 and jpki.left_in_environment == set()


@pytest.fixture(autouse=True)
def _no_stray_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("JPKI_LEDGER_URL", raising=False)
    monkeypatch.delenv("JPKI_LEDGER_RETENTION_DAYS", raising=False)
    yield


def test_common_shown_masks_only_what_may_be_a_pin(tmp_path: Path) -> None:
    existing = tmp_path / "report2024"
    existing.write_text("", encoding="utf-8")
    assert common.shown(str(existing)) == str(existing)  # a real file is shown
    assert "not shown" in common.shown("QZ7XK93W")
    assert common.shown(f"a{ESC}b") == "a\\x1bb"
