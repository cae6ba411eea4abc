"""What happens after a request, in the applicant's language: the one home of these sentences.

Given the office's :class:`~gui.config.Guidance`, the request (certificate, copies,
delivery, PDF recipient), its number and its date, :func:`next_steps` returns the ordered
steps — how much to pay in total, where and when; how the applicant learns it is ready; how
to collect, print, download or receive it; how to check the status. The review screen (before
the applicant signs), the receipt screen, the printed receipt and the services' receipt summary
all show this list; nothing else composes these sentences.

The deadlines have one rule each, stated the same way everywhere:

* convenience-store print: a **date**, the day of the request + ``print_deadline_days``. It
  is in the signed request (``delivery.print_deadline``) and the ledger expires the request
  after it, so every place names that date (:func:`print_deadline`).
* digital PDF: ``pdf_download_days`` **from the day the one-time link is sent** — the office
  starts the window when it issues the certificate, a day the kiosk cannot know (the office's
  download page names the exact end).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from jpki.requests import DeliveryMethod
from jpki.timeutil import JST

from . import texts
from .config import ConfigError, KioskConfig, PaymentTime
from .flow import Model, RequestForm
from .texts import text


def short_number(request_id: str) -> str:
    """The first 8 characters, upper-cased: the request number on the receipt (what staff type
    to find a request, and the convenience-store print number)."""
    return request_id.replace("-", "")[:8].upper()


def today() -> date:
    """The day in Japan: the day of a request not yet signed (the review screen)."""
    return datetime.now(JST).date()


def print_deadline(config: KioskConfig, requested_on: date) -> date:
    """The last day a convenience-store certificate can be printed (signed into the request)."""
    return requested_on + timedelta(days=config.print_deadline_days)


def total_yen(config: KioskConfig, request: RequestForm) -> int:
    """What the applicant pays: the fee × copies, and the postage of a request by post."""
    fee = config.document_type(request.certificate).fee_yen
    postage = config.guidance.postage_yen if request.delivery is DeliveryMethod.POSTAL else 0
    return fee * request.copies + postage


def total_text(config: KioskConfig, request: RequestForm, language: str) -> str:
    """``¥600 in total (¥300 × 2)`` / ``合計600円（300円×2通）``."""
    fee = config.document_type(request.certificate).fee_yen
    total = f"{total_yen(config, request):,}"
    postage = config.guidance.postage_yen if request.delivery is DeliveryMethod.POSTAL else 0
    if postage:
        return text(
            language,
            texts.TOTAL_WITH_POSTAGE,
            total=total,
            fee=f"{fee:,}",
            copies=request.copies,
            postage=f"{postage:,}",
        )
    return text(language, texts.TOTAL, total=total, fee=f"{fee:,}", copies=request.copies)


def deadline_step(
    config: KioskConfig, delivery: DeliveryMethod, language: str, requested_on: date
) -> str:
    """The one sentence that states the delivery's deadline ("" for post and counter): the
    print date, or the download window. The form screen's note shows it too."""
    if delivery is DeliveryMethod.CONVENIENCE_STORE:
        return text(
            language,
            texts.PRINT_DEADLINE,
            deadline=texts.date_text(language, print_deadline(config, requested_on)),
            days=config.print_deadline_days,
        )
    if delivery is DeliveryMethod.DIGITAL_PDF:
        return text(language, texts.DOWNLOAD_WINDOW, days=config.pdf_download_days)
    return ""


def next_steps(
    config: KioskConfig,
    request: RequestForm,
    language: str,
    *,
    request_id: str | None,
    requested_on: date,
) -> list[str]:
    """The ordered steps. ``request_id`` is ``None`` before the request is signed (the
    review): the number is then "on your receipt"."""
    g = config.guidance
    number = short_number(request_id) if request_id else text(language, texts.NUMBER_ON_RECEIPT)
    total = total_text(config, request, language)
    d = request.delivery
    if d is DeliveryMethod.CONVENIENCE_STORE and g.store_pays_at_machine:
        pay = text(language, texts.PAY_AT_MACHINE, total=total)
        paid_first = False
    else:
        paid_first = not (d is DeliveryMethod.COUNTER and g.pay_when is PaymentTime.ON_PICKUP)
        pay = text(
            language,
            texts.PAY_BEFORE_ISSUE if paid_first else texts.PAY_ON_PICKUP,
            total=total,
            where=g.pay_where(language),
            hours=g.pay_hours(language),
        )
    notice = g.ready_notice(language)
    if d is DeliveryMethod.POSTAL:
        ready = text(language, texts.POSTED, days=g.ready_days, notice=notice)
    else:
        ready = text(
            language,
            texts.READY_AFTER_PAYMENT if paid_first else texts.READY_AFTER_REQUEST,
            days=g.ready_days,
            notice=notice,
        )
    steps = [pay, ready]
    if d is DeliveryMethod.COUNTER:
        steps.append(
            text(
                language,
                texts.COLLECT,
                place=config.counter.where(language),
                hours=config.counter.hours(language),
                bring=config.counter.bring(language),
            )
        )
    elif d is DeliveryMethod.CONVENIENCE_STORE:
        steps.append(
            text(
                language,
                texts.PRINT_AT_STORE,
                machines=g.store_machines(language),
                menu=g.store_menu(language),
                number=number,
            )
        )
        steps.append(deadline_step(config, d, language, requested_on))
    elif d is DeliveryMethod.DIGITAL_PDF:
        steps.append(
            text(
                language,
                texts.LINK_SENT,
                site=g.pdf_site,
                link_to=g.pdf_link_to(language),
                recipient=request.recipient,
            )
        )
        steps.append(deadline_step(config, d, language, requested_on))
    status = texts.STATUS_AT_KIOSK if g.kiosk_status else texts.STATUS_AT_COUNTER
    steps.append(text(language, status, place=config.counter.where(language), number=number))
    steps.append(text(language, texts.KEEP_THE_NUMBER))
    return steps


def steps_of(model: Model) -> list[str]:
    """The steps of the request a screen shows (the review's, before it has a number; the
    receipt's, with its number and day), in the session's language."""
    form, receipt = model.form, model.receipt
    if form is None:
        return []
    try:
        return next_steps(
            model.config,
            form,
            model.language,
            request_id=receipt.request_id if receipt is not None else None,
            requested_on=(
                receipt.requested_on
                if receipt is not None and receipt.requested_on is not None
                else today()
            ),
        )
    except ConfigError:  # a certificate the catalogue does not list: the form refuses it
        return []
