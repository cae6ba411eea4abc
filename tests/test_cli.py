"""The ``jpki`` command line against the built-in mock card.

The main flows run ``python -m jpki`` as a real subprocess (state file shared
through ``JPKI_MOCK_STATE``, so PIN counters persist across invocations); the
finer cases call :func:`jpki.cli.main` in-process. Every test that hands a PIN
to the CLI checks that the PIN appears nowhere in its output.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from jpki import NoReader, ReaderUnavailable, cli
from jpki import readers as jpki_readers
from jpki.cli import common
from mock_card import MockCard, load_card, save_card

REPO = Path(__file__).resolve().parent.parent

# Distinctive PINs, so that "never printed" is a meaningful assertion.
AUTH_PIN = "7295"
SIGN_PIN = "QZ7XK93W"
TEXT_PIN = "8316"
WRONG_TEXT_PIN = "4061"

MUNICIPAL = "municipal office"
PIN_ENV_VARS = ("JPKI_AUTH_PIN", "JPKI_SIGN_PIN", "JPKI_TEXT_PIN", "JPKI_NEW_PIN")


def new_card(path: Path) -> Path:
    save_card(MockCard(auth_pin=AUTH_PIN, sign_pin=SIGN_PIN, text_pin=TEXT_PIN), path)
    return path


def tries(state: Path) -> dict[str, int]:
    card = load_card(state)
    return {name: card.pin_tries_left(name) for name in ("auth", "sign", "text")}


def set_tries(state: Path, name: str, left: int) -> None:
    card = load_card(state)
    card.pins[name].tries_left = left
    save_card(card, state)


@dataclass
class Result:
    code: int
    out: str
    err: str

    def assert_no_pin(self, *pins: str) -> None:
        for pin in pins:
            as_hex = pin.encode("ascii").hex(" ").upper()
            for stream in (self.out, self.err):
                assert pin not in stream
                assert pin.lower() not in stream
                assert as_hex not in stream


def run(
    state: Path, *args: str, env: dict[str, str] | None = None, reader: str | None = "mock"
) -> Result:
    """``python -m jpki ARGS`` in a subprocess, stdin not a terminal."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("JPKI_")}
    environ.update(PYTHONPATH=str(REPO), PYTHONIOENCODING="utf-8", JPKI_MOCK_STATE=str(state))
    if reader is not None:
        environ["JPKI_READER"] = reader
    environ.update(env or {})
    proc = subprocess.run(
        [sys.executable, "-m", "jpki", *args],
        env=environ,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=30,
        check=False,
    )
    return Result(proc.returncode, proc.stdout.decode("utf-8"), proc.stderr.decode("utf-8"))


@pytest.fixture(scope="module")
def shared_state(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One card for the tests that spend no try (a right PIN leaves the counters full)."""
    return new_card(tmp_path_factory.mktemp("shared") / "card.json")


@pytest.fixture
def state(tmp_path: Path) -> Path:
    """A card of this test's own, for the tests that spend tries or change PINs."""
    return new_card(tmp_path / "card.json")


@pytest.fixture(scope="module")
def shared_card(shared_state: Path) -> MockCard:
    return load_card(shared_state)


class InProcess:
    """``jpki.cli.main`` in this process, with the environment and terminal under control."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
        self.monkeypatch = monkeypatch
        self.capsys = capsys
        self.prompts: list[str] = []
        self.answers: list[str] = []
        for name in PIN_ENV_VARS:
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("JPKI_READER", "mock")
        self.tty(False)
        monkeypatch.setattr(common.getpass, "getpass", self._getpass)

    def tty(self, stdin: bool, stdout: bool = False) -> None:
        self.monkeypatch.setattr(common, "stdin_is_tty", lambda: stdin)
        self.monkeypatch.setattr(common, "stdout_is_tty", lambda: stdout)

    def _getpass(self, prompt: str = "Password: ", stream: object = None) -> str:
        self.prompts.append(prompt)
        if not self.answers:
            raise AssertionError(f"unexpected prompt {prompt!r}")
        return self.answers.pop(0)

    def __call__(self, state: Path, *args: str, **env: str) -> Result:
        self.monkeypatch.setenv("JPKI_MOCK_STATE", str(state))
        for name, value in env.items():
            self.monkeypatch.setenv(name, value)
        self.capsys.readouterr()
        code = cli.main(list(args))
        captured = self.capsys.readouterr()
        self.left_in_environment = {name for name in env if name in os.environ}
        for name in env:
            self.monkeypatch.delenv(name, raising=False)
        return Result(code, captured.out, captured.err)


@pytest.fixture
def jpki(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> InProcess:
    return InProcess(monkeypatch, capsys)


@pytest.fixture
def fake_pcsc(monkeypatch: pytest.MonkeyPatch) -> Callable[[list[str] | Exception], None]:
    """Replace the PC/SC reader list (the machine may or may not run pcscd)."""

    def install(answer: list[str] | Exception) -> None:
        def list_readers() -> list[str]:
            if isinstance(answer, Exception):
                raise answer
            return list(answer)

        monkeypatch.setattr(jpki_readers, "list_readers", list_readers)

    return install


def single_error_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.startswith("jpki: error: ")]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


# -- status, certificates, PIN status: subprocesses ------------------------------------------------


def test_status_names_a_juki_card_in_both_languages(tmp_path: Path) -> None:
    from mock_card.profiles import make_card

    state = tmp_path / "juki.json"
    save_card(make_card("juki"), state)
    r = run(state, "status")
    assert "JPKIAPICCTOKEN — Juki card (住基カード), not a My Number card" in r.out, r.err
    assert "please use your My Number card" in r.out
    assert "住基カードの電子証明書は発行が終了" in r.out
    data = json.loads(run(state, "status", "--json").out)
    assert data["token"]["kind"] == "juki-card" and data["token"]["label"] == "JPKIAPICCTOKEN"
    assert data["token"]["model"] == "" and len(data["token"]["serial"]) == 16


def test_status_of_a_smartphone_token_says_which_pin_its_certificate_needs(
    tmp_path: Path,
) -> None:
    from mock_card.profiles import make_card

    state = tmp_path / "phone.json"
    save_card(make_card("smartphone-ios"), state)
    r = run(state, "status")
    assert r.code == 0, r.err
    assert "JPKIAPIOSTOKEN — smartphone JPKI (iPhone)" in r.out
    assert (
        "auth     (this token needs the user-authentication PIN (利用者証明用) to read it)" in r.out
    )
    assert "ERROR" not in r.out
    assert "text  -    text-AP PIN (券面事項入力補助用)  — this card has no text AP" in r.out
    data = json.loads(run(state, "status", "--json").out)
    assert data["pins"]["text"]["tries_left"] is None
    assert data["pins"]["auth"]["tries_left"] == 3
    assert data["certificates"]["auth"] == {
        "error": "reading the user-authentication certificate needs the "
        "user-authentication PIN (利用者証明用); verify it first"
    }


def test_status_text_and_json(shared_state: Path, shared_card: MockCard) -> None:
    creds = shared_card.credentials
    r = run(shared_state, "status")
    assert r.code == 0, r.err
    assert "reader:  mock" in r.out
    assert "JPKIAPICCTOKEN2 — My Number card" in r.out
    assert "model E16R01NJ, serial " in r.out
    assert "auth  3/3" in r.out and "sign  5/5" in r.out and "text  3/3" in r.out
    assert creds.auth_cert.subject.rfc4514_string() in r.out
    assert creds.sign_ca_cert.subject.rfc4514_string() in r.out
    assert creds.sign_cert.subject.rfc4514_string() not in r.out  # needs the PIN
    assert r.err == ""

    r = run(shared_state, "status", "--json")
    assert r.code == 0, r.err
    data = json.loads(r.out)
    assert set(data) == {"reader", "card_present", "token", "pins", "certificates"}
    assert data["reader"] == "mock"
    assert data["card_present"] is True
    assert data["token"] == {
        "label": "JPKIAPICCTOKEN2",
        "kind": "my-number-card",
        "description": "My Number card",
        "manufacturer": "0" * 31 + "1",
        "model": "E16R01NJ",
        "serial": f"{creds.auth_cert.serial_number % 10**16:016d}",
    }
    assert set(data["pins"]) == {"auth", "sign", "text"}
    assert data["pins"]["sign"] == {
        "label": "signature PIN (署名用)",
        "tries_left": 5,
        "max_tries": 5,
        "blocked": False,
    }
    assert set(data["certificates"]) == {"auth", "auth-ca", "sign-ca"}
    for name, cert in [("auth", creds.auth_cert), ("auth-ca", creds.auth_ca_cert)]:
        entry = data["certificates"][name]
        assert set(entry) == {"subject", "not_before", "not_after", "validity"}
        assert entry["subject"] == cert.subject.rfc4514_string()
        assert entry["validity"] == "valid"
        assert entry["not_after"].endswith("+09:00")
        assert datetime.fromisoformat(entry["not_after"]) == cert.not_valid_after_utc
    assert "署名用" in r.out  # UTF-8, not \\u escapes


def test_cert_show_pem_equals_the_cards(shared_state: Path, shared_card: MockCard) -> None:
    r = run(shared_state, "cert", "show", "auth")
    assert r.code == 0, r.err
    cert = x509.load_pem_x509_certificate(r.out.encode("ascii"))
    assert cert == shared_card.credentials.auth_cert
    assert cert.public_bytes(Encoding.DER) == shared_card.credentials.auth_cert.public_bytes(
        Encoding.DER
    )


def test_cert_show_der_to_file(shared_state: Path, shared_card: MockCard, tmp_path: Path) -> None:
    out = tmp_path / "sign-ca.der"
    r = run(shared_state, "cert", "show", "sign-ca", "--der", "-o", str(out))
    assert r.code == 0, r.err
    assert r.out == ""
    assert out.read_bytes() == shared_card.credentials.sign_ca_cert.public_bytes(Encoding.DER)


def test_cert_show_sign_needs_the_pin(shared_state: Path, shared_card: MockCard) -> None:
    # lower case is accepted and upper-cased for the signature PIN
    r = run(shared_state, "cert", "show", "sign", env={"JPKI_SIGN_PIN": SIGN_PIN.lower()})
    assert r.code == 0, r.err
    assert x509.load_pem_x509_certificate(r.out.encode()) == shared_card.credentials.sign_cert
    assert "signature PIN (署名用): 5 tries left" in r.err
    r.assert_no_pin(SIGN_PIN)
    assert tries(shared_state)["sign"] == 5


def test_pin_status(shared_state: Path) -> None:
    r = run(shared_state, "pin", "status")
    assert r.code == 0, r.err
    assert "auth  3/3  user-authentication PIN (利用者証明用)" in r.out
    assert "sign  5/5  signature PIN (署名用)" in r.out
    assert "text  3/3  text-AP PIN (券面事項入力補助用)" in r.out

    r = run(shared_state, "pin", "status", "--json")
    assert r.code == 0, r.err
    data = json.loads(r.out)
    assert set(data) == {"reader", "pins"}
    assert {k: v["tries_left"] for k, v in data["pins"].items()} == {
        "auth": 3,
        "sign": 5,
        "text": 3,
    }
    assert all(
        set(v) == {"label", "tries_left", "max_tries", "blocked"} for v in data["pins"].values()
    )


def test_text_basic(shared_state: Path) -> None:
    r = run(shared_state, "text", "basic", env={"JPKI_TEXT_PIN": TEXT_PIN})
    assert r.code == 0, r.err
    assert "name:        見本 花子" in r.out
    assert "address:     架空県見本市試験町一丁目2番3号" in r.out
    assert "birth date:  1990-04-01" in r.out
    assert "sex:         female (2)" in r.out
    assert "text-AP PIN (券面事項入力補助用): 3 tries left" in r.err
    r.assert_no_pin(TEXT_PIN)

    r = run(shared_state, "text", "basic", "--json", env={"JPKI_TEXT_PIN": TEXT_PIN})
    assert r.code == 0, r.err
    assert "見本 花子" in r.out  # ensure_ascii=False
    assert json.loads(r.out) == {
        "name": "見本 花子",
        "address": "架空県見本市試験町一丁目2番3号",
        "birth_date": "1990-04-01",
        "sex": "2",
        "sex_label": "female",
    }
    r.assert_no_pin(TEXT_PIN)


def test_apdu_trace_redacts_the_pin(shared_state: Path) -> None:
    r = run(shared_state, "-vv", "text", "basic", env={"JPKI_TEXT_PIN": TEXT_PIN})
    assert r.code == 0, r.err
    assert "apdu > 00 20 00 80 *" in r.err  # the VERIFY, its data redacted
    assert "apdu < 9000" in r.err
    r.assert_no_pin(TEXT_PIN)


# -- PIN tries: subprocesses, counters persisting across invocations ----------------------------------


def test_wrong_pin_spends_a_try(state: Path) -> None:
    r = run(state, "text", "basic", env={"JPKI_TEXT_PIN": WRONG_TEXT_PIN})
    assert r.code == 1
    assert "3 tries left" in r.err
    assert "wrong text-AP PIN (券面事項入力補助用): 2 tries left" in single_error_line(r.err)
    assert r.out == ""
    r.assert_no_pin(WRONG_TEXT_PIN, TEXT_PIN)

    r = run(state, "pin", "status", "--json")
    assert r.code == 0, r.err
    assert {k: v["tries_left"] for k, v in json.loads(r.out)["pins"].items()} == {
        "auth": 3,
        "sign": 5,
        "text": 2,
    }


def test_last_try_warning(state: Path) -> None:
    set_tries(state, "text", 1)
    r = run(state, "text", "basic", env={"JPKI_TEXT_PIN": TEXT_PIN})
    assert r.code == 0, r.err
    assert "1 try left" in r.err
    assert "last try: a wrong PIN now blocks it" in r.err
    r.assert_no_pin(TEXT_PIN)
    assert tries(state)["text"] == 3  # a right PIN resets the counter

    set_tries(state, "text", 1)
    r = run(state, "text", "basic", env={"JPKI_TEXT_PIN": WRONG_TEXT_PIN})
    assert r.code == 1
    assert "last try: a wrong PIN now blocks it" in r.err
    line = single_error_line(r.err)
    assert "now blocked" in line and MUNICIPAL in line
    r.assert_no_pin(WRONG_TEXT_PIN, TEXT_PIN)
    assert tries(state)["text"] == 0


def test_blocked_pin_is_not_asked_for(state: Path) -> None:
    card = load_card(state)
    card.block_pin("sign")
    r = run(state, "cert", "show", "sign", env={"JPKI_SIGN_PIN": SIGN_PIN})
    assert r.code == 1
    line = single_error_line(r.err)
    assert "signature PIN (署名用) is blocked" in line and MUNICIPAL in line
    assert "tries left" not in r.err
    assert r.out == ""
    r.assert_no_pin(SIGN_PIN)
    # with no PIN source at all, "blocked" still wins over "no PIN"
    r = run(state, "cert", "show", "sign")
    assert r.code == 1
    assert MUNICIPAL in single_error_line(r.err)

    r = run(state, "pin", "status")
    assert "sign  0/5" in r.out and "BLOCKED" in r.out


def test_malformed_pin_is_never_sent(state: Path) -> None:
    before = tries(state)
    r = run(state, "text", "basic", env={"JPKI_TEXT_PIN": "12a4"})
    assert r.code == 2
    assert "exactly 4 digits" in single_error_line(r.err)
    r.assert_no_pin("12a4")
    r = run(state, "cert", "show", "sign", env={"JPKI_SIGN_PIN": "ABCDEF"})  # no digit
    assert r.code == 2
    assert "at least one of each" in single_error_line(r.err)
    r.assert_no_pin("ABCDEF")
    assert tries(state) == before


def test_pin_change(state: Path) -> None:
    new = "5027"
    r = run(state, "pin", "change", "text", env={"JPKI_TEXT_PIN": TEXT_PIN, "JPKI_NEW_PIN": new})
    assert r.code == 0, r.err
    assert "has been changed" in r.out
    assert "3 tries left" in r.err
    r.assert_no_pin(TEXT_PIN, new)

    r = run(state, "text", "basic", env={"JPKI_TEXT_PIN": TEXT_PIN})
    assert r.code == 1
    assert "2 tries left" in single_error_line(r.err)
    r.assert_no_pin(TEXT_PIN, new)

    r = run(state, "text", "basic", env={"JPKI_TEXT_PIN": new})
    assert r.code == 0, r.err
    assert "見本 花子" in r.out
    r.assert_no_pin(TEXT_PIN, new)


def test_no_pin_source_without_a_terminal(state: Path) -> None:
    r = run(state, "text", "basic")
    assert r.code == 2
    line = single_error_line(r.err)
    assert "stdin is not a terminal" in line and "JPKI_TEXT_PIN" in line
    r = run(state, "pin", "change", "auth", env={"JPKI_AUTH_PIN": AUTH_PIN})
    assert r.code == 2
    assert "JPKI_NEW_PIN" in single_error_line(r.err)
    r.assert_no_pin(AUTH_PIN)
    assert tries(state) == {"auth": 3, "sign": 5, "text": 3}


# -- readers and usage: subprocesses ---------------------------------------------------------------


def test_unknown_reader(shared_state: Path) -> None:
    r = run(shared_state, "--reader", "no-such-reader-xyz", "status")
    assert r.code == 3
    single_error_line(r.err)  # "no reader matches", or PC/SC unavailable on this machine
    assert r.out == ""


def test_reader_from_env_and_option(shared_state: Path) -> None:
    r = run(shared_state, "pin", "status", reader=None, env={"JPKI_READER": "no-such-reader-xyz"})
    assert r.code == 3
    r = run(shared_state, "pin", "status", "--reader", "mock", env={"JPKI_READER": "no-such-xyz"})
    assert r.code == 0, r.err  # the option wins over the environment
    r = run(shared_state, "--reader", "mock", "pin", "status", reader=None)
    assert r.code == 0, r.err


def test_usage_errors_exit_2(shared_state: Path) -> None:
    r = run(shared_state, "cert", "show", "nonsense")
    assert r.code == 2
    assert "invalid choice" in r.err
    r = run(shared_state, "pin", "change", "auth", AUTH_PIN)  # a PIN is no argument
    assert r.code == 2
    assert "never read from the command line" in r.err
    r.assert_no_pin(AUTH_PIN)


# -- in-process: the finer cases ----------------------------------------------------------------------


def test_version_and_help(jpki: InProcess, shared_state: Path) -> None:
    r = jpki(shared_state, "--version")
    assert r.code == 0
    assert r.out.startswith("jpki ")
    r = jpki(shared_state, "--help")
    assert r.code == 0
    for word in ("readers", "status", "cert", "pin", "text", "JPKI_SIGN_PIN", "exit codes"):
        assert word in r.out


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["cert"],
        ["cert", "show"],
        ["cert", "show", "auth", "--pem", "--der"],
        ["pin", "change"],
        ["text", "mynumber"],
        ["status", "--bogus"],
    ],
)
def test_bad_usage(jpki: InProcess, shared_state: Path, args: list[str]) -> None:
    r = jpki(shared_state, *args)
    assert r.code == 2
    assert "usage:" in r.err


def test_pin_like_arguments_are_not_echoed(jpki: InProcess, shared_state: Path) -> None:
    for args in (
        ["pin", "change", "1234"],
        ["text", "basic", "8316"],
        ["pin", "change", "a1b2c3d"],
    ):
        r = jpki(shared_state, *args)
        assert r.code == 2
        assert args[-1] not in r.err and "****" in r.err


def test_json_goes_with_text_only(jpki: InProcess, shared_state: Path) -> None:
    r = jpki(shared_state, "cert", "show", "auth", "--pem", "--json")
    assert r.code == 2
    assert "--json" in single_error_line(r.err)


def test_cert_show_text_and_json(
    jpki: InProcess, shared_state: Path, shared_card: MockCard
) -> None:
    cert = shared_card.credentials.auth_cert
    r = jpki(shared_state, "cert", "show", "auth", "--text")
    assert r.code == 0, r.err
    assert f"subject:     {cert.subject.rfc4514_string()}" in r.out
    assert f"issuer:      {cert.issuer.rfc4514_string()}" in r.out
    assert f"({cert.serial_number})" in r.out
    assert "key usage:   digitalSignature (critical)" in r.out
    assert "not after:   " in r.out and "JST" in r.out

    r = jpki(shared_state, "cert", "show", "auth-ca", "--json")  # --json implies --text
    assert r.code == 0, r.err
    data = json.loads(r.out)
    ca = shared_card.credentials.auth_ca_cert
    assert set(data) == {
        "subject",
        "issuer",
        "serial",
        "not_before",
        "not_after",
        "validity",
        "key_usage",
        "key_usage_critical",
        "sha256_fingerprint",
    }
    assert int(data["serial"], 16) == ca.serial_number
    assert data["issuer"] == ca.issuer.rfc4514_string()
    assert set(data["key_usage"]) == {"keyCertSign", "cRLSign"}

    r = jpki(shared_state, "cert", "show", "sign", "--text", JPKI_SIGN_PIN=SIGN_PIN)
    assert r.code == 0, r.err
    assert "digitalSignature, nonRepudiation (critical)" in r.out
    r.assert_no_pin(SIGN_PIN)


def test_cert_show_pem_to_file_and_der_refused_on_a_terminal(
    jpki: InProcess, shared_state: Path, shared_card: MockCard, tmp_path: Path
) -> None:
    out = tmp_path / "auth-ca.pem"
    r = jpki(shared_state, "cert", "show", "auth-ca", "-o", str(out))
    assert r.code == 0, r.err
    assert x509.load_pem_x509_certificate(out.read_bytes()) == shared_card.credentials.auth_ca_cert

    jpki.tty(stdin=True, stdout=True)
    r = jpki(shared_state, "cert", "show", "auth", "--der")
    assert r.code == 2
    assert "terminal" in single_error_line(r.err)
    assert r.out == ""

    r = jpki(shared_state, "cert", "show", "auth", "--der", "-o", str(tmp_path / "nodir" / "x.der"))
    assert r.code == 2  # told before the card is touched
    assert "does not exist" in single_error_line(r.err)


def test_an_output_file_is_written_whole_and_never_through_a_link(
    jpki: InProcess, shared_state: Path, shared_card: MockCard, tmp_path: Path
) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me", encoding="utf-8")
    link = tmp_path / "auth.pem"
    link.symlink_to(victim)
    r = jpki(shared_state, "cert", "show", "auth", "-o", str(link))
    assert r.code == 2 and "symbolic link" in single_error_line(r.err) and "--force" in r.err
    assert link.is_symlink() and victim.read_text(encoding="utf-8") == "keep me"
    r = jpki(shared_state, "cert", "show", "auth", "-o", str(link), "--force")
    assert r.code == 0, r.err
    assert victim.read_text(encoding="utf-8") == "keep me"  # the link was replaced
    assert not link.is_symlink()
    assert x509.load_pem_x509_certificate(link.read_bytes()) == shared_card.credentials.auth_cert
    assert sorted(p.name for p in tmp_path.iterdir()) == ["auth.pem", "victim.txt"]  # no temp


def test_write_output_private_files_and_devices(tmp_path: Path) -> None:
    private = tmp_path / "export.json"
    common.write_output("個人情報\n", str(private), private=True)
    assert private.read_text(encoding="utf-8") == "個人情報\n"
    assert private.stat().st_mode & 0o777 == 0o600
    common.write_output(b"x", os.devnull)  # a device is written to as it is
    assert Path(os.devnull).is_char_device()
    with pytest.raises(common.UsageError, match="does not exist"):
        common.write_output(b"x", str(tmp_path / "no" / "such" / "dir"))


class _Result:
    """Anything with ``as_dict()`` and ``sentence()`` prints: the report knows no result
    class."""

    def __init__(self, **entry: object) -> None:
        self.entry = entry

    def as_dict(self) -> dict[str, object]:
        return dict(self.entry)

    def sentence(self) -> str:
        entry = self.entry
        ok = entry.get("valid", entry.get("authenticated"))
        word = "authenticated" if "authenticated" in entry else "valid"
        where = f" ({entry['field']})" if entry.get("field") else ""
        if ok:
            return f"{word}{where}: {entry['message']}"
        return f"not {word}{where}: {entry['reason']}: {entry['message']}"


def _signature(valid: bool, serial: str = "ABC") -> _Result:
    return _Result(
        field="Sig1",
        valid=valid,
        reason=None if valid else "revoked",
        message="all good" if valid else "the certificate was revoked",
        level="PAdES B-B",
        signing_time="2026-04-01T10:15:30+09:00",
        signer={"name": "見本 花子"},
        certificate={"subject": "CN=x", "serial": serial, "issuer_generation": "G2"},
        revocation="not revoked (CRL 2026-04-01)",
        revocation_checked=True,
        checks={"signature": "ok", "revocation": "ok" if valid else "failed: revoked"},
    )


def test_one_report_prints_every_kind_of_verification_result(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from jpki.cli.verdicts import report

    assert report("pdf", [_signature(True), _signature(False)], as_json=True) == 1
    out, err = capsys.readouterr()
    data = json.loads(out)
    assert data["kind"] == "pdf" and data["valid"] is False
    assert data["signatures"][0]["certificate"]["serial"] == "ABC"  # as the result gives it
    assert data["signatures"][1]["checks"] == {"signature": "ok", "revocation": "failed: revoked"}
    assert err == "jpki: error: not valid (Sig1): revoked: the certificate was revoked\n"

    assert report("cms", [_signature(True, "AB")], as_json=False) == 0
    out, err = capsys.readouterr()
    assert "result:         VALID\n" in out and "signed by:      見本 花子\n" in out
    assert "certificate:    serial AB, issuer generation G2\n" in out
    assert "signing time:   2026-04-01 10:15:30 JST\n" in out
    assert "revocation:     checked: not revoked" in out and err == ""

    assert report("pdf", [], as_json=False) == 1
    out, err = capsys.readouterr()
    assert "not signed" in out and "has no signatures" in err

    refused = _Result(
        authenticated=False,
        reason="untrusted",
        message="no trusted root",
        certificate={
            "subject": "CN=auth",
            "serial": "1F",
            "issuer": "CN=ca",
            "issuer_generation": None,
            "not_after": "2030-01-01T00:00:00+09:00",
        },
        revocation=None,
        revocation_checked=False,
        checks={"chain": "failed"},
        checked_at="2026-04-01T10:15:30+09:00",
    )
    assert report("authentication", [refused], as_json=False) == 1
    out, err = capsys.readouterr()
    assert "result:            REFUSED (untrusted)\n" in out
    assert "issuer generation: -\n" in out and "revocation:        not checked\n" in out
    assert err == "jpki: error: not authenticated: untrusted: no trusted root\n"
    assert report("authentication", [refused], as_json=True) == 1
    assert json.loads(capsys.readouterr().out) == refused.as_dict()


def test_interactive_prompt(jpki: InProcess, shared_state: Path) -> None:
    jpki.tty(stdin=True)
    jpki.answers = [TEXT_PIN]
    r = jpki(shared_state, "text", "basic")
    assert r.code == 0, r.err
    assert jpki.prompts == ["text-AP PIN (券面事項入力補助用): "]
    assert "3 tries left" in r.err
    r.assert_no_pin(TEXT_PIN)


def test_interactive_malformed_pin_is_not_sent(jpki: InProcess, state: Path) -> None:
    jpki.tty(stdin=True)
    jpki.answers = ["12345"]
    r = jpki(state, "text", "basic")
    assert r.code == 2
    assert "exactly 4 digits" in single_error_line(r.err)
    r.assert_no_pin("12345")
    assert tries(state)["text"] == 3


def test_blocked_pin_no_prompt_on_a_terminal(jpki: InProcess, state: Path) -> None:
    load_card(state).block_pin("text")
    jpki.tty(stdin=True)  # the prompt would raise: jpki.answers is empty
    r = jpki(state, "text", "basic")
    assert r.code == 1
    assert MUNICIPAL in single_error_line(r.err)
    assert jpki.prompts == []
    r = jpki(state, "pin", "change", "text")
    assert r.code == 1
    assert MUNICIPAL in single_error_line(r.err)
    assert jpki.prompts == []


def test_interactive_pin_change(jpki: InProcess, state: Path) -> None:
    jpki.tty(stdin=True)
    # new PINs that do not match: nothing is sent
    jpki.answers = [AUTH_PIN, "1357", "1358"]
    r = jpki(state, "pin", "change", "auth")
    assert r.code == 2
    assert "entries differ" in single_error_line(r.err)
    assert tries(state)["auth"] == 3

    jpki.prompts.clear()
    jpki.answers = [AUTH_PIN, "1357", "1357"]
    r = jpki(state, "pin", "change", "auth")
    assert r.code == 0, r.err
    assert jpki.prompts == [
        "current user-authentication PIN (利用者証明用): ",
        "new user-authentication PIN (利用者証明用): ",
        "new user-authentication PIN (利用者証明用) again: ",
    ]
    r.assert_no_pin(AUTH_PIN, "1357")

    # the old PIN now fails, the new one works
    jpki.tty(stdin=False)
    r = jpki(state, "pin", "change", "auth", JPKI_AUTH_PIN=AUTH_PIN, JPKI_NEW_PIN="2468")
    assert r.code == 1
    assert "2 tries left" in single_error_line(r.err)
    r = jpki(state, "pin", "change", "auth", JPKI_AUTH_PIN="1357", JPKI_NEW_PIN="2468")
    assert r.code == 0, r.err
    assert tries(state)["auth"] == 3


def test_sign_pin_change_upper_cases(jpki: InProcess, state: Path, shared_card: MockCard) -> None:
    r = jpki(state, "pin", "change", "sign", JPKI_SIGN_PIN=SIGN_PIN, JPKI_NEW_PIN="newpin42")
    assert r.code == 0, r.err
    r = jpki(state, "cert", "show", "sign", "--text", JPKI_SIGN_PIN="NEWPIN42")
    assert r.code == 0, r.err
    r.assert_no_pin(SIGN_PIN, "NEWPIN42")
    r = jpki(state, "pin", "change", "sign", JPKI_SIGN_PIN="NEWPIN42", JPKI_NEW_PIN="short")
    assert r.code == 2
    assert "JPKI_NEW_PIN" in single_error_line(r.err)


def test_readers(jpki: InProcess, shared_state: Path, fake_pcsc: Callable[..., None]) -> None:
    fake_pcsc(["ACS ACR39U ICC Reader 00 00", "SONY FeliCa Port/PaSoRi 00 00"])
    r = jpki(shared_state, "readers")
    assert r.code == 0, r.err
    assert "  ACS ACR39U ICC Reader 00 00\n" in r.out
    assert "built-in mock card: 'mock'" in r.out
    r = jpki(shared_state, "readers", "--json")
    data = json.loads(r.out)
    assert data == {
        "pcsc": {
            "available": True,
            "readers": ["ACS ACR39U ICC Reader 00 00", "SONY FeliCa Port/PaSoRi 00 00"],
            "error": None,
        },
        "mock": {
            "name": "mock",
            "description": "built-in mock card",
            "state_file": str(shared_state),
        },
    }

    fake_pcsc(ReaderUnavailable("the PC/SC service (pcscd) is not running"))
    r = jpki(shared_state, "readers", "--json")
    assert r.code == 3
    assert json.loads(r.out)["pcsc"]["available"] is False
    assert "pcscd" in single_error_line(r.err)


def test_reader_substring_match(
    jpki: InProcess, shared_state: Path, fake_pcsc: Callable[..., None]
) -> None:
    fake_pcsc(["ACS ACR39U ICC Reader 00 00"])
    r = jpki(shared_state, "--reader", "felica", "status")
    assert r.code == 3
    assert "no reader matches 'felica'" in single_error_line(r.err)
    fake_pcsc([])
    r = jpki(shared_state, "status", "--reader", "acs")
    assert r.code == 3
    assert "no card reader" in single_error_line(r.err)
    fake_pcsc(NoReader("no reader"))
    r = jpki(shared_state, "pin", "status", "--reader", "acs")
    assert r.code == 3


@pytest.fixture
def faulty_card(monkeypatch: pytest.MonkeyPatch, shared_state: Path) -> Iterator[MockCard]:
    """The reader ``mock`` hands out this card object (not persisted), faults armable."""
    from contextlib import nullcontext

    from jpki import reader_registry

    card = load_card(shared_state)
    card.state_file = None
    reader_registry.register(
        reader_registry.VirtualReader("mock", "faulty mock card", lambda: nullcontext(card))
    )
    yield card
    reader_registry.unregister("mock")


def test_card_removed_exits_3(jpki: InProcess, shared_state: Path, faulty_card: MockCard) -> None:
    faulty_card.faults.remove_after(4)
    r = jpki(shared_state, "status")
    assert r.code == 3
    assert "removed" in single_error_line(r.err)

    faulty_card.remove()
    r = jpki(shared_state, "pin", "status")
    assert r.code == 3


def test_card_refusal_exits_1(jpki: InProcess, shared_state: Path, faulty_card: MockCard) -> None:
    faulty_card.faults.status_word_at(1, 0x6A82)  # the very first SELECT: not a JPKI card
    r = jpki(shared_state, "pin", "status")
    assert r.code == 3
    assert "My Number card" in single_error_line(r.err)

    faulty_card.insert()
    faulty_card.faults.clear()
    faulty_card.faults.status_word_at(3, 0x6F00)  # SELECT AP (open), SELECT EF, READ
    r = jpki(shared_state, "cert", "show", "auth")
    assert r.code == 1
    assert "refused" in single_error_line(r.err)


def test_verbose_shows_the_traceback(
    jpki: InProcess, shared_state: Path, faulty_card: MockCard
) -> None:
    faulty_card.remove()
    r = jpki(shared_state, "-v", "status")
    assert r.code == 3
    assert "Traceback" in r.err
    assert r.err.rstrip().splitlines()[-1].startswith("jpki: error: ")
    r = jpki(shared_state, "status")
    assert "Traceback" not in r.err


def test_damaged_mock_state(jpki: InProcess, tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    r = jpki(broken, "status")
    assert r.code == 3
    assert "mock card" in single_error_line(r.err)


def test_the_readme_documents_every_environment_variable() -> None:
    """Every ``JPKI_*`` variable the tree reads is in the README's table (and only those)."""
    import re

    files = subprocess.run(
        ["git", "ls-files", "*.py", "*.sh"], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.split()
    text = "\n".join((REPO / f).read_text(encoding="utf-8") for f in files)
    quoted = set(re.findall(r"[\"'$]{1}(JPKI_[A-Z][A-Z_]*[A-Z])", text))
    constants = {n for n in quoted if re.search(rf"^\s*{n}\s*[:=]", text, flags=re.M)}
    variables = quoted - constants  # JPKI_AID is a constant, not a variable
    assert {"JPKI_READER", "JPKI_SIGN_PIN", "JPKI_LEDGER_URL"} <= variables
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    table = readme.split("### Environment variables", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"^\| `(JPKI_[A-Z_]+)` \|", table, flags=re.M))
    assert documented == variables
