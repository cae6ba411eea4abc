"""The ledger: signed certificate requests, their status and a hash-chained audit trail.

:meth:`Ledger.submit` re-verifies everything before it stores anything
(:func:`~jpki.ledger.verification.verify_submission`). The request row and its
first audit entry are written in one transaction, so a request is either wholly
stored or absent. Submitting the same signed request again returns the stored
record (the key is the request id and the SHA-256 of the signed bytes); the same
id with other bytes is a :class:`RequestConflict`. :meth:`Ledger.store` stores
many verified submissions in one transaction (one commit, one fsync: the office
batches concurrent submissions so).

Staff move a request through its lifecycle with :meth:`Ledger.change` (``approve``,
``reject``, ``issue``, ``deliver``, ``download``, ``expire``), driven by the table
in :mod:`jpki.ledger.lifecycle`; :meth:`Ledger.expire_overdue` expires every
request past its deadline. A change first checks the stored request against its
signed document and audit trail and verifies its CMS signature again
(:meth:`Ledger.check`): a tampered request cannot move on.

Every change appends one entry to the hash-chained audit trail
(:mod:`jpki.ledger.chain`); :meth:`Ledger.verify_audit` walks it and says where it
breaks. The API has no way to change or delete an entry; database triggers reject
UPDATE and DELETE on the audit table (and TRUNCATE on PostgreSQL, INSERT OR
REPLACE on SQLite). :meth:`Ledger.purge` deletes finished requests past a
retention age and leaves an audit entry for each.

Why one module: :class:`Ledger` is one transaction boundary. Every method that changes
a request writes the row and its audit entry in one :meth:`Ledger._transaction`, after
checking the stored request in that same transaction; split across modules, a change
could be written outside it. What can live apart already does: verification
(:mod:`~jpki.ledger.verification`, :mod:`~jpki.ledger.integrity`), batches
(:mod:`~jpki.ledger.storing`), the chain (:mod:`~jpki.ledger.chain`), the lifecycle
table, records and models.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from sqlalchemy import Engine, func, select
from sqlalchemy.engine import URL
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from ..cms import CmsVerification, verify_cms
from ..requests import SignedRequest
from ..timeutil import utc
from ..trust import Purpose, TrustStore
from .chain import (
    AuditKeyError,
    ChainReport,
    append_entry,
    check_key,
    head_mac,
    key_id,
    lock_head,
    read_head,
    verify_chain,
)
from .config import LedgerConfig
from .engine import check_ledger, create_ledger_engine, migrate
from .errors import DeadlinePassed, LedgerError, RequestNotFound
from .integrity import RequestTampered, parse_document, row_problems
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
from .models import ADMIN_ACTIONS, AuditAction, AuditRow, ChainHeadRow, RequestRow, Status
from .records import (
    AuditEntry,
    RequestRecord,
    SubmitResult,
    VerifiedRequest,
    entry_of,
    record_of,
)
from .storing import Submission, chunks, existing_rows, store_batch
from .verification import verify_submission

__all__ = ["Ledger", "Submission"]

_IN_CHUNK = 500  # ids per IN (...) list
_V = TypeVar("_V")


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
        self._key = check_key(self.config.audit_key)
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
    def trust_store(self) -> TrustStore:
        """The trust anchors submissions are verified against."""
        return self._trust_store

    @property
    def backend(self) -> str:
        return self.engine.dialect.name

    def __repr__(self) -> str:
        return f"<Ledger {self.engine.url.render_as_string(hide_password=True)}>"

    def now(self) -> datetime:
        return utc(self._clock(), "the clock's time")

    def _when(self, at: datetime | None) -> datetime:
        return self.now() if at is None else utc(at, "at")

    @contextmanager
    def _transaction(self) -> Iterator[Session]:
        with self._sessions.begin() as session:
            yield session

    # -- the audit key ---------------------------------------------------------------------

    def seal_audit_chain(self) -> str:
        """Seal this ledger's audit chain with the configured audit key (only while the
        chain is empty); the key's id. Sealing again with the same key does nothing."""
        if self._key is None:
            raise AuditKeyError("no audit key is configured")
        with self._transaction() as session:
            head = session.get(ChainHeadRow, 1, with_for_update=True) or read_head(session)
            wanted = key_id(self._key)
            if head.key_id == wanted:
                return wanted
            if head.key_id is not None:
                raise AuditKeyError(f"the audit chain is sealed with another key ({head.key_id})")
            if head.seq != 0:
                raise AuditKeyError(
                    f"the audit chain already has {head.seq} unsealed entries; an audit key "
                    "can only seal a new ledger"
                )
            head.key_id = wanted
            head.mac = head_mac(self._key, head.seq, head.entry_hash)
        return wanted

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
        auth_cert_sha256: str | None = None,
    ) -> SubmitResult:
        """Verify and store a signed request (``content``: the document of a detached
        signature). Idempotent; raises :class:`SubmissionRejected` (storing nothing)."""
        now = self._when(at)
        verified = self.verify(signature, content, at=now)
        (result,) = self.store([Submission(verified, now, actor, auth_cert_sha256)])
        if isinstance(result, LedgerError):
            raise result
        return result

    def submit_signed(
        self, signed: SignedRequest, *, actor: str | None = None, at: datetime | None = None
    ) -> SubmitResult:
        return self.submit(
            signed.signature, signed.document if signed.detached else None, actor=actor, at=at
        )

    def store(self, submissions: Sequence[Submission]) -> list[SubmitResult | LedgerError]:
        """Store verified submissions in one transaction; for each, its result or the error
        that refused it (:class:`RequestConflict`). Idempotent like :meth:`submit`."""
        for submission in submissions:
            utc(submission.at, "at")
            check_actor(
                submission.actor
                if submission.actor is not None
                else f"kiosk:{submission.verified.request.kiosk_id}"
            )
        if not submissions:
            return []
        for _attempt in range(4):
            try:
                return self._store_once(submissions)
            except IntegrityError:
                continue  # another writer stored one of these meanwhile: read again
        raise LedgerError("could not store the submissions: they kept conflicting")

    def _store_once(self, submissions: Sequence[Submission]) -> list[SubmitResult | LedgerError]:
        with self._transaction() as session:
            # read before taking the head (held until the commit): a request stored by another
            # writer meanwhile makes the insert fail, and the batch is tried again
            existing = existing_rows(session, [s.verified.request.request_id for s in submissions])
            head = lock_head(session, self._key)
            return store_batch(session, head, self._key, submissions, existing)

    # -- queries -------------------------------------------------------------------------

    def _records(self, session: Session, rows: Sequence[RequestRow]) -> list[RequestRecord]:
        """Records of ``rows``, each derived from its signed document and checked against it
        and against its latest audit entry."""
        seqs = [row.audit_seq for row in rows]
        entries = {
            entry.seq: entry
            for chunk in chunks(seqs)
            for entry in session.scalars(select(AuditRow).where(AuditRow.seq.in_(chunk)))
        }
        records = []
        for row in rows:
            request = parse_document(row.document)
            problems = row_problems(row, request, entries.get(row.audit_seq), self._key)
            records.append(record_of(row, request, problems))
        return records

    @staticmethod
    def _row(session: Session, request_id: str, *, lock: bool = False) -> RequestRow:
        query = select(RequestRow).where(RequestRow.request_id == request_id)
        row = session.scalars(query.with_for_update() if lock else query).one_or_none()
        if row is None:
            raise RequestNotFound(f"no request {request_id}")
        return row

    def get(self, request_id: str) -> RequestRecord:
        """The request with this id; :class:`RequestNotFound` if there is none."""
        with self._transaction() as session:
            return self._records(session, [self._row(session, request_id)])[0]

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
                return self._records(session, exact)[0]
            if not rows:
                raise RequestNotFound(f"no request {prefix}")
            if len(rows) > 1:
                raise RequestNotFound(f"{prefix} matches more than one request; give more of it")
            return self._records(session, rows)[0]

    def list_requests(
        self,
        *,
        status: Status | str | Iterable[Status | str] | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        kind: str | None = None,
        kiosk_id: str | None = None,
        auth_cert_sha256: str | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[RequestRecord]:
        """Requests by submission time (oldest first), filtered by status (one or
        several), submission time ``since`` <= t < ``until``, kind, kiosk and the holder's
        user-authentication certificate."""
        query = select(RequestRow)
        if status is not None:
            wanted = [status] if isinstance(status, str) else list(status)
            query = query.where(RequestRow.status.in_([Status(s).value for s in wanted]))
        if since is not None:
            query = query.where(RequestRow.submitted_at >= utc(since, "since"))
        if until is not None:
            query = query.where(RequestRow.submitted_at < utc(until, "until"))
        if kind is not None:
            query = query.where(RequestRow.kind == kind)
        if kiosk_id is not None:
            query = query.where(RequestRow.kiosk_id == kiosk_id)
        if auth_cert_sha256 is not None:
            query = query.where(RequestRow.auth_cert_sha256 == auth_cert_sha256)
        query = query.order_by(RequestRow.submitted_at, RequestRow.id).offset(offset)
        if limit is not None:
            query = query.limit(limit)
        with self._transaction() as session:
            return self._records(session, session.scalars(query).all())

    def count(self) -> dict[Status, int]:
        """How many requests are in each status."""
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
        subject: str | None = None,
    ) -> list[AuditEntry]:
        """Audit entries in the order they were written (of one request or subject, or all)."""
        query = select(AuditRow)
        if request_id is not None:
            query = query.where(AuditRow.request_id == request_id)
        if subject is not None:
            query = query.where(AuditRow.subject == subject)
        if since is not None:
            query = query.where(AuditRow.at >= utc(since, "since"))
        if until is not None:
            query = query.where(AuditRow.at < utc(until, "until"))
        query = query.order_by(AuditRow.seq)
        if limit is not None:
            query = query.limit(limit)
        with self._transaction() as session:
            return [entry_of(row) for row in session.scalars(query)]

    def verify_audit(self, *, expect: tuple[int, str] | None = None) -> ChainReport:
        """Walk the whole audit chain (with this ledger's audit key, if any) and say where it
        breaks (:func:`jpki.ledger.chain.verify_chain`)."""
        with self._sessions() as session, session.begin():
            return verify_chain(session, self._key, expect=expect)

    def audit_head(self) -> tuple[int, str, str | None]:
        """The chain's head: its last position, that entry's hash, and the key id sealing it."""
        with self._transaction() as session:
            head = read_head(session)
            return head.seq, head.entry_hash, head.key_id

    def reverify(self, request_id: str, *, at: datetime | None = None) -> CmsVerification:
        """Verify the stored signature over the stored bytes again (with this ledger's trust
        configuration), at ``at`` (default now)."""
        record = self.get(request_id)
        return self._verify_cms(record.signature, record.document, record.detached, at)

    def _verify_cms(
        self, signature: bytes, document: bytes, detached: bool, at: datetime | None
    ) -> CmsVerification:
        return verify_cms(
            signature,
            document if detached else None,
            trust_store=self._trust_store,
            crls=self.config.crls,
            policy=self.config.revocation_policy,
            purpose=Purpose.SIGNATURE,
            at=self._when(at),
        )

    def check(self, request_id: str) -> RequestRecord:
        """The request checked as a change checks it: its columns and audit entry, and its
        CMS signature verified again (as of its submission); the record, whose ``problems``
        say what is wrong."""
        with self._transaction() as session:
            return self._checked(session, self._row(session, request_id))

    def _checked(self, session: Session, row: RequestRow) -> RequestRecord:
        (record,) = self._records(session, [row])
        problems = list(record.problems)
        result = self._verify_cms(
            bytes(row.signature), bytes(row.document), row.detached, row.submitted_at
        )
        if not result.valid:
            problems.append(f"its signature does not verify ({result.reason}): {result.message}")
        elif result.content is not None and result.content != bytes(row.document):
            problems.append("its signature covers other content than its document")
        if not problems:
            return record
        return record_of(row, record.request if not record.problems else None, tuple(problems))

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

        First the stored request is checked (:meth:`check`): :class:`RequestTampered`
        if it disagrees with its signed document or audit trail, or its signature no
        longer verifies. :class:`InvalidTransition` when the request's status (or
        delivery method) does not allow the change. ``issue`` starts the download
        window (a digital PDF, ``config.download_window``) or runs to the end of the
        print deadline's day (a convenience store). ``deliver`` and ``download`` after
        that deadline expire the request instead (committed) and raise
        :class:`DeadlinePassed`. A second ``download`` is refused: a digital
        certificate is downloaded once.
        """
        transition = transition_for(action)
        who = check_actor(actor)
        why = check_reason(reason, required=transition.reason_required)
        when = self._when(at)
        with self._transaction() as session:
            head = lock_head(session, self._key)
            row = self._row(session, request_id, lock=True)
            checked = self._checked(session, row)
            if checked.problems:
                raise RequestTampered(row.request_id, checked.problems)
            decision = self._step(session, head, row, transition, actor=who, reason=why, at=when)
        if decision.deadline_passed is not None:
            raise DeadlinePassed(
                f"request {request_id}: {decision.deadline_passed}; it is now expired (no "
                "refund; the applicant applies again)"
            )
        return self.get(request_id)

    def expire_overdue(self, *, actor: str, at: datetime | None = None) -> list[str]:
        """Expire every issued request whose download window or print deadline has passed;
        the ids changed. A tampered request is left as it is (and reported by listings)."""
        who = check_actor(actor)
        when = self._when(at)
        expire = TRANSITIONS[AuditAction.EXPIRE]
        changed = []
        with self._transaction() as session:
            head = lock_head(session, self._key)
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
            for row, record in zip(rows, self._records(session, rows), strict=True):
                if record.problems:
                    continue
                self._step(session, head, row, expire, actor=who, reason=None, at=when)
                changed.append(row.request_id)
        return changed

    def _step(
        self,
        session: Session,
        head: ChainHeadRow,
        row: RequestRow,
        transition: Transition,
        *,
        actor: str,
        reason: str | None,
        at: datetime,
    ) -> Decision:
        """Decide what ``transition`` does to the locked ``row`` and record it in the chain
        (``head`` locked by the caller)."""
        decision = decide(
            transition,
            record_of(row),
            when=at,
            reason=reason,
            download_window=self.config.download_window,
        )
        from_status = row.status
        row.status = decision.target.value
        row.status_changed_at = at
        row.status_reason = decision.reason
        if decision.issued_at is not None:
            row.issued_at = decision.issued_at
            row.expires_at = decision.expires_at
        entry = append_entry(
            session,
            head,
            self._key,
            request_id=row.request_id,
            at=at,
            actor=actor,
            action=decision.action.value,
            from_status=from_status,
            to_status=row.status,
            reason=decision.reason,
            content_sha256=row.content_sha256,
            signature_sha256=row.signature_sha256,
            auth_cert_sha256=row.auth_cert_sha256,
            issued_at=row.issued_at,
            expires_at=row.expires_at,
        )
        row.audit_seq = entry.seq
        return decision

    def record_event(
        self,
        action: AuditAction | str,
        *,
        actor: str,
        subject: str,
        reason: str | None = None,
        at: datetime | None = None,
    ) -> AuditEntry:
        """Append an event of the office that concerns no request (a refused credential, a
        kiosk or staff account managed) to the audit chain."""
        what = AuditAction(action)
        if what not in ADMIN_ACTIONS:
            raise ValueError(f"{what.value} is a change of a request, not an event")
        who = check_actor(actor)
        about = check_actor(subject)
        why = check_reason(reason)
        when = self._when(at)
        with self._transaction() as session:
            head = lock_head(session, self._key)
            row = append_entry(
                session,
                head,
                self._key,
                subject=about,
                at=when,
                actor=who,
                action=what.value,
                reason=why,
            )
            session.flush()
            return entry_of(row)

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
            head = lock_head(session, self._key) if not dry_run else None
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
                if head is None:
                    continue
                append_entry(
                    session,
                    head,
                    self._key,
                    request_id=row.request_id,
                    at=when,
                    actor=who,
                    action=AuditAction.PURGE.value,
                    from_status=row.status,
                    reason=f"retention: finished more than {days:g} days ago",
                    content_sha256=row.content_sha256,
                    signature_sha256=row.signature_sha256,
                    auth_cert_sha256=row.auth_cert_sha256,
                )
                session.delete(row)
        return purged
