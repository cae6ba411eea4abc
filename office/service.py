"""What the office does, apart from HTTP: who is who (kiosk tokens, staff sessions), what each
may do, and doing it on the ledger.

:class:`OfficeService` is used by the HTTP layer (:mod:`office.api`) and by the
admin commands (:mod:`office.cli`); every refusal is a :class:`ServiceError`
carrying the HTTP status and error code to answer with.

* A **kiosk** (its token) may submit a signed request naming itself, read the
  receipt of a request it submitted, and list an applicant's own requests after
  their card answered the office's challenge. Nothing else.
* **Staff** sign in (argon2id password, TOTP when set up) and act by role
  (:class:`~jpki.officeapi.StaffRole`): the audit trail records ``staff:<name>``,
  never a name the client claims.
* A refused credential leaves an audit entry (at most one per source and minute,
  so that a flood cannot flood the chain).

Why one module: :class:`OfficeService` is the one place that decides who may do what.
Its kiosk half and its staff half share that decision's parts (the refused-credential
audit rule, the clock, the ledger and the account database session); split across
modules, a new endpoint could check a credential one way in one file and another way in
the other. Its helpers already live apart (:mod:`office.credentials`, :mod:`office.writer`,
:mod:`office.holders`).
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import sessionmaker

from jpki.ledger import (
    AuditAction,
    InvalidTransition,
    Ledger,
    LedgerError,
    RequestNotFound,
    RequestRecord,
    RequestTampered,
    Submission,
    SubmissionRejected,
    SubmitResult,
)
from jpki.ledger.lifecycle import TRANSITIONS
from jpki.officeapi.wire import ErrorCode, HolderProof, Receipt, StaffRole, unb64
from jpki.trust import RevocationPolicy

from .credentials import (
    KIOSK_TOKEN_PREFIX,
    SESSION_TOKEN_PREFIX,
    check_kiosk_id,
    check_username,
    hash_password,
    new_token,
    new_totp_secret,
    token_digest,
    verify_password,
    verify_totp,
)
from .holders import CheckedHolder, HolderChallenges, HolderError, check_proof
from .models import ChallengeRow, KioskRow, StaffRow, StaffSessionRow
from .ratelimit import RateLimiter

__all__ = [
    "ACTION_ROLES",
    "READ_ROLES",
    "OfficeService",
    "ServiceError",
    "Staff",
]

logger = logging.getLogger(__name__)

#: Who may make each status change.
ACTION_ROLES: Final = {
    "approve": StaffRole.CLERK,
    "reject": StaffRole.CLERK,
    "issue": StaffRole.ISSUER,
    "deliver": StaffRole.ISSUER,
    "download": StaffRole.ISSUER,
    "expire": StaffRole.ISSUER,
}
#: Who may read requests (with personal data).
READ_ROLES: Final = frozenset({StaffRole.CLERK, StaffRole.ISSUER, StaffRole.AUDITOR})
_REFUSAL_INTERVAL: Final = 60.0
_MAX_LIST: Final = 10000


class ServiceError(Exception):
    """A refusal: the HTTP ``status``, the error ``code`` and a message for the client."""

    def __init__(
        self,
        status: int,
        code: ErrorCode,
        message: str,
        *,
        reason: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.reason = reason
        self.retry_after = retry_after


def _forbidden(what: str) -> ServiceError:
    return ServiceError(403, ErrorCode.FORBIDDEN, what)


@dataclass(frozen=True)
class Staff:
    """A signed-in member of staff."""

    username: str
    roles: frozenset[StaffRole]
    expires_at: datetime

    @property
    def actor(self) -> str:
        return f"staff:{self.username}"

    def require(self, *roles: StaffRole) -> None:
        if not self.roles & set(roles):
            wanted = " or ".join(r.value for r in roles)
            raise _forbidden(f"this needs the {wanted} role")


def _roles(text: str) -> frozenset[StaffRole]:
    return frozenset(StaffRole(r) for r in text.split(",") if r)


def parse_roles(roles: Iterable[str]) -> frozenset[StaffRole]:
    try:
        chosen = frozenset(StaffRole(str(r)) for r in roles)
    except ValueError:
        known = ", ".join(r.value for r in StaffRole)
        raise ValueError(f"the roles are {known}") from None
    if not chosen:
        raise ValueError("give at least one role")
    return chosen


class OfficeService:
    """The office in front of ``ledger`` (opened as the service role, sealed chain)."""

    def __init__(
        self,
        ledger: Ledger,
        *,
        kiosk_rate: float = 5.0,
        kiosk_burst: int = 20,
        session_ttl: timedelta = timedelta(hours=8),
        token_cache_seconds: float = 5.0,
        max_batch: int = 256,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        if ledger.config.audit_key is None:
            raise ValueError("the office's ledger needs its audit key")
        self.ledger = ledger
        self._sessions = sessionmaker(ledger.engine, expire_on_commit=False)
        self._clock = clock or (lambda: datetime.now(UTC))
        self.session_ttl = session_ttl
        self.rate = RateLimiter(kiosk_rate, kiosk_burst)
        self.challenges = HolderChallenges(ledger.config.audit_key)
        self._token_ttl = token_cache_seconds
        self._tokens: dict[str, tuple[str, float]] = {}
        self._refusals: dict[tuple[str, str], float] = {}
        self._lock = threading.Lock()
        from .writer import BatchWriter

        self.writer = BatchWriter(ledger, max_batch=max_batch)

    def start(self) -> None:
        self.writer.start()

    def close(self) -> None:
        self.writer.stop()

    def now(self) -> datetime:
        return self._clock()

    # -- refusals ------------------------------------------------------------------------

    def refuse_credential(self, what: str, source: str, detail: str) -> ServiceError:
        """Record a refused credential in the audit trail (once per ``what``, source and
        minute) and return the 401 to answer with."""
        key = (what, source)
        now = time.monotonic()
        with self._lock:
            last = self._refusals.get(key)
            due = last is None or now - last >= _REFUSAL_INTERVAL
            if due:
                self._refusals[key] = now
                if len(self._refusals) > 10000:
                    self._refusals.clear()
        if due:
            try:
                self.ledger.record_event(
                    AuditAction.REFUSED,
                    actor="office",
                    subject=what[:100],
                    reason=f"{detail} (from {source})"[:1000],
                )
            except (LedgerError, OperationalError) as exc:
                logger.warning("could not record a refused credential: %s", exc)
        return ServiceError(401, ErrorCode.UNAUTHENTICATED, detail)

    # -- kiosks --------------------------------------------------------------------------

    def kiosk_for_token(self, token: str | None, source: str) -> str:
        """The kiosk whose token this is (401, recorded, for anything else)."""
        digest = token_digest(token) if token else None
        if digest is None or not token or not token.startswith(KIOSK_TOKEN_PREFIX):
            raise self.refuse_credential("kiosk", source, "no valid kiosk token")
        now = time.monotonic()
        with self._lock:
            cached = self._tokens.get(digest)
        if cached is not None and now - cached[1] < self._token_ttl:
            return cached[0]
        with self._sessions() as session:
            row = session.scalars(
                select(KioskRow).where(KioskRow.token_sha256 == digest)
            ).one_or_none()
        if row is None or row.revoked_at is not None:
            with self._lock:
                self._tokens.pop(digest, None)
            what = "unknown" if row is None else "revoked"
            subject = "kiosk" if row is None else f"kiosk:{row.kiosk_id}"
            raise self.refuse_credential(subject, source, f"{what} kiosk token")
        with self._lock:
            if len(self._tokens) > 10000:
                self._tokens.clear()
            self._tokens[digest] = (row.kiosk_id, now)
        return row.kiosk_id

    def check_rate(self, kiosk_id: str) -> None:
        wait = self.rate.take(kiosk_id)
        if wait > 0:
            raise ServiceError(
                429,
                ErrorCode.RATE_LIMITED,
                f"too many requests from kiosk {kiosk_id}; try again in {wait:.1f} s",
                retry_after=wait,
            )

    def verify_submission(self, kiosk_id: str, body: object) -> Submission:
        """Check a submission body completely (no database); what to store."""
        if not isinstance(body, dict) or not {"signature"} <= set(body) <= {
            "signature",
            "document",
            "holder",
        }:
            raise ServiceError(
                400,
                ErrorCode.MALFORMED,
                "a submission is {signature, document, holder} (base64; document and holder "
                "may be null)",
            )
        try:
            signature = unb64(body["signature"], "signature")
            document = (
                unb64(body["document"], "document") if body.get("document") is not None else None
            )
            holder = (
                HolderProof.from_json(body["holder"]) if body.get("holder") is not None else None
            )
        except ValueError as exc:
            raise ServiceError(400, ErrorCode.MALFORMED, str(exc)) from None
        now = self.now()
        try:
            verified = self.ledger.verify(signature, document, at=now)
        except SubmissionRejected as exc:
            raise ServiceError(
                422, ErrorCode.REFUSED, exc.message, reason=exc.reason.value
            ) from None
        request = verified.request
        if request.kiosk_id != kiosk_id:
            raise _forbidden(
                f"this request names kiosk {request.kiosk_id}; a kiosk submits its own requests"
            )
        auth_sha = None
        if holder is not None:
            try:
                checked = self._check_proof(holder, verified.verification.signing_time or now)
            except HolderError as exc:
                raise ServiceError(422, ErrorCode.REFUSED, str(exc), reason="holder") from None
            auth_sha = checked.auth_cert_sha256
        return Submission(verified, now, f"kiosk:{kiosk_id}", auth_sha)

    def store(self, submission: Submission) -> Future[SubmitResult]:
        return self.writer.submit(submission)

    @staticmethod
    def receipt_of(result: SubmitResult) -> Receipt:
        return Receipt.of(result.record, created=result.created)

    def kiosk_receipt(self, kiosk_id: str, request_id: str) -> Receipt:
        """The receipt of a request this kiosk submitted (404 for any other)."""
        try:
            record = self.ledger.get(request_id)
        except RequestNotFound:
            record = None
        if record is None or record.kiosk_id != kiosk_id:
            raise ServiceError(404, ErrorCode.NOT_FOUND, "no request of this kiosk with that id")
        return Receipt.of(record)

    def holder_challenge(self, kiosk_id: str) -> tuple[bytes, datetime]:
        return self.challenges.issue(kiosk_id, self.now())

    def holder_requests(self, kiosk_id: str, body: object) -> list[Receipt]:
        """The requests of the applicant whose card answered this office's challenge."""
        try:
            proof = HolderProof.from_json(body)
        except ValueError as exc:
            raise ServiceError(400, ErrorCode.MALFORMED, str(exc)) from None
        now = self.now()
        try:
            checked = self._check_proof(proof, now)
            expires = self.challenges.check(kiosk_id, checked.nonce, now)
        except HolderError as exc:
            raise ServiceError(401, ErrorCode.UNAUTHENTICATED, str(exc)) from None
        self._use_challenge(checked.nonce, expires, now)
        records = self.ledger.list_requests(auth_cert_sha256=checked.auth_cert_sha256)
        return [Receipt.of(r) for r in records]

    def _check_proof(self, proof: HolderProof, at: datetime) -> CheckedHolder:
        """``proof`` checked against the ledger's trust store, CRLs and revocation policy."""
        config = self.ledger.config
        return check_proof(
            proof,
            trust_store=self.ledger.trust_store,
            crls=config.crls,
            policy=RevocationPolicy(config.revocation_policy),
            at=at,
        )

    def _use_challenge(self, nonce: bytes, expires: datetime, now: datetime) -> None:
        digest = hashlib.sha256(nonce).hexdigest()
        try:
            with self._sessions.begin() as session:
                session.execute(
                    delete(ChallengeRow).where(ChallengeRow.expires_at < now - timedelta(hours=1))
                )
                session.add(ChallengeRow(nonce_sha256=digest, expires_at=expires))
        except IntegrityError:
            raise ServiceError(
                401, ErrorCode.UNAUTHENTICATED, "this challenge was answered already"
            ) from None

    # -- kiosk administration ------------------------------------------------------------

    def add_kiosk(self, actor: str, kiosk_id: str) -> str:
        """Register a kiosk; its token (shown once, stored as a hash)."""
        check_kiosk_id(kiosk_id)
        token = new_token(KIOSK_TOKEN_PREFIX)
        digest = token_digest(token)
        assert digest is not None
        try:
            with self._sessions.begin() as session:
                session.add(
                    KioskRow(
                        kiosk_id=kiosk_id,
                        token_sha256=digest,
                        created_at=self.now(),
                        created_by=actor,
                        revoked_at=None,
                    )
                )
        except IntegrityError:
            raise ServiceError(
                409, ErrorCode.CONFLICT, f"kiosk {kiosk_id} exists (revoke it, add another id)"
            ) from None
        self.ledger.record_event(AuditAction.KIOSK_ADD, actor=actor, subject=f"kiosk:{kiosk_id}")
        return token

    def revoke_kiosk(self, actor: str, kiosk_id: str) -> None:
        with self._sessions.begin() as session:
            done = session.execute(
                update(KioskRow)
                .where(KioskRow.kiosk_id == kiosk_id, KioskRow.revoked_at.is_(None))
                .values(revoked_at=self.now())
            )
        if getattr(done, "rowcount", 0) != 1:
            raise ServiceError(404, ErrorCode.NOT_FOUND, f"no active kiosk {kiosk_id}")
        with self._lock:
            self._tokens.clear()
        self.ledger.record_event(AuditAction.KIOSK_REVOKE, actor=actor, subject=f"kiosk:{kiosk_id}")

    def kiosks(self) -> list[dict[str, Any]]:
        with self._sessions() as session:
            rows = session.scalars(select(KioskRow).order_by(KioskRow.kiosk_id)).all()
        return [
            {
                "kiosk_id": r.kiosk_id,
                "created_at": r.created_at.isoformat(),
                "created_by": r.created_by,
                "revoked_at": r.revoked_at.isoformat() if r.revoked_at else None,
            }
            for r in rows
        ]

    # -- staff accounts ------------------------------------------------------------------

    def add_staff(
        self,
        actor: str,
        username: str,
        password: str,
        roles: Iterable[str],
        *,
        totp: bool = False,
    ) -> str | None:
        """Add a member of staff; their TOTP secret when ``totp``."""
        check_username(username)
        chosen = parse_roles(roles)
        secret = new_totp_secret() if totp else None
        try:
            with self._sessions.begin() as session:
                session.add(
                    StaffRow(
                        username=username,
                        password_hash=hash_password(password),
                        totp_secret=secret,
                        roles=",".join(sorted(r.value for r in chosen)),
                        disabled=False,
                        created_at=self.now(),
                        totp_last_step=None,
                    )
                )
        except IntegrityError:
            raise ServiceError(409, ErrorCode.CONFLICT, f"{username} exists already") from None
        self.ledger.record_event(
            AuditAction.STAFF_ADD,
            actor=actor,
            subject=f"staff:{username}",
            reason="roles "
            + ",".join(sorted(r.value for r in chosen))
            + (" + TOTP" if totp else ""),
        )
        return secret

    def change_staff(
        self,
        actor: str,
        username: str,
        *,
        roles: Iterable[str] | None = None,
        disabled: bool | None = None,
        password: str | None = None,
        totp: bool | None = None,
    ) -> str | None:
        """Change roles, disable or enable, set a password, turn TOTP on (the new secret) or
        off. Disabling ends the member's sessions."""
        values: dict[str, Any] = {}
        what: list[str] = []
        secret = None
        if roles is not None:
            chosen = parse_roles(roles)
            values["roles"] = ",".join(sorted(r.value for r in chosen))
            what.append("roles " + values["roles"])
        if disabled is not None:
            values["disabled"] = disabled
            what.append("disabled" if disabled else "enabled")
        if password is not None:
            values["password_hash"] = hash_password(password)
            what.append("password set")
        if totp is not None:
            secret = new_totp_secret() if totp else None
            values["totp_secret"] = secret
            values["totp_last_step"] = None
            what.append("TOTP on" if totp else "TOTP off")
        if not values:
            raise ValueError("nothing to change")
        with self._sessions.begin() as session:
            done = session.execute(
                update(StaffRow).where(StaffRow.username == username).values(**values)
            )
            if getattr(done, "rowcount", 0) != 1:
                raise ServiceError(404, ErrorCode.NOT_FOUND, f"no staff member {username}")
            if disabled or roles is not None or password is not None:
                session.execute(delete(StaffSessionRow).where(StaffSessionRow.username == username))
        self.ledger.record_event(
            AuditAction.STAFF_CHANGE,
            actor=actor,
            subject=f"staff:{username}",
            reason=", ".join(what),
        )
        return secret

    def staff_list(self) -> list[dict[str, Any]]:
        with self._sessions() as session:
            rows = session.scalars(select(StaffRow).order_by(StaffRow.username)).all()
        return [
            {
                "username": r.username,
                "roles": sorted(_roles(r.roles)),
                "disabled": r.disabled,
                "totp": r.totp_secret is not None,
                "created_at": r.created_at.isoformat(),
            }
            for r in rows
        ]

    # -- staff sessions ------------------------------------------------------------------

    def login(
        self, username: object, password: object, totp: object, source: str
    ) -> tuple[str, Staff]:
        """Sign in: a new session token and who it is (401, recorded, when refused)."""
        name = username if isinstance(username, str) else ""
        secret = password if isinstance(password, str) else ""
        code = totp if isinstance(totp, str) else None
        with self._sessions() as session:
            row = session.get(StaffRow, name) if name and len(name) <= 64 else None
        ok = verify_password(row.password_hash if row is not None else None, secret)
        subject = f"staff:{name[:60]}" if row is not None else "staff"
        if not ok or row is None:
            raise self.refuse_credential(subject, source, "wrong user name or password")
        if row.disabled:
            raise self.refuse_credential(subject, source, "this account is disabled")
        if row.totp_secret is not None:
            last = int(row.totp_last_step) if row.totp_last_step else None
            step = verify_totp(row.totp_secret, code, last_step=last)
            if step is None:
                raise self.refuse_credential(subject, source, "a valid one-time code is needed")
            with self._sessions.begin() as session:
                done = session.execute(
                    update(StaffRow)
                    .where(
                        StaffRow.username == row.username,
                        StaffRow.totp_last_step.is_(None)
                        if last is None
                        else StaffRow.totp_last_step == str(last),
                    )
                    .values(totp_last_step=str(step))
                )
                if getattr(done, "rowcount", 0) != 1:
                    raise self.refuse_credential(subject, source, "this code was used already")
        token = new_token(SESSION_TOKEN_PREFIX)
        digest = token_digest(token)
        assert digest is not None
        now = self.now()
        expires = now + self.session_ttl
        with self._sessions.begin() as session:
            session.execute(delete(StaffSessionRow).where(StaffSessionRow.expires_at < now))
            session.add(
                StaffSessionRow(
                    token_sha256=digest,
                    username=row.username,
                    created_at=now,
                    expires_at=expires,
                    data=None,
                )
            )
        return token, Staff(row.username, _roles(row.roles), expires)

    def staff_for_token(self, token: str | None, source: str) -> Staff:
        digest = token_digest(token) if token else None
        if digest is None or not token or not token.startswith(SESSION_TOKEN_PREFIX):
            raise self.refuse_credential("staff-session", source, "no valid session; sign in")
        now = self.now()
        with self._sessions() as session:
            found = session.execute(
                select(StaffSessionRow, StaffRow)
                .join(StaffRow, StaffRow.username == StaffSessionRow.username)
                .where(StaffSessionRow.token_sha256 == digest)
            ).one_or_none()
        if found is None:
            raise self.refuse_credential("staff-session", source, "no valid session; sign in")
        session_row, staff_row = found
        if session_row.expires_at <= now or staff_row.disabled:
            raise ServiceError(401, ErrorCode.UNAUTHENTICATED, "the session has ended; sign in")
        return Staff(staff_row.username, _roles(staff_row.roles), session_row.expires_at)

    def logout(self, token: str | None) -> None:
        digest = token_digest(token) if token else None
        if digest is None:
            return
        with self._sessions.begin() as session:
            session.execute(delete(StaffSessionRow).where(StaffSessionRow.token_sha256 == digest))

    # -- staff work on requests ------------------------------------------------------------

    def find(self, staff: Staff, prefix: str) -> RequestRecord:
        staff.require(*READ_ROLES)
        try:
            return self.ledger.find(prefix)
        except RequestNotFound as exc:
            raise ServiceError(404, ErrorCode.NOT_FOUND, str(exc)) from None

    def list_requests(self, staff: Staff, **filters: Any) -> list[RequestRecord]:
        staff.require(*READ_ROLES)
        limit = filters.pop("limit", None)
        limit = _MAX_LIST if limit is None else min(int(limit), _MAX_LIST)
        return self.ledger.list_requests(limit=limit, **filters)

    def check(self, staff: Staff, prefix: str) -> RequestRecord:
        record = self.find(staff, prefix)
        return self.ledger.check(record.request_id)

    def change(self, staff: Staff, prefix: str, action: str, reason: str | None) -> RequestRecord:
        role = ACTION_ROLES.get(action)
        if role is None or action not in TRANSITIONS or action == "expire":
            raise ServiceError(404, ErrorCode.NOT_FOUND, f"no action {action[:40]!r}")
        staff.require(role)
        record = self.find(staff, prefix)
        try:
            return self.ledger.change(record.request_id, action, actor=staff.actor, reason=reason)
        except RequestTampered as exc:
            raise ServiceError(409, ErrorCode.TAMPERED, str(exc)) from None
        except InvalidTransition as exc:
            raise ServiceError(409, ErrorCode.CONFLICT, str(exc)) from None
        except ValueError as exc:
            raise ServiceError(400, ErrorCode.MALFORMED, str(exc)) from None

    def expire(self, staff: Staff) -> list[str]:
        staff.require(StaffRole.ISSUER)
        return self.ledger.expire_overdue(actor=staff.actor)

    def audit_trail(self, staff: Staff, **filters: Any) -> Sequence[Any]:
        staff.require(StaffRole.AUDITOR)
        return self.ledger.audit_trail(**filters)

    def request_trail(self, staff: Staff, request_id: str) -> Sequence[Any]:
        staff.require(*READ_ROLES)
        return self.ledger.audit_trail(request_id)
