"""jpki.timeutil: the one home of JST and of the aware times the library judges by."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from jpki import certs, timeutil
from jpki.timeutil import JST, aware, jst_iso, jst_text, to_jst, utc

WHEN = datetime(2026, 6, 14, 15, 30, 5, tzinfo=UTC)  # 00:30:05 on the 15th in Japan


def test_jst_is_utc_plus_nine_and_the_same_object_everywhere() -> None:
    assert JST.utcoffset(None) == timedelta(hours=9) and JST.tzname(None) == "JST"
    assert certs.JST is timeutil.JST


def test_times_for_people_and_for_json() -> None:
    assert to_jst(WHEN) == WHEN and to_jst(WHEN).tzinfo is JST
    assert jst_text(WHEN) == "2026-06-15 00:30:05 JST"
    assert jst_text(WHEN, seconds=False) == "2026-06-15 00:30 JST"
    assert jst_iso(WHEN) == "2026-06-15T00:30:05+09:00"
    assert jst_iso(None) is None


def test_a_naive_time_is_refused_and_none_is_now() -> None:
    with pytest.raises(ValueError, match="the validation time must be timezone-aware"):
        aware(datetime(2026, 1, 1), "the validation time")  # naive: the point of the test
    assert abs(aware(None) - datetime.now(UTC)) < timedelta(seconds=5)
    other = WHEN.astimezone(timezone(timedelta(hours=-5)))
    assert aware(other) is other
    assert utc(other) == WHEN and utc(other).tzinfo is UTC
