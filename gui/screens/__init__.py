"""One screen per :class:`gui.flow.Screen`. Screens render a Model and post events; no logic."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from ..flow import Screen
from .base import KioskScreen
from .form import FormScreen
from .identity import IdentityScreen
from .insert import InsertCardScreen
from .pin import PinScreen
from .problem import CardProblemScreen, ErrorScreen, PinBlockedScreen
from .progress import ProgressScreen
from .receipt import ReceiptScreen
from .review import ReviewScreen
from .status import StatusScreen

__all__ = ["KioskScreen", "build_screens"]


def build_screens(
    parent: QWidget | None = None, *, printer: str | None = None
) -> dict[Screen, KioskScreen]:
    """Every screen of the flow, keyed by its :class:`Screen`."""
    screens: dict[Screen, KioskScreen] = {
        Screen.INSERT_CARD: InsertCardScreen(parent),
        Screen.READING_CARD: ProgressScreen(Screen.READING_CARD, parent),
        Screen.CARD_PROBLEM: CardProblemScreen(parent),
        Screen.AUTH_PIN: PinScreen(Screen.AUTH_PIN, parent),
        Screen.AUTHENTICATING: ProgressScreen(Screen.AUTHENTICATING, parent),
        Screen.PIN_BLOCKED: PinBlockedScreen(parent),
        Screen.IDENTITY_PIN: PinScreen(Screen.IDENTITY_PIN, parent),
        Screen.READING_IDENTITY: ProgressScreen(Screen.READING_IDENTITY, parent),
        Screen.IDENTITY: IdentityScreen(parent),
        Screen.FORM: FormScreen(parent),
        Screen.REVIEW: ReviewScreen(parent),
        Screen.SIGN_PIN: PinScreen(Screen.SIGN_PIN, parent),
        Screen.SUBMITTING: ProgressScreen(Screen.SUBMITTING, parent),
        Screen.RECEIPT: ReceiptScreen(parent, printer=printer),
        Screen.ERROR: ErrorScreen(parent),
        Screen.LISTING: ProgressScreen(Screen.LISTING, parent),
        Screen.STATUS: StatusScreen(parent),
    }
    missing = set(Screen) - set(screens)
    assert not missing, missing
    return screens
