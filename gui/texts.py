"""The kiosk's messages composed away from the screens — the effects' errors, the receipt's
summary, the request form's problems, the form of a date — in the session's language, from
the Qt translation files like every other kiosk text.

Each message is marked here with ``QT_TRANSLATE_NOOP`` (context ``Messages``), so
``pyside6-lupdate`` collects it into ``gui/i18n/kiosk_*.ts`` with the screens' texts; the
source text is the English one. :func:`text` looks a message up with one ``QTranslator``
per language, never the application's installed one: the card worker composes an
applicant's message in the session's language whatever the screen shows at that moment,
from its own thread. Placeholders are :meth:`str.format` names (``{copies}``), as in the
screens' texts.
"""

from __future__ import annotations

import logging
import threading
from datetime import date
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from PySide6.QtCore import QTranslator

logger = logging.getLogger(__name__)

CONTEXT: Final = "Messages"


def QT_TRANSLATE_NOOP(context: str, source: str) -> str:
    """Mark ``source`` for ``pyside6-lupdate`` (in ``context``) and return it unchanged."""
    return source


# -- the effects' refusals and failures ---------------------------------------------------------

NOT_AUTHENTICATED: Final = QT_TRANSLATE_NOOP(
    "Messages", "The card has not been authenticated in this session. Please start again."
)
OTHER_CARD: Final = QT_TRANSLATE_NOOP(
    "Messages", "This is not the card that was authenticated. Please start again."
)
OTHER_PERSON: Final = QT_TRANSLATE_NOOP(
    "Messages",
    "The signature certificate does not name the person shown earlier. Please start again.",
)
BAD_PIN_FORMAT: Final = QT_TRANSLATE_NOOP(
    "Messages", "The PIN does not have the right form; nothing was sent to the card."
)
CARD_REMOVED: Final = QT_TRANSLATE_NOOP("Messages", "The card left the reader.")
START_AGAIN: Final = QT_TRANSLATE_NOOP(
    "Messages",
    "The connection to the card was lost; nothing was sent. Please take your card and start again.",
)
SOMETHING_WENT_WRONG: Final = QT_TRANSLATE_NOOP(
    "Messages", "Something went wrong. Please ask the staff."
)
NOT_ACCEPTED: Final = QT_TRANSLATE_NOOP("Messages", "The request was not accepted: {reason}")

# -- the receipt's summary and what happens next (gui/next_steps.py) -------------------------

RECEIPT_ITEM: Final = QT_TRANSLATE_NOOP("Messages", "{name} × {copies} (fee ¥{fee})")
TOTAL: Final = QT_TRANSLATE_NOOP("Messages", "¥{total} in total (¥{fee} × {copies})")
TOTAL_WITH_POSTAGE: Final = QT_TRANSLATE_NOOP(
    "Messages", "¥{total} in total (¥{fee} × {copies} + postage ¥{postage})"
)
PAY_BEFORE_ISSUE: Final = QT_TRANSLATE_NOOP(
    "Messages",
    "Pay {total} at {where} ({hours}). The office prepares the certificate once it is paid.",
)
PAY_ON_PICKUP: Final = QT_TRANSLATE_NOOP(
    "Messages", "Pay {total} at {where} ({hours}) when you collect the certificate."
)
PAY_AT_MACHINE: Final = QT_TRANSLATE_NOOP(
    "Messages", "Pay {total} at the multi-copy machine when you print it."
)
READY_AFTER_PAYMENT: Final = QT_TRANSLATE_NOOP(
    "Messages",
    "It is usually ready within {days} working days after payment. You will be told by "
    "{notice} when it is ready.",
)
READY_AFTER_REQUEST: Final = QT_TRANSLATE_NOOP(
    "Messages",
    "It is usually ready within {days} working days of the request. You will be told by "
    "{notice} when it is ready.",
)
POSTED: Final = QT_TRANSLATE_NOOP(
    "Messages",
    "It is usually posted to the address you gave within {days} working days after payment. "
    "You will be told by {notice} when it is posted.",
)
COLLECT: Final = QT_TRANSLATE_NOOP("Messages", "Collect it at {place} ({hours}). Bring {bring}.")
PRINT_AT_STORE: Final = QT_TRANSLATE_NOOP(
    "Messages",
    "At {machines}, choose {menu} and enter your request number {number} as the print number.",
)
PRINT_DEADLINE: Final = QT_TRANSLATE_NOOP(
    "Messages",
    "Print it by {deadline} ({days} days from the day of the request). After that day it "
    "cannot be printed and the fee is not refunded.",
)
LINK_SENT: Final = QT_TRANSLATE_NOOP(
    "Messages",
    "A one-time download link on {site} is sent to {link_to}. The digital certificate names "
    "{recipient} and is for them only.",
)
DOWNLOAD_WINDOW: Final = QT_TRANSLATE_NOOP(
    "Messages",
    "Download it once, within {days} days of the day the link is sent. After that the link "
    "no longer works and the fee is not refunded.",
)
STATUS_AT_KIOSK: Final = QT_TRANSLATE_NOOP(
    "Messages",
    "To check the status, use your My Number card at this kiosk, or ask at {place} with "
    "the request number {number}.",
)
STATUS_AT_COUNTER: Final = QT_TRANSLATE_NOOP(
    "Messages", "To check the status, ask at {place} with the request number {number}."
)
NUMBER_ON_RECEIPT: Final = QT_TRANSLATE_NOOP("Messages", "on your receipt")
KEEP_THE_NUMBER: Final = QT_TRANSLATE_NOOP(
    "Messages", "Fees are not refunded. Keep the request number for any questions."
)

# -- dates ---------------------------------------------------------------------------------------

DATE: Final = QT_TRANSLATE_NOOP("Messages", "{day} {month_name} {year}")
MONTHS: Final = (
    QT_TRANSLATE_NOOP("Messages", "January"),
    QT_TRANSLATE_NOOP("Messages", "February"),
    QT_TRANSLATE_NOOP("Messages", "March"),
    QT_TRANSLATE_NOOP("Messages", "April"),
    QT_TRANSLATE_NOOP("Messages", "May"),
    QT_TRANSLATE_NOOP("Messages", "June"),
    QT_TRANSLATE_NOOP("Messages", "July"),
    QT_TRANSLATE_NOOP("Messages", "August"),
    QT_TRANSLATE_NOOP("Messages", "September"),
    QT_TRANSLATE_NOOP("Messages", "October"),
    QT_TRANSLATE_NOOP("Messages", "November"),
    QT_TRANSLATE_NOOP("Messages", "December"),
)

# -- the request form's problems ------------------------------------------------------------

NOT_OFFERED: Final = QT_TRANSLATE_NOOP("Messages", "This certificate is not offered here.")
COPIES_RANGE: Final = QT_TRANSLATE_NOOP("Messages", "Choose 1 to {max} copies.")
NOT_DELIVERED_THAT_WAY: Final = QT_TRANSLATE_NOOP(
    "Messages", "This certificate cannot be delivered that way."
)
ENTER_POSTAL_ADDRESS: Final = QT_TRANSLATE_NOOP("Messages", "Enter the postal address.")
ENTER_POSTAL_CODE: Final = QT_TRANSLATE_NOOP(
    "Messages", "Enter the postal code (for example 102-8160)."
)
ENTER_PDF_RECIPIENT: Final = QT_TRANSLATE_NOOP("Messages", "Enter the organisation the PDF is for.")

# -- the purposes the form offers -------------------------------------------------------------
# A request keeps the code (gui.flow.RequestForm.purpose_code): the screens name it in the
# language of the moment, the signed request in the session's language.

PURPOSE_CONTEXT: Final = "Purpose"
PURPOSES: Final = {
    "job": QT_TRANSLATE_NOOP("Purpose", "Job application"),
    "study": QT_TRANSLATE_NOOP("Purpose", "Further study"),
    "scholarship": QT_TRANSLATE_NOOP("Purpose", "Scholarship"),
    "qualification": QT_TRANSLATE_NOOP("Purpose", "Qualification or licence"),
    "visa": QT_TRANSLATE_NOOP("Purpose", "Visa or immigration"),
    "other": QT_TRANSLATE_NOOP("Purpose", "Other"),
}


def purpose_text(language: str, code: str, own_words: str = "") -> str:
    """The purpose of a request in ``language``: the applicant's own words for "other" (or
    no code), else the name of the code."""
    if code in ("", "other") or code not in PURPOSES:
        return own_words
    return text(language, PURPOSES[code], context=PURPOSE_CONTEXT)


# -- looking them up ----------------------------------------------------------------------------

_lock = threading.Lock()
_translators: dict[str, QTranslator | None] = {}


def _translator(language: str) -> QTranslator | None:
    """The translator of ``language`` (``None``: none, read English). Qt and the .qm file are
    loaded when the first message is asked for, not when this module is imported."""
    if language not in _translators:
        from PySide6.QtCore import QTranslator

        from .i18n import LANGUAGES, qm_path

        if language not in LANGUAGES:
            return None
        translator = QTranslator()
        if translator.load(str(qm_path(language))):
            _translators[language] = translator
        else:
            logger.warning("no compiled kiosk translation for %r: messages in English", language)
            _translators[language] = None
    return _translators[language]


def date_text(language: str, day: date) -> str:
    """``1 April 1990`` / ``1990年4月1日``."""
    month = text(language, MONTHS[day.month - 1])
    return text(language, DATE, day=day.day, month_name=month, year=day.year)


def text(language: str, message: str, *, context: str = CONTEXT, **values: object) -> str:
    """``message`` (one of this module's constants) in ``language``, its ``{names}`` filled
    in from ``values``. An unknown language, or a message not translated, reads in English."""
    with _lock:  # one translator, any thread (QTranslator is only reentrant)
        translator = _translator(language)
        translated = translator.translate(context, message) if translator is not None else ""
    chosen = translated or message
    return chosen.format(**values) if values else chosen
