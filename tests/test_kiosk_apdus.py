"""One complete kiosk request stays within 30 APDUs (issue 15), each certificate read once.

Counting APDUs is deterministic, so the benchmark's goal is a test here; the listing with the
reason for each command is ``bench/bench_apdus.py`` (``make bench``).
"""

from __future__ import annotations

from pathlib import Path

from bench.bench_apdus import (
    GOAL,
    REAL_AUTH_CERT,
    REAL_SIGN_CERT,
    Apdu,
    budget,
    complete_request,
    reads_of,
)
from jpki.layout import CertKind


def _selects(apdus: list[Apdu], fid: int) -> int:
    ef = b"\x00\xa4\x02\x0c\x02" + fid.to_bytes(2, "big")
    return sum(a.command == ef for a in apdus)


def test_a_complete_request_takes_at_most_30_apdus(tmp_path: Path) -> None:
    apdus = complete_request(tmp_path / "ledger.sqlite3")
    assert len(apdus) <= GOAL, "\n".join(f"{a.step} {a.reason()}" for a in apdus)
    assert all(a.sw in (0x9000, 0x63C3, 0x63C5) for a in apdus)
    # every certificate read once; the PINs verified once each; the text AP left alone
    assert _selects(apdus, CertKind.AUTH.fid) == 1 and _selects(apdus, CertKind.SIGN.fid) == 1
    assert sum(a.reason().startswith("VERIFY the PIN") for a in apdus) == 2
    assert not any("text AP" in a.reason() for a in apdus)
    # the steps in their order, signing last and sending no VERIFY
    steps = [a.step for a in apdus]
    assert steps[0] == "ReadCard" and steps[-1] == "SignAndSubmit"
    assert not any(a.step == "SignAndSubmit" and a.reason().startswith("VERIFY") for a in apdus)


def test_the_budget_holds_with_real_size_certificates(tmp_path: Path) -> None:
    """Real certificates are larger than the mock card's: each costs ⌈size/256⌉ short reads.
    The commands that are not reads do not depend on the size; with a 1,583-byte
    authentication and a 2,048-byte signature certificate the request still fits."""
    apdus = complete_request(tmp_path / "ledger.sqlite3")
    reads = [a for a in apdus if a.is_read]
    assert reads and all(len(a.command) == 5 for a in reads)  # short APDUs: no extended Le
    b = budget(apdus, 0, 0)
    assert reads_of(REAL_AUTH_CERT) == 7 and reads_of(REAL_SIGN_CERT) == 8
    assert b["real_total"] == b["fixed"] + 15 <= GOAL
