"""``jpki-kiosk``: the certificate-request kiosk.

    jpki-kiosk [--reader NAME|mock] [--config FILE] [--fullscreen] [--printer TARGET]

Without ``--reader`` the kiosk watches every PC/SC reader; ``--reader mock``
runs it on software cards with a side panel to insert and remove them (the
demo). The window opens at once; the card worker and the ledger start behind
it.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtGui import QPixmapCache
from PySide6.QtWidgets import QApplication

from .card_watch import CardWatch, MockCardWatch, PcscCardWatch
from .config import ConfigError, KioskConfig, load_config
from .widgets import style
from .window import KioskWindow
from .worker import Services, WorkerThread

logger = logging.getLogger("gui.app")

WINDOW_SIZE = (1280, 800)
#: ``--reader mock``: software cards and the mock panel (needs the mock_card package).
MOCK_READER = "mock"


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="jpki-kiosk", description="The certificate-request kiosk.")
    p.add_argument(
        "--reader",
        metavar="NAME|mock",
        help="the PC/SC reader (a part of its name; default: any reader), or 'mock' for "
        "software cards with a control panel",
    )
    p.add_argument("--config", metavar="FILE", help="the kiosk configuration (TOML)")
    p.add_argument("--fullscreen", action="store_true", help="fill the screen (default: a window)")
    p.add_argument(
        "--printer",
        metavar="TARGET",
        help="print receipts: a printer's name, or pdf:DIR for PDF files "
        "(default: none; in mock mode PDFs in a temporary folder)",
    )
    p.add_argument(
        "--ledger",
        metavar="URL",
        help="mock mode only: the ledger (default: a SQLite file in the user data folder)",
    )
    return p.parse_args(argv)


PIXMAP_CACHE_KIB = 2048


def setup_application(app: QApplication) -> None:
    """Large CJK-capable font and the high-contrast style, for the whole application."""
    app.setFont(style.font(style.BODY_PX))
    app.setStyleSheet(style.STYLE_SHEET)
    app.setApplicationName("jpki-kiosk")
    # Qt's pixmap cache (10 MiB by default) filled over the first ~100 sessions and read as
    # memory growth in the soak; the kiosk's few icons need far less.
    QPixmapCache.setCacheLimit(PIXMAP_CACHE_KIB)
    if not style.has_cjk_font():
        logger.warning("no Noto Sans CJK JP font: Japanese text may not render (fonts-noto-cjk)")


class _OwningServices:
    """Kiosk services plus the ledger they were given, closed together."""

    def __init__(self, services: Any, ledger: Any) -> None:
        self.services = services
        self.ledger = ledger

    def run(self, effect: Any) -> Any:
        return self.services.run(effect)

    def close(self) -> None:
        # the services first: an open card session ends here, in the worker thread that
        # holds it (left to the garbage collector, a mock card's lock would stay taken)
        try:
            self.services.close()
        finally:
            self.ledger.close()


def mock_ledger_path() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("jpki")) / "kiosk-mock-ledger.sqlite3"


@dataclass
class Kiosk:
    """What :func:`build_kiosk` makes: the window and, in mock mode, the mock cards."""

    window: KioskWindow
    watch: CardWatch
    mock_cards: Any = None  # gui.mock_panel.MockCards in mock mode


def build_kiosk(
    config: KioskConfig,
    *,
    reader: str | None = None,
    ledger_url: str | Path | None = None,
    printer: str | None = None,
    latency: Any = None,
    services_factory: Callable[[CardWatch, Any], Services] | None = None,
    clock: Callable[[], float] | None = None,
) -> Kiosk:
    """The kiosk window for ``reader`` (``"mock"``: software cards and the mock panel).

    ``services_factory(watch, mock_cards)`` replaces the real services (development only).
    Call ``kiosk.window.start()`` once the window is shown.
    """
    mock = reader == MOCK_READER
    cards: Any = None
    panel = None
    watch: CardWatch
    if mock:
        from .mock_panel import MockCards, MockPanel, switching_opener

        cards = MockCards.create(latency=latency)
        mock_watch = MockCardWatch()
        watch = mock_watch
        panel = MockPanel(cards, mock_watch)
        ledger_target = ledger_url or mock_ledger_path()

        def make_services() -> Services:
            from jpki.ledger import Ledger
            from jpki.trust import CrlStore, TrustStore

            from .services import KioskServices
            from .setup import ledger_config

            trust = TrustStore.from_certificates(cards.trust_anchors())
            crls = CrlStore.from_crls(cards.crls())
            if config.office_urls:  # the mock card's requests go to the configured office
                from .office_link import OfficeSink

                return KioskServices(
                    config,
                    switching_opener(mock_watch),
                    trust_store=trust,
                    crls=crls,
                    sink=OfficeSink.from_config(config),
                )
            if isinstance(ledger_target, Path):
                ledger_target.parent.mkdir(parents=True, exist_ok=True)
            ledger = Ledger.open(ledger_target, config=ledger_config(config, trust, crls))
            logger.info("mock mode: ledger %s", ledger)
            services = KioskServices(
                config,
                switching_opener(mock_watch),
                trust_store=trust,
                crls=crls,
                ledger=ledger,
            )
            return _OwningServices(services, ledger)

        if printer is None:
            printer = "pdf:" + str(Path(tempfile.gettempdir()) / "jpki-kiosk-receipts")
    else:
        pcsc_watch = PcscCardWatch(reader)
        watch = pcsc_watch

        def make_services() -> Services:
            from .services import KioskServices
            from .setup import pcsc_card_opener

            def opener() -> Any:
                return pcsc_card_opener(pcsc_watch.reader or reader)()

            return KioskServices.from_config(config, opener)

    factory: Callable[[], Services] = (
        (lambda: services_factory(watch, cards)) if services_factory else make_services
    )
    worker = WorkerThread(factory)
    extra: dict[str, Any] = {"clock": clock} if clock is not None else {}
    window = KioskWindow(config, worker, watch, printer=printer, side_panel=panel, **extra)
    return Kiosk(window, watch, cards)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    try:
        config = load_config(args.config)
    except ConfigError as exc:
        print(f"jpki-kiosk: {exc}", file=sys.stderr)
        return 2
    if args.ledger and args.reader != MOCK_READER:
        print(
            "jpki-kiosk: --ledger is for mock mode; set [ledger] url in the configuration",
            file=sys.stderr,
        )
        return 2
    if args.reader == MOCK_READER:
        try:
            from . import mock_panel  # noqa: F401 - the one module importing mock_card
        except ImportError as exc:
            print(
                "jpki-kiosk: --reader mock needs the mock card (the mock_card package), "
                f"which is not installed: {exc}",
                file=sys.stderr,
            )
            return 2
    app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else "jpki-kiosk"])
    assert isinstance(app, QApplication)
    setup_application(app)
    kiosk = build_kiosk(config, reader=args.reader, ledger_url=args.ledger, printer=args.printer)
    window = kiosk.window
    if args.fullscreen:
        window.show_full_screen()  # fills the screen with or without a window manager
    else:
        width = WINDOW_SIZE[0] + (window.side_panel.sizeHint().width() if window.side_panel else 0)
        height = WINDOW_SIZE[1]
        screen = app.primaryScreen()
        if screen is not None:  # keep the mock panel on a small screen: the kiosk area gives way
            room = screen.availableGeometry()
            width, height = min(width, room.width()), min(height, room.height())
        window.resize(width, height)
        window.show()
    QTimer.singleShot(0, window.start)  # the worker and the card watch, after the first paint

    # Ctrl+C in the terminal ends the kiosk (Python sees the signal between Qt events).
    signal.signal(signal.SIGINT, lambda *_: app.quit())
    ticker = QTimer()
    ticker.start(300)
    ticker.timeout.connect(lambda: None)
    try:
        return app.exec()
    finally:
        window.shut_down()


if __name__ == "__main__":
    sys.exit(main())
