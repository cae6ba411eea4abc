"""The staff CLI through the office (``jpki requests login``…), and ``jpki-office``'s admin
commands: db init, kiosk, staff, audit verify."""

from __future__ import annotations

import json
import sqlite3
import stat
from pathlib import Path

import pytest

from jpki.cli import main as jpki
from office.cli import main as office_cli
from tests.office_fixtures import Office
from tests.office_kit import PASSWORD, make_tls, signed_request, write_config


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = jpki(["requests", *argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def session(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "session" / "office-session.json"
    monkeypatch.setenv("JPKI_OFFICE_SESSION", str(path))
    monkeypatch.setenv("JPKI_OFFICE_PASSWORD", PASSWORD)
    monkeypatch.delenv("JPKI_LEDGER_URL", raising=False)
    monkeypatch.delenv("JPKI_OFFICE_URL", raising=False)
    return path


def login(capsys: pytest.CaptureFixture[str], office: Office, user: str) -> None:
    code, _, err = run(
        capsys, "login", "--office", office.url, "--office-ca", str(office.tls.ca), "--user", user
    )
    assert code == 0, err
    assert f"signed in to {office.url} as {user}" in err


def test_staff_work_through_the_office_as_themselves(
    office: Office, session: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    kiosk = office.kiosk("kiosk-01")
    signature, document, rid = signed_request("kiosk-01")
    kiosk.submit(signature, document)
    for name, role in (("sato", "clerk"), ("ito", "issuer"), ("kato", "auditor")):
        office.service.add_staff("admin:test", name, PASSWORD, [role])

    login(capsys, office, "sato")
    assert stat.S_IMODE(session.stat().st_mode) == 0o600
    assert json.loads(session.read_text())["username"] == "sato"
    code, out, _ = run(capsys, "list")
    assert code == 0 and rid in out and "見本 花子" in out
    code, _, err = run(capsys, "approve", rid[:8], "--actor", "staff:somebody-else")
    assert code == 2 and "records who signed in" in err
    code, out, _ = run(capsys, "approve", rid[:8])
    assert code == 0 and "submitted → approved" in out
    code, _, err = run(capsys, "issue", rid)
    assert code == 1 and "issuer role" in err
    code, _, err = run(capsys, "audit", "--verify")
    assert code == 1 and "auditor role" in err
    code, _, err = run(capsys, "purge", "--older-than", "0")
    assert code == 2 and "database itself" in err
    code, _, err = run(capsys, "submit", "x.p7s")
    assert code == 2 and "database itself" in err

    login(capsys, office, "ito")
    assert run(capsys, "issue", rid)[0] == 0
    code, out, _ = run(capsys, "download", rid, "--json")
    assert code == 0 and json.loads(out)["status"] == "downloaded"

    login(capsys, office, "kato")
    code, out, _ = run(capsys, "show", rid[:10], "--json")
    shown = json.loads(out)
    assert [(e["action"], e["actor"]) for e in shown["audit"]] == [
        ("submit", "kiosk:kiosk-01"),
        ("approve", "staff:sato"),
        ("issue", "staff:ito"),
        ("download", "staff:ito"),
    ]
    code, out, _ = run(capsys, "audit", "--verify")
    assert code == 0 and "audit chain intact" in out and "sealed with key" in out
    code, out, _ = run(capsys, "verify", rid)
    assert code == 0 and "valid" in out
    export = session.parent / "export.json"
    code, _, _ = run(capsys, "export", "--format", "json", "--with-audit", "-o", str(export))
    assert code == 0 and stat.S_IMODE(export.stat().st_mode) == 0o600
    assert json.loads(export.read_text())[0]["audit"][-1]["action"] == "download"

    code, _, err = run(capsys, "logout")
    assert code == 0 and not session.exists()
    code, _, err = run(capsys, "list", "--office", office.url)
    assert code == 2 and "sign in to the office first" in err


def test_a_wrong_password_signs_nobody_in(
    office: Office,
    session: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    office.service.add_staff("admin:test", "sato", PASSWORD, ["clerk"])
    monkeypatch.setenv("JPKI_OFFICE_PASSWORD", "not the password")
    code, _, err = run(
        capsys, "login", "--office", office.url, "--office-ca", str(office.tls.ca), "--user", "sato"
    )
    assert code == 1 and "wrong user name or password" in err
    assert not session.exists()


# -- jpki-office -------------------------------------------------------------------------------


def office_cmd(
    capsys: pytest.CaptureFixture[str], config: Path, *argv: str
) -> tuple[int, str, str]:
    capsys.readouterr()
    code = office_cli(["--config", str(config), *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_jpki_office_admin_commands(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "office.sqlite3"
    tls = make_tls(tmp_path / "tls")
    config = write_config(tmp_path, str(db), tls)
    (tmp_path / "audit.key").unlink()  # db init makes a new one
    code, out, _ = office_cmd(capsys, config, "db", "init")
    assert code == 0 and "a new audit key" in out and "SQLite ledger ready" in out
    assert stat.S_IMODE((tmp_path / "audit.key").stat().st_mode) == 0o600
    code, out, _ = office_cmd(capsys, config, "db", "init")  # again: nothing new
    assert code == 0 and "new audit key" not in out

    token_file = tmp_path / "kiosk-07.token"
    code, out, _ = office_cmd(
        capsys, config, "kiosk", "add", "kiosk-07", "--token-file", str(token_file)
    )
    assert code == 0 and stat.S_IMODE(token_file.stat().st_mode) == 0o600
    assert token_file.read_text().startswith("jpki-kiosk-") and "jpki-kiosk-" not in out
    code, _, err = office_cmd(capsys, config, "kiosk", "add", "kiosk-07")
    assert code == 1 and "exists" in err
    code, _, err = office_cmd(capsys, config, "kiosk", "add", "bad id!")
    assert code == 2
    monkeypatch.setenv("JPKI_OFFICE_PASSWORD", PASSWORD)
    code, out, _ = office_cmd(capsys, config, "staff", "add", "sato", "--role", "clerk", "--totp")
    assert code == 0 and "otpauth://totp/" in out
    monkeypatch.setenv("JPKI_OFFICE_PASSWORD", "short")
    code, _, err = office_cmd(capsys, config, "staff", "add", "ito", "--role", "issuer")
    assert code == 2 and "12-256 characters" in err
    code, _, _ = office_cmd(capsys, config, "staff", "role", "sato", "--role", "auditor")
    assert code == 0
    code, out, _ = office_cmd(capsys, config, "staff", "list", "--json")
    assert json.loads(out) == [
        {
            "username": "sato",
            "roles": ["auditor"],
            "disabled": False,
            "totp": True,
            "created_at": json.loads(out)[0]["created_at"],
        }
    ]
    code, out, _ = office_cmd(capsys, config, "kiosk", "revoke", "kiosk-07")
    assert code == 0
    code, out, _ = office_cmd(capsys, config, "audit", "verify")
    assert code == 0 and "intact: 4 entries" in out

    # someone edits the trail behind the office's back: verify says where
    conn = sqlite3.connect(db)
    conn.execute("DROP TRIGGER audit_log_no_update")
    conn.execute("UPDATE audit_log SET actor = 'admin:mallory' WHERE seq = 2")
    conn.commit()
    conn.close()
    code, out, _ = office_cmd(capsys, config, "audit", "verify")
    assert code == 1 and "BROKEN" in out and "entry 2" in out and "edited" in out
    code, out, _ = office_cmd(capsys, config, "audit", "verify", "--json")
    report = json.loads(out)
    assert code == 1 and report["breaks"][0]["seq"] == 2


def test_jpki_office_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert office_cli(["--config", str(tmp_path / "missing.toml"), "audit", "verify"]) == 2
    assert "cannot read" in capsys.readouterr().err
    bad = tmp_path / "bad.toml"
    bad.write_text("[limits]\nkiosk_rate = -1\n")
    assert office_cli(["--config", str(bad), "audit", "verify"]) == 2
    assert "kiosk_rate" in capsys.readouterr().err
    plain = tmp_path / "plain.toml"
    plain.write_text('[service]\nlisten = "0.0.0.0"\n[database]\nurl = "x.sqlite3"\n')
    assert office_cli(["--config", str(plain), "serve", "--no-tls"]) == 2
    assert "loopback address only" in capsys.readouterr().err
