"""The request form's rules, shared by the flow (before the review) and the services
(before the signature PIN is sent). Pure Python, no Qt."""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING, Final

from jpki.requests import DeliveryMethod

from . import texts
from .config import ConfigError, KioskConfig

if TYPE_CHECKING:
    from .flow import RequestForm

# A Japanese postal code: 〒102-8160, 102-8160, １０２－８１６０, 1028160.
_POSTAL_CODE: Final = re.compile(r"(?<![0-9])([0-9]{3})[-‐−ー]?([0-9]{4})(?![0-9])")


def postal_code(form: RequestForm) -> str | None:
    """The form's postal code as ``NNN-NNNN``: its own field, else one written in the address."""
    for text in (form.postal_code, form.postal_address):
        match = _POSTAL_CODE.search(unicodedata.normalize("NFKC", text))
        if match is not None:
            return f"{match.group(1)}-{match.group(2)}"
    return None


def form_problem(config: KioskConfig, form: RequestForm, *, language: str = "ja") -> str | None:
    """Why ``form`` cannot become a request (a sentence for the applicant), else ``None``.

    The checks :meth:`KioskServices.run` makes before it sends the sign PIN; a form
    screen can make them first.
    """
    lang = language
    try:
        item = config.document_type(form.certificate)
    except ConfigError:
        return texts.text(lang, texts.NOT_OFFERED)
    if not 1 <= form.copies <= config.max_copies:
        return texts.text(lang, texts.COPIES_RANGE, max=config.max_copies)
    if form.delivery not in item.deliveries:
        return texts.text(lang, texts.NOT_DELIVERED_THAT_WAY)
    if form.delivery is DeliveryMethod.POSTAL:
        if not form.postal_address.strip():
            return texts.text(lang, texts.ENTER_POSTAL_ADDRESS)
        if postal_code(form) is None:
            return texts.text(lang, texts.ENTER_POSTAL_CODE)
    if form.delivery is DeliveryMethod.DIGITAL_PDF and not form.recipient.strip():
        return texts.text(lang, texts.ENTER_PDF_RECIPIENT)
    return None
