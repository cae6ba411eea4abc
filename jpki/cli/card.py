"""``jpki readers``, ``status``, ``cert show``, ``pin status``, ``pin change`` and ``text basic``:
the card itself — its readers, certificates, PIN tries and the text AP.

The tries left are shown before a PIN is asked for, in the same card
transaction as the VERIFY. ``status`` and ``pin status`` spend no try.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from typing import Any, Final

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.serialization import Encoding

from .. import errors, readers
from ..card import JpkiCard
from ..certs import serial_hex
from ..layout import APPLICATION_NAMES as _AP_NAMES
from ..layout import CertKind, PinKind
from ..messages import LANGUAGES, explanation
from ..timeutil import jst_iso, jst_text
from ..token import TokenInfo, TokenKind
from ..verdict import escape_controls, one_line
from .common import (
    EXIT_OK,
    NEW_PIN_ENV,
    PIN_ENV,
    UsageError,
    announce_tries,
    check_output,
    get_new_pin,
    get_pin,
    json_text,
    looks_like_pin,
    out,
    pin_prompt,
    print_json,
    refuse_binary_on_terminal,
    require_pin_source,
    write_output,
)

__all__ = ["CERT_NAMES", "add_card_parsers", "cert_details", "cert_summary", "open_card"]

CERT_NAMES: Final = {
    "auth": CertKind.AUTH,
    "auth-ca": CertKind.AUTH_CA,
    "sign": CertKind.SIGN,
    "sign-ca": CertKind.SIGN_CA,
}
STATUS_CERTS: Final = ("auth", "auth-ca", "sign-ca")  # the sign certificate needs the PIN
PIN_NAMES: Final = {kind.value: kind for kind in PinKind}

_KEY_USAGES: Final = (
    ("digital_signature", "digitalSignature"),
    ("content_commitment", "nonRepudiation"),
    ("key_encipherment", "keyEncipherment"),
    ("data_encipherment", "dataEncipherment"),
    ("key_agreement", "keyAgreement"),
    ("key_cert_sign", "keyCertSign"),
    ("crl_sign", "cRLSign"),
)
_VALIDITY_WORDS: Final = {"valid": "valid", "expired": "EXPIRED", "not_yet_valid": "NOT YET VALID"}


def add_card_parsers(
    commands: Any, card_options: argparse.ArgumentParser, json_flag: argparse.ArgumentParser
) -> None:
    """Add the card's commands to the main parser's subcommands."""
    both = [card_options, json_flag]
    p = commands.add_parser(
        "readers",
        parents=both,
        help="list the PC/SC readers (and the built-in mock card)",
        description="List the PC/SC readers; 'mock' is always available as the built-in mock card.",
    )
    p.set_defaults(handler=cmd_readers)

    p = commands.add_parser(
        "status",
        parents=both,
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
        parents=both,
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
    p.add_argument(
        "--force",
        action="store_true",
        help="replace FILE even if it is a symbolic link or has other hard links "
        "(the link is replaced, never written through)",
    )
    p.set_defaults(handler=cmd_cert_show, format=None)

    pin = commands.add_parser("pin", help="PIN tries and PIN change")
    pin_commands = pin.add_subparsers(dest="pin_command", metavar="COMMAND", required=True)
    p = pin_commands.add_parser(
        "status",
        parents=both,
        help="tries left for the auth, sign and text PINs (spends no try)",
        description="Show the tries left for each PIN. Never spends a try.",
    )
    p.set_defaults(handler=cmd_pin_status)
    p = pin_commands.add_parser(
        "change",
        parents=[card_options],
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
        parents=both,
        help="name, address, birth date and sex (needs the text-AP PIN)",
        description="Read the basic four (基本4情報) from the text AP; needs its 4-digit PIN.",
    )
    p.set_defaults(handler=cmd_text_basic)


@contextmanager
def open_card(args: argparse.Namespace) -> Iterator[JpkiCard]:
    """The card in the reader the arguments name (``--reader``, else ``$JPKI_READER``).
    A reader name that looks like a PIN is not repeated in the error when none matches."""
    with ExitStack() as stack:
        try:
            card = stack.enter_context(JpkiCard.open(args.reader))
        except errors.NoReader as exc:
            wanted = readers.requested_reader(args.reader)
            if wanted and looks_like_pin(wanted):
                masked = str(exc).replace(repr(wanted), "(a name that looks like a PIN)")
                raise errors.NoReader(masked.replace(wanted, "****")) from None
            raise
        yield card


def _reader_name(card: JpkiCard, requested: str | None) -> str:
    """The reader the session runs on."""
    return card.reader or readers.requested_reader(requested) or "?"


# -- certificates ------------------------------------------------------------------------------


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
        "not_before": jst_iso(cert.not_valid_before_utc),
        "not_after": jst_iso(cert.not_valid_after_utc),
        "validity": _validity(cert, now),
    }


def cert_details(cert: x509.Certificate, now: datetime | None = None) -> dict[str, Any]:
    """What ``cert show --text`` shows."""
    summary = cert_summary(cert, now)
    usage, critical = _key_usage(cert)
    return {
        "subject": summary["subject"],
        "issuer": cert.issuer.rfc4514_string(),
        "serial": serial_hex(cert),
        "not_before": summary["not_before"],
        "not_after": summary["not_after"],
        "validity": summary["validity"],
        "key_usage": usage,
        "key_usage_critical": critical,
        "sha256_fingerprint": cert.fingerprint(hashes.SHA256()).hex(":").upper(),
    }


def _cert_text(cert: x509.Certificate, details: dict[str, Any]) -> str:
    usage = details["key_usage"]
    usage_text = "(none)" if usage is None else ", ".join(usage) or "(empty)"
    if details["key_usage_critical"]:
        usage_text += " (critical)"
    return (
        f"subject:     {escape_controls(details['subject'])}\n"
        f"issuer:      {escape_controls(details['issuer'])}\n"
        f"serial:      {details['serial']} ({cert.serial_number})\n"
        f"not before:  {jst_text(cert.not_valid_before_utc)}\n"
        f"not after:   {jst_text(cert.not_valid_after_utc)}"
        f"  [{_VALIDITY_WORDS[details['validity']]}]\n"
        f"key usage:   {usage_text}\n"
        f"SHA-256:     {details['sha256_fingerprint']}\n"
    )


# -- PIN tries ----------------------------------------------------------------------------------


def _tries_if_present(card: JpkiCard, kind: PinKind) -> int | None:
    """Tries left, or ``None`` when the card has no application for this PIN (a Juki card
    or a smartphone token has no text AP)."""
    try:
        return card.pin_status(kind)
    except errors.NotJpkiCard:
        raise
    except errors.ApplicationNotFound:
        return None


def _pin_entry(kind: PinKind, tries: int | None) -> dict[str, Any]:
    """``tries_left`` is ``null`` when the card has no application for this PIN."""
    return {
        "label": kind.label,
        "tries_left": tries,
        "max_tries": kind.max_tries,
        "blocked": tries == 0,
    }


def _pin_line(kind: PinKind, tries: int | None) -> str:
    if tries is None:
        return f"  {kind.value:<5} -    {kind.label}  — this card has no {_AP_NAMES[kind.aid]}"
    line = f"  {kind.value:<5} {tries}/{kind.max_tries}  {kind.label}"
    if tries == 0:
        line += "  — BLOCKED: only the municipal office can reset it"
    elif tries == 1:
        line += "  — last try"
    return line


# -- commands ------------------------------------------------------------------------------------


def cmd_readers(args: argparse.Namespace) -> int:
    mock = readers.virtual_reader_info(readers.MOCK_READER)  # None: mock_card not installed
    error: errors.ReaderError | None = None
    names: list[str] = []
    try:
        names = readers.list_readers()
    except errors.ReaderError as exc:
        error = exc
    if args.json:
        print_json(
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
        lines += [f"  {escape_controls(name)}" for name in names]
        lines.append(
            f"built-in mock card: '{readers.MOCK_READER}' (--reader {readers.MOCK_READER} "
            f"or JPKI_READER={readers.MOCK_READER}; state file {mock['state_file']})"
            if mock is not None
            else "built-in mock card: not installed"
        )
        out("\n".join(lines))
    if error is not None:
        raise error
    return EXIT_OK


def cmd_status(args: argparse.Namespace) -> int:
    now = datetime.now(UTC)
    failures: list[errors.JpkiError] = []
    with open_card(args) as card, card.transaction():
        reader = _reader_name(card, args.reader)
        token = card.token_info()
        tries = {kind: _tries_if_present(card, kind) for kind in PinKind}
        certs: dict[str, x509.Certificate | errors.JpkiError] = {}
        for name in STATUS_CERTS:
            try:
                certs[name] = card.read_certificate(CERT_NAMES[name])
            except errors.PinRequired as exc:  # a smartphone token's auth certificate
                certs[name] = exc
            except (errors.CorruptData, errors.CardResponseError) as exc:
                certs[name] = exc
                failures.append(exc)

    if args.json:
        print_json(
            {
                "reader": reader,
                "card_present": True,
                "token": {
                    "label": token.label,
                    "kind": token.kind.value,
                    "description": token.describe(),
                    "manufacturer": token.manufacturer,
                    "model": token.model,
                    "serial": token.serial,
                },
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
            f"reader:  {escape_controls(reader)}",
            "card:    present (JPKI application found)",
            f"token:   {escape_controls(token.label) or '(empty)'} — {token.describe()}",
            *_token_lines(token),
            "PIN tries left:",
            *(_pin_line(kind, n) for kind, n in tries.items()),
            "certificates:",
        ]
        for name, c in certs.items():
            if isinstance(c, errors.PinRequired):
                lines.append(f"  {name:<8} (this token needs the {c.kind.label} to read it)")
                continue
            if isinstance(c, errors.JpkiError):
                lines.append(f"  {name:<8} ERROR: {one_line(str(c))}")
                continue
            summary = cert_summary(c, now)
            state = _VALIDITY_WORDS[summary["validity"]]
            lines.append(f"  {name:<8} {escape_controls(summary['subject'])}")
            lines.append(f"  {'':<8} expires {jst_text(c.not_valid_after_utc)} [{state}]")
        lines.append("  sign     (needs the signature PIN: jpki cert show sign --text)")
        out("\n".join(lines))
    if failures:
        raise failures[0]
    return EXIT_OK


def _token_lines(token: TokenInfo) -> list[str]:
    """Model and serial of the token, and for a Juki card why it cannot be used (both
    languages)."""
    fields = [
        f"{name} {escape_controls(value)}"
        for name, value in (("model", token.model), ("serial", token.serial))
        if value
    ]
    lines = [f"         {', '.join(fields)}"] if fields else []
    if token.kind is TokenKind.JUKI_CARD:
        lines += [f"         {explanation('juki_card', lang)}" for lang in LANGUAGES]
    return lines


def cmd_cert_show(args: argparse.Namespace) -> int:
    kind = CERT_NAMES[args.kind]
    fmt: str = args.format or ("text" if args.json else "pem")
    if args.json and fmt != "text":
        raise UsageError("--json goes with --text, not with --pem or --der")
    if fmt == "der" and args.output in (None, "-"):
        refuse_binary_on_terminal("binary DER")
    check_output(args.output, force=args.force)  # before the card (and its PIN)
    with open_card(args) as card:
        pin = pin_prompt() if kind is CertKind.SIGN else None
        cert = card.read_certificate(kind, pin=pin)
    data: bytes | str
    if fmt == "pem":
        data = cert.public_bytes(Encoding.PEM)
    elif fmt == "der":
        data = cert.public_bytes(Encoding.DER)
    elif args.json:
        data = json_text(cert_details(cert))
    else:
        data = _cert_text(cert, cert_details(cert))
    write_output(data, args.output, force=args.force)
    return EXIT_OK


def cmd_pin_status(args: argparse.Namespace) -> int:
    with open_card(args) as card, card.transaction():
        reader = _reader_name(card, args.reader)
        tries = {kind: _tries_if_present(card, kind) for kind in PinKind}
    if args.json:
        print_json(
            {
                "reader": reader,
                "pins": {kind.value: _pin_entry(kind, n) for kind, n in tries.items()},
            }
        )
    else:
        out("\n".join(["PIN tries left:", *(_pin_line(kind, n) for kind, n in tries.items())]))
    return EXIT_OK


def cmd_pin_change(args: argparse.Namespace) -> int:
    kind = PIN_NAMES[args.kind]
    with open_card(args) as card, card.transaction():
        # One transaction: the tries shown are the tries at the VERIFY.
        tries = card.pin_status(kind)
        if tries == 0:
            raise errors.PinBlocked(kind)
        require_pin_source(kind, PIN_ENV[kind], "current")
        require_pin_source(kind, NEW_PIN_ENV, "new")
        announce_tries(kind, tries)
        current = get_pin(kind, PIN_ENV[kind], f"current {kind.label}: ")
        new = get_new_pin(kind)
        card.change_pin(kind, current, new)
        del current, new
    out(f"the {kind.label} has been changed")
    return EXIT_OK


def cmd_text_basic(args: argparse.Namespace) -> int:
    with open_card(args) as card:
        info = card.read_basic_info(pin_prompt())
    if args.json:
        print_json(
            {
                "name": info.name,
                "address": info.address,
                "birth_date": info.birth_date.isoformat(),
                "sex": info.sex,
                "sex_label": info.sex_label,
            }
        )
    else:
        out(
            f"name:        {escape_controls(info.name)}\n"
            f"address:     {escape_controls(info.address)}\n"
            f"birth date:  {info.birth_date.isoformat()}\n"
            f"sex:         {info.sex_label} ({info.sex})"
        )
    return EXIT_OK
