"""Mock mode: software cards for four holders and a side panel to insert, remove and reset them.

Only ``jpki-kiosk --reader mock`` shows the panel. Its texts are for the
person testing or demonstrating the kiosk, not for applicants, and stay in
English.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from datetime import date as _date
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QFrame,
    QLabel,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from jpki.card import JpkiCard
from jpki.errors import NoCard
from mock_card import ATRS, CardProfile, Holder, LatencyModel, MockCard, MockPki, Sex

from .card_watch import MockCardWatch
from .widgets import style

#: The holders the panel offers: key, label, card profile, holder, auth PIN blocked.
HOLDERS: tuple[tuple[str, str, CardProfile, Holder, bool], ...] = (
    ("valid", "Valid card (見本 花子)", CardProfile.VALID, Holder(), False),
    (
        "expired",
        "Expired certificates (見本 太郎)",
        CardProfile.EXPIRED,
        Holder(name="見本 太郎", birth_date=_date(1985, 7, 15), sex=Sex.MALE),
        False,
    ),
    (
        "revoked",
        "Revoked certificates (試験 次郎)",
        CardProfile.REVOKED,
        Holder(
            name="試験 次郎",
            address="架空県見本市試験町三丁目4番5号",
            birth_date=_date(1978, 11, 3),
            sex=Sex.MALE,
        ),
        False,
    ),
    (
        "blocked",
        "Auth PIN blocked (模擬 さくら)",
        CardProfile.VALID,
        Holder(name="模擬 さくら", birth_date=_date(2001, 2, 28)),
        True,
    ),
)


@dataclass
class MockCards:
    """One software card per holder, from the demo mock PKI, and the CRLs that revoke the
    revoked holder's certificates."""

    pki: MockPki
    cards: dict[str, MockCard]
    own_atrs: dict[str, bytes] = field(default_factory=dict)  # each card's contact ATR

    @classmethod
    def create(cls, latency: LatencyModel | None = None) -> MockCards:
        pki = MockPki.demo()
        cards: dict[str, MockCard] = {}
        for i, (key, _label, profile, holder, blocked) in enumerate(HOLDERS):
            card = MockCard(holder=holder, profile=profile, pki=pki, key_index=i, latency=latency)
            if blocked:
                card.block_pin("auth")
            card.remove()  # lying on the counter, not in the reader
            cards[key] = card
        return cls(pki, cards)

    def use_contactless_reader(self, on: bool) -> None:
        """Every card as a contactless reader shows it (the ATR the reader builds, PC/SC part
        3) or with its own contact ATR: the kiosk's words follow it with ``reader = "auto"``."""
        for key, card in self.cards.items():
            own = self.own_atrs.setdefault(key, card.atr)
            card.atr = ATRS["contactless"] if on else own

    def trust_anchors(self) -> list[Any]:
        return [self.pki.sign_ca_cert, self.pki.auth_ca_cert]

    def crls(self) -> list[Any]:
        """A sign CRL and an auth CRL listing every REVOKED card (valid for a year)."""
        now = datetime.now(UTC).replace(microsecond=0)
        revoked = [c for c in self.cards.values() if c.profile is CardProfile.REVOKED]
        sign = [(c.credentials.sign_cert.serial_number, now) for c in revoked]
        auth = [(c.credentials.auth_cert.serial_number, now) for c in revoked]
        year = now + timedelta(days=365)
        return [
            self.pki.crl("sign", sign, this_update=now, next_update=year),
            self.pki.crl("auth", auth, this_update=now, next_update=year),
        ]


def mock_card_opener(card: MockCard) -> Callable[[], AbstractContextManager[JpkiCard]]:
    """A card opener (see :mod:`gui.setup`) for an in-process :class:`mock_card.MockCard`, as
    a PC/SC reader opens a card: :class:`jpki.NoCard` when it is out of the slot, and a reset
    (no PIN stays verified) at the end of each effect."""

    @contextmanager
    def open_mock() -> Iterator[JpkiCard]:
        if not card.present:
            raise NoCard("no card in the reader")
        try:
            yield JpkiCard(card, extended_length=card.extended_length, reader="mock")
        finally:
            card.reset()

    return open_mock


def switching_opener(watch: MockCardWatch) -> Callable[[], AbstractContextManager[JpkiCard]]:
    """A card opener for whichever mock card is by the slot now."""

    @contextmanager
    def open_current() -> Iterator[JpkiCard]:
        with mock_card_opener(watch.card)() as card:
            yield card

    return open_current


class MockPanel(QFrame):
    """Insert/remove the card, choose the holder, reset the PINs (what the municipal office
    does), and see the PIN counters."""

    def __init__(
        self, cards: MockCards, watch: MockCardWatch, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.cards = cards
        self.watch = watch
        self.setObjectName("mock-panel")
        self.setFixedWidth(320)
        self.setStyleSheet(
            "QFrame#mock-panel { background: #2d3748; } "
            "QFrame#mock-panel QLabel, QFrame#mock-panel QRadioButton, "
            "QFrame#mock-panel QCheckBox { color: #ffffff; } "
            "QFrame#mock-panel QPushButton { min-height: 56px; }"
        )
        col = QVBoxLayout(self)
        col.setContentsMargins(16, 16, 16, 16)
        col.setSpacing(10)
        title = QLabel("Mock card (test mode)", self)
        title.setFont(style.font(22, bold=True))
        col.addWidget(title)
        self.slot = QPushButton("", self)
        self.slot.setFont(style.font(20, bold=True))
        self.slot.setProperty("role", "primary")
        self.slot.clicked.connect(self.toggle)
        col.addWidget(self.slot)
        col.addSpacing(8)
        holder_title = QLabel("Holder", self)
        holder_title.setFont(style.font(18, bold=True))
        col.addWidget(holder_title)
        self.group = QButtonGroup(self)
        self.radios: dict[str, QRadioButton] = {}
        for key, text, *_rest in HOLDERS:
            r = QRadioButton(text, self)
            r.setFont(style.font(17))
            r.setMinimumHeight(40)
            r.toggled.connect(lambda on, k=key: self.choose(k) if on else None)
            self.group.addButton(r)
            col.addWidget(r)
            self.radios[key] = r
        self.contactless = QCheckBox("Contactless reader (NFC)", self)
        self.contactless.setFont(style.font(17))
        self.contactless.setMinimumHeight(40)
        self.contactless.toggled.connect(cards.use_contactless_reader)
        col.addWidget(self.contactless)
        col.addSpacing(8)
        self.reset = QPushButton("Reset PINs (municipal office)", self)
        self.reset.setFont(style.font(17))
        self.reset.clicked.connect(self.reset_pins)
        col.addWidget(self.reset)
        self.info = QLabel("", self)
        self.info.setFont(style.font(16))
        self.info.setWordWrap(True)
        self.info.setTextFormat(Qt.TextFormat.PlainText)
        col.addWidget(self.info)
        col.addStretch(1)
        hint = QLabel("PINs: auth 1234, sign ABCD1234, text 1234", self)
        hint.setFont(style.font(15))
        hint.setWordWrap(True)
        col.addWidget(hint)
        self.radios["valid"].setChecked(True)
        watch.inserted.connect(self.refresh)
        watch.removed.connect(self.refresh)
        self._timer = QTimer(self)
        self._timer.setInterval(700)
        self._timer.timeout.connect(self.refresh)
        self._timer.start()
        self.refresh()

    def holder(self) -> str:
        for key, card in self.cards.cards.items():
            if card is self.watch.card:
                return key
        return ""

    def choose(self, key: str) -> None:
        card = self.cards.cards[key]
        if card is not self.watch.card:
            self.watch.set_card(card)  # takes the old card out first
        self.refresh()

    def toggle(self) -> None:
        if self._in_reader():
            self.watch.remove()
        else:
            self.watch.insert()
        self.refresh()

    def reset_pins(self) -> None:
        card = self.watch.card
        if card is not None:
            card.reset_pins()
        self.refresh()

    def _in_reader(self) -> bool:
        """The card is in (or on) the reader: not taken out, not lifted by a fault."""
        card = self.watch.card
        return self.watch.card_present and (card is None or card.present)

    def refresh(self) -> None:
        present = self._in_reader()
        self.slot.setText("Remove card" if present else "Insert card")
        card = self.watch.card
        if card is None:
            self.info.setText("")
            return
        tries = ", ".join(
            f"{name} {card.pin_tries_left(name)}" for name in ("auth", "sign", "text")
        )
        self.info.setText(f"Tries left: {tries}\nProfile: {card.profile.value}")
