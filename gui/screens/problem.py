"""Screens that end a session calmly: a card problem, a blocked PIN, an error."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QWidget

from jpki.layout import CertKind, PinKind

from ..config import Counter
from ..flow import CardProblem, Finish, Model, Screen
from ..reader_kind import ReaderKind
from ..widgets import label, style
from .base import KioskScreen, heading, pin_name
from .card_words import Phrase, card_words

translate = QCoreApplication.translate


def cert_name(cert: CertKind | None) -> str:
    """The certificate a problem is about, as a person reads it."""
    if cert is CertKind.AUTH:
        return translate("CardProblem", "user-authentication certificate")
    if cert is CertKind.SIGN:
        return translate("CardProblem", "signature certificate")
    return translate("CardProblem", "certificate")


def problem_texts(
    problem: CardProblem | None,
    cert: CertKind | None,
    reader: ReaderKind = ReaderKind.CONTACT,
) -> tuple[str, str, str]:
    """(title, what happened, what to do about the card) for a card problem with the
    certificate ``cert`` (the one the kiosk judged: see :attr:`gui.flow.Model.problem_cert`),
    on a reader of ``reader``'s kind. What this office's counter can do is added by the screen
    (:func:`counter_text`)."""
    name = cert_name(cert)
    if problem is CardProblem.EXPIRED:
        return (
            translate("CardProblem", "The {cert} on this card has expired").format(cert=name),
            translate(
                "CardProblem",
                "The certificates on a My Number card are valid until your 5th birthday after "
                "they were issued. This one is past that date.",
            ),
            translate(
                "CardProblem",
                "Apply for a new certificate at the municipal office where you are registered "
                "(where your residence record is), with this card. Then come back to this "
                "kiosk.",
            ),
        )
    if problem is CardProblem.NOT_YET_VALID:
        return (
            translate("CardProblem", "The {cert} on this card is not valid yet").format(cert=name),
            translate(
                "CardProblem",
                "Its validity starts on a later date, so the card cannot be used here yet.",
            ),
            translate(
                "CardProblem",
                "Please try again from the date the certificate starts. If it should already "
                "be valid, the municipal office where you are registered can check the card.",
            ),
        )
    if problem is CardProblem.REVOKED:
        return _revoked(cert)
    if problem is CardProblem.UNTRUSTED:
        return (
            translate("CardProblem", "The {cert} on this card could not be verified").format(
                cert=name
            ),
            translate(
                "CardProblem",
                "This kiosk could not confirm that the certificate was issued by the public "
                "certification service (J-LIS) and is still valid. Test cards and other cards "
                "are not accepted.",
            ),
            translate(
                "CardProblem",
                "Make sure this is your own My Number card. If it is, the municipal office "
                "where you are registered can check the card.",
            ),
        )
    if problem is CardProblem.JUKI_CARD:
        return (
            translate("JukiCard", "This is a Juki card, not a My Number card"),
            translate(
                "JukiCard",
                "Electronic certificates for Juki cards (Basic Resident Register cards) are no "
                "longer issued, so this card cannot be used here.",
            ),
            translate(
                "JukiCard",
                "Please use your My Number card. If you do not have one, you can apply for it "
                "at the municipal office where you are registered.",
            ),
        )
    if problem is CardProblem.NOT_JPKI:
        return (
            translate("CardProblem", "This is not a My Number card with certificates"),
            translate(
                "CardProblem",
                "The card has no electronic certificates for signature and user "
                "authentication, or it is another kind of card.",
            ),
            translate(
                "CardProblem",
                "Please use your My Number card. If your card has no electronic certificates, they "
                "are issued at the municipal office where you are registered.",
            ),
        )
    if problem is CardProblem.AUTH_FAILED:
        return (
            translate("CardProblem", "This card could not be confirmed as genuine"),
            translate(
                "CardProblem",
                "The card's answer did not match its user-authentication certificate, so it "
                "cannot be used here.",
            ),
            translate(
                "CardProblem",
                "Take your card and try once more. If it happens again, the card may be "
                "damaged: the municipal office where you are registered can check it.",
            ),
        )
    return (
        translate("CardProblem", "The card could not be read"),
        card_words(Phrase.UNREADABLE_WHY, reader),
        card_words(Phrase.UNREADABLE_TODO, reader),
    )


def _revoked(cert: CertKind | None) -> tuple[str, str, str]:
    """A signature certificate lapses when the name, address, birth date or sex changes; the
    user-authentication certificate does not (it is revoked on a loss report or a return)."""
    if cert is CertKind.SIGN:
        return (
            translate("CardProblem", "The signature certificate on this card is no longer valid"),
            translate(
                "CardProblem",
                "A signature certificate stops being valid when your name, address, date of "
                "birth or sex changes, for example after moving or marriage, or when the card "
                "is reported lost.",
            ),
            translate(
                "CardProblem",
                "Apply for a new signature certificate at the municipal office where you are "
                "registered, with this card. If your card was lost or stolen, call the My "
                "Number hotline: 0120-95-0178.",
            ),
        )
    if cert is CertKind.AUTH:
        return (
            translate(
                "CardProblem", "The user-authentication certificate on this card has been revoked"
            ),
            translate(
                "CardProblem",
                "A user-authentication certificate is revoked when the card is reported lost "
                "or stolen, or is returned. A move or a change of name does not revoke it.",
            ),
            translate(
                "CardProblem",
                "Ask the municipal office where you are registered, with this card. If your "
                "card was lost or stolen, call the My Number hotline: 0120-95-0178.",
            ),
        )
    return (
        translate("CardProblem", "A certificate on this card has been revoked"),
        translate("CardProblem", "A revoked certificate can no longer be used."),
        translate(
            "CardProblem",
            "Ask the municipal office where you are registered, with this card. If your "
            "card was lost or stolen, call the My Number hotline: 0120-95-0178.",
        ),
    )


def counter_text(counter: Counter, lang: str) -> str:
    """What this office can still do: its staffed counter takes the request in person."""
    return translate(
        "EndScreen", "You can also request your certificate in person: {counter}, {place}, {hours}."
    ).format(counter=counter.name(lang), place=counter.place(lang), hours=counter.hours(lang))


class EndScreen(KioskScreen):
    """What happened, what to do, a small technical detail, and "Back to start"."""

    escape_event = Finish
    cancellable = False

    def __init__(self, screen: Screen, parent: QWidget | None = None) -> None:
        super().__init__(screen, parent)
        self.what = label("", style.BODY_PX)
        self.todo_heading = heading()
        self.todo = label("", style.BODY_PX, role="info")
        # what this office can still do (its counter): one line under the municipal office's
        self.counter = label("", style.BODY_PX, bold=True, role="info")
        self.counter.setAccessibleName("counter")
        self.detail = label("", style.SMALL_PX, role="muted")
        self.detail.setAccessibleName("detail")
        self.take = label("", 30, bold=True, role="notice")
        self.body.addWidget(self.what)
        self.body.addWidget(self.todo_heading)
        self.body.addWidget(self.todo)
        self.body.addWidget(self.counter)
        self.body.addWidget(self.detail)
        self.body.addStretch(1)
        self.action_row.addWidget(self.take, 1)  # beside "Back to start": in view, no room lost
        self.done = self.add_primary(stretch=False)
        self.done.clicked.connect(lambda: self.send(Finish()))

    def present(self, model: Model, entering: bool) -> None:
        super().present(model, entering)
        self.counter.setText(counter_text(model.config.counter, model.language))
        self.take.setText(card_words(Phrase.TAKE_CARD, model.reader))

    def retranslate(self) -> None:
        self.todo_heading.setText(translate("EndScreen", "What to do"))
        self.done.setText(translate("EndScreen", "Back to start"))
        if self.model is not None:
            self.present(self.model, False)


def shown_detail(model: Model, detail: str | None = None) -> str:
    """The services' detail (``model.problem_detail`` by default), composed in the language of
    the card work: not shown after a switch to the other language."""
    text = model.problem_detail if detail is None else detail
    return text if model.language == model.detail_language else ""


class CardProblemScreen(EndScreen):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Screen.CARD_PROBLEM, parent)
        self.retranslate()

    def present(self, model: Model, entering: bool) -> None:
        super().present(model, entering)
        title, what, todo = problem_texts(model.problem, model.problem_cert, model.reader)
        self.title.setText(title)
        self.what.setText(what)
        self.todo.setText(todo)
        # a Juki card's detail says again what the screen says
        detail = "" if model.problem is CardProblem.JUKI_CARD else shown_detail(model)
        self.detail.setText(detail)
        self.detail.setVisible(bool(detail))


class PinBlockedScreen(EndScreen):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Screen.PIN_BLOCKED, parent)
        self.detail.hide()
        self.retranslate()

    def present(self, model: Model, entering: bool) -> None:
        super().present(model, entering)
        kind = model.blocked_pin or PinKind.AUTH
        self.title.setText(
            translate("PinBlocked", "Your {pin} is locked").format(pin=pin_name(kind))
        )
        tries = kind.max_tries
        self.what.setText(
            translate(
                "PinBlocked",
                "To protect you, the card locks a PIN after {tries} wrong entries in a row. "
                "Nothing on your card has been lost or changed, and nobody can use it with "
                "this PIN now.",
            ).format(tries=tries)
        )
        self.todo.setText(
            translate(
                "PinBlocked",
                "The PIN can be reset only at the municipal office where you are registered. "
                "Bring this card and an identity document (for example a driving licence, a "
                "passport or a residence card); the office resets the PIN and you choose a new "
                "one. Then come back to this kiosk.",
            )
        )


class ErrorScreen(EndScreen):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Screen.ERROR, parent)
        self.retranslate()

    def present(self, model: Model, entering: bool) -> None:
        super().present(model, entering)
        self.title.setText(translate("Error", "Sorry, something went wrong"))
        self.what.setText(
            translate(
                "Error",
                "Your request could not be completed because of a problem with the card, the "
                "reader or this kiosk.",
            )
        )
        self.todo.setText(
            translate(
                "Error",
                "Take your card and try again from the start. If it happens again, please ask "
                "the staff and show them the message below.",
            )
        )
        detail = shown_detail(model, model.error)
        self.detail.setText(detail)
        self.detail.setVisible(bool(detail))
