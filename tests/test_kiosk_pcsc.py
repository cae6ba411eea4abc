"""One complete kiosk flow in real mode through pcscd + vpcd: the card inserted into the
virtual reader is seen by the PC/SC watcher, read, authenticated, signed with, and the
request lands in the ledger, verifiable."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from apdu.pcsc import wait_for_card
from gui.flow import Notice, Screen
from gui.reader_kind import ReaderKind
from gui.screens.form import FormScreen
from gui.screens.insert import InsertCardScreen
from gui.screens.pin import PinScreen
from jpki.layout import PinKind
from mock_card import MockCard
from mock_card.profiles import make_card
from tests.pcscd import Pcscd
from tests.test_resilience import LOAD, READ, at, make_kiosk, serving  # noqa: F401 - fixture

pytestmark = [pytest.mark.pcsc, pytest.mark.timeout(180, method="thread")]


def pin_screen(kiosk) -> PinScreen:  # type: ignore[no-untyped-def]
    screen = kiosk.window.current_screen()
    assert isinstance(screen, PinScreen)
    return screen


def enter(qtbot, kiosk, pin: str) -> None:  # type: ignore[no-untyped-def]
    screen = pin_screen(kiosk)
    pad = screen.alpha if screen.kind is PinKind.SIGN else screen.numeric
    for ch in pin:
        qtbot.mouseClick(pad.keys[ch], Qt.MouseButton.LeftButton)
    assert screen.ok.isEnabled()
    qtbot.mouseClick(screen.ok, Qt.MouseButton.LeftButton)


def test_complete_flow_through_pcscd(make_kiosk, pcscd: Pcscd, qtbot) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    kiosk = make_kiosk(pcscd.reader)
    worker = kiosk.window.worker.worker
    qtbot.waitUntil(lambda: worker.services is not None, timeout=LOAD)
    card = MockCard()
    with serving(card, pcscd.reader):
        at(qtbot, kiosk, Screen.AUTH_PIN, READ)  # inserted, read and checked over PC/SC
        enter(qtbot, kiosk, "1234")
        at(qtbot, kiosk, Screen.IDENTITY_PIN, READ)
        enter(qtbot, kiosk, "ABCD1234")
        at(qtbot, kiosk, Screen.IDENTITY, READ)
        kiosk.window.current_screen().primary().click()
        at(qtbot, kiosk, Screen.FORM)
        form = kiosk.window.current_screen()
        assert isinstance(form, FormScreen)
        form.kinds.button("transcript-ja").click()
        form.deliveries.button("counter").click()
        form.purposes.button("job").click()
        form.next.click()
        at(qtbot, kiosk, Screen.REVIEW)
        kiosk.window.current_screen().primary().click()  # consent: the PIN above signs
        at(qtbot, kiosk, Screen.RECEIPT, READ)
        receipt = kiosk.window.model.receipt
        assert receipt is not None
    # the card taken out: the receipt stays, no longer asking for the card, until Finish
    qtbot.waitUntil(lambda: not kiosk.window.model.card_present, timeout=READ)
    assert kiosk.window.model.screen is Screen.RECEIPT
    assert kiosk.window.model.receipt == receipt
    kiosk.window.current_screen().primary().click()
    at(qtbot, kiosk, Screen.INSERT_CARD)
    ledger = worker.services.ledger
    record = ledger.get(receipt.request_id)
    assert record is not None
    assert ledger.reverify(receipt.request_id).valid
    assert card.pin_tries_left("auth") == 3 and card.pin_tries_left("sign") == 5


def test_a_contactless_card_lifted_mid_flow_through_pcscd(make_kiosk, pcscd: Pcscd, qtbot) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    """The mock card's contactless profile in the vpcd reader: the kiosk (reader = "auto")
    takes the contactless wording from the ATR pcscd reports; the card lifted off the reader
    during the signature PIN's VERIFY spends no try and stores nothing, the kiosk says "place
    the card again" calmly, and the card placed again starts a fresh session that goes
    through to a receipt."""
    kiosk = make_kiosk(pcscd.reader)
    window = kiosk.window
    worker = window.worker.worker
    qtbot.waitUntil(lambda: worker.services is not None, timeout=LOAD)
    assert window.model.reader is ReaderKind.EITHER
    card = make_card("contactless")
    with serving(card, pcscd.reader):
        at(qtbot, kiosk, Screen.AUTH_PIN, READ)
        assert window.model.reader is ReaderKind.CONTACTLESS  # from the ATR through PC/SC
        enter(qtbot, kiosk, "1234")
        at(qtbot, kiosk, Screen.IDENTITY_PIN, READ)
        first = window.model.session
        card.faults.lift_at(2)  # the SELECT of the PIN's EF, then the VERIFY: lifted
        enter(qtbot, kiosk, "ABCD1234")
        qtbot.waitUntil(lambda: window.model.notice is Notice.CARD_MOVED, timeout=READ)
        assert window.model.screen is Screen.INSERT_CARD and window.model.identity is None
        assert not card.present
        assert (card.pin_tries_left("auth"), card.pin_tries_left("sign")) == (3, 5)
        insert = window.screens[Screen.INSERT_CARD]
        assert isinstance(insert, InsertCardScreen)
        assert insert.why.isVisible() and insert.title.text() == (
            "カードをリーダーに置いてください"
        )
        # pcscd sees the reader empty (the virtual card hangs up while it is lifted)
        assert wait_for_card(pcscd.reader, present=False, timeout=READ / 1000)
        card.insert()  # placed on the reader again
        at(qtbot, kiosk, Screen.AUTH_PIN, READ)
        assert window.model.session > first and window.model.notice is Notice.NONE
        enter(qtbot, kiosk, "1234")
        at(qtbot, kiosk, Screen.IDENTITY_PIN, READ)
        enter(qtbot, kiosk, "ABCD1234")
        at(qtbot, kiosk, Screen.IDENTITY, READ)
        window.current_screen().primary().click()
        at(qtbot, kiosk, Screen.FORM)
        form = window.current_screen()
        assert isinstance(form, FormScreen)
        form.kinds.button("transcript-ja").click()
        form.deliveries.button("counter").click()
        form.purposes.button("job").click()
        form.next.click()
        at(qtbot, kiosk, Screen.REVIEW)
        window.current_screen().primary().click()
        at(qtbot, kiosk, Screen.RECEIPT, READ)
        receipt = window.model.receipt
        assert receipt is not None
    ledger = worker.services.ledger
    assert [r.request_id for r in ledger.list_requests()] == [receipt.request_id]
    assert ledger.reverify(receipt.request_id).valid
    assert (card.pin_tries_left("auth"), card.pin_tries_left("sign")) == (3, 5)
