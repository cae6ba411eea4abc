"""The ledger: signed certificate requests, their status and an append-only audit trail.

:meth:`Ledger.submit` re-verifies everything before it stores anything: the
CMS signature (chain to the configured trust anchors, the signature
certificate's key usage, revocation by the configured policy), the request
document's schema, that the applicant in the document is the holder of the
certificate that signed, and that the signature is recent. The request row
and its first audit entry are written in one transaction, so a request is
either wholly stored or absent. Submitting the same signed request again
returns the stored record (the key is the request id and the SHA-256 of the
signed bytes); the same id with other bytes is a :class:`RequestConflict`.

Status lifecycle (the seeds: approval takes about two business days, no
refunds, one-time PDF download within 14 days, convenience-store print until
a deadline)::

    submitted ─┬─> approved ──> issued ─┬─> delivered   (post, counter, store print)
               └─> rejected             ├─> downloaded  (digital PDF, once, ≤ 14 days)
                                        └─> expired     (PDF window / print deadline passed)

Every change appends one :class:`AuditEntry` (who, when, from → to, why).
The API has no way to change or delete one; database triggers reject UPDATE
and DELETE on the audit table (and TRUNCATE on PostgreSQL). :meth:`Ledger.purge`
deletes finished requests past a retention age and leaves an audit entry for each.

SQLite (default: ``user_data_dir("jpki")/ledger.sqlite3``, WAL, file mode
0600, ``BEGIN IMMEDIATE`` transactions) or PostgreSQL by URL.
"""

from __future__ import annotations

import hashlib
import os
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any, Final

from sqlalchemy import Engine, create_engine, event, select, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from ..cms import CmsReason, CmsVerification, from_pem, verify_cms
from ..errors import JpkiError
from ..requests import (
    DEFAULT_KIND_CODES,
    JST,
    MAX_DOCUMENT_SIZE,
    CertificateRequest,
    ConvenienceStoreDelivery,
    DeliveryMethod,
    RequestSchemaError,
    SignedRequest,
)
from ..trust import CrlStore, Purpose, RevocationPolicy, TrustStore
from .models import FINAL_STATUSES, AuditAction, AuditRow, RequestRow, Status

__all__ = [
    "DEFAULT_DOWNLOAD_WINDOW",
    "DEFAULT_MAX_SIGNATURE_SIZE",
    "AuditEntry",
    "DeadlinePassed",
    "InvalidTransition",
    "Ledger",
    "LedgerConfig",
    "LedgerError",
    "RejectReason",
    "RequestConflict",
    "RequestNotFound",
    "RequestRecord",
    "SubmissionRejected",
    "SubmitResult",
    "VerifiedRequest",
    "create_ledger_engine",
    "default_ledger_path",
    "migrate",
    "resolve_url",
]

#: A CMS signature of a request with its certificate (and maybe the CA's) is 3-6 KB.
DEFAULT_MAX_SIGNATURE_SIZE: Final = 64 * 1024
DEFAULT_DOWNLOAD_WINDOW: Final = timedelta(days=14)
_MIGRATIONS: Final = Path(__file__).resolve().parent / "migrations"
_MIGRATION_LOCK_KEY: Final = 0x4A504B49_4C454447  # "JPKI" "LEDG"
_MAX_ACTOR: Final = 100
_MAX_REASON: Final = 1000


# -- errors ----------------------------------------------------------------------------------


class LedgerError(JpkiError):
    """Base of the ledger's errors; the message says what to do."""


class RejectReason(StrEnum):
    """Why a submission was refused (nothing was stored)."""

    MALFORMED = "malformed"  # not bytes, empty
    TOO_LARGE = "too-large"
    SIGNATURE = "signature"  # the CMS did not verify (``cms_reason`` says why)
    WRONG_CERTIFICATE = "wrong-certificate"  # not signed with the signature certificate
    SCHEMA = "schema"  # the signed document is not a valid request
    IDENTITY_MISMATCH = "identity-mismatch"  # the document names someone else
    STALE = "stale"  # signed too long ago, or the document postdates the signature
    CONFLICT = "conflict"  # the request id is taken by other signed bytes


class SubmissionRejected(LedgerError):
    """The submission was refused and nothing was stored."""

    def __init__(
        self,
        reason: RejectReason,
        message: str,
        *,
        cms_reason: CmsReason | None = None,
        request_id: str | None = None,
    ) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.cms_reason = cms_reason
        self.request_id = request_id


class RequestConflict(SubmissionRejected):
    """Another signed request with the same request id is already stored."""


class RequestNotFound(LedgerError, LookupError):
    """No request with that id (or id prefix)."""


class InvalidTransition(LedgerError):
    """The request is not in a status that allows this change."""


class DeadlinePassed(InvalidTransition):
    """The download window or print deadline has passed; the request is now expired."""


# -- configuration ---------------------------------------------------------------------------


@dataclass(frozen=True)
class LedgerConfig:
    """How submissions are verified and how long things last.

    ``trust_store`` defaults to the J-LIS production roots. ``allowed_kinds``
    is the office's certificate catalogue (``None``: any well-formed code).
    ``max_signing_age`` bounds how old a signature may be when it is
    submitted (the signing time is the signer's own claim; a short bound keeps
    a holder from back-dating past a revocation and stops replays of old
    signatures); ``None`` disables the check.
    """

    trust_store: TrustStore | None = None
    crls: CrlStore | None = None
    revocation_policy: RevocationPolicy = RevocationPolicy.IF_AVAILABLE
    allowed_kinds: frozenset[str] | None = DEFAULT_KIND_CODES
    max_signature_size: int = DEFAULT_MAX_SIGNATURE_SIZE
    max_signing_age: timedelta | None = timedelta(days=1)
    max_clock_skew: timedelta = timedelta(minutes=5)
    download_window: timedelta = DEFAULT_DOWNLOAD_WINDOW
    sqlite_synchronous: str = "FULL"
    busy_timeout: float = 30.0


# -- records ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class RequestRecord:
    """A stored request (a snapshot; the ledger is the truth)."""

    request_id: str
    status: Status
    status_changed_at: datetime
    status_reason: str | None
    submitted_at: datetime
    kiosk_id: str
    kind: str
    language: str
    copies: int
    delivery_method: DeliveryMethod
    applicant_name: str
    applicant_birth_date: date
    signer_issuer: str
    signer_serial: str
    request_time: datetime
    signing_time: datetime | None
    issued_at: datetime | None
    expires_at: datetime | None
    content_sha256: str
    signature_sha256: str
    document: bytes
    signature: bytes
    detached: bool
    revision: int

    @property
    def request(self) -> CertificateRequest:
        """The signed request document, parsed (any certificate kind accepted)."""
        return CertificateRequest.from_bytes(self.document, allowed_kinds=None)

    def summary(self) -> dict[str, Any]:
        """The columns staff list and export (no signature bytes)."""
        return {
            "request_id": self.request_id,
            "status": self.status.value,
            "status_changed_at": _iso(self.status_changed_at),
            "status_reason": self.status_reason,
            "submitted_at": _iso(self.submitted_at),
            "kiosk_id": self.kiosk_id,
            "kind": self.kind,
            "language": self.language,
            "copies": self.copies,
            "delivery_method": self.delivery_method.value,
            "applicant_name": self.applicant_name,
            "applicant_birth_date": self.applicant_birth_date.isoformat(),
            "request_time": _iso(self.request_time),
            "signing_time": _iso(self.signing_time),
            "issued_at": _iso(self.issued_at),
            "expires_at": _iso(self.expires_at),
            "content_sha256": self.content_sha256,
        }


@dataclass(frozen=True)
class AuditEntry:
    """One change: who did what when, from which status to which, and why."""

    id: int
    request_id: str
    at: datetime
    actor: str
    action: AuditAction
    from_status: Status | None
    to_status: Status | None
    reason: str | None

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "request_id": self.request_id,
            "at": _iso(self.at),
            "actor": self.actor,
            "action": self.action.value,
            "from_status": self.from_status.value if self.from_status else None,
            "to_status": self.to_status.value if self.to_status else None,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class VerifiedRequest:
    """A submission that passed every check (what :meth:`Ledger.verify` returns)."""

    request: CertificateRequest
    document: bytes
    signature: bytes
    detached: bool
    verification: CmsVerification
    content_sha256: str
    signature_sha256: str


@dataclass(frozen=True)
class SubmitResult:
    record: RequestRecord
    created: bool  # False: the same signed request was already stored


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).isoformat()


def _record(row: RequestRow) -> RequestRecord:
    return RequestRecord(
        request_id=row.request_id,
        status=Status(row.status),
        status_changed_at=row.status_changed_at,
        status_reason=row.status_reason,
        submitted_at=row.submitted_at,
        kiosk_id=row.kiosk_id,
        kind=row.kind,
        language=row.language,
        copies=row.copies,
        delivery_method=DeliveryMethod(row.delivery_method),
        applicant_name=row.applicant_name,
        applicant_birth_date=row.applicant_birth_date,
        signer_issuer=row.signer_issuer,
        signer_serial=row.signer_serial,
        request_time=row.request_time,
        signing_time=row.signing_time,
        issued_at=row.issued_at,
        expires_at=row.expires_at,
        content_sha256=row.content_sha256,
        signature_sha256=row.signature_sha256,
        document=bytes(row.document),
        signature=bytes(row.signature),
        detached=row.detached,
        revision=row.revision,
    )


def _entry(row: AuditRow) -> AuditEntry:
    return AuditEntry(
        id=row.id,
        request_id=row.request_id,
        at=row.at,
        actor=row.actor,
        action=AuditAction(row.action),
        from_status=Status(row.from_status) if row.from_status else None,
        to_status=Status(row.to_status) if row.to_status else None,
        reason=row.reason,
    )


# -- engines and migrations ---------------------------------------------------------------


def default_ledger_path() -> Path:
    """``platformdirs.user_data_dir("jpki")/ledger.sqlite3``."""
    import platformdirs

    return Path(platformdirs.user_data_dir("jpki")) / "ledger.sqlite3"


def resolve_url(url: str | os.PathLike[str] | URL | None = None) -> URL:
    """The SQLAlchemy URL of a ledger: ``None`` is the default SQLite file; a path (no
    ``://``) is an SQLite file; ``postgresql://`` (or ``postgres://``) uses psycopg 3."""
    if url is None:
        url = default_ledger_path()
    if isinstance(url, URL):
        resolved = url
    elif isinstance(url, os.PathLike) or "://" not in url:
        resolved = URL.create("sqlite", database=str(Path(url).expanduser().absolute()))
    else:
        resolved = make_url(url)
    if resolved.drivername in ("postgresql", "postgres"):
        resolved = resolved.set(drivername="postgresql+psycopg")
    return resolved


def _sqlite_file(url: URL) -> Path | None:
    database = url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database)


def _prepare_sqlite_file(path: Path) -> None:
    """Create the database file (and its folder, 0700) with mode 0600 before SQLite opens it;
    SQLite gives its -wal and -shm files the database file's mode."""
    if not path.parent.exists():
        path.parent.mkdir(parents=True, mode=0o700, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    os.close(fd)
    for candidate in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        try:
            if candidate.stat().st_mode & 0o077:
                candidate.chmod(0o600)
        except FileNotFoundError:
            continue


def create_ledger_engine(
    url: str | os.PathLike[str] | URL | None = None,
    *,
    config: LedgerConfig | None = None,
    echo: bool = False,
) -> Engine:
    """An engine set up for the ledger (SQLite: WAL, ``synchronous``, busy timeout,
    ``BEGIN IMMEDIATE``; PostgreSQL: psycopg 3)."""
    cfg = config or LedgerConfig()
    resolved = resolve_url(url)
    if resolved.get_backend_name() != "sqlite":
        return create_engine(resolved, echo=echo, pool_pre_ping=True)
    synchronous = cfg.sqlite_synchronous.upper()
    if synchronous not in ("OFF", "NORMAL", "FULL", "EXTRA"):
        raise ValueError(
            f"sqlite_synchronous must be OFF, NORMAL, FULL or EXTRA, not {synchronous}"
        )
    path = _sqlite_file(resolved)
    if path is not None:
        _prepare_sqlite_file(path)
    engine = create_engine(resolved, echo=echo, connect_args={"timeout": cfg.busy_timeout})
    busy_ms = int(cfg.busy_timeout * 1000)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy (the "begin" hook) issue BEGIN, not the sqlite3 module.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {busy_ms}")
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute(f"PRAGMA synchronous = {synchronous}")
            cursor.execute("PRAGMA foreign_keys = ON")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Take the write lock up front: no deadlock upgrading a read lock, and the
        # busy timeout applies.
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def alembic_config() -> Any:
    """The Alembic configuration of the ledger's migrations (``alembic.config.Config``)."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(_MIGRATIONS))
    cfg.set_main_option("path_separator", "os")
    return cfg


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` in one transaction, serialised between processes
    (SQLite: ``BEGIN IMMEDIATE``; PostgreSQL: an advisory lock)."""
    from alembic import command

    cfg = alembic_config()
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK_KEY}
            )
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, revision)


# -- checks --------------------------------------------------------------------------------


def _check_actor(actor: object) -> str:
    if not isinstance(actor, str) or not actor.strip():
        raise ValueError("the actor (who makes the change) must be a non-empty name")
    if len(actor) > _MAX_ACTOR or any(unicodedata.category(c) == "Cc" for c in actor):
        raise ValueError(f"the actor must be at most {_MAX_ACTOR} printable characters")
    return actor


def _check_reason(reason: str | None, *, required: bool = False) -> str | None:
    if reason is None or not reason.strip():
        if required:
            raise ValueError("a reason is required")
        return None
    if len(reason) > _MAX_REASON:
        raise ValueError(f"the reason must be at most {_MAX_REASON} characters")
    return reason


def _aware(at: datetime, what: str = "at") -> datetime:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware")
    return at.astimezone(UTC)


def _jst_text(value: datetime) -> str:
    return value.astimezone(JST).strftime("%Y-%m-%d %H:%M JST")


# -- the ledger ------------------------------------------------------------------------------


class Ledger:
    """Signed certificate requests in a database (see the module docstring).

    ``Ledger.open(url, config=...)`` makes the engine and runs the migrations;
    ``Ledger(engine, config)`` uses an engine as it is. ``clock`` (default:
    the system clock, UTC) gives the time of changes made without ``at``.
    """

    def __init__(
        self,
        engine: Engine,
        config: LedgerConfig | None = None,
        *,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.engine = engine
        self.config = config or LedgerConfig()
        self._trust_store = self.config.trust_store or TrustStore.production()
        self._clock = clock or (lambda: datetime.now(UTC))
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @classmethod
    def open(
        cls,
        url: str | os.PathLike[str] | URL | None = None,
        *,
        config: LedgerConfig | None = None,
        migrate_schema: bool = True,
        clock: Callable[[], datetime] | None = None,
        echo: bool = False,
    ) -> Ledger:
        engine = create_ledger_engine(url, config=config, echo=echo)
        try:
            if migrate_schema:
                migrate(engine)
        except BaseException:
            engine.dispose()
            raise
        return cls(engine, config, clock=clock)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    @property
    def backend(self) -> str:
        return self.engine.dialect.name

    def __repr__(self) -> str:
        return f"<Ledger {self.engine.url.render_as_string(hide_password=True)}>"

    def now(self) -> datetime:
        return _aware(self._clock(), "the clock's time")

    def _when(self, at: datetime | None) -> datetime:
        return self.now() if at is None else _aware(at)

    @contextmanager
    def _transaction(self) -> Iterator[Session]:
        with self._sessions.begin() as session:
            yield session

    # -- submission ------------------------------------------------------------------------

    def verify(
        self,
        signature: bytes,
        content: bytes | None = None,
        *,
        at: datetime | None = None,
    ) -> VerifiedRequest:
        """Every check :meth:`submit` makes, without storing; raises
        :class:`SubmissionRejected`."""
        cfg = self.config
        now = self._when(at)
        if not isinstance(signature, bytes | bytearray | memoryview):
            raise SubmissionRejected(
                RejectReason.MALFORMED, f"a signature is bytes, not {type(signature).__name__}"
            )
        signature = bytes(signature)
        if not signature:
            raise SubmissionRejected(RejectReason.MALFORMED, "the signature is empty")
        if len(signature) > cfg.max_signature_size:
            raise SubmissionRejected(
                RejectReason.TOO_LARGE,
                f"the signature is {len(signature)} bytes; at most {cfg.max_signature_size} "
                "are accepted",
            )
        if content is not None:
            if not isinstance(content, bytes | bytearray | memoryview):
                raise SubmissionRejected(
                    RejectReason.MALFORMED,
                    f"the signed content is bytes, not {type(content).__name__}",
                )
            content = bytes(content)
            if len(content) > MAX_DOCUMENT_SIZE:
                raise SubmissionRejected(
                    RejectReason.TOO_LARGE,
                    f"the request document is {len(content)} bytes; at most "
                    f"{MAX_DOCUMENT_SIZE} are accepted",
                )
        if signature.lstrip()[:11] == b"-----BEGIN ":
            try:
                signature = from_pem(signature)
            except ValueError as exc:
                raise SubmissionRejected(RejectReason.MALFORMED, str(exc)) from None

        result = verify_cms(
            signature,
            content,
            trust_store=self._trust_store,
            crls=cfg.crls,
            policy=cfg.revocation_policy,
            purpose=Purpose.SIGNATURE,
            at=now,
        )
        if not result.valid:
            if result.reason is CmsReason.WRONG_KEY_USAGE:
                raise SubmissionRejected(
                    RejectReason.WRONG_CERTIFICATE, result.message, cms_reason=result.reason
                )
            raise SubmissionRejected(
                RejectReason.SIGNATURE,
                f"the signature is not accepted ({result.reason}): {result.message}",
                cms_reason=result.reason,
            )
        signer = result.signer_certificate
        if signer is None or result.holder is None:
            raise SubmissionRejected(
                RejectReason.WRONG_CERTIFICATE,
                "the signer's certificate carries no holder attributes: a request must be "
                "signed with the signature certificate (署名用電子証明書)",
            )
        detached = result.content is None
        document = content if detached else result.content
        assert document is not None
        if len(document) > MAX_DOCUMENT_SIZE:
            raise SubmissionRejected(
                RejectReason.TOO_LARGE,
                f"the request document is {len(document)} bytes; at most {MAX_DOCUMENT_SIZE} "
                "are accepted",
            )
        try:
            request = CertificateRequest.from_bytes(document, allowed_kinds=cfg.allowed_kinds)
        except RequestSchemaError as exc:
            raise SubmissionRejected(
                RejectReason.SCHEMA, f"the signed document is not a valid request: {exc}"
            ) from None
        mismatch = request.applicant.matches(result.holder, signer)
        if mismatch is not None:
            raise SubmissionRejected(
                RejectReason.IDENTITY_MISMATCH, mismatch, request_id=request.request_id
            )
        signing_time = result.signing_time
        if signing_time is not None:
            if cfg.max_signing_age is not None and now - signing_time > cfg.max_signing_age:
                raise SubmissionRejected(
                    RejectReason.STALE,
                    f"the request was signed at {_jst_text(signing_time)}, longer ago than "
                    f"{cfg.max_signing_age} before {_jst_text(now)}: sign it again",
                    request_id=request.request_id,
                )
            if request.time > signing_time + cfg.max_clock_skew:
                raise SubmissionRejected(
                    RejectReason.STALE,
                    f"the request is dated {_jst_text(request.time)}, after it was signed "
                    f"({_jst_text(signing_time)})",
                    request_id=request.request_id,
                )
        return VerifiedRequest(
            request=request,
            document=document,
            signature=signature,
            detached=detached,
            verification=result,
            content_sha256=hashlib.sha256(document).hexdigest(),
            signature_sha256=hashlib.sha256(signature).hexdigest(),
        )

    def submit(
        self,
        signature: bytes,
        content: bytes | None = None,
        *,
        actor: str | None = None,
        at: datetime | None = None,
    ) -> SubmitResult:
        """Verify and store a signed request (``content``: the document of a detached
        signature). Idempotent; raises :class:`SubmissionRejected` (storing nothing)."""
        now = self._when(at)
        verified = self.verify(signature, content, at=now)
        return self._store(verified, actor=actor, at=now)

    def submit_signed(
        self, signed: SignedRequest, *, actor: str | None = None, at: datetime | None = None
    ) -> SubmitResult:
        return self.submit(
            signed.signature, signed.document if signed.detached else None, actor=actor, at=at
        )

    def _store(self, verified: VerifiedRequest, *, actor: str | None, at: datetime) -> SubmitResult:
        request = verified.request
        who = _check_actor(actor if actor is not None else f"kiosk:{request.kiosk_id}")
        for _attempt in range(5):
            try:
                with self._transaction() as session:
                    existing = session.scalars(
                        select(RequestRow).where(RequestRow.request_id == request.request_id)
                    ).one_or_none()
                    if existing is not None:
                        return self._existing(existing, verified)
                    row = self._new_row(verified, at)
                    session.add(row)
                    session.add(
                        AuditRow(
                            request_id=request.request_id,
                            at=at,
                            actor=who,
                            action=AuditAction.SUBMIT.value,
                            from_status=None,
                            to_status=Status.SUBMITTED.value,
                            reason=None,
                        )
                    )
                return SubmitResult(_record(row), created=True)
            except IntegrityError:
                # Another process stored this request id between our read and our
                # insert (PostgreSQL); read it again.
                continue
        raise LedgerError(f"could not store request {request.request_id}: it kept conflicting")

    @staticmethod
    def _existing(row: RequestRow, verified: VerifiedRequest) -> SubmitResult:
        if row.content_sha256 != verified.content_sha256:
            raise RequestConflict(
                RejectReason.CONFLICT,
                f"request {row.request_id} is already stored with other signed content "
                f"(SHA-256 {row.content_sha256[:16]}…); a new request needs a new id",
                request_id=row.request_id,
            )
        return SubmitResult(_record(row), created=False)

    def _new_row(self, verified: VerifiedRequest, at: datetime) -> RequestRow:
        request = verified.request
        return RequestRow(
            request_id=request.request_id,
            content_sha256=verified.content_sha256,
            signature_sha256=verified.signature_sha256,
            document=verified.document,
            signature=verified.signature,
            detached=verified.detached,
            document_version=1,
            kiosk_id=request.kiosk_id,
            kind=request.kind,
            language=request.language,
            copies=request.copies,
            delivery_method=request.delivery.method.value,
            applicant_name=request.applicant.name,
            applicant_birth_date=request.applicant.birth_date,
            signer_issuer=request.applicant.certificate_issuer,
            signer_serial=request.applicant.certificate_serial,
            request_time=request.time,
            signing_time=verified.verification.signing_time,
            submitted_at=at,
            status=Status.SUBMITTED.value,
            status_changed_at=at,
            status_reason=None,
            issued_at=None,
            expires_at=None,
        )

    # -- queries -------------------------------------------------------------------------

    def get(self, request_id: str) -> RequestRecord:
        """The request with this id; :class:`RequestNotFound` if there is none."""
        with self._transaction() as session:
            row = session.scalars(
                select(RequestRow).where(RequestRow.request_id == request_id)
            ).one_or_none()
            if row is None:
                raise RequestNotFound(f"no request {request_id}")
            return _record(row)

    def find(self, prefix: str) -> RequestRecord:
        """The request whose id is or starts with ``prefix`` (at least 4 characters)."""
        prefix = prefix.strip().lower()
        if len(prefix) < 4:
            raise RequestNotFound("give at least 4 characters of the request id")
        escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        with self._transaction() as session:
            rows = session.scalars(
                select(RequestRow)
                .where(RequestRow.request_id.like(escaped + "%", escape="\\"))
                .order_by(RequestRow.request_id)
                .limit(2)
            ).all()
            exact = [r for r in rows if r.request_id == prefix]
            if exact:
                return _record(exact[0])
            if not rows:
                raise RequestNotFound(f"no request {prefix}")
            if len(rows) > 1:
                raise RequestNotFound(f"{prefix} matches more than one request; give more of it")
            return _record(rows[0])

    def list_requests(
        self,
        *,
        status: Status | str | Iterable[Status | str] | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        kind: str | None = None,
        kiosk_id: str | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[RequestRecord]:
        """Requests by submission time (oldest first), filtered by status (one or
        several), submission time ``since`` <= t < ``until``, kind and kiosk."""
        query = select(RequestRow)
        if status is not None:
            wanted = [status] if isinstance(status, str) else list(status)
            query = query.where(RequestRow.status.in_([Status(s).value for s in wanted]))
        if since is not None:
            query = query.where(RequestRow.submitted_at >= _aware(since, "since"))
        if until is not None:
            query = query.where(RequestRow.submitted_at < _aware(until, "until"))
        if kind is not None:
            query = query.where(RequestRow.kind == kind)
        if kiosk_id is not None:
            query = query.where(RequestRow.kiosk_id == kiosk_id)
        query = query.order_by(RequestRow.submitted_at, RequestRow.id).offset(offset)
        if limit is not None:
            query = query.limit(limit)
        with self._transaction() as session:
            return [_record(row) for row in session.scalars(query)]

    def count(self) -> dict[Status, int]:
        """How many requests are in each status."""
        from sqlalchemy import func

        with self._transaction() as session:
            rows = session.execute(
                select(RequestRow.status, func.count()).group_by(RequestRow.status)
            ).all()
        counts = dict.fromkeys(Status, 0)
        for status, n in rows:
            counts[Status(status)] = int(n)
        return counts

    def audit_trail(
        self,
        request_id: str | None = None,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int | None = None,
    ) -> list[AuditEntry]:
        """Audit entries in the order they were written (of one request, or all)."""
        query = select(AuditRow)
        if request_id is not None:
            query = query.where(AuditRow.request_id == request_id)
        if since is not None:
            query = query.where(AuditRow.at >= _aware(since, "since"))
        if until is not None:
            query = query.where(AuditRow.at < _aware(until, "until"))
        query = query.order_by(AuditRow.id)
        if limit is not None:
            query = query.limit(limit)
        with self._transaction() as session:
            return [_entry(row) for row in session.scalars(query)]

    def reverify(self, request_id: str, *, at: datetime | None = None) -> CmsVerification:
        """Verify the stored signature over the stored bytes again (with this ledger's trust
        configuration; the certificate is judged at the signing time it claims)."""
        record = self.get(request_id)
        return verify_cms(
            record.signature,
            record.document if record.detached else None,
            trust_store=self._trust_store,
            crls=self.config.crls,
            policy=self.config.revocation_policy,
            purpose=Purpose.SIGNATURE,
            at=self._when(at),
        )

    # -- status changes ------------------------------------------------------------------

    def _locked(self, session: Session, request_id: str) -> RequestRow:
        row = session.scalars(
            select(RequestRow).where(RequestRow.request_id == request_id).with_for_update()
        ).one_or_none()
        if row is None:
            raise RequestNotFound(f"no request {request_id}")
        return row

    @staticmethod
    def _apply(
        session: Session,
        row: RequestRow,
        *,
        to: Status,
        action: AuditAction,
        actor: str,
        reason: str | None,
        at: datetime,
    ) -> None:
        session.add(
            AuditRow(
                request_id=row.request_id,
                at=at,
                actor=actor,
                action=action.value,
                from_status=row.status,
                to_status=to.value,
                reason=reason,
            )
        )
        row.status = to.value
        row.status_changed_at = at
        row.status_reason = reason

    def _change(
        self,
        request_id: str,
        *,
        action: AuditAction,
        to: Status,
        allowed_from: frozenset[Status],
        actor: str,
        reason: str | None,
        at: datetime | None,
        prepare: Callable[[RequestRow, datetime], None] | None = None,
    ) -> RequestRecord:
        who = _check_actor(actor)
        when = self._when(at)
        with self._transaction() as session:
            row = self._locked(session, request_id)
            if Status(row.status) not in allowed_from:
                raise InvalidTransition(
                    f"request {request_id} is {row.status}; it cannot be {_PAST[action]} "
                    f"(only a request that is {' or '.join(sorted(allowed_from))} can)"
                )
            if prepare is not None:
                prepare(row, when)
            self._apply(session, row, to=to, action=action, actor=who, reason=reason, at=when)
        return _record(row)

    def approve(
        self,
        request_id: str,
        *,
        actor: str,
        reason: str | None = None,
        at: datetime | None = None,
    ) -> RequestRecord:
        """submitted → approved (the identity and enrolment checks passed)."""
        return self._change(
            request_id,
            action=AuditAction.APPROVE,
            to=Status.APPROVED,
            allowed_from=frozenset({Status.SUBMITTED}),
            actor=actor,
            reason=_check_reason(reason),
            at=at,
        )

    def reject(
        self, request_id: str, *, actor: str, reason: str, at: datetime | None = None
    ) -> RequestRecord:
        """submitted → rejected, with a reason (e.g. "identity check failed")."""
        return self._change(
            request_id,
            action=AuditAction.REJECT,
            to=Status.REJECTED,
            allowed_from=frozenset({Status.SUBMITTED}),
            actor=actor,
            reason=_check_reason(reason, required=True),
            at=at,
        )

    def issue(
        self,
        request_id: str,
        *,
        actor: str,
        reason: str | None = None,
        at: datetime | None = None,
    ) -> RequestRecord:
        """approved → issued. A digital PDF can then be downloaded for
        ``download_window`` (14 days); a convenience-store print until the end of the
        request's print deadline (JST)."""
        window = self.config.download_window

        def prepare(row: RequestRow, when: datetime) -> None:
            expires: datetime | None = None
            if row.delivery_method == DeliveryMethod.DIGITAL_PDF.value:
                expires = when + window
            elif row.delivery_method == DeliveryMethod.CONVENIENCE_STORE.value:
                delivery = _record(row).request.delivery
                assert isinstance(delivery, ConvenienceStoreDelivery)
                deadline = delivery.print_deadline
                expires = datetime.combine(deadline + timedelta(days=1), time(0), JST)
                if expires <= when:
                    raise InvalidTransition(
                        f"request {row.request_id}: its print deadline {deadline.isoformat()} "
                        "has passed; reject it (the applicant applies again)"
                    )
            row.issued_at = when
            row.expires_at = None if expires is None else expires.astimezone(UTC)

        return self._change(
            request_id,
            action=AuditAction.ISSUE,
            to=Status.ISSUED,
            allowed_from=frozenset({Status.APPROVED}),
            actor=actor,
            reason=_check_reason(reason),
            at=at,
            prepare=prepare,
        )

    def _finish(
        self,
        request_id: str,
        *,
        action: AuditAction,
        to: Status,
        methods: frozenset[DeliveryMethod],
        actor: str,
        reason: str | None,
        at: datetime | None,
    ) -> RequestRecord:
        """issued → delivered / downloaded, unless the deadline has passed: then the
        request becomes expired (committed) and :class:`DeadlinePassed` is raised."""
        who = _check_actor(actor)
        when = self._when(at)
        expired: str | None = None
        with self._transaction() as session:
            row = self._locked(session, request_id)
            method = DeliveryMethod(row.delivery_method)
            if method not in methods:
                other = "download" if method is DeliveryMethod.DIGITAL_PDF else "deliver"
                raise InvalidTransition(
                    f"request {request_id} is delivered by {method.value}: use '{other}'"
                )
            if row.status == Status.DOWNLOADED.value and to is Status.DOWNLOADED:
                raise InvalidTransition(
                    f"request {request_id} was downloaded already "
                    f"({_jst_text(row.status_changed_at)}); a digital certificate can be "
                    "downloaded once — the applicant applies again"
                )
            if row.status != Status.ISSUED.value:
                raise InvalidTransition(
                    f"request {request_id} is {row.status}; it cannot be {_PAST[action]} "
                    "(only an issued request can)"
                )
            if row.expires_at is not None and when >= row.expires_at:
                what = (
                    "download window"
                    if method is DeliveryMethod.DIGITAL_PDF
                    else "convenience-store print deadline"
                )
                expired = f"the {what} ended {_jst_text(row.expires_at)}"
                self._apply(
                    session,
                    row,
                    to=Status.EXPIRED,
                    action=AuditAction.EXPIRE,
                    actor=who,
                    reason=expired,
                    at=when,
                )
            else:
                self._apply(session, row, to=to, action=action, actor=who, reason=reason, at=when)
        if expired is not None:
            raise DeadlinePassed(
                f"request {request_id}: {expired}; it is now expired (no refund; the "
                "applicant applies again)"
            )
        return _record(row)

    def deliver(
        self,
        request_id: str,
        *,
        actor: str,
        reason: str | None = None,
        at: datetime | None = None,
    ) -> RequestRecord:
        """issued → delivered: posted, handed over at the counter, or printed at a store."""
        return self._finish(
            request_id,
            action=AuditAction.DELIVER,
            to=Status.DELIVERED,
            methods=frozenset(
                {DeliveryMethod.POSTAL, DeliveryMethod.COUNTER, DeliveryMethod.CONVENIENCE_STORE}
            ),
            actor=actor,
            reason=_check_reason(reason),
            at=at,
        )

    def download(
        self,
        request_id: str,
        *,
        actor: str,
        reason: str | None = None,
        at: datetime | None = None,
    ) -> RequestRecord:
        """issued → downloaded: the one download of a digital PDF, within its window.
        A second download raises :class:`InvalidTransition`; a late one
        :class:`DeadlinePassed` (and the request becomes expired)."""
        return self._finish(
            request_id,
            action=AuditAction.DOWNLOAD,
            to=Status.DOWNLOADED,
            methods=frozenset({DeliveryMethod.DIGITAL_PDF}),
            actor=actor,
            reason=_check_reason(reason),
            at=at,
        )

    def expire_overdue(self, *, actor: str, at: datetime | None = None) -> list[str]:
        """Mark every issued request whose download window or print deadline has passed as
        expired; the ids changed."""
        who = _check_actor(actor)
        when = self._when(at)
        changed = []
        with self._transaction() as session:
            rows = session.scalars(
                select(RequestRow)
                .where(
                    RequestRow.status == Status.ISSUED.value,
                    RequestRow.expires_at.is_not(None),
                    RequestRow.expires_at <= when,
                )
                .order_by(RequestRow.id)
                .with_for_update()
            ).all()
            for row in rows:
                assert row.expires_at is not None
                self._apply(
                    session,
                    row,
                    to=Status.EXPIRED,
                    action=AuditAction.EXPIRE,
                    actor=who,
                    reason=f"not collected by {_jst_text(row.expires_at)}",
                    at=when,
                )
                changed.append(row.request_id)
        return changed

    def purge(
        self,
        *,
        older_than: timedelta,
        actor: str,
        at: datetime | None = None,
        dry_run: bool = False,
    ) -> list[str]:
        """Delete finished requests (rejected, delivered, downloaded, expired) whose last
        change is older than ``older_than``; one audit entry each. The ids purged."""
        who = _check_actor(actor)
        when = self._when(at)
        if older_than < timedelta(0):
            raise ValueError("older_than must not be negative")
        cutoff = when - older_than
        days = older_than / timedelta(days=1)
        purged = []
        with self._transaction() as session:
            rows = session.scalars(
                select(RequestRow)
                .where(
                    RequestRow.status.in_([s.value for s in FINAL_STATUSES]),
                    RequestRow.status_changed_at < cutoff,
                )
                .order_by(RequestRow.id)
                .with_for_update()
            ).all()
            for row in rows:
                purged.append(row.request_id)
                if dry_run:
                    continue
                session.add(
                    AuditRow(
                        request_id=row.request_id,
                        at=when,
                        actor=who,
                        action=AuditAction.PURGE.value,
                        from_status=row.status,
                        to_status=None,
                        reason=f"retention: finished more than {days:g} days ago",
                    )
                )
                session.delete(row)
        return purged


_PAST: Final = {
    AuditAction.APPROVE: "approved",
    AuditAction.REJECT: "rejected",
    AuditAction.ISSUE: "issued",
    AuditAction.DELIVER: "delivered",
    AuditAction.DOWNLOAD: "downloaded",
    AuditAction.EXPIRE: "expired",
}
