"""One applicant's hold on the card: one exclusive connection from insertion to the end.

The kiosk opens the card when it is inserted (:class:`~gui.flow.ReadCard`) and keeps the
connection — and one card transaction — until the applicant's session ends: the card is
removed, the applicant finishes or cancels, or the kiosk times out. Then the connection is
closed and the card reset, and with the reset every PIN verification on it is gone.

Within the session the card's own security state carries a verified PIN: the signature
PIN verified to read the identity also covers the signature at the end, so the applicant
types it once. The PIN string itself is used for that one VERIFY and dropped at once
(:meth:`gui.flow.Secret.wipe`); nothing here keeps it.

The certificates are read once per session and kept here, in memory only, as bytes.

If the connection is lost (the card lifted, the reader gone, a transport fault), the
session is over: :meth:`CardSession.close` resets what can be reset, and every later effect
of that session is refused with "please start again".
"""

from __future__ import annotations

import logging
from contextlib import ExitStack

from jpki import errors
from jpki.card import JpkiCard
from jpki.layout import CertKind, PinKind

from .setup import CardOpener

logger = logging.getLogger("gui.services")

__all__ = ["CardSession", "SessionLost"]


class SessionLost(Exception):
    """The session's card connection is gone (or was never there): start again."""


class CardSession:
    """The card, held for one kiosk session (``number``: the flow's session number).

    Meant for the one worker thread that runs the effects.
    """

    def __init__(self, number: int, opener: CardOpener) -> None:
        self.number = number
        self._stack = ExitStack()
        self._card: JpkiCard | None = None
        self._certs: dict[CertKind, bytes] = {}
        #: SHA-256 of the user-authentication certificate that authenticated, once it has
        self.authenticated: bytes | None = None
        try:
            card = self._stack.enter_context(opener())
            self._stack.enter_context(card.transaction())
        except BaseException:
            self._stack.close()
            raise
        self._card = card

    @property
    def open(self) -> bool:
        return self._card is not None

    @property
    def card(self) -> JpkiCard:
        if self._card is None:
            raise SessionLost("the card session is over")
        return self._card

    def verified(self, kind: PinKind) -> bool:
        """Whether ``kind`` was verified on the card in this session (and still is)."""
        return self._card is not None and self._card.pin_verified(kind)

    def certificate_der(self, kind: CertKind) -> bytes:
        """The DER of ``kind``'s certificate, read from the card the first time only (the
        signature certificate needs the signature PIN verified in this session first)."""
        der = self._certs.get(kind)
        if der is None:
            der = self.card.read_certificate_der(kind)
            self._certs[kind] = der
        return der

    def close(self) -> None:
        """End the session: leave the transaction (the card forgets nothing yet), close the
        connection and reset the card (every verification dies). Never raises."""
        card, self._card = self._card, None
        self._certs.clear()
        self.authenticated = None
        if card is None:
            return
        try:
            self._stack.close()
        except errors.JpkiError as exc:  # the card already out: nothing left to reset
            logger.info("closing the card session: %s", exc)
        except Exception:
            logger.exception("closing the card session failed")
