"""Moved to :mod:`mock_card.pcscd` (the installable package's pytest plugin uses it).

Kept as an alias so that benchmarks and tests importing ``tests.pcscd`` keep working.
"""

from __future__ import annotations

from mock_card.pcscd import (
    CARD_TIMEOUT,
    START_TIMEOUT,
    VPCD_PORT,
    Pcscd,
    PcscdUnavailable,
    ServedCard,
    die_with_parent,
    find_pcscd,
    find_vpcd_driver,
    find_vpcd_reader,
    machine_lock,
    missing_requirements,
    service_answers,
)

__all__ = [
    "CARD_TIMEOUT",
    "START_TIMEOUT",
    "VPCD_PORT",
    "Pcscd",
    "PcscdUnavailable",
    "ServedCard",
    "die_with_parent",
    "find_pcscd",
    "find_vpcd_driver",
    "find_vpcd_reader",
    "machine_lock",
    "missing_requirements",
    "service_answers",
]
