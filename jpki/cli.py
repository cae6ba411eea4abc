"""The ``jpki`` command line: a thin layer over :class:`jpki.JpkiCard`.

PINs come from a hidden prompt or, for automation, from the environment
(``JPKI_AUTH_PIN``, ``JPKI_SIGN_PIN``, ``JPKI_TEXT_PIN``; ``JPKI_NEW_PIN`` for
``pin change``) — never from the command line. The tries left are shown
before a PIN is asked for, in the same card transaction as the VERIFY.

``sign``, ``verify`` and ``authenticate`` live in :mod:`jpki.cli_sign`.

Exit codes: 0 success; 1 the operation failed (wrong or blocked PIN, the card
refused, corrupt data, a signature not valid); 2 usage error (bad arguments, malformed PIN, no PIN
source); 3 no reader, no card, card removed, reader in use, PC/SC unavailable.
"""

from __future__ import annotations

import argparse
import getpass
import json
import logging
import os
import re
import sys
import traceback
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Final, NoReturn

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.serialization import Encoding

from . import errors, readers
from .card import JpkiCard
from .layout import CertKind, PinKind
from .pins import PinPrompt, is_valid_pin, normalize_pin

PROG: Final = "jpki"

EXIT_OK: Final = 0
EXIT_FAILED: Final = 1
EXIT_USAGE: Final = 2
EXIT_NO_CARD: Final = 3
EXIT_INTERRUPTED: Final = 130

PIN_ENV: Final = {
    PinKind.AUTH: "JPKI_AUTH_PIN",
    PinKind.SIGN: "JPKI_SIGN_PIN",
    PinKind.TEXT: "JPKI_TEXT_PIN",
}
NEW_PIN_ENV: Final = "JPKI_NEW_PIN"
LAST_TRY_WARNING: Final = "last try: a wrong PIN now blocks it"

CERT_NAMES: Final = {
    "auth": CertKind.AUTH,
    "auth-ca": CertKind.AUTH_CA,
    "sign": CertKind.SIGN,
    "sign-ca": CertKind.SIGN_CA,
}
STATUS_CERTS: Final = ("auth", "auth-ca", "sign-ca")  # the sign certificate needs the PIN
PIN_NAMES: Final = {kind.value: kind for kind in PinKind}

JST: Final = timezone(timedelta(hours=9), "JST")

_KEY_USAGES: Final = (
    ("digital_signature", "digitalSignature"),
    ("content_commitment", "nonRepudiation"),
    ("key_encipherment", "keyEncipherment"),
    ("data_encipherment", "dataEncipherment"),
    ("key_agreement", "keyAgreement"),
    ("key_cert_sign", "keyCertSign"),
    ("crl_sign", "cRLSign"),
)

READER_HELP: Final = (
    "a part of the reader's name; 'mock' = built-in mock card; default $JPKI_READER"
)

EPILOG: Final = f"""\
PINs are never taken from the command line. They are asked for with a hidden
prompt or, for automation, read from the environment: {PIN_ENV[PinKind.AUTH]},
{PIN_ENV[PinKind.SIGN]}, {PIN_ENV[PinKind.TEXT]}, and {NEW_PIN_ENV} for the new
PIN of 'pin change'. The tries left are shown before a PIN is asked for.

reader: --reader NAME (a part of a PC/SC reader's name) or $JPKI_READER;
'{readers.MOCK_READER}' is the built-in mock card (state file: $JPKI_MOCK_STATE).

exit codes: 0 success, 1 operation failed (wrong or blocked PIN, card refused,
corrupt data, signature not valid), 2 usage error (arguments, malformed PIN, no PIN source),
3 no reader / no card / card removed / reader in use / PC/SC unavailable."""


class UsageError(Exception):
    """The command cannot run as given (exit code 2). Never carries a PIN."""


# -- argument parsing ----------------------------------------------------------------------

# Anything that could be a PIN typed where it does not belong: a word of 4 to 16
# letters and digits holding at least one digit.
_PIN_LIKE = re.compile(r"(?<![\w-])(?=[A-Za-z]*[0-9])[0-9A-Za-z]{4,16}(?![\w-])")


def _redact_pin_like(text: str) -> str:
    return _PIN_LIKE.sub("****", text)


class _Parser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose error messages never echo something that may be a PIN."""

    def error(self, message: str) -> NoReturn:
        message = _redact_pin_like(message)
        if message.startswith("unrecognized arguments"):
            message += (
                " (PINs are never read from the command line: they are asked for, "
                "or read from JPKI_*_PIN)"
            )
        super().error(message)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("jpki-toolkit")
    except PackageNotFoundError:
        pass
    pyproject = Path(__file__).resolve().parent.parent / "pyproject.toml"
    try:
        import tomllib

        found = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["version"]
    except (OSError, ValueError, KeyError, TypeError):
        return "unknown"
    return str(found)


def build_parser() -> argparse.ArgumentParser:
    # Options accepted before and after the subcommand. After it, --reader must not
    # overwrite a value given before it (SUPPRESS), and -v counts separately.
    common = _Parser(add_help=False)
    common.add_argument(
        "--reader",
        metavar="NAME",
        default=argparse.SUPPRESS,
        help=READER_HELP,
    )
    common.add_argument(
        "-v",
        "--verbose",
        dest="sub_verbose",
        action="count",
        default=0,
        help="more detail on errors (-vv: also trace APDUs to stderr, PINs redacted)",
    )
    json_flag = _Parser(add_help=False)
    json_flag.add_argument(
        "--json", action="store_true", help="print JSON (stable keys, UTF-8) instead of text"
    )

    parser = _Parser(
        prog=PROG,
        description=(
            "Japan's My Number card (JPKI): certificates, PINs, the text AP, signatures "
            "(CMS and PDF) and authentication."
        ),
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--reader",
        metavar="NAME",
        default=None,
        help=READER_HELP,
    )
    parser.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=0,
        help="more detail on errors, with traceback (-vv: also trace APDUs to stderr)",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = commands.add_parser(
        "readers",
        parents=[common, json_flag],
        help="list the PC/SC readers (and the built-in mock card)",
        description="List the PC/SC readers; 'mock' is always available as the built-in mock card.",
    )
    p.set_defaults(handler=cmd_readers)

    p = commands.add_parser(
        "status",
        parents=[common, json_flag],
        help="card, token, PIN tries and certificates at a glance (no PIN needed)",
        description=(
            "Show the card's token label, the tries left for the three PINs, and the "
            "subject and expiry of the user-authentication certificate and both CA "
            "certificates. Spends no PIN try."
        ),
    )
    p.set_defaults(handler=cmd_status)

    cert = commands.add_parser("cert", help="certificates on the card")
    cert_commands = cert.add_subparsers(dest="cert_command", metavar="COMMAND", required=True)
    p = cert_commands.add_parser(
        "show",
        parents=[common, json_flag],
        help="print or save a certificate",
        description=(
            "Print a certificate (PEM by default) or save it with -o. 'sign' (the "
            "signature certificate) needs the signature PIN. --json implies --text."
        ),
    )
    p.add_argument("kind", choices=list(CERT_NAMES), help="which certificate")
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument(
        "--pem", dest="format", action="store_const", const="pem", help="PEM (default)"
    )
    fmt.add_argument(
        "--der", dest="format", action="store_const", const="der", help="DER (needs -o or a pipe)"
    )
    fmt.add_argument(
        "--text",
        dest="format",
        action="store_const",
        const="text",
        help="subject, issuer, serial, validity, key usage",
    )
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of stdout")
    p.set_defaults(handler=cmd_cert_show, format=None)

    pin = commands.add_parser("pin", help="PIN tries and PIN change")
    pin_commands = pin.add_subparsers(dest="pin_command", metavar="COMMAND", required=True)
    p = pin_commands.add_parser(
        "status",
        parents=[common, json_flag],
        help="tries left for the auth, sign and text PINs (spends no try)",
        description="Show the tries left for each PIN. Never spends a try.",
    )
    p.set_defaults(handler=cmd_pin_status)
    p = pin_commands.add_parser(
        "change",
        parents=[common],
        help="change a PIN",
        description=(
            "Change a PIN: asks for the current PIN and the new one twice (or reads "
            f"JPKI_<KIND>_PIN and {NEW_PIN_ENV}). Both are checked against the PIN "
            "rules before anything is sent to the card."
        ),
    )
    p.add_argument("kind", choices=list(PIN_NAMES), help="which PIN")
    p.set_defaults(handler=cmd_pin_change)

    text = commands.add_parser("text", help="the text AP (券面事項入力補助AP)")
    text_commands = text.add_subparsers(dest="text_command", metavar="COMMAND", required=True)
    p = text_commands.add_parser(
        "basic",
        parents=[common, json_flag],
        help="name, address, birth date and sex (needs the text-AP PIN)",
        description="Read the basic four (基本4情報) from the text AP; needs its 4-digit PIN.",
    )
    p.set_defaults(handler=cmd_text_basic)

    from .cli_sign import add_sign_parsers  # sign, verify, authenticate

    add_sign_parsers(commands, common, json_flag)

    from .ledger_cli import add_requests_parser  # the ledger's imports load only when used

    add_requests_parser(commands)
    return parser


# -- output helpers ----------------------------------------------------------------------------


def _stdin_is_tty() -> bool:
    try:
        return sys.stdin is not None and sys.stdin.isatty()
    except (ValueError, OSError):
        return False


def _stdout_is_tty() -> bool:
    try:
        return sys.stdout.isatty()
    except (ValueError, OSError):
        return False


def _note(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _print_json(data: object) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def _write_output(data: bytes | str, output: str | None) -> None:
    """``data`` to ``output`` (a file), or to stdout when ``output`` is ``None`` or ``-``."""
    if output is not None and output != "-":
        path = Path(output)
        if isinstance(data, str):
            path.write_text(data, encoding="utf-8")
        else:
            path.write_bytes(data)
        return
    if isinstance(data, str):
        sys.stdout.write(data)
        return
    sys.stdout.flush()
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()


def _jst(moment: datetime) -> datetime:
    return moment.astimezone(JST)


def _text_time(moment: datetime) -> str:
    return _jst(moment).strftime("%Y-%m-%d %H:%M:%S JST")


def _validity(cert: x509.Certificate, now: datetime) -> str:
    if now < cert.not_valid_before_utc:
        return "not_yet_valid"
    if now > cert.not_valid_after_utc:
        return "expired"
    return "valid"


def _key_usage(cert: x509.Certificate) -> tuple[list[str] | None, bool]:
    try:
        ext = cert.extensions.get_extension_for_class(x509.KeyUsage)
    except x509.ExtensionNotFound:
        return None, False
    usage = ext.value
    names = [name for attr, name in _KEY_USAGES if getattr(usage, attr)]
    if usage.key_agreement:
        if usage.encipher_only:
            names.append("encipherOnly")
        if usage.decipher_only:
            names.append("decipherOnly")
    return names, ext.critical


def cert_summary(cert: x509.Certificate, now: datetime | None = None) -> dict[str, Any]:
    """Subject and validity (what ``status`` shows)."""
    now = now or datetime.now(UTC)
    return {
        "subject": cert.subject.rfc4514_string(),
        "not_before": _jst(cert.not_valid_before_utc).isoformat(),
        "not_after": _jst(cert.not_valid_after_utc).isoformat(),
        "validity": _validity(cert, now),
    }


def cert_details(cert: x509.Certificate, now: datetime | None = None) -> dict[str, Any]:
    """What ``cert show --text`` shows."""
    now = now or datetime.now(UTC)
    usage, critical = _key_usage(cert)
    serial = f"{cert.serial_number:X}"
    return {
        "subject": cert.subject.rfc4514_string(),
        "issuer": cert.issuer.rfc4514_string(),
        "serial": serial.rjust(len(serial) + len(serial) % 2, "0"),
        "not_before": _jst(cert.not_valid_before_utc).isoformat(),
        "not_after": _jst(cert.not_valid_after_utc).isoformat(),
        "validity": _validity(cert, now),
        "key_usage": usage,
        "key_usage_critical": critical,
        "sha256_fingerprint": cert.fingerprint(hashes.SHA256()).hex(":").upper(),
    }


_VALIDITY_WORDS: Final = {"valid": "valid", "expired": "EXPIRED", "not_yet_valid": "NOT YET VALID"}


def _cert_text(cert: x509.Certificate, details: dict[str, Any]) -> str:
    usage = details["key_usage"]
    usage_text = "(none)" if usage is None else ", ".join(usage) or "(empty)"
    if details["key_usage_critical"]:
        usage_text += " (critical)"
    return (
        f"subject:     {details['subject']}\n"
        f"issuer:      {details['issuer']}\n"
        f"serial:      {details['serial']} ({cert.serial_number})\n"
        f"not before:  {_text_time(cert.not_valid_before_utc)}\n"
        f"not after:   {_text_time(cert.not_valid_after_utc)}"
        f"  [{_VALIDITY_WORDS[details['validity']]}]\n"
        f"key usage:   {usage_text}\n"
        f"SHA-256:     {details['sha256_fingerprint']}\n"
    )


def _pin_entry(kind: PinKind, tries: int) -> dict[str, Any]:
    return {
        "label": kind.label,
        "tries_left": tries,
        "max_tries": kind.max_tries,
        "blocked": tries == 0,
    }


def _pin_line(kind: PinKind, tries: int) -> str:
    line = f"  {kind.value:<5} {tries}/{kind.max_tries}  {kind.label}"
    if tries == 0:
        line += "  — BLOCKED: only the municipal office can reset it"
    elif tries == 1:
        line += "  — last try"
    return line


def _reader_name(card: JpkiCard, requested: str | None) -> str:
    """The reader the session runs on."""
    return card.reader or readers.requested_reader(requested) or "?"


# -- PINs ------------------------------------------------------------------------------------------


def _env_pin(variable: str) -> str | None:
    return os.environ.get(variable) or None


def _require_pin_source(kind: PinKind, variable: str, what: str = "") -> None:
    """Fail (exit 2) rather than hang when no PIN can be had; check a PIN from the env."""
    pin = _env_pin(variable)
    if pin is not None:
        _check_format(kind, pin, variable)
    elif not _stdin_is_tty():
        which = f"{what} {kind.label}" if what else kind.label
        raise UsageError(f"no {which}: stdin is not a terminal and {variable} is not set")


def _announce_tries(kind: PinKind, tries: int) -> None:
    word = "try" if tries == 1 else "tries"
    message = f"{kind.label}: {tries} {word} left (of {kind.max_tries})"
    if tries == 1:
        message += f"\nwarning: {LAST_TRY_WARNING}"
    _note(message)


def _check_format(kind: PinKind, pin: str, source: str) -> None:
    try:
        normalize_pin(kind, pin)
    except errors.PinFormatError as exc:
        raise errors.PinFormatError(
            kind, f"{source}: {exc}; nothing was sent to the card"
        ) from None


def _ask(prompt: str) -> str:
    try:
        return getpass.getpass(prompt)
    except EOFError:
        raise UsageError("no PIN entered") from None


def _get_pin(kind: PinKind, variable: str, prompt: str) -> str:
    """A PIN from ``variable`` or the hidden prompt, checked against its rule."""
    pin = _env_pin(variable)
    if pin is not None:
        _check_format(kind, pin, variable)
        return pin
    if not _stdin_is_tty():
        raise UsageError(f"no {kind.label}: stdin is not a terminal and {variable} is not set")
    pin = _ask(prompt)
    _check_format(kind, pin, f"the {kind.label} entered")
    return pin


def _get_new_pin(kind: PinKind) -> str:
    pin = _env_pin(NEW_PIN_ENV)
    if pin is not None:
        _check_format(kind, pin, NEW_PIN_ENV)
        return pin
    if not _stdin_is_tty():
        raise UsageError(
            f"no new {kind.label}: stdin is not a terminal and {NEW_PIN_ENV} is not set"
        )
    pin = _ask(f"new {kind.label}: ")
    _check_format(kind, pin, f"the new {kind.label}")
    again = _ask(f"new {kind.label} again: ")
    if not (is_valid_pin(kind, again) and normalize_pin(kind, again) == normalize_pin(kind, pin)):
        raise UsageError(f"the two new {kind.label} entries differ; nothing was sent to the card")
    return pin


def pin_prompt() -> PinPrompt:
    """The :data:`PinSource` callable: shows the tries left, then reads the env or asks."""

    def prompt(kind: PinKind, tries: int) -> str:
        _require_pin_source(kind, PIN_ENV[kind])
        _announce_tries(kind, tries)
        return _get_pin(kind, PIN_ENV[kind], f"{kind.label}: ")

    return prompt


# -- commands ------------------------------------------------------------------------------------


@contextmanager
def _session(args: argparse.Namespace) -> Iterator[JpkiCard]:
    with JpkiCard.open(args.reader) as card:
        yield card


def cmd_readers(args: argparse.Namespace) -> int:
    mock = readers.virtual_reader_info(readers.MOCK_READER)
    error: errors.ReaderError | None = None
    names: list[str] = []
    try:
        names = readers.list_readers()
    except errors.ReaderError as exc:
        error = exc
    if args.json:
        _print_json(
            {
                "pcsc": {
                    "available": error is None,
                    "readers": names,
                    "error": None if error is None else str(error),
                },
                "mock": mock,
            }
        )
    else:
        lines = ["PC/SC readers:"]
        if error is not None:
            lines.append("  (PC/SC is not available)")
        elif not names:
            lines.append("  (none connected)")
        lines += [f"  {name}" for name in names]
        lines.append(
            f"built-in mock card: '{readers.MOCK_READER}' (--reader {readers.MOCK_READER} "
            f"or JPKI_READER={readers.MOCK_READER}; state file {mock['state_file']})"
            if mock is not None
            else "built-in mock card: not installed"
        )
        sys.stdout.write("\n".join(lines) + "\n")
    if error is not None:
        raise error
    return EXIT_OK


def cmd_status(args: argparse.Namespace) -> int:
    now = datetime.now(UTC)
    failures: list[errors.JpkiError] = []
    with _session(args) as card, card.transaction():
        reader = _reader_name(card, args.reader)
        token = card.token_info()
        tries = {kind: card.pin_status(kind) for kind in PinKind}
        certs: dict[str, x509.Certificate | errors.JpkiError] = {}
        for name in STATUS_CERTS:
            try:
                certs[name] = card.read_certificate(CERT_NAMES[name])
            except (errors.CorruptData, errors.CardResponseError) as exc:
                certs[name] = exc
                failures.append(exc)

    if args.json:
        _print_json(
            {
                "reader": reader,
                "card_present": True,
                "token": {"label": token.label, "kind": token.kind},
                "pins": {kind.value: _pin_entry(kind, n) for kind, n in tries.items()},
                "certificates": {
                    name: (
                        {"error": str(c)}
                        if isinstance(c, errors.JpkiError)
                        else cert_summary(c, now)
                    )
                    for name, c in certs.items()
                },
            }
        )
    else:
        lines = [
            f"reader:  {reader}",
            "card:    present (JPKI application found)",
            f"token:   {token.label or '(empty)'} — {token.kind}",
            "PIN tries left:",
            *(_pin_line(kind, n) for kind, n in tries.items()),
            "certificates:",
        ]
        for name, c in certs.items():
            if isinstance(c, errors.JpkiError):
                lines.append(f"  {name:<8} ERROR: {c}")
                continue
            summary = cert_summary(c, now)
            state = _VALIDITY_WORDS[summary["validity"]]
            lines.append(f"  {name:<8} {summary['subject']}")
            lines.append(f"  {'':<8} expires {_text_time(c.not_valid_after_utc)} [{state}]")
        lines.append("  sign     (needs the signature PIN: jpki cert show sign --text)")
        sys.stdout.write("\n".join(lines) + "\n")
    if failures:
        raise failures[0]
    return EXIT_OK


def cmd_cert_show(args: argparse.Namespace) -> int:
    kind = CERT_NAMES[args.kind]
    fmt: str = args.format or ("text" if args.json else "pem")
    if args.json and fmt != "text":
        raise UsageError("--json goes with --text, not with --pem or --der")
    to_stdout = args.output is None or args.output == "-"
    if fmt == "der" and to_stdout and _stdout_is_tty():
        raise UsageError("refusing to write binary DER to a terminal: use -o FILE or a pipe")
    with _session(args) as card:
        pin = pin_prompt() if kind is CertKind.SIGN else None
        cert = card.read_certificate(kind, pin=pin)
    data: bytes | str
    if fmt == "pem":
        data = cert.public_bytes(Encoding.PEM)
    elif fmt == "der":
        data = cert.public_bytes(Encoding.DER)
    elif args.json:
        data = json.dumps(cert_details(cert), ensure_ascii=False, indent=2) + "\n"
    else:
        data = _cert_text(cert, cert_details(cert))
    _write_output(data, args.output)
    return EXIT_OK


def cmd_pin_status(args: argparse.Namespace) -> int:
    with _session(args) as card, card.transaction():
        reader = _reader_name(card, args.reader)
        tries = {kind: card.pin_status(kind) for kind in PinKind}
    if args.json:
        _print_json(
            {
                "reader": reader,
                "pins": {kind.value: _pin_entry(kind, n) for kind, n in tries.items()},
            }
        )
    else:
        lines = ["PIN tries left:", *(_pin_line(kind, n) for kind, n in tries.items())]
        sys.stdout.write("\n".join(lines) + "\n")
    return EXIT_OK


def cmd_pin_change(args: argparse.Namespace) -> int:
    kind = PIN_NAMES[args.kind]
    with _session(args) as card, card.transaction():
        # One transaction: the tries shown are the tries at the VERIFY.
        tries = card.pin_status(kind)
        if tries == 0:
            raise errors.PinBlocked(kind)
        _require_pin_source(kind, PIN_ENV[kind], "current")
        _require_pin_source(kind, NEW_PIN_ENV, "new")
        _announce_tries(kind, tries)
        current = _get_pin(kind, PIN_ENV[kind], f"current {kind.label}: ")
        new = _get_new_pin(kind)
        card.change_pin(kind, current, new)
        del current, new
    sys.stdout.write(f"the {kind.label} has been changed\n")
    return EXIT_OK


def cmd_text_basic(args: argparse.Namespace) -> int:
    with _session(args) as card:
        info = card.read_basic_info(pin_prompt())
    if args.json:
        _print_json(
            {
                "name": info.name,
                "address": info.address,
                "birth_date": info.birth_date.isoformat(),
                "sex": info.sex,
                "sex_label": info.sex_label,
            }
        )
    else:
        sys.stdout.write(
            f"name:        {info.name}\n"
            f"address:     {info.address}\n"
            f"birth date:  {info.birth_date.isoformat()}\n"
            f"sex:         {info.sex_label} ({info.sex})\n"
        )
    return EXIT_OK


# -- errors and the entry point -------------------------------------------------------------------


def exit_code_for(exc: BaseException) -> int:
    """The exit code for an error (see the module's docstring)."""
    if isinstance(exc, UsageError | errors.PinFormatError):
        return EXIT_USAGE
    if isinstance(exc, errors.ReaderError | errors.NotJpkiCard):
        return EXIT_NO_CARD
    return EXIT_FAILED


def _message(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.filename is not None:
        return f"cannot write {exc.filename}: {exc.strerror or exc}"
    text = str(exc) or type(exc).__name__
    if isinstance(exc, errors.JpkiError | UsageError | OSError):
        return text
    return f"unexpected {type(exc).__name__}: {text}"


@contextmanager
def _apdu_trace(enabled: bool) -> Iterator[None]:
    """``-vv``: the ``apdu.trace`` logger (PINs already redacted) at level 5 to stderr."""
    if not enabled:
        yield
        return
    from apdu.trace import TRACE
    from apdu.trace import logger as trace_logger

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("apdu %(message)s"))
    handler.setLevel(TRACE)
    previous = trace_logger.level
    trace_logger.setLevel(TRACE)
    trace_logger.addHandler(handler)
    try:
        yield
    finally:
        trace_logger.removeHandler(handler)
        trace_logger.setLevel(previous)


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``jpki`` with ``argv`` (default ``sys.argv[1:]``); returns the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, usage errors
        if exc.code is None or isinstance(exc.code, int):
            return exc.code or EXIT_OK
        return EXIT_USAGE
    verbose: int = args.verbose + args.sub_verbose
    try:
        with _apdu_trace(verbose >= 2):
            code: int = args.handler(args)
            return code
    except KeyboardInterrupt:
        _note(f"{PROG}: cancelled")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # the reader of our output went away (e.g. `| head`); say nothing more
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError):
            pass
        return EXIT_FAILED
    except Exception as exc:
        if verbose:
            traceback.print_exception(exc, file=sys.stderr)
            name = f"{type(exc).__module__}.{type(exc).__qualname__}"
            _note(f"{PROG}: {name} → exit code {exit_code_for(exc)}")
        _note(f"{PROG}: error: {_message(exc)}")
        return exit_code_for(exc)
