"""Where the kiosk's signed requests go: a local ledger (one machine) or the office service
through the outbox (many kiosks) — one seam, :class:`RequestSink`.

``sink.my_requests(auth_cert_sha256, prove, limit=...)`` lists the requests of the card
that authenticated in the kiosk session, newest first (the status screen); a sink that
cannot list them now raises :class:`StatusUnavailable`.

``sink.submit(signature, document, holder=...)`` returns a :class:`SubmitOutcome`:
``stored`` (the ledger or the office has the request) or ``queued`` (kept in the
outbox; it goes out when the office is back — the receipt should say so). A
request the office refuses for good raises :class:`jpki.ledger.SubmissionRejected`,
like the local ledger does.

:class:`OfficeSink` writes every request to the :class:`~gui.outbox.Outbox` first
(durable) and then sends what waits, oldest first; a background thread keeps
trying while the office is unreachable (backing off to a minute). It also carries
the calls the kiosk's status screen needs: :meth:`OfficeSink.holder_challenge` and
:meth:`OfficeSink.holder_requests` (an applicant's own requests, after their card
signed the office's challenge).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Final, Protocol

from jpki.ledger import Ledger, RejectReason, SubmissionRejected
from jpki.officeapi import (
    HolderProof,
    KioskClient,
    OfficeError,
    OfficeRefused,
    OfficeUnreachable,
    Receipt,
)

from .config import ConfigError, KioskConfig
from .outbox import Outbox, OutboxEntry

__all__ = [
    "LocalLedgerSink",
    "OfficeSink",
    "Prove",
    "RequestSink",
    "StatusUnavailable",
    "SubmitOutcome",
    "read_token",
]

logger = logging.getLogger(__name__)

_MAX_BACKOFF: Final = 60.0


@dataclass(frozen=True)
class SubmitOutcome:
    request_id: str
    stored: bool  # the ledger / the office has it
    queued: bool  # in the outbox, to be sent when the office is back
    receipt: Receipt | None = None  # the office's receipt (when stored there)


#: Has the card of the session sign an office's challenge (bytes as the office gave them)
#: with its user-authentication key: the proof for :meth:`KioskClient.holder_requests`.
Prove = Callable[[bytes], HolderProof]


class StatusUnavailable(Exception):
    """The applicant's requests cannot be listed here now (the office is unreachable, or
    does not offer it). The message is for the log, not for the applicant."""


def newest_first(receipts: list[Receipt], limit: int) -> list[Receipt]:
    """The newest ``limit`` of ``receipts`` (by submission time), newest first."""
    ordered = sorted(receipts, key=lambda r: r.submitted_at or "", reverse=True)
    return ordered[: max(0, limit)]


class RequestSink(Protocol):
    def submit(
        self,
        signature: bytes,
        document: bytes | None,
        *,
        request_id: str,
        holder: HolderProof | None = None,
        at: datetime | None = None,
    ) -> SubmitOutcome: ...

    def my_requests(self, auth_cert_sha256: str, prove: Prove, *, limit: int) -> list[Receipt]:
        """The requests linked to the user-authentication certificate with this SHA-256
        (hex), which authenticated in the kiosk session: the newest ``limit``, newest first.
        ``prove`` lets the sink have the card answer its own challenge.
        :class:`StatusUnavailable` when they cannot be listed now."""
        ...

    def close(self) -> None: ...


class LocalLedgerSink:
    """The single-machine setup: the kiosk stores into a ledger it opened itself."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger

    def submit(
        self,
        signature: bytes,
        document: bytes | None,
        *,
        request_id: str,
        holder: HolderProof | None = None,
        at: datetime | None = None,
    ) -> SubmitOutcome:
        auth = None
        if holder is not None:
            import hashlib

            auth = hashlib.sha256(holder.certificate).hexdigest()
        result = self.ledger.submit(signature, document, at=at, auth_cert_sha256=auth)
        return SubmitOutcome(result.record.request_id, stored=True, queued=False)

    def my_requests(self, auth_cert_sha256: str, prove: Prove, *, limit: int) -> list[Receipt]:
        """From the ledger itself: the kiosk verified the card's answer in this session."""
        from jpki.ledger import LedgerError

        try:
            records = self.ledger.list_requests(auth_cert_sha256=auth_cert_sha256)
        except LedgerError as exc:
            raise StatusUnavailable(f"the ledger cannot list requests: {exc}") from None
        return newest_first([Receipt.of(r) for r in records], limit)

    def close(self) -> None:
        """The ledger belongs to whoever opened it."""


def read_token(path: Path) -> str:
    """A kiosk token file (one line; refused if others may read it)."""
    import stat

    try:
        info = path.stat()
        text = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read the kiosk token {path}: {exc}") from None
    if not stat.S_ISREG(info.st_mode) or info.st_mode & 0o077:
        raise ConfigError(f"the kiosk token {path} may be read by others: chmod 600 {path}")
    if not text or "\n" in text or len(text) > 128:
        raise ConfigError(f"{path} holds no kiosk token")
    return text


def _reject_reason(value: str | None) -> RejectReason:
    try:
        return RejectReason(value or "malformed")
    except ValueError:
        return RejectReason.MALFORMED


class OfficeSink:
    """Requests to the office through the outbox (see the module docstring)."""

    def __init__(self, client: KioskClient, outbox: Outbox, *, retry_interval: float = 2.0) -> None:
        self.client = client
        self.outbox = outbox
        self.retry_interval = retry_interval
        self._send_lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="kiosk-outbox", daemon=True)
        self._thread.start()

    @classmethod
    def from_config(cls, config: KioskConfig) -> OfficeSink:
        import platformdirs

        if not config.office_urls or config.office_token_file is None or config.office_ca is None:
            raise ConfigError("[office] needs url, token_file and ca")
        token = read_token(config.office_token_file)
        folder = config.outbox or Path(platformdirs.user_data_dir("jpki")) / "kiosk-outbox"
        client = KioskClient(list(config.office_urls), ca=config.office_ca, token=token)
        return cls(client, Outbox(folder))

    def close(self) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(10)
        self.client.close()
        self.outbox.close()

    # -- submitting --------------------------------------------------------------------------

    def submit(
        self,
        signature: bytes,
        document: bytes | None,
        *,
        request_id: str,
        holder: HolderProof | None = None,
        at: datetime | None = None,
    ) -> SubmitOutcome:
        """Keep the request in the outbox, then send what waits. Stored at the office, or
        queued; :class:`SubmissionRejected` if the office refuses this request for good.
        With older requests waiting, this one waits its turn (the sender keeps the order)
        and the applicant is not kept waiting for them."""
        older = len(self.outbox)
        entry = self.outbox.put(request_id, signature, document, holder)
        if not older:
            outcome = self.flush(until=entry)
            if outcome is not None:
                return outcome
        self._wake.set()
        return SubmitOutcome(request_id, stored=False, queued=True)

    def flush(self, until: OutboxEntry | None = None) -> SubmitOutcome | None:
        """Send what waits, oldest first, while the office answers. With ``until``: the
        outcome of that entry once it was sent (``None`` when it is still queued); a final
        refusal of it raises :class:`SubmissionRejected`."""
        with self._send_lock:
            for entry in self.outbox.pending():
                try:
                    receipt = self.client.submit(
                        entry.signature, entry.document, holder=entry.holder
                    )
                except OfficeUnreachable as exc:
                    logger.info("office unreachable; %d request(s) wait: %s", len(self.outbox), exc)
                    return None
                except OfficeRefused as exc:
                    if not exc.final:
                        logger.info("the office asks to wait: %s", exc.message)
                        return None
                    self.outbox.refuse(
                        entry, f"{exc.status} {exc.code} {exc.reason}: {exc.message}"
                    )
                    logger.warning("the office refused request %s: %s", entry.request_id, exc)
                    if until is not None and entry.seq == until.seq:
                        raise SubmissionRejected(
                            _reject_reason(exc.reason),
                            exc.message,
                            request_id=entry.request_id,
                        ) from None
                    continue
                except OfficeError as exc:
                    logger.warning("sending request %s failed: %s", entry.request_id, exc)
                    return None
                self.outbox.done(entry)
                logger.info(
                    "request %s is at the office (%s)",
                    entry.request_id,
                    "stored" if receipt.created else "already there",
                )
                if until is not None and entry.seq == until.seq:
                    return SubmitOutcome(
                        entry.request_id, stored=True, queued=False, receipt=receipt
                    )
        return None

    def _run(self) -> None:
        delay = self.retry_interval
        while not self._stop.is_set():
            self._wake.wait(delay)
            self._wake.clear()
            if self._stop.is_set():
                return
            if not len(self.outbox):
                delay = self.retry_interval
                continue
            try:
                self.flush()
            except Exception:  # the sender must not die; the next round tries again
                logger.exception("sending the outbox failed")
            delay = self.retry_interval if not len(self.outbox) else min(delay * 2, _MAX_BACKOFF)

    @property
    def waiting(self) -> int:
        """How many requests wait in the outbox."""
        return len(self.outbox)

    # -- an applicant's own requests (for the status screen) ---------------------------------

    def holder_challenge(self) -> bytes:
        return self.client.holder_challenge()

    def holder_requests(self, proof: HolderProof) -> list[Receipt]:
        return self.client.holder_requests(proof)

    def my_requests(self, auth_cert_sha256: str, prove: Prove, *, limit: int) -> list[Receipt]:
        """The office's challenge, answered by the card (``prove``), for the office's list.
        An office that cannot be reached or refuses (one without the holder endpoints
        answers 404): :class:`StatusUnavailable`."""
        try:
            challenge = self.holder_challenge()
        except (OfficeError, ValueError) as exc:  # ValueError: not a challenge
            raise StatusUnavailable(f"no challenge from the office: {exc}") from None
        proof = prove(challenge)  # the card's errors are the card's, not the office's
        try:
            found = self.holder_requests(proof)
        except (OfficeError, ValueError) as exc:  # ValueError: an answer not understood
            raise StatusUnavailable(f"the office cannot list the requests: {exc}") from None
        return newest_first(found, limit)
