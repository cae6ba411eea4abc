"""Test-wide setup: Qt offscreen, a private mock-card state, and the card fixtures every
layer shares. One name, one kind of thing:

* ``mock_card`` — a fresh in-process :class:`mock_card.MockCard` (the demo card, profile
  ``valid``), from the package's own pytest plugin, ``mock_card.pytest_plugin``, which the
  editable install registers (entry point ``pytest11``), like the PC/SC fixtures
  (``pcscd``, ``vpcd_reader``, ``served_card``, ``serve_card``);
* ``jpki_card`` — a :class:`jpki.JpkiCard` session on ``mock_card``.

Elsewhere: ``real_card`` (a session on a real card, tests/test_real_card.py), ``card_credentials``
(the mock PKI's certificates and keys for one card, tests/test_trust.py), ``card_state`` (a
mock card's state file, tests/test_cli_sign.py).
"""

from __future__ import annotations

import faulthandler
import os

# Qt must know before any QApplication exists; tests never need a real screen.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from jpki import JpkiCard
    from mock_card import MockCard

# pytester: tests of the package's own pytest plugin; the office service's fixtures
pytest_plugins = ["pytester", "tests.office_fixtures"]


@pytest.fixture(autouse=True)
def _private_mock_state(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Never touch the user's mock card state, trust folder or real readers by accident."""
    if "JPKI_MOCK_STATE" not in os.environ:
        monkeypatch.setenv("JPKI_MOCK_STATE", str(tmp_path_factory.mktemp("mock") / "card.json"))
    # an empty trust folder (jpki trust install): only the shipped roots are trusted
    monkeypatch.setenv("JPKI_TRUST_DIR", str(tmp_path_factory.mktemp("trust")))


@pytest.fixture
def jpki_card(mock_card: MockCard) -> JpkiCard:
    """A JPKI session on :func:`mock_card`."""
    from jpki import JpkiCard

    return JpkiCard(mock_card)


#: How long the process may take to exit after the last test.
EXIT_GRACE_SECONDS = 120


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Never hang after the last test: a card transaction left behind once locked the
    mock card at interpreter exit and the run sat there until CI killed it 90 minutes
    later. If the process is still alive ``EXIT_GRACE_SECONDS`` after the session ends,
    print every thread's stack and exit non-zero (the run is red, with the reason)."""
    faulthandler.dump_traceback_later(EXIT_GRACE_SECONDS, exit=True)
