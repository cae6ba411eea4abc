"""Test-wide setup: Qt offscreen, a private mock-card state.

The PC/SC fixtures (``pcscd``, ``vpcd_reader``, ``served_card``, ``serve_card``,
``mock_card``...) come from the package's own pytest plugin, ``mock_card.pytest_plugin``,
which the editable install registers (entry point ``pytest11``).
"""

from __future__ import annotations

import os

# Qt must know before any QApplication exists; tests never need a real screen.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest

pytest_plugins = ["pytester"]  # tests of the package's own pytest plugin


@pytest.fixture(autouse=True)
def _private_mock_state(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Never touch the user's mock card state or real readers by accident."""
    if "JPKI_MOCK_STATE" not in os.environ:
        monkeypatch.setenv("JPKI_MOCK_STATE", str(tmp_path_factory.mktemp("mock") / "card.json"))
