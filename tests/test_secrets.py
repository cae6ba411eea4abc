"""No PIN and no individual number anywhere: logs, APDU traces, stdout/stderr, exception
texts, the ledger's database files, the mock card's state file.

Every ``jpki`` CLI command runs (as ``python -m jpki`` with ``-vv``) against a mock card with
unusual PINs, and the kiosk flow runs in Japanese and English, from the signature certificate
and from the text AP — with right, wrong and malformed PINs — while the root logger takes
everything from level 1 (``apdu.trace`` at 5 included) and a trace function collects every
exception raised in the project's code, with its ``__cause__``/``__context__`` chain.

The needles: each PIN as text (as typed, lower and upper case), its ASCII hex (with and
without spaces, either case), UTF-16 (LE/BE, raw and hex); the individual number, read once
before anything is captured, in the same forms and grouped by four.
"""

from __future__ import annotations

import inspect
import logging
import os
import re
import subprocess
import sys
import threading
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from types import FrameType
from typing import Any

import pytest

from gui.config import IdentitySource, load_config
from gui.flow import (
    Authenticate,
    CardInserted,
    ChooseIntent,
    ConfirmIdentity,
    ConfirmReview,
    Finish,
    Identity,
    Intent,
    Notice,
    PinEntered,
    ReadIdentity,
    RequestForm,
    Screen,
    Secret,
    SetLanguage,
    SignAndSubmit,
    SubmitForm,
    Wipe,
    initial,
)
from gui.mock_panel import mock_card_opener
from gui.services import KioskServices
from gui.setup import ledger_config
from jpki import JpkiCard
from jpki.ledger import Ledger
from jpki.requests import DeliveryMethod
from jpki.trust import TrustStore
from mock_card import MockCard, MockPki, load_card
from tests.kiosk_driver import Kiosk

ROOT = Path(__file__).resolve().parents[1]

AUTH_PIN, SIGN_PIN, TEXT_PIN = "9753", "ZQ8X7W6V5U4T", "8642"
NEW_PINS = {"auth": "3179", "sign": "XK4W9T2B", "text": "5193"}
WRONG_AUTH, WRONG_SIGN, WRONG_TEXT = "7531", "QQQQ99", "7531"
MALFORMED_AUTH, MALFORMED_SIGN = "4Z71", "WVUT8"
PINS = sorted(
    {
        AUTH_PIN,
        SIGN_PIN,
        TEXT_PIN,
        *NEW_PINS.values(),
        WRONG_AUTH,
        WRONG_SIGN,
        WRONG_TEXT,
        MALFORMED_AUTH,
        MALFORMED_SIGN,
    }
)
PKI = MockPki.demo()
TRUST = TrustStore.from_certificates([PKI.sign_ca_cert, PKI.auth_ca_cert])
CONFIG = load_config()
PROJECT_DIRS = tuple(str(ROOT / d) + os.sep for d in ("apdu", "jpki", "mock_card", "gui"))


# -- the needles ---------------------------------------------------------------------------------


def text_forms(secret: str) -> set[str]:
    """How a secret could turn up in text."""
    forms = {secret, secret.lower(), secret.upper()}
    for encoding in ("ascii", "utf-16-le", "utf-16-be"):
        raw = secret.encode(encoding)
        for hexed in (raw.hex(), raw.hex(" ")):
            forms |= {hexed, hexed.upper()}
        forms.add(repr(raw)[2:-1])  # b'9\x007\x00...' as a repr shows it
    if secret.isdigit() and len(secret) == 12:
        groups = [secret[i : i + 4] for i in range(0, 12, 4)]
        forms |= {" ".join(groups), "-".join(groups)}
    return forms


def byte_forms(secret: str) -> set[bytes]:
    """How a secret could turn up in a file."""
    forms = {f.encode("utf-8") for f in text_forms(secret)}
    for encoding in ("utf-16-le", "utf-16-be"):
        forms |= {secret.encode(encoding), secret.upper().encode(encoding)}
    return forms


def _pattern(form: str) -> str:
    # A 4-digit PIN counts only standing alone: digits are everywhere (serials, times, UUIDs).
    if form.isdigit() and len(form) <= 6:
        return rf"(?<![0-9A-Za-z-]){re.escape(form)}(?![0-9A-Za-z-])"
    return re.escape(form)


@dataclass
class Needles:
    secrets: dict[str, str]  # label -> secret
    text: list[tuple[str, re.Pattern[str]]] = field(default_factory=list)
    raw: list[tuple[str, re.Pattern[bytes]]] = field(default_factory=list)

    def __post_init__(self) -> None:
        for label, secret in self.secrets.items():
            for form in sorted(text_forms(secret)):
                self.text.append((label, re.compile(_pattern(form), re.IGNORECASE)))
            for raw in sorted(byte_forms(secret)):
                self.raw.append(
                    (label, re.compile(_pattern(raw.decode("latin-1")).encode("latin-1")))
                )

    def in_text(self, text: str) -> list[str]:
        return sorted({f"{label} as {p.pattern!r}" for label, p in self.text if p.search(text)})

    def in_bytes(self, data: bytes) -> list[str]:
        found = {f"{label} as {p.pattern!r}" for label, p in self.raw if p.search(data)}
        return sorted(found | set(self.in_text(data.decode("utf-8", "replace"))))


# -- collecting everything ---------------------------------------------------------------------


class ExceptionCollector:
    """Every exception raised in, or passing through, a frame of the project's code
    (``sys.settrace``/``threading.settrace``). Its source also runs in the CLI subprocesses."""

    def __init__(self, roots: tuple[str, ...]) -> None:
        self.roots = roots
        self.seen: list[BaseException] = []
        self._ids: set[int] = set()

    def _local(self, frame: FrameType, event: str, arg: Any) -> Any:
        if event == "exception" and id(arg[1]) not in self._ids:
            self._ids.add(id(arg[1]))
            self.seen.append(arg[1])
        return self._local

    def _global(self, frame: FrameType, event: str, arg: Any) -> Any:
        return self._local if frame.f_code.co_filename.startswith(self.roots) else None

    def start(self) -> None:
        threading.settrace(self._global)
        sys.settrace(self._global)

    def stop(self) -> None:
        sys.settrace(None)
        threading.settrace(None)  # type: ignore[arg-type]

    def texts(self) -> list[str]:
        """str, repr and the formatted chain (``__cause__``/``__context__``) of each."""
        out = []
        for exc in self.seen:
            chain: list[BaseException] = []
            todo: list[BaseException | None] = [exc]
            while todo:
                item = todo.pop()
                if item is None or any(item is c for c in chain):
                    continue
                chain.append(item)
                todo += [item.__cause__, item.__context__]
            for item in chain:
                out.append(f"{type(item).__name__}: {item!s} | {item!r} | {item.args!r}")
            out.append("".join(traceback.format_exception(exc)))
        return out


class Everything(logging.Handler):
    """Every record, formatted with its arguments and any exception text."""

    def __init__(self) -> None:
        super().__init__(level=1)
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
        self.lines: list[str] = []
        self.names: set[str] = set()

    def emit(self, record: logging.LogRecord) -> None:
        self.names.add(record.name)
        self.lines.append(self.format(record))
        self.lines.append(repr(record.args))


@contextmanager
def capture_everything() -> Iterator[tuple[Everything, ExceptionCollector]]:
    root = logging.getLogger()
    handler = Everything()
    loggers = [root, *(logging.getLogger(n) for n in ("apdu.trace", "sqlalchemy", "gui", "jpki"))]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(1)
    root.addHandler(handler)
    collector = ExceptionCollector(PROJECT_DIRS)
    collector.start()
    try:
        yield handler, collector
    finally:
        collector.stop()
        root.removeHandler(handler)
        for lg, level in zip(loggers, levels, strict=True):
            lg.setLevel(level)


# -- the card and its needles -----------------------------------------------------------------


def run(
    args: list[str], env: dict[str, str], *, script: str | None = None
) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-c", script, *args] if script else [sys.executable, *args]
    return subprocess.run(
        command, capture_output=True, text=True, env=env, cwd=ROOT, check=False, timeout=120
    )


@pytest.fixture(scope="module")
def state(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Needles]:
    """A mock card with unusual PINs (written by the mock card's CLI), and the needles."""
    path = tmp_path_factory.mktemp("secrets") / "card.json"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = run(
        [
            "-m",
            "mock_card",
            "--state",
            str(path),
            "reset",
            "--auth-pin",
            AUTH_PIN,
            "--sign-pin",
            SIGN_PIN,
            "--text-pin",
            TEXT_PIN,
        ],
        env,
    )
    assert done.returncode == 0, done.stderr
    # the needle: the individual number, read once, before anything is captured
    my_number = JpkiCard(load_card(path)).read_my_number(TEXT_PIN).digits
    secrets = {f"PIN {pin}": pin for pin in PINS}
    secrets["the individual number"] = my_number
    needles = Needles(secrets)
    assert not needles.in_text(done.stdout + done.stderr)
    return path, needles


def test_the_needles_find_what_they_should() -> None:
    needles = Needles({"pin": "9753", "sign": SIGN_PIN, "number": "123456789018"})
    assert needles.in_text("> 00 20 00 80 04 39 37 35 33")
    assert needles.in_text("pin=9753.") and needles.in_text("zq8x7w6v5u4t")
    assert needles.in_text("1234 5678 9018") and needles.in_text(
        "31 32 33 34 35 36 37 38 39 30 31 38"
    )
    assert needles.in_bytes("9753".encode("utf-16-le")) and needles.in_bytes(
        b"<%s>" % SIGN_PIN.encode().hex().encode()
    )
    assert needles.in_text(repr("ZQ8X7W6V5U4T".encode("utf-16-be")))
    assert not needles.in_text("serial 97531 at 2026-01-09T75:33 abc9753def, 0x19753, a2e4-9753-")


# -- the CLI --------------------------------------------------------------------------------------

CLI_WRAPPER = f"""
import atexit, logging, runpy, sys, threading, traceback
from types import FrameType
from typing import Any
sys.path.insert(0, {str(ROOT)!r})
logging.basicConfig(level=1, stream=sys.stderr, format="LOG %(name)s %(levelname)s %(message)s")
for name in ("", "apdu.trace", "sqlalchemy"):
    logging.getLogger(name).setLevel(1)
{inspect.getsource(ExceptionCollector)}
collector = ExceptionCollector({PROJECT_DIRS!r})
def dump():
    collector.stop()
    texts = collector.texts()
    sys.stderr.write("EXCEPTIONS %d\\n" % len(collector.seen))
    for text in texts:
        sys.stderr.write("EXC " + text + "\\n")
atexit.register(dump)
collector.start()
sys.argv = ["jpki", *sys.argv[1:]]
runpy.run_module("jpki", run_name="__main__", alter_sys=True)
"""

SIGN_ENV = {"JPKI_SIGN_PIN": SIGN_PIN}
TEXT_ENV = {"JPKI_TEXT_PIN": TEXT_PIN}


def _change(kind: str, current: str, new: str) -> tuple[list[str], dict[str, str], int]:
    return (
        ["-vv", "pin", "change", kind],
        {f"JPKI_{kind.upper()}_PIN": current, "JPKI_NEW_PIN": new},
        0,
    )


OLD = {"auth": AUTH_PIN, "sign": SIGN_PIN, "text": TEXT_PIN}


def tiny_pdf() -> bytes:
    """A one-page PDF with one line of text."""
    text = b"BT /F1 24 Tf 72 720 Td (Hello JPKI) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(text), text),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def cli_runs(work: Path) -> list[tuple[list[str], dict[str, str], int | None]]:
    """Every command: (arguments, PIN environment, expected exit code or None)."""
    from cryptography.hazmat.primitives.serialization import Encoding

    document, pdf, trust = work / "request.txt", work / "form.pdf", work / "mock-ca.pem"
    document.write_text("a request to sign\n", encoding="utf-8")
    pdf.write_bytes(tiny_pdf())
    trust.write_bytes(
        PKI.sign_ca_cert.public_bytes(Encoding.PEM) + PKI.auth_ca_cert.public_bytes(Encoding.PEM)
    )
    doc, ca = str(document), ["--trust", str(trust)]
    return [
        (["-vv", "readers"], {}, None),
        (["readers", "--json"], {}, None),
        (["-vv", "status"], {}, 0),
        (["status", "--json"], {}, 0),
        (["-vv", "cert", "show", "auth"], {}, 0),
        (["-vv", "cert", "show", "auth-ca", "--text"], {}, 0),
        (["cert", "show", "sign-ca", "--json"], {}, 0),
        (["-vv", "cert", "show", "sign", "--text"], SIGN_ENV, 0),
        (["-vv", "cert", "show", "sign", "--json"], SIGN_ENV, 0),
        (["-vv", "cert", "show", "sign"], {"JPKI_SIGN_PIN": WRONG_SIGN}, 1),
        (["-vv", "cert", "show", "sign"], {"JPKI_SIGN_PIN": MALFORMED_SIGN}, 2),
        (["-vv", "cert", "show", "sign"], {"JPKI_SIGN_PIN": SIGN_PIN.lower()}, 0),
        (["-vv", "pin", "status"], {}, 0),
        (["pin", "status", "--json"], {}, 0),
        *(_change(kind, OLD[kind], NEW_PINS[kind]) for kind in ("auth", "sign", "text")),
        *(_change(kind, NEW_PINS[kind], OLD[kind]) for kind in ("auth", "sign", "text")),
        (
            ["-vv", "pin", "change", "auth"],
            {"JPKI_AUTH_PIN": WRONG_AUTH, "JPKI_NEW_PIN": "3179"},
            1,
        ),
        (
            ["-vv", "pin", "change", "auth"],
            {"JPKI_AUTH_PIN": AUTH_PIN, "JPKI_NEW_PIN": MALFORMED_AUTH},
            2,
        ),
        (
            ["-vv", "pin", "change", "auth"],
            {"JPKI_AUTH_PIN": MALFORMED_AUTH, "JPKI_NEW_PIN": "3179"},
            2,
        ),
        (["-vv", "text", "basic"], TEXT_ENV, 0),
        (["-vv", "text", "basic", "--json"], TEXT_ENV, 0),
        (["-vv", "text", "basic"], {"JPKI_TEXT_PIN": WRONG_TEXT}, 1),
        (["-vv", "text", "basic"], {}, 2),  # no PIN source
        (["-vv", "sign", doc], SIGN_ENV, 0),
        (["-vv", "sign", "--attached", "--pem", "-o", f"{doc}.pem", doc], SIGN_ENV, 0),
        (["-vv", "sign", "-o", f"{doc}.wrong", doc], {"JPKI_SIGN_PIN": WRONG_SIGN}, 1),
        (["-vv", "sign", "--pdf", "--visible", str(pdf)], SIGN_ENV, 0),
        (["-vv", "verify", *ca, f"{doc}.p7s", doc], {}, 0),
        (["verify", *ca, "--json", f"{doc}.pem"], {}, 0),
        (["-vv", "verify", *ca, str(work / "form-signed.pdf")], {}, 0),
        (["-vv", "authenticate", *ca], {"JPKI_AUTH_PIN": AUTH_PIN}, 0),
        (["-vv", "authenticate", *ca, "--json"], {"JPKI_AUTH_PIN": WRONG_AUTH}, 1),
        (["-vv", "--reader", "mock", "status", MALFORMED_AUTH], {}, 2),  # a PIN as an argument
    ]


def test_cli_commands_leak_nothing(state: tuple[Path, Needles], tmp_path: Path) -> None:
    path, needles = state
    base = {k: v for k, v in os.environ.items() if not k.startswith(("JPKI_", "PYTEST_", "COV_"))}
    base |= {"JPKI_READER": "mock", "JPKI_MOCK_STATE": str(path), "PYTHONPATH": str(ROOT)}
    leaks: list[str] = []
    output = []
    exceptions = 0
    for args, env, expected in cli_runs(tmp_path):
        done = run(args, {**base, **env}, script=CLI_WRAPPER)
        where = f"jpki {' '.join(args)}"
        if expected is not None:
            assert done.returncode == expected, (where, done.returncode, done.stderr[-3000:])
        for name, text in (("stdout", done.stdout), ("stderr", done.stderr)):
            leaks += [f"{where}: {name}: {found}" for found in needles.in_text(text)]
        leaks += [f"{where}: state file: {f}" for f in needles.in_bytes(path.read_bytes())]
        output.append(done.stdout + done.stderr)
        exceptions += int(re.search(r"EXCEPTIONS (\d+)", done.stderr).group(1))  # type: ignore[union-attr]
    for written in sorted(tmp_path.iterdir()):  # signatures, the signed PDF
        leaks += [f"{written.name}: {found}" for found in needles.in_bytes(written.read_bytes())]
    assert not leaks, "\n".join(leaks)
    # the check looked at something
    everything = "\n".join(output)
    assert "apdu > 00 20 00 80 *" in everything  # -vv: the trace, VERIFY redacted
    assert "apdu > 00 24 01 80 *" in everything  # CHANGE REFERENCE DATA redacted
    assert "LOG apdu.trace TRACE" in everything
    assert "見本" in everything  # text basic printed the holder
    assert "Traceback" in everything  # -vv printed the failures' tracebacks
    assert exceptions > 0
    assert load_card(path).pins["auth"].matches(AUTH_PIN.encode())  # changed back


# -- the kiosk flow ------------------------------------------------------------------------------


def pin(value: str) -> PinEntered:
    return PinEntered(Secret(value))


def one_applicant(kiosk: Kiosk, language: str, source: IdentitySource, card: MockCard) -> None:
    """A whole flow with malformed, wrong and right PINs at every PIN screen."""
    kiosk.send(SetLanguage(language))
    kiosk.send(CardInserted(), Screen.AUTH_PIN)
    assert kiosk.send(pin(MALFORMED_AUTH), Screen.AUTH_PIN).notice is Notice.BAD_PIN_FORMAT
    assert kiosk.send(pin(WRONG_AUTH), Screen.AUTH_PIN).notice is Notice.WRONG_PIN
    kiosk.send(pin(AUTH_PIN), Screen.IDENTITY_PIN)
    if source is IdentitySource.TEXT_AP:
        kiosk.send(pin(WRONG_TEXT), Screen.IDENTITY_PIN)
        kiosk.send(pin(TEXT_PIN), Screen.IDENTITY)
    else:
        kiosk.send(pin(MALFORMED_SIGN), Screen.IDENTITY_PIN)
        kiosk.send(pin(WRONG_SIGN), Screen.IDENTITY_PIN)
        kiosk.send(pin(SIGN_PIN.lower()), Screen.IDENTITY)
    kiosk.send(ConfirmIdentity(), Screen.FORM)
    form = RequestForm("transcript-ja", delivery=DeliveryMethod.DIGITAL_PDF, recipient="Example")
    kiosk.send(SubmitForm(form), Screen.REVIEW)
    if source is IdentitySource.TEXT_AP:  # the signature PIN is asked only to sign
        kiosk.send(ConfirmReview(), Screen.SIGN_PIN)
        kiosk.send(pin(MALFORMED_SIGN), Screen.SIGN_PIN)
        kiosk.send(pin(WRONG_SIGN), Screen.SIGN_PIN)
        kiosk.send(pin(SIGN_PIN), Screen.RECEIPT)
    else:  # the PIN entered for the identity signs, in the same card session
        kiosk.send(ConfirmReview(), Screen.RECEIPT)
    kiosk.send(Finish(), Screen.INSERT_CARD)
    # and one that fails half-way: the card pulled out while signing
    kiosk.send(CardInserted(), Screen.AUTH_PIN)
    kiosk.send(pin(AUTH_PIN), Screen.IDENTITY_PIN)
    kiosk.send(pin(TEXT_PIN if source is IdentitySource.TEXT_AP else SIGN_PIN), Screen.IDENTITY)
    kiosk.send(ConfirmIdentity())
    kiosk.send(SubmitForm(form))
    if source is IdentitySource.TEXT_AP:
        kiosk.send(ConfirmReview(), Screen.SIGN_PIN)
        card.faults.remove_at(5)
        kiosk.send(pin(SIGN_PIN), Screen.ERROR)
    else:  # signing on the open session takes few APDUs: the second one fails
        card.faults.remove_at(2)
        kiosk.send(ConfirmReview(), Screen.ERROR)
    card.insert()
    kiosk.send(Finish(), Screen.INSERT_CARD)
    # and one who checks their requests: the 4-digit PIN only, malformed, wrong, right
    kiosk.send(ChooseIntent(Intent.CHECK_STATUS), Screen.INSERT_CARD)
    kiosk.send(CardInserted(), Screen.AUTH_PIN)
    assert kiosk.send(pin(MALFORMED_AUTH), Screen.AUTH_PIN).notice is Notice.BAD_PIN_FORMAT
    assert kiosk.send(pin(WRONG_AUTH), Screen.AUTH_PIN).notice is Notice.WRONG_PIN
    assert kiosk.send(pin(AUTH_PIN), Screen.STATUS).my_requests
    kiosk.send(Finish(), Screen.INSERT_CARD)


@pytest.mark.parametrize("language", ["ja", "en"])
def test_the_kiosk_flow_leaks_nothing(
    state: tuple[Path, Needles],
    tmp_path: Path,
    language: str,
    capfd: pytest.CaptureFixture[str],
) -> None:
    path, needles = state
    card = load_card(path)  # PIN counters written back to the state file
    folder = tmp_path / "ledger"
    folder.mkdir()
    leaks: list[str] = []
    with capture_everything() as (log, collector):
        for source in IdentitySource:
            config = replace(CONFIG, identity_source=source, default_language=language)
            with Ledger.open(
                folder / "ledger.sqlite3", config=ledger_config(config, TRUST, None)
            ) as ledger:
                kiosk = Kiosk(
                    KioskServices(config, mock_card_opener(card), trust_store=TRUST, ledger=ledger),
                    initial(config),
                )
                one_applicant(kiosk, language, source, card)
                files = {p.name: p.read_bytes() for p in folder.iterdir()}  # with the WAL
                for seen in [*kiosk.results, *kiosk.models]:
                    leaks += [f"{type(seen).__name__}: {f}" for f in needles.in_text(repr(seen))]
            files |= {f"{p.name} (closed)": p.read_bytes() for p in folder.iterdir()}
            for name, data in files.items():
                leaks += [f"ledger file {name}: {f}" for f in needles.in_bytes(data)]
    out, err = capfd.readouterr()
    leaks += [f"stdout/stderr: {f}" for f in needles.in_text(out + err)]
    leaks += [f"log: {f}" for f in needles.in_text("\n".join(log.lines))]
    texts = collector.texts()
    leaks += [f"exception: {f}" for f in needles.in_text("\n".join(texts))]
    leaks += [f"state file: {f}" for f in needles.in_bytes(path.read_bytes())]
    assert not leaks, "\n".join(leaks)
    # the check looked at something
    assert {"apdu.trace", "gui.services"} <= log.names
    assert any(n.startswith("sqlalchemy") for n in log.names)
    assert any("> 00 20 00 80 *" in line for line in log.lines)
    assert any("CardRemoved" in t for t in texts) and any("PinIncorrect" in t for t in texts)
    assert any(name.endswith("-wal") for name in files) and len(files) >= 2


# -- PIN buffers ----------------------------------------------------------------------------------


def test_secrets_and_the_effects_carrying_them_are_masked() -> None:
    identity = Identity("見本 花子", "架空県", date(1990, 4, 1), "2", IdentitySource.TEXT_AP)
    form = RequestForm("transcript-ja")
    secret = Secret(SIGN_PIN)
    objects: list[object] = [
        secret,
        PinEntered(secret),
        Authenticate(1, Secret(AUTH_PIN), "ja"),
        ReadIdentity(1, Secret(TEXT_PIN), IdentitySource.TEXT_AP, "ja"),
        ReadIdentity(1, secret, IdentitySource.SIGN_CERTIFICATE, "en"),
        SignAndSubmit(1, secret, form, identity, "ja"),
        [secret],
        {"pin": secret},
    ]
    needles = Needles({f"PIN {p}": p for p in (AUTH_PIN, SIGN_PIN, TEXT_PIN)})
    for obj in objects:
        for text in (repr(obj), str(obj), f"{obj}", f"{obj!r}", format(obj, "")):
            assert not needles.in_text(text), text
    assert "****" in repr(secret) and secret.reveal() == SIGN_PIN
    assert Secret(SIGN_PIN) != Secret(SIGN_PIN)  # not comparable: no equality by value
    assert not hasattr(secret, "__dict__")
    assert Wipe() == Wipe()
