"""The kiosk GUI: start-up time, insert → PIN prompt, and memory over many sessions.

* start: a fresh process (``jpki-kiosk --reader mock`` as ``gui.app`` builds it) until
  the insert-card screen is on screen; goal <= 1.5 s. Measured from the parent (so it
  includes the interpreter's own start), median of several runs.
* insert → PIN prompt: the mock card with a contact reader's latency
  (``LatencyModel.contact_reader()``), from the insertion signal until the PIN screen
  is shown: certificate read, chain/validity/revocation check, three PIN counters.
* memory: resident set size after 10 and after 500 complete automated sessions (insert,
  both PINs, form, review, sign, ledger, receipt, done, remove), no latency model.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_kiosk.py [--sessions N] [--runs N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import table

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # Qt is imported later, in the functions


def _quiet_qt() -> None:
    """Drop the offscreen platform's "does not support propagateSizeHints()" notes."""
    from PySide6.QtCore import qInstallMessageHandler

    def handler(_mode: object, _context: object, message: str) -> None:
        if "propagateSizeHints" not in message:
            sys.stderr.write(message + "\n")

    qInstallMessageHandler(handler)


STARTER = """
import sys
from PySide6.QtWidgets import QApplication
from PySide6.QtCore import QTimer
from gui.app import build_kiosk, setup_application
from gui.config import load_config
from gui.flow import Screen

app = QApplication([])
setup_application(app)
kiosk = build_kiosk(load_config(), reader="mock", ledger_url=sys.argv[1])
window = kiosk.window
window.resize(1600, 800)
window.show()
QTimer.singleShot(0, window.start)
while not (window.windowHandle() and window.windowHandle().isExposed()):
    app.processEvents()
app.processEvents()
assert window.model.screen is Screen.INSERT_CARD and window.current_screen().isVisible()
print("shown", flush=True)
window.shut_down()
"""


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def start_times(runs: int) -> list[float]:
    times = []
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(runs + 1):  # the first run warms the file cache and .pyc files
            started = time.perf_counter()
            child = subprocess.Popen(
                [sys.executable, "-c", STARTER, str(Path(tmp) / "ledger.sqlite3")],
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                text=True,
                env=env,
            )
            assert child.stdout is not None
            line = child.stdout.readline()
            elapsed = time.perf_counter() - started
            child.wait(timeout=60)
            if line.strip() != "shown":
                raise RuntimeError("the kiosk did not come up")
            if i:
                times.append(elapsed)
    return times


class Driver:
    """Drives a kiosk in this process, the way an applicant would (no qtbot)."""

    def __init__(self, latency: object = None) -> None:
        from PySide6.QtWidgets import QApplication

        from gui.app import build_kiosk, setup_application
        from gui.config import load_config

        self.app = QApplication.instance() or QApplication([])
        setup_application(self.app)  # type: ignore[arg-type]
        self.tmp = tempfile.TemporaryDirectory()
        self.kiosk = build_kiosk(
            load_config(),
            reader="mock",
            ledger_url=Path(self.tmp.name) / "ledger.sqlite3",
            latency=latency,
        )
        self.window = self.kiosk.window
        self.window.resize(1600, 800)
        self.window.show()
        self.window.start()
        self.until(lambda: self.window.worker.worker.services is not None, 30)

    def until(self, ready: Callable[[], bool], timeout: float = 20.0) -> None:
        from PySide6.QtCore import QCoreApplication, QEvent

        deadline = time.monotonic() + timeout
        while not ready():
            self.app.processEvents()
            # what the event loop does between events (processEvents alone does not)
            QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
            if time.monotonic() > deadline:
                raise TimeoutError(f"stuck on {self.window.model.screen}")
            time.sleep(0.0005)

    def at(self, screen: object, timeout: float = 20.0) -> None:
        self.until(lambda: self.window.model.screen is screen, timeout)

    def pin(self, pin: str) -> None:
        screen = self.window.current_screen()
        for ch in pin:
            screen.field.append(ch)  # type: ignore[attr-defined]
        screen.ok.click()  # type: ignore[attr-defined]

    def session(self) -> None:
        from gui.flow import Screen
        from jpki.requests import DeliveryMethod

        w = self.window
        self.kiosk.watch.insert()
        self.at(Screen.AUTH_PIN)
        self.pin("1234")
        self.at(Screen.IDENTITY_PIN)
        self.pin("ABCD1234")
        self.at(Screen.IDENTITY)
        w.current_screen().primary().click()
        self.at(Screen.FORM)
        form = w.current_screen()
        form.kinds.button("transcript-ja").click()  # type: ignore[attr-defined]
        form.deliveries.button(DeliveryMethod.DIGITAL_PDF.value).click()  # type: ignore[attr-defined]
        form.recipient.setText("株式会社見本")  # type: ignore[attr-defined]
        form.purposes.button("job").click()  # type: ignore[attr-defined]
        form.next.click()  # type: ignore[attr-defined]
        self.at(Screen.REVIEW)
        w.current_screen().primary().click()  # consent: the PIN entered above signs
        self.at(Screen.RECEIPT)
        w.current_screen().primary().click()
        self.at(Screen.INSERT_CARD)
        self.kiosk.watch.remove()
        self.until(lambda: not self.kiosk.watch.card_present)

    def close(self) -> None:
        self.window.shut_down()
        self.window.close()
        self.tmp.cleanup()


def insert_to_pin(rounds: int) -> tuple[float, list[float]]:
    from gui.flow import Screen
    from mock_card import LatencyModel

    d = Driver(latency=LatencyModel.contact_reader())
    times = []
    try:
        for _ in range(rounds):
            started = time.perf_counter()
            d.kiosk.watch.insert()
            d.at(Screen.AUTH_PIN)
            d.app.processEvents()  # shown
            times.append(time.perf_counter() - started)
            d.kiosk.watch.remove()
            d.at(Screen.INSERT_CARD)
            d.until(lambda: d.kiosk.mock_cards.cards["valid"].present is False)
    finally:
        d.close()
    return times[0], times[1:]


def memory(sessions: int) -> list[tuple[str, ...]]:
    d = Driver()
    rows = []
    try:
        started = time.perf_counter()
        marks = {10, 100, sessions}
        for i in range(1, sessions + 1):
            d.session()
            if i in marks:
                rows.append(
                    (
                        str(i),
                        f"{rss_mib():.1f} MiB",
                        f"{(time.perf_counter() - started) / i * 1e3:.0f} ms",
                    )
                )
    finally:
        d.close()
    return rows


def main() -> None:
    _quiet_qt()
    p = argparse.ArgumentParser()
    p.add_argument("--sessions", type=int, default=500)
    p.add_argument("--runs", type=int, default=5)
    args = p.parse_args()

    times = start_times(args.runs)
    print("== kiosk start to the insert-card screen (fresh process, goal <= 1.5 s)")
    print(
        table(
            [(f"{statistics.median(times):.3f} s", f"{min(times):.3f} s", f"{max(times):.3f} s")],
            ("median", "min", "max"),
        )
    )
    print()
    first, rest = insert_to_pin(11)
    print("== insert -> PIN prompt (mock card, LatencyModel.contact_reader())")
    print(
        table(
            [
                (
                    f"{first * 1e3:.0f} ms",
                    f"{statistics.median(rest) * 1e3:.0f} ms",
                    f"{max(rest) * 1e3:.0f} ms",
                )
            ],
            ("first", "median", "max"),
        )
    )
    print()
    print(f"== resident memory over {args.sessions} complete sessions (no latency model)")
    print(table(memory(args.sessions), ("sessions", "RSS", "per session")))


if __name__ == "__main__":
    main()
