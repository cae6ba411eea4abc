"""The kiosk window: header, one stacked screen per flow state, the idle countdown.

It is the flow's controller: every event goes through :func:`gui.flow.step`;
the Wipe effect clears every screen here, the card effects go to the worker
thread, and the worker's results come back as events. Nothing here blocks.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QRect, Qt, QTimer, Slot
from PySide6.QtGui import (
    QCloseEvent,
    QGuiApplication,
    QKeySequence,
    QResizeEvent,
    QScreen,
    QShortcut,
)
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from .card_watch import CardWatch
from .config import KioskConfig
from .flow import (
    Cancel,
    CardInserted,
    CardRemoved,
    Event,
    Model,
    Screen,
    SetLanguage,
    Timeout,
    Wipe,
    initial,
    step,
)
from .i18n import Translations
from .screens import KioskScreen, build_screens
from .screens.insert import InsertCardScreen
from .widgets import Button, label
from .widgets.scaling import apply_scale, scale_for
from .worker import WorkerThread

translate = QCoreApplication.translate
logger = logging.getLogger(__name__)

#: The least room between the header's Cancel and the language switch (a thumb's width).
THUMB_PX = 96

_ACTIVITY = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.TouchBegin,
        QEvent.Type.TouchUpdate,
        QEvent.Type.Wheel,
        QEvent.Type.TabletPress,
    }
)


class KioskWindow(QWidget):
    """The whole kiosk. ``side_panel`` (the mock panel) sits to the right of the kiosk area."""

    def __init__(
        self,
        config: KioskConfig,
        worker: WorkerThread,
        card_watch: CardWatch,
        *,
        printer: str | None = None,
        side_panel: QWidget | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()
        self.setObjectName("kiosk")
        self.setWindowTitle("JPKI kiosk")
        self.config = config
        self.model: Model = initial(config)
        self.worker = worker
        self.card_watch = card_watch
        self.translations = Translations()
        self.translations.set_language(self.model.language)
        self._clock = clock
        self._last_activity = clock()
        self.out_of_service = False  # the services (ledger, trust) could not start
        self.reader_unavailable = False  # the card watch lost the reader (PC/SC service down)

        root = QHBoxLayout(self)
        root.setContentsMargins(0, 0, 0, 0)
        root.setSpacing(0)
        self.kiosk = QWidget(self)
        self.kiosk.setObjectName("kiosk")
        self.kiosk.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        col = QVBoxLayout(self.kiosk)
        col.setContentsMargins(0, 0, 0, 0)
        col.setSpacing(0)
        root.addWidget(self.kiosk, 1)
        self.side_panel = side_panel
        if side_panel is not None:
            root.addWidget(side_panel, 0)

        # header: cancel, institution, language — Cancel at the other end from the language
        # switch, so a thumb aiming at one never hits the other
        self.header = QFrame(self.kiosk)
        self.header.setObjectName("header")
        head = QHBoxLayout(self.header)
        head.setContentsMargins(24, 6, 24, 6)
        head.setSpacing(16)
        self.cancel = Button("", self.header, role="header")
        self.cancel.setAccessibleName("cancel")
        self.cancel.clicked.connect(self._cancel)
        head.addWidget(self.cancel)
        head.addSpacing(THUMB_PX)
        self.institution = label("", 28, bold=True)  # a long name wraps, never widens the window
        self.institution.setAccessibleName("institution")
        head.addWidget(self.institution, 1)
        self.lang_buttons: dict[str, Button] = {}
        for lang, text in (("ja", "日本語"), ("en", "English")):
            b = Button(text, self.header, role="header")
            b.setCheckable(True)
            b.setAccessibleName(text)
            b.clicked.connect(lambda _c=False, lg=lang: self.post(SetLanguage(lg)))
            head.addWidget(b)
            self.lang_buttons[lang] = b
        col.addWidget(self.header)

        # Cancel asks first: the screen below stays as it is until "Yes, cancel"
        self.confirm_cancel = QFrame(self.kiosk)
        self.confirm_cancel.setObjectName("screen")
        self.confirm_cancel.setAccessibleName("confirm-cancel")
        ask = QVBoxLayout(self.confirm_cancel)
        ask.setContentsMargins(56, 48, 56, 48)
        ask.setSpacing(32)
        self.confirm_question = label("", 40, bold=True, role="title", center=True)
        self.confirm_question.setAccessibleName("confirm-cancel-question")
        self.confirm_note = label("", 28, center=True)
        answers = QHBoxLayout()
        answers.setSpacing(THUMB_PX)
        self.confirm_yes = Button("", self.confirm_cancel, px=32)
        self.confirm_yes.setAccessibleName("yes-cancel")
        self.confirm_yes.setMinimumWidth(320)
        self.confirm_yes.clicked.connect(lambda: self.post(Cancel()))
        self.confirm_no = Button("", self.confirm_cancel, role="primary", px=32)
        self.confirm_no.setAccessibleName("no-continue")
        self.confirm_no.setMinimumWidth(320)
        self.confirm_no.clicked.connect(self._close_confirm)
        answers.addStretch(1)
        answers.addWidget(self.confirm_yes)
        answers.addWidget(self.confirm_no)
        answers.addStretch(1)
        ask.addStretch(1)
        ask.addWidget(self.confirm_question)
        ask.addWidget(self.confirm_note)
        ask.addLayout(answers)
        ask.addStretch(2)
        self.confirm_cancel.hide()
        col.addWidget(self.confirm_cancel, 1)

        self.stack = QStackedWidget(self.kiosk)
        self.screens: dict[Screen, KioskScreen] = build_screens(self.stack, printer=printer)
        for screen in self.screens.values():
            self.stack.addWidget(screen)
            screen.post.connect(self.post)
        # The screens fit a 1280×800 kiosk by design; a long text must not grow the window.
        self.stack.setMinimumSize(320, 240)
        col.addWidget(self.stack, 1)

        # the idle countdown
        self.countdown = QFrame(self.kiosk)
        self.countdown.setObjectName("countdown")
        bar = QHBoxLayout(self.countdown)
        bar.setContentsMargins(32, 8, 24, 8)
        self.countdown_text = label("", 28, bold=True)
        self.countdown_text.setAccessibleName("countdown")
        self.keep_going = Button("", self.countdown, role="primary")
        self.keep_going.clicked.connect(self._activity)
        bar.addWidget(self.countdown_text, 1)
        bar.addWidget(self.keep_going)
        self.countdown.hide()
        col.addWidget(self.countdown)

        self._idle = QTimer(self)
        self._idle.setInterval(200)
        self._idle.timeout.connect(self._tick)

        escape = QShortcut(QKeySequence(Qt.Key.Key_Escape), self)
        escape.activated.connect(self._escape)

        card_watch.inserted.connect(lambda: self.post(CardInserted()))
        card_watch.removed.connect(lambda: self.post(CardRemoved()))
        worker.worker.event_ready.connect(self.post)
        worker.worker.failed.connect(self._services_failed)
        worker.worker.ready.connect(self._services_ready)
        card_watch.status.connect(self._card_watch_status)
        card_watch.available.connect(self._reader_available)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

        self.scale = 1.0  # type and touch targets grow on large screens (gui.widgets.scaling)
        self._fitted_screen: QScreen | None = None  # show_full_screen's screen
        self._retranslate()
        self._render(None)

    # -- the flow ------------------------------------------------------------------------------

    @Slot(object)
    def post(self, event: Event) -> None:
        """Feed ``event`` to the flow, run the effects, show the new model."""
        old = self.model
        self.model, effects = step(old, event)
        for effect in effects:
            if isinstance(effect, Wipe):
                self._wipe()
        if self.model is not old:
            self._render(old)
        for effect in effects:
            self.worker.submit.emit(effect)

    def _services_failed(self, error: str) -> None:
        logger.error("the kiosk is out of service: %s", error)
        self.out_of_service = True
        self._show_out_of_service()

    def _services_ready(self) -> None:
        self.out_of_service = False
        self._show_out_of_service()

    def _reader_available(self, available: bool) -> None:
        if available:
            logger.info("the card reader is back")
        else:
            logger.error("the card reader is unavailable (the PC/SC service is down)")
        self.reader_unavailable = not available
        self._show_out_of_service()

    def _show_out_of_service(self) -> None:
        """The insert screen's out-of-service notice: the services or the reader are down."""
        insert = self.screens[Screen.INSERT_CARD]
        if isinstance(insert, InsertCardScreen):
            insert.set_out_of_service(self.out_of_service or self.reader_unavailable)

    def _card_watch_status(self, text: str) -> None:
        logger.info("card reader: %s", text)

    def _wipe(self) -> None:
        for screen in self.screens.values():
            screen.wipe()
        self.countdown.hide()
        self._close_confirm()

    def _render(self, old: Model | None) -> None:
        m = self.model
        if m.language != self.translations.language:
            self.translations.set_language(m.language)
            self._retranslate()
        screen = self.screens[m.screen]
        entering = old is None or old.screen is not m.screen or old.session != m.session
        if entering:
            self._close_confirm()  # the screen changed under the question: it no longer stands
        if self.stack.currentWidget() is not screen:
            self.stack.setCurrentWidget(screen)
        screen.present(m, entering)
        self.institution.setText(m.config.institution(m.language))
        for lang, b in self.lang_buttons.items():
            b.setChecked(lang == m.language)
        self.cancel.setVisible(
            screen.cancellable
            and m.screen is not Screen.INSERT_CARD
            and not self.confirm_cancel.isVisibleTo(self)
        )
        if entering:
            self._activity()
            target = screen.focus_target()
            (target if target is not None else screen).setFocus(Qt.FocusReason.OtherFocusReason)
        if self.scale != 1.0:
            apply_scale(self.kiosk, self.scale)  # widgets a screen made just now
        if m.times_out:
            if not self._idle.isActive():
                self._activity()
                self._idle.start()
        else:
            self._idle.stop()
            self.countdown.hide()

    def _retranslate(self) -> None:
        self.cancel.setText(translate("Window", "Cancel"))
        self.confirm_question.setText(translate("Window", "Cancel your application?"))
        self.confirm_note.setText(
            translate("Window", "What you have entered is deleted and nothing is sent.")
        )
        self.confirm_yes.setText(translate("Window", "Yes, cancel"))
        self.confirm_no.setText(translate("Window", "No, continue"))
        self.keep_going.setText(translate("Window", "Continue"))
        for screen in self.screens.values():
            screen.retranslate()
        self.institution.setText(self.model.config.institution(self.model.language))

    # -- size -----------------------------------------------------------------------------------

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        panel = self.side_panel.width() if self.side_panel is not None else 0
        size = event.size()
        self.set_scale(scale_for(size.width() - panel, size.height()))

    def show_full_screen(self) -> None:
        """Fill the screen the window is on, with or without a window manager.

        Without one (a bare X server, as kiosks run) nobody acts on the full-screen request
        of :meth:`showFullScreen`; the window is given the screen's geometry itself, and
        follows it when the screen changes size (a monitor switched, xrandr).
        """
        screen = self.screen() or QGuiApplication.primaryScreen()
        if screen is None:
            self.showFullScreen()
            return
        if self._fitted_screen is not screen:
            if self._fitted_screen is not None:
                self._fitted_screen.geometryChanged.disconnect(self._refit)
            screen.geometryChanged.connect(self._refit)
            self._fitted_screen = screen
        self.setGeometry(screen.geometry())
        self.showFullScreen()

    def _refit(self, geometry: QRect) -> None:
        if self.isFullScreen() or self._fitted_screen is not None:
            self.setGeometry(geometry)

    def set_scale(self, factor: float) -> None:
        """Scale the kiosk area (not the mock panel) to ``factor`` × its design size."""
        if factor != self.scale:
            self.scale = factor
            apply_scale(self.kiosk, factor)

    # -- cancel, escape, idle ---------------------------------------------------------------------

    def show_model(self, model: Model) -> None:
        """Show ``model`` as it is (screenshots, tests); the flow is bypassed."""
        old = self.model
        self.model = model
        self._render(old if old.screen is not model.screen else None)

    def current_screen(self) -> KioskScreen:
        return self.screens[self.model.screen]

    def _cancel(self) -> None:
        """Ask before cancelling (a tap meant for the language switch must not end it all)."""
        if self.model.screen is Screen.INSERT_CARD:
            return
        self.stack.hide()
        self.cancel.hide()
        self.confirm_cancel.show()
        self.confirm_no.setFocus(Qt.FocusReason.OtherFocusReason)

    def _close_confirm(self) -> None:
        """Back from the cancel question to the screen as it was."""
        if not self.confirm_cancel.isVisibleTo(self):
            return
        self.confirm_cancel.hide()
        self.stack.show()
        screen = self.current_screen()
        self.cancel.setVisible(screen.cancellable and self.model.screen is not Screen.INSERT_CARD)
        target = screen.focus_target()
        (target if target is not None else screen).setFocus(Qt.FocusReason.OtherFocusReason)

    def confirming_cancel(self) -> bool:
        return self.confirm_cancel.isVisibleTo(self)

    def _escape(self) -> None:
        if self.confirming_cancel():
            self._close_confirm()  # Escape answers the question with "No, continue"
            return
        screen = self.current_screen()
        if self.model.screen is Screen.INSERT_CARD:
            return
        if screen.escape_event is Cancel:
            self._cancel()  # asked first, as for the Cancel button
            return
        self.post(screen.escape_event())

    def _activity(self) -> None:
        self._last_activity = self._clock()
        if self.countdown.isVisible():
            self.countdown.hide()

    def seconds_left(self) -> float:
        return self.model.config.idle_timeout - (self._clock() - self._last_activity)

    def _tick(self) -> None:
        if not self.model.times_out:
            self._idle.stop()
            self.countdown.hide()
            return
        left = self.seconds_left()
        if left <= 0:
            self.countdown.hide()
            self.post(Timeout())
            return
        if left <= self.model.config.countdown and self.model.screen is not Screen.INSERT_CARD:
            self.countdown_text.setText(
                translate(
                    "Window", "No activity: starting over in {n} s. Touch the screen to continue."
                ).format(n=math.ceil(left))
            )
            self.countdown.show()
        elif self.countdown.isVisible():
            self.countdown.hide()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _ACTIVITY:
            self._activity()
        return False

    # -- life cycle -------------------------------------------------------------------------------

    def start(self) -> None:
        """Start the worker thread and the card watch (after the window is up)."""
        self.worker.start()
        self.card_watch.start()

    def shut_down(self) -> None:
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        self._idle.stop()
        self.card_watch.stop()
        self.worker.stop()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.shut_down()
        super().closeEvent(event)
