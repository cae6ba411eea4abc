"""What each ``jpki requests …`` command does (the parser: :mod:`jpki.cli.requests`), and how
the ledger's errors become the CLI's (:func:`run`).

Staff create a ledger (init), list, show, change, expire, export, purge, audit,
submit and verify requests. JSON output has sorted keys; exports are written
whole, mode 0600 (they hold personal data), never through a link.

What a ledger holds came from kiosks, signatures and staff: every field printed
for a terminal is escaped onto one line (:func:`jpki.verdict.one_line`), and every
cell of a CSV export is escaped too, its control characters and a leading
``= + - @`` (which a spreadsheet would run as a formula) made harmless.
"""

from __future__ import annotations

import argparse
import base64
import getpass
import json
import os
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from ..files import InputTooLarge, read_limited
from ..ledger.export import records_csv
from ..limits import pem_size, size_text
from ..timeutil import jst_text
from ..verdict import escape_controls
from .common import (
    EXIT_FAILED,
    EXIT_OK,
    CommandFailed,
    UsageError,
    check_output,
    looks_like_pin,
    note,
    out,
    parse_time,
    print_json,
    shown,
    table,
    write_output,
)
from .requests_backend import (
    OFFICE_PASSWORD_ENV,
    OFFICE_TOTP_ENV,
    Backend,
    office_target,
    session_path,
    write_session,
)
from .requests_options import (
    ACTOR_ENV,
    RETENTION_ENV,
    actor_of,
    backend_of,
    database_only,
    ledger_config,
    ledger_url,
    open_ledger,
    parse_days,
)

if TYPE_CHECKING:
    from ..ledger import AuditEntry, RequestRecord

__all__ = [
    "cmd_audit",
    "cmd_change",
    "cmd_expire",
    "cmd_export",
    "cmd_init",
    "cmd_list",
    "cmd_login",
    "cmd_logout",
    "cmd_purge",
    "cmd_show",
    "cmd_submit",
    "cmd_verify",
    "run",
]


# -- helpers ------------------------------------------------------------------------------


def _jst(value: datetime | None) -> str:
    return "-" if value is None else jst_text(value, seconds=False)


def _text(value: object) -> str:
    """A field for a terminal: its control characters escaped (so it stays on its line)."""
    return escape_controls("" if value is None else str(value))


def _record_line(record: RequestRecord) -> tuple[str, ...]:
    return tuple(
        _text(v)
        for v in (
            record.request_id,
            _jst(record.submitted_at),
            record.status.value + (" TAMPERED" if record.tampered else ""),
            record.kind,
            record.copies,
            record.delivery_method.value,
            record.applicant_name,
        )
    )


def _filtered(backend: Backend, args: argparse.Namespace) -> list[RequestRecord]:
    return backend.list_requests(
        status=args.status,
        since=parse_time(args.since, "--since") if args.since else None,
        until=parse_time(args.until, "--until", end_of_day=True) if args.until else None,
        kind=args.kind,
        kiosk_id=args.kiosk,
        limit=args.limit,
    )


# -- commands ---------------------------------------------------------------------------


def cmd_list(args: argparse.Namespace) -> int:
    backend = backend_of(args)
    try:
        records = _filtered(backend, args)
    finally:
        backend.close()
    if args.json:
        print_json([r.summary() for r in records], sort_keys=True)
        return EXIT_OK
    if not records:
        note("no requests match")
        return EXIT_OK
    header = ("REQUEST", "SUBMITTED", "STATUS", "KIND", "COPIES", "DELIVERY", "APPLICANT")
    out(table([_record_line(r) for r in records], header))
    tampered = [r.request_id for r in records if r.tampered]
    if tampered:
        note(f"TAMPERED (does not match its signed document or audit trail): {', '.join(tampered)}")
    return EXIT_OK


def _details(record: RequestRecord) -> dict[str, Any]:
    data = record.summary()
    data["document"] = json.loads(record.document)
    data["detached"] = record.detached
    data["signer_issuer"] = record.signer_issuer
    data["signer_serial"] = record.signer_serial
    return data


def cmd_show(args: argparse.Namespace) -> int:
    backend = backend_of(args)
    try:
        record, trail = backend.show(args.request_id)
    finally:
        backend.close()
    if args.document:
        write_output(record.document, None)
        return EXIT_OK
    if args.json:
        data = _details(record)
        data["audit"] = [e.to_json_dict() for e in trail]
        print_json(data, sort_keys=True)
        return EXIT_OK
    request = record.request
    delivery = {"method": request.delivery.method.value, **request.delivery.details()}
    t = _text
    lines = [f"TAMPERED    {t(problem)}" for problem in record.problems]
    lines += [
        f"request     {t(record.request_id)}",
        f"status      {t(record.status.value)}"
        + (f" ({t(record.status_reason)})" if record.status_reason else ""),
        f"submitted   {_jst(record.submitted_at)} from {t(record.kiosk_id)}",
        f"applicant   {t(request.applicant.name)} "
        f"(born {request.applicant.birth_date.isoformat()})",
    ]
    if request.name_at_enrolment:
        lines.append(f"enrolled as {t(request.name_at_enrolment)}")
    if request.student_id:
        lines.append(f"student id  {t(request.student_id)}")
    lines += [
        f"certificate {t(request.kind)} x{request.copies} ({t(request.language)})",
        f"purpose     {t(request.purpose)}",
        "delivery    " + ", ".join(f"{t(k)}={t(v)}" for k, v in delivery.items() if v is not None),
        f"signed      {_jst(record.signing_time)} by serial {t(record.signer_serial)}",
    ]
    if record.issued_at:
        lines.append(f"issued      {_jst(record.issued_at)}")
    if record.expires_at:
        lines.append(f"expires     {_jst(record.expires_at)}")
    lines.append(f"sha-256     {t(record.content_sha256)}")
    lines.append("")
    lines.append("audit trail:")
    for e in trail:
        lines.append("  " + _audit_line(e))
    out("\n".join(lines))
    return EXIT_OK


def _audit_line(e: AuditEntry) -> str:
    change = f"{e.from_status.value if e.from_status else '-'} → "
    change += e.to_status.value if e.to_status else "(purged)"
    text = f"{_jst(e.at)}  {e.action.value:<8}  {change:<24}  {_text(e.actor)}"
    if e.reason:
        text += f"  ({_text(e.reason)})"
    return text


def cmd_change(args: argparse.Namespace) -> int:
    backend = backend_of(args)
    try:
        record = backend.find(args.request_id)
        updated = backend.change(record.request_id, args.change, args.reason)
    finally:
        backend.close()
    if args.json:
        print_json(updated.summary(), sort_keys=True)
    else:
        out(f"{_text(updated.request_id)}: {record.status.value} → {updated.status.value}")
        if updated.expires_at is not None and args.change == "issue":
            out(f"  collect or download by {_jst(updated.expires_at)}")
    return EXIT_OK


def cmd_expire(args: argparse.Namespace) -> int:
    backend = backend_of(args)
    try:
        changed = backend.expire()
    finally:
        backend.close()
    if args.json:
        print_json({"expired": changed}, sort_keys=True)
    else:
        for request_id in changed:
            out(f"{_text(request_id)}: issued → expired")
        note(f"{len(changed)} request(s) expired")
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    check_output(args.output, force=args.force)  # before the ledger is read
    backend = backend_of(args)
    try:
        records = _filtered(backend, args)
        trails = (
            {r.request_id: backend.show(r.request_id)[1] for r in records}
            if args.with_audit
            else {}
        )
    finally:
        backend.close()
    if args.format == "csv":
        if args.with_audit or args.with_signatures:
            raise UsageError("--with-audit and --with-signatures need --format json")
        text = records_csv(records)
    else:
        items = []
        for record in records:
            item = _details(record)
            if args.with_audit:
                item["audit"] = [e.to_json_dict() for e in trails[record.request_id]]
            if args.with_signatures:
                item["document_base64"] = base64.b64encode(record.document).decode("ascii")
                item["signature_base64"] = base64.b64encode(record.signature).decode("ascii")
            items.append(item)
        text = json.dumps(items, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    write_output(text, args.output, private=True, force=args.force)  # personal data: 0600
    if args.output not in (None, "-"):
        note(f"{len(records)} request(s) written to {shown(args.output)}")
    return EXIT_OK


def cmd_purge(args: argparse.Namespace) -> int:
    days: float | None = args.older_than
    if days is None:
        configured = os.environ.get(RETENTION_ENV)
        if not configured:
            raise UsageError(f"say how old: --older-than DAYS (or set ${RETENTION_ENV})")
        try:
            days = parse_days(configured)
        except ValueError as exc:
            raise UsageError(f"${RETENTION_ENV}: {exc}") from None
    database_only(args, "purge")
    actor = actor_of(args)
    with open_ledger(args) as ledger:
        purged = ledger.purge(older_than=timedelta(days=days), actor=actor, dry_run=args.dry_run)
    if args.json:
        print_json({"purged": purged, "dry_run": args.dry_run}, sort_keys=True)
    else:
        verb = "would purge" if args.dry_run else "purged"
        for request_id in purged:
            out(f"{_text(request_id)}: {verb}")
        note(f"{verb} {len(purged)} request(s)")
    return EXIT_OK


def cmd_audit(args: argparse.Namespace) -> int:
    backend = backend_of(args)
    try:
        if args.verify:
            report = backend.verify_audit()
        else:
            request_id = None
            if args.request_id:
                try:
                    request_id = backend.find(args.request_id).request_id
                except LookupError:
                    request_id = args.request_id  # purged requests keep their audit entries
            trail = backend.trail(
                request_id,
                since=parse_time(args.since, "--since") if args.since else None,
                until=parse_time(args.until, "--until", end_of_day=True) if args.until else None,
            )
    finally:
        backend.close()
    if args.verify:
        if args.json:
            print_json(report.to_json_dict(), sort_keys=True)
        else:
            out(report.summary())
            for item in report.breaks:
                out(f"  {item.kind:<7} {item.message}")
        return EXIT_OK if report.ok else EXIT_FAILED
    if args.json:
        print_json([e.to_json_dict() for e in trail], sort_keys=True)
    else:
        for e in trail:
            who = e.request_id or e.subject or "-"
            out(("" if request_id else f"{_text(who)}  ") + _audit_line(e))
    return EXIT_OK


def _submitted(path: str, what: str, limit: int) -> bytes:
    """A file of a submission, read no further than ``limit``: too large is the refusal the
    ledger would give (exit 1), and the file is not read."""
    try:
        return read_limited(path, limit)
    except InputTooLarge as exc:
        held = "more" if exc.size is None else size_text(exc.size)
        raise CommandFailed(
            f"submission refused (too-large): the {what} {shown(path)} holds {held}; at "
            f"most {size_text(limit)} are accepted"
        ) from None
    except OSError as exc:
        raise UsageError(f"cannot read the {what} {shown(path)}: {exc.strerror or exc}") from None


def cmd_submit(args: argparse.Namespace) -> int:
    database_only(args, "submit (kiosks submit to the office)")
    config = ledger_config(args)
    # the sizes before the contents: a 1 GB "document" is refused without being read
    signature = _submitted(args.signature, "signature", pem_size(config.max_signature_size))
    content = (
        _submitted(args.content, "request document", config.max_document_size)
        if args.content
        else None
    )
    actor = getattr(args, "actor", None) or os.environ.get(ACTOR_ENV)
    with open_ledger(args, config) as ledger:
        result = ledger.submit(signature, content, actor=actor)
    record = result.record
    if args.json:
        print_json({"created": result.created, **record.summary()}, sort_keys=True)
    else:
        state = "stored" if result.created else "already stored"
        out(f"{_text(record.request_id)}: {state} ({record.status.value})")
    return EXIT_OK


def cmd_init(args: argparse.Namespace) -> int:
    from ..ledger import Ledger, LedgerNotFound, resolve_url

    url = ledger_url(args)
    where = resolve_url(url).render_as_string(hide_password=True)
    try:
        Ledger.open(url, create=False).close()
        created = False
    except LedgerNotFound:
        Ledger.open(url, create=True).close()
        created = True
    if args.json:
        print_json({"created": created, "database": where}, sort_keys=True)
    else:
        out(f"{'created a new ledger' if created else 'already a ledger'}: {_text(where)}")
    return EXIT_OK


def cmd_verify(args: argparse.Namespace) -> int:
    backend = backend_of(args)
    try:
        result = backend.verify(args.request_id)
    finally:
        backend.close()
    if args.json:
        print_json(result, sort_keys=True)
    else:
        verdict = "valid" if result["valid"] else "NOT VALID"
        out(f"{_text(result['request_id'])}: {verdict}: {_text(result['message'])}")
        for problem in result.get("problems", []):
            out(f"  {_text(problem)}")
    return EXIT_OK if result["valid"] else EXIT_FAILED


def cmd_login(args: argparse.Namespace) -> int:
    """Sign in to the office; the session is kept in a private file for the next commands."""
    import sys

    from ..officeapi import StaffClient

    target = office_target(args)
    if target is None:
        raise UsageError("which office? --office URL (and --office-ca CA.pem)")
    url, ca = target
    password = os.environ.get(OFFICE_PASSWORD_ENV)
    if not password:
        if not sys.stdin.isatty():
            raise UsageError(f"no terminal to ask for the password: set ${OFFICE_PASSWORD_ENV}")
        password = getpass.getpass(f"password for {args.user} at {url}: ")
    code = os.environ.get(OFFICE_TOTP_ENV)
    client = StaffClient(url, ca=ca)
    try:
        try:
            session = client.login(args.user, password, code)
        except Exception as exc:
            from ..officeapi import OfficeRefused

            if not (isinstance(exc, OfficeRefused) and "one-time code" in exc.message):
                raise
            if code or not sys.stdin.isatty():
                raise
            session = client.login(args.user, password, input("one-time code: ").strip())
    finally:
        client.close()
    path = session_path()
    write_session(
        path,
        {
            "url": url,
            "ca": str(Path(ca).resolve()) if ca else None,
            "token": session.token,
            "username": session.username,
            "roles": list(session.roles),
            "expires_at": session.expires_at.isoformat(),
        },
    )
    note(
        f"signed in to {url} as {session.username} ({', '.join(session.roles)}) until "
        f"{jst_text(session.expires_at, seconds=False)}"
    )
    return EXIT_OK


def cmd_logout(args: argparse.Namespace) -> int:
    path = session_path()
    backend = backend_of(args)
    try:
        if backend.office:
            from .requests_backend import OfficeBackend

            assert isinstance(backend, OfficeBackend)
            backend.client.logout()
    finally:
        backend.close()
        path.unlink(missing_ok=True)
    note("signed out")
    return EXIT_OK


# -- running ------------------------------------------------------------------------------


def run(args: argparse.Namespace) -> int:
    """Run a parsed ``requests`` command; the ledger's errors become the CLI's: a usage error
    (exit 2) or a failed command (exit 1) with a one-line message, which never echoes an
    argument that looks like a PIN (``requests show 1234`` → "no request (not shown…)")."""
    try:
        return _run(args)
    except (UsageError, CommandFailed) as exc:
        text = str(exc)
        hidden = _unechoed(text, args)
        if hidden == text:
            raise
        raise type(exc)(hidden) from None  # the original, with the PIN, is not chained


_NOT_SHOWN: Final = "(not shown: it looks like a PIN)"


def _unechoed(message: str, args: argparse.Namespace) -> str:
    """``message`` with every argument of the command that looks like a PIN (and is not an
    existing file) taken out, in whatever case the ledger or the office wrote it back."""
    for value in vars(args).values():
        if not isinstance(value, str):
            continue
        word = value.strip()
        if word and looks_like_pin(word) and not os.path.lexists(value):
            message = re.sub(re.escape(word), _NOT_SHOWN, message, flags=re.IGNORECASE)
    return message


def _run(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from ..errors import JpkiError
    from ..ledger import LedgerError, LedgerNotFound, NotALedger, SubmissionRejected
    from ..officeapi import OfficeRefused
    from ..requests import RequestSchemaError
    from ..trust import TrustDataError

    func: Callable[[argparse.Namespace], int] = args.requests_command_func
    try:
        return func(args)
    except (UsageError, CommandFailed):
        raise
    except (RequestSchemaError, TrustDataError, LedgerNotFound, NotALedger) as exc:
        raise UsageError(_message(exc)) from exc
    except SubmissionRejected as exc:
        raise CommandFailed(f"submission refused ({exc.reason.value}): {exc}") from exc
    except OfficeRefused as exc:
        if exc.status == 401:
            raise CommandFailed(f"{exc.message} (jpki requests login)") from exc
        raise CommandFailed(exc.message) from exc
    except SQLAlchemyError as exc:
        detail = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise CommandFailed(f"database error: {detail}") from exc
    except (LedgerError, JpkiError, OSError, LookupError) as exc:
        raise CommandFailed(_message(exc)) from exc
    except ValueError as exc:  # a value the ledger refuses: the actor, a reason, a time
        raise UsageError(_message(exc)) from exc


def _message(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.filename is not None:
        return f"{exc.filename}: {exc.strerror or exc}"
    if isinstance(exc, KeyError):
        return str(exc.args[0]) if exc.args else "not found"
    return str(exc) or type(exc).__name__
