"""The ledger: signed certificate requests, their status and an append-only audit trail.

:meth:`Ledger.submit` re-verifies everything before it stores anything
(:func:`~jpki.ledger.verification.verify_submission`). The request row and its
first audit entry are written in one transaction, so a request is either wholly
stored or absent. Submitting the same signed request again returns the stored
record (the key is the request id and the SHA-256 of the signed bytes); the same
id with other bytes is a :class:`RequestConflict`.

Staff move a request through its lifecycle with :meth:`Ledger.change` (``approve``,
``reject``, ``issue``, ``deliver``, ``download``, ``expire``), driven by the table
in :mod:`jpki.ledger.lifecycle`; :meth:`Ledger.expire_overdue` expires every
request past its deadline.

Every change appends one :class:`AuditEntry` (who, when, from → to, why).
The API has no way to change or delete one; database triggers reject UPDATE
and DELETE on the audit table (and TRUNCATE on PostgreSQL). :meth:`Ledger.purge`
deletes finished requests past a retention age and leaves an audit entry for each.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, select
from sqlalchemy.engine import URL
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from ..cms import CmsVerification, verify_cms
from ..requests import SignedRequest
from ..trust import Purpose, TrustStore
from .config import LedgerConfig
from .engine import check_ledger, create_ledger_engine, migrate
from .errors import DeadlinePassed, LedgerError, RejectReason, RequestConflict, RequestNotFound
from .lifecycle import (
    FINAL_STATUSES,
    TRANSITIONS,
    Decision,
    Transition,
    check_actor,
    check_reason,
    decide,
    transition_for,
)
from .models import AuditAction, AuditRow, RequestRow, Status
from .records import (
    AuditEntry,
    RequestRecord,
    SubmitResult,
    VerifiedRequest,
    entry_of,
    record_of,
)
from .verification import verify_submission

__all__ = ["Ledger"]


def _aware(at: datetime, what: str = "at") -> datetime:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware")
    return at.astimezone(UTC)


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
        create: bool = True,
    ) -> Ledger:
        """The ledger at ``url``: an existing database only if it is a ledger
        (:class:`NotALedger` otherwise, nothing changed); a new one only with ``create``
        (:class:`LedgerNotFound` otherwise). The schema is migrated to the newest."""
        engine = create_ledger_engine(url, config=config, echo=echo, create=create)
        try:
            check_ledger(engine, create=create)
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
        return verify_submission(
            signature,
            content,
            config=self.config,
            trust_store=self._trust_store,
            now=self._when(at),
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
        who = check_actor(actor if actor is not None else f"kiosk:{request.kiosk_id}")
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
                return SubmitResult(record_of(row), created=True)
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
        return SubmitResult(record_of(row), created=False)

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

    # -- queries -------------------------------------------------------------------------

    def get(self, request_id: str) -> RequestRecord:
        """The request with this id; :class:`RequestNotFound` if there is none."""
        with self._transaction() as session:
            row = session.scalars(
                select(RequestRow).where(RequestRow.request_id == request_id)
            ).one_or_none()
            if row is None:
                raise RequestNotFound(f"no request {request_id}")
            return record_of(row)

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
                return record_of(exact[0])
            if not rows:
                raise RequestNotFound(f"no request {prefix}")
            if len(rows) > 1:
                raise RequestNotFound(f"{prefix} matches more than one request; give more of it")
            return record_of(rows[0])

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
            return [record_of(row) for row in session.scalars(query)]

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
            return [entry_of(row) for row in session.scalars(query)]

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

    def change(
        self,
        request_id: str,
        action: AuditAction | str,
        *,
        actor: str,
        reason: str | None = None,
        at: datetime | None = None,
    ) -> RequestRecord:
        """Make a status change (``approve``, ``reject``, ``issue``, ``deliver``,
        ``download``, ``expire``) as :data:`~jpki.ledger.lifecycle.TRANSITIONS` allows it;
        the record as it is now.

        :class:`InvalidTransition` when the request's status (or delivery method)
        does not allow it. ``issue`` starts the download window (a digital PDF,
        ``config.download_window``) or runs to the end of the print deadline's day
        (a convenience store). ``deliver`` and ``download`` after that deadline
        expire the request instead (committed) and raise :class:`DeadlinePassed`. A
        second ``download`` is refused: a digital certificate is downloaded once.
        """
        transition = transition_for(action)
        who = check_actor(actor)
        why = check_reason(reason, required=transition.reason_required)
        when = self._when(at)
        with self._transaction() as session:
            row = self._locked(session, request_id)
            decision = self._step(session, row, transition, actor=who, reason=why, at=when)
        if decision.deadline_passed is not None:
            raise DeadlinePassed(
                f"request {request_id}: {decision.deadline_passed}; it is now expired (no "
                "refund; the applicant applies again)"
            )
        return record_of(row)

    def expire_overdue(self, *, actor: str, at: datetime | None = None) -> list[str]:
        """Expire every issued request whose download window or print deadline has passed;
        the ids changed."""
        who = check_actor(actor)
        when = self._when(at)
        expire = TRANSITIONS[AuditAction.EXPIRE]
        changed = []
        with self._transaction() as session:
            rows = session.scalars(
                select(RequestRow)
                .where(
                    RequestRow.status.in_([s.value for s in expire.sources]),
                    RequestRow.expires_at.is_not(None),
                    RequestRow.expires_at <= when,
                )
                .order_by(RequestRow.id)
                .with_for_update()
            ).all()
            for row in rows:
                self._step(session, row, expire, actor=who, reason=None, at=when)
                changed.append(row.request_id)
        return changed

    def _locked(self, session: Session, request_id: str) -> RequestRow:
        row = session.scalars(
            select(RequestRow).where(RequestRow.request_id == request_id).with_for_update()
        ).one_or_none()
        if row is None:
            raise RequestNotFound(f"no request {request_id}")
        return row

    def _step(
        self,
        session: Session,
        row: RequestRow,
        transition: Transition,
        *,
        actor: str,
        reason: str | None,
        at: datetime,
    ) -> Decision:
        """Decide what ``transition`` does to the locked ``row`` and record it."""
        decision = decide(
            transition,
            record_of(row),
            when=at,
            reason=reason,
            download_window=self.config.download_window,
        )
        session.add(
            AuditRow(
                request_id=row.request_id,
                at=at,
                actor=actor,
                action=decision.action.value,
                from_status=row.status,
                to_status=decision.target.value,
                reason=decision.reason,
            )
        )
        row.status = decision.target.value
        row.status_changed_at = at
        row.status_reason = decision.reason
        if decision.issued_at is not None:
            row.issued_at = decision.issued_at
            row.expires_at = decision.expires_at
        return decision

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
        who = check_actor(actor)
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
