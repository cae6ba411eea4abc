"""One error hierarchy, each with a message a person can act on.

No message ever contains a PIN or an individual number.
"""

from __future__ import annotations

from apdu import SW, describe

from .layout import APPLICATION_NAMES, JPKI_AID, PinKind

MUNICIPAL_OFFICE_ADVICE = (
    "Only the holder's municipal office can reset it: go there in person with the card "
    "and an identity document."
)


class JpkiError(Exception):
    """Base of every error raised by :mod:`jpki`."""


# -- reader and card -----------------------------------------------------------


class ReaderError(JpkiError):
    """Reader or card access failed."""


class NoReader(ReaderError):
    """No card reader is connected (or none matches)."""


class NoCard(ReaderError):
    """The reader holds no card."""


class CardRemoved(ReaderError):
    """The card was removed during the operation."""


class ReaderInUse(ReaderError):
    """Another program is using the reader."""


class ReaderUnavailable(ReaderError):
    """The reader or the PC/SC service went away."""


class TransportFailure(ReaderError):
    """An APDU could not be exchanged."""


# -- the card's answers ------------------------------------------------------------


class ApplicationNotFound(JpkiError):
    """The card has no such application (SELECT answered ``6A82``). ``aid`` is the
    application asked for; ``sw`` the answer."""

    def __init__(self, aid: bytes, message: str | None = None) -> None:
        self.aid = aid
        self.sw = SW.FILE_NOT_FOUND
        name = APPLICATION_NAMES.get(aid, f"application {aid.hex().upper()}")
        super().__init__(message or f"the card has no {name}")


class NotJpkiCard(ApplicationNotFound):
    """The card has no JPKI application: it is not a My Number card."""

    def __init__(self) -> None:
        super().__init__(JPKI_AID, "this card has no JPKI application; is it a My Number card?")


class JukiCard(JpkiError):
    """The card is a 住基カード (Juki card, token label ``JPKIAPICCTOKEN``), not a My Number
    card: its JPKI certificates are no longer issued. ``lang`` picks the message's language."""

    def __init__(self, lang: str = "en") -> None:
        from .messages import explanation

        super().__init__(explanation("juki_card", lang))


class CardResponseError(JpkiError):
    """The card answered an unexpected status word."""

    def __init__(self, operation: str, sw: int) -> None:
        self.operation = operation
        self.sw = sw
        super().__init__(f"the card refused to {operation}: {describe(sw)}")


class CorruptData(JpkiError):
    """A file on the card does not hold what it should."""


class SecurityStatusNotSatisfied(JpkiError):
    """The card needs a PIN verified first."""


class PinRequired(SecurityStatusNotSatisfied):
    """The operation needs a PIN that is not verified."""

    def __init__(self, kind: PinKind, what: str) -> None:
        self.kind = kind
        super().__init__(f"{what} needs the {kind.label}; verify it first")


# -- PINs ------------------------------------------------------------------------------


class PinError(JpkiError):
    """Base of the PIN errors."""

    def __init__(self, kind: PinKind, message: str) -> None:
        self.kind = kind
        super().__init__(message)


class PinFormatError(PinError, ValueError):
    """The PIN does not have the form its kind requires; nothing was sent to the card."""


class PinIncorrect(PinError):
    """The card rejected the PIN; ``remaining`` tries are left."""

    def __init__(self, kind: PinKind, remaining: int) -> None:
        self.remaining = remaining
        last = " This is the last try: one more wrong PIN blocks it." if remaining == 1 else ""
        super().__init__(
            kind,
            f"wrong {kind.label}: {remaining} {'try' if remaining == 1 else 'tries'} left.{last}",
        )


class PinBlocked(PinError):
    """The PIN is blocked (too many wrong tries)."""

    def __init__(self, kind: PinKind, *, just_now: bool = False) -> None:
        how = "was wrong too many times and is now blocked" if just_now else "is blocked"
        super().__init__(kind, f"the {kind.label} {how}. {MUNICIPAL_OFFICE_ADVICE}")
