"""Moved to :mod:`mock_card.pcscd` (the package's pytest plugin uses it).

Kept as an alias so that benchmarks and tests importing ``tests.pcscd`` keep working.
"""

from __future__ import annotations

from mock_card.pcscd import *  # noqa: F403
from mock_card.pcscd import __all__  # noqa: F401
