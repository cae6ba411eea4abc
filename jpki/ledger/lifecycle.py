"""A request's lifecycle: one table of the status changes staff (and the clock) may make.

The seeds: approval takes about two business days, no refunds, a one-time PDF
download within 14 days of issue, a convenience-store print until a deadline::

    submitted ─┬─> approved ──> issued ─┬─> delivered   (post, counter, store print)
               └─> rejected             ├─> downloaded  (digital PDF, once, ≤ 14 days)
                                        └─> expired     (PDF window / print deadline passed)

:data:`TRANSITIONS` says, for each action, from which statuses it may start,
the status it leads to, and its conditions (a reason required, the delivery
methods it applies to, the deadline). :func:`decide` applies one entry to a
request as it is now and says what to record — or raises
:class:`InvalidTransition` saying why not. It touches no database:
:meth:`jpki.ledger.Ledger.change` locks the row, asks :func:`decide`, and writes.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from types import MappingProxyType
from typing import Final

from ..requests import ConvenienceStoreDelivery, DeliveryMethod
from ..timeutil import JST, jst_text
from .errors import InvalidTransition
from .models import AuditAction, Status
from .records import RequestRecord

__all__ = [
    "FINAL_STATUSES",
    "TRANSITIONS",
    "Decision",
    "Transition",
    "check_actor",
    "check_reason",
    "decide",
    "transition_for",
]

MAX_ACTOR: Final = 100
MAX_REASON: Final = 1000

_ALL_METHODS: Final = frozenset(DeliveryMethod)


@dataclass(frozen=True)
class Transition:
    """One status change: ``action`` takes a request in one of ``sources`` to ``target``.

    ``methods``: the delivery methods it applies to. ``collects``: the applicant
    collects the certificate — allowed only before the request's deadline; after
    it the request expires instead. ``starts_deadline``: sets the download window
    or print deadline. ``overdue_only``: allowed only once the deadline has passed.
    ``once``: what to tell someone who repeats it.
    """

    action: AuditAction
    sources: frozenset[Status]
    target: Status
    past: str  # how a message says it was done: "approved"
    reason_required: bool = False
    methods: frozenset[DeliveryMethod] = _ALL_METHODS
    collects: bool = False
    starts_deadline: bool = False
    overdue_only: bool = False
    once: str | None = None


_ISSUED: Final = frozenset({Status.ISSUED})

#: Every status change there is, by action (submit and purge create and delete requests).
TRANSITIONS: Final = MappingProxyType(
    {
        t.action: t
        for t in (
            Transition(
                AuditAction.APPROVE, frozenset({Status.SUBMITTED}), Status.APPROVED, "approved"
            ),
            Transition(
                AuditAction.REJECT,
                frozenset({Status.SUBMITTED}),
                Status.REJECTED,
                "rejected",
                reason_required=True,
            ),
            Transition(
                AuditAction.ISSUE,
                frozenset({Status.APPROVED}),
                Status.ISSUED,
                "issued",
                starts_deadline=True,
            ),
            Transition(
                AuditAction.DELIVER,
                _ISSUED,
                Status.DELIVERED,
                "delivered",
                methods=_ALL_METHODS - {DeliveryMethod.DIGITAL_PDF},
                collects=True,
            ),
            Transition(
                AuditAction.DOWNLOAD,
                _ISSUED,
                Status.DOWNLOADED,
                "downloaded",
                methods=frozenset({DeliveryMethod.DIGITAL_PDF}),
                collects=True,
                once="a digital certificate can be downloaded once — the applicant applies again",
            ),
            Transition(AuditAction.EXPIRE, _ISSUED, Status.EXPIRED, "expired", overdue_only=True),
        )
    }
)

#: Statuses nothing leaves; only these are purged.
FINAL_STATUSES: Final = frozenset(Status) - {s for t in TRANSITIONS.values() for s in t.sources}


@dataclass(frozen=True)
class Decision:
    """What a change records: the audit entry's action, the new status and its reason; for
    ``issue`` the issue time and the deadline. ``deadline_passed`` is set when the
    change became an expiry (the deadline had passed): the caller commits it, then
    raises :class:`jpki.ledger.DeadlinePassed`."""

    action: AuditAction
    target: Status
    reason: str | None
    issued_at: datetime | None = None
    expires_at: datetime | None = None
    deadline_passed: str | None = None


def transition_for(action: AuditAction | str) -> Transition:
    """The table's entry for ``action`` (``ValueError`` for anything that is not a change)."""
    try:
        return TRANSITIONS[AuditAction(action)]
    except (ValueError, KeyError):
        known = ", ".join(TRANSITIONS)
        raise ValueError(f"{str(action)[:40]!r} is not a status change (known: {known})") from None


# Bidirectional embeddings, overrides and isolates: they reorder what a terminal shows.
_BIDI: Final = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _unprintable(text: str) -> bool:
    """Whether ``text`` holds a control character (line breaks and tabs included), a line
    or paragraph separator, or a bidirectional control: what could move the cursor, forge
    a line of a listing or reorder it."""
    return any(unicodedata.category(c) in ("Cc", "Zl", "Zp") or c in _BIDI for c in text)


def check_actor(actor: object) -> str:
    """Who makes a change: a non-empty printable name of at most 100 characters."""
    if not isinstance(actor, str) or not actor.strip():
        raise ValueError("the actor (who makes the change) must be a non-empty name")
    if len(actor) > MAX_ACTOR or _unprintable(actor):
        raise ValueError(f"the actor must be at most {MAX_ACTOR} printable characters")
    return actor


def check_reason(reason: str | None, *, required: bool = False) -> str | None:
    """Why (``None`` for a blank one, which ``required`` refuses): at most 1000 printable
    characters on one line — control characters are refused, not stored."""
    if reason is None or not reason.strip():
        if required:
            raise ValueError("a reason is required")
        return None
    if len(reason) > MAX_REASON:
        raise ValueError(f"the reason must be at most {MAX_REASON} characters")
    if _unprintable(reason):
        raise ValueError(
            "the reason must be printable text on one line (no control characters, "
            "line breaks or direction overrides)"
        )
    return reason


def decide(
    transition: Transition,
    record: RequestRecord,
    *,
    when: datetime,
    reason: str | None,
    download_window: timedelta,
) -> Decision:
    """What ``transition`` does to ``record`` at ``when``; :class:`InvalidTransition` if it
    may not happen. The reason has been checked (:func:`check_reason`)."""
    rid = record.request_id
    method = record.delivery_method
    if method not in transition.methods:
        other = [a.value for a, t in TRANSITIONS.items() if t.collects and method in t.methods]
        raise InvalidTransition(
            f"request {rid} is delivered by {method.value}: use '{' or '.join(other)}'"
        )
    if transition.once is not None and record.status is transition.target:
        raise InvalidTransition(
            f"request {rid} was {transition.past} already "
            f"({jst_text(record.status_changed_at, seconds=False)}); {transition.once}"
        )
    if record.status not in transition.sources:
        allowed = " or ".join(sorted(transition.sources))
        raise InvalidTransition(
            f"request {rid} is {record.status.value}; it cannot be {transition.past} "
            f"(only a request that is {allowed} can)"
        )
    deadline = record.expires_at
    overdue = deadline is not None and when >= deadline
    if transition.collects and overdue:
        assert deadline is not None
        what = (
            "download window"
            if method is DeliveryMethod.DIGITAL_PDF
            else "convenience-store print deadline"
        )
        ended = f"the {what} ended {jst_text(deadline, seconds=False)}"
        expiry = TRANSITIONS[AuditAction.EXPIRE]
        return Decision(expiry.action, expiry.target, ended, deadline_passed=ended)
    if transition.overdue_only:
        if deadline is None or not overdue:
            until = (
                "it has no deadline"
                if deadline is None
                else f"it runs to {jst_text(deadline, seconds=False)}"
            )
            raise InvalidTransition(f"request {rid} is not overdue: {until}")
        reason = reason or f"not collected by {jst_text(deadline, seconds=False)}"
    if transition.starts_deadline:
        expires = _deadline(record, when, download_window)
        return Decision(transition.action, transition.target, reason, when, expires)
    return Decision(transition.action, transition.target, reason)


def _deadline(record: RequestRecord, issued: datetime, window: timedelta) -> datetime | None:
    """The end of the download window (digital PDF) or of the print deadline's day (JST,
    convenience store); ``None`` for the methods without one."""
    if record.delivery_method is DeliveryMethod.DIGITAL_PDF:
        return issued + window
    if record.delivery_method is not DeliveryMethod.CONVENIENCE_STORE:
        return None
    delivery = record.request.delivery
    assert isinstance(delivery, ConvenienceStoreDelivery)
    deadline = delivery.print_deadline
    expires = datetime.combine(deadline + timedelta(days=1), time(0), JST)
    if expires <= issued:
        raise InvalidTransition(
            f"request {record.request_id}: its print deadline {deadline.isoformat()} "
            "has passed; reject it (the applicant applies again)"
        )
    return expires.astimezone(UTC)
