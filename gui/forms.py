"""The request form's rules, shared by the flow (before the review) and the services
(before the signature PIN is sent). Pure Python, no Qt."""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING, Final

from jpki.requests import DeliveryMethod

from .config import ConfigError, KioskConfig

if TYPE_CHECKING:
    from .flow import RequestForm

# A Japanese postal code: 〒102-8160, 102-8160, １０２－８１６０, 1028160.
_POSTAL_CODE: Final = re.compile(r"(?<![0-9])([0-9]{3})[-‐−ー]?([0-9]{4})(?![0-9])")


def localized(lang: str, en: str, ja: str) -> str:
    """``ja`` for a Japanese session, else ``en``."""
    return ja if lang == "ja" else en


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
        return localized(
            lang,
            "This certificate is not offered here.",
            "この証明書はここでは申請できません。",
        )
    if not 1 <= form.copies <= config.max_copies:
        return localized(
            lang,
            f"Choose 1 to {config.max_copies} copies.",
            f"部数は1〜{config.max_copies}部で選んでください。",
        )
    if form.delivery not in item.deliveries:
        return localized(
            lang,
            "This certificate cannot be delivered that way.",
            "この証明書はその方法では受け取れません。",
        )
    if form.delivery is DeliveryMethod.POSTAL:
        if not form.postal_address.strip():
            return localized(lang, "Enter the postal address.", "郵送先の住所を入力してください。")
        if postal_code(form) is None:
            return localized(
                lang,
                "Enter the postal code (for example 102-8160).",
                "郵便番号を入力してください（例：102-8160）。",
            )
    if form.delivery is DeliveryMethod.DIGITAL_PDF and not form.recipient.strip():
        return localized(
            lang,
            "Enter the organisation the PDF is for.",
            "PDFの提出先を入力してください。",
        )
    return None
