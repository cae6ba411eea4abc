"""``jpki-mock-card serve`` driven while it runs: from Python, from a shell script with
OpenSC's tools, two daemons in vpcd's two slots — and the control socket's defences.

The PC/SC tests run the daemon as a separate process serving into the session's pcscd
(fixture ``pcscd`` of the package's pytest plugin) and read the card as any PC/SC
application would.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from apdu.pcsc import PcscTransport, wait_for_card
from jpki import CertKind, JpkiCard, PinKind
from jpki.errors import PinIncorrect, ReaderError
from mock_card.control import (
    MAX_REQUEST,
    ControlClient,
    ControlError,
    ControlServer,
    default_control_path,
)
from mock_card.ctl import wait_for_reader
from mock_card.daemon import Daemon
from mock_card.pcscd import Pcscd, vpcd_port

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "tests" / "scripts" / "remove_mid_read.sh"
TIMEOUT = 20.0
H = bytes.fromhex
SELECT_JPKI = H("00A4040C0AD392F000260100000001")
SELECT_TOKEN = H("00A4020C020006")
READ_LABEL = H("00B0000020")


class Served:
    """One ``jpki-mock-card serve`` process and its control client."""

    def __init__(self, proc: subprocess.Popen[str], client: ControlClient, log: Path) -> None:
        self.proc = proc
        self.client = client
        self.log = log

    def request(self, *words: str) -> dict[str, Any]:
        return self.client.request(*words)


StartDaemon = Callable[..., Served]


@pytest.fixture
def start_daemon(tmp_path: Path, pcscd: Pcscd) -> Iterator[StartDaemon]:
    started: list[Served] = []

    def start(slot: int = 0, *extra: str) -> Served:
        control = tmp_path / f"ctl-{slot}.sock"
        log = tmp_path / f"serve-{slot}.log"
        argv = [sys.executable, "-m", "mock_card", "--state", str(tmp_path / f"card-{slot}.json")]
        argv += ["serve", "--vpcd", str(vpcd_port(slot)), "--control", str(control), *extra]
        with log.open("w") as err:
            proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=err, text=True)
        served = Served(proc, ControlClient(control), log)
        started.append(served)
        assert wait_for_reader(served.client, TIMEOUT) == pcscd.reader_for(slot)
        return served

    try:
        yield start
    finally:
        for served in started:
            served.proc.send_signal(signal.SIGTERM)
            try:
                served.proc.wait(TIMEOUT)
            except subprocess.TimeoutExpired:
                served.proc.kill()
                served.proc.wait()
        for served in started:
            log = served.log.read_text()
            assert served.proc.returncode == 0, log
            assert "Traceback" not in log, log
            assert "stopped (SIGTERM)" in log, log
            for slot in range(2):
                assert wait_for_card(pcscd.reader_for(slot), present=False, timeout=5)


def token_label(reader: str) -> str:
    with PcscTransport.connect(reader) as t:
        assert t.transmit(SELECT_JPKI)[-2:] == b"\x90\x00"
        assert t.transmit(SELECT_TOKEN)[-2:] == b"\x90\x00"
        return t.transmit(READ_LABEL)[:-2].decode("ascii").rstrip()


# -- through pcscd ----------------------------------------------------------------------------


@pytest.mark.pcsc
def test_python_drives_the_daemon(start_daemon: StartDaemon, pcscd: Pcscd) -> None:
    daemon = start_daemon(0)
    reader = pcscd.reader
    status = daemon.request("status")
    assert (status["holder"], status["present"], status["vpcd"]["connected"]) == (
        "state",
        True,
        True,
    )
    with JpkiCard.open(reader) as card:
        first = card.read_certificate(CertKind.AUTH)
        with pytest.raises(PinIncorrect):
            card.verify_pin(PinKind.AUTH, "9999")
    assert daemon.request("pins")["pins"]["auth"]["tries_left"] == 2

    daemon.request("remove")
    assert wait_for_card(reader, present=False, timeout=5)
    with pytest.raises(ReaderError):
        JpkiCard.open(reader).__enter__()
    daemon.request("insert")
    assert wait_for_card(reader, present=True, timeout=5)

    # another holder: pcscd sees a card change, and the new card answers
    assert daemon.request("holder", "juki")["token_label"] == "JPKIAPICCTOKEN"
    assert wait_for_card(reader, present=True, timeout=5)
    assert token_label(reader) == "JPKIAPICCTOKEN"
    with PcscTransport.connect(reader) as t:
        assert t.atr == H("3BE000FF8131FE4514")
    # and back: the same card, its PIN counter as it was
    daemon.request("holder", "state")
    assert wait_for_card(reader, present=True, timeout=5)
    with JpkiCard.open(reader) as card:
        assert card.read_certificate(CertKind.AUTH) == first
        assert card.pin_status(PinKind.AUTH) == 2

    # a fault at the next APDU
    daemon.request("fault", "sw:6A82")
    with PcscTransport.connect(reader) as t:
        assert t.transmit(SELECT_JPKI) == b"\x6a\x82"
        assert t.transmit(SELECT_JPKI) == b"\x90\x00"
    with pytest.raises(ControlError, match="no holder profile 'nobody'"):
        daemon.request("holder", "nobody")


@pytest.mark.pcsc
def test_two_daemons_serve_two_readers(start_daemon: StartDaemon, pcscd: Pcscd) -> None:
    first = start_daemon(0)
    second = start_daemon(1, "--holder", "expired")
    readers = pcscd.reader, pcscd.reader_for(1)
    assert readers == ("Virtual PCD 00 00", "Virtual PCD 00 01")
    certs = []
    for reader in readers:
        with JpkiCard.open(reader) as card:
            certs.append(card.read_certificate(CertKind.AUTH))
    assert certs[0].serial_number != certs[1].serial_number
    assert certs[1].not_valid_after_utc < certs[0].not_valid_after_utc  # the expired one
    # "which card?": taking one out leaves the other
    second.request("remove")
    assert wait_for_card(readers[1], present=False, timeout=5)
    assert wait_for_card(readers[0], present=True, timeout=0)
    assert first.request("status")["present"] is True


@pytest.mark.pcsc
def test_shell_script_with_opensc_and_socat_pulls_the_card_mid_read(
    tmp_path: Path, pcscd: Pcscd
) -> None:
    missing = [
        pkg
        for tool, pkg in (("opensc-tool", "opensc"), ("socat", "socat"))
        if not shutil.which(tool)
    ]
    if missing:
        message = f"the shell test needs: apt install {' '.join(missing)}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["JPKI_MOCK_STATE"] = str(tmp_path / "card.json")
    env["JPKI_MOCK_CONTROL"] = str(tmp_path / "ctl.sock")
    result = subprocess.run(
        ["bash", str(SCRIPT)], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    out = result.stdout + result.stderr
    assert result.returncode == 0, out
    assert f"== the card is in '{pcscd.reader}'" in out
    assert "== OpenSC's driver for it: jpki" in out
    assert "== opensc-tool saw: APDU transmit failed" in out
    assert "== ok" in out
    assert "Traceback" not in out
    assert wait_for_card(pcscd.reader, present=False, timeout=5)


# -- the daemon's commands, in-process --------------------------------------------------------


def test_daemon_commands_in_process(tmp_path: Path) -> None:
    lines: list[str] = []
    daemon = Daemon(tmp_path / "card.json", "valid", say=lines.append)
    assert not (tmp_path / "card.json").exists()  # a profile card needs no state file
    assert daemon.handle(["status"])["holder"] == "valid"
    assert daemon.handle(["REMOVE"])["present"] is False
    switched = daemon.handle(["holder", "smartphone"])
    assert switched["token_label"] == "JPKIAPGPSETOKEN"
    assert switched["present"] is False  # the reader was empty: it stays so
    assert daemon.handle(["insert"])["present"] is True
    assert daemon.handle(["fault", "remove", "2"])["faults_pending"] == 1
    assert daemon.handle(["fault", "lift", "3"])["faults_pending"] == 2  # contactless
    assert "state" in daemon.handle(["profiles"])["profiles"]
    assert "holder NAME" in daemon.handle(["help"])["commands"]
    for bad, message in (
        (["fault"], "usage: fault SPEC"),
        (["fault", "remove", "0"], "APDU index"),
        (["fault", "explode"], "a fault is"),
        (["holder"], "usage: holder NAME"),
        (["pins", "extra"], "usage: pins"),
        (["rm", "-rf"], "unknown command 'rm'"),
    ):
        with pytest.raises(ControlError, match=message):
            daemon.handle(bad)
    daemon.handle(["holder", "state"])
    assert (tmp_path / "card.json").exists()


# -- the control socket -----------------------------------------------------------------------


def echo(words: list[str]) -> dict[str, Any]:
    return {"words": words}


def raw_request(path: Path, payload: bytes) -> bytes:
    with socket.socket(socket.AF_UNIX) as s:
        s.settimeout(5)
        s.connect(str(path))
        s.sendall(payload)
        s.shutdown(socket.SHUT_WR)
        data = b""
        while chunk := s.recv(4096):
            data += chunk
        return data


def test_socket_is_owner_only_and_removed_at_close(tmp_path: Path) -> None:
    path = tmp_path / "ctl.sock"
    with ControlServer(path, echo):
        st = path.lstat()
        assert stat.S_ISSOCK(st.st_mode)
        assert stat.S_IMODE(st.st_mode) == 0o600
        assert ControlClient(path).request("hello", "world")["words"] == ["hello", "world"]
        assert [p.name for p in tmp_path.iterdir()] == ["ctl.sock"]  # no staging left
    assert not path.exists()


@pytest.mark.parametrize("kind", ["file", "symlink", "dangling-symlink", "other-socket"])
def test_server_never_replaces_what_it_did_not_create(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "ctl.sock"
    target = tmp_path / "precious"
    target.write_text("keep me")
    other: socket.socket | None = None
    if kind == "file":
        path.write_text("keep me too")
    elif kind == "symlink":
        path.symlink_to(target)
    elif kind == "dangling-symlink":
        path.symlink_to(tmp_path / "nowhere")
    else:
        other = socket.socket(socket.AF_UNIX)
        other.bind(str(path))
        other.listen()
    try:
        with pytest.raises(ControlError, match=r"not replacing it|another 'jpki-mock-card serve'"):
            ControlServer(path, echo).start()
        assert target.read_text() == "keep me"
        assert not (tmp_path / "nowhere").exists()
        if kind == "file":
            assert path.read_text() == "keep me too"
        assert path.is_symlink() == kind.endswith("symlink")
    finally:
        if other is not None:
            other.close()


def test_too_long_a_path_is_a_clear_error(tmp_path: Path) -> None:
    deep = tmp_path / ("d" * 60)
    deep.mkdir()
    with pytest.raises(ControlError, match="too long for a Unix socket"):
        ControlServer(deep / "vpcd-35963.sock", echo).start()
    assert list(deep.iterdir()) == []


def test_own_stale_socket_is_replaced(tmp_path: Path) -> None:
    path = tmp_path / "ctl.sock"
    dead = socket.socket(socket.AF_UNIX)
    dead.bind(str(path))
    dead.close()  # a daemon that died without cleaning up
    with ControlServer(path, echo):
        assert ControlClient(path).request("x")["words"] == ["x"]


def test_close_leaves_a_path_that_was_replaced(tmp_path: Path) -> None:
    path = tmp_path / "ctl.sock"
    server = ControlServer(path, echo)
    server.start()
    path.unlink()
    path.write_text("someone else's")
    server.close()
    assert path.read_text() == "someone else's"


def test_requests_are_bounded(tmp_path: Path) -> None:
    path = tmp_path / "ctl.sock"
    with ControlServer(path, echo):
        assert b"at most 1024 bytes" in raw_request(path, b"x" * (MAX_REQUEST + 10))
        assert b"at most 1024 bytes" in raw_request(path, b"y" * 100_000 + b"\n")
        assert b"UTF-8" in raw_request(path, b"\xff\xfe\n")
        assert b"empty request" in raw_request(path, b"   \n")
        assert b'"words": ["ok"]' in raw_request(path, b"ok")  # EOF ends the line too
        # a client that never sends, or trickles a byte at a time, does not hold the server
        # for long: each connection has REQUEST_TIMEOUT (2 s) for its whole line
        stop = threading.Event()

        def trickle(sock: socket.socket) -> None:
            while not stop.wait(0.3):
                with contextlib.suppress(OSError):
                    sock.send(b"x")

        with socket.socket(socket.AF_UNIX) as idle, socket.socket(socket.AF_UNIX) as slow:
            idle.connect(str(path))
            slow.connect(str(path))
            trickler = threading.Thread(target=trickle, args=(slow,), daemon=True)
            trickler.start()
            began = time.monotonic()
            try:
                assert ControlClient(path).request("next")["words"] == ["next"]
                # unbounded, the trickle would hold the server for minutes
                assert time.monotonic() - began < 8
            finally:
                stop.set()
                trickler.join()
        with pytest.raises(ControlError, match="one line"):
            ControlClient(path).request("a\nb")


def test_client_refuses_what_is_not_a_socket(tmp_path: Path) -> None:
    real = tmp_path / "ctl.sock"
    link = tmp_path / "link.sock"
    with ControlServer(real, echo):
        link.symlink_to(real)
        with pytest.raises(ControlError, match="not a control socket"):
            ControlClient(link).request("status")
    with pytest.raises(ControlError, match="is 'jpki-mock-card serve' running"):
        ControlClient(real).request("status")


def test_default_socket_directory_is_private(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("JPKI_MOCK_CONTROL", raising=False)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    path = default_control_path(35963)
    assert path == tmp_path / "jpki-mock-card" / "vpcd-35963.sock"
    with ControlServer(path, echo, private_parent=True):
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    path.parent.chmod(0o755)
    with pytest.raises(ControlError, match="not a private directory"):
        ControlServer(path, echo, private_parent=True).start()


def test_ctl_command_line_errors(tmp_path: Path) -> None:
    def ctl(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "mock_card", "ctl", "--control", str(tmp_path / "c"), *args],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )

    nobody = ctl("status")
    assert nobody.returncode == 1
    assert nobody.stderr.count("\n") == 1 and "is 'jpki-mock-card serve' running" in nobody.stderr
    usage = ctl()
    assert usage.returncode == 2 and usage.stderr.count("\n") == 1
    timeout = ctl("--timeout", "0", "wait")
    assert timeout.returncode == 1 and "usage: ctl" in timeout.stderr


def test_ctl_escapes_what_it_prints(tmp_path: Path) -> None:
    """Names come from state files: ctl never prints a terminal control sequence."""
    status = Daemon(tmp_path / "card.json", "valid").status()
    status["name"] = "見本\x1b[2J花子"

    def argv(*args: str) -> list[str]:
        return [sys.executable, "-m", "mock_card", "ctl", "--control", str(path), *args]

    path = tmp_path / "c"
    with ControlServer(path, lambda words: status if words == ["status"] else {"odd": 1}):
        out = subprocess.run(
            argv("status"), check=False, capture_output=True, text=True, timeout=30
        )
        assert out.returncode == 0, out.stderr
        assert "\x1b" not in out.stdout and "見本\\x1b[2J花子" in out.stdout
        odd = subprocess.run(argv("pins"), check=False, capture_output=True, text=True, timeout=30)
        assert odd.returncode == 1 and "not what this version expects" in odd.stderr
        assert "Traceback" not in odd.stderr
