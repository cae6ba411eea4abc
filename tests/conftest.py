"""Test-wide setup: Qt offscreen, the PC/SC fixtures, a private mock-card state."""

from __future__ import annotations

import os

# Qt must know before any QApplication exists; tests never need a real screen.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest

pytest_plugins = ["tests.pcsc_fixtures", "tests.office_fixtures"]


@pytest.fixture(autouse=True)
def _private_mock_state(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Never touch the user's mock card state or real readers by accident."""
    if "JPKI_MOCK_STATE" not in os.environ:
        monkeypatch.setenv("JPKI_MOCK_STATE", str(tmp_path_factory.mktemp("mock") / "card.json"))
