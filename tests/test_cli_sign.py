"""``jpki sign``, ``jpki verify`` and ``jpki authenticate`` as real subprocesses.

The mock card lives in a state file (``JPKI_MOCK_STATE``) so PIN counters persist
across invocations; the mock CAs and CRLs come from ``python -m mock_card export-ca``.
Every test that hands a PIN to the CLI checks that it appears nowhere in the output.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mock_card import MockCard, load_card, save_card
from tests.test_cli import REPO, run, single_error_line
from tests.test_pdf import make_pdf
from tests.tsa import LocalTsa

AUTH_PIN = "7295"
SIGN_PIN = "QZ7XK93W"
TEXT_PIN = "8316"
HOLDER = "見本 花子"
CONTENT = "契約書: 見本 花子 signs this.\n".encode()

OPENSSL = shutil.which("openssl")


def mock_card_cli(state: Path, *args: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "mock_card", "--state", str(state), *args],
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin", "PYTHONIOENCODING": "utf-8"},
        capture_output=True,
        check=True,
        timeout=60,
    )


def new_card(directory: Path, profile: str = "valid") -> tuple[Path, Path]:
    """A card state file and the directory with its CAs and CRLs (export-ca)."""
    state = directory / "card.json"
    if profile == "valid":
        save_card(MockCard(auth_pin=AUTH_PIN, sign_pin=SIGN_PIN, text_pin=TEXT_PIN), state)
    else:
        mock_card_cli(
            state,
            "reset",
            "--profile",
            profile,
            "--auth-pin",
            AUTH_PIN,
            "--sign-pin",
            SIGN_PIN,
            "--text-pin",
            TEXT_PIN,
        )
    cas = directory / "ca"
    mock_card_cli(state, "export-ca", str(cas))
    return state, cas


def tries(state: Path) -> dict[str, int]:
    card_state = load_card(state)
    return {name: card_state.pin_tries_left(name) for name in ("auth", "sign")}


@pytest.fixture(scope="module")
def card_state(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return new_card(tmp_path_factory.mktemp("card"))


@pytest.fixture(scope="module")
def signed_file(card_state: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``doc.txt`` and its ``doc.txt.p7s`` made by ``jpki sign``."""
    state, _ = card_state
    doc = tmp_path_factory.mktemp("signed") / "doc.txt"
    doc.write_bytes(CONTENT)
    r = run(state, "sign", str(doc), env={"JPKI_SIGN_PIN": SIGN_PIN})
    assert r.code == 0, r.err
    r.assert_no_pin(SIGN_PIN)
    assert "signature PIN (署名用): 5 tries left" in r.err
    assert f"CMS signature (detached, DER) by {HOLDER}" in r.err
    return doc


@pytest.fixture(scope="module")
def signed_pdf(card_state: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    state, _ = card_state
    source = tmp_path_factory.mktemp("pdf") / "contract.pdf"
    source.write_bytes(make_pdf())
    r = run(
        state, "sign", "--pdf", str(source), "--reason", "承認", env={"JPKI_SIGN_PIN": SIGN_PIN}
    )
    assert r.code == 0, r.err
    r.assert_no_pin(SIGN_PIN)
    assert f"signed PDF (PAdES B-B) by {HOLDER}" in r.err
    target = source.with_name("contract-signed.pdf")
    assert target.read_bytes().startswith(b"%PDF")
    return target


# -- sign and verify a CMS signature ----------------------------------------------------------------


def test_sign_then_verify_with_the_mock_ca(
    card_state: tuple[Path, Path], signed_file: Path
) -> None:
    state, cas = card_state
    p7s = signed_file.with_name("doc.txt.p7s")
    assert p7s.read_bytes()[:1] == b"\x30"  # DER
    r = run(state, "verify", str(p7s), str(signed_file), "--trust", str(cas / "sign_ca.pem"))
    assert r.code == 0, r.err
    assert "result:         VALID" in r.out
    assert f"signed by:      {HOLDER}" in r.out
    assert "revocation:     not checked: no CRLs were given" in r.out
    assert "key-usage" in r.out and "certificate-chain" in r.out
    assert r.err == ""

    # CONTENT defaults to the file next to it without .p7s
    r = run(state, "verify", str(p7s), "--trust", str(cas / "sign_ca.pem"), "--json")
    assert r.code == 0, r.err
    data = json.loads(r.out)
    assert data["kind"] == "cms" and data["valid"] is True
    (sig,) = data["signatures"]
    assert sig["signer"]["name"] == HOLDER
    assert sig["revocation_checked"] is False
    assert sig["checks"]["message-digest"] == "ok (sha256)"
    assert f"content: {signed_file}" in r.err


def test_verify_without_trust_is_untrusted(
    card_state: tuple[Path, Path], signed_file: Path
) -> None:
    state, _ = card_state
    r = run(state, "verify", str(signed_file) + ".p7s", str(signed_file))
    assert r.code == 1
    line = single_error_line(r.err)
    assert "not valid: untrusted:" in line
    assert "INVALID (untrusted)" in r.out
    assert f"claimed signer: {HOLDER}" in r.out


def test_tampered_content_is_invalid(
    card_state: tuple[Path, Path], signed_file: Path, tmp_path: Path
) -> None:
    state, cas = card_state
    other = tmp_path / "doc.txt"
    other.write_bytes(CONTENT.replace(b"signs", b"sings"))
    r = run(
        state, "verify", str(signed_file) + ".p7s", str(other), "--trust", str(cas / "sign_ca.pem")
    )
    assert r.code == 1
    assert "digest-mismatch" in single_error_line(r.err)


def test_revocation(card_state: tuple[Path, Path], signed_file: Path) -> None:
    state, cas = card_state
    p7s = str(signed_file) + ".p7s"
    trust = ("--trust", str(cas / "sign_ca.pem"))
    r = run(state, "verify", p7s, *trust, "--revocation", "require")
    assert r.code == 1
    assert "no-crl" in single_error_line(r.err)

    r = run(
        state, "verify", p7s, *trust, "--crl", str(cas / "sign_crl.pem"), "--revocation", "require"
    )
    assert r.code == 0, r.err
    assert "revocation:     checked: good" in r.out

    r = run(state, "verify", p7s, *trust, "--revocation", "off")
    assert r.code == 0, r.err
    assert "not checked: policy off" in r.out


def test_revoked_card(tmp_path: Path) -> None:
    state, cas = new_card(tmp_path, "revoked")
    doc = tmp_path / "doc.txt"
    doc.write_bytes(CONTENT)
    r = run(state, "sign", str(doc), "--pem", env={"JPKI_SIGN_PIN": SIGN_PIN})
    assert r.code == 0, r.err
    p7s = doc.with_name("doc.txt.p7s")
    assert p7s.read_text().startswith("-----BEGIN CMS-----")
    r = run(
        state,
        "verify",
        str(p7s),
        "--trust",
        str(cas / "sign_ca.pem"),
        "--crl",
        str(cas / "sign_crl.pem"),
    )
    assert r.code == 1
    assert "not valid: revoked:" in single_error_line(r.err)
    assert "INVALID (revoked)" in r.out


def test_attached_signature_and_stdout(card_state: tuple[Path, Path], tmp_path: Path) -> None:
    state, cas = card_state
    doc = tmp_path / "note.txt"
    doc.write_bytes(CONTENT)
    out = tmp_path / "note.p7m"
    r = run(state, "sign", str(doc), "--attached", "-o", str(out), env={"JPKI_SIGN_PIN": SIGN_PIN})
    assert r.code == 0, r.err
    r.assert_no_pin(SIGN_PIN)
    assert CONTENT in out.read_bytes()
    r = run(state, "verify", str(out), "--trust", str(cas / "sign_ca.pem"))
    assert r.code == 0, r.err
    assert "attached" in r.out


@pytest.mark.skipif(OPENSSL is None, reason="openssl is not installed")
def test_openssl_accepts_the_cli_signature(
    card_state: tuple[Path, Path], signed_file: Path
) -> None:
    _, cas = card_state
    proc = subprocess.run(
        [
            "openssl",
            "cms",
            "-verify",
            "-binary",
            "-inform",
            "DER",
            "-in",
            str(signed_file) + ".p7s",
            "-content",
            str(signed_file),
            "-CAfile",
            str(cas / "sign_ca.pem"),
            "-out",
            "/dev/null",
        ],
        capture_output=True,
        timeout=30,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr.decode()
    assert b"Verification successful" in proc.stderr


# -- PDF ------------------------------------------------------------------------------------------


def test_pdf_sign_and_verify(card_state: tuple[Path, Path], signed_pdf: Path) -> None:
    state, cas = card_state
    r = run(state, "verify", str(signed_pdf), "--trust", str(cas / "sign_ca.pem"))
    assert r.code == 0, r.err
    assert "signature 1 of 1 (field Signature1):" in r.out
    assert f"signed by:      {HOLDER}" in r.out
    assert "format:         PAdES B-B" in r.out
    assert "coverage:       entire-file" in r.out
    assert "revocation:     not checked: no CRLs were given" in r.out
    assert "Traceback" not in r.err and r.err == ""

    r = run(state, "verify", str(signed_pdf), "--json")
    assert r.code == 1
    data = json.loads(r.out)
    assert data["kind"] == "pdf" and data["valid"] is False
    assert data["signatures"][0]["reason"] == "untrusted"
    assert data["signatures"][0]["pdf_reason"] == "承認"
    assert "not valid (Signature1): untrusted:" in single_error_line(r.err)


def test_pdf_time_stamped_and_visible(card_state: tuple[Path, Path], tmp_path: Path) -> None:
    state, cas = card_state
    source = tmp_path / "form.pdf"
    source.write_bytes(make_pdf())
    out = tmp_path / "form-stamped.pdf"
    with LocalTsa() as tsa:
        r = run(
            state,
            "sign",
            "--pdf",
            str(source),
            "-o",
            str(out),
            "--tsa",
            tsa.url,
            "--visible",
            env={"JPKI_SIGN_PIN": SIGN_PIN},
        )
        assert r.code == 0, r.err
        assert tsa.granted == 2
        (tmp_path / "tsa_ca.pem").write_bytes(tsa.ca_pem())
    r.assert_no_pin(SIGN_PIN)
    assert "PAdES B-T, visible stamp" in r.err
    trust = ("--trust", str(cas / "sign_ca.pem"))
    r = run(state, "verify", str(out), *trust, "--tsa-trust", str(tmp_path / "tsa_ca.pem"))
    assert r.code == 0, r.err
    assert "format:         PAdES B-T" in r.out
    assert "time-stamp:     " in r.out
    r = run(state, "verify", str(out), *trust)  # the TSA's root is not trusted: B-B only
    assert r.code == 0, r.err
    assert "format:         PAdES B-B" in r.out
    assert "whose certificate is not trusted" in r.out
    assert r.err == ""  # pyHanko's path-building tracebacks are not shown


def test_pdf_tampered_and_unsigned(
    card_state: tuple[Path, Path], signed_pdf: Path, tmp_path: Path
) -> None:
    state, cas = card_state
    tampered = tmp_path / "tampered.pdf"
    tampered.write_bytes(signed_pdf.read_bytes().replace(b"Hello JPKI", b"Jello JPKI"))
    r = run(state, "verify", str(tampered), "--trust", str(cas / "sign_ca.pem"))
    assert r.code == 1
    assert "digest-mismatch" in single_error_line(r.err)

    unsigned = tmp_path / "unsigned.pdf"
    unsigned.write_bytes(make_pdf())
    r = run(state, "verify", str(unsigned), "--trust", str(cas / "sign_ca.pem"))
    assert r.code == 1
    assert "the PDF has no signatures" in single_error_line(r.err)


def test_pdf_usage_errors(card_state: tuple[Path, Path], tmp_path: Path, signed_pdf: Path) -> None:
    state, _ = card_state
    doc = tmp_path / "doc.txt"
    doc.write_bytes(CONTENT)
    r = run(
        state, "sign", str(doc), "--tsa", "http://127.0.0.1:9/", env={"JPKI_SIGN_PIN": SIGN_PIN}
    )
    assert r.code == 2 and "--tsa goes with --pdf" in r.err
    r = run(state, "sign", "--pdf", str(doc), env={"JPKI_SIGN_PIN": SIGN_PIN})
    assert r.code == 2 and "is not a PDF" in r.err
    r = run(state, "verify", str(signed_pdf), str(doc))
    assert r.code == 2
    r = run(state, "verify", str(tmp_path / "missing.p7s"))
    assert r.code == 2 and "cannot read the signature" in r.err
    r = run(state, "verify", str(signed_pdf), "--at", "yesterday")
    assert r.code == 2 and "ISO 8601" in r.err
    assert tries(state)["sign"] == 5


# -- PINs --------------------------------------------------------------------------------------


def test_wrong_sign_pin(tmp_path: Path) -> None:
    state, _ = new_card(tmp_path)
    doc = tmp_path / "doc.txt"
    doc.write_bytes(CONTENT)
    r = run(state, "sign", str(doc), env={"JPKI_SIGN_PIN": "WRONG1234"})
    assert r.code == 1
    assert "signature PIN (署名用): 5 tries left" in r.err
    assert "4 tries left" in single_error_line(r.err)
    assert not doc.with_name("doc.txt.p7s").exists()
    r.assert_no_pin("WRONG1234", SIGN_PIN)
    assert tries(state)["sign"] == 4


def test_malformed_sign_pin_reaches_no_card(tmp_path: Path) -> None:
    state, _ = new_card(tmp_path)
    doc = tmp_path / "doc.pdf"
    doc.write_bytes(make_pdf())
    r = run(state, "sign", "--pdf", str(doc), env={"JPKI_SIGN_PIN": "abc"})
    assert r.code == 2
    assert "nothing was sent to the card" in single_error_line(r.err)
    assert tries(state)["sign"] == 5
    r = run(state, "sign", str(doc))  # no PIN source at all: no hang
    assert r.code == 2
    assert "JPKI_SIGN_PIN is not set" in r.err


# -- authenticate ------------------------------------------------------------------------------


def test_authenticate(card_state: tuple[Path, Path]) -> None:
    state, cas = card_state
    cert = load_card(state).credentials.auth_cert
    r = run(
        state, "authenticate", "--trust", str(cas / "auth_ca.pem"), env={"JPKI_AUTH_PIN": AUTH_PIN}
    )
    assert r.code == 0, r.err
    r.assert_no_pin(AUTH_PIN)
    assert "result:            AUTHENTICATED" in r.out
    serial = f"{cert.serial_number:X}"
    assert serial in r.out
    assert "issuer generation: " in r.out
    assert "revocation:        not checked: no CRLs were given" in r.out
    assert "user-authentication PIN (利用者証明用): 3 tries left" in r.err

    r = run(
        state,
        "authenticate",
        "--trust",
        str(cas / "auth_ca.pem"),
        "--crl",
        str(cas / "auth_crl.pem"),
        "--revocation",
        "require",
        "--json",
        env={"JPKI_AUTH_PIN": AUTH_PIN},
    )
    assert r.code == 0, r.err
    data = json.loads(r.out)
    assert data["authenticated"] is True and data["revocation_checked"] is True
    assert data["certificate"]["serial"].lstrip("0") == serial.lstrip("0")
    assert data["certificate"]["issuer_generation"] is not None


def test_authenticate_untrusted_and_wrong_pin(tmp_path: Path) -> None:
    state, cas = new_card(tmp_path)
    r = run(state, "authenticate", env={"JPKI_AUTH_PIN": AUTH_PIN})
    assert r.code == 1
    assert "not authenticated: untrusted:" in single_error_line(r.err)
    r.assert_no_pin(AUTH_PIN)

    r = run(
        state, "authenticate", "--trust", str(cas / "auth_ca.pem"), env={"JPKI_AUTH_PIN": "1111"}
    )
    assert r.code == 1
    assert "3 tries left" in r.err
    assert "wrong user-authentication PIN (利用者証明用): 2 tries left" in single_error_line(r.err)
    r.assert_no_pin("1111", AUTH_PIN)
    assert tries(state)["auth"] == 2
