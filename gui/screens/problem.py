"""Screens that end a session calmly: a card problem, a blocked PIN, an error."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QWidget

from jpki.layout import PinKind

from ..flow import CardProblem, Finish, Model, Screen
from ..widgets import label, style
from .base import KioskScreen, heading, pin_name

translate = QCoreApplication.translate


def problem_texts(problem: CardProblem | None) -> tuple[str, str, str]:
    """(title, what happened, what to do) for a card problem."""
    if problem is CardProblem.EXPIRED:
        return (
            translate("CardProblem", "The certificate on this card has expired"),
            translate(
                "CardProblem",
                "The electronic certificates on a My Number card are valid until the holder's "
                "5th birthday after they were issued. This card's certificate is past that date.",
            ),
            translate(
                "CardProblem",
                "Renew the certificate at the municipal office where you are registered "
                "(where your residence record is). Bring this card; you can renew from "
                "3 months before the expiry date. Then come back to this kiosk.",
            ),
        )
    if problem is CardProblem.NOT_YET_VALID:
        return (
            translate("CardProblem", "The certificate on this card is not valid yet"),
            translate("CardProblem", "The card's certificate starts on a later date."),
            translate(
                "CardProblem",
                "Please try again from the date the certificate starts, or ask the staff.",
            ),
        )
    if problem is CardProblem.REVOKED:
        return (
            translate("CardProblem", "The certificate on this card has been revoked"),
            translate(
                "CardProblem",
                "The signature certificate stops being valid when your name, address, date of "
                "birth or sex changes, for example after moving or marriage. A certificate is "
                "also revoked when a lost card is reported.",
            ),
            translate(
                "CardProblem",
                "Apply for a new certificate at the municipal office where you are registered, "
                "with this card and an identity document. If your card was lost or stolen, call "
                "the My Number hotline: 0120-95-0178.",
            ),
        )
    if problem is CardProblem.UNTRUSTED:
        return (
            translate("CardProblem", "This card's certificate is not accepted here"),
            translate(
                "CardProblem",
                "The certificate was not issued by the public certification service (J-LIS) "
                "that this kiosk trusts. Test cards and other cards are not accepted.",
            ),
            translate(
                "CardProblem",
                "Make sure this is your own My Number card. If it is, please ask the staff.",
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
            translate("JukiCard", "Please use your My Number card."),
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
                "Insert your My Number card. If your card has no electronic certificates, they "
                "are issued at the municipal office where you are registered.",
            ),
        )
    if problem is CardProblem.AUTH_FAILED:
        return (
            translate("CardProblem", "The card could not prove that it is genuine"),
            translate(
                "CardProblem",
                "The card's answer did not match its certificate, so it cannot be used here.",
            ),
            translate("CardProblem", "Please take your card and ask the staff."),
        )
    return (
        translate("CardProblem", "The card could not be read"),
        translate(
            "CardProblem", "The card may be the wrong way round, or it was moved while it was read."
        ),
        translate(
            "CardProblem",
            "Take the card out, then insert it again with the IC chip facing up. If this keeps "
            "happening, please ask the staff.",
        ),
    )


class EndScreen(KioskScreen):
    """What happened, what to do, a small technical detail, and "Back to start"."""

    escape_event = Finish
    cancellable = False

    def __init__(self, screen: Screen, parent: QWidget | None = None) -> None:
        super().__init__(screen, parent)
        self.what = label("", 30)
        self.todo_heading = heading()
        self.todo = label("", style.BODY_PX, role="info")
        self.detail = label("", style.SMALL_PX, role="muted")
        self.detail.setAccessibleName("detail")
        self.take = label("", 30, bold=True, role="notice")
        self.body.addWidget(self.what)
        self.body.addSpacing(8)
        self.body.addWidget(self.todo_heading)
        self.body.addWidget(self.todo)
        self.body.addWidget(self.detail)
        self.body.addStretch(1)
        self.body.addWidget(self.take)
        self.done = self.add_primary()
        self.done.clicked.connect(lambda: self.send(Finish()))

    def retranslate(self) -> None:
        self.todo_heading.setText(translate("EndScreen", "What to do"))
        self.take.setText(translate("EndScreen", "Please take your card."))
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
        title, what, todo = problem_texts(model.problem)
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
                "Bring this card and an identity document (for example a driving licence or a "
                "passport); the office resets the PIN and you choose a new one. Then come back "
                "to this kiosk.",
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
