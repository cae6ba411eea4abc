"""``jpki-mock-card`` (``python -m mock_card``) as a user runs it: in subprocesses."""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import signal
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509

from mock_card import load_card
from mock_card.cli import main, parse_endpoint

REPO = Path(__file__).resolve().parent.parent
TIMEOUT = 30
SELECT_JPKI = bytes.fromhex("00A4040C0AD392F000260100000001")
SELECT_AUTH_PIN = bytes.fromhex("00A4020C020018")
WRONG_AUTH_PIN = bytes.fromhex("0020008004") + b"9999"
SELECT_TEXT = bytes.fromhex("00A4040C0AD3921000310001010408")
SELECT_TEXT_PIN = bytes.fromhex("00A4020C020011")
PIN_STATUS = bytes.fromhex("00200080")
ATR_2017 = bytes.fromhex("3BDA13FF8131FB468012392F31C173C601C03B")
DEMO_PINS = ("1234", "ABCD1234")


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "JPKI_MOCK_STATE"}
    env["PYTHONPATH"] = str(REPO)
    env.update(extra)
    return env


def cli_argv(*args: str | Path | int) -> list[str]:
    return [sys.executable, "-m", "mock_card", *map(str, args)]


def run(*args: str | Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        cli_argv(*args),
        capture_output=True,
        text=True,
        env=env or _env(),
        timeout=TIMEOUT,
        check=False,
    )


def ok(*args: str | Path) -> str:
    result = run(*args)
    assert result.returncode == 0, result.stderr
    return result.stdout


def inproc(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    """``main()`` in this process: for the cheap checks (a subprocess costs ~0.3 s)."""
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def fresh_copy(demo_state: Path, tmp_path: Path) -> Path:
    """A private copy of the demo card (saves a ``reset`` subprocess)."""
    state = tmp_path / "card.json"
    shutil.copy2(demo_state, state)
    return state


def show(state: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(ok("--state", state, "show", "--json"))
    return data


def assert_one_line_error(result: subprocess.CompletedProcess[str], code: int) -> str:
    assert result.returncode == code, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("jpki-mock-card: error: ")
    return lines[0]


def assert_one_line_inproc(result: tuple[int, str, str], code: int) -> str:
    assert result[0] == code, result
    lines = result[2].strip().splitlines()
    assert len(lines) == 1, result[2]
    assert lines[0].startswith("jpki-mock-card: error: ")
    return lines[0]


@pytest.fixture(scope="module")
def demo_state(tmp_path_factory: pytest.TempPathFactory) -> Path:
    state = tmp_path_factory.mktemp("demo") / "card.json"
    out = ok("--state", state, "reset")
    assert str(state) in out
    return state


# -- reset and show --------------------------------------------------------------


def test_reset_writes_the_demo_card(demo_state: Path) -> None:
    info = show(demo_state)
    assert info["holder"] == {
        "name": "見本 花子",
        "address": "架空県見本市試験町一丁目2番3号",
        "birth_date": "1990-04-01",
        "sex": "2",
        "sex_label": "female",
    }
    assert info["profile"] == "valid"
    assert info["pins"] == {
        "auth": {"tries_left": 3, "max_tries": 3, "blocked": False},
        "sign": {"tries_left": 5, "max_tries": 5, "blocked": False},
        "text": {"tries_left": 3, "max_tries": 3, "blocked": False},
    }
    assert info["options"]["token_label"] == "JPKIAPICCTOKEN2"
    # the ATR listed since 2017 by default, not the 住基カード's (docs/card.md)
    assert info["options"]["atr"] == "3B DA 13 FF 81 31 FB 46 80 12 39 2F 31 C1 73 C6 01 C0 3B"
    for kind in ("auth", "sign"):
        cert = info["certificates"][kind]
        assert cert["status"] == "valid"
        assert f"{cert['serial']:X}" == cert["serial_hex"]
        assert "O=JPKI-MOCK" in cert["issuer"]


@pytest.mark.parametrize(
    ("atr", "expected"),
    [
        ("c5", "3B C5 FF 81 31 FB 45 80 73 C6 01 00 00"),
        ("contactless", "3B 88 80 01 00 00 41 E0 B3 81 A1 00 3B"),
        ("juki", "3B E0 00 FF 81 31 FE 45 14"),
        ("old", "3B E0 00 FF 81 31 FE 45 14"),  # the option's older names still work
        ("new", "3B DA 13 FF 81 31 FB 46 80 12 39 2F 31 C1 73 C6 01 C0 3B"),
    ],
)
def test_reset_takes_any_listed_atr_by_name(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, atr: str, expected: str
) -> None:
    state = tmp_path / "card.json"
    assert inproc(capsys, "--state", state, "reset", "--atr", atr)[0] == 0
    assert load_card(state).atr == bytes.fromhex(expected)


def test_reset_refuses_an_unknown_atr_name(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert_one_line_inproc(inproc(capsys, "--state", tmp_path / "c.json", "reset", "--atr", "x"), 2)


def test_show_text_matches_the_certificates(demo_state: Path) -> None:
    info = show(demo_state)
    text = ok("--state", demo_state, "show")
    assert "見本 花子" in text
    assert info["certificates"]["auth"]["serial_hex"] in text
    assert info["certificates"]["sign"]["serial_hex"] in text
    assert "3/3" in text and "5/5" in text
    assert "JST" in text


def test_show_reads_the_state_from_the_environment(demo_state: Path) -> None:
    result = run("show", "--json", env=_env(JPKI_MOCK_STATE=str(demo_state)))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["state"] == str(demo_state)


def test_reset_with_holder_profile_and_pins(tmp_path: Path) -> None:
    state = tmp_path / "card.json"
    out = ok(
        "--state",
        state,
        "reset",
        "--holder-name",
        "試験 太郎",
        "--address",
        "架空県架空市1-1",
        "--birth-date",
        "1980-02-29",
        "--sex",
        "1",
        "--profile",
        "expired",
        "--auth-pin",
        "4826",
        "--sign-pin",
        "zq7x5k9w",
        "--text-pin",
        "5937",
    )
    for pin in ("4826", "ZQ7X5K9W", "zq7x5k9w", "5937"):
        assert pin not in out
    info = show(state)
    assert info["holder"]["name"] == "試験 太郎"
    assert info["holder"]["sex_label"] == "male"
    assert info["profile"] == "expired"
    assert {c["status"] for c in info["certificates"].values()} == {"expired"}
    text = state.read_text(encoding="utf-8")
    for pin in ("4826", "ZQ7X5K9W", "5937"):
        assert pin not in text


def test_reset_not_yet_valid(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    state = tmp_path / "card.json"
    assert inproc(capsys, "--state", state, "reset", "--profile", "not-yet-valid")[0] == 0
    code, out, _ = inproc(capsys, "--state", state, "show", "--json")
    assert code == 0
    info = json.loads(out)
    assert {c["status"] for c in info["certificates"].values()} == {"not yet valid"}


def test_malformed_pin_is_a_usage_error_that_does_not_echo_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    state = tmp_path / "card.json"
    line = assert_one_line_error(run("--state", state, "reset", "--sign-pin", "QQQ98765QQQ!"), 2)
    assert "QQQ98765QQQ" not in line
    assert "--sign-pin" in line
    for option, pin in (
        ("--auth-pin", "98765"),
        ("--text-pin", "１２３４"),
        ("--sign-pin", "QQQQQQ"),
    ):
        result = inproc(capsys, "--state", state, "reset", option, pin)
        line = assert_one_line_inproc(result, 2)
        assert pin not in line
        assert option in line
    assert not state.exists()


def test_unknown_command_is_a_usage_error() -> None:
    assert_one_line_error(run("frobnicate"), 2)


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["reset", "--birth-date", "1990-13-01"],
        ["reset", "--birth-date", "2999-01-01"],
        ["reset", "--sex", "3"],
        ["reset", "--profile", "expired", "--birth-date", "2024-01-01"],
        ["block", "visual"],
        ["show", "--bogus"],
        ["serve", "--vpcd", "host:notaport"],
        ["serve", "--vpcd", "70000"],
    ],
)
def test_usage_errors_exit_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    assert_one_line_inproc(inproc(capsys, "--state", tmp_path / "card.json", *args), 2)


def test_damaged_state_is_a_one_line_failure(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    state = tmp_path / "card.json"
    state.write_text("{ not json", encoding="utf-8")
    line = assert_one_line_error(run("--state", state, "show"), 1)
    assert str(state) in line
    for damaged in ("[]", '{"version": 1}', '{"version": 99}'):
        state.write_text(damaged, encoding="utf-8")
        for command in ("show", "pin-reset", "serve"):
            assert_one_line_inproc(inproc(capsys, "--state", state, command), 1)
        assert state.read_text(encoding="utf-8") == damaged  # left alone


def test_help_exits_0() -> None:
    result = run("--help")
    assert result.returncode == 0
    for command in ("reset", "show", "export-ca", "serve", "pin-reset", "block"):
        assert command in result.stdout


def test_a_missing_state_gets_the_demo_card(tmp_path: Path) -> None:
    state = tmp_path / "sub" / "card.json"
    result = run("--state", state, "show", "--json")
    assert result.returncode == 0, result.stderr
    assert "created the demo card" in result.stderr
    assert json.loads(result.stdout)["holder"]["name"] == "見本 花子"
    assert state.exists()


# -- the state file ------------------------------------------------------------------

_PEM_BODY = re.compile(r"-----BEGIN [A-Z ]+-----\n(.*?)-----END [A-Z ]+-----", re.DOTALL)
_HEX = re.compile(r"[0-9a-f]{16,}")


def _decoded_state(text: str) -> tuple[str, bytes]:
    """The state text with its random-looking material (PEM bodies, long hex: salts, hashes)
    cut out, and that material decoded to bytes. A 4-digit PIN then cannot match by chance
    in base64 or hex text, yet a PIN stored in it in any of those encodings still shows."""
    data = json.loads(text)
    blobs: list[bytes] = []

    def walk(value: object) -> object:
        if isinstance(value, dict):
            return {k: walk(v) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v) for v in value]
        if isinstance(value, str):
            for body in _PEM_BODY.findall(value):
                blobs.append(base64.b64decode(body))
            value = _PEM_BODY.sub("<pem>", value)
            for run_ in _HEX.findall(value):
                blobs.append(bytes.fromhex(run_[: len(run_) // 2 * 2]))
            return _HEX.sub("<hex>", value)
        return value

    rest = json.dumps(walk(data), ensure_ascii=False)
    return rest, b"\x00".join(blobs)


def test_state_file_is_private_and_holds_no_pin(demo_state: Path) -> None:
    assert stat.S_IMODE(demo_state.stat().st_mode) == 0o600
    text = demo_state.read_text(encoding="utf-8")
    # long needles cannot occur by chance anywhere in the file
    for needle in ("ABCD1234", "31323334", "4142434431323334"):
        assert needle.lower() not in text.lower()
    # "1234" is short: look for it in the plain text and in the decoded binary material
    rest, blobs = _decoded_state(text)
    for pin in DEMO_PINS:
        assert pin not in rest
        assert pin.encode() not in blobs
        assert pin.encode().hex().encode() not in blobs
    assert "digest" in text  # the hashes are there, so the scan above looked at them


# -- PIN counters ---------------------------------------------------------------------------


def test_block_and_pin_reset_show_in_show(
    demo_state: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    state = fresh_copy(demo_state, tmp_path)
    out = ok("--state", state, "block", "sign")
    assert "pin-reset" in out
    pins = show(state)["pins"]
    assert pins["sign"] == {"tries_left": 0, "max_tries": 5, "blocked": True}
    assert pins["auth"]["tries_left"] == 3
    assert inproc(capsys, "--state", state, "block", "text")[0] == 0
    code, out, _ = inproc(capsys, "--state", state, "show")
    assert code == 0
    assert out.count("BLOCKED") == 2
    out = ok("--state", state, "pin-reset")
    assert "auth 3/3, sign 5/5, text 3/3" in out
    assert {n: p["tries_left"] for n, p in show(state)["pins"].items()} == {
        "auth": 3,
        "sign": 5,
        "text": 3,
    }
    assert stat.S_IMODE(state.stat().st_mode) == 0o600


# -- export-ca ------------------------------------------------------------------------------


def _load_export(directory: Path) -> dict[str, Any]:
    return {
        "sign_ca": x509.load_pem_x509_certificate((directory / "sign_ca.pem").read_bytes()),
        "auth_ca": x509.load_pem_x509_certificate((directory / "auth_ca.pem").read_bytes()),
        "sign_crl": x509.load_pem_x509_crl((directory / "sign_crl.pem").read_bytes()),
        "auth_crl": x509.load_pem_x509_crl((directory / "auth_crl.pem").read_bytes()),
    }


def _card_certs(state: Path) -> dict[str, x509.Certificate]:
    creds = json.loads(state.read_text(encoding="utf-8"))["credentials"]
    return {
        kind: x509.load_pem_x509_certificate(creds[f"{kind}_cert"].encode())
        for kind in ("auth", "sign")
    }


def test_export_ca_writes_pems_that_verify_the_card(demo_state: Path, tmp_path: Path) -> None:
    out_dir = tmp_path / "ca"
    out = ok("--state", demo_state, "export-ca", out_dir)
    for name in ("sign_ca.pem", "auth_ca.pem", "sign_crl.pem", "auth_crl.pem"):
        assert str(out_dir / name) in out
    exported = _load_export(out_dir)
    certs = _card_certs(demo_state)
    certs["sign"].verify_directly_issued_by(exported["sign_ca"])
    certs["auth"].verify_directly_issued_by(exported["auth_ca"])
    with pytest.raises(ValueError):  # the two CAs are not interchangeable
        certs["sign"].verify_directly_issued_by(exported["auth_ca"])
    for kind in ("sign", "auth"):
        crl = exported[f"{kind}_crl"]
        assert len(crl) == 0
        assert crl.is_signature_valid(exported[f"{kind}_ca"].public_key())
        assert crl.issuer == exported[f"{kind}_ca"].subject


def test_export_ca_of_a_revoked_card_lists_its_serials(tmp_path: Path) -> None:
    state = tmp_path / "card.json"
    ok("--state", state, "reset", "--profile", "revoked")
    info = show(state)
    assert {c["status"] for c in info["certificates"].values()} == {"revoked"}
    out = ok("--state", state, "export-ca", tmp_path / "ca")
    exported = _load_export(tmp_path / "ca")
    certs = _card_certs(state)
    for kind in ("sign", "auth"):
        crl = exported[f"{kind}_crl"]
        serial = certs[kind].serial_number
        assert serial == info["certificates"][kind]["serial"]
        assert crl.get_revoked_certificate_by_serial_number(serial) is not None
        assert crl.is_signature_valid(exported[f"{kind}_ca"].public_key())
        assert f"{serial:X}" in out


# -- serve --------------------------------------------------------------------------------


def test_parse_endpoint() -> None:
    assert parse_endpoint("35963") == ("localhost", 35963)
    assert parse_endpoint("127.0.0.1:4000") == ("127.0.0.1", 4000)
    assert parse_endpoint("[::1]:4000") == ("::1", 4000)
    assert parse_endpoint(":4000") == ("localhost", 4000)


class FakeVpcd:
    """The vpcd side of the wire: 2-byte big-endian length, then the payload."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock

    def send(self, payload: bytes) -> None:
        self.sock.sendall(len(payload).to_bytes(2, "big") + payload)

    def _exactly(self, n: int) -> bytes:
        data = b""
        while len(data) < n:
            chunk = self.sock.recv(n - len(data))
            if not chunk:
                raise EOFError("the card side closed the connection")
            data += chunk
        return data

    def receive(self) -> bytes:
        return self._exactly(int.from_bytes(self._exactly(2), "big"))

    def exchange(self, payload: bytes) -> bytes:
        self.send(payload)
        return self.receive()


def _wait_for_line(stream: Any, needle: str, deadline: float) -> list[str]:
    lines: list[str] = []
    while time.monotonic() < deadline:
        line = stream.readline()
        if not line:
            break
        lines.append(line)
        if needle in line:
            return lines
    raise AssertionError(f"{needle!r} never appeared in: {lines}")


def test_serve_answers_vpcd_and_stops_on_sigterm(demo_state: Path, tmp_path: Path) -> None:
    state = fresh_copy(demo_state, tmp_path)
    with socket.create_server(("127.0.0.1", 0)) as server:
        server.settimeout(TIMEOUT)
        port = server.getsockname()[1]
        proc = subprocess.Popen(
            cli_argv(
                "--state",
                state,
                "serve",
                "--vpcd",
                f"127.0.0.1:{port}",
                "--control",
                tmp_path / "c",
            ),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=_env(),
        )
        try:
            conn, _ = server.accept()
            with conn:
                conn.settimeout(TIMEOUT)
                vpcd = FakeVpcd(conn)
                assert vpcd.exchange(b"\x04") == ATR_2017  # get ATR
                vpcd.send(b"\x01")  # power on: no answer
                assert vpcd.exchange(SELECT_JPKI) == b"\x90\x00"
                assert vpcd.exchange(SELECT_AUTH_PIN) == b"\x90\x00"
                assert vpcd.exchange(WRONG_AUTH_PIN) == b"\x63\xc2"
                # blocking a PIN from another command while serving reaches the served card
                assert main(["--state", str(state), "block", "text"]) == 0
                assert vpcd.exchange(SELECT_TEXT) == b"\x90\x00"
                assert vpcd.exchange(SELECT_TEXT_PIN) == b"\x90\x00"
                deadline = time.monotonic() + TIMEOUT
                while vpcd.exchange(PIN_STATUS) != b"\x69\x84":
                    assert time.monotonic() < deadline, "serve never took up the blocked PIN"
                    time.sleep(0.05)
                assert proc.stderr is not None
                lines = _wait_for_line(proc.stderr, "connected", time.monotonic() + TIMEOUT)
                assert f"127.0.0.1:{port}" in "".join(lines)
                proc.send_signal(signal.SIGTERM)
                _, rest = proc.communicate(timeout=TIMEOUT)
                err = "".join(lines) + rest
                assert conn.recv(1) == b""  # the client hung up
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    assert proc.returncode == 0, err
    assert "stopped" in err
    assert "Traceback" not in err
    assert "9999" not in err
    # (VERIFY reads the counter the state file holds under its lock, so the served card
    # saw the block at once, whether or not the watcher announced it)
    # the wrong VERIFY through vpcd was saved to the state file, and did not undo the block
    pins = show(state)["pins"]
    assert pins["auth"]["tries_left"] == 2
    assert pins["text"]["blocked"] is True


def test_serve_waits_for_vpcd_and_stops_on_sigint(tmp_path: Path) -> None:
    state = tmp_path / "card.json"
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    proc = subprocess.Popen(
        cli_argv(
            "--state",
            state,
            "serve",
            "--latency",
            "contact",
            "--vpcd",
            port,
            "--control",
            tmp_path / "c",
        ),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(),
    )
    try:
        assert proc.stderr is not None
        _wait_for_line(proc.stderr, "serving", time.monotonic() + TIMEOUT)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=TIMEOUT)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    assert "stopped" in err
