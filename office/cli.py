"""``jpki-office``: serve the office, and its administration on the database itself.

::

    jpki-office --config office.toml db init --admin-url postgresql://postgres@/jpki
    jpki-office --config office.toml kiosk add kiosk-07 --token-file kiosk-07.token
    jpki-office --config office.toml staff add sato --role clerk   # password asked for
    jpki-office --config office.toml serve
    jpki-office --config office.toml audit verify

The administration commands act on the configured database with the audit key,
so they are for whoever runs the office's machine; they are recorded in the
audit trail as ``admin:<login name>``. Staff work through the service
(``jpki requests --office …``). Passwords are asked for (hidden), or read from
``$JPKI_OFFICE_PASSWORD`` for automation — never from the command line.

Exit codes: 0 success; 1 the operation failed (the audit chain is broken, the
database refused); 2 usage error.
"""

from __future__ import annotations

import argparse
import getpass
import json
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Final

from sqlalchemy.exc import SQLAlchemyError

from jpki.ledger import Ledger, LedgerError
from jpki.officeapi.wire import StaffRole

from .config import ConfigError, OfficeConfig, create_audit_key, load_config, read_secret
from .credentials import totp_uri
from .database import SchemaNotCurrent, init_database, open_service_ledger
from .service import OfficeService, ServiceError

__all__ = ["main"]

PROG: Final = "jpki-office"
PASSWORD_ENV: Final = "JPKI_OFFICE_PASSWORD"  # noqa: S105 - a variable name
EXIT_OK: Final = 0
EXIT_FAILED: Final = 1
EXIT_USAGE: Final = 2


class UsageError(Exception):
    pass


def _actor() -> str:
    try:
        who = getpass.getuser()
    except (KeyError, OSError):
        who = "unknown"
    return f"admin:{who}"[:100]


def _password(confirm: bool = True) -> str:
    from_env = os.environ.get(PASSWORD_ENV)
    if from_env:
        return from_env
    if not sys.stdin.isatty():
        raise UsageError(f"no terminal to ask for the password: set ${PASSWORD_ENV}")
    first = getpass.getpass("password: ")
    if confirm and getpass.getpass("again: ") != first:
        raise UsageError("the passwords differ")
    return first


def _write_private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text + "\n")
        f.flush()
        os.fsync(f.fileno())


def _service(config: OfficeConfig) -> OfficeService:
    return OfficeService(open_service_ledger(config.url(), config.ledger_config()))


# -- commands -------------------------------------------------------------------------------


def cmd_serve(args: argparse.Namespace, config: OfficeConfig) -> int:
    from .server import serve

    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING)
    serve(
        config,
        host=args.listen,
        port=args.port,
        tls=not args.no_tls,
        log_level="info" if args.verbose else "warning",
    )
    return EXIT_OK


def cmd_db_init(args: argparse.Namespace, config: OfficeConfig) -> int:
    key_file = config.audit_key_file
    if key_file is None:
        raise UsageError("set [database] audit_key_file in the configuration")
    if not key_file.exists():
        create_audit_key(key_file)
        print(f"{PROG}: a new audit key is in {key_file} (keep a copy somewhere safe)")
    url = args.admin_url or config.url()
    password = None
    if args.service_password_file:
        password = read_secret(Path(args.service_password_file)).decode().strip()
    done = init_database(
        url,
        config.ledger_config(),
        owner=args.owner,
        service=args.service,
        service_password=password,
    )
    print(done)
    return EXIT_OK


def cmd_kiosk(args: argparse.Namespace, config: OfficeConfig) -> int:
    service = _service(config)
    try:
        if args.kiosk_command == "add":
            token = service.add_kiosk(_actor(), args.kiosk_id)
            if args.token_file:
                _write_private(Path(args.token_file), token)
                print(f"kiosk {args.kiosk_id} added; its token is in {args.token_file}")
            else:
                print(f"kiosk {args.kiosk_id} added; its token (shown once):\n{token}")
        elif args.kiosk_command == "revoke":
            service.revoke_kiosk(_actor(), args.kiosk_id)
            print(f"kiosk {args.kiosk_id} revoked")
        else:
            kiosks = service.kiosks()
            if args.json:
                print(json.dumps(kiosks, indent=2))
            for k in kiosks if not args.json else []:
                state = f"revoked {k['revoked_at']}" if k["revoked_at"] else "active"
                print(f"{k['kiosk_id']:<24} {state}")
    finally:
        service.ledger.close()
    return EXIT_OK


def cmd_staff(args: argparse.Namespace, config: OfficeConfig) -> int:
    service = _service(config)
    try:
        if args.staff_command == "add":
            secret = service.add_staff(
                _actor(), args.username, _password(), args.role or [], totp=args.totp
            )
            print(f"{args.username} added ({', '.join(sorted(args.role))})")
            if secret:
                print(f"TOTP: {totp_uri(secret, args.username)}")
        elif args.staff_command == "role":
            service.change_staff(_actor(), args.username, roles=args.role)
            print(f"{args.username}: roles {', '.join(sorted(args.role))}")
        elif args.staff_command in ("disable", "enable"):
            service.change_staff(_actor(), args.username, disabled=args.staff_command == "disable")
            print(f"{args.username} {args.staff_command}d")
        elif args.staff_command == "password":
            service.change_staff(_actor(), args.username, password=_password())
            print(f"{args.username}: password set")
        elif args.staff_command == "totp":
            secret = service.change_staff(_actor(), args.username, totp=not args.off)
            print(
                f"TOTP: {totp_uri(secret, args.username)}"
                if secret
                else f"{args.username}: TOTP off"
            )
        else:
            staff = service.staff_list()
            if args.json:
                print(json.dumps(staff, indent=2))
            for s in staff if not args.json else []:
                flags = ("disabled " if s["disabled"] else "") + ("totp" if s["totp"] else "")
                print(f"{s['username']:<24} {','.join(s['roles']):<28} {flags}")
    finally:
        service.ledger.close()
    return EXIT_OK


def cmd_audit_verify(args: argparse.Namespace, config: OfficeConfig) -> int:
    expect = None
    if args.expect:
        seq, _, digest = args.expect.partition(":")
        if not seq.isdigit() or len(digest) != 64:
            raise UsageError("--expect SEQ:HASH (a position and its 64-digit hash)")
        expect = (int(seq), digest.lower())
    with Ledger.open(config.url(), config=config.ledger_config(), migrate_schema=False) as ledger:
        report = ledger.verify_audit(expect=expect)
    if args.json:
        print(json.dumps(report.to_json_dict(), indent=2, sort_keys=True))
    else:
        print(report.summary())
        for item in report.breaks:
            print(f"  {item.kind:<7} {item.message}")
        if report.truncated:
            print("  … and more")
    return EXIT_OK if report.ok else EXIT_FAILED


# -- parser -------------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="The office service: kiosks submit, staff decide, nothing can be forged.",
        epilog=__doc__.split("Exit codes:", 1)[1].join(("exit codes:", "")) if __doc__ else None,
    )
    parser.add_argument("--config", metavar="TOML", help="the office configuration")
    parser.add_argument("-v", "--verbose", action="count", default=0)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = commands.add_parser("serve", help="serve the HTTPS API")
    p.add_argument("--listen", metavar="ADDRESS", help="default [service] listen")
    p.add_argument("--port", type=int, help="default [service] port")
    p.add_argument("--no-tls", action="store_true", help="plain HTTP (loopback only)")
    p.set_defaults(func=cmd_serve)

    db = commands.add_parser("db", help="the database").add_subparsers(
        dest="db_command", metavar="COMMAND", required=True
    )
    p = db.add_parser("init", help="create the roles and the schema, seal the audit chain")
    p.add_argument("--admin-url", metavar="URL", help="an administrator's URL (PostgreSQL)")
    p.add_argument("--owner", default="jpki_owner", help="the owner role (default jpki_owner)")
    p.add_argument("--service", default="jpki_service", help="the service role")
    p.add_argument("--service-password-file", metavar="FILE", help="the service role's password")
    p.set_defaults(func=cmd_db_init)

    kiosk = commands.add_parser("kiosk", help="kiosks and their tokens").add_subparsers(
        dest="kiosk_command", metavar="COMMAND", required=True
    )
    p = kiosk.add_parser("add", help="register a kiosk; print (or write) its token")
    p.add_argument("kiosk_id", metavar="ID")
    p.add_argument("--token-file", metavar="FILE", help="write the token here (0600)")
    p.set_defaults(func=cmd_kiosk)
    p = kiosk.add_parser("revoke", help="revoke a kiosk's token")
    p.add_argument("kiosk_id", metavar="ID")
    p.set_defaults(func=cmd_kiosk)
    p = kiosk.add_parser("list", help="the kiosks")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_kiosk)

    staff = commands.add_parser("staff", help="staff accounts").add_subparsers(
        dest="staff_command", metavar="COMMAND", required=True
    )
    roles = [r.value for r in StaffRole]
    p = staff.add_parser("add", help="add a member of staff (password asked for)")
    p.add_argument("username", metavar="NAME")
    p.add_argument("--role", action="append", choices=roles, required=True, help="repeatable")
    p.add_argument("--totp", action="store_true", help="also a one-time code (RFC 6238)")
    p.set_defaults(func=cmd_staff)
    p = staff.add_parser("role", help="set a member's roles")
    p.add_argument("username", metavar="NAME")
    p.add_argument("--role", action="append", choices=roles, required=True, help="repeatable")
    p.set_defaults(func=cmd_staff)
    for name in ("disable", "enable", "password"):
        p = staff.add_parser(name, help=f"{name} a member of staff")
        p.add_argument("username", metavar="NAME")
        p.set_defaults(func=cmd_staff)
    p = staff.add_parser("totp", help="turn a member's one-time codes on (new secret) or off")
    p.add_argument("username", metavar="NAME")
    p.add_argument("--off", action="store_true")
    p.set_defaults(func=cmd_staff)
    p = staff.add_parser("list", help="the staff")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_staff)

    audit = commands.add_parser("audit", help="the audit trail").add_subparsers(
        dest="audit_command", metavar="COMMAND", required=True
    )
    p = audit.add_parser("verify", help="walk the hash chain; say where it breaks")
    p.add_argument("--expect", metavar="SEQ:HASH", help="an anchor recorded before")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_audit_verify)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        config = load_config(args.config)
        return int(args.func(args, config))
    except (UsageError, ConfigError, ValueError) as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except ServiceError as exc:
        print(f"{PROG}: error: {exc.message}", file=sys.stderr)
        return EXIT_FAILED
    except (LedgerError, SchemaNotCurrent, OSError) as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except SQLAlchemyError as exc:
        detail = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        print(f"{PROG}: error: database: {detail}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
