"""``jpki requests …``: the parser of the ledger's staff commands (what each does:
:mod:`jpki.cli.requests_commands`).

The database is ``--db URL`` (an SQLite path or URL, or ``postgresql://…``),
else ``$JPKI_LEDGER_URL``, else the SQLite file in the user data folder. It must
be a ledger already: ``jpki requests init`` (or ``--create``) makes a new one, so
that a mistyped path is an error, not an empty ledger. Every
change is recorded in the audit trail under ``--actor NAME`` (else
``$JPKI_ACTOR``, else the login name). Times are shown in JST; ``--since`` /
``--until`` take a date (a whole day in JST; ``--until`` includes that day)
or an ISO time. The document types accepted are the built-in catalogue, or a
kiosk configuration's (``--catalogue kiosk.toml``).

Exit codes: 0 success; 1 the operation failed (no such request, a change the
status does not allow, a submission refused, the database unreachable);
2 usage error (bad arguments; an input file, a catalogue or a ledger that is
missing or not what it should be). The ledger is imported only when a
``requests`` command runs.
"""

from __future__ import annotations

import argparse
from typing import Any, Final

from .requests_commands import (
    cmd_audit,
    cmd_change,
    cmd_expire,
    cmd_export,
    cmd_init,
    cmd_list,
    cmd_login,
    cmd_logout,
    cmd_purge,
    cmd_show,
    cmd_submit,
    cmd_verify,
    run,
)
from .requests_options import (
    ACTOR_ENV,
    MAX_DAYS,
    MAX_LIMIT,
    RETENTION_ENV,
    URL_ENV,
    count_option,
    days_option,
)

__all__ = ["STATUSES", "add_requests_parser"]

#: The statuses ``--status`` takes (those of :class:`jpki.ledger.Status`, without importing
#: the ledger for every ``jpki`` command).
STATUSES: Final = (
    "submitted",
    "approved",
    "rejected",
    "issued",
    "delivered",
    "downloaded",
    "expired",
)

EPILOG: Final = f"""\
office (staff): 'login --office URL --office-ca CA.pem --user NAME' once; then
the commands go to the office as you, with what your roles allow.
database (admins, one machine): --db URL (SQLite path or sqlite:///…, or
postgresql://user@host/db), else ${URL_ENV}, else the SQLite file in the user
data folder. It must be a ledger: 'jpki requests init' (or --create) makes a
new one. Changes are recorded in the audit trail under --actor NAME, else
${ACTOR_ENV}, else the login name.
dates: --since/--until take YYYY-MM-DD (JST; --until includes that day) or an
ISO time.

exit codes: 0 success, 1 operation failed (no such request, change not allowed
in this status, submission refused, database unreachable), 2 usage error (also:
an input file, a catalogue or a ledger missing or not what it should be)."""


# -- parser -----------------------------------------------------------------------------------


def _common(*, suppress: bool) -> argparse.ArgumentParser:
    """--db / --actor / -v, accepted before and after the subcommand (after it, a value
    given before is not overwritten: SUPPRESS)."""
    parser = argparse.ArgumentParser(add_help=False)
    default: Any = argparse.SUPPRESS if suppress else None
    parser.add_argument(
        "--db",
        metavar="URL",
        default=default,
        help=f"ledger database (default ${URL_ENV} or the user data folder's SQLite file)",
    )
    parser.add_argument(
        "--create",
        action="store_true",
        default=argparse.SUPPRESS if suppress else False,
        help="create the ledger if there is none (else a missing one is an error)",
    )
    parser.add_argument(
        "--actor",
        metavar="NAME",
        default=default,
        help=f"database only: who makes the change (default ${ACTOR_ENV} or login name)",
    )
    parser.add_argument(
        "--audit-key",
        metavar="FILE",
        default=default,
        help="database only: the office's audit key file, to change an office's ledger",
    )
    parser.add_argument(
        "--office",
        metavar="URL",
        default=default,
        help="the office service (default $JPKI_OFFICE_URL, else the signed-in session's)",
    )
    parser.add_argument(
        "--office-ca",
        metavar="PEM",
        default=default,
        help="the CA of the office's TLS certificate (default $JPKI_OFFICE_CA)",
    )
    parser.add_argument(
        "-v",
        "--verbose",
        dest="sub_verbose" if not suppress else "requests_verbose",
        action="count",
        default=argparse.SUPPRESS if suppress else 0,
        help="more detail on errors",
    )
    return parser


def _filters() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument(
        "--status",
        action="append",
        choices=STATUSES,
        help="only requests in this status (repeatable)",
    )
    parser.add_argument("--since", metavar="DATE", help="submitted on or after (JST date or time)")
    parser.add_argument("--until", metavar="DATE", help="submitted up to (a date: that day too)")
    parser.add_argument("--kind", metavar="CODE", help="only this document type (its code)")
    parser.add_argument("--kiosk", metavar="ID", help="only requests from this kiosk")
    parser.add_argument(
        "--limit", type=count_option, metavar="N", help=f"at most N requests (0 to {MAX_LIMIT:,})"
    )
    return parser


def _trust_options() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument(
        "--trust-anchor",
        action="append",
        metavar="PEM",
        help="trust these CA certificates instead of the J-LIS roots (repeatable)",
    )
    parser.add_argument("--crl", action="append", metavar="FILE", help="CRL file(s) to use")
    parser.add_argument(
        "--revocation",
        choices=("require", "if-available", "off"),
        default="if-available",
        help="revocation policy (default if-available)",
    )
    parser.add_argument(
        "--catalogue",
        metavar="TOML",
        help="a kiosk configuration: accept the document types its [[catalogue]] lists "
        "(default: the built-in catalogue, the kiosk's default)",
    )
    return parser


def add_requests_parser(subparsers: Any) -> None:
    """Add ``requests`` (with its subcommands) to the main parser's subcommands."""
    top = subparsers.add_parser(
        "requests",
        parents=[_common(suppress=False)],
        help="the certificate-request ledger (staff: list, approve, issue, export, …)",
        description=(
            "Signed certificate requests and their status: list and show them, approve, "
            "reject, issue, deliver, record the one PDF download, export, purge."
        ),
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    top.set_defaults(handler=run, error_prefix="jpki requests")
    commands = top.add_subparsers(dest="requests_command", metavar="COMMAND", required=True)
    common = _common(suppress=True)
    json_flag = argparse.ArgumentParser(add_help=False)
    json_flag.add_argument("--json", action="store_true", help="print JSON instead of text")

    p = commands.add_parser(
        "init",
        parents=[common, json_flag],
        help="create a new ledger (or bring an existing one's schema up to date)",
        description=(
            "Create the ledger at --db (or $JPKI_LEDGER_URL, or the user data folder): a new "
            "SQLite file (mode 0600) or the schema in an empty PostgreSQL database. An "
            "existing ledger is brought up to date; anything else there is left alone."
        ),
    )
    p.set_defaults(requests_command_func=cmd_init)

    p = commands.add_parser(
        "list",
        parents=[common, _filters(), json_flag],
        help="list requests (filters: --status, --since, --until, --kind, --kiosk)",
    )
    p.set_defaults(requests_command_func=cmd_list)

    p = commands.add_parser(
        "show", parents=[common, json_flag], help="one request with its audit trail"
    )
    p.add_argument("request_id", metavar="ID", help="request id (or a unique prefix)")
    p.add_argument(
        "--document", action="store_true", help="print the signed request document as it is"
    )
    p.set_defaults(requests_command_func=cmd_show)

    for name, help_text in (
        ("approve", "submitted → approved (identity and enrolment checked)"),
        ("reject", "submitted → rejected (needs --reason)"),
        ("issue", "approved → issued (starts the 14-day PDF window)"),
        ("deliver", "issued → delivered (posted, handed over, printed at a store)"),
        ("download", "issued → downloaded (the one download of a digital PDF)"),
    ):
        p = commands.add_parser(name, parents=[common, _trust_options(), json_flag], help=help_text)
        p.add_argument("request_id", metavar="ID", help="request id (or a unique prefix)")
        p.add_argument(
            "--reason",
            metavar="TEXT",
            required=name == "reject",
            help="why (recorded in the audit trail)",
        )
        p.set_defaults(requests_command_func=cmd_change, change=name)

    p = commands.add_parser(
        "expire",
        parents=[common, _trust_options(), json_flag],
        help="mark issued requests past their PDF window or print deadline as expired",
    )
    p.set_defaults(requests_command_func=cmd_expire)

    p = commands.add_parser(
        "export", parents=[common, _filters()], help="export requests as CSV or JSON"
    )
    p.add_argument("--format", choices=("csv", "json"), default="csv", help="default csv")
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE (default stdout)")
    p.add_argument(
        "--force",
        action="store_true",
        help="replace FILE even if it is a symbolic link or has other hard links "
        "(the link is replaced, never written through)",
    )
    p.add_argument(
        "--with-audit", action="store_true", help="JSON: include each request's audit trail"
    )
    p.add_argument(
        "--with-signatures",
        action="store_true",
        help="JSON: include the signed document and CMS signature (base64)",
    )
    p.set_defaults(requests_command_func=cmd_export)

    p = commands.add_parser(
        "purge",
        parents=[common, json_flag],
        help="delete finished requests older than --older-than DAYS (audit entries stay)",
    )
    p.add_argument(
        "--older-than",
        type=days_option,
        metavar="DAYS",
        help=(
            "finished (rejected/delivered/downloaded/expired) more than DAYS ago, "
            f"0 to {MAX_DAYS:,} (default ${RETENTION_ENV})"
        ),
    )
    p.add_argument("--dry-run", action="store_true", help="only say what would be purged")
    p.set_defaults(requests_command_func=cmd_purge)

    p = commands.add_parser(
        "audit", parents=[common, json_flag], help="the audit trail (of one request, or all)"
    )
    p.add_argument("request_id", metavar="ID", nargs="?", help="request id (or a unique prefix)")
    p.add_argument("--since", metavar="DATE", help="entries on or after")
    p.add_argument("--until", metavar="DATE", help="entries up to (a date: that day too)")
    p.add_argument(
        "--verify",
        action="store_true",
        help="walk the hash chain of the whole trail and say where it breaks (exit 1)",
    )
    p.set_defaults(requests_command_func=cmd_audit)

    p = commands.add_parser(
        "login",
        parents=[common],
        help="sign in to the office (password asked for); later commands act as you",
    )
    p.add_argument("--user", required=True, metavar="NAME", help="your staff account")
    p.set_defaults(requests_command_func=cmd_login)
    p = commands.add_parser("logout", parents=[common], help="end the office session")
    p.set_defaults(requests_command_func=cmd_logout)

    p = commands.add_parser(
        "submit",
        parents=[common, _trust_options(), json_flag],
        help="verify and store a signed request (CMS .p7s; --content for a detached one)",
    )
    p.add_argument("signature", metavar="P7S", help="the CMS signature (DER or PEM)")
    p.add_argument("--content", metavar="FILE", help="the signed request document (detached)")
    p.set_defaults(requests_command_func=cmd_submit)

    p = commands.add_parser(
        "verify",
        parents=[common, _trust_options(), json_flag],
        help="verify a stored request's signature again",
    )
    p.add_argument("request_id", metavar="ID", help="request id (or a unique prefix)")
    p.set_defaults(requests_command_func=cmd_verify)
