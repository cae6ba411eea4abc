"""Where ``jpki requests`` acts: the office service (staff, with their own sign-in) or the
ledger's database directly (admins, and the single-machine setup).

* **The office** — ``jpki requests login --office URL --office-ca CA.pem --user NAME``
  signs in (password asked for, or ``$JPKI_OFFICE_PASSWORD``; a one-time code when
  the account has one, or ``$JPKI_OFFICE_TOTP``) and keeps the session in a private
  file (``$JPKI_OFFICE_SESSION``, default ``office-session.json`` in the user config
  folder). Later commands use it; the audit trail records the signed-in user and
  ``--actor`` is refused. The office decides what each role may do.
* **The database** — ``--db URL`` or ``$JPKI_LEDGER_URL`` (or no session and no
  office: the default SQLite file): whoever holds the database credentials. Changes
  are recorded under ``--actor``.

:func:`open_backend` picks one: ``--db``/``$JPKI_LEDGER_URL`` → the database;
``--office``/``$JPKI_OFFICE_URL`` or a session file → the office; else the
default SQLite file.
"""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Protocol

from .common import UsageError

if TYPE_CHECKING:
    from ..ledger import AuditEntry, ChainReport, Ledger, RequestRecord
    from ..officeapi import StaffClient

__all__ = [
    "OFFICE_CA_ENV",
    "OFFICE_PASSWORD_ENV",
    "OFFICE_SESSION_ENV",
    "OFFICE_TOTP_ENV",
    "OFFICE_URL_ENV",
    "Backend",
    "LocalBackend",
    "OfficeBackend",
    "open_backend",
    "session_path",
]

OFFICE_URL_ENV: Final = "JPKI_OFFICE_URL"
OFFICE_CA_ENV: Final = "JPKI_OFFICE_CA"
OFFICE_SESSION_ENV: Final = "JPKI_OFFICE_SESSION"
OFFICE_PASSWORD_ENV: Final = "JPKI_OFFICE_PASSWORD"  # noqa: S105 - a variable's name
OFFICE_TOTP_ENV: Final = "JPKI_OFFICE_TOTP"
_MAX_SESSION_FILE: Final = 16 * 1024


class Backend(Protocol):
    office: bool

    def list_requests(self, **filters: Any) -> list[RequestRecord]: ...
    def show(self, prefix: str) -> tuple[RequestRecord, list[AuditEntry]]: ...
    def find(self, prefix: str) -> RequestRecord: ...
    def change(self, prefix: str, action: str, reason: str | None) -> RequestRecord: ...
    def expire(self) -> list[str]: ...
    def trail(self, request_id: str | None, **filters: Any) -> list[AuditEntry]: ...
    def verify(self, prefix: str) -> dict[str, Any]: ...
    def verify_audit(self) -> ChainReport: ...
    def close(self) -> None: ...


class LocalBackend:
    """The ledger's database, directly (changes under ``actor``)."""

    office = False

    def __init__(self, ledger: Ledger, actor: Callable[[], str]) -> None:
        self.ledger = ledger
        self._actor = actor

    def list_requests(self, **filters: Any) -> list[RequestRecord]:
        return self.ledger.list_requests(**filters)

    def find(self, prefix: str) -> RequestRecord:
        return self.ledger.find(prefix)

    def show(self, prefix: str) -> tuple[RequestRecord, list[AuditEntry]]:
        record = self.ledger.find(prefix)
        return record, self.ledger.audit_trail(record.request_id)

    def change(self, prefix: str, action: str, reason: str | None) -> RequestRecord:
        actor = self._actor()
        record = self.ledger.find(prefix)
        return self.ledger.change(record.request_id, action, actor=actor, reason=reason)

    def expire(self) -> list[str]:
        return self.ledger.expire_overdue(actor=self._actor())

    def trail(self, request_id: str | None, **filters: Any) -> list[AuditEntry]:
        return self.ledger.audit_trail(request_id, **filters)

    def verify(self, prefix: str) -> dict[str, Any]:
        record = self.ledger.find(prefix)
        result = self.ledger.reverify(record.request_id)
        problems = list(self.ledger.check(record.request_id).problems)
        return {
            "request_id": record.request_id,
            "valid": result.valid and not problems,
            "reason": None if result.reason is None else str(result.reason),
            "message": result.message,
            "checks": dict(result.checks),
            "problems": problems,
        }

    def verify_audit(self) -> ChainReport:
        return self.ledger.verify_audit()

    def close(self) -> None:
        self.ledger.close()


class OfficeBackend:
    """The office service, as the signed-in member of staff."""

    office = True

    def __init__(self, client: StaffClient) -> None:
        self.client = client

    def list_requests(self, **filters: Any) -> list[RequestRecord]:
        params: dict[str, Any] = {
            "kiosk" if key == "kiosk_id" else key: value.isoformat()
            if isinstance(value, datetime)
            else value
            for key, value in filters.items()
            if value is not None
        }
        return self.client.list_requests(**params)

    def find(self, prefix: str) -> RequestRecord:
        return self.client.find(prefix)[0]

    def show(self, prefix: str) -> tuple[RequestRecord, list[AuditEntry]]:
        return self.client.find(prefix)

    def change(self, prefix: str, action: str, reason: str | None) -> RequestRecord:
        return self.client.change(prefix, action, reason)

    def expire(self) -> list[str]:
        return self.client.expire()

    def trail(self, request_id: str | None, **filters: Any) -> list[AuditEntry]:
        params = {k: v.isoformat() if isinstance(v, datetime) else v for k, v in filters.items()}
        return self.client.audit(request_id=request_id, **params)

    def verify(self, prefix: str) -> dict[str, Any]:
        answer = self.client.verify(prefix)
        answer.setdefault("message", "; ".join(answer.get("problems", [])) or "all checks passed")
        return answer

    def verify_audit(self) -> ChainReport:
        return self.client.audit_verify()

    def close(self) -> None:
        self.client.close()


# -- the session file ------------------------------------------------------------------------------


def session_path() -> Path:
    configured = os.environ.get(OFFICE_SESSION_ENV)
    if configured:
        return Path(configured)
    import platformdirs

    return Path(platformdirs.user_config_dir("jpki")) / "office-session.json"


def read_session(path: Path) -> dict[str, Any] | None:
    """The saved session, or ``None`` when there is none (or it is not ours to trust)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except (FileNotFoundError, OSError):
        return None
    try:
        info = os.fstat(fd)
        if info.st_mode & 0o077 or info.st_uid != os.getuid():
            raise UsageError(f"{path} may be read by others: remove it and sign in again")
        raw = os.read(fd, _MAX_SESSION_FILE + 1)
    finally:
        os.close(fd)
    try:
        data = json.loads(raw)
    except ValueError:
        raise UsageError(f"{path} is not a session file: remove it and sign in again") from None
    if not isinstance(data, dict) or not {"url", "token"} <= set(data):
        raise UsageError(f"{path} is not a session file: remove it and sign in again")
    return data


def write_session(path: Path, data: dict[str, Any]) -> None:
    """Write the session file whole, mode 0600 (a temporary file renamed over it)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    try:
        os.write(fd, json.dumps(data).encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(temporary, path)


def office_target(args: argparse.Namespace) -> tuple[str, str | None] | None:
    """(URL, CA file) of the office named by the options or the environment, or ``None``."""
    url = getattr(args, "office", None) or os.environ.get(OFFICE_URL_ENV)
    if not url:
        return None
    ca = getattr(args, "office_ca", None) or os.environ.get(OFFICE_CA_ENV)
    return str(url), ca


def open_backend(
    args: argparse.Namespace,
    *,
    url_env: str,
    open_ledger: Callable[[], Ledger],
    actor: Callable[[], str],
) -> Backend:
    """The office or the database, as the module docstring says."""
    direct = getattr(args, "db", None) or os.environ.get(url_env)
    target = office_target(args)
    if direct and target:
        raise UsageError("give the database (--db) or the office (--office), not both")
    session = None if direct else read_session(session_path())
    if direct or (target is None and session is None):
        return LocalBackend(open_ledger(), actor)
    if getattr(args, "actor", None):
        raise UsageError("--actor is for the database; the office records who signed in")
    from ..officeapi import StaffClient

    if session is None or (target is not None and session.get("url") != target[0]):
        where = target[0] if target else session_url(session)
        raise UsageError(f"sign in to the office first: jpki requests login --office {where}")
    ca = target[1] if target and target[1] else session.get("ca")
    client = StaffClient(str(session["url"]), ca=ca, token=str(session["token"]))
    return OfficeBackend(client)


def session_url(session: dict[str, Any] | None) -> str:
    return str(session["url"]) if session else "URL"
