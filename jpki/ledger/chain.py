"""The audit trail's hash chain: each entry carries the hash of the one before it.

Every audit entry has a position ``seq`` (1, 2, 3… without gaps) and::

    entry_hash = SHA-256("jpki-audit-v1\\0" || prev_hash || body)

where ``prev_hash`` is the previous entry's ``entry_hash`` (64 zeros before the
first) and ``body`` is the entry's fields in one canonical JSON form — its
position, time, actor, action, request or subject, status change, reason, the
request's deadlines and the SHA-256 of the request's signed document, CMS
signature and holder certificate. So an entry cannot be edited, removed,
inserted or moved without breaking the hashes after it.

A hash alone does not stop someone who can write to the database from adding a
well-formed entry at the end. A ledger with an **audit key** (the office's; a
secret kept outside the database) also stores ``mac = HMAC-SHA-256(key,
entry_hash)`` and MACs the head: an entry written without the key is a
forgery. ``audit_chain_head`` holds the last position and hash, so that
entries cut from the end show too; every request row points at its latest
entry (``audit_seq``), which records its status.

Appending takes the head's row lock (PostgreSQL ``SELECT … FOR UPDATE``;
SQLite's ``BEGIN IMMEDIATE`` already serialises writers), so the chain is one
line even with several service instances on one database. :func:`verify_chain`
walks the whole chain and says where it breaks.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from .errors import LedgerError
from .models import AuditRow, ChainHeadRow

__all__ = [
    "GENESIS",
    "AuditKeyError",
    "ChainBreak",
    "ChainReport",
    "append_entry",
    "body_of",
    "entry_hash",
    "entry_mac",
    "head_mac",
    "key_id",
    "lock_head",
    "next_entry",
    "read_head",
    "verify_chain",
    "verify_entry",
]

GENESIS: Final = "0" * 64
_HASH_DOMAIN: Final = b"jpki-audit-v1\0"
_MAC_DOMAIN: Final = b"jpki-audit-mac-v1\0"
_HEAD_DOMAIN: Final = b"jpki-audit-head-v1\0"
_KEY_ID_DOMAIN: Final = b"jpki-audit-key-id-v1\0"
MIN_KEY_SIZE: Final = 32

#: The fields of an entry that its hash covers (``id`` does not: it is the database's).
BODY_FIELDS: Final = (
    "seq",
    "request_id",
    "subject",
    "at",
    "actor",
    "action",
    "from_status",
    "to_status",
    "reason",
    "content_sha256",
    "signature_sha256",
    "auth_cert_sha256",
    "issued_at",
    "expires_at",
)


class AuditKeyError(LedgerError):
    """The audit key is missing, too short, or not the one the chain is sealed with."""


def key_id(key: bytes) -> str:
    """A short public name of an audit key (16 hex digits; not the key)."""
    return hashlib.sha256(_KEY_ID_DOMAIN + key).hexdigest()[:16]


def check_key(key: bytes | None) -> bytes | None:
    if key is None:
        return None
    if not isinstance(key, bytes) or len(key) < MIN_KEY_SIZE:
        raise AuditKeyError(f"an audit key is at least {MIN_KEY_SIZE} random bytes")
    return key


def _time(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def body_of(values: dict[str, Any] | AuditRow) -> bytes:
    """The canonical bytes of an entry's fields (what its hash covers)."""
    get = values.get if isinstance(values, dict) else lambda name: getattr(values, name)
    data: dict[str, Any] = {}
    for name in BODY_FIELDS:
        value = get(name)
        data[name] = _time(value) if name in ("at", "issued_at", "expires_at") else value
    return json.dumps(
        data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def entry_hash(prev_hash: str, body: bytes) -> str:
    return hashlib.sha256(_HASH_DOMAIN + prev_hash.encode("ascii") + body).hexdigest()


def entry_mac(key: bytes, hash_hex: str) -> str:
    return hmac.new(key, _MAC_DOMAIN + hash_hex.encode("ascii"), hashlib.sha256).hexdigest()


def head_mac(key: bytes, seq: int, hash_hex: str) -> str:
    message = _HEAD_DOMAIN + str(seq).encode("ascii") + b"\0" + hash_hex.encode("ascii")
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def read_head(session: Session) -> ChainHeadRow:
    head = session.get(ChainHeadRow, 1)
    if head is None:
        raise LedgerError("the audit chain has no head row: the database is not migrated")
    return head


def lock_head(session: Session, key: bytes | None) -> ChainHeadRow:
    """Lock the chain's head for this transaction (one writer at a time) and check that
    ``key`` is the one the chain is sealed with."""
    head = session.scalars(
        select(ChainHeadRow).where(ChainHeadRow.id == 1).with_for_update()
    ).one_or_none()
    if head is None:
        raise LedgerError("the audit chain has no head row: the database is not migrated")
    if head.key_id is not None:
        if key is None:
            raise AuditKeyError(
                "this ledger's audit trail is sealed with an audit key (id "
                f"{head.key_id}); changes need that key (the office's audit key file)"
            )
        if key_id(key) != head.key_id:
            raise AuditKeyError(
                f"the audit key given (id {key_id(key)}) is not the one this ledger's audit "
                f"trail is sealed with (id {head.key_id})"
            )
    return head


def next_entry(head: ChainHeadRow, key: bytes | None, **values: Any) -> dict[str, Any]:
    """The column values of the next entry (``values``: the body's fields but ``seq``) after
    ``head`` (locked by :func:`lock_head`), which moves on to it. The caller inserts it."""
    values["seq"] = head.seq + 1
    for name in BODY_FIELDS:
        values.setdefault(name, None)
    digest = entry_hash(head.entry_hash, body_of(values))
    sealed = key if head.key_id is not None else None
    values["prev_hash"] = head.entry_hash
    values["entry_hash"] = digest
    values["mac"] = entry_mac(sealed, digest) if sealed is not None else None
    head.seq = values["seq"]
    head.entry_hash = digest
    head.mac = head_mac(sealed, head.seq, digest) if sealed is not None else None
    return values


def append_entry(
    session: Session, head: ChainHeadRow, key: bytes | None, **values: Any
) -> AuditRow:
    """Add the next entry after ``head`` (:func:`next_entry`) to ``session``."""
    row = AuditRow(**next_entry(head, key, **values))
    session.add(row)
    return row


def verify_entry(row: AuditRow, key: bytes | None) -> tuple[str, str] | None:
    """What is wrong with one entry on its own — ``("edited", why)`` (its hash) or
    ``("forged", why)`` (its MAC, when ``key`` is given) — or ``None``."""
    if entry_hash(row.prev_hash, body_of(row)) != row.entry_hash:
        return "edited", "it does not match its hash (edited)"
    if key is not None and (
        row.mac is None or not hmac.compare_digest(row.mac, entry_mac(key, row.entry_hash))
    ):
        return "forged", "its MAC is wrong or missing (not written with the audit key: forged)"
    return None


@dataclass(frozen=True)
class ChainBreak:
    """Where the chain breaks and how: ``seq`` is the position (``None`` for the head)."""

    seq: int | None
    entry_id: int | None
    kind: str  # edited, forged, link, gap, order, head
    message: str

    def to_json_dict(self) -> dict[str, Any]:
        return {"seq": self.seq, "id": self.entry_id, "kind": self.kind, "message": self.message}


@dataclass(frozen=True)
class ChainReport:
    """The result of :func:`verify_chain`."""

    entries: int
    head_seq: int
    head_hash: str
    key_id: str | None
    key_checked: bool  # the MACs were checked (the key was given)
    breaks: tuple[ChainBreak, ...] = field(default=())
    truncated: bool = False  # more breaks than are listed

    @property
    def ok(self) -> bool:
        return not self.breaks

    def summary(self) -> str:
        sealed = (
            "unsealed (no audit key)"
            if self.key_id is None
            else f"sealed with key {self.key_id}"
            + ("" if self.key_checked else " — MACs NOT checked (no key given)")
        )
        state = "intact" if self.ok else f"BROKEN at {len(self.breaks)} place(s)"
        return (
            f"audit chain {state}: {self.entries} entries, head {self.head_seq} "
            f"{self.head_hash[:16]}…, {sealed}"
        )

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "entries": self.entries,
            "head_seq": self.head_seq,
            "head_hash": self.head_hash,
            "key_id": self.key_id,
            "key_checked": self.key_checked,
            "breaks": [b.to_json_dict() for b in self.breaks],
            "truncated": self.truncated,
        }


def _entries(session: Session, batch: int = 2000) -> Iterator[AuditRow]:
    last = -(2**62)
    while True:
        rows = session.scalars(
            select(AuditRow).where(AuditRow.seq > last).order_by(AuditRow.seq).limit(batch)
        ).all()
        if not rows:
            return
        yield from rows
        last = rows[-1].seq
        session.expunge_all()


def verify_chain(
    session: Session,
    key: bytes | None,
    *,
    expect: tuple[int, str] | None = None,
    max_breaks: int = 100,
) -> ChainReport:
    """Walk the whole chain in order of position; every break found (up to ``max_breaks``).

    ``key``: check the MACs too (``None``: the hashes only; a sealed chain then says
    its MACs were not checked). ``expect``: a (position, hash) seen before (an anchor
    kept elsewhere) that the chain must still hold.
    """
    head = read_head(session)
    head_seq, head_hash, head_key, head_row_mac = head.seq, head.entry_hash, head.key_id, head.mac
    if key is not None and head_key is not None and key_id(key) != head_key:
        raise AuditKeyError(
            f"the audit key given (id {key_id(key)}) is not the chain's (id {head_key})"
        )
    check = key if head_key is not None else None
    breaks: list[ChainBreak] = []
    truncated = False

    def broken(seq: int | None, entry_id: int | None, kind: str, message: str) -> None:
        nonlocal truncated
        if len(breaks) < max_breaks:
            breaks.append(ChainBreak(seq, entry_id, kind, message))
        else:
            truncated = True

    last_seq, last_hash, last_id = 0, GENESIS, None
    count = 0
    anchor_seen = expect is None
    for row in _entries(session):
        count += 1
        where = f"entry {row.seq} (id {row.id})"
        if row.seq != last_seq + 1:
            if row.seq > last_seq + 1:
                gone = last_seq + 1
                missing = f"{gone}" if row.seq == gone + 1 else f"{gone}–{row.seq - 1}"
                broken(row.seq, row.id, "gap", f"entries {missing} are missing before {where}")
        elif row.prev_hash != last_hash:
            broken(
                row.seq,
                row.id,
                "link",
                f"{where} does not follow entry {last_seq}: an entry was inserted, "
                "deleted or moved here",
            )
        if last_id is not None and row.id <= last_id:
            broken(
                row.seq,
                row.id,
                "order",
                f"{where} was written before entry {last_seq} (id {last_id}): reordered",
            )
        problem = verify_entry(row, check)
        if problem is not None:
            broken(row.seq, row.id, problem[0], f"{where}: {problem[1]}")
        if expect is not None and row.seq == expect[0]:
            anchor_seen = True
            if row.entry_hash != expect[1]:
                broken(
                    row.seq,
                    row.id,
                    "anchor",
                    f"{where} is not the entry recorded before (hash {expect[1][:16]}…)",
                )
        last_seq, last_hash, last_id = row.seq, row.entry_hash, row.id
    if not anchor_seen and expect is not None:
        broken(expect[0], None, "anchor", f"entry {expect[0]}, recorded before, is gone")
    if (head_seq, head_hash) != (last_seq, last_hash):
        broken(
            None,
            None,
            "head",
            f"the chain's head says entry {head_seq} ({head_hash[:16]}…) is the last, but the "
            f"last entry is {last_seq} ({last_hash[:16]}…): entries were cut from or added at "
            "the end",
        )
    if check is not None and (
        head_row_mac is None
        or not hmac.compare_digest(head_row_mac, head_mac(check, head_seq, head_hash))
    ):
        broken(None, None, "forged", "the chain's head was not written with the audit key")
    return ChainReport(
        entries=count,
        head_seq=head_seq,
        head_hash=head_hash,
        key_id=head_key,
        key_checked=check is not None,
        breaks=tuple(breaks),
        truncated=truncated,
    )
