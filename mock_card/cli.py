"""``jpki-mock-card``: manage the software My Number card's state and serve it to pcscd.

The state file (``--state``, else ``$JPKI_MOCK_STATE``, else ``mock-card.json``
in the user's data directory) holds the card's keys, certificates and PIN try
counters; PINs are kept only as salted hashes and are never printed.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Final, NoReturn

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.serialization import Encoding

from apdu import SW
from jpki.files import UnsafeOutput, write_file
from jpki.timeutil import JST

from . import ctl
from .atrs import ATRS, DEFAULT_ATR_NAME
from .card import MockCard
from .control import ENV_CONTROL, ControlError, default_control_path
from .daemon import STATE_HOLDER, ServeFailure, ServeOptions, pin_counters, serve
from .faults import LatencyModel
from .holders import CardProfile, Holder, Sex
from .pins import PinFormat
from .pki import MockPki
from .profiles import profile_names
from .state import StateError, default_state_path, open_card, save_card

PROG: Final = "jpki-mock-card"
DEFAULT_VPCD_HOST: Final = "localhost"
DEFAULT_VPCD_PORT: Final = 35963  # vpcd's first slot (same as mock_card.vpcd.DEFAULT_PORT)
DEFAULT_VPCD: Final = f"{DEFAULT_VPCD_HOST}:{DEFAULT_VPCD_PORT}"

PIN_NAMES: Final = ("auth", "sign", "text")
PIN_LABELS: Final = {
    "auth": "利用者証明用 user authentication",
    "sign": "署名用 signature",
    "text": "券面事項入力補助用 text AP",
}
CERT_LABELS: Final = {"auth": "利用者証明用 user authentication", "sign": "署名用 signature"}
SEX_LABELS: Final = {Sex.MALE: "male", Sex.FEMALE: "female", Sex.NOT_APPLICABLE: "not applicable"}


class UsageError(Exception):
    """Bad command-line usage (exit status 2)."""


class Failure(Exception):
    """The command could not be carried out (exit status 1)."""


class _Parser(argparse.ArgumentParser):
    """Reports usage errors as one line (``jpki-mock-card: error: ...``), never echoing a PIN."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


_ATR_ALIASES = {"old": "juki", "new": "2017"}  # the option's values before issue 11

# -- entry point -----------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``jpki-mock-card`` with ``argv`` (default ``sys.argv[1:]``); return the exit status."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        handler: Callable[[argparse.Namespace, Path], int] = args.handler
        state = Path(args.state) if args.state else default_state_path()
        return handler(args, state)
    except SystemExit as exc:  # --help / --version
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except UsageError as exc:
        _error(f"{exc} (see '{PROG} --help')")
        return 2
    except (Failure, StateError, ControlError) as exc:
        _error(str(exc))
        return 1
    except OSError as exc:
        _error(f"{exc.strerror or exc}" + (f": {exc.filename}" if exc.filename else ""))
        return 1


def _error(message: str) -> None:
    print(f"{PROG}: error: {' '.join(message.split())}", file=sys.stderr)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG,
        description="Manage the software My Number card (JPKI mock card) and serve it to pcscd.",
        epilog=(
            "The state file holds the card's keys, certificates and PIN counters (PINs only "
            "as salted hashes). Default: $JPKI_MOCK_STATE, else mock-card.json in the user's "
            "data directory. Commands other than 'reset' create a demo card if there is none."
        ),
    )
    parser.add_argument(
        "--state",
        metavar="FILE",
        help="the card's state file (default: $JPKI_MOCK_STATE, else the user's data directory)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    reset = sub.add_parser(
        "reset",
        help="write a fresh card (default: the demo card)",
        description=(
            "Write a fresh card to the state file, replacing any card there. Without options "
            "it is the demo card: holder 見本 花子, valid certificates, PINs auth 1234, "
            "sign ABCD1234, text 1234."
        ),
    )
    defaults = Holder()
    reset.add_argument("--holder-name", metavar="NAME", help=f"氏名 (default {defaults.name})")
    reset.add_argument("--address", metavar="ADDRESS", help=f"住所 (default {defaults.address})")
    reset.add_argument(
        "--birth-date",
        metavar="YYYY-MM-DD",
        type=_birth_date,
        help=f"生年月日 (default {defaults.birth_date.isoformat()})",
    )
    reset.add_argument(
        "--sex",
        choices=[s.value for s in Sex],
        help="性別: 1 male, 2 female, 9 not applicable (default 2)",
    )
    reset.add_argument(
        "--profile",
        choices=[p.value for p in CardProfile],
        default=CardProfile.VALID.value,
        help="the certificates' state now (default valid)",
    )
    reset.add_argument("--auth-pin", metavar="PIN", help="user-authentication PIN, 4 digits")
    reset.add_argument(
        "--sign-pin", metavar="PIN", help="signature PIN, 6-16 A-Z/0-9 with a letter and a digit"
    )
    reset.add_argument("--text-pin", metavar="PIN", help="text-AP PIN, 4 digits")
    reset.add_argument(
        "--atr",
        choices=[*ATRS, "old", "new"],
        default=DEFAULT_ATR_NAME,
        help=f"the ATR, one of those published for real cards (default {DEFAULT_ATR_NAME}, "
        "the contact ATR listed since 2017; 'juki' is the 住基カード's; 'old' = juki and "
        "'new' = 2017, the older names)",
    )
    reset.add_argument(
        "--extended-length", action="store_true", help="accept extended-length APDUs"
    )
    reset.add_argument(
        "--short-read-sw",
        choices=["9000", "6282"],
        default="9000",
        help="status word of a READ BINARY that runs past the end of the file",
    )
    reset.set_defaults(handler=cmd_reset)

    show = sub.add_parser("show", help="describe the card (holder, certificates, PIN counters)")
    show.add_argument("--json", action="store_true", help="print JSON")
    show.set_defaults(handler=cmd_show)

    export = sub.add_parser(
        "export-ca",
        help="write the mock CA certificates and CRLs as PEM",
        description=(
            "Write sign_ca.pem, auth_ca.pem, sign_crl.pem and auth_crl.pem to DIR. The CRLs "
            "list the card's certificates when its profile is 'revoked' and are empty otherwise."
        ),
    )
    export.add_argument("directory", metavar="DIR", type=Path)
    export.set_defaults(handler=cmd_export_ca)

    serve = sub.add_parser(
        "serve",
        help="serve the card to vsmartcard-vpcd (pcscd's virtual reader) until Ctrl-C",
        description=(
            "Serve the card through vsmartcard's vpcd driver, so that pcscd shows it in the "
            "reader 'Virtual PCD 00 00' (port 35963; 'Virtual PCD 00 01' for --vpcd 35964). "
            "PIN counters are saved to the state file as they change, and what 'pin-reset' or "
            "'block' write there meanwhile is taken up. While it runs, 'jpki-mock-card ctl' "
            "drives it (insert, remove, holder, fault, pins, status) over a control socket "
            "that only its user can open. Stops cleanly on Ctrl-C or SIGTERM."
        ),
    )
    serve.add_argument(
        "--vpcd",
        metavar="[HOST:]PORT",
        nargs="?",
        const=DEFAULT_VPCD,
        default=DEFAULT_VPCD,
        help=f"where vpcd listens (default {DEFAULT_VPCD})",
    )
    serve.add_argument(
        "--latency",
        choices=["none", "contact"],
        default="none",
        help="'contact': answer as slowly as a contact reader would",
    )
    serve.add_argument(
        "--holder",
        choices=[STATE_HOLDER, *profile_names()],
        default=STATE_HOLDER,
        metavar="NAME",
        help=(
            f"the card to serve first: '{STATE_HOLDER}' (the state file's, default) or a "
            f"holder profile: {', '.join(profile_names())}"
        ),
    )
    serve.add_argument(
        "--control",
        metavar="PATH",
        help="the control socket (default: $JPKI_MOCK_CONTROL, else vpcd-PORT.sock in "
        "$XDG_RUNTIME_DIR/jpki-mock-card or /tmp/jpki-mock-card-UID)",
    )
    serve.add_argument(
        "--pcscd",
        action="store_true",
        help="start pcscd (with the vpcd driver) if no PC/SC service answers, and stop it "
        "at the end (starting it needs root)",
    )
    serve.add_argument("-v", "--verbose", action="store_true", help="log the vpcd client's details")
    serve.set_defaults(handler=cmd_serve)

    ctl.add_parser(sub, DEFAULT_VPCD_PORT)

    pin_reset = sub.add_parser(
        "pin-reset", help="restore all PIN counters (what the municipal office does)"
    )
    pin_reset.set_defaults(handler=cmd_pin_reset)

    block = sub.add_parser("block", help="block one PIN (for demos and tests)")
    block.add_argument("pin", choices=PIN_NAMES, metavar="{auth,sign,text}")
    block.set_defaults(handler=cmd_block)
    return parser


def _birth_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a YYYY-MM-DD date: {text!r}") from None


# -- reset -------------------------------------------------------------------------


def _pin_arg(value: str | None, option: str, fmt: PinFormat, default: str) -> str:
    if value is None:
        return default
    pin = value.upper() if fmt is PinFormat.SIGN else value
    if not pin.isascii() or not fmt.accepts(pin.encode("ascii")):
        raise UsageError(f"{option} must be {fmt.value}")  # never echo the PIN
    return pin


def cmd_reset(args: argparse.Namespace, state: Path) -> int:
    defaults = Holder()
    birth: date = args.birth_date or defaults.birth_date
    if birth > datetime.now(JST).date():
        raise UsageError("--birth-date is in the future")
    holder = Holder(
        name=args.holder_name if args.holder_name is not None else defaults.name,
        address=args.address if args.address is not None else defaults.address,
        birth_date=birth,
        sex=Sex(args.sex) if args.sex else defaults.sex,
    )
    if not holder.name.strip() or not holder.address.strip():
        raise UsageError("the holder's name and address must not be empty")
    auth_pin = _pin_arg(args.auth_pin, "--auth-pin", PinFormat.DIGITS4, "1234")
    sign_pin = _pin_arg(args.sign_pin, "--sign-pin", PinFormat.SIGN, "ABCD1234")
    text_pin = _pin_arg(args.text_pin, "--text-pin", PinFormat.DIGITS4, "1234")
    custom_pins = any(p is not None for p in (args.auth_pin, args.sign_pin, args.text_pin))
    profile = CardProfile(args.profile)
    try:
        card = MockCard(
            holder=holder,
            profile=profile,
            auth_pin=auth_pin,
            sign_pin=sign_pin,
            text_pin=text_pin,
            atr=ATRS[_ATR_ALIASES.get(args.atr, args.atr)],
            extended_length=args.extended_length,
            short_read_sw=SW.END_OF_FILE if args.short_read_sw == "6282" else SW.OK,
        )
    except ValueError as exc:
        raise UsageError(f"cannot issue such a card: {exc}") from None
    del auth_pin, sign_pin, text_pin
    save_card(card, state)
    print(f"wrote a new mock card to {state}")
    print(f"  holder   {holder.name}, born {holder.birth_date.isoformat()}")
    print(f"  profile  {profile.value}")
    print(f"  PINs     {'as given (not shown)' if custom_pins else 'the demo card PINs'}")
    return 0


# -- reading the state ---------------------------------------------------------------


def _open(state: Path) -> MockCard:
    """The card in ``state``; a new demo card (saved there) if there is none."""
    existed = state.exists()
    card = open_card(state)
    if not existed:
        print(f"{PROG}: no card at {state}; created the demo card there", file=sys.stderr)
    return card


def _jst(moment: datetime) -> str:
    return moment.astimezone(JST).strftime("%Y-%m-%d %H:%M:%S JST")


def _cert_status(cert: x509.Certificate, profile: CardProfile, now: datetime) -> str:
    if now < cert.not_valid_before_utc:
        return "not yet valid"
    if now > cert.not_valid_after_utc:
        return "expired"
    return "revoked" if profile is CardProfile.REVOKED else "valid"


def describe_card(card: MockCard, state: Path) -> dict[str, Any]:
    """What ``show`` prints: no PIN, PIN hash, key or individual number."""
    now = datetime.now(UTC)
    certs: dict[str, Any] = {}
    for name, cert in (("auth", card.credentials.auth_cert), ("sign", card.credentials.sign_cert)):
        certs[name] = {
            "serial": cert.serial_number,
            "serial_hex": f"{cert.serial_number:X}",
            "subject": cert.subject.rfc4514_string(),
            "issuer": cert.issuer.rfc4514_string(),
            "not_before": cert.not_valid_before_utc.isoformat(),
            "not_after": cert.not_valid_after_utc.isoformat(),
            "status": _cert_status(cert, card.profile, now),
        }
    pins = {
        name: {
            "tries_left": pin.tries_left,
            "max_tries": pin.max_tries,
            "blocked": pin.blocked,
        }
        for name, pin in card.pins.items()
    }
    return {
        "state": str(state),
        "holder": {
            "name": card.holder.name,
            "address": card.holder.address,
            "birth_date": card.holder.birth_date.isoformat(),
            "sex": card.holder.sex.value,
            "sex_label": SEX_LABELS[card.holder.sex],
        },
        "profile": card.profile.value,
        "certificates": certs,
        "pins": pins,
        "options": {
            "atr": card.atr.hex(" ").upper(),
            "token_label": card.token_label,
            "extended_length": card.extended_length,
            "short_read_sw": f"{card.short_read_sw:04X}",
            "select_clears_verification": card.select_clears_verification,
        },
    }


def cmd_show(args: argparse.Namespace, state: Path) -> int:
    info = describe_card(_open(state), state)
    if args.json:
        print(json.dumps(info, ensure_ascii=False, indent=2))
        return 0
    h = info["holder"]
    print(f"mock My Number card (マイナンバーカード) in {info['state']}")
    print("holder (基本4情報)")
    print(f"  氏名 name        {h['name']}")
    print(f"  住所 address     {h['address']}")
    print(f"  生年月日 born    {h['birth_date']}")
    print(f"  性別 sex         {h['sex_label']} ({h['sex']})")
    print(f"profile            {info['profile']}")
    print("certificates (電子証明書)")
    for name, cert in info["certificates"].items():
        print(f"  {CERT_LABELS[name]}: {cert['status']}")
        print(f"    serial         {cert['serial_hex']}")
        print(f"    subject        {cert['subject']}")
        not_before = _jst(datetime.fromisoformat(cert["not_before"]))
        not_after = _jst(datetime.fromisoformat(cert["not_after"]))
        print(f"    valid          {not_before} .. {not_after}")
    print("PINs (暗証番号): tries left / max")
    for name, pin in info["pins"].items():
        note = "  BLOCKED ('pin-reset' restores it)" if pin["blocked"] else ""
        print(f"  {pin['tries_left']}/{pin['max_tries']}  {PIN_LABELS.get(name, name)}{note}")
    print("options")
    for key, value in info["options"].items():
        print(f"  {key:<28} {value}")
    return 0


# -- export-ca --------------------------------------------------------------------------


def cmd_export_ca(args: argparse.Namespace, state: Path) -> int:
    card = _open(state)
    pki = MockPki.demo()
    creds = card.credentials
    try:
        creds.sign_cert.verify_directly_issued_by(pki.sign_ca_cert)
        creds.auth_cert.verify_directly_issued_by(pki.auth_ca_cert)
    except (ValueError, TypeError, InvalidSignature):
        raise Failure(
            f"the card in {state} was not issued by the mock PKI; run '{PROG} reset'"
        ) from None
    if card.profile is CardProfile.REVOKED:
        sign_crl, auth_crl = pki.revocation_crls(creds)
    else:
        sign_crl, auth_crl = pki.crl("sign"), pki.crl("auth")
    directory: Path = args.directory
    directory.mkdir(parents=True, exist_ok=True)
    files = {
        "sign_ca.pem": (pki.sign_ca_cert.public_bytes(Encoding.PEM), "signature CA certificate"),
        "auth_ca.pem": (
            pki.auth_ca_cert.public_bytes(Encoding.PEM),
            "user-authentication CA certificate",
        ),
        "sign_crl.pem": (sign_crl.public_bytes(Encoding.PEM), _crl_note("signature", sign_crl)),
        "auth_crl.pem": (
            auth_crl.public_bytes(Encoding.PEM),
            _crl_note("user-authentication", auth_crl),
        ),
    }
    for filename, (pem, what) in files.items():
        target = directory / filename
        try:  # whole or not at all, never through a link (jpki.files)
            write_file(target, pem)
        except (OSError, UnsafeOutput) as exc:
            raise Failure(f"cannot write {target}: {exc}") from None
        print(f"wrote {target}  ({what})")
    return 0


def _crl_note(kind: str, crl: x509.CertificateRevocationList) -> str:
    serials = [f"{entry.serial_number:X}" for entry in crl]
    listed = f"revokes {', '.join(serials)}" if serials else "empty"
    next_update = _jst(crl.next_update_utc or crl.last_update_utc)
    return f"{kind} CA's CRL, {listed}, next update {next_update}"


# -- PIN counters ----------------------------------------------------------------------


def cmd_pin_reset(args: argparse.Namespace, state: Path) -> int:
    card = _open(state)
    card.reset_pins()
    print(f"restored every PIN counter: {pin_counters(card)}")
    return 0


def cmd_block(args: argparse.Namespace, state: Path) -> int:
    card = _open(state)
    name: str = args.pin
    card.block_pin(name)
    print(f"blocked the {PIN_LABELS[name]} PIN; '{PROG} pin-reset' restores it")
    return 0


# -- serve ---------------------------------------------------------------------------------


def parse_endpoint(text: str) -> tuple[str, int]:
    """``[HOST:]PORT`` (``[v6addr]:PORT`` too) as ``(host, port)``; host defaults to localhost."""
    host, sep, port_text = text.rpartition(":")
    if not sep:
        host = DEFAULT_VPCD_HOST
    host = host.strip()
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if not host:
        host = DEFAULT_VPCD_HOST
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise UsageError(f"--vpcd wants [HOST:]PORT with a port 1-65535, not {text!r}")
    return host, int(port_text)


def cmd_serve(args: argparse.Namespace, state: Path) -> int:
    host, port = parse_endpoint(args.vpcd)
    logging.basicConfig(stream=sys.stderr, format=f"{PROG}: %(name)s: %(message)s")
    explicit = args.control is not None or bool(os.environ.get(ENV_CONTROL))
    options = ServeOptions(
        state=state,
        host=host,
        port=port,
        control=Path(args.control) if args.control else default_control_path(port),
        private_control_dir=not explicit,
        holder=args.holder,
        latency=LatencyModel.contact_reader() if args.latency == "contact" else None,
        start_pcscd=args.pcscd,
        verbose=args.verbose,
    )

    def say(message: str) -> None:
        print(f"{PROG}: {message}", file=sys.stderr, flush=True)

    try:
        return serve(options, say)
    except ServeFailure as exc:
        raise Failure(str(exc)) from None


if __name__ == "__main__":
    sys.exit(main())
