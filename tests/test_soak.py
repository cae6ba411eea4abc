"""A short soak of the kiosk on the mock card (offscreen): ``bench/bench_soak.py`` runs 1,000
sessions for ``make bench``; here 60 of its mixed sessions (complete requests with every
delivery, a wrong PIN then cancel, a card pulled out on the form, an idle timeout).

No session may get stuck (every wait is bounded: 20 s a screen) and each must leave a clean
screen 1; between session 10 and 60 the process may gain no thread and no open file. The RSS
bound is loose: bounded caches still fill during the first hundred sessions (Qt's 10 MiB pixmap
cache above all, see the bench), so it only catches a gross leak.
"""

from __future__ import annotations

import pytest

from bench.bench_soak import Sample, soak

SESSIONS = 60
FIRST = 10
RSS_BOUND = 10.0  # % from session 10 to 60; about +2 % measured (caches filling up)

pytestmark = pytest.mark.timeout(180, method="thread")


def test_kiosk_soak_60_sessions(qapp) -> None:  # type: ignore[no-untyped-def]
    seen: list[Sample] = []
    result = soak(SESSIONS, marks=(FIRST, SESSIONS), on_sample=seen.append)
    assert [s.session for s in result.samples] == [FIRST, SESSIONS] == [s.session for s in seen]
    first, last = result.first, result.last
    assert last.threads <= first.threads, f"threads {first.threads} -> {last.threads}"
    assert last.fds <= first.fds, f"open fds {first.fds} -> {last.fds}"
    assert result.rss_growth <= RSS_BOUND, (
        f"RSS {first.rss_mib:.1f} -> {last.rss_mib:.1f} MiB ({result.rss_growth:+.1f} %)"
    )
    assert result.per_session_ms < 5000  # a session takes ~0.2 s: none crawled
