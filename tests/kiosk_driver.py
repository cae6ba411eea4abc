"""The kiosk controller in miniature, for tests without Qt: events into the flow, effects
into the services, the services' events back into the flow."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from gui.flow import Event, Model, Screen, Wipe, step
from gui.services import KioskServices


@dataclass
class Kiosk:
    services: KioskServices
    model: Model
    results: list[Event] = field(default_factory=list)  # every event the services returned
    models: list[Model] = field(default_factory=list)  # every model the flow went through

    def send(self, event: Event, expect: Screen | None = None) -> Model:
        queue: list[Event] = [event]
        while queue:
            self.model, effects = step(self.model, queue.pop(0))
            self.models.append(self.model)
            for effect in effects:
                result = self.services.run(effect)
                if isinstance(effect, Wipe):
                    assert result is None
                if result is not None:
                    self.results.append(result)
                    queue.append(result)
        if expect is not None:
            assert self.model.screen is expect, self.model
        return self.model

    def screen(self) -> Screen:
        """A method, not a property: the screen changes under every send()."""
        return self.model.screen


# -- the real window, driven by touch ------------------------------------------------------------
# Taps are mouse clicks on the centre of the real buttons, keypad keys and keyboard keys: no
# setText, no key events. Every tap is counted against the screen it was made on.

LOAD_MS = 20000  # the first effect also imports the services and migrates the ledger
STEP_MS = 10000


class TouchKiosk:
    """A mock-mode kiosk (``gui.app.build_kiosk(reader="mock")``) with the mock panel taken
    out of the window (the panel is the tester's, not the applicant's), driven by taps.

    ``check`` runs on every screen the journey reaches (a layout check, for instance)."""

    def __init__(self, kiosk: Any, check: Callable[[TouchKiosk], None] | None = None) -> None:
        self.kiosk = kiosk
        self.check = check
        self.taps: list[tuple[str, str]] = []  # (screen, what was tapped)
        self.seen: list[Screen] = []
        self.swipes = 0  # scroll areas moved to bring a widget into view
        self.swiped: list[str] = []  # "screen: widget" for each of them
        self._held: list[Any] = []  # the gates of the cards held busy (hold_card)
        window = kiosk.window
        panel = window.side_panel
        if panel is not None:  # undock: the window is the kiosk alone
            window.layout().removeWidget(panel)
            panel.hide()
            panel.setParent(None)
            window.side_panel = None
            self._panel = panel  # kept alive: it owns the radios a tester uses

    @property
    def window(self) -> Any:
        return self.kiosk.window

    @property
    def screen(self) -> Screen:
        return self.window.model.screen  # type: ignore[no-any-return]

    def current(self) -> Any:
        return self.window.current_screen()

    def settle(self) -> None:
        from PySide6.QtCore import QCoreApplication

        for _ in range(3):
            QCoreApplication.processEvents()

    def tap(self, widget: Any, what: str = "") -> None:
        """One tap on the centre of ``widget`` (which must be shown, enabled and in the window)."""
        from PySide6.QtCore import QPoint, QRect, Qt
        from PySide6.QtTest import QTest

        self.settle()
        name = what or widget.accessibleName() or getattr(widget, "text", str)()
        assert widget.isVisible(), f"{name} is not shown on {self.screen.value}"
        self._scroll_to(widget)
        assert widget.isEnabled(), f"{name} is disabled on {self.screen.value}"
        centre = widget.mapTo(self.window, widget.rect().center())
        assert QRect(QPoint(0, 0), self.window.size()).contains(centre), (name, centre)
        self.taps.append((self.screen.value, name))
        QTest.mouseClick(widget, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
        self.settle()

    def _scroll_to(self, widget: Any) -> None:
        """Swipe ``widget`` into view if it lies in a scroll area (a swipe, not a tap)."""
        from PySide6.QtWidgets import QScrollArea

        p = widget.parentWidget()
        while p is not None and p is not self.window:
            inner = p.widget() if isinstance(p, QScrollArea) else None
            if inner is not None and inner.isAncestorOf(widget):
                before = p.verticalScrollBar().value()
                p.ensureWidgetVisible(widget, 0, 8)
                if p.verticalScrollBar().value() != before:
                    self.swipes += 1
                    self.swiped.append(f"{self.screen.value}: {widget.accessibleName()}")
                    self.settle()
            p = p.parentWidget()

    def taps_by_screen(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for screen, what in self.taps:
            out.setdefault(screen, []).append(what)
        return out

    def wait_until(self, done: Callable[[], bool], timeout: int = STEP_MS, what: str = "") -> None:
        """Run the event loop until ``done()``; fail after ``timeout`` ms."""
        import time

        from PySide6.QtCore import QCoreApplication, QEventLoop

        end = time.monotonic() + timeout / 1000
        while not done():
            assert time.monotonic() < end, f"waited {timeout} ms for {what or done}"
            QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 5)
            time.sleep(0.001)

    def arrive(self, screen: Screen, timeout: int = STEP_MS) -> None:
        """Wait for ``screen``, then run the check on it."""
        self.wait_until(
            lambda: self.screen is screen, timeout, f"{screen.value} (on {self.screen.value})"
        )
        self.seen.append(screen)
        self.check_now()

    def check_now(self) -> None:
        """Run the check on the screen as it is now."""
        self.settle()
        if self.check is not None:
            self.check(self)

    # -- the card ---------------------------------------------------------------------------------

    def card(self, key: str) -> Any:
        return self.kiosk.mock_cards.cards[key]

    def insert(self, key: str = "valid") -> None:
        watch = self.kiosk.watch
        card = self.card(key)
        if watch.card is not card:
            watch.set_card(card)
        watch.insert()

    def remove(self) -> None:
        self.kiosk.watch.remove()

    # -- keypads, keyboard ------------------------------------------------------------------------

    def pin(self, pin: str, ok: bool = True) -> None:
        from gui.screens.pin import PinScreen
        from jpki.layout import PinKind

        screen = self.current()
        assert isinstance(screen, PinScreen), self.screen
        pad = screen.alpha if screen.kind is PinKind.SIGN else screen.numeric
        for ch in pin:
            self.tap(pad.keys[ch.upper()], f"key {ch}")
        if ok:
            self.tap(screen.ok, "OK")

    def type(self, text: str) -> None:
        """Keys of the form's touch keyboard (open on a field)."""
        form = self.current()
        for ch in text:
            self.tap(form.entry.keyboard.key(ch), f"key {ch}")

    # -- language ---------------------------------------------------------------------------------

    def shown_texts(self) -> list[str]:
        """Every text the applicant sees now: labels, buttons, empty fields' placeholders, the
        PIN field's placeholder and hint."""
        from PySide6.QtWidgets import QAbstractButton, QLabel, QLineEdit, QWidget

        from gui.widgets import PinField

        out: list[str] = []
        for w in self.window.findChildren(QWidget):
            if not w.isVisible():
                continue
            if isinstance(w, QLabel | QAbstractButton):
                out.append(w.text())
            elif isinstance(w, QLineEdit):
                out.append(w.text() or w.placeholderText())
            elif isinstance(w, PinField) and w.length() == 0:
                out.append(w.placeholder)
            if isinstance(w, PinField):
                out.append(w.hint)
        return [t for t in out if t]

    def other_language_texts(self, allowed: tuple[str, ...] = ()) -> list[str]:
        """Texts shown in the language the kiosk is not in (``allowed``: the applicant's data
        and the language buttons' own names, removed from the texts first)."""
        import re

        language = self.window.model.language
        japanese = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff01-\uff5e]")
        english = re.compile(r"[A-Za-z]{2,}[ ,.'’]+[A-Za-z]{2,}")  # two English words
        keep = (*allowed, "日本語", "English")
        out = []
        for text in self.shown_texts():
            if len(text) == 1:
                continue  # a key of a keypad or the touch keyboard: a character, not a text
            rest = text
            for a in keep:
                rest = rest.replace(a, "")
            # a term glossed in brackets ("office (市区町村の窓口)"), a file's path in brackets
            rest = re.sub(r"\([^()]*\)|（[^（）]*）", "", rest)
            if (japanese if language == "en" else english).search(rest):
                out.append(text)
        return out

    # -- the card at work -------------------------------------------------------------------------

    def hold_card(self, key: str) -> None:
        """Keep the card busy: its next APDU waits until :meth:`release_cards` (a mock card
        fault)."""
        self._held.append(self.card(key).faults.hold_at(1))

    def release_cards(self) -> None:
        while self._held:
            self._held.pop().set()
