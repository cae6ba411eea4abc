"""A short soak of the kiosk on the mock card (offscreen): ``bench/bench_soak.py`` runs 1,000
sessions for ``make bench``; here 60 of its mixed sessions (complete requests with every
delivery, a wrong PIN then cancel, a card pulled out on the form, an idle timeout).

No session may get stuck (every wait is bounded: 20 s a screen) and each must leave a clean
screen 1. Between session 10 and 60 nothing may pile up:

* no thread and no open file more;
* no object more of any class of ours (apdu, jpki, gui, mock_card), and no Qt widget more —
  an exact count, so a leak of one applicant's anything (a PIN's Secret, an effect, an event,
  a screen) shows after a few sessions, where RSS would hide it in noise. The one exception
  is bounded by time, not count: :class:`jpki.authn.Authenticator` remembers each challenge
  for its lifetime plus the replay window (``tests/test_authn.py`` shows it forgets them);
* RSS at most the goal, +5 %, from session 10 to 60 (about +2 % measured: Qt's and
  SQLite's bounded caches filling up).

``test_the_soak_catches_a_leak`` plants a leak of one effect per card operation and checks
that the count sees it.
"""

from __future__ import annotations

import gc
from collections import Counter
from collections.abc import Callable, Iterator

import pytest

from bench.bench_soak import RSS_GOAL, Sample, SoakResult, soak

SESSIONS = 60
FIRST = 10
OURS = ("apdu", "gui", "jpki", "mock_card")
#: remembered for a challenge's lifetime plus the replay window, then dropped
BOUNDED_BY_TIME = frozenset({"jpki.authn.Challenge", "jpki.authn._Issued"})
QT_WIDGETS = "QWidget (alive in Qt)"

pytestmark = pytest.mark.timeout(240, method="thread")


def census() -> Counter[str]:
    """Live objects of each class of ours, and Qt's live widgets, after a collection."""
    from PySide6.QtWidgets import QApplication

    gc.collect()
    counts: Counter[str] = Counter()
    for obj in gc.get_objects():
        module = type(obj).__module__
        if isinstance(module, str) and module.split(".", 1)[0] in OURS:
            counts[f"{module}.{type(obj).__qualname__}"] += 1
    counts[QT_WIDGETS] = len(QApplication.allWidgets())
    return counts


def counted_soak(sessions: int, first: int) -> tuple[SoakResult, dict[int, Counter[str]]]:
    counts: dict[int, Counter[str]] = {}

    def on_sample(sample: Sample) -> None:
        counts[sample.session] = census()

    result = soak(sessions, marks=(first, sessions), on_sample=on_sample)
    assert sorted(counts) == [s.session for s in result.samples] == [first, sessions]
    return result, counts


def grown(before: Counter[str], after: Counter[str]) -> dict[str, tuple[int, int]]:
    return {
        name: (before[name], n)
        for name, n in after.items()
        if n > before[name] and name not in BOUNDED_BY_TIME
    }


def test_kiosk_soak_60_sessions(qapp) -> None:  # type: ignore[no-untyped-def]
    result, counts = counted_soak(SESSIONS, FIRST)
    first, last = result.first, result.last
    assert last.threads <= first.threads, f"threads {first.threads} -> {last.threads}"
    assert last.fds <= first.fds, f"open fds {first.fds} -> {last.fds}"
    assert counts[FIRST][QT_WIDGETS] > 100  # the census sees the kiosk's widgets
    assert counts[FIRST]["gui.flow.Model"] >= 1
    assert grown(counts[FIRST], counts[SESSIONS]) == {}
    assert result.rss_growth <= RSS_GOAL, (
        f"RSS {first.rss_mib:.1f} -> {last.rss_mib:.1f} MiB ({result.rss_growth:+.1f} %)"
    )
    assert result.per_session_ms < 5000  # a session takes ~0.2 s: none crawled


@pytest.fixture
def leaky_services(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[object]]:
    """KioskServices that keep every effect they run (and with it the PINs' Secrets)."""
    from gui.services import KioskServices

    kept: list[object] = []
    run: Callable[..., object] = KioskServices.run

    def keeping(self: KioskServices, effect: object) -> object:
        kept.append(effect)
        return run(self, effect)

    monkeypatch.setattr(KioskServices, "run", keeping)
    yield kept
    kept.clear()


def test_the_soak_catches_a_leak(qapp, leaky_services: list[object]) -> None:  # type: ignore[no-untyped-def]
    _result, counts = counted_soak(12, 4)
    leaks = grown(counts[4], counts[12])
    assert leaky_services
    for name in ("gui.flow.Secret", "gui.flow.ReadCard", "gui.flow.Authenticate"):
        assert name in leaks, leaks
