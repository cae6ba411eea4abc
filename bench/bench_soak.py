"""Soak: 1,000 automated kiosk sessions on the mock card, offscreen; memory, threads, files.

One kiosk (``build_kiosk(reader="mock")``, the real services, a SQLite ledger in a temporary
folder) is driven the way applicants would use it, in a repeating mix of ten sessions:

* 7 complete requests (insert, both PINs, identity, form, review, sign, ledger, receipt, done,
  remove), the delivery cycling through post, counter, convenience store and digital PDF;
* 1 with a wrong user-authentication PIN first, then cancelled on the identity screen;
* 1 with the card pulled out on the form;
* 1 that times out on the PIN screen (the idle timeout, on a fake clock).

Every wait is bounded: a screen that does not come within 20 s is a stuck kiosk and ends the
run. After each session the kiosk must be back on screen 1 with nothing left of the applicant.
At the sample points (10, 100, 500, 1,000 by default) it records the resident set size (after a
garbage collection), the process's threads (``/proc/self/task``, Qt's included) and open file
descriptors, and (glibc) the memory malloc has handed out. Goals: RSS growth <= 5 % from
session 10 to the last, no more threads or descriptors than at session 10.

RSS also grows while bounded caches fill up; to tell that from a leak, the report gives the
growth over the second half of the run, and after the run how much memory two such caches held:
Qt's QPixmapCache (an LRU of rendered style elements, 10 MiB by default; measured as what
``QPixmapCache.clear()`` gives back to malloc) and SQLite's page cache (the ledger).
``--pixmap-cache-kib N`` caps Qt's cache (``QPixmapCache.setCacheLimit``) to see its share;
by default the kiosk runs as shipped.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_soak.py [--sessions N]
        [--pixmap-cache-kib N]

The soak runs in a fresh Python process (``make bench`` runs the other benchmarks first, in
its own process, and their Qt caches would hide a fresh kiosk's growth).

``tests/test_soak.py`` runs the same soak, shorter.
"""

from __future__ import annotations

import argparse
import ctypes
import gc
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # Qt is imported later, in the functions

from bench.bench_kiosk import Driver, _quiet_qt
from bench.common import table

RSS_GOAL = 5.0  # % growth from the first sample to the last
MIX = 10  # sessions in one round of the mix
DELIVERIES = ("postal", "counter", "convenience-store", "digital-pdf")


@dataclass(frozen=True)
class Sample:
    session: int
    rss_mib: float
    threads: int
    fds: int
    seconds: float  # since the first session started
    heap_mib: float | None  # malloc's memory in use (glibc), None elsewhere


@dataclass(frozen=True)
class SoakResult:
    samples: list[Sample]
    sessions: int
    seconds: float
    pixmap_cache_limit_kib: int = 0
    pixmap_cache_mib: float | None = None  # what QPixmapCache.clear() gave back, at the end
    sqlite_mib: float | None = None  # SQLite's memory in use, at the end

    @property
    def middle(self) -> Sample:
        """The sample nearest to half-way (the start of the run's second half)."""
        half = self.last.session / 2
        return min(self.samples[:-1] or self.samples, key=lambda s: abs(s.session - half))

    @property
    def late_growth(self) -> float:
        """% growth of the RSS over the second half of the run."""
        return (self.last.rss_mib / self.middle.rss_mib - 1) * 100

    @property
    def first(self) -> Sample:
        return self.samples[0]

    @property
    def last(self) -> Sample:
        return self.samples[-1]

    @property
    def rss_growth(self) -> float:
        """% growth of the RSS from the first sample to the last."""
        return (self.last.rss_mib / self.first.rss_mib - 1) * 100

    @property
    def thread_growth(self) -> int:
        return self.last.threads - self.first.threads

    @property
    def fd_growth(self) -> int:
        return self.last.fds - self.first.fds

    @property
    def per_session_ms(self) -> float:
        return self.seconds / self.sessions * 1e3


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def thread_count() -> int:
    """Threads of this process, Python's and Qt's alike."""
    return len(os.listdir("/proc/self/task"))


def fd_count() -> int:
    return len(os.listdir("/proc/self/fd"))


_MALLINFO2_FIELDS = ("arena", "ordblks", "smblks", "hblks", "hblkhd")
_MALLINFO2_FIELDS += ("usmblks", "fsmblks", "uordblks", "fordblks", "keepcost")


class _MallInfo2(ctypes.Structure):
    """glibc's ``struct mallinfo2``."""

    _fields_ = [(name, ctypes.c_size_t) for name in _MALLINFO2_FIELDS]


def heap_mib() -> float | None:
    """Memory malloc has handed out and not got back (glibc >= 2.33), or None."""
    try:
        mallinfo2 = ctypes.CDLL(None).mallinfo2
    except (OSError, AttributeError):
        return None
    mallinfo2.restype = _MallInfo2
    info = mallinfo2()
    return (info.uordblks + info.hblkhd) / 2**20


def sqlite_mib() -> float | None:
    """SQLite's memory in use, if this process uses a shared libsqlite3 (else None)."""
    for line in Path("/proc/self/maps").read_text().splitlines():
        path = line.split()[-1]
        if "/libsqlite3.so" in path:
            used = ctypes.CDLL(path).sqlite3_memory_used
            used.restype = ctypes.c_int64
            return int(used()) / 2**20
    return None


class SkippingClock:
    """The kiosk's idle clock: real time, plus whatever the soak skips ahead."""

    def __init__(self) -> None:
        self.skipped = 0.0

    def __call__(self) -> float:
        return time.monotonic() + self.skipped


class SoakDriver(Driver):
    """:class:`bench.bench_kiosk.Driver` (its waits and PIN entry) with the session mix, the
    checks after each session, and an idle clock the soak can skip ahead."""

    def __init__(self, pixmap_cache_kib: int | None = None) -> None:  # Driver's, plus the clock
        from PySide6.QtWidgets import QApplication

        from gui.app import build_kiosk, setup_application
        from gui.config import load_config

        self.app = QApplication.instance() or QApplication([])
        setup_application(self.app)  # type: ignore[arg-type]
        if pixmap_cache_kib is not None:
            from PySide6.QtGui import QPixmapCache

            QPixmapCache.setCacheLimit(pixmap_cache_kib)
        self.tmp = tempfile.TemporaryDirectory(prefix="jpki-soak-")
        self.clock = SkippingClock()
        self.kiosk = build_kiosk(
            load_config(),
            reader="mock",
            ledger_url=Path(self.tmp.name) / "ledger.sqlite3",
            printer=f"pdf:{self.tmp.name}",
            clock=self.clock,
        )
        self.window = self.kiosk.window
        self.window.resize(1600, 800)
        self.window.show()
        self.window.start()
        self.until(lambda: self.window.worker.worker.services is not None, 30)

    def session(self, number: int = 0) -> None:  # type: ignore[override]
        kind = number % MIX
        if kind == 7:
            self.wrong_pin_then_cancel()
        elif kind == 8:
            self.removed_on_the_form()
        elif kind == 9:
            self.timed_out()
        else:
            self.complete(DELIVERIES[number % len(DELIVERIES)])
        self.check_clean()

    # -- the sessions ------------------------------------------------------------------------

    def to_form(self) -> None:
        from gui.flow import Screen

        self.kiosk.watch.insert()
        self.at(Screen.AUTH_PIN)
        self.pin("1234")
        self.at(Screen.IDENTITY_PIN)
        self.pin("ABCD1234")
        self.at(Screen.IDENTITY)
        self.window.current_screen().primary().click()
        self.at(Screen.FORM)

    def complete(self, delivery: str) -> None:
        from gui.flow import Screen

        w = self.window
        self.to_form()
        form: object = w.current_screen()
        form.kinds.button("transcript-ja").click()  # type: ignore[attr-defined]
        form.deliveries.button(delivery).click()  # type: ignore[attr-defined]
        if delivery == "postal":
            form.postal_code.setText("102-8160")  # type: ignore[attr-defined]
        if delivery == "digital-pdf":
            form.recipient.setText("株式会社見本")  # type: ignore[attr-defined]
        form.purposes.button("job").click()  # type: ignore[attr-defined]
        form.next.click()  # type: ignore[attr-defined]
        self.at(Screen.REVIEW)
        w.current_screen().primary().click()  # consent: the PIN entered for the identity signs
        self.at(Screen.RECEIPT)
        if w.model.receipt is None:
            raise AssertionError("a receipt screen without a receipt")
        w.current_screen().primary().click()
        self.at(Screen.INSERT_CARD)
        self.take_out()

    def wrong_pin_then_cancel(self) -> None:
        from gui.flow import Notice, Screen

        w = self.window
        self.kiosk.watch.insert()
        self.at(Screen.AUTH_PIN)
        self.pin("9999")
        self.until(lambda: w.model.notice is Notice.WRONG_PIN and w.model.tries_left == 2)
        self.pin("1234")
        self.at(Screen.IDENTITY_PIN)
        self.pin("ABCD1234")
        self.at(Screen.IDENTITY)
        w.cancel.click()
        w.confirm_yes.click()  # Cancel asks first
        self.at(Screen.INSERT_CARD)
        self.take_out()

    def removed_on_the_form(self) -> None:
        from gui.flow import Notice, Screen

        self.to_form()
        self.window.current_screen().kinds.button("graduation-en").click()  # type: ignore[attr-defined]
        self.take_out()
        self.at(Screen.INSERT_CARD)
        # the start screen says why it started over, until the idle timeout clears it
        self.until(lambda: self.window.model.notice is Notice.CARD_REMOVED)
        self.clock.skipped += self.window.config.idle_timeout + 1
        self.until(lambda: self.window.model.notice is Notice.NONE, 5)

    def timed_out(self) -> None:
        from gui.flow import Screen

        w = self.window
        self.kiosk.watch.insert()
        self.at(Screen.AUTH_PIN)
        w.current_screen().field.append("7")  # type: ignore[attr-defined]
        self.clock.skipped += w.config.idle_timeout + 1
        self.at(Screen.INSERT_CARD, 5)  # the idle timer ticks every 0.2 s
        self.take_out()

    def take_out(self) -> None:
        self.kiosk.watch.remove()
        self.until(lambda: not self.kiosk.watch.card_present)
        self.until(lambda: not self.kiosk.mock_cards.cards["valid"].present)

    def check_clean(self) -> None:
        """Screen 1, no card, no notice, nothing of the applicant left on any screen."""
        from gui.flow import Notice, Screen
        from gui.widgets import PinField

        w = self.window
        m = w.model
        if m.screen is not Screen.INSERT_CARD or m.card_present or m.notice is not Notice.NONE:
            raise AssertionError(f"not back to a clean screen 1: {m.screen} {m.notice}")
        if m.identity is not None or m.form is not None or m.receipt is not None:
            raise AssertionError("the model kept the applicant's data")
        if any(f.reveal() for f in w.kiosk.findChildren(PinField)):
            raise AssertionError("a PIN field kept digits")
        if w.countdown.isVisible():
            raise AssertionError("the idle countdown is still shown")


def soak(
    sessions: int,
    marks: tuple[int, ...] = (10, 100, 500, 1000),
    *,
    on_sample: Callable[[Sample], None] | None = None,
    pixmap_cache_kib: int | None = None,
) -> SoakResult:
    """Run ``sessions`` sessions; sample at ``marks`` (and at the last session)."""
    from PySide6.QtGui import QPixmapCache

    wanted = sorted({m for m in marks if m <= sessions} | {sessions})
    driver = SoakDriver(pixmap_cache_kib)
    samples: list[Sample] = []
    started = time.perf_counter()
    try:
        for number in range(1, sessions + 1):
            driver.session(number)
            if number in wanted:
                driver.app.processEvents()
                gc.collect()
                sample = Sample(
                    number,
                    rss_mib(),
                    thread_count(),
                    fd_count(),
                    time.perf_counter() - started,
                    heap_mib(),
                )
                samples.append(sample)
                if on_sample is not None:
                    on_sample(sample)
        elapsed = time.perf_counter() - started
        # after the last sample: what the two bounded caches hold
        before = heap_mib()
        QPixmapCache.clear()
        after = heap_mib()
        pixmaps = before - after if before is not None and after is not None else None
        result = SoakResult(
            samples,
            sessions,
            elapsed,
            QPixmapCache.cacheLimit(),
            pixmaps,
            sqlite_mib(),
        )
    finally:
        driver.close()
    return result


def _mib(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f} MiB"


def report(result: SoakResult) -> dict[str, tuple[str, str]]:
    """Print the soak's table and verdicts; the headline figures as {figure: (value, goal)}."""
    first, last, middle = result.first, result.last, result.middle
    rows = [
        (
            str(s.session),
            f"{s.rss_mib:.1f} MiB",
            f"{(s.rss_mib / first.rss_mib - 1) * 100:+.1f} %",
            _mib(s.heap_mib),
            str(s.threads),
            str(s.fds),
            f"{s.seconds:.0f} s",
        )
        for s in result.samples
    ]
    print(table(rows, ("session", "RSS", "vs first", "malloc", "threads", "fds", "elapsed")))
    print()
    span = f"{first.session}->{last.session}"
    print(
        f"RSS {span}: {result.rss_growth:+.1f} % (goal <= {RSS_GOAL:.0f} %) -> "
        f"{'met' if result.rss_growth <= RSS_GOAL else 'NOT met'}; "
        f"second half {middle.session}->{last.session}: {result.late_growth:+.1f} %"
    )
    print(
        f"  bounded caches at the end: Qt's pixmap cache {_mib(result.pixmap_cache_mib)} "
        f"(limit {result.pixmap_cache_limit_kib} KiB), SQLite {_mib(result.sqlite_mib)}"
    )
    steady = result.thread_growth <= 0 and result.fd_growth <= 0
    print(
        f"threads {first.threads} -> {last.threads}, open fds {first.fds} -> {last.fds} "
        f"(goal: no growth) -> {'met' if steady else 'NOT met'}"
    )
    print(
        f"{result.sessions} sessions, none stuck; {result.per_session_ms:.0f} ms per session "
        f"({result.seconds:.0f} s)"
    )
    caches = f"{_mib(result.pixmap_cache_mib)} / {_mib(result.sqlite_mib)}"
    return {
        f"soak: RSS growth, sessions {span}": (
            f"{result.rss_growth:+.1f} %",
            f"<= {RSS_GOAL:.0f} %",
        ),
        f"soak: RSS growth, second half ({middle.session}->{last.session})": (
            f"{result.late_growth:+.1f} %",
            "-",
        ),
        "soak: bounded caches at the end (Qt pixmaps / SQLite)": (caches, "-"),
        f"soak: threads / open fds, sessions {span}": (
            f"{first.threads} -> {last.threads} / {first.fds} -> {last.fds}",
            "no growth",
        ),
        "soak: kiosk session (mock card), none stuck": (
            f"{result.per_session_ms:.0f} ms",
            "-",
        ),
    }


_FIGURES = "#figures "  # the child's last line: its headline figures, as JSON


def _in_a_fresh_process(argv: list[str]) -> dict[str, tuple[str, str]]:
    """Run the soak in a new interpreter, as a kiosk starts: under ``make bench`` this process
    already ran other benchmarks (bench_kiosk's sessions fill the same process-wide Qt caches),
    which would hide the growth of a fresh kiosk. Its report is passed through."""
    root = Path(__file__).resolve().parent.parent
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(root), os.environ.get("PYTHONPATH")])),
        "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen"),
    }
    child = subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve()), *argv, "--in-this-process"],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert child.stdout is not None
    figures: dict[str, tuple[str, str]] = {}
    for line in child.stdout:
        if line.startswith(_FIGURES):
            figures = {k: (v[0], v[1]) for k, v in json.loads(line[len(_FIGURES) :]).items()}
        else:
            print(line, end="", flush=True)
    if child.wait() != 0:
        raise RuntimeError(f"the soak failed (exit status {child.returncode})")
    return figures


def main(argv: list[str] | None = None) -> dict[str, tuple[str, str]]:
    """Print the soak's report; return its headline figures ``{figure: (value, goal)}``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=1000)
    parser.add_argument(
        "--pixmap-cache-kib",
        type=int,
        default=None,
        help="cap Qt's QPixmapCache (default: the kiosk's own limit, gui.app.PIXMAP_CACHE_KIB)",
    )
    parser.add_argument(
        "--in-this-process",
        action="store_true",
        help="run here instead of in a fresh Python process",
    )
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    if not args.in_this_process:
        forwarded = ["--sessions", str(args.sessions)]
        if args.pixmap_cache_kib is not None:
            forwarded += ["--pixmap-cache-kib", str(args.pixmap_cache_kib)]
        return _in_a_fresh_process(forwarded)
    _quiet_qt()
    cap = "" if args.pixmap_cache_kib is None else f", Qt pixmap cache {args.pixmap_cache_kib} KiB"
    print(f"== {args.sessions} kiosk sessions on the mock card (offscreen), mixed flows{cap}")
    result = soak(
        args.sessions,
        on_sample=lambda s: print(f"  ... {s.session} sessions", file=sys.stderr, flush=True),
        pixmap_cache_kib=args.pixmap_cache_kib,
    )
    figures = report(result)
    print(_FIGURES + json.dumps(figures, ensure_ascii=False), flush=True)
    return figures


if __name__ == "__main__":
    main()
