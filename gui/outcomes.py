"""How the outcome of a kiosk effect that did not go through becomes the flow's event: the
applicant's refusals, the card's answers to a PIN, a certificate's problem, and the log of
an unexpected failure (PINs scrubbed). Used by :mod:`gui.services`, logged under its name."""

from __future__ import annotations

import logging
import re
import traceback
from typing import Final

from jpki import errors
from jpki.certs import CertificateFormatError
from jpki.layout import PinKind
from jpki.trust import Reason

from . import texts
from .card_session import SessionLost
from .flow import CardProblem, Effect, PinResult, Secret
from .texts import text

logger = logging.getLogger("gui.services")  # one log for the services, as operators read it


def one_line(message: str) -> str:
    return " ".join(message.split())


class Refused(Exception):
    """Stop an effect with a message for the applicant (nothing unexpected)."""

    def __init__(self, message: str, problem: CardProblem | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.problem = problem


_PROBLEM_OF_REASON: Final[dict[Reason, CardProblem]] = {
    Reason.UNTRUSTED: CardProblem.UNTRUSTED,
    Reason.BAD_SIGNATURE: CardProblem.UNTRUSTED,
    Reason.EXPIRED: CardProblem.EXPIRED,
    Reason.NOT_YET_VALID: CardProblem.NOT_YET_VALID,
    Reason.REVOKED: CardProblem.REVOKED,
    # Revocation could not be checked (no usable CRL): the card cannot be accepted; the
    # detail says why. CardProblem has no value of its own for this.
    Reason.CRL_STALE: CardProblem.UNTRUSTED,
    Reason.CRL_BAD_SIGNATURE: CardProblem.UNTRUSTED,
    Reason.NO_CRL: CardProblem.UNTRUSTED,
    Reason.WRONG_KEY_USAGE: CardProblem.NOT_JPKI,
    Reason.MALFORMED: CardProblem.UNREADABLE,
}


def problem_of(reason: Reason | None) -> CardProblem:
    return (
        _PROBLEM_OF_REASON.get(reason, CardProblem.UNTRUSTED) if reason else CardProblem.UNTRUSTED
    )


def bad_pin_format(session: int, kind: PinKind, lang: str) -> PinResult:
    logger.warning("session %d: a malformed %s was refused before the card", session, kind.value)
    return PinResult(
        session,
        ok=False,
        error=text(lang, texts.BAD_PIN_FORMAT),
    )


def pin_failure(session: int, exc: Exception, lang: str) -> PinResult:
    """The event for a card-side failure of an operation that used a PIN."""
    if isinstance(exc, errors.PinIncorrect):
        logger.info("session %d: wrong %s, %d tries left", session, exc.kind.value, exc.remaining)
        return PinResult(session, ok=False, remaining=exc.remaining, error=str(exc))
    if isinstance(exc, errors.PinBlocked):
        logger.info("session %d: the %s is blocked", session, exc.kind.value)
        return PinResult(session, ok=False, blocked=True, error=str(exc))
    if isinstance(exc, errors.CardRemoved):
        logger.info("session %d: the card was removed", session)
        return PinResult(session, ok=False, error=text(lang, texts.CARD_REMOVED), removed=True)
    if isinstance(exc, SessionLost):
        logger.info("session %d: the card session is over", session)
        return PinResult(session, ok=False, error=text(lang, texts.START_AGAIN))
    if isinstance(exc, errors.NotJpkiCard):
        return PinResult(session, ok=False, problem=CardProblem.NOT_JPKI, error=str(exc))
    if isinstance(exc, errors.CorruptData | CertificateFormatError):
        logger.warning("session %d: unusable data on the card: %s", session, exc)
        return PinResult(session, ok=False, problem=CardProblem.UNREADABLE, error=str(exc))
    if isinstance(exc, Refused):
        logger.info("session %d: refused: %s", session, exc.message)
        return PinResult(session, ok=False, problem=exc.problem, error=exc.message)
    logger.warning("session %d: card operation failed: %s", session, exc)
    return PinResult(session, ok=False, error=one_line(str(exc)))


def log_unexpected(effect: Effect, exc: BaseException) -> None:
    log = "".join(traceback.format_exception(exc))
    pin = getattr(effect, "pin", None)
    if isinstance(pin, Secret):
        log = scrub(log, pin)
    logger.error(
        "session %s: %s failed unexpectedly (PINs scrubbed):\n%s",
        getattr(effect, "session", "-"),
        type(effect).__name__,
        log,
    )


def scrub(log: str, pin: Secret) -> str:
    """``log`` with the PIN (any case, and its ASCII hex) replaced by ``****``."""
    secret = pin.reveal()
    if not secret:
        return log
    for form in (secret, secret.encode("utf-8", "replace").hex()):
        log = re.sub(re.escape(form), "****", log, flags=re.IGNORECASE)
    return log
