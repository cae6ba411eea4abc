"""The kiosk's outbox: signed requests kept on disk until the office has them.

Each request is one file, ``<seq>-<request id>.json``, written whole and fsync'd
(a temporary file, fsync, rename, fsync of the folder), mode 0600 in a 0700
folder, before the applicant is given a receipt. A file is removed only once
the office answered that it stored that request (or had it already): a kiosk
killed at any moment leaves each request either absent (never acknowledged to
the applicant) or in the outbox, and the office's submissions are idempotent on
the request id and the hash of the signed bytes — so nothing is lost and
nothing is stored twice.

Requests go out in the order they were put in (``seq``). One the office refuses
for good (a bad signature, a request of another kiosk) is moved to
``refused/`` with the reason beside it, for staff to look at. A file that
cannot be read back is moved to ``broken/``. A lock file keeps two kiosk
processes from sharing one outbox.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import re
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from jpki.officeapi import HolderProof

__all__ = ["Outbox", "OutboxEntry", "OutboxError"]

_NAME: Final = re.compile(r"(\d{12})-([0-9a-f-]{36})\.json")
_MAX_FILE: Final = 256 * 1024


class OutboxError(Exception):
    """The outbox cannot be used (its folder, its lock)."""


@dataclass(frozen=True)
class OutboxEntry:
    seq: int
    request_id: str
    signature: bytes
    document: bytes | None
    holder: HolderProof | None
    queued_at: datetime
    path: Path


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class Outbox:
    """A folder of signed requests waiting for the office (thread-safe; one process)."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        for sub in (self.folder, self.folder / "refused", self.folder / "broken"):
            sub.mkdir(mode=0o700, parents=True, exist_ok=True)
        if self.folder.is_symlink() or not self.folder.is_dir():
            raise OutboxError(f"{self.folder} is not a folder")
        if self.folder.stat().st_mode & 0o077:
            self.folder.chmod(0o700)
        self._lock_fd = os.open(
            self.folder / ".lock", os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600
        )
        try:
            fcntl.flock(self._lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(self._lock_fd)
            raise OutboxError(f"another kiosk process uses the outbox {self.folder}") from None
        self._lock = threading.Lock()
        self._next = max((seq for seq, _ in self._names()), default=0) + 1
        self._clean_temporaries()

    def close(self) -> None:
        if self._lock_fd >= 0:
            os.close(self._lock_fd)
            self._lock_fd = -1

    def _names(self) -> list[tuple[int, Path]]:
        found = []
        for path in self.folder.iterdir():
            match = _NAME.fullmatch(path.name)
            if match:
                found.append((int(match.group(1)), path))
        found.sort()
        return found

    def _clean_temporaries(self) -> None:
        for path in self.folder.glob(".tmp-*"):
            path.unlink(missing_ok=True)  # a write that a kill cut short: never acknowledged

    def put(
        self,
        request_id: str,
        signature: bytes,
        document: bytes | None,
        holder: HolderProof | None = None,
    ) -> OutboxEntry:
        """Keep a signed request (durably, before this returns)."""
        if not re.fullmatch(r"[0-9a-f-]{36}", request_id):
            raise ValueError("not a request id")
        queued = datetime.now(UTC)
        data = {
            "request_id": request_id,
            "signature": base64.b64encode(signature).decode("ascii"),
            "document": base64.b64encode(document).decode("ascii")
            if document is not None
            else None,
            "holder": holder.to_json() if holder is not None else None,
            "queued_at": queued.isoformat(),
        }
        raw = json.dumps(data, sort_keys=True).encode("ascii")
        with self._lock:
            seq = self._next
            self._next += 1
            final = self.folder / f"{seq:012d}-{request_id}.json"
            temporary = self.folder / f".tmp-{seq:012d}"
            fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
            try:
                os.write(fd, raw)
                os.fsync(fd)
            finally:
                os.close(fd)
            os.rename(temporary, final)
            _fsync_dir(self.folder)
        return OutboxEntry(seq, request_id, signature, document, holder, queued, final)

    def pending(self) -> list[OutboxEntry]:
        """What waits, oldest first (files that cannot be read go to ``broken/``)."""
        entries = []
        for seq, path in self._names():
            try:
                entries.append(self._read(seq, path))
            except (OSError, ValueError, KeyError) as exc:
                if isinstance(exc, FileNotFoundError):
                    continue  # sent and removed meanwhile
                self._move(path, "broken", f"unreadable: {exc}")
        return entries

    def __len__(self) -> int:
        return len(self._names())

    def _read(self, seq: int, path: Path) -> OutboxEntry:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
        try:
            raw = os.read(fd, _MAX_FILE + 1)
        finally:
            os.close(fd)
        if len(raw) > _MAX_FILE:
            raise ValueError("too large")
        data: dict[str, Any] = json.loads(raw)
        document = data["document"]
        holder = data["holder"]
        return OutboxEntry(
            seq=seq,
            request_id=str(data["request_id"]),
            signature=base64.b64decode(data["signature"], validate=True),
            document=base64.b64decode(document, validate=True) if document is not None else None,
            holder=HolderProof.from_json(holder) if holder is not None else None,
            queued_at=datetime.fromisoformat(data["queued_at"]),
            path=path,
        )

    def done(self, entry: OutboxEntry) -> None:
        """The office has it: forget it."""
        with self._lock:
            entry.path.unlink(missing_ok=True)
            _fsync_dir(self.folder)

    def refuse(self, entry: OutboxEntry, reason: str) -> Path:
        """The office refused it for good: keep it aside with the reason."""
        return self._move(entry.path, "refused", reason)

    def refused(self) -> list[Path]:
        return sorted(p for p in (self.folder / "refused").glob("*.json"))

    def _move(self, path: Path, where: str, reason: str) -> Path:
        with self._lock:
            target = self.folder / where / path.name
            os.replace(path, target)
            note = target.with_suffix(".reason.txt")
            fd = os.open(note, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
            try:
                os.write(fd, reason.encode("utf-8", "replace")[:4000] + b"\n")
                os.fsync(fd)
            finally:
                os.close(fd)
            _fsync_dir(self.folder / where)
            _fsync_dir(self.folder)
        return target
